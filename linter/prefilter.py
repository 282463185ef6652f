"""Whether a rule may match a file, decided on its raw text before anything parses it.

Most files a linter sees never call what the rules are about, and a parse costs as much as the
rest of the engine, so each rule's ``Trigger`` (families/__init__.py) is tested on the text first:

- a top-level package the rule's names resolve through (``mindspore``) must be named somewhere
  in the text, or be a folder on the file's path (a package's own modules import it relatively);
- one of its words must be written as a whole name (``clipping`` and ``CLIPModel`` never count
  for ``clip``) in code, not in a comment or a string, and not as the name a ``def`` or ``class``
  defines: a call resolves to an API only through its name written somewhere in the module's
  code (a call, an import or an alias), and a definition of that name is the module's own;
- nor as ``X.word`` where the module binds ``X`` to one module of another package and to nothing
  else (every other place ``X`` is written is ``X.``, or the line ``import numpy as X``): that is
  the other package's attribute, no name of the rule's and no tensor's method;
- when the trigger says so, a regex must match right after that word (``Dropout(0.1``), unless
  it is imported under another name (``Dropout as Drop``: the call is then written ``Drop(``); the
  word may then end a longer name, as the call's structural matcher allows (``MyDropout(0.1``);
- when the trigger says so and the caller has Python's parse of the text (flake8's tree), not as
  a whole argument of a call (``_get_cache_prim(ArgMaxWithValue)``): a rule whose names are
  followed only through callees, assignments, attributes and imports never looks into one;
- given that parse, when the trigger names the shape a call's arguments must have (``calls``:
  a BatchNorm's momentum written out), only where the word may reach such a call
  (``FileText.reaches_call``); and not as a bare name that the module imports only from outside
  the rule's packages (``from .layers.compatibility import Dropout``: ``imported_from_elsewhere``).

Each substring test scans the whole text, so fewer of them is most of the speed: the words are
found through a shorter probe they contain (``Pool`` for the six pooling layers), one scan per
probe and file for all words and rules (``FileText``), each occurrence then compared in place. The
comments and strings are found by one regex scan, only as far into the file as an occurrence asks.

This module is all the flake8 plugin imports before a file passes (``Screen``): it must not import
ast-grep, the families, the semantic model or the YAML loader, and it holds no dataclass (the
``dataclasses`` module alone costs a few milliseconds on every editor save).
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left, bisect_right
from itertools import accumulate
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, Iterator

if TYPE_CHECKING:
    from .families import CallShapes, Trigger

STRING_PREFIX_LETTERS = frozenset("rRbBuUfFtT")
FORMATTED = frozenset("fFtT")  # an f-string's (or t-string's) {fields} are code
SHORTEST_PROBE = 4
NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")  # what a name begins with


# Comments and string literals, leftmost first, each consumed whole (so a `#` or a quote inside
# one is not read as the start of another). An unterminated string matches nothing: its text is
# then taken for code, which only keeps a file. A comment or a one-line string ends at a lone '\r'
# as well: Python (and flake8) end a line there. Compiled on first use: most files a process sees
# (an editor's one file) never need it.
@lru_cache(maxsize=None)
def non_code() -> re.Pattern:
    return re.compile(r'''#[^\r\n]*'''
                      r'''|"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""'''
                      r"""|'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''"""
                      r'''|"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*"'''
                      r"""|'[^'\\\r\n]*(?:\\.[^'\\\r\n]*)*'""", re.DOTALL)


# Right after a word (a dropout's name): a call with a positional first argument (`Dropout(0.1`, not
# `Dropout(p=0.1`, `Dropout()` or `Dropout(*args`), with spaces, line breaks, backslash
# continuations and comments allowed wherever Python allows them. Scanned by hand rather than by a
# regex: compiling the regex this replaces cost 2 M instructions (0.5 ms) in every process that
# met a dropout's name, and the scan of one call's opening takes microseconds
# (tests/test_prefilter.py compares the two on random texts).
class PositionalFirstArgument:
    pattern = "a call with a positional first argument"  # what messages call it, as re.Pattern's

    def match(self, source: str, position: int) -> bool | None:
        """Whether a call whose first argument is positional opens at ``position``: True or None,
        as ``re.Pattern.match`` answers a match or none."""
        position = after_separators(source, position)
        if not source.startswith("(", position):
            return None
        position = after_separators(source, position + 1)
        if position == len(source):
            return True  # the text ends inside the call: taken as a match, which only keeps a file
        char = source[position]
        if char in ")*\\":  # none, *args or **kwargs; a stray backslash
            return None
        if is_name_char(char) and not char.isdecimal():  # a name: `p=0.1` is a keyword
            end = after_separators(source, name_end(source, position + 1))
            if source.startswith("=", end) and not source.startswith("==", end):
                return None
        return True


