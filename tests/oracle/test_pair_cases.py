"""The port-pair facts and their oracle cases stay in step without installing MindSpore or torch:
the facts file keeps the design's format (closed sets of keys, kinds and conventions), every
parameter row and every never-agreeing entry has a case the oracle runs (tests/oracle/pair_cases.py),
and no case names an entry or a row that does not exist. The oracle itself runs under `tox -e oracle`.

The format check is deliberately small and stands alone; the pairs family's loader supersedes it.
"""

from __future__ import annotations

import copy
import re

import pytest
import yaml

from oracle.pair_cases import CASES, FACTS, NeverAgrees, Row, Trap

KINDS = {"layer", "function", "method", "optimizer", "scheduler"}
CONVENTIONS = {"same", "complement", "kernel-default", "conv-padding", "tanh-flag", "correction"}
ENTRY_KEYS = {"torch", "torch-also", "mindspore", "kind", "parameters", "init", "never-agrees", "instead", "kernel"}
ROW_KEYS = {"torch", "mindspore", "convention", "padding"}
SLOT_KEYS = {"position", "keyword", "default"}
DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")
NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")


def load() -> dict:
    return yaml.safe_load(FACTS.read_text(encoding="utf-8"))


def entries() -> list[dict]:
    return load()["apis"]


def problems_in(data) -> list[str]:
    """Everything in ``data`` (a loaded facts file) that leaves the design's format."""
    if not isinstance(data, dict) or set(data) != {"apis"} or not isinstance(data["apis"], list):
        return ["the file must be a mapping with one key, 'apis', holding a list"]
    problems, seen = [], set()
    for entry in data["apis"]:
        name = entry.get("torch") if isinstance(entry, dict) else None
        where = f"entry {name!r}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: not a mapping")
            continue
        problems += [f"{where}: unknown key {key!r}" for key in sorted(set(entry) - ENTRY_KEYS)]
        problems += [f"{where}: missing {key!r}" for key in ("torch", "mindspore", "kind") if key not in entry]
        names = [entry.get("torch")] + list(entry.get("torch-also", []))
        problems += [f"{where}: {n!r} is not a torch qualified name" for n in names
                     if not (isinstance(n, str) and DOTTED.match(n) and n.startswith("torch."))]
        problems += [f"{where}: {n!r} is listed twice" for n in names if n in seen]
        seen.update(n for n in names if isinstance(n, str))
        counterparts = entry.get("mindspore")
        if not isinstance(counterparts, list) or not counterparts:
            problems.append(f"{where}: 'mindspore' must be a non-empty list")
            counterparts = []
        problems += [f"{where}: {n!r} is not a MindSpore qualified name" for n in counterparts
                     if not (isinstance(n, str) and DOTTED.match(n) and n.startswith("mindspore."))]
        if entry.get("kind") not in KINDS:
            problems.append(f"{where}: kind {entry.get('kind')!r} is not one of {sorted(KINDS)}")
        problems += [f"{where}: init {n!r} is not an identifier" for n in entry.get("init", [])
                     if not (isinstance(n, str) and IDENTIFIER.match(n))]
        if "kernel" in entry:
            kernel = entry["kernel"]
            if not isinstance(kernel, dict) or set(kernel) != {"torch", "mindspore"}:
                problems.append(f"{where}: 'kernel' needs exactly 'torch' and 'mindspore' slots")
            else:
                problems += [f"{where} kernel: {p}" for side in ("torch", "mindspore")
                             for p in slot_problems(kernel[side], {"position", "keyword"})]
        if entry.get("never-agrees") is not None:
            if not isinstance(entry["never-agrees"], str):
                problems.append(f"{where}: 'never-agrees' must be one line of text")
            if entry.get("parameters"):
                problems.append(f"{where}: a never-agreeing entry has no parameters")
            instead = entry.get("instead")
            if instead is not None and (not isinstance(instead, str) or not DOTTED.match(instead)
                                        or instead in counterparts):
                problems.append(f"{where}: 'instead' must name another MindSpore API")
            continue
        if "instead" in entry:
            problems.append(f"{where}: 'instead' belongs to a never-agreeing entry")
        rows = entry.get("parameters")
        if not isinstance(rows, list) or not rows:
            problems.append(f"{where}: 'parameters' must be a non-empty list (or the entry never agrees)")
            continue
        for row in rows:
            problems += [f"{where}: {p}" for p in row_problems(row, entry)]
    return problems


