"""Re-read every signature rules/facts/pairs.yml states, on the installed mindspore and torch.

    python tests/oracle/pair_signatures.py [FACTS_FILE]      (run_oracle.py runs it too)

For each entry: every spelling under `torch-also` and `mindspore` is the same object as the first
(`is`), `instead` names an object that exists, and each parameter row's slots (position, keyword,
default) are those of the installed functions. Then every loss both frameworks name alike is
compared: a reduction default that differs without an entry is drift too.

Signatures come from inspect.signature; where it has none, from what the package itself says: a
MindSpore optimizer's ``__init__`` behind its decorator; for a torch builtin, the aten schema
(positions, keyword-only) and the docstring's signature line (defaults: the schema says
``correction=None`` where the documented default is 1); for a MindSpore Tensor method, every
overload its docstring lists. Exit status 1 on any drift.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import os
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/, for `oracle.*`

from oracle.pair_cases import FACTS  # noqa: E402
MISSING = object()
# Defaults whose signature value stands for another: (API, keyword) -> (in the signature, meaning).
# The oracle runs the meaning (pair_cases.py).
MEANS = {("torch.meshgrid", "indexing"): (None, "ij")}


@dataclass(frozen=True)
class Param:
    name: str
    position: int | None  # None: keyword-only
    default: object = MISSING


def resolve(dotted: str):
    """The object a dotted name spells: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ImportError(dotted)


def from_signature(signature: inspect.Signature) -> list[Param]:
    params, position = [], 0
    for parameter in signature.parameters.values():
        if parameter.name == "self" or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        positional = parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD)
        default = MISSING if parameter.default is parameter.empty else parameter.default
        params.append(Param(parameter.name, position if positional else None, default))
        position += positional
    return params


def from_text(arguments: str) -> list[Param]:
    """A signature written as text, ``input, dim=None, *, correction=1``."""
    tree = ast.parse(f"def f({arguments}): pass").body[0].args
    positional = tree.posonlyargs + tree.args
    defaults = [MISSING] * (len(positional) - len(tree.defaults)) + [ast.literal_eval(d) for d in tree.defaults]
    params = [Param(a.arg, i, d) for i, (a, d) in enumerate(zip(positional, defaults))]
    params += [Param(a.arg, None, MISSING if d is None else ast.literal_eval(d))
               for a, d in zip(tree.kwonlyargs, tree.kw_defaults)]
    return [param for param in params if param.name != "self"]


def documented(obj) -> list[list[Param]]:
    """The signatures a builtin's docstring lists: ``name(args) ->`` lines and ``.. method::`` lines."""
    name = obj.__name__
    pattern = re.compile(rf"^\s*(?:\.\. method:: \w+\.)?{name}\((.*?)\)\s*(?:->|$)", re.M)
    return [from_text(match.group(1).replace(" = ", "=")) for match in pattern.finditer(obj.__doc__ or "")]


def aten(obj, method: bool) -> list[list[Param]]:
    """A torch builtin's aten overloads: positions and keyword-only arguments as the binding does."""
    import torch

    overloads = []
    for schema in torch._C._jit_get_schemas_for_operator(f"aten::{obj.__name__}"):
        arguments = list(schema.arguments)[1:] if method else list(schema.arguments)
        params, position = [], 0
        for argument in arguments:
            params.append(Param(argument.name, None if argument.kwarg_only else position))
            position += not argument.kwarg_only
        overloads.append(params)
    return overloads


def overloads(name: str, obj) -> list[list[Param]]:
    if inspect.isclass(obj):
        init = obj.__init__
        wrapped = [cell.cell_contents for cell in (getattr(init, "__closure__", None) or ())
                   if inspect.isfunction(cell.cell_contents) and cell.cell_contents.__name__ == "__init__"]
        return [from_signature(inspect.signature(wrapped[0] if wrapped else obj))]
    try:
        signature = inspect.signature(obj)
    except (TypeError, ValueError):
        signature = None
    if signature is not None and any(p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                                     for p in signature.parameters.values()):
        return [from_signature(signature)]
    if signature is not None:  # a dispatcher (torch's boolean_dispatch): the functions it picks from
        return [from_signature(inspect.signature(cell.cell_contents)) for cell in obj.__closure__ or ()
                if inspect.isfunction(cell.cell_contents)]
    if name.startswith("torch."):
        # Positions from the binding, defaults from the documentation.
        defaults = {param.name: param.default for signature in documented(obj) for param in signature}
        return [[Param(p.name, p.position, defaults.get(p.name, MISSING)) for p in signature]
                for signature in aten(obj, method=name.startswith("torch.Tensor."))]
    return documented(obj)


def same_value(stated, found) -> bool:
    if found is MISSING:
        return False
    if isinstance(stated, bool) or isinstance(found, bool):
        return type(stated) is type(found) and stated == found
    return stated == found


