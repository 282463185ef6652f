"""When nothing else is known of a value, its name decides whether it is gradients
(``gradient-names`` in rules/facts/clipping.yml: grad, grads, gradient, gradients, with any
``prefix_``). The same holds for every place a name can be: a plain name, a parameter, the
attribute of an unknown object, a ``self`` attribute set from nothing known. Gradient names get
the gradient rules (TMS105 on asymmetric bounds); every other name gets none of them."""

import pytest

GRADIENT_NAMES = ["grad", "grads", "gradient", "gradients", "d_grads", "dkt_grad"]
OTHER_NAMES = ["image", "logits", "gradual", "grads_norm", "upgrade", "x"]
PLACES = {
    "parameter": ("def step({name}):\n    return ops.clip_by_value({name}, -0.1, 0.2)\n", 2),
    "attribute of an unknown object": ("def step(state):\n    return ops.clip_by_value(state.{name}, -0.1, 0.2)\n", 2),
    "self attribute set from a parameter": (
        "class Step(nn.Cell):\n    def __init__(self, value):\n        super().__init__()\n"
        "        self.{name} = value\n\n    def construct(self):\n"
        "        return ops.clip_by_value(self.{name}, -0.1, 0.2)\n", 7),
}


def program(place: str, name: str) -> tuple[str, int]:
    template, line = PLACES[place]
    return "from mindspore import nn, ops\n" + template.format(name=name), line + 1


@pytest.mark.parametrize("name", GRADIENT_NAMES)
@pytest.mark.parametrize("place", PLACES)
def test_a_gradient_name_marks_gradients_wherever_it_is(check, place, name):
    source, line = program(place, name)
    assert check(source) == [(line, "TMS105")]


@pytest.mark.parametrize("name", OTHER_NAMES)
@pytest.mark.parametrize("place", PLACES)
def test_any_other_name_marks_nothing(check, place, name):
    source, _ = program(place, name)
    assert check(source) == []
