"""The University of Amsterdam Deep Learning course's PyTorch tutorials 2-4 (uvadlc notebooks), ported and run
line for line in torch and here (``autograd`` for ``torch``, ``nn`` for ``torch.nn``, ``nn.functional`` as ``F``,
``nn.optim``, ``nn.data``) on the same inputs and initial weights, in float64: every value, gradient, loss and
trajectory agrees with torch's to rounding.

Covered: tensors, ``requires_grad`` and ``backward`` of the small expression, the XOR ``data.Dataset`` /
``DataLoader``, a small ``nn.Module`` trained with ``BCEWithLogitsLoss`` and SGD, ``state_dict`` saved, loaded and
evaluated (Tutorial 2); Sigmoid, Tanh, ReLU, LeakyReLU, ELU and Swish written as ``nn.Module`` subclasses, their
gradients through ``x.grad`` after ``y.sum().backward()`` beside the built-in activations, the dead-neuron count and
the weight gradients per layer of a deep network on the bundled digits (Tutorial 3, FashionMNIST replaced); the
constant, equal-variance, Xavier and Kaiming initialisations written with ``param.data.fill_/normal_/uniform_``, the
activation variances through a deep network, and SGD, SGD-momentum and Adam written on an ``OptimizerTemplate``
(``zero_grad`` with ``p.grad.detach_()``, ``step`` under ``@no_grad()``, ``update_param``), against ``nn.optim`` and
torch on the pathological-curvature and steep-optima functions (Tutorial 4).

Spellings the port changes, each a documented difference: ``nn.optim`` for ``torch.optim`` and ``nn.save``/
``nn.load`` for ``torch.save``/``torch.load`` (the engine does not import ``nn``), ``FloatTensor(2, 3, 4)`` for the
legacy ``Tensor(2, 3, 4)`` (``Tensor`` is numpy's constructor here), and the model made float64 with ``.double()``
(the layers default to float32, the factories to float64). SGD with lr=10 on the pathological curve is left out of
the trajectory comparison: it is chaotic, a one-ulp difference in ``tanh`` grows to O(1) within 60 steps (torch's own
hand-written and built-in SGD part the same way).
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np
import pytest
from nested_results import assert_same

import autograd
import nn

RTOL, ATOL = 1e-9, 1e-12


@pytest.fixture
def torch():
    """torch with float64 as its default dtype, restored afterwards."""
    torch = pytest.importorskip("torch")
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(previous)


def _libs(torch: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    theirs = {
        "torch": torch,
        "nn": torch.nn,
        "F": torch.nn.functional,
        "optim": torch.optim,
        "data": torch.utils.data,
        "save": torch.save,
        "load": torch.load,
    }
    ours = {
        "torch": autograd,
        "nn": nn,
        "F": nn.functional,
        "optim": nn.optim,
        "data": nn.data,
        "save": nn.save,
        "load": nn.load,
    }
    return theirs, ours


def _assert_same(expected: Any, got: Any) -> None:
    assert_same(expected, got, RTOL, ATOL)


def _synced(lib: dict[str, Any], model: Any, store: dict[str, Any], key: str) -> Any:
    """torch's initial weights kept in ``store`` and copied into ours."""
    if lib["torch"] is autograd:
        model.load_state_dict({name: value.numpy() for name, value in store[key].items()})
    else:
        store[key] = {name: value.clone() for name, value in model.state_dict().items()}
    return model


# -- Tutorial 2: introduction to PyTorch --------------------------------------------------------------------------
def _basics(lib: dict[str, Any]) -> list[Any]:
    torch = lib["torch"]
    x = torch.FloatTensor(2, 3, 4)
    log: list[Any] = [tuple(x.shape), tuple(x.size())]
    x = torch.from_numpy(np.array([[1, 2], [3, 4]]))
    log += [x, torch.arange(4).numpy()]
    x1, x2 = torch.from_numpy(np.arange(6.0).reshape(2, 3)), torch.ones(2, 3)
    x2.add_(x1)
    log += [x1 + x2, x2]
    x = torch.arange(6).view(2, 3)
    log += [x, x.permute(1, 0), torch.matmul(x, torch.arange(9).view(3, 3))]
    x = torch.arange(12).view(3, 4)
    log += [x[:, 1], x[0], x[:2, -1], x[1:3, :]]
    x = torch.ones((3,))
    log.append(x.requires_grad)
    x.requires_grad_(True)
    log.append(x.requires_grad)
    x = torch.arange(3, dtype=torch.float32, requires_grad=True)
    a = x + 2
    b = a**2
    c = b + 3
    y = c.mean()
    y.backward()
    log += [y, x.grad, str(x.grad.dtype).removeprefix("torch."), torch.cuda.is_available()]
    return log


