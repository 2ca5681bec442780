"""The sets a distribution's parameters and samples must lie in (torch.distributions.constraints' names).

``constraint.check(value)`` gives a boolean array, True where ``value`` (an ndarray) satisfies it (a Tensor ``value``
gives a bool Tensor, as torch's ``m.support.check(x)``); the
:class:`Distribution` base raises torch's ValueError naming the parameter or the value where any entry fails.
A constraint of whole vectors (``event_dim`` 1, e.g. the simplex) checks along the last axis.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .core import Node

__all__ = [
    "Constraint",
    "boolean",
    "cat",
    "corr_cholesky",
    "dependent",
    "dependent_property",
    "greater_than",
    "greater_than_eq",
    "half_open_interval",
    "independent",
    "integer_interval",
    "interval",
    "is_dependent",
    "less_than",
    "lower_cholesky",
    "lower_triangular",
    "MixtureSameFamilyConstraint",
    "multinomial",
    "nonnegative",
    "nonnegative_integer",
    "one_hot",
    "positive",
    "positive_definite",
    "positive_integer",
    "positive_semidefinite",
    "real",
    "real_vector",
    "simplex",
    "square",
    "stack",
    "symmetric",
    "unit_interval",
]


def _whole(value: np.ndarray) -> np.ndarray:
    """True where ``value`` is a whole number (False at inf and nan, without numpy's invalid-value warning)."""
    with np.errstate(invalid="ignore"):
        return value % 1 == 0


def _reading_tensors(check: Any) -> Any:
    """``check`` taking a Tensor too: its data in, a bool Tensor out; ndarrays pass through untouched."""

    @functools.wraps(check)
    def reading(self: Constraint, value: Any) -> Any:
        if not isinstance(value, Node):
            return check(self, value)
        from .tensor import Tensor  # (lazy: tensor's import chain is long and never needs the constraints)

        return Tensor(np.asarray(check(self, np.asarray(value._data)), dtype=bool))

    reading._reads_tensors = True  # type: ignore[attr-defined]
    return reading


class Constraint:
    """A set of values; ``check`` tests membership entry by entry (vector constraints: per last-axis vector)."""

    event_dim = 0
    is_discrete = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Each subclass's ``check`` reads a Tensor through its array and answers with a bool Tensor (torch's
        ``support.check(x)`` gives a tensor), whatever numpy reduction the check ends in."""
        super().__init_subclass__(**kwargs)
        check = cls.__dict__.get("check")
        if check is not None and not getattr(check, "_reads_tensors", False):
            cls.check = _reading_tensors(check)  # type: ignore[method-assign]

    def check(self, value: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__[1:]}()"


class _Real(Constraint):
    def check(self, value: np.ndarray) -> np.ndarray:
        return value == value  # anything but nan


class _IndependentConstraint(Constraint):
    """``base_constraint`` holding for every entry of the last ``reinterpreted_batch_ndims`` axes at once (one
    verdict per whole block): torch's constraints.independent, the support of an Independent distribution."""

    def __init__(self, base_constraint: Constraint, reinterpreted_batch_ndims: int) -> None:
        if not isinstance(base_constraint, Constraint):
            raise TypeError(f"independent: expected a Constraint, got {type(base_constraint).__name__}")
        if not isinstance(reinterpreted_batch_ndims, int) or reinterpreted_batch_ndims < 0:
            raise ValueError(
                f"independent: reinterpreted_batch_ndims must be a non-negative int, got {reinterpreted_batch_ndims!r}"
            )
        self.base_constraint = base_constraint
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return self.base_constraint.event_dim + self.reinterpreted_batch_ndims

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.base_constraint.is_discrete

    def check(self, value: np.ndarray) -> np.ndarray:
        valid = np.asarray(self.base_constraint.check(value))
        n = self.reinterpreted_batch_ndims
        if valid.ndim < n:
            raise ValueError(f"independent: expected a value of at least {self.event_dim} dimensions, got {valid.ndim}")
        return np.all(valid, axis=tuple(range(-n, 0))) if n else valid

    def __repr__(self) -> str:
        return f"IndependentConstraint({self.base_constraint!r}, {self.reinterpreted_batch_ndims})"


