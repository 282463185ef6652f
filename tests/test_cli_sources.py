"""Notebooks, Markdown and reST pages through ``torch2ms check`` and ``fix``; the SARIF log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ci_requirements import import_or_skip
from test_cli import BAD, run

# MindSpore's own migration page once clipped the whole (grads, aux) output of has_aux=True.
SEED = """\
import mindspore as ms
from mindspore import ops
grad_fn = ms.grad(forward_fn, None, weights, has_aux=True)
"""


def code_cell(*lines: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": list(lines)}


def write_notebook(path: Path) -> dict:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Porting the training step\n"]},
            code_cell("%matplotlib inline\n", "import mindspore as ms\n", "from mindspore import ops"),
            code_cell("grad_fn = ms.grad(forward_fn, None, weights, has_aux=True)\n", "output = grad_fn(data, label)\n",
                      "grads = ops.clip_by_value(output, -1.0, 1.0)\n", "optimizer(grads)\n"),
            code_cell("!nvidia-smi\n", "grads, aux = grad_fn(data, label)\n", "grads = ops.clip_by_value(grads, 0.5)\n",
                      "optimizer(grads)"),
            code_cell("%%bash\n", "echo not python\n"),
            code_cell("def unfinished(:\n"),
        ],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")
    return notebook


def test_notebook_findings_point_at_cell_and_line(tmp_path):
    write_notebook(tmp_path / "port.ipynb")
    result = run("check", "port.ipynb", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "port.ipynb:cell 3:3:9: TMS107 ops.clip_by_value clips the whole (grads, aux) output of a gradient "
        "function, not only the gradients; unpack it first and clip the grads",
        "port.ipynb:cell 4:3:9: TMS103 ops.clip_by_value(grads, 0.5) makes 0.5 the minimum, not a limit on both "
        "sides; write ops.clip_by_value(grads, -0.5, 0.5)",
        "port.ipynb:cell 6:1:17: E999 SyntaxError: invalid syntax",  # flake8 prints 1:17 for this line in a .py
    ]


def test_notebook_fix_writes_valid_notebook_json_and_is_idempotent(tmp_path):
    original = write_notebook(tmp_path / "port.ipynb")
    result = run("fix", "port.ipynb", cwd=tmp_path)
    assert "port.ipynb:cell 4:3:9: fixed TMS103" in result.stdout
    fixed = json.loads((tmp_path / "port.ipynb").read_text(encoding="utf-8"))
    expected = json.loads(json.dumps(original))
    expected["cells"][3]["source"][2] = "grads = ops.clip_by_value(grads, -0.5, 0.5)\n"
    assert fixed == expected  # IPython lines, the unfinished cell, the cell magic: all as they were
    text = (tmp_path / "port.ipynb").read_text(encoding="utf-8")
    run("fix", "port.ipynb", cwd=tmp_path)
    assert (tmp_path / "port.ipynb").read_text(encoding="utf-8") == text
    left = run("check", "--format", "json", "port.ipynb", cwd=tmp_path)
    assert {(item["code"], item["fixable"]) for item in json.loads(left.stdout)} == {("TMS107", False),
                                                                                     ("E999", False)}


def test_notebook_that_is_not_json_is_reported_not_a_traceback(tmp_path):
    (tmp_path / "broken.ipynb").write_text("{not json")
    result = run("check", "broken.ipynb", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr  # an error, not a finding
    assert result.stdout.startswith("broken.ipynb:1:1: E902 not a Jupyter notebook")


MARKDOWN = f"""\
# Migrating `clip_by_value`

```python
{SEED}```

Then clip, as the old page did:

1. Take the gradients:

   ```python
   output = grad_fn(data, label)
   grads = ops.clip_by_value(output, -1.0, 1.0)
   ```

2. Or with torch's single `c`:

   ```py
   grads, aux = grad_fn(data, label)
   grads = ops.clip_by_value(grads, 0.1)  # torch's c
   ```

```text
ops.clip_by_value(grads, 0.1)
```
"""


def test_markdown_findings_point_at_the_real_line(tmp_path):
    (tmp_path / "page.md").write_text(MARKDOWN)
    result = run("check", "page.md", cwd=tmp_path)
    lines = MARKDOWN.splitlines()
    assert [line.split(" ")[0:2] for line in result.stdout.splitlines()] == [
        ["page.md:15:12:", "TMS107"], ["page.md:22:12:", "TMS103"]]
    assert lines[14].index("ops.clip_by_value") == 11 and lines[21].index("ops.clip_by_value") == 11


def test_markdown_fix_rewrites_only_the_block_line(tmp_path):
    (tmp_path / "page.md").write_text(MARKDOWN)
    run("fix", "page.md", cwd=tmp_path)
    assert (tmp_path / "page.md").read_text() == MARKDOWN.replace(
        "clip_by_value(grads, 0.1)  # torch's c", "clip_by_value(grads, -0.1, 0.1)  # torch's c")
    left = json.loads(run("check", "--format", "json", "page.md", cwd=tmp_path).stdout)
    assert [(item["line"], item["code"], item["fixable"]) for item in left] == [(15, "TMS107", False)]


RST = """\
Porting
=======

