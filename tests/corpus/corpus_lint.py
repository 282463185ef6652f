"""Lint the pinned real-world corpus with the default rules and compare with the triaged findings.

    python tests/corpus/corpus_lint.py report          # per package: files, lines, clip calls, findings
    python tests/corpus/corpus_lint.py diff            # what differs from tests/corpus/expected/
    python tests/corpus/corpus_lint.py write           # rewrite expected/ (new findings: UNTRIAGED) and recall/
    python tests/corpus/corpus_lint.py mutants         # each real clip / layer made wrong: caught?
    python tests/corpus/corpus_lint.py pools           # each pool without a stride: what decides TMS303
    python tests/corpus/corpus_lint.py given-parse     # every file and mutant: the same findings given
                                                       # Python's parse (flake8's path) as without it

The corpus itself comes from ``python bench/corpus.py fetch`` and lives outside the repository.
Each pinned release has one file ``expected/NAME-VERSION.txt`` with one line per finding:

    path/inside/the/release.py:LINE:CODE  # true bug: why (or: false alarm ..., which must not stay)

Paths are relative to the release's extracted root. Every line needs a reason after ``#``.

``recall/NAME-VERSION.txt`` lists the release's real gradient clip call sites rewritten into each
known mistake (``path:line:CODE``, see ``mutants``); no file means none. The tests check that the
same sites are still judged to clip gradients and that every mistake is caught.

Both are rewritten for the fetched releases by ``write`` (after a rule or the semantics change:
then triage each UNTRIAGED line and review the diff). CI fetches only the slice
(``python bench/corpus.py fetch --slice``); ``python bench/corpus.py fetch`` gets them all.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import re
import sys
import tokenize
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ast_grep_py import SgRoot

from flake8_torch2ms.config import load_ruleset, structural_utils
from flake8_torch2ms.engine import Engine
from flake8_torch2ms.engine import FileContext
from flake8_torch2ms.families import BY_NAME

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
EXPECTED = HERE / "expected"
RECALL = HERE / "recall"
UNTRIAGED = "UNTRIAGED"
ENTRY = re.compile(r"(?P<path>[^\s:#][^:#]*):(?P<line>\d+):(?P<code>TMS\d{3})\s*(?:#\s*(?P<reason>.*))?\Z")


def corpus_tool():
    """bench/corpus.py, loaded by path (it is a script, not an installed module)."""
    spec = importlib.util.spec_from_file_location("corpus_tool", REPO / "bench" / "corpus.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("corpus_tool", module)
    spec.loader.exec_module(module)
    return module


@dataclass
class PackageResult:
    name: str  # NAME-VERSION, as the extracted root is named
    files: int = 0
    lines: int = 0
    findings: set[str] = field(default_factory=set)  # "path:line:code"
    messages: dict[str, str] = field(default_factory=dict)  # "path:line:code" -> message
    clip_calls: Counter = field(default_factory=Counter)  # canonical clip function -> call sites
    gradient_clip_calls: Counter = field(default_factory=Counter)  # ... of which clip gradients


def read_source(path: Path) -> str:
    """The file's text in its declared encoding, as flake8 reads it."""
    data = path.read_bytes()
    try:
        encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)).__next__)
        return data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return data.decode("latin-1")


def lint_package(root: Path, engine: Engine) -> PackageResult:
    result = PackageResult(root.name)
    facts = engine.facts["clipping"]
    clip_matcher = {"rule": {"matches": "clip-call"}, "utils": structural_utils(engine.facts)}
    clip_words = tuple({name.rsplit(".", 1)[-1].removesuffix("()") for name in facts.clip_functions})
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        source = read_source(path)
        result.files += 1
        result.lines += len(source.splitlines())
        for finding in engine.check(source, relative):
            entry = f"{relative}:{finding.line}:{finding.code}"
            result.findings.add(entry)
            result.messages[entry] = finding.message
        if any(word in source for word in clip_words):
            _count_clip_calls(source, relative, engine, clip_matcher, result)
    return result


def _count_clip_calls(source: str, relative: str, engine: Engine, matcher: dict, result: PackageResult) -> None:
    """Call sites the semantics resolve to a MindSpore clip function, and how many clip gradients."""
    root = SgRoot(source, "python").root()
    analysis = FileContext(engine, root, relative).analysis(BY_NAME["clipping"])
    for node in root.find_all(matcher):
        call = analysis.view(node)
        if call.function is None:
            continue
        result.clip_calls[call.function.name] += 1
        if call.clipped.value == "gradients":
            result.gradient_clip_calls[call.function.name] += 1


