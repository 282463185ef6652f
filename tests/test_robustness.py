"""Never crash: a plugin that raises takes down the whole lint run, in every editor and CI job.

Whatever the input, the engine and the flake8 plugin return normally, report no TMS000 (the
plugin's own failure), and put every finding on a real line, at a column (in characters) inside
that line. Inputs: valid programs from hypothesmith, programs built from clipping code on purpose,
mutated fixtures (deleted tokens, swapped arguments, truncated files), and edge inputs (empty, BOM,
CRLF, tabs, form feeds, bytes that are not UTF-8, a 10 MB file, a 200,000-character line, nesting
as deep as Python allows and deeper). A few cases run the real `flake8` (and `torch2ms`, where
that command exists) in a subprocess.

The property tests run a bounded number of examples here; `tox -e fuzz` sets TORCH2MS_FUZZ_SCALE
to run many more, and TORCH2MS_FUZZ_SWEEP=1 to sweep every truncation and token deletion.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import io
import os
import random
import re
import subprocess
import sys
import tempfile
import tokenize
import warnings
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flake8_torch2ms.config import INTERNAL_ERROR_CODE, load_ruleset
from flake8_torch2ms.plugin import Torch2MSChecker

ROOT = Path(__file__).resolve().parent.parent
SCALE = max(1, int(os.environ.get("TORCH2MS_FUZZ_SCALE", "1")))
SWEEP = os.environ.get("TORCH2MS_FUZZ_SWEEP") == "1"
HAS_CLI = importlib.util.find_spec("flake8_torch2ms.cli") is not None


def fuzz_settings(examples: int):
    # No deadline: timing is not what these tests assert. No database: nothing written to the tree;
    # a failure prints the falsifying example, which is the reproduction. The default suite draws
    # the same examples every run (CI must not fail by chance); the fuzz run draws new ones each time.
    return settings(max_examples=examples * SCALE, deadline=None, database=None, derandomize=SCALE == 1,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much, HealthCheck.large_base_example])


def sources_of_the_fixtures() -> dict[str, str]:
    paths = sorted((ROOT / "tests" / "fixtures").glob("*.py")) + sorted((ROOT / "docs" / "examples").glob("*.py"))
    found = {f"{path.parent.name}/{path.name}": path.read_text(encoding="utf-8") for path in paths}
    for rule in sorted(load_ruleset().rules, key=lambda rule: rule.code):
        for kind in ("valid", "invalid"):
            for example in getattr(rule, kind):
                found[f"{rule.id}/{kind}/{example.name}"] = example.source
    return found


FIXTURES = sources_of_the_fixtures()


def physical_lines(source: str) -> list[str]:
    """Lines as Python and flake8 count them: str.splitlines() also splits on form feeds, \x1c-\x1e,
    \x85 and U+2028, which are no line breaks in Python source."""
    return re.split(r"\r\n|\r|\n", source)


def check_never_crashes(engine, source: str, through_plugin: bool = True) -> list[tuple[int, int, str]]:
    """Lint ``source`` with the engine and, when Python parses it (as flake8 requires), with the
    plugin exactly as flake8 calls it; both must agree and stay inside the file."""
    findings = engine.check(source)
    failures = [finding.message for finding in findings if finding.code == INTERNAL_ERROR_CODE]
    assert failures == [], failures
    lines = physical_lines(source)
    for finding in findings:
        assert 1 <= finding.line <= len(lines), (finding, len(lines))
        assert 0 <= finding.column <= len(lines[finding.line - 1]), (finding, lines[finding.line - 1])
        assert finding.message and "\n" not in finding.message
    positions = [(finding.line, finding.column, finding.code) for finding in findings]
    if not through_plugin:
        return positions
    from_torch2ms = torch2ms_check(source) if HAS_CLI else None  # never raises, whatever the input
    try:
        with warnings.catch_warnings():  # generated code trips SyntaxWarnings ('int' is not callable)
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return positions  # flake8 reports E999 and never calls the plugin
    # flake8 reads files in text mode: universal newlines, so the plugin sees '\n' endings only.
    checker = Torch2MSChecker(tree, io.StringIO(source, newline=None).readlines(), "fuzzed.py")
    from_plugin = [(line, column, text.split(" ", 1)[0]) for line, column, text, _ in checker.run()]
    assert sorted(from_plugin) == sorted(positions)
    if from_torch2ms is not None:
        assert from_torch2ms == sorted(positions)
    return positions


def torch2ms_check(source: str) -> list[tuple[int, int, str]]:
    """The ``torch2ms check`` command, in this process, on ``source`` written to a file: it must
    return 0 or 1 and print the TMS findings the engine gives (its columns are 1-based)."""
    from flake8_torch2ms import cli

    path = Path(tempfile.gettempdir()) / f"torch2ms-fuzz-{os.getpid()}" / "fuzzed.py"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(source.encode("utf-8", "surrogateescape"))
    printed, errors = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(errors):
        status = cli.main(["check", "-j", "1", "--select", "TMS", str(path)])
    assert status in (0, 1), errors.getvalue()
    found = []
    for line in printed.getvalue().splitlines():
        location, code = line.split(" ", 2)[:2]
        row, column = location.rstrip(":").rsplit(":", 2)[1:]
        found.append((int(row), int(column) - 1, code))
    return sorted(found)


# Generated programs trip Python's own SyntaxWarnings ('int' object is not callable) wherever they
# are compiled (hypothesmith checks its output, torch2ms reads it): they say nothing about us.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

# --------------------------------------------------------------------------- hypothesmith


@fuzz_settings(examples=80)
@given(hypothesmith.from_grammar())
def test_valid_programs_from_the_grammar(engine, source):
    check_never_crashes(engine, source)


PRELUDE = ("import torch\nimport mindspore as ms\nfrom mindspore import ops, nn, mint\n"
           "from mindspore.ops import composite as C\nloss, grads = grad_fn(data, label)\n")
EPILOGUE = ("grads = ops.clip_by_value(grads, 0.1)\nC.clip_by_value(net.trainable_params(), -1, 1)\n"
            "torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)\noptimizer(grads)\n")


@fuzz_settings(examples=40)
@given(hypothesmith.from_grammar())
def test_valid_programs_between_clipping_code(engine, source):
    # Most generated programs mention no clip function, and the engine skips them before parsing;
    # clipping code around them makes every rule's semantic conditions walk the generated code.
    check_never_crashes(engine, PRELUDE + source.rstrip("\\ \t\r\n\f") + "\n" + EPILOGUE)


@fuzz_settings(examples=8)
@given(hypothesmith.from_node())
def test_valid_programs_from_libcst_nodes(engine, source):
    check_never_crashes(engine, PRELUDE + source + "\n" + EPILOGUE)


# --------------------------------------------------------------------------- clipping programs

NAMES = ("grads", "grad", "g", "d_grads", "params", "p", "param", "net", "model", "weights", "output", "clipped",
         "loss", "aux", "c", "CLIP", "x", "self", "optimizer", "grad_fn", "data", "label", "_")
ATOMS = ("0", "1", "-1", "0.1", "-0.1", "1e-7", "None", "True", "'s'", "...", "net.trainable_params()",
         "model.parameters()", "optimizer.parameters", "optimizer.param_groups", "ms.ParameterTuple(weights)",
         "grad_fn(data, label)", "self.clip_value", "self.weights", "max_grad", "-max_grad", "F.cast(c, dt)")
CLIPS = ("ops.clip_by_value", "C.clip_by_value", "ops.clamp", "ops.clip", "mint.clamp", "ms.ops.clip_by_value",
         "ops.clip_by_global_norm", "ops.clip_by_norm", "nn.ClipByNorm()", "clip_by_value",
         "torch.nn.utils.clip_grad_norm_", "torch.nn.utils.clip_grad_value_", "p.grad.clamp_",
         "p.grad.data.clamp_", "ms.nn.utils.clip_grad_norm", "ms.grad", "ms.value_and_grad", "ops.GradOperation()")
KEYWORDS = ("x", "input", "clip_value_min", "clip_value_max", "min", "max", "has_aux", "clip_norm", "max_norm")
OPERATORS = (" + ", " - ", " * ", " / ", " ** ", " if x else ", " and ", " or ", " < ", " >= ", ", ")


def expressions():
    atom = st.sampled_from(NAMES) | st.sampled_from(ATOMS)

    def extend(inner):
        arguments = st.lists(inner | st.builds("*{}".format, inner) | st.builds("{}={}".format,
                             st.sampled_from(KEYWORDS), inner), max_size=4).map(", ".join)
        return st.one_of(
            st.builds("{}({})".format, st.sampled_from(CLIPS), arguments),
            st.builds("{}({})".format, st.sampled_from(NAMES), arguments),
            st.builds("-{}".format, inner),
            st.builds("not {}".format, inner),
            st.builds("({})".format, inner),
            st.builds("({},)".format, inner),
            st.builds("[{}]".format, arguments),
            st.builds("{}{}{}".format, inner, st.sampled_from(OPERATORS), inner),
            st.builds("{}[{}]".format, inner, st.sampled_from(("0", "1", "-1", "0:2", "i"))),
            st.builds("{}.{}".format, inner, st.sampled_from(("grad", "data", "value", "clip_value"))),
            st.builds("[{} for {} in {}]".format, inner, st.sampled_from(NAMES), inner),
            st.builds("(lambda {}: {})".format, st.sampled_from(NAMES), inner),
            st.builds("({} := {})".format, st.sampled_from(NAMES), inner),
        )

    return st.recursive(atom, extend, max_leaves=12)


def targets():
    name = st.sampled_from(NAMES)
    return st.one_of(name, st.builds("{}, {}".format, name, name), st.builds("({}, ({}, {}))".format, name, name, name),
                     st.builds("{}, *{}".format, name, name), st.builds("self.{}".format, name),
                     st.builds("{}[0]".format, name))


def blocks(depth: int):
    expression = expressions()
    simple = st.one_of(
        st.builds("{} = {}".format, targets(), expression),
        st.builds("{} = {} = {}".format, targets(), targets(), expression),
        st.builds("{} += {}".format, st.sampled_from(NAMES), expression),
        expression,
        st.builds("return {}".format, expression),
        st.builds("optimizer({})".format, expression),
        st.builds("{}.set_data({})".format, st.sampled_from(NAMES), expression),
        st.just("pass"),
        st.builds("global {}".format, st.sampled_from(NAMES)),
        st.builds("del {}".format, st.sampled_from(NAMES)),
    ).map(lambda line: [line])
    if depth == 0:
        statement = simple
    else:
        body = blocks(depth - 1).map(lambda lines: ["    " + line for line in lines] or ["    pass"])
        statement = st.one_of(
            simple, simple,
            st.builds(lambda t, e, b: [f"for {t} in {e}:"] + b, targets(), expression, body),
            st.builds(lambda e, b, c: [f"if {e}:"] + b + ["else:"] + c, expression, body, body),
            st.builds(lambda n, a, b: [f"def {n}({a}):"] + b, st.sampled_from(("construct", "train_step", "f")),
                      st.sampled_from(("", "self", "self, data, label", "grads", "*args, **kwargs", "c=0.1")), body),
            st.builds(lambda b: ["class Step(nn.Cell):", "    def construct(self, grads):"]
                      + ["    " + line for line in b], body),
            st.builds(lambda e, t, b: [f"with {e} as {t}:"] + b, expression, st.sampled_from(NAMES), body),
            st.builds(lambda b, c: ["try:"] + b + ["except Exception as error:"] + c, body, body),
        )
    return st.lists(statement, min_size=1, max_size=6).map(lambda parts: [line for part in parts for line in part])


IMPORTS = ("import mindspore as ms", "from mindspore import ops, nn, mint", "import torch",
           "from mindspore.ops import composite as C, functional as F", "from mindspore.ops import clip_by_value",
           "from mindspore import ops as P", "import mindspore.ops as ops")


@fuzz_settings(examples=150)
@given(st.lists(st.sampled_from(IMPORTS), max_size=4, unique=True), blocks(2),
       st.sampled_from(("\n", "\r\n")))
def test_programs_made_of_clipping_code(engine, imports, body, newline):
    """Gradient functions, parameter sources, clip calls with any arguments, nested in loops,
    functions, classes and comprehensions: the conditions' dataflow sees every shape here. Some of
    these programs are not valid Python (a module-level return); the engine must cope anyway."""
    check_never_crashes(engine, newline.join([*imports, *body]) + newline)


# --------------------------------------------------------------------------- mutated fixtures


def tokens_of(source: str) -> list[tokenize.TokenInfo]:
    try:
        return [token for token in tokenize.generate_tokens(io.StringIO(source).readline)
                if token.type not in (tokenize.ENDMARKER, tokenize.NEWLINE, tokenize.NL, tokenize.INDENT,
                                      tokenize.DEDENT) and token.string]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return []


def offset(source: str, row: int, column: int) -> int:
    lines = source.splitlines(keepends=True)
    return sum(len(line) for line in lines[:row - 1]) + column


def delete_token(source: str, choice: int) -> str:
    tokens = tokens_of(source)
    if not tokens:
        return source[: len(source) // 2]
    token = tokens[choice % len(tokens)]
    start, end = offset(source, *token.start), offset(source, *token.end)
    return source[:start] + source[end:]


def swap_arguments(source: str, choice: int) -> str:
    """Swap two neighbouring arguments of one call (found by tokens, so it also works on broken code)."""
    tokens = tokens_of(source)
    calls = []
    for index, token in enumerate(tokens):
        if token.string == "(" and index and tokens[index - 1].type == tokenize.NAME:
            depth, pieces, start = 0, [], offset(source, *token.end)
            for inner in tokens[index + 1:]:
                if inner.string in "([{" and inner.type == tokenize.OP:
                    depth += 1
                elif inner.string in ")]}" and inner.type == tokenize.OP:
                    if depth == 0:
                        pieces.append((start, offset(source, *inner.start)))
                        break
                    depth -= 1
                elif inner.string == "," and depth == 0:
                    pieces.append((start, offset(source, *inner.start)))
                    start = offset(source, *inner.end)
            if len(pieces) >= 2:
                calls.append(pieces)
    if not calls:
        return source
    pieces = calls[choice % len(calls)]
    at = (choice // len(calls)) % (len(pieces) - 1)
    (a_start, a_end), (b_start, b_end) = pieces[at], pieces[at + 1]
    first, second = source[a_start:a_end], source[b_start:b_end]
    return source[:a_start] + second + source[a_end:b_start] + first + source[b_end:]


def truncate(source: str, choice: int) -> str:
    return source[: choice % (len(source) + 1)]


def delete_line(source: str, choice: int) -> str:
    lines = source.splitlines(keepends=True)
    if lines:
        del lines[choice % len(lines)]
    return "".join(lines)


def duplicate_line(source: str, choice: int) -> str:
    lines = source.splitlines(keepends=True)
    if lines:
        index = choice % len(lines)
        lines.insert(index, lines[index])
    return "".join(lines)


def dedent_line(source: str, choice: int) -> str:
    lines = source.splitlines(keepends=True)
    if lines:
        index = choice % len(lines)
        lines[index] = lines[index].lstrip(" \t")
    return "".join(lines)


def insert_text(source: str, choice: int, text: str) -> str:
    at = choice % (len(source) + 1)
    return source[:at] + text + source[at:]


MUTATIONS = {
    "delete a token": delete_token,
    "swap two arguments": swap_arguments,
    "truncate": truncate,
    "delete a line": delete_line,
    "duplicate a line": duplicate_line,
    "dedent a line": dedent_line,
}
JUNK = ("(", ")", "[", ":", ",", "\\\n", "'", '"""', "\t", "\f", "\r", "\x00", "é", "😀", "lambda", "*", "-", "$X")


