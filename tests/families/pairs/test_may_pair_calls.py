"""alignment.may_pair_calls, the pairs gate's look at where a port's calls lie (on Python's parse,
as flake8 gives it, and the lines of the text): never False for a port module that ``align`` pairs
a call of, and False for one whose calls all lie where align does not look."""

import ast
import random
import textwrap

import pytest
from ast_grep_py import SgRoot
from pair_helpers import FACTS, compatible, torch_index

from flake8_torch2ms.families.pairs.alignment import align, may_pair_calls
from flake8_torch2ms.families.pairs.index import index_module, port_call_words
from flake8_torch2ms.semantics.model import SemanticModel

WORDS = port_call_words(FACTS)

ORIGINAL = """\
from torch import nn
import torch.nn.functional as F


class Stem(nn.Module):
    def __init__(self):
        super().__init__()
        self.act = nn.LeakyReLU()

    def forward(self, x):
        return F.gelu(self.act(x))


def build():
    return nn.Dropout(0.1)


head = nn.Linear(4, 8)
"""


def port_calls_paired(source: str, original_source: str, class_map: dict[str, str]) -> int:
    """How many calls ``align`` pairs, with the port indexed as the analysis indexes it."""
    root = SgRoot(source, "python").root()
    port = index_module(root, SemanticModel(root), lambda name: bool(FACTS.port_apis(name)), WORDS)
    found = align(None, port, {"model.py": torch_index(original_source)}, class_map, compatible,
                  chosen=("model.py", "given"))
    return len(found.calls)


def may_pair(source: str, original_source: str = ORIGINAL, class_map: dict[str, str] | None = None) -> bool:
    return may_pair_calls(ast.parse(source), source, torch_index(original_source), class_map or {}, WORDS)


PORT_HEAD = "from mindspore import nn, ops\n\n\n"


@pytest.mark.parametrize("body, class_map", [
    ("class Stem(nn.Cell):\n    def __init__(self):\n        self.act = nn.LeakyReLU()\n", None),
    # the one original class of that name in another case
    ("class STEM(nn.Cell):\n    def __init__(self):\n        self.act = nn.LeakyReLU()\n", None),
    ("class Trunk(nn.Cell):\n    def __init__(self):\n        self.act = nn.LeakyReLU()\n", {"Stem": "Trunk"}),
    ("class Stem(nn.Cell):\n    def construct(self, x):\n        return ops.gelu(x)\n", None),  # another method name
    ("@decorated\nclass Stem(nn.Cell):\n    def __init__(self):\n        self.act = nn.LeakyReLU()\n", None),
    ("class Stem(nn.Cell):\n    def __init__(self):\n        self.body = nn.SequentialCell([nn.LeakyReLU()])\n", None),
    ("def build():\n    return nn.Dropout(p=0.1)\n", None),
    ("async def build():\n    return nn.Dropout(p=0.1)\n", None),
    ("def build():\n    def inner():\n        return nn.Dropout(p=0.1)\n    return inner()\n", None),  # nested
    ("head = nn.Dense(4, 8)\n", None),  # module level, where the original has calls too
    ("if True:\n    class Other:\n        head = nn.Dense(4, 8)\n", None),  # a class inside an if: module level
    ("class Stem(nn.Cell):\n    def __init__(self):\n        self.act = (nn.LeakyReLU)()\n", None),
    ("from mindspore.nn import LeakyReLU\n\n\nclass Stem(nn.Cell):\n    def __init__(self):\n"
     "        self.act = LeakyReLU()\n", None),  # a name, not an attribute
    ("class Stem(nn.Cell):\n    def __init__(self):\n        self.act = nn.LeakyReLU(\n            0.2)\n", None),
    ("class Stem(nn.Cell):\n    def __init__(self):\n        self.act = nn.\\\n            LeakyReLU()\n", None),
    # the word first inside a longer name, then called
    ("class Stem(nn.Cell):\n    def __init__(self):\n        self.old = nn.LeakyReLU_like()\n"
     "        self.act = nn.LeakyReLU()\n", None),
])
def test_a_call_where_align_looks_may_pair(body, class_map):
    assert may_pair(PORT_HEAD + body, class_map=class_map)


