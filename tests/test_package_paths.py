"""Relative imports resolve from the file's place inside MindSpore's own package, and nowhere else.

MindSpore's sources write ``from ..ops import composite as C``; only the file's path says which
module that is. The flake8 plugin passes the path; ``Engine.check`` takes it as an optional
argument.
"""

import subprocess
import sys
import textwrap

import pytest

from flake8_torch2ms.semantics.imports import absolute as _absolute, mindspore_package as _mindspore_package

SOURCE = textwrap.dedent("""\
    from ..ops import composite as C
    from ...ops.composite import clip_by_value


    def clip(grads, clip_value):
        grads = C.clip_by_value(grads, clip_value)
        return clip_by_value(grads, clip_value)
    """)


@pytest.mark.parametrize("path, expected", [
    ("site-packages/mindspore/nn/optim/thor.py", ("mindspore", "nn", "optim")),
    ("mindspore/__init__.py", ("mindspore",)),
    ("/home/me/mindspore/mindspore/nn/wrap/cell.py", ("mindspore", "nn", "wrap")),  # the innermost
    ("C:\\src\\mindspore\\ops\\clip.py", ("mindspore", "ops")),
    ("mindnlp/mindtorch/nn/utils/clip_grad.py", None),
    ("train.py", None),
    (None, None),
    # a folder no import can name: not a package the relative imports could resolve in
    ("mindspore/nn-utils/clip.py", None),
    ("mindspore/2d/clip.py", None),
    ("mindspore/\u00e9t\u00e9/clip.py", None),  # Python would accept it; the import table keeps ASCII names
    ("mindspore/_private/clip.py", ("mindspore", "_private")),
])
def test_package_of_a_path(path, expected):
    assert _mindspore_package(path) == expected


def test_relative_names_made_absolute():
    package = ("mindspore", "nn", "optim")
    assert _absolute("..ops", package) == "mindspore.nn.ops"
    assert _absolute("...ops.composite", package) == "mindspore.ops.composite"
    assert _absolute(".", package) == "mindspore.nn.optim"
    assert _absolute("....beyond", package) == "....beyond"  # above the top: left relative, never a fact
    assert _absolute("mindspore.ops", package) == "mindspore.ops"
    assert _absolute("..ops", None) == "..ops"


def test_relative_imports_resolve_inside_mindspore_only(engine):
    def found(path=None):
        return [(finding.line, finding.code) for finding in engine.check(SOURCE, path)]

    # In mindspore/nn/optim, ..ops is mindspore.nn.ops (no clip function) and ...ops.composite is
    # mindspore.ops.composite: only line 7 calls MindSpore's clip_by_value.
    assert found("mindspore/nn/optim/clip.py") == [(7, "TMS103")]
    # One level up, ..ops is mindspore.ops and ...ops.composite climbs above the package.
    assert found("mindspore/nn/clip.py") == [(6, "TMS103")]
    # Outside MindSpore (mindnlp ships its own `ops`), or without a path: nothing resolves.
    assert found("mindnlp/nn/optim/clip.py") == []
    assert found() == []


def test_flake8_passes_the_path(tmp_path):
    package = tmp_path / "mindspore" / "nn" / "optim"
    package.mkdir(parents=True)
    (package / "clip.py").write_text(SOURCE)
    result = subprocess.run([sys.executable, "-m", "flake8", "--select", "TMS", "mindspore"],
                            cwd=tmp_path, capture_output=True, text=True)
    assert result.stdout.splitlines() == [
        "mindspore/nn/optim/clip.py:7:12: TMS103 clip_by_value(grads, clip_value) makes clip_value the minimum, "
        "not a limit on both sides; write clip_by_value(grads, -clip_value, clip_value)"]


def test_torch2ms_check_and_fix_pass_the_path_as_flake8_does(tmp_path):
    """Both front ends, one file inside MindSpore's own package: the same finding at the same place."""
    package = tmp_path / "mindspore" / "nn" / "optim"
    package.mkdir(parents=True)
    (package / "clip.py").write_text(SOURCE)
    flake8 = subprocess.run([sys.executable, "-m", "flake8", "--select", "TMS", "mindspore"],
                            cwd=tmp_path, capture_output=True, text=True)
    check = subprocess.run([sys.executable, "-m", "flake8_torch2ms.cli", "check", "mindspore"],
                           cwd=tmp_path, capture_output=True, text=True)
    expected = [["mindspore/nn/optim/clip.py:7:12:", "TMS103"]]
    assert [line.split(" ")[:2] for line in flake8.stdout.splitlines()] == expected
    assert [line.split(" ")[:2] for line in check.stdout.splitlines()] == expected
    fix = subprocess.run([sys.executable, "-m", "flake8_torch2ms.cli", "fix", "mindspore"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert fix.returncode == 0, fix.stdout + fix.stderr
    assert "clip_by_value(grads, -clip_value, clip_value)" in (package / "clip.py").read_text()
