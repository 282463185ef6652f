"""Alignment: which original file, class and call each part of a port stands for (docs/port-pair.md).

- A port file pairs with the original file sharing the longest relative-path suffix (at least
  the file name), else with the original file that defines most of its top-level classes and
  functions (more than half, and more than any other file).
- Classes by name, then case-insensitively, then through the user's class map (torch=port); a
  name two port classes claim, or a pair whose ``__init__`` attributes are disjoint (the same name
  in another role), is no pair.
- Inside a class pair: ``__init__`` assignments by attribute name; ``Sequential`` /
  ``SequentialCell`` items by position; ``forward`` with ``construct`` and same-named methods,
  same-named top-level functions and the module's own code by the order of their calls: a
  longest common subsequence of the APIs they call (a call with no counterpart is a gap), kept
  only where every such alignment agrees (an ambiguous one is no pair).

A port call pairs with an original call only when the facts list the port's API as a
counterpart of the original's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from functools import lru_cache
from itertools import accumulate
from typing import TYPE_CHECKING

from ...prefilter import line_start, non_code
from ...records import Record
from .index import MODULE_SCOPE, Call, ClassIndex, ModuleIndex

if TYPE_CHECKING:
    import ast

METHOD_COUNTERPARTS = {"construct": "forward"}
LARGEST_TABLE = 1_000_000  # calls x calls: beyond it, a scope is left unaligned


class Alignment(Record):
    __slots__ = _fields = ("original", "file_reason", "classes", "calls")

    def __init__(self, original: str | None = None, file_reason: str = "",
                 classes: dict[str, tuple[str | None, str]] | None = None,
                 calls: dict[int, tuple[int, str]] | None = None) -> None:
        self.original = original  # the original file's relative path
        self.file_reason = file_reason
        self.classes = {} if classes is None else classes  # port -> (original, why)
        self.calls = {} if calls is None else calls  # port call -> (original call, how)


def path_parts(path: str) -> tuple[str, ...]:
    """A path's folders and file name, at either separator, without empty or "." parts (split, not
    PurePath: asked for every file the gate sees)."""
    return tuple(part for part in path.replace("\\", "/").split("/") if part not in ("", "."))


# A lowered name -> the one file defining it (most names), or the set of those several define. A
# string is no object for Python's collector to walk (a set is): timm's 1,719 names, kept alive
# for the rest of flake8's process, walked by every full collection of its heap.
NameIndex = Mapping[str, "str | set[str]"]


def defining_files(definitions: Mapping[str, Set[str]]) -> dict[str, str | set[str]]:
    """Each top-level name of the originals, lowered -> the files defining it (in any case): the
    file itself when it is the only one (``files_defining`` reads either)."""
    found: dict[str, str | set[str]] = {}
    for relative, names in definitions.items():
        for name in names:
            lowered = name.lower()
            files = found.get(lowered)
            if files is None:
                found[lowered] = relative
            elif isinstance(files, set):
                files.add(relative)
            elif files != relative:
                found[lowered] = {files, relative}
    return found


def files_defining(by_name: NameIndex, lowered: str) -> Iterable[str]:
    """The files ``defining_files`` gives for a lowered name (none when no file defines it)."""
    files = by_name.get(lowered, ())
    return (files,) if isinstance(files, str) else files


def align_file(port_path: str | None, wanted: Set[str], definitions: Mapping[str, Set[str]],
               class_map: dict[str, str], by_name: NameIndex | None = None,
               files_named: Mapping[str, Sequence[str]] | None = None) -> tuple[str | None, str]:
    """The original file a port file pairs with, and why (or None, and why not). ``wanted``: the
    port's top-level classes and functions (its index's ``definitions``); ``definitions``: each
    original file's, by relative path ("/"-separated, no empty or "." part, as
    originals.python_files writes it); ``by_name`` and ``files_named``: ``defining_files`` and
    ``files_by_name`` of them, when kept."""
    by_path = align_by_path(port_path, definitions, files_named)
    if by_path is not None:
        return by_path
    if not wanted:
        return None, "no original file shares its path, and it defines no class or function"
    # A file's score: how many of the port's names it defines, in any case or as the class map
    # renames them. Counted from the names, not the files: a tree of 1,500 files, on each check.
    by_name = defining_files(definitions) if by_name is None else by_name
    scores = _shared_by_file(wanted, definitions, by_name, {port: torch for torch, port in class_map.items()})
    top = max(scores.values(), default=0)
    winners = [relative for relative, score in scores.items() if score == top]
    if top == 0:
        return None, "no original file shares its path or defines its classes and functions"
    if 2 * top <= len(wanted):
        return None, f"no original file defines most of its classes and functions (at best {top} of {len(wanted)})"
    if len(winners) > 1:
        return None, f"ambiguous: {', '.join(sorted(winners)[:3])} define as many of its classes and functions"
    return winners[0], f"defines {top} of its {len(wanted)} classes and functions"


def align_by_path(port_path: str | None, definitions: Iterable[str],
                  files_named: Mapping[str, Sequence[str]] | None = None) -> tuple[str, str] | None:
    """The one original file sharing the longest relative-path suffix with the port (at least its
    file name), and why; None when none or several do. ``files_named``: the original files by file
    name (``files_by_name(definitions)``), when kept: then only those are compared."""
    if not port_path:
        return None
    parts = path_parts(port_path)
    if not parts:
        return None
    name, below = parts[-1], "/" + parts[-1]
    best, found = 0, []
    for relative in definitions if files_named is None else files_named.get(name, ()):
        if relative != name and not relative.endswith(below):
            continue  # no common suffix: most of a big tree, told apart without splitting the path
        # split, not PurePath: a hundred original paths on each editor save, PurePath's parse 0.3 ms
        length = _common_suffix(parts, tuple(relative.split("/")))
        if length > best:
            best, found = length, [relative]
        elif length == best:  # every file left shares at least the file name: length >= 1
            found.append(relative)
    return (found[0], f"shares the path suffix {'/'.join(parts[-best:])}") if len(found) == 1 else None


def files_by_name(definitions: Iterable[str]) -> dict[str, list[str]]:
    """Each original file's name -> the relative paths ending in it, in the tree's order."""
    found: dict[str, list[str]] = {}
    for relative in definitions:
        found.setdefault(relative.rsplit("/", 1)[-1], []).append(relative)
    return found


# Every name a `def` or `class` may define, wherever it sits in the text (in strings and methods
# too, after another word's "def", with a backslash continuation before the name): more than the
# top-level names a parse finds, never fewer, whatever tree-sitter makes of the indentation. A
# non-ASCII character is taken as part of a name (Python allows more of them than \w matches).
# One pattern per keyword, each starting with its literal, rather than one with (?:def|class):
# re then looks for the literal alone instead of trying every position, three times faster.
# Compiled on first use, as the one below (0.5 ms): under flake8 the gate reads Python's parse.
@lru_cache(maxsize=None)
def defined_names_patterns() -> tuple[re.Pattern, re.Pattern]:
    return (re.compile(r"def(?:[ \t\f]|\\(?:\r\n?|\n))+((?:[^\W\d]|[^\x00-\x7f])(?:\w|[^\x00-\x7f])*)"),
            re.compile(r"class(?:[ \t\f]|\\(?:\r\n?|\n))+((?:[^\W\d]|[^\x00-\x7f])(?:\w|[^\x00-\x7f])*)"))


# What may precede a `def` or `class` at the start of a line in a top-level definition.
@lru_cache(maxsize=None)
def line_start_prefix() -> re.Pattern:
    return re.compile(r"\f*(?:async[ \t\f]+)?")


def may_align(port_path: str | None, source: str, definitions: Mapping[str, Set[str]], lowered_names: Set[str],
              class_map: dict[str, str], files_named: Mapping[str, Sequence[str]] | None = None,
              by_name: NameIndex | None = None) -> bool:
    """Whether ``align_file`` can pair this port file with any original file, from its path and
    text alone, before any parse. False only when no original shares its path suffix and no
    original file defines (in any case, or through the class map) one of the names the text may
    define (any ``def`` or ``class``: never fewer than the parse finds); given ``by_name``, also
    when none defines more of them than the line-start definitions it does not define (the
    file's top-level ones, if it parses). ``lowered_names``: every original's top-level names,
    lowered."""
    return (align_by_path(port_path, definitions, files_named) is not None
            or may_align_by_names(source, definitions, lowered_names, class_map, by_name))


def may_align_by_names(source: str, definitions: Mapping[str, Set[str]], lowered_names: Set[str],
                       class_map: dict[str, str], by_name: NameIndex | None = None) -> bool:
    """``may_align`` for a file that shares no original's path suffix: by the names its text may
    define alone."""
    renamed = {port: torch for torch, port in class_map.items()}
    found = [match for pattern in defined_names_patterns() for match in pattern.finditer(source)]
    if not any(match.group(1).lower() in lowered_names or renamed.get(match.group(1), "").lower() in lowered_names
               for match in found):
        return False
    if by_name is None:
        return True
    # align_file pairs file f only if 2 * shared(f) > |defined|, where the defined names hold the
    # top-level ones found here (top) and lie within the text's (possible): then
    # shared_possible(f) + shared_top(f) > |top|, for at least one file.
    possible = {match.group(1) for match in found}
    top = _top_level_names(source, found)
    shared_possible = _shared_by_file(possible, definitions, by_name, renamed)
    shared_top = _shared_by_file(top, definitions, by_name, renamed)
    return any(count + shared_top.get(relative, 0) > len(top) for relative, count in shared_possible.items())


def _shared_by_file(names: Iterable[str], definitions: Mapping[str, Set[str]], by_name: NameIndex,
                    renamed: Mapping[str, str]) -> dict[str, int]:
    """Original file -> how many of ``names`` it defines, as align_file counts them (in any case,
    or as the class map renames them); files defining none are left out."""
    scores: dict[str, int] = {}
    for name in names:
        files = set(files_defining(by_name, name.lower()))
        torch = renamed.get(name)
        if torch is not None:
            files.update(relative for relative in files_defining(by_name, torch.lower())
                         if torch in definitions[relative])
        for relative in files:
            scores[relative] = scores.get(relative, 0) + 1
    return scores


def _top_level_names(source: str, found: list[re.Match]) -> set[str]:
    """The names of ``found`` (matches of defined_names_patterns) whose keyword starts a line
    (after form feeds or ``async``) outside every comment and string, f-strings included: in a file that
    parses, each is a top-level class or function (the string scan is prefilter.non_code's; only
    a Python 3.12 f-string nesting its own triple quotes could fool it)."""
    starts = []
    for match in found:
        if line_start_prefix().fullmatch(source, line_start(source, match.start()), match.start()):
            starts.append((match.start(), match.group(1)))
    names: set[str] = set()
    literals = non_code().finditer(source)
    literal = next(literals, None)
    for start, name in sorted(starts):
        while literal is not None and literal.end() <= start:
            literal = next(literals, None)
        if literal is None or start < literal.start():
            names.add(name)
    return names


def _common_suffix(left: tuple[str, ...], right: tuple[str, ...]) -> int:
    length = 0
    while length < min(len(left), len(right)) and left[-1 - length] == right[-1 - length]:
        length += 1
    return length


def align_classes(port: ModuleIndex, original: ModuleIndex,
                  class_map: dict[str, str]) -> dict[str, tuple[str | None, str]]:
    renamed = {port_name: torch for torch, port_name in class_map.items()}
    lowered = _classes_by_lowered_name(original)
    chosen = {name: _original_class(name, original, renamed, lowered) for name in port.classes}
    claimed: dict[str, int] = {}
    for torch, _ in chosen.values():
        if torch is not None:
            claimed[torch] = claimed.get(torch, 0) + 1
    for name, (torch, why) in list(chosen.items()):
        if torch is None:
            continue
        if claimed[torch] > 1:
            chosen[name] = None, f"ambiguous: several port classes stand for {torch}"
        elif why != "class map" and _other_role(port.classes[name], original.classes[torch]):
            chosen[name] = None, f"{torch} has none of its attributes (the same name in another role)"
    return chosen


class Reach:
    """What ``align`` reads of a port module aligned with ``original``, before the port is
    indexed (index_module's ``reach``): the calls of the top-level classes align_classes may
    pair (their attributes, and the methods the original class also has), of the top-level
    functions the original also has, and of the module's other statements when the original has
    calls there. Every other scope's calls are never compared, so the port's index need not
    resolve them (pvtv2.py's six classes and seven functions: three methods and one other)."""

    def __init__(self, original: ModuleIndex, class_map: Mapping[str, str]) -> None:
        self.original = original
        self.renamed = {port: torch for torch, port in class_map.items()}
        self.lowered = _classes_by_lowered_name(original)

    def counterpart(self, name: str) -> ClassIndex | None:
        """The original class a port class may pair with (align_classes may still drop it)."""
        torch = _original_class(name, self.original, self.renamed, self.lowered)[0]
        return self.original.classes[torch] if torch is not None else None

    def method(self, counterpart: ClassIndex, name: str) -> bool:
        return METHOD_COUNTERPARTS.get(name, name) in counterpart.methods

    def function(self, name: str) -> bool:
        """A top-level function's, or (MODULE_SCOPE) the module's other statements'."""
        return name in self.original.functions


def _classes_by_lowered_name(original: ModuleIndex) -> dict[str, list[str]]:
    lowered: dict[str, list[str]] = {}
    for name in original.classes:
        lowered.setdefault(name.lower(), []).append(name)
    return lowered


def _original_class(name: str, original: ModuleIndex, renamed: Mapping[str, str],
                    lowered: Mapping[str, list[str]]) -> tuple[str | None, str]:
    """The original class a port class stands for, and why, before align_classes drops the
    ambiguous ones and those in another role: through the class map (``renamed``: port -> torch),
    by name, or by the one original class of that name in another case (``lowered``)."""
    if renamed.get(name) in original.classes:
        return renamed[name], "class map"
    if name in original.classes:
        return name, "same name"
    if len(lowered.get(name.lower(), [])) == 1:
        return lowered[name.lower()][0], "same name, other case"
    return None, "no original class of that name"


def may_pair_calls(module: ast.Module, source: str, original: ModuleIndex, class_map: Mapping[str, str],
                   words: frozenset[str]) -> bool:
    """Whether ``align`` may pair a call of this port module (Python's parse of ``source``) with a
    call of ``original``. It pairs calls only in the methods of a top-level class that
    align_classes pairs (through the class map, by name, or by the one original class of that name
    in another case) which the original class also has with a call in it (``__init__``'s
    attribute assignments among them), in a top-level function the original also has with a call
    in it, or among the module's other statements when the original has calls there
    (_pairing_places); and a port index keeps only calls whose callee's name is one of ``words``
    (index.port_call_words). False only when no line of such a place holds one of the words ending
    a name, as every such callee is written; a word in a comment, a string or a name that is not
    called still counts."""
    places = _pairing_places(module, original, class_map)
    if not places or "\r" in source:  # lines counted at "\n" alone below: Python also ends one at "\r"
        return bool(places)
    # The text of the places, not Python's tree: a walk of the tree costs about 1 µs a node
    # (modeling_utils.py's pairing classes hold 5,700), a search of their lines a few ns a character.
    starts = list(accumulate((len(line) + 1 for line in source.split("\n")), initial=0))
    return any(_ends_a_name(source, word, starts[place.lineno - 1], starts[place.end_lineno])
               for place in places for word in words)


def _ends_a_name(source: str, word: str, start: int, end: int) -> bool:
    """Whether ``word`` is written in ``source[start:end]`` at the end of a name (or as all of it)."""
    at = source.find(word, start, end)
    while at != -1:
        following = source[at + len(word):at + len(word) + 1]
        if following != "_" and not following.isalnum():
            return True
        at = source.find(word, at + 1, end)
    return False


def _pairing_places(module: ast.Module, original: ModuleIndex, class_map: Mapping[str, str]) -> list[ast.stmt]:
    """The statements whose calls ``align`` may pair with ``original``'s: the methods of a
    top-level class that align_classes may pair whose name (or its torch counterpart) the original
    class has with a call in it (``__init__`` among them, whose attribute assignments pair by
    attribute), the top-level functions the original has with a call in them, and the module's
    other statements when the original has calls there: only calls the original's index kept
    (calls of the APIs the facts know) can be paired with."""
    import ast  # loaded already: whoever built the module imported it

    renamed = {port: torch for torch, port in class_map.items()}
    lowered = _classes_by_lowered_name(original)
    places, loose = [], []
    for statement in module.body:
        if isinstance(statement, ast.ClassDef):
            torch = _original_class(statement.name, original, renamed, lowered)[0]
            if torch is not None:
                theirs = original.classes[torch]
                places.extend(method for method in statement.body
                              if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef))
                              and _holds_a_call(theirs, method.name))
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if original.functions.get(statement.name):
                places.append(statement)
        else:
            loose.append(statement)
    return places + loose if MODULE_SCOPE in original.functions else places


def _holds_a_call(original: ClassIndex, method: str) -> bool:
    """Whether the original class's counterpart of a port method holds a call ``align`` may pair
    with: among the method's own calls, or for ``__init__`` among its attribute assignments and
    containers (an original class with those has an ``__init__`` among its methods). A method
    that only raises (transformers' ``GenerationMixin.prepare_inputs_for_generation``) has none."""
    counterpart = METHOD_COUNTERPARTS.get(method, method)
    if counterpart not in original.methods:
        return False
    return bool(original.methods[counterpart]) or (method == "__init__" and (
        any(call is not None for calls in original.attributes.values() for call in calls)
        or any(item is not None for containers in original.containers.values() for items in containers
               for item in items)))


def _other_role(port: ClassIndex, original: ClassIndex) -> bool:
    mine = set(port.attributes) | set(port.containers)
    theirs = set(original.attributes) | set(original.containers)
    return bool(mine) and bool(theirs) and not mine & theirs


def align(port_path: str | None, port: ModuleIndex, originals: Mapping[str, ModuleIndex], class_map: dict[str, str],
          compatible: Callable[[Call, Call], bool], chosen: tuple[str | None, str] | None = None) -> Alignment:
    """Everything a port module aligns with in the original tree. ``chosen``: align_file's answer,
    when it is already known (OriginalTree.file_for, from the tree's kept names, without reading
    every file's index); by default it is taken from ``originals``."""
    if chosen is None:
        definitions = {relative: index.definitions for relative, index in originals.items()}
        chosen = align_file(port_path, port.definitions, definitions, class_map)
    relative, reason = chosen
    found = Alignment(relative, reason)
    if relative is None:
        return found
    original = originals[relative]
    found.classes = align_classes(port, original, class_map)

    def pair(mine: int, theirs: int, how: str) -> None:
        if compatible(port.calls[mine], original.calls[theirs]):
            found.calls[mine] = theirs, how

    for name, (torch, _) in found.classes.items():
        if torch is None:
            continue
        mine, theirs = port.classes[name], original.classes[torch]
        # An attribute assigned in several branches pairs assignment by assignment, when both
        # sides assign it as often.
        for attribute, calls in mine.attributes.items():
            other = theirs.attributes.get(attribute, [])
            if len(other) == len(calls):
                for a, b in zip(calls, other):
                    if a is not None and b is not None:
                        pair(a, b, f"attribute {attribute}")
        for attribute, containers in mine.containers.items():
            others = theirs.containers.get(attribute, [])
            if len(others) != len(containers):
                continue
            for items, other in zip(containers, others):
                if len(other) == len(items):
                    for position, (a, b) in enumerate(zip(items, other)):
                        if a is not None and b is not None:
                            pair(a, b, f"{attribute}[{position}]")
                else:
                    _sequence(found, port, original, [i for i in items if i is not None],
                              [i for i in other if i is not None], compatible, f"items of {attribute}")
        for method, calls in mine.methods.items():
            counterpart = METHOD_COUNTERPARTS.get(method, method)
            if counterpart in theirs.methods:
                _sequence(found, port, original, calls, theirs.methods[counterpart], compatible,
                          f"order in {method}")
    for function, calls in port.functions.items():
        if function in original.functions:
            how = "order in the module's code" if function == MODULE_SCOPE else f"order in {function}"
            _sequence(found, port, original, calls, original.functions[function], compatible, how)
    return found


def _sequence(found: Alignment, port: ModuleIndex, original: ModuleIndex, mine: list[int], theirs: list[int],
              compatible: Callable[[Call, Call], bool], how: str) -> None:
    mine = [index for index in mine if index not in found.calls]
    taken = {theirs for theirs, _ in found.calls.values()}
    theirs = [index for index in theirs if index not in taken]
    for a, b in common_subsequence(mine, theirs, lambda x, y: compatible(port.calls[x], original.calls[y])):
        found.calls[a] = b, how


def common_subsequence(left: list, right: list, match: Callable[[object, object], bool]) -> list[tuple]:
    """The pairs that every longest common subsequence makes: an item that could pair with either
    of two equal neighbours (on either side) pairs with neither.

    A matching cell (i, j) lies on a longest alignment when the alignments before and after it add
    up to the longest, and then it is that alignment's k-th pair, k = 1 + the longest alignment of
    what comes before it. Every longest alignment has exactly one k-th pair, so a cell is in all of
    them exactly when no other cell can be their k-th pair."""
    n, m = len(left), len(right)
    if not n or not m or n * m > LARGEST_TABLE:
        return []
    same = [[match(a, b) for b in right] for a in left]
    suffix = [[0] * (m + 1) for _ in range(n + 1)]  # longest alignment of left[i:], right[j:]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            suffix[i][j] = suffix[i + 1][j + 1] + 1 if same[i][j] else max(suffix[i + 1][j], suffix[i][j + 1])
    prefix = [[0] * (m + 1) for _ in range(n + 1)]  # longest alignment of left[:i], right[:j]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            prefix[i][j] = prefix[i - 1][j - 1] + 1 if same[i - 1][j - 1] else max(prefix[i - 1][j], prefix[i][j - 1])
    cells_by_rank: dict[int, list[tuple[int, int]]] = {}
    for i in range(n):
        for j in range(m):
            if same[i][j] and prefix[i][j] + 1 + suffix[i + 1][j + 1] == suffix[0][0]:
                cells_by_rank.setdefault(prefix[i][j], []).append((i, j))
    return [(left[cells[0][0]], right[cells[0][1]]) for _, cells in sorted(cells_by_rank.items()) if len(cells) == 1]
