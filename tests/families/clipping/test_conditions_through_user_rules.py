"""Every value of every clipping condition, asked through a user's own rule: one rule per
(condition, value), run on a small program with one call per value, must fire on exactly the lines
that have that value. A value that is never told apart from its neighbours (``bounds: none`` from
``missing``) fails here, not on a user's code."""

import textwrap

import pytest

from conftest import engine_with_config
from flake8_torch2ms.config import CONDITIONS
from flake8_torch2ms.families import BY_NAME

CLIP_CALLS = {"matches": "clip-call"}
TORCH_CALLS = {"matches": "torch-clipping-call"}
ASSIGNMENTS = {"kind": "assignment", "has": {"field": "right", "kind": "call"}}

# condition -> (matcher, conditions every rule of it adds, program, {value: lines that have it})
CASES = {
    "callee": (
        {"any": [CLIP_CALLS, TORCH_CALLS]}, {},
        """\
        import mindspore
        import torch
        from mindspore import ops
        grads = ops.clip_by_value(grads, -1.0, 1.0)
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        """,
        {"clip-function": [4], "torch-clipping": [5]},
    ),
    "clipped": (
        CLIP_CALLS, {"callee": "clip-function"},
        """\
        import mindspore as ms
        from mindspore import ops
        grad_fn = ms.value_and_grad(forward, None, weights)
        loss, grads = grad_fn(data)
        a = ops.clip_by_value(grads, -1.0, 1.0)
        b = ops.clip_by_value(net.trainable_params(), -1.0, 1.0)
        c = ops.clip_by_value(grad_fn(data), -1.0, 1.0)
        d = ops.clip_by_value(loss, -1.0, 1.0)
        e = ops.clip_by_value(features, -1.0, 1.0)
        """,
        {"gradients": [5], "parameters": [6], "whole-grad-output": [7], "other": [8], "unknown": [9]},
    ),
    "bounds": (
        CLIP_CALLS, {"callee": "clip-function"},
        """\
        from mindspore import ops
        a = ops.clip_by_global_norm(grads, 1.0)
        b = ops.clip_by_value(grads)
        c = ops.clip_by_value(grads, 0.1)
        d = ops.clip_by_value(grads, clip_value_max=0.1)
        e = ops.clip_by_value(grads, 0.1, -0.1)
        f = ops.clip_by_value(grads, -0.1, 0.1)
        g = ops.clip_by_value(grads, -0.1, 0.2)
        h = ops.clip_by_value(grads, low, high)
        i = ops.clip_by_value(grads, *bounds)
        j = ops.clip_by_value(grads, None, None)
        k = ops.clip_by_value(grads, -c * 2, c * 2)
        m = ops.clip_by_value(grads, low * 2, high * 2)
        from mylib import clamp_max, clamp_min
        n = clamp_max(grads, 0.1)
        o = clamp_min(grads, -0.1)
        p = clamp_max(grads, max=0.1)
        q = clamp_min(grads)
        r = clamp_max(grads, *bounds)
        """,
        {"none": [2], "missing": [3, 11, 18], "single-positional": [4], "one-missing": [5], "empty-or-inverted": [6],
         "mirrored": [7, 12], "asymmetric": [8], "unknown": [9, 10, 13, 19], "one-sided": [15, 16, 17]},
    ),
    "result": (
        CLIP_CALLS, {"callee": "clip-function"},
        """\
        import numpy as np
        import mindspore as ms
        from mindspore import Tensor, nn, ops
        def step(grads, param):
            ops.clip_by_value(grads, -1.0, 1.0)
            unused = ops.clip_by_value(grads, -1.0, 1.0)
            param.set_data(ops.clip_by_value(param, -1.0, 1.0))
            clipped = ops.clip_by_value(param, -1.0, 1.0)
            param.set_data(clipped)
            kept = ops.clip_by_value(grads, -1.0, 1.0)
            print(kept)
            return ops.clip_by_value(grads, -1.0, 1.0)
        def test_clip(grads):
            x = Tensor(np.random.rand(2, 3).astype(np.float32))
            ops.clip_by_value(x, -1.0, 1.0)
            nn.ClipByNorm()(Tensor(np.array([[1.0, -2.0]]), ms.float32), Tensor(1.0))
            ops.clip_by_value(grads, -1.0, 1.0)
            ops.clip_by_value(Tensor(np.array(grads)), -1.0, 1.0)
        """,
        {"discarded": [5, 17, 18], "never-read": [6], "written-to-parameters": [7, 8], "used": [10, 12],
         "dropped-by-smoke-test": [15, 16]},
    ),
    "operand": (
        TORCH_CALLS, {"callee": "torch-clipping"},
        """\
        import mindspore
        import torch
        layer = torch.nn.Linear(2, 2)
        torch.nn.utils.clip_grad_norm_(layer.parameters(), 1.0)
        torch.nn.utils.clip_grad_norm_(net.trainable_params(), 1.0)
        """,
        {"torch-object": [4], "other": [5]},
    ),
    "unpacking": (
        ASSIGNMENTS, {},
        """\
        import mindspore as ms
        grad_fn = ms.value_and_grad(forward, None, weights)
        grads, loss = grad_fn(data)
        loss, grads = grad_fn(data)
        """,
        {"value-and-grad-swapped": [3], "other": [2, 4]},
    ),
}

