"""``Exponential``, ``Laplace``, ``Gamma``, ``Beta`` and ``Dirichlet`` (torch.distributions' of those names).

Exponential and Laplace draw by inverting their cdf at a uniform draw, so ``rsample`` is differentiable in the
parameters. Gamma draws with numpy's sampler; its ``rsample`` is differentiable in the concentration by implicit
reparameterisation (:mod:`autograd.implicit_gamma`, torch's), and in the rate as z / rate; Beta's and Dirichlet's
``rsample`` normalise such gamma draws (``sample`` uses numpy's Beta and Dirichlet samplers). Their densities,
entropies and moments are differentiable in the parameters:

    Gamma(a, b):  log p(x) = a log b + (a - 1) log x - b x - lgamma(a)
    Beta(a, b):   log p(x) = (a - 1) log x + (b - 1) log(1 - x) - lgamma(a) - lgamma(b) + lgamma(a + b)
    Dirichlet(a): log p(x) = sum_k (a_k - 1) log x_k + lgamma(sum_k a_k) - sum_k lgamma(a_k)

(with 0 log 0 = 0, as torch's xlogy).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .core import Node
from .default_dtype import get_default_dtype
from .distribution_base import Distribution, broadcast_all
from .distribution_constraints import independent, nonnegative, positive, real, simplex, unit_interval
from .exponential_family import ExponentialFamily
from .implicit_gamma import standard_gamma_with_slope
from .random_state import generator_for
from .special import gammainc
from .tensor import Tensor, where
from .tensor_functions import rand, stack

__all__ = ["Beta", "Dirichlet", "Exponential", "Gamma", "Laplace"]


def _numpy_draws(
    distribution: Distribution, sample_shape: Any, draw: Any, *params: Tensor, below_one: bool = False
) -> Tensor:
    """A draw of ``distribution``'s extended shape: :func:`_draws_of_shape`."""
    return _draws_of_shape(distribution._extended_shape(sample_shape), draw, *params, below_one=below_one)


def _draws_of_shape(shape: tuple[int, ...], draw: Any, *params: Tensor, below_one: bool = False) -> Tensor:
    """A draw of ``shape`` made by ``draw(rng, *params)`` with numpy's sampler on the library's random state
    (``autograd.manual_seed``'s), each parameter broadcast to that shape; in the parameters' dtype.

    Draws are kept strictly inside the support as torch's: at least the dtype's smallest normal number (tiny), and,
    with ``below_one``, at most the float below 1. With a small concentration the sampler underflows to 0 (or to 1
    for Beta), where log_prob of the draw would be infinite; torch's Gamma clamps to tiny the same way."""
    draws = draw(generator_for(None), *(np.broadcast_to(p._data, shape) for p in params))
    dtype = np.dtype(params[0].dtype)
    draws = np.asarray(draws).astype(dtype, copy=False)  # (numpy's samplers give a Python number for 0-d parameters)
    upper = np.nextafter(dtype.type(1), dtype.type(0)) if below_one else None
    return Tensor(np.clip(draws, np.finfo(dtype).tiny, upper).astype(dtype, copy=False))


def _standard_gamma(shape: tuple[int, ...], concentration: Tensor) -> Tensor:
    """Gamma(concentration, 1) draws of ``shape`` (at least tiny, as torch's), differentiable in the concentration by
    implicit reparameterisation."""
    draws = _draws_of_shape(shape, np.random.Generator.standard_gamma, concentration)._data
    return standard_gamma_with_slope(concentration.expand(draws.shape), draws)


def _moved_within(draws: Tensor, upper: Any = None) -> Tensor:
    """``draws`` moved to within [tiny, ``upper``] (tiny: the dtype's smallest normal number), as torch clamps its
    gamma, Beta and Dirichlet draws: a gamma draw over a large rate, or a ratio of gamma draws of small
    concentrations, rounds to 0 (or 1), where log_prob is infinite. Only the values move (by a constant, so the
    gradients are the unclamped draws', as torch's, whose clamp is outside the draw's derivative)."""
    data = draws._data
    inside = np.clip(data, np.finfo(np.dtype(data.dtype)).tiny, upper)
    return draws + Tensor(inside - data) if np.any(inside != data) else draws


def _strictly_inside(fractions: Tensor) -> Tensor:
    """``fractions`` moved to within [tiny, the float below 1] (:func:`_moved_within`)."""
    dtype = np.dtype(fractions.dtype)
    return _moved_within(fractions, np.nextafter(dtype.type(1), dtype.type(0)))


