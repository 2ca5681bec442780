"""Differentiable linear algebra on Tensors, with numpy.linalg's names and batching rules.

``inv``, ``solve``, ``det``, ``slogdet`` and ``cholesky`` are primitives (their derivatives are in
:mod:`autograd.derivatives.linalg`); ``norm`` and ``pinv`` are composites of other ops; the
decompositions ``svd``, ``svdvals``, ``eigh``, ``eigvalsh`` and ``qr`` come from
:mod:`autograd.decompositions`. Every function takes square matrices in the last two axes (any
leading batch axes) unless stated.

The normal equations of least squares, differentiated end to end::

    w = solve(X.T @ X, X.T @ y)          # argmin |X w - y|^2
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import shared_math
from .decompositions import EighResult, QRResult, SVDResult, eigh, eigvalsh, qr, svd, svdvals
from .derivatives import linalg as la
from .tensor import Tensor, TensorLike, _operand

__all__ = [
    "EighResult", "QRResult", "SVDResult", "cholesky", "det", "eigh", "eigvalsh", "inv", "norm", "pinv", "qr",
    "slogdet", "solve", "svd", "svdvals",
]  # fmt: skip


def _matrices(a: TensorLike, op: str, square: bool = True) -> Tensor:
    """``a`` as a floating-point Tensor of (batched) matrices; ValueError naming ``op`` and the shape otherwise."""
    a = a if isinstance(a, Tensor) else Tensor(a)
    if a.dtype.kind != "f":
        a = a.astype(np.float64)
    if a.ndim < 2 or (square and a.shape[-1] != a.shape[-2]):
        kind = "square matrices" if square else "matrices"
        raise ValueError(f"{op}: expected {kind} in the last two axes, got shape {a.shape}")
    return a


def _singular(op: str, a: Tensor) -> ValueError:
    return ValueError(f"{op}: the matrix is singular (shape {a.shape})")


def inv(a: TensorLike) -> Tensor:
    """The inverse A^-1; d/dA: -A^-T g A^-T."""
    a = _matrices(a, "inv")
    try:
        data = np.linalg.inv(a.data)
    except np.linalg.LinAlgError:
        raise _singular("inv", a) from None
    return Tensor._from_op(data, la.inv, (a,))


def solve(a: TensorLike, b: TensorLike) -> Tensor:
    """X with A X = B: B is a vector (n,) for a single A (n, n), else matrices (..., n, k).

    d/dB = A^-T g, d/dA = -(A^-T g) X^T.
    """
    a = _matrices(a, "solve")
    b = _operand(b, a.data)
    n = a.shape[-1]
    vector = b.ndim == 1 and a.ndim == 2
    if (b.shape[-1] != n) if vector else (b.ndim < 2 or b.shape[-2] != n):
        raise ValueError(
            f"solve: b must be a vector ({n},) for a single matrix, or matrices (..., {n}, k); got a of shape "
            f"{a.shape} and b of shape {b.shape}"
        )
    try:
        data = np.linalg.solve(a.data, b.data)
    except np.linalg.LinAlgError:
        raise _singular("solve", a) from None
    except ValueError:
        raise ValueError(f"solve: batch shapes of a {a.shape} and b {b.shape} do not broadcast") from None
    return Tensor._from_op(data, la.solve, (a, b))


def det(a: TensorLike) -> Tensor:
    """The determinant; d/dA = g det(A) A^-T (A must be invertible for the gradient)."""
    a = _matrices(a, "det")
    return Tensor._from_op(np.asarray(np.linalg.det(a.data)), la.det, (a,))


def slogdet(a: TensorLike) -> tuple[np.ndarray, Tensor]:
    """(sign, log|det A|) as numpy: the sign is a plain array (no gradient); d log|det A| / dA = A^-T."""
    a = _matrices(a, "slogdet")
    sign, logabsdet = np.linalg.slogdet(a.data)
    return np.asarray(sign), Tensor._from_op(np.asarray(logabsdet), la.slogdet, (a,))


def cholesky(a: TensorLike) -> Tensor:
    """The lower-triangular L with A = L L^T for symmetric positive-definite A (only its lower triangle is
    read, as numpy); the gradient is symmetric (see :mod:`autograd.derivatives.linalg`)."""
    a = _matrices(a, "cholesky")
    try:
        data = np.linalg.cholesky(a.data)
    except np.linalg.LinAlgError:
        raise ValueError(f"cholesky: the matrix is not positive definite (shape {a.shape})") from None
    return Tensor._from_op(data, la.cholesky, (a,))


def pinv(a: TensorLike) -> Tensor:
    """The Moore-Penrose pseudo-inverse of a full-rank matrix: (A^T A)^-1 A^T when tall, A^T (A A^T)^-1 when
    wide, so it is differentiated through ``inv``. Rank-deficient matrices are an error."""
    a = _matrices(a, "pinv", square=False)
    rows, columns = a.shape[-2:]
    if np.any(np.linalg.matrix_rank(a.data) < min(rows, columns)):
        raise ValueError(f"pinv: only full-rank matrices are supported, got a rank-deficient one of shape {a.shape}")
    at = a.swapaxes(-1, -2)
    return inv(at @ a) @ at if rows >= columns else at @ inv(a @ at)


def norm(x: TensorLike, ord: Any = None, axis: int | tuple[int, int] | None = None, keepdims: bool = False) -> Tensor:
    """Vector and matrix norms as numpy.linalg.norm for ord None (2-norm, Frobenius), 'fro', 1, 2 (vectors),
    inf and -inf (vectors); other orders are an error.

    d/dx |x|_2 = x / |x|_2, taken as 0 at x = 0 (as torch); d|x|_1 = sign(x); inf: the largest |x_i|
    (ties split evenly).
    """
    x = x if isinstance(x, Tensor) else Tensor(x)
    if x.dtype.kind != "f":
        x = x.astype(np.float64)
    axes = tuple(range(x.ndim)) if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
    matrix = len(axes) == 2
    if ord in (None, "fro") and (matrix or axis is None or ord is None):
        squares = (x * x).sum(axis=axes, keepdims=keepdims)
        zero = np.asarray(squares.data == 0)  # sqrt is only differentiated where the norm is positive
        return shared_math.where(zero, 0.0, shared_math.where(zero, 1.0, squares).sqrt())
    if not matrix and ord == 2:
        return norm(x, None, axis, keepdims)
    if not matrix and ord == 1:
        return x.abs().sum(axis=axes, keepdims=keepdims)
    if not matrix and ord in (np.inf, -np.inf):
        magnitudes = x.abs()
        return magnitudes.max(axes, keepdims) if ord > 0 else magnitudes.min(axes, keepdims)
    raise ValueError(f"norm: ord={ord!r} is not supported for {'matrix' if matrix else 'vector'} norms")
