"""Every default docs/cli.md and ``torch2ms --help`` state, asserted: leaving an option out does
what giving its documented default does, and not what another value does. A new option with a
default (or a flag, off by default) and no row fails ``test_every_option_with_a_default_has_a_row``.

``--jobs`` defaults to all cores: ``os.cpu_count()``, and one worker where Python cannot count
them (it returns None on some platforms and containers)."""

from __future__ import annotations

import argparse
import io
import os
import sys

import pytest

from flake8_torch2ms import cli

BAD = "from mindspore import ops\n\n\ndef step(grads):\n    grads = ops.clip_by_value(grads, 0.1)\n    return grads\n"
FIXABLE = "from mindspore import ops\nlogits = ops.softmax(x)\nsample = ops.multinomial(logits, 4)\n"
BROKEN = "from mindspore import ops\ngrads = ops.clip_by_value(grads, 0.1\n"  # parsed (trigger words): E999
BROKEN_BLOCK = "# Notes\n\n```python\ndef broken(:\n```\n"


def torch2ms(argv: list[str], capsys, stdin: str | None = None, monkeypatch=None) -> tuple[int, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    status = cli.main(argv)
    return status, capsys.readouterr().out


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A directory with a finding, a file that does not parse and a page whose Python block does
    not parse; the current directory while the test runs."""
    (tmp_path / "step.py").write_text(BAD, encoding="utf-8")
    (tmp_path / "broken.py").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "notes.md").write_text(BROKEN_BLOCK, encoding="utf-8")
    (tmp_path / "sample.py").write_text(FIXABLE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# option -> (the command without it, the same with the documented default, with another value)
ROWS = {
    "paths": (["check"], ["check", "."], ["check", "step.py"]),
    "--select": (["check"], ["check", "--select", "TMS,E9"], ["check", "--select", "TMS"]),
    "--format": (["check"], ["check", "--format", "text"], ["check", "--format", "json"]),
    "--page-syntax-errors": (["check"], ["check"], ["check", "--page-syntax-errors"]),
    "--diff": (["fix", "sample.py", "--unsafe-fixes"], ["fix", "sample.py", "--unsafe-fixes"],
               ["fix", "sample.py", "--unsafe-fixes", "--diff"]),
    "--unsafe-fixes": (["fix", "sample.py", "--diff"], ["fix", "sample.py", "--diff"],
                       ["fix", "sample.py", "--diff", "--unsafe-fixes"]),
}
# Options whose default is asserted by a test of its own below.
OWN_TESTS = {"--jobs": "test_jobs_default_to_all_cores", "--config": "test_config_defaults_to_flake8s_file",
             "--stdin-display-name": "test_standard_input_is_named_stdin_by_default",
             "--original": "test_original_defaults_to_flake8s_setting"}


def state(directory) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(directory.iterdir()) if path.is_file()}


@pytest.mark.parametrize("option", sorted(ROWS))
def test_leaving_an_option_out_is_its_documented_default(tree, capsys, option):
    omitted, default, other = ROWS[option]
    results = []
    for argv in (omitted, default, other):
        before = state(tree)
        status, out = torch2ms(argv, capsys)
        results.append((status, out, state(tree)))
        for name, text in before.items():  # undo what a fix wrote: each run starts from the same tree
            (tree / name).write_text(text, encoding="utf-8")
        for name in set(state(tree)) - set(before):
            (tree / name).unlink()
    assert results[0] == results[1], option
    assert results[0] != results[2], f"{option}: the other value changes nothing, so the row proves nothing"


def test_the_defaults_report_findings_and_unparsable_files_as_text(tree, capsys):
    status, out = torch2ms(["check"], capsys)
    assert status == 1
    printed = sorted((line.split(":")[0], line.split(" ")[1]) for line in out.splitlines())
    # The current directory; TMS and E9 selected; the page's unparsable block is not reported
    # (--page-syntax-errors is off); flake8's text format.
    assert printed == [("./broken.py", "E999"), ("./sample.py", "TMS305"), ("./step.py", "TMS103")]
    assert "./step.py:5:13: TMS103 ops.clip_by_value(grads, 0.1) makes 0.1 the minimum" in out


def test_fix_writes_the_file_and_leaves_unsafe_fixes_out_by_default(tree, capsys):
    step = (tree / "step.py").read_text(encoding="utf-8")
    torch2ms(["fix", "step.py", "sample.py"], capsys)
    assert (tree / "step.py").read_text(encoding="utf-8") != step  # TMS103's safe fix, written
    assert (tree / "sample.py").read_text(encoding="utf-8") == FIXABLE  # TMS305's fix is unsafe


@pytest.mark.parametrize("cores, workers", [(6, 6), (1, 1), (None, 1)])
def test_jobs_default_to_all_cores(tree, capsys, monkeypatch, cores, workers):
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    for command in ("check", "fix"):
        assert cli._parser().parse_args([command]).jobs == workers
    status, out = torch2ms(["check", "step.py"], capsys)
    assert (status, out.split(" ")[:2]) == (1, ["step.py:5:13:", "TMS103"])


def test_jobs_run_that_many_workers(tree, capsys, monkeypatch):
    """The default's workers are used: files go to a pool of ``os.cpu_count()`` processes."""
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    pools = []

    class InProcessPool:
        def __init__(self, max_workers):
            pools.append(max_workers)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def map(self, function, *iterables, chunksize=1):
            return map(function, *iterables)

    monkeypatch.setattr(cli, "ProcessPoolExecutor", InProcessPool)
    for number in range(12):
        (tree / f"copy_{number}.py").write_text(BAD, encoding="utf-8")
    status, out = torch2ms(["check"], capsys)
    assert status == 1 and out.count("TMS103") == 13
    assert pools == [3]


def test_standard_input_is_named_stdin_by_default(tree, capsys, monkeypatch):
    status, out = torch2ms(["check", "-"], capsys, stdin=BAD, monkeypatch=monkeypatch)
    assert (status, out.split(" ")[0]) == (1, "stdin:5:13:")
    status, out = torch2ms(["check", "-", "--stdin-display-name", "other.py"], capsys, stdin=BAD,
                           monkeypatch=monkeypatch)
    assert out.split(" ")[0] == "other.py:5:13:"


def test_config_defaults_to_flake8s_file(tree, capsys):
    # torch2ms-config from the [flake8] section of setup.cfg: its rule is added to the defaults.
    (tree / "mine.yml").write_text(
        "rules:\n- id: any-softmax\n  code: TMS901\n  message: a softmax\n  rule: {pattern: ops.softmax($X)}\n",
        encoding="utf-8")
    status, before = torch2ms(["check", "sample.py"], capsys)
    (tree / "setup.cfg").write_text("[flake8]\ntorch2ms-config = mine.yml\n", encoding="utf-8")
    status, after = torch2ms(["check", "sample.py"], capsys)
    assert "TMS901" not in before and "sample.py:2:10: TMS901 a softmax" in after


def test_original_defaults_to_flake8s_setting(tree, capsys):
    # torch2ms-original from the [flake8] section of setup.cfg: port-pair mode against that tree.
    (tree / "original").mkdir()
    (tree / "original" / "act.py").write_text("from torch import nn\nact = nn.LeakyReLU()\n", encoding="utf-8")
    (tree / "act.py").write_text("from mindspore import nn\nact = nn.LeakyReLU()\n", encoding="utf-8")
    status, before = torch2ms(["check", "act.py"], capsys)
    status, given = torch2ms(["check", "--original", "original", "act.py"], capsys)
    (tree / "setup.cfg").write_text("[flake8]\ntorch2ms-original = original\n", encoding="utf-8")
    status, after = torch2ms(["check", "act.py"], capsys)
    # The same finding; the original's path as each names it (the configuration's, from its folder).
    assert before == "" and "act.py:2:7: TMS401 " in after and after.replace(f"{tree}{os.sep}", "") == given


def options_with_defaults() -> set[str]:
    """Every option of ``check`` and ``fix`` whose help states a default, has one, or is a flag."""
    found = set()
    subparsers = next(action for action in cli._parser()._actions if isinstance(action, argparse._SubParsersAction))
    for command in ("check", "fix"):
        for action in subparsers.choices[command]._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            name = action.option_strings[-1] if action.option_strings else action.dest
            flag = isinstance(action, argparse._StoreTrueAction)
            if flag or action.default not in (None, argparse.SUPPRESS) or "default" in (action.help or ""):
                found.add(name)
    return found


def test_every_option_with_a_default_has_a_row():
    options = options_with_defaults()
    assert {"--jobs", "--format", "paths"} <= options  # the scan finds them
    assert options - set(ROWS) - set(OWN_TESTS) == set()
    assert all(name in globals() for name in OWN_TESTS.values())


# Each usage error: exit status 2 and its message on stderr, before any file is checked.
USAGE_ERRORS = {
    "no worker": (["check", "-j", "0", "step.py"], "torch2ms: --jobs must be 1 or more"),
    "fewer than no worker": (["check", "--jobs", "-1", "step.py"], "torch2ms: --jobs must be 1 or more"),
    "an unknown code": (["check", "--select", "XYZ", "step.py"], "torch2ms: --select XYZ: no torch2ms code starts"),
    "a missing file": (["check", "missing.py"], "torch2ms: missing.py: no such file or directory"),
    "standard input beside a file": (["check", "-", "step.py"], "torch2ms: '-' (standard input) works only alone"),
    "standard input with --diff": (["fix", "-", "--diff"], "torch2ms: '-' (standard input) and --diff do not"),
    "a missing original": (["check", "--original", "nowhere", "step.py"], "torch2ms: --original nowhere: no such"),
    "a missing configuration": (["check", "--config", "nope.yml", "step.py"],
                                "torch2ms: nope.yml: configuration file not found"),
}


@pytest.mark.parametrize("case", USAGE_ERRORS)
def test_a_usage_error_exits_2_with_its_message_and_checks_nothing(tree, capsys, case):
    argv, message = USAGE_ERRORS[case]
    status = cli.main(argv)
    captured = capsys.readouterr()
    assert (status, captured.out) == (2, "")
    assert captured.err.startswith(message), captured.err
    assert "Traceback" not in captured.err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_one_worker_or_more_is_a_valid_jobs_value(tree, capsys, jobs):
    status, output = torch2ms(["check", "-j", jobs, "step.py"], capsys)
    assert status == 1 and "TMS103" in output
