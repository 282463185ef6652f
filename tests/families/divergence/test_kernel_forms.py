"""A pool's kernel argument by form: the numbers it always holds, or None when any of them is
unknown, and the stride verdict those give. An unknown item never becomes a number, and an empty
tuple is no kernel."""

import textwrap

import pytest
from ast_grep_py import SgRoot

from flake8_torch2ms.engine import FileContext
from flake8_torch2ms.families import BY_NAME


def analysis_of(engine, source: str):
    tree = SgRoot(source, "python").root()
    return tree, FileContext(engine, tree, "model.py").analysis(BY_NAME["divergence"])


HEAD = """
    from mindspore import nn
    SIZE = 2
    SIZES = (3, 3)
    def build(k, default=4):
        return nn.MaxPool2d({kernel})
"""


@pytest.mark.parametrize("kernel, numbers, stride", [
    ("2", (2.0,), "defaults-to-one"),
    ("1", (1.0,), "kernel-one"),
    ("(2, 2)", (2.0, 2.0), "defaults-to-one"),
    ("[2, 3]", (2.0, 3.0), "defaults-to-one"),
    ("(1, 1)", (1.0, 1.0), "kernel-one"),
    ("SIZE", (2.0,), "defaults-to-one"),
    ("SIZES", (3.0, 3.0), "defaults-to-one"),
    ("default", (4.0,), "defaults-to-one"),
    ("(SIZE, SIZE + 1)", (2.0, 3.0), "defaults-to-one"),
    # unknown: a parameter, an item of it, an empty tuple, a starred item, a nested tuple
    ("k", None, "unknown"),
    ("(k, 2)", None, "unknown"),
    ("(2, k)", None, "unknown"),
    ("[k, k]", None, "unknown"),
    ("()", None, "unknown"),
    ("[]", None, "unknown"),
    ("(*SIZES,)", None, "unknown"),
    ("((2, 2),)", None, "unknown"),
])
def test_the_numbers_of_a_kernel_by_form(engine, kernel, numbers, stride):
    tree, analysis = analysis_of(engine, textwrap.dedent(HEAD).format(kernel=kernel))
    view = analysis.view(tree.find_all(kind="call")[-1])
    assert view.kernel == numbers
    assert view.stride.value == stride


# A convolution's padding mode by form: a known mode makes a window, any other (an unknown value,
# a mode MindSpore does not have) makes an unknown layer, never a guess and never an error.
@pytest.mark.parametrize("mode, kind, same, padding", [
    (None, "window", True, 0),  # MindSpore's default pad_mode is 'same'
    ("'same'", "window", True, 0),
    ("'SAME'", "window", True, 0),
    ("'valid'", "window", False, 0),
    ("'pad'", "window", False, 1),
    ("'reflect'", "unknown", None, None),
    ("MODE", "window", False, 0),  # a module constant: 'valid'
    ("mode", "unknown", None, None),  # a parameter without a default
    ("f'{mode}'", "unknown", None, None),
])
def test_a_window_layer_by_padding_mode(engine, mode, kind, same, padding):
    argument = f", pad_mode={mode}" if mode is not None else ""
    written = 0 if padding == 0 else 1  # MindSpore refuses a padding beside any mode but 'pad'
    tree, analysis = analysis_of(engine, textwrap.dedent(f"""
        from mindspore import nn
        MODE = 'valid'
        def build(mode):
            return nn.Conv2d(1, 6, 3, padding={written}{argument})
        """))
    (layer,) = analysis.shapes.layers_of(tree.find_all(kind="call")[-1], 0)
    assert layer.kind == kind
    if kind == "window":
        assert (layer.same, layer.padding, layer.kernel) == (same, padding, 3)


# The literal shapes a file writes, by form and rank: a run of three or more integer literals in
# a tuple, a list or a call's arguments (a 1-D input is three: batch, channels, length).
@pytest.mark.parametrize("written, shapes", [
    ("np.ones((1, 16, 32))", [(1, 16, 32)]),
    ("np.ones([1, 3, 28, 28])", [(1, 3, 28, 28)]),
    ("Tensor(np.zeros((2, 1, 8, 8, 8)))", [(2, 1, 8, 8, 8)]),
    ("ops.zeros(1, 16, 32)", [(1, 16, 32)]),
    ("np.ones((1, 16))", []),  # two sizes: no input shape
    ("np.ones((1, 16, 32.0))", []),
    ("np.ones((1, 16, n))", []),
    ("np.ones((1, 16, -32))", []),
    ("np.ones((1, (16, 32), 4))", []),
])
def test_literal_shapes_by_form_and_rank(engine, written, shapes):
    _, analysis = analysis_of(engine, f"import numpy as np\nfrom mindspore import Tensor, ops\nx = {written}\n")
    assert analysis.shapes.literal_shapes == shapes
