"""Dive into Deep Learning (d2l.ai, PyTorch edition), chapters 2-8, ported: the book's code written once in its
own spelling and run with torch and with this library (``autograd`` for ``torch``, ``nn`` for ``torch.nn``) from
the same inputs and weights, comparing outputs, losses, gradients and parameter updates.

The book's random draws (``torch.normal``, ``torch.rand``, ``random.shuffle`` of the minibatch order) are replaced by
arrays drawn once with numpy and given to both libraries; Fashion-MNIST by small random images of its shape. Where the
book's code itself draws (a dropout mask, ``normal_``/``xavier_uniform_`` fills), each library draws its own and the
test checks what the draw must satisfy, then the models are given the same weights. The documented spellings:
``torch.utils.data`` is ``nn.data``, ``torch.save``/``load`` are ``nn.save``/``nn.load``, and a batch norm's running
statistics are numpy arrays here.
"""

# ruff: noqa: N803 - the book's names (X, K, Y_hat for data, kernels and predictions)

from __future__ import annotations

import random
from typing import Any

import book_ports
import numpy as np
from book_ports import as_array as _array
from book_ports import assert_close as _close
from book_ports import assert_results_match as _results_match
from book_ports import copy_weights as _copy_weights
from book_ports import libraries as _libs

import autograd

#: the fixtures the tests take (tests/book_ports.py): float32 as both libraries' default dtype, torch under it
float32, torch = book_ports.float32, book_ports.torch


def _both(torch: Any, run: Any, *args: Any) -> tuple[Any, Any]:
    """``run(lib, *args)`` with torch's names, then with ours: (theirs, ours)."""
    theirs_lib, ours_lib = _libs(torch)
    return run(theirs_lib, *args), run(ours_lib, *args)


# ---- 2.1 data manipulation -----------------------------------------------------------------------------------


