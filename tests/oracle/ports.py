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

# ---- the divergence family (TMS3xx): a layer or function against torch's, on the same input


def same(expression: str, name: str) -> dict:
    return {name: (expression, expression)}


def torch_head(rate: float) -> str:
    return (
        "class ClassifierHead(torch.nn.Module):\n"
        f"    def __init__(self, hidden_size, num_labels, dropout={rate}):\n"
        "        super().__init__()\n"
        "        self.dropout = torch.nn.Dropout(dropout)\n"
        "        self.classifier = torch.nn.Linear(hidden_size, num_labels)\n"
        "    def forward(self, features):\n"
        "        return self.classifier(self.dropout(features))\n")


HEAD_DROPPED = same("DROPPED(ClassifierHead(8, 2).dropout)", "share of activations dropped")

TORCH_MLP = """
class Mlp(torch.nn.Module):
    def __init__(self, in_features, hidden_features, drop_rate=0.2):
        super().__init__()
        self.fc1 = torch.nn.Linear(in_features, hidden_features)
        self.act = torch.nn.GELU()
        self.drop = torch.nn.Dropout(drop_rate)
        self.fc2 = torch.nn.Linear(hidden_features, in_features)
    def forward(self, x):
        return self.fc2(self.drop(self.act(self.fc1(x))))
"""
TORCH_ATTENTION_DROPOUT = """
ATTENTION_DROPOUT = 0.1
class AttentionDropout(torch.nn.Module):
    def forward(self, scores):
        return torch.nn.functional.dropout(scores, ATTENTION_DROPOUT, self.training)
"""


TORCH_BASIC_BLOCK = """
class BasicBlock(torch.nn.Module):
    def __init__(self, inplanes, planes):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(inplanes, planes, 3, padding=1)
        self.bn1 = torch.nn.BatchNorm2d(planes, momentum=0.1)
        self.relu = torch.nn.ReLU()
    def forward(self, x):
        return self.relu(self.bn1(self.conv1(x)))
"""
TORCH_MAKE_BN = """
def make_bn(channels, momentum=0.1):
    return torch.nn.BatchNorm2d(channels, momentum=momentum)
"""
TORCH_PROJECTION = """
class ProjectionHead(torch.nn.Module):
    def __init__(self, in_dim, hidden_dim, out_dim):
        super().__init__()
        self.fc1 = torch.nn.Linear(in_dim, hidden_dim)
        self.bn = torch.nn.BatchNorm1d(hidden_dim, 1e-5, 0.1)
        self.relu = torch.nn.ReLU()
        self.fc2 = torch.nn.Linear(hidden_dim, out_dim)
    def forward(self, x):
        return self.fc2(self.relu(self.bn(self.fc1(x))))
"""
TORCH_STEM_BN = """
class ResNetStem(torch.nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.bn_momentum = 0.1
        self.conv = torch.nn.Conv2d(3, channels, 7, stride=2, padding=3)
        self.bn = torch.nn.BatchNorm2d(channels, momentum=self.bn_momentum)
"""
TORCH_CONV_BN_ACT = """
class ConvBnAct(torch.nn.Module):
    def __init__(self, in_channels, out_channels):
        super().__init__()
        self.conv = torch.nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.bn = torch.nn.BatchNorm2d(out_channels, momentum=0.03, eps=1e-3)
        self.act = torch.nn.SiLU()
"""
TORCH_FROZEN = """
class FrozenBatchNorm2d(torch.nn.BatchNorm2d):
    # torch's usual frozen BatchNorm: always in evaluation mode, statistics never updated.
    def train(self, mode=True):
        return super().train(False)
class FrozenBackboneBlock(torch.nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = torch.nn.Conv2d(channels, channels, 3, padding=1)
        self.bn = FrozenBatchNorm2d(channels, momentum=0.1)
"""
TORCH_FUNCTIONAL_BN = """
def normalize(x, running_mean, running_var, weight, bias, training):
    return torch.nn.functional.batch_norm(x, running_mean, running_var, weight, bias, training=training, momentum=0.1)
"""
TORCH_CONV_BN_SEQUENTIAL = """
def conv_bn(in_channels, out_channels):
    return torch.nn.Sequential(torch.nn.Conv2d(in_channels, out_channels, 3, padding=1),
                               torch.nn.BatchNorm2d(out_channels, 1e-5, 0.1))
"""
BN = "normalized after three training batches"

