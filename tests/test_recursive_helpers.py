"""Every recursive helper of the semantic model, of the families and of the engine bounds its
recursion with a ``depth`` guard. Each is driven here by a generated file that nests the
construct it follows (a name bound to a name, an item of an item, a call of a call...) several
thousand deep, next to a shallow instance of the same construct: the shallow finding must stay,
the deep one may resolve or not, and nothing may turn into TMS000 (a RecursionError). A guard
that never grows (``depth + 0``), or grows the wrong way, fails here.

One row per (helper, construct): the construct goes through that helper's recursive call alone,
so a change to that call's guard is seen. A function of linter/ with a ``depth`` parameter and no
row fails ``test_every_recursive_helper_has_a_row``: a new helper gets a row by adding a
generator below.

Each generator takes the nesting depth and returns a file whose expected findings are written
on their lines as ``# expect: TMSxxx`` (followed by ``(unsafe fix)`` where each finding of the
line carries a fix hazard: the fix goes through a value other code shares); findings on a line
marked ``# deep`` (the deep instance, whose verdict is the analysis's choice) are not compared.
"""

import ast
import re

import pytest

from conftest import ROOT, engine_with_rules

DEEP = 3000  # deeper than Python's recursion limit (1,000) in every helper's frames
EXPECT = re.compile(r"# expect: ((?:TMS\d+ ?)+)")
UNSAFE_FIX = "(unsafe fix)"


def deep_lines(source: str) -> set[int]:
    return {number for number, text in enumerate(source.splitlines(), start=1) if text.endswith("# deep")}


def expected(source: str) -> list[tuple[int, str]]:
    return sorted((number, code) for number, text in enumerate(source.splitlines(), start=1)
                  for match in EXPECT.finditer(text) for code in match.group(1).split())


def unsafe_fix_lines(source: str) -> set[int]:
    return {number for number, text in enumerate(source.splitlines(), start=1)
            if EXPECT.search(text) and UNSAFE_FIX in text}


def assert_fix_hazards(findings, source: str) -> None:
    """Each finding on a line marked ``(unsafe fix)`` has a fix and a fix hazard."""
    for number in unsafe_fix_lines(source):
        on_line = [finding for finding in findings if finding.line == number]
        assert on_line and all(finding.fix is not None and finding.fix_hazard is not None for finding in on_line), \
            (number, [(finding.code, finding.fix, finding.fix_hazard) for finding in on_line])


def chain(name: str, first: str, depth: int, step: str = "{}") -> list[str]:
    """``name_0 = first``, then ``name_i = step(name_{i-1})``: each name bound once to the previous."""
    return [f"{name}_0 = {first}"] + [f"{name}_{i} = {step.format(f'{name}_{i - 1}')}" for i in range(1, depth + 1)]


def self_chain(name: str, first: str, depth: int) -> list[str]:
    return [f"        self.{name}_0 = {first}"] + [f"        self.{name}_{i} = self.{name}_{i - 1}"
                                                   for i in range(1, depth + 1)]


def nested(depth: int, open_: str, inner: str, close: str) -> str:
    return open_ * depth + inner + close * depth


def lines(*parts) -> str:
    flat = []
    for part in parts:
        flat.extend([part] if isinstance(part, str) else part)
    return "\n".join(flat) + "\n"


CLIP_HEAD = ["from mindspore import ops", "loss, grads = grad_fn(data)"]
SHALLOW_TMS103 = "grads = ops.clip_by_value(grads, 0.1)  # expect: TMS103"


# ---- the semantic model

def alias_chain(depth):  # qualified_name: a name bound to a name
    return lines(CLIP_HEAD, chain("clip", "ops.clip_by_value", depth), f"grads = clip_{depth}(grads, 0.1)",
                 "grads = clip_2(grads, 0.1)  # expect: TMS103")


def self_alias_chain(depth):  # qualified_name: self.x bound to self.y
    return lines("from mindspore import nn, ops", "class Step(nn.Cell):", "    def __init__(self):",
                 self_chain("clip", "ops.clip_by_value", depth), "    def construct(self, grads):",
                 f"        grads = self.clip_{depth}(grads, 0.1)",
                 "        return self.clip_2(grads, 0.1)  # expect: TMS103")


def attribute_chain(depth):  # qualified_name: the object of an attribute
    return lines(CLIP_HEAD, "grads = ops" + ".a" * depth + ".clip_by_value(grads, 0.1)", SHALLOW_TMS103)


def call_chain(depth):  # qualified_name: the callee of a call; classify_call: what the callee returns
    return lines(CLIP_HEAD, "grads = ops.clip_by_value(f" + "()" * depth + ", 0.1)", SHALLOW_TMS103)


# A bound TMS106 judges by its constant value: min >= max.
BOUND_HEAD = ["from mindspore import ops", "loss, grads = grad_fn(data)"]
SHALLOW_TMS106 = "grads = ops.clip_by_value(grads, 0.2, 0.1)  # expect: TMS106"


def unary_chain(depth):  # constant: the operand of a unary operator
    return lines(BOUND_HEAD, "grads = ops.clip_by_value(grads, " + "-" * (2 * depth) + "0.2, 0.1)", SHALLOW_TMS106)


