"""The divergence family apart from its rules' examples: which API a call builds, what a value
is, the prefilter's words, and facts a user adds."""

import textwrap

import pytest
from ast_grep_py import SgRoot

from flake8_torch2ms.config import RuleSet, load_ruleset
from flake8_torch2ms.engine import Engine
from flake8_torch2ms.families.divergence.analysis import DivergenceAnalysis, Origin
from flake8_torch2ms.semantics.model import SemanticModel


@pytest.fixture(scope="module")
def facts(ruleset):
    return ruleset.facts["divergence"]


def analysis_of(source: str, engine: Engine, facts) -> tuple[DivergenceAnalysis, object]:
    root = SgRoot(textwrap.dedent(source), "python").root()
    model = SemanticModel(root, None, engine.canonical, engine.known)
    return DivergenceAnalysis(model, facts), root


def codes(engine: Engine, source: str) -> list[str]:
    return [finding.code for finding in engine.check(textwrap.dedent(source))]


@pytest.mark.parametrize("source, expected", [
    ("from mindspore import nn\nnn.BatchNorm2d(4)\n", "mindspore.nn.BatchNorm2d"),
    ("import mindspore as ms\nms.nn.layer.normalization.BatchNorm2d(4)\n", "mindspore.nn.BatchNorm2d"),
    ("from mindspore.nn import *\nBatchNorm2d(4)\n", "mindspore.nn.BatchNorm2d"),
    ("from tinyms import layers\nlayers.BatchNorm2d(4)\n", "mindspore.nn.BatchNorm2d"),
    # A subclass of this module that keeps the base's constructor builds the base.
    ("from mindspore import nn\nclass Norm(nn.BatchNorm2d):\n    def construct(self, x):\n        return x\n"
     "Norm(4)\n", "mindspore.nn.BatchNorm2d"),
    # ... one that defines __init__ (itself or through a base of the module) may mean anything.
    ("from mindspore import nn\nclass Norm(nn.BatchNorm2d):\n    def __init__(self, c, momentum=0.1):\n"
     "        super().__init__(c, momentum=1 - momentum)\nNorm(4)\n", None),
    ("from mindspore import nn\nclass Base(nn.BatchNorm2d):\n    def __init__(self, c):\n        pass\n"
     "class Norm(Base):\n    pass\nNorm(4)\n", None),
    # torch's convention, and torch itself: not the facts' BatchNorm.
    ("from mindspore import mint\nmint.nn.BatchNorm2d(4)\n", None),
    ("import torch\ntorch.nn.BatchNorm2d(4)\n", None),
])
def test_which_batch_norm_a_call_builds(engine, facts, source, expected):
    analysis, root = analysis_of(source, engine, facts)
    api = analysis.api(root.find_all(kind="call")[-1], facts.batch_norms)
    assert (api.name if api is not None else None) == expected


@pytest.mark.parametrize("source, expected", [
    ("from mindspore import ops\nx = ops.softmax(y)\nuse(x)\n", Origin.MINDSPORE),
    ("import mindspore as ms\nx = ms.Tensor([1.0])\nuse(x)\n", Origin.MINDSPORE),
    ("from mindspore import ops\nfor x in ops.softmax(y):\n    use(x)\n", Origin.MINDSPORE),
    ("from mindspore import ops\nx = ops.softmax(y).reshape(2, 3)[0] * 2\nuse(x)\n", Origin.MINDSPORE),
    ("from mindspore import ops\nsoftmax = ops.Softmax(axis=1)\nx = softmax(y)\nuse(x)\n", Origin.MINDSPORE),
    # A parameter of a Cell's construct, a layer stored on a Cell.
    ("from mindspore import nn\nclass Net(nn.Cell):\n    def construct(self, x):\n        use(x)\n", Origin.MINDSPORE),
    ("from mindspore import nn\nclass Net(nn.Cell):\n    def __init__(self, body):\n        self.body = body\n"
     "    def construct(self, y):\n        x = self.body(y)\n        use(x)\n", Origin.MINDSPORE),
    # Leaving MindSpore, or never in it.
    ("from mindspore import ops\nx = ops.softmax(y).asnumpy()\nuse(x)\n", Origin.OTHER),
    ("import numpy as np\nx = np.asarray(y)\nuse(x)\n", Origin.OTHER),
    ("import torch\nx = torch.softmax(y, 1)\nuse(x)\n", Origin.OTHER),
    # Nothing known: a plain function's parameter, a method of a class that is no Cell, paths that differ.
    ("def f(x):\n    use(x)\n", Origin.UNKNOWN),
    ("class Decoder:\n    def run(self, y):\n        x = self.body(y)\n        use(x)\n", Origin.UNKNOWN),
    ("import numpy as np\nfrom mindspore import ops\nx = ops.softmax(y)\nif cpu:\n    x = np.asarray(y)\nuse(x)\n",
     Origin.UNKNOWN),
])
def test_what_a_value_is(engine, facts, source, expected):
    analysis, root = analysis_of(source, engine, facts)
    use = next(call for call in root.find_all(kind="call") if call.field("function").text() == "use")
    assert analysis.origin(use.field("arguments").named_children()[0]) == expected


