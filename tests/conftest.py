"""Shared fixtures: the default rule set and an engine, loaded once per test session."""

from pathlib import Path

import pytest

from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.engine import Engine

ROOT = Path(__file__).resolve().parent.parent


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
