"""``TransformedDistribution(base, transforms)``: the law of y = f_n(... f_1(x)) for x drawn from ``base``
(torch.distributions.TransformedDistribution).

    log p_Y(y) = log p_X(x) - sum_i log|det J_{f_i}(x_{i-1})|,  x = f^-1(y)   (each term summed over the event)
    cdf_Y(y) = cdf_X(f^-1(y)) when f increases, 1 - cdf_X(f^-1(y)) when it decreases; icdf likewise

Draws are the base's draws mapped through the transforms, so ``rsample`` is reparameterised where the base's is.
The event is the widest any transform or the base needs: a transform of vectors over a base of scalars reads the
base's last batch axis as part of the event (an ``Independent`` base).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core import Node
from .distribution_base import Distribution, _shape
from .distribution_constraints import Constraint, dependent_property, independent
from .grad_mode import no_grad
from .independent_distribution import Independent
from .tensor import Tensor, where
from .transform_base import ComposeTransform, Transform, sum_rightmost

__all__ = ["TransformedDistribution"]


class TransformedDistribution(Distribution):
    """``base_distribution`` pushed through ``transforms`` (a Transform or a list of them, applied in order)."""

    arg_constraints: dict[str, Constraint] = {}

    def __init__(
        self,
        base_distribution: Distribution,
        transforms: Transform | list[Transform],
        validate_args: bool | None = None,
    ) -> None:
        if isinstance(transforms, Transform):
            transforms = [transforms]
        elif not isinstance(transforms, list):
            raise ValueError(f"transforms must be a Transform or list, but was {transforms}")
        elif not all(isinstance(t, Transform) for t in transforms):
            raise ValueError("transforms must be a Transform or a list of Transforms")
        self.transforms = transforms
        base_shape = tuple(base_distribution.batch_shape + base_distribution.event_shape)
        base_event_dim = len(base_distribution.event_shape)
        chain = ComposeTransform(transforms)
        if len(base_shape) < chain.domain.event_dim:
            raise ValueError(
                f"base_distribution needs to have shape with size at least {chain.domain.event_dim}, "
                f"but got {base_shape}."
            )
        forward_shape = chain.forward_shape(base_shape)
        expanded_base_shape = chain.inverse_shape(forward_shape)
        if base_shape != expanded_base_shape:
            base_distribution = base_distribution.expand(
                expanded_base_shape[: len(expanded_base_shape) - base_event_dim]
            )
        if chain.domain.event_dim > base_event_dim:
            base_distribution = Independent(base_distribution, chain.domain.event_dim - base_event_dim)
        self.base_dist = base_distribution
        event_dim = max(chain.codomain.event_dim, base_event_dim + chain.codomain.event_dim - chain.domain.event_dim)
        cut = len(forward_shape) - event_dim
        super().__init__(forward_shape[:cut], forward_shape[cut:], validate_args=validate_args)
        if self._validate_args:
            self._validate_derived_parameters()

    def _validate_derived_parameters(self) -> None:
        """Check the parameters a subclass reads from its base (LogNormal's loc and scale, ...) against
        ``arg_constraints``, as torch checks every parameter it can read; those kept on the instance are checked
        by Distribution."""
        for name, constraint in self.arg_constraints.items():
            if name in self.__dict__:
                continue
            value = getattr(self, name)
            if not np.all(constraint.check(np.asarray(value._data))):
                raise ValueError(
                    f"Expected parameter {name} ({type(value).__name__} of shape {tuple(value.shape)}) of "
                    f"distribution {self!r} to satisfy the constraint {constraint!r}, but found invalid "
                    f"values:\n{value}"
                )

    def expand(self, batch_shape: Any, _instance: Any = None) -> TransformedDistribution:
        """The same distribution over ``batch_shape``: the base expanded to the shape the transforms pull that
        back to, the transforms kept (their parameters broadcast); a subclass's own parameters expanded too."""
        batch_shape = _shape(batch_shape)
        shape = batch_shape + self._event_shape
        for transform in reversed(self.transforms):
            shape = transform.inverse_shape(shape)
        new = object.__new__(type(self))
        new.__dict__.update(self.__dict__)
        for name, value in self.__dict__.items():
            if isinstance(value, Tensor) and name != "base_dist" and tuple(value.shape) == self._batch_shape:
                new.__dict__[name] = value.expand(batch_shape)
        new.base_dist = self.base_dist.expand(shape[: len(shape) - len(self.base_dist.event_shape)])
        new._batch_shape = batch_shape
        return new

    @dependent_property(is_discrete=False)
    def support(self) -> Constraint:  # type: ignore[override]
        if not self.transforms:
            return self.base_dist.support  # type: ignore[return-value]
        support = self.transforms[-1].codomain
        extra = len(self._event_shape) - support.event_dim
        return independent(support, extra) if extra > 0 else support

    @property
    def has_rsample(self) -> bool:  # type: ignore[override]
        return self.base_dist.has_rsample

    def _dtype(self) -> Any:
        return self.base_dist._dtype()

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """A base draw mapped through the transforms, outside the graph."""
        with no_grad():
            x = self.base_dist.sample(sample_shape)
            for transform in self.transforms:
                x = transform(x)
            return x

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """A reparameterised base draw mapped through the transforms (gradients reach every parameter)."""
        x = self.base_dist.rsample(sample_shape)
        for transform in self.transforms:
            x = transform(x)
        return x

    def log_prob(self, value: Any) -> Tensor:
        """log p_X(f^-1(y)) minus the log|det J| of each transform (see the module docstring)."""
        y = self._value_tensor(value)
        event_dim = len(self._event_shape)
        log_prob: Any = 0.0
        for transform in reversed(self.transforms):
            x = transform.inv(y)
            event_dim += transform.domain.event_dim - transform.codomain.event_dim
            log_prob = log_prob - sum_rightmost(
                transform.log_abs_det_jacobian(x, y), event_dim - transform.domain.event_dim
            )
            y = x
        return log_prob + sum_rightmost(self.base_dist.log_prob(y), event_dim - len(self.base_dist.event_shape))

    def _monotonize_cdf(self, value: Any) -> Any:
        """``value``, flipped to 1 - value where the chain decreases (the product of the transforms' signs): as it
        is where it increases, not torch's sign (value - 1/2) + 1/2, which rounds values below 1e-17 to 0."""
        sign: Any = 1
        for transform in self.transforms:
            sign = sign * transform.sign
        signs = np.asarray(sign._data if isinstance(sign, Node) else sign)
        if np.all(signs == 1):
            return value
        if not isinstance(value, Node):
            value = Tensor(np.asarray(value, dtype=self._dtype()))
        return where(Tensor(signs > 0), value, 1 - value)

    def cdf(self, value: Any) -> Tensor:
        """The base's cdf at f^-1(value), flipped where f decreases."""
        if not isinstance(value, Node):
            value = Tensor(np.asarray(value, dtype=self._dtype()))
        for transform in reversed(self.transforms):
            value = transform.inv(value)
        if self._validate_args:
            self.base_dist._validate_sample(value)
        return self._monotonize_cdf(self.base_dist.cdf(value))

    def icdf(self, value: Any) -> Tensor:
        """f applied to the base's icdf (of 1 - value where f decreases)."""
        value = self.base_dist.icdf(self._monotonize_cdf(value))
        for transform in self.transforms:
            value = transform(value)
        return value
