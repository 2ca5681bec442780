"""autograd.linalg beyond the op table (tests/op_table.py checks values, gradients and second derivatives
of every function): the normal equations of least squares solved and differentiated, the norm's gradient
at zero, slogdet's sign, det's gradient (the cofactors) at singular matrices and slogdet's (torch's inf and nan) there, and
errors naming the function and the shape. The norms' full table is tested in tests/test_linalg_norms.py."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

import autograd.linalg as la
from autograd import Tensor, grad, gradcheck, gradgradcheck, no_grad

SINGULAR = [
    np.array([[1.0, 2.0], [2.0, 4.0]]),  # rank 1: the cofactors are [[4, -2], [-2, 1]]
    np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]),  # rank 2
    np.array([[2.0, 0.0, 0.0], [0.0, 3.0, 0.0], [0.0, 0.0, 0.0]]),  # rank 2: only the corner cofactor, 6, is not 0
    np.zeros((3, 3)),  # rank 0: every cofactor is 0
    np.array([[0.0]]),  # 1 x 1: d det / dA = 1
]


def _cofactors(a):
    """adj(A)^T by its definition: C_ij = (-1)^(i+j) times the minor of A without row i and column j."""
    n = a.shape[0]
    cofactors = np.ones((n, n))
    for i, j in np.ndindex(n, n):
        minor = np.delete(np.delete(a, i, axis=0), j, axis=1)
        cofactors[i, j] = (-1) ** (i + j) * (np.linalg.det(minor) if minor.size else 1.0)
    return cofactors


def test_normal_equations_give_least_squares_weights_and_their_gradient():
    rng = np.random.default_rng(0)
    features, targets = rng.normal(size=(20, 3)), rng.normal(size=20)
    x = Tensor(features)
    weights = la.solve(x.T @ x, x.T @ Tensor(targets))
    np.testing.assert_allclose(weights.data, np.linalg.lstsq(features, targets, rcond=None)[0], rtol=1e-10)
    assert gradcheck(lambda a, y: la.solve(a.T @ a, a.T @ y), [features[:6], targets[:6]])


def test_norm_gradient_at_zero_is_zero_as_torch():
    x = Tensor(np.zeros(3), requires_grad=True)
    la.norm(x).backward()
    np.testing.assert_array_equal(x.grad, np.zeros(3))


def test_slogdet_sign_is_a_tensor_in_the_graph_with_gradient_zero_as_torchs():
    torch = pytest.importorskip("torch")
    a = np.array([[[0.0, 2.0], [3.0, 0.0]], [[1.0, 2.0], [0.5, 3.0]]])
    ours = Tensor(a, requires_grad=True)
    theirs = torch.tensor(a, requires_grad=True)
    (sign, logabsdet), (their_sign, their_logabsdet) = la.slogdet(ours), torch.linalg.slogdet(theirs)
    assert isinstance(sign, Tensor) and sign.requires_grad == their_sign.requires_grad
    np.testing.assert_array_equal(sign.data, their_sign.detach().numpy())
    np.testing.assert_allclose(logabsdet.data, their_logabsdet.detach().numpy(), rtol=1e-12)
    weights = np.array([[2.0, -1.0], [0.5, 3.0]])
    got = grad([sign, logabsdet], [ours], [Tensor(weights[0]), Tensor(weights[1])])[0]
    want = torch.autograd.grad([their_sign, their_logabsdet], [theirs], [torch.tensor(w) for w in weights])[0]
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-12)
    assert not la.slogdet(a).sign.requires_grad


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: la.inv(np.ones((2, 3))), r"inv: expected square matrices in the last two axes, got shape \(2, 3\)"),
        (lambda: la.inv(np.ones((2, 2))), r"inv: the matrix is singular \(shape \(2, 2\)\)"),
        (lambda: la.det(np.ones(3)), r"det: expected square matrices"),
        (lambda: la.solve(np.eye(2), np.ones(3)), r"solve: b must be a vector \(2,\) for a single matrix"),
        (lambda: la.cholesky(-np.eye(2)), r"cholesky: the matrix is not positive definite"),
        (lambda: la.lstsq(np.eye(3, 2), np.ones(2)), r"lstsq: b must have 3 rows to match a of shape \(3, 2\)"),
        (
            lambda: la.lstsq(np.ones((2, 5, 3)), np.ones((3, 5, 2))),
            r"lstsq: batch shapes of a \(2, 5, 3\) and b \(3, 5, 2\) do not broadcast",
        ),
        (
            lambda: la.lstsq(np.ones((2, 5, 3)), np.ones((3, 5))),
            r"lstsq: batch shapes of a \(2, 5, 3\) and b \(3, 5\) do not broadcast",
        ),
        (lambda: la.norm(np.ones((2, 2)), ord="nuc2"), r"norm: invalid norm order 'nuc2' for matrices"),
        (lambda: la.vecdot(np.ones((2, 3)), np.ones(4)), r"vecdot: shapes \(2, 3\) and \(4,\) do not broadcast"),
    ],
)
def test_bad_arguments_are_errors_naming_the_function(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize("a", SINGULAR, ids=lambda a: f"{a.shape[0]}x{a.shape[0]}-rank{np.linalg.matrix_rank(a)}")
def test_det_gradient_at_a_singular_matrix_is_the_cofactor_matrix(a):
    x = Tensor(a, requires_grad=True)
    la.det(x).backward()
    np.testing.assert_allclose(x.grad, _cofactors(a), atol=1e-12)
    assert gradcheck(la.det, [a], atol=1e-8, rtol=1e-6)  # det is a polynomial: central differences are near exact


def test_det_gradient_of_a_batch_with_a_singular_matrix_scales_each_by_its_upstream_gradient():
    batch = np.stack([SINGULAR[1], np.diag([1.0, 2.0, 4.0])])
    x = Tensor(batch, requires_grad=True)
    la.det(x).backward(np.array([2.0, -1.0]))
    np.testing.assert_allclose(x.grad[0], 2.0 * _cofactors(batch[0]), atol=1e-12)
    np.testing.assert_allclose(x.grad[1], -np.diag([8.0, 4.0, 2.0]), atol=1e-12)


@pytest.mark.parametrize("a", SINGULAR[:3], ids=["2x2", "3x3", "diagonal"])
def test_det_gradient_at_a_singular_matrix_matches_torch(a):
    """torch's first-order det backward gives 0 at an exactly singular matrix (it perturbs LU's zero pivot and
    multiplies by det = 0); its double-backward path takes the SVD and gives the cofactors, as we do."""
    torch = pytest.importorskip("torch")
    expected = torch.tensor(a, requires_grad=True)
    (expected_gradient,) = torch.autograd.grad(torch.linalg.det(expected), expected, create_graph=True)
    x = Tensor(a, requires_grad=True)
    la.det(x).backward()
    np.testing.assert_allclose(x.grad, expected_gradient.detach().numpy(), atol=1e-12)


@pytest.mark.parametrize("a", [*SINGULAR, np.zeros((2, 3, 3))], ids=lambda a: str(a.shape))
def test_det_gradient_at_a_singular_matrix_is_differentiable_again(a):
    """Under create_graph the cofactors are the recorded determinants of the minors, so the second derivative
    exists at singular matrices too (torch's is nan at the zero matrix, where its SVD's values repeat)."""
    assert gradgradcheck(la.det, [a])


def _rounded_singular():
    """A rank-3 product of 4 x 3 and 3 x 4 matrices: LU's last pivot rounds to about 1e-16 instead of 0, so inv
    succeeds and g det(A) A^-T is right to first order, but its derivative cancels terms 1e16 times larger than
    itself; the determinants of the minors differentiate exactly there, as torch's SVD path does."""
    rng = np.random.default_rng(5)
    a = rng.normal(size=(4, 3)) @ rng.normal(size=(3, 4))
    np.linalg.inv(a)  # no LinAlgError: not singular to LAPACK
    return a, rng.normal(size=(4, 4))


