"""Every value of every divergence condition, asked through a user's own rule: one rule per
(condition, value), run on a small program with one call per value, must fire on exactly the
lines that have that value (a value never told apart from its neighbours fails here)."""

import textwrap

import pytest

from conftest import engine_with_rules
from flake8_torch2ms.config import CONDITIONS
from flake8_torch2ms.families import BY_NAME

# condition -> (matcher, program, {value: lines that have it})
CASES = {
    "dropout": (
        {"matches": "keep-prob-dropout-call"},
        """\
        from mindspore import nn
        def build(config, rate=0.1):
            a = nn.Dropout(rate)
            b = nn.Dropout(0.9)
            c = nn.Dropout(1 - rate)
            d = nn.Dropout(p=0.1)
            e = nn.Dropout(keep_prob=0.1)
            f = nn.Dropout()
            g = nn.Dropout(config.dropout)
            h = nn.Dropout(*config.args)
            i = nn.Dropout(config.dropout) if config.dropout > 0 else None
            j = nn.Dropout(config.keep) if config.keep > 0 else None
        """,
        {"rate-as-keep-prob": [3], "keep-prob": [4, 5], "not-positional": [6, 7, 8], "unknown": [9, 10, 12],
         "guarded-rate": [11]},
    ),
    "momentum": (
        {"matches": "batch-norm-call"},
        """\
        from mindspore import nn
        def build(c, config, m=0.1):
            a = nn.BatchNorm2d(c, momentum=m)
            b = nn.BatchNorm2d(c, 0.9, 1e-5)
            c1 = nn.BatchNorm2d(c, momentum=0.97)
            d = nn.BatchNorm2d(c)
            e = nn.BatchNorm2d(c, momentum=0.1, use_batch_statistics=False)
            f = nn.BatchNorm2d(c, momentum=config.momentum)
            g = nn.BatchNorm2d(c, **config.kwargs)
        def test_moving_statistics(x, np):
            h = nn.BatchNorm2d(3, momentum=0.2)
            batch_var = x.var(axis=0)
            np.testing.assert_allclose(h.moving_variance, 0.8 * batch_var + 0.2)
        def test_torch_expectation(x):
            i = nn.BatchNorm2d(3, momentum=0.2)
            assert i.moving_mean == 0.2 * x.mean() + 0.8
        """,
        {"torch-convention": [3, 15], "swapped-with-eps": [4], "mindspore-convention": [5, 6], "frozen": [7],
         "unknown": [8, 9], "asserted-by-test": [11]},
    ),
    "stride": (
        {"matches": "stride-one-pool-call"},
        """\
        from mindspore import nn, ops
        def build(x, config):
            a = nn.MaxPool2d(2)
            b = nn.MaxPool2d(2, 2)
            c = ops.avg_pool2d(x, 3, stride=1)
            d = nn.AvgPool2d(3, pad_mode="same")
            e = nn.AvgPool2d(1)
            f = nn.AvgPool2d()
            g = nn.MaxPool2d(config.kernel)
            h = ops.avg_pool2d(x, kernel_size=x.shape[2:])
        """,
        {"defaults-to-one": [3], "given": [4, 5], "same-padding": [6], "kernel-one": [7, 8], "unknown": [9, 10]},
    ),
    "replacement": (
        {"matches": "replacement-sampler-call"},
        """\
        from mindspore import ops
        def sample(probs, n):
            a = ops.multinomial(probs, 4)
            b = ops.multinomial(probs, 4, False)
            c = ops.multinomial(probs, 4, replacement=True)
            d = ops.multinomial(probs, 1)
            e = ops.multinomial(probs, n)
        """,
        {"defaulted": [3], "given": [4, 5], "one-sample": [6], "unknown": [7]},
    ),
    "reduction": (
        {"matches": "values-only-reduction-indexed"},
        """\
        from mindspore import ops
        def decode(logits, other):
            probs = ops.softmax(logits, axis=-1)
            a = probs.max(axis=1)[0]
            b = probs.max(axis=1, return_indices=True)[1]
            c = other.max(axis=1)[0]
            d = probs.max(axis=1)[-1]
        """,
        {"values-indexed": [4], "with-indices": [5], "unknown": [6, 7]},
    ),
    "order": (
        {"kind": "assignment", "has": {"field": "right", "kind": "call"}},
        """\
        from mindspore import ops
        def decode(x):
            argmax = ops.ArgMaxWithValue(axis=1)
            value, index = argmax(x)
            index, value = argmax(x)
            first, second = argmax(x)
        """,
        {"value-index-swapped": [4], "index-value": [5], "unknown": [3, 6]},
    ),
}