.. code-block:: python

   from mindspore import ops
   loss, grads = grad_fn(data, label)
   ops.clip_by_global_norm(grads, 1.0)
   optimizer(grads)

.. note:: A directive docutils does not know is skipped, not an error:

.. tabs::

   text

.. code:: python

   grads = ops.clip_by_value(grads, clip_value_max=1.0)
"""


def test_rst_code_blocks_are_checked_and_fixed(tmp_path):
    (tmp_path / "page.rst").write_text(RST)
    result = run("check", "page.rst", cwd=tmp_path)
    assert [line.split(" ")[0:2] for line in result.stdout.splitlines()] == [
        ["page.rst:8:4:", "TMS102"], ["page.rst:19:12:", "TMS104"]]
    run("fix", "page.rst", cwd=tmp_path)
    assert (tmp_path / "page.rst").read_text() == RST.replace(
        "   ops.clip_by_global_norm(grads, 1.0)", "   grads = ops.clip_by_global_norm(grads, 1.0)").replace(
        "clip_by_value(grads, clip_value_max=1.0)", "clip_by_value(grads, -1.0, 1.0)")
    assert run("check", "page.rst", cwd=tmp_path).returncode == 0


# --------------------------------------------------------------------------- SARIF


@pytest.fixture
def sarif(tmp_path) -> dict:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(BAD)
    write_notebook(tmp_path / "port.ipynb")
    result = run("check", "--format", "sarif", ".", cwd=tmp_path)
    assert result.returncode == 1
    return json.loads(result.stdout)


def test_sarif_has_the_required_2_1_0_structure(sarif, ruleset):
    assert sarif["version"] == "2.1.0"
    assert "sarif-2.1.0" in sarif["$schema"]
    assert len(sarif["runs"]) == 1
    run_ = sarif["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "torch2ms" and driver["version"]
    ids = [rule["id"] for rule in driver["rules"]]
    codes = sorted(rule.code for rule in ruleset.rules if rule.enabled)  # the rules that run
    # Then an entry for each other code a result has (here E999, a notebook cell that does not parse).
    assert ids == codes + sorted({result["ruleId"] for result in sarif["runs"][0]["results"]} - set(codes))
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"]
        assert rule["help"]["text"] and rule["help"]["markdown"].startswith(f"# {rule['id']}: ")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    assert run_["results"]
    for result in run_["results"]:
        assert isinstance(result["ruleId"], str) and result["level"] in ("error", "warning", "note", "none")
        assert result["message"]["text"]
        if result["ruleId"].startswith("TMS"):
            assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] and physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = physical["region"]
        assert isinstance(region["startLine"], int) and region["startLine"] >= 1
        assert isinstance(region["startColumn"], int) and region["startColumn"] >= 1
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file://")


def test_sarif_locations(sarif):
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r
               for r in sarif["runs"][0]["results"]}
    region = results[("TMS103", "src/train.py")]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 5, "startColumn": 13, "endLine": 5, "endColumn": 42}
    notebook = results[("TMS107", "port.ipynb")]
    assert notebook["properties"] == {"cell": 3, "cellLine": 3}
    assert notebook["locations"][0]["physicalLocation"]["region"]["startLine"] > 1  # see the next test


def test_sarif_region_in_notebook_is_the_file_line(tmp_path):
    write_notebook(tmp_path / "port.ipynb")
    log = json.loads(run("check", "--format", "sarif", "port.ipynb", cwd=tmp_path).stdout)
    lines = (tmp_path / "port.ipynb").read_text().splitlines()
    for result in log["runs"][0]["results"]:
        region = result["locations"][0]["physicalLocation"]["region"]
        if result["ruleId"] == "TMS107":
            assert "grads = ops.clip_by_value(output, -1.0, 1.0)" in lines[region["startLine"] - 1]


def test_flake8_sarif_reporter_gives_the_plugin_findings(tmp_path):
    """docs/ci.md recommends flake8-sarif for SARIF from flake8 itself: check the combination."""
    import_or_skip("flake8_sarif_reporter", reason="flake8-sarif is in the test extra")
    (tmp_path / "train.py").write_text(BAD)
    result = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "TMS", "--format", "sarif",
                             "train.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 1, result.stderr
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0"
    (finding,) = log["runs"][0]["results"]
    assert finding["ruleId"] == "TMS103"
    assert finding["locations"][0]["physicalLocation"]["region"]["startLine"] == 5
