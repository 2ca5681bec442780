"""autograd.linalg's LU family, *_ex functions and composites against torch.linalg: the packed factors, LAPACK's
pivots and info, P, L and U, solutions, and gradients (the same upstream weights on both), batched, rectangular,
in float32 and float64; and the error classes torch raises for wrong shapes and dtypes."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import autograd.linalg as la
from autograd import Tensor

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(23)
SHAPES = [(4, 4), (3, 2, 2), (2, 5, 3), (2, 3, 5), (1, 1), (0, 3, 3)]
TOLERANCES = {np.float64: 1e-10, np.float32: 2e-4}


def _pair(data, requires_grad=True):
    ours = Tensor(data, requires_grad=requires_grad)
    return ours, torch.tensor(data, requires_grad=requires_grad)


def _weights(shape, dtype):
    return RNG.normal(size=shape).astype(dtype)


def _backward(ours, theirs, weights):
    (ours * Tensor(weights)).sum().backward()
    (theirs * torch.from_numpy(weights)).sum().backward()


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lu_factor_ex_matches_torchs_factor_pivots_and_info(shape, dtype):
    a = RNG.normal(size=shape).astype(dtype)
    ours, theirs = la.lu_factor_ex(a), torch.linalg.lu_factor_ex(torch.from_numpy(a))
    tolerance = TOLERANCES[dtype]
    np.testing.assert_allclose(ours.LU.data, theirs.LU.numpy(), rtol=tolerance, atol=tolerance)
    assert ours.LU.dtype == dtype and ours.pivots.dtype == ours.info.dtype == np.int32
    np.testing.assert_array_equal(ours.pivots.data, theirs.pivots.numpy())
    np.testing.assert_array_equal(ours.info.data, theirs.info.numpy())
    assert ours.info.shape == tuple(theirs.info.shape)


@pytest.mark.parametrize(
    "matrix",
    [np.array([[1.0, 2.0], [2.0, 4.0]]), np.zeros((3, 3)), np.outer([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]),
     np.array([[0.0, 1.0, 2.0], [0.0, 3.0, 1.0]]), np.zeros((2, 3, 2))],
)  # fmt: skip
def test_singular_matrices_have_torchs_info_and_factors(matrix):
    ours, theirs = la.lu_factor_ex(matrix), torch.linalg.lu_factor_ex(torch.from_numpy(matrix))
    np.testing.assert_array_equal(ours.info.data, theirs.info.numpy())
    np.testing.assert_array_equal(ours.pivots.data, theirs.pivots.numpy())
    np.testing.assert_allclose(ours.LU.data, theirs.LU.numpy(), atol=1e-15)
    with pytest.raises(RuntimeError):
        torch.linalg.lu_factor(torch.from_numpy(matrix))
    with pytest.raises(RuntimeError):
        la.lu_factor(matrix)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lu_and_its_gradients_match_torchs(shape, dtype):
    a = RNG.normal(size=shape).astype(dtype)
    ours_a, theirs_a = _pair(a)
    ours, theirs = la.lu(ours_a), torch.linalg.lu(theirs_a)
    tolerance = TOLERANCES[dtype]
    for mine, its in zip(ours, theirs):
        assert mine.dtype == dtype and mine.shape == tuple(its.shape)
        np.testing.assert_allclose(mine.data, its.detach().numpy(), rtol=tolerance, atol=tolerance)
    assert not ours.P.requires_grad and not theirs.P.requires_grad
    if not a.size:
        return
    weights_l, weights_u = _weights(ours.L.shape, dtype), _weights(ours.U.shape, dtype)
    ((ours.L * Tensor(weights_l)).sum() + (ours.U * Tensor(weights_u)).sum()).backward()
    ((theirs.L * torch.from_numpy(weights_l)).sum() + (theirs.U * torch.from_numpy(weights_u)).sum()).backward()
    np.testing.assert_allclose(ours_a.grad, theirs_a.grad.numpy(), rtol=10 * tolerance, atol=10 * tolerance)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 2), (2, 2, 4)])
def test_lu_factors_gradient_matches_torchs(shape):
    a = RNG.normal(size=shape)
    ours_a, theirs_a = _pair(a)
    _backward(la.lu_factor(ours_a).LU, torch.linalg.lu_factor(theirs_a).LU, _weights(shape, np.float64))
    np.testing.assert_allclose(ours_a.grad, theirs_a.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_lu_unpack_matches_torchs_with_its_gradient():
    factor, pivots = torch.linalg.lu_factor(torch.from_numpy(RNG.normal(size=(2, 4, 3))))
    ours_f, theirs_f = _pair(factor.numpy())
    ours, theirs = ag.lu_unpack(ours_f, pivots.numpy()), torch.lu_unpack(theirs_f, pivots)
    for mine, its in zip(ours, theirs):
        np.testing.assert_array_equal(mine.data, its.detach().numpy())
    weights = _weights((2, 4, 3), np.float64)
    ((ours.L * Tensor(weights)).sum() + ours.U.sum()).backward()
    ((theirs.L * torch.from_numpy(weights)).sum() + theirs.U.sum()).backward()
    np.testing.assert_array_equal(ours_f.grad, theirs_f.grad.numpy())
    for flags in ({"unpack_data": False}, {"unpack_pivots": False}):
        for mine, its in zip(
            ag.lu_unpack(factor.numpy(), pivots.numpy(), **flags), torch.lu_unpack(factor, pivots, **flags)
        ):
            assert mine.shape == tuple(its.shape)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_lu_solve_and_its_gradients_match_torchs(left, adjoint, dtype):
    factor, pivots = torch.linalg.lu_factor(torch.from_numpy(RNG.normal(size=(2, 3, 3)).astype(dtype)))
    b = RNG.normal(size=(4, 1, 3, 2) if left else (4, 1, 2, 3)).astype(dtype)
    ours_f, theirs_f = _pair(factor.numpy())
    ours_b, theirs_b = _pair(b)
    ours = la.lu_solve(ours_f, pivots.numpy(), ours_b, left=left, adjoint=adjoint)
    theirs = torch.linalg.lu_solve(theirs_f, pivots, theirs_b, left=left, adjoint=adjoint)
    tolerance = TOLERANCES[dtype]
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=tolerance, atol=tolerance)
    _backward(ours, theirs, _weights(ours.shape, dtype))
    np.testing.assert_allclose(ours_f.grad, theirs_f.grad.numpy(), rtol=10 * tolerance, atol=10 * tolerance)
    np.testing.assert_allclose(ours_b.grad, theirs_b.grad.numpy(), rtol=10 * tolerance, atol=10 * tolerance)


SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])
INVERTIBLE = np.array([[2.0, 1.0], [1.0, 3.0]])
INDEFINITE = np.array([[1.0, 2.0], [2.0, 1.0]])


@pytest.mark.parametrize("left", [True, False])
def test_solve_ex_matches_torchs_info_and_solved_results_and_gradients(left):
    a = np.stack([INVERTIBLE, SINGULAR, RNG.normal(size=(2, 2))])
    b = RNG.normal(size=(3, 2, 2))
    ours_a, theirs_a = _pair(a)
    ours_b, theirs_b = _pair(b)
    ours, theirs = la.solve_ex(ours_a, ours_b, left=left), torch.linalg.solve_ex(theirs_a, theirs_b, left=left)
    np.testing.assert_array_equal(ours.info.data, theirs.info.numpy())
    assert ours.info.dtype == np.int32 and ours.result.shape == tuple(theirs.result.shape)
    solved = [0, 2]
    np.testing.assert_allclose(ours.result.data[solved], theirs.result.detach().numpy()[solved], rtol=1e-12)
    weights = _weights(ours.result.shape, np.float64)
    weights[1] = 0
    _backward(ours.result, theirs.result, weights)
    np.testing.assert_allclose(ours_a.grad[solved], theirs_a.grad.numpy()[solved], rtol=1e-10)
    np.testing.assert_allclose(ours_b.grad[solved], theirs_b.grad.numpy()[solved], rtol=1e-10)


def test_inv_ex_matches_torchs_info_inverse_and_gradient():
    a = np.stack([INVERTIBLE, SINGULAR, np.zeros((2, 2))]).astype(np.float32)
    ours_a, theirs_a = _pair(a)
    ours, theirs = la.inv_ex(ours_a), torch.linalg.inv_ex(theirs_a)
    np.testing.assert_array_equal(ours.info.data, theirs.info.numpy())
    assert ours.inverse.dtype == np.float32 and ours.inverse.shape == tuple(theirs.inverse.shape)
    np.testing.assert_allclose(ours.inverse.data[0], theirs.inverse.detach().numpy()[0], rtol=1e-6)
    weights = np.zeros((3, 2, 2), np.float32)
    weights[0] = _weights((2, 2), np.float32)
    _backward(ours.inverse, theirs.inverse, weights)
    np.testing.assert_allclose(ours_a.grad[0], theirs_a.grad.numpy()[0], rtol=1e-5)


@pytest.mark.parametrize("upper", [False, True])
def test_cholesky_ex_matches_torchs_info_factor_and_gradient(upper):
    spd = np.array([[4.0, 2.0], [2.0, 3.0]])
    a = np.stack([spd, INDEFINITE, np.diag([0.0, 1.0]), np.tril(spd) + np.triu(5 * INDEFINITE, 1)])
    ours_a, theirs_a = _pair(a)
    ours, theirs = la.cholesky_ex(ours_a, upper=upper), torch.linalg.cholesky_ex(theirs_a, upper=upper)
    np.testing.assert_array_equal(ours.info.data, theirs.info.numpy())
    assert ours.L.shape == tuple(theirs.L.shape)
    np.testing.assert_allclose(ours.L.data[0], theirs.L.detach().numpy()[0], rtol=1e-12)
    weights = np.zeros(a.shape)
    weights[0] = _weights((2, 2), np.float64)
    _backward(ours.L, theirs.L, weights)
    np.testing.assert_allclose(ours_a.grad[0], theirs_a.grad.numpy()[0], rtol=1e-10)


def test_cholesky_ex_of_a_nan_reports_its_position_as_torch():
    a = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, np.nan]])
    ours, theirs = la.cholesky_ex(a), torch.linalg.cholesky_ex(torch.from_numpy(a))
    assert int(ours.info.item()) == int(theirs.info.item()) == 3


@pytest.mark.parametrize("error_name", ["solve_ex", "inv_ex", "cholesky_ex", "lu_factor_ex"])
def test_check_errors_raises_where_torch_does(error_name):
    a = np.stack([INVERTIBLE, SINGULAR])
    calls = {
        "solve_ex": lambda lib, x: lib.solve_ex(x, x, check_errors=True),
        "inv_ex": lambda lib, x: lib.inv_ex(x, check_errors=True),
        "cholesky_ex": lambda lib, x: lib.cholesky_ex(x, check_errors=True),
        "lu_factor_ex": lambda lib, x: lib.lu_factor_ex(x, check_errors=True),
    }
    with pytest.raises(RuntimeError, match="Batch element 1"):
        calls[error_name](torch.linalg, torch.from_numpy(a))
    with pytest.raises(RuntimeError, match="batch element 1"):
        calls[error_name](la, a)
    calls[error_name](la, a[:1])
    calls[error_name](torch.linalg, torch.from_numpy(a[:1]))


def test_tensorinv_and_tensorsolve_match_torchs_with_gradients():
    a = RNG.normal(size=(4, 2, 2))
    ours_a, theirs_a = _pair(a)
    ours, theirs = la.tensorinv(ours_a, ind=1), torch.linalg.tensorinv(theirs_a, ind=1)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10)
    _backward(ours, theirs, _weights(ours.shape, np.float64))
    np.testing.assert_allclose(ours_a.grad, theirs_a.grad.numpy(), rtol=1e-10)
    a, b = RNG.normal(size=(6, 2, 3)), RNG.normal(size=(2, 3))
    ours_a, theirs_a = _pair(a)
    ours_b, theirs_b = _pair(b)
    ours, theirs = la.tensorsolve(ours_a, ours_b, dims=(0,)), torch.linalg.tensorsolve(theirs_a, theirs_b, dims=(0,))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-10)
    _backward(ours, theirs, _weights(ours.shape, np.float64))
    np.testing.assert_allclose(ours_a.grad, theirs_a.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours_b.grad, theirs_b.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.int32])
def test_vander_matches_torchs_values_dtype_and_gradient(dtype):
    x = (RNG.normal(size=(2, 3)) * 3).astype(dtype)
    x[0, 1] = 0
    requires_grad = np.dtype(dtype).kind == "f"
    ours_x, theirs_x = _pair(x, requires_grad)
    ours, theirs = la.vander(ours_x, N=4), torch.linalg.vander(theirs_x, N=4)
    assert ours.dtype == dtype
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6)
    if requires_grad:
        _backward(ours, theirs, _weights(ours.shape, dtype))
        np.testing.assert_allclose(ours_x.grad, theirs_x.grad.numpy(), rtol=1e-5)


def test_linalg_diagonal_matches_torchs():
    a = RNG.normal(size=(2, 3, 4))
    for options in ({}, {"offset": 1}, {"offset": -1, "dim1": 0, "dim2": 2}):
        np.testing.assert_array_equal(
            la.diagonal(a, **options).data, torch.linalg.diagonal(torch.from_numpy(a), **options).numpy()
        )


@pytest.mark.parametrize(("shape", "reflectors"), [((4, 3), 3), ((2, 5, 3), 2), ((3, 3), 0)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_householder_product_and_its_gradients_match_torchs(shape, reflectors, dtype):
    a = RNG.normal(size=shape).astype(dtype)
    tau = RNG.uniform(0.5, 1.5, size=shape[:-2] + (reflectors,)).astype(dtype)
    ours_a, theirs_a = _pair(a)
    ours_t, theirs_t = _pair(tau)
    ours, theirs = la.householder_product(ours_a, ours_t), torch.linalg.householder_product(theirs_a, theirs_t)
    tolerance = TOLERANCES[dtype]
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=tolerance, atol=tolerance)
    _backward(ours, theirs, _weights(ours.shape, dtype))
    if not reflectors:  # the identity's columns: torch leaves A without gradient, ours is 0
        assert theirs_a.grad is None and not ours_a.grad.any()
        return
    np.testing.assert_allclose(ours_a.grad, theirs_a.grad.numpy(), rtol=10 * tolerance, atol=10 * tolerance)
    np.testing.assert_allclose(ours_t.grad, theirs_t.grad.numpy(), rtol=10 * tolerance, atol=10 * tolerance)


ERROR_CASES = [
    ("lu_factor_vector", lambda lib, f: lib.linalg.lu_factor(f(np.ones(3)))),
    ("lu_factor_float16", lambda lib, f: lib.linalg.lu_factor(f(np.eye(2, dtype=np.float16)))),
    ("lu_factor_singular", lambda lib, f: lib.linalg.lu_factor(f(SINGULAR))),
    ("lu_solve_vector_b", lambda lib, f: lib.linalg.lu_solve(f(np.eye(3)), f(np.arange(1, 4, dtype=np.int32)), f(np.ones(3)))),
    ("lu_solve_int64_pivots", lambda lib, f: lib.linalg.lu_solve(f(np.eye(3)), f(np.arange(1, 4)), f(np.ones((3, 1))))),
    ("lu_solve_rows", lambda lib, f: lib.linalg.lu_solve(f(np.eye(3)), f(np.arange(1, 4, dtype=np.int32)), f(np.ones((2, 2))))),
    ("lu_solve_dtype", lambda lib, f: lib.linalg.lu_solve(f(np.eye(3)), f(np.arange(1, 4, dtype=np.int32)), f(np.ones((3, 1), np.float32)))),
    ("lu_solve_pivot_range", lambda lib, f: lib.linalg.lu_solve(f(np.eye(3)), f(np.full(3, 5, np.int32)), f(np.ones((3, 1))))),
    ("lu_unpack_int64_pivots", lambda lib, f: lib.lu_unpack(f(np.eye(3)), f(np.arange(1, 4)))),
    ("solve_ex_rectangular", lambda lib, f: lib.linalg.solve_ex(f(np.ones((2, 3))), f(np.ones(2)))),
    ("inv_ex_rectangular", lambda lib, f: lib.linalg.inv_ex(f(np.ones((2, 3))))),
    ("cholesky_ex_float16", lambda lib, f: lib.linalg.cholesky_ex(f(np.eye(2, dtype=np.float16)))),
    ("tensorinv_ind", lambda lib, f: lib.linalg.tensorinv(f(np.ones((4, 2, 2))), ind=0)),
    ("tensorinv_shape", lambda lib, f: lib.linalg.tensorinv(f(np.ones((4, 2, 3))), ind=1)),
    ("tensorinv_singular", lambda lib, f: lib.linalg.tensorinv(f(np.zeros((4, 2, 2))), ind=1)),
    ("tensorsolve_shape", lambda lib, f: lib.linalg.tensorsolve(f(np.ones((2, 3, 5))), f(np.ones((2, 3))))),
    ("vander_scalar", lambda lib, f: lib.linalg.vander(f(np.array(2.0)))),  # N = 1
    ("vander_n", lambda lib, f: lib.linalg.vander(f(np.ones(3)), N=1)),
    ("vander_bool", lambda lib, f: lib.linalg.vander(f(np.ones(3, bool)))),
    ("vander_float16", lambda lib, f: lib.linalg.vander(f(np.ones(3, np.float16)))),
    ("householder_wide", lambda lib, f: lib.linalg.householder_product(f(np.ones((2, 3))), f(np.ones(1)))),
    ("householder_tau_length", lambda lib, f: lib.linalg.householder_product(f(np.ones((3, 2))), f(np.ones(3)))),
    ("householder_tau_batch", lambda lib, f: lib.linalg.householder_product(f(np.ones((2, 3, 2))), f(np.ones((3, 2))))),
    ("householder_dtype", lambda lib, f: lib.linalg.householder_product(f(np.ones((3, 2))), f(np.ones(2, np.float32)))),
    ("diagonal_vector", lambda lib, f: lib.linalg.diagonal(f(np.ones(3)))),
    ("diagonal_same_dims", lambda lib, f: lib.linalg.diagonal(f(np.ones((2, 3, 4))), dim1=1, dim2=1)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "call"), ERROR_CASES, ids=[name for name, _ in ERROR_CASES])
def test_errors_are_of_the_classes_torch_raises(name, call):
    with pytest.raises(Exception) as theirs:
        call(torch, torch.from_numpy)
    with pytest.raises(Exception) as ours:
        call(ag, Tensor)
    builtin = next(kind for kind in type(theirs.value).__mro__ if kind.__module__ == "builtins")  # (LinAlgError's too)
    assert isinstance(ours.value, builtin), (ours.value, theirs.value)


@pytest.mark.parametrize(
    "matrix",
    [np.diag([1.0, 1.0, np.nan]), np.array([[np.nan, 0.0], [0.0, 1.0]]), np.array([[4.0, 0.0], [np.nan, 1.0]])],
)
def test_cholesky_of_a_matrix_holding_nan_raises_as_torchs(matrix):
    # numpy's factor passes a nan on silently; torch's potrf reports the matrix as not positive-definite
    with pytest.raises(torch.linalg.LinAlgError):
        torch.linalg.cholesky(torch.tensor(matrix))
    with pytest.raises(RuntimeError, match="not positive definite"):
        la.cholesky(matrix)


def _within_one_ulp(ours, theirs):
    return np.all(np.abs(ours - theirs) <= np.spacing(np.maximum(np.abs(ours), np.abs(theirs))))


def test_lu_factor_rounds_as_lapacks_getrf_on_random_matrices():
    # getrf scales each column by the pivot's reciprocal: dividing instead changes the last bits of most factors
    rng = np.random.default_rng(5)
    agree = 0
    for size in rng.integers(4, 9, 100):
        a = rng.normal(size=(size, size))
        ours, theirs = la.lu_factor(a), torch.linalg.lu_factor(torch.from_numpy(a))
        np.testing.assert_array_equal(ours.pivots.numpy(), theirs.pivots.numpy())
        agree += bool(_within_one_ulp(ours.LU.numpy(), theirs.LU.numpy()))
    assert agree >= 95


def test_lu_factor_of_rank_deficient_integer_matrices_pivots_as_torch():
    rng = np.random.default_rng(8)
    agree = 0
    for _ in range(50):
        size = int(rng.integers(3, 8))
        rank = int(rng.integers(1, size))
        a = (rng.integers(-3, 4, (size, rank)) @ rng.integers(-3, 4, (rank, size))).astype(np.float64)
        ours, theirs = la.lu_factor_ex(a), torch.linalg.lu_factor_ex(torch.from_numpy(a))
        same = np.array_equal(ours.pivots.numpy(), theirs.pivots.numpy())
        agree += same and bool(_within_one_ulp(ours.LU.numpy(), theirs.LU.numpy()))
    assert agree >= 48


def _same_ieee(ours, theirs):
    np.testing.assert_array_equal(ours, theirs)  # equal, with nan where torch's is nan


@pytest.mark.parametrize("adjoint", [False, True])
@pytest.mark.parametrize("left", [True, False])
def test_lu_solve_with_a_zero_pivot_gives_torchs_infinities_and_nans(adjoint, left):
    a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]], dtype=np.float32)  # U[2, 2] exactly 0
    ours, theirs = la.lu_factor_ex(a), torch.linalg.lu_factor_ex(torch.from_numpy(a))
    assert int(ours.info.item()) == int(theirs.info) == 3
    b = np.eye(3, dtype=np.float32)
    solved = la.lu_solve(ours.LU, ours.pivots, b, left=left, adjoint=adjoint)
    expected = torch.linalg.lu_solve(theirs.LU, theirs.pivots, torch.from_numpy(b), left=left, adjoint=adjoint)
    _same_ieee(solved.numpy(), expected.numpy())


def test_lu_solve_moves_an_infinite_right_hand_side_row_without_spreading_nan_as_torch():
    a = RNG.normal(size=(4, 4))
    b = RNG.normal(size=(4, 2))
    b[1, 0] = np.inf
    ours, theirs = la.lu_factor(a), torch.linalg.lu_factor(torch.from_numpy(a))
    for adjoint in (False, True):
        solved = la.lu_solve(ours.LU, ours.pivots, b, adjoint=adjoint).numpy()
        expected = torch.linalg.lu_solve(theirs.LU, theirs.pivots, torch.from_numpy(b), adjoint=adjoint).numpy()
        np.testing.assert_array_equal(np.isnan(solved), np.isnan(expected))
        np.testing.assert_array_equal(np.isinf(solved), np.isinf(expected))
        np.testing.assert_allclose(solved[:, 1], expected[:, 1], rtol=1e-10)


def test_triangular_solve_of_an_infinite_right_hand_side_has_torchs_infinities_and_nans():
    rng = np.random.default_rng(1)
    for _ in range(40):
        triangle = np.triu(rng.normal(size=(4, 4))) + 0.1 * np.eye(4)
        b = rng.normal(size=(4, 2))
        b[rng.integers(0, 4), rng.integers(0, 2)] = np.inf
        upper, transpose = bool(rng.integers(0, 2)), bool(rng.integers(0, 2))
        a = triangle if upper else triangle.T
        ours = Tensor(b).triangular_solve(Tensor(a), upper=upper, transpose=transpose).solution.numpy()
        theirs = torch.linalg.solve_triangular(
            torch.from_numpy(a).mT if transpose else torch.from_numpy(a), torch.from_numpy(b), upper=upper != transpose
        ).numpy()
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
        np.testing.assert_array_equal(np.isinf(ours), np.isinf(theirs))
        np.testing.assert_array_equal(ours[np.isinf(theirs)], theirs[np.isinf(theirs)])
        finite = np.isfinite(theirs)
        np.testing.assert_allclose(ours[finite], theirs[finite], rtol=1e-8)