def test_tutorial2_tensors_and_the_backward_of_a_small_expression_as_torch(torch):
    theirs, ours = _libs(torch)
    expected, got = _basics(theirs), _basics(ours)
    _assert_same(expected, got)
    np.testing.assert_allclose(got[-3], [4 / 3, 2, 8 / 3], rtol=1e-6)  # d mean((x + 2)^2 + 3) / dx = 2 (x + 2) / 3


def _xor(lib: dict[str, Any], store: dict[str, Any], path: str) -> list[Any]:
    torch, nn_, data = lib["torch"], lib["nn"], lib["data"]
    rng = np.random.default_rng(2)

    class SimpleClassifier(nn_.Module):
        def __init__(self, num_inputs, num_hidden, num_outputs):
            super().__init__()
            self.linear1 = nn_.Linear(num_inputs, num_hidden)
            self.act_fn = nn_.Tanh()
            self.linear2 = nn_.Linear(num_hidden, num_outputs)

        def forward(self, x):
            x = self.linear1(x)
            x = self.act_fn(x)
            x = self.linear2(x)
            return x

    class XORDataset(data.Dataset):
        def __init__(self, size, std=0.1):
            super().__init__()
            self.size = size
            self.std = std
            self.generate_continuous_xor()

        def generate_continuous_xor(self):
            points = torch.randint(low=0, high=2, size=(self.size, 2), dtype=torch.float64)
            label = (points.sum(dim=1) == 1).to(torch.long)
            points += self.std * torch.randn(points.shape)
            self.data = points
            self.label = label

        def __len__(self):
            return self.size

        def __getitem__(self, idx):
            return self.data[idx], self.label[idx]

        def fixed(self):  # the same draw in both libraries (their generators differ)
            points = rng.integers(0, 2, (self.size, 2)).astype(np.float64)
            self.label = torch.from_numpy((points.sum(1) == 1).astype(np.int64))
            self.data = torch.from_numpy(points + self.std * rng.standard_normal(points.shape))
            return self

    model = _synced(lib, SimpleClassifier(num_inputs=2, num_hidden=4, num_outputs=1).double(), store, "xor")
    log: list[Any] = [str(model), [(name, tuple(param.shape)) for name, param in model.named_parameters()]]
    dataset = XORDataset(size=200)
    data_inputs, data_labels = next(iter(data.DataLoader(dataset, batch_size=8, shuffle=True)))
    log += [len(dataset), tuple(data_inputs.shape), tuple(data_labels.shape), str(data_labels.dtype)[-5:]]
    loss_module = nn_.BCEWithLogitsLoss()
    optimizer = lib["optim"].SGD(model.parameters(), lr=0.1)
    train_data_loader = data.DataLoader(XORDataset(size=500).fixed(), batch_size=128, shuffle=False)
    model.train()
    for _ in range(3):
        for data_inputs, data_labels in train_data_loader:
            preds = model(data_inputs)
            preds = preds.squeeze(dim=1)
            loss = loss_module(preds, data_labels.float().double())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            log.append(loss.item())
    lib["save"](model.state_dict(), path)
    new_model = SimpleClassifier(num_inputs=2, num_hidden=4, num_outputs=1).double()
    log.append(str(new_model.load_state_dict(lib["load"](path))))
    log += [new_model.linear1.weight, new_model.linear2.bias]
    test_data_loader = data.DataLoader(XORDataset(size=300).fixed(), batch_size=128, shuffle=False, drop_last=False)
    new_model.eval()
    true_preds, num_preds = 0.0, 0.0
    with torch.no_grad():
        for data_inputs, data_labels in test_data_loader:
            preds = torch.sigmoid(new_model(data_inputs).squeeze(dim=1))
            pred_labels = (preds >= 0.5).long()
            true_preds += (pred_labels == data_labels).sum()
            num_preds += data_labels.shape[0]
    acc = true_preds / num_preds
    log.append(f"Accuracy of the model: {100.0 * acc:4.2f}%")
    return log


