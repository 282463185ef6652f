"""For every example of a rule whose claim is about numbers: the PyTorch code it was ported from,
how to drive the MindSpore snippet, and what to compare. Or, for an example that is not about
numbers, the reason it is skipped.

Keyed by (rule id, "valid" | "invalid", example name): inserting or reordering examples changes no
port, and the oracle refuses to run when an example of a numeric rule has no entry here, so a new
example forces a decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

WEIGHTS = ("WEIGHTS()", "WEIGHTS()")  # the layer's weight and bias after the step, in both worlds


@dataclass(frozen=True)
class Port:
    torch: str  # the PyTorch code the example was ported from (or, for a valid one, does the same as)
    after: str = ""  # MindSpore code run after the snippet: calls a function or Cell it defines
    observe: dict = field(default_factory=lambda: {"weights after one SGD step": WEIGHTS})
    setup: str = "zeros"  # initial weights, see worlds.WEIGHTS
    bindings: dict = field(default_factory=dict)  # MindSpore free name -> expression in its world
    why: str = ""  # for an entry that needs explaining


@dataclass(frozen=True)
class Skip:
    reason: str


def torch_step(clip: str = "") -> str:
    """One PyTorch training step: backward, then ``clip`` (in place, on .grad), then the step."""
    return "\n".join(["optimizer.zero_grad()", "logits = model(data)", "loss = loss_fn(logits, label)",
                      "loss.backward()", clip, "optimizer.step()"]) + "\n"


def value(c) -> str:
    return torch_step(f"torch.nn.utils.clip_grad_value_(model.parameters(), {c})")


def norm(c) -> str:
    return torch_step(f"torch.nn.utils.clip_grad_norm_(model.parameters(), {c})")


CRITIC = {"critic weights": ("CRITIC_WEIGHTS()", "CRITIC_WEIGHTS()")}
WGAN = "for p in critic.parameters():\n    p.data.clamp_(-0.01, 0.01)\n"
AUX = {"forward_fn": "forward_fn_with_aux"}

# Rules whose claim is not about the numbers a training step computes.
NOT_NUMERIC: dict[str, str] = {}

PORTS = {
    # TMS101: clipping the parameters instead of the gradients.
    ("clip-on-parameters", "valid", "clipped-gradients"): Port(value(0.1)),
    ("clip-on-parameters", "valid", "wgan-weights-set-data"): Port(
        WGAN, observe=CRITIC, why="weight clipping written back (WGAN): the same in place"),
    ("clip-on-parameters", "valid", "wgan-weights-assign"): Port(WGAN, observe=CRITIC),
    ("clip-on-parameters", "invalid", "trainable-params-in-a-step"): Port(
        value(0.1), after="train_step(data, label)"),
    ("clip-on-parameters", "invalid", "params-variable-global-norm"): Port(norm(1.0)),
    ("clip-on-parameters", "invalid", "self-weights-in-construct"): Port(
        value(1.0), after="TrainStep(net, optimizer)(grad_fn(data, label)[1])"),
    # TMS102: the clipped result thrown away.
    ("clip-result-discarded", "valid", "global-norm-assigned"): Port(norm(1.0)),
    ("clip-result-discarded", "valid", "clip-call-passed-on"): Port(value(0.1)),
    ("clip-result-discarded", "invalid", "global-norm-discarded"): Port(norm(1.0)),
    ("clip-result-discarded", "invalid", "composite-in-construct"): Port(
        value("self.clip_value"), after="construct(self, data, label)"),
    # TMS103: one positional bound, taken as the minimum.
    ("clip-single-positional-bound", "valid", "symmetric-bounds"): Port(value(0.1)),
    ("clip-single-positional-bound", "valid", "floor-before-division"): Port(
        "norm = torch.clamp(torch.norm(features), 1e-12)\nfeatures = features / norm\n",
        observe={"features": ("features", "features")}, why="a floor before a division: min-only in both"),
    ("clip-single-positional-bound", "invalid", "single-positional-literal"): Port(value(0.1)),
    ("clip-single-positional-bound", "invalid", "clamp-per-gradient-named-bound"): Port(value("max_grad")),
    # TMS104: only one bound on gradients.
    ("clip-one-bound-missing", "valid", "both-keyword-bounds"): Port(value(1.0)),
    ("clip-one-bound-missing", "valid", "probability-floor-before-log"): Port(
        "probs = torch.clamp(probs, min=1e-7)\nloss = -torch.log(probs).mean()\n",
        observe={"probs": ("probs", "probs"), "loss": ("loss", "loss")}, why="a floor before a log, on purpose"),
    ("clip-one-bound-missing", "invalid", "keyword-maximum-only"): Port(value(1.0)),
    ("clip-one-bound-missing", "invalid", "clamp-none-minimum-per-gradient"): Port(value("clip")),
    # TMS105: bounds that are not -c and c.
    ("clip-asymmetric-bounds", "valid", "mirrored-constant"): Port(value(0.5)),
    ("clip-asymmetric-bounds", "valid", "train-one-step-cell-helper"): Port(
        value(0.1), after="optimizer(tuple(_clip_grad(0.1, g) for g in grad_fn(data, label)[1]))",
        why="MindSpore's TrainOneStepCell helper, driven over each gradient"),
    ("clip-asymmetric-bounds", "valid", "ppo-ratio"): Port(
        "ratio = torch.clamp(ratio, 1 - eps, 1 + eps)\n", observe={"ratio": ("ratio", "ratio")},
        why="a PPO ratio, asymmetric on purpose"),
    ("clip-asymmetric-bounds", "invalid", "larger-maximum"): Port(
        value(0.2), why="torch's [-c, c] with the larger bound"),
    ("clip-asymmetric-bounds", "invalid", "zero-minimum-named-maximum"): Port(value("max_grad")),
    # TMS106: minimum >= maximum.
    ("clip-empty-or-inverted-range", "valid", "ordered-bounds"): Port(value(0.1)),
    ("clip-empty-or-inverted-range", "valid", "box-coordinates"): Port(
        "boxes = torch.clamp(boxes, 0, image_width)\n", observe={"boxes": ("boxes", "boxes")}),
    ("clip-empty-or-inverted-range", "invalid", "swapped-literals"): Port(value(0.1)),
    ("clip-empty-or-inverted-range", "invalid", "lost-minus-sign"): Port(
        "logits = torch.clamp(logits, -self.clip_value, self.clip_value)\n",
        observe={"logits": ("logits", "logits")}, why="the port lost the minus sign of the minimum"),
    ("clip-empty-or-inverted-range", "invalid", "equal-bounds"): Port(
        "probs = torch.clamp(probs, 0.0, 1.0)\n", observe={"probs": ("probs", "probs")}),
    # TMS107: clipping the whole (grads, aux) / (loss, grads) output.
    ("clip-grad-aux-output", "valid", "unpacked-before-clipping"): Port(value(0.1), bindings=AUX),
    ("clip-grad-aux-output", "invalid", "grad-has-aux-output"): Port(
        value(0.1),
        observe={"weights after one SGD step": WEIGHTS, "aux output (logits)": ("grads[1]", "logits")},
        setup="ones", bindings=AUX,
        why="weights of 1 make the logits [6, 6] (zero weights give logits of 0, inside any range); "
            "the gradients are the same"),
    ("clip-grad-aux-output", "invalid", "value-and-grad-output-global-norm"): Port(norm(1.0)),
    # TMS108: the clipped value never read.
    ("clip-result-unused", "valid", "clipped-value-passed-on"): Port(value(0.1), after="train_step(data, label)"),
    ("clip-result-unused", "valid", "previous-iteration-gradients"): Skip(
        "the optimizer applies the previous iteration's gradients across a loader loop: no single-step "
        "PyTorch counterpart"),
    ("clip-result-unused", "invalid", "clipped-name-never-read"): Port(value(0.1), after="train_step(data, label)"),
    ("clip-result-unused", "invalid", "clipped-after-the-optimizer"): Port(
        norm(1.0), after="train_step(data, label)"),
    # TMS109: value_and_grad's (value, grads) unpacked as (grads, value).
    ("value-and-grad-unpacked-swapped", "valid", "loss-then-grads"): Port(torch_step()),
    ("value-and-grad-unpacked-swapped", "valid", "grad-has-aux-grads-first"): Port(torch_step(), bindings=AUX),
    ("value-and-grad-unpacked-swapped", "valid", "unknown-grad-fn"): Skip(
        "defines a function and runs nothing: the example is about what cannot be proven statically"),
    ("value-and-grad-unpacked-swapped", "invalid", "swapped-then-clipped"): Port(value(1.0)),
    ("value-and-grad-unpacked-swapped", "invalid", "swapped-has-aux-in-a-cell"): Port(
        torch_step(), after="TrainStep(net_with_loss_and_logits, optimizer)(data, label)"),
    # TMS201: PyTorch clipping left in a MindSpore module.
    ("torch-clipping-left-over", "valid", "pytorch-only-file"): Skip(
        "a PyTorch-only file: nothing is ported, the code is torch's own"),
    ("torch-clipping-left-over", "valid", "parity-test-torch-model"): Skip(
        "a parity test: torch's own clipping on a torch model built there on purpose; nothing is ported"),
    ("torch-clipping-left-over", "valid", "mindspore-global-norm"): Port(norm(1.0)),
    ("torch-clipping-left-over", "invalid", "torch-clip-on-mindspore-params"): Port(norm(1.0)),
    ("torch-clipping-left-over", "invalid", "ms-nn-utils-clip-grad-norm"): Port(norm(1.0)),
    ("torch-clipping-left-over", "invalid", "grad-data-clamp"): Port(
        value(1), after="", why="MindSpore parameters have no .grad"),
}
