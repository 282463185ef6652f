"""Every form the pairs facts document reads the same as its long form: a form no shipped entry
uses is otherwise never loaded at all, and a user's file is where it would be met first."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flake8_torch2ms.families.pairs.analysis import compare
from flake8_torch2ms.families.pairs.facts import Side, load_facts
from flake8_torch2ms.families.pairs.index import Call
from flake8_torch2ms.families.pairs.values import Value
from flake8_torch2ms.schema import Reader
from flake8_torch2ms.yamlfile import ConfigError, load_yaml

SHIPPED = Path(__file__).resolve().parents[3] / "rules" / "facts" / "pairs.yml"
# kernel: {torch: SLOT, mindspore: SLOT} with the same slot on both sides, on one line
BOTH_SIDES_ALIKE = re.compile(r"kernel: \{torch: (\{[^{}]*\}), mindspore: \1\}")


def facts_of(text: str, path: str = "pairs.yml"):
    return load_facts(load_yaml(path, text), Reader(path))


def test_one_kernel_slot_for_both_sides_reads_as_two_equal_slots():
    shipped = SHIPPED.read_text(encoding="utf-8")
    short, count = BOTH_SIDES_ALIKE.subn(r"kernel: \1", shipped)
    assert count >= 6, "the shipped facts no longer write a kernel alike on both sides: pick another example"
    long_form, short_form = facts_of(shipped), facts_of(short)
    assert short_form.apis == long_form.apis
    assert short_form.torch_names == long_form.torch_names
    kernels = [api.kernel for api in short_form.apis.values() if api.kernel is not None]
    assert len(kernels) >= count and all(torch == mindspore for torch, mindspore in kernels)


ENTRY = ("apis:\n  - torch: torch.nn.MyPool\n    mindspore: [mindspore.nn.MyPool]\n    kind: layer\n"
         "    kernel: {kernel}\n")


@pytest.mark.parametrize("kernel, expected", [
    ("{position: 0, keyword: kernel_size}", (Side(0, "kernel_size"),) * 2),
    ("{keyword: ks}", (Side(None, "ks"),) * 2),
    ("{torch: {position: 0}, mindspore: {keyword: k}}", (Side(0, None), Side(None, "k"))),
])
def test_each_kernel_form_names_its_slots(kernel, expected):
    assert facts_of(ENTRY.format(kernel=kernel)).apis["torch.nn.MyPool"].kernel == expected


@pytest.mark.parametrize("kernel, message", [
    ("{torch: {position: 0}}", "'mindspore'"),  # one side named: both are required
    ("{mindspore: {position: 0}}", "'torch'"),
    ("{torch: {position: 0}, mindspore: {position: 0}, position: 1}", "'position'"),
    ("{}", "needs a 'position', a 'keyword' or both"),
    ("{size: 3}", "'size'"),
])
def test_a_kernel_that_mixes_or_misses_its_forms_is_refused_with_its_line(kernel, message):
    with pytest.raises(ConfigError) as refused:
        facts_of(ENTRY.format(kernel=kernel))
    assert str(refused.value).startswith("pairs.yml:5: "), refused.value
    assert message in str(refused.value)


# Two torch parameters into one MindSpore slot (unbiased and correction into ddof, as a user's
# entry may write them): the slot is compared once, with the row whose torch argument is written,
# the first row when neither or both are.
SHARED_SLOT = """\
apis:
  - torch: torch.myvar
    mindspore: [mindspore.ops.myvar]
    kind: function
    parameters:
      - torch: {position: null, keyword: unbiased, default: true}
        mindspore: {position: 2, keyword: ddof, default: 0}
        convention: correction
      - torch: {position: null, keyword: correction, default: 1}
        mindspore: {position: 2, keyword: ddof, default: 0}
        convention: correction
"""


@pytest.mark.parametrize("written, compared", [
    ({}, "unbiased"),
    ({"unbiased": False}, "unbiased"),
    ({"correction": 0}, "correction"),
    ({"unbiased": False, "correction": 0}, "unbiased"),
])
def test_parameters_sharing_a_slot_are_compared_once_by_the_written_one(written, compared):
    api = facts_of(SHARED_SLOT).apis["torch.myvar"]
    keywords = {key: Value(True, value, repr(value), repr(value), True) for key, value in written.items()}
    original = Call("torch.myvar", 1, 0, 0, [Value(True, None, "x", "x", True)], keywords)
    port = Call("mindspore.ops.myvar", 1, 0, 0, [Value(True, None, "x", "x", True)])
    rows = compare(api, original, port)
    assert [row.row.torch.keyword for row in rows] == [compared]
