"""What decides TMS303 for a pool without a stride, by class of evidence: the shape walk through a
SequentialCell or a construct (global pool, a Dense that fits one stride), where the walk must stop
(an unknown layer, an unknown size), a sibling pool that writes stride=1, and the file's torch
habits when nothing else decides. Each program has one pool without a stride, on the line of
``# <-``."""

import textwrap

import pytest
from ast_grep_py import SgRoot

from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.engine import Engine, FileContext
from flake8_torch2ms.families import BY_NAME


@pytest.fixture(scope="module")
def engine():
    return Engine(load_ruleset())


def evidence(engine, source: str) -> str:
    source = textwrap.dedent(source)
    tree = SgRoot(source, "python").root()
    analysis = FileContext(engine, tree, "model.py").analysis(BY_NAME["divergence"])
    line = next(number for number, text in enumerate(source.splitlines()) if text.endswith("# <-"))
    (pool,) = [call for call in tree.find_all(kind="call")
               if call.range().start.line == line and analysis.view(call).pool_api is not None]
    return analysis.view(pool).evidence.value


LENET = """
    import numpy as np
    from mindspore import Tensor, nn
    class LeNet(nn.Cell):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5, pad_mode="valid")
            self.conv2 = nn.Conv2d(6, 16, 5, pad_mode="valid")
            self.relu = nn.ReLU()
            self.pool = nn.MaxPool2d(2)  # <-
            self.flatten = nn.Flatten()
            self.fc = nn.Dense(DENSE, 10)
        def construct(self, x):
            x = self.conv1(x)
            x = self.relu(x)
            x = self.pool(x)
            x = self.conv2(x)
            x = self.pool(self.relu(x))
            if not self.include_top:
                return x
            x = self.flatten(x)
            return self.fc(x)
    INPUT
"""


@pytest.mark.parametrize("dense, given_input, expected", [
    # 32 -> 28 -> 14 -> 10 -> 5 with torch's stride; 28 -> 27 -> 23 -> 22 with MindSpore's.
    ("16 * 5 * 5", "Tensor(np.ones((1, 1, 32, 32)))", "torch-stride"),
    ("16 * 22 * 22", "Tensor(np.ones((1, 1, 32, 32)))", "stride-one-fits"),
    ("16 * 7 * 7", "Tensor(np.ones((1, 1, 32, 32)))", "none"),  # fits neither: the walk says nothing
    # No input size: every size is tried, and both strides fit some (32 and 15).
    ("16 * 5 * 5", "", "none"),
    # The file's shape for another network (3 channels, not the first layer's 1) is not this one's input.
    ("16 * 5 * 5", "Tensor(np.ones((1, 3, 32, 32)))", "none"),
    # A shape whose sides differ is no square input: not read as one of its sides.
    ("16 * 5 * 5", "Tensor(np.ones((1, 1, 28, 32)))", "none"),
    ("16 * 5 * 5", "Tensor(np.ones((1, 1, 32, 28)))", "none"),
    # The right rank with other channels, or another rank: not this network's input.
    ("16 * 5 * 5", "Tensor(np.ones((1, 1, 32)))", "none"),
    ("16 * 5 * 5", "Tensor(np.ones((1, 1, 32, 32, 32)))", "none"),
    # Two input sizes in the file, both fitting torch's stride only.
    ("16 * 5 * 5", "a = np.ones((1, 1, 32, 32)); b = np.ones((2, 1, 33, 33))", "torch-stride"),
])
def test_the_dense_decides_when_it_fits_one_stride(engine, dense, given_input, expected):
    assert evidence(engine, LENET.replace("DENSE", dense).replace("INPUT", given_input)) == expected


