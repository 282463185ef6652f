"""The original (torch) tree, indexed once per process and kept on disk between runs.

Each Python file of the tree is parsed with ast-grep and indexed (index.py) with its own semantic
model. The indexes are written to the cache directory (next to the rule cache, rulecache.py), in
one file per tree, and a file is read again only when its size or modification time changed (the
list of files is kept too: listing.py); an entry also names the code and facts it was built with.
A cache that cannot be read is rebuilt, one that cannot be written is skipped: neither is ever an
error. A file that cannot be read or parsed has an empty index (nothing aligns with it).

A port file aligns with one original file, chosen by its path or by the names the files define
(alignment.py), so a process needs every file's names but one file's calls. An entry is
therefore a header, one JSON line with each file's stamp, top-level names and the place of its
index in the rest, and that rest, the indexes one after the other: a process decodes the header
and the one index its port aligns with, not all of them (97 for timm's models)."""

from __future__ import annotations

import functools
import json
import os
import sys
import weakref
import zlib
from collections.abc import Callable, Iterator, Mapping, Set
from pathlib import Path
from typing import TYPE_CHECKING

from ...astgrep import SgNode, SgRoot
from ... import rulecache
from ...semantics.model import SemanticModel
from .alignment import align_by_path, align_file, defining_files, files_by_name, may_align_by_names, may_pair_calls
from .facts import Facts, torch_words
from .index import ModuleIndex, defined_names, defined_names_in_ast, index_module, port_call_words
from .listing import SKIPPED_DIRECTORIES, python_files

if TYPE_CHECKING:
    import ast

    from .. import Pairing

FORMAT = 6
CODE = Path(__file__).resolve().parent
MODEL = CODE.parent.parent / "semantics"


class OriginalTree:
    """The indexes of every Python file under ``root`` (a directory or one file), by relative path."""

    def __init__(self, root: str, facts: Facts) -> None:
        self.given = root
        self.root = Path(root).resolve()
        self.single_file = self.root.is_file()  # display() asks for every finding: one stat a process
        self.facts = facts
        self.files = Indexes(lambda path: _index_file(path, facts))  # relative path -> ModuleIndex, decoded when asked
        self.definitions: dict[str, frozenset[str]] = {}  # relative path -> its top-level classes and functions
        self.parsed = 0  # files parsed (not taken from the cache) when the tree was read
        self._files_for: dict[tuple, tuple[str | None, str]] = {}
        # The last port module's answer, the module held weakly: flake8's parse of a file must not
        # outlive its check (a tree of 2,000 lines is 20,000 objects for the collector to walk).
        self._calls_pair: tuple[weakref.ref[ast.Module], tuple, bool] | None = None
        self._read()

    @functools.cached_property
    def by_name(self) -> dict[str, str | set[str]]:
        """Each top-level name, lowered -> the files defining it (alignment.defining_files)."""
        return defining_files(self.definitions)

    @functools.cached_property
    def files_named(self) -> dict[str, list[str]]:
        """Each file name -> the files of that name (alignment.files_by_name)."""
        return files_by_name(self.definitions)

    @property
    def lowered_names(self) -> Set[str]:
        """Every file's top-level names, lowered: what a port file's names are first tested against
        (the keys of ``by_name``, which the gate reads anyway)."""
        return self.by_name.keys()

    def file_for(self, port_path: str | None, defined: Set[str],
                 class_map: tuple[tuple[str, str], ...]) -> tuple[str | None, str]:
        """align_file's answer for a port file (its path and top-level names), taken once per
        file: the engine's gate asks it before the walk, the analysis again after it."""
        key = (port_path, frozenset(defined), class_map)
        if key not in self._files_for:
            self._files_for.clear()  # one port file at a time: keep the last answer only
            self._files_for[key] = align_file(port_path, defined, self.definitions, dict(class_map), self.by_name,
                                              self.files_named)
        return self._files_for[key]

    def calls_may_pair(self, module: ast.Module, source: str, relative: str,
                       class_map: tuple[tuple[str, str], ...]) -> bool:
        """alignment.may_pair_calls for a port module (Python's parse of ``source``) and the file
        it aligns with, taken once per module: the engine's gate asks before the parse and after."""
        key = (relative, class_map)
        last = self._calls_pair
        if last is None or last[0]() is not module or last[1] != key:
            answer = may_pair_calls(module, source, self.files[relative], dict(class_map),
                                    port_call_words(self.facts))
            self._calls_pair = last = (weakref.ref(module), key, answer)
        return last[2]

    def display(self, relative: str) -> str:
        """A path for messages: under the original as the user gave it."""
        if self.single_file:
            return self.given
        return os.path.join(self.given, *relative.split("/"))

    def _read(self) -> None:
        entry = _cache_entry(self.root, self.facts)
        cached, folders, body = _load(entry) if entry is not None else ({}, None, b"")
        listing = python_files(self.root, _skipped_directory, last=(list(cached), folders) if folders else None)
        # relative path -> (stamp, definitions, encoded index)
        stored: dict[str, tuple[list[int], list[str], bytes | memoryview]] = {}
        changed = False
        view = memoryview(body)  # each kept index a view of the body: 1,560 of them, 2 MB, copied for none
        for relative, path, stamp in listing.files:
            kept = _kept(cached.get(relative), stamp, len(body))
            if kept is not None:
                definitions, start, end = kept
                encoded = view[start:end]
                self.files.add_encoded(relative, encoded, path)
            else:
                index = _index_file(path, self.facts)
                self.parsed += 1
                changed = True
                definitions = sorted(index.definitions)
                encoded = json.dumps(index.to_json(), separators=(",", ":")).encode("utf-8")
                self.files.add(relative, index)
            stored[relative] = (stamp, definitions, encoded)
            self.definitions[relative] = frozenset(definitions)
        if entry is not None and (changed or set(stored) != set(cached) or listing.folders != folders):
            rulecache.write_entry(entry, lambda: _serialized(stored, listing.folders))


