"""The gradient-clipping family (TMS1xx, TMS2xx): what a clip call clips, its bounds, what
happens to its result, and PyTorch's clipping left in MindSpore code."""

from .. import Family
from . import facts, messages
from .conditions import CONDITIONS
from .dataflow import ClippingAnalysis

FAMILY = Family(
    name="clipping",
    conditions=CONDITIONS,
    fact_keys=facts.FACT_KEYS,
    new_facts=facts.Facts,
    load_facts=facts.load_facts,
    analysis=ClippingAnalysis,
    triggers=facts.triggers,
    structural_utils=facts.structural_utils,
    canonical=facts.canonical,
    known=facts.known,
    variables=messages.VARIABLES,
)
