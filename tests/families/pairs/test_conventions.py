"""Each convention decides agree / differ / unknown from both sides' effective values, and renders
the arguments that restore the original's behaviour."""

import math

import pytest

from flake8_torch2ms.families.pairs import conventions
from flake8_torch2ms.families.pairs.facts import Side
from flake8_torch2ms.families.pairs.values import Value, Verdict

AGREE, DIFFER, UNKNOWN = Verdict.AGREE, Verdict.DIFFER, Verdict.UNKNOWN
SLOT = Side(2, "momentum", 0.9)


def written(value=None, text=None, known=True):
    """An argument written in the call: its value (if known) and its tokens."""
    source = text if text is not None else conventions.literal(value)
    return Value(known, value if known else None, " ".join(source.replace("-", " - ").split()), source, True)


def default(value):
    return Value(True, value)


UNKNOWN_ARG = written(text="config.rate", known=False)


def fixes(outcome):
    return [(side.keyword, text) for side, text in outcome.fix] if outcome.fix is not None else None


@pytest.mark.parametrize("torch, port, verdict, fix", [
    (default(True), default(False), DIFFER, [("has_bias", "True")]),
    (default(True), written(True), AGREE, None),
    (written(1e-5, "1e-5"), written(0.00001, "0.00001"), AGREE, None),
    (written(text="qkv_bias", known=False), written(text="qkv_bias", known=False), AGREE, None),
    (written(text="qkv_bias", known=False), default(False), UNKNOWN, None),
    (UNKNOWN_ARG, written(text="config.other", known=False), UNKNOWN, None),
    (written("mean"), default("none"), DIFFER, [("has_bias", '"mean"')]),
    # qkv_bias, whose default is True in the original's signature and False in the port's: the
    # caller's value flows into both.
    (written(True, "qkv_bias"), written(False, "qkv_bias"), AGREE, None),
])
def test_same(torch, port, verdict, fix):
    outcome = conventions.same(torch, port, Side(8, "has_bias", False))
    assert (outcome.verdict, fixes(outcome)) == (verdict, fix)


@pytest.mark.parametrize("torch, port, rate, verdict, fix", [
    (default(0.1), default(0.9), None, AGREE, None),  # both frameworks' BatchNorm defaults
    (written(0.03), written(0.97), None, AGREE, None),
    (written(0.03), default(0.9), None, DIFFER, [("momentum", "0.97")]),
    (written(text="m", known=False), written(text="1 - m", known=False), None, AGREE, None),
    (written(text="m", known=False), written(text="m", known=False), None, DIFFER, [("momentum", "1 - m")]),
    (written(text="m", known=False), written(0.9), None, UNKNOWN, None),
    (written(0.5), written(0.5), None, AGREE, None),
])
def test_complement(torch, port, rate, verdict, fix):
    outcome = conventions.complement(torch, port, SLOT, rate)
    assert (outcome.verdict, fixes(outcome)) == (verdict, fix)


def test_complement_through_the_keyword_that_takes_torchs_convention():
    keep_prob = Side(0, "keep_prob", 0.5, "p")
    p = written(text="drop_rate", known=False)
    assert conventions.complement(p, default(0.5), keep_prob, rate=p).verdict == AGREE  # Dropout(p=drop_rate)
    outcome = conventions.complement(written(0.1), default(0.5), keep_prob)
    assert (outcome.verdict, fixes(outcome)) == (DIFFER, [("p", "0.1")])  # the port wrote no keep_prob
    outcome = conventions.complement(written(0.1), written(0.1), keep_prob)
    assert (outcome.verdict, fixes(outcome)) == (DIFFER, [("keep_prob", "0.9")])  # the written one replaced
    assert conventions.complement(written(0.1), written(0.9), keep_prob).verdict == AGREE  # keep_prob=1 - p


@pytest.mark.parametrize("torch, port, torch_kernel, port_kernel, verdict, fix", [
    (default(None), default(None), written(2), written(2), AGREE, None),  # ops.max_pool2d(x, 2)
    (default(None), default(1), written(2), written(2), DIFFER, [("stride", "2")]),  # nn.MaxPool2d(2)
    (default(None), written(2), written(2), written(2), AGREE, None),
    (default(None), default(1), written((3, 3)), written(3), DIFFER, [("stride", "3")]),
    (default(None), default(1), written(1), written(1), AGREE, None),
    (default(None), default(1), UNKNOWN_ARG, UNKNOWN_ARG, UNKNOWN, None),
])
def test_kernel_default(torch, port, torch_kernel, port_kernel, verdict, fix):
    outcome = conventions.kernel_default(torch, port, Side(1, "stride", 1), torch_kernel, port_kernel)
    assert (outcome.verdict, fixes(outcome)) == (verdict, fix)


