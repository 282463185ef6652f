"""The divergence family's facts (``rules/facts/divergence.yml``, plus a user's additions): the
MindSpore APIs that keep torch's names but not torch's meaning, where their arguments sit, and
what the engine derives from them (structural utils, prefilter words, other spellings)."""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping

from ...prefilter import positional_first
from ...records import DOTTED_NAME, IDENTIFIER, FrozenRecord, Record
from .. import CallShapes, Trigger, roots_of
from ..fact_loading import Slot, add_aliases, entries, entry_name, last, slot
from .values import HALF, Dropout, Momentum, Stride

if TYPE_CHECKING:  # loading facts only: a check unpickles them and must not load the YAML checker
    from ...schema import Reader
    from ...yamlfile import LocatedDict

EMPTY: Mapping[str, str] = MappingProxyType({})


class KeepProbDropout(FrozenRecord):
    __slots__ = _fields = ("name", "keep_prob", "rate")

    def __init__(self, name: str, keep_prob: Slot, rate: Slot | None) -> None:
        self.name = name
        self.keep_prob = keep_prob
        self.rate = rate  # the keyword that takes torch's rate (the fix); None: write keep_prob=1 - rate


class BatchNorm(FrozenRecord):
    __slots__ = _fields = ("name", "eps", "momentum", "frozen")

    def __init__(self, name: str, eps: Slot, momentum: Slot, frozen: Slot) -> None:
        self.name = name
        self.eps = eps
        self.momentum = momentum
        self.frozen = frozen  # use_batch_statistics: False never updates the statistics


class StrideOnePool(FrozenRecord):
    __slots__ = _fields = ("name", "kernel", "stride", "padding_mode")

    def __init__(self, name: str, kernel: Slot, stride: Slot, padding_mode: Slot | None) -> None:
        self.name = name
        self.kernel = kernel
        self.stride = stride
        self.padding_mode = padding_mode  # pad_mode: "same" without a stride is a stride-1 pool on purpose


class ShapeWindow(FrozenRecord):
    """A layer that slides a window over the map: how it changes the size, in the shape walk."""

    __slots__ = _fields = ("name", "dims", "kernel", "stride", "padding_mode", "padding", "dilation", "in_channels",
                           "out_channels", "default_mode")

    def __init__(self, name: str, dims: int, kernel: Slot, stride: Slot, padding_mode: Slot | None,
                 padding: Slot | None, dilation: Slot | None, in_channels: Slot | None, out_channels: Slot | None,
                 default_mode: str) -> None:
        self.name = name
        self.dims = dims
        self.kernel = kernel
        self.stride = stride
        self.padding_mode = padding_mode
        self.padding = padding
        self.dilation = dilation
        self.in_channels = in_channels
        self.out_channels = out_channels  # None: keeps the channels (a pool)
        self.default_mode = default_mode  # the padding mode when none is given: "same" or "valid"


class ShapeDense(FrozenRecord):
    __slots__ = _fields = ("name", "in_channels")

    def __init__(self, name: str, in_channels: Slot) -> None:
        self.name = name
        self.in_channels = in_channels


class ReplacementSampler(FrozenRecord):
    __slots__ = _fields = ("name", "samples", "replacement")

    def __init__(self, name: str, samples: Slot, replacement: Slot) -> None:
        self.name = name
        self.samples = samples
        self.replacement = replacement


# Each section of entries: (its key, the entry's slot keys: required, optional).
ENTRY_SECTIONS = {
    "keep-prob-dropouts": (("keep-prob",), ("rate",)),
    "batch-norms": (("eps", "momentum", "frozen"), ()),
    "stride-one-pools": (("kernel", "stride"), ("padding-mode",)),
    "replacement-samplers": (("samples", "replacement"), ()),
    "index-value-reductions": ((), ()),
}
# The shape walk (TMS303): its sections, and the lists of names among them.
WINDOW_SLOTS = (("kernel", "stride"), ("padding-mode", "padding", "dilation", "in-channels", "out-channels"))
SHAPE_NAME_LISTS = {"shape-keeping": "keeping", "shape-flattens": "flattens", "shape-reshapes": "reshapes",
                    "shape-sequences": "sequences"}
