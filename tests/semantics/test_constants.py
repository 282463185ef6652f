"""String literals' values against Python's own reading of the same text."""

import pytest
from ast_grep_py import SgRoot

from flake8_torch2ms.semantics import constants

PLAIN = ['"same"', "'same'", '""', "''", 'r"same"', 'u"same"', 'R"sa\\me"', '"""same"""', "'''sa\nme'''",
         '"s\\u0061me"', '"sa\\x6de"', '"\\n"', '"\\\\"', '"sa\\\nme"', '"\\N{LATIN SMALL LETTER A}"']
NOT_A_STRING = ['f"same"', 'f"{x}"', 'F"s{1}"', 'b"same"', 'rb"same"', 'Br"same"', '"sa" "me"', "same", "1",
                "('same')"]


def expression(text: str):
    return SgRoot(f"x = {text}\n", "python").root().find(kind="assignment").field("right")


@pytest.mark.parametrize("text", PLAIN)
def test_a_string_literal_is_its_value(text):
    assert constants.string(expression(text)) == eval(text)  # noqa: S307 - the reference: Python itself


@pytest.mark.parametrize("text", NOT_A_STRING)
def test_anything_else_has_no_string_value(text):
    assert constants.string(expression(text)) is None


# A flag argument (has_aux=, return_indices=): True or False for the literals that are, False
# for None or no argument at all, unknown (None) for anything else, parenthesized or not.
@pytest.mark.parametrize("text, expected", [
    ("True", True), ("False", False), ("None", False), ("(True)", True), ("((False))", False),
    ("1", None), ("0", None), ("flag", None), ("not True", None), ("'True'", None), ("true", None),
])
def test_a_flag_literal_is_true_false_or_unknown(text, expected):
    assert constants.truth(expression(text)) is expected


def test_an_absent_flag_is_false():
    assert constants.truth(None) is False
