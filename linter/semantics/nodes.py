"""Helpers over ast-grep (tree-sitter) Python nodes shared by the semantic families.

Every walk here is iterative or depth-bounded: a file Python can parse may still nest ten
thousand levels deep, and the plugin must not die of a RecursionError on it.

An ``SgNode`` hashes and compares by identity in O(1): nodes are their own dictionary keys. Its
``range()`` is not cheap: ast-grep counts the characters from the start of the line, so on a
statement of thousands of calls written on one line each call costs the length of the line.
Offsets come from ``start`` / ``end`` instead, which never compute a column.
"""

from __future__ import annotations

import bisect
from typing import Iterator

from ..astgrep import SgNode

FUNCTION_KINDS = frozenset({"function_definition", "lambda"})
SCOPE_KINDS = FUNCTION_KINDS | {"class_definition"}
COMPREHENSION_KINDS = frozenset(
    {"list_comprehension", "set_comprehension", "dictionary_comprehension", "generator_expression"}
)
TARGET_PATTERN_KINDS = frozenset({"pattern_list", "tuple_pattern", "list_pattern", "tuple", "list"})
MAX_EXPRESSION_DEPTH = 50


def start(node: SgNode) -> int:
    return _offsets(node).start_pos


def end(node: SgNode) -> int:
    return _offsets(node).end_pos


def _offsets(node: SgNode):  # noqa: ANN202 - ast-grep-py's Edit
    """The node's character offsets (``range().start.index`` and ``range().end.index``).

    ``SgNode.range()`` also computes line and column, and ast-grep finds a column by scanning the
    line back to its start: on one line holding thousands of calls every ``range()`` costs the
    length of the line, and the analysis was quadratic. The edit that would replace the node
    (never applied) carries the same offsets without the columns.
    """
    return node.replace("")


def unparenthesize(node: SgNode) -> SgNode:
    while node.kind() == "parenthesized_expression":
        inner = node.named_children()
        if len(inner) != 1:
            break
        node = inner[0]
    return node


