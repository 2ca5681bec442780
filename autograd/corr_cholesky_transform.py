"""``CorrCholeskyTransform`` (torch.distributions.transforms'): D = n (n - 1) / 2 reals to the lower Cholesky factor
of an n x n correlation matrix (``constraints.corr_cholesky``: unit rows, positive diagonal), bijectively; what
``biject_to(LKJCholesky(n).support)`` gives.

The reals become partial correlations r = tanh(x) (kept within eps of +-1), laid in the strict lower triangle row by
row ((1, 0), (2, 0), (2, 1), (3, 0), ...); each row is then a signed stick-breaking of its unit length:

    y_ij = r_ij prod_(k<j) sqrt(1 - r_ik^2)   (j < i),    y_ii = prod_(k<i) sqrt(1 - r_ik^2)

Inverse: r_ij = y_ij / sqrt(1 - sum_(k<j) y_ik^2), x = atanh(r). The Jacobian is triangular in that order, dy_ij/dr_ij
= sqrt(1 - sum_(k<j) y_ik^2), and dr/dx = 1 - tanh^2 x = sech^2 x, so

    log|det J| = 1/2 sum_(i, 1<=j<i) log(1 - sum_(k<j) y_ik^2) + sum 2 (log 2 - x - softplus(-2 x)).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .distribution_constraints import corr_cholesky, real_vector
from .simplex_transforms import with_one
from .tensor import Tensor
from .tensor_functions import cat, eye, zeros
from .transform_base import Transform

__all__ = ["CorrCholeskyTransform"]


def _size_of(count: int) -> int:
    """n with n (n - 1) / 2 = count (ValueError where count is not such a number)."""
    n = round((1 + math.sqrt(1 + 8 * count)) / 2)
    if n * (n - 1) // 2 != count:
        raise ValueError(f"CorrCholeskyTransform: the last axis ({count}) must have length n (n - 1) / 2 for some n")
    return n


def _strict_lower(vector: Tensor, n: int) -> Tensor:
    """The n x n matrices with ``vector``'s entries in their strict lower triangle, row by row, zeros elsewhere."""
    count = vector.shape[-1]
    positions = np.full((n, n), count)  # (count: the zero appended below)
    positions[np.tril_indices(n, -1)] = np.arange(count)
    padded = cat([vector, zeros(tuple(vector.shape[:-1]) + (1,), dtype=vector.dtype)], -1)
    return padded[..., positions]


def _shifted_right(value: Tensor) -> Tensor:
    """``value`` with a 1 put first on its last axis and its last entry dropped."""
    return with_one(value[..., :-1], first=True)


class CorrCholeskyTransform(Transform):
    """Reals to Cholesky factors of correlation matrices: see the module docstring; bijective, event_dim 1 -> 2."""

    domain = real_vector
    codomain = corr_cholesky
    bijective = True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CorrCholeskyTransform)

    __hash__ = Transform.__hash__

    def _call(self, x: Tensor) -> Tensor:
        eps = float(np.finfo(np.dtype(x.dtype)).eps)
        r = _strict_lower(x.tanh().clamp(min=-1 + eps, max=1 - eps), _size_of(x.shape[-1]))
        n = r.shape[-1]
        lengths = (1 - r * r).sqrt().cumprod(-1)  # prod_(k<=j) sqrt(1 - r_ik^2), constant beyond the diagonal
        return (r + eye(n, dtype=r.dtype)) * _shifted_right(lengths)

    def _inverse(self, y: Tensor) -> Tensor:
        n = y.shape[-1]
        rows, columns = np.tril_indices(n, -1)
        remaining = _shifted_right(1 - (y * y).cumsum(-1))  # 1 - sum_(k<j) y_ik^2
        r = y[..., rows, columns] / remaining[..., rows, columns].sqrt()
        return 0.5 * (r.log1p() - (-r).log1p())  # atanh

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        n = y.shape[-1]
        rows, columns = np.tril_indices(n, -2)  # (i, j - 1) for 1 <= j < i
        remaining = 1 - (y * y).cumsum(-1)
        stick_breaking = 0.5 * remaining[..., rows, columns].log().sum(-1)
        tanh = 2 * (math.log(2.0) - x - (-2 * x).softplus()).sum(-1)
        return stick_breaking + tanh

    def forward_shape(self, shape: Any) -> tuple[int, ...]:
        shape = tuple(shape)
        if len(shape) < 1:
            raise ValueError("CorrCholeskyTransform: too few dimensions on input")
        n = _size_of(shape[-1])
        return shape[:-1] + (n, n)

    def inverse_shape(self, shape: Any) -> tuple[int, ...]:
        shape = tuple(shape)
        if len(shape) < 2 or shape[-1] != shape[-2]:
            raise ValueError(f"CorrCholeskyTransform: expected square matrices, got shape {shape}")
        n = shape[-1]
        return shape[:-2] + (n * (n - 1) // 2,)
