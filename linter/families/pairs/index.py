"""What alignment needs of one module, for the original (torch) and the port alike: its top-level
classes and functions, per class the ``self.<attr> = <call>`` assignments of ``__init__`` and the
items of ``Sequential`` / ``SequentialCell`` containers, per function the sequence of framework
calls; each call with its arguments' values resolved by the semantic model.

Only calls to APIs the facts know are kept (``wanted``): a module of a thousand calls keeps the
dozens that matter. An index is plain data, so the original tree's is kept on disk between runs
(originals.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterator

from ...astgrep import SgNode
from ...records import Record
from ...semantics import constants, nodes
from ...semantics.model import SemanticModel
from .facts import call_words
from .values import Value

if TYPE_CHECKING:
    import ast

    from .alignment import Reach
    from .facts import Facts

MODULE_SCOPE = "<module>"
CONTAINER_NAMES = ("Sequential", "SequentialCell")
CONTAINER_ROOTS = ("torch.", "mindspore.", "tinyms.")


class Call(Record):
    __slots__ = _fields = ("name", "line", "column", "start", "positional", "keywords", "opaque", "role")

    def __init__(self, name: str, line: int, column: int, start: int, positional: list[Value] | None = None,
                 keywords: dict[str, Value] | None = None, opaque: bool = False, role: str = "") -> None:
        self.name = name  # the qualified name the call resolves to
        self.line = line  # 1-based
        self.column = column  # 0-based
        self.start = start  # character offset of the call in its file
        self.positional = [] if positional is None else positional
        self.keywords = {} if keywords is None else keywords
        self.opaque = opaque  # *args or **kwargs: the positions and keywords are not all known
        self.role = role  # where it sits: "conv1", "layer1[2]", "forward"

    def argument(self, position: int | None, keyword: str | None) -> Value | None:
        if position is not None and position < len(self.positional):
            return self.positional[position]
        return self.keywords.get(keyword) if keyword is not None else None

    def to_json(self) -> list:
        return [self.name, self.line, self.column, self.start, [value.to_json() for value in self.positional],
                {key: value.to_json() for key, value in self.keywords.items()}, self.opaque, self.role]

    @classmethod
    def from_json(cls, item: list) -> Call:
        name, line, column, start, positional, keywords, opaque, role = item
        return cls(name, line, column, start, [Value.from_json(value) for value in positional],
                   {key: Value.from_json(value) for key, value in keywords.items()}, opaque, role)


class ClassIndex(Record):
    __slots__ = _fields = ("name", "line", "attributes", "containers", "methods")

    def __init__(self, name: str, line: int, attributes: dict[str, list[int | None]] | None = None,
                 containers: dict[str, list[list[int | None]]] | None = None,
                 methods: dict[str, list[int]] | None = None) -> None:
        self.name = name
        self.line = line
        # attr -> the call of each assignment to it, in source order (None: a call of another API); an
        # attribute assigned in several branches has several.
        self.attributes = {} if attributes is None else attributes
        self.containers = {} if containers is None else containers  # attr -> each item's call
        self.methods = {} if methods is None else methods  # the other calls, in source order

    def to_json(self) -> list:
        return [self.name, self.line, self.attributes, self.containers, self.methods]

    @classmethod
    def from_json(cls, item: list) -> ClassIndex:
        return cls(*item)


class ModuleIndex(Record):
    __slots__ = _fields = ("calls", "classes", "functions", "reassigned")

    def __init__(self, calls: list[Call] | None = None, classes: dict[str, ClassIndex] | None = None,
                 functions: dict[str, list[int]] | None = None, reassigned: list[str] | None = None) -> None:
        self.calls = [] if calls is None else calls
        self.classes = {} if classes is None else classes
        self.functions = {} if functions is None else functions  # top-level functions and MODULE_SCOPE
        # Attributes set on something other than self after construction (`m.momentum = 0.01` in a
        # loop over self.modules()): a layer's value for such a parameter is not its constructor's.
        self.reassigned = [] if reassigned is None else reassigned

    @property
    def definitions(self) -> set[str]:
        return set(self.classes) | (set(self.functions) - {MODULE_SCOPE})

    def to_json(self) -> dict:
        return {"calls": [call.to_json() for call in self.calls],
                "classes": [cls.to_json() for cls in self.classes.values()], "functions": self.functions,
                "reassigned": self.reassigned}

    @classmethod
    def from_json(cls, data: dict) -> ModuleIndex:
        classes = [ClassIndex.from_json(item) for item in data["classes"]]
        return cls([Call.from_json(item) for item in data["calls"]], {item.name: item for item in classes},
                   data["functions"], data["reassigned"])


def index_module(root: SgNode, model: SemanticModel, wanted: Callable[[str], bool],
                 words: frozenset[str] | None = None, reach: Reach | None = None) -> ModuleIndex:
    """The index of one parsed module; ``wanted(qualified name)`` says which calls to keep, and
    ``words`` (when given) the names a kept call's callee can end in: any other call is skipped
    before its name is resolved (most calls of a module; a callee imported under another name is
    missed). With ``reach`` (a port's, alignment.Reach), only the scopes align() reads with that
    original have their calls: every other class and function keeps its name alone."""
    return _Indexer(model, wanted, words, reach).module(root)


class _Indexer:
    def __init__(self, model: SemanticModel, wanted: Callable[[str], bool], words: frozenset[str] | None,
                 reach: Reach | None) -> None:
        self.model = model
        self.wanted = wanted
        self.words = words
        self.reach = reach
        self.index = ModuleIndex()
        self.taken: set[int] = set()  # offsets of calls already placed by attribute or container
        self.recorded: dict[int, int] = {}  # offset -> index in the module's list
        # The module's calls and assignments in source order, each list with its offsets: one walk
        # of the module, not one per function (a walk costs the whole subtree, matched or not).
        self.calls: list[SgNode] = []
        self.call_starts: list[int] = []
        self.assignments: list[SgNode] = []
        self.assignment_starts: list[int] = []

    def module(self, root: SgNode) -> ModuleIndex:
        for node in root.find_all(any=[{"kind": "call"}, {"kind": "assignment"}]):
            if node.kind() == "call":
                self.calls.append(node)
                self.call_starts.append(nodes.start(node))
            else:
                self.assignments.append(node)
                self.assignment_starts.append(nodes.start(node))
        loose: list[SgNode] = []
        for statement, kind, definition in _top_level(root):
            if kind == "class_definition":
                self._class(definition)
            elif kind == "function_definition":
                name = definition.field("name").text()
                read = self.reach is None or self.reach.function(name)
                self.index.functions[name] = self._calls(definition, name) if read else []
            else:
                loose.append(statement)
        read = self.reach is None or self.reach.function(MODULE_SCOPE)
        module_calls = [index for statement in loose for index in self._calls(statement, MODULE_SCOPE)] if read else []
        if module_calls:
            self.index.functions[MODULE_SCOPE] = module_calls
        self.index.reassigned = _reassigned(self.assignments)
        return self.index

    def _class(self, definition: SgNode) -> None:
        name = definition.field("name").text()
        found = ClassIndex(name, definition.range().start.line + 1)
        self.index.classes.setdefault(name, found)
        counterpart = self.reach.counterpart(name) if self.reach is not None else None
        if self.reach is not None and counterpart is None:
            return  # align() pairs none of its calls
        body = definition.field("body")
        methods = []
        for statement in body.named_children() if body is not None else []:
            method = statement.field("definition") if statement.kind() == "decorated_definition" else statement
            if method is not None and method.kind() == "function_definition":
                methods.append(method)
        for method in methods:  # __init__ first: its attributes take their calls before the rest
            if method.field("name").text() == "__init__":
                self._attributes(method, found)
        for method in methods:
            name = method.field("name").text()
            read = counterpart is None or self.reach.method(counterpart, name)  # None: no reach, every method
            found.methods[name] = self._calls(method, name) if read else []

    def _attributes(self, init: SgNode, found: ClassIndex) -> None:
        for assignment in nodes.within(init, self.assignments, self.assignment_starts)[0]:
            left, right = assignment.field("left"), assignment.field("right")
            parts = nodes.dotted(left) if left is not None else None
            if not parts or len(parts) != 2 or parts[0] != "self" or right is None:
                continue
            right = nodes.unparenthesize(right)
            if right.kind() != "call":
                continue
            attribute = parts[1]
            last = _last_name(right.field("function"))
            name = self.model.qualified_name(right.field("function")) if last in CONTAINER_NAMES else None
            if name is not None and _is_container(name):
                self.taken.add(nodes.start(right))
                found.containers.setdefault(attribute, []).append(
                    [self._record(item, f"{attribute}[{position}]") for position, item in
                     enumerate(_container_items(right))])
            else:
                found.attributes.setdefault(attribute, []).append(self._record(right, attribute))

    def _record(self, call: SgNode, role: str) -> int | None:
        """The call's index in the module's list (recorded once), or None when it is not wanted."""
        call = nodes.unparenthesize(call)
        if call.kind() != "call":
            return None
        start = nodes.start(call)
        if start in self.recorded:
            return self.recorded[start]
        return self._new_call(call, start, role)

    def _new_call(self, call: SgNode, start: int, role: str) -> int | None:
        """``_record`` for a call (at ``start``) not recorded yet."""
        callee = call.field("function")
        if self.words is not None and _last_name(callee) not in self.words:
            return None
        name = self.model.qualified_name(callee)
        if name is None or not self.wanted(name):
            return None
        arguments = nodes.Arguments(call)
        where = call.range().start
        self.index.calls.append(Call(
            name, where.line + 1, where.column, start,
            [argument_value(self.model, item) for item in arguments.positional],
            {key: argument_value(self.model, item) for key, item in arguments.keywords.items()},
            arguments.opaque, role))
        self.taken.add(start)
        self.recorded[start] = len(self.index.calls) - 1
        return self.recorded[start]

    def _calls(self, scope: SgNode, role: str) -> list[int]:
        """The wanted calls of a scope not already placed, in source order."""
        found = []
        for call, start in zip(*nodes.within(scope, self.calls, self.call_starts)):
            if start in self.taken:  # every recorded call is taken
                continue
            index = self._new_call(call, start, role)
            if index is not None:
                found.append(index)
        return found


_PORT_CALL_WORDS: dict[int, tuple[Facts, frozenset[str]]] = {}  # id(facts) -> (facts, words)


def port_call_words(facts: Facts) -> frozenset[str]:
    """The names a call in a port's index ends in (index_module's ``words`` for a port): the
    facts' MindSpore counterparts' and the containers'. Kept per facts object (the pairs gate
    asks on every file)."""
    kept = _PORT_CALL_WORDS.get(id(facts))
    if kept is None or kept[0] is not facts:
        kept = _PORT_CALL_WORDS[id(facts)] = (facts, frozenset(call_words(facts)) | frozenset(CONTAINER_NAMES))
    return kept[1]


def defined_names(root: SgNode) -> set[str]:
    """The module's top-level classes and functions: its index's ``definitions``, without the index
    (no name resolved, no call read)."""
    return {definition.field("name").text() for _, kind, definition in _top_level(root)
            if kind in ("class_definition", "function_definition")}


def defined_names_in_ast(module: ast.Module | None) -> set[str] | None:
    """``defined_names`` from Python's own parse of the same text (an ``ast.Module``, flake8's),
    at no cost; None without one, or when a name is not ASCII: Python normalizes identifiers
    (NFKC), the index keeps them as written."""
    if module is None:
        return None
    import ast  # loaded already: whoever built the module imported it

    if not isinstance(module, ast.Module):
        return None
    names = {statement.name for statement in module.body
             if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    return names if "".join(names).isascii() else None


def _top_level(root: SgNode) -> Iterator[tuple[SgNode, str, SgNode | None]]:
    """(statement, the kind of what it defines, that definition) for each top-level statement; a
    decorated definition counts as what it decorates."""
    for statement in root.named_children():
        definition = statement.field("definition") if statement.kind() == "decorated_definition" else statement
        yield statement, definition.kind() if definition is not None else "", definition


def _reassigned(assignments: list[SgNode]) -> list[str]:
    """The attribute names assigned on an object other than ``self`` / ``cls`` anywhere in the module."""
    found = set()
    for assignment in assignments:
        left = assignment.field("left")
        if left is None or left.kind() != "attribute":
            continue
        owner = left.field("object")
        if owner is not None and not (owner.kind() == "identifier" and owner.text() in ("self", "cls")):
            found.add(left.field("attribute").text())
    return sorted(found)


def _last_name(callee: SgNode | None) -> str:
    """``Conv2d`` for ``nn.Conv2d`` and ``Conv2d``; "" for anything else (a call of a call)."""
    if callee is None:
        return ""
    if callee.kind() == "identifier":
        return callee.text()
    if callee.kind() == "attribute":
        return callee.field("attribute").text()
    return ""


def _is_container(name: str) -> bool:
    return name.startswith(CONTAINER_ROOTS) and name.rsplit(".", 1)[-1] in CONTAINER_NAMES


def _container_items(call: SgNode) -> list[SgNode]:
    """``Sequential(a, b)`` or ``SequentialCell([a, b])``: the items, by position."""
    arguments = nodes.Arguments(call)
    if arguments.opaque or arguments.keywords:
        return []
    items = arguments.positional
    if len(items) == 1 and nodes.unparenthesize(items[0]).kind() in ("list", "tuple"):
        items = [item for item in nodes.unparenthesize(items[0]).named_children() if item.kind() != "comment"]
    if any(item.kind() in ("list_splat", "dictionary_splat") for item in items):
        return []
    return items


def argument_value(model: SemanticModel, node: SgNode) -> Value:
    """What an argument always holds, as far as the model knows: a number (literals, arithmetic,
    module constants, parameter defaults, ``self.x``), a string, a bool, None, a tuple of
    numbers; with its tokens either way."""
    text = " ".join(nodes.tokens(node))
    source = node.text()
    known, value = _literal(model, node)
    return Value(known, value, text, source, True)


def _literal(model: SemanticModel, node: SgNode) -> tuple[bool, object]:
    number = model.constant(node, model.parameter_default)
    if number is not None:
        return True, number
    expression = model.value_expression(node, parameter_defaults=True)
    if expression is None:
        return False, None
    expression = nodes.unparenthesize(expression)
    kind = expression.kind()
    if kind in ("true", "false"):
        return True, kind == "true"
    if kind == "none":
        return True, None
    if kind == "string":
        text = constants.string(expression)
        return text is not None, text
    if kind in ("tuple", "list"):
        items = [item for item in expression.named_children() if item.kind() != "comment"]
        values = [model.constant(item, model.parameter_default) for item in items]
        if items and None not in values:
            return True, tuple(values)
    return False, None
