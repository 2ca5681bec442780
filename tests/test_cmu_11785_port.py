"""CMU 11-785 (Introduction to Deep Learning) homeworks part 1, "MyTorch", ported as a hidden autograder would: the
numpy layers students write with forward and backward passes (HW1P1: activations, losses, Linear, MLPs, SGD with
momentum, BatchNorm1d; HW2P1: resampling, convolutions, transposed convolutions, pooling, Flatten, the CNN as a
scanning MLP, the simple CNN; HW3P1: RNNCell, the RNN phoneme classifier, GRUCell, CTC loss and decoding).

Each piece is written here in numpy after the handout's maths (the reference), then computed with this library's
modules, functional ops and autograd: forward values against the reference, the gradients the autograder checks
(dLdA as the input's ``.grad`` after ``backward(dLdZ)``, dLdW and dLdb as the parameters' ``.grad``) against the
reference's hand-written backward or against torch (float64 throughout, the autograder's ``np.random`` inputs).

The handouts' conventions that differ from torch's (which the library follows) are mapped as a student would:

- Linear's W is (out, in) as torch's, its b (out, 1) where torch's bias is (out,); dLdW = dLdZ^T A, dLdb = the
  column sums of dLdZ (the handout's ``dLdZ.T @ ones``);
- MSELoss is sum((A - Y)^2) / (N C), torch's ``reduction='mean'``; CrossEntropyLoss takes one-hot (probability)
  targets and averages over N, torch's ``cross_entropy`` with probability targets;
- SGD: v = mu v - lr dLdW, W += v is torch's b = mu b + g, W -= lr b (v = -lr b);
- BatchNorm1d(alpha=0.9, eps=1e-8): the running statistics keep alpha of the old ones (torch's ``momentum`` is
  1 - alpha); the handout's running variance is the biased batch variance, torch's the unbiased one;
- Conv1d/Conv2d with a stride are the stride-1 layer then ``Downsample`` (``A[..., ::k]``), ConvTranspose the
  ``Upsample`` (k - 1 zeros between samples) then the stride-1 convolution of the padded input with the flipped
  kernel; the handout's ConvTranspose weight is (out, in, K), torch's (in, out, K);
- the handout's CTC ``logits`` are probabilities (after softmax), (T, B, C), and its loss is the batch mean of
  -log p(target): ``ctc_loss(y.log(), ..., reduction='sum') / B``; its backward, dL/dy = -gamma / y with gamma the
  posterior of each extended-label position, is the gradient w.r.t. ``y`` through the log (torch's own CTC backward
  returns exp(lp) - gamma, the gradient w.r.t. the logits of a log_softmax, see tests/test_ctc_grid_lazy_torch.py).
"""

# ruff: noqa: N803, N806 - the handout's names (A, Z, W, dLdZ, ...)

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

F64 = np.float64


def leaf(array: np.ndarray) -> Tensor:
    """A float64 leaf that records its gradient: the autograder's input."""
    return Tensor(np.array(array, dtype=F64), requires_grad=True)


def assert_close(ours: Any, expected: Any, rtol: float = 1e-9, atol: float = 1e-10) -> None:
    """Our tensor (or array) equals the reference within float64 tolerances (the autograder's ``np.allclose``)."""
    ours = ours.detach().numpy() if isinstance(ours, Tensor) else np.asarray(ours)
    expected = expected.detach().numpy() if hasattr(expected, "detach") else np.asarray(expected)
    assert ours.shape == expected.shape
    np.testing.assert_allclose(ours, expected, rtol=rtol, atol=atol)


def copy_into(module: Any, arrays: dict[str, np.ndarray]) -> None:
    """The reference's parameters loaded into a float64 module, by name."""
    module.load_state_dict({name: np.array(value, dtype=F64) for name, value in arrays.items()})


def from_torch(ours: Any, theirs: Any) -> None:
    """torch's module's state (weights and buffers) copied into ours."""
    ours.load_state_dict({name: value.detach().numpy().copy() for name, value in theirs.state_dict().items()})


# -- HW1P1: activations, losses, Linear --------------------------------------------------------------------------


def _erf(x: np.ndarray) -> np.ndarray:
    return np.vectorize(math.erf)(x)


