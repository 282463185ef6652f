"""Applying the fixes rules declare (``fix:`` in YAML) to one module's text.

Each fix replaces the flagged node through ast-grep-py's edit API (``node.replace`` and
``commit_edits``), one at a time from the end of the file up, so earlier positions stay valid.
A fix is kept only when the result still parses, the same rule no longer fires at that place, and
it removes no comment; otherwise the finding is left with the reason. Passes repeat until nothing
changes, so running the fixer again on its own output changes nothing.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass, field
from typing import Callable

from .astgrep import SgRoot
from .engine import Engine, Finding

MAX_PASSES = 5


@dataclass
class FixResult:
    text: str
    fixed: list[Finding] = field(default_factory=list)  # as found before fixing
    refused: dict[tuple, str] = field(default_factory=dict)  # finding key -> why the fix was not applied

    @property
    def changed(self) -> bool:
        return bool(self.fixed)


def key(finding: Finding) -> tuple:
    return finding.code, finding.message


def offered(findings: list[Finding]) -> list[Finding]:
    """The findings, without the fix of one whose code another rule flags for another reason: a
    fix is offered only when its finding is the whole story (assigning back the discarded clip of
    ``net.trainable_params()`` would hide that parameters were clipped, not gradients)."""
    return [finding.replace(fix=None) if finding.fix is not None and _other_reason(finding, findings)
            else finding for finding in findings]


def _other_reason(finding: Finding, findings: list[Finding]) -> Finding | None:
    """Another rule's finding on the same call (the same span). A finding on a call nested inside
    this one, or around it, is about another call: each of the two is fixed on its own."""
    span = _span(finding)
    return next((other for other in findings if other.code != finding.code and _span(other) == span), None)


def _span(finding: Finding) -> tuple[tuple[int, int], tuple[int, int]]:
    start = (finding.line, finding.column)
    return start, (finding.end_line, finding.end_column) if finding.end_line else start


def fix_module(text: str, engine: Engine, wanted: Callable[[str, Finding], bool], path: str | None = None) -> FixResult:
    """Apply every fix ``wanted(text, finding)`` allows (selection and ``# noqa`` live there).
    ``path`` places the file in its package, as for ``Engine.check``."""
    result = FixResult(text)
    for _ in range(MAX_PASSES):
        findings = engine.check(result.text, path)
        for finding in findings:
            other = _other_reason(finding, findings) if finding.fix is not None else None
            if other is not None and key(finding) not in result.refused:
                result.refused[key(finding)] = f"{other.code} flags this call for another reason; fix it by hand"
        candidates = [finding for finding in findings
                      if finding.fix is not None and key(finding) not in result.refused
                      and wanted(result.text, finding)]
        if not candidates:
            break
        changed = False
        edited: list[tuple] = []  # spans edited in this pass: findings inside them wait for the next pass
        for finding in sorted(candidates, key=lambda f: fix_span(f)[:2], reverse=True):
            line, column, end_line, end_column = fix_span(finding)
            span = ((line, column), (end_line, end_column))
            if any(span[0] <= other[1] and other[0] <= span[1] for other in edited):
                continue
            new_text, reason = apply_one(result.text, finding, engine, path)
            if reason is not None:
                result.refused[key(finding)] = reason
                continue
            result.text = new_text
            result.fixed.append(finding)
            edited.append(span)
            changed = True
        if not changed:
            break
    return result


def fix_span(finding: Finding) -> tuple[int, int, int, int]:
    """What the fix replaces: the flagged node, or the value's source the rule's family names."""
    return finding.fix_span or (finding.line, finding.column, finding.end_line, finding.end_column)


def apply_one(text: str, finding: Finding, engine: Engine, path: str | None = None) -> tuple[str, str | None]:
    """The text with one finding fixed, or the reason it cannot be."""
    root = SgRoot(text, "python").root()
    line, column, end_line, end_column = fix_span(finding)
    span = {"start": {"line": line - 1, "column": column}, "end": {"line": end_line - 1, "column": end_column}}
    node = root.find(range=span)
    if node is None:
        return text, "the flagged code could not be found again"
    if node.find(kind="comment") is not None:
        return text, "the fix would remove a comment inside the call; fix it by hand"
    new_text = root.commit_edits([node.replace(finding.fix)])
    try:
        with warnings.catch_warnings():  # only whether it parses: Python's SyntaxWarnings are not ours
            warnings.simplefilter("ignore")
            ast.parse(new_text)
    except (SyntaxError, ValueError):
        return text, "the fixed code would not parse here; fix it by hand"
    if any(after.code == finding.code and (after.line, after.column) == (finding.line, finding.column)
           for after in engine.check(new_text, path)):
        return text, "the fix does not resolve the finding here; fix it by hand"
    return new_text, None
