"""Markdown and reST pages through ``torch2ms``: code blocks that are Python are checked; blocks
marked as Python that hold something else make no noise; doctest blocks are read as doctest."""

from __future__ import annotations

import json
import textwrap

import pytest

from test_cli import BAD
from tools import torch2ms, without
from ci_requirements import import_or_skip

import_or_skip("markdown_it", reason="markdown-it-py is in the test extra")
import_or_skip("docutils", reason="docutils is in the test extra")

FENCE = "```"

# What python-fenced blocks hold on real documentation pages, besides Python.
NOT_PYTHON = {
    "shell session": "$ pip install mindspore==2.10.0\n$ python train.py --epochs 10\n",
    "yaml": "model:\n  name: resnet50\n  lr: 0.01\n",
    "directory tree": "project/\n├── train.py\n└── config.yaml\n",
    "elided signature": "class Net(nn.Cell):\n    def construct(self, x, <more inputs>):\n        ...\n",
    "printed output": "[[1. 2.]\n [3. 4.]]\n",
    "traceback": "Traceback (most recent call last):\n  File \"train.py\", line 3, in <module>\nValueError: bad\n",
}


def page(*blocks: tuple[str, str]) -> str:
    parts = ["# A page\n"]
    for language, content in blocks:
        parts.append(f"\nSome text.\n\n{FENCE}{language}\n{content}{FENCE}\n")
    return "".join(parts)


def check(tmp_path, text: str, *args: str, name: str = "page.md"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return torch2ms("check", *args, name, cwd=tmp_path)


@pytest.mark.parametrize("name", sorted(NOT_PYTHON))
def test_a_python_block_that_is_not_python_makes_no_noise(tmp_path, name):
    text = page(("python", NOT_PYTHON[name]), ("python", BAD))
    result = check(tmp_path, text)
    line = text.splitlines().index("    grads = ops.clip_by_value(grads, 0.1)") + 1
    assert (result.returncode, result.stdout.split(" ")[:2]) == (1, [f"page.md:{line}:13:", "TMS103"])
    assert len(result.stdout.splitlines()) == 1 and result.stderr == ""


def test_syntax_errors_in_pages_are_reported_on_request(tmp_path):
    text = page(("python", NOT_PYTHON["shell session"]), ("py", "def f(:\n    pass\n"))
    assert check(tmp_path, text).returncode == 0
    result = check(tmp_path, text, "--page-syntax-errors")
    assert result.returncode == 1
    # Columns as flake8 prints E999 for the same line in a .py file (Python's offset plus one).
    assert result.stdout.splitlines() == ["page.md:6:2: E999 SyntaxError: invalid syntax",
                                          "page.md:13:8: E999 SyntaxError: invalid syntax"]


DOCTEST = textwrap.dedent("""\
    # Clipping, interactively

    ```python
    >>> from mindspore import ops
    >>> loss, grads = grad_fn(data, label)
    >>> grads = ops.clip_by_value(grads, 0.1)
    >>> grads[0].shape
    (64, 3, 7, 7)
    >>> for g in grads:
    ...     g = ops.clip_by_value(g, clip_value_max=1.0)
    ...     print(g.shape)
    (64,)
    ```
    """)


def test_doctest_blocks_are_read_as_doctest(tmp_path):
    result = check(tmp_path, DOCTEST, "--page-syntax-errors")
    lines = DOCTEST.splitlines()
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [
        [f"page.md:6:{lines[5].index('ops.clip_by_value') + 1}:", "TMS103"],
        [f"page.md:10:{lines[9].index('ops.clip_by_value') + 1}:", "TMS104"]]


def test_fix_in_a_doctest_block_keeps_the_prompts_and_the_output(tmp_path):
    (tmp_path / "page.md").write_text(DOCTEST, encoding="utf-8")
    result = torch2ms("fix", "page.md", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "page.md").read_text(encoding="utf-8") == DOCTEST.replace(
        ">>> grads = ops.clip_by_value(grads, 0.1)", ">>> grads = ops.clip_by_value(grads, -0.1, 0.1)").replace(
        "...     g = ops.clip_by_value(g, clip_value_max=1.0)", "...     g = ops.clip_by_value(g, -1.0, 1.0)")


def test_ipython_blocks_are_read_as_ipython(tmp_path):
    text = page(("ipython", "!pip install mindspore\n%matplotlib inline\n" + BAD))
    result = check(tmp_path, text, "--page-syntax-errors")
    assert result.returncode == 1 and "TMS103" in result.stdout and "E999" not in result.stdout


RST = textwrap.dedent("""\
    Porting
    =======

    .. code-block:: python

       $ python train.py

    .. code-block:: python

       >>> from mindspore import ops
       >>> grads = ops.clip_by_value(grads, 0.1)
    """)


def test_rst_blocks_too(tmp_path):
    result = check(tmp_path, RST, name="page.rst")
    assert RST.splitlines()[10].index("ops.clip_by_value") == 15
    assert result.stdout.splitlines() == [
        "page.rst:11:16: TMS103 ops.clip_by_value(grads, 0.1) makes 0.1 the minimum, not a limit on both sides; "
        "write ops.clip_by_value(grads, -0.1, 0.1)"]


def test_a_directory_of_documentation_gives_no_syntax_error_noise(tmp_path):
    docs = tmp_path / "docs"
    (docs / "tutorials").mkdir(parents=True)
    (docs / "index.md").write_text(page(*[("python", content) for content in NOT_PYTHON.values()]), encoding="utf-8")
    (docs / "tutorials" / "console.md").write_text(DOCTEST, encoding="utf-8")
    (docs / "tutorials" / "porting.rst").write_text(RST, encoding="utf-8")
    (docs / "README.md").write_text("# Docs\n\nNo code here.\n", encoding="utf-8")
    result = torch2ms("check", "--format", "json", "docs", cwd=tmp_path)
    assert sorted((item["path"], item["code"]) for item in json.loads(result.stdout)) == [
        ("docs/tutorials/console.md", "TMS103"), ("docs/tutorials/console.md", "TMS104"),
        ("docs/tutorials/porting.rst", "TMS103")]


def test_without_the_markup_extra_a_walk_skips_pages_with_one_note(tmp_path):
    env = without(tmp_path / "stubs", "markdown_it", "docutils")
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "README.md").write_text(DOCTEST, encoding="utf-8")
    (tmp_path / "repo" / "guide.rst").write_text(RST, encoding="utf-8")
    (tmp_path / "repo" / "train.py").write_text("x = 1\n", encoding="utf-8")
    result = torch2ms("check", "repo", cwd=tmp_path, env=env)
    assert (result.returncode, result.stdout) == (0, "")
    assert result.stderr == ("torch2ms: note: 2 Markdown/reST page(s) not checked: reading them needs markdown-it-py "
                             "and docutils (pip install 'flake8-torch2ms[markup]')\n")
    named = torch2ms("check", "repo/README.md", cwd=tmp_path, env=env)
    assert (named.returncode, named.stdout) == (2, "repo/README.md:1:1: E902 reading Markdown needs markdown-it-py: "
                                                   "pip install 'flake8-torch2ms[markup]'\n")