class MixtureSameFamilyConstraint(Constraint):
    """A MixtureSameFamily's support (torch's constraint of that name): the value gets back the components' axis
    (before its ``event_dim`` axes) and ``base_constraint``, the components' support, checks it against every
    component at once (so supports set by batched parameters broadcast); a value holds where all components' do."""

    def __init__(self, base_constraint: Constraint) -> None:
        if not isinstance(base_constraint, Constraint):
            raise AssertionError(f"base_constraint must be a Constraint, got {type(base_constraint).__name__}")
        self.base_constraint = base_constraint

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return self.base_constraint.event_dim

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.base_constraint.is_discrete

    def check(self, value: np.ndarray) -> np.ndarray:
        value = np.asarray(value)
        if value.ndim < self.event_dim:
            raise ValueError(f"Expected value.dim() >= {self.event_dim} but got {value.ndim}")
        valid = np.asarray(self.base_constraint.check(np.expand_dims(value, -1 - self.event_dim)))
        return valid.reshape(valid.shape[: value.ndim - self.event_dim] + (-1,)).all(-1)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.base_constraint!r})"


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


class _IntegerGreaterThan(Constraint):
    """The whole numbers k >= lower_bound."""

    is_discrete = True

    def __init__(self, lower_bound: int) -> None:
        self.lower_bound = lower_bound

    def check(self, value: np.ndarray) -> np.ndarray:
        return _whole(value) & (value >= self.lower_bound)

    def __repr__(self) -> str:
        return f"IntegerGreaterThan(lower_bound={self.lower_bound})"


class _LessThan(Constraint):
    """x < upper_bound."""

    def __init__(self, upper_bound: float) -> None:
        self.upper_bound = upper_bound

    def check(self, value: np.ndarray) -> np.ndarray:
        return value < self.upper_bound

    def __repr__(self) -> str:
        return f"LessThan(upper_bound={self.upper_bound})"


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
        return _whole(value) & super().check(value)


class _Square(Constraint):
    """Square matrices (one verdict per matrix of the last two axes)."""

    event_dim = 2

    def check(self, value: np.ndarray) -> np.ndarray:
        value = np.asarray(value)
        return np.full(value.shape[:-2], value.shape[-2] == value.shape[-1], dtype=bool)


class _Symmetric(_Square):
    """Square matrices equal to their transpose (within 1e-6, as torch's check)."""

    def check(self, value: np.ndarray) -> np.ndarray:
        square = super().check(value)
        if not square.all():
            return square
        value = np.asarray(value)
        return np.all(np.isclose(value, np.swapaxes(value, -1, -2), atol=1e-6), axis=(-2, -1))


class _PositiveSemidefinite(_Symmetric):
    """Symmetric matrices whose eigenvalues are all >= 0."""

    def check(self, value: np.ndarray) -> np.ndarray:
        symmetric = super().check(value)
        if not symmetric.any():
            return symmetric
        with np.errstate(all="ignore"):
            eigenvalues = np.linalg.eigvalsh(np.where(symmetric[..., None, None], np.asarray(value), 0.0))
        return symmetric & np.all(eigenvalues >= 0, axis=-1)


class _LowerTriangular(Constraint):
    """Square matrices with zeros above the diagonal."""

    event_dim = 2

    def check(self, value: np.ndarray) -> np.ndarray:
        return np.all(np.tril(value) == value, axis=(-2, -1))


class _LowerCholesky(Constraint):
    """Square lower-triangular matrices with a positive diagonal."""

    event_dim = 2

    def check(self, value: np.ndarray) -> np.ndarray:
        lower = np.all(np.triu(value, 1) == 0, axis=(-2, -1))
        return lower & np.all(np.diagonal(value, axis1=-2, axis2=-1) > 0, axis=-1)


