"""Derivative table of the linear-algebra primitives (batched over leading axes, as numpy.linalg).

With A^-T the inverse transposed and g the upstream gradient:

* inv:      X = A^-1,            dA = -X^T g X^T
* solve:    X = A^-1 B,          dB = A^-T g,  dA = -dB X^T (outer product for a vector B); a matrix with a nan or
  inf entry that LAPACK reports as singular gets nan, as torch
* det:      d = det A,           dA = g adj(A)^T, which is g d A^-T for an invertible A. For a singular A
  (LAPACK's LU finds a zero pivot) the cofactors adj(A)^T come from the SVD A = U diag(s) V^T:
  adj(A)^T = det(U) det(V) U diag(c) V^T, c_i = prod_{j != i} s_j (the products of the others); under
  create_graph, from their definition instead, C_ij = (-1)^(i+j) det(A without row i and column j), n^2
  recorded determinants, so the rule is differentiable again there too (also at a nearly singular A, of
  condition number above 1e6, where differentiating g d A^-T again would lose cond(A) * eps to cancellation,
  e.g. a rank-deficient product whose LU pivot rounds to 1e-16 instead of 0); a matrix with a nan or inf entry
  (which LAPACK also reports as singular) gets nan, as torch
* slogdet:  l = log |det A|,     dA = g A^-T; at a singular A (l = -inf) torch's value: the solve of A^T X = g I
  by A^T's LU, dividing by its zero pivot (a mix of inf and nan); a matrix with a nan or inf entry gets nan
* slogdet_sign: s = sign(det A), constant around every A: dA = 0 (torch's sign is in the graph with gradient 0)
* cholesky: A = L L^T,           dA = sym(L^-T Phi(L^T g) L^-1) / 2, Phi the lower triangle with half
  its diagonal and sym(S) = S + S^T (Murray, "Differentiation of the Cholesky decomposition").
* pinv:     P = A^+ (m x n A),   dA = -P^T g P^T + (I_m - A P) g^T P P^T + P^T P g^T (I_n - P A), the
  derivative of the pseudo-inverse where the rank is locally constant (Golub and Pereyra, "The
  differentiation of pseudo-inverses"); for an invertible A it is inv's rule.
* lu_factor: A = P L U packed in one m x n LU (L unit lower m x k, U upper k x n, k = min(m, n), P constant), with
  g_L = tril(g, -1) and g_U = triu(g) the packed gradient's parts, L_1, U_1 the k x k blocks and L_2 (tall A) or
  U_2 (wide A) the rest: M = tril(L_1^T g_L1 - g_U2 U_2^T, -1) + triu(g_U1 U_1^T - L_2^T g_L2), and
  dA = P [L_1^-T M U_1^-T | L_1^-T g_U2] (wide) or P [L_1^-T M U_1^-T ; g_L2 U_1^-T] (tall): from
  L_1^-1 dA_1 U_1^-1 = L_1^-1 dL_1 + dU_1 U_1^-1 (strictly lower plus upper), U_2 = L_1^-1 A_2 and L_2 = A_2 U_1^-1;
  the square case is the first block alone. A zero pivot (U_1 singular) makes the solves raise a LinAlgError.
* two_norm: n = sqrt(sum x^2) over ``axes``, dx = (x / n) g: the unit vector x / n (|x_i / n| <= 1) times g, so a
  tiny norm does not overflow, as g / n would (n = 5e-160 and g = 1e159, from x / n, say); 0 where n = 0 (as torch)

The inverses inside the rules are recorded with :func:`autograd.shared_math.record`, so
every rule is differentiable again.
"""

from __future__ import annotations

import numpy as np

from .. import shared_math as sm
from ..core import Node
from ..op import Op
from .elementwise import zeros_of


def _t(x):
    return x.swapaxes(-1, -2)


def _inverse(a):
    return sm.record(inv, np.linalg.inv, a)


def _finite(a):
    """Which matrices of ``a`` have only finite entries, with two trailing axes of length 1 (raw)."""
    return np.isfinite(sm.data_of(a)).all(axis=(-2, -1), keepdims=True)


