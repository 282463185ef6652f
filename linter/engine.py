"""Runs a rule set over Python source: prefilter, one parse, one structural pass, semantic
conditions on each match. It never raises on any input: a rule that fails on a file is reported
once as TMS000 and its findings for that file are dropped.

This is the one API the front ends use: the flake8 adapter, ``torch2ms check`` / ``fix`` and the
docs generator all call ``engine_for(config).check(source, path)``. The semantic model of a file
is built only when a rule matched in it, and each family's analysis only when one of that
family's rules matched.

Where the time goes (bench/run.py, docs/performance.md): most files never clip anything, so the
prefilter decides on the raw text before anything is parsed; a parse costs about as much as one
``find_all``, which is one full tree walk, so rules sharing a matcher share one walk and the
matchers of all rules without metavariables are merged into a single walk.
"""

from __future__ import annotations

import functools
import gc
import json
import re
from typing import TYPE_CHECKING, Callable, Iterable

from .astgrep import SgNode, SgRoot
from . import families as registry
from . import rulecache
from .ruleset import INTERNAL_ERROR_CODE, Rule, RuleSet
from .families import CORE_CONDITIONS, Condition, Family, Pairing, Trigger
from .prefilter import FileText, Prefilter, Screen, name_ending_at
from .records import FunctionByName, LazyPattern, OrderedRecord, Record
from .semantics import WalkedNodes

if TYPE_CHECKING:
    import ast

    from .semantics.model import SemanticModel

# Compiled on first use (records.LazyPattern): a file with no finding and no alias asks none of them.
VARIABLE = LazyPattern(r"\$(\$\$)?([A-Z_][A-Z0-9_]*)")  # a message's or fix's: for a finding only
IDENTIFIER_WORD = LazyPattern(r"[A-Za-z_][A-Za-z0-9_]*\Z")  # the plan's: kept in the rule cache
# A function imported under another name: `... import clip_by_value as cbv`, read just after " as ".
ALIAS_AFTER_AS = LazyPattern(r"[ \t]*([A-Za-z_]\w*)")
LONE_CARRIAGE_RETURN = LazyPattern(r"\r(?!\n)")
NO_FILE = Trigger(frozenset())  # no word to find: the prefilter rejects every file, unparsed
# Matched nodes between two trims of a file's cached answers (FileContext.trim): nearly every
# file has fewer and is never trimmed; a 5 MB module of 31,446 training steps (62,892) 62 times.
TRIM_EVERY = 1000
Asked = tuple[tuple[Condition, frozenset[str]], ...]  # conditions, each with the values a rule wants
Evaluation = tuple[Asked, "Family | None", Asked]  # see Engine.evaluation


class Finding(OrderedRecord):
    """One finding. Compared, hashed and ordered by its place, code, message and rule only: two
    findings at the same place with the same code and message are one finding."""

    __slots__ = _fields = ("line", "column", "code", "message", "rule_id", "end_line", "end_column", "fix",
                           "related", "fix_hazard", "fix_span")
    _compared = ("line", "column", "code", "message", "rule_id")

    def __init__(self, line: int, column: int, code: str, message: str, rule_id: str = "", end_line: int = 0,
                 end_column: int = 0, fix: str | None = None, related: tuple[tuple[str, int, int], ...] = (),
                 fix_hazard: str | None = None, fix_span: tuple[int, int, int, int] | None = None) -> None:
        self.line = line  # 1-based
        self.column = column  # 0-based, in characters
        self.code = code
        self.message = message
        self.rule_id = rule_id
        # Where the flagged node ends and the rule's fix rendered for it (None when the rule has no
        # fix or the match lacks a variable the fix needs).
        self.end_line = end_line
        self.end_column = end_column
        self.fix = fix
        # Other places the finding is about: (path, 1-based line, 0-based column) of the original
        # call a port call was compared with (port-pair mode; SARIF's relatedLocations).
        self.related = related
        # Why this fix may change what other code means (the value it relies on comes from a shared
        # parameter default, constant or attribute): applied only with --unsafe-fixes.
        self.fix_hazard = fix_hazard
        # Where the fix goes when it is not the flagged node: the value's source (a parameter's
        # default), as (line, column, end line, end column), 1-based lines and 0-based columns.
        self.fix_span = fix_span


class _Group(Record):
    """Rules sharing one structural matcher: ast-grep walks the tree once for all of them."""

    __slots__ = _fields = ("matcher", "rules", "prefilters", "dispatch", "kinds")

    def __init__(self, matcher: dict, rules: list[Rule], prefilters: dict[str, Prefilter],
                 dispatch: dict | None = None, kinds: frozenset[str] | None = None) -> None:
        self.matcher = matcher
        self.rules = rules
        self.prefilters = prefilters  # rule id -> what the text must hold for the rule to match
        # The matcher as one self-contained rule (utils inlined), to tell which group a node of a
        # merged walk belongs to; None when the group must walk on its own (see _mergeable).
        self.dispatch = dispatch
        self.kinds = kinds  # the node kinds the matcher can match at all; None: any


