"""Shared fixtures: the default rule set and an engine, loaded once per test session."""

import json
import os
from pathlib import Path

import pytest

from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.engine import Engine

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def rule_cache(tmp_path_factory):
    """The checked rule sets of this session, and of the flake8 and torch2ms processes it starts,
    go to a directory of its own, never into the user's cache (linter/rulecache.py)."""
    directory = tmp_path_factory.mktemp("rule-cache")
    previous = os.environ.get("FLAKE8_TORCH2MS_CACHE_DIR")
    os.environ["FLAKE8_TORCH2MS_CACHE_DIR"] = str(directory)
    yield directory
    if previous is None:
        del os.environ["FLAKE8_TORCH2MS_CACHE_DIR"]
    else:
        os.environ["FLAKE8_TORCH2MS_CACHE_DIR"] = previous


def engine_with_rules(directory: Path, rules: list[dict]) -> Engine:
    """An engine for the default rules plus ``rules`` as a user's configuration file in ``directory``."""
    return engine_with_config(directory, {"rules": rules})


def engine_with_config(directory: Path, config: dict) -> Engine:
    """An engine for the default rules plus ``config`` as a user's configuration file in ``directory``."""
    path = directory / "torch2ms.yml"
    path.write_text(json.dumps(config, indent=1), encoding="utf-8")  # JSON is YAML
    load_ruleset.cache_clear()
    try:
        return Engine(load_ruleset(str(path)))
    finally:
        load_ruleset.cache_clear()


@pytest.fixture(scope="session")
def ruleset():
    return load_ruleset()


@pytest.fixture(scope="session")
def engine(ruleset):
    return Engine(ruleset)


@pytest.fixture(scope="session")
def check(engine):
    """Lint a source string; return the sorted (line, code) pairs."""

    def run(source: str) -> list[tuple[int, str]]:
        return [(finding.line, finding.code) for finding in engine.check(source)]

    return run
