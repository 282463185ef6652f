"""Loading and checking rules, facts and the user's configuration file.

Everything is checked before any file is linted: an unknown key, a wrong type, a duplicate code
or an invalid ast-grep rule is a ConfigError naming the file, the line and the key.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path

from .astgrep import SgRoot
from . import families as registry
from .families import all_conditions, family_of
from .records import IDENTIFIER, LazyPattern
from .ruleset import INTERNAL_ERROR_CODE, Example, Rule, RuleSet
from .schema import Reader, ast_grep_reason
from .yamlfile import ConfigError, LocatedDict, load_yaml, not_a_file

RULE_KEYS = (
    "id", "code", "language", "severity", "message", "note", "rule", "constraints", "utils",
    "fix", "fix-safety", "metadata", "conditions", "valid", "invalid", "off-by-default",
)
REQUIRED_RULE_KEYS = ("id", "code", "message", "rule")
METADATA_KEYS = ("summary", "references", "checked-against")
SEVERITIES = ("error", "warning", "info", "hint")
# As ruff: an unsafe fix can change what correct code means, and is applied only on request.
FIX_SAFETIES = ("safe", "unsafe")
USER_KEYS = ("disable", "enable", "messages", "facts", "rules")
# `original`: the PyTorch code a port-pair rule's example is checked against (docs/port-pair.md).
VALID_EXAMPLE_KEYS = ("name", "source", "original")
INVALID_EXAMPLE_KEYS = ("name", "source", "original", "message", "line", "column", "fixed")
INVALID_EXAMPLE_REQUIRED = ("name", "source", "message", "line", "column")

# Compiled on first use: a process that reads its rules from the rule cache (rulecache.py) checks none.
CODE = LazyPattern(r"TMS[0-9]{3}\Z")
RULE_ID = LazyPattern(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
USER_CODE = LazyPattern(r"TMS9[0-9]{2}\Z")

# ast-grep's rule vocabulary: checked here so a typo is an error, not a rule that never matches.
ATOMIC_KEYS = ("pattern", "kind", "regex", "nthChild", "range")
RELATIONAL_KEYS = ("inside", "has", "precedes", "follows")
COMPOSITE_KEYS = ("all", "any", "not", "matches")
RELATION_EXTRA_KEYS = ("stopBy", "field")


def condition_values() -> dict[str, frozenset[str] | None]:
    """Every condition a rule may name, with the values it may ask for (imports every family)."""
    return {name: condition.values for name, condition in all_conditions().items()}


def __getattr__(name: str) -> object:
    if name == "CONDITIONS":  # computed on use: importing this module imports no family
        return condition_values()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_rule(path: str, data: object, user: bool = False) -> Rule:
    """Check one rule (a rule file's content, or an entry of a user's ``rules:`` list)."""
    reader = Reader(path)
    data = reader.mapping(data, 1, "a rule")
    reader.keys(data, RULE_KEYS, "a rule", required=REQUIRED_RULE_KEYS)
    rule_id = reader.string(data, "id", "a rule")
    if not RULE_ID.match(rule_id):
        raise reader.fail(data.line_of("id"), f"rule id '{rule_id}' must be kebab-case (e.g. clip-result-discarded)")
    what = f"rule '{rule_id}'"
    code = reader.string(data, "code", what)
    if not CODE.match(code) or code == INTERNAL_ERROR_CODE:
        raise reader.fail(data.line_of("code"), f"code '{code}' must be TMS followed by three digits (not TMS000)")
    if user and not USER_CODE.match(code):
        raise reader.fail(data.line_of("code"), f"code '{code}': your own rules take codes TMS900 to TMS999, "
                                                "so they never collide with built-in ones")
    language = reader.string(data, "language", what, "python")
    if language.lower() != "python":
        raise reader.fail(data.line_of("language"), f"language '{language}' is not supported; use 'python'")
    severity = reader.string(data, "severity", what, "error")
    if severity not in SEVERITIES:
        raise reader.fail(data.line_of("severity"), f"severity '{severity}' must be one of: {', '.join(SEVERITIES)}")
    message = reader.string(data, "message", what)
    if not message.strip() or "\n" in message.strip():
        raise reader.fail(data.line_of("message"), "'message' must be one non-empty line")
    matcher = {"rule": _checked_rule(reader, data["rule"], data.line_of("rule"), "'rule'")}
    if "utils" in data:
        utils = reader.mapping(data["utils"], data.line_of("utils"), "'utils'")
        matcher["utils"] = {name: _checked_rule(reader, body, utils.line_of(name), f"util '{name}'")
                            for name, body in utils.items()}
    if "constraints" in data:
        constraints = reader.mapping(data["constraints"], data.line_of("constraints"), "'constraints'")
        matcher["constraints"] = {name: _checked_rule(reader, body, constraints.line_of(name), f"constraint '{name}'")
                                  for name, body in constraints.items()}
    metadata = reader.mapping(data.get("metadata", LocatedDict()), data.line_of("metadata"), "'metadata'")
    reader.keys(metadata, METADATA_KEYS, "'metadata'")
    checked_against = metadata.get("checked-against", {})
    if not isinstance(checked_against, dict) or not all(isinstance(v, str) for v in checked_against.values()):
        raise reader.fail(metadata.line_of("checked-against"),
                          "'checked-against' must map package names to versions, e.g. mindspore: 2.10.0")
    fix = reader.string(data, "fix", what)
    fix_safety = reader.string(data, "fix-safety", what, "safe")
    if fix_safety not in FIX_SAFETIES:
        raise reader.fail(data.line_of("fix-safety"), f"'fix-safety' must be one of: {', '.join(FIX_SAFETIES)}")
    if "fix-safety" in data and fix is None:
        raise reader.fail(data.line_of("fix-safety"), f"{what} has 'fix-safety' but no 'fix'")
    examples = {kind: _checked_examples(reader, data, kind, fix) for kind in ("valid", "invalid")}
    off = data.get("off-by-default", False)
    if not isinstance(off, bool):
        raise reader.fail(data.line_of("off-by-default"), f"'off-by-default' of {what} must be true or false")
    conditions = _checked_conditions(reader, data)
    try:
        family = family_of(conditions)[0]
    except ValueError as error:
        raise reader.fail(data.line_of("conditions"), f"{what}: {error}") from None
    known = template_variables(matcher, family.name if family is not None else None)
    check_variables(reader, data.line_of("message"), f"the message of {what}", message, known)
    if fix is not None:
        check_variables(reader, data.line_of("fix"), f"the fix of {what}", fix, known | {"MATCH"})
    return Rule(
        id=rule_id,
        code=code,
        message=message.strip(),
        matcher=matcher,
        conditions=conditions,
        family=family.name if family is not None else None,
        severity=severity,
        note=(reader.string(data, "note", what) or "").strip(),
        fix=fix,
        fix_safety=fix_safety,
        summary=(reader.string(metadata, "summary", "'metadata'") or "").strip(),
        references=tuple(reader.strings(metadata, "references", "'metadata'")),
        checked_against=dict(checked_against),
        valid=examples["valid"],
        invalid=examples["invalid"],
        path=path,
        enabled=not off,
    )


def _checked_examples(reader: Reader, data: LocatedDict, kind: str, fix: str | None) -> tuple[Example, ...]:
    entries = data.get(kind, [])
    if not isinstance(entries, list):
        raise reader.fail(data.line_of(kind), f"'{kind}' must be a list of examples, each with a name and a source")
    examples: list[Example] = []
    lines: dict[str, int] = {}
    for entry in entries:
        what = f"an example in '{kind}'"
        if isinstance(entry, str):
            raise reader.fail(data.line_of(kind), f"{what} is a plain string; write it as a mapping with "
                                                  "'name' and 'source' (see docs/writing-rules.md)")
        entry = reader.mapping(entry, data.line_of(kind), what)
        invalid = kind == "invalid"
        reader.keys(entry, INVALID_EXAMPLE_KEYS if invalid else VALID_EXAMPLE_KEYS, what,
                    required=INVALID_EXAMPLE_REQUIRED if invalid else ("name", "source"))
        name = reader.string(entry, "name", what)
        if not RULE_ID.match(name):
            raise reader.fail(entry.line_of("name"), f"example name '{name}' must be kebab-case (e.g. literal-bound)")
        if name in lines:
            raise reader.fail(entry.line_of("name"), f"two examples in '{kind}' are named '{name}' "
                                                     f"(first at line {lines[name]}); names must be unique")
        lines[name] = entry.line_of("name")
        what = f"{kind} example '{name}'"
        source = _example_source(reader, entry, "source", what)
        original = _example_source(reader, entry, "original", what) if "original" in entry else None
        if not invalid:
            examples.append(Example(name, source, original=original))
            continue
        message = reader.string(entry, "message", what)
        if not message.strip() or "\n" in message.strip():
            raise reader.fail(entry.line_of("message"), f"'message' in {what} must be one non-empty line")
        source_lines = source.splitlines()
        line = _positive_int(reader, entry, "line", what)
        if line > len(source_lines):
            raise reader.fail(entry.line_of("line"), f"'line' in {what} is {line}, but the source has "
                                                     f"{len(source_lines)} line{'s' * (len(source_lines) != 1)}")
        column = _positive_int(reader, entry, "column", what)
        if column > len(source_lines[line - 1]) + 1:
            raise reader.fail(entry.line_of("column"), f"'column' in {what} is {column}, past the end of line {line}")
        fixed = None
        if "fixed" in entry:
            if fix is None:
                raise reader.fail(entry.line_of("fixed"), f"{what} has 'fixed', but the rule has no 'fix'")
            fixed = _example_source(reader, entry, "fixed", what)
            if fixed == source:
                raise reader.fail(entry.line_of("fixed"), f"'fixed' in {what} is the source unchanged; "
                                                          "leave 'fixed' out when the fix does not apply")
        examples.append(Example(name, source, message.strip(), line, column, fixed, original))
    return tuple(examples)


def _example_source(reader: Reader, entry: LocatedDict, key: str, what: str) -> str:
    # Not parsed here: loading a configuration compiles nothing (tests/test_config_errors.py audits
    # it); tests/test_examples.py compiles every built-in example.
    source = reader.string(entry, key, what)
    if not source.strip():
        raise reader.fail(entry.line_of(key), f"'{key}' in {what} must be non-empty Python code")
    return source


def _positive_int(reader: Reader, entry: LocatedDict, key: str, what: str) -> int:
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise reader.fail(entry.line_of(key), f"'{key}' in {what} must be a whole number from 1, got {value!r}")
    return value


def _checked_rule(reader: Reader, rule: object, line: int, what: str, relation: bool = False) -> dict:
    """Check the keys of an ast-grep rule tree; return it as plain dicts for ast-grep-py."""
    rule = reader.mapping(rule, line, what)
    known = ATOMIC_KEYS + RELATIONAL_KEYS + COMPOSITE_KEYS + (RELATION_EXTRA_KEYS if relation else ())
    reader.keys(rule, known, what)
    if not rule:
        raise reader.fail(rule.line, f"{what} is empty; give at least one of: pattern, kind, regex, any, all")
    checked: dict = {}
    for key, value in rule.items():
        line = rule.line_of(key)
        if key in RELATIONAL_KEYS or key == "not":
            checked[key] = _checked_rule(reader, value, line, f"'{key}' (in {what})", key != "not")
        elif key in ("all", "any"):
            if not isinstance(value, list) or not value:
                raise reader.fail(line, f"'{key}' in {what} must be a non-empty list of rules")
            checked[key] = [_checked_rule(reader, item, line, f"an item of '{key}'") for item in value]
        elif key == "stopBy" and isinstance(value, dict):
            checked[key] = _checked_rule(reader, value, line, f"'stopBy' (in {what})")
        elif key == "pattern":
            checked[key] = _checked_pattern(reader, value, line)
        else:
            checked[key] = _plain(value)
    return checked


def _checked_pattern(reader: Reader, pattern: object, line: int) -> object:
    text = pattern
    if isinstance(pattern, dict):
        reader.keys(pattern, ("context", "selector", "strictness"), "a pattern object", required=("context",))
        text = pattern["context"]
    if not isinstance(text, str) or not text.strip():
        raise reader.fail(line, "'pattern' must be a non-empty string of Python code")
    # ast-grep accepts a pattern that does not parse and then silently never matches: refuse it.
    # Metavariables ($X, $$$ARGS) are not Python; ast-grep itself swaps '$' for 'µ' in Python.
    if SgRoot(text.replace("$", "µ"), "python").root().find(kind="ERROR") is not None:
        raise reader.fail(line, f"pattern {text.strip()!r} is not valid Python code")
    return _plain(pattern)


def _checked_conditions(reader: Reader, data: LocatedDict) -> dict[str, frozenset[str]]:
    conditions = reader.mapping(data.get("conditions", LocatedDict()), data.line_of("conditions"), "'conditions'")
    known = condition_values()
    reader.keys(conditions, known, "'conditions'")
    checked = {}
    for name in conditions:
        values = reader.strings(conditions, name, "'conditions'")
        allowed = known[name]
        for value in values:
            valid = IDENTIFIER.match(value) if allowed is None else value in allowed
            if not valid:
                expected = "a package name" if allowed is None else ", ".join(sorted(allowed))
                raise reader.fail(conditions.line_of(name),
                                  f"'{value}' is not a value of '{name}'; expected {expected}")
        checked[name] = frozenset(values)
    return checked


def _plain(value: object) -> object:
    """Plain dicts for ast-grep-py (it wants exact types)."""
    return json.loads(json.dumps(value))


# --------------------------------------------------------------------------- rule sets


def _default_files() -> tuple[list[Path], list[Path]]:
    root = resources.files("flake8_torch2ms.rules")
    rule_files = sorted((Path(str(entry)) for entry in root.iterdir() if entry.name.endswith(".yml")),
                        key=lambda path: path.name)
    facts_root = root / "facts"
    facts_files = sorted(Path(str(entry)) for entry in facts_root.iterdir() if entry.name.endswith(".yml"))
    return rule_files, facts_files


def _check_compiles(rules: list[Rule], facts: dict[str, object]) -> list[Rule]:
    """Compile every rule once with ast-grep so a bad kind or regex is reported now, with its file."""
    probe = SgRoot("", "python").root()
    provided = structural_utils(facts)
    compiled = []
    for rule in rules:
        overlap = set(rule.matcher.get("utils", {})) & set(provided)
        if overlap:
            raise ConfigError(rule.path, None, f"rule '{rule.id}' defines util '{overlap.pop()}', a name "
                                               "the built-in facts already provide; rename it")
        matcher = {**rule.matcher, "utils": {**provided, **rule.matcher.get("utils", {})}}
        try:
            probe.find_all(matcher)
        except Exception as error:  # ast-grep-py raises plain Exception for invalid rules
            raise ConfigError(rule.path, None,
                              f"rule '{rule.id}' is not a valid ast-grep rule: {ast_grep_reason(error)}") from None
        compiled.append(rule.replace(matcher=matcher))
    return compiled


def structural_utils(facts: dict[str, object]) -> dict[str, dict]:
    """The ast-grep utils every family derives from its facts, which rules name with ``matches:``."""
    utils: dict[str, dict] = {}
    for family in registry.families():
        utils.update(family.structural_utils(facts[family.name], {}))
    return utils


def _load_facts(paths: list[Path]) -> dict[str, object]:
    """Each family's facts, from ``rules/facts/<family>.yml`` (a family without a file has none)."""
    facts = {family.name: family.new_facts() for family in registry.families()}
    for path in paths:
        family = registry.family(path.stem)
        if family is None:
            raise ConfigError(path, None, f"no rule family is named '{path.stem}'; a facts file is named after "
                                          f"its family: {', '.join(sorted(registry.FAMILY_NAMES))}")
        reader = Reader(str(path))
        facts[family.name] = family.load_facts(reader.mapping(load_yaml(path), 1, "a facts file"), reader,
                                               facts[family.name])
    return facts


