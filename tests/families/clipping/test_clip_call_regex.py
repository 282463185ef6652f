"""The clip-call matcher's regex keeps only the words that hold no other one: ast-grep's search
is unanchored, so it matches exactly the callees the regex of every word matched."""

import random
import re

from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.families.clipping.facts import _holding_no_other, structural_utils

FACTS = load_ruleset().facts["clipping"]


def clip_regex(renamed=None):
    return structural_utils(FACTS, renamed or {})["clip-call"]["has"]["regex"]


def test_the_regex_keeps_the_words_that_hold_no_other():
    assert _holding_no_other(["clip", "clip_by_value", "ClipByNorm", "clamp", "cbv", "çlip_x"]) == [
        "clip", "clamp", "cbv", "çlip_x"]
    assert clip_regex() == "(?i)(clamp|clip)"
    assert clip_regex({"cbv": "clip_by_value"}) == "(?i)(cbv|clamp|clip)"


def test_the_shorter_regex_matches_the_callees_every_word_matched():
    words = ["clip", "clip_by_value", "ClipByNorm", "clamp", "clip_by_global_norm", "cbv", "xclampy", "çlip_x"]
    every_word = re.compile("(?i)(" + "|".join(map(re.escape, words)) + ")")
    shorter = re.compile("(?i)(" + "|".join(map(re.escape, _holding_no_other(words))) + ")")
    rng = random.Random(20261207)
    pieces = ["ops.", "nn.", "x.", "_", "C", "c", "l", "i", "p", "am", "LIP", "by", "value", "b", "v", "ç", "Clip"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 7))) for _ in range(20_000)]
    answers = {True: 0, False: 0}
    for text in texts + words:
        expected = every_word.search(text) is not None
        assert (shorter.search(text) is not None) == expected, text
        answers[expected] += 1
    assert min(answers.values()) > 1_000, answers
