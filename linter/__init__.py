"""flake8-torch2ms: catch the mistakes of code ported from PyTorch to MindSpore (gradient clipping,
and MindSpore APIs that keep torch's names but not their meaning)."""

__version__ = "0.1.0"
