"""What one matched node means to the clipping rules. Each property is computed on first use,
so a rule that needs only the callee never pays for dataflow; the conditions read them."""

from __future__ import annotations

import math

from ...astgrep import SgNode
from ...records import FrozenRecord, cached_property
from ...semantics import bindings, nodes
from ...semantics.model import receiving_call
from ...semantics.nodes import Arguments, unpacked_targets
from . import messages
from .dataflow import ClippingAnalysis
from .facts import ClipFunction, Slot
from .values import (Bounds, Callee, Clipped, Kind, Operand, Result, TupleOf, UnpackingKind,
                     holds_non_gradients)
from ..fact_loading import last


class BoundsVerdict(FrozenRecord):
    __slots__ = _fields = ("kind", "equal_values")

    def __init__(self, kind: Bounds, equal_values: bool = False) -> None:
        self.kind = kind
        # `low = c; high = c; clip(x, low, high)` or `clip(x, 0.5, 1 / 2)`: the texts differ, the
        # values are the same, so a fix that swaps the two would change nothing.
        self.equal_values = equal_values


class ClipCall:
    """A call to a clip function (or to PyTorch's clipping)."""

    def __init__(self, analysis: ClippingAnalysis, node: SgNode) -> None:
        self.analysis = analysis
        self.model = analysis.model
        self.node = node
        self.arguments = Arguments(node)
        self._stored_reads: tuple[SgNode, str, list[tuple[int, int]]] | None = None  # see _stored_result

    @cached_property
    def qualified(self) -> str | None:
        return self.model.qualified_name(self.node.field("function"))

    @cached_property
    def function(self) -> ClipFunction | None:
        return self.analysis.facts.clip_functions.get(self.qualified) if self.qualified else None

    @cached_property
    def callee(self) -> Callee:
        if self.function is not None:
            return Callee.CLIP_FUNCTION
        return Callee.TORCH_CLIPPING if self._is_torch_clipping() else Callee.OTHER

    def _is_torch_clipping(self) -> bool:
        facts = self.analysis.facts
        qualified = self.qualified
        if qualified in facts.torch_functions:
            return True
        if qualified and qualified.split(".")[0] == "mindspore" and last(qualified) in facts.torch_names:
            return True
        parts = nodes.dotted(self.node.field("function")) or []
        return (len(parts) >= 3 and parts[-1] in facts.grad_methods
                and (parts[-2] == "grad" or parts[-3:-1] == ["grad", "data"]))

    def _argument(self, slot: Slot | None) -> SgNode | None:
        return self.arguments.get(slot.position, slot.keyword) if slot else None

    @cached_property
    def operand(self) -> Operand:
        """A torch object of this module when PyTorch clipping provably acts on one."""
        callee = self.node.field("function")
        if callee.kind() == "attribute" and callee.field("attribute").text() in self.analysis.facts.grad_methods:
            target = callee.field("object")  # p.grad.clamp_(...): the tensor it is called on
        else:
            target = self.arguments.get(0, "parameters")
        return Operand.TORCH_OBJECT if target is not None and self.analysis.from_torch(target) else Operand.OTHER

    @cached_property
    def value(self) -> SgNode | None:
        return self._argument(self.function.value) if self.function else None

    @cached_property
    def value_kind(self) -> object:
        return self.analysis.classify(self.value)

    @cached_property
    def clipped(self) -> Clipped:
        kind = self.value_kind
        if kind == Kind.GRADIENTS:
            return Clipped.GRADIENTS
        if kind == Kind.PARAMETERS:
            return Clipped.PARAMETERS
        if holds_non_gradients(kind):
            return Clipped.WHOLE_GRAD_OUTPUT if isinstance(kind, TupleOf) else Clipped.OTHER
        if kind in (Kind.UNKNOWN, Kind.DATA) and self.feeds_optimizer:
            return Clipped.GRADIENTS  # what is clipped and then applied by an optimizer was gradients
        return Clipped.OTHER if kind == Kind.DATA else Clipped.UNKNOWN

    @cached_property
    def feeds_optimizer(self) -> bool:
        """The clipped result goes to an optimizer call: directly, through a comprehension or a
        tuple around it, or through the local name it is stored in."""
        node, parent = self.node, self.node.parent()
        around = ("parenthesized_expression", "list", "tuple", "list_comprehension", "generator_expression")
        while parent is not None and parent.kind() in around:
            if parent.kind() in ("list_comprehension", "generator_expression") and (
                    parent.field("body") is None or parent.field("body") != node):
                return False
            node, parent = parent, parent.parent()
        if parent is None:
            return False
        if parent.kind() in ("keyword_argument", "argument_list"):
            return self.analysis.is_optimizer_call(receiving_call(node))
        if parent.kind() == "assignment" and parent.field("left").kind() == "identifier":
            target = parent.field("left")
            scope = nodes.enclosing_scope(target)
            return bindings.any_in(self.analysis.read_positions(scope, target.text(), "optimizer"),
                                   self._read_windows(target))
        return False

    def _read_windows(self, target: SgNode) -> list[tuple[int, int]]:
        """Where a read sees the value stored in ``target``: after the statement, or anywhere in a
        loop around it (the next iteration). Every loop around it counts, not only the innermost:
        an outer loop's next iteration reads, before it reaches the inner loop again, what the
        inner loop stored last. The climb stops at a for loop whose own variable is the name."""
        windows = [(nodes.end(target.parent()), math.inf)]
        for ancestor in target.ancestors():
            if ancestor.kind() in nodes.FUNCTION_KINDS:
                break
            if ancestor.kind() == "while_statement":  # its condition is read again on each iteration
                windows.append((nodes.start(ancestor), nodes.end(ancestor)))
            elif ancestor.kind() == "for_statement":
                if target.text() in bindings.target_names(ancestor.field("left")):
                    # `for g in grads: g = clip(g)`: the next iteration rebinds g before any read,
                    # and every clipped value but the last is lost: the loop-variable mistake, read
                    # only in the rest of its iteration and after the statement.
                    break
                # Its iterable is read once, before its first iteration: the window is its body.
                windows.append((nodes.start(ancestor.field("body")), nodes.end(ancestor)))
        return windows

    @cached_property
    def iterated_name(self) -> bool:
        """The clipped value is the variable of a for loop around the call, rebound by each
        iteration: storing the result back in it clips nothing anyone reads."""
        if self.value is None or self.value.kind() != "identifier":
            return False
        for ancestor in self.node.ancestors():
            if ancestor.kind() in nodes.FUNCTION_KINDS:
                return False
            if ancestor.kind() == "for_statement" and self.value.text() in bindings.target_names(
                    ancestor.field("left")):
                return True
        return False

    @cached_property
    def bound_nodes(self) -> tuple[SgNode | None, SgNode | None]:
        function = self.function
        if function is None:
            return None, None
        low, high = self._argument(function.minimum), self._argument(function.maximum)
        return (None if low is None or low.kind() == "none" else low,
                None if high is None or high.kind() == "none" else high)

    @cached_property
    def bounds(self) -> Bounds:
        return self.bounds_verdict.kind

    @cached_property
    def bounds_verdict(self) -> BoundsVerdict:
        function = self.function
        if function is None or (function.minimum is None and function.maximum is None):
            return BoundsVerdict(Bounds.NONE)
        if self.arguments.opaque:
            return BoundsVerdict(Bounds.UNKNOWN)
        low, high = self.bound_nodes
        if low is None and high is None:
            return BoundsVerdict(Bounds.MISSING)
        if function.minimum is None or function.maximum is None:
            return BoundsVerdict(Bounds.ONE_SIDED)
        if low is not None and high is not None:
            return self._both_bounds(low, high)
        if (low is not None and self.arguments.given_positionally(function.minimum.position)
                and len(self.arguments.positional) == function.minimum.position + 1 and not self.arguments.keywords):
            return BoundsVerdict(Bounds.SINGLE_POSITIONAL)
        return BoundsVerdict(Bounds.ONE_MISSING)

    def _both_bounds(self, low: SgNode, high: SgNode) -> BoundsVerdict:
        if nodes.tokens(nodes.unparenthesize(low)) == nodes.tokens(nodes.unparenthesize(high)):
            return BoundsVerdict(Bounds.EMPTY_OR_INVERTED)
        low_value, high_value = self.analysis.constant(low), self.analysis.constant(high)
        if low_value is not None and high_value is not None:
            if low_value >= high_value:
                return BoundsVerdict(Bounds.EMPTY_OR_INVERTED, equal_values=low_value == high_value)
            return BoundsVerdict(Bounds.MIRRORED if low_value == -high_value else Bounds.ASYMMETRIC)
        if mirrors(low, high):
            return BoundsVerdict(Bounds.MIRRORED)
        if low_value == 0 or high_value == 0:
            return BoundsVerdict(Bounds.ASYMMETRIC)  # [0, c] is one-sided for any c (and empty when c is 0)
        # Names bound once to expressions: `low = -clip_value; high = clip_value`.
        low_source, high_source = self.model.stable_expression(low), self.model.stable_expression(high)
        if low_source != nodes.unparenthesize(low) or high_source != nodes.unparenthesize(high):
            # Equal text is an empty range only when nothing in it can change in between
            # (no attribute or item that a call could rebind).
            if nodes.tokens(low_source) == nodes.tokens(high_source) and low_source.find(
                    any=[{"kind": "attribute"}, {"kind": "subscript"}]) is None and low_source.kind() not in (
                    "attribute", "subscript"):
                return BoundsVerdict(Bounds.EMPTY_OR_INVERTED, equal_values=True)
            if mirrors(low_source, high_source):
                return BoundsVerdict(Bounds.MIRRORED)
        return BoundsVerdict(Bounds.UNKNOWN)

    @cached_property
    def result(self) -> Result:
        settled = self.settled_result
        return settled if settled is not None else self._read_result()

    @cached_property
    def settled_result(self) -> Result | None:
        """``result``, or None for a value stored in a local name and read afterwards: that one is
        WRITTEN_TO_PARAMETERS when a read passes it to a parameter writer, else USED, and telling
        which takes a look at every read (the result condition asks only when it wants one of them)."""
        parent = self.node.parent()
        while parent is not None and parent.kind() == "parenthesized_expression":
            parent = parent.parent()
        if parent is None:
            return Result.USED
        if parent.kind() == "expression_statement":
            return Result.DROPPED_BY_SMOKE_TEST if self._smoke_test() else Result.DISCARDED
        if parent.kind() == "keyword_argument":
            parent = parent.parent()
        if parent.kind() == "argument_list" and self.analysis.writes_parameters(parent.parent()):
            return Result.WRITTEN_TO_PARAMETERS
        if parent.kind() == "assignment" and parent.field("left").kind() == "identifier":
            return self._stored_result(parent.field("left"))
        return Result.USED

    def _smoke_test(self) -> bool:
        """In a test (a ``test...`` function, or a ``test_*.py`` / ``*_test.py`` file), on a
        tensor built from literals alone: the call is what is tested."""
        function = nodes.enclosing_scope(self.node)
        path = (self.model.path or "").replace("\\", "/").rsplit("/", 1)[-1]
        in_test = (function.kind() == "function_definition" and function.field("name").text().startswith("test")) \
            or path.startswith("test_") or path.endswith("_test.py")
        return in_test and self.value is not None and self._literal_built(self.value)

    def _literal_built(self, node: SgNode, depth: int = 0) -> bool:
        """Built from literals and imported names only: ``Tensor(np.array([[1.0, 2.0]]))``,
        ``ms.Tensor(np.random.rand(3, 4).astype(np.float32))``, or a name bound once to one."""
        node = nodes.unparenthesize(node)
        kind = node.kind()
        if depth > nodes.MAX_EXPRESSION_DEPTH:
            return False
        if kind in ("integer", "float", "string", "true", "false", "none"):
            return True
        if kind in ("list", "tuple", "unary_operator", "binary_operator", "keyword_argument", "argument_list"):
            children = [child for child in node.named_children() if child.kind() != "comment"]
            if kind == "keyword_argument":
                children = [node.field("value")]
            return all(self._literal_built(child, depth + 1) for child in children)
        if kind == "attribute" and self.model.qualified_name(node) is not None \
                and "()" not in self.model.qualified_name(node):
            return True  # np.float32, ms.float32
        if kind == "identifier":
            binding = self.model.only_binding(node)
            if binding is not None and binding.plain and binding.source is not None:
                return self._literal_built(binding.source, depth + 1)
            qualified = self.model.qualified_name(node)
            return qualified is not None and "()" not in qualified and binding is None
        if kind == "call":
            callee = node.field("function")
            if callee.kind() == "attribute" and nodes.unparenthesize(callee.field("object")).kind() == "call":
                receiver_ok = self._literal_built(callee.field("object"), depth + 1)  # np.ones(3).astype(...)
            else:
                qualified = self.model.qualified_name(callee)
                receiver_ok = qualified is not None and "()" not in qualified
            arguments = node.field("arguments")
            return receiver_ok and arguments is not None and self._literal_built(arguments, depth + 1)
        return False

    def _stored_result(self, target: SgNode) -> Result | None:
        scope = nodes.enclosing_scope(target)
        if scope.kind() == "module":
            return Result.USED  # a module-level name may be imported elsewhere
        name = target.text()
        uses = self.model.name_uses(scope, name)
        if uses.declared_global:
            return Result.USED
        windows = self._read_windows(target)
        if not bindings.any_in(uses.positions, windows):
            return Result.NEVER_READ
        self._stored_reads = (scope, name, windows)
        return None

    def _read_result(self) -> Result:
        """``result`` for a value stored in a local name and read afterwards (settled_result None)."""
        scope, name, windows = self._stored_reads
        if bindings.any_in(self.analysis.read_positions(scope, name, "writer"), windows):
            return Result.WRITTEN_TO_PARAMETERS
        return Result.USED

    def judged_values(self, conditions) -> tuple[SgNode | None, ...]:
        """The bounds, when the rule's ``conditions`` were decided on their values (an inverted
        range); the other verdicts rest on which bounds are written, whatever they hold."""
        return self.bound_nodes if "bounds" in conditions and self.bounds == Bounds.EMPTY_OR_INVERTED else ()

    def variables(self, exact: bool = False) -> dict[str, str]:
        return messages.clip_call_variables(self, exact)


