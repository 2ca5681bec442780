"""``ContinuousBernoulli`` (torch.distributions'), an ``ExponentialFamily`` (re-exported here, as before).

ContinuousBernoulli(lambda) on [0, 1] (Loaiza-Ganem and Cunningham, 2019): density C(lambda) lambda^x (1 - lambda)^(1-x),
given by ``probs`` lambda in (0, 1) (not a probability) or ``logits`` eta = log(lambda / (1 - lambda)):

    log C = log(2 atanh(1 - 2 lambda) / (1 - 2 lambda))   = log|log(1 - lambda) - log lambda| - log|1 - 2 lambda|
    mean  = lambda / (2 lambda - 1) + 1 / (log(1 - lambda) - log lambda)
    var   = lambda (lambda - 1) / (1 - 2 lambda)^2 + 1 / (log(1 - lambda) - log lambda)^2
    cdf   = (lambda^x (1 - lambda)^(1-x) + lambda - 1) / (2 lambda - 1),  icdf its inverse

Each is 0/0 at lambda = 1/2, so inside ``lims`` (torch's (0.499, 0.501)) its Taylor series in lambda - 1/2 is used, and
the closed form is evaluated at lims[0] there (torch's: no nan reaches a gradient). Draws are icdf(u), u ~ U[0, 1),
so ``rsample`` is differentiable in the parameter.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .discrete_distributions import _one_of, clamp_probs
from .distribution_base import broadcast_all, lazy_property
from .distribution_constraints import real, unit_interval
from .exponential_family import ExponentialFamily
from .grad_mode import no_grad
from .tensor import Tensor, where
from .tensor_functions import rand

__all__ = ["ContinuousBernoulli", "ExponentialFamily"]


class ContinuousBernoulli(ExponentialFamily):
    """The continuous Bernoulli on [0, 1], one per entry of ``probs`` (or of ``logits``): see the module docstring.

    log p(x) = x eta - softplus(eta) + log C (minus torch's binary cross-entropy with logits, plus log C); entropy
    mean (log(1 - lambda) - log lambda) - log C - log(1 - lambda). ``probs`` are checked against [0, 1] when
    validating (torch checks them only when validate_args is given explicitly) and then clamped to [eps, 1 - eps];
    probs made from logits are clamped the same way (torch's)."""

    arg_constraints = {"probs": unit_interval, "logits": real}
    support = unit_interval
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(
        self,
        probs: Any = None,
        logits: Any = None,
        lims: tuple[float, float] = (0.499, 0.501),
        validate_args: bool | None = None,
    ) -> None:
        _one_of(probs, logits)
        self._lims = (float(lims[0]), float(lims[1]))
        if probs is not None:
            (self.probs,) = broadcast_all(probs)
            param = self.probs
        else:
            (self.logits,) = broadcast_all(logits)
            param = self.logits
        super().__init__(tuple(param.shape), validate_args=validate_args)
        if probs is not None:
            self.probs = clamp_probs(self.probs)

    @lazy_property
    def logits(self) -> Tensor:  # type: ignore[override]
        clamped = clamp_probs(self.probs)
        return clamped.log() - (-clamped).log1p()

    @lazy_property
    def probs(self) -> Tensor:  # type: ignore[override]
        return clamp_probs(self.logits.sigmoid())

    @property
    def param_shape(self) -> tuple[int, ...]:
        return self._batch_shape

    def _outside_unstable_region(self) -> Tensor:
        """Where lambda <= lims[0] or lambda > lims[1]: the closed forms are used there."""
        probs = self.probs._data
        return Tensor(np.asarray((probs <= self._lims[0]) | (probs > self._lims[1])))

    def _cut_probs(self) -> Tensor:
        """lambda outside the unstable region, lims[0] inside it (so the closed forms stay finite there)."""
        return where(self._outside_unstable_region(), self.probs, self._lims[0])

    def _log_norm(self) -> Tensor:
        """log C(lambda); inside lims, log 2 + (4/3 + 104/45 y) y with y = (lambda - 1/2)^2."""
        cut = self._cut_probs()
        below_half = where(cut <= 0.5, cut, 0.0)
        above_half = where(cut >= 0.5, cut, 1.0)
        log_norm = ((-cut).log1p() - cut.log()).abs().log() - where(
            cut <= 0.5, (-2.0 * below_half).log1p(), (2.0 * above_half - 1.0).log()
        )
        y = (self.probs - 0.5) ** 2
        taylor = math.log(2.0) + (4.0 / 3.0 + 104.0 / 45.0 * y) * y
        return where(self._outside_unstable_region(), log_norm, taylor)

    @property
    def mean(self) -> Tensor:
        cut = self._cut_probs()
        closed = cut / (2.0 * cut - 1.0) + 1.0 / ((-cut).log1p() - cut.log())
        x = self.probs - 0.5
        taylor = 0.5 + (1.0 / 3.0 + 16.0 / 45.0 * x**2) * x
        return where(self._outside_unstable_region(), closed, taylor)

    @property
    def variance(self) -> Tensor:
        cut = self._cut_probs()
        closed = cut * (cut - 1.0) / (1.0 - 2.0 * cut) ** 2 + 1.0 / ((-cut).log1p() - cut.log()) ** 2
        y = (self.probs - 0.5) ** 2
        taylor = 1.0 / 12.0 - (1.0 / 15.0 - 128.0 / 945.0 * y) * y
        return where(self._outside_unstable_region(), closed, taylor)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.icdf(rand(self._extended_shape(sample_shape), dtype=self.probs.dtype))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        u = rand(self._extended_shape(sample_shape), dtype=self.probs.dtype)
        with no_grad():
            return self.icdf(u)

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        logits, value = broadcast_all(self.logits, value)
        return value * logits - logits.softplus() + self._log_norm()

    def cdf(self, value: Any) -> Tensor:
        """0 below 0, 1 above 1; x itself (the uniform's) inside lims."""
        value = self._value_tensor(value)
        cut = self._cut_probs()
        closed = (cut**value * (1.0 - cut) ** (1.0 - value) + cut - 1.0) / (2.0 * cut - 1.0)
        unbounded = where(self._outside_unstable_region(), closed, value)
        return where(value <= 0.0, 0.0, where(value >= 1.0, 1.0, unbounded))

    def icdf(self, value: Any) -> Tensor:
        """(log1p(-lambda + u (2 lambda - 1)) - log1p(-lambda)) / (log lambda - log1p(-lambda)); u inside lims."""
        cut = self._cut_probs()
        closed = ((-cut + value * (2.0 * cut - 1.0)).log1p() - (-cut).log1p()) / (cut.log() - (-cut).log1p())
        return where(self._outside_unstable_region(), closed, value)

    def entropy(self) -> Tensor:
        log_probs0 = (-self.probs).log1p()
        log_probs1 = self.probs.log()
        return self.mean * (log_probs0 - log_probs1) - self._log_norm() - log_probs0

    @property
    def _natural_params(self) -> tuple[Tensor, ...]:
        return (self.logits,)

    def _log_normalizer(self, *natural_params: Tensor) -> Tensor:
        """log((e^eta - 1) / eta); inside the lims' logits, eta/2 + eta^2/24 - eta^4/2880 (torch's)."""
        (x,) = natural_params
        low, high = self._lims[0] - 0.5, self._lims[1] - 0.5
        outside = Tensor(np.asarray((x._data <= low) | (x._data > high)))
        cut = where(outside, x, low)
        log_norm = cut.expm1().abs().log() - cut.abs().log()
        taylor = 0.5 * x + x**2 / 24.0 - x**4 / 2880.0
        return where(outside, log_norm, taylor)