def test_2_1_ndarray_creation_operations_broadcasting_and_indexing(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        x = torch.arange(12, dtype=torch.float32)
        out = {"numel": x.numel(), "shape": tuple(x.shape)}
        X = x.reshape(3, 4)
        out.update(X=X, inferred=tuple(x.reshape(-1, 4).shape), zeros=torch.zeros((2, 3, 4)), ones=torch.ones(2, 3))
        out["given"] = torch.tensor([[2, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
        out.update(last=X[-1], rows=X[1:3])
        X[1, 2] = 17
        X[:2, :] = 12
        out["written"] = X.clone()
        out["exp"] = torch.exp(x)
        a, b = torch.tensor([1.0, 2, 4, 8]), torch.tensor([2, 2, 2, 2])
        out.update(add=a + b, sub=a - b, mul=a * b, div=a / b, pow=a**b)
        X = torch.arange(12, dtype=torch.float32).reshape((3, 4))
        Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
        out.update(cat0=torch.cat((X, Y), dim=0), cat1=torch.cat((X, Y), dim=1), eq=X == Y, total=X.sum())
        a, b = torch.arange(3).reshape((3, 1)), torch.arange(2).reshape((1, 2))
        out["broadcast"] = a + b
        before = id(Y)
        Y = Y + X
        out["rebinds"] = id(Y) == before
        Z = torch.zeros_like(Y)
        before = id(Z)
        Z[:] = X + Y
        out.update(slice_assign_keeps_id=id(Z) == before, Z=Z)
        before = id(X)
        X += Y
        out.update(iadd_keeps_id=id(X) == before, X_after=X)
        A = X.numpy()
        B = torch.from_numpy(A)
        out["types"] = (type(A).__name__, type(B).__name__)
        a = torch.tensor([3.5])
        out["scalars"] = (a.item(), float(a), int(a))
        return out

    theirs, ours = _both(torch, run)
    assert ours["types"] == ("ndarray", "Tensor")
    ours["types"] = theirs["types"]
    _results_match(ours, theirs)
    assert ours["eq"].dtype == autograd.bool and ours["broadcast"].dtype == autograd.int64


def test_2_3_linear_algebra_reductions_products_and_norms(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        A = torch.arange(6, dtype=torch.float32).reshape(2, 3)
        x, y = torch.arange(3, dtype=torch.float32), torch.ones(3, dtype=torch.float32)
        sum_A = A.sum(dim=1, keepdim=True)
        out = {"T": A.T, "sum0": A.sum(axis=0), "sum01": A.sum(axis=[0, 1]), "mean": A.mean(), "ratio": A / sum_A}
        out.update(cumsum=A.cumsum(axis=0), dot=torch.dot(x, y), mv=torch.mv(A, x), A_at_x=A @ x)
        out.update(mm=torch.mm(A, torch.ones(3, 4)), hadamard=A * A, scalar=2 + A, shape_sum=tuple(A.sum(0).shape))
        u = torch.tensor([3.0, -4.0])
        out.update(l2=torch.norm(u), l1=torch.abs(u).sum(), frobenius=torch.norm(torch.ones((4, 9))))
        return out

    theirs, ours = _both(torch, run)
    _results_match(ours, theirs)


# ---- 2.5 automatic differentiation -------------------------------------------------------------------------


def test_2_5_autograd_dot_sum_non_scalar_detach_and_control_flow(torch):
    start = np.array(0.7312, dtype=np.float32)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        x = torch.arange(4.0)
        x.requires_grad_(True)
        out = {"initial_grad_is_none": x.grad is None}
        y = 2 * torch.dot(x, x)
        y.backward()
        out.update(y=y, grad_2xTx=x.grad.clone(), is_4x=bool((x.grad == 4 * x).all()))
        x.grad.zero_()
        y = x.sum()
        y.backward()
        out["grad_sum"] = x.grad.clone()
        x.grad.zero_()
        y = x * x
        y.backward(gradient=torch.ones(len(y)))
        out["grad_non_scalar"] = x.grad.clone()
        x.grad.zero_()
        y = x * x
        y.sum().backward()
        out["grad_non_scalar_sum"] = x.grad.clone()
        x.grad.zero_()
        y = x * x
        u = y.detach()
        z = u * x
        z.sum().backward()
        out.update(detached_grad=x.grad.clone(), grad_is_u=bool((x.grad == u).all()), u_requires=u.requires_grad)
        x.grad.zero_()
        y.sum().backward()
        out["after_detach"] = x.grad.clone()

        def f(a):
            b = a * 2
            while b.norm() < 1000:
                b = b * 2
            if b.sum() > 0:
                c = b
            else:
                c = 100 * b
            return c

        for sign in (1.0, -1.0):
            a = torch.tensor(sign * start, requires_grad=True)
            d = f(a)
            d.backward()
            out[f"f{sign}"], out[f"fgrad{sign}"] = d, a.grad
            out[f"linear{sign}"] = bool(torch.isclose(a.grad, d / a))
        return out

    theirs, ours = _both(torch, run)
    _results_match(ours, theirs)
    assert ours["linear1.0"] and ours["linear-1.0"] and ours["is_4x"] and ours["grad_is_u"]


# ---- 3.2 / 3.5 linear regression ---------------------------------------------------------------------------

TRUE_W, TRUE_B = np.array([2.0, -3.4], dtype=np.float32), 4.2


def _synthetic(n: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 2)).astype(np.float32), (0.01 * rng.standard_normal(n)).astype(np.float32)


def test_3_2_linear_regression_from_scratch(torch):
    draws, noise = _synthetic()
    w_start = (0.01 * np.random.default_rng(1).standard_normal((2, 1))).astype(np.float32)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]

        def synthetic_data(w, b, num_examples):
            X = torch.tensor(draws[:num_examples])  # the book's torch.normal(0, 1, (num_examples, len(w)))
            y = torch.matmul(X, w) + b
            y += torch.tensor(noise[:num_examples])  # torch.normal(0, 0.01, y.shape)
            return X, y.reshape((-1, 1))

        def data_iter(batch_size, features, labels):
            num_examples = len(features)
            indices = list(range(num_examples))
            random.Random(0).shuffle(indices)  # the same order for both libraries
            for i in range(0, num_examples, batch_size):
                batch_indices = torch.tensor(indices[i : min(i + batch_size, num_examples)])
                yield features[batch_indices], labels[batch_indices]

        def linreg(X, w, b):
            return torch.matmul(X, w) + b

        def squared_loss(y_hat, y):
            return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

        def sgd(params, lr, batch_size):
            with torch.no_grad():
                for param in params:
                    param -= lr * param.grad / batch_size
                    param.grad.zero_()

        true_w = torch.tensor(TRUE_W)
        features, labels = synthetic_data(true_w, TRUE_B, 100)
        out = {"features": features, "labels": labels}
        w = torch.tensor(w_start.copy(), requires_grad=True)
        b = torch.zeros(1, requires_grad=True)
        lr, num_epochs, batch_size = 0.03, 3, 10
        out["first_batch"] = next(iter(data_iter(batch_size, features, labels)))[0]
        for epoch in range(num_epochs):
            for step, (X, y) in enumerate(data_iter(batch_size, features, labels)):
                l = squared_loss(linreg(X, w, b), y)  # noqa: E741 (the book's name)
                l.sum().backward()
                if epoch == 0 and step == 0:
                    out.update(first_w_grad=w.grad.clone(), first_b_grad=b.grad.clone())
                sgd([w, b], lr, batch_size)
            with torch.no_grad():
                out[f"train_l{epoch}"] = squared_loss(linreg(features, w, b), labels).mean()
        out.update(w=w, b=b, w_error=true_w - w.reshape(true_w.shape), b_error=TRUE_B - b)
        return out

    theirs, ours = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)
    assert float(ours["train_l2"]) < float(ours["train_l0"])


def test_3_5_linear_regression_concise(torch):
    draws, noise = _synthetic()
    labels_np = (draws @ TRUE_W + TRUE_B + noise).reshape(-1, 1).astype(np.float32)
    weight = (0.01 * np.random.default_rng(2).standard_normal((1, 2))).astype(np.float32)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn, data = lib["torch"], lib["nn"], lib["data"]
        features, labels = torch.tensor(draws), torch.tensor(labels_np)
        data_iter = data.DataLoader(data.TensorDataset(features, labels), 10, shuffle=False)
        net = nn.Sequential(nn.Linear(2, 1))
        net[0].weight.data.normal_(0, 0.01)
        net[0].bias.data.fill_(0)
        out = {"drawn_std_small": bool(net[0].weight.abs().max() < 0.1), "bias0": net[0].bias.detach().clone()}
        net[0].weight.data.copy_(torch.tensor(weight))  # the same draw for both
        loss = nn.MSELoss()
        trainer = lib["optim"].SGD(net.parameters(), lr=0.03)
        for epoch in range(3):
            for X, y in data_iter:
                l = loss(net(X), y)  # noqa: E741
                trainer.zero_grad()
                l.backward()
                if epoch == 0 and "grad" not in out:
                    out["grad"] = net[0].weight.grad.clone()
                trainer.step()
            out[f"loss{epoch}"] = loss(net(features), labels)
        out.update(w=net[0].weight.data, b=net[0].bias.data, batches=len(data_iter))
        return out

    theirs, ours = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)


# ---- 4.4 / 4.5 softmax regression ----------------------------------------------------------------------------


def _fashion(n: int = 32, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Random stand-ins for a batch of Fashion-MNIST: images in [0, 1) of shape (n, 1, 28, 28) and labels."""
    rng = np.random.default_rng(seed)
    return rng.random((n, 1, 28, 28), dtype=np.float32), rng.integers(0, 10, n)


def test_4_4_softmax_regression_from_scratch(torch):
    images, classes = _fashion()
    W_start = (0.01 * np.random.default_rng(4).standard_normal((784, 10))).astype(np.float32)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        X_small = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
        out = {"sum0": X_small.sum(0, keepdim=True), "sum1": X_small.sum(1, keepdim=True)}

        def softmax(X):
            X_exp = torch.exp(X)
            partition = X_exp.sum(1, keepdim=True)
            return X_exp / partition

        X_prob = softmax(torch.tensor(images[:2, 0, 0, :5].copy()))
        out.update(prob=X_prob, prob_sums=X_prob.sum(1))
        num_inputs = 784
        W = torch.tensor(W_start.copy(), requires_grad=True)  # torch.normal(0, 0.01, size=(784, 10))
        b = torch.zeros(10, requires_grad=True)

        def net(X):
            return softmax(torch.matmul(X.reshape((-1, W.shape[0])), W) + b)

        y = torch.tensor([0, 2])
        y_hat = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
        out["picked"] = y_hat[[0, 1], y]

        def cross_entropy(y_hat, y):
            return -torch.log(y_hat[range(len(y_hat)), y])

        out["ce_toy"] = cross_entropy(y_hat, y)

        def accuracy(y_hat, y):
            if len(y_hat.shape) > 1 and y_hat.shape[1] > 1:
                y_hat = y_hat.argmax(axis=1)
            cmp = y_hat.type(y.dtype) == y
            return float(cmp.type(y.dtype).sum())

        out["acc_toy"] = accuracy(y_hat, y) / len(y)

        def updater(batch_size, lr=0.1):
            with torch.no_grad():
                for param in [W, b]:
                    param -= lr * param.grad / batch_size
                    param.grad.zero_()

        X_all, y_all = torch.tensor(images), torch.tensor(classes)
        for step in range(3):
            X, y = X_all[8 * step : 8 * step + 8], y_all[8 * step : 8 * step + 8]
            y_hat = net(X)
            l = cross_entropy(y_hat, y)  # noqa: E741
            l.sum().backward()
            out[f"loss{step}"], out[f"W_grad{step}"], out[f"b_grad{step}"] = l, W.grad.clone(), b.grad.clone()
            out[f"acc{step}"] = accuracy(y_hat, y)
            updater(X.shape[0])
        out.update(W=W, b=b, acc_all=accuracy(net(X_all), y_all), num_inputs=num_inputs)
        return out

    theirs, ours = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-6)


def test_4_5_softmax_regression_concise(torch):
    images, classes = _fashion()

    def run(lib: dict[str, Any], state: dict[str, np.ndarray] | None) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))

        def init_weights(m):
            if type(m) == nn.Linear:  # noqa: E721 (the book's test)
                nn.init.normal_(m.weight, std=0.01)

        net.apply(init_weights)
        out = {"drawn_small": bool(net[1].weight.abs().max() < 0.1), "repr": repr(net)}
        if state is not None:
            net.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        loss = nn.CrossEntropyLoss(reduction="none")
        trainer = lib["optim"].SGD(net.parameters(), lr=0.1)
        X_all, y_all = torch.tensor(images), torch.tensor(classes)
        for step in range(3):
            X, y = X_all[8 * step : 8 * step + 8], y_all[8 * step : 8 * step + 8]
            l = loss(net(X), y)  # noqa: E741
            trainer.zero_grad()
            l.mean().backward()
            out[f"loss{step}"], out[f"grad{step}"] = l, net[1].weight.grad.clone()
            trainer.step()
        out.update(weight=net[1].weight, bias=net[1].bias, flat_shape=tuple(nn.Flatten()(X_all).shape))
        return out

    theirs_lib, ours_lib = _libs(torch)
    theirs = run(theirs_lib, None)
    start = {"1.weight": _array(theirs_lib["torch"].randn(10, 784) * 0.01).astype(np.float32)}
    start["1.bias"] = np.zeros(10, np.float32)
    theirs, ours = run(theirs_lib, start), run(ours_lib, start)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-6)


# ---- 5.2 multilayer perceptrons -------------------------------------------------------------------------------


def test_5_2_mlp_from_scratch_and_concise(torch):
    images, classes = _fashion()
    rng = np.random.default_rng(5)
    W1_np, W2_np = rng.standard_normal((784, 256)).astype(np.float32), rng.standard_normal((256, 10)).astype(np.float32)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        num_inputs, num_outputs, num_hiddens = 784, 10, 256
        W1 = nn.Parameter(torch.tensor(W1_np) * 0.01)  # torch.randn(num_inputs, num_hiddens) * 0.01
        b1 = nn.Parameter(torch.zeros(num_hiddens))
        W2 = nn.Parameter(torch.tensor(W2_np) * 0.01)
        b2 = nn.Parameter(torch.zeros(num_outputs))
        params = [W1, b1, W2, b2]

        def relu(X):
            a = torch.zeros_like(X)
            return torch.max(X, a)

        def net(X):
            X = X.reshape((-1, num_inputs))
            H = relu(X @ W1 + b1)
            return H @ W2 + b2

        loss = nn.CrossEntropyLoss(reduction="none")
        updater = lib["optim"].SGD(params, lr=0.1)
        X_all, y_all = torch.tensor(images), torch.tensor(classes)
        out = {"leaf": W1.is_leaf, "relu": relu(torch.tensor([-1.0, 0.0, 2.0]))}
        for step in range(3):
            X, y = X_all[8 * step : 8 * step + 8], y_all[8 * step : 8 * step + 8]
            l = loss(net(X), y)  # noqa: E741
            updater.zero_grad()
            l.mean().backward()
            out.update({f"{name}_grad{step}": p.grad.clone() for name, p in zip(["W1", "b1", "W2", "b2"], params)})
            out[f"loss{step}"] = l
            updater.step()
        out.update(W1=W1, b1=b1, W2=W2, b2=b2)
        concise = nn.Sequential(nn.Flatten(), nn.Linear(num_inputs, num_hiddens), nn.ReLU(), nn.Linear(256, 10))
        with torch.no_grad():
            concise[1].weight.copy_(W1.T)
            concise[1].bias.copy_(b1)
            concise[3].weight.copy_(W2.T)
            concise[3].bias.copy_(b2)
        out["concise_equals_scratch"] = concise(X_all) - net(X_all)
        trainer = lib["optim"].SGD(concise.parameters(), lr=0.1)
        l = loss(concise(X_all), y_all)  # noqa: E741
        trainer.zero_grad()
        l.mean().backward()
        trainer.step()
        out.update(concise_loss=l, concise_w1=concise[1].weight, concise_w3_grad=concise[3].weight.grad)
        return out

    theirs, ours = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(_array(ours["concise_equals_scratch"]), 0, atol=1e-5)


# ---- 3.7 weight decay ------------------------------------------------------------------------------------------


def test_3_7_weight_decay_from_scratch_and_with_param_groups(torch):
    rng = np.random.default_rng(6)
    num_inputs, n_train, batch_size = 200, 20, 5
    X_np = rng.standard_normal((n_train, num_inputs)).astype(np.float32)
    y_np = (X_np.sum(1, keepdims=True) * 0.01 + 0.05 + 0.01 * rng.standard_normal((n_train, 1))).astype(np.float32)
    w_np = rng.standard_normal((num_inputs, 1)).astype(np.float32)

    def run(lib: dict[str, Any], lambd: float) -> dict[str, Any]:
        torch, nn, data = lib["torch"], lib["nn"], lib["data"]
        train_iter = data.DataLoader(data.TensorDataset(torch.tensor(X_np), torch.tensor(y_np)), batch_size)
        w = torch.tensor(w_np.copy(), requires_grad=True)  # torch.normal(0, 1, size=(num_inputs, 1))
        b = torch.zeros(1, requires_grad=True)

        def l2_penalty(w):
            return torch.sum(w.pow(2)) / 2

        def net(X):
            return torch.matmul(X, w) + b

        def squared_loss(y_hat, y):
            return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2

        lr, out = 0.003, {}
        for epoch in range(2):
            for X, y in train_iter:
                l = squared_loss(net(X), y) + lambd * l2_penalty(w)  # noqa: E741
                l.sum().backward()
                with torch.no_grad():
                    for param in [w, b]:
                        param -= lr * param.grad / batch_size
                        param.grad.zero_()
            out[f"w_norm{epoch}"] = torch.norm(w).item()
        out.update(w=w, b=b)
        wd = lambd
        concise = nn.Sequential(nn.Linear(num_inputs, 1))
        with torch.no_grad():
            concise[0].weight.copy_(torch.tensor(w_np.T.copy()))
            concise[0].bias.zero_()
        loss = nn.MSELoss(reduction="none")
        trainer = lib["optim"].SGD(
            [{"params": concise[0].weight, "weight_decay": wd}, {"params": concise[0].bias}], lr=lr
        )
        for epoch in range(2):
            for X, y in train_iter:
                trainer.zero_grad()
                l = loss(concise(X), y)  # noqa: E741
                l.mean().backward()
                trainer.step()
            out[f"concise_w_norm{epoch}"] = concise[0].weight.norm().item()
        out.update(concise_w=concise[0].weight, concise_b=concise[0].bias)
        out["groups"] = [g["weight_decay"] for g in trainer.param_groups]
        return out

    theirs_lib, ours_lib = _libs(torch)
    for lambd in (0, 3):
        theirs, ours = run(theirs_lib, lambd), run(ours_lib, lambd)
        for name in ("w_norm0", "w_norm1", "concise_w_norm0", "concise_w_norm1"):
            np.testing.assert_allclose(ours.pop(name), theirs.pop(name), rtol=1e-5)
        _results_match(ours, theirs, rtol=1e-4, atol=1e-6)
        assert ours["groups"] == [lambd, 0]


# ---- 5.6 dropout ----------------------------------------------------------------------------------------------


def test_5_6_dropout_layer_from_scratch_and_the_dropout_net(torch):
    images, classes = _fashion(16)
    uniforms = np.random.default_rng(7).random((16, 256)).astype(np.float32)

    def run(lib: dict[str, Any], state: dict[str, np.ndarray] | None) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        draws = iter([uniforms[:, :8].copy(), uniforms[:, :256].copy(), uniforms[:, :128].copy()])

        def dropout_layer(X, dropout, rand=None):
            assert 0 <= dropout <= 1
            if dropout == 1:
                return torch.zeros_like(X)
            if dropout == 0:
                return X
            u = torch.rand(X.shape) if rand is None else torch.tensor(next(rand))  # the same draw for both
            mask = (u > dropout).float()
            return mask * X / (1.0 - dropout)

        X = torch.arange(16, dtype=torch.float32).reshape((2, 8))
        out = {"p0": dropout_layer(X, 0), "p1": dropout_layer(X, 1), "p05_drawn": dropout_layer(X, 0.5)}
        out["p05"] = dropout_layer(torch.arange(128, dtype=torch.float32).reshape((16, 8)), 0.5, draws)
        num_inputs, num_outputs, num_hiddens1, num_hiddens2 = 784, 10, 256, 128
        dropout1, dropout2 = 0.2, 0.5

        class Net(nn.Module):
            def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2, is_training=True):
                super().__init__()
                self.num_inputs = num_inputs
                self.training = is_training
                self.lin1 = nn.Linear(num_inputs, num_hiddens1)
                self.lin2 = nn.Linear(num_hiddens1, num_hiddens2)
                self.lin3 = nn.Linear(num_hiddens2, num_outputs)
                self.relu = nn.ReLU()

            def forward(self, X):
                H1 = self.relu(self.lin1(X.reshape((-1, self.num_inputs))))
                if self.training:
                    H1 = dropout_layer(H1, dropout1, draws)
                H2 = self.relu(self.lin2(H1))
                if self.training:
                    H2 = dropout_layer(H2, dropout2, draws)
                return self.lin3(H2)

        net = Net(num_inputs, num_outputs, num_hiddens1, num_hiddens2)
        if state is None:
            return {"state": {k: _array(v).astype(np.float32) for k, v in net.state_dict().items()}}
        net.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        loss = nn.CrossEntropyLoss(reduction="none")
        trainer = lib["optim"].SGD(net.parameters(), lr=0.5)
        X_all, y_all = torch.tensor(images), torch.tensor(classes)
        l = loss(net(X_all), y_all)  # noqa: E741
        trainer.zero_grad()
        l.mean().backward()
        out.update(loss=l, lin1_grad=net.lin1.weight.grad, lin2_grad=net.lin2.weight.grad)
        trainer.step()
        net.eval()
        out.update(eval_out=net(X_all), lin1=net.lin1.weight)
        concise = nn.Sequential(
            nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(dropout1),
            nn.Linear(256, 128), nn.ReLU(), nn.Dropout(dropout2), nn.Linear(128, 10),
        )  # fmt: skip
        concise.load_state_dict({"1.weight": net.lin1.weight.detach(), "1.bias": net.lin1.bias.detach(),
                                 "4.weight": net.lin2.weight.detach(), "4.bias": net.lin2.bias.detach(),
                                 "7.weight": net.lin3.weight.detach(), "7.bias": net.lin3.bias.detach()})  # fmt: skip
        concise.eval()
        out["concise_eval"] = concise(X_all)
        concise.train()
        dropped = concise[:4](X_all)
        kept = concise[:3](X_all) / (1 - dropout1)
        out["concise_train_is_zero_or_scaled"] = bool(((dropped == 0) | torch.isclose(dropped, kept)).all())
        return out

    theirs_lib, ours_lib = _libs(torch)
    state = run(theirs_lib, None)["state"]
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    for result in (theirs, ours):
        drawn, X = _array(result.pop("p05_drawn")), np.arange(16.0).reshape(2, 8)
        assert np.all((drawn == 0) | np.isclose(drawn, 2 * X))
    _results_match(ours, theirs, rtol=1e-4, atol=1e-6)
    assert ours["concise_train_is_zero_or_scaled"]
    _close(ours["concise_eval"], ours["eval_out"])


# ---- 5.4 numerical stability and initialisation ---------------------------------------------------------------


def test_5_4_vanishing_sigmoid_gradient_exploding_products_and_xavier(torch):
    matrices = np.random.default_rng(8).standard_normal((31, 4, 4)).astype(np.float32)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
        y = torch.sigmoid(x)
        y.backward(torch.ones_like(x))
        out = {"sigmoid": y, "grad": x.grad}
        M = torch.tensor(matrices[0])
        for i in range(30):  # the book's 100 overflow float32 with this draw: 30 already grow it by 1e7
            M = M @ torch.tensor(matrices[i + 1])
        out["product"] = M / M.abs().max()
        out["product_log_scale"] = float(torch.log(M.abs().max()))
        for fan_in, fan_out in ((64, 32), (300, 100)):
            w = torch.empty(fan_out, fan_in)
            nn.init.xavier_uniform_(w)
            bound = (6 / (fan_in + fan_out)) ** 0.5
            out[f"uniform_in_bounds{fan_in}"] = bool((w.abs() <= bound).all())
            out[f"uniform_var_close{fan_in}"] = abs(float(w.var()) / (2 / (fan_in + fan_out)) - 1) < 0.1
            nn.init.xavier_normal_(w, gain=2.0)
            out[f"normal_std_close{fan_in}"] = abs(float(w.std()) / (2 * (2 / (fan_in + fan_out)) ** 0.5) - 1) < 0.1
        return out

    theirs, ours = _both(torch, run)
    assert np.isfinite(_array(ours["product"])).all() and ours["product_log_scale"] > 15
    np.testing.assert_allclose(ours.pop("product_log_scale"), theirs.pop("product_log_scale"), rtol=1e-4)
    _results_match(ours, theirs, rtol=1e-3, atol=1e-6)
    assert all(v for k, v in ours.items() if "close" in k or "bounds" in k)


# ---- 6 builders' guide ---------------------------------------------------------------------------------------


def test_5_1_activation_functions_and_their_gradients(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        x = torch.arange(-8.0, 8.0, 0.1, requires_grad=True)
        out = {"x": x}
        for name in ("relu", "sigmoid", "tanh"):
            y = getattr(torch, name)(x)
            y.backward(torch.ones_like(x), retain_graph=True)
            out[name], out[f"{name}_grad"] = y, x.grad.clone()
            x.grad.data.zero_()
        out["pred_relu"] = torch.relu(torch.tensor([-1.0, 0.0, 2.0]))
        return out

    theirs, ours = _both(torch, run)
    # arange(-8, 8, 0.1) differs from torch's in the last bit of some values (torch's vectorised kernel with FMA):
    # torch's x[80] is 4.4e-16, ours 0.0, so ReLU's gradient there is 1 in torch and 0 here
    _close(ours["x"], theirs["x"], rtol=0, atol=1e-6)
    near_zero = np.abs(_array(theirs["x"])) < 1e-6
    for name in ("relu_grad",):
        ours[name], theirs[name] = _array(ours[name])[~near_zero], _array(theirs[name])[~near_zero]
    # float32 tanh differs from torch's by an ulp at times; 1 - tanh^2 near saturation shows it in absolute 1e-7
    _results_match(ours, theirs, rtol=1e-5, atol=1e-6)


def test_6_1_layers_and_modules_custom_sequential_fixed_hidden_and_nesting(torch):
    X_np = np.random.default_rng(21).random((2, 20), dtype=np.float32)
    rand_weight = np.random.default_rng(22).random((20, 20), dtype=np.float32)

    def build(lib: dict[str, Any]) -> Any:
        torch, nn, F = lib["torch"], lib["nn"], lib["F"]

        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = nn.LazyLinear(256)
                self.out = nn.LazyLinear(10)

            def forward(self, X):
                return self.out(F.relu(self.hidden(X)))

        class MySequential(nn.Module):
            def __init__(self, *args):
                super().__init__()
                for idx, module in enumerate(args):
                    self.add_module(str(idx), module)

            def forward(self, X):
                for module in self.children():
                    X = module(X)
                return X

        class FixedHiddenMLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.rand_weight = torch.tensor(rand_weight)  # torch.rand((20, 20)): constant, not a parameter
                self.linear = nn.LazyLinear(20)

            def forward(self, X):
                X = self.linear(X)
                X = F.relu(X @ self.rand_weight + 1)
                X = self.linear(X)  # the same layer again: its parameters are shared
                while X.abs().sum() > 1:
                    X /= 2
                return X.sum()

        class NestMLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.net = nn.Sequential(nn.LazyLinear(64), nn.ReLU(), nn.LazyLinear(32), nn.ReLU())
                self.linear = nn.LazyLinear(16)

            def forward(self, X):
                return self.linear(self.net(X))

        def block1():
            return nn.Sequential(nn.LazyLinear(8), nn.ReLU(), nn.LazyLinear(4), nn.ReLU())

        def block2():
            net = nn.Sequential()
            for i in range(4):
                net.add_module(f"block {i}", block1())
            return net

        return nn.ModuleDict(
            {
                "mlp": MLP(),
                "my_sequential": MySequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10)),
                "chimera": nn.Sequential(NestMLP(), nn.LazyLinear(20), FixedHiddenMLP()),
                "rgnet": nn.Sequential(block2(), nn.LazyLinear(1)),
            }
        )

    theirs_lib, ours_lib = _libs(torch)
    reference, nets = build(theirs_lib), build(ours_lib)
    for lib, modules in ((theirs_lib, reference), (ours_lib, nets)):
        for name, module in modules.items():
            module(lib["torch"].tensor(X_np[:, :4].copy() if name == "rgnet" else X_np))
    _copy_weights(reference, nets)
    assert str(nets) == str(reference)

    def run(lib: dict[str, Any], modules: Any) -> dict[str, Any]:
        torch = lib["torch"]
        X = torch.tensor(X_np)
        out = {"mlp": modules["mlp"](X), "my_sequential": modules["my_sequential"](X)}
        chimera = modules["chimera"](X)
        chimera.backward()
        out["chimera"] = chimera
        out.update({f"{name}.grad": p.grad for name, p in modules["chimera"].named_parameters()})
        rgnet = modules["rgnet"]
        out.update(rgnet=rgnet(X[:, :4]), keys=list(rgnet.state_dict()), bias=rgnet[0][1][0].bias.data)
        out["names"] = [(name, tuple(p.shape)) for name, p in modules.named_parameters()]
        return out

    theirs, ours = run(theirs_lib, reference), run(ours_lib, nets)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-6)
    assert "0.block 2.0.weight" in ours["keys"]


def test_6_4_lazy_initialisation(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        net = nn.Sequential(nn.LazyLinear(256), nn.ReLU(), nn.LazyLinear(10))
        out = {"before": repr(net[0].weight), "repr_before": repr(net)}
        X = torch.rand(2, 20)
        net(X)
        out.update(shapes=[tuple(p.shape) for p in net.parameters()], repr_after=repr(net))
        out["classes"] = [type(m).__name__ for m in net]
        return out

    theirs, ours = _both(torch, run)
    assert ours == theirs
    assert ours["before"] == "<UninitializedParameter>" and ours["shapes"][0] == (256, 20)


def _state(module: Any) -> dict[str, np.ndarray]:
    return {k: _array(v).astype(np.float32) for k, v in module.state_dict().items()}


def test_6_2_parameter_access_and_initialisation_with_apply(torch):
    X_np = np.random.default_rng(9).random((2, 4), dtype=np.float32)

    def run(lib: dict[str, Any], state: dict[str, np.ndarray] | None) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
        if state is None:
            return {"state": _state(net)}
        net.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        X = torch.tensor(X_np)
        out = {"Y": net(X), "state_keys": list(net[2].state_dict().keys()), "bias": net[2].bias.data}
        out["bias_is_parameter"] = type(net[2].bias).__name__ == "Parameter" and isinstance(net[2].bias, nn.Parameter)
        out["grad_none"] = net[2].weight.grad is None
        out["names"] = [(name, tuple(param.shape)) for name, param in net.named_parameters()]

        def init_normal(m):
            if type(m) == nn.Linear:  # noqa: E721
                nn.init.normal_(m.weight, mean=0, std=0.01)
                nn.init.zeros_(m.bias)

        net.apply(init_normal)
        out["normal_small"] = bool(net[0].weight.abs().max() < 0.1) and bool((net[0].bias == 0).all())

        def init_constant(m):
            if type(m) == nn.Linear:  # noqa: E721
                nn.init.constant_(m.weight, 1)
                nn.init.zeros_(m.bias)

        net.apply(init_constant)
        out.update(constant_w=net[0].weight.data.clone(), constant_b=net[0].bias.data.clone(), constant_Y=net(X))

        def init_xavier(m):
            if type(m) == nn.Linear:  # noqa: E721
                nn.init.xavier_uniform_(m.weight)

        def init_42(m):
            if type(m) == nn.Linear:  # noqa: E721
                nn.init.constant_(m.weight, 42)

        net[0].apply(init_xavier)
        net[2].apply(init_42)
        out["xavier_bounded"] = bool((net[0].weight.abs() <= (6 / 12) ** 0.5).all())
        out["w42"] = net[2].weight.data.clone()

        def my_init(m):
            if type(m) == nn.Linear:  # noqa: E721
                nn.init.uniform_(m.weight, -10, 10)
                m.weight.data *= m.weight.data.abs() >= 5

        net.apply(my_init)
        w = net[0].weight.data
        out["my_init_ok"] = bool(((w == 0) | (w.abs() >= 5)).all())
        net[0].weight.data.copy_(torch.tensor(state["0.weight"]))  # the same values for both again
        net[0].weight.data[:] += 1
        net[0].weight.data[0, 0] = 42
        out["edited"] = net[0].weight.data[0].clone()
        return out

    theirs_lib, ours_lib = _libs(torch)
    state = run(theirs_lib, None)["state"]
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    _results_match(ours, theirs)
    assert ours["bias_is_parameter"] and ours["grad_none"] and ours["my_init_ok"] and ours["xavier_bounded"]


def test_6_2_tied_parameters_share_data_and_sum_gradients(torch):
    X_np = np.random.default_rng(10).random((2, 4), dtype=np.float32)

    def build(lib: dict[str, Any]) -> Any:
        torch, nn = lib["torch"], lib["nn"]
        shared = nn.LazyLinear(8)
        net = nn.Sequential(nn.LazyLinear(8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.LazyLinear(1))
        net(torch.tensor(X_np))  # the lazy layers take their sizes
        return net

    theirs_lib, ours_lib = _libs(torch)
    reference, net = build(theirs_lib), build(ours_lib)
    _copy_weights(reference, net)

    def run(lib: dict[str, Any], net: Any) -> dict[str, Any]:
        torch = lib["torch"]
        out = {"same_row": bool((net[2].weight.data[0] == net[4].weight.data[0]).all())}
        net[2].weight.data[0, 0] = 100
        out["tied"] = bool((net[2].weight.data[0] == net[4].weight.data[0]).all()) and net[2].weight is net[4].weight
        Y = net(torch.tensor(X_np))
        Y.sum().backward()
        out.update(Y=Y, shared_grad=net[2].weight.grad, first_grad=net[0].weight.grad, n=len(list(net.parameters())))
        out["keys"] = list(net.state_dict().keys())
        return out

    theirs, ours = run(theirs_lib, reference), run(ours_lib, net)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)
    assert ours["tied"] and ours["n"] == 6


def test_6_5_custom_layers_centered_and_my_linear(torch):
    X_np = np.random.default_rng(11).random((4, 8), dtype=np.float32)
    rng = np.random.default_rng(12)
    W_np, b_np = rng.standard_normal((5, 3)).astype(np.float32), rng.standard_normal(3).astype(np.float32)

    def run(lib: dict[str, Any], state: dict[str, np.ndarray] | None) -> dict[str, Any]:
        torch, nn, F = lib["torch"], lib["nn"], lib["F"]

        class CenteredLayer(nn.Module):
            def __init__(self):
                super().__init__()

            def forward(self, X):
                return X - X.mean()

        layer = CenteredLayer()
        out = {"centered": layer(torch.tensor([1.0, 2, 3, 4, 5]))}
        net = nn.Sequential(nn.LazyLinear(128), CenteredLayer())
        X = torch.tensor(X_np)
        net(X)
        if state is None:
            return {"state": _state(net)}
        net.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        Y = net(X)
        out.update(Y=Y, Y_mean_small=abs(float(Y.detach().mean())) < 1e-6)

        class MyLinear(nn.Module):
            def __init__(self, in_units, units):
                super().__init__()
                self.weight = nn.Parameter(torch.randn(in_units, units))
                self.bias = nn.Parameter(torch.randn(units))

            def forward(self, X):
                linear = torch.matmul(X, self.weight.data) + self.bias.data
                return F.relu(linear)

        linear = MyLinear(5, 3)
        out["shapes"] = [tuple(linear.weight.shape), tuple(linear.bias.shape)]
        linear.load_state_dict({"weight": torch.tensor(W_np), "bias": torch.tensor(b_np)})
        out["my_linear"] = linear(torch.tensor(X_np[:2, :5].copy()))
        out["names"] = [name for name, _ in linear.named_parameters()]
        net = nn.Sequential(MyLinear(64, 8), MyLinear(8, 1))
        out["net_shape"] = tuple(net(torch.rand(2, 64)).shape)

        class MyLinearTrained(MyLinear):  # the same layer without .data, so its parameters learn
            def forward(self, X):
                return F.relu(torch.matmul(X, self.weight) + self.bias)

        trained = MyLinearTrained(5, 3)
        trained.load_state_dict({"weight": torch.tensor(W_np), "bias": torch.tensor(b_np)})
        trained(torch.tensor(X_np[:, :5].copy())).sum().backward()
        out.update(w_grad=trained.weight.grad, b_grad=trained.bias.grad)
        return out

    theirs_lib, ours_lib = _libs(torch)
    state = run(theirs_lib, None)["state"]
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    _results_match(ours, theirs, rtol=1e-5, atol=1e-5)


def test_6_6_file_io_tensors_lists_dicts_and_a_models_state_dict(torch, tmp_path):
    X_np = np.random.default_rng(13).random((2, 20), dtype=np.float32)

    def run(lib: dict[str, Any], state: dict[str, np.ndarray] | None) -> dict[str, Any]:
        torch, nn, F = lib["torch"], lib["nn"], lib["F"]
        save, load = lib["save"], lib["load"]
        directory = tmp_path / torch.__name__
        directory.mkdir(exist_ok=True)
        x = torch.arange(4)
        save(x, directory / "x-file")
        x2 = load(directory / "x-file")
        y = torch.zeros(4)
        save([x, y], directory / "x-files")
        x2, y2 = load(directory / "x-files")
        mydict = {"x": x, "y": y}
        save(mydict, directory / "mydict")
        mydict2 = load(directory / "mydict")
        out = {"x2": x2, "y2": y2, "dict_x": mydict2["x"], "dict_y": mydict2["y"], "keys": list(mydict2)}
        out["dtypes"] = [str(x2.dtype).removeprefix("torch."), str(y2.dtype).removeprefix("torch.")]

        class MLP(nn.Module):
            def __init__(self):
                super().__init__()
                self.hidden = nn.LazyLinear(256)
                self.output = nn.LazyLinear(10)

            def forward(self, x):
                return self.output(F.relu(self.hidden(x)))

        net = MLP()
        X = torch.tensor(X_np)
        net(X)
        if state is None:
            return {"state": _state(net)}
        net.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        Y = net(X)
        save(net.state_dict(), directory / "mlp.params")
        clone = MLP()  # its lazy layers are sized by the state they load, as torch's
        clone.load_state_dict(load(directory / "mlp.params"))
        clone.eval()
        Y_clone = clone(X)
        out.update(Y=Y, Y_clone=Y_clone, equal=bool((Y_clone == Y).all()), repr=repr(clone))
        out["clone_shapes"] = [tuple(p.shape) for p in clone.parameters()]
        return out

    theirs_lib, ours_lib = _libs(torch)
    state = run(theirs_lib, None)["state"]
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    _results_match(ours, theirs)
    assert ours["equal"] and ours["dtypes"] == ["int64", "float32"]


# ---- 7 convolutional neural networks -------------------------------------------------------------------------


def _corr2d(torch: Any) -> Any:
    def corr2d(X, K):
        """The book's two-dimensional cross-correlation, by two loops."""
        h, w = K.shape
        Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
        for i in range(Y.shape[0]):
            for j in range(Y.shape[1]):
                Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
        return Y

    return corr2d


def test_7_2_corr2d_edge_detection_and_learning_the_kernel(torch):
    kernel_start = np.random.default_rng(14).random((1, 2), dtype=np.float32)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        corr2d = _corr2d(torch)
        X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]])
        K = torch.tensor([[0.0, 1.0], [2.0, 3.0]])
        out = {"toy": corr2d(X, K)}

        class Conv2D(nn.Module):
            def __init__(self, kernel_size):
                super().__init__()
                self.weight = nn.Parameter(torch.rand(kernel_size))
                self.bias = nn.Parameter(torch.zeros(1))

            def forward(self, x):
                return corr2d(x, self.weight) + self.bias

        X = torch.ones((6, 8))
        X[:, 2:6] = 0
        K = torch.tensor([[1.0, -1.0]])
        Y = corr2d(X, K)
        out.update(X=X, Y=Y, transposed=corr2d(X.t(), K))
        scratch = Conv2D(kernel_size=(1, 2))
        with torch.no_grad():
            scratch.weight.copy_(torch.tensor(kernel_start))
        l = ((scratch(X) - Y) ** 2).sum()  # noqa: E741
        l.backward()
        out.update(scratch_loss=l, scratch_w_grad=scratch.weight.grad, scratch_b_grad=scratch.bias.grad)
        conv2d = nn.LazyConv2d(1, kernel_size=(1, 2), bias=False)
        X = X.reshape((1, 1, 6, 8))
        Y = Y.reshape((1, 1, 6, 7))
        lr = 3e-2
        conv2d(X)
        conv2d.weight.data[:] = torch.tensor(kernel_start.reshape(1, 1, 1, 2))
        for i in range(10):
            Y_hat = conv2d(X)
            l = (Y_hat - Y) ** 2  # noqa: E741
            conv2d.zero_grad()
            l.sum().backward()
            conv2d.weight.data[:] -= lr * conv2d.weight.grad
            out[f"loss{i}"] = l.sum()
        out["learned"] = conv2d.weight.data.reshape((1, 2))
        return out

    theirs, ours = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(_array(ours["learned"]), [[1.0, -1.0]], atol=0.1)