PAD_MODE, PADDING = Side(4, "pad_mode", "same"), Side(5, "padding", 0)


ONE = default(1)


@pytest.mark.parametrize("torch, mode, padding, kernel, stride, verdict, fix", [
    (written(1), written("pad"), written(1), written(3), ONE, AGREE, None),  # pad_mode="pad", padding=p
    (default(0), written("valid"), default(0), written(3), ONE, AGREE, None),
    (written("same"), default("same"), default(0), written(3), ONE, AGREE, None),
    (default(0), default("same"), default(0), written(1), ONE, AGREE, None),  # 'same' with kernel 1 pads nothing
    (written(1), default("same"), default(0), written(3), ONE, AGREE, None),  # (k - 1) / 2 at stride 1
    (default(0), default("same"), default(0), written(3), ONE, DIFFER, [("pad_mode", '"valid"')]),
    (default(0), default("same"), default(0), written(3), written(2), DIFFER, [("pad_mode", '"valid"')]),
    (written(3), written("pad"), written(2), written(7), ONE, DIFFER, [("pad_mode", '"pad"'), ("padding", "3")]),
    (written((1, 2)), default("same"), default(0), written(3), ONE, DIFFER,
     [("pad_mode", '"pad"'), ("padding", "(1, 1, 2, 2)")]),
    (written((1, 2)), written("pad"), written((1, 1, 2, 2)), written(3), ONE, AGREE, None),
    (default(0), default("same"), default(0), written(2), written(2), UNKNOWN, None),  # a patch embedding
    (written(1), default("same"), default(0), written(3), written(2), UNKNOWN, None),  # by the input's size
    (default(0), default("same"), default(0), written(3), UNKNOWN_ARG, UNKNOWN, None),
    (default(0), default("same"), default(0), UNKNOWN_ARG, ONE, UNKNOWN, None),
    (written(text="p", known=False), written("pad"), written(text="p", known=False), written(3), ONE, AGREE, None),
    (written(text="p", known=False), default("same"), default(0), written(3), ONE, UNKNOWN, None),
])
def test_conv_padding(torch, mode, padding, kernel, stride, verdict, fix):
    outcome = conventions.conv_padding(torch, mode, padding, PAD_MODE, PADDING, kernel, kernel, stride)
    assert (outcome.verdict, fixes(outcome)) == (verdict, fix)


@pytest.mark.parametrize("torch, port, verdict, fix", [
    (default("none"), default(True), DIFFER, [("approximate", "False")]),  # nn.GELU() for nn.GELU()
    (written("tanh"), default(True), AGREE, None),  # nn.GELU() for approximate="tanh"
    (default("none"), written(False), AGREE, None),
    (UNKNOWN_ARG, default(True), UNKNOWN, None),
])
def test_tanh_flag(torch, port, verdict, fix):
    outcome = conventions.tanh_flag(torch, port, Side(0, "approximate", True))
    assert (outcome.verdict, fixes(outcome)) == (verdict, fix)


@pytest.mark.parametrize("torch, port, verdict, fix", [
    (default(1), default(0), DIFFER, [("ddof", "1")]),
    (written(False), default(0), AGREE, None),  # unbiased=False
    (written(0), written(True), DIFFER, [("ddof", "0")]),
    (default(1), written(1), AGREE, None),
    (UNKNOWN_ARG, default(0), UNKNOWN, None),
])
def test_correction(torch, port, verdict, fix):
    outcome = conventions.correction(torch, port, Side(2, "ddof", 0))
    assert (outcome.verdict, fixes(outcome)) == (verdict, fix)


@pytest.mark.parametrize("value, shown", [(1 - 0.9997, "0.0003"), (0.00030000000000001137, "0.0003"), (0.1, "0.1"),
                                          (1e-5, "1e-05"), (3.0, "3"), (2 ** 0.5, "1.41421356237")])
def test_a_computed_value_is_shown_without_float_noise(value, shown):
    assert conventions.literal(value) == shown


# Every value a convention can compute or read: its literal is Python that evaluates to the same
# value (written into a fix, it means what it shows), or None where no literal says it (then no
# fix is offered).
ROUND_TRIPS = [0, 1, -1, 3, 0.1, -0.5, 1e-5, 1 - 0.9997, 1e15, 1e16, 2.0 ** 60, 1 / 3, True, False, None,
               "same", 'say "hi"', "back\\slash", (1, 2), (3,), ((1, 2), 0.5), ()]
