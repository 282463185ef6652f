"""Notebooks through ``torch2ms check`` and ``fix``: IPython syntax read as IPython reads it, with
IPython's TransformerManager and with the fallback used when IPython is not installed."""

from __future__ import annotations

import json

import pytest

from notebooks import TUTORIAL, TUTORIAL_FINDINGS, code, notebook, write
from tools import torch2ms, without
from ci_requirements import import_or_skip

IMPORTS = code("import mindspore as ms\n", "from mindspore import ops\n")
# One clip with a single positional bound: TMS103 where it stands.
SINGLE = "grads = ops.clip_by_value(grads, 0.5)\n"


@pytest.fixture(params=["ipython", "fallback"])
def env(request, tmp_path_factory):
    if request.param == "ipython":
        import_or_skip("IPython", reason="IPython is in the test extra")
        return None
    return without(tmp_path_factory.mktemp("no-ipython"), "IPython")


def findings(tmp_path, content: dict, env, *args: str) -> list[tuple]:
    write(tmp_path / "nb.ipynb", content)
    result = torch2ms("check", "--format", "json", *args, "nb.ipynb", cwd=tmp_path, env=env)
    assert result.returncode in (0, 1), result.stderr
    return [(item["cell"], item["line"], item["column"], item["code"]) for item in json.loads(result.stdout)]


def test_findings_after_shell_escapes_and_magics_are_reported_at_their_cell_and_line(tmp_path, env):
    assert findings(tmp_path, TUTORIAL, env) == TUTORIAL_FINDINGS


# Each cell: IPython syntax that is valid, then a finding in the same cell, whose (line, column)
# in the cell is given. Nothing else may be reported (no E999).
CELLS = {
    "if body only shell escapes": (["if not exists:\n", "    !wget -q https://example.invalid/x\n", SINGLE], (3, 9)),
    "system assign": (["files = !ls data\n", SINGLE], (2, 9)),
    "magic assign": (["timing = %timeit -o -q f()\n", SINGLE], (2, 9)),
    "continued shell command": (["!pip install \\\n", "    mindspore \\\n", "    numpy\n", SINGLE], (4, 9)),
    "cell indented as a whole": (["    x = 1\n", "    " + SINGLE], (2, 13)),
    "time line magic": (["%time " + SINGLE], (1, 15)),
    "time line magic in a block": (["for step in range(3):\n", "    %time " + SINGLE], (2, 19)),
    "help": (["ops.clip_by_value?\n", SINGLE], (2, 9)),
    "time cell magic": (["%%time\n", "import os\n", SINGLE], (3, 9)),
    "capture cell magic": (["%%capture captured\n", "!nvidia-smi\n", SINGLE], (3, 9)),
    "timeit cell magic": (["%%timeit -n 1\n", SINGLE], (2, 9)),
}


@pytest.mark.parametrize("name", sorted(CELLS))
def test_valid_ipython_is_no_syntax_error_and_the_cell_is_checked(tmp_path, env, name):
    lines, (line, column) = CELLS[name]
    content = notebook(IMPORTS, code(*lines), code(SINGLE))
    assert findings(tmp_path, content, env) == [(2, line, column, "TMS103"), (3, 1, 9, "TMS103")]


def test_cell_magics_that_are_not_python_are_not_checked(tmp_path, env):
    content = notebook(IMPORTS, code("%%bash\n", "echo 'grads = ops.clip_by_value(grads, 0.5)'\n"),
                       code("%%writefile train.py\n", SINGLE), code(SINGLE))
    assert findings(tmp_path, content, env) == [(4, 1, 9, "TMS103")]


def test_broken_python_next_to_magics_is_e999_at_its_cell_and_line(tmp_path, env):
    content = notebook(IMPORTS, code("%matplotlib inline\n", "!ls\n", "def f(:\n"), code(SINGLE))
    # The E999 column is flake8's for the same line in a .py file (Python's offset plus one).
    assert findings(tmp_path, content, env) == [(2, 3, 8, "E999"), (3, 1, 9, "TMS103")]


def test_a_line_magic_alone_in_a_cell_runs_without_its_percent_as_in_ipython(tmp_path, env):
    """Automagic: IPython runs ``pip install ...`` or ``cd ..`` alone in a cell as the line magic.
    It does so for single-line cells only: the same line among others, followed by a blank line,
    or with a name that is no magic stays a syntax error, as it is in Jupyter."""
    content = notebook(IMPORTS, code("pip install -r requirements.txt"), code("\n", "cd ../data\n"),
                       code("  conda install -y numpy  # for the plots\n"), code(SINGLE),
                       code("import os\n", "pip install x\n"), code("pip install x\n", "\n"),
                       code("pip.main install\n"), code("download install x\n"))
    expected = [(5, 1, 9, "TMS103"), (6, 2, 6, "E999"), (7, 1, 6, "E999"), (8, 1, 11, "E999"), (9, 1, 11, "E999")]
    assert findings(tmp_path, content, env) == expected


def test_fix_writes_the_ipython_lines_back_as_they_were(tmp_path, env):
    content = notebook(
        IMPORTS,
        code("!pip install \\\n", "    numpy\n", "%time " + SINGLE, "files = !ls\n"),
        code("    if files:\n", "        " + SINGLE, "    !echo done"),
        code("%%time\n", "grads = ops.clip_by_value(grads, clip_value_max=0.5)\n"),
    )
    write(tmp_path / "nb.ipynb", content)
    result = torch2ms("fix", "nb.ipynb", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    fixed = json.loads((tmp_path / "nb.ipynb").read_text(encoding="utf-8"))
    expected = json.loads(json.dumps(content))
    expected["cells"][1]["source"][2] = "%time grads = ops.clip_by_value(grads, -0.5, 0.5)\n"
    expected["cells"][2]["source"][1] = "        grads = ops.clip_by_value(grads, -0.5, 0.5)\n"
    expected["cells"][3]["source"][1] = "grads = ops.clip_by_value(grads, -0.5, 0.5)\n"
    assert fixed == expected
    assert result.stdout.splitlines()[:3] == [  # in file order, as check prints
        "nb.ipynb:cell 2:3:15: fixed TMS103 ops.clip_by_value(grads, 0.5) makes 0.5 the minimum, not a limit on "
        "both sides; write ops.clip_by_value(grads, -0.5, 0.5)",
        "nb.ipynb:cell 3:2:17: fixed TMS103 ops.clip_by_value(grads, 0.5) makes 0.5 the minimum, not a limit on "
        "both sides; write ops.clip_by_value(grads, -0.5, 0.5)",
        "nb.ipynb:cell 4:2:9: fixed TMS104 ops.clip_by_value on gradients sets only the maximum (0.5), leaving the "
        "other side unbounded; give both: ops.clip_by_value(grads, -0.5, 0.5)",
    ]


def test_without_ipython_the_fallback_is_used_quietly(tmp_path):
    env = without(tmp_path / "stubs", "IPython")
    write(tmp_path / "nb.ipynb", TUTORIAL)
    result = torch2ms("check", "nb.ipynb", cwd=tmp_path, env=env)
    assert result.returncode == 1 and result.stderr == ""
    assert result.stdout.startswith("nb.ipynb:cell 6:9:15: TMS108 ")
