"""The gradient-clipping family (TMS1xx, TMS2xx): what a clip call clips, its bounds, what
happens to its result, and PyTorch's clipping left in MindSpore code."""

# FAMILY is in family.py: importing this package (for its facts module, which the rule cache's
# facts and the model's ``known`` need) imports none of the family's analysis.