def test_7_3_padding_and_stride_output_shapes(torch):
    X_np = np.random.default_rng(15).random((8, 8), dtype=np.float32)

    def run(lib: dict[str, Any], states: list[Any] | None) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]

        def comp_conv2d(conv2d, X):
            X = X.reshape((1, 1) + X.shape)
            Y = conv2d(X)
            return Y.reshape(Y.shape[2:])

        X = torch.tensor(X_np)
        convs = [
            nn.LazyConv2d(1, kernel_size=3, padding=1),
            nn.LazyConv2d(1, kernel_size=(5, 3), padding=(2, 1)),
            nn.LazyConv2d(1, kernel_size=3, padding=1, stride=2),
            nn.LazyConv2d(1, kernel_size=(3, 5), padding=(0, 1), stride=(3, 4)),
        ]
        outputs = [comp_conv2d(conv, X) for conv in convs]
        if states is None:
            return {"states": [_state(conv) for conv in convs]}
        for conv, state in zip(convs, states):
            conv.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        outputs = [comp_conv2d(conv, X) for conv in convs]
        return {f"out{i}": y for i, y in enumerate(outputs)} | {"shapes": [tuple(y.shape) for y in outputs]}

    theirs_lib, ours_lib = _libs(torch)
    states = run(theirs_lib, None)["states"]
    theirs, ours = run(theirs_lib, states), run(ours_lib, states)
    _results_match(ours, theirs)
    assert ours["shapes"] == [(8, 8), (8, 8), (4, 4), (2, 2)]


