"""Semantic conditions for the gradient-clipping rules.

A structural match gives a call node; these conditions say what the call means: which function it
resolves to through the module's imports, what it clips (gradients, parameters, the whole output
of a gradient function), what its bounds are and what happens to its result. Every fact they use
(clip functions, gradient and parameter sources, the gradient name pattern) comes from YAML.
Each question is answered lazily and at most once per call, so a rule that needs only the callee
never pays for dataflow.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from functools import cached_property

from ast_grep_py import SgNode

from ..schema import DOTTED_NAME, IDENTIFIER, Reader
from ..yamlfile import LocatedDict
from . import nodes
from .nodes import Arguments

NAME = "clipping"

# Condition name -> the values a rule may ask for.
CONDITIONS: dict[str, frozenset[str] | None] = {
    "callee": frozenset({"clip-function", "torch-clipping"}),
    "imports": None,  # any top-level package name
    "clipped": frozenset({"gradients", "parameters", "whole-grad-output", "other", "unknown"}),
    "bounds": frozenset(
        {"none", "missing", "single-positional", "one-missing", "asymmetric", "empty-or-inverted",
         "mirrored", "unknown"}
    ),
    "result": frozenset({"discarded", "never-read", "written-to-parameters", "used"}),
    # What PyTorch clipping acts on: a torch object made in this module (a parity test's torch
    # model) is torch code doing its job, not a leftover.
    "operand": frozenset({"torch-object", "other"}),
    # How the output of a gradient function is unpacked (rules matching an assignment).
    "unpacking": frozenset({"value-and-grad-swapped", "other"}),
}

# Which facts each condition reads: the "Options" section of a rule's docs page.
CONDITION_FACTS = {
    "imports": (),
    # A clipped value passed on to an optimizer was gradients: 'optimizers' is evidence too.
    "clipped": ("gradient-functions", "gradient-operations", "parameter-sources", "gradient-names", "optimizers",
                "helper-maps"),
    "bounds": ("clip-functions",),
    "result": ("parameter-writers",),
    "operand": (),
    "unpacking": ("gradient-functions", "gradient-names", "value-names"),
}
CALLEE_FACTS = {"clip-function": "clip-functions", "torch-clipping": "torch-clipping"}


def facts_read(conditions: dict[str, frozenset[str]]) -> set[str]:
    found: set[str] = set()
    for name, values in conditions.items():
        if name == "callee":
            found.update(CALLEE_FACTS[value] for value in values)
        else:
            found.update(CONDITION_FACTS[name])
    return found


# --------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Slot:
    """Where an argument sits: its position and its keyword."""

    position: int | None
    keyword: str | None


@dataclass(frozen=True)
class ClipFunction:
    name: str
    value: Slot
    minimum: Slot | None
    maximum: Slot | None


@dataclass(frozen=True)
class GradientFunction:
    name: str
    returns_value: bool  # value_and_grad returns (value, grads); grad returns grads
    has_aux: Slot


@dataclass
class Facts:
    clip_functions: dict[str, ClipFunction] = field(default_factory=dict)
    gradient_functions: dict[str, GradientFunction] = field(default_factory=dict)
    gradient_operations: set[str] = field(default_factory=set)
    parameter_methods: set[str] = field(default_factory=set)
    parameter_attributes: set[str] = field(default_factory=set)
    parameter_functions: set[str] = field(default_factory=set)
    writer_methods: set[str] = field(default_factory=set)
    writer_functions: set[str] = field(default_factory=set)
    gradient_names: str = ""
    value_names: str = ""
    optimizer_names: str = ""
    map_functions: set[str] = field(default_factory=set)
    partial_functions: set[str] = field(default_factory=set)
    optimizer_classes: set[str] = field(default_factory=set)
    torch_functions: set[str] = field(default_factory=set)
    torch_names: set[str] = field(default_factory=set)
    grad_methods: set[str] = field(default_factory=set)
    aliases: dict[str, str] = field(default_factory=dict)  # any spelling -> canonical name

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
    for entry in _entries(data, "clip-functions", reader):
        reader.keys(entry, ("name", "also", "value", "min", "max"), "a clip function", required=("name", "value"))
        name = _name(entry, reader)
        facts.clip_functions[name] = ClipFunction(
            name,
            _slot(entry, "value", reader),
            _slot(entry, "min", reader) if "min" in entry else None,
            _slot(entry, "max", reader) if "max" in entry else None,
        )
        _add_aliases(facts, entry, name, reader)
    for entry in _entries(data, "gradient-functions", reader):
        reader.keys(entry, ("name", "also", "returns", "has-aux"), "a gradient function",
                    required=("name", "returns", "has-aux"))
        name = _name(entry, reader)
        returns = reader.string(entry, "returns", "a gradient function")
        if returns not in ("gradients", "value-and-gradients"):
            raise reader.fail(entry.line_of("returns"), "'returns' must be 'gradients' or 'value-and-gradients'")
        facts.gradient_functions[name] = GradientFunction(name, returns == "value-and-gradients",
                                                          _slot(entry, "has-aux", reader))
        _add_aliases(facts, entry, name, reader)
    for entry in _entries(data, "gradient-operations", reader):
        reader.keys(entry, ("name", "also"), "a gradient operation", required=("name",))
        name = _name(entry, reader)
        facts.gradient_operations.add(name)
        _add_aliases(facts, entry, name, reader)
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


def _entries(data: LocatedDict, key: str, reader: Reader) -> list[LocatedDict]:
    entries = data.get(key, [])
    if not isinstance(entries, list):
        raise reader.fail(data.line_of(key), f"'{key}' must be a list of mappings")
    return [reader.mapping(entry, data.line_of(key), f"an entry of '{key}'") for entry in entries]


def _name(entry: LocatedDict, reader: Reader) -> str:
    return reader.dotted_names(entry, "name", "an entry")[0]


def _add_aliases(facts: Facts, entry: LocatedDict, name: str, reader: Reader) -> None:
    for alias in reader.dotted_names(entry, "also", f"'{name}'"):
        facts.aliases[alias] = name


def _slot(entry: LocatedDict, key: str, reader: Reader) -> Slot:
    value = reader.mapping(entry[key], entry.line_of(key), f"'{key}'")
    reader.keys(value, ("position", "keyword"), f"'{key}'")
    position = value.get("position")
    if position is not None and (not isinstance(position, int) or isinstance(position, bool) or position < 0):
        raise reader.fail(value.line_of("position"), f"'position' in '{key}' must be a whole number >= 0")
    keyword = reader.string(value, "keyword", f"'{key}'")
    if position is None and keyword is None:
        raise reader.fail(value.line, f"'{key}' needs a 'position', a 'keyword' or both")
    return Slot(position, keyword)


def structural_utils(facts: Facts) -> dict[str, dict]:
    """ast-grep utils the rules can name with ``matches:``, derived from the facts."""
    clip_words = sorted({_last(name) for name in facts.clip_functions}
                        | {_last(alias) for alias, name in facts.aliases.items() if name in facts.clip_functions})
    torch_words = sorted({_last(name) for name in facts.torch_functions} | facts.torch_names)
    grad_methods = sorted(facts.grad_methods)
    # ast-grep's regexes are Rust regexes: linear time, and the names are validated identifiers.
    clip_regex = "(?i)(" + "|".join(re.escape(word) for word in clip_words) + ")" if clip_words else "$^"
    torch_parts = [r"(^|\.)(" + "|".join(torch_words) + ")$"] if torch_words else []
    if grad_methods:
        torch_parts.append(r"\.grad(\.data)?\.(" + "|".join(grad_methods) + ")$")
    return {
        "clip-call": {"kind": "call", "has": {"field": "function", "regex": clip_regex}},
        "torch-clipping-call": {"kind": "call", "has": {"field": "function", "regex": "|".join(torch_parts) or "$^"}},
    }


def triggers(facts: Facts, conditions: dict) -> frozenset[str] | None:
    """Words one of which a file must contain for the rule to possibly match, or None."""
    wanted = conditions.get("callee")
    if not wanted:
        if "value-and-grad-swapped" in conditions.get("unpacking", ()):
            # Only the output of value_and_grad is unpacked the wrong way round.
            return frozenset(_last(name) for name in [*facts.gradient_functions, *facts.aliases]
                             if facts.canonical(name) in facts.gradient_functions
                             and facts.gradient_functions[facts.canonical(name)].returns_value)
        return None
    words: set[str] = set()
    if "clip-function" in wanted:
        words |= {_last(name) for name in facts.clip_functions}
    if "torch-clipping" in wanted:
        # "clip_" alone is in every "clip_by_value": a grad method counts as called, "clip_(".
        words |= {_last(name) for name in facts.torch_functions} | facts.torch_names
        words |= {f"{method}(" for method in facts.grad_methods}
    return frozenset(words)


def _last(name: str) -> str:
    return name.removesuffix("()").rsplit(".", 1)[-1]


# --------------------------------------------------------------------------- values

GRADIENTS = "gradients"
PARAMETERS = "parameters"
AUX = "aux"
VALUE = "value"
UNKNOWN = "unknown"
NO_SUCH_ITEM = "no-such-item"  # out[7] of a 2-tuple: known not to be gradients, not unknown
GRAD_OPERATION = "grad-operation"


@dataclass(frozen=True)
class TupleOf:
    items: tuple


@dataclass(frozen=True)
class GradFunctionValue:
    output: object


def _index(kind: object, position: int) -> object:
    if isinstance(kind, TupleOf):
        return kind.items[position] if -len(kind.items) <= position < len(kind.items) else NO_SUCH_ITEM
    return kind if kind in (GRADIENTS, PARAMETERS) else UNKNOWN


def _element(kind: object) -> object:
    return kind if kind in (GRADIENTS, PARAMETERS) else UNKNOWN


def _shape_text(kind: object) -> str:
    if isinstance(kind, TupleOf):
        return "(" + ", ".join(_shape_text(item) for item in kind.items) + ")"
    return {GRADIENTS: "grads", AUX: "aux", VALUE: "value"}.get(kind, "?")


def _holds_non_gradients(kind: object) -> bool:
    if isinstance(kind, TupleOf):
        return any(_holds_non_gradients(item) for item in kind.items)
    return kind in (AUX, VALUE, NO_SUCH_ITEM)


@dataclass(frozen=True)
class Binding:
    position: int  # where the binding takes effect
    source: SgNode | None  # the assigned or iterated expression; None when unknowable
    path: tuple[int, ...] = ()
    iterated: bool = False  # bound to an element of ``source`` (for loops, comprehensions)
    parameter: int | None = None  # the position of a function's parameter (source is None)
    function: SgNode | None = None  # ... and that function


@dataclass(frozen=True)
class MappedParameter:
    kind: object = UNKNOWN
    constant: float | None = None


@dataclass
class NameUses:
    reads: list = field(default_factory=list)  # identifier nodes, in source order
    positions: list = field(default_factory=list)  # their start positions, sorted
    declared_global: bool = False


def _any_in(positions: list[int], windows: list[tuple[int, int]]) -> bool:
    """True when a sorted list of positions has one inside any [start, end) window."""
    for low, high in windows:
        index = bisect.bisect_left(positions, low)
        if index < len(positions) and positions[index] < high:
            return True
    return False


class ModuleAnalysis:
    """Lazily computed knowledge about one module, shared by every call checked in it."""

    def __init__(self, root: SgNode, facts: Facts, path: str | None = None) -> None:
        self.root = root
        self.facts = facts
        # The package a file sits in, for relative imports; known only inside mindspore itself.
        self.package = _mindspore_package(path)
        self._calls: dict = {}
        self._scopes: dict = {}
        self._classes: dict = {}
        self._gradient_name_cache: dict[str, bool] = {}
        self._uses: dict = {}  # scope -> name -> NameUses
        self._positions: dict = {}  # (scope, name) -> positions of its bindings
        self._mapped: dict = {}  # (function, parameter index) -> MappedParameter
        self._read_kinds: dict = {}  # (scope, name, kind) -> sorted positions of such reads

    # ---- imports
    @cached_property
    def imports(self) -> tuple[dict[str, str], list[str]]:
        """Local alias -> qualified name, and the modules star-imported."""
        aliases: dict[str, str] = {}
        stars: list[str] = []
        found = self.root.find_all(any=[{"kind": "import_statement"}, {"kind": "import_from_statement"}])
        # Module-level imports win over ones inside functions, which only fill gaps.
        found.sort(key=lambda stmt: nodes.enclosing_scope(stmt).kind() != "module")
        for statement in found:
            local: dict[str, str] = {}
            if statement.kind() == "import_statement":
                for item in statement.named_children():
                    if item.kind() == "dotted_name":
                        local[item.text().split(".")[0]] = item.text().split(".")[0]
                    elif item.kind() == "aliased_import":
                        local[item.field("alias").text()] = _plain(item.field("name").text())
            else:
                module = _absolute(_plain(statement.field("module_name").text()), self.package)
                for item in statement.named_children()[1:]:
                    if item.kind() == "wildcard_import":
                        stars.append(module)
                    elif item.kind() == "dotted_name":
                        local[item.text()] = f"{module}.{_plain(item.text())}"
                    elif item.kind() == "aliased_import":
                        local[item.field("alias").text()] = f"{module}.{_plain(item.field('name').text())}"
            for alias, qualified in local.items():
                aliases.setdefault(alias, qualified)
        return aliases, stars

    @cached_property
    def imported_packages(self) -> frozenset[str]:
        aliases, stars = self.imports
        return frozenset(name.split(".")[0] for name in [*aliases.values(), *stars])

    # ---- scopes and bindings
    def bindings(self, scope: SgNode) -> dict[str, list[Binding]]:
        scope_key = nodes.key(scope)
        if scope_key not in self._scopes:
            self._scopes[scope_key] = _collect_bindings(scope)
        return self._scopes[scope_key]

    def lookup(self, name_node: SgNode) -> Binding | None:
        """The binding a name refers to where it is used: the latest one before the use."""
        return self.resolve_name(name_node)[0]

    def resolve_name(self, name_node: SgNode) -> tuple[Binding | None, int]:
        """The binding a name refers to, and how many bindings the name has in that scope
        (1: it is never reassigned, so the binding holds wherever the name is read)."""
        name = name_node.text()
        use = nodes.start(name_node)
        nearest = True
        for ancestor in name_node.ancestors():
            kind = ancestor.kind()
            if kind in nodes.COMPREHENSION_KINDS:
                for clause in ancestor.named_children():
                    if clause.kind() == "for_in_clause" and name in _target_names(clause.field("left")):
                        return _target_binding(clause.field("left"), name, clause.field("right"), True), 2
            elif kind in nodes.FUNCTION_KINDS or kind == "module":
                candidates = self.bindings(ancestor).get(name)
                if candidates:
                    if not nearest:  # an enclosing scope's name is read when the function runs, later
                        return candidates[-1], len(candidates)
                    # Bisect, not a scan: a name bound n times and read n times stays O(n log n).
                    positions = self._binding_positions(ancestor, name, candidates)
                    index = bisect.bisect_right(positions, use)
                    return (candidates[index - 1] if index else Binding(use, None)), len(candidates)
                nearest = False
        return None, 0

    def _binding_positions(self, scope: SgNode, name: str, candidates: list[Binding]) -> list[int]:
        cache_key = (nodes.key(scope), name)
        positions = self._positions.get(cache_key)
        if positions is None:
            positions = self._positions[cache_key] = [binding.position for binding in candidates]
        return positions

    def stable_expression(self, node: SgNode, depth: int = 0) -> SgNode:
        """A bound name replaced by the expression it is bound to, when the name is bound once in
        its scope (``low = -clip; high = clip``), so two bounds can be compared by their text."""
        node = nodes.unparenthesize(node)
        if node.kind() != "identifier" or depth > 4:
            return node
        binding, count = self.resolve_name(node)
        if binding is None or count != 1 or binding.source is None or binding.iterated or binding.path:
            return node
        source = nodes.unparenthesize(binding.source)
        if not self.is_stable(source):
            return node
        return self.stable_expression(source, depth + 1)

    def is_stable(self, node: SgNode) -> bool:
        """Every name in the expression is bound at most once (or is a parameter, a global): its
        text means the same value wherever it is read. Calls are never stable (f() may differ)."""
        if node.kind() in ("call", "await", "yield", "named_expression", "lambda"):
            return False
        if node.find(kind="call") is not None:
            return False
        identifiers = [node] if node.kind() == "identifier" else node.find_all(kind="identifier")
        for identifier in identifiers[:nodes.MAX_EXPRESSION_DEPTH]:
            parent = identifier.parent()
            if parent is not None and parent.kind() == "attribute" and nodes.key(
                    parent.field("attribute")) == nodes.key(identifier):
                continue  # an attribute name: its object is checked instead
            if self.resolve_name(identifier)[1] > 1:
                return False
        return len(identifiers) <= nodes.MAX_EXPRESSION_DEPTH

    def name_uses(self, scope: SgNode, name: str) -> NameUses:
        """Where ``name`` is read in ``scope`` (nested functions included), indexed once per scope."""
        scope_key = nodes.key(scope)
        index = self._uses.get(scope_key)
        if index is None:
            index = {}
            for occurrence in scope.find_all(kind="identifier"):
                uses = index.setdefault(occurrence.text(), NameUses())
                parent = occurrence.parent()
                if parent is not None and parent.kind() in ("global_statement", "nonlocal_statement"):
                    uses.declared_global = True
                elif not _is_store(occurrence):
                    uses.reads.append(occurrence)
                    uses.positions.append(nodes.start(occurrence))
            self._uses[scope_key] = index
        return index.get(name) or NameUses()

    def read_positions(self, scope: SgNode, name: str, kind: str) -> list[int]:
        """Sorted positions of the reads of ``name`` that are an argument of a parameter writer
        (kind 'writer') or of an optimizer call (kind 'optimizer'); computed once per name."""
        cache_key = (nodes.key(scope), name, kind)
        if cache_key not in self._read_kinds:
            wanted = self.writes_parameters if kind == "writer" else self.is_optimizer_call
            found = []
            for read in self.name_uses(scope, name).reads:
                if wanted(_receiving_call(read)):
                    found.append(nodes.start(read))
            self._read_kinds[cache_key] = found
        return self._read_kinds[cache_key]

    def writes_parameters(self, call: SgNode | None) -> bool:
        if call is None or call.kind() != "call":
            return False
        callee = call.field("function")
        if callee.kind() == "attribute" and callee.field("attribute").text() in self.facts.writer_methods:
            return True
        return self.qualified_name(callee) in self.facts.writer_functions

    def is_optimizer_call(self, call: SgNode | None) -> bool:
        """``optimizer(grads)``, ``self.opt(grads)``, or a name bound to ``nn.Adam(...)`` called."""
        if call is None or call.kind() != "call":
            return False
        callee = nodes.unparenthesize(call.field("function"))
        name = callee if callee.kind() == "identifier" else (
            callee.field("attribute") if callee.kind() == "attribute" else None)
        if name is None:
            return False
        if self.matches_names(name, self.facts.optimizer_names):
            return True
        made_by = None
        if callee.kind() == "identifier":
            binding = self.lookup(callee)
            if binding is not None and not binding.iterated and not binding.path:
                made_by = binding.source
        elif nodes.dotted(callee) == ["self", name.text()]:
            made_by = self.self_attribute(callee, name.text())
        made_by = nodes.unparenthesize(made_by) if made_by is not None else None
        return (made_by is not None and made_by.kind() == "call"
                and self.qualified_name(made_by.field("function")) in self.facts.optimizer_classes)

    def mapped_parameter(self, function: SgNode | None, index: int, depth: int = 0) -> MappedParameter:
        """What a helper's parameter receives where the helper is mapped over sequences:
        ``hyper_map(F.partial(clip_grad, TYPE, VALUE), grads)`` gives ``clip_grad``'s first two
        parameters the constants and its third the elements of ``grads``. The helper is the
        function itself, or the ``MultitypeFuncGraph`` it is registered on."""
        if function is None or function.kind() != "function_definition" or depth > nodes.MAX_EXPRESSION_DEPTH:
            return MappedParameter()
        cache_key = (nodes.key(function), index)
        if cache_key in self._mapped:
            return self._mapped[cache_key]
        self._mapped[cache_key] = MappedParameter()  # a helper mapped inside itself stays unknown
        kinds, constants = set(), set()
        for map_call, bound in self._helper_uses(function):
            arguments = Arguments(map_call)
            if arguments.opaque:
                kinds.add(UNKNOWN)
                continue
            if index < len(bound):
                constants.add(self.constant(bound[index], depth + 1))
                kinds.add(UNKNOWN)
            elif 1 + index - len(bound) < len(arguments.positional):
                kinds.add(_element(self.classify(arguments.positional[1 + index - len(bound)], depth + 1)))
            else:
                kinds.add(UNKNOWN)
        found = MappedParameter(
            GRADIENTS if GRADIENTS in kinds and PARAMETERS not in kinds else UNKNOWN,
            constants.pop() if len(constants) == 1 else None)
        self._mapped[cache_key] = found
        return found

    def _helper_uses(self, function: SgNode) -> list[tuple[SgNode, list[SgNode]]]:
        """(map call, arguments bound by partial) for each place the helper is mapped."""
        cache_key = ("uses", nodes.key(function))
        if cache_key not in self._mapped:
            self._mapped[cache_key] = self._find_helper_uses(function)
        return self._mapped[cache_key]

    def _find_helper_uses(self, function: SgNode) -> list[tuple[SgNode, list[SgNode]]]:
        names = [function.field("name").text()]
        decorated = function.parent()
        if decorated is not None and decorated.kind() == "decorated_definition":
            for decorator in decorated.children():
                target = decorator.named_children()[0] if decorator.kind() == "decorator" else None
                callee = target.field("function") if target is not None and target.kind() == "call" else None
                parts = nodes.dotted(callee) if callee is not None else None
                if parts and len(parts) == 2 and parts[1] == "register":  # @clip_grad.register("Tensor")
                    names.append(parts[0])
        uses = []
        for name in names:
            for occurrence in self.first_arguments.get(name, ()):
                holder = occurrence.parent().parent()  # partial(helper, ...) or map(helper, ...)
                bound: list[SgNode] = []
                if self._is_fact_call(holder, self.facts.partial_functions):
                    bound = Arguments(holder).positional[1:]
                    argument_list = holder.parent()
                    holder = argument_list.parent() if argument_list is not None and argument_list.kind() == (
                        "argument_list") else None
                    outer = Arguments(holder).positional if holder is not None and holder.kind() == "call" else []
                    if not outer or nodes.key(outer[0]) != nodes.key(occurrence.parent().parent()):
                        continue
                if self._is_fact_call(holder, self.facts.map_functions):
                    uses.append((holder, bound))
        return uses

    @cached_property
    def first_arguments(self) -> dict[str, list[SgNode]]:
        """Names passed as the first argument of a call (``partial(helper, ...)``, ``map(helper, ...)``),
        indexed in one pass over the module so that finding a helper's uses never rescans it."""
        found: dict[str, list[SgNode]] = {}
        for argument_list in self.root.find_all(kind="argument_list"):
            children = [child for child in argument_list.named_children() if child.kind() != "comment"]
            holder = argument_list.parent()
            if children and children[0].kind() == "identifier" and holder is not None and holder.kind() == "call":
                found.setdefault(children[0].text(), []).append(children[0])
        return found

    def _is_fact_call(self, call: SgNode | None, names: set[str]) -> bool:
        if call is None or call.kind() != "call":
            return False
        callee = call.field("function")
        if callee.kind() == "identifier" and callee.text() == "map" and "map" in names and self.lookup(callee) is None:
            return True  # the builtin
        return self.qualified_name(callee) in names

    def class_attributes(self, cls: SgNode) -> dict[str, list[tuple[str, SgNode]]]:
        """``self.X = value`` in the methods of a class: X -> [(method name, value)], __init__ first."""
        class_key = nodes.key(cls)
        if class_key not in self._classes:
            found: dict[str, list[tuple[str, SgNode]]] = {}
            body = cls.field("body")
            for method in (body.find_all(kind="function_definition") if body else []):
                if nodes.enclosing_class(method) is None or nodes.key(nodes.enclosing_class(method)) != class_key:
                    continue
                method_name = method.field("name").text()
                for assignment in method.find_all(kind="assignment"):
                    target = assignment.field("left")
                    value = assignment.field("right")
                    parts = nodes.dotted(target) if target is not None else None
                    if parts and len(parts) == 2 and parts[0] == "self" and value is not None:
                        found.setdefault(parts[1], []).append((method_name, value))
            for entries in found.values():
                entries.sort(key=lambda entry: entry[0] != "__init__")
            self._classes[class_key] = found
        return self._classes[class_key]

    def self_attribute(self, node: SgNode, attribute: str) -> SgNode | None:
        cls = nodes.enclosing_class(node)
        if cls is None:
            return None
        entries = self.class_attributes(cls).get(attribute)
        return entries[0][1] if entries else None

    def class_constant(self, node: SgNode, attribute: str) -> SgNode | None:
        cls = nodes.enclosing_class(node)
        body = cls.field("body") if cls is not None else None
        if body is None:
            return None
        for statement in body.named_children():
            assignment = statement.named_children()[0] if statement.kind() == "expression_statement" else None
            if (assignment is not None and assignment.kind() == "assignment"
                    and assignment.field("left").text() == attribute and assignment.field("right") is not None):
                return assignment.field("right")
        return None

    # ---- names
    def qualified_name(self, node: SgNode, depth: int = 0) -> str | None:
        """The dotted name an expression refers to, through imports and simple aliases."""
        if depth > nodes.MAX_EXPRESSION_DEPTH:
            return None
        node = nodes.unparenthesize(node)
        kind = node.kind()
        if kind == "identifier":
            binding = self.lookup(node)
            if binding is not None:
                if binding.source is None or binding.iterated or binding.path:
                    return None
                return self.qualified_name(binding.source, depth + 1)
            aliases, stars = self.imports
            name = node.text()
            if name in aliases:
                return self.facts.canonical(aliases[name])
            for module in stars:
                candidate = self.facts.canonical(f"{module}.{name}")
                if candidate in self.facts.clip_functions or candidate in self.facts.gradient_functions:
                    return candidate
            return None
        if kind == "attribute":
            obj, attribute = node.field("object"), node.field("attribute").text()
            if obj.kind() == "identifier" and obj.text() == "self":
                value = self.self_attribute(node, attribute)
                return self.qualified_name(value, depth + 1) if value is not None else None
            base = self.qualified_name(obj, depth + 1)
            return self.facts.canonical(f"{base}.{attribute}") if base else None
        if kind == "call":
            base = self.qualified_name(node.field("function"), depth + 1)
            return self.facts.canonical(f"{base}()") if base else None
        return None

    def is_gradient_name(self, name_node: SgNode) -> bool:
        name = name_node.text()
        if name not in self._gradient_name_cache:
            # Matched by ast-grep (a Rust regex, linear time): YAML never reaches Python's re.
            self._gradient_name_cache[name] = bool(self.facts.gradient_names) and name_node.matches(
                regex=self.facts.gradient_names)
        return self._gradient_name_cache[name]

    # ---- what a value is
    def classify(self, node: SgNode | None, depth: int = 0) -> object:
        if node is None or depth > nodes.MAX_EXPRESSION_DEPTH:
            return UNKNOWN
        node = nodes.unparenthesize(node)
        kind = node.kind()
        if kind == "identifier":
            binding = self.lookup(node)
            found = self.classify_binding(binding, depth) if binding is not None else UNKNOWN
            if found == UNKNOWN and binding is not None and binding.parameter is not None:
                found = self.mapped_parameter(binding.function, binding.parameter, depth + 1).kind
            if found == UNKNOWN and self.is_gradient_name(node):
                return GRADIENTS
            return found
        if kind == "attribute":
            obj, attribute = node.field("object"), node.field("attribute")
            if attribute.text() in self.facts.parameter_attributes:
                return PARAMETERS
            if obj.kind() == "identifier" and obj.text() == "self":
                value = self.self_attribute(node, attribute.text())
                found = self.classify(value, depth + 1) if value is not None else UNKNOWN
                if found != UNKNOWN:
                    return found
            return GRADIENTS if self.is_gradient_name(attribute) else UNKNOWN
        if kind == "call":
            return self.classify_call(node, depth)
        if kind == "subscript":
            index = _integer(node.field("subscript"))
            container = self.classify(node.field("value"), depth + 1)
            if index is None:
                return container if container in (GRADIENTS, PARAMETERS) else UNKNOWN
            return _index(container, index)
        if kind in ("tuple", "list"):
            items = [self.classify(item, depth + 1) for item in node.named_children() if item.kind() != "comment"]
            if items and all(item == GRADIENTS for item in items):
                return GRADIENTS
            if items and all(item == PARAMETERS for item in items):
                return PARAMETERS
            return UNKNOWN
        return UNKNOWN

    def classify_binding(self, binding: Binding, depth: int) -> object:
        if binding.source is None:
            return UNKNOWN
        if binding.iterated:
            found = self.iterated_element(binding.source, depth + 1)
        else:
            found = self.classify(binding.source, depth + 1)
        for position in binding.path:
            found = _index(found, position)
        return found

    def iterated_element(self, iterable: SgNode, depth: int) -> object:
        iterable = nodes.unparenthesize(iterable)
        if iterable.kind() == "call" and iterable.field("function").kind() == "identifier":
            function = iterable.field("function").text()
            arguments = Arguments(iterable)
            if function == "zip" and not arguments.opaque:
                return TupleOf(tuple(_element(self.classify(arg, depth + 1)) for arg in arguments.positional))
            if function == "enumerate" and arguments.positional:
                return TupleOf((UNKNOWN, _element(self.classify(arguments.positional[0], depth + 1))))
        return _element(self.classify(iterable, depth + 1))

    def classify_call(self, call: SgNode, depth: int) -> object:
        callee = call.field("function")
        if callee.kind() == "attribute" and callee.field("attribute").text() in self.facts.parameter_methods:
            return PARAMETERS
        qualified = self.qualified_name(callee)
        if qualified in self.facts.parameter_functions:
            return PARAMETERS
        if qualified in self.facts.gradient_functions:
            source = self.facts.gradient_functions[qualified]
            has_aux = _truth(Arguments(call).get(source.has_aux.position, source.has_aux.keyword))
            if has_aux is None:
                # value_and_grad puts the value (alone, or with aux) first and the gradients second
                # whether or not there is aux.
                return GradFunctionValue(TupleOf((VALUE, GRADIENTS)) if source.returns_value else UNKNOWN)
            output = TupleOf((GRADIENTS, AUX)) if has_aux else GRADIENTS
            if source.returns_value:
                output = TupleOf((TupleOf((VALUE, AUX)) if has_aux else VALUE, GRADIENTS))
            return GradFunctionValue(output)
        if qualified in self.facts.gradient_operations:
            return GRAD_OPERATION
        if qualified in self.facts.clip_functions:
            # Clipping keeps what the value was: clipped gradients are still gradients.
            function = self.facts.clip_functions[qualified]
            return self.classify(Arguments(call).get(function.value.position, function.value.keyword), depth + 1)
        if callee.kind() == "identifier" and callee.text() in ("tuple", "list"):
            arguments = Arguments(call)
            return self.classify(arguments.positional[0], depth + 1) if len(arguments.positional) == 1 else UNKNOWN
        called = self.classify(callee, depth + 1)
        if isinstance(called, GradFunctionValue):
            return called.output
        if called == GRAD_OPERATION:
            return GradFunctionValue(GRADIENTS)
        return UNKNOWN

    def from_torch(self, node: SgNode | None, depth: int = 0) -> bool:
        """True when an expression provably derives from an object made by torch: a name bound to
        ``torch.nn.Linear(...)``, its ``.parameters()``, an element of those, its ``.grad``."""
        if node is None or depth > nodes.MAX_EXPRESSION_DEPTH:
            return False
        node = nodes.unparenthesize(node)
        kind = node.kind()
        if kind == "identifier":
            binding = self.lookup(node)
            if binding is None:
                qualified = self.qualified_name(node)
                return qualified is not None and qualified.split(".")[0] == "torch"
            source = binding.source
            if source is not None and binding.iterated and binding.path:
                source = _zipped_argument(source, binding.path[0])
            return self.from_torch(source, depth + 1)
        if kind in ("attribute", "subscript"):
            return self.from_torch(node.field("object" if kind == "attribute" else "value"), depth + 1)
        if kind == "call":
            callee = node.field("function")
            qualified = self.qualified_name(callee)
            if qualified is not None and qualified.split(".")[0] == "torch":
                return True
            if callee.kind() == "identifier" and callee.text() in ("list", "tuple", "iter"):
                arguments = Arguments(node)
                return len(arguments.positional) == 1 and self.from_torch(arguments.positional[0], depth + 1)
            return callee.kind() == "attribute" and self.from_torch(callee.field("object"), depth + 1)
        return False

    # ---- constants
    def constant(self, node: SgNode | None, depth: int = 0) -> float | None:
        if node is None or depth > nodes.MAX_EXPRESSION_DEPTH:
            return None
        node = nodes.unparenthesize(node)
        kind = node.kind()
        if kind in ("integer", "float"):
            return _number(node.text())
        if kind == "unary_operator":
            operand = self.constant(node.field("argument"), depth + 1)
            operator = node.field("operator").text()
            if operand is None or operator not in "+-":
                return None
            return -operand if operator == "-" else operand
        if kind == "binary_operator":
            left = self.constant(node.field("left"), depth + 1)
            right = self.constant(node.field("right"), depth + 1)
            return _arithmetic(left, node.field("operator").text(), right)
        if kind == "identifier":
            binding = self.lookup(node)
            if binding is None or binding.iterated or binding.path:
                return None
            if binding.parameter is not None:  # a helper's bound argument: partial(helper, 1.0)
                return self.mapped_parameter(binding.function, binding.parameter, depth + 1).constant
            return self.constant(binding.source, depth + 1)
        if kind == "attribute":
            parts = nodes.dotted(node)
            if parts and len(parts) == 2:
                owner, attribute = parts
                cls = nodes.enclosing_class(node)
                is_own_class = cls is not None and cls.field("name").text() == owner
                if owner in ("self", "cls") or is_own_class:
                    value = self.class_constant(node, attribute)
                    if value is None and owner == "self":
                        entries = self.class_attributes(cls).get(attribute, []) if cls is not None else []
                        value = entries[0][1] if len(entries) == 1 else None
                    return self.constant(value, depth + 1)
            return None
        if kind == "call" and node.field("function").text() == "float":
            arguments = Arguments(node)
            if len(arguments.positional) == 1 and arguments.positional[0].kind() == "string":
                text = arguments.positional[0].text().strip("'\"").lower()
                return {"inf": math.inf, "-inf": -math.inf, "+inf": math.inf}.get(text)
        return None

    # ---- per call
    def call(self, node: SgNode) -> ClipCall | Unpacking:
        """What a matched node means: a call, or an assignment that unpacks a call's output."""
        call_key = nodes.key(node)
        if call_key not in self._calls:
            self._calls[call_key] = Unpacking(self, node) if node.kind() == "assignment" else ClipCall(self, node)
        return self._calls[call_key]

    def matches_names(self, name_node: SgNode, pattern: str) -> bool:
        # ast-grep's (Rust, linear-time) regex: a pattern from YAML never reaches Python's re.
        return bool(pattern) and name_node.kind() == "identifier" and name_node.matches(regex=pattern)

    def evaluate(self, node: SgNode, conditions: dict[str, frozenset[str]]) -> dict[str, str] | None:
        """Message variables when every condition holds for the call at ``node``, else None."""
        call = self.call(node)
        for name in CONDITION_ORDER:
            wanted = conditions.get(name)
            if wanted is not None and not call.satisfies(name, wanted):
                return None
        return call.variables()

    def fix_variables(self, node: SgNode) -> dict[str, str]:
        """The variables for a fix template: exact source text, never shortened."""
        return self.call(node).variables(exact=True)