@fuzz_settings(examples=200)
@given(st.sampled_from(sorted(FIXTURES)),
       st.lists(st.tuples(st.sampled_from(sorted(MUTATIONS) + ["insert text"]), st.integers(0, 10**6),
                          st.sampled_from(JUNK)), min_size=1, max_size=4))
def test_mutated_fixtures(engine, name, mutations):
    source = FIXTURES[name]
    for mutation, choice, junk in mutations:
        source = (insert_text(source, choice, junk) if mutation == "insert text"
                  else MUTATIONS[mutation](source, choice))
    check_never_crashes(engine, source)


PAIR_FIXTURES = ROOT / "tests" / "fixtures" / "pairs"
PORTS = {path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
         for folder in (PAIR_FIXTURES / "port", ROOT / "docs" / "port-pair" / "port")
         for path in sorted(folder.rglob("*.py"))}


@pytest.fixture(scope="module")
def pair_engine():
    from flake8_torch2ms.engine import Engine
    from flake8_torch2ms.families import Pairing

    return Engine(load_ruleset(), Pairing(str(PAIR_FIXTURES / "original")))


def test_the_ports_pair_by_their_names_alone(pair_engine):
    """What the next test mutates: without a path, the fixture's port still pairs (TMS4xx findings)."""
    source = PORTS["tests/fixtures/pairs/port/src/models/resnet.py"]
    assert any(finding.code.startswith("TMS4") for finding in pair_engine.check(source))