def tokens(node: SgNode) -> tuple[str, ...]:
    """The leaf texts of a node, without comments: equal tokens mean the same expression."""
    found: list[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        children = current.children()
        if not children:
            if current.kind() != "comment":
                found.append(current.text())
        else:
            stack.extend(reversed(children))
    return tuple(found)


def walk_scope(scope: SgNode, kinds: frozenset[str], skipped: frozenset[str] = frozenset()) -> Iterator[SgNode]:
    """The named nodes of ``kinds`` inside ``scope``, in source order, except in the bodies of
    nested functions and classes (their defaults, annotations and bases run here and are walked),
    and not inside nodes of the ``skipped`` kinds (the caller knows none of ``kinds`` is there)."""
    return _scope_nodes_of_kinds(scope, kinds, SCOPE_KINDS | skipped)


# The parts of a nested function or class that run in the enclosing scope, when the definition
# does: parameter defaults and annotations, the return annotation, a class's bases and keywords.
# A walrus there (`def f(k=(n := 3))`) binds the name in the enclosing scope.
EVALUATED_OUTSIDE = {"function_definition": ("parameters", "return_type"), "lambda": ("parameters",),
                     "class_definition": ("superclasses",)}


def _scope_nodes_of_kinds(scope: SgNode, kinds: frozenset[str], closed: frozenset[str]) -> Iterator[SgNode]:
    # Only named nodes: the unnamed ones are punctuation and keyword leaves, never of ``kinds``.
    stack = list(reversed(scope.named_children()))
    while stack:
        node = stack.pop()
        kind = node.kind()
        if kind in kinds:
            yield node
        if kind not in closed:
            stack.extend(reversed(node.named_children()))
        elif kind in EVALUATED_OUTSIDE:
            outside = [node.field(name) for name in EVALUATED_OUTSIDE[kind]]
            stack.extend(reversed([part for part in outside if part is not None and part.kind() not in closed]))


def within(scope: SgNode, found: list[SgNode], starts: list[int]) -> tuple[list[SgNode], list[int]]:
    """The nodes of ``found`` (one walk's, in source order, with their offsets) inside ``scope``,
    ``scope`` itself included if it is one of them: what ``scope.find_all`` would give. A walk in
    source order meets a subtree's nodes one after the other, so they are those starting within
    the scope's span."""
    low = bisect.bisect_left(starts, start(scope))
    high = bisect.bisect_left(starts, end(scope), low)
    return found[low:high], starts[low:high]


def replaced(node: SgNode, edits: list[tuple[SgNode, str]]) -> str:
    """The node's source text with each (inner node, new text) replaced."""
    text = node.text()
    base = start(node)
    for inner, new in sorted(edits, key=lambda edit: start(edit[0]), reverse=True):
        text = text[:start(inner) - base] + new + text[end(inner) - base:]
    return text


def enclosing_statement(node: SgNode) -> SgNode | None:
    """The statement (a direct child of a block or of the module) that holds ``node``."""
    child = node
    for ancestor in node.ancestors():
        if ancestor.kind() in ("block", "module"):
            return child
        child = ancestor
    return None


def enclosing_scope(node: SgNode) -> SgNode:
    """The nearest enclosing function or lambda, else the module."""
    for ancestor in node.ancestors():
        if ancestor.kind() in FUNCTION_KINDS or ancestor.kind() == "module":
            return ancestor
    return node.get_root().root()


def enclosing_class(node: SgNode) -> SgNode | None:
    for ancestor in node.ancestors():
        if ancestor.kind() == "class_definition":
            return ancestor
    return None


def holding_conditions(node: SgNode) -> list[SgNode]:
    """The conditions known to be true where ``node`` runs, within its function: the tests of
    the ``if`` / ``elif`` whose body holds it, of a conditional expression whose value it is
    (``a if c else b``), and the left side of an ``and`` it is the right side of. Each
    conjunct of a test joined by ``and`` is one condition."""
    found: list[SgNode] = []
    child = node
    for ancestor in node.ancestors():
        kind = ancestor.kind()
        if kind in FUNCTION_KINDS or kind in ("class_definition", "module"):
            break
        test = None
        if kind in ("if_statement", "elif_clause") and ancestor.field("consequence") == child:
            test = ancestor.field("condition")
        elif kind == "conditional_expression":
            parts = [part for part in ancestor.named_children() if part.kind() != "comment"]
            if len(parts) == 3 and parts[0] == child:
                test = parts[1]
        elif kind == "boolean_operator" and ancestor.field("operator").text() == "and" \
                and ancestor.field("right") == child:
            test = ancestor.field("left")
        if test is not None:
            found.extend(_conjuncts(test))
        # Past an elif, the if's own test is false here: the if_statement is the child then.
        child = ancestor.parent() if kind == "elif_clause" else ancestor
    return found


def _conjuncts(test: SgNode) -> list[SgNode]:
    test = unparenthesize(test)
    if test.kind() == "boolean_operator" and test.field("operator").text() == "and":
        return _conjuncts(test.field("left")) + _conjuncts(test.field("right"))
    return [test]


def dotted(node: SgNode) -> list[str] | None:
    """``a.b.c`` as ['a', 'b', 'c'] when the node is a plain attribute chain of names."""
    parts: list[str] = []
    while node.kind() == "attribute":
        parts.append(node.field("attribute").text())
        node = node.field("object")
    if node.kind() != "identifier":
        return None
    parts.append(node.text())
    return parts[::-1]


def unpacked_targets(target: SgNode) -> list[SgNode] | None:
    """The elements of a tuple or list target, or None when it is not one (or has a *rest)."""
    target = unparenthesize(target)
    if target.kind() not in TARGET_PATTERN_KINDS:
        return None
    elements = [item for item in target.named_children() if item.kind() != "comment"]
    if any(item.kind() in ("list_splat_pattern", "list_splat") for item in elements):
        return None
    return [unparenthesize(item) for item in elements]


class Arguments:
    """The positional and keyword arguments of a call; ``opaque`` when *args/**kwargs hide some."""

    def __init__(self, call: SgNode) -> None:
        self.positional: list[SgNode] = []
        self.keywords: dict[str, SgNode] = {}
        self.opaque = False
        arguments = call.field("arguments")
        if arguments is None or arguments.kind() != "argument_list":
            self.opaque = arguments is not None  # a generator argument: f(x for x in y)
            return
        for argument in arguments.named_children():
            kind = argument.kind()
            if kind == "keyword_argument":
                self.keywords[argument.field("name").text()] = argument.field("value")
            elif kind in ("list_splat", "dictionary_splat"):
                self.opaque = True
            elif kind != "comment":
                self.positional.append(argument)

    def get(self, position: int | None, keyword: str | None) -> SgNode | None:
        if position is not None and position < len(self.positional):
            return self.positional[position]
        if keyword is not None:
            return self.keywords.get(keyword)
        return None

    def given_positionally(self, position: int | None) -> bool:
        return position is not None and position < len(self.positional)