CONDITION_ORDER = ("callee", "imports", "result", "bounds", "clipped", "operand", "unpacking")


class Unpacking:
    """An assignment that unpacks a call's output into names: ``grads, loss = grad_fn(x, y)``.

    The finding sits on the assignment, so it points at the names that are wrong, not at the
    call (which is right)."""

    def __init__(self, module: ModuleAnalysis, node: SgNode) -> None:
        self.module = module
        self.node = node
        left = node.field("left")
        self.targets = _unpacked_targets(left) if left is not None else None
        right = node.field("right")
        self.unpacked_call = nodes.unparenthesize(right) if right is not None else None

    def satisfies(self, condition: str, wanted: frozenset[str]) -> bool:
        if condition == "imports":
            return not wanted.isdisjoint(self.module.imported_packages)
        return condition == "unpacking" and self.unpacking in wanted

    @cached_property
    def unpacking(self) -> str:
        call = self.unpacked_call
        if self.targets is None or len(self.targets) != 2 or call is None or call.kind() != "call":
            return "other"
        output = self.module.classify(self.unpacked_call)
        # value_and_grad returns (value, grads), or ((value, aux), grads) with has_aux=True.
        if not (isinstance(output, TupleOf) and len(output.items) == 2 and output.items[1] == GRADIENTS):
            return "other"
        first, second = self.targets
        facts = self.module.facts
        if not self.module.matches_names(first, facts.gradient_names):
            return "other"
        value_target = second
        if second.kind() in nodes.TARGET_PATTERN_KINDS:  # grads, (loss, logits) = ...
            inner = _unpacked_targets(second)
            value_target = inner[0] if inner else second
        return "value-and-grad-swapped" if self.module.matches_names(value_target, facts.value_names) else "other"

    def variables(self, exact: bool = False) -> dict[str, str]:
        short = (lambda text: text) if exact else _short
        left = self.node.field("left").text()
        function = self.unpacked_call.field("function") if self.unpacked_call is not None else None
        found = {"TARGETS": short(left), "FUNC": short(function.text()) if function is not None else "?"}
        if self.targets is not None and len(self.targets) == 2:
            first, second = self.targets
            found["GRADS"] = first.text()
            found["SWAPPED"] = short(f"{second.text()}, {first.text()}")
        return found


