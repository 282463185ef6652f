"""The conventions between a torch parameter and its MindSpore counterpart, one small function
each (the closed set of docs/port-pair.md): given both sides' effective values, whether they mean
the same (AGREE), not (DIFFER) or nobody can tell (UNKNOWN), and the MindSpore arguments that
restore the original's behaviour.

A value is known (a literal the model resolved) or only written (its tokens): the same tokens on
both sides mean the same value flows in, which agrees under ``same`` and differs under
``complement``. Unknown never differs."""

from __future__ import annotations

import functools
import math

from ...records import FrozenRecord
from .facts import Side
from .values import Value, Verdict

TOLERANCE = 1e-9


class Outcome(FrozenRecord):
    __slots__ = _fields = ("verdict", "fix")

    def __init__(self, verdict: Verdict, fix: tuple[tuple[Side, str], ...] | None = None) -> None:
        self.verdict = verdict
        # (MindSpore slot, argument text) to write, in order; None: no exact text is known.
        self.fix = fix


AGREE = Outcome(Verdict.AGREE)
UNKNOWN = Outcome(Verdict.UNKNOWN)


# ---- rendering values as Python source

def literal(value: object) -> str | None:
    """Python source for a known value; None when it has none (an object)."""
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, (int, float)):
        if math.isinf(value) or math.isnan(value):
            return None
        # 12 significant digits: a value computed in the source (1 - 0.9997) shows as written,
        # without float noise (0.00030000000000001137).
        return str(int(value)) if float(value).is_integer() and abs(value) < 1e15 else repr(float(f"{value:.12g}"))
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, tuple):
        items = [literal(item) for item in value]
        if None in items:
            return None
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    return None


def source_of(value: Value) -> str | None:
    """The torch value as MindSpore source: the literal it was written as, else its value."""
    if not value.known:
        return None
    if value.source is not None and value.text == value.source and _is_plain_literal(value.source):
        return value.source
    return literal(value.value)


@functools.lru_cache(maxsize=1024)  # a few texts ("1e-05", "0.1") again and again; each a compile
def _is_plain_literal(text: str) -> bool:
    try:
        import ast

        ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return True


def same_values(left: object, right: object) -> bool:
    if isinstance(left, tuple) or isinstance(right, tuple):
        return _sizes(left) is not None and _sizes(left) == _sizes(right)
    if isinstance(left, str) or isinstance(right, str) or left is None or right is None:
        return left == right
    try:
        return math.isclose(float(left), float(right), rel_tol=TOLERANCE, abs_tol=TOLERANCE)
    except (TypeError, ValueError):
        return False


def _sizes(value: object) -> tuple[float, ...] | None:
    """An int or a tuple of ints as a tuple (a kernel 3 is (3, 3) in 2d): scalars compare with any
    length. None for anything else a literal can be (a bool, None, a string, a complex number)."""
    if isinstance(value, tuple):
        return tuple(float(item) for item in value) if all(_number(item) for item in value) else None
    return (float(value),) if _number(value) else None


def sizes_equal(left: object, right: object) -> bool:
    a, b = _sizes(left), _sizes(right)
    if a is None or b is None:
        return False
    if len(a) == 1 or len(b) == 1:
        scalar, other = (a, b) if len(a) == 1 else (b, a)
        return all(item == scalar[0] for item in other)
    return a == b


def both_written(torch: Value, port: Value) -> bool:
    """The same expression written on both sides: the same value flows into both."""
    return torch.given and port.given and torch.text is not None and torch.text == port.text


# ---- the conventions

def same(torch: Value, port: Value, target: Side) -> Outcome:
    """Equal values mean the same (bias/has_bias, eps, dim/axis, negative_slope/alpha...). The
    same expression written on both sides agrees before any value is compared: a parameter of the
    enclosing function carries the caller's value, whatever the two signatures' defaults say."""
    if both_written(torch, port):
        return AGREE
    if torch.known and port.known:
        if same_values(torch.value, port.value):
            return AGREE
        text = source_of(torch)
        return Outcome(Verdict.DIFFER, ((target, text),) if text is not None else None)
    return UNKNOWN


def complement(torch: Value, port: Value, target: Side, rate: Value | None = None) -> Outcome:
    """MindSpore's value means 1 - torch's (BatchNorm momentum, Dropout keep_prob). ``rate``: the
    port's argument for the keyword that takes torch's convention (Dropout's ``p=``), when given."""
    if rate is not None and rate.given:
        outcome = same(torch, rate, Side(None, target.rate_keyword))
        return outcome
    if torch.known and port.known and _number(torch.value) and _number(port.value):
        if math.isclose(1 - float(torch.value), float(port.value), abs_tol=TOLERANCE):
            return AGREE
        return Outcome(Verdict.DIFFER, _complement_fix(torch, target, port.given))
    if torch.given and port.given and torch.text is not None and port.text is not None:
        if port.text in (f"1 - {torch.text}", f"1 - ( {torch.text} )", f"1.0 - {torch.text}",
                         f"1.0 - ( {torch.text} )"):
            return AGREE
        if torch.text == port.text:  # the same value read the other way round
            return Outcome(Verdict.DIFFER, ((target, _one_minus(port.source)),) if port.source else None)
    return UNKNOWN


