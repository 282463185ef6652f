"""What one matched node means to the divergence rules. Each property is computed on first use
and answers with a term of its condition's vocabulary (values.py); the conditions read them."""

from __future__ import annotations

from ...astgrep import SgNode
from ...records import cached_property
from ...semantics import constants, nodes
from ...semantics.nodes import Arguments
from ..fact_loading import Slot
from . import messages
from .analysis import DivergenceAnalysis, Origin
from .values import HALF, Dropout, Momentum, Order, Reduction, Replacement, Stride, StrideEvidence


class DivergenceCall:
    """A call that may build a MindSpore API whose defaults or arguments diverge from torch's."""

    def __init__(self, analysis: DivergenceAnalysis, node: SgNode) -> None:
        self.analysis = analysis
        self.facts = analysis.facts
        self.node = node
        self.arguments = Arguments(node)
        arguments = node.field("arguments")
        # *args hides which positions the later arguments take.
        self.positions_known = arguments is None or arguments.find(kind="list_splat") is None

    def argument(self, slot: Slot | None) -> SgNode | None:
        return self.arguments.get(slot.position, slot.keyword) if slot is not None else None

    # ---- dropout
    @cached_property
    def dropout_api(self):
        return self.analysis.api(self.node, self.facts.dropouts)

    @cached_property
    def keep_prob_argument(self) -> SgNode | None:
        api = self.dropout_api
        if api is None or not self.arguments.given_positionally(api.keep_prob.position):
            return None
        return self.arguments.positional[api.keep_prob.position]

    @cached_property
    def dropout(self) -> Dropout:
        api = self.dropout_api
        if api is None:
            return Dropout.OTHER
        if not self.positions_known:
            return Dropout.UNKNOWN
        if self.keep_prob_argument is None or (api.rate is not None and api.rate.keyword in self.arguments.keywords):
            return Dropout.NOT_POSITIONAL  # keep_prob= or p= (which MindSpore then uses), or the default
        value = self.analysis.number(self.keep_prob_argument)
        if value is None and self.rate_guard is not None:
            return Dropout.GUARDED_RATE
        if value is None or not 0 < value <= 1:
            return Dropout.UNKNOWN  # 0 and below raise in MindSpore: loud, not silent
        return Dropout.RATE_AS_KEEP_PROB if value < HALF else Dropout.KEEP_PROB

    @cached_property
    def rate_guard(self) -> SgNode | None:
        """The condition around the call that proves its unknown value a rate: ``if p:``,
        ``if p > 0``, ``if p != 0``, ``p > 0. and ...``, ``... if p else ...``. Nobody guards a
        keep probability against 0 (MindSpore refuses one); a rate of 0 means no dropout."""
        argument = self.keep_prob_argument
        if argument is None:
            return None
        argument = nodes.unparenthesize(argument)
        if argument.kind() not in ("identifier", "attribute") or "keep" in argument.text().lower():
            return None  # a keep_prob guarded against 0 is still a keep probability
        for condition in nodes.holding_conditions(self.node):
            tested = _tested_against_zero(condition)
            if tested is not None and self.analysis.same_value(tested, argument):
                return condition
        return None

    # ---- batch norm
    @cached_property
    def batch_norm_api(self):
        return self.analysis.api(self.node, self.facts.batch_norms)

    @cached_property
    def momentum_argument(self) -> SgNode | None:
        return self.argument(self.batch_norm_api.momentum) if self.batch_norm_api else None

    @cached_property
    def eps_argument(self) -> SgNode | None:
        return self.argument(self.batch_norm_api.eps) if self.batch_norm_api else None

    @cached_property
    def momentum(self) -> Momentum:
        api = self.batch_norm_api
        if api is None:
            return Momentum.OTHER
        if not self.positions_known:
            return Momentum.UNKNOWN
        frozen = self.argument(api.frozen)
        if frozen is not None and nodes.unparenthesize(frozen).text() == "False":
            return Momentum.FROZEN
        if self.momentum_argument is None:
            # **kwargs may hold one; without, MindSpore's own default (0.9) applies.
            return Momentum.UNKNOWN if self.arguments.opaque else Momentum.MINDSPORE_CONVENTION
        value = self.analysis.number(self.momentum_argument)
        if value is None or not 0 <= value <= 1:
            return Momentum.UNKNOWN
        if value >= HALF:
            return Momentum.MINDSPORE_CONVENTION
        if self.swapped_with_eps:
            return Momentum.SWAPPED_WITH_EPS
        if self.analysis.test_weights_batch_statistic(self.node, 1 - value):
            return Momentum.ASSERTED_BY_TEST
        return Momentum.TORCH_CONVENTION

    @cached_property
    def swapped_with_eps(self) -> bool:
        """(c, 0.9, 1e-5): eps at least 0.5 (no one means such an epsilon), both positional."""
        api = self.batch_norm_api
        if api is None or not (self.arguments.given_positionally(api.eps.position)
                               and self.arguments.given_positionally(api.momentum.position)):
            return False
        eps = self.analysis.number(self.eps_argument)
        return eps is not None and HALF <= eps <= 1

    # ---- pooling
    @cached_property
    def pool_api(self):
        return self.analysis.api(self.node, self.facts.pools)

    @cached_property
    def kernel_argument(self) -> SgNode | None:
        return self.argument(self.pool_api.kernel) if self.pool_api else None

    @cached_property
    def kernel(self) -> tuple[float, ...] | None:
        return self.analysis.numbers(self.kernel_argument) if self.kernel_argument is not None else None

    @cached_property
    def stride(self) -> Stride:
        api = self.pool_api
        if api is None:
            return Stride.OTHER
        if not self.positions_known:
            return Stride.UNKNOWN
        if self.argument(api.stride) is not None:
            return Stride.GIVEN
        if self.arguments.opaque:
            return Stride.UNKNOWN  # **kwargs may hold the stride
        padding_mode = self.argument(api.padding_mode)
        if padding_mode is not None:
            mode = self.analysis.string(padding_mode)
            if mode is None:
                return Stride.UNKNOWN
            if mode.lower() == "same":
                return Stride.SAME_PADDING
        if self.kernel_argument is None:
            return Stride.KERNEL_ONE  # MindSpore's default kernel is 1
        kernel = self.kernel
        if kernel is None:
            return Stride.UNKNOWN  # a global pool's kernel comes from the input's shape
        return Stride.DEFAULTS_TO_ONE if any(size > 1 for size in kernel) else Stride.KERNEL_ONE

    @cached_property
    def evidence(self) -> StrideEvidence:
        if self.stride != Stride.DEFAULTS_TO_ONE:
            return StrideEvidence.OTHER
        return self.analysis.shapes.evidence(self.node)

    # ---- sampling
    @cached_property
    def sampler_api(self):
        return self.analysis.api(self.node, self.facts.samplers)

    @cached_property
    def samples_argument(self) -> SgNode | None:
        return self.argument(self.sampler_api.samples) if self.sampler_api else None

    @cached_property
    def replacement(self) -> Replacement:
        api = self.sampler_api
        if api is None:
            return Replacement.OTHER
        if not self.positions_known:
            return Replacement.UNKNOWN
        if self.argument(api.replacement) is not None:
            return Replacement.GIVEN
        if self.arguments.opaque:
            return Replacement.UNKNOWN
        samples = self.analysis.number(self.samples_argument)
        if samples is None:
            return Replacement.UNKNOWN
        return Replacement.DEFAULTED if samples > 1 else Replacement.ONE_SAMPLE

    def judged_values(self, conditions) -> tuple[SgNode | None, ...]:
        """The arguments whose values the rule's ``conditions`` were decided on (what its fix relies on)."""
        if "dropout" in conditions:
            return (self.keep_prob_argument,)
        if "momentum" in conditions:
            return (self.momentum_argument, self.eps_argument if self.swapped_with_eps else None)
        if "stride" in conditions:
            return (self.kernel_argument,)
        if "replacement" in conditions:
            return (self.samples_argument,)
        return ()

    def source_fix(self) -> tuple[SgNode, str] | None:
        """TMS302's safe fix where the momentum comes from: a parameter whose default is a number
        and that nothing but this argument reads gets the converted default (``momentum=0.1``
        becomes ``momentum=0.9``). Callers that pass their own value are unchanged; those that
        rely on the default get MindSpore's reading of it."""
        if self.batch_norm_api is None or self.momentum != Momentum.TORCH_CONVENTION:
            return None
        argument = nodes.unparenthesize(self.momentum_argument)
        model = self.analysis.model
        binding, count = model.resolve_name(argument) if argument.kind() == "identifier" else (None, 0)
        if binding is None or count != 1 or binding.parameter is None or binding.default is None:
            return None
        default = nodes.unparenthesize(binding.default)
        if default.kind() not in messages.NUMBER_LITERAL:
            return None
        if model.name_uses(binding.function, argument.text()).reads != [argument]:
            return None  # another read of the parameter would see the new default too
        return binding.default, messages.complement(binding.default)

    def variables(self, exact: bool = False) -> dict[str, str]:
        return messages.call_variables(self, exact)


