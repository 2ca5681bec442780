"""x ** -0.5 as torch computes it (its rsqrt, 1 / sqrt(x)): -inf at -0.0, nan at -inf, and the same roundings;
numpy's np.power of a Tensor keeps IEEE pow's values."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor

torch = pytest.importorskip("torch")

_EDGES = [-0.0, 0.0, -np.inf, np.inf, np.nan, -3.0, 5e-324, 1e-320, 4.0]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tensor_to_the_minus_half_matches_torch_bit_for_bit(dtype):
    rng = np.random.default_rng(5)
    data = np.concatenate([np.exp(rng.uniform(-80, 80, 5000)), _EDGES]).astype(dtype)
    expected = (torch.tensor(data) ** -0.5).numpy()
    for got in (Tensor(data) ** -0.5, Tensor(data).pow(-0.5), ag.pow(Tensor(data), -0.5)):
        assert got.dtype == dtype
        np.testing.assert_array_equal(got.data, expected)


def test_gradient_of_the_minus_half_power_matches_torch_at_the_edges():
    x = Tensor(np.array(_EDGES), requires_grad=True)
    (x**-0.5).sum().backward()
    t = torch.tensor(_EDGES, dtype=torch.float64, requires_grad=True)
    (t**-0.5).sum().backward()
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_numpys_power_of_a_tensor_keeps_ieee_pow_at_negative_zero():
    data = np.array(_EDGES)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = np.power(data, -0.5)
    np.testing.assert_array_equal(np.power(Tensor(data), -0.5).data, expected)
