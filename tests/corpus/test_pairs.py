"""Port-pair mode on the pinned real pairs (bench/corpus.py PAIRS) gives exactly the triaged
findings, and aligns at least as much of each port as recorded.

Each pair's labelled findings and alignment coverage are in tests/corpus/pairs/NAME.txt (see
pair_lint.py). A new or a missing finding fails, and so does a coverage more than a point below
the recorded one. A pair that is not fetched is skipped, except in CI (CI=true) for CI_PAIRS,
which .ci/run fetches with the slice (``python bench/corpus.py fetch --slice``). After a change of
the family or its facts: ``python tests/corpus/pair_lint.py write``, then triage each UNTRIAGED line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ast_grep_py import SgRoot

import corpus_lint
import pair_lint
from ci_requirements import IN_CI
from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.engine import Engine
from flake8_torch2ms.families import Pairing
from flake8_torch2ms.families.pairs import alignment
from flake8_torch2ms.families.pairs.alignment import align
from flake8_torch2ms.families.pairs.index import defined_names, index_module, port_call_words
from flake8_torch2ms.families.pairs.originals import original_tree
from flake8_torch2ms.semantics.model import SemanticModel

TOOL = corpus_lint.corpus_tool()
NAMES = [pair.name for pair in TOOL.PAIRS]


def fetched_pair(name: str):
    """(pair, original folder, port folder, port release root); skipped when not fetched, failed in CI
    for a pair CI fetches."""
    pair = TOOL.find_pair(name)
    try:
        folders = TOOL.pair_folders(pair)
    except TOOL.CorpusError:  # a cache directory inside the repository, for one
        folders = None
    if folders is None:
        if IN_CI and name in TOOL.CI_PAIRS:
            pytest.fail(f"the pair {name} is in CI_PAIRS but not fetched: .ci/run runs "
                        "`python bench/corpus.py fetch --slice` before the tests", pytrace=False)
        pytest.skip(f"the pair {name} is not fetched: run `python bench/corpus.py fetch` "
                    "(cache: $TORCH2MS_CORPUS or ~/.cache/flake8-torch2ms/corpus)")
    return pair, *folders, TOOL.source_root(TOOL.cache_dir(), pair.port)


def test_every_pinned_pair_has_a_labelled_expected_file():
    """Runs without the corpus too: a new pair needs its findings triaged before it lands."""
    for name in NAMES:
        assert pair_lint.expected_path(name).exists(), f"{pair_lint.expected_path(name)} is missing"
        assert pair_lint.read_expected(name).problems == []
    stale = {path.stem for path in pair_lint.EXPECTED.glob("*.txt")} - set(NAMES)
    assert not stale, f"expected files for pairs no longer pinned: {sorted(stale)}"


def test_the_ci_pairs_are_pinned_and_fetched_with_the_slice():
    assert set(TOOL.CI_PAIRS) <= set(NAMES)
    for name in TOOL.CI_PAIRS:
        pair = TOOL.find_pair(name)
        assert {pair.original, pair.port} <= set(TOOL.SLICE_PINS)
    assert set(TOOL.pair_pins()) <= set(TOOL.ALL_PINS)  # `fetch` gets every pair


def test_pair_files_are_parsed_strictly(tmp_path, monkeypatch):
    monkeypatch.setattr(pair_lint, "EXPECTED", tmp_path)
    (tmp_path / "a-b.txt").write_text(
        "# header\n"
        "coverage: 50 of 200\n"
        "pkg/a.py:3:TMS401  # true: bias lost\n"
        "pkg/b.py:7:TMS402  # unclear: another reference\n"
        "pkg/c.py:9:TMS401  # UNTRIAGED: message\n"
        "pkg/d.py:9:TMS402  # maybe: no such label\n"
        "pkg/e.py:9:TMS401\n"
        "pkg/f.py:x:TMS401  # true: bad line number\n", encoding="utf-8")
    expected = pair_lint.read_expected("a-b")
    assert str(expected.coverage) == "50 of 200"
    assert expected.labels == {"pkg/a.py:3:TMS401": "true", "pkg/b.py:7:TMS402": "unclear"}
    assert set(expected.notes) == {"pkg/a.py:3:TMS401", "pkg/b.py:7:TMS402", "pkg/c.py:9:TMS401",
                                   "pkg/d.py:9:TMS402", "pkg/e.py:9:TMS401"}
    assert [problem.split(": ", 1)[1].split(" ")[0] for problem in expected.problems] == [
        "pkg/c.py:9:TMS401", "pkg/d.py:9:TMS402", "pkg/e.py:9:TMS401", "not"]
    (tmp_path / "c-d.txt").write_text("pkg/a.py:3:TMS401  # true: why\n", encoding="utf-8")
    assert pair_lint.read_expected("c-d").problems == ["c-d.txt: no 'coverage: N of M' line"]


@pytest.mark.parametrize(("aligned", "fails"), [(48, False), (49, False), (60, False), (47, True), (10, True)])
def test_coverage_may_not_drop_by_more_than_a_point(tmp_path, monkeypatch, aligned, fails):
    """Recorded 50 of 200 (25%): 24% still passes, 23.5% fails; a rise passes."""
    monkeypatch.setattr(pair_lint, "EXPECTED", tmp_path)
    (tmp_path / "a-b.txt").write_text("coverage: 50 of 200\npkg/a.py:3:TMS401  # true: why\n", encoding="utf-8")
    result = pair_lint.PairResult("a-b", pair_lint.Coverage(aligned, 200), {"pkg/a.py:3:TMS401": "message"})
    problems = pair_lint.differences(result)
    assert bool(problems) is fails
    if fails:
        assert problems == [f"a-b: alignment coverage fell from 50 of 200 (25.0%) to {aligned} of 200 "
                            f"({aligned / 2:.1f}%)"]


def test_a_new_or_a_missing_finding_is_a_difference(tmp_path, monkeypatch):
    monkeypatch.setattr(pair_lint, "EXPECTED", tmp_path)
    (tmp_path / "a-b.txt").write_text("coverage: 1 of 2\npkg/a.py:3:TMS401  # true: bias lost\n", encoding="utf-8")
    result = pair_lint.PairResult("a-b", pair_lint.Coverage(1, 2), {"pkg/b.py:5:TMS402": "momentum differs"})
    assert pair_lint.differences(result) == [
        "a-b: new finding pkg/b.py:5:TMS402: momentum differs",
        "a-b: expected finding pkg/a.py:3:TMS401 is gone (true: bias lost)",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_pair_gives_exactly_the_triaged_findings(name):
    pair, original, port, port_root = fetched_pair(name)
    result = pair_lint.lint_pair(name, original, port, port_root)
    assert result.coverage.total > 0
    crashes = sorted(entry for entry in result.findings if entry.endswith(":TMS000"))
    assert not crashes, [f"{entry}: {result.findings[entry]}" for entry in crashes]
    assert pair_lint.differences(result) == []


def test_the_pair_command_prints_a_fetched_pairs_folders_and_explains_the_rest(tmp_path, capsys):
    """``torch2ms check --original $(python bench/corpus.py pair NAME)`` needs exactly two paths, or a message."""
    cache = str(tmp_path)
    assert TOOL.main(["pair", "--cache", cache]) == 0
    assert [line.split(":")[0] for line in capsys.readouterr().out.splitlines() if "(not fetched)" in line] == NAMES
    assert TOOL.main(["pair", "timm", "--cache", cache]) == 1
    assert "no pinned pair 'timm'; the pairs are: timm-mindcv" in capsys.readouterr().err
    assert TOOL.main(["pair", "timm-mindcv", "--cache", cache]) == 1
    assert "not fetched: run `python bench/corpus.py fetch`" in capsys.readouterr().err
    original = tmp_path / "src" / "timm-0.9.16" / "timm" / "models"
    port = tmp_path / "src" / "mindcv-0.3.0" / "mindcv" / "models"
    original.mkdir(parents=True)
    assert TOOL.main(["pair", "timm-mindcv", "--cache", cache]) == 1  # one side only: not fetched
    capsys.readouterr()
    port.mkdir(parents=True)
    assert TOOL.main(["pair", "timm-mindcv", "--cache", cache]) == 0
    assert capsys.readouterr().out.split() == [str(original.resolve()), str(port.resolve())]


@pytest.mark.parametrize("name", NAMES)
def test_the_gate_keeps_every_port_file_that_aligns(name):
    """The pairs gate reads the text before any parse (alignment.may_align, with the tree's name
    indexes as the engine asks it): on real ports, every file align_file pairs on its real parse
    is kept, and most files that pair with nothing are dropped."""
    _, original, port, _ = fetched_pair(name)
    tree = original_tree(str(original), Engine(load_ruleset(), Pairing(str(original))).facts["pairs"])
    kept = aligned = 0
    for path in sorted(str(path) for path in port.rglob("*.py")):
        source = corpus_lint.read_source(Path(path))
        gate = alignment.may_align(path, source, tree.definitions, tree.lowered_names, {}, tree.files_named,
                                   tree.by_name)
        chosen, _ = tree.file_for(path, defined_names(SgRoot(source, "python").root()), ())
        assert gate or chosen is None, f"{path} pairs with {chosen}, but the gate dropped it"
        kept += gate
        aligned += chosen is not None
    assert aligned > 0 and kept <= 2 * aligned


@pytest.mark.parametrize("name", NAMES)
def test_the_ports_index_of_what_align_reads_aligns_every_real_port_as_the_whole_index(name):
    """A check indexes only the scopes align() reads with the port's original file
    (alignment.Reach): on real ports, every file aligns call for call as with its whole index."""
    _, original, port, _ = fetched_pair(name)
    facts = Engine(load_ruleset(), Pairing(str(original))).facts["pairs"]
    tree = original_tree(str(original), facts)

    def compatible(mine, theirs):
        api = facts.torch_api(theirs.name)
        return api is not None and api in facts.port_apis(mine.name)

    def aligned(root, model, path, relative, reach):
        index = index_module(root, model, lambda api: bool(facts.port_apis(api)), port_call_words(facts), reach)
        found = align(path, index, tree.files, {}, compatible, chosen=(relative, ""))
        return found.classes, {index.calls[mine].start: theirs for mine, (theirs, _) in found.calls.items()}

    compared = 0
    for path in sorted(str(path) for path in port.rglob("*.py")):
        root = SgRoot(corpus_lint.read_source(Path(path)), "python").root()
        relative, _ = tree.file_for(path, defined_names(root), ())
        if relative is not None:
            model = SemanticModel(root, path)
            reach = alignment.Reach(tree.files[relative], {})
            assert aligned(root, model, path, relative, reach) == aligned(root, model, path, relative, None), path
            compared += 1
    assert compared > 0
