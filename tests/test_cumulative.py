"""autograd.cumulative beyond the op table: cumprod's exact gradient at zeros, cumsum's adjoint, errors."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import autograd.cumulative as cu
from autograd import Tensor


def test_cumprod_gradient_is_exact_where_an_entry_is_zero():
    x = Tensor(np.array([2.0, 0.0, 3.0, 0.0]), requires_grad=True)
    cu.cumprod(x).sum().backward()
    # d/dx_k sum_j prod_{i<=j} x_i = sum_{j>=k} prod_{i<=j, i!=k} x_i
    np.testing.assert_array_equal(x.grad, [1.0, 2.0 + 6.0, 0.0, 0.0])


def test_cumsum_second_derivative_through_its_adjoint_is_checked():
    assert ag.gradgradcheck(lambda t: (cu.cumsum(t, 0) ** 2).sum(), [np.array([[0.5, -1.0], [2.0, 0.3]])])


def test_cumulative_ops_reject_a_bad_axis():
    with pytest.raises(ValueError, match="cumsum: axis 2 is out of bounds for an array of dimension 2"):
        cu.cumsum(np.ones((2, 2)), axis=2)
    with pytest.raises(TypeError, match="cumprod: axis must be an integer or None, got float"):
        cu.cumprod(np.ones(2), axis=0.0)
    with pytest.raises(
        ValueError, match=r"cumsum: axis 1 is out of bounds for an array of dimension 0 \(expected in range \[-1, 0\]\)"
    ):
        cu.cumsum(np.float64(1.0), axis=1)  # axis 0 and -1 of a 0-d array are the array itself, as in torch


def test_diff_rejects_a_negative_order_and_a_0d_input():
    with pytest.raises(ValueError, match="diff: order n must be a non-negative integer, got -1"):
        cu.diff(np.ones(3), n=-1)
    with pytest.raises(ValueError, match="diff: needs at least one dimension, got a 0-d array"):
        cu.diff(np.float64(1.0))


@pytest.mark.parametrize(
    "dtype, result_dtype",
    [(np.bool_, np.int64), (np.int32, np.int64), (np.uint8, np.int64), (np.int64, np.int64), (np.float32, np.float32)],
)
def test_cumprod_of_integers_and_booleans_has_torchs_dtype_and_numpys_values(dtype, result_dtype):
    a = np.array([[1, 2, 3], [0, 1, 2]], dtype=dtype)
    result = ag.cumprod(Tensor(a), axis=1)
    assert result.dtype == result_dtype  # torch's int64 (numpy's cumprod of uint8 is uint64)
    np.testing.assert_array_equal(result.data, np.cumprod(a, axis=1))


def test_quantile_of_float32_stays_float32_for_every_interpolation():
    x = Tensor(np.array([1.0, 2.0, 3.0, 7.0], dtype=np.float32), requires_grad=True)
    for interpolation in ("linear", "lower", "higher", "midpoint", "nearest"):
        result = x.quantile(0.3, interpolation=interpolation)
        assert result.dtype == np.float32
        np.testing.assert_allclose(
            result.data, np.quantile(x.data.astype(np.float64), 0.3, method=interpolation), rtol=1e-6
        )


def _cumprod_gradient_by_products(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """d/dx_k sum_j g_j prod_{i <= j} x_i = sum_{j >= k} g_j prod_{i <= j, i != k} x_i along the last axis, every
    product multiplied out (O(n^3), float64)."""
    n = x.shape[-1]
    grad = np.zeros_like(x, dtype=np.float64)
    for k in range(n):
        for j in range(k, n):
            with np.errstate(over="ignore"):
                others = np.prod(np.delete(x[..., : j + 1], k, axis=-1).astype(np.float64), axis=-1)
            grad[..., k] += g[..., j] * others
    return grad


@pytest.mark.parametrize(
    "rows",
    [
        [[0.5, -1.5, 2.0, 0.8, -0.3]],  # no zero
        [[0.0, 2.0, 3.0, 0.5, 1.5]],  # a zero first
        [[2.0, 0.0, 3.0, 0.0, 4.0], [1.5, 2.0, -1.0, 0.5, 0.0]],  # two zeros; a zero last
        [[1e-200, 1e-200, 3.0, 2.0, 1e-150]],  # running products underflow; the products of the others do not
        [[1e300, 1e10, 1e-300, 2.0, 0.5]],  # a running product overflows
    ],
)
def test_cumprod_gradient_equals_the_products_of_the_other_entries(rows):
    x = np.array(rows)
    g = np.linspace(-1.0, 2.0, x.size).reshape(x.shape)
    ours = Tensor(x.copy(), requires_grad=True)
    (cu.cumprod(ours, axis=1) * Tensor(g)).sum().backward()
    np.testing.assert_allclose(ours.grad, _cumprod_gradient_by_products(x, g), rtol=1e-12, atol=0)


@pytest.mark.parametrize("axis", [0, 1, -1, None])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("zeros", [False, True])
def test_cumprod_values_and_gradient_match_torch(axis, dtype, zeros):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x = rng.uniform(0.5, 1.5, size=(4, 6, 5)) * rng.choice([-1.0, 1.0], size=(4, 6, 5))
    if zeros:
        x[rng.random(x.shape) < 0.15] = 0.0
    x = x.astype(dtype)
    g = rng.standard_normal(x.shape if axis is not None else (x.size,)).astype(dtype)
    ours = Tensor(x.copy(), requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    out = ag.cumprod(ours, axis=axis)
    expected = torch.cumprod(theirs.reshape(-1), 0) if axis is None else torch.cumprod(theirs, axis)
    tolerance = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-14}
    np.testing.assert_allclose(out.data, expected.detach().numpy(), **tolerance)
    (out * Tensor(g)).sum().backward()
    (expected * torch.from_numpy(g)).sum().backward()
    assert ours.grad.dtype == dtype
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), **tolerance)


@pytest.mark.parametrize(
    "x", [[[0.5, -1.0, 0.7], [2.0, 0.3, 1.1]], [[0.5, 0.0, 0.7], [0.0, 0.3, 0.0]], [[1e-98, 2.0, 0.5]]]
)
def test_cumprod_second_derivatives_match_finite_differences(x):
    assert ag.gradgradcheck(lambda t: (cu.cumprod(t, 1) ** 2 + cu.cumprod(t, 1)).sum(), [np.array(x)])


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_logcumsumexp_values_and_gradient_match_torch(axis, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    x = (rng.standard_normal((5, 40, 3)) * 30).astype(dtype)  # wide range: e^x over- and underflows
    g = rng.standard_normal(x.shape).astype(dtype)
    ours, theirs = Tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ag.logcumsumexp(ours, axis), torch.logcumsumexp(theirs, axis)
    tolerance = {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}
    np.testing.assert_allclose(out.data, expected.detach().numpy(), **tolerance)
    (out * Tensor(g)).sum().backward()
    (expected * torch.from_numpy(g)).sum().backward()
    assert ours.grad.dtype == dtype
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), **tolerance)


def test_logcumsumexp_gradient_at_infinities_and_nan_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.array(
        [[-np.inf, -np.inf, 1.0, 2.0, np.inf, 3.0], [np.nan, 1.0, 2.0, 0.0, 0.0, 0.0], [1e3, -1e3, 5.0, 0, 1, 2]]
    )
    g = np.linspace(-1.0, 1.5, x.size).reshape(x.shape)
    ours, theirs = Tensor(x.copy(), requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ag.logcumsumexp(ours, 1), torch.logcumsumexp(theirs, 1)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, equal_nan=True)
    (out * Tensor(g)).sum().backward()
    (expected * torch.from_numpy(g)).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-15, equal_nan=True)


def test_logcumsumexp_second_derivatives_match_finite_differences():
    x = np.array([[0.5, -1.0, 2.0, 0.3], [-3.0, 1.5, 0.0, 0.2]])
    assert ag.gradgradcheck(lambda t: (ag.logcumsumexp(t, 1) ** 2).sum(), [x])
    assert ag.gradgradcheck(lambda t: (ag.logcumsumexp(t, 0) * ag.logcumsumexp(t, 0)).sum(), [x])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_torch_named_cumsum_starts_from_positive_zero_as_torchs(dtype):
    """torch's running sum starts from +0.0: a leading run of -0.0 sums to +0.0 (a 0-d tensor is copied)."""
    torch = pytest.importorskip("torch")
    data = np.array([[-0.0, -0.0, 1.0, -0.0], [-0.0, 2.0, -0.0, -0.0], [1.0, -0.0, -0.0, np.nan]], dtype=dtype)
    for dim in (0, 1, -1):
        expected = torch.tensor(data).cumsum(dim).numpy()
        for got in (Tensor(data).cumsum(dim), ag.cumsum(Tensor(data), dim=dim), Tensor(data).clone().cumsum_(dim)):
            np.testing.assert_array_equal(got.data, expected)
            np.testing.assert_array_equal(np.signbit(got.data), np.signbit(expected))
    zero = np.array(-0.0, dtype=dtype)
    assert np.signbit(Tensor(zero).cumsum(0).data) == np.signbit(torch.tensor(zero).cumsum(0).numpy())