def _unpacked_targets(target: SgNode) -> list[SgNode] | None:
    """The elements of a tuple or list target, or None when it is not one (or has a *rest)."""
    target = nodes.unparenthesize(target)
    if target.kind() not in nodes.TARGET_PATTERN_KINDS:
        return None
    elements = [item for item in target.named_children() if item.kind() != "comment"]
    if any(item.kind() in ("list_splat_pattern", "list_splat") for item in elements):
        return None
    return [nodes.unparenthesize(item) for item in elements]


class ClipCall:
    """What one call means; each property is computed on first use."""

    unpacking = "other"  # only an assignment unpacks anything
    equal_through_names = False  # set by the bounds check: `low = c; high = c; clip(x, low, high)`

    def __init__(self, module: ModuleAnalysis, node: SgNode) -> None:
        self.module = module
        self.node = node
        self.arguments = Arguments(node)

    def satisfies(self, condition: str, wanted: frozenset[str]) -> bool:
        if condition == "imports":
            return not wanted.isdisjoint(self.module.imported_packages)
        return getattr(self, condition) in wanted

    @cached_property
    def qualified(self) -> str | None:
        return self.module.qualified_name(self.node.field("function"))

    @cached_property
    def function(self) -> ClipFunction | None:
        return self.module.facts.clip_functions.get(self.qualified) if self.qualified else None

    @cached_property
    def callee(self) -> str:
        if self.function is not None:
            return "clip-function"
        return "torch-clipping" if self._is_torch_clipping() else "other"

    def _is_torch_clipping(self) -> bool:
        facts = self.module.facts
        qualified = self.qualified
        if qualified in facts.torch_functions:
            return True
        if qualified and qualified.split(".")[0] == "mindspore" and _last(qualified) in facts.torch_names:
            return True
        parts = nodes.dotted(self.node.field("function")) or []
        return (len(parts) >= 3 and parts[-1] in facts.grad_methods
                and (parts[-2] == "grad" or parts[-3:-1] == ["grad", "data"]))

    def _argument(self, slot: Slot | None) -> SgNode | None:
        return self.arguments.get(slot.position, slot.keyword) if slot else None

    @cached_property
    def operand(self) -> str:
        """'torch-object' when PyTorch clipping provably acts on a torch object of this module."""
        callee = self.node.field("function")
        if callee.kind() == "attribute" and callee.field("attribute").text() in self.module.facts.grad_methods:
            target = callee.field("object")  # p.grad.clamp_(...): the tensor it is called on
        else:
            target = self.arguments.get(0, "parameters")
        return "torch-object" if target is not None and self.module.from_torch(target) else "other"

    @cached_property
    def value(self) -> SgNode | None:
        return self._argument(self.function.value) if self.function else None

    @cached_property
    def value_kind(self) -> object:
        return self.module.classify(self.value)

    @cached_property
    def clipped(self) -> str:
        kind = self.value_kind
        if kind in (GRADIENTS, PARAMETERS):
            return kind
        if _holds_non_gradients(kind):
            return "whole-grad-output" if isinstance(kind, TupleOf) else "other"
        if kind == UNKNOWN and self.feeds_optimizer:
            return GRADIENTS  # what is clipped and then applied by an optimizer was gradients
        return UNKNOWN

    @cached_property
    def feeds_optimizer(self) -> bool:
        """The clipped result goes to an optimizer call: directly, through a comprehension or a
        tuple around it, or through the local name it is stored in."""
        node, parent = self.node, self.node.parent()
        around = ("parenthesized_expression", "list", "tuple", "list_comprehension", "generator_expression")
        while parent is not None and parent.kind() in around:
            if parent.kind() in ("list_comprehension", "generator_expression") and (
                    parent.field("body") is None or nodes.key(parent.field("body")) != nodes.key(node)):
                return False
            node, parent = parent, parent.parent()
        if parent is None:
            return False
        if parent.kind() in ("keyword_argument", "argument_list"):
            return self.module.is_optimizer_call(_receiving_call(node))
        if parent.kind() == "assignment" and parent.field("left").kind() == "identifier":
            target = parent.field("left")
            scope = nodes.enclosing_scope(target)
            return _any_in(self.module.read_positions(scope, target.text(), "optimizer"), self._read_windows(target))
        return False

    def _read_windows(self, target: SgNode) -> list[tuple[int, int]]:
        """Where a read sees the value stored in ``target``: after the statement, or anywhere in a
        loop around it (the next iteration)."""
        windows = [(target.parent().range().end.index, math.inf)]
        for ancestor in target.ancestors():
            if ancestor.kind() in nodes.FUNCTION_KINDS:
                break
            if ancestor.kind() in ("for_statement", "while_statement"):
                windows.append((nodes.start(ancestor), ancestor.range().end.index))
                break
        return windows

    @cached_property
    def bound_nodes(self) -> tuple[SgNode | None, SgNode | None]:
        function = self.function
        if function is None:
            return None, None
        low, high = self._argument(function.minimum), self._argument(function.maximum)
        return (None if low is None or low.kind() == "none" else low,
                None if high is None or high.kind() == "none" else high)

    @cached_property
    def bounds(self) -> str:
        function = self.function
        if function is None or (function.minimum is None and function.maximum is None):
            return "none"
        if self.arguments.opaque:
            return "unknown"
        low, high = self.bound_nodes
        if low is None and high is None:
            return "missing"
        if low is not None and high is not None:
            return self._both_bounds(low, high)
        if (low is not None and self.arguments.given_positionally(function.minimum.position)
                and len(self.arguments.positional) == function.minimum.position + 1 and not self.arguments.keywords):
            return "single-positional"
        return "one-missing"

    def _both_bounds(self, low: SgNode, high: SgNode) -> str:
        if nodes.tokens(nodes.unparenthesize(low)) == nodes.tokens(nodes.unparenthesize(high)):
            return "empty-or-inverted"
        low_value, high_value = self.module.constant(low), self.module.constant(high)
        if low_value is not None and high_value is not None:
            if low_value >= high_value:
                return "empty-or-inverted"
            return "mirrored" if low_value == -high_value else "asymmetric"
        if _mirrors(low, high):
            return "mirrored"
        if low_value == 0 or high_value == 0:
            return "asymmetric"  # [0, c] is one-sided for any c (and empty when c is 0)
        # Names bound once to expressions: `low = -clip_value; high = clip_value`.
        low_source, high_source = self.module.stable_expression(low), self.module.stable_expression(high)
        if nodes.key(low_source) != nodes.key(nodes.unparenthesize(low)) or nodes.key(high_source) != nodes.key(
                nodes.unparenthesize(high)):
            # Equal text is an empty range only when nothing in it can change in between
            # (no attribute or item that a call could rebind).
            if nodes.tokens(low_source) == nodes.tokens(high_source) and low_source.find(
                    any=[{"kind": "attribute"}, {"kind": "subscript"}]) is None and low_source.kind() not in (
                    "attribute", "subscript"):
                self.equal_through_names = True  # swapping the two names would change nothing
                return "empty-or-inverted"
            if _mirrors(low_source, high_source):
                return "mirrored"
        return "unknown"

    @cached_property
    def result(self) -> str:
        parent = self.node.parent()
        while parent is not None and parent.kind() == "parenthesized_expression":
            parent = parent.parent()
        if parent is None:
            return "used"
        if parent.kind() == "expression_statement":
            return "discarded"
        if parent.kind() == "keyword_argument":
            parent = parent.parent()
        if parent.kind() == "argument_list" and self._writes_parameters(parent.parent()):
            return "written-to-parameters"
        if parent.kind() == "assignment" and parent.field("left").kind() == "identifier":
            return self._stored_result(parent.field("left"))
        return "used"

    def _writes_parameters(self, call: SgNode | None) -> bool:
        return self.module.writes_parameters(call)

    def _stored_result(self, target: SgNode) -> str:
        scope = nodes.enclosing_scope(target)
        if scope.kind() == "module":
            return "used"  # a module-level name may be imported elsewhere
        name = target.text()
        uses = self.module.name_uses(scope, name)
        if uses.declared_global:
            return "used"
        windows = self._read_windows(target)
        if not _any_in(uses.positions, windows):
            return "never-read"
        if _any_in(self.module.read_positions(scope, name, "writer"), windows):
            return "written-to-parameters"
        return "used"

    def variables(self, exact: bool = False) -> dict[str, str]:
        # Messages get shortened one-line texts; fixes (exact=True) need the source text as it is.
        short = (lambda text: text) if exact else _short
        function_text = short(self.node.field("function").text())
        found = {"FUNC": function_text, "VALUE": short(self.value.text()) if self.value is not None else "grads"}
        if self.value is not None and self.value.kind() == "identifier":
            found["VALUE_NAME"] = self.value.text()  # only for a plain name: a fix may assign to it
        low, high = self.bound_nodes
        if low is not None:
            found["MIN"] = short(low.text())
        if high is not None:
            found["MAX"] = short(high.text())
        if exact and self.equal_through_names:
            found.pop("MIN", None)  # no bound to swap in a fix: both names hold the same value
            found.pop("MAX", None)
        given = high if high is not None else low
        if given is not None:
            found["BOUND"] = short(given.text())
            found["GIVEN"] = "maximum" if given is high else "minimum"
            found["MISSING"] = "minimum" if given is high else "maximum"
            # Suggest a symmetric range around the bound's magnitude.
            magnitude = _strip_minus(given)
            found["SUGGESTED_MIN"] = short(_negate(magnitude))
            found["SUGGESTED_MAX"] = short(magnitude)
        if isinstance(self.value_kind, TupleOf):
            found["SHAPE"] = _shape_text(self.value_kind)
        parent = self.node.parent()
        if parent is not None and parent.kind() == "assignment":
            found["NAME"] = parent.field("left").text()
        return found


