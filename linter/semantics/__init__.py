"""The semantic model of a module: what its names, imports, classes and constants mean.

It knows Python and nothing about any rule family (``linter/families/`` asks it): ``model`` is
the entry point, ``imports``, ``bindings`` and ``constants`` its parts, ``nodes`` the helpers
over ast-grep nodes they share.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..records import Record

if TYPE_CHECKING:
    from ..astgrep import SgNode


class WalkedNodes(Record):
    """What a walk of the whole file already met for the model (the engine's structural walk), so
    that the model does not walk the file again for it: each such walk costs about a fifth of the
    parse on a big module. Here rather than in ``model``: the engine builds one on every walk,
    and a file whose matches ask no condition never imports the model."""

    __slots__ = _fields = ("imports", "misparsed")

    def __init__(self, imports: list[SgNode], misparsed: bool) -> None:
        self.imports = imports  # every import statement, in source order
        self.misparsed = misparsed  # whether tree-sitter left an ERROR node anywhere in the file
