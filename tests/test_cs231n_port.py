"""Stanford CS231n's assignments 1-3, ported: the numpy layers with hand-written forward/backward passes, their
numerical gradient checks, the update rules, assignment 2's PyTorch notebook and assignment 3's RNN/LSTM layers.

Each numpy layer is written here after the assignment's maths (the reference), then the same computation is built
from this library's Tensors, functional ops and modules; its autograd gradients are compared with the reference's
hand-written backward pass and with the assignment's finite differences in float64 (``rel_error`` as the assignment
defines it, the elementwise maximum of |x - y| / max(1e-8, |x| + |y|)), and with torch where torch has the op.

Where the assignment's conventions differ from torch's (which the library follows), the test says how:

- svm_loss: the assignment's multiclass hinge sum_{j != y} max(0, s_j - s_y + 1), averaged over N, is
  ``multi_margin_loss`` times the number of classes C (torch divides each sample's sum by C);
- batchnorm: the assignment's ``momentum=0.9`` keeps 0.9 of the running statistics, torch's ``momentum=0.1``; its
  running variance is the biased batch variance, torch's (and the library's) the unbiased one;
- dropout: the assignment's ``p`` is the probability of keeping a unit; torch's ``p`` the probability of dropping
  it. Both are inverted (kept units scaled by 1 / keep), so the mask is compared through its use, not its draw;
- sgd_momentum v = mu v - lr dw, w += v is torch's b = mu b + dw, w -= lr b (v = -lr b); rmsprop (decay 0.99, eps
  1e-8 outside the root) and adam (beta1 0.9, beta2 0.999, eps 1e-8, t counted before the bias corrections) are
  torch's RMSprop and Adam with those arguments;
- the LSTM: the assignment's gates are stacked i, f, o, g; torch's i, f, g, o;
- ``scores.max(1)``: the notebook's ``_, preds = scores.max(1)`` is torch's (values, indices); this library gives
  the values alone for ``x.max(1)`` (its documented numpy policy), so the port writes ``scores.max(dim=1)``, which
  both libraries read as torch does.
"""

# ruff: noqa: N803 - the notebook's F passed as an argument (F_)

from __future__ import annotations

from typing import Any

import book_ports
import numpy as np
import pytest
from book_ports import assert_close, libraries

import autograd
import nn
import nn.functional as F
from autograd import Tensor, Value

F64 = np.float64

#: the fixtures of the notebook's float32 parts (tests/book_ports.py): float32 as both libraries' default dtype, torch
#: under it; the float64 tests take torch as ``th`` from ``pytest.importorskip``
float32, torch = book_ports.float32, book_ports.torch


# -- the assignment's utilities ----------------------------------------------------------------------------------


def rel_error(x: Any, y: Any) -> float:
    """The assignment's relative error: max |x - y| / max(1e-8, |x| + |y|)."""
    x, y = np.asarray(x, dtype=F64), np.asarray(y, dtype=F64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def eval_numerical_gradient(f: Any, x: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central differences of a scalar function of ``x``, one element at a time (``x`` changed and restored)."""
    grad = np.zeros_like(x)
    for ix in np.ndindex(x.shape):
        old = x[ix]
        x[ix] = old + h
        fxph = f(x)
        x[ix] = old - h
        fxmh = f(x)
        x[ix] = old
        grad[ix] = (fxph - fxmh) / (2 * h)
    return grad


def eval_numerical_gradient_array(f: Any, x: np.ndarray, df: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central differences of sum(f(x) * df): the gradient an upstream ``df`` sends to ``x``."""
    grad = np.zeros_like(x)
    for ix in np.ndindex(x.shape):
        old = x[ix]
        x[ix] = old + h
        pos = f(x).copy()
        x[ix] = old - h
        neg = f(x).copy()
        x[ix] = old
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
    return grad


def leaf(array: Any) -> Tensor:
    return Tensor(np.array(array, dtype=F64), requires_grad=True)


def backward_with(out: Tensor, dout: np.ndarray) -> None:
    out.backward(np.asarray(dout, dtype=F64))


# -- assignment 1/2: the numpy layers ----------------------------------------------------------------------------


def affine_forward(x, w, b):
    return x.reshape(x.shape[0], -1) @ w + b


def affine_backward(dout, x, w):
    dx = (dout @ w.T).reshape(x.shape)
    dw = x.reshape(x.shape[0], -1).T @ dout
    return dx, dw, dout.sum(axis=0)


def relu_forward(x):
    return np.maximum(0, x)


def relu_backward(dout, x):
    return dout * (x > 0)


def svm_loss(x, y):
    n = x.shape[0]
    correct = x[np.arange(n), y][:, None]
    margins = np.maximum(0, x - correct + 1.0)
    margins[np.arange(n), y] = 0
    loss = margins.sum() / n
    dx = (margins > 0).astype(F64)
    dx[np.arange(n), y] -= dx.sum(axis=1)
    return loss, dx / n


def softmax_loss(x, y):
    n = x.shape[0]
    shifted = x - x.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_probs[np.arange(n), y].sum() / n
    dx = np.exp(log_probs)
    dx[np.arange(n), y] -= 1
    return loss, dx / n


def batchnorm_forward(x, gamma, beta, bn_param):
    """Train mode: batch statistics, running averages with the assignment's momentum; test mode: running stats."""
    mode, eps, momentum = bn_param["mode"], bn_param.get("eps", 1e-5), bn_param.get("momentum", 0.9)
    d = x.shape[1]
    running_mean = bn_param.get("running_mean", np.zeros(d))
    running_var = bn_param.get("running_var", np.zeros(d))
    cache = None
    if mode == "train":
        mu, var = x.mean(axis=0), x.var(axis=0)
        xhat = (x - mu) / np.sqrt(var + eps)
        out = gamma * xhat + beta
        running_mean = momentum * running_mean + (1 - momentum) * mu
        running_var = momentum * running_var + (1 - momentum) * var
        cache = (xhat, gamma, var + eps)
    else:
        out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta
    bn_param["running_mean"], bn_param["running_var"] = running_mean, running_var
    return out, cache


def batchnorm_backward_alt(dout, cache):
    xhat, gamma, var_eps = cache
    n = dout.shape[0]
    dgamma, dbeta = (dout * xhat).sum(axis=0), dout.sum(axis=0)
    dxhat = dout * gamma
    dx = (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0)) / (n * np.sqrt(var_eps))
    return dx, dgamma, dbeta


def layernorm_forward(x, gamma, beta, eps=1e-5):
    mu, var = x.mean(axis=1, keepdims=True), x.var(axis=1, keepdims=True)
    xhat = (x - mu) / np.sqrt(var + eps)
    return gamma * xhat + beta, (xhat, gamma, var + eps)


def layernorm_backward(dout, cache):
    xhat, gamma, var_eps = cache
    d = dout.shape[1]
    dxhat = dout * gamma
    dx = (d * dxhat - dxhat.sum(axis=1, keepdims=True) - xhat * (dxhat * xhat).sum(axis=1, keepdims=True)) / (
        d * np.sqrt(var_eps)
    )
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


def dropout_forward(x, dropout_param):
    """Inverted dropout; ``p`` keeps a unit (the assignment's meaning), the mask from ``seed``."""
    p, mode = dropout_param["p"], dropout_param["mode"]
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    if mode == "train":
        mask = (np.random.rand(*x.shape) < p) / p
        return x * mask, mask
    return x, None


def conv_forward_naive(x, w, b, conv_param):
    stride, pad = conv_param["stride"], conv_param["pad"]
    n, _, h, width = x.shape
    f, _, hh, ww = w.shape
    h_out, w_out = 1 + (h + 2 * pad - hh) // stride, 1 + (width + 2 * pad - ww) // stride
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out = np.zeros((n, f, h_out, w_out))
    for i in range(n):
        for k in range(f):
            for r in range(h_out):
                for c in range(w_out):
                    window = xp[i, :, r * stride : r * stride + hh, c * stride : c * stride + ww]
                    out[i, k, r, c] = np.sum(window * w[k]) + b[k]
    return out


def max_pool_forward_naive(x, pool_param):
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    n, c, h, w = x.shape
    h_out, w_out = 1 + (h - ph) // stride, 1 + (w - pw) // stride
    out = np.zeros((n, c, h_out, w_out))
    for r in range(h_out):
        for s in range(w_out):
            out[:, :, r, s] = x[:, :, r * stride : r * stride + ph, s * stride : s * stride + pw].max(axis=(2, 3))
    return out


def max_pool_backward_naive(dout, x, pool_param):
    ph, pw, stride = pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]
    dx = np.zeros_like(x)
    for i, k, r, s in np.ndindex(dout.shape):
        window = x[i, k, r * stride : r * stride + ph, s * stride : s * stride + pw]
        a, b = np.unravel_index(np.argmax(window), window.shape)
        dx[i, k, r * stride + a, s * stride + b] += dout[i, k, r, s]
    return dx


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    n, c, h, w = x.shape
    flat, cache = batchnorm_forward(x.transpose(0, 2, 3, 1).reshape(-1, c), gamma, beta, bn_param)
    return flat.reshape(n, h, w, c).transpose(0, 3, 1, 2), cache


def spatial_groupnorm_forward(x, gamma, beta, groups, eps=1e-5):
    """gamma, beta of shape (1, C, 1, 1), as the assignment stores them."""
    n, c, h, w = x.shape
    grouped = x.reshape(n, groups, -1)
    mu, var = grouped.mean(axis=2, keepdims=True), grouped.var(axis=2, keepdims=True)
    xhat = ((grouped - mu) / np.sqrt(var + eps)).reshape(n, c, h, w)
    return gamma * xhat + beta


