"""torch's own documentation examples for ``torch.linalg`` and ``torch.special`` (the ``>>>`` blocks of the
docstrings of torch 2.13's ``torch.linalg.<fn>`` and ``torch.special.<fn>``), ported to this library.

Each example was translated by hand (``torch.linalg`` -> ``autograd.linalg``, ``torch.special`` ->
``autograd.special``) and runs through both libraries from the same seeded float64 arrays (the examples'
``torch.randn``/``torch.rand`` draws are replaced by fixed draws from ``numpy.random.default_rng(0)``); the outputs'
shapes, dtypes and values must agree, and so must the gradients of a fixed random projection of the floating
outputs with respect to the inputs (tests/torch_doc_examples.py's ``both``). torch's default dtype is set to
float64 while the examples run, the library's default, so that ``torch.tensor([1, 0.5])``, ``torch.eye(n)`` and
integer arguments promoted to floating point give the same dtype on both sides.

Translated, not differences:

- ``torch.dist(...)`` of two computations of one result (the examples' checks of a factorisation) is compared as a
  float, without its gradient: the distance is rounding, and its gradient rounding's direction.
- ``eigh``'s eigenvectors are fixed up to sign: their gradients are compared through sign-free functions of them
  (``Q * Q`` and ``Q diag(L) Q^T``).
- ``gammainc``/``gammaincc`` in the shape ``a`` and ``zeta`` in ``x`` have no derivative in torch: those
  arguments are constants in the cases, the others are differentiated.

- in-place fills of the examples on fresh tensors (``torch.randn(3, 3).triu_()``, ``A[:, 0].zero_()``,
  ``matrix[-1, -1] = 0``, ``A[0, :, :] = torch.eye(2, 2)`` on ``torch.empty``, ``torch.empty(2, 3).uniform_(1, 2)``)
  are made on the numpy arrays before the tensors are built, so that the inputs stay leaves whose gradients are
  compared.
- ``torch.linalg.householder_product(*torch.geqrf(A))``: ``torch.geqrf`` belongs to the ``torch.<fn>`` examples;
  both libraries are given the same reflectors, numpy's LAPACK ``geqrf`` (``numpy.linalg.qr(mode="raw")``).
- ``torch.linalg.solve_ex(A)``: the docstring's call omits ``B`` and is refused by torch with a ``TypeError``; the
  library refuses it the same way (checked), and the example's evident intent, ``solve_ex(A, I)`` equal to
  ``inv(A)``, is checked as well.
- ``torch.linalg.qr(A, mode='r')``: torch refuses to differentiate through it (its Q is not computed); the
  library's R of ``mode='r'`` is differentiable, so the case calls it on ``A.detach()`` and compares values.
- ``torch.linalg.cond`` with the orders ``'fro'``, inf, -inf, 1 and -1: torch's backward fails (the inverse it
  saves is modified in place), so the gradient is compared with torch's of the definition,
  ``norm(A, p) * norm(inv(A), p)``.
- ``torch.linalg.norm(B, -2)`` of the example's ``B`` (``arange(9) - 4`` reshaped, a singular matrix): the
  smallest singular value is 0, where the norm has a kink and the signs of the singular vectors are free, so the
  two libraries' gradients there are each a valid choice; values only.
- ``torch.linalg.ldl_factor``/``ldl_factor_ex``/``ldl_solve`` have no derivatives in torch (nor in the library):
  their values are compared, without gradients.
- ``torch.linalg.lu(A, pivot=False)`` runs on CUDA only in torch (its CPU refuses it); the library computes it on
  the CPU, and the case checks it against its definition (``P`` the identity, ``A == L @ U``, ``L`` unit lower
  triangular) instead of against torch.

Left out, and why:

- every ``dtype=torch.complex64``/``complex128`` example line (``cholesky``'s and ``cholesky_ex``'s Hermitian
  matrix, ``cond``'s two complex batches, ``eig``'s, ``eigh``'s, ``eigvals``'s and ``eigvalsh``'s Hermitian
  matrix, ``householder_product``'s complex reflectors, ``inv``'s complex matrix, ``matrix_rank``'s four complex
  lines, ``pinv``'s Hermitian matrix): the library has no complex dtype. The real analogue of each (a real
  symmetric matrix for the Hermitian ones) is checked instead where the function takes real input.
- ``torch.linalg.eig`` and ``torch.linalg.eigvals`` altogether: their results are complex even for real input
  (the real ``eig`` example, ``A = torch.randn(3, 2, 2, dtype=torch.float64)``, gives complex eigenvalues).
- ``torch.linalg.lu``'s ``device="cuda"``: no CUDA here.
- the ``torch.special`` functions whose docstrings have no example (the Bessel, Airy and orthogonal-polynomial
  functions, ``log1p``, ``logsumexp``, ``psi``, ``round``) and ``torch.linalg.diagonal``, ``lu_factor_ex`` and
  ``matmul``: nothing to port.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from torch_doc_examples import Run, both

import autograd as ag

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def torch_default_float64():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def randn(r: Run, *shape: int, grad: bool = True) -> Any:
    """``torch.randn(*shape)`` as a float64 leaf from the run's seeded draws."""
    return r.t(r.rng.standard_normal(shape), grad=grad)