def _complement_fix(torch: Value, target: Side, replacing: bool) -> tuple[tuple[Side, str], ...] | None:
    """``p=<torch's rate>`` where MindSpore has such a keyword and the port wrote no keep_prob,
    else the slot set to 1 - torch's value."""
    text = source_of(torch)
    if text is None:
        return None
    if target.rate_keyword and not replacing:
        return ((Side(None, target.rate_keyword), text),)
    from decimal import Decimal, InvalidOperation  # here: importing decimal costs every editor run 1 ms

    try:
        converted = format((Decimal(1) - Decimal(text.replace("_", ""))).normalize(), "f")
    except InvalidOperation:
        converted = literal(1 - float(torch.value))
    return ((target, converted),) if converted is not None else None


def _one_minus(text: str) -> str:
    return f"1 - {text}" if text.replace(".", "").replace("_", "").isalnum() else f"1 - ({text})"


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def kernel_default(torch: Value, port: Value, target: Side, torch_kernel: Value, port_kernel: Value) -> Outcome:
    """A stride of None means the kernel size (torch's pooling; MindSpore's ops.max_pool2d)."""
    torch_stride = torch_kernel if torch.known and torch.value is None else torch
    port_stride = port_kernel if port.known and port.value is None else port
    if torch_stride.known and port_stride.known:
        if sizes_equal(torch_stride.value, port_stride.value):
            return AGREE
        text = source_of(torch_stride)
        if port_kernel.given and port_kernel.known and sizes_equal(port_kernel.value, torch_stride.value):
            text = port_kernel.source  # stride=kernel_size, as the port writes the kernel
        return Outcome(Verdict.DIFFER, ((target, text),) if text is not None else None)
    if both_written(torch_stride, port_stride):
        return AGREE
    return UNKNOWN


SAME, ZERO, PAD, RAISES = "same", "zero", "pad", "raises"


def conv_padding(torch: Value, mode: Value, padding: Value, target: Side, padding_slot: Side,
                 torch_kernel: Value, port_kernel: Value, stride: Value = Value(False),
                 dilation: Value = Value(True, 1)) -> Outcome:
    """torch ``padding`` (an int, a tuple, 'same', 'valid'; default 0) vs MindSpore ``pad_mode``
    ('same', 'valid', 'pad') plus ``padding``. 0 is 'valid'; p is pad_mode='pad', padding=p;
    'same' with a kernel of 1 is 0. 'same' pads by the input's size and the stride: at stride 1,
    (k - 1) / 2 on each side (torch's p for an odd kernel); with a stride at least the kernel
    (patch embeddings), nothing when the input divides by the stride; otherwise it depends on the
    input, so only a stride known to be smaller than the kernel makes 'same' differ from 0."""
    kernel = port_kernel if port_kernel.known else torch_kernel
    kernel_sizes = _sizes(kernel.value) if kernel.known else None
    ones = kernel_sizes is not None and all(size == 1 for size in kernel_sizes)
    original = _torch_padding(torch)
    ported = _port_padding(mode, padding)
    if original is None or ported is None:
        if torch.given and padding.given and torch.text == padding.text and mode.known \
                and str(mode.value).lower() == "pad":
            return AGREE  # padding=p on both sides
        return UNKNOWN
    if ones:
        original = (ZERO, None) if original[0] == SAME else original
        ported = (ZERO, None) if ported[0] == SAME else ported
    if original[0] == ported[0] and (original[0] != PAD or _paddings_equal(original[1], ported[1])):
        return AGREE
    if SAME in (original[0], ported[0]):
        strides = _sizes(stride.value) if stride.known else None
        dilations = _sizes(dilation.value) if dilation.known else None
        if kernel_sizes is None or strides is None or dilations is None:
            return UNKNOWN
        other = ported if original[0] == SAME else original
        stride_one = all(size == 1 for size in strides)
        if other[0] == PAD and _half_kernel(other[1], _dilated(kernel_sizes, dilations)):
            return AGREE if stride_one else UNKNOWN  # (k - 1) / 2 on each side at stride 1
        if other[0] == PAD and not stride_one:
            return UNKNOWN
        if other[0] == ZERO and not _smaller(strides, kernel_sizes):
            return UNKNOWN  # a patch embedding (stride = kernel): 'same' pads nothing on divisible inputs
    fix = _padding_fix(torch, original, target, padding_slot, padding)
    return Outcome(Verdict.DIFFER, fix)


