"""svd, eigh and qr beyond the op table (tests/op_table.py checks values and first and second derivatives of
each factor): every output's gradient at once, full_matrices and the modes, repeated values, torch's Tensor.svd
and Tensor.qr, numpy's functions on Tensors, and errors."""

import numpy as np
import pytest

import autograd.linalg as la
from autograd import Tensor, gradcheck, gradgradcheck

RNG = np.random.default_rng(7)


def _separated(rows: int, columns: int) -> np.ndarray:
    """A matrix with singular values near 3, 2, 1 and no zero entry (see op_table._separated_spectrum)."""
    a = RNG.uniform(0.02, 0.12, (rows, columns))
    a[np.arange(min(rows, columns)), np.arange(min(rows, columns))] += [3.0, -2.0, 1.0][: min(rows, columns)]
    return a


def _sign_free_svd_loss(u, s, vh):
    """A loss of all three factors that does not depend on the factors' signs."""
    weights = np.arange(1.0, 1.0 + u.shape[-1])
    return (u**2 * weights).sum() + (s**3).sum() + (vh**2 * weights[:, None]).sum() + (u @ vh).sum()


@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (3, 3)])
def test_svd_gradient_of_every_factor_at_once_matches_finite_differences(shape):
    a = _separated(*shape)
    assert gradcheck(lambda x: _sign_free_svd_loss(*la.svd(x, full_matrices=False)), [a])
    assert gradgradcheck(lambda x: _sign_free_svd_loss(*la.svd(x, full_matrices=False)), [a])


def test_svd_full_matrices_extra_columns_get_no_gradient_as_in_torch():
    # U's last two columns (of a 5 x 3 matrix) are any orthonormal completion: a loss of them has no derivative
    x = Tensor(_separated(5, 3), requires_grad=True)
    u, s, vh = la.svd(x)
    assert u.shape == (5, 5) and vh.shape == (3, 3)
    ((u[:, 3:] ** 2).sum() + s.sum()).backward()
    reduced = Tensor(x.data, requires_grad=True)
    la.svdvals(reduced).sum().backward()
    np.testing.assert_allclose(x.grad, reduced.grad, rtol=1e-12)


@pytest.mark.parametrize("compute_uv", [True, False])
def test_numpy_svd_takes_numpys_hermitian_hint(compute_uv):
    # numpy's svd(a, hermitian=True) of a symmetric matrix: the same singular values, which are differentiable
    base = _separated(3, 3)
    symmetric = base + base.T
    x = Tensor(symmetric, requires_grad=True)
    result = np.linalg.svd(x, compute_uv=compute_uv, hermitian=True)
    values = result.S if compute_uv else result
    np.testing.assert_allclose(values.data, np.linalg.svd(symmetric, compute_uv=False, hermitian=True), rtol=1e-12)
    if compute_uv:
        u, s, vh = result
        np.testing.assert_allclose((u * s @ vh).data, symmetric, atol=1e-12)
    assert gradcheck(lambda m: np.linalg.svd(m + m.T, compute_uv=False, hermitian=True), [base])


def test_singular_values_alone_are_differentiable_at_repeated_values():
    # the identity's singular values all equal 1: dS/dA = U V^T stays finite, as torch's svdvals
    x = Tensor(np.eye(3), requires_grad=True)
    la.svd(x, compute_uv=False).sum().backward()
    np.testing.assert_allclose(x.grad, np.eye(3), atol=1e-12)


def test_eigh_gradient_of_values_and_vectors_matches_finite_differences_of_the_symmetric_part():
    a = _separated(3, 3)

    def loss(x):
        values, vectors = la.eigh((x + x.T) * 0.5)
        return (values**2).sum() + (vectors**2 * np.arange(1.0, 4.0)).sum()

    assert gradcheck(loss, [a])
    assert gradgradcheck(loss, [a])


def test_eigh_reads_the_triangle_uplo_names():
    a = np.array([[2.0, 100.0], [0.5, 1.0]])
    np.testing.assert_allclose(la.eigvalsh(a).data, np.linalg.eigvalsh(a), rtol=1e-12)
    np.testing.assert_allclose(la.eigvalsh(a, UPLO="U").data, np.linalg.eigvalsh(a, UPLO="U"), rtol=1e-12)


