"""Layout never changes a verdict nor a message: every rule's examples, rewritten with a line
break after every opening bracket and every comma inside brackets (Python joins those lines),
give the same findings with the same one-line messages. A message names source text shortened
to one line; only a fix may carry the text as written (tests/test_examples.py).

One documented exception: the prefilter finds a values-only reduction by the text `max(axis`,
so a line break right after `max(` / `min(` is a known miss (linter/families/divergence/facts.py,
``triggers``); the rewrite leaves that parenthesis alone."""

import io
import tokenize

import pytest

from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.engine import Engine

RULES = sorted(load_ruleset().rules, key=lambda rule: rule.code)
EXAMPLES = [pytest.param(rule, kind, example, id=f"{rule.id}/{kind}/{example.name}")
            for rule in RULES for kind in ("valid", "invalid") for example in getattr(rule, kind)]
OPENING = {"(", "[", "{"}
UNBROKEN_CALLS = Engine(load_ruleset()).facts["divergence"].reduction_methods  # the documented miss
CLOSING = {")", "]", "}"}


def broken_over_lines(source: str) -> str:
    """``source`` with a newline (and an indent) after each bracket opened and each comma inside
    brackets, outside strings and f-strings."""
    depth, fstrings, breaks, previous = 0, 0, [], None
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        before, previous = previous, token
        name = tokenize.tok_name[token.type]
        if name == "FSTRING_START":
            fstrings += 1
        elif name == "FSTRING_END":
            fstrings -= 1
        if token.type != tokenize.OP or fstrings:
            continue
        if token.string in OPENING:
            depth += 1
        elif token.string in CLOSING:
            depth -= 1
        unbroken = token.string == "(" and before is not None and before.string in UNBROKEN_CALLS
        if depth > 0 and (token.string in OPENING or token.string == ",") and not unbroken:
            breaks.append(token.end)
    lines = source.splitlines(keepends=True)
    for row, column in reversed(breaks):
        text = lines[row - 1]
        lines[row - 1] = text[:column] + "\n        " + text[column:]
    return "".join(lines)


def compact(message: str) -> str:
    return "".join(message.split())


def test_the_rewrite_breaks_lines_inside_brackets_only():
    source = "x = f(a, [b, c])\ny = 'a, (b'\n"
    rewritten = broken_over_lines(source)
    assert rewritten.count("\n") == source.count("\n") + 4
    compile(rewritten, "rewritten", "exec")
    assert "y = 'a, (b'" in rewritten


@pytest.mark.parametrize("rule, kind, example", EXAMPLES)
def test_an_example_broken_over_lines_gives_the_same_one_line_messages(engine, rule, kind, example):
    rewritten = broken_over_lines(example.source)
    compile(rewritten, f"{rule.id} rewritten", "exec")
    original = sorted((finding.code, compact(finding.message)) for finding in engine.check(example.source))
    findings = engine.check(rewritten)
    assert [finding.message for finding in findings if "\n" in finding.message or "  " in finding.message] == []
    assert sorted((finding.code, compact(finding.message)) for finding in findings) == original