# --------------------------------------------------------------------------- helpers


BINDING_KINDS = frozenset({"assignment", "augmented_assignment", "for_statement", "named_expression",
                           "as_pattern_target", "function_definition", "class_definition"})


def _collect_bindings(scope: SgNode) -> dict[str, list[Binding]]:
    found: dict[str, list[Binding]] = {}
    parameters = scope.field("parameters")
    for index, name in enumerate(_parameter_names(parameters) if parameters is not None else []):
        found.setdefault(name, []).append(Binding(nodes.start(scope), None, parameter=index, function=scope))
    for node in nodes.walk_scope(scope.field("body") or scope if scope.kind() != "module" else scope, BINDING_KINDS):
        kind = node.kind()
        if kind == "assignment":
            value = node.field("right")
            while value is not None and value.kind() == "assignment":  # a = b = value
                value = value.field("right")
            # A binding takes effect after its value is evaluated: in `g = clip(g)` the argument
            # still refers to the previous `g`.
            _bind(node.field("left"), value, (), False, _end(node), found)
        elif kind == "augmented_assignment":
            _bind(node.field("left"), None, (), False, _end(node), found)
        elif kind == "for_statement":
            _bind(node.field("left"), node.field("right"), (), True, nodes.start(node.field("body")), found)
        elif kind == "named_expression":
            _bind(node.field("name"), node.field("value"), (), False, _end(node), found)
        elif kind == "as_pattern_target":  # with ... as x, except ... as x: nothing known
            for name in node.find_all(kind="identifier"):
                found.setdefault(name.text(), []).append(Binding(nodes.start(node), None))
        elif kind in ("function_definition", "class_definition"):
            name = node.field("name")
            found.setdefault(name.text(), []).append(Binding(nodes.start(node), None))
    for bindings in found.values():
        bindings.sort(key=lambda binding: binding.position)
    return found