SHAPE_METHOD_LISTS = {"shape-reshape-methods": "reshape_methods", "shape-flatten-methods": "flatten_methods"}
PADDING_MODES = ("same", "valid")
FACT_KEYS = (*ENTRY_SECTIONS, "values-only-reductions", "argmax-index-names", "argmax-value-names",
             "torch-convention", "shape-windows", "shape-denses", *SHAPE_NAME_LISTS, *SHAPE_METHOD_LISTS,
             "torch-habits")
REGEX_FACTS = {"argmax-index-names": "index_names", "argmax-value-names": "value_names"}


class Facts(Record):
    """Filled by load_facts, from empty."""

    __slots__ = _fields = ("dropouts", "batch_norms", "pools", "samplers", "index_value_reductions",
                           "reduction_methods", "reduction_axis", "reduction_indices", "reduction_dim",
                           "index_names", "value_names", "torch_convention", "aliases", "windows", "denses",
                           "keeping", "flattens", "reshapes", "sequences", "reshape_methods", "flatten_methods",
                           "habit_modules", "habit_methods")

    def __init__(self) -> None:
        self.dropouts: dict[str, KeepProbDropout] = {}
        self.batch_norms: dict[str, BatchNorm] = {}
        self.pools: dict[str, StrideOnePool] = {}
        self.samplers: dict[str, ReplacementSampler] = {}
        self.index_value_reductions: set[str] = set()
        self.reduction_methods: set[str] = set()  # max, min
        self.reduction_axis: str = "axis"  # the keyword of the values-only overload
        self.reduction_indices: str = "return_indices"  # the keyword that asks for indices too
        self.reduction_dim: str = "dim"  # the keyword of the (values, indices) overload: the fix
        self.index_names: str = ""
        self.value_names: str = ""
        self.torch_convention: set[str] = set()
        self.aliases: dict[str, str] = {}  # any spelling -> canonical name
        self.windows: dict[str, ShapeWindow] = {}
        self.denses: dict[str, ShapeDense] = {}
        self.keeping: set[str] = set()
        self.flattens: set[str] = set()
        self.reshapes: set[str] = set()  # reshape(x, (batch, -1)) flattens
        self.sequences: set[str] = set()
        self.reshape_methods: set[str] = set()
        self.flatten_methods: set[str] = set()
        self.habit_modules: set[str] = set()
        self.habit_methods: set[str] = set()

    def canonical(self, qualified: str | None) -> str | None:
        if qualified is None:
            return None
        return self.aliases.get(qualified, qualified)

    def sections(self) -> dict[str, dict | set]:
        """The named APIs of each section (for prefilter words and structural utils)."""
        return {"keep-prob-dropouts": self.dropouts, "batch-norms": self.batch_norms,
                "stride-one-pools": self.pools, "replacement-samplers": self.samplers,
                "index-value-reductions": self.index_value_reductions}


