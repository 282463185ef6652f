"""The semantic model on small snippets, apart from any rule: what a name resolves to, which
bindings reach a read, which constant an expression holds, what a class inherits."""

import textwrap

import pytest
from ast_grep_py import SgRoot

from flake8_torch2ms.semantics.model import SemanticModel

KNOWN = {"torch.nn.utils.clip_grad_norm_", "mindspore.nn.Dropout"}


def model_of(source: str, path: str | None = None) -> tuple[SemanticModel, object]:
    root = SgRoot(textwrap.dedent(source), "python").root()
    return SemanticModel(root, path, known=KNOWN.__contains__), root


def last_read(root, name: str):
    """The last identifier ``name`` in the file (the read the test asks about)."""
    return [node for node in root.find_all(kind="identifier") if node.text() == name][-1]


def last_call(root):
    return root.find_all(kind="call")[-1]


@pytest.mark.parametrize("source, expected", [
    ("from mindspore import ops\nops.clip_by_value(g)\n", "mindspore.ops.clip_by_value"),
    ("import mindspore.ops as P\nP.clip_by_value(g)\n", "mindspore.ops.clip_by_value"),
    ("from mindspore.ops import clip_by_value as cbv\ncbv(g)\n", "mindspore.ops.clip_by_value"),
    ("from mindspore import ops\nf = ops.clip_by_value\ng2 = f\ng2(g)\n", "mindspore.ops.clip_by_value"),
    ("import mindspore\nmindspore.ops.clip_by_value(g)\n", "mindspore.ops.clip_by_value"),
    # A star import resolves a name only to one the families know.
    ("from torch.nn.utils import *\nclip_grad_norm_(p, 1.0)\n", "torch.nn.utils.clip_grad_norm_"),
    ("from torch.nn.utils import *\nsomething_else(p)\n", None),
    # An instance: the name of what was called, with ().
    ("from mindspore import nn\nclip = nn.ClipByNorm()\nclip(g)\n", "mindspore.nn.ClipByNorm()"),
    # Unknown: a builtin, a parameter.
    ("len(g)\n", None),
    ("def f(fn):\n    fn(g)\n", None),
])
def test_qualified_name_of_the_callee(source, expected):
    model, root = model_of(source)
    assert model.qualified_name(last_call(root).field("function")) == expected


def test_imports_inside_a_function_are_local_to_it():
    model, root = model_of("""\
        def uses_ops():
            from mindspore import ops
            return ops.clip_by_value(g)

        def other():
            return ops.clip_by_value(g)
        """)
    first, second = root.find_all(kind="call")
    assert model.qualified_name(first.field("function")) == "mindspore.ops.clip_by_value"
    assert model.qualified_name(second.field("function")) is None


def test_a_function_import_shadows_the_module_import_inside_that_function_only():
    model, root = model_of("""\
        from mindspore import ops

        def uses_numpy():
            import numpy as ops
            return ops.clip(g)

        def other():
            return ops.clip_by_value(g)
        """)
    first, second = root.find_all(kind="call")
    assert model.qualified_name(first.field("function")) == "numpy.clip"
    assert model.qualified_name(second.field("function")) == "mindspore.ops.clip_by_value"


def test_relative_imports_resolve_inside_mindspore_only():
    source = "from ...ops import composite as C\nC.clip_by_value(g)\n"
    model, root = model_of(source, "site-packages/mindspore/nn/optim/thing.py")
    assert model.qualified_name(last_call(root).field("function")) == "mindspore.ops.composite.clip_by_value"
    model, root = model_of(source, "project/nn/optim/thing.py")  # stays relative: names nothing known
    assert model.qualified_name(last_call(root).field("function")) == "...ops.composite.clip_by_value"


def test_a_name_with_different_values_on_different_paths_has_none():
    model, root = model_of("""\
        CLIP = 1.0
        lo = -CLIP
        if relu:
            lo = 0.0
        use(lo)
        """)
    assert model.constant(last_read(root, "lo")) is None
    assert len(model.reaching_bindings(last_read(root, "lo"))) == 2


def test_an_unconditional_rebinding_hides_the_earlier_value():
    model, root = model_of("lo = -1.0\nlo = 0.5\nuse(lo)\n")
    assert model.constant(last_read(root, "lo")) == 0.5
    assert model.only_binding(last_read(root, "lo")) is not None


def test_a_binding_in_the_same_branch_as_the_read_is_the_only_one():
    model, root = model_of("""\
        lo = -1.0
        if relu:
            lo = 0.0
            use(lo)
        """)
    assert model.constant(last_read(root, "lo")) == 0.0


