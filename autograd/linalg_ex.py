"""torch.linalg's ``solve_ex``, ``inv_ex`` and ``cholesky_ex``: the library's ``solve``, ``inv`` and ``cholesky``
with LAPACK's info code of each matrix (int32, of the batch shape) in place of the error, unless ``check_errors``.

info is 0 for a matrix that was solved (factored), else, as torch's: for solve_ex and inv_ex the 1-based index of
the first zero pivot of the LU factorisation (:func:`autograd.lu.lu_factor_ex`'s info), for cholesky_ex the order
of the first leading minor that is not positive-definite (from numpy's LAPACK, the one that factors the rest). The
result of a matrix with a nonzero info is nan (torch leaves it unspecified: partial factors, inf); the others are
the library's results, differentiable as theirs (a failed matrix gets gradient 0). The three are reached through
numpy's protocol (``np.linalg.solve`` on Tensors), so the imports stay one-way.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .decompositions import checked_matrices
from .lu import lu_factor_ex, lu_info, lu_solve, raise_for_info
from .out_argument import takes_out
from .shape_errors import ShapeError
from .tensor import Tensor, TensorLike, _operand, where
from .torch_keywords import torch_keyword_names

__all__ = ["CholeskyExResult", "InvExResult", "SolveExResult", "cholesky_ex", "inv_ex", "solve_ex"]


class SolveExResult(NamedTuple):
    """torch.linalg.solve_ex's result: the solution and LAPACK's info code."""

    result: Tensor
    info: Tensor


class InvExResult(NamedTuple):
    """torch.linalg.inv_ex's result: the inverse and LAPACK's info code."""

    inverse: Tensor
    info: Tensor


class CholeskyExResult(NamedTuple):
    """torch.linalg.cholesky_ex's result: the Cholesky factor and LAPACK's info code."""

    L: Tensor
    info: Tensor


def _solvable(a: Tensor, ok: np.ndarray) -> Tensor:
    """``a`` with the identity in place of each matrix whose ``ok`` is False (recorded: those get gradient 0)."""
    if ok.all():
        return a
    return where(ok[..., None, None], a, np.eye(a.shape[-1], dtype=a.dtype))


def _masked(result: Tensor, ok: np.ndarray, trailing: int) -> Tensor:
    """``result`` with nan in the results (of ``trailing`` axes) of the matrices whose ``ok`` is False."""
    if ok.all():
        return result
    return where(ok.reshape(ok.shape + (1,) * trailing), result, np.nan)


def _vectors(a: Tensor, b: Tensor) -> bool:
    """Whether solve reads ``b`` as vectors: one vector, or a batch of them of a's batch shape (torch's rule)."""
    return b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])


def _solved(a: Tensor, b: Tensor, left: bool) -> Tensor:
    """The library's solve of A X = B (``left=False``: X A = B); where numpy's LAPACK finds a zero pivot that
    :func:`lu_factor_ex` did not (their roundings differ at a nearly singular matrix), by :func:`lu_solve`, so
    the result agrees with the info reported. With ``left=False`` B must be matrices, as torch's."""
    if not left and _vectors(a, b):  # torch reads the vectors as n x 1 columns, which do not fit X A = B
        n = a.shape[-1]
        raise ShapeError(
            f"solve_ex: Incompatible shapes of A and B for the equation XA = B ({n}x{n} and {b.shape[-1]}x1): with "
            f"left=False B must be matrices (..., k, {n}), got A of shape {a.shape} and B of shape {b.shape}"
        )
    try:
        return np.linalg.solve(a, b) if left else np.linalg.solve(a.mT, b.mT).mT
    except np.linalg.LinAlgError:
        factor, pivots, _ = lu_factor_ex(a)
        if _vectors(a, b):
            return lu_solve(factor, pivots, b[..., None], adjoint=not left)[..., 0]
        return lu_solve(factor, pivots, b, left=left)


def _singular(j: int) -> str:
    return f"the solver failed because the input matrix is singular (U[{j},{j}] of its LU is zero)"


