"""Only the definitions the rules can reach, parsed: a file's text with the body of each top-level
``def`` and ``class`` that no active rule can reach replaced by ``...``.

Tree-sitter's parse is the largest part of checking a file (about 1,250 instructions a byte), and
in a model file the clipping rules keep for one clip call most of the module is classes those
rules never read. Given Python's parse of the text (flake8's), ``reachable_source`` cuts them out
before ours. Every kept line keeps its number and every kept character its column.

The cut text only ever shows that a file has nothing to report: a check of it that finds anything
is done again on the whole text (``Engine._check``), so every message, fix and fix hazard (which
counts a module-level name's reads everywhere) is the whole file's. What must be kept is what a
finding's existence can depend on. The cut is made only for files whose active rules all belong
to families whose analysis reads beyond the definition a match sits in through names alone
(``Family.helper_words`` set: the clipping family), and a definition is kept when:

- its text holds one of the active rules' words, or a ``global`` (it binds a module-level name);
- it imports in a class's body (which binds the name in the module's scope, for the model), or
  imports, in a function, a package that the active rules' ``imports:`` conditions ask for and
  no module-level import names (those conditions read every import in the file);
- it is a base of a kept class (what its methods set on ``self``);
- it derives from a kept class other than one kept only as another's base (a match in it
  resolves ``self.clip`` through what its bases set);
- it passes, as a call's first argument, the name of a function defined anywhere in kept code, or
  of what one is registered on (``hyper_map(F.partial(clip_grad, C), grads)``: what the helper's
  parameters receive);
- it holds one of the families' helper words (a parameter writer) and defines a function whose
  name kept code passes as a call's first argument (which mapped helpers write parameters);
- it names a module-level name bound by a statement that holds a word, or that reads such a
  name (a clip's result read by an optimizer; a gradient function called there).

Names are compared as identifiers in the definitions' text, comments and strings included:
anything that could be a read counts. Module-level statements are never cut.
"""

from __future__ import annotations

import ast
from typing import Callable, Iterable

from .prefilter import line_starts, name_end, whole_names

DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
IMPORTS = (ast.Import, ast.ImportFrom)
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


class _Definition:
    """One top-level def or class: its whole text (decorators to its last line), and what it
    names, each found when first asked."""

    __slots__ = ("node", "last", "text", "_helpers")

    def __init__(self, node: ast.AST, last: int, text: str) -> None:
        self.node = node
        self.last = last  # the offset of the end of its last line
        self.text = text
        self._helpers: set[str] | None = None

    @property
    def helpers(self) -> set[str]:
        """The functions it defines, at any depth, and what they are registered on."""
        if self._helpers is None:
            self._helpers = _helper_names(self.text)
        return self._helpers

    @property
    def bases(self) -> set[str]:
        """The names in a class's bases."""
        if not isinstance(self.node, ast.ClassDef):
            return set()
        return {child.id if isinstance(child, ast.Name) else child.attr for base in self.node.bases
                for child in ast.walk(base) if isinstance(child, (ast.Name, ast.Attribute))}


class _Statement:
    """One module-level statement other than a def, a class or an import, with the names it
    binds and reads, from Python's parse (a name in a string, as in ``__all__``, is no read)."""

    __slots__ = ("node", "text", "bound", "read")

    def __init__(self, node: ast.AST, text: str) -> None:
        self.node = node
        self.text = text
        self.bound: set[str] = set()
        self.read: set[str] = set()
        in_comprehension: set[int] = set()  # a comprehension's variables are not the module's
        for child in ast.walk(node):  # breadth first: a comprehension comes before its target
            if isinstance(child, ast.comprehension):
                in_comprehension.update(id(name) for name in ast.walk(child.target))
            elif isinstance(child, ast.Name):
                if isinstance(child.ctx, ast.Load):
                    self.read.add(child.id)
                elif id(child) not in in_comprehension:
                    self.bound.add(child.id)
            elif isinstance(child, DEFINITIONS):
                self.bound.add(child.name)

    def packages(self) -> set[str]:
        """The packages named by the imports nested in it (``try: import torch``)."""
        return {package for child in ast.walk(self.node) if isinstance(child, IMPORTS) for package in _packages(child)}


