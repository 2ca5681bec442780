"""More of numpy's functions built from the library's recorded ops, so that calling them on Tensors keeps the graph:
``rollaxis``, ``copy``, ``real``, ``imag``, ``real_if_close``, ``select``, ``partition``, ``compress``, ``extract``,
``choose``, ``resize``, ``polyval``, ``interp``, ``linspace``, ``logspace``, ``geomspace``, ``unwrap``, ``angle``,
``apply_along_axis``, ``sinc``, the ufuncs ``divmod`` and ``modf`` (two results each) and ``linalg.tensorinv``,
``linalg.tensorsolve``, ``linalg.cond``.

None defines a derivative rule: each is a composite of ops that have one, with numpy's signature and numpy's values
on the data. Selections (``partition``, ``compress``, ``extract``, ``choose``, ``resize``) let numpy lay out the
result on arrays of labels (the position of each input entry) and gather the entries so labelled, as
:mod:`autograd.numpy_composites` does for ``insert``: numpy's own rules and errors, one gather whose gradient adds
each entry's upstream gradients back. Every Tensor is real, so ``real``, ``real_if_close`` (and the ufuncs ``conj``,
``conjugate``) are the identity and ``imag`` is a constant 0. Pieces that are constant in the inputs stay constants:
``interp``'s sample points ``xp``, ``unwrap``'s correction (a multiple of the period, piecewise constant), the sign
of ``geomspace``'s start. ``autograd/__init__.py`` registers these functions for numpy's (autograd.numpy_protocol).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .broadcasting import single_axis
from .core import Node
from .derivatives.elementwise import flat_of
from .devices import DeviceUnavailableError
from .indexing import take_along_axis
from .linalg import inv, norm, solve, svdvals
from .numpy_composites import gathered_by_labels, position_labels
from .numpy_protocol import refuse_options
from .shape_functions import moveaxis
from .tensor import Tensor, TensorLike, where
from .tensor_functions import concatenate, stack

__all__ = [
    "angle", "apply_along_axis", "choose", "compress", "cond", "copy", "divmod_", "extract", "geomspace", "imag", "interp", "linspace",
    "logspace", "modf", "partition", "polyval", "real", "real_if_close", "resize", "rollaxis", "select", "sinc",
    "tensorinv", "tensorsolve", "unwrap",
]  # fmt: skip


def _tensor(x: TensorLike) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _data(x: Any) -> Any:
    return x._data if isinstance(x, Node) else x


def _promoted(*values: Any) -> np.dtype:
    """numpy's result dtype of ``values``: Python numbers stay weak (NEP 50), nodes and arrays count by dtype."""
    return np.result_type(*(value if type(value) in (int, float) else np.asarray(_data(value)) for value in values))


def _constant(x: Any, op: str, name: str) -> np.ndarray:
    """The data of ``x``, an input ``op`` does not differentiate: TypeError if it is a node that requires grad (its
    gradient would be lost without notice)."""
    if isinstance(x, Node) and x.requires_grad:
        raise TypeError(f"{op}: no derivative with respect to {name}; pass {name}.detach() to say a constant is meant")
    return np.asarray(_data(x))


# -- axes, copies and the real parts of real arrays ---------------------------------------------------------------
def rollaxis(a: TensorLike, axis: int, start: int = 0) -> Tensor:
    """np.rollaxis: ``axis`` moved to the position before ``start`` (the others keep their order)."""
    a = _tensor(a)
    n = a.ndim
    axis = single_axis(axis, n, "rollaxis")
    if start < 0:
        start += n
    if not 0 <= start <= n:
        raise np.exceptions.AxisError(f"rollaxis: start must be in [{-n}, {n}], got {start - (n if start < 0 else 0)}")
    if axis < start:
        start -= 1
    order = [other for other in range(n) if other != axis]
    order.insert(start, axis)
    return a.transpose(tuple(order))


def copy(a: TensorLike, order: str = "K", subok: bool = False) -> Tensor:
    """np.copy: a copy of the data that stays in the graph (``clone``; d/da = identity)."""
    return _tensor(a).clone()


