"""The checked rule set, kept between runs.

Reading and checking the rules (YAML, every pattern parsed, every rule compiled by ast-grep) and
importing PyYAML cost about as much as flake8's own work on a file, and an editor runs flake8 on
every save. The rule set is checked once and pickled into the user's cache directory (as black
keeps its cache); a later run reads it back instead. Like any file under the user's home that
Python code reads back, an entry is trusted as much as that home is: whoever can write there can
change what runs anyway.

An entry is named by a hash of everything its content follows from: this package's source files,
its packaged rules and facts, the user's configuration file (path and bytes), and the Python and
ast-grep-py in use. A changed byte anywhere names another entry, so a stale one is never read.
Reading the files for the hash costs about a millisecond. Nothing is ever cached for a
configuration that fails to load: the error is raised each time, as before. A cache directory
that cannot be written, or an entry that cannot be read, only means the rules are checked again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from importlib import resources
from pathlib import Path

import ast_grep_py

from . import config

PACKAGE = Path(__file__).resolve().parent
CACHE_ENVIRONMENT = "FLAKE8_TORCH2MS_CACHE_DIR"  # where entries go; empty: no cache at all


def cache_directory() -> Path | None:
    chosen = os.environ.get(CACHE_ENVIRONMENT)
    if chosen is not None:
        return Path(chosen) if chosen else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "flake8-torch2ms" / "rulesets"


def load_ruleset(config_path: str | None = None) -> config.RuleSet:
    """``config.load_ruleset(config_path)``, from the cache when an entry for exactly these files exists."""
    directory = cache_directory()
    try:
        entry = directory / f"{_key(config_path)}.pickle" if directory is not None else None
    except OSError:  # a configuration file that cannot be read: config.load_ruleset says why
        entry = None
    if entry is not None:
        try:
            ruleset = pickle.loads(entry.read_bytes())
            if isinstance(ruleset, config.RuleSet):
                return ruleset
        except Exception:  # missing, truncated, or written by code that no longer exists
            pass
    ruleset = config.load_ruleset(config_path)
    if entry is not None:
        _write(entry, ruleset)
    return ruleset


def _key(config_path: str | None) -> str:
    digest = hashlib.sha256()
    # ast-grep decides which rules compile: its binary (path, size, time) stands for its version.
    binary = Path(ast_grep_py.ast_grep_py.__file__)
    status = binary.stat()
    digest.update(f"{sys.version}\0{binary}\0{status.st_size}\0{status.st_mtime_ns}".encode())
    rules = Path(str(resources.files("flake8_torch2ms.rules")))
    for base, pattern in ((PACKAGE, "*.py"), (rules, "*.yml")):
        for path in sorted(base.rglob(pattern)):
            digest.update(f"\0{path.relative_to(base).as_posix()}\0".encode())
            digest.update(path.read_bytes())
    if config_path:
        digest.update(f"\0user\0{os.path.abspath(config_path)}\0".encode())
        digest.update(Path(config_path).read_bytes())
    return digest.hexdigest()


def _write(entry: Path, ruleset: config.RuleSet) -> None:
    """Atomically (two flake8 processes may write the same entry at once), or not at all."""
    try:
        data = pickle.dumps(ruleset, protocol=pickle.HIGHEST_PROTOCOL)
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, entry)
        except BaseException:
            os.unlink(temporary)
            raise
    except Exception:  # a read-only home, a full disk, an object pickle refuses: just no cache
        pass