def row_problems(row, entry: dict) -> list[str]:
    if not isinstance(row, dict):
        return ["a parameter row is not a mapping"]
    problems = [f"row: unknown key {key!r}" for key in sorted(set(row) - ROW_KEYS)]
    problems += [f"row: missing {key!r}" for key in ("torch", "mindspore", "convention") if key not in row]
    convention = row.get("convention")
    if convention not in CONVENTIONS:
        return problems + [f"row: convention {convention!r} is not one of {sorted(CONVENTIONS)}"]
    torch, mindspore = row.get("torch", {}), row.get("mindspore", {})
    rate = {"rate-keyword"} if convention == "complement" else set()
    problems += [f"torch {p}" for p in slot_problems(torch, SLOT_KEYS)]
    problems += [f"mindspore {p}" for p in slot_problems(mindspore, SLOT_KEYS, optional=rate)]
    if ("padding" in row) != (convention == "conv-padding"):
        problems.append("row: a 'padding' slot goes with conv-padding, and conv-padding needs one")
    elif "padding" in row:
        problems += [f"padding {p}" for p in slot_problems(row["padding"], SLOT_KEYS)]
    if convention == "kernel-default" and ("kernel" not in entry or torch.get("default") is not None):
        problems.append("row: kernel-default needs the entry's 'kernel' slots and a torch default of null")
    if convention == "tanh-flag" and (torch.get("default") not in ("none", "tanh")
                                      or not isinstance(mindspore.get("default"), bool)):
        problems.append("row: tanh-flag takes torch's 'none'/'tanh' and MindSpore's boolean")
    if convention == "complement" and not all(isinstance(side.get("default"), (int, float))
                                              and not isinstance(side.get("default"), bool)
                                              for side in (torch, mindspore)):
        problems.append("row: complement needs numeric defaults on both sides")
    if convention == "correction" and torch.get("keyword") not in ("correction", "unbiased"):
        problems.append("row: correction is torch's 'correction' (or 'unbiased') against ddof")
    return problems


def slot_problems(slot, keys: set[str], optional: set[str] = frozenset()) -> list[str]:
    if not isinstance(slot, dict):
        return ["slot is not a mapping"]
    problems = [f"slot: unknown key {key!r}" for key in sorted(set(slot) - keys - optional)]
    problems += [f"slot: missing {key!r}" for key in sorted(keys - set(slot))]
    position = slot.get("position")
    if position is not None and (not isinstance(position, int) or isinstance(position, bool) or position < 0):
        problems.append(f"slot: position {position!r} is not a whole number >= 0 or null")
    for key in ("keyword", "rate-keyword"):
        if key in slot and not (isinstance(slot[key], str) and IDENTIFIER.match(slot[key])):
            problems.append(f"slot: {key} {slot[key]!r} is not an identifier")
    default = slot.get("default")
    if default is not None and not isinstance(default, (bool, int, float, str)):
        problems.append(f"slot: default {default!r} is not a literal")
    if isinstance(default, str) and NUMBER.match(default):  # YAML reads 1e-5 as a string: write 1.0e-5
        problems.append(f"slot: default {default!r} is a number written as a string")
    return problems


def test_the_facts_file_keeps_the_designs_format():
    assert problems_in(load()) == []


def _first(kind_of_row: str) -> tuple[int, int]:
    """(entry index, row index) of the first row with that convention."""
    return next((i, j) for i, entry in enumerate(entries()) for j, row in enumerate(entry.get("parameters", []))
                if row["convention"] == kind_of_row)


def _mutate(change):
    data = copy.deepcopy(load())
    change(data)
    return data


