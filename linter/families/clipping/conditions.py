"""The clipping family's conditions, as one table: the order is the evaluation order (the
cheapest and most selective first), the values come from the vocabularies the views answer with, and the
facts each one reads are what a rule's docs page lists under "Options"."""

from __future__ import annotations

from .. import attribute_condition
from .values import Bounds, Callee, Clipped, Operand, Result, UnpackingKind
from .views import ClipCall, Unpacking

VIEWS = (ClipCall, Unpacking)

CONDITIONS = (
    attribute_condition("callee", Callee, VIEWS,
                        facts={"clip-function": ("clip-functions",), "torch-clipping": ("torch-clipping",)},
                        unaskable=(Callee.OTHER,)),
    attribute_condition("result", Result, VIEWS, facts=("parameter-writers",)),
    attribute_condition("bounds", Bounds, VIEWS, facts=("clip-functions",)),
    # A clipped value passed on to an optimizer was gradients: 'optimizers' is evidence too.
    attribute_condition("clipped", Clipped, VIEWS,
                        facts=("gradient-functions", "gradient-operations", "parameter-sources", "gradient-names",
                               "optimizers", "helper-maps")),
    # What PyTorch clipping acts on: a torch object made in this module (a parity test's torch
    # model) is torch code doing its job, not a leftover.
    attribute_condition("operand", Operand, VIEWS),
    # How the output of a gradient function is unpacked (rules matching an assignment).
    attribute_condition("unpacking", UnpackingKind, VIEWS,
                        facts=("gradient-functions", "gradient-names", "value-names")),
)
