"""A user's configuration file: switch rules off, change messages, add facts, add rules."""

import textwrap

import pytest

from flake8_torch2ms.config import load_ruleset
from flake8_torch2ms.engine import Engine
from flake8_torch2ms.yamlfile import ConfigError

SINGLE_BOUND = textwrap.dedent(
    """\
    from mindspore import ops
    loss, grads = grad_fn(data, label)
    grads = ops.clip_by_value(grads, 0.1)
    optimizer(grads)
    """
)


def lint_with(tmp_path, config: str, source: str):
    path = tmp_path / "torch2ms.yml"
    path.write_text(textwrap.dedent(config), encoding="utf-8")
    return Engine(load_ruleset(str(path))).check(textwrap.dedent(source))


@pytest.mark.parametrize("name", ["TMS103", "clip-single-positional-bound"])
def test_disable_by_code_or_id(tmp_path, name):
    assert lint_with(tmp_path, f"disable: [{name}]\n", SINGLE_BOUND) == []


def test_change_a_message(tmp_path):
    findings = lint_with(tmp_path, "messages:\n  TMS103: 'use -$BOUND and $BOUND (team rule 7)'\n", SINGLE_BOUND)
    assert [(f.code, f.message) for f in findings] == [("TMS103", "use -0.1 and 0.1 (team rule 7)")]


def test_empty_configuration_file_changes_nothing(tmp_path):
    assert [f.code for f in lint_with(tmp_path, "", SINGLE_BOUND)] == ["TMS103"]


def test_add_a_clip_wrapper_of_your_own(tmp_path):
    config = """\
        facts:
          clip-functions:
            - name: myproject.optim.clip_gradients
              value: {position: 0, keyword: grads}
              min: {position: 1, keyword: low}
              max: {position: 2, keyword: high}
        """
    source = """\
        from myproject.optim import clip_gradients
        loss, grads = grad_fn(data, label)
        grads = clip_gradients(grads, 0.5)
        clip_gradients(grads, -0.5, 0.5)
        """
    findings = lint_with(tmp_path, config, source)
    assert [(f.line, f.code) for f in findings] == [(3, "TMS103"), (4, "TMS102")]
    assert findings[0].message.startswith("clip_gradients(grads, 0.5) makes 0.5 the minimum")


def test_a_clip_function_of_one_bound_is_one_sided_by_design(tmp_path):
    """No missing bound, no torch `c` read as a minimum, no fix adding a bound it cannot take."""
    config = """\
        facts:
          clip-functions:
            - name: myproject.ops.clamp_max
              value: {position: 0, keyword: x}
              max: {position: 1, keyword: max}
            - name: myproject.ops.clamp_min
              value: {position: 0, keyword: x}
              min: {position: 1, keyword: min}
        """
    source = """\
        from myproject.ops import clamp_max, clamp_min
        loss, grads = grad_fn(data, label)
        grads = clamp_max(grads, 1.0)
        grads = clamp_min(grads, -1.0)
        grads = clamp_max(grads, max=1.0)
        optimizer(grads)
        clamp_min(grads, -1.0)
        """
    assert [(f.line, f.code) for f in lint_with(tmp_path, config, source)] == [(7, "TMS102")]


def test_add_a_gradient_source_and_a_parameter_source(tmp_path):
    config = """\
        facts:
          gradient-functions:
            - name: myproject.autograd.value_and_grads
              returns: value-and-gradients
              has-aux: {keyword: has_aux}
          parameter-sources:
            methods: [weights_of]
        """
    source = """\
        from mindspore import ops
        from myproject.autograd import value_and_grads
        step = value_and_grads(forward)
        loss, g = step(data)
        g = ops.clip_by_value(g, 0.1)
        w = ops.clip_by_value(model.weights_of(), -1.0, 1.0)
        """
    assert [(f.line, f.code) for f in lint_with(tmp_path, config, source)] == [(5, "TMS103"), (6, "TMS101")]


