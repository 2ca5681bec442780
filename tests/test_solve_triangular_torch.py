"""linalg.solve_triangular with a zero on the triangle's diagonal: substitution's IEEE infinities and nans, values
and gradients as torch's (a factorisation would refuse the matrix as singular)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("upper", [False, True])
@pytest.mark.parametrize("left", [True, False])
def test_a_zero_on_the_diagonal_gives_torchs_infinities_values_and_gradients(upper, left):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4, 4))
    a = np.triu(a) if upper else np.tril(a)
    a[1, 2, 2] = 0.0
    a[2, 0, 0] = 0.0
    b = rng.standard_normal((3, 4, 2) if left else (3, 2, 4))
    ours_a, ours_b = autograd.tensor(a, requires_grad=True), autograd.tensor(b, requires_grad=True)
    theirs_a, theirs_b = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warning for the division by zero
        ours = autograd.linalg.solve_triangular(ours_a, ours_b, upper=upper, left=left)
        ours.sum().backward()
    theirs = torch.linalg.solve_triangular(theirs_a, theirs_b, upper=upper, left=left)
    theirs.sum().backward()
    assert np.isinf(ours.data).any()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours_a.grad, theirs_a.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours_b.grad, theirs_b.grad.numpy(), rtol=1e-10)


def test_the_first_row_solved_before_a_zero_pivot_is_finite():
    x = autograd.linalg.solve_triangular(np.array([[2.0, 0.0], [1.0, 0.0]]), np.array([[4.0], [1.0]]), upper=False)
    np.testing.assert_array_equal(x.data, [[2.0], [-np.inf]])  # x0 = 4 / 2, x1 = (1 - 2) / 0
