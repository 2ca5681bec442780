"""``GeneralizedPareto(loc, scale, concentration)`` (torch.distributions.GeneralizedPareto, torch 2.5 on).

With z = (x - loc) / scale and concentration c, the survival function is S(x) = (1 + c z)^(-1/c) (e^-z at c = 0), so

    log p(x) = -log scale - (1 / c + 1) log1p(c z)         (-log scale - z at c = 0)
    icdf(u)  = loc + scale / c expm1(-c log1p(-u))           (loc - scale log1p(-u) at c = 0)

on x >= loc, bounded above by loc - scale / c where c < 0; c = 0 is the Exponential, c = -1 the Uniform on
[loc, loc + scale], c > 0 a Pareto shifted to start at loc. mean loc + scale / (1 - c) (nan where c >= 1), variance
scale^2 / ((1 - c)^2 (1 - 2 c)) (nan where c >= 1/2), mode loc, entropy log scale + c + 1; rsample is icdf of a
uniform draw, differentiable in the three parameters. As torch's, a concentration within 1e-8 of 0 takes the c = 0
forms (torch.isclose's default tolerance), and at c = -1 the log-density's 0 log 0 at the upper end is 0.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .distribution_base import Distribution, broadcast_all
from .distribution_constraints import Constraint, dependent_property, interval, positive, real
from .tensor import Tensor, where
from .tensor_functions import rand

__all__ = ["GeneralizedPareto"]

#: Concentrations within this of 0 take the exponential (c = 0) forms: torch.isclose(c, 0)'s default atol.
_ZERO_WITHIN = 1e-8


class GeneralizedPareto(Distribution):
    """The generalized Pareto distribution: see the module docstring."""

    arg_constraints = {"loc": real, "scale": positive, "concentration": real}
    has_rsample = True

    def __init__(self, loc: Any, scale: Any, concentration: Any, validate_args: bool | None = None) -> None:
        self.loc, self.scale, self.concentration = broadcast_all(loc, scale, concentration)
        super().__init__(tuple(self.loc.shape), validate_args=validate_args)

    def _zero_and_safe_concentration(self) -> tuple[Tensor, Tensor]:
        """Where c counts as 0, and c with 1 there (so that no branch divides by 0; those entries take the c = 0
        form)."""
        zero = Tensor(np.abs(self.concentration._data) <= _ZERO_WITHIN)
        return zero, where(zero, 1.0, self.concentration)

    @dependent_property(is_discrete=False, event_dim=0)
    def support(self) -> Constraint:  # type: ignore[override]
        lower, c = self.loc._data, self.concentration._data
        with np.errstate(divide="ignore"):
            upper = np.where(c < 0, lower - self.scale._data / c, math.inf)
        return interval(lower, upper)

    @property
    def mean(self) -> Tensor:
        valid = self.concentration < 1
        safe = where(valid, self.concentration, 0.5)
        return where(valid, self.loc + self.scale / (1 - safe), math.nan)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        valid = self.concentration < 0.5
        safe = where(valid, self.concentration, 0.25)
        return where(valid, self.scale**2 / ((1 - safe) ** 2 * (1 - 2 * safe)), math.nan)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.icdf(rand(self._extended_shape(sample_shape), dtype=self.loc.dtype))

    def log_prob(self, value: Any) -> Tensor:
        z = (self._value_tensor(value) - self.loc) / self.scale
        zero, c = self._zero_and_safe_concentration()
        power = 1 / c + 1
        tail = where(power == 0, power, power * (c * z).log1p())  # (c = -1: 0, not 0 * -inf at the upper end)
        return -self.scale.log() - where(zero, z, tail)

    def log_survival_function(self, value: Any) -> Tensor:
        """log S(x) = -log1p(c z) / c (-z at c = 0)."""
        z = (self._value_tensor(value) - self.loc) / self.scale
        zero, c = self._zero_and_safe_concentration()
        return where(zero, -z, -(c * z).log1p() / c)

    def log_cdf(self, value: Any) -> Tensor:
        """log(1 - S(x))."""
        return (-self.log_survival_function(value).exp()).log1p()

    def cdf(self, value: Any) -> Tensor:
        return self.log_cdf(value).exp()

    def icdf(self, value: Any) -> Tensor:
        log_survival = (-value).log1p()
        zero, c = self._zero_and_safe_concentration()
        return where(
            zero, self.loc - self.scale * log_survival, self.loc + self.scale / c * (-c * log_survival).expm1()
        )

    def entropy(self) -> Tensor:
        return self.scale.log() + self.concentration + 1