def _tested_against_zero(condition: SgNode) -> SgNode | None:
    """What ``x``, ``x > 0``, ``x != 0`` or ``0 < x`` tests to be non-zero (a positive rate)."""
    condition = nodes.unparenthesize(condition)
    if condition.kind() in ("identifier", "attribute"):
        return condition
    if condition.kind() != "comparison_operator":
        return None
    operands = [child for child in condition.named_children() if child.kind() != "comment"]
    operators = [child.text() for child in condition.children() if not child.is_named()]
    if len(operands) != 2 or len(operators) != 1:
        return None
    left, right = (nodes.unparenthesize(operand) for operand in operands)
    if operators[0] in (">", "!=") and constants.number(right.text()) == 0:
        return left
    if operators[0] in ("<", "!=") and constants.number(left.text()) == 0:
        return right
    return None


class ReductionSubscript:
    """``x.max(axis=1)[0]``: a subscript of a values-only reduction."""

    def __init__(self, analysis: DivergenceAnalysis, node: SgNode) -> None:
        self.analysis = analysis
        self.facts = analysis.facts
        self.node = node
        self.call = nodes.unparenthesize(node.field("value"))
        callee = self.call.field("function") if self.call.kind() == "call" else None
        self.callee = callee if callee is not None and callee.kind() == "attribute" else None
        self.method = self.callee.field("attribute").text() if self.callee is not None else ""
        self.arguments = Arguments(self.call) if self.call.kind() == "call" else None
        subscripts = [child for child in node.field_children("subscript") if child.kind() != "comment"]
        self.index = constants.integer(subscripts[0]) if len(subscripts) == 1 else None

    @cached_property
    def reduction(self) -> Reduction:
        if self.callee is None or self.method not in self.facts.reduction_methods or self.arguments is None:
            return Reduction.OTHER
        if self.arguments.opaque or self.index not in (0, 1):
            return Reduction.UNKNOWN
        receiver = self.callee.field("object")
        qualified = self.analysis.model.qualified_name(receiver)
        if qualified is not None and not qualified.endswith("()"):
            return Reduction.OTHER  # ops.max(x, axis=1): a module's function, not the Tensor method
        indices = self.arguments.keywords.get(self.facts.reduction_indices)
        if indices is not None:
            given = constants.truth(indices)
            if given is None:
                return Reduction.UNKNOWN
            if given:
                return Reduction.WITH_INDICES
        if self.analysis.origin(receiver) != Origin.MINDSPORE:
            return Reduction.UNKNOWN  # numpy means what it says; torch takes axis= as dim=
        return Reduction.VALUES_INDEXED

    def variables(self, exact: bool = False) -> dict[str, str]:
        return messages.reduction_variables(self, exact)