def left_binary_chain(depth):  # constant: the left operand (and classify: arithmetic on gradients)
    return lines(BOUND_HEAD, "deep = ops.clip_by_value(grads, 0.2" + " * 1" * depth + ", 0.1)",
                 "deep = ops.clip_by_value(grads" + " * 1" * depth + ", 0.1)  # deep",
                 "grads = ops.clip_by_value(grads * 1 * 1, 0.1)  # expect: TMS103", SHALLOW_TMS106)


def right_binary_chain(depth):  # constant: the right operand (and classify: arithmetic on gradients)
    return lines(BOUND_HEAD, "deep = ops.clip_by_value(grads, " + nested(depth, "1 * (", "0.2", ")") + ", 0.1)",
                 "deep = ops.clip_by_value(" + nested(depth, "1 * (", "grads", ")") + ", 0.1)  # deep",
                 "grads = ops.clip_by_value(1 * (1 * grads), 0.1)  # expect: TMS103", SHALLOW_TMS106)


def constant_chain(depth):  # constant: a name bound to a name bound to a number
    return lines(BOUND_HEAD, chain("c", "0.2", depth), f"grads = ops.clip_by_value(grads, c_{depth}, 0.1)",
                 "grads = ops.clip_by_value(grads, c_2, 0.1)  # expect: TMS106")


def self_constant_chain(depth):  # constant: self.x bound to self.y bound to a number
    return lines("from mindspore import nn, ops", "class Step(nn.Cell):", "    def __init__(self):",
                 self_chain("c", "0.2", depth), "    def construct(self, grads):",
                 f"        grads = ops.clip_by_value(grads, self.c_{depth}, 0.1)",
                 "        return ops.clip_by_value(grads, self.c_2, 0.1)  # expect: TMS106")


def stable_chain(depth):  # stable_expression: the same unknown bound under two chains of names
    return lines(BOUND_HEAD, "def step(grads, c):", ["    " + line for line in chain("low", "c", depth)],
                 ["    " + line for line in chain("high", "c", depth)],
                 f"    grads = ops.clip_by_value(grads, low_{depth}, high_{depth})",
                 "    return ops.clip_by_value(grads, low_2, high_2)  # expect: TMS106")


DROPOUT_HEAD = ["from mindspore import nn"]
SHALLOW_TMS301 = "shallow = nn.Dropout(0.1)  # expect: TMS301"


def default_chain(depth):  # parameter_default: a default that is a name bound to a name
    return lines(DROPOUT_HEAD, chain("rate", "0.1", depth), f"def deep(p=rate_{depth}):", "    return nn.Dropout(p)",
                 "def shallow(p=rate_2):", "    return nn.Dropout(p)  # expect: TMS301")


def default_of_default_chain(depth):  # constant, value_expression: a parameter whose default is a parameter
    def lambdas(name, first, call):
        return "".join(f"lambda {name}_{i}={name}_{i - 1}: " if i else f"lambda {name}_0={first}: "
                       for i in range(depth)) + f"{call}({name}_{depth - 1})"

    return lines(["import torch  # a torch habit, for TMS303"], DROPOUT_HEAD,
                 "layer = " + lambdas("p", "0.1", "nn.Dropout") + "  # deep",
                 "pool = " + lambdas("k", "(3, 3)", "nn.MaxPool2d") + "  # deep",
                 "pool = lambda k_0=(3, 3): lambda k_1=k_0: nn.MaxPool2d(k_1)  # expect: TMS303",
                 SHALLOW_TMS301)


# A torch habit: TMS303 reports a pool that no shape decides only in a file that shows one.
POOL_HEAD = ["import torch", "from mindspore import nn"]


def kernel_chain(depth):  # value_expression: a tuple bound to a name bound to a name
    return lines(POOL_HEAD, chain("k", "(3, 3)", depth), f"deep = nn.MaxPool2d(k_{depth})",
                 "shallow = nn.MaxPool2d(k_2)  # expect: TMS303")


def self_kernel_chain(depth):  # value_expression: self.x bound to self.y bound to a tuple
    return lines(POOL_HEAD, "class Stem(nn.Cell):", "    def __init__(self):", self_chain("k", "(3, 3)", depth),
                 f"        self.deep = nn.MaxPool2d(self.k_{depth})",
                 "        self.shallow = nn.MaxPool2d(self.k_2)  # expect: TMS303")


# ---- the clipping family

def gradient_chain(depth):  # classify: a name bound to a name bound to the gradients
    return lines(CLIP_HEAD, chain("g", "grads", depth), f"x = ops.clip_by_value(g_{depth}, 0.1)",
                 "x = ops.clip_by_value(g_2, 0.1)  # expect: TMS103")


def self_gradient_chain(depth):  # classify: self.x bound to self.y bound to parameters
    return lines("from mindspore import nn, ops", "class Step(nn.Cell):", "    def __init__(self, net):",
                 self_chain("w", "net.trainable_params()", depth), "    def construct(self):",
                 f"        self.out = ops.clip_by_value(self.w_{depth}, -0.1, 0.1)  # deep",
                 "        return ops.clip_by_value(self.w_2, -0.1, 0.1)  # expect: TMS101")


def item_chain(depth):  # classify: an item of an item of parameters
    return lines(CLIP_HEAD, "w = net.trainable_params()", "x = ops.clip_by_value(w" + "[:]" * depth + ", -0.1, 0.1)",
                 "x = ops.clip_by_value(w[:][:], -0.1, 0.1)  # expect: TMS101")


