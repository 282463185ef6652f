"""The benchmark and corpus commands the docs cite do what the docs say, and never touch a file
they are not meant to write."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from snippets import ROOT

BENCH = ROOT / "bench"
TRAIN = "from mindspore import nn\nlayer = nn.Dropout(0.1)\n"


def bench(script: str, *args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, str(BENCH / script), *args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_the_share_launcher_never_overwrites_a_file_named_by_mistake(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN, encoding="utf-8")
    (tmp_path / "notes.json").write_text('{"mine": 1}\n', encoding="utf-8")
    # As docs/performance.md used to cite it: FILE read as the file to lint.
    for args in (["train.py", "--isolated", "train.py"], ["--timings", "train.py", "train.py"],
                 ["--timings", "notes.json", "train.py"]):
        result = bench("run.py", "_flake8_share", *args, cwd=tmp_path)
        assert result.returncode == 2 and result.stderr.startswith("bench/run.py _flake8_share: "), args
    assert (tmp_path / "train.py").read_text(encoding="utf-8") == TRAIN
    assert (tmp_path / "notes.json").read_text(encoding="utf-8") == '{"mine": 1}\n'


def test_the_share_launcher_writes_its_timings_and_runs_flake8(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN, encoding="utf-8")
    for _ in range(2):  # the second run replaces the first run's timings
        result = bench("run.py", "_flake8_share", "--timings", "share.json", "--isolated", "--select", "TMS",
                       "train.py", cwd=tmp_path)
        assert result.returncode == 1 and result.stdout.startswith("train.py:2:9: TMS301 ")
        timings = json.loads((tmp_path / "share.json").read_text(encoding="utf-8"))
        assert {"cpu", "wall", "import", "loading", "run"} <= set(timings) and timings["cpu"] > 0
    performance = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    assert "`python bench/run.py _flake8_share --timings OUT.json FLAKE8_ARGS ...`" in performance
    assert "_flake8_share FILE" not in performance


def test_corpus_pins_describes_the_corpus_on_a_fresh_clone(tmp_path):
    env = {**os.environ, "TORCH2MS_CORPUS": str(tmp_path / "no-cache-yet")}
    result = bench("corpus.py", "pins", cwd=tmp_path, env=env)
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and result.stderr == ""
    assert all(re.fullmatch(r"[\w.-]+==[\w.]+  \(not fetched\)", line) for line in lines[:-1])
    assert lines[-1] == f"{len(lines) - 1} packages; cache: {tmp_path / 'no-cache-yet'}"
    cited = re.search(r"`python bench/corpus.py pins`: (\d+) packages", (ROOT / "docs" / "cli.md").read_text())
    assert cited is not None and int(cited.group(1)) == len(lines) - 1
    # `list` names source roots for `flake8 $(python bench/corpus.py list)`: on a fresh clone it
    # says what to run first, rather than print nothing (which would lint the current folder).
    listed = bench("corpus.py", "list", cwd=tmp_path, env=env)
    assert (listed.returncode, listed.stdout) == (1, "")
    assert listed.stderr == "error: the corpus is empty: run `python bench/corpus.py fetch` first\n"


def test_the_share_command_measures_port_pair_mode_when_given_an_original(tmp_path, monkeypatch):
    """bench/run.py --share-original: part 1b's command runs flake8 with the original, so the
    timed run includes the paired rules (a TMS401 here) and still writes its timings."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    run = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, run)  # its dataclasses look their module up there
    spec.loader.exec_module(run)
    (tmp_path / "original").mkdir()
    (tmp_path / "original" / "model.py").write_text("from torch import nn\n\nact = nn.LeakyReLU()\n", encoding="utf-8")
    (tmp_path / "port").mkdir()
    (tmp_path / "port" / "model.py").write_text("from mindspore import nn\n\nact = nn.LeakyReLU()\n", encoding="utf-8")
    env = {**os.environ, "FLAKE8_TORCH2MS_CACHE_DIR": str(tmp_path / "cache")}
    for original, expected in ((None, []), (str(tmp_path / "original"), ["TMS401"])):
        command = run.share_command(sys.executable, [tmp_path / "port"], tmp_path / "share.json", original)
        result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
        assert "Traceback" not in result.stderr, result.stderr
        assert re.findall(r"\bTMS\d+", result.stdout) == expected
        assert json.loads((tmp_path / "share.json").read_text(encoding="utf-8"))["run"]["cpu"] > 0


def test_the_phases_command_follows_an_editors_run_step_by_step(tmp_path):
    (tmp_path / "train.py").write_text(TRAIN, encoding="utf-8")
    (tmp_path / "plain.py").write_text("import os\n\n\ndef join(*parts):\n    return os.path.join(*parts)\n",
                                       encoding="utf-8")
    steps = {}
    for name in ("train.py", "plain.py"):
        result = bench("run.py", "_phases", name, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        heading, *table = result.stdout.splitlines()
        steps[name] = [row.split(" | ")[0].lstrip("| ") for row in table[2:]]
        assert all(len(row.split(" | ")) == 5 for row in table[2:])
    assert steps["train.py"] == ["the plugin's import", "the cached screen", "the screen's test, given the parse",
                                 "ast-grep's compiled module", "the engine's import", "the plan",
                                 "the active rules' families", "the first check", "a second check"]
    assert steps["plain.py"] == steps["train.py"][:3]  # the screen refuses it: an editor's run ends there
    missing = bench("run.py", "_phases", "missing.py", cwd=tmp_path)
    assert missing.returncode == 2 and missing.stderr.startswith("bench/run.py _phases: ")