@pytest.mark.parametrize("body, original", [
    ("class Head(nn.Cell):\n    def __init__(self):\n        self.act = nn.LeakyReLU()\n", ORIGINAL),
    ("def make_head():\n    return nn.Dropout(p=0.1)\n", ORIGINAL),
    ("class Stem(nn.Cell):\n    def __init__(self):\n        self.act = relu_like()\n", ORIGINAL),  # no API's name
    ("class Stem(nn.Cell):\n    pass\n\n\nx = 1\n", ORIGINAL),  # nothing called at all
    ("head = nn.Dense(4, 8)\n", ORIGINAL.replace("head = nn.Linear(4, 8)\n", "")),  # no module-level calls there
    # a top-level function the original also has, holding no call of an API the facts know
    ("def build():\n    return nn.Dropout(p=0.1)\n", "def build():\n    return helper()\n"),
    ("class STEM(nn.Cell):\n    def __init__(self):\n        self.act = nn.LeakyReLU()\n",
     ORIGINAL + "\n\nclass StEm(nn.Module):\n    pass\n"),  # two original classes of that name in other cases
    # in a pairing class the words only start longer names; the word itself only outside it
    ("class Stem(nn.Cell):\n    def __init__(self):\n        self.act = nn.LeakyReLU_like(nn.Dropout2x)\n\n\n"
     "class Head:\n    act = nn.LeakyReLU()\n", ORIGINAL.replace("head = nn.Linear(4, 8)\n", "")),
])
def test_calls_where_align_does_not_look_cannot_pair(body, original):
    source = PORT_HEAD + body
    assert not may_pair(source, original)
    assert port_calls_paired(source, original, {}) == 0


RAISES_ONLY = """\
from torch import nn


class Stem(nn.Module):
    def __init__(self):
        super().__init__()
        self.act = make_act()

    def forward(self, x):
        raise NotImplementedError("subclasses define it")
"""

FORWARD_ONLY = """\
from torch import nn


class Stem(nn.Module):
    def forward(self, x):
        return nn.GELU()(x)
"""


@pytest.mark.parametrize("body, original", [
    # a method the original class does not have
    ("class Stem(nn.Cell):\n    def process(self, x):\n        return nn.LeakyReLU()(x)\n", ORIGINAL),
    # __init__'s attributes, and an original class with no attribute and no __init__
    ("class Stem(nn.Cell):\n    def __init__(self):\n        self.act = nn.GELU()\n", FORWARD_ONLY),
    # a call in the class body, outside any method
    ("class Stem(nn.Cell):\n    act = nn.GELU()\n\n    def construct(self, x):\n        return x\n", FORWARD_ONLY),
    # the original's counterpart holds no call of an API the facts know: it only raises
    ("class Stem(nn.Cell):\n    def construct(self, x):\n        return ops.gelu(x)\n", RAISES_ONLY),
    # nor do its __init__'s attribute assignments
    ("class Stem(nn.Cell):\n    def __init__(self):\n        self.act = nn.GELU()\n", RAISES_ONLY),
])
def test_calls_in_a_pairing_class_outside_its_paired_methods_cannot_pair(body, original):
    source = PORT_HEAD + body
    assert not may_pair(source, original)
    assert port_calls_paired(source, original, {}) == 0


SEEDS = 600
# The last two call no API the facts know: an original method or function holding only those has
# no call the index keeps, so nothing pairs there.
TORCH_CALLS = ["nn.LeakyReLU()", "nn.Linear(4, 8)", "nn.Dropout(0.1)", "nn.GELU()", "F.gelu(x)", "torch.clamp(x, 0)",
               "helper(x)", "x.view(-1)"]
