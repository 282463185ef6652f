"""Rule families: what each group of rules knows on top of the semantic model.

A family is a folder here with one ``FAMILY`` object, in its ``family.py``. It owns its facts file
(``rules/facts/<name>.yml``), its conditions as one table (name, allowed values, the facts each
reads, the handler), a per-match view that the handlers ask, and the view's message variables.
The engine, the loader, the docs generator and both front ends know families only through this
protocol, so adding a family is adding a folder and one line in ``FAMILY_NAMES``.

A rule's family is the one that owns its conditions (resolved when the rule is loaded; a rule
whose conditions come from two families is refused). ``imports`` belongs to no family: it asks
the model, so any rule, a user's structural rule too, may use it.
"""

from __future__ import annotations

import functools
from importlib import import_module
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Protocol

from ..astgrep import SgNode
from ..records import FrozenRecord, cached_property

if TYPE_CHECKING:  # the model is imported by the first match that asks a condition (engine.FileContext)
    from ..prefilter import PositionalFirstArgument
    from ..semantics.model import SemanticModel


class Condition(FrozenRecord):
    """A named semantic condition a rule's ``conditions:`` may ask for."""

    __slots__ = _fields = ("name", "values", "check", "facts")

    def __init__(self, name: str, values: frozenset[str] | None, check: Callable[[Any, frozenset[str]], bool],
                 facts: tuple[str, ...] | Mapping[str, tuple[str, ...]] = ()) -> None:
        self.name = name
        self.values = values  # the values a rule may ask for; None: any identifier
        self.check = check  # (the match's view, the wanted values) -> holds
        # The facts sections the condition reads ("Options" on a rule's page); a mapping when it
        # depends on the value asked for.
        self.facts = facts

    def facts_for(self, wanted: Iterable[str]) -> set[str]:
        if isinstance(self.facts, Mapping):
            return {fact for value in wanted for fact in self.facts.get(value, ())}
        return set(self.facts)


class View(Protocol):
    """What one match means, computed lazily; conditions ask it, messages read its variables."""

    def variables(self, exact: bool = False) -> dict[str, str]: ...


class Analysis(Protocol):
    """A family's knowledge of one file, built only when one of its rules matched there."""

    def view(self, node: SgNode) -> View: ...


# A call argument's place: (position, keyword); either may be None.
ArgumentSlot = tuple[int | None, str | None]
# What a call's arguments must be for a rule to hold (Trigger.calls): alternatives, one for each
# API and value, each (the last parts of the API's spellings; slots the call passes one of, () when
# none is asked; slots it passes none of; None, or a bound: the argument passed for one of the
# first slots must not be a number written out outside [0, bound)).
CallShape = tuple[tuple[str, ...], tuple[ArgumentSlot, ...], tuple[ArgumentSlot, ...], float | None]
CallShapes = tuple[CallShape, ...]


class Trigger(FrozenRecord):
    """What a file's raw text must hold for a rule to possibly match, decided before any parse.

    ``words``: one of them written as a whole name in code (not in a comment or a string), since
    a call resolves to an API only through its name written somewhere in the module. ``roots``:
    one of these top-level packages named anywhere in the text (None: no import is needed), since
    every name the rule asks about resolves only through an import of one of them. ``after``: what
    must open right after one such word (its ``match(source, position)``, as a regex's), which may
    then end a longer name, as a call's structural matcher allows (``MyDropout(0.1``: a subclass
    and a positional argument); one of ``prefilter.AFTER_WORD``, which names it when the
    prefilter is kept between runs.
    ``in_arguments``: False when the rule follows its names only through callees, assignments,
    attributes and imports, never into a call's argument: then a word that Python's parse (when
    the caller has it) shows as a whole argument (``_get_cache_prim(ArgMaxWithValue)``) does not count.
    ``calls``: set when every match is a call that resolves to the word through its callee (its
    name, or names the word was assigned to) and whose own arguments must have a shape for the
    rule's conditions to hold (a BatchNorm's momentum written out, and not as a number of 0.5 or
    more; a pool's stride left out). A tuple of alternatives (CallShape), one for each API and
    value: (the last parts of the API's spellings; slots the call passes one of, or () for none
    asked; slots it passes none of; None, or a bound: the argument passed for one of the first
    slots must not be a number written out outside [0, bound)), a slot being (position, keyword).
    With Python's parse, a word then counts only where it may reach such a call
    (prefilter.FileText.reaches_call); a callee written with one of an API's names is held to that
    API's alternatives.
    """

    __slots__ = _fields = ("words", "roots", "after", "in_arguments", "calls")

    def __init__(self, words: frozenset[str], roots: frozenset[str] | None = None,
                 after: PositionalFirstArgument | None = None, in_arguments: bool = True,
                 calls: CallShapes | None = None) -> None:
        self.words = words
        self.roots = roots
        self.after = after
        self.in_arguments = in_arguments
        self.calls = calls


