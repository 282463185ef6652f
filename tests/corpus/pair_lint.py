"""Port-pair mode (TMS4xx) on the pinned real pairs, compared with their triaged findings.

    python tests/corpus/pair_lint.py report   # per pair: coverage, findings per code, true/false/unclear
    python tests/corpus/pair_lint.py diff     # what differs from tests/corpus/pairs/
    python tests/corpus/pair_lint.py write    # rewrite pairs/ (labels kept; new findings UNTRIAGED)

The pairs are bench/corpus.py's PAIRS (a PyTorch release's models next to a MindSpore port's),
fetched by ``python bench/corpus.py fetch`` into the corpus cache outside the repository. Each
pair has one file ``pairs/NAME.txt``: its alignment coverage (what ``torch2ms pair`` prints last),
then one line per finding of the default rules, with a label and a reason:

    coverage: 137 of 704
    mindcv/models/crossvit.py:119:TMS401  # true: why (or false: why, or unclear: why)

Paths are relative to the port release's extracted root. tests/corpus/test_pairs.py fails on a
new or a missing finding, and on a coverage more than COVERAGE_SLACK points below the recorded one
(an alignment regression); a higher coverage passes, and ``write`` records it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from corpus_lint import corpus_tool, read_source

from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.engine import Engine
from flake8_torch2ms.families import Pairing
from flake8_torch2ms.families.pairs.report import pair_report

HERE = Path(__file__).resolve().parent
EXPECTED = HERE / "pairs"
LABELS = ("true", "false", "unclear")
UNTRIAGED = "UNTRIAGED"
COVERAGE_SLACK = 1.0  # percentage points
ENTRY = re.compile(r"(?P<path>[^\s:#][^:#]*):(?P<line>\d+):(?P<code>TMS4\d{2})\s*(?:#\s*(?P<note>.*))?\Z")
LABELLED = re.compile(rf"(?P<label>{'|'.join(LABELS)}):\s*(?P<reason>\S.*)\Z")
COVERAGE = re.compile(r"coverage: (?P<aligned>\d+) of (?P<total>\d+)")


@dataclass
class Coverage:
    aligned: int
    total: int

    @property
    def percent(self) -> float:
        return 100 * self.aligned / self.total if self.total else 0.0

    def __str__(self) -> str:
        return f"{self.aligned} of {self.total}"


@dataclass
class PairResult:
    name: str
    coverage: Coverage
    findings: dict[str, str] = field(default_factory=dict)  # "path:line:CODE" -> message


@dataclass
class Expected:
    coverage: Coverage | None = None
    labels: dict[str, str] = field(default_factory=dict)  # "path:line:CODE" -> true / false / unclear
    notes: dict[str, str] = field(default_factory=dict)  # "path:line:CODE" -> what follows '#'
    problems: list[str] = field(default_factory=list)


def expected_path(name: str) -> Path:
    return EXPECTED / f"{name}.txt"


def read_expected(name: str) -> Expected:
    """The pair's recorded coverage and labelled findings; any malformed or unlabelled line is a problem."""
    expected = Expected()
    path = expected_path(name)
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{path.name}:{number}"
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if match := COVERAGE.fullmatch(text):
            expected.coverage = Coverage(int(match["aligned"]), int(match["total"]))
            continue
        match = ENTRY.match(text)
        if match is None:
            expected.problems.append(f"{where}: not 'path:line:CODE  # label: reason' "
                                     f"or 'coverage: N of M': {text!r}")
            continue
        entry = f"{match['path']}:{match['line']}:{match['code']}"
        note = (match["note"] or "").strip()
        expected.notes[entry] = note
        labelled = LABELLED.match(note)
        if labelled is None:
            expected.problems.append(f"{where}: {entry} is not triaged (write '# true: why', "
                                     "'# false: why' or '# unclear: why')")
            continue
        expected.labels[entry] = labelled["label"]
    if expected.coverage is None:
        expected.problems.append(f"{path.name}: no 'coverage: N of M' line")
    return expected


def lint_pair(name: str, original: Path, port: Path, port_root: Path) -> PairResult:
    """Port-pair mode with the default rules over every port file, as ``torch2ms check --original``."""
    engine = Engine(load_ruleset(), Pairing(str(original)))
    ports = sorted(str(path) for path in port.rglob("*.py"))
    last = pair_report(str(original), ports, engine.facts["pairs"], {}).splitlines()[-1]
    match = COVERAGE.match(last)
    result = PairResult(name, Coverage(int(match["aligned"]), int(match["total"])))
    for path in ports:
        relative = Path(path).relative_to(port_root).as_posix()
        for finding in engine.check(read_source(Path(path)), path):
            if finding.code.startswith(("TMS4", "TMS000")):
                result.findings[f"{relative}:{finding.line}:{finding.code}"] = finding.message
    return result


