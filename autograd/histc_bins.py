"""torch.histc's counting: equal bins over a range, an entry placed by linear interpolation in the tensor's dtype.

An entry x of [min, max] goes to bin ``floor((x - min) * bins / (max - min))`` (x = max to the last), computed in
the tensor's floating dtype as torch computes it, so the bins of entries near an edge agree with torch's rather
than with ``np.histogram``'s comparisons against the edges. At the ends of a dtype's range the computation keeps
torch's results where they are defined:

- a range of one point (min = max, or all entries equal) is widened, as torch's, to the next representable
  numbers of float32 and float64 (1 on each side where that is more, and for float16);
- a range whose width overflows the dtype (``max - min`` is inf, [-1e308, 1e308] in float64) counts nothing: torch's
  outer bin edges are NaN there, so every entry falls outside them;
- a range that rounds to one point in the dtype puts the entries equal to it in the first bin, as torch's;
- where ``(x - min) * bins`` overflows but the width does not (x near 1e308), the entry goes to its bin by
  ``(x - min) / (max - min) * bins`` (torch's own float-to-integer conversion of inf is undefined there).
"""

from __future__ import annotations

import math

import numpy as np

from .quiet import quiet
from .shape_errors import ArgumentRangeError

__all__ = ["checked_bins", "histc_counts"]


def histc_counts(data: np.ndarray, bins: int, min: float, max: float) -> np.ndarray:
    """The counts of the floating-point ``data``'s entries in ``bins`` equal bins over [``min``, ``max``] (the
    data's range if they are equal), in ``data``'s dtype; entries outside, and NaN, are left out. A range that is
    not finite, empty or not representable in the dtype is an :class:`ArgumentRangeError` (torch's RuntimeError)."""
    low, high = _outer_edges(data, min, max)
    dtype = data.dtype.type
    first, last = dtype(low), dtype(high)
    counts = np.zeros(bins, dtype=data.dtype)
    with quiet():  # overflowing widths and products are handled below, without numpy's warnings
        width = last - first
        if not np.isfinite(width):
            return counts
        flat = data.reshape(-1)
        inside = flat[(flat >= first) & (flat <= last)]  # NaN compares False: left out
        offsets = inside - first
        scaled = offsets * dtype(bins)
        overflowed = ~np.isfinite(scaled)
        positions = (scaled / width if width else np.zeros_like(offsets)).astype(np.float64)
        if overflowed.any() and width:
            positions[overflowed] = offsets[overflowed] / width * np.float64(bins)
    bin_of_each = np.minimum(positions.astype(np.int64), bins - 1)
    counts += np.bincount(bin_of_each, minlength=bins).astype(data.dtype)
    return counts


def _outer_edges(data: np.ndarray, min: float, max: float) -> tuple[float, float]:
    """torch's outer edges of histc: [min, max], the data's range where they are equal, a one-point range widened;
    checked to be finite, increasing and representable in the data's dtype."""
    low, high = float(min), float(max)
    if low == high and data.size:
        low, high = float(data.min()), float(data.max())
    if low == high:
        low, high = _widened(low, data.dtype)
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ArgumentRangeError(f"histc: range of [{low}, {high}] is not finite (min {min}, max {max})")
    if not low < high:
        raise ArgumentRangeError(f"histc: max must be larger than min, got min {min} and max {max}")
    largest = float(np.finfo(data.dtype).max)
    for name, edge in (("min", low), ("max", high)):
        if abs(edge) > largest:
            raise ArgumentRangeError(
                f"histc: {name} {edge} cannot be converted to {data.dtype} without overflow (its largest is {largest})"
            )
    return low, high


def _widened(point: float, dtype: np.dtype) -> tuple[float, float]:
    """A one-point range made a range, as torch's: 1 on each side, or to the neighbouring float32/float64 numbers of
    ``point`` where they are farther (past 2**24 in float32), never past the dtype's largest finite numbers."""
    low, high = point - 1, point + 1
    if dtype in (np.float32, np.float64):
        info = np.finfo(dtype)
        with quiet():  # a point beyond the dtype's range is inf in it: its neighbours are the largest numbers
            in_dtype = dtype.type(point)
        low = min(float(np.nextafter(in_dtype, info.min)), low)
        high = max(float(np.nextafter(in_dtype, info.max)), high)
    return low, high


def checked_bins(bins: np.ndarray, op: str, where: str = "") -> int | np.ndarray:
    """One dimension's ``bins`` of torch's ``histogram`` and ``histogramdd`` (``where`` names the dimension in the
    errors): a number of equal bins, returned as an int, which must be positive, or the bins' edges, returned as
    given, which must be a vector of at least 2 that does not decrease; an :class:`ArgumentRangeError` otherwise."""
    if bins.ndim == 0:
        if int(bins) <= 0:
            raise ArgumentRangeError(f"{op}: bins must be > 0{where}, got {int(bins)}")
        return int(bins)
    if bins.ndim != 1 or bins.size < 2 or np.any(np.diff(bins) < 0):
        raise ArgumentRangeError(f"{op}: the bin edges{where} must increase (a vector of at least 2), got {bins}")
    return bins
