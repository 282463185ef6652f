"""The divergence family (TMS3xx): MindSpore APIs that keep torch's names but not torch's
meaning (a dropout's keep probability, BatchNorm's momentum, pooling's stride, sampling with
replacement, values-only reductions, (index, value) outputs)."""

# FAMILY is in family.py: importing this package (for its facts module, which the rule cache's
# facts and the model's ``known`` need) imports none of the family's analysis.
