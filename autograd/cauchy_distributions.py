"""``Cauchy`` and ``HalfCauchy`` (torch.distributions' of those names): the Lorentz distribution and its absolute value.

    Cauchy(loc m, scale s):  log p(x) = -log pi - log s - log1p(((x - m) / s)^2),  cdf atan((x - m) / s) / pi + 1/2,
                             icdf m + s tan(pi (u - 1/2)),  entropy log(4 pi s);  no mean (nan), variance inf
    HalfCauchy(scale s):     |x| for x ~ Cauchy(0, s): log p(x) = log 2 + Cauchy's (x >= 0, -inf below),
                             cdf 2 atan(x / s) / pi, icdf s tan(pi u / 2), entropy log(2 pi s);  mean inf, mode 0

Both draw by the inverse cdf at a uniform draw, so ``rsample`` is differentiable in the parameters.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .distribution_base import Distribution, broadcast_all
from .distribution_constraints import nonnegative, positive, real
from .tensor import Tensor, where
from .tensor_functions import full, rand, zeros_like

__all__ = ["Cauchy", "HalfCauchy"]


class Cauchy(Distribution):
    """Cauchy(loc, scale), one per entry of the broadcast parameters: density 1 / (pi s (1 + ((x - m) / s)^2))."""

    arg_constraints = {"loc": real, "scale": positive}
    support = real
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        super().__init__(tuple(self.loc.shape), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        """nan: the Cauchy has no mean (torch's)."""
        return full(self._extended_shape(), math.nan, dtype=self.loc.dtype)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        """inf (torch's)."""
        return full(self._extended_shape(), math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """loc + scale tan(pi (u - 1/2)), u ~ U[0, 1): d x / d loc = 1, d x / d scale = the standard draw."""
        standard = (math.pi * (rand(self._extended_shape(sample_shape), dtype=self.loc.dtype) - 0.5)).tan()
        return self.loc + standard * self.scale

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        return -math.log(math.pi) - self.scale.log() - (((value - self.loc) / self.scale) ** 2).log1p()

    def cdf(self, value: Any) -> Tensor:
        """atan(z) / pi + 1/2, z = (x - loc) / scale; below loc atan(-1 / z) / pi, the same without the cancellation
        that leaves torch's 0 below z = -1e16."""
        value = self._value_tensor(value)
        z = (value - self.loc) / self.scale
        below = Tensor(z._data < 0)
        left = (-1 / where(below, z, -1.0)).atan() / math.pi  # (z = -1 where unused: no 1/0 in the gradient)
        return where(below, left, z.atan() / math.pi + 0.5)

    def icdf(self, value: Any) -> Tensor:
        """loc + scale tan(pi (p - 1/2)); below the median loc - scale / tan(pi p), the same without the rounding
        of p - 1/2 that caps torch's at -1.6e16 scale."""
        value = value if isinstance(value, Tensor) else Tensor(np.asarray(value, dtype=self.loc.dtype))
        below = Tensor(np.asarray(value._data) < 0.5)
        left = -1 / (math.pi * where(below, value, 0.25)).tan()
        right = (math.pi * (where(below, 0.75, value) - 0.5)).tan()
        return self.loc + self.scale * where(below, left, right)

    def entropy(self) -> Tensor:
        return math.log(4 * math.pi) + self.scale.log()


class HalfCauchy(Distribution):
    """|x| for x ~ Cauchy(0, scale): density 2 / (pi s (1 + (x / s)^2)) on x >= 0.

    torch builds it as a TransformedDistribution of Cauchy(0, scale) by AbsTransform; here it is written directly
    (not a TransformedDistribution subclass), with torch's parameters, properties and formulas."""

    arg_constraints = {"scale": positive}
    support = nonnegative
    has_rsample = True

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        (self.scale,) = broadcast_all(scale)
        super().__init__(tuple(self.scale.shape), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        """inf (torch's)."""
        return full(self._extended_shape(), math.inf, dtype=self.scale.dtype)

    @property
    def mode(self) -> Tensor:
        return zeros_like(self.scale)

    @property
    def variance(self) -> Tensor:
        """inf, the base Cauchy's (torch's)."""
        return full(self._extended_shape(), math.inf, dtype=self.scale.dtype)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """|scale tan(pi (u - 1/2))|, u ~ U[0, 1)."""
        standard = (math.pi * (rand(self._extended_shape(sample_shape), dtype=self.scale.dtype) - 0.5)).tan()
        return (standard * self.scale).abs()

    def log_prob(self, value: Any) -> Tensor:
        """log 2 - log pi - log s - log1p((x / s)^2) for x >= 0, -inf below (reached with validate_args=False)."""
        value = self._value_tensor(value)
        log_density = math.log(2 / math.pi) - self.scale.log() - ((value / self.scale) ** 2).log1p()
        return where(value >= 0, log_density, -math.inf)

    def cdf(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        return 2 * (value / self.scale).atan() / math.pi

    def icdf(self, value: Any) -> Tensor:
        return (math.pi * ((value + 1) / 2 - 0.5)).tan() * self.scale

    def entropy(self) -> Tensor:
        return math.log(2 * math.pi) + self.scale.log()