#: the handout's activations: A = f(Z) and dA/dZ from Z and A (Softmax is checked with its Jacobian separately)
ACTIVATIONS = {
    "Identity": (lambda Z: Z, lambda Z, A: np.ones_like(Z)),
    "Sigmoid": (lambda Z: 1 / (1 + np.exp(-Z)), lambda Z, A: A - A * A),
    "Tanh": (np.tanh, lambda Z, A: 1 - A**2),
    "ReLU": (lambda Z: np.where(Z > 0, Z, 0.0), lambda Z, A: np.where(Z > 0, 1.0, 0.0)),
    "GELU": (
        lambda Z: 0.5 * Z * (1 + _erf(Z / np.sqrt(2))),
        lambda Z, A: 0.5 * (1 + _erf(Z / np.sqrt(2))) + Z * np.exp(-(Z**2) / 2) / np.sqrt(2 * np.pi),
    ),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_hw1_activation_forward_and_dLdZ(name: str) -> None:
    rng = np.random.default_rng(11785)
    Z_np, dLdA = rng.standard_normal((5, 7)), rng.standard_normal((5, 7))
    forward, derivative = ACTIVATIONS[name]
    Z = leaf(Z_np)
    A = getattr(nn, name)()(Z)
    A.backward(Tensor(dLdA))
    assert_close(A, forward(Z_np))
    assert_close(Z.grad, dLdA * derivative(Z_np, forward(Z_np)))


def test_hw1_softmax_forward_and_its_jacobian_backward() -> None:
    """dLdZ_i = sum_j dLdA_j A_j (delta_ij - A_i): the handout's per-row Jacobian, J = diag(a) - a a^T."""
    rng = np.random.default_rng(1)
    Z_np, dLdA = 3 * rng.standard_normal((4, 6)), rng.standard_normal((4, 6))
    expA = np.exp(Z_np - Z_np.max(axis=1, keepdims=True))
    A_np = expA / expA.sum(axis=1, keepdims=True)
    dLdZ = np.stack([dLdA[i] @ (np.diag(a) - np.outer(a, a)) for i, a in enumerate(A_np)])
    Z = leaf(Z_np)
    A = nn.Softmax(dim=1)(Z)
    A.backward(Tensor(dLdA))
    assert_close(A, A_np)
    assert_close(Z.grad, dLdZ)


def test_hw1_mse_loss_forward_and_backward() -> None:
    rng = np.random.default_rng(2)
    A_np, Y = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    A = leaf(A_np)
    L = nn.MSELoss()(A, Tensor(Y))
    L.backward()
    assert_close(L, np.sum((A_np - Y) ** 2) / A_np.size)
    assert_close(A.grad, 2 * (A_np - Y) / A_np.size)


@pytest.mark.parametrize("targets", ["one-hot", "indices"])
def test_hw1_cross_entropy_loss_forward_and_backward(targets: str) -> None:
    """L = -sum(Y log softmax(A)) / N, dLdA = (softmax(A) - Y) / N."""
    rng = np.random.default_rng(3)
    A_np = rng.standard_normal((6, 4))
    labels = rng.integers(0, 4, 6)
    Y = np.eye(4)[labels]
    softmax = np.exp(A_np) / np.exp(A_np).sum(axis=1, keepdims=True)
    A = leaf(A_np)
    L = nn.CrossEntropyLoss()(A, Tensor(Y) if targets == "one-hot" else Tensor(labels))
    L.backward()
    assert_close(L, -np.sum(Y * np.log(softmax)) / 6)
    assert_close(A.grad, (softmax - Y) / 6)


def test_hw1_linear_forward_dLdA_dLdW_dLdb() -> None:
    """Z = A W^T + 1 b^T; dLdA = dLdZ W, dLdW = dLdZ^T A, dLdb = dLdZ^T 1 (the handout's b is (out, 1))."""
    rng = np.random.default_rng(4)
    A_np, W, b = rng.standard_normal((4, 2)), rng.standard_normal((3, 2)), rng.standard_normal((3, 1))
    dLdZ = rng.standard_normal((4, 3))
    layer = nn.Linear(2, 3).double()
    copy_into(layer, {"weight": W, "bias": b.ravel()})
    A = leaf(A_np)
    Z = layer(A)
    Z.backward(Tensor(dLdZ))
    assert_close(Z, A_np @ W.T + np.ones((4, 1)) @ b.T)
    assert_close(A.grad, dLdZ @ W)
    assert_close(layer.weight.grad, dLdZ.T @ A_np)
    assert_close(layer.bias.grad.reshape(3, 1), dLdZ.T @ np.ones((4, 1)))


# -- HW1P1: MLP0, MLP1, MLP4 and SGD with momentum ----------------------------------------------------------------


#: the handout's MLPs: the widths of their layers, ReLU between (and after) each Linear
MLPS = {"MLP0": [2, 3], "MLP1": [2, 3, 2], "MLP4": [2, 4, 8, 8, 4, 2]}


def _reference_mlp(
    Ws: list[np.ndarray], bs: list[np.ndarray], A0: np.ndarray, dLdA: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """The handout's MLP in numpy: Linear then ReLU per layer; backward from dLdA of the last activation. Returns
    the output, dLdA0 and each layer's dLdW, dLdb."""
    As, Zs = [A0], []
    for W, b in zip(Ws, bs):
        Zs.append(As[-1] @ W.T + b)
        As.append(np.maximum(Zs[-1], 0))
    dWs, dbs = [], []
    for i in reversed(range(len(Ws))):
        dLdZ = dLdA * (Zs[i] > 0)
        dWs.insert(0, dLdZ.T @ As[i])
        dbs.insert(0, dLdZ.sum(axis=0))
        dLdA = dLdZ @ Ws[i]
    return As[-1], dLdA, dWs, dbs


@pytest.mark.parametrize("name", list(MLPS))
def test_hw1_mlp_forward_and_backward(name: str) -> None:
    widths = MLPS[name]
    rng = np.random.default_rng(5)
    Ws = [rng.standard_normal((o, i)) for i, o in itertools.pairwise(widths)]
    bs = [rng.standard_normal(o) for o in widths[1:]]
    A0, dLdA = rng.standard_normal((4, widths[0])), rng.standard_normal((4, widths[-1]))
    layers: list[nn.Module] = []
    for i, o in itertools.pairwise(widths):
        layers += [nn.Linear(i, o), nn.ReLU()]
    model = nn.Sequential(*layers).double()
    linears = [m for m in model if isinstance(m, nn.Linear)]
    for layer, W, b in zip(linears, Ws, bs):
        copy_into(layer, {"weight": W, "bias": b})
    A = leaf(A0)
    out = model(A)
    out.backward(Tensor(dLdA))
    expected, dLdA0, dWs, dbs = _reference_mlp(Ws, bs, A0, dLdA)
    assert_close(out, expected)
    assert_close(A.grad, dLdA0)
    for layer, dW, db in zip(linears, dWs, dbs):
        assert_close(layer.weight.grad, dW)
        assert_close(layer.bias.grad, db)


def test_hw1_sgd_with_momentum_over_steps() -> None:
    """The handout's SGD: v_W = mu v_W - lr dLdW, W = W + v_W (v starts at 0), is SGD(lr, momentum=mu)."""
    rng = np.random.default_rng(6)
    W, b = rng.standard_normal((3, 2)), rng.standard_normal(3)
    layer = nn.Linear(2, 3).double()
    copy_into(layer, {"weight": W, "bias": b})
    optimizer = nn.optim.SGD(layer.parameters(), lr=0.9, momentum=0.5)
    vW, vb = np.zeros_like(W), np.zeros_like(b)
    for _ in range(5):
        A, Y = rng.standard_normal((4, 2)), rng.standard_normal((4, 3))
        optimizer.zero_grad()
        nn.MSELoss()(layer(Tensor(A)), Tensor(Y)).backward()
        dLdZ = 2 * (A @ W.T + b - Y) / Y.size
        vW, vb = 0.5 * vW - 0.9 * dLdZ.T @ A, 0.5 * vb - 0.9 * dLdZ.sum(axis=0)
        W, b = W + vW, b + vb
        optimizer.step()
        assert_close(layer.weight, W)
        assert_close(layer.bias, b)


# -- HW1P1: BatchNorm1d -------------------------------------------------------------------------------------------


def _reference_batchnorm_backward(Z: np.ndarray, BW: np.ndarray, dLdBZ: np.ndarray, eps: float) -> np.ndarray:
    """The handout's dLdZ, term by term: through NZ, the batch variance V and the batch mean M."""
    N = Z.shape[0]
    M, V = Z.mean(axis=0), Z.var(axis=0)
    dLdNZ = dLdBZ * BW
    dLdV = -0.5 * np.sum(dLdNZ * (Z - M) * (V + eps) ** -1.5, axis=0)
    dNZdM = -((V + eps) ** -0.5) - 0.5 * (Z - M) * (V + eps) ** -1.5 * (-2 / N * np.sum(Z - M, axis=0))
    dLdM = np.sum(dLdNZ * dNZdM, axis=0)
    return dLdNZ * (V + eps) ** -0.5 + dLdV * (2 / N * (Z - M)) + dLdM / N


def test_hw1_batchnorm1d_train_and_inference_with_running_statistics() -> None:
    rng = np.random.default_rng(7)
    alpha, eps, features = 0.9, 1e-8, 5
    BW, Bb = rng.uniform(0.5, 1.5, features), rng.standard_normal(features)
    bn = nn.BatchNorm1d(features, eps=eps, momentum=1 - alpha).double()
    copy_into(bn, {"weight": BW, "bias": Bb, "running_mean": np.zeros(features), "running_var": np.ones(features)})
    running_M, running_V = np.zeros(features), np.ones(features)
    for _ in range(3):
        Z_np, dLdBZ = 2 + 3 * rng.standard_normal((8, features)), rng.standard_normal((8, features))
        M, V = Z_np.mean(axis=0), Z_np.var(axis=0)
        NZ = (Z_np - M) / np.sqrt(V + eps)
        bn.zero_grad()
        Z = leaf(Z_np)
        BZ = bn(Z)
        BZ.backward(Tensor(dLdBZ))
        assert_close(BZ, BW * NZ + Bb)
        assert_close(Z.grad, _reference_batchnorm_backward(Z_np, BW, dLdBZ, eps), rtol=1e-8)
        assert_close(bn.weight.grad, np.sum(dLdBZ * NZ, axis=0))
        assert_close(bn.bias.grad, np.sum(dLdBZ, axis=0))
        running_M = alpha * running_M + (1 - alpha) * M
        running_V = alpha * running_V + (1 - alpha) * V * 8 / 7  # torch's running variance is the unbiased one
        assert_close(bn.running_mean, running_M)
        assert_close(bn.running_var, running_V)
    bn.eval()
    Z_np = rng.standard_normal((6, features))
    assert_close(bn(Tensor(Z_np)), BW * (Z_np - running_M) / np.sqrt(running_V + eps) + Bb)


# -- HW2P1: resampling ----------------------------------------------------------------------------------------------


def upsample(A: Tensor, k: int, axes: tuple[int, ...]) -> Tensor:
    """The handout's Upsample: k - 1 zeros between consecutive samples along ``axes`` (W_out = k (W_in - 1) + 1),
    written with a zeros tensor and an indexed assignment, as a student ports the numpy."""
    shape = [k * (n - 1) + 1 if axis in axes else n for axis, n in enumerate(A.shape)]
    Z = autograd.zeros(tuple(shape), dtype=A.dtype)
    Z[tuple(slice(None, None, k) if axis in axes else slice(None) for axis in range(A.ndim))] = A
    return Z


def downsample(A: Tensor, k: int, axes: tuple[int, ...]) -> Tensor:
    """The handout's Downsample: every k-th sample along ``axes``, from the first."""
    return A[tuple(slice(None, None, k) if axis in axes else slice(None) for axis in range(A.ndim))]


def _numpy_upsample(A: np.ndarray, k: int, axes: tuple[int, ...]) -> np.ndarray:
    shape = [k * (n - 1) + 1 if axis in axes else n for axis, n in enumerate(A.shape)]
    Z = np.zeros(shape)
    Z[tuple(slice(None, None, k) if axis in axes else slice(None) for axis in range(A.ndim))] = A
    return Z


@pytest.mark.parametrize("k, width", [(1, 5), (2, 5), (3, 6), (4, 1), (3, 11)])
@pytest.mark.parametrize("axes", [(2,), (2, 3)], ids=["1d", "2d"])
def test_hw2_upsample_and_downsample_forward_and_backward(k: int, width: int, axes: tuple[int, ...]) -> None:
    """Upsample's backward is Downsample of dLdZ and Downsample's the Upsample of dLdZ (zeros where dropped; the
    handout's Downsample remembers W_in, so an input wider than k (W_out - 1) + 1 gets zeros at its end too)."""
    rng = np.random.default_rng(8)
    shape = (2, 3, width) if axes == (2,) else (2, 3, width, width + 2)
    A_np = rng.standard_normal(shape)
    A = leaf(A_np)
    Z = upsample(A, k, axes)
    dLdZ = rng.standard_normal(Z.shape)
    Z.backward(Tensor(dLdZ))
    assert_close(Z, _numpy_upsample(A_np, k, axes))
    assert_close(A.grad, dLdZ[tuple(slice(None, None, k) if a in axes else slice(None) for a in range(A.ndim))])
    A = leaf(A_np)
    Z = downsample(A, k, axes)
    dLdZ = rng.standard_normal(Z.shape)
    Z.backward(Tensor(dLdZ))
    expected = np.zeros(shape)
    expected[tuple(slice(None, None, k) if a in axes else slice(None) for a in range(A.ndim))] = dLdZ
    assert_close(Z, A_np[tuple(slice(None, None, k) if a in axes else slice(None) for a in range(A.ndim))])
    assert_close(A.grad, expected)


# -- HW2P1: convolutions ------------------------------------------------------------------------------------------


def _numpy_conv1d(A: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Conv1d_stride1: Z[n, o, i] = sum_{c, k} A[n, c, i + k] W[o, c, k] + b[o]."""
    K = W.shape[2]
    out = A.shape[2] - K + 1
    return (
        np.stack([np.tensordot(A[:, :, i : i + K], W, axes=([1, 2], [1, 2])) for i in range(out)], axis=2) + b[:, None]
    )


def _numpy_conv1d_backward(A: np.ndarray, W: np.ndarray, dLdZ: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Conv1d_stride1's backward: dLdW = conv of A with dLdZ, dLdb = the sums of dLdZ, dLdA = the full convolution
    of dLdZ (padded by K - 1) with the flipped kernel."""
    K = W.shape[2]
    dLdW = np.stack([np.tensordot(dLdZ, A[:, :, k : k + dLdZ.shape[2]], axes=([0, 2], [0, 2])) for k in range(K)], 2)
    padded = np.pad(dLdZ, ((0, 0), (0, 0), (K - 1, K - 1)))
    flipped = W[:, :, ::-1].transpose(1, 0, 2)
    return _numpy_conv1d(padded, flipped, np.zeros(W.shape[1])), dLdW, dLdZ.sum(axis=(0, 2))


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 0), (3, 0), (2, 1), (4, 2)])
def test_hw2_conv1d_with_stride_is_stride_one_then_downsample(stride: int, padding: int) -> None:
    """Conv1d(stride, padding): the handout's Conv1d_stride1 of the zero-padded input then Downsample(stride);
    gradients from the reference's backward (Upsample of dLdZ, then Conv1d_stride1's backward, padding cut)."""
    rng = np.random.default_rng(9)
    A_np, W, b = rng.standard_normal((2, 5, 23)), rng.standard_normal((10, 5, 4)), rng.standard_normal(10)
    padded = np.pad(A_np, ((0, 0), (0, 0), (padding, padding)))
    full = _numpy_conv1d(padded, W, b)
    layer = nn.Conv1d(5, 10, 4, stride=stride, padding=padding).double()
    copy_into(layer, {"weight": W, "bias": b})
    A = leaf(A_np)
    Z = layer(A)
    dLdZ = rng.standard_normal(Z.shape)
    Z.backward(Tensor(dLdZ))
    assert_close(Z, full[:, :, ::stride])
    dLdfull = np.zeros(full.shape)
    dLdfull[:, :, ::stride] = dLdZ
    dLdA, dLdW, dLdb = _numpy_conv1d_backward(padded, W, dLdfull)
    assert_close(A.grad, dLdA[:, :, padding : padding + A_np.shape[2]])
    assert_close(layer.weight.grad, dLdW)
    assert_close(layer.bias.grad, dLdb)


