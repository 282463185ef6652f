"""Realistic notebooks for the tests: a ported MindSpore training notebook as people write them,
with shell escapes, magics and help lines around the code (no third-party notebook is copied)."""

from __future__ import annotations

import json
from pathlib import Path


def code(*lines: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": list(lines)}


def markdown(*lines: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": list(lines)}


def notebook(*cells: dict) -> dict:
    return {"cells": list(cells), "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                                              "name": "python3"},
                                               "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


def write(path: Path, content: dict) -> Path:
    path.write_text(json.dumps(content, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# A tutorial-style notebook: the data download sits in an `if` whose body is only shell escapes,
# in the same cell as the MindSpore imports; every later cell depends on those imports.
TUTORIAL = notebook(
    markdown("# Fine-tuning a ResNet with MindSpore\n"),
    code("!pip install -q mindspore==2.10.0 \\\n",
         "    mindcv \\\n",
         "    download\n"),
    code("import os\n",
         "if not os.path.exists('./flowers'):\n",
         "    !wget -q https://example.invalid/flowers.zip\n",
         "    !unzip -q flowers.zip\n",
         "import mindspore as ms\n",
         "from mindspore import nn, ops\n",
         "%matplotlib inline\n"),
    code("images = !ls ./flowers | head -n 3\n",
         "print(images)\n"),
    markdown("## The training step\n"),
    code("def forward_fn(data, label):\n",
         "    logits = net(data)\n",
         "    return loss_fn(logits, label), logits\n",
         "\n",
         "grad_fn = ms.value_and_grad(forward_fn, None, optimizer.parameters, has_aux=True)\n",
         "\n",
         "def train_step(data, label):\n",
         "    (loss, _), grads = grad_fn(data, label)\n",
         "    clipped = ops.clip_by_global_norm(grads, 1.0)\n",
         "    optimizer(grads)\n",
         "    return loss\n"),
    code("ops.clip_by_value?\n"),
    code("%time loss = train_step(*next(loader))\n",
         "%timeit -n 3 train_step(*next(loader))\n"),
)
# (cell, line, column, code) of what the notebook holds: the dead store in train_step.
TUTORIAL_FINDINGS = [(6, 9, 15, "TMS108")]