def test_numpys_cumsum_of_a_tensor_keeps_numpys_leading_negative_zero():
    data = np.array([[-0.0, -0.0, 1.0], [-0.0, 2.0, -0.0]])
    for axis in (0, 1):
        for got, expected in (
            (np.cumsum(Tensor(data), axis), np.cumsum(data, axis)),
            (np.add.accumulate(Tensor(data), axis), np.add.accumulate(data, axis)),
        ):
            np.testing.assert_array_equal(np.signbit(got.data), np.signbit(expected))


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_cumsum_gradient_matches_torch_and_its_rule_gives_it_contiguous(axis, dtype):
    """d/dx_k = sum_{j >= k} g_j, accumulated wide as torch's; the rule runs along a flipped view and stores
    through one, so its result is C-contiguous in x's order (no flipped view for the leaf to copy)."""
    torch = pytest.importorskip("torch")
    from autograd.derivatives.cumulative import reverse_cumsum_data

    rng = np.random.default_rng(12)
    x = rng.standard_normal((5, 40, 3)).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)
    g[1, 7, 2], g[3, 30, 0] = np.inf, -np.inf
    ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ag.cumsum(ours, dim=axis).backward(g)
    torch.cumsum(theirs, axis).backward(torch.from_numpy(g))
    assert ours.grad.dtype == dtype
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())
    assert reverse_cumsum_data(g, axis).flags.c_contiguous


@pytest.mark.parametrize("value", [-np.inf, np.inf, np.nan, 1.5])
@pytest.mark.parametrize("dim", [0, -1])
def test_logcumsumexp_of_a_0d_tensor_is_a_copy_whose_gradient_is_g_as_torchs(value, dim):
    torch = pytest.importorskip("torch")
    theirs = torch.tensor(value, dtype=torch.float64, requires_grad=True)
    (theirs.logcumsumexp(dim) * 3.0).backward()
    ours = Tensor(np.float64(value), requires_grad=True)
    out = ours.logcumsumexp(dim)
    (out * 3.0).backward()
    assert out.shape == () and np.array_equal(out.data, theirs.detach().numpy(), equal_nan=True)
    assert ours.grad == theirs.grad.item() == 3.0