def shorten(text: str, limit: int = 60) -> str:
    """Source text for a message: on one line, at most ``limit`` characters (every family's)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def roots_of(names: Iterable[str]) -> frozenset[str]:
    """The top-level packages of qualified names: ``mindspore`` for ``mindspore.nn.Dropout``."""
    return frozenset(name.split(".", 1)[0] for name in names)


class Pairing(FrozenRecord):
    """Port-pair mode: the original (PyTorch) tree a port is checked against, as the user gave
    it, and the user's class renames (torch name, port name)."""

    __slots__ = _fields = ("original", "class_map")

    def __init__(self, original: str, class_map: tuple[tuple[str, str], ...] = ()) -> None:
        self.original = original
        self.class_map = class_map


def _no_utils(facts: Any, renamed: Mapping[str, str]) -> dict[str, dict]:
    return {}


def _no_aliases(facts: Any) -> Mapping[str, str]:
    return {}


def _not_known(facts: Any, name: str) -> bool:
    return False


class Family(FrozenRecord):
    _fields = ("name", "conditions", "fact_keys", "new_facts", "load_facts", "analysis", "triggers", "structural_utils",
               "aliases", "known", "paired", "yields_to", "variables", "gate", "helper_words")
    __slots__ = (*_fields, "table")  # table: derived from the conditions, neither compared nor shown

    def __init__(self, name: str, conditions: tuple[Condition, ...], fact_keys: tuple[str, ...],
                 new_facts: Callable[[], Any], load_facts: Callable[[Any, Any, Any], Any],
                 analysis: Callable[[SemanticModel, Any], Analysis],
                 triggers: Callable[[Any, Mapping[str, frozenset[str]]], Trigger | None],
                 structural_utils: Callable[[Any, Mapping[str, str]], dict[str, dict]] = _no_utils,
                 aliases: Callable[[Any], Mapping[str, str]] = _no_aliases,
                 known: Callable[[Any, str], bool] = _not_known, paired: bool = False,
                 yields_to: tuple[str, ...] = (), variables: frozenset[str] | None = None,
                 gate: Callable[[Any, Pairing, str, str | None, Any, Any], bool] | None = None,
                 helper_words: Callable[[Any], frozenset[str]] | None = None) -> None:
        self.name = name
        self.conditions = conditions  # evaluation order: the cheap, most selective first
        self.fact_keys = fact_keys  # the top-level keys of its facts file
        self.new_facts = new_facts
        self.load_facts = load_facts  # (YAML mapping, schema.Reader, facts) -> facts
        self.analysis = analysis  # (model, facts) -> the file's analysis
        # (facts, a rule's conditions) -> what a file's text must hold for the rule to match (None:
        # nothing is known, the file is always parsed).
        self.triggers = triggers
        # (facts, local name -> the name it renames in this file) -> ast-grep utils rules may name
        self.structural_utils = structural_utils
        # (facts) -> any other spelling of a name the facts hold -> that name. Read when the engine's
        # plan is made, into one table for every family: the model then asks no family's facts.
        self.aliases = aliases
        self.known = known  # a name the facts hold
        # A paired family's analysis also takes the engine's Pairing: (model, facts, pairing). Without
        # one (no original configured) the engine gives its rules a trigger no file matches.
        self.paired = paired
        # Families whose finding on a node replaces this family's finding there (a call that a TMS3xx
        # rule already reports gets no TMS4xx finding).
        self.yields_to = yields_to
        # The $NAME variables its views give messages and fixes (a template naming another is a
        # configuration error); None: not declared, not checked.
        self.variables = variables
        # A paired family's (facts, pairing, text, path, root, python_tree) -> whether the file can
        # hold a finding of its rules at all (the pairs family: whether the file aligns with an
        # original file); None: no such test. Asked before the parse (root None) on the text and,
        # when the caller has it (flake8), Python's own ast.Module of it (python_tree, else None);
        # and again with the parsed module before the walk. It must never say False for a file
        # where one of the family's rules would report.
        self.gate = gate
        # (facts) -> the words of a helper its analysis finds by where the helper's name is passed
        # (clipping: a parameter writer mapped over sequences). Set only when the analysis reads
        # beyond the definition a match sits in through names alone (bindings, classes and their
        # bases, helpers, module-level names, imports): then, given Python's parse of a file only
        # such families' rules check, the engine first parses it without the definitions no name
        # leads to (linter/slicing.py), and again whole only if that finds anything. None: it may
        # read any part of the module, which is parsed whole.
        self.helper_words = helper_words
        self.table: dict[str, Condition] = self._table()

    def _table(self) -> dict[str, Condition]:
        table = {}
        for condition in self.conditions:
            if condition.name in table or condition.name in CORE_CONDITIONS:
                raise TypeError(f"family {self.name}: condition '{condition.name}' is defined twice")
            if isinstance(condition.facts, Mapping):
                if set(condition.facts) - set(condition.values or ()):
                    raise TypeError(f"family {self.name}: condition '{condition.name}' maps facts to values "
                                    "it does not have")
                read = {fact for facts in condition.facts.values() for fact in facts}
            else:
                read = set(condition.facts)
            if read - set(self.fact_keys):
                raise TypeError(f"family {self.name}: condition '{condition.name}' reads unknown facts "
                                f"{sorted(read - set(self.fact_keys))}")
            table[condition.name] = condition
        return table