# The read as the last token of its branch, its statement, its loop: the binding before it in the
# same branch is still the only one that reaches it.
BRANCH_ENDINGS = {
    "if": "if flag:\n    lo = 0.0\n    hi = lo",
    "else": "if flag:\n    pass\nelse:\n    lo = 0.0\n    hi = lo",
    "elif": "if flag:\n    pass\nelif other:\n    lo = 0.0\n    hi = lo",
    "for": "for item in items:\n    lo = 0.0\n    hi = lo",
    "while": "while flag:\n    lo = 0.0\n    hi = lo",
    "try": "try:\n    lo = 0.0\n    hi = lo\nexcept E:\n    pass",
    "except": "try:\n    pass\nexcept E:\n    lo = 0.0\n    hi = lo",
    "with": "with ctx:\n    lo = 0.0\n    hi = lo",
    "nested if": "if flag:\n    if other:\n        lo = 0.0\n        hi = lo",
    "one line": "if flag: lo = 0.0; hi = lo",
}


@pytest.mark.parametrize("form", BRANCH_ENDINGS)
def test_a_read_that_ends_its_branch_sees_that_branch_s_binding(form):
    model, root = model_of("lo = -1.0\n" + BRANCH_ENDINGS[form] + "\n")
    assert model.constant(last_read(root, "lo")) == 0.0


def test_equal_values_on_every_path_are_one_value():
    model, root = model_of("""\
        if fast:
            c = 2.0
        else:
            c = 2.0
        use(c)
        """)
    # The else branch and the if branch both bind c; the name may also be unbound (no binding
    # runs on every path), so it has no value.
    assert model.constant(last_read(root, "c")) is None
    model, root = model_of("c = 2.0\nif fast:\n    c = 1.0 + 1.0\nuse(c)\n")
    assert model.constant(last_read(root, "c")) == 2.0


def test_a_later_binding_in_a_loop_reaches_the_next_iteration():
    model, root = model_of("""\
        scale = 1.0
        for step in steps:
            use(scale)
            scale = 0.5
        """)
    read = [node for node in root.find_all(kind="identifier") if node.text() == "scale"][1]
    assert model.constant(read) is None


def test_self_referential_and_cyclic_bindings_have_no_value_and_no_crash():
    model, root = model_of("""\
        x = 1
        for _ in range(3):
            x = x + 1
        use(x)
        """)
    assert model.constant(last_read(root, "x")) is None
    model, root = model_of("""\
        class Step:
            def __init__(self):
                self.clip_by_value = self.clip_by_value
            def run(self, g):
                return self.clip_by_value(g)
        """)
    assert model.qualified_name(last_call(root).field("function")) is None


def test_a_long_alias_chain_resolves_and_stays_cheap():
    lines = ["from mindspore import ops", "f0 = ops.clip_by_value"]
    lines += [f"f{i} = f{i - 1}" for i in range(1, 40)]
    lines.append("f39(g)")
    model, root = model_of("\n".join(lines) + "\n")
    assert model.qualified_name(last_call(root).field("function")) == "mindspore.ops.clip_by_value"


def test_constants_follow_names_arithmetic_and_class_attributes():
    model, root = model_of("""\
        RATE = 0.1
        class Block:
            KEEP = 1 - RATE
            def __init__(self):
                self.p = RATE * 2
            def construct(self):
                use(self.KEEP, self.p, float("inf"))
        """)
    use = next(call for call in root.find_all(kind="call") if call.field("function").text() == "use")
    arguments = use.field("arguments").named_children()
    assert [model.constant(argument) for argument in arguments] == [pytest.approx(0.9), 0.2, float("inf")]


@pytest.mark.parametrize("spelling, expected", [
    ("self.KEEP", 0.9),
    ("cls.KEEP", 0.9),
    ("Block.KEEP", 0.9),  # the class's own name, inside it
    ("Other.KEEP", None),  # another class's attribute of the same name
    ("Other.ONLY", None),
    ("block.KEEP", None),  # an instance of unknown origin
    ("self.MISSING", None),
    ("self.KEEP.real", None),  # three parts: an attribute of the constant
])
def test_a_class_constant_is_read_through_its_own_class_only(spelling, expected):
    model, root = model_of(f"""\
        class Other:
            KEEP = 0.5
            ONLY = 0.3
        class Block:
            KEEP = 0.9
            def construct(self, block):
                use({spelling})
        """)
    use = next(call for call in root.find_all(kind="call") if call.field("function").text() == "use")
    assert model.constant(use.field("arguments").named_children()[0]) == expected


def test_parameter_defaults_are_known_only_when_asked_for():
    model, root = model_of("""\
        def block(dropout=0.1):
            return use(dropout)
        """)
    read = last_read(root, "dropout")
    assert model.constant(read) is None
    assert model.constant(read, lambda binding, depth: model.parameter_default(binding, depth)) == 0.1


def test_self_attributes_come_from_base_classes_in_the_same_module():
    model, root = model_of("""\
        from mindspore import ops
        class Base:
            def __init__(self):
                self.grad_fn = ops.value_and_grad(loss_fn)
        class Child(Base):
            def construct(self, x):
                return self.grad_fn(x)
        """)
    assert model.qualified_name(last_call(root).field("function")) == "mindspore.ops.value_and_grad()"


