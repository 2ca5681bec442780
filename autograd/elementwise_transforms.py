"""The elementwise transforms of torch.distributions.transforms, each y = f(x) entry by entry with its
log|dy/dx| (written with the library's Tensor operations, so differentiable in x and in any Tensor parameter):

    AffineTransform(loc, scale):  y = loc + scale x          log|dy/dx| = log|scale|
    ExpTransform:                 y = exp x                  log|dy/dx| = x
    PowerTransform(exponent):     y = x^exponent (x > 0)     log|dy/dx| = log|exponent y / x|
    SigmoidTransform:             y = 1 / (1 + e^-x)         log|dy/dx| = -softplus(-x) - softplus(x)
    TanhTransform:                y = tanh x                 log|dy/dx| = 2 (log 2 - x - softplus(-2 x))
    SoftplusTransform:            y = log(1 + e^x)           log|dy/dx| = -softplus(-x)
    AbsTransform:                 y = |x| (not bijective: its inverse is the identity on [0, inf))
    CumulativeDistributionTransform(d): y = d.cdf(x)         log|dy/dx| = d.log_prob(x)

The sigmoid's output (and its inverse's input) is clamped to [tiny, 1 - eps] of the dtype, as torch's, so its
inverse stays finite.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .core import Node
from .distribution_base import Distribution, broadcast_all
from .distribution_constraints import Constraint, independent, interval, positive, real, unit_interval
from .tensor import Tensor
from .tensor_functions import full
from .torch_module_functions import broadcast_shapes
from .transform_base import Transform, sum_rightmost

__all__ = [
    "AbsTransform",
    "AffineTransform",
    "CumulativeDistributionTransform",
    "ExpTransform",
    "PowerTransform",
    "SigmoidTransform",
    "SoftplusTransform",
    "TanhTransform",
]


def clipped_sigmoid(x: Tensor) -> Tensor:
    """sigmoid(x) clamped to [tiny, 1 - eps] of x's dtype."""
    finfo = np.finfo(np.dtype(x.dtype))
    return x.sigmoid().clamp(float(finfo.tiny), 1.0 - float(finfo.eps))


def _shape_of(value: Any) -> tuple[int, ...]:
    return tuple(value.shape) if isinstance(value, Node) else ()


class ExpTransform(Transform):
    """y = exp(x), from the reals to (0, inf)."""

    domain = real
    codomain = positive
    bijective = True
    sign = +1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExpTransform)

    __hash__ = Transform.__hash__

    def _call(self, x: Tensor) -> Tensor:
        return x.exp()

    def _inverse(self, y: Tensor) -> Tensor:
        return y.log()

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return x


class PowerTransform(Transform):
    """y = x^exponent on (0, inf); ``exponent`` a number or a Tensor broadcasting with x."""

    domain = positive
    codomain = positive
    bijective = True

    def __init__(self, exponent: Any, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        (self.exponent,) = broadcast_all(exponent)

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return PowerTransform(self.exponent, cache_size=cache_size)

    @property
    def sign(self) -> Tensor:  # type: ignore[override]
        return self.exponent.sign()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PowerTransform) and bool(np.all(self.exponent._data == other.exponent._data))

    __hash__ = Transform.__hash__

    def _call(self, x: Tensor) -> Tensor:
        return x.pow(self.exponent)

    def _inverse(self, y: Tensor) -> Tensor:
        return y.pow(1 / self.exponent)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return (self.exponent * y / x).abs().log()

    def forward_shape(self, shape: Any) -> tuple[int, ...]:
        return tuple(broadcast_shapes(tuple(shape), tuple(self.exponent.shape)))

    inverse_shape = forward_shape


class SigmoidTransform(Transform):
    """y = sigmoid(x), from the reals to the unit interval; inverse logit(y)."""

    domain = real
    codomain = unit_interval
    bijective = True
    sign = +1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SigmoidTransform)

    __hash__ = Transform.__hash__

    def _call(self, x: Tensor) -> Tensor:
        return clipped_sigmoid(x)

    def _inverse(self, y: Tensor) -> Tensor:
        finfo = np.finfo(np.dtype(y.dtype))
        y = y.clamp(float(finfo.tiny), 1.0 - float(finfo.eps))
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return -(-x).softplus() - x.softplus()


