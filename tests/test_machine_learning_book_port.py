"""Machine Learning with PyTorch and Scikit-Learn (Raschka, Liu, Mirjalili; rasbt/machine-learning-book,
chapters 12 to 18) ported: each PyTorch listing written once, as the book spells it, and run with torch and with
this library (``autograd`` for ``torch``, ``nn`` for ``torch.nn``, ``nn.data`` for ``torch.utils.data``), the two
compared with the same weights and data: outputs, losses, every gradient (the WGAN-GP penalty's double backward
included) and a few optimizer steps.

The book's datasets (iris, auto-mpg, MNIST, CelebA, IMDb, The Mysterious Island) are replaced by small random
stand-ins of their shapes; random draws (``torch.rand``, ``torch.normal``, dropout masks, shuffles) are made by one
library and handed to the other, since the two generators differ. The book works in float32, torch's default;
this library's factories make float64 unless ``set_default_dtype(float32)``, which every test here sets (and
restores) for both libraries. The port's documented spellings: ``torch.nn`` is ``nn`` and ``torch.optim`` is
``nn.optim`` (the engine does not import ``nn``), ``x.repeat(8, 1, 1)`` is numpy's repeat here (torch's is
``x.tile(8, 1, 1)``), and ``squeeze(0)`` of an axis longer than 1 raises here (``squeeze(dim=0)`` leaves it, as
torch's ``squeeze(0)`` does).
"""

# ruff: noqa: N803 - the book's names (X, A, F, Parameter, X_train)
from __future__ import annotations

from typing import Any

import book_ports
import numpy as np
import pytest
from book_ports import as_array as _array
from book_ports import assert_close as _close
from book_ports import libraries as _libs

import autograd
import nn

#: the fixtures the tests take (tests/book_ports.py): float32 as both libraries' default dtype, torch under it
float32, torch = book_ports.float32, book_ports.torch


def _state_dicts(*models: Any) -> tuple[dict[str, np.ndarray], ...]:
    """Copies of torch modules' states (weights and buffers), to load into torch's and our fresh modules."""
    return tuple({name: value.detach().numpy().copy() for name, value in m.state_dict().items()} for m in models)


def _load(torch: Any, model: Any, state: dict[str, np.ndarray]) -> None:
    """A state from _state_dicts loaded into a module of ``torch`` (torch or this library)."""
    model.load_state_dict({name: torch.tensor(value) for name, value in state.items()})


def _grads(model: Any) -> dict[str, np.ndarray]:
    return {name: _array(p.grad) for name, p in model.named_parameters()}


def _same_grads(ours: Any, theirs: Any, rtol: float = 1e-4, atol: float = 1e-5) -> None:
    expected, got = _grads(theirs), _grads(ours)
    assert got.keys() == expected.keys()
    for name, value in expected.items():
        np.testing.assert_allclose(got[name], value, rtol=rtol, atol=atol, err_msg=name)


# ---- ch12: tensor basics, data pipelines, linear regression, the iris MLP ----------------------------------


def test_ch12_split_stack_and_concatenate_as_the_book_spells_them(torch):
    def run(torch: Any) -> list[Any]:
        t = torch.tensor(np.random.default_rng(1).random(6), dtype=torch.float32)
        out = [item.numpy() for item in torch.chunk(t, 3)]
        t = t[:5]
        out += [item.numpy() for item in torch.split(t, split_size_or_sections=[3, 2])]
        out += [item.numpy() for item in torch.split(t, 2, dim=0)]
        A, B = torch.ones(3), torch.zeros(2)
        out.append(torch.cat([A, B], axis=0))
        out.append(torch.stack([A, torch.zeros(3)], axis=1))
        return out

    theirs, ours = (run(lib["torch"]) for lib in _libs(torch))
    assert [np.shape(x) for x in ours] == [np.shape(x) for x in theirs]
    for got, expected in zip(ours, theirs):
        _close(got, expected)


def test_ch12_creating_tensors_dtypes_shapes_and_math(torch):
    def run(torch: Any) -> list[Any]:
        a = [1, 2, 3]
        b = np.array([4, 5, 6], dtype=np.int32)
        t_a = torch.tensor(a)
        t_b = torch.from_numpy(b)
        out = [t_a, t_b, str(t_a.dtype), str(t_b.dtype), torch.is_tensor(a), torch.is_tensor(t_a)]
        out += [tuple(torch.ones(2, 3).shape), str(t_a.to(torch.int64).dtype)]
        t = torch.tensor(np.arange(15.0).reshape(3, 5), dtype=torch.float32)
        out += [tuple(torch.transpose(t, 0, 1).shape), tuple(torch.zeros(30).reshape(5, 6).shape)]
        out.append(tuple(torch.squeeze(torch.zeros(1, 2, 1, 4, 1), 2).shape))
        rng = np.random.default_rng(12)
        t1 = 2 * torch.tensor(rng.random((5, 2)), dtype=torch.float32) - 1
        t2 = torch.tensor(rng.standard_normal((5, 2)), dtype=torch.float32)
        out += [torch.multiply(t1, t2), torch.mean(t1, axis=0), torch.matmul(t1, torch.transpose(t2, 0, 1))]
        out += [torch.matmul(torch.transpose(t1, 0, 1), t2), torch.linalg.norm(t1, ord=2, dim=1)]
        out.append(np.sqrt(np.sum(np.square(t1.numpy()), axis=1)))
        out += [str(torch.rand(2, 3).dtype), tuple(torch.normal(mean=0, std=1, size=(5, 2)).shape)]
        return out

    theirs, ours = (run(lib["torch"]) for lib in _libs(torch))
    for got, expected in zip(ours, theirs):
        if isinstance(expected, (str, bool, tuple)):
            assert got == expected.removeprefix("torch.") if isinstance(expected, str) else got == expected
        else:
            _close(got, expected)


