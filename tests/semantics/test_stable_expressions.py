"""``SemanticModel.stable_expression``: a name bound once stands for its expression only when
every name that expression reads means one value wherever it is read. Each expression form is
tested with the name it reads bound once and bound twice, in the place that matters (an
attribute's object) and the one that does not (an attribute's own name)."""

import textwrap

import pytest
from ast_grep_py import SgRoot

from flake8_torch2ms.semantics.model import SemanticModel


def stands_for(source: str) -> str:
    """The text that the last read of ``low`` in ``source`` stands for."""
    root = SgRoot(textwrap.dedent(source), "python").root()
    model = SemanticModel(root, None)
    read = [node for node in root.find_all(kind="identifier") if node.text() == "low"][-1]
    return model.stable_expression(read).text()


ONCE = "a = get()\nb = 1\nb = 2\n"  # `a` bound once, `b` twice
TWICE = "a = get()\na = other()\nb = 1\n"  # `a` bound twice, `b` once


@pytest.mark.parametrize("expression, once, twice", [
    ("-a", "-a", "low"),
    ("a", "a", "low"),
    # An attribute's object is a read; the attribute's own name is not a variable.
    ("-a.b", "-a.b", "low"),
    ("a.b.c", "a.b.c", "low"),
    ("-b.a", "low", "-b.a"),
    # An item's index is a read like any other name.
    ("a[0]", "a[0]", "low"),
    ("c[a]", "c[a]", "low"),
    ("a * 2 + 1", "a * 2 + 1", "low"),
    ("(a, -a)", "(a, -a)", "low"),
    # A call, an await, a lambda or an assignment expression may give another value each time.
    ("-f(a)", "low", "low"),
    ("float(a)", "low", "low"),
    ("lambda: a", "low", "low"),
])
def test_an_expression_is_stable_when_every_name_it_reads_is_bound_once(expression, once, twice):
    assert stands_for(f"{ONCE}low = {expression}\nuse(low)\n") == once
    assert stands_for(f"{TWICE}low = {expression}\nuse(low)\n") == twice


def test_names_bound_nowhere_in_the_file_and_parameters_are_stable():
    assert stands_for("low = -clip_value\nuse(low)\n") == "-clip_value"
    assert stands_for("""\
        def step(clip):
            low = -clip
            use(low)
        """) == "-clip"
    assert stands_for("""\
        def step(clip):
            clip = clip * 2
            low = -clip
            use(low)
        """) == "low"


def test_a_name_bound_twice_or_not_plainly_stands_for_itself():
    assert stands_for("low = -a\nlow = -b\nuse(low)\n") == "low"
    assert stands_for("low += 1\nuse(low)\n") == "low"
    assert stands_for("for low in values:\n    use(low)\n") == "low"


def test_names_bound_to_names_are_followed_a_few_steps():
    assert stands_for("c = -a\nd = c\nlow = d\nuse(low)\n") == "-a"
    chain = "".join(f"n{index} = n{index + 1}\n" for index in reversed(range(8)))  # n7 = n8 first
    # Followed four names deep, then the name reached stands for itself.
    assert stands_for(f"n8 = -a\n{chain}low = n0\nuse(low)\n") == "n4"
