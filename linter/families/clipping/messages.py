"""The variables a clipping rule's message and fix may use ($FUNC, $VALUE, $MIN, ...).

Messages get shortened one-line texts; fixes (``exact=True``) need the source text as it is.
"""

from __future__ import annotations

import re

from ...astgrep import SgNode
from ...semantics import nodes
from .. import shorten
from .values import Callee, TupleOf, shape_text

# Every variable the functions below may give (tests/test_config_errors.py checks they agree).
VARIABLES = frozenset({"FUNC", "VALUE", "RESULT_TARGET", "VALUE_NAME", "MIN", "MAX", "BOUND", "GIVEN", "MISSING",
                       "SUGGESTED_MIN", "SUGGESTED_MAX", "SHAPE", "NAME", "TARGETS", "GRADS", "SWAPPED", "EFFECT"})


def clip_call_variables(call, exact: bool) -> dict[str, str]:
    short = (lambda text: text) if exact else shorten
    found = {"FUNC": short(call.node.field("function").text()),
             "VALUE": short(call.value.text()) if call.value is not None else "grads"}
    # Where a message suggests storing the result: back in the clipped value when that is a name or
    # an attribute of one (`grads`, `self.grads`), else in a new name (never `params() = ...`).
    assignable = call.value is not None and nodes.dotted(call.value) is not None
    found["RESULT_TARGET"] = found["VALUE"] if assignable else "clipped"
    if call.value is not None and call.value.kind() == "identifier" and not call.iterated_name \
            and call.model.bound_in_own_scope(call.value):
        # Only a plain name of this scope that nothing rebinds before it is read: a fix may assign to it.
        found["VALUE_NAME"] = call.value.text()
    low, high = call.bound_nodes
    if low is not None:
        found["MIN"] = short(low.text())
    if high is not None:
        found["MAX"] = short(high.text())
    if exact and call.bounds_verdict.equal_values:
        found.pop("MIN", None)  # no bound to swap in a fix: both hold the same value
        found.pop("MAX", None)
    given = high if high is not None else low
    if given is not None:
        found["BOUND"] = short(given.text())
        found["GIVEN"] = "maximum" if given is high else "minimum"
        found["MISSING"] = "minimum" if given is high else "maximum"
        # Suggest a symmetric range around the bound's magnitude.
        magnitude = strip_minus(given)
        found["SUGGESTED_MIN"] = short(negate(magnitude))
        found["SUGGESTED_MAX"] = short(magnitude)
    if call.callee == Callee.TORCH_CLIPPING:
        # torch's own function runs, on torch tensors; a torch name under mindspore, or a
        # parameter's .grad, does not exist in MindSpore: the line raises when it runs.
        torch_function = (call.qualified or "").startswith("torch.")
        found["EFFECT"] = ("clips torch tensors, never the MindSpore gradients" if torch_function
                           else "fails when it runs (MindSpore has no such function, and its parameters no .grad)")
    if isinstance(call.value_kind, TupleOf):
        found["SHAPE"] = shape_text(call.value_kind)
    parent = call.node.parent()
    if parent is not None and parent.kind() == "assignment":
        found["NAME"] = parent.field("left").text()
    return found


def unpacking_variables(unpacking, exact: bool) -> dict[str, str]:
    short = (lambda text: text) if exact else shorten
    left = unpacking.node.field("left").text()
    call = unpacking.unpacked_call
    function = call.field("function") if call is not None and call.kind() == "call" else None
    found = {"TARGETS": short(left), "FUNC": short(function.text()) if function is not None else "?"}
    if unpacking.targets is not None and len(unpacking.targets) == 2:
        first, second = unpacking.targets
        found["GRADS"] = first.text()
        found["SWAPPED"] = short(f"{second.text()}, {first.text()}")
    return found


def strip_minus(node: SgNode) -> str:
    node = nodes.unparenthesize(node)
    if node.kind() == "unary_operator" and node.field("operator").text() == "-":
        return node.field("argument").text()
    return node.text()


def negate(text: str) -> str:
    simple = re.fullmatch(r"[\w.]+", text)  # a name among them
    return f"-{text}" if simple else f"-({text})"
