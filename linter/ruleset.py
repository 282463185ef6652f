"""A checked rule set as plain records: what the loader (config.py) builds from the YAML, what the
rule cache pickles and what the engine keeps. Apart from the loader, so that an engine read back
from the cache imports these classes and none of the loading and checking code."""

from __future__ import annotations

from .records import FrozenRecord, Record

INTERNAL_ERROR_CODE = "TMS000"


class Example(FrozenRecord):
    """One of a rule's ``valid:`` or ``invalid:`` examples. An invalid one states the finding it
    gives (message without the code, 1-based line and column as flake8 prints them) and, for a rule
    with a ``fix:``, the source after ``torch2ms fix`` (None: the fix leaves this example alone)."""

    __slots__ = _fields = ("name", "source", "message", "line", "column", "fixed", "original")

    def __init__(self, name: str, source: str, message: str | None = None, line: int | None = None,
                 column: int | None = None, fixed: str | None = None, original: str | None = None) -> None:
        self.name = name  # kebab-case, unique within its list: tests and oracle ports are keyed by it
        self.source = source
        self.message = message
        self.line = line
        self.column = column
        self.fixed = fixed
        self.original = original  # port-pair rules: the PyTorch module ``source`` was ported from


class Rule(FrozenRecord):
    __slots__ = _fields = ("id", "code", "message", "matcher", "conditions", "family", "severity", "note", "fix",
                           "fix_safety", "summary", "references", "checked_against", "valid", "invalid", "path",
                           "enabled")

    def __init__(self, id: str, code: str, message: str, matcher: dict,
                 conditions: dict[str, frozenset[str]], family: str | None = None, severity: str = "error",
                 note: str = "", fix: str | None = None, fix_safety: str = "safe", summary: str = "",
                 references: tuple[str, ...] = (), checked_against: dict | None = None,
                 valid: tuple[Example, ...] = (), invalid: tuple[Example, ...] = (), path: str = "",
                 enabled: bool = True) -> None:
        self.id = id
        self.code = code
        self.message = message
        self.matcher = matcher  # the ast-grep config: rule, constraints, utils
        self.conditions = conditions
        # The family whose conditions the rule uses; None: structure (and imports) only.
        self.family = family
        self.severity = severity
        self.note = note
        self.fix = fix
        self.fix_safety = fix_safety  # "unsafe": torch2ms fix applies it only with --unsafe-fixes
        self.summary = summary
        self.references = references
        self.checked_against = {} if checked_against is None else checked_against
        self.valid = valid
        self.invalid = invalid
        self.path = path
        # False for a rule that is off by default (``off-by-default: true``) until a configuration
        # file's ``enable:`` names it.
        self.enabled = enabled


class RuleSet(Record):
    __slots__ = _fields = ("rules", "facts")

    def __init__(self, rules: list[Rule], facts: dict[str, object]) -> None:
        self.rules = rules
        self.facts = facts  # family name -> its facts