def after_separators(source: str, position: int) -> int:
    """Past the spaces, line breaks, backslash continuations and comments that start at
    ``position``, as Python allows them between a call's tokens. A comment ends at a lone '\\r'
    as well as at '\\n' (Python, and flake8, end a line there); str.isspace is re's \\s."""
    end = len(source)
    while position < end:
        char = source[position]
        if char.isspace():
            position += 1
        elif char == "#":
            position = line_end(source, position)
        elif char == "\\" and source.startswith(("\n", "\r"), position + 1):
            position += 2  # a backslash, a line break (of "\r\n", the "\n" is then a space)
        else:
            break
    return position


_POSITIONAL_FIRST = PositionalFirstArgument()


def positional_first() -> PositionalFirstArgument:
    return _POSITIONAL_FIRST


def past_blanks(source: str, position: int) -> int:
    """Past the spaces and tabs that start at ``position`` (re's ``[ \\t]*``)."""
    while source.startswith((" ", "\t"), position):
        position += 1
    return position


def renamed_after(source: str, position: int) -> bool:
    """Whether `` as `` follows (`import Dropout as Drop`: the call is then `Drop(`): spaces or
    tabs, ``as``, a space or a tab."""
    after = past_blanks(source, position)
    return after > position and source.startswith(("as ", "as\t"), after)


# The three scans below each replace a regex (tests/test_prefilter.py compares them on random
# texts): compiling the three cost 1.7 M instructions (about 0.4 ms) in a process that checks a
# model file, and each scan reads a few characters.

def defines(source: str, start: int) -> bool:
    """Whether ``def`` or ``class`` (not ending a longer name or following a dot) and one or more
    spaces or tabs end at ``start``, all within the 16 characters before it."""
    low = max(0, start - 16)
    keyword_end = start
    while keyword_end > low and source[keyword_end - 1] in " \t":
        keyword_end -= 1
    if keyword_end == start:
        return False
    for keyword in ("def", "class"):
        begin = keyword_end - len(keyword)
        if begin >= low and source.startswith(keyword, begin):
            return begin == 0 or not (is_name_char(source[begin - 1]) or source[begin - 1] == ".")
    return False


def import_line_at(source: str, position: int) -> tuple[str, str | None, int] | None:
    """A line that imports one module under one name (`import numpy as np`, `import numpy`),
    starting at ``position``: (the module, its alias or None, where the statement and a comment
    after it end); None when no such import starts there. Blanks before it are allowed."""
    at = past_blanks(source, position)
    if not source.startswith("import", at):
        return None
    name = past_blanks(source, at + 6)
    if name == at + 6 or source[name:name + 1] not in NAME_START:
        return None
    end = name + 1
    while end < len(source) and (is_name_char(source[end]) or source[end] == "."):
        end += 1
    module, alias = source[name:end], None
    after = past_blanks(source, end)
    if source.startswith("as", after):  # never right after the module: the scan above took any letter
        alias_start = past_blanks(source, after + 2)
        if alias_start > after + 2 and source[alias_start:alias_start + 1] in NAME_START:
            end = name_end(source, alias_start + 1)
            alias = source[alias_start:end]
    end = past_blanks(source, end)
    if source.startswith("#", end):
        end = line_end(source, end)
    return module, alias, end


def star_import_in(source: str) -> bool:
    """Whether a star import may be written (``import`` and ``*``), or an import continued by a
    backslash that may be one (taken as one)."""
    at = source.find("import")
    while at >= 0:
        if source.startswith(("*", "\\"), past_blanks(source, at + 6)):
            return True
        at = source.find("import", at + 6)
    return False


# What a trigger may ask to follow its word, by name: a prefilter kept between runs
# (Prefilter.state) names its regex, which is then always one of these literals.
AFTER_WORD = {"positional first argument": positional_first}