def draws(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape)


def dist(r: Run, a: Any, b: Any) -> float:
    """``torch.dist(a, b)`` of the examples, as a float: the distance between two computations of one result is
    rounding, whose gradient is noise, so it is compared in value only."""
    return float(r.T.dist(a, b).detach())


def spd(*shape: int) -> np.ndarray:
    """``A @ A.mT + I``: a (batch of) symmetric positive-definite matrices."""
    a = draws(*shape)
    return a @ np.swapaxes(a, -1, -2) + np.eye(shape[-1])


# -- torch.linalg ----------------------------------------------------------------------------------------------------


def test_linalg_error_names_the_singular_matrix_given_to_inv():
    matrix = np.eye(3)
    matrix[-1, -1] = 0
    with pytest.raises(torch.linalg.LinAlgError):
        torch.linalg.inv(torch.tensor(matrix))
    with pytest.raises(ag.linalg.LinAlgError):
        ag.linalg.inv(ag.tensor(matrix))


def test_cholesky_of_a_batch_of_spd_matrices_rebuilds_it():
    def ex(r):
        A = r.t(spd(3, 2, 2), grad=True)
        L = r.T.linalg.cholesky(A)
        return {"L": L, "dist": dist(r, L @ L.mT, A)}

    out = both(ex)
    assert out["dist"] < 1e-12


def test_cholesky_ex_of_a_real_spd_matrix_reports_info_zero():
    def ex(r):
        A = r.t(spd(2, 2), grad=True)
        L, info = r.T.linalg.cholesky_ex(A)
        return {"L": L, "info": info}

    out = both(ex)
    assert out["info"] == 0


@pytest.mark.parametrize("p", [None, "fro", "nuc", math.inf, -math.inf, 1, -1, 2, -2])
def test_cond_of_the_fixed_matrix_for_every_order(p):
    def ex(r):
        A = r.t(np.array([[1.0, 0, -1], [0, 1, 0], [1, 0, 1]]), grad=True)
        return r.T.linalg.cond(A) if p is None else r.T.linalg.cond(A, p)

    # torch's backward of cond fails for the orders 'fro', inf, -inf, 1 and -1 (the inverse it saves is modified in
    # place): the gradient there is compared with torch's of the definition, norm(A, p) * norm(inv(A), p)
    both(ex, grads=p in (None, "nuc", 2, -2))
    if p in ("fro", math.inf, -math.inf, 1, -1):
        a = np.array([[1.0, 0, -1], [0, 1, 0], [1, 0, 1]])
        A = torch.tensor(a, requires_grad=True)
        (expected,) = torch.autograd.grad(torch.linalg.norm(A, p) * torch.linalg.norm(torch.linalg.inv(A), p), [A])
        ours = ag.tensor(a, requires_grad=True)
        (got,) = ag.grad(ag.linalg.cond(ours, p), [ours])
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-12, atol=1e-12)


def test_cond_of_a_batch_of_random_matrices():
    both(lambda r: r.T.linalg.cond(randn(r, 2, 3, 3)))


def test_cross_of_rows_and_of_a_broadcast_row():
    def ex(r):
        a, b = randn(r, 4, 3), randn(r, 4, 3)
        a1 = randn(r, 1, 3)
        return {"same": r.T.linalg.cross(a, b), "broadcast": r.T.linalg.cross(a1, b)}

    both(ex)


def test_det_of_a_matrix_and_of_a_batch():
    both(lambda r: {"one": r.T.linalg.det(randn(r, 3, 3)), "batch": r.T.linalg.det(randn(r, 3, 2, 2))})


