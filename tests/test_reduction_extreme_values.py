"""Reductions and losses at extreme but legal inputs (empty slices, the largest values of a dtype, float16):
torch's values and gradients, and no numpy RuntimeWarning."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.int64, np.bool_])
@pytest.mark.parametrize(("shape", "axis"), [((2, 0), -1), ((0, 3), 0), ((0,), None), ((0, 3), None)])
def test_mean_of_an_empty_slice_is_nan_without_a_warning(dtype, shape, axis):
    x = Tensor(np.zeros(shape, dtype), requires_grad=dtype in (np.float16, np.float32, np.float64))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mean = x.mean(axis)
        if x.requires_grad:
            mean.sum().backward()
    expected_shape = () if axis is None else tuple(n for i, n in enumerate(shape) if i != axis % len(shape))
    assert mean.shape == expected_shape
    assert mean.dtype == (dtype if dtype in (np.float16, np.float32, np.float64) else np.float64)
    assert np.isnan(mean.data).all()
    if x.requires_grad:
        assert x.grad.shape == shape and x.grad.dtype == dtype
    torch = pytest.importorskip("torch")
    if dtype in (np.float16, np.float32, np.float64):  # torch's mean refuses integers
        t = torch.zeros(shape, dtype=getattr(torch, np.dtype(dtype).name))
        expected = t.mean() if axis is None else t.mean(axis)
        np.testing.assert_array_equal(mean.data, expected.numpy())


def test_float16_mean_accumulates_in_float32_and_l1_loss_of_empty_float16_batches_is_nan_without_a_warning():
    x = Tensor(np.full(4096, 0.1, np.float16))
    assert x.mean().item() == pytest.approx(0.1, rel=1e-3)
    empty = Tensor(np.zeros(0, np.float16), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.l1_loss(empty, np.zeros(0, np.float16))
        loss.backward()
    assert loss.dtype == np.float16 and np.isnan(loss.item())
    assert empty.grad.shape == (0,)


TINY = np.array([[3e-160, -4e-160], [6e-161, 8e-161]])  # norms 5e-160, 1e-160: 1 / norm^2 overflows float64


def _unit_vector_gradient(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """d/dx sum(weights * x / ||x||) row by row, (w - (w . u) u) / ||x|| with u = x / ||x||, in rescaled numbers."""
    scaled = x * 1e160
    norms = np.linalg.norm(scaled, axis=1, keepdims=True)
    unit = scaled / norms
    return (weights - (weights * unit).sum(1, keepdims=True) * unit) / norms * 1e160


@pytest.mark.parametrize(
    "call",
    [
        lambda functional, x, w: (x / x.norm(dim=1, keepdim=True) * w).sum(),
        lambda functional, x, w: (functional.normalize(x, eps=0.0) * w).sum(),
    ],
    ids=["x / norm", "normalize(eps=0)"],
)
def test_two_norm_gradient_stays_finite_at_norms_whose_square_underflows(call):
    weights = np.array([[1.0, 2.0], [-3.0, 0.5]])
    x = Tensor(TINY.copy(), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        call(F, x, Tensor(weights)).backward()
    assert np.isfinite(x.grad).all()
    np.testing.assert_allclose(x.grad, _unit_vector_gradient(TINY, weights), rtol=1e-4)  # subnormal squares
    torch = pytest.importorskip("torch")
    t = torch.tensor(TINY, requires_grad=True)
    call(torch.nn.functional, t, torch.tensor(weights)).backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12)


def test_cosine_similarity_without_eps_has_a_finite_gradient_at_tiny_vectors():
    other = np.array([[1.0, 2.0], [2.0, -1.0]])
    x = Tensor(TINY.copy(), requires_grad=True)
    F.cosine_similarity(x, other, eps=0.0).sum().backward()
    unit_other = other / np.linalg.norm(other, axis=1, keepdims=True)
    np.testing.assert_allclose(x.grad, _unit_vector_gradient(TINY, unit_other), rtol=1e-4)
    torch = pytest.importorskip("torch")
    t = torch.tensor(TINY, requires_grad=True)
    torch.nn.functional.cosine_similarity(t, torch.tensor(other), eps=0.0).sum().backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12)


def test_two_norm_is_differentiable_twice_and_zero_at_a_zero_vector():
    x = Tensor(np.array([[3.0, 4.0], [0.0, 0.0]]), requires_grad=True)
    (first,) = autograd.grad(x.norm(dim=1).sum(), [x], create_graph=True)
    np.testing.assert_allclose(first.data, [[0.6, 0.8], [0.0, 0.0]])
    (second,) = autograd.grad((first * Tensor(np.array([[1.0, 0.0], [1.0, 0.0]]))).sum(), [x])
    # d/dx (x_1 / ||x||) = (e_1 - u_1 u) / ||x|| = ([1, 0] - 0.6 [0.6, 0.8]) / 5 on the first row
    np.testing.assert_allclose(second, [[0.128, -0.096], [0.0, 0.0]])


@pytest.mark.parametrize("reduction", ["var", "std"])
@pytest.mark.parametrize("ddof", [0, 1])
def test_variance_gradient_is_exact_beside_huge_offsets(reduction, ddof):
    # the deviations from the mean, rounded beside +-1e17, no longer sum to 0: a gradient that goes through the
    # recorded mean subtraction picks up their sum; the exact one is 2 (x_i - m) / (n - ddof) (std: over 2 std)
    values = np.array([1e17, -1e17, 0.0, 1.0])
    x = Tensor(values, requires_grad=True)
    getattr(x, reduction)(ddof=ddof).backward()
    mean = 0.25  # exact: the two offsets cancel
    divisor = values.size - ddof
    expected = 2 * (values - mean) / divisor
    if reduction == "std":
        expected /= 2 * np.sqrt(np.sum((values - mean) ** 2) / divisor)
    np.testing.assert_allclose(x.grad, expected, rtol=1e-12)


def test_variance_second_derivative_keeps_the_means_share():
    # d2 var / dx_i dx_j = 2 (delta_ij - 1/n) / (n - ddof), checked against finite differences of the gradient
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((3, 4)), requires_grad=True)
    assert autograd.gradgradcheck(lambda t: t.var(axis=1, ddof=1), (x,))
    (gradient,) = autograd.grad(x.var(), x, create_graph=True)
    (hessian_row,) = autograd.grad(gradient[0, 0], x)
    n = x.data.size
    expected = np.full((3, 4), -2.0 / n / n)
    expected[0, 0] += 2.0 / n
    np.testing.assert_allclose(hessian_row, expected, rtol=1e-12, atol=1e-15)
