"""The pairs family's gate (Family.gate: originals.may_align_file): every pairs rule asks for a call
aligned with an original call, so a port file that aligns with no original file, or with one that
holds no call the facts know, gets none of their findings. Asked before the parse on the path and
the text alone (alignment.may_align), it may keep a file that then aligns with nothing, but it must
never drop one that ``align_file`` would pair; given Python's own parse (flake8's), and asked again
with the parsed module before the walk, it is align_file itself."""

import ast
import random
import sys
import textwrap
from pathlib import Path

import pytest
from ast_grep_py import SgRoot
from pair_helpers import Engine, Pairing, load_ruleset, port_index

from flake8_torch2ms import engine as engine_module
from flake8_torch2ms.families.pairs import originals as originals_module
from flake8_torch2ms.families.pairs.alignment import align_file, defining_files, files_by_name, may_align
from flake8_torch2ms.families.pairs.index import defined_names, defined_names_in_ast
from flake8_torch2ms.families.pairs.originals import may_align_file

ORIGINALS = {
    "models/resnet.py": {"ResNet", "Bottleneck", "resnet50"},
    "models/vit.py": {"VisionTransformer", "Block"},
    "layers/mlp.py": {"Mlp", "Modèle", "Mode\u0301le"},
    "a/model.py": set(),
    "b/model.py": set(),
}


def gate(path, source, class_map=None, originals=None, counted=False):
    """The text gate; ``counted``: with the tree's name indexes, as the engine asks it, so that it
    also counts the names each original file shares with the file's top-level definitions."""
    originals = ORIGINALS if originals is None else originals
    lowered = frozenset(name.lower() for names in originals.values() for name in names)
    indexes = (files_by_name(originals), defining_files(originals)) if counted else ()
    return may_align(path, textwrap.dedent(source), originals, lowered, class_map or {}, *indexes)


def compiles(source):
    try:
        compile(source, "port.py", "exec")
    except SyntaxError:
        return False
    return True


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


@pytest.mark.parametrize("source", [
    "class Mlp:\n    def head(self):\n        pass\n\n    def neck(self):\n        pass\n",  # methods do not count
    '"""\nclass Head:\nclass Neck:\n"""\nclass Mlp:\n    pass\n',  # nor names in a docstring
    'TEMPLATE = f"""\nclass Head:\nclass Neck:\n"""\nclass Mlp:\n    pass\n',  # nor in an f-string
    "'''\nclass Head:\n'''\nclass Mlp:\n    pass\n",
    "if flag:\n    class Head:\n        pass\nclass Mlp:\n    pass\n",  # nor nested ones
    "\fclass Mlp:\n    pass\n",  # a form feed before a top-level class
    "class Mlp:\n    pass\n\n\nclass MLP:\n    pass\n\n\nclass Head:\n    pass\n",  # two of three: Mlp, MLP
    "class Perceptron:\n    pass\n",  # the class map
])
def test_the_counted_gate_keeps_a_file_whose_top_level_names_may_pair(source):
    assert gate("ms/nets/mine.py", source, {"Mlp": "Perceptron"}, counted=True)