def test_ch12_dataloader_joint_and_tensor_datasets_batches_and_shuffles(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, data = lib["torch"], lib["data"]

        class JointDataset(data.Dataset):
            def __init__(self, x, y):
                self.x = x
                self.y = y

            def __len__(self):
                return len(self.x)

            def __getitem__(self, idx):
                return self.x[idx], self.y[idx]

        t = torch.arange(6, dtype=torch.float32)
        out: dict[str, Any] = {"items": [item.tolist() for item in data.DataLoader(t)]}
        out["batches"] = [batch.tolist() for batch in data.DataLoader(t, batch_size=3, drop_last=False)]
        t_x = torch.tensor(np.random.default_rng(1).random((4, 3)), dtype=torch.float32)
        t_y = torch.arange(4)
        joint = [(x.tolist(), int(y)) for x, y in JointDataset(t_x, t_y)]
        out["joint"] = joint
        joint_dataset = data.TensorDataset(t_x, t_y)
        out["tensor_dataset"] = [(x.tolist(), int(y)) for x, y in joint_dataset]
        data_loader = data.DataLoader(dataset=joint_dataset, batch_size=2, shuffle=True)
        epochs = []
        for _epoch in range(2):
            seen = []
            for batch in data_loader:
                assert tuple(batch[0].shape) == (2, 3) and tuple(batch[1].shape) == (2,)
                seen += [(x.tolist(), int(y)) for x, y in zip(batch[0], batch[1])]
            epochs.append(sorted(seen, key=lambda pair: pair[1]))
        out["epochs"] = epochs
        out["split"] = [len(part) for part in data.random_split(list(range(25)), [20, 5])]
        out["subset"] = [int(y) for _, y in data.Subset(joint_dataset, torch.arange(1, 3))]
        return out

    theirs, ours = (run(lib) for lib in _libs(torch))
    assert ours["items"] == theirs["items"] == [[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]]
    assert ours["batches"] == theirs["batches"]
    assert ours["joint"] == ours["tensor_dataset"] == theirs["tensor_dataset"]
    assert ours["epochs"] == [theirs["joint"]] * 2  # every example once per epoch, in pairs
    assert ours["split"] == theirs["split"] == [20, 5]
    assert ours["subset"] == theirs["subset"] == [1, 2]


def test_ch12_linear_regression_by_hand_under_no_grad_and_with_nn_linear_sgd(torch):
    X_train = np.arange(10, dtype="float32").reshape((10, 1))
    y_values = np.array([1.0, 1.3, 3.1, 2.0, 5.0, 6.3, 6.6, 7.4, 8.0, 9.0], dtype="float32")
    start = np.array([0.66135216], dtype=np.float32)  # the book's torch.randn(1) after manual_seed(1)

    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch, nn, data = lib["torch"], lib["nn"], lib["data"]
        X_train_norm = torch.from_numpy((X_train - np.mean(X_train)) / np.std(X_train))
        y_train = torch.from_numpy(y_values).float()
        train_dl = data.DataLoader(data.TensorDataset(X_train_norm, y_train), 1, shuffle=False)
        weight = torch.tensor(start.copy())
        weight.requires_grad_()
        bias = torch.zeros(1, requires_grad=True)

        def loss_fn(input, target):
            return (input - target).pow(2).mean()

        def model(xb):
            return xb @ weight + bias

        learning_rate = 0.001
        losses = []
        for _epoch in range(3):
            for x_batch, y_batch in train_dl:
                pred = model(x_batch)
                loss = loss_fn(pred, y_batch)
                loss.backward()
                with torch.no_grad():
                    weight -= weight.grad * learning_rate
                    bias -= bias.grad * learning_rate
                    weight.grad.zero_()
                    bias.grad.zero_()
            losses.append(loss.item())
        out = {"by_hand": [weight.item(), bias.item()], "by_hand_losses": losses}
        X_test_norm = torch.from_numpy((np.linspace(0, 9, num=7, dtype="float32").reshape(-1, 1) - 4.5) / 2.8722813)
        out["by_hand_pred"] = model(X_test_norm).detach().numpy()
        lin = nn.Linear(1, 1)
        _load(torch, lin, state)
        loss_fn = nn.MSELoss(reduction="mean")
        optimizer = lib["optim"].SGD(lin.parameters(), lr=learning_rate)
        for _epoch in range(3):
            for x_batch, y_batch in train_dl:
                pred = lin(x_batch)[:, 0]
                loss = loss_fn(pred, y_batch)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
        out["module"] = [lin.weight.item(), lin.bias.item()]
        out["module_pred"] = lin(X_test_norm).detach().numpy()
        return out

    theirs_lib, ours_lib = _libs(torch)
    (state,) = _state_dicts(torch.nn.Linear(1, 1))
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    for name in theirs:
        _close(ours[name], theirs[name], rtol=1e-5)


def _ch12_iris_model(nn: Any) -> Any:
    class Model(nn.Module):
        def __init__(self, input_size, hidden_size, output_size):
            super().__init__()
            self.layer1 = nn.Linear(input_size, hidden_size)
            self.layer2 = nn.Linear(hidden_size, output_size)

        def forward(self, x):
            x = self.layer1(x)
            x = nn.Sigmoid()(x)
            x = self.layer2(x)
            x = nn.Softmax(dim=1)(x)
            return x

    return Model(4, 16, 3)


def test_ch12_iris_mlp_softmax_cross_entropy_adam_and_save_reload(torch, tmp_path):
    rng = np.random.default_rng(4)
    X_train, y_train_np = rng.random((10, 4)) * 5, rng.integers(0, 3, size=10)
    X_test = rng.random((6, 4)) * 5

    def run(lib: dict[str, Any], state: dict[str, np.ndarray], save: Any, load: Any) -> dict[str, Any]:
        torch, nn, data = lib["torch"], lib["nn"], lib["data"]
        X_train_norm = (X_train - np.mean(X_train)) / np.std(X_train)
        X_train_norm = torch.from_numpy(X_train_norm).float()
        y_train = torch.from_numpy(y_train_np)
        train_dl = data.DataLoader(data.TensorDataset(X_train_norm, y_train), 2, shuffle=False)
        model = _ch12_iris_model(nn)
        _load(torch, model, state)
        loss_fn = nn.CrossEntropyLoss()
        optimizer = lib["optim"].Adam(model.parameters(), lr=0.001)
        num_epochs = 3
        loss_hist, accuracy_hist = [0] * num_epochs, [0] * num_epochs
        for epoch in range(num_epochs):
            for x_batch, y_batch in train_dl:
                pred = model(x_batch)
                loss = loss_fn(pred, y_batch.long())
                loss.backward()
                if epoch == 0 and "grads" not in locals():
                    grads = {name: _array(p.grad) for name, p in model.named_parameters()}
                optimizer.step()
                optimizer.zero_grad()
                loss_hist[epoch] += loss.item() * y_batch.size(0)
                is_correct = (torch.argmax(pred, dim=1) == y_batch).float()
                accuracy_hist[epoch] += is_correct.sum()
            loss_hist[epoch] /= len(train_dl.dataset)
            accuracy_hist[epoch] /= len(train_dl.dataset)
        X_test_norm = torch.from_numpy((X_test - np.mean(X_train)) / np.std(X_train)).float()
        pred_test = model(X_test_norm)
        path = str(tmp_path / f"iris_classifier_state_{torch.__name__}.pt")
        save(model.state_dict(), path)
        model_new = _ch12_iris_model(nn)
        model_new.load_state_dict(load(path))
        model_new.eval()
        return {
            "loss": loss_hist,
            "accuracy": [float(a) for a in accuracy_hist],
            "grads": grads,
            "pred_test": pred_test,
            "reloaded": model_new(X_test_norm),
            "accuracy_line": f"Test Acc.: {(torch.argmax(pred_test, dim=1) == torch.tensor([0, 1, 2] * 2)).float().mean():.4f}",
        }

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    (state,) = _state_dicts(_ch12_iris_model(torch.nn))
    theirs = run(theirs_lib, state, torch.save, torch.load)
    ours = run(ours_lib, state, nn.save, nn.load)
    np.testing.assert_allclose(ours["loss"], theirs["loss"], rtol=1e-5)
    assert ours["accuracy"] == pytest.approx(theirs["accuracy"])
    for name, grad in theirs["grads"].items():
        np.testing.assert_allclose(ours["grads"][name], grad, rtol=1e-4, atol=1e-7, err_msg=name)
    _close(ours["pred_test"], theirs["pred_test"])
    _close(ours["reloaded"], theirs["pred_test"])
    assert ours["accuracy_line"] == theirs["accuracy_line"]


def test_ch12_activation_functions_on_numpy_inputs(torch):
    z = np.arange(-5, 5, 0.25)
    Z = np.array([1.78, 0.76, 1.65])
    for name in ("tanh", "sigmoid", "relu"):
        ours = getattr(autograd, name)(autograd.from_numpy(z))
        assert ours.dtype == np.float64
        _close(ours, getattr(torch, name)(torch.from_numpy(z)))
    _close(autograd.softmax(autograd.from_numpy(Z), dim=0), torch.softmax(torch.from_numpy(Z), dim=0))


# ---- ch13: computation graphs, autograd, the XOR nets, custom layers, auto-mpg, MNIST MLP --------------------


def test_ch13_computation_graph_requires_grad_and_gradients_of_the_loss(torch):
    def run(torch: Any) -> list[Any]:
        def compute_z(a, b, c):
            r1 = torch.sub(a, b)
            r2 = torch.mul(r1, 2)
            z = torch.add(r2, c)
            return z

        out = [compute_z(torch.tensor(1), torch.tensor(2), torch.tensor(3))]
        out.append(compute_z(torch.tensor([1]), torch.tensor([2]), torch.tensor([3])))
        out.append(compute_z(torch.tensor([[1]]), torch.tensor([[2]]), torch.tensor([[3]])))
        a = torch.tensor(3.14, requires_grad=True)
        b = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        w = torch.tensor([1.0, 2.0, 3.0])
        flags = [a.requires_grad, b.requires_grad, w.requires_grad]
        w.requires_grad_()
        flags.append(w.requires_grad)
        w = torch.tensor(1.0, requires_grad=True)
        b = torch.tensor(0.5, requires_grad=True)
        x = torch.tensor([1.4])
        y = torch.tensor([2.1])
        z = torch.add(torch.mul(w, x), b)
        loss = (y - z).pow(2).sum()
        dw, db = torch.autograd.grad(loss, [w, b], retain_graph=True)
        loss.backward()
        out += [w.grad, b.grad, dw, db, 2 * x * ((w * x + b) - y)]
        return [flags, [tuple(o.shape) for o in out], out]

    theirs, ours = (run(lib["torch"]) for lib in _libs(torch))
    assert ours[0] == theirs[0] == [True, True, False, True]
    assert ours[1] == theirs[1]
    for got, expected in zip(ours[2], theirs[2]):
        _close(got, expected)
    _close(ours[2][3], ours[2][-1])  # the book's check of dL/dw


def test_ch13_xavier_init_on_empty_tensors_and_the_l1_penalty(torch):
    def run(lib: dict[str, Any]) -> list[Any]:
        torch, nn = lib["torch"], lib["nn"]
        w = torch.empty(2, 3)
        nn.init.xavier_normal_(w)
        w2 = torch.empty(2, 3, requires_grad=True)
        nn.init.xavier_normal_(w2)
        model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 32), nn.ReLU())
        nn.init.xavier_uniform_(model[0].weight)
        l1_penalty = 0.01 * model[2].weight.abs().sum()
        l1_penalty.backward()
        weight = _array(model[2].weight)

        class MyModule(nn.Module):  # plain tensors as attributes: not parameters
            def __init__(self):
                super().__init__()
                self.w1 = torch.empty(2, 3, requires_grad=True)
                nn.init.xavier_normal_(self.w1)
                self.w2 = torch.empty(1, 2, requires_grad=True)
                nn.init.xavier_normal_(self.w2)

        plain = MyModule()
        registered = [len(list(plain.parameters())), list(plain.state_dict()), tuple(plain.w2.shape)]
        return [
            tuple(w.shape),
            w2.requires_grad,
            w2.is_leaf,
            model[2].weight.grad,
            weight,
            _array(model[0].weight),
            registered,
        ]

    theirs, ours = (run(lib) for lib in _libs(torch))
    assert ours[:3] == theirs[:3] == [(2, 3), True, True]
    assert ours[6] == theirs[6] == [0, [], (1, 2)]
    for result in (ours, theirs):  # d/dW of 0.01 * |W|.sum() is 0.01 * sign(W), W each library's own draw
        _close(result[3], 0.01 * np.sign(result[4]))
        assert np.abs(result[5]).max() <= np.sqrt(6 / 20)  # xavier_uniform's bound for a 16x4 weight


def _ch13_xor_models(nn: Any, torch: Any) -> dict[str, Any]:
    class MyModule(nn.Module):
        def __init__(self):
            super().__init__()
            l1 = nn.Linear(2, 4)
            a1 = nn.ReLU()
            l2 = nn.Linear(4, 4)
            a2 = nn.ReLU()
            l3 = nn.Linear(4, 1)
            a3 = nn.Sigmoid()
            l = [l1, a1, l2, a2, l3, a3]  # noqa: E741 (the book's name)
            self.module_list = nn.ModuleList(l)

        def forward(self, x):
            for f in self.module_list:
                x = f(x)
            return x

        def predict(self, x):
            x = torch.tensor(x, dtype=torch.float32)
            pred = self.forward(x)[:, 0]
            return (pred >= 0.5).float()

    return {
        "logistic": nn.Sequential(nn.Linear(2, 1), nn.Sigmoid()),
        "deep": nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 1), nn.Sigmoid()),
        "module_list": MyModule(),
    }