class FileText:
    """One file's text as the prefilters ask about it; each answer is computed once."""

    def __init__(self, source: str, path: str | None = None, python_tree: ast.AST | None = None) -> None:
        self.source = source
        self.path = path
        self.python_tree = python_tree  # Python's parse of ``source`` (flake8's), when the caller has it
        self._places: _CallPlaces | None = None  # the parse's callees, arguments and assignments, when asked
        self._elsewhere: dict[tuple[str, tuple[str, ...]], bool] = {}  # imported_from_elsewhere's answers
        # The folders on the path, split at either separator (not by a regex: one fewer to compile).
        self._folders = frozenset(path.replace("\\", "/").split("/")[:-1]) if path else frozenset()
        self._contains: dict[str, bool] = {}
        self._names_any: dict[tuple[str, ...], bool] = {}
        self._bound_modules: dict[str, str | None] = {}
        self._star_import: bool | None = None  # whether a star import may bind any name; asked once
        self._occurrences: dict[str, list[int]] = {}
        self._scanner: Iterator[re.Match] | None = None
        self._scanned_to = 0  # every comment or string starting before this is in the lists
        self._starts: list[int] = []
        self._ends: list[int] = []

    @classmethod
    def of(cls, source: str, path: str | None = None, python_tree: ast.AST | None = None) -> FileText:
        """The FileText of these arguments, the last one made again when they are the same objects:
        the flake8 plugin's screen and then the engine ask about one file's text in turn (an
        editor's save), and the second asks with the first's answers."""
        last = _LAST_TEXT[0]
        if last is not None and last.source is source and last.python_tree is python_tree and last.path == path:
            return last
        text = _LAST_TEXT[0] = cls(source, path, python_tree)
        return text

    @staticmethod
    def forget() -> None:
        """Let go of the last text (and the parse it holds) once its file is done. Kept, it
        would live to the end of the process: in an editor's run, flake8's whole parse of the
        file, walked by every later collection and freed only at exit (docs/performance.md, 5s)."""
        _LAST_TEXT[0] = None

    def contains(self, text: str) -> bool:
        found = self._contains.get(text)
        if found is None:
            found = self._contains[text] = text in self.source
        return found

    def occurrences(self, probe: str) -> list[int]:
        """Where ``probe`` starts in the text: one scan per file, whichever rules ask."""
        found = self._occurrences.get(probe)
        if found is None:
            found = self._occurrences[probe] = []
            start = self.source.find(probe) if self.contains(probe) else -1
            while start >= 0:
                found.append(start)
                start = self.source.find(probe, start + 1)
        return found

    def names_package(self, package: str) -> bool:
        return self.contains(package) or package in self._folders

    def names_any(self, packages: list[str]) -> bool:
        """Whether the text names one of ``packages``: asked once per file for each prefilter's
        roots, which most prefilters share."""
        key = tuple(packages)
        found = self._names_any.get(key)
        if found is None:
            found = self._names_any[key] = any(self.names_package(package) for package in packages)
        return found

    def foreign_module_attribute(self, start: int, roots: list[str]) -> bool:
        """Whether the name at ``start`` is written as ``X.name``, X a bare name that the module
        binds to one module outside ``roots`` and to nothing else (``np.clip`` after ``import numpy
        as np``): an attribute of that module, so no name of a rule rooted there, and no tensor's
        method either (X is a module)."""
        source = self.source
        if start < 2 or source[start - 1] != ".":
            return False
        begin = _name_start(source, start - 1)
        if begin == start - 1 or source[begin].isdigit() or (begin > 0 and source[begin - 1] == "."):
            return False  # not after a bare name (`self.np.clip`, `x[0].clip`)
        module = self.module_bound_to(source[begin:start - 1])
        return module is not None and module.split(".", 1)[0] not in roots

    def imported_from_elsewhere(self, start: int, end: int, roots: list[str]) -> bool:
        """Whether the name that ends at ``end`` and holds ``start`` (``Dropout``, or
        ``PatchDropout`` where a trigger lets its word end a longer name), written bare (not
        ``X.name``), is bound in Python's parse of the text (flake8's) only by imports of it from
        modules outside ``roots`` (``from .layers.compatibility import Dropout``, ``from numpy
        import clip``), and no star import may bind it: the model resolves it only to that
        module's name (neither a rule's name nor a class of this module that subclasses one). A
        relative import counts as outside only where it stays relative for the model (no
        ``mindspore`` folder on the path: imports.mindspore_package). False without the parse,
        and when no line holding the name holds ``import`` (nothing to walk)."""
        source = self.source
        start = _name_start(source, start)
        if start > 0 and source[start - 1] == ".":
            return False
        key = (source[start:end], tuple(roots))
        found = self._elsewhere.get(key)
        if found is None:
            found = self._elsewhere[key] = self._imported_from_elsewhere(*key)
        return found

    def _imported_from_elsewhere(self, word: str, roots: tuple[str, ...]) -> bool:
        places = self._call_places()
        if places is None or not self._imports_on_a_line_of(word):
            return False
        if self.may_star_import():
            return False
        places.reads(word)
        binders = places.binders.get(word)
        if not binders:
            return False
        for binder in binders:
            if binder is None:
                return False  # bound some other way: an assignment, a def, a parameter...
            module, level = binder
            if (level and "mindspore" in self._folders) or (not level and module.split(".")[0] in roots):
                return False
        return True

    def _imports_on_a_line_of(self, word: str) -> bool:
        source = self.source
        start = source.find(word)
        while start >= 0:
            line_begin = line_start(source, start)
            line_end = source.find("\n", start)
            if "import" in source[line_begin:line_end if line_end >= 0 else len(source)]:
                return True
            start = source.find(word, start + len(word))
        return False

    def may_star_import(self) -> bool:
        """Whether a star import may bind any name here (asked once per text)."""
        if self._star_import is None:
            self._star_import = star_import_in(self.source)
        return self._star_import

    def module_bound_to(self, name: str) -> str | None:
        """The one module ``name`` is bound to wherever it is written in code, when every place it
        is written is ``name.`` (a use) or a line ``import M as name`` / ``import name`` naming the
        same module, and no star import may bind it too; else None. Any other place may bind it
        (an assignment, a parameter, a loop, ``from M import name``, ``with ... as name``...)."""
        if name not in self._bound_modules:
            self._bound_modules[name] = self._find_module_bound_to(name)
        return self._bound_modules[name]

    def _find_module_bound_to(self, name: str) -> str | None:
        source = self.source
        if self.may_star_import():
            return None
        modules: set[str] = set()
        start = source.find(name)
        while start >= 0:
            end = start + len(name)
            # `name.` is a use wherever it is written; only the other places need a closer look.
            if (_name_start(source, start) == start and not is_name_char(source[end:end + 1])
                    and source[end:end + 1] != "." and source[start - 1:start] != "." and self.in_code(start)):
                line = import_line_at(source, line_start(source, start))
                if line is None:
                    return None
                module, alias, statement_end = line
                if source[statement_end:statement_end + 1] not in ("", "\r", "\n") or (alias or module) != name:
                    return None
                modules.add(module)
            start = source.find(name, end)
        return modules.pop() if len(modules) == 1 else None

    def call_argument_ends_at(self, end: int) -> bool:
        """Whether, in Python's parse of the text, a name or an attribute that is a whole argument
        of a call (``f(X)``, ``f(k=m.X)``) ends at ``end``; False without the parse. Only the
        statements around that line are walked (_CallPlaces)."""
        places = self._call_places()
        position = self._tree_position(end)
        if places is None or position is None:
            return False
        places.on_line(position[0])
        place = places.at.get(position)
        return place is not None and place[1] is _ARGUMENT and place[2] is _WHOLE

    def reaches_call(self, word: str, end: int, shapes: CallShapes) -> bool:
        """Whether the name ``word``, ending at ``end``, may be the callee of a call whose own
        arguments have one of ``shapes`` (Trigger.calls), in Python's parse of the text, as the
        model follows a callee to its name (SemanticModel.qualified_name): the word is that callee
        (``nn.BatchNorm2d(c, momentum=0.1)``), or the whole value of an assignment to names or
        attributes one of which, written anywhere in the module, does (``norm = nn.BatchNorm2d``,
        then ``self.norm = norm`` and ``self.norm(c, momentum=0.1)``). As a whole argument of a
        call or an element of one (``isinstance(cell, (nn.BatchNorm2d, nn.LayerNorm))``), a
        parameter's default (``def f(c, norm=nn.BatchNorm2d)``: the model follows no callee
        through a parameter) or an operand of a comparison (``norm is None``) it reaches none.
        Anywhere else (a base class, a tuple, a return, an import) it may reach any call, and so
        it does without the parse."""
        places = self._call_places()
        position = self._tree_position(end)
        if places is None or position is None:
            return True
        places.on_line(position[0])
        # (identifier, where it ends, whether it is the word as written here, not a name followed to)
        pending, followed = [(word, position, True)], {word}
        while pending:
            identifier, position, written = pending.pop()
            place = places.at.get(position)
            if place is None or place[0] != identifier:
                return True  # any other place (or a parse whose positions are not the text's)
            _, kind, detail = place
            if kind is _CALLEE:
                if _has_shape(detail, shapes, identifier if written else None):
                    return True
            elif kind is _ASSIGNED:
                for name in detail:
                    if name not in followed:
                        followed.add(name)
                        pending.extend((name, use, False) for use in places.reads(name))
        return False

    def _call_places(self) -> _CallPlaces | None:
        if self._places is None and isinstance(self.python_tree, ast.Module):
            self._places = _CallPlaces(self.python_tree, self.source)
        return self._places

    def _tree_position(self, end: int) -> tuple[int, int] | None:
        """Where ``end`` is in Python's parse: (line, UTF-8 column); None where a lone '\r' would
        make the lines disagree."""
        places = self._places
        if places is None or places.lone_carriage_return:
            return None
        line = places.line_of(end)
        return line, len(self.source[places.line_starts[line - 1]:end].encode("utf-8"))

    def in_code(self, position: int) -> bool:
        """False when ``position`` is inside a comment or a string literal (not an f-string)."""
        if self._scanner is None:
            self._scanner = non_code().finditer(self.source)
        while self._scanned_to <= position:
            match = next(self._scanner, None)
            if match is None:
                self._scanned_to = len(self.source) + 1
                break
            start, self._scanned_to = match.span()
            # Most comments and strings have no prefix letter before them: no f-string to look for.
            if self.source[start - 1] not in STRING_PREFIX_LETTERS or not self._formatted(start):
                self._starts.append(start)
                self._ends.append(self._scanned_to)
        index = bisect_right(self._starts, position) - 1
        return index < 0 or position >= self._ends[index]

    def _formatted(self, start: int) -> bool:
        if not start or self.source[start] == "#" or self.source[start - 1] not in STRING_PREFIX_LETTERS:
            return False  # a comment, or a string without a prefix: most of them
        prefix = self.source[max(0, start - 2):start]
        while prefix and prefix[0] not in STRING_PREFIX_LETTERS:
            prefix = prefix[1:]
        return all(letter in STRING_PREFIX_LETTERS for letter in prefix) and not FORMATTED.isdisjoint(prefix)


