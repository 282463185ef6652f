"""Syntax-only questions on small snippets: which conditions hold where a node runs."""

import textwrap

import pytest
from ast_grep_py import SgRoot

from flake8_torch2ms.semantics.nodes import holding_conditions

PROGRAM = '''
def f(p, q, x):
    if p > 0 and (q or x):
        a = D(1)
    elif p != 0:
        b = D(2)
    else:
        c = D(3)
    d = D(4) if p else None
    e = p > 0. and D(5)
    g = D(6) if x else D(7)
    h = D(8) or p
    if p:
        def inner():
            return D(9)
    while q:
        if x:
            for i in p:
                k = D(10)
'''


@pytest.mark.parametrize("marker, expected", [
    ("1", ["p > 0", "q or x"]),  # each conjunct of an `and`, without its parentheses
    ("2", ["p != 0"]),  # an elif's own test; the if's was false
    ("3", []),  # an else: nothing is known true
    ("4", ["p"]),  # the value of a conditional expression
    ("5", ["p > 0."]),  # the right side of an `and`
    ("6", ["x"]),
    ("7", []),  # the else side of a conditional expression
    ("8", []),  # an `or` proves nothing
    ("9", []),  # a function defined under a test runs later: the test is not known then
    ("10", ["x"]),  # loops do not stop the search; an enclosing while's test is not a guard
])
def test_the_conditions_that_hold_where_a_node_runs(marker, expected):
    root = SgRoot(textwrap.dedent(PROGRAM), "python").root()
    call = next(call for call in root.find_all(kind="call") if call.text() == f"D({marker})")
    assert [condition.text() for condition in holding_conditions(call)] == expected
