"""Given Python's parse (flake8's), the engine parses only the definitions the active rules can
reach (linter/slicing.py). Checked by class of behaviour:

- a check given the parse finds exactly what a check without it finds: every rule example of a
  family that allows the cut, among definitions no rule reaches (which are cut);
- each reason to keep a definition guards a finding: the scenario's finding needs that definition
  (cutting it by hand changes the findings), and the engine keeps it;
- a definition nothing reaches is cut, however much kept code names it;
- the cut keeps every line's number and every kept character's column, and is valid Python;
- no cut where it could change an answer: a rule of another family active, no parse given,
  a word imported under another name, a rule without words, a parse of another text.
"""

from __future__ import annotations

import ast

import pytest

from conftest import engine_with_rules
from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.families import BY_NAME
from flake8_torch2ms.slicing import reachable_source

FILLER = '''

class Unrelated:
    """Nothing here is named by the rules' code."""

    def __init__(self):
        self.width = 3

    def scaled(self, values):
        total = 0
        for value in values:
            total += value * self.width
        return total


def unrelated_helper(text):
    return text.strip().lower()
'''

SLICED_FAMILIES = {name for name, family in BY_NAME.items() if family.helper_words is not None}
EXAMPLES = [
    pytest.param(example.source, id=f"{rule.id}/{kind}/{example.name}")
    for rule in sorted(load_ruleset().rules, key=lambda rule: rule.code) if rule.family in SLICED_FAMILIES
    for kind in ("valid", "invalid")
    for example in getattr(rule, kind)
]


def both_ways(engine, source, path=None):
    """The findings without Python's parse and given it, which must be the same."""
    return engine.check(source, path), engine.check(source, path, ast.parse(source))


def body_kept(text: str, name: str) -> bool:
    """Whether the top-level definition ``name`` keeps its body in ``text`` (not cut to ``...``)."""
    node = next(node for node in ast.parse(text).body if getattr(node, "name", None) == name)
    return not (len(node.body) == 1 and isinstance(node.body[0], ast.Expr)
                and getattr(node.body[0].value, "value", None) is Ellipsis)


def cut_by_hand(source: str, name: str) -> str:
    """``source`` with the body of the top-level definition ``name`` replaced by ``...``."""
    node = next(node for node in ast.parse(source).body if getattr(node, "name", None) == name)
    lines = source.split("\n")
    indent = " " * node.body[0].col_offset
    first, last = node.body[0].lineno - 1, node.end_lineno
    return "\n".join(lines[:first] + [indent + "..."] + [""] * (last - first - 1) + lines[last:])


@pytest.mark.parametrize("source", EXAMPLES)
def test_rule_examples_among_unreached_definitions(engine, source):
    text = source + FILLER
    without, given = both_ways(engine, text)
    assert given == without
    tree = ast.parse(text)
    if engine.may_match(text, None, tree):
        reachable = engine.reachable(text, None, tree)
        assert not body_kept(reachable, "Unrelated") and not body_kept(reachable, "unrelated_helper")


# (name, source, the definition kept for that reason, the codes found): each finding needs it.
KEPT_FOR_A_REASON = {
    "a base of a kept class: what its methods set on self": ('''
from mindspore import nn, ops


class Base(nn.Cell):
    def __init__(self, net):
        super().__init__()
        self.weights = net.trainable_params()


class Clipper(Base):
    def construct(self):
        clipped = ops.clip_by_value(self.weights, -1.0, 1.0)
        return clipped
''', "Base", ["TMS101"]),
    "a subclass of a kept class: a match resolved through what the base sets": ('''
from mindspore import nn, ops


class Holder(nn.Cell):
    def __init__(self):
        super().__init__()
        self.clipper = ops.clip_by_value


class Trainer(Holder):
    def construct(self, grads):
        return self.clipper(grads, 1.0)
''', "Trainer", ["TMS103"]),
    "a helper's call site: what the mapped helper's parameters receive": ('''
from mindspore import nn, ops
from mindspore.ops import composite as C
from mindspore.ops import functional as F

clip_grad = C.MultitypeFuncGraph("clip_grad")


@clip_grad.register("Number", "Tensor")
def _clip_grad(clip_value, grad):
    return ops.clip_by_value(grad, -clip_value, clip_value)


class TrainStep(nn.Cell):
    def __init__(self):
        super().__init__()
        self.hyper_map = C.HyperMap()

    def construct(self, grads):
        return self.hyper_map(F.partial(clip_grad, -1.0), grads)
''', "TrainStep", ["TMS106"]),
    "a module-level name bound to what a word names": ('''
import mindspore as ms

grad_fn = ms.value_and_grad(forward_fn, None, weights)
step_fn = grad_fn


def train_step(data, label):
    grads, loss = step_fn(data, label)
    return loss
''', "train_step", ["TMS109"]),
    "an import in a class's body, which the model gives the module's scope": ('''
import mindspore


class Ops:
    import mindspore.ops as P


def step(grads):
    return P.clip_by_value(grads, 1.0)
''', "Ops", ["TMS103"]),
    "an import of a package a rule's imports: asks for": ('''
import torch


def setup():
    import mindspore
    return mindspore


def step(model):
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
''', "setup", ["TMS201"]),
    "a helper that writes parameters, mapped by kept code (weight clipping is intended)": ('''
from mindspore import nn, ops
from mindspore.ops import composite as C
from mindspore.ops import functional as F


def _assign_all(param, value):
    return F.assign(param, value)


class WeightClipper(nn.Cell):
    def __init__(self, net):
        super().__init__()
        self.params = net.trainable_params()
        self.hyper_map = C.HyperMap()

    def construct(self):
        clipped = ops.clip_by_value(self.params, -0.01, 0.01)
        return self.hyper_map(F.partial(_assign_all), self.params, clipped)
''', "_assign_all", []),
}