_LAST_TEXT: list[FileText | None] = [None]  # FileText.of's: one file's text at a time

_CALLEE, _ARGUMENT, _DEFAULT, _COMPARED, _ASSIGNED = "callee", "argument", "default", "compared", "assigned"
_WHOLE, _ELEMENT = "whole", "element"  # an _ARGUMENT place's detail: the argument itself, or an element of it
_NAMED = (ast.Name, ast.Attribute)


class _CallPlaces:
    """Where a module's names and attributes end (line, UTF-8 column) -> (the identifier, its
    place, what the place holds), for those that are a call's callee (the call), a call's whole
    argument (or an element of a tuple or list that is one), a parameter's default, an operand of
    a comparison, or the whole value of an assignment to names and attributes (their
    identifiers); and identifier -> where it is read.

    Built line by line as words and names ask (``on_line``, ``reads``): the statements around a
    line are found by descending from the module through the blocks that hold it, and each
    statement is walked once (a compound one for its header only). A walk of the whole parse cost
    as much as the rest of the screen four times over (about 20 M instructions on a model file of
    400 lines), where a word reaches a few lines. A text that is not ASCII is walked whole at once:
    Python reads ``ｎorm`` as ``norm``, which a search of the text for ``norm`` would not find."""

    __slots__ = ("at", "uses", "binders", "line_starts", "lone_carriage_return", "_tree", "_source", "_walked",
                 "_lines", "_reads", "_whole")

    def __init__(self, tree: ast.Module, source: str) -> None:
        self.at: dict[tuple[int, int], tuple[str, str, object]] = {}
        self.uses: dict[str, list[tuple[int, int]]] = {}
        # identifier -> what binds it: (module, level) for `from module import identifier`, None
        # for anything else (an assignment, a def or class, a parameter, `import x`, `as x`...)
        self.binders: dict[str, list[tuple[str, int] | None]] = {}
        self._tree, self._source = tree, source
        self.line_starts = line_starts(source)  # for line_of
        # Python ends a line at a lone '\r' too: the parse's lines are then not these.
        self.lone_carriage_return = "\r" in source and source.count("\r") != source.count("\r\n")
        self._walked: set[int] = set()  # id() of each statement walked
        self._lines: set[int] = set()  # the lines whose statements are walked
        self._reads: set[str] = set()  # the identifiers whose every line is walked
        self._whole = not source.isascii()
        if self._whole:
            self._walk(tree)

    def on_line(self, line: int) -> None:
        """Index the statements around ``line``."""
        if not self._whole and line not in self._lines:
            self._lines.add(line)
            self._descend(self._tree.body, line)

    def reads(self, name: str) -> list[tuple[int, int]]:
        """Where ``name`` is read, as a name or an attribute, anywhere in the module."""
        if not self._whole and name not in self._reads:
            self._reads.add(name)
            source = self._source
            for start in whole_names(source, name):
                self.on_line(self.line_of(start))
        return self.uses.get(name, [])

    def line_of(self, offset: int) -> int:
        """The line (from 1) holding ``offset``."""
        return bisect_right(self.line_starts, offset)

    def _descend(self, block: list, line: int) -> None:
        """Walk the statements of ``block`` around ``line`` (their headers, then their own blocks)."""
        index = bisect_left(block, line, key=_last_line) if len(block) > 8 else 0
        for index in range(index, len(block)):  # not block[index:]: a copy of a long module's body each time
            node = block[index]
            first, last = _lines(node)
            if first > line:
                break
            if last < line:
                continue
            if id(node) not in self._walked:
                self._walked.add(id(node))
                self._walk(node, headers_only=True)
            for field in node._fields:
                value = getattr(node, field, None)
                if type(value) is list and value and isinstance(value[0], _BLOCK_ITEMS):
                    self._descend(value, line)

    def _walk(self, root: ast.AST, headers_only: bool = False) -> None:
        """Index every name and attribute under ``root``; with ``headers_only``, not under the
        blocks of statements it holds (a def's body, an if's branches...), which ``_descend`` reaches."""
        at, uses, binders = self.at, self.uses, self.binders
        name, attribute, load, call, compare = ast.Name, ast.Attribute, ast.Load, ast.Call, ast.Compare
        stack = [root]
        while stack:
            node = stack.pop()
            kind = type(node)
            if kind is name or kind is attribute:
                if type(node.ctx) is load:
                    uses.setdefault(_identifier(node), []).append((node.end_lineno, node.end_col_offset))
                elif kind is name:
                    binders.setdefault(node.id, []).append(None)
                if kind is name:
                    continue
            elif kind is ast.ImportFrom or kind is ast.Import:
                for alias in node.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    plain = kind is ast.ImportFrom and alias.asname is None
                    binders.setdefault(bound, []).append((node.module or "", node.level) if plain else None)
                continue
            elif kind is ast.arg:
                binders.setdefault(node.arg, []).append(None)
            elif kind is ast.Global or kind is ast.Nonlocal:
                for bound in node.names:
                    binders.setdefault(bound, []).append(None)
            elif kind is ast.MatchMapping and node.rest:
                binders.setdefault(node.rest, []).append(None)
            elif isinstance(getattr(node, "name", None), str):
                # def, class, `except E as name`, a match's capture, a type parameter
                binders.setdefault(node.name, []).append(None)
            elif kind is call:
                callee = node.func
                if isinstance(callee, _NAMED):
                    at[callee.end_lineno, callee.end_col_offset] = (_identifier(callee), _CALLEE, node)
                # A whole argument, or an element of a tuple or list that is one (`isinstance(m, (A, B))`).
                arguments = [(argument, _WHOLE) for argument in (*node.args, *(k.value for k in node.keywords))]
                while arguments:
                    argument, whole = arguments.pop()
                    if isinstance(argument, _NAMED):
                        at[argument.end_lineno, argument.end_col_offset] = (_identifier(argument), _ARGUMENT, whole)
                    elif type(argument) is ast.Tuple or type(argument) is ast.List:
                        arguments.extend((element, _ELEMENT) for element in argument.elts)
            elif kind is ast.arguments:
                # A parameter's default: the model resolves no callee through a parameter.
                for default in (*node.defaults, *node.kw_defaults):
                    if isinstance(default, _NAMED):
                        at[default.end_lineno, default.end_col_offset] = (_identifier(default), _DEFAULT, None)
            elif kind is compare:
                # A comparison's operands (`norm is None`) give a bool: no callee comes of them.
                for operand in (node.left, *node.comparators):
                    if isinstance(operand, _NAMED):
                        at[operand.end_lineno, operand.end_col_offset] = (_identifier(operand), _COMPARED, None)
            elif kind is ast.Assign or (kind is ast.AnnAssign and node.value is not None):
                targets = node.targets if kind is ast.Assign else [node.target]
                value = node.value
                if isinstance(value, _NAMED) and all(isinstance(target, _NAMED) for target in targets):
                    at[value.end_lineno, value.end_col_offset] = (
                        _identifier(value), _ASSIGNED, tuple(_identifier(target) for target in targets))
            for field in node._fields:
                value = getattr(node, field, None)
                if type(value) is list:
                    if value and not (headers_only and node is root and isinstance(value[0], _BLOCK_ITEMS)):
                        stack.extend(item for item in value if isinstance(item, ast.AST))
                elif isinstance(value, ast.AST) and not isinstance(value, ast.expr_context):
                    stack.append(value)