def _add_user_facts(data: LocatedDict, reader: Reader, facts: dict[str, object]) -> dict[str, object]:
    """A configuration file's ``facts:``: each key is a family's name holding that family's
    sections, or a section of the one family that has it (``clip-functions:`` is clipping's)."""
    facts = dict(facts)
    by_name = {family.name: family for family in registry.families()}
    owners = {key: family for family in by_name.values() for key in family.fact_keys}
    by_family: dict[str, LocatedDict] = {}
    for key in data:
        if key in by_name:
            section = reader.mapping(data[key], data.line_of(key), f"'facts: {key}'")
            family = by_name[key]
            facts[family.name] = family.load_facts(section, reader, facts[family.name])
        elif key in owners:
            part = by_family.setdefault(owners[key].name, LocatedDict())
            part[key] = data[key]
            part.key_lines[key] = data.line_of(key)
        else:
            reader.keys(data, tuple(owners) + tuple(by_name), "'facts'")
    for name, part in by_family.items():
        part.line = data.line
        facts[name] = by_name[name].load_facts(part, reader, facts[name])
    return facts


@functools.lru_cache(maxsize=8)
def load_ruleset(config_path: str | None = None) -> RuleSet:
    """The default rules and facts, plus a user's configuration file when given. Cached per process."""
    rule_files, facts_files = _default_files()
    facts = _load_facts(facts_files)
    rules = [load_rule(str(path), load_yaml(path)) for path in rule_files]
    for path, rule in zip(rule_files, rules):
        if path.stem != rule.id:
            raise ConfigError(path, None, f"file name must match the rule id '{rule.id}'")
    if config_path:
        rules, facts = _apply_user_config(config_path, rules, facts)
    _check_unique(rules)
    return RuleSet(_check_compiles(rules, facts), facts)


