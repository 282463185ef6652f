"""The pairs family's ``FAMILY``: its conditions, facts, analysis and messages, as the registry
(``families.family``) imports them on the family's first use."""

from .. import Family
from . import facts, messages
from .analysis import PairAnalysis
from .conditions import CONDITIONS
from .originals import may_align_file

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
    gate=may_align_file,
)
