"""The divergence family's ``FAMILY``: its conditions, facts, analysis and messages, as the registry
(``families.family``) imports them on the family's first use."""

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
    aliases=facts.aliases,
    known=facts.known,
    variables=messages.VARIABLES,
)
