"""Deterministic edge inputs for the divergence analysis's "is this a MindSpore tensor?": a tensor
reached through a long chain of names, of items (``x_1 = x_0[0]``), of nested subscripts or of
method calls (``x.reshape(-1).reshape(-1)``), and names bound in a cycle. A short chain resolves
like a direct use; a chain longer than the analysis follows gives no finding (an unknown receiver
never does) and never TMS000. The clipping family's counterparts are in
tests/families/clipping/test_alias_chains_and_cycles.py."""

import pytest

SHORT, LONG = 20, 5000
REDUCTION = "best = {}.max(axis=1)[0]"  # TMS304 when the receiver is a MindSpore tensor


def name_chain(hops: int) -> str:
    lines = ["from mindspore import ops", "x_0 = ops.softmax(logits)"]
    lines += [f"x_{i} = x_{i - 1}" for i in range(1, hops + 1)]
    return "\n".join(lines + [REDUCTION.format(f"x_{hops}")]) + "\n"


def item_chain(hops: int) -> str:
    lines = ["from mindspore import ops", "x_0 = ops.softmax(logits)"]
    lines += [f"x_{i} = x_{i - 1}[0]" for i in range(1, hops + 1)]
    return "\n".join(lines + [REDUCTION.format(f"x_{hops}")]) + "\n"


def nested_subscripts(hops: int) -> str:
    return "\n".join(["from mindspore import ops", "x = ops.softmax(logits)",
                      REDUCTION.format("x" + "[0]" * hops)]) + "\n"


def method_calls(hops: int) -> str:
    return "\n".join(["from mindspore import ops", "x = ops.softmax(logits)",
                      REDUCTION.format("x" + ".reshape(-1)" * hops)]) + "\n"


def name_cycle(length: int) -> str:
    lines = ["from mindspore import ops"] + [f"x_{i} = x_{(i + 1) % length}" for i in range(length)]
    return "\n".join(lines + [REDUCTION.format("x_0")]) + "\n"


CHAINS = {"names": name_chain, "items": item_chain, "nested-subscripts": nested_subscripts,
          "method-calls": method_calls}


def last_line(source: str) -> int:
    return source.count("\n")


@pytest.mark.parametrize("kind", CHAINS)
def test_a_short_chain_resolves_like_a_direct_use(check, kind):
    source = CHAINS[kind](SHORT)
    assert check(source) == [(last_line(source), "TMS304")]


@pytest.mark.parametrize("kind", CHAINS)
def test_a_very_long_chain_never_crashes_nor_reports_anything_else(check, kind):
    source = CHAINS[kind](LONG)
    # How far the analysis follows a chain is its choice; what it reports is not.
    assert set(check(source)) <= {(last_line(source), "TMS304")}


@pytest.mark.parametrize("length", [1, 2, 60, LONG])
def test_a_cycle_gives_no_finding(check, length):
    # Nothing in a cycle is ever bound to a tensor: unknown, so no finding.
    assert check(name_cycle(length)) == []
