"""The prefilter reads the raw text, so where a word sits in the file must not matter: every
rule's invalid examples keep their finding when a name that starts with any part of a name on
the finding's line is the file's first characters (where a text search's first hit is offset 0),
or its last (no newline after it)."""

import functools
import io
import keyword
import os
import tokenize

import pytest

from flake8_torch2ms.config import load_ruleset
from test_examples import paired_engine

RULES = sorted(load_ruleset().rules, key=lambda rule: rule.code)
EXAMPLES = [pytest.param(rule, example, id=f"{rule.id}/{example.name}") for rule in RULES for example in rule.invalid]


def name_parts(source: str, line: int) -> list[str]:
    """Every tail of every name on ``line`` that can start a name (``clip_by_value``,
    ``lip_by_value``, ... ``e``): one of them is whatever part of it the prefilter looks for."""
    names = {token.string for token in tokenize.generate_tokens(io.StringIO(source).readline)
             if token.type == tokenize.NAME and token.start[0] == line}
    return sorted({name[index:] for name in names for index in range(len(name)) if not name[index].isdigit()})


def findings(engine, source: str, shift: int = 0, path: str | None = None) -> list[tuple[int, int, str]]:
    return [(finding.line - shift, finding.column, finding.code) for finding in engine.check(source, path)]


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