def check_slot(side: str, stated: dict, signatures: list[list[Param]]) -> str | None:
    """None when some overload has the slot as stated, else what differs."""
    keyword, position = stated["keyword"], stated.get("position")
    seen = [param for signature in signatures for param in signature if param.name == keyword]
    if not seen:
        return f"{side}: no parameter '{keyword}'"
    for param in seen:
        if param.position == position and ("default" not in stated or same_value(stated["default"], param.default)):
            return None
    found = ", ".join(f"position {p.position}, default {'(none)' if p.default is MISSING else repr(p.default)}"
                      for p in seen)
    return (f"{side} '{keyword}': stated position {position}, default {stated.get('default', '(not stated)')!r}; "
            f"installed: {found}")


def check_entry(entry: dict) -> list[str]:
    problems = []
    torch_name, ms_names = entry["torch"], entry["mindspore"]
    torch_obj = resolve(torch_name)
    for other in entry.get("torch-also", []):
        if resolve(other) is not torch_obj:
            problems.append(f"{other} is not {torch_name}")
    ms_obj = resolve(ms_names[0])
    for other in ms_names[1:]:
        if resolve(other) is not ms_obj:
            problems.append(f"{other} is not {ms_names[0]}")
    if "instead" in entry:
        resolve(entry["instead"])
    torch_signatures, ms_signatures = overloads(torch_name, torch_obj), overloads(ms_names[0], ms_obj)
    torch_signatures = [[Param(p.name, p.position, MEANS[torch_name, p.name][1])
                         if (torch_name, p.name) in MEANS and p.default == MEANS[torch_name, p.name][0] else p
                         for p in signature] for signature in torch_signatures]
    slots = [("torch", row["torch"], torch_signatures) for row in entry.get("parameters", [])]
    slots += [("mindspore", row["mindspore"], ms_signatures) for row in entry.get("parameters", [])]
    slots += [("mindspore padding", row["padding"], ms_signatures)
              for row in entry.get("parameters", []) if "padding" in row]
    slots += [("mindspore rate", {"keyword": row["mindspore"]["rate-keyword"]}, ms_signatures)
              for row in entry.get("parameters", []) if "rate-keyword" in row["mindspore"]]
    if "kernel" in entry:
        slots += [("torch kernel", entry["kernel"]["torch"], torch_signatures),
                  ("mindspore kernel", entry["kernel"]["mindspore"], ms_signatures)]
    slots += [("mindspore init", {"keyword": name}, ms_signatures) for name in entry.get("init", [])]
    for side, stated, signatures in slots:
        if "position" not in stated and side.endswith(("init", "rate")):
            stated = {**stated, "position": next((p.position for s in signatures for p in s
                                                  if p.name == stated["keyword"]), None)}
        problem = check_slot(side, stated, signatures)
        if problem:
            problems.append(problem)
    return problems


def reduction_sweep(entries: list[dict]) -> tuple[int, list[str]]:
    """Every loss both frameworks name alike (nn.XLoss, F.x_loss / ops.x_loss, cross entropies,
    kl_div): a reduction default
    that differs must have an entry. Returns (pairs compared, problems)."""
    import mindspore
    import torch

    covered = {entry["torch"] for entry in entries}
    pairs = [(f"torch.nn.{name}", getattr(torch.nn, name), getattr(mindspore.nn, name))
             for name in dir(torch.nn) if name.endswith("Loss") and hasattr(mindspore.nn, name)]
    pairs += [(f"torch.nn.functional.{name}", getattr(torch.nn.functional, name), getattr(mindspore.ops, name))
              for name in dir(torch.nn.functional) if hasattr(mindspore.ops, name)
              and (name.endswith(("loss", "entropy", "entropy_with_logits")) or name == "kl_div")]
    problems = []
    for name, torch_obj, ms_obj in pairs:
        defaults = [{p.name: p.default for signature in overloads(side, obj) for p in signature}.get("reduction")
                    for side, obj in ((name, torch_obj), ("mindspore", ms_obj))]
        if defaults[0] != defaults[1] and name not in covered:
            problems.append(f"{name}: reduction {defaults[0]!r}, MindSpore {defaults[1]!r}, and no entry")
    return len(pairs), problems


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GLOG_v", "3")
    warnings.simplefilter("ignore")
    import mindspore
    import torch

    print(f"pairs.yml against mindspore {mindspore.__version__}, torch {torch.__version__}")
    args = sys.argv[1:] if argv is None else argv
    facts = Path(args[0]) if args else FACTS
    entries = yaml.safe_load(facts.read_text(encoding="utf-8"))["apis"]
    drift = 0
    for entry in entries:
        try:
            problems = check_entry(entry)
        except (ImportError, AttributeError) as error:
            problems = [f"cannot resolve: {error}"]
        drift += len(problems)
        rows = len(entry.get("parameters", []))
        status = "ok  " if not problems else "FAIL"
        print(f"{status} {entry['torch']}: {rows} parameter row(s), {len(entry['mindspore'])} MindSpore spelling(s)"
              + "".join(f"\n       {problem}" for problem in problems))
    compared, problems = reduction_sweep(entries)
    drift += len(problems)
    print(f"{'ok  ' if not problems else 'FAIL'} losses named alike: {compared} compared, a differing reduction "
          f"default has an entry" + "".join(f"\n       {problem}" for problem in problems))
    print(f"\n{len(entries)} entries, {drift} drift(s)")
    return 1 if drift else 0


if __name__ == "__main__":
    sys.exit(main())