def tuple_chain(depth):  # classify: a tuple of a tuple of the gradients
    return lines(CLIP_HEAD, "x = ops.clip_by_value(" + nested(depth, "(", "grads", ",)") + ", 0.1)",
                 "x = ops.clip_by_value(((grads,),), 0.1)  # expect: TMS103")


def loop_chain(depth, iterable="{}", target="g_{}"):  # classify_binding, iterated_element: an element of an element
    body = ["from mindspore import ops", "def step(grads):", "    g_0 = grads"]
    body += [f"    for {target.format(i)} in {iterable.format(f'g_{i - 1}')}: pass" for i in range(1, depth + 1)]
    return lines(body, f"    optimizer(ops.clip_by_value(g_{depth}, 0.1))  # deep",
                 "    optimizer(ops.clip_by_value(g_2, 0.1))  # expect: TMS103")


def enumerate_chain(depth):
    return loop_chain(depth, "enumerate({})", "_, g_{}")


def zip_chain(depth):
    return loop_chain(depth, "zip({}, data)", "g_{}, _")


def clip_of_clip_chain(depth):  # classify_call: clipping keeps what the value was
    return lines(CLIP_HEAD, "c = ops.clip_by_value",
                 "x = ops.clip_by_value(" + nested(depth, "c(", "grads", ", -1, 1)") + ", 0.1)",
                 "x = ops.clip_by_value(c(c(grads, -1, 1), -1, 1), 0.1)  # expect: TMS103")


def tuple_call_chain(depth):  # classify_call: tuple(list(...)) keeps what the value was
    return lines(CLIP_HEAD, "x = ops.clip_by_value(" + nested(depth, "tuple(", "grads", ")") + ", 0.1)",
                 "x = ops.clip_by_value(tuple(list(grads)), 0.1)  # expect: TMS103")


def math_call_chain(depth):  # classify_call: a math function of data is data
    # Data named like gradients (an image gradient) gives no finding when it is provably data.
    return lines(CLIP_HEAD, "deep_grad = " + nested(depth, "ops.sqrt(", "x * x", ")"),
                 "deep_grad = ops.clip_by_value(deep_grad, 0.1)  # deep",
                 "image_grad = ops.sqrt(ops.sqrt(x * x))", "image_grad = ops.clip_by_value(image_grad, 0.1)",
                 SHALLOW_TMS103)


def helper_chain(depth):  # mapped_parameter, classify: a helper mapped over a helper's parameter
    body = ["from mindspore import ops", "def helper_0(g):", "    return ops.clip_by_value(g, 0.1)  # expect: TMS103",
            "def other_0(g):", "    return ops.clip_by_value(g, 0.1)  # deep"]
    for name, length in (("helper", 2), ("other", depth)):
        body += [f"def {name}_{i}(g):\n    return tuple(map({name}_{i - 1}, g))" for i in range(1, length + 1)]
    return lines(body, "loss, grads = grad_fn(data)", f"grads = tuple(map(other_{depth}, grads))",
                 "grads = tuple(map(helper_2, grads))")


def helper_constant_chain(depth):  # mapped_parameter, _mapped_constant: a bound a partial passes on
    body = ["from functools import partial", "from mindspore import ops",
            "def helper_0(low, g):", "    return ops.clip_by_value(g, low, 0.1)  # expect: TMS106",
            "def other_0(low, g):", "    return ops.clip_by_value(g, low, 0.1)  # deep"]
    for name, length in (("helper", 2), ("other", depth)):
        body += [f"def {name}_{i}(low, g):\n    return tuple(map(partial({name}_{i - 1}, low), g))"
                 for i in range(1, length + 1)]
    return lines(body, "loss, grads = grad_fn(data)", f"grads = tuple(map(partial(other_{depth}, 0.2), grads))",
                 "grads = tuple(map(partial(helper_2, 0.2), grads))")


def mirrored_chain(depth):  # mirrors: one negated subexpression, deep inside the same expression
    # Told apart from an unknown range only by a user's rule (`bounds: mirrored`, TMS998).
    return lines(BOUND_HEAD, "def mirrored_step(grads, c):",
                 "    grads = ops.clip_by_value(grads, " + nested(depth, "f(", "-c", ")") + ", "
                 + nested(depth, "f(", "c", ")") + ")  # deep",
                 "    grads = ops.clip_by_value(grads, f(f(-c)), f(g(c)))",
                 "    return ops.clip_by_value(grads, f(f(-c)), f(f(c)))  # expect: TMS998")


# TMS102's smoke-test exemption: in a test, a clip of a tensor built from literals alone drops its
# result on purpose (silent); a clip of anything else next to it is still reported.
LITERAL_HEAD = ["import numpy as np", "from mindspore import Tensor, ops"]
SHALLOW_TMS102 = "    ops.clip_by_value(x, -1.0, 1.0)  # expect: TMS102"


def literal_name_chain(depth):  # _literal_built: a name bound to a name bound to a literal tensor
    return lines(LITERAL_HEAD, chain("t", "Tensor(np.array([[1.0, 2.0]]))", depth), "def test_clip(x):",
                 f"    ops.clip_by_value(t_{depth}, -1.0, 1.0)  # deep",
                 "    ops.clip_by_value(t_2, -1.0, 1.0)", SHALLOW_TMS102)


def literal_list_chain(depth):  # _literal_built: a list of a list of literals
    return lines(LITERAL_HEAD, "def test_clip(x):",
                 "    ops.clip_by_value(Tensor(np.array(" + nested(depth, "[", "1.0", "]") + ")), -1.0, 1.0)  # deep",
                 "    ops.clip_by_value(Tensor(np.array([[1.0]])), -1.0, 1.0)", SHALLOW_TMS102)


