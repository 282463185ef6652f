"""What port-pair mode must leave silent: equivalent spellings, unknown values, unaligned and
MindSpore-only code; and what it reports when the same call is not equivalent."""

import pytest
from pair_helpers import pair_check

TRAPS = {
    "pad-mode-pad": ("nn.Conv2d(c, c, 3, padding=p, bias=False)", "nn.Conv2d(c, c, 3, pad_mode='pad', padding=p)"),
    "momentum-one-minus": ("nn.BatchNorm2d(c, momentum=m)", "nn.BatchNorm2d(c, momentum=1 - m)"),
    "momentum-defaults": ("nn.BatchNorm2d(c)", "nn.BatchNorm2d(c, momentum=0.9)"),
    "keep-prob-one-minus": ("nn.Dropout(p)", "nn.Dropout(keep_prob=1 - p)"),
    "rate-keyword": ("nn.Dropout(p=p)", "nn.Dropout(p=p)"),
    "functional-max-pool": ("F.max_pool2d(x, k)", "ops.max_pool2d(x, k)"),
    "functional-gelu": ("F.gelu(x)", "ops.gelu(x)"),
    "gelu-tanh": ("nn.GELU(approximate='tanh')", "nn.GELU()"),
    "same-kernel-one": ("nn.Conv2d(c, c, 1, bias=False)", "nn.Conv2d(c, c, 1)"),
    "bias-parameter": ("nn.Conv2d(c, c, 1, bias=qkv_bias)", "nn.Conv2d(c, c, 1, has_bias=qkv_bias)"),
    "unknown-values": ("nn.LeakyReLU(cfg.slope)", "nn.LeakyReLU(cfg.alpha)"),
    "unknown-kernel": ("nn.Conv2d(c, c, k)", "nn.Conv2d(c, c, k, has_bias=True)"),
    # 'same' pads by the dilated kernel: d * (k - 1) / 2 at stride 1 (DeepLab's ASPP branches).
    "dilated-same": ("nn.Conv2d(c, c, 3, padding=2, dilation=2, bias=False)", "nn.Conv2d(c, c, 3, dilation=2)"),
    "dilated-same-positional": ("nn.Conv2d(c, c, 3, 1, 2, 2, bias=False)", "nn.Conv2d(c, c, 3, 1, 'same', 0, 2)"),
    "dilation-unknown": ("nn.Conv2d(c, c, 3, padding=k, dilation=k, bias=False)", "nn.Conv2d(c, c, 3, dilation=k)"),
    # 'same' is compared with the original's padding only where both sides dilate alike: with
    # different dilations the padding alone cannot say what the port computes.
    "dilations-differ-port-less": ("nn.Conv2d(c, c, 3, padding=2, dilation=2, bias=False)",
                                   "nn.Conv2d(c, c, 3, dilation=1)"),
    "dilations-differ-port-more": ("nn.Conv2d(c, c, 3, padding=1, dilation=1, bias=False)",
                                   "nn.Conv2d(c, c, 3, dilation=2)"),
}
DIVERGENT = {
    "momentum-same-expression": ("nn.BatchNorm2d(c, momentum=m)", "nn.BatchNorm2d(c, momentum=m)", "TMS402"),
    "keep-prob-same-expression": ("nn.Dropout(p)", "nn.Dropout(keep_prob=p)", "TMS402"),
    "gelu-default": ("nn.GELU()", "nn.GELU()", "TMS401"),
    "bias-lost": ("nn.Conv2d(c, c, 1)", "nn.Conv2d(c, c, 1)", "TMS401"),
    "padding-lost": ("nn.Conv2d(c, c, 3, bias=False)", "nn.Conv2d(c, c, 3)", "TMS401"),
    # MindSpore refuses it when the layer is built: the original's padding wants pad_mode="pad".
    "padding-beside-same": ("nn.Conv2d(c, c, 3, padding=1, bias=False)", "nn.Conv2d(c, c, 3, padding=1)", "TMS402"),
    "dilated-same-pads-more": ("nn.Conv2d(c, c, 3, padding=1, dilation=2, bias=False)",
                               "nn.Conv2d(c, c, 3, dilation=2)", "TMS401"),
}


def module(framework: str, expression: str) -> str:
    imports = ("import torch.nn.functional as F\nfrom torch import nn\n" if framework == "torch"
               else "from mindspore import nn, ops\n")
    base = "nn.Module" if framework == "torch" else "nn.Cell"
    method = "forward" if framework == "torch" else "construct"
    parameters = "c, m, p, k, qkv_bias, cfg"
    return (f"{imports}\n\nclass Block({base}):\n    def __init__(self, {parameters}):\n"
            f"        super().__init__()\n        self.c = c\n\n    def {method}(self, x, {parameters}):\n"
            f"        return {expression}\n")


@pytest.mark.parametrize("original, port", TRAPS.values(), ids=TRAPS)
def test_equivalent_or_unknown_is_silent(tmp_path, original, port):
    assert pair_check(tmp_path, module("torch", original), module("mindspore", port)) == []


