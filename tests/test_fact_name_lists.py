"""Every list of names a user's facts may extend, given each form of name it accepts: a bare name
(as builtins are written: ``map`` in helper-maps) and an instance name (``pkg.Clip()``). The
configuration loads, and every shipped example gives the findings it gives without it: a name form
no shipped list happens to use is otherwise first met in a user's file."""

from __future__ import annotations

import json

import pytest

from conftest import engine_with_config
from flake8_torch2ms.families.clipping.facts import NAME_LIST_FACTS
from flake8_torch2ms.families.divergence.facts import SHAPE_NAME_LISTS
from flake8_torch2ms.schema import DOTTED_NAME


def _name_lists() -> dict[str, dict]:
    """id -> the facts section that adds one name (NAME) to that list."""
    lists = {}
    for section, fields in NAME_LIST_FACTS.items():
        for key, (_attribute, pattern) in fields.items():
            if pattern is DOTTED_NAME:
                lists[f"clipping {section}.{key}"] = {"clipping": {section: {key: ["NAME"]}}}
    for key in ("torch-convention", *SHAPE_NAME_LISTS):
        lists[f"divergence {key}"] = {"divergence": {key: ["NAME"]}}
    lists["divergence torch-habits.modules"] = {"divergence": {"torch-habits": {"modules": ["NAME"]}}}
    return lists


NAME_LISTS = _name_lists()
NAME_FORMS = {"bare": "mine", "instance": "mypkg.Mine()", "dotted": "mypkg.sub.mine"}


def test_the_table_covers_every_family_with_name_lists():
    assert len(NAME_LISTS) >= 12  # six clipping lists and six divergence ones when this was written


@pytest.fixture(scope="module")
def shipped_examples(ruleset):
    return sorted({example.source for rule in ruleset.rules for example in (*rule.invalid, *rule.valid)})


@pytest.fixture(scope="module")
def findings_without_config(engine, shipped_examples):
    return [sorted(map(str, engine.check(source))) for source in shipped_examples]


@pytest.mark.parametrize("form", NAME_FORMS)
@pytest.mark.parametrize("place", NAME_LISTS)
def test_each_name_form_in_each_list_loads_and_changes_no_shipped_finding(
        tmp_path, place, form, shipped_examples, findings_without_config):
    facts = json.loads(json.dumps(NAME_LISTS[place]).replace("NAME", NAME_FORMS[form]))
    engine = engine_with_config(tmp_path, {"facts": facts})
    assert [sorted(map(str, engine.check(source))) for source in shipped_examples] == findings_without_config


# Another spelling (`also`) a user gives a clip function: a call under it reaches the clipping rules
# whether its last name is the function's own (another module) or a new one.
@pytest.mark.parametrize("spelling, call", [
    ("mylib.ops.clip_by_value", "from mylib.ops import clip_by_value\ngrads = clip_by_value(grads, 0.1)"),
    ("mylib.ops.bounded", "from mylib.ops import bounded\ngrads = bounded(grads, 0.1)"),
    ("mylib.ops.bounded", "import mylib.ops\ngrads = mylib.ops.bounded(grads, 0.1)"),
])
def test_a_users_spelling_of_a_clip_function_reaches_the_rules(tmp_path, spelling, call):
    entry = {"name": "mindspore.ops.clip_by_value", "also": [spelling], "value": {"position": 0, "keyword": "x"},
             "min": {"position": 1, "keyword": "clip_value_min"}, "max": {"position": 2, "keyword": "clip_value_max"}}
    engine = engine_with_config(tmp_path, {"facts": {"clipping": {"clip-functions": [entry]}}})
    source = "import mindspore\n" + call + "\noptimizer(grads)\n"
    found = [(finding.line, finding.code) for finding in engine.check(source)]
    assert found == [(len(call.splitlines()) + 1, "TMS103")]