@pytest.mark.parametrize("layers, expected", [
    # 64 channels reach the Dense: the pool's output is 1x1, its kernel the whole map.
    ('nn.Conv2d(3, 64, 3, pad_mode="valid"), nn.ReLU(), nn.AvgPool2d(kernel_size=5),  # <-\n'
     '    nn.Flatten(), nn.Dense(64, 10)', "global"),
    # A 3-D pool: 8 channels of 4x4x4 cubes.
    ('nn.Conv3d(1, 8, 3, pad_mode="valid"), nn.MaxPool3d(2),  # <-\n    nn.Flatten(), nn.Dense(8 * 64, 2)',
     "none"),
    # A layer the facts do not know stops the walk: nothing is said.
    ('nn.Conv2d(3, 64, 3, pad_mode="valid"), MyBlock(64), nn.AvgPool2d(kernel_size=5),  # <-\n'
     '    nn.Flatten(), nn.Dense(64, 10)', "none"),
    ('nn.Conv2d(3, 64, 3, pad_mode="valid"), nn.AvgPool2d(kernel_size=5),  # <-\n'
     '    MyBlock(64), nn.Flatten(), nn.Dense(64, 10)', "none"),
    # A kernel or a padding that is not a literal size: unknown.
    ('nn.Conv2d(3, 64, k, pad_mode="valid"), nn.AvgPool2d(kernel_size=5),  # <-\n'
     '    nn.Flatten(), nn.Dense(64, 10)', "none"),
    # Nested containers are walked as one chain.
    ('nn.SequentialCell([nn.Conv2d(3, 64, 3, pad_mode="valid"), nn.AvgPool2d(kernel_size=5)]),  # <-\n'
     '    nn.Flatten(), nn.Dense(64, 10)', "global"),
])
def test_the_walk_through_a_sequential_cell(engine, layers, expected):
    source = f"from mindspore import nn\ndef head(k):\n  return nn.SequentialCell([\n    {layers}\n  ])\n"
    assert evidence(engine, source) == expected


# A chain that ends at each kind of layer, the pool anywhere in it: the walk reads past the end of
# no chain, and says nothing without a Dense after the flatten (or an input size).
CHAIN_ENDINGS = {
    "the pool": 'nn.Conv2d(3, 64, 3, pad_mode="valid"), nn.AvgPool2d(kernel_size=5)  # <-',
    "the pool alone": "nn.AvgPool2d(kernel_size=5)  # <-",
    "a flatten": 'nn.Conv2d(3, 64, 3, pad_mode="valid"), nn.AvgPool2d(kernel_size=5),  # <-\n    nn.Flatten()',
    "a flatten after the pool alone": "nn.AvgPool2d(kernel_size=5),  # <-\n    nn.Flatten()",
    "a shape-keeping layer": 'nn.Conv2d(3, 64, 3, pad_mode="valid"), nn.AvgPool2d(kernel_size=5),  # <-\n    nn.ReLU()',
    "a Dense without a flatten": 'nn.AvgPool2d(kernel_size=5),  # <-\n    nn.Dense(64, 10)',
    "an unknown layer": 'nn.AvgPool2d(kernel_size=5),  # <-\n    MyBlock(64)',
    "a flatten before the pool": 'nn.Flatten(), nn.AvgPool2d(kernel_size=5)  # <-',
    "a flatten, then an unknown layer": 'nn.AvgPool2d(kernel_size=5),  # <-\n    nn.Flatten(), MyBlock(64)',
}


@pytest.mark.parametrize("layers", CHAIN_ENDINGS.values(), ids=CHAIN_ENDINGS.keys())
def test_a_chain_may_end_at_any_layer(engine, layers):
    in_cell = f"from mindspore import nn\ndef head(k):\n  return nn.SequentialCell([\n    {layers}\n  ])\n"
    assert evidence(engine, in_cell) == "none"
    assert [finding.code for finding in engine.check(in_cell) if finding.code == "TMS000"] == []


SIBLINGS = """
    import torch
    from mindspore import nn
    class Down(nn.Cell):
        def __init__(self):
            super().__init__()
            self.pool = nn.AvgPool2d(2)  # <-
            SIBLING_HERE
    class Other(nn.Cell):
        def __init__(self):
            super().__init__()
            SIBLING_THERE
"""


@pytest.mark.parametrize("here, there, expected", [
    ("self.smooth = nn.MaxPool2d(kernel_size=3, stride=1)", "", "stride-one-written"),
    ("self.smooth = nn.MaxPool2d(3, 1)", "", "stride-one-written"),
    # Only a sibling: a stride=1 in another class of the file says nothing about this one.
    ("", "self.smooth = nn.MaxPool2d(kernel_size=3, stride=1)", "torch-habits"),
    # torch needs stride=1 written for a "same" pool too; a kernel of 1 strides by 1 anyway.
    ('self.smooth = nn.MaxPool2d(kernel_size=3, stride=1, pad_mode="same")', "", "torch-habits"),
    ("self.smooth = nn.MaxPool2d(kernel_size=1, stride=1)", "", "torch-habits"),
    ("self.smooth = nn.MaxPool2d(kernel_size=3, stride=2)", "", "torch-habits"),
])
def test_a_sibling_that_writes_stride_one(engine, here, there, expected):
    source = SIBLINGS.replace("SIBLING_HERE", here).replace("SIBLING_THERE", there or "pass")
    assert evidence(engine, source) == expected