def _cofactors(a):
    """adj(A)^T of (batched) matrices, singular ones too (see the module doc): by the SVD for raw data (nan for
    a matrix with a nan or inf entry, as torch); by the determinants of the minors, recorded, for a node."""
    if not isinstance(a, Node):
        finite = _finite(a)
        u, s, vt = np.linalg.svd(np.where(finite, a, 0.0))
        signs = np.sign(np.linalg.det(u) * np.linalg.det(vt))
        return np.where(finite, (signs[..., None, None] * u * sm.products_of_others(s)[..., None, :]) @ vt, np.nan)
    n = a.shape[-1]
    others = [np.delete(np.arange(n), i) for i in range(n)]
    cofactors = 0.0
    for i, j in np.ndindex(n, n):
        minor = sm.record(det, np.linalg.det, a[..., others[i], :][..., others[j]])
        position = np.zeros((n, n), dtype=a.dtype)
        position[i, j] = (-1.0) ** (i + j)
        cofactors = cofactors + minor[..., None, None] * position
    return cofactors


#: Under create_graph, the condition number (1-norm) above which det's gradient is taken from the minors: the
#: derivative of det(A) A^-T cancels terms cond(A) times larger than itself, so it loses cond(A) * eps.
_DET_CONDITION_LIMIT = 1e6


def _ill_conditioned(a, inverse):
    """Whether some matrix of ``a`` (a node) has a 1-norm condition number above :data:`_DET_CONDITION_LIMIT`."""
    data, inverse = sm.data_of(a), sm.data_of(inverse)
    with np.errstate(all="ignore"):
        conditions = np.abs(data).sum(axis=-2).max(axis=-1) * np.abs(inverse).sum(axis=-2).max(axis=-1)
    return bool(np.any(conditions > _DET_CONDITION_LIMIT))


def _det_rule(g, out, a):
    try:
        inverse = _inverse(a)
    except np.linalg.LinAlgError:  # a singular matrix, or LAPACK's reading of a nan
        return g[..., None, None] * _cofactors(a)
    if isinstance(a, Node) and _ill_conditioned(a, inverse):  # near singular: det A^-T differentiates inaccurately
        return g[..., None, None] * _cofactors(a)
    return (g * out)[..., None, None] * _t(inverse)


def _slogdet_rule(g, out, a):
    try:
        return g[..., None, None] * _t(_inverse(a))
    except np.linalg.LinAlgError:
        finite = _finite(a)
    # a singular matrix (l = -inf) gets torch's value, the solve of A^T X = g I by A^T's LU, whose zero pivot
    # gives infinities and nans; a matrix with a nan or inf entry gets nan, as torch; the others A^-T
    singular = finite & (sm.data_of(out) == -np.inf)[..., None, None]
    regular = finite & ~singular
    identity = np.eye(a.shape[-1], dtype=sm.data_of(a).dtype)
    gradient = sm.where(regular, g[..., None, None] * _t(_inverse(sm.where(regular, a, identity))), np.nan)
    if not singular.any():
        return gradient
    return sm.where(singular, _solve_by_zero_pivot(_t(sm.data_of(a)), sm.data_of(g)), gradient)


def _solve_by_zero_pivot(a, g):
    """X with A X = g I (raw, batched) by A's LU with partial pivoting, dividing by a zero pivot as IEEE does."""
    *batch, n, _ = a.shape
    lu = a.reshape(-1, n, n).astype(a.dtype, copy=True)
    matrices = np.arange(lu.shape[0])
    order = np.tile(np.arange(n), (lu.shape[0], 1))
    with np.errstate(all="ignore"):
        for j in range(n):
            chosen = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)
            lu[matrices, chosen], lu[:, j] = lu[:, j].copy(), lu[matrices, chosen].copy()
            order[matrices, chosen], order[:, j] = order[:, j].copy(), order[matrices, chosen].copy()
            pivot = lu[:, j, j]
            scale = np.where(pivot == 0, 1, 1 / np.where(pivot == 0, 1, pivot))  # past a zero pivot: unscaled
            lu[:, j + 1 :, j] *= scale[:, None]
            lu[:, j + 1 :, j + 1 :] -= lu[:, j + 1 :, j, None] * lu[:, j, None, j + 1 :]
        x = (np.eye(n, dtype=a.dtype) * np.reshape(g, (-1, 1, 1)))[matrices[:, None], order]  # P^T g I
        for k in range(n):  # L^-1, L unit lower triangular
            x[:, k + 1 :] -= x[:, k, None, :] * lu[:, k + 1 :, k, None]
        for k in reversed(range(n)):  # U^-1
            x[:, k] /= lu[:, k, k, None]
            x[:, :k] -= x[:, k, None, :] * lu[:, :k, k, None]
    return x.reshape(*batch, n, n)


def _slogdet_sign_rule(g, out, a):
    return zeros_of(a)  # (under create_graph a constant node, as torch's zeros)