class OutputUnpacking:
    """``index, value = ops.ArgMaxWithValue(axis=1)(x)``: an assignment that unpacks the output
    of a primitive returning (index, value). The finding sits on the assignment, whose names
    are wrong."""

    def __init__(self, analysis: DivergenceAnalysis, node: SgNode) -> None:
        self.analysis = analysis
        self.facts = analysis.facts
        self.node = node
        left = node.field("left")
        self.targets = nodes.unpacked_targets(left) if left is not None else None
        right = node.field("right")
        self.unpacked_call = nodes.unparenthesize(right) if right is not None else None

    @cached_property
    def callee(self) -> SgNode | None:
        call = self.unpacked_call
        return call.field("function") if call is not None and call.kind() == "call" else None

    @cached_property
    def target_roles(self) -> tuple[str | None, str | None]:
        """What each name says it holds: 'index', 'value' or None."""
        return tuple(self._role(target) for target in self.targets)  # type: ignore[return-value]

    def _role(self, target: SgNode) -> str | None:
        if target.kind() != "identifier":
            return None
        model = self.analysis.model
        if model.matches_names(target, self.facts.index_names):
            return "index"  # an index name wins: max_idx is an index
        return "value" if model.matches_names(target, self.facts.value_names) else None

    @cached_property
    def order(self) -> Order:
        if self.targets is None or len(self.targets) != 2 or self.callee is None:
            return Order.UNKNOWN
        if self.analysis.model.qualified_name(self.callee) not in self.facts.index_value_reductions:
            return Order.UNKNOWN
        first, second = self.target_roles
        if first == "index" or second == "value":
            return Order.INDEX_VALUE
        if first == "value" or second == "index":
            return Order.VALUE_INDEX_SWAPPED
        return Order.UNKNOWN

    def variables(self, exact: bool = False) -> dict[str, str]:
        return messages.unpacking_variables(self, exact)
