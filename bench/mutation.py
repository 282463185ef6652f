"""Sampled mutation testing: how many one-token changes to the linter do the fast tests catch?

    python bench/mutation.py [--sample 40] [--seed 13] [--files GLOB ...] [--list]
    python bench/mutation.py --rerun OUTPUT    # the mutants a previous run printed, e.g. after new tests

(what ``tox -e mutation`` runs). It copies the package to a temporary folder that shadows the
installed one (PYTHONPATH), so the checkout is never edited and other work can go on beside it.
It runs the fast tests once under a line tracer to learn which lines of the target files they
execute, lists every one-token mutant on those lines (a comparison or boolean operator swapped,
``not`` added or removed, ``is`` / ``in`` negated, a whole number or a boolean changed, ``break``
for ``continue``; with ``--strings``, short string constants too), draws ``--sample`` of them with
the seed, and runs the fast tests (``-x``) against each. A mutant is killed when the tests fail or
time out. It prints each mutant, the test that killed it, the survivors, and the score. Whether a
survivor is equivalent (no input can tell it apart) is a judgement, recorded with the score in
docs/reliability.md.

Why not mutmut or cosmic-ray: mutmut 3 imports the mutated code from its own ``mutants/`` copy by
module path, but this package is installed from ``linter/`` under another name
(``flake8_torch2ms``), so its trampolines are never imported; cosmic-ray runs every mutant of every
operator (thousands here, each against a 30 to 40 s test run: days on 2 cores) and has no sampling.
"""

from __future__ import annotations

import argparse
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
DEFAULT_FILES = ["linter/semantics/**/*.py", "linter/families/**/*.py", "linter/engine.py", "linter/sources.py",
                 "linter/fixes.py"]
# The fast tests: everything but the property tests, the flake8 and torch2ms command suites, the
# docs site and pre-commit (about 60 s together on this machine). Ordered so that most kills come
# early under -x.
FAST_TESTS = ["tests/families", "tests/test_examples.py", "tests/test_fixtures.py",
              "tests/test_engine.py", "tests/test_user_config.py", "tests/test_invariants.py",
              "tests/test_package_paths.py", "tests/test_cli_sources.py", "tests/test_cli_fix.py", "tests/integration",
              "tests/test_config_errors.py"]
# In one process: the line tracer must see the tests run, and -x stops at the first failure at once.
PYTEST = ["-x", "-q", "-p", "no:cacheprovider", "-n", "0"]

SWAPS = {
    "==": "!=", "!=": "==", "<": "<=", "<=": "<", ">": ">=", ">=": ">", "+": "-", "-": "+", "*": "/", "/": "*",
    "//": "/", "+=": "-=", "-=": "+=", "and": "or", "or": "and", "True": "False", "False": "True",
    "break": "continue", "continue": "break", "is": "is not", "in": "not in",
}

SHORT_STRING = re.compile(r"[rbu]?(['\"])[^'\"\\]{1,40}\1", re.IGNORECASE)  # no f-strings, no escapes

TRACER = r"""
import json, sys, threading
targets = set(json.loads(sys.argv[1]))
seen = set()
def local(frame, event, arg):
    if event == "line":
        seen.add((frame.f_code.co_filename, frame.f_lineno))
    return local
def tracer(frame, event, arg):
    if frame.f_code.co_filename in targets:
        seen.add((frame.f_code.co_filename, frame.f_lineno))
        return local
    return None
sys.settrace(tracer)
threading.settrace(tracer)
import pytest
status = pytest.main(sys.argv[3:])
sys.settrace(None)
with open(sys.argv[2], "w") as out:
    json.dump(sorted(seen), out)
sys.exit(int(status))
"""


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


def run_tests(shadow: Path, tests: list[str], timeout: float, extra: list[str] = ()) -> tuple[bool, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(shadow), os.environ.get("PYTHONPATH", "")]),
           "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        result = subprocess.run([sys.executable, "-m", "pytest", *PYTEST, *extra, *tests], cwd=ROOT, env=env,
                                capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, "timed out"
    failed = re.search(r"^(?:FAILED|ERROR) (\S+)", result.stdout, re.MULTILINE)
    return result.returncode == 0, failed.group(1) if failed else result.stdout.strip().splitlines()[-1:]


def executed_lines(shadow: Path, package: Path, files: list[str], tests: list[str]) -> dict[str, set[int]]:
    targets = {str(package / name): name for name in files}
    out = shadow / "lines.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(shadow), os.environ.get("PYTHONPATH", "")]),
           "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run([sys.executable, "-c", TRACER, json.dumps(list(targets)), str(out), *PYTEST[1:],
                             *tests], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"the fast tests fail without any mutant:\n{result.stdout[-3000:]}{result.stderr[-2000:]}")
    lines: dict[str, set[int]] = {name: set() for name in files}
    for filename, line in json.loads(out.read_text()):
        lines[targets[filename]].add(line)
    return lines


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, default=40, help="how many mutants to run (default 40)")
    parser.add_argument("--seed", type=int, default=13, help="the sample's seed (default 13)")
    parser.add_argument("--files", nargs="+", default=DEFAULT_FILES, metavar="GLOB",
                        help="files to mutate, relative to the checkout (default: the semantics, engine, "
                             "sources and fixes)")
    parser.add_argument("--tests", nargs="+", default=FAST_TESTS, metavar="PATH", help="the tests to run")
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
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="torch2ms-mutation-") as temporary:
        shadow = Path(temporary)
        package = shadow_package(shadow)
        originals = {name: (package / name).read_text(encoding="utf-8") for name in files}
        if args.rerun:
            sample = listed_mutants(args.rerun, args.survivors, originals)
            print(f"{len(sample)} mutants from {args.rerun}", flush=True)
        else:
            lines = executed_lines(shadow, package, files, args.tests)
            candidates = []
            for name in files:
                for mutant in mutants_of(name, originals[name], lines[name], args.strings):
                    try:
                        compile(apply(originals[name], mutant), name, "exec")
                    except SyntaxError:
                        continue
                    candidates.append(mutant)
            sample = random.Random(args.seed).sample(candidates, min(args.sample, len(candidates)))
            print(f"{len(candidates)} one-token mutants on {sum(map(len, lines.values()))} executed lines of "
                  f"{len(files)} files; sampled {len(sample)} with seed {args.seed}", flush=True)
        if args.list:
            for mutant in sample:
                print(mutant)
            return 0
        baseline = time.perf_counter()
        passed, detail = run_tests(shadow, args.tests, timeout=900)
        if not passed:
            sys.exit(f"the fast tests fail without any mutant: {detail}")
        timeout = max(60.0, 3 * (time.perf_counter() - baseline))
        survivors = []
        for number, mutant in enumerate(sample, start=1):
            target = package / mutant.path
            target.write_text(apply(originals[mutant.path], mutant), encoding="utf-8")
            try:
                passed, detail = run_tests(shadow, args.tests, timeout)
            finally:
                target.write_text(originals[mutant.path], encoding="utf-8")
            if passed:
                survivors.append(mutant)
            print(f"{number:3} {'SURVIVED' if passed else 'killed  '} {mutant}"
                  + ("" if passed else f"  [{detail}]"), flush=True)
    killed = len(sample) - len(survivors)
    print(f"\nkilled {killed} of {len(sample)} ({killed / len(sample):.0%}) in {time.perf_counter() - started:.0f} s; "
          f"survivors ({len(survivors)}), to judge equivalent or not:")
    for mutant in survivors:
        print(f"  {mutant}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