_BLOCK_ITEMS = (ast.stmt, ast.excepthandler, ast.match_case)  # what a block of statements lists


def _lines(node: ast.AST) -> tuple[int, int]:
    """The first and last line of a statement (its decorators included), an except clause or a case."""
    if type(node) is ast.match_case:
        return node.pattern.lineno, node.body[-1].end_lineno or node.pattern.lineno
    return _first_line(node), node.end_lineno or node.lineno


def _last_line(node: ast.AST) -> int:
    return _lines(node)[1]


def _identifier(node: ast.Name | ast.Attribute) -> str:
    return node.id if type(node) is ast.Name else node.attr


def _has_shape(call: ast.Call, shapes: CallShapes, written: str | None = None) -> bool:
    """Whether the call's own arguments have one of ``shapes`` (Trigger.calls), or may have:
    ``*args`` and ``**kwargs`` hide which it passes. A callee that is the trigger word ``written``
    (``nn.AvgPool2d``) is held to the shapes of the APIs spelled with it. A name followed to
    (``norm``) may be any of them: a binding may have made ``AvgPool2d`` any other API, and the
    word of that API's spelling is then followed to the call as such a name."""
    keywords = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            return True
        keywords[keyword.arg] = keyword.value
    if any(type(argument) is ast.Starred for argument in call.args):
        return True

    def argument(slot: tuple[int | None, str | None]) -> ast.expr | None:
        position, keyword = slot  # as views.DivergenceCall reads it: the position first
        return call.args[position] if position is not None and position < len(call.args) else keywords.get(keyword)

    def passes(slot: tuple[int | None, str | None], below: float | None) -> bool:
        value = argument(slot)
        return value is not None and (below is None or not _number_outside(value, below))

    named = [shape for shape in shapes if written in shape[0]] if written is not None else None
    return any((not one_of or any(passes(slot, below) for slot in one_of))
               and not any(passes(slot, None) for slot in none_of)
               for _, one_of, none_of, below in named or shapes)


