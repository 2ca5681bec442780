"""torch's Tensor linear-algebra methods beyond those of :mod:`autograd.torch_math_names`: composites of recorded ops.

``matrix_exp``, ``cholesky_solve``, ``cholesky_inverse`` and ``triangular_solve`` are built from matrix products and
:mod:`autograd.linalg`'s ``solve`` and ``inv`` (reached through numpy's protocol, ``np.linalg.solve`` on Tensors, so
imports stay one-way), so their gradients are those ops' and can be differentiated again; ``svd`` and ``qr`` are
:mod:`autograd.decompositions`' (reached the same way).

Deliberate differences from torch: ``cholesky_solve`` and ``cholesky_inverse`` read only the factor's triangle, as
torch's values do, and so give 0 gradient to the other triangle (torch's formula differentiates the whole matrix).
"""

from __future__ import annotations

from typing import Any, NamedTuple, TypeVar

import numpy as np

from . import shared_math
from .accumulation import float16_via_float32
from .array_methods import array_function
from .core import Node
from .quiet import quiet, quietly
from .shape_errors import ShapeError

__all__ = ["QR", "SVD", "SolutionAndCoefficient", "TorchLinalgNames"]

Self = TypeVar("Self", bound="TorchLinalgNames")  # the Tensor a method is called on

#: The coefficients b_0 .. b_13 of the [13/13] Pade approximant of e^x, and the 1-norm up to which it gives e^A to
#: float64 precision (Higham, "The scaling and squaring method for the matrix exponential revisited", 2005).
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0, 129060195264000.0,
           10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)  # fmt: skip
_THETA13 = 5.371920351148152


def _pade13(a: Any) -> Any:
    """The [13/13] Pade approximant of e^A for each matrix of ``a`` (already scaled into its range), recorded."""
    b = _PADE13
    eye = np.eye(a.shape[-1], dtype=a.dtype)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * eye)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * eye
    return np.linalg.solve(v - u, v + u)


def _squared(result: Any, counts: np.ndarray) -> Any:
    """Each matrix of ``result`` squared ``counts`` times (batch-shaped): when the counts differ, round by round, a
    matrix taking the square only while its count lasts (recorded ``where``s, so each gradient is its matrix's)."""
    most = int(counts.max()) if counts.size else 0
    if not counts.ndim or np.all(counts == most):
        for _ in range(most):
            result = result @ result
        return result
    for round_ in range(most):
        squaring = np.broadcast_to((counts > round_)[..., None, None], result.shape)
        result = shared_math.where(squaring, result @ result, result)
    return result


class SVD(NamedTuple):
    """torch's ``Tensor.svd`` result: A = U diag(S) V^T (V, not V^T)."""

    U: Any
    S: Any
    V: Any


class QR(NamedTuple):
    """torch's ``Tensor.qr`` result: A = Q R, Q with orthonormal columns, R upper triangular."""

    Q: Any
    R: Any


class SolutionAndCoefficient(NamedTuple):
    """torch's ``triangular_solve`` result: the solution and a copy of the coefficient matrix."""

    solution: Any
    cloned_coefficient: Any


def _tensor(names: Any) -> Any:
    """``names`` as the Tensor it is (Tensor is the only class with these methods), for the type checker."""
    return names


def _matrices(tensor: Any, op: str, square: bool = True) -> Any:
    """``tensor`` as floating-point (batched) matrices; ShapeError naming ``op`` and the shape otherwise."""
    if tensor.ndim < 2 or (square and tensor.shape[-1] != tensor.shape[-2]):
        kind = "square matrices" if square else "matrices"
        raise ShapeError(f"{op}: expected {kind} in the last two axes, got shape {tensor.shape}")
    return shared_math.floating(tensor)


def _operand(tensor: Any, x: Any) -> Any:
    return x if isinstance(x, Node) else type(tensor)._make(np.asarray(x, dtype=tensor.dtype))