class _CorrCholesky(Constraint):
    """Lower Cholesky factors of correlation matrices: lower triangular, positive diagonal, each row of unit length
    (within 10 n eps, n the size, as torch's), so that L L^T has a unit diagonal."""

    event_dim = 2

    def check(self, value: np.ndarray) -> np.ndarray:
        dtype = value.dtype if value.dtype.kind == "f" else np.dtype(np.float64)
        tolerance = np.finfo(dtype).eps * value.shape[-1] * 10
        unit_rows = np.all(np.abs(np.linalg.norm(value, axis=-1) - 1) <= tolerance, axis=-1)
        return _LowerCholesky().check(value) & unit_rows


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
        with np.errstate(invalid="ignore"):  # (inf + -inf: no numpy warning, the vector just fails)
            return np.all(value >= 0, axis=-1) & (np.abs(value.sum(axis=-1) - 1) < 1e-6)


class _OneHot(Constraint):
    """Vectors of zeros with a single one (one verdict per last-axis vector)."""

    event_dim = 1
    is_discrete = True

    def check(self, value: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):  # (inf + -inf: no numpy warning, the vector just fails)
            return np.all((value == 0) | (value == 1), axis=-1) & (value.sum(axis=-1) == 1)


class _Multinomial(Constraint):
    """Vectors of non-negative entries summing to at most ``upper_bound`` (torch's check: integrality is not
    tested), one verdict per last-axis vector."""

    event_dim = 1
    is_discrete = True

    def __init__(self, upper_bound: int) -> None:
        self.upper_bound = upper_bound

    def check(self, value: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):  # (inf + -inf: no numpy warning, the vector just fails)
            return np.all(value >= 0, axis=-1) & (value.sum(axis=-1) <= self.upper_bound)

    def __repr__(self) -> str:
        return f"Multinomial(upper_bound={self.upper_bound})"


class _PerPart(Constraint):
    """A constraint made of ``cseq``, one for each part of a value along axis ``dim`` (:class:`_Cat`'s blocks,
    :class:`_Stack`'s entries): discrete when some part's is."""

    def __init__(self, cseq: Any, dim: int = 0) -> None:
        self.cseq = list(cseq)
        if not all(isinstance(c, Constraint) for c in self.cseq):
            raise AssertionError("All elements of cseq must be Constraint instances")
        self.dim = dim

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return any(c.is_discrete for c in self.cseq)


class _Cat(_PerPart):
    """``cseq[i]`` on the i-th block of ``lengths[i]`` entries along axis ``dim`` (torch's ``constraints.cat``: the
    codomain of a CatTransform); the verdicts concatenated along that axis."""

    def __init__(self, cseq: Any, dim: int = 0, lengths: Any = None) -> None:
        super().__init__(cseq, dim)
        self.lengths = [1] * len(self.cseq) if lengths is None else list(lengths)
        if len(self.lengths) != len(self.cseq):
            raise AssertionError(f"lengths ({len(self.lengths)}) must match cseq ({len(self.cseq)})")

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        return max(c.event_dim for c in self.cseq)

    def check(self, value: np.ndarray) -> np.ndarray:
        if not -value.ndim <= self.dim < value.ndim:
            raise AssertionError(f"dim {self.dim} out of range for value with {value.ndim} dimensions")
        starts = np.cumsum([0] + self.lengths)
        blocks = [np.take(value, np.arange(a, b), axis=self.dim) for a, b in zip(starts[:-1], starts[1:])]
        return np.concatenate([np.asarray(c.check(v)) for c, v in zip(self.cseq, blocks)], axis=self.dim)