def test_eigh_of_a_batch_of_symmetric_matrices_rebuilds_it():
    def ex(r):
        A0 = randn(r, 3, 2, 2)
        A = A0 + A0.mT
        L, Q = r.T.linalg.eigh(A)
        # Q's columns are defined up to sign: the gradient is taken of sign-free functions of them
        return {
            "L": L,
            "Q*Q": Q * Q,
            "QLQt": Q @ r.T.diag_embed(L) @ Q.mT,
            "dist": dist(r, Q @ r.T.diag_embed(L) @ Q.mH, A),
        }

    out = both(ex)
    assert out["dist"] < 1e-12


def test_eigvalsh_of_a_batch_of_symmetric_matrices():
    def ex(r):
        A0 = randn(r, 3, 2, 2)
        return r.T.linalg.eigvalsh(A0 + A0.mT)

    both(ex)


def test_householder_product_of_geqrfs_reflectors_is_qrs_q():
    a = draws(2, 2)
    raw, tau = np.linalg.qr(a, mode="raw")

    def ex(r):
        h, t = r.t(raw.T.copy(), grad=True), r.t(tau, grad=True)
        Q = r.T.linalg.householder_product(h, t)
        return {"Q": Q, "dist": dist(r, Q, r.T.linalg.qr(r.t(a)).Q)}

    out = both(ex)
    assert out["dist"] < 1e-12


def test_inv_of_a_matrix_and_of_a_batch():
    def ex(r):
        A, B = randn(r, 4, 4), randn(r, 2, 3, 4, 4)
        Ainv, Binv = r.T.linalg.inv(A), r.T.linalg.inv(B)
        eye = r.T.eye(4)
        return {"Ainv": Ainv, "Binv": Binv, "d1": dist(r, A @ Ainv, eye), "d2": dist(r, B @ Binv, eye)}

    out = both(ex)
    assert out["d1"] < 1e-12 and out["d2"] < 1e-12


def test_inv_ex_agrees_with_inv_and_reports_info_zero():
    def ex(r):
        A = randn(r, 3, 3)
        Ainv, info = r.T.linalg.inv_ex(A)
        return {"Ainv": Ainv, "info": info, "dist": dist(r, r.T.linalg.inv(A), Ainv)}

    out = both(ex)
    assert out["info"] == 0 and out["dist"] == 0


@pytest.mark.parametrize("ex_variant", [False, True])
def test_ldl_factor_of_a_symmetric_matrix(ex_variant):
    def ex(r):
        A0 = randn(r, 3, 3, grad=False)
        A = A0 @ A0.mT
        if ex_variant:
            LD, pivots, info = r.T.linalg.ldl_factor_ex(A)
            return {"LD": LD, "pivots": pivots, "info": info}
        LD, pivots = r.T.linalg.ldl_factor(A)
        return {"LD": LD, "pivots": pivots}

    both(ex)


def test_ldl_solve_of_a_batch_of_symmetric_matrices():
    def ex(r):
        A0 = randn(r, 2, 3, 3, grad=False)
        A = A0 @ A0.mT
        LD, pivots, info = r.T.linalg.ldl_factor_ex(A)
        B = randn(r, 2, 3, 4, grad=False)
        X = r.T.linalg.ldl_solve(LD, pivots, B)
        return {"X": X, "info": info, "residual": float(r.T.linalg.norm(A @ X - B))}

    out = both(ex, atol=1e-9)
    assert out["residual"] < 1e-12


def test_lstsq_with_a_broadcast_matrix_matches_pinv_and_svdvals():
    def ex(r):
        A, B = randn(r, 1, 3, 3), randn(r, 2, 3, 3)
        X = r.T.linalg.lstsq(A, B).solution
        S = r.T.linalg.lstsq(A, B, driver="gelsd").singular_values
        return {
            "X": X,
            "dX": dist(r, X, r.T.linalg.pinv(A) @ B),
            "S": S,
            "dS": dist(r, S, r.T.linalg.svdvals(A)),
        }

    out = both(ex, atol=1e-9)
    assert out["dX"] < 1e-10 and out["dS"] < 1e-12


def test_lstsq_rank_of_a_matrix_with_a_zeroed_column():
    a = draws(1, 3, 3)
    a[:, 0] = 0
    both(lambda r: r.T.linalg.lstsq(r.t(a), r.t(draws(2, 3, 3, seed=1))).rank)