def _substituted(triangle: Any, rhs: Any, lower: bool) -> Any:
    """X with T X = B by forward (``lower``) or back substitution, row by row in recorded ops: x_i = (b_i -
    sum_j T_ij x_j) / T_ii over the rows j solved before. For a triangle with a zero on its diagonal, where a
    factorisation refuses: the IEEE infinities and nans that torch's substitution gives."""
    n = triangle.shape[-1]
    solved: dict[int, Any] = {}
    with quiet():
        for i in range(n) if lower else range(n - 1, -1, -1):
            known = sorted(solved)
            row = rhs[..., i, :]
            if known:
                coefficients = triangle[..., i, known][..., None]
                row = row - (coefficients * np.stack([solved[j] for j in known], axis=-2)).sum(axis=-2)
            solved[i] = row / triangle[..., i, i : i + 1]
    return np.stack([solved[i] for i in range(n)], axis=-2) if n else rhs * 1.0


def _triangle(factor: Any, upper: bool, unit: bool = False) -> Any:
    """The upper (lower) triangle of ``factor``; with ``unit`` its strict triangle plus the identity."""
    part = factor.triu(1 if unit else 0) if upper else factor.tril(-1 if unit else 0)
    return part + np.eye(factor.shape[-1], dtype=factor.dtype) if unit else part


def _constant(tensor: Any, array: Any) -> Any:
    return type(tensor)._make(np.asarray(array))