def load_facts(data: LocatedDict, reader: Reader, facts: Facts | None = None) -> Facts:
    """Read (or add to) the divergence facts from one YAML mapping."""
    facts = facts or Facts()
    reader.keys(data, FACT_KEYS, "facts")
    for section, (required, optional) in ENTRY_SECTIONS.items():
        for entry in entries(data, section, reader):
            what = f"an entry of '{section}'"
            reader.keys(entry, ("name", "also", *required, *optional), what, required=("name", *required))
            name = entry_name(entry, reader)
            slots = {key: slot(entry, key, reader) for key in (*required, *optional) if key in entry}
            if section == "keep-prob-dropouts":
                facts.dropouts[name] = KeepProbDropout(name, slots["keep-prob"], slots.get("rate"))
            elif section == "batch-norms":
                facts.batch_norms[name] = BatchNorm(name, slots["eps"], slots["momentum"], slots["frozen"])
            elif section == "stride-one-pools":
                facts.pools[name] = StrideOnePool(name, slots["kernel"], slots["stride"], slots.get("padding-mode"))
            elif section == "replacement-samplers":
                facts.samplers[name] = ReplacementSampler(name, slots["samples"], slots["replacement"])
            else:
                if not name.endswith("()"):
                    raise reader.fail(entry.line_of("name"), f"'{name}' in '{section}' must end in '()': the "
                                                             "instance is called, ops.ArgMaxWithValue(axis=1)(x)")
                facts.index_value_reductions.add(name)
            add_aliases(facts.aliases, entry, name, reader)
    if "values-only-reductions" in data:
        what = "'values-only-reductions'"
        values = reader.mapping(data["values-only-reductions"], data.line_of("values-only-reductions"), what)
        reader.keys(values, ("methods", "axis", "dim", "indices"), what)
        facts.reduction_methods.update(reader.strings(values, "methods", what, IDENTIFIER))
        for key, attribute in (("axis", "reduction_axis"), ("dim", "reduction_dim"),
                               ("indices", "reduction_indices")):
            keyword = reader.string(values, key, what)
            if keyword is not None:
                if not IDENTIFIER.match(keyword):
                    raise reader.fail(values.line_of(key), f"'{key}' in {what} must be a keyword name")
                setattr(facts, attribute, keyword)
    for key, attribute in REGEX_FACTS.items():
        regex = reader.regex(data, key, "facts")
        if regex is not None:
            setattr(facts, attribute, regex)
    facts.torch_convention.update(reader.strings(data, "torch-convention", "facts", DOTTED_NAME))
    _load_shape_facts(data, reader, facts)
    diverging = set(facts.aliases) | {name for named in facts.sections().values() for name in named}
    both = facts.torch_convention & diverging
    if both:
        raise reader.fail(data.line_of("torch-convention"),
                          f"'{sorted(both)[0]}' is listed both as taking torch's convention and as diverging from it")
    return facts


def _load_shape_facts(data: LocatedDict, reader: Reader, facts: Facts) -> None:
    required, optional = WINDOW_SLOTS
    for entry in entries(data, "shape-windows", reader):
        what = "an entry of 'shape-windows'"
        reader.keys(entry, ("name", "also", "dims", "default-mode", *required, *optional), what,
                    required=("name", "dims", "default-mode", *required))
        name = entry_name(entry, reader)
        dims = entry["dims"]
        if not isinstance(dims, int) or isinstance(dims, bool) or not 1 <= dims <= 3:
            raise reader.fail(entry.line_of("dims"), f"'dims' of '{name}' must be 1, 2 or 3")
        mode = reader.string(entry, "default-mode", what)
        if mode not in PADDING_MODES:
            raise reader.fail(entry.line_of("default-mode"), f"'default-mode' of '{name}' must be one of "
                                                             f"{', '.join(PADDING_MODES)}")
        slots = {key: slot(entry, key, reader) for key in (*required, *optional) if key in entry}
        facts.windows[name] = ShapeWindow(name, dims, slots["kernel"], slots["stride"], slots.get("padding-mode"),
                                          slots.get("padding"), slots.get("dilation"), slots.get("in-channels"),
                                          slots.get("out-channels"), mode)
        add_aliases(facts.aliases, entry, name, reader)
    for entry in entries(data, "shape-denses", reader):
        reader.keys(entry, ("name", "also", "in-channels"), "an entry of 'shape-denses'",
                    required=("name", "in-channels"))
        name = entry_name(entry, reader)
        facts.denses[name] = ShapeDense(name, slot(entry, "in-channels", reader))
        add_aliases(facts.aliases, entry, name, reader)
    for key, attribute in SHAPE_NAME_LISTS.items():
        getattr(facts, attribute).update(reader.strings(data, key, "facts", DOTTED_NAME))
    for key, attribute in SHAPE_METHOD_LISTS.items():
        getattr(facts, attribute).update(reader.strings(data, key, "facts", IDENTIFIER))
    if "torch-habits" in data:
        what = "'torch-habits'"
        habits = reader.mapping(data["torch-habits"], data.line_of("torch-habits"), what)
        reader.keys(habits, ("modules", "cell-methods"), what)
        facts.habit_modules.update(reader.strings(habits, "modules", what, DOTTED_NAME))
        facts.habit_methods.update(reader.strings(habits, "cell-methods", what, IDENTIFIER))