def _number_outside(value: ast.expr, below: float) -> bool:
    """A number written out (``0.9``, ``-0.1``; not ``1 - 0.1``, not a name) outside [0, ``below``)."""
    sign = 1
    if type(value) is ast.UnaryOp and type(value.op) in (ast.USub, ast.UAdd):
        sign, value = (-1 if type(value.op) is ast.USub else 1), value.operand
    return (type(value) is ast.Constant and type(value.value) in (int, float)
            and not 0 <= sign * value.value < below)


class Prefilter:
    """One distinct (trigger, packages the rule's ``imports:`` asks for) pair, tested per file."""

    def __init__(self, trigger: Trigger | None, imports: frozenset[str] = frozenset(),
                 shared_probes: set[str] | None = None) -> None:
        self.trigger = trigger  # None when the rule's family cannot say: every file may match
        self.any_file = trigger is None
        self.imports = sorted(imports)
        words = trigger.words if trigger is not None else frozenset()
        self.words = sorted(words)
        probes = choose_probes(words, shared_probes)
        # probe -> (word, where the probe sits in the word): one scan of the probe finds them all
        self.probes: dict[str, list[tuple[str, int]]] = {}
        for word in self.words:
            self.probes.setdefault(probes[word], []).append((word, word.find(probes[word])))
        self.roots = sorted(trigger.roots) if trigger is not None and trigger.roots is not None else None
        self._after = trigger.after if trigger is not None else None
        self._after_name: str | None = None  # set instead of _after by from_state
        self.in_arguments = trigger.in_arguments if trigger is not None else True
        self.calls = trigger.calls if trigger is not None else None

    @property
    def after(self) -> re.Pattern | None:
        if self._after is None and self._after_name is not None:
            self._after = AFTER_WORD[self._after_name]()
        return self._after

    def state(self) -> tuple:
        """Plain values (``marshal`` writes them) from which ``from_state`` rebuilds this
        prefilter without the families that derived it."""
        after = self._after_name
        if self._after is not None:
            names = [name for name, pattern in AFTER_WORD.items() if pattern() is self._after]
            if not names:  # the screen is then not kept: each run checks the rules again
                raise ValueError(f"a trigger's 'after' is not in prefilter.AFTER_WORD: {self.after.pattern!r}")
            after = names[0]
        return (self.any_file, self.imports, self.words, self.probes, self.roots, after, self.in_arguments,
                self.calls)

    @classmethod
    def from_state(cls, state: tuple) -> Prefilter:
        any_file, imports, words, probes, roots, after, in_arguments, calls = state
        prefilter = cls.__new__(cls)
        prefilter.trigger = None  # the families' object is not kept: any_file says whether there was one
        prefilter.any_file = any_file
        prefilter.imports, prefilter.words, prefilter.roots = list(imports), list(words), roots
        prefilter.probes = {probe: [tuple(pair) for pair in pairs] for probe, pairs in probes.items()}
        prefilter._after, prefilter._after_name = None, after  # compiled when a word asks
        prefilter.in_arguments = in_arguments
        prefilter.calls = calls
        return prefilter

    def __reduce__(self) -> tuple:
        # Pickled (the engine's plan in the rule cache) as its plain state: a compiled regex would
        # be compiled again on every read; by name, only when a word asks for it.
        return Prefilter.from_state, (self.state(),)

    def names_packages(self, text: FileText) -> bool:
        """The first, cheap part of may_match: the text names the packages the rule's names resolve
        through (no probe is scanned yet)."""
        # Loops, not any() over generators: this runs for every prefilter on every file.
        for package in self.imports:
            if not text.names_package(package):
                return False
        return self.any_file or self.roots is None or text.names_any(self.roots)

    def may_match(self, text: FileText, calls: bool = True) -> bool:
        """Whether the rule may match the text; with ``calls`` False, without the test of the
        trigger's ``calls`` (a walk of Python's parse): the caller parses the file anyway."""
        if not self.names_packages(text):
            return False
        if self.any_file:
            return True
        for probe, words in self.probes.items():
            for start in text.occurrences(probe):
                for word, offset in words:
                    if self._written_in_code(word, start - offset, text, calls):
                        return True
        return False

    def _written_in_code(self, word: str, start: int, text: FileText, calls: bool = True) -> bool:
        """Whether ``word`` is written at ``start`` as the trigger asks, in code."""
        source = text.source
        if start < 0 or not source.startswith(word, start):
            return False
        end = start + len(word)
        return ((self.after is not None or not is_name_char(word[0]) or start == 0
                 or not is_name_char(source[start - 1]))
                and (not is_name_char(word[-1]) or end == len(source) or not is_name_char(source[end]))
                and (self.after is None or self.after.match(source, end) is not None
                     or renamed_after(source, end))
                and text.in_code(start) and not _defined(source, start)
                and not (self.roots is not None and text.foreign_module_attribute(start, self.roots))
                and not (self.roots is not None and text.imported_from_elsewhere(start, end, self.roots))
                and (self.in_arguments or not text.call_argument_ends_at(end))
                and (self.calls is None or not calls or text.reaches_call(word, end, self.calls)))