def _torch_padding(value: Value) -> tuple[str, object] | None:
    if not value.known:
        return None
    if isinstance(value.value, str):
        lowered = value.value.lower()
        return {"same": (SAME, None), "valid": (ZERO, None)}.get(lowered)
    sizes = _sizes(value.value)
    if sizes is None:
        return None
    return (ZERO, None) if all(size == 0 for size in sizes) else (PAD, value.value)


def _port_padding(mode: Value, padding: Value) -> tuple[str, object] | None:
    if not mode.known or not isinstance(mode.value, str):
        return None
    lowered = mode.value.lower()
    if lowered in ("same", "valid") and padding.known and _sizes(padding.value) is not None \
            and any(size != 0 for size in _sizes(padding.value)):
        return RAISES, padding.value  # MindSpore refuses a padding beside 'same' or 'valid'
    if lowered == "same":
        return SAME, None
    if lowered == "valid":
        return ZERO, None
    if lowered != "pad" or not padding.known:
        return None
    sizes = _sizes(padding.value)
    if sizes is None:
        return None
    return (ZERO, None) if all(size == 0 for size in sizes) else (PAD, padding.value)


def _expanded(value: object) -> tuple[float, ...] | None:
    """Padding as MindSpore's (top, bottom, left, right) in 2d: p, (h, w) and 4-tuples compared alike."""
    sizes = _sizes(value)
    if sizes is None:
        return None
    if len(sizes) == 1:
        return sizes * 4
    if len(sizes) == 2:
        return (sizes[0], sizes[0], sizes[1], sizes[1])
    return sizes


def _paddings_equal(left: object, right: object) -> bool:
    return _expanded(left) is not None and _expanded(left) == _expanded(right)


def _smaller(strides: tuple[float, ...], kernel: tuple[float, ...]) -> bool:
    """Each stride known smaller than its kernel (scalars broadcast)."""
    length = max(len(strides), len(kernel))
    strides = strides * length if len(strides) == 1 else strides
    kernel = kernel * length if len(kernel) == 1 else kernel
    return len(strides) == len(kernel) and all(s < k for s, k in zip(strides, kernel))


def _dilated(kernel: tuple[float, ...], dilations: tuple[float, ...]) -> tuple[float, ...]:
    """The span a dilated kernel covers: d * (k - 1) + 1 ('same' pads half of it, less one)."""
    if len(dilations) == 1:
        dilations = dilations * len(kernel)
    if len(kernel) == 1:
        kernel = kernel * len(dilations)
    return tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilations))


def _half_kernel(padding: object, kernel: tuple[float, ...]) -> bool:
    sizes = _sizes(padding)
    if sizes is None:
        return True  # a padding of another shape: be silent
    halves = tuple((size - 1) / 2 for size in kernel)
    return _expanded(sizes) == _expanded(halves * 2 if len(halves) == 1 else halves)


def _padding_fix(torch: Value, original: tuple[str, object], target: Side, padding_slot: Side,
                 padding: Value) -> tuple[tuple[Side, str], ...] | None:
    if original[0] == SAME:
        return ((target, '"same"'),) + (((padding_slot, "0"),) if padding.given else ())
    if original[0] == ZERO:
        return ((target, '"valid"'),) + (((padding_slot, "0"),) if padding.given else ())
    sizes = _sizes(original[1])
    if sizes is not None and len(sizes) == 2:
        text = literal(tuple(int(size) if size.is_integer() else size for size in _expanded(sizes)))
    else:
        text = source_of(torch)
    return ((target, '"pad"'), (padding_slot, text)) if text is not None else None


def tanh_flag(torch: Value, port: Value, target: Side) -> Outcome:
    """torch's ``approximate`` string ('none' / 'tanh') vs MindSpore's boolean (True: tanh)."""
    if not torch.known or not isinstance(torch.value, str) or torch.value not in ("none", "tanh"):
        return UNKNOWN
    if not port.known or not isinstance(port.value, bool):
        return UNKNOWN
    wanted = torch.value == "tanh"
    return AGREE if port.value == wanted else Outcome(Verdict.DIFFER, ((target, repr(wanted)),))


def correction(torch: Value, port: Value, target: Side) -> Outcome:
    """torch ``correction`` (or ``unbiased``: True is 1) vs MindSpore ``ddof`` (True is 1 as well)."""
    torch_ddof, port_ddof = _ddof(torch), _ddof(port)
    if torch_ddof is not None and port_ddof is not None:
        return AGREE if torch_ddof == port_ddof else Outcome(Verdict.DIFFER, ((target, literal(torch_ddof)),))
    if both_written(torch, port):
        return UNKNOWN  # `unbiased` into `ddof` and `correction` into `ddof` read alike only for numbers
    return UNKNOWN


def _ddof(value: Value) -> float | None:
    if not value.known:
        return None
    if isinstance(value.value, bool):
        return 1 if value.value else 0
    if _number(value.value):
        return int(value.value) if float(value.value).is_integer() else None
    return None