def sgd_momentum(w, dw, config):
    v = config["momentum"] * config.get("velocity", np.zeros_like(w)) - config["learning_rate"] * dw
    config["velocity"] = v
    return w + v


def rmsprop(w, dw, config):
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    cache = config.get("cache", np.zeros_like(w))
    cache = config["decay_rate"] * cache + (1 - config["decay_rate"]) * dw**2
    config["cache"] = cache
    return w - config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])


def adam(w, dw, config):
    b1, b2, eps = config.setdefault("beta1", 0.9), config.setdefault("beta2", 0.999), config.setdefault("epsilon", 1e-8)
    config["t"] = config.get("t", 0) + 1
    m = b1 * config.get("m", np.zeros_like(w)) + (1 - b1) * dw
    v = b2 * config.get("v", np.zeros_like(w)) + (1 - b2) * dw**2
    config["m"], config["v"] = m, v
    mt, vt = m / (1 - b1 ** config["t"]), v / (1 - b2 ** config["t"])
    return w - config["learning_rate"] * mt / (np.sqrt(vt) + eps)


# -- assignment 3: the RNN captioning layers ---------------------------------------------------------------------


def rnn_step_forward(x, prev_h, wx, wh, b):
    return np.tanh(x @ wx + prev_h @ wh + b)


def rnn_step_backward(dnext_h, x, prev_h, wx, wh, next_h):
    da = dnext_h * (1 - next_h**2)
    return da @ wx.T, da @ wh.T, x.T @ da, prev_h.T @ da, da.sum(axis=0)


def rnn_forward(x, h0, wx, wh, b):
    n, t, _ = x.shape
    h = np.zeros((n, t, h0.shape[1]))
    prev = h0
    for step in range(t):
        prev = h[:, step] = rnn_step_forward(x[:, step], prev, wx, wh, b)
    return h


def rnn_backward(dh, x, h0, wx, wh, h):
    n, t, _ = x.shape
    dx, dwx, dwh, db = np.zeros_like(x), np.zeros_like(wx), np.zeros_like(wh), np.zeros_like(wh[0])
    dprev = np.zeros_like(h0)
    for step in reversed(range(t)):
        prev = h[:, step - 1] if step else h0
        dx[:, step], dprev, dwx_t, dwh_t, db_t = rnn_step_backward(
            dh[:, step] + dprev, x[:, step], prev, wx, wh, h[:, step]
        )
        dwx, dwh, db = dwx + dwx_t, dwh + dwh_t, db + db_t
    return dx, dprev, dwx, dwh, db


def word_embedding_backward(dout, x, vocab_size):
    dw = np.zeros((vocab_size, dout.shape[-1]))
    np.add.at(dw, x, dout)
    return dw


def temporal_affine_forward(x, w, b):
    n, t, d = x.shape
    return (x.reshape(n * t, d) @ w + b).reshape(n, t, -1)


