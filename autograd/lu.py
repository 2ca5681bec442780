"""The LU factorisation with partial pivoting, as torch.linalg's: ``lu_factor``, ``lu_factor_ex``, ``lu``,
``lu_unpack`` and ``lu_solve``.

A (..., m, n) = P L U with k = min(m, n): P an m x m permutation matrix, L m x k unit lower triangular, U k x n upper
triangular. The packed factor LU (..., m, n) holds L below its diagonal and U on and above it; ``pivots``
(..., k), int32 and 1-based as LAPACK's getrf returns them, say that step i swapped row i with row pivots[i]
(so P^T A is A with those swaps applied in order). Step j takes as pivot the first entry of largest magnitude
in column j on or below the diagonal (``pivot=False``: the diagonal entry, P = I); ``info`` is 0, or j + 1 for the
first j where U[j, j] is exactly zero (the matrix is singular). The factorisation goes on past a zero pivot, as
LAPACK's does.

Gradients: ``lu_factor`` is the primitive (its rule is in :mod:`autograd.derivatives.linalg`), ``lu`` and
``lu_unpack`` take its triangles (``tril``/``triu``), and ``lu_solve`` is two triangular solves with LU's
triangles and a product with P, so every gradient, of the factors and of the solution, follows from those ops.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .decompositions import LinAlgError, checked_matrices
from .derivatives import linalg as la
from .out_argument import takes_out
from .shape_errors import ArgumentRangeError, DtypeMismatchError, ShapeError
from .tensor import Tensor, TensorLike

__all__ = [
    "LUFactorExResult", "LUFactorResult", "LUResult", "LUUnpackResult", "lu", "lu_factor", "lu_factor_ex",
    "lu_info", "lu_solve", "lu_unpack", "raise_for_info",
]  # fmt: skip


class LUFactorResult(NamedTuple):
    """torch.linalg.lu_factor's result: the packed factor and LAPACK's pivots."""

    LU: Tensor
    pivots: Tensor


class LUFactorExResult(NamedTuple):
    """torch.linalg.lu_factor_ex's result: the packed factor, LAPACK's pivots and LAPACK's info code."""

    LU: Tensor
    pivots: Tensor
    info: Tensor


class LUResult(NamedTuple):
    """torch.linalg.lu's result: A = P L U."""

    P: Tensor
    L: Tensor
    U: Tensor


class LUUnpackResult(NamedTuple):
    """torch.lu_unpack's result: A = P L U."""

    P: Tensor
    L: Tensor
    U: Tensor


