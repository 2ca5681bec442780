"""Distributions torch defines by transforming a Normal or a Gamma (torch.distributions' of these names):

    LogNormal(loc, scale):        exp(X), X ~ N(loc, scale^2)
        mean exp(loc + scale^2 / 2), variance (exp(scale^2) - 1) exp(2 loc + scale^2), mode exp(loc - scale^2),
        entropy H(X) + loc
    HalfNormal(scale):            |X|, X ~ N(0, scale^2)
        log p(y) = log N(y; 0, scale) + log 2 on y >= 0 (-inf below), cdf 2 Phi(y / scale) - 1,
        mean scale sqrt(2 / pi), variance scale^2 (1 - 2 / pi), mode 0, entropy H(X) - log 2
    LogisticNormal(loc, scale):   stick breaking of X ~ N(loc, scale^2) (K - 1 entries) onto the simplex of K
    InverseGamma(concentration a, rate b): 1 / X, X ~ Gamma(a, b)
        mean b / (a - 1) (inf for a <= 1), variance b^2 / ((a - 1)^2 (a - 2)) (inf for a <= 2), mode b / (a + 1),
        entropy a + log b + lgamma(a) - (1 + a) digamma(a)

Each is a TransformedDistribution, so log_prob, cdf, icdf and rsample come from the base and the transforms (and
are differentiable in the parameters; InverseGamma's through the Gamma's implicit reparameterisation).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .continuous_distributions import Gamma
from .distribution_constraints import nonnegative, positive, real, simplex
from .elementwise_transforms import AbsTransform, ExpTransform, PowerTransform
from .normal_distribution import Normal
from .simplex_transforms import StickBreakingTransform
from .tensor import Tensor, where
from .transformed_distribution import TransformedDistribution

__all__ = ["HalfNormal", "InverseGamma", "LogNormal", "LogisticNormal"]


class LogNormal(TransformedDistribution):
    """exp(X) for X ~ Normal(loc, scale): see the module docstring."""

    arg_constraints = {"loc": real, "scale": positive}
    support = positive  # type: ignore[assignment]
    base_dist: Normal

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        super().__init__(Normal(loc, scale, validate_args=validate_args), ExpTransform(), validate_args=validate_args)

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return True

    @property
    def loc(self) -> Tensor:
        return self.base_dist.loc

    @property
    def scale(self) -> Tensor:
        return self.base_dist.scale

    @property
    def mean(self) -> Tensor:
        return (self.loc + self.scale**2 / 2).exp()

    @property
    def mode(self) -> Tensor:
        return (self.loc - self.scale**2).exp()

    @property
    def variance(self) -> Tensor:
        scale_squared = self.scale**2
        return scale_squared.expm1() * (2 * self.loc + scale_squared).exp()

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() + self.loc


class HalfNormal(TransformedDistribution):
    """|X| for X ~ Normal(0, scale): see the module docstring."""

    arg_constraints = {"scale": positive}
    support = nonnegative  # type: ignore[assignment]
    base_dist: Normal

    def __init__(self, scale: Any, validate_args: bool | None = None) -> None:
        super().__init__(Normal(0, scale, validate_args=False), AbsTransform(), validate_args=validate_args)

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return True

    @property
    def scale(self) -> Tensor:
        return self.base_dist.scale

    @property
    def mean(self) -> Tensor:
        return self.scale * math.sqrt(2 / math.pi)

    @property
    def mode(self) -> Tensor:
        return self.scale * 0

    @property
    def variance(self) -> Tensor:
        return self.scale**2 * (1 - 2 / math.pi)

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        log_prob = self.base_dist.log_prob(value) + math.log(2)
        negative = np.broadcast_to(value._data < 0, log_prob.shape)
        return where(Tensor(negative), -math.inf, log_prob) if negative.any() else log_prob

    def cdf(self, value: Any) -> Tensor:
        """erf(x / (scale sqrt 2)) (torch's 2 Phi(x / scale) - 1 cancels to 0 below x = 1e-16 scale)."""
        value = self._value_tensor(value)
        return (value / (self.scale * math.sqrt(2))).erf()

    def icdf(self, prob: Any) -> Tensor:
        """scale sqrt 2 erfinv(p) (torch's Phi^-1((p + 1) / 2) is 0 below p = 1e-16)."""
        prob = prob if isinstance(prob, Tensor) else Tensor(np.asarray(prob, dtype=self.scale.dtype))
        return self.scale * math.sqrt(2) * prob.erfinv()

    def entropy(self) -> Tensor:
        return self.base_dist.entropy() - math.log(2)


class LogisticNormal(TransformedDistribution):
    """The stick-breaking image of X ~ Normal(loc, scale) on the simplex: event of K = loc's last length + 1
    entries (a scalar loc and scale make K = 2)."""

    arg_constraints = {"loc": real, "scale": positive}
    support = simplex  # type: ignore[assignment]

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        base = Normal(loc, scale, validate_args=validate_args)
        if not base.batch_shape:
            base = base.expand((1,))
        super().__init__(base, StickBreakingTransform(), validate_args=validate_args)

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return True

    @property
    def loc(self) -> Tensor:
        return self.base_dist.base_dist.loc  # type: ignore[attr-defined]

    @property
    def scale(self) -> Tensor:
        return self.base_dist.base_dist.scale  # type: ignore[attr-defined]


class InverseGamma(TransformedDistribution):
    """1 / X for X ~ Gamma(concentration, rate): see the module docstring."""

    arg_constraints = {"concentration": positive, "rate": positive}
    support = positive  # type: ignore[assignment]
    base_dist: Gamma

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        base = Gamma(concentration, rate, validate_args=validate_args)
        minus_one = Tensor(np.asarray(-1.0, dtype=base.rate.dtype))
        super().__init__(base, PowerTransform(minus_one), validate_args=validate_args)

    @property
    def concentration(self) -> Tensor:
        return self.base_dist.concentration

    @property
    def rate(self) -> Tensor:
        return self.base_dist.rate

    def _where_above(self, bound: float, moment: Any) -> Tensor:
        """``moment(a)`` where the concentration a exceeds ``bound``, inf elsewhere (moment is given a = bound + 1
        there, so no division by zero is made; no gradient passes there)."""
        above = Tensor(self.concentration._data > bound)
        return where(above, moment(where(above, self.concentration, bound + 1.0)), math.inf)

    @property
    def mean(self) -> Tensor:
        return self._where_above(1, lambda a: self.rate / (a - 1))

    @property
    def mode(self) -> Tensor:
        return self.rate / (self.concentration + 1)

    @property
    def variance(self) -> Tensor:
        return self._where_above(2, lambda a: self.rate**2 / ((a - 1) ** 2 * (a - 2)))

    def entropy(self) -> Tensor:
        a = self.concentration
        return a + self.rate.log() + a.lgamma() - (1 + a) * a.digamma()