@pytest.mark.parametrize("source, name, codes", KEPT_FOR_A_REASON.values(), ids=KEPT_FOR_A_REASON.keys())
def test_each_reason_to_keep_a_definition_guards_a_finding(engine, source, name, codes):
    text = source + FILLER
    without, given = both_ways(engine, text)
    assert given == without
    assert sorted(finding.code for finding in without) == codes
    reachable = engine.reachable(text, None, ast.parse(text))
    assert body_kept(reachable, name)
    assert not body_kept(reachable, "Unrelated")
    # The scenario rests on that definition: without its body, the findings differ.
    assert engine.check(cut_by_hand(text, name)) != without


def test_a_definition_that_binds_a_module_level_name_is_kept(engine):
    # Today's model reads no binding made through `global` from another function; the cut does
    # not rest on that.
    source = '''
import mindspore as ms
from mindspore import ops


def build(forward_fn, weights):
    global grad_fn
    grad_fn = ms.grad(forward_fn, None, weights, has_aux=True)


def step(data):
    output = grad_fn(data)
    return ops.clip_by_value(output, -1.0, 1.0)
''' + FILLER
    reachable = engine.reachable(source, None, ast.parse(source))
    assert body_kept(reachable, "build") and not body_kept(reachable, "Unrelated")


def test_what_kept_code_names_but_never_reads_is_cut(engine):
    source = '''
from mindspore import nn, ops
import logging

logger = logging.getLogger(__name__)


class PositionBias(nn.Cell):
    def construct(self, x):
        logger.info("bias")
        return x * 2


class Base(nn.Cell):
    def __init__(self):
        super().__init__()
        logger.info("base")
        self.scale = 0.5


class Attention(Base):
    def __init__(self):
        super().__init__()
        self.bias = PositionBias()

    def construct(self, x):
        return ops.clip_by_value(self.scale * self.bias(x), 0.0, 100.0)


class Block(Base):
    def __init__(self):
        super().__init__()
        self.attention = Attention()


def block_factory():
    return Block()
'''
    tree = ast.parse(source)
    reachable = engine.reachable(source, None, tree)
    assert body_kept(reachable, "Attention") and body_kept(reachable, "Base")
    # Instantiated by kept code, a subclass of a class kept only as a base, a function that calls
    # a kept class, and readers of a module-level name that no word binds.
    for name in ("PositionBias", "Block", "block_factory"):
        assert not body_kept(reachable, name), name
    without, given = both_ways(engine, source)
    assert given == without


def test_a_fix_hazard_counts_the_reads_in_cut_definitions(engine):
    # The cut text finds the inverted range; the check is then done on the whole text, whose
    # other reader of LIMIT makes the fix unsafe.
    source = '''
from mindspore import ops

LIMIT = 1.0


def step(grads):
    return ops.clip_by_value(grads, LIMIT, 0.5)


def report():
    return LIMIT * 2
'''
    tree = ast.parse(source)
    assert not body_kept(engine.reachable(source, None, tree), "report")
    without, given = both_ways(engine, source)
    assert given == without
    assert [finding.code for finding in given] == ["TMS106"]
    assert "also read elsewhere" in (given[0].fix_hazard or "")
    alone = source.replace("return LIMIT * 2", "return 2")  # the hazard is that reader's
    assert engine.check(alone, None, ast.parse(alone))[0].fix_hazard is None


