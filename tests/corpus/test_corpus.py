"""The default rules on the pinned real-world corpus give exactly the triaged findings, and catch
every real gradient clip, and every MindSpore layer written in MindSpore's meaning, made wrong.

The corpus (7,330 files of real MindSpore code from PyPI releases) is not in the repository: run
``python bench/corpus.py fetch`` first, or ``tox -e corpus``, which fetches it. Each release's
expected findings are in tests/corpus/expected/NAME-VERSION.txt, one ``path:line:CODE  # reason``
line per finding; any difference fails, and so does a finding without a reason or a crash of the
plugin (TMS000). Its recall mutants are listed in tests/corpus/recall/NAME-VERSION.txt.

A release that is not fetched is skipped, except in CI (CI=true): .ci/run fetches the slice
(``python bench/corpus.py fetch --slice``, bench/corpus.py's CI_SLICE) before the tests, and a
slice release missing there fails. After a change of rules or semantics, rewrite both lists with
``python tests/corpus/corpus_lint.py write`` and triage every UNTRIAGED line.
"""

from __future__ import annotations

import pytest

import corpus_lint
from ci_requirements import IN_CI

TOOL = corpus_lint.corpus_tool()


def _roots():
    try:
        return {root.name: root for root in TOOL.source_roots()}
    except TOOL.CorpusError:  # a cache directory inside the repository, for one
        return {}


ROOTS = _roots()
PINS = {"-".join(TOOL.split_pin(pin)): pin for pin in TOOL.PINNED_PACKAGES}  # as the roots are named
SLICE = {"-".join(TOOL.split_pin(pin)) for pin in TOOL.CI_SLICE}


def fetched_root(name: str):
    """The release's extracted root; skipped when it is not fetched, failed in CI for the slice."""
    if name in ROOTS:
        return ROOTS[name]
    if IN_CI and name in SLICE:
        pytest.fail(f"{PINS[name]} is in the CI slice but not fetched: .ci/run runs "
                    "`python bench/corpus.py fetch --slice` before the tests", pytrace=False)
    pytest.skip(f"{PINS[name]} is not fetched: run `python bench/corpus.py fetch` (or `--slice`, or "
                "`tox -e corpus`; cache: $TORCH2MS_CORPUS or ~/.cache/flake8-torch2ms/corpus)")


@pytest.fixture(scope="module")
def engine():
    from flake8_torch2ms.config import load_ruleset
    from flake8_torch2ms.engine import Engine

    return Engine(load_ruleset())


def test_every_pinned_release_has_a_triaged_expected_file():
    """Runs without the corpus too: a new pin needs its findings triaged before it lands."""
    for name, pin in PINS.items():
        path = corpus_lint.expected_path(name)
        assert path.exists(), f"{pin}: {path} is missing"
        assert corpus_lint.read_expected(name).problems == []
    stale = {path.stem for path in corpus_lint.EXPECTED.glob("*.txt")} - set(PINS)
    assert not stale, f"expected files for releases no longer pinned: {sorted(stale)}"


def test_expected_files_are_parsed_strictly(tmp_path, monkeypatch):
    monkeypatch.setattr(corpus_lint, "EXPECTED", tmp_path)
    (tmp_path / "pkg-1.0.txt").write_text(
        "# header\n"
        "pkg/a.py:3:TMS103  # true bug: single bound\n"
        "pkg/b.py:7:TMS105\n"
        "pkg/c.py:9:TMS101  # UNTRIAGED: message\n"
        "pkg/d.py:x:TMS101  # bad line number\n", encoding="utf-8")
    expected = corpus_lint.read_expected("pkg-1.0")
    assert set(expected.entries) == {"pkg/a.py:3:TMS103", "pkg/b.py:7:TMS105", "pkg/c.py:9:TMS101"}
    assert [problem.split(": ", 1)[1] for problem in expected.problems] == [
        "pkg/b.py:7:TMS105 is not triaged (give a reason after '#')",
        "pkg/c.py:9:TMS101 is not triaged (give a reason after '#')",
        "not 'path:line:CODE  # reason': 'pkg/d.py:x:TMS101  # bad line number'",
    ]
    result = corpus_lint.PackageResult("pkg-1.0", findings={"pkg/a.py:3:TMS103", "pkg/e.py:1:TMS102"},
                                       messages={"pkg/e.py:1:TMS102": "the result is discarded"})
    problems = corpus_lint.differences(result)
    assert "pkg-1.0: new finding pkg/e.py:1:TMS102: the result is discarded" in problems
    assert "pkg-1.0: expected finding pkg/b.py:7:TMS105 is gone ()" in problems


def test_the_ci_slice_is_pinned():
    assert SLICE <= set(PINS)
    assert "mindspore-2.10.0" not in SLICE  # 800 MB: never in CI


@pytest.mark.parametrize("name", sorted(PINS), ids=sorted(PINS))
def test_release_gives_exactly_the_triaged_findings(engine, name):
    result = corpus_lint.lint_package(fetched_root(name), engine)
    assert result.files > 0
    crashes = sorted(entry for entry in result.findings if entry.endswith(":TMS000"))
    assert not crashes, [f"{entry}: {result.messages[entry]}" for entry in crashes]
    assert corpus_lint.differences(result) == []


@pytest.mark.parametrize("name", sorted(PINS), ids=sorted(PINS))
def test_every_real_gradient_clip_made_wrong_is_caught(engine, name):
    """Recall on real shapes: every call site judged to clip gradients, rewritten into each known
    mistake, gets that mistake's code at that line; and the sites judged so are the recorded ones
    (a semantics change that stops seeing a real gradient clip fails here)."""
    made = corpus_lint.mutants(fetched_root(name), engine)
    assert sorted(mutant.entry for mutant in made) == sorted(corpus_lint.read_recall(name))
    assert [mutant.site + " " + mutant.code for mutant in made if not mutant.caught] == []


def test_the_recall_lists_name_pinned_releases():
    lists = {path.stem for path in corpus_lint.RECALL.glob("*.txt")}
    assert lists and lists <= set(PINS)