@pytest.mark.parametrize("source", [
    "class Mlp:\n    pass\n\n\nclass Head:\n    pass\n\n\nclass Neck:\n    pass\n",  # one of three
    "class Mlp:\n    pass\n\n\nclass Head:\n    pass\n",  # one of two is not most
    "class Mlp:\n    pass\n\n\nasync def head():\n    pass\n\n\n@decorator\ndef neck():\n    pass\n",
    "class Mlp:\n    '''A head.'''\n\n\nclass Head:\n    pass\n\n\nclass Neck:\n    pass\n",
    "class Mlp:\n    pass\n\n\nclass \\\n    Head:\n    pass\n\n\nclass\tNeck:\n    pass\n",
])
def test_the_counted_gate_drops_a_file_where_no_original_defines_most_top_level_names(source):
    assert gate("ms/nets/mine.py", source)  # it defines a name an original defines
    assert not gate("ms/nets/mine.py", source, counted=True)
    assert align_file("ms/nets/mine.py", port_index(source).definitions, ORIGINALS, {})[0] is None


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
        assert align_file(path, port_index(source).definitions, ORIGINALS, class_map or {})[0] is None


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
    dropped = dropped_counted = aligned = 0
    for _ in range(1500):
        originals = {path: set(generator.sample(NAMES, generator.randint(0, 3)))
                     for path in generator.sample(sorted(ORIGINALS), generator.randint(1, 5))}
        source = "".join(generator.choice(FORMS).format(name=generator.choice(NAMES))
                         for _ in range(generator.randint(0, 4)))
        class_map = {generator.choice(NAMES): generator.choice(NAMES)} if generator.random() < 0.2 else {}
        path = generator.choice(PATHS)
        kept = gate(path, source, class_map, originals)
        counted = gate(path, source, class_map, originals, counted=True)
        relative, _ = align_file(path, port_index(source).definitions, originals, class_map)
        assert kept or not counted
        if relative is not None:
            aligned += 1
            assert kept, (path, source, class_map, originals)
            # Counting trusts a `def` at the start of a line to be top-level: so in a file that parses.
            assert counted or not compiles(source), (path, source, class_map, originals)
        dropped += not kept
        dropped_counted += not counted
    assert dropped > 200 and aligned > 200  # both sides of the gate were exercised
    assert dropped_counted > dropped + 100  # counting drops more files


def test_the_parsed_gate_reads_the_names_the_index_reads():
    """After the parse the gate asks align_file with defined_names: the same names as the index's
    definitions, whatever the form (decorated, async, nested, in a string, broken)."""
    generator = random.Random(24)
    for _ in range(500):
        source = "".join(generator.choice(FORMS).format(name=generator.choice(NAMES))
                         for _ in range(generator.randint(0, 4)))
        root = SgRoot(source, "python").root()
        assert defined_names(root) == port_index(source).definitions, source


def test_python_s_own_parse_gives_the_names_the_index_reads():
    """flake8 hands the plugin Python's own parse of the file: where it compiles, its top-level
    names are tree-sitter's (defined_names), or None when one is not ASCII (Python normalizes
    identifiers, the index keeps them as written)."""
    generator = random.Random(25)
    compared = 0
    for _ in range(800):
        source = "".join(generator.choice(FORMS).format(name=generator.choice(NAMES))
                         for _ in range(generator.randint(0, 4)))
        if not compiles(source):
            continue
        expected = defined_names(SgRoot(source, "python").root())
        found = defined_names_in_ast(ast.parse(source))
        if all(name.isascii() for name in expected):
            compared += 1
            assert found == expected, source
        else:
            assert found is None, source
    assert compared > 300


@pytest.mark.parametrize("source", [
    "match x:\n    case 1:\n        def g():\n            pass\n\n\nclass C:\n    pass\n",
    "try:\n    class D:\n        pass\nexcept ImportError:\n    D = None\n",
    "@a\n@b(1)\nasync def e():\n    pass\n\n\nclass F(G, metaclass=M):\n    class Inner:\n        pass\n",
    "if TYPE_CHECKING:\n    def h():\n        pass\nelse:\n    def h():\n        pass\n",
] + ([  # type parameters and aliases, where this Python parses them (before, flake8 reports E999)
    "class A[T]:\n    pass\n\n\ndef f[T](x: T) -> T:\n    return x\n",
    "type Alias = int\n\n\nclass B:\n    pass\n",
] if sys.version_info >= (3, 12) else []))
def test_python_s_own_parse_agrees_on_other_forms(source):
    assert defined_names_in_ast(ast.parse(source)) == defined_names(SgRoot(source, "python").root())


@pytest.mark.parametrize("tree", [None, ast.parse("x", mode="eval"), "class A: pass"])
def test_anything_but_a_python_module_gives_no_names(tree):
    assert defined_names_in_ast(tree) is None


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


# Defines Stem, as the original does, and two classes no original defines: it pairs with no file. The
# text gate keeps it: by the names in a docstring, Stem's file may define three of the file's names.
MINORITY = PORT_MODEL + ('\n\nclass Neck(nn.Cell):\n    """Not STEM (class STEM, def stem)."""\n\n\n'
                         'class Head(nn.Cell):\n    pass\n')


