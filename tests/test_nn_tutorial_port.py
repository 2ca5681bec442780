"""PyTorch's tutorial "What is torch.nn really?" (pytorch/tutorials, beginner_source/nn_tutorial.py, by Jeremy
Howard) ported: its code written once, as the tutorial spells it, and run with torch and with this library
(``autograd`` for ``torch``, ``nn`` for ``torch.nn``, ``nn.functional`` as ``F``, ``nn.optim`` for
``torch.optim``, ``nn.data`` for ``torch.utils.data``) from the same weights: losses, accuracies, gradients and
parameters after training agree to float32 rounding, at every step of the tutorial's refactoring: the model by
hand with log_softmax and nll, ``F.cross_entropy``, ``nn.Module`` with ``nn.Parameter``, ``nn.Linear``,
``optim``, ``TensorDataset``, ``DataLoader``, validation, ``fit``/``get_data``, a CNN, ``nn.Sequential`` with a
``Lambda`` layer, the ``WrappedDataLoader`` with ``nn.AdaptiveAvgPool2d``, and the device moves.

The tutorial's MNIST download is replaced by a small random stand-in of the same form (rows of 784 pixels in
[0, 1), labels 0-9 set by the pixels), pickled and gzipped as ``mnist.pkl.gz`` is. Random draws come from each
library's own generator, so weights are drawn once in numpy and handed to both, and the shuffled training data
loaders are compared by what they guarantee (each epoch sees every sample once), the exact runs using the
tutorial's code with ``shuffle=False``.
"""

# ruff: noqa: N801, B007 - the tutorial's class names (Mnist_Logistic, Mnist_CNN) and loops (for epoch in range(epochs))

from __future__ import annotations

import gzip
import math
import pickle
from typing import Any

import book_ports
import numpy as np
import pytest
from book_ports import assert_close as _close
from book_ports import libraries as _libs

#: the fixtures the tests take (tests/book_ports.py): float32 as both libraries' default dtype, torch under it
float32, torch = book_ports.float32, book_ports.torch

_RNG = np.random.default_rng(11)


