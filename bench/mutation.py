"""Sampled mutation testing: how many one-token changes to the linter do the tests catch on their first run?

    python bench/mutation.py [--sample 60] [--seed N] [--files GLOB ...] [--list]
    python bench/mutation.py --rerun OUTPUT    # the mutants a previous run printed, e.g. after new tests

(what ``tox -e mutation`` runs). It copies the package to a temporary folder that shadows the
installed one (PYTHONPATH), so the checkout is never edited and other work can go on beside it.
It runs the tests once under coverage.py, each test in a context of its own (its pytest node id),
to learn which tests execute each line of the target files; lists every one-token mutant on the
executed lines (a comparison or boolean operator swapped, ``not`` added or removed, ``is`` /
``in`` negated, a whole number or a boolean changed, ``break`` for ``continue``; with
``--strings``, short string constants too); draws ``--sample`` of them with the seed (a fresh
random one unless ``--seed`` is given: it is printed, and reruns the same sample); and runs,
against each mutant, only the tests that execute its line (``-x``; every test for a line run at
import time). A mutant is killed when they fail or time out. A mutant those tests do not kill is
run against all the tests before it counts as a survivor (coverage attributes what a shared
fixture executes to the first test that built it).

It prints each mutant, the test that killed it, the survivors and the sample's first-run score:
the figure docs/reliability.md reports, with the seed. Whether a survivor is equivalent (no input
can tell it apart) is a judgement, recorded there; tests written for a sample's own survivors
make a later sample's first run better, never that sample's score.

Why not mutmut or cosmic-ray: mutmut 3 imports the mutated code from its own ``mutants/`` copy by
module path, but this package is installed from ``linter/`` under another name
(``flake8_torch2ms``), so its trampolines are never imported; cosmic-ray runs every mutant of every
operator (thousands here, each against a 30 to 40 s test run: days on 2 cores) and has no sampling.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILES = ["linter/semantics/**/*.py", "linter/families/**/*.py", "linter/engine.py", "linter/prefilter.py",
                 "linter/sources.py", "linter/fixes.py", "linter/config.py", "linter/cli.py"]
# Every test but the property tests (minutes of hypothesis), the corpus (a download) and the
# runtime oracle (mindspore and torch). A test that runs the commands in a subprocess records no
# coverage, so it is never chosen for a mutant, only run when the chosen tests leave it alive.
TESTS = ["tests"]
IGNORED = ["tests/test_robustness.py", "tests/corpus", "tests/oracle"]
PYTEST = ["-q", "-p", "no:cacheprovider", *[f"--ignore={path}" for path in IGNORED]]


def own_basetemp(shadow: Path) -> list[str]:
    """pytest's temporary files under this run's own folder, not /tmp/pytest-of-USER shared with
    every other pytest session on the machine (another sample, a test run beside it)."""
    return [f"--basetemp={shadow / 'pytest-tmp'}"]


# A pytest plugin, loaded in the coverage run: each test's lines go to a context named by its node id.
CONTEXTS_PLUGIN = """
import coverage
import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    current = coverage.Coverage.current()
    if current is not None:
        current.switch_context(item.nodeid)
    yield
    if current is not None:
        current.switch_context("")