def _receiving_call(node: SgNode) -> SgNode | None:
    """The call that receives ``node`` as an argument (by position or keyword), looking through
    parentheses and ``tuple(...)`` / ``list(...)`` around it; None when it is no argument."""
    for _ in range(nodes.MAX_EXPRESSION_DEPTH):
        parent = node.parent()
        while parent is not None and parent.kind() == "parenthesized_expression":
            node, parent = parent, parent.parent()
        if parent is not None and parent.kind() == "keyword_argument":
            node, parent = parent, parent.parent()
        if parent is None or parent.kind() != "argument_list":
            return None
        call = parent.parent()
        callee = call.field("function") if call is not None else None
        if (callee is not None and callee.kind() == "identifier" and callee.text() in ("tuple", "list")
                and len(parent.named_children()) == 1):
            node = call
            continue
        return call
    return None


def _zipped_argument(iterable: SgNode, position: int) -> SgNode | None:
    """What element ``position`` of each item of ``zip(a, b)`` / ``enumerate(a)`` comes from."""
    iterable = nodes.unparenthesize(iterable)
    if iterable.kind() != "call" or iterable.field("function").kind() != "identifier":
        return None
    function, arguments = iterable.field("function").text(), Arguments(iterable)
    if function == "zip" and not arguments.opaque and position < len(arguments.positional):
        return arguments.positional[position]
    if function == "enumerate" and position == 1 and arguments.positional:
        return arguments.positional[0]
    return None


