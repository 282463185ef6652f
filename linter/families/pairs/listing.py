"""The Python files of a tree, each with its stamp, for the caches that keep something per file:
the original tree's indexes (originals.py) and a port package's patches (patches.py).

Listing a tree means reading every folder (transformers: 267 folders, 1,560 files, about 10 ms).
A cache that kept the last listing only stats the folders and files it names: adding, removing or
renaming an entry of a folder moves that folder's modification and change times (the change time
cannot be set back, as ``touch`` and ``tar`` set the other one), so while no folder's times moved,
the files are the ones listed last time and only their own stamps are read (about half the time).
A folder's times are read before its entries, so a change made while it is listed shows next time;
times within two seconds of the listing are not trusted at all (another change in the same tick of
the file system's clock would leave them as they are), so that folder is listed again next time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ...records import Record

# Folder times this close to the listing are not kept: file systems tick in steps (a few ms for
# ext4 and tmpfs, two seconds for FAT), and a change later in the same step would not move them.
RECENT_NS = 2_000_000_000
UNTRUSTED = [-1, -1]  # a folder stamp no folder has: the next run lists again

SKIPPED_DIRECTORIES = frozenset({".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".eggs", ".venv", "venv",
                                 "node_modules", ".mypy_cache", ".pytest_cache", ".ipynb_checkpoints", "build"})


class Listing(Record):
    """``files``: (relative path with "/", path, [size, modification time]) of each ``*.py``, in
    the order of ``os.walk`` with sorted names (a folder's files, then its subfolders). ``folders``:
    [relative path ("" for the root), modification time, change time] of each folder read, to be
    kept with the files' relative paths and handed back to ``python_files`` as ``last``."""

    __slots__ = _fields = ("files", "folders")

    def __init__(self, files: list[tuple[str, str, list[int]]], folders: list[list]) -> None:
        self.files = files
        self.folders = folders


def python_files(root: Path, skipped: Callable[[str], bool], recurse: bool = True,
                 last: tuple[Sequence[str], Sequence[list]] | None = None) -> Listing:
    """The ``*.py`` under ``root`` (or ``root`` itself, a file): a folder's files, then its
    subfolders not ``skipped(name)``, unless ``recurse`` is false. Symbolic links to folders are not
    followed, and a file or folder that cannot be read is left out. ``last``: (relative paths of the
    files, folders) of an earlier listing of the same root and arguments, reused when no folder
    changed since."""
    if root.is_file():
        try:
            status = root.stat()
        except OSError:
            return Listing([], [])
        return Listing([(root.name, str(root), [status.st_size, status.st_mtime_ns])], [])
    base = str(root)
    if last is not None:
        files = _relisted(base, *last)
        if files is not None:
            return Listing(files, list(last[1]))
    found = Listing([], [])
    listed_at = time.time_ns()
    _walk(base, "", _folder_stamp(base, listed_at), skipped, recurse, found, listed_at)
    return found


def _relisted(base: str, relatives: Sequence[str], folders: Sequence[list]) -> list | None:
    """The files of the last listing with their stamps now, or None when a folder changed (or
    any stat failed: a file removed meanwhile, a folder that could not be read)."""
    try:
        for relative, *stamp in folders:
            if _folder_stamp(os.path.join(base, *relative.split("/")) if relative else base) != stamp:
                return None
        files = []
        prefix, separator = base + os.sep, os.sep
        for relative in relatives:
            path = prefix + (relative if separator == "/" else relative.replace("/", separator))
            status = os.stat(path)
            files.append((relative, path, [status.st_size, status.st_mtime_ns]))
        return files
    except (OSError, TypeError, ValueError):  # a stat failed, or a cached entry of another shape
        return None


def _folder_stamp(path: str, listed_at: int | None = None) -> list[int]:
    """[modification time, change time]; UNTRUSTED when it cannot be read, or when either is
    within RECENT_NS of ``listed_at`` (a walk's)."""
    try:
        status = os.stat(path)
    except OSError:
        return UNTRUSTED
    if listed_at is not None and listed_at - max(status.st_mtime_ns, status.st_ctime_ns) < RECENT_NS:
        return UNTRUSTED
    return [status.st_mtime_ns, status.st_ctime_ns]


def _walk(folder: str, prefix: str, stamp: list[int], skipped: Callable[[str], bool], recurse: bool,
          found: Listing, listed_at: int) -> None:
    # os.scandir and plain strings rather than os.walk and Path objects: run on every editor save
    # (the original tree and the port's package, a hundred files each), Path alone cost half.
    found.folders.append([prefix.rstrip("/"), *stamp])  # before the entries are read
    try:
        with os.scandir(folder) as scanned:
            entries = sorted(scanned, key=lambda entry: entry.name)
    except OSError:
        return
    folders = []
    for entry in entries:
        name = entry.name
        try:
            is_folder = entry.is_dir()
            if not is_folder and name.endswith(".py"):
                status = entry.stat()
                found.files.append((prefix + name, entry.path, [status.st_size, status.st_mtime_ns]))
        except OSError:
            continue
        if is_folder and recurse and not skipped(name) and not entry.is_symlink():
            folders.append((entry, _folder_stamp(entry.path, listed_at)))
    for entry, stamp in folders:
        _walk(entry.path, f"{prefix}{entry.name}/", stamp, skipped, recurse, found, listed_at)