class Screen:
    """Whether any rule of a rule set may match a file: the engine's prefilters alone, which is
    all the flake8 plugin loads before a file passes them (rulecache.load_screen keeps them
    between runs, so a file no rule can match costs this and nothing else)."""

    def __init__(self, prefilters: list[Prefilter]) -> None:
        self.prefilters = prefilters

    def may_match(self, source: str, path: str | None = None, python_tree: ast.AST | None = None) -> bool:
        text = FileText.of(source, path, python_tree)
        # The prefilters that walk Python's parse (Trigger.calls) last, and only when no other keeps the file.
        return (any(prefilter.may_match(text) for prefilter in self.prefilters if prefilter.calls is None)
                or any(prefilter.may_match(text) for prefilter in self.prefilters if prefilter.calls is not None))

    def state(self) -> list[tuple]:
        return [prefilter.state() for prefilter in self.prefilters]

    @classmethod
    def from_state(cls, state: list[tuple]) -> Screen:
        return cls([Prefilter.from_state(item) for item in state])


def choose_probes(words: Iterable[str], shared: set[str] | None = None) -> dict[str, str]:
    """Word -> a substring of it (at least SHORTEST_PROBE characters, or the whole word) to look
    for first: few probes, each shared by as many of the words as it can be (greedy set cover;
    the longest of equally good probes, so that it is rarer). One rule's words are one family of
    names (the pooling layers), so what they share is their stem (``Pool``). A word holding a
    probe another rule already looks for (``shared``, which gains this rule's) takes that one:
    each probe is one scan of the text per file, whichever rules ask."""
    shared = shared if shared is not None else set()
    words = sorted(set(words))
    probes: dict[str, str] = {}
    for word in words:
        reused = [probe for probe in shared if probe in word]
        if reused:
            probes[word] = max(sorted(reused), key=len)
    words = [word for word in words if word not in probes]
    covers: dict[str, set[str]] = {}  # probe -> the words not yet covered that contain it
    inside: dict[str, list[str]] = {}  # word -> its probes
    for word in words:
        shortest = min(SHORTEST_PROBE, len(word))
        inside[word] = [word[start:end] for start in range(len(word) - shortest + 1)
                        for end in range(start + shortest, len(word) + 1)]
        for probe in inside[word]:
            covers.setdefault(probe, set()).add(word)
    while covers:
        # The probe covering most words, then the longest, then the first in sorted order: one
        # pass, not a sort per round (this runs whenever an engine is built).
        best = min(covers, key=lambda probe: (-len(covers[probe]), -len(probe), probe))
        shared.add(best)
        for word in list(covers[best]):
            probes[word] = best
            for probe in inside[word]:
                if probe in covers:
                    covers[probe].discard(word)
                    if not covers[probe]:
                        del covers[probe]
    return probes