def real(val: TensorLike) -> Tensor:
    """np.real: the tensor itself (every Tensor is real)."""
    return _tensor(val)


def real_if_close(a: TensorLike, tol: float = 100) -> Tensor:
    """np.real_if_close: the tensor itself (every Tensor is real)."""
    return _tensor(a)


def imag(val: TensorLike) -> Tensor:
    """np.imag: zeros of the tensor's shape and dtype, a constant (every Tensor is real)."""
    return Tensor._from_array(np.zeros_like(_tensor(val)._data))


def angle(z: TensorLike, deg: bool = False) -> Tensor:
    """np.angle of a real tensor: arctan2(0, z), so pi (180 with ``deg=True``) where z < 0 or z is -0.0, 0 elsewhere,
    NaN at NaN. Piecewise constant: it stays in the graph with gradient 0 (as ``Tensor.angle``, torch's). Of a Value,
    numpy's angle of its float, a Value with gradient 0."""
    if isinstance(z, Node) and not isinstance(z, Tensor):
        return flat_of(z, np.angle(z._data, deg=deg))
    x = _tensor(z)
    values = np.angle(x._data, deg=deg)
    if x._data.dtype != values.dtype:  # an integer or boolean tensor: numpy's angle is a float64
        x = x.astype(values.dtype)
    return x._where(np.ones(values.shape, dtype=bool), values, x)


# -- selections ------------------------------------------------------------------------------------------------------
def select(condlist: Sequence[Any], choicelist: Sequence[Any], default: Any = 0) -> Tensor:
    """np.select: from each position, the entry of the first choice whose condition holds there, else ``default``;
    the choices and the default are differentiated where they are chosen."""
    if len(condlist) != len(choicelist):
        raise ValueError(f"select: {len(choicelist)} choices for {len(condlist)} conditions (they must be as many)")
    if len(condlist) == 0:
        raise ValueError("select: an empty condition list is not possible")
    options = [*choicelist, default]
    dtype = _promoted(*options)
    conditions = np.broadcast_arrays(*(np.asarray(_data(condition)) for condition in condlist))
    for position, condition in enumerate(conditions):
        if condition.dtype != np.bool_:
            raise TypeError(f"select: invalid entry {position} in condlist: should be boolean, got {condition.dtype}")
    shape = np.broadcast_shapes(conditions[0].shape, *(np.shape(_data(choice)) for choice in choicelist))
    result = _tensor(default).astype(dtype)
    result = result.broadcast_to(np.broadcast_shapes(shape, result.shape))
    for condition, choice in zip(conditions[::-1], choicelist[::-1]):
        result = where(condition, _tensor(choice).astype(dtype), result)
    return result


def partition(a: TensorLike, kth: Any, axis: int | None = -1, kind: str = "introselect", order: Any = None) -> Tensor:
    """np.partition: along ``axis`` (of the flattened array if None), the k-th entry where sorting would put it,
    smaller ones before and larger ones after, as numpy places them (a gather by np.argpartition of the data)."""
    refuse_options("partition", order=order)
    a = _tensor(a)
    if axis is None:
        a, axis = a.reshape(-1), 0
    axis = single_axis(axis, a.ndim, "partition")
    return take_along_axis(a, np.argpartition(a._data, _data(kth), axis=axis, kind=kind), axis)


def compress(condition: Any, a: TensorLike, axis: int | None = None, out: Any = None) -> Tensor:
    """np.compress: the slices along ``axis`` (entries of the flattened array if None) where ``condition`` holds."""
    refuse_options("compress", out=out)
    a = _tensor(a)
    return a.reshape(-1)[np.compress(np.asarray(_data(condition)), position_labels(0, a.shape), axis)]


def extract(condition: Any, arr: TensorLike) -> Tensor:
    """np.extract: the entries of the flattened ``arr`` where the flattened ``condition`` holds."""
    arr = _tensor(arr)
    return arr.reshape(-1)[np.extract(np.asarray(_data(condition)), position_labels(0, arr.shape))]