@fuzz_settings(examples=100)
@given(st.sampled_from(sorted(PORTS)),
       st.lists(st.tuples(st.sampled_from(sorted(MUTATIONS) + ["insert text"]), st.integers(0, 10**6),
                          st.sampled_from(JUNK + ("class Other:\n    pass\n", "def forward(self):\n"))),
                min_size=1, max_size=4))
def test_mutated_ports_in_port_pair_mode(pair_engine, name, mutations):
    """Port-pair mode on mutated ports (standard input: no path, so they align by the names they
    define, through both of the pairs gate's tests): no check fails, every finding is inside the file."""
    source = PORTS[name]
    for mutation, choice, junk in mutations:
        source = (insert_text(source, choice, junk) if mutation == "insert text"
                  else MUTATIONS[mutation](source, choice))
    check_never_crashes(pair_engine, source, through_plugin=False)


def test_every_argument_swap_of_every_fixture(engine):
    """Deterministic: each call's neighbouring arguments swapped in turn, in every fixture."""
    mutated = 0
    for name, source in FIXTURES.items():
        seen = set()
        for choice in range(256 if SWEEP else 6):
            result = swap_arguments(source, choice)
            if result != source and result not in seen:
                seen.add(result)
                check_never_crashes(engine, result)
        mutated += len(seen)
    assert mutated > 100


