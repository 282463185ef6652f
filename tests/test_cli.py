"""The ``torch2ms`` command: same findings as ``flake8 --select TMS``, noqa, selection, config,
exit codes, parallel runs, output formats."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_torch2ms import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "tests" / "fixtures").glob("**/*.py")) + sorted((ROOT / "docs" / "examples").glob("*.py"))
TORCH2MS = [sys.executable, "-m", "flake8_torch2ms.cli"]
BAD = "from mindspore import ops\n\n\ndef step(grads):\n    grads = ops.clip_by_value(grads, 0.1)\n    return grads\n"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*TORCH2MS, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def flake8(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "TMS", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def lines_by_file(output: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for line in output.splitlines():
        found.setdefault(line.split(":", 1)[0], set()).add(line)
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Every fixture and example in one directory (names are unique across both)."""
    directory = tmp_path_factory.mktemp("fixtures")
    for path in FIXTURES:
        shutil.copy(path, directory / f"{path.parent.name}_{path.name}")
    return directory


@pytest.fixture(scope="module")
def both(corpus) -> tuple[dict, dict, int]:
    names = sorted(path.name for path in corpus.iterdir())
    ours = run("check", *names, cwd=corpus)
    theirs = flake8(*names, cwd=corpus)
    assert theirs.returncode == 1 and not theirs.stderr, theirs.stderr
    return lines_by_file(ours.stdout), lines_by_file(theirs.stdout), ours.returncode


@pytest.mark.parametrize("path", FIXTURES, ids=[f"{path.parent.name}/{path.name}" for path in FIXTURES])
def test_check_reports_exactly_what_flake8_reports(both, path):
    ours, theirs, _ = both
    name = f"{path.parent.name}_{path.name}"
    assert ours.get(name, set()) == theirs.get(name, set())


