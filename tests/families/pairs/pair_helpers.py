"""Small builders for the pairs tests: module indexes from snippets, engines in port-pair mode."""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

from ast_grep_py import SgRoot

from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.engine import Engine
from flake8_torch2ms.families import Pairing
from flake8_torch2ms.families.pairs import listing
from flake8_torch2ms.families.pairs.index import ModuleIndex, index_module
from flake8_torch2ms.semantics.model import SemanticModel

FACTS = load_ruleset().facts["pairs"]
__all__ = ["Engine", "Pairing", "load_ruleset", "FACTS"]


def torch_index(source: str) -> ModuleIndex:
    root = SgRoot(textwrap.dedent(source), "python").root()
    return index_module(root, SemanticModel(root), lambda name: FACTS.torch_api(name) is not None)


def port_index(source: str, reach=None) -> ModuleIndex:
    root = SgRoot(textwrap.dedent(source), "python").root()
    return index_module(root, SemanticModel(root), lambda name: bool(FACTS.port_apis(name)), None, reach)


def compatible(port_call, torch_call) -> bool:
    api = FACTS.torch_api(torch_call.name)
    return api is not None and api in FACTS.port_apis(port_call.name)


def pair_check(directory: Path, original: str, port: str, class_map=()) -> list[tuple[int, str, str]]:
    """(line, code, message) of every finding on ``port`` checked against ``original`` (both model.py)."""
    (directory / "original").mkdir(parents=True, exist_ok=True)
    (directory / "original" / "model.py").write_text(textwrap.dedent(original), encoding="utf-8")
    engine = Engine(load_ruleset(), Pairing(str(directory / "original"), tuple(class_map)))
    findings = engine.check(textwrap.dedent(port), str(directory / "port" / "model.py"))
    return [(finding.line, finding.code, finding.message) for finding in findings]


def trust_folder_times(monkeypatch) -> None:
    """Folder times count from the moment they are listed (listing.RECENT_NS 0): a test's tree is
    a few milliseconds old, and its listings would otherwise never be reused."""
    monkeypatch.setattr(listing, "RECENT_NS", 0)


def next_clock_tick(scratch: Path) -> None:
    """Wait until the file system's clock has moved on (it ticks in steps of a few ms), so that a
    change made next gives a folder times it has not had: ``scratch`` is a folder of the same file
    system outside the tree under test."""
    probe = scratch / ".clock"
    probe.write_bytes(b"")
    first = probe.stat().st_mtime_ns
    deadline = time.monotonic() + 5
    while probe.stat().st_mtime_ns == first and time.monotonic() < deadline:
        time.sleep(0.001)
        os.utime(probe)
