"""The divergence family's conditions, as one table: the order is the evaluation order, the
values come from the vocabularies the views answer with, and the facts each one reads are what a rule's docs
page lists under "Options"."""

from __future__ import annotations

from .. import attribute_condition
from .values import Dropout, Momentum, Order, Reduction, Replacement, Stride, StrideEvidence
from .views import DivergenceCall, OutputUnpacking, ReductionSubscript

VIEWS = (DivergenceCall, ReductionSubscript, OutputUnpacking)

# `other` (not this API at all) is an answer, not a value a rule may ask for.
CONDITIONS = (
    # Each call condition first resolves which API the call builds, then reads its arguments.
    attribute_condition("dropout", Dropout, VIEWS, facts=("keep-prob-dropouts",), unaskable=(Dropout.OTHER,)),
    attribute_condition("momentum", Momentum, VIEWS, facts=("batch-norms",), unaskable=(Momentum.OTHER,)),
    attribute_condition("stride", Stride, VIEWS, facts=("stride-one-pools",), unaskable=(Stride.OTHER,)),
    # Which stride the model's own shapes (or the file's habits) say a pool without one is for.
    attribute_condition("evidence", StrideEvidence, VIEWS,
                        facts=("stride-one-pools", "shape-windows", "shape-keeping", "shape-flattens",
                               "shape-reshapes", "shape-reshape-methods", "shape-flatten-methods",
                               "shape-denses", "shape-sequences", "torch-habits"),
                        unaskable=(StrideEvidence.OTHER,)),
    attribute_condition("replacement", Replacement, VIEWS, facts=("replacement-samplers",),
                        unaskable=(Replacement.OTHER,)),
    # x.max(axis=1)[0]: which overload, and whether the receiver is a MindSpore tensor.
    attribute_condition("reduction", Reduction, VIEWS, facts=("values-only-reductions",),
                        unaskable=(Reduction.OTHER,)),
    # How the (index, value) output of ArgMaxWithValue is unpacked.
    attribute_condition("order", Order, VIEWS,
                        facts=("index-value-reductions", "argmax-index-names", "argmax-value-names")),
)
