"""Small helpers for checking YAML data against what we expect, naming file, line and key."""

from __future__ import annotations

import re
from typing import Iterable

from .astgrep import SgRoot
from .records import DOTTED_NAME
from .yamlfile import ConfigError, LocatedDict


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

    def regex(self, mapping: LocatedDict, key: str, what: str) -> str | None:
        """A non-empty regex, compiled by ast-grep now: a bad one would otherwise fail every file
        linted. It runs in ast-grep (Rust, linear time); nothing hands it to Python's re."""
        pattern = self.string(mapping, key, what)
        if pattern is None:
            return None
        if not pattern:
            raise self.fail(mapping.line_of(key), f"'{key}' in {what} must be a non-empty regex")
        try:
            SgRoot("x", "python").root().matches(regex=pattern)
        except Exception as error:  # ast-grep-py raises plain Exception
            raise self.fail(mapping.line_of(key),
                            f"'{key}' is not a valid regex: {ast_grep_reason(error, where=False)}") from None
        return pattern


def ast_grep_reason(error: BaseException, where: bool = True) -> str:
    """ast-grep's error as one line: where in the rule (its first cause) and why (its last), without
    the Rust backtrace that RUST_BACKTRACE=1 appends (the user fixes YAML, not ast-grep)."""
    text = str(error).split("Stack backtrace:", 1)[0]
    causes = [" ".join(part.split()).rstrip(".") for part in re.split(r"^\s*\d+: ", text, flags=re.MULTILINE)[1:]]
    # Drop the caret line under a regex error: it points into a pattern the message already quotes.
    causes = [re.sub(r" \^+ (?=error:)", "; ", cause) for cause in causes if cause]
    if not causes:
        return " ".join(text.split())
    return f"{causes[0]}: {causes[-1]}" if where and len(causes) > 1 else causes[-1]


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