# `imports` takes any package name: a program that imports it, and one that does not.
IMPORTS_WITH = "import torch\nfrom mindspore import ops\ngrads = ops.clip_by_value(grads, -1.0, 1.0)\n"
IMPORTS_WITHOUT = "from mindspore import ops\ngrads = ops.clip_by_value(grads, -1.0, 1.0)\n"


# A user's functions that take one bound only.
ONE_SIDED_FUNCTIONS = [
    {"name": "mylib.clamp_max", "value": {"position": 0, "keyword": "x"}, "max": {"position": 1, "keyword": "max"}},
    {"name": "mylib.clamp_min", "value": {"position": 0, "keyword": "x"}, "min": {"position": 1, "keyword": "min"}},
]


def user_rule(number: int, condition: str, value: str, matcher: dict, extra: dict) -> dict:
    return {"id": f"{condition}-is-{value}", "code": f"TMS{900 + number}", "message": f"{condition}: {value}",
            "rule": matcher, "conditions": {**extra, condition: value}}


@pytest.fixture(scope="module")
def engine_with_user_rules(tmp_path_factory):
    rules = [(condition, value, matcher, extra) for condition, (matcher, extra, _, lines) in CASES.items()
             for value in lines]
    rules.append(("imports", "torch", CLIP_CALLS, {"callee": "clip-function"}))
    return engine_with_config(tmp_path_factory.mktemp("config"), {
        "rules": [user_rule(number, *entry) for number, entry in enumerate(rules, start=1)],
        "facts": {"clip-functions": ONE_SIDED_FUNCTIONS}})


def fired(engine, source: str, condition: str) -> dict[str, list[int]]:
    """The message of each user rule on ``condition`` ("condition: value") -> the lines it fired on."""
    found: dict[str, list[int]] = {}
    for finding in engine.check(textwrap.dedent(source)):
        if finding.code >= "TMS900" and finding.message.startswith(f"{condition}: "):
            found.setdefault(finding.message, []).append(finding.line)
    return found


@pytest.mark.parametrize("condition", CASES)
def test_each_value_fires_on_exactly_its_lines(engine_with_user_rules, condition):
    _, _, source, lines = CASES[condition]
    expected = {f"{condition}: {value}": sorted(where) for value, where in lines.items()}
    assert fired(engine_with_user_rules, source, condition) == expected


def test_imports_fires_only_where_the_package_is_imported(engine_with_user_rules):
    assert fired(engine_with_user_rules, IMPORTS_WITH, "imports") == {"imports: torch": [3]}
    assert fired(engine_with_user_rules, IMPORTS_WITHOUT, "imports") == {}


