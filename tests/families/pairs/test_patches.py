"""The scan of a port's package for the MindSpore names it replaces, kept on disk between runs: a
run reads again only the files that changed, after any kind of change sees what a run without a
cache sees, and a damaged or unwritable cache only means scanning again."""

import json
import os

import pytest
from pair_helpers import next_clock_tick, trust_folder_times

from flake8_torch2ms.families.pairs import patches
from flake8_torch2ms.families.pairs.patches import cache_directory, patched_names

PATCH = "import mindspore\nfrom mindspore import nn\n\n\nclass {name}(nn.Cell):\n    pass\n\n\nnn.{name} = {name}\n"
PLAIN = "from mindspore import nn\n\n\ndef build():\n    return nn.Dense(1, 1)\n"


@pytest.fixture
def package(tmp_path, monkeypatch):
    monkeypatch.setenv("FLAKE8_TORCH2MS_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "port"
    (root / "layers").mkdir(parents=True)
    (root / "__init__.py").write_text("from . import layers\n", encoding="utf-8")
    (root / "layers" / "__init__.py").write_text(PATCH.format(name="LayerNorm"), encoding="utf-8")
    (root / "model.py").write_text(PLAIN, encoding="utf-8")
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "skipped.py").write_text(PATCH.format(name="Dropout"), encoding="utf-8")
    return root


@pytest.fixture
def scanned(monkeypatch):
    """The files read by each run's scan, in order."""
    found = []
    real = patches._scan
    monkeypatch.setattr(patches, "_scan", lambda path: found.append(os.path.basename(path)) or real(path))
    return found


def run(package) -> dict[str, str]:
    """One process's scan (the per-process memo cleared, as for a new process)."""
    patched_names.cache_clear()
    return patched_names(str(package))


def without_cache(package) -> dict[str, str]:
    saved = os.environ["FLAKE8_TORCH2MS_CACHE_DIR"]
    os.environ["FLAKE8_TORCH2MS_CACHE_DIR"] = ""
    try:
        return run(package)
    finally:
        os.environ["FLAKE8_TORCH2MS_CACHE_DIR"] = saved


def where(package, relative: str, line: int = 9) -> str:
    return f"{package.joinpath(*relative.split('/'))}:{line}"


def test_the_package_is_scanned_once_then_read_from_the_cache(package, scanned):
    assert run(package) == {"mindspore.nn.LayerNorm": where(package, "layers/__init__.py")}
    assert sorted(scanned) == ["__init__.py", "__init__.py", "model.py"]
    scanned.clear()
    assert run(package) == {"mindspore.nn.LayerNorm": where(package, "layers/__init__.py")} and scanned == []


def later(path) -> None:
    """A new modification time, as any edit gives."""
    stamp = path.stat()
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))