def walked_families(engine, monkeypatch, source, path):
    """The families of the rules whose matchers the check's walk ran."""
    walked = set()
    merged_matches = engine_module._merged_matches

    def recording(root, groups):
        walked.update(rule.family for group in groups for rule in group.rules)
        return merged_matches(root, groups)

    monkeypatch.setattr(engine_module, "_merged_matches", recording)
    findings = engine.check(source, path)
    monkeypatch.undo()
    return walked, codes(findings)


def test_a_file_that_aligns_with_nothing_is_not_walked_for_the_paired_rules(engine, tmp_path, monkeypatch):
    port = str(tmp_path / "port" / "layers.py")
    assert "pairs" in families(engine, MINORITY, port)  # the text gate keeps it: it defines Stem
    assert walked_families(engine, monkeypatch, MINORITY, port) == ({"divergence"}, [(8, "TMS301")])
    assert walked_families(engine, monkeypatch, PORT_MODEL, port) == ({"divergence", "pairs"},
                                                                      [(7, "TMS401"), (8, "TMS301")])
    # Named as its original, the same file pairs by its path, and its LeakyReLU is compared.
    assert walked_families(engine, monkeypatch, MINORITY, str(tmp_path / "port" / "stem.py")) \
        == ({"divergence", "pairs"}, [(7, "TMS401"), (8, "TMS301")])


def test_the_parsed_gate_changes_no_finding(engine, tmp_path):
    ungated = Engine(load_ruleset(), engine.pairing)
    ungated.plan.gates = {}
    two_stems = PORT_MODEL + "\n\nclass Stem2(nn.Cell):\n    pass\n"  # one of two: not most of them
    sources = (MINORITY, two_stems, MINORITY.replace("class Neck", "class STEM"), PORT_MODEL.replace("Stem", "STEM"))
    for source in sources:
        for name in ("stem.py", "layers.py", "model.py"):
            path = str(tmp_path / "port" / name)
            assert codes(engine.check(source, path)) == codes(ungated.check(source, path)), (source, name)


def test_a_gate_that_fails_on_the_parsed_module_keeps_the_file(engine, tmp_path, monkeypatch):
    text_gate = engine.plan.gates["pairs"]

    def broken_after_the_parse(facts, pairing, source, path, root=None, python_tree=None):
        if root is not None:
            raise RuntimeError("the original tree cannot be read")
        return text_gate(facts, pairing, source, path)

    engine.plan.gates = {"pairs": broken_after_the_parse}
    walked, found = walked_families(engine, monkeypatch, MINORITY, str(tmp_path / "port" / "layers.py"))
    assert walked == {"divergence", "pairs"} and found == [(8, "TMS301")]


def test_a_gate_that_fails_keeps_the_file(engine, tmp_path):
    def broken(*arguments):
        raise RuntimeError("the original tree cannot be read")

    engine.plan.gates = {"pairs": broken}
    assert "pairs" in families(engine, UNRELATED, str(tmp_path / "port" / "layers.py"))


def recorded_scans(engine, monkeypatch):
    """The texts the paired prefilter's probes scan, and those the gate is asked about before the
    parse, in order."""
    gated = [prefilter for prefilter in engine.prefilters if id(prefilter) in engine._gated_prefilters]
    assert len(gated) == 1
    probed, gate_read = [], []
    may_match, text_gate = gated[0].may_match, engine.plan.gates["pairs"]

    def probing(text):
        probed.append(text.source)
        return may_match(text)

    def gating(facts, pairing, source, path, root=None, python_tree=None):
        if root is None:
            gate_read.append(source)
        return text_gate(facts, pairing, source, path, root, python_tree)

    monkeypatch.setattr(gated[0], "may_match", probing)
    monkeypatch.setitem(engine.plan.gates, "pairs", gating)
    return probed, gate_read


# PORT_MODEL and UNRELATED without their dropout: only the paired rules' words are left.
PAIRED_ONLY = PORT_MODEL.replace("        self.drop = nn.Dropout(0.1)\n", "")
UNRELATED_PAIRED_ONLY = UNRELATED.replace("        self.drop = nn.Dropout(0.1)\n", "")


