"""The original (torch) tree, indexed once per process and kept on disk between runs.

Each Python file of the tree is parsed with ast-grep and indexed (index.py) with its own semantic
model. The indexes are written to the cache directory (next to the rule cache, rulecache.py), in
one JSON file per tree, and a file is read again only when its size or modification time
changed; an entry also names the code and facts it was built with. A cache that cannot be read
is rebuilt, one that cannot be written is skipped: neither is ever an error. A file that cannot be
read or parsed has an empty index (nothing aligns with it)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ast_grep_py import SgRoot

from ... import rulecache
from ...semantics.model import SemanticModel
from .facts import Facts, torch_words
from .index import ModuleIndex, index_module

FORMAT = 3
SKIPPED_DIRECTORIES = frozenset({".git", ".hg", ".svn", "__pycache__", ".tox", ".nox", ".eggs", ".venv", "venv",
                                 "node_modules", ".mypy_cache", ".pytest_cache", ".ipynb_checkpoints", "build"})
CODE = Path(__file__).resolve().parent
MODEL = CODE.parent.parent / "semantics"


class OriginalTree:
    """The indexes of every Python file under ``root`` (a directory or one file), by relative path."""

    def __init__(self, root: str, facts: Facts) -> None:
        self.given = root
        self.root = Path(root).resolve()
        self.facts = facts
        self.files: dict[str, ModuleIndex] = {}
        self.parsed = 0  # files parsed (not taken from the cache) when the tree was read
        self._read()

    def display(self, relative: str) -> str:
        """A path for messages: under the original as the user gave it."""
        if self.root.is_file():
            return self.given
        return os.path.join(self.given, *relative.split("/"))

    def _sources(self) -> list[tuple[str, Path]]:
        if self.root.is_file():
            return [(self.root.name, self.root)]
        found = []
        for directory, subdirectories, files in os.walk(self.root):
            subdirectories[:] = sorted(name for name in subdirectories if name not in SKIPPED_DIRECTORIES
                                       and not name.endswith(".egg-info"))
            for name in sorted(files):
                if name.endswith(".py"):
                    path = Path(directory) / name
                    found.append((path.relative_to(self.root).as_posix(), path))
        return found

    def _read(self) -> None:
        entry = _cache_entry(self.root, self.facts)
        cached = _load(entry) if entry is not None else {}
        stored: dict[str, dict] = {}
        changed = False
        for relative, path in self._sources():
            try:
                status = path.stat()
            except OSError:
                continue
            stamp = [status.st_size, status.st_mtime_ns]
            old = cached.get(relative)
            index = None
            if isinstance(old, dict) and old.get("stamp") == stamp:
                try:
                    index = ModuleIndex.from_json(old["index"])
                    stored[relative] = old  # kept as read: written back only when another file changed
                except Exception:  # written by another version: read the file again
                    index = None
            if index is None:
                index = _index_file(path, self.facts)
                self.parsed += 1
                changed = True
                stored[relative] = {"stamp": stamp, "index": index.to_json()}
            self.files[relative] = index
        if entry is not None and (changed or set(stored) != set(cached)):
            document = {"format": FORMAT, "files": stored}
            rulecache.write_entry(entry, lambda: json.dumps(document, separators=(",", ":")).encode("utf-8"))


def _index_file(path: Path, facts: Facts) -> ModuleIndex:
    try:
        text = path.read_text(encoding="utf-8")
        root = SgRoot(text, "python").root()
        model = SemanticModel(root, str(path))
        return index_module(root, model, lambda name: facts.torch_api(name) is not None, torch_words(facts))
    except Exception:  # unreadable, undecodable, or too deep for the model: nothing aligns with it
        return ModuleIndex()


def cache_directory() -> Path | None:
    return rulecache.cache_directory("originals")


def _cache_entry(root: Path, facts: Facts) -> Path | None:
    directory = cache_directory()
    if directory is None:
        return None
    digest = rulecache.sha256(f"{FORMAT}\0{sys.version}\0{root}\0".encode())
    digest.update("\0".join(sorted(facts.torch_names)).encode())
    try:  # the code that builds an index, by each file's path, size and time (as the rule cache)
        for base in (CODE, MODEL):
            for path, size, modified in rulecache.file_stamps(str(base), ".py"):
                digest.update(f"{path}\0{size}\0{modified}\0".encode())
    except OSError:
        return None
    return directory / f"{digest.hexdigest()[:32]}.json"


def _load(entry: Path) -> dict:
    try:
        data = json.loads(entry.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("format") == FORMAT and isinstance(data.get("files"), dict):
            return data["files"]
    except Exception:  # missing, truncated, or not ours
        pass
    return {}


_TREES: dict[tuple, OriginalTree] = {}


def original_tree(root: str, facts: Facts) -> OriginalTree:
    """The tree for this process: read once (flake8's workers each read it, from the cache)."""
    key = (str(Path(root).resolve()), id(facts))
    if key not in _TREES:
        _TREES[key] = OriginalTree(root, facts)
    return _TREES[key]
