"""flake8's configuration file, found and read as flake8 reads it, for the plugin and ``torch2ms``.

The plugin needs it to take a bare ``torch2ms-config = torch2ms.yml`` from the configuration
file's folder (flake8 makes only values with a slash absolute). ``torch2ms check`` reads from it
what makes its findings agree with flake8's on the same tree: ``torch2ms-config``, ``ignore``,
``extend-ignore``, ``per-file-ignores``, ``exclude`` and ``extend-exclude``. ``select`` and
``extend-select`` are not read: torch2ms selects its own codes (``--select``).

Paths and patterns are normalized with flake8's own helpers, so they mean what they mean to flake8.
"""

from __future__ import annotations

import configparser
import os
import re
from dataclasses import dataclass
from pathlib import Path

from flake8 import utils as flake8_utils

CONFIG_FILES = ("setup.cfg", "tox.ini", ".flake8")
CODE = re.compile(r"[A-Z]{1,3}[0-9]{0,3}\Z")  # flake8's VALID_CODE_PREFIX


class Flake8ConfigError(Exception):
    """A value flake8 would refuse (or crash on), named with its file and option."""


@dataclass(frozen=True)
class Flake8Config:
    path: Path | None  # the file flake8 reads, None when there is none
    parser: configparser.RawConfigParser

    @property
    def directory(self) -> Path:
        return self.path.parent if self.path is not None else Path.cwd()

    def value(self, name: str) -> str | None:
        """A [flake8] option, spelled with dashes or underscores as flake8 accepts both."""
        for key in (name, name.replace("-", "_")):
            if self.parser.has_option("flake8", key):
                return self.parser.get("flake8", key)
        return None

    def torch2ms_config(self) -> tuple[str, Path] | None:
        """The ``torch2ms-config`` value as written and the file it names (from this file's folder)."""
        value = self.value("torch2ms-config")
        if value is None or not value.strip():
            return None
        return value.strip(), (self.directory / value.strip()).resolve()

    def torch2ms_original(self) -> tuple[str, Path] | None:
        """The ``torch2ms-original`` value as written and the directory it names (from this file's folder)."""
        value = self.value("torch2ms-original")
        if value is None or not value.strip():
            return None
        return value.strip(), (self.directory / value.strip()).resolve()

    def codes(self, name: str) -> tuple[str, ...]:
        value = self.value(name)
        if value is None:
            return ()
        codes = tuple(flake8_utils.parse_comma_separated_list(value))
        for code in codes:
            self._check_code(name, code)
        return codes

    def per_file_ignores(self) -> list[tuple[str, tuple[str, ...]]]:
        """(pattern, codes) pairs; patterns normalized as flake8 normalizes them (from the current directory)."""
        value = self.value("per-file-ignores")
        if not value:
            return []
        try:
            pairs = flake8_utils.parse_files_to_codes_mapping(value)
        except Exception as error:  # flake8's ExecutionError, with its own explanation
            raise Flake8ConfigError(f"{self.path}: per-file-ignores: {error}") from None
        mapping = []
        for pattern, codes in pairs:
            for code in codes:
                self._check_code("per-file-ignores", code)
            mapping.append((flake8_utils.normalize_path(pattern), tuple(codes)))
        return mapping

    def excludes(self) -> list[str]:
        """``exclude`` and ``extend-exclude``, relative to this file's folder as flake8 takes them."""
        patterns = []
        for name in ("exclude", "extend-exclude"):
            value = self.value(name)
            if value:
                patterns += flake8_utils.normalize_paths(flake8_utils.parse_comma_separated_list(value),
                                                         str(self.directory))
        return patterns

    def _check_code(self, name: str, code: str) -> None:
        if not CODE.match(code):
            hint = " (an inline comment? flake8 reads '#' and what follows as part of the value)" \
                if code.startswith("#") else ""
            raise Flake8ConfigError(f"{self.path}: {name}: '{code}' is not an error code{hint}")


def find(start: Path | None = None) -> Flake8Config:
    """The first setup.cfg / tox.ini / .flake8 with a [flake8] section from ``start`` (default: the
    current directory) up, stopping below the home directory, exactly as flake8 searches."""
    directory = os.path.abspath(start or ".")
    home = os.path.expanduser("~")
    home_key = _stat_key(home) if home != "~" else None
    directory_key = _stat_key(directory)
    while True:
        for name in CONFIG_FILES:
            candidate = os.path.join(directory, name)
            parser = configparser.RawConfigParser()
            try:
                parser.read(candidate, encoding="UTF-8")
            except (UnicodeDecodeError, configparser.ParsingError):
                continue  # flake8 ignores an unparsable file (with a warning in its log)
            if parser.has_section("flake8") or parser.has_section("flake8:local-plugins"):
                if not parser.has_section("flake8"):
                    parser.add_section("flake8")
                return Flake8Config(Path(candidate), parser)
        parent = os.path.dirname(directory)
        parent_key = _stat_key(parent)
        if parent_key in (directory_key, home_key):
            break
        directory, directory_key = parent, parent_key
    parser = configparser.RawConfigParser()
    parser.add_section("flake8")
    return Flake8Config(None, parser)


def read(path: str) -> Flake8Config:
    """An explicitly named configuration file (flake8's ``--config``)."""
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="UTF-8")
    except (UnicodeDecodeError, configparser.Error) as error:
        raise Flake8ConfigError(f"{path}: could not read it: {error}") from None
    if not parser.has_section("flake8"):
        parser.add_section("flake8")
    return Flake8Config(Path(path).resolve(), parser)


def matches(path: str, patterns: list[str]) -> bool:
    """flake8's matching of a path against exclude or per-file-ignores patterns."""
    return bool(patterns) and flake8_utils.matches_filename(path, patterns, "%(path)s %(whether)s", _QUIET)


def _stat_key(path: str) -> tuple[int, int] | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_ino, status.st_dev


class _Quiet:
    def debug(self, *args, **kwargs) -> None:
        pass


_QUIET = _Quiet()
