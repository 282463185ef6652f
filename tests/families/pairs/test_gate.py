"""The pairs family's gate (Family.gate: alignment.may_align, asked by Engine.active): every pairs
rule asks for a call aligned with an original call, so a port file that can align with no original
file is left unparsed by them. The gate decides on the path and the text alone, so it may keep a
file that then aligns with nothing, but it must never drop one that ``align_file`` would pair."""

import random
import textwrap

import pytest
from pair_helpers import Engine, Pairing, load_ruleset, port_index

from flake8_torch2ms.families.pairs.alignment import align_file, may_align

ORIGINALS = {
    "models/resnet.py": {"ResNet", "Bottleneck", "resnet50"},
    "models/vit.py": {"VisionTransformer", "Block"},
    "layers/mlp.py": {"Mlp", "Modèle", "Mode\u0301le"},
    "a/model.py": set(),
    "b/model.py": set(),
}


def gate(path, source, class_map=None, originals=None):
    originals = ORIGINALS if originals is None else originals
    lowered = frozenset(name.lower() for names in originals.values() for name in names)
    return may_align(path, textwrap.dedent(source), originals, lowered, class_map or {})


@pytest.mark.parametrize("path, source, class_map", [
    ("ms/models/resnet.py", "x = 1\n", None),  # the path alone pairs it
    ("ms/nets/mine.py", "class Mlp:\n    pass\n", None),
    ("ms/nets/mine.py", "class MLP:\n    pass\n", None),  # another case
    ("ms/nets/mine.py", "class Perceptron:\n    pass\n", {"Mlp": "Perceptron"}),  # the class map
    ("ms/nets/mine.py", "async def resnet50():\n    pass\n", None),
    ("ms/nets/mine.py", "@register\ndef resnet50():\n    pass\n", None),
    ("ms/nets/mine.py", "def \\\n        resnet50():\n    pass\n", None),  # a backslash before the name
    ("ms/nets/mine.py", "def \\\r\n        resnet50():\n    pass\n", None),
    ("ms/nets/mine.py", "class\tBlock:\n    pass\n", None),
    ("ms/nets/mine.py", "class Modèle:\n    pass\n", None),  # a name Python allows beyond ASCII
    ("ms/nets/mine.py", "class Mode\u0301le:\n    pass\n", None),  # with a combining accent, which \w is not
    ("ms/nets/mine.py", "if True:\n    class Block:\n        pass\n", None),  # not top-level: kept all the same
    ("ms/nets/mine.py", "class Head:\n    def block(self):\n        pass\n", None),  # a method's name
    ("ms/nets/mine.py", '"""Ported from\nclass ResNet:\n"""\n', None),  # a docstring's
    (None, "class Mlp:\n    pass\n", None),  # standard input: no path
])
def test_a_file_that_may_align_is_kept(path, source, class_map):
    assert gate(path, source, class_map)


@pytest.mark.parametrize("path, source, class_map", [
    ("ms/nets/mine.py", "class Head:\n    pass\n\n\ndef build():\n    return Head()\n", None),
    ("ms/model.py", "x = 1\n", None),  # two originals share the suffix model.py: no file by path
    ("ms/nets/mine.py", "class Perceptron:\n    pass\n", {"Mlp": "Other"}),
    ("ms/nets/mine.py", "class ResNet50Backbone:\n    pass\n", None),  # a longer name is another name
    (None, "x = 1\n", None),
    ("ms/nets/mine.py", "", None),
])
def test_a_file_that_cannot_align_is_dropped(path, source, class_map):
    assert not gate(path, source, class_map)
    if path is not None:
        assert align_file(path, port_index(source), ORIGINALS, class_map or {})[0] is None


NAMES = ["ResNet", "resnet", "RESNET", "Bottleneck", "resnet50", "VisionTransformer", "Block", "block", "Mlp",
         "Modèle", "Mode\u0301le", "Head", "Neck", "build", "Stem", "Encoder", "Decoder", "Layer_2", "ResNetV2"]
PATHS = [None, "ms/models/resnet.py", "resnet.py", "ms/vit.py", "ms/model.py", "ms/net/mine.py", "mine.py",
         "ms/layers/mlp.py", "x/models/vit.py", "models/other.py"]