NO_LITERAL = [math.inf, -math.inf, math.nan, (1, math.inf), [1, 2], {"a": 1}, range(3)]


@pytest.mark.parametrize("value", ROUND_TRIPS, ids=repr)
def test_a_literal_evaluates_to_its_value(value):
    text = conventions.literal(value)
    assert text is not None
    again = eval(text, {"__builtins__": {}})  # a literal needs no name at all
    assert again == value or (isinstance(value, float) and math.isclose(again, value, rel_tol=1e-11))
    assert type(again) is type(value) or isinstance(value, float)


@pytest.mark.parametrize("value", NO_LITERAL, ids=lambda value: repr)
def test_a_value_no_literal_can_write_has_none(value):
    assert conventions.literal(value) is None


# sizes_equal against a reference written here: a size is a whole or real number or a tuple of
# them; a number stands for itself repeated to the other side's length (a kernel 3 is (3, 3) in
# 2d); a bool, None, a string or a tuple holding anything else is no size, so nothing is equal.
SIZES = [3, 5, 3.0, (3, 3), (3, 5), (5, 3), (3,), (3, 3, 3), (3.0, 3), True, False, None, "same", (3, "x"), ()]


def reference_sizes_equal(left, right):
    def as_tuple(value):
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return None
        if isinstance(value, tuple):
            return value if all(isinstance(item, (int, float)) and not isinstance(item, bool) for item in value) \
                else None
        return (value,)

    a, b = as_tuple(left), as_tuple(right)
    if a is None or b is None:
        return False
    if len(a) == 1 and len(b) != 1:
        a = a * len(b)
    elif len(b) == 1 and len(a) != 1:
        b = b * len(a)
    return a == b


@pytest.mark.parametrize("right", SIZES, ids=repr)
@pytest.mark.parametrize("left", SIZES, ids=repr)
def test_sizes_equal_on_every_pair_of_size_forms(left, right):
    assert conventions.sizes_equal(left, right) == reference_sizes_equal(left, right)


# same_values against a reference written here, over every pair of value forms a fact's default
# or a literal argument can hold: numbers compare as reals within 1e-9 (a bool is the number it
# is in Python); a tuple only item by item with a tuple of the same length or a number with its
# one-item tuple (unlike sizes_equal, no number stands for a longer tuple); strings and None only
# as themselves.
VALUES = [0, 1, 1.0, 1 + 1e-12, 1.5, -1, True, False, None, "same", "Same", "1", (1, 1), (1,), (1.0, 1), 1e-5,
          0.00001, 1j]


def reference_same_values(left, right):
    if isinstance(left, tuple) or isinstance(right, tuple):
        as_tuples = [value if isinstance(value, tuple) else (value,) for value in (left, right)]
        if any(isinstance(item, (bool, str)) or item is None for items in as_tuples for item in items):
            return False
        return len(as_tuples[0]) == len(as_tuples[1]) and reference_sizes_equal(*as_tuples)
    if isinstance(left, str) or isinstance(right, str) or left is None or right is None:
        return left == right  # "1" is not 1
    if isinstance(left, complex) or isinstance(right, complex):
        return False  # no real number: never the same as anything
    return abs(float(left) - float(right)) <= 1e-9 * max(1.0, abs(float(left)), abs(float(right)))


@pytest.mark.parametrize("right", VALUES, ids=repr)
@pytest.mark.parametrize("left", VALUES, ids=repr)
def test_same_values_on_every_pair_of_value_forms(left, right):
    assert conventions.same_values(left, right) == reference_same_values(left, right)


@pytest.mark.parametrize("port", [0.0, 0.1, 0.5, 0.9, 0.97, 1.0, 1 - 1e-12, 3], ids=repr)
@pytest.mark.parametrize("torch", [0.0, 0.1, 0.03, 0.5, 1.0], ids=repr)
@pytest.mark.parametrize("given", ["written", "default"])
def test_complement_of_two_known_numbers_agrees_exactly_when_they_sum_to_one(torch, port, given):
    port_value = written(port) if given == "written" else default(port)
    outcome = conventions.complement(written(torch), port_value, SLOT)
    if math.isclose(1 - torch, port, abs_tol=1e-9):
        assert (outcome.verdict, outcome.fix) == (AGREE, None)
    else:
        assert outcome.verdict == DIFFER
        [(side, text)] = outcome.fix
        assert side == SLOT and math.isclose(float(text), 1 - torch, abs_tol=1e-9), text