def test_a_class_owns_the_self_attributes_of_its_methods_and_their_nested_functions_only():
    model, root = model_of("""\
        from mindspore import ops
        class Outer:
            class Inner:
                def __init__(self):
                    self.inner_only = ops.clip_by_value
            def __init__(self):
                self.first = ops.value_and_grad(loss_fn)
                def later():
                    self.second = ops.clip_by_norm
                self.third = 3
            def reset(self):
                self.third = 4
        """)
    outer = model.module_classes["Outer"]
    inner = next(cls for cls in root.find_all(kind="class_definition") if cls.field("name").text() == "Inner")
    attributes = model.class_attributes(outer)
    assert set(attributes) == {"first", "second", "third"}
    assert [(method, value.text()) for method, value in attributes["third"]] == [("__init__", "3"), ("reset", "4")]
    assert model.qualified_name(attributes["second"][0][1]) == "mindspore.ops.clip_by_norm"
    assert set(model.class_attributes(inner)) == {"inner_only"}


def test_a_class_inherits_what_its_bases_resolve_to():
    model, root = model_of("""\
        import torch
        from mindspore import nn
        class Reference(torch.nn.Module):
            pass
        class Deeper(Reference):
            pass
        class Port(nn.Cell):
            pass
        """)
    classes = model.module_classes
    is_torch = lambda name: name.startswith("torch.")  # noqa: E731
    assert model.inherits(classes["Deeper"], is_torch)
    assert not model.inherits(classes["Port"], is_torch)
    assert model.class_lineage(classes["Deeper"])[1] == {"torch.nn.Module"}


def test_a_class_that_inherits_from_itself_ends():
    model, root = model_of("class A(B):\n    pass\nclass B(A):\n    pass\n")
    lineage, outside = model.class_lineage(model.module_classes["A"])
    assert len(lineage) == 2 and outside == set()


def test_a_self_attribute_set_from_a_parameter_takes_its_default_when_asked_for():
    model, root = model_of("""\
        class Net:
            def __init__(self, drop_rate=0.1):
                self.drop_rate = drop_rate
            def build(self):
                return use(self.drop_rate)
        """)
    read = root.find_all(kind="attribute")[-1]
    assert read.text() == "self.drop_rate"
    assert model.constant(read) is None
    assert model.constant(read, model.parameter_default) == 0.1


@pytest.mark.parametrize("source, expected", [
    # A tuple through a constant, a parameter's default, a self attribute.
    ("KERNEL = (2, 2)\nuse(KERNEL)\n", "(2, 2)"),
    ("def pool(kernel=(3, 3)):\n    use(kernel)\n", "(3, 3)"),
    ("class Net:\n    def __init__(self):\n        self.mode = 'same'\n    def f(self):\n        use(self.mode)\n",
     "'same'"),
    # An expression that is not a name is its own value.
    ("use((1, 2))\n", "(1, 2)"),
    # Different values on different paths, an unknown parameter, a builtin: nothing.
    ("k = (2, 2)\nif big:\n    k = (3, 3)\nuse(k)\n", None),
    ("def pool(kernel):\n    use(kernel)\n", None),
    ("use(len)\n", None),
    # The same text on every path is that value.
    ("k = 2\nif big:\n    k = 2\nuse(k)\n", "2"),
])
def test_value_expression_follows_names_to_the_one_expression_they_hold(source, expected):
    model, root = model_of(source)
    use = next(call for call in root.find_all(kind="call") if call.field("function").text() == "use")
    argument = use.field("arguments").named_children()[0]
    found = model.value_expression(argument, parameter_defaults=True)
    assert (found.text() if found is not None else None) == expected


def test_value_expression_takes_a_parameter_default_only_when_asked_for():
    model, root = model_of("def pool(kernel=(3, 3)):\n    use(kernel)\n")
    assert model.value_expression(last_read(root, "kernel")) is None


def test_value_expression_of_a_cycle_is_none_and_ends():
    model, root = model_of("a = 1\nfor _ in x:\n    b = a\n    a = b\nuse(a)\n")
    assert model.value_expression(last_read(root, "a")) is None


# Where a class assigns self.<attribute> in __init__ and in other methods, __init__'s value is the
# attribute's (it runs first), wherever the methods are written: before, after, or both.
METHOD_ORDERS = {
    "__init__ first": ["__init__", "reset"],
    "__init__ last": ["reset", "__init__"],
    "__init__ between": ["build", "__init__", "reset"],
}


@pytest.mark.parametrize("order", METHOD_ORDERS)
def test_a_self_attribute_is_the_value_init_assigns_wherever_init_is_written(order):
    value = {name: "ops.value_and_grad(loss_fn)" if name == "__init__" else f"make_{name}()"
             for name in METHOD_ORDERS[order]}
    methods = "".join(f"    def {name}(self):\n        self.fn = {value[name]}\n" for name in METHOD_ORDERS[order])
    model, root = model_of("from mindspore import ops\nclass Trainer:\n" + methods
                           + "    def construct(self, x):\n        return self.fn(x)\n")
    assert model.qualified_name(last_call(root).field("function")) == "mindspore.ops.value_and_grad()"
