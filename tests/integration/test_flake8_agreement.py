"""One tree, one configuration file: ``flake8 --select TMS`` and ``torch2ms check`` report the same
findings, so the two pre-commit hooks agree (tests/integration/test_precommit.py runs the hooks)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tools import flake8, torch2ms

HEADER = "from mindspore import ops\nimport torch\n\n\ndef step(model, grads):\n"
SINGLE_BOUND = "    grads = ops.clip_by_value(grads, 0.1)\n"  # TMS103
ASYMMETRIC = "    grads = ops.clip_by_value(grads, 0.0, 1.0)\n"  # TMS105
TORCH_LEFTOVER = "    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\n"  # TMS201
FOOTER = "    return grads\n"

CONFIG = """\
[flake8]
max-line-length = 120
extend-ignore = TMS105
per-file-ignores =
    tests/*: TMS1
    scripts/legacy.py: TMS201
exclude = .git,build
extend-exclude = vendor,*_generated.py
"""

TREE = {
    "src/train.py": [SINGLE_BOUND, ASYMMETRIC, TORCH_LEFTOVER],
    "tests/test_train.py": [SINGLE_BOUND, TORCH_LEFTOVER],
    "scripts/legacy.py": [SINGLE_BOUND, TORCH_LEFTOVER],
    "src/model_generated.py": [SINGLE_BOUND],
    "build/lib/train.py": [SINGLE_BOUND],
    "vendor/clip.py": [SINGLE_BOUND],
}
# What both must report: extend-ignore, per-file-ignores, exclude and extend-exclude applied.
EXPECTED = {("scripts/legacy.py", "TMS103"), ("src/train.py", "TMS103"), ("src/train.py", "TMS201"),
            ("tests/test_train.py", "TMS201")}


@pytest.fixture
def tree(tmp_path) -> Path:
    (tmp_path / "setup.cfg").write_text(CONFIG, encoding="utf-8")
    for name, body in TREE.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(HEADER + "".join(body) + FOOTER, encoding="utf-8")
    return tmp_path


def found(output: str) -> set[tuple[str, str]]:
    return {(os.path.normpath(line.split(":")[0]).replace(os.sep, "/"), line.split(" ")[1])
            for line in output.splitlines()}


def test_a_directory_walk(tree):
    theirs = flake8("--select", "TMS", ".", cwd=tree)
    ours = torch2ms("check", ".", cwd=tree)
    assert found(theirs.stdout) == found(ours.stdout) == EXPECTED
    assert sorted(theirs.stdout.splitlines()) == sorted(ours.stdout.splitlines())


def test_files_named_on_the_command_line_as_pre_commit_passes_them(tree):
    names = sorted(TREE)
    theirs = flake8("--select", "TMS", *names, cwd=tree)
    ours = torch2ms("check", *names, cwd=tree)
    assert found(theirs.stdout) == found(ours.stdout)
    # As in flake8, a pattern without a slash matches a file's base name: a file named explicitly
    # inside an excluded folder (build/, vendor/) is checked (pre-commit's own 'exclude:' skips it).
    assert found(ours.stdout) == EXPECTED | {("build/lib/train.py", "TMS103"), ("vendor/clip.py", "TMS103")}


def test_an_inline_comment_in_an_ignore_list_is_a_clear_error_not_a_traceback(tree):
    (tree / "setup.cfg").write_text("[flake8]\nextend-ignore = TMS105   # everywhere\n", encoding="utf-8")
    result = torch2ms("check", ".", cwd=tree)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"torch2ms: {tree / 'setup.cfg'}: extend-ignore: '#' is not an error code (an inline "
                             "comment? flake8 reads '#' and what follows as part of the value)\n")
