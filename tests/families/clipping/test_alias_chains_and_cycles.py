"""Deterministic edge inputs for the clipping analysis: long chains of aliases (of a clip function,
of a bound, of a ``self.`` attribute) and names or attributes defined in a cycle. A short chain
resolves like a direct use; a cycle or a chain longer than the analysis follows gives no finding
(unknown values never do) and never TMS000. Hand-written self-references, in realistic code, are in
tests/fixtures/self_referential_names.py."""

import pytest

SHORT, LONG = 20, 5000


def callee_chain(hops: int) -> str:
    lines = ["from mindspore import ops", "clip_0 = ops.clip_by_value"]
    lines += [f"clip_{i} = clip_{i - 1}" for i in range(1, hops + 1)]
    return "\n".join(lines + [f"grads = clip_{hops}(grads, 0.1)"]) + "\n"


def bound_chain(hops: int) -> str:
    lines = ["from mindspore import ops", "loss, grads = grad_fn(data)", "c_0 = 0.1"]
    lines += [f"c_{i} = c_{i - 1}" for i in range(1, hops + 1)]
    return "\n".join(lines + [f"grads = ops.clip_by_value(grads, c_{hops}, -c_{hops})"]) + "\n"


def attribute_chain(hops: int) -> str:
    lines = ["from mindspore import nn, ops", "class Step(nn.Cell):", "    def __init__(self):",
             "        self.clip_0 = ops.clip_by_value"]
    lines += [f"        self.clip_{i} = self.clip_{i - 1}" for i in range(1, hops + 1)]
    return "\n".join(lines + ["    def construct(self, grads):", f"        return self.clip_{hops}(grads, 0.1)"]) + "\n"


def names(length: int) -> list[str]:
    # The cycle goes through `clip_by_value`, so the file passes the prefilter and is analysed.
    return ["clip_by_value"] + [f"clip_{i}" for i in range(1, length)]


def name_cycle(length: int) -> str:
    cycle = names(length)
    lines = ["from mindspore import ops"] + [f"{cycle[i]} = {cycle[(i + 1) % length]}" for i in range(length)]
    return "\n".join(lines + ["grads = clip_by_value(grads, 0.1)"]) + "\n"


def attribute_cycle(length: int) -> str:
    cycle = names(length)
    lines = ["from mindspore import nn, ops", "class Step(nn.Cell):", "    def __init__(self):"]
    lines += [f"        self.{cycle[i]} = self.{cycle[(i + 1) % length]}" for i in range(length)]
    lines += ["    def construct(self, grads):", "        return self.clip_by_value(grads, 0.1)"]
    return "\n".join(lines) + "\n"


def bound_cycle(length: int) -> str:
    lines = ["from mindspore import ops", "loss, grads = grad_fn(data)"]
    lines += [f"c_{i} = c_{(i + 1) % length}" for i in range(length)]
    return "\n".join(lines + ["grads = ops.clip_by_value(grads, c_0, 0.1)"]) + "\n"


def last_line(source: str) -> int:
    return source.count("\n")


CHAINS = {"callee": (callee_chain, "TMS103"), "bound": (bound_chain, "TMS106"),
          "self-attribute": (attribute_chain, "TMS103")}


@pytest.mark.parametrize("kind", CHAINS)
def test_a_short_chain_resolves_like_a_direct_use(check, kind):
    build, code = CHAINS[kind]
    source = build(SHORT)
    assert check(source) == [(last_line(source), code)]


@pytest.mark.parametrize("kind", CHAINS)
def test_a_very_long_chain_never_crashes_nor_reports_anything_else(check, kind):
    build, code = CHAINS[kind]
    source = build(LONG)
    # How far the analysis follows a chain is its choice; what it reports is not.
    assert set(check(source)) <= {(last_line(source), code)}


CYCLES = {"names": name_cycle, "self-attributes": attribute_cycle, "bounds": bound_cycle}


@pytest.mark.parametrize("length", [1, 2, 3, 60, LONG])
@pytest.mark.parametrize("kind", CYCLES)
def test_a_cycle_gives_no_finding(check, kind, length):
    # In a cycle nothing is ever bound to a clip function or a number: unknown, so no finding.
    assert check(CYCLES[kind](length)) == []


def test_the_cycle_sources_reach_the_analysis(engine):
    """Each cycle passes the prefilter: the test above is about the analysis, not about a file skipped."""
    for build in CYCLES.values():
        assert engine.active(build(2)), build.__name__


def test_a_very_long_attribute_chain_never_crashes(check):
    # `ops.a.a. ... .a.clip_by_value(...)`, 1,000 attributes deep (Python's own parser refuses
    # about 3,000): the analysis gives up on it, and the real finding below it stays.
    source = "\n".join([
        "from mindspore import ops", "loss, grads = grad_fn(data)",
        "grads = ops" + ".a" * 1000 + ".clip_by_value(grads, 0.1)",
        "grads = ops.clip_by_value(grads, 0.1)"]) + "\n"
    assert check(source) == [(last_line(source), "TMS103")]
