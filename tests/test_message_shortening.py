"""A message shows source text shortened to one line of at most ``LIMIT`` characters: text of
``LIMIT`` characters or fewer whole, longer text as its first ``LIMIT - 1`` characters and "…".
Fixes get the text exactly (tests/test_examples.py checks them).

Every shortened message variable of every family is driven at the boundary (``LIMIT - 1``,
``LIMIT``, ``LIMIT + 1`` characters) through a user's copy of the default rule that produces it,
whose message is the variable alone. A variable whose value is shortened and has no row here
fails ``test_every_shortened_variable_has_a_row``.
"""

import ast
import inspect
from pathlib import Path

import pytest
import yaml

from conftest import ROOT, engine_with_rules
from flake8_torch2ms.families.clipping import messages as clipping_messages
from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.engine import Engine
from flake8_torch2ms.families import Pairing
from flake8_torch2ms.families.divergence import messages as divergence_messages
from flake8_torch2ms.families.pairs import messages as pairs_messages

LIMIT = 60
# A value shown inside a pairs rule's list of differences is cut at 40: several share the line.
DIFFERENCE_LIMIT = 40
MESSAGES = {"clipping": clipping_messages, "divergence": divergence_messages, "pairs": pairs_messages}


# A torch habit: TMS303 reports a pool that no shape decides only in a file that shows one.
POOL = "import torch\nfrom mindspore import nn\n"


def name(length: int, suffix: str = "") -> str:
    """An identifier of exactly ``length`` characters ending in ``suffix``."""
    assert length > len(suffix)
    return "n" * (length - len(suffix)) + suffix


def number(length: int, start: str = "0.1") -> str:
    """A number literal of exactly ``length`` characters with the value of ``start``."""
    return start + "0" * (length - len(start))