class Exponential(ExponentialFamily):
    """Exp(rate): density rate e^(-rate x) on x >= 0; rsample -log(1 - u) / rate, u ~ U[0, 1)."""

    arg_constraints = {"rate": positive}
    support = nonnegative
    has_rsample = True

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(tuple(self.rate.shape), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return 1 / self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate * 0

    @property
    def variance(self) -> Tensor:
        return self.rate**-2

    @property
    def stddev(self) -> Tensor:
        """1 / rate, not sqrt(rate^-2): the square overflows (inf) or underflows (0) for a rate beyond 1e+-154."""
        return 1 / self.rate

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        return self.icdf(rand(self._extended_shape(sample_shape), dtype=self.rate.dtype))

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        return self.rate.log() - self.rate * value

    def cdf(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        return -(-self.rate * value).expm1()  # (1 - exp cancels to 0 below rate x = 1e-16)

    def icdf(self, value: Any) -> Tensor:
        return -(-value).log1p() / self.rate

    def entropy(self) -> Tensor:
        return 1.0 - self.rate.log()


class Laplace(Distribution):
    """Laplace(loc, scale): density e^(-|x - loc| / scale) / (2 scale); rsample by the inverse cdf."""

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
    def variance(self) -> Tensor:
        return 2 * self.scale**2

    @property
    def stddev(self) -> Tensor:
        return math.sqrt(2) * self.scale

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        # u in (-1, 1): loc - scale sign(u) log(1 - |u|), torch's formula
        eps = float(np.finfo(np.dtype(self.loc.dtype)).eps)
        u = rand(self._extended_shape(sample_shape), dtype=self.loc.dtype) * (2 - 2 * eps) + (eps - 1)
        return self.loc - self.scale * u.sign() * (-u.abs()).log1p()

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        return -(2 * self.scale).log() - (value - self.loc).abs() / self.scale

    def cdf(self, value: Any) -> Tensor:
        """e^(-|z|) / 2 below loc, 1 - e^(-|z|) / 2 above, z = (x - loc) / scale (torch's 1/2 - 1/2 sign(z)
        expm1(-|z|) cancels to 0 in the left tail)."""
        value = self._value_tensor(value)
        z = value - self.loc
        tail = 0.5 * (-z.abs() / self.scale).exp()
        return where(Tensor(z._data < 0), tail, 1 - tail)

    def icdf(self, value: Any) -> Tensor:
        """loc + scale log(2 p) below the median, loc - scale log(2 (1 - p)) above (torch's log1p(-2 |p - 1/2|) is
        -inf below p = 1e-17)."""
        value = value if isinstance(value, Node) else Tensor(np.asarray(value, dtype=self.loc.dtype))
        below = Tensor(np.asarray(value._data) < 0.5)
        return self.loc + self.scale * where(below, (2 * value).log(), -(2 - 2 * value).log())

    def entropy(self) -> Tensor:
        return 1 + (2 * self.scale).log()


class Gamma(ExponentialFamily):
    """Gamma(concentration a, rate b): density b^a x^(a-1) e^(-b x) / Gamma(a) on x >= 0."""

    arg_constraints = {"concentration": positive, "rate": positive}
    has_rsample = True
    support = nonnegative  # x = 0 included, as torch's: density inf (a < 1), b (a = 1), 0 (a > 1) there

    def __init__(self, concentration: Any, rate: Any, validate_args: bool | None = None) -> None:
        self.concentration, self.rate = broadcast_all(concentration, rate)
        super().__init__(tuple(self.rate.shape), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate**2

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return _numpy_draws(
            self, sample_shape, lambda rng, a, b: rng.standard_gamma(a) / b, self.concentration, self.rate
        )

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """z / b, z a Gamma(a, 1) draw of numpy's: d/db = -z / b^2, and d/da by implicit reparameterisation
        (:mod:`autograd.implicit_gamma`), as torch's."""
        return _moved_within(_standard_gamma(self._extended_shape(sample_shape), self.concentration) / self.rate)

    def cdf(self, value: Any) -> Tensor:
        """P(a, b x), the regularized lower incomplete gamma function (torch's); differentiable in x and the rate,
        not in the concentration (as torch's)."""
        value = self._value_tensor(value)
        return gammainc(self.concentration, self.rate * value)

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        a, b = self.concentration, self.rate
        return a.xlogy(b) + (a - 1).xlogy(value) - b * value - a.lgamma()  # xlogy: 0 log 0 = 0, as torch's

    def entropy(self) -> Tensor:
        a = self.concentration
        return a - self.rate.log() + a.lgamma() + (1 - a) * a.digamma()


class Beta(ExponentialFamily):
    """Beta(concentration1 a, concentration0 b) on (0, 1): density x^(a-1) (1-x)^(b-1) / B(a, b)."""

    arg_constraints = {"concentration1": positive, "concentration0": positive}
    support = unit_interval
    has_rsample = True

    def __init__(self, concentration1: Any, concentration0: Any, validate_args: bool | None = None) -> None:
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        super().__init__(tuple(self.concentration1.shape), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.concentration1 / (self.concentration1 + self.concentration0)

    @property
    def mode(self) -> Tensor:
        """The first entry of the mode of Dirichlet(a, b), as torch's: (a - 1) / (a + b - 2) where both exceed 1, 0
        where only a < 1, 1 where only b < 1; where both are below 1 (density highest at both ends) 1, the vertex
        torch picks; nan at a = b = 1 (uniform)."""
        concentrations = stack([self.concentration1, self.concentration0], -1)
        return Dirichlet(concentrations, validate_args=False).mode[..., 0]

    @property
    def variance(self) -> Tensor:
        total = self.concentration1 + self.concentration0
        return self.concentration1 * self.concentration0 / (total**2 * (total + 1))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return _numpy_draws(
            self, sample_shape, np.random.Generator.beta, self.concentration1, self.concentration0, below_one=True
        )

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """g1 / (g1 + g0), g1 and g0 Gamma(a, 1) and Gamma(b, 1) draws, each differentiable in its concentration by
        implicit reparameterisation (torch's Beta is a two-entry Dirichlet, reparameterised the same way)."""
        first = _standard_gamma(self._extended_shape(sample_shape), self.concentration1)
        return _strictly_inside(
            first / (first + _standard_gamma(self._extended_shape(sample_shape), self.concentration0))
        )

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        a, b = self.concentration1, self.concentration0
        return (a - 1).xlogy(value) + (b - 1).xlogy(1 - value) - self._log_beta()  # xlogy: 0 log 0 = 0, as torch's

    def entropy(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        total = a + b
        return self._log_beta() - (a - 1) * a.digamma() - (b - 1) * b.digamma() + (total - 2) * total.digamma()

    def _log_beta(self) -> Tensor:
        """log B(a, b) = lgamma(a) + lgamma(b) - lgamma(a + b)."""
        a, b = self.concentration1, self.concentration0
        return a.lgamma() + b.lgamma() - (a + b).lgamma()


class Dirichlet(ExponentialFamily):
    """Dirichlet(concentration a): probability vectors x on the simplex of the last axis (K entries), density
    prod_k x_k^(a_k - 1) / B(a), B(a) = prod_k Gamma(a_k) / Gamma(sum_k a_k); event_shape (K,), batch_shape the
    concentration's shape without its last axis (a_k > 0).

    mean a / a0, variance a (a0 - a) / (a0^2 (a0 + 1)) (a0 = sum_k a_k), entropy
    log B(a) + (a0 - K) digamma(a0) - sum_k (a_k - 1) digamma(a_k); draws normalise independent Gamma(a_k, 1)
    draws made with numpy's sampler (each at least the dtype's tiny, as torch's), differentiable in the concentration
    (``rsample``) by implicit reparameterisation.
    """

    arg_constraints = {"concentration": independent(positive, 1)}
    support = simplex
    has_rsample = True

    def __init__(self, concentration: Any, validate_args: bool | None = None) -> None:
        if not isinstance(concentration, Node):
            array = np.asarray(concentration)
            concentration = Tensor(array if array.dtype.kind == "f" else array.astype(get_default_dtype()))
        if concentration.ndim < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        shape = tuple(concentration.shape)
        super().__init__(shape[:-1], shape[-1:], validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self) -> Tensor:
        """(a - 1)+ / sum (a - 1)+; where every a_k < 1, the one-hot vertex of the largest of those (torch's)."""
        shifted = (self.concentration - 1).clamp(min=0.0)
        mode = shifted / shifted.sum(-1, keepdim=True)
        below_one = np.all(self.concentration._data < 1, axis=-1)
        if not below_one.any():
            return mode
        k = self._event_shape[0]
        vertex = np.eye(k, dtype=mode.dtype)[np.argmax(mode._data, axis=-1)]
        return where(Tensor(below_one[..., None]), Tensor(vertex), mode)

    @property
    def variance(self) -> Tensor:
        a = self.concentration
        total = a.sum(-1, keepdim=True)
        return a * (total - a) / (total**2 * (total + 1))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        gammas = _numpy_draws(self, sample_shape, np.random.Generator.standard_gamma, self.concentration)._data
        return Tensor(gammas / gammas.sum(-1, keepdims=True))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """g / sum_k g_k, g_k Gamma(a_k, 1) draws, each differentiable in a_k by implicit reparameterisation: the
        normalised draw is Dirichlet(a), and its gradients are unbiased for those of any expectation under it, as
        torch's (which differentiates the normalised draw jointly: the same expectation, other draws' values)."""
        gammas = _standard_gamma(self._extended_shape(sample_shape), self.concentration)
        return _strictly_inside(gammas / gammas.sum(-1, keepdim=True))

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        a = self.concentration
        return (a - 1).xlogy(value).sum(-1) + a.sum(-1).lgamma() - a.lgamma().sum(-1)

    def entropy(self) -> Tensor:
        a = self.concentration
        k = self._event_shape[0]
        total = a.sum(-1)
        return a.lgamma().sum(-1) - total.lgamma() - (k - total) * total.digamma() - ((a - 1) * a.digamma()).sum(-1)
