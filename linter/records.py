"""Plain record classes: equality, hashing, ordering, ``repr`` and ``replace`` from the fields a
class declares, as ``@dataclass`` would give them, without building code for each class.

``@dataclass`` writes each class's methods as source text and compiles it at import time, about
half a millisecond a class: with some thirty records that was half of the engine's import, which
an editor pays on every save of a file the rules match (docs/performance.md). A record lists its
fields once, as ``__slots__ = _fields = (...)``, and writes its own ``__init__`` taking them by
those names (or none, for a record made empty and then filled: a family's facts); this module
gives it the rest. Records are not changed after they are made (that is
not enforced: nothing here needs to pay for it).

The families' closed sets of words (what a value is, what a condition answers) are a
``Vocabulary`` of ``Term`` objects for the same reason: ``enum.Enum`` builds each class with a
metaclass that costs about 60 µs (some fifteen of them were 1 ms of an editor's save of a file
the rules match), and the families use nothing of it but named, unique, iterable constants.

And a regex a module holds is a ``LazyPattern``, compiled when first used, where that module is
imported on the path of an editor's save but the pattern serves only loading and checking rules
(which the rule cache skips) or a finding's message: ``re.compile`` costs 50 to 500 µs a pattern.

The views' lazily computed answers are a ``cached_property`` of this module: functools' takes a
lock on each instance's first read in Python 3.10 and 3.11 (3.12 dropped it), and the views are
read once per rule at every match.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Iterator


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


class Term:
    """One word of a ``Vocabulary``: ``value`` is the word (as a rule's YAML writes it), ``name``
    the class attribute it is bound to. One object per word, compared by identity, as an
    ``Enum`` member: a copy or an unpickled one is the same object."""

    __slots__ = ("value", "name", "vocabulary")

    def __init__(self, value: str) -> None:
        self.value = value
        self.name = ""
        self.vocabulary: type | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        self.name, self.vocabulary = name, owner

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"<{self}: {self.value!r}>"

    def __str__(self) -> str:
        return f"{self.vocabulary.__name__ if self.vocabulary else '?'}.{self.name}"

    def __reduce__(self) -> tuple:
        return getattr, (self.vocabulary, self.name)


class _VocabularyType(type):
    def __iter__(cls) -> Iterator[Term]:
        return iter(cls._terms)  # type: ignore[attr-defined]

    def __len__(cls) -> int:
        return len(cls._terms)  # type: ignore[attr-defined]


class Vocabulary(metaclass=_VocabularyType):
    """A closed set of words, each a ``Term`` class attribute (``GIVEN = Term("given")``):
    iterating the class gives them in the order written. Two terms with one value are refused
    when the class is defined."""

    _terms: tuple[Term, ...] = ()

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls._terms = tuple(value for value in vars(cls).values() if isinstance(value, Term))
        values = [term.value for term in cls._terms]
        if len(set(values)) != len(values):
            raise TypeError(f"vocabulary {cls.__name__}: a value is written twice")


class LazyPattern:
    """``re.compile(pattern, flags)``, compiled on the first use of any of its methods
    (``match``, ``sub``, ``findall``...): it stands wherever the compiled pattern would."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> Any:
        # Asked only for what the instance lacks: the compiled pattern's methods and attributes,
        # each then kept on the instance, so that later uses find it directly.
        compiled = self.__dict__.get("compiled")
        if compiled is None:
            compiled = self.__dict__["compiled"] = re.compile(self.pattern, self.flags)
        value = getattr(compiled, name)
        setattr(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"


# The names a rule or a facts file may write (schema.py checks them), here rather than in
# schema.py: the families' facts modules name them in their tables, and a check imports those
# modules to unpickle its facts, which must not load the YAML checker (1.2 M instructions).
DOTTED_NAME = LazyPattern(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(\(\))?\Z")
IDENTIFIER = LazyPattern(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class FunctionByName:
    """A module-level function, kept by its module and name and imported on its first call.
    Pickled as those two names: the engine's cached plan names the families' callbacks this way,
    so that reading the plan imports no family's module that no check then asks for."""

    __slots__ = ("module", "name", "_function")

    def __init__(self, module: str, name: str, function: Callable | None = None) -> None:
        self.module = module
        self.name = name
        self._function = function

    @classmethod
    def of(cls, function: Callable) -> FunctionByName:
        return cls(function.__module__, function.__qualname__, function)

    def __call__(self, *args: Any) -> Any:
        function = self._function
        if function is None:
            import importlib

            function = self._function = getattr(importlib.import_module(self.module), self.name)
        return function(*args)

    def __reduce__(self) -> tuple:
        return FunctionByName, (self.module, self.name)

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, FunctionByName) and (self.module, self.name) == (other.module, other.name))

    def __hash__(self) -> int:
        return hash((self.module, self.name))

    def __repr__(self) -> str:
        return f"FunctionByName({self.module}.{self.name})"


class cached_property:  # noqa: N801 - functools' name: a drop-in for it
    """``functools.cached_property`` without the lock Python 3.10 and 3.11 take on each instance's
    first read (Python 3.12's, in effect): the value is computed on the first read and stored in
    the instance's ``__dict__``, which every later read finds before this descriptor. Nothing here
    shares a view or a model between threads (the command's workers are processes)."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function
        self.name = function.__name__
        self.__doc__ = function.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.function(instance)
        return value