@pytest.mark.parametrize("stride, padding", [(1, 0), (2, 0), (3, 1)])
def test_hw2_conv2d_with_stride_against_torch(stride: int, padding: int) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(10)
    theirs = torch.nn.Conv2d(3, 4, (3, 2), stride=stride, padding=padding).double()
    ours = nn.Conv2d(3, 4, (3, 2), stride=stride, padding=padding).double()
    from_torch(ours, theirs)
    A_np = rng.standard_normal((2, 3, 11, 9))
    A, A_t = leaf(A_np), torch.tensor(A_np, requires_grad=True)
    Z, Z_t = ours(A), theirs(A_t)
    dLdZ = rng.standard_normal(tuple(Z_t.shape))
    Z.backward(Tensor(dLdZ))
    Z_t.backward(torch.tensor(dLdZ))
    assert_close(Z, Z_t)
    # the handout's Conv2d: stride one then Downsample2d
    full = F.conv2d(Tensor(A_np), ours.weight.detach(), ours.bias.detach(), padding=padding)
    assert_close(Z, full[:, :, ::stride, ::stride])
    assert_close(A.grad, A_t.grad)
    assert_close(ours.weight.grad, theirs.weight.grad)
    assert_close(ours.bias.grad, theirs.bias.grad)


@pytest.mark.parametrize("ndim, stride", [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2)])
def test_hw2_conv_transpose_is_upsample_then_a_flipped_kernel_convolution(ndim: int, stride: int) -> None:
    """ConvTranspose(stride) = Upsample(stride), pad by K - 1, convolve with the kernel flipped in space and its
    in/out axes swapped; its gradients (the same composite recorded) against the layer's."""
    rng = np.random.default_rng(12)
    K = 3
    spatial = (7,) if ndim == 1 else (5, 6)
    A_np = rng.standard_normal((2, 3, *spatial))
    W, b = rng.standard_normal((3, 4) + (K,) * ndim), rng.standard_normal(4)
    layer = (nn.ConvTranspose1d if ndim == 1 else nn.ConvTranspose2d)(3, 4, K, stride=stride).double()
    copy_into(layer, {"weight": W, "bias": b})
    A = leaf(A_np)
    Z = layer(A)
    dLdZ = rng.standard_normal(Z.shape)
    Z.backward(Tensor(dLdZ))
    axes = tuple(range(2, 2 + ndim))
    A_ref, W_ref, b_ref = leaf(A_np), leaf(W), leaf(b)
    up = F.pad(upsample(A_ref, stride, axes), (K - 1, K - 1) * ndim)
    kernel = W_ref.flip(axes).swapaxes(0, 1)
    Z_ref = (F.conv1d if ndim == 1 else F.conv2d)(up, kernel, b_ref)
    Z_ref.backward(Tensor(dLdZ))
    assert_close(Z, Z_ref)
    assert_close(A.grad, A_ref.grad)
    assert_close(layer.weight.grad, W_ref.grad)
    assert_close(layer.bias.grad, b_ref.grad)


