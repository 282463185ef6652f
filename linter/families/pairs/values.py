"""The pairs conditions' vocabulary, and the value of one argument as both sides read it."""

from __future__ import annotations

from ...records import FrozenRecord, Term, Vocabulary


class Pair(Vocabulary):
    """What a port call is, next to the original call it is aligned with."""

    DEFAULT_DIFFERS = Term("default-differs")  # a parameter left at MindSpore's default means something else
    VALUE_DIFFERS = Term("value-differs")  # a value passed, read in MindSpore's convention, means something else
    NEVER_AGREES = Term("never-agrees")  # the counterpart never computes what the original API does
    INIT_DIFFERS = Term("init-differs")  # only the initialisation differs
    AGREES = Term("agrees")
    UNKNOWN = Term("unknown")  # a value on either side is unknown
    UNALIGNED = Term("unaligned")  # no original call, or an ambiguous one
    OTHER = Term("other")  # not a MindSpore counterpart of any API the facts know


class Verdict(Vocabulary):
    AGREE = Term("agree")
    DIFFER = Term("differ")
    UNKNOWN = Term("unknown")


class Value(FrozenRecord):
    """One side's effective value of a parameter.

    ``known``: ``value`` holds the literal (a number, a string, a bool, None, a tuple of numbers);
    ``text``: the expression's tokens joined by spaces when an argument was written (None for a
    default), to tell when both sides pass the same expression; ``source``: the argument's source
    text (for a fix); ``given``: written in the call rather than a default."""

    __slots__ = _fields = ("known", "value", "text", "source", "given")

    def __init__(self, known: bool, value: object = None, text: str | None = None, source: str | None = None,
                 given: bool = False) -> None:
        self.known = known
        self.value = value
        self.text = text
        self.source = source
        self.given = given

    @classmethod
    def default(cls, value: object, known: bool) -> Value:
        return cls(known, value if known else None)

    def to_json(self) -> list:
        return [self.known, _json_value(self.value), self.text, self.source, self.given]

    @classmethod
    def from_json(cls, item: list) -> Value:
        known, value, text, source, given = item
        return cls(known, tuple(value) if isinstance(value, list) else value, text, source, given)


UNKNOWN_VALUE = Value(False)


def _json_value(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value
