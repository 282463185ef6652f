"""The pairs family (TMS4xx, port-pair mode): a MindSpore port checked against the PyTorch code it
was ported from. Active only when an original tree is configured (``Pairing``); its analysis
aligns the port with the original and compares each aligned call's parameters in their
conventions. A call a divergence (TMS3xx) rule reports gets no second finding."""

# FAMILY is in family.py: importing this package (for its facts module, which the rule cache's
# facts and the model's ``known`` need) imports none of the family's analysis.
