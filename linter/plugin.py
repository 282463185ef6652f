"""The flake8 adapter: options in, engine findings out. Selection, noqa and per-file-ignores stay
flake8's job.

An editor runs flake8 on every save, in a new process, on one file, and most files no rule can
match. So this module and its start-up load only the rule set's prefilters (rulecache.load_screen:
no ast-grep, no families, no semantic model, no YAML); the engine is imported by the first file
that passes them. tests/test_lazy_import.py holds this in place.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from typing import Iterator

from . import __version__, rulecache
from .prefilter import Screen
from .yamlfile import ConfigError


# The configurations whose engine this process has built: the engine's own check starts with the
# same prefilters, so once it is loaded the screen would only test a kept file twice.
_ENGINE_BUILT: set[str | None] = set()


class Torch2MSChecker:
    name = "flake8-torch2ms"
    version = __version__

    config_path: str | None = None
    screen: Screen | None = None  # the rule set's prefilters, set by parse_options

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
        cls.config_path, origin = _torch2ms_config(options)
        try:
            if cls.config_path is not None and not os.path.isfile(cls.config_path):
                raise ConfigError(cls.config_path, None, f"configuration file not found ({origin})")
            # Checks the rules and the configuration now (unless these exact files were checked
            # before: rulecache.py), so that an error stops the run before any file is linted.
            cls.screen = rulecache.load_screen(cls.config_path)
        except ConfigError as error:
            # Exit status 2, as for flake8's own usage errors: 1 means findings.
            print(f"flake8-torch2ms: configuration error: {error}", file=sys.stderr)
            raise SystemExit(2) from None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        source = "".join(self.lines)
        try:
            if self.config_path not in _ENGINE_BUILT:
                screen = self.screen if self.screen is not None else rulecache.load_screen(self.config_path)
                if not screen.may_match(source, self.filename):
                    return
            from .engine import engine_for

            findings = engine_for(self.config_path).check(source, self.filename)
            _ENGINE_BUILT.add(self.config_path)
        except Exception as error:  # the engine reports its own failures; this is the last net
            from .engine import internal_error

            findings = [internal_error("the engine", error)]
        for finding in findings:
            yield finding.line, finding.column, f"{finding.code} {finding.message}", type(self)


def _torch2ms_config(options: argparse.Namespace) -> tuple[str | None, str]:
    """The configuration file's absolute path, and where its name came from (for messages).

    flake8 makes an option value with a slash absolute, from the configuration file's folder, but
    leaves a bare name (``torch2ms-config = torch2ms.yml``) as written, which would then depend on
    the directory flake8 runs in (editors run it from the file's folder). A bare name from the
    configuration file is taken from that file's folder, as the documentation says; on the
    command line it is relative to the current directory.
    """
    value = options.torch2ms_config
    if not value:
        return None, ""
    if os.path.isabs(value):
        return value, f"torch2ms-config = {value}"
    if not getattr(options, "isolated", False):
        from . import flake8config

        try:
            config = flake8config.read(options.config) if getattr(options, "config", None) else flake8config.find()
        except flake8config.Flake8ConfigError:
            config = None
        found = config.torch2ms_config() if config is not None else None
        if found is not None and found[0] == value:
            return str(found[1]), f"torch2ms-config = {value} in {config.path}, taken from that file's folder"
    return value, f"--torch2ms-config {value}, looked for in the current directory {os.getcwd()}"
