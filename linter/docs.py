"""Render each rule's documentation page from its YAML.

    python -m flake8_torch2ms.docs docs/rules

writes ``TMSxxx.md`` per rule and ``index.md``; ``--check`` exits 1 when the pages on disk differ.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .config import Example, Rule, load_ruleset
from .families import BY_NAME as all_families
from .families import all_conditions

FACT_DOCS = "../configuration.md#facts"


def rule_page(rule: Rule) -> str:
    lines = [f"# {rule.code}: {rule.id}", ""]
    lines += ["## What it does", "", rule.summary or rule.message, ""]
    lines += ["## Why is this bad?", "", rule.note, ""]
    if rule.invalid:
        lines += ["## Example", ""]
        for example in rule.invalid:
            lines += _example(example, rule)
    if rule.valid:
        lines += ["## Use instead", ""]
        for example in rule.valid:
            lines += _example(example, rule)
    if rule.fix:
        lines += _fix_section(rule)
    lines += ["## Options", ""]
    conditions = all_conditions()
    facts = sorted({fact for name, wanted in rule.conditions.items() for fact in conditions[name].facts_for(wanted)})
    if facts:
        lines.append("This rule reads these facts, which your configuration file can extend "
                     f"([configuration]({FACT_DOCS})):")
        lines.append("")
        lines += [f"- `{fact}`" for fact in facts]
    else:
        lines.append("No facts; the rule can be disabled or its message changed in the configuration file.")
    if rule.family is not None and all_families[rule.family].paired:
        lines += ["", "Port-pair mode only: the rule is checked when the PyTorch original is given "
                      "(`--torch2ms-original DIR` in flake8, `--original DIR` in `torch2ms`; "
                      "[port-pair mode](../port-pair.md))."]
    if not rule.enabled:
        lines += ["", f"Off by default: enable it with `enable: [{rule.code}]` in the configuration file."]
    lines += ["", f"Disable it with `disable: [{rule.code}]` in the configuration file, or with "
                  f"`--extend-ignore={rule.code}` / `# noqa: {rule.code}` in flake8.", ""]
    lines += ["## References", ""]
    lines += [f"- <{url}>" for url in rule.references]
    if rule.checked_against:
        versions = ", ".join(f"{name} {version}" for name, version in sorted(rule.checked_against.items()))
        lines += ["", f"Facts checked against: {versions}."]
    return "\n".join(lines).rstrip() + "\n"


def _example(example: Example, rule: Rule) -> list[str]:
    """The example's code and, for an invalid one, the finding it states (tests/test_examples.py
    checks that the engine gives exactly that finding)."""
    block = ["```python", example.source.rstrip(), "```"]
    if example.original is not None:  # a port-pair rule: the PyTorch original beside the port
        block = ["The original (`original/model.py`):", "", "```python", example.original.rstrip(), "```", "",
                 "The port (`port/model.py`):", "", *block]
    if example.message is not None:
        block += ["", f"`{example.line}:{example.column}: {rule.code} {example.message}`"]
    return block + [""]


def _fix_section(rule: Rule) -> list[str]:
    """The rule's fix template, and the first invalid example's ``fixed`` source."""
    lines = ["## Fix", "", f"`torch2ms fix` replaces the flagged call with `{rule.fix}` when every part of it "
             "is known and the result parses ([the command](../cli.md#the-fixes-the-rules-declare)).", ""]
    if rule.fix_safety == "unsafe":
        lines += ["This fix is **unsafe**: it can change what correct code means (see *Why is this bad?*), so "
                  "`torch2ms fix` applies it only with `--unsafe-fixes`.", ""]
    for number, example in enumerate(rule.invalid):
        if example.fixed is not None:
            which = ("first", "second", "third")[number] if number < 3 else f"number {number + 1}"
            lines += [f"The {which} example above becomes:", "", "```python", example.fixed.rstrip(), "```", ""]
            break
    return lines


def index_page(rules: list[Rule]) -> str:
    lines = ["# Rules", "", "| Code | Rule | Severity | What it flags |", "| --- | --- | --- | --- |"]
    for rule in rules:
        summary = (rule.summary or rule.message).split(". ")[0].rstrip(".")
        off = " (off by default)" if not rule.enabled else ""
        lines.append(f"| [{rule.code}]({rule.code}.md) | `{rule.id}` | {rule.severity} | {summary}{off}. |")
    lines += ["", "`TMS000` is reported when the plugin itself fails on a file; please report it.", ""]
    return "\n".join(lines)


def render_all() -> dict[str, str]:
    """File name -> content for every generated page."""
    rules = sorted(load_ruleset().rules, key=lambda rule: rule.code)
    pages = {f"{rule.code}.md": rule_page(rule) for rule in rules}
    pages["index.md"] = index_page(rules)
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m flake8_torch2ms.docs", description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="where the rule pages go (docs/rules)")
    parser.add_argument("--check", action="store_true", help="only report pages that are out of date")
    args = parser.parse_args(argv)
    stale = []
    for name, content in render_all().items():
        path = args.directory / name
        if path.exists() and path.read_text(encoding="utf-8") == content:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'wrote'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
