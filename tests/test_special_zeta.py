"""autograd.special.zeta, the Hurwitz zeta function (torch.special.zeta): closed forms, its recurrence in q, torch's
edges, dtypes and keywords, and d/dq = -x zeta(x + 1, q) against central differences and torch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, special

APERY = 1.2020569031595942  # zeta(3)


def test_zeta_closed_forms_and_recurrence():
    assert special.zeta(2.0, 1.0) == pytest.approx(math.pi**2 / 6, rel=1e-15)
    assert special.zeta(4.0, 1.0) == pytest.approx(math.pi**4 / 90, rel=1e-15)
    assert special.zeta(3.0, 1.0) == pytest.approx(APERY, rel=1e-15)
    assert special.zeta(2.0, 0.5) == pytest.approx(math.pi**2 / 2, rel=1e-15)  # (2^2 - 1) zeta(2)
    assert type(special.zeta(2.0, 1.0)) is float
    rng = np.random.default_rng(3)
    x, q = 1 + 10 ** rng.uniform(-3, 1.5, 200), 10 ** rng.uniform(-3, 4, 200)
    # zeta(x, q) = q^-x + zeta(x, q + 1): the q^-x term dominates where q is small, the tail where it is large
    np.testing.assert_allclose(special.zeta(x, q), q**-x + special.zeta(x, q + 1), rtol=1e-13)
    # a negative non-integer q with an integer x: the same recurrence carries it across 0
    np.testing.assert_allclose(
        special.zeta(3.0, -2.5), sum((-2.5 + k) ** -3 for k in range(3)) + special.zeta(3.0, 0.5)
    )


def test_zeta_edges_are_torchs():
    values = special.zeta(
        np.array([1.0, 0.5, 2.0, 2.5, 3.0, np.nan, 2.0]), np.array([3.0, 1.0, 0.0, -2.5, -3.0, 1.0, np.nan])
    )
    np.testing.assert_array_equal(values, [np.inf, np.nan, np.inf, np.nan, np.inf, np.nan, np.nan])


def test_zeta_keeps_the_float_dtype_and_takes_torchs_keywords():
    q = Tensor(np.array([0.5, 2.0], dtype=np.float32))
    assert special.zeta(2.0, q).dtype == np.float32
    assert special.zeta(np.array([2, 3]), np.array([1, 2])).dtype == np.float64
    np.testing.assert_allclose(special.zeta(input=2.0, other=np.array([1.0])), [math.pi**2 / 6], rtol=1e-15)


def test_zeta_derivative_in_q_and_the_refused_one_in_x():
    x = np.array([2.0, 3.5, 1.5])
    q = Tensor(np.array([1.5, 0.7, 30.0]), requires_grad=True)
    (first,) = ag.grad(special.zeta(x, q).sum(), [q], create_graph=True)
    step = 1e-6 * q.data
    central = (special.zeta(x, q.data + step) - special.zeta(x, q.data - step)) / (2 * step)
    np.testing.assert_allclose(first.data, central, rtol=1e-7)
    (second,) = ag.grad(first.sum(), [q])
    np.testing.assert_allclose(second, x * (x + 1) * special.zeta(x + 2, q.data), rtol=1e-13)
    with pytest.raises(NotImplementedError, match="zeta"):
        special.zeta(Tensor(x, requires_grad=True), q).sum().backward()


def test_zeta_agrees_with_torch_in_value_and_gradient():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x, q = 1 + 10 ** rng.uniform(-4, 1.7, 300), 10 ** rng.uniform(-4, 5, 300)
    theirs_q = torch.tensor(q, requires_grad=True)
    expected = torch.special.zeta(torch.tensor(x), theirs_q)
    ours_q = Tensor(q.copy(), requires_grad=True)
    result = special.zeta(x, ours_q)
    np.testing.assert_allclose(result.data, expected.detach().numpy(), rtol=1e-12)
    expected.sum().backward()
    result.sum().backward()
    np.testing.assert_allclose(ours_q.grad, theirs_q.grad.numpy(), rtol=1e-12)
