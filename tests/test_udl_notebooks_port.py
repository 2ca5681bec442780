"""The "Understanding Deep Learning" notebooks (udlbook, Notebooks/Chap06-12 and 20) redone with the library, as a
course student would: each notebook's computation written with ``autograd`` (``Value``, ``Tensor``) and ``nn``
(modules, ``nn.functional``, ``nn.optim``, ``nn.init``, ``nn.optim.lr_scheduler``), checked against an independent
reference: the notebook's own numpy formula (written out here), float64 finite differences, or torch with the same
weights and data.

The book's optimisers map onto torch's: its momentum m <- beta m + (1 - beta) g, phi <- phi - alpha m is SGD with
momentum beta and lr alpha (1 - beta) (m = (1 - beta) buf); its Nesterov step (the gradient taken at
phi - alpha beta m) is SGD(nesterov=True) on the look-ahead point phi - alpha beta m; its Adam (eq. 6.15-6.17, with
gamma for beta2) is Adam(betas=(beta, gamma)), and its normalised gradients (eq. 6.13-6.14) are Adam with betas (0, 0).
The book's vectors are columns (D, N): a layer's weight is (D_out, D_in) as nn.Linear's, applied as ``W @ h + b``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from nested_results import assert_same

import autograd
import nn
import nn.functional as F
from autograd import Tensor, Value


def _leaf(array: Any) -> Tensor:
    return Tensor(np.array(array, dtype=float), requires_grad=True)


def _close(ours: Any, expected: Any, rtol: float = 1e-10, atol: float = 1e-12) -> None:
    got = ours.data if isinstance(ours, Tensor) else ours
    np.testing.assert_allclose(np.asarray(got, dtype=float), np.asarray(expected, dtype=float), rtol=rtol, atol=atol)


@pytest.fixture
def torch():
    """torch with float64 as its default dtype, restored afterwards."""
    torch = pytest.importorskip("torch")
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(previous)


def _libs(torch: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    theirs = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional, "optim": torch.optim, "data": torch.utils.data}
    ours = {"torch": autograd, "nn": nn, "F": F, "optim": nn.optim, "data": nn.data}
    return theirs, ours


def _synced(lib: dict[str, Any], model: Any, store: dict[str, Any]) -> Any:
    """torch's initial weights kept in ``store`` and copied into ours."""
    if lib["torch"] is autograd:
        model.load_state_dict({name: value.numpy() for name, value in store["state"].items()})
    else:
        store["state"] = {name: value.clone() for name, value in model.state_dict().items()}
    return model


# -- Chapter 6: fitting models ------------------------------------------------------------------------------------

# 6.3 / 6.4: the Gabor model's 30 training pairs
GABOR_DATA = np.array(
    [
        [-1.920e00, -1.422e01, 1.490e00, -1.940e00, -2.389e00, -5.090e00, -8.861e00, 3.578e00, -6.010e00, -6.995e00,
         3.634e00, 8.743e-01, -1.096e01, 4.073e-01, -9.467e00, 8.560e00, 1.062e01, -1.729e-01, 1.040e01, -1.261e01,
         1.574e-01, -1.304e01, -2.156e00, -1.210e01, -1.119e01, 2.902e00, -8.220e00, -1.179e01, -8.391e00, -4.505e00],
        [-1.051e00, -2.482e-02, 8.896e-01, -4.943e-01, -9.371e-01, 4.306e-01, 9.577e-03, -7.944e-02, 1.624e-01,
         -2.682e-01, -3.129e-01, 8.303e-01, -2.365e-02, 5.098e-01, -2.777e-01, 3.367e-01, 1.927e-01, -2.222e-01,
         6.352e-02, 6.888e-03, 3.224e-02, 1.091e-02, -5.706e-01, -5.258e-02, -3.666e-02, 1.709e-01, -4.805e-02,
         2.008e-01, -1.904e-01, 5.952e-01],
    ]
)  # fmt: skip


def _gabor_gradient_by_hand(data_x: np.ndarray, data_y: np.ndarray, phi0: float, phi1: float) -> np.ndarray:
    """The notebook's gabor_deriv_phi0 / gabor_deriv_phi1."""
    x = 0.06 * phi1 * data_x + phi0
    cos_component, sin_component, gauss_component = np.cos(x), np.sin(x), np.exp(-0.5 * x * x / 16)
    residual = 2 * (sin_component * gauss_component - data_y)
    d0 = cos_component * gauss_component - sin_component * gauss_component * x / 16
    d1 = 0.06 * data_x * cos_component * gauss_component - 0.06 * data_x * sin_component * gauss_component * x / 16
    return np.array([np.sum(d0 * residual), np.sum(d1 * residual)])


def _gabor_loss(phi: Tensor, data_x: np.ndarray, data_y: np.ndarray) -> Tensor:
    """The notebook's model and compute_loss: sum((sin(z) exp(-z^2 / 32) - y)^2), z = phi0 + 0.06 phi1 x."""
    z = phi[0] + 0.06 * phi[1] * Tensor(data_x)
    pred = z.sin() * (-(z * z) / 32).exp()
    return ((pred - Tensor(data_y)) ** 2).sum()


def _batches(n_steps: int, batch_size: int = 5) -> list[np.ndarray]:
    np.random.seed(1)
    return [np.random.permutation(GABOR_DATA.shape[1])[0:batch_size] for _ in range(n_steps)]


def test_6_2_line_search_gradient_descent_on_the_linear_model_matches_the_hand_gradient():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, 12)
    y = 0.4 + 1.3 * x + 0.05 * rng.standard_normal(12)

    def loss_np(phi: np.ndarray) -> float:
        return float(np.sum((phi[0] + phi[1] * x - y) ** 2))

    def line_search(phi, gradient, thresh=0.00001, max_dist=0.1, max_iter=15):
        """The notebook's line search: shrink the bracket [a, d] around the smallest of four losses."""
        a, b, c, d = 0.0, 0.33 * max_dist, 0.66 * max_dist, max_dist
        n_iter = 0
        while np.abs(b - c) > thresh and n_iter < max_iter:
            n_iter += 1
            lossa, lossb, lossc, lossd = (loss_np(phi - s * gradient) for s in (a, b, c, d))
            if np.argmin([lossa, lossb, lossc, lossd]) == 0:
                b, c, d = a + (b - a) / 2, a + (c - a) / 2, a + (d - a) / 2
                continue
            if lossb < lossc:
                d, b, c = c, a + (c - a) / 3, a + 2 * (c - a) / 3
                continue
            a, b, c = b, a + (d - a) / 3, a + 2 * (d - a) / 3
        return (b + c) / 2.0

    phi_np = np.array([0.6, -0.2])
    phi = _leaf(phi_np)
    for _ in range(200):
        gradient = np.array(
            [np.sum(2 * (phi_np[0] + phi_np[1] * x - y)), np.sum(2 * x * (phi_np[0] + phi_np[1] * x - y))]
        )
        phi_np = phi_np - line_search(phi_np, gradient) * gradient
        phi.grad = None
        ((phi[0] + phi[1] * Tensor(x) - Tensor(y)) ** 2).sum().backward()
        _close(phi.grad, gradient, rtol=1e-12)
        with autograd.no_grad():
            phi -= line_search(phi.data.copy(), phi.grad.copy()) * phi.grad
    _close(phi, phi_np, rtol=1e-9)
    assert loss_np(phi_np) < loss_np(np.array([0.6, -0.2])) / 10
    _close(phi, np.polyfit(x, y, 1)[::-1], atol=1e-3)


