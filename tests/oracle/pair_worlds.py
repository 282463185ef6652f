"""The two worlds the port-pair cases run in (tests/oracle/pair_cases.py): the same inputs and the
same starting weights in MindSpore and in PyTorch, and the helpers a case observes a layer,
a function or an optimizer with.

Every helper exists under the same name in both worlds, so a case's torch expression and its
MindSpore expressions read alike:

- ``OUT(layer, x)``: the layer's output in evaluation mode, after its parameters were set to the
  same deterministic values in both frameworks (parameter i, in declaration order, drawn from
  ``default_rng(i)``), so a bias present on one side only shows.
- ``DROPPED(layer)``: the share of activations a dropout layer zeroes in training mode.
- ``DROPPED_BY(function)``: the same for a functional dropout.
- ``BATCHNORM(layer, rank)``: a BatchNorm's output in evaluation mode after three training batches
  of inputs of that rank.
- ``TRAIN(make_optimizer)``: a Linear(3, 2) / Dense(3, 2) model with fixed weights, trained three
  steps on a fixed regression batch with the optimizer ``make_optimizer(parameters)`` builds:
  the weights afterwards.
- ``DISTINCT_ROWS(draws)``: the share of rows whose samples are all different categories.
- ``STEP_LR(step_size, gamma)``: the learning rate of six epochs under each framework's StepLR
  (MindSpore's is mindspore.experimental.optim.lr_scheduler.StepLR), starting from 1.
"""

from __future__ import annotations

import numpy as np

from oracle.worlds import distinct_rows, mindspore_divergence, torch_divergence

ARRAYS = {
    "X1": np.random.default_rng(11).normal(0, 1, (1, 2, 16)).astype(np.float32),
    "X2": np.random.default_rng(12).normal(0, 1, (1, 2, 8, 8)).astype(np.float32),
    "X3": np.random.default_rng(13).normal(0, 1, (1, 2, 6, 6, 6)).astype(np.float32),
    "ROWS": np.random.default_rng(14).normal(0, 2, (4, 6)).astype(np.float32),  # (batch, features)
    "TARGET": np.random.default_rng(15).normal(0, 2, (4, 6)).astype(np.float32),
    "CANDIDATES": np.tile(np.array([0.7, 0.1, 0.1, 0.1], np.float32), (1000, 1)),
}
INDEX = np.array([[0, 2], [1, 0], [5, 5], [3, 4]], np.int64)
INPUTS = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]], np.float32)
TARGETS = np.array([[1.0, -1.0], [0.5, 2.0]], np.float32)
START = (np.array([[0.1, -0.2, 0.3], [0.4, 0.0, -0.1]], np.float32), np.array([0.05, -0.05], np.float32))
STEPS = 3


def parameter_values(shapes: list[tuple]) -> list[np.ndarray]:
    return [np.random.default_rng(i).normal(0, 0.5, shape).astype(np.float32) for i, shape in enumerate(shapes)]


def mindspore_pair_world() -> dict:
    import mindspore as ms
    from mindspore import Tensor, nn, ops

    ms.set_context(mode=ms.PYNATIVE_MODE)
    ms.set_seed(0)

    def out(layer, x):
        parameters = layer.trainable_params()
        for parameter, value in zip(parameters, parameter_values([tuple(p.shape) for p in parameters])):
            parameter.set_data(Tensor(value))
        layer.set_train(False)
        return layer(x)

    def dropped(layer):
        layer.set_train(True)
        return dropped_by(layer)

    def dropped_by(function):
        return round(float((function(Tensor(np.ones((200, 500), np.float32))).asnumpy() == 0).mean()), 1)

    batchnorm = mindspore_divergence()["BATCHNORM"]  # (layer, dims): after three training batches

    def train(make_optimizer):
        net = nn.Dense(3, 2)
        net.weight.set_data(Tensor(START[0]))
        net.bias.set_data(Tensor(START[1]))
        parameters = net.trainable_params()
        optimizer = make_optimizer(parameters)

        def loss_fn(x, y):
            return ((net(x) - y) ** 2).mean()

        grad_fn = ms.value_and_grad(loss_fn, None, parameters)
        for _ in range(STEPS):
            _, grads = grad_fn(Tensor(INPUTS), Tensor(TARGETS))
            optimizer(grads)
        return [parameter.asnumpy() for parameter in parameters]

    def step_lr(step_size, gamma):
        from mindspore.experimental import optim

        optimizer = optim.SGD([ms.Parameter(Tensor(np.zeros(1, np.float32)), name="w")], lr=1.0)
        scheduler = optim.lr_scheduler.StepLR(optimizer, step_size, gamma)
        rates = []
        for _ in range(6):
            rates.append(float(scheduler.get_last_lr()[0]))
            scheduler.step()
        return rates

    return {"ms": ms, "nn": nn, "ops": ops, "Tensor": Tensor, "OUT": out, "DROPPED": dropped,
            "DROPPED_BY": dropped_by, "BATCHNORM": batchnorm, "TRAIN": train, "STEP_LR": step_lr,
            "DISTINCT_ROWS": lambda draws: distinct_rows(draws.asnumpy()), "INDEX": Tensor(INDEX),
            **{name: Tensor(value) for name, value in ARRAYS.items()}}


def torch_pair_world() -> dict:
    import torch

    torch.manual_seed(0)

    def out(layer, x):
        with torch.no_grad():
            parameters = list(layer.parameters())
            for parameter, value in zip(parameters, parameter_values([tuple(p.shape) for p in parameters])):
                parameter.copy_(torch.from_numpy(value))
            layer.eval()
            return layer(x)

    def dropped(layer):
        layer.train()
        return dropped_by(layer)

    def dropped_by(function):
        return round(float((function(torch.ones(200, 500)) == 0).float().mean()), 1)

    batchnorm = torch_divergence()["BATCHNORM"]  # (layer, dims): after three training batches

    def train(make_optimizer):
        model = torch.nn.Linear(3, 2)
        with torch.no_grad():
            model.weight.copy_(torch.from_numpy(START[0]))
            model.bias.copy_(torch.from_numpy(START[1]))
        optimizer = make_optimizer(model.parameters())
        for _ in range(STEPS):
            optimizer.zero_grad()
            ((model(torch.from_numpy(INPUTS)) - torch.from_numpy(TARGETS)) ** 2).mean().backward()
            optimizer.step()
        return [model.weight.detach().numpy().copy(), model.bias.detach().numpy().copy()]

    def step_lr(step_size, gamma):
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size, gamma)
        rates = []
        for _ in range(6):
            rates.append(float(scheduler.get_last_lr()[0]))
            optimizer.step()
            scheduler.step()
        return rates

    return {"torch": torch, "nn": torch.nn, "F": torch.nn.functional, "OUT": out, "DROPPED": dropped,
            "DROPPED_BY": dropped_by, "BATCHNORM": batchnorm, "TRAIN": train, "STEP_LR": step_lr,
            "DISTINCT_ROWS": lambda draws: distinct_rows(draws.numpy()), "INDEX": torch.from_numpy(INDEX),
            **{name: torch.from_numpy(value.copy()) for name, value in ARRAYS.items()}}
