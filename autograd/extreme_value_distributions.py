"""Gumbel, Pareto, Weibull and Kumaraswamy: torch.distributions' of those names, each a transformed Uniform or
Exponential (so cdf, icdf and rsample come from the transforms and are differentiable in the parameters; Gumbel's cdf
exp(-exp(-(x - m) / s)) and icdf are written out, exact in both tails):

    Gumbel(loc m, scale s):      m - s log(-log U)            log p(x) = z - e^z - log s, z = (m - x) / s
        mean m + s gamma, variance (pi s)^2 / 6, mode m, entropy log s + 1 + gamma   (gamma: Euler's constant)
    Pareto(scale s, alpha a):    s exp(E), E ~ Exp(a)         support [s, inf)
        mean a s / (a - 1) (inf for a <= 1), variance s^2 a / ((a - 1)^2 (a - 2)) (inf for a <= 2), mode s,
        entropy log(s / a) + 1 + 1 / a
    Weibull(scale l, concentration k): l E^(1/k), E ~ Exp(1)
        mean l Gamma(1 + 1/k), variance l^2 (Gamma(1 + 2/k) - Gamma(1 + 1/k)^2),
        mode l ((k - 1) / k)^(1/k) for k > 1 (0 for k <= 1), entropy gamma (1 - 1/k) + log(l / k) + 1
    Kumaraswamy(concentration1 a, concentration0 b): (1 - U^(1/b))^(1/a) on (0, 1)
        E x^n = b B(1 + n/a, b), mode ((a - 1) / (a b - 1))^(1/a) for a, b >= 1 (not both 1; nan otherwise),
        entropy (1 - 1/b) + (1 - 1/a) (digamma(b + 1) + gamma) - log a - log b
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .continuous_distributions import Exponential
from .core import Node
from .distribution_base import broadcast_all
from .distribution_constraints import Constraint, dependent_property, greater_than_eq, positive, real, unit_interval
from .elementwise_transforms import AffineTransform, ExpTransform, PowerTransform
from .tensor import Tensor, where
from .tensor_functions import full_like, ones_like
from .transformed_distribution import TransformedDistribution
from .uniform_distribution import Uniform

__all__ = ["Gumbel", "Kumaraswamy", "Pareto", "Weibull"]

_EULER_GAMMA = float(np.euler_gamma)


def _masked(values: Tensor, mask: Any, fill: float) -> Tensor:
    """``values`` with ``fill`` where the boolean array ``mask`` is True (no gradient passing there)."""
    mask = np.broadcast_to(mask, values.shape)
    return where(Tensor(mask), fill, values) if mask.any() else values


class Gumbel(TransformedDistribution):
    """The Gumbel (type I extreme value) distribution: see the module docstring."""

    arg_constraints = {"loc": real, "scale": positive}
    support = real  # type: ignore[assignment]

    def __init__(self, loc: Any, scale: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale = broadcast_all(loc, scale)
        finfo = np.finfo(np.dtype(self.loc.dtype))
        low, high = float(finfo.tiny), 1 - float(finfo.eps)
        if isinstance(loc, Tensor) or isinstance(scale, Tensor):
            base = Uniform(full_like(self.loc, low), full_like(self.loc, high), validate_args=validate_args)
        else:
            base = Uniform(low, high, validate_args=validate_args)
        transforms = [
            ExpTransform().inv,
            AffineTransform(loc=0, scale=-ones_like(self.scale)),
            ExpTransform().inv,
            AffineTransform(loc=self.loc, scale=-self.scale),
        ]
        super().__init__(base, transforms, validate_args=validate_args)

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        z = (self.loc - value) / self.scale
        return z - z.exp() - self.scale.log()

    def cdf(self, value: Any) -> Tensor:
        """exp(-e^z), z = (m - x) / s, directly: through the Uniform base a cdf within eps of 1 fell outside its
        support (torch's ValueError at x = m + 40 s) and the left tail was lost to 0."""
        value = self._value_tensor(value)
        return (-((self.loc - value) / self.scale).exp()).exp()

    def icdf(self, value: Any) -> Tensor:
        """m - s log(-log p), directly (the Uniform base's [tiny, 1 - eps] does not bound it)."""
        value = value if isinstance(value, Node) else Tensor(np.asarray(value, dtype=self._dtype()))
        return self.loc - self.scale * (-value.log()).log()

    @property
    def mean(self) -> Tensor:
        return self.loc + self.scale * _EULER_GAMMA

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def stddev(self) -> Tensor:
        return (math.pi / math.sqrt(6)) * self.scale

    @property
    def variance(self) -> Tensor:
        return self.stddev**2

    def entropy(self) -> Tensor:
        return self.scale.log() + (1 + _EULER_GAMMA)


class Pareto(TransformedDistribution):
    """The Pareto (type I) distribution on [scale, inf): see the module docstring."""

    arg_constraints = {"alpha": positive, "scale": positive}

    def __init__(self, scale: Any, alpha: Any, validate_args: bool | None = None) -> None:
        self.scale, self.alpha = broadcast_all(scale, alpha)
        base = Exponential(self.alpha, validate_args=validate_args)
        super().__init__(base, [ExpTransform(), AffineTransform(loc=0, scale=self.scale)], validate_args=validate_args)

    @dependent_property(is_discrete=False, event_dim=0)
    def support(self) -> Constraint:  # type: ignore[override]
        return greater_than_eq(self.scale._data)

    def _alpha_above(self, bound: float) -> Tensor:
        """alpha where it exceeds ``bound``, bound + 1 elsewhere (where the moment is inf and is set so)."""
        return where(Tensor(self.alpha._data > bound), self.alpha, bound + 1.0)

    @property
    def mean(self) -> Tensor:
        a = self._alpha_above(1)
        return _masked(a * self.scale / (a - 1), self.alpha._data <= 1, math.inf)

    @property
    def mode(self) -> Tensor:
        return self.scale

    @property
    def variance(self) -> Tensor:
        a = self._alpha_above(2)
        return _masked(self.scale**2 * a / ((a - 1) ** 2 * (a - 2)), self.alpha._data <= 2, math.inf)

    def entropy(self) -> Tensor:
        return (self.scale / self.alpha).log() + (1 + self.alpha.reciprocal())


class Weibull(TransformedDistribution):
    """The two-parameter Weibull distribution on (0, inf): see the module docstring."""

    arg_constraints = {"scale": positive, "concentration": positive}
    support = positive  # type: ignore[assignment]

    def __init__(self, scale: Any, concentration: Any, validate_args: bool | None = None) -> None:
        self.scale, self.concentration = broadcast_all(scale, concentration)
        self.concentration_reciprocal = self.concentration.reciprocal()
        base = Exponential(ones_like(self.scale), validate_args=validate_args)
        transforms = [PowerTransform(exponent=self.concentration_reciprocal), AffineTransform(loc=0, scale=self.scale)]
        super().__init__(base, transforms, validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.scale * (1 + self.concentration_reciprocal).lgamma().exp()

    @property
    def mode(self) -> Tensor:
        k = self.concentration
        above_one = Tensor(k._data > 1)
        k = where(above_one, k, 2.0)
        return where(above_one, self.scale * ((k - 1) / k) ** k.reciprocal(), 0.0)

    @property
    def variance(self) -> Tensor:
        r = self.concentration_reciprocal
        return self.scale**2 * ((1 + 2 * r).lgamma().exp() - (2 * (1 + r).lgamma()).exp())

    def entropy(self) -> Tensor:
        r = self.concentration_reciprocal
        return _EULER_GAMMA * (1 - r) + (self.scale * r).log() + 1


def _kumaraswamy_moment(a: Tensor, b: Tensor, n: int) -> Tensor:
    """E x^n = b B(1 + n/a, b) for x ~ Kumaraswamy(a, b)."""
    shifted = 1 + n / a
    return b * (shifted.lgamma() + b.lgamma() - (shifted + b).lgamma()).exp()


class Kumaraswamy(TransformedDistribution):
    """The Kumaraswamy distribution on (0, 1): see the module docstring."""

    arg_constraints = {"concentration1": positive, "concentration0": positive}
    support = unit_interval  # type: ignore[assignment]

    def __init__(self, concentration1: Any, concentration0: Any, validate_args: bool | None = None) -> None:
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        base = Uniform(
            full_like(self.concentration0, 0), full_like(self.concentration0, 1), validate_args=validate_args
        )
        transforms = [
            PowerTransform(exponent=self.concentration0.reciprocal()),
            AffineTransform(loc=1.0, scale=-1.0),
            PowerTransform(exponent=self.concentration1.reciprocal()),
        ]
        super().__init__(base, transforms, validate_args=validate_args)

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return True

    @property
    def mean(self) -> Tensor:
        return _kumaraswamy_moment(self.concentration1, self.concentration0, 1)

    @property
    def mode(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        undefined = (a._data < 1) | (b._data < 1) | ((a._data == 1) & (b._data == 1))
        a, b = _masked(a, undefined, 2.0), _masked(b, undefined, 2.0)
        return _masked(((a - 1) / (a * b - 1)) ** a.reciprocal(), undefined, math.nan)

    @property
    def variance(self) -> Tensor:
        return _kumaraswamy_moment(self.concentration1, self.concentration0, 2) - self.mean**2

    def entropy(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        harmonic = (b + 1).digamma() + _EULER_GAMMA
        return (1 - b.reciprocal()) + (1 - a.reciprocal()) * harmonic - a.log() - b.log()