def test_tutorial2_xor_classifier_trains_saves_loads_and_evaluates_as_torch(torch, tmp_path):
    theirs, ours = _libs(torch)
    store: dict[str, Any] = {}
    torch.manual_seed(0)
    expected = _xor(theirs, store, os.fspath(tmp_path / "theirs.tar"))
    got = _xor(ours, store, os.fspath(tmp_path / "ours.tar"))
    _assert_same(expected, got)


# -- Tutorial 3: activation functions -----------------------------------------------------------------------------
def _activations(lib: dict[str, Any]) -> dict[str, type]:
    torch, nn_ = lib["torch"], lib["nn"]

    class ActivationFunction(nn_.Module):
        def __init__(self):
            super().__init__()
            self.name = self.__class__.__name__
            self.config = {"name": self.name}

    class Sigmoid(ActivationFunction):
        def forward(self, x):
            return 1 / (1 + torch.exp(-x))

    class Tanh(ActivationFunction):
        def forward(self, x):
            x_exp, neg_x_exp = torch.exp(x), torch.exp(-x)
            return (x_exp - neg_x_exp) / (x_exp + neg_x_exp)

    class ReLU(ActivationFunction):
        def forward(self, x):
            return x * (x > 0).float()

    class LeakyReLU(ActivationFunction):
        def __init__(self, alpha=0.1):
            super().__init__()
            self.config["alpha"] = alpha

        def forward(self, x):
            return torch.where(x > 0, x, self.config["alpha"] * x)

    class ELU(ActivationFunction):
        def forward(self, x):
            return torch.where(x > 0, x, torch.exp(x) - 1)

    class Swish(ActivationFunction):
        def forward(self, x):
            return x * torch.sigmoid(x)

    return {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leakyrelu": LeakyReLU, "elu": ELU, "swish": Swish}


def _get_grads(act_fn: Any, x: Any) -> Any:
    x = x.clone().requires_grad_()
    out = act_fn(x)
    out.sum().backward()
    return x.grad


def _activation_curves(lib: dict[str, Any]) -> list[Any]:
    torch, nn_ = lib["torch"], lib["nn"]
    x = torch.linspace(-5, 5, 101)  # 0 is a sample: the derivative taken there
    log: list[Any] = []
    builtins = [nn_.Sigmoid(), nn_.Tanh(), nn_.ReLU(), nn_.LeakyReLU(0.1), nn_.ELU(), nn_.SiLU()]
    for (name, act_fn_class), builtin in zip(_activations(lib).items(), builtins):
        act_fn = act_fn_class()
        log += [name, str(act_fn), act_fn(x).numpy(), _get_grads(act_fn, x).numpy()]
        log += [builtin(x).numpy(), _get_grads(builtin, x).numpy()]
    return log


def test_tutorial3_hand_written_activations_and_their_gradients_as_torch_and_the_builtins(torch):
    theirs, ours = _libs(torch)
    expected, got = _activation_curves(theirs), _activation_curves(ours)
    _assert_same(expected, got)
    for index in range(0, len(got), 6):  # written by hand = built in (ReLU's 0 at 0, LeakyReLU's 0.1 at 0 too)
        np.testing.assert_allclose(got[index + 2], got[index + 4], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(got[index + 3], got[index + 5], rtol=1e-9, atol=1e-12)


def _deep_network(lib: dict[str, Any], act_fn: Any, hidden_sizes: list[int]) -> Any:
    nn_ = lib["nn"]

    class BaseNetwork(nn_.Module):
        def __init__(self, act_fn, input_size=64, num_classes=10, hidden_sizes=hidden_sizes):
            super().__init__()
            layers = []
            layer_sizes = [input_size] + hidden_sizes
            for layer_index in range(1, len(layer_sizes)):
                layers += [nn_.Linear(layer_sizes[layer_index - 1], layer_sizes[layer_index]), act_fn]
            layers += [nn_.Linear(layer_sizes[-1], num_classes)]
            self.layers = nn_.Sequential(*layers)

        def forward(self, x):
            x = x.view(x.size(0), -1)
            return self.layers(x)

    return BaseNetwork(act_fn).double()


def _digits() -> tuple[np.ndarray, np.ndarray]:
    pytest.importorskip("sklearn")
    images, _, labels, _ = nn.data.load_digits(standardize=False, flatten=False, dtype=np.float64)
    return (images[:256] - 0.5) / 0.5, labels[:256]


def _dead_neurons_and_gradients(lib: dict[str, Any], store: dict[str, Any]) -> list[Any]:
    torch, F, data = lib["torch"], lib["F"], lib["data"]
    images, labels = _digits()
    train_set = data.TensorDataset(torch.from_numpy(images), torch.from_numpy(labels))
    activations = _activations(lib)
    log: list[Any] = []
    for name, act_fn_class in activations.items():
        net = _synced(lib, _deep_network(lib, act_fn_class(), [64, 48, 32, 32]), store, name)
        net.eval()
        imgs, labels_ = next(iter(data.DataLoader(train_set, batch_size=256, shuffle=False)))
        net.zero_grad()
        loss = F.cross_entropy(net(imgs), labels_)
        loss.backward()
        grads = {
            name: params.grad.data.view(-1).cpu().clone().numpy()
            for name, params in net.named_parameters()
            if "weight" in name
        }
        log += [name, loss, {key: grad.std() for key, grad in grads.items()}]
        with torch.no_grad():
            neurons_dead = [
                torch.ones(layer.weight.shape[0], dtype=torch.bool)
                for layer in net.layers[:-1]
                if isinstance(layer, lib["nn"].Linear)
            ]
            for imgs, _ in data.DataLoader(train_set, batch_size=64, shuffle=False):
                layer_index = 0
                imgs = imgs.view(imgs.size(0), -1)
                for layer in net.layers[:-1]:
                    imgs = layer(imgs)
                    if isinstance(layer, tuple(activations.values())):
                        neurons_dead[layer_index] = torch.logical_and(neurons_dead[layer_index], (imgs == 0).all(dim=0))
                        layer_index += 1
        log.append([t.sum().item() for t in neurons_dead])
    return log


def test_tutorial3_gradients_per_layer_and_dead_neurons_of_a_deep_network_as_torch(torch):
    theirs, ours = _libs(torch)
    store: dict[str, Any] = {}
    torch.manual_seed(3)
    _assert_same(_dead_neurons_and_gradients(theirs, store), _dead_neurons_and_gradients(ours, store))


# -- Tutorial 4: initialization and optimization ------------------------------------------------------------------
def _inits(lib: dict[str, Any]) -> dict[str, Any]:
    def const_init(model, fill=0.0):
        for _name, param in model.named_parameters():
            param.data.fill_(fill)

    def var_init(model, std=0.01):
        for _name, param in model.named_parameters():
            param.data.normal_(mean=0.0, std=std)

    def equal_var_init(model):
        for name, param in model.named_parameters():
            if name.endswith(".bias"):
                param.data.fill_(0)
            else:
                param.data.normal_(std=1.0 / math.sqrt(param.shape[1]))

    def xavier_init(model):
        for name, param in model.named_parameters():
            if name.endswith(".bias"):
                param.data.fill_(0)
            else:
                bound = math.sqrt(6) / math.sqrt(param.shape[0] + param.shape[1])
                param.data.uniform_(-bound, bound)

    def kaiming_init(model):
        for name, param in model.named_parameters():
            if name.endswith(".bias"):
                param.data.fill_(0)
            elif name.startswith("layers.0"):
                param.data.normal_(0, 1 / math.sqrt(param.shape[1]))
            else:
                param.data.normal_(0, math.sqrt(2) / math.sqrt(param.shape[1]))

    return {
        "const": lambda model: const_init(model, fill=0.005),
        "var": lambda model: var_init(model, std=0.1),
        "equal": equal_var_init,
        "xavier": xavier_init,
        "kaiming": kaiming_init,
    }


def test_tutorial4_hand_written_inits_give_their_variances():
    lib = {"nn": nn}
    widths = [256, 256, 256]
    for name, init in _inits(lib).items():
        model = _deep_network(lib, nn.Tanh(), widths)
        init(model)
        for key, param in model.named_parameters():
            values = param.detach().numpy()
            if name == "const":
                assert (values == 0.005).all(), key
            elif key.endswith(".bias") and name != "var":
                assert (values == 0).all(), key
            elif not key.endswith(".bias"):
                fan_out, fan_in = values.shape
                target = {
                    "var": 0.1,
                    "equal": 1 / math.sqrt(fan_in),
                    "xavier": math.sqrt(2 / (fan_in + fan_out)),
                    "kaiming": (1 if key.startswith("layers.0") else math.sqrt(2)) / math.sqrt(fan_in),
                }[name]
                assert abs(values.std() / target - 1) < 0.05, (name, key)


def _activation_variances(lib: dict[str, Any], store: dict[str, Any]) -> list[Any]:
    torch, nn_ = lib["torch"], lib["nn"]
    images = np.random.default_rng(4).standard_normal((512, 1, 8, 8))
    log: list[Any] = []
    for init_name, init in _inits(lib).items():
        for act_name, act_fn in (("identity", nn_.Identity()), ("tanh", nn_.Tanh()), ("relu", nn_.ReLU())):
            model = _deep_network(lib, act_fn, [128, 128, 128, 128])
            init(model)
            model = _synced(lib, model, store, init_name + act_name)
            feats = torch.from_numpy(images).view(512, -1)
            activations = {}
            with torch.no_grad():
                for layer_index, layer in enumerate(model.layers):
                    feats = layer(feats)
                    if isinstance(layer, nn_.Linear):
                        activations[f"Layer {layer_index}"] = feats.view(-1).detach().cpu().numpy()
            log.append({key: np.var(activations[key]) for key in sorted(activations.keys())})
    return log


def test_tutorial4_activation_variances_through_a_deep_network_as_torch(torch):
    theirs, ours = _libs(torch)
    store: dict[str, Any] = {}
    torch.manual_seed(4)
    _assert_same(_activation_variances(theirs, store), _activation_variances(ours, store))


def _optimizers(lib: dict[str, Any]) -> dict[str, type]:
    torch = lib["torch"]

    class OptimizerTemplate:
        def __init__(self, params, lr):
            self.params = list(params)
            self.lr = lr

        def zero_grad(self):
            for p in self.params:
                if p.grad is not None:
                    p.grad.detach_()
                    p.grad.zero_()

        @torch.no_grad()
        def step(self):
            for p in self.params:
                if p.grad is None:
                    continue
                self.update_param(p)

        def update_param(self, p):
            raise NotImplementedError

    class SGD(OptimizerTemplate):
        def update_param(self, p):
            p_update = -self.lr * p.grad
            p.add_(p_update)

    class SGDMomentum(OptimizerTemplate):
        def __init__(self, params, lr, momentum=0.0):
            super().__init__(params, lr)
            self.momentum = momentum
            self.param_momentum = {p: torch.zeros_like(p.data) for p in self.params}

        def update_param(self, p):
            self.param_momentum[p] = (1 - self.momentum) * p.grad + self.momentum * self.param_momentum[p]
            p_update = -self.lr * self.param_momentum[p]
            p.add_(p_update)

    class Adam(OptimizerTemplate):
        def __init__(self, params, lr, beta1=0.9, beta2=0.999, eps=1e-8):
            super().__init__(params, lr)
            self.beta1 = beta1
            self.beta2 = beta2
            self.eps = eps
            self.param_step = {p: 0 for p in self.params}
            self.param_momentum = {p: torch.zeros_like(p.data) for p in self.params}
            self.param_2nd_momentum = {p: torch.zeros_like(p.data) for p in self.params}

        def update_param(self, p):
            self.param_step[p] += 1
            self.param_momentum[p] = (1 - self.beta1) * p.grad + self.beta1 * self.param_momentum[p]
            self.param_2nd_momentum[p] = (1 - self.beta2) * (p.grad) ** 2 + self.beta2 * self.param_2nd_momentum[p]
            bias_correction_1 = 1 - self.beta1 ** self.param_step[p]
            bias_correction_2 = 1 - self.beta2 ** self.param_step[p]
            p_2nd_mom = self.param_2nd_momentum[p] / bias_correction_2
            p_mom = self.param_momentum[p] / bias_correction_1
            p_lr = self.lr / (torch.sqrt(p_2nd_mom) + self.eps)
            p_update = -p_lr * p_mom
            p.add_(p_update)

    return {"SGD": SGD, "SGDMomentum": SGDMomentum, "Adam": Adam}


def _trajectories(lib: dict[str, Any]) -> list[Any]:
    torch, nn_, optim = lib["torch"], lib["nn"], lib["optim"]
    SGD, SGDMomentum, Adam = _optimizers(lib).values()

    def pathological_curve_loss(w1, w2):
        x1_loss = torch.tanh(w1) ** 2 + 0.01 * torch.abs(w1)
        x2_loss = torch.sigmoid(w2)
        return x1_loss + x2_loss

    def bivar_gaussian(w1, w2, x_mean=0.0, y_mean=0.0, x_sig=1.0, y_sig=1.0):
        norm = 1 / (2 * np.pi * x_sig * y_sig)
        x_exp = (-1 * (w1 - x_mean) ** 2) / (2 * x_sig**2)
        y_exp = (-1 * (w2 - y_mean) ** 2) / (2 * y_sig**2)
        return norm * torch.exp(x_exp + y_exp)

    def comb_func(w1, w2):
        z = -bivar_gaussian(w1, w2, x_mean=1.0, y_mean=-0.5, x_sig=0.2, y_sig=0.2)
        z -= bivar_gaussian(w1, w2, x_mean=-1.0, y_mean=0.5, x_sig=0.2, y_sig=0.2)
        z -= bivar_gaussian(w1, w2, x_mean=-0.5, y_mean=-0.8, x_sig=0.2, y_sig=0.2)
        return z

    def train_curve(optimizer_func, curve_func=pathological_curve_loss, num_updates=100, init=(5, 5)):
        weights = nn_.Parameter(torch.DoubleTensor(list(init)), requires_grad=True)
        optimizer = optimizer_func([weights])
        list_points = []
        for _ in range(num_updates):
            loss = curve_func(weights[0], weights[1])
            list_points.append(torch.cat([weights.data.detach(), loss.unsqueeze(dim=0).detach()], dim=0))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return torch.stack(list_points, dim=0).numpy()

    x, y = torch.meshgrid([torch.arange(-2, 2, 4 / 100.0), torch.arange(-2, 2, 4 / 100.0)], indexing="xy")
    return [
        comb_func(x, y).numpy(),
        train_curve(lambda params: SGDMomentum(params, lr=10, momentum=0.9)),
        train_curve(lambda params: Adam(params, lr=1)),
        train_curve(lambda params: optim.Adam(params, lr=1)),
        train_curve(lambda params: SGD(params, lr=0.5), comb_func, init=[0.1, 0.05]),
        train_curve(lambda params: optim.SGD(params, lr=0.5), comb_func, init=[0.1, 0.05]),
        train_curve(lambda params: SGDMomentum(params, lr=1, momentum=0.9), comb_func, init=[0, 0]),
        train_curve(lambda params: Adam(params, lr=0.2), comb_func, init=[0, 0]),
        train_curve(lambda params: Adam(params, lr=0.2), comb_func, init=[0.5, 0.1]),
        train_curve(lambda params: optim.Adam(params, lr=0.2), comb_func, init=[0.5, 0.1]),
    ]


def test_tutorial4_hand_written_optimizers_trajectories_as_torch_and_nn_optim(torch):
    theirs, ours = _libs(torch)
    expected, got = _trajectories(theirs), _trajectories(ours)
    _assert_same(expected, got)
    np.testing.assert_allclose(got[2], got[3], rtol=1e-9)  # Adam by hand = nn.optim.Adam
    np.testing.assert_allclose(got[4], got[5], rtol=1e-12)  # SGD by hand = nn.optim.SGD
    np.testing.assert_allclose(got[8], got[9], rtol=1e-9)
    assert got[7][-1, 2] < -3.9  # Adam from (0, 0) settles in the steep optimum at (-0.5, -0.8), as the tutorial shows
    np.testing.assert_allclose(got[7][-1, :2], [-0.5, -0.8], atol=2e-3)
