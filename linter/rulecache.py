"""The checked rule set, kept between runs.

Reading and checking the rules (YAML, every pattern parsed, every rule compiled by ast-grep) and
importing PyYAML cost about as much as flake8's own work on a file, and an editor runs flake8 on
every save. The rule set is checked once and pickled into the user's cache directory (as black
keeps its cache); a later run reads it back instead. Like any file under the user's home that
Python code reads back, an entry is trusted as much as that home is: whoever can write there can
change what runs anyway.

Each entry has a second, smaller part: the rule set's prefilters (prefilter.Screen), written with
``marshal``. The flake8 plugin reads only that part at start-up, so a file that no rule can match
costs the prefilter and nothing else: no ast-grep, no families, no semantic model, no PyYAML.
This module therefore imports none of them itself; the full rule set's part imports them when
it is read.

A third part is what the engine derives from the rule set before it sees a file (engine.Plan: the
groups of rules sharing a matcher, the merged walk's matchers, the prefilters), pickled with the
enabled rules and the facts: the first file that passes the prefilters in a new process then
unpickles the engine's state instead of deriving it (rulecache.load_engine).

An entry is named by a hash of everything its content follows from: this package's source files
and its packaged rules and facts, the user's configuration file (path and bytes), and the Python
and ast-grep-py in use. Installed from a wheel, the package's files are named by the wheel's
RECORD (wheel_record: every file's hash, which pip writes anew on each install); in a source
checkout or an editable install, by the path, size and modification time of each file (a stat
costs a tenth of what reading and hashing the 400 kB of them did, and the 120 stats still cost
0.6 ms a process, which an editor pays on every save). An install, an edit of a checkout or a
checkout of another version changes a hash, a time or a size, and the configuration's bytes are
in the name, so a stale entry is never read. The installed files' part of a name is taken once
per process (installed_stamps), the configuration's each time.
Nothing is ever cached for a
configuration that fails to load: the error is raised each time, as before. So a run that finds
the prefilters of a configuration in the cache trusts that configuration as checked (its bytes
are in the entry's name) and reports no error at start-up, which is right: the same bytes were
checked and passed before. A cache directory that cannot be written, or an entry that cannot be
read, only means the rules are checked again, at start-up, with any error reported there.

Entries are pruned, so that the directory does not grow with every upgrade, configuration and
original tree a user ever had: reading an entry marks it used (its modification time, refreshed at
most once a day), and writing one deletes, at most once a day per directory, the entries no run
has used for UNUSED_DAYS (prune). Deleting any entry, or the whole directory, is always safe: it
is only built again.
"""

from __future__ import annotations

import marshal
import os
import pickle
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .prefilter import Screen

if TYPE_CHECKING:
    from . import config
    from .engine import Engine
    from .families import Pairing

try:  # Python's own SHA-512, which flake8's imports have loaded already (random seeds with it):
    # hashlib would load OpenSSL (2 ms on every editor save), _sha256 another library (0.4 M instructions)
    from _sha512 import sha512
except ImportError:  # pragma: no cover - Python 3.12 merged the SHA-2 modules; other builds may lack both
    try:
        from _sha2 import sha512
    except ImportError:
        from hashlib import sha512

PACKAGE = Path(__file__).resolve().parent
DISTRIBUTION = "flake8_torch2ms"  # as a wheel's dist-info folder spells the distribution's name
CACHE_ENVIRONMENT = "FLAKE8_TORCH2MS_CACHE_DIR"  # where entries go; empty: no cache at all
SCREEN_FORMAT = 3  # bump when Screen.state() changes shape (marshal data carries no class names)
UNUSED_DAYS = 30  # an entry no run has read or written for this long is deleted (prune)
DAY = 24 * 60 * 60
TEMPORARY_SECONDS = 60 * 60  # a write's temporary file this old was left by a process that died
PRUNE_STAMP = ".pruned"  # its modification time: when the directory was last pruned


def cache_directory(kind: str = "rulesets") -> Path | None:
    """Where cache entries of one kind go: the rule sets (and their screens) at the top of a
    chosen folder, other kinds (the original trees of port-pair mode) in a folder of their own."""
    chosen = os.environ.get(CACHE_ENVIRONMENT)
    if chosen is not None:
        if not chosen:
            return None
        return Path(chosen) if kind == "rulesets" else Path(chosen) / kind
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "flake8-torch2ms" / kind


