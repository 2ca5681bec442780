"""``biject_to`` and ``transform_to``: from a constraint to a transform whose codomain it is
(torch.distributions.constraint_registry).

``biject_to(c)`` gives a bijection from the reals (of c's event shape) onto c, for reparameterising a parameter
of c as an unconstrained one (and back by ``.inv``); ``transform_to(c)`` gives any transform onto c, not
necessarily bijective (the simplex through softmax, lower Cholesky factors by exponentiating the diagonal).
Both look the constraint's type up (a constraint object passed to ``register`` stands for its type), as torch's:

    real: identity                       positive, nonnegative, greater_than(a), greater_than_eq(a): a + exp(x)
    less_than(b): b - exp(x)             unit_interval: sigmoid         interval(a, b), half_open_interval: a + (b - a) sigmoid(x)
    simplex: stick breaking (biject_to), softmax (transform_to)          lower_cholesky: LowerCholeskyTransform (transform_to)
    independent(c, n): c's transform read with n more axes per event
    cat(cs, dim, lengths), stack(cs, dim): Cat/StackTransform of each part's
    corr_cholesky: CorrCholeskyTransform (both)     positive_(semi)definite: PositiveDefiniteTransform (transform_to)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import distribution_constraints as constraints
from .combined_transforms import CatTransform, StackTransform
from .corr_cholesky_transform import CorrCholeskyTransform
from .elementwise_transforms import AffineTransform, ExpTransform, SigmoidTransform
from .simplex_transforms import (
    LowerCholeskyTransform,
    PositiveDefiniteTransform,
    SoftmaxTransform,
    StickBreakingTransform,
)
from .transform_base import ComposeTransform, IndependentTransform, Transform, identity_transform

__all__ = ["ConstraintRegistry", "biject_to", "transform_to"]

Factory = Callable[[Any], Transform]


class ConstraintRegistry:
    """A table from constraint types to functions making a transform onto a constraint of that type."""

    def __init__(self) -> None:
        self._registry: dict[type, Factory] = {}

    def register(self, constraint: Any, factory: Factory | None = None) -> Any:
        """File ``factory`` (constraint -> Transform) under ``constraint``'s type (or the type itself); without a
        factory, a decorator doing so."""
        if factory is None:
            return lambda factory: self.register(constraint, factory)
        if isinstance(constraint, constraints.Constraint):
            constraint = type(constraint)
        if not (isinstance(constraint, type) and issubclass(constraint, constraints.Constraint)):
            raise TypeError(f"Expected constraint to be either a Constraint subclass or instance, but got {constraint}")
        self._registry[constraint] = factory
        return factory

    def __call__(self, constraint: Any) -> Transform:
        """The transform onto ``constraint`` made by the factory filed under its type."""
        try:
            factory = self._registry[type(constraint)]
        except KeyError:
            raise NotImplementedError(f"Cannot transform {type(constraint).__name__} constraints") from None
        return factory(constraint)


biject_to = ConstraintRegistry()
transform_to = ConstraintRegistry()


def _to_real(constraint: Any) -> Transform:
    return identity_transform


def _to_independent(registry: ConstraintRegistry) -> Factory:
    return lambda constraint: IndependentTransform(
        registry(constraint.base_constraint), constraint.reinterpreted_batch_ndims
    )


def _to_greater_than(constraint: Any) -> Transform:
    return ComposeTransform([ExpTransform(), AffineTransform(constraint.lower_bound, 1)])


def _to_less_than(constraint: Any) -> Transform:
    return ComposeTransform([ExpTransform(), AffineTransform(constraint.upper_bound, -1)])


def _to_interval(constraint: Any) -> Transform:
    low, high = constraint.lower_bound, constraint.upper_bound
    if isinstance(low, (int, float)) and isinstance(high, (int, float)) and low == 0 and high == 1:
        return SigmoidTransform()
    return ComposeTransform([SigmoidTransform(), AffineTransform(low, high - low)])


def _to_cat(registry: ConstraintRegistry) -> Factory:
    return lambda constraint: CatTransform([registry(c) for c in constraint.cseq], constraint.dim, constraint.lengths)


def _to_stack(registry: ConstraintRegistry) -> Factory:
    return lambda constraint: StackTransform([registry(c) for c in constraint.cseq], constraint.dim)


for _registry in (biject_to, transform_to):
    _registry.register(constraints.real, _to_real)
    _registry.register(constraints.cat, _to_cat(_registry))
    _registry.register(constraints.stack, _to_stack(_registry))
    _registry.register(constraints.independent, _to_independent(_registry))
    _registry.register(constraints.greater_than, _to_greater_than)
    _registry.register(constraints.greater_than_eq, _to_greater_than)
    _registry.register(constraints.less_than, _to_less_than)
    _registry.register(constraints.interval, _to_interval)
    _registry.register(constraints.half_open_interval, _to_interval)
biject_to.register(constraints.simplex, lambda constraint: StickBreakingTransform())
transform_to.register(constraints.simplex, lambda constraint: SoftmaxTransform())
transform_to.register(constraints.lower_cholesky, lambda constraint: LowerCholeskyTransform())
transform_to.register(constraints.positive_definite, lambda constraint: PositiveDefiniteTransform())
transform_to.register(constraints.positive_semidefinite, lambda constraint: PositiveDefiniteTransform())
biject_to.register(constraints.corr_cholesky, lambda constraint: CorrCholeskyTransform())
transform_to.register(constraints.corr_cholesky, lambda constraint: CorrCholeskyTransform())
