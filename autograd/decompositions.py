"""Differentiable matrix decompositions: ``svd``, ``eigh`` and ``qr`` (numpy.linalg's names and results).

Each is a :class:`~autograd.function.Function` with several outputs; its backward is written with
the library's Tensor operations, so it can be differentiated again. Every function works on the last
two axes (leading axes are a batch). With g_X the gradient of the loss with respect to the output X,
F^T the transpose, and ``sym``/``skew`` the symmetric/antisymmetric parts:

* svd, A = U diag(s) V^T with k = min(m, n) singular values (the reduced factors; full_matrices'
  extra columns are arbitrary and get no gradient, as in torch):
  dA = U [diag(g_s) + (F o (U^T g_U - g_U^T U)) diag(s) + diag(s) (F o (V^T g_V - g_V^T V))] V^T
       + (I - U U^T) g_U diag(1/s) V^T  (m > k)  +  U diag(1/s) g_V^T (I - V V^T)  (n > k),
  F_ij = 1 / (s_j^2 - s_i^2) off the diagonal, 0 on it (Townsend, "Differentiating the singular value
  decomposition", 2016).
* eigh, A = V diag(w) V^T for symmetric A: dA = V [diag(g_w) + skew(V^T g_V) o E] V^T with
  E_ij = 1 / (w_j - w_i) off the diagonal, 0 on it (a symmetric matrix, as torch's).
* qr, A = Q R (m >= n, reduced): M = R g_R^T - g_Q^T Q, dA = [g_Q + Q copyltu(M)] R^-T with copyltu(M)
  the symmetric matrix of M's lower triangle; a wide A = [X | Y] = Q [R_1 | R_2] is differentiated as
  the square X with g_Q + Y g_R2^T, and dY = Q g_R2.

The vectors' derivatives exist only where the decomposition is unique: distinct singular values
(eigenvalues) and, for svd, no zero singular value when m != n; repeated ones give inf or nan, as in
torch. Values alone (``compute_uv=False``, ``eigvalsh``, ``svdvals``) have the simple first terms,
which hold for repeated values too.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .function import Function, FunctionContext
from .grad_mode import is_grad_enabled
from .out_argument import takes_out
from .quiet import quietly
from .shape_errors import ArgumentRangeError, DtypeKernelError, ShapeError
from .tensor import Tensor, TensorLike
from .torch_keywords import torch_keyword_names

__all__ = [
    "EighResult",
    "LinAlgError",
    "QRResult",
    "SVDResult",
    "eigh",
    "lapack_svd",
    "eigvalsh",
    "qr",
    "svd",
    "svdvals",
]


class LinAlgError(np.linalg.LinAlgError, RuntimeError):
    """A matrix an op cannot take: singular for ``inv`` and ``solve``, not positive-definite for ``cholesky``, with
    a nan entry for ``svd``. numpy's LinAlgError (a ValueError, as the library has raised it) and a RuntimeError, as
    torch's ``torch.linalg.LinAlgError`` is, so ``except`` clauses written for any of them catch it (re-exported by
    :mod:`autograd.linalg`)."""


class SVDResult(NamedTuple):
    """A = U diag(S) Vh, singular values S descending."""

    U: Tensor
    S: Tensor
    Vh: Tensor


class EighResult(NamedTuple):
    """A = eigenvectors diag(eigenvalues) eigenvectors^T, eigenvalues ascending."""

    eigenvalues: Tensor
    eigenvectors: Tensor


class QRResult(NamedTuple):
    """A = Q R, Q with orthonormal columns, R upper triangular."""

    Q: Tensor
    R: Tensor


#: The floating dtypes numpy's linalg computes in.
_LINALG_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def checked_matrices(a: TensorLike, op: str, square: bool = True) -> Tensor:
    """``a`` as a floating-point Tensor of (batched) matrices, square unless ``square=False``; ShapeError naming
    ``op`` and the shape otherwise (the check of every function of :mod:`autograd.linalg`). numpy's linalg computes
    in float32 and float64 only: float16 (which torch's refuses too) and longdouble are a
    :class:`~autograd.DtypeKernelError` naming ``op``, not numpy's "array type float16 is unsupported in linalg"."""
    a = a if isinstance(a, Tensor) else Tensor(a)
    if a.dtype.kind != "f":
        a = a.astype(np.float64)
    elif a.dtype not in _LINALG_DTYPES:
        raise DtypeKernelError(
            f"{op}: no linear-algebra computation for dtype {a.dtype} (input shape {a.shape}): numpy's works in "
            "float32 and float64 only (torch's refuses float16 too); convert the input first, a.float() or a.double()"
        )
    if a.ndim < 2 or (square and a.shape[-1] != a.shape[-2]):
        kind = "square matrices" if square else "matrices"
        raise ShapeError(f"{op}: expected {kind} in the last two axes, got shape {a.shape}")
    return a


def _t(x: Any) -> Any:
    return x.swapaxes(-1, -2)


def _reciprocal_differences(values: Tensor, squared: bool) -> Tensor:
    """1 / (v_j - v_i) (of the squares when ``squared``) off the diagonal, 0 on it: recorded from ``values``."""
    v = values * values if squared else values
    differences = v[..., None, :] - v[..., :, None]
    off_diagonal = ~np.eye(v.shape[-1], dtype=bool)
    return np.where(off_diagonal, 1 / np.where(off_diagonal, differences, 1), 0)  # repeated values: inf, as torch


def _factors(ctx: FunctionContext, function: type[Function], *options: Any) -> tuple[Tensor, ...]:
    """The factors a backward reads: as constants in an ordinary pass; under create_graph (recording on) the same
    values recorded again from the saved input ``function.apply(a, *options)``, so that the gradient is
    differentiable again even when the caller kept only some of the outputs."""
    a, *factors = ctx.saved_tensors
    if is_grad_enabled():
        return function.apply(a, *options)
    return tuple(Tensor(x) for x in factors)


def _scaled_columns(x: Any, scale: Any) -> Any:
    """x diag(scale): column j of x times scale_j."""
    return x * scale[..., None, :]


def _diagonal_matrix(values: Any) -> Tensor:
    n = values.shape[-1]
    return values[..., :, None] * Tensor(np.eye(n, dtype=values.dtype))


def lapack_svd(data: np.ndarray, op: str, full_matrices: bool = False, compute_uv: bool = True) -> Any:
    """numpy.linalg.svd of (batched) matrices ``data``, as torch answers where LAPACK would not: an input with a nan
    entry is a :class:`LinAlgError` naming ``op`` (torch's "failed to converge"), and a matrix with an inf entry is
    not factorised (LAPACK's gesdd can loop for ever on one: numpy's svd of [[-inf, -2.2, 0.5], [-1.8, 0, 0],
    [-1.3, -2, 2.9]] never returns): its factors and singular values are nan, torch's answer; the others' are
    numpy's. Every SVD of the library goes through here."""
    broken = ~np.isfinite(data).all(axis=(-2, -1))  # (the usual, finite input: this one pass over it)
    # (quietly: a float32 singular value beyond float32's range is inf, as torch's, without numpy's warning)
    if not broken.any():
        return quietly(np.linalg.svd, data, full_matrices=full_matrices, compute_uv=compute_uv)
    if np.isnan(data).any():
        raise LinAlgError(f"{op}: the SVD failed to converge because the input of shape {data.shape} contains nan")
    factors = quietly(
        np.linalg.svd, np.where(broken[..., None, None], 0, data), full_matrices=full_matrices, compute_uv=compute_uv
    )
    if not compute_uv:
        return np.where(broken[..., None], np.nan, factors)
    u, s, vh = factors
    return (np.where(broken[..., None, None], np.nan, u), np.where(broken[..., None], np.nan, s),
            np.where(broken[..., None, None], np.nan, vh))  # fmt: skip


class SVD(Function):
    @staticmethod
    def forward(ctx: FunctionContext, a: Tensor, full_matrices: bool) -> tuple[np.ndarray, ...]:
        ctx.set_materialize_grads(False)
        u, s, vh = lapack_svd(a._data, "linalg.svd", full_matrices)
        ctx.shape, ctx.full_matrices = a.shape, full_matrices
        ctx.save_for_backward(a, u, s, vh)
        return u, s, vh

    @staticmethod
    def backward(ctx: FunctionContext, g_u: Any, g_s: Any, g_vh: Any) -> tuple[Any, None]:
        u, s, vh = _factors(ctx, SVD, ctx.full_matrices)
        m, n = ctx.shape[-2:]
        k = min(m, n)
        u, vh = u[..., :, :k], vh[..., :k, :]  # full_matrices' extra columns get no gradient, as in torch
        g_u = None if g_u is None else g_u[..., :, :k]
        g_vh = None if g_vh is None else g_vh[..., :k, :]
        inner = Tensor(np.zeros(s.shape + (k,), dtype=s.dtype)) if g_s is None else _diagonal_matrix(g_s)
        if g_u is None and g_vh is None:
            return u @ inner @ vh, None
        f = _reciprocal_differences(s, squared=True)
        v = _t(vh)
        extra = 0
        if g_u is not None:
            projected = _t(u) @ g_u
            inner = inner + _scaled_columns(f * (projected - _t(projected)), s)
            if m > k:  # the part of g_U outside U's columns
                extra = extra + _scaled_columns(g_u - u @ (_t(u) @ g_u), 1 / s) @ vh
        if g_vh is not None:
            g_v = _t(g_vh)
            projected = _t(v) @ g_v
            inner = inner + s[..., :, None] * (f * (projected - _t(projected)))
            if n > k:
                extra = extra + u @ _t(_scaled_columns(g_v - v @ (_t(v) @ g_v), 1 / s))
        return u @ inner @ vh + extra, None


class Eigh(Function):
    @staticmethod
    def forward(ctx: FunctionContext, a: Tensor, lower: bool) -> tuple[np.ndarray, np.ndarray]:
        ctx.set_materialize_grads(False)
        w, v = quietly(np.linalg.eigh, a._data, UPLO="L" if lower else "U")  # (an eigenvalue beyond float32's: inf)
        ctx.lower = lower
        ctx.save_for_backward(a, w, v)
        return w, v

    @staticmethod
    def backward(ctx: FunctionContext, g_w: Any, g_v: Any) -> tuple[Any, None]:
        w, v = _factors(ctx, Eigh, ctx.lower)
        inner = Tensor(np.zeros(v.shape, dtype=v.dtype)) if g_w is None else _diagonal_matrix(g_w)
        if g_v is not None:
            projected = _t(v) @ g_v
            inner = inner + (projected - _t(projected)) * 0.5 * _reciprocal_differences(w, squared=False)
        return v @ inner @ _t(v), None


def _copy_lower_to_upper(m: Any) -> Any:
    """The symmetric matrix with m's lower triangle (diagonal included)."""
    lower = m.tril(-1)
    return lower + _t(lower) + _diagonal_matrix(m.diagonal(axis1=-2, axis2=-1))


def _square_qr_backward(q: Any, r: Any, g_q: Any, g_r: Any) -> Any:
    """dA of A = Q R for m >= n (reduced factors), given the gradients of Q and R (either may be None)."""
    m = 0
    if g_r is not None:
        m = r @ _t(g_r)
    if g_q is not None:
        m = m - _t(g_q) @ q
    b = q @ _copy_lower_to_upper(m)
    if g_q is not None:
        b = g_q + b
    # b R^-T by back substitution with R, as torch's: a zero pivot of R (a rank-deficient A) divides by zero, so
    # the gradient is IEEE inf and nan there rather than a LinAlgError
    return _t(_t(b).triangular_solve(r, upper=True).solution)


class QR(Function):
    @staticmethod
    def forward(ctx: FunctionContext, a: Tensor, mode: str) -> tuple[np.ndarray, np.ndarray]:
        ctx.set_materialize_grads(False)
        q, r = np.linalg.qr(a._data, mode="complete" if mode == "complete" else "reduced")
        ctx.mode = mode
        ctx.save_for_backward(a, q, r)
        return q, r

    @staticmethod
    def backward(ctx: FunctionContext, g_q: Any, g_r: Any) -> tuple[Any, None]:
        q, r = _factors(ctx, QR, ctx.mode)
        a = ctx.saved_tensors[0]
        m, n = a.shape[-2:]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError(
                "qr: mode='complete' of a tall matrix is not differentiable (Q's last columns are arbitrary); use "
                "mode='reduced'"
            )
        if g_q is None and g_r is None:
            return None, None
        if m >= n:
            return _square_qr_backward(q, r, g_q, g_r), None
        # wide: A = [X | Y] = Q [R_1 | R_2], X square
        y = a[..., :, m:]
        g_r1 = None if g_r is None else g_r[..., :, :m]
        g_r2 = None if g_r is None else g_r[..., :, m:]
        g_q_of_x = g_q if g_r2 is None else (y @ _t(g_r2) if g_q is None else g_q + y @ _t(g_r2))
        g_x = _square_qr_backward(q, r[..., :, :m], g_q_of_x, g_r1)
        g_y = q @ g_r2 if g_r2 is not None else Tensor(np.zeros(y.shape, dtype=y.dtype))
        return np.concatenate([g_x, g_y], axis=-1), None


def svd(
    a: TensorLike, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False
) -> SVDResult | Tensor:
    """numpy.linalg.svd: ``(U, S, Vh)`` with A = U diag(S) Vh, S descending; S alone without ``compute_uv``.
    ``hermitian`` (numpy's hint that A is symmetric) is accepted and computes the same factorization, as
    :func:`autograd.linalg.pinv`'s. Differentiable (see the module doc)."""
    a = checked_matrices(a, "svd", square=False)
    if not compute_uv:
        return SVD.apply(a, False)[1]
    return SVDResult(*SVD.apply(a, bool(full_matrices)))


def svdvals(a: TensorLike) -> Tensor:
    """The singular values, descending (torch.linalg.svdvals); dA = U diag(g) V^T."""
    return SVD.apply(checked_matrices(a, "svdvals", square=False), False)[1]


def _triangle(uplo: str, op: str) -> bool:
    """Whether ``UPLO`` names the lower triangle: 'L' or 'U', either case (as numpy's and torch's)."""
    if not isinstance(uplo, str) or uplo.upper() not in ("L", "U"):
        raise ArgumentRangeError(f"{op}: UPLO must be 'L' or 'U', got {uplo!r}")
    return uplo.upper() == "L"


@takes_out("eigh")
@torch_keyword_names(input="a")
def eigh(a: TensorLike, UPLO: str = "L") -> EighResult:  # noqa: N803 - numpy's and torch's name
    """numpy.linalg.eigh of a symmetric matrix: ``(eigenvalues, eigenvectors)``, eigenvalues ascending; only the
    ``UPLO`` triangle is read. Differentiable (see the module doc)."""
    lower = _triangle(UPLO, "eigh")
    return EighResult(*Eigh.apply(checked_matrices(a, "eigh"), lower))


@takes_out("eigvalsh")
@torch_keyword_names(input="a")
def eigvalsh(a: TensorLike, UPLO: str = "L") -> Tensor:  # noqa: N803 - numpy's and torch's name
    """The eigenvalues of a symmetric matrix, ascending; dA = V diag(g) V^T."""
    return eigh(a, UPLO).eigenvalues


def qr(a: TensorLike, mode: str = "reduced") -> QRResult | Tensor:
    """numpy.linalg.qr: ``(Q, R)`` for mode 'reduced' or 'complete', R alone for 'r'. Differentiable for a
    full-rank matrix (see the module doc); 'complete' only when the matrix is not tall."""
    if mode not in ("reduced", "complete", "r"):
        raise ArgumentRangeError(f"qr: mode must be 'reduced', 'complete' or 'r', got {mode!r}")
    q, r = QR.apply(checked_matrices(a, "qr", square=False), mode)
    return r if mode == "r" else QRResult(q, r)