"""

SWAPS = {
    "==": "!=", "!=": "==", "<": "<=", "<=": "<", ">": ">=", ">=": ">", "+": "-", "-": "+", "*": "/", "/": "*",
    "//": "/", "+=": "-=", "-=": "+=", "and": "or", "or": "and", "True": "False", "False": "True",
    "break": "continue", "continue": "break", "is": "is not", "in": "not in",
}

SHORT_STRING = re.compile(r"[rbu]?(['\"])[^'\"\\]{1,40}\1", re.IGNORECASE)  # no f-strings, no escapes


@dataclass(frozen=True)
class Mutant:
    path: str  # relative to the package root, e.g. semantics/clipping.py
    line: int
    column: int
    old: str
    new: str

    def __str__(self) -> str:
        return f"linter/{self.path}:{self.line}:{self.column + 1}: {self.old!r} -> {self.new!r}"


def shadow_package(directory: Path) -> Path:
    """linter/ as flake8_torch2ms/ (rules/ inside it), as setup.py installs it."""
    package = directory / "flake8_torch2ms"
    shutil.copytree(ROOT / "linter", package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "rules", package / "rules", ignore=shutil.ignore_patterns("__pycache__"))
    return package


def environment(shadow: Path) -> dict[str, str]:
    # No empty entry: it would put the working folder on every child's path, and a checkout with an
    # editable install holds flake8_torch2ms.egg-info there, which made the packaging test's
    # Python 3.8 pip take the package as installed and try to build its dependencies.
    paths = [str(shadow), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "PYTHONDONTWRITEBYTECODE": "1"}


def run_tests(shadow: Path, tests: list[str], timeout: float, workers: int = 0) -> tuple[bool, str]:
    """Whether the tests pass, or the first that failed. One process (``workers=0``): -x stops at
    the first failure at once. A survivor's run against every test uses the cores (pytest-xdist)."""
    try:
        result = subprocess.run([sys.executable, "-m", "pytest", "-x", "-n", str(workers), *PYTEST,
                                 *own_basetemp(shadow), *tests], cwd=ROOT,
                                env=environment(shadow), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, "timed out"
    failed = re.search(r"^(?:FAILED|ERROR) (\S+)", result.stdout, re.MULTILINE)
    return result.returncode == 0, failed.group(1) if failed else result.stdout.strip().splitlines()[-1:]


def cache_file(tests: list[str]) -> Path:
    """Where the coverage of these sources by these tests is kept: its name hashes every file of
    linter/, rules/ and tests/, so any change to them collects it again."""
    digest = hashlib.sha256(json.dumps(tests).encode())
    for folder in ("linter", "rules", "tests"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return home / "flake8-torch2ms" / "mutation" / f"coverage-{digest.hexdigest()[:16]}.json"


def cached_tests_by_line(shadow: Path, package: Path, files: list[str],
                         tests: list[str]) -> tuple[dict[str, dict[int, set[str]]], float]:
    """``tests_by_line`` for ``files``, and how long the tests took under coverage: collected once
    per state of the sources and tests, then read from the cache."""
    cached = cache_file(tests)
    if cached.exists():
        stored = json.loads(cached.read_text(encoding="utf-8"))
        every = {name: {int(line): set(contexts) for line, contexts in by_line.items()}
                 for name, by_line in stored["lines"].items()}
        seconds = stored["seconds"]
        print(f"coverage by test read from {cached}", flush=True)
    else:
        started = time.perf_counter()
        every = tests_by_line(shadow, package, tests)
        seconds = time.perf_counter() - started
        print(f"coverage by test collected in {seconds:.0f} s (kept in {cached})", flush=True)
        cached.parent.mkdir(parents=True, exist_ok=True)
        cached.write_text(json.dumps({"seconds": seconds, "lines": {
            name: {line: sorted(contexts) for line, contexts in by_line.items()} for name, by_line in every.items()}}),
            encoding="utf-8")
    return {name: every.get(name, {}) for name in files}, seconds


def tests_by_line(shadow: Path, package: Path, tests: list[str]) -> dict[str, dict[int, set[str]]]:
    """Each module of the package -> line -> the node ids of the tests that execute it ('' for a
    line run at import)."""
    import coverage  # the mutation extra: pip install -e ".[test,mutation]"

    (shadow / "mutation_contexts.py").write_text(CONTEXTS_PLUGIN, encoding="utf-8")
    data_file = shadow / ".coverage"
    result = subprocess.run([sys.executable, "-m", "coverage", "run", f"--data-file={data_file}",
                             f"--source={package}", "-m", "pytest", "-p", "mutation_contexts", "-n", "0", *PYTEST,
                             *own_basetemp(shadow), *tests],
                            cwd=ROOT, env=environment(shadow), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"the tests fail without any mutant:\n{result.stdout[-3000:]}{result.stderr[-2000:]}")
    data = coverage.CoverageData(basename=str(data_file))
    data.read()
    every: dict[str, dict[int, set[str]]] = {}
    for measured in data.measured_files():
        name = Path(measured).resolve().relative_to(package.resolve()).as_posix()
        for line, contexts in data.contexts_by_lineno(measured).items():
            every.setdefault(name, {}).setdefault(line, set()).update(contexts)
    return every


def mutants_of(path: str, source: str, lines: set[int], strings: bool = False) -> list[Mutant]:
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    found = []
    for index, token in enumerate(tokens):
        (line, column), text = token.start, token.string
        if line not in lines:
            continue
        before = tokens[index - 1].string if index else ""
        is_docstring = index == 0 or tokens[index - 1].type in (tokenize.INDENT, tokenize.NEWLINE, tokenize.NL)
        after = tokens[index + 1].string if index + 1 < len(tokens) else ""
        if token.type in (tokenize.OP, tokenize.NAME) and text in SWAPS:
            if (text == "in" and before in ("not", "for")) or (text == "is" and after == "not"):
                continue
            found.append(Mutant(path, line, column, text, SWAPS[text]))
        elif token.type == tokenize.NAME and text == "not":
            found.append(Mutant(path, line, column, "not", ""))  # not x -> x, is not -> is, not in -> in
        elif token.type == tokenize.NAME and text in ("if", "elif", "while") and before != "else":
            found.append(Mutant(path, line, column, text, f"{text} not"))
        elif token.type == tokenize.NUMBER and re.fullmatch(r"\d+", text):
            found.append(Mutant(path, line, column, text, str(int(text) + 1) if text != "1" else "0"))
        elif strings and token.type == tokenize.STRING and SHORT_STRING.fullmatch(text) and not is_docstring:
            found.append(Mutant(path, line, column, text, text[:-1] + "X" + text[-1]))  # "zip" -> "zipX"
    return found


LISTED = re.compile(r"^\s*\d+ (killed  |SURVIVED) linter/(\S+?):(\d+):(\d+): '(.*?)' -> '(.*?)'")


def listed_mutants(output: Path, survivors_only: bool, originals: dict[str, str]) -> list[Mutant]:
    """The mutants a previous run printed, checked against the current sources."""
    found = []
    for text in output.read_text(encoding="utf-8").splitlines():
        match = LISTED.match(text)
        if match is None or (survivors_only and match.group(1) != "SURVIVED"):
            continue
        mutant = Mutant(match.group(2), int(match.group(3)), int(match.group(4)) - 1, match.group(5), match.group(6))
        line = originals.get(mutant.path, "").splitlines()[mutant.line - 1:mutant.line]
        if not line or line[0][mutant.column:mutant.column + len(mutant.old)] != mutant.old:
            sys.exit(f"{mutant} no longer matches the source: the file changed since that run")
        found.append(mutant)
    return found


def apply(source: str, mutant: Mutant) -> str:
    lines = source.splitlines(keepends=True)
    text = lines[mutant.line - 1]
    assert text[mutant.column:mutant.column + len(mutant.old)] == mutant.old, mutant
    lines[mutant.line - 1] = text[:mutant.column] + mutant.new + text[mutant.column + len(mutant.old):]
    return "".join(lines)


# Tests that start processes (flake8, torch2ms, pip, mkdocs): run after the in-process ones, so
# that -x stops at a cheap failure first.
SLOW_TESTS = ("tests/integration/", "tests/test_cli.py", "tests/test_cli_sources.py", "tests/test_cli_fix.py",
              "tests/test_flake8.py", "tests/test_rulecache.py")


def chosen_tests(mutant: Mutant, lines: dict[str, dict[int, set[str]]]) -> list[str] | None:
    """The node ids of the tests that execute the mutant's line, in-process tests first; None for
    all of them (a line run at import time, when the module loads, whatever test runs)."""
    contexts = lines.get(mutant.path, {}).get(mutant.line, set())
    if "" in contexts or not contexts:
        return None
    return sorted(contexts, key=lambda nodeid: (nodeid.startswith(SLOW_TESTS), nodeid))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=60, help="how many mutants to run (default 60)")
    parser.add_argument("--seed", type=int, help="the sample's seed (default: a fresh random one, printed)")
    parser.add_argument("--files", nargs="+", default=DEFAULT_FILES, metavar="GLOB",
                        help="files to mutate, relative to the checkout (default: the model, both families, the "
                             "engine, prefilter, sources, fixes, configuration and command)")
    parser.add_argument("--tests", nargs="+", default=TESTS, metavar="PATH", help="the tests to run")
    parser.add_argument("--strings", action="store_true",
                        help="also mutate short string constants (node kinds, fact keys): many more mutants, "
                             "most of them killed as soon as anything loads")
    parser.add_argument("--list", action="store_true", help="print the sampled mutants and stop")
    parser.add_argument("--rerun", metavar="OUTPUT", type=Path,
                        help="run the mutants listed in a previous run's output (only its SURVIVED lines with "
                             "--survivors) instead of a new sample")
    parser.add_argument("--survivors", action="store_true", help="with --rerun: only the survivors")
    args = parser.parse_args(argv)

    files = sorted({path.relative_to(ROOT / "linter").as_posix() for pattern in args.files
                    for path in ROOT.glob(pattern) if path.suffix == ".py"})
    if not files:
        sys.exit("no file matches --files")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1, 1_000_000)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="torch2ms-mutation-") as temporary:
        shadow = Path(temporary)
        package = shadow_package(shadow)
        originals = {name: (package / name).read_text(encoding="utf-8") for name in files}
        lines, lines_seconds = cached_tests_by_line(shadow, package, files, args.tests)
        if args.rerun:
            sample = listed_mutants(args.rerun, args.survivors, originals)
            print(f"{len(sample)} mutants from {args.rerun}", flush=True)
        else:
            candidates = []
            for name in files:
                for mutant in mutants_of(name, originals[name], set(lines[name]), args.strings):
                    try:
                        compile(apply(originals[name], mutant), name, "exec")
                    except SyntaxError:
                        continue
                    candidates.append(mutant)
            sample = random.Random(seed).sample(candidates, min(args.sample, len(candidates)))
            print(f"{len(candidates)} one-token mutants on {sum(map(len, lines.values()))} executed lines of "
                  f"{len(files)} files; sampled {len(sample)} with seed {seed} "
                  f"(python bench/mutation.py --sample {args.sample} --seed {seed} runs this sample again)",
                  flush=True)
        if args.list:
            for mutant in sample:
                print(mutant)
            return 0
        # The coverage run passed every test (slower than a plain run): three times it is the timeout.
        timeout = max(60.0, 3 * lines_seconds)
        survivors = []
        for number, mutant in enumerate(sample, start=1):
            target = package / mutant.path
            target.write_text(apply(originals[mutant.path], mutant), encoding="utf-8")
            mutant_started = time.perf_counter()
            try:
                chosen = chosen_tests(mutant, lines)
                if chosen is not None:
                    passed, detail = run_tests(shadow, chosen, timeout)
                if chosen is None or passed:  # every test, on every core, before a survivor counts
                    passed, detail = run_tests(shadow, args.tests, timeout, workers=os.cpu_count() or 1)
            finally:
                target.write_text(originals[mutant.path], encoding="utf-8")
            if passed:
                survivors.append(mutant)
            tests = "all tests" if chosen is None else f"{len(chosen)} tests"
            print(f"{number:3} {'SURVIVED' if passed else 'killed  '} {mutant}"
                  + ("" if passed else f"  [{detail}]") + f"  ({tests}, {time.perf_counter() - mutant_started:.0f} s)",
                  flush=True)
    killed = len(sample) - len(survivors)
    what = f"seed {seed}" if not args.rerun else f"the mutants of {args.rerun}"
    print(f"\nfirst run, {what}: killed {killed} of {len(sample)} ({killed / max(1, len(sample)):.0%}) in "
          f"{time.perf_counter() - started:.0f} s; survivors ({len(survivors)}), to judge equivalent or not "
          "(the score to report counts only the non-equivalent):")
    for mutant in survivors:
        print(f"  {mutant}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
