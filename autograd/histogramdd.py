"""torch.histogramdd: the (weighted) counts of points in a D-dimensional grid of bins, numpy's histogramdd with
torch's arguments (``bins`` as one count, a count per dimension or the edges per dimension; ``range`` as one flat
list of D (min, max) pairs; ``weight`` one per point) and its result, ``(hist, bin_edges)`` in the input's dtype.
Counting has no gradient, as torch's.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .core import Node
from .histc_bins import checked_bins
from .shape_errors import ArgumentRangeError, DtypeKernelError, ShapeError
from .tensor import Tensor

__all__ = ["HistogramDD", "histogramdd"]


class HistogramDD(NamedTuple):
    """torch's ``histogramdd`` result: the counts of the grid's cells and each dimension's bin edges."""

    hist: Any
    bin_edges: tuple[Any, ...]


def _array(x: Any) -> np.ndarray:
    return np.asarray(x._data if isinstance(x, Node) else x)


def histogramdd(
    input: Any, bins: Any = 10, *, range: Any = None, weight: Any = None, density: bool = False
) -> HistogramDD:
    """torch.histogramdd: ``input`` of shape (..., D) read as points in D dimensions; ``bins`` equal bins over
    each dimension's ``range`` (the data's by default, widened by 1/2 on each side if it is one point) or the
    edges given; the last bin of a dimension holds its right edge and points outside are left out. ``weight``
    (of ``input``'s shape without its last axis) counts each point its weight; ``density`` divides by the total
    and the cells' volumes."""
    points = _array(input)
    if points.dtype.kind != "f":  # torch's NotImplementedError ("histogramdd" not implemented for 'Long')
        raise DtypeKernelError(f"histogramdd: needs a floating-point tensor, got dtype {points.dtype}")
    if points.ndim < 1:
        raise ShapeError("histogramdd: needs the points along a last dimension, got a 0-d tensor")
    dims = points.shape[-1]
    flat = points.reshape(-1, dims)
    if isinstance(bins, (int, np.integer)) and not isinstance(bins, bool):
        bins = [int(bins)] * dims
    bins = list(bins)
    if len(bins) != dims:
        raise ShapeError(f"histogramdd: {len(bins)} bins for points of {dims} dimensions (input shape {points.shape})")
    given = []
    for d, b in enumerate(bins):
        spec = checked_bins(_array(b), "histogramdd", f" of dimension {d}")
        given.append(spec if isinstance(spec, int) else spec.astype(np.float64))
    pairs = None
    if range is not None:
        flat_range = [float(v) for v in range]
        if len(flat_range) != 2 * dims:
            raise ShapeError(
                f"histogramdd: range needs {2 * dims} numbers (a min and max per dimension), got {len(flat_range)}"
            )
        pairs = [(flat_range[2 * d], flat_range[2 * d + 1]) for d in np.arange(dims)]
        for low, high in pairs:
            if not (np.isfinite(low) and np.isfinite(high)) or low > high:
                raise ArgumentRangeError(f"histogramdd: each range must be finite and increasing, got {low, high}")
    weights = None
    if weight is not None:
        weights = _array(weight)
        if weights.shape != points.shape[:-1]:
            raise ShapeError(
                f"histogramdd: weight of shape {weights.shape} for points of shape {points.shape} (needs "
                f"{points.shape[:-1]})"
            )
        weights = weights.reshape(-1)
    with np.errstate(all="ignore"):  # a density of nothing is nan, quietly as torch's
        hist, edges = np.histogramdd(flat, bins=given, range=pairs, weights=weights, density=density)
    make = Tensor._make
    return HistogramDD(make(hist.astype(points.dtype)), tuple(make(e.astype(points.dtype)) for e in edges))