def test_6_3_sgd_on_the_gabor_model_matches_the_notebook_derivatives_and_loop():
    phi_np = np.array([-1.5, 6.5])
    phi = nn.Parameter(Tensor(phi_np.copy()))
    optimizer = nn.optim.SGD([phi], lr=0.6)
    for batch_index in _batches(81):
        gradient = _gabor_gradient_by_hand(GABOR_DATA[0, batch_index], GABOR_DATA[1, batch_index], *phi_np)
        optimizer.zero_grad()
        _gabor_loss(phi, GABOR_DATA[0, batch_index], GABOR_DATA[1, batch_index]).backward()
        _close(phi.grad, gradient, rtol=1e-9, atol=1e-12)
        optimizer.step()
        phi_np = phi_np - 0.6 * gradient
    _close(phi, phi_np, rtol=1e-8)


def test_6_4_book_momentum_is_sgd_momentum_with_lr_alpha_times_one_minus_beta():
    alpha, beta = 0.6, 0.6
    phi_np, momentum = np.array([-1.5, 6.5]), np.zeros(2)
    phi = nn.Parameter(Tensor(phi_np.copy()))
    optimizer = nn.optim.SGD([phi], lr=alpha * (1 - beta), momentum=beta)
    for batch_index in _batches(81):
        momentum = beta * momentum + (1 - beta) * _gabor_gradient_by_hand(
            GABOR_DATA[0, batch_index], GABOR_DATA[1, batch_index], *phi_np
        )
        phi_np = phi_np - alpha * momentum
        optimizer.zero_grad()
        _gabor_loss(phi, GABOR_DATA[0, batch_index], GABOR_DATA[1, batch_index]).backward()
        optimizer.step()
        _close(phi, phi_np, rtol=1e-8)


def test_6_4_book_nesterov_momentum_is_sgd_nesterov_on_the_look_ahead_point():
    alpha, beta = 0.6, 0.6
    phi_np, momentum = np.array([-1.5, 6.5]), np.zeros(2)
    theta = nn.Parameter(Tensor(phi_np.copy()))
    optimizer = nn.optim.SGD([theta], lr=alpha * (1 - beta), momentum=beta, nesterov=True)
    for batch_index in _batches(81):
        look_ahead = phi_np - alpha * beta * momentum
        _close(theta, look_ahead, rtol=1e-8)
        gradient = _gabor_gradient_by_hand(GABOR_DATA[0, batch_index], GABOR_DATA[1, batch_index], *look_ahead)
        momentum = beta * momentum + (1 - beta) * gradient
        phi_np = phi_np - alpha * momentum
        optimizer.zero_grad()
        _gabor_loss(theta, GABOR_DATA[0, batch_index], GABOR_DATA[1, batch_index]).backward()
        _close(theta.grad, gradient, rtol=1e-8, atol=1e-12)
        optimizer.step()


def _adam_loss_np(phi0: float, phi1: float) -> float:
    """6.5's loss: 1 - exp(-2 phi1^2) exp(-(phi0 - 0.7)^2 / 8)."""
    return 1.0 - np.exp(-0.5 * (phi1 * phi1) * 4.0) * np.exp(-0.5 * (phi0 - 0.7) * (phi0 - 0.7) / 4.0)


def _adam_loss(phi: Tensor) -> Tensor:
    return 1.0 - (-0.5 * (phi[1] * phi[1]) * 4.0).exp() * (-0.5 * (phi[0] - 0.7) * (phi[0] - 0.7) / 4.0).exp()


def _finite_difference_gradient(phi: np.ndarray, delta: float = 1e-5) -> np.ndarray:
    """The notebook's get_loss_gradient (central differences)."""
    return np.array(
        [
            (_adam_loss_np(phi[0] + delta / 2, phi[1]) - _adam_loss_np(phi[0] - delta / 2, phi[1])) / delta,
            (_adam_loss_np(phi[0], phi[1] + delta / 2) - _adam_loss_np(phi[0], phi[1] - delta / 2)) / delta,
        ]
    )


def test_6_5_normalized_gradients_are_adam_with_zero_betas():
    alpha, epsilon = 0.08, 1e-20
    phi_np = np.array([-0.7, -0.9])
    phi = nn.Parameter(Tensor(phi_np.copy()))
    optimizer = nn.optim.Adam([phi], lr=alpha, betas=(0.0, 0.0), eps=epsilon)
    for _ in range(40):
        m = _finite_difference_gradient(phi_np)
        v = m * m
        phi_np = phi_np - alpha * m / (np.sqrt(v) + epsilon)
        optimizer.zero_grad()
        _adam_loss(phi).backward()
        _close(phi.grad, m, rtol=1e-6, atol=1e-10)
        optimizer.step()
        _close(phi, phi_np, rtol=1e-12)
    assert abs(phi_np[1]) <= alpha  # it bounces about the minimum, a step either side


def test_6_5_book_adam_is_adam_with_betas_beta_gamma():
    alpha, beta, gamma, epsilon = 0.05, 0.9, 0.99, 1e-20
    phi_np, m, v = np.array([-0.7, -0.9]), np.zeros(2), np.zeros(2)
    phi = nn.Parameter(Tensor(phi_np.copy()))
    optimizer = nn.optim.Adam([phi], lr=alpha, betas=(beta, gamma), eps=epsilon)
    for c_step in range(60):
        grad = _finite_difference_gradient(phi_np)
        m = beta * m + (1 - beta) * grad
        v = gamma * v + (1 - gamma) * grad * grad
        m_tilde, v_tilde = m / (1 - np.power(beta, c_step + 1)), v / (1 - np.power(gamma, c_step + 1))
        phi_np = phi_np - alpha * m_tilde / (np.sqrt(v_tilde) + epsilon)
        optimizer.zero_grad()
        _adam_loss(phi).backward()
        optimizer.step()
        _close(phi, phi_np, rtol=1e-6, atol=1e-8)
    assert _adam_loss_np(*phi_np) < 0.01


# -- Chapter 7: gradients and initialisation ------------------------------------------------------------------------

TOY = {
    "beta0": 1.0,
    "beta1": 2.0,
    "beta2": -3.0,
    "beta3": 0.4,
    "omega0": 0.1,
    "omega1": -0.4,
    "omega2": 2.0,
    "omega3": 3.0,
}
TOY_X, TOY_Y = 2.3, 2.0


