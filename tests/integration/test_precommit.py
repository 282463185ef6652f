"""The real pre-commit, running this repository's hooks (.pre-commit-hooks.yaml) with ``try-repo``.

pre-commit builds a virtualenv and pip-installs this repository into it (from the package index
pip is configured with), once per test session. The hooks are taken from a snapshot of the working
tree committed into a temporary repository, so the test checks the hooks as they are now.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import test_flake8_agreement as agreement
from ci_requirements import import_or_skip, skip_or_fail
from snippets import snippet

import_or_skip("pre_commit", reason="pre-commit is in the test extra: pip install '.[test]'")
if shutil.which("git") is None:
    skip_or_fail("pre-commit needs git", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
BAD = "from mindspore import ops\n\n\ndef step(grads):\n    grads = ops.clip_by_value(grads, 0.1)\n    return grads\n"
GOOD = BAD.replace("clip_by_value(grads, 0.1)", "clip_by_value(grads, -0.1, 0.1)")
GIT = ["git", "-c", "user.email=tests@example.invalid", "-c", "user.name=tests", "-c", "commit.gpgsign=false"]


def _git(cwd: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def hooks_repo(tmp_path_factory) -> Path:
    """This repository's files (tracked and new, as git lists them) committed into a fresh repository."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    snapshot = tmp_path_factory.mktemp("hooks-repo")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            target = snapshot / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    _git(snapshot, "init", "-q")
    _git(snapshot, "add", "-A")
    _git(snapshot, "commit", "-q", "-m", "snapshot")
    return snapshot


@pytest.fixture(scope="module")
def environment(tmp_path_factory) -> dict:
    env = dict(os.environ)
    env["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))  # one hook env for the module
    env.pop("PRE_COMMIT", None)
    return env


def _project(tmp_path: Path, files: dict[str, str]) -> Path:
    project = tmp_path / "project"
    project.mkdir()
    _git(project, "init", "-q")
    for name, text in files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
        _git(project, "add", name)
    return project


def _try_repo(project: Path, hooks_repo: Path, hook: str, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hooks_repo), hook, *args],
                          cwd=project, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("hook", ["torch2ms", "flake8-torch2ms"])
def test_hook_fails_on_a_bad_staged_file_and_passes_once_fixed(tmp_path, hooks_repo, environment, hook):
    project = _project(tmp_path, {"train.py": BAD})
    failed = _try_repo(project, hooks_repo, hook, environment)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "train.py:5:13: TMS103" in failed.stdout

    (project / "train.py").write_text(GOOD, encoding="utf-8")
    _git(project, "add", "train.py")
    passed = _try_repo(project, hooks_repo, hook, environment)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout


def test_fix_hook_rewrites_the_file_then_passes(tmp_path, hooks_repo, environment):
    project = _project(tmp_path, {"train.py": BAD})
    first = _try_repo(project, hooks_repo, "torch2ms-fix", environment)
    assert first.returncode == 1, first.stdout + first.stderr  # pre-commit fails a hook that changed files
    assert (project / "train.py").read_text(encoding="utf-8") == GOOD
    _git(project, "add", "train.py")
    second = _try_repo(project, hooks_repo, "torch2ms-fix", environment)
    assert second.returncode == 0, second.stdout + second.stderr


PAGE = ("# Porting notes\n\n```python\nfrom mindspore import nn\n    \n\nlayer = nn.Dropout(0.1)\n```\n\n"
        "```python\nx = 1\n  \n```\n")


def test_fix_docs_hook_fixes_a_page_then_passes(tmp_path, hooks_repo, environment):
    project = _project(tmp_path, {"docs/port.md": PAGE})
    first = _try_repo(project, hooks_repo, "torch2ms-fix-docs", environment)
    assert first.returncode == 1, first.stdout + first.stderr
    # Only the fix's characters change: the whitespace-only lines of both blocks stay.
    fixed = (project / "docs" / "port.md").read_text(encoding="utf-8")
    assert fixed == PAGE.replace("Dropout(0.1)", "Dropout(p=0.1)")
    _git(project, "add", "docs/port.md")
    second = _try_repo(project, hooks_repo, "torch2ms-fix-docs", environment)
    assert second.returncode == 0, second.stdout + second.stderr


def test_no_staged_python_files_passes(tmp_path, hooks_repo, environment):
    project = _project(tmp_path, {"notes.txt": "ops.clip_by_value(grads, 0.1)\n"})
    for hook in ("torch2ms", "flake8-torch2ms"):
        result = _try_repo(project, hooks_repo, hook, environment)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no files to check" in result.stdout


def _findings(output: str) -> set[tuple[str, str]]:
    """(path, code) of the finding lines in a hook's output."""
    return {(line.split(":")[0], line.split(" ")[1]) for line in output.splitlines()
            if re.match(r"^[\w./-]+:\d+:\d+: [A-Z]+\d+ ", line)}


def test_both_hooks_agree_on_one_tree_with_one_config(tmp_path, hooks_repo, environment):
    """flake8's extend-ignore, per-file-ignores, exclude and extend-exclude, read by both hooks."""
    files = {"setup.cfg": agreement.CONFIG}
    for name, body in agreement.TREE.items():
        files[name] = agreement.HEADER + "".join(body) + agreement.FOOTER
    project = _project(tmp_path, files)
    results = {hook: _try_repo(project, hooks_repo, hook, environment, "--all-files")
               for hook in ("torch2ms", "flake8-torch2ms")}
    for result in results.values():
        assert result.returncode == 1, result.stdout + result.stderr
    # Files named explicitly, as pre-commit passes them: see test_flake8_agreement for build/ and vendor/.
    expected = agreement.EXPECTED | {("build/lib/train.py", "TMS103"), ("vendor/clip.py", "TMS103")}
    assert _findings(results["torch2ms"].stdout) == _findings(results["flake8-torch2ms"].stdout) == expected


def test_the_documented_configuration_with_a_clone_by_path_and_commit(tmp_path, hooks_repo, environment):
    """docs/pre-commit.md's configuration, with the snapshot's path and commit, run by pre-commit."""
    text = snippet("docs/pre-commit.md", "precommit-clone").text
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hooks_repo, check=True, capture_output=True,
                            text=True).stdout.strip()
    config = re.sub(r"repo: /path/to/flake8-torch2ms", f"repo: {hooks_repo}", text)
    config = re.sub(r"rev: [0-9a-f]{40}", f"rev: {commit}", config)
    assert config != text and str(hooks_repo) in config and commit in config
    page = "# Porting\n\n```python\nfrom mindspore import ops\ngrads = ops.clip_by_value(grads, 0.1)\n```\n"
    project = _project(tmp_path, {".pre-commit-config.yaml": config, "train.py": BAD, "guide.md": page})
    result = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"], cwd=project,
                            env=environment, capture_output=True, text=True, timeout=900)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "train.py:5:13: TMS103" in result.stdout and "guide.md:5:9: TMS103" in result.stdout
