"""Which occurrences of a name read it and which bind it (``bindings.is_store``), by the form
that binds: every spelling of a parameter binds its name and reads its default, and a clipped
value is "never read" (TMS108) exactly when no occurrence reads it.

A nested function's parameter that shares the clipped value's name binds a new name and must
not hide TMS108; a nested function's default that names the clipped value reads it (where the
function is defined), so TMS108 would be false there."""

import pytest
from ast_grep_py import SgRoot

from flake8_torch2ms.semantics.bindings import is_store

# Each form places the name ``target`` once, as a store (True) or a read (False).
OCCURRENCES = {
    "assignment target": ("target = 1", True),
    "tuple target": ("a, target = 1, 2", True),
    "starred target": ("a, *target = 1, 2", True),
    "for target": ("for target in range(3): pass", True),
    "comprehension target": ("[1 for target in range(3)]", True),
    "parameter": ("def f(target): pass", True),
    "default parameter": ("def f(target=1): pass", True),
    "typed parameter": ("def f(target: int): pass", True),
    "typed default parameter": ("def f(target: int = 1): pass", True),
    "star parameter": ("def f(*target): pass", True),
    "typed star parameter": ("def f(*target: int): pass", True),
    "double star parameter": ("def f(**target): pass", True),
    "lambda parameter": ("lambda target: 0", True),
    "lambda default parameter": ("lambda target=1: 0", True),
    "lambda star parameter": ("lambda *target: 0", True),
    "keyword argument name": ("f(target=1)", True),
    "attribute name": ("obj.target", True),
    "global": ("global target", True),
    "nonlocal": ("def f():\n    nonlocal target", True),
    "default value": ("def f(a=target): pass", False),
    "typed default value": ("def f(a: int = target): pass", False),
    "lambda default value": ("lambda a=target: a", False),
    "keyword argument value": ("f(a=target)", False),
    "attribute object": ("target.a", False),
    "call argument": ("f(target)", False),
    "assigned value": ("a = target", False),
    "iterated value": ("for a in target: pass", False),
    "augmented": ("target += 1", False),  # read, then written
}


@pytest.mark.parametrize("form", OCCURRENCES)
def test_an_occurrence_is_a_store_or_a_read_by_its_form(form):
    source, stored = OCCURRENCES[form]
    occurrences = [node for node in SgRoot(source + "\n", "python").root().find_all(kind="identifier")
                   if node.text() == "target"]
    assert len(occurrences) == 1
    assert is_store(occurrences[0]) is stored


CLIPPED = """\
from mindspore import ops
def train_step(data, label):
    loss, grads = grad_fn(data, label)
    clipped = ops.clip_by_value(grads, -1.0, 1.0)
    {line}
    optimizer(grads)
    return loss
"""

# A nested function or lambda that binds ``clipped`` itself: the clipped value is still never read.
REBINDING = ["def report(clipped): ...", "def report(clipped=None): ...", "def report(clipped: int): ...",
             "def report(clipped: int = 0): ...", "def report(*clipped): ...", "def report(**clipped): ...",
             "def report(*clipped: int): ...", "report = lambda clipped: 0", "report = lambda clipped=0: 0",
             "report = lambda *clipped: 0", "report(clipped=0)", "log.clipped = 0"]
# A nested function or lambda whose default (or a call whose keyword value) reads ``clipped``.
READING = ["def apply(updates=clipped): optimizer(updates)", "def apply(updates: list = clipped): ...",
           "apply = lambda updates=clipped: optimizer(updates)", "apply(updates=clipped)", "log.value = clipped"]


@pytest.mark.parametrize("line", REBINDING)
def test_a_nested_binding_of_the_same_name_does_not_read_the_clipped_value(check, line):
    assert check(CLIPPED.format(line=line)) == [(4, "TMS108")]


@pytest.mark.parametrize("line", READING)
def test_a_default_or_keyword_value_reads_the_clipped_value(check, line):
    assert check(CLIPPED.format(line=line)) == []


SCOPE = """\
def step(grads, opt, scale):
    global total
    loss, grads = grad_fn(grads)
    grads = [g * scale for g in grads]
    def inner(grads=grads, *rest):
        return opt(grads, loss)
    total = total + loss
    return opt(grads), scale.grads
"""


@pytest.mark.parametrize("order", [("grads", "loss", "scale", "total", "missing", "opt"),
                                   ("missing", "total", "opt", "grads", "scale", "loss"),
                                   ("scale", "grads", "grads", "opt", "loss", "total")])
def test_a_scopes_reads_do_not_depend_on_which_name_is_asked_first(order):
    """ScopeUses answers the first name from a walk of its own and later ones from an index of
    every identifier: either way each name's reads are the identifiers that read it (checked here
    against is_store on every identifier), in order, and global marks a name declared global."""
    from flake8_torch2ms.semantics.bindings import ScopeUses

    scope = SgRoot(SCOPE, "python").root().find(kind="function_definition")
    uses = ScopeUses(scope)
    for name in order:
        expected = [node for node in scope.find_all(kind="identifier")
                    if node.text() == name and not is_store(node)
                    and node.parent().kind() not in ("global_statement", "nonlocal_statement")]
        found = uses.get(name)
        if not expected and name != "total":
            assert found is None
            continue
        assert [node.range().start.index for node in found.reads] == [node.range().start.index for node in expected]
        assert found.positions == sorted(found.positions) == [node.range().start.index for node in expected]
        assert found.declared_global == (name == "total")
