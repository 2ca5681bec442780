"""``VonMises(loc, concentration)``: the circular normal distribution on angles (torch.distributions.VonMises).

    log p(x) = kappa cos(x - loc) - log(2 pi) - log I0(kappa),   variance 1 - I1(kappa) / I0(kappa) (circular)

log I0 and I1 / I0 are the library's Bessel functions (``Tensor.i0``, the recorded ``i1``) below kappa = 50 and their
asymptotic series above (e^kappa overflows past 700 in float64 and past 88 in float32); torch uses polynomial fits
of them (about 1e-7 relative), so the values here are closer to the true ones than torch's. Draws are Best and
Fisher's rejection sampler in float64, as torch's (no rsample: has_rsample is False, as torch's), wrapped to
[-pi, pi) around loc.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import special
from .distribution_base import Distribution, broadcast_all
from .distribution_constraints import positive, real
from .random_state import generator_for
from .tensor import Tensor, where

__all__ = ["VonMises"]

#: Below this kappa, I0 and I1 are the library's; from it up, their asymptotic series.
_ASYMPTOTIC_FROM = 50.0
_SERIES_TERMS = 20


def _asymptotic_series(order: int, kappa: Tensor) -> Tensor:
    """sum_k prod_(j <= k) ((2j - 1)^2 - 4 order^2) / (8 j kappa): I_order(kappa) sqrt(2 pi kappa) e^-kappa for large
    kappa (every term positive for order 0, and for order 1 after the first; 20 terms reach float64 at kappa = 50)."""
    term = kappa * 0 + 1
    total = term
    for j in range(1, _SERIES_TERMS):
        term = term * (((2 * j - 1) ** 2 - 4 * order**2) / (8 * j)) / kappa
        total = total + term
    return total


def log_bessel_i0(kappa: Tensor) -> Tensor:
    """log I0(kappa) for kappa >= 0, differentiable (d/dkappa = I1 / I0), finite for every finite kappa."""
    near = kappa < _ASYMPTOTIC_FROM
    small = where(near, kappa, 1.0).i0().log()
    far = where(near, _ASYMPTOTIC_FROM, kappa)
    large = far - 0.5 * (2 * math.pi * far).log() + _asymptotic_series(0, far).log()
    return where(near, small, large)


def bessel_i1_over_i0(kappa: Tensor) -> Tensor:
    """I1(kappa) / I0(kappa) for kappa >= 0, differentiable, without overflow."""
    near = kappa < _ASYMPTOTIC_FROM
    small_kappa = where(near, kappa, 1.0)
    small = special.i1(small_kappa) / small_kappa.i0()
    far = where(near, _ASYMPTOTIC_FROM, kappa)
    return where(near, small, _asymptotic_series(1, far) / _asymptotic_series(0, far))


def _rejection_sample(loc: np.ndarray, kappa: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Best and Fisher's (1979) sampler, torch's: with the wrapped-Cauchy proposal's r, draw u1, u2, u3 ~ U[0, 1),
    z = cos(pi u1), f = (1 + r z) / (r + z), c = kappa (r - f); accept where c (2 - c) > u2 or log(c / u2) + 1 >= c,
    the angle then sign(u3 - 1/2) arccos f; redrawn where rejected. Float64 arrays of one shape.

    Where kappa > 1e6 the angle is numpy's wrapped normal's, N(0, 1 / kappa) (its error O(1 / kappa) is below any
    test's): there r - 1 ~ 1 / (2 kappa) loses its digits, and from kappa ~ 1e17 r rounds to 1, which nothing
    accepts (torch's sampler hangs)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # (the branch np.where does not take)
        tau = 1 + np.sqrt(1 + 4 * kappa**2)
        rho = (tau - np.sqrt(2 * tau)) / (2 * kappa)
        proposal_r = np.where(kappa < 1e-5, 1 / kappa + kappa, (1 + rho**2) / (2 * rho))
    angles = np.zeros(kappa.shape)
    wrapped_normal = (kappa > 1e6).ravel()
    if wrapped_normal.any():
        angles.ravel()[wrapped_normal] = rng.standard_normal(int(wrapped_normal.sum())) / np.sqrt(
            kappa.ravel()[wrapped_normal]
        )
    pending = np.flatnonzero(~wrapped_normal)
    kappa_flat, r_flat = kappa.ravel(), proposal_r.ravel()
    while pending.size:
        u1, u2, u3 = rng.random((3, pending.size))
        z = np.cos(math.pi * u1)
        r = r_flat[pending]
        f = np.clip((1 + r * z) / (r + z), -1.0, 1.0)
        c = kappa_flat[pending] * (r - f)
        with np.errstate(divide="ignore", invalid="ignore"):
            accept = (c * (2 - c) - u2 > 0) | (np.log(c / u2) + 1 - c >= 0)
        angles.ravel()[pending[accept]] = np.sign(u3[accept] - 0.5) * np.arccos(f[accept])
        pending = pending[~accept]
    return (angles + math.pi + loc) % (2 * math.pi) - math.pi


class VonMises(Distribution):
    """VonMises(loc, concentration kappa > 0), one per entry of the broadcast parameters: density
    e^(kappa cos(x - loc)) / (2 pi I0(kappa)); mean and mode loc, variance the circular 1 - I1(kappa) / I0(kappa)."""

    arg_constraints = {"loc": real, "concentration": positive}
    support = real

    def __init__(self, loc: Any, concentration: Any, validate_args: bool | None = None) -> None:
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(tuple(self.loc.shape), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return 1 - bessel_i1_over_i0(self.concentration)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """Angles in [-pi, pi) (torch's wrapping), drawn in float64 and given in loc's dtype, outside the graph."""
        shape = self._extended_shape(sample_shape)
        loc = np.broadcast_to(np.asarray(self.loc._data, dtype=np.float64), shape)
        kappa = np.broadcast_to(np.asarray(self.concentration._data, dtype=np.float64), shape)
        angles = _rejection_sample(loc, kappa, generator_for(None))
        return Tensor(angles.astype(self.loc.dtype, copy=False))

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        kappa = self.concentration
        return kappa * (value - self.loc).cos() - math.log(2 * math.pi) - log_bessel_i0(kappa)