@pytest.mark.skipif(not SWEEP, reason="the exhaustive sweep runs under tox -e fuzz (TORCH2MS_FUZZ_SWEEP=1)")
def test_every_truncation_and_token_deletion(engine):
    for source in FIXTURES.values():
        for end in range(len(source) + 1):
            check_never_crashes(engine, source[:end])
        for index in range(len(tokens_of(source))):
            check_never_crashes(engine, delete_token(source, index))


# --------------------------------------------------------------------------- edge inputs

CLIP_LINES = "from mindspore import ops\nloss, grads = grad_fn(data, label)\ngrads = ops.clip_by_value(grads, 0.1)\n"
EXPECTED = [(3, 8, "TMS103")]
NON_ASCII_PREFIX = 's = "é€😀中"; 变量 = "ü"; '  # 1-, 2-, 3- and 4-byte UTF-8 characters


@pytest.mark.parametrize("source, expected", [
    pytest.param("", [], id="empty"),
    pytest.param("\n\n\n", [], id="only newlines"),
    pytest.param("\ufeff", [], id="only a BOM"),
    pytest.param("\ufeff" + CLIP_LINES, EXPECTED, id="BOM"),
    pytest.param(CLIP_LINES.replace("\n", "\r\n"), EXPECTED, id="CRLF"),
    pytest.param(CLIP_LINES.replace("\n", "\r"), EXPECTED, id="CR only"),
    pytest.param(CLIP_LINES.replace("\n", "\r\n", 1), EXPECTED, id="mixed line endings"),
    pytest.param(CLIP_LINES[:-1], EXPECTED, id="no final newline"),
    pytest.param("def step():\n\tloss, grads = grad_fn(data, label)\n\tgrads = ops.clip_by_value(grads, 0.1)\n"
                 "\treturn grads\nfrom mindspore import ops\n", [(3, 9, "TMS103")], id="tabs"),
    pytest.param("\f" + CLIP_LINES.replace("grads = ops", "\fgrads = ops"), [(3, 9, "TMS103")], id="form feeds"),
    pytest.param(CLIP_LINES.replace("grads = ops", "\x0bgrads = ops"), None, id="vertical tab"),
    pytest.param("\x00" + CLIP_LINES, None, id="NUL byte"),
    pytest.param("\udcff" + CLIP_LINES, None, id="lone surrogate (undecodable byte, surrogateescape)"),
    pytest.param(CLIP_LINES.replace("grads = ops", NON_ASCII_PREFIX + "grads = ops"),
                 [(3, len(NON_ASCII_PREFIX) + 8, "TMS103")], id="non-ASCII text before the finding"),
    pytest.param(CLIP_LINES.replace("loss", "损失").replace("data", "数据").replace("grads = ops", "变量 = 1; grads = ops"),
                 [(3, len("变量 = 1; ") + 8, "TMS103")], id="non-ASCII identifiers"),
    pytest.param(CLIP_LINES.replace("grads = ops.clip_by_value(grads, 0.1)",
                                    "grads = ops.clip_by_value(\n    grads,\n    0.1,\n)"), EXPECTED,
                 id="call over several lines"),
    pytest.param("x = '''\n" + CLIP_LINES + "'''\n", [], id="clipping code inside a string"),
    pytest.param("# " + CLIP_LINES.replace("\n", "\n# "), [], id="clipping code in comments"),
    pytest.param(CLIP_LINES + "grads = ops.clip_by_value(grads, 0.1", None, id="unclosed call at the end"),
    pytest.param(CLIP_LINES.replace("0.1", "0.1 \\\n"), None, id="backslash continuation"),
])
def test_edge_input(engine, source, expected):
    found = check_never_crashes(engine, source)
    if expected is not None:
        assert found == expected