def call_words(facts: Facts, section: str, renamed: Mapping[str, str] = EMPTY) -> list[str]:
    """The names a call to one of the section's APIs is written with, and this file's local
    names for them."""
    named = facts.sections()[section]
    words = {last(name) for name in named} | {last(alias) for alias, name in facts.aliases.items() if name in named}
    return sorted(words | {local for local, word in renamed.items() if word in words})


def _call_util(words: list[str], suffix: bool) -> dict:
    """A call whose callee ends in one of ``words``; with ``suffix``, also a class whose name
    ends in one (``MaskedBatchNorm2d``: a subclass the model may resolve to the base)."""
    if not words:
        return {"kind": "call", "has": {"field": "function", "regex": "$^"}}
    names = "|".join(re.escape(word) for word in words)
    regex = f"({names})$" if suffix else f"(^|\\.)({names})$"
    return {"kind": "call", "has": {"field": "function", "regex": regex}}


def structural_utils(facts: Facts, renamed: Mapping[str, str] = EMPTY) -> dict[str, dict]:
    """ast-grep utils the rules name with ``matches:``, derived from the facts. Layers (classes)
    match by suffix, so a subclass named after its base reaches the conditions."""
    methods = sorted(facts.reduction_methods)
    method_regex = "^(" + "|".join(methods) + ")$" if methods else "$^"
    return {
        "keep-prob-dropout-call": _call_util(call_words(facts, "keep-prob-dropouts", renamed), suffix=True),
        "batch-norm-call": _call_util(call_words(facts, "batch-norms", renamed), suffix=True),
        "stride-one-pool-call": _call_util(call_words(facts, "stride-one-pools", renamed), suffix=True),
        "replacement-sampler-call": _call_util(call_words(facts, "replacement-samplers", renamed), suffix=False),
        # x.max(axis=1)[0]: a subscript of a method call that passes the values-only overload's keyword.
        "values-only-reduction-indexed": {
            "kind": "subscript",
            "has": {"field": "value", "kind": "call", "all": [
                {"has": {"field": "function", "kind": "attribute",
                         "has": {"field": "attribute", "regex": method_regex}}},
                {"has": {"field": "arguments", "has": {"kind": "keyword_argument", "has": {
                    "field": "name", "regex": f"^{re.escape(facts.reduction_axis)}$"}}}},
            ]},
        },
    }


# Conditions -> the sections whose names a file must hold for a rule asking for them to match.
TRIGGER_SECTIONS = {"dropout": "keep-prob-dropouts", "momentum": "batch-norms", "stride": "stride-one-pools",
                    "replacement": "replacement-samplers", "order": "index-value-reductions"}


POSITIONAL_DROPOUT = frozenset({Dropout.RATE_AS_KEEP_PROB.value, Dropout.GUARDED_RATE.value, Dropout.KEEP_PROB.value})
MINDSPORE = "mindspore"


