"""The original tree's index: read once, kept on disk, read again for a file that changed; a
broken or unwritable cache only means reading the files again."""

import os

import pytest
from pair_helpers import FACTS

from flake8_torch2ms.families.pairs.originals import OriginalTree, cache_directory

ORIGINAL = "from torch import nn\n\nclass Stem(nn.Module):\n    def __init__(self):\n" \
           "        super().__init__()\n        self.act = nn.LeakyReLU({slope})\n"


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.setenv("FLAKE8_TORCH2MS_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "original"
    (root / "models").mkdir(parents=True)
    (root / "models" / "stem.py").write_text(ORIGINAL.format(slope=0.1), encoding="utf-8")
    (root / "models" / "head.py").write_text(ORIGINAL.format(slope=0.2), encoding="utf-8")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "skipped.py").write_text("x = 1\n", encoding="utf-8")
    return root


def slopes(tree: OriginalTree) -> dict[str, float]:
    return {path: index.calls[0].positional[0].value for path, index in tree.files.items()}


def test_the_tree_is_indexed_once_then_read_from_the_cache(tree):
    first = OriginalTree(str(tree), FACTS)
    assert (first.parsed, slopes(first)) == (2, {"models/stem.py": 0.1, "models/head.py": 0.2})
    second = OriginalTree(str(tree), FACTS)
    assert (second.parsed, slopes(second)) == (0, slopes(first))


def test_a_changed_file_is_read_again(tree):
    OriginalTree(str(tree), FACTS)
    path = tree / "models" / "stem.py"
    path.write_text(ORIGINAL.format(slope=0.3), encoding="utf-8")
    stamp = path.stat()
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))  # a new mtime, as any edit gives
    again = OriginalTree(str(tree), FACTS)
    assert (again.parsed, slopes(again)["models/stem.py"]) == (1, 0.3)
    (tree / "models" / "head.py").unlink()
    assert set(OriginalTree(str(tree), FACTS).files) == {"models/stem.py"}


def test_a_broken_cache_is_rebuilt_without_an_error(tree):
    OriginalTree(str(tree), FACTS)
    for entry in cache_directory().glob("*.json"):
        entry.write_text('{"format": 1, "files": {"models/stem.py": {"stamp": "x", "index": 3}', encoding="utf-8")
    assert OriginalTree(str(tree), FACTS).parsed == 2
    for entry in cache_directory().glob("*.json"):
        entry.write_bytes(b"\xff\x00")
    assert slopes(OriginalTree(str(tree), FACTS))["models/head.py"] == 0.2


def test_no_cache_directory_still_works(tree, monkeypatch):
    monkeypatch.setenv("FLAKE8_TORCH2MS_CACHE_DIR", "")
    assert OriginalTree(str(tree), FACTS).parsed == 2
    assert OriginalTree(str(tree), FACTS).parsed == 2


def test_an_unparsable_or_undecodable_file_indexes_as_empty(tree):
    (tree / "broken.py").write_bytes(b"\xff\xfe not utf-8")
    (tree / "deep.py").write_text("x = " + "(" * 3000 + "1" + ")" * 3000 + "\n", encoding="utf-8")
    found = OriginalTree(str(tree), FACTS)
    assert found.files["broken.py"].calls == [] and found.files["deep.py"].calls == []


def test_one_file_as_the_original(tree):
    found = OriginalTree(str(tree / "models" / "stem.py"), FACTS)
    assert list(found.files) == ["stem.py"] and found.display("stem.py") == str(tree / "models" / "stem.py")


def edit(tree):
    path = tree / "models" / "stem.py"
    path.write_text(ORIGINAL.format(slope=0.3), encoding="utf-8")
    stamp = path.stat()
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))


def touch(tree):
    path = tree / "models" / "stem.py"
    stamp = path.stat()
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))


def add(tree):
    (tree / "models" / "tail.py").write_text(ORIGINAL.format(slope=0.4), encoding="utf-8")


def remove(tree):
    (tree / "models" / "head.py").unlink()


def edit_and_add(tree):
    edit(tree)
    add(tree)


# change -> how many files the first run after it parses
CHANGES = {"edit": (edit, 1), "touch": (touch, 1), "add": (add, 1), "remove": (remove, 0),
           "edit and add": (edit_and_add, 2), "nothing": (lambda tree: None, 0)}


@pytest.mark.parametrize("change", CHANGES)
def test_after_any_change_the_cache_is_brought_up_to_date(tree, change):
    """The first run after a change reads only what changed and stores it: the run after that
    parses nothing and sees the same tree."""
    OriginalTree(str(tree), FACTS)
    make, parsed = CHANGES[change]
    make(tree)
    after = OriginalTree(str(tree), FACTS)
    assert after.parsed == parsed
    again = OriginalTree(str(tree), FACTS)
    assert (again.parsed, slopes(again)) == (0, slopes(after))
