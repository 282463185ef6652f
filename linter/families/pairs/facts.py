"""The pairs family's facts (``rules/facts/pairs.yml``, plus a user's additions): for each PyTorch
API, its MindSpore counterparts, how the behaviour-bearing parameters correspond (positions,
keywords, both frameworks' defaults) and the convention between the two values.

The format is shared with the oracle (tests/oracle/) and described in docs/port-pair.md."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Mapping

from ...records import DOTTED_NAME, IDENTIFIER, FrozenRecord, Record
from .. import Trigger, roots_of
from ..fact_loading import entries, last, qualified_names

if TYPE_CHECKING:  # loading facts only: a check unpickles them and must not load the YAML checker
    from ...schema import Reader
    from ...yamlfile import LocatedDict

FACT_KEYS = ("apis",)
KINDS = ("layer", "function", "method", "optimizer", "scheduler")
CONVENTIONS = ("same", "complement", "kernel-default", "conv-padding", "tanh-flag", "correction")
ENTRY_KEYS = ("torch", "torch-also", "mindspore", "kind", "parameters", "init", "never-agrees", "instead", "kernel")
ROW_KEYS = ("torch", "mindspore", "convention", "padding", "kernel")
SIDE_KEYS = ("position", "keyword", "default")
MINDSPORE_SIDE_KEYS = (*SIDE_KEYS, "rate-keyword")


class _Unknown:
    """A default the facts do not give (no ``default:`` key): the value is unknown, nothing is reported."""

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"  # one object across pickling (the rule cache)


UNKNOWN = _Unknown()


class Side(FrozenRecord):
    """One framework's parameter: where it sits, and its default (a literal; UNKNOWN if not given)."""

    __slots__ = _fields = ("position", "keyword", "default", "rate_keyword")

    def __init__(self, position: int | None, keyword: str | None, default: object = UNKNOWN,
                 rate_keyword: str | None = None) -> None:
        self.position = position
        self.keyword = keyword
        self.default = default
        self.rate_keyword = rate_keyword  # MindSpore: a keyword that takes torch's convention (Dropout's p=)


class Row(FrozenRecord):
    __slots__ = _fields = ("torch", "mindspore", "convention", "padding", "kernel")

    def __init__(self, torch: Side, mindspore: Side, convention: str, padding: Side | None = None,
                 kernel: tuple[Side, Side] | None = None) -> None:
        self.torch = torch
        self.mindspore = mindspore
        self.convention = convention
        self.padding = padding  # conv-padding: MindSpore's `padding` beside `pad_mode`
        self.kernel = kernel  # (torch, mindspore) kernel slots, for this row only


class Api(FrozenRecord):
    __slots__ = _fields = ("torch", "mindspore", "kind", "parameters", "init", "never_agrees", "instead", "kernel")

    def __init__(self, torch: str, mindspore: tuple[str, ...], kind: str, parameters: tuple[Row, ...] = (),
                 init: tuple[str, ...] = (), never_agrees: str | None = None, instead: str | None = None,
                 kernel: tuple[Side, Side] | None = None) -> None:
        self.torch = torch
        self.mindspore = mindspore
        self.kind = kind
        self.parameters = parameters
        self.init = init
        self.never_agrees = never_agrees
        self.instead = instead
        self.kernel = kernel  # (torch, mindspore)

    def kernel_of(self, row: Row) -> tuple[Side, Side] | None:
        return row.kernel or self.kernel


class Facts(Record):
    """Filled by load_facts, from empty."""

    __slots__ = _fields = ("apis", "torch_names", "counterparts")

    def __init__(self) -> None:
        self.apis: dict[str, Api] = {}  # canonical torch name -> entry
        self.torch_names: dict[str, str] = {}  # any torch spelling -> canonical
        self.counterparts: dict[str, set[str]] = {}  # MindSpore name -> canonical torch names

    def torch_api(self, qualified: str | None) -> Api | None:
        name = self.torch_names.get(qualified) if qualified else None
        return self.apis.get(name) if name else None

    def port_apis(self, qualified: str | None) -> list[Api]:
        """The entries whose MindSpore counterparts include this name."""
        return [self.apis[name] for name in sorted(self.counterparts.get(qualified, ()))] if qualified else []


def load_facts(data: LocatedDict, reader: Reader, facts: Facts | None = None) -> Facts:
    """Read (or add to) the pairs facts from one YAML mapping; an entry for a torch API already
    known replaces it (a user's configuration corrects a shipped entry)."""
    facts = facts or Facts()
    reader.keys(data, FACT_KEYS, "facts")
    for entry in entries(data, "apis", reader):
        api = _api(entry, reader)
        old = facts.apis.get(api.torch)
        if old is not None:
            for name in old.mindspore:
                facts.counterparts.get(name, set()).discard(old.torch)
        facts.apis[api.torch] = api
        facts.torch_names[api.torch] = api.torch
        for alias in qualified_names(entry, "torch-also", f"'{api.torch}'", reader):
            facts.torch_names[alias] = api.torch
        for name in api.mindspore:
            facts.counterparts.setdefault(name, set()).add(api.torch)
    return facts