def test_hw2_student_conv1d_written_with_tensordot_and_einsum_has_the_layers_gradients() -> None:
    """A Conv1d_stride1 forward written as the students do, one window at a time with np.tensordot or np.einsum
    on the library's tensors (numpy's protocol), records the same gradients as F.conv1d."""
    rng = np.random.default_rng(13)
    A_np, W_np, b_np = rng.standard_normal((2, 3, 10)), rng.standard_normal((4, 3, 3)), rng.standard_normal(4)
    dLdZ = rng.standard_normal((2, 4, 8))
    A, W, b = leaf(A_np), leaf(W_np), leaf(b_np)
    F.conv1d(A, W, b).backward(Tensor(dLdZ))
    for window in (
        lambda a, w: np.tensordot(a, w, axes=([1, 2], [1, 2])),
        lambda a, w: np.einsum("nck,ock->no", a, w),
    ):
        A2, W2, b2 = leaf(A_np), leaf(W_np), leaf(b_np)
        Z = np.stack([window(A2[:, :, i : i + 3], W2) for i in range(8)], axis=2) + b2.reshape(1, -1, 1)
        assert isinstance(Z, Tensor)
        Z.backward(Tensor(dLdZ))
        assert_close(Z, _numpy_conv1d(A_np, W_np, b_np))
        for ours, layer in ((A2, A), (W2, W), (b2, b)):
            assert_close(ours.grad, layer.grad)