def _apply_user_config(path: str, rules: list[Rule], facts: dict[str, object]) -> tuple[list[Rule], dict[str, object]]:
    reader = Reader(path)
    if not Path(path).is_file():
        raise ConfigError(path, None, not_a_file(path))
    data = load_yaml(path)
    if data is None:
        return rules, facts
    data = reader.mapping(data, 1, "the configuration file")
    reader.keys(data, USER_KEYS, "the configuration file")
    known = {rule.code for rule in rules} | {rule.id for rule in rules}
    disabled = set(reader.strings(data, "disable", "the configuration file"))
    for name in disabled - known:
        raise reader.fail(data.line_of("disable"), f"'disable' names '{name}', which is no rule's code or id")
    enabled = set(reader.strings(data, "enable", "the configuration file"))
    for name in enabled - known:
        raise reader.fail(data.line_of("enable"), f"'enable' names '{name}', which is no rule's code or id")
    messages = reader.mapping(data.get("messages", LocatedDict()), data.line_of("messages"), "'messages'")
    for name, message in messages.items():
        if name not in known:
            raise reader.fail(messages.line_of(name), f"'messages' names '{name}', which is no rule's code or id")
        if not isinstance(message, str) or not message.strip() or "\n" in message.strip():
            raise reader.fail(messages.line_of(name), f"the message for '{name}' must be one non-empty line")
    updated = []
    for rule in rules:
        if rule.code in disabled or rule.id in disabled:
            continue
        message = messages.get(rule.code, messages.get(rule.id, rule.message))
        if message is not rule.message:
            name = rule.code if rule.code in messages else rule.id
            check_variables(reader, messages.line_of(name), f"the message for '{name}'", message,
                            template_variables(rule.matcher, rule.family))
        on = rule.enabled or rule.code in enabled or rule.id in enabled
        updated.append(rule.replace(message=message.strip(), enabled=on))
    if "facts" in data:
        facts_data = reader.mapping(data["facts"], data.line_of("facts"), "'facts'")
        facts = _add_user_facts(facts_data, reader, facts)
    extra = data.get("rules", [])
    if not isinstance(extra, list):
        raise reader.fail(data.line_of("rules"), "'rules' must be a list of rules")
    updated.extend(load_rule(path, entry, user=True) for entry in extra)
    return updated, facts