def _end(node: SgNode) -> int:
    return node.range().end.index


def _bind(target: SgNode | None, source: SgNode | None, path: tuple[int, ...], iterated: bool, position: int,
          found: dict[str, list[Binding]]) -> None:
    if target is None:
        return
    target = nodes.unparenthesize(target)
    kind = target.kind()
    if kind == "identifier":
        found.setdefault(target.text(), []).append(Binding(position, source, path, iterated))
    elif kind in nodes.TARGET_PATTERN_KINDS:
        elements = [item for item in target.named_children() if item.kind() != "comment"]
        starred = False
        for index, element in enumerate(elements):
            if element.kind() in ("list_splat_pattern", "list_splat"):
                starred = True
            _bind(element, None if starred else source, (*path, index), iterated, position, found)
    elif kind in ("list_splat_pattern", "list_splat"):
        for name in target.named_children():
            _bind(name, None, path, iterated, position, found)


def _target_names(target: SgNode | None) -> set[str]:
    if target is None:
        return set()
    if target.kind() == "identifier":
        return {target.text()}
    return {name.text() for name in target.find_all(kind="identifier")}


def _target_binding(target: SgNode, name: str, source: SgNode, iterated: bool) -> Binding | None:
    found: dict[str, list[Binding]] = {}
    _bind(target, source, (), iterated, nodes.start(target), found)
    return found[name][0] if name in found else Binding(nodes.start(target), None)


