"""The oracle's map stays complete without installing MindSpore: every example of every rule has
a PyTorch counterpart or a recorded reason to skip it (tests/oracle/ports.py), and no entry points
at an example that no longer exists. The oracle itself runs under `tox -e oracle`."""

from oracle.ports import NOT_NUMERIC, PORTS, Port


def test_every_example_has_a_port_or_a_reason(ruleset):
    examples = {(rule.id, kind, example.name) for rule in ruleset.rules if rule.id not in NOT_NUMERIC
                for kind in ("valid", "invalid") for example in getattr(rule, kind)}
    missing = sorted(examples - set(PORTS))
    assert missing == [], f"add a Port or a Skip to tests/oracle/ports.py for: {missing}"
    assert sorted(set(PORTS) - examples) == [], "tests/oracle/ports.py names examples that no longer exist"


def test_every_invalid_example_is_run(ruleset):
    # An invalid example is a claim that the numbers differ: it is never skipped.
    skipped = [key for key, port in PORTS.items() if key[1] == "invalid" and not isinstance(port, Port)]
    assert skipped == []