def test_check_exits_1_on_findings_and_0_when_clean(both, tmp_path):
    assert both[2] == 1
    (tmp_path / "clean.py").write_text("from mindspore import ops\ng = ops.clip_by_value(g, -1.0, 1.0)\n")
    result = run("check", "clean.py", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")


def test_console_script_is_declared():
    from importlib.metadata import entry_points

    scripts = {entry.name: entry.value for entry in entry_points(group="console_scripts")}
    assert scripts.get("torch2ms") == "flake8_torch2ms.cli:main"


NOQA_CASES = """\
from mindspore import ops


def step(grads, a, b):
    grads = ops.clip_by_value(grads, 0.1)  # noqa
    grads = ops.clip_by_value(grads, 0.2)  # noqa: TMS103
    grads = ops.clip_by_value(grads, 0.3)  # noqa:TMS1
    grads = ops.clip_by_value(grads, 0.4)  # noqa: E501
    grads = ops.clip_by_value(grads, 0.5)  # NOQA : TMS103
    grads = ops.clip_by_value(grads, 0.6)  # noqa: TMS104,TMS103
    grads = ops.clip_by_value(
        grads, 0.7)  # noqa: TMS103
    grads = ops.clip_by_value(grads,
                              0.8)
    grads = ops.clip_by_value(grads, 0.9)  # a comment # noqa:TMS103 trailing words
    grads = ops.clip_by_value(grads, 1.0)  # noqa:TMS102
    ops.clip_by_value(grads, -1.0, 1.0)  # noqa : TMS102
    return grads
"""


def test_noqa_is_read_exactly_as_flake8_reads_it(tmp_path):
    (tmp_path / "noqa_cases.py").write_text(NOQA_CASES)
    ours = run("check", "noqa_cases.py", cwd=tmp_path)
    theirs = flake8("noqa_cases.py", cwd=tmp_path)
    assert sorted(ours.stdout.splitlines()) == sorted(theirs.stdout.splitlines())
    reported = {int(line.split(":")[1]) for line in ours.stdout.splitlines()}
    # "# NOQA : TMS103" is a bare noqa for flake8 (the space before ':'), so it hides everything; a
    # noqa on the second line of a bracketed call does not cover the call's first line.
    assert reported == {8, 11, 13, 16}


def test_file_level_noqa_skips_the_file(tmp_path):
    (tmp_path / "skipped.py").write_text("# flake8: noqa\n" + BAD)
    assert run("check", "skipped.py", cwd=tmp_path).returncode == 0
    assert flake8("skipped.py", cwd=tmp_path).returncode == 0


def test_select_and_ignore_take_prefixes_and_the_longest_wins(tmp_path):
    (tmp_path / "two.py").write_text(
        "from mindspore import ops\n\n\ndef step(grads):\n    ops.clip_by_value(grads, 0.1)\n    return grads\n")

    def codes(*args: str) -> set[str]:
        return {line.split()[1] for line in run("check", *args, "two.py", cwd=tmp_path).stdout.splitlines()}

    assert codes() == {"TMS102", "TMS103"}
    assert codes("--select", "TMS103") == {"TMS103"}
    assert codes("--ignore", "TMS10") == set()
    assert codes("--ignore", "TMS10", "--select", "TMS102") == {"TMS102"}
    assert codes("--ignore=TMS102,TMS103") == set()


def test_config_is_found_in_the_flake8_section_like_the_plugin(tmp_path):
    (tmp_path / "train.py").write_text(BAD)
    (tmp_path / "rules.yml").write_text("disable: [TMS103]\n")
    (tmp_path / "setup.cfg").write_text("[flake8]\ntorch2ms-config = rules.yml\n")
    subdirectory = tmp_path / "sub"
    subdirectory.mkdir()
    assert run("check", "train.py", cwd=tmp_path).returncode == 0
    assert run("check", "../train.py", cwd=subdirectory).returncode == 0  # found from a subdirectory too
    (tmp_path / "loud.yml").write_text("messages: {TMS103: 'one bound only'}\n")
    result = run("check", "--config", "loud.yml", "train.py", cwd=tmp_path)
    assert result.stdout == "train.py:5:13: TMS103 one bound only\n"


def test_configuration_and_usage_errors_exit_2_with_a_clear_message(tmp_path):
    (tmp_path / "train.py").write_text(BAD)
    (tmp_path / "bad.yml").write_text("disable: [TMS103]\nmesages: {}\n")
    result = run("check", "--config", "bad.yml", "train.py", cwd=tmp_path)
    assert result.returncode == 2 and "bad.yml:2: unknown key 'mesages'" in result.stderr
    assert "Traceback" not in result.stderr
    missing = run("check", "nowhere.py", cwd=tmp_path)
    assert missing.returncode == 2 and "nowhere.py: no such file or directory" in missing.stderr
    assert run("check", "--config", "absent.yml", "train.py", cwd=tmp_path).returncode == 2
    assert run("check", "--format", "xml", cwd=tmp_path).returncode == 2  # argparse's own usage error


def run_check(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return run("check", *args, cwd=cwd)


def test_walks_directories_skipping_git_virtualenvs_and_excluded(tmp_path):
    for name in ("pkg/train.py", ".git/hooks/x.py", "env/lib/site.py", "pkg/skip_me.py", "node_modules/a.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(BAD)
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    result = run_check(".", "--exclude", "skip_me.py", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["./pkg/train.py"]


def test_parallel_output_is_ordered_as_a_serial_run(corpus, tmp_path):
    for copy in range(6):
        shutil.copytree(corpus, tmp_path / f"copy{copy}")
    serial = run_check("--jobs", "1", ".", cwd=tmp_path)
    parallel = run_check("--jobs", "2", ".", cwd=tmp_path)
    assert serial.stdout == parallel.stdout and serial.stdout.count("\n") > 100


def test_syntax_errors_are_reported_as_flake8_does(tmp_path):
    (tmp_path / "broken.py").write_text("from mindspore import ops\ndef f(:\n    ops.clip_by_value(g, 1)\n")
    result = run_check("broken.py", cwd=tmp_path)
    assert result.returncode == 1
    # flake8 prints Python's 1-based offset (7, the ':') plus one; tests/integration/test_flake8_parity.py
    # compares the two commands on more errors.
    assert result.stdout.startswith("broken.py:2:8: E999 SyntaxError")


def test_a_file_no_rule_can_match_is_never_compiled_so_it_gets_no_e999(tmp_path, monkeypatch):
    # Compiling every file for E999 was most of a run's time; flake8 reports E999 for every file
    # anyway, torch2ms only for the files its rules make it parse.
    (tmp_path / "clips.py").write_text("from mindspore import ops\ndef f(:\n    ops.clip_by_value(g, 1)\n")
    (tmp_path / "other.py").write_text("import os\ndef f(:\n    return os.sep\n")
    result = run_check("--select", "E9", ".", cwd=tmp_path)
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == ["./clips.py"]
    compiled = []
    monkeypatch.setattr(cli.sources, "_syntax_error", lambda text, locate: compiled.append(text))
    options = cli.Options(None, ("TMS", "E9"), ())
    for name in ("clips.py", "other.py"):
        cli.check_file(str(tmp_path / name), options)
        cli.fix_file(str(tmp_path / name), options, write=False)
    assert [text.splitlines()[0] for text in compiled] == ["from mindspore import ops"] * 2


def test_json_format(tmp_path):
    (tmp_path / "train.py").write_text(BAD)
    items = json.loads(run_check("--format", "json", "train.py", cwd=tmp_path).stdout)
    assert items == [{
        "path": "train.py", "cell": None, "line": 5, "column": 13, "code": "TMS103",
        "message": "ops.clip_by_value(grads, 0.1) makes 0.1 the minimum, not a limit on both sides; "
                   "write ops.clip_by_value(grads, -0.1, 0.1)",
        "rule_id": "clip-single-positional-bound", "severity": "error", "end_line": 5, "end_column": 42,
        "fixable": True}]


def test_github_format_escapes_and_positions(tmp_path):
    (tmp_path / "a,b.py").write_text(BAD)
    output = run_check("--format", "github", "a,b.py", cwd=tmp_path).stdout
    assert output.startswith("::error file=a%2Cb.py,line=5,col=13,endLine=5,endColumn=42,"
                             "title=TMS103 clip-single-positional-bound::ops.clip_by_value(grads, 0.1)")


def test_options_select_like_flake8():
    options = cli.Options(None, ("TMS", "E9"), ("TMS1",))
    assert not options.selected("TMS103") and options.selected("TMS201") and options.selected("E999")
    assert cli.Options(None, ("TMS103",), ("TMS1",)).selected("TMS103")
    assert not cli.Options(None, ("TMS",), ("TMS",)).selected("TMS103")


def test_standard_input_for_editors(tmp_path):
    result = subprocess.run([*TORCH2MS, "check", "--stdin-display-name", "src/train.py", "-"], input=BAD,
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert (result.returncode, result.stdout.split(" ")[:2]) == (1, ["src/train.py:5:13:", "TMS103"])
    fixed = subprocess.run([*TORCH2MS, "fix", "--stdin-display-name", "src/train.py", "-"], input=BAD, cwd=tmp_path,
                           capture_output=True, text=True, timeout=300)
    assert (fixed.returncode, fixed.stdout) == (0, BAD.replace("(grads, 0.1)", "(grads, -0.1, 0.1)"))
    assert fixed.stderr.startswith("src/train.py:5:13: fixed TMS103 ")


def test_python_syntax_warnings_in_linted_code_are_not_printed(tmp_path):
    # `1()` parses with a SyntaxWarning; like flake8, the command prints nothing of Python's own.
    (tmp_path / "odd.py").write_text("from mindspore import ops\nx = 1()\ngrads = ops.clip_by_value(grads, 0.1)\n",
                                     encoding="utf-8")
    result = run("check", "odd.py", cwd=tmp_path)
    assert result.stderr == ""
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [["odd.py:3:9:", "TMS103"]]