def literal_method_chain(depth):  # _literal_built: a method of a method of a literal array (the receiver)
    return lines(LITERAL_HEAD, "def test_clip(x):",
                 "    ops.clip_by_value(Tensor(np.ones(3)" + ".astype(np.float32)" * depth + "), -1.0, 1.0)  # deep",
                 "    ops.clip_by_value(Tensor(np.ones(3).astype(np.float32).astype(np.float32)), -1.0, 1.0)",
                 SHALLOW_TMS102)


def literal_argument_chain(depth):  # _literal_built: a call of literals as an argument of a call
    return lines(LITERAL_HEAD, "def test_clip(x):",
                 "    ops.clip_by_value(" + nested(depth, "Tensor(", "1.0", ")") + ", -1.0, 1.0)  # deep",
                 "    ops.clip_by_value(Tensor(Tensor(1.0)), -1.0, 1.0)", SHALLOW_TMS102)


TORCH_HEAD = ["import mindspore", "import torch"]


def torch_name_chain(depth):  # from_torch: a name bound to a name bound to a torch module
    return lines(TORCH_HEAD, chain("m", "torch.nn.Linear(2, 2)", depth), chain("n", "net", depth),
                 f"torch.nn.utils.clip_grad_norm_(m_{depth}.parameters(), 1.0)  # deep",
                 f"torch.nn.utils.clip_grad_norm_(n_{depth}.parameters(), 1.0)  # deep",
                 "torch.nn.utils.clip_grad_norm_(m_2.parameters(), 1.0)",
                 "torch.nn.utils.clip_grad_norm_(n_2.parameters(), 1.0)  # expect: TMS201")


def torch_self_chain(depth):  # from_torch: self.x bound to self.y (and to itself)
    return lines(TORCH_HEAD, "class Trainer:", "    def __init__(self, net):", self_chain("m", "net", depth),
                 "        self.model = self.model", "    def step(self):",
                 f"        torch.nn.utils.clip_grad_norm_(self.m_{depth}.parameters(), 1.0)  # expect: TMS201",
                 "        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)  # expect: TMS201",
                 "        torch.nn.utils.clip_grad_norm_(self.m_2.parameters(), 1.0)  # expect: TMS201")


def torch_attribute_chain(depth):  # from_torch: the object of an attribute, an item, list(...)
    return lines(TORCH_HEAD, "net = torch.nn.Linear(2, 2)",
                 "torch.nn.utils.clip_grad_norm_(other" + ".a" * depth + ", 1.0)  # expect: TMS201",
                 "torch.nn.utils.clip_grad_norm_(other" + "[0]" * depth + ", 1.0)  # expect: TMS201",
                 "torch.nn.utils.clip_grad_norm_(" + nested(depth, "list(", "other", ")") + ", 1.0)  # expect: TMS201",
                 "torch.nn.utils.clip_grad_norm_(other" + ".a()" * depth + ", 1.0)  # expect: TMS201",
                 "torch.nn.utils.clip_grad_norm_(net.a.b[0], 1.0)",
                 "torch.nn.utils.clip_grad_norm_(list(list(net.parameters())), 1.0)",
                 "torch.nn.utils.clip_grad_norm_(net.a().b(), 1.0)")


# ---- the divergence family

REDUCTION_HEAD = ["from mindspore import ops", "x_0 = ops.softmax(logits)"]
SHALLOW_TMS304 = "best = x_0.max(axis=1)[0]  # expect: TMS304"


def tensor_name_chain(depth):  # origin: a name bound to a name bound to a tensor
    return lines(REDUCTION_HEAD, chain("x", "ops.softmax(logits)", depth)[1:], f"deep = x_{depth}.max(axis=1)[0]",
                 "best = x_2.max(axis=1)[0]  # expect: TMS304")


def tensor_binary_chain(depth):  # origin: arithmetic on a tensor
    return lines(REDUCTION_HEAD, "deep = (x_0" + " * 2" * depth + ").max(axis=1)[0]",
                 "best = (x_0 * 2 * 2).max(axis=1)[0]  # expect: TMS304")


def tensor_item_chain(depth):  # origin: an item of an item of a tensor
    return lines(REDUCTION_HEAD, "deep = x_0" + "[0]" * depth + ".max(axis=1)[0]",
                 "best = x_0[0][0].max(axis=1)[0]  # expect: TMS304")


def tensor_method_chain(depth):  # origin: a method of a method of a tensor
    return lines(REDUCTION_HEAD, "deep = x_0" + ".reshape(-1)" * depth + ".max(axis=1)[0]",
                 "best = x_0.reshape(-1).reshape(-1).max(axis=1)[0]  # expect: TMS304")


def tensor_self_chain(depth):  # origin: self.x bound to self.y bound to a tensor
    return lines("from mindspore import nn, ops", "class Head(nn.Cell):", "    def __init__(self):",
                 self_chain("x", "ops.ones((2, 2))", depth), "    def construct(self):",
                 f"        deep = self.x_{depth}.max(axis=1)[0]",
                 "        return self.x_2.max(axis=1)[0]  # expect: TMS304")