@pytest.mark.parametrize(
    ("matrix_and_weights", "atol"),
    [((SINGULAR[1], np.arange(9.0).reshape(3, 3) / 10), 1e-12), (_rounded_singular(), 1e-8)],
    ids=["singular", "rounded-singular"],
)
def test_det_second_derivative_at_a_singular_matrix_matches_torch(matrix_and_weights, atol):
    torch = pytest.importorskip("torch")
    a, weights = matrix_and_weights
    expected = torch.tensor(a, requires_grad=True)
    (expected_gradient,) = torch.autograd.grad(torch.linalg.det(expected), expected, create_graph=True)
    (expected_hessian_product,) = torch.autograd.grad((expected_gradient * torch.tensor(weights)).sum(), expected)
    x = Tensor(a, requires_grad=True)
    (gradient,) = grad(la.det(x), [x], create_graph=True)
    (hessian_product,) = grad((gradient * weights).sum(), [x])
    np.testing.assert_allclose(hessian_product.data, expected_hessian_product.numpy(), atol=atol)


@pytest.mark.parametrize("function", [la.det, lambda a: la.slogdet(a)[1]], ids=["det", "slogdet"])
def test_det_and_slogdet_gradients_of_a_matrix_with_nan_are_nan_as_torch(function):
    """LAPACK reports a matrix holding nan as singular: its gradient is nan, the batch's other matrices' are not."""
    batch = np.stack([np.array([[np.nan, 1.0], [1.0, 1.0]]), 2.0 * np.eye(2)])
    x = Tensor(batch, requires_grad=True)
    with np.errstate(invalid="ignore"):
        function(x).sum().backward()
    assert np.isnan(x.grad[0]).all()
    assert np.isfinite(x.grad[1]).all()