def _api(entry: LocatedDict, reader: Reader) -> Api:
    what = "an entry of 'apis'"
    reader.keys(entry, ENTRY_KEYS, what, required=("torch", "mindspore", "kind"))
    torch = qualified_names(entry, "torch", what, reader)
    if len(torch) != 1:
        raise reader.fail(entry.line_of("torch"), f"'torch' in {what} must be one qualified name")
    name = torch[0]
    what = f"'{name}'"
    mindspore = tuple(qualified_names(entry, "mindspore", what, reader))
    kind = reader.string(entry, "kind", what)
    if kind not in KINDS:
        raise reader.fail(entry.line_of("kind"), f"'kind' of {what} must be one of: {', '.join(KINDS)}")
    never = entry.get("never-agrees")
    if never is not None and (not isinstance(never, str) or not never.strip() or "\n" in never.strip()):
        raise reader.fail(entry.line_of("never-agrees"), f"'never-agrees' of {what} must be one line or null")
    instead = reader.string(entry, "instead", what)
    if instead is not None and not DOTTED_NAME.match(instead):
        raise reader.fail(entry.line_of("instead"), f"'instead' of {what} must be a qualified name")
    init = tuple(reader.strings(entry, "init", what, IDENTIFIER))
    kernel = _kernel(entry, reader, what) if "kernel" in entry else None
    rows = entry.get("parameters") or []
    if not isinstance(rows, list):
        raise reader.fail(entry.line_of("parameters"), f"'parameters' of {what} must be a list")
    parameters = tuple(_row(reader.mapping(row, entry.line_of("parameters"), f"a parameter of {what}"), reader,
                            what) for row in rows)
    for row in parameters:
        if row.convention == "kernel-default" and (row.kernel or kernel) is None:
            raise reader.fail(entry.line_of("parameters"),
                              f"{what} has a 'kernel-default' parameter but no 'kernel' slots")
    return Api(name, mindspore, kind, parameters, init, never.strip() if never else None, instead, kernel)


def _row(row: LocatedDict, reader: Reader, owner: str) -> Row:
    what = f"a parameter of {owner}"
    reader.keys(row, ROW_KEYS, what, required=("torch", "mindspore", "convention"))
    convention = reader.string(row, "convention", what)
    if convention not in CONVENTIONS:
        raise reader.fail(row.line_of("convention"), f"'convention' in {what} must be one of: {', '.join(CONVENTIONS)}")
    torch = _side(row, "torch", reader, SIDE_KEYS)
    mindspore = _side(row, "mindspore", reader, MINDSPORE_SIDE_KEYS)
    padding = _side(row, "padding", reader, SIDE_KEYS) if "padding" in row else None
    if convention == "conv-padding" and padding is None:
        raise reader.fail(row.line, f"{what}: 'conv-padding' needs the MindSpore 'padding' slot beside 'pad_mode'")
    kernel = _kernel(row, reader, what) if "kernel" in row else None
    return Row(torch, mindspore, convention, padding, kernel)


def _side(row: LocatedDict, key: str, reader: Reader, known: tuple[str, ...]) -> Side:
    value = reader.mapping(row[key], row.line_of(key), f"'{key}'")
    reader.keys(value, known, f"'{key}'")
    position = value.get("position")
    if position is not None and (not isinstance(position, int) or isinstance(position, bool) or position < 0):
        raise reader.fail(value.line_of("position"), f"'position' in '{key}' must be a whole number >= 0 or null")
    keyword = reader.string(value, "keyword", f"'{key}'")
    if keyword is not None and not IDENTIFIER.match(keyword):
        raise reader.fail(value.line_of("keyword"), f"'keyword' in '{key}' must be a parameter name")
    if position is None and keyword is None:
        raise reader.fail(value.line, f"'{key}' needs a 'position', a 'keyword' or both")
    default = value.get("default", UNKNOWN)
    if isinstance(default, dict):  # a LocatedDict too
        raise reader.fail(value.line_of("default"), f"'default' in '{key}' must be a literal value")
    if isinstance(default, list):
        default = tuple(default)
    rate = reader.string(value, "rate-keyword", f"'{key}'")
    return Side(position, keyword, default, rate)


def _kernel(holder: LocatedDict, reader: Reader, what: str) -> tuple[Side, Side]:
    """``kernel: {torch: {position, keyword}, mindspore: {...}}``, or one slot for both sides."""
    value = reader.mapping(holder["kernel"], holder.line_of("kernel"), f"'kernel' of {what}")
    if "torch" in value or "mindspore" in value:
        reader.keys(value, ("torch", "mindspore"), f"'kernel' of {what}", required=("torch", "mindspore"))
        return _side(value, "torch", reader, SIDE_KEYS), _side(value, "mindspore", reader, SIDE_KEYS)
    both = _side(holder, "kernel", reader, SIDE_KEYS)
    return both, both


def torch_words(facts: Facts) -> frozenset[str]:
    """The names a call to a torch API the facts know is written with."""
    return frozenset(last(name) for name in facts.torch_names)


def call_words(facts: Facts) -> list[str]:
    """The names a call to a MindSpore counterpart is written with."""
    return sorted({last(name) for name in facts.counterparts if facts.counterparts[name]})


def structural_utils(facts: Facts, renamed: Mapping[str, str]) -> dict[str, dict]:
    """``pair-call``: a call whose callee ends in a counterpart's name (or this file's local name for one)."""
    words = call_words(facts)
    words = sorted(set(words) | {local for local, word in renamed.items() if word in words})
    if not words:
        return {"pair-call": {"kind": "call", "has": {"field": "function", "regex": "$^"}}}
    names = "|".join(re.escape(word) for word in words)
    # Non-capturing groups: ast-grep compiles the rule's regex at every walk, 0.4 ms for these fifty
    # names, an eighth less without the captures nothing reads.
    return {"pair-call": {"kind": "call", "has": {"field": "function", "regex": f"(?:^|\\.)(?:{names})$"}}}


def triggers(facts: Facts, conditions: Mapping[str, frozenset[str]]) -> Trigger | None:
    """A counterpart's name written in code, in a file that names its package. The engine gives
    these rules a trigger that matches nothing when no original tree is configured."""
    words = call_words(facts)
    return Trigger(frozenset(words), roots_of(facts.counterparts) or frozenset({"mindspore"}))