@dataclass(frozen=True)
class Mutant:
    """A real gradient clip call site rewritten into one known mistake, and whether it was caught."""

    site: str  # NAME-VERSION/path:line
    code: str  # the code the mistake must get
    caught: bool

    @property
    def entry(self) -> str:
        """``path:line:CODE`` inside the release, as recall/NAME-VERSION.txt lists it."""
        return f"{self.site.split('/', 1)[1]}:{self.code}"


def mutants(root: Path, engine: Engine) -> list[Mutant]:
    """Rewrite each call site the semantics judge to clip gradients into each mistake the rules
    know (one positional bound, one bound, [0, c], an inverted range, a discarded result), and each
    layer or sampler written in MindSpore's meaning into torch's literal port (see
    divergence_mutants), and check the file again: recall on real code shapes, not on examples
    written for the rules."""
    return clipping_mutants(root, engine) + divergence_mutants(root, engine)


def clipping_mutants(root: Path, engine: Engine) -> list[Mutant]:
    facts = engine.facts["clipping"]
    matcher = {"rule": {"matches": "clip-call"}, "utils": structural_utils(engine.facts)}
    clip_words = tuple({name.rsplit(".", 1)[-1].removesuffix("()") for name in facts.clip_functions})
    found = []
    for path in sorted(root.rglob("*.py")):
        source = read_source(path)
        if not any(word in source for word in clip_words):
            continue
        relative = path.relative_to(root).as_posix()
        tree = SgRoot(source, "python").root()
        analysis = FileContext(engine, tree, relative).analysis(BY_NAME["clipping"])
        for node in tree.find_all(matcher):
            call = analysis.view(node)
            if call.function is None or call.clipped.value != "gradients" or call.value is None:
                continue
            line = node.range().start.line + 1
            for code, text in _mistakes(source, node, call):
                caught = (line, code) in {(f.line, f.code) for f in engine.check(text, relative)}
                found.append(Mutant(f"{root.name}/{relative}:{line}", code, caught))
    return found


def _mistakes(source: str, node, call) -> list[tuple[str, str]]:
    start, end = node.range().start.index, node.range().end.index
    function, value = node.field("function").text(), call.value.text()
    rewritten = []
    if call.function.minimum is not None and call.function.maximum is not None:
        for code, arguments in (("TMS103", "0.5"), ("TMS104", "None, 0.5"), ("TMS105", "0, 0.5"),
                                ("TMS106", "0.5, -0.5")):
            rewritten.append((code, f"{source[:start]}{function}({value}, {arguments}){source[end:]}"))
    assignment = node.parent()
    if (assignment is not None and assignment.kind() == "assignment"
            and assignment.parent().kind() == "expression_statement"):
        # `grads = clip(grads, ...)` becomes the bare call, as in a port of clip_grad_norm_(...).
        rewritten.append(("TMS102", source[:assignment.range().start.index] + node.text()
                          + source[assignment.range().end.index:]))
    return rewritten


DIVERGENCE_MATCHERS = ("keep-prob-dropout-call", "batch-norm-call", "stride-one-pool-call", "replacement-sampler-call")


def divergence_mutants(root: Path, engine: Engine) -> list[Mutant]:
    """MindSpore-meaning call sites rewritten as a literal port of torch's code would write them:
    a BatchNorm's momentum 0.9 as 0.1 (and one without a momentum given torch's 0.1), a dropout's
    p=0.1 passed positionally, a pool's stride that equals its kernel left out (torch's default)
    in a file that then also imports torch (TMS303 asks for a torch habit when the model's shapes
    say nothing: a literal port has one), replacement=False left out of a multinomial drawing
    several samples. Each must be caught."""
    from flake8_torch2ms.families.divergence.messages import complement
    from flake8_torch2ms.families.divergence.values import Dropout, Momentum, Replacement, Stride

    utils = structural_utils(engine.facts)
    triggers = [engine.trigger(rule) for rule in engine.rules if rule.family == "divergence"]
    words = tuple(word for trigger in triggers if trigger is not None for word in trigger.words)
    found = []
    for path in sorted(root.rglob("*.py")):
        source = read_source(path)
        if not any(word in source for word in words):
            continue
        relative = path.relative_to(root).as_posix()
        tree = SgRoot(source, "python").root()
        analysis = FileContext(engine, tree, relative).analysis(BY_NAME["divergence"])
        for name in DIVERGENCE_MATCHERS:
            for node in tree.find_all({"rule": {"matches": name}, "utils": utils}):
                call = analysis.view(node)
                rewritten = None
                if call.momentum == Momentum.MINDSPORE_CONVENTION:
                    rewritten = _torch_momentum(source, node, call, complement)
                elif call.dropout == Dropout.NOT_POSITIONAL:
                    rewritten = _rate_positional(source, node, call)
                elif call.stride == Stride.GIVEN:
                    rewritten = _stride_left_out(source, node, call)
                elif call.replacement == Replacement.GIVEN:
                    rewritten = _replacement_left_out(source, node, call)
                if rewritten is None:
                    continue
                code, text = rewritten
                line = node.range().start.line + 1
                caught = (line, code) in {(f.line, f.code) for f in engine.check(text, relative)}
                found.append(Mutant(f"{root.name}/{relative}:{line}", code, caught))
    return found