def test_det_keeps_second_derivatives_at_invertible_matrices():
    a = np.array([[2.0, 0.5, 0.1], [0.3, 1.5, -0.2], [0.1, 0.4, 1.0]])
    assert gradgradcheck(la.det, [a])
    assert gradgradcheck(lambda m: la.slogdet(m)[1], [a])


def test_slogdet_gradient_at_a_singular_matrix_is_meaningless_in_torch():
    torch = pytest.importorskip("torch")
    for a in SINGULAR[:4]:
        expected = torch.tensor(a, requires_grad=True)
        torch.linalg.slogdet(expected)[1].backward()
        assert not torch.isfinite(expected.grad).all()


RNG_SOLVE = np.random.default_rng(11)
MATRICES = RNG_SOLVE.normal(size=(3, 4, 4)) + 4 * np.eye(4)


def test_solve_reads_a_batch_of_vectors_as_torch_and_checks_against_finite_differences():
    b = RNG_SOLVE.normal(size=(3, 4))
    x = la.solve(Tensor(MATRICES), Tensor(b))
    assert x.shape == (3, 4)
    np.testing.assert_allclose(np.einsum("bij,bj->bi", MATRICES, x.data), b, atol=1e-12)
    assert gradcheck(lambda a, v: la.solve(a, v), [MATRICES, b])
    one = RNG_SOLVE.normal(size=4)  # one vector for every matrix of the batch
    np.testing.assert_allclose(la.solve(Tensor(MATRICES), Tensor(one)).data, np.linalg.solve(MATRICES, one))


def test_solve_on_the_right_solves_x_a_equals_b():
    b = RNG_SOLVE.normal(size=(3, 2, 4))
    x = la.solve(Tensor(MATRICES), Tensor(b), left=False)
    np.testing.assert_allclose(x.data @ MATRICES, b, atol=1e-12)
    assert gradcheck(lambda a, v: la.solve(a, v, left=False), [MATRICES, b])


def test_cholesky_upper_is_the_transpose_with_a_equal_to_u_t_u():
    spd = MATRICES @ MATRICES.swapaxes(-1, -2)
    upper = la.cholesky(Tensor(spd), upper=True)
    np.testing.assert_allclose(upper.data.swapaxes(-1, -2) @ upper.data, spd, rtol=1e-12)
    assert np.allclose(np.tril(upper.data, -1), 0.0)


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", 1, -1, np.inf, -np.inf])
def test_cond_is_the_product_of_the_norms_of_a_and_its_inverse(p):
    a = MATRICES[0]
    ord_ = 2 if p is None else p
    expected = np.linalg.norm(a, ord_) * np.linalg.norm(np.linalg.inv(a), ord_)
    np.testing.assert_allclose(la.cond(Tensor(a), p).data, expected, rtol=1e-10)
    assert gradcheck(lambda m: la.cond(m, p), [a])