class Plan(Record):
    """What an engine derives from its rule set before it sees any file: the enabled rules, the
    groups that share a matcher (with their merged-walk dispatch and kinds), the prefilters, the
    words a file may import under another name, and what the families give the model (one table
    of their aliases, their ``known`` callbacks) and one another (yields_to). It depends only on
    the rule set (its facts included) and on whether an original is given, so
    rulecache.load_engine keeps it with the rule set: a new process unpickles it instead of
    deriving it (the triggers, probes and matchers: about 2 ms of an editor's save of a file the
    rules match)."""

    __slots__ = _fields = ("rules", "groups", "merge_order", "prefilters", "renamable", "aliases", "known",
                           "yields", "gates", "helper_words")

    def __init__(self, rules: list[Rule], groups: list[_Group], merge_order: list[_Group],
                 prefilters: list[Prefilter], renamable: frozenset[str],
                 aliases: dict[str, str], known: tuple[tuple[str, Callable], ...], yields: dict[str, frozenset[str]],
                 gates: dict[str, Callable] | None = None,
                 helper_words: dict[str, frozenset[str]] | None = None) -> None:
        self.rules = rules
        self.groups = groups
        # In a merged walk a node is labelled with the first group that matches it and tested
        # against the later ones only; the group with the most rules (most matches) goes last.
        self.merge_order = merge_order
        self.prefilters = prefilters
        # Words that a file may import under another name (`clip_by_value as cbv`): the structural
        # utils are then widened for that file, so the match reaches the model's import table.
        self.renamable = renamable
        # Any other spelling of a name some family's facts hold -> that name (Family.aliases), the
        # registry's first family winning: what the model's ``canonical`` reads, so that resolving
        # a name imports and unpickles no family's facts (the paired family's check asks for
        # hundreds of names; the other two families' facts modules would cost it 2 ms).
        self.aliases = aliases
        # (family, its known) for each family the engine asks, in the registry's order: the
        # model's other callback, asked only for a star-imported name. Functions of the families'
        # facts modules, kept by name (records.FunctionByName): each module is imported on the
        # first call, never by reading the plan back.
        self.known = known
        # Rule id -> the families whose finding on a node silences this rule's there (Family.yields_to).
        self.yields = yields
        # Family -> its gate (Family.gate), kept by name as ``known`` is: asked after the
        # prefilter, before the parse, and again before the walk.
        self.gates = {} if gates is None else gates
        # Family -> its helper words (Family.helper_words), for each family whose analysis reads
        # other definitions through names alone: a file only their rules check is sliced.
        self.helper_words = {} if helper_words is None else helper_words


@functools.lru_cache(maxsize=8)
def engine_for(config_path: str | None = None, original: str | None = None,
               class_map: tuple[tuple[str, str], ...] = ()) -> Engine:
    """The engine for the default rules plus a configuration file: rules are loaded once per
    process (flake8's workers re-parse options), and checked once until a rule, the configuration
    or the package changes (rulecache.py), which also keeps the engine's plan. ``original``: the
    PyTorch tree a port is checked against (port-pair mode, docs/port-pair.md), with
    ``class_map``'s (torch, port) class renames; without it the paired rules (TMS4xx) match no file."""
    pairing = Pairing(original, tuple(class_map)) if original else None
    return rulecache.load_engine(config_path, pairing)


