"""Runs a rule set over Python source: prefilter, one parse, one structural pass per distinct
matcher, semantic conditions on each match. It never raises on any input: a rule that fails on a
file is reported once as TMS000 and its findings for that file are dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ast_grep_py import SgNode, SgRoot

from .config import INTERNAL_ERROR_CODE, Rule, RuleSet
from .semantics import FAMILIES

VARIABLE = re.compile(r"\$(\$\$)?([A-Z_][A-Z0-9_]*)")
LONE_CARRIAGE_RETURN = re.compile(r"\r(?!\n)")


@dataclass(frozen=True, order=True)
class Finding:
    line: int  # 1-based
    column: int  # 0-based, in characters
    code: str
    message: str
    rule_id: str = ""
    # Where the flagged node ends and the rule's fix rendered for it (None when the rule has no
    # fix or the match lacks a variable the fix needs). Not compared: two findings at the same
    # place with the same code and message are one finding.
    end_line: int = field(default=0, compare=False)
    end_column: int = field(default=0, compare=False)
    fix: str | None = field(default=None, compare=False)


@dataclass
class _Group:
    """Rules sharing one structural matcher: ast-grep walks the tree once for all of them."""

    matcher: dict
    rules: list[Rule]
    triggers: dict[str, frozenset[str] | None]  # rule id -> words, one of which the source must contain


class Engine:
    def __init__(self, ruleset: RuleSet) -> None:
        self.facts = ruleset.facts
        groups: dict[str, _Group] = {}
        for rule in ruleset.rules:
            key = json.dumps(rule.matcher, sort_keys=True)
            group = groups.setdefault(key, _Group(rule.matcher, [], {}))
            group.rules.append(rule)
            group.triggers[rule.id] = _rule_triggers(rule, self.facts)
        self.groups = list(groups.values())

    def check(self, source: str, path: str | None = None) -> list[Finding]:
        """All findings for one file's text, sorted by position. ``path`` (optional) places the
        file in its package, so that relative imports inside MindSpore's own sources resolve."""
        # Python (and flake8) also end a line at a lone '\r'; tree-sitter only at '\n'. Same length,
        # so every offset and column stays where it was.
        source = LONE_CARRIAGE_RETURN.sub("\n", source)
        if not source.isascii():
            try:
                source.encode("utf-8")
            except UnicodeEncodeError:  # lone surrogates (bytes decoded with surrogateescape)
                source = source.encode("utf-8", "replace").decode("utf-8")  # one '?' each: columns kept
        active = []
        for group in self.groups:
            rules = [rule for rule in group.rules if _may_match(group.triggers[rule.id], source)]
            if rules:
                active.append((group, rules))
        if not active:
            return []
        try:
            root = SgRoot(source, "python").root()
            analysis = FAMILIES[0].ModuleAnalysis(root, self.facts, path)
        except Exception as error:  # the parser itself failed: nothing can be checked
            return [_internal_error("all rules", error)]
        findings: list[Finding] = []
        for group, rules in active:
            findings.extend(self._run_group(root, analysis, group.matcher, rules))
        return sorted(set(findings))

    def _run_group(self, root: SgNode, analysis, matcher: dict, rules: list[Rule]) -> list[Finding]:
        try:
            matches = root.find_all(matcher)
        except Exception as error:
            return [_internal_error(", ".join(rule.id for rule in rules), error)]
        found: dict[str, list[Finding]] = {rule.id: [] for rule in rules}
        failed: dict[str, Finding] = {}
        for node in matches:
            for rule in rules:
                if rule.id in failed:
                    continue
                try:
                    variables = analysis.evaluate(node, rule.conditions) if rule.conditions else {}
                    if variables is not None:
                        fix = None
                        if rule.fix is not None:
                            fix = render_fix(rule.fix, node, analysis.fix_variables(node))
                        found[rule.id].append(_finding(rule, node, variables, fix))
                except Exception as error:  # RecursionError included: report it, never crash flake8
                    failed[rule.id] = _internal_error(rule.id, error)
        return [finding for rule_id, items in found.items() for finding in ([failed[rule_id]] if rule_id in failed
                                                                            else items)]


def _rule_triggers(rule: Rule, facts) -> frozenset[str] | None:
    words = None
    for family in FAMILIES:
        family_words = family.triggers(facts, rule.conditions)
        if family_words is not None:
            words = family_words if words is None else words & family_words
    return words


def _may_match(words: frozenset[str] | None, source: str) -> bool:
    return words is None or any(word in source for word in words)


def _finding(rule: Rule, node: SgNode, variables: dict[str, str], fix: str | None = None) -> Finding:
    start, end = node.range().start, node.range().end
    return Finding(start.line + 1, start.column, rule.code, render(rule.message, node, variables), rule.id,
                   end.line + 1, end.column, fix)


def render_fix(template: str, node: SgNode, variables: dict[str, str]) -> str | None:
    """The replacement text for ``node``, or None when the template names a variable this match
    does not have (a fix is applied only when every part of it is known). ``$MATCH`` is the text
    of the whole matched node."""
    variables = {**variables, "MATCH": node.text()}
    missing = []

    def replace(match: re.Match) -> str:
        multiple, name = match.group(1), match.group(2)
        if not multiple and name in variables:
            return variables[name]
        if multiple:
            items = node.get_multiple_matches(name)
            if items:  # the exact source from the first item to the last, separators included
                source = node.get_root().root().text()
                return source[items[0].range().start.index:items[-1].range().end.index]
        captured = node.get_match(name)
        if captured is not None:
            return captured.text()
        missing.append(name)
        return match.group(0)

    text = VARIABLE.sub(replace, template)
    # A fix that would leave the code as it is, up to spacing (equal bounds "swapped"), is no fix.
    return None if missing or text.split() == node.text().split() else text


def render(message: str, node: SgNode, variables: dict[str, str]) -> str:
    """Fill ``$NAME`` from the semantic variables, then from the match's metavariables."""

    def replace(match: re.Match) -> str:
        multiple, name = match.group(1), match.group(2)
        if name in variables:
            return variables[name]
        if multiple:
            texts = [item.text() for item in node.get_multiple_matches(name) if item.text() != ","]
            return " ".join(", ".join(texts).split())
        captured = node.get_match(name)
        return " ".join(captured.text().split()) if captured is not None else match.group(0)

    return VARIABLE.sub(replace, message)


def _internal_error(rule_ids: str, error: BaseException) -> Finding:
    detail = " ".join(str(error).split())[:120]
    message = (f"flake8-torch2ms could not check this file with {rule_ids} ({type(error).__name__}: {detail}); "
               "those findings are skipped. Please report this.")
    return Finding(1, 0, INTERNAL_ERROR_CODE, message, rule_ids)
