"""Scopes and bindings: which assignment, loop, parameter or definition gives a name its value.

A scope is a function, a lambda or the module (classes do not scope the names their methods
read, as in Python). Bindings are collected once per scope, in source order, by one walk that
skips nested scopes.
"""

from __future__ import annotations

import bisect

from ..astgrep import SgNode
from ..records import FrozenRecord, Record
from . import nodes

BINDING_KINDS = frozenset({"assignment", "augmented_assignment", "for_statement", "named_expression",
                           "as_pattern_target", "function_definition", "class_definition"})
# Where Python's grammar puts none of BINDING_KINDS but a walrus (`f(y := 2)`, `f"{(y := 2)}"`,
# `def f(k=(n := 3))`): the expressions that fill most statements (a call's arguments, names,
# attributes, literals, operators), a definition's parameters, the imports, the leaves. They are
# most of a model's nodes, and walked past unless the scope holds a ':=' or a part tree-sitter
# could not parse (ERROR: anything may sit inside). A statement that holds another one, and the
# parts of `with` and `except` that bind (as_pattern), are not here.
NO_BINDING_UNLESS_WALRUS = frozenset({
    "argument_list", "string", "concatenated_string", "identifier", "attribute", "call", "subscript",
    "keyword_argument", "integer", "float", "true", "false", "none", "comment", "binary_operator",
    "unary_operator", "comparison_operator", "boolean_operator", "not_operator", "dictionary", "pair",
    "parameters", "lambda_parameters", "default_parameter", "typed_parameter", "typed_default_parameter",
    "type", "decorator", "import_statement", "import_from_statement", "dotted_name", "aliased_import",
    "return_statement"})
# Statements whose body may run zero times, or only on some paths, relative to code outside them.
CONDITIONAL_KINDS = frozenset({"if_statement", "elif_clause", "else_clause", "for_statement", "while_statement",
                               "try_statement", "except_clause", "finally_clause", "match_statement",
                               "case_clause", "conditional_expression", "boolean_operator"})
LOOP_KINDS = frozenset({"for_statement", "while_statement"})


class Binding(FrozenRecord):
    __slots__ = _fields = ("position", "source", "path", "iterated", "parameter", "function", "statement", "default")
    _compared = ("position", "source", "path", "iterated", "parameter", "function")

    def __init__(self, position: int, source: SgNode | None, path: tuple[int, ...] = (), iterated: bool = False,
                 parameter: int | None = None, function: SgNode | None = None, statement: SgNode | None = None,
                 default: SgNode | None = None) -> None:
        self.position = position  # where the binding takes effect
        self.source = source  # the assigned or iterated expression; None when unknowable
        self.path = path  # the element of ``source`` a tuple target takes: a, (b, c) = ...
        self.iterated = iterated  # bound to an element of ``source`` (for loops, comprehensions)
        self.parameter = parameter  # the position of a function's parameter (source is None)
        self.function = function  # ... and that function
        self.statement = statement  # the binding statement itself (not compared)
        self.default = default  # a parameter's default value (not compared)

    @property
    def plain(self) -> bool:
        """Bound to the whole value of ``source`` (not an element, not a parameter)."""
        return self.source is not None and not self.iterated and not self.path


class NameUses(Record):
    __slots__ = _fields = ("reads", "positions", "declared_global")

    def __init__(self, reads: list | None = None, positions: list | None = None, declared_global: bool = False) -> None:
        self.reads = [] if reads is None else reads  # identifier nodes, in source order
        self.positions = [] if positions is None else positions  # their start positions, sorted
        self.declared_global = declared_global


