"""The clipping family's facts (``rules/facts/clipping.yml``, plus a user's additions): clip
functions and their argument slots, gradient functions, where parameters come from and go to,
optimizers, helper maps, and PyTorch's clipping; and what the engine derives from them
(structural utils, prefilter words, other spellings)."""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping

from ...records import DOTTED_NAME, IDENTIFIER, FrozenRecord, Record
from .. import Trigger, roots_of
from ..fact_loading import Slot, add_aliases, entries, entry_name, last, slot

if TYPE_CHECKING:  # loading facts only: a check unpickles them and must not load the YAML checker
    from ...schema import Reader
    from ...yamlfile import LocatedDict

EMPTY: Mapping[str, str] = MappingProxyType({})


class ClipFunction(FrozenRecord):
    __slots__ = _fields = ("name", "value", "minimum", "maximum")

    def __init__(self, name: str, value: Slot, minimum: Slot | None, maximum: Slot | None) -> None:
        self.name = name
        self.value = value
        self.minimum = minimum
        self.maximum = maximum


class GradientFunction(FrozenRecord):
    __slots__ = _fields = ("name", "returns_value", "has_aux")

    def __init__(self, name: str, returns_value: bool, has_aux: Slot) -> None:
        self.name = name
        self.returns_value = returns_value  # value_and_grad returns (value, grads); grad returns grads
        self.has_aux = has_aux


class Facts(Record):
    """Filled by load_facts, from empty."""

    __slots__ = _fields = ("clip_functions", "gradient_functions", "gradient_operations", "parameter_methods",
                           "parameter_attributes", "parameter_functions", "writer_methods", "writer_functions",
                           "gradient_names", "value_names", "optimizer_names", "map_functions", "partial_functions",
                           "optimizer_classes", "torch_functions", "torch_names", "grad_methods", "aliases")

    def __init__(self) -> None:
        self.clip_functions: dict[str, ClipFunction] = {}
        self.gradient_functions: dict[str, GradientFunction] = {}
        self.gradient_operations: set[str] = set()
        self.parameter_methods: set[str] = set()
        self.parameter_attributes: set[str] = set()
        self.parameter_functions: set[str] = set()
        self.writer_methods: set[str] = set()
        self.writer_functions: set[str] = set()
        self.gradient_names: str = ""
        self.value_names: str = ""
        self.optimizer_names: str = ""
        self.map_functions: set[str] = set()
        self.partial_functions: set[str] = set()
        self.optimizer_classes: set[str] = set()
        self.torch_functions: set[str] = set()
        self.torch_names: set[str] = set()
        self.grad_methods: set[str] = set()
        self.aliases: dict[str, str] = {}  # any spelling -> canonical name

    def canonical(self, qualified: str | None) -> str | None:
        if qualified is None:
            return None
        return self.aliases.get(qualified, qualified)


FACT_KEYS = (
    "clip-functions", "gradient-functions", "gradient-operations", "parameter-sources",
    "parameter-writers", "gradient-names", "value-names", "optimizers", "helper-maps", "torch-clipping",
)


# Sections that are lists of names: section -> {key: (Facts attribute, name pattern, or None for a regex)}.
NAME_LIST_FACTS = {
    "parameter-sources": {"methods": ("parameter_methods", IDENTIFIER),
                          "attributes": ("parameter_attributes", IDENTIFIER),
                          "functions": ("parameter_functions", DOTTED_NAME)},
    "parameter-writers": {"methods": ("writer_methods", IDENTIFIER), "functions": ("writer_functions", DOTTED_NAME)},
    "optimizers": {"names": ("optimizer_names", None), "classes": ("optimizer_classes", DOTTED_NAME)},
    "helper-maps": {"maps": ("map_functions", DOTTED_NAME), "partials": ("partial_functions", DOTTED_NAME)},
    "torch-clipping": {"functions": ("torch_functions", DOTTED_NAME),
                       "names-under-mindspore": ("torch_names", IDENTIFIER),
                       "grad-methods": ("grad_methods", IDENTIFIER)},
}
# Regexes matched by ast-grep against a name; a user's value replaces the default.
REGEX_FACTS = {"gradient-names": "gradient_names", "value-names": "value_names"}


def load_facts(data: LocatedDict, reader: Reader, facts: Facts | None = None) -> Facts:
    """Read (or add to) the clipping facts from one YAML mapping."""
    facts = facts or Facts()
    reader.keys(data, FACT_KEYS, "facts")
    for entry in entries(data, "clip-functions", reader):
        reader.keys(entry, ("name", "also", "value", "min", "max"), "a clip function", required=("name", "value"))
        name = entry_name(entry, reader)
        facts.clip_functions[name] = ClipFunction(
            name,
            slot(entry, "value", reader),
            slot(entry, "min", reader) if "min" in entry else None,
            slot(entry, "max", reader) if "max" in entry else None,
        )
        add_aliases(facts.aliases, entry, name, reader)
    for entry in entries(data, "gradient-functions", reader):
        reader.keys(entry, ("name", "also", "returns", "has-aux"), "a gradient function",
                    required=("name", "returns", "has-aux"))
        name = entry_name(entry, reader)
        returns = reader.string(entry, "returns", "a gradient function")
        if returns not in ("gradients", "value-and-gradients"):
            raise reader.fail(entry.line_of("returns"), "'returns' must be 'gradients' or 'value-and-gradients'")
        facts.gradient_functions[name] = GradientFunction(name, returns == "value-and-gradients",
                                                          slot(entry, "has-aux", reader))
        add_aliases(facts.aliases, entry, name, reader)
    for entry in entries(data, "gradient-operations", reader):
        reader.keys(entry, ("name", "also"), "a gradient operation", required=("name",))
        name = entry_name(entry, reader)
        facts.gradient_operations.add(name)
        add_aliases(facts.aliases, entry, name, reader)
    for section, fields in NAME_LIST_FACTS.items():
        if section in data:
            what = f"'{section}'"
            values = reader.mapping(data[section], data.line_of(section), what)
            reader.keys(values, fields, what)
            for key, (attribute, pattern) in fields.items():
                if pattern is None:  # a regex, replacing the default
                    regex = reader.regex(values, key, what)
                    if regex is not None:
                        setattr(facts, attribute, regex)
                else:
                    getattr(facts, attribute).update(reader.strings(values, key, what, pattern))
    for key, attribute in REGEX_FACTS.items():
        regex = reader.regex(data, key, "facts")
        if regex is not None:
            setattr(facts, attribute, regex)
    return facts


