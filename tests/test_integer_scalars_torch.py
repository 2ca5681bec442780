"""A Python (or numpy) integer beside an integer tensor, compared with torch: the result keeps the tensor's dtype and
the number is wrapped into it (``uint8 + (-1)`` is ``uint8 + 255``) in arithmetic, bitwise ops and comparisons, their
method, function and in-place forms; ``where`` and ``pow`` refuse a number the dtype cannot hold, as torch's
RuntimeError; true division divides by the number itself."""

from __future__ import annotations

import operator
import warnings

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")

DTYPES = ["uint8", "int8", "int16", "int32", "int64"]
NUMBERS = [-1, 300, -129, 2**40 + 3, 2**63 + 5, -(2**63), np.int64(-256), 7]

#: (name, call) for a tensor ``t`` and a number ``n``, each spelled the same for torch and here (``m`` the module)
CALLS = [
    ("add", lambda m, t, n: t + n),
    ("radd", lambda m, t, n: n + t),
    ("sub", lambda m, t, n: t - n),
    ("rsub", lambda m, t, n: n - t),
    ("mul", lambda m, t, n: t * n),
    ("rmul", lambda m, t, n: n * t),
    ("floordiv", lambda m, t, n: t // n),
    ("mod", lambda m, t, n: t % n),
    ("and", lambda m, t, n: t & n),
    ("rand", lambda m, t, n: n & t),
    ("or", lambda m, t, n: t | n),
    ("xor", lambda m, t, n: t ^ n),
    ("rxor", lambda m, t, n: n ^ t),
    ("lshift", lambda m, t, n: t << n),
    ("rshift", lambda m, t, n: t >> n),
    ("eq", lambda m, t, n: t == n),
    ("ne", lambda m, t, n: t != n),
    ("lt", lambda m, t, n: t < n),
    ("le", lambda m, t, n: t <= n),
    ("gt", lambda m, t, n: t > n),
    ("ge", lambda m, t, n: t >= n),
    ("rlt", lambda m, t, n: n < t),
    ("Tensor.add", lambda m, t, n: t.add(n)),
    ("Tensor.add alpha", lambda m, t, n: t.add(n, alpha=2)),
    ("Tensor.sub", lambda m, t, n: t.sub(n)),
    ("Tensor.mul", lambda m, t, n: t.mul(n)),
    ("Tensor.floor_divide", lambda m, t, n: t.floor_divide(n)),
    ("Tensor.remainder", lambda m, t, n: t.remainder(n)),
    ("Tensor.bitwise_and", lambda m, t, n: t.bitwise_and(n)),
    ("Tensor.bitwise_or", lambda m, t, n: t.bitwise_or(n)),
    ("Tensor.bitwise_xor", lambda m, t, n: t.bitwise_xor(n)),
    ("Tensor.bitwise_left_shift", lambda m, t, n: t.bitwise_left_shift(n)),
    ("Tensor.bitwise_right_shift", lambda m, t, n: t.bitwise_right_shift(n)),
    ("Tensor.eq", lambda m, t, n: t.eq(n)),
    ("Tensor.gt", lambda m, t, n: t.gt(n)),
    ("Tensor.le", lambda m, t, n: t.le(n)),
    ("add()", lambda m, t, n: m.add(t, n)),
    ("mul()", lambda m, t, n: m.mul(t, n)),
    ("bitwise_xor()", lambda m, t, n: m.bitwise_xor(t, n)),
    ("gt()", lambda m, t, n: m.gt(t, n)),
    ("add_", lambda m, t, n: t.add_(n)),
    ("sub_", lambda m, t, n: t.sub_(n)),
    ("mul_", lambda m, t, n: t.mul_(n)),
    ("iadd", lambda m, t, n: operator.iadd(t, n)),
    ("imul", lambda m, t, n: operator.imul(t, n)),
    ("floor_divide_", lambda m, t, n: t.floor_divide_(n)),
    ("remainder_", lambda m, t, n: t.remainder_(n)),
    ("bitwise_and_", lambda m, t, n: t.bitwise_and_(n)),
    ("bitwise_xor_", lambda m, t, n: t.bitwise_xor_(n)),
    ("eq_", lambda m, t, n: t.eq_(n)),
    ("lt_", lambda m, t, n: t.lt_(n)),
    ("where other", lambda m, t, n: m.where(t > 3, t, n)),
    ("where input", lambda m, t, n: m.where(t > 3, n, t)),
    ("Tensor.where", lambda m, t, n: t.where(t > 3, n)),
    ("pow", lambda m, t, n: t**n),
    ("Tensor.pow", lambda m, t, n: t.pow(n)),
    ("pow_", lambda m, t, n: t.pow_(n)),
    ("truediv", lambda m, t, n: t / n),
    ("rtruediv", lambda m, t, n: n / t),
]


def _outcome(module, dtype, call, number):
    """(dtype name, values) of ``call`` on a tensor of ``dtype``, or ("error", is a RuntimeError)."""
    data = np.array([0, 1, 5, 100], dtype=dtype)
    tensor = torch.from_numpy(data.copy()) if module is torch else ag.tensor(data)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = call(module, tensor, number)
    except (RuntimeError, ValueError, OverflowError, TypeError) as error:
        return "error", isinstance(error, RuntimeError)
    values = result.numpy() if module is torch else np.asarray(result.data)
    return str(result.dtype).removeprefix("torch."), values.astype(np.float64).tolist()


@pytest.mark.parametrize("number", NUMBERS, ids=repr)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "call"), CALLS, ids=[name for name, _ in CALLS])
def test_integer_number_beside_an_integer_tensor_like_torch(name, call, dtype, number):
    expected = _outcome(torch, dtype, call, number)
    got = _outcome(ag, dtype, call, number)
    if expected[0] == "error":
        assert got == ("error", True), f"torch raises a RuntimeError, ours gives {got}"
    elif name.startswith(("truediv", "rtruediv")):  # (torch divides in its default float32, we in float64)
        np.testing.assert_allclose(got[1], expected[1], rtol=1e-6)
    else:
        assert got == expected