def load_ruleset(config_path: str | None = None) -> config.RuleSet:
    """``config.load_ruleset(config_path)``, from the cache when an entry for exactly these files exists."""
    from . import config

    entry = _entry(config_path, ".pickle")
    if entry is not None:
        try:
            rules, facts = pickle.loads(read_entry(entry))
            if isinstance(facts, dict) and all(isinstance(rule, config.Rule) for rule in rules):
                return config.RuleSet(rules, PickledFacts(facts))
        except Exception:  # missing, truncated, or written by code that no longer exists
            pass
    ruleset = config.load_ruleset(config_path)
    if entry is not None:
        write_entry(entry, lambda: pickle.dumps((ruleset.rules, _pickled_facts(ruleset.facts)),
                                                protocol=pickle.HIGHEST_PROTOCOL))
    return ruleset


def load_engine(config_path: str | None = None, pairing: Pairing | None = None) -> Engine:
    """``Engine(load_ruleset(config_path), pairing)``, with what the engine derives from its rules
    (engine.Plan: groups, merged matchers, prefilters) read back from the cache when an entry for
    exactly these files exists, so a new process does not derive it again. With a pairing the
    paired rules have triggers of their own, whatever the original is: one entry serves every
    original, another every run without one."""
    from .ruleset import Rule, RuleSet
    from .engine import Engine, Plan

    entry = _entry(config_path, ".pair-engine" if pairing is not None else ".engine")
    if entry is not None:
        try:
            plan, facts = pickle.loads(read_entry(entry))
            if (isinstance(plan, Plan) and isinstance(facts, dict)
                    and all(isinstance(rule, Rule) for rule in plan.rules)):
                return Engine(RuleSet(plan.rules, PickledFacts(facts)), pairing, plan)
        except Exception:  # missing, truncated, or written by code that no longer exists
            pass
    engine = Engine(load_ruleset(config_path), pairing)
    if entry is not None:
        # The plan holds the enabled rules, which are all the engine keeps of the rule set besides the facts.
        write_entry(entry, lambda: pickle.dumps((engine.plan, _pickled_facts(engine.facts)),
                                                protocol=pickle.HIGHEST_PROTOCOL))
    return engine


def _pickled_facts(facts: Mapping[str, object]) -> dict[str, bytes]:
    """Each family's facts pickled on their own, as PickledFacts reads them."""
    if isinstance(facts, PickledFacts):
        return dict(facts._pickled)
    return {name: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) for name, value in facts.items()}


class PickledFacts(Mapping):
    """A cached rule set's facts, each family's unpickled when first asked for: unpickling a
    family's facts imports that family, and a run without an original never needs the paired
    family's."""

    def __init__(self, pickled: dict[str, bytes]) -> None:
        self._pickled = pickled
        self._facts: dict[str, object] = {}

    def __getitem__(self, name: str) -> object:
        if name not in self._facts:
            self._facts[name] = pickle.loads(self._pickled[name])
        return self._facts[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._pickled)

    def __len__(self) -> int:
        return len(self._pickled)


def load_screen(config_path: str | None = None, original: str | None = None,
                class_map: tuple[tuple[str, str], ...] = ()) -> Screen:
    """The prefilters of ``engine_for(config_path, original, class_map)``, from the cache when an
    entry for exactly these files exists; otherwise the rule set is loaded and checked now
    (raising its ConfigError now), and its prefilters kept for the next run. With an original
    (port-pair mode) the paired rules have triggers of their own, whatever the original is: one
    entry serves every original."""
    entry = _entry(config_path, ".pair-screen" if original is not None else ".screen")
    if entry is not None:
        try:
            version, state = marshal.loads(read_entry(entry))
            if version == SCREEN_FORMAT:
                return Screen.from_state(state)
        except Exception:  # missing, truncated, or of another shape
            pass
    from .engine import engine_for

    screen = engine_for(config_path, original, class_map).screen
    if entry is not None:
        write_entry(entry, lambda: marshal.dumps((SCREEN_FORMAT, screen.state())))
    return screen


def _entry(config_path: str | None, suffix: str) -> Path | None:
    directory = cache_directory()
    if directory is None:
        return None
    try:
        return directory / f"{_key(config_path)}{suffix}"
    except OSError:  # a configuration file that cannot be read: config.load_ruleset says why
        return None


def _key(config_path: str | None) -> str:
    digest = _digest_of(installed_stamps()).copy()
    if config_path:
        digest.update(f"\0user\0{os.path.abspath(config_path)}\0".encode())
        digest.update(Path(config_path).read_bytes())
    return digest.hexdigest()[:64]


@lru_cache(maxsize=1)
def _digest_of(stamps: str):  # -> a sha512 object: every entry's key starts with the same stamps
    return sha512(stamps.encode())


