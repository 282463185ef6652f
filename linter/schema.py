"""Small helpers for checking YAML data against what we expect, naming file, line and key."""

from __future__ import annotations

import re
from typing import Iterable

from .yamlfile import ConfigError, LocatedDict

DOTTED_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*(\(\))?\Z")
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Reader:
    """Reads values out of one YAML file, raising ConfigError with the file and line on a mismatch."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, line: int | None, message: str) -> ConfigError:
        return ConfigError(self.path, line, message)

    def mapping(self, value: object, line: int, what: str) -> LocatedDict:
        if not isinstance(value, LocatedDict):
            raise self.fail(line, f"{what} must be a mapping, got {_describe(value)}")
        return value

    def keys(self, mapping: LocatedDict, known: Iterable[str], what: str, required: Iterable[str] = ()) -> None:
        known = list(known)
        for key in mapping:
            if key not in known:
                hint = _closest(str(key), known)
                raise self.fail(
                    mapping.line_of(key),
                    f"unknown key '{key}' in {what}{hint}; expected one of: {', '.join(known)}",
                )
        for key in required:
            if key not in mapping:
                raise self.fail(mapping.line, f"{what} is missing the required key '{key}'")

    def string(self, mapping: LocatedDict, key: str, what: str, default: str | None = None) -> str | None:
        value = mapping.get(key, default)
        if value is not None and not isinstance(value, str):
            raise self.fail(mapping.line_of(key), f"'{key}' in {what} must be a string, got {_describe(value)}")
        return value

    def strings(self, mapping: LocatedDict, key: str, what: str, pattern: re.Pattern | None = None) -> list[str]:
        value = mapping.get(key, [])
        line = mapping.line_of(key)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(line, f"'{key}' in {what} must be a list of strings, got {_describe(value)}")
        if pattern is not None:
            for item in value:
                if not pattern.match(item):
                    raise self.fail(line, f"'{item}' in '{key}' is not a valid name")
        return value

    def dotted_names(self, mapping: LocatedDict, key: str, what: str) -> list[str]:
        return self.strings(mapping, key, what, DOTTED_NAME)


def _describe(value: object) -> str:
    if isinstance(value, LocatedDict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    return f"{type(value).__name__} {value!r}"[:80]


def _closest(key: str, known: list[str]) -> str:
    import difflib

    match = difflib.get_close_matches(key, known, n=1)
    return f" (did you mean '{match[0]}'?)" if match else ""