PORT_CALLS = ["nn.LeakyReLU()", "nn.Dense(4, 8)", "nn.Dropout(p=0.1)", "nn.GELU()", "ops.gelu(x)", "ops.clamp(x, 0)",
              "helper(x)", "nn.ReLU()", "(nn.GELU)()", "Dense(4, 8)"]
PORT_IMPORTS = "from mindspore import nn, ops\nfrom mindspore.nn import Dense\n"
CLASSES = ["Stem", "STEM", "Head", "Trunk"]
FUNCTIONS = ["build", "make_head"]


def random_module(rng: random.Random, calls: list[str], head: str, container: str) -> str:
    parts = [head]
    for _ in range(rng.randint(0, 6)):
        kind = rng.choice(["class", "bare class", "function", "async", "decorated", "module", "nested"])
        call = rng.choice(calls)
        if kind == "bare class":  # no attributes; calls in __init__ itself, in a method, in the class body
            parts.append(textwrap.dedent(f"""\
                class {rng.choice(CLASSES)}(Base):
                    kept = {rng.choice(calls)}

                    def {rng.choice(["__init__", "forward", "construct", "extra", "other"])}(self, x):
                        {call}
                        return {rng.choice(calls)}
                """))
        elif kind == "class":
            items = ", ".join(rng.choice(calls) for _ in range(rng.randint(1, 2)))
            parts.append(textwrap.dedent(f"""\
                class {rng.choice(CLASSES)}(Base):
                    def __init__(self):
                        self.{rng.choice(["act", "fc"])} = {call}
                        self.seq = {container}({items})

                    @decorated
                    async def {rng.choice(["forward", "construct", "extra", "other"])}(self, x):
                        return {rng.choice(calls)}
                """))
        elif kind in ("function", "async", "decorated"):
            prefix = {"function": "", "async": "async ", "decorated": "@cache\n"}[kind]
            parts.append(f"{prefix}def {rng.choice(FUNCTIONS)}(x):\n"
                         f"    return {call}\n")
        elif kind == "nested":
            parts.append(f"if x:\n    class {rng.choice(CLASSES)}:\n        y = {call}\n")
        else:
            parts.append(f"layer = {call}\n")
    return "\n\n".join(parts)


@pytest.mark.parametrize("seed", range(SEEDS))
def test_never_false_for_a_module_align_pairs_a_call_of(seed):
    rng = random.Random(seed)
    original = random_module(rng, TORCH_CALLS, "import torch\nfrom torch import nn\nimport torch.nn.functional as F\n",
                             "nn.Sequential")
    port = random_module(rng, PORT_CALLS, PORT_IMPORTS, "nn.SequentialCell")
    class_map = rng.choice([{}, {"Stem": "Trunk"}, {"Head": "Block"}])
    newline = rng.choice(["\n", "\r\n", "\r"])  # Python ends a line at each; the index is taken at "\n"
    if port_calls_paired(port, original, class_map):
        assert may_pair(port.replace("\n", newline), original, class_map), (original, port, class_map, newline)


def test_the_random_modules_hold_both_outcomes():
    """The seeded modules above are not all one way: align pairs calls in some, none in others,
    and the check is False for some of those."""
    paired = refused = 0
    for seed in range(SEEDS):
        rng = random.Random(seed)
        original = random_module(rng, TORCH_CALLS, "import torch\nfrom torch import nn\nimport torch.nn.functional "
                                 "as F\n", "nn.Sequential")
        port = random_module(rng, PORT_CALLS, PORT_IMPORTS, "nn.SequentialCell")
        class_map = rng.choice([{}, {"Stem": "Trunk"}, {"Head": "Block"}])
        paired += bool(port_calls_paired(port, original, class_map))
        refused += not may_pair(port, original, class_map)
    assert paired >= 30 and refused >= 250  # 37 and 302 when written
