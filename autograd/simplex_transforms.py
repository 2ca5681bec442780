"""The transforms of torch.distributions.transforms onto the simplex and onto Cholesky factors:

SoftmaxTransform:        y = exp(x) / sum exp(x) (vectors; not bijective, its inverse is log y)
StickBreakingTransform:  K - 1 reals to the simplex of K entries, bijective:
                         z_i = sigmoid(x_i - log(K - i)), y_i = z_i prod_{j<i} (1 - z_j), y_K = prod_j (1 - z_j)
                         log|det J| = sum_i (-x'_i + log sigmoid(x'_i) + log y_i), x'_i = x_i - log(K - i)
LowerCholeskyTransform:  square matrices to lower-triangular ones with a positive diagonal: the strict lower
                         triangle kept, the diagonal exponentiated (not bijective)
PositiveDefiniteTransform: square matrices to positive-definite ones, L L^T with L = LowerCholeskyTransform(x) (not
                         bijective: the upper triangle is ignored); its inverse takes the Cholesky factor back
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .distribution_constraints import independent, lower_cholesky, positive_definite, real, real_vector, simplex
from .elementwise_transforms import clipped_sigmoid
from .linalg import cholesky
from .tensor import Tensor
from .tensor_functions import cat, ones
from .transform_base import Transform

__all__ = [
    "LowerCholeskyTransform",
    "PositiveDefiniteTransform",
    "SoftmaxTransform",
    "StickBreakingTransform",
    "with_one",
]


def _at_least_one_axis(shape: Any, name: str) -> tuple[int, ...]:
    shape = tuple(shape)
    if len(shape) < 1:
        raise ValueError(f"{name}: too few dimensions on input (shape {shape})")
    return shape


class SoftmaxTransform(Transform):
    """y = softmax(x) along the last axis, from real vectors to the simplex; inverse log y (up to a constant)."""

    domain = real_vector
    codomain = simplex

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SoftmaxTransform)

    __hash__ = Transform.__hash__

    def _call(self, x: Tensor) -> Tensor:
        unnormalised = (x - x.amax(-1, keepdim=True)).exp()
        return unnormalised / unnormalised.sum(-1, keepdim=True)

    def _inverse(self, y: Tensor) -> Tensor:
        return y.log()

    def forward_shape(self, shape: Any) -> tuple[int, ...]:
        return _at_least_one_axis(shape, "SoftmaxTransform")

    def inverse_shape(self, shape: Any) -> tuple[int, ...]:
        return _at_least_one_axis(shape, "SoftmaxTransform")


def _log_offsets(count: int, dtype: Any) -> Tensor:
    """log(count), log(count - 1), ..., log(1): the shifts making x = 0 the simplex's centre."""
    return Tensor(np.log(np.arange(count, 0, -1, dtype=np.dtype(dtype))))


def with_one(value: Tensor, first: bool) -> Tensor:
    """``value`` with a 1 put before (``first``) or after its last axis's entries."""
    one = ones(tuple(value.shape[:-1]) + (1,), dtype=value.dtype)
    return cat([one, value] if first else [value, one], -1)


class StickBreakingTransform(Transform):
    """K - 1 reals to the simplex of K entries by breaking a stick (see the module docstring); bijective."""

    domain = real_vector
    codomain = simplex
    bijective = True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, StickBreakingTransform)

    __hash__ = Transform.__hash__

    def _call(self, x: Tensor) -> Tensor:
        z = clipped_sigmoid(x - _log_offsets(x.shape[-1], x.dtype))
        remaining = (1 - z).cumprod(-1)
        return with_one(z, first=False) * with_one(remaining, first=True)

    def _inverse(self, y: Tensor) -> Tensor:
        head = y[..., :-1]
        tiny = float(np.finfo(np.dtype(y.dtype)).tiny)
        rest = (1 - head.cumsum(-1)).clamp(min=tiny)
        return head.log() - rest.log() + _log_offsets(head.shape[-1], y.dtype)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        shifted = x - _log_offsets(x.shape[-1], x.dtype)
        return (-shifted - (-shifted).softplus() + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape: Any) -> tuple[int, ...]:
        shape = _at_least_one_axis(shape, "StickBreakingTransform")
        return shape[:-1] + (shape[-1] + 1,)

    def inverse_shape(self, shape: Any) -> tuple[int, ...]:
        shape = _at_least_one_axis(shape, "StickBreakingTransform")
        return shape[:-1] + (shape[-1] - 1,)


class LowerCholeskyTransform(Transform):
    """Square matrices to lower-triangular ones with a positive diagonal: tril(x, -1) + diag(exp(diag x))."""

    domain = independent(real, 2)
    codomain = lower_cholesky

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LowerCholeskyTransform)

    __hash__ = Transform.__hash__

    def _call(self, x: Tensor) -> Tensor:
        return x.tril(-1) + x.diagonal(dim1=-2, dim2=-1).exp().diag_embed()

    def _inverse(self, y: Tensor) -> Tensor:
        return y.tril(-1) + y.diagonal(dim1=-2, dim2=-1).log().diag_embed()


class PositiveDefiniteTransform(Transform):
    """Square matrices to positive-definite ones: L L^T, L = tril(x, -1) + diag(exp(diag x)) (see the module
    docstring); the inverse of y is that of LowerCholeskyTransform at cholesky(y)."""

    domain = independent(real, 2)
    codomain = positive_definite

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PositiveDefiniteTransform)

    __hash__ = Transform.__hash__

    def _call(self, x: Tensor) -> Tensor:
        factor = LowerCholeskyTransform()(x)
        return factor @ factor.mT

    def _inverse(self, y: Tensor) -> Tensor:
        return LowerCholeskyTransform().inv(cholesky(y))
