"""Every rule's own examples, one test each (``clip-single-positional-bound/invalid/single-positional-literal``):
a valid one gives no finding at all; an invalid one gives exactly one finding, of the rule's code,
with the message, line and column (as flake8 prints it, 1-based) the example states; and
``torch2ms fix`` turns it into the example's ``fixed`` source, or, when a rule with a fix has
no ``fixed`` there, leaves it unchanged (the fix declines: a part is unknown, or it would not resolve
the finding).

A port-pair rule's example carries ``original:`` beside ``source:``: the original is written to
``original/model.py`` and the source checked as ``port/model.py`` in port-pair mode, with the
default rules plus the rule itself (which may be off by default)."""

import os

import pytest

from flake8_torch2ms.config import RuleSet, load_ruleset
from flake8_torch2ms.engine import Engine
from flake8_torch2ms.families import BY_NAME, Pairing
from flake8_torch2ms.fixes import fix_module

RULES = sorted(load_ruleset().rules, key=lambda rule: rule.code)
EXAMPLES = [
    pytest.param(rule, kind, example, id=f"{rule.id}/{kind}/{example.name}")
    for rule in RULES
    for kind in ("valid", "invalid")
    for example in getattr(rule, kind)
]


def every_finding(text, finding):
    return True  # torch2ms fix with its default selection: an example has no noqa


def paired_engine(ruleset, rule, original, directory):
    """Port-pair mode on ``original`` (written under ``directory``), the rule enabled."""
    (directory / "original").mkdir()
    (directory / "original" / "model.py").write_text(original, encoding="utf-8")
    rules = [each.replace(enabled=each.enabled or each.id == rule.id) for each in ruleset.rules]
    return Engine(RuleSet(rules, ruleset.facts), Pairing("original"))


@pytest.mark.parametrize("rule, kind, example", EXAMPLES)
def test_example(engine, ruleset, rule, kind, example, tmp_path, monkeypatch):
    compile(example.source, f"{rule.path}: {kind} example '{example.name}'", "exec")  # real Python
    path = None
    if BY_NAME[rule.family].paired if rule.family else False:
        assert example.original is not None, "a port-pair rule's example needs its original"
        compile(example.original, f"{rule.path}: {kind} example '{example.name}' original", "exec")
        monkeypatch.chdir(tmp_path)
        engine, path = paired_engine(ruleset, rule, example.original, tmp_path), os.path.join("port", "model.py")
    findings = engine.check(example.source, path)
    if kind == "valid":
        assert findings == []
        return
    printed = [(finding.code, finding.line, finding.column + 1, finding.message) for finding in findings]
    assert printed == [(rule.code, example.line, example.column, example.message)]
    if rule.fix is not None:
        fixed = fix_module(example.source, engine, every_finding, path).text
        assert fixed == (example.fixed or example.source)


def test_every_fix_is_shown_by_an_example(ruleset):
    """A rule that declares a fix proves it on at least one example."""
    without = [rule.id for rule in ruleset.rules if rule.fix and not any(e.fixed for e in rule.invalid)]
    assert without == []
