"""The family protocol: a table that disagrees with its handlers or its facts fails when the
family is defined, and a rule's conditions resolve to one family when it is loaded."""

from enum import Enum
from functools import cached_property

import pytest

from flake8_torch2ms.families import BY_NAME, Condition, Family, attribute_condition, family_of


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
    assert [condition.name for condition in clipping.conditions][:2] == ["callee", "result"]
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