def test_add_a_purely_structural_rule(tmp_path):
    config = """\
        rules:
          - id: no-print-in-construct
            code: TMS901
            message: "print($$$ARGS) in construct() is not supported in graph mode; use ops.Print"
            rule:
              pattern: print($$$ARGS)
              inside: {kind: function_definition, has: {field: name, regex: ^construct$}, stopBy: end}
        """
    source = """\
        class Net:
            def construct(self, x):
                print(x, 1)
                return x
        print("fine here")
        """
    findings = lint_with(tmp_path, config, source)
    assert [(f.line, f.column, f.code, f.message) for f in findings] == [
        (3, 8, "TMS901", "print(x, 1) in construct() is not supported in graph mode; use ops.Print")]


def test_add_a_rule_with_semantic_conditions(tmp_path):
    config = """\
        rules:
          - id: clip-by-norm-on-parameters
            code: TMS902
            message: "$FUNC on parameters ($VALUE)"
            rule: {matches: clip-call}
            conditions: {callee: clip-function, clipped: parameters}
        disable: [TMS101]
        """
    source = """\
        from mindspore import ops
        w = ops.clip_by_norm(net.trainable_params(), 1.0)
        """
    findings = lint_with(tmp_path, config, source)
    assert [(f.code, f.message) for f in findings] == [
        ("TMS902", "ops.clip_by_norm on parameters (net.trainable_params())")]


def test_user_rules_take_codes_from_the_reserved_range(tmp_path):
    config = "rules:\n  - {id: mine, code: TMS150, message: m, rule: {pattern: foo()}}\n"
    with pytest.raises(ConfigError) as error:
        lint_with(tmp_path, config, "")
    assert str(error.value) == (
        f"{tmp_path / 'torch2ms.yml'}:2: code 'TMS150': your own rules take codes TMS900 to TMS999, "
        "so they never collide with built-in ones")


def test_facts_may_be_grouped_under_their_family(tmp_path):
    """`facts: {clipping: {...}}` is the same as the clipping sections at the top of `facts:`."""
    grouped = """\
        facts:
          clipping:
            clip-functions:
              - name: myproject.optim.clip_gradients
                value: {position: 0}
                min: {position: 1}
                max: {position: 2}
        """
    source = ("from myproject.optim import clip_gradients\n"
              "loss, grads = grad_fn(x)\ngrads = clip_gradients(grads, 0.5)\n")
    assert [(f.line, f.code) for f in lint_with(tmp_path, grouped, source)] == [(3, "TMS103")]


def test_an_unknown_facts_section_names_the_families_and_sections(tmp_path):
    path = tmp_path / "torch2ms.yml"
    path.write_text("facts:\n  clip-functoins: []\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"2: unknown key 'clip-functoins' in 'facts'.*clip-functions"):
        load_ruleset(str(path))


@pytest.mark.parametrize("length", [6, 40, 63, 64, 65, 66, 200])
@pytest.mark.parametrize("imported_as", ["short", None])
def test_a_clip_function_of_any_name_length_keeps_its_finding_imported_under_any_name(tmp_path, length, imported_as):
    """The structural pass is widened for a word imported under another name, found by looking
    back from " as ": whatever the word's length (a limit of 64 characters once lost these)."""
    word = "clip_" + "g" * (length - 5)
    config = f"""\
        facts:
          clip-functions:
            - name: mypkg.{word}
              value: {{position: 0}}
              min: {{position: 1}}
              max: {{position: 2}}
        """
    called = imported_as or word
    source = f"""\
        import mindspore
        from mypkg import {word}{f" as {imported_as}" if imported_as else ""}
        loss, grads = grad_fn(data, label)
        grads = {called}(grads, 0.5)
        optimizer(grads)
        """
    assert [(f.line, f.code) for f in lint_with(tmp_path, config, source)] == [(4, "TMS103")]