def _toy_loss(x: Any, y: float, p: dict[str, Any], lib: Any = np) -> Any:
    f = p["beta3"] + p["omega3"] * lib.cos(
        p["beta2"] + p["omega2"] * lib.exp(p["beta1"] + p["omega1"] * lib.sin(p["beta0"] + p["omega0"] * x))
    )
    return (f - y) * (f - y)


@pytest.mark.parametrize("kind", ["Value", "Tensor"])
def test_7_1_toy_model_forward_pass_and_derivatives_match_the_notebook(kind):
    make = Value if kind == "Value" else (lambda v: Tensor(v, requires_grad=True))
    p = {name: make(value) for name, value in TOY.items()}
    f0 = p["beta0"] + p["omega0"] * TOY_X
    h1 = f0.sin()
    f1 = p["beta1"] + p["omega1"] * h1
    h2 = f1.exp()
    f2 = p["beta2"] + p["omega2"] * h2
    h3 = f2.cos()
    f3 = p["beta3"] + p["omega3"] * h3
    l_i = (f3 - TOY_Y) ** 2
    # the notebook's printed "true values"
    for node, printed in zip((f0, h1, f1, h2, f2, h3, f3), (1.230, 0.942, 1.623, 5.068, 7.137, 0.657, 2.372)):
        assert round(float(node.item() if kind == "Tensor" else node.data), 3) == printed
    assert round(float(l_i.item() if kind == "Tensor" else l_i.data), 3) == 0.139
    l_i.backward()
    grads = {name: float(np.asarray(p[name].grad)) for name in TOY}
    b, w, x = TOY, TOY, TOY_X
    inner = b["beta1"] + w["omega1"] * np.sin(b["beta0"] + w["omega0"] * x)
    residual = b["beta3"] + w["omega3"] * np.cos(b["beta2"] + w["omega2"] * np.exp(inner)) - TOY_Y
    dldbeta3_func = 2 * residual
    dldomega0_func = (
        -2 * residual * w["omega1"] * w["omega2"] * w["omega3"] * x * np.cos(b["beta0"] + w["omega0"] * x)
        * np.exp(inner) * np.sin(b["beta2"] + w["omega2"] * np.exp(inner))
    )  # fmt: skip
    assert math.isclose(grads["beta3"], dldbeta3_func, rel_tol=1e-12)
    assert math.isclose(grads["omega0"], dldomega0_func, rel_tol=1e-12)
    assert round(grads["omega0"], 3) == 5.246  # the notebook's print
    for name in TOY:  # every derivative against float64 central differences
        up, down = dict(TOY), dict(TOY)
        up[name] += 1e-6
        down[name] -= 1e-6
        fd = (_toy_loss(TOY_X, TOY_Y, up) - _toy_loss(TOY_X, TOY_Y, down)) / 2e-6
        assert math.isclose(grads[name], fd, rel_tol=1e-7, abs_tol=1e-8), name


def test_7_1_numpy_functions_on_values_give_the_same_derivatives():
    p = {name: Value(value) for name, value in TOY.items()}
    loss = _toy_loss(TOY_X, TOY_Y, p)  # np.cos / np.exp / np.sin on Values, as the notebook's fn is written
    loss.backward()
    q = {name: Tensor(value, requires_grad=True) for name, value in TOY.items()}
    _toy_loss(TOY_X, TOY_Y, q).backward()
    for name in TOY:
        assert math.isclose(p[name].grad, float(q[name].grad), rel_tol=1e-13), name


def _deep_relu_weights(layers: int = 5, width: int = 6, d_in: int = 1, d_out: int = 1) -> tuple[list, list]:
    """7.2's network: K = 5 hidden layers of width D = 6, weights and biases drawn with np.random.seed(0)."""
    np.random.seed(0)
    sizes = [d_in] + [width] * layers + [d_out]
    weights = [np.random.normal(size=(sizes[k + 1], sizes[k])) for k in range(layers + 1)]
    biases = [np.random.normal(size=(sizes[k + 1], 1)) for k in range(layers + 1)]
    return weights, biases


def test_7_2_deep_relu_network_backprop_by_hand_matches_autograd_and_nn_linear():
    weights, biases = _deep_relu_weights()
    K = len(weights) - 1
    net_input, y = np.ones((1, 1)) * 1.2, np.ones((1, 1)) * 20.0
    # the notebook's forward pass and backward pass, by hand
    all_f, all_h = [None] * (K + 1), [net_input] + [None] * K
    for layer in range(K):
        all_f[layer] = biases[layer] + weights[layer] @ all_h[layer]
        all_h[layer + 1] = np.maximum(all_f[layer], 0)
    all_f[K] = biases[K] + weights[K] @ all_h[K]
    dl_df = [None] * (K + 1)
    dl_dweights, dl_dbiases = [None] * (K + 1), [None] * (K + 1)
    dl_df[K] = 2 * (all_f[K] - y)
    for layer in range(K, -1, -1):
        dl_dbiases[layer] = dl_df[layer]
        dl_dweights[layer] = dl_df[layer] @ all_h[layer].T
        if layer > 0:
            dl_df[layer - 1] = (all_f[layer - 1] > 0) * (weights[layer].T @ dl_df[layer])
    # the same with Tensors
    w_t, b_t = [_leaf(w) for w in weights], [_leaf(b) for b in biases]
    h = Tensor(net_input)
    for layer in range(K):
        h = (b_t[layer] + w_t[layer] @ h).relu()
    loss = ((b_t[K] + w_t[K] @ h - Tensor(y)) ** 2).sum()
    loss.backward()
    _close(loss.item(), ((all_f[K] - y) ** 2).sum())
    for layer in range(K + 1):
        _close(w_t[layer].grad, dl_dweights[layer])
        _close(b_t[layer].grad, dl_dbiases[layer])
    # and with nn.Linear / nn.ReLU in an nn.Sequential (rows are examples: the transposes)
    layers: list[nn.Module] = []
    for layer in range(K + 1):
        linear = nn.Linear(weights[layer].shape[1], weights[layer].shape[0]).double()
        linear.weight.data = weights[layer].copy()
        linear.bias.data = biases[layer][:, 0].copy()
        layers += [linear, nn.ReLU()]
    model = nn.Sequential(*layers[:-1])
    nn.MSELoss(reduction="sum")(model(Tensor(net_input.T)), Tensor(y.T)).backward()
    for layer in range(K + 1):
        _close(model[2 * layer].weight.grad, dl_dweights[layer])
        _close(model[2 * layer].bias.grad, dl_dbiases[layer][:, 0])
    # the notebook's finite-difference check of one weight
    delta = 1e-6
    bumped = [w.copy() for w in weights]
    bumped[2][1, 3] += delta

    def forward(ws: list) -> float:
        h = net_input
        for layer in range(K):
            h = np.maximum(biases[layer] + ws[layer] @ h, 0)
        return float(((biases[K] + ws[K] @ h - y) ** 2).sum())

    assert math.isclose(float(w_t[2].grad[1, 3]), (forward(bumped) - forward(weights)) / delta, rel_tol=1e-4)