def test_7_4_multiple_input_and_output_channels_and_1x1_convolution_as_matmul(torch):
    rng = np.random.default_rng(16)
    X1_np, K1_np = (
        rng.standard_normal((3, 3, 3)).astype(np.float32),
        rng.standard_normal((2, 3, 1, 1)).astype(np.float32),
    )

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, F = lib["torch"], lib["F"]
        corr2d = _corr2d(torch)

        def corr2d_multi_in(X, K):
            return sum(corr2d(x, k) for x, k in zip(X, K))

        def corr2d_multi_in_out(X, K):
            return torch.stack([corr2d_multi_in(X, k) for k in K], 0)

        def corr2d_multi_in_out_1x1(X, K):
            c_i, h, w = X.shape
            c_o = K.shape[0]
            X = X.reshape((c_i, h * w))
            K = K.reshape((c_o, c_i))
            Y = torch.matmul(K, X)
            return Y.reshape((c_o, h, w))

        X = torch.tensor(
            [[[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]]
        )
        K = torch.tensor([[[0.0, 1.0], [2.0, 3.0]], [[1.0, 2.0], [3.0, 4.0]]])
        out = {"multi_in": corr2d_multi_in(X, K)}
        K = torch.stack((K, K + 1, K + 2), 0)
        out.update(K_shape=tuple(K.shape), multi_in_out=corr2d_multi_in_out(X, K))
        out["as_conv2d"] = F.conv2d(X.unsqueeze(0), K)[0]
        X = torch.tensor(X1_np, requires_grad=True)
        K = torch.tensor(K1_np, requires_grad=True)
        Y1 = corr2d_multi_in_out_1x1(X, K)
        Y2 = corr2d_multi_in_out(X, K)
        out.update(Y1=Y1, Y2=Y2, agree=float(torch.abs(Y1 - Y2).sum().detach()) < 1e-6)
        (Y1 * Y1).sum().backward()
        out.update(X_grad_1x1=X.grad.clone(), K_grad_1x1=K.grad.clone())
        X.grad.zero_()
        K.grad.zero_()
        (Y2 * Y2).sum().backward()
        out.update(X_grad_loops=X.grad, K_grad_loops=K.grad)
        return out

    theirs, ours = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-5, atol=1e-5)
    assert ours["agree"]
    _close(ours["X_grad_1x1"], ours["X_grad_loops"], atol=1e-5)
    _close(ours["multi_in_out"], ours["as_conv2d"])