def test_a_kernel_tuple_is_followed_through_a_parameter_default(engine, facts):
    analysis, root = analysis_of("def pool(kernel=(2, 1)):\n    use(kernel)\n", engine, facts)
    assert analysis.numbers(root.find_all(kind="identifier")[-1]) == (2.0, 1.0)


def test_prefilter_words(ruleset):
    triggers = {rule.code: Engine(RuleSet([rule], ruleset.facts)).trigger(rule)
                for rule in ruleset.rules if rule.family == "divergence"}
    words = {code: trigger.words for code, trigger in triggers.items()}
    # TMS304's tensors come from MindSpore calls; the others' APIs are re-exported by tinyms too.
    assert {code: sorted(trigger.roots) for code, trigger in triggers.items()} == {
        "TMS301": ["mindspore", "tinyms"], "TMS302": ["mindspore", "tinyms"], "TMS303": ["mindspore", "tinyms"],
        "TMS304": ["mindspore"], "TMS305": ["mindspore", "tinyms"], "TMS306": ["mindspore", "tinyms"],
        "TMS307": ["mindspore", "tinyms"]}
    assert [code for code, trigger in triggers.items() if trigger.after] == ["TMS301"]
    assert words["TMS301"] == {"Dropout"}
    assert words["TMS302"] == words["TMS307"] == {"BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "SyncBatchNorm"}
    assert words["TMS305"] == {"multinomial"}
    assert words["TMS306"] == {"ArgMaxWithValue", "ArgMinWithValue"}
    assert words["TMS304"] == {"max(axis", "min(axis"}


def test_the_values_only_reduction_prefilter_misses_axis_written_second(ruleset):
    """The documented price of TMS304's narrow words (rules/facts/divergence.yml): a file whose
    only reduction passes another keyword before axis= is not parsed for it."""
    engine = Engine(ruleset)
    source = "from mindspore import ops\nprobs = ops.softmax(y)\nbest = probs.max(keepdims=True, axis=1)[0]\n"
    assert codes(engine, source) == []
    assert codes(engine, source.replace("keepdims=True, axis=1", "axis=1, keepdims=True")) == ["TMS304"]


@pytest.mark.parametrize("module", ["ourlib.layers", "otherlib"])
def test_a_dropout_spelling_added_in_configuration(tmp_path, module):
    """Its name, and its `also:` spelling in a package no other entry names (the prefilter must
    keep a file that imports only that)."""
    path = tmp_path / "torch2ms.yml"
    path.write_text(textwrap.dedent("""\
        facts:
          keep-prob-dropouts:
            - name: ourlib.layers.KeepDropout
              also: [otherlib.KeepDropout]
              keep-prob: {position: 0, keyword: keep_prob}
        """), encoding="utf-8")
    engine = Engine(load_ruleset(str(path)))
    findings = engine.check(f"from {module} import KeepDropout\ndrop = KeepDropout(0.25)\n")
    assert [(finding.code, finding.message) for finding in findings] == [
        ("TMS301", "KeepDropout(0.25) reads 0.25 as the keep probability and drops 75% of the activations; "
                   "write KeepDropout(keep_prob=0.75)")]


def test_unknown_or_out_of_range_values_give_no_finding(engine):
    source = """\
        from mindspore import nn, ops
        def build(config, rate=None, n=None):
            if rate is None:
                rate = 0.1
            return [nn.Dropout(rate), nn.Dropout(0.0), nn.BatchNorm2d(4, momentum=config.momentum),
                    nn.BatchNorm2d(4, momentum=-0.1), nn.MaxPool2d(config.pool), ops.multinomial(config.p, n)]
        """
    assert codes(engine, source) == []


# ---- a test that asserts MindSpore's update: BatchNorm's momentum read by where the call sits
#
# The call and the test's expectation (`0.9 * <batch mean>` in an asserting function named
# test...) are placed in every kind of scope; the expectation counts only inside a test function
# (or a helper nested in one, or a test nested in a helper), never from a call of the module, a
# lambda, a class body or another function.
BATCH_NORM = "nn.BatchNorm2d(3, momentum=0.1)"
EXPECTATION = ["batch_mean = x.mean(axis=0)", "assert np.allclose(moving, 0.9 * batch_mean)"]
MOMENTUM_PLACES = {
    "module": ([f"bn = {BATCH_NORM}"], True),
    "lambda": ([f"make = lambda: {BATCH_NORM}"], True),
    "class body": (["class Net:", f"    bn = {BATCH_NORM}"], True),
    "function": (["def build(x, moving):", f"    bn = {BATCH_NORM}", *("    " + line for line in EXPECTATION)], True),
    "test function": (["def test_update(x, moving):", f"    bn = {BATCH_NORM}",
                       *("    " + line for line in EXPECTATION)], False),
    "test function without an assertion": (["def test_update(x, moving):", f"    bn = {BATCH_NORM}",
                                            "    batch_mean = x.mean(axis=0)", "    use(0.9 * batch_mean)"], True),
    "helper nested in a test": (["def test_update(x, moving):", "    def make():", f"        return {BATCH_NORM}",
                                 *("    " + line for line in EXPECTATION)], False),
    "test nested in a helper": (["def helper(x, moving):", "    def test_update():", f"        bn = {BATCH_NORM}",
                                 *("        " + line for line in EXPECTATION)], False),
    "lambda in a test": (["def test_update(x, moving):", f"    make = lambda: {BATCH_NORM}",
                          *("    " + line for line in EXPECTATION)], False),
    "method of a test class": (["class TestNorm:", "    def test_update(self, x, moving):",
                                f"        bn = {BATCH_NORM}", *("        " + line for line in EXPECTATION)], False),
}


@pytest.mark.parametrize("place", MOMENTUM_PLACES)
def test_a_test_expectation_counts_only_around_the_call(engine, place):
    lines, reported = MOMENTUM_PLACES[place]
    source = "\n".join(["import numpy as np", "from mindspore import nn", *lines]) + "\n"
    compile(source, place, "exec")
    assert codes(engine, source) == (["TMS302"] if reported else [])


# ---- a dropout value proven a rate by the condition around the call, by form of the condition
@pytest.mark.parametrize("condition, guarded", [
    ("p", True),
    ("p > 0", True),
    ("p > 0.0", True),
    ("0 < p", True),
    ("p != 0", True),
    ("0 != p", True),
    ("(p > 0)", True),
    ("p > 0 and training", True),
    ("p >= 0", False),  # a keep probability passes this too
    ("p > 0.5", False),
    ("p < 0", False),
    ("0 > p", False),
    ("p == 0", False),
    ("0 < p < 1", False),
    ("q > 0", False),  # another value
    ("p > zero", False),
    ("zero < p", False),
])
def test_each_form_of_a_rate_guard(engine, condition, guarded):
    head = "from mindspore import nn\ndef head(p, q, zero, training):\n"
    source = f"{head}    if {condition}:\n        return nn.Dropout(p)\n"
    assert codes(engine, source) == (["TMS301"] if guarded else [])
    expression = f"{head}    return nn.Dropout(p) if {condition} else None\n"
    assert codes(engine, expression) == (["TMS301"] if guarded else [])


# ---- which callee names reach the conditions: layers (classes) by the end of their name, so a
# subclass named after its base is checked; functions by their whole name. A function or class
# stored under another name is resolved by the model only when the name still reaches the rule.
@pytest.mark.parametrize("lines, reported", [
    (["a = ops.multinomial(x, 2)"], True),
    (["multinomial = ops.multinomial", "b = multinomial(x, 2)"], True),
    (["my_multinomial = ops.multinomial", "c = my_multinomial(x, 2)"], False),
    (["sample_multinomial = ops.multinomial", "c = sample_multinomial(x, 2)"], False),
    (["MyDropout = nn.Dropout", "d = MyDropout(0.1)"], True),
    (["class MaskedDropout(nn.Dropout):", "    pass", "e = MaskedDropout(0.1)"], True),
    (["my_dropout = nn.Dropout", "f = my_dropout(0.1)"], False),
    (["class FrozenBatchNorm2d(nn.BatchNorm2d):", "    pass", "g = FrozenBatchNorm2d(3, momentum=0.1)"], True),
    # a pool without a stride is reported where the file shows a torch habit
    (["import torch", "class SlowMaxPool2d(nn.MaxPool2d):", "    pass", "h = SlowMaxPool2d(2)"], True),
    (["import torch", "my_pool = nn.MaxPool2d", "h = my_pool(2)"], False),
])
def test_which_callee_names_reach_the_rules(engine, lines, reported):
    source = "\n".join(["from mindspore import nn, ops", *lines]) + "\n"
    found = [finding for finding in engine.check(source) if finding.code != "TMS000"]
    assert [finding.line for finding in found] == ([len(lines) + 1] if reported else [])
