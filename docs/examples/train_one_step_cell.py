"""A TrainOneStepCell ported from PyTorch, with its clipping done wrong and then right.

``ClipTrainOneStepCell`` clips the weights instead of the gradients and drops the
result (TMS101, TMS102), then clips the gradients to an empty range (TMS106).
``FixedClipTrainOneStepCell`` is the reviewed version.
"""
import mindspore.nn as nn
from mindspore.ops import composite as C
from mindspore.ops import functional as F


class ClipTrainOneStepCell(nn.Cell):
    def __init__(self, network, optimizer, clip_value=1.0):
        super().__init__(auto_prefix=False)
        self.network = network
        self.network.set_grad()
        self.optimizer = optimizer
        self.weights = self.optimizer.parameters
        self.grad = C.GradOperation(get_by_list=True)
        self.clip_value = clip_value

    def construct(self, data, label):
        loss = self.network(data, label)
        grads = self.grad(self.network, self.weights)(data, label)
        # torch: clip_grad_value_(model.parameters(), clip_value), which works in place
        # ruleid: TMS101, TMS102
        C.clip_by_value(self.weights, -self.clip_value, self.clip_value)
        # ruleid: TMS106
        grads = C.clip_by_value(grads, self.clip_value, self.clip_value)
        return F.depend(loss, self.optimizer(grads))


class FixedClipTrainOneStepCell(ClipTrainOneStepCell):
    def construct(self, data, label):
        loss = self.network(data, label)
        grads = self.grad(self.network, self.weights)(data, label)
        # ok: TMS101, TMS106
        grads = C.clip_by_value(grads, -self.clip_value, self.clip_value)
        return F.depend(loss, self.optimizer(grads))
