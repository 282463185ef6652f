"""Every way of binding a name, in every kind of scope, read by a clip call: the read takes the
binding that reaches it, whether the binding is a statement before it, a parameter of the scope,
or sits in the read's own statement (a walrus around the call, a lambda's parameter). The
gradients here are unknown values named ``grads`` (so TMS103 holds for all of them), and the
clip call is read before or after the binding in its own statement; nothing gives TMS000.

Each case is a template: ``{clip}`` is the clip call reading ``grads``; the finding's line is
marked ``# expect``.
"""

import pytest

CLIP = "ops.clip_by_value(grads, 0.1)"

# binding form -> the lines of a body whose expression statements may be anything
FORMS = {
    "none (a free name)": ["x = {clip}  # expect"],
    "assignment": ["grads = grad_fn(data)", "x = {clip}  # expect"],
    "unpacking": ["loss, grads = grad_fn(data)", "x = {clip}  # expect"],
    "starred unpacking": ["loss, *grads = grad_fn(data)", "x = {clip}  # expect"],
    "augmented assignment": ["grads = grad_fn(data)", "grads += 0", "x = {clip}  # expect"],
    "rebinding by the clip": ["grads = grad_fn(data)", "grads = {clip}  # expect"],
    "walrus before the read": ["x = [(grads := grad_fn(data)), {clip}]  # expect"],
    "walrus around the read": ["grads = grad_fn(data)", "x = (grads := {clip})  # expect"],
    "for loop": ["for grads in grad_fn(data):", "    x = {clip}  # expect"],
    "with ... as": ["with record() as grads:", "    x = {clip}  # expect"],
    "except ... as": ["try:", "    pass", "except Exception as grads:", "    x = {clip}  # expect"],
    "comprehension": ["x = [{clip} for grads in grad_fn(data)]  # expect"],
    "lambda parameter": ["x = lambda grads: {clip}  # expect"],
    "lambda parameter, walrus around": ["x = lambda grads: (grads := {clip})  # expect"],
    "lambda default": ["x = lambda grads=grad_fn(data): {clip}  # expect"],
    "lambda in a call": ["x = apply(lambda grads: (grads := {clip}), data)  # expect"],
    "conditional binding": ["if data:", "    grads = grad_fn(data)", "x = {clip}  # expect"],
    "binding in a loop after the read": ["for data in loader:", "    x = {clip}  # expect",
                                         "    grads = grad_fn(data)"],
}
# scope -> (lines before the body, the body's indent); a function's parameters bind `grads` too
SCOPES = {
    "module": ([], ""),
    "function": (["def step(data):"], "    "),
    "function with a grads parameter": (["def step(data, grads):"], "    "),
    "method": (["class Step(nn.Cell):", "    def construct(self, data):"], "        "),
    "nested function": (["def outer(grads):", "    def step(data):"], "        "),
    "async function": (["async def step(data):"], "    "),
}


def program(scope: str, form: str) -> tuple[str, int]:
    head, indent = SCOPES[scope]
    # Every result is passed on (a clip result never read is TMS108's finding, not this test's).
    body = [indent + line.format(clip=CLIP) for line in FORMS[form] + ["optimizer(x, grads)"]]
    lines = ["from mindspore import nn, ops", *head, *body]
    expected = next(number for number, line in enumerate(lines, start=1) if line.endswith("# expect"))
    return "\n".join(lines) + "\n", expected


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("scope", SCOPES)
def test_a_clip_call_reads_the_name_however_it_is_bound(check, scope, form):
    source, line = program(scope, form)
    compile(source, f"{scope} / {form}", "exec")
    assert check(source) == [(line, "TMS103")]


# Every way of binding a name, applied to the clip function itself: after `from mindspore.ops
# import clip_by_value`, a local binding of `clip_by_value` (by any form, in the module or in the
# function) means the call is no longer MindSpore's, so no clipping rule may speak.
SHADOWING_FORMS = {
    "def": ["def clip_by_value(grads, value):", "    return grads"],
    "async def": ["async def clip_by_value(grads, value):", "    return grads"],
    "decorated def": ["@jit", "def clip_by_value(grads, value):", "    return grads"],
    "class": ["class clip_by_value:", "    def __init__(self, grads, value):", "        pass"],
    "assignment": ["clip_by_value = my_clip"],
    "unpacking": ["clip_by_value, other = helpers()"],
    "import": ["from mylib import clip_by_value"],
    "import as": ["from mylib import my_clip as clip_by_value"],
    "for loop": ["for clip_by_value in clippers:", "    pass"],
    "with ... as": ["with choose() as clip_by_value:", "    pass"],
    "walrus": ["if (clip_by_value := choose()):", "    pass"],
}
SHADOWING_SCOPES = {"module": "", "function": "    "}


