"""Tests for local response normalisation: F.local_response_norm and nn.LocalResponseNorm against a loop
over the definition, torch, and finite differences; argument errors."""

import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck


def naive_lrn(x, size, alpha, beta, k):
    """b_c = a_c / (k + alpha / size * sum of a_c'^2 for c' in [c - size//2, c + (size-1)//2])^beta, by a loop."""
    out = np.empty_like(x)
    channels = x.shape[1]
    for c in range(channels):
        low, high = max(0, c - size // 2), min(channels - 1, c + (size - 1) // 2)
        total = (x[:, low : high + 1] ** 2).sum(axis=1)
        out[:, c] = x[:, c] / (k + alpha / size * total) ** beta
    return out


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 9])
@pytest.mark.parametrize("shape", [(2, 6, 3, 4), (2, 5, 7), (1, 3, 2, 2, 2)])
def test_local_response_norm_matches_the_definition(size, shape):
    x = np.random.default_rng(size).standard_normal(shape) * 3
    out = F.local_response_norm(x, size, alpha=0.1, beta=0.6, k=2.0)
    np.testing.assert_allclose(out.data, naive_lrn(x, size, 0.1, 0.6, 2.0), rtol=1e-12)


@pytest.mark.parametrize("size", [2, 3, 5])
def test_local_response_norm_matches_torch_values_and_gradients(size):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(10 + size)
    x_np, upstream = rng.standard_normal((2, 7, 4, 3)) * 4, rng.standard_normal((2, 7, 4, 3))
    x, x_torch = Tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    out = F.local_response_norm(x, size, alpha=0.3, beta=0.75, k=1.5)
    expected = torch.nn.functional.local_response_norm(x_torch, size, alpha=0.3, beta=0.75, k=1.5)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-14)
    out.backward(upstream)
    expected.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(x.grad, x_torch.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_local_response_norm_module_matches_torch_with_alexnet_constants_in_float32():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(3).standard_normal((2, 8, 5, 5)).astype(np.float32) * 10
    layer = nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)
    expected = torch.nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)(torch.from_numpy(x)).numpy()
    out = layer(Tensor(x))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, expected, rtol=1e-5)
    assert layer.parameters() == []


@pytest.mark.parametrize("size", [1, 3, 4])
def test_local_response_norm_gradients_match_finite_differences(size):
    x = np.random.default_rng(4).standard_normal((2, 5, 3, 2))
    assert gradcheck(lambda x: F.local_response_norm(x, size, alpha=0.5, beta=0.75, k=1.0), [x])
    assert gradgradcheck(lambda x: F.local_response_norm(x, size, alpha=0.5, beta=1.5, k=0.5).sum(), [x[:1, :, :1]])


def test_local_response_norm_is_finite_without_warnings_for_large_inputs():
    x = Tensor(np.array([[[1e30], [-1e30], [0.0]]]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.local_response_norm(x, 2, alpha=1e-4)
        out.sum().backward()
    assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x.grad))


def test_local_response_norm_module_repr_shows_its_constants():
    assert repr(nn.LocalResponseNorm(5, k=2)) == "LocalResponseNorm(5, alpha=0.0001, beta=0.75, k=2)"  # as torch


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: F.local_response_norm(np.ones((2, 3)), 2),
            ValueError,
            r"local_response_norm: expected an input .*\(2, 3\)",
        ),
        (
            lambda: F.local_response_norm(np.ones((1, 3, 2)), 0),
            ValueError,
            "local_response_norm: size must be a positive integer, got 0",
        ),
        (
            lambda: F.local_response_norm(np.ones((1, 3, 2)), 2.0),
            TypeError,
            "local_response_norm: size must be a positive integer, got 2.0",
        ),
        (lambda: F.local_response_norm(np.ones((1, 3, 2)), 2, beta=np.nan), ValueError, "beta must be finite"),
        (lambda: nn.LocalResponseNorm(-1), ValueError, "LocalResponseNorm: size must be a positive integer, got -1"),
        (lambda: nn.LocalResponseNorm(3, alpha="1"), TypeError, "LocalResponseNorm: alpha must be a real number"),
        (lambda: nn.LocalResponseNorm(3, k=np.inf), ValueError, "LocalResponseNorm: k must be finite"),
    ],
)
def test_local_response_norm_rejects_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_integer_input_takes_torchs_integer_mean_of_the_squares(size):
    """torch's local_response_norm of int64 averages the integer squares with an integer average pool (the sum
    divided by size, rounded down) before the float32 power; an empty input comes back as it is."""
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(12).integers(-9, 10, (2, 6, 3))
    expected = torch.nn.functional.local_response_norm(torch.tensor(x), size, alpha=3e-2, beta=0.5, k=1.25)
    before = autograd.get_default_dtype()
    autograd.set_default_dtype(np.float32)  # torch's, which its float32 result is in
    try:
        got = F.local_response_norm(Tensor(x), size, alpha=3e-2, beta=0.5, k=1.25)
    finally:
        autograd.set_default_dtype(before)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1.3e-6, atol=1e-5)
    empty = np.zeros((0, 1, 2), np.int64)
    assert F.local_response_norm(Tensor(empty), size).dtype == np.int64
