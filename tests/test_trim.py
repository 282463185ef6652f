"""A big file's check trims what the model and the analyses keep (FileContext.trim, every
TRIM_EVERY matched nodes), so its memory stays bounded. Every answer forgotten is found again
when asked: trimming after every single match changes no finding, fix or message."""

from pathlib import Path

import pytest
from ast_grep_py import SgRoot

from flake8_torch2ms import engine as engine_module
from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.engine import Engine
from flake8_torch2ms.families import Pairing
from flake8_torch2ms.semantics import bindings
from flake8_torch2ms.semantics.model import SemanticModel

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "fixtures" / "pairs"
FILES = sorted(path for path in (ROOT / "tests" / "fixtures").glob("**/*.py") if PAIRS not in path.parents) + sorted(
    (ROOT / "docs" / "examples").glob("*.py"))
PORTS = sorted((PAIRS / "port").glob("**/*.py"))
# The single-file rules' examples (a paired rule's needs its original: the pair fixture is below).
# With TRIM_EVERY = 1 a trim falls before every match, so between the matches of an example that
# has several, which may ask about the same names.
EXAMPLES = [example.source for rule in load_ruleset().rules if rule.family != "pairs"
            for kind in ("valid", "invalid") for example in getattr(rule, kind)]

STEPS = [  # a correct step, then one per finding: what each step's findings ask of the model differs
    "    loss, grads = grad_fn(data, label)\n    grads = ops.clip_by_value(grads, -CLIP, CLIP)\n",
    "    loss, grads = grad_fn(data, label)\n    grads = ops.clip_by_value(grads, CLIP, CLIP)\n",
    "    loss, grads = grad_fn(data, label)\n    ops.clip_by_value(grads, -CLIP, CLIP)\n",
    "    loss, grads = grad_fn(data, label)\n    grads = ops.clip_by_value(grads, CLIP)\n",
    "    grads, loss = grad_fn(data, label)\n    grads = ops.clip_by_value(grads, -CLIP, CLIP)\n",
]
# Module-level names every step reads (its gradient function, a constant bound): what a trim keeps.
GENERATED = ("import mindspore\nfrom mindspore import ops\n\nCLIP = 0.1\n"
             "grad_fn = mindspore.value_and_grad(forward, None, weights)\n"
             + "".join(f"\ndef train_step_{index}(data, label):\n{STEPS[index % len(STEPS)]}"
                       "    optimizer(grads)\n    return loss\n" for index in range(50)))


def findings_with_and_without_trims(engine, monkeypatch, source, path=None):
    kept = engine.check(source, path)
    monkeypatch.setattr(engine_module, "TRIM_EVERY", 1)
    return kept, engine.check(source, path)


@pytest.mark.parametrize("path", FILES, ids=[f"{path.parent.name}/{path.name}" for path in FILES])
def test_trimming_after_every_match_changes_no_finding_in_a_fixture(engine, monkeypatch, path):
    kept, trimmed = findings_with_and_without_trims(engine, monkeypatch, path.read_text(encoding="utf-8"))
    assert trimmed == kept  # torch_reference.py has none: a torch file


def test_trimming_after_every_match_changes_no_finding_in_any_rule_example(engine, monkeypatch):
    kept = [engine.check(source) for source in EXAMPLES]
    monkeypatch.setattr(engine_module, "TRIM_EVERY", 1)
    assert [engine.check(source) for source in EXAMPLES] == kept
    assert sum(map(len, kept)) > 20


def test_trimming_keeps_every_finding_of_a_generated_module(engine, monkeypatch):
    kept, trimmed = findings_with_and_without_trims(engine, monkeypatch, GENERATED)
    assert trimmed == kept
    assert len(kept) == 40 and len({finding.code for finding in kept}) == 4


@pytest.mark.parametrize("path", PORTS, ids=[path.name for path in PORTS])
def test_trimming_changes_no_finding_of_a_port_checked_against_its_original(ruleset, monkeypatch, path):
    paired = Engine(ruleset, Pairing(str(PAIRS / "original")))
    kept, trimmed = findings_with_and_without_trims(paired, monkeypatch, path.read_text(encoding="utf-8"), str(path))
    assert trimmed == kept and kept


def test_a_trimmed_model_keeps_the_module_and_the_scopes_around_the_next_match(monkeypatch):
    source = "import os\nlimit = 3\n\ndef step(grads):\n    clipped = grads\n    return os.sep, limit, clipped\n"
    root = SgRoot(source, "python").root()
    model = SemanticModel(root)
    names = {node.text(): node for node in root.find_all(kind="identifier")
             if node.parent().kind() in ("expression_list", "return_statement")}
    walked = []
    collect = bindings.collect_bindings
    monkeypatch.setattr(bindings, "collect_bindings",
                        lambda scope, *rest: walked.append(scope.kind()) or collect(scope, *rest))
    before = {name: model.lookup(node) for name, node in names.items()}
    assert sorted(walked) == ["function_definition", "module"]
    assert before["limit"].source.text() == "3" and before["clipped"].source.text() == "grads"
    model.trim(model.scopes_around(names["clipped"]))  # the next match is in step(): its scope is kept
    walked.clear()
    assert {name: model.lookup(node) for name, node in names.items()} == before
    assert walked == []
    model.trim(model.scopes_around(root.child(0)))  # the next match is outside every function: step()'s scope goes
    assert {name: model.lookup(node) for name, node in names.items()} == before
    assert walked == ["function_definition"]


def test_a_function_holding_many_matches_is_walked_once_however_often_it_is_trimmed(engine, monkeypatch):
    body = "".join(f"    g{index} = ops.clip_by_value(grads, c)\n    optimizer(g{index})\n" for index in range(30))
    source = ("from mindspore import ops\n\ndef step(grads):\n    c = 0.1\n" + body)
    kept = engine.check(source)
    walked = []
    collect = bindings.collect_bindings
    monkeypatch.setattr(bindings, "collect_bindings",
                        lambda scope, *rest: walked.append(scope.kind()) or collect(scope, *rest))
    monkeypatch.setattr(engine_module, "TRIM_EVERY", 1)
    assert engine.check(source) == kept and len(kept) == 30  # each: a single positional bound
    assert walked.count("function_definition") == 1