def choose(a: Any, choices: Any, out: Any = None, mode: str = "raise") -> Tensor:
    """np.choose: out[i...] = choices[a[i...]][i...] (everything broadcast, ``mode`` for indices out of range);
    ``a`` holds integers and is not differentiated."""
    refuse_options("choose", out=out)
    indices = _constant(a, "choose", "a")
    sources = [_tensor(choices[k]) for k in range(len(choices))]
    starts = np.cumsum([0] + [source.size for source in sources])
    labels = [position_labels(int(start), source.shape) for start, source in zip(starts, sources)]
    layout = np.choose(indices, labels, mode=mode)
    return gathered_by_labels(sources, layout, np.result_type(*(source.dtype for source in sources)))


def resize(a: TensorLike, new_shape: int | Sequence[int]) -> Tensor:
    """np.resize: the flattened entries repeated cyclically to fill ``new_shape`` (zeros, a constant, from an empty
    array)."""
    a = _tensor(a)
    layout = np.resize(position_labels(0, a.shape), new_shape)
    if a.size == 0:
        return Tensor._from_array(np.zeros(layout.shape, dtype=a.dtype))
    return a.reshape(-1)[layout]


# -- polynomials and interpolation --------------------------------------------------------------------------------
def polyval(p: TensorLike, x: TensorLike) -> Tensor:
    """np.polyval: p[0] x^(n-1) + ... + p[n-1] by Horner's rule, y <- y x + p_k from y = 0;
    d/dx = sum_k (n-1-k) p_k x^(n-2-k), d/dp_k = x^(n-1-k)."""
    p, x = _tensor(p), _tensor(x)
    if p.ndim != 1:
        raise ValueError(f"polyval: p must be a 1-D array of coefficients, got shape {p.shape}")
    result = Tensor._from_array(np.zeros_like(x._data))
    for k in range(p.shape[0]):
        result = result * x + p[k]
    return result


def interp(x: TensorLike, xp: Any, fp: TensorLike, left: Any = None, right: Any = None, period: Any = None) -> Tensor:
    """np.interp: the piecewise-linear interpolant through (xp_j, fp_j) at x, ``left``/``right`` (fp's ends by
    default) outside [xp_0, xp_-1]; with ``period``, x and xp are taken modulo it. Inside an interval,
    f = fp_j + s (x - xp_j) with s = (fp_j+1 - fp_j) / (xp_j+1 - xp_j): d/dx = s, d/dfp_j = 1 - t, d/dfp_j+1 = t for
    t = (x - xp_j) / (xp_j+1 - xp_j). The sample points ``xp`` are constants."""
    points = _constant(xp, "interp", "xp").astype(np.float64)
    x, fp = _tensor(x).astype(np.float64), _tensor(fp).astype(np.float64)
    if points.ndim != 1 or fp.ndim != 1:
        raise ValueError(f"interp: xp and fp must be 1-D sequences, got shapes {points.shape} and {fp.shape}")
    if points.shape[0] != fp.shape[0]:
        raise ValueError(f"interp: fp and xp are not of the same length ({fp.shape[0]} and {points.shape[0]})")
    if points.shape[0] == 0:
        raise ValueError("interp: array of sample points is empty")
    if period is not None:
        if period == 0:
            raise ValueError("interp: period must be a non-zero value")
        x, points, fp = _periodic(x, points, fp, abs(period))
        left = right = None
    inside = _piecewise_linear(x, points, fp)
    below = fp[0] if left is None else left
    above = fp[-1] if right is None else right
    return where(x._data < points[0], below, where(x._data > points[-1], above, inside)).astype(np.float64)


def _periodic(x: Tensor, points: np.ndarray, fp: Tensor, period: float) -> tuple[Tensor, np.ndarray, Tensor]:
    """np.interp's periodic case: x and the points modulo ``period``, the points sorted and extended by one point
    each side from the neighbouring periods (numpy's own steps)."""
    points = points % period
    order = np.argsort(points)
    points, fp = points[order], fp[order]
    points = np.concatenate((points[-1:] - period, points, points[0:1] + period))
    return x % period, points, concatenate([fp[-1:], fp, fp[0:1]])


