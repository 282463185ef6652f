"""linter/astgrep.py loads ast-grep's compiled module without running its package's __init__
(typing aids only), and the process stays one where `import ast_grep_py` means the same types.
Each case runs in a fresh interpreter: what is loaded is what the case is about."""

import subprocess
import sys

import pytest


def run_fresh(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


CHECK = """
import sys
from flake8_torch2ms.astgrep import SgNode, SgRoot
print("package-run" if "ast_grep_py" in sys.modules else "package-not-run")
print(SgRoot("x = clip(g, 1)", "python").root().find(kind="call").text().replace(" ", ""))
import ast_grep_py
print("same-types" if (ast_grep_py.SgRoot, ast_grep_py.SgNode) == (SgRoot, SgNode) else "other-types")
print(type(ast_grep_py.SgRoot("y", "python").root()) is SgNode)
"""


def test_the_package_init_is_not_run_and_a_later_import_shares_the_types():
    assert run_fresh(CHECK) == ["package-not-run", "clip(g,1)", "same-types", "True"]


def test_after_the_package_was_imported_its_types_are_used():
    assert run_fresh("import ast_grep_py\n" + CHECK) == ["package-run", "clip(g,1)", "same-types", "True"]


# The shim's own look for the compiled module goes wrong once; the plain import's look then works.
ONCE = """
from importlib.machinery import PathFinder
found, asked = PathFinder.find_spec, []
def find_spec(name, *args, **kwargs):
    if name == "ast_grep_py.ast_grep_py" and not asked:
        asked.append(name)
        return {wrong}
    return found(name, *args, **kwargs)
PathFinder.find_spec = find_spec
"""


@pytest.mark.parametrize("wrong", ["None", "1 / 0"], ids=["no-compiled-module-found", "the-finder-fails"])
def test_another_package_layout_falls_back_to_the_plain_import(wrong):
    assert run_fresh(ONCE.format(wrong=wrong) + CHECK) == ["package-run", "clip(g,1)", "same-types", "True"]