def collect_bindings(scope: SgNode, misparsed: bool | None = None) -> dict[str, list[Binding]]:
    """name -> its bindings in ``scope``, sorted by where they take effect. ``misparsed``: whether
    the file holds an ERROR node, when the caller knows (None: the scope is searched for one)."""
    found: dict[str, list[Binding]] = {}
    parameters = scope.field("parameters")
    for index, (name, default) in enumerate(parameter_names(parameters) if parameters is not None else []):
        found.setdefault(name, []).append(Binding(nodes.start(scope), None, parameter=index, function=scope,
                                                  default=default))
    walked = scope.field("body") or scope if scope.kind() != "module" else scope
    may_hide_a_binding = ":=" in walked.text() or (
        walked.find(kind="ERROR") is not None if misparsed is None else misparsed)
    skipped = frozenset() if may_hide_a_binding else NO_BINDING_UNLESS_WALRUS
    for node in nodes.walk_scope(walked, BINDING_KINDS, skipped):
        kind = node.kind()
        if kind == "assignment":
            value = node.field("right")
            while value is not None and value.kind() == "assignment":  # a = b = value
                value = value.field("right")
            # A binding takes effect after its value is evaluated: in `g = clip(g)` the argument
            # still refers to the previous `g`.
            bind(node.field("left"), value, (), False, nodes.end(node), found, node)
        elif kind == "augmented_assignment":
            bind(node.field("left"), None, (), False, nodes.end(node), found, node)
        elif kind == "for_statement":
            bind(node.field("left"), node.field("right"), (), True, nodes.start(node.field("body")), found, node)
        elif kind == "named_expression":
            bind(node.field("name"), node.field("value"), (), False, nodes.end(node), found, node)
        elif kind == "as_pattern_target":  # with ... as x, except ... as x: nothing known
            for name in node.find_all(kind="identifier"):
                found.setdefault(name.text(), []).append(Binding(nodes.start(node), None, statement=node))
        elif kind in ("function_definition", "class_definition"):
            name = node.field("name")
            found.setdefault(name.text(), []).append(Binding(nodes.start(node), None, statement=node))
    for bindings in found.values():
        bindings.sort(key=lambda binding: binding.position)
    return found


def bind(target: SgNode | None, source: SgNode | None, path: tuple[int, ...], iterated: bool, position: int,
         found: dict[str, list[Binding]], statement: SgNode | None = None) -> None:
    if target is None:
        return
    target = nodes.unparenthesize(target)
    kind = target.kind()
    if kind == "identifier":
        found.setdefault(target.text(), []).append(Binding(position, source, path, iterated, statement=statement))
    elif kind in nodes.TARGET_PATTERN_KINDS:
        elements = [item for item in target.named_children() if item.kind() != "comment"]
        starred = False
        for index, element in enumerate(elements):
            if element.kind() in ("list_splat_pattern", "list_splat"):
                starred = True
            bind(element, None if starred else source, (*path, index), iterated, position, found, statement)
    elif kind in ("list_splat_pattern", "list_splat"):
        for name in target.named_children():
            bind(name, None, path, iterated, position, found, statement)


def target_names(target: SgNode | None) -> set[str]:
    if target is None:
        return set()
    if target.kind() == "identifier":
        return {target.text()}
    return {name.text() for name in target.find_all(kind="identifier")}


def target_binding(target: SgNode, name: str, source: SgNode, iterated: bool) -> Binding:
    found: dict[str, list[Binding]] = {}
    bind(target, source, (), iterated, nodes.start(target), found)
    return found[name][0] if name in found else Binding(nodes.start(target), None)


def parameter_names(parameters: SgNode) -> list[tuple[str, SgNode | None]]:
    """(name, default value or None) for each parameter, in order."""
    names = []
    for parameter in parameters.named_children():
        if parameter.kind() == "identifier":
            names.append((parameter.text(), None))
            continue
        name = parameter.field("name")
        if name is None:
            identifiers = [child for child in parameter.named_children() if child.kind() == "identifier"]
            name = identifiers[0] if identifiers else None
        if name is not None:
            default = parameter.field("value") if parameter.kind() in (
                "default_parameter", "typed_default_parameter") else None
            names.append((name.text(), default))
    return names


# The parents under which an identifier may be written rather than read (is_store); under any
# other (a call, an argument list, an operator: most identifiers) it is read.
STORE_PARENT_KINDS = frozenset({
    "attribute", "keyword_argument", "global_statement", "nonlocal_statement", "parameters", "typed_parameter",
    "lambda_parameters", "default_parameter", "typed_default_parameter", "list_splat_pattern",
    "dictionary_splat_pattern", "parenthesized_expression", "list_splat", "assignment", "for_statement",
    "for_in_clause"}) | nodes.TARGET_PATTERN_KINDS
TARGET_WRAPPER_KINDS = nodes.TARGET_PATTERN_KINDS | {"parenthesized_expression", "list_splat_pattern", "list_splat"}