def _piecewise_linear(x: Tensor, points: np.ndarray, fp: Tensor) -> Tensor:
    """fp_j + s_j (x - xp_j) on the interval j holding x (numpy's evaluation order, its nan fallbacks and its exact
    value at the last point); the ends are applied by the caller."""
    if points.shape[0] == 1:
        return fp[np.zeros(x.shape, dtype=np.intp)]
    j = np.clip(np.searchsorted(points, x._data, side="right") - 1, 0, points.shape[0] - 2)
    low, high = fp[j], fp[j + 1]
    width = points[j + 1] - points[j]
    slope = (high - low) / width
    value = slope * (x - points[j]) + low
    if np.isnan(value._data).any():  # numpy's fallbacks: from the other end, then the flat value
        value = where(np.isnan(value._data), slope * (x - points[j + 1]) + high, value)
        value = where(np.isnan(value._data) & (low._data == high._data), low, value)
    return where(x._data == points[-1], fp[-1], value)


# -- evenly spaced numbers -------------------------------------------------------------------------------------------
def _endpoints(start: Any, stop: Any, dtype: Any) -> tuple[Tensor, Tensor]:
    return _tensor(start).astype(dtype), _tensor(stop).astype(dtype)


def linspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
    *,
    device: Any = None,
) -> Tensor | tuple[Tensor, Any]:
    """np.linspace with Tensor ends: start + k step for k = 0..num-1, step = (stop - start) / (num - 1) (or / num
    without ``endpoint``), the last value stop itself; the samples lie along ``axis`` of the result.
    d/dstart = 1 - k / div, d/dstop = k / div. An integer ``dtype`` floors (gradient 0), as numpy."""
    if device not in (None, "cpu"):
        raise DeviceUnavailableError(f"linspace: only the 'cpu' device exists, got {device!r}")
    num = operator.index(num)
    if num < 0:
        raise ValueError(f"linspace: number of samples, {num}, must be non-negative")
    computed = _promoted(start, stop)
    if computed.kind not in "fc":
        computed = np.result_type(computed, 1.0)
    first, last = _endpoints(start, stop, computed)
    delta = last - first
    count = Tensor._from_array(np.arange(num, dtype=computed).reshape((-1,) + (1,) * delta.ndim))
    div = num - 1 if endpoint else num
    step: Any = math.nan
    if div <= 0:
        samples = count * delta
    else:
        step = delta / div
        samples = count / div * delta if np.any(step._data == 0) else count * step
    samples = samples + first
    if endpoint and num > 1:
        samples = concatenate([samples[:-1], last.broadcast_to(delta.shape).reshape((1,) + delta.shape)])
    if axis != 0:
        samples = moveaxis(samples, 0, axis)
    if dtype is not None and np.issubdtype(dtype, np.integer):
        samples = samples.floor()
    samples = samples.astype(computed if dtype is None else dtype)
    return (samples, step) if retstep else samples


def logspace(
    start: Any, stop: Any, num: int = 50, endpoint: bool = True, base: Any = 10.0, dtype: Any = None, axis: int = 0
) -> Tensor:
    """np.logspace with Tensor ends (and base): base ** linspace(start, stop); d/dt base^t = base^t log(base)."""
    if not isinstance(base, (float, int)) and np.ndim(_data(base)):  # numpy's: an array base joins the broadcast
        ndim = np.broadcast(*(np.asarray(_data(value)) for value in (start, stop, base))).ndim
        start, stop, base = (_tensor(value) for value in (start, stop, base))
        start, stop, base = (value.reshape((1,) * (ndim - value.ndim) + value.shape) for value in (start, stop, base))
        base = base.expand_dims(axis)
    exponents = linspace(start, stop, num=num, endpoint=endpoint, axis=axis)
    powers = base**exponents
    return powers if dtype is None else powers.astype(dtype)