def _arguments(node) -> list:
    return [item for item in node.field("arguments").named_children() if item.kind() != "comment"]


def _without(source: str, node, argument) -> str:
    """The source with one argument of the call and its comma removed."""
    items = _arguments(node)
    index = next(i for i, item in enumerate(items) if item == argument)
    if index > 0:
        start, end = items[index - 1].range().end.index, argument.range().end.index
    elif len(items) > 1:
        start, end = argument.range().start.index, items[1].range().start.index
    else:
        start, end = argument.range().start.index, argument.range().end.index
    return source[:start] + source[end:]


def _torch_momentum(source: str, node, call, complement):
    """momentum=0.9 (a literal, by keyword) becomes 0.1; a BatchNorm without one gets momentum=0.1."""
    argument = call.momentum_argument
    if argument is None:
        if call.arguments.opaque or not _arguments(node):
            return None
        at = _arguments(node)[-1].range().end.index
        return "TMS302", source[:at] + ", momentum=0.1" + source[at:]
    value = call.analysis.number(argument)
    if argument.kind() != "float" or value is None or not 0.5 < value < 1:
        return None
    start, end = argument.range().start.index, argument.range().end.index
    return "TMS302", source[:start] + complement(argument) + source[end:]


def _rate_positional(source: str, node, call):
    """Dropout(p=0.1) (the keyword first, a known rate below 0.5) becomes Dropout(0.1)."""
    rate = call.dropout_api.rate
    items = _arguments(node)
    if (rate is None or not items or items[0].kind() != "keyword_argument"
            or items[0].field("name").text() != rate.keyword):
        return None
    value = call.analysis.number(items[0].field("value"))
    if value is None or not 0 < value < 0.5:
        return None
    return "TMS301", source[:items[0].range().start.index] + items[0].field("value").text() + source[
        items[0].range().end.index:]


def _stride_left_out(source: str, node, call):
    """A stride equal to a known kernel > 1, by keyword, left out (torch's default) where the pool
    does not pad 'same'."""
    stride = call.arguments.keywords.get(call.pool_api.stride.keyword)
    kernel = call.kernel
    if stride is None or kernel is None or not any(size > 1 for size in kernel):
        return None
    if call.analysis.numbers(stride) != kernel or call.argument(call.pool_api.padding_mode) is not None:
        return None
    # A torch habit at the end of the file, where it moves no line.
    return "TMS303", _without(source, node, stride.parent()).rstrip("\n") + "\nimport torch\n"


def _replacement_left_out(source: str, node, call):
    """replacement=False (by keyword) left out of a multinomial drawing a known number > 1 of samples."""
    replacement = call.arguments.keywords.get(call.sampler_api.replacement.keyword)
    samples = call.analysis.number(call.samples_argument)
    if replacement is None or replacement.text() != "False" or samples is None or samples <= 1:
        return None
    return "TMS305", _without(source, node, replacement.parent())


def pool_evidence(root: Path, engine: Engine) -> list[tuple[str, str]]:
    """Every pool with a known kernel above 1 and no stride, with what the file says about the
    stride it was written for (TMS303 reports torch-stride and torch-habits): measures both
    choices for pools that nothing decides."""
    from flake8_torch2ms.families.divergence.values import Stride

    utils = structural_utils(engine.facts)
    found = []
    for path in sorted(root.rglob("*.py")):
        source = read_source(path)
        if "Pool" not in source and "pool" not in source:
            continue
        relative = path.relative_to(root).as_posix()
        tree = SgRoot(source, "python").root()
        analysis = FileContext(engine, tree, relative).analysis(BY_NAME["divergence"])
        for node in tree.find_all({"rule": {"matches": "stride-one-pool-call"}, "utils": utils}):
            view = analysis.view(node)
            if view.stride == Stride.DEFAULTS_TO_ONE:
                found.append((f"{root.name}/{relative}:{node.range().start.line + 1}", view.evidence.value))
    return found


