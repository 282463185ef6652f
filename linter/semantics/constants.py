"""Numbers in source text: literals, simple arithmetic, and the small values a call can carry."""

from __future__ import annotations

import ast
import math

from ..astgrep import SgNode
from . import nodes

INFINITIES = {"inf": math.inf, "-inf": -math.inf, "+inf": math.inf, "infinity": math.inf, "-infinity": -math.inf}


def number(text: str) -> float | None:
    text = text.replace("_", "").lower()
    try:
        if text.endswith(("j", "l")):
            return None
        if text.startswith(("0x", "0o", "0b")):
            return float(int(text, 0))
        return float(text)
    except (ValueError, OverflowError):
        return None


def string(node: SgNode) -> str | None:
    """The value of one string literal, escapes decoded (``"s\\u0061me"`` is ``same``), or None:
    an f-string, bytes, an implicit concatenation, anything that is not a string literal."""
    if node.kind() != "string":
        return None
    text = node.text()
    quote = text[:1]
    # Most literals are quoted text and nothing more: their value is what the quotes hold.
    # ast.literal_eval compiles the text, and leaves its helper functions in a reference cycle.
    # (No prefix, no backslash; the quote only at both ends, so not a triple-quoted string.)
    if quote in ("'", '"') and len(text) >= 2 and text[-1] == quote and quote not in text[1:-1] \
            and "\\" not in text:
        return text[1:-1]
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, str) else None


def arithmetic(left: float | None, operator: str, right: float | None) -> float | None:
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


def integer(node: SgNode | None) -> int | None:
    """A literal integer, possibly negated (``-1``), else None."""
    if node is None:
        return None
    node = nodes.unparenthesize(node)
    if node.kind() == "integer":
        value = number(node.text())
        return int(value) if value is not None else None
    if node.kind() == "unary_operator" and node.field("operator").text() == "-":
        inner = integer(node.field("argument"))
        return -inner if inner is not None else None
    return None


def truth(node: SgNode | None) -> bool | None:
    """True / False for the literals, False for an absent argument or None, else None (unknown)."""
    if node is None:
        return False
    text = nodes.unparenthesize(node).text()
    return {"True": True, "False": False, "None": False}.get(text)


def infinity(node: SgNode) -> float | None:
    """``float('inf')`` and its spellings."""
    arguments = nodes.Arguments(node)
    if len(arguments.positional) == 1 and arguments.positional[0].kind() == "string" and not arguments.keywords:
        return INFINITIES.get(arguments.positional[0].text().strip("'\"").lower())
    return None