def test_7_3_he_initialisation_keeps_activation_and_gradient_variance_per_layer():
    K, D, D_i, n_data = 8, 80, 1, 1000
    np.random.seed(0)
    data_in = np.random.normal(size=(D_i, n_data))
    model = nn.Sequential(*[m for k in range(K) for m in (nn.Linear(D_i if k == 0 else D, D).double(), nn.ReLU())])
    linears = [m for m in model if isinstance(m, nn.Linear)]
    autograd.manual_seed(0)
    for linear in linears:
        nn.init.kaiming_normal_(linear.weight, nonlinearity="relu")
        nn.init.zeros_(linear.bias)
        fan_in = linear.weight.shape[1]
        if fan_in == D:  # (6400 draws; the first layer has only 80)
            assert abs(linear.weight.data.var() / (2.0 / fan_in) - 1) < 0.1  # He: sigma^2 = 2 / D_in
    # the notebook's forward pass with the same weights: the variance of each layer's activations
    h, variances_np = data_in, []
    for linear in linears:
        h = np.maximum(linear.weight.data @ h + linear.bias.data[:, None], 0)
        variances_np.append(np.var(h))
    x = Tensor(data_in.T, requires_grad=True)
    h, variances = x, []
    for k in range(K):
        h = model[2 * k + 1](model[2 * k](h))
        h.retain_grad()
        variances.append(h.var().item())
    _close(variances, variances_np, rtol=1e-10)
    assert max(variances[1:]) / min(variances[1:]) < 3  # He keeps them the same order; sigma^2 = 1 / D halves each
    h.sum().backward()
    assert x.grad.shape == (n_data, 1) and np.isfinite(x.grad).all()


# -- Chapter 8 / 10 / 20: MNIST-1D classifiers in torch, run in both libraries ------------------------------------