LINES_AND_COLUMNS = [source for source, _, _ in KEPT_FOR_A_REASON.values()] + ['''
from mindspore import ops


def gradient_step(grads):  # é
    return ops.clip_by_value(grads, -1.0, 1.0)


def décor(text="é", other="ü"): return text.upper() + other.lower() + "ñ" * 3


@staticmethod
def single_line(): return 1


class Emptied:
    """Only a docstring."""


def multi_line_string():
    text = """one
two
three"""
    return text  # a comment after the last statement
x = 1


class DecoratedFirst:
    @property
    def width(self):
        return 3

    @staticmethod
    @functools.lru_cache(maxsize=None)
    def table():
        return {}
''']


@pytest.mark.parametrize("line_end", ["\n", "\r\n"], ids=["lf", "crlf"])
@pytest.mark.parametrize("source", LINES_AND_COLUMNS)
def test_the_cut_keeps_lines_and_columns(engine, source, line_end):
    text = (source + FILLER).replace("\n", line_end)
    tree = ast.parse(text)
    reachable = engine.reachable(text, None, tree)
    assert reachable != text
    ast.parse(reachable)  # valid Python
    before, after = text.split("\n"), reachable.split("\n")
    assert len(after) == len(before)
    for old, new in zip(before, after):
        # A line is kept, or emptied, or its body (from where it starts) replaced by '...'.
        assert new in (old, "") or (new.endswith("...") and old.startswith(new[:-3]))
    without, given = both_ways(engine, text)
    assert given == without


def test_non_ascii_before_a_body_on_its_header_line():
    source = 'def f(text="é"): return text.upper() + "long enough to be worth cutting"\n'
    cut = reachable_source(source, ast.parse(source), {"clip_by_value"})
    assert cut == 'def f(text="é"): ...\n'


def test_a_parse_of_another_text_cuts_nothing():
    source = "from mindspore import ops\n\n\ndef f(g):\n    return ops.clip_by_value(g, 1.0)\n" + FILLER
    other = ast.parse("def g():\n    pass\n" * 3)
    assert reachable_source(source, other, {"clip_by_value"}) is source
    shorter = ast.parse(source + "\n" * 20 + "def late():\n    return 1\n")
    assert reachable_source(source, shorter, {"clip_by_value"}) is source


CLIP_AND_UNRELATED = ("from mindspore import ops\n\n\ndef step(grads):\n    return ops.clip_by_value(grads, 1.0)\n"
                      + FILLER)


@pytest.mark.parametrize("source", [
    # A divergence rule reads the whole file (a layer's torch habits, the model's shapes).
    "from mindspore import nn\n\n\ndef layer():\n    return nn.Dropout(0.1)\n\n\n" + CLIP_AND_UNRELATED,
    # A word imported under another name: the structural pass is widened for it.
    "from mindspore.ops import clip_by_value as cbv\n" + CLIP_AND_UNRELATED,
], ids=["divergence-rule-active", "word-renamed"])
def test_no_cut_where_the_rules_read_more(engine, source):
    assert engine.reachable(source, None, ast.parse(source)) == source
    without, given = both_ways(engine, source)
    assert given == without and without


def test_no_cut_without_a_parse_or_for_a_rule_without_words(engine, tmp_path):
    assert engine.reachable(CLIP_AND_UNRELATED) == CLIP_AND_UNRELATED
    assert engine.reachable(CLIP_AND_UNRELATED, None, ast.parse(CLIP_AND_UNRELATED)) != CLIP_AND_UNRELATED
    # A user's structural rule with no family: its matches may be anywhere.
    user = engine_with_rules(tmp_path, [{
        "id": "no-lower", "code": "TMS990", "language": "python", "severity": "warning",
        "message": "lower()", "rule": {"pattern": "$X.lower()"}}])
    tree = ast.parse(CLIP_AND_UNRELATED)
    assert user.reachable(CLIP_AND_UNRELATED, None, tree) == CLIP_AND_UNRELATED
    found = user.check(CLIP_AND_UNRELATED, None, tree)
    assert [finding.code for finding in found] == ["TMS103", "TMS990"]
