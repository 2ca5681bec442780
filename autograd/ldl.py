"""The LDL^T factorisation of symmetric (possibly indefinite) matrices, as torch.linalg's ``ldl_factor``,
``ldl_factor_ex`` and ``ldl_solve``.

A = P L D L^T P^T with Bunch-Kaufman diagonal pivoting, in the compact form of LAPACK's ``sytrf`` with the lower
triangle (torch's layout): ``LD`` holds D's 1 x 1 and 2 x 2 diagonal blocks on and just below its diagonal and the
multipliers of L below them (its strict upper triangle is zero), and ``pivots`` (int32, 1-based) say, for a 1 x 1
step k, that rows and columns k and pivots[k] were swapped, and for a 2 x 2 step over k, k + 1 (both entries
negative, -p) that k + 1 and p were. Only A's lower triangle is read. ``info`` is 0, or k + 1 for the first
exactly zero 1 x 1 pivot D[k, k] (A is singular; the factorisation goes on past it, as LAPACK's does).
Only real matrices (no complex dtype here), so ``hermitian`` changes nothing, as torch's for real input.
No gradients, as torch's (its derivatives of these are not implemented): the results are constants.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np

from .decompositions import LinAlgError, checked_matrices
from .out_argument import takes_out
from .shape_errors import ShapeError
from .tensor import Tensor, TensorLike

__all__ = ["LDLFactorExResult", "LDLFactorResult", "ldl_factor", "ldl_factor_ex", "ldl_solve"]

_ALPHA = (1 + math.sqrt(17)) / 8  # Bunch-Kaufman's threshold, LAPACK's


class LDLFactorResult(NamedTuple):
    LD: Tensor
    pivots: Tensor


class LDLFactorExResult(NamedTuple):
    LD: Tensor
    pivots: Tensor
    info: Tensor


def _swap(x: np.ndarray, i: Any, j: Any) -> None:
    x[i], x[j] = x[j].copy(), x[i].copy()


def _factor_one(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """LAPACK's unblocked ``sytf2`` (lower) of one matrix: the compact LD, the pivots and info."""
    a = np.tril(a)
    n = a.shape[0]
    pivots = np.zeros(n, dtype=np.int32)
    info, k = 0, 0
    while k < n:
        step, absakk = 1, abs(a[k, k])
        imax = k + 1 + int(np.argmax(np.abs(a[k + 1 :, k]))) if k < n - 1 else k
        colmax = abs(a[imax, k]) if k < n - 1 else 0.0
        if np.fmax(absakk, colmax) == 0:  # Fortran's MAX, which passes over a NaN, as torch's LAPACK
            info = info or k + 1
            chosen = k
        elif absakk >= _ALPHA * colmax:
            chosen = k
        else:
            rowmax = float(np.max(np.abs(a[imax, k:imax])))
            if imax < n - 1:
                rowmax = max(rowmax, float(np.max(np.abs(a[imax + 1 :, imax]))))
            if absakk >= _ALPHA * colmax * (colmax / rowmax):
                chosen = k
            elif abs(a[imax, imax]) >= _ALPHA * rowmax:
                chosen = imax
            else:
                chosen, step = imax, 2
        kk = k + step - 1
        if chosen != kk:  # swap rows and columns kk and chosen of the trailing (lower) submatrix
            a[chosen + 1 :, kk], a[chosen + 1 :, chosen] = a[chosen + 1 :, chosen].copy(), a[chosen + 1 :, kk].copy()
            segment = a[kk + 1 : chosen, kk].copy()
            a[kk + 1 : chosen, kk] = a[chosen, kk + 1 : chosen]
            a[chosen, kk + 1 : chosen] = segment
            a[kk, kk], a[chosen, chosen] = a[chosen, chosen], a[kk, kk]
            if step == 2:
                a[k + 1, k], a[chosen, k] = a[chosen, k], a[k + 1, k]
        if step == 1:
            if k < n - 1 and a[k, k] != 0:
                d11 = 1 / a[k, k]
                x = a[k + 1 :, k].copy()
                a[k + 1 :, k + 1 :] -= np.tril(np.outer(x, d11 * x))
                a[k + 1 :, k] = d11 * x
            pivots[k] = chosen + 1
        else:
            if k < n - 2:
                d21 = a[k + 1, k]
                d11, d22 = a[k + 1, k + 1] / d21, a[k, k] / d21
                d21 = (1 / (d11 * d22 - 1)) / d21
                wk = d21 * (d11 * a[k + 2 :, k] - a[k + 2 :, k + 1])
                wkp1 = d21 * (d22 * a[k + 2 :, k + 1] - a[k + 2 :, k])
                a[k + 2 :, k + 2 :] -= np.tril(np.outer(a[k + 2 :, k], wk) + np.outer(a[k + 2 :, k + 1], wkp1))
                a[k + 2 :, k], a[k + 2 :, k + 1] = wk, wkp1
            pivots[k] = pivots[k + 1] = -(chosen + 1)
        k += step
    return a, pivots, info


@takes_out("ldl_factor_ex")
def ldl_factor_ex(
    A: TensorLike,  # noqa: N803 (torch's name)
    *,
    hermitian: bool = False,
    check_errors: bool = False,
) -> LDLFactorExResult:
    """``(LD, pivots, info)`` of A (..., n, n), as torch.linalg.ldl_factor_ex (see the module's docstring);
    ``check_errors=True`` raises a LinAlgError for a nonzero info, as ``ldl_factor``."""
    a = checked_matrices(A, "ldl_factor_ex")
    data = a.numpy()
    n = data.shape[-1]
    flat = data.reshape(math.prod(data.shape[:-2]), n, n)
    ld, pivots = np.zeros_like(flat), np.zeros((flat.shape[0], n), dtype=np.int32)
    info = np.zeros(flat.shape[0], dtype=np.int32)
    with np.errstate(all="ignore"):
        for index, matrix in enumerate(flat):
            ld[index], pivots[index], info[index] = _factor_one(matrix.copy())
    if check_errors:
        _raise_for_info("ldl_factor_ex", info, data.ndim > 2)
    batch = data.shape[:-2]
    return LDLFactorExResult(
        Tensor(ld.reshape(data.shape)), Tensor(pivots.reshape(batch + (n,))), Tensor(info.reshape(batch))
    )