class Engine:
    def __init__(self, ruleset: RuleSet, pairing: Pairing | None = None, plan: Plan | None = None) -> None:
        """``plan``: what ``Engine(ruleset, pairing).plan`` would be (with or without a pairing
        alike), read back from the rule cache; None: derived now."""
        self.facts = ruleset.facts
        self.pairing = pairing
        # The families this engine asks: all but a paired one without an original, whose rules then
        # match no file (see trigger) and whose module is never imported. Each is imported when
        # first asked for (Engine.family).
        self.family_names = tuple(name for name in registry.FAMILY_NAMES
                                  if name not in registry.PAIRED or pairing is not None)
        self.plan = plan if plan is not None else self._plan(ruleset)
        self.rules = self.plan.rules
        self.groups = self.plan.groups
        self._merge_order = self.plan.merge_order
        self.prefilters = self.plan.prefilters
        self.screen = Screen(self.prefilters)
        self._renamable = self.plan.renamable
        self._aliases = self.plan.aliases
        # How far before " as " the imported name is looked for: one character more than the
        # longest word, so that a longer name ending in a word is read whole, never as the word.
        self._rename_window = 1 + max(map(len, self._renamable), default=0)
        self._yields = self.plan.yields
        self._family_of = {rule.id: rule.family for rule in self.rules}
        self._evaluations: dict[str, Evaluation] = {}  # rule id -> see evaluation
        # Prefilter -> the family with a gate whose rules alone use it; and the families whose gate
        # this engine has asked (Engine.active then asks it before that prefilter's probes).
        families_using: dict[int, set[str | None]] = {}
        for group in self.groups:
            for rule in group.rules:
                families_using.setdefault(id(group.prefilters[rule.id]), set()).add(rule.family)
        self._gated_prefilters = {key: min(names) for key, names in families_using.items()
                                  if len(names) == 1 and min(names) in self.plan.gates}
        self._gates_asked: set[str] = set()

    def _plan(self, ruleset: RuleSet) -> Plan:
        # Some are off until enabled. The rules' documentation (note, references, examples) is no
        # part of a check: left out, the cached plan unpickles in half the time, with 112
        # examples fewer to keep alive in flake8's process (the rule set still has it, for docs).
        rules = [rule.replace(note="", references=(), checked_against={}, valid=(), invalid=())
                 for rule in ruleset.rules if rule.enabled]
        groups: dict[str, _Group] = {}
        prefilters: dict[tuple, Prefilter] = {}
        probes: set[str] = set()  # shared: each is one scan per file, whichever rules look for it
        for rule in rules:
            matcher = _used_utils(rule.matcher)
            group = groups.setdefault(json.dumps(matcher, sort_keys=True), _Group(matcher, [], {}))
            group.rules.append(rule)
            # Each distinct trigger is tested once per file, however many rules share it.
            wanted = (self.trigger(rule), rule.conditions.get("imports", frozenset()))
            if wanted not in prefilters:
                prefilters[wanted] = Prefilter(*wanted, probes)
            group.prefilters[rule.id] = prefilters[wanted]
        for group in groups.values():
            group.dispatch = _mergeable(group.matcher)
            group.kinds = _top_kinds(group.dispatch) if group.dispatch is not None else None
        merge_order = sorted((group for group in groups.values() if group.dispatch is not None),
                             key=lambda group: len(group.rules))
        renamable = frozenset(word for prefilter in prefilters.values() for word in prefilter.words
                              if IDENTIFIER_WORD.match(word))
        families = [registry.family(name) for name in self.family_names]
        aliases: dict[str, str] = {}
        for family in families:
            for spelling, name in family.aliases(self.facts[family.name]).items():
                aliases.setdefault(spelling, name)
        known = tuple((family.name, FunctionByName.of(family.known)) for family in families)
        yields = {rule.id: frozenset(family.yields_to) for rule in rules
                  for family in [self.family(rule.family)] if family is not None and family.yields_to}
        gates = {family.name: FunctionByName.of(family.gate) for family in families if family.gate is not None}
        helper_words = {family.name: family.helper_words(self.facts[family.name]) for family in families
                        if family.helper_words is not None}
        return Plan(rules, list(groups.values()), merge_order, list(prefilters.values()), renamable, aliases,
                    known, yields, gates, helper_words)

    def family(self, name: str | None) -> Family | None:
        """The family ``name`` if this engine asks it (None for a rule without one), imported when
        first asked for: by the first match of one of its rules, so that a model file only the
        divergence rules match never imports the clipping family's views and dataflow."""
        return registry.family(name) if name in self.family_names else None

    def evaluation(self, rule: Rule) -> Evaluation:
        """What FileContext.evaluate asks at each of the rule's matches: (the core conditions the
        rule has, its family, the family's conditions it has), each condition with the values the
        rule wants, the family's in its table's order. Worked out on the rule's first match and
        kept for the engine's life: every later match asks the same."""
        found = self._evaluations.get(rule.id)
        if found is None:
            family = self.family(rule.family)
            found = self._evaluations[rule.id] = (_asked(rule, CORE_CONDITIONS.values()), family,
                                                  _asked(rule, family.conditions) if family is not None else ())
        return found

    def trigger(self, rule: Rule) -> Trigger | None:
        """What a file's text must hold for ``rule`` to match (None: nothing is known)."""
        if rule.family in registry.PAIRED and self.pairing is None:
            return NO_FILE
        family = self.family(rule.family)
        return family.triggers(self.facts[family.name], rule.conditions) if family is not None else None

    def canonical(self, qualified: str | None) -> str | None:
        """The facts' own name for any spelling of it, across families."""
        if qualified is None:
            return None
        return self._aliases.get(qualified, qualified)

    def known(self, qualified: str) -> bool:
        return any(known(self.facts[family], qualified) for family, known in self.plan.known)

    def may_match(self, source: str, path: str | None = None, python_tree: ast.Module | None = None) -> bool:
        """Whether any rule may match this text, decided on the raw text (no parse of ours; Python's,
        ``python_tree``, when the caller has it): False for most files, which then need no parse by anything."""
        return self.screen.may_match(source, path, python_tree)

    def active(self, source: str, path: str | None = None) -> list[tuple[_Group, list[Rule]]]:
        """The groups and rules the prefilter keeps for this text (no parse): empty for most files."""
        return self._active(source, path, False)

    def _active(self, source: str, path: str | None, parse_decides: bool,
                python_tree: ast.Module | None = None) -> list[tuple[_Group, list[Rule]]]:
        """``active``; with ``parse_decides``, when a prefilter that no gate governs keeps the
        file (it will be parsed), the rules of each family whose gate has been asked in this
        process are kept without their text's tests: Engine._gated asks the gate on the parse,
        exactly, for less than the text's tests cost (a scan of every def and class, of comments
        and strings, and of two dozen probe words). ``python_tree``: the text's parse, when the
        caller has it (a trigger may ask it whether a word is a call's argument)."""
        text = FileText.of(source, path, python_tree)
        gates: dict[str, bool] = {}  # family -> its gate's answer for this file, asked once
        asked = frozenset(self._gates_asked)
        ungated = [prefilter for prefilter in self.prefilters if id(prefilter) not in self._gated_prefilters]
        verdicts = {id(prefilter): prefilter.may_match(text) for prefilter in ungated if prefilter.calls is None}
        parsed = parse_decides and any(verdicts.values())
        for prefilter in ungated:
            if prefilter.calls is not None:
                # Its call test walks Python's parse: when the file is parsed anyway, the rules' own
                # conditions decide as well, and for less.
                verdicts[id(prefilter)] = prefilter.may_match(text, calls=not parsed)
        on_parse = asked if parse_decides and any(verdicts.values()) else frozenset()
        for prefilter in self.prefilters:
            family = self._gated_prefilters.get(id(prefilter))
            if family is None:
                continue
            if family in on_parse:
                verdicts[id(prefilter)] = True
            elif family in asked:
                # Once a gate has been asked in this process (its original tree read), it costs
                # less than the probes of its family's prefilter: it goes first.
                verdicts[id(prefilter)] = (prefilter.names_packages(text)
                                           and self._gate(family, source, path, gates, python_tree=python_tree)
                                           and prefilter.may_match(text))
            else:
                verdicts[id(prefilter)] = prefilter.may_match(text)
        if not any(verdicts.values()):
            return []
        active = []
        for group in self.groups:
            rules = [rule for rule in group.rules if verdicts[id(group.prefilters[rule.id])]
                     and (rule.family in on_parse
                          or self._gate(rule.family, source, path, gates, python_tree=python_tree))]
            if rules:
                active.append((group, rules))
        return active

    def _gate(self, family: str | None, source: str, path: str | None, answers: dict[str, bool],
              root: SgNode | None = None, python_tree: ast.Module | None = None) -> bool:
        """Whether the family's gate (Family.gate) keeps this file for its rules, on its text and
        ``python_tree`` (or, given ``root``, on the parsed module); a family without one keeps it.
        A gate that fails keeps it too: the check then reports what went wrong."""
        gate = self.plan.gates.get(family) if family is not None else None
        if gate is None:
            return True
        if family not in answers:
            self._gates_asked.add(family)
            try:
                answers[family] = bool(gate(self.facts[family], self.pairing, source, path, root, python_tree))
            except Exception:
                answers[family] = True
        return answers[family]

    def _gated(self, active: list[tuple[_Group, list[Rule]]], source: str, path: str | None,
               root: SgNode, python_tree: ast.Module | None = None) -> list[tuple[_Group, list[Rule]]]:
        """``active`` without the rules of a family whose gate, asked again with the parsed module
        (and ``python_tree``, the same text's, when given), leaves the file out: before the walk,
        which then skips their matchers."""
        if not self.plan.gates:
            return active
        answers: dict[str, bool] = {}
        kept = []
        for group, rules in active:
            rules = [rule for rule in rules if self._gate(rule.family, source, path, answers, root, python_tree)]
            if rules:
                kept.append((group, rules))
        return kept

    def check(self, source: str, path: str | None = None, python_tree: ast.Module | None = None) -> list[Finding]:
        """All findings for one file's text, sorted by position. ``path`` (optional) places the
        file in its package, so that relative imports inside MindSpore's own sources resolve.
        ``python_tree`` (optional): the text's ``ast.Module``, when the caller has parsed it
        (flake8 has): a family's gate may read it before the engine's own parse (Family.gate)."""
        # Python's cycle collector runs every few hundred allocations and, from time to time,
        # walks every object alive, the model of a big file included: a file of 16,000 training
        # steps cost 20 % more per step than one of 1,000. Collection is held off for the one
        # check (it runs in whatever process calls us, flake8's, so it is restored after) and
        # catches up on the next allocations.
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._check(source, path, python_tree)
        finally:
            FileText.forget()
            if enabled:
                gc.enable()

    def _check(self, source: str, path: str | None, python_tree: ast.Module | None) -> list[Finding]:
        # First the prefilter, on the text as given: most files stop here. What follows changes
        # no verdict (the prefilter reads a lone '\r' as a line end and a surrogate as no name).
        active = self._active(source, path, True, python_tree)
        if not active:
            return []
        source = _as_parsed(source)
        renamed = self._renamed(source)
        reachable = self._reachable(source, active, python_tree, renamed)
        if reachable is not source:
            # The cut text only shows that there is nothing to report (slicing.py): anything it
            # finds is found again in the whole text, with the whole text's fixes.
            findings = self._parsed_and_run(reachable, path, active, renamed, python_tree)
            if not findings:
                return findings
        return self._parsed_and_run(source, path, active, renamed, python_tree)

    def reachable(self, source: str, path: str | None = None, python_tree: ast.Module | None = None) -> str:
        """The text ``check(source, path, python_tree)`` parses first: ``source`` itself, or with
        the bodies of the definitions no active rule can reach cut out (slicing.py). For tests,
        and to see what a check reads."""
        active = self._active(source, path, True, python_tree)
        source = _as_parsed(source)
        return self._reachable(source, active, python_tree, self._renamed(source)) if active else source

    def _parsed_and_run(self, source: str, path: str | None, active: list[tuple[_Group, list[Rule]]],
                        renamed: dict[str, str], python_tree: ast.Module | None) -> list[Finding]:
        try:
            root = SgRoot(source, "python").root()
        except Exception as error:  # the parser itself failed: nothing can be checked
            return [internal_error("all rules", error)]
        active = self._gated(active, source, path, root, python_tree)
        if not active:
            return []
        findings: list[Finding] = []
        if renamed:
            # Rare: matchers widened for this file's local names, each group on its own walk.
            context = FileContext(self, root, path)
            try:
                for group, rules in active:
                    matcher = _used_utils(_with_utils(group.rules[0].matcher, self.structural_utils(renamed)))
                    findings.extend(self._run_group(root, context, matcher, rules))
            finally:
                context.release()
            return self._without_yielded(sorted(set(findings)))
        active_ids = {id(group) for group, _ in active}
        merged, walked = _merged_matches(root, [group for group in self._merge_order if id(group) in active_ids])
        context = FileContext(self, root, path, walked)
        try:
            for group, rules in active:
                findings.extend(self._run_group(root, context, group.matcher, rules, merged.get(id(group))))
        finally:
            context.release()
        return self._without_yielded(sorted(set(findings)))

    def _reachable(self, source: str, active: list[tuple[_Group, list[Rule]]], python_tree: ast.Module | None,
                   renamed: dict[str, str]) -> str:
        """The text our parse needs: the definitions the active rules cannot reach cut out
        (slicing.py), given Python's parse, no word imported under another name, and every active
        rule of a family that reads others through names alone and with trigger words; else
        ``source`` itself. A failure cuts nothing."""
        if python_tree is None or renamed:
            return source
        words: set[str] = set()
        helper_words: set[str] = set()
        packages: set[str] = set()
        for group, rules in active:
            for rule in rules:
                family_words = self.plan.helper_words.get(rule.family)
                prefilter = group.prefilters[rule.id]
                if family_words is None or not prefilter.words:
                    return source
                words.update(prefilter.words)
                helper_words |= family_words
                packages.update(prefilter.imports)
        from .slicing import reachable_source  # a file only other families' rules keep never asks

        try:
            return reachable_source(source, python_tree, words, helper_words, packages)
        except Exception:  # an unexpected tree: parse the whole text
            return source

    def _without_yielded(self, findings: list[Finding]) -> list[Finding]:
        """Drop a finding of a family that yields to another one reporting the same node."""
        if not self._yields:
            return findings
        where = {}
        for finding in findings:
            where.setdefault((finding.line, finding.column), set()).add(self._family_of.get(finding.rule_id))
        return [finding for finding in findings
                if not self._yields.get(finding.rule_id, frozenset()) & where[(finding.line, finding.column)]]

    def _renamed(self, source: str) -> dict[str, str]:
        """Local name -> trigger word, for each trigger word this file imports under another name
        (the model then resolves the name; the structural pass must reach it). One ``str.find``
        scan for " as ", then a look at the few places found: no regex runs over the file. A
        function stored under another name (`cbv = ops.clip_by_value`) is not looked for: one
        more scan per trigger word would cost more than all the rest of this."""
        renamed: dict[str, str] = {}
        start = source.find(" as ")
        while start >= 0:  # from mindspore.ops import clip_by_value as cbv
            word = name_ending_at(source, start, max(0, start - self._rename_window))
            if word in self._renamable:
                alias = ALIAS_AFTER_AS.match(source, start + 4)
                if alias is not None and alias.group(1) != word:
                    renamed[alias.group(1)] = word
            start = source.find(" as ", start + 4)
        return renamed

    def structural_utils(self, renamed: dict[str, str] | None = None) -> dict[str, dict]:
        utils: dict[str, dict] = {}
        for family in registry.families():  # a rule may name any family's utils (rare: renamed imports)
            facts = self.facts[family.name]
            utils.update(family.structural_utils(facts, renamed or {}))
        return utils

    def _run_group(self, root: SgNode, context: FileContext, matcher: dict, rules: list[Rule],
                   matches: list[SgNode] | Exception | None = None) -> list[Finding]:
        try:
            if isinstance(matches, Exception):
                raise matches
            if matches is None:
                matches = root.find_all(matcher)
        except Exception as error:
            return [internal_error(", ".join(rule.id for rule in rules), error)]
        found: dict[str, list[Finding]] = {rule.id: [] for rule in rules}
        failed: dict[str, Finding] = {}
        for node in matches:
            context.matched(node)
            for rule in rules:
                if rule.id in failed:
                    continue
                try:
                    variables = context.evaluate(rule, node)
                    if variables is not None:
                        fix = hazard = span = None
                        if rule.fix is not None:
                            fix = render_fix(rule.fix, node, context.fix_variables(rule, node))
                            hazard = context.fix_hazard(rule, node) if fix is not None else None
                            source = context.source_fix(rule, node) if hazard is not None else None
                            if source is not None:  # a safe fix where the value comes from: preferred
                                (source_node, fix), hazard = source, None
                                where = source_node.range()
                                span = (where.start.line + 1, where.start.column, where.end.line + 1,
                                        where.end.column)
                        related = context.related(rule, node)
                        found[rule.id].append(_finding(rule, node, variables, fix, related, hazard, span))
                except Exception as error:  # RecursionError included: report it, never crash flake8
                    failed[rule.id] = internal_error(rule.id, error)
        return [finding for rule_id, items in found.items() for finding in ([failed[rule_id]] if rule_id in failed
                                                                            else items)]