# (family, function of the messages module, variable) -> (default rule the user's copy is of,
#  make(length) -> (source, the variable's full text, of exactly that length))
CLIP = "from mindspore import ops\nloss, grads = grad_fn(data)\n"
ROWS = {
    ("clipping", "clip_call_variables", "FUNC"): (
        "clip-single-positional-bound", lambda n: (
            f"import mindspore.ops as {name(n - 14)}\nloss, grads = grad_fn(data)\n"
            f"grads = {name(n - 14)}.clip_by_value(grads, 0.1)\n", f"{name(n - 14)}.clip_by_value")),
    ("clipping", "clip_call_variables", "VALUE"): (
        "clip-single-positional-bound", lambda n: (
            f"from mindspore import ops\nloss, {name(n, '_grads')} = grad_fn(data)\n"
            f"x = ops.clip_by_value({name(n, '_grads')}, 0.1)\n", name(n, "_grads"))),
    ("clipping", "clip_call_variables", "MIN"): (
        "clip-single-positional-bound", lambda n: (CLIP + f"grads = ops.clip_by_value(grads, {number(n)})\n",
                                                   number(n))),
    ("clipping", "clip_call_variables", "MAX"): (
        "clip-asymmetric-bounds", lambda n: (CLIP + f"grads = ops.clip_by_value(grads, -0.1, {number(n, '0.2')})\n",
                                             number(n, "0.2"))),
    ("clipping", "clip_call_variables", "BOUND"): (
        "clip-single-positional-bound", lambda n: (CLIP + f"grads = ops.clip_by_value(grads, {number(n)})\n",
                                                   number(n))),
    ("clipping", "clip_call_variables", "SUGGESTED_MIN"): (
        "clip-single-positional-bound", lambda n: (CLIP + f"grads = ops.clip_by_value(grads, {number(n - 1)})\n",
                                                   "-" + number(n - 1))),
    ("clipping", "clip_call_variables", "SUGGESTED_MAX"): (
        "clip-single-positional-bound", lambda n: (CLIP + f"grads = ops.clip_by_value(grads, -{number(n)})\n",
                                                   number(n))),
    ("clipping", "unpacking_variables", "TARGETS"): (
        "value-and-grad-unpacked-swapped", lambda n: (
            "import mindspore as ms\ngrad_fn = ms.value_and_grad(forward_fn, None, weights)\n"
            f"grads, {name(n - 7, '_loss')} = grad_fn(data, label)\n", f"grads, {name(n - 7, '_loss')}")),
    ("clipping", "unpacking_variables", "FUNC"): (
        "value-and-grad-unpacked-swapped", lambda n: (
            f"import mindspore as ms\n{name(n)} = ms.value_and_grad(forward_fn, None, weights)\n"
            f"grads, loss = {name(n)}(data, label)\n", name(n))),
    ("clipping", "unpacking_variables", "SWAPPED"): (
        "value-and-grad-unpacked-swapped", lambda n: (
            "import mindspore as ms\ngrad_fn = ms.value_and_grad(forward_fn, None, weights)\n"
            f"grads, {name(n - 7, '_loss')} = grad_fn(data, label)\n", f"{name(n - 7, '_loss')}, grads")),
    ("divergence", "call_variables", "CALLEE"): (
        "dropout-rate-as-keep-prob", lambda n: (
            f"import mindspore.nn as {name(n - 8)}\nlayer = {name(n - 8)}.Dropout(0.1)\n", f"{name(n - 8)}.Dropout")),
    ("divergence", "_dropout_variables", "ARG"): (
        "dropout-rate-as-keep-prob", lambda n: (f"from mindspore import nn\nlayer = nn.Dropout({number(n)})\n",
                                                number(n))),
    ("divergence", "_dropout_variables", "VALUE"): (
        "dropout-rate-as-keep-prob", lambda n: (f"from mindspore import nn\nlayer = nn.Dropout({number(n)})\n",
                                                number(n))),
    ("divergence", "_dropout_variables", "SUGGESTED"): (
        "dropout-rate-as-keep-prob", lambda n: (f"from mindspore import nn\nlayer = nn.Dropout({number(n - 2)})\n",
                                                f"p={number(n - 2)}")),
    ("divergence", "_dropout_variables", "DROPPED"): (  # a rate proven by its guard, value unknown
        "dropout-rate-as-keep-prob", lambda n: (
            f"from mindspore import nn\n\n\ndef make({name(n - 4)}):\n    if {name(n - 4)} > 0:\n"
            f"        return nn.Dropout({name(n - 4)})\n", f"1 - {name(n - 4)}")),
    ("divergence", "_batch_norm_variables", "VALUE"): (
        "batchnorm-momentum-torch-convention", lambda n: (
            f"from mindspore import nn\nlayer = nn.BatchNorm2d(64, momentum={number(n)})\n", number(n))),
    ("divergence", "_batch_norm_variables", "MOMENTUM"): (
        "batchnorm-momentum-torch-convention", lambda n: (
            f"from mindspore import nn\nlayer = nn.BatchNorm2d(64, momentum={number(n)})\n", number(n))),
    ("divergence", "_batch_norm_variables", "SUGGESTED"): (
        "batchnorm-momentum-torch-convention", lambda n: (
            f"from mindspore import nn\n{name(n - 4)} = 0.1\nlayer = nn.BatchNorm2d(64, momentum={name(n - 4)})\n",
            f"1 - {name(n - 4)}")),
    ("divergence", "_batch_norm_variables", "EPS"): (
        "batchnorm-eps-momentum-swapped", lambda n: (
            f"from mindspore import nn\nlayer = nn.BatchNorm2d(64, {number(n, '0.9')}, 1e-5)\n", number(n, "0.9"))),
    ("divergence", "_batch_norm_variables", "SUGGESTED "): (  # the swapped arguments (one SUGGESTED per branch)
        "batchnorm-eps-momentum-swapped", lambda n: (
            f"from mindspore import nn\nlayer = nn.BatchNorm2d({name(n - 11)}, 0.9, 1e-5)\n",
            f"{name(n - 11)}, 1e-5, 0.9")),
    ("divergence", "call_variables", "KERNEL"): (
        "pool-stride-omitted", lambda n: (POOL + f"pool = nn.MaxPool2d({number(n, '2')})\n", number(n, "2"))),
    ("divergence", "call_variables", "STRIDE"): (
        "pool-stride-omitted", lambda n: (POOL + f"pool = nn.MaxPool2d({number(n, '2')})\n", number(n, "2"))),
    ("divergence", "call_variables", "SAMPLES"): (
        "multinomial-replacement-omitted", lambda n: (
            f"from mindspore import ops\nprobs = ops.softmax(logits)\nx = ops.multinomial(probs, {number(n, '4')})\n",
            number(n, "4"))),
    ("divergence", "reduction_variables", "EXPRESSION"): (
        "tensor-max-axis-indexed", lambda n: (
            f"from mindspore import ops\n{name(n - 15)} = ops.softmax(logits)\nbest = {name(n - 15)}.max(axis=1)[0]\n",
            f"{name(n - 15)}.max(axis=1)[0]")),
    ("divergence", "reduction_variables", "SUGGESTED"): (
        "tensor-max-axis-indexed", lambda n: (
            f"from mindspore import ops\n{name(n - 14)} = ops.softmax(logits)\nbest = {name(n - 14)}.max(axis=1)[0]\n",
            f"{name(n - 14)}.max(dim=1)[0]")),
    ("divergence", "unpacking_variables", "FUNC"): (
        "argmax-with-value-unpacked-swapped", lambda n: (
            f"from mindspore import ops\n{name(n)} = ops.ArgMaxWithValue(axis=-1)\nscore, index = {name(n)}(logits)\n",
            name(n))),
    ("divergence", "unpacking_variables", "SWAPPED"): (
        "argmax-with-value-unpacked-swapped", lambda n: (
            "from mindspore import ops\nargmax = ops.ArgMaxWithValue(axis=-1)\n"
            f"{name(n - 7, '_score')}, index = argmax(logits)\n", f"index, {name(n - 7, '_score')}")),
}
CODES = {key: f"TMS{900 + number_}" for number_, key in enumerate(sorted(ROWS))}


