"""``t[index] = number`` converts the number into the tensor's dtype as torch's checked conversion does: a negative
int wraps into an unsigned dtype (-1 writes a uint8 255), and a number the dtype cannot hold (300 into int8, nan
into int64, 1e300 into float32) is torch's RuntimeError (``autograd.ArgumentRangeError``, also a ValueError) with
the tensor left as it was; float16 takes any number, one beyond its range as inf, as torch's."""

import warnings

import numpy as np
import pytest

import autograd
from tests.torch_oracle import raised_type, torch

CASES = [("uint8", -1), ("uint8", -255), ("uint8", -256), ("uint8", 256), ("uint8", 255.9), ("uint8", -1.5),
         ("int8", -129), ("int8", 300), ("int64", float("nan")), ("int64", float("inf")), ("int32", 2.9),
         ("float32", 1e300), ("float32", -3.5e38), ("float32", float("inf")), ("float32", float("nan")),
         ("float16", 70000.0), ("float16", 1e300), ("float64", 1e308), ("bool", 5), ("int8", True)]  # fmt: skip
INDEXES = {"int": 0, "list": [0, 1], "slice": slice(0, 2)}


@pytest.mark.parametrize("index", list(INDEXES), ids=list(INDEXES))
@pytest.mark.parametrize(("dtype", "value"), CASES, ids=[f"{d}-{v}" for d, v in CASES])
def test_a_number_assigned_by_setitem_is_converted_or_refused_as_torch(dtype, value, index):
    theirs = torch.arange(3).to(getattr(torch, dtype))
    ours = autograd.arange(3).to(getattr(autograd, dtype))
    before = ours.data.copy()
    expected = raised_type(lambda: theirs.__setitem__(INDEXES[index], value))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        if expected is None:
            ours[INDEXES[index]] = value
            assert ours.dtype == before.dtype
            np.testing.assert_array_equal(ours.data, theirs.numpy())
            return
        with pytest.raises(expected, match="setitem"):
            ours[INDEXES[index]] = value
    np.testing.assert_array_equal(ours.data, before)


def test_a_number_too_large_for_float32_is_refused_when_the_assignment_is_recorded():
    h = autograd.tensor([1.0, 2.0], dtype=autograd.float32, requires_grad=True) * 1
    with pytest.raises(RuntimeError, match="setitem: value 1e\\+300 cannot be converted"):
        h[0] = 1e300
