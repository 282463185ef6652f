"""MindSpore APIs a port's own package replaces at import time: mindnlp 0.3's ``injection.py``
sets ``nn.LayerNorm = LayerNorm`` (epsilon 1e-5), ``nn.Dropout = CustomDropout`` (torch's rate),
``nn.Conv1d`` with a bias. A call of such a name builds the project's class, not MindSpore's, and
its defaults are the project's: nothing is compared for it (reported as unknown).

Found once per process and package: the package is the outermost folder with an ``__init__.py``
above the port file (or the file's own folder). Only module-level assignments count (a patch
made inside a function is not seen): a file is parsed only when one of its lines starts with an
assignment to a dotted name, and an assignment counts when its target resolves to a
``mindspore.`` name.

Scanning a package (mindcv's 1.1 MB) costs more than the rest of a port file's check, and an
editor starts a new process on every save: each file's assignments are kept in the cache directory
(``patches/``, one JSON file per package), and a file is read again only when its size or
modification time changed, as the original tree's (originals.py)."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path

from ...astgrep import SgRoot
from ... import rulecache
from ...records import LazyPattern
from ...semantics import nodes
from ...semantics.model import SemanticModel
from .listing import SKIPPED_DIRECTORIES, python_files
from .originals import code_stamps

FORMAT = 2

# `nn.LayerNorm = ...` at the start of a line (module level); not `==`. Searched as the first line or
# after a "\n" (what `^` matches with re.MULTILINE): a literal first character lets re skip to each line
# end instead of trying every position, four times faster over a package (mindcv's 1.1 MB: 7 ms).
# Compiled when a file is scanned, not on import: a cached package scans none (0.2 ms a process).
DOTTED_ASSIGNMENT = LazyPattern(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+[ \t]*=(?!=)")
DOTTED_ASSIGNMENT_LINE = LazyPattern(r"\n[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+[ \t]*=(?!=)")
PACKAGE = "mindspore."


def package_of(path: str) -> Path | None:
    """The outermost package folder holding ``path``, else the file's own folder."""
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        return None
    package = None
    while (folder / "__init__.py").is_file():
        package = folder
        if folder.parent == folder:
            break
        folder = folder.parent
    return package or Path(path).resolve().parent


@functools.lru_cache(maxsize=32)
def patched_names(folder: str) -> dict[str, str]:
    """``mindspore.`` name -> where the package assigns it (``path:line``), the first in the
    order of its files."""
    root = Path(folder)
    package = (root / "__init__.py").is_file()
    entry = _cache_entry(root)
    cached, folders = _load(entry) if entry is not None else ({}, None)
    # The last listing holds for this one's ``recurse`` too: an __init__.py added or removed moves
    # the root folder's times, and the folder is listed again.
    listing = python_files(root, SKIPPED_DIRECTORIES.__contains__, recurse=package,
                           last=(list(cached), folders) if folders else None)
    stored: dict[str, list] = {}  # relative path -> [stamp, its assignments]
    changed = False
    found: dict[str, str] = {}
    for relative, path, stamp in listing.files:
        assignments = _kept(cached.get(relative), stamp)
        if assignments is None:
            assignments = _scan(path)
            changed = True
        stored[relative] = [stamp, assignments]
        for name, where in assignments:
            found.setdefault(name, where)
    if entry is not None and (changed or set(stored) != set(cached) or listing.folders != folders):
        document = {"format": FORMAT, "files": stored, "folders": listing.folders}
        rulecache.write_entry(entry, lambda: json.dumps(document, separators=(",", ":")).encode("utf-8"))
    return found


def _scan(path: str) -> list[list[str]]:
    """[``mindspore.`` name, ``path:line``] of each module-level assignment to one, in order."""
    found: list[list[str]] = []
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
        if "mindspore" not in text or not (DOTTED_ASSIGNMENT.match(text) or DOTTED_ASSIGNMENT_LINE.search(text)):
            return found
        tree = SgRoot(text, "python").root()
        model = SemanticModel(tree, path)
        for statement in tree.named_children():
            assignment = statement.child(0) if statement.kind() == "expression_statement" else None
            if assignment is None or assignment.kind() != "assignment":
                continue
            left = assignment.field("left")
            if left is None or left.kind() != "attribute" or assignment.field("right") is None:
                continue
            parts = nodes.dotted(left)
            if not parts or parts[0] in ("self", "cls"):
                continue
            qualified = model.qualified_name(left)
            if qualified is not None and qualified.startswith(PACKAGE):
                found.append([qualified, f"{path}:{assignment.range().start.line + 1}"])
    except Exception:  # unreadable, undecodable, too deep: it patches nothing more that we can see
        pass
    return found


def cache_directory() -> Path | None:
    return rulecache.cache_directory("patches")


def _cache_entry(root: Path) -> Path | None:
    """The entry of one package, named by what a scan's result follows from besides the files:
    the package's path and the code that scans (this family's and the semantic model's)."""
    directory = cache_directory()
    code = code_stamps()
    if directory is None or code is None:
        return None
    digest = rulecache.sha512(f"{FORMAT}\0{sys.version}\0{root.resolve()}\0{root}\0{code}".encode())
    return directory / f"{digest.hexdigest()[:32]}.json"


def _load(entry: Path) -> tuple[dict, list | None]:
    """The files and folders (listing.Listing's) of a package's entry; nothing when it is
    missing, truncated or not ours."""
    try:
        data = json.loads(rulecache.read_entry(entry))
        if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("files"), dict):
            folders = data.get("folders")
            return data["files"], folders if isinstance(folders, list) else None
    except Exception:  # missing, truncated, or not ours
        pass
    return {}, None


def _kept(old: object, stamp: list[int]) -> list[list[str]] | None:
    """The assignments a cache entry holds for a file of this stamp, else None."""
    try:
        kept_stamp, assignments = old  # type: ignore[misc]
        if kept_stamp == stamp and isinstance(assignments, list) and all(
                isinstance(item, list) and len(item) == 2 and all(isinstance(part, str) for part in item)
                for item in assignments):
            return assignments
    except Exception:  # another shape
        pass
    return None
