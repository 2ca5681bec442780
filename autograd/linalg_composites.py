"""torch.linalg's functions that are composites of recorded ops: ``tensorinv``, ``tensorsolve``, ``diagonal``,
``vander`` and ``householder_product``. Each gradient follows from the ops it is made of (reshapes, ``inv`` and
``solve`` reached through numpy's protocol so the imports stay one-way, products, ``cumprod``, ``tril``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .broadcasting import single_axis
from .contractions import diagonal as _diagonal
from .decompositions import checked_matrices
from .derivatives import elementwise as ew
from .out_argument import takes_out
from .shape_errors import ArgumentRangeError, DtypeKernelError, DtypeMismatchError, ShapeError, require_integer
from .tensor import Tensor, TensorLike
from .tensor_functions import concatenate
from .torch_keywords import torch_keyword_names

__all__ = ["diagonal", "householder_product", "tensorinv", "tensorsolve", "vander"]


def _tensor(x: TensorLike) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


@takes_out("tensorinv")
@torch_keyword_names(input="A")
def tensorinv(A: TensorLike, ind: int = 2) -> Tensor:  # noqa: N803 (torch's name)
    """torch.linalg.tensorinv: the inverse of A read as a matrix whose rows are A's first ``ind`` axes, of shape
    A.shape[ind:] + A.shape[:ind] (so tensordot(tensorinv(A), A, ind) is the identity); its gradient is inv's.
    prod(A.shape[:ind]) must equal prod(A.shape[ind:])."""
    a = _tensor(A)
    require_integer("tensorinv", "ind", ind)
    if ind <= 0:
        raise ArgumentRangeError(f"tensorinv: ind must be a positive integer, got {ind}")
    rows, columns = math.prod(a.shape[:ind]), math.prod(a.shape[ind:])
    if rows != columns:
        raise ShapeError(
            f"tensorinv: A of shape {a.shape} must satisfy prod(A.shape[ind:]) == prod(A.shape[:ind]) for ind={ind}, "
            f"got {columns} != {rows}"
        )
    matrix = checked_matrices(a.reshape(rows, columns), "tensorinv")
    return np.linalg.inv(matrix).reshape(a.shape[ind:] + a.shape[:ind])


@takes_out("tensorsolve")
@torch_keyword_names(input="A", other="B")
def tensorsolve(A: TensorLike, B: TensorLike, dims: Sequence[int] | None = None) -> Tensor:  # noqa: N803
    """torch.linalg.tensorsolve: X with tensordot(A, X, X.ndim) = B, X of shape A.shape[B.ndim:] (the axes ``dims``
    of A moved to the end first, in that order); solve on A read as a square matrix, so its gradient is solve's.
    prod(A.shape[B.ndim:]) must equal prod(A.shape[:B.ndim]), and B must have that many entries."""
    a, b = _tensor(A), _tensor(B)
    if dims is not None:
        moved = [single_axis(axis, a.ndim, "tensorsolve") for axis in dims]
        a = a.transpose(tuple([axis for axis in range(a.ndim) if axis not in moved] + moved))
    unknown = a.shape[b.ndim :]
    count = math.prod(unknown)
    if count != math.prod(a.shape[: b.ndim]) or b.size != count:
        raise ShapeError(
            f"tensorsolve: A of shape {a.shape} must satisfy prod(A.shape[B.ndim:]) == prod(A.shape[:B.ndim]) == "
            f"B.numel() for B of shape {b.shape}"
        )
    matrix = checked_matrices(a.reshape(count, count), "tensorsolve")
    return np.linalg.solve(matrix, b.reshape(count)).reshape(unknown)


def diagonal(A: TensorLike, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: N803
    """torch.linalg.diagonal: the ``offset`` diagonal of the matrices in axes (dim1, dim2), the last two by default
    (torch.diagonal's are the first two), as a new last axis; the gradient puts g back on that diagonal."""
    return _diagonal(A, offset, dim1, dim2)


def vander(x: TensorLike, *, N: int | None = None) -> Tensor:  # noqa: N803 (torch's name)
    """torch.linalg.vander: the Vandermonde matrices of the vectors x (..., n), of shape (..., n, N), with increasing
    powers x^0, x^1, ..., x^(N-1) (N = n by default; N > 1, as torch). The powers are running products of x, so
    d/dx_i = sum_k k x_i^(k-1) g_ik, at x = 0 too. Integers give exact powers (wrapping around on overflow, as
    torch's) without gradient; bool and float16 are refused, as torch refuses them. A number x is the vector (x,),
    as torch's."""
    x = _tensor(x)
    x = x.reshape(1) if x.ndim == 0 else x  # a number is a vector of one, as torch reads it
    if x.dtype.kind == "b" or x.dtype == np.float16:
        raise DtypeKernelError(f"vander: supports floating and integer tensors except float16, got {x.dtype}")
    columns = x.shape[-1] if N is None else N
    require_integer("vander", "N", columns)
    if columns <= 1:
        raise ArgumentRangeError(f"vander: N must be greater than 1, got {columns} (x of shape {x.shape})")
    repeated = x[..., None].broadcast_to(x.shape + (columns - 1,))
    if x.dtype.kind != "f":
        with np.errstate(over="ignore"):
            powers = np.cumprod(repeated._data, axis=-1, dtype=x.dtype)
        return Tensor._from_array(np.concatenate([np.ones(x.shape + (1,), x.dtype), powers], axis=-1), False)
    ones = Tensor(np.ones(x.shape + (1,), dtype=x.dtype))
    return concatenate([ones, repeated.cumprod(axis=-1)], axis=-1)


@takes_out("householder_product")
@torch_keyword_names(input="A")
def householder_product(A: TensorLike, tau: TensorLike) -> Tensor:  # noqa: N803 (torch's name)
    """torch.linalg.householder_product: the first n columns of H_1 H_2 ... H_k for A (..., m, n), m >= n, and tau
    (..., k), k <= n, with H_i = I - tau_i v_i v_i^T and v_i column i of A below the diagonal, 1 on it and 0 above
    (the reflectors LAPACK's geqrf stores; A's upper triangle is not read). Applied to I's first n columns from H_k
    on, Q <- Q - tau_i v_i (v_i^T Q): products and ``tril``, so differentiable in A (below the diagonal) and tau."""
    a = checked_matrices(A, "householder_product", square=False)
    tau = _tensor(tau)
    m, n = a.shape[-2:]
    if tau.dtype != a.dtype:
        raise DtypeMismatchError(f"householder_product: tau's dtype {tau.dtype} does not match A's {a.dtype}")
    if m < n:
        raise ShapeError(f"householder_product: A must have at least as many rows as columns, got shape {a.shape}")
    if tau.ndim != a.ndim - 1 or tau.shape[:-1] != a.shape[:-2]:
        raise ShapeError(
            f"householder_product: tau must have A's batch shape and one more axis, got A {a.shape} and tau {tau.shape}"
        )
    if tau.shape[-1] > n:
        raise ShapeError(
            f"householder_product: tau may hold at most {n} scalars (A of shape {a.shape}), got {tau.shape}"
        )
    reflectors = a.tril(-1) + np.eye(m, n, dtype=a.dtype)
    # I's first n columns, in A's graph with derivative 0 (no reflector: the result is that, connected to A as torch's)
    q: Any = Tensor._from_op(np.broadcast_to(np.eye(m, n, dtype=a.dtype), a.shape).copy(), ew.locally_constant, (a,))
    for i in reversed(range(tau.shape[-1])):
        v = reflectors[..., :, i : i + 1]
        q = q - v @ (tau[..., i : i + 1, None] * (v.mT @ q))
    return q