STEM_POOLED = same("Stem(4).pool(FEATURE_MAPS)", "pooled")
TORCH_STEM_POOL = """
class Stem(torch.nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv = torch.nn.Conv2d(3, channels, 3, padding=1)
        self.pool = torch.nn.MaxPool2d(kernel_size=2)
"""
POOLED = "pooled"

TORCH_DECODE = """
def decode(logits):
    probs = torch.softmax(logits, dim=-1)
    return probs.max(dim=-1)[0]
"""
TORCH_CLASSIFIER = """
class Classifier(torch.nn.Module):
    def __init__(self, network):
        super().__init__()
        self.network = network
    def forward(self, images):
        return self.network(images).max(dim=1)[1]
"""
TORCH_SAMPLE_CANDIDATES = """
def sample_candidates(logits):
    return torch.multinomial(torch.softmax(logits, dim=-1), 4)
"""
TORCH_SAMPLE_NEGATIVES = """
def sample_negatives(weights, num_negatives=5):
    return torch.multinomial(weights, num_negatives)
"""
TORCH_GREEDY = """
class GreedyDecoder(torch.nn.Module):
    def forward(self, logits):
        score, index = torch.max(logits, -1)
        return index, score
"""
UNKNOWN = "the value is unknown here (a config field or a caller's argument): there is nothing to compare"
TORCH_LENET = """
class LeNet5(torch.nn.Module):
    def __init__(self, num_class=10):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 6, 5)
        self.conv2 = torch.nn.Conv2d(6, 16, 5)
        self.relu = torch.nn.ReLU()
        self.pool = torch.nn.MaxPool2d(kernel_size=2)
        self.flatten = torch.nn.Flatten()
        self.fc = torch.nn.Linear(16 * 5 * 5, num_class)
"""
TORCH_GUARDED_HEAD = """
def head(dim, classes, dropout):
    layers = [torch.nn.Linear(dim, dim), torch.nn.ReLU()]
    if dropout:
        layers.append(torch.nn.Dropout(dropout))
    layers.append(torch.nn.Linear(dim, classes))
    return torch.nn.Sequential(*layers)
"""
TORCH_GUARDED_MLP = """
class Mlp(torch.nn.Module):
    def __init__(self, dim, drop):
        super().__init__()
        self.fc = torch.nn.Linear(dim, dim)
        self.drop = drop
        if self.drop > 0.:
            self.dropout = torch.nn.Dropout(drop)
"""
TORCH_STRIDE_ONE_NET = """
class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(kernel_size=2, stride=1))
        self.fc = torch.nn.Linear(32 * 27 * 27, 10)
"""
TORCH_GLOBAL_HEAD = """
head = torch.nn.Sequential(torch.nn.Conv2d(3, 64, 3), torch.nn.ReLU(), torch.nn.AvgPool2d(kernel_size=5),
                           torch.nn.Flatten(), torch.nn.Linear(64, 10))
"""
DROPPED_SHARE = "share of activations dropped"

# Rules whose claim is not about the numbers a training step computes.
# Port-pair rules (TMS4xx): each example's claim is a facts entry of rules/facts/pairs.yml, and
# the pair oracle runs every entry on both frameworks (tests/oracle/pair_cases.py).
PAIR_ORACLE = "port-pair rule: its facts entries are run by the pair oracle (tests/oracle/pair_cases.py)"
NOT_NUMERIC: dict[str, str] = {rule_id: PAIR_ORACLE for rule_id in (
    "default-differs-from-original", "value-differs-from-original", "counterpart-never-agrees",
    "init-differs-from-original")}