@lru_cache(maxsize=1)
def installed_stamps() -> str:
    """The part of every entry's name that the installed code gives: Python's version, the stamps
    of ast-grep's files, and this package's wheel RECORD or, without one, the stamps of its files
    and its rules'. Taken once per process (which the prefilters' entry and the engine's would each
    pay): the code a process runs is the code it found when it started."""
    parts = [sys.version]
    # ast-grep decides which rules compile: its files stand for its version. Found without
    # importing it: the plugin's start-up must not load it.
    ast_grep = find_spec("ast_grep_py")
    folders = [(ast_grep.submodule_search_locations[0], "")] if ast_grep and ast_grep.submodule_search_locations else []
    record = wheel_record()
    if record is not None:
        parts.append(record)
    else:
        folders += [(str(PACKAGE), ".py"), (find_spec("flake8_torch2ms.rules").submodule_search_locations[0], ".yml")]
    for folder, suffix in folders:
        parts.extend(f"{path}\0{size}\0{modified}" for path, size, modified in file_stamps(folder, suffix))
    return "\0\0".join(parts)


@lru_cache(maxsize=1)
def wheel_record() -> str | None:
    """The stamp (path, size, modification time) of the RECORD of the wheel this package was
    installed from, standing for every installed file: pip writes it beside the package, with each
    file's hash, anew on every install. None in a source checkout or an editable install, whose
    files change without an install: no RECORD naming this very file sits beside the package there."""
    from . import __version__

    record = os.path.join(os.path.dirname(PACKAGE), f"{DISTRIBUTION}-{__version__}.dist-info", "RECORD")
    try:
        with open(record, "rb") as file:
            listed, status = file.read(), os.fstat(file.fileno())
    except OSError:
        return None
    if f"\n{PACKAGE.name}/rulecache.py,".encode() not in b"\n" + listed:
        return None
    return f"{record}\0{status.st_size}\0{status.st_mtime_ns}"  # hashing its 14 kB took longer than the rest


def file_stamps(folder: str, suffix: str) -> list[tuple[str, int, int]]:
    """(path, size, modification time) of every file under ``folder`` named ``*suffix``, in a fixed order."""
    found = []
    with os.scandir(folder) as entries:
        for entry in sorted(entries, key=lambda entry: entry.name):
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__":
                    found.extend(file_stamps(entry.path, suffix))
            elif entry.name.endswith(suffix):
                status = entry.stat()
                found.append((entry.path, status.st_size, status.st_mtime_ns))
    return found


def write_entry(entry: Path, serialized: Callable[[], bytes]) -> None:
    """A cache entry, atomically (two flake8 processes may write the same entry at once), or not
    at all: the rule set's and the original trees' (port-pair mode) alike."""
    try:
        data = serialized()
        entry.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, entry)
        except BaseException:
            os.unlink(temporary)
            raise
    except Exception:  # a read-only home, a full disk, a value pickle refuses: just no cache
        return
    prune(entry.parent)


def read_entry(entry: Path) -> bytes:
    """A cache entry's bytes (raising OSError as ``Path.read_bytes``). Reading marks the entry
    used, so that pruning keeps it: its modification time, when it is more than a day old (one
    ``fstat`` a read; the rare ``utime`` is all that writes)."""
    with open(entry, "rb") as file:
        data = file.read()
        try:
            if time.time() - os.fstat(file.fileno()).st_mtime > DAY:
                os.utime(entry)
        except OSError:  # a read-only cache: it is read, just never pruned of this entry
            pass
    return data


def prune(directory: Path) -> None:
    """Delete the entries of one cache directory that no run has read or written for
    UNUSED_DAYS, and the temporary files of writes that died an hour ago or more; nothing but
    names this package writes, no folder. At most once a day per directory: a
    write (a new rule set, an original tree that changed, a port package's scan) costs one
    ``stat`` otherwise. Never raises: a file another process deletes first, or one that cannot
    be deleted, is left to it."""
    now = time.time()
    stamp = directory / PRUNE_STAMP
    try:
        if now - stamp.stat().st_mtime < DAY:
            return
    except FileNotFoundError:
        pass
    except OSError:
        return
    try:
        stamp.touch()
        # Only names this package writes are ever deleted: the directory may be one the user chose
        # (CACHE_ENVIRONMENT), holding files of their own. An entry is a hex digest and a suffix; a
        # temporary file is tempfile.mkstemp's, with write_entry's prefix and suffix.
        names = re.compile(r"[0-9a-f]{32,64}\.[a-z-]+|\.[a-z0-9_]{8}\.tmp")
        with os.scandir(directory) as found:
            for item in found:
                if not names.fullmatch(item.name):
                    continue
                try:
                    status = item.stat(follow_symlinks=False)
                    limit = TEMPORARY_SECONDS if item.name.endswith(".tmp") else UNUSED_DAYS * DAY
                    if item.is_file(follow_symlinks=False) and now - status.st_mtime > limit:
                        os.unlink(item.path)
                except OSError:
                    continue
    except OSError:
        pass
