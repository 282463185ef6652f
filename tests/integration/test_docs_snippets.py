"""Every code block of README.md and docs/*.md is run by a test or marked illustrative (see
snippets.py): a snippet copied from the documentation does what the documentation says."""

from __future__ import annotations

import configparser
import json
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from snippets import ILLUSTRATIVE, ROOT, all_snippets, console, pages, snippet, snippets
from test_cli import BAD, TORCH2MS
from tools import flake8, torch2ms
from ci_requirements import import_or_skip

import_or_skip("markdown_it", reason="markdown-it-py is in the test extra")

# Snippets run by tests in other modules (slow fixtures live there): name -> module.
ELSEWHERE = {"precommit-clone": "tests/integration/test_precommit.py"}


def command(line: str) -> list[str]:
    """A documented command line as this environment runs it."""
    words = shlex.split(line)
    if words[0] == "flake8":
        return [sys.executable, "-m", "flake8", *words[1:]]
    if words[0] == "torch2ms":
        return [*TORCH2MS, *words[1:]]
    if words[0] == "pip":
        return [sys.executable, "-m", "pip", *words[1:]]
    raise AssertionError(f"no way to run {line!r}")


def run_console(text: str, cwd: Path) -> None:
    """Each ``$ command`` prints exactly the lines that follow it (standard output, then error)."""
    for line, expected in console(text):
        result = subprocess.run(command(line), cwd=cwd, capture_output=True, text=True, timeout=300)
        assert result.stdout + result.stderr == expected, line


# --------------------------------------------------------------------------- the runners


def readme_sample(text: str, tmp_path: Path) -> None:
    run_console(text, ROOT)


def quick_start(text: str, tmp_path: Path) -> None:
    install, lint = text.strip().split(" && ")
    assert install == "pip install ."  # what the test environment is (CI installs .[test])
    result = subprocess.run(command(lint), cwd=ROOT, capture_output=True, text=True, timeout=300)
    lines = result.stdout.splitlines()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert ("It prints nineteen findings, at\nleast one of every code that needs no original (TMS1xx to TMS3xx), "
            "and exits with status 1") in readme
    assert (result.returncode, len(lines)) == (1, 19)
    assert {line.split(" ")[1] for line in lines} == {
        "TMS101", "TMS102", "TMS103", "TMS104", "TMS105", "TMS106", "TMS107", "TMS108", "TMS109", "TMS201",
        "TMS301", "TMS302", "TMS303", "TMS304", "TMS305", "TMS306", "TMS307"}


def ci_command(text: str, tmp_path: Path) -> None:
    """The README's test command is the one CI runs (.ci/run), in a fresh virtualenv."""
    assert text.strip() in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()