class Unpacking:
    """An assignment that unpacks a call's output into names: ``grads, loss = grad_fn(x, y)``.

    The finding sits on the assignment, so it points at the names that are wrong, not at the
    call (which is right)."""

    def __init__(self, analysis: ClippingAnalysis, node: SgNode) -> None:
        self.analysis = analysis
        self.model = analysis.model
        self.node = node
        left = node.field("left")
        self.targets = unpacked_targets(left) if left is not None else None
        right = node.field("right")
        self.unpacked_call = nodes.unparenthesize(right) if right is not None else None

    @cached_property
    def unpacking(self) -> UnpackingKind:
        call = self.unpacked_call
        if self.targets is None or len(self.targets) != 2 or call is None or call.kind() != "call":
            return UnpackingKind.OTHER
        # The names first: they are cheap, and in most unpackings (`loss, grads = ...`, the right
        # order) they already say no, before the call's output is classified.
        first, second = self.targets
        facts = self.analysis.facts
        if not self.model.matches_names(first, facts.gradient_names):
            return UnpackingKind.OTHER
        value_target = second
        if second.kind() in nodes.TARGET_PATTERN_KINDS:  # grads, (loss, logits) = ...
            inner = unpacked_targets(second)
            value_target = inner[0] if inner else second
        if not self.model.matches_names(value_target, facts.value_names):
            return UnpackingKind.OTHER
        output = self.analysis.classify(call)
        # value_and_grad returns (value, grads), or ((value, aux), grads) with has_aux=True.
        if isinstance(output, TupleOf) and len(output.items) == 2 and output.items[1] == Kind.GRADIENTS:
            return UnpackingKind.VALUE_AND_GRAD_SWAPPED
        return UnpackingKind.OTHER

    def variables(self, exact: bool = False) -> dict[str, str]:
        return messages.unpacking_variables(self, exact)


def mirrors(low: SgNode, high: SgNode, depth: int = 0) -> bool:
    """True when ``low`` is ``high`` with exactly one subexpression negated (``-E`` against ``E``)."""
    if depth > nodes.MAX_EXPRESSION_DEPTH:
        return False
    low, high = nodes.unparenthesize(low), nodes.unparenthesize(high)
    if low.kind() == "unary_operator" and low.field("operator").text() == "-":
        if nodes.tokens(nodes.unparenthesize(low.field("argument"))) == nodes.tokens(high):
            return True
    low_children, high_children = low.children(), high.children()
    if low.kind() != high.kind() or len(low_children) != len(high_children) or not low_children:
        return False
    different = [(a, b) for a, b in zip(low_children, high_children) if nodes.tokens(a) != nodes.tokens(b)]
    return len(different) == 1 and mirrors(*different[0], depth + 1)