def test_non_utf8_bytes_through_flake8_and_the_plugin(engine, tmp_path):
    """flake8 decodes a file itself: latin-1 with a coding cookie is linted, and so is a file whose
    bytes are not UTF-8 (flake8 decodes it as latin-1); columns stay in characters."""
    (tmp_path / "latin1.py").write_bytes(b"# -*- coding: latin-1 -*-\n" + b"s = '\xe9\xe8'; " + CLIP_LINES.encode()
                                         .replace(b"\ngrads = ops", b"\ns = '\xe9'; grads = ops"))
    (tmp_path / "broken.py").write_bytes(b"s = '\xff\xfe'\n" + CLIP_LINES.encode())
    result = flake8("--select", "TMS,E9", "latin1.py", "broken.py", cwd=tmp_path)
    lines = sorted(line.split(" ", 2)[:2] for line in result.stdout.splitlines())
    # Line 4 is "s = 'é'; grads = ops.clip_by_value(...)": the call starts at character 18 (1-based).
    assert ["latin1.py:4:18:", "TMS103"] in lines
    # flake8 7 falls back to latin-1 for a file that is not UTF-8, so it is linted all the same.
    assert ["broken.py:4:9:", "TMS103"] in lines


def test_a_10_mb_file(engine):
    filler = "".join(f"def f_{index}(x):\n    return x * 2 + {index}\n" for index in range(250_000))
    source = "from mindspore import ops\n" + filler + CLIP_LINES.split("\n", 1)[1]
    assert len(source.encode()) > 10_000_000
    # The engine only: Python's own ast.parse of 10 MB (what flake8 does first) takes longer than
    # our whole check, and the plugin is the same engine.
    assert check_never_crashes(engine, source, through_plugin=False) == [(500_003, 8, "TMS103")]