def tensor_self_item_chain(depth):  # origin: self.x bound to an item of self.y bound to a tensor
    return lines("from mindspore import nn, ops", "class Head(nn.Cell):", "    def __init__(self):",
                 "        self.x_0 = ops.ones((2, 2))",
                 [f"        self.x_{i} = self.x_{i - 1}[0]" for i in range(1, depth + 1)], "    def construct(self):",
                 f"        deep = self.x_{depth}.max(axis=1)[0]  # deep",
                 "        return self.x_2.max(axis=1)[0]  # expect: TMS304")


def tensor_item_name_chain(depth):  # origin, _binding_origin: the issue's `a_i = a_{i-1}[0]`
    return lines(REDUCTION_HEAD, chain("x", "ops.softmax(logits)", depth, "{}[0]")[1:],
                 f"deep = x_{depth}.max(axis=1)[0]", "best = x_2.max(axis=1)[0]  # expect: TMS304")


# TMS303's shape evidence: a pool whose kernel is the whole map reaching it (64 channels reach the
# Dense) stays silent even in a file with a torch habit, which reports the pool nothing decides.
LAYERS_HEAD = ["import torch", "from mindspore import nn"]
SHALLOW_TMS303 = "undecided = nn.MaxPool2d(2)  # expect: TMS303"


def container_chain_nesting(depth):  # container_chain, layers_of, _layers_of: a SequentialCell of a SequentialCell
    return lines(LAYERS_HEAD,
                 "deep = nn.SequentialCell([nn.AvgPool2d(kernel_size=5), "
                 + nested(depth, "nn.SequentialCell(", "nn.ReLU()", ")") + ", nn.Flatten(), nn.Dense(64, 10)])  # deep",
                 "head = nn.SequentialCell([nn.Conv2d(3, 64, 3, pad_mode=\"valid\"), "
                 "nn.SequentialCell(nn.ReLU(), nn.SequentialCell(nn.AvgPool2d(kernel_size=5))), nn.Flatten(), "
                 "nn.Dense(64, 10)])", SHALLOW_TMS303)


def construct_container_chain(depth):  # layers_of, _layers_of: a construct applying a SequentialCell of ...
    def head(name, cells):
        return [f"class {name}(nn.Cell):", "    def __init__(self):", "        super().__init__()",
                "        self.conv = nn.Conv2d(3, 64, 3, pad_mode=\"valid\")",
                "        self.pool = nn.AvgPool2d(kernel_size=5)" + ("  # deep" if cells > 3 else ""),
                "        self.flat = nn.Flatten()",
                "        self.fc = " + nested(cells, "nn.SequentialCell(", "nn.Dense(64, 10)", ")"),
                "    def construct(self, x):", "        x = self.conv(x)", "        x = self.pool(x)",
                "        x = self.flat(x)", "        return self.fc(x)"]

    return lines(LAYERS_HEAD, head("Deep", depth), head("Head", 2), SHALLOW_TMS303)


# TMS301's fix through a value other code shares (a parameter) is unsafe: a rate guarded as one
# (`if r > 0`) is reported whatever its value, and its fix carries the hazard shared_source finds.
def shared_name_chain(depth):  # shared_source: a name bound to a name bound to a parameter
    return lines(DROPOUT_HEAD, "def build(p):", ["    " + line for line in chain("r", "p", depth)],
                 f"    if r_{depth} > 0:", f"        deep = nn.Dropout(r_{depth})  # deep",
                 "    if r_2 > 0:", "        return nn.Dropout(r_2)  # expect: TMS301 (unsafe fix)")


def shared_call_chain(depth):  # shared_source: a name bound to a call of a call of a parameter
    return lines(DROPOUT_HEAD, "def build(p):", "    deep_rate = " + nested(depth, "f(", "p", ")"),
                 "    if deep_rate > 0:", "        deep = nn.Dropout(deep_rate)  # deep", "    rate = f(f(p))",
                 "    if rate > 0:", "        return nn.Dropout(rate)  # expect: TMS301 (unsafe fix)")


# ---- the engine

def util_chain(depth):  # _inline: a user's rule whose utils refer to each other (TMS999)
    return lines(CLIP_HEAD, "grads = ops.clip_by_value(marked(grads), 0.1)  # expect: TMS999", SHALLOW_TMS103)


def user_rules(depth: int) -> list[dict]:
    """TMS998 tells a mirrored range from an unknown one (in ``mirrored_step`` only); TMS999 is
    a clip call of ``marked(...)`` reached through ``depth`` utils, each matching the next."""
    utils = {"util-0": {"kind": "call", "regex": r"^ops\.clip_by_value\(marked\("}}
    utils.update({f"util-{i}": {"matches": f"util-{i - 1}"} for i in range(1, depth + 1)})
    return [{"id": "bounds-mirrored", "code": "TMS998", "message": "mirrored",
             "rule": {"matches": "clip-call", "inside": {"kind": "function_definition", "regex": "^def mirrored_step",
                                                         "stopBy": "end"}},
             "conditions": {"callee": "clip-function", "bounds": "mirrored"}},
            {"id": "deep-utils", "code": "TMS999", "message": "a clip call", "utils": utils,
             "rule": {"matches": f"util-{depth}"}}]