def _solve_rule_b(g, out, a, b):
    try:
        return sm.record(solve, np.linalg.solve, _t(a), g)
    except np.linalg.LinAlgError:  # LAPACK's reading of a nan or inf entry: that matrix's gradient is nan, as torch
        finite = _finite(a)
    solved = sm.record(solve, np.linalg.solve, _t(sm.where(finite, a, np.eye(a.shape[-1], dtype=a.dtype))), g)
    return sm.where(finite if g.ndim == a.ndim else finite[..., 0], solved, np.nan)


def _solve_rule_a(g, out, a, b):
    # b's shape is read from g's (one axis fewer than a's when b is a vector), not from b: backward checks the
    # inputs a rule reads, and torch's solve keeps A and the solution, not b, so b may change in place
    gb = _solve_rule_b(g, out, a, None)  # b's gradient A^-T g, which reads A only
    if g.ndim == a.ndim - 1:
        return -(gb[..., :, None] * out[..., None, :])
    return -(gb @ _t(out))


def _cholesky_rule(g, out, a):
    n = out.shape[-1]
    half_lower = np.tril(np.ones((n, n), dtype=out.dtype)) - 0.5 * np.eye(n, dtype=out.dtype)
    lower_inverse = _inverse(out)
    s = _t(lower_inverse) @ ((_t(out) @ g) * half_lower) @ lower_inverse
    return (s + _t(s)) * 0.5


def _pinv_rule(g, out, a):
    rows, columns = a.shape[-2], a.shape[-1]
    dtype = sm.data_of(out).dtype
    out_t, g_t = _t(out), _t(g)
    row_space = np.eye(rows, dtype=dtype) - a @ out  # I - A P: onto the complement of A's column space
    column_space = np.eye(columns, dtype=dtype) - out @ a  # I - P A: onto A's null space
    return -(out_t @ g @ out_t) + row_space @ (g_t @ (out @ out_t)) + (out_t @ out) @ (g_t @ column_space)


def _lu_factor_rule(g, out, a, permutation):
    m, n = out.shape[-2:]
    k = min(m, n)
    dtype = sm.data_of(out).dtype
    lower = np.tril(out[..., :, :k], -1) + np.eye(m, k, dtype=dtype)
    upper = np.triu(out[..., :k, :])
    g_lower, g_upper = np.tril(g[..., :, :k], -1), np.triu(g[..., :k, :])
    lower_1, upper_1 = lower[..., :k, :], upper[..., :, :k]
    from_lower = _t(lower_1) @ g_lower[..., :k, :]
    from_upper = g_upper[..., :, :k] @ _t(upper_1)
    if n > k:  # wide: U_2 = L_1^-1 A_2
        from_lower = from_lower - g_upper[..., :, k:] @ _t(upper[..., :, k:])
    if m > k:  # tall: L_2 = A_2 U_1^-1
        from_upper = from_upper - _t(lower[..., k:, :]) @ g_lower[..., k:, :]
    inner = np.tril(from_lower, -1) + np.triu(from_upper)
    solved = sm.record(solve, np.linalg.solve, _t(lower_1), inner)  # L_1^-T M
    grad = _t(sm.record(solve, np.linalg.solve, upper_1, _t(solved)))  # L_1^-T M U_1^-T
    if n > k:
        grad = np.concatenate([grad, sm.record(solve, np.linalg.solve, _t(lower_1), g_upper[..., :, k:])], axis=-1)
    if m > k:
        grad = np.concatenate([grad, _t(sm.record(solve, np.linalg.solve, upper_1, _t(g_lower[..., k:, :])))], axis=-2)
    return permutation @ grad


def _two_norm_rule(g, out, x, axes, keepdims):
    kept = tuple(1 if axis in axes else size for axis, size in enumerate(x.shape))
    norm = out.reshape(kept)
    zero = sm.data_of(norm) == 0
    unit = sm.where(zero, 0.0, x / sm.where(zero, 1.0, norm))
    if not keepdims:
        g = g.reshape(kept)
    return unit * g


# fmt: off
inv = Op("inv", lambda g, out, a: -(_t(out) @ g @ _t(out)))
solve = Op("solve", _solve_rule_a, _solve_rule_b)
det = Op("det", _det_rule)
slogdet = Op("slogdet", _slogdet_rule)
slogdet_sign = Op("slogdet_sign", _slogdet_sign_rule)
cholesky = Op("cholesky", _cholesky_rule)
pinv = Op("pinv", _pinv_rule)
lu_factor = Op("lu_factor", _lu_factor_rule)
two_norm = Op("two_norm", _two_norm_rule)
# fmt: on