class Indexes(Mapping):
    """Relative path -> ModuleIndex. An index read from the cache stays encoded until it is asked
    for; one that does not decode (an entry written by a bug) is built from its file again
    (``rebuild(path)``)."""

    def __init__(self, rebuild: Callable[[str], ModuleIndex]) -> None:
        self._rebuild = rebuild
        self._items: dict[str, ModuleIndex | tuple[bytes | memoryview, str]] = {}

    def add(self, relative: str, index: ModuleIndex) -> None:
        self._items[relative] = index

    def add_encoded(self, relative: str, encoded: bytes | memoryview, path: str) -> None:
        self._items[relative] = (encoded, path)

    def __getitem__(self, relative: str) -> ModuleIndex:
        item = self._items[relative]
        if isinstance(item, tuple):
            encoded, path = item
            try:
                item = ModuleIndex.from_json(json.loads(bytes(encoded)))
            except Exception:
                item = self._rebuild(path)
            self._items[relative] = item
        return item

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def _skipped_directory(name: str) -> bool:
    return name in SKIPPED_DIRECTORIES or name.endswith(".egg-info")


def _index_file(path: str, facts: Facts) -> ModuleIndex:
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
        root = SgRoot(text, "python").root()
        model = SemanticModel(root, path)
        return index_module(root, model, lambda name: facts.torch_api(name) is not None, torch_words(facts))
    except Exception:  # unreadable, undecodable, or too deep for the model: nothing aligns with it
        return ModuleIndex()


def cache_directory() -> Path | None:
    return rulecache.cache_directory("originals")


@functools.lru_cache(maxsize=1)  # once per process: the code a process runs does not change under it
def code_stamps() -> str | None:
    """The path, size and modification time of each source file an index (or a patch scan,
    patches.py) is built with: this family's and the semantic model's; installed from a wheel, its
    RECORD (rulecache.wheel_record) instead. None when one cannot be read."""
    record = rulecache.wheel_record()
    if record is not None:
        return record
    try:
        return "".join(f"{path}\0{size}\0{modified}\0" for base in (CODE, MODEL)
                       for path, size, modified in rulecache.file_stamps(str(base), ".py"))
    except OSError:
        return None


def _cache_entry(root: Path, facts: Facts) -> Path | None:
    directory = cache_directory()
    code = code_stamps()
    if directory is None or code is None:
        return None
    digest = rulecache.sha512(f"{FORMAT}\0{sys.version}\0{root}\0".encode())
    digest.update("\0".join(sorted(facts.torch_names)).encode())
    digest.update(code.encode())
    return directory / f"{digest.hexdigest()[:32]}.json"