def test_a_200_000_character_line(engine):
    long_line = "x = [" + ", ".join(["1"] * 66_700) + "]; "
    assert len(long_line) > 200_000
    source = CLIP_LINES.replace("grads = ops", long_line + "grads = ops")
    assert check_never_crashes(engine, source) == [(3, len(long_line) + 8, "TMS103")]


def python_nesting_limit(make) -> int:
    """The deepest nesting this Python parses (about 3,000 on 3.11; 200 for parentheses)."""
    low, high = 1, 20_000
    while low < high:
        middle = (low + high + 1) // 2
        try:
            ast.parse(make(middle))
            low = middle
        except (SyntaxError, MemoryError, RecursionError):
            high = middle - 1
    return low


NESTINGS = {
    "unary minus": lambda depth: "-" * depth + "0.1",
    "not": lambda depth: "not " * depth + "c",
    "parentheses": lambda depth: "(" * depth + "grads" + ")" * depth,
    "binary operators": lambda depth: " - ".join(["c"] * depth),
    "attributes": lambda depth: "grads" + ".value" * depth,
    "calls": lambda depth: "f" + "()" * depth,
    "subscripts": lambda depth: "grads" + "[0]" * depth,
    "lambdas": lambda depth: "lambda: " * depth + "grads",
    "conditional expressions": lambda depth: "c if c else " * depth + "c",
    "clip of clip": lambda depth: "ops.clip_by_value(" * depth + "grads" + ", -0.1, 0.1)" * depth,
    "tuples": lambda depth: "(" * depth + "grads" + ",)" * depth,
}
TEMPLATES = (
    "grads = ops.clip_by_value({e}, 0.1)\n",
    "grads = ops.clip_by_value(grads, {e}, {e})\n",
    "grads = ops.clip_by_value(grads, -({e}), {e})\n",
    "c = {e}\ngrads = ops.clip_by_value(grads, -c, c)\n",
    "def f():\n    loss, grads = grad_fn(data, label)\n    h = ops.clip_by_value({e}, c)\n    return 1\n",
    "ops.clip_by_value({e}, -1, 1)\n",
    "torch.nn.utils.clip_grad_norm_({e}, 1.0)\n",
)


