"""Realistic ported files, annotated inline; the complete set of (line, code) findings must match."""

from pathlib import Path

import pytest

from annotations import parse

ROOT = Path(__file__).resolve().parent.parent
# The port-pair fixtures need their original: tests/families/pairs/test_fixture_pair.py runs them.
PAIRS = ROOT / "tests" / "fixtures" / "pairs"
FILES = sorted(path for path in (ROOT / "tests" / "fixtures").glob("**/*.py") if PAIRS not in path.parents) + sorted(
    (ROOT / "docs" / "examples").glob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=[f"{path.parent.name}/{path.name}" for path in FILES])
def test_fixture(engine, path):
    source = path.read_text(encoding="utf-8")
    expectations = parse(source)
    actual = {(finding.line, finding.code) for finding in engine.check(source)}
    assert expectations.problems(actual) == []


def test_fixtures_exist():
    assert len(FILES) >= 8


def test_examples_cover_every_code(engine, ruleset):
    """The README's quickstart lints docs/examples: together they must show every rule."""
    found = set()
    for path in (ROOT / "docs" / "examples").glob("*.py"):
        found |= {finding.code for finding in engine.check(path.read_text(encoding="utf-8"))}
    # Port-pair rules need an original (docs/port-pair.md has their worked example).
    assert found == {rule.code for rule in ruleset.rules if rule.family != "pairs"}


def test_annotation_parser_reads_each_kind():
    source = "# ruleid: TMS101, TMS102\n# ok: TMS105\nx = 1\n# todoruleid: TMS103\ny = 2\n# todook: TMS104\nz = 3\n"
    expectations = parse(source)
    assert expectations.ruleid == {(3, "TMS101"), (3, "TMS102")}
    assert expectations.ok == {(3, "TMS105")}
    assert expectations.todoruleid == {(5, "TMS103")}
    assert expectations.todook == {(7, "TMS104")}
    assert expectations.problems({(3, "TMS101"), (3, "TMS102"), (7, "TMS104")}) == []
    assert expectations.problems({(3, "TMS101"), (5, "TMS103")}) == [
        "line 3: expected TMS102, not reported",
        "line 5: todoruleid TMS103 is now reported: make it ruleid",
        "line 7: todook TMS104 is no longer reported: make it ok",
    ]
