"""``Distribution``: the base of torch.distributions' classes (sampling, log-densities, checks of arguments).

A distribution holds parameters broadcast to one ``batch_shape`` (independent distributions side by side);
``event_shape`` is the shape of one draw (``()`` for scalar distributions, ``(k,)`` for a vector). ``sample``
draws outside the graph; ``rsample`` (where ``has_rsample``) draws by reparameterisation, x = f(eps, params),
so gradients reach the parameters. With ``validate_args`` (on by default, as torch's), parameters outside their
``arg_constraints`` and values outside the ``support`` raise torch's ValueError, naming them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np

from .core import Node
from .default_dtype import get_default_dtype
from .distribution_constraints import Constraint, is_dependent
from .element_count import Size
from .grad_mode import enable_grad, no_grad
from .shape_errors import is_integer
from .tensor import Tensor
from .torch_module_functions import broadcast_tensors

__all__ = ["Distribution", "broadcast_all", "lazy_property"]


class lazy_property(cached_property):  # noqa: N801 (torch.distributions.utils' name)
    """A parameter's other form (a Categorical's logits from its probs, a covariance from scale_tril), made
    when first read and then kept, as torch.distributions.utils.lazy_property: made with gradients enabled, so
    a first read under no_grad (``sample`` reads the probabilities there) does not keep a form cut from the
    graph that every later ``entropy``/``mean``/``log_prob`` would use."""

    def __get__(self, instance: Any, owner: Any = None) -> Any:
        if instance is None:
            return self
        with enable_grad():
            return super().__get__(instance, owner)


def broadcast_all(*values: Any) -> tuple[Tensor, ...]:
    """The values as Tensors broadcast to one shape (torch.distributions.utils.broadcast_all): numbers take the
    dtype of the first floating Tensor among them, or the default dtype; the Tensors keep their graphs."""
    like = next((v for v in values if isinstance(v, Node) and np.dtype(v.dtype).kind == "f"), None)
    dtype = like.dtype if like is not None else get_default_dtype()
    tensors = []
    for value in values:
        if isinstance(value, Node):
            tensors.append(value)
        elif isinstance(value, (int, float, np.number)) and not isinstance(value, bool):
            tensors.append(Tensor(np.asarray(value, dtype=dtype)))
        else:
            raise ValueError(
                f"broadcast_all: expected Tensors or numbers, got {type(value).__name__} (pass autograd.tensor(...))"
            )
    return broadcast_tensors(*tensors)


def _shape(sample_shape: Any) -> tuple[int, ...]:
    """``sample_shape`` (a tuple/list of ints, or an int) as a tuple."""
    if is_integer(sample_shape):
        return (int(sample_shape),)
    return tuple(int(n) for n in sample_shape)


class Distribution:
    """A probability distribution (torch.distributions.Distribution): see the module docstring."""

    has_rsample = False
    has_enumerate_support = False
    arg_constraints: dict[str, Constraint] = {}
    support: Constraint | None = None
    _validate_default = True

    @staticmethod
    def set_default_validate_args(value: bool) -> None:
        """Turn the checks of arguments and values on or off for distributions made after this call."""
        if value not in (True, False):
            raise ValueError(f"set_default_validate_args: expected True or False, got {value!r}")
        Distribution._validate_default = value

    def __init__(
        self, batch_shape: Sequence[int] = (), event_shape: Sequence[int] = (), validate_args: bool | None = None
    ) -> None:
        self._batch_shape = tuple(batch_shape)
        self._event_shape = tuple(event_shape)
        self._validate_args = Distribution._validate_default if validate_args is None else bool(validate_args)
        if self._validate_args:
            for name, constraint in self.arg_constraints.items():
                if name not in self.__dict__ or is_dependent(constraint):  # (a probs/logits pair's other form; a
                    continue  # parameter set by the others, which torch does not check either)
                value = getattr(self, name)
                valid = constraint.check(np.asarray(value._data))
                if not np.all(valid):
                    raise ValueError(
                        f"Expected parameter {name} ({type(value).__name__} of shape {tuple(value.shape)}) of "
                        f"distribution {self!r} to satisfy the constraint {constraint!r}, but found invalid "
                        f"values:\n{value}"
                    )

    @property
    def batch_shape(self) -> Size:
        """The shape of the batch of distributions (an :class:`autograd.Size`, torch's ``torch.Size``)."""
        return Size(self._batch_shape)

    @property
    def event_shape(self) -> Size:
        """The shape of one draw of one distribution of the batch (an :class:`autograd.Size`)."""
        return Size(self._event_shape)

    def expand(self, batch_shape: Sequence[int], _instance: Any = None) -> Distribution:
        """A distribution of the same type whose parameters are these expanded to ``batch_shape`` (torch's
        Distribution.expand): each parameter of shape batch_shape + p becomes new_batch_shape + p (p: its own
        trailing axes, a Categorical's classes, a MultivariateNormal's event and matrix axes) by Tensor.expand,
        so no copy is made and gradients flow back to the parameters; ``validate_args`` is kept, no check is
        made again. Where a parameter's batch axis is neither 1 nor the new length, expand's ShapeError (a
        RuntimeError, as torch's) is raised and this distribution is unchanged."""
        new_batch = _shape(batch_shape)
        n = len(self._batch_shape)
        expanded = {
            name: value.expand(new_batch + tuple(value.shape[n:]))
            for name, value in self.__dict__.items()
            if isinstance(value, Node)
        }
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        new.__dict__.update(expanded)
        new._batch_shape = new_batch
        return new

    def _extended_shape(self, sample_shape: Any = ()) -> tuple[int, ...]:
        """sample_shape + batch_shape + event_shape: the shape of a draw."""
        return _shape(sample_shape) + self._batch_shape + self._event_shape

    # -- drawing ----------------------------------------------------------------
    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A draw of shape sample_shape + batch_shape + event_shape, outside the graph."""
        with no_grad():
            return self.rsample(sample_shape)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterised draw, differentiable in the parameters (only where ``has_rsample``)."""
        raise NotImplementedError(f"{type(self).__name__} has no rsample (it cannot be reparameterised); use sample")

    def sample_n(self, n: int) -> Tensor:
        """``sample((n,))`` (torch's deprecated spelling)."""
        return self.sample((n,))

    # -- densities and moments (each distribution defines those it has) -------
    def log_prob(self, value: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.log_prob is not implemented")

    def cdf(self, value: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.cdf is not implemented")

    def icdf(self, value: Any) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.icdf is not implemented")

    def entropy(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.entropy is not implemented")

    def enumerate_support(self, expand: bool = True) -> Tensor:
        """Every value of a discrete support; refused where there is none to list (torch's NotImplementedError,
        so a caller catching it, as torch code does, works here too)."""
        raise NotImplementedError(f"{type(self).__name__}.enumerate_support is not implemented")

    def perplexity(self) -> Tensor:
        """exp(entropy)."""
        return self.entropy().exp()

    @property
    def mean(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.mean is not implemented")

    @property
    def mode(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.mode is not implemented")

    @property
    def variance(self) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__}.variance is not implemented")

    @property
    def stddev(self) -> Tensor:
        """sqrt(variance)."""
        return self.variance.sqrt()

    # -- checks -------------------------------------------------------------------
    def _value_tensor(self, value: Any) -> Tensor:
        """``value`` as a Tensor (a number takes the parameters' dtype), checked against the support and the
        shapes when validating."""
        if not isinstance(value, Node):
            if self._validate_args and not isinstance(value, (int, float, np.ndarray, np.number)):
                raise ValueError(f"The value argument to log_prob must be a Tensor, got {type(value).__name__}")
            value = Tensor(np.asarray(value, dtype=self._dtype()))
        if self._validate_args:
            self._validate_sample(value)
        return value

    def _dtype(self) -> Any:
        for name in self.arg_constraints:
            if name in self.__dict__:
                return getattr(self, name).dtype
        return get_default_dtype()

    def _validate_sample(self, value: Tensor) -> None:
        shape = tuple(value.shape)
        event = self._event_shape
        if event and shape[len(shape) - len(event) :] != event:
            raise ValueError(f"The right-most size of value must match event_shape: {shape} vs {event}.")
        expected = self._batch_shape + event
        for got, want in zip(reversed(shape), reversed(expected)):
            if got != 1 and want != 1 and got != want:
                raise ValueError(f"Value is not broadcastable with batch_shape+event_shape: {shape} vs {expected}.")
        if self.support is not None and not np.all(self.support.check(np.asarray(value._data))):
            raise ValueError(
                f"Expected value argument ({type(value).__name__} of shape {shape}) to be within the support "
                f"({self.support!r}) of the distribution {self!r}, but found invalid values:\n{value}"
            )

    def __repr__(self) -> str:
        shown = []
        for name in self.arg_constraints:
            if name in self.__dict__:
                value = self.__dict__[name]
                size = int(math.prod(value.shape))
                shown.append(f"{name}: {value.item() if size == 1 and not value.shape else tuple(value.shape)}")
        return f"{type(self).__name__}({', '.join(shown)})"
