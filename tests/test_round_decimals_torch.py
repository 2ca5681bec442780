"""round(x, decimals) as torch's kernel computes it: one node of zero gradient, 10^|d| in the input's float dtype
(float16 in float32), so a power beyond the dtype gives nan values and still a zero gradient."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("decimals", [1, 2, -1, -2, 39, 300, 309, 400, -39, -309])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_round_to_decimals_gives_torchs_values_and_a_zero_gradient(decimals, dtype):
    data = np.array([1.5, -2.25, 123.456, 0.125], dtype=dtype)
    ours, theirs = autograd.tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning from 10^d
        rounded = autograd.round(ours, decimals=decimals)
        rounded.sum().backward()
        in_place = autograd.tensor(data.copy())
        in_place.round_(decimals=decimals)
    expected = torch.round(theirs, decimals=decimals)
    expected.sum().backward()
    assert rounded.dtype == data.dtype
    np.testing.assert_array_equal(rounded.data, expected.detach().numpy())
    np.testing.assert_array_equal(in_place.data, expected.detach().numpy())
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())


@pytest.mark.parametrize("decimals", [20, 3, -1, -2, -25])
def test_integer_round_in_place_to_decimals_matches_the_out_of_place_round(decimals):
    # numpy's reading for integers: unchanged for decimals >= 0 (no integer power 10^d to wrap around), rounded to a
    # multiple of 10^-d for decimals < 0
    data = np.array([149, -7, 3], dtype=np.int64)
    in_place = autograd.tensor(data.copy())
    in_place.round_(decimals=decimals)
    expected = np.round(data, decimals)
    np.testing.assert_array_equal(in_place.data, expected)
    np.testing.assert_array_equal(autograd.tensor(data).round(decimals).data, expected)


@pytest.mark.parametrize("decimals", [1.5, 2.0, "1", None, True])
def test_round_refuses_decimals_that_are_not_integers_as_torch(decimals):
    # torch: TypeError (decimals is an int); 1.5 was read as 10^1.5, a value rounded to no number of places
    data = np.array([0.5, 1.25])
    with pytest.raises(TypeError):
        torch.round(torch.tensor(data), decimals=decimals)
    for call in (
        lambda: autograd.tensor(data).round(decimals),
        lambda: autograd.round(autograd.tensor(data), decimals=decimals),
        lambda: autograd.tensor(data.copy()).round_(decimals),
        lambda: autograd.Value(0.5).round(decimals),
    ):
        with pytest.raises(TypeError, match="round.*decimals must be an integer"):
            call()
