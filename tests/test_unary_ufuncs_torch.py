"""Unary ufuncs against torch, after PyTorch's test/test_unary_ufuncs.py and its UnaryUfuncInfo entries.

Each op (the function ``autograd.<name>``, the Tensor method, and the nn.functional activations) is run here and in
torch on extremal values (nan, +-inf), large values (1e20 .. 1e300 as the dtype allows), small ones (denormals,
+-0.0) and ordinary points, for float64, float32, float16, integer and boolean inputs; the values (within the dtype's
tolerance, signs of zeros and infinities included), the result dtypes and the gradients are compared.

Deliberate differences are left out, each with its reason where it is skipped: float64 is this library's default
dtype (integer inputs of floating ops give float64, torch float32); ``sign(nan)`` is nan (numpy's); ops torch has
not implemented for booleans or integers (``abs(bool)``, ``frac(int)``, ``elu(int)``) are computed here; and where
torch's result is less accurate than float64 allows (``sinc'`` near 0, ``sigmoid(-710)``, digamma's poles, ``i1(710)``)
the exact value is kept. torch's vectorised CPU kernels give some results at nan that its scalar kernels do not
(relu6'(nan) is 0 in a block of 8 doubles, 1 alone); the gradients at nan are compared one element at a time.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")


def _same(ours, expected, rtol, what=""):
    """Equal within ``rtol``, nan where torch's is nan, and zeros and infinities of the same sign."""
    ours, expected = np.asarray(ours, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    np.testing.assert_allclose(ours, expected, rtol=rtol, atol=0, equal_nan=True, err_msg=what)
    signs = ~np.isnan(expected)
    np.testing.assert_array_equal(np.signbit(ours)[signs], np.signbit(expected)[signs], err_msg=f"{what}: sign")


# -- integer and boolean inputs ----------------------------------------------------------------------------------


def test_square_of_booleans_is_int64_as_torch():
    b = np.array([True, False])
    expected = torch.square(torch.tensor(b))
    for got in (autograd.square(Tensor(b)), Tensor(b).square()):
        assert got.data.dtype == np.int64 == np.dtype(str(expected.dtype).removeprefix("torch."))
        np.testing.assert_array_equal(got.data, expected.numpy())


# -- signs of zeros ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.int64, np.bool_])
def test_lgamma_is_plus_zero_at_one_and_two_as_torch(dtype):
    x = np.array([1, 2, 1, True][: 2 if dtype is np.bool_ else 3], dtype=dtype)
    expected = torch.lgamma(torch.tensor(x)).numpy()
    for got in (autograd.lgamma(Tensor(x)), Tensor(x).lgamma()):
        _same(got.data, expected, rtol=0, what="lgamma")


INTEGER_CLIPS = [
    ("relu", {}),
    ("relu6", {}),
    ("hardtanh", {}),
    ("hardtanh", {"min_val": -0.5, "max_val": 2.5}),
    ("hardtanh", {"min_val": -3.0, "max_val": 100.0}),
]


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.int8])
@pytest.mark.parametrize(("name", "kwargs"), INTEGER_CLIPS)
def test_relu_relu6_hardtanh_keep_integer_dtypes_as_torch(name, kwargs, dtype):
    import nn.functional as F

    x = np.array([-100, -3, -1, 0, 1, 2, 3, 6, 7, 100], dtype=dtype)
    expected = getattr(torch.nn.functional, name)(torch.tensor(x), **kwargs).numpy()
    got = getattr(F, name)(Tensor(x), **kwargs)
    assert got.data.dtype == expected.dtype
    np.testing.assert_array_equal(got.data, expected)


def test_relu6_of_uint8_keeps_uint8_and_negative_hardtanh_limits_are_refused_as_torch():
    import nn.functional as F
    from autograd import ArgumentRangeError

    x = np.array([0, 3, 200], dtype=np.uint8)
    for name in ("relu", "relu6"):
        expected = getattr(torch.nn.functional, name)(torch.tensor(x)).numpy()
        got = getattr(F, name)(Tensor(x))
        assert got.data.dtype == np.uint8
        np.testing.assert_array_equal(got.data, expected)
    with pytest.raises(RuntimeError):
        torch.nn.functional.hardtanh(torch.tensor(x))
    with pytest.raises(ArgumentRangeError, match="hardtanh"):
        F.hardtanh(Tensor(x))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize(
    "name",
    ["relu", "elu", "clamp_min_zero", "clamp_max_zero"],
)
def test_relu_elu_and_one_bound_clamp_keep_minus_zero_in_every_float_dtype_as_torch(name, dtype):
    # numpy's float16 maximum / minimum return their first operand at a tie (float32 and float64 the second)
    x = np.array([-0.0, 0.0, -1.5, 2.0, np.nan], dtype=dtype)
    ours_of, torch_of = {
        "relu": (lambda t: t.relu(), torch.relu),
        "elu": (lambda t: t.elu(), torch.nn.functional.elu),
        "clamp_min_zero": (lambda t: t.clamp(min=0.0), lambda t: torch.clamp(t, min=0.0)),
        "clamp_max_zero": (lambda t: t.clamp(max=-0.0), lambda t: torch.clamp(t, max=-0.0)),
    }[name]
    expected = torch_of(torch.tensor(x)).numpy()
    got = ours_of(Tensor(x))
    assert got.data.dtype == expected.dtype
    _same(got.data, expected, rtol=1e-3, what=name)