def test_lu_of_a_tall_matrix_rebuilds_it():
    def ex(r):
        A = randn(r, 3, 2)
        P, L, U = r.T.linalg.lu(A)
        return {"P": P, "L": L, "U": U, "dist": dist(r, A, P @ L @ U)}

    out = both(ex)
    assert out["dist"] < 1e-14


def test_lu_without_pivoting_is_l_times_u():
    a = draws(2, 5, 7)
    P, L, U = ag.linalg.lu(ag.tensor(a), pivot=False)
    P, L, U = P.numpy(), L.numpy(), U.numpy()
    assert P.shape == (2, 5, 5) and L.shape == (2, 5, 5) and U.shape == (2, 5, 7)
    np.testing.assert_array_equal(P, np.broadcast_to(np.eye(5), (2, 5, 5)))
    np.testing.assert_array_equal(L, np.tril(L))
    np.testing.assert_array_equal(np.diagonal(L, axis1=-2, axis2=-1), 1.0)
    np.testing.assert_array_equal(U, np.triu(U))
    np.testing.assert_allclose(L @ U, a, atol=1e-10)


def test_lu_factor_then_lu_solve_for_two_right_hand_sides():
    def ex(r):
        A, B1, B2 = randn(r, 2, 3, 3), randn(r, 2, 3, 4), randn(r, 2, 3, 7)
        LU, pivots = r.T.linalg.lu_factor(A)
        X1 = r.T.linalg.lu_solve(LU, pivots, B1)
        X2 = r.T.linalg.lu_solve(LU, pivots, B2)
        return {
            "LU": LU,
            "pivots": pivots,
            "X1": X1,
            "X2": X2,
            "ok": r.T.allclose(A @ X1, B1) and r.T.allclose(A @ X2, B2),
        }

    assert both(ex)["ok"] is True


def test_lu_solve_broadcast_left_false_and_adjoint():
    def ex(r):
        A = randn(r, 3, 3)
        LU, pivots = r.T.linalg.lu_factor(A)
        B, Bb, Br, Ba = randn(r, 3, 2), randn(r, 3, 3, 2), randn(r, 3, 5, 3), randn(r, 3, 3, 4)
        X = r.T.linalg.lu_solve(LU, pivots, B)
        Xb = r.T.linalg.lu_solve(LU, pivots, Bb)
        Xr = r.T.linalg.lu_solve(LU, pivots, Br, left=False)
        Xa = r.T.linalg.lu_solve(LU, pivots, Ba, adjoint=True)
        ok = [r.T.allclose(A @ X, B), r.T.allclose(A @ Xb, Bb), r.T.allclose(Xr @ A, Br), r.T.allclose(A.mT @ Xa, Ba)]
        return {"X": X, "Xb": Xb, "Xr": Xr, "Xa": Xa, "ok": ok}

    assert both(ex)["ok"] == [True, True, True, True]


def test_matrix_exp_of_scaled_identities_and_of_a_rotation_generator():
    stack = np.stack([np.eye(2), 2 * np.eye(2)])

    def ex(r):
        A = r.t(stack, grad=True)
        S = r.t(np.array([[0, math.pi / 3], [-math.pi / 3, 0]]), grad=True)
        return {"scaled": r.T.linalg.matrix_exp(A), "rotation": r.T.linalg.matrix_exp(S)}

    out = both(ex)
    c, s = math.cos(math.pi / 3), math.sin(math.pi / 3)
    np.testing.assert_allclose(out["rotation"], [[c, s], [-s, c]], atol=1e-14)
    np.testing.assert_allclose(out["scaled"][1], np.diag([math.e**2] * 2), rtol=1e-14)


def test_matrix_norm_of_arange_with_orders_and_dims():
    def ex(r):
        A = r.t(np.arange(9, dtype=np.float32).reshape(3, 3), grad=True)
        B = A.expand(2, -1, -1)
        LA = r.T.linalg
        return {
            "fro": LA.matrix_norm(A),
            "m1": LA.matrix_norm(A, ord=-1),
            "B": LA.matrix_norm(B),
            "dims": LA.matrix_norm(B, dim=(0, 2)),
        }

    both(ex)


def test_matrix_power_zero_three_and_minus_two_of_an_expanded_matrix():
    def ex(r):
        A = randn(r, 3, 3)
        LA = r.T.linalg
        return {
            "p0": LA.matrix_power(A, 0),
            "p3": LA.matrix_power(A, 3),
            "m2": LA.matrix_power(A.expand(2, -1, -1), -2),
        }

    both(ex, atol=1e-9)


