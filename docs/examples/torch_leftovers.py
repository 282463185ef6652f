"""PyTorch gradient clipping left behind in a MindSpore training script (TMS201).

MindSpore gradients are returned by the gradient function, not stored in ``.grad``,
so none of the PyTorch calls below clips anything; ``mindspore.nn.utils`` has no
``clip_grad_norm`` at all. The last clip is the MindSpore way.
"""
import torch
import mindspore
from mindspore import ops


def train_step(net, grad_fn, optimizer, data, label, max_norm=1.0, clip_value=0.5):
    loss, grads = grad_fn(data, label)
    # ruleid: TMS201
    torch.nn.utils.clip_grad_norm_(net.parameters(), max_norm)
    for param in net.parameters():
        # ruleid: TMS201
        param.grad.data.clamp_(-clip_value, clip_value)
    # ruleid: TMS201
    mindspore.nn.utils.clip_grad_norm(net.parameters(), max_norm)
    # ok: TMS201
    grads = ops.clip_by_global_norm(grads, max_norm)
    optimizer(grads)
    return loss