class TorchLinalgNames:
    """Mixin of :class:`~autograd.tensor.Tensor`: torch's linear-algebra method names."""

    __slots__ = ()

    @float16_via_float32  # the Pade coefficients (up to 6.5e16) overflow float16, and numpy's solve refuses it
    def matrix_exp(self: Self) -> Self:
        """torch.Tensor.matrix_exp: e^A = sum_k A^k / k! of each square matrix, by scaling and squaring with the
        [13/13] Pade approximant (Higham 2005): r(A / 2^s)^(2^s) with ||A / 2^s||_1 <= 5.37. Differentiated through
        those products and the solve, which gives the Frechet derivative L(A^T, g) to float64 precision. float16
        is computed in float32 and rounded once, as torch's."""
        tensor = _matrices(_tensor(self), "matrix_exp")
        if tensor.size == 0:
            return tensor * 1
        # each matrix its own number of squarings (one matrix's large norm, or a nan, must not set the others'):
        # from its 1-norm, the largest column sum (inf on overflow, silently); 0 for a non-finite one (nan anyway)
        norms = quietly(np.add.reduce, np.abs(tensor._data), axis=-2).max(axis=-1)
        with np.errstate(all="ignore"):
            needed = np.ceil(np.log2(np.where(np.isfinite(norms) & (norms > _THETA13), norms, _THETA13) / _THETA13))
        counts = np.maximum(needed, 0).astype(np.int64)  # per matrix, batch-shaped
        scale = np.ldexp(1.0, -counts)[..., None, None].astype(tensor.dtype)
        return _squared(_pade13(tensor * scale if counts.any() else tensor), counts)

    def cholesky_solve(self: Self, input2: Any, upper: bool = False) -> Self:
        """torch.Tensor.cholesky_solve: X with A X = self, A = L L^T given its Cholesky factor ``input2`` = L (lower
        triangle read) or, with ``upper``, A = U^T U (upper triangle read); two triangular solves, each a recorded
        ``solve``: d/dself = A^-1 g, and the factor's triangle gets its gradient through them."""
        rhs = _matrices(_tensor(self), "cholesky_solve", square=False)
        factor = _triangle(_matrices(_operand(rhs, input2), "cholesky_solve"), upper)
        lower = factor.mT if upper else factor
        if rhs.shape[-2] != factor.shape[-1]:
            raise ShapeError(f"cholesky_solve: shapes {rhs.shape} and {factor.shape} do not fit A X = B")
        return np.linalg.solve(lower.mT, np.linalg.solve(lower, rhs))

    def cholesky_inverse(self: Self, upper: bool = False) -> Self:
        """torch.Tensor.cholesky_inverse: A^-1 for A = L L^T given L = self (lower triangle read), or A = U^T U
        (upper triangle read) with ``upper``: L^-T L^-1, through the recorded ``inv``."""
        factor = _triangle(_matrices(_tensor(self), "cholesky_inverse"), upper)
        lower_inverse = np.linalg.inv(factor.mT if upper else factor)
        return lower_inverse.mT @ lower_inverse

    def triangular_solve(
        self: Self,
        A: Any,  # noqa: N803 (torch's keyword)
        upper: bool = True,
        transpose: bool = False,
        unitriangular: bool = False,
    ) -> SolutionAndCoefficient:
        """torch.Tensor.triangular_solve: ``(X, A.clone())`` with T X = self (T^T X = self with ``transpose``), T
        the upper (lower) triangle of A, its diagonal taken as ones with ``unitriangular``; batch axes broadcast.
        d/dself = T^-T g; A's gradient is confined to the triangle read (and the copy's gradient passes to A)."""
        rhs = _matrices(_tensor(self), "triangular_solve", square=False)
        coefficient = _matrices(_operand(rhs, A), "triangular_solve")
        if rhs.shape[-2] != coefficient.shape[-1]:
            raise ShapeError(f"triangular_solve: shapes {rhs.shape} and {coefficient.shape} do not fit A X = B")
        batch = np.broadcast_shapes(rhs.shape[:-2], coefficient.shape[:-2])
        triangle = _triangle(coefficient, upper, unitriangular)
        triangle = triangle.mT if transpose else triangle
        triangle = triangle.broadcast_to(batch + triangle.shape[-2:])
        rhs = rhs.broadcast_to(batch + rhs.shape[-2:])
        lower = upper == transpose
        if not np.isfinite(rhs._data).all():  # a general solve's row swaps would spread an inf as nan everywhere
            return SolutionAndCoefficient(_substituted(triangle, rhs, lower), coefficient.clone())
        try:
            solution = np.linalg.solve(triangle, rhs)
        except np.linalg.LinAlgError:  # a zero on the diagonal: substitution's IEEE infinities and nans, as torch's
            solution = _substituted(triangle, rhs, lower)
        return SolutionAndCoefficient(solution, coefficient.clone())

    def svd(self: Self, some: bool = True, compute_uv: bool = True) -> SVD:
        """torch.Tensor.svd (deprecated in torch for linalg.svd): ``(U, S, V)`` with A = U diag(S) V^T, singular
        values descending; ``some`` the reduced factors (else square U and V); without ``compute_uv`` U and V are
        zeros, as torch. Differentiable as :func:`autograd.linalg.svd`."""
        tensor = _matrices(_tensor(self), "svd", square=False)
        rows, columns = tensor.shape[-2:]
        if not compute_uv:
            values = np.linalg.svd(tensor, compute_uv=False)
            lead = tensor.shape[:-2]
            zeros = (np.zeros(lead + (rows, rows)), np.zeros(lead + (columns, columns)))
            return SVD(_constant(tensor, zeros[0].astype(tensor.dtype)), values,
                       _constant(tensor, zeros[1].astype(tensor.dtype)))  # fmt: skip
        u, values, vh = np.linalg.svd(tensor, full_matrices=not some)
        return SVD(u, values, vh.swapaxes(-1, -2))

    def qr(self: Self, some: bool = True) -> QR:
        """torch.Tensor.qr: ``(Q, R)`` with A = Q R (Householder, LAPACK's signs, as torch); ``some`` the reduced
        factors, else a square Q. Differentiable as :func:`autograd.linalg.qr`."""
        tensor = _matrices(_tensor(self), "qr", square=False)
        q, r = np.linalg.qr(tensor, mode="reduced" if some else "complete")
        return QR(q, r)

    def lu(self: Self, pivot: bool = True, get_infos: bool = False) -> tuple[Any, ...]:
        """torch.Tensor.lu (deprecated in torch for linalg.lu_factor): ``(A_LU, pivots)``, with ``get_infos`` also
        ``infos`` (int32, 0 or the 1-based index of the first zero pivot), as :func:`autograd.linalg.lu_factor_ex`'s;
        a singular matrix is factored with no error, as torch's. ``pivot=False`` is a RuntimeError, as torch's on
        the CPU. Differentiable in the matrix as ``lu_factor_ex`` (reached through :func:`array_function`)."""
        if not pivot:
            raise RuntimeError("lu: LU without pivoting is not implemented on the CPU")
        factor, pivots, infos = array_function("lu_factor_ex")(self)
        return (factor, pivots, infos) if get_infos else (factor, pivots)

    def lu_solve(self: Self, LU_data: Any, LU_pivots: Any) -> Any:  # noqa: N803 (torch's names)
        """torch.Tensor.lu_solve (deprecated in torch for linalg.lu_solve, whose arguments come in the other order):
        X with A X = self for A given by :meth:`lu`'s ``(LU_data, LU_pivots)``; differentiable as
        :func:`autograd.linalg.lu_solve`."""
        return array_function("lu_solve")(LU_data, LU_pivots, self)