def _load(entry: Path) -> tuple[dict, list | None, bytes | memoryview]:
    """The header's files and folders (listing.Listing's) and the body of a cache entry (a view
    of what was read: transformers' is 2 MB, not copied); nothing when it is missing, truncated,
    changed by anything but this module, or not ours."""
    try:
        data = rulecache.read_entry(entry)
        end = data.index(b"\n")
        header, body = json.loads(data[:end]), memoryview(data)[end + 1:]
        if isinstance(header, dict) and header.get("format") == FORMAT and isinstance(header.get("files"), dict) \
                and header.get("body") == [len(body), zlib.crc32(body)]:
            folders = header.get("folders")
            return header["files"], folders if isinstance(folders, list) else None, body
    except Exception:
        pass
    return {}, None, b""


def _kept(old: object, stamp: list[int], size: int) -> tuple[list[str], int, int] | None:
    """(definitions, start, end of the encoded index in a body of ``size`` bytes) of a header's
    file entry written for a file of this stamp, else None."""
    try:
        if old["stamp"] == stamp:  # type: ignore[index]
            definitions, (offset, length) = old["definitions"], old["at"]  # type: ignore[index]
            "".join(definitions)  # a TypeError unless every name is a str: one C loop, not a test per name
            if isinstance(definitions, list) and 0 <= offset < offset + length <= size:  # an index is never empty
                return definitions, offset, offset + length
    except Exception:  # an entry of another shape
        pass
    return None


def _serialized(stored: dict[str, tuple[list[int], list[str], bytes | memoryview]], folders: list[list]) -> bytes:
    files, indexes, offset = {}, [], 0
    for relative, (stamp, definitions, encoded) in stored.items():
        files[relative] = {"stamp": stamp, "definitions": definitions, "at": [offset, len(encoded)]}
        indexes.append(encoded)
        offset += len(encoded)
    body = b"".join(indexes)
    header = {"format": FORMAT, "body": [len(body), zlib.crc32(body)], "files": files, "folders": folders}
    return json.dumps(header, separators=(",", ":")).encode("utf-8") + b"\n" + body


_TREES: dict[tuple, OriginalTree] = {}
_RESOLVED: dict[str, str] = {}  # an absolute root as given -> resolved: a stat per folder, on every file


def may_align_file(facts: Facts, pairing: Pairing, source: str, path: str | None, root: SgNode | None = None,
                   python_tree: ast.Module | None = None) -> bool:
    """The pairs family's gate (``Family.gate``): whether a port file can align a call with a
    call of an original file. Every pairs rule reports a call aligned with an original call, so
    a file that aligns with no original file, or with one that holds no call the facts know
    (transformers' trainer.py), gets no finding of theirs. Before the parse (``root`` None), from
    its path and text (as alignment.may_align: never False for a file that aligns and parses), or
    exactly from Python's own parse of it when given (``python_tree``: flake8's); after it,
    exactly (align_file on its top-level names), so that a file the text could not rule out is
    still not walked for these rules. With Python's parse, a file is also left out when none of
    its calls lies where align() pairs calls (alignment.may_pair_calls)."""
    tree = original_tree(pairing.original, facts)
    # Python's parse first when there is one: its names cost a look at each top-level statement,
    # tree-sitter's a call into ast-grep for each (a thousand in mindnlp's generated modules).
    defined = defined_names_in_ast(python_tree)
    read_from_python = defined is not None
    if defined is None and root is not None:
        defined = defined_names(root)
    if defined is not None:
        relative = tree.file_for(path, defined, pairing.class_map)[0]
    else:
        by_path = align_by_path(path, tree.definitions, tree.files_named)
        if by_path is None:  # it may pair by the names it defines, which only a parse tells
            return may_align_by_names(source, tree.definitions, tree.lowered_names, dict(pairing.class_map),
                                      tree.by_name)
        relative = by_path[0]
    if relative is None or not tree.files[relative].calls:
        return False
    # Python's parse also shows where the port's calls are, so a file none of whose calls align()
    # would look at is not parsed for nothing (mindformers' two loss.py pair by their path with
    # transformers' esm/openfold_utils/loss.py, which has none of their classes and functions).
    # Only when its names were read there: they are ASCII then, written as the index has them.
    return not read_from_python or tree.calls_may_pair(python_tree, source, relative, pairing.class_map)


def original_tree(root: str, facts: Facts) -> OriginalTree:
    """The tree for this process: read once (flake8's workers each read it, from the cache)."""
    resolved = _RESOLVED.get(root)
    if resolved is None:
        resolved = str(Path(root).resolve())
        if os.path.isabs(root):  # a relative one follows the current directory
            _RESOLVED[root] = resolved
    key = (resolved, id(facts))
    if key not in _TREES:
        _TREES[key] = OriginalTree(root, facts)
    return _TREES[key]