def test_7_5_pooling_from_scratch_and_max_avg_pool_with_padding_and_stride(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]

        def pool2d(X, pool_size, mode="max"):
            p_h, p_w = pool_size
            Y = torch.zeros((X.shape[0] - p_h + 1, X.shape[1] - p_w + 1))
            for i in range(Y.shape[0]):
                for j in range(Y.shape[1]):
                    if mode == "max":
                        Y[i, j] = X[i : i + p_h, j : j + p_w].max()
                    elif mode == "avg":
                        Y[i, j] = X[i : i + p_h, j : j + p_w].mean()
            return Y

        X = torch.tensor([[0.0, 1.0, 2.0], [3.0, 4.0, 5.0], [6.0, 7.0, 8.0]], requires_grad=True)
        out = {"max": pool2d(X, (2, 2)), "avg": pool2d(X, (2, 2), "avg")}
        (pool2d(X, (2, 2)).sum() + 2 * pool2d(X, (2, 2), "avg").sum()).backward()
        out["scratch_grad"] = X.grad
        out["vs_module"] = nn.MaxPool2d(2, stride=1)(X.detach().reshape(1, 1, 3, 3))
        X = torch.arange(16, dtype=torch.float32).reshape((1, 1, 4, 4))
        out["pool3"] = nn.MaxPool2d(3)(X)
        out["pad1_stride2"] = nn.MaxPool2d(3, padding=1, stride=2)(X)
        out["rect"] = nn.MaxPool2d((2, 3), stride=(2, 3), padding=(0, 1))(X)
        out["avg_pad"] = nn.AvgPool2d(3, padding=1, stride=2)(X)
        out["avg_rect"] = nn.AvgPool2d((2, 3), stride=(2, 3), padding=(0, 1))(X)
        X = torch.cat((X, X + 1), 1)
        out["two_channels"] = nn.MaxPool2d(3, padding=1, stride=2)(X)
        Xg = X.clone().requires_grad_(True)
        (nn.MaxPool2d(3, padding=1, stride=2)(Xg).sum() + nn.AvgPool2d(3, padding=1, stride=2)(Xg).sum()).backward()
        out["module_grad"] = Xg.grad
        return out

    theirs, ours = _both(torch, run)
    _results_match(ours, theirs)