@pytest.mark.parametrize("header, expected", [
    ("import torch", "torch-habits"),
    ("import torch.nn.functional as F", "torch-habits"),
    ("from transformers import PretrainedConfig", "torch-habits"),
    ("from mindspore import mint", "torch-habits"),
    ("import mindspore.mint as mint", "torch-habits"),
    ("import numpy as np", "none"),
    ("from mindspore import ops", "none"),
    ("import torchaudio_like_name_that_is_not_torch", "none"),
])
def test_torch_habits_the_file_shows(engine, header, expected):
    source = f"{header}\nfrom mindspore import nn\npool = nn.MaxPool2d(2)  # <-\n"
    assert evidence(engine, source) == expected


def test_a_cell_that_defines_forward_is_a_torch_habit(engine):
    source = """
        from mindspore import nn
        class Stem(nn.Cell):
            def __init__(self):
                super().__init__()
                self.pool = nn.MaxPool2d(2)  # <-
            def forward(self, x):
                return self.pool(x)
    """
    assert evidence(engine, source) == "torch-habits"
    assert evidence(engine, source.replace("def forward", "def construct")) == "none"
    # A class that is not a Cell may call its method anything.
    helper = "\n        class Runner:\n            def forward(self, batch):\n                return batch\n"
    assert evidence(engine, source.replace("def forward", "def construct") + helper) == "none"


# ---- what each call in construct does to the value, by form (ShapeEvidence.applied_layer)

APPLIED_HEAD = """
    from mindspore import nn, ops
    import mindspore
    from mylib import helper
    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.pool = nn.MaxPool2d(2)
            self.flat = nn.Flatten()
            self.act = nn.ReLU()
            self.made = make_layer()
        def construct(self, x):
            return {call}
"""


@pytest.mark.parametrize("call, expected", [
    # a layer of self: what its construction call is
    ("self.pool(x)", ["window"]),
    ("self.flat(x)", ["flatten"]),
    ("self.act(x)", ["keep"]),
    ("self.made(x)", ["unknown"]),  # built by a function nobody knows
    ("self.missing(x)", ["unknown"]),  # never assigned
    # a method of the value
    ("x.flatten()", ["flatten"]),
    ("x.flatten(1)", ["unknown"]),
    ("x.flatten(start_dim=1)", ["unknown"]),
    ("x.view(x.shape[0], -1)", ["flatten"]),
    ("x.reshape(x.shape[0], -1)", ["flatten"]),
    ("x.reshape(x.shape[0], - 1)", ["flatten"]),
    ("x.view(-1, 4)", ["unknown"]),
    ("x.view(x.shape[0], -1, 4)", ["unknown"]),
    ("x.view(x.shape[0])", ["unknown"]),
    ("x.mean()", ["unknown"]),
    # a method of any value: the result of a call (of a function, a layer, a helper), parenthesized
    ("ops.relu(x).view(x.shape[0], -1)", ["flatten"]),
    ("mindspore.ops.relu(x).flatten()", ["flatten"]),
    ("self.act(x).flatten()", ["flatten"]),
    ("self.missing(x).flatten()", ["flatten"]),
    ("helper(x).reshape(x.shape[0], -1)", ["flatten"]),
    ("(x).flatten()", ["flatten"]),
    # ... but not of a module: ops.view is a function
    ("ops.view(x)", ["unknown"]),
    # a function of the value
    ("ops.flatten(x)", ["flatten"]),
    ("mindspore.ops.flatten(x)", ["flatten"]),
    ("ops.flatten(x, 1)", ["unknown"]),
    ("ops.flatten(x, start_dim=1)", ["unknown"]),
    ("ops.reshape(x, (x.shape[0], -1))", ["flatten"]),
    ("ops.reshape(x, [x.shape[0], -1])", ["flatten"]),
    ("ops.reshape(x, (-1, 4))", ["unknown"]),
    ("ops.reshape(x, (x.shape[0], -1), 3)", ["unknown"]),
    ("ops.reshape(x)", ["unknown"]),
    ("ops.relu(x)", ["keep"]),
    ("ops.relu(x, inplace=True)", ["keep"]),
    ("ops.mean(x)", ["unknown"]),
    ("helper(x)", ["unknown"]),
    ("ops.flatten(x).sum()", ["unknown"]),
])
def test_each_applied_call_form(engine, call, expected):
    source = textwrap.dedent(APPLIED_HEAD).format(call=call)
    tree = SgRoot(source, "python").root()
    analysis = FileContext(engine, tree, "model.py").analysis(BY_NAME["divergence"])
    returned = tree.find(kind="return_statement").named_children()[0]
    assert [layer.kind for layer in analysis.shapes.applied_layer(returned)] == expected