@pytest.mark.parametrize("shape", [(4, 2), (2, 4), (3, 3), (2, 3, 3)])
def test_qr_gradient_of_both_factors_matches_finite_differences(shape):
    a = _separated(*shape[-2:]) if len(shape) == 2 else np.stack([_separated(*shape[-2:]) for _ in range(shape[0])])
    weights = RNG.uniform(-1, 1, np.linalg.qr(a)[1].shape)
    assert gradcheck(lambda x: (la.qr(x).Q ** 3).sum() + (la.qr(x).R * weights).sum(), [a])
    assert gradgradcheck(lambda x: (la.qr(x).Q ** 3).sum() + (la.qr(x).R * weights).sum(), [a])


def test_qr_mode_r_gives_an_empty_q_and_r_with_its_gradient():
    a = _separated(4, 3)
    q, r = la.qr(a, mode="r")  # torch's pair; numpy's call on a Tensor gives R alone
    assert q.shape == (0,) and q.dtype == a.dtype
    np.testing.assert_allclose(r.data, np.linalg.qr(a, mode="r"), rtol=1e-12)
    np.testing.assert_allclose(np.linalg.qr(Tensor(a), mode="r").data, r.data, rtol=1e-12)
    assert gradcheck(lambda x: la.qr(x, mode="r").R.sum(), [a])
    assert gradcheck(lambda x: np.linalg.qr(x, mode="r").sum(), [a])


def test_qr_complete_of_a_tall_matrix_has_no_gradient_and_says_so():
    x = Tensor(_separated(4, 2), requires_grad=True)
    q, r = la.qr(x, mode="complete")
    assert q.shape == (4, 4)
    with pytest.raises(RuntimeError, match=r"qr: mode='complete' of a tall matrix is not differentiable"):
        q.sum().backward()


def test_numpy_functions_on_a_tensor_are_the_differentiable_ones():
    x = Tensor(_separated(3, 3), requires_grad=True)
    u, s, vh = np.linalg.svd(x)
    q, r = np.linalg.qr(x)
    values, vectors = np.linalg.eigh(x)
    assert all(isinstance(f, Tensor) and f.requires_grad for f in (u, s, vh, q, r, values, vectors))
    assert np.linalg.eigvalsh(x).requires_grad


@pytest.mark.filterwarnings("ignore:torch.qr is deprecated")
def test_tensor_svd_and_qr_match_torch():
    torch = pytest.importorskip("torch")
    a = _separated(4, 3)
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    u, s, v = x.svd()
    tu, ts, tv = t.svd()
    q, r = x.qr()
    tq, tr = t.qr()
    loss = (u**2).sum() * 2 + (s**2).sum() + (v**4).sum() + (q * r.sum()).sum()
    torch_loss = (tu**2).sum() * 2 + (ts**2).sum() + (tv**4).sum() + (tq * tr.sum()).sum()
    loss.backward()
    torch_loss.backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_tensor_svd_without_uv_gives_zero_factors_and_differentiable_values():
    x = Tensor(_separated(3, 2), requires_grad=True)
    u, s, v = x.svd(compute_uv=False)
    assert not u.requires_grad and not np.any(u.data) and u.shape == (3, 3) and v.shape == (2, 2)
    s.sum().backward()
    uu, _, vh = np.linalg.svd(x.data, full_matrices=False)
    np.testing.assert_allclose(x.grad, uu @ vh, rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: la.svd(np.ones(3)), r"svd: expected matrices in the last two axes, got shape \(3,\)"),
        (lambda: la.eigh(np.ones((2, 3))), r"eigh: expected square matrices in the last two axes, got shape \(2, 3\)"),
        (lambda: la.eigh(np.eye(2), UPLO="X"), r"eigh: UPLO must be 'L' or 'U', got 'X'"),
        (lambda: la.qr(np.eye(2), mode="full"), r"qr: mode must be 'reduced', 'complete' or 'r', got 'full'"),
    ],
)
def test_decomposition_errors_name_the_function_and_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()
