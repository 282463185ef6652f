"""The two worlds every rule example runs in: MindSpore and PyTorch, on the same gradients.

The setup is MINDSPORE_FACTS.md's: a Dense(3, 2) / Linear(3, 2) layer with zero weights,
CrossEntropyLoss, x = [[1, 2, 3]], label 0, so that the gradients are
w_grad = [[-0.5, -1, -1.5], [0.5, 1, 1.5]] and b_grad = [-0.5, 0.5] in both frameworks. The
optimizer is plain SGD with learning rate 1, so the weights after one step are minus the gradients
the step was given: what a training step did is read off the weights.

Rule examples are snippets with free names (grad_fn, optimizer, data, label, net, ...): a world is
the namespace that binds them.

The divergence rules (TMS3xx) compare layers and functions rather than a training step: the
worlds also hold what those examples are observed with (the share a dropout layer zeroes, a
BatchNorm's output after three training batches, whether sampled rows are distinct) and the
inputs they run on, the same arrays in both frameworks.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

DATA = [[1.0, 2.0, 3.0]]
LABEL = [0]
# Weights to start from. "zeros" is the reference setup; with "ones" the logits are [6, 6] (so an
# output that carries them shows whether it was clipped) and the gradients are the same.
WEIGHTS = {"zeros": (np.zeros((2, 3), np.float32), np.zeros(2, np.float32)),
           "ones": (np.ones((2, 3), np.float32), np.zeros(2, np.float32))}
# A critic for weight clipping (WGAN): weights well outside [-0.01, 0.01] on both sides.
CRITIC = (np.array([[-0.5, -1.0, 0.005], [0.5, 1.0, -0.005]], np.float32), np.array([-0.5, 0.5], np.float32))
# Plain tensors the non-gradient examples clip (the same values in both worlds).
TENSORS = {
    "features": [[3.0, 4.0]],
    "probs": [[0.0, 0.25, 1.0]],
    "ratio": [0.5, 1.0, 1.5],
    "boxes": [[-5.0, 10.0, 700.0]],
    "logits": [[-2.0, 0.05, 3.0]],
}
SCALARS = {"max_grad": 0.1, "clip": 0.1, "eps": 0.2, "image_width": 640.0, "CLIP_VALUE": 1.0}


# Inputs of the divergence examples: logits, feature maps, audio frames, sampling weights.
DIVERGENCE_ARRAYS = {
    "LOGITS": np.array([[1.0, 5.0, 3.0], [7.0, 2.0, 0.0]], np.float32),
    "SNR": np.array([[1.0, 5.0, 3.0], [7.0, 2.0, 0.0]], np.float32),
    "FEATURE_MAPS": np.random.default_rng(1).normal(0, 1, (1, 2, 8, 8)).astype(np.float32),
    "FRAMES": np.random.default_rng(2).normal(0, 1, (1, 2, 16)).astype(np.float32),
    # 1,000 rows of [0.7, 0.1, 0.1, 0.1] (as logits) and of eight categories: draws per row.
    "CANDIDATE_LOGITS": np.log(np.tile(np.array([0.7, 0.1, 0.1, 0.1], np.float32), (1000, 1))),
    "NEGATIVE_WEIGHTS": np.tile(np.array([0.3] + [0.1] * 7, np.float32), (1000, 1)),
}
BN_CHANNELS = 4


def bn_batches(dims: int) -> list[np.ndarray]:
    """Three training batches of mean 5 (far from the running mean's start, 0), 4 channels, of
    ``dims`` dimensions (2: BatchNorm1d's input, 3: its sequences, 4: BatchNorm2d's, 5: 3d)."""
    rng = np.random.default_rng(0)
    shape = (8, BN_CHANNELS) + (3,) * (dims - 2)
    return [rng.normal(5.0, 2.0, shape).astype(np.float32) for _ in range(3)]


def distinct_rows(draws: np.ndarray) -> float:
    """The share of rows whose draws are all different categories, to one decimal."""
    rows = np.asarray(draws).reshape(len(draws), -1)
    return round(float(np.mean([len(set(row)) == len(row) for row in rows])), 1)


def mindspore_divergence() -> dict:
    import mindspore as ms
    from mindspore import Tensor, nn

    def dropped(layer):
        """The share of a layer's output that dropout zeroed in training mode, to one decimal."""
        layer.set_train(True)
        out = layer(Tensor(np.ones((200, 500), np.float32)))
        if isinstance(out, tuple):  # the ops.Dropout primitive returns (output, mask)
            out = out[0]
        return round(float((out.asnumpy() == 0).mean()), 1)

    def batchnorm(layer, dims=4):
        """A BatchNorm's output in evaluation mode, after three batches in training mode."""
        batches = bn_batches(dims)
        layer.set_train(True)
        for batch in batches:
            layer(Tensor(batch))
        layer.set_train(False)
        return layer(Tensor(batches[0]))

    def functional_batchnorm(normalize):
        """The running mean a functional batch norm keeps over three training batches."""
        def parameter(value, name):
            return ms.Parameter(Tensor(np.full(BN_CHANNELS, value, np.float32)), name=name)

        mean, var = parameter(0.0, "running_mean"), parameter(1.0, "running_var")
        weight, bias = parameter(1.0, "weight"), parameter(0.0, "bias")
        for batch in bn_batches(4):
            normalize(Tensor(batch), mean, var, weight, bias, True)
        return mean

    ms.set_seed(0)
    return {"DROPPED": dropped, "BATCHNORM": batchnorm, "FUNCTIONAL_BATCHNORM": functional_batchnorm,
            "DISTINCT_ROWS": lambda draws: distinct_rows(draws.asnumpy()), "IDENTITY": nn.Identity(),
            **{name: Tensor(value) for name, value in DIVERGENCE_ARRAYS.items()}}


def torch_divergence() -> dict:
    import torch

    def dropped(layer):
        layer.train()
        out = layer(torch.ones(200, 500))
        return round(float((out == 0).float().mean()), 1)

    def batchnorm(layer, dims=4):
        batches = bn_batches(dims)
        layer.train()
        for batch in batches:
            layer(torch.from_numpy(batch))
        layer.eval()
        with torch.no_grad():
            return layer(torch.from_numpy(batches[0]))

    def functional_batchnorm(normalize):
        mean, var = torch.zeros(BN_CHANNELS), torch.ones(BN_CHANNELS)
        for batch in bn_batches(4):
            normalize(torch.from_numpy(batch), mean, var, torch.ones(BN_CHANNELS), torch.zeros(BN_CHANNELS), True)
        return mean

    torch.manual_seed(0)
    return {"DROPPED": dropped, "BATCHNORM": batchnorm, "FUNCTIONAL_BATCHNORM": functional_batchnorm,
            "DISTINCT_ROWS": lambda draws: distinct_rows(draws.numpy()), "IDENTITY": torch.nn.Identity(),
            **{name: torch.from_numpy(value.copy()) for name, value in DIVERGENCE_ARRAYS.items()}}


def mindspore_world(weights: str = "zeros") -> dict:
    import mindspore as ms
    from mindspore import Tensor, nn

    ms.set_context(mode=ms.PYNATIVE_MODE)
    net = nn.Dense(3, 2)
    net.weight.set_data(Tensor(WEIGHTS[weights][0]))
    net.bias.set_data(Tensor(WEIGHTS[weights][1]))
    critic = nn.Dense(3, 2)
    critic.weight.set_data(Tensor(CRITIC[0]))
    critic.bias.set_data(Tensor(CRITIC[1]))
    loss_fn = nn.CrossEntropyLoss()

    def forward_fn(data, label):
        return loss_fn(net(data), label)

    def forward_fn_with_aux(data, label):
        logits = net(data)
        return loss_fn(logits, label), logits

    class NetWithLossAndLogits(nn.Cell):
        def __init__(self):
            super().__init__()
            self.net = net

        def construct(self, data, label):
            logits = self.net(data)
            return loss_fn(logits, label), logits

    parameters = net.trainable_params()
    optimizer = nn.SGD(parameters, learning_rate=1.0)
    world = {
        "ms": ms, "net": net, "model": net, "critic": critic, "loss_fn": loss_fn, "weights": parameters,
        "forward_fn": forward_fn, "forward_fn_with_aux": forward_fn_with_aux,
        "net_with_loss_and_logits": NetWithLossAndLogits(), "optimizer": optimizer,
        "grad_fn": ms.value_and_grad(forward_fn, None, parameters),
        "data": Tensor(np.array(DATA, np.float32)), "label": Tensor(np.array(LABEL, np.int32)),
        **{name: Tensor(np.array(value, np.float32)) for name, value in TENSORS.items()},
        **SCALARS,
    }
    world["self"] = SimpleNamespace(clip_value=SCALARS["CLIP_VALUE"], grad_fn=world["grad_fn"], optimizer=optimizer)
    world["WEIGHTS"] = lambda: [parameter.asnumpy() for parameter in net.trainable_params()]
    world["CRITIC_WEIGHTS"] = lambda: [parameter.asnumpy() for parameter in critic.trainable_params()]
    world.update(mindspore_divergence())
    return world


def torch_world(weights: str = "zeros") -> dict:
    import torch

    def linear(initial):
        layer = torch.nn.Linear(3, 2)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(initial[0]))
            layer.bias.copy_(torch.from_numpy(initial[1]))
        return layer

    model = linear(WEIGHTS[weights])
    critic = linear(CRITIC)
    world = {
        "torch": torch, "model": model, "critic": critic, "loss_fn": torch.nn.CrossEntropyLoss(),
        "optimizer": torch.optim.SGD(model.parameters(), lr=1.0),
        "data": torch.tensor(DATA), "label": torch.tensor(LABEL),
        **{name: torch.tensor(value) for name, value in TENSORS.items()},
        **SCALARS,
    }
    world["self"] = SimpleNamespace(clip_value=SCALARS["CLIP_VALUE"])
    world["WEIGHTS"] = lambda: [model.weight.detach().numpy().copy(), model.bias.detach().numpy().copy()]
    world["CRITIC_WEIGHTS"] = lambda: [critic.weight.detach().numpy().copy(), critic.bias.detach().numpy().copy()]
    world.update(torch_divergence())
    return world


def as_arrays(value) -> list[np.ndarray]:
    """Any observed value (a tensor, a tuple of tensors, a number) as a flat list of arrays."""
    if isinstance(value, (list, tuple)):
        return [array for item in value for array in as_arrays(item)]
    if hasattr(value, "asnumpy"):
        return [np.asarray(value.asnumpy(), dtype=np.float64)]
    if hasattr(value, "detach"):
        return [value.detach().numpy().astype(np.float64)]
    return [np.asarray(value, dtype=np.float64)]