def reachable_source(source: str, tree: ast.Module, words: Iterable[str], helper_words: Iterable[str] = (),
                     packages: Iterable[str] = ()) -> str:
    """``source`` with the body of each top-level definition the rules cannot reach replaced by
    ``...`` and as many line breaks as it spanned (see the module's docstring); ``source`` itself
    when every definition is kept or the parse does not fit the text. ``tree`` is Python's parse
    of ``source``; ``words``, the active rules' trigger words; ``helper_words``, their families';
    ``packages``, those their ``imports:`` conditions ask for."""
    lines = _Lines(source)
    definitions: list[_Definition] = []
    statement_nodes: list[ast.AST] = []
    imports: list[ast.AST] = []
    for node in tree.body:
        if not hasattr(node, "end_lineno") or node.end_lineno > lines.count:
            return source  # not this text's parse
        if isinstance(node, DEFINITIONS):
            if node.name not in source[lines.start(node.lineno):lines.end(node.lineno)]:
                return source  # not this text's parse
            first = min([node.lineno] + [decorator.lineno for decorator in node.decorator_list])
            end = lines.end(node.end_lineno)
            definitions.append(_Definition(node, end, source[lines.start(first):end]))
        elif isinstance(node, IMPORTS):
            imports.append(node)
        else:
            statement_nodes.append(node)
    holds_a_word = _word_test(words)
    kept, importing = [], []  # importing: what only its imports might keep
    for definition in definitions:
        if holds_a_word(definition.text) or _mentions(definition.text, ("global",)):
            kept.append(definition)
        elif _mentions(definition.text, ("import",)):
            importing.append(definition)
    if len(kept) + len(importing) == len(definitions):
        return source  # the common case for a file a rule keeps: nothing to cut, nothing more asked
    statements = [_Statement(node, source[lines.start(node.lineno):lines.end(node.end_lineno)])
                  for node in statement_nodes]
    if importing:  # kept for its imports alone: unless they change nothing the rules see
        module_packages = {package for node in imports for package in _packages(node)}
        for statement in statements:
            module_packages |= statement.packages()
        wanted = set(packages) - module_packages
        kept += [definition for definition in importing if _imports_reach(definition.node, wanted)]
    helper_words = _helper_words(set(helper_words), statements, imports) if helper_words else set()
    _keep_what_kept_code_reaches(definitions, statements, kept, holds_a_word, helper_words)
    if len(kept) == len(definitions):
        return source
    kept_ids = {id(definition) for definition in kept}
    return _without_bodies(source, lines, [definition for definition in definitions if id(definition) not in kept_ids])


def _keep_what_kept_code_reaches(definitions: list[_Definition], statements: list[_Statement],
                                 kept: list[_Definition], holds_a_word: Callable[[str], bool],
                                 helper_words: set[str]) -> None:
    """Adds to ``kept``, until nothing more is added, each definition a finding may depend on."""
    # Module-level names bound to what a word names, or to what such a name names.
    followed: set[str] = set()
    sources = [statement for statement in statements if holds_a_word(statement.text)]
    while sources:
        for statement in sources:
            followed |= statement.bound
        sources = [statement for statement in statements
                   if not statement.bound <= followed and not statement.read.isdisjoint(followed)]
    kept_ids = {id(definition) for definition in kept}
    # Classes kept only because a kept class derives from them: their methods are read for that
    # class, and a match in their own subclasses is not reached through them.
    only_bases: set[int] = set()
    while True:
        kept_text = "\n".join([*(definition.text for definition in kept),
                               *(statement.text for statement in statements)])
        kept_classes: set[str] = set()  # but those kept only as another's base
        kept_bases: set[str] = set()
        for definition in kept:
            if isinstance(definition.node, ast.ClassDef):
                if id(definition) not in only_bases:
                    kept_classes.add(definition.node.name)
                kept_bases |= definition.bases
        helpers = _helper_names(kept_text)
        added = []
        upgraded = False
        for definition in definitions:
            if id(definition) in kept_ids and id(definition) not in only_bases:
                continue
            if (_mentions(definition.text, followed) or not definition.bases.isdisjoint(kept_classes)
                    or _passes_first(definition.text, helpers)):
                reached = True
            elif helper_words and any(word in definition.text for word in helper_words):
                reached = _passes_first(kept_text, definition.helpers)
            else:
                reached = False
            if id(definition) in only_bases:
                if reached:  # reached for itself now, not only as a base
                    only_bases.discard(id(definition))
                    upgraded = True
            elif reached or definition.node.name in kept_bases:
                added.append(definition)
                if not reached:
                    only_bases.add(id(definition))
        if not added and not upgraded:
            return
        kept.extend(added)
        kept_ids.update(id(definition) for definition in added)


def _helper_words(helper_words: set[str], statements: list[_Statement], imports: list[ast.AST]) -> set[str]:
    """``helper_words`` and the module-level names bound to what they name: ``assign = P.Assign()``,
    ``from mindspore.ops import assign as write``."""
    found = set(helper_words)
    for statement in statements:
        if any(word in statement.text for word in helper_words):
            found |= statement.bound
    for statement in imports:
        for alias in statement.names:
            if alias.asname and any(word in alias.name for word in helper_words):
                found.add(alias.asname)
    return found


def _helper_names(text: str) -> set[str]:
    """The names a helper defined in ``text`` is mapped by: each function's (at any depth), and
    the MultitypeFuncGraph one is registered on (``@clip_grad.register(...)``). A scan for the
    few places, no regex: compiling one costs more than the whole scan."""
    found = set()
    at = text.find("def")
    while at >= 0:
        name, _ = _name_at(text, at + 3, True)
        if name:
            found.add(name)
        at = text.find("def", at + 3)
    at = text.find("@")
    while at >= 0:
        name, end = _name_at(text, at + 1)
        if name and text.startswith(".register", _after_spaces(text, end)):
            found.add(name)
        at = text.find("@", at + 1)
    return found