def _factor(a: np.ndarray, pivot: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(LU, pivots, info) of the matrices ``a`` (..., m, n): Gaussian elimination, column by column, on the whole
    batch at once, in LAPACK getf2's order (scale by 1/pivot, then the rank-1 update), so the factors round as torch's.
    Past a zero pivot the column is left unscaled (with pivoting, it is zero already)."""
    *batch, m, n = a.shape
    k = min(m, n)
    count = math.prod(batch)
    lu = a.reshape(count, m, n).copy()
    pivots = np.tile(np.arange(1, k + 1, dtype=np.int32), (count, 1))
    info = np.zeros(count, dtype=np.int32)
    matrices = np.arange(count)
    tiny = np.finfo(lu.dtype).tiny if lu.dtype.kind == "f" else np.finfo(np.float64).tiny
    with np.errstate(all="ignore"):  # inf and nan entries give nan, as LAPACK's, without numpy's warnings
        for j in range(k):
            if pivot:
                chosen = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)
                pivots[:, j] = chosen + 1
                row = lu[matrices, chosen].copy()
                lu[matrices, chosen] = lu[:, j]
                lu[:, j] = row
            diagonal = lu[:, j, j]
            zero = diagonal == 0
            info[(info == 0) & zero] = j + 1
            # LAPACK's getf2 scales the column by the pivot's reciprocal (computed once) unless the pivot is below
            # the smallest normal number, where 1/pivot would overflow; then it divides. Same rounding as torch's.
            scale = np.abs(diagonal) >= tiny
            column = lu[:, j + 1 :, j]
            reciprocal = 1 / np.where(scale, diagonal, 1)
            column[:] = np.where(
                scale[:, None], column * reciprocal[:, None], column / np.where(zero, 1, diagonal)[:, None]
            )
            lu[:, j + 1 :, j + 1 :] -= lu[:, j + 1 :, j, None] * lu[:, j, None, j + 1 :]
    return lu.reshape(a.shape), pivots.reshape((*batch, k)), info.reshape(batch)


def lu_info(a: np.ndarray) -> np.ndarray:
    """LAPACK's getrf info of each matrix of ``a`` (batch-shaped int32): 0, or the 1-based index of its LU's first
    zero pivot."""
    return _factor(a, True)[2]


def permutation_matrices(pivots: np.ndarray, m: int, dtype: Any) -> np.ndarray:
    """The m x m matrices P (of ``dtype``) of A = P L U from LAPACK's 1-based ``pivots`` (..., k)."""
    count, k = math.prod(pivots.shape[:-1]), pivots.shape[-1]
    swaps = pivots.reshape(count, k).astype(np.intp) - 1
    order = np.tile(np.arange(m), (count, 1))  # P^T A = A[order]
    matrices = np.arange(count)
    for i in range(k):
        target = swaps[:, i]
        row = order[matrices, target].copy()
        order[matrices, target] = order[:, i]
        order[:, i] = row
    transposed = order[:, :, None] == np.arange(m)
    return transposed.swapaxes(-1, -2).astype(dtype).reshape(pivots.shape[:-1] + (m, m))


def raise_for_info(op: str, info: np.ndarray, problem: Callable[[int], str]) -> None:
    """The LinAlgError (a RuntimeError, as torch's) for the first matrix whose ``info`` is not 0, naming ``op``, the
    matrix's place in the batch (flat, as torch counts it) and ``problem(its info)``; nothing if every info is 0."""
    failed = np.flatnonzero(info.reshape(-1))
    if failed.size:
        place = f"(batch element {failed[0]}) " if info.ndim else ""
        raise LinAlgError(f"{op}: {place}{problem(int(info.reshape(-1)[failed[0]]))}")


def _zero_pivot(j: int) -> str:
    return (
        f"U[{j},{j}] is zero (the matrix is singular), and lu_solve would divide by it; lu_factor_ex or lu factor "
        "it without raising"
    )


def _check_flag(op: str, name: str, value: Any) -> None:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{op}: {name} must be True or False, got {value!r}")


@takes_out("lu_factor_ex")
def lu_factor_ex(A: TensorLike, *, pivot: bool = True, check_errors: bool = False) -> LUFactorExResult:  # noqa: N803
    """torch.linalg.lu_factor_ex: ``(LU, pivots, info)`` of the (batched) m x n matrices A (see the module doc), info
    int32 of the batch shape: 0, or the 1-based index of the first zero pivot; ``check_errors`` raises a LinAlgError
    for a nonzero info instead. Differentiable in A (the packed factor's gradient is L's on the strict lower
    triangle and U's on the upper one; see :mod:`autograd.derivatives.linalg`)."""
    _check_flag("lu_factor_ex", "pivot", pivot)
    a = checked_matrices(A, "lu_factor_ex", square=False)
    data, pivots, info = _factor(a._data, bool(pivot))
    if check_errors:
        raise_for_info("lu_factor_ex", info, _zero_pivot)
    permutation = permutation_matrices(pivots, a.shape[-2], a.dtype)
    factor = Tensor._from_op(data, la.lu_factor, (a,), {"permutation": permutation})
    return LUFactorExResult(factor, Tensor(pivots), Tensor(info))


@takes_out("lu_factor")
def lu_factor(A: TensorLike, *, pivot: bool = True) -> LUFactorResult:  # noqa: N803 (torch's name)
    """torch.linalg.lu_factor: ``(LU, pivots)`` as :func:`lu_factor_ex`'s, and a LinAlgError (a RuntimeError, as
    torch's) for a singular matrix, one with a zero pivot, as torch raises."""
    factor, pivots, info = lu_factor_ex(A, pivot=pivot)
    raise_for_info("lu_factor", info._data, _zero_pivot)
    return LUFactorResult(factor, pivots)


def _unpacked(factor: Tensor) -> tuple[Tensor, Tensor]:
    """(L, U) of the packed factor (..., m, n): its strict lower triangle with ones on the diagonal (m x k) and its
    upper triangle (k x n)."""
    m, n = factor.shape[-2:]
    k = min(m, n)
    lower = factor[..., :, :k].tril(-1) + np.eye(m, k, dtype=factor.dtype)
    return lower, factor[..., :k, :].triu()


@takes_out("lu")
def lu(A: TensorLike, *, pivot: bool = True) -> LUResult:  # noqa: N803 (torch's name)
    """torch.linalg.lu: ``(P, L, U)`` with A = P L U for (batched) m x n matrices, P of A's dtype; a singular matrix
    is factored too (no error, as torch). L and U are differentiable in A (through :func:`lu_factor_ex`)."""
    _check_flag("lu", "pivot", pivot)
    factor, pivots, _ = lu_factor_ex(A, pivot=pivot)
    lower, upper = _unpacked(factor)
    return LUResult(Tensor(permutation_matrices(pivots._data, factor.shape[-2], factor.dtype)), lower, upper)


def _checked_pivots(pivots: Any, shape: tuple[int, ...], rows: int, op: str) -> np.ndarray:
    """``pivots`` as an int32 array of ``shape`` whose entries are row numbers 1 .. ``rows``: torch's checks, each a
    RuntimeError (and the library's TypeError or ValueError) naming ``op``."""
    data = np.asarray(pivots._data if isinstance(pivots, Tensor) else pivots)
    if data.dtype != np.int32:
        raise DtypeMismatchError(f"{op}: pivots must be int32, as lu_factor returns them, got {data.dtype}")
    if data.shape != shape:
        raise ShapeError(f"{op}: pivots of shape {data.shape} do not fit the LU factor: expected shape {shape}")
    if data.size and (data.min() < 1 or data.max() > rows):
        raise ArgumentRangeError(f"{op}: pivots must be between 1 and {rows}, as lu_factor returns them")
    return data


def lu_unpack(
    LU_data: TensorLike,  # noqa: N803 (torch's names)
    LU_pivots: Any,  # noqa: N803
    unpack_data: bool = True,
    unpack_pivots: bool = True,
) -> LUUnpackResult:
    """torch.lu_unpack: ``(P, L, U)`` from :func:`lu_factor`'s packed factor (..., m, n) and int32 pivots (..., k).
    Without ``unpack_data`` L and U, without ``unpack_pivots`` P, are empty (shape (0,)), as torch's. L and U are
    differentiable in ``LU_data`` (its strict lower and its upper triangle); any floating dtype, float16 too."""
    factor = LU_data if isinstance(LU_data, Tensor) else Tensor(LU_data)
    if factor.ndim < 2:
        raise ShapeError(f"lu_unpack: LU_data must be matrices (at least 2 dimensions), got shape {factor.shape}")
    if factor.dtype.kind != "f":
        factor = factor.astype(np.float64)
    m, n = factor.shape[-2:]
    pivots = _checked_pivots(LU_pivots, factor.shape[:-2] + (min(m, n),), m, "lu_unpack")
    empty = Tensor(np.zeros(0, dtype=factor.dtype))
    lower, upper = _unpacked(factor) if unpack_data else (empty, empty)
    permutation = Tensor(permutation_matrices(pivots, m, factor.dtype)) if unpack_pivots else empty
    return LUUnpackResult(permutation, lower, upper)


def lu_solve(
    LU: TensorLike,  # noqa: N803 (torch's names)
    pivots: Any,
    B: TensorLike,  # noqa: N803
    *,
    left: bool = True,
    adjoint: bool = False,
) -> Tensor:
    """torch.linalg.lu_solve: X with A X = B for A = P L U given by :func:`lu_factor` (``adjoint``: A^T X = B;
    ``left=False``: X A = B, or X A^T = B). B is (..., n, k) (k x n without ``left``); the batch axes of LU and B
    broadcast, pivots' are LU's. X = U^-1 L^-1 P^T B, two triangular solves reading LU's triangles: d/dB = A^-T g
    (lu_solve with the other ``adjoint``), and LU gets L's gradient on its strict lower triangle and U's on its
    upper one, as torch's rule. A zero pivot gives torch's IEEE infinities and nans (substitution, rows moved, not
    multiplied, by P)."""
    _check_flag("lu_solve", "left", left)
    _check_flag("lu_solve", "adjoint", adjoint)
    factor = checked_matrices(LU, "lu_solve")
    rhs = B if isinstance(B, Tensor) else Tensor(np.asarray(B))
    if rhs.ndim < 2:
        raise ShapeError(f"lu_solve: B must be matrices (at least 2 dimensions), got shape {rhs.shape}")
    if rhs.dtype != factor.dtype:
        raise DtypeMismatchError(f"lu_solve: LU and B must have the same dtype, got {factor.dtype} and {rhs.dtype}")
    n = factor.shape[-1]
    if rhs.shape[-2 if left else -1] != n:
        equation = "A X = B" if left else "X A = B"
        raise ShapeError(f"lu_solve: shapes of LU {factor.shape} and B {rhs.shape} do not fit {equation}")
    try:
        np.broadcast_shapes(factor.shape[:-2], rhs.shape[:-2])
    except ValueError:
        raise ShapeError(f"lu_solve: batch shapes of LU {factor.shape} and B {rhs.shape} do not broadcast") from None
    permutation = permutation_matrices(_checked_pivots(pivots, factor.shape[:-1], n, "lu_solve"), n, factor.dtype)
    if not left:  # X A = B is A^T X^T = B^T (and X A^T = B is A X^T = B^T)
        return _lu_solve_left(factor, permutation, rhs.mT, not adjoint).mT
    return _lu_solve_left(factor, permutation, rhs, adjoint)


def _lu_solve_left(factor: Tensor, permutation: np.ndarray, rhs: Tensor, adjoint: bool) -> Tensor:
    """A^-1 B = U^-1 L^-1 P^T B, or with ``adjoint`` A^-T B = P L^-T U^-T B."""
    if adjoint:
        y = rhs.triangular_solve(factor, upper=True, transpose=True).solution  # U^-T B
        y = y.triangular_solve(factor, upper=False, transpose=True, unitriangular=True).solution  # L^-T U^-T B
        return _rows_permuted(permutation, y)
    y = _rows_permuted(permutation.swapaxes(-1, -2), rhs)  # P^T B
    y = y.triangular_solve(factor, upper=False, unitriangular=True).solution  # L^-1 P^T B
    return y.triangular_solve(factor, upper=True).solution


def _rows_permuted(permutation: np.ndarray, x: Tensor) -> Tensor:
    """The product ``permutation @ x`` (batch axes broadcast) taken as a reordering of x's rows, as LAPACK's row
    swaps do it: a product would make 0 * inf a nan in every row where x holds an infinity (a zero pivot's)."""
    if permutation.shape[-1] == 0:  # no rows to move
        return x.broadcast_to(np.broadcast_shapes(permutation.shape[:-2], x.shape[:-2]) + x.shape[-2:]) * 1
    rows = np.argmax(permutation, axis=-1)[..., None]  # row i of the product is row rows[i] of x
    batch = np.broadcast_shapes(rows.shape[:-2], x.shape[:-2])
    index = np.broadcast_to(rows, batch + (x.shape[-2], x.shape[-1]))
    return x.broadcast_to(batch + x.shape[-2:]).take_along_dim(Tensor(index.astype(np.int64)), dim=-2)