@pytest.mark.parametrize("which", ["logistic", "deep", "module_list"])
def test_ch13_xor_classifier_training_loop_with_bce_and_sgd(torch, which):
    np.random.seed(1)
    x = np.random.uniform(low=-1, high=1, size=(40, 2))
    y = np.ones(len(x))
    y[x[:, 0] * x[:, 1] < 0] = 0
    n_train = 20

    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch, nn, data = lib["torch"], lib["nn"], lib["data"]
        x_train = torch.tensor(x[:n_train, :], dtype=torch.float32)
        y_train = torch.tensor(y[:n_train], dtype=torch.float32)
        x_valid = torch.tensor(x[n_train:, :], dtype=torch.float32)
        y_valid = torch.tensor(y[n_train:], dtype=torch.float32)
        batch_size = 2
        train_dl = data.DataLoader(data.TensorDataset(x_train, y_train), batch_size, shuffle=False)
        model = _ch13_xor_models(nn, torch)[which]
        _load(torch, model, state)
        loss_fn = nn.BCELoss()
        optimizer = lib["optim"].SGD(model.parameters(), lr=0.015)
        num_epochs = 3
        loss_hist_train, accuracy_hist_train = [0] * num_epochs, [0] * num_epochs
        loss_hist_valid, accuracy_hist_valid = [0] * num_epochs, [0] * num_epochs
        for epoch in range(num_epochs):
            for x_batch, y_batch in train_dl:
                pred = model(x_batch)[:, 0]
                loss = loss_fn(pred, y_batch)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
                loss_hist_train[epoch] += loss.item()
                is_correct = ((pred >= 0.5).float() == y_batch).float()
                accuracy_hist_train[epoch] += is_correct.mean()
            loss_hist_train[epoch] /= n_train / batch_size
            accuracy_hist_train[epoch] /= n_train / batch_size
            pred = model(x_valid)[:, 0]
            loss = loss_fn(pred, y_valid)
            loss_hist_valid[epoch] = loss.item()
            is_correct = ((pred >= 0.5).float() == y_valid).float()
            accuracy_hist_valid[epoch] += is_correct.mean()
        out = {"history": [loss_hist_train, loss_hist_valid], "acc": [accuracy_hist_train, accuracy_hist_valid]}
        out["params"] = {name: _array(p) for name, p in model.named_parameters()}
        if which == "module_list":
            out["predict"] = model.predict(x[n_train:, :])
        return out

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    (state,) = _state_dicts(_ch13_xor_models(torch.nn, torch)[which])
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    np.testing.assert_allclose(ours["history"], theirs["history"], rtol=1e-5)
    np.testing.assert_allclose(
        [[float(a) for a in h] for h in ours["acc"]], [[float(a) for a in h] for h in theirs["acc"]], rtol=1e-6
    )
    assert ours["params"].keys() == theirs["params"].keys()
    for name, value in theirs["params"].items():
        np.testing.assert_allclose(ours["params"][name], value, rtol=1e-5, atol=1e-7, err_msg=name)
    if which == "module_list":
        _close(ours["predict"], theirs["predict"])


def _ch13_noisy_module(nn: Any, torch: Any, noises: list[np.ndarray]) -> Any:
    draws = iter(noises)

    class NoisyLinear(nn.Module):
        def __init__(self, input_size, output_size, noise_stddev=0.1):
            super().__init__()
            w = torch.empty(input_size, output_size)  # the book's torch.Tensor(input_size, output_size)
            self.w = nn.Parameter(w)
            nn.init.xavier_uniform_(self.w)
            b = torch.empty(output_size).fill_(0)  # the book's torch.Tensor(output_size).fill_(0)
            self.b = nn.Parameter(b)
            self.noise_stddev = noise_stddev

        def forward(self, x, training=False):
            if training:
                # the book's torch.normal(0.0, self.noise_stddev, x.shape), drawn once for both libraries
                noise = torch.normal(0.0, self.noise_stddev, x.shape) * 0 + torch.tensor(next(draws))
                x_new = torch.add(x, noise)
            else:
                x_new = x
            return torch.add(torch.mm(x_new, self.w), self.b)

    class MyNoisyModule(nn.Module):
        def __init__(self):
            super().__init__()
            self.l1 = NoisyLinear(2, 4, 0.07)
            self.a1 = nn.ReLU()
            self.l2 = nn.Linear(4, 4)
            self.a2 = nn.ReLU()
            self.l3 = nn.Linear(4, 1)
            self.a3 = nn.Sigmoid()

        def forward(self, x, training=False):
            x = self.l1(x, training)
            x = self.a1(x)
            x = self.l2(x)
            x = self.a2(x)
            x = self.l3(x)
            x = self.a3(x)
            return x

    return MyNoisyModule()


def test_ch13_noisy_linear_custom_layer_with_parameters_and_normal_noise(torch):
    rng = np.random.default_rng(13)
    x = rng.uniform(-1, 1, size=(8, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] >= 0).astype(np.float32)
    noises = [(rng.standard_normal((2, 2)) * 0.07).astype(np.float32) for _ in range(4)]

    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch, nn, data = lib["torch"], lib["nn"], lib["data"]
        model = _ch13_noisy_module(nn, torch, noises)
        _load(torch, model, state)
        names = [name for name, _ in model.named_parameters()]
        shapes = [tuple(p.shape) for p in model.parameters()]
        loss_fn = nn.BCELoss()
        optimizer = lib["optim"].SGD(model.parameters(), lr=0.015)
        train_dl = data.DataLoader(data.TensorDataset(torch.tensor(x), torch.tensor(y)), 2, shuffle=False)
        losses = []
        for x_batch, y_batch in train_dl:
            pred = model(x_batch, True)[:, 0]
            loss = loss_fn(pred, y_batch)
            loss.backward()
            grads = [_array(p.grad) for p in model.parameters()]
            optimizer.step()
            optimizer.zero_grad()
            losses.append(loss.item())
        return {
            "names": names,
            "shapes": shapes,
            "losses": losses,
            "last_grads": grads,
            "eval": model(torch.tensor(x)),
            "noise_stats": torch.normal(0.0, 0.1, (2000, 4)).std().item(),
        }

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    (state,) = _state_dicts(_ch13_noisy_module(torch.nn, torch, []))
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    assert ours["names"] == theirs["names"] == ["l1.w", "l1.b", "l2.weight", "l2.bias", "l3.weight", "l3.bias"]
    assert ours["shapes"] == theirs["shapes"]
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=1e-5)
    for got, expected in zip(ours["last_grads"], theirs["last_grads"]):
        _close(got, expected, rtol=1e-4)
    _close(ours["eval"], theirs["eval"], rtol=1e-5)
    assert ours["noise_stats"] == pytest.approx(0.1, rel=0.1)


def test_ch13_auto_mpg_bucketize_one_hot_and_regression(torch):
    rng = np.random.default_rng(131)
    numeric = rng.standard_normal((12, 5))
    model_year = rng.integers(70, 83, size=12)
    origin = rng.integers(1, 4, size=12)
    mpg = rng.uniform(10, 40, size=12)

    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch, nn, data, F = lib["torch"], lib["nn"], lib["data"], lib["F"]
        boundaries = torch.tensor([73, 76, 79])
        v = torch.tensor(model_year)
        bucketed = torch.bucketize(v, boundaries, right=True)
        total_origin = len(set(origin))
        origin_encoded = F.one_hot(torch.from_numpy(origin) % total_origin)
        x_train_numeric = torch.tensor(np.column_stack([numeric, np.asarray(bucketed.numpy(), dtype=float)]))
        x_train = torch.cat([x_train_numeric, origin_encoded], 1).float()
        y_train = torch.tensor(mpg).float()
        train_dl = data.DataLoader(data.TensorDataset(x_train, y_train), 4, shuffle=False)
        hidden_units = [8, 4]
        input_size = x_train.shape[1]
        all_layers = []
        for hidden_unit in hidden_units:
            layer = nn.Linear(input_size, hidden_unit)
            all_layers.append(layer)
            all_layers.append(nn.ReLU())
            input_size = hidden_unit
        all_layers.append(nn.Linear(hidden_units[-1], 1))
        model = nn.Sequential(*all_layers)
        _load(torch, model, state)
        loss_fn = nn.MSELoss()
        optimizer = lib["optim"].SGD(model.parameters(), lr=0.001)
        losses = []
        for _epoch in range(2):
            loss_hist_train = 0
            for x_batch, y_batch in train_dl:
                pred = model(x_batch)[:, 0]
                loss = loss_fn(pred, y_batch)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
                loss_hist_train += loss.item()
            losses.append(loss_hist_train / len(train_dl))
        with torch.no_grad():
            pred = model(x_train.float())[:, 0]
            test = [loss_fn(pred, y_train).item(), nn.L1Loss()(pred, y_train).item()]
        return {
            "bucketed": bucketed,
            "bucketed_dtype": str(bucketed.dtype),
            "one_hot": origin_encoded,
            "one_hot_dtype": str(origin_encoded.dtype),
            "x_dtype": str(x_train.dtype),
            "losses": losses,
            "test": test,
        }

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    (state,) = _state_dicts(
        torch.nn.Sequential(
            torch.nn.Linear(9, 8), torch.nn.ReLU(), torch.nn.Linear(8, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1)
        )
    )
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    for name in ("bucketed_dtype", "one_hot_dtype", "x_dtype"):
        assert ours[name] == theirs[name].removeprefix("torch."), name
    assert _array(ours["bucketed"]).tolist() == _array(theirs["bucketed"]).tolist()
    assert _array(ours["one_hot"]).tolist() == _array(theirs["one_hot"]).tolist()
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=1e-5)
    np.testing.assert_allclose(ours["test"], theirs["test"], rtol=1e-5)