@pytest.mark.parametrize("p", ["fro", "nuc", 1, -1, np.inf, -np.inf])
def test_cond_of_a_singular_matrix_is_inf_as_numpy_and_torch(p):
    """cond is inf for a singular A (numpy and torch return it rather than raising); the batch's invertible matrix
    keeps its value and gradient, and the singular ones get gradient 0."""
    batch = np.stack([MATRICES[0], np.ones((4, 4)), np.diag([1.0, 2.0, 3.0, 0.0])])
    x = Tensor(batch, requires_grad=True)
    result = la.cond(x, p)
    invertible = np.linalg.norm(batch[0], p) * np.linalg.norm(np.linalg.inv(batch[0]), p)
    np.testing.assert_allclose(result.data, [invertible, np.inf, np.inf], rtol=1e-10)
    result.sum().backward()
    single = Tensor(batch[0], requires_grad=True)
    la.cond(single, p).backward()
    np.testing.assert_allclose(x.grad[0], single.grad, rtol=1e-12)
    np.testing.assert_array_equal(x.grad[1:], 0.0)


def test_matrix_rank_counts_singular_values_above_the_tolerance():
    low_rank = RNG_SOLVE.normal(size=(2, 5, 3)) @ RNG_SOLVE.normal(size=(2, 3, 4))
    rank = la.matrix_rank(Tensor(low_rank))
    assert rank.dtype == np.int64 and rank.tolist() == [3, 3]
    assert la.matrix_rank(Tensor(np.zeros((3, 3)))).item() == 0
    values = np.linalg.svd(low_rank, compute_uv=False)
    assert la.matrix_rank(Tensor(low_rank), atol=1.0, rtol=0.0).tolist() == list((values > 1.0).sum(-1))


def test_linalg_cross_and_vecdot_along_the_last_axis():
    a, b = RNG_SOLVE.normal(size=(5, 3)), RNG_SOLVE.normal(size=(5, 3))
    np.testing.assert_allclose(la.cross(Tensor(a), Tensor(b)).data, np.cross(a, b))
    np.testing.assert_allclose(la.vecdot(Tensor(a), Tensor(b)).data, (a * b).sum(-1))
    assert gradcheck(lambda x, y: la.cross(x, y), [a, b])


@pytest.mark.parametrize("b_shape", [(2,), (2, 3)])
def test_solve_lets_b_change_in_place_after_the_solve_as_torch(b_shape):
    # the gradients of solve(A, b) read A and the solution, never b (torch saves A and the result): a change of b
    # before backward is not an error, and the gradients are those of the b the solve used
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    matrix, rhs = rng.standard_normal((2, 2)) + 3 * np.eye(2), rng.standard_normal(b_shape)
    grads = []
    for make, solve, guard in (
        (Tensor, la.solve, no_grad),
        (torch.tensor, torch.linalg.solve, torch.no_grad),
    ):
        a, b = make(matrix, requires_grad=True), make(rhs, requires_grad=True)
        moved = b * 1.0
        x = solve(a, moved)
        with guard():
            moved += 1.0
        (x * x).sum().backward()
        grads.append((np.asarray(a.grad), np.asarray(b.grad)))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-12)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-12)


@pytest.mark.parametrize("p", [None, 2, -2, "fro", "nuc", 1, -1, np.inf, -np.inf])
@pytest.mark.parametrize("shape", [(0, 0), (2, 0, 0), (0, 3, 3)])
def test_cond_of_empty_matrices_is_zero_as_torch(p, shape):
    """torch.linalg.cond returns 0 for 0 x 0 matrices (numpy leaves it undefined), with a zero gradient."""
    torch = pytest.importorskip("torch")
    expected = torch.linalg.cond(torch.zeros(shape, dtype=torch.float64), p).numpy()
    x = Tensor(np.zeros(shape), requires_grad=True)
    result = la.cond(x, p)
    assert result.shape == expected.shape and result.dtype == expected.dtype
    np.testing.assert_array_equal(result.data, expected)
    result.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(shape))


@pytest.mark.parametrize("p", [None, 2, -2])
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (2, 3, 0)])
def test_cond_of_empty_rectangular_matrices_is_zero_as_torch(p, shape):
    torch = pytest.importorskip("torch")
    expected = torch.linalg.cond(torch.zeros(shape, dtype=torch.float64), p).numpy()
    np.testing.assert_array_equal(la.cond(Tensor(np.zeros(shape)), p).data, expected)