def _lenet(nn: Any) -> Any:
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10),
    )  # fmt: skip


def test_7_6_lenet_shapes_xavier_init_and_training_steps(torch):
    images, classes = _fashion(8)

    def run(lib: dict[str, Any], state: dict[str, np.ndarray] | None) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        net = _lenet(nn)

        def init_weights(m):
            if type(m) == nn.Linear or type(m) == nn.Conv2d:  # noqa: E721
                nn.init.xavier_uniform_(m.weight)

        net.apply(init_weights)
        if state is None:
            return {"state": _state(net)}
        bound = (6 / (6 * 25 + 16 * 25)) ** 0.5
        out = {"xavier_bounded": bool((net[3].weight.abs() <= bound).all())}
        net.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        X = torch.tensor(images[:1])
        shapes = []
        for layer in net:
            X = layer(X)
            shapes.append((layer.__class__.__name__, tuple(X.shape)))
        out.update(shapes=shapes, repr=repr(net))  # torch 2.13 prints AvgPool2d with its geometry alone
        optimizer = lib["optim"].SGD(net.parameters(), lr=0.9)
        loss = nn.CrossEntropyLoss()
        X, y = torch.tensor(images), torch.tensor(classes)
        for step in range(2):
            optimizer.zero_grad()
            y_hat = net(X)
            l = loss(y_hat, y)  # noqa: E741
            l.backward()
            out[f"loss{step}"] = l
            out.update({f"{name}_grad{step}": p.grad.clone() for name, p in net.named_parameters()})
            optimizer.step()
        with torch.no_grad():
            out["accuracy"] = float((net(X).argmax(axis=1) == y).float().mean())
        out.update({name: p for name, p in net.named_parameters()})
        return out

    theirs_lib, ours_lib = _libs(torch)
    state = run(theirs_lib, None)["state"]
    theirs, ours = run(theirs_lib, state), run(ours_lib, state)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-6)
    assert ours["shapes"][-1] == ("Linear", (1, 10)) and ours["shapes"][2] == ("AvgPool2d", (1, 6, 14, 14))


# ---- 8 modern convolutional neural networks (small sizes) ----------------------------------------------------


def _train_step(lib: dict[str, Any], net: Any, X_np: np.ndarray, classes: np.ndarray) -> dict[str, Any]:
    """One SGD step of ``net`` on the batch: the loss, every gradient and every updated parameter."""
    torch, nn = lib["torch"], lib["nn"]
    X, y = torch.tensor(X_np), torch.tensor(classes)
    optimizer = lib["optim"].SGD(net.parameters(), lr=0.1)
    Y = net(X)
    l = nn.CrossEntropyLoss()(Y.reshape(Y.shape[0], -1)[:, :3], y)  # noqa: E741
    optimizer.zero_grad()
    l.backward()
    out = {"Y": Y, "loss": l} | {f"{name}.grad": p.grad.clone() for name, p in net.named_parameters()}
    optimizer.step()
    return out | {name: p for name, p in net.named_parameters()}


def _built_alike(torch: Any, build: Any, X_np: np.ndarray) -> tuple[Any, Any]:
    """``build(lib)`` for torch and for us, sized by one forward on ``X_np`` (lazy layers), ours given torch's
    weights and buffers."""
    theirs_lib, ours_lib = _libs(torch)
    reference, net = build(theirs_lib), build(ours_lib)
    with theirs_lib["torch"].no_grad():
        reference(theirs_lib["torch"].tensor(X_np))
    net(autograd.tensor(X_np))
    _copy_weights(reference, net)
    return reference, net


def test_8_2_vgg_block_and_8_3_nin_block(torch):
    rng = np.random.default_rng(17)
    X_np, classes = rng.standard_normal((2, 3, 8, 8)).astype(np.float32), np.array([0, 2])

    def vgg_block(lib: dict[str, Any], num_convs: int = 2, out_channels: int = 4) -> Any:
        nn = lib["nn"]
        layers = []
        for _ in range(num_convs):
            layers.append(nn.LazyConv2d(out_channels, kernel_size=3, padding=1))
            layers.append(nn.ReLU())
        layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        return nn.Sequential(*layers)

    def nin_block(lib: dict[str, Any], out_channels: int = 4, kernel_size: int = 3, strides: int = 2, padding: int = 1):
        nn = lib["nn"]
        return nn.Sequential(
            nn.LazyConv2d(out_channels, kernel_size, strides, padding), nn.ReLU(),
            nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU(),
            nn.LazyConv2d(out_channels, kernel_size=1), nn.ReLU(),
        )  # fmt: skip

    def nin(lib: dict[str, Any]) -> Any:
        nn = lib["nn"]
        return nn.Sequential(
            nin_block(lib), nn.MaxPool2d(3, stride=2), nn.Dropout(0.5), nin_block(lib, 3, 3, 1, 1),
            nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
        )  # fmt: skip

    theirs_lib, ours_lib = _libs(torch)
    for build in (vgg_block, nin):
        reference, net = _built_alike(torch, build, X_np)
        reference.eval(), net.eval()  # NiN's dropout: the same network in both
        theirs, ours = _train_step(theirs_lib, reference, X_np, classes), _train_step(ours_lib, net, X_np, classes)
        _results_match(ours, theirs, rtol=1e-4, atol=1e-6)
        assert str(net) == str(reference)
    assert tuple(ours["Y"].shape) == (2, 3)


def _batch_norm_module(lib: dict[str, Any]) -> type:
    torch, nn = lib["torch"], lib["nn"]

    def batch_norm(X, gamma, beta, moving_mean, moving_var, eps, momentum):
        if not torch.is_grad_enabled():  # prediction: the moving statistics
            X_hat = (X - moving_mean) / torch.sqrt(moving_var + eps)
        else:
            assert len(X.shape) in (2, 4)
            if len(X.shape) == 2:
                mean = X.mean(dim=0)
                var = ((X - mean) ** 2).mean(dim=0)
            else:
                mean = X.mean(dim=(0, 2, 3), keepdim=True)
                var = ((X - mean) ** 2).mean(dim=(0, 2, 3), keepdim=True)
            X_hat = (X - mean) / torch.sqrt(var + eps)
            moving_mean = (1.0 - momentum) * moving_mean + momentum * mean
            moving_var = (1.0 - momentum) * moving_var + momentum * var
        Y = gamma * X_hat + beta
        return Y, moving_mean.data, moving_var.data

    class BatchNorm(nn.Module):
        def __init__(self, num_features, num_dims):
            super().__init__()
            shape = (1, num_features) if num_dims == 2 else (1, num_features, 1, 1)
            self.gamma = nn.Parameter(torch.ones(shape))
            self.beta = nn.Parameter(torch.zeros(shape))
            self.moving_mean = torch.zeros(shape)
            self.moving_var = torch.ones(shape)

        def forward(self, X):
            if self.moving_mean.device != X.device:
                self.moving_mean = self.moving_mean.to(X.device)
                self.moving_var = self.moving_var.to(X.device)
            Y, self.moving_mean, self.moving_var = batch_norm(
                X, self.gamma, self.beta, self.moving_mean, self.moving_var, eps=1e-5, momentum=0.1
            )
            return Y

    return BatchNorm


