"""Differentiable linear algebra on Tensors, with numpy.linalg's names and batching rules.

``inv``, ``solve``, ``det``, ``slogdet``, ``cholesky`` and ``pinv`` are primitives (their derivatives are in
:mod:`autograd.derivatives.linalg`); ``norm``, ``vector_norm``, ``matrix_norm`` and ``lstsq`` are
composites of other ops; the decompositions ``svd``, ``svdvals``, ``eigh``, ``eigvalsh`` and ``qr``
come from :mod:`autograd.decompositions`, the LU family (``lu_factor``, ``lu_factor_ex``, ``lu``, ``lu_solve``) from
:mod:`autograd.lu`, the LDL^T family (``ldl_factor``, ``ldl_factor_ex``, ``ldl_solve``, no gradients) from
:mod:`autograd.ldl`, torch's ``solve_ex``, ``inv_ex`` and ``cholesky_ex`` from :mod:`autograd.linalg_ex`, and
``tensorinv``, ``tensorsolve``, ``diagonal``, ``vander`` and ``householder_product`` from
:mod:`autograd.linalg_composites`. Every function takes square matrices in the last two axes (any leading batch
axes) unless stated.

The norms follow numpy.linalg.norm's table, with s_1 >= s_2 >= ... the singular values of
X = U diag(s) V^T, and tied maxima or minima splitting the gradient evenly:

* vectors: ord = p real, p != 0: |x|_p = (sum |x_i|^p)^(1/p), d/dx_i = sign(x_i) |x_i|^(p-1) / |x|_p^(p-1)
  (for p < 1 and p < 0 too, as numpy); inf / -inf: max / min |x_i|;
  0: the count of non-zero entries, with gradient 0. As torch: where the norm is 0 the gradient is 0; for
  p > 0 an entry x_i = 0 gets gradient 0 (|x|^p has slope 0, or for p < 1 an infinite one, there); for
  p < 0 a zero entry makes the norm 0 and the gradient of its whole vector 0.
* matrices: 'fro' (and None): sqrt(sum X_ij^2), dX = X / |X|_F; 'nuc': sum s_i, dX = U V^T; 2 / -2:
  s_1 / s_min, dX = u_1 v_1^T / u_min v_min^T (through :func:`svdvals`); 1 / -1: the max / min over
  columns of sum_i |X_ij|, dX = sign(X) on the chosen column; inf / -inf: the same over rows.

The normal equations of least squares, differentiated end to end::

    w = solve(X.T @ X, X.T @ y)          # argmin |X w - y|^2
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np

from . import decompositions, shared_math
from .accumulation import float16_via_float32
from .broadcasting import normalize_axes, reduced_shape, single_axis
from .decompositions import EighResult, LinAlgError, QRResult, SVDResult, checked_matrices, eigh, eigvalsh, lapack_svd
from .derivatives import elementwise as ew
from .derivatives import linalg as la
from .index_errors import EmptyReductionError
from .ldl import LDLFactorExResult, LDLFactorResult, ldl_factor, ldl_factor_ex, ldl_solve
from .linalg_composites import diagonal, householder_product, tensorinv, tensorsolve, vander
from .linalg_ex import CholeskyExResult, InvExResult, SolveExResult, cholesky_ex, inv_ex, solve_ex
from .lu import LUFactorExResult, LUFactorResult, LUResult, lu, lu_factor, lu_factor_ex, lu_solve
from .numpy_composites import multi_dot
from .out_argument import takes_out
from .quiet import quietly
from .shape_errors import ArgumentRangeError, DtypeMismatchError, ShapeError
from .tensor import Tensor, TensorLike, _operand
from .torch_keywords import (
    UNSET,
    numpy_reduction,
    torch_dim,
    torch_keepdim,
    torch_keyword_names,
    torch_reduction,
)

__all__ = [
    "CholeskyExResult", "EighResult", "InvExResult", "LDLFactorExResult", "LDLFactorResult", "ldl_factor",
    "ldl_factor_ex", "ldl_solve", "LUFactorExResult", "LUFactorResult", "LUResult", "LinAlgError",
    "LstsqResult", "QRResult", "SVDResult", "SlogdetResult", "SolveExResult", "cholesky", "cholesky_ex", "cond",
    "cross", "det", "diagonal", "eigh", "eigvalsh", "householder_product", "inv", "inv_ex", "lstsq", "lu",
    "lu_factor", "lu_factor_ex", "lu_solve", "matrix_exp", "matrix_norm", "matrix_power", "matrix_rank", "multi_dot",
    "norm", "pinv", "qr", "slogdet", "solve", "solve_ex", "solve_triangular", "svd", "svdvals", "tensorinv",
    "tensorsolve", "vander", "vecdot", "vector_norm",
]  # fmt: skip


def _failed_batch_element(a: Tensor, factor: Any) -> str:
    """``"(batch element k) "`` for the first matrix of a batch (flat, as torch counts it) that ``factor`` (numpy's
    inv or cholesky) refuses, or ``""`` for a single matrix; only on the error path, matrix by matrix."""
    if a.ndim == 2:
        return ""
    for index, matrix in enumerate(a._data.reshape((-1,) + a.shape[-2:])):
        try:
            quietly(factor, matrix)
        except np.linalg.LinAlgError:
            return f"(batch element {index}) "
    return ""


def _singular(op: str, a: Tensor) -> LinAlgError:
    place = _failed_batch_element(a, np.linalg.inv)
    return LinAlgError(f"{op}: {place}the matrix is singular (shape {a.shape})")


@takes_out("inv")
@torch_keyword_names(A="a")
def inv(a: TensorLike) -> Tensor:
    """The inverse A^-1; d/dA: -A^-T g A^-T."""
    a = checked_matrices(a, "inv")
    try:
        data = np.linalg.inv(a._data)
    except np.linalg.LinAlgError:
        raise _singular("inv", a) from None
    return Tensor._from_op(data, la.inv, (a,))


@takes_out("solve")
@torch_keyword_names(A="a", B="b")
def solve(a: TensorLike, b: TensorLike, *, left: bool = True) -> Tensor:
    """X with A X = B (``left=False``: X A = B, torch's; torch's keywords A= and B= too). B is a vector (n,), or a
    batch of vectors (..., n) whose batch shape is A's (torch's rule), else matrices (..., n, k); ``left=False``
    takes only matrices B (..., k, n), as torch's, which refuses the vectors (n x 1 does not fit X A = B).

    d/dB = A^-T g, d/dA = -(A^-T g) X^T.
    """
    a = checked_matrices(a, "solve")
    b = _operand(b, a._data)
    n = a.shape[-1]
    if not left:  # X A = B is A^T X^T = B^T
        if b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1]):  # torch reads B as n x 1 columns
            raise ShapeError(
                f"solve: Incompatible shapes of A and B for the equation XA = B ({n}x{n} and {b.shape[-1]}x1): with "
                f"left=False B must be matrices (..., k, {n}), got a of shape {a.shape} and b of shape {b.shape}"
            )
        return solve(a.mT, b.mT).mT
    if b.ndim >= 2 and b.ndim == a.ndim - 1 and b.shape == a.shape[:-1]:  # a batch of vectors, as torch reads it
        return solve(a, b.unsqueeze(-1))[..., 0]
    vector = b.ndim == 1 and a.ndim == 2
    if b.ndim == 1 and a.ndim > 2:  # one vector for every matrix of the batch
        return solve(a, b.reshape(n, 1))[..., 0]
    if (b.shape[-1] != n) if vector else (b.ndim < 2 or b.shape[-2] != n):
        raise ShapeError(
            f"solve: b must be a vector ({n},) for a single matrix, or matrices (..., {n}, k); got a of shape "
            f"{a.shape} and b of shape {b.shape}"
        )
    try:
        data = np.linalg.solve(a._data, b._data)
    except np.linalg.LinAlgError:
        raise _singular("solve", a) from None
    except ValueError:
        raise ShapeError(f"solve: batch shapes of a {a.shape} and b {b.shape} do not broadcast") from None
    return Tensor._from_op(data, la.solve, (a, b))


@takes_out("matrix_power")
@torch_keyword_names(input="a")
def matrix_power(a: TensorLike, n: int) -> Tensor:
    """A^n for an integer n (``numpy.linalg.matrix_power``, ``torch.linalg.matrix_power``): repeated squaring,
    differentiated through its products; A^0 is the identity (gradient 0), a negative n powers A^-1."""
    return _as_tensor(a).matrix_power(n)


@torch_keyword_names(input="a")
def matrix_exp(a: TensorLike) -> Tensor:
    """e^A = sum_k A^k / k! of each square matrix (``torch.linalg.matrix_exp``; see ``Tensor.matrix_exp``)."""
    return _as_tensor(a).matrix_exp()


@takes_out("solve_triangular")
def solve_triangular(
    a: TensorLike, b: TensorLike, *, upper: bool, left: bool = True, unitriangular: bool = False
) -> Tensor:
    """X with T X = B (``left=False``: X T = B), T the upper (``upper=True``) or lower triangle of A, its diagonal
    taken as ones with ``unitriangular`` (``torch.linalg.solve_triangular``; batch axes broadcast). Only the
    triangle is read, so only it gets a gradient: d/dB = T^-T g, d/dT = -(T^-T g) X^T on the triangle."""
    if not isinstance(upper, (bool, np.bool_)):
        raise TypeError(f"solve_triangular: upper must be given as True or False, got {upper!r}")
    a, b = _as_tensor(a), _as_tensor(b)
    if left:
        return b.triangular_solve(a, upper=upper, unitriangular=unitriangular).solution
    # X T = B is T^T X^T = B^T
    return b.mT.triangular_solve(a, upper=upper, transpose=True, unitriangular=unitriangular).solution.mT


def _as_tensor(x: TensorLike) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


@takes_out("det")
@torch_keyword_names(A="a")
def det(a: TensorLike) -> Tensor:
    """The determinant; d/dA = g adj(A)^T (the cofactor matrix), which is g det(A) A^-T for an invertible A.
    A singular A has it too: from the SVD, or under create_graph from the minors' determinants, so it is
    differentiable again there as well (see :mod:`autograd.derivatives.linalg`)."""
    a = checked_matrices(a, "det")
    value = np.asarray(quietly(np.linalg.det, a._data))  # overflow: inf, silently
    nan = _with_nan(a)
    if nan is not None:
        value = np.where(nan, np.nan, value)
    return Tensor._from_op(value, la.det, (a,))


def _with_nan(a: Tensor) -> np.ndarray | None:
    """Which matrices of ``a`` have a nan entry (batch-shaped), None if none has: their determinant is nan, as
    torch's (numpy's LAPACK may pivot past the nan and give 0, as for [[nan, 1], [1, 1]])."""
    nan = np.isnan(a._data).any(axis=(-2, -1))
    return nan if nan.any() else None


class SlogdetResult(NamedTuple):
    """The determinant's sign and log |det|, named as numpy.linalg.slogdet's result (and unpacked as a pair)."""

    sign: Tensor
    logabsdet: Tensor


@takes_out("slogdet")
@torch_keyword_names(A="a")
def slogdet(a: TensorLike) -> SlogdetResult:
    """(sign, log|det A|) as numpy, also as ``.sign`` and ``.logabsdet``: both Tensors, as torch's; the sign has
    gradient 0 (it is in the graph of A, as torch's); d log|det A| / dA = A^-T.

    At a singular A, log|det A| = -inf and has no gradient: backward gives torch's value there, the solve of
    A^T X = I by A^T's LU dividing by its zero pivot (a mix of inf and nan). A matrix with a nan entry has
    log|det A| nan, and a nan log|det A| has sign 0, as torch's."""
    a = checked_matrices(a, "slogdet")
    sign, logabsdet = quietly(np.linalg.slogdet, a._data)
    nan = _with_nan(a)
    if nan is not None:
        logabsdet = np.where(nan, np.nan, logabsdet)
    sign = np.where(np.isnan(logabsdet), 0.0, sign).astype(sign.dtype)  # torch's sign of a nan determinant: 0
    return SlogdetResult(
        Tensor._from_op(np.asarray(sign), la.slogdet_sign, (a,)),
        Tensor._from_op(np.asarray(logabsdet), la.slogdet, (a,)),
    )


@takes_out("svd")
@torch_keyword_names(A="a")
def svd(
    a: TensorLike, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False, *, driver: Any = None
) -> SVDResult | Tensor:
    """numpy.linalg.svd and torch.linalg.svd (``A=``, ``driver=``): ``(U, S, Vh)`` with A = U diag(S) Vh, S
    descending (see :func:`autograd.decompositions.svd`). ``driver`` picks a cuSOLVER routine in torch, which takes
    only None on the CPU, as here: any other is torch's RuntimeError."""
    if driver is not None:
        raise ArgumentRangeError(
            f"svd: driver={driver!r} is only supported on CUDA inputs with cuSOLVER backend (as torch's); pass None"
        )
    return decompositions.svd(a, full_matrices, compute_uv, hermitian)


@takes_out("svdvals")
@torch_keyword_names(A="a")
def svdvals(a: TensorLike) -> Tensor:
    """The singular values, descending (torch.linalg.svdvals, ``A=`` too); dA = U diag(g) V^T."""
    return decompositions.svdvals(a)


@takes_out("qr")
@torch_keyword_names(A="a")
def qr(a: TensorLike, mode: str = "reduced") -> QRResult:
    """torch.linalg.qr (``A=`` too): ``(Q, R)`` for mode 'reduced' or 'complete', and for 'r' an empty Q of shape
    (0,) beside R, as torch's (numpy's ``np.linalg.qr(x, mode='r')`` on a Tensor gives R alone, as numpy's: see
    :func:`autograd.decompositions.qr`). Differentiable as that."""
    result = decompositions.qr(a, mode)
    if mode != "r":
        return result
    return QRResult(Tensor(np.empty((0,), dtype=result.dtype)), result)


@takes_out("cholesky")
@torch_keyword_names(input="a")
def cholesky(a: TensorLike, *, upper: bool = False) -> Tensor:
    """The lower-triangular L with A = L L^T for symmetric positive-definite A (only its lower triangle is
    read, as numpy); the gradient is symmetric (see :mod:`autograd.derivatives.linalg`). ``upper=True``
    (torch's): U with A = U^T U, read from A's upper triangle, as torch's (the lower factor of A^T, transposed)."""
    if upper:
        return cholesky(checked_matrices(a, "cholesky").mT).mT
    a = checked_matrices(a, "cholesky")
    try:
        data = quietly(np.linalg.cholesky, a._data)
    except np.linalg.LinAlgError:
        place = _failed_batch_element(a, np.linalg.cholesky)
        raise LinAlgError(f"cholesky: {place}the matrix is not positive definite (shape {a.shape})") from None
    if np.isnan(np.diagonal(data, axis1=-2, axis2=-1)).any():  # a nan entry, which numpy's factor passes on silently
        raise LinAlgError(
            f"cholesky: the matrix is not positive definite (shape {a.shape}): it holds nan, as torch's potrf reports"
        )
    return Tensor._from_op(data, la.cholesky, (a,))


@takes_out("pinv")
@torch_keyword_names(input="a")
def pinv(a: TensorLike, rcond: Any = None, hermitian: bool = False, *, rtol: Any = None, atol: Any = None) -> Tensor:
    """The Moore-Penrose pseudo-inverse A^+ of (batched) m x n matrices, from the SVD: singular values at or
    below the cutoff count as zero, as numpy.linalg.pinv (``rcond`` or ``rtol``: relative to the largest) and
    torch.linalg.pinv (``atol``/``rtol``, numbers or one per matrix: the cutoff is max(atol, rtol * largest), rtol by
    default 0 for a positive atol, else eps * max(m, n), as torch's). With none of them, the cutoff is torch's,
    eps * max(m, n) of the dtype times the largest (numpy's bare call uses 1e-15 for every dtype, which keeps a
    float32 matrix's rounding noise as singular values to invert). The gradient is the pseudo-inverse's
    derivative at a constant rank (see :mod:`autograd.derivatives.linalg`): exact for full-rank matrices,
    and torch's formula at rank-deficient ones, where the pseudo-inverse jumps when the rank changes.

    ``hermitian=True`` (both signatures) reads A as the symmetric matrix of its lower triangle, as numpy's and
    torch's: from A = V diag(w) V^T (numpy's eigh), A^+ = V diag(1 / w_i where |w_i| is above the cutoff, else 0)
    V^T; its gradient is the same rule at A, as torch's."""
    a = checked_matrices(a, "pinv", square=False)
    if atol is None and (rcond is not None or rtol is not None):
        relative = rcond if rtol is None else rtol
        # numpy's pinv: the cutoff rcond * the largest (one per matrix, or negative)
        cutoffs = np.asarray(-np.inf), np.asarray(getattr(relative, "_data", relative))
        cutoffs = cutoffs[0], cutoffs[1][..., None]
    else:
        cutoffs = _tolerances(a, atol, rtol)
    with np.errstate(all="ignore"):
        if hermitian:
            data = _hermitian_pseudo_inverse(checked_matrices(a, "pinv")._data, *cutoffs)
        else:
            data = _pseudo_inverse(a._data, *cutoffs)[0]
    return _recorded_pinv(a, data)


def _hermitian_pseudo_inverse(a: np.ndarray, atol: np.ndarray, rtol: np.ndarray) -> np.ndarray:
    """pinv(hermitian=True): V diag(1 / w) V^T over the eigenvalues w of A's lower triangle with |w| above
    max(atol, rtol * max |w|), the others dropped (torch's linalg.pinv)."""
    values, vectors = quietly(np.linalg.eigh, a)
    magnitudes = np.abs(values)
    largest = magnitudes.max(axis=-1, keepdims=True) if magnitudes.shape[-1] else magnitudes
    keep = magnitudes > np.maximum(atol, rtol * largest)
    inverse = np.where(keep, 1.0 / np.where(keep, values, 1.0), 0.0)
    return (vectors * inverse[..., None, :]) @ _swap(vectors)


def _recorded_pinv(a: Tensor, data: np.ndarray) -> Tensor:
    """The node of A^+ = ``data`` (of ``a``'s dtype), differentiated by :mod:`autograd.derivatives.linalg`."""
    return Tensor._from_op(np.asarray(data, dtype=a.dtype), la.pinv, (a,))


def _pseudo_inverse(a: np.ndarray, atol: float, rtol: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(A^+, the singular values, the rank of each matrix) from one SVD, keeping the singular values above
    max(atol, rtol * the largest) of each matrix (torch's cutoff; numpy's rcond is ``rtol`` with ``atol`` 0)."""
    u, s, vt = lapack_svd(a, "pinv")
    largest = s[..., :1] if s.shape[-1] else s
    keep = s > np.maximum(atol, rtol * largest)
    inverse = np.where(keep, 1.0 / np.where(keep, s, 1.0), 0.0)
    return (_swap(vt) * inverse[..., None, :]) @ _swap(u), s, keep.sum(axis=-1)


def _tolerances(a: Tensor, atol: Any, rtol: Any) -> tuple[np.ndarray, np.ndarray]:
    """torch's (atol, rtol) of the cutoff max(atol, rtol * the largest singular value) of the matrices ``a``, each a
    number or one per matrix (arrays or Tensors broadcast against a's batch shape), returned with a trailing axis of
    length 1 to compare with the singular values: atol 0 if None; rtol, if None, 0 where atol > 0 and else
    eps * max(m, n) of a's dtype (torch's default)."""
    absolute = np.zeros(()) if atol is None else _tolerance(atol, a.dtype)
    if rtol is not None:
        relative = _tolerance(rtol, a.dtype)
    else:
        relative = np.where(absolute > 0, 0.0, np.finfo(a.dtype).eps * max(a.shape[-2:])).astype(a.dtype)
    return absolute[..., None], relative[..., None]


def _tolerance(value: Any, dtype: np.dtype) -> np.ndarray:
    return np.asarray(value._data if isinstance(value, Tensor) else value, dtype=dtype)


def _swap(x: np.ndarray) -> np.ndarray:
    return x.swapaxes(-1, -2)


class LstsqResult(NamedTuple):
    """The least-squares solution, named as torch.linalg.lstsq's result and ordered as numpy.linalg.lstsq's."""

    solution: Tensor
    residuals: Tensor
    rank: Any
    singular_values: Any


def lstsq(a: TensorLike, b: TensorLike, rcond: Any = None, *, driver: str | None = None) -> LstsqResult:
    return _lstsq(a, b, rcond, driver, numpy_results=False)


def _lstsq(a: TensorLike, b: TensorLike, rcond: Any, driver: str | None, numpy_results: bool) -> LstsqResult:
    """X minimising |A X - B| (Frobenius), the one of least norm when several do: X = A^+ B.

    As numpy.linalg.lstsq, ``(x, residuals, rank, s)``; also torch.linalg.lstsq's named fields
    ``solution, residuals, rank, singular_values``. A is m x n (any leading batch axes, as torch), B is
    (m,) or m x k. Singular values at or below ``rcond`` times the largest count as zero (default: machine
    epsilon times max(m, n), as both). ``residuals`` are the squared residual norms of B's columns when A is
    tall (m > n) and of full rank n, else empty; ``rank`` the effective rank and ``s`` A's singular values (no
    gradient), both Tensors as torch's (an int64 rank, 0-d for one matrix, else of the batch shape), where
    :func:`numpy_lstsq` gives numpy's int (for one matrix) and ndarray. Every ``driver`` (torch's keyword) computes the same solution; a
    driver named gives torch's other results for it: ``'gels'`` (which assumes full rank) the residuals of a tall
    A and an empty rank, ``'gelsy'`` the rank and no residuals, ``'gelsd'``/``'gelss'`` numpy's. None is torch's CPU
    default, ``'gelsy'``, with the rank as an int64 Tensor (0-d for one matrix, else of the batch shape), as torch's
    (``np.linalg.lstsq`` on Tensors is numpy's, :func:`numpy_lstsq`); torch's empty
    results are of shape (0,) (the empty residuals in the graph of A and B, as torch's). Differentiable in A and
    B through :func:`pinv`.
    """
    a = checked_matrices(a, "lstsq", square=False)
    b = _operand(b, a._data)
    rows, columns = a.shape[-2:]
    if not 0 <= a.ndim - b.ndim <= 1:
        raise ShapeError(
            f"lstsq: b of shape {b.shape} does not fit a of shape {a.shape}: b must have a's dims or one fewer (a "
            "vector per matrix), as torch's (input.dim() must be greater or equal to other.dim() and (input.dim() - "
            "other.dim()) <= 1)"
        )
    vector = b.ndim == a.ndim - 1
    if b.shape[-1 if vector else -2] != rows:
        raise ShapeError(
            f"lstsq: b must have {rows} rows to match a of shape {a.shape} (shape (..., {rows}) or (..., {rows}, k)), "
            f"got shape {b.shape}"
        )
    try:
        np.broadcast_shapes(a.shape[:-2], b.shape[: -1 if vector else -2])
    except ValueError:
        raise ShapeError(f"lstsq: batch shapes of a {a.shape} and b {b.shape} do not broadcast") from None
    if driver is not None and driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise ArgumentRangeError(f"lstsq: driver must be one of gels, gelsy, gelsd or gelss, got {driver!r}")
    if rcond is None:
        relative = np.finfo(a.dtype).eps * max(rows, columns)
    else:  # LAPACK's reading of a negative rcond: machine precision
        relative = float(rcond) if rcond >= 0 else np.finfo(a.dtype).eps
    with np.errstate(all="ignore"):
        data, singular, ranks = _pseudo_inverse(a._data, 0.0, relative)
    inverse = _recorded_pinv(a, data)
    if vector:
        solution = (inverse @ b[..., None])[..., 0]
    else:
        solution = inverse @ b
    # numpy's (driver None), gelsd's and gelss's: a tall A of full rank; gels (full rank assumed): any tall A
    full_rank = driver == "gels" or np.all(ranks == columns)
    if rows > columns and full_rank and driver not in ("gelsy", None):
        if vector:
            residual = (a @ solution[..., None])[..., 0] - b
            residuals = (residual * residual).sum(axis=-1, keepdims=True)  # numpy's shape (1,)
        else:
            residual = a @ solution - b
            residuals = (residual * residual).sum(axis=-2)
    else:  # of A and B, as torch's, so that the residuals of a graph are in it (with gradient 0)
        residuals = a.reshape(-1)[:0] + b.reshape(-1)[:0]
    rank = np.asarray(ranks, dtype=np.int64)
    if driver == "gels":  # torch's gels computes neither
        rank, singular = np.empty((0,), dtype=np.int64), np.empty((0,), dtype=a.dtype)
    elif driver in ("gelsy", None):  # torch's gelsy (its CPU default): the rank, no singular values
        singular = np.empty((0,), dtype=a.dtype)
    if numpy_results:
        return LstsqResult(solution, residuals, int(rank) if rank.ndim == 0 else rank, singular)
    return LstsqResult(solution, residuals, Tensor(rank), Tensor(singular))


def numpy_lstsq(a: TensorLike, b: TensorLike, rcond: Any = None) -> LstsqResult:
    """numpy.linalg.lstsq's ``(x, residuals, rank, s)`` (what ``np.linalg.lstsq`` gives on Tensors): :func:`lstsq`
    with the driver of numpy's results, ``'gelsd'``."""
    return _lstsq(a, b, rcond, "gelsd", numpy_results=True)


def _floating(x: TensorLike) -> Tensor:
    x = _as_tensor(x)
    return x if x.dtype.kind == "f" else x.astype(np.float64)


def _in_dtype(x: Tensor, dtype: Any, op: str) -> Tensor:
    """``x`` converted (differentiably) to torch's ``dtype`` argument of the norms, if given: a floating dtype
    at least as wide as x's (a DtypeMismatchError naming ``op`` otherwise: a TypeError and torch's RuntimeError)."""
    if dtype is None:
        return x
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise DtypeMismatchError(f"{op}: dtype must be a floating dtype, got {dtype}")
    if dtype.itemsize < x.dtype.itemsize:
        raise DtypeMismatchError(f"{op}: dtype would narrow the input from {x.dtype} to {dtype} (as torch, it may not)")
    return x.astype(dtype)


def _pair_or_single(axis: Any, ndim: int, op: str) -> tuple[int, ...]:
    """The axes of ``axis`` (an int or a tuple), non-negative and in the given order (a matrix norm's rows,
    then columns); a :class:`ShapeError` (ValueError, torch's RuntimeError) naming ``op`` for a repeated axis."""
    axes = tuple(single_axis(a, ndim, op) for a in ((axis,) if isinstance(axis, (int, np.integer)) else axis))
    if len(set(axes)) != len(axes):
        raise ShapeError(f"{op}: duplicate axes given: axis={axis!r}")
    return axes


def _scalar_axis(axis: Any) -> bool:
    """Whether ``axis`` names the one axis torch lets a 0-d input have: 0 or -1, alone or in a 1-tuple."""
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    return len(axes) == 1 and isinstance(axes[0], (int, np.integer)) and axes[0] in (0, -1)


def _one_entry_each(shape: tuple[int, ...], axes: tuple[int, ...]) -> bool:
    """Whether each norm over ``axes`` reads one entry (every axis reduced has length 1)."""
    return all(shape[axis] == 1 for axis in axes)


def _magnitudes(x: Tensor, axes: tuple[int, ...], keepdims: bool) -> Tensor:
    """|x| as the norm of one entry over ``axes`` (all of length 1), as torch's: the norm of any order but 0 is
    |x| exactly, where squaring (or raising to p) would overflow beyond 1e154 (or underflow); d/dx = sign(x)."""
    magnitudes = x.abs()
    reduced = {axis % x.ndim for axis in axes}
    return magnitudes if keepdims else magnitudes.reshape(tuple(n for i, n in enumerate(x.shape) if i not in reduced))


def _two_norm(x: Tensor, axes: tuple[int, ...], keepdims: bool) -> Tensor:
    """sqrt(sum x^2) over ``axes``, one node whose gradient is (x / norm) g, taken as 0 where the norm is 0 (as
    torch): formed from the unit vector, it stays finite at a norm so small that g / norm would overflow. Over
    axes of length 1 it is |x| (:func:`_magnitudes`)."""
    if _one_entry_each(x.shape, axes):
        return _magnitudes(x, axes, keepdims)
    data = x._data
    # squares overflow to inf and underflow to 0, as torch's, without numpy's warnings
    norm = np.sqrt(quietly(np.add.reduce, quietly(np.multiply, data, data), axis=axes, keepdims=keepdims))
    return Tensor._from_op(np.asarray(norm, dtype=data.dtype), la.two_norm, (x,), {"axes": axes, "keepdims": keepdims})


def _p_norm(x: Tensor, p: float, axes: tuple[int, ...], keepdims: bool) -> Tensor:
    """(sum |x|^p)^(1/p) over ``axes`` for a real p other than 0 and +-inf; zero entries and zero norms pass
    no gradient (the module doc)."""
    magnitudes = x.abs()
    if p > 0:
        nonzero = np.asarray(magnitudes._data != 0)
        powers = shared_math.where(nonzero, shared_math.where(nonzero, magnitudes, 1.0) ** p, 0.0)
        total = powers.sum(axis=axes, keepdims=keepdims)
        zero = np.asarray(total._data == 0)
        return shared_math.where(zero, 0.0, shared_math.where(zero, 1.0, total) ** (1 / p))
    # |0|^p = inf: the norm is 0, unless a nan entry makes the sum inf + nan = nan (numpy's and torch's nan)
    data = magnitudes._data
    has_zero = np.any(data == 0, axis=axes, keepdims=True) & ~np.any(np.isnan(data), axis=axes, keepdims=True)
    total = (shared_math.where(has_zero, 1.0, magnitudes) ** p).sum(axis=axes, keepdims=keepdims)
    return shared_math.where(has_zero if keepdims else np.squeeze(has_zero, axes), 0.0, total ** (1 / p))


def _vector_norm(x: Tensor, ord: Any, axes: tuple[int, ...], keepdims: bool, op: str) -> Tensor:
    if ord is None or ord == 2:
        return _two_norm(x, axes, keepdims)
    if isinstance(ord, (str, bool)) or not isinstance(ord, (int, float, np.integer, np.floating)) or np.isnan(ord):
        raise ArgumentRangeError(f"{op}: invalid norm order {ord!r} for vectors: a real number, inf or -inf")
    if (ord == np.inf or ord < 0) and x.size == 0 and any(x.shape[a] == 0 for a in axes):
        # the max (min) of no |x| has no value, nor has a negative order's (sum of no |x|^p)^(1/p), 0^(1/p): torch's
        # error, naming the norm rather than the reduction it is made of
        raise EmptyReductionError(
            f"{op}: cannot compute the {ord} norm of shape {x.shape} over axes {axes}: an axis to reduce is empty"
        )
    if ord != 0 and _one_entry_each(x.shape, axes):
        return _magnitudes(x, axes, keepdims)
    if ord == np.inf:
        return x.abs().max(axes, keepdims=keepdims)
    if ord == -np.inf:
        return x.abs().min(axes, keepdims=keepdims)
    if ord == 0:  # the count of non-zero entries (nan counts, as numpy's): in the graph, with gradient 0 (torch's)
        indicator = Tensor._from_op((x._data != 0).astype(x.dtype), ew.locally_constant, (x,))
        return indicator.sum(axis=axes, keepdims=keepdims)
    if ord == 1:
        return x.abs().sum(axis=axes, keepdims=keepdims)
    return _p_norm(x, float(ord), axes, keepdims)


def _matrix_norm(x: Tensor, ord: Any, rows: int, columns: int, keepdims: bool, op: str) -> Tensor:
    named = ord if isinstance(ord, str) else None
    numeric = not isinstance(ord, (str, bool)) and isinstance(ord, (int, float, np.integer, np.floating))
    if ord is None or named == "fro":
        return _two_norm(x, (rows, columns), keepdims)
    if named == "nuc" or (numeric and ord in (2, -2)):
        batch = [axis for axis in range(x.ndim) if axis not in (rows, columns)]
        singular_values = svdvals(x.transpose(batch + [rows, columns]))
        # an empty matrix has no singular values: its largest, as its sum, is 0 (numpy's and torch's)
        if named == "nuc" or (ord > 0 and singular_values.shape[-1] == 0):
            result = singular_values.sum(axis=-1)
        else:
            result = singular_values.max(axis=-1) if ord > 0 else singular_values.min(axis=-1)
    elif numeric and ord in (1, -1, np.inf, -np.inf):
        summed, compared = (rows, columns) if ord in (1, -1) else (columns, rows)
        sums = x.abs().sum(axis=summed, keepdims=True)
        if ord > 0 and x.shape[compared] == 0:  # the max of no sums of |x|: 0, as numpy's and torch's
            result = sums.sum(compared, keepdims=True)
        else:
            result = sums.max(compared, keepdims=True) if ord > 0 else sums.min(compared, keepdims=True)
    else:
        raise ArgumentRangeError(  # torch's RuntimeError
            f"{op}: invalid norm order {ord!r} for matrices: 'fro', 'nuc', 1, -1, 2, -2, inf or -inf"
        )
    kept = reduced_shape(x.shape, (rows, columns))
    return result.reshape(kept if keepdims else tuple(n for a, n in enumerate(x.shape) if a not in (rows, columns)))


@takes_out("norm")
@float16_via_float32  # squares overflow float16 from 256
@torch_keyword_names(input="x")
def norm(
    x: TensorLike,
    ord: Any = None,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    *,
    dim: Any = UNSET,
    keepdim: Any = UNSET,
    dtype: Any = None,
) -> Tensor:
    """Vector and matrix norms as numpy.linalg.norm (torch.linalg.norm's ``dim``/``keepdim`` are aliases, and its
    ``dtype``: computed in that floating dtype, which may not be narrower than the input's).

    ``axis`` None with ``ord`` None: the 2-norm of all entries. A 0-d input with axis 0 or -1 is read as one entry,
    as torch's (the result is 0-d, keepdims or not). Otherwise one axis (an int, or None for a
    1-D array) gives the vector norm ``ord`` and two axes (rows, columns; None for a 2-D array) the matrix
    norm ``ord``; other numbers of axes are a ValueError, as numpy's. The orders and their gradients are
    in the module doc.
    """
    axis, keepdims = torch_reduction("norm", axis, keepdims, dim, keepdim)
    x = _in_dtype(_floating(x), dtype, "norm")
    if x.ndim == 0 and axis is not None and _scalar_axis(axis):  # torch's: the vector norm of the one entry
        return _vector_norm(x.reshape(1), ord, (0,), False, "norm")
    if axis is None and ord is None:
        return _two_norm(x, tuple(range(x.ndim)), keepdims)
    axes = tuple(range(x.ndim)) if axis is None else _pair_or_single(axis, x.ndim, "norm")
    if len(axes) == 1:
        return _vector_norm(x, ord, axes, keepdims, "norm")
    if len(axes) == 2:
        return _matrix_norm(x, ord, *axes, keepdims, "norm")
    raise ShapeError(
        f"norm: improper number of dimensions to norm: ord={ord!r} takes 1 axis (a vector norm) or 2 (a matrix "
        f"norm), got axis={axis!r} for shape {x.shape}"
    )


@takes_out("vector_norm")
@float16_via_float32  # squares overflow float16 from 256
@torch_keyword_names(input="x")
def vector_norm(
    x: TensorLike,
    ord: Any = 2,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
    *,
    axis: Any = UNSET,
    keepdims: Any = UNSET,
    dtype: Any = None,
) -> Tensor:
    """The vector norm ``ord`` over ``dim`` (any number of axes; all entries if None or empty), as
    torch.linalg.vector_norm (positionally too) and numpy 2's numpy.linalg.vector_norm (``axis``/``keepdims``,
    where an empty ``axis`` reduces none); ``dtype``: computed in that floating dtype, which may not be narrower
    than the input's, as torch. The orders and their gradients are in the module doc."""
    axis, keepdims = numpy_reduction(
        "vector_norm",
        dim,
        keepdim,
        None if axis is UNSET else axis,
        False if keepdims is UNSET else keepdims,
    )
    axis = tuple(axis) if isinstance(axis, list) else axis
    x = _in_dtype(_floating(x), dtype, "vector_norm")
    return _vector_norm(x, ord, normalize_axes(axis, x.ndim, "vector_norm"), keepdims, "vector_norm")


@takes_out("matrix_norm")
@float16_via_float32  # squares overflow float16 from 256
@torch_keyword_names(input="x")
def matrix_norm(
    x: TensorLike,
    ord: Any = "fro",
    axis: tuple[int, int] = (-2, -1),
    keepdims: bool = False,
    *,
    dim: Any = UNSET,
    keepdim: Any = UNSET,
    dtype: Any = None,
) -> Tensor:
    """The matrix norm ``ord`` of the matrices in ``axis`` (rows, columns), as numpy 2's
    numpy.linalg.matrix_norm and torch.linalg.matrix_norm (``dim``/``keepdim``; ``dtype`` as
    :func:`vector_norm`'s). The orders and their gradients are in the module doc."""
    if dim is not UNSET:
        axis = torch_dim("matrix_norm", axis, dim, default=(-2, -1))
    if keepdim is not UNSET:
        keepdims = torch_keepdim("matrix_norm", keepdims, keepdim)
    x = _in_dtype(_floating(x), dtype, "matrix_norm")
    if x.ndim < 2:
        raise ShapeError(f"matrix_norm: expected matrices (at least 2 dimensions), got shape {x.shape}")
    axes = () if axis is None or isinstance(axis, (int, np.integer)) else _pair_or_single(axis, x.ndim, "matrix_norm")
    if len(axes) != 2:
        raise ShapeError(f"matrix_norm: axis must be two axes (rows, columns), got {axis!r}")
    return _matrix_norm(x, ord, *axes, keepdims, "matrix_norm")


@takes_out("matrix_rank")
@torch_keyword_names(input="a")
def matrix_rank(
    a: TensorLike, *, atol: Any = None, rtol: Any = None, hermitian: bool = False, tol: Any = None
) -> Tensor:
    """The number of singular values of each matrix above max(atol, rtol * the largest) (torch.linalg.matrix_rank;
    ``tol`` is its older name of ``atol``; either may be one per matrix): an int64 Tensor, outside the graph. Without
    rtol it is eps * max(m, n) of the dtype (0 for a positive atol), as torch's. With ``hermitian`` the singular
    values are the absolute eigenvalues of the symmetric matrix of A's lower triangle, as torch's (its upper one is
    not read)."""
    a = checked_matrices(a, "matrix_rank", square=hermitian)
    atol, rtol = _tolerances(a, tol if atol is None else atol, rtol)
    if not a._data.size:
        values = np.zeros(a.shape[:-2] + (0,), a.dtype)
    elif hermitian:
        values = np.abs(np.linalg.eigvalsh(a._data, UPLO="L"))
    else:
        values = lapack_svd(a._data, "matrix_rank", compute_uv=False)
    largest = values.max(axis=-1, keepdims=True) if values.shape[-1] else np.zeros(values.shape[:-1] + (1,))
    cutoff = np.maximum(atol, rtol * largest)
    return Tensor(np.count_nonzero(values > cutoff, axis=-1).astype(np.int64))


@takes_out("cond")
@torch_keyword_names(input="a")
def cond(a: TensorLike, p: Any = None) -> Tensor:
    """The condition number |A|_p |A^-1|_p (torch.linalg.cond): for p None or 2 the largest singular value over the
    smallest (-2: the smallest over the largest), from :func:`svdvals`; for 'fro', 'nuc', inf, -inf, 1, -1 the
    product of the two matrix norms (A square), inf for a singular A (LAPACK's LU finds a zero pivot) as
    numpy's and torch's, with gradient 0 there; a nan product (an A with a nan or inf entry) is inf too, as torch's. Differentiable through either. Empty matrices (0 x 0, or m x 0
    for the orders that take any shape) have condition number 0, as torch's (numpy leaves it undefined)."""
    if not any(p is order or p == order for order in _COND_ORDERS):
        raise ArgumentRangeError(f"cond: invalid norm order {p!r}: None, 2, -2, 'fro', 'nuc', 1, -1, inf or -inf")
    a = checked_matrices(a, "cond", square=isinstance(p, str))
    if a.size == 0:  # torch's 0, checked before the square shape for a numeric order as torch's
        return a.sum(axis=(-2, -1)) * 0.0
    if p not in (None, 2, -2):
        checked_matrices(a, "cond")
    if p in (None, 2, -2):
        values = svdvals(a)
        largest, smallest = values[..., 0], values[..., -1]
        return largest / smallest if p != -2 else smallest / largest
    invertible = _invertible(a._data)
    if invertible.all():
        return _nan_as_inf(matrix_norm(a, p) * matrix_norm(inv(a), p))
    identity = np.eye(a.shape[-1], dtype=a.dtype)
    inverse = inv(shared_math.where(invertible[..., None, None], a, identity))
    return _nan_as_inf(shared_math.where(invertible, matrix_norm(a, p) * matrix_norm(inverse, p), np.inf))


def _nan_as_inf(product: Tensor) -> Tensor:
    """``product`` with inf in place of nan, as torch's cond takes |A| |A^-1| for an A with a nan or inf entry, whose
    inverse LAPACK fills with nan without reporting it singular (such an A's gradient stays nan)."""
    nan = np.isnan(product._data)
    return shared_math.where(nan, np.inf, product) if nan.any() else product


#: The orders cond takes: those of matrix_norm, and None (the 2-norm's).
_COND_ORDERS = (None, 2, -2, "fro", "nuc", 1, -1, np.inf, -np.inf)


def _invertible(a: np.ndarray) -> np.ndarray:
    """Which of the square matrices ``a`` (batched) LAPACK inverts: its LU has no zero pivot and no nan."""
    matrices = a.reshape((-1,) + a.shape[-2:])
    invertible = np.ones(len(matrices), dtype=bool)
    try:
        np.linalg.inv(matrices)
    except np.linalg.LinAlgError:  # LAPACK reports one for the whole batch: find the matrices it refuses
        for index, matrix in enumerate(matrices):
            try:
                np.linalg.inv(matrix)
            except np.linalg.LinAlgError:
                invertible[index] = False
    return invertible.reshape(a.shape[:-2])


@takes_out("cross")
@torch_keyword_names(input="a", other="b")
def cross(a: TensorLike, b: TensorLike, *, dim: int = -1) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (torch.linalg.cross, its keywords input= and other= too; the
    others broadcast): a x b."""
    a, b = _as_tensor(a), _as_tensor(b)
    if a.ndim != b.ndim:  # torch's RuntimeError (linalg.cross broadcasts inputs of one number of dimensions)
        raise ShapeError(f"cross: inputs must have the same number of dimensions, got shapes {a.shape} and {b.shape}")
    single_axis(dim, a.ndim, "cross")
    if a.shape[dim] != 3 or b.shape[dim] != 3:
        raise ShapeError(f"cross: both inputs need 3 entries along dim {dim}, got shapes {a.shape} and {b.shape}")
    return a.cross(b, dim=dim)


@takes_out("vecdot")
def vecdot(x: TensorLike, y: TensorLike, *, dim: int = -1) -> Tensor:
    """The dot product of real vectors along ``dim`` (torch.linalg.vecdot; the other axes broadcast): sum x * y."""
    x, y = _as_tensor(x), _as_tensor(y)
    try:
        np.broadcast_shapes(x.shape, y.shape)
    except ValueError:
        raise ShapeError(f"vecdot: shapes {x.shape} and {y.shape} do not broadcast") from None
    return (x * y).sum(axis=dim)
