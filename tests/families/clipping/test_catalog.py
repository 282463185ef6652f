"""The catalog's promises, one small program each: how callees resolve, what counts as gradients,
how bounds compare, and which codes combine. Expected findings are (line, code) pairs."""

import textwrap

import pytest

CASES = {
    # ---- callee resolution through imports
    "from mindspore import ops": (
        "from mindspore import ops\ngrads = ops.clip_by_value(grads, 0.1)\n", [(2, "TMS103")]),
    "import mindspore.ops as P": (
        "import mindspore.ops as P\ngrads = P.clip_by_value(grads, 0.1)\n", [(2, "TMS103")]),
    "from mindspore.ops import composite as C": (
        "from mindspore.ops import composite as C\ngrads = C.clip_by_value(grads, 0.1)\n", [(2, "TMS103")]),
    "import mindspore as ms": (
        "import mindspore as ms\ngrads = ms.ops.clip_by_value(grads, 0.1)\n", [(2, "TMS103")]),
    "import mindspore": (
        "import mindspore\ngrads = mindspore.ops.clip_by_value(grads, 0.1)\n", [(2, "TMS103")]),
    "from mindspore.ops import clip_by_value": (
        "from mindspore.ops import clip_by_value\ngrads = clip_by_value(grads, 0.1)\n", [(2, "TMS103")]),
    "import as another name": (
        "from mindspore.ops import clip_by_value as clip\ngrads = clip(grads, 0.1)\n", [(2, "TMS103")]),
    "star import": (
        "from mindspore.ops import *\ngrads = clip_by_value(grads, 0.1)\n", [(2, "TMS103")]),
    "mint.clamp": (
        "from mindspore import mint\ngrads = mint.clamp(grads, 0.1)\n", [(2, "TMS103")]),
    "ops.clip": (
        "from mindspore import ops\ngrads = ops.clip(grads, 0.1)\n", [(2, "TMS103")]),
    "tensorflow look-alike": (
        "import tensorflow as tf\ngrads = tf.clip_by_value(grads, 0.1)\ntf.clip_by_value(grads, 0.1, -0.1)\n", []),
    "numpy look-alike": (
        "import numpy as np\ngrads = np.clip(grads, 0.1)\n", []),
    "unresolved bare name": (
        "grads = clip_by_value(grads, 0.1)\n", []),
    "a local function with the same name": (
        "from mindspore import ops\ndef clip_by_value(x, c):\n    return x\ngrads = clip_by_value(grads, 0.1)\n", []),
    "alias in __init__": (
        """\
        from mindspore import nn, ops
        class Step(nn.Cell):
            def __init__(self):
                super().__init__()
                self.clip_by_value = ops.clip_by_value
            def construct(self, grads):
                return self.clip_by_value(grads, 0.1)
        """, [(7, "TMS103")]),
    "ClipByNorm instance, called on parameters": (
        """\
        from mindspore import nn
        class Step(nn.Cell):
            def __init__(self, net):
                super().__init__()
                self.clip = nn.ClipByNorm()
                self.net = net
            def construct(self):
                return self.clip(self.net.trainable_params(), 1.0)
        """, [(8, "TMS101")]),
    # ---- what counts as gradients
    "value_and_grad unpacking": (
        """\
        import mindspore as ms
        from mindspore import ops
        grad_fn = ms.value_and_grad(forward, None, weights)
        def step(x):
            loss, g = grad_fn(x)
            return ops.clip_by_value(g, 0.1)
        """, [(6, "TMS103")]),
    "value_and_grad has_aux nested unpacking": (
        """\
        import mindspore as ms
        from mindspore import ops
        grad_fn = ms.value_and_grad(forward, None, weights, has_aux=True)
        (loss, _), g = grad_fn(x)
        g = ops.clip_by_value(g, 0.1)
        """, [(5, "TMS103")]),
    "the loss is not gradients": (
        """\
        import mindspore as ms
        from mindspore import ops
        grad_fn = ms.value_and_grad(forward, None, weights)
        loss, g = grad_fn(x)
        loss = ops.clip_by_value(loss, 0.1)
        """, []),
    "GradOperation through self": (
        """\
        from mindspore import nn, ops
        from mindspore.ops import composite as C
        class Step(nn.Cell):
            def __init__(self, network):
                super().__init__()
                self.network = network
                self.weights = network.trainable_params()
                self.grad = C.GradOperation(get_by_list=True)
            def construct(self, x):
                g = self.grad(self.network, self.weights)(x)
                g = ops.clip_by_value(g, 0.1)
                return g
        """, [(11, "TMS103")]),
    "element of gradients in a loop, zip and comprehension": (
        """\
        from mindspore import ops
        def clip_all(grads, params):
            for g in grads:
                g = ops.clip_by_value(g, 0.1)
            for g, p in zip(grads, params):
                p.set_data(ops.clip_by_value(p, -1.0, 1.0))
            return [ops.clip_by_value(g, 0.1) for g in grads]
        """, [(4, "TMS103"), (7, "TMS103")]),
    "unknown values are left alone": (
        "from mindspore import ops\nx = ops.clip_by_value(x, 0.1)\nx = ops.clip_by_value(x, 0, 1.0)\n", []),
    # ---- bounds
    "mirror with the minus deep inside": (
        """\
        from mindspore.ops import composite as C, functional as F
        def clip(clip_value, grad, dt):
            return C.clip_by_value(grad, F.cast(F.tuple_to_array((-clip_value,)), dt),
                                   F.cast(F.tuple_to_array((clip_value,)), dt))
        """, []),
    "constants at module, class and function level": (
        """\
        from mindspore import nn, ops
        LOW = -0.1
        class Step(nn.Cell):
            HIGH = 0.2
            def construct(self, grads):
                low = -0.1
                a = ops.clip_by_value(grads, LOW, self.HIGH)
                b = ops.clip_by_value(grads, low, 0.1)
                return a, b
        """, [(7, "TMS105")]),
    "inverted through constant names": (
        "from mindspore import ops\nC = 0.5\nx = ops.clip_by_value(x, C, -C)\n", [(3, "TMS106")]),
    "the same expression twice": (
        "from mindspore import ops\nx = ops.clamp(x, self.clip_value, self.clip_value)\n", [(2, "TMS106")]),
    "min and max by keyword, in either order": (
        "from mindspore import ops\n"
        "g_grads = ops.clip_by_value(g_grads, clip_value_max=1.0, clip_value_min=-1.0)\n", []),
    "explicit None is a missing bound": (
        "from mindspore import ops\ngrads = ops.clip_by_value(grads, -1.0, None)\n", [(2, "TMS104")]),
    "inverted wins over everything else": (
        "from mindspore import ops\ngrads = ops.clip_by_value(grads, 0.2, -0.1)\n", [(2, "TMS106")]),
    "*args hide the bounds": (
        "from mindspore import ops\ngrads = ops.clip_by_value(grads, *bounds)\n", []),
    # ---- results, and combinations
    "parameters and discarded combine": (
        "from mindspore import ops\nops.clip_by_value(net.trainable_params(), -1.0, 1.0)\n",
        [(2, "TMS101"), (2, "TMS102")]),
    "discarded and single bound combine": (
        "from mindspore import ops\nops.clip_by_value(grads, 0.1)\n", [(2, "TMS102"), (2, "TMS103")]),
    "written back through a name": (
        """\
        from mindspore import ops
        def clip_weights(net):
            for p in net.trainable_params():
                clipped = ops.clip_by_value(p, -0.01, 0.01)
                p.set_data(clipped)
        """, []),
    "global name is not a local": (
        """\
        from mindspore import ops
        def clip(grads):
            global CLIPPED
            CLIPPED = ops.clip_by_value(grads, -1.0, 1.0)
        """, []),
    "read in the next loop iteration": (
        """\
        from mindspore import ops
        def train(batches):
            clipped = None
            for batch in batches:
                if clipped is not None:
                    optimizer(clipped)
                loss, grads = grad_fn(batch)
                clipped = ops.clip_by_value(grads, -1.0, 1.0)
        """, []),
    # ---- PyTorch leftovers
    "torch clipping via from-import": (
        "import mindspore\nfrom torch.nn.utils import clip_grad_value_\nclip_grad_value_(params, 0.1)\n",
        [(3, "TMS201")]),
    "torch clipping in a torch-only file": (
        "import torch\ntorch.nn.utils.clip_grad_value_(model.parameters(), 0.1)\n", []),
    "grad.clamp_ in a MindSpore file": (
        "import mindspore\nfor p in params:\n    p.grad.clamp_(-1, 1)\n", [(3, "TMS201")]),
}


@pytest.mark.parametrize("source, expected", CASES.values(), ids=list(CASES))
def test_catalog_case(check, source, expected):
    source = textwrap.dedent(source)
    compile(source, "case", "exec")
    assert check(source) == expected