def test_ch13_mnist_mlp_with_flatten_cross_entropy_and_adam(torch):
    rng = np.random.default_rng(132)
    images = rng.random((8, 1, 6, 6)).astype(np.float32)
    labels = rng.integers(0, 10, size=8)
    test_data = rng.integers(0, 256, size=(5, 6, 6)).astype(np.uint8)

    def make(nn: Any) -> Any:
        hidden_units = [8, 6]
        image_size = images[0].shape
        input_size = image_size[0] * image_size[1] * image_size[2]
        all_layers = [nn.Flatten()]
        for hidden_unit in hidden_units:
            all_layers.append(nn.Linear(input_size, hidden_unit))
            all_layers.append(nn.ReLU())
            input_size = hidden_unit
        all_layers.append(nn.Linear(hidden_units[-1], 10))
        return nn.Sequential(*all_layers)

    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch, nn, data = lib["torch"], lib["nn"], lib["data"]
        model = make(nn)
        _load(torch, model, state)
        loss_fn = nn.CrossEntropyLoss()
        optimizer = lib["optim"].Adam(model.parameters(), lr=0.001)
        train_dl = data.DataLoader(data.TensorDataset(torch.tensor(images), torch.tensor(labels)), 4, shuffle=False)
        accuracy = []
        for _epoch in range(2):
            accuracy_hist_train = 0
            for x_batch, y_batch in train_dl:
                pred = model(x_batch)
                loss = loss_fn(pred, y_batch)
                loss.backward()
                optimizer.step()
                optimizer.zero_grad()
                is_correct = (torch.argmax(pred, dim=1) == y_batch).float()
                accuracy_hist_train += is_correct.sum()
            accuracy_hist_train /= len(train_dl.dataset)
            accuracy.append(f"Accuracy {accuracy_hist_train:.4f}")
        pred = model(torch.tensor(test_data) / 255.0)
        return {"accuracy": accuracy, "pred": pred, "loss": loss.item()}

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    (state,) = _state_dicts(make(torch.nn))
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    assert ours["accuracy"] == theirs["accuracy"]
    assert ours["loss"] == pytest.approx(theirs["loss"], rel=1e-5)
    _close(ours["pred"], theirs["pred"], rtol=1e-5)


# ---- ch17: GANs: the fully connected GAN, the DCGAN, WGAN-GP's gradient penalty ---------------------------------


def _ch17_dcgan(nn: Any, z_size: int, n_filters: int, norm: str) -> tuple[Any, Any]:
    """The book's make_generator_network / Discriminator (norm='BatchNorm2d') and their WGAN variants
    (norm='InstanceNorm2d'), for 28x28 images."""
    Norm = getattr(nn, norm)
    gen_model = nn.Sequential(
        nn.ConvTranspose2d(z_size, n_filters * 4, 4, 1, 0, bias=False),
        Norm(n_filters * 4),
        nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(n_filters * 4, n_filters * 2, 3, 2, 1, bias=False),
        Norm(n_filters * 2),
        nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(n_filters * 2, n_filters, 4, 2, 1, bias=False),
        Norm(n_filters),
        nn.LeakyReLU(0.2),
        nn.ConvTranspose2d(n_filters, 1, 4, 2, 1, bias=False),
        nn.Tanh(),
    )

    class Discriminator(nn.Module):
        def __init__(self, n_filters):
            super(Discriminator, self).__init__()  # noqa: UP008 (the book's spelling)
            self.network = nn.Sequential(
                nn.Conv2d(1, n_filters, 4, 2, 1, bias=False),
                nn.LeakyReLU(0.2),
                nn.Conv2d(n_filters, n_filters * 2, 4, 2, 1, bias=False),
                Norm(n_filters * 2),
                nn.LeakyReLU(0.2),
                nn.Conv2d(n_filters * 2, n_filters * 4, 3, 2, 1, bias=False),
                Norm(n_filters * 4),
                nn.LeakyReLU(0.2),
                nn.Conv2d(n_filters * 4, 1, 4, 1, 0, bias=False),
                nn.Sigmoid(),
            )

        def forward(self, input):
            output = self.network(input)
            # the book's squeeze(0): torch leaves an axis longer than 1; here that is squeeze(dim=0)
            return output.view(-1, 1).squeeze(dim=0)

    return gen_model, Discriminator(n_filters)


def _ch17_fc_gan(nn: Any, image_size: tuple[int, int], z_size: int, hidden: int) -> tuple[Any, Any]:
    """The book's make_generator_network / make_discriminator_network with one hidden layer each."""

    def make_generator_network(input_size=20, num_hidden_layers=1, num_hidden_units=100, num_output_units=784):
        model = nn.Sequential()
        for i in range(num_hidden_layers):
            model.add_module(f"fc_g{i}", nn.Linear(input_size, num_hidden_units))
            model.add_module(f"relu_g{i}", nn.LeakyReLU())
            input_size = num_hidden_units
        model.add_module(f"fc_g{num_hidden_layers}", nn.Linear(input_size, num_output_units))
        model.add_module("tanh_g", nn.Tanh())
        return model

    def make_discriminator_network(input_size, num_hidden_layers=1, num_hidden_units=100, num_output_units=1):
        model = nn.Sequential()
        for i in range(num_hidden_layers):
            model.add_module(f"fc_d{i}", nn.Linear(input_size, num_hidden_units, bias=False))
            model.add_module(f"relu_d{i}", nn.LeakyReLU())
            model.add_module("dropout", nn.Dropout(p=0.5))
            input_size = num_hidden_units
        model.add_module(f"fc_d{num_hidden_layers}", nn.Linear(input_size, num_output_units))
        model.add_module("sigmoid", nn.Sigmoid())
        return model

    gen_model = make_generator_network(
        input_size=z_size, num_hidden_layers=1, num_hidden_units=hidden, num_output_units=np.prod(image_size)
    )
    disc_model = make_discriminator_network(
        input_size=np.prod(image_size), num_hidden_layers=1, num_hidden_units=hidden
    )
    return gen_model, disc_model


