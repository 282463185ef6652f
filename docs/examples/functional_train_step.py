"""Gradient clipping in a MindSpore 2.x functional training step, ported from PyTorch.

The PyTorch step clipped with ``torch.nn.utils.clip_grad_value_(model.parameters(), 1.0)``.
This file shows four ways that port goes wrong (TMS103, TMS104, TMS105, TMS108), the
``has_aux=True`` trap (TMS107), the swapped ``value_and_grad`` output (TMS109), and the fix.
"""
import mindspore as ms
from mindspore import ops

MAX_GRAD = 1.0


def train_step(net, loss_fn, optimizer, data, label):
    def forward(x, y):
        logits = net(x)
        return loss_fn(logits, y), logits

    grad_fn = ms.value_and_grad(forward, None, optimizer.parameters, has_aux=True)
    (loss, _), grads = grad_fn(data, label)
    # ruleid: TMS103
    grads = ops.clip_by_value(grads, MAX_GRAD)
    optimizer(grads)
    return loss


def clip_upper_only(grads):
    # ruleid: TMS104
    return ops.clip_by_value(grads, clip_value_max=MAX_GRAD)


def clip_zero_to_max(grads):
    # ruleid: TMS105
    return ops.clip_by_value(grads, 0, MAX_GRAD)


def clip_grads(grads):
    # ported from total_norm = clip_grad_norm_(...): the clipped gradients are dropped
    # ruleid: TMS108
    total_norm = ops.clip_by_global_norm(grads, MAX_GRAD)
    return grads


def train_step_aux(net, loss_fn, optimizer, data, label):
    def forward(x, y):
        logits = net(x)
        return loss_fn(logits, y), logits

    grad_fn = ms.grad(forward, None, optimizer.parameters, has_aux=True)
    out = grad_fn(data, label)
    # ruleid: TMS107
    out = ops.clip_by_value(out, -MAX_GRAD, MAX_GRAD)
    grads, _ = out
    optimizer(grads)


def train_step_swapped(net, loss_fn, optimizer, data, label):
    grad_fn = ms.value_and_grad(lambda x, y: loss_fn(net(x), y), None, optimizer.parameters)
    # value_and_grad returns (loss, grads): this clips the loss and steps with it
    # ruleid: TMS109
    grads, loss = grad_fn(data, label)
    grads = ops.clip_by_value(grads, -MAX_GRAD, MAX_GRAD)
    optimizer(grads)
    return loss


def clip_fixed(grads):
    # ok: TMS105
    return ops.clip_by_value(grads, -MAX_GRAD, MAX_GRAD)