def _passes_first(text: str, names: Iterable[str]) -> bool:
    """Whether ``text`` may pass one of ``names`` as a call's first argument: ``partial(helper,``,
    ``map(helper)``. A name alone on its line counts (a comment may sit between it and the
    parenthesis)."""
    for name in names:
        for at in whole_names(text, name):
            before = at - 1
            while before >= 0 and text[before] in " \t\\\r":
                before -= 1
            after = at + len(name)
            while after < len(text) and text[after] in " \t\\":
                after += 1
            if ((before < 0 or text[before] in "(\n")
                    and (after == len(text) or text[after] in ",)\r\n#")):
                return True
    return False


def _name_at(text: str, start: int, after_space: bool = False) -> tuple[str, int]:
    """The identifier at ``start``, spaces before it skipped (at least one when ``after_space``),
    and where it ends."""
    at = _after_spaces(text, start)
    if after_space and at == start:
        return "", start
    end = name_end(text, at)
    name = text[at:end]
    return (name, end) if name and not name[0].isdigit() else ("", start)


def _after_spaces(text: str, start: int) -> int:
    while start < len(text) and text[start] in " \t\\\n":
        start += 1
    return start


def _word_test(words: Iterable[str]) -> Callable[[str], bool]:
    """Whether a text holds one of the rules' words: a name as a whole identifier (the prefilter
    counts no other), anything else (``clamp_(``) as written."""
    words = set(words)
    names = tuple(word for word in words if word.isidentifier())
    others = tuple(word for word in words if not word.isidentifier())
    return lambda text: _mentions(text, names) or any(word in text for word in others)


def _mentions(text: str, names: Iterable[str]) -> bool:
    """Whether one of ``names`` is written in ``text`` as a whole identifier."""
    return any(next(whole_names(text, name), None) is not None for name in names)


def _packages(statement: ast.AST) -> set[str]:
    """The top-level packages an import statement names. A relative one names mindspore inside
    MindSpore's own sources (imports.mindspore_package), else none the rules ask for."""
    if isinstance(statement, ast.Import):
        return {alias.name.split(".")[0] for alias in statement.names}
    if statement.level:
        return {"mindspore"}
    return {(statement.module or "").split(".")[0]}


def _imports_reach(definition: ast.AST, wanted: set[str]) -> bool:
    """Whether an import in the definition changes what the rules see: one in a class's body
    (the model gives it the module's scope), or one of the ``wanted`` packages."""
    stack = [(child, not isinstance(definition, ast.ClassDef)) for child in ast.iter_child_nodes(definition)]
    while stack:
        node, in_function = stack.pop()
        if isinstance(node, IMPORTS):
            if not in_function or not _packages(node).isdisjoint(wanted):
                return True
        else:
            in_function = in_function or isinstance(node, FUNCTIONS)
            stack.extend((child, in_function) for child in ast.iter_child_nodes(node))
    return False


class _Lines:
    """Where each line (numbered from 1, as Python's parse numbers them) starts and ends."""

    __slots__ = ("_starts", "_length", "count")

    def __init__(self, source: str) -> None:
        self._starts = line_starts(source)
        self._length = len(source)
        self.count = len(self._starts)

    def start(self, line: int) -> int:
        return self._starts[line - 1]

    def end(self, line: int) -> int:
        """Before its line break."""
        return self._starts[line] - 1 if line < self.count else self._length


def _without_bodies(source: str, lines: _Lines, cut: list[_Definition]) -> str:
    parts = []
    last = 0
    for definition in cut:
        begin = _body_start(source, lines, definition.node.body[0])
        if begin is None:
            continue  # not where a body starts: left whole
        region = source[begin:definition.last]
        replacement = "..." + "\n" * region.count("\n")
        if len(region) <= len(replacement):  # `def f(): x`, `def f(): ...`: nothing to save
            continue
        parts.append(source[last:begin])
        parts.append(replacement)
        last = definition.last
    if not parts:
        return source
    parts.append(source[last:])
    return "".join(parts)


def _body_start(source: str, lines: _Lines, statement: ast.AST) -> int | None:
    """Where a body's first statement starts: its first decorator's ``@`` when it has one (a
    decorated method's position is its ``def``'s), else its own column, which Python counts in
    UTF-8 bytes. None when what is there is not where a body can start."""
    decorators = getattr(statement, "decorator_list", None)
    number = min(decorator.lineno for decorator in decorators) if decorators else statement.lineno
    start = lines.start(number)
    line = source[start:lines.end(number)]
    if decorators:
        column = len(line) - len(line.lstrip())
        return start + column if line[column:column + 1] == "@" else None
    column = statement.col_offset if line.isascii() else len(
        line.encode("utf-8")[:statement.col_offset].decode("utf-8", "ignore"))
    before = line[:column].rstrip()
    return start + column if not before or before.endswith(":") else None