TEMPLATE_VARIABLE = LazyPattern(r"\$(?:\$\$)?([A-Z_][A-Z0-9_]*)")  # as the engine fills them


def template_variables(matcher: dict, family: str | None) -> frozenset[str] | None:
    """The $NAME variables a rule's message and fix may use: its family's and the metavariables
    of its structural rule. None when the family does not declare its own (nothing is checked)."""
    declared = registry.family(family).variables if family is not None else frozenset()
    if declared is None:
        return None
    return declared | frozenset(TEMPLATE_VARIABLE.findall(json.dumps(matcher)))


def check_variables(reader: Reader, line: int | None, what: str, template: str, known: frozenset[str] | None) -> None:
    """A misspelt variable would be printed as it is ("dropout $SUGGESTD"): refuse it."""
    if known is None:
        return
    for name in TEMPLATE_VARIABLE.findall(template):
        if name not in known:
            listed = ", ".join(f"${variable}" for variable in sorted(known)) or "none"
            raise reader.fail(line, f"{what} uses ${name}, which this rule does not give; its variables are {listed}")


def _check_unique(rules: list[Rule]) -> None:
    seen: dict[str, Rule] = {}
    for rule in rules:
        for name in (rule.code, rule.id):
            if name in seen:
                raise ConfigError(rule.path, None, f"'{name}' is used by two rules ('{seen[name].id}' in "
                                                   f"{seen[name].path} and '{rule.id}'); codes and ids must be unique")
            seen[name] = rule
