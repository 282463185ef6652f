"""Named semantic conditions that YAML rules refer to, one module per family of rules.

A family module provides ``NAME``, ``CONDITIONS`` (condition -> allowed values, or None for any
name), ``facts_read``, ``FACT_KEYS``, ``load_facts``, ``structural_utils``, ``triggers`` and
``ModuleAnalysis``. Only the clipping family exists so far.
"""

from . import clipping

FAMILIES = (clipping,)