FORMS = [
    "class {name}:\n    pass\n",
    "class {name}(nn.Cell):\n    def __init__(self):\n        super().__init__()\n",
    "def {name}():\n    return 1\n",
    "async def {name}():\n    return 1\n",
    "@decorator\ndef {name}():\n    return 1\n",
    "@decorator\nclass {name}:\n    pass\n",
    "def \\\n{name}():\n    return 1\n",
    "class Outer:\n    def {name}(self):\n        return 1\n",
    "if flag:\n    class {name}:\n        pass\n",
    '"""class {name}"""\n',
    "# def {name}\n",
    "{name} = 1\n",
    "class {name}(\n",  # a broken file: tree-sitter recovers what it can
    "    def {name}(self):\n        pass\n",  # an indentation error
    "x = {name}()\n",
]


def test_the_gate_never_drops_a_file_align_file_pairs():
    """Seeded random port files from the forms above against random trees: whenever align_file
    pairs the file with an original (its real parse), the gate kept it."""
    generator = random.Random(23)
    dropped = aligned = 0
    for _ in range(1500):
        originals = {path: set(generator.sample(NAMES, generator.randint(0, 3)))
                     for path in generator.sample(sorted(ORIGINALS), generator.randint(1, 5))}
        source = "".join(generator.choice(FORMS).format(name=generator.choice(NAMES))
                         for _ in range(generator.randint(0, 4)))
        class_map = {generator.choice(NAMES): generator.choice(NAMES)} if generator.random() < 0.2 else {}
        path = generator.choice(PATHS)
        kept = gate(path, source, class_map, originals)
        relative, _ = align_file(path, port_index(source), originals, class_map)
        if relative is not None:
            aligned += 1
            assert kept, (path, source, class_map, originals)
        dropped += not kept
    assert dropped > 200 and aligned > 200  # both sides of the gate were exercised


ORIGINAL_MODEL = """\
from torch import nn


class Stem(nn.Module):
    def __init__(self):
        super().__init__()
        self.act = nn.LeakyReLU()
"""
PORT_MODEL = """\
from mindspore import nn


class Stem(nn.Cell):
    def __init__(self):
        super().__init__()
        self.act = nn.LeakyReLU()
        self.drop = nn.Dropout(0.1)
"""
# Not a port of anything in the original: the same calls, under names no original file defines.
UNRELATED = PORT_MODEL.replace("Stem", "Trunk")


@pytest.fixture
def engine(tmp_path, monkeypatch):
    monkeypatch.setenv("FLAKE8_TORCH2MS_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "original").mkdir()
    (tmp_path / "original" / "stem.py").write_text(ORIGINAL_MODEL, encoding="utf-8")
    return Engine(load_ruleset(), Pairing(str(tmp_path / "original")))


def families(engine, source, path):
    return {rule.family for _, rules in engine.active(source, path) for rule in rules}


def codes(findings):
    return sorted((finding.line, finding.code) for finding in findings)


def test_the_engine_asks_the_gate_after_the_prefilter(engine, tmp_path):
    port = str(tmp_path / "port" / "layers.py")
    assert "pairs" in families(engine, PORT_MODEL, port)
    # The paired rules' words are there (nn.LeakyReLU), but no original defines Trunk: only the
    # other families' rules are kept, and the dropout is still reported.
    assert families(engine, UNRELATED, port) == {"divergence"}
    assert codes(engine.check(PORT_MODEL, port)) == [(7, "TMS401"), (8, "TMS301")]
    assert codes(engine.check(UNRELATED, port)) == [(8, "TMS301")]
    # The same file named as its original is: the path pairs it.
    assert "pairs" in families(engine, UNRELATED, str(tmp_path / "port" / "stem.py"))


def test_the_gate_changes_no_finding(engine, tmp_path):
    ungated = Engine(load_ruleset(), engine.pairing)
    ungated.plan.gates = {}
    for source in (PORT_MODEL, UNRELATED, PORT_MODEL.replace("Stem", "STEM"), ""):
        for name in ("stem.py", "layers.py"):
            path = str(tmp_path / "port" / name)
            assert codes(engine.check(source, path)) == codes(ungated.check(source, path))


def test_a_gate_that_fails_keeps_the_file(engine, tmp_path):
    def broken(*arguments):
        raise RuntimeError("the original tree cannot be read")

    engine.plan.gates = {"pairs": broken}
    assert "pairs" in families(engine, UNRELATED, str(tmp_path / "port" / "layers.py"))