class BothWays:
    """The engine, each check also run given Python's parse of the text, as the flake8 plugin
    runs it (the prefilter's tests on that parse; the definitions no rule reaches cut before
    ours, slicing.py), and compared with the check without it as whole findings (place, message,
    fix, its hazard and span). ``sliced``: the texts the cut applied to, their characters before
    and after, and how many of them have findings (which the cut text must find too)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.compared = 0
        self.differences: list[str] = []
        self.sliced = [0, 0, 0, 0]

    def __getattr__(self, name: str):
        return getattr(self.engine, name)

    def check(self, source: str, path: str | None = None) -> list:
        found = self.engine.check(source, path)
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return found  # flake8 reports E999 and runs no plugin
        given = self.engine.check(source, path, tree)
        self.compared += 1
        if given != found:
            self.differences.append(f"{path}: {sorted(set(found) ^ set(given))}")
        cut = self.engine.reachable(source, path, tree)
        if len(cut) < len(source):  # a cut leaves fewer characters; nothing else does
            try:
                ast.parse(cut)
            except SyntaxError as error:
                self.differences.append(f"{path}: the cut text is not Python: {error}")
            self.sliced[0] += 1
            self.sliced[1] += len(source)
            self.sliced[2] += len(cut)
            self.sliced[3] += bool(found)
        return found


def lint_corpus(cache: str | None = None) -> list[PackageResult]:
    engine = Engine(load_ruleset())
    return [lint_package(root, engine) for root in corpus_tool().source_roots(cache)]


# --------------------------------------------------------------------------- expected data


@dataclass
class Expected:
    entries: dict[str, str]  # "path:line:code" -> reason
    problems: list[str]  # malformed lines, missing reasons


def expected_path(name: str) -> Path:
    return EXPECTED / f"{name}.txt"


def read_expected(name: str) -> Expected:
    entries: dict[str, str] = {}
    problems: list[str] = []
    path = expected_path(name)
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = text.strip()
        if not text or text.startswith("#"):
            continue
        match = ENTRY.match(text)
        if match is None:
            problems.append(f"{path.name}:{number}: not 'path:line:CODE  # reason': {text!r}")
            continue
        entry = f"{match['path'].strip()}:{match['line']}:{match['code']}"
        reason = (match["reason"] or "").strip()
        if not reason or reason.startswith(UNTRIAGED):
            problems.append(f"{path.name}:{number}: {entry} is not triaged (give a reason after '#')")
        entries[entry] = reason
    return Expected(entries, problems)


def differences(result: PackageResult) -> list[str]:
    """Everything that differs between a package's findings and its expected file."""
    if not expected_path(result.name).exists():
        return [f"{result.name}: no expected file {expected_path(result.name).relative_to(REPO)}; "
                f"run python tests/corpus/corpus_lint.py write and triage every line"]
    expected = read_expected(result.name)
    found = list(expected.problems)
    for entry in sorted(result.findings - set(expected.entries), key=_order):
        found.append(f"{result.name}: new finding {entry}: {result.messages[entry]}")
    for entry in sorted(set(expected.entries) - result.findings, key=_order):
        found.append(f"{result.name}: expected finding {entry} is gone ({expected.entries[entry]})")
    return found


def recall_path(name: str) -> Path:
    return RECALL / f"{name}.txt"


def read_recall(name: str) -> set[str]:
    """The mutants a release is expected to give (``path:line:CODE``); none without a file."""
    path = recall_path(name)
    if not path.exists():
        return set()
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")}


