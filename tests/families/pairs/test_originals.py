"""The original tree's index: read once, kept on disk, read again for a file that changed; a
broken or unwritable cache only means reading the files again."""

import json
import os
import time
import zlib

import pytest
from pair_helpers import FACTS, next_clock_tick, trust_folder_times

from flake8_torch2ms.families.pairs import listing, originals
from flake8_torch2ms.families.pairs.index import ModuleIndex
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


def test_a_tree_read_from_the_cache_marks_its_entry_used(tree):
    OriginalTree(str(tree), FACTS)
    (entry,) = cache_directory().glob("*.json")
    month_ago = time.time() - 40 * 24 * 60 * 60
    os.utime(entry, (month_ago, month_ago))
    assert OriginalTree(str(tree), FACTS).parsed == 0
    assert entry.stat().st_mtime > month_ago + 24 * 60 * 60  # so pruning (rulecache.prune) keeps it


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


def rename_class(tree):
    path = tree / "models" / "stem.py"
    path.write_text(ORIGINAL.format(slope=0.1).replace("class Stem", "class Root"), encoding="utf-8")
    stamp = path.stat()
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))


# change -> how many files the first run after it parses
CHANGES = {"edit": (edit, 1), "touch": (touch, 1), "add": (add, 1), "remove": (remove, 0),
           "edit and add": (edit_and_add, 2), "rename a class": (rename_class, 1), "nothing": (lambda tree: None, 0)}


def fresh(tree) -> OriginalTree:
    """The tree as read with no cache at all."""
    saved = os.environ.get("FLAKE8_TORCH2MS_CACHE_DIR")
    os.environ["FLAKE8_TORCH2MS_CACHE_DIR"] = ""
    try:
        return OriginalTree(str(tree), FACTS)
    finally:
        if saved is None:
            del os.environ["FLAKE8_TORCH2MS_CACHE_DIR"]
        else:
            os.environ["FLAKE8_TORCH2MS_CACHE_DIR"] = saved


def contents(found: OriginalTree) -> tuple[dict, dict]:
    return {path: found.files[path] for path in found.files}, found.definitions


@pytest.mark.parametrize("folder_times", ["recent", "settled"])
@pytest.mark.parametrize("change", CHANGES)
def test_after_any_change_the_cache_is_brought_up_to_date(tree, change, folder_times, monkeypatch):
    """The first run after a change reads only what changed and stores it: the run after that
    parses nothing and sees the same tree, indexes and top-level names, as a run without a cache.
    With settled folder times a run reuses the last listing unless a folder changed (listing.py)."""
    if folder_times == "settled":
        trust_folder_times(monkeypatch)
    OriginalTree(str(tree), FACTS)
    if folder_times == "settled":
        next_clock_tick(tree.parent)
    make, parsed = CHANGES[change]
    make(tree)
    after = OriginalTree(str(tree), FACTS)
    assert after.parsed == parsed
    again = OriginalTree(str(tree), FACTS)
    assert (again.parsed, contents(again)) == (0, contents(after))
    assert contents(fresh(tree)) == contents(after)


def test_a_tree_whose_folders_did_not_change_is_not_listed_again(tree, monkeypatch):
    """Only its files' stamps are read: an edit is still seen, a new file in any folder too."""
    trust_folder_times(monkeypatch)
    listed = []
    real = listing._walk
    monkeypatch.setattr(listing, "_walk", lambda folder, *rest: listed.append(folder) or real(folder, *rest))
    OriginalTree(str(tree), FACTS)
    assert len(listed) == 2  # the root and models/, not __pycache__/
    listed.clear()
    next_clock_tick(tree.parent)
    edit(tree)
    found = OriginalTree(str(tree), FACTS)
    assert (found.parsed, slopes(found)["models/stem.py"], listed) == (1, 0.3, [])
    add(tree)
    found = OriginalTree(str(tree), FACTS)
    assert found.parsed == 1 and "models/tail.py" in found.files and len(listed) == 2


def test_the_top_level_names_come_without_decoding_an_index(tree, monkeypatch):
    """A port aligns with one original file: a run from the cache decodes that file's index alone."""
    OriginalTree(str(tree), FACTS)
    decoded = []
    monkeypatch.setattr(ModuleIndex, "from_json", classmethod(
        lambda cls, data, real=ModuleIndex.from_json: decoded.append(data) or real(data)))
    found = OriginalTree(str(tree), FACTS)
    assert found.definitions == {"models/stem.py": {"Stem"}, "models/head.py": {"Stem"}} and decoded == []
    assert found.files["models/head.py"].calls[0].positional[0].value == 0.2 and len(decoded) == 1


def entry_of():
    [entry] = cache_directory().glob("*.json")
    return entry


def rewritten(entry, change) -> None:
    """The entry with its header changed by ``change`` and its checksum kept valid."""
    header, body = entry.read_bytes().split(b"\n", 1)
    header = json.loads(header)
    change(header, body)
    entry.write_bytes(json.dumps(header).encode() + b"\n" + body)


def point_past_the_end(header, body):
    header["files"]["models/stem.py"]["at"] = [len(body), 10]