def test_matrix_rank_of_identities_and_random_batches():
    b = np.eye(10)
    b[0, 0] = 0
    sym = draws(2, 4, 3, 3, seed=2)

    def ex(r):
        LA = r.T.linalg
        S = r.t(sym)
        return {
            "eye": LA.matrix_rank(r.T.eye(10)),
            "B": LA.matrix_rank(r.t(b)),
            "tall": LA.matrix_rank(randn(r, 4, 3, 2)),
            "wide": LA.matrix_rank(randn(r, 2, 4, 2, 3)),
            "square": LA.matrix_rank(S),
            "hermitian": LA.matrix_rank(S, hermitian=True),
            "atol": LA.matrix_rank(S, atol=1.0, rtol=0.0),
            "atol_hermitian": LA.matrix_rank(S, atol=1.0, rtol=0.0, hermitian=True),
        }

    out = both(ex)
    assert out["eye"] == 10 and out["B"] == 9


def test_multi_dot_of_integer_vectors_and_matrices():
    def ex(r):
        md = r.T.linalg.multi_dot
        t = r.T.tensor
        return {
            "vv": md([t([1, 2]), t([2, 3])]),
            "mv": md([t([[1, 2]]), t([2, 3])]),
            "mm": md([t([[1, 2]]), t([[2], [3]])]),
            "abc": md((r.T.arange(2 * 3).view(2, 3), r.T.arange(3 * 2).view(3, 2), r.T.arange(2 * 2).view(2, 2))),
        }

    out = both(ex)
    assert out["vv"] == 8 and out["abc"].tolist() == [[26, 49], [80, 148]]


def test_norm_of_a_vector_and_a_matrix_for_every_order():
    orders = [None, "fro", math.inf, -math.inf, 1, -1, 2, -2, 3, -3]

    def ex(r):
        a = r.t(np.arange(9, dtype=np.float32) - 4, grad=True)
        B = a.reshape((3, 3))
        LA = r.T.linalg
        out = {}
        for o in orders:
            if o != "fro":
                out[f"a{o}"] = LA.norm(a) if o is None else LA.norm(a, o)
            if o not in (3, -3, -2):
                out[f"B{o}"] = LA.norm(B) if o is None else LA.norm(B, o)
        return out

    both(ex)


def test_norm_minus_two_of_the_singular_arange_matrix():
    # B = arange(9) - 4 reshaped is singular: its smallest singular value is 0, where the norm has a kink and the
    # signs of the singular vectors that would give its gradient are free, so the values alone are compared
    def ex(r):
        B = r.t((np.arange(9, dtype=np.float32) - 4).reshape(3, 3))
        return {"B-2": r.T.linalg.norm(B, -2), "B.double-2": r.T.linalg.norm(B.double(), -2)}

    out = both(ex, grads=False)
    assert out["B.double-2"] < 1e-6


def test_norm_over_dims():
    def ex(r):
        c = r.t(np.array([[1.0, 2.0, 3.0], [-1, 1, 4]]), grad=True)
        A = r.t(np.arange(8, dtype=np.float64).reshape(2, 2, 2), grad=True)
        LA = r.T.linalg
        return {
            "d0": LA.norm(c, dim=0),
            "d1": LA.norm(c, dim=1),
            "o1": LA.norm(c, ord=1, dim=1),
            "A": LA.norm(A, dim=(1, 2)),
            "A0": LA.norm(A[0, :, :]),
            "A1": LA.norm(A[1, :, :]),
        }

    both(ex)


def test_pinv_of_wide_and_batched_tall_and_symmetric_matrices():
    def ex(r):
        A, T = randn(r, 3, 5), randn(r, 2, 6, 3)
        S0 = randn(r, 3, 3)
        S = S0 + S0.T
        Tp, Sp = r.T.linalg.pinv(T), r.T.linalg.pinv(S, hermitian=True)
        eye = r.T.eye(3)
        return {"A": r.T.linalg.pinv(A), "T": Tp, "S": Sp, "dT": dist(r, Tp @ T, eye), "dS": dist(r, Sp @ S, eye)}

    out = both(ex, atol=1e-9)
    assert out["dT"] < 1e-12 and out["dS"] < 1e-12


