"""A fix never causes a finding: every fixable clip call, written in every place a name can be
bound or rebound around it, is fixed, and the fixed text has no finding the original lacked.

Storing a dropped result back (``g = ops.clip_by_value(g, ...)``) is right for a name read later
and wrong for a loop's variable, which the next iteration rebinds: such a fix would trade a
TMS102 for a TMS108. The places are written out once; each call form goes in each place."""

from __future__ import annotations

import symtable
import textwrap
from collections import Counter

import pytest

from flake8_torch2ms.fixes import fix_module

HEADER = "from mindspore import nn, ops\n\n"
# Each place holds the call as {CALL}, with {V} the clipped value's name, at its indentation.
PLACES = {
    "a function's body": "def step(grads):\n    {CALL}\n    return grads\n",
    "a for loop over the gradients": "def step(grads):\n    for {V} in grads:\n        {CALL}\n    return grads\n",
    "a for loop unpacking pairs": "def step(pairs):\n    for {V}, p in pairs:\n        {CALL}\n    return pairs\n",
    "an enumerate loop": "def step(grads):\n    for i, {V} in enumerate(grads):\n        {CALL}\n    return grads\n",
    "a while loop": "def step(grads):\n    while more():\n        {CALL}\n    return grads\n",
    "a with block's target": "def step(ctx):\n    with ctx as {V}:\n        {CALL}\n        return {V}\n",
    "an except handler": "def step(grads):\n    try:\n        pass\n    except Exception:\n        {CALL}\n"
                         "    return grads\n",
    "a nested function": "def outer(grads):\n    def inner():\n        {CALL}\n        return grads\n"
                         "    return inner\n",
    "a parameter read after": "def step({V}, optimizer):\n    {CALL}\n    optimizer({V})\n",
    "a loop in a method": "class Trainer:\n    def step(self, grads):\n        for {V} in grads:\n"
                          "            {CALL}\n        return grads\n",
}
CALLS = {
    "clip_by_value": "ops.clip_by_value({V}, -1.0, 1.0)",
    "clip_by_norm": "ops.clip_by_norm({V}, 1.0)",
    "clip_by_global_norm": "ops.clip_by_global_norm({V}, 1.0)",
    "an instance": "nn.ClipByNorm()({V}, 1.0)",
}


def locals_by_scope(source: str) -> dict[str, set[str]]:
    """Each function's local names (symtable: what Python itself decides when it compiles)."""
    found, tables = {}, [symtable.symtable(source, "<fixed>", "exec")]
    while tables:
        table = tables.pop()
        if table.get_type() == "function":
            found[f"{table.get_name()}:{table.get_lineno()}"] = {
                symbol.get_name() for symbol in table.get_symbols() if symbol.is_local()}
        tables.extend(table.get_children())
    return found


def source_of(place: str, call: str, name: str) -> str:
    written = CALLS[call].replace("{V}", name)
    return HEADER + PLACES[place].replace("{CALL}", written).replace("{V}", name)


@pytest.mark.parametrize("name", ["grads", "g"])
@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("place", PLACES)
def test_a_fix_never_causes_a_finding(engine, place, call, name):
    source = source_of(place, call, name)
    result = fix_module(source, engine, lambda text, finding: True)
    before = Counter(finding.code for finding in engine.check(source))
    after = Counter(finding.code for finding in engine.check(result.text))
    fixed = Counter(finding.code for finding in result.fixed)
    caused = after - (before - fixed)
    assert not caused, (textwrap.indent(result.text, "    "), caused)
    # Assigning to a name makes it local to its function: a fix must not do that to a name of an
    # enclosing function or of the module, which would then be unbound where it is read.
    assert locals_by_scope(result.text) == locals_by_scope(source), textwrap.indent(result.text, "    ")
