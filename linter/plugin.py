"""The flake8 adapter: options in, engine findings out. Selection, noqa and per-file-ignores stay
flake8's job."""

from __future__ import annotations

import argparse
import ast
import functools
from typing import Iterator

from . import __version__
from .engine import Engine, internal_error
from .rulecache import load_ruleset
from .yamlfile import ConfigError


@functools.lru_cache(maxsize=8)
def engine_for(config_path: str | None) -> Engine:
    """Rules are loaded once per process (flake8's workers re-parse options), and checked once
    until a rule, the configuration or the package changes (rulecache.py)."""
    return Engine(load_ruleset(config_path))


class Torch2MSChecker:
    name = "flake8-torch2ms"
    version = __version__

    config_path: str | None = None

    def __init__(self, tree: ast.AST, lines: list[str], filename: str) -> None:
        # flake8 has parsed ``tree`` already; asking for it means files with syntax errors get
        # flake8's own E999 and never reach us.
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, manager) -> None:  # noqa: ANN001 - flake8's OptionManager
        manager.add_option(
            "--torch2ms-config",
            metavar="FILE",
            default=None,
            parse_from_config=True,
            normalize_paths=True,
            help="YAML file that disables rules, changes messages, adds facts or adds rules "
                 "(see flake8-torch2ms's docs/configuration.md).",
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls.config_path = options.torch2ms_config
        try:
            engine_for(cls.config_path)
        except ConfigError as error:
            raise SystemExit(f"flake8-torch2ms: configuration error: {error}") from None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        try:
            findings = engine_for(self.config_path).check("".join(self.lines), self.filename)
        except Exception as error:  # the engine reports its own failures; this is the last net
            findings = [internal_error("the engine", error)]
        for finding in findings:
            yield finding.line, finding.column, f"{finding.code} {finding.message}", type(self)
