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

from . import DOCS_URL, __version__, rulecache
from .prefilter import FileText, Screen


# The configurations whose engine this process has built: the engine's own check starts with the
# same prefilters, so once it is loaded the screen would only test a kept file twice.
_ENGINE_BUILT: set[tuple] = set()  # (configuration, original, class map)


class Torch2MSChecker:
    name = "flake8-torch2ms"
    version = __version__

    config_path: str | None = None
    original: str | None = None  # port-pair mode (docs/port-pair.md)
    class_map: tuple[tuple[str, str], ...] = ()
    screen: Screen | None = None  # the rule set's prefilters, set by parse_options

    def __init__(self, tree: ast.AST, lines: list[str], filename: str) -> None:
        # flake8 has parsed ``tree`` already; asking for it means files with syntax errors get
        # flake8's own E999 and never reach us. In port-pair mode the engine reads the module's
        # top-level names from it (its gate), instead of scanning the text for them.
        self.tree = tree
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
                 f"(see {DOCS_URL}/configuration.md).",
        )
        manager.add_option(
            "--torch2ms-original",
            metavar="DIR",
            default=None,
            parse_from_config=True,
            normalize_paths=True,
            help="port-pair mode: the PyTorch code this MindSpore port was ported from (a directory or a "
                 f"file); enables the TMS4xx checks (see {DOCS_URL}/port-pair.md).",
        )
        manager.add_option(
            "--torch2ms-class-map",
            metavar="TORCH=PORT,...",
            default=None,
            parse_from_config=True,
            help="port-pair mode: classes the port renamed, as TorchName=PortName pairs, comma-separated.",
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        cls.config_path, origin = _torch2ms_config(options)
        try:
            if cls.config_path is not None and not os.path.isfile(cls.config_path):
                from .yamlfile import not_a_file

                raise _config_error(cls.config_path, f"{not_a_file(cls.config_path)} ({origin})")
            cls.original, where = _torch2ms_config(options, "torch2ms_original")
            if cls.original is not None and not os.path.exists(cls.original):
                raise _config_error(cls.original, f"original (port-pair mode) not found ({where})")
            cls.class_map = _class_map(getattr(options, "torch2ms_class_map", None))
            # Checks the rules and the configuration now (unless these exact files were checked
            # before: rulecache.py), so that an error stops the run before any file is linted.
            cls.screen = rulecache.load_screen(cls.config_path, cls.original, cls.class_map)
        except Exception as error:
            # Imported here: a run whose rules come from the cache never loads the module (0.7 M
            # instructions on every editor save).
            from .yamlfile import ConfigError

            if not isinstance(error, ConfigError):
                raise
            # Exit status 2, as for flake8's own usage errors: 1 means findings.
            print(f"flake8-torch2ms: configuration error: {error}", file=sys.stderr)
            raise SystemExit(2) from None

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        source = "".join(self.lines)
        try:
            key = (self.config_path, self.original, self.class_map)
            if key not in _ENGINE_BUILT:
                screen = self.screen if self.screen is not None else rulecache.load_screen(*key)
                if not screen.may_match(source, self.filename, self.tree):
                    return
            findings = _check(key, source, self.filename, self.tree)
            _ENGINE_BUILT.add(key)
        except Exception as error:  # the engine reports its own failures; this is the last net
            from .engine import internal_error

            findings = [internal_error("the engine", error)]
        finally:
            FileText.forget()  # the screen's and the engine's shared look at this file's text
        for finding in findings:
            yield finding.line, finding.column, f"{finding.code} {finding.message}", type(self)


def _check(key: tuple, source: str, filename: str, tree: ast.AST) -> list:
    """The engine's findings; the first call in a process imports the engine and builds it.

    Python's cycle collector is held off meanwhile, as Engine.check does for a check: by then
    flake8 holds the file's tokens and trees, and each collection the import's allocations set off
    walks them (about 1 ms of an editor's run on a model file); it catches up on later allocations."""
    import gc  # here, not at the top: a file no rule can match imports nothing more

    enabled = gc.isenabled()
    gc.disable()
    try:
        from .engine import engine_for

        return engine_for(*key).check(source, filename, tree)
    finally:
        if enabled:
            gc.enable()


def _config_error(where: str, message: str) -> Exception:
    """yamlfile.ConfigError for an option, its module imported on the error only (see parse_options)."""
    from .yamlfile import ConfigError

    return ConfigError(where, None, message)


def _class_map(value: str | None) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in (value or "").replace("\n", ",").split(","):
        if item.strip():
            torch, _, port = item.partition("=")
            if not torch.strip().isidentifier() or not port.strip().isidentifier():
                raise _config_error("torch2ms-class-map", f"'{item.strip()}': write TorchName=PortName")
            pairs.append((torch.strip(), port.strip()))
    return tuple(pairs)


def _torch2ms_config(options: argparse.Namespace, option: str = "torch2ms_config") -> tuple[str | None, str]:
    """The configuration file's absolute path, and where its name came from (for messages).

    flake8 makes an option value with a slash absolute, from the configuration file's folder, but
    leaves a bare name (``torch2ms-config = torch2ms.yml``) as written, which would then depend on
    the directory flake8 runs in (editors run it from the file's folder). A bare name from the
    configuration file is taken from that file's folder, as the documentation says; on the
    command line it is relative to the current directory.
    """
    value = getattr(options, option, None)
    name = option.replace("_", "-")
    if not value:
        return None, ""
    if os.path.isabs(value):
        return value, f"{name} = {value}"
    if not getattr(options, "isolated", False):
        from . import flake8config

        try:
            config = flake8config.read(options.config) if getattr(options, "config", None) else flake8config.find()
        except flake8config.Flake8ConfigError:
            config = None
        found = None
        if config is not None:
            found = config.torch2ms_config() if option == "torch2ms_config" else config.torch2ms_original()
        if found is not None and found[0] == value:
            return str(found[1]), f"{name} = {value} in {config.path}, taken from that file's folder"
    return value, f"--{name} {value}, looked for in the current directory {os.getcwd()}"