def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None, axis: int = 0) -> Tensor:
    """np.geomspace with Tensor ends: a geometric sequence from start to stop (both ends exactly, as numpy), the
    logspace of log10|start|..log10|stop| times start's sign (a constant)."""
    first, last = np.asarray(_data(start)), np.asarray(_data(stop))
    if np.any(first == 0) or np.any(last == 0):
        raise ValueError("geomspace: a geometric sequence cannot include zero")
    computed = np.result_type(first, last, float(num), np.zeros((), dtype))
    start, stop = _endpoints(start, stop, computed)
    sign = np.sign(start._data)
    start, stop = start / sign, stop / sign
    result = logspace(start.log10(), stop.log10(), num=num, endpoint=endpoint, base=10.0, dtype=computed)
    rows = [start.broadcast_to(result.shape[1:]).reshape((1,) + result.shape[1:])] if num > 0 else []
    end = [stop.broadcast_to(result.shape[1:]).reshape((1,) + result.shape[1:])] if num > 1 and endpoint else []
    middle = result[len(rows) : num - len(end)]
    result = concatenate([*rows, middle, *end]) * sign
    if axis != 0:
        result = moveaxis(result, 0, axis)
    return result.astype(computed if dtype is None else dtype)


# -- phases, slices -----------------------------------------------------------------------------------------------
def unwrap(p: TensorLike, discont: Any = None, axis: int = -1, *, period: float = 2 * math.pi) -> Tensor:
    """np.unwrap: p plus a multiple of ``period`` that makes every jump along ``axis`` at most ``discont`` (default
    period / 2). The correction is piecewise constant, so d/dp = identity."""
    p = _tensor(p)
    axis = single_axis(axis, p.ndim, "unwrap")
    jumps = np.diff(p._data, axis=axis)
    discont = period / 2 if discont is None else discont
    dtype = np.result_type(jumps, period)
    if np.issubdtype(dtype, np.integer):
        high, remainder = divmod(period, 2)
        ambiguous = remainder == 0
    else:
        high, ambiguous = period / 2, True
    wrapped = np.mod(jumps - -high, period) + -high
    if ambiguous:
        np.copyto(wrapped, high, where=(wrapped == -high) & (jumps > 0))
    correction = wrapped - jumps
    np.copyto(correction, 0, where=abs(jumps) < discont)
    p = p.astype(dtype)
    head = (slice(None),) * axis
    return concatenate([p[head + (slice(None, 1),)], p[head + (slice(1, None),)] + correction.cumsum(axis)], axis=axis)


def apply_along_axis(func1d: Callable[..., Any], axis: int, arr: TensorLike, *args: Any, **kwargs: Any) -> Tensor:
    """np.apply_along_axis: ``func1d`` on each 1-D slice along ``axis``, the results (all of one shape, cast to the
    first one's dtype) stacked in place of that axis; differentiated through whatever ``func1d`` records."""
    arr = _tensor(arr)
    axis = single_axis(axis, arr.ndim, "apply_along_axis")
    moved = moveaxis(arr, axis, -1)
    outer = moved.shape[:-1]
    if 0 in outer:
        raise ValueError(f"apply_along_axis: cannot apply along axis {axis} when another axis is empty ({arr.shape})")
    results = [_tensor(func1d(moved[index], *args, **kwargs)) for index in np.ndindex(outer)]
    shapes = {result.shape for result in results}
    if len(shapes) != 1:
        raise ValueError(f"apply_along_axis: func1d gave results of different shapes {sorted(shapes)}")
    dtype = results[0].dtype
    stacked = stack([result.astype(dtype) for result in results]).reshape(outer + results[0].shape)
    kept = results[0].ndim
    order = [*range(axis), *range(len(outer), len(outer) + kept), *range(axis, len(outer))]
    return stacked.transpose(tuple(order))


def sinc(x: Any) -> Any:
    """np.sinc of a Tensor or a Value: sin(pi x) / (pi x), 1 at 0; d/dx = (cos(pi x) - sinc(x)) / x, 0 at 0
    (``Tensor.sinc``, ``Value.sinc``)."""
    return x.sinc() if isinstance(x, Node) else _tensor(x).sinc()


