"""The variables a pairs rule's message and fix may use.

``$DIFFERENCES``: each differing parameter, the port's effective value next to the original's;
``$ORIGINAL``: the original call's ``path:line``; ``$ARGUMENTS``: what to write; ``$CALL_WITH_ARGUMENTS``
(fixes): the port call with those arguments, present only when every one of them is known exactly.
"""

from __future__ import annotations

from ...semantics import nodes
from .. import shorten
from .conventions import literal
from .values import Value

VARIABLES = frozenset({"CALLEE", "ORIGINAL", "TORCH_API", "NEVER", "INSTEAD", "INIT", "DIFFERENCES", "ARGUMENTS",
                       "CALL_WITH_ARGUMENTS"})


def pair_variables(call, exact: bool) -> dict[str, str]:
    short = (lambda text: text) if exact else shorten
    found = {"CALLEE": short(call.node.field("function").text())}
    if call.counterpart is None:
        return found
    port, original, api, _ = call.counterpart
    found["ORIGINAL"] = f"{call.analysis.original_path()}:{original.line}"
    found["TORCH_API"] = api.torch
    found["NEVER"] = api.never_agrees or ""
    found["INSTEAD"] = f"; {api.instead} computes what it does" if api.instead else ""
    found["INIT"] = ", ".join(f"{name}=" for name in api.init)
    differing = call.differing
    if not differing:
        return found
    found["DIFFERENCES"] = "; ".join(_difference(item) for item in differing)
    edits = []
    for item in differing:
        if item.outcome.fix is None:
            edits = None
            break
        edits.extend(item.outcome.fix)
    if edits is None:
        found["ARGUMENTS"] = "the original's " + ", ".join(item.row.torch.keyword or "value" for item in differing)
        return found
    found["ARGUMENTS"] = short(", ".join(f"{side.keyword}={text}" for side, text in edits))
    fixed = _with_arguments(call.node, edits)
    if fixed is not None:
        found["CALL_WITH_ARGUMENTS"] = fixed
    return found


def _difference(item) -> str:
    row = item.row
    if row.convention == "conv-padding":
        mine = f"pad_mode={_shown(item.port)}"
        if item.extra is not None and item.extra.given:
            mine += f", padding={_shown(item.extra)}"
        if not item.port_given:
            mine += " (MindSpore's default)"
    elif item.extra is not None and item.extra.given and row.mindspore.rate_keyword:
        mine = f"{row.mindspore.rate_keyword}={_shown(item.extra)}"
    else:
        mine = f"{row.mindspore.keyword}={_shown(item.port)}" + ("" if item.port.given else " (MindSpore's default)")
    theirs = f"{row.torch.keyword}={_shown(item.torch)}" + ("" if item.torch.given else " (torch's default)")
    if row.convention == "kernel-default" and item.torch.known and item.torch.value is None:
        theirs = f"{row.torch.keyword}=None, the kernel size" + ("" if item.torch.given else " (torch's default)")
    if row.convention == "complement" and not (item.extra is not None and item.extra.given):
        mine += f" (MindSpore's {row.mindspore.keyword} is 1 - torch's {row.torch.keyword})"
    return f"{mine} where the original has {theirs}"


def _shown(value: Value) -> str:
    if value.given and value.source is not None:
        text = " ".join(value.source.split())
        shown = literal(value.value) if value.known else None
        if shown is not None and shown != text and not _same_literal(text, shown):
            return shorten(f"{text} = {shown}", 40)
        return shorten(text, 40)
    return literal(value.value) if value.known else "?"


def _same_literal(text: str, shown: str) -> bool:
    try:
        return float(text.replace("_", "")) == float(shown)
    except ValueError:
        return text.strip("'\"") == shown.strip("'\"")


def _with_arguments(call, edits) -> str | None:
    """The call's text with each (slot, text) written: an argument given is replaced, a missing one
    added by keyword (None when a missing one has no keyword)."""
    arguments = nodes.Arguments(call)
    replacements = []
    added = []
    for side, text in edits:
        node = arguments.get(side.position, side.keyword)
        if node is not None:
            replacements.append((node, text))
        elif side.keyword is not None:
            added.append(f"{side.keyword}={text}")
        else:
            return None
    fixed = nodes.replaced(call, replacements) if replacements else call.text()
    if not added:
        return fixed
    argument_list = call.field("arguments")
    items = [item for item in argument_list.named_children() if item.kind() != "comment"]
    base = nodes.start(call)
    shift = len(fixed) - len(call.text())  # the replacements all sit before the list's end
    if not items:
        at = nodes.start(argument_list) - base + 1
        return f"{fixed[:at]}{', '.join(added)}{fixed[at:]}"
    at = items[-1].range().end.index - base + shift
    return f"{fixed[:at]}, {', '.join(added)}{fixed[at:]}"