@pytest.mark.parametrize("original, port, code", DIVERGENT.values(), ids=DIVERGENT)
def test_the_same_call_diverging_is_reported_once(tmp_path, original, port, code):
    assert [found[1] for found in pair_check(tmp_path, module("torch", original), module("mindspore", port))] == [code]


def test_mindspore_only_code_and_unaligned_calls_are_silent(tmp_path):
    original = "from torch import nn\n\nclass Stem(nn.Module):\n    def __init__(self):\n" \
               "        super().__init__()\n        self.conv = nn.Conv2d(3, 8, 3)\n"
    port = """from mindspore import nn

class Stem(nn.Cell):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, has_bias=True, pad_mode="valid")
        self.act = nn.LeakyReLU()  # no counterpart in the original: a gap


class Extra(nn.Cell):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3)
"""
    assert pair_check(tmp_path, original, port) == []


def test_a_port_file_with_no_original_file_is_silent(tmp_path):
    original = "from torch import nn\nact = nn.LeakyReLU()\n"
    (tmp_path / "original").mkdir()
    (tmp_path / "original" / "other.py").write_text(original, encoding="utf-8")
    port = "from mindspore import nn\nact = nn.LeakyReLU()\n"
    from pair_helpers import Engine, Pairing, load_ruleset

    engine = Engine(load_ruleset(), Pairing(str(tmp_path / "original")))
    assert engine.check(port, str(tmp_path / "port" / "model.py")) == []
    assert [finding.code for finding in engine.check(port, str(tmp_path / "port" / "other.py"))] == ["TMS401"]


@pytest.mark.parametrize("original, port, code", [
    ("nn.BatchNorm2d(c, momentum=0.01)", "nn.BatchNorm2d(c, momentum=0.01)", "TMS302"),
    ("nn.Dropout(0.1)", "nn.Dropout(0.1)", "TMS301"),
], ids=["batch-norm-momentum", "dropout-rate"])
def test_a_call_a_divergence_rule_reports_gets_no_second_finding(tmp_path, original, port, code):
    found = pair_check(tmp_path, module("torch", original), module("mindspore", port))
    assert [finding[1] for finding in found] == [code]


def test_the_class_map_pairs_a_renamed_class(tmp_path):
    original = "from torch import nn\n\nclass Conv(nn.Module):\n    def __init__(self):\n" \
               "        super().__init__()\n        self.act = nn.LeakyReLU()\n"
    port = "from mindspore import nn\n\nclass ConvNormAct(nn.Cell):\n    def __init__(self):\n" \
           "        super().__init__()\n        self.act = nn.LeakyReLU()\n"
    assert pair_check(tmp_path, original, port) == []
    assert [found[1] for found in pair_check(tmp_path, original, port, [("Conv", "ConvNormAct")])] == ["TMS401"]


def test_without_an_original_the_rules_never_parse_a_file(engine):
    """The prefilter rejects every file for the paired rules: a port with only pair-rule words is not parsed."""
    source = "from mindspore import nn\nact = nn.LeakyReLU()\n"
    assert not engine.may_match(source, "model.py")


def test_an_api_the_port_package_replaces_is_not_compared(tmp_path):
    """mindnlp 0.3's injection.py: ``nn.LeakyReLU = ...`` anywhere in the package makes every
    nn.LeakyReLU of it the project's class, with the project's defaults."""
    original = module("torch", "nn.LeakyReLU()(x)")
    port = module("mindspore", "nn.LeakyReLU()(x)")
    assert [found[1] for found in pair_check(tmp_path, original, port)] == ["TMS401"]
    package = tmp_path / "port"
    (package / "patches").mkdir(parents=True)
    (package / "__init__.py").write_text("from . import patches\n", encoding="utf-8")
    (package / "patches" / "__init__.py").write_text(
        "import mindspore\nfrom mindspore import nn\n\n\nclass Leaky(nn.Cell):\n    pass\n\n\n"
        "mindspore.nn.LeakyReLU = Leaky\nself_like = 1\n", encoding="utf-8")
    (package / "model.py").write_text(port, encoding="utf-8")
    from flake8_torch2ms.families.pairs.patches import patched_names

    patched_names.cache_clear()
    assert pair_check(tmp_path, original, port) == []
    assert patched_names(str(package)) == {"mindspore.nn.LeakyReLU": f"{package / 'patches' / '__init__.py'}:9"}


def test_a_parameter_set_after_construction_is_unknown(tmp_path):
    """A loop over self.modules() that sets m.momentum overrides the constructor's value."""
    original = module("torch", "nn.BatchNorm2d(c, momentum=m)(x)")
    port = module("mindspore", "nn.BatchNorm2d(c, momentum=m)(x)")
    assert [found[1] for found in pair_check(tmp_path, original, port)] == ["TMS402"]
    reset = "\n\ndef reset(model):\n    for layer in model.cells():\n        layer.momentum = 0.9\n"
    assert pair_check(tmp_path / "port-resets", original, port + reset) == []
    # Another original (the tree is read once per process).
    assert pair_check(tmp_path / "original-resets", original + reset.replace("cells", "modules"), port) == []