def test_once_asked_the_gate_goes_before_the_paired_probes(engine, tmp_path, monkeypatch):
    """The first file asks the paired prefilter's probes first; once the gate has read its tree,
    a file only the paired rules may match is asked the gate first, and a file it drops never
    has the probes scanned (the findings are the same either way)."""
    port = str(tmp_path / "port" / "layers.py")
    probed, gate_read = recorded_scans(engine, monkeypatch)
    assert codes(engine.check(UNRELATED_PAIRED_ONLY, port)) == []
    assert probed == gate_read == [UNRELATED_PAIRED_ONLY]  # the first file: the probes, then the gate
    assert codes(engine.check(UNRELATED_PAIRED_ONLY, port)) == []
    assert probed == [UNRELATED_PAIRED_ONLY]  # the gate drops it before the probes
    assert codes(engine.check(PAIRED_ONLY, port)) == [(7, "TMS401")]
    assert probed == [UNRELATED_PAIRED_ONLY, PAIRED_ONLY]
    assert gate_read == [UNRELATED_PAIRED_ONLY] * 2 + [PAIRED_ONLY]


def test_a_file_parsed_anyway_is_gated_on_its_parse_alone(engine, tmp_path, monkeypatch):
    """Once the gate has been asked, a file another family's prefilter keeps (the dropout) is
    parsed anyway: neither the text gate nor the paired probes read it, the parsed gate decides,
    and the findings are those of an engine without the gates. The public Engine.active, which
    no parse follows, still asks the text gate."""
    port = str(tmp_path / "port" / "layers.py")
    ungated = Engine(load_ruleset(), engine.pairing)
    ungated.plan.gates = {}
    probed, gate_read = recorded_scans(engine, monkeypatch)
    engine.check(UNRELATED_PAIRED_ONLY, port)
    del probed[:], gate_read[:]
    for source in (PORT_MODEL, UNRELATED):
        assert codes(engine.check(source, port)) == codes(ungated.check(source, port))
    assert codes(engine.check(UNRELATED, port)) == [(8, "TMS301")]
    assert probed == gate_read == []
    assert families(engine, UNRELATED, port) == {"divergence"}
    assert gate_read == [UNRELATED]


def test_given_python_s_parse_the_gate_reads_no_text(engine, tmp_path, monkeypatch):
    """With flake8's ast.Module the gate counts its top-level names, exactly: it never scans the
    text (which would keep MINORITY for the names in its docstring), and a file whose names are
    not all ASCII is still gated on its text."""
    port = str(tmp_path / "port" / "layers.py")
    scanned = []
    monkeypatch.setattr(originals_module, "may_align_by_names", lambda *args: scanned.append(args[0]) or True)
    probed, gate_read = recorded_scans(engine, monkeypatch)
    minority = MINORITY.replace("        self.drop = nn.Dropout(0.1)\n", "")
    for source in (UNRELATED_PAIRED_ONLY, minority, PAIRED_ONLY):
        engine.check(source, port, ast.parse(source))
    assert scanned == []
    assert probed == [UNRELATED_PAIRED_ONLY, PAIRED_ONLY]  # the first file's probes; the gate drops the minority
    accented = PAIRED_ONLY + "\n\nclass Modèle(nn.Cell):\n    pass\n"  # Stem is one of its two names
    assert codes(engine.check(accented, port, ast.parse(accented))) == []
    assert scanned == [accented]


HELPERS_ORIGINAL = """\
import torch


def scale(x, factor=2.0):
    return torch.mul(x, factor)
"""
HELPERS_PORT = """\
from mindspore import nn


def scale(x, factor=2.0):
    return x * factor


class Stem(nn.Cell):
    def __init__(self):
        super().__init__()
        self.act = nn.LeakyReLU(0.2)
"""