# -- HW2P1: pooling and Flatten -----------------------------------------------------------------------------------


def _numpy_pool_stride1(A: np.ndarray, K: int, dLdZ: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """MaxPool2d_stride1 / MeanPool2d_stride1 and their backward: the max routes dLdZ to its (first) argmax, the
    mean spreads dLdZ / K^2 over the window."""
    N, C, H, W = A.shape
    Z, dLdA = np.zeros((N, C, H - K + 1, W - K + 1)), np.zeros(A.shape)
    for n, c, i, j in np.ndindex(Z.shape):
        window = A[n, c, i : i + K, j : j + K]
        if mode == "max":
            Z[n, c, i, j] = window.max()
            di, dj = np.unravel_index(window.argmax(), window.shape)
            dLdA[n, c, i + di, j + dj] += dLdZ[n, c, i, j]
        else:
            Z[n, c, i, j] = window.mean()
            dLdA[n, c, i : i + K, j : j + K] += dLdZ[n, c, i, j] / K**2
    return Z, dLdA


@pytest.mark.parametrize("mode", ["max", "mean"])
@pytest.mark.parametrize("K, stride", [(2, 1), (3, 1), (2, 2), (3, 2)])
def test_hw2_pooling_with_stride_is_stride_one_then_downsample(mode: str, K: int, stride: int) -> None:
    rng = np.random.default_rng(14)
    A_np = rng.standard_normal((2, 3, 8, 7))
    pool = nn.MaxPool2d(K, stride) if mode == "max" else nn.AvgPool2d(K, stride)
    A = leaf(A_np)
    Z = pool(A)
    dLdZ = rng.standard_normal(Z.shape)
    Z.backward(Tensor(dLdZ))
    upsampled = np.zeros((2, 3, 8 - K + 1, 7 - K + 1))
    upsampled[:, :, ::stride, ::stride] = dLdZ
    full, dLdA = _numpy_pool_stride1(A_np, K, upsampled, mode)
    assert_close(Z, full[:, :, ::stride, ::stride])
    assert_close(A.grad, dLdA)


def test_hw2_flatten_forward_and_backward() -> None:
    rng = np.random.default_rng(15)
    A_np = rng.standard_normal((3, 4, 5))
    dLdZ = rng.standard_normal((3, 20))
    A = leaf(A_np)
    Z = nn.Flatten()(A)
    Z.backward(Tensor(dLdZ))
    assert_close(Z, A_np.reshape(3, -1))
    assert_close(A.grad, dLdZ.reshape(A_np.shape))


# -- HW2P1: the CNN as a (distributed) scanning MLP ---------------------------------------------------------------


def test_hw2_scanning_mlp_as_conv1d_shares_the_mlps_weights() -> None:
    """The handout's scanning MLP: an MLP (8 x 24 -> 8 -> 16 -> 4, ReLU) applied to every window of 8 time steps
    with a stride of 4 is Conv1d(24, 8, 8, stride=4), Conv1d(8, 16, 1), Conv1d(16, 4, 1), the conv weights the MLP's
    reshaped: W_conv = W^T.reshape(K, C_in, C_out).transpose(2, 1, 0). Built from the MLP's tensors, the conv net's
    gradients reach the MLP's weights, equal to those of the MLP run window by window."""
    rng = np.random.default_rng(16)
    shapes = [(8 * 24, 8), (8, 16), (16, 4)]  # the handout's (in, out) matrices
    kernels = [8, 1, 1]
    arrays = [rng.standard_normal(s) / np.sqrt(s[0]) for s in shapes]
    X = rng.standard_normal((1, 24, 128))  # (N, C, T): 24 features per time step
    windows = [X[0, :, t : t + 8].T.reshape(1, -1) for t in range(0, 128 - 8 + 1, 4)]  # time-major flattening

    mlp = [leaf(w) for w in arrays]
    outs = []
    for window in windows:
        h = Tensor(window)
        for i, w in enumerate(mlp):
            h = h @ w
            h = h.relu() if i < 2 else h
        outs.append(h)
    expected = autograd.stack(outs, axis=2)  # (1, 4, windows)
    dLdZ = rng.standard_normal(expected.shape)
    expected.backward(Tensor(dLdZ))

    conv = [leaf(w) for w in arrays]
    h = Tensor(X)
    for i, (w, K) in enumerate(zip(conv, kernels)):
        weight = w.T.reshape(w.shape[1], K, w.shape[0] // K).transpose(0, 2, 1)  # (out, in, K)
        h = F.conv1d(h, weight, stride=4 if i == 0 else 1)
        h = h.relu() if i < 2 else h
    h.backward(Tensor(dLdZ))
    assert_close(h, expected)
    for ours, theirs in zip(conv, mlp):
        assert_close(ours.grad, theirs.grad)


def test_hw2_distributed_scanning_mlp_slices_the_mlps_weights() -> None:
    """The handout's distributed scanning MLP: Conv1d(24, 2, 2, stride 2), Conv1d(2, 8, 2, stride 2), Conv1d(8, 4,
    2, stride 1), their weights the top-left blocks w1[:48, :2], w2[:4, :8], w3[:16, :4] of the MLP's, reshaped as
    in the scanning MLP, then Flatten. Values and the gradients reaching the whole MLP matrices (zero outside the
    blocks) against torch's run of the same construction."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(24)
    arrays = [rng.standard_normal(s) / 4 for s in [(8 * 24, 8), (8, 16), (16, 4)]]
    blocks, kernels, strides = [(48, 2), (4, 8), (16, 4)], [2, 2, 2], [2, 2, 1]
    X = rng.standard_normal((2, 24, 128))
    results = []
    for lib, conv1d, make in (
        (autograd, F.conv1d, leaf),
        (torch, torch.nn.functional.conv1d, lambda a: torch.tensor(a, requires_grad=True)),
    ):
        mlp = [make(w) for w in arrays]
        h = lib.tensor(X) if lib is torch else Tensor(X)
        for i, (w, (rows, cols), K, stride) in enumerate(zip(mlp, blocks, kernels, strides)):
            block = w[:rows, :cols]
            weight = block.T.reshape(cols, K, rows // K).permute(0, 2, 1)  # (out, in, K)
            h = conv1d(h, weight, stride=stride)
            h = h.relu() if i < 2 else h
        out = h.flatten(1)
        out.backward((lib.tensor if lib is torch else Tensor)(np.linspace(-1, 1, out.numel()).reshape(out.shape)))
        results.append((out, mlp))
    (ours, ours_mlp), (theirs, theirs_mlp) = results
    assert_close(ours, theirs)
    for w, w_t, (rows, cols) in zip(ours_mlp, theirs_mlp, blocks):
        assert_close(w.grad, w_t.grad)
        outside = w.grad.numpy().copy()
        outside[:rows, :cols] = 0
        assert not outside.any()


# -- HW2P1: the simple CNN ----------------------------------------------------------------------------------------


def test_hw2_simple_cnn_forward_backward_and_a_step_against_torch() -> None:
    """The handout's CNN: Conv1d layers (kernel, stride) with Tanh, ReLU, Sigmoid, Flatten, Linear, the
    cross-entropy of the logits, one SGD step; every parameter's gradient and new value against torch's."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(17)

    def build(lib: Any) -> Any:
        return lib.Sequential(
            lib.Conv1d(24, 14, 5, stride=1),
            lib.Tanh(),
            lib.Conv1d(14, 7, 6, stride=2),
            lib.ReLU(),
            lib.Conv1d(7, 4, 2, stride=2),
            lib.Sigmoid(),
            lib.Flatten(),
            lib.Linear(4 * 6, 10),
        )

    theirs, ours = build(torch.nn).double(), build(nn).double()
    from_torch(ours, theirs)
    X, labels = rng.standard_normal((3, 24, 32)), rng.integers(0, 10, 3)
    A, A_t = leaf(X), torch.tensor(X, requires_grad=True)
    loss = F.cross_entropy(ours(A), Tensor(labels))
    loss_t = torch.nn.functional.cross_entropy(theirs(A_t), torch.tensor(labels))
    loss.backward()
    loss_t.backward()
    assert_close(loss, loss_t)
    assert_close(A.grad, A_t.grad)
    nn.optim.SGD(ours.parameters(), lr=0.1).step()
    torch.optim.SGD(theirs.parameters(), lr=0.1).step()
    for (name, p), (name_t, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == name_t
        assert_close(p.grad, q.grad)
        assert_close(p, q)


# -- HW3P1: RNNCell and the RNN phoneme classifier ----------------------------------------------------------------


def test_hw3_rnn_cell_forward_and_backward() -> None:
    """h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh); the handout's backward: dz = delta (1 - h_t^2),
    dW_ih = dz^T x / N, ..., dx = dz W_ih, dh_prev = dz W_hh (its /N is the batch mean of the loss: checked on
    the unscaled sums)."""
    rng = np.random.default_rng(18)
    W_ih, W_hh = rng.standard_normal((6, 4)), rng.standard_normal((6, 6))
    b_ih, b_hh = rng.standard_normal(6), rng.standard_normal(6)
    x_np, h_np, delta = rng.standard_normal((3, 4)), rng.standard_normal((3, 6)), rng.standard_normal((3, 6))
    cell = nn.RNNCell(4, 6).double()
    copy_into(cell, {"weight_ih": W_ih, "weight_hh": W_hh, "bias_ih": b_ih, "bias_hh": b_hh})
    x, h = leaf(x_np), leaf(h_np)
    h_t = cell(x, h)
    h_t.backward(Tensor(delta))
    h_ref = np.tanh(x_np @ W_ih.T + b_ih + h_np @ W_hh.T + b_hh)
    dz = delta * (1 - h_ref**2)
    assert_close(h_t, h_ref)
    assert_close(x.grad, dz @ W_ih)
    assert_close(h.grad, dz @ W_hh)
    assert_close(cell.weight_ih.grad, dz.T @ x_np)
    assert_close(cell.weight_hh.grad, dz.T @ h_np)
    assert_close(cell.bias_ih.grad, dz.sum(axis=0))
    assert_close(cell.bias_hh.grad, dz.sum(axis=0))


def test_hw3_rnn_phoneme_classifier_forward_and_backward_against_torch() -> None:
    """The handout's classifier: a stack of RNNCells over time, the output Linear on the last layer's last hidden
    state, the cross-entropy; backward through time to x, h_0 and every weight."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(19)
    theirs_rnn, ours_rnn = (
        torch.nn.RNN(5, 7, num_layers=2, batch_first=True).double(),
        nn.RNN(5, 7, num_layers=2, batch_first=True).double(),
    )
    theirs_out, ours_out = torch.nn.Linear(7, 3).double(), nn.Linear(7, 3).double()
    from_torch(ours_rnn, theirs_rnn)
    from_torch(ours_out, theirs_out)
    X, h0, labels = rng.standard_normal((4, 6, 5)), rng.standard_normal((2, 4, 7)), rng.integers(0, 3, 4)
    x, h = leaf(X), leaf(h0)
    x_t, h_t = torch.tensor(X, requires_grad=True), torch.tensor(h0, requires_grad=True)
    logits = ours_out(ours_rnn(x, h)[0][:, -1])
    logits_t = theirs_out(theirs_rnn(x_t, h_t)[0][:, -1])
    assert_close(logits, logits_t)
    # the same network as the handout writes it: one RNNCell per layer, stepped over time
    cells = [nn.RNNCell(5, 7).double(), nn.RNNCell(7, 7).double()]
    for layer, cell in enumerate(cells):
        copy_into(cell, {k: getattr(ours_rnn, f"{k}_l{layer}").detach().numpy() for k in cell.state_dict()})
    hidden = [Tensor(h0[0]), Tensor(h0[1])]
    for t in range(6):
        hidden[0] = cells[0](Tensor(X[:, t]), hidden[0])
        hidden[1] = cells[1](hidden[0], hidden[1])
    assert_close(ours_out(hidden[1]), logits_t)
    F.cross_entropy(logits, Tensor(labels)).backward()
    torch.nn.functional.cross_entropy(logits_t, torch.tensor(labels)).backward()
    assert_close(x.grad, x_t.grad)
    assert_close(h.grad, h_t.grad)
    for (name, p), (name_t, q) in zip(ours_rnn.named_parameters(), theirs_rnn.named_parameters()):
        assert name == name_t
        assert_close(p.grad, q.grad)


# -- HW3P1: GRUCell -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("batched", [False, True], ids=["one sample", "batch"])
def test_hw3_gru_cell_forward_and_every_gate_gradient(batched: bool) -> None:
    """r = s(W_rx x + b_rx + W_rh h + b_rh), z = s(W_zx x + b_zx + W_zh h + b_zh), n = tanh(W_nx x + b_nx +
    r (W_nh h + b_nh)), h' = (1 - z) n + z h: the handout's gates are torch's stacked (r, z, n) rows. The forward
    against this reference, dx, dh and the twelve gate weights' and biases' gradients against torch."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(20)
    theirs, ours = torch.nn.GRUCell(5, 2).double(), nn.GRUCell(5, 2).double()
    from_torch(ours, theirs)
    batch = (3,) if batched else ()  # the handout's GRUCell steps one sample: x (5,), h (2,)
    x_np, h_np, delta = rng.standard_normal((*batch, 5)), rng.standard_normal((*batch, 2)), rng.standard_normal(2)
    Wx, Wh = np.split(ours.weight_ih.detach().numpy(), 3), np.split(ours.weight_hh.detach().numpy(), 3)
    bx, bh = np.split(ours.bias_ih.detach().numpy(), 3), np.split(ours.bias_hh.detach().numpy(), 3)

    def sigmoid(v: np.ndarray) -> np.ndarray:
        return 1 / (1 + np.exp(-v))

    r = sigmoid(x_np @ Wx[0].T + bx[0] + h_np @ Wh[0].T + bh[0])
    z = sigmoid(x_np @ Wx[1].T + bx[1] + h_np @ Wh[1].T + bh[1])
    n = np.tanh(x_np @ Wx[2].T + bx[2] + r * (h_np @ Wh[2].T + bh[2]))
    x, h = leaf(x_np), leaf(h_np)
    x_t, h_t = torch.tensor(x_np, requires_grad=True), torch.tensor(h_np, requires_grad=True)
    out, out_t = ours(x, h), theirs(x_t, h_t)
    assert_close(out, (1 - z) * n + z * h_np)
    out.backward(Tensor(np.broadcast_to(delta, out.shape).copy()))
    out_t.backward(torch.tensor(np.broadcast_to(delta, out.shape).copy()))
    assert_close(x.grad, x_t.grad)
    assert_close(h.grad, h_t.grad)
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        for g, g_t in zip(np.split(getattr(ours, name).grad, 3), getattr(theirs, name).grad.chunk(3)):  # r, z, n
            assert_close(g, g_t)


# -- HW3P1: CTC loss, posteriors and decoding ---------------------------------------------------------------------


def _extended(target: np.ndarray, blank: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The handout's extended symbols (blank, l_1, blank, ..., l_L, blank) and the skip-connect flags (a label
    different from the label two positions back)."""
    symbols, skip = [blank], [0]
    for i, label in enumerate(target):
        symbols += [label, blank]
        skip += [int(i > 0 and target[i - 1] != label), 0]
    return np.array(symbols), np.array(skip)


def _forward_backward(y: np.ndarray, symbols: np.ndarray, skip: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The handout's alpha (forward probabilities) and beta (backward probabilities, each divided by the emission
    at its own frame, as the handout's get_backward_probs ends), (T, S)."""
    T, S = y.shape[0], symbols.size
    alpha, beta = np.zeros((T, S)), np.zeros((T, S))
    alpha[0, :2] = y[0, symbols[:2]]
    for t in range(1, T):
        alpha[t] = alpha[t - 1]
        alpha[t, 1:] += alpha[t - 1, :-1]
        alpha[t, 2:] += alpha[t - 1, :-2] * skip[2:]
        alpha[t] *= y[t, symbols]
    beta[T - 1, -2:] = y[T - 1, symbols[-2:]]
    for t in range(T - 2, -1, -1):
        beta[t] = beta[t + 1]
        beta[t, :-1] += beta[t + 1, 1:]
        beta[t, :-2] += beta[t + 1, 2:] * skip[2:]
        beta[t] *= y[t, symbols]
    return alpha, beta / y[:, symbols]


def _ctc_case(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The autograder's kind of batch: softmax probabilities (T, B, C), padded targets with repeats, lengths."""
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((15, 3, 8))
    y = np.exp(logits) / np.exp(logits).sum(axis=2, keepdims=True)
    targets = np.array([[1, 2, 2, 5, 0], [3, 3, 3, 0, 0], [7, 1, 4, 6, 2]])
    return y, targets, np.array([15, 12, 13]), np.array([4, 3, 5])


def test_hw3_ctc_loss_forward_and_backward_against_the_handouts_alpha_beta() -> None:
    """Loss: the batch mean of -log(alpha_{T-1}(S-1) + alpha_{T-1}(S-2)); dL/dy_t(k) = -sum_{s: l'_s = k}
    gamma_t(s) / y_t(k) per sample, gamma = alpha beta normalised per frame (the handout does not divide it by B)."""
    y_np, targets, input_lengths, target_lengths = _ctc_case(21)
    loss_ref, dY = 0.0, np.zeros_like(y_np)
    for b in range(3):
        y = y_np[: input_lengths[b], b]
        symbols, skip = _extended(targets[b, : target_lengths[b]])
        alpha, beta = _forward_backward(y, symbols, skip)
        gamma = alpha * beta / (alpha * beta).sum(axis=1, keepdims=True)
        loss_ref -= np.log(alpha[-1, -1] + alpha[-1, -2]) / 3
        for s, k in enumerate(symbols):
            dY[: input_lengths[b], b, k] -= gamma[:, s] / y[:, k]
    y = leaf(y_np)
    losses = nn.CTCLoss(reduction="none")(y.log(), Tensor(targets), Tensor(input_lengths), Tensor(target_lengths))
    losses.sum().backward()
    assert_close(losses.mean(), loss_ref)
    assert_close(y.grad, dY, rtol=1e-8)


def test_hw3_ctc_posteriors_are_minus_the_gradient_wrt_log_probabilities() -> None:
    """The handout's get_posterior_probs, gamma_t(s) = alpha_t(s) beta_t(s) / sum_s' alpha_t(s') beta_t(s'),
    summed over the positions of each symbol, is -dL/dlog y_t(k) of the unreduced loss."""
    y_np, targets, input_lengths, target_lengths = _ctc_case(22)
    log_y = leaf(np.log(y_np))
    F.ctc_loss(log_y, targets, input_lengths, target_lengths, reduction="sum").backward()
    for b in range(3):
        y = y_np[: input_lengths[b], b]
        symbols, skip = _extended(targets[b, : target_lengths[b]])
        alpha, beta = _forward_backward(y, symbols, skip)
        gamma = alpha * beta / (alpha * beta).sum(axis=1, keepdims=True)
        occupancy = np.zeros(y.shape)
        np.add.at(occupancy.T, symbols, gamma.T)
        assert_close(-log_y.grad[: input_lengths[b], b], occupancy, rtol=1e-8)
        assert not np.any(log_y.grad[input_lengths[b] :, b].numpy())


def _greedy(y: Tensor) -> tuple[list[int], float]:
    """The handout's greedy search on (C, T) probabilities (blank 0): the most probable symbol per frame, repeats
    merged and blanks dropped; its score the product of the chosen probabilities."""
    best = y.argmax(axis=0).tolist()
    path = [s for i, s in enumerate(best) if s != 0 and (i == 0 or s != best[i - 1])]
    return path, y.max(axis=0).prod().item()


def _beam(y: Tensor, width: int) -> dict[tuple[int, ...], float]:
    """The handout's beam search (blank 0): paths ending in a blank and ending in a symbol kept apart, each pruned
    to the ``width`` best together, merged at the end; the scores products of the library's scalars."""
    blank_end: dict[tuple[int, ...], Any] = {(): y[0, 0]}
    symbol_end: dict[tuple[int, ...], Any] = {(s,): y[s, 0] for s in range(1, y.shape[0])}
    for t in range(1, y.shape[1]):
        scores = sorted([*blank_end.values(), *symbol_end.values()], key=lambda v: -v.item())
        cutoff = scores[min(width, len(scores)) - 1].item()
        blank_end = {p: v for p, v in blank_end.items() if v.item() >= cutoff}
        symbol_end = {p: v for p, v in symbol_end.items() if v.item() >= cutoff}
        new_blank: dict[tuple[int, ...], Any] = {}
        new_symbol: dict[tuple[int, ...], Any] = {}
        for path, score in itertools.chain(blank_end.items(), symbol_end.items()):
            new_blank[path] = new_blank.get(path, 0) + score * y[0, t]
        for path, score in blank_end.items():
            for s in range(1, y.shape[0]):
                new_symbol[(*path, s)] = new_symbol.get((*path, s), 0) + score * y[s, t]
        for path, score in symbol_end.items():
            for s in range(1, y.shape[0]):
                extended = path if s == path[-1] else (*path, s)
                new_symbol[extended] = new_symbol.get(extended, 0) + score * y[s, t]
        blank_end, symbol_end = new_blank, new_symbol
    merged = {p: v.item() for p, v in blank_end.items()}
    for path, score in symbol_end.items():
        merged[path] = merged.get(path, 0.0) + score.item()
    return merged


def test_hw3_greedy_and_beam_search_decoding() -> None:
    """Greedy search against numpy; a beam wide enough to keep every path scores each labelling with its total
    probability over alignments, exp(-ctc_loss), and its best labelling is the most probable one."""
    rng = np.random.default_rng(23)
    y_np = rng.dirichlet(np.ones(3), size=5).T  # (C=3 with blank 0, T=5)
    path, score = _greedy(Tensor(y_np))
    best = y_np.argmax(axis=0)
    assert path == [int(s) for i, s in enumerate(best) if s != 0 and (i == 0 or s != best[i - 1])]
    assert score == pytest.approx(np.prod(y_np.max(axis=0)), rel=1e-12)
    merged = _beam(Tensor(y_np), width=3**5)
    assert sum(merged.values()) == pytest.approx(1.0, rel=1e-12)
    log_probs = np.log(y_np.T)[:, None]
    for labels, probability in merged.items():
        loss = F.ctc_loss(log_probs, np.array([labels], dtype=np.int64), [5], [len(labels)], reduction="sum")
        assert probability == pytest.approx(math.exp(-loss.item()), rel=1e-10), labels
    narrow = _beam(Tensor(y_np), width=2)
    assert max(narrow, key=narrow.get) in merged