def attribute_condition(name: str, values: Iterable[Any], views: tuple[type, ...],
                        facts: tuple[str, ...] | Mapping[str, tuple[str, ...]] = (),
                        unaskable: tuple[Any, ...] = ()) -> Condition:
    """A condition answered by the view property of the same name, which returns a member of
    ``values`` (a records.Vocabulary, or an Enum: members with a ``value``): the allowed values
    are the vocabulary's, so the table and the handler cannot disagree.
    One of the family's view classes must define the property (checked at import time); a
    match whose view lacks it (a rule on calls that matched an assignment) does not hold.
    ``unaskable`` members are answers no rule may ask for (the callee of any other call)."""
    lazy = (property, cached_property, functools.cached_property)
    if not any(isinstance(getattr(view, name, None), lazy) for view in views):
        raise TypeError(f"condition '{name}': no view class ({', '.join(view.__name__ for view in views)}) "
                        f"has a property '{name}'")

    def check(view: Any, wanted: frozenset[str]) -> bool:
        if not hasattr(type(view), name):  # a view of another kind of match: does not hold
            return False
        answer = getattr(view, name)  # an error inside the property is the engine's TMS000, not "no"
        return answer is not None and answer.value in wanted

    return Condition(name, frozenset(member.value for member in values if member not in unaskable), check, facts)


def _imports(model: SemanticModel, wanted: frozenset[str]) -> bool:
    return not wanted.isdisjoint(model.imported_packages)


# Conditions every rule may use, answered by the model itself.
CORE_CONDITIONS: dict[str, Condition] = {
    "imports": Condition("imports", None, _imports),  # any top-level package name
}


# The registry: each family's folder, in order. A family is imported when first asked for, so
# that a process imports only the families its rules need (the engine without an original never
# imports the paired ones). ``PAIRED`` names the families whose ``Family.paired`` is set, so the
# engine can leave them out unimported; a family that disagrees fails when it is loaded.
FAMILY_NAMES: tuple[str, ...] = ("clipping", "divergence", "pairs")
PAIRED: frozenset[str] = frozenset({"pairs"})
_LOADED: dict[str, Family] = {}


def family(name: str | None) -> Family | None:
    """The family named ``name`` (imported on first use), or None when there is none."""
    loaded = _LOADED.get(name)  # type: ignore[arg-type]
    if loaded is None and name in FAMILY_NAMES:
        loaded = import_module(f"{__name__}.{name}.family").FAMILY
        if loaded.name != name or loaded.paired != (name in PAIRED):
            raise TypeError(f"family {name}: its folder, its name and PAIRED disagree")
        _LOADED[name] = loaded
    return loaded


def families() -> tuple[Family, ...]:
    """Every family, in the registry's order (imports them all)."""
    return tuple(family(name) for name in FAMILY_NAMES)


def __getattr__(name: str) -> object:
    # FAMILIES and BY_NAME, for the loader, the docs and the tests: every family, imported now.
    if name == "FAMILIES":
        return families()
    if name == "BY_NAME":
        return {each.name: each for each in families()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def family_of(conditions: Iterable[str]) -> tuple[Family | None, list[str]]:
    """The family whose conditions these are (None for core conditions only), and the names that
    no family knows. Raises ValueError naming the two families when they are mixed."""
    owner: Family | None = None
    unknown = []
    for name in conditions:
        if name in CORE_CONDITIONS:
            continue
        family = next((family for family in families() if name in family.table), None)
        if family is None:
            unknown.append(name)
        elif owner is not None and owner is not family:
            raise ValueError(f"conditions of two families in one rule: '{name}' is a {family.name} condition, "
                             f"the others are {owner.name} conditions")
        else:
            owner = family
    return owner, unknown


def all_conditions() -> dict[str, Condition]:
    """Every condition a rule may name: the core ones and each family's."""
    table = dict(CORE_CONDITIONS)
    for each in families():
        table.update(each.table)
    return table
