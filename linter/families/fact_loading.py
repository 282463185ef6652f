"""Reading a family's facts file: the shapes every family's facts share (named entries with
other spellings, argument slots, lists of names), with the file and line of every mistake."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..records import FrozenRecord

if TYPE_CHECKING:  # loading facts only: a check unpickles them, and must not load the YAML checker
    from ..schema import Reader
    from ..yamlfile import LocatedDict


class Slot(FrozenRecord):
    """Where an argument sits in a call: its position and its keyword."""

    __slots__ = _fields = ("position", "keyword")

    def __init__(self, position: int | None, keyword: str | None) -> None:
        self.position = position
        self.keyword = keyword


def entries(data: LocatedDict, key: str, reader: Reader) -> list[LocatedDict]:
    """The mappings listed under ``key``."""
    found = data.get(key, [])
    if not isinstance(found, list):
        raise reader.fail(data.line_of(key), f"'{key}' must be a list of mappings")
    return [reader.mapping(entry, data.line_of(key), f"an entry of '{key}'") for entry in found]


def entry_name(entry: LocatedDict, reader: Reader) -> str:
    return qualified_names(entry, "name", "an entry", reader)[0]


def add_aliases(aliases: dict[str, str], entry: LocatedDict, name: str, reader: Reader) -> None:
    """Record the entry's ``also:`` spellings as other names of ``name``."""
    for alias in qualified_names(entry, "also", f"'{name}'", reader):
        aliases[alias] = name


def qualified_names(entry: LocatedDict, key: str, what: str, reader: Reader) -> list[str]:
    """Dotted names with their module: a call matches an entry by the name it resolves to through
    its imports, so a bare ``clip_gradients`` could never match anything."""
    names = reader.dotted_names(entry, key, what)
    for name in names:
        if "." not in name:
            raise reader.fail(entry.line_of(key), f"'{name}' in '{key}' has no module: write the name it is "
                                                  f"imported from, such as 'mypackage.{name}'")
    return names


def slot(entry: LocatedDict, key: str, reader: Reader) -> Slot:
    value = reader.mapping(entry[key], entry.line_of(key), f"'{key}'")
    reader.keys(value, ("position", "keyword"), f"'{key}'")
    position = value.get("position")
    if position is not None and (not isinstance(position, int) or isinstance(position, bool) or position < 0):
        raise reader.fail(value.line_of("position"), f"'position' in '{key}' must be a whole number >= 0")
    keyword = reader.string(value, "keyword", f"'{key}'")
    if position is None and keyword is None:
        raise reader.fail(value.line, f"'{key}' needs a 'position', a 'keyword' or both")
    return Slot(position, keyword)


def last(name: str) -> str:
    """The name a call is written with: ``clip_by_value`` for mindspore.ops.clip_by_value,
    ``ClipByNorm`` for mindspore.nn.ClipByNorm()."""
    return name.removesuffix("()").rsplit(".", 1)[-1]