class FileContext:
    """What the engine knows about one file: the semantic model and each family's analysis,
    built on first use."""

    def __init__(self, engine: Engine, root: SgNode, path: str | None, walked: WalkedNodes | None = None) -> None:
        self.engine = engine
        self.root = root
        self.path = path
        self.walked = walked  # what the structural walk met for the model (None: the model walks)
        self._model: SemanticModel | None = None
        self._analyses: dict[str, object] = {}
        self._matched = 0

    @property
    def model(self) -> SemanticModel:
        if self._model is None:
            from .semantics.model import SemanticModel  # on the first condition: most files' matches ask none

            self._model = SemanticModel(self.root, self.path, self.engine.canonical, self.engine.known, self.walked)
        return self._model

    def matched(self, node: SgNode) -> None:
        """Count a matched node, about to be checked; every TRIM_EVERY, trim (see there)."""
        self._matched += 1
        if self._matched % TRIM_EVERY == 0:
            self.trim(node)

    def trim(self, node: SgNode) -> None:
        """Have the model and each analysis forget their answers about single nodes, and about
        scopes other than the module and those around ``node``, the match about to be checked
        (SemanticModel.trim): a big file's memory stays bounded and close to the code being
        checked, and a function holding thousands of matches is not walked again after each
        trim. A file with fewer matches is never trimmed."""
        if self._model is None:  # nothing asked yet (an analysis is built on the model)
            return
        kept = self._model.scopes_around(node)
        for owner in (self._model, *self._analyses.values()):
            trim = getattr(owner, "trim", None)
            if trim is not None:
                trim(kept)

    def release(self) -> None:
        """Empty the model and the families' analyses once the file is checked. Their caches
        refer back to them (a view to its analysis, a cached answer to the callback that gave
        it), so left as they are they wait for Python's cycle collector, which walks every
        object of them before it frees them: 46 objects a training step of a generated module.
        Emptied, they are freed at once, by their reference counts."""
        for owner in (*self._analyses.values(), self._model):
            state = getattr(owner, "__dict__", None)  # None: the model was never built
            if state is not None:
                state.clear()
        self._analyses.clear()
        self._model = None

    def analysis(self, family: Family):
        if family.name not in self._analyses:
            facts = self.engine.facts[family.name]
            self._analyses[family.name] = (family.analysis(self.model, facts, self.engine.pairing) if family.paired
                                           else family.analysis(self.model, facts))
        return self._analyses[family.name]

    def related(self, rule: Rule, node: SgNode) -> tuple[tuple[str, int, int], ...]:
        """Other places the finding is about, when the rule's view knows some (port-pair mode)."""
        family = self.engine.family(rule.family)
        if family is None or not family.paired:
            return ()
        return self.analysis(family).view(node).related_locations()

    def evaluate(self, rule: Rule, node: SgNode) -> dict[str, str] | None:
        """Message variables when every condition of the rule holds at ``node``, else None."""
        if not rule.conditions:
            return {}
        core, family, asked = self.engine.evaluation(rule)
        for condition, wanted in core:
            if not condition.check(self.model, wanted):
                return None
        if family is None:
            return {}
        view = self.analysis(family).view(node)
        for condition, wanted in asked:
            if not condition.check(view, wanted):
                return None
        return view.variables()

    def fix_variables(self, rule: Rule, node: SgNode) -> dict[str, str]:
        """The variables for a fix template: exact source text, never shortened."""
        family = self.engine.family(rule.family)
        return self.analysis(family).view(node).variables(exact=True) if family is not None else {}

    def fix_hazard(self, rule: Rule, node: SgNode) -> str | None:
        """Why a fix would reach beyond this place: a value the finding was decided on is shared."""
        family = self.engine.family(rule.family)
        if family is None:
            return None
        view = self.analysis(family).view(node)
        judged = view.judged_values(rule.conditions) if hasattr(view, "judged_values") else ()
        return next(filter(None, (self.model.shared_source(value) for value in judged if value is not None)), None)

    def source_fix(self, rule: Rule, node: SgNode) -> tuple[SgNode, str] | None:
        """A safe fix at the shared value's source, when the family knows one: (node, new text)."""
        family = self.engine.family(rule.family)
        source_fix = getattr(self.analysis(family).view(node), "source_fix", None) if family is not None else None
        return source_fix() if source_fix is not None else None