def structural_utils(facts: Facts, renamed: Mapping[str, str] = EMPTY) -> dict[str, dict]:
    """ast-grep utils the rules can name with ``matches:``, derived from the facts. ``renamed``
    maps the local names a file imports a function under to its name (``cbv`` ->
    ``clip_by_value`` for ``from mindspore.ops import clip_by_value as cbv``)."""
    clip_words = {last(name) for name in facts.clip_functions} | {
        last(alias) for alias, name in facts.aliases.items() if name in facts.clip_functions}
    torch_words = {last(name) for name in facts.torch_functions} | facts.torch_names
    clip_words, torch_words = (sorted(words | {local for local, name in renamed.items() if name in words})
                               for words in (clip_words, torch_words))
    grad_methods = sorted(facts.grad_methods)
    # ast-grep's regexes are Rust regexes: linear time, and the names are validated identifiers.
    # The search is unanchored, so a word holding another adds nothing (clip_by_value: clip), and
    # ast-grep compiles the regex at every walk: six words 0.16 ms, the two left 0.06 ms.
    clip_regex = "(?i)(" + "|".join(re.escape(word) for word in _holding_no_other(clip_words)) + ")" \
        if clip_words else "$^"
    torch_parts = [r"(^|\.)(" + "|".join(torch_words) + ")$"] if torch_words else []
    if grad_methods:
        torch_parts.append(r"\.grad(\.data)?\.(" + "|".join(grad_methods) + ")$")
    return {
        "clip-call": {"kind": "call", "has": {"field": "function", "regex": clip_regex}},
        "torch-clipping-call": {"kind": "call", "has": {"field": "function", "regex": "|".join(torch_parts) or "$^"}},
    }


def _holding_no_other(words: list[str]) -> list[str]:
    """The words that hold no other one, ignoring ASCII case (a word with another letter is kept)."""
    ascii_lowered = [word.lower() for word in words if word.isascii()]
    return [word for word in words if not word.isascii()
            or not any(other != word.lower() and other in word.lower() for other in ascii_lowered)]


def triggers(facts: Facts, conditions: dict) -> Trigger | None:
    """What a file's text must hold for the rule to possibly match (None: nothing is known)."""
    wanted = conditions.get("callee")
    if not wanted:
        if "value-and-grad-swapped" in conditions.get("unpacking", ()):
            # Only the output of value_and_grad is unpacked the wrong way round.
            names = [name for name in [*facts.gradient_functions, *facts.aliases]
                     if facts.canonical(name) in facts.gradient_functions
                     and facts.gradient_functions[facts.canonical(name)].returns_value]
            return Trigger(frozenset(last(name) for name in names), roots_of(names))
        return None
    words: set[str] = set()
    roots: set[str] | None = set()
    if "clip-function" in wanted:
        names = [*facts.clip_functions,
                 *(alias for alias, name in facts.aliases.items() if name in facts.clip_functions)]
        words |= {last(name) for name in names}
        roots |= roots_of(names)
    if "torch-clipping" in wanted:
        # "clip_" alone is in every "clip_by_value": a grad method counts as called, "clip_(".
        words |= {last(name) for name in facts.torch_functions} | facts.torch_names
        words |= {f"{method}(" for method in facts.grad_methods}
        roots = None  # p.grad.clamp_(...) is torch's method whatever the module imports
    return Trigger(frozenset(words), frozenset(roots) if roots is not None else None)


def helper_words(facts: Facts) -> frozenset[str]:
    """What a helper that writes parameters calls (``F.assign``, ``p.set_data``, ``P.Assign()``):
    the analysis reads every such helper whose name is mapped (``ClippingAnalysis.writing_helpers``)."""
    return frozenset(facts.writer_methods | {last(name) for name in facts.writer_functions})


def aliases(facts: Facts) -> Mapping[str, str]:
    """Each other spelling of a name the facts hold -> that name."""
    return facts.aliases


def known(facts: Facts, qualified: str) -> bool:
    """A qualified name the clipping facts hold (resolves a star-imported name)."""
    return (qualified in facts.clip_functions or qualified in facts.gradient_functions
            or qualified in facts.gradient_operations or qualified in facts.torch_functions
            or qualified in facts.parameter_functions or qualified in facts.writer_functions
            or qualified in facts.optimizer_classes)