def _mnist1d_like(n: int = 200, length: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Small random stand-in for MNIST-1D: (n, 40) float32 signals and int64 labels 0..9."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    t = np.linspace(0, 1, length)
    x = np.sin(2 * np.pi * (labels[:, None] + 1) * t[None, :] / 4) + 0.3 * rng.standard_normal((n, length))
    return x.astype(np.float32), labels.astype(np.int64)


def _fit_mnist1d(lib: dict[str, Any], store: dict[str, Any], kind: str) -> list[Any]:
    """8.1 (MLP, kaiming_uniform_), 10.2 (Conv1d net, xavier_uniform_) and 20.2 (full-batch gradient descent)."""
    torch, tnn = lib["torch"], lib["nn"]
    torch.manual_seed(0)
    x_np, y_np = _mnist1d_like()
    D_i, D_k, D_o = 40, 100, 10
    if kind == "conv":
        model = tnn.Sequential(
            tnn.Conv1d(1, 15, kernel_size=3, stride=2, padding=0),
            tnn.ReLU(),
            tnn.Conv1d(15, 15, kernel_size=3, stride=2, padding=0),
            tnn.ReLU(),
            tnn.Conv1d(15, 15, kernel_size=3, stride=2, padding=0),
            tnn.ReLU(),
            tnn.Flatten(),
            tnn.Linear(60, 10),
        )
    else:
        model = tnn.Sequential(tnn.Linear(D_i, D_k), tnn.ReLU(), tnn.Linear(D_k, D_k), tnn.ReLU(), tnn.Linear(D_k, D_o))
    log: list[Any] = []

    def weights_init(layer_in):
        if isinstance(layer_in, tnn.Linear):
            if kind == "conv":
                tnn.init.xavier_uniform_(layer_in.weight)
            else:
                tnn.init.kaiming_uniform_(layer_in.weight)
            layer_in.bias.data.fill_(0.0)

    model.apply(weights_init)
    for module in model:
        if isinstance(module, tnn.Linear):  # the initialiser's bounds (the draws themselves differ)
            fan_in, fan_out = module.weight.shape[1], module.weight.shape[0]
            bound = math.sqrt(6 / (fan_in + fan_out)) if kind == "conv" else math.sqrt(6 / fan_in)
            w = module.weight.detach().numpy()
            log += [bool(np.abs(w).max() <= bound), bool(np.abs(w).max() > 0.9 * bound), module.bias]
    _synced(lib, model, store)
    loss_function = tnn.CrossEntropyLoss()
    if kind == "full_batch":
        optimizer = lib["optim"].SGD(model.parameters(), lr=0.1, momentum=0.0)
    else:
        optimizer = lib["optim"].SGD(model.parameters(), lr=0.05, momentum=0.9)
    scheduler = lib["optim"].lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    x_train = torch.tensor(x_np.astype("float32"))
    y_train = torch.tensor(y_np.transpose().astype("long"))
    if kind == "conv":
        x_train = x_train.reshape(-1, 1, D_i)
    data_loader = lib["data"].DataLoader(
        lib["data"].TensorDataset(x_train, y_train),
        batch_size=len(y_np) if kind == "full_batch" else 50,
        shuffle=False,  # the notebooks shuffle (the two libraries' draws differ)
        worker_init_fn=np.random.seed(1),
    )
    n_epoch = 5
    errors_train, losses_train = np.zeros(n_epoch), np.zeros(n_epoch)
    for epoch in range(n_epoch):
        for _, data in enumerate(data_loader):
            x_batch, y_batch = data
            optimizer.zero_grad()
            pred = model(x_batch)
            loss = loss_function(pred, y_batch)
            if kind == "full_batch":  # 20.2 stores the errors of the batch, before the step
                _, predicted_train_class = torch.max(pred.data, 1)
                errors_train[epoch] = 100 - 100 * (predicted_train_class == y_train).float().sum() / len(y_train)
            loss.backward()
            optimizer.step()
        pred_train = model(x_train)
        if kind != "full_batch":
            _, predicted_train_class = torch.max(pred_train.data, 1)
            errors_train[epoch] = 100 - 100 * (predicted_train_class == y_train).float().sum() / len(y_train)
        losses_train[epoch] = loss_function(pred_train, y_train).item()
        log.append(scheduler.get_last_lr())
        scheduler.step()
    log += [errors_train, losses_train, optimizer.param_groups[0]["lr"]]
    assert losses_train[-1] < losses_train[0]
    return log


@pytest.mark.parametrize("kind", ["mlp", "conv", "full_batch"])
def test_8_1_10_2_20_2_mnist1d_training_loops_match_torch(kind):
    theirs, ours = _libs(pytest.importorskip("torch"))  # float32, torch's default, as the notebooks
    store: dict[str, Any] = {}
    expected = _fit_mnist1d(theirs, store, kind)
    assert_same(expected, _fit_mnist1d(ours, store, kind), 2e-4, 1e-5)


# -- Chapter 9: regularisation ----------------------------------------------------------------------------------


def test_9_1_l2_penalty_in_the_loss_is_sgd_weight_decay_two_lambda():
    lambda_, alpha = 0.2, 0.1
    phi_np = np.array([-1.5, 6.5])
    explicit, decayed = nn.Parameter(Tensor(phi_np.copy())), nn.Parameter(Tensor(phi_np.copy()))
    opt_explicit = nn.optim.SGD([explicit], lr=alpha)
    opt_decayed = nn.optim.SGD([decayed], lr=alpha, weight_decay=2 * lambda_)
    for _ in range(30):
        gradient = _gabor_gradient_by_hand(GABOR_DATA[0], GABOR_DATA[1], *phi_np) / 30 + 2 * lambda_ * phi_np
        phi_np = phi_np - alpha * gradient
        opt_explicit.zero_grad()
        (_gabor_loss(explicit, GABOR_DATA[0], GABOR_DATA[1]) / 30 + lambda_ * (explicit**2).sum()).backward()
        opt_explicit.step()
        opt_decayed.zero_grad()
        (_gabor_loss(decayed, GABOR_DATA[0], GABOR_DATA[1]) / 30).backward()
        opt_decayed.step()
    _close(explicit, phi_np, rtol=1e-10)
    _close(decayed, phi_np, rtol=1e-10)
    assert np.abs(phi_np).max() < 6.5 / 2  # the penalty pulls the parameters towards zero


def test_9_5_augmentation_shift_flip_and_rescale_as_tensor_ops(torch):
    np.random.seed(0)
    x_np = np.random.normal(size=(4, 1, 40))
    weights = np.random.normal(size=(4, 1, 40))
    shift = 7
    x = _leaf(x_np)
    shifted = x.roll(shift, dims=2)  # the notebook's np.roll of the signal
    _close(shifted, np.roll(x_np, shift, axis=2))
    flipped = shifted.flip(2)
    _close(flipped, np.roll(x_np, shift, axis=2)[..., ::-1])
    (flipped * Tensor(weights)).sum().backward()
    _close(x.grad, np.roll(weights[..., ::-1], -shift, axis=2))  # the adjoint: unflip, roll back
    for scale in (0.8, 1.2):  # rescaling in time by linear interpolation, cropped/padded back to 40 samples
        ours = _leaf(x_np)
        theirs = torch.tensor(x_np, requires_grad=True)
        got = F.interpolate(ours, scale_factor=scale, mode="linear", align_corners=False)
        want = torch.nn.functional.interpolate(theirs, scale_factor=scale, mode="linear", align_corners=False)
        assert got.shape == tuple(want.shape)
        got, want = (
            F.pad(got, (0, max(0, 40 - got.shape[-1])))[..., :40],
            torch.nn.functional.pad(want, (0, max(0, 40 - want.shape[-1])))[..., :40],
        )
        _close(got, want.detach().numpy(), rtol=1e-12)
        (got * Tensor(weights)).sum().backward()
        (want * torch.tensor(weights)).sum().backward()
        _close(ours.grad, theirs.grad.numpy(), rtol=1e-12)


# -- Chapter 10: convolutional networks ---------------------------------------------------------------------------


def _conv1d_by_hand(x_in: np.ndarray, omega: np.ndarray, stride: int = 1, pad: int = 1, dilation: int = 1):
    """10.1's convolutions written out: zero-padded, x_out[i] = sum_k omega[k] x_pad[i stride + k dilation]."""
    x_pad = np.concatenate([np.zeros(pad), x_in, np.zeros(pad)])
    span = dilation * (len(omega) - 1) + 1
    n_out = (len(x_pad) - span) // stride + 1
    x_out = np.zeros(n_out)
    for i in range(n_out):
        for k in range(len(omega)):
            x_out[i] += omega[k] * x_pad[i * stride + k * dilation]
    return x_out


def _conv_mat_3_1(omega: np.ndarray, n: int) -> np.ndarray:
    """10.1's get_conv_mat_3_1: the kernel-3, stride-1, zero-padded convolution as an N x N matrix."""
    omega_mat = np.zeros((n, n))
    for i in range(n):
        for k, offset in enumerate((-1, 0, 1)):
            if 0 <= i + offset < n:
                omega_mat[i, i + offset] = omega[k]
    return omega_mat


@pytest.mark.parametrize(
    "kernel,stride,pad,dilation", [(3, 1, 1, 1), (3, 2, 1, 1), (5, 1, 2, 1), (3, 1, 2, 2), (3, 2, 0, 2), (3, 3, 1, 1)]
)
def test_10_1_convolution_by_hand_matches_conv1d(kernel, stride, pad, dilation):
    np.random.seed(1)
    x = np.array([5.2, 5.3, 5.4, 5.1, 10.1, 10.3, 9.9, 10.3, 3.2, 3.4, 3.3, 3.1])
    omega = np.random.normal(size=kernel)
    expected = _conv1d_by_hand(x, omega, stride, pad, dilation)
    got = F.conv1d(Tensor(x[None, None]), Tensor(omega[None, None]), stride=stride, padding=pad, dilation=dilation)
    _close(got[0, 0], expected)
    layer = nn.Conv1d(1, 1, kernel, stride=stride, padding=pad, dilation=dilation, bias=False).double()
    layer.weight.data = omega[None, None].copy()
    _close(layer(Tensor(x[None, None]))[0, 0], expected)


def test_10_1_convolution_as_a_matrix_and_its_transpose_in_backward():
    np.random.seed(2)
    N = 12
    x, omega, upstream = np.random.normal(size=N), np.random.normal(size=3), np.random.normal(size=N)
    omega_mat = _conv_mat_3_1(omega, N)
    x_t = _leaf(x[None, None])
    w_t = _leaf(omega[None, None])
    out = F.conv1d(x_t, w_t, padding=1)
    _close(out[0, 0], omega_mat @ x)
    (out[0, 0] * Tensor(upstream)).sum().backward()
    _close(x_t.grad[0, 0], omega_mat.T @ upstream)
    x_pad = np.concatenate([[0.0], x, [0.0]])
    _close(w_t.grad[0, 0], [upstream @ x_pad[k : k + N] for k in range(3)])


def test_10_3_2d_convolution_by_hand_matches_conv2d(torch):
    np.random.seed(0)
    image = np.random.normal(size=(2, 3, 7, 6))
    weights = np.random.normal(size=(4, 3, 3, 3))

    def conv_numpy(image, weights, pad=1, stride=1):
        """10.3's conv_numpy: zero-pad, then the 3x3 windows times the kernels, summed over input channels."""
        image = np.pad(image, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        batch_size, _, height_in, width_in = image.shape
        channels_out, _, kernel_height, kernel_width = weights.shape
        height_out = (height_in - kernel_height) // stride + 1
        width_out = (width_in - kernel_width) // stride + 1
        out = np.zeros((batch_size, channels_out, height_out, width_out))
        for c_y in range(height_out):
            for c_x in range(width_out):
                window = image[:, :, c_y * stride : c_y * stride + 3, c_x * stride : c_x * stride + 3]
                out[:, :, c_y, c_x] = np.einsum("bihw,oihw->bo", window, weights)
        return out

    def conv_pytorch(image, conv_weights, stride=1, pad=1):
        """The notebook's conv_pytorch, torch.from_numpy / torch.nn.functional.conv2d / .numpy() spelled here."""
        image_tensor = autograd.from_numpy(image)
        conv_weights_tensor = autograd.from_numpy(conv_weights)
        output_tensor = nn.functional.conv2d(image_tensor, conv_weights_tensor, stride=stride, padding=pad)
        return output_tensor.numpy()

    for pad, stride in ((1, 1), (0, 1), (1, 2), (2, 3)):
        _close(conv_pytorch(image, weights, stride, pad), conv_numpy(image, weights, pad, stride))
        layer = nn.Conv2d(3, 4, kernel_size=3, stride=stride, padding=pad, bias=False).double()
        layer.weight.data = weights.copy()
        x = _leaf(image)
        out = layer(x)
        _close(out, conv_numpy(image, weights, pad, stride))
        theirs = torch.tensor(image, requires_grad=True)
        torch_out = torch.nn.functional.conv2d(theirs, torch.tensor(weights), stride=stride, padding=pad)
        (out**2).sum().backward()
        (torch_out**2).sum().backward()
        _close(x.grad, theirs.grad.numpy(), rtol=1e-10)
        _close(layer.weight.grad, _weight_grad(torch, image, weights, pad, stride), rtol=1e-10)


def _weight_grad(torch: Any, image: np.ndarray, weights: np.ndarray, pad: int, stride: int) -> np.ndarray:
    w = torch.tensor(weights, requires_grad=True)
    (torch.nn.functional.conv2d(torch.tensor(image), w, stride=stride, padding=pad) ** 2).sum().backward()
    return w.grad.numpy()


def _bilinear_book(x_in: np.ndarray) -> np.ndarray:
    """10.4's bilinear: the inputs at the even places, averages of 2 and 4 neighbours (zero past the end) between."""
    x_out = np.zeros((x_in.shape[0] * 2, x_in.shape[1] * 2))
    x_in_pad = np.zeros((x_in.shape[0] + 1, x_in.shape[1] + 1))
    x_in_pad[0 : x_in.shape[0], 0 : x_in.shape[1]] = x_in
    down, right, diag = x_in_pad[1:, :-1], x_in_pad[:-1, 1:], x_in_pad[1:, 1:]
    x_out[0::2, 0::2] = x_in
    x_out[1::2, 0::2] = (x_in + down) / 2
    x_out[0::2, 1::2] = (x_in + right) / 2
    x_out[1::2, 1::2] = (x_in + down + right + diag) / 4
    return x_out


def test_10_4_downsampling_subsample_max_and_mean_pool_match_the_notebook():
    np.random.seed(0)
    orig = np.random.normal(size=(8, 6))
    x = _leaf(orig[None, None])
    _close(x[..., ::2, ::2][0, 0], orig[::2, ::2])  # subsample
    blocks = orig.reshape(4, 2, 3, 2)
    _close(F.max_pool2d(x, 2)[0, 0], blocks.max(axis=(1, 3)))
    _close(nn.MaxPool2d(kernel_size=2, stride=2)(x)[0, 0], blocks.max(axis=(1, 3)))
    _close(F.avg_pool2d(x, 2)[0, 0], blocks.mean(axis=(1, 3)))
    _close(nn.AvgPool2d(2)(x)[0, 0], blocks.mean(axis=(1, 3)))
    # odd size: the notebook's subsample keeps ceil(H / 2) rows, the pools floor(H / 2)
    odd = np.random.normal(size=(7, 5))
    _close(Tensor(odd)[::2, ::2], odd[::2, ::2])
    assert F.max_pool2d(Tensor(odd[None, None]), 2).shape == (1, 1, 3, 2)
    assert F.max_pool2d(Tensor(odd[None, None]), 2, ceil_mode=True).shape == (1, 1, 4, 3)
    F.max_pool2d(x, 2).sum().backward()  # the gradient goes to each block's maximum
    _close(x.grad[0, 0], (orig == np.kron(blocks.max(axis=(1, 3)), np.ones((2, 2)))).astype(float))


def test_10_4_upsampling_duplicate_max_unpool_bilinear_and_transposed_convolution(torch):
    np.random.seed(0)
    orig = np.random.normal(size=(4, 3))
    high_res = np.random.normal(size=(8, 6))
    x = _leaf(orig[None, None])
    duplicated = np.kron(orig, np.ones((2, 2)))  # the notebook's duplicate
    _close(F.interpolate(x, scale_factor=2, mode="nearest")[0, 0], duplicated)
    _close(nn.Upsample(scale_factor=2, mode="nearest")(x)[0, 0], duplicated)
    _close(x.repeat_interleave(2, dim=2).repeat_interleave(2, dim=3)[0, 0], duplicated)
    # max_unpool: each value to the place of its block's maximum in the high-resolution image
    expected = np.zeros((8, 6))
    for i in range(4):
        for j in range(3):
            block = high_res[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
            r, c = np.unravel_index(np.argmax(block), (2, 2))
            expected[2 * i + r, 2 * j + c] = orig[i, j]
    _, indices = F.max_pool2d(Tensor(high_res[None, None]), 2, return_indices=True)
    _close(F.max_unpool2d(x, indices, 2)[0, 0], expected)
    _close(nn.MaxUnpool2d(2)(x, indices)[0, 0], expected)
    # the book's bilinear is a transposed convolution with the tent kernel
    tent = np.outer([0.5, 1.0, 0.5], [0.5, 1.0, 0.5])
    up = F.conv_transpose2d(x, Tensor(tent[None, None]), stride=2, padding=1, output_padding=1)
    _close(up[0, 0], _bilinear_book(orig))
    layer = nn.ConvTranspose2d(1, 1, 3, stride=2, padding=1, output_padding=1, bias=False).double()
    layer.weight.data = tent[None, None].copy()
    _close(layer(x)[0, 0], _bilinear_book(orig))
    weights = np.random.normal(size=(8, 6))
    (up[0, 0] * Tensor(weights)).sum().backward()
    fd = np.zeros_like(orig)  # bilinear is linear: the gradient is the adjoint applied to the weights
    for index in np.ndindex(orig.shape):
        e = np.zeros_like(orig)
        e[index] = 1.0
        fd[index] = (_bilinear_book(e) * weights).sum()
    _close(x.grad[0, 0], fd)
    # torch's bilinear upsampling (align_corners False and True)
    for align_corners in (False, True):
        got = F.interpolate(Tensor(orig[None, None]), scale_factor=2, mode="bilinear", align_corners=align_corners)
        want = torch.nn.functional.interpolate(
            torch.tensor(orig[None, None]), scale_factor=2, mode="bilinear", align_corners=align_corners
        )
        _close(got, want.numpy(), rtol=1e-12)


# -- Chapter 11: residual networks and batch normalisation ------------------------------------------------------


def _residual_step(lib: dict[str, Any], store: dict[str, Any], batch_norm: bool) -> list[Any]:
    """11.2 / 11.3: the residual MLP (linear4 used three times, as the notebook), with batch norm before each
    residual branch or without, its variance after each residual connection, and one SGD-momentum step."""
    torch, tnn = lib["torch"], lib["nn"]
    torch.manual_seed(0)
    variances: list[Any] = []

    def print_variance(name, data):
        np_data = data.detach().numpy()
        variances.append((name, np.mean(np.var(np_data, axis=0))))

    class ResidualNetwork(tnn.Module):
        def __init__(self, input_size, output_size, hidden_size=100):
            super().__init__()
            self.linear1 = tnn.Linear(input_size, hidden_size)
            self.linear2 = tnn.Linear(hidden_size, hidden_size)
            self.linear3 = tnn.Linear(hidden_size, hidden_size)
            self.linear4 = tnn.Linear(hidden_size, hidden_size)
            self.linear5 = tnn.Linear(hidden_size, hidden_size)
            self.linear6 = tnn.Linear(hidden_size, output_size)
            if batch_norm:
                self.bn2, self.bn3, self.bn4 = (tnn.BatchNorm1d(hidden_size) for _ in range(3))

        def count_params(self):
            return sum([p.view(-1).shape[0] for p in self.parameters()])

        def branch(self, linear, bn, x):
            return linear((bn(x) if batch_norm else x).relu())

        def forward(self, x):
            print_variance("Input", x)
            f = self.linear1(x)
            print_variance("First preactivation", f)
            res1 = f + self.branch(self.linear2, getattr(self, "bn2", None), f)
            print_variance("After first residual connection", res1)
            res2 = res1 + self.branch(self.linear3, getattr(self, "bn3", None), res1)
            print_variance("After second residual connection", res2)
            res3 = res2 + self.branch(self.linear4, getattr(self, "bn4", None), res2)
            res4 = res3 + self.branch(self.linear4, getattr(self, "bn4", None), res3)
            res5 = res4 + self.branch(self.linear4, getattr(self, "bn4", None), res4)
            print_variance("After fifth residual connection", res5)
            return self.linear6(res5)

    def weights_init(layer_in):
        if isinstance(layer_in, tnn.Linear):
            tnn.init.kaiming_uniform_(layer_in.weight)
            layer_in.bias.data.fill_(0.0)

    x_np, y_np = _mnist1d_like(n=200)
    x_train, y_train = torch.tensor(x_np.astype("float32")), torch.tensor(y_np.astype("long"))
    model = ResidualNetwork(40, 10, 100)
    log: list[Any] = [model.count_params()]
    loss_function = tnn.CrossEntropyLoss()
    optimizer = lib["optim"].SGD(model.parameters(), lr=0.05, momentum=0.9)
    model.apply(weights_init)
    _synced(lib, model, store)
    for _ in range(2):
        optimizer.zero_grad()
        loss = loss_function(model(x_train), y_train)
        loss.backward()
        optimizer.step()
        log += [loss, model.linear4.weight.grad, model.linear1.bias.grad]
    if batch_norm:
        log += [model.bn4.running_mean, model.bn4.running_var, model.bn4.num_batches_tracked]
        model.eval()
        log.append(model(x_train[:7]))
    return log + [variances]


@pytest.mark.parametrize("batch_norm", [False, True])
def test_11_2_11_3_residual_network_variances_and_step_match_torch(batch_norm):
    theirs, ours = _libs(pytest.importorskip("torch"))
    store: dict[str, Any] = {}
    expected = _residual_step(theirs, store, batch_norm)
    assert_same(expected, _residual_step(ours, store, batch_norm), 2e-4, 1e-5)
    first = dict(expected[-1][:6])  # the notebook's observation: the variance grows with depth, linearly with bn
    assert first["After fifth residual connection"] > first["First preactivation"]


def test_11_3_batch_norm_statistics_by_hand():
    np.random.seed(0)
    momentum, eps = 0.1, 1e-5
    bn = nn.BatchNorm1d(5, momentum=momentum, eps=eps).double()
    bn.weight.data = np.random.uniform(0.5, 1.5, 5)
    bn.bias.data = np.random.normal(size=5)
    running_mean, running_var = np.zeros(5), np.ones(5)
    for _ in range(3):
        x_np = np.random.normal(2.0, 3.0, size=(16, 5))
        x = _leaf(x_np)
        out = bn(x)
        mean, var = x_np.mean(axis=0), x_np.var(axis=0)  # the batch's statistics: biased variance
        x_hat = (x_np - mean) / np.sqrt(var + eps)
        _close(out, bn.weight.data * x_hat + bn.bias.data, rtol=1e-10)
        running_mean = (1 - momentum) * running_mean + momentum * mean
        running_var = (1 - momentum) * running_var + momentum * x_np.var(axis=0, ddof=1)  # unbiased
        _close(bn.running_mean, running_mean, rtol=1e-12)
        _close(bn.running_var, running_var, rtol=1e-12)
        upstream = np.random.normal(size=(16, 5))
        (out * Tensor(upstream)).sum().backward()
        g = upstream * bn.weight.data  # dL/dx of batch norm, the standard closed form
        expected = (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0)) / np.sqrt(var + eps)
        _close(x.grad, expected, rtol=1e-9, atol=1e-12)
        bn.zero_grad()
    assert int(bn.num_batches_tracked) == 3
    bn.eval()
    x_np = np.random.normal(size=(4, 5))
    _close(bn(Tensor(x_np)), bn.weight.data * (x_np - running_mean) / np.sqrt(running_var + eps) + bn.bias.data)


# -- Chapter 12: transformers -------------------------------------------------------------------------------------


def _softmax_cols(data_in: np.ndarray) -> np.ndarray:
    exp_values = np.exp(data_in)
    return exp_values / np.sum(exp_values, axis=0)


def _book_self_attention(x, omega_v, omega_q, omega_k, beta_v, beta_q, beta_k, scaled=True, mask=None):
    """12.1's self_attention: columns are tokens; attention[m, n] is key m's weight for query n."""
    Q, K, V = beta_q + omega_q @ x, beta_k + omega_k @ x, beta_v + omega_v @ x
    dot = K.T @ Q
    if scaled:
        dot = dot / np.sqrt(Q.shape[0])
    if mask is not None:
        dot = np.where(mask, dot, -np.inf)
    return V @ _softmax_cols(dot)


def _attention_weights(d: int, h_d: int) -> dict[str, np.ndarray]:
    np.random.seed(0)
    return {
        "omega_q": np.random.normal(size=(h_d, d)),
        "omega_k": np.random.normal(size=(h_d, d)),
        "omega_v": np.random.normal(size=(h_d, d)),
        "beta_q": np.random.normal(size=(h_d, 1)),
        "beta_k": np.random.normal(size=(h_d, 1)),
        "beta_v": np.random.normal(size=(h_d, 1)),
    }


@pytest.mark.parametrize("scaled,masked", [(False, False), (True, False), (True, True)])
def test_12_1_self_attention_matches_the_notebook(scaled, masked):
    np.random.seed(3)
    N, D = 3, 4
    X_np = np.concatenate([np.random.normal(size=(D, 1)) for _ in range(N)], axis=1)
    w = _attention_weights(D, D)
    causal = np.arange(N)[:, None] <= np.arange(N)[None, :]  # key m <= query n
    expected = _book_self_attention(
        X_np, w["omega_v"], w["omega_q"], w["omega_k"], w["beta_v"], w["beta_q"], w["beta_k"], scaled,
        causal if masked else None,
    )  # fmt: skip
    # the notebook's token-by-token loop
    loop = np.zeros((D, N))
    queries = [w["omega_q"] @ X_np[:, n : n + 1] + w["beta_q"] for n in range(N)]
    keys = [w["omega_k"] @ X_np[:, n : n + 1] + w["beta_k"] for n in range(N)]
    values = [w["omega_v"] @ X_np[:, n : n + 1] + w["beta_v"] for n in range(N)]
    for n in range(N):
        km_qn = np.array([(k.T @ queries[n]).item() for k in keys]) / (np.sqrt(D) if scaled else 1.0)
        allowed = [m for m in range(N) if not masked or m <= n]
        attention = np.exp(km_qn[allowed]) / np.sum(np.exp(km_qn[allowed]))
        loop[:, n] = sum(attention[i] * values[m][:, 0] for i, m in enumerate(allowed))
    _close(expected, loop)
    # ours: the same matrices with Tensors and softmax over the keys (axis 0 of K^T Q)
    X = _leaf(X_np)
    T = {name: _leaf(value) for name, value in w.items()}
    Q, K, V = T["beta_q"] + T["omega_q"] @ X, T["beta_k"] + T["omega_k"] @ X, T["beta_v"] + T["omega_v"] @ X
    dot = K.T @ Q / (math.sqrt(D) if scaled else 1.0)
    if masked:
        dot = dot.masked_fill(Tensor(~causal), -math.inf)
    out = V @ dot.softmax(dim=0)
    _close(out, expected)
    # and F.scaled_dot_product_attention (rows are tokens: the transposes)
    if scaled:
        sdpa = F.scaled_dot_product_attention(Q.T, K.T, V.T, is_causal=masked)
        _close(sdpa.T, expected)
    # the gradient against float64 central differences
    upstream = np.random.normal(size=(D, N))
    (out * Tensor(upstream)).sum().backward()
    for index in [(0, 0), (2, 1), (3, 2)]:
        up, down = X_np.copy(), X_np.copy()
        up[index] += 1e-6
        down[index] -= 1e-6
        args = (w["omega_v"], w["omega_q"], w["omega_k"], w["beta_v"], w["beta_q"], w["beta_k"], scaled)
        mask = causal if masked else None
        fd = ((_book_self_attention(up, *args, mask) - _book_self_attention(down, *args, mask)) * upstream).sum()
        assert math.isclose(float(X.grad[index]), fd / 2e-6, rel_tol=1e-6, abs_tol=1e-9)


def test_12_2_multihead_self_attention_matches_the_notebook_and_nn_multihead_attention(torch):
    np.random.seed(3)
    N, D, H = 6, 8, 2
    H_D = D // H
    X_np = np.random.normal(size=(D, N))
    np.random.seed(0)
    heads = []
    for _ in range(H):
        heads.append({name: np.random.normal(size=(H_D, D) if name[0] == "o" else (H_D, 1)) for name in
                      ("omega_q", "omega_k", "omega_v", "beta_q", "beta_k", "beta_v")})  # fmt: skip
    omega_c = np.random.normal(size=(D, D))
    expected = omega_c @ np.concatenate(
        [
            _book_self_attention(X_np, h["omega_v"], h["omega_q"], h["omega_k"], h["beta_v"], h["beta_q"], h["beta_k"])
            for h in heads
        ],
        axis=0,
    )
    mha = nn.MultiheadAttention(D, H).double()
    stack = lambda key: np.concatenate([h[key] for h in heads], axis=0)  # noqa: E731
    mha.in_proj_weight.data = np.concatenate([stack("omega_q"), stack("omega_k"), stack("omega_v")], axis=0)
    mha.in_proj_bias.data = np.concatenate([stack("beta_q"), stack("beta_k"), stack("beta_v")], axis=0)[:, 0]
    mha.out_proj.weight.data = omega_c.copy()
    mha.out_proj.bias.data = np.zeros(D)
    x = _leaf(X_np.T[:, None, :])  # (L, batch, E): nn.MultiheadAttention's default layout
    out, weights = mha(x, x, x)
    _close(out[:, 0, :].T, expected, rtol=1e-10)
    assert weights.shape == (1, N, N)
    _close(weights[0].sum(axis=-1), np.ones(N))
    # and torch's module with the same weights: the output, the averaged weights and the gradients
    their_mha = torch.nn.MultiheadAttention(D, H)
    with torch.no_grad():
        their_mha.in_proj_weight.copy_(torch.tensor(mha.in_proj_weight.data))
        their_mha.in_proj_bias.copy_(torch.tensor(mha.in_proj_bias.data))
        their_mha.out_proj.weight.copy_(torch.tensor(omega_c))
        their_mha.out_proj.bias.zero_()
    theirs = torch.tensor(X_np.T[:, None, :], requires_grad=True)
    their_out, their_weights = their_mha(theirs, theirs, theirs)
    _close(weights, their_weights.detach().numpy(), rtol=1e-10)
    causal = np.triu(np.ones((N, N), dtype=bool), 1)
    masked, _ = mha(x, x, x, attn_mask=Tensor(causal), need_weights=False)
    their_masked, _ = their_mha(theirs, theirs, theirs, attn_mask=torch.tensor(causal), need_weights=False)
    _close(masked, their_masked.detach().numpy(), rtol=1e-10)
    ((out**2).sum() + masked.sum()).backward()
    ((their_out**2).sum() + their_masked.sum()).backward()
    _close(x.grad, theirs.grad.numpy(), rtol=1e-9)
    _close(mha.in_proj_weight.grad, their_mha.in_proj_weight.grad.numpy(), rtol=1e-9)
