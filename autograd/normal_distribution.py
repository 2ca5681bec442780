"""``Normal(loc, scale)``: the Gaussian with mean loc and standard deviation scale (torch.distributions.Normal)."""

from __future__ import annotations

import math
from typing import Any

from .distribution_base import broadcast_all
from .distribution_constraints import positive, real
from .exponential_family import ExponentialFamily
from .special import ndtr, ndtri
from .tensor import Tensor
from .tensor_functions import randn

__all__ = ["Normal"]

_LOG_SQRT_2PI = math.log(math.sqrt(2 * math.pi))


class Normal(ExponentialFamily):
    """N(loc, scale^2), one per entry of the broadcast parameters.

    log p(x) = -(x - loc)^2 / (2 scale^2) - log scale - log sqrt(2 pi); entropy 1/2 + log sqrt(2 pi) + log scale;
    cdf ndtr((x - loc) / scale) = erfc(-(x - loc) / (scale sqrt 2)) / 2 and icdf loc + scale ndtri(p), which keep the
    left tail torch's 1/2 (1 + erf(.)) and erfinv(2 p - 1) lose (0 below z = -8.3, -inf below p = 1e-17);
    rsample loc + scale eps, eps ~ N(0, 1), so
    d x / d loc = 1 and d x / d scale = eps.
    """

    arg_constraints = {"loc": real, "scale": positive}
    support = real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(tuple(self.loc.shape), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        return self.scale * self.scale

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        eps = randn(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        return -((value - self.loc) ** 2) / (2 * self.variance) - self.scale.log() - _LOG_SQRT_2PI

    def cdf(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        return ndtr((value - self.loc) / self.scale)

    def icdf(self, value: Any) -> Tensor:
        return self.loc + self.scale * ndtri(value)

    def entropy(self) -> Tensor:
        return 0.5 + _LOG_SQRT_2PI + self.scale.log()
