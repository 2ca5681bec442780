"""``Categorical``, ``OneHotCategorical`` and ``Bernoulli``: distributions over class indices (as such or one-hot)
and over {0, 1}, given by probabilities or by logits (torch.distributions' of those names).

Either form is kept as given and the other is made from it when first read (so gradients flow to whichever
was given): logits from probabilities as log p, with p clamped to [eps, 1 - eps] of the dtype (log(p / (1 - p))
for Bernoulli), probabilities from logits by softmax (sigmoid for Bernoulli).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .core import Node
from .default_dtype import get_default_dtype
from .distribution_base import Distribution, broadcast_all, lazy_property
from .distribution_constraints import (
    Constraint,
    boolean,
    dependent_property,
    integer_interval,
    one_hot,
    real,
    real_vector,
    simplex,
    unit_interval,
)
from .exponential_family import ExponentialFamily
from .grad_mode import no_grad
from .tensor import Tensor, where
from .tensor_functions import arange, full
from .torch_module_functions import broadcast_tensors

__all__ = ["Bernoulli", "Categorical", "OneHotCategorical", "clamp_probs"]


def clamp_probs(probs: Tensor) -> Tensor:
    """Probabilities clamped to [eps, 1 - eps] of their dtype, so their logs are finite."""
    eps = float(np.finfo(probs.dtype).eps)
    return probs.clamp(eps, 1 - eps)


def _one_of(probs: Any, logits: Any) -> None:
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


def _float_tensor(x: Any) -> Tensor:
    """A Tensor argument as it is, a numpy floating array or number in its dtype, anything else (Python numbers and
    lists, integer arrays) as a Tensor of the default floating dtype, as torch makes them."""
    if isinstance(x, Node):
        return x
    array = np.asarray(x)
    keeps_dtype = isinstance(x, (np.ndarray, np.floating)) and array.dtype.kind == "f"
    return Tensor(array if keeps_dtype else array.astype(get_default_dtype()))


class Categorical(Distribution):
    """Draws of a class index in [0, K) with probability p_k, for each row of the last axis of ``probs``
    (normalised to sum to 1) or of ``logits`` (unnormalised log-probabilities: p = softmax(logits)).

    log p(k) = logits_k - logsumexp(logits); entropy -sum_k p_k log p_k; samples are int64 of shape
    sample_shape + batch_shape (batch_shape: the parameter's shape without its last axis).
    """

    arg_constraints = {"probs": simplex, "logits": real_vector}
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        _one_of(probs, logits)
        if probs is not None:
            probs = _float_tensor(probs)
            if probs.ndim < 1:
                raise ValueError("`probs` parameter must be at least one-dimensional.")
            self.probs = probs / probs.sum(-1, keepdim=True)
            param = self.probs
        else:
            logits = _float_tensor(logits)
            if logits.ndim < 1:
                raise ValueError("`logits` parameter must be at least one-dimensional.")
            self.logits = logits - logits.logsumexp(dim=-1, keepdim=True)
            param = self.logits
        self._num_events = param.shape[-1]
        super().__init__(tuple(param.shape[:-1]), validate_args=validate_args)

    @lazy_property
    def logits(self) -> Tensor:  # type: ignore[override]
        return clamp_probs(self.probs).log()

    @lazy_property
    def probs(self) -> Tensor:  # type: ignore[override]
        return self.logits.softmax(-1)

    @property
    def param_shape(self) -> tuple[int, ...]:
        return self._batch_shape + (self._num_events,)

    @dependent_property(is_discrete=True, event_dim=0)
    def support(self) -> Constraint:  # type: ignore[override]
        return integer_interval(0, self._num_events - 1)

    @property
    def mean(self) -> Tensor:
        return full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    @property
    def variance(self) -> Tensor:
        return full(self._extended_shape(), math.nan, dtype=self.probs.dtype)

    @property
    def mode(self) -> Tensor:
        return self.probs.argmax(-1)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        count = math.prod(shape[: len(shape) - len(self._batch_shape)])
        with no_grad():
            if count == 0:
                return Tensor(np.zeros(shape, dtype=np.int64))
            rows = self.probs.reshape(-1, self._num_events)
            return rows.multinomial(count, True).T.reshape(shape)

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        value, log_pmf = broadcast_tensors(value.long().unsqueeze(-1), self.logits)
        return log_pmf.gather(-1, value[..., :1]).squeeze(-1)

    def entropy(self) -> Tensor:
        logits = self.logits.clamp(min=float(np.finfo(self.logits.dtype).min))  # -inf logits count 0 (0 log 0)
        return -(logits * self.probs).sum(-1)

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """Every class index, shaped (K,) + (1,) * len(batch_shape), expanded to (K,) + batch_shape."""
        values = arange(self._num_events, dtype=np.int64).reshape((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values


class BinaryParameter:
    """The two forms of a probability p in (0, 1) a distribution is given by one of (Bernoulli's, Binomial's,
    Geometric's): logits = log p - log(1 - p) of the clamped probs, probs = sigmoid(logits), the other made when
    first read (lazy_property: kept, with its graph)."""

    @lazy_property
    def logits(self) -> Tensor:
        clamped = clamp_probs(self.probs)
        return clamped.log() - (-clamped).log1p()

    @lazy_property
    def probs(self) -> Tensor:
        return self.logits.sigmoid()

    @staticmethod
    def _certain_log_likelihood(successes: Tensor, failures: Tensor, logits: Tensor) -> Tensor:
        """successes log p + failures log(1 - p) = -(successes softplus(-x) + failures softplus(x)) with 0 * inf = 0
        (0 log 0 = 0): the log-likelihood where some logits x are infinite (p exactly 0 or 1), 0 for the certain
        outcome and -inf for any other, where x k - n softplus(x) would be inf - inf or 0 * inf = nan. Its gradient
        is k - n sigmoid(x), as the finite form's."""

        def times(weight: Tensor, term: Tensor) -> Tensor:  # the term zeroed, not the product: no 0 * inf backward
            return weight * where(weight == 0, 0.0, term)

        return -(times(successes, (-logits).softplus()) + times(failures, logits.softplus()))

    def _take_probability(self, probs: Any, logits: Any, *others: Any) -> tuple[Tensor, ...]:
        """Keep the one form given (exactly one of ``probs`` and ``logits``, a float Tensor), broadcast with
        ``others`` (Binomial's total_count); returns the broadcast ``others``, then the parameter."""
        _one_of(probs, logits)
        given = probs if probs is not None else logits
        # a number is left to broadcast_all, which gives it the dtype of a floating Tensor among ``others``
        number = isinstance(given, (int, float)) and not isinstance(given, bool)
        *broadcast, param = broadcast_all(*others, given if isinstance(given, Node) or number else _float_tensor(given))
        if probs is not None:
            self.probs = param
        else:
            self.logits = param
        return (*broadcast, param)


class CategoricalBacked:
    """A distribution over the classes of an inner ``Categorical`` (``_categorical``; OneHotCategorical's,
    Multinomial's): its parameters, their shape and dtype are that Categorical's."""

    _categorical: Categorical

    @property
    def probs(self) -> Tensor:
        return self._categorical.probs

    @property
    def logits(self) -> Tensor:
        return self._categorical.logits

    @property
    def param_shape(self) -> tuple[int, ...]:
        return self._categorical.param_shape

    def _dtype(self) -> Any:
        return self._categorical._dtype()


class OneHotCategorical(CategoricalBacked, Distribution):
    """A Categorical's draws as one-hot vectors of K entries (torch.distributions.OneHotCategorical), given by
    ``probs`` (normalised along the last axis) or ``logits``: event_shape (K,), batch_shape the parameter's shape
    without its last axis.

    log p(x) = log p_k for the one-hot x of class k; entropy, probs and logits are the Categorical's; mean p,
    variance p (1 - p), mode the one-hot of the most likely class. The inner Categorical checks its parameter
    whatever ``validate_args`` is, as torch's; ``validate_args`` governs the checks of values (one-hot vectors).
    """

    arg_constraints = {"probs": simplex, "logits": real_vector}
    support: Constraint = one_hot
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        self._categorical = Categorical(probs, logits)
        categorical = self._categorical
        super().__init__(categorical.batch_shape, (categorical._num_events,), validate_args=validate_args)

    def expand(self, batch_shape: Any, _instance: Any = None) -> OneHotCategorical:
        """The inner Categorical expanded to ``batch_shape`` (its rows shared, no copy)."""
        categorical = self._categorical.expand(batch_shape)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._categorical = categorical
        new._batch_shape = categorical.batch_shape
        return new

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        probs = self.probs._data
        return Tensor(np.eye(probs.shape[-1], dtype=probs.dtype)[probs.argmax(-1)])

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        indices = self._categorical.sample(sample_shape)._data
        return Tensor(np.eye(self._event_shape[0], dtype=self._dtype())[indices])

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        return self._categorical.log_prob(value.argmax(-1))

    def entropy(self) -> Tensor:
        return self._categorical.entropy()

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """The K one-hot vectors, shaped (K,) + (1,) * len(batch_shape) + (K,), expanded to (K,) + batch_shape + (K,)."""
        n = self._event_shape[0]
        values = Tensor(np.eye(n, dtype=self._dtype())).reshape((n,) + (1,) * len(self._batch_shape) + (n,))
        return values.expand((n,) + self._batch_shape + (n,)) if expand else values


class Bernoulli(BinaryParameter, ExponentialFamily):
    """Draws of 1 with probability p and 0 with 1 - p, one per entry of ``probs`` (or of ``logits``:
    p = sigmoid(logits)).

    log p(y) = y x - softplus(x) for logits x (minus torch's binary cross-entropy with logits, stable at
    any finite x; at x = +-inf, p exactly 1 or 0, it is 0 for the certain outcome and -inf for the other, and the
    entropy 0, where torch's are nan); entropy softplus(x) - p x; samples are floats of the parameter's dtype.
    """

    arg_constraints = {"probs": unit_interval, "logits": real}
    support = boolean
    has_enumerate_support = True

    def __init__(self, probs: Any = None, logits: Any = None, validate_args: bool | None = None) -> None:
        (param,) = self._take_probability(probs, logits)
        super().__init__(tuple(param.shape), validate_args=validate_args)

    @property
    def param_shape(self) -> tuple[int, ...]:
        return self._batch_shape

    @property
    def mean(self) -> Tensor:
        return self.probs

    @property
    def mode(self) -> Tensor:
        p = self.probs._data
        return Tensor(np.where(p == 0.5, np.nan, (p >= 0.5).astype(p.dtype)))

    @property
    def variance(self) -> Tensor:
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        with no_grad():
            return self.probs.expand(self._extended_shape(sample_shape)).bernoulli()

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        logits, value = broadcast_all(self.logits, value)
        if np.isinf(logits._data).any():  # p exactly 0 or 1: a certain outcome
            return self._certain_log_likelihood(value, 1 - value, logits)
        return value * logits - logits.softplus()

    def entropy(self) -> Tensor:
        if np.isinf(self.logits._data).any():  # p exactly 0 or 1: entropy 0, the certain outcome's
            return -self._certain_log_likelihood(self.probs, 1 - self.probs, self.logits)
        return self.logits.softplus() - self.logits * self.probs

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """0 and 1, shaped (2,) + (1,) * len(batch_shape), expanded to (2,) + batch_shape."""
        values = Tensor(np.array([0.0, 1.0], dtype=self.probs.dtype if "probs" in self.__dict__ else self.logits.dtype))
        values = values.reshape((-1,) + (1,) * len(self._batch_shape))
        return values.expand((-1,) + self._batch_shape) if expand else values