@pytest.mark.parametrize("architecture", ["fully_connected", "dcgan"])
def test_ch17_gan_discriminator_and_generator_steps_with_bce_and_adam(torch, architecture):
    rng = np.random.default_rng(170)
    image_size, z_size, batch_size = (28, 28), 5, 4
    images = (rng.random((batch_size, 1, 28, 28)) * 2 - 1).astype(np.float32)
    shape = (batch_size, z_size) if architecture == "fully_connected" else (batch_size, z_size, 1, 1)
    noises = [(rng.random(shape) * 2 - 1).astype(np.float32) for _ in range(4)]

    def make(nn: Any) -> tuple[Any, Any]:
        if architecture == "fully_connected":
            return _ch17_fc_gan(nn, image_size, z_size, 6)
        return _ch17_dcgan(nn, z_size, 4, "BatchNorm2d")

    def run(lib: dict[str, Any], states: tuple[dict[str, np.ndarray], ...]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        gen_model, disc_model = make(nn)
        _load(torch, gen_model, states[0])
        _load(torch, disc_model, states[1])
        device = "cpu"
        loss_fn = nn.BCELoss()
        g_optimizer = lib["optim"].Adam(gen_model.parameters(), 0.0003)
        d_optimizer = lib["optim"].Adam(disc_model.parameters(), 0.0002)
        draws = iter(noises)
        flat = architecture == "fully_connected"
        out: dict[str, Any] = {"d_loss": [], "g_loss": [], "d_real": [], "d_fake": []}

        def d_train(x):
            disc_model.zero_grad()
            batch_size = x.size(0)
            x = (x.view(batch_size, -1) if flat else x).to(device)
            d_labels_real = torch.ones(batch_size, 1, device=device)
            d_proba_real = disc_model(x)
            d_loss_real = loss_fn(d_proba_real, d_labels_real)
            input_z = torch.tensor(next(draws)).to(device)  # the book's create_noise(..., 'uniform')
            g_output = gen_model(input_z)
            d_proba_fake = disc_model(g_output)
            d_labels_fake = torch.zeros(batch_size, 1, device=device)
            d_loss_fake = loss_fn(d_proba_fake, d_labels_fake)
            d_loss = d_loss_real + d_loss_fake
            d_loss.backward()
            out.setdefault("d_grads", {name: _array(p.grad) for name, p in disc_model.named_parameters()})
            d_optimizer.step()
            return d_loss.data.item(), d_proba_real.detach(), d_proba_fake.detach()

        def g_train(x):
            gen_model.zero_grad()
            batch_size = x.size(0)
            input_z = torch.tensor(next(draws)).to(device)
            g_labels_real = torch.ones((batch_size, 1), device=device)
            g_output = gen_model(input_z)
            d_proba_fake = disc_model(g_output)
            g_loss = loss_fn(d_proba_fake, g_labels_real)
            g_loss.backward()
            out.setdefault("g_grads", {name: _array(p.grad) for name, p in gen_model.named_parameters()})
            g_optimizer.step()
            return g_loss.data.item()

        disc_model.eval()  # the fully connected discriminator's dropout off, so both libraries train one network
        gen_model.train()
        x = torch.tensor(images)
        for _ in range(2):
            d_loss, d_proba_real, d_proba_fake = d_train(x)
            out["d_loss"].append(d_loss)
            out["g_loss"].append(g_train(x))
            out["d_real"].append(d_proba_real.mean().cpu())
            out["d_fake"].append(d_proba_fake.mean().cpu())
        out["summary"] = f"G/D {torch.FloatTensor(out['g_loss']).mean():.4f}/{torch.tensor(out['d_loss']).mean():.4f}"
        out["d_real_mean"] = torch.tensor(out["d_real"]).mean()
        gen_model.eval()
        g_output = gen_model(torch.tensor(noises[0]))
        out["samples"] = ((torch.reshape(g_output, (batch_size, *image_size)) + 1) / 2.0).detach().cpu().numpy()
        out["states"] = [{k: _array(v) for k, v in m.state_dict().items()} for m in (gen_model, disc_model)]
        return out

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    states = _state_dicts(*make(torch.nn))
    theirs, ours = run(theirs_lib, states), run(ours_lib, states)
    for name in ("d_loss", "g_loss", "d_real", "d_fake"):
        np.testing.assert_allclose([float(v) for v in ours[name]], [float(v) for v in theirs[name]], rtol=1e-4)
    assert ours["summary"] == theirs["summary"]
    _close(ours["d_real_mean"], theirs["d_real_mean"])
    for name in ("d_grads", "g_grads"):
        for key, grad in theirs[name].items():
            np.testing.assert_allclose(ours[name][key], grad, rtol=1e-3, atol=1e-6, err_msg=f"{name} {key}")
    _close(ours["samples"], theirs["samples"], rtol=1e-4, atol=1e-5)
    for got, expected in zip(ours["states"], theirs["states"]):  # weights and BatchNorm's running statistics
        assert got.keys() == expected.keys()
        for key, value in expected.items():
            np.testing.assert_allclose(got[key], value, rtol=1e-4, atol=1e-6, err_msg=key)


def test_ch17_wgan_gp_gradient_penalty_double_backward_and_adam_steps(torch):
    rng = np.random.default_rng(17)
    z_size, n_filters, batch_size, lambda_gp = 6, 4, 3, 10.0
    images = (rng.random((batch_size, 1, 28, 28)) * 2 - 1).astype(np.float32)
    noises = [(rng.random((batch_size, z_size, 1, 1)) * 2 - 1).astype(np.float32) for _ in range(4)]
    alphas = [rng.random((batch_size, 1, 1, 1)).astype(np.float32) for _ in range(2)]

    def run(lib: dict[str, Any], weights: tuple[Any, Any] | None = None) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        # the book's `from torch.autograd import grad as torch_grad`
        torch_grad = __import__(f"{torch.__name__}.autograd", fromlist=["grad"]).grad
        gen_model, disc_model = _ch17_dcgan(nn, z_size, n_filters, "InstanceNorm2d")
        if weights is not None:
            _load(torch, gen_model, weights[0])
            _load(torch, disc_model, weights[1])
        g_optimizer = lib["optim"].Adam(gen_model.parameters(), 0.0002)
        d_optimizer = lib["optim"].Adam(disc_model.parameters(), 0.0002)
        draws = iter(noises)
        alpha_draws = iter(alphas)
        out: dict[str, Any] = {"models": (gen_model, disc_model), "d_loss": [], "g_loss": [], "d_grads": []}

        def gradient_penalty(real_data, generated_data):
            batch_size = real_data.size(0)
            alpha = torch.tensor(next(alpha_draws), requires_grad=True)  # the book's torch.rand(B, 1, 1, 1, ...)
            interpolated = alpha * real_data + (1 - alpha) * generated_data
            proba_interpolated = disc_model(interpolated)
            gradients = torch_grad(
                outputs=proba_interpolated,
                inputs=interpolated,
                grad_outputs=torch.ones(proba_interpolated.size(), device="cpu"),
                create_graph=True,
                retain_graph=True,
            )[0]
            gradients = gradients.view(batch_size, -1)
            gradients_norm = gradients.norm(2, dim=1)
            out.setdefault("gradients_norm", gradients_norm.detach())
            return lambda_gp * ((gradients_norm - 1) ** 2).mean()

        def d_train_wgan(x):
            disc_model.zero_grad()
            d_real = disc_model(x)
            input_z = torch.tensor(next(draws))  # the book's create_noise(batch_size, z_size, 'uniform')
            g_output = gen_model(input_z)
            d_generated = disc_model(g_output)
            d_loss = d_generated.mean() - d_real.mean() + gradient_penalty(x.data, g_output.data)
            d_loss.backward()
            out["d_grads"].append({name: _array(p.grad) for name, p in disc_model.named_parameters()})
            d_optimizer.step()
            return d_loss.data.item()

        def g_train_wgan(x):
            gen_model.zero_grad()
            input_z = torch.tensor(next(draws))
            g_output = gen_model(input_z)
            d_generated = disc_model(g_output)
            g_loss = -d_generated.mean()
            g_loss.backward()
            out["g_grads"] = {name: _array(p.grad) for name, p in gen_model.named_parameters()}
            g_optimizer.step()
            return g_loss.data.item()

        x = torch.tensor(images)
        gen_model.train()
        for _ in range(2):
            out["d_loss"].append(d_train_wgan(x))
            out["g_loss"].append(g_train_wgan(x))
        return out

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    initial = _state_dicts(*_ch17_dcgan(torch.nn, z_size, n_filters, "InstanceNorm2d"))
    theirs = run(theirs_lib, weights=initial)
    ours = run(ours_lib, weights=initial)
    np.testing.assert_allclose(ours["d_loss"], theirs["d_loss"], rtol=1e-4)
    np.testing.assert_allclose(ours["g_loss"], theirs["g_loss"], rtol=1e-4)
    _close(ours["gradients_norm"], theirs["gradients_norm"], rtol=1e-4)
    for got, expected in zip(ours["d_grads"], theirs["d_grads"]):  # through the penalty's double backward
        assert got.keys() == expected.keys()
        for name in expected:
            np.testing.assert_allclose(got[name], expected[name], rtol=1e-3, atol=1e-6, err_msg=name)
    for name in theirs["g_grads"]:
        np.testing.assert_allclose(ours["g_grads"][name], theirs["g_grads"][name], rtol=1e-3, atol=1e-6)
    for model_ours, model_theirs in zip(ours["models"], theirs["models"]):
        for (name, p_ours), (_, p_theirs) in zip(model_ours.named_parameters(), model_theirs.named_parameters()):
            np.testing.assert_allclose(_array(p_ours), _array(p_theirs), rtol=1e-4, atol=1e-6, err_msg=name)


# ---- ch14: CNNs: the MNIST CNN, the smile classifier with global average pooling, the classification losses ----


def test_ch14_l2_penalty_and_the_four_classification_losses(torch):
    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> list[Any]:
        torch, nn = lib["torch"], lib["nn"]
        loss_func = nn.BCELoss()
        loss = loss_func(torch.tensor([0.9]), torch.tensor([1.0]))
        l2_lambda = 0.001
        conv_layer = nn.Conv2d(in_channels=3, out_channels=5, kernel_size=5)
        _load(torch, conv_layer, state)
        l2_penalty = l2_lambda * sum([(p**2).sum() for p in conv_layer.parameters()])
        loss_with_penalty = loss + l2_penalty
        loss_with_penalty.backward()
        out = [loss, loss_with_penalty, conv_layer.weight.grad, conv_layer.bias.grad]
        logits = torch.tensor([0.8], requires_grad=True)
        probas = torch.sigmoid(logits)
        target = torch.tensor([1.0])
        bce, bce_logits = nn.BCELoss()(probas, target), nn.BCEWithLogitsLoss()(logits, target)
        (bce + 2 * bce_logits).backward()
        out += [f"BCE (w Probas): {bce:.4f}", f"BCE (w Logits): {bce_logits:.4f}", logits.grad]
        logits = torch.tensor([[1.5, 0.8, 2.1]], requires_grad=True)
        probas = torch.softmax(logits, dim=1)
        target = torch.tensor([2])
        cce_logits, cce = nn.CrossEntropyLoss()(logits, target), nn.NLLLoss()(torch.log(probas), target)
        (cce_logits + 2 * cce).backward()
        out += [f"CCE (w Logits): {cce_logits:.4f}", f"CCE (w Probas): {cce:.4f}", logits.grad]
        return out

    theirs_lib, ours_lib = _libs(torch)
    (state,) = _state_dicts(torch.nn.Conv2d(in_channels=3, out_channels=5, kernel_size=5))
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    for got, expected in zip(ours, theirs):
        if isinstance(expected, str):
            assert got == expected
        else:
            _close(got, expected, rtol=1e-5)


def _ch14_mnist_cnn(nn: Any) -> Any:
    model = nn.Sequential()
    model.add_module("conv1", nn.Conv2d(in_channels=1, out_channels=4, kernel_size=5, padding=2))
    model.add_module("relu1", nn.ReLU())
    model.add_module("pool1", nn.MaxPool2d(kernel_size=2))
    model.add_module("conv2", nn.Conv2d(in_channels=4, out_channels=6, kernel_size=5, padding=2))
    model.add_module("relu2", nn.ReLU())
    model.add_module("pool2", nn.MaxPool2d(kernel_size=2))
    model.add_module("flatten", nn.Flatten())
    model.add_module("fc1", nn.Linear(6 * 7 * 7, 16))
    model.add_module("relu3", nn.ReLU())
    model.add_module("dropout", nn.Dropout(p=0.5))
    model.add_module("fc2", nn.Linear(16, 10))
    return model


def test_ch14_mnist_cnn_shapes_training_with_dropout_and_evaluation(torch, tmp_path):
    rng = np.random.default_rng(14)
    images = rng.random((6, 1, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, size=6)
    keep = [(rng.random((3, 16)) >= 0.5).astype(np.float32) for _ in range(2)]  # the dropout masks

    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        model = _ch14_mnist_cnn(nn)
        _load(torch, model, state)
        shapes = [
            tuple(model[:6](torch.ones((4, 1, 28, 28))).shape),
            tuple(model[:7](torch.ones((4, 1, 28, 28))).shape),
        ]
        masks = iter(keep)
        model.dropout.register_forward_hook(lambda m, i, o: i[0] * torch.tensor(next(masks)) * 2.0 if m.training else o)
        device = torch.device("cpu")
        model = model.to(device)
        loss_fn = nn.CrossEntropyLoss()
        optimizer = lib["optim"].Adam(model.parameters(), lr=0.001)
        train_dl = lib["data"].DataLoader(lib["data"].TensorDataset(torch.tensor(images), torch.tensor(labels)), 3)
        out: dict[str, Any] = {"shapes": shapes, "loss": [], "grads": []}
        model.train()
        accuracy = 0
        for x_batch, y_batch in train_dl:
            x_batch = x_batch.to(device)
            y_batch = y_batch.to(device)
            pred = model(x_batch)
            loss = loss_fn(pred, y_batch)
            loss.backward()
            out["grads"].append({name: _array(p.grad) for name, p in model.named_parameters()})
            optimizer.step()
            optimizer.zero_grad()
            out["loss"].append(loss.item() * y_batch.size(0))
            is_correct = (torch.argmax(pred, dim=1) == y_batch).float()
            accuracy += is_correct.sum().cpu()
        out["accuracy"] = float(accuracy) / len(train_dl.dataset)
        model.eval()
        with torch.no_grad():
            out["eval"] = model(torch.tensor(images[:2, 0]).unsqueeze(1) / 255.0)
            out["single"] = torch.argmax(model(torch.tensor(images[0, 0]).unsqueeze(0).unsqueeze(1))).item()
        out["model"] = model
        return out

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    (state,) = _state_dicts(_ch14_mnist_cnn(torch.nn))
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    assert ours["shapes"] == theirs["shapes"] == [(4, 6, 7, 7), (4, 294)]
    np.testing.assert_allclose(ours["loss"], theirs["loss"], rtol=1e-5)
    for got, expected in zip(ours["grads"], theirs["grads"]):
        for name, grad in expected.items():
            np.testing.assert_allclose(got[name], grad, rtol=1e-4, atol=1e-6, err_msg=name)
    assert ours["accuracy"] == theirs["accuracy"]
    _close(ours["eval"], theirs["eval"], rtol=1e-5)
    assert ours["single"] == theirs["single"]
    # the book's torch.save(model, path) of the whole model (torch 2.13's torch.load refuses it by default, as
    # weights_only=True; nn.load rebuilds the library's layers without a pickle)
    path = str(tmp_path / "mnist-cnn.ph")
    nn.save(ours["model"], path)
    reloaded = nn.load(path)
    reloaded.eval()
    _close(reloaded(autograd.tensor(images[:2])), ours["model"](autograd.tensor(images[:2])))


def _ch14_smile_cnn(nn: Any) -> Any:
    model = nn.Sequential()
    model.add_module("conv1", nn.Conv2d(in_channels=3, out_channels=4, kernel_size=3, padding=1))
    model.add_module("relu1", nn.ReLU())
    model.add_module("pool1", nn.MaxPool2d(kernel_size=2))
    model.add_module("dropout1", nn.Dropout(p=0.5))
    model.add_module("conv2", nn.Conv2d(in_channels=4, out_channels=6, kernel_size=3, padding=1))
    model.add_module("relu2", nn.ReLU())
    model.add_module("pool2", nn.MaxPool2d(kernel_size=2))
    model.add_module("dropout2", nn.Dropout(p=0.5))
    model.add_module("conv3", nn.Conv2d(in_channels=6, out_channels=8, kernel_size=3, padding=1))
    model.add_module("relu3", nn.ReLU())
    model.add_module("pool3", nn.MaxPool2d(kernel_size=2))
    model.add_module("conv4", nn.Conv2d(in_channels=8, out_channels=10, kernel_size=3, padding=1))
    model.add_module("relu4", nn.ReLU())
    model.add_module("pool4", nn.AvgPool2d(kernel_size=8))
    model.add_module("flatten", nn.Flatten())
    model.add_module("fc", nn.Linear(10, 1))
    model.add_module("sigmoid", nn.Sigmoid())
    return model


def test_ch14_smile_classifier_global_average_pooling_bce_and_adam(torch):
    rng = np.random.default_rng(141)
    images = rng.random((4, 3, 64, 64)).astype(np.float32)
    labels = rng.integers(0, 2, size=4)

    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        model = _ch14_smile_cnn(nn)
        _load(torch, model, state)
        x = torch.ones((4, 3, 64, 64))
        shapes = [tuple(model[:13](x).shape), tuple(model[:15](x).shape), tuple(model(x).shape)]
        loss_fn = nn.BCELoss()
        optimizer = lib["optim"].Adam(model.parameters(), lr=0.001)
        model.eval()  # the dropout layers off, so both libraries train the same network
        out: dict[str, Any] = {"shapes": shapes, "loss": [], "grads": []}
        for x_batch, y_batch in lib["data"].DataLoader(
            lib["data"].TensorDataset(torch.tensor(images), torch.tensor(labels)), 2
        ):
            pred = model(x_batch)[:, 0]
            loss = loss_fn(pred, y_batch.float())
            loss.backward()
            out["grads"].append({name: _array(p.grad) for name, p in model.named_parameters()})
            optimizer.step()
            optimizer.zero_grad()
            out["loss"].append(loss.item() * y_batch.size(0))
            out["correct"] = ((pred >= 0.5).float() == y_batch).float().sum().cpu()
        out["pred"] = model(torch.tensor(images))[:, 0] * 100
        return out

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    (state,) = _state_dicts(_ch14_smile_cnn(torch.nn))
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    assert ours["shapes"] == theirs["shapes"] == [(4, 10, 8, 8), (4, 10), (4, 1)]
    np.testing.assert_allclose(ours["loss"], theirs["loss"], rtol=1e-5)
    for got, expected in zip(ours["grads"], theirs["grads"]):
        for name, grad in expected.items():
            np.testing.assert_allclose(got[name], grad, rtol=1e-4, atol=1e-7, err_msg=name)
    _close(ours["correct"], theirs["correct"])
    _close(ours["pred"], theirs["pred"], rtol=1e-4)


# ---- ch16: self-attention by hand -------------------------------------------------------------------------------


def test_ch16_self_attention_scaled_dot_product_and_multi_head_by_stacking(torch):
    rng = np.random.default_rng(16)
    embedding = rng.standard_normal((10, 16)).astype(np.float32)
    U = [rng.random((16, 16)).astype(np.float32) for _ in range(3)]
    multihead = [rng.random((8, 16, 16)).astype(np.float32) for _ in range(3)]
    z2 = rng.random((8, 16)).astype(np.float32)

    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch, F = lib["torch"], lib["F"]
        sentence = torch.tensor([0, 7, 1, 2, 5, 6, 4, 3])
        embed = lib["nn"].Embedding(10, 16)
        _load(torch, embed, {"weight": embedding})
        embedded_sentence = embed(sentence).detach()
        omega = torch.empty(8, 8)
        for i, x_i in enumerate(embedded_sentence):
            for j, x_j in enumerate(embedded_sentence):
                omega[i, j] = torch.dot(x_i, x_j)
        omega_mat = embedded_sentence.matmul(embedded_sentence.T)
        out: dict[str, Any] = {"omega": omega, "allclose": bool(torch.allclose(omega_mat, omega))}
        attention_weights = F.softmax(omega, dim=1)
        out["row_sums"] = attention_weights.sum(dim=1)
        x_2 = embedded_sentence[1, :]
        context_vec_2 = torch.zeros(x_2.shape)
        for j in range(8):
            x_j = embedded_sentence[j, :]
            context_vec_2 += attention_weights[1, j] * x_j
        context_vectors = torch.matmul(attention_weights, embedded_sentence)
        out.update(context_vec_2=context_vec_2, same=bool(torch.allclose(context_vec_2, context_vectors[1])))
        d = embedded_sentence.shape[1]
        U_query, U_key, U_value = (torch.tensor(u, requires_grad=True) for u in U)
        query_2 = U_query.matmul(x_2)
        key_2 = U_key.matmul(x_2)
        keys = U_key.matmul(embedded_sentence.T).T
        values = U_value.matmul(embedded_sentence.T).T
        out["keys_match"] = bool(torch.allclose(key_2, keys[1]))
        out["omega_23"] = query_2.dot(keys[2])
        omega_2 = query_2.matmul(keys.T)
        attention_weights_2 = F.softmax(omega_2 / d**0.5, dim=0)
        context_vector_2 = attention_weights_2.matmul(values)
        context_vector_2.pow(2).sum().backward()
        out.update(context_vector_2=context_vector_2, grads=[U_query.grad, U_key.grad, U_value.grad])
        h = 8
        multihead_U_query, multihead_U_key, multihead_U_value = (torch.tensor(u) for u in multihead)
        out["multihead_query_2"] = multihead_U_query.matmul(x_2)
        stacked_inputs = embedded_sentence.T.tile(h, 1, 1)  # the book's .repeat(8, 1, 1), torch's repeat
        multihead_keys = torch.bmm(multihead_U_key, stacked_inputs)
        multihead_keys = multihead_keys.permute(0, 2, 1)
        multihead_values = torch.matmul(multihead_U_value, stacked_inputs)
        multihead_values = multihead_values.permute(0, 2, 1)
        out.update(stacked=stacked_inputs, keys=multihead_keys, values=multihead_values, key_21=multihead_keys[2, 1])
        linear = lib["nn"].Linear(8 * 16, 16)
        _load(torch, linear, state)
        out["linear"] = linear(torch.tensor(z2).flatten())
        return out

    theirs_lib, ours_lib = _libs(torch)
    (state,) = _state_dicts(torch.nn.Linear(8 * 16, 16))
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    for name in ("allclose", "same", "keys_match"):
        assert ours[name] is theirs[name] is True, name
    for name in ("omega", "row_sums", "context_vec_2", "omega_23", "context_vector_2", "multihead_query_2"):
        _close(ours[name], theirs[name], rtol=1e-5, atol=1e-5)
    for got, expected in zip(ours["grads"], theirs["grads"]):
        _close(got, expected, rtol=1e-4, atol=1e-4)
    for name in ("stacked", "keys", "values", "key_21", "linear"):
        assert tuple(ours[name].shape) == tuple(theirs[name].shape), name
        _close(ours[name], theirs[name], rtol=1e-5, atol=1e-5)


def test_ch16_stacking_inputs_with_torch_repeat_names_tile(torch):
    embedded = np.random.default_rng(161).standard_normal((8, 16)).astype(np.float32)
    ours, theirs = autograd.tensor(embedded), torch.tensor(embedded)
    with pytest.raises(TypeError, match=r"x\.tile\(8, 1, 1\)") as error:
        ours.T.repeat(8, 1, 1)  # the book's spelling: torch's repeat tiles, numpy's (this library's) does not
    assert "(16, 8)" in str(error.value)
    stacked = ours.T.tile(8, 1, 1)
    _close(stacked, theirs.T.repeat(8, 1, 1))
    assert tuple(stacked.shape) == (8, 16, 8)


# ---- ch15: RNNs by hand, the LSTM sentiment model, the character-level language model ---------------------------


def test_ch15_simple_rnn_checked_by_hand_through_its_weights(torch):
    x_seq_values = [[1.0] * 5, [2.0] * 5, [3.0] * 5]

    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        rnn_layer = nn.RNN(input_size=5, hidden_size=2, num_layers=1, batch_first=True)
        _load(torch, rnn_layer, state)
        w_xh = rnn_layer.weight_ih_l0
        w_hh = rnn_layer.weight_hh_l0
        b_xh = rnn_layer.bias_ih_l0
        b_hh = rnn_layer.bias_hh_l0
        shapes = [tuple(w.shape) for w in (w_xh, w_hh, b_xh, b_hh)]
        x_seq = torch.tensor(x_seq_values).float()
        output, hn = rnn_layer(torch.reshape(x_seq, (1, 3, 5)))
        out_man = []
        for t in range(3):
            xt = torch.reshape(x_seq[t], (1, 5))
            ht = torch.matmul(xt, torch.transpose(w_xh, 0, 1)) + b_xh
            prev_h = out_man[t - 1] if t > 0 else torch.zeros(ht.shape)
            ot = ht + torch.matmul(prev_h, torch.transpose(w_hh, 0, 1)) + b_hh
            ot = torch.tanh(ot)
            out_man.append(ot)
        (output.sum() + 2 * hn.sum()).backward()
        grads = {name: p.grad.clone() for name, p in rnn_layer.named_parameters()}
        return {"shapes": shapes, "output": output, "hn": hn, "manual": torch.stack(out_man, 1), "grads": grads}

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    (state,) = _state_dicts(torch.nn.RNN(input_size=5, hidden_size=2, num_layers=1, batch_first=True))
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    assert ours["shapes"] == theirs["shapes"] == [(2, 5), (2, 2), (2,), (2,)]
    for name in ("output", "hn", "manual"):
        _close(ours[name], theirs[name])
    _close(ours["manual"], ours["output"])  # the book's check: by hand equals the layer
    for name, grad in theirs["grads"].items():
        _close(ours["grads"][name], grad, rtol=1e-4, atol=1e-6)


def _ch15_two_layer_rnn(nn: Any, cell: str) -> Any:
    class RNN(nn.Module):
        def __init__(self, input_size, hidden_size):
            super().__init__()
            # the book's nn.RNN, and the nn.GRU its comment offers
            self.rnn = getattr(nn, cell)(input_size, hidden_size, num_layers=2, batch_first=True)
            self.fc = nn.Linear(hidden_size, 1)

        def forward(self, x):
            _, hidden = self.rnn(x)
            out = hidden[-1, :, :]
            out = self.fc(out)
            return out

    return RNN(8, 6)


@pytest.mark.parametrize("cell", ["RNN", "GRU"])
def test_ch15_two_layer_rnn_model_reads_the_last_layers_hidden_state(torch, cell):
    x = np.random.default_rng(152).standard_normal((5, 3, 8)).astype(np.float32)

    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch = lib["torch"]
        model = _ch15_two_layer_rnn(lib["nn"], cell)
        _load(torch, model, state)
        out = model(torch.tensor(x))
        out.pow(2).sum().backward()
        return {"repr": repr(model), "out": out, "grads": {n: _array(p.grad) for n, p in model.named_parameters()}}

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    (state,) = _state_dicts(_ch15_two_layer_rnn(torch.nn, cell))
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    assert ours["repr"] == theirs["repr"]
    assert tuple(ours["out"].shape) == tuple(theirs["out"].shape) == (5, 1)
    _close(ours["out"], theirs["out"])
    assert ours["grads"].keys() == theirs["grads"].keys()
    for name, grad in theirs["grads"].items():
        np.testing.assert_allclose(ours["grads"][name], grad, rtol=1e-4, atol=1e-6, err_msg=name)


def _ch15_sentiment_rnn(nn: Any, torch: Any, bidirectional: bool) -> Any:
    class RNN(nn.Module):
        def __init__(self, vocab_size, embed_dim, rnn_hidden_size, fc_hidden_size):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
            self.rnn = nn.LSTM(embed_dim, rnn_hidden_size, batch_first=True, bidirectional=bidirectional)
            self.fc1 = nn.Linear(rnn_hidden_size * (2 if bidirectional else 1), fc_hidden_size)
            self.relu = nn.ReLU()
            self.fc2 = nn.Linear(fc_hidden_size, 1)
            self.sigmoid = nn.Sigmoid()

        def forward(self, text, lengths):
            out = self.embedding(text)
            out = nn.utils.rnn.pack_padded_sequence(out, lengths.cpu().numpy(), enforce_sorted=False, batch_first=True)
            out, (hidden, cell) = self.rnn(out)
            if bidirectional:
                out = torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1)
            else:
                out = hidden[-1, :, :]
            out = self.fc1(out)
            out = self.relu(out)
            out = self.fc2(out)
            out = self.sigmoid(out)
            return out

    return RNN(12, 5, 6, 4)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_ch15_lstm_sentiment_with_embedding_padding_and_packed_sequences(torch, bidirectional):
    rng = np.random.default_rng(15)
    reviews = [
        (["neg", "pos"][int(rng.integers(2))], list(rng.integers(1, 12, size=rng.integers(2, 7)))) for _ in range(8)
    ]

    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        label_pipeline = lambda x: 1.0 if x == "pos" else 0.0  # noqa: E731 (the book's spelling)

        def collate_batch(batch):
            label_list, text_list, lengths = [], [], []
            for _label, _text in batch:
                label_list.append(label_pipeline(_label))
                processed_text = torch.tensor(_text, dtype=torch.int64)
                text_list.append(processed_text)
                lengths.append(processed_text.size(0))
            label_list = torch.tensor(label_list)
            lengths = torch.tensor(lengths)
            padded_text_list = nn.utils.rnn.pad_sequence(text_list, batch_first=True)
            return padded_text_list.to("cpu"), label_list.to("cpu"), lengths.to("cpu")

        model = _ch15_sentiment_rnn(nn, torch, bidirectional)
        _load(torch, model, state)
        loss_fn = nn.BCELoss()
        optimizer = lib["optim"].Adam(model.parameters(), lr=0.001)
        dl = lib["data"].DataLoader(reviews, batch_size=4, shuffle=False, collate_fn=collate_batch)
        out: dict[str, Any] = {"text": [], "pred": [], "loss": [], "acc": []}
        model.train()
        for text_batch, label_batch, lengths in dl:
            optimizer.zero_grad()
            pred = model(text_batch, lengths)[:, 0]
            loss = loss_fn(pred, label_batch)
            loss.backward()
            out.setdefault("grads", {name: _array(p.grad) for name, p in model.named_parameters()})
            optimizer.step()
            out["text"].append(text_batch)
            out["pred"].append(pred.detach())
            out["loss"].append(loss.item())
            out["acc"].append(((pred >= 0.5).float() == label_batch).float().sum().item())
        out["params"] = {name: _array(p) for name, p in model.named_parameters()}
        return out

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    (state,) = _state_dicts(_ch15_sentiment_rnn(torch.nn, torch, bidirectional))
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    for got, expected in zip(ours["text"], theirs["text"]):
        assert _array(got).tolist() == _array(expected).tolist()
    for got, expected in zip(ours["pred"], theirs["pred"]):
        _close(got, expected)
    np.testing.assert_allclose(ours["loss"], theirs["loss"], rtol=1e-5)
    assert ours["acc"] == theirs["acc"]
    assert ours["grads"].keys() == theirs["grads"].keys()
    for name, grad in theirs["grads"].items():
        np.testing.assert_allclose(ours["grads"][name], grad, rtol=1e-4, atol=1e-6, err_msg=name)
    assert not ours["grads"]["embedding.weight"][0].any()  # the padding row gets no gradient
    for name, value in theirs["params"].items():
        np.testing.assert_allclose(ours["params"][name], value, rtol=1e-4, atol=1e-6, err_msg=name)


def _ch15_char_rnn(nn: Any, torch: Any) -> Any:
    class RNN(nn.Module):
        def __init__(self, vocab_size, embed_dim, rnn_hidden_size):
            super().__init__()
            self.embedding = nn.Embedding(vocab_size, embed_dim)
            self.rnn_hidden_size = rnn_hidden_size
            self.rnn = nn.LSTM(embed_dim, rnn_hidden_size, batch_first=True)
            self.fc = nn.Linear(rnn_hidden_size, vocab_size)

        def forward(self, x, hidden, cell):
            out = self.embedding(x).unsqueeze(1)
            out, (hidden, cell) = self.rnn(out, (hidden, cell))
            out = self.fc(out).reshape(out.size(0), -1)
            return out, hidden, cell

        def init_hidden(self, batch_size):
            hidden = torch.zeros(1, batch_size, self.rnn_hidden_size)
            cell = torch.zeros(1, batch_size, self.rnn_hidden_size)
            return hidden.to("cpu"), cell.to("cpu")

    return RNN(7, 5, 6)


def test_ch15_char_rnn_text_dataset_loss_over_the_sequence_and_adam_steps(torch):
    text_encoded = np.random.default_rng(151).integers(0, 7, size=30).astype(np.int32)
    seq_length = 5
    chunk_size = seq_length + 1
    text_chunks = [text_encoded[i : i + chunk_size] for i in range(len(text_encoded) - chunk_size + 1)]

    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]

        class TextDataset(lib["data"].Dataset):
            def __init__(self, text_chunks):
                self.text_chunks = text_chunks

            def __len__(self):
                return len(self.text_chunks)

            def __getitem__(self, idx):
                text_chunk = self.text_chunks[idx]
                return text_chunk[:-1].long(), text_chunk[1:].long()

        seq_dataset = TextDataset(torch.tensor(np.array(text_chunks)))
        first = seq_dataset[0]
        model = _ch15_char_rnn(nn, torch)
        _load(torch, model, state)
        loss_fn = nn.CrossEntropyLoss()
        optimizer = lib["optim"].Adam(model.parameters(), lr=0.005)
        seq_dl = lib["data"].DataLoader(seq_dataset, batch_size=4, shuffle=False, drop_last=True)
        out: dict[str, Any] = {"first": first, "losses": [], "n_batches": len(seq_dl)}
        batches = iter(seq_dl)
        for _epoch in range(3):
            hidden, cell = model.init_hidden(4)
            seq_batch, target_batch = next(batches)
            optimizer.zero_grad()
            loss = 0
            for c in range(seq_length):
                pred, hidden, cell = model(seq_batch[:, c], hidden, cell)
                loss += loss_fn(pred, target_batch[:, c])
            loss.backward()
            out.setdefault("grads", {name: _array(p.grad) for name, p in model.named_parameters()})
            optimizer.step()
            out["losses"].append(loss.item() / seq_length)
        model.eval()
        hidden, cell = model.init_hidden(1)
        logits, hidden, cell = model(torch.tensor([3]).view(1), hidden, cell)
        out["logits"] = torch.squeeze(logits, 0)
        return out

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(1)
    (state,) = _state_dicts(_ch15_char_rnn(torch.nn, torch))
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    for got, expected in zip(ours["first"], theirs["first"]):
        assert _array(got).tolist() == _array(expected).tolist()
        assert str(got.dtype) == str(expected.dtype).removeprefix("torch.") == "int64"
    assert ours["n_batches"] == theirs["n_batches"] == 6
    np.testing.assert_allclose(ours["losses"], theirs["losses"], rtol=1e-5)
    for name, grad in theirs["grads"].items():
        np.testing.assert_allclose(ours["grads"][name], grad, rtol=1e-4, atol=1e-6, err_msg=name)
    _close(ours["logits"], theirs["logits"], rtol=1e-4)