@pytest.mark.parametrize("nesting", sorted(NESTINGS))
def test_nesting_as_deep_as_python_parses(engine, nesting):
    """Where Python (and so flake8) parses the file, the plugin runs, and must not die of a
    RecursionError however deep the expression is."""
    make = NESTINGS[nesting]
    # Clip of clip: every level is a clip call the rules judge, each over the levels below it.
    cap = (200 if SWEEP else 40) if nesting == "clip of clip" else 20_000
    depth = min(python_nesting_limit(lambda depth: f"x = {make(depth)}\n"), cap)
    assert depth >= min(150, cap)
    for template in TEMPLATES:
        check_never_crashes(engine, "import torch\nfrom mindspore import ops\nloss, grads = grad_fn(data, label)\n"
                            + template.format(e=make(depth)))


# Clip of clip is left out: Python refuses more than 200 nested parentheses, and the semantic
# conditions take time that grows faster than quadratically with the depth of nested clip calls
# (about 200 s at 1,000 levels): a known limit, not a crash.
DEEPER_THAN_PYTHON = ["unary minus", "parentheses"] + (
    sorted(set(NESTINGS) - {"unary minus", "parentheses", "clip of clip"}) if SWEEP else [])


@pytest.mark.parametrize("nesting", DEEPER_THAN_PYTHON)
def test_nesting_deeper_than_python_parses(engine, nesting):
    # Python refuses these files (flake8 says E999); the engine on its own still returns.
    source = "from mindspore import ops\nloss, grads = grad_fn(data, label)\n" + "".join(
        template.format(e=NESTINGS[nesting](10_000)) for template in TEMPLATES[:4])
    check_never_crashes(engine, source)


# --------------------------------------------------------------------------- the real commands


def flake8(*args, cwd):
    result = subprocess.run([sys.executable, "-m", "flake8", *args], cwd=cwd, capture_output=True, text=True,
                            timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 1), result.stderr
    return result


def test_columns_are_characters_as_pycodestyle_prints_them(tmp_path):
    """The same line holds pycodestyle's E702 (at each ';') and our TMS103, after text of 1-, 2-, 3-
    and 4-byte UTF-8 characters (the emoji is also 2 UTF-16 units): flake8 prints both in characters."""
    line = 's = "é€😀中"; 变量 = "ü"; grads = ops.clip_by_value(grads, 0.1)'
    (tmp_path / "train.py").write_text(CLIP_LINES.replace("grads = ops.clip_by_value(grads, 0.1)", line),
                                       encoding="utf-8")
    result = flake8("--select", "TMS,E702", "train.py", cwd=tmp_path)
    printed = sorted((int(text.split(":")[2]), text.split(" ")[1]) for text in result.stdout.splitlines())
    semicolons = [index + 1 for index, char in enumerate(line) if char == ";"]
    assert printed == sorted([(column, "E702") for column in semicolons] + [(line.index("ops.clip") + 1, "TMS103")])


