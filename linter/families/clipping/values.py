"""What the clipping family says a value is, and the words its conditions answer with.

``Kind`` is the dataflow's answer for one expression; a gradient function's output is a
``TupleOf`` kinds. The conditions' vocabularies are the YAML words: a rule's ``conditions:`` may ask
only for their values, and a view property returns one of their members.
"""

from __future__ import annotations

from ...records import FrozenRecord, Term, Vocabulary


class Kind(Vocabulary):
    GRADIENTS = Term("gradients")
    PARAMETERS = Term("parameters")
    AUX = Term("aux")  # the auxiliary outputs of a has_aux=True gradient function
    VALUE = Term("value")  # the loss a value_and_grad function returns next to the gradients
    DATA = Term("data")  # computed from other values by arithmetic: an image gradient, not a model's
    GRAD_OPERATION = Term("grad-operation")  # GradOperation(...): called on (fn, weights), makes a gradient function
    NO_SUCH_ITEM = Term("no-such-item")  # out[7] of a 2-tuple: known not to be gradients, not unknown
    UNKNOWN = Term("unknown")


class TupleOf(FrozenRecord):
    __slots__ = _fields = ("items",)

    def __init__(self, items: tuple) -> None:
        self.items = items


class GradFunctionValue(FrozenRecord):
    """A gradient function, and what it returns when called."""

    __slots__ = _fields = ("output",)

    def __init__(self, output: object) -> None:
        self.output = output


COLLECTIONS = (Kind.GRADIENTS, Kind.PARAMETERS)  # an item or element of these is the same kind


def index(kind: object, position: int) -> object:
    if isinstance(kind, TupleOf):
        return kind.items[position] if -len(kind.items) <= position < len(kind.items) else Kind.NO_SUCH_ITEM
    return kind if kind in COLLECTIONS else Kind.UNKNOWN


def element(kind: object) -> object:
    return kind if kind in COLLECTIONS else Kind.UNKNOWN


def shape_text(kind: object) -> str:
    if isinstance(kind, TupleOf):
        return "(" + ", ".join(shape_text(item) for item in kind.items) + ")"
    return {Kind.GRADIENTS: "grads", Kind.AUX: "aux", Kind.VALUE: "value"}.get(kind, "?")


def holds_non_gradients(kind: object) -> bool:
    if isinstance(kind, TupleOf):
        return any(holds_non_gradients(item) for item in kind.items)
    return kind in (Kind.AUX, Kind.VALUE, Kind.NO_SUCH_ITEM)


# ---- the conditions' vocabulary


class Callee(Vocabulary):
    CLIP_FUNCTION = Term("clip-function")
    TORCH_CLIPPING = Term("torch-clipping")
    OTHER = Term("other")


class Clipped(Vocabulary):
    GRADIENTS = Term("gradients")
    PARAMETERS = Term("parameters")
    WHOLE_GRAD_OUTPUT = Term("whole-grad-output")
    OTHER = Term("other")
    UNKNOWN = Term("unknown")


class Bounds(Vocabulary):
    NONE = Term("none")  # the function takes no bounds (clip_by_norm)
    MISSING = Term("missing")  # it takes bounds and none is given
    SINGLE_POSITIONAL = Term("single-positional")
    ONE_MISSING = Term("one-missing")
    # The function takes one bound only (a user's `clamp_max`): one-sided by design, so neither a
    # missing other bound nor torch's `c` read as a minimum; `$FUNC(value, -c, c)` is no call of it.
    ONE_SIDED = Term("one-sided")
    ASYMMETRIC = Term("asymmetric")
    EMPTY_OR_INVERTED = Term("empty-or-inverted")
    MIRRORED = Term("mirrored")
    UNKNOWN = Term("unknown")


class Result(Vocabulary):
    DISCARDED = Term("discarded")
    # A test calls it on a tensor built from literals and drops the result: a smoke test of the
    # call itself, not a training step.
    DROPPED_BY_SMOKE_TEST = Term("dropped-by-smoke-test")
    NEVER_READ = Term("never-read")
    WRITTEN_TO_PARAMETERS = Term("written-to-parameters")
    USED = Term("used")


class Operand(Vocabulary):
    TORCH_OBJECT = Term("torch-object")  # a torch object made in this module: torch code doing its job
    OTHER = Term("other")


class UnpackingKind(Vocabulary):
    VALUE_AND_GRAD_SWAPPED = Term("value-and-grad-swapped")
    OTHER = Term("other")
