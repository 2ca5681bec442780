"""``Normal(loc, scale)``: the Gaussian with mean loc and standard deviation scale (torch.distributions.Normal)."""

from __future__ import annotations

import math
from typing import Any

from .distribution_base import broadcast_all
from .distribution_constraints import positive, real
from .exponential_family import ExponentialFamily
from .tensor import Tensor
from .tensor_functions import randn

__all__ = ["Normal"]

_LOG_SQRT_2PI = math.log(math.sqrt(2 * math.pi))


class Normal(ExponentialFamily):
    """N(loc, scale^2), one per entry of the broadcast parameters.

    log p(x) = -(x - loc)^2 / (2 scale^2) - log scale - log sqrt(2 pi); entropy 1/2 + log sqrt(2 pi) + log scale;
    cdf 1/2 (1 + erf((x - loc) / (scale sqrt 2))); rsample loc + scale eps, eps ~ N(0, 1), so
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
        return 0.5 * (1 + ((value - self.loc) / (self.scale * math.sqrt(2))).erf())

    def icdf(self, value: Any) -> Tensor:
        return self.loc + self.scale * (2 * value - 1).erfinv() * math.sqrt(2)

    def entropy(self) -> Tensor:
        return 0.5 + _LOG_SQRT_2PI + self.scale.log()
