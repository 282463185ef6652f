"""The variables a divergence rule's message and fix may use.

Messages get shortened one-line texts; fixes (``exact=True``) get the source text as it is. The
variables a fix uses (``$CALL_WITH_STRIDE``...) are the whole matched node rewritten, present only
when the rewrite is known in full.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...astgrep import SgNode
from ...records import LazyPattern
from ...semantics import nodes
from .. import shorten
from .values import Momentum

if TYPE_CHECKING:
    import decimal

NUMBER_LITERAL = ("integer", "float")
# Every variable the functions below may give (tests/test_config_errors.py checks they agree).
VARIABLES = frozenset({"CALLEE", "ARG", "VALUE", "DROPPED", "SUGGESTED", "CALL_WITH_KEYWORD", "MOMENTUM", "EPS",
                       "CALL_WITH_EPS_AND_MOMENTUM_SWAPPED", "CALL_WITH_MINDSPORE_MOMENTUM", "KERNEL", "STRIDE",
                       "CALL_WITH_STRIDE", "SAMPLES", "CALL_WITHOUT_REPLACEMENT", "EXPRESSION", "METHOD", "GOT",
                       "MEANT", "DIM_OVERLOAD", "FUNC", "SWAPPED", "TARGET"})
SIMPLE_EXPRESSION = LazyPattern(r"[\w.]+\Z")  # for a finding's message only


def call_variables(call, exact: bool) -> dict[str, str]:
    short = (lambda text: text) if exact else shorten
    callee = call.node.field("function")
    found = {"CALLEE": short(callee.text())}
    if call.dropout_api is not None and call.keep_prob_argument is not None:
        _dropout_variables(call, found, short)
    elif call.batch_norm_api is not None and call.momentum_argument is not None:
        _batch_norm_variables(call, found, short)
    elif call.pool_api is not None and call.kernel_argument is not None:
        found["KERNEL"] = describe(call.kernel_argument, call.kernel, short)
        found["STRIDE"] = short(call.kernel_argument.text())
        found["CALL_WITH_STRIDE"] = with_keyword(call.node, "stride", call.kernel_argument.text())
    elif call.sampler_api is not None and call.samples_argument is not None:
        value = call.analysis.number(call.samples_argument)
        found["SAMPLES"] = describe(call.samples_argument, (value,) if value is not None else None, short)
        found["CALL_WITHOUT_REPLACEMENT"] = with_keyword(call.node, "replacement", "False")
    return found


def _dropout_variables(call, found: dict[str, str], short) -> None:
    argument = call.keep_prob_argument
    value = call.analysis.number(argument)
    found["ARG"] = short(argument.text())
    found["VALUE"] = describe(argument, (value,) if value is not None else None, short)
    if value is not None:
        found["DROPPED"] = f"{round((1 - value) * 100)}%"
    elif call.rate_guard is not None:
        found["VALUE"] = f"{short(argument.text())} (a rate: `{short(call.rate_guard.text())}` guards it)"
        found["DROPPED"] = short(f"1 - {argument.text()}")
    rate = call.dropout_api.rate
    if rate is not None and rate.keyword:
        replacement = f"{rate.keyword}={argument.text()}"
    else:
        replacement = f"{call.dropout_api.keep_prob.keyword or 'keep_prob'}={complement(argument)}"
    found["SUGGESTED"] = short(replacement)
    found["CALL_WITH_KEYWORD"] = nodes.replaced(call.node, [(argument, replacement)])


def _batch_norm_variables(call, found: dict[str, str], short) -> None:
    momentum, eps = call.momentum_argument, call.eps_argument
    value = call.analysis.number(momentum)
    found["VALUE"] = describe(momentum, (value,) if value is not None else None, short)
    found["MOMENTUM"] = short(momentum.text())
    if eps is not None:
        found["EPS"] = short(eps.text())
    if call.momentum == Momentum.SWAPPED_WITH_EPS:
        fixed = nodes.replaced(call.node, [(eps, momentum.text()), (momentum, eps.text())])
        arguments = call.node.field("arguments")
        start = nodes.start(arguments) - nodes.start(call.node)
        found["SUGGESTED"] = short(fixed[start:].strip()[1:-1])  # the argument list, without its parentheses
        found["CALL_WITH_EPS_AND_MOMENTUM_SWAPPED"] = fixed
    else:
        converted = complement(momentum)
        found["SUGGESTED"] = short(converted)
        found["CALL_WITH_MINDSPORE_MOMENTUM"] = nodes.replaced(call.node, [(momentum, converted)])


def reduction_variables(subscript, exact: bool) -> dict[str, str]:
    short = (lambda text: text) if exact else shorten
    method = subscript.method
    plural = {"max": "maxima", "min": "minima"}.get(method, f"{method} values")
    singular = {"max": "maximum", "min": "minimum"}.get(method, f"{method} value")
    found = {"EXPRESSION": short(subscript.node.text()), "METHOD": method,
             "GOT": f"the {('first', 'second')[subscript.index]} {singular}" if subscript.index in (0, 1) else "?",
             "MEANT": f"the {plural}" if subscript.index == 0 else "the indices"}
    facts = subscript.facts
    arguments = subscript.arguments
    renames = {facts.reduction_axis: facts.reduction_dim, "keepdims": "keepdim"}
    if arguments is not None and not arguments.positional and not arguments.opaque and set(
            arguments.keywords) <= set(renames):
        keyword_names = [argument.field("name") for argument in subscript.call.field("arguments").named_children()
                         if argument.kind() == "keyword_argument"]
        fixed = nodes.replaced(subscript.node, [(name, renames[name.text()]) for name in keyword_names])
        found["SUGGESTED"] = short(fixed)
        found["DIM_OVERLOAD"] = fixed
    return found


def unpacking_variables(unpacking, exact: bool) -> dict[str, str]:
    short = (lambda text: text) if exact else shorten
    found = {"FUNC": short(unpacking.callee.text()) if unpacking.callee is not None else "?"}
    if unpacking.targets is not None and len(unpacking.targets) == 2:
        first, second = unpacking.targets
        found["SWAPPED"] = short(f"{second.text()}, {first.text()}")
        if unpacking.target_roles[0] == "value":
            found["TARGET"], found["GOT"] = first.text(), "indices"
        else:
            found["TARGET"], found["GOT"] = second.text(), "values"
    return found


def describe(node: SgNode, values: tuple[float, ...] | None, short) -> str:
    """``0.1`` for a literal; ``drop_rate = 0.2`` for anything else whose value is known."""
    inner = nodes.unparenthesize(node)
    if _is_number_literal(inner) or inner.kind() in ("tuple", "list") or values is None:
        return short(node.text())
    shown = format_number(values[0]) if len(values) == 1 else "(" + ", ".join(map(format_number, values)) + ")"
    return f"{short(node.text())} = {shown}"


def complement(node: SgNode) -> str:
    """``1 - x`` as source text: a literal computed exactly (0.1 -> 0.9), anything else spelled out."""
    inner = nodes.unparenthesize(node)
    if inner.kind() in NUMBER_LITERAL:
        from decimal import Decimal, InvalidOperation  # here: importing decimal costs every editor run 1 ms

        try:
            return _decimal_text(Decimal(1) - Decimal(inner.text().replace("_", "")))
        except InvalidOperation:
            pass
    text = node.text()
    return f"1 - {text}" if SIMPLE_EXPRESSION.match(text) else f"1 - ({text})"


def format_number(value: float) -> str:
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)


def _decimal_text(value: decimal.Decimal) -> str:
    return format(value.normalize(), "f")


def _is_number_literal(node: SgNode) -> bool:
    if node.kind() in NUMBER_LITERAL:
        return True
    return node.kind() == "unary_operator" and nodes.unparenthesize(node.field("argument")).kind() in NUMBER_LITERAL


def with_keyword(call: SgNode, keyword: str, value: str) -> str:
    """The call's text with ``keyword=value`` added after its last argument."""
    arguments = call.field("arguments")
    items = [item for item in arguments.named_children() if item.kind() != "comment"]
    text = call.text()
    base = nodes.start(call)
    if not items:
        at = nodes.start(arguments) - base + 1
        return f"{text[:at]}{keyword}={value}{text[at:]}"
    at = items[-1].range().end.index - base
    return f"{text[:at]}, {keyword}={value}{text[at:]}"
