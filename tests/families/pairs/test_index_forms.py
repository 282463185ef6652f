"""The module index by form: each way a container, an attribute or a call can be written, and what
alignment may rely on from it (the items of a container by position; nothing when positions are
not knowable)."""

import pytest
from pair_helpers import port_index, torch_index

TORCH_HEAD = "import torch\nfrom torch import nn\n\nclass Net(nn.Module):\n    def __init__(self, layers):\n"
PORT_HEAD = "import mindspore\nfrom mindspore import nn\n\nclass Net(nn.Cell):\n    def __init__(self, layers):\n"

# (the container call, the names of its items by position; None: no positions can be known)
TORCH_FORMS = [
    ("nn.Sequential(nn.Conv2d(3, 8, 3), nn.LeakyReLU())", ["Conv2d", "LeakyReLU"]),
    ("torch.nn.Sequential(nn.Conv2d(3, 8, 3))", ["Conv2d"]),
    ("nn.Sequential(nn.Conv2d(3, 8, 3),  # the stem\n            nn.LeakyReLU())", ["Conv2d", "LeakyReLU"]),
    ("nn.Sequential()", []),
    ("nn.Sequential(nn.Conv2d(3, 8, 3), layers[0])", ["Conv2d", None]),
    ("nn.Sequential(*layers)", None),
    ("nn.Sequential(nn.Conv2d(3, 8, 3), *layers)", None),
    ("nn.Sequential(**layers)", None),
]
PORT_FORMS = [
    ("nn.SequentialCell([nn.Conv2d(3, 8, 3), nn.LeakyReLU()])", ["Conv2d", "LeakyReLU"]),
    ("nn.SequentialCell((nn.Conv2d(3, 8, 3), nn.LeakyReLU()))", ["Conv2d", "LeakyReLU"]),
    ("nn.SequentialCell([nn.Conv2d(3, 8, 3),  # the stem\n            nn.LeakyReLU()])", ["Conv2d", "LeakyReLU"]),
    ("nn.SequentialCell(nn.Conv2d(3, 8, 3), nn.LeakyReLU())", ["Conv2d", "LeakyReLU"]),
    ("mindspore.nn.SequentialCell([nn.LeakyReLU()])", ["LeakyReLU"]),
    ("nn.SequentialCell([])", []),
    ("nn.SequentialCell(layers)", [None]),
    ("nn.SequentialCell([*layers, nn.LeakyReLU()])", None),
    ("nn.SequentialCell(*layers)", None),
    ("nn.SequentialCell(cells=[nn.LeakyReLU()])", None),
]


def container_items(index, attribute="body"):
    """The container's items as the names of their calls (None: an item that is no known call)."""
    containers = index.classes["Net"].containers.get(attribute)
    if containers is None:
        return "not a container"
    assert len(containers) == 1
    return [index.calls[item].name.rsplit(".", 1)[-1] if item is not None else None for item in containers[0]]


@pytest.mark.parametrize("form, items", TORCH_FORMS, ids=[form for form, _ in TORCH_FORMS])
def test_each_torch_container_form(form, items):
    index = torch_index(TORCH_HEAD + f"        self.body = {form}\n")
    assert container_items(index) == (items if items is not None else [])
    assert "body" not in index.classes["Net"].attributes


@pytest.mark.parametrize("form, items", PORT_FORMS, ids=[form for form, _ in PORT_FORMS])
def test_each_port_container_form(form, items):
    index = port_index(PORT_HEAD + f"        self.body = {form}\n")
    assert container_items(index) == (items if items is not None else [])
    assert "body" not in index.classes["Net"].attributes


def test_a_container_of_another_package_is_an_ordinary_attribute():
    source = ("from mindspore import nn\nfrom mylib import SequentialCell\n\nclass Net(nn.Cell):\n"
              "    def __init__(self):\n        self.body = SequentialCell([nn.LeakyReLU()])\n"
              "        self.act = nn.LeakyReLU()\n")
    index = port_index(source)
    assert container_items(index) == "not a container"
    assert index.classes["Net"].attributes["body"] == [None]  # an attribute whose call is no API the facts know
    assert [index.calls[item].name for item in index.classes["Net"].attributes["act"]] == ["mindspore.nn.LeakyReLU"]


def test_a_container_assigned_in_two_branches_keeps_both():
    source = (PORT_HEAD + "        if layers:\n            self.body = nn.SequentialCell([nn.LeakyReLU()])\n"
              "        else:\n            self.body = nn.SequentialCell([nn.GELU(), nn.LeakyReLU()])\n")
    containers = port_index(source).classes["Net"].containers["body"]
    assert [len(items) for items in containers] == [1, 2]


def test_container_items_are_not_also_method_calls():
    """An item placed by position is not aligned a second time by the order of __init__'s calls."""
    index = port_index(PORT_HEAD + "        self.body = nn.SequentialCell([nn.LeakyReLU(), nn.GELU()])\n"
                                   "        nn.Dense(3, 4)\n")
    init_calls = [index.calls[item].name.rsplit(".", 1)[-1] for item in index.classes["Net"].methods["__init__"]]
    assert init_calls == ["Dense"]


SCOPES = """\
from mindspore import nn

def helper():
    return nn.LayerNorm((4,))

stem = nn.Dense(2, 2)

class Net(nn.Cell):
    def __init__(self):
        self.conv = nn.Conv2d(3, 8, 3)
        def make():
            return nn.GELU()
        self.act = make()

    @decorate(nn.AvgPool2d(2))
    def construct(self, x):
        nn.Dropout(p=0.1)
        return self.conv(x)

    def reset(self):
        self.conv = nn.Conv2d(3, 4, 1)

other.flag = nn.LeakyReLU()
"""


def test_each_call_belongs_to_the_scope_it_is_written_in():
    """A function's calls include its nested functions'; a decorator's call is in no method; a
    call outside every class and function is the module's; ``__init__``'s attribute calls are
    not also its calls."""
    index = port_index(SCOPES)

    def names(indexes):
        return [index.calls[item].name.rsplit(".", 1)[-1] if item is not None else None for item in indexes]

    net = index.classes["Net"]
    assert names(index.functions["helper"]) == ["LayerNorm"]
    assert names(index.functions["<module>"]) == ["Dense", "LeakyReLU"]
    assert names(net.methods["__init__"]) == ["GELU"]
    assert names(net.methods["construct"]) == ["Dropout"]
    assert names(net.methods["reset"]) == ["Conv2d"]
    assert {attribute: names(calls) for attribute, calls in net.attributes.items()} == {
        "conv": ["Conv2d"], "act": [None]}
    assert "AvgPool2d" not in names(range(len(index.calls)))
    assert index.reassigned == ["flag"]  # self.conv in reset is the class's own