# (helper, construct) -> generator. Several constructs drive the same helper through its several
# recursive calls; a construct may drive several helpers (the helpers it recurses through).
ROWS = [
    ("semantics.model.SemanticModel.qualified_name", alias_chain),
    ("semantics.model.SemanticModel.qualified_name", self_alias_chain),
    ("semantics.model.SemanticModel.qualified_name", attribute_chain),
    ("semantics.model.SemanticModel.qualified_name", call_chain),
    # qualified_name memoises each node's answer; _qualified_name computes it, one kind per branch.
    ("semantics.model.SemanticModel._qualified_name", alias_chain),
    ("semantics.model.SemanticModel._qualified_name", self_alias_chain),
    ("semantics.model.SemanticModel._qualified_name", attribute_chain),
    ("semantics.model.SemanticModel._qualified_name", call_chain),
    # Not recursive themselves: every memoised walk goes through them with its depth.
    ("semantics.model.SemanticModel.beyond_limit", alias_chain),
    ("semantics.model.SemanticModel.memo", tensor_name_chain),
    ("semantics.model.SemanticModel._memo", constant_chain),
    ("semantics.model.SemanticModel.constant", unary_chain),
    ("semantics.model.SemanticModel.constant", left_binary_chain),
    ("semantics.model.SemanticModel.constant", right_binary_chain),
    ("semantics.model.SemanticModel.constant", self_constant_chain),
    ("semantics.model.SemanticModel._binding_constant", constant_chain),
    ("semantics.model.SemanticModel._binding_constant", default_of_default_chain),
    ("semantics.model.SemanticModel.stable_expression", stable_chain),
    ("semantics.model.SemanticModel.parameter_default", default_chain),
    ("semantics.model.SemanticModel.value_expression", self_kernel_chain),
    ("semantics.model.SemanticModel._binding_expression", kernel_chain),
    ("semantics.model.SemanticModel._binding_expression", default_of_default_chain),
    ("families.clipping.dataflow.ClippingAnalysis.classify", self_gradient_chain),
    ("families.clipping.dataflow.ClippingAnalysis.classify", item_chain),
    ("families.clipping.dataflow.ClippingAnalysis.classify", tuple_chain),
    ("families.clipping.dataflow.ClippingAnalysis.classify", left_binary_chain),
    ("families.clipping.dataflow.ClippingAnalysis.classify", right_binary_chain),
    ("families.clipping.dataflow.ClippingAnalysis.classify_binding", gradient_chain),
    ("families.clipping.dataflow.ClippingAnalysis.classify_binding", loop_chain),
    ("families.clipping.dataflow.ClippingAnalysis.iterated_element", loop_chain),
    ("families.clipping.dataflow.ClippingAnalysis.iterated_element", enumerate_chain),
    ("families.clipping.dataflow.ClippingAnalysis.iterated_element", zip_chain),
    ("families.clipping.dataflow.ClippingAnalysis.classify_call", clip_of_clip_chain),
    ("families.clipping.dataflow.ClippingAnalysis.classify_call", tuple_call_chain),
    ("families.clipping.dataflow.ClippingAnalysis.classify_call", math_call_chain),
    ("families.clipping.dataflow.ClippingAnalysis.classify_call", call_chain),
    ("families.clipping.dataflow.ClippingAnalysis.mapped_parameter", helper_chain),
    ("families.clipping.dataflow.ClippingAnalysis.mapped_parameter", helper_constant_chain),
    ("families.clipping.dataflow.ClippingAnalysis._mapped_parameter", helper_chain),
    ("families.clipping.dataflow.ClippingAnalysis._mapped_parameter", helper_constant_chain),
    ("families.clipping.dataflow.ClippingAnalysis._mapped_constant", helper_constant_chain),
    ("families.clipping.dataflow.ClippingAnalysis.from_torch", torch_name_chain),
    ("families.clipping.dataflow.ClippingAnalysis.from_torch", torch_self_chain),
    ("families.clipping.dataflow.ClippingAnalysis.from_torch", torch_attribute_chain),
    ("families.clipping.views.mirrors", mirrored_chain),
    ("families.clipping.views.ClipCall._literal_built", literal_name_chain),
    ("families.clipping.views.ClipCall._literal_built", literal_list_chain),
    ("families.clipping.views.ClipCall._literal_built", literal_method_chain),
    ("families.clipping.views.ClipCall._literal_built", literal_argument_chain),
    ("families.divergence.analysis.DivergenceAnalysis.origin", tensor_item_chain),
    ("families.divergence.analysis.DivergenceAnalysis.origin", tensor_self_chain),
    ("families.divergence.analysis.DivergenceAnalysis._origin", tensor_self_item_chain),
    ("families.divergence.analysis.DivergenceAnalysis._origin", tensor_binary_chain),
    ("families.divergence.analysis.DivergenceAnalysis._binding_origin", tensor_name_chain),
    ("families.divergence.analysis.DivergenceAnalysis._binding_origin", tensor_item_name_chain),
    ("families.divergence.analysis.DivergenceAnalysis._call_origin", tensor_method_chain),
    ("families.divergence.layers.ShapeEvidence.container_chain", container_chain_nesting),
    ("families.divergence.layers.ShapeEvidence.layers_of", container_chain_nesting),
    ("families.divergence.layers.ShapeEvidence.layers_of", construct_container_chain),
    ("families.divergence.layers.ShapeEvidence._layers_of", container_chain_nesting),
    ("families.divergence.layers.ShapeEvidence._layers_of", construct_container_chain),
    ("semantics.model.SemanticModel.shared_source", shared_name_chain),
    ("semantics.model.SemanticModel.shared_source", shared_call_chain),
    ("engine._inline", util_chain),
]


def row_id(row) -> str:
    return f"{row[0].rsplit('.', 1)[-1]}-{row[1].__name__}"