def _parameter_names(parameters: SgNode) -> list[str]:
    names = []
    for parameter in parameters.named_children():
        if parameter.kind() == "identifier":
            names.append(parameter.text())
        else:
            name = parameter.field("name")
            if name is None:
                identifiers = [child for child in parameter.named_children() if child.kind() == "identifier"]
                name = identifiers[0] if identifiers else None
            if name is not None:
                names.append(name.text())
    return names


def _is_store(identifier: SgNode) -> bool:
    """True where an identifier is written (or is a keyword/attribute name), not read."""
    parent = identifier.parent()
    if parent is None:
        return False
    kind = parent.kind()
    if kind == "attribute":
        return parent.field("attribute") is not None and nodes.key(parent.field("attribute")) == nodes.key(identifier)
    if kind == "keyword_argument":
        return nodes.key(parent.field("name")) == nodes.key(identifier)
    if kind in ("global_statement", "nonlocal_statement", "parameters", "default_parameter", "typed_parameter",
                "typed_default_parameter", "lambda_parameters"):
        return True
    node = identifier
    while parent is not None and parent.kind() in nodes.TARGET_PATTERN_KINDS | {"parenthesized_expression"}:
        node, parent = parent, parent.parent()
    if parent is not None and parent.kind() in ("assignment", "for_statement", "for_in_clause"):
        left = parent.field("left")
        return left is not None and nodes.key(left) == nodes.key(node)
    return False


