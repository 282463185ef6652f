"""The prefilter reads the raw text, so where a word sits in the file must not matter: every
rule's invalid examples keep their finding when a name that starts with any part of a name on
the finding's line is the file's first characters (where a text search's first hit is offset 0),
or its last (no newline after it)."""

import ast
import functools
import io
import keyword
import os
import re
import tokenize

import pytest

from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.prefilter import Prefilter
from test_examples import paired_engine

RULES = sorted(load_ruleset().rules, key=lambda rule: rule.code)
EXAMPLES = [pytest.param(rule, example, id=f"{rule.id}/{example.name}") for rule in RULES for example in rule.invalid]


def name_parts(source: str, line: int) -> list[str]:
    """Every tail of every name on ``line`` that can start a name (``clip_by_value``,
    ``lip_by_value``, ... ``e``): one of them is whatever part of it the prefilter looks for."""
    names = {token.string for token in tokenize.generate_tokens(io.StringIO(source).readline)
             if token.type == tokenize.NAME and token.start[0] == line}
    return sorted({name[index:] for name in names for index in range(len(name)) if not name[index].isdigit()})


def findings(engine, source: str, shift: int = 0, path: str | None = None,
             python_tree: ast.Module | None = None) -> list[tuple[int, int, str]]:
    return [(finding.line - shift, finding.column, finding.code)
            for finding in engine.check(source, path, python_tree)]


@pytest.mark.parametrize("rule, example", EXAMPLES)
def test_a_name_at_the_first_or_last_characters_of_the_file_changes_nothing(
        engine, ruleset, rule, example, tmp_path, monkeypatch):
    path = None
    if example.original is not None:  # a port-pair rule: checked as the port beside its original
        monkeypatch.chdir(tmp_path)
        engine, path = paired_engine(ruleset, rule, example.original, tmp_path), os.path.join("port", "model.py")
    check = functools.partial(findings, engine, path=path)
    expected = check(example.source)
    assert [code for _, _, code in expected] == [rule.code]
    source = example.source if example.source.endswith("\n") else example.source + "\n"
    for part in name_parts(source, example.line):
        assert check(f"{part}_x = 1\n" + source, shift=1) == expected, f"first: {part}_x"
        if not keyword.iskeyword(part):
            assert check(source + f"x = {part}") == expected, f"last: {part}"


def test_the_parts_include_the_whole_name_and_its_tails():
    assert name_parts("a = 1\nops.clip(g2)\n", 2) == ["clip", "g2", "ip", "lip", "ops", "p", "ps", "s"]


def finding_statement(source: str, line: int) -> str | None:
    """The example's finding line, dedented, when it is a whole statement by itself, else None."""
    text = source.splitlines()[line - 1].strip()
    try:
        compile(text, "line", "exec")
    except SyntaxError:
        return None
    return text


def moved_to_the_top(source: str, line: int) -> str | None:
    """The example with its finding statement as the file's first characters (and nowhere else:
    ``pass`` where it was): a page whose first block is the call and a later one the import, a
    script calling a name it imports further down."""
    statement = finding_statement(source, line)
    return None if statement is None else rebuilt(statement, lines_with_pass_at(source, line), [])


def lines_with_pass_at(source: str, line: int) -> list[str]:
    """The source's lines with ``pass`` in place of ``line``, at its indentation."""
    lines = source.splitlines()
    original = lines[line - 1]
    lines[line - 1] = original[:len(original) - len(original.lstrip())] + "pass"
    return lines


def rebuilt(first: str, rest: list[str], last: list[str]) -> str | None:
    """``first``, then ``rest`` and ``last`` as one file; None when that is not Python (the moved
    line was an item of a list, an argument of a call)."""
    text = "\n".join([first, *rest, *last]) + "\n"
    try:
        compile(text, "moved", "exec")
    except SyntaxError:
        return None
    return text


MOVABLE = [param for param in EXAMPLES
           if moved_to_the_top(param.values[1].source, param.values[1].line) is not None
           and param.values[1].original is None]


