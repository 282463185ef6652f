"""The static shape walk on its own: window arithmetic on literal sizes, a walk that stops at the
first unknown step, the input sizes that fit a target, and which calls a value goes through in
order (a container's items, a construct's chain), apart from any layer a family knows."""

import textwrap

import pytest
from ast_grep_py import SgRoot

from flake8_torch2ms.semantics import shapes
from flake8_torch2ms.semantics.imports import ImportTable
from flake8_torch2ms.semantics.shapes import Window


def root_of(source: str):
    return SgRoot(textwrap.dedent(source), "python").root()


@pytest.mark.parametrize("window, size, expected", [
    (Window(kernel=2, stride=2), 8, 4),  # torch's MaxPool2d(2) on 8x8
    (Window(kernel=2, stride=1), 8, 7),  # MindSpore's default stride
    (Window(kernel=2, stride=2), 7, 3),  # the remainder is dropped
    (Window(kernel=5), 32, 28),  # a valid 5x5 convolution
    (Window(kernel=3, padding=1), 28, 28),
    (Window(kernel=3, stride=2, padding=1), 28, 14),
    (Window(kernel=3, dilation=2), 10, 6),  # a dilated kernel spans 5
    (Window(kernel=3, stride=2, same=True), 7, 4),  # "same": ceil(size / stride), whatever the kernel
    (Window(kernel=7, stride=1), 7, 1),  # the whole map: a global window
    (Window(kernel=7, stride=7), 7, 1),
    (Window(kernel=5), 4, None),  # the window does not fit: the layer raises, no size
    (Window(kernel=0), 8, None),
    (Window(kernel=2, stride=0), 8, None),
    (Window(kernel=2, padding=-1), 8, None),
])
def test_window_sizes(window, size, expected):
    assert window(size) == expected


def test_a_walk_stops_at_the_first_unknown_step():
    assert shapes.walk(32, [Window(5), Window(2, 2), Window(5), Window(2, 2)]) == 5  # LeNet's map
    assert shapes.walk(32, [Window(5), lambda size: None, Window(2, 2)]) is None
    assert shapes.walk(None, [shapes.keep]) is None
    assert shapes.walk(9, []) == 9
    assert shapes.sizes_along(32, [Window(5), lambda size: None, Window(2, 2)]) == [32, 28, None, None]
    assert shapes.sizes_along(8, [shapes.keep, Window(2, 2)]) == [8, 8, 4]