@pytest.fixture(scope="module")
def deep_engine(tmp_path_factory):
    """The default rules and the two user rules, the utils chain ``DEEP`` long."""
    return engine_with_rules(tmp_path_factory.mktemp("deep-utils"), user_rules(DEEP))


@pytest.fixture(scope="module")
def shallow_engine(tmp_path_factory):
    return engine_with_rules(tmp_path_factory.mktemp("shallow-utils"), user_rules(3))


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_a_construct_nested_thousands_deep_keeps_the_shallow_finding(deep_engine, row):
    helper, generate = row
    source = generate(DEEP)
    findings = deep_engine.check(source)
    assert [finding.message for finding in findings if finding.code == "TMS000"] == []
    deep = deep_lines(source)
    assert sorted((finding.line, finding.code) for finding in findings if finding.line not in deep) == expected(source)
    assert_fix_hazards(findings, source)


@pytest.mark.parametrize("row", ROWS, ids=row_id)
def test_the_deep_instance_resolves_at_a_shallow_depth(shallow_engine, row):
    """Three levels deep, the deep instance gives what the shallow one gives (or, where the
    shallow one is the case the analysis proves, at least what the shallow one gives): the
    generator builds what it says it builds."""
    helper, generate = row
    source = generate(3)
    findings = shallow_engine.check(source)
    found = {(finding.line, finding.code) for finding in findings}
    assert set(expected(source)) <= found
    assert_fix_hazards(findings, source)
    deep_codes = {code for line, code in found if line in deep_lines(source)}
    assert deep_codes <= {code for _, code in expected(source)}


def recursive_helpers() -> set[str]:
    """Every function of linter/ with a ``depth`` parameter, as module.Class.function."""
    found = set()
    for path in sorted((ROOT / "linter").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT / "linter").with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for owner in [tree] + [node for node in tree.body if isinstance(node, ast.ClassDef)]:
            prefix = module if owner is tree else f"{module}.{owner.name}"
            for function in owner.body:
                if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                        argument.arg == "depth" for argument in function.args.args + function.args.kwonlyargs):
                    found.add(f"{prefix}.{function.name}")
    return found


def test_every_recursive_helper_has_a_row():
    helpers = recursive_helpers()
    assert len(helpers) >= 10  # the scan finds them
    missing = helpers - {helper for helper, _ in ROWS}
    assert not missing, f"recursive helpers without a generated deep input in ROWS: {sorted(missing)}"
    stale = {helper for helper, _ in ROWS} - helpers
    assert not stale, f"ROWS names helpers that no longer exist or lost their depth parameter: {sorted(stale)}"


def test_expected_findings_are_read_from_the_generated_file():
    assert expected("a = 1\nb = 2  # expect: TMS103 TMS999\nc = 3\n") == [(2, "TMS103"), (2, "TMS999")]
    assert expected("x = 1\n") == []
    marked = "a = 1  # expect: TMS301 (unsafe fix)\nb = 2  # expect: TMS301\nc = 3  # (unsafe fix)\n"
    assert unsafe_fix_lines(marked) == {1}


# ---- where each walk gives up
#
# Deep input must never crash (above); short input must resolve. Between them, each walk gives up
# at a depth of its own, which is the analysis's choice: pinned here so that moving it is a
# decision someone makes, not a side effect (a guard that grows by 0 or 2 instead of 1, a limit
# written `>=` for `>`). Most count MAX_EXPRESSION_DEPTH (50) steps; a construct that costs two
# steps a level (a helper mapped over a helper's parameter: its call and its parameter; the
# `a_i = a_{i-1}[0]` chain: a name and an item) gives up at half; stable_expression follows at most
# four names. A row's entry is the last depth at which the deep instance still gives what it gives
# three levels deep; one level more, it gives what it gives far beyond. Rows whose walk resolves at
# every depth this table tries (loops, containers, shared sources: their guards only stop
# recursion on input no one writes) are listed as None: 120 levels deep they still resolve.
LAST_RESOLVED_DEPTH = {
    alias_chain: 48, self_alias_chain: 48, unary_chain: 25, left_binary_chain: 50, right_binary_chain: 50,
    constant_chain: 49, self_constant_chain: 49, default_of_default_chain: 50, stable_chain: 4, default_chain: 47,
    kernel_chain: 49, self_kernel_chain: 49, gradient_chain: 49, self_gradient_chain: 49, item_chain: 49,
    tuple_chain: 50, clip_of_clip_chain: 50, tuple_call_chain: 50, math_call_chain: 49, helper_chain: 24,
    helper_constant_chain: 24, mirrored_chain: 25, literal_name_chain: 43, literal_list_chain: 46,
    literal_method_chain: 46, literal_argument_chain: 25, tensor_name_chain: 49, tensor_binary_chain: 49,
    tensor_item_chain: 49, tensor_method_chain: 49, tensor_self_chain: 49, tensor_self_item_chain: 24,
    tensor_item_name_chain: 24, construct_container_chain: 4,
    loop_chain: None, enumerate_chain: None, zip_chain: None, torch_name_chain: None,
    container_chain_nesting: None, shared_name_chain: None, shared_call_chain: None,
}
# Rows whose deep instance gives nothing at any depth (the construct is there to crash a guard,
# not to be resolved), and the engine's utils chain, whose depth is the engine's, not the file's.
NEVER_RESOLVED = {attribute_chain, call_chain, torch_self_chain, torch_attribute_chain, util_chain}


