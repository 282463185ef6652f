"""Inline expectations in fixture files, semgrep style.

``# ruleid: TMS101`` (or ``TMS101, TMS102``) on the line before a finding; ``# ok: TMS105`` where a
finding must not appear; ``# todoruleid:`` a known miss and ``# todook:`` a known false alarm, both
strict: when the engine gets them right, the annotation must be promoted. An annotation applies to
the next line that is not itself an annotation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ANNOTATION = re.compile(r"#\s*(ruleid|ok|todoruleid|todook):\s*(TMS\d{3}(?:\s*,\s*TMS\d{3})*)\s*$")


@dataclass
class Expectations:
    ruleid: set = field(default_factory=set)
    ok: set = field(default_factory=set)
    todoruleid: set = field(default_factory=set)
    todook: set = field(default_factory=set)

    def problems(self, actual: set[tuple[int, str]]) -> list[str]:
        """Everything that differs between the annotations and the (line, code) findings."""
        found = []
        for line, code in sorted(self.ruleid - actual):
            found.append(f"line {line}: expected {code}, not reported")
        for line, code in sorted(actual - self.ruleid - self.todook - self.todoruleid):
            kind = "annotated ok" if (line, code) in self.ok else "not annotated"
            found.append(f"line {line}: unexpected {code} ({kind})")
        for line, code in sorted(self.todoruleid & actual):
            found.append(f"line {line}: todoruleid {code} is now reported: make it ruleid")
        for line, code in sorted(self.todook - actual):
            found.append(f"line {line}: todook {code} is no longer reported: make it ok")
        return found


def parse(source: str) -> Expectations:
    expectations = Expectations()
    pending: list[tuple[str, list[str]]] = []
    for number, text in enumerate(source.splitlines(), start=1):
        match = ANNOTATION.search(text)
        if match and text.strip().startswith("#"):
            pending.append((match.group(1), [code.strip() for code in match.group(2).split(",")]))
            continue
        for kind, codes in pending:
            getattr(expectations, kind).update((number, code) for code in codes)
        pending = []
    return expectations
