"""The clipping family's conditions, as one table: the order is the evaluation order (the
cheapest and most selective first), the values come from the vocabularies the views answer with, and the
facts each one reads are what a rule's docs page lists under "Options"."""

from __future__ import annotations

from .. import Condition, attribute_condition
from .values import Bounds, Callee, Clipped, Operand, Result, UnpackingKind
from .views import ClipCall, Unpacking

VIEWS = (ClipCall, Unpacking)
# The two results of a value stored and read afterwards: telling them apart looks at every read.
READ_RESULTS = frozenset({Result.WRITTEN_TO_PARAMETERS.value, Result.USED.value})


def _result_holds(view: ClipCall | Unpacking, wanted: frozenset[str]) -> bool:
    """``result`` in ``wanted``; a stored value's reads are looked at only when ``wanted`` holds
    one of READ_RESULTS (clip-result-unused wants never-read: a read settles it)."""
    if not isinstance(view, ClipCall):
        return False
    settled = view.settled_result
    if settled is not None:
        return settled.value in wanted
    return not wanted.isdisjoint(READ_RESULTS) and view.result.value in wanted


CONDITIONS = (
    attribute_condition("callee", Callee, VIEWS,
                        facts={"clip-function": ("clip-functions",), "torch-clipping": ("torch-clipping",)},
                        unaskable=(Callee.OTHER,)),
    attribute_condition("bounds", Bounds, VIEWS, facts=("clip-functions",)),
    # A clipped value passed on to an optimizer was gradients: 'optimizers' is evidence too.
    attribute_condition("clipped", Clipped, VIEWS,
                        facts=("gradient-functions", "gradient-operations", "parameter-sources", "gradient-names",
                               "optimizers", "helper-maps")),
    # After clipped: clip-on-parameters asks both, and most clipped values are gradients, which
    # settles it before the result's reads are looked at.
    Condition("result", frozenset(member.value for member in Result), _result_holds, ("parameter-writers",)),
    # What PyTorch clipping acts on: a torch object made in this module (a parity test's torch
    # model) is torch code doing its job, not a leftover.
    attribute_condition("operand", Operand, VIEWS),
    # How the output of a gradient function is unpacked (rules matching an assignment).
    attribute_condition("unpacking", UnpackingKind, VIEWS,
                        facts=("gradient-functions", "gradient-names", "value-names")),
)
