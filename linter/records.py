"""Plain record classes: equality, hashing, ordering, ``repr`` and ``replace`` from the fields a
class declares, as ``@dataclass`` would give them, without building code for each class.

``@dataclass`` writes each class's methods as source text and compiles it at import time, about
half a millisecond a class: with some thirty records that was half of the engine's import, which
an editor pays on every save of a file the rules match (docs/performance.md). A record lists its
fields once, as ``__slots__ = _fields = (...)``, and writes its own ``__init__`` taking them by
those names (or none, for a record made empty and then filled: a family's facts); this module
gives it the rest. Records are not changed after they are made (that is
not enforced: nothing here needs to pay for it).
"""

from __future__ import annotations

from typing import Any


class Record:
    """A mutable record: compared by value, unhashable (``@dataclass`` without ``frozen``)."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()  # the ``__init__`` parameters, in order
    _compared: tuple[str, ...] | None = None  # the fields compared (None: all of them)

    def _key(self) -> tuple:
        return tuple([getattr(self, name) for name in (self._compared or self._fields)])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() == other._key()  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__qualname__}({fields})"

    def replace(self, **changes: Any) -> Any:
        """A copy with ``changes`` (``dataclasses.replace``)."""
        return type(self)(**{**{name: getattr(self, name) for name in self._fields}, **changes})


class FrozenRecord(Record):
    """A record that is never changed: hashable by its compared fields (``frozen=True``)."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(self._key())


class OrderedRecord(FrozenRecord):
    """A frozen record ordered by its compared fields, in order (``order=True``)."""

    __slots__ = ()

    def __lt__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() < other._key()  # type: ignore[attr-defined]

    def __le__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() <= other._key()  # type: ignore[attr-defined]

    def __gt__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() > other._key()  # type: ignore[attr-defined]

    def __ge__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._key() >= other._key()  # type: ignore[attr-defined]