def is_store(identifier: SgNode, parent: SgNode | None = None) -> bool:
    """True where an identifier is written (or is a keyword/attribute name), not read.
    ``parent``: the identifier's parent, when the caller has it already."""
    parent = identifier.parent() if parent is None else parent
    if parent is None:
        return False
    kind = parent.kind()
    if kind not in STORE_PARENT_KINDS:
        return False
    if kind == "attribute":
        return parent.field("attribute") is not None and parent.field("attribute") == identifier
    if kind == "keyword_argument":
        return parent.field("name") == identifier
    if kind in ("global_statement", "nonlocal_statement", "parameters", "typed_parameter", "lambda_parameters"):
        return True
    if kind in ("default_parameter", "typed_default_parameter"):
        # The parameter's name is bound; its default is read, in the enclosing scope, where the
        # function is defined: `def apply(updates=clipped)` reads `clipped`.
        return parent.field("name") == identifier
    if kind in ("list_splat_pattern", "dictionary_splat_pattern"):
        grandparent = parent.parent()  # def f(*args, **kwargs): both names are bound
        if grandparent is not None and grandparent.kind() in ("parameters", "lambda_parameters", "typed_parameter"):
            return True
    node = identifier
    while kind in TARGET_WRAPPER_KINDS:  # a, *rest = ...
        node, parent = parent, parent.parent()
        if parent is None:
            return False
        kind = parent.kind()
    if kind in ("assignment", "for_statement", "for_in_clause"):
        left = parent.field("left")
        return left is not None and left == node
    return False


class ScopeUses:
    """Every read of every name in a scope (nested functions included), worked out per name when
    it is first asked for. The first name asked is looked for by a walk that keeps that name's
    identifiers only (a training step's function holds a dozen names, and the rules ask about
    one: the others' nodes are not held for the rest of the check); a second name indexes the
    scope's identifiers by name, once. So a scope is walked at most twice."""

    def __init__(self, scope: SgNode) -> None:
        self._scope = scope
        self._occurrences: dict[str, list[SgNode]] | None = None  # name -> identifiers, from the second name on
        self._uses: dict[str, NameUses | None] = {}

    def get(self, name: str) -> NameUses | None:
        if name in self._uses:
            return self._uses[name]
        if not self._uses:
            occurrences = [node for node in self._scope.find_all(kind="identifier") if node.text() == name]
        else:
            if self._occurrences is None:
                self._occurrences = {}
                for node in self._scope.find_all(kind="identifier"):
                    self._occurrences.setdefault(node.text(), []).append(node)
            occurrences = self._occurrences.get(name, [])
        uses = self._uses[name] = _name_uses(occurrences) if occurrences else None
        return uses


def _name_uses(occurrences: list[SgNode]) -> NameUses:
    uses = NameUses()
    for occurrence in occurrences:
        parent = occurrence.parent()
        if parent is not None and parent.kind() in ("global_statement", "nonlocal_statement"):
            uses.declared_global = True
        elif not is_store(occurrence, parent):
            uses.reads.append(occurrence)
            uses.positions.append(nodes.start(occurrence))
    return uses


def any_in(positions: list[int], windows: list[tuple[int, int]]) -> bool:
    """True when a sorted list of positions has one inside any [start, end) window."""
    for low, high in windows:
        index = bisect.bisect_left(positions, low)
        if index < len(positions) and positions[index] < high:
            return True
    return False


def conditional_between(statement: SgNode | None, use: SgNode, scope: SgNode) -> bool:
    """True when ``statement`` may not have run by the time ``use`` runs: it sits in a branch,
    loop or handler of ``scope`` that does not also hold ``use``."""
    if statement is None:
        return False
    use_start, use_end = nodes.start(use), nodes.end(use)
    scope_key = scope
    for ancestor in statement.ancestors():
        if ancestor == scope_key or (nodes.start(ancestor) <= use_start and use_end <= nodes.end(ancestor)):
            return False  # from here up, whatever runs ``statement`` also runs ``use``
        if ancestor.kind() in CONDITIONAL_KINDS:
            return True
    return False


def enclosing_loop(node: SgNode, scope: SgNode) -> SgNode | None:
    """The outermost loop of ``scope`` around ``node``: code later in it runs before ``node`` again."""
    scope_key = scope
    found = None
    for ancestor in node.ancestors():
        if ancestor == scope_key:
            break
        if ancestor.kind() in LOOP_KINDS:
            found = ancestor
    return found