class _Stack(_PerPart):
    """``cseq[i]`` on the i-th entry along axis ``dim`` (torch's ``constraints.stack``: the codomain of a
    StackTransform); the verdicts stacked along that axis."""

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        event_dim = max(c.event_dim for c in self.cseq)
        return event_dim + 1 if self.dim + event_dim < 0 else event_dim  # (a stacking axis inside the event)

    def check(self, value: np.ndarray) -> np.ndarray:
        if not -value.ndim <= self.dim < value.ndim:
            raise AssertionError(f"dim {self.dim} out of range for value with {value.ndim} dimensions")
        entries = [np.take(value, i, axis=self.dim) for i in range(value.shape[self.dim])]
        return np.stack([np.asarray(c.check(v)) for c, v in zip(self.cseq, entries)], axis=self.dim)


class _Dependent(Constraint):
    """A constraint that depends on other parameters (torch's ``constraints.dependent``: a parameter computed from the
    others, a support set by the parameters). The parameter checks skip it; ``check`` refuses, as its set is not known
    here. ``is_discrete`` and ``event_dim`` are those given (``dependent(is_discrete=..., event_dim=...)``), else
    NotImplementedError, as torch's."""

    def __init__(self, *, is_discrete: bool | None = None, event_dim: int | None = None) -> None:
        self._is_discrete = is_discrete
        self._event_dim = event_dim

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        if self._is_discrete is None:
            raise NotImplementedError(".is_discrete cannot be determined statically")
        return self._is_discrete

    @property
    def event_dim(self) -> int:  # type: ignore[override]
        if self._event_dim is None:
            raise NotImplementedError(".event_dim cannot be determined statically")
        return self._event_dim

    def __call__(self, *, is_discrete: bool | None = None, event_dim: int | None = None) -> _Dependent:
        """A dependent constraint with these (unset: this one's) ``is_discrete`` and ``event_dim``."""
        return _Dependent(
            is_discrete=self._is_discrete if is_discrete is None else is_discrete,
            event_dim=self._event_dim if event_dim is None else event_dim,
        )

    def check(self, value: np.ndarray) -> np.ndarray:
        raise ValueError("Cannot determine validity of dependent constraint")


class _DependentProperty(property, _Dependent):
    """torch's ``constraints.dependent_property``: a property of a distribution (its ``support`` or an
    ``arg_constraints`` entry computed from the parameters) that, read from the class, is a dependent constraint,
    so code inspecting the class (``Distribution.support.is_discrete``) sees one. ``@dependent_property`` or
    ``@dependent_property(is_discrete=..., event_dim=...)``."""

    def __init__(self, fn: Any = None, *, is_discrete: bool | None = None, event_dim: int | None = None) -> None:
        property.__init__(self, fn)
        _Dependent.__init__(self, is_discrete=is_discrete, event_dim=event_dim)

    def __call__(self, fn: Any) -> _DependentProperty:  # type: ignore[override]
        """The decorator form with arguments: this constraint's settings on the property ``fn``."""
        return _DependentProperty(fn, is_discrete=self._is_discrete, event_dim=self._event_dim)


def is_dependent(constraint: Any) -> bool:
    """Whether ``constraint`` is a dependent one (torch's ``constraints.is_dependent``)."""
    return isinstance(constraint, _Dependent)


dependent = _Dependent()
dependent_property = _DependentProperty
independent = _IndependentConstraint
real = _Real()
real_vector = independent(real, 1)
boolean = _Boolean()
positive = _GreaterThan(0.0)
nonnegative = _GreaterThanEq(0.0)
nonnegative_integer = _IntegerGreaterThan(0)
positive_integer = _IntegerGreaterThan(1)
square = _Square()
symmetric = _Symmetric()
positive_semidefinite = _PositiveSemidefinite()
lower_triangular = _LowerTriangular()
lower_cholesky = _LowerCholesky()
corr_cholesky = _CorrCholesky()
cat = _Cat
stack = _Stack
positive_definite = _PositiveDefinite()
unit_interval = _Interval(0.0, 1.0)
simplex = _Simplex()
one_hot = _OneHot()
greater_than = _GreaterThan
greater_than_eq = _GreaterThanEq
less_than = _LessThan
interval = _Interval
half_open_interval = _HalfOpenInterval
integer_interval = _IntegerInterval
multinomial = _Multinomial