def name_a_string(header, body):
    header["files"]["models/stem.py"]["definitions"] = "Stem"


def lose_the_file_entries(header, body):
    header["files"] = []


def place_the_index(at):
    def change(header, body):
        header["files"]["models/stem.py"]["at"] = at(header["files"]["models/stem.py"]["at"], len(body))
    return change


def change_the_entry(key, value):
    def change(header, body):
        header["files"]["models/stem.py"][key] = value
    return change


def drop_from_the_entry(key):
    def change(header, body):
        del header["files"]["models/stem.py"][key]
    return change


# a damaged entry -> (what it is, how many files the next run parses)
DAMAGE = {
    "truncated": (lambda entry: entry.write_bytes(entry.read_bytes()[:-5]), 2),
    "a changed byte in an index": (lambda entry: entry.write_bytes(entry.read_bytes().replace(b"0.2", b"0.7")), 2),
    "no header line": (lambda entry: entry.write_bytes(entry.read_bytes().replace(b"\n", b" ")), 2),
    "empty": (lambda entry: entry.write_bytes(b""), 2),
    "not a file": (lambda entry: (entry.unlink(), entry.mkdir()), 2),
    "an index placed past the end": (lambda entry: rewritten(entry, point_past_the_end), 1),
    "names that are not a list": (lambda entry: rewritten(entry, name_a_string), 1),
    "file entries that are not a table": (lambda entry: rewritten(entry, lose_the_file_entries), 2),
    # one file's entry, each field damaged: that file alone is read again
    "an index of no bytes": (lambda entry: rewritten(entry, place_the_index(lambda at, size: [at[0], 0])), 1),
    "a negative offset": (lambda entry: rewritten(entry, place_the_index(lambda at, size: [-1, at[1]])), 1),
    "a negative length": (lambda entry: rewritten(entry, place_the_index(lambda at, size: [at[0], -1])), 1),
    "an index one byte too long": (lambda entry: rewritten(entry, place_the_index(
        lambda at, size: [at[0], size - at[0] + 1])), 1),
    "a place that is not a pair": (lambda entry: rewritten(entry, change_the_entry("at", [0])), 1),
    "another stamp": (lambda entry: rewritten(entry, change_the_entry("stamp", [0, 0])), 1),
    "a name that is not a string": (lambda entry: rewritten(entry, change_the_entry("definitions", ["Stem", 3])), 1),
    "no names": (lambda entry: rewritten(entry, drop_from_the_entry("definitions")), 1),
    "no place": (lambda entry: rewritten(entry, drop_from_the_entry("at")), 1),
    "an entry that is not a table": (lambda entry: rewritten(entry, lambda header, body: header["files"].update(
        {"models/stem.py": ["Stem"]})), 1),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_entry_is_read_again_from_the_files(tree, damage):
    OriginalTree(str(tree), FACTS)
    make, parsed = DAMAGE[damage]
    make(entry_of())
    found = OriginalTree(str(tree), FACTS)
    assert found.parsed == parsed and contents(found) == contents(fresh(tree))


def test_an_index_that_does_not_decode_is_built_from_its_file(tree):
    """An entry whose checksum holds but whose index is not one (written by a bug): that file is
    indexed again when it is asked for, never an error."""
    OriginalTree(str(tree), FACTS)
    entry = entry_of()
    header, body = entry.read_bytes().split(b"\n", 1)
    header = json.loads(header)
    start, length = header["files"]["models/stem.py"]["at"]
    body = body[:start] + b"[" + b" " * (length - 1) + body[start + length:]
    header["body"] = [len(body), zlib.crc32(body)]
    entry.write_bytes(json.dumps(header).encode() + b"\n" + body)
    found = OriginalTree(str(tree), FACTS)
    assert found.parsed == 0 and contents(found) == contents(fresh(tree))


def test_a_cache_that_cannot_be_written_still_gives_the_current_tree(tree, tmp_path, monkeypatch):
    """A read-only cache (made so by a write that always fails, as for a user who is not root):
    every run is right, and reads again what changed since the entry was written."""
    OriginalTree(str(tree), FACTS)

    def refuse(*args, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(originals.rulecache.tempfile, "mkstemp", refuse)
    edit(tree)
    for _ in range(2):
        found = OriginalTree(str(tree), FACTS)
        assert found.parsed == 1 and slopes(found)["models/stem.py"] == 0.3
    monkeypatch.setenv("FLAKE8_TORCH2MS_CACHE_DIR", str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("", encoding="utf-8")  # the cache directory's parent is a file
    assert slopes(OriginalTree(str(tree), FACTS)) == {"models/stem.py": 0.3, "models/head.py": 0.2}


def test_symbolic_links_to_folders_are_not_followed(tree):
    (tree / "linked").symlink_to(tree / "models", target_is_directory=True)
    (tree / "models" / "linked.py").symlink_to(tree / "models" / "stem.py")
    assert set(OriginalTree(str(tree), FACTS).files) == {"models/stem.py", "models/head.py", "models/linked.py"}
