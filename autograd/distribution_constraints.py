"""The sets a distribution's parameters and samples must lie in (torch.distributions.constraints' names).

``constraint.check(value)`` gives a boolean array, True where ``value`` (an ndarray) satisfies it; the
:class:`Distribution` base raises torch's ValueError naming the parameter or the value where any entry fails.
A constraint of whole vectors (``event_dim`` 1, e.g. the simplex) checks along the last axis.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "Constraint",
    "boolean",
    "greater_than",
    "half_open_interval",
    "integer_interval",
    "interval",
    "lower_cholesky",
    "nonnegative",
    "positive",
    "positive_definite",
    "real",
    "real_vector",
    "simplex",
    "unit_interval",
]


class Constraint:
    """A set of values; ``check`` tests membership entry by entry (vector constraints: per last-axis vector)."""

    event_dim = 0
    is_discrete = False

    def check(self, value: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}()"


class _Real(Constraint):
    def check(self, value: np.ndarray) -> np.ndarray:
        return value == value  # anything but nan


class _RealVector(_Real):
    event_dim = 1

    def check(self, value: np.ndarray) -> np.ndarray:
        return np.all(value == value, axis=-1)


class _Boolean(Constraint):
    is_discrete = True

    def check(self, value: np.ndarray) -> np.ndarray:
        return (value == 0) | (value == 1)


class _GreaterThan(Constraint):
    def __init__(self, lower_bound: float) -> None:
        self.lower_bound = lower_bound

    def check(self, value: np.ndarray) -> np.ndarray:
        return self.lower_bound < value

    def __repr__(self) -> str:
        return f"GreaterThan(lower_bound={self.lower_bound})"


class _GreaterThanEq(_GreaterThan):
    def check(self, value: np.ndarray) -> np.ndarray:
        return self.lower_bound <= value

    def __repr__(self) -> str:
        return f"GreaterThanEq(lower_bound={self.lower_bound})"


class _Interval(Constraint):
    """lower_bound <= x <= upper_bound."""

    def __init__(self, lower_bound: float, upper_bound: float) -> None:
        self.lower_bound, self.upper_bound = lower_bound, upper_bound

    def check(self, value: np.ndarray) -> np.ndarray:
        return (self.lower_bound <= value) & (value <= self.upper_bound)

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}(lower_bound={self.lower_bound}, upper_bound={self.upper_bound})"


class _HalfOpenInterval(_Interval):
    """lower_bound <= x < upper_bound."""

    def check(self, value: np.ndarray) -> np.ndarray:
        return (self.lower_bound <= value) & (value < self.upper_bound)


class _IntegerInterval(_Interval):
    """The whole numbers lower_bound <= k <= upper_bound."""

    is_discrete = True

    def check(self, value: np.ndarray) -> np.ndarray:
        return (value % 1 == 0) & super().check(value)


class _LowerCholesky(Constraint):
    """Square lower-triangular matrices with a positive diagonal."""

    event_dim = 2

    def check(self, value: np.ndarray) -> np.ndarray:
        lower = np.all(np.triu(value, 1) == 0, axis=(-2, -1))
        return lower & np.all(np.diagonal(value, axis1=-2, axis2=-1) > 0, axis=-1)


class _PositiveDefinite(Constraint):
    """Symmetric matrices whose eigenvalues are all positive."""

    event_dim = 2

    def check(self, value: np.ndarray) -> np.ndarray:
        symmetric = np.all(np.isclose(value, np.swapaxes(value, -1, -2), atol=1e-6), axis=(-2, -1))
        with np.errstate(all="ignore"):
            positive = np.all(np.linalg.eigvalsh(value) > 0, axis=-1) if value.size else np.ones(value.shape[:-2], bool)
        return symmetric & positive


class _Simplex(Constraint):
    """Vectors of non-negative entries summing to 1 (within 1e-6, as torch's check)."""

    event_dim = 1

    def check(self, value: np.ndarray) -> np.ndarray:
        return np.all(value >= 0, axis=-1) & (np.abs(value.sum(axis=-1) - 1) < 1e-6)


real = _Real()
real_vector = _RealVector()
boolean = _Boolean()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
lower_cholesky = _LowerCholesky()
positive_definite = _PositiveDefinite()
unit_interval = _Interval(0.0, 1.0)
simplex = _Simplex()
greater_than = _GreaterThan
interval = _Interval
half_open_interval = _HalfOpenInterval
integer_interval = _IntegerInterval