def test_where_of_a_number_an_int8_tensor_cannot_hold_is_torchs_runtime_error():
    with pytest.raises(RuntimeError, match="overflow"):
        torch.where(torch.tensor([True]), torch.tensor([1], dtype=torch.int8), 300)
    with pytest.raises(RuntimeError, match="where: value 300 cannot be converted to type int8 without overflow"):
        ag.where(ag.tensor([True]), ag.tensor([1], dtype=ag.int8), 300)


def test_uint8_tensor_takes_minus_one_as_255_in_where_as_torch():
    u = np.array([0, 100, 200], dtype=np.uint8)
    got = ag.where(ag.tensor(u) > 50, ag.tensor(u), -1)
    expected = torch.where(torch.tensor(u) > 50, torch.tensor(u), -1)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got.data, expected.numpy())


def test_numpy_ufuncs_on_a_uint8_tensor_wrap_the_number_without_numpys_overflow_error():
    u = ag.tensor(np.array([0, 100, 200], dtype=np.uint8))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = np.add(u, -1)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got.data, (torch.tensor([0, 100, 200], dtype=torch.uint8) + (-1)).numpy())


@pytest.mark.parametrize("number", [-1, 300, 7], ids=repr)
@pytest.mark.parametrize(("name", "call"), CALLS, ids=[name for name, _ in CALLS])
def test_integer_number_beside_a_0d_integer_tensor_like_torch(name, call, number):
    def outcome(module):
        tensor = module.tensor(np.array(100, dtype=np.uint8))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = call(module, tensor, number)
        except (RuntimeError, ValueError, OverflowError, TypeError) as error:
            return "error", isinstance(error, RuntimeError)
        values = result.numpy() if module is torch else np.asarray(result.data)
        return str(result.dtype).removeprefix("torch."), float(values)

    expected, got = outcome(torch), outcome(ag)
    if name.startswith(("truediv", "rtruediv")) and expected[0] != "error":
        assert got[1] == pytest.approx(expected[1], rel=1e-6)
    else:
        assert got == expected


@pytest.mark.parametrize("shape", [(), (3,)])
def test_a_floating_function_of_an_integer_tensor_and_a_number_does_not_wrap_the_number(shape):
    data = np.full(shape, 2, dtype=np.uint8)
    for function in (np.arctan2, np.hypot, np.copysign):
        got = function(ag.tensor(data), -300)
        np.testing.assert_allclose(got.data, function(data.astype(np.float64), -300.0))
