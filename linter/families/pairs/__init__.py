"""The pairs family (TMS4xx, port-pair mode): a MindSpore port checked against the PyTorch code it
was ported from. Active only when an original tree is configured (``Pairing``); its analysis
aligns the port with the original and compares each aligned call's parameters in their
conventions. A call a divergence (TMS3xx) rule reports gets no second finding."""

from .. import Family
from . import facts, messages
from .analysis import PairAnalysis
from .conditions import CONDITIONS

FAMILY = Family(
    name="pairs",
    conditions=CONDITIONS,
    fact_keys=facts.FACT_KEYS,
    new_facts=facts.Facts,
    load_facts=facts.load_facts,
    analysis=PairAnalysis,
    triggers=facts.triggers,
    structural_utils=facts.structural_utils,
    paired=True,
    yields_to=("divergence",),
    variables=messages.VARIABLES,
)
