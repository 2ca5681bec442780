"""torch.linalg's LDL^T family (``ldl_factor``, ``ldl_factor_ex``, ``ldl_solve``) against torch: the compact
factor LD, the pivots (1 x 1 and 2 x 2 Bunch-Kaufman steps), info and the solutions, for positive-definite,
indefinite, zero-diagonal (2 x 2 pivots) and singular matrices, one and batched; A X = B is also checked directly."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
from autograd import linalg as la

torch = pytest.importorskip("torch")


def _symmetric(rng: np.random.Generator, shape: tuple[int, ...], kind: str) -> np.ndarray:
    a = rng.standard_normal(shape)
    a = a + np.swapaxes(a, -1, -2)
    if kind == "spd":
        a = a @ np.swapaxes(a, -1, -2) + np.eye(shape[-1])
    elif kind == "zero_diagonal":  # forces 2 x 2 pivots
        a = a * (1 - np.eye(shape[-1]))
    return a


@pytest.mark.parametrize("kind", ["spd", "indefinite", "zero_diagonal"])
@pytest.mark.parametrize("shape", [(1, 1), (3, 3), (5, 5), (2, 4, 4), (3, 1, 6, 6)])
def test_ldl_factor_ex_and_ldl_solve_match_torch(kind, shape):
    rng = np.random.default_rng(sum(shape) + len(kind))
    a = _symmetric(rng, shape, kind)
    b = rng.standard_normal(shape[:-1] + (2,))
    ours, theirs = la.ldl_factor_ex(a), torch.linalg.ldl_factor_ex(torch.tensor(a))
    np.testing.assert_allclose(ours.LD.numpy(), theirs.LD.numpy(), rtol=1e-10, atol=1e-12)
    for field in ("pivots", "info"):
        got, expected = getattr(ours, field).numpy(), getattr(theirs, field).numpy()
        assert got.dtype == expected.dtype == np.int32 and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
    x = la.ldl_solve(ours.LD, ours.pivots, b)
    expected = torch.linalg.ldl_solve(theirs.LD, theirs.pivots, torch.tensor(b)).numpy()
    np.testing.assert_allclose(x.numpy(), expected, rtol=1e-8, atol=1e-10)
    if ours.info.numpy().any():  # (a 1 x 1 zero matrix is singular: torch's solution is inf, as the library's)
        assert np.isinf(x.numpy()).all() and np.isinf(expected).all()
        return
    np.testing.assert_allclose(a @ x.numpy(), b, rtol=1e-8, atol=1e-8)
    LD, pivots = la.ldl_factor(a)
    np.testing.assert_array_equal(LD.numpy(), ours.LD.numpy())
    np.testing.assert_array_equal(pivots.numpy(), ours.pivots.numpy())


def test_ldl_factor_reads_only_the_lower_triangle_and_is_float32_in_float32():
    a = _symmetric(np.random.default_rng(1), (4, 4), "indefinite").astype(np.float32)
    junk = a + np.triu(np.full((4, 4), 7.0, np.float32), 1)
    ours, theirs = la.ldl_factor(junk), torch.linalg.ldl_factor(torch.tensor(junk))
    assert ours.LD.dtype == np.float32
    np.testing.assert_allclose(ours.LD.numpy(), theirs.LD.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ours.pivots.numpy(), theirs.pivots.numpy())


def test_ldl_factor_of_a_singular_matrix_reports_info_or_raises():
    a = np.zeros((2, 3, 3))
    a[1] = np.diag([1.0, 0.0, 2.0])
    ours, theirs = la.ldl_factor_ex(a), torch.linalg.ldl_factor_ex(torch.tensor(a))
    np.testing.assert_array_equal(ours.info.numpy(), theirs.info.numpy())
    np.testing.assert_array_equal(ours.pivots.numpy(), theirs.pivots.numpy())
    np.testing.assert_allclose(ours.LD.numpy(), theirs.LD.numpy())
    with pytest.raises(RuntimeError):  # torch's: an internal assert on LAPACK's info
        torch.linalg.ldl_factor(torch.tensor(a))
    with pytest.raises(ag.linalg.LinAlgError, match=r"ldl_factor: \(batch element 0\).*D\[0, 0\] is exactly zero"):
        la.ldl_factor(a)
    with pytest.raises(ag.linalg.LinAlgError, match="not invertible"):
        la.ldl_factor_ex(a, check_errors=True)


def test_ldl_solve_broadcasts_the_batch_and_refuses_a_vector_b():
    rng = np.random.default_rng(3)
    a = _symmetric(rng, (3, 3), "indefinite")
    b = rng.standard_normal((2, 3, 4))
    LD, pivots = la.ldl_factor(a)
    tLD, tpivots = torch.linalg.ldl_factor(torch.tensor(a))
    x = la.ldl_solve(LD, pivots, b)
    np.testing.assert_allclose(x.numpy(), torch.linalg.ldl_solve(tLD, tpivots, torch.tensor(b)).numpy(), rtol=1e-9)
    with pytest.raises(IndexError):
        torch.linalg.ldl_solve(tLD, tpivots, torch.tensor(b[0, :, 0]))
    with pytest.raises(ValueError, match=r"B must be of shape \(\*, 3, k\)"):
        la.ldl_solve(LD, pivots, b[0, :, 0])


@pytest.mark.parametrize("a", [np.zeros((0, 0)), np.zeros((2, 0, 0)), np.zeros((0, 3, 3)), [[np.nan, 1], [1, 2.0]]])
def test_ldl_factor_ex_of_empty_and_nan_matrices_as_torch(a):
    a = np.asarray(a, dtype=np.float64)
    ours, theirs = la.ldl_factor_ex(a), torch.linalg.ldl_factor_ex(torch.tensor(a))
    for got, expected in zip(ours, theirs):
        assert got.shape == tuple(expected.shape)
        np.testing.assert_array_equal(got.numpy(), expected.numpy())
    b = np.ones(a.shape[:-1] + (2,))
    expected = torch.linalg.ldl_solve(theirs.LD, theirs.pivots, torch.tensor(b)).numpy()
    np.testing.assert_array_equal(la.ldl_solve(ours.LD, ours.pivots, b).numpy(), expected)


def test_ldl_functions_write_into_out_as_torch():
    a = np.array([[0.0, 1, 2], [1, 0, 3], [2, 3, 0]])  # a zero diagonal: one 2 x 2 step, then a 1 x 1
    theirs = (
        torch.empty(3, 3, dtype=torch.float64),
        torch.empty(3, dtype=torch.int32),
        torch.empty((), dtype=torch.int32),
    )
    ours = (ag.zeros((3, 3)), ag.zeros(3, dtype=np.int32), ag.zeros((), dtype=np.int32))
    torch.linalg.ldl_factor_ex(torch.tensor(a), out=theirs)
    result = la.ldl_factor_ex(a, out=ours)
    assert all(got is given for got, given in zip(result, ours))
    for got, expected in zip(ours, theirs):
        np.testing.assert_array_equal(got.numpy(), expected.numpy())
    assert ours[1].numpy().tolist() == [-3, -3, 3]
    pair = (ag.zeros((3, 3)), ag.zeros(3, dtype=np.int32))
    assert la.ldl_factor(a, out=pair)[0] is pair[0]
    np.testing.assert_array_equal(pair[0].numpy(), theirs[0].numpy())
    b = np.ones((3, 2))
    x, tx = ag.zeros((3, 2)), torch.empty(3, 2, dtype=torch.float64)
    torch.linalg.ldl_solve(theirs[0], theirs[1], torch.tensor(b), out=tx)
    assert la.ldl_solve(ours[0], ours[1], b, out=x) is x
    np.testing.assert_allclose(x.numpy(), tx.numpy(), rtol=1e-14)
    np.testing.assert_allclose(a @ x.numpy(), b, rtol=1e-14)