def test_ch15_categorical_sampling_imported_as_the_book_imports_it(torch):
    from autograd.distributions.categorical import Categorical
    from torch.distributions.categorical import Categorical as TorchCategorical

    for values in ([[1.0, 1.0, 1.0]], [[1.0, 1.0, 3.0]]):
        logits, torch_logits = autograd.tensor(values), torch.tensor(values)
        probas = nn.functional.softmax(logits, dim=1).numpy()[0]
        _close(probas, torch.nn.functional.softmax(torch_logits, dim=1).numpy()[0])
        m, tm = Categorical(logits=logits), TorchCategorical(logits=torch_logits)
        autograd.manual_seed(1)
        samples = m.sample((10,))
        assert tuple(samples.shape) == tuple(tm.sample((10,)).shape) == (10, 1)
        assert samples.dtype == np.int64
        _close(m.log_prob(autograd.tensor([2])), tm.log_prob(torch.tensor([2])))
        _close(m.entropy(), tm.entropy())
        frequencies = np.bincount(m.sample((20000,)).numpy().ravel(), minlength=3) / 20000
        np.testing.assert_allclose(frequencies, probas, atol=0.02)
    # the sampler's scale_factor: sharper (2.0) and flatter (0.5) distributions than the logits'
    logits = autograd.tensor([[1.0, 1.0, 3.0]])
    for scale in (0.5, 0.1, 2.0):
        _close(
            nn.functional.softmax(scale * logits, dim=1), torch.softmax(scale * torch.tensor([[1.0, 1.0, 3.0]]), dim=1)
        )
    last_char = Categorical(logits=autograd.squeeze(logits, 0) * 2.0).sample()
    assert last_char.shape == () and 0 <= int(last_char) < 3
    assert str(np.array(list("abc"))[last_char]) in "abc"  # generated_str += str(char_array[last_char])