@pytest.mark.parametrize("asked", ["on the text", "on Python's parse", "on the parsed module"])
def test_a_file_whose_original_holds_no_known_call_is_dropped(engine, tmp_path, monkeypatch, asked):
    """Every pairs rule reports a call aligned with an original call: a port file that pairs
    (here by its path) with an original file holding no call the facts know gets none of their
    findings, so the gate drops it, however it is asked; the same file named as an original
    that holds such calls is kept. The findings are those of an engine without the gates."""
    (tmp_path / "original" / "helpers.py").write_text(HELPERS_ORIGINAL, encoding="utf-8")
    helpers, stem = str(tmp_path / "port" / "helpers.py"), str(tmp_path / "port" / "stem.py")
    pairing = engine.pairing
    facts = engine.facts["pairs"]

    def gate(source, path):
        python_tree = ast.parse(source) if asked == "on Python's parse" else None
        root = SgRoot(source, "python").root() if asked == "on the parsed module" else None
        return may_align_file(facts, pairing, source, path, root, python_tree)

    assert not gate(HELPERS_PORT, helpers)
    assert gate(HELPERS_PORT, stem)
    ungated = Engine(load_ruleset(), pairing)
    ungated.plan.gates = {}
    assert codes(engine.check(HELPERS_PORT, helpers)) == codes(ungated.check(HELPERS_PORT, helpers)) == []
    assert codes(engine.check(HELPERS_PORT, stem)) == codes(ungated.check(HELPERS_PORT, stem)) == [(11, "TMS402")]
    walked, _ = walked_families(engine, monkeypatch, PORT_MODEL.replace("Stem", "Helpers"), helpers)
    assert walked == {"divergence"}  # the dropout still gets its walk; the paired rules do not


FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pairs"


def test_the_gates_change_no_finding_on_damaged_ports(tmp_path, monkeypatch):
    """A real port and its original (tests/fixtures/pairs), damaged in seeded ways (cut short, a
    line dropped or dedented, an opening quote or bracket inserted): the findings with both gates
    are those without any, wherever the text still compiles (given Python's parse of it, as
    flake8 gives it, or not); no check fails (TMS000)."""
    monkeypatch.setenv("FLAKE8_TORCH2MS_CACHE_DIR", str(tmp_path / "cache"))
    pairing = Pairing(str(FIXTURES / "original"))
    gated, ungated = Engine(load_ruleset(), pairing), Engine(load_ruleset(), pairing)
    ungated.plan.gates = {}
    source = (FIXTURES / "port" / "src" / "models" / "resnet.py").read_text(encoding="utf-8")
    lines = source.splitlines(keepends=True)
    # Under its own path it pairs by the path; under another, by the names it defines.
    paths = [str(FIXTURES / "port" / "src" / "models" / "resnet.py"), str(tmp_path / "nets" / "backbone.py")]
    for path in paths:
        assert any(finding.code.startswith("TMS4") for finding in gated.check(source, path))
    generator = random.Random(31)
    compiling = 0
    for _ in range(300):
        path = generator.choice(paths)
        at = generator.randrange(len(lines))
        damaged = generator.choice([
            source[:generator.randrange(len(source))],
            "".join(lines[:at] + lines[at + 1:]),
            "".join(lines[:at] + [lines[at].lstrip()] + lines[at + 1:]),
            "".join(lines[:at] + [generator.choice(['"""\n', "(\n", "class Other:\n    pass\n"])] + lines[at:]),
        ])
        found = codes(gated.check(damaged, path))
        assert not any(code == "TMS000" for _, code in found)
        if compiles(damaged):
            compiling += 1
            assert found == codes(ungated.check(damaged, path)), damaged
            # As flake8 asks: with Python's own parse, which the gate then reads instead of the text.
            assert found == codes(gated.check(damaged, path, ast.parse(damaged))), damaged
    assert compiling > 60


def test_the_gate_keeps_no_port_module_once_its_check_is_done(engine, tmp_path):
    """The gate's answer for the last port module is kept (the engine asks it before the parse
    and after), but not the module: flake8's parse of a file is let go when its check ends, or an
    editor's process walks it in every later collection and frees it only at exit."""
    import weakref

    port = str(tmp_path / "port" / "layers.py")
    tree = ast.parse(PORT_MODEL)
    alive = weakref.ref(tree)
    assert codes(engine.check(PORT_MODEL, port, tree)) == [(7, "TMS401"), (8, "TMS301")]
    del tree
    assert alive() is None
    # Asked again about the same text, under a new parse, the gate answers for that parse.
    assert codes(engine.check(PORT_MODEL, port, ast.parse(PORT_MODEL))) == [(7, "TMS401"), (8, "TMS301")]
    assert codes(engine.check(UNRELATED, port, ast.parse(UNRELATED))) == [(8, "TMS301")]