def test_qr_of_the_fixed_matrix_modes_reduced_r_and_complete():
    def ex(r):
        A = r.t(np.array([[12.0, -51, 4], [6, 167, -68], [-4, 24, -41]]), grad=True)
        Q, R = r.T.linalg.qr(A)
        Q2, R2 = r.T.linalg.qr(A.detach(), mode="r")  # torch refuses to differentiate mode="r"
        C = randn(r, 3, 4, 5)
        Qc, Rc = r.T.linalg.qr(C, mode="complete")
        return {
            "Q": Q,
            "R": R,
            "QR": (Q @ R).round(),
            "QtQ": (Q.T @ Q).round(),
            "Q2": Q2,
            "equal": r.T.equal(R, R2),
            "Qc": Qc,
            "Rc": Rc,
            "dc": dist(r, Qc @ Rc, C),
            "dq": dist(r, Qc.mT @ Qc, r.T.eye(4)),
        }

    out = both(ex, atol=1e-9)
    assert out["equal"] is True and out["Q2"].shape == (0,)
    np.testing.assert_array_equal(out["QR"], [[12, -51, 4], [6, 167, -68], [-4, 24, -41]])


def test_slogdet_agrees_with_det_and_logdet():
    def ex(r):
        A = randn(r, 3, 3)
        sign, logabsdet = r.T.linalg.slogdet(A)
        return {"det": r.T.linalg.det(A), "logdet": r.T.logdet(A), "sign": sign, "logabsdet": logabsdet}

    both(ex)


def test_solve_with_vector_batched_and_broadcast_right_hand_sides():
    def ex(r):
        A, b = randn(r, 3, 3), randn(r, 3)
        x = r.T.linalg.solve(A, b)
        A2, B2 = randn(r, 2, 3, 3), randn(r, 2, 3, 4)
        X2 = r.T.linalg.solve(A2, B2)
        A3, b3 = randn(r, 2, 3, 3), randn(r, 3, 1)
        x3 = r.T.linalg.solve(A3, b3)
        b4 = randn(r, 3)
        x4 = r.T.linalg.solve(A3, b4)
        Ax = A3 @ x4.unsqueeze(-1)
        ok = [
            r.T.allclose(A @ x, b),
            r.T.allclose(A2 @ X2, B2),
            r.T.allclose(A3 @ x3, b3),
            r.T.allclose(Ax, b4.unsqueeze(-1).expand_as(Ax)),
        ]
        shapes = [tuple(X2.shape), tuple(x3.shape), tuple(x4.shape)]
        return {"x": x, "X2": X2, "x3": x3, "x4": x4, "ok": ok, "shapes": shapes}

    out = both(ex, atol=1e-9)
    assert out["ok"] == [True] * 4 and out["shapes"] == [(2, 3, 4), (2, 3, 1), (2, 3)]


def test_solve_ex_needs_b_and_solves_for_the_inverse_given_the_identity():
    with pytest.raises(TypeError):
        torch.linalg.solve_ex(torch.eye(3))
    with pytest.raises(TypeError):
        ag.linalg.solve_ex(ag.eye(3))

    def ex(r):
        A = randn(r, 3, 3)
        Ainv, info = r.T.linalg.solve_ex(A, r.T.eye(3))
        return {"Ainv": Ainv, "info": info, "dist": dist(r, r.T.linalg.inv(A), Ainv)}

    out = both(ex)
    assert out["info"] == 0 and out["dist"] < 1e-14


def test_solve_triangular_upper_lower_and_from_the_right():
    def ex(r):
        U, B = r.t(np.triu(draws(3, 3)), grad=True), randn(r, 3, 4)
        L, B2 = r.t(np.tril(draws(2, 3, 3, seed=1)), grad=True), randn(r, 2, 3, 4)
        L3, B3 = r.t(np.tril(draws(2, 4, 4, seed=2)), grad=True), randn(r, 2, 3, 4)
        st = r.T.linalg.solve_triangular
        X = st(U, B, upper=True)
        X2 = st(L, B2, upper=False)
        X3 = st(L3, B3, upper=False, left=False)
        ok = [r.T.allclose(U @ X, B), r.T.allclose(L @ X2, B2), r.T.allclose(X3 @ L3, B3)]
        return {"X": X, "X2": X2, "X3": X3, "ok": ok}

    out = both(ex, atol=1e-9)
    assert out["ok"] == [True] * 3