def temporal_softmax_loss(x, y, mask):
    """The masked softmax loss summed over time and averaged over the N sequences (not over the kept steps)."""
    n, t, v = x.shape
    flat, y_flat, mask_flat = x.reshape(n * t, v), y.reshape(n * t), mask.reshape(n * t)
    probs = np.exp(flat - flat.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    loss = -np.sum(mask_flat * np.log(probs[np.arange(n * t), y_flat])) / n
    dx = probs.copy()
    dx[np.arange(n * t), y_flat] -= 1
    return loss, (dx / n * mask_flat[:, None]).reshape(n, t, v)


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def lstm_step_forward(x, prev_h, prev_c, wx, wh, b):
    h = prev_h.shape[1]
    a = x @ wx + prev_h @ wh + b
    i, f, o, g = sigmoid(a[:, :h]), sigmoid(a[:, h : 2 * h]), sigmoid(a[:, 2 * h : 3 * h]), np.tanh(a[:, 3 * h :])
    next_c = f * prev_c + i * g
    return o * np.tanh(next_c), next_c


# -- the ports: affine, relu, the losses -------------------------------------------------------------------------


def test_affine_forward_backward_against_the_reference_and_finite_differences() -> None:
    rng = np.random.default_rng(231)
    x_np, w_np, b_np = rng.standard_normal((10, 2, 3)), rng.standard_normal((6, 5)), rng.standard_normal(5)
    dout = rng.standard_normal((10, 5))
    x, w, b = leaf(x_np), leaf(w_np), leaf(b_np)
    out = x.reshape(x.shape[0], -1) @ w + b
    assert rel_error(out.data, affine_forward(x_np, w_np, b_np)) < 1e-12
    backward_with(out, dout)
    dx, dw, db = affine_backward(dout, x_np, w_np)
    assert rel_error(x.grad, dx) < 1e-12 and rel_error(w.grad, dw) < 1e-12 and rel_error(b.grad, db) < 1e-12
    dx_num = eval_numerical_gradient_array(lambda v: affine_forward(v, w_np, b_np), x_np.copy(), dout)
    dw_num = eval_numerical_gradient_array(lambda v: affine_forward(x_np, v, b_np), w_np.copy(), dout)
    db_num = eval_numerical_gradient_array(lambda v: affine_forward(x_np, w_np, v), b_np.copy(), dout)
    assert rel_error(x.grad, dx_num) < 1e-8 and rel_error(w.grad, dw_num) < 1e-8 and rel_error(b.grad, db_num) < 1e-8
    # F.linear stores the weight as (out, in): the assignment's w is its transpose
    assert rel_error(F.linear(Tensor(x_np.reshape(10, -1)), Tensor(w_np.T), Tensor(b_np)).data, out.data) < 1e-12


def test_relu_forward_backward() -> None:
    rng = np.random.default_rng(1)
    x_np = rng.standard_normal((10, 10))
    x_np[np.abs(x_np) < 1e-3] = 0.5  # keep the finite differences away from the kink
    dout = rng.standard_normal((10, 10))
    x = leaf(x_np)
    out = F.relu(x)
    assert rel_error(out.data, relu_forward(x_np)) == 0
    backward_with(out, dout)
    assert rel_error(x.grad, relu_backward(dout, x_np)) == 0
    assert rel_error(x.grad, eval_numerical_gradient_array(relu_forward, x_np.copy(), dout)) < 1e-9


@pytest.mark.parametrize("loss_name", ["svm", "softmax"])
def test_svm_and_softmax_loss(loss_name: str) -> None:
    th = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    num_classes, num_inputs = 10, 50
    x_np = 0.001 * rng.standard_normal((num_inputs, num_classes))
    y = rng.integers(num_classes, size=num_inputs)
    ref = svm_loss if loss_name == "svm" else softmax_loss
    loss_ref, dx_ref = ref(x_np, y)
    x = leaf(x_np)
    if loss_name == "svm":
        # written out as the vectorised assignment writes it
        correct = x[np.arange(num_inputs), y].unsqueeze(1)
        margins = autograd.maximum(x - correct + 1.0, 0.0)
        margins = margins * Tensor(1.0 - np.eye(num_classes)[y])
        loss = margins.sum() / num_inputs
        library = F.multi_margin_loss(leaf(x_np), y) * num_classes
        theirs = th.nn.functional.multi_margin_loss(th.tensor(x_np), th.tensor(y)) * num_classes
        assert loss_ref == pytest.approx(9.0, abs=0.05)  # the notebook's sanity check: about C - 1
    else:
        loss = -(x.log_softmax(axis=1)[np.arange(num_inputs), y]).mean()
        library = F.cross_entropy(leaf(x_np), y)
        theirs = th.nn.functional.cross_entropy(th.tensor(x_np), th.tensor(y))
        assert loss_ref == pytest.approx(np.log(10), abs=0.01)  # about log(C)
    loss.backward()
    assert rel_error(loss.item(), loss_ref) < 1e-12 and rel_error(library.item(), theirs.item()) < 1e-12
    assert rel_error(library.item(), loss_ref) < 1e-12
    assert rel_error(x.grad, dx_ref) < 1e-9
    dx_num = eval_numerical_gradient(lambda v: ref(v, y)[0], x_np.copy())
    assert rel_error(x.grad, dx_num) < 1e-7


def test_the_assignments_numpy_spelling_runs_on_tensors() -> None:
    """The vectorised losses, batchnorm, the naive convolution and max pooling written with numpy's functions and
    in-place index assignment, as the assignment writes them, called on Tensors: numpy dispatches to the library's
    ops, so the loops and the in-place zeroing stay in the graph; gradients compared with torch's."""
    th = pytest.importorskip("torch")
    rng = np.random.default_rng(21)
    n, c = 6, 5
    scores_np, y = rng.standard_normal((n, c)), rng.integers(c, size=n)

    def svm_on(x: Any, maximum: Any) -> Any:
        correct = x[np.arange(n), y]
        margins = maximum(x - correct[:, None] + 1.0)
        margins[np.arange(n), y] = 0
        return margins.sum() / n

    def softmax_on(x: Any, exp: Any, log: Any) -> Any:
        shifted = x - x.amax(1, keepdim=True)
        probs = exp(shifted) / exp(shifted).sum(1, keepdim=True)
        return -log(probs[np.arange(n), y]).sum() / n

    ours, theirs = leaf(scores_np), th.tensor(scores_np, requires_grad=True)
    for loss_ours, loss_theirs, ref in (
        (svm_on(ours, lambda m: np.maximum(0, m)), svm_on(theirs, lambda m: m.clamp(min=0)), svm_loss),
        (softmax_on(ours, np.exp, np.log), softmax_on(theirs, th.exp, th.log), softmax_loss),
    ):
        ours.grad, theirs.grad = None, None
        loss_ours.backward()
        loss_theirs.backward()
        assert rel_error(loss_ours.item(), ref(scores_np, y)[0]) < 1e-12
        assert rel_error(loss_ours.item(), loss_theirs.item()) < 1e-12
        assert rel_error(ours.grad, theirs.grad.numpy()) < 1e-12 and rel_error(ours.grad, ref(scores_np, y)[1]) < 1e-10

    x_np, dout = 3 * rng.standard_normal((8, 4)) + 2, rng.standard_normal((8, 4))
    x = leaf(x_np)
    mu, var = np.mean(x, axis=0), np.var(x, axis=0)
    out = (x - mu) / np.sqrt(var + 1e-5)
    backward_with(out, dout)
    _, cache = batchnorm_forward(x_np, np.ones(4), np.zeros(4), {"mode": "train"})
    assert rel_error(x.grad, batchnorm_backward_alt(dout, cache)[0]) < 1e-9

    image_np, w_np = rng.standard_normal((2, 2, 5, 5)), rng.standard_normal((3, 2, 3, 3))
    image, w = leaf(image_np), leaf(w_np)
    padded = np.pad(image, ((0, 0), (0, 0), (1, 1), (1, 1)), "constant")
    rows = []
    for i in range(2):
        for k in range(3):
            for r in range(3):  # stride 2: 1 + (5 + 2 - 3) // 2 outputs a side
                for s in range(3):
                    rows.append(np.sum(padded[i, :, 2 * r : 2 * r + 3, 2 * s : 2 * s + 3] * w[k]))
    conv = autograd.stack(rows).reshape(2, 3, 3, 3)
    pooled = autograd.stack(
        [conv[:, :, r : r + 2, s : s + 2].amax(axis=(2, 3)) for r in (0, 1) for s in (0, 1)], axis=2
    )
    pooled.sum().backward()
    t_image, t_w = th.tensor(image_np, requires_grad=True), th.tensor(w_np, requires_grad=True)
    t_conv = th.nn.functional.conv2d(t_image, t_w, stride=2, padding=1)
    t_pooled = th.nn.functional.max_pool2d(t_conv, 2, stride=1)
    t_pooled.sum().backward()
    assert rel_error(conv.data, conv_forward_naive(image_np, w_np, np.zeros(3), {"stride": 2, "pad": 1})) < 1e-12
    assert rel_error(pooled.data.reshape(2, 3, 2, 2), t_pooled.detach().numpy()) < 1e-12
    assert rel_error(image.grad, t_image.grad.numpy()) < 1e-12 and rel_error(w.grad, t_w.grad.numpy()) < 1e-12


# -- batchnorm, layernorm, dropout -------------------------------------------------------------------------------


def test_batchnorm_train_and_test_modes_with_running_statistics() -> None:
    th = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    n, d = 4, 5
    x_np = 5 * rng.standard_normal((n, d)) + 12
    gamma_np, beta_np, dout = rng.standard_normal(d), rng.standard_normal(d), rng.standard_normal((n, d))
    bn_param: dict[str, Any] = {"mode": "train"}
    out_ref, cache = batchnorm_forward(x_np, gamma_np, beta_np, bn_param)
    x, gamma, beta = leaf(x_np), leaf(gamma_np), leaf(beta_np)
    running_mean, running_var = np.zeros(d), np.zeros(d)
    out = F.batch_norm(x, running_mean, running_var, gamma, beta, training=True, momentum=0.1, eps=1e-5)
    assert rel_error(out.data, out_ref) < 1e-10
    backward_with(out, dout)
    for ours, ref in zip((x.grad, gamma.grad, beta.grad), batchnorm_backward_alt(dout, cache)):
        assert rel_error(ours, ref) < 1e-9

    def forward(v: np.ndarray, g: np.ndarray = gamma_np, b: np.ndarray = beta_np) -> np.ndarray:
        return batchnorm_forward(v, g, b, {"mode": "train"})[0]

    assert rel_error(x.grad, eval_numerical_gradient_array(forward, x_np.copy(), dout)) < 1e-7
    assert (
        rel_error(gamma.grad, eval_numerical_gradient_array(lambda g: forward(x_np, g), gamma_np.copy(), dout)) < 1e-8
    )
    # the assignment's momentum 0.9 is torch's 0.1; its running variance is biased, the library's unbiased (torch's)
    assert rel_error(running_mean, bn_param["running_mean"]) < 1e-12
    assert rel_error(running_var, 0.1 * x_np.var(axis=0) * n / (n - 1)) < 1e-12
    torch_mean, torch_var = th.zeros(d, dtype=th.float64), th.zeros(d, dtype=th.float64)
    theirs = th.nn.functional.batch_norm(
        th.tensor(x_np), torch_mean, torch_var, th.tensor(gamma_np), th.tensor(beta_np), training=True
    )
    assert rel_error(out.data, theirs.numpy()) < 1e-12
    assert rel_error(running_var, torch_var.numpy()) < 1e-12

    # the notebook's check: after many training batches, test-mode outputs are roughly standardized
    bn_param = {"mode": "train"}
    module = nn.BatchNorm1d(d, momentum=0.1, dtype=F64)
    module.running_var[:] = 0.0  # the assignment starts its running variance at 0
    for _ in range(50):
        batch = 2 * rng.standard_normal((200, d)) + 3
        batchnorm_forward(batch, np.ones(d), np.zeros(d), bn_param)
        module(Tensor(batch))
    assert rel_error(module.running_mean, bn_param["running_mean"]) < 1e-12
    bn_param["mode"] = "test"
    module.eval()
    module.running_var[:] = bn_param["running_var"]  # the assignment's biased estimate, to compare test mode
    test_batch = 2 * rng.standard_normal((200, d)) + 3
    out_ref, _ = batchnorm_forward(test_batch, np.ones(d), np.zeros(d), bn_param)
    assert rel_error(module(Tensor(test_batch)).data, out_ref) < 1e-10
    assert np.all(np.abs(out_ref.mean(axis=0)) < 0.4) and np.all(np.abs(out_ref.std(axis=0) - 1) < 0.3)


def test_layernorm_forward_backward() -> None:
    th = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    n, d = 4, 5
    x_np = 5 * rng.standard_normal((n, d)) + 12
    gamma_np, beta_np, dout = rng.standard_normal(d), rng.standard_normal(d), rng.standard_normal((n, d))
    out_ref, cache = layernorm_forward(x_np, gamma_np, beta_np)
    x, gamma, beta = leaf(x_np), leaf(gamma_np), leaf(beta_np)
    out = F.layer_norm(x, (d,), gamma, beta)
    assert rel_error(out.data, out_ref) < 1e-10
    backward_with(out, dout)
    for ours, ref in zip((x.grad, gamma.grad, beta.grad), layernorm_backward(dout, cache)):
        assert rel_error(ours, ref) < 1e-9
    dx_num = eval_numerical_gradient_array(lambda v: layernorm_forward(v, gamma_np, beta_np)[0], x_np.copy(), dout)
    assert rel_error(x.grad, dx_num) < 1e-7
    tx = th.tensor(x_np, requires_grad=True)
    theirs = th.nn.functional.layer_norm(tx, (d,), th.tensor(gamma_np), th.tensor(beta_np))
    theirs.backward(th.tensor(dout))
    assert rel_error(out.data, theirs.detach().numpy()) < 1e-12 and rel_error(x.grad, tx.grad.numpy()) < 1e-10


def test_inverted_dropout_with_a_fixed_seed() -> None:
    rng = np.random.default_rng(5)
    x_np = rng.standard_normal((500, 500)) + 10
    dout = rng.standard_normal(x_np.shape)
    for keep in (0.25, 0.4, 0.7):
        out_ref, mask_ref = dropout_forward(x_np, {"mode": "train", "p": keep, "seed": 123})
        assert out_ref.mean() == pytest.approx(x_np.mean(), rel=0.02)  # inverted: the mean is kept
        assert dropout_forward(x_np, {"mode": "test", "p": keep})[0] is x_np
        # the library's p drops a unit; a fixed seed fixes the mask
        x = leaf(x_np)
        out = F.dropout(x, p=1 - keep, training=True, rng=123)
        assert np.array_equal(out.data, F.dropout(Tensor(x_np), p=1 - keep, training=True, rng=123).data)
        mask = (out.data != 0) / keep
        assert rel_error(out.data, x_np * mask) < 1e-12
        assert (out.data == 0).mean() == pytest.approx((out_ref == 0).mean(), abs=0.01)
        assert out.data.mean() == pytest.approx(out_ref.mean(), rel=0.02)
        backward_with(out, dout)
        assert rel_error(x.grad, dout * mask) < 1e-12  # dropout_backward: dout * mask
        assert F.dropout(Tensor(x_np), p=1 - keep, training=False).data is not None
        assert np.array_equal(F.dropout(Tensor(x_np), p=1 - keep, training=False).data, x_np)


# -- convolutions, pooling, spatial normalisation ----------------------------------------------------------------


@pytest.mark.parametrize(("stride", "pad"), [(2, 1), (1, 0), (1, 2)])
def test_conv_forward_naive_with_pad_and_stride(stride: int, pad: int) -> None:
    th = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    x_np, w_np, b_np = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((3, 3, 3, 3)), rng.standard_normal(3)
    conv_param = {"stride": stride, "pad": pad}
    out_ref = conv_forward_naive(x_np, w_np, b_np, conv_param)
    dout = rng.standard_normal(out_ref.shape)
    x, w, b = leaf(x_np), leaf(w_np), leaf(b_np)
    out = F.conv2d(x, w, b, stride=stride, padding=pad)
    assert out.shape == out_ref.shape and rel_error(out.data, out_ref) < 1e-10
    backward_with(out, dout)
    dx_num = eval_numerical_gradient_array(lambda v: conv_forward_naive(v, w_np, b_np, conv_param), x_np.copy(), dout)
    dw_num = eval_numerical_gradient_array(lambda v: conv_forward_naive(x_np, v, b_np, conv_param), w_np.copy(), dout)
    db_num = eval_numerical_gradient_array(lambda v: conv_forward_naive(x_np, w_np, v, conv_param), b_np.copy(), dout)
    assert rel_error(x.grad, dx_num) < 1e-7 and rel_error(w.grad, dw_num) < 1e-7 and rel_error(b.grad, db_num) < 1e-7
    tx, tw, tb = (th.tensor(a, requires_grad=True) for a in (x_np, w_np, b_np))
    theirs = th.nn.functional.conv2d(tx, tw, tb, stride=stride, padding=pad)
    theirs.backward(th.tensor(dout))
    assert rel_error(out.data, theirs.detach().numpy()) < 1e-12
    for ours, t in ((x, tx), (w, tw), (b, tb)):
        assert rel_error(ours.grad, t.grad.numpy()) < 1e-12


def test_conv_forward_naive_matches_the_notebooks_expected_values() -> None:
    """The notebook's deterministic case: linspace inputs, weights and biases, pad 1, stride 2."""
    x_shape, w_shape = (2, 3, 4, 4), (3, 3, 4, 4)
    x_np = np.linspace(-0.1, 0.5, num=int(np.prod(x_shape))).reshape(x_shape)
    w_np = np.linspace(-0.2, 0.3, num=int(np.prod(w_shape))).reshape(w_shape)
    b_np = np.linspace(-0.1, 0.2, num=3)
    out = F.conv2d(Tensor(x_np), Tensor(w_np), Tensor(b_np), stride=2, padding=1)
    assert out.shape == (2, 3, 2, 2)
    assert rel_error(out.data, conv_forward_naive(x_np, w_np, b_np, {"stride": 2, "pad": 1})) < 1e-12


def test_max_pool_forward_backward_naive() -> None:
    th = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x_np = rng.standard_normal((3, 2, 8, 8))
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out_ref = max_pool_forward_naive(x_np, pool_param)
    dout = rng.standard_normal(out_ref.shape)
    x = leaf(x_np)
    out = F.max_pool2d(x, kernel_size=2, stride=2)
    assert rel_error(out.data, out_ref) == 0
    backward_with(out, dout)
    assert rel_error(x.grad, max_pool_backward_naive(dout, x_np, pool_param)) == 0
    dx_num = eval_numerical_gradient_array(lambda v: max_pool_forward_naive(v, pool_param), x_np.copy(), dout)
    assert rel_error(x.grad, dx_num) < 1e-8
    tx = th.tensor(x_np, requires_grad=True)
    th.nn.functional.max_pool2d(tx, 2, 2).backward(th.tensor(dout))
    assert rel_error(x.grad, tx.grad.numpy()) == 0


def test_spatial_batchnorm_and_groupnorm() -> None:
    th = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    n, c, h, w, groups = 2, 6, 4, 5, 2
    x_np = 4 * rng.standard_normal((n, c, h, w)) + 10
    gamma_np, beta_np = rng.standard_normal(c), rng.standard_normal(c)
    dout = rng.standard_normal(x_np.shape)

    out_ref, _ = spatial_batchnorm_forward(x_np, gamma_np, beta_np, {"mode": "train"})
    x, gamma, beta = leaf(x_np), leaf(gamma_np), leaf(beta_np)
    bn = nn.BatchNorm2d(c, dtype=F64)
    bn.weight.data[:] = gamma_np
    bn.bias.data[:] = beta_np
    out = bn(x)
    assert rel_error(out.data, out_ref) < 1e-10
    backward_with(out, dout)

    def spatial_bn(v: np.ndarray) -> np.ndarray:
        return spatial_batchnorm_forward(v, gamma_np, beta_np, {"mode": "train"})[0]

    assert rel_error(x.grad, eval_numerical_gradient_array(spatial_bn, x_np.copy(), dout)) < 1e-7
    ref_gamma = eval_numerical_gradient_array(
        lambda g: spatial_batchnorm_forward(x_np, g, beta_np, {"mode": "train"})[0], gamma_np.copy(), dout
    )
    assert rel_error(bn.weight.grad, ref_gamma) < 1e-8

    g4, b4 = gamma_np.reshape(1, c, 1, 1), beta_np.reshape(1, c, 1, 1)
    out_ref = spatial_groupnorm_forward(x_np, g4, b4, groups)
    out = F.group_norm(x, groups, gamma, beta)
    assert rel_error(out.data, out_ref) < 1e-10
    x.grad = None
    backward_with(out, dout)
    dx_num = eval_numerical_gradient_array(lambda v: spatial_groupnorm_forward(v, g4, b4, groups), x_np.copy(), dout)
    db_num = eval_numerical_gradient_array(lambda v: spatial_groupnorm_forward(x_np, g4, v, groups), b4.copy(), dout)
    assert rel_error(x.grad, dx_num) < 1e-6 and rel_error(beta.grad, db_num.reshape(c)) < 1e-8
    tx = th.tensor(x_np, requires_grad=True)
    theirs = th.nn.functional.group_norm(tx, groups, th.tensor(gamma_np), th.tensor(beta_np))
    theirs.backward(th.tensor(dout))
    assert rel_error(out.data, theirs.detach().numpy()) < 1e-12 and rel_error(x.grad, tx.grad.numpy()) < 1e-10


# -- the networks: TwoLayerNet and FullyConnectedNet -------------------------------------------------------------


def two_layer_params(rng: np.random.Generator, d: int, h: int, c: int, std: float = 1e-1) -> dict[str, np.ndarray]:
    return {
        "W1": std * rng.standard_normal((d, h)),
        "b1": std * rng.standard_normal(h),
        "W2": std * rng.standard_normal((h, c)),
        "b2": std * rng.standard_normal(c),
    }


def two_layer_loss_numpy(params: dict[str, np.ndarray], x: np.ndarray, y: np.ndarray, reg: float):
    """affine - relu - affine - softmax, with 0.5 * reg * sum(W^2) on both weights; loss and analytic grads."""
    hidden = relu_forward(affine_forward(x, params["W1"], params["b1"]))
    scores = affine_forward(hidden, params["W2"], params["b2"])
    loss, dscores = softmax_loss(scores, y)
    loss += 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
    dhidden, dw2, db2 = affine_backward(dscores, hidden, params["W2"])
    _, dw1, db1 = affine_backward(relu_backward(dhidden, hidden), x, params["W1"])
    return loss, {"W1": dw1 + reg * params["W1"], "b1": db1, "W2": dw2 + reg * params["W2"], "b2": db2}


def test_two_layer_net_loss_and_gradients_on_tensors() -> None:
    rng = np.random.default_rng(9)
    n, d, h, c, reg = 5, 4, 10, 3, 0.05
    params_np = two_layer_params(rng, d, h, c)
    x_np, y = rng.standard_normal((n, d)), rng.integers(c, size=n)
    loss_ref, grads_ref = two_layer_loss_numpy(params_np, x_np, y, reg)
    params = {name: leaf(value) for name, value in params_np.items()}
    scores = F.relu(Tensor(x_np) @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
    loss = F.cross_entropy(scores, y) + 0.5 * reg * ((params["W1"] ** 2).sum() + (params["W2"] ** 2).sum())
    loss.backward()
    assert rel_error(loss.item(), loss_ref) < 1e-12
    for name, param in params.items():
        assert rel_error(param.grad, grads_ref[name]) < 1e-10, name
        numerical = eval_numerical_gradient(
            lambda v, name=name: two_layer_loss_numpy({**params_np, name: v}, x_np, y, reg)[0], params_np[name].copy()
        )
        assert rel_error(param.grad, numerical) < 1e-7, name


def test_two_layer_net_loss_on_the_scalar_value_engine() -> None:
    """The same net, one Value per number, on a batch of two: micrograd's loss and gradients are the reference's."""
    rng = np.random.default_rng(10)
    n, d, h, c, reg = 2, 3, 4, 3, 0.1
    params_np = two_layer_params(rng, d, h, c, std=0.5)
    x_np, y = rng.standard_normal((n, d)), np.array([2, 0])
    loss_ref, grads_ref = two_layer_loss_numpy(params_np, x_np, y, reg)
    params = {name: np.vectorize(Value, otypes=[object])(value) for name, value in params_np.items()}
    total = Value(0.0)
    for i in range(n):
        hidden = [
            Value.sum([params["W1"][k, j] * float(x_np[i, k]) for k in range(d)] + [params["b1"][j]]).relu()
            for j in range(h)
        ]
        scores = [Value.sum([params["W2"][k, j] * hidden[k] for k in range(h)] + [params["b2"][j]]) for j in range(c)]
        top = max(s.data for s in scores)
        log_norm = Value.sum([(s - top).exp() for s in scores]).log() + top
        total = total + (log_norm - scores[y[i]])
    squares = Value.sum([w * w for name in ("W1", "W2") for w in params[name].ravel()])
    loss = total / n + 0.5 * reg * squares
    loss.backward()
    assert rel_error(loss.data, loss_ref) < 1e-12
    for name, grid in params.items():
        assert rel_error(np.vectorize(lambda v: v.grad)(grid), grads_ref[name]) < 1e-10, name


def fc_net_loss(params, x, y, hidden_dims, reg, normalization=None, seed=None, keep=1.0, backend="numpy"):
    """FullyConnectedNet: {affine - [norm] - relu - [dropout]} x L-1 - affine - softmax, with L2 on the weights.

    ``backend="numpy"`` gives the assignment's loss (for its finite differences); ``"autograd"`` the same graph on
    Tensors (params are then leaf Tensors).
    """
    ours = backend == "autograd"
    out = Tensor(x) if ours else x
    for layer in range(len(hidden_dims)):
        w, b = params[f"W{layer + 1}"], params[f"b{layer + 1}"]
        out = out @ w + b
        if normalization == "batchnorm":
            gamma, beta = params[f"gamma{layer + 1}"], params[f"beta{layer + 1}"]
            if ours:
                out = F.batch_norm(out, None, None, gamma, beta, training=True)
            else:
                out = batchnorm_forward(out, gamma, beta, {"mode": "train"})[0]
        elif normalization == "layernorm":
            gamma, beta = params[f"gamma{layer + 1}"], params[f"beta{layer + 1}"]
            out = F.layer_norm(out, (out.shape[1],), gamma, beta) if ours else layernorm_forward(out, gamma, beta)[0]
        out = F.relu(out) if ours else relu_forward(out)
        if keep < 1.0:
            _, mask = dropout_forward(np.zeros(out.shape), {"mode": "train", "p": keep, "seed": seed + layer})
            out = out * (Tensor(mask) if ours else mask)
    last = len(hidden_dims) + 1
    scores = out @ params[f"W{last}"] + params[f"b{last}"]
    squares = [params[f"W{i}"] ** 2 for i in range(1, last + 1)]
    if ours:
        return F.cross_entropy(scores, y) + 0.5 * reg * sum(s.sum() for s in squares)
    return softmax_loss(scores, y)[0] + 0.5 * reg * sum(np.sum(s) for s in squares)


@pytest.mark.parametrize(
    ("normalization", "keep", "reg"),
    [(None, 1.0, 0.0), (None, 1.0, 3.14), ("batchnorm", 1.0, 0.7), ("layernorm", 0.5, 0.1)],
)
def test_fully_connected_net_gradient_check(normalization: str | None, keep: float, reg: float) -> None:
    rng = np.random.default_rng(11)
    n, d, hidden_dims, c = 4, 15, [20, 30], 10
    x_np, y = rng.standard_normal((n, d)), rng.integers(c, size=n)
    dims = [d, *hidden_dims, c]
    params_np: dict[str, np.ndarray] = {}
    for i in range(len(dims) - 1):
        params_np[f"W{i + 1}"] = 5e-2 * rng.standard_normal((dims[i], dims[i + 1]))
        params_np[f"b{i + 1}"] = np.zeros(dims[i + 1])
        if normalization and i < len(hidden_dims):
            params_np[f"gamma{i + 1}"] = np.ones(dims[i + 1])
            params_np[f"beta{i + 1}"] = np.zeros(dims[i + 1])
    options = {"hidden_dims": hidden_dims, "reg": reg, "normalization": normalization, "seed": 3, "keep": keep}
    params = {name: leaf(value) for name, value in params_np.items()}
    loss = fc_net_loss(params, x_np, y, backend="autograd", **options)
    loss.backward()
    assert rel_error(loss.item(), fc_net_loss(params_np, x_np, y, **options)) < 1e-12
    if normalization is None and reg == 0:
        assert loss.item() == pytest.approx(np.log(c), abs=0.05)
    for name, param in params.items():
        numerical = eval_numerical_gradient(
            lambda v, name=name: fc_net_loss({**params_np, name: v}, x_np, y, **options), params_np[name].copy()
        )
        # the assignment's bar: relative errors about 1e-7 or below (absolute where a gradient is small: there the
        # finite differences' own rounding, about 1e-10, dominates)
        tiny = np.abs(numerical) + np.abs(param.grad) < 1e-4
        assert rel_error(np.where(tiny, 0, param.grad), np.where(tiny, 0, numerical)) < 1e-6, name
        np.testing.assert_allclose(param.grad, numerical, rtol=1e-6, atol=1e-8)


# -- the update rules --------------------------------------------------------------------------------------------


def _quadratic_grad(w: np.ndarray, target: np.ndarray) -> np.ndarray:
    return (w - target) * np.arange(1, w.size + 1).reshape(w.shape) + 0.1 * np.sin(3 * w)


@pytest.mark.parametrize("rule", ["sgd_momentum", "rmsprop", "adam"])
def test_update_rules_against_the_librarys_and_torchs_optimizers(rule: str) -> None:
    th = pytest.importorskip("torch")
    rng = np.random.default_rng(12)
    w0, target = np.linspace(-0.4, 0.6, num=20).reshape(4, 5), rng.standard_normal((4, 5))
    lr = {"sgd_momentum": 1e-3, "rmsprop": 1e-2, "adam": 1e-2}[rule]
    config: dict[str, Any] = {"learning_rate": lr}
    if rule == "sgd_momentum":
        config["momentum"] = 0.9
    update = {"sgd_momentum": sgd_momentum, "rmsprop": rmsprop, "adam": adam}[rule]
    ours_w, torch_w = leaf(w0), th.tensor(w0, requires_grad=True)
    if rule == "sgd_momentum":
        ours_opt, torch_opt = (
            nn.optim.SGD([ours_w], lr=lr, momentum=0.9),
            th.optim.SGD([torch_w], lr=lr, momentum=0.9),
        )
    elif rule == "rmsprop":
        ours_opt = nn.optim.RMSprop([ours_w], lr=lr, alpha=0.99, eps=1e-8)
        torch_opt = th.optim.RMSprop([torch_w], lr=lr, alpha=0.99, eps=1e-8)
    else:
        ours_opt = nn.optim.Adam([ours_w], lr=lr, betas=(0.9, 0.999), eps=1e-8)
        torch_opt = th.optim.Adam([torch_w], lr=lr, betas=(0.9, 0.999), eps=1e-8)
    w = w0.copy()
    for _ in range(8):
        dw = _quadratic_grad(w, target)
        w = update(w, dw, config)
        ours_w.grad = _quadratic_grad(ours_w.data, target)
        torch_w.grad = th.tensor(_quadratic_grad(torch_w.detach().numpy(), target))
        ours_opt.step()
        torch_opt.step()
        assert rel_error(ours_w.data, w) < 1e-12
        assert rel_error(torch_w.detach().numpy(), w) < 1e-12
    if rule == "adam":
        assert config["t"] == 8 and ours_opt.state[ours_w]["step"] == 8


# -- assignment 2's PyTorch notebook -----------------------------------------------------------------------------


def flatten(x: Any) -> Any:
    n = x.shape[0]
    return x.view(n, -1)


def two_layer_fc(x: Any, params: list[Any], F_: Any) -> Any:
    w1, w2 = params
    return F_.relu(flatten(x).mm(w1)).mm(w2)


def three_layer_convnet(x: Any, params: list[Any], F_: Any) -> Any:
    conv_w1, conv_b1, conv_w2, conv_b2, fc_w, fc_b = params
    hidden = F_.relu(F_.conv2d(x, conv_w1, conv_b1, padding=2))
    hidden = F_.relu(F_.conv2d(hidden, conv_w2, conv_b2, padding=1))
    return flatten(hidden).mm(fc_w) + fc_b


def random_weight(lib: dict[str, Any], shape: tuple[int, ...]) -> Any:
    """Kaiming normal, as the notebook writes it: randn * sqrt(2 / fan_in), fan_in the product of all but the first
    axis for a conv weight, the first axis for a (in, out) matrix."""
    fan_in = shape[0] if len(shape) == 2 else int(np.prod(shape[1:]))
    torch_ = lib["torch"]
    w = torch_.randn(shape, device=torch_.device("cpu"), dtype=torch_.float32) * np.sqrt(2.0 / fan_in)
    w.requires_grad = True
    return w


def zero_weight(lib: dict[str, Any], shape: tuple[int, ...]) -> Any:
    return lib["torch"].zeros(shape, requires_grad=True)


def _shared(torch_: Any, arrays: list[np.ndarray]) -> tuple[list[Any], list[Any]]:
    """The same weights as leaf tensors of torch and of this library."""
    theirs = [torch_.tensor(a, requires_grad=True) for a in arrays]
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    return theirs, ours


def test_flatten_and_the_functional_two_layer_fc(torch: Any) -> None:
    x_np = np.arange(12, dtype=np.float32).reshape(2, 1, 3, 2)
    assert np.array_equal(flatten(autograd.tensor(x_np)).numpy(), flatten(torch.tensor(x_np)).numpy())
    rng = np.random.default_rng(13)
    x_np = rng.standard_normal((64, 3, 8, 8)).astype(np.float32)
    weights = [
        rng.standard_normal((192, 42)).astype(np.float32) * 0.1,
        rng.standard_normal((42, 10)).astype(np.float32),
    ]
    (theirs, ours), results = _shared(torch, weights), []
    for lib, params in zip(libraries(torch), (theirs, ours)):
        scores = two_layer_fc(lib["torch"].tensor(x_np), params, lib["F"])
        assert tuple(scores.size()) == (64, 10)
        scores.sum().backward()
        results.append([scores, *(p.grad for p in params)])
    for t, o in zip(*results):
        assert_close(o, t, rtol=1e-4, atol=1e-4)
    for lib in libraries(torch):
        w = random_weight(lib, (3, 5))
        assert w.requires_grad and tuple(w.shape) == (3, 5) and str(w.dtype).endswith("float32")
        assert not np.any(zero_weight(lib, (3,)).detach().numpy())
        big = random_weight(lib, (400, 300)).detach().numpy()
        assert big.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
        conv = random_weight(lib, (64, 8, 5, 5)).detach().numpy()
        assert conv.std() == pytest.approx(np.sqrt(2 / 200), rel=0.03)


def test_the_functional_three_layer_convnet(torch: Any) -> None:
    rng = np.random.default_rng(14)
    x_np = rng.standard_normal((6, 3, 8, 8)).astype(np.float32)
    shapes = [(6, 3, 5, 5), (6,), (9, 6, 3, 3), (9,), (9 * 8 * 8, 10), (10,)]
    weights = [(0.2 * rng.standard_normal(s)).astype(np.float32) for s in shapes]
    (theirs, ours), results = _shared(torch, weights), []
    for lib, params in zip(libraries(torch), (theirs, ours)):
        scores = three_layer_convnet(lib["torch"].tensor(x_np), params, lib["F"])
        assert tuple(scores.size()) == (6, 10)
        loss = lib["F"].cross_entropy(scores, lib["torch"].tensor(np.arange(6) % 10))
        loss.backward()
        results.append([scores, loss, *(p.grad for p in params)])
    for t, o in zip(*results):
        assert_close(o, t, rtol=1e-4, atol=1e-5)


def check_accuracy_part2(lib: dict[str, Any], loader: list[tuple[Any, Any]], model_fn: Any, params: list[Any]) -> float:
    torch_ = lib["torch"]
    num_correct, num_samples = 0, 0
    with torch_.no_grad():
        for x, y in loader:
            x = x.to(device=torch_.device("cpu"), dtype=torch_.float32)
            y = y.to(device=torch_.device("cpu"), dtype=torch_.int64)
            scores = model_fn(x, params, lib["F"])
            _, preds = scores.max(dim=1)
            num_correct += (preds == y).sum()
            num_samples += preds.size(0)
    return float(num_correct) / num_samples


def train_part2(lib: dict[str, Any], loader: list[tuple[Any, Any]], model_fn: Any, params: list[Any]) -> list[float]:
    """The notebook's functional loop: forward, backward, then w -= lr * w.grad and w.grad.zero_() under no_grad."""
    torch_, learning_rate, losses = lib["torch"], 3e-3, []
    for x, y in loader:
        x = x.to(device=torch_.device("cpu"), dtype=torch_.float32)
        y = y.to(device=torch_.device("cpu"), dtype=torch_.long)
        loss = lib["F"].cross_entropy(model_fn(x, params, lib["F"]), y)
        loss.backward()
        with torch_.no_grad():
            for w in params:
                w -= learning_rate * w.grad
                w.grad.zero_()
        losses.append(loss.item())
    return losses


def test_the_functional_training_loop_and_its_accuracy(torch: Any) -> None:
    rng = np.random.default_rng(20)
    batches = [(rng.standard_normal((5, 3, 8, 8)), rng.integers(10, size=5)) for _ in range(3)]
    shapes = [(6, 3, 5, 5), (6,), (9, 6, 3, 3), (9,), (9 * 8 * 8, 10), (10,)]
    weights = [(0.2 * rng.standard_normal(s)).astype(np.float32) for s in shapes]
    results = []
    for lib, params in zip(libraries(torch), _shared(torch, weights)):
        loader = [(lib["torch"].tensor(x), lib["torch"].tensor(y)) for x, y in batches]
        before = check_accuracy_part2(lib, loader, three_layer_convnet, params)
        losses = train_part2(lib, loader, three_layer_convnet, params)
        after = check_accuracy_part2(lib, loader, three_layer_convnet, params)
        assert all(not p.grad.numpy().any() for p in params)  # zeroed in place by the loop
        results.append((before, after, losses, [p.detach().numpy().copy() for p in params]))
    (before_t, after_t, losses_t, params_t), (before_o, after_o, losses_o, params_o) = results
    assert (before_o, after_o) == (before_t, after_t)
    np.testing.assert_allclose(losses_o, losses_t, rtol=1e-5)
    for o, t in zip(params_o, params_t):
        assert_close(o, t, rtol=1e-4, atol=1e-6)


def make_modules(lib: dict[str, Any]) -> tuple[Any, Any]:
    """The notebook's nn.Module ThreeLayerConvNet and its nn.Sequential twin with a custom Flatten module."""
    nn_, F_ = lib["nn"], lib["F"]

    class ThreeLayerConvNet(nn_.Module):
        def __init__(self, in_channel: int, channel_1: int, channel_2: int, num_classes: int) -> None:
            super().__init__()
            self.conv1 = nn_.Conv2d(in_channel, channel_1, 5, padding=2)
            self.conv2 = nn_.Conv2d(channel_1, channel_2, 3, padding=1)
            self.fc = nn_.Linear(channel_2 * 8 * 8, num_classes)
            for layer in (self.conv1, self.conv2, self.fc):
                nn_.init.kaiming_normal_(layer.weight)
                nn_.init.zeros_(layer.bias)

        def forward(self, x: Any) -> Any:
            x = F_.relu(self.conv1(x))
            x = F_.relu(self.conv2(x))
            return self.fc(flatten(x))

    class Flatten(nn_.Module):
        def forward(self, x: Any) -> Any:
            return flatten(x)

    sequential = nn_.Sequential(
        nn_.Conv2d(3, 6, 5, padding=2),
        nn_.ReLU(),
        nn_.Conv2d(6, 9, 3, padding=1),
        nn_.ReLU(),
        Flatten(),
        nn_.Linear(9 * 8 * 8, 10),
    )
    return ThreeLayerConvNet(3, 6, 9, 10), sequential


def check_accuracy(lib: dict[str, Any], loader: list[tuple[Any, Any]], model: Any) -> tuple[int, int]:
    torch_ = lib["torch"]
    num_correct, num_samples = 0, 0
    model.eval()
    with torch_.no_grad():
        for x, y in loader:
            scores = model(x)
            _, preds = scores.max(dim=1)  # the notebook's scores.max(1), in the spelling both libraries read as torch
            num_correct += (preds == y).sum()
            num_samples += preds.size(0)
    return int(num_correct), num_samples


def test_module_and_sequential_apis_check_accuracy_and_a_nesterov_step(torch: Any) -> None:
    rng = np.random.default_rng(15)
    batches = [
        (rng.standard_normal((8, 3, 8, 8)).astype(np.float32), rng.integers(10, size=8).astype(np.int64))
        for _ in range(3)
    ]
    theirs_models, ours_models = make_modules(libraries(torch)[0]), make_modules(libraries(torch)[1])
    # kaiming_normal_'s draws: std sqrt(2 / fan_in) in both libraries
    for model in (theirs_models[0], ours_models[0]):
        weight = model.fc.weight.detach().numpy()
        assert weight.std() == pytest.approx(np.sqrt(2 / (9 * 8 * 8)), rel=0.05)
    for theirs_model, ours_model in zip(theirs_models, ours_models):
        ours_model.load_state_dict({k: v.detach().numpy().copy() for k, v in theirs_model.state_dict().items()})
        results = []
        for lib, model in zip(libraries(torch), (theirs_model, ours_model)):
            torch_ = lib["torch"]
            loader = [(torch_.tensor(x), torch_.tensor(y)) for x, y in batches]
            accuracy = check_accuracy(lib, loader, model)
            optimizer = lib["optim"].SGD(model.parameters(), lr=1e-2, momentum=0.9, nesterov=True)
            model.train()
            losses = []
            for x, y in loader[:2]:
                scores = model(x)
                loss = lib["F"].cross_entropy(scores, y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
            results.append((accuracy, losses, [p.detach().numpy().copy() for p in model.parameters()]))
        (acc_t, losses_t, params_t), (acc_o, losses_o, params_o) = results
        assert acc_o == acc_t and acc_o[1] == 24
        np.testing.assert_allclose(losses_o, losses_t, rtol=1e-5)
        for o, t in zip(params_o, params_t):
            assert_close(o, t, rtol=1e-4, atol=1e-5)


# -- assignment 3: RNN and LSTM captioning layers ----------------------------------------------------------------


def test_rnn_step_forward_backward() -> None:
    th = pytest.importorskip("torch")
    rng = np.random.default_rng(16)
    n, d, h = 3, 10, 4
    x_np, h_np = rng.standard_normal((n, d)), rng.standard_normal((n, h))
    wx_np, wh_np, b_np = rng.standard_normal((d, h)), rng.standard_normal((h, h)), rng.standard_normal(h)
    next_ref = rnn_step_forward(x_np, h_np, wx_np, wh_np, b_np)
    dnext = rng.standard_normal(next_ref.shape)
    leaves = [leaf(a) for a in (x_np, h_np, wx_np, wh_np, b_np)]
    x, prev_h, wx, wh, b = leaves
    next_h = (x @ wx + prev_h @ wh + b).tanh()
    assert rel_error(next_h.data, next_ref) < 1e-12
    backward_with(next_h, dnext)
    refs = rnn_step_backward(dnext, x_np, h_np, wx_np, wh_np, next_ref)
    arrays = [x_np, h_np, wx_np, wh_np, b_np]
    for i, (ours, ref) in enumerate(zip(leaves, refs)):
        assert rel_error(ours.grad, ref) < 1e-10

        def step(v: np.ndarray, i: int = i) -> np.ndarray:
            return rnn_step_forward(*[v if j == i else a for j, a in enumerate(arrays)])

        assert rel_error(ours.grad, eval_numerical_gradient_array(step, arrays[i].copy(), dnext)) < 1e-8
    cell = th.nn.RNNCell(d, h, dtype=th.float64)
    with th.no_grad():
        cell.weight_ih.copy_(th.tensor(wx_np.T))
        cell.weight_hh.copy_(th.tensor(wh_np.T))
        cell.bias_ih.copy_(th.tensor(b_np))
        cell.bias_hh.zero_()
    ours_cell = nn.RNNCell(d, h, dtype=F64)
    ours_cell.load_state_dict({k: v.detach().numpy() for k, v in cell.state_dict().items()})
    assert rel_error(cell(th.tensor(x_np), th.tensor(h_np)).detach().numpy(), next_ref) < 1e-12
    assert rel_error(ours_cell(Tensor(x_np), Tensor(h_np)).data, next_ref) < 1e-12


def test_rnn_forward_backward_over_time_against_torchs_rnn() -> None:
    th = pytest.importorskip("torch")
    rng = np.random.default_rng(17)
    n, t, d, h = 2, 3, 4, 5
    x_np, h0_np = rng.standard_normal((n, t, d)), rng.standard_normal((n, h))
    wx_np, wh_np, b_np = rng.standard_normal((d, h)), rng.standard_normal((h, h)), rng.standard_normal(h)
    h_ref = rnn_forward(x_np, h0_np, wx_np, wh_np, b_np)
    dh = rng.standard_normal(h_ref.shape)
    leaves = [leaf(a) for a in (x_np, h0_np, wx_np, wh_np, b_np)]
    x, h0, wx, wh, b = leaves
    prev, states = h0, []
    for step in range(t):
        prev = (x[:, step, :] @ wx + prev @ wh + b).tanh()
        states.append(prev)
    hs = autograd.stack(states, axis=1)
    assert rel_error(hs.data, h_ref) < 1e-12
    backward_with(hs, dh)
    for ours, ref in zip(leaves, rnn_backward(dh, x_np, h0_np, wx_np, wh_np, h_ref)):
        assert rel_error(ours.grad, ref) < 1e-10
    arrays = [x_np, h0_np, wx_np, wh_np, b_np]
    for i in (0, 2):

        def forward(v: np.ndarray, i: int = i) -> np.ndarray:
            return rnn_forward(*[v if j == i else a for j, a in enumerate(arrays)])

        assert rel_error(leaves[i].grad, eval_numerical_gradient_array(forward, arrays[i].copy(), dh)) < 1e-8

    state = {"weight_ih_l0": wx_np.T, "weight_hh_l0": wh_np.T, "bias_ih_l0": b_np, "bias_hh_l0": np.zeros(h)}
    theirs = th.nn.RNN(d, h, batch_first=True, dtype=th.float64)
    theirs.load_state_dict({k: th.tensor(v) for k, v in state.items()})
    ours = nn.RNN(d, h, batch_first=True, dtype=F64)
    ours.load_state_dict({k: v.copy() for k, v in state.items()})
    tx, th0 = th.tensor(x_np, requires_grad=True), th.tensor(h0_np[None])
    out_t, _ = theirs(tx, th0)
    ox = leaf(x_np)
    out_o, _ = ours(ox, Tensor(h0_np[None]))
    out_t.backward(th.tensor(dh))
    backward_with(out_o, dh)
    assert rel_error(out_o.data, h_ref) < 1e-12 and rel_error(out_t.detach().numpy(), h_ref) < 1e-12
    assert rel_error(ox.grad, tx.grad.numpy()) < 1e-10
    assert rel_error(ours.weight_ih_l0.grad, theirs.weight_ih_l0.grad.numpy()) < 1e-10
    assert rel_error(ours.weight_ih_l0.grad, leaves[2].grad.T) < 1e-10


def test_word_embedding_temporal_affine_and_masked_temporal_softmax_loss() -> None:
    th = pytest.importorskip("torch")
    rng = np.random.default_rng(18)
    n, t, v, d, m = 3, 5, 7, 4, 6
    words = rng.integers(v, size=(n, t))
    w_np = rng.standard_normal((v, d))
    dout = rng.standard_normal((n, t, d))
    w = leaf(w_np)
    out = F.embedding(Tensor(words), w)
    assert rel_error(out.data, w_np[words]) == 0
    backward_with(out, dout)
    assert rel_error(w.grad, word_embedding_backward(dout, words, v)) < 1e-12

    x_np, aw_np, ab_np = rng.standard_normal((n, t, d)), rng.standard_normal((d, m)), rng.standard_normal(m)
    dout = rng.standard_normal((n, t, m))
    x, aw, ab = leaf(x_np), leaf(aw_np), leaf(ab_np)
    out = (x.reshape(n * t, d) @ aw + ab).reshape(n, t, m)
    assert rel_error(out.data, temporal_affine_forward(x_np, aw_np, ab_np)) < 1e-12
    backward_with(out, dout)
    dw_num = eval_numerical_gradient_array(lambda a: temporal_affine_forward(x_np, a, ab_np), aw_np.copy(), dout)
    assert rel_error(aw.grad, dw_num) < 1e-8

    scores_np = rng.standard_normal((n, t, v))
    y = rng.integers(v, size=(n, t))
    mask = rng.random((n, t)) > 0.3
    loss_ref, dx_ref = temporal_softmax_loss(scores_np, y, mask)
    scores = leaf(scores_np)
    per_step = F.cross_entropy(scores.reshape(n * t, v), y.reshape(-1), reduction="none")
    loss = (per_step * Tensor(mask.reshape(-1).astype(F64))).sum() / n
    loss.backward()
    assert rel_error(loss.item(), loss_ref) < 1e-12 and rel_error(scores.grad, dx_ref) < 1e-10
    dx_num = eval_numerical_gradient(lambda s: temporal_softmax_loss(s, y, mask)[0], scores_np.copy())
    assert rel_error(scores.grad, dx_num) < 1e-7
    # torch's spelling of the mask: the masked steps ignored, the sum divided by N
    null = -100
    targets = np.where(mask, y, null).reshape(-1)
    theirs = th.nn.functional.cross_entropy(
        th.tensor(scores_np).reshape(n * t, v), th.tensor(targets), ignore_index=null, reduction="sum"
    )
    library = F.cross_entropy(Tensor(scores_np).reshape(n * t, v), targets, ignore_index=null, reduction="sum")
    assert rel_error(theirs.item() / n, loss_ref) < 1e-12 and rel_error(library.item() / n, loss_ref) < 1e-12
    # the notebook's sanity check: about T * log(V) / 1 at small scores with every step kept
    tiny = 0.001 * rng.standard_normal((100, 1, 10))
    assert temporal_softmax_loss(tiny, rng.integers(10, size=(100, 1)), np.ones((100, 1)))[0] == pytest.approx(
        np.log(10), abs=0.01
    )


def test_lstm_step_forward_against_the_reference_and_torchs_cell() -> None:
    th = pytest.importorskip("torch")
    rng = np.random.default_rng(19)
    n, d, h = 3, 4, 5
    x_np, h_np, c_np = rng.standard_normal((n, d)), rng.standard_normal((n, h)), rng.standard_normal((n, h))
    wx_np, wh_np, b_np = rng.standard_normal((d, 4 * h)), rng.standard_normal((h, 4 * h)), rng.standard_normal(4 * h)
    next_h_ref, next_c_ref = lstm_step_forward(x_np, h_np, c_np, wx_np, wh_np, b_np)
    # the assignment's gates i, f, o, g are torch's i, f, g, o
    order = np.concatenate([np.arange(0, 2 * h), np.arange(3 * h, 4 * h), np.arange(2 * h, 3 * h)])
    state = {
        "weight_ih": wx_np.T[order],
        "weight_hh": wh_np.T[order],
        "bias_ih": b_np[order],
        "bias_hh": np.zeros(4 * h),
    }
    theirs = th.nn.LSTMCell(d, h, dtype=th.float64)
    theirs.load_state_dict({k: th.tensor(v) for k, v in state.items()})
    ours = nn.LSTMCell(d, h, dtype=F64)
    ours.load_state_dict({k: v.copy() for k, v in state.items()})
    th_next, tc_next = theirs(th.tensor(x_np), (th.tensor(h_np), th.tensor(c_np)))
    ox, oh, oc = leaf(x_np), leaf(h_np), leaf(c_np)
    h_next, c_next = ours(ox, (oh, oc))
    assert rel_error(h_next.data, next_h_ref) < 1e-12 and rel_error(c_next.data, next_c_ref) < 1e-12
    assert rel_error(th_next.detach().numpy(), next_h_ref) < 1e-12
    # the step written out on Tensors, checked by finite differences as the notebook's lstm_step_backward
    dnext_h, dnext_c = rng.standard_normal((n, h)), rng.standard_normal((n, h))
    wx, wh, b = leaf(wx_np), leaf(wh_np), leaf(b_np)
    a = ox @ wx + oh @ wh + b
    i, f, o, g = a[:, :h].sigmoid(), a[:, h : 2 * h].sigmoid(), a[:, 2 * h : 3 * h].sigmoid(), a[:, 3 * h :].tanh()
    step_c = f * oc + i * g
    step_h = o * step_c.tanh()
    assert rel_error(step_h.data, next_h_ref) < 1e-12
    ((step_h * Tensor(dnext_h)).sum() + (step_c * Tensor(dnext_c)).sum()).backward()
    arrays = [x_np, h_np, c_np, wx_np, wh_np, b_np]
    for idx, ours_leaf in enumerate((ox, oh, oc, wx, wh, b)):

        def both(v: np.ndarray, idx: int = idx) -> float:
            nh, nc = lstm_step_forward(*[v if j == idx else arr for j, arr in enumerate(arrays)])
            return float(np.sum(nh * dnext_h) + np.sum(nc * dnext_c))

        assert rel_error(ours_leaf.grad, eval_numerical_gradient(both, arrays[idx].copy())) < 1e-7
    th_next2, tc_next2 = theirs(th.tensor(x_np), (th.tensor(h_np, requires_grad=True), th.tensor(c_np)))
    assert (
        rel_error(tc_next2.detach().numpy(), next_c_ref) < 1e-12
        and rel_error(tc_next.detach().numpy(), c_next.data) < 1e-12
    )


def lstm_forward(x, h0, wx, wh, b):
    n, t, _ = x.shape
    h = np.zeros((n, t, h0.shape[1]))
    prev_h, prev_c = h0, np.zeros_like(h0)
    for step in range(t):
        prev_h, prev_c = lstm_step_forward(x[:, step], prev_h, prev_c, wx, wh, b)
        h[:, step] = prev_h
    return h


def captioning_loss(lib: dict[str, Any], params: dict[str, Any], features: Any, captions: Any, cell: str) -> Any:
    """CaptioningRNN.loss: features -> h0, embedded captions_in through the RNN or LSTM, a temporal affine to the
    vocabulary, and the softmax loss of captions_out with the <NULL> steps masked, summed and divided by N."""
    torch_, F_ = lib["torch"], lib["F"]
    captions_in, captions_out = captions[:, :-1], captions[:, 1:]
    mask = (captions_out != 0).to(torch_.float64)
    prev_h = features @ params["W_proj"] + params["b_proj"]
    prev_c = torch_.zeros_like(prev_h)
    embedded = params["W_embed"][captions_in]
    hidden = params["Wh"].shape[0]
    states = []
    for step in range(embedded.shape[1]):
        a = embedded[:, step] @ params["Wx"] + prev_h @ params["Wh"] + params["b"]
        if cell == "rnn":
            prev_h = a.tanh()
        else:
            i, f = a[:, :hidden].sigmoid(), a[:, hidden : 2 * hidden].sigmoid()
            o, g = a[:, 2 * hidden : 3 * hidden].sigmoid(), a[:, 3 * hidden :].tanh()
            prev_c = f * prev_c + i * g
            prev_h = o * prev_c.tanh()
        states.append(prev_h)
    h = torch_.stack(states, dim=1)
    n, t, _ = h.shape
    scores = (h.reshape(n * t, hidden) @ params["W_vocab"] + params["b_vocab"]).reshape(n, t, -1)
    per_step = F_.cross_entropy(scores.reshape(n * t, -1), captions_out.reshape(-1), reduction="none")
    return (per_step * mask.reshape(-1)).sum() / n, scores, h


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_captioning_rnn_loss_against_the_reference_and_torch(cell: str) -> None:
    th = pytest.importorskip("torch")
    rng = np.random.default_rng(22)
    n, d, w_dim, h, v, t = 3, 6, 5, 4, 8, 6
    gates = 4 if cell == "lstm" else 1
    shapes = {
        "W_proj": (d, h),
        "b_proj": (h,),
        "W_embed": (v, w_dim),
        "Wx": (w_dim, gates * h),
        "Wh": (h, gates * h),
        "b": (gates * h,),
        "W_vocab": (h, v),
        "b_vocab": (v,),
    }
    arrays = {name: 0.5 * rng.standard_normal(shape) for name, shape in shapes.items()}
    features_np = rng.standard_normal((n, d))
    captions_np = rng.integers(1, v, size=(n, t))
    captions_np[0, 4:] = 0  # <NULL> padding: masked
    captions_np[2, 3:] = 0
    results = []
    for lib in libraries(th):
        tensor = lib["torch"].tensor
        params = {name: tensor(a, requires_grad=True) for name, a in arrays.items()}
        loss, scores, hs = captioning_loss(lib, params, tensor(features_np), tensor(captions_np), cell)
        loss.backward()
        results.append((loss, scores, hs, {name: p.grad for name, p in params.items()}))
    (loss_t, scores_t, hs_t, grads_t), (loss_o, scores_o, hs_o, grads_o) = results
    h0 = features_np @ arrays["W_proj"] + arrays["b_proj"]
    forward = rnn_forward if cell == "rnn" else lstm_forward
    hs_ref = forward(arrays["W_embed"][captions_np[:, :-1]], h0, arrays["Wx"], arrays["Wh"], arrays["b"])
    scores_ref = temporal_affine_forward(hs_ref, arrays["W_vocab"], arrays["b_vocab"])
    loss_ref, dscores = temporal_softmax_loss(scores_ref, captions_np[:, 1:], captions_np[:, 1:] != 0)
    assert rel_error(hs_o.data, hs_ref) < 1e-12 and rel_error(scores_o.data, scores_ref) < 1e-12
    assert rel_error(loss_o.item(), loss_ref) < 1e-12 and rel_error(loss_o.item(), loss_t.item()) < 1e-12
    assert rel_error(grads_o["b_vocab"], dscores.sum(axis=(0, 1))) < 1e-10
    for name in arrays:
        assert rel_error(grads_o[name], grads_t[name].numpy()) < 1e-10, name
    if cell == "rnn":  # the assignment's rnn_backward for the recurrent weights
        dh = dscores.reshape(-1, v) @ arrays["W_vocab"].T
        _, _, dwx, dwh, db = rnn_backward(
            dh.reshape(hs_ref.shape), arrays["W_embed"][captions_np[:, :-1]], h0, arrays["Wx"], arrays["Wh"], hs_ref
        )
        assert rel_error(grads_o["Wx"], dwx) < 1e-10 and rel_error(grads_o["Wh"], dwh) < 1e-10
        assert rel_error(grads_o["b"], db) < 1e-10
    numerical = eval_numerical_gradient(
        lambda wh: temporal_softmax_loss(
            temporal_affine_forward(
                forward(arrays["W_embed"][captions_np[:, :-1]], h0, arrays["Wx"], wh, arrays["b"]),
                arrays["W_vocab"],
                arrays["b_vocab"],
            ),
            captions_np[:, 1:],
            captions_np[:, 1:] != 0,
        )[0],
        arrays["Wh"].copy(),
    )
    assert (
        rel_error(grads_o["Wh"], numerical) < 1e-6
    )  # the finite differences of a 5-step recurrence carry about 1e-10 of rounding

    # the LSTM over time as torch's nn.LSTM and the library's, from the same weights (gates reordered)
    if cell == "lstm":
        order = np.concatenate([np.arange(0, 2 * h), np.arange(3 * h, 4 * h), np.arange(2 * h, 3 * h)])
        state = {
            "weight_ih_l0": arrays["Wx"].T[order],
            "weight_hh_l0": arrays["Wh"].T[order],
            "bias_ih_l0": arrays["b"][order],
            "bias_hh_l0": np.zeros(4 * h),
        }
        theirs = th.nn.LSTM(w_dim, h, batch_first=True, dtype=th.float64)
        theirs.load_state_dict({k: th.tensor(a) for k, a in state.items()})
        ours = nn.LSTM(w_dim, h, batch_first=True, dtype=F64)
        ours.load_state_dict({k: a.copy() for k, a in state.items()})
        x_np = arrays["W_embed"][captions_np[:, :-1]]
        dh = rng.standard_normal(hs_ref.shape)
        tx, ox = th.tensor(x_np, requires_grad=True), leaf(x_np)
        out_t, _ = theirs(tx, (th.tensor(h0[None]), th.zeros(1, n, h, dtype=th.float64)))
        out_o, _ = ours(ox, (Tensor(h0[None]), Tensor(np.zeros((1, n, h)))))
        out_t.backward(th.tensor(dh))
        backward_with(out_o, dh)
        assert rel_error(out_o.data, hs_ref) < 1e-12 and rel_error(out_t.detach().numpy(), hs_ref) < 1e-12
        assert rel_error(ox.grad, tx.grad.numpy()) < 1e-10
        assert rel_error(ours.weight_hh_l0.grad, theirs.weight_hh_l0.grad.numpy()) < 1e-10


def test_part_five_sequential_with_batchnorm_trains_as_torchs(torch: Any) -> None:
    """Part V's kind of model: conv - BatchNorm2d - relu - pool - nn.Flatten - linear, trained with Nesterov SGD,
    then evaluated from the running statistics. (With Adam the two runs drift apart by about lr: the conv bias
    before a batch norm has a gradient of rounding noise only, which Adam's g / sqrt(v) turns into full steps.)"""
    rng = np.random.default_rng(23)
    x_np, y_np = rng.standard_normal((4, 3, 6, 6)).astype(np.float32), rng.integers(10, size=4)
    results = []
    models = []
    for lib in libraries(torch):
        nn_ = lib["nn"]
        models.append(
            nn_.Sequential(
                nn_.Conv2d(3, 4, 3, padding=1),
                nn_.BatchNorm2d(4),
                nn_.ReLU(),
                nn_.MaxPool2d(2),
                nn_.Flatten(),
                nn_.Linear(36, 10),
            )
        )
    models[1].load_state_dict({k: v.detach().numpy().copy() for k, v in models[0].state_dict().items()})
    for lib, model in zip(libraries(torch), models):
        optimizer = lib["optim"].SGD(model.parameters(), lr=1e-1, momentum=0.9, nesterov=True)
        x, y, losses = lib["torch"].tensor(x_np), lib["torch"].tensor(y_np), []
        model.train()
        for _ in range(3):
            loss = lib["F"].cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        model.eval()
        with lib["torch"].no_grad():
            scores = model(x)
        results.append(
            (
                losses,
                scores,
                book_ports.as_array(model[1].running_var),
                [p.detach().numpy() for p in model.parameters()],
            )
        )
    (losses_t, scores_t, var_t, params_t), (losses_o, scores_o, var_o, params_o) = results
    np.testing.assert_allclose(losses_o, losses_t, rtol=1e-5)
    assert_close(scores_o, scores_t, rtol=1e-5, atol=1e-5)
    assert_close(var_o, var_t)
    for o, t in zip(params_o, params_t):
        assert_close(o, t)