@pytest.mark.parametrize("form", SHADOWING_FORMS)
@pytest.mark.parametrize("scope", SHADOWING_SCOPES)
def test_a_local_binding_of_an_imported_name_shadows_the_import(check, scope, form):
    indent = SHADOWING_SCOPES[scope]
    call = [indent + "loss, grads = grad_fn(data)", indent + "grads = clip_by_value(grads, 0.1)",
            indent + "optimizer(grads)"]
    head = ["from mindspore.ops import clip_by_value"] + (["def step(data):"] if indent else [])
    shadowed = head + [indent + line for line in SHADOWING_FORMS[form]] + call
    compile("\n".join(shadowed), form, "exec")
    assert check("\n".join(shadowed) + "\n") == []
    # The same call without the binding is MindSpore's one-bound clip.
    assert check("\n".join(head + call) + "\n") == [(len(head) + 2, "TMS103")]


# A name of an enclosing scope read in a nested function, lambda or method: the function runs
# later, so every binding of the name in that scope may reach the read, wherever it sits (before
# the definition, after it, in a branch); two bindings to different things leave it unknown.
# The name here is an alias of the clip function, read as the callee of a one-bound clip.
ENCLOSING_BINDINGS = {
    "bound before the definition": (["clip = ops.clip_by_value", "{reader}"], True),
    "bound after the definition": (["{reader}", "clip = ops.clip_by_value"], True),
    "bound in a branch after the definition": (["{reader}", "if data:", "    clip = ops.clip_by_value"], True),
    "bound twice, alike": (["clip = ops.clip_by_value", "{reader}", "clip = ops.clip_by_value"], True),
    "bound twice, differently": (["clip = ops.clip_by_value", "{reader}", "clip = my_clip"], False),
    "bound after, differently": (["{reader}", "clip = my_clip"], False),
}
READERS = {
    "nested function": ["def apply(grads):", "    return clip(grads, 0.1)  # expect"],
    "nested async function": ["async def apply(grads):", "    return clip(grads, 0.1)  # expect"],
    "lambda": ["apply = lambda grads: clip(grads, 0.1)  # expect"],
    "two levels down": ["def apply(grads):", "    def inner():", "        return clip(grads, 0.1)  # expect",
                        "    return inner()"],
    "comprehension in a nested function": ["def apply(grads):", "    return [clip(g, 0.1) for g in grads]  # expect"],
}
ENCLOSING_SCOPES = {"module": ([], ""), "function": (["def step(data):"], "    ")}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("binding", ENCLOSING_BINDINGS)
@pytest.mark.parametrize("scope", ENCLOSING_SCOPES)
def test_a_nested_reader_sees_every_binding_of_the_enclosing_scope(check, scope, binding, reader):
    head, indent = ENCLOSING_SCOPES[scope]
    template, resolved = ENCLOSING_BINDINGS[binding]
    body = []
    for line in template:
        body += READERS[reader] if line == "{reader}" else [line]
    lines = ["from mindspore import ops", *head, *[indent + line for line in body], indent + "use(apply)"]
    source = "\n".join(lines) + "\n"
    compile(source, binding, "exec")
    expected_line = next(number for number, line in enumerate(lines, start=1) if line.endswith("# expect"))
    assert check(source) == ([(expected_line, "TMS103")] if resolved else [])


def test_a_fallback_import_in_an_except_clause_leaves_the_first_import(check):
    source = ("try:\n    from mindspore.ops import clip_by_value\nexcept ImportError:\n"
              "    from mylib import clip_by_value\nloss, grads = grad_fn(data)\n"
              "grads = clip_by_value(grads, 0.1)\noptimizer(grads)\n")
    assert check(source) == [(6, "TMS103")]
    # The same two imports one after the other: which one a read sees depends on where it is.
    rebinding = source.replace("try:\n    ", "").replace("except ImportError:\n    ", "")
    assert check(rebinding) == []


