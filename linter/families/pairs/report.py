"""``torch2ms pair ORIGINAL PORT``: what port-pair mode compares, so a user sees it before trusting
(or doubting) a finding. Per port file: the original file it pairs with and why, each class and
its original, each call to an API the facts know and the original call it aligned with (or none),
then the alignment coverage: the share of those calls that found their original."""

from __future__ import annotations

import os
from pathlib import Path

from ...astgrep import SgRoot
from ...semantics.model import SemanticModel
from .alignment import align
from .facts import Facts
from .index import ModuleIndex, index_module, port_call_words
from .originals import original_tree
from .patches import package_of, patched_names


def pair_report(original: str, ports: list[str], facts: Facts, class_map: dict[str, str]) -> str:
    tree = original_tree(original, facts)
    lines = [f"original: {original} ({len(tree.files)} Python files)"]
    total = aligned = 0

    def compatible(port_call, torch_call) -> bool:
        api = facts.torch_api(torch_call.name)
        return api is not None and api in facts.port_apis(port_call.name)

    for path in ports:
        port = _index(path, facts)
        if port is None:
            lines.append(f"{path}: not read (not UTF-8 Python)")
            continue
        found = align(path, port, tree.files, class_map, compatible,
                      chosen=tree.file_for(path, port.definitions, tuple(class_map.items())))
        if found.original is None:
            lines.append(f"{path}: no original file ({found.file_reason})")
        else:
            lines.append(f"{path} <- {tree.display(found.original)} ({found.file_reason})")
        originals = tree.files[found.original] if found.original else ModuleIndex()
        folder = package_of(path)
        patched = patched_names(str(folder)) if folder is not None else {}
        for name in sorted({call.name for call in port.calls} & set(patched)):
            lines.append(f"  {name} is replaced by the port's package ({patched[name]}): not compared")
        for name, (torch, why) in sorted(found.classes.items()):
            lines.append(f"  class {name} <- {torch} ({why})" if torch else f"  class {name}: unaligned ({why})")
        for number, call in enumerate(port.calls):
            total += 1
            where = f"  {path}:{call.line}:{call.column + 1} {call.name}"
            if number in found.calls:
                aligned += 1
                theirs, how = found.calls[number]
                torch = originals.calls[theirs]
                lines.append(f"{where} <- {tree.display(found.original)}:{torch.line} {torch.name} ({how})")
            else:
                lines.append(f"{where}: unaligned")
        unused = len(originals.calls) - len({theirs for theirs, _ in found.calls.values()})
        if found.original is not None and unused:
            lines.append(f"  {unused} call(s) of the original file have no counterpart in the port")
    share = f"{100 * aligned / total:.0f}%" if total else "n/a"
    lines.append(f"coverage: {aligned} of {total} port calls to known APIs found their original ({share})")
    return "\n".join(lines) + "\n"


def _index(path: str, facts: Facts) -> ModuleIndex | None:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    root = SgRoot(text, "python").root()
    model = SemanticModel(root, os.path.abspath(path))
    return index_module(root, model, lambda name: bool(facts.port_apis(name)), port_call_words(facts))
