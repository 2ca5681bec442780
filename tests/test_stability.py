"""Numerical stability at extreme but legal inputs (+-1e4) in float32 and float64: softmax,
log_softmax, logsumexp, sigmoid, tanh, softplus and exp(-1e4) give finite results and gradients
without RuntimeWarnings or floating-point errors; exp(+1e4) overflows to inf, silently as in torch."""

import warnings

import numpy as np
import pytest

from autograd import Tensor

DTYPES = [np.float32, np.float64]
BIG = 1e4


def _forward_backward(method: str, data: np.ndarray, **kwargs):
    """Run method(**kwargs) and backward with a ones seed, failing on any warning or FP error."""
    x = Tensor(data, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            y = getattr(x, method)(**kwargs)
            y.backward(np.ones(y.shape, dtype=data.dtype))
    assert y.dtype == data.dtype and x.grad.dtype == data.dtype
    return y.data, x.grad


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("method", "kwargs", "expected_value", "expected_grad"),
    [
        ("sigmoid", {}, [0.0, 1.0, 0.5], [0.0, 0.0, 0.25]),
        ("tanh", {}, [-1.0, 1.0, 0.0], [0.0, 0.0, 1.0]),
        ("softplus", {}, [0.0, BIG, np.log(2.0)], [0.0, 1.0, 0.5]),
        ("softmax", {"axis": 0}, [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]),
        ("log_softmax", {"axis": 0}, [-2 * BIG, 0.0, -BIG], [1.0, -2.0, 1.0]),
        ("logsumexp", {}, BIG, [0.0, 1.0, 0.0]),
    ],
)
def test_function_at_plus_minus_1e4_is_finite_with_limit_values_and_gradients(
    dtype, method, kwargs, expected_value, expected_grad
):
    value, grad = _forward_backward(method, np.array([-BIG, BIG, 0.0], dtype=dtype), **kwargs)
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(grad))
    np.testing.assert_allclose(value, expected_value, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(grad, expected_grad, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("method", ["softmax", "log_softmax", "logsumexp"])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_normalizers_of_rows_of_equal_huge_values_are_exact(dtype, method, sign):
    data = np.full((2, 4), sign * BIG, dtype=dtype)
    value, grad = _forward_backward(method, data, axis=1)
    expected = {
        "softmax": np.full((2, 4), 0.25),
        "log_softmax": np.full((2, 4), -np.log(4.0)),
        "logsumexp": np.full(2, sign * BIG + np.log(4.0)),
    }[method]
    np.testing.assert_allclose(value, expected, rtol=1e-6)
    assert np.all(np.isfinite(grad))
    # softmax rows sum to 1 (zero gradient for a ones seed); the others spread 1 - 4 * 0.25 or 0.25
    expected_grad = {"softmax": 0.0, "log_softmax": 0.0, "logsumexp": 0.25}[method]
    np.testing.assert_allclose(grad, np.full((2, 4), expected_grad), atol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_softmax_over_mixed_extremes_along_each_axis(dtype):
    data = np.array([[BIG, -BIG, 0.0], [-BIG, -BIG, BIG]], dtype=dtype)
    for axis in (0, 1):
        value, grad = _forward_backward("softmax", data, axis=axis)
        np.testing.assert_allclose(value.sum(axis=axis), 1.0, rtol=1e-6)
        assert np.all(np.isfinite(grad))


@pytest.mark.parametrize("dtype", DTYPES)
def test_exp_underflows_to_zero_silently(dtype):
    value, grad = _forward_backward("exp", np.array([-BIG, 0.0], dtype=dtype))
    np.testing.assert_array_equal(value, [0.0, 1.0])
    np.testing.assert_array_equal(grad, [0.0, 1.0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_exp_overflows_to_inf_without_a_warning(dtype):
    # e**1e4 is not representable: the result is IEEE inf, with no RuntimeWarning (torch gives none either).
    x = Tensor(np.array([BIG], dtype=dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = x.exp()
        y.backward(np.ones(1, dtype=dtype))
    assert y.data[0] == np.inf and x.grad[0] == np.inf


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("method", ["mish", "silu", "swish", "elu"])
def test_composite_activations_at_1e4_are_finite(dtype, method):
    value, grad = _forward_backward(method, np.array([-BIG, BIG], dtype=dtype))
    np.testing.assert_allclose(value, [-1.0 if method == "elu" else 0.0, BIG], rtol=1e-6)
    np.testing.assert_allclose(grad, [0.0, 1.0], atol=1e-6)
