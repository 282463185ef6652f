"""``torch2ms fix``: the fixes rules declare, applied safely (noqa, parse, idempotence, comments)."""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

import pytest

from flake8_torch2ms.fixes import fix_module
from test_cli import BAD, FIXTURES, run

ROOT = Path(__file__).resolve().parent.parent


def fix_text(engine, source: str) -> str:
    return fix_module(source, engine, lambda text, finding: True).text


@pytest.fixture
def fixed_corpus(tmp_path) -> tuple[Path, dict[str, str]]:
    originals = {}
    for path in FIXTURES:
        name = f"{path.parent.name}_{path.name}"
        shutil.copy(path, tmp_path / name)
        originals[name] = path.read_text(encoding="utf-8")
    return tmp_path, originals


def test_fix_then_check_leaves_only_findings_without_fixes(fixed_corpus):
    directory, originals = fixed_corpus
    before = json.loads(run("check", "--format", "json", ".", cwd=directory).stdout)
    assert any(item["fixable"] for item in before)
    result = run("fix", ".", cwd=directory)
    assert result.returncode == 1  # findings without a fix are left
    assert "fixed TMS103" in result.stdout and "[left: no automatic fix]" in result.stdout
    assert "[left: unsafe fix, applied only with --unsafe-fixes]" in result.stdout
    after = json.loads(run("check", "--format", "json", ".", cwd=directory).stdout)
    # Only the unsafe fixes are left for the asking: the unsafe rules' (TMS303, TMS305), and those
    # whose value comes from a parameter or an attribute other code shares (each said so).
    held = {line.split(": ")[0] for line in result.stdout.splitlines()
            if "[left: unsafe fix, applied only with --unsafe-fixes: " in line}
    left = {f"{item['path']}:{item['line']}:{item['column']}" for item in after
            if item["fixable"] and item["code"] not in ("TMS303", "TMS305")}
    assert after and held and left == held
    assert {item["code"] for item in after if item["fixable"]} >= {"TMS303", "TMS305"}
    fixed_codes = {item["code"] for item in before if item["fixable"]}
    assert fixed_codes == {"TMS102", "TMS103", "TMS104", "TMS106", "TMS301", "TMS302", "TMS303", "TMS304",
                           "TMS305", "TMS307"}
    result = run("fix", "--unsafe-fixes", ".", cwd=directory)
    assert "fixed TMS303" in result.stdout and "fixed TMS305" in result.stdout
    after = json.loads(run("check", "--format", "json", ".", cwd=directory).stdout)
    assert after and not [item for item in after if item["fixable"]]
    for name, original in originals.items():
        text = (directory / name).read_text(encoding="utf-8")
        ast.parse(text)
        # Fixes edit inside lines only: every comment line is still there, in order.
        assert _comments(text) == _comments(original), name
        assert text.count("\n") == original.count("\n"), name


def test_equal_bounds_are_not_offered_a_swap(tmp_path):
    """Bounds equal only once computed (1 / 2 and 0.5): swapping them would change nothing, so the
    finding is not marked fixable and ``torch2ms fix`` says there is no automatic fix."""
    source = "from mindspore import ops\n\n\ndef step(probs):\n    return ops.clip_by_value(probs, 1 / 2, 0.5)\n"
    (tmp_path / "step.py").write_text(source, encoding="utf-8")
    checked = json.loads(run("check", "--format", "json", "step.py", cwd=tmp_path).stdout)
    assert [(item["line"], item["code"], item["fixable"]) for item in checked] == [(5, "TMS106", False)]
    result = run("fix", "step.py", cwd=tmp_path)
    assert "TMS106" in result.stdout and "[left: no automatic fix]" in result.stdout
    assert (tmp_path / "step.py").read_text(encoding="utf-8") == source


def _comments(source: str) -> list[str]:
    return [line for line in source.splitlines() if line.strip().startswith("#")]


def test_fix_is_idempotent(fixed_corpus):
    directory, _ = fixed_corpus
    run("fix", ".", cwd=directory)
    first = {path.name: path.read_text(encoding="utf-8") for path in directory.iterdir()}
    second = run("fix", ".", cwd=directory)
    assert "fixed 0 finding(s) in 0 file(s)" in second.stdout
    assert {path.name: path.read_text(encoding="utf-8") for path in directory.iterdir()} == first


def test_diff_prints_and_writes_nothing(tmp_path):
    source = BAD
    (tmp_path / "train.py").write_text(source)
    result = run("fix", "--diff", "train.py", cwd=tmp_path)
    assert result.returncode == 1
    assert "-    grads = ops.clip_by_value(grads, 0.1)\n+    grads = ops.clip_by_value(grads, -0.1, 0.1)\n" \
        in result.stdout
    assert result.stdout.startswith("--- a/train.py\n+++ b/train.py\n")
    assert (tmp_path / "train.py").read_text() == source
    assert "would fix 1 finding(s) in 1 file(s); 0 left" in result.stderr
    walked = run("fix", "--diff", ".", cwd=tmp_path)  # git's a/ b/ names, without "./", for `git apply`
    assert walked.stdout.startswith("--- a/train.py\n+++ b/train.py\n")


def test_clean_after_fix_exits_0(tmp_path):
    (tmp_path / "train.py").write_text(BAD)
    assert run("fix", "train.py", cwd=tmp_path).returncode == 0
    assert run("check", "train.py", cwd=tmp_path).returncode == 0