@pytest.mark.parametrize("atol", [0.0, -1.0, 1e-30, 0.5])
def test_pinv_with_atol_alone_takes_torchs_default_rtol_unless_atol_is_positive(atol):
    """torch.linalg.pinv(A, atol=t): rtol is 0 for t > 0, else eps * max(m, n) (the default), so atol=0 still cuts off
    singular values at rounding level."""
    torch = pytest.importorskip("torch")
    a = np.diag([1.0, 1e-17, 3.0, 0.3])[:, :3]
    expected = torch.linalg.pinv(torch.tensor(a), atol=atol).numpy()
    np.testing.assert_allclose(la.pinv(Tensor(a), atol=atol).data, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pinv_without_tolerances_cuts_off_at_torchs_eps_times_size_in_the_matrixs_dtype(dtype):
    """A rank-1 product of float32 vectors has singular values ~1e-8 of rounding noise: torch's default cutoff, float32
    eps * 3 of the largest, drops them (numpy's bare 1e-15 inverts them, giving entries ~1e10); values and gradients."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    u, v = rng.standard_normal((3, 1)).astype(dtype), rng.standard_normal((3, 1)).astype(dtype)
    tu, tv = torch.tensor(u, requires_grad=True), torch.tensor(v, requires_grad=True)
    ou, ov = Tensor(u, requires_grad=True), Tensor(v, requires_grad=True)
    expected, got = torch.linalg.pinv(tu @ tv.mT), la.pinv(ou @ ov.mT)
    upstream = rng.standard_normal((3, 3)).astype(dtype)
    expected.backward(torch.tensor(upstream))
    got.backward(Tensor(upstream))
    tolerance = {"rtol": 1e-4, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    np.testing.assert_allclose(got.data, expected.detach().numpy(), **tolerance)
    np.testing.assert_allclose(ou.grad, tu.grad.numpy(), **tolerance)
    np.testing.assert_allclose(ov.grad, tv.grad.numpy(), **tolerance)


@pytest.mark.parametrize("tensor", [np.asarray, Tensor], ids=["ndarray", "Tensor"])
@pytest.mark.parametrize(
    "tolerances", [{"atol": [0.5, 0.05]}, {"rtol": [0.5, 0.01]}, {"atol": [0.0, 0.5], "rtol": [0.01, 0.0]}]
)
def test_pinv_and_matrix_rank_take_a_tolerance_per_matrix_as_torch(tensor, tolerances):
    """torch's atol and rtol may be tensors, one tolerance per matrix of the batch (broadcast against its shape)."""
    torch = pytest.importorskip("torch")
    a = np.stack([np.diag([1.0, 0.2, 3.0]), np.diag([2.0, 0.001, 0.1])])
    ours = {name: tensor(np.array(value)) for name, value in tolerances.items()}
    theirs = {name: torch.tensor(value, dtype=torch.float64) for name, value in tolerances.items()}
    expected = torch.linalg.pinv(torch.tensor(a), **theirs).numpy()
    x = Tensor(a, requires_grad=True)
    inverse = la.pinv(x, **ours)
    np.testing.assert_allclose(inverse.data, expected, rtol=1e-12)
    inverse.sum().backward()
    assert x.grad.shape == a.shape
    ranks = torch.linalg.matrix_rank(torch.tensor(a), **theirs).numpy()
    np.testing.assert_array_equal(la.matrix_rank(Tensor(a), **ours).data, ranks)


@pytest.mark.parametrize("dtype", [np.float16, np.longdouble])
@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("inv", la.inv),
        ("inv", np.linalg.inv),
        ("det", la.det),
        ("slogdet", la.slogdet),
        ("solve", lambda a: la.solve(a, np.ones(3))),
        ("cholesky", la.cholesky),
        ("eigh", la.eigh),
        ("svd", la.svd),
        ("qr", la.qr),
        ("pinv", la.pinv),
        ("lstsq", lambda a: la.lstsq(a, np.ones(3))),
        ("matrix_rank", la.matrix_rank),
    ],
)
def test_a_dtype_numpys_linalg_cannot_compute_in_is_refused_naming_the_function(dtype, name, call):
    # numpy's bare "array type float16 is unsupported in linalg" named neither the function nor the shape
    # (torch refuses float16 too: "lu_cpu" not implemented for 'Half')
    from autograd import DtypeKernelError

    a = Tensor(np.eye(3, dtype=dtype) * 2)
    with pytest.raises(DtypeKernelError, match=rf"^{name}: no linear-algebra computation for dtype float(16|128)"):
        call(a)
    with pytest.raises(NotImplementedError):  # torch's error class
        call(a)