def install_from_clone(text: str, tmp_path: Path) -> None:
    lines = [line.split("#")[0].strip() for line in text.strip().splitlines()]
    assert lines[0] == "pip install ."
    extras = re.fullmatch(r'pip install "\.\[(.+)\]"', lines[1]).group(1).split(",")
    from importlib.metadata import metadata
    assert set(extras) <= set(metadata("flake8-torch2ms").get_all("Provides-Extra"))
    # The wheel, built from a copy of the tracked files as a clone has them.
    clone = tmp_path / "clone"
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        if (ROOT / name).is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, clone / name)
    build = subprocess.run(command(lines[2]), cwd=clone, capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stdout + build.stderr
    wheel_path = lines[3].split(" ")[-1]
    with zipfile.ZipFile(clone / wheel_path) as wheel:
        names = set(wheel.namelist())
        entry_points = wheel.read("flake8_torch2ms-0.1.0.dist-info/entry_points.txt").decode()
    assert "flake8_torch2ms/rules/clip-single-positional-bound.yml" in names
    assert "flake8_torch2ms/rules/facts/clipping.yml" in names
    assert "TMS = flake8_torch2ms.plugin:Torch2MSChecker" in entry_points
    assert "torch2ms = flake8_torch2ms.cli:main" in entry_points


def flake8_version(text: str, tmp_path: Path) -> None:
    ((line, expected),) = console(text)
    shown = re.search(r"flake8-torch2ms: [\d.]+", expected).group(0)
    result = subprocess.run(command(line), cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert shown in result.stdout  # the other versions are the reader's environment's


def noqa_line(text: str, tmp_path: Path) -> None:
    header = "from mindspore import ops\nloss, grads = grad_fn(data, label)\nc = 1.0\n"
    code_line = text.strip()
    (tmp_path / "without.py").write_text(header + code_line.split("  #")[0] + "\n", encoding="utf-8")
    (tmp_path / "with.py").write_text(header + code_line + "\n", encoding="utf-8")
    without = flake8("--isolated", "--select", "TMS", "without.py", cwd=tmp_path)
    assert without.stdout.startswith("without.py:4:9: TMS105")
    assert flake8("--isolated", "--select", "TMS", "with.py", cwd=tmp_path).stdout == ""
    assert torch2ms("check", "with.py", cwd=tmp_path).stdout == ""


def flake8_ignore_config(text: str, tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text(text, encoding="utf-8")
    asymmetric = ("from mindspore import ops\nloss, grads = grad_fn(data, label)\n"
                  "grads = ops.clip_by_value(grads, 0.0, 1.0)\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "train.py").write_text(asymmetric + BAD, encoding="utf-8")  # TMS105 ignored, TMS103 reported
    (tmp_path / "tests" / "test_train.py").write_text(BAD, encoding="utf-8")  # TMS1 ignored there
    theirs = flake8("--select", "TMS", ".", cwd=tmp_path)
    ours = torch2ms("check", ".", cwd=tmp_path)
    assert theirs.stdout == ours.stdout == (
        "./train.py:8:13: TMS103 ops.clip_by_value(grads, 0.1) makes 0.1 the minimum, not a limit on both sides; "
        "write ops.clip_by_value(grads, -0.1, 0.1)\n")


def torch2ms_config_ini(text: str, tmp_path: Path) -> None:
    (tmp_path / "setup.cfg").write_text(text, encoding="utf-8")
    name = configparser.ConfigParser()
    name.read_string(text)
    (tmp_path / name["flake8"]["torch2ms-config"]).write_text("disable: [TMS103]\n", encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(BAD, encoding="utf-8")
    for cwd, path in ((tmp_path, "src/train.py"), (tmp_path / "src", "train.py")):  # the root, an editor
        assert (flake8("--select", "TMS", path, cwd=cwd).returncode, torch2ms("check", path, cwd=cwd).returncode) \
            == (0, 0)


def config_error(text: str, tmp_path: Path) -> None:
    ((line, expected),) = console(text)
    (tmp_path / "torch2ms.yml").write_text("disable: [TMS105]\nmesages: {}\n", encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(BAD, encoding="utf-8")
    result = subprocess.run(command(line), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", expected)


def editor_stdin(text: str, tmp_path: Path) -> None:
    result = subprocess.run(command(text.strip()), cwd=tmp_path, input=BAD, capture_output=True, text=True,
                            timeout=120)
    assert result.stdout.startswith("train.py:5:13: TMS103 ")


def problem_matcher(text: str, tmp_path: Path) -> None:
    (pattern,) = json.loads(text)["problemMatcher"][0]["pattern"]
    (tmp_path / "train.py").write_text(BAD, encoding="utf-8")
    output = flake8("--select", "TMS", "train.py", cwd=tmp_path).stdout
    # GitHub's matchers are JavaScript regular expressions; this one is also valid Python.
    match = re.match(pattern["regexp"], output.splitlines()[0])
    fields = [match.group(pattern[key]) for key in ("file", "line", "column", "code")]
    assert fields == ["train.py", "5", "13", "TMS103"]
    assert match.group(pattern["message"]).startswith("ops.clip_by_value(grads, 0.1) makes 0.1 the minimum")


def extend_select_config(text: str, tmp_path: Path) -> None:
    """With the block's configuration flake8 reports TMS; with its `select` line alone, as the docs
    explain, every TMS finding is dropped while torch2ms still reports it."""
    (tmp_path / "train.py").write_text(BAD, encoding="utf-8")
    (tmp_path / "setup.cfg").write_text(text, encoding="utf-8")
    expected = "./train.py:5:13: TMS103 "
    assert flake8(".", cwd=tmp_path).stdout.startswith(expected)
    select_only = "\n".join(line for line in text.splitlines() if not line.startswith("extend-select")) + "\n"
    assert select_only != text and "select = " in select_only
    (tmp_path / "setup.cfg").write_text(select_only, encoding="utf-8")
    hidden = flake8(".", cwd=tmp_path)
    assert (hidden.returncode, hidden.stdout) == (0, "")
    assert torch2ms("check", ".", cwd=tmp_path).stdout.startswith(expected)


def fix_stdin(text: str, tmp_path: Path) -> None:
    ((line, expected),) = console(text)
    source = "from mindspore import nn\nlayer = nn.Dropout(0.1)\n"
    result = subprocess.run(command(line), cwd=tmp_path, input=source, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr
    assert (result.returncode, result.stdout + result.stderr) == (0, expected)
    assert result.stdout == source.replace("Dropout(0.1)", "Dropout(p=0.1)")


def config_loads(text: str, tmp_path: Path) -> None:
    (tmp_path / "torch2ms.yml").write_text(text, encoding="utf-8")
    (tmp_path / "train.py").write_text("x = 1\n", encoding="utf-8")
    result = torch2ms("check", "--config", "torch2ms.yml", "train.py", cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def port_pair_file(side: str):
    """The worked example's files are shown exactly as they are in docs/port-pair/."""

    def run(text: str, tmp_path: Path) -> None:
        assert text == (ROOT / "docs" / "port-pair" / side / "models" / "net.py").read_text(encoding="utf-8")

    return run


def port_pair_console(text: str, tmp_path: Path) -> None:
    """Run from a copy of the worked example, so that a fix or a cache never touches the repository."""
    shutil.copytree(ROOT / "docs" / "port-pair", tmp_path / "docs" / "port-pair")
    run_console(text, tmp_path)


def port_pair_ini(text: str, tmp_path: Path) -> None:
    """torch2ms-original and the class map from the [flake8] section, with a relative path, from two folders."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "docs" / "port-pair" / "port", project / "src")
    shutil.copytree(ROOT / "docs" / "port-pair" / "original", tmp_path / "pytorch-project")
    (project / "setup.cfg").write_text(text, encoding="utf-8")
    for cwd, path in ((project, "src/models/net.py"), (project / "src" / "models", "net.py")):
        result = flake8("--select", "TMS", path, cwd=cwd)
        assert [line.split(" ")[1] for line in result.stdout.splitlines()] == ["TMS401", "TMS401", "TMS403"]
        assert torch2ms("check", path, cwd=cwd).stdout.count("TMS40") == 3


RUNNERS = {
    "port-pair-original": port_pair_file("original"),
    "port-pair-port": port_pair_file("port"),
    "port-pair-check": port_pair_console,
    "port-pair-pair": port_pair_console,
    "port-pair-ini": port_pair_ini,
    "readme-sample": readme_sample,
    "quick-start": quick_start,
    "ci-command": ci_command,
    "install-from-clone": install_from_clone,
    "flake8-version": flake8_version,
    "noqa-line": noqa_line,
    "flake8-ignore-config": flake8_ignore_config,
    "torch2ms-config-ini": torch2ms_config_ini,
    "config-error": config_error,
    "editor-stdin": editor_stdin,
    "problem-matcher": problem_matcher,
    "config-loads": config_loads,
    "extend-select-config": extend_select_config,
    "fix-stdin": fix_stdin,
}
RUN_HERE = [item for item in all_snippets() if item.marker in RUNNERS]


@pytest.mark.parametrize("item", RUN_HERE, ids=[f"{item.where}:{item.marker}" for item in RUN_HERE])
def test_snippet(item, tmp_path):
    RUNNERS[item.marker](item.text, tmp_path)


def test_every_block_is_run_or_marked_illustrative():
    unmarked = [item.where for item in all_snippets() if item.marker is None]
    assert unmarked == []
    unknown = [f"{item.where}: {item.marker}" for item in all_snippets()
               if item.marker not in RUNNERS and item.marker not in ELSEWHERE and item.marker != ILLUSTRATIVE]
    assert unknown == []
    for name, module in ELSEWHERE.items():
        assert f'"{name}"' in (ROOT / module).read_text(encoding="utf-8"), f"{module} does not run {name}"
    assert {item.marker for item in all_snippets()} >= set(RUNNERS) | set(ELSEWHERE)  # no runner without a block


def test_the_rule_pages_are_the_generated_ones():
    """docs/rules/ is rendered from the rules' examples, each run through the engine."""
    from flake8_torch2ms.docs import render_all

    rendered = render_all()
    for page in sorted((ROOT / "docs" / "rules").glob("*.md")):
        assert page.read_text(encoding="utf-8") == rendered[page.name], page.name


def test_the_pages_are_found():
    assert {path.name for path in pages()} >= {"README.md", "usage.md", "cli.md", "ci.md", "pre-commit.md"}
    assert len(snippets(ROOT / "docs" / "usage.md")) >= 8
    assert snippet("README.md", "readme-sample").language == "console"
