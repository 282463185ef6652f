"""Smaller promises kept through the real commands: every SARIF result points at a rule entry
(E902, E999 and TMS000 included); a folder given as the configuration is named as one; TMS201
says what the leftover does (torch's function clips torch tensors; a torch name under mindspore
fails when it runs)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from flake8_torch2ms import cli
from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.engine import engine_for, internal_error
from test_cli import BAD, TORCH2MS
from tools import flake8, torch2ms


def test_every_sarif_result_points_at_its_rule_entry(tmp_path, monkeypatch, capsys):
    (tmp_path / "broken.ipynb").write_text("[]", encoding="utf-8")  # E902
    (tmp_path / "syntax.py").write_text("from mindspore import ops\nops.clip_by_value(grads, 0.1\n", encoding="utf-8")
    (tmp_path / "train.py").write_text(BAD, encoding="utf-8")
    result = torch2ms("check", "--format", "sarif", "-j", "1", ".", cwd=tmp_path)
    run = json.loads(result.stdout)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert sorted(result["ruleId"] for result in run["results"]) == ["E902", "E999", "TMS103"]
    for item in run["results"]:
        entry = rules[item["ruleIndex"]]
        assert entry["id"] == item["ruleId"] and entry["shortDescription"]["text"] and entry["help"]["text"]
    assert len({entry["id"] for entry in rules}) == len(rules)
    # Each rule's help is its documentation (the rule set's: the engine's rules leave it out).
    documented = {rule.code: rule for rule in load_ruleset().rules}
    tms103 = next(entry for entry in rules if entry["id"] == "TMS103")
    assert documented["TMS103"].note and tms103["help"]["text"] == documented["TMS103"].note
    assert "## Why is this bad?" in tms103["help"]["markdown"]
    assert documented["TMS103"].invalid[0].source.strip().splitlines()[-1] in tms103["help"]["markdown"]
    # TMS000 too (the checker failing on a file), in process with a failing engine.
    monkeypatch.setattr(type(engine_for(None)), "check", lambda self, source, path=None: [
        internal_error("clip-result-discarded", RuntimeError("boom"))])
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "--format", "sarif", "-j", "1", "train.py"]) == 2
    run = json.loads(capsys.readouterr().out)["runs"][0]
    (item,) = run["results"]
    assert run["tool"]["driver"]["rules"][item["ruleIndex"]]["id"] == item["ruleId"] == "TMS000"


@pytest.mark.parametrize("how", ["flake8-option", "torch2ms-option", "flake8-config-file", "torch2ms-config-file"])
def test_a_folder_given_as_the_configuration_is_named_as_one(tmp_path, how):
    (tmp_path / "rules").mkdir()
    (tmp_path / "train.py").write_text(BAD, encoding="utf-8")
    if how.endswith("config-file"):
        (tmp_path / "setup.cfg").write_text("[flake8]\ntorch2ms-config = rules\n", encoding="utf-8")
        args = []
    else:
        args = ["--torch2ms-config" if how.startswith("flake8") else "--config", "rules"]
    if how.startswith("flake8"):
        result = flake8("--select", "TMS", *args, "train.py", cwd=tmp_path)
    else:
        result = torch2ms("check", *args, "train.py", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert "rules: is a directory, not a YAML configuration file (" in result.stderr
    assert "not found" not in result.stderr


def test_tms201_says_what_the_leftover_does(tmp_path):
    (tmp_path / "train.py").write_text(
        "import mindspore as ms\nimport torch\n\n\ndef step(net):\n"
        "    torch.nn.utils.clip_grad_norm_(net.trainable_params(), 1.0)\n"
        "    ms.nn.utils.clip_grad_norm(net.trainable_params(), max_norm=1.0)\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "TMS201", "train.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("train.py:6:5: TMS201 PyTorch clipping torch.nn.utils.clip_grad_norm_(...) left in "
                               "MindSpore code clips torch tensors, never the MindSpore gradients; ")
    assert lines[1].startswith("train.py:7:5: TMS201 PyTorch clipping ms.nn.utils.clip_grad_norm(...) left in "
                               "MindSpore code fails when it runs (MindSpore has no such function")
    assert len(lines) == 2 and "does nothing" not in result.stdout
    assert subprocess.run([*TORCH2MS, "check", "--select", "TMS201", "train.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120).stdout == result.stdout


def line_in(output: str, form: str, code: str) -> int:
    """The line a format gives the report of ``code`` (each format has one such report here)."""
    if form == "text":
        return int(next(line for line in output.splitlines() if f" {code} " in line).split(":")[1])
    if form == "json":
        return next(item["line"] for item in json.loads(output) if item["code"] == code)
    if form == "github":
        annotation = next(line for line in output.splitlines() if f"title={code}" in line)
        return int(annotation.split("line=")[1].split(",")[0])
    results = json.loads(output)["runs"][0]["results"]
    item = next(item for item in results if item["ruleId"] == code)
    return item["locations"][0]["physicalLocation"]["region"]["startLine"]


@pytest.mark.parametrize("form", ["text", "json", "github", "sarif"])
def test_every_format_puts_every_kind_of_report_on_its_line(tmp_path, monkeypatch, capsys, form):
    """A finding, a syntax error in a Python file and one in a notebook's cell: every format puts
    each where it is (for a notebook, the cell's line in text and json, the file's line in the
    formats that only know files)."""
    (tmp_path / "syntax.py").write_text("from mindspore import ops\n\nops.clip_by_value(grads, 0.1\n", encoding="utf-8")
    (tmp_path / "train.py").write_text(BAD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for path, code, line in (("syntax.py", "E999", 3), ("train.py", "TMS103", 5)):
        cli.main(["check", "--format", form, "-j", "1", path])
        assert line_in(capsys.readouterr().out, form, code) == line, (path, form)
