"""The divergence family (TMS3xx): MindSpore APIs that keep torch's names but not torch's
meaning (a dropout's keep probability, BatchNorm's momentum, pooling's stride, sampling with
replacement, values-only reductions, (index, value) outputs)."""

from .. import Family
from . import facts, messages
from .analysis import DivergenceAnalysis
from .conditions import CONDITIONS

FAMILY = Family(
    name="divergence",
    conditions=CONDITIONS,
    fact_keys=facts.FACT_KEYS,
    new_facts=facts.Facts,
    load_facts=facts.load_facts,
    analysis=DivergenceAnalysis,
    triggers=facts.triggers,
    structural_utils=facts.structural_utils,
    canonical=facts.canonical,
    known=facts.known,
    variables=messages.VARIABLES,
)