def test_pinv_lstsq_and_matrix_rank_return_on_a_matrix_with_an_inf_entry() -> None:
    # numpy's SVD (LAPACK's gesdd) never returns on this matrix; pinv, lstsq and matrix_rank called it directly and
    # hung (svd itself had been mended). Run in a subprocess with a timeout, so that a hang fails the test.
    rows = [[-np.inf, -2.1957498165170115, 0.5], [-1.7792685559431023, 0.0, -0.0], [-1.3175474520837605, -2.0, 2.88]]
    code = (
        f"import json, numpy as np, autograd as A\na = A.tensor(np.array({rows!r}))\n".replace("inf", "np.inf")
        + "b = A.tensor(np.ones((3, 1)))\n"
        + "print(json.dumps([A.linalg.pinv(a).data.tolist(), A.linalg.pinv(a, atol=0.5).data.tolist(), "
        + "A.linalg.lstsq(a, b).solution.data.tolist(), int(A.linalg.matrix_rank(a).data)]))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    inverse, inverse_atol, solution, rank = json.loads(done.stdout)
    assert np.isnan(inverse).all() and np.isnan(inverse_atol).all() and np.isnan(solution).all()
    assert rank == 0  # torch's matrix_rank here too


@pytest.mark.parametrize("call", [la.pinv, la.matrix_rank, lambda a: la.lstsq(a, np.ones(2))])
def test_pinv_lstsq_and_matrix_rank_of_a_nan_matrix_raise_linalg_error(call) -> None:
    # torch: "linalg.svd: The algorithm failed to converge because the input matrix contained non-finite values"
    with pytest.raises(la.LinAlgError, match="nan"):
        call(Tensor(np.array([[np.nan, 1.0], [2.0, 3.0]])))


def test_cholesky_upper_reads_the_upper_triangle_as_torch():
    # A = U^T U from A's upper triangle: the lower one here is not even positive definite
    a = np.array([[4.0, 2.0], [-100.0, 3.0]])
    upper = la.cholesky(Tensor(a), upper=True).data
    np.testing.assert_allclose(upper, [[2.0, 1.0], [0.0, np.sqrt(2.0)]], rtol=1e-15)
    symmetric = np.triu(a) + np.triu(a, 1).T
    np.testing.assert_allclose(upper.T @ upper, symmetric, rtol=1e-14)
    rng = np.random.default_rng(2)
    b = rng.normal(size=(3, 3))
    spd = b @ b.T + 3 * np.eye(3)
    # (the gradient is symmetric, as torch's: checked through a symmetric input, whose factor depends on both halves)
    assert gradcheck(lambda m: la.cholesky((m + m.mT) / 2, upper=True), (Tensor(spd, requires_grad=True),))


def test_matrix_exp_of_a_batch_squares_each_matrix_as_often_as_it_needs():
    # one squaring count for the whole batch: a nan matrix set it to 0 for all (wrong values elsewhere), and a large
    # matrix made a small one's many needless squarings cost accuracy; each matrix now gives what it gives alone
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 3))
    rotation = (a - a.T) * 100  # e^rotation is orthogonal
    small = a * 0.01
    batch = np.stack([rotation, np.full((3, 3), np.nan), small, a * 1e4])
    result = la.matrix_exp(Tensor(batch)).data
    alone = [la.matrix_exp(Tensor(matrix)).data for matrix in (rotation, small)]
    np.testing.assert_allclose(result[0], alone[0], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(result[0] @ result[0].T, np.eye(3), atol=1e-8)
    assert np.isnan(result[1]).all()
    np.testing.assert_allclose(result[2], alone[1], rtol=1e-15)
    mixed = Tensor(np.stack([a * 3, small]), requires_grad=True)
    assert gradcheck(la.matrix_exp, (mixed,))


def test_matrix_rank_hermitian_reads_the_lower_triangle_as_a_symmetric_matrix_as_torch():
    # [[1, 7], [1, 1]]: its lower triangle stands for [[1, 1], [1, 1]], of rank 1 (the full matrix has rank 2)
    assert int(la.matrix_rank(Tensor(np.array([[1.0, 7.0], [1.0, 1.0]])), hermitian=True).data) == 1
    assert int(la.matrix_rank(Tensor(np.array([[1.0, 7.0], [1.0, 1.0]]))).data) == 2
    rng = np.random.default_rng(1)
    factors = rng.normal(size=(3, 4, 2))
    symmetric = factors @ factors.transpose(0, 2, 1)
    np.testing.assert_array_equal(la.matrix_rank(Tensor(symmetric), hermitian=True).data, [2, 2, 2])
