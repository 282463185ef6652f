"""Every rule's own examples: each valid one gives no finding at all, each invalid one exactly one,
with the rule's code. Generated from the YAML, one test per example."""

import pytest

from flake8_torch2ms.config import load_ruleset

RULES = sorted(load_ruleset().rules, key=lambda rule: rule.code)
EXAMPLES = [
    pytest.param(rule, kind, source, id=f"{rule.id}/{kind}[{index}]")
    for rule in RULES
    for kind in ("valid", "invalid")
    for index, source in enumerate(getattr(rule, kind))
]


@pytest.mark.parametrize("rule, kind, source", EXAMPLES)
def test_example(engine, rule, kind, source):
    compile(source, f"{rule.id}/{kind}", "exec")  # examples are real Python
    findings = engine.check(source)
    if kind == "valid":
        assert findings == []
    else:
        assert [finding.code for finding in findings] == [rule.code]
        assert "$" not in findings[0].message, "a message variable was left unfilled"
