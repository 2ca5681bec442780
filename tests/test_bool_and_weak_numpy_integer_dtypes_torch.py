"""Result dtypes torch gives where the library gave another, compared with torch: a bool tensor to a Python bool
power is bool; a numpy integer scalar beside an integer tensor in a bitwise op is a weak scalar (the tensor's dtype);
linspace and logspace of 0 or 1 steps in bool."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag

torch = pytest.importorskip("torch")


def _same(got, expected):
    assert str(got.dtype) == str(expected.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(np.asarray(got.data), expected.numpy())


@pytest.mark.parametrize("exponent", [True, False])
@pytest.mark.parametrize(
    "spelling",
    [lambda t, e: t**e, lambda t, e: t.pow(e), lambda t, e: t.pow_(e), lambda t, e: t.__ipow__(e)],
    ids=["**", "pow", "pow_", "**="],
)
def test_bool_tensor_to_a_python_bool_power_is_bool(spelling, exponent):
    data = np.array([True, False, True])
    _same(spelling(ag.tensor(data), exponent), spelling(torch.tensor(data), exponent))


def test_bool_tensor_to_an_int_power_is_still_int64():
    data = np.array([True, False])
    _same(ag.tensor(data) ** 2, torch.tensor(data) ** 2)


NUMPY_INTEGERS = [np.int64(2), np.int32(6), np.uint8(3), np.int64(300), np.int64(-1), np.uint64(5)]
BITWISE = [
    lambda t, n: t & n,
    lambda t, n: t | n,
    lambda t, n: t ^ n,
    lambda t, n: t << n,
    lambda t, n: t >> n,
    lambda t, n: n & t,
    lambda t, n: n | t,
    lambda t, n: n ^ t,
    lambda t, n: t.bitwise_and(n),
    lambda t, n: t.bitwise_xor(n),
]


@pytest.mark.parametrize("number", NUMPY_INTEGERS, ids=repr)
@pytest.mark.parametrize("dtype", ["int8", "uint8", "int16", "int32", "int64"])
@pytest.mark.parametrize("call", BITWISE)
def test_numpy_integer_in_a_bitwise_op_keeps_the_tensors_dtype_as_torch(call, dtype, number):
    data = np.array([3, 5, 100], dtype=dtype)
    _same(call(ag.tensor(data), number), call(torch.from_numpy(data.copy()), number))


@pytest.mark.parametrize("function", ["linspace", "logspace"])
@pytest.mark.parametrize(
    ("start", "end", "steps", "base"),
    [(0, 1, 1, 10.0), (2, 1, 1, 10.0), (-0.3, 1, 1, 10.0), (0.5, 1, 0, 10.0), (float("nan"), 1, 1, 10.0),
     (1, 1, 1, 0.0), (float("-inf"), 1, 1, 10.0), (0.0, 5, 1, 2.0)],
)  # fmt: skip
def test_one_step_or_none_in_bool_is_torchs(function, start, end, steps, base):
    keywords = {"base": base} if function == "logspace" else {}
    got = getattr(ag, function)(start, end, steps, dtype=ag.bool, **keywords)
    _same(got, getattr(torch, function)(start, end, steps, dtype=torch.bool, **keywords))


@pytest.mark.parametrize("start", [0.0, 0.25])
def test_linspace_of_one_step_in_bool_reads_a_0d_tensor_start(start):
    got = ag.linspace(ag.tensor(start), 1, 1, dtype=ag.bool)
    _same(got, torch.linspace(torch.tensor(start), 1, 1, dtype=torch.bool))


@pytest.mark.parametrize("function", ["linspace", "logspace"])
def test_two_steps_in_bool_stay_torchs_not_implemented_error(function):
    with pytest.raises(NotImplementedError):
        getattr(torch, function)(0, 1, 2, dtype=torch.bool)
    with pytest.raises(NotImplementedError, match=f"{function}: not implemented for bool"):
        getattr(ag, function)(0, 1, 2, dtype=ag.bool)