def write_recall(name: str, made: list[Mutant], pin: str) -> None:
    path = recall_path(name)
    if not made:
        path.unlink(missing_ok=True)
        return
    lines = [f"# Real call sites of {pin} (gradient clips, MindSpore layers), each rewritten into each known "
             "mistake: path:line:CODE.",
             "# Every one must be caught (tests/corpus/test_corpus.py); rewritten by corpus_lint.py write."]
    lines += sorted({mutant.entry for mutant in made}, key=_order)
    RECALL.mkdir(exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _order(entry: str) -> tuple:
    path, line, code = entry.rsplit(":", 2)
    return path, int(line), code


def write_expected(result: PackageResult, pin: str) -> None:
    """Rewrite one expected file, keeping the reasons already written."""
    old = read_expected(result.name).entries if expected_path(result.name).exists() else {}
    lines = [f"# flake8-torch2ms findings on {pin} (paths relative to the extracted release).",
             "# One line per finding: path:line:CODE  # true bug: why. Checked by tests/corpus/test_corpus.py."]
    for entry in sorted(result.findings, key=_order):
        reason = old.get(entry) or f"{UNTRIAGED}: {result.messages[entry]}"
        lines.append(f"{entry}  # {reason}")
    EXPECTED.mkdir(exist_ok=True)
    expected_path(result.name).write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------- report


def report(results: list[PackageResult]) -> str:
    codes = sorted({entry.rsplit(":", 1)[1] for result in results for entry in result.findings})
    functions = sorted({name for result in results for name in result.clip_calls})
    lines = []
    for result in results:
        lines.append(f"{result.name}: {result.files} files, {result.lines} lines")
        calls = ", ".join(f"{_short_name(name)} {result.clip_calls[name]} ({result.gradient_clip_calls[name]} on grads)"
                          for name in functions if result.clip_calls[name])
        lines.append(f"  clip call sites: {calls or 'none'}")
        by_code = Counter(entry.rsplit(":", 1)[1] for entry in result.findings)
        lines.append("  findings: " + (", ".join(f"{code} {by_code[code]}" for code in codes if by_code[code])
                                       or "none"))
    total_files = sum(result.files for result in results)
    total_lines = sum(result.lines for result in results)
    total = Counter(entry.rsplit(":", 1)[1] for result in results for entry in result.findings)
    lines.append(f"TOTAL: {total_files} files, {total_lines} lines, findings: "
                 + (", ".join(f"{code} {total[code]}" for code in codes) or "none"))
    return "\n".join(lines)


def _short_name(name: str) -> str:
    return name.removeprefix("mindspore.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["report", "diff", "write", "mutants", "pools", "given-parse"])
    parser.add_argument("--cache", help="corpus directory (default: $TORCH2MS_CORPUS or ~/.cache/...)")
    args = parser.parse_args(argv)
    tool = corpus_tool()
    try:
        roots = tool.source_roots(args.cache)
    except tool.CorpusError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not roots:
        print("error: the corpus is empty: run `python bench/corpus.py fetch` first", file=sys.stderr)
        return 1
    if args.command == "mutants":
        engine = Engine(load_ruleset())
        made = [mutant for root in roots for mutant in mutants(root, engine)]
        for code in sorted({mutant.code for mutant in made}):
            of_code = [mutant for mutant in made if mutant.code == code]
            print(f"{code}: caught {sum(mutant.caught for mutant in of_code)} of {len(of_code)}")
        missed = [f"  missed {mutant.code} at {mutant.site}" for mutant in made if not mutant.caught]
        print("\n".join(missed) or "every mutant caught")
        return 1 if missed else 0
    if args.command == "given-parse":
        both = BothWays(Engine(load_ruleset()))
        for root in roots:
            lint_package(root, both)
            mutants(root, both)
        cut, before, after, reported = both.sliced
        print(f"{both.compared} texts (files and mutants) compared; {cut} cut, from {before:,} to "
              f"{after:,} characters; {reported} of those cut have findings")
        print("\n".join(both.differences) or "the same findings given the parse")
        return 1 if both.differences else 0
    if args.command == "pools":
        engine = Engine(load_ruleset())
        found = [entry for root in roots for entry in pool_evidence(root, engine)]
        for site, evidence in found:
            print(f"{site}  {evidence}")
        counts = Counter(evidence for _, evidence in found)
        summary = ", ".join(f"{evidence} {count}" for evidence, count in sorted(counts.items()))
        print(summary or "no pool without a stride")
        return 0
    results = lint_corpus(args.cache)
    if args.command == "report":
        print(report(results))
        return 0
    if args.command == "write":
        pins = {tool.source_root(tool.cache_dir(args.cache), pin).name: pin for pin in tool.PINNED_PACKAGES}
        engine = Engine(load_ruleset())
        for root, result in zip(roots, results):
            write_expected(result, pins[result.name])
            write_recall(result.name, mutants(root, engine), pins[result.name])
        print(f"wrote {len(results)} files in {EXPECTED.relative_to(REPO)} and the recall lists in "
              f"{RECALL.relative_to(REPO)}; triage every {UNTRIAGED} line, then review the diff")
        return 0
    problems = [problem for result in results for problem in differences(result)]
    print("\n".join(problems) or "no differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