# The evidence about a pool's stride is partly the file's (its habits, a stride=1 written
# anywhere in it): one program per file-wide answer, {value: lines} each.
EVIDENCE_PROGRAMS = (
    ("""\
        import numpy as np
        from mindspore import Tensor, nn, ops
        class LeNet(nn.Cell):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 6, 5, pad_mode="valid")
                self.pool = nn.MaxPool2d(2)
                self.fc = nn.Dense(6 * 14 * 14, 10)
            def construct(self, x):
                return self.fc(ops.flatten(self.pool(self.conv(x))))
        class Narrow(nn.Cell):
            def __init__(self):
                super().__init__()
                self.body = nn.SequentialCell([nn.Conv2d(1, 6, 5, pad_mode="valid"), nn.AvgPool2d(3),
                                               nn.Flatten(), nn.Dense(6 * 26 * 26, 10)])
        head = nn.SequentialCell(nn.Conv2d(8, 16, 3, pad_mode="valid"), nn.ReLU(), nn.AvgPool2d(kernel_size=7),
                                 nn.Flatten(), nn.Dense(16, 2))
        other = nn.MaxPool2d(2)
        y = LeNet()(Tensor(np.ones((1, 1, 32, 32))))
        z = Narrow()(Tensor(np.ones((1, 1, 32, 32))))
        b = nn.MaxPool2d(2, 2)
        """, {"torch-stride": [7], "stride-one-fits": [14], "global": [16], "none": [18]}),
    ("""\
        import torch
        from mindspore import nn
        a = nn.AvgPool2d(2)
        """, {"torch-habits": [3]}),
    ("""\
        import torch
        from mindspore import nn
        a = nn.AvgPool2d(2)
        b = nn.AvgPool2d(2, stride=1)
        """, {"stride-one-written": [3]}),
)


def user_rule(number: int, condition: str, value: str, matcher: dict) -> dict:
    return {"id": f"{condition}-is-{value}", "code": f"TMS{900 + number}", "message": f"{condition}: {value}",
            "rule": matcher, "conditions": {condition: value}}


@pytest.fixture(scope="module")
def engine_with_user_rules(tmp_path_factory):
    rules = [(condition, value, matcher) for condition, (matcher, _, lines) in CASES.items() for value in lines]
    return engine_with_rules(tmp_path_factory.mktemp("config"),
                             [user_rule(number, *entry) for number, entry in enumerate(rules, start=1)])


@pytest.mark.parametrize("condition", CASES)
def test_each_value_fires_on_exactly_its_lines(engine_with_user_rules, condition):
    _, source, lines = CASES[condition]
    found: dict[str, list[int]] = {}
    for finding in engine_with_user_rules.check(textwrap.dedent(source)):
        if finding.code >= "TMS900" and finding.message.startswith(f"{condition}: "):
            found.setdefault(finding.message, []).append(finding.line)
    assert found == {f"{condition}: {value}": sorted(where) for value, where in lines.items()}


@pytest.fixture(scope="module")
def engine_with_evidence_rules(tmp_path_factory):
    values = sorted({value for _, lines in EVIDENCE_PROGRAMS for value in lines})
    matcher = {"matches": "stride-one-pool-call"}
    return engine_with_rules(tmp_path_factory.mktemp("evidence"),
                             [user_rule(number, "evidence", value, matcher) for number, value in enumerate(values, 1)])


@pytest.mark.parametrize("program, lines", EVIDENCE_PROGRAMS, ids=["shapes", "habits", "stride-one-written"])
def test_each_evidence_fires_on_exactly_its_lines(engine_with_evidence_rules, program, lines):
    found: dict[str, list[int]] = {}
    for finding in engine_with_evidence_rules.check(textwrap.dedent(program)):
        if finding.code >= "TMS900":
            found.setdefault(finding.message, []).append(finding.line)
    assert found == {f"evidence: {value}": sorted(where) for value, where in lines.items()}


def test_the_table_covers_every_value_of_every_condition():
    divergence = BY_NAME["divergence"].table
    covered = {condition: set(lines) for condition, (_, _, lines) in CASES.items()}
    covered["evidence"] = {value for _, lines in EVIDENCE_PROGRAMS for value in lines}
    assert covered == {condition: set(CONDITIONS[condition]) for condition in divergence}