def _first_line(statement: ast.stmt) -> int:
    return min([statement.lineno, *(decorator.lineno for decorator in getattr(statement, "decorator_list", ()))])


def _defined(source: str, start: int) -> bool:
    """Whether the name around ``start`` is the one a ``def`` or ``class`` statement defines."""
    return defines(source, _name_start(source, start))


def _name_start(source: str, position: int, low: int = 0) -> int:
    """Where the name that ``position`` is in (or just after) starts, not before ``low``:
    ``position`` itself when no name character comes before it."""
    while position > low and is_name_char(source[position - 1]):
        position -= 1
    return position


def name_ending_at(source: str, end: int, low: int) -> str:
    """The longest name (``[A-Za-z_]`` then word characters, as ``re``'s ``\\w`` counts them)
    ending at ``end`` and starting at ``low`` or after; "" when there is none. A loop over a few
    characters, not a regex: compiling one costs more than every file's use of it."""
    start = _name_start(source, end, low)
    while start < end and source[start] not in NAME_START:
        start += 1
    return source[start:end]


def line_start(source: str, position: int) -> int:
    """Where the line holding ``position`` starts: after a line feed or a carriage return, either
    of which ends a line for Python."""
    return max(source.rfind("\n", 0, position), source.rfind("\r", 0, position)) + 1


def line_end(source: str, position: int) -> int:
    """Where the line holding ``position`` ends: at its line feed or carriage return (either ends
    a line for Python), or at the end of the text."""
    found = [at for at in (source.find("\n", position), source.find("\r", position)) if at >= 0]
    return min(found, default=len(source))


def name_end(source: str, position: int) -> int:
    """Past the name characters that start at ``position``."""
    while position < len(source) and is_name_char(source[position]):
        position += 1
    return position


def is_name_char(character: str) -> bool:
    return character == "_" or character.isalnum()


def whole_names(text: str, name: str) -> Iterator[int]:
    """Where ``name`` is written in ``text`` as a whole identifier, not as part of a longer name."""
    start = text.find(name)
    while start >= 0:
        end = start + len(name)
        if not (start and is_name_char(text[start - 1])) and not (end < len(text) and is_name_char(text[end])):
            yield start
        start = text.find(name, end)


def line_starts(source: str) -> list[int]:
    """Where each line ('\n'-ended) starts: each line's length and its break, summed in C (no
    Python loop per line)."""
    return list(accumulate(map((1).__add__, map(len, source.split("\n"))), initial=0))[:-1]