def _raise_for_info(op: str, info: np.ndarray, batched: bool) -> None:
    failed = np.flatnonzero(info)
    if failed.size:
        place = f"(batch element {failed[0]}) " if batched else ""
        k = int(info[failed[0]])
        raise LinAlgError(
            f"{op}: {place}the factorization could not be completed because the input is not invertible: D[{k - 1},"
            f" {k - 1}] is exactly zero; ldl_factor_ex returns the factors without raising"
        )


@takes_out("ldl_factor")
def ldl_factor(A: TensorLike, *, hermitian: bool = False) -> LDLFactorResult:  # noqa: N803
    """``(LD, pivots)`` of A (..., n, n), as torch.linalg.ldl_factor: a LinAlgError for a singular A (an exactly
    zero pivot), whose factors :func:`ldl_factor_ex` gives without raising."""
    ld, pivots, info = ldl_factor_ex(A, hermitian=hermitian)
    _raise_for_info("ldl_factor", info.numpy().reshape(-1), ld.ndim > 2)
    return LDLFactorResult(ld, pivots)


def _solve_one(ld: np.ndarray, pivots: np.ndarray, b: np.ndarray) -> np.ndarray:
    """LAPACK's ``sytrs`` (lower): X with A X = B from A's compact factorisation."""
    n, b = ld.shape[0], b.copy()
    k = 0
    while k < n:  # L D Y = P^T B, forwards
        if pivots[k] > 0:
            _swap(b, k, pivots[k] - 1)
            b[k + 1 :] -= np.outer(ld[k + 1 :, k], b[k])
            b[k] /= ld[k, k]
            k += 1
        else:
            _swap(b, k + 1, -pivots[k] - 1)
            b[k + 2 :] -= np.outer(ld[k + 2 :, k], b[k]) + np.outer(ld[k + 2 :, k + 1], b[k + 1])
            akm1k = ld[k + 1, k]
            akm1, ak = ld[k, k] / akm1k, ld[k + 1, k + 1] / akm1k
            denom = akm1 * ak - 1
            bkm1, bk = b[k] / akm1k, b[k + 1] / akm1k
            b[k], b[k + 1] = (ak * bkm1 - bk) / denom, (akm1 * bk - bkm1) / denom
            k += 2
    k = n - 1
    while k >= 0:  # L^T P^T X = Y, backwards
        if pivots[k] > 0:
            b[k] -= ld[k + 1 :, k] @ b[k + 1 :]
            _swap(b, k, pivots[k] - 1)
            k -= 1
        else:
            b[k] -= ld[k + 1 :, k] @ b[k + 1 :]
            b[k - 1] -= ld[k + 1 :, k - 1] @ b[k + 1 :]
            _swap(b, k, -pivots[k] - 1)
            k -= 2
    return b


@takes_out("ldl_solve")
def ldl_solve(
    LD: TensorLike,  # noqa: N803 (torch's names)
    pivots: TensorLike,
    B: TensorLike,  # noqa: N803
    *,
    hermitian: bool = False,
) -> Tensor:
    """X (..., n, k) with A X = B from :func:`ldl_factor`'s ``LD`` and ``pivots`` of A, as torch.linalg.ldl_solve:
    B is (..., n, k) (a matrix, as torch's), the batch axes of LD and B broadcast. No gradient."""
    ld = checked_matrices(LD, "ldl_solve").numpy()
    piv = np.asarray(pivots.numpy() if isinstance(pivots, Tensor) else pivots)
    b = np.asarray(B.numpy() if isinstance(B, Tensor) else B)
    n = ld.shape[-1]
    if piv.dtype.kind not in "iu" or piv.shape != ld.shape[:-1]:
        raise ShapeError(f"ldl_solve: pivots must be integers of shape {ld.shape[:-1]}, got {piv.dtype} {piv.shape}")
    if b.ndim < 2 or b.shape[-2] != n:
        raise ShapeError(f"ldl_solve: B must be of shape (*, {n}, k) to match LD of shape {ld.shape}, got {b.shape}")
    if b.dtype != ld.dtype:
        raise TypeError(f"ldl_solve: B's dtype {b.dtype} differs from LD's {ld.dtype}, as torch refuses")
    try:
        batch = np.broadcast_shapes(ld.shape[:-2], b.shape[:-2])
    except ValueError:
        raise ShapeError(f"ldl_solve: batch shapes of LD {ld.shape} and B {b.shape} do not broadcast") from None
    count = math.prod(batch)
    lds = np.broadcast_to(ld, batch + ld.shape[-2:]).reshape(count, n, n)
    pivs = np.broadcast_to(piv, batch + piv.shape[-1:]).reshape(count, n)
    bs = np.broadcast_to(b, batch + b.shape[-2:]).reshape(count, *b.shape[-2:])
    with np.errstate(all="ignore"):
        x = np.stack([_solve_one(*args) for args in zip(lds, pivs, bs)]) if bs.shape[0] else bs.copy()
    return Tensor(x.reshape(batch + b.shape[-2:]))