# ---- ch18: graph convolutions by hand, the NodeNetwork, global sum pooling and a graph DataLoader -------------


def _ch18_node_network(torch: Any, nn: Any, Parameter: Any, F: Any, node_features: int) -> Any:
    """The book's NodeNetwork; its ``torch.nn.Module`` / ``torch.nn.Linear`` are ``nn.Module`` / ``nn.Linear``."""

    def global_sum_pool(X, batch_mat):
        if batch_mat is None or batch_mat.dim() == 1:
            return torch.sum(X, dim=0).unsqueeze(0)
        else:
            return torch.mm(batch_mat, X)

    class BasicGraphConvolutionLayer(nn.Module):
        def __init__(self, in_channels, out_channels):
            super().__init__()
            self.in_channels = in_channels
            self.out_channels = out_channels
            self.W2 = Parameter(torch.rand((in_channels, out_channels), dtype=torch.float32))
            self.W1 = Parameter(torch.rand((in_channels, out_channels), dtype=torch.float32))
            self.bias = Parameter(torch.zeros(out_channels, dtype=torch.float32))

        def forward(self, X, A):
            potential_msgs = torch.mm(X, self.W2)
            propagated_msgs = torch.mm(A, potential_msgs)
            root_update = torch.mm(X, self.W1)
            output = propagated_msgs + root_update + self.bias
            return output

    class NodeNetwork(nn.Module):
        def __init__(self, input_features):
            super().__init__()
            self.conv_1 = BasicGraphConvolutionLayer(input_features, 32)
            self.conv_2 = BasicGraphConvolutionLayer(32, 32)
            self.fc_1 = nn.Linear(32, 16)
            self.out_layer = nn.Linear(16, 2)

        def forward(self, X, A, batch_mat):
            x = self.conv_1(X, A).clamp(0)
            x = self.conv_2(x, A).clamp(0)
            output = global_sum_pool(x, batch_mat)
            output = self.fc_1(output)
            output = self.out_layer(output)
            return F.softmax(output, dim=1)

    return NodeNetwork(node_features)


