"""Hypothesis strategies for property-testing differentiable functions (``hypothesis`` must be installed).

>>> from hypothesis import given
>>> from autograd.testing import arrays, shapes
>>> @given(arrays(shapes()))
... def test_double(x): ...

All floats are finite float64 within a bounded range; ``away_from`` keeps
samples a margin away from singular points (e.g. 0 for log or abs) instead of
loosening tolerances. :mod:`autograd.testing` gives these names too.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = ["arrays", "axes_for", "broadcastable_shapes", "floats", "indices_for", "shapes"]


def floats(
    low: float = -3.0, high: float = 3.0, away_from: Sequence[float] = (), margin: float = 0.05
) -> st.SearchStrategy[float]:
    """Finite floats in [low, high], at least ``margin`` from each point of ``away_from``."""
    base = st.floats(low, high, allow_nan=False, allow_infinity=False)
    return base.filter(lambda x: all(abs(x - p) >= margin for p in away_from))


def shapes(
    min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4
) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes with a bounded number of dimensions and side lengths."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def arrays(
    shape: st.SearchStrategy[tuple[int, ...]] | tuple[int, ...],
    low: float = -3.0,
    high: float = 3.0,
    away_from: Sequence[float] = (),
    margin: float = 0.05,
    dtype: type = np.float64,
) -> st.SearchStrategy[np.ndarray]:
    """Arrays of the given shape(s) with elements from :func:`floats`."""
    return hnp.arrays(dtype, shape, elements=floats(low, high, away_from, margin))


def broadcastable_shapes(
    num_shapes: int = 2, max_dims: int = 3, max_side: int = 4
) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Tuples of shapes that broadcast together (numpy rules), including size-1 axes."""
    return hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, max_dims=max_dims, max_side=max_side).map(
        lambda result: result.input_shapes
    )


def axes_for(ndim: int, allow_none: bool = True) -> st.SearchStrategy[int | tuple[int, ...] | None]:
    """A valid ``axis`` argument for an array of ``ndim`` dimensions: None, an int
    (possibly negative) or a tuple of distinct axes."""
    options = []
    if allow_none:
        options.append(st.none())
    if ndim > 0:
        options.append(st.integers(-ndim, ndim - 1))
        options.append(hnp.valid_tuple_axes(ndim, min_size=1))
    return st.one_of(*options) if options else st.none()


@st.composite
def indices_for(draw: st.DrawFn, shape: tuple[int, ...], allow_repeats: bool = True):
    """An index into an array of ``shape``: basic slices, or an integer array with
    negative and (optionally) repeated entries along the first axis, or a boolean mask."""
    assume(len(shape) > 0 and shape[0] > 0)
    kind = draw(st.sampled_from(["basic", "integer", "boolean"]))
    if kind == "basic":
        return draw(hnp.basic_indices(shape, allow_newaxis=False, allow_ellipsis=True))
    if kind == "integer":
        values = st.integers(-shape[0], shape[0] - 1)
        picks = draw(st.lists(values, min_size=1, max_size=6, unique=not allow_repeats))
        return np.array(picks)
    return draw(hnp.arrays(np.bool_, shape))