@takes_out("solve_ex")
def solve_ex(A: TensorLike, B: TensorLike, *, left: bool = True, check_errors: bool = False) -> SolveExResult:  # noqa: N803
    """torch.linalg.solve_ex: ``(result, info)``, the solution of :func:`autograd.linalg.solve` (``left`` as its)
    and info (module doc); ``check_errors`` raises a LinAlgError for a singular matrix instead."""
    a = checked_matrices(A, "solve_ex")
    b = _operand(B, a._data)
    info = lu_info(a._data)
    if check_errors:
        raise_for_info("solve_ex", info, _singular)
    ok = info == 0
    result = _solved(_solvable(a, ok), b, left)
    return SolveExResult(_masked(result, ok, 1 if _vectors(a, b) else 2), Tensor(info))


@takes_out("inv_ex")
def inv_ex(A: TensorLike, *, check_errors: bool = False) -> InvExResult:  # noqa: N803 (torch's name)
    """torch.linalg.inv_ex: ``(inverse, info)``, :func:`autograd.linalg.inv`'s inverse and info (module doc);
    ``check_errors`` raises a LinAlgError for a singular matrix instead."""
    a = checked_matrices(A, "inv_ex")
    info = lu_info(a._data)
    if check_errors:
        raise_for_info("inv_ex", info, lambda j: f"the diagonal element {j} is zero: the matrix is singular")
    ok = info == 0
    safe = _solvable(a, ok)
    try:
        inverse = np.linalg.inv(safe)
    except np.linalg.LinAlgError:  # (numpy's rounding finds a zero pivot ours did not: see _solved)
        inverse = _solved(safe, Tensor(np.eye(a.shape[-1], dtype=a.dtype)), True)
    return InvExResult(_masked(inverse, ok, 2), Tensor(info))


def _fails(matrix: np.ndarray) -> bool:
    """Whether LAPACK's potrf stops at some leading minor of ``matrix`` (or of each of a batch): numpy refuses it
    (not positive-definite), or its factor has nan on the diagonal (a nan entry, which potrf reports and numpy's
    factorisation carries through)."""
    try:
        factor = np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        return True
    return bool(np.isnan(np.diagonal(factor, axis1=-2, axis2=-1)).any())


def cholesky_info(a: np.ndarray) -> np.ndarray:
    """LAPACK's potrf info of each matrix of ``a`` (lower triangle read; batch-shaped int32): 0, or the order of
    its first leading minor that is not positive-definite (or whose factor is nan), found by bisection (a leading
    minor's factor is the leading block of the whole one, so the minors fail from some order on)."""
    n = a.shape[-1]
    matrices = a.reshape((math.prod(a.shape[:-2]), n, n))
    info = np.zeros(matrices.shape[0], dtype=np.int32)
    if matrices.shape[0] and _fails(matrices):
        for index, matrix in enumerate(matrices):
            if _fails(matrix):
                good, bad = 0, n  # the minor of order `good` factors, that of order `bad` does not
                while bad - good > 1:
                    middle = (good + bad) // 2
                    good, bad = (good, middle) if _fails(matrix[:middle, :middle]) else (middle, bad)
                info[index] = bad
    return info.reshape(a.shape[:-2])


@takes_out("cholesky_ex")
@torch_keyword_names(input="A")
def cholesky_ex(A: TensorLike, *, upper: bool = False, check_errors: bool = False) -> CholeskyExResult:  # noqa: N803
    """torch.linalg.cholesky_ex: ``(L, info)``, :func:`autograd.linalg.cholesky`'s factor (``upper``: U with
    A = U^T U, read from A's upper triangle) and info (module doc); ``check_errors`` raises a LinAlgError for a
    matrix that is not positive-definite instead."""
    a = checked_matrices(A, "cholesky_ex")
    read = a.mT if upper else a
    info = cholesky_info(read._data)
    if check_errors:
        raise_for_info(
            "cholesky_ex",
            info,
            lambda j: f"the input is not positive-definite (the leading minor of order {j} is not positive-definite)",
        )
    ok = info == 0
    factor = np.linalg.cholesky(_solvable(read, ok))
    return CholeskyExResult(_masked(factor.mT if upper else factor, ok, 2), Tensor(info))
