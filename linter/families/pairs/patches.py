"""MindSpore APIs a port's own package replaces at import time: mindnlp 0.3's ``injection.py``
sets ``nn.LayerNorm = LayerNorm`` (epsilon 1e-5), ``nn.Dropout = CustomDropout`` (torch's rate),
``nn.Conv1d`` with a bias. A call of such a name builds the project's class, not MindSpore's, and
its defaults are the project's: nothing is compared for it (reported as unknown).

Found once per process and package: the package is the outermost folder with an ``__init__.py``
above the port file (or the file's own folder). Only module-level assignments count (a patch
made inside a function is not seen): a file is parsed only when one of its lines starts with an
assignment to a dotted name, and an assignment counts when its target resolves to a
``mindspore.`` name."""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from ast_grep_py import SgRoot

from ...semantics import nodes
from ...semantics.model import SemanticModel
from .originals import SKIPPED_DIRECTORIES

# `nn.LayerNorm = ...` at the start of a line (module level); not `==`. Searched as the first line or
# after a "\n" (what `^` matches with re.MULTILINE): a literal first character lets re skip to each line
# end instead of trying every position, four times faster over a package (mindcv's 1.1 MB: 7 ms).
DOTTED_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+[ \t]*=(?!=)")
DOTTED_ASSIGNMENT_LINE = re.compile(r"\n[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+[ \t]*=(?!=)")
PACKAGE = "mindspore."


def package_of(path: str) -> Path | None:
    """The outermost package folder holding ``path``, else the file's own folder."""
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        return None
    package = None
    while (folder / "__init__.py").is_file():
        package = folder
        if folder.parent == folder:
            break
        folder = folder.parent
    return package or Path(path).resolve().parent


@functools.lru_cache(maxsize=32)
def patched_names(folder: str) -> dict[str, str]:
    """``mindspore.`` name -> where the package assigns it (``path:line``)."""
    found: dict[str, str] = {}
    root = Path(folder)
    package = (root / "__init__.py").is_file()
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(name for name in subdirectories if name not in SKIPPED_DIRECTORIES) \
            if package else []
        for name in sorted(files):
            if name.endswith(".py"):
                _scan(Path(directory) / name, found)
    return found


def _scan(path: Path, found: dict[str, str]) -> None:
    try:
        text = path.read_text(encoding="utf-8")
        if "mindspore" not in text or not (DOTTED_ASSIGNMENT.match(text) or DOTTED_ASSIGNMENT_LINE.search(text)):
            return
        tree = SgRoot(text, "python").root()
        model = SemanticModel(tree, str(path))
        for statement in tree.named_children():
            assignment = statement.child(0) if statement.kind() == "expression_statement" else None
            if assignment is None or assignment.kind() != "assignment":
                continue
            left = assignment.field("left")
            if left is None or left.kind() != "attribute" or assignment.field("right") is None:
                continue
            parts = nodes.dotted(left)
            if not parts or parts[0] in ("self", "cls"):
                continue
            qualified = model.qualified_name(left)
            if qualified is not None and qualified.startswith(PACKAGE):
                found.setdefault(qualified, f"{path}:{assignment.range().start.line + 1}")
    except Exception:  # unreadable, undecodable, too deep: it patches nothing we can see
        return
