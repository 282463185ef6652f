"""The family protocol: a table that disagrees with its handlers or its facts fails when the
family is defined, and a rule's conditions resolve to one family when it is loaded."""

import copy
import pickle
from enum import Enum
from functools import cached_property
from importlib import import_module

import pytest

from flake8_torch2ms.families import BY_NAME, Condition, Family, attribute_condition, family_of
from flake8_torch2ms.records import Term, Vocabulary


class Answer(Enum):
    YES = "yes"
    NO = "no"


class View:
    @cached_property
    def answer(self) -> Answer:
        return Answer.YES


def family(*conditions: Condition, fact_keys=("names",)) -> Family:
    return Family(name="probe", conditions=conditions, fact_keys=fact_keys, new_facts=dict,
                  load_facts=lambda data, reader, facts: facts, analysis=lambda model, facts: None,
                  triggers=lambda facts, conditions: None)


def test_a_condition_takes_its_values_from_the_views_enum():
    condition = attribute_condition("answer", Answer, (View,))
    assert condition.values == frozenset({"yes", "no"})
    assert condition.check(View(), frozenset({"yes"}))
    assert not condition.check(View(), frozenset({"no"}))


def test_a_condition_no_view_answers_fails_at_definition():
    with pytest.raises(TypeError, match="no view class .* has a property 'question'"):
        attribute_condition("question", Answer, (View,))


def test_a_condition_reading_unknown_facts_fails_at_definition():
    with pytest.raises(TypeError, match=r"reads unknown facts \['colours'\]"):
        family(attribute_condition("answer", Answer, (View,), facts=("colours",)))
    with pytest.raises(TypeError, match="maps facts to values it does not have"):
        family(attribute_condition("answer", Answer, (View,), facts={"maybe": ("names",)}))


def test_a_condition_defined_twice_or_shadowing_a_core_one_fails():
    with pytest.raises(TypeError, match="defined twice"):
        family(attribute_condition("answer", Answer, (View,)), attribute_condition("answer", Answer, (View,)))
    with pytest.raises(TypeError, match="'imports' is defined twice"):
        family(Condition("imports", None, lambda view, wanted: True))


def test_a_match_whose_view_lacks_the_property_does_not_hold():
    condition = attribute_condition("answer", Answer, (View,))
    assert not condition.check(object(), frozenset({"yes", "no"}))


def test_rules_resolve_to_their_family():
    assert family_of({"callee": frozenset(), "imports": frozenset()}) == (BY_NAME["clipping"], [])
    assert family_of({"imports": frozenset()}) == (None, [])
    assert family_of({"colour": frozenset()}) == (None, ["colour"])


def test_the_clipping_table_is_evaluated_in_its_order_and_reads_its_facts():
    clipping = BY_NAME["clipping"]
    names = [condition.name for condition in clipping.conditions]
    assert names[0] == "callee"  # every clipping rule asks it, and it rules out most matches
    assert names.index("clipped") < names.index("result")  # clip-on-parameters: see conditions.py
    assert clipping.table["callee"].facts_for({"torch-clipping"}) == {"torch-clipping"}
    assert clipping.table["bounds"].values >= {"single-positional", "mirrored", "unknown"}


def test_an_error_inside_a_views_property_is_not_read_as_does_not_hold():
    class Broken:
        @cached_property
        def answer(self) -> Answer:
            return None.value  # AttributeError inside the property: a bug, to be reported

    condition = attribute_condition("answer", Answer, (View,))
    assert condition.check(object(), frozenset({"yes"})) is False  # no such property: does not hold
    with pytest.raises(AttributeError):
        condition.check(Broken(), frozenset({"yes"}))


# ---- the families' vocabularies (records.Vocabulary: named, unique, iterable constants)


class Colour(Vocabulary):
    RED = Term("red")
    DARK_BLUE = Term("dark-blue")
    OTHER = Term("other")


class ColourView:
    @cached_property
    def colour(self) -> Term:
        return Colour.DARK_BLUE


def test_a_vocabulary_is_its_terms_in_order_each_one_object():
    assert list(Colour) == [Colour.RED, Colour.DARK_BLUE, Colour.OTHER] and len(Colour) == 3
    assert [(term.name, term.value) for term in Colour] == [("RED", "red"), ("DARK_BLUE", "dark-blue"),
                                                            ("OTHER", "other")]
    assert repr(Colour.RED) == "<Colour.RED: 'red'>" and str(Colour.RED) == "Colour.RED"
    # A copy, a deep copy or an unpickled term is the term itself, as an Enum member.
    assert copy.copy(Colour.RED) is Colour.RED and copy.deepcopy([Colour.RED])[0] is Colour.RED
    assert pickle.loads(pickle.dumps({Colour.OTHER: 1})) == {Colour.OTHER: 1}
    assert Colour.RED != Colour.OTHER and {Colour.RED, Colour.RED} == {Colour.RED}


def test_a_vocabulary_writing_a_value_twice_fails_at_definition():
    with pytest.raises(TypeError, match="vocabulary Twice: a value is written twice"):
        class Twice(Vocabulary):
            ONE = Term("one")
            UNO = Term("one")


def test_a_condition_takes_its_values_from_a_vocabulary():
    condition = attribute_condition("colour", Colour, (ColourView,), unaskable=(Colour.OTHER,))
    assert condition.values == frozenset({"red", "dark-blue"})
    assert condition.check(ColourView(), frozenset({"dark-blue"}))
    assert not condition.check(ColourView(), frozenset({"red"}))


@pytest.mark.parametrize("name", ["clipping", "divergence", "pairs"])
def test_every_familys_conditions_allow_their_vocabularys_values(name):
    """The tables still ask the families' vocabularies (values.py) for what a rule may write."""
    values = import_module(f"flake8_torch2ms.families.{name}.values")
    vocabularies = {term.value for vocabulary in vars(values).values()
                    if isinstance(vocabulary, type) and issubclass(vocabulary, Vocabulary) for term in vocabulary}
    allowed = set().union(*(condition.values for condition in BY_NAME[name].conditions))
    assert allowed and allowed <= vocabularies
