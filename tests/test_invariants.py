"""Invariants of the rule catalog: the codes are a public interface."""

import re
from pathlib import Path

from flake8_torch2ms import docs

ROOT = Path(__file__).resolve().parent.parent

# Codes are never renumbered or reused: this list only grows.
PUBLISHED = {
    "TMS101": "clip-on-parameters",
    "TMS102": "clip-result-discarded",
    "TMS103": "clip-single-positional-bound",
    "TMS104": "clip-one-bound-missing",
    "TMS105": "clip-asymmetric-bounds",
    "TMS106": "clip-empty-or-inverted-range",
    "TMS107": "clip-grad-aux-output",
    "TMS108": "clip-result-unused",
    "TMS109": "value-and-grad-unpacked-swapped",
    "TMS201": "torch-clipping-left-over",
    "TMS301": "dropout-rate-as-keep-prob",
    "TMS302": "batchnorm-momentum-torch-convention",
    "TMS303": "pool-stride-omitted",
    "TMS304": "tensor-max-axis-indexed",
    "TMS305": "multinomial-replacement-omitted",
    "TMS306": "argmax-with-value-unpacked-swapped",
    "TMS307": "batchnorm-eps-momentum-swapped",
    "TMS401": "default-differs-from-original",
    "TMS402": "value-differs-from-original",
    "TMS403": "counterpart-never-agrees",
    "TMS404": "init-differs-from-original",
}


def test_published_codes_keep_their_rules(ruleset):
    codes = {rule.code: rule.id for rule in ruleset.rules}
    renamed = {code: (rule_id, codes.get(code)) for code, rule_id in PUBLISHED.items() if codes.get(code) != rule_id}
    assert not renamed, f"published codes are never removed, renumbered or reused: {renamed}"
    new = {code: rule_id for code, rule_id in codes.items() if code not in PUBLISHED}
    assert not new, f"publish the new rules: add {new} to PUBLISHED in tests/test_invariants.py"


def test_readme_lists_every_rule(ruleset):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| \[(TMS\d{3})\]\(docs/rules/\1\.md\) \|", readme, re.MULTILINE))
    codes = {rule.code for rule in ruleset.rules}
    assert listed == codes, (f"README.md's rules table: add {sorted(codes - listed)}, "
                             f"remove {sorted(listed - codes)}")


def test_codes_and_ids_are_unique_and_well_formed(ruleset):
    codes = [rule.code for rule in ruleset.rules]
    ids = [rule.id for rule in ruleset.rules]
    assert len(set(codes)) == len(codes) and len(set(ids)) == len(ids)
    # TMS000 is the plugin's own failure; TMS9xx belong to users' own rules.
    assert all(re.fullmatch(r"TMS[1-8]\d\d", code) for code in codes)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule_id) for rule_id in ids)


def test_rule_files_are_named_after_their_id(ruleset):
    assert all(Path(rule.path).stem == rule.id for rule in ruleset.rules)


def test_default_rules_come_from_the_installed_package(ruleset):
    import flake8_torch2ms

    package = Path(flake8_torch2ms.__file__).resolve().parent
    if package == ROOT / "linter":  # an editable install: the package is the checkout
        expected = ROOT / "rules"
    else:  # `pip install .`, as in CI: the rules ship inside the installed package
        expected = package / "rules"
    assert {Path(rule.path).resolve().parent for rule in ruleset.rules} == {expected}


def test_every_rule_has_examples_note_summary_and_references(ruleset):
    for rule in ruleset.rules:
        assert rule.valid and rule.invalid, rule.id
        assert rule.note and rule.summary and rule.references, rule.id
        assert rule.checked_against.get("mindspore"), rule.id


def test_messages_are_one_line_without_codes(ruleset):
    for rule in ruleset.rules:
        assert "\n" not in rule.message
        assert not re.search(r"TMS\d{3}", rule.message), "the flake8 adapter adds the code"


def test_every_code_has_a_docs_page_and_the_pages_are_current():
    for name, content in docs.render_all().items():
        page = ROOT / "docs" / "rules" / name
        assert page.exists(), f"{page} is missing: run python -m flake8_torch2ms.docs docs/rules"
        assert page.read_text(encoding="utf-8") == content, (
            f"{page} is stale: run python -m flake8_torch2ms.docs docs/rules")


def test_the_architecture_page_names_only_files_that_exist():
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    tree = page.split("```")[1]
    named = set(re.findall(r"\b([a-z_]+\.py)\b", tree))
    existing = {path.name for path in (ROOT / "linter").rglob("*.py")}
    assert named and named <= existing, f"docs/architecture.md names {sorted(named - existing)}, which do not exist"
