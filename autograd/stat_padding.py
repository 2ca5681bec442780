"""numpy.pad's modes that fill the pad with numbers computed from the input: "maximum", "minimum", "mean",
"median" (a statistic of ``stat_length`` entries at each end of an axis, all of it by default) and
"linear_ramp" (from ``end_values`` to the edge entry), composed of recorded Tensor ops, so the gradient of
each padded entry goes to the entries it was computed from.

numpy pads one axis after another, each from the array padded along the axes before it (so a corner is a
statistic of the padded rows), and so does :func:`statistic_padded`: along axis k of length n, with the
before / after widths (b, a), lengths (lb, la) (clipped to n) and end values (eb, ea):

* statistic s: before = s(x[0:lb]) repeated b times, after = s(x[n - la:n]) repeated a times;
  d/dx of a statistic is max / min's (tied entries share it evenly), 1 / l for the mean, and 1 (or 1/2 to each
  of the two middle entries of an even count) for the median.
* linear_ramp: position j of the before part (j = 0 the outermost) is eb + j * (x[0] - eb) / b, and the after
  part mirrors it from x[n - 1] to ea; d/dx[0] = j / b. numpy computes the ramp in float64 and casts it back.

Integer arrays take numpy's own pad (no gradient to route; numpy rounds the mean and median and floors the ramp).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .derivatives import arrays as ar
from .quiet import quietly

if TYPE_CHECKING:
    from .tensor import Tensor

__all__ = ["STATISTIC_MODES", "statistic_padded"]

#: the modes this module pads, with the keyword each takes
STATISTIC_MODES = {"maximum": "stat_length", "minimum": "stat_length", "mean": "stat_length",
                   "median": "stat_length", "linear_ramp": "end_values"}  # fmt: skip


def _pairs(value: Any, ndim: int, as_index: bool) -> list[tuple[Any, Any]]:
    """``value`` broadcast to (ndim, 2) as numpy.pad's keywords (None stays None); lengths rounded to integers."""
    if value is None:
        return [(None, None)] * ndim
    array = np.asarray(value)
    if as_index:
        array = np.round(array).astype(np.intp)
        if array.size and array.min() < 0:
            raise ValueError(f"pad: stat_length must be non-negative, got {value}")
    if array.size == 2 and array.shape != (2, 1):
        array = array.ravel()
    try:
        return [tuple(pair) for pair in np.broadcast_to(array, (ndim, 2)).tolist()]
    except ValueError:
        raise ValueError(f"pad: cannot broadcast {value!r} to ({ndim}, 2) for an array of {ndim} dimensions") from None


def _statistic(part: Tensor, mode: str, axis: int) -> Tensor:
    if mode == "maximum":
        return part.max(axis=axis, keepdims=True)
    if mode == "minimum":
        return part.min(axis=axis, keepdims=True)
    if mode == "mean":
        return quietly(part.mean, axis=axis, keepdims=True)  # (of no entries NaN, as numpy's, without its warning)
    from .numpy_protocol import median

    return median(part, axis=axis, keepdims=True)


def _ramp(edge: Tensor, end: Any, width: int, axis: int, reverse: bool) -> Tensor:
    """numpy's linspace(end, edge, width, endpoint=False) along ``axis`` in float64: j * ((edge - end) / width) + end,
    or (j / width) * (edge - end) + end where some step is 0 (numpy's way around denormal steps)."""
    shape = [1] * edge.ndim
    shape[axis] = width
    steps = np.arange(width, dtype=np.float64).reshape(shape)
    if reverse:
        steps = steps[(slice(None),) * axis + (slice(None, None, -1),)]
    end = np.float64(end)
    delta = edge.astype(np.float64) - end
    step = delta / width
    if np.any(step._data == 0):
        return delta * (steps / width) + end
    return step * steps + end


def _joined(parts: list[Tensor], axis: int) -> Tensor:
    """``concatenate(parts, axis)`` of parts of one dtype that fit (the pads beside the array): recorded as its op
    (this module sits below autograd.tensor_functions, which imports the Tensor class)."""
    data = np.concatenate([part._data for part in parts], axis=axis)
    return type(parts[0])._from_op(data, ar.concatenate, tuple(parts), {"axis": axis})


def statistic_padded(x: Tensor, widths: tuple[tuple[int, int], ...], mode: str, option: Any) -> Tensor:
    """``np.pad(x, widths, mode, stat_length=option)`` (or ``end_values=option`` for "linear_ramp"), one axis at a
    time from the axis padded before, of recorded ops (see the module's docstring)."""
    ramp = mode == "linear_ramp"
    if ramp:
        option = 0 if option is None else option
    options = _pairs(option, x.ndim, as_index=not ramp)
    if x.size == 0 or not np.issubdtype(x.dtype, np.inexact):
        for axis, (length, pair) in enumerate(zip(x.shape, widths)):
            if length == 0 and any(pair):
                raise ValueError(f"pad: mode {mode!r} cannot pad the empty axis {axis} (shape {x.shape})")
        keyword = {STATISTIC_MODES[mode]: option}
        return type(x)(np.pad(x._data, widths, mode=mode, **keyword))
    if mode in ("maximum", "minimum") and any(length == 0 for pair in options for length in pair):
        raise ValueError(f"pad: a stat_length of 0 gives mode {mode!r} no entry to take, got {option}")
    out = x
    for axis, ((before, after), (first, last)) in enumerate(zip(widths, options)):
        if not before and not after:
            continue
        length = out.shape[axis]
        lead = (slice(None),) * axis
        parts = [out]
        if ramp:
            if before:
                edge = out[(*lead, slice(0, 1))]
                parts.insert(0, _ramp(edge, first, before, axis, reverse=False).astype(x.dtype))
            if after:
                edge = out[(*lead, slice(length - 1, length))]
                parts.append(_ramp(edge, last, after, axis, reverse=True).astype(x.dtype))
        else:
            first = length if first is None else min(first, length)
            last = length if last is None else min(last, length)
            shape = list(out.shape)
            if before:
                shape[axis] = before
                parts.insert(0, _statistic(out[(*lead, slice(0, first))], mode, axis).broadcast_to(tuple(shape)))
            if after:
                shape[axis] = after
                stat = _statistic(out[(*lead, slice(length - last, length))], mode, axis)
                parts.append(stat.broadcast_to(tuple(shape)))
        out = _joined(parts, axis)
    return out if out is not x else x.clone()