NOQA = """\
from mindspore import ops


def step(grads):
    grads = ops.clip_by_value(grads, 0.1)  # noqa: TMS103
    grads = ops.clip_by_value(grads, 0.2)  # noqa
    grads = ops.clip_by_value(grads, 0.3)  # noqa: TMS104
    return grads
"""


def test_fix_never_touches_a_line_whose_noqa_covers_the_finding(tmp_path):
    (tmp_path / "train.py").write_text(NOQA)
    run("fix", "train.py", cwd=tmp_path)
    lines = (tmp_path / "train.py").read_text().splitlines()
    assert lines[4] == "    grads = ops.clip_by_value(grads, 0.1)  # noqa: TMS103"
    assert lines[5] == "    grads = ops.clip_by_value(grads, 0.2)  # noqa"
    assert lines[6] == "    grads = ops.clip_by_value(grads, -0.3, 0.3)  # noqa: TMS104"


@pytest.mark.parametrize("before, after", [
    # TMS103: the bound is negated, parenthesised unless a name or a number.
    ("grads = ops.clip_by_value(grads, c)", "grads = ops.clip_by_value(grads, -c, c)"),
    ("grads = ops.clip_by_value(grads, self.clip)", "grads = ops.clip_by_value(grads, -self.clip, self.clip)"),
    ("grads = ops.clip_by_value(grads, a + b)", "grads = ops.clip_by_value(grads, -(a + b), a + b)"),
    ("grads = ops.clip_by_value(grads, cfg['clip'])", "grads = ops.clip_by_value(grads, -(cfg['clip']), cfg['clip'])"),
    ("grads = ops.clip_by_value(grads, -c)", "grads = ops.clip_by_value(grads, -c, c)"),
    # TMS104: the missing mirrored bound.
    ("grads = ops.clip_by_value(grads, clip_value_max=2.0)", "grads = ops.clip_by_value(grads, -2.0, 2.0)"),
    ("grads = ops.clamp(grads, None, m)", "grads = ops.clamp(grads, -m, m)"),
    ("grads = ops.clip_by_value(grads, clip_value_min=-x)", "grads = ops.clip_by_value(grads, -x, x)"),
    # TMS106: swapped constants.
    ("grads = ops.clip_by_value(grads, 1.0, -1.0)", "grads = ops.clip_by_value(grads, -1.0, 1.0)"),
    # TMS102: assigned back to a plain name.
    ("ops.clip_by_global_norm(grads, 1.0)", "grads = ops.clip_by_global_norm(grads, 1.0)"),
])
def test_each_declared_fix(engine, before, after):
    source = f"from mindspore import ops\n\n\ndef step(grads, c, a, b, m, x, cfg):\n    {before}\n    return grads\n"
    assert fix_text(engine, source) == source.replace(before, after)


@pytest.mark.parametrize("source", [
    # TMS102 on a value that is not a plain name: assigning to it would need judgement.
    "from mindspore import ops\n\n\nclass T:\n    def step(self):\n        ops.clip_by_value(self.grads, -1.0, 1.0)\n",
    # Equal bounds: swapping changes nothing, so there is no fix.
    "from mindspore import ops\n\n\ndef step(grads, c):\n    grads = ops.clip_by_value(grads, c, c)\n"
    "    return grads\n",
    # A comment inside the call would be lost by rewriting it.
    "from mindspore import ops\n\n\ndef step(grads, c):\n    grads = ops.clip_by_value(grads,  # torch's c\n"
    "                          c)\n    return grads\n",
    # In parentheses, `(grads = ...)` would not parse: the fix is refused.
    "from mindspore import ops\n\n\ndef step(grads):\n    (ops.clip_by_global_norm(grads, 1.0))\n    return grads\n",
])
def test_fixes_that_need_judgement_are_not_applied(engine, source):
    assert engine.check(source)
    assert fix_text(engine, source) == source


def test_fix_keeps_comments_and_formatting_around_the_edit(engine):
    source = ("from mindspore import ops  # the MindSpore port\n\n\ndef step(grads):\n"
              "    # torch: clip_grad_value_(p, 0.5)\n"
              "    grads = ops.clip_by_value(grads, 0.5)    # was c\n\n\n    return grads  \n")
    expected = source.replace("ops.clip_by_value(grads, 0.5)", "ops.clip_by_value(grads, -0.5, 0.5)")
    assert fix_text(engine, source) == expected


def test_fix_keeps_crlf_and_the_bom(tmp_path):
    source = ("\ufefffrom mindspore import ops\r\n\r\n\r\ndef step(grads):\r\n"
              "    grads = ops.clip_by_value(grads, 0.5)\r\n"
              "    return grads\r\n")
    (tmp_path / "train.py").write_bytes(source.encode("utf-8"))
    assert run("check", "train.py", cwd=tmp_path).stdout.startswith("train.py:5:13: TMS103")
    run("fix", "train.py", cwd=tmp_path)
    assert (tmp_path / "train.py").read_bytes().decode("utf-8") == source.replace("(grads, 0.5)", "(grads, -0.5, 0.5)")


def test_every_declared_fix_is_listed_in_the_cli_docs(ruleset):
    page = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for rule in ruleset.rules:
        if rule.fix:
            assert f"| {rule.code} |" in page and f"`{rule.fix}`" in page, rule.code