def differences(result: PairResult) -> list[str]:
    """Everything that differs from the pair's recorded file: findings both ways, and a coverage drop."""
    expected = read_expected(result.name)
    problems = [f"{result.name}: new finding {entry}: {result.findings[entry]}"
                for entry in sorted(set(result.findings) - set(expected.notes))]
    problems += [f"{result.name}: expected finding {entry} is gone ({expected.notes[entry]})"
                 for entry in sorted(set(expected.notes) - set(result.findings))]
    if expected.coverage is not None and result.coverage.percent < expected.coverage.percent - COVERAGE_SLACK:
        problems.append(f"{result.name}: alignment coverage fell from {expected.coverage} "
                        f"({expected.coverage.percent:.1f}%) to {result.coverage} ({result.coverage.percent:.1f}%)")
    return problems


def write_expected(result: PairResult) -> None:
    """Record the result; a finding already labelled keeps its line, a new one is UNTRIAGED."""
    path = expected_path(result.name)
    old = read_expected(result.name) if path.exists() else Expected()
    if path.exists():
        header = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    else:
        header = [f"# Port-pair mode's findings on the pair {result.name} (bench/corpus.py PAIRS), each labelled",
                  "# true / false / unclear with a reason. Checked by tests/corpus/test_pairs.py."]
    lines = [*header, f"coverage: {result.coverage}"]
    for entry in sorted(result.findings, key=_position):
        note = old.notes.get(entry) or f"{UNTRIAGED}: {result.findings[entry]}"
        lines.append(f"{entry}  # {note}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _position(entry: str) -> tuple[str, int, str]:
    path, line, code = entry.rsplit(":", 2)
    return path, int(line), code


def fetched_pairs(names: list[str] | None = None) -> list[tuple[object, PairResult]]:
    tool = corpus_tool()
    results = []
    for pair in tool.PAIRS:
        if names and pair.name not in names:
            continue
        folders = tool.pair_folders(pair)
        if folders is None:
            print(f"{pair.name}: not fetched (python bench/corpus.py fetch)", file=sys.stderr)
            continue
        port_root = tool.source_root(tool.cache_dir(), pair.port)
        result = lint_pair(pair.name, *folders, port_root)
        cache = f"{port_root.parent}/"  # messages name the original's files; not this machine's cache
        result.findings = {entry: message.replace(cache, "") for entry, message in result.findings.items()}
        results.append((pair, result))
    return results


def report(results: list[tuple[object, PairResult]]) -> None:
    print("| Pair | Alignment coverage | Findings | True | False | Unclear |")
    print("| --- | --- | --- | --- | --- | --- |")
    totals = Counter()
    for pair, result in results:
        labels = read_expected(result.name).labels if expected_path(result.name).exists() else {}
        counted = Counter(labels.get(entry, UNTRIAGED) for entry in result.findings)
        codes = Counter(entry.rsplit(":", 1)[1] for entry in result.findings)
        per_code = ", ".join(f"{count} {code}" for code, count in sorted(codes.items()))
        totals += counted
        print(f"| {pair.original} -> {pair.port} | {result.coverage} ({result.coverage.percent:.0f}%) | "
              f"{len(result.findings)} ({per_code or 'none'}) | {counted['true']} | {counted['false']} | "
              f"{counted['unclear']} |" + (f" {counted[UNTRIAGED]} UNTRIAGED" if counted[UNTRIAGED] else ""))
    decided = totals["true"] + totals["false"]
    everything = decided + totals["unclear"]
    if decided:
        print(f"\nprecision: {totals['true']} / {decided} of the decided findings "
              f"({100 * totals['true'] / decided:.0f}%); {totals['true']} / {everything} if every unclear "
              f"one were false ({100 * totals['true'] / everything:.0f}%)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["report", "diff", "write"])
    parser.add_argument("pairs", nargs="*", help="only these pairs (default: every fetched one)")
    args = parser.parse_args(argv)
    results = fetched_pairs(args.pairs)
    if args.command == "report":
        report(results)
    elif args.command == "diff":
        problems = [problem for _, result in results for problem in differences(result)]
        print("\n".join(problems) or "no differences")
        return 1 if problems else 0
    else:
        for _, result in results:
            write_expected(result)
            print(f"wrote {expected_path(result.name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