def deep_instance_codes(engine, generate, depth: int) -> set[str]:
    """The codes found on the lines that carry no ``# expect``: the deep instance's verdict."""
    source = generate(depth)
    marked = {number for number, _ in expected(source)}
    return {finding.code for finding in engine.check(source) if finding.line not in marked}


@pytest.mark.parametrize("generate", sorted(LAST_RESOLVED_DEPTH, key=lambda f: f.__name__), ids=lambda f: f.__name__)
def test_where_each_walk_gives_up_is_pinned(shallow_engine, generate):
    last = LAST_RESOLVED_DEPTH[generate]
    shallow = deep_instance_codes(shallow_engine, generate, 3)
    if last is None:
        assert deep_instance_codes(shallow_engine, generate, 120) == shallow
        return
    beyond = deep_instance_codes(shallow_engine, generate, last + 5)
    assert shallow != beyond, "the deep instance is the same resolved or not: the row tells nothing"
    assert deep_instance_codes(shallow_engine, generate, last) == shallow
    assert deep_instance_codes(shallow_engine, generate, last + 1) == beyond


def test_every_row_says_where_its_walk_gives_up():
    generators = {generate for _, generate in ROWS}
    assert generators == set(LAST_RESOLVED_DEPTH) | NEVER_RESOLVED
    assert not set(LAST_RESOLVED_DEPTH) & NEVER_RESOLVED


# ---- a result cut short by the limit is not the answer for a shallower read
#
# Each memoised walk (SemanticModel.memo) keeps what it found for a node. A node met 40 levels
# down a 60-long chain is past the limit there, but the same node read directly is 20 levels from
# the chain's start and resolves: the read that comes second (in the file, so in the check) must
# not get the first one's cut-short answer.
LONG, MIDDLE = 70, 30


def memo_alias(long, middle):  # qualified_name's ("name", node)
    return lines(CLIP_HEAD, chain("clip", "ops.clip_by_value", long), f"grads = clip_{long}(grads, 0.1)",
                 f"grads = clip_{middle}(grads, 0.1)  # expect: TMS103")


def memo_constant(long, middle):  # constant's ("constant", node, ...)
    return lines(BOUND_HEAD, chain("c", "0.2", long), f"grads = ops.clip_by_value(grads, c_{long}, 0.1)",
                 f"grads = ops.clip_by_value(grads, c_{middle}, 0.1)  # expect: TMS106")


def memo_expression(long, middle):  # value_expression's ("expression", node, ...)
    return lines(POOL_HEAD, chain("k", "(3, 3)", long), f"deep = nn.MaxPool2d(k_{long})",
                 f"shallow = nn.MaxPool2d(k_{middle})  # expect: TMS303")


def memo_origin(long, middle):  # DivergenceAnalysis.origin
    return lines(REDUCTION_HEAD, chain("x", "ops.softmax(logits)", long)[1:], f"deep = x_{long}.max(axis=1)[0]",
                 f"best = x_{middle}.max(axis=1)[0]  # expect: TMS304")


def memo_mapped(long, middle):  # ClippingAnalysis.mapped_parameter: two steps a level, so half as deep
    long, middle = long // 2, middle // 2
    body = ["from mindspore import ops", "def helper_0(g):", "    return ops.clip_by_value(g, 0.1)  # expect: TMS103"]
    body += [f"def helper_{i}(g):\n    return tuple(map(helper_{i - 1}, g))" for i in range(1, long + 1)]
    return lines(body, "def step(grads):", f"    a = tuple(map(helper_{long}, grads))",
                 "    loss, grads = grad_fn(data)", f"    return tuple(map(helper_{middle}, grads))")


MEMO_ROWS = [
    ("semantics.model.SemanticModel.qualified_name", memo_alias),
    ("semantics.model.SemanticModel.constant", memo_constant),
    ("semantics.model.SemanticModel.value_expression", memo_expression),
    ("families.divergence.analysis.DivergenceAnalysis.origin", memo_origin),
    ("families.clipping.dataflow.ClippingAnalysis.mapped_parameter", memo_mapped),
]


@pytest.mark.parametrize("row", MEMO_ROWS, ids=row_id)
def test_a_read_after_a_deeper_one_through_the_same_chain_still_resolves(shallow_engine, row):
    helper, generate = row
    source = generate(LONG, MIDDLE)
    findings = shallow_engine.check(source)
    # The read of the chain's end (LONG) gives nothing: past the limit; the read of its middle resolves.
    assert sorted((finding.line, finding.code) for finding in findings) == expected(source)


def memoising_helpers() -> set[str]:
    """Every function of linter/ that stores its results through SemanticModel.memo or _memo."""
    found = set()
    for path in sorted((ROOT / "linter").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT / "linter").with_suffix("").parts)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for owner in [node for node in tree.body if isinstance(node, ast.ClassDef)]:
            for function in owner.body:
                if not isinstance(function, ast.FunctionDef) or function.name in ("memo", "_memo"):
                    continue
                calls = {node.func.attr for node in ast.walk(function)
                         if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
                if calls & {"memo", "_memo"}:
                    found.add(f"{module}.{owner.name}.{function.name}")
    return found


def test_every_memoising_helper_has_a_row():
    helpers = memoising_helpers()
    assert len(helpers) >= 4  # the scan finds them
    assert helpers == {helper for helper, _ in MEMO_ROWS}
