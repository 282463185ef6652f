"""A user's own rules, run as the user runs them: ``torch2ms fix`` applies a user rule's ``fix:``
built from its ast-grep metavariables, and two user rules with different metavariables that
match the same call both print filled-in messages, under ``torch2ms check`` and under flake8."""

import subprocess
import sys
import textwrap
from pathlib import Path

TORCH2MS = [sys.executable, "-m", "flake8_torch2ms.cli"]

FIXABLE_RULES = """\
rules:
  - id: clamp-on-gradients
    code: TMS901
    message: "write ops.clip_by_value($X, $LOW, $HIGH) (team style)"
    rule: {pattern: "ops.clamp($X, $LOW, $HIGH)"}
    fix: ops.clip_by_value($X, $LOW, $HIGH)
  - id: print-in-construct
    code: TMS902
    message: "print($$$ARGS) is not supported in graph mode; use ops.Print"
    rule: {pattern: "print($$$ARGS)"}
    fix: ops.Print()($$$ARGS)
"""

PORTED = """\
from mindspore import ops


def construct(self, grads, step):
    print("step", step,  grads)
    grads = ops.clamp(grads, -self.clip, self.clip)
    return ops.clamp(grads[0] * 2, -1.0, 1.0), grads
"""

EXPECTED_FIX = """\
from mindspore import ops


def construct(self, grads, step):
    ops.Print()("step", step,  grads)
    grads = ops.clip_by_value(grads, -self.clip, self.clip)
    return ops.clip_by_value(grads[0] * 2, -1.0, 1.0), grads
"""

TWO_RULES_ON_ONE_CALL = """\
rules:
  - id: clip-names-its-value
    code: TMS903
    message: "clips $VALUE_CLIPPED"
    rule: {pattern: "ops.clip_by_value($VALUE_CLIPPED, $$$REST)"}
  - id: clip-names-its-bounds
    code: TMS904
    message: "between $LOW and $HIGH"
    rule: {pattern: "ops.clip_by_value($X, $LOW, $HIGH)"}
"""

CLIPPED = "from mindspore import ops\n\ngrads = ops.clip_by_value(grads, -0.5, 0.5)\n"


def write(directory: Path, config: str, source: str) -> None:
    (directory / "torch2ms.yml").write_text(config, encoding="utf-8")
    (directory / "step.py").write_text(source, encoding="utf-8")


def run(directory: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*TORCH2MS, *args], cwd=directory, capture_output=True, text=True, timeout=300)


def test_torch2ms_fix_applies_a_user_rules_metavariable_fix(tmp_path):
    write(tmp_path, FIXABLE_RULES, PORTED)
    result = run(tmp_path, "fix", "--config", "torch2ms.yml", "--select", "TMS9", "step.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "step.py").read_text(encoding="utf-8") == EXPECTED_FIX
    *fixed, summary = result.stdout.splitlines()
    assert sorted(fixed) == [  # listed in the order applied, from the end of the file up
        'step.py:5:5: fixed TMS902 print("step", step, grads) is not supported in graph mode; use ops.Print',
        "step.py:6:13: fixed TMS901 write ops.clip_by_value(grads, -self.clip, self.clip) (team style)",
        "step.py:7:12: fixed TMS901 write ops.clip_by_value(grads[0] * 2, -1.0, 1.0) (team style)",
    ]
    assert summary == "torch2ms: fixed 3 finding(s) in 1 file(s); 0 left."


def test_two_user_rules_on_one_call_both_fill_their_messages(tmp_path):
    write(tmp_path, TWO_RULES_ON_ONE_CALL, CLIPPED)
    result = run(tmp_path, "check", "--config", "torch2ms.yml", "--select", "TMS9", "step.py")
    assert result.stdout.splitlines() == ["step.py:3:9: TMS903 clips grads", "step.py:3:9: TMS904 between -0.5 and 0.5"]
    assert result.returncode == 1


def test_flake8_prints_both_user_messages_too(tmp_path):
    write(tmp_path, TWO_RULES_ON_ONE_CALL, CLIPPED)
    result = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "TMS9",
                             "--torch2ms-config", "torch2ms.yml", "step.py"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=300)
    assert result.stdout.splitlines() == ["step.py:3:9: TMS903 clips grads", "step.py:3:9: TMS904 between -0.5 and 0.5"]
    assert result.returncode == 1


def test_the_fixed_file_is_clean_under_the_same_rules(tmp_path):
    write(tmp_path, FIXABLE_RULES, textwrap.dedent(EXPECTED_FIX))
    result = run(tmp_path, "check", "--config", "torch2ms.yml", "--select", "TMS9", "step.py")
    assert (result.returncode, result.stdout) == (0, "")