PORTS = {
    # TMS101: clipping the parameters instead of the gradients.
    ("clip-on-parameters", "valid", "clipped-gradients"): Port(value(0.1)),
    ("clip-on-parameters", "valid", "wgan-weights-set-data"): Port(
        WGAN, observe=CRITIC, why="weight clipping written back (WGAN): the same in place"),
    ("clip-on-parameters", "valid", "wgan-weights-assign"): Port(WGAN, observe=CRITIC),
    ("clip-on-parameters", "valid", "wgan-weights-written-back-by-own-helper"): Skip(
        "the weight clipping of wgan-weights-assign (compared) written back through a MultitypeFuncGraph "
        "inside a Cell; what it asserts is the write-back's recognition, not other numbers"),
    ("clip-on-parameters", "invalid", "trainable-params-in-a-step"): Port(
        value(0.1), after="train_step(data, label)"),
    ("clip-on-parameters", "invalid", "params-variable-global-norm"): Port(norm(1.0)),
    ("clip-on-parameters", "invalid", "self-weights-in-construct"): Port(
        value(1.0), after="TrainStep(net, optimizer)(grad_fn(data, label)[1])"),
    # TMS102: the clipped result thrown away.
    ("clip-result-discarded", "valid", "global-norm-assigned"): Port(norm(1.0)),
    ("clip-result-discarded", "valid", "clip-call-passed-on"): Port(value(0.1)),
    ("clip-result-discarded", "valid", "smoke-test-on-a-literal-tensor"): Skip(
        "a unit test's smoke call on a literal tensor: no training step, nothing is ported"),
    ("clip-result-discarded", "invalid", "global-norm-discarded"): Port(norm(1.0)),
    ("clip-result-discarded", "invalid", "expression-discarded"): Port(norm(1.0)),
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
    # TMS301
    ("dropout-rate-as-keep-prob", "valid", "rate-as-keyword"): Port(torch_head(0.1), observe=HEAD_DROPPED),
    ("dropout-rate-as-keep-prob", "valid", "keep-prob-form"): Port(
        torch_head(0.1), observe=HEAD_DROPPED, why="keep_prob 0.9 is torch's p 0.1"),
    ("dropout-rate-as-keep-prob", "valid", "one-minus-rate"): Port(torch_head(0.1), observe=HEAD_DROPPED),
    ("dropout-rate-as-keep-prob", "valid", "value-unknown"): Skip(UNKNOWN),
    ("dropout-rate-as-keep-prob", "invalid", "rate-literal"): Port(torch_head(0.1), observe=HEAD_DROPPED),
    ("dropout-rate-as-keep-prob", "invalid", "rate-parameter-default"): Port(
        TORCH_MLP, observe=same("DROPPED(Mlp(8, 16).drop)", "share of activations dropped")),
    ("dropout-rate-as-keep-prob", "valid", "guard-not-a-rate"): Skip(UNKNOWN),
    ("dropout-rate-as-keep-prob", "invalid", "guarded-rate"): Port(
        TORCH_GUARDED_HEAD, observe=same("DROPPED(head(8, 2, 0.1)[2])", DROPPED_SHARE)),
    ("dropout-rate-as-keep-prob", "invalid", "guarded-self-attribute"): Port(
        TORCH_GUARDED_MLP, observe=same("DROPPED(Mlp(8, 0.1).dropout)", DROPPED_SHARE)),
    ("dropout-rate-as-keep-prob", "invalid", "conditional-expression"): Port(
        "def attention_dropout(rate):\n"
        "    return torch.nn.Dropout(rate) if rate != 0 else torch.nn.Identity()\n",
        observe=same("DROPPED(attention_dropout(0.1))", DROPPED_SHARE)),
    ("dropout-rate-as-keep-prob", "invalid", "primitive-rate-constant"): Port(
        TORCH_ATTENTION_DROPOUT, observe=same("DROPPED(AttentionDropout())", "share of activations dropped")),
    # TMS302
    ("batchnorm-momentum-torch-convention", "valid", "mindspore-convention"): Port(
        TORCH_CONV_BN_ACT, observe=same("BATCHNORM(ConvBnAct(4, 4).bn)", BN), why="MindSpore's 0.97 is torch's 0.03"),
    ("batchnorm-momentum-torch-convention", "valid", "one-minus-torch-momentum"): Port(
        TORCH_CONV_BN_ACT.replace(", eps=1e-3", ""), observe=same("BATCHNORM(ConvBnAct(4, 4).bn)", BN)),
    ("batchnorm-momentum-torch-convention", "valid", "frozen-statistics"): Port(
        TORCH_FROZEN, observe=same("BATCHNORM(FrozenBackboneBlock(4).bn)", BN),
        why="torch's frozen BatchNorm stays in evaluation mode"),
    ("batchnorm-momentum-torch-convention", "valid", "functional-batch-norm"): Port(
        TORCH_FUNCTIONAL_BN, observe=same("FUNCTIONAL_BATCHNORM(normalize)", "running mean after three batches")),
    ("batchnorm-momentum-torch-convention", "invalid", "keyword-literal"): Port(
        TORCH_BASIC_BLOCK, observe=same("BATCHNORM(BasicBlock(4, 4).bn1)", BN)),
    ("batchnorm-momentum-torch-convention", "invalid", "parameter-default"): Port(
        TORCH_MAKE_BN, observe=same("BATCHNORM(make_bn(4))", BN)),
    ("batchnorm-momentum-torch-convention", "invalid", "positional"): Port(
        TORCH_PROJECTION, observe=same("BATCHNORM(ProjectionHead(4, 4, 2).bn, 2)", BN)),
    ("batchnorm-momentum-torch-convention", "invalid", "self-attribute"): Port(
        TORCH_STEM_BN, observe=same("BATCHNORM(ResNetStem(4).bn)", BN)),
    ("batchnorm-momentum-torch-convention", "valid", "test-asserts-mindspore-convention"): Skip(
        "a test of MindSpore's own update rule: the momentum is MindSpore's on purpose, nothing is ported"),
    # TMS307
    ("batchnorm-eps-momentum-swapped", "valid", "positional-order-kept"): Port(
        TORCH_CONV_BN_SEQUENTIAL, observe=same("BATCHNORM(conv_bn(4, 4)[1])", BN)),
    ("batchnorm-eps-momentum-swapped", "valid", "keywords"): Port(
        TORCH_CONV_BN_SEQUENTIAL, observe=same("BATCHNORM(conv_bn(4, 4)[1])", BN)),
    ("batchnorm-eps-momentum-swapped", "invalid", "momentum-second"): Port(
        TORCH_CONV_BN_SEQUENTIAL, observe=same("BATCHNORM(conv_bn(4, 4)[1])", BN)),
    # TMS303
    ("pool-stride-omitted", "valid", "stride-given"): Port(TORCH_STEM_POOL, observe=STEM_POOLED),
    ("pool-stride-omitted", "valid", "same-padding"): Port(
        "class SPPF(torch.nn.Module):\n    def __init__(self, kernel_size=5):\n        super().__init__()\n"
        "        self.pool = torch.nn.MaxPool2d(kernel_size, stride=1, padding=kernel_size // 2)\n",
        observe=same("SPPF().pool(FEATURE_MAPS)", POOLED), why="torch's SPPF: stride 1, padding k // 2"),
    ("pool-stride-omitted", "valid", "global-pool"): Port(
        "def global_average(features):\n    return torch.nn.functional.avg_pool2d(features, features.shape[2:])\n",
        observe=same("global_average(FEATURE_MAPS)", POOLED)),
    ("pool-stride-omitted", "valid", "functional-max-pool"): Port(
        "def downsample(features):\n    return torch.nn.functional.max_pool2d(features, 2)\n",
        observe=same("downsample(FEATURE_MAPS)", POOLED)),
    ("pool-stride-omitted", "valid", "global-pool-by-shapes"): Port(
        TORCH_GLOBAL_HEAD, observe=same("head[2](FEATURE_MAPS[:, :, :5, :5])", POOLED),
        why="the kernel is the whole 5x5 map: one output whatever the stride"),
    ("pool-stride-omitted", "valid", "dense-fits-stride-one"): Port(
        TORCH_STRIDE_ONE_NET, observe=same("Net().features[2](FEATURE_MAPS)", POOLED),
        why="the port was built for stride 1: the Dense takes 27x27 maps"),
    ("pool-stride-omitted", "valid", "stride-one-written-elsewhere"): Skip(
        "which stride was meant is the question, and the class answers it (stride=1 written beside): "
        "there is no torch original to compare with"),
    ("pool-stride-omitted", "valid", "no-evidence-either-way"): Skip(
        "nothing says which stride was meant: the rule stays silent by a measured choice "
        "(docs/reliability.md), there is no torch original to compare with"),
    ("pool-stride-omitted", "invalid", "dense-fits-torch-stride"): Port(
        TORCH_LENET, observe=same("LeNet5().pool(FEATURE_MAPS)", POOLED)),
    ("pool-stride-omitted", "invalid", "functional-average-in-a-port"): Port(
        "def downsample(features):\n    return torch.nn.functional.avg_pool2d(features, 2)\n",
        observe=same("downsample(FEATURE_MAPS)", POOLED)),
    ("pool-stride-omitted", "invalid", "kernel-constant-with-mint"): Port(
        "POOL_SIZE = 4\nclass FrameEncoder(torch.nn.Module):\n    def __init__(self, channels):\n"
        "        super().__init__()\n        self.pool = torch.nn.AvgPool1d(POOL_SIZE)\n",
        observe=same("FrameEncoder(2).pool(FRAMES)", POOLED)),
    ("pool-stride-omitted", "invalid", "cell-with-forward"): Port(TORCH_STEM_POOL, observe=STEM_POOLED),
    # TMS304
    ("tensor-max-axis-indexed", "valid", "dim-overload"): Port(
        "def decode(logits):\n    probs = torch.softmax(logits, dim=-1)\n"
        "    return probs.max(dim=-1)[0], probs.max(dim=-1)[1]\n", observe=same("decode(LOGITS)", "scores, labels")),
    ("tensor-max-axis-indexed", "valid", "values-only"): Port(
        "def decode(logits):\n    probs = torch.softmax(logits, dim=-1)\n"
        "    return probs.max(dim=-1)[0], probs.max(dim=-1)[1]\n", observe=same("decode(LOGITS)", "scores, labels")),
    ("tensor-max-axis-indexed", "valid", "receiver-unknown"): Skip(
        "nothing says what the receiver is (torch accepts axis= too): there is no port to compare with"),
    ("tensor-max-axis-indexed", "valid", "numpy-receiver"): Skip("numpy code in both worlds: nothing is ported"),
    ("tensor-max-axis-indexed", "invalid", "values-subscript"): Port(
        TORCH_DECODE, observe=same("decode(LOGITS)", "scores")),
    ("tensor-max-axis-indexed", "invalid", "indices-subscript"): Port(
        TORCH_CLASSIFIER, observe=same("Classifier(IDENTITY)(LOGITS)", "predicted classes")),
    # TMS305
    ("multinomial-replacement-omitted", "valid", "one-sample"): Port(
        "def sample_next_token(logits, temperature):\n"
        "    return torch.multinomial(torch.softmax(logits / temperature, dim=-1), 1)\n",
        observe=same("DISTINCT_ROWS(sample_next_token(CANDIDATE_LOGITS, 1.0))", "share of rows with distinct draws")),
    ("multinomial-replacement-omitted", "valid", "replacement-given"): Port(
        TORCH_SAMPLE_NEGATIVES, observe=same("DISTINCT_ROWS(sample_negatives(NEGATIVE_WEIGHTS))",
                                             "share of rows with distinct draws")),
    ("multinomial-replacement-omitted", "valid", "sample-count-unknown"): Skip(UNKNOWN),
    ("multinomial-replacement-omitted", "invalid", "literal-count"): Port(
        TORCH_SAMPLE_CANDIDATES, observe=same("DISTINCT_ROWS(sample_candidates(CANDIDATE_LOGITS))",
                                              "share of rows with distinct draws")),
    ("multinomial-replacement-omitted", "invalid", "count-parameter-default"): Port(
        TORCH_SAMPLE_NEGATIVES, observe=same("DISTINCT_ROWS(sample_negatives(NEGATIVE_WEIGHTS))",
                                             "share of rows with distinct draws")),
    # TMS306
    ("argmax-with-value-unpacked-swapped", "valid", "index-first"): Port(
        TORCH_GREEDY, observe=same("GreedyDecoder()(LOGITS)", "index, score")),
    ("argmax-with-value-unpacked-swapped", "valid", "value-kept"): Port(
        "def best_snr(snr_set):\n    max_snr, _ = torch.max(snr_set, 1, keepdim=True)\n    return max_snr\n",
        observe=same("best_snr(SNR)", "best SNR")),
    ("argmax-with-value-unpacked-swapped", "valid", "names-say-nothing"): Skip(
        "the names do not say which output is meant: there is no port to compare with"),
    ("argmax-with-value-unpacked-swapped", "invalid", "torch-order"): Port(
        TORCH_GREEDY, observe=same("GreedyDecoder()(LOGITS)", "index, score")),
    ("argmax-with-value-unpacked-swapped", "invalid", "prediction-second"): Port(
        "def predict(logits):\n    _, predicted = torch.max(logits, 1)\n    return predicted\n",
        observe=same("predict(LOGITS)", "predicted classes")),
}