def _as_parsed(source: str) -> str:
    """The text as our parser must see it to give Python's lines and columns."""
    # Python (and flake8) also end a line at a lone '\r'; tree-sitter only at '\n'. Same length,
    # so every offset and column stays where it was.
    if "\r" in source:
        source = LONE_CARRIAGE_RETURN.sub("\n", source)
    if not source.isascii():
        try:
            source.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates (bytes decoded with surrogateescape)
            source = source.encode("utf-8", "replace").decode("utf-8")  # one '?' each: columns kept
    return source


def _asked(rule: Rule, conditions: Iterable[Condition]) -> Asked:
    """Those of ``conditions`` the rule asks, in their order, each with the values it wants."""
    return tuple((condition, rule.conditions[condition.name]) for condition in conditions
                 if rule.conditions.get(condition.name) is not None)


def _with_utils(matcher: dict, utils: dict[str, dict]) -> dict:
    """The matcher with the named utils it already has replaced by ``utils``'s."""
    own = matcher.get("utils")
    if not own:
        return matcher
    return {**matcher, "utils": {name: utils.get(name, body) for name, body in own.items()}}


def _used_utils(matcher: dict) -> dict:
    """The matcher with only the utils its rule names (``matches:``), directly or through another
    util. Every rule carries every family's utils (config.py adds them), and ast-grep compiles all
    of a matcher's utils on every walk, used or not: 2 ms a walk on a model file for eight utils."""
    utils = matcher.get("utils")
    if not utils:
        return matcher
    wanted = _named_utils({key: value for key, value in matcher.items() if key != "utils"})
    used: set[str] = set()
    while wanted - used:
        name = (wanted - used).pop()
        if name not in utils:  # ast-grep reports an unknown util: leave the matcher as it was
            return matcher
        used.add(name)
        wanted |= _named_utils(utils[name])
    return {**matcher, "utils": {name: body for name, body in utils.items() if name in used}}