def shortened(text: str) -> str:
    """What the message must show of ``text``: the specification, independent of the code."""
    return text if len(text) <= LIMIT else text[:LIMIT - 1] + "…"


def default_copy(rule_id: str, code: str, message: str) -> dict:
    """A user's copy of a default rule: the same matcher and conditions, its own code and message."""
    default = yaml.safe_load((ROOT / "rules" / f"{rule_id}.yml").read_text(encoding="utf-8"))
    copy = {field: value for field, value in default.items()
            if field in ("language", "severity", "rule", "conditions", "constraints", "utils")}
    return {**copy, "id": f"shortened-{code.lower()}", "code": code, "message": message}


def user_copy(key: tuple[str, str, str]) -> dict:
    """The default rule as a user's rule whose message is the variable alone, between brackets."""
    rule_id, _ = ROWS[key]
    return default_copy(rule_id, CODES[key], f"<${key[2].strip()}>")


@pytest.fixture(scope="module")
def copies_engine(tmp_path_factory):
    return engine_with_rules(tmp_path_factory.mktemp("shortening"), [user_copy(key) for key in sorted(ROWS)])


@pytest.mark.parametrize("length", [LIMIT - 1, LIMIT, LIMIT + 1, 3 * LIMIT])
@pytest.mark.parametrize("key", sorted(ROWS), ids=lambda key: f"{key[0]}-{key[2].strip()}-{key[1]}")
def test_a_shortened_variable_at_its_boundary(copies_engine, key, length):
    source, text = ROWS[key][1](length)
    assert len(text) == length  # the row builds what it says
    messages = [finding.message for finding in copies_engine.check(source) if finding.code == CODES[key]]
    assert messages == [f"<{shortened(text)}>"]


def test_the_limit_is_the_one_every_family_shortens_to():
    for module in MESSAGES.values():
        assert inspect.signature(module.shorten).parameters["limit"].default == LIMIT


# Port-pair rules: the same, on a port checked beside its original. The port keeps torch's rate
# as keep_prob (TMS402); the rate's name and the MindSpore module's alias set the lengths.
PAIR_ORIGINAL = """from torch import nn
class Net(nn.Module):
    def __init__(self, {rate}):
        super().__init__()
        self.drop = nn.Dropout({rate})
"""
PAIR_PORT = """import mindspore as {alias}
class Net({alias}.nn.Cell):
    def __init__(self, {rate}):
        super().__init__()
        self.drop = {alias}.nn.Dropout(keep_prob={rate})
"""
PAIR_ROWS = {
    # (family, function, variable) -> make(length) -> (alias, rate, the variable's full text)
    ("pairs", "pair_variables", "CALLEE"): lambda n: (name(n - 11), "rate", f"{name(n - 11)}.nn.Dropout"),
    ("pairs", "pair_variables", "ARGUMENTS"): lambda n: ("ms", name(n - 14), f"keep_prob=1 - {name(n - 14)}"),
}