@pytest.mark.parametrize("port_text, verdict", [
    ("1 - m", AGREE), ("1 - ( m )", AGREE), ("1.0 - m", AGREE), ("1.0 - ( m )", AGREE),
    ("m", DIFFER),  # the same value read the other way round
    ("1 - n", UNKNOWN), ("2 - m", UNKNOWN), ("1 + m", UNKNOWN), ("m - 1", UNKNOWN),
])
@pytest.mark.parametrize("port_given", [True, False])
def test_complement_of_two_expressions_by_their_text(port_text, verdict, port_given):
    torch = written(text="m", known=False)
    port = Value(False, None, port_text, port_text.replace(" ", ""), port_given)
    outcome = conventions.complement(torch, port, SLOT)
    # Only two written arguments are compared by their text; a default has none to compare.
    assert outcome.verdict == (verdict if port_given else UNKNOWN)


@pytest.mark.parametrize("value, expected", [
    (written(0.1, "0.1"), "0.1"),
    (Value(True, 1e-5, "1e-5", "1e-5", True), "1e-5"),  # a plain literal keeps its spelling
    (written(0.1, "eps"), "0.1"),  # a name the facts resolved: its value, as a literal
    (written(0.3, "0.1 + 0.2"), "0.3"),  # an expression: its value, without float noise
    (Value(True, 0.1, "0.1", "0.1", True), "0.1"),
    (Value(True, 0.1, "0 . 1", "0.1", True), "0.1"),
    (default(0.9), "0.9"),
    (default((3, 3)), "(3, 3)"),
    (default("same"), '"same"'),
    (written(text="config.rate", known=False), None),  # unknown: nothing to write
])
def test_source_of_writes_the_literal_as_written_or_the_value(value, expected):
    assert conventions.source_of(value) == expected


# A kernel, a stride or a dilation is written as a number or as a tuple of equal numbers (3 or
# (3, 3)): every mix of the two forms gets the verdict of the numbers alone.
PADDING_CASES = {
    "'same' against 0, stride 1": (default(0), default("same"), 3, 1, 1),
    "'same' against 0, stride 2 below the kernel": (default(0), default("same"), 3, 2, 1),
    "'same' against 0, a patch embedding": (default(0), default("same"), 2, 2, 1),
    "'same' against (k - 1) / 2": (written(1), default("same"), 3, 1, 1),
    "'same' against the dilated half kernel": (written(2), default("same"), 3, 1, 2),
    "'same' against the undilated half kernel": (written(1), default("same"), 3, 1, 2),
}


def as_form(number, form):
    return written(number) if form == "number" else written((number, number))


@pytest.mark.parametrize("dilation_form", ["number", "tuple"])
@pytest.mark.parametrize("stride_form", ["number", "tuple"])
@pytest.mark.parametrize("kernel_form", ["number", "tuple"])
@pytest.mark.parametrize("case", PADDING_CASES)
def test_conv_padding_is_the_same_for_numbers_and_tuples(case, kernel_form, stride_form, dilation_form):
    torch, mode, kernel, stride, dilation = PADDING_CASES[case]

    def verdict(forms):
        k, s, d = (as_form(value, form) for value, form in zip((kernel, stride, dilation), forms))
        return conventions.conv_padding(torch, mode, default(0), PAD_MODE, PADDING, k, k, s, d).verdict

    assert verdict((kernel_form, stride_form, dilation_form)) == verdict(("number", "number", "number"))


# Kernels and dilations that differ by dimension, each as a number or a tuple: 'same' at stride 1
# pads each dimension by half its dilated kernel, d * (k - 1) / 2, so torch's explicit padding
# agrees with MindSpore's 'same' exactly when it is that, dimension by dimension (the reference
# below), whatever mix of numbers and tuples the two are written in.
@pytest.mark.parametrize("kernel", [3, (3, 3), (3, 5), (5, 3)])
@pytest.mark.parametrize("dilation", [1, 2, (1, 1), (2, 1), (1, 3)])
def test_same_padding_against_explicit_padding_by_dimension(kernel, dilation):
    kernels = (kernel, kernel) if isinstance(kernel, int) else kernel
    dilations = (dilation, dilation) if isinstance(dilation, int) else dilation
    halves = tuple(d * (k - 1) // 2 for k, d in zip(kernels, dilations))
    wrong = (halves[0] + 1, halves[1])

    def verdict(padding):
        return conventions.conv_padding(written(padding), default("same"), default(0), PAD_MODE, PADDING,
                                        written(kernel), written(kernel), written(1), written(dilation)).verdict

    assert verdict(halves) == AGREE
    if halves[0] == halves[1]:
        assert verdict(halves[0]) == AGREE
    assert verdict(wrong) == DIFFER
