"""The clipping family's ``FAMILY``: its conditions, facts, analysis and messages, as the registry
(``families.family``) imports them on the family's first use."""

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
    aliases=facts.aliases,
    known=facts.known,
    variables=messages.VARIABLES,
    helper_words=facts.helper_words,
)
