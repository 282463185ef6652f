"""TMS101 is silent on parameters clipped and written back (WGAN weight clipping). A write-back
through a map (``hyper_map(F.partial(F.assign), weights, clipped)``) is recognised by what is
mapped: a writer itself, a writer inside ``partial`` (any depth), or a helper of this module that
writes. Any other callable mapped over the clipped weights is not known to write them back, so the
clip stays a finding: the same as handing them to any unknown function."""

import pytest

MODULE = """from mindspore import nn, ops
from mindspore.ops import composite as C, functional as F


def write_back(weight, value):
    return F.assign(weight, value)


class Clip(nn.Cell):
    def __init__(self, critic):
        super().__init__()
        self.weights = critic.trainable_params()
        self.hyper_map = C.HyperMap()

    def construct(self):
        clipped = ops.clip_by_value(self.weights, -0.01, 0.01)
        return {mapped}
"""
CLIP_LINE = 16

WRITES_BACK = {
    "partial of a writer": "self.hyper_map(F.partial(F.assign), self.weights, clipped)",
    "partial of a partial": "self.hyper_map(F.partial(F.partial(F.assign)), self.weights, clipped)",
    "a writer itself": "self.hyper_map(F.assign, self.weights, clipped)",
    "ops.assign": "self.hyper_map(ops.assign, self.weights, clipped)",
    "a helper that writes": "self.hyper_map(write_back, self.weights, clipped)",
    "partial of a helper that writes": "self.hyper_map(F.partial(write_back), self.weights, clipped)",
}
NOT_KNOWN_TO_WRITE = {
    "another call around a writer": "self.hyper_map(wrap(F.assign), self.weights, clipped)",
    "a method of the cell": "self.hyper_map(self.update, self.weights, clipped)",
    "a lambda": "self.hyper_map(lambda w, v: v, self.weights, clipped)",
    "a partial of something else": "self.hyper_map(F.partial(F.add), self.weights, clipped)",
    "not mapped at all": "clipped",
}


@pytest.mark.parametrize("mapped", WRITES_BACK.values(), ids=WRITES_BACK)
def test_a_mapped_write_back_is_silent(check, mapped):
    source = MODULE.format(mapped=mapped)
    assert source.splitlines()[CLIP_LINE - 1].strip().startswith("clipped = ")
    assert check(source) == []


@pytest.mark.parametrize("mapped", NOT_KNOWN_TO_WRITE.values(), ids=NOT_KNOWN_TO_WRITE)
def test_anything_else_mapped_over_the_clipped_weights_keeps_the_finding(check, mapped):
    assert check(MODULE.format(mapped=mapped)) == [(CLIP_LINE, "TMS101")]