# A scope's walk for bindings skips expressions, parameters and imports (bindings.NO_BINDING_UNLESS_WALRUS)
# unless a walrus or a misparse could put one there: the same bindings either way.
SKIPPED_SUBTREES = {
    "walrus in an argument": "x = f(g(y := 1), z)\nw = y\n",
    "walrus in an f-string": "x = f'{(y := 2)}'\n",
    "walrus in a function's call": "def step(a):\n    log(f'{(y := a)}', b=(z := 3))\n    return y\n",
    "walrus in a lambda argument": "x = f(lambda: (y := 1))\n",
    "unparsable argument": "x = f(a, b = = 1)\ny = 2\n",
    "with and except targets": ("with open(p) as f, (lock() as (a, b)):\n    pass\ntry:\n    pass\n"
                                "except (E, F) as error:\n    raise\n"),
    "chained and annotated assignments": "a = b = f(1)\nc: int = 2\nd, *e = g[0]\nh += 1\n",
    "definitions under decorators and branches": (
        "import a.b as c\nfrom d import (e as f)\n@wrap(k=1)\ndef g(x: int = 1, *args, **kw) -> T:\n"
        "    return g(x)\nif c:\n    class H(Base, metaclass=M):\n        y = 1\n"),
    "loops, matches and comprehensions": ("for i, (j, k) in enumerate(z):\n    while i:\n        m = [n for n in j]\n"
                                          "match cmd:\n    case [x, y]:\n        p = x\n    case _:\n        q = 0\n"),
    "a model's layers": ("class Net(nn.Cell):\n    def __init__(self):\n        self.conv = nn.Conv2d(3, 8, "
                         "kernel_size=3, pad_mode='same')\n        self.act = nn.ReLU()\n\n"
                         "def build(config, n=nn.Dense(2, 3)):\n    net = Net(config['depth'], [nn.ReLU()])\n"
                         "    for layer in net.cells():\n        out = layer(out)\n    return net\n"),
}


@pytest.mark.parametrize("source", SKIPPED_SUBTREES.values(), ids=SKIPPED_SUBTREES.keys())
def test_skipping_arguments_and_strings_keeps_every_binding(source, monkeypatch):
    from ast_grep_py import SgRoot

    from flake8_torch2ms.semantics import bindings

    def found(root):
        scopes = [root, *root.find_all(kind="function_definition"), *root.find_all(kind="lambda")]
        return [{name: [(binding.position, binding.path, binding.iterated) for binding in items]
                 for name, items in bindings.collect_bindings(scope).items()} for scope in scopes]

    skipping = found(SgRoot(source, "python").root())
    monkeypatch.setattr(bindings, "NO_BINDING_UNLESS_WALRUS", frozenset())
    assert skipping == found(SgRoot(source, "python").root()) and any(skipping)


# A walrus binds in the scope its expression runs in. The parts of a definition that run where the
# definition does (defaults, annotations, a class's bases) put it in the enclosing scope; the body
# of a function, a lambda or a comprehension in it do not. Python's own symtable is the reference.
WALRUS_PLACES = {
    "a parameter's default": "def f(k=(n := 3)):\n    return k\n",
    "a keyword-only default": "def f(*, k=(n := 3)):\n    return k\n",
    "a parameter's annotation": "def f(k: (n := int)):\n    return k\n",
    "the return annotation": "def f(k) -> (n := int):\n    return k\n",
    "a lambda's default": "g = lambda k=(n := 3): k\n",
    "a class's base": "class C((n := object)):\n    pass\n",
    "a class's keyword": "class C(metaclass=(n := type)):\n    pass\n",
    "a nested function's default": "def outer():\n    def f(k=(n := 3)):\n        return k\n    return n\n",
    "a function's body": "def f(k):\n    return (n := k)\n",
    "a lambda's body": "g = lambda k: (n := k)\n",
    "a default inside a body": "def outer(a):\n    h = lambda k=(n := a): k\n    return h\n",
}


@pytest.mark.parametrize("source", WALRUS_PLACES.values(), ids=WALRUS_PLACES.keys())
def test_a_walrus_binds_in_the_scope_python_runs_it_in(source):
    import symtable

    from ast_grep_py import SgRoot

    from flake8_torch2ms.semantics import bindings

    def python_scopes(table, found):
        if table.get_type() in ("module", "function"):  # class bodies are no scope of ours
            found.append("n" in {symbol.get_name() for symbol in table.get_symbols() if symbol.is_assigned()})
        for child in table.get_children():
            python_scopes(child, found)
        return found

    root = SgRoot(source, "python").root()
    ours = [root, *sorted((*root.find_all(kind="function_definition"), *root.find_all(kind="lambda")),
                          key=lambda node: node.range().start.index)]
    assert ["n" in bindings.collect_bindings(scope) for scope in ours] == \
        python_scopes(symtable.symtable(source, "<case>", "exec"), [])
