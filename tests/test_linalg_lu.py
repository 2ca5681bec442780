"""torch.linalg's LU family and the other functions of autograd.lu, autograd.linalg_ex and autograd.linalg_composites,
without torch (tests/test_linalg_lu_torch.py compares them with torch): the factors' defining properties (A = P L U,
partial pivoting, LAPACK's pivots and info), solutions checked against numpy, the info codes of singular and
indefinite matrices, and every gradient (second ones of the LU's rule too) against central differences in float64."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd as ag
import autograd.linalg as la
from autograd import ArgumentRangeError, DtypeKernelError, DtypeMismatchError, Tensor, gradcheck, gradgradcheck

RNG = np.random.default_rng(11)
SHAPES = [(3, 3), (2, 4, 3), (2, 3, 5), (1, 1), (2, 2, 1, 4)]


def _normal(*shape):
    return RNG.normal(size=shape)


def _check_factors(a, p, lower, upper):
    m, n = a.shape[-2:]
    k = min(m, n)
    assert p.shape == a.shape[:-2] + (m, m) and lower.shape == a.shape[:-2] + (m, k)
    assert upper.shape == a.shape[:-2] + (k, n)
    np.testing.assert_allclose(p @ lower @ upper, a, atol=1e-12)
    np.testing.assert_array_equal(np.tril(upper, -1), 0)
    np.testing.assert_array_equal(np.triu(lower, 1), 0)
    np.testing.assert_array_equal(np.diagonal(lower, axis1=-2, axis2=-1), 1)
    np.testing.assert_array_equal(p.sum(axis=-1), 1)
    np.testing.assert_array_equal(p @ p.swapaxes(-1, -2), np.broadcast_to(np.eye(m), p.shape))


@pytest.mark.parametrize("shape", SHAPES + [(0, 3), (3, 0), (0, 2, 2)])
def test_lu_factors_rebuild_the_matrix_with_partial_pivoting(shape):
    a = _normal(*shape)
    p, lower, upper = la.lu(a)
    _check_factors(a, p.data, lower.data, upper.data)
    assert np.all(np.abs(lower.data) <= 1.0)  # the pivot is the column's largest entry


@settings(max_examples=40, deadline=None)
@given(
    batch=st.lists(st.integers(0, 3), max_size=2).map(tuple),
    m=st.integers(1, 5),
    n=st.integers(1, 5),
    seed=st.integers(0, 2**32 - 1),
)
def test_lu_of_any_shape_rebuilds_the_matrix(batch, m, n, seed):
    a = np.random.default_rng(seed).normal(size=batch + (m, n))
    _check_factors(a, *(x.data for x in la.lu(a)))


def test_lu_without_pivoting_has_the_identity_permutation():
    a = _normal(2, 3, 4) + 3 * np.eye(3, 4)  # diagonally dominant: no zero pivot
    p, lower, upper = la.lu(a, pivot=False)
    np.testing.assert_array_equal(p.data, np.broadcast_to(np.eye(3), (2, 3, 3)))
    _check_factors(a, p.data, lower.data, upper.data)
    _, pivots = la.lu_factor(a, pivot=False)
    np.testing.assert_array_equal(pivots.data, [[1, 2, 3], [1, 2, 3]])


def test_pivots_are_lapacks_one_based_row_swaps_in_int32():
    a = np.array([[1.0, 2.0, 0.0], [3.0, 1.0, 1.0], [0.0, 5.0, 1.0]])
    factor, pivots = la.lu_factor(a)
    assert pivots.dtype == np.int32 and pivots.shape == (3,)
    # step 1 swaps rows 1 and 2 (3 is largest); step 2 then picks 5 (row 3); step 3 keeps its row
    np.testing.assert_array_equal(pivots.data, [2, 3, 3])
    swapped = a[[1, 2, 0]]
    lower = np.tril(factor.data, -1) + np.eye(3)
    np.testing.assert_allclose(lower @ np.triu(factor.data), swapped, atol=1e-15)


def test_the_first_of_equal_largest_entries_is_the_pivot_as_lapacks():
    _, pivots = la.lu_factor(np.array([[1.0, 1.0], [-2.0, 0.0], [2.0, 3.0]]))
    np.testing.assert_array_equal(pivots.data, [2, 3])


@pytest.mark.parametrize(
    ("matrix", "info"),
    [
        (np.array([[1.0, 2.0], [2.0, 4.0]]), 2),
        (np.zeros((3, 3)), 1),
        (np.array([[1.0, 0.0, 2.0], [2.0, 0.0, 1.0], [0.0, 0.0, 3.0]]), 2),  # a zero column
        (np.outer([1.0, 2.0, 3.0], [4.0, 5.0, 6.0]), 2),
        (np.array([[2.0, 1.0], [1.0, 3.0]]), 0),
    ],
)
def test_info_is_the_first_zero_pivot_and_lu_factor_raises_for_it(matrix, info):
    factor, pivots, found = la.lu_factor_ex(matrix)
    assert found.dtype == np.int32 and found.shape == () and int(found.item()) == info
    p, lower, upper = la.lu(matrix)  # factored all the same
    _check_factors(matrix, p.data, lower.data, upper.data)
    if info:
        with pytest.raises(la.LinAlgError, match=f"lu_factor: U\\[{info},{info}\\] is zero"):
            la.lu_factor(matrix)
        with pytest.raises(RuntimeError, match="lu_factor_ex"):
            la.lu_factor_ex(matrix, check_errors=True)


def test_info_is_batch_shaped_and_errors_name_the_failing_batch_element():
    batch = np.stack([np.eye(2), np.array([[1.0, 2.0], [2.0, 4.0]]), np.zeros((2, 2))]).reshape(3, 1, 2, 2)
    np.testing.assert_array_equal(la.lu_factor_ex(batch).info.data, [[0], [2], [1]])
    with pytest.raises(la.LinAlgError, match=r"\(batch element 1\)"):
        la.lu_factor(batch)


def test_lu_unpack_gives_lus_factors_and_empty_parts_when_asked_not_to():
    a = _normal(2, 4, 3)
    factor, pivots = la.lu_factor(a)
    unpacked = ag.lu_unpack(factor, pivots)
    for ours, expected in zip(unpacked, la.lu(a)):
        np.testing.assert_array_equal(ours.data, expected.data)
    p, lower, upper = ag.lu_unpack(factor, pivots, unpack_data=False)
    assert lower.shape == upper.shape == (0,) and p.shape == (2, 4, 4)
    p, lower, upper = ag.lu_unpack(factor, pivots, unpack_pivots=False)
    assert p.shape == (0,) and lower.shape == (2, 4, 3)


def test_lu_unpack_takes_float16_as_torchs():
    a = _normal(3, 3)
    factor, pivots = la.lu_factor(a)
    p, lower, upper = ag.lu_unpack(factor.astype(np.float16), pivots)
    assert lower.dtype == upper.dtype == p.dtype == np.float16
    np.testing.assert_allclose((p.data @ lower.data @ upper.data).astype(np.float64), a, atol=1e-2)


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
def test_lu_solve_solves_each_equation(left, adjoint):
    a, b = _normal(2, 3, 3), _normal(4, 1, 3, 2) if left else _normal(4, 1, 2, 3)
    factor, pivots = la.lu_factor(a)
    x = la.lu_solve(factor, pivots, b, left=left, adjoint=adjoint).data
    matrix = a.swapaxes(-1, -2) if adjoint else a
    expected = np.linalg.solve(matrix, b) if left else np.linalg.solve(matrix.swapaxes(-1, -2), b.swapaxes(-1, -2))
    np.testing.assert_allclose(x, expected if left else expected.swapaxes(-1, -2), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 3), (2, 3, 5), (5, 2)])
@pytest.mark.parametrize("pivot", [True, False])
def test_lu_factors_gradients_match_finite_differences(shape, pivot):
    a = _normal(*shape) + (0.0 if pivot else 4 * np.eye(*shape[-2:]))
    assert gradcheck(lambda x: la.lu(x, pivot=pivot)[1:], [a])
    assert gradcheck(lambda x: la.lu_factor(x, pivot=pivot).LU, [a])


@pytest.mark.parametrize("shape", [(3, 3), (4, 2), (2, 4)])
def test_lu_factors_second_derivatives_match_finite_differences(shape):
    assert gradgradcheck(lambda x: la.lu(x)[1:], [_normal(*shape)])


@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
def test_lu_solve_gradients_in_the_factor_and_b_match_finite_differences(left, adjoint):
    factor, pivots = la.lu_factor(_normal(2, 3, 3))
    b = _normal(2, 3, 2) if left else _normal(2, 2, 3)
    assert gradcheck(lambda f, y: la.lu_solve(f, pivots, y, left=left, adjoint=adjoint), [factor.data, b])


def test_lu_solve_through_lu_factor_has_solves_gradient():
    a, b = _normal(3, 3), _normal(3, 2)
    assert gradcheck(lambda x, y: la.lu_solve(*la.lu_factor(x), y), [a, b])


def test_lu_unpack_gradient_reaches_the_packed_factors_triangles():
    factor, pivots = la.lu_factor(_normal(4, 3))
    assert gradcheck(lambda f: ag.lu_unpack(f, pivots)[1:], [factor.data])


SINGULAR = np.array([[1.0, 2.0], [2.0, 4.0]])
INDEFINITE = np.array([[1.0, 2.0], [2.0, 1.0]])


def test_solve_ex_and_inv_ex_report_the_singular_matrix_and_solve_the_others():
    a = np.stack([np.array([[2.0, 1.0], [1.0, 3.0]]), SINGULAR])
    b = _normal(2, 2, 3)
    result, info = la.solve_ex(a, b)
    np.testing.assert_array_equal(info.data, [0, 2])
    assert info.dtype == np.int32 and result.shape == (2, 2, 3)
    np.testing.assert_allclose(result.data[0], np.linalg.solve(a[0], b[0]), rtol=1e-12)
    inverse, info = la.inv_ex(a)
    np.testing.assert_array_equal(info.data, [0, 2])
    np.testing.assert_allclose(inverse.data[0], np.linalg.inv(a[0]), rtol=1e-12)
    assert np.isnan(inverse.data[1]).all() and np.isnan(result.data[1]).all()
    for call in (lambda: la.solve_ex(a, b, check_errors=True), lambda: la.inv_ex(a, check_errors=True)):
        with pytest.raises(la.LinAlgError, match=r"\(batch element 1\).*singular"):
            call()


@pytest.mark.parametrize("left", [True, False])
def test_solve_ex_takes_solves_shapes_of_b(left):
    a = _normal(2, 3, 3)
    # vectors only with left=True: torch refuses them with left=False (tests/test_linalg_torch.py)
    for b in (_normal(3), _normal(2, 3), _normal(3, 4)) if left else (_normal(4, 3), _normal(2, 4, 3)):
        result, info = la.solve_ex(a, b, left=left)
        np.testing.assert_allclose(result.data, la.solve(a, b, left=left).data, rtol=1e-12)
        np.testing.assert_array_equal(info.data, [0, 0])


def test_solve_ex_agrees_with_its_info_where_numpys_rounding_finds_a_zero_pivot():
    # singular in exact arithmetic; numpy's LAPACK finds a zero pivot, our LU (as torch's) U[3,3] = 1.1e-16
    a = np.arange(1.0, 10.0).reshape(3, 3)
    with pytest.raises(la.LinAlgError):
        la.solve(a, np.ones(3))
    factor, pivots, info = la.lu_factor_ex(a)
    result, solve_info = la.solve_ex(a, np.ones(3))
    assert int(solve_info.item()) == int(info.item()) == 0
    expected = la.lu_solve(factor, pivots, Tensor(np.ones((3, 1))))[..., 0]
    np.testing.assert_array_equal(result.data, expected.data)
    np.testing.assert_array_equal(la.inv_ex(a).inverse.data, la.lu_solve(factor, pivots, Tensor(np.eye(3))).data)


def test_solve_ex_and_inv_ex_gradients_match_finite_differences_where_solved():
    a = np.stack([_normal(3, 3), np.zeros((3, 3))])
    b = _normal(2, 3, 2)
    assert gradcheck(lambda x, y: la.solve_ex(x, y).result[:1], [a, b])
    assert gradcheck(lambda x, y: la.solve_ex(x, y, left=False).result, [a[:1], b[:1].swapaxes(-1, -2)])
    assert gradcheck(lambda x: la.inv_ex(x).inverse[:1], [a])


@pytest.mark.parametrize(
    ("matrix", "info"),
    [
        (INDEFINITE, 2),
        (np.diag([1.0, 1.0, -1.0]), 3),
        (np.diag([0.0, 1.0, 1.0]), 1),
        (np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, np.nan]]), 3),
        (np.array([[1.0, 0.0, 0.0], [np.nan, 1.0, 0.0], [0.0, 0.0, 1.0]]), 2),
        (np.array([[1.0, np.nan], [0.0, 1.0]]), 0),  # the upper triangle is not read
        (np.array([[4.0, 2.0], [2.0, 3.0]]), 0),
    ],
)
def test_cholesky_ex_info_is_the_first_leading_minor_not_positive_definite(matrix, info):
    factor, found = la.cholesky_ex(matrix)
    assert found.dtype == np.int32 and int(found.item()) == info
    if info:
        assert np.isnan(factor.data).all()
        with pytest.raises(la.LinAlgError, match=f"leading minor of order {info}"):
            la.cholesky_ex(matrix, check_errors=True)
    else:
        np.testing.assert_array_equal(factor.data, la.cholesky(matrix).data)


def test_cholesky_ex_upper_reads_the_upper_triangle_and_batches():
    spd = np.array([[4.0, 2.0], [2.0, 3.0]])
    a = np.stack([spd, INDEFINITE, np.tril(spd) + np.triu(5 * INDEFINITE, 1)])  # the last: upper one indefinite
    lower, info = la.cholesky_ex(a)
    np.testing.assert_array_equal(info.data, [0, 2, 0])
    upper, info = la.cholesky_ex(a, upper=True)
    np.testing.assert_array_equal(info.data, [0, 2, 2])
    np.testing.assert_allclose(upper.data[0], la.cholesky(spd, upper=True).data)
    # (cholesky's gradient is symmetric, as torch's: checked along symmetric directions)
    assert gradcheck(lambda x: la.cholesky_ex(x + x.mT, upper=True).L[:1], [a])


def test_tensorinv_inverts_under_tensordot_and_differentiates_as_inv():
    a = _normal(4, 2, 2)
    inverse = la.tensorinv(a, ind=1)
    assert inverse.shape == (2, 2, 4)
    np.testing.assert_allclose(np.tensordot(inverse.data, a, 1), np.eye(2 * 2).reshape(2, 2, 2, 2), atol=1e-12)
    assert gradcheck(lambda x: la.tensorinv(x, ind=1), [a])
    assert la.tensorinv(_normal(2, 3, 6)).shape == (6, 2, 3)


def test_tensorsolve_solves_tensordot_with_moved_dims_and_differentiates_as_solve():
    a, b = _normal(6, 2, 3), _normal(2, 3)
    x = la.tensorsolve(a, b, dims=(0,))
    np.testing.assert_allclose(np.tensordot(np.moveaxis(a, 0, -1), x.data, 1), b, atol=1e-12)
    assert gradcheck(lambda p, q: la.tensorsolve(p, q, dims=(0,)), [a, b])


def test_linalg_diagonal_reads_the_last_two_axes_by_default():
    a = _normal(2, 3, 4)
    np.testing.assert_array_equal(la.diagonal(a, offset=1).data, np.diagonal(a, 1, -2, -1))
    np.testing.assert_array_equal(la.diagonal(a, dim1=0, dim2=2).data, np.diagonal(a, 0, 0, 2))
    assert gradcheck(lambda x: la.diagonal(x, offset=-1), [a])


def test_vander_has_increasing_powers_of_each_vector():
    x = _normal(2, 3)
    result = la.vander(x, N=4)
    expected = np.stack([np.vander(row, 4, increasing=True) for row in x])
    np.testing.assert_allclose(result.data, expected, rtol=1e-14)
    assert la.vander(x).shape == (2, 3, 3)
    np.testing.assert_array_equal(la.vander(2.0, N=3).data, [[1.0, 2.0, 4.0]])  # a number: a vector of one, as torch
    integers = la.vander(np.array([2, 3], dtype=np.int32), N=3)
    assert integers.dtype == np.int32
    np.testing.assert_array_equal(integers.data, [[1, 2, 4], [1, 3, 9]])


def test_vander_gradient_matches_finite_differences_at_zero_too():
    assert gradcheck(lambda x: la.vander(x, N=4), [np.array([[0.0, 1.5, -2.0], [0.3, 0.0, 1.0]])])
    x = Tensor(np.zeros(2), requires_grad=True)
    la.vander(x, N=3).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])  # d/dx (1 + x + x^2) at 0


def _raw_qr(a):
    """numpy's Householder reflectors of a (geqrf's, rows and columns swapped back) and its Q."""
    h, tau = np.linalg.qr(a, mode="raw")
    return h.T, tau, np.linalg.qr(a)[0]


def test_householder_product_of_geqrfs_reflectors_is_qrs_q():
    a = _normal(5, 3)
    reflectors, tau, q = _raw_qr(a)
    np.testing.assert_allclose(la.householder_product(reflectors, tau).data, q, atol=1e-12)
    reflectors, tau, q = (np.stack(parts) for parts in zip(*[_raw_qr(m) for m in _normal(2, 4, 4)]))
    np.testing.assert_allclose(la.householder_product(reflectors, tau).data, q, atol=1e-12)


def test_householder_product_reads_the_strict_lower_triangle_and_fewer_reflectors():
    a, tau = _normal(2, 4, 3), _normal(2, 2)
    changed = a + np.triu(_normal(4, 3))
    np.testing.assert_array_equal(la.householder_product(a, tau).data, la.householder_product(changed, tau).data)
    np.testing.assert_array_equal(
        la.householder_product(a, np.zeros((2, 0))).data, np.broadcast_to(np.eye(4, 3), a.shape)
    )
    assert gradcheck(la.householder_product, [a, tau])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: la.lu_factor(np.ones(3)), ValueError, "lu_factor_ex: expected matrices"),
        (lambda: la.lu_factor(np.ones((2, 2), np.float16)), DtypeKernelError, "lu_factor_ex"),
        (lambda: la.lu(np.ones((2, 2)), pivot=1), TypeError, "pivot must be True or False"),
        (lambda: la.lu_solve(np.eye(3), np.ones(3, np.int32), np.ones(3)), ValueError, "at least 2 dimensions"),
        (lambda: la.lu_solve(np.eye(3), np.ones(3, np.int64), np.ones((3, 1))), DtypeMismatchError, "int32"),
        (lambda: la.lu_solve(np.eye(3), np.ones(2, np.int32), np.ones((3, 1))), ValueError, "pivots of shape"),
        (lambda: la.lu_solve(np.eye(3), np.full(3, 4, np.int32), np.ones((3, 1))), ArgumentRangeError, "1 and 3"),
        (lambda: la.lu_solve(np.eye(3), np.ones(3, np.int32), np.ones((2, 1))), ValueError, "do not fit A X = B"),
        (lambda: la.lu_solve(np.ones((3, 2)), np.ones(3, np.int32), np.ones((3, 1))), ValueError, "square"),
        (
            lambda: la.lu_solve(np.eye(3), np.ones(3, np.int32), np.ones((3, 1), np.float32)),
            DtypeMismatchError,
            "dtype",
        ),
        (lambda: ag.lu_unpack(np.ones(3), np.ones(3, np.int32)), ValueError, "at least 2 dimensions"),
        (lambda: la.solve_ex(np.ones((2, 3)), np.ones(2)), ValueError, "solve_ex: expected square"),
        (lambda: la.inv_ex(np.ones((2, 2), np.float16)), DtypeKernelError, "inv_ex"),
        (lambda: la.cholesky_ex(np.ones((2, 3))), ValueError, "cholesky_ex: expected square"),
        (lambda: la.tensorinv(np.ones((4, 2, 2)), ind=0), ArgumentRangeError, "positive"),
        (lambda: la.tensorinv(np.ones((4, 2, 3)), ind=1), ValueError, "6 != 4"),
        (lambda: la.tensorsolve(np.ones((2, 3, 5)), np.ones((2, 3))), ValueError, "tensorsolve"),
        (lambda: la.vander(np.ones(3), N=1), ArgumentRangeError, "greater than 1"),
        (lambda: la.vander(np.ones(3), N=2.0), TypeError, "N"),
        (lambda: la.vander(np.ones(3, bool)), DtypeKernelError, "bool"),
        (lambda: la.householder_product(np.ones((2, 3)), np.ones(1)), ValueError, "at least as many rows"),
        (lambda: la.householder_product(np.ones((3, 2)), np.ones(3)), ValueError, "at most 2"),
        (lambda: la.householder_product(np.ones((2, 3, 2)), np.ones(2)), ValueError, "batch shape"),
        (lambda: la.householder_product(np.ones((3, 2)), np.ones(2, np.float32)), DtypeMismatchError, "dtype"),
    ],
)
def test_wrong_arguments_raise_errors_naming_the_function(call, error, message):
    with pytest.raises(error, match=message):
        call()