def test_8_5_batch_norm_from_scratch_against_nn_batchnorm2d_in_train_and_eval(torch):
    rng = np.random.default_rng(18)
    batches = [(2.0 + 3.0 * rng.standard_normal((4, 3, 5, 5))).astype(np.float32) for _ in range(3)]
    flat = (1.0 + rng.standard_normal((6, 3))).astype(np.float32)
    gamma = rng.uniform(0.5, 1.5, 3).astype(np.float32)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch, nn = lib["torch"], lib["nn"]
        BatchNorm = _batch_norm_module(lib)
        scratch, builtin = BatchNorm(3, num_dims=4), nn.BatchNorm2d(3)
        with torch.no_grad():
            scratch.gamma.copy_(torch.tensor(gamma).reshape((1, 3, 1, 1)))
            builtin.weight.copy_(torch.tensor(gamma))
        out = {}
        for step, batch in enumerate(batches):
            X = torch.tensor(batch, requires_grad=True)
            Y_scratch, Y_builtin = scratch(X), builtin(X)
            (Y_scratch * Y_scratch.detach().cos()).sum().backward()
            out[f"x_grad_scratch{step}"] = X.grad.clone()
            X.grad.zero_()
            (Y_builtin * Y_builtin.detach().cos()).sum().backward()
            out.update({f"x_grad_builtin{step}": X.grad, f"scratch{step}": Y_scratch, f"builtin{step}": Y_builtin})
        out.update(gamma_grad=scratch.gamma.grad, beta_grad=scratch.beta.grad)
        out.update(weight_grad=builtin.weight.grad, bias_grad=builtin.bias.grad)
        out.update(moving_mean=scratch.moving_mean, moving_var=scratch.moving_var)
        out.update(running_mean=_array(builtin.running_mean), running_var=_array(builtin.running_var))
        out["tracked"] = int(builtin.num_batches_tracked)
        builtin.eval()
        X = torch.tensor(batches[0])
        with torch.no_grad():
            out.update(scratch_eval=scratch(X), builtin_eval=builtin(X))
        flat_bn = BatchNorm(3, num_dims=2)
        out["flat"] = flat_bn(torch.tensor(flat))
        out.update(flat_mean=flat_bn.moving_mean, flat_var=flat_bn.moving_var)
        return out

    theirs, ours = _both(torch, run)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)
    for step in range(3):  # in training both normalise by the batch's biased variance
        _close(ours[f"scratch{step}"], ours[f"builtin{step}"], rtol=1e-4, atol=1e-5)
        _close(ours[f"x_grad_scratch{step}"], ours[f"x_grad_builtin{step}"], rtol=1e-3, atol=1e-5)
    _close(ours["moving_mean"].reshape(3), ours["running_mean"])
    assert ours["tracked"] == 3


def test_8_6_residual_block_with_and_without_1x1_convolution(torch):
    rng = np.random.default_rng(19)
    X_np, classes = rng.standard_normal((4, 3, 6, 6)).astype(np.float32), np.array([0, 1, 2, 1])

    def residual(lib: dict[str, Any], num_channels: int, use_1x1conv: bool = False, strides: int = 1) -> Any:
        nn, F = lib["nn"], lib["F"]

        class Residual(nn.Module):
            def __init__(self, num_channels, use_1x1conv=False, strides=1):
                super().__init__()
                self.conv1 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1, stride=strides)
                self.conv2 = nn.LazyConv2d(num_channels, kernel_size=3, padding=1)
                if use_1x1conv:
                    self.conv3 = nn.LazyConv2d(num_channels, kernel_size=1, stride=strides)
                else:
                    self.conv3 = None
                self.bn1 = nn.LazyBatchNorm2d()
                self.bn2 = nn.LazyBatchNorm2d()

            def forward(self, X):
                Y = F.relu(self.bn1(self.conv1(X)))
                Y = self.bn2(self.conv2(Y))
                if self.conv3:
                    X = self.conv3(X)
                Y += X
                return F.relu(Y)

        return Residual(num_channels, use_1x1conv, strides)

    theirs_lib, ours_lib = _libs(torch)
    for arguments, shape in (((3,), (4, 3, 6, 6)), ((6, True, 2), (4, 6, 3, 3))):
        reference, net = _built_alike(torch, lambda lib: residual(lib, *arguments), X_np)  # noqa: B023
        theirs, ours = _train_step(theirs_lib, reference, X_np, classes), _train_step(ours_lib, net, X_np, classes)
        ours["running_mean"] = net.bn2.running_mean
        theirs["running_mean"] = reference.bn2.running_mean
        _results_match(ours, theirs, rtol=1e-4, atol=1e-5)
        assert tuple(ours["Y"].shape) == shape


def test_8_7_densenet_conv_block_dense_block_and_transition(torch):
    rng = np.random.default_rng(20)
    X_np, classes = rng.standard_normal((4, 3, 8, 8)).astype(np.float32), np.array([0, 1, 2, 1])

    def conv_block(nn: Any, num_channels: int) -> Any:
        return nn.Sequential(nn.LazyBatchNorm2d(), nn.ReLU(), nn.LazyConv2d(num_channels, kernel_size=3, padding=1))

    def transition_block(nn: Any, num_channels: int) -> Any:
        return nn.Sequential(
            nn.LazyBatchNorm2d(), nn.ReLU(), nn.LazyConv2d(num_channels, kernel_size=1),
            nn.AvgPool2d(kernel_size=2, stride=2),
        )  # fmt: skip

    def dense_then_transition(lib: dict[str, Any]) -> Any:
        torch, nn = lib["torch"], lib["nn"]

        class DenseBlock(nn.Module):
            def __init__(self, num_convs, num_channels):
                super().__init__()
                layer = []
                for _ in range(num_convs):
                    layer.append(conv_block(nn, num_channels))
                self.net = nn.Sequential(*layer)

            def forward(self, X):
                for blk in self.net:
                    Y = blk(X)
                    X = torch.cat((X, Y), dim=1)  # each block's input and output side by side
                return X

        return nn.Sequential(DenseBlock(2, 10), transition_block(nn, 10))

    theirs_lib, ours_lib = _libs(torch)
    reference, net = _built_alike(torch, dense_then_transition, X_np)
    assert tuple(net[0](autograd.tensor(X_np)).shape) == (4, 23, 8, 8)
    theirs, ours = _train_step(theirs_lib, reference, X_np, classes), _train_step(ours_lib, net, X_np, classes)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-5)
    assert tuple(ours["Y"].shape) == (4, 10, 4, 4)
    _close(net[1][0].running_var, reference[1][0].running_var, rtol=1e-4)


def test_8_4_googlenet_inception_block_and_the_printed_networks(torch):
    rng = np.random.default_rng(23)
    X_np, classes = rng.standard_normal((2, 3, 12, 12)).astype(np.float32), np.array([0, 2])

    def inception(lib: dict[str, Any]) -> Any:
        torch, nn, F = lib["torch"], lib["nn"], lib["F"]

        class Inception(nn.Module):
            def __init__(self, c1, c2, c3, c4, **kwargs):
                super().__init__(**kwargs)
                self.b1_1 = nn.LazyConv2d(c1, kernel_size=1)
                self.b2_1 = nn.LazyConv2d(c2[0], kernel_size=1)
                self.b2_2 = nn.LazyConv2d(c2[1], kernel_size=3, padding=1)
                self.b3_1 = nn.LazyConv2d(c3[0], kernel_size=1)
                self.b3_2 = nn.LazyConv2d(c3[1], kernel_size=5, padding=2)
                self.b4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
                self.b4_2 = nn.LazyConv2d(c4, kernel_size=1)

            def forward(self, x):
                b1 = F.relu(self.b1_1(x))
                b2 = F.relu(self.b2_2(F.relu(self.b2_1(x))))
                b3 = F.relu(self.b3_2(F.relu(self.b3_1(x))))
                b4 = F.relu(self.b4_2(self.b4_1(x)))
                return torch.cat((b1, b2, b3, b4), dim=1)

        return nn.Sequential(
            nn.LazyConv2d(8, kernel_size=7, stride=2, padding=3), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
            Inception(4, (4, 6), (2, 3), 3), nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
        )  # fmt: skip

    theirs_lib, ours_lib = _libs(torch)
    reference, net = _built_alike(torch, inception, X_np)
    assert str(net) == str(reference)
    theirs, ours = _train_step(theirs_lib, reference, X_np, classes), _train_step(ours_lib, net, X_np, classes)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-6)
    assert tuple(ours["Y"].shape) == (2, 16)

    def printed(lib: dict[str, Any]) -> list[str]:
        """d2l's AlexNet and batch-normalised LeNet, printed before and after their lazy layers are sized."""
        torch, nn = lib["torch"], lib["nn"]
        alexnet = nn.Sequential(
            nn.LazyConv2d(96, kernel_size=11, stride=4, padding=1), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2),
            nn.LazyConv2d(256, kernel_size=5, padding=2), nn.ReLU(), nn.MaxPool2d(kernel_size=3, stride=2),
            nn.LazyConv2d(384, kernel_size=3, padding=1), nn.ReLU(), nn.LazyConv2d(384, kernel_size=3, padding=1),
            nn.ReLU(), nn.LazyConv2d(256, kernel_size=3, padding=1), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2), nn.Flatten(),
            nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(p=0.5),
            nn.LazyLinear(4096), nn.ReLU(), nn.Dropout(p=0.5),
            nn.LazyLinear(10),
        )  # fmt: skip
        bn_lenet = nn.Sequential(
            nn.LazyConv2d(6, kernel_size=5), nn.LazyBatchNorm2d(), nn.Sigmoid(), nn.AvgPool2d(kernel_size=2, stride=2),
            nn.LazyConv2d(16, kernel_size=5), nn.LazyBatchNorm2d(), nn.Sigmoid(),
            nn.AvgPool2d(kernel_size=2, stride=2), nn.Flatten(),
            nn.LazyLinear(120), nn.LazyBatchNorm1d(), nn.Sigmoid(), nn.LazyLinear(84), nn.LazyBatchNorm1d(),
            nn.Sigmoid(), nn.LazyLinear(10),
        )  # fmt: skip
        shown = [str(alexnet), str(bn_lenet)]
        bn_lenet(torch.zeros(2, 1, 28, 28))
        return [*shown, str(bn_lenet)]

    assert printed(ours_lib) == printed(theirs_lib)


