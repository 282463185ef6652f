"""Under CI=true (as .ci/run runs the suite) a missing test extra fails the run instead of
skipping the tests that need it; on a developer's machine it is still a skip."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent

NEEDS_A_MISSING_EXTRA = """\
from ci_requirements import import_or_skip, skip_or_fail

import_or_skip("torch2ms_no_such_module", reason="not installed")


def test_uses_it():
    pass
"""

NEEDS_A_MISSING_TOOL = """\
from ci_requirements import skip_or_fail


def test_needs_a_tool():
    skip_or_fail("the tool is not installed")
"""


def run_pytest(directory: Path, ci: bool) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    if ci:
        env["CI"] = "true"
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", str(directory)],
                          cwd=directory, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("source", [NEEDS_A_MISSING_EXTRA, NEEDS_A_MISSING_TOOL], ids=["import", "tool"])
def test_a_missing_requirement_skips_locally_and_fails_in_ci(tmp_path, source):
    (tmp_path / "test_needs.py").write_text(source, encoding="utf-8")
    (tmp_path / "test_other.py").write_text("def test_other():\n    pass\n", encoding="utf-8")
    local = run_pytest(tmp_path, ci=False)
    assert local.returncode == 0, local.stdout
    assert local.stdout.strip().splitlines()[-1].startswith("1 passed, 1 skipped"), local.stdout
    ci = run_pytest(tmp_path, ci=True)
    summary = ci.stdout.strip().splitlines()[-1]
    assert ci.returncode != 0 and "skipped" not in summary and ("failed" in summary or "error" in summary), ci.stdout
    assert ("ModuleNotFoundError: No module named 'torch2ms_no_such_module'" in ci.stdout
            or "the tool is not installed (CI=true: this is not skipped in CI)" in ci.stdout), ci.stdout
