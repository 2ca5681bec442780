"""``Poisson``, ``Binomial``, ``Geometric`` and ``Multinomial``: distributions of counts (torch.distributions' of
those names). Draws are made with numpy's samplers on the library's random state (``autograd.manual_seed``'s) and
are floats of the parameters' dtype, as torch's; densities, entropies and moments are differentiable in the
parameters:

    Poisson(r):       log p(k) = k log r - r - lgamma(k + 1)                 (0 log 0 = 0, torch's xlogy)
    Binomial(n, p):   log p(k) = k x - n softplus(x) + lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1),  x = logit p
    Geometric(p):     log p(k) = k log(1 - p) + log p   (k failures before the first success, k = 0, 1, ...)
    Multinomial(n, p): log p(x) = lgamma(sum x + 1) - sum lgamma(x + 1) + sum x log p
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .discrete_distributions import BinaryParameter, Categorical, CategoricalBacked
from .distribution_base import Distribution, broadcast_all
from .distribution_constraints import (
    Constraint,
    dependent_property,
    integer_interval,
    multinomial,
    nonnegative,
    nonnegative_integer,
    real,
    real_vector,
    simplex,
    unit_interval,
)
from .exponential_family import ExponentialFamily
from .random_state import generator_for, unit_uniform
from .tensor import Tensor, where
from .tensor_functions import arange, minimum

__all__ = ["Binomial", "Geometric", "Multinomial", "Poisson"]


def _draws(distribution: Distribution, sample_shape: Any, draw: Any, *params: Tensor) -> Tensor:
    """``draw(rng, *params)`` with numpy's sampler on the library's random state, each parameter broadcast to the
    draw's shape (sample_shape + batch_shape + event_shape), as a Tensor of the first parameter's dtype."""
    shape = distribution._extended_shape(sample_shape)
    draws = draw(generator_for(None), *(np.broadcast_to(p._data, shape) for p in params))
    return Tensor(np.asarray(draws).astype(params[0].dtype, copy=False))


class Poisson(ExponentialFamily):
    """Poisson(rate): counts k = 0, 1, ... with probability rate^k e^(-rate) / k!, one per entry of ``rate`` (>= 0).

    mean = variance = rate, mode floor(rate); log_prob is xlogy(k, rate) - rate - lgamma(k + 1), so a rate of 0
    gives log p(0) = 0 (torch's convention); no entropy (torch has none).
    """

    arg_constraints = {"rate": nonnegative}
    support: Constraint = nonnegative_integer

    def __init__(self, rate: Any, validate_args: bool | None = None) -> None:
        (self.rate,) = broadcast_all(rate)
        super().__init__(tuple(self.rate.shape), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return self.rate

    @property
    def mode(self) -> Tensor:
        return self.rate.floor()

    @property
    def variance(self) -> Tensor:
        return self.rate

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return _draws(self, sample_shape, np.random.Generator.poisson, self.rate)

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - (value + 1).lgamma()


class Binomial(BinaryParameter, Distribution):
    """Binomial(total_count n, probs p | logits x): the number of successes in n independent trials, each a
    success with probability p = sigmoid(x), one per entry of the broadcast parameters (n a whole number >= 0).

    log p(k) = k x - n max(x, 0) - n log1p(e^(-|x|)) + lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1), torch's
    form, stable at any finite logit (n softplus(x) with softplus split at 0, whose gradient there is n / 2; at
    x = +-inf, p exactly 1 or 0, log p is 0 at the certain count n or 0 and -inf elsewhere, not nan); mean n p,
    variance n p (1 - p); the entropy sums over the support {0, ..., n}, so it and ``enumerate_support`` need one n
    for the whole batch (NotImplementedError otherwise, as torch's). ``total_count`` is kept in the parameters' dtype.
    """

    arg_constraints = {"total_count": nonnegative_integer, "probs": unit_interval, "logits": real}
    has_enumerate_support = True

    def __init__(
        self, total_count: Any = 1, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        count, param = self._take_probability(probs, logits, total_count)
        self.total_count = count.type_as(param)
        super().__init__(tuple(param.shape), validate_args=validate_args)

    @property
    def _param(self) -> Tensor:
        """The parameter given (probs or logits)."""
        return self.__dict__["probs"] if "probs" in self.__dict__ else self.logits

    @property
    def param_shape(self) -> tuple[int, ...]:
        return tuple(self._param.shape)

    @dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> Constraint:  # type: ignore[override]
        return integer_interval(0, self.total_count._data)

    @property
    def mean(self) -> Tensor:
        return self.total_count * self.probs

    @property
    def mode(self) -> Tensor:
        return minimum(((self.total_count + 1) * self.probs).floor(), self.total_count)

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        def draw(rng: np.random.Generator, p: np.ndarray, n: np.ndarray) -> np.ndarray:
            return np.asarray(rng.binomial(n.astype(np.int64), p)).astype(self._param.dtype)  # (0-d: an int)

        return _draws(self, sample_shape, draw, self.probs, self.total_count)  # probs first: the dtype

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        n, x = self.total_count, self.logits
        if np.isinf(x._data).any():  # p exactly 0 or 1: the count 0 or n is certain
            log_binomial = (n + 1).lgamma() - (value + 1).lgamma() - (n - value + 1).lgamma()
            return self._certain_log_likelihood(value, n - value, x) + log_binomial
        positive_part = (x.clamp(min=0) + x - x.clamp(max=0)) / 2  # max(x, 0), gradient 1/2 at 0 as torch's
        normalizer = n * positive_part + n * (-x.abs()).exp().log1p() - (n + 1).lgamma()
        return value * x - (value + 1).lgamma() - (n - value + 1).lgamma() - normalizer

    def _uniform_count(self, name: str) -> int:
        """The one total_count of the batch, NotImplementedError (torch's) when they differ."""
        counts = self.total_count._data
        n = int(counts.max())
        if counts.min() != n:
            raise NotImplementedError(f"Inhomogeneous total count not supported by `{name}`.")
        return n

    def entropy(self) -> Tensor:
        """-sum_k p(k) log p(k) over k = 0..n."""
        self._uniform_count("entropy")
        log_pmf = self.log_prob(self.enumerate_support(False))
        return -(log_pmf.exp() * log_pmf).sum(0)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """0, 1, ..., n in the parameters' dtype, shaped (n + 1,) + (1,) * len(batch_shape), expanded to
        (n + 1,) + batch_shape."""
        n = self._uniform_count("enumerate_support")
        values = arange(1 + n, dtype=self._param.dtype).reshape((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values


def _geometric_entropy(p: Tensor) -> Tensor:
    """-log p - (1 - p) log(1 - p) / p, the entropy of Geometric(p) for p in (0, 1)."""
    return -p.log() - (1 - p) / p * (-p).log1p()


class Geometric(BinaryParameter, Distribution):
    """Geometric(probs p | logits x): the number k = 0, 1, ... of failures before the first success in trials each
    a success with probability p = sigmoid(x) in (0, 1] (torch's convention; Tensor.geometric_ counts the trials).

    log p(k) = k log(1 - p) + log p (with 0 log 0 = 0 at p = 1, k = 0, as torch's), mean 1/p - 1, variance
    (1/p - 1)/p, entropy -log p - (1 - p) log(1 - p) / p (binary cross-entropy of p with itself, over p); draws
    floor(log u / log(1 - p)), u uniform on [tiny, 1), floats of the parameter's dtype.
    """

    arg_constraints = {"probs": unit_interval, "logits": real}
    support: Constraint = nonnegative_integer

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        (param,) = self._take_probability(probs, logits)
        super().__init__(tuple(param.shape), validate_args=validate_args)
        if self._validate_args and probs is not None and not np.all(param._data > 0):  # p = 0: no success ever
            raise ValueError(
                f"Expected parameter probs ({type(param).__name__} of shape {tuple(param.shape)}) of distribution "
                f"{self!r} to be positive but found invalid values:\n{param._data[~(param._data > 0)]}"
            )

    @property
    def mean(self) -> Tensor:
        return 1.0 / self.probs - 1.0

    @property
    def mode(self) -> Tensor:
        return self.probs * 0

    @property
    def variance(self) -> Tensor:
        return (1.0 / self.probs - 1.0) / self.probs

    def sample(self, sample_shape: Any = ()) -> Tensor:
        probs = self.probs._data
        dtype = np.dtype(probs.dtype)
        shape = self._extended_shape(sample_shape)
        u = np.maximum(unit_uniform(generator_for(None), shape, dtype), np.finfo(dtype).tiny)
        with np.errstate(divide="ignore", invalid="ignore"):
            return Tensor(np.floor(np.log(u) / np.log1p(-probs)).astype(dtype, copy=False))

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        value, probs = broadcast_all(value, self.probs)
        certain = (probs._data == 1) & (value._data == 0)  # 0 log 0 = 0: log p(0) = 0 when p = 1
        if certain.any():
            probs = where(Tensor(certain), 0.0, probs)
        return value * (-probs).log1p() + self.probs.log()

    def entropy(self) -> Tensor:
        """-log p - (1 - p) log(1 - p) / p from the probabilities (not the logits, clamped when made from
        probabilities below eps: 1 - log p for tiny p, not eps / p), 0 at p = 1."""
        probs = self.probs
        certain = probs._data == 1
        if certain.any():  # (1 - p) log(1 - p) = 0 log 0 = 0 there; p = 1/2 keeps the unused branch's gradient finite
            return where(Tensor(certain), 0.0, _geometric_entropy(where(Tensor(certain), 0.5, probs)))
        return _geometric_entropy(probs)


class Multinomial(CategoricalBacked, Distribution):
    """Multinomial(total_count n, probs p | logits): the counts of each of K classes in n independent draws of a
    Categorical(p) (torch.distributions.Multinomial); event_shape (K,), batch_shape the parameter's shape without
    its last axis. n is one int for the whole batch (NotImplementedError otherwise, as torch's); ``sample`` needs it,
    ``log_prob`` reads n off the value (sum of its counts).

    log p(x) = lgamma(sum_k x_k + 1) - sum_k lgamma(x_k + 1) + sum_k x_k log p_k (0 log 0 = 0 at p_k = 0);
    mean n p, variance n p (1 - p); entropy n H(p) - lgamma(n + 1) + sum_k E[lgamma(x_k + 1)] over each count's
    Binomial(n, p_k), torch's form. Draws are numpy's multinomial sampler's, floats of the parameter's dtype.
    """

    arg_constraints = {"probs": simplex, "logits": real_vector}

    def __init__(
        self, total_count: int = 1, probs: Any = None, logits: Any = None, validate_args: bool | None = None
    ) -> None:
        if not isinstance(total_count, int):
            raise NotImplementedError("inhomogeneous total_count is not supported")
        self.total_count = total_count
        self._categorical = Categorical(probs=probs, logits=logits)
        self._binomial = Binomial(total_count=total_count, probs=self.probs)
        categorical = self._categorical
        super().__init__(categorical.batch_shape, (categorical._num_events,), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> Multinomial:
        """The inner Categorical (and the per-class Binomial) expanded to ``batch_shape``, no copy."""
        categorical = self._categorical.expand(batch_shape)
        binomial = self._binomial.expand(categorical.batch_shape + self._event_shape)
        new = object.__new__(Multinomial)
        new.__dict__.update(self.__dict__)
        new._categorical, new._binomial, new._batch_shape = categorical, binomial, categorical.batch_shape
        return new

    @dependent_property(is_discrete=True, event_dim=1)
    def support(self) -> Constraint:  # type: ignore[override]
        return multinomial(self.total_count)

    @property
    def mean(self) -> Tensor:
        return self.probs * self.total_count

    @property
    def variance(self) -> Tensor:
        return self.total_count * self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        probs = np.broadcast_to(self.probs._data.astype(np.float64), shape)
        probs = probs / probs.sum(-1, keepdims=True)  # numpy's sampler wants the first K - 1 to sum to <= 1
        draws = generator_for(None).multinomial(self.total_count, probs) if math.prod(shape) else np.zeros(shape)
        return Tensor(np.asarray(draws).astype(self._dtype(), copy=False))

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        logits, value = broadcast_all(self.logits, value)
        absent = (value._data == 0) & (logits._data == -math.inf)  # 0 log 0 = 0
        if absent.any():
            logits = where(Tensor(absent), 0.0, logits)
        return (value.sum(-1) + 1).lgamma() - (value + 1).lgamma().sum(-1) + (logits * value).sum(-1)

    def entropy(self) -> Tensor:
        n = self.total_count
        term = n * self._categorical.entropy() - math.lgamma(n + 1)
        counts = self._binomial.enumerate_support(expand=False)[1:]
        weights = (counts + 1).lgamma()
        return term + (self._binomial.log_prob(counts).exp() * weights).sum((0, -1))