def findings_without_prefilter(engine, source: str, monkeypatch) -> list[tuple[int, int, str]]:
    # Every prefilter passes the file, but those of rules that match no file at all (a port-pair
    # rule without an original).
    may_match = Prefilter.may_match
    with monkeypatch.context() as patch:
        patch.setattr(Prefilter, "may_match",
                      lambda self, text, calls=True: bool(self.words) or may_match(self, text, calls))
        return findings(engine, source)


@pytest.mark.parametrize("rule, example", MOVABLE)
def test_the_prefilter_drops_no_file_the_rules_would_report(engine, rule, example, monkeypatch):
    """The prefilter may only drop a file that gives nothing when checked in full: with the
    finding's statement moved to the very start of the file, whatever the rules find there (the
    move changes what some rules conclude), they find with the prefilter as without it."""
    source = moved_to_the_top(example.source, example.line)
    unfiltered = findings_without_prefilter(engine, source, monkeypatch)
    assert findings(engine, source) == unfiltered
    # Given Python's parse too (flake8's), which some prefilters walk (Trigger.calls), and as the
    # flake8 plugin asks: its screen first.
    tree = ast.parse(source)
    assert findings(engine, source, python_tree=tree) == unfiltered
    assert engine.may_match(source, None, tree) or not unfiltered


def test_most_moved_examples_still_give_findings_and_every_family_is_moved(engine, monkeypatch):
    families = {param.values[0].family or "clipping" for param in MOVABLE}
    assert {"clipping", "divergence"} <= families, families
    reported = [param.id for param in MOVABLE if any(
        position[0] == 1 for position in findings_without_prefilter(
            engine, moved_to_the_top(param.values[1].source, param.values[1].line), monkeypatch))]
    assert len(reported) >= len(MOVABLE) // 2, reported


def aliases(source: str) -> dict[str, str]:
    """Local name -> the module or name it imports, from the example's imports."""
    found = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update({alias.asname or alias.name: alias.name for alias in node.names})
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update({alias.asname or alias.name: f"{node.module}.{alias.name}" for alias in node.names})
    return found


def called_bare_at_the_top(source: str, line: int) -> str | None:
    """The example with its finding statement's first imported call written as a bare name at
    the file's first character (``clip_by_value(grads, 0.1)``), the name star-imported from its
    module at the end of the file: the trigger word is then the file's first characters and is
    written nowhere else in code."""
    statement = finding_statement(source, line)
    known = aliases(source)
    match = statement and next((match for match in re.finditer(r"\b([A-Za-z_]\w*)((?:\.\w+)*)\.(\w+)\(", statement)
                                if match.group(1) in known), None)
    if match is None:
        return None
    module = known[match.group(1)] + match.group(2)
    rest = lines_with_pass_at(source, line)
    if re.search(rf"\b{match.group(3)}\b", "\n".join(rest)):
        return None
    return rebuilt(match.group(3) + statement[match.end() - 1:], rest, [f"from {module} import *"])


BARE = [param for param in EXAMPLES
        if called_bare_at_the_top(param.values[1].source, param.values[1].line) is not None
        and param.values[1].original is None]


@pytest.mark.parametrize("rule, example", BARE)
@pytest.mark.parametrize("ending", ["", "last = value"], ids=["newline", "a name without a newline"])
def test_a_trigger_word_that_is_the_files_first_characters_is_seen(engine, rule, example, monkeypatch, ending):
    # The file's last character is read where the word's previous one would be (offset -1), so
    # the file also ends in a name with no line end after it.
    source = called_bare_at_the_top(example.source, example.line) + ending
    assert findings(engine, source) == findings_without_prefilter(engine, source, monkeypatch)


def test_bare_calls_at_the_top_give_findings_in_every_family(engine, monkeypatch):
    reported = {param.values[0].family or "clipping" for param in BARE if findings_without_prefilter(
        engine, called_bare_at_the_top(param.values[1].source, param.values[1].line), monkeypatch)}
    assert {"clipping", "divergence"} <= reported, reported