def _set(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return change


def _delete(path):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return change


@pytest.mark.parametrize("change, complaint", [
    (_set(["apis", 0, "colour"], "red"), "unknown key 'colour'"),
    (_set(["apis", 0, "kind"], "module"), "kind 'module'"),
    (_set(["apis", 0, "parameters", 0, "convention"], "inverse"), "convention 'inverse'"),
    (_set(["apis", 0, "parameters", 0, "torch", "default"], "1e-5"), "a number written as a string"),
    (_set(["apis", 0, "parameters", 0, "torch", "position"], True), "position True"),
    (_delete(["apis", 0, "parameters", 0, "mindspore", "keyword"]), "missing 'keyword'"),
    (_set(["apis", 0, "mindspore"], ["nn.Conv1d"]), "not a MindSpore qualified name"),
    (_set(["apis", 1, "torch"], "torch.nn.Conv1d"), "listed twice"),
    (_set(["apis", 0, "parameters"], []), "'parameters' must be a non-empty list"),
    (_set(["apis", 0, "instead"], "mindspore.mint.nn.Conv1d"), "'instead' belongs to a never-agreeing entry"),
])
def test_the_format_check_refuses_what_leaves_the_format(change, complaint):
    problems = problems_in(_mutate(change))
    assert any(complaint in problem for problem in problems), problems


def test_the_format_check_refuses_convention_specific_mistakes():
    padding = _first("conv-padding")
    kernel = _first("kernel-default")
    complement = _first("complement")
    mutations = {
        "padding": _delete(["apis", padding[0], "parameters", padding[1], "padding"]),
        "kernel-default": _delete(["apis", kernel[0], "kernel"]),
        "complement": _set(["apis", complement[0], "parameters", complement[1], "torch", "default"], "half"),
        "rate-keyword": _set(["apis", padding[0], "parameters", padding[1], "mindspore", "rate-keyword"], "p"),
    }
    for name, change in mutations.items():
        assert problems_in(_mutate(change)) != [], name


def test_every_parameter_row_and_never_agreeing_entry_has_an_oracle_case():
    rows = {(case.torch_api, case.parameter) for case in CASES if isinstance(case, Row)}
    never = {case.torch_api for case in CASES if isinstance(case, NeverAgrees)}
    missing = []
    for entry in entries():
        if entry.get("never-agrees"):
            missing += [] if entry["torch"] in never else [(entry["torch"], "never agrees")]
        for row in entry.get("parameters", []):
            key = (entry["torch"], row["torch"]["keyword"])
            missing += [] if key in rows else [key]
    assert missing == [], f"add a case to tests/oracle/pair_cases.py for: {missing}"


def test_every_oracle_case_names_an_entry_that_exists():
    by_api = {entry["torch"]: entry for entry in entries()}
    stray = []
    for case in CASES:
        entry = by_api.get(case.torch_api)
        if isinstance(case, Trap) and case.torch_api is None:
            continue
        if entry is None:
            stray.append((case.torch_api, "no such entry"))
        elif isinstance(case, Row) and case.parameter not in {row["torch"]["keyword"] for row in entry["parameters"]}:
            stray.append((case.torch_api, case.parameter))
        elif isinstance(case, NeverAgrees) and not entry.get("never-agrees"):
            stray.append((case.torch_api, "the entry does not say it never agrees"))
    assert stray == []


def test_cases_call_the_apis_their_entry_names():
    # A case that ran some other API would prove nothing about its entry.
    by_api = {entry["torch"]: entry for entry in entries()}
    wrong = []
    for case in CASES:
        if case.torch_api is None:
            continue
        entry = by_api[case.torch_api]
        torch_call = case.torch_api.rsplit(".", 1)[1] + "("
        ms_calls = {name.rsplit(".", 1)[1] + "(" for name in entry["mindspore"]}
        ported = [case.port] + ([case.fix] if isinstance(case, Row) else [])
        if torch_call not in case.torch or not all(any(call in text for call in ms_calls) for text in ported):
            wrong.append(case)
        if isinstance(case, NeverAgrees) and entry["instead"].split(".", 1)[1] not in case.instead:
            wrong.append(case)
    assert wrong == []