def test_the_table_covers_every_value_of_every_condition():
    covered = {condition: set(lines) for condition, (_, _, _, lines) in CASES.items()}
    clipping = BY_NAME["clipping"].table
    expected = {condition: set(values) for condition, values in CONDITIONS.items()
                if values is not None and condition in clipping}
    assert covered == expected
    assert {condition for condition, values in CONDITIONS.items() if values is None} == {"imports"}


# ---- TMS102's smoke-test exemption, by how the clipped value is bound in the test
#
# In a test, a clip of a tensor built from literals alone (directly, or through a name bound once,
# plainly, to one) whose result is dropped tests the call itself. A value that is an element of
# something (unpacked, iterated), a parameter, or bound more than once is not known to be such a
# tensor: the dropped result is reported.
SMOKE_BINDINGS = {
    "the literal itself": ([], "Tensor(np.ones(3))", True),
    "a name bound to it": (["x = Tensor(np.ones(3))"], "x", True),
    "a name bound to such a name": (["y = Tensor(np.ones(3))", "x = y"], "x", True),
    "an imported name": (["from data import x"], "x", True),
    "an unpacked element": (["x, y = Tensor(np.ones(3)), Tensor(np.ones(3))"], "x", False),
    "a starred element": (["*x, = [Tensor(np.ones(3))]"], "x", False),
    "a loop variable": (["for x in [Tensor(np.ones(3))]:", "    pass"], "x", False),
    "a parameter": ([], "grads", False),
    "a name bound in a branch": (["x = Tensor(np.ones(3))", "if flag:", "    x = make()"], "x", False),
    "a name updated in place": (["x = Tensor(np.ones(3))", "x += 1"], "x", False),
    "a name bound to a call of a local function": (["x = make()"], "x", False),
}


@pytest.mark.parametrize("binding", SMOKE_BINDINGS)
def test_a_smoke_test_is_a_clip_of_a_literal_tensor_only(check, binding):
    lines, value, exempt = SMOKE_BINDINGS[binding]
    body = ["def make():", "    return load()", "def test_clip(grads, flag):", *("    " + line for line in lines),
            f"    ops.clip_by_value({value}, -1.0, 1.0)"]
    source = "\n".join(["import numpy as np", "from mindspore import Tensor, ops", *body]) + "\n"
    compile(source, binding, "exec")
    assert [code for _, code in check(source)] == ([] if exempt else ["TMS102"])


STORED_AND_READ = """\
from mindspore import ops
def step(grads, net, param, optimizer):
    kept = ops.clip_by_value(grads, -1.0, 1.0)
    optimizer(kept)
    clipped = ops.clip_by_value(net.trainable_params(), -1.0, 1.0)
    param.set_data(clipped)
"""


def test_a_stored_results_reads_are_looked_at_only_for_a_rule_that_wants_what_they_decide(
        engine_with_user_rules, monkeypatch):
    """A value stored and read afterwards is written-to-parameters or used, and only a look at its
    reads tells which: a rule wanting neither (clip-result-unused wants never-read) is settled
    without it, and one asking clipped before result (clip-on-parameters) stops at gradients."""
    from flake8_torch2ms.config import load_ruleset
    from flake8_torch2ms.engine import Engine
    from flake8_torch2ms.families.clipping.dataflow import ClippingAnalysis

    looked_for_writers: list[str] = []
    read_positions = ClippingAnalysis.read_positions

    def spy(self, scope, name, kind):
        if kind == "writer":
            looked_for_writers.append(name)
        return read_positions(self, scope, name, kind)

    monkeypatch.setattr(ClippingAnalysis, "read_positions", spy)
    assert Engine(load_ruleset()).check(STORED_AND_READ) == []  # written back: intended weight clipping
    assert looked_for_writers == ["clipped"]  # clip-on-parameters, on the clip of the parameters only
    looked_for_writers.clear()
    assert fired(engine_with_user_rules, STORED_AND_READ, "result") == {
        "result: used": [3], "result: written-to-parameters": [5]}
    assert sorted(looked_for_writers) == ["clipped", "kept"]