def divmod_(x1: Any, x2: Any) -> tuple[Any, Any]:
    """np.divmod of Tensors or Values: ``(x1 // x2, x1 % x2)``, numpy's floor division and the remainder with the
    divisor's sign; the quotient is piecewise constant (derivative 0) and the remainder x1 - floor(x1 / x2) x2 has
    d/dx1 = 1 and d/dx2 = -floor(x1 / x2), each from its own op's rule."""
    return x1 // x2, x1 % x2


def modf(x: Any) -> tuple[Any, Any]:
    """np.modf of a Tensor or a Value: ``(x - trunc(x), trunc(x))``, the fractional and the integral part, both
    with x's sign; d(fraction)/dx = 1, d(integral part)/dx = 0. At +-inf numpy's fraction is +-0 (not inf - inf), a
    constant there."""
    whole = np.trunc(x)
    fraction = x - whole
    infinite = np.isinf(_data(x))
    if not np.any(infinite):
        return fraction, whole
    signed_zero = np.copysign(np.zeros_like(_data(fraction)), _data(x))
    if isinstance(x, Tensor):
        return where(infinite, Tensor(signed_zero), fraction), whole
    return type(x)(float(signed_zero), requires_grad=False), whole


# -- numpy.linalg -------------------------------------------------------------------------------------------------
def tensorinv(a: TensorLike, ind: int = 2) -> Tensor:
    """np.linalg.tensorinv: the inverse of ``a`` read as a matrix (the first ``ind`` axes the rows), shaped
    a.shape[ind:] + a.shape[:ind]; its gradient is inv's."""
    a = _tensor(a)
    if not isinstance(ind, (int, np.integer)) or ind <= 0:
        raise ValueError(f"tensorinv: ind must be a positive integer, got {ind!r}")
    rows = math.prod(a.shape[ind:])
    return inv(a.reshape(rows, -1)).reshape(a.shape[ind:] + a.shape[:ind])


def tensorsolve(a: TensorLike, b: TensorLike, axes: Sequence[int] | None = None) -> Tensor:
    """np.linalg.tensorsolve: x with tensordot(a, x, x.ndim) = b (``axes`` of ``a`` moved to the end first), by
    solve on ``a`` read as a square matrix; its gradient is solve's."""
    a, b = _tensor(a), _tensor(b)
    if axes is not None:
        order = [k for k in range(a.ndim) if k not in {single_axis(k, a.ndim, "tensorsolve") for k in axes}]
        a = a.transpose(tuple(order + [single_axis(k, a.ndim, "tensorsolve") for k in axes]))
    unknown = a.shape[-(a.ndim - b.ndim) :]
    count = math.prod(unknown)
    if a.size != count**2:
        raise np.linalg.LinAlgError(
            f"tensorsolve: a of shape {a.shape} must satisfy prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim]) "
            f"for b of shape {b.shape}"
        )
    return solve(a.reshape(count, count), b.reshape(-1)).reshape(unknown)


def cond(x: TensorLike, p: Any = None) -> Tensor:
    """np.linalg.cond: s_max / s_min for p None or 2 (s_min / s_max for -2) from the singular values, else
    norm(A, p) norm(A^-1, p); nan becomes inf unless A has a nan, as numpy. Its gradient is that of svdvals (or of
    norm and inv)."""
    x = _tensor(x)
    if x.ndim < 2:
        raise np.linalg.LinAlgError(f"cond: needs matrices (at least 2 dimensions), got shape {x.shape}")
    if x.size == 0:
        raise np.linalg.LinAlgError("cond: not defined on empty arrays")
    if p is None or (not isinstance(p, str) and p in (2, -2)):
        values = svdvals(x)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = values[..., -1] / values[..., 0] if p == -2 else values[..., 0] / values[..., -1]
    else:
        ratio = norm(x, p, axis=(-2, -1)) * norm(inv(x), p, axis=(-2, -1))
    undefined = np.isnan(ratio._data) & ~np.isnan(x._data).any(axis=(-2, -1))
    return ratio.masked_fill(undefined, np.inf) if undefined.any() else ratio