def _named_utils(rule: object) -> set[str]:
    """The util names ``rule`` refers to with ``matches:``."""
    if isinstance(rule, dict):
        found = {rule["matches"]} if isinstance(rule.get("matches"), str) else set()
        return found.union(*(_named_utils(value) for value in rule.values()))
    if isinstance(rule, list):
        return set().union(*(_named_utils(item) for item in rule))
    return set()


def _mergeable(matcher: dict) -> dict | None:
    """The matcher's rule with its utils inlined, when its walk can be merged with others'.

    A merged walk returns each node once, with the metavariables of the first rule that matched,
    so only rules without metavariables (and without constraints on them) merge.
    """
    if set(matcher) - {"rule", "utils"} or _has_metavariables(matcher):
        return None
    try:
        return _inline(matcher["rule"], matcher.get("utils", {}), 0)
    except RecursionError:
        return None


def _has_metavariables(rule: object) -> bool:
    if isinstance(rule, dict):
        return any((key == "pattern" and "$" in json.dumps(value)) or _has_metavariables(value)
                   for key, value in rule.items())
    if isinstance(rule, list):
        return any(_has_metavariables(item) for item in rule)
    return False


def _inline(rule: object, utils: dict, depth: int) -> object:
    """``matches: NAME`` replaced by the util's body, so ``SgNode.matches`` can test the rule."""
    if depth > 20:  # a util that refers to itself: leave this group to its own walk
        raise RecursionError("recursive utils")
    if isinstance(rule, list):
        return [_inline(item, utils, depth) for item in rule]
    if not isinstance(rule, dict):
        return rule
    inlined = {key: _inline(value, utils, depth) for key, value in rule.items() if key != "matches"}
    if "matches" not in rule:
        return inlined
    if rule["matches"] not in utils:
        raise RecursionError(f"unknown util {rule['matches']}")
    body = _inline(utils[rule["matches"]], utils, depth + 1)
    return {"all": [body, inlined]} if inlined else body