# ---- 2.6 probability, and the 2023 edition's Trainer ------------------------------------------------------------


def test_2_6_multinomial_die_tosses_and_running_estimates(torch):
    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        Multinomial = torch.distributions.multinomial.Multinomial
        fair_probs = torch.ones(6) / 6
        one = Multinomial(1, fair_probs).sample()
        counts = Multinomial(1000, fair_probs).sample()
        tosses = Multinomial(1, fair_probs).sample((500,))
        cum_counts = tosses.cumsum(dim=0)
        estimates = cum_counts / cum_counts.sum(dim=1, keepdims=True)
        heads = sum([torch.rand(1) > 0.5 for _ in range(100)])
        return {
            "one": (tuple(one.shape), float(one.sum()), set(one.tolist()) <= {0.0, 1.0}),
            "counts": (tuple(counts.shape), float(counts.sum()), bool((abs(counts / 1000 - 1 / 6) < 0.07).all())),
            "estimates": (tuple(estimates.shape), bool(torch.allclose(estimates.sum(dim=1), torch.ones(500)))),
            "last_close": bool((abs(estimates[-1] - 1 / 6) < 0.1).all()),
            "heads": (tuple(heads.shape), str(heads.dtype).removeprefix("torch."), 0 <= int(heads) <= 100),
            "dtypes": str(counts.dtype).removeprefix("torch."),
        }

    theirs, ours = _both(torch, run)
    assert ours == theirs


def test_d2l_2023_trainer_steps_with_backward_under_no_grad_and_clip_gradients(torch):
    """The 2023 edition's ``Trainer.fit_epoch`` calls ``loss.backward()``, ``clip_gradients`` and the optimizer's
    step inside ``torch.no_grad()``, with its own ``SGD`` and the ``accuracy`` of its ``Classifier``."""
    rng = np.random.default_rng(24)
    X_np, y_np = rng.standard_normal((12, 6)).astype(np.float32), rng.integers(0, 4, 12)
    W_np = rng.standard_normal((6, 4)).astype(np.float32)

    def run(lib: dict[str, Any]) -> dict[str, Any]:
        torch = lib["torch"]
        W = torch.tensor(W_np.copy(), requires_grad=True)
        b = torch.zeros(4, requires_grad=True)

        class SGD:
            def __init__(self, params, lr):
                self.params, self.lr = params, lr

            def step(self):
                for param in self.params:
                    param -= self.lr * param.grad

            def zero_grad(self):
                for param in self.params:
                    if param.grad is not None:
                        param.grad.zero_()

        def softmax(X):
            X_exp = torch.exp(X)
            return X_exp / X_exp.sum(1, keepdims=True)

        def cross_entropy(y_hat, y):
            return -torch.log(y_hat[list(range(len(y_hat))), y]).mean()

        def accuracy(Y_hat, Y, averaged=True):
            Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
            preds = Y_hat.argmax(axis=1).type(Y.dtype)
            compare = (preds == Y.reshape(-1)).type(torch.float32)
            return compare.mean() if averaged else compare

        def clip_gradients(grad_clip_val, params):
            norm = torch.sqrt(sum(torch.sum(p.grad**2) for p in params))
            if norm > grad_clip_val:
                for param in params:
                    param.grad[:] *= grad_clip_val / norm
            return norm

        optim, out = SGD([W, b], lr=0.5), {}
        X, y = torch.tensor(X_np), torch.tensor(y_np)
        for step in range(3):
            Y_hat = softmax(X @ W + b)
            loss = cross_entropy(Y_hat, y) * 10
            optim.zero_grad()
            with torch.no_grad():
                loss.backward()
                out[f"norm{step}"] = float(clip_gradients(1.0, [W, b]))
                out[f"W_grad{step}"], out[f"b_grad{step}"] = W.grad.clone(), b.grad.clone()
                optim.step()
            out[f"loss{step}"], out[f"accuracy{step}"] = loss, accuracy(Y_hat, y)
        out.update(W=W, b=b, per_sample=accuracy(softmax(X @ W + b), y, averaged=False))
        return out

    theirs, ours = _both(torch, run)
    for step in range(3):
        np.testing.assert_allclose(ours.pop(f"norm{step}"), theirs.pop(f"norm{step}"), rtol=1e-5)
    _results_match(ours, theirs, rtol=1e-4, atol=1e-6)
    assert np.linalg.norm(np.concatenate([_array(ours["W_grad1"]).ravel(), _array(ours["b_grad1"])])) <= 1 + 1e-5


def test_8_6_resnext_block_in_a_small_resnet_with_init_cnn_momentum_and_eval(torch):
    """A ResNet stem, two ResNeXt blocks (grouped 3x3 convolutions, one with the 1x1 shortcut) and the head,
    initialised by ``init_cnn`` (xavier on every Linear and Conv2d once sized), two SGD steps with momentum and
    weight decay, then the network in eval mode."""
    rng = np.random.default_rng(25)
    X_np, classes = rng.standard_normal((4, 3, 16, 16)).astype(np.float32), np.array([0, 1, 2, 3])

    def build(lib: dict[str, Any]) -> Any:
        nn, F = lib["nn"], lib["F"]

        class ResNeXtBlock(nn.Module):
            def __init__(self, num_channels, groups, bot_mul, use_1x1conv=False, strides=1):
                super().__init__()
                bot_channels = int(round(num_channels * bot_mul))
                self.conv1 = nn.LazyConv2d(bot_channels, kernel_size=1, stride=1)
                self.conv2 = nn.LazyConv2d(
                    bot_channels, kernel_size=3, stride=strides, padding=1, groups=bot_channels // groups
                )
                self.conv3 = nn.LazyConv2d(num_channels, kernel_size=1, stride=1)
                self.bn1, self.bn2, self.bn3 = nn.LazyBatchNorm2d(), nn.LazyBatchNorm2d(), nn.LazyBatchNorm2d()
                if use_1x1conv:
                    self.conv4 = nn.LazyConv2d(num_channels, kernel_size=1, stride=strides)
                    self.bn4 = nn.LazyBatchNorm2d()
                else:
                    self.conv4 = None

            def forward(self, X):
                Y = F.relu(self.bn1(self.conv1(X)))
                Y = F.relu(self.bn2(self.conv2(Y)))
                Y = self.bn3(self.conv3(Y))
                if self.conv4:
                    X = self.bn4(self.conv4(X))
                return F.relu(Y + X)

        net = nn.Sequential(
            nn.LazyConv2d(8, kernel_size=7, stride=2, padding=3), nn.LazyBatchNorm2d(), nn.ReLU(),
            nn.MaxPool2d(kernel_size=3, stride=2, padding=1),
        )  # fmt: skip
        net.add_module("b2", nn.Sequential(ResNeXtBlock(8, 4, 1), ResNeXtBlock(16, 4, 0.5, True, 2)))
        net.add_module("last", nn.Sequential(nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(), nn.LazyLinear(5)))
        return net

    def init_cnn(nn: Any) -> Any:
        def init(module):
            if type(module) == nn.Linear or type(module) == nn.Conv2d:  # noqa: E721
                nn.init.xavier_uniform_(module.weight)

        return init

    theirs_lib, ours_lib = _libs(torch)
    reference, net = _built_alike(torch, build, X_np)
    reference.apply(init_cnn(theirs_lib["nn"]))
    net.apply(init_cnn(ours_lib["nn"]))
    bound = (6 / (4 * 9 + 8 * 9)) ** 0.5  # xavier_uniform_ on b2[0].conv2, weight (8, 4, 3, 3): 2 groups
    assert float(net.b2[0].conv2.weight.abs().max()) <= bound
    _copy_weights(reference, net)  # init_cnn's draws differ between the libraries: torch's are used
    assert str(net) == str(reference)

    def run(lib: dict[str, Any], net: Any) -> dict[str, Any]:
        torch = lib["torch"]
        optimizer = lib["optim"].SGD(net.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-3)
        out = {}
        for step in range(2):
            l = lib["F"].cross_entropy(net(torch.tensor(X_np)), torch.tensor(classes))  # noqa: E741
            optimizer.zero_grad()
            l.backward()
            optimizer.step()
            out[f"loss{step}"] = l
        out.update({name: p for name, p in net.named_parameters()})
        out.update({name: _array(b) for name, b in net.named_buffers()})
        net.eval()
        with torch.no_grad():
            out["eval"] = net(torch.tensor(X_np))
        return out

    theirs, ours = run(theirs_lib, reference), run(ours_lib, net)
    _results_match(ours, theirs, rtol=1e-3, atol=1e-5)
