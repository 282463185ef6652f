"""The claims of rules/facts/pairs.yml, as code run on MindSpore next to PyTorch (run_oracle.py).

Keyed by the facts entry's torch API and the parameter row's torch keyword:

- ``Row``: the original (torch world); the literal port, which leaves the parameter at
  MindSpore's default or passes the same value into MindSpore's slot: must DIFFER; the fix the
  row's convention gives: must AGREE. One case at least for every parameter row.
- ``NeverAgrees``: the namesake with every argument matched still differs; the entry's
  ``instead:`` API agrees.
- ``Trap``: a port that must stay silent (it means what the original means): must AGREE.
- ``Checked``: a pair looked at and left out of the facts, with what the oracle sees (``raises``
  ``agree`` or ``differ``): the evidence behind the facts file's "checked and left out" list.

Every expression is evaluated in a world of tests/oracle/pair_worlds.py (names: ``nn``, ``F``,
``torch`` / ``nn``, ``ops``, ``ms``, the inputs X1, X2, X3, ROWS, TARGET, CANDIDATES and the
observing helpers). This module imports neither framework, so the default test suite checks that
the cases and the facts file cover each other (tests/oracle/test_pair_cases.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

_FACTS_DIR = Path(__file__).resolve().parents[2] / "rules" / "facts"
FACTS = _FACTS_DIR / "pairs.yml"


@dataclass(frozen=True)
class Row:
    torch_api: str
    parameter: str  # the torch keyword of the entry's parameter row
    torch: str
    port: str  # the literal port: differs
    fix: str  # the port with the convention's fix: agrees


@dataclass(frozen=True)
class NeverAgrees:
    torch_api: str
    torch: str
    port: str  # the namesake, every argument matched: differs
    instead: str  # the entry's `instead:` API: agrees


@dataclass(frozen=True)
class Trap:
    torch_api: str | None  # the entry it belongs to; None for a trap no entry carries
    name: str
    torch: str
    port: str  # agrees


@dataclass(frozen=True)
class Checked:
    name: str
    torch: str
    port: str
    expected: str  # "raises", "agree" or "differ"


def _conv_cases() -> list:
    cases = []
    for dims, x in ((1, "X1"), (2, "X2"), (3, "X3")):
        conv, ms_conv = f"nn.Conv{dims}d", f"nn.Conv{dims}d"
        api = f"torch.nn.Conv{dims}d"
        cases += [
            Row(api, "bias", f"OUT({conv}(2, 3, 3, padding=1), {x})",
                f'OUT({ms_conv}(2, 3, 3, pad_mode="pad", padding=1), {x})',
                f'OUT({ms_conv}(2, 3, 3, pad_mode="pad", padding=1, has_bias=True), {x})'),
            Row(api, "padding", f"OUT({conv}(2, 3, 3), {x})",
                f"OUT({ms_conv}(2, 3, 3, has_bias=True), {x})",
                f'OUT({ms_conv}(2, 3, 3, pad_mode="valid", has_bias=True), {x})'),
            Trap(api, 'pad_mode="pad", padding=p', f"OUT({conv}(2, 3, 3, padding=1), {x})",
                 f'OUT({ms_conv}(2, 3, 3, pad_mode="pad", padding=1, has_bias=True), {x})'),
            Trap(api, "kernel 1 with 'same'", f"OUT({conv}(2, 3, 1), {x})",
                 f"OUT({ms_conv}(2, 3, 1, has_bias=True), {x})"),
            Trap(api, "'same' for 'same'", f'OUT({conv}(2, 3, 3, padding="same"), {x})',
                 f"OUT({ms_conv}(2, 3, 3, has_bias=True), {x})"),
            # The commonest port of all: 'same' pads (k - 1) / 2 on each side at stride 1.
            Trap(api, "'same' for padding=(k - 1) / 2 at stride 1", f"OUT({conv}(2, 3, 3, padding=1), {x})",
                 f"OUT({ms_conv}(2, 3, 3, has_bias=True), {x})"),
        ]
        transposed, ms_transposed = f"nn.ConvTranspose{dims}d", f"nn.Conv{dims}dTranspose"
        api = f"torch.nn.ConvTranspose{dims}d"
        cases += [
            Row(api, "bias", f"OUT({transposed}(2, 3, 3, stride=2), {x})",
                f'OUT({ms_transposed}(2, 3, 3, stride=2, pad_mode="valid"), {x})',
                f'OUT({ms_transposed}(2, 3, 3, stride=2, pad_mode="valid", has_bias=True), {x})'),
            Row(api, "padding", f"OUT({transposed}(2, 3, 3), {x})",
                f"OUT({ms_transposed}(2, 3, 3, has_bias=True), {x})",
                f'OUT({ms_transposed}(2, 3, 3, pad_mode="valid", has_bias=True), {x})'),
            Row(api, "padding", f"OUT({transposed}(2, 3, 3, stride=2, padding=1), {x})",
                f"OUT({ms_transposed}(2, 3, 3, stride=2, has_bias=True), {x})",
                f'OUT({ms_transposed}(2, 3, 3, stride=2, pad_mode="pad", padding=1, has_bias=True), {x})'),
            Trap(api, "kernel 1 with 'same'", f"OUT({transposed}(2, 3, 1), {x})",
                 f"OUT({ms_transposed}(2, 3, 1, has_bias=True), {x})"),
            # 'valid' is torch's 0 only when the kernel is at least the stride; 'pad' is, always.
            Row(api, "padding", f"OUT({transposed}(2, 3, 1, stride=2), {x})",
                f"OUT({ms_transposed}(2, 3, 1, stride=2, has_bias=True), {x})",
                f'OUT({ms_transposed}(2, 3, 1, stride=2, pad_mode="pad", has_bias=True), {x})'),
        ]
    cases += [
        # Where 'same' stops meaning (k - 1) / 2: a stride, a dilation, an even kernel.
        Row("torch.nn.Conv2d", "padding", "OUT(nn.Conv2d(2, 3, 3, stride=2, padding=1), X2)",
            "OUT(nn.Conv2d(2, 3, 3, stride=2, has_bias=True), X2)",
            'OUT(nn.Conv2d(2, 3, 3, stride=2, pad_mode="pad", padding=1, has_bias=True), X2)'),
        Row("torch.nn.Conv2d", "padding", "OUT(nn.Conv2d(2, 3, 3, padding=1, dilation=2), X2)",
            "OUT(nn.Conv2d(2, 3, 3, dilation=2, has_bias=True), X2)",
            'OUT(nn.Conv2d(2, 3, 3, pad_mode="pad", padding=1, dilation=2, has_bias=True), X2)'),
        Row("torch.nn.Conv2d", "padding", "OUT(nn.Conv2d(2, 3, 4, padding=1), X2)",
            "OUT(nn.Conv2d(2, 3, 4, has_bias=True), X2)",
            'OUT(nn.Conv2d(2, 3, 4, pad_mode="pad", padding=1, has_bias=True), X2)'),
        Trap("torch.nn.Conv2d", "'same' for padding=dilation * (k - 1) / 2 at stride 1",
             "OUT(nn.Conv2d(2, 3, 3, padding=2, dilation=2), X2)",
             "OUT(nn.Conv2d(2, 3, 3, dilation=2, has_bias=True), X2)"),
        Trap("torch.nn.Conv2d", "kernel 1 with 'same' at stride 2", "OUT(nn.Conv2d(2, 3, 1, stride=2), X2)",
             "OUT(nn.Conv2d(2, 3, 1, stride=2, has_bias=True), X2)"),
        # The DCGAN upsampler: a transposed 'same' is torch's padding (k - stride) / 2.
        Trap("torch.nn.ConvTranspose2d", "'same' for padding=(k - stride) / 2",
             "OUT(nn.ConvTranspose2d(2, 3, 4, stride=2, padding=1), X2)",
             "OUT(nn.Conv2dTranspose(2, 3, 4, stride=2, has_bias=True), X2)"),
        Trap("torch.nn.ConvTranspose2d", 'pad_mode="pad", padding=p',
             "OUT(nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1), X2)",
             'OUT(nn.Conv2dTranspose(2, 3, 3, stride=2, pad_mode="pad", padding=1, has_bias=True), X2)'),
    ]
    return cases


def _batchnorm_cases() -> list:
    cases = []
    for dims, rank in ((1, 2), (2, 4), (3, 5)):
        api, layer = f"torch.nn.BatchNorm{dims}d", f"nn.BatchNorm{dims}d"
        cases += [
            Row(api, "momentum", f"BATCHNORM({layer}(4, momentum=0.3), {rank})",
                f"BATCHNORM({layer}(4, momentum=0.3), {rank})", f"BATCHNORM({layer}(4, momentum=1 - 0.3), {rank})"),
            Row(api, "eps", f"BATCHNORM({layer}(4, eps=0.5), {rank})",
                f"BATCHNORM({layer}(4), {rank})", f"BATCHNORM({layer}(4, eps=0.5), {rank})"),
            Trap(api, "momentum=1 - m", f"BATCHNORM({layer}(4, momentum=0.3), {rank})",
                 f"BATCHNORM({layer}(4, momentum=1 - 0.3), {rank})"),
            Trap(api, "both defaults", f"BATCHNORM({layer}(4), {rank})", f"BATCHNORM({layer}(4), {rank})"),
            Trap(api, "momentum=0.9 for torch's 0.1", f"BATCHNORM({layer}(4, momentum=0.1), {rank})",
                 f"BATCHNORM({layer}(4, momentum=0.9), {rank})"),
        ]
    return cases


def _activation_cases() -> list:
    cases = [
        Row("torch.nn.GELU", "approximate", "OUT(nn.GELU(), ROWS)", "OUT(nn.GELU(), ROWS)",
            "OUT(nn.GELU(approximate=False), ROWS)"),
        Trap("torch.nn.GELU", "nn.GELU() is torch's tanh approximation", 'OUT(nn.GELU(approximate="tanh"), ROWS)',
             "OUT(nn.GELU(), ROWS)"),
        Row("torch.nn.functional.gelu", "approximate", 'F.gelu(ROWS, approximate="tanh")', "ops.gelu(ROWS)",
            'ops.gelu(ROWS, approximate="tanh")'),
        Trap("torch.nn.functional.gelu", "ops.gelu(x) is exact", "F.gelu(ROWS)", "ops.gelu(ROWS)"),
        Row("torch.nn.LeakyReLU", "negative_slope", "OUT(nn.LeakyReLU(), ROWS)", "OUT(nn.LeakyReLU(), ROWS)",
            "OUT(nn.LeakyReLU(alpha=0.01), ROWS)"),
        Row("torch.nn.LeakyReLU", "negative_slope", "OUT(nn.LeakyReLU(0.2), ROWS)", "OUT(nn.LeakyReLU(0.1), ROWS)",
            "OUT(nn.LeakyReLU(0.2), ROWS)"),
        Trap("torch.nn.LeakyReLU", "alpha=0.2 for negative_slope=0.2", "OUT(nn.LeakyReLU(0.2), ROWS)",
             "OUT(nn.LeakyReLU(), ROWS)"),
        Row("torch.nn.functional.leaky_relu", "negative_slope", "F.leaky_relu(ROWS)", "ops.leaky_relu(ROWS)",
            "ops.leaky_relu(ROWS, alpha=0.01)"),
    ]
    for layer in ("Softmax", "LogSoftmax", "Softmin"):
        cases += [
            Row(f"torch.nn.{layer}", "dim", f"OUT(nn.{layer}(dim=1), X2)", f"OUT(nn.{layer}(), X2)",
                f"OUT(nn.{layer}(axis=1), X2)"),
            Trap(f"torch.nn.{layer}", "dim=-1 for the default", f"OUT(nn.{layer}(dim=-1), X2)",
                 f"OUT(nn.{layer}(), X2)"),
        ]
    for function in ("softmax", "log_softmax"):
        cases += [
            Row(f"torch.nn.functional.{function}", "dim", f"F.{function}(X2, dim=1)", f"ops.{function}(X2)",
                f"ops.{function}(X2, axis=1)"),
            Trap(f"torch.nn.functional.{function}", "axis passed positionally", f"F.{function}(X2, 1)",
                 f"ops.{function}(X2, 1)"),
            Trap(f"torch.nn.functional.{function}", "dim=-1 for the default", f"F.{function}(X2, dim=-1)",
                 f"ops.{function}(X2)"),
        ]
    return cases


def _pool_cases() -> list:
    cases = []
    for kind in ("Max", "Avg"):
        for dims, x in ((1, "X1"), (2, "X2"), (3, "X3")):
            api, layer = f"torch.nn.{kind}Pool{dims}d", f"nn.{kind}Pool{dims}d"
            cases += [
                Row(api, "stride", f"OUT({layer}(2), {x})", f"OUT({layer}(2), {x})",
                    f"OUT({layer}(2, stride=2), {x})"),
                Trap(api, "a deliberate stride 1", f"OUT({layer}(3, 1), {x})", f"OUT({layer}(3, 1), {x})"),
            ]
    for dims, x in ((1, "X1"), (2, "X2"), (3, "X3")):
        cases.append(Row(f"torch.nn.functional.avg_pool{dims}d", "stride", f"F.avg_pool{dims}d({x}, 2)",
                         f"ops.avg_pool{dims}d({x}, 2)", f"ops.avg_pool{dims}d({x}, 2, stride=2)"))
    for dims, x in ((2, "X2"), (3, "X3")):
        api = f"torch.nn.functional.max_pool{dims}d"
        cases += [
            # Both strides default to the kernel: only a stride the port dropped differs.
            Row(api, "stride", f"F.max_pool{dims}d({x}, 3, 1)", f"ops.max_pool{dims}d({x}, 3)",
                f"ops.max_pool{dims}d({x}, 3, stride=1)"),
            Trap(api, f"ops.max_pool{dims}d(x, k): its stride defaults to the kernel", f"F.max_pool{dims}d({x}, 2)",
                 f"ops.max_pool{dims}d({x}, 2)"),
        ]
    cases.append(Trap("torch.nn.MaxPool2d", 'pad_mode="pad", padding=p', "OUT(nn.MaxPool2d(3, 2, 1), X2)",
                      'OUT(nn.MaxPool2d(3, 2, pad_mode="pad", padding=1), X2)'))
    return cases


def _statistics_cases() -> list:
    cases = [
        Row("torch.flatten", "start_dim", "torch.flatten(X2)", "ops.flatten(X2)", "ops.flatten(X2, start_dim=0)"),
        Trap("torch.flatten", "ops.flatten(x) for torch.flatten(x, 1)", "torch.flatten(X2, 1)", "ops.flatten(X2)"),
    ]
    for function in ("std", "var", "std_mean", "var_mean"):
        cases += [
            Row(f"torch.{function}", "correction", f"torch.{function}(ROWS, 1)", f"ops.{function}(ROWS, 1)",
                f"ops.{function}(ROWS, 1, ddof=1)"),
            Trap(f"torch.{function}", "correction=0 for ddof's default", f"torch.{function}(ROWS, 1, correction=0)",
                 f"ops.{function}(ROWS, 1)"),
        ]
    cases += [
        Row("torch.Tensor.std", "correction", "ROWS.std(1)", "ROWS.std(1)", "ROWS.std(1, ddof=1)"),
        Row("torch.Tensor.std", "correction", "ROWS.std(dim=1)", "ROWS.std(dim=1)", "ROWS.std(axis=1, ddof=1)"),
        Row("torch.Tensor.std", "correction", "ROWS.std()", "ROWS.std()", "ROWS.std(ddof=1)"),
        Trap("torch.Tensor.std", "unbiased=False for ddof's default", "ROWS.std(1, unbiased=False)", "ROWS.std(1)"),
        Row("torch.Tensor.var", "correction", "ROWS.var(1)", "ROWS.var(1)", "ROWS.var(1, ddof=1)"),
        Trap(None, "x.max(axis=1) for x.max(dim=1)[0]", "ROWS.max(dim=1)[0]", "ROWS.max(axis=1)"),
        Row("torch.multinomial", "replacement", "DISTINCT_ROWS(torch.multinomial(CANDIDATES, 3))",
            "DISTINCT_ROWS(ops.multinomial(CANDIDATES, 3))",
            "DISTINCT_ROWS(ops.multinomial(CANDIDATES, 3, replacement=False))"),
        Row("torch.Tensor.multinomial", "replacement", "DISTINCT_ROWS(CANDIDATES.multinomial(3))",
            "DISTINCT_ROWS(CANDIDATES.multinomial(3))", "DISTINCT_ROWS(CANDIDATES.multinomial(3, replacement=False))"),
        Row("torch.meshgrid", "indexing", "torch.meshgrid(ROWS[0], ROWS[1, :4])", "ops.meshgrid(ROWS[0], ROWS[1, :4])",
            'ops.meshgrid(ROWS[0], ROWS[1, :4], indexing="ij")'),
        Trap("torch.meshgrid", 'indexing="xy" in both', 'torch.meshgrid(ROWS[0], ROWS[1, :4], indexing="xy")',
             "ops.meshgrid(ROWS[0], ROWS[1, :4])"),
        Trap("torch.multinomial", "one sample per row", "DISTINCT_ROWS(torch.multinomial(CANDIDATES, 1))",
             "DISTINCT_ROWS(ops.multinomial(CANDIDATES, 1))"),
    ]
    return cases


def _loss_cases() -> list:
    return [
        Row("torch.nn.SmoothL1Loss", "reduction", "nn.SmoothL1Loss()(ROWS, TARGET)", "nn.SmoothL1Loss()(ROWS, TARGET)",
            'nn.SmoothL1Loss(reduction="mean")(ROWS, TARGET)'),
        Row("torch.nn.functional.smooth_l1_loss", "reduction", "F.smooth_l1_loss(ROWS, TARGET)",
            "ops.smooth_l1_loss(ROWS, TARGET)", 'ops.smooth_l1_loss(ROWS, TARGET, reduction="mean")'),
        Trap("torch.nn.SmoothL1Loss", 'reduction="none" in both', 'nn.SmoothL1Loss(reduction="none")(ROWS, TARGET)',
             "nn.SmoothL1Loss()(ROWS, TARGET)"),
    ]


def _train(optimizer: str) -> str:
    return f"TRAIN(lambda p: {optimizer})"


def _optimizer_cases() -> list:
    return [
        NeverAgrees("torch.optim.AdamW", _train("torch.optim.AdamW(p, lr=0.1)"),
                    _train("nn.AdamWeightDecay(p, learning_rate=0.1, eps=1e-8, weight_decay=0.01)"),
                    _train("ms.experimental.optim.AdamW(p, lr=0.1)")),
        NeverAgrees("torch.optim.RMSprop", _train("torch.optim.RMSprop(p, lr=0.01)"),
                    _train("nn.RMSProp(p, learning_rate=0.01, decay=0.99, epsilon=1e-8)"),
                    _train("ms.experimental.optim.RMSprop(p, lr=0.01)")),
        Row("torch.optim.Adagrad", "lr", _train("torch.optim.Adagrad(p)"), _train("nn.Adagrad(p, accum=0.0)"),
            _train("nn.Adagrad(p, accum=0.0, learning_rate=0.01)")),
        Row("torch.optim.Adagrad", "initial_accumulator_value", _train("torch.optim.Adagrad(p, lr=0.1)"),
            _train("nn.Adagrad(p, learning_rate=0.1)"), _train("nn.Adagrad(p, accum=0.0, learning_rate=0.1)")),
        Row("torch.optim.Adamax", "lr", _train("torch.optim.Adamax(p)"), _train("nn.AdaMax(p)"),
            _train("nn.AdaMax(p, learning_rate=0.002)")),
        Row("torch.optim.Rprop", "lr", _train("torch.optim.Rprop(p)"), _train("nn.Rprop(p)"),
            _train("nn.Rprop(p, learning_rate=0.01)")),
        Row("torch.optim.SGD", "lr", _train("torch.optim.SGD(p)"), _train("nn.SGD(p)"),
            _train("nn.SGD(p, learning_rate=0.001)")),
        Trap("torch.optim.SGD", "learning rate passed", _train("torch.optim.SGD(p, lr=0.1)"),
             _train("nn.SGD(p, learning_rate=0.1)")),
    ]


def _other_cases() -> list:
    return [
        Row("torch.nn.Linear", "bias", "OUT(nn.Linear(6, 2, False), ROWS)", "OUT(nn.Dense(6, 2, False), ROWS)",
            "OUT(nn.Dense(6, 2, has_bias=False), ROWS)"),
        Trap("torch.nn.Linear", "both defaults keep the bias", "OUT(nn.Linear(6, 2), ROWS)",
             "OUT(nn.Dense(6, 2), ROWS)"),
        Row("torch.nn.LayerNorm", "eps", "OUT(nn.LayerNorm(6), ROWS / 100)", "OUT(nn.LayerNorm((6,)), ROWS / 100)",
            "OUT(nn.LayerNorm((6,), epsilon=1e-5), ROWS / 100)"),
        Row("torch.nn.Dropout", "p", "DROPPED(nn.Dropout(0.1))", "DROPPED(nn.Dropout(0.1))",
            "DROPPED(nn.Dropout(p=0.1))"),
        Trap("torch.nn.Dropout", "keep_prob=1 - p", "DROPPED(nn.Dropout(0.1))",
             "DROPPED(nn.Dropout(keep_prob=1 - 0.1))"),
        Trap("torch.nn.Dropout", "keep_prob=0.9 for p=0.1", "DROPPED(nn.Dropout(0.1))",
             "DROPPED(nn.Dropout(keep_prob=0.9))"),
        Trap("torch.nn.Dropout", "p=", "DROPPED(nn.Dropout(p=0.3))", "DROPPED(nn.Dropout(p=0.3))"),
        Trap("torch.nn.LayerNorm", "epsilon passed", "OUT(nn.LayerNorm(6, eps=1e-6), ROWS / 100)",
             "OUT(nn.LayerNorm((6,), epsilon=1e-6), ROWS / 100)"),
        Trap("torch.nn.Dropout", "both defaults", "DROPPED(nn.Dropout())", "DROPPED(nn.Dropout())"),
    ]


# Looked at and left out of the facts: not silent (MindSpore raises) or agreeing.
CHECKED = [
    Checked("torch.gather -> ops.gather, arguments in torch's order", "torch.gather(ROWS, 1, INDEX)",
            "ops.gather(ROWS, 1, INDEX)", "raises"),
    Checked("torch.gather -> ops.gather on 1-D input (take and gather coincide)",
            "torch.gather(ROWS[0], 0, INDEX[0])", "ops.gather(ROWS[0], INDEX[0], 0)", "agree"),
    Checked("torch.transpose -> ops.transpose with two dims", "torch.transpose(ROWS, 0, 1)",
            "ops.transpose(ROWS, 0, 1)", "raises"),
    Checked("Tensor.transpose(0, 1)", "ROWS.transpose(0, 1)", "ROWS.transpose(0, 1)", "agree"),
    Checked("torch.split -> ops.split", "torch.split(ROWS, 2, 1)", "ops.split(ROWS, 2, 1)", "agree"),
    Checked("Tensor.flatten()", "X2.flatten()", "X2.flatten()", "agree"),
    Checked("nn.Flatten()", "nn.Flatten()(X2)", "nn.Flatten()(X2)", "agree"),
    Checked("F.dropout -> ops.dropout (p first in both)", "DROPPED_BY(lambda x: F.dropout(x, 0.1))",
            "DROPPED_BY(lambda x: ops.dropout(x, 0.1))", "agree"),
    Checked("nn.Adam", _train("torch.optim.Adam(p)"), _train("nn.Adam(p)"), "agree"),
    Checked("mint.optim.AdamW on the CPU", _train("torch.optim.AdamW(p, lr=0.1)"),
            _train("ms.mint.optim.AdamW(p, lr=0.1)"), "raises"),
    Checked("ConvTranspose1d(k=1, stride=2) -> Conv1dTranspose(pad_mode='valid'): 'valid' is not torch's 0 when "
            "the kernel is smaller than the stride", "OUT(nn.ConvTranspose1d(2, 3, 1, stride=2), X1)",
            'OUT(nn.Conv1dTranspose(2, 3, 1, stride=2, pad_mode="valid", has_bias=True), X1)', "differ"),
    Checked("Conv2d(3, stride=2, padding=1) -> 'same' on an odd size (7x7): symmetric there, unlike 8x8",
            "OUT(nn.Conv2d(2, 3, 3, stride=2, padding=1), X2[:, :, :7, :7])",
            "OUT(nn.Conv2d(2, 3, 3, stride=2, has_bias=True), X2[:, :, :7, :7])", "agree"),
    # torch's implicit dim depends on the input's rank: why its default is null (unknown) in the facts.
    Checked("nn.Softmax() for nn.Softmax() on 2-D input (torch picks dim 1 = -1)", "OUT(nn.Softmax(), ROWS)",
            "OUT(nn.Softmax(), ROWS)", "agree"),
    Checked("nn.Softmax() for nn.Softmax() on 4-D input (torch picks dim 1)", "OUT(nn.Softmax(), X2)",
            "OUT(nn.Softmax(), X2)", "differ"),
    # Same name, same default, other values: not a default or a convention a row can state.
    Checked("ConvTranspose2d output_padding=1 -> Conv2dTranspose(pad_mode='pad', output_padding=1)",
            "OUT(nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, output_padding=1), X2)",
            'OUT(nn.Conv2dTranspose(2, 3, 3, stride=2, pad_mode="pad", padding=1, output_padding=1,'
            ' has_bias=True), X2)',
            "differ"),
    Checked("nn.LayerNorm over two axes (gamma of the last axis only)", "OUT(nn.LayerNorm([8, 8]), X2)",
            "OUT(nn.LayerNorm((8, 8)), X2)", "raises"),
    Checked("Tensor.var(dim=...) on the CPU", "ROWS.var(dim=1)", "ROWS.var(dim=1)", "raises"),
    Checked("StepLR -> mindspore.experimental.optim.lr_scheduler.StepLR", "STEP_LR(2, 0.1)", "STEP_LR(2, 0.1)",
            "agree"),
    # A staircase in torch, continuous unless is_stair=True: a MindSpore parameter with no torch
    # counterpart, and decay_epoch * step_per_epoch counts steps where step_size counts epochs.
    Checked("StepLR -> nn.exponential_decay_lr (is_stair left False)", "STEP_LR(2, 0.1)",
            "nn.exponential_decay_lr(1.0, 0.1, 6, 1, 2)", "differ"),
    Checked("StepLR -> nn.exponential_decay_lr(..., is_stair=True)", "STEP_LR(2, 0.1)",
            "nn.exponential_decay_lr(1.0, 0.1, 6, 1, 2, is_stair=True)", "agree"),
]

CASES: list = (_conv_cases() + _batchnorm_cases() + _activation_cases() + _pool_cases() + _statistics_cases()
               + _loss_cases() + _optimizer_cases() + _other_cases())
