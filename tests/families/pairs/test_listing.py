"""The listing of a tree's Python files, reused while no folder changed: after any change to any
folder it is the listing a walk gives, and what it cannot trust it lists again."""

import os
import random

import pytest
from pair_helpers import next_clock_tick, trust_folder_times

from flake8_torch2ms.families.pairs import listing
from flake8_torch2ms.families.pairs.listing import SKIPPED_DIRECTORIES, UNTRUSTED, python_files

SKIPPED = SKIPPED_DIRECTORIES.__contains__


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "tree"
    (root / "models" / "vision").mkdir(parents=True)
    for relative in ("setup.py", "models/__init__.py", "models/stem.py", "models/vision/head.py"):
        (root / relative).write_text("x = 1\n", encoding="utf-8")
    return root


@pytest.fixture
def walks(monkeypatch):
    """How many folders each listing read."""
    read = []
    real = listing._walk
    monkeypatch.setattr(listing, "_walk", lambda folder, *rest: read.append(folder) or real(folder, *rest))
    return read


def last_of(found):
    return [relative for relative, _, _ in found.files], found.folders


def test_while_no_folder_changed_the_files_are_not_listed_again(root, walks, monkeypatch):
    trust_folder_times(monkeypatch)
    first = python_files(root, SKIPPED)
    assert len(walks) == 3 and UNTRUSTED not in [stamp[1:] for stamp in first.folders]
    walks.clear()
    again = python_files(root, SKIPPED, last=last_of(first))
    assert (again.files, again.folders, walks) == (first.files, first.folders, [])


def test_a_reused_listing_has_each_file_s_stamp_now(root, walks, monkeypatch):
    trust_folder_times(monkeypatch)
    first = python_files(root, SKIPPED)
    path = root / "models" / "stem.py"
    path.write_text("x = 22\n", encoding="utf-8")
    os.utime(path, ns=(0, 5_000_000_000))
    walks.clear()
    again = python_files(root, SKIPPED, last=last_of(first))
    assert walks == [] and dict((relative, stamp) for relative, _, stamp in again.files)["models/stem.py"] == \
        [7, 5_000_000_000]


def test_folders_changed_moments_ago_are_listed_again(root, walks):
    """Times within RECENT_NS of the listing are not kept: a change later in the same tick of the
    file system's clock would not move them."""
    first = python_files(root, SKIPPED)
    assert [stamp[1:] for stamp in first.folders] == [UNTRUSTED] * 3
    walks.clear()
    python_files(root, SKIPPED, last=last_of(first))
    assert len(walks) == 3


def add_file(root, rng, files, folders):
    (rng.choice(folders) / f"new{rng.randrange(10**6)}.py").write_text("y = 2\n", encoding="utf-8")


def remove_file(root, rng, files, folders):
    if files:
        rng.choice(files).unlink()


def rename_file(root, rng, files, folders):
    if files:
        source = rng.choice(files)
        source.rename(rng.choice(folders) / f"moved{rng.randrange(10**6)}.py")


def rename_to_text(root, rng, files, folders):
    if files:
        source = rng.choice(files)
        source.rename(source.with_suffix(".txt"))


def add_folder(root, rng, files, folders):
    folder = rng.choice(folders) / f"pkg{rng.randrange(10**6)}"
    folder.mkdir()
    (folder / "inner.py").write_text("z = 3\n", encoding="utf-8")


def remove_folder(root, rng, files, folders):
    removable = [folder for folder in folders if folder != root]
    if removable:
        folder = rng.choice(removable)
        for path in sorted(folder.rglob("*"), key=lambda path: -len(path.parts)):
            path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
        folder.rmdir()


def add_skipped_folder(root, rng, files, folders):
    folder = rng.choice(folders) / "__pycache__"
    if not folder.exists():
        folder.mkdir()
        (folder / "cached.py").write_text("w = 4\n", encoding="utf-8")


def link_a_folder(root, rng, files, folders):
    link = rng.choice(folders) / f"link{rng.randrange(10**6)}"
    link.symlink_to(rng.choice(folders), target_is_directory=True)


def file_becomes_folder(root, rng, files, folders):
    if files:
        path = rng.choice(files)
        path.unlink()
        path.mkdir()
        (path / "inside.py").write_text("v = 5\n", encoding="utf-8")


def set_the_times_back(change):
    """``change``, then every folder's modification time set back to what it was (as tar does)."""
    def made(root, rng, files, folders):
        times = {folder: folder.stat() for folder in folders}
        change(root, rng, files, folders)
        for folder, status in times.items():
            if folder.is_dir():
                os.utime(folder, ns=(status.st_atime_ns, status.st_mtime_ns))
    return made


CHANGES = [add_file, remove_file, rename_file, rename_to_text, add_folder, remove_folder, add_skipped_folder,
           link_a_folder, file_becomes_folder, set_the_times_back(add_file), set_the_times_back(remove_file)]


@pytest.mark.parametrize("seed", range(6))
def test_after_any_change_the_listing_is_what_a_walk_gives(root, monkeypatch, seed):
    """Random changes, each after the clock moved on: a listing reused from the last one always
    names the files a walk names, with their stamps, in the same order."""
    trust_folder_times(monkeypatch)
    rng = random.Random(seed)
    last = python_files(root, SKIPPED)
    for _ in range(12):
        next_clock_tick(root.parent)
        files = sorted(path for path in root.rglob("*.py") if "__pycache__" not in path.parts and path.is_file()
                       and not any(parent.is_symlink() for parent in path.parents))
        folders = sorted({root} | {path for path in root.rglob("*") if path.is_dir() and not path.is_symlink()
                                   and "__pycache__" not in path.parts})
        rng.choice(CHANGES)(root, rng, files, folders)
        reused = python_files(root, SKIPPED, last=last_of(last))
        walked = python_files(root, SKIPPED)
        assert reused.files == walked.files
        last = reused


LAST_LISTINGS = {
    "folders that are not lists": lambda relatives, folders: (relatives, [None, 3]),
    "a folder without times": lambda relatives, folders: (relatives, [[""]]),
    "a folder that is gone": lambda relatives, folders: (relatives, folders + [["gone", 1, 2]]),
    "a file that is gone": lambda relatives, folders: (relatives + ["gone.py"], folders),
    "a path that is not text": lambda relatives, folders: (relatives + [7], folders),
}


@pytest.mark.parametrize("damage", LAST_LISTINGS)
def test_a_last_listing_that_does_not_hold_is_listed_again(root, monkeypatch, damage):
    trust_folder_times(monkeypatch)
    first = python_files(root, SKIPPED)
    again = python_files(root, SKIPPED, last=LAST_LISTINGS[damage](*last_of(first)))
    assert again.files == first.files
