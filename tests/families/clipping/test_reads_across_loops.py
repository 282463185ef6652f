"""Which reads see a clipped value stored inside loops (TMS108, the result never read). A read
sees it when it comes after the store, or when it sits anywhere in a loop around the store whose
next iteration reaches the read before rebinding the name: every loop around it, not only the
innermost. A ``for`` loop whose own target is the name rebinds it first (and ends the climb: the
loop-variable mistake), and a ``for`` loop's iterable is read once, before its first iteration."""

import pytest

STORE = """\
loss, g = grad_fn(batch)
grads = ops.clip_by_value(g, -1.0, 1.0)"""
READ = "optimizer(grads)"


def program(body: str, store: str = STORE) -> str:
    """A training function around ``body``, whose STORE and READ lines take their place's indentation."""
    lines = []
    for line in body.splitlines():
        indent = line[:len(line) - len(line.lstrip())]
        if line.strip() == "STORE":
            lines.extend(indent + part for part in store.splitlines())
        else:
            lines.append(line.replace("READ", READ))
    return ("from mindspore import ops\n\n\ndef train(grad_fn, optimizer, data, epochs, flag):\n"
            "    grads = None\n" + "".join(f"    {line}\n" for line in lines))


def clip_line(source: str) -> int:
    return next(number for number, line in enumerate(source.splitlines(), 1) if "clip_by_value" in line)


# case -> (body, whether a read sees the clipped value)
CASES = {
    "read after the store": ("STORE\nREAD", True),
    "read before the store only": ("READ\nSTORE", False),
    "read after the loop": ("for batch in data:\n    STORE\nREAD", True),
    "read earlier in the same loop": ("for batch in data:\n    READ\n    STORE", True),
    "read earlier in the same while loop": ("while flag:\n    READ\n    STORE", True),
    "read before the loop only": ("READ\nfor batch in data:\n    STORE", False),
    "read in the outer loop, before the inner one": (
        "for epoch in range(epochs):\n    READ\n    for batch in data:\n        STORE", True),
    "read in an outer while loop, before the inner for loop": (
        "while flag:\n    READ\n    for batch in data:\n        STORE", True),
    "read in the outermost of three loops": (
        "for epoch in range(epochs):\n    if epoch:\n        READ\n    while flag:\n        for batch in data:\n"
        "            STORE", True),
    "read after the inner loop, inside the outer one": (
        "for epoch in range(epochs):\n    for batch in data:\n        STORE\n    READ", True),
    "read before both loops only": (
        "READ\nfor epoch in range(epochs):\n    for batch in data:\n        STORE", False),
    # A for loop's iterable is read once, before the loop's first iteration.
    "read in the loop's iterable only": ("for batch in grads:\n    STORE", False),
    "read in an inner loop's iterable, which an outer loop reads again": (
        "for epoch in range(epochs):\n    for batch in grads:\n        STORE", True),
    "read in a while loop's condition": ("while grads is None:\n    STORE", True),
    # A for loop whose own variable is the name: its next iteration rebinds the name before any
    # read, and every value but the last is lost (the loop-variable mistake, tests/fixtures/
    # model_gaps.py), so no loop around it counts either.
    "read earlier in a loop that rebinds the name": ("for grads in data:\n    READ\n    STORE", False),
    "read in an outer loop that rebinds the name": (
        "for grads in data:\n    READ\n    for batch in grads:\n        STORE", False),
    "read in an outer loop, around an inner loop that rebinds the name": (
        "for epoch in range(epochs):\n    READ\n    for grads in data:\n        STORE", False),
    "read in an outer loop, past one that rebinds the name": (
        "while flag:\n    READ\n    for grads in data:\n        for batch in grads:\n            STORE", False),
    "read after the loop that rebinds the name": ("for grads in data:\n    STORE\nREAD", True),
}


@pytest.mark.parametrize("case", CASES)
def test_a_read_sees_a_value_stored_in_loops_when_a_loop_brings_it_back(check, case):
    body, seen = CASES[case]
    source = program(body)
    compile(source, case, "exec")
    assert check(source) == ([] if seen else [(clip_line(source), "TMS108")]), source


@pytest.mark.parametrize("case", CASES)
def test_a_value_of_unknown_origin_is_gradients_when_an_optimizer_read_sees_it(check, case):
    """What is clipped and then applied by an optimizer was gradients: the same reads decide."""
    body, seen = CASES[case]
    source = program(body, "grads = ops.clip_by_value(update, -1.0, 2.0)")  # an asymmetric range
    compile(source, case, "exec")
    expected = ("TMS105" if "READ" in body else None) if seen else "TMS108"
    assert check(source) == ([(clip_line(source), expected)] if expected else []), source
