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
from collections.abc import Callable, Iterable, Mapping, Set
from pathlib import PurePath

from ...records import Record
from .index import MODULE_SCOPE, Call, ClassIndex, ModuleIndex

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
    return tuple(part for part in PurePath(path.replace("\\", "/")).parts if part not in ("", ".", "/"))


def align_file(port_path: str | None, port: ModuleIndex, definitions: Mapping[str, Set[str]],
               class_map: dict[str, str]) -> tuple[str | None, str]:
    """The original file a port file pairs with, and why (or None, and why not); ``definitions``:
    each original file's top-level classes and functions, by relative path ("/"-separated, no
    empty or "." part, as originals.python_files writes it)."""
    by_path = align_by_path(port_path, definitions)
    if by_path is not None:
        return by_path
    wanted = port.definitions
    if not wanted:
        return None, "no original file shares its path, and it defines no class or function"
    scores = {relative: _defined(wanted, theirs, class_map) for relative, theirs in definitions.items()}
    top = max(scores.values(), default=0)
    winners = [relative for relative, score in scores.items() if score == top]
    if top == 0:
        return None, "no original file shares its path or defines its classes and functions"
    if 2 * top <= len(wanted):
        return None, f"no original file defines most of its classes and functions (at best {top} of {len(wanted)})"
    if len(winners) > 1:
        return None, f"ambiguous: {', '.join(sorted(winners)[:3])} define as many of its classes and functions"
    return winners[0], f"defines {top} of its {len(wanted)} classes and functions"


def align_by_path(port_path: str | None, definitions: Iterable[str]) -> tuple[str, str] | None:
    """The one original file sharing the longest relative-path suffix with the port (at least its
    file name), and why; None when none or several do."""
    if not port_path:
        return None
    parts = path_parts(port_path)
    if not parts:
        return None
    name, below = parts[-1], "/" + parts[-1]
    best, found = 0, []
    for relative in definitions:
        if relative != name and not relative.endswith(below):
            continue  # no common suffix: most of a big tree, told apart without splitting the path
        # split, not PurePath: a hundred original paths on each editor save, PurePath's parse 0.3 ms
        length = _common_suffix(parts, tuple(relative.split("/")))
        if length > best:
            best, found = length, [relative]
        elif length == best:  # every file left shares at least the file name: length >= 1
            found.append(relative)
    return (found[0], f"shares the path suffix {'/'.join(parts[-best:])}") if len(found) == 1 else None


# Every name a `def` or `class` may define, wherever it sits in the text (in strings and methods
# too, after another word's "def", with a backslash continuation before the name): more than the
# top-level names a parse finds, never fewer, whatever tree-sitter makes of the indentation. A
# non-ASCII character is taken as part of a name (Python allows more of them than \w matches).
# No look-behind for the keyword: it made re try every position, three times slower.
DEFINED_NAME = re.compile(r"(?:def|class)(?:[ \t\f]|\\(?:\r\n?|\n))+((?:[^\W\d]|[^\x00-\x7f])(?:\w|[^\x00-\x7f])*)")


def may_align(port_path: str | None, source: str, definitions: Mapping[str, Set[str]], lowered_names: Set[str],
              class_map: dict[str, str]) -> bool:
    """Whether ``align_file`` can pair this port file with any original file, from its path and
    text alone, before any parse: False only when no original shares its path suffix and no
    original defines a name the text may define (in any case, or through the class map), so that
    ``align_file`` would find no file. ``lowered_names``: every original's top-level names,
    lowered."""
    if align_by_path(port_path, definitions) is not None:
        return True
    renamed = {port: torch for torch, port in class_map.items()}
    return any(name.lower() in lowered_names or renamed.get(name, "").lower() in lowered_names
               for name in DEFINED_NAME.findall(source))


def _common_suffix(left: tuple[str, ...], right: tuple[str, ...]) -> int:
    length = 0
    while length < min(len(left), len(right)) and left[-1 - length] == right[-1 - length]:
        length += 1
    return length


def _defined(names: set[str], theirs: Set[str], class_map: dict[str, str]) -> int:
    lowered = {name.lower() for name in theirs}
    renamed = {port: torch for torch, port in class_map.items()}
    return sum(1 for name in names if name in theirs or name.lower() in lowered or renamed.get(name) in theirs)


def align_classes(port: ModuleIndex, original: ModuleIndex,
                  class_map: dict[str, str]) -> dict[str, tuple[str | None, str]]:
    renamed = {port_name: torch for torch, port_name in class_map.items()}
    lowered: dict[str, list[str]] = {}
    for name in original.classes:
        lowered.setdefault(name.lower(), []).append(name)
    chosen: dict[str, tuple[str | None, str]] = {}
    for name in port.classes:
        if renamed.get(name) in original.classes:
            chosen[name] = renamed[name], "class map"
        elif name in original.classes:
            chosen[name] = name, "same name"
        elif len(lowered.get(name.lower(), [])) == 1:
            chosen[name] = lowered[name.lower()][0], "same name, other case"
        else:
            chosen[name] = None, "no original class of that name"
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


def _other_role(port: ClassIndex, original: ClassIndex) -> bool:
    mine = set(port.attributes) | set(port.containers)
    theirs = set(original.attributes) | set(original.containers)
    return bool(mine) and bool(theirs) and not mine & theirs


def align(port_path: str | None, port: ModuleIndex, originals: Mapping[str, ModuleIndex], class_map: dict[str, str],
          compatible: Callable[[Call, Call], bool], definitions: Mapping[str, Set[str]] | None = None) -> Alignment:
    """Everything a port module aligns with in the original tree. ``definitions`` (each original
    file's top-level names, as OriginalTree keeps them) chooses the file without reading every
    file's index; by default they are taken from ``originals``."""
    if definitions is None:
        definitions = {relative: index.definitions for relative, index in originals.items()}
    relative, reason = align_file(port_path, port, definitions, class_map)
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
