"""Safe, strict YAML reading that remembers where every key came from.

Rule files may come from the repository being linted, so they are untrusted input: only plain
YAML (no tags beyond the safe ones), no aliases (a billion-laughs file is refused before anything
is expanded), bounded size and nesting, and no duplicate keys.

PyYAML itself is imported only when a file is read (yamlloader.py): a run that gets its rules
from the cache (rulecache.py) never imports it.
"""

from __future__ import annotations

from pathlib import Path

MAX_BYTES = 1_000_000
MAX_DEPTH = 64


class ConfigError(Exception):
    """A configuration problem the user must fix; printed as ``path:line: message``."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        super().__init__(message)
        self.path = str(path)
        self.line = line
        self.message = message

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


def not_a_file(path: str | Path) -> str:
    """Why a configuration path that is not a regular file cannot be read."""
    if Path(path).is_dir():
        return "is a directory, not a YAML configuration file"
    return "configuration file not found"


class LocatedDict(dict):
    """A mapping read from YAML, with the line of the mapping and of each key (1-based)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.line = 0
        self.key_lines: dict = {}

    def line_of(self, key: object) -> int:
        return self.key_lines.get(key, self.line)


def load_yaml(path: str | Path, text: str | None = None) -> object:
    """Read one YAML document from ``path`` (or from ``text``), refusing anything unsafe."""
    path = str(path)
    if text is None:
        try:
            with open(path, "rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
        except OSError as error:
            raise ConfigError(path, None, f"cannot read file: {error.strerror or error}") from None
        if len(raw) > MAX_BYTES:
            raise ConfigError(path, None, f"file is larger than {MAX_BYTES:,} bytes; refusing to read it")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ConfigError(path, None, f"not UTF-8 text (byte {error.start}: {error.reason})") from None
    elif len(text) > MAX_BYTES:
        raise ConfigError(path, None, f"text is larger than {MAX_BYTES:,} characters; refusing to read it")
    from . import yamlloader  # PyYAML, imported only now

    return yamlloader.parse(text, path)