def _digits(n: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` rows of 784 pixels and their labels: the label is the brightest of ten 28-pixel bands, lit up."""
    x = _RNG.random((n, 784)).astype(np.float32) * 0.5
    y = _RNG.integers(0, 10, n)
    for row, label in enumerate(y):
        x[row, 28 * (2 * label + 4) : 28 * (2 * label + 5)] += 0.5
    return x, y.astype(np.int64)


(X_TRAIN, Y_TRAIN), (X_VALID, Y_VALID) = _digits(320), _digits(100)
WEIGHTS = _RNG.standard_normal((784, 10)).astype(np.float32) / math.sqrt(784)
BS, LR, EPOCHS = 64, 0.5, 2


def _both(torch: Any, run: Any) -> tuple[Any, Any]:
    """``run(lib)``'s results with torch's names, then with this library's."""
    theirs, ours = (run(lib) for lib in _libs(torch))
    return theirs, ours


def _tensors(lib: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    """The tutorial's ``map(torch.tensor, (x_train, y_train, x_valid, y_valid))``."""
    return tuple(map(lib["torch"].tensor, (X_TRAIN, Y_TRAIN, X_VALID, Y_VALID)))


def _accuracy(lib: dict[str, Any]) -> Any:
    t = lib["torch"]

    def accuracy(out, yb):
        preds = t.argmax(out, dim=1)
        return (preds == yb).float().mean()

    return accuracy


def _logistic(lib: dict[str, Any]) -> Any:
    """The tutorial's ``Mnist_Logistic`` with its own Parameters (from the shared draw)."""
    t, nn = lib["torch"], lib["nn"]

    class Mnist_Logistic(nn.Module):
        def __init__(self):
            super().__init__()
            self.weights = nn.Parameter(t.tensor(WEIGHTS))
            self.bias = nn.Parameter(t.zeros(10))

        def forward(self, xb):
            return xb @ self.weights + self.bias

    return Mnist_Logistic


def _linear_logistic(lib: dict[str, Any]) -> Any:
    """The tutorial's ``Mnist_Logistic`` on ``nn.Linear`` (its weight set to the shared draw)."""
    t, nn = lib["torch"], lib["nn"]

    class Mnist_Logistic(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(784, 10)
            with t.no_grad():
                self.lin.weight.copy_(t.tensor(WEIGHTS.T.copy()))
                self.lin.bias.zero_()

        def forward(self, xb):
            return self.lin(xb)

    return Mnist_Logistic


def test_mnist_data_setup_from_a_gzipped_pickle_as_torch(torch, tmp_path):
    path = tmp_path / "mnist.pkl.gz"
    with gzip.open(path, "wb") as f:
        pickle.dump(((X_TRAIN, Y_TRAIN), (X_VALID, Y_VALID), (X_VALID[:5], Y_VALID[:5])), f)

    def run(lib):
        t = lib["torch"]
        with gzip.open(path, "rb") as f:
            ((x_train, y_train), (x_valid, y_valid), _) = pickle.load(f, encoding="latin-1")
        assert x_train[0].reshape((28, 28)).shape == (28, 28)
        x_train, y_train, x_valid, y_valid = map(t.tensor, (x_train, y_train, x_valid, y_valid))
        n, c = x_train.shape
        dtypes = [str(v.dtype).split(".")[-1] for v in (x_train, y_train)]
        return (n, c), tuple(x_train.shape), y_train.min().item(), y_train.max().item(), dtypes, x_valid, y_valid

    theirs, ours = _both(torch, run)
    assert ours[:5] == theirs[:5] == ((320, 784), (320, 784), 0, 9, ["float32", "int64"])
    _close(ours[5], theirs[5])
    assert ours[6].tolist() == theirs[6].tolist()


def test_neural_net_from_scratch_with_log_softmax_and_nll_as_torch(torch):
    def run(lib):
        t = lib["torch"]
        x_train, y_train, _, _ = _tensors(lib)
        n, c = x_train.shape
        weights = t.tensor(WEIGHTS)
        weights.requires_grad_()
        bias = t.zeros(10, requires_grad=True)

        def log_softmax(x):
            return x - x.exp().sum(-1).log().unsqueeze(-1)

        def model(xb):
            return log_softmax(xb @ weights + bias)

        xb = x_train[0:BS]
        preds = model(xb)
        first = (preds[0], tuple(preds.shape), preds.grad_fn is not None)

        def nll(input, target):
            return -input[range(target.shape[0]), target].mean()

        loss_func, accuracy = nll, _accuracy(lib)
        yb = y_train[0:BS]
        before = (loss_func(preds, yb), accuracy(preds, yb))
        for epoch in range(EPOCHS):
            for i in range((n - 1) // BS + 1):
                start_i = i * BS
                end_i = start_i + BS
                xb = x_train[start_i:end_i]
                yb = y_train[start_i:end_i]
                pred = model(xb)
                loss = loss_func(pred, yb)
                loss.backward()
                with t.no_grad():
                    weights -= weights.grad * LR
                    bias -= bias.grad * LR
                    weights.grad.zero_()
                    bias.grad.zero_()
        after = (loss_func(model(xb), yb), accuracy(model(xb), yb))
        leaf = (weights.is_leaf, weights.requires_grad, weights.grad_fn is None, tuple(xb.shape))
        return first, before, after, leaf, weights.detach().clone(), bias.detach().clone()

    theirs, ours = _both(torch, run)
    _close(ours[0][0], theirs[0][0], rtol=1e-5, atol=1e-5)
    assert ours[0][1:] == theirs[0][1:] == ((BS, 10), True)
    for q, p in zip(ours[1] + ours[2], theirs[1] + theirs[2], strict=True):
        _close(q, p, rtol=1e-4, atol=1e-5)
    assert float(ours[2][0]) < float(ours[1][0]) and float(ours[2][1]) > float(ours[1][1])
    assert ours[3] == theirs[3] == (True, True, True, (BS, 784))
    _close(ours[4], theirs[4], rtol=1e-4, atol=1e-5)
    _close(ours[5], theirs[5], rtol=1e-4, atol=1e-5)


def test_functional_cross_entropy_replaces_log_softmax_and_nll_as_torch(torch):
    def run(lib):
        t, F = lib["torch"], lib["F"]
        x_train, y_train, _, _ = _tensors(lib)
        weights = t.tensor(WEIGHTS, requires_grad=True)
        bias = t.zeros(10, requires_grad=True)

        def log_softmax(x):
            return x - x.exp().sum(-1).log().unsqueeze(-1)

        def nll(input, target):
            return -input[range(target.shape[0]), target].mean()

        def model(xb):
            return xb @ weights + bias

        xb, yb = x_train[0:BS], y_train[0:BS]
        by_hand = nll(log_softmax(model(xb)), yb)
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        return by_hand, loss, _accuracy(lib)(model(xb), yb), weights.grad, bias.grad

    theirs, ours = _both(torch, run)
    for q, p in zip(ours, theirs, strict=True):
        _close(q, p, rtol=1e-4, atol=1e-6)
    _close(ours[0], ours[1], rtol=1e-5)


def test_refactor_with_nn_module_nn_parameter_and_zero_grad_as_torch(torch):
    def run(lib):
        t, F = lib["torch"], lib["F"]
        x_train, y_train, _, _ = _tensors(lib)
        n, c = x_train.shape
        loss_func = F.cross_entropy
        model = _logistic(lib)()
        names = [name for name, _ in model.named_parameters()]
        xb, yb = x_train[0:BS], y_train[0:BS]
        before = loss_func(model(xb), yb)

        def fit():
            for epoch in range(EPOCHS):
                for i in range((n - 1) // BS + 1):
                    start_i = i * BS
                    end_i = start_i + BS
                    xb = x_train[start_i:end_i]
                    yb = y_train[start_i:end_i]
                    pred = model(xb)
                    loss = loss_func(pred, yb)
                    loss.backward()
                    with t.no_grad():
                        for p in model.parameters():
                            p -= p.grad * LR
                        model.zero_grad()

        fit()
        grads = [p.grad for p in model.parameters()]  # zero_grad's default (set_to_none=True): None
        return names, before, loss_func(model(xb), yb), grads, [p.detach().clone() for p in model.parameters()]

    theirs, ours = _both(torch, run)
    assert ours[0] == theirs[0] == ["weights", "bias"]
    _close(ours[1], theirs[1])
    _close(ours[2], theirs[2], rtol=1e-4, atol=1e-5)
    assert ours[3] == theirs[3] == [None, None]
    for q, p in zip(ours[4], theirs[4], strict=True):
        _close(q, p, rtol=1e-4, atol=1e-5)


def _fit_by_steps(lib: dict[str, Any], model: Any, opt: Any, batches: Any) -> Any:
    """The tutorial's loop with an optimizer: ``loss.backward(); opt.step(); opt.zero_grad()`` for each batch."""
    loss_func = lib["F"].cross_entropy
    for epoch in range(EPOCHS):
        for xb, yb in batches():
            pred = model(xb)
            loss = loss_func(pred, yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
    return loss_func(model(xb), yb)


def test_refactor_with_nn_linear_optim_tensor_dataset_and_data_loader_as_torch(torch):
    def run(lib):
        optim, data = lib["optim"], lib["data"]
        x_train, y_train, _, _ = _tensors(lib)
        n, c = x_train.shape
        Mnist_Logistic = _linear_logistic(lib)
        results = []

        def get_model():
            model = Mnist_Logistic()
            return model, optim.SGD(model.parameters(), lr=LR)

        def by_slices():
            for i in range((n - 1) // BS + 1):
                start_i = i * BS
                end_i = start_i + BS
                yield x_train[start_i:end_i], y_train[start_i:end_i]

        train_ds = data.TensorDataset(x_train, y_train)

        def by_dataset():
            for i in range((n - 1) // BS + 1):
                yield train_ds[i * BS : i * BS + BS]

        train_dl = data.DataLoader(train_ds, batch_size=BS)
        for batches in (by_slices, by_dataset, lambda: train_dl):
            model, opt = get_model()
            loss = _fit_by_steps(lib, model, opt, batches)
            results.append((loss, [p.detach().clone() for p in model.parameters()]))
        facts = (len(train_ds), len(train_dl), tuple(train_ds[0][0].shape), train_ds[0][1].item())
        facts += (tuple(train_ds[3:7][0].shape), [tuple(b[0].shape) for b in train_dl][-1])
        return facts, results

    theirs, ours = _both(torch, run)
    assert ours[0] == theirs[0] == (320, 5, (784,), int(Y_TRAIN[0]), (4, 784), (64, 784))
    for (q_loss, q_params), (p_loss, p_params) in zip(ours[1], theirs[1], strict=True):
        _close(q_loss, p_loss, rtol=1e-4, atol=1e-5)
        for q, p in zip(q_params, p_params, strict=True):
            _close(q, p, rtol=1e-4, atol=1e-5)
    for _, q_params in ours[1][1:]:  # the three loops are one computation
        for q, p in zip(q_params, ours[1][0][1], strict=True):
            _close(q, p, rtol=1e-6, atol=1e-7)


def test_validation_loss_by_epoch_with_train_and_eval_modes_as_torch(torch):
    def run(lib):
        t, optim, data, F = lib["torch"], lib["optim"], lib["data"], lib["F"]
        x_train, y_train, x_valid, y_valid = _tensors(lib)
        loss_func = F.cross_entropy
        train_ds = data.TensorDataset(x_train, y_train)
        train_dl = data.DataLoader(train_ds, batch_size=BS, shuffle=False)
        valid_ds = data.TensorDataset(x_valid, y_valid)
        valid_dl = data.DataLoader(valid_ds, batch_size=BS * 2)
        model = _linear_logistic(lib)()
        opt = optim.SGD(model.parameters(), lr=LR)
        losses, modes = [], []
        for epoch in range(EPOCHS):
            model.train()
            for xb, yb in train_dl:
                pred = model(xb)
                loss = loss_func(pred, yb)
                loss.backward()
                opt.step()
                opt.zero_grad()
            model.eval()
            modes.append((model.training, model.lin.training))
            with t.no_grad():
                valid_loss = sum(loss_func(model(xb), yb) for xb, yb in valid_dl)
            losses.append(valid_loss / len(valid_dl))
        return losses, modes, len(valid_dl), valid_loss.requires_grad

    theirs, ours = _both(torch, run)
    for q, p in zip(ours[0], theirs[0], strict=True):
        _close(q, p, rtol=1e-4, atol=1e-5)
    assert ours[1:] == theirs[1:] == ([(False, False)] * EPOCHS, 1, False)


def _fit_and_get_data(lib: dict[str, Any], shuffle: bool) -> tuple[Any, Any, Any]:
    """The tutorial's ``loss_batch``, ``fit`` (returning the epochs' validation losses, which it prints) and
    ``get_data`` (``shuffle`` for the training loader: the tutorial's True, False for exact comparisons)."""
    t, data = lib["torch"], lib["data"]

    def loss_batch(model, loss_func, xb, yb, opt=None):
        loss = loss_func(model(xb), yb)
        if opt is not None:
            loss.backward()
            opt.step()
            opt.zero_grad()
        return loss.item(), len(xb)

    def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
        val_losses = []
        for epoch in range(epochs):
            model.train()
            for xb, yb in train_dl:
                loss_batch(model, loss_func, xb, yb, opt)
            model.eval()
            with t.no_grad():
                losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
            val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
            val_losses.append(val_loss)
        return val_losses

    def get_data(train_ds, valid_ds, bs):
        return (
            data.DataLoader(train_ds, batch_size=bs, shuffle=shuffle),
            data.DataLoader(valid_ds, batch_size=bs * 2),
        )

    return loss_batch, fit, get_data


def test_fit_and_get_data_in_three_lines_as_torch(torch):
    def run(lib):
        optim, data, F = lib["optim"], lib["data"], lib["F"]
        x_train, y_train, x_valid, y_valid = _tensors(lib)
        train_ds, valid_ds = data.TensorDataset(x_train, y_train), data.TensorDataset(x_valid, y_valid)
        loss_batch, fit, get_data = _fit_and_get_data(lib, shuffle=False)
        single = loss_batch(_linear_logistic(lib)(), F.cross_entropy, x_valid[:10], y_valid[:10])
        train_dl, valid_dl = get_data(train_ds, valid_ds, BS)
        model = _linear_logistic(lib)()
        opt = optim.SGD(model.parameters(), lr=LR)
        val_losses = fit(EPOCHS, model, F.cross_entropy, opt, train_dl, valid_dl)
        return (
            single,
            val_losses,
            [type(v).__name__ for v in val_losses],
            [p.detach().clone() for p in model.parameters()],
        )

    theirs, ours = _both(torch, run)
    assert type(ours[0][0]) is type(theirs[0][0]) is float and ours[0][1] == theirs[0][1] == 10
    np.testing.assert_allclose(ours[0][0], theirs[0][0], rtol=1e-5)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-4)
    assert ours[2] == theirs[2] == ["float64"] * EPOCHS
    for q, p in zip(ours[3], theirs[3], strict=True):
        _close(q, p, rtol=1e-4, atol=1e-5)


def test_shuffled_training_loader_sees_every_sample_each_epoch_and_trains_as_torch(torch):
    def run(lib):
        t, optim, data, F = lib["torch"], lib["optim"], lib["data"], lib["F"]
        x_train, y_train, x_valid, y_valid = _tensors(lib)
        train_ds = data.TensorDataset(x_train, y_train)
        valid_ds = data.TensorDataset(x_valid, y_valid)
        _, fit, get_data = _fit_and_get_data(lib, shuffle=True)
        train_dl, valid_dl = get_data(train_ds, valid_ds, BS)
        t.manual_seed(0)
        epochs = []
        for _ in range(2):
            seen = [yb for _, yb in train_dl]
            epochs.append((sorted(t.cat(seen).tolist()), [len(yb) for yb in seen]))
        model = _linear_logistic(lib)()
        val_losses = fit(3, model, F.cross_entropy, optim.SGD(model.parameters(), lr=LR), train_dl, valid_dl)
        return epochs, val_losses

    theirs, ours = _both(torch, run)
    for q, p in zip(ours[0], theirs[0], strict=True):
        assert q == p and q[0] == sorted(Y_TRAIN.tolist()) and q[1] == [64] * 5
    assert ours[1][-1] < ours[1][0] and theirs[1][-1] < theirs[1][0]
    np.testing.assert_allclose(ours[1][-1], theirs[1][-1], rtol=0.2)  # other batches, the same fit


def _cnn_state(lib: dict[str, Any], model: Any, state: dict[str, np.ndarray]) -> None:
    """``model`` given torch's first initial weights (drawn by the first run, torch's)."""
    if not state:
        state.update({k: v.detach().numpy().copy() for k, v in model.state_dict().items()})
    model.load_state_dict({k: lib["torch"].tensor(v) for k, v in state.items()})


def test_switch_to_cnn_with_view_avg_pool_and_momentum_as_torch(torch):
    state = {}

    def run(lib):
        nn, F, optim, data = lib["nn"], lib["F"], lib["optim"], lib["data"]
        x_train, y_train, x_valid, y_valid = _tensors(lib)

        class Mnist_CNN(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv1 = nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
                self.conv2 = nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
                self.conv3 = nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)

            def forward(self, xb):
                xb = xb.view(-1, 1, 28, 28)
                xb = F.relu(self.conv1(xb))
                xb = F.relu(self.conv2(xb))
                xb = F.relu(self.conv3(xb))
                xb = F.avg_pool2d(xb, 4)
                return xb.view(-1, xb.size(1))

        lr = 0.1
        model = Mnist_CNN()
        _cnn_state(lib, model, state)
        opt = optim.SGD(model.parameters(), lr=lr, momentum=0.9)
        _, fit, get_data = _fit_and_get_data(lib, shuffle=False)
        train_dl, valid_dl = get_data(data.TensorDataset(x_train, y_train), data.TensorDataset(x_valid, y_valid), BS)
        first = model(x_valid[:4])
        val_losses = fit(EPOCHS, model, F.cross_entropy, opt, train_dl, valid_dl)
        momenta = [opt.state[p]["momentum_buffer"] for p in model.parameters()]
        return first, val_losses, [p.detach().clone() for p in model.parameters()], momenta

    theirs, ours = _both(torch, run)
    _close(ours[0], theirs[0], rtol=1e-4, atol=1e-6)
    assert tuple(ours[0].shape) == (4, 10)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-3)
    for q, p in zip(ours[2] + ours[3], theirs[2] + theirs[3], strict=True):
        _close(q, p, rtol=1e-3, atol=1e-5)


def _lambda_layer(lib: dict[str, Any]) -> Any:
    nn = lib["nn"]

    class Lambda(nn.Module):
        def __init__(self, func):
            super().__init__()
            self.func = func

        def forward(self, x):
            return self.func(x)

    return Lambda


def test_sequential_with_lambda_layers_as_torch(torch):
    state = {}

    def run(lib):
        nn, F, optim, data = lib["nn"], lib["F"], lib["optim"], lib["data"]
        x_train, y_train, x_valid, y_valid = _tensors(lib)
        Lambda = _lambda_layer(lib)

        def preprocess(x):
            return x.view(-1, 1, 28, 28)

        model = nn.Sequential(
            Lambda(preprocess),
            nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
            nn.ReLU(),
            nn.AvgPool2d(4),
            Lambda(lambda x: x.view(x.size(0), -1)),
        )
        _cnn_state(lib, model, state)
        names = list(model.state_dict())
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        _, fit, get_data = _fit_and_get_data(lib, shuffle=False)
        train_dl, valid_dl = get_data(data.TensorDataset(x_train, y_train), data.TensorDataset(x_valid, y_valid), BS)
        val_losses = fit(EPOCHS, model, F.cross_entropy, opt, train_dl, valid_dl)
        return names, repr(model[0]), repr(model[7]), val_losses, [p.detach().clone() for p in model.parameters()]

    theirs, ours = _both(torch, run)
    assert ours[:3] == theirs[:3]
    assert ours[0] == ["1.weight", "1.bias", "3.weight", "3.bias", "5.weight", "5.bias"]
    np.testing.assert_allclose(ours[3], theirs[3], rtol=1e-3)
    for q, p in zip(ours[4], theirs[4], strict=True):
        _close(q, p, rtol=1e-3, atol=1e-5)


def test_wrapped_data_loader_adaptive_avg_pool_and_device_moves_as_torch(torch):
    state = {}

    def run(lib):
        t, nn, F, optim, data = lib["torch"], lib["nn"], lib["F"], lib["optim"], lib["data"]
        x_train, y_train, x_valid, y_valid = _tensors(lib)
        Lambda = _lambda_layer(lib)
        dev = t.device("cuda") if t.cuda.is_available() else t.device("cpu")

        def preprocess(x, y):
            return x.view(-1, 1, 28, 28).to(dev), y.to(dev)

        class WrappedDataLoader:
            def __init__(self, dl, func):
                self.dl = dl
                self.func = func

            def __len__(self):
                return len(self.dl)

            def __iter__(self):
                batches = iter(self.dl)
                for b in batches:
                    yield (self.func(*b))

        _, fit, get_data = _fit_and_get_data(lib, shuffle=False)
        train_dl, valid_dl = get_data(data.TensorDataset(x_train, y_train), data.TensorDataset(x_valid, y_valid), BS)
        train_dl = WrappedDataLoader(train_dl, preprocess)
        valid_dl = WrappedDataLoader(valid_dl, preprocess)
        shapes = [(tuple(xb.shape), tuple(yb.shape), str(xb.device)) for xb, yb in valid_dl]
        model = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            Lambda(lambda x: x.view(x.size(0), -1)),
        )
        _cnn_state(lib, model, state)
        model.to(dev)
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        val_losses = fit(EPOCHS, model, F.cross_entropy, opt, train_dl, valid_dl)
        any_size = tuple(model(t.zeros(3, 1, 20, 36)).shape)  # the adaptive pool takes any image size
        return (str(dev), len(train_dl), shapes, any_size), val_losses, [p.detach().clone() for p in model.parameters()]

    theirs, ours = _both(torch, run)
    assert ours[0] == theirs[0] == ("cpu", 5, [((100, 1, 28, 28), (100,), "cpu")], (3, 10))
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-3)
    for q, p in zip(ours[2], theirs[2], strict=True):  # float32 rounding, grown by ten momentum steps
        _close(q, p, rtol=1e-3, atol=1e-4)


def test_moving_to_a_gpu_that_is_not_there_raises_torchs_error_class(torch):
    # the tutorial's "Using your GPU" on a machine without one: every way of asking for CUDA fails with the class
    # torch raises (AssertionError in a CPU build, RuntimeError where CUDA is built in but no GPU is found), so the
    # same except clause catches both libraries' errors
    def moves(lib):
        t, nn = lib["torch"], lib["nn"]
        dev = t.device("cuda")
        return [
            lambda: t.ones(2).to(dev),
            lambda: t.ones(2).cuda(),
            lambda: nn.Linear(2, 2).to(dev),
            lambda: nn.Linear(2, 2).cuda(),
            lambda: t.ones(2, device="cuda"),
            lambda: t.tensor([1.0], device=dev),
            lambda: nn.Conv2d(1, 2, 3, device="cuda"),
            lambda: t.linspace(0, 1, 3, device="cuda"),
        ]

    theirs, ours = (moves(lib) for lib in _libs(torch))
    for index, (torch_move, our_move) in enumerate(zip(theirs, ours, strict=True)):
        with pytest.raises(Exception) as torch_error:
            torch_move()
        with pytest.raises((AssertionError, RuntimeError)) as our_error:
            our_move()
        assert isinstance(our_error.value, type(torch_error.value)), index
        assert isinstance(our_error.value, AssertionError) and isinstance(our_error.value, RuntimeError), index