# the book's four example graphs: node colours (green 0, blue 1, orange 2) and undirected edges, nodes from 1
_CH18_GRAPHS = [
    ([1, 2, 1, 0], [(1, 2), (2, 3), (1, 3), (3, 4)]),
    ([0, 0, 2, 2, 1], [(2, 3), (3, 4), (3, 1), (5, 1)]),
    ([2, 2, 0, 0, 1, 2], [(2, 3), (3, 4), (3, 1), (5, 1), (2, 5), (6, 1)]),
    ([1, 1, 0], [(1, 2), (2, 3)]),
]


def test_ch18_graph_convolution_node_network_batched_graphs_and_gradients(torch):
    def run(lib: dict[str, Any], state: dict[str, np.ndarray]) -> dict[str, Any]:
        torch, data, F = lib["torch"], lib["data"], lib["F"]
        Parameter = __import__(f"{lib['nn'].__name__}.parameter", fromlist=["Parameter"]).Parameter

        def get_graph_dict(colors, edges):
            n = len(colors)
            A = np.zeros((n, n))
            for i, j in edges:
                A[i - 1, j - 1] = A[j - 1, i - 1] = 1
            one_hot_encoding = np.zeros((n, 3))
            one_hot_encoding[np.arange(n), colors] = 1
            A = torch.from_numpy(A).float()
            X = torch.from_numpy(one_hot_encoding).float()
            y = torch.tensor([[1, 0]]).float()
            return {"A": A, "X": X, "y": y, "batch": None}

        def get_batch_tensor(graph_sizes):
            starts = [sum(graph_sizes[:idx]) for idx in range(len(graph_sizes))]
            stops = [starts[idx] + graph_sizes[idx] for idx in range(len(graph_sizes))]
            tot_len = sum(graph_sizes)
            batch_size = len(graph_sizes)
            batch_mat = torch.zeros([batch_size, tot_len]).float()
            for idx, starts_and_stops in enumerate(zip(starts, stops)):
                start = starts_and_stops[0]
                stop = starts_and_stops[1]
                batch_mat[idx, start:stop] = 1
            return batch_mat

        def collate_graphs(batch):
            adj_mats = [graph["A"] for graph in batch]
            sizes = [A.size(0) for A in adj_mats]
            tot_size = sum(sizes)
            batch_mat = get_batch_tensor(sizes)
            feat_mats = torch.cat([graph["X"] for graph in batch], dim=0)
            labels = torch.cat([graph["y"] for graph in batch], dim=0)
            batch_adj = torch.zeros([tot_size, tot_size], dtype=torch.float32)
            accum = 0
            for adj in adj_mats:
                g_size = adj.shape[0]
                batch_adj[accum : accum + g_size, accum : accum + g_size] = adj
                accum = accum + g_size
            return {"A": batch_adj, "X": feat_mats, "y": labels, "batch": batch_mat}

        class ExampleDataset(data.Dataset):
            def __init__(self, graph_list):
                self.graphs = graph_list

            def __len__(self):
                return len(self.graphs)

            def __getitem__(self, idx):
                mol_rep = self.graphs[idx]
                return mol_rep

        graph_list = [get_graph_dict(colors, edges) for colors, edges in _CH18_GRAPHS]
        dset = ExampleDataset(graph_list)
        loader = data.DataLoader(dset, batch_size=2, shuffle=False, collate_fn=collate_graphs)
        net = _ch18_node_network(torch, lib["nn"], Parameter, F, 3)
        _load(torch, net, state)
        out: dict[str, Any] = {"batch_results": [], "batches": []}
        for b in loader:
            out["batches"].append((b["A"], b["batch"]))
            out["batch_results"].append(net(b["X"], b["A"], b["batch"]).detach())
        G1_rep = dset[1]
        G1_single = net(G1_rep["X"], G1_rep["A"], G1_rep["batch"]).detach()
        out["single"] = G1_single
        out["matches"] = bool(torch.all(torch.isclose(G1_single, out["batch_results"][0][1])))
        b = collate_graphs([dset[2], dset[3]])
        loss = (net(b["X"], b["A"], b["batch"]) * b["y"]).sum()
        loss.backward()
        out["grads"] = {name: _array(p.grad) for name, p in net.named_parameters()}
        out["params"] = [type(p).__name__ for p in net.parameters()]
        # the by-hand convolution: h = X W_1 + A X W_2
        X, A = graph_list[0]["X"], graph_list[0]["A"]
        W_1, W_2 = (torch.tensor(np.arange(18.0).reshape(3, 6) / (k + 5)) for k in range(2))
        out["by_hand"] = torch.mm(X.double(), W_1) + torch.mm(torch.mm(A.double(), X.double()), W_2)
        return out

    theirs_lib, ours_lib = _libs(torch)
    torch.manual_seed(123)
    (state,) = _state_dicts(_ch18_node_network(torch, torch.nn, torch.nn.Parameter, torch.nn.functional, 3))
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    for (A, batch), (A_t, batch_t) in zip(ours["batches"], theirs["batches"]):
        assert _array(A).tolist() == _array(A_t).tolist() and _array(batch).tolist() == _array(batch_t).tolist()
    for got, expected in zip(ours["batch_results"], theirs["batch_results"]):
        _close(got, expected, rtol=1e-5)
    _close(ours["single"], theirs["single"], rtol=1e-5)
    assert ours["matches"] is theirs["matches"] is True
    assert ours["params"] == ["Parameter"] * 10
    for name, grad in theirs["grads"].items():
        np.testing.assert_allclose(ours["grads"][name], grad, rtol=1e-4, atol=1e-7, err_msg=name)
    _close(ours["by_hand"], theirs["by_hand"])