def test_deep_nesting_and_edge_files_through_flake8(tmp_path):
    # 300 levels: pyflakes, which flake8 always runs, dies of a RecursionError from about 500 nested
    # unary minus signs and flake8 then aborts the whole run; the plugin alone goes to Python's limit
    # (test_nesting_as_deep_as_python_parses runs it exactly as flake8 calls it).
    files = {
        "deep_parsed.py": "from mindspore import ops\nloss, grads = grad_fn(data, label)\n"
                          f"grads = ops.clip_by_value(grads, {'-' * 300}0.1)\n",
        "parens_refused.py": "x = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n",
        "empty.py": "",
        "bom.py": "\ufeff" + CLIP_LINES,
        "crlf.py": CLIP_LINES.replace("\n", "\r\n"),
        "formfeed.py": "\f" + CLIP_LINES,
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
    result = flake8("--select", "TMS,E9", *sorted(files), cwd=tmp_path)
    printed = {tuple(line.split(" ", 2)[:2]) for line in result.stdout.splitlines()}
    assert {(f"{name}:3:9:", "TMS103") for name in ("bom.py", "crlf.py", "formfeed.py", "deep_parsed.py")} <= printed
    assert ("parens_refused.py:1:", "E999") in {(path[:len("parens_refused.py:1:")], code) for path, code in printed}
    assert not any(code == INTERNAL_ERROR_CODE for _, code in printed)
    assert not any(path.startswith("empty.py") for path, _ in printed)


def test_flake8_itself_fails_on_10_000_unary_minus_signs_before_any_plugin(tmp_path):
    """On Python 3.11, ast.parse raises MemoryError (not SyntaxError) on 10,000 unary minus signs,
    and flake8 7 only catches SyntaxError in build_ast: flake8 crashes before it calls any plugin.
    This pins that the crash is flake8's, not ours; the engine itself copes (see above)."""
    (tmp_path / "deep.py").write_text("from mindspore import ops\nx = " + "-" * 10_000 + "1\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "flake8", "-j", "1", "--select", "TMS,E9", "deep.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    if "Traceback" not in result.stderr:  # a flake8 or a Python that reports E999 instead
        assert result.returncode in (0, 1)
        return
    assert "flake8_torch2ms" not in result.stderr
    assert "in build_ast" in result.stderr and result.stderr.rstrip().endswith("MemoryError")


def corpus_directory(tmp_path: Path) -> Path:
    """Many files: every fixture, rule example and a few hundred of their mutations."""
    directory = tmp_path / "many"
    directory.mkdir()
    generator = random.Random(20261127)
    for index, (name, source) in enumerate(sorted(FIXTURES.items())):
        (directory / f"f{index:03d}.py").write_text(source, encoding="utf-8")
        for copy in range(3):
            mutated = source
            for _ in range(generator.randint(1, 3)):
                mutation = generator.choice(sorted(MUTATIONS))
                mutated = MUTATIONS[mutation](mutated, generator.randrange(10**6))
            (directory / f"f{index:03d}_m{copy}.py").write_text(mutated, encoding="utf-8")
    return directory


def test_parallel_flake8_gives_the_same_findings_as_serial_on_many_files(tmp_path, engine):
    directory = corpus_directory(tmp_path)
    files = sorted(directory.glob("*.py"))
    assert len(files) > 150
    serial = flake8("-j", "1", "--select", "TMS,E9", ".", cwd=directory)
    parallel = flake8("-j", "2", "--select", "TMS,E9", ".", cwd=directory)
    assert serial.stdout.count("\n") > 100
    assert sorted(serial.stdout.splitlines()) == sorted(parallel.stdout.splitlines())
    # ... and the same as the engine in this process, for every file Python parses.
    expected = set()
    for path in files:
        source = path.read_text(encoding="utf-8")
        try:
            ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        expected |= {f"./{path.name}:{finding.line}:{finding.column + 1}: {finding.code}"
                     for finding in engine.check(source)}
    printed = {" ".join(line.split(" ", 2)[:2]) for line in serial.stdout.splitlines() if " TMS" in line}
    assert printed == expected


@pytest.mark.skipif(not HAS_CLI, reason="the torch2ms command (linter/cli.py) does not exist in this checkout")
def test_torch2ms_command_never_crashes_on_many_files(tmp_path):
    directory = corpus_directory(tmp_path)
    flake8_result = flake8("-j", "2", "--select", "TMS", ".", cwd=directory)
    for name, text in {"empty.py": "", "bom.py": "\ufeff" + CLIP_LINES, "crlf.py": CLIP_LINES.replace("\n", "\r\n"),
                       "deep.py": "x = " + "-" * 10_000 + "1\n"}.items():
        (directory / name).write_text(text, encoding="utf-8", newline="")
    (directory / "notutf8.py").write_bytes(b"s = '\xff'\n" + CLIP_LINES.encode())
    result = subprocess.run([sys.executable, "-m", "flake8_torch2ms.cli", "check", "-j", "2", "."], cwd=directory,
                            capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    assert f" {INTERNAL_ERROR_CODE} " not in result.stdout
    ours = {" ".join(line.split(" ", 2)[:2]).removeprefix("./") for line in result.stdout.splitlines()
            if " TMS" in line and line.startswith(("f", "./f"))}
    theirs = {" ".join(line.split(" ", 2)[:2]).removeprefix("./") for line in flake8_result.stdout.splitlines()}
    assert ours == theirs