def _mirrors(low: SgNode, high: SgNode, depth: int = 0) -> bool:
    """True when ``low`` is ``high`` with exactly one subexpression negated (``-E`` against ``E``)."""
    if depth > nodes.MAX_EXPRESSION_DEPTH:
        return False
    low, high = nodes.unparenthesize(low), nodes.unparenthesize(high)
    if low.kind() == "unary_operator" and low.field("operator").text() == "-":
        if nodes.tokens(nodes.unparenthesize(low.field("argument"))) == nodes.tokens(high):
            return True
    low_children, high_children = low.children(), high.children()
    if low.kind() != high.kind() or len(low_children) != len(high_children) or not low_children:
        return False
    different = [(a, b) for a, b in zip(low_children, high_children) if nodes.tokens(a) != nodes.tokens(b)]
    return len(different) == 1 and _mirrors(*different[0], depth + 1)


def _plain(module: str) -> str:
    return "".join(module.split())


def _mindspore_package(path: str | None) -> tuple[str, ...] | None:
    """``('mindspore', 'nn', 'optim')`` for .../mindspore/nn/optim/thor.py, else None.

    Only MindSpore's own sources are resolved: there a relative import such as
    ``from ..ops import composite as C`` names the same functions as the facts. The innermost
    ``mindspore`` folder wins (a checkout at ~/mindspore/mindspore/... has two)."""
    if not path:
        return None
    parts = re.split(r"[\\/]", path)[:-1]
    for index in range(len(parts) - 1, -1, -1):
        if parts[index] == "mindspore":
            package = tuple(parts[index:])
            return package if all(IDENTIFIER.match(part) for part in package) else None
    return None


def _absolute(module: str, package: tuple[str, ...] | None) -> str:
    """A relative module name made absolute against ``package`` (left relative when unknown)."""
    level = len(module) - len(module.lstrip("."))
    if not level or package is None or level > len(package):
        return module
    base = package[: len(package) - level + 1]
    rest = module[level:]
    return ".".join(base + ((rest,) if rest else ()))


def _truth(node: SgNode | None) -> bool | None:
    if node is None:
        return False
    text = nodes.unparenthesize(node).text()
    return {"True": True, "False": False, "None": False}.get(text)


def _integer(node: SgNode | None) -> int | None:
    if node is None:
        return None
    node = nodes.unparenthesize(node)
    if node.kind() == "integer":
        value = _number(node.text())
        return int(value) if value is not None else None
    if node.kind() == "unary_operator" and node.field("operator").text() == "-":
        inner = _integer(node.field("argument"))
        return -inner if inner is not None else None
    return None


def _number(text: str) -> float | None:
    text = text.replace("_", "").lower()
    try:
        if text.endswith(("j", "l")):
            return None
        if text.startswith(("0x", "0o", "0b")):
            return float(int(text, 0))
        return float(text)
    except (ValueError, OverflowError):
        return None


def _arithmetic(left: float | None, operator: str, right: float | None) -> float | None:
    if left is None or right is None:
        return None
    try:
        if operator == "+":
            return left + right
        if operator == "-":
            return left - right
        if operator == "*":
            return left * right
        if operator == "/":
            return left / right
    except (ZeroDivisionError, OverflowError):
        return None
    return None


def _strip_minus(node: SgNode) -> str:
    node = nodes.unparenthesize(node)
    if node.kind() == "unary_operator" and node.field("operator").text() == "-":
        return node.field("argument").text()
    return node.text()


def _negate(text: str) -> str:
    simple = IDENTIFIER.match(text) or re.fullmatch(r"[\w.]+", text)
    return f"-{text}" if simple else f"-({text})"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
