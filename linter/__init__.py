"""flake8-torch2ms: catch gradient-clipping mistakes in code ported from PyTorch to MindSpore."""

__version__ = "0.1.0"
