"""Every form of code block, next to every other form in one document: the Python ones are all
checked and each finding points at its own line (cell and line in a notebook); the others are
never checked and never move a Python block's finding.

The blocks that are not Python start like the Python ones (the same import, then a comment or a
blank line), so a page reader that matched a block's lines loosely would take one for the other.
"""

import json
import textwrap

import pytest

from flake8_torch2ms import sources

PYTHON = ["from mindspore import ops", "", "grads = ops.clip_by_value(grads, 0.1)"]
FINDING = 2  # the index in PYTHON of the line with the finding (TMS103)
OTHER = ["from mindspore import ops", "# shown, not run", "", "$ pip install mindspore"]


def indented(lines: list[str], indent: str) -> list[str]:
    return [indent + line if line else "" for line in lines]


# form -> (checked, lines of the form, index in them of the content's first line)
MARKDOWN = {
    "``` python": (True, ["```python", *PYTHON, "```"], 1),
    "``` py": (True, ["```py", *PYTHON, "```"], 1),
    "``` python3": (True, ["```python3", *PYTHON, "```"], 1),
    "``` Python, with attributes": (True, ["``` Python title=\"step.py\"", *PYTHON, "```"], 1),
    "~~~ python": (True, ["~~~python", *PYTHON, "~~~"], 1),
    "```` python": (True, ["````python", *PYTHON, "````"], 1),
    "``` ipython": (True, ["```ipython", *PYTHON, "```"], 1),
    "indented ``` python": (True, indented(["```python", *PYTHON, "```"], "  "), 1),
    "``` text": (False, ["```text", *OTHER, "```"], 1),
    "``` with no language": (False, ["```", *OTHER, "```"], 1),
    "``` console": (False, ["```console", *OTHER, "```"], 1),
    "indented code": (False, indented(OTHER, "    "), 0),
}
RST = {
    ".. code-block:: python": (True, [".. code-block:: python", "", *indented(PYTHON, "   ")], 2),
    ".. code:: python": (True, [".. code:: python", "", *indented(PYTHON, "   ")], 2),
    ".. sourcecode:: python": (True, [".. sourcecode:: python", "", *indented(PYTHON, "   ")], 2),
    ".. code-block:: py with an option": (True, [".. code-block:: py", "   :name: step", "",
                                                 *indented(PYTHON, "   ")], 3),
    ".. code-block:: python, 4 spaces": (True, [".. code-block:: python", "", *indented(PYTHON, "    ")], 2),
    "paragraph::": (False, ["For example::", "", *indented(OTHER, "    ")], 2),
    "::": (False, ["::", "", *indented(OTHER, "    ")], 2),
    ".. code-block:: bash": (False, [".. code-block:: bash", "", *indented(OTHER, "   ")], 2),
    ".. code:: text": (False, [".. code:: text", "", *indented(OTHER, "   ")], 2),
}


def holding_python(forms: dict) -> dict:
    """Each form that is not Python again, its shell line replaced by a line that is valid Python
    and would give a finding (TMS103) if the block were read as Python: only a reader that tells
    the forms apart by their markup, not by whether the text parses, keeps them silent."""
    clip = PYTHON[FINDING]
    return {f"{name}, holding Python": (checked, [line.replace(OTHER[-1], clip) for line in lines], first)
            for name, (checked, lines, first) in forms.items() if not checked}


MARKDOWN.update(holding_python(MARKDOWN))
RST.update(holding_python(RST))
PAGES = {"markdown": ("page.md", ["# Porting notes", ""], MARKDOWN),
         "rst": ("page.rst", ["Porting notes", "=============", ""], RST)}


def page(head: list[str], forms: list[tuple[bool, list[str], int]]) -> tuple[str, list[int]]:
    """The page's text and the lines (1-based) where its Python blocks' findings are."""
    lines, expected = list(head), []
    for checked, form, first in forms:
        if checked:
            expected.append(len(lines) + first + FINDING + 1)
        lines += form + ["", "Some text between.", ""]
    return "\n".join(lines) + "\n", expected


def finding_lines(engine, path: str, text: str) -> list:
    document = sources.load(path, text)
    located = [document.locate(finding.line, finding.column) for finding in engine.check(document.module)
               if finding.code == "TMS103"]
    return sorted((location.cell, location.line) if location.cell else location.line for location in located)


PAIRS = [pytest.param(kind, first, second, id=f"{kind}: {first} + {second}")
         for kind, (_, _, forms) in PAGES.items() for first in forms for second in forms]


@pytest.mark.parametrize("kind, first, second", PAIRS)
def test_two_block_forms_in_one_page(engine, kind, first, second):
    path, head, forms = PAGES[kind]
    text, expected = page(head, [forms[first], forms[second]])
    assert finding_lines(engine, path, text) == expected