def _top_kinds(rule: object) -> frozenset[str] | None:
    """The kinds a node must have to match ``rule`` (an inlined rule), or None when any may."""
    if not isinstance(rule, dict):
        return None
    if isinstance(rule.get("kind"), str):
        return frozenset({rule["kind"]})
    if isinstance(rule.get("all"), list):
        for item in rule["all"]:
            kinds = _top_kinds(item)
            if kinds is not None:
                return kinds
    if isinstance(rule.get("any"), list) and rule["any"]:
        branches = [_top_kinds(item) for item in rule["any"]]
        return None if any(kinds is None for kinds in branches) else frozenset().union(*branches)
    return None


GROUP_LABEL = "TORCH2MS_GROUP{}"  # a metavariable naming the merged walk's branch a node matched
MODEL_LABEL = "TORCH2MS_MODEL"  # ... the branch of the nodes the semantic model needs (WalkedNodes)
MODEL_BRANCH = {"all": [{"any": [{"kind": "import_statement"}, {"kind": "import_from_statement"}, {"kind": "ERROR"}]},
                        {"pattern": "$" + MODEL_LABEL}]}


GroupMatches = dict[int, list[SgNode] | Exception]  # id(group) -> its matches, or why its walk failed


# SgNode.matches compiles its rule on every call: 30 to 450 microseconds for the groups here (the
# pairs rules' regex of fifty names is the dearest), where a walk of a 2,000-line file costs 1 to 2
# ms. A group asked about more nodes than this in the merged walk walks on its own.
ASKED_AT_MOST = 4


