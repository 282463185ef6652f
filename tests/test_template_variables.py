"""A ``$NAME`` in a message or fix template that the rule does not give is a configuration error
naming the file, the line, the variable and the ones there are (it would otherwise be printed as
it is, "dropout $SUGGESTD"), through both commands; and the variables each family declares are
the ones its views give."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.engine import engine_for
from flake8_torch2ms.families import BY_NAME
from flake8_torch2ms.families.clipping import views as clipping_views
from flake8_torch2ms.families.divergence import views as divergence_views
from flake8_torch2ms.families.pairs import views as pairs_views
from test_cli import TORCH2MS
from test_examples import paired_engine

TRAIN = "from mindspore import nn\nlayer = nn.Dropout(0.1)\n"

BAD = {
    "message-override": ('messages: {TMS301: "dropout $SUGGESTD"}\n', 1, "the message for 'TMS301' uses $SUGGESTD"),
    "message-override-by-id": ('disable: []\nmessages:\n  batchnorm-momentum-torch-convention: "$MOMENTUMM"\n', 3,
                               "the message for 'batchnorm-momentum-torch-convention' uses $MOMENTUMM"),
    "own-rule-message": ('rules:\n  - id: my-rule\n    code: TMS901\n    message: "call with $ARG"\n'
                         '    rule: {pattern: "foo($$$ARGS)"}\n', 4, "the message of rule 'my-rule' uses $ARG"),
    "own-rule-fix": ('rules:\n  - id: my-rule\n    code: TMS901\n    message: "foo($$$ARGS) is old"\n'
                     '    rule: {pattern: "foo($$$ARGS)"}\n    fix: "bar($$$ARG)"\n', 6,
                     "the fix of rule 'my-rule' uses $ARG"),
}


@pytest.mark.parametrize("config, line, message", BAD.values(), ids=BAD.keys())
@pytest.mark.parametrize("command", ["torch2ms", "flake8"])
def test_an_unknown_variable_is_a_configuration_error(tmp_path, config, line, message, command):
    (tmp_path / "torch2ms.yml").write_text(config, encoding="utf-8")
    (tmp_path / "train.py").write_text(TRAIN, encoding="utf-8")
    if command == "torch2ms":
        args, prefix = [*TORCH2MS, "check", "--config", "torch2ms.yml"], "torch2ms"
    else:
        args, prefix = [sys.executable, "-m", "flake8", "--select", "TMS", "--torch2ms-config", "torch2ms.yml"], \
            "flake8-torch2ms"
    result = subprocess.run([*args, "train.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout) == (2, "")
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{prefix}: configuration error: ") and "Traceback" not in result.stderr
    assert f"torch2ms.yml:{line}: {message}, which this rule does not give; its variables are $" in first


def test_the_known_variables_are_named(tmp_path):
    (tmp_path / "torch2ms.yml").write_text(BAD["own-rule-fix"][0], encoding="utf-8")
    result = subprocess.run([*TORCH2MS, "check", "--config", "torch2ms.yml", "."], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.stderr.rstrip().endswith("its variables are $ARGS, $MATCH")


GOOD = {
    "family-variables": 'messages: {TMS301: "$CALLEE drops $DROPPED: write $SUGGESTED"}\n',
    "metavariables-and-match": ('rules:\n  - id: my-rule\n    code: TMS901\n    message: "foo($$$ARGS) with $A"\n'
                                '    rule: {pattern: "foo($A, $$$ARGS)"}\n    fix: "bar($A) or $MATCH"\n'),
    "dollar-not-a-variable": 'messages: {TMS301: "costs $5 or $lower"}\n',
}


@pytest.mark.parametrize("config", GOOD.values(), ids=GOOD.keys())
def test_known_variables_load(tmp_path, config):
    (tmp_path / "torch2ms.yml").write_text(config, encoding="utf-8")
    (tmp_path / "train.py").write_text(TRAIN, encoding="utf-8")
    result = subprocess.run([*TORCH2MS, "check", "--config", "torch2ms.yml", "train.py"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.stderr == "" and result.returncode in (0, 1)


def test_a_message_override_is_rendered_with_its_variables(tmp_path):
    (tmp_path / "torch2ms.yml").write_text(GOOD["family-variables"], encoding="utf-8")
    (tmp_path / "train.py").write_text(TRAIN, encoding="utf-8")
    result = subprocess.run([*TORCH2MS, "check", "--config", "torch2ms.yml", "train.py"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout == "train.py:2:9: TMS301 nn.Dropout drops 90%: write p=0.1\n"


def test_each_family_declares_exactly_the_variables_its_views_give(monkeypatch):
    """Every example of every rule, checked and fixed: the variables given are declared ones, and
    every declared one is given somewhere (a stale name would hide a misspelling)."""
    given: dict[str, set[str]] = {"clipping": set(), "divergence": set(), "pairs": set()}
    views = {"clipping": (clipping_views.ClipCall, clipping_views.Unpacking),
             "divergence": (divergence_views.DivergenceCall, divergence_views.ReductionSubscript,
                            divergence_views.OutputUnpacking),
             "pairs": (pairs_views.PairCall,)}
    for family, classes in views.items():
        for cls in classes:
            original = cls.variables

            def recording(self, exact=False, original=original, family=family):
                found = original(self, exact)
                given[family].update(found)
                return found

            monkeypatch.setattr(cls, "variables", recording)
    engine = engine_for(None)
    ruleset = load_ruleset()
    for rule in ruleset.rules:
        for example in rule.valid + rule.invalid:
            if example.original is None:
                engine.check(example.source)
                continue
            with tempfile.TemporaryDirectory() as directory:  # port-pair mode beside its original
                monkeypatch.chdir(directory)
                paired_engine(ruleset, rule, example.original, Path(directory)).check(
                    example.source, os.path.join("port", "model.py"))
    for family, names in given.items():
        assert names == set(BY_NAME[family].variables), family