def paired_copies_engine(directory, original: str) -> Engine:
    """The pairs rule as a user's copy whose message shows the variables, in port-pair mode."""
    rule = default_copy("value-differs-from-original", "TMS950", "<$CALLEE>|<$ARGUMENTS>|<$DIFFERENCES>")
    (directory / "original").mkdir()
    (directory / "original" / "model.py").write_text(original, encoding="utf-8")
    (directory / "torch2ms.yml").write_text(yaml.safe_dump({"rules": [rule]}), encoding="utf-8")
    load_ruleset.cache_clear()
    try:
        return Engine(load_ruleset(str(directory / "torch2ms.yml")), Pairing(str(directory / "original")))
    finally:
        load_ruleset.cache_clear()


def pair_message(tmp_path, alias: str, rate: str) -> list[str]:
    engine = paired_copies_engine(tmp_path, PAIR_ORIGINAL.format(rate=rate))
    port = PAIR_PORT.format(alias=alias, rate=rate)
    return [finding.message for finding in engine.check(port, str(tmp_path / "port" / "model.py"))
            if finding.code == "TMS950"]


@pytest.mark.parametrize("length", [LIMIT - 1, LIMIT, LIMIT + 1, 3 * LIMIT])
@pytest.mark.parametrize("key", sorted(PAIR_ROWS), ids=lambda key: key[2])
def test_a_shortened_pairs_variable_at_its_boundary(tmp_path, key, length):
    alias, rate, text = PAIR_ROWS[key](length)
    assert len(text) == length
    [message] = pair_message(tmp_path, alias, rate)
    callee, arguments, _ = message.split("|")
    assert (callee if key[2] == "CALLEE" else arguments) == f"<{shortened(text)}>"


@pytest.mark.parametrize("length", [DIFFERENCE_LIMIT - 1, DIFFERENCE_LIMIT, DIFFERENCE_LIMIT + 1])
def test_a_value_in_the_differences_is_cut_at_its_own_limit(tmp_path, length):
    rate = name(length)
    shown = rate if length <= DIFFERENCE_LIMIT else rate[:DIFFERENCE_LIMIT - 1] + "…"
    [message] = pair_message(tmp_path, "ms", rate)
    assert message.split("|")[2] == (f"<keep_prob={shown} (MindSpore's keep_prob is 1 - torch's p) "
                                     f"where the original has p={shown}>")


@pytest.mark.parametrize("family", sorted(MESSAGES))
def test_shorten_keeps_one_line_at_the_boundary(family):
    shorten = MESSAGES[family].shorten
    assert shorten("a\n  b") == "a b"
    for length in (LIMIT - 1, LIMIT, LIMIT + 1):
        text = "x" * length
        assert shorten(text) == shortened(text)
        assert len(shorten(text)) == min(length, LIMIT)


def shortened_variables() -> set[tuple[str, str, str]]:
    """(family, function, variable) for every variable a messages module sets from ``short``."""
    found = set()
    for family, module in MESSAGES.items():
        tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
        for function in [node for node in tree.body if isinstance(node, ast.FunctionDef)]:
            for node in ast.walk(function):
                pairs = []
                if isinstance(node, ast.Dict):
                    pairs = list(zip(node.keys, node.values))
                elif isinstance(node, ast.Assign):
                    pairs = [(target.slice, node.value) for target in node.targets
                             if isinstance(target, ast.Subscript)]
                for key, value in pairs:
                    uses_short = any(isinstance(inner, ast.Name) and inner.id == "short" for inner in ast.walk(value))
                    if isinstance(key, ast.Constant) and uses_short:
                        found.add((family, function.name, key.value))
    return found


def test_every_shortened_variable_has_a_row():
    variables = shortened_variables()
    assert ("clipping", "clip_call_variables", "VALUE") in variables  # the scan finds them
    rows = {(family, function, variable.strip()) for family, function, variable in [*ROWS, *PAIR_ROWS]}
    assert variables - rows == set(), "shortened message variables without a boundary row in ROWS"
    assert rows - variables == set(), "ROWS names variables the messages modules no longer shorten"