def _merged_matches(root: SgNode, groups: list[_Group]) -> tuple[GroupMatches, WalkedNodes | None]:
    """One ast-grep walk for the groups (in merge order), each node handed to its groups, and for
    what the semantic model would otherwise walk the whole file again for (its imports, whether
    the parse left an ERROR node).

    Each group's rule is one branch of an ``any``, labelled by a metavariable, after the model's
    branch: ast-grep tries the branches in order, so a node labelled with branch k matched none
    before it, and only the later groups that can match its kind are asked with
    ``SgNode.matches`` (which compiles the rule on every call, too slow to ask for every node),
    each about ASKED_AT_MOST nodes at most: past that, a group is left out of the answer, and
    walks the file on its own.
    """
    if not groups:
        return {}, None
    utils: dict = {}
    for group in groups:
        for name, body in group.matcher.get("utils", {}).items():
            if utils.setdefault(name, body) != body:  # two rules mean different things by one name
                return {}, None
    branches = [MODEL_BRANCH] + [{"all": [group.matcher["rule"], {"pattern": "$" + GROUP_LABEL.format(index)}]}
                                 for index, group in enumerate(groups)]
    found: dict[int, list[SgNode]] = {id(group): [] for group in groups}
    asked = dict.fromkeys(found, 0)  # how many nodes each group was asked about with SgNode.matches
    imports: list[SgNode] = []
    misparsed = False
    try:
        for node in root.find_all({"rule": {"any": branches}, "utils": utils}):
            if node.get_match(MODEL_LABEL):
                if node.kind() == "ERROR":
                    misparsed = True
                else:
                    imports.append(node)
                first = -1  # any group may match it too
            else:
                first = next(index for index in range(len(groups)) if node.get_match(GROUP_LABEL.format(index)))
                found[id(groups[first])].append(node)
            for later in groups[first + 1:]:
                if later.kinds is not None and node.kind() not in later.kinds:
                    continue
                key = id(later)
                asked[key] += 1
                if asked[key] <= ASKED_AT_MOST and node.matches(**later.dispatch):
                    found[key].append(node)
    except Exception as error:  # each group then reports it as its own internal error
        return {id(group): error for group in groups}, None
    # A group asked about more nodes than that walks the file on its own instead (_run_group,
    # given no matches): its matches are every node its rule matches, the walk's order kept.
    return {key: nodes for key, nodes in found.items() if asked[key] <= ASKED_AT_MOST}, WalkedNodes(imports, misparsed)


def _finding(rule: Rule, node: SgNode, variables: dict[str, str], fix: str | None = None,
             related: tuple[tuple[str, int, int], ...] = (), fix_hazard: str | None = None,
             fix_span: tuple[int, int, int, int] | None = None) -> Finding:
    span = node.range()  # costs the length of the line before the node: asked once
    start, end = span.start, span.end
    return Finding(start.line + 1, start.column, rule.code, render(rule.message, node, variables), rule.id,
                   end.line + 1, end.column, fix, related, fix_hazard, fix_span)


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


def internal_error(rule_ids: str, error: BaseException) -> Finding:
    detail = " ".join(str(error).split())[:120]
    message = (f"flake8-torch2ms could not check this file with {rule_ids} ({type(error).__name__}: {detail}); "
               "those findings are skipped. Please report this.")
    return Finding(1, 0, INTERNAL_ERROR_CODE, message, rule_ids)