def write(path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    later(path)


def edit_to_patch(package):
    write(package / "model.py", PLAIN + "\n\nnn.Dense = build\n")


def edit_to_unpatch(package):
    write(package / "layers" / "__init__.py", PLAIN)


def same_size_edit(package):
    text = PATCH.format(name="LayerNorm")
    write(package / "layers" / "__init__.py", text.replace("nn.LayerNorm = ", "nn.GroupNorm = ").replace(
        "class LayerNorm", "class GroupNorm"))
    assert len(text) == (package / "layers" / "__init__.py").stat().st_size


def touch(package):
    later(package / "model.py")


def add_a_file(package):
    write(package / "layers" / "dropout.py", PATCH.format(name="Dropout"))


def add_a_folder(package):
    (package / "ops").mkdir()
    write(package / "ops" / "__init__.py", PATCH.format(name="Conv1d"))


def remove_the_patching_file(package):
    (package / "layers" / "__init__.py").unlink()


def rename_the_patching_file(package):
    (package / "layers" / "__init__.py").rename(package / "layers" / "norm.py")


def an_earlier_file_patches_the_same_name(package):
    write(package / "layers" / "a_first.py", PATCH.format(name="LayerNorm"))


def stop_being_a_package(package):
    (package / "__init__.py").unlink()


# change -> how many files the first run after it scans
CHANGES = {
    "edit to patch": (edit_to_patch, 1), "edit to unpatch": (edit_to_unpatch, 1),
    "same-size edit": (same_size_edit, 1), "touch": (touch, 1), "add a file": (add_a_file, 1),
    "add a folder": (add_a_folder, 1), "remove the patching file": (remove_the_patching_file, 0),
    "rename the patching file": (rename_the_patching_file, 1),
    "an earlier file patches the same name": (an_earlier_file_patches_the_same_name, 1),
    "stop being a package": (stop_being_a_package, 0), "nothing": (lambda package: None, 0),
}


@pytest.mark.parametrize("folder_times", ["recent", "settled"])
@pytest.mark.parametrize("change", CHANGES)
def test_after_any_change_the_cache_is_brought_up_to_date(package, scanned, change, folder_times, monkeypatch):
    """With settled folder times a run reuses the last listing unless a folder changed (listing.py)."""
    if folder_times == "settled":
        trust_folder_times(monkeypatch)
    run(package)
    if folder_times == "settled":
        next_clock_tick(package.parent)
    make, count = CHANGES[change]
    make(package)
    scanned.clear()
    after = run(package)
    assert len(scanned) == count
    scanned.clear()
    assert run(package) == after and scanned == []
    assert after == without_cache(package)


def test_a_folder_becoming_a_package_is_scanned_below(tmp_path, monkeypatch, scanned):
    monkeypatch.setenv("FLAKE8_TORCH2MS_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "port" / "layers").mkdir(parents=True)
    write(tmp_path / "port" / "layers" / "norm.py", PATCH.format(name="LayerNorm"))
    write(tmp_path / "port" / "model.py", PLAIN)
    assert run(tmp_path / "port") == {}  # not a package: its own files only
    write(tmp_path / "port" / "__init__.py", "")
    assert run(tmp_path / "port") == {"mindspore.nn.LayerNorm": where(tmp_path / "port", "layers/norm.py")}


def entry_of():
    [entry] = cache_directory().glob("*.json")
    return entry


def wrong_stamp_shape(entry):
    data = json.loads(entry.read_bytes())
    data["files"]["model.py"] = "model.py"
    entry.write_text(json.dumps(data), encoding="utf-8")


def assignments_of_another_shape(entry):
    data = json.loads(entry.read_bytes())
    data["files"]["layers/__init__.py"][1] = ["ab"]
    entry.write_text(json.dumps(data), encoding="utf-8")


# a damaged entry -> (what it is, how many files the next run scans)
DAMAGE = {
    "truncated": (lambda entry: entry.write_bytes(entry.read_bytes()[:-5]), 3),
    "not JSON": (lambda entry: entry.write_bytes(b"\xff\x00"), 3),
    "empty": (lambda entry: entry.write_bytes(b""), 3),
    "another format": (lambda entry: entry.write_text('{"format": 0, "files": {}}', encoding="utf-8"), 3),
    "not a file": (lambda entry: (entry.unlink(), entry.mkdir()), 3),
    "a file entry of another shape": (wrong_stamp_shape, 1),
    "assignments of another shape": (assignments_of_another_shape, 1),
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_entry_is_scanned_again(package, scanned, damage):
    expected = run(package)
    make, count = DAMAGE[damage]
    make(entry_of())
    scanned.clear()
    assert run(package) == expected and len(scanned) == count


def test_a_cache_that_cannot_be_written_still_gives_the_current_names(package, scanned, tmp_path, monkeypatch):
    run(package)

    def refuse(*args, **kwargs):
        raise PermissionError("read-only")

    monkeypatch.setattr(patches.rulecache.tempfile, "mkstemp", refuse)
    edit_to_patch(package)
    for _ in range(2):
        scanned.clear()
        assert run(package)["mindspore.nn.Dense"] == where(package, "model.py", 8) and scanned == ["model.py"]
    monkeypatch.setenv("FLAKE8_TORCH2MS_CACHE_DIR", str(tmp_path / "a-file"))
    (tmp_path / "a-file").write_text("", encoding="utf-8")  # the cache directory's parent is a file
    assert run(package) == without_cache(package)