@pytest.mark.parametrize("total, dims, expected", [
    (400 // 16, 2, 5), (1, 2, 1), (27, 3, 3), (8, 1, 8), (24, 2, None), (0, 2, None), (16, 0, None),
    (4096 * 4096, 2, 4096),
])
def test_root_of_a_square_map(total, dims, expected):
    assert shapes.root_of(total, dims) == expected


@pytest.mark.parametrize("source, expected", [
    ("Seq([a(), b(), c()])", ["a()", "b()", "c()"]),
    ("Seq((a(), b()))", ["a()", "b()"]),
    ("Seq(a(), b())", ["a()", "b()"]),
    ("Seq()", []),
    ("Seq(*layers)", None),  # not written out
    ("Seq([*layers, a()])", None),
    ("Seq(a(), key=b())", None),
    ("Seq(x for x in y)", None),
])
def test_container_items_are_the_written_layers(source, expected):
    call = root_of(source).find(kind="call")
    items = shapes.container_items(call)
    assert (None if items is None else [item.text() for item in items]) == expected


def calls_of(source: str, name: str = "x") -> list[str]:
    function = root_of(source).find(kind="function_definition")
    return [call.text() for call in shapes.applied_calls(function, name)]


def test_a_construct_chain_is_the_calls_in_the_order_they_run():
    assert calls_of('''
        def construct(self, x):
            """Docstring."""
            # a comment
            x = self.pool(self.relu(self.conv(x)))
            x = x.view(x.shape[0], -1)
            return self.fc(ops.flatten(x))
        ''') == ["self.conv(x)", "self.relu(self.conv(x))", "self.pool(self.relu(self.conv(x)))",
                 "x.view(x.shape[0], -1)", "ops.flatten(x)", "self.fc(ops.flatten(x))"]


@pytest.mark.parametrize("body, expected", [
    # A branch, a loop or another statement ends the chain where it stands.
    ("x = self.a(x)\nif y:\n    x = self.b(x)\nreturn self.c(x)", ["self.a(x)"]),
    ("x = self.a(x)\nfor i in y:\n    x = self.b(x)", ["self.a(x)"]),
    ("x = self.a(x)\ny = self.b(x)\nreturn self.c(y)", ["self.a(x)"]),
    # A call on two values, a keyword argument or another value is not a step on x.
    ("x = self.a(x)\nx = ops.add(y, x)\nreturn x", ["self.a(x)"]),
    ("x = self.a(input=x)", []),
    ("x = self.a(y)", []),
    ("return x", []),
    ("x: T = self.a(x)\nreturn self.b(x)", ["self.a(x)", "self.b(x)"]),  # annotated, still a step on x
    ("x = self.a(x)\nreturn", ["self.a(x)"]),
    # Nothing runs after a return; an early return leaves the chain going on after it.
    ("return self.a(x)\nx = self.b(x)", ["self.a(x)"]),
    ("x = self.a(x)\nif not self.top:\n    return x\nreturn self.b(x)", ["self.a(x)", "self.b(x)"]),
    ("x = self.a(x)\nif c:\n    return x\nelse:\n    x = 1\nreturn self.b(x)", ["self.a(x)"]),
    ("x = self.a(x)\nif c:\n    x = self.c(x)\n    return x\nreturn self.b(x)", ["self.a(x)"]),
])
def test_a_construct_chain_ends_where_the_value_stops_flowing_straight(body, expected):
    source = "def construct(self, x):\n" + textwrap.indent(body, "    ") + "\n"
    assert calls_of(source) == expected


# Every other statement between two steps on x ends the chain there, whatever follows it.
OTHER_STATEMENTS = ["y = self.b(x)", "y = x", "x, y = self.b(x), 1", "self.y = self.b(x)", "x[0] = self.b(x)",
                    "x += 1", "print(x)", "self.b(x)", "del y", "pass", "assert x is not None",
                    "with y:\n    x = self.b(x)", "try:\n    x = self.b(x)\nexcept E:\n    pass",
                    "while y:\n    x = self.b(x)", "global y", "y = None", "import y"]


@pytest.mark.parametrize("statement", OTHER_STATEMENTS)
def test_any_other_statement_ends_a_construct_chain(statement):
    body = f"x = self.a(x)\n{statement}\nx = self.c(x)\nreturn self.d(x)"
    assert calls_of("def construct(self, x):\n" + textwrap.indent(body, "    ") + "\n") == ["self.a(x)"]


def test_imports_list_every_module_in_full():
    table = ImportTable(root_of('''
        import mindspore.mint
        import torch.nn as tnn
        from mindspore import nn, ops
        from transformers.models import bert
        from timm.layers import *
        def f():
            import numpy
        '''), None)
    assert {"mindspore.mint", "torch.nn", "mindspore.nn", "mindspore.ops", "transformers.models.bert",
            "timm.layers", "numpy"} <= table.modules


def torch_output_size(size, kernel, stride, padding, dilation):
    """PyTorch's documented formula (nn.Conv2d / nn.MaxPool2d, floor mode); None where the
    window does not fit the padded input, which raises."""
    span = dilation * (kernel - 1) + 1
    if size + 2 * padding < span:
        return None
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


GRID = [(size, kernel, stride, padding, dilation) for size in (1, 2, 3, 4, 5, 7, 8) for kernel in (1, 2, 3, 5)
        for stride in (1, 2, 3) for padding in (0, 1, 2) for dilation in (1, 2)]


def test_every_window_follows_the_formula_including_where_it_stops_fitting():
    wrong = [(case, Window(kernel=case[1], stride=case[2], padding=case[3], dilation=case[4])(case[0]),
              torch_output_size(*case)) for case in GRID
             if Window(kernel=case[1], stride=case[2], padding=case[3], dilation=case[4])(case[0])
             != torch_output_size(*case)]
    assert not wrong, wrong[:5]
    assert any(torch_output_size(*case) is None for case in GRID)
    assert any(torch_output_size(*case) is None and case[3] for case in GRID)  # padded and still too small
