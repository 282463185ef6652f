"""TMS201 leaves PyTorch clipping alone when it provably clips a torch object the module builds
(a parity test's reference model), and only then. Each way of reaching that object is tested
next to the same form reaching something else."""

import textwrap

import pytest

HEADER = """\
import mindspore
import torch
from mindspore import nn


class TorchNet(torch.nn.Module):
    pass


class PortNet(nn.Cell):
    pass


"""

# form -> (code that ends with one PyTorch clipping call, whether it clips a torch object)
FORMS = {
    "a name bound to a torch layer": ("layer = torch.nn.Linear(2, 2)\n"
                                      "torch.nn.utils.clip_grad_norm_(layer.parameters(), 1.0)", True),
    "an unknown name": ("torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)", False),
    "a name bound to a MindSpore layer": ("layer = nn.Dense(2, 2)\n"
                                          "torch.nn.utils.clip_grad_norm_(layer.trainable_params(), 1.0)", False),
    "an instance of a torch module defined here": ("net = TorchNet()\n"
                                                   "torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)", True),
    "an instance of a MindSpore cell defined here": ("net = PortNet()\n"
                                                     "torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)", False),
    "a torch layer on self": ("""\
        class Parity:
            def __init__(self):
                self.reference = torch.nn.Linear(2, 2)

            def clip(self):
                torch.nn.utils.clip_grad_norm_(self.reference.parameters(), 1.0)""", True),
    "an instance of a torch module defined here, on self": ("""\
        class Parity:
            def __init__(self):
                self.reference = TorchNet()

            def clip(self):
                torch.nn.utils.clip_grad_norm_(self.reference.parameters(), 1.0)""", True),
    "an instance of a MindSpore cell defined here, on self": ("""\
        class Parity:
            def __init__(self):
                self.reference = PortNet()

            def clip(self):
                torch.nn.utils.clip_grad_norm_(self.reference.parameters(), 1.0)""", False),
    "something else on self": ("""\
        class Parity:
            def __init__(self, net):
                self.reference = net

            def clip(self):
                torch.nn.utils.clip_grad_norm_(self.reference.parameters(), 1.0)""", False),
    "an attribute of another object": ("""\
        class Parity:
            def __init__(self):
                self.reference = torch.nn.Linear(2, 2)

            def clip(self, other):
                torch.nn.utils.clip_grad_norm_(other.reference.parameters(), 1.0)""", False),
    "an item of a torch container": ("layers = torch.nn.ModuleList([torch.nn.Linear(2, 2)])\n"
                                     "torch.nn.utils.clip_grad_norm_(layers[0].parameters(), 1.0)", True),
    "an item of an unknown container": ("torch.nn.utils.clip_grad_norm_(layers[0].parameters(), 1.0)", False),
    "list() of a torch layer's parameters": ("layer = torch.nn.Linear(2, 2)\n"
                                             "torch.nn.utils.clip_grad_norm_(list(layer.parameters()), 1.0)", True),
    "list() of unknown parameters": ("torch.nn.utils.clip_grad_norm_(list(model.parameters()), 1.0)", False),
    "a torch layer's parameter's gradient": ("layer = torch.nn.Linear(2, 2)\n"
                                             "layer.weight.grad.clamp_(-1.0, 1.0)", True),
    "an unknown parameter's gradient": ("weight.grad.clamp_(-1.0, 1.0)", False),
    "a loop over a torch layer's parameters": ("layer = torch.nn.Linear(2, 2)\n"
                                               "for p in layer.parameters():\n"
                                               "    p.grad.data.clamp_(-1.0, 1.0)", True),
    "a loop over MindSpore parameters": ("for p in net.trainable_params():\n"
                                         "    p.grad.data.clamp_(-1.0, 1.0)", False),
}


@pytest.mark.parametrize("form", FORMS)
def test_pytorch_clipping_of_a_torch_object_is_left_alone(check, form):
    code, torch_object = FORMS[form]
    source = HEADER + textwrap.dedent(code) + "\n"
    compile(source, form, "exec")
    last_line = source.count("\n")
    assert check(source) == ([] if torch_object else [(last_line, "TMS201")])