@pytest.mark.parametrize("kind", PAGES)
def test_every_form_at_once(engine, kind):
    path, head, forms = PAGES[kind]
    chosen = [forms[name] for name in forms]
    text, expected = page(head, chosen + chosen[::-1])
    assert finding_lines(engine, path, text) == expected
    assert len(expected) == 2 * sum(checked for checked, _, _ in chosen)


def test_a_page_of_one_block_points_at_its_line(engine):
    # The smallest case of the above, spelled out: line 4 of the page holds the clip call.
    text = "# Notes\n\n```python\nfrom mindspore import ops\n\ngrads = ops.clip_by_value(grads, 0.1)\n```\n"
    assert finding_lines(engine, "notes.md", text) == [6]


# ---- notebooks: cell kinds and spellings, two at a time

CELLS = {
    "code, source as lines": (True, {"cell_type": "code", "source": [line + "\n" for line in PYTHON[:-1]]
                                     + [PYTHON[-1]]}, 0),
    "code, source as one string": (True, {"cell_type": "code", "source": "\n".join(PYTHON)}, 0),
    "code after a line magic": (True, {"cell_type": "code", "source": "\n".join(["%matplotlib inline", *PYTHON])}, 1),
    "code after a shell escape": (True, {"cell_type": "code", "source": "\n".join(["!pip install mindspore",
                                                                                  *PYTHON])}, 1),
    "markdown": (False, {"cell_type": "markdown", "source": "\n".join(PYTHON)}, 0),
    "raw": (False, {"cell_type": "raw", "source": "\n".join(PYTHON)}, 0),
    "bash cell magic": (False, {"cell_type": "code", "source": "\n".join(["%%bash", *OTHER])}, 0),
}


def notebook(cells: list[tuple[bool, dict, int]]) -> tuple[str, list[tuple[int, int]]]:
    body, expected = [], []
    for number, (checked, cell, first) in enumerate(cells, start=1):
        code = {"outputs": [], "execution_count": None} if cell["cell_type"] == "code" else {}
        body.append({**cell, "metadata": {}, **code})
        if checked:
            expected.append((number, first + FINDING + 1))
    document = {"cells": body, "metadata": {"language_info": {"name": "python"}}, "nbformat": 4,
                "nbformat_minor": 5}
    return json.dumps(document, indent=1) + "\n", expected


@pytest.mark.parametrize("first", CELLS)
@pytest.mark.parametrize("second", CELLS)
def test_two_cell_forms_in_one_notebook(engine, first, second):
    text, expected = notebook([CELLS[first], CELLS[second]])
    assert finding_lines(engine, "steps.ipynb", text) == expected


def test_the_page_forms_render_as_written():
    # The generated pages are what a reader would write: the fences and directives are columns 0.
    text, _ = page(["Notes", "=====", ""], [RST[".. code:: python"]])
    assert textwrap.dedent(text) == text
    assert ".. code:: python\n\n   from mindspore import ops\n\n   grads" in text


# ---- trailing whitespace: a page line may end in spaces or a tab that a block's content lacks
# (docutils drops it), on any line of the block. The block is checked all the same, and a fix
# rewrites only the line it changes: every other line stays byte for byte, its whitespace too.

TRAILING = {"spaces": "   ", "a tab": "\t"}


def with_trailing(lines: list[str], first: int, which: int, whitespace: str) -> list[str]:
    """``lines`` with ``whitespace`` after the content line ``which`` (an index into PYTHON)."""
    return [line + whitespace if index == first + which else line for index, line in enumerate(lines)]


TRAILING_CASES = [pytest.param(kind, name, which, space, id=f"{kind}: {name}, line {which + 1}, {space}")
                  for kind, (_, _, forms) in PAGES.items() for name, (checked, _, _) in forms.items() if checked
                  for which in range(len(PYTHON)) for space in TRAILING]


@pytest.mark.parametrize("kind, name, which, space", TRAILING_CASES)
def test_trailing_whitespace_on_any_line_of_a_python_block(engine, kind, name, which, space):
    from flake8_torch2ms.fixes import fix_module

    path, head, forms = PAGES[kind]
    checked, lines, first = forms[name]
    text, expected = page(head, [(checked, with_trailing(lines, first, which, TRAILING[space]), first)])
    assert finding_lines(engine, path, text) == expected
    document = sources.load(path, text)
    fixed = document.render(fix_module(document.module, engine, lambda module, finding: True).text)
    changed = [(old, new) for old, new in zip(text.splitlines(), fixed.splitlines()) if old != new]
    assert len(fixed.splitlines()) == len(text.splitlines())
    assert [new.strip() for _, new in changed] == ["grads = ops.clip_by_value(grads, -0.1, 0.1)"], changed
