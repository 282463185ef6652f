"""The pairs family's conditions, as one table (one condition: what a port call is next to its
original)."""

from __future__ import annotations

from .. import attribute_condition
from .values import Pair
from .views import PairCall

CONDITIONS = (
    attribute_condition("pair", Pair, (PairCall,), facts=("apis",),
                        unaskable=(Pair.OTHER, Pair.UNALIGNED, Pair.UNKNOWN, Pair.AGREES)),
)