def triggers(facts: Facts, conditions: Mapping[str, frozenset[str]]) -> Trigger | None:
    """What a file's text must hold for the rule to possibly match (None: nothing is known)."""
    words: set[str] | None = None
    roots: set[str] = set()
    for condition, section in TRIGGER_SECTIONS.items():
        if condition in conditions:
            found = set(call_words(facts, section))
            words = found if words is None else words & found
            named = facts.sections()[section]
            roots |= roots_of([*named, *(alias for alias, name in facts.aliases.items() if name in named)])
    if "reduction" in conditions:
        # `max(axis`: the values-only overload written as every call of it in the corpus is,
        # axis= first and no line break after the parenthesis. `.max` alone would keep 211 more
        # files of the 7,330 (every np.max and ops.max); `x.max(keepdims=True, axis=1)[0]` in a
        # file with no other trigger word is the price: a documented miss.
        found = {f"{method}({facts.reduction_axis}" for method in facts.reduction_methods}
        words = found if words is None else words & found
        roots.add(MINDSPORE)  # the tensor must come from a MindSpore call (analysis.Origin)
    if words is None:
        return None
    # Only these answers need the keep probability written positionally, as `Dropout(0.1)`.
    positional = (set(conditions) == {"dropout"} and conditions["dropout"] <= POSITIONAL_DROPOUT
                  and all(api.keep_prob.position == 0 for api in facts.dropouts.values()))
    # TMS306's view (views.OutputUnpacking) names the primitive only by the callee's qualified name,
    # which never looks into a call's arguments: `_get_cache_prim(ArgMaxWithValue)` cannot be one
    # (mindnlp's three generated legacy.py, 3,500 lines each, hold nothing else).
    in_arguments = set(conditions) != {"order"}
    return Trigger(frozenset(words), frozenset(roots), positional_first() if positional else None, in_arguments,
                   call_shapes(facts, conditions))


# Condition -> its values that hold only for a call passing (True) or leaving out (False) one
# argument, the API's field that holds that argument's slot in the condition's section, and the
# bound (views.DivergenceCall: a momentum below 0.5 is written out; a pool strides by 1 only
# without a stride).
ARGUMENT_VALUES = {
    # A momentum below 0.5 (views.DivergenceCall.momentum: a number written out that is 0.5 or
    # more, or below 0, is MindSpore's convention or unknown).
    "momentum": {Momentum.TORCH_CONVENTION.value: (True, "momentum", HALF),
                 Momentum.SWAPPED_WITH_EPS.value: (True, "momentum", HALF),
                 Momentum.ASSERTED_BY_TEST.value: (True, "momentum", HALF),
                 Momentum.FROZEN.value: (True, "frozen", None)},
    "stride": {Stride.DEFAULTS_TO_ONE.value: (False, "stride", None),
               Stride.SAME_PADDING.value: (False, "stride", None),
               Stride.KERNEL_ONE.value: (False, "stride", None),
               Stride.GIVEN.value: (True, "stride", None)},
}
ARGUMENT_SECTIONS = {"momentum": "batch-norms", "stride": "stride-one-pools"}


def call_shapes(facts: Facts, conditions: Mapping[str, frozenset[str]]) -> CallShapes | None:
    """What a matched call's own arguments must be for the rule's momentum or stride to hold
    (Trigger.calls), or None: a value asked for that any call may give (unknown, the default)."""
    for condition, values in ARGUMENT_VALUES.items():
        wanted = conditions.get(condition)
        if wanted is None or not wanted <= values.keys():
            continue
        section = facts.sections()[ARGUMENT_SECTIONS[condition]]
        spellings = [*section, *(alias for alias, name in facts.aliases.items() if name in section)]
        if any(spelling.endswith("()") for spelling in spellings):
            return None  # an instance's call (`bn = ops.BatchNorm(...)`, then `bn(x, ...)`): not the word's
        shapes = set()
        for name, api in section.items():
            names = tuple(sorted({last(spelling) for spelling in spellings
                                  if spelling == name or facts.aliases.get(spelling) == name}))
            for value in wanted:
                passed, field, below = values[value]
                argument = getattr(api, field)
                slot = (argument.position, argument.keyword)
                shapes.add((names, (slot,), (), below) if passed else (names, (), (slot,), None))
        return tuple(sorted(shapes, key=repr))
    return None


def aliases(facts: Facts) -> Mapping[str, str]:
    """Each other spelling of a name the facts hold -> that name."""
    return facts.aliases


def known(facts: Facts, qualified: str) -> bool:
    """A qualified name the divergence facts hold (resolves a star-imported name)."""
    spellings = (qualified, qualified + "()")  # a primitive's class: its instance is what the facts name
    shape_names = (facts.windows, facts.denses, facts.keeping, facts.flattens, facts.reshapes, facts.sequences)
    return any(spelling in facts.aliases or any(spelling in named for named in facts.sections().values())
               or any(spelling in named for named in shape_names)
               for spelling in spellings)
