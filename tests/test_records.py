"""records.LazyPattern: a regex compiled on first use stands wherever the compiled one would."""

import re

from flake8_torch2ms.records import LazyPattern


def test_a_lazy_pattern_compiles_on_first_use_only(monkeypatch):
    compiled = []
    compile_ = re.compile
    monkeypatch.setattr(re, "compile", lambda *args: compiled.append(args) or compile_(*args))
    word = LazyPattern(r"[a-z]+(\d)", re.IGNORECASE)
    assert compiled == [] and word.pattern == r"[a-z]+(\d)" and word.flags == re.IGNORECASE
    assert word.match("Ab1").group(1) == "1"
    assert word.sub("-", "x1 y2 z") == "- - z" and word.findall("a1 b2") == ["1", "2"]
    assert word.groups == 1 and word.search("  q7").start() == 2
    assert len(compiled) == 1  # once, whatever is asked afterwards


def test_a_lazy_pattern_answers_as_the_compiled_pattern():
    for pattern, text in [(r"\r(?!\n)", "a\rb\r\nc"), (r"TMS[0-9]{3}\Z", "TMS101"), (r"[\w.]+\Z", "ops.clip")]:
        lazy, compiled = LazyPattern(pattern), re.compile(pattern)
        assert lazy.sub("\n", text) == compiled.sub("\n", text)
        assert bool(lazy.match(text)) == bool(compiled.match(text))
        assert lazy.split(text) == compiled.split(text)