def test_svd_reduced_full_and_batched_rebuild_the_matrix():
    def ex(r):
        A = randn(r, 5, 3)
        U, S, Vh = r.T.linalg.svd(A, full_matrices=False)
        Uf, Sf, Vhf = r.T.linalg.svd(A)
        Ab = randn(r, 7, 5, 3)
        Ub, Sb, Vhb = r.T.linalg.svd(Ab, full_matrices=False)
        return {
            "U": U,
            "S": S,
            "Vh": Vh,
            "Sf": Sf,
            "shapes": [tuple(t.shape) for t in (U, S, Vh, Uf, Sf, Vhf)],
            "d": dist(r, A, U @ r.T.diag(S) @ Vh),
            "df": dist(r, A, Uf[:, :3] @ r.T.diag(Sf) @ Vhf),
            "db": dist(r, Ab, Ub @ r.T.diag_embed(Sb) @ Vhb),
        }

    out = both(ex, atol=1e-9)
    assert out["shapes"] == [(5, 3), (3,), (3, 3), (5, 5), (3,), (3, 3)]
    assert max(out["d"], out["df"], out["db"]) < 1e-12


def test_svdvals_equal_svds_singular_values():
    def ex(r):
        A = randn(r, 5, 3)
        S = r.T.linalg.svdvals(A)
        return {"S": S, "dist": dist(r, S, r.T.linalg.svd(A, full_matrices=False).S)}

    assert both(ex)["dist"] < 1e-14


def test_tensorinv_of_a_reshaped_identity_and_of_a_matrix():
    def ex(r):
        A = r.T.eye(4 * 6).reshape((4, 6, 8, 3))
        Ainv = r.T.linalg.tensorinv(A, ind=2)
        B = randn(r, 4, 6)
        M = randn(r, 4, 4)
        Mt = r.T.linalg.tensorinv(M, ind=1)
        return {
            "shape": tuple(Ainv.shape),
            "Ainv": Ainv,
            "same": r.T.allclose(r.T.tensordot(Ainv, B), r.T.linalg.tensorsolve(A, B)),
            "Mt": Mt,
            "inv": r.T.allclose(Mt, r.T.linalg.inv(M)),
        }

    out = both(ex)
    assert out["shape"] == (8, 3, 4, 6) and out["same"] is True and out["inv"] is True


def test_tensorsolve_of_a_reshaped_identity_and_with_dims():
    def ex(r):
        A = r.T.eye(2 * 3 * 4).reshape((2 * 3, 4, 2, 3, 4))
        B = randn(r, 2 * 3, 4)
        X = r.T.linalg.tensorsolve(A, B)
        A2, B2 = randn(r, 6, 4, 4, 3, 2), randn(r, 4, 3, 2)
        X2 = r.T.linalg.tensorsolve(A2, B2, dims=(0, 2))
        P = A2.permute(1, 3, 4, 0, 2)
        return {
            "X": X,
            "shape": tuple(X.shape),
            "ok": r.T.allclose(r.T.tensordot(A, X, dims=X.ndim), B),
            "X2": X2,
            "shape2": tuple(X2.shape),
            "tail": tuple(P.shape[B2.ndim :]),
            "ok2": r.T.allclose(r.T.tensordot(P, X2, dims=X2.ndim), B2, atol=1e-6),
        }

    out = both(ex, atol=1e-9)
    assert out["shape"] == (2, 3, 4) and out["shape2"] == (6, 4) and out["tail"] == (6, 4)
    assert out["ok"] is True and out["ok2"] is True


def test_vander_of_integers_with_and_without_n():
    def ex(r):
        x = r.T.tensor([1, 2, 3, 5])
        return {"full": r.T.linalg.vander(x), "n3": r.T.linalg.vander(x, N=3)}

    both(ex)


def test_vecdot_of_rows_and_vdot_of_the_first():
    def ex(r):
        v1, v2 = randn(r, 3, 2), randn(r, 3, 2)
        return {"vecdot": r.T.linalg.vecdot(v1, v2), "vdot": r.T.vdot(v1[0], v2[0])}

    out = both(ex)
    assert out["vecdot"][0] == pytest.approx(float(out["vdot"]), rel=1e-15)


def test_vector_norm_of_order_three_and_a_half():
    def ex(r):
        a = r.t(np.arange(9, dtype=np.float32) - 4, grad=True)
        B = a.reshape((3, 3))
        return {"a": r.T.linalg.vector_norm(a, ord=3.5), "B": r.T.linalg.vector_norm(B, ord=3.5)}

    both(ex)