class SoftplusTransform(Transform):
    """y = log(1 + exp(x)) (x itself above 20, as torch's softplus), from the reals to (0, inf)."""

    domain = real
    codomain = positive
    bijective = True
    sign = +1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SoftplusTransform)

    __hash__ = Transform.__hash__

    def _call(self, x: Tensor) -> Tensor:
        return x.softplus()

    def _inverse(self, y: Tensor) -> Tensor:
        return (-(-y).expm1()).log() + y  # log(e^y - 1) = log(1 - e^-y) + y

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return -(-x).softplus()


class TanhTransform(Transform):
    """y = tanh(x), from the reals to [-1, 1]; inverse atanh(y)."""

    domain = real
    codomain = interval(-1.0, 1.0)
    bijective = True
    sign = +1

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TanhTransform)

    __hash__ = Transform.__hash__

    def _call(self, x: Tensor) -> Tensor:
        return x.tanh()

    def _inverse(self, y: Tensor) -> Tensor:
        return y.atanh()

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        # log(1 - tanh^2 x) = 2 (log 2 - x - softplus(-2 x)), stable for large |x|
        return 2.0 * (math.log(2.0) - x - (-2.0 * x).softplus())


class AbsTransform(Transform):
    """y = |x|, from the reals to [0, inf); its inverse maps y to y (one of the two preimages)."""

    domain = real
    codomain = positive

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AbsTransform)

    __hash__ = Transform.__hash__

    def _call(self, x: Tensor) -> Tensor:
        return x.abs()

    def _inverse(self, y: Tensor) -> Tensor:
        return y


class AffineTransform(Transform):
    """y = loc + scale x; ``event_dim`` rightmost axes form one event (log|det| summed over them)."""

    bijective = True

    def __init__(self, loc: Any, scale: Any, event_dim: int = 0, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        self.loc, self.scale = loc, scale
        self._event_dim = event_dim

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return self._event_dim

    @property
    def domain(self) -> Constraint:  # type: ignore[override]
        return independent(real, self._event_dim) if self._event_dim else real

    @property
    def codomain(self) -> Constraint:  # type: ignore[override]
        return self.domain

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return AffineTransform(self.loc, self.scale, self._event_dim, cache_size=cache_size)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AffineTransform):
            return False
        return all(
            bool(np.all(np.asarray(getattr(mine, "_data", mine)) == np.asarray(getattr(theirs, "_data", theirs))))
            for mine, theirs in ((self.loc, other.loc), (self.scale, other.scale))
        )

    __hash__ = Transform.__hash__

    @property
    def sign(self) -> Any:
        if isinstance(self.scale, Node):
            return self.scale.sign()
        scale = float(self.scale)
        return 1 if scale > 0 else -1 if scale < 0 else 0

    def _call(self, x: Tensor) -> Tensor:
        return self.loc + self.scale * x

    def _inverse(self, y: Tensor) -> Tensor:
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        if isinstance(self.scale, Node):
            result = self.scale.abs().log()
        else:
            log_scale = math.log(abs(self.scale)) if self.scale else -math.inf
            result = full(tuple(x.shape), log_scale, dtype=x.dtype)
        shape = tuple(x.shape)
        if self._event_dim:
            result = sum_rightmost(result, self._event_dim)
            shape = shape[: len(shape) - self._event_dim]
        return result.expand(tuple(broadcast_shapes(tuple(result.shape), shape)))

    def forward_shape(self, shape: Any) -> tuple[int, ...]:
        return tuple(broadcast_shapes(tuple(shape), _shape_of(self.loc), _shape_of(self.scale)))

    inverse_shape = forward_shape


class CumulativeDistributionTransform(Transform):
    """y = distribution.cdf(x), from the distribution's support to the unit interval; inverse its icdf."""

    bijective = True
    codomain = unit_interval
    sign = +1

    def __init__(self, distribution: Distribution, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        self.distribution = distribution

    @property
    def domain(self) -> Constraint:  # type: ignore[override]
        return self.distribution.support  # type: ignore[return-value]

    def _call(self, x: Tensor) -> Tensor:
        return self.distribution.cdf(x)

    def _inverse(self, y: Tensor) -> Tensor:
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x: Tensor, y: Tensor) -> Tensor:
        return self.distribution.log_prob(x)

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return CumulativeDistributionTransform(self.distribution, cache_size=cache_size)
