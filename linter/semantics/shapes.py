"""A static walk of spatial sizes through a chain of layers: literal sizes only.

The model knows Python, not layers: which calls are applied to a value one after the other
(the items of a container call, the calls of a ``construct`` on its input) and the arithmetic
of a sliding window. What each layer does to a size comes from the caller, as a ``Step``: a
function from a size to the next one, or None when the layer's effect is unknown, which stops
the walk (an unknown size never produces an answer).
"""

from __future__ import annotations

from typing import Callable, Iterable, Sequence

from ..astgrep import SgNode
from ..records import FrozenRecord
from . import nodes

# A layer's effect on one spatial size: the next size, or None (unknown: the walk stops).
Step = Callable[[int], "int | None"]
# The largest input size tried when the input size is not known (a 4096-pixel side is as large
# as any model in the corpus takes).
MAX_INPUT_SIZE = 4096


class Window(FrozenRecord):
    """A sliding window along one spatial axis (a convolution's or a pool's)."""

    __slots__ = _fields = ("kernel", "stride", "padding", "dilation", "same")

    def __init__(self, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, same: bool = False) -> None:
        self.kernel = kernel
        self.stride = stride
        self.padding = padding  # on each side
        self.dilation = dilation
        self.same = same  # pads so that the output is ceil(size / stride), whatever the kernel

    def __call__(self, size: int) -> int | None:
        if self.kernel < 1 or self.stride < 1 or self.dilation < 1 or self.padding < 0:
            return None
        if self.same:
            return -(-size // self.stride)
        span = self.dilation * (self.kernel - 1) + 1
        if size + 2 * self.padding < span:
            return None  # the window does not fit: the layer raises
        return (size + 2 * self.padding - span) // self.stride + 1


def keep(size: int) -> int:
    """A layer that keeps the size (an activation, a normalization)."""
    return size


def walk(size: int | None, steps: Iterable[Step]) -> int | None:
    """The size after every step, or None as soon as one is unknown."""
    for step in steps:
        if size is None:
            return None
        size = step(size)
    return size


def sizes_along(size: int, steps: Sequence[Step]) -> list[int | None]:
    """The size before each step and after the last: ``len(steps) + 1`` sizes."""
    sizes: list[int | None] = [size]
    for step in steps:
        sizes.append(step(sizes[-1]) if sizes[-1] is not None else None)
    return sizes


def root_of(total: int, dims: int) -> int | None:
    """The side of a square (cube) map of ``total`` elements: 400 in 2 dimensions -> 20."""
    if total < 1 or dims < 1:
        return None
    side = round(total ** (1 / dims))
    for candidate in (side - 1, side, side + 1):
        if candidate >= 1 and candidate ** dims == total:
            return candidate
    return None


# ---- which calls a value goes through, in order (Python only)

def container_items(call: SgNode) -> list[SgNode] | None:
    """The layers a container call holds, in order: its positional arguments, or the items of
    one list or tuple literal given alone (``SequentialCell([a, b])``). None when they are not
    all written out (a splat, a comprehension, a list built elsewhere)."""
    arguments = call.field("arguments")
    if arguments is None or arguments.kind() != "argument_list":
        return None
    items = [item for item in arguments.named_children() if item.kind() != "comment"]
    if any(item.kind() in ("keyword_argument", "list_splat", "dictionary_splat") for item in items):
        return None
    if len(items) == 1 and nodes.unparenthesize(items[0]).kind() in ("list", "tuple"):
        items = [item for item in nodes.unparenthesize(items[0]).named_children() if item.kind() != "comment"]
        if any(item.kind() in ("list_splat", "parenthesized_list_splat") for item in items):
            return None
    return items


def applied_calls(function: SgNode, name: str) -> list[SgNode]:
    """The calls applied to the value of ``name`` in a function's body, in the order they run,
    while the body is a straight chain: each statement assigns the name a nest of calls on it
    (``x = self.conv(x)``, ``x = self.pool(self.relu(x))``, ``x = x.view(x.shape[0], -1)``), up
    to a ``return`` of one. Each call takes the value as its receiver or its first positional
    argument; an ``if`` whose only statement returns early (``if not self.include_top: return
    x``) leaves the chain on its way; anything else (a branch, a loop, another statement) ends
    the chain where it stands. The calls are returned innermost first; what each does is the
    caller's to say."""
    body = function.field("body")
    chain: list[SgNode] = []
    for statement in body.named_children() if body is not None else []:
        kind = statement.kind()
        first = statement.child(0) if kind == "expression_statement" else None
        if kind == "comment" or (first is not None and first.kind() == "string") or _early_return(statement):
            continue  # a docstring, or a branch that leaves: the chain goes on after it
        if first is not None and first.kind() == "assignment":
            target, value = first.field("left"), first.field("right")
            if target is None or value is None or target.kind() != "identifier" or target.text() != name:
                break
        elif kind == "return_statement":
            value = next((child for child in statement.named_children() if child.kind() != "comment"), None)
            if value is None:
                break
        else:
            break
        calls = _nested_calls(value, name)
        if calls is None:
            break
        chain.extend(calls)
        if kind == "return_statement":
            break
    return chain


def _early_return(statement: SgNode) -> bool:
    """``if c: return ...`` with no else: the code after it runs on the path that goes on."""
    if statement.kind() != "if_statement" or statement.field("alternative") is not None:
        return False
    body = [child for child in statement.field("consequence").named_children() if child.kind() != "comment"]
    return len(body) == 1 and body[0].kind() == "return_statement"


def _nested_calls(value: SgNode, name: str) -> list[SgNode] | None:
    """``f(g(x))`` -> [g(x), f(g(x))]; None unless it is such a nest around ``name``."""
    calls: list[SgNode] = []
    node = nodes.unparenthesize(value)
    while node.kind() == "call":
        calls.append(node)
        inner = _receiver(node, name)
        if inner is None:
            return None
        node = nodes.unparenthesize(inner)
    if node.kind() != "identifier" or node.text() != name or not calls:
        return None
    return list(reversed(calls))


def _receiver(call: SgNode, name: str) -> SgNode | None:
    """What a call applies to: the object of a method called on the value (``x.view(...)``), or
    the first positional argument (``self.conv(x)``, ``ops.flatten(x)``)."""
    callee = call.field("function")
    if callee is not None and callee.kind() == "attribute":
        receiver = nodes.unparenthesize(callee.field("object"))
        if receiver.kind() == "call" or (receiver.kind() == "identifier" and receiver.text() == name):
            return receiver
    arguments = call.field("arguments")
    if arguments is None or arguments.kind() != "argument_list":
        return None
    items = [item for item in arguments.named_children() if item.kind() != "comment"]
    if not items or items[0].kind() in ("keyword_argument", "list_splat", "dictionary_splat"):
        return None
    return items[0]