# -- torch.special ---------------------------------------------------------------------------------------------------

ONE_ARGUMENT = [
    ("digamma", [1, 0.5]),
    ("entr", "arange"),
    ("erf", [0, -1.0, 10.0]),
    ("erfc", [0, -1.0, 10.0]),
    ("erfcx", [0, -1.0, 10.0]),
    ("erfinv", [0, 0.5, -1.0]),
    ("exp2", [0, math.log2(2.0), 3, 4]),
    ("expit", "randn"),
    ("expm1", [0, math.log(2.0)]),
    ("gammaln", "arange_half"),
    ("i0", "arange5"),
    ("i0e", "arange5"),
    ("i1", "arange5"),
    ("i1e", "arange5"),
    ("log_ndtr", [-3.0, -2, -1, 0, 1, 2, 3]),
    ("ndtr", [-3.0, -2, -1, 0, 1, 2, 3]),
    ("ndtri", [0, 0.25, 0.5, 0.75, 1]),
    ("sinc", "randn"),
]


def one_argument_input(spec: Any) -> np.ndarray:
    if spec == "arange":
        return np.arange(-0.5, 1, 0.5)
    if spec == "arange_half":
        return np.arange(0.5, 2, 0.5)
    if spec == "arange5":
        return np.arange(5, dtype=np.float32)
    if spec == "randn":
        return draws(4)
    return np.array(spec, dtype=np.float64)


@pytest.mark.parametrize(("name", "spec"), ONE_ARGUMENT, ids=[n for n, _ in ONE_ARGUMENT])
def test_special_function_of_the_examples_input(name, spec):
    x = one_argument_input(spec)
    both(lambda r: getattr(r.T.special, name)(r.t(x, grad=True)))


def test_torch_i0_is_special_i0():
    both(lambda r: r.T.i0(r.t(np.arange(5, dtype=np.float32), grad=True)))


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_polygamma_of_one_and_a_half(n):
    both(lambda r: r.T.special.polygamma(n, r.t(np.array([1, 0.5]), grad=True)))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_and_log_softmax_of_ones_over_dim_zero(name):
    both(lambda r: getattr(r.T.special, name)(r.t(np.ones((2, 2)), grad=True), 0))


def test_logit_of_uniform_draws_with_eps():
    a = np.random.default_rng(0).random(5)
    both(lambda r: r.T.special.logit(r.t(a, grad=True), eps=1e-6))


def test_multigammaln_of_draws_between_one_and_two():
    a = np.random.default_rng(0).uniform(1, 2, (2, 3))
    both(lambda r: r.T.special.multigammaln(r.t(a, grad=True), 2))


def test_gammainc_and_gammaincc_sum_to_one():
    def ex(r):
        a1 = r.t(np.array([4.0]))  # torch has no derivative in the shape parameter
        a2 = r.t(np.array([3.0, 4.0, 5.0]), grad=True)
        a = r.T.special.gammaincc(a1, a2)
        b = r.T.special.gammainc(a1, a2) + r.T.special.gammaincc(a1, a2)
        return {"a": a, "b": b}

    np.testing.assert_allclose(both(ex)["b"], 1.0, rtol=1e-15)


@pytest.mark.parametrize("name", ["xlogy", "xlog1py"])
def test_xlogy_and_xlog1py_with_zeros_integers_and_python_numbers(name):
    def ex(r):
        f = getattr(r.T.special, name)
        x0 = r.t(np.zeros(5), grad=True)
        y0 = r.T.tensor([-1, 0, 1, float("inf"), float("nan")])
        x, y = r.T.tensor([1, 2, 3]), r.T.tensor([3, 2, 1])
        return {"zeros": f(x0, y0), "ints": f(x, y), "x4": f(x, 4), "2y": f(2, y)}

    both(ex)


def test_zeta_with_tensor_and_python_number_arguments():
    def ex(r):
        x = r.t(np.array([2.0, 4.0]))  # torch has no derivative in x
        q = r.t(np.array([1.0, 2.0]), grad=True)
        return {"q1": r.T.special.zeta(x, 1), "q": r.T.special.zeta(x, q), "x2": r.T.special.zeta(2, q)}

    out = both(ex)
    np.testing.assert_allclose(out["q1"], [math.pi**2 / 6, math.pi**4 / 90], rtol=1e-15)
