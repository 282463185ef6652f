"""The plugin as users run it: the real flake8 command, in a subprocess, from another directory."""

import subprocess
import sys
import textwrap

import pytest

from flake8_torch2ms.families import BY_NAME

BAD = textwrap.dedent(
    """\
    from mindspore import ops


    def step(data, label):
        loss, grads = grad_fn(data, label)
        grads = ops.clip_by_value(grads, 0.1)
        return optimizer(grads)
    """
)
# ops.clip_by_value starts at line 6, character 12 (0-based): flake8 prints column 13.
BAD_FINDING = "train.py:6:13: TMS103"


def flake8(*args, cwd, stdin=None):
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "TMS", *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture
def project(tmp_path):
    (tmp_path / "train.py").write_text(BAD, encoding="utf-8")
    return tmp_path


def test_plugin_is_registered(tmp_path):
    result = subprocess.run([sys.executable, "-m", "flake8", "--version"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert "flake8-torch2ms" in result.stdout


def test_prints_path_line_and_one_based_column(project):
    result = flake8("train.py", cwd=project)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("train.py:6:13: TMS103 ops.clip_by_value(grads, 0.1) makes 0.1 the minimum")


def test_column_counts_characters_like_pycodestyle(tmp_path):
    # Non-ASCII text before the call: columns are characters, not bytes, for us and for pycodestyle.
    source = 'from mindspore import ops\ngrads = grad_fn(x)[1]\ns = "é€"; grads = ops.clip_by_value(grads, 0.1)\n'
    (tmp_path / "train.py").write_text(source, encoding="utf-8")
    result = flake8("--select", "TMS,E702", "train.py", cwd=tmp_path)
    found = {line.split(" ")[1]: line.split(" ")[0] for line in result.stdout.splitlines()}
    assert found["E702"] == "train.py:3:9:"
    assert found["TMS103"] == f"train.py:3:{source.splitlines()[2].index('ops.clip') + 1}:" == "train.py:3:19:"


def test_standard_input_as_editors_send_it(tmp_path):
    result = flake8("--stdin-display-name", "train.py", "-", cwd=tmp_path, stdin=BAD)
    assert result.returncode == 1
    assert result.stdout.startswith(BAD_FINDING)


def test_parallel_workers_give_the_same_findings(tmp_path):
    for index in range(6):
        (tmp_path / f"train_{index}.py").write_text(BAD, encoding="utf-8")
        (tmp_path / f"clean_{index}.py").write_text("x = 1\n", encoding="utf-8")
    serial = flake8("-j", "1", ".", cwd=tmp_path)
    parallel = flake8("-j", "2", ".", cwd=tmp_path)
    assert sorted(serial.stdout.splitlines()) == sorted(parallel.stdout.splitlines())
    assert len(serial.stdout.splitlines()) == 6


def test_noqa_with_our_code_silences_only_that_line(tmp_path):
    source = BAD.replace("grads = ops.clip_by_value(grads, 0.1)",
                         "grads = ops.clip_by_value(grads, 0.1)  # noqa: TMS103")
    source += "\n\ndef other(grads):\n    return ops.clip_by_value(grads, 0.1)  # noqa: E501\n"
    (tmp_path / "train.py").write_text(source, encoding="utf-8")
    result = flake8("train.py", cwd=tmp_path)
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [["train.py:11:12:", "TMS103"]]


def test_extend_ignore_and_per_file_ignores(project):
    assert flake8("--extend-ignore", "TMS103", "train.py", cwd=project).stdout == ""
    assert flake8("--per-file-ignores", "train.py:TMS1", "train.py", cwd=project).stdout == ""
    assert flake8("--per-file-ignores", "other.py:TMS1", "train.py", cwd=project).stdout.startswith(BAD_FINDING)


@pytest.mark.parametrize("config_file", ["setup.cfg", "tox.ini", ".flake8"])
def test_configuration_file_is_read_from_flake8_config(project, config_file):
    (project / "torch2ms.yml").write_text("disable: [TMS103]\n", encoding="utf-8")
    (project / config_file).write_text("[flake8]\ntorch2ms-config = torch2ms.yml\n", encoding="utf-8")
    result = flake8("train.py", cwd=project)
    assert result.returncode == 0 and result.stdout == ""


def test_configuration_error_stops_the_run_with_a_clear_message(project):
    (project / "torch2ms.yml").write_text("disable: [TMS103]\nmesages: {}\n", encoding="utf-8")
    result = flake8("--torch2ms-config", "torch2ms.yml", "train.py", cwd=project)
    assert result.returncode != 0
    assert result.stderr.strip() == (
        "flake8-torch2ms: configuration error: torch2ms.yml:2: unknown key 'mesages' in the "
        "configuration file (did you mean 'messages'?); expected one of: disable, enable, messages, facts, rules"
    )


def test_missing_configuration_file_is_named(project):
    result = flake8("--torch2ms-config", "nowhere.yml", "train.py", cwd=project)
    assert result.returncode == 2  # a usage error, as flake8's own; 1 means findings
    assert result.stderr.strip() == (
        "flake8-torch2ms: configuration error: nowhere.yml: configuration file not found "
        f"(--torch2ms-config nowhere.yml, looked for in the current directory {project})")


def test_readme_quick_start_shows_every_code(ruleset):
    """The README's first command, exactly, from the repository root (where tox.ini's [flake8] applies)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    assert "pip install . && flake8 --select TMS docs/examples/" in (root / "README.md").read_text(encoding="utf-8")
    result = flake8("docs/examples/", cwd=root)
    codes = {line.split(" ")[1] for line in result.stdout.splitlines()}
    # Port-pair rules need an original (docs/port-pair.md has their worked example).
    missing = {rule.code for rule in ruleset.rules if not (rule.family and BY_NAME[rule.family].paired)} - codes
    assert not missing, f"no example in docs/examples/ shows {sorted(missing)}: add one there"
    assert codes <= {rule.code for rule in ruleset.rules}


def test_the_project_passes_its_own_lint():
    """tox -e lint, inside the default suite so that CI keeps it green: flake8 with this plugin."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-m", "flake8", "linter", "tests", "bench", "setup.py"],
                            cwd=root, capture_output=True, text=True, timeout=300)
    assert (result.returncode, result.stdout) == (0, "")
