"""torch's module-level functions that are not spellings of a Tensor method: factories (``randint``,
``randperm``, ``logspace``, the ``*_like`` family), broadcasting helpers, ``cdist``, the mean with the spread
(``std_mean``, ``var_mean``), sorted-search (``bucketize``, ``searchsorted``), combinatorics
(``cartesian_prod``, ``combinations``), ``block_diag``, the trapezoidal rule, ``vander``, triangle indices,
``polygamma`` (whose arguments torch orders unlike the method's), dtype queries and ``inference_mode``.

Every differentiable function is a composite of recorded ops (indexing, arithmetic, ``pad``, ``concatenate``,
``cumsum``, ``norm``), so each gradient follows from those ops' rules and needs no rule of its own. Factories
follow the library's (floating data of ``autograd.get_default_dtype()``, float64 unless changed, where torch's
starts at float32; integers int64 as torch), random
factories take torch's ``generator=``: a numpy Generator (``autograd.Generator`` is one), an int seed, or None
for the library's random state (``autograd.manual_seed``), and every factory takes torch's ``device``,
``layout``, ``out``, ... where torch has them (CPU and default values only: ``check_factory_options``). dtype queries follow numpy's promotion rules, not torch's (see each function).
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import shared_math
from .broadcasting import normalize_axes, single_axis
from .core import Node
from .default_dtype import float_dtype
from .derivatives import distances as distance_rules
from .grad_mode import _GradModeDecorator, _mode, is_grad_enabled, set_grad_enabled
from .index_errors import IndexBoundsError, IndexDtypeError
from .out_argument import takes_out
from .quiet import quiet, quietly
from .random_state import check_drawn_range, generator_for
from .reentrant import carry
from .shape_errors import ArgumentRangeError, DtypeKernelError, ShapeError, is_integer, require_integer
from .shape_functions import meshgrid
from .tensor import Tensor, TensorLike
from .tensor_functions import _integer_endpoint, bool_of_one_step, cat, concatenate, refuse_bool_range, stack
from .tensor_in_place import fitting_fill_value
from .torch_keywords import UNSET, all_if_empty
from .torch_names import check_factory_options, size_index

__all__ = [
    "block_diag", "broadcast_shapes", "broadcast_tensors", "bucketize", "can_cast", "cartesian_prod", "cdist",
    "combinations", "concat", "cumulative_trapezoid", "empty_like", "empty_permuted", "empty_strided", "fill", "inference_mode", "is_inference_mode_enabled",
    "is_tensor", "logspace", "polygamma", "promote_types", "randint", "randint_like", "randperm", "result_type",
    "searchsorted", "std_mean", "trapezoid", "trapz", "tril_indices", "triu_indices", "typename", "vander",
    "var_mean",
]  # fmt: skip


def _tensor(x: TensorLike) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _array(x: Any) -> np.ndarray:
    return np.asarray(x._data if isinstance(x, Node) else x)


class SizeTypeError(TypeError, ValueError):
    """A size, count or number of steps that is not an integer (2.5, True): torch's TypeError, and the ValueError
    the library raised for it before, so code written for either catches it."""


class ShapeEntryTypeError(SizeTypeError, RuntimeError):
    """A shape given to ``broadcast_shapes`` that is no int or sequence of ints (1.5, 2.0): torch's RuntimeError there,
    and the :class:`SizeTypeError` other sizes raise."""


def _size(size: Any, op: str) -> tuple[int, ...]:
    """``size`` (a length or a sequence of them) as a tuple of ints: a length that is not an integer is a
    :class:`SizeTypeError` (torch's TypeError and a ValueError), a negative one an ``ArgumentRangeError`` (also
    torch's RuntimeError)."""
    sizes = (size,) if np.ndim(size._data if isinstance(size, Node) else size) == 0 else tuple(size)
    lengths = tuple(size_index(length) for length in sizes)  # (an integer Tensor of one entry counts as its int)
    if None in lengths:
        raise SizeTypeError(f"{op}: size must be non-negative integers, got {size!r}")
    if any(length < 0 for length in lengths):
        raise ArgumentRangeError(f"{op}: size must be non-negative integers, got {size!r}")
    return lengths


# -- factories -------------------------------------------------------------------------------------------------
def empty_like(
    input: TensorLike,
    dtype: Any = None,
    requires_grad: bool = False,
    *,
    layout: Any = None,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """torch.empty_like: a tensor with the shape (and dtype) of ``input`` whose values are not to be read before
    they are set (zeros here, as ``autograd.empty``); torch's other keywords as ``check_factory_options``."""
    check_factory_options("empty_like", device, layout, memory_format=memory_format)
    return Tensor._from_array(np.zeros_like(_array(input), dtype=dtype), requires_grad, "empty_like")


def empty_strided(
    size: Sequence[int],
    stride: Sequence[int],
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """torch.empty_strided: a tensor of shape ``size`` whose element strides are ``stride`` (as ``stride()``
    reports them), of the default floating dtype unless ``dtype`` is given; zeros where torch leaves memory
    uninitialised (``Tensor.new_empty_strided``, whose checks it shares)."""
    check_factory_options("empty_strided", device, layout, pin_memory=pin_memory)
    base = Tensor(np.zeros(0, dtype=float_dtype(dtype) if dtype is None else dtype))
    return base.new_empty_strided(size, stride, requires_grad=requires_grad)


def empty_permuted(
    size: Sequence[int],
    physical_layout: Sequence[int],
    *,
    dtype: Any = None,
    layout: Any = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """torch.empty_permuted: a tensor of shape ``size`` laid out in memory in the order of ``physical_layout``
    (outermost axis first, as ``dim_order()`` gives it back): a dense block of the permuted shape, permuted back.
    Zeros where torch leaves memory uninitialised; ``physical_layout`` must name each axis once."""
    check_factory_options("empty_permuted", device, layout, pin_memory=pin_memory)
    shape = tuple(int(n) for n in size)
    order = tuple(int(d) for d in physical_layout)
    if len(order) != len(shape):
        raise ShapeError(
            f"empty_permuted: physical_layout {order} must name each of the {len(shape)} axes of size {shape}"
        )
    if sorted(order) != list(range(len(shape))):
        raise ArgumentRangeError(
            f"empty_permuted: physical_layout {order} must be a permutation of 0..{len(shape) - 1} (each axis once)"
        )
    if any(n < 0 for n in shape):
        raise ArgumentRangeError(f"empty_permuted: sizes must be >= 0, got {shape}")
    memory = np.zeros([shape[d] for d in order], dtype=float_dtype(dtype) if dtype is None else np.dtype(dtype))
    return Tensor._from_array(memory.transpose(np.argsort(order)), requires_grad, "empty_permuted")


def fill(input: TensorLike, value: Any) -> Tensor:
    """torch.fill: a new tensor of ``input``'s shape and dtype with every entry ``value`` (a number, cast as
    ``fill_`` casts it, or a 0-d tensor), out of place where ``x.fill_(value)`` writes into ``x`` (the method
    ``x.fill(value)`` is numpy's in-place one). ``masked_fill`` with every entry masked: d/d input = 0 and
    d/d value = sum(g)."""
    x = _tensor(input)
    return x.masked_fill(np.ones(x.shape, dtype=bool), value)


def randint(
    low: int = 0,
    high: int | None = None,
    size: Any = None,
    *,
    generator: Any = None,
    dtype: Any = np.int64,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    device: Any = None,
) -> Tensor:
    """torch.randint: integers drawn uniformly from [low, high) (``randint(high, size)`` or ``randint(low, high,
    size)``); int64 by default (also for ``dtype=None``), as torch; ``generator`` a numpy Generator, an int seed
    or None; torch's ``out``, ``layout``, ``device`` as ``check_factory_options``. ``low >= high`` is an
    ``ArgumentRangeError`` (a ValueError and torch's RuntimeError)."""
    check_factory_options("randint", device, layout, out)
    if size is None and high is not None and np.ndim(high) > 0:
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint: missing the size (randint(high, size) or randint(low, high, size))")
    if low >= high:
        raise ArgumentRangeError(f"randint: needs low < high, got low={low} and high={high}")
    dtype = np.dtype(np.int64 if dtype is None else dtype)
    check_drawn_range("randint", low, high - 1, dtype, ("low", "high - 1"))
    data = generator_for(generator).integers(low, high, size=_size(size, "randint"))
    return Tensor._from_array(data.astype(dtype, copy=False), requires_grad, "randint")


def randint_like(
    input: TensorLike,
    low: int = 0,
    high: int | None = None,
    *,
    generator: Any = None,
    dtype: Any = None,
    requires_grad: bool = False,
    layout: Any = None,
    device: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """torch.randint_like: integers from [low, high) (``randint_like(x, high)`` or ``randint_like(x, low, high)``)
    with the shape and, unless ``dtype`` is given, the dtype of ``input``; torch's other keywords as
    ``check_factory_options``."""
    check_factory_options("randint_like", device, layout, memory_format=memory_format)
    array = _array(input)
    low, high = (0, low) if high is None else (low, high)
    dtype = array.dtype if dtype is None else dtype
    return randint(low, high, array.shape, generator=generator, dtype=dtype, requires_grad=requires_grad)


def randperm(
    n: int,
    *,
    generator: Any = None,
    dtype: Any = np.int64,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    device: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    """torch.randperm: a random permutation of 0, ..., n - 1 (int64 by default, also for ``dtype=None``);
    torch's other keywords as ``check_factory_options``. bool is a ``DtypeKernelError``, torch's NotImplementedError;
    a ``dtype`` that cannot hold n - 1 exactly (an integer
    dtype's largest value, a float's 2**(mantissa bits + 1): 2048 for float16) is an ``ArgumentRangeError``, torch's
    RuntimeError: the cast would repeat numbers (wrapped, or rounded)."""
    check_factory_options("randperm", device, layout, out, pin_memory)
    (n,) = _size(n, "randperm")
    dtype = np.dtype(np.int64 if dtype is None else dtype)
    if dtype == np.bool_:  # (for any n, as torch's)
        raise DtypeKernelError("randperm: not implemented for bool (a permutation needs a number dtype)")
    if dtype.kind == "f" and n - 1 > 2 ** (np.finfo(dtype).nmant + 1):
        raise ArgumentRangeError(
            f"randperm: n = {n} is too large for {dtype}: n - 1 must be at most {2 ** (np.finfo(dtype).nmant + 1)}, "
            "up to which it holds every integer exactly"
        )
    if n:
        check_drawn_range("randperm", 0, n - 1, dtype, ("0", "n - 1"))
    data = generator_for(generator).permutation(n).astype(dtype, copy=False)
    return Tensor._from_array(data, requires_grad, "randperm")


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    device: Any = None,
) -> Tensor:
    """torch.logspace: ``steps`` values base**t for t evenly spaced from start to end (of the default floating
    dtype, ``autograd.get_default_dtype()``, unless ``dtype`` is given, as ``autograd.linspace``); torch's ``out``,
    ``layout``, ``device`` as ``check_factory_options``. A negative ``steps`` is an :class:`ArgumentRangeError`
    (torch's RuntimeError), as in ``autograd.linspace``.

    As torch computes it: start and end are first converted to ``dtype`` (truncated toward zero for an integer
    dtype, so ``logspace(0.5, 2.5, 5, dtype=int64)`` is 10**[0, 0.5, 1, 1.5, 2] = [1, 3, 10, 31, 100]; rounded for
    float32), then t_i = start + i step for the first half and end - (steps - 1 - i) step for the rest, step =
    (end - start) / (steps - 1) (the difference taken in dtype), so both ends are exact; base**t_i is computed in float64 and converted to ``dtype``
    (inf where it overflows, as torch's). One step is base**start of the start as given."""
    check_factory_options("logspace", device, layout, out)
    if is_integer(steps) and steps < 0:
        raise ArgumentRangeError(f"logspace: the number of steps must be >= 0, got {steps}")
    (steps,) = _size(steps, "logspace")
    for name, bound in (("start", start), ("end", end)):
        if np.ndim(bound._data if isinstance(bound, Node) else bound) != 0:  # torch's RuntimeError
            raise ShapeError(f"logspace: {name} must be a number or a 0-d tensor, got shape {np.shape(bound)}")
    refuse_bool_range("logspace", dtype, steps)
    one_step = bool_of_one_step(quietly(np.power, float(base), float(start)), steps, dtype)
    if one_step is not None:
        return Tensor._from_array(one_step, requires_grad, "logspace")
    dtype = np.dtype(float_dtype(dtype))
    if steps <= 1:  # (no end converted, as torch's: an empty result, or base**start of the start as given)
        exponents = np.array([float(start)])[:steps]
    else:
        if dtype.kind in "iu":
            first, last = (_integer_endpoint(end_, dtype, "logspace") for end_ in (start, end))
        else:
            for end_ in (start, end):  # a finite end beyond the range (1e39 for float32) raises as torch's, not inf
                fitting_fill_value("logspace", end_._data.item() if isinstance(end_, Node) else end_, dtype)
            first, last = (quietly(dtype.type, float(end_)) for end_ in (start, end))
        index = np.arange(steps)
        with quiet():  # (an infinite end: inf * 0 and inf - inf are torch's NaNs, without numpy's warnings)
            step = float(last - first) / (steps - 1)  # the difference in dtype, as torch's
            first, last = float(first), float(last)
            exponents = np.where(index < steps // 2, first + step * index, last - step * (steps - 1 - index))
    values = quietly(np.power, float(base), exponents)
    return Tensor._from_array(quietly(values.astype, dtype, copy=False), requires_grad, "logspace")  # inf, as torch


concat = cat  # torch.concat: torch.cat's alias


# -- broadcasting ----------------------------------------------------------------------------------------------
def broadcast_shapes(*shapes: Any) -> tuple[int, ...]:
    """torch.broadcast_shapes: the shape the given shapes broadcast to (ValueError if they do not)."""
    sizes = []
    for shape in shapes:
        try:
            sizes.append(_size(shape, "broadcast_shapes"))
        except SizeTypeError:
            raise ShapeEntryTypeError(
                f"broadcast_shapes: input shapes should be ints, tuples of ints or lists of ints, got {shape!r}"
            ) from None
    try:
        return tuple(np.broadcast_shapes(*sizes))
    except ValueError:
        raise ShapeError(f"broadcast_shapes: shapes {sizes} do not broadcast together") from None


def broadcast_tensors(*tensors: TensorLike) -> tuple[Tensor, ...]:
    """torch.broadcast_tensors: the tensors broadcast to one shape; d/dx sums g over the broadcast axes."""
    parts = [_tensor(t) for t in tensors]
    try:
        shape = np.broadcast_shapes(*(part.shape for part in parts))
    except ValueError:
        raise ShapeError(
            f"broadcast_tensors: shapes {[part.shape for part in parts]} do not broadcast together"
        ) from None
    return tuple(part if part.shape == shape else part.broadcast_to(shape) for part in parts)


def numpy_broadcast_arrays(*arrays: TensorLike, subok: bool = False) -> tuple[Tensor, ...]:
    """np.broadcast_arrays with a Tensor among ``arrays``: :func:`broadcast_tensors`, so gradients flow (numpy's
    ``subok`` has nothing to choose: the results are Tensors)."""
    return broadcast_tensors(*arrays)


# -- distances and spreads -------------------------------------------------------------------------------------
def cdist(
    x1: TensorLike, x2: TensorLike, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary"
) -> Tensor:
    """torch.cdist: the p-norm distances between the rows of ``x1`` (..., P, M) and of ``x2`` (..., R, M), shape
    (..., P, R) with the leading (batch) axes broadcast, by torch's way for ``compute_mode``:

    * p = 2 with ``"use_mm_for_euclid_dist"``, or with the default ``"use_mm_for_euclid_dist_if_necessary"`` when
      P or R > 25: torch's matrix product sqrt(max(|x1_i|^2 + |x2_j|^2 - 2 x1_i . x2_j, 0)), whose rounding is the
      product's (a distance of equal rows may come out a little above 0), with the derivative torch gives it;
    * otherwise (and always with ``"donot_use_mm_for_euclid_dist"``) ``(x1_i - x2_j).norm(p)`` exactly, its
      gradient torch's (0 at distance 0), by blocks of rows without the whole (P, R, M) difference array.

    See :mod:`autograd.derivatives.distances`. Another ``compute_mode`` (None too) is a ValueError, as torch's."""
    if not isinstance(compute_mode, str) or compute_mode not in distance_rules.COMPUTE_MODES:
        raise ValueError(
            f"cdist: {compute_mode!r} is not a valid value for compute_mode "
            f"(one of {', '.join(map(repr, distance_rules.COMPUTE_MODES))})"
        )
    x1, x2 = _tensor(x1), _tensor(x2)
    if x1.ndim < 2 or x2.ndim < 2:
        raise ValueError(f"cdist: needs tensors of at least 2 dimensions, got shapes {x1.shape} and {x2.shape}")
    if x1.shape[-1] != x2.shape[-1]:
        raise ValueError(f"cdist: x1 {x1.shape} and x2 {x2.shape} must have the same number of columns")
    if not p >= 0:
        raise ValueError(f"cdist: p must be >= 0, got {p}")
    try:
        np.broadcast_shapes(x1.shape[:-2], x2.shape[:-2])
    except ValueError:
        raise ShapeError(f"cdist: the batch shapes of x1 {x1.shape} and x2 {x2.shape} do not broadcast") from None
    # torch refuses integers; a float difference does not wrap as an unsigned one would
    x1 = shared_math.floating(x1)
    dtype = promote_types(x1.dtype, x2.dtype)
    x1, x2 = (x if x.dtype == dtype else x.astype(dtype) for x in (x1, x2))
    if distance_rules.uses_products(x1.shape, x2.shape, p, compute_mode):
        return distance_rules.recorded_euclidean_distances(x1, x2)
    return distance_rules.recorded_distances(x1, x2, p)


def _spread_and_mean(op: str, input: TensorLike, dim: Any, unbiased: Any, keepdim: bool, correction: Any) -> Any:
    x = _tensor(input)
    if isinstance(dim, bool):  # torch's std_mean(input, unbiased)
        dim, unbiased = None, dim
    # a bad dim names std_mean/var_mean, not the std/var it reduces with (an empty dim: every axis, as torch's)
    dim = normalize_axes(all_if_empty(tuple(dim) if isinstance(dim, list) else dim), x.ndim, f"{op}_mean")
    spread = getattr(x, op)(dim=dim, keepdim=keepdim, unbiased=unbiased, correction=correction)
    return spread, x.mean(dim=dim, keepdim=keepdim)


def std_mean(
    input: TensorLike, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *, correction: Any = None
) -> tuple[Tensor, Tensor]:
    """torch.std_mean: ``(std, mean)`` over ``dim`` (all entries if None) with torch's correction, 1 by default
    (0 for ``unbiased=False``), as ``autograd.std(x)`` (the method ``x.std()`` is numpy's ``ddof=0``)."""
    return _spread_and_mean("std", input, dim, unbiased, keepdim, correction)


def var_mean(
    input: TensorLike, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *, correction: Any = None
) -> tuple[Tensor, Tensor]:
    """torch.var_mean: ``(var, mean)`` over ``dim`` with torch's correction (see :func:`std_mean`)."""
    return _spread_and_mean("var", input, dim, unbiased, keepdim, correction)


# -- sorted search ---------------------------------------------------------------------------------------------
def _search_side(op: str, right: bool, side: str | None) -> str:
    """'left' or 'right' from torch's ``right`` and ``side``; an ``ArgumentRangeError`` (torch's RuntimeError) for
    another side or for side='left' with right=True."""
    if side is None:
        return "right" if right else "left"
    if side not in ("left", "right"):
        raise ArgumentRangeError(f"{op}: side must be 'left' or 'right', got {side!r}")
    if right and side == "left":
        raise ArgumentRangeError(f"{op}: got side='left' and right=True, which contradict each other")
    return side


def _sorted_by(sequence: np.ndarray, sorter: Any) -> np.ndarray:
    """``sequence`` reordered along its last axis by searchsorted's ``sorter`` (per row, as torch): refused as
    torch refuses it (its RuntimeError) unless it is an integer tensor of the sequence's shape whose entries lie in
    [0, length): a float ``sorter`` an ``IndexDtypeError``, another shape a ``ShapeError``, an entry outside the
    row (a negative one too, which numpy would count from the end) an ``IndexBoundsError``."""
    order = _array(sorter)
    if order.dtype.kind not in "iu":
        raise IndexDtypeError(f"searchsorted: sorter must be an integer tensor, got dtype {order.dtype}")
    if order.shape != sequence.shape:
        raise ShapeError(
            f"searchsorted: sorter of shape {order.shape} must have sorted_sequence's shape {sequence.shape}"
        )
    if order.size and (order.min() < 0 or order.max() >= sequence.shape[-1]):
        raise IndexBoundsError(
            f"searchsorted: sorter entries must lie in [0, {sequence.shape[-1]}), got {order.min()} to {order.max()}"
        )
    return np.take_along_axis(sequence, order.astype(np.intp), axis=-1)


def _bisected(rows: np.ndarray, columns: np.ndarray, side: str) -> np.ndarray:
    """searchsorted of each row of ``columns`` in the matching row of ``rows`` by torch's binary search (its CPU
    kernel's ``cus_lower_bound``/``cus_upper_bound``), all values at once: [start, end) halves at
    mid = start + (end - start) // 2 and start moves past mid while not rows[mid] >= value ('left'; > for 'right').

    Without NaN in the rows that is numpy's searchsorted; a NaN compares false, so a NaN value goes past every
    entry (to the row's length, as numpy's) and a NaN of the row, which torch.sort puts last, counts as below every
    value where the halving meets it: in [1, 2, nan], 3 goes to index 3 (numpy: 2, NaN its largest), 1.5 to 1."""
    length = rows.shape[-1]
    start = np.zeros(columns.shape, dtype=np.int64)
    end = np.full(columns.shape, length, dtype=np.int64)
    line = np.arange(rows.shape[0])[:, None]
    while (active := start < end).any():
        middle = start + (end - start) // 2
        entry = rows[line, np.minimum(middle, length - 1)]
        past = ~(entry >= columns) if side == "left" else ~(entry > columns)
        start = np.where(active & past, middle + 1, start)
        end = np.where(active & ~past, middle, end)
    return start


@takes_out("searchsorted")
def searchsorted(
    sorted_sequence: TensorLike,
    input: TensorLike,
    *,
    out_int32: bool = False,
    right: bool = False,
    side: str | None = None,
    sorter: Any = None,
) -> Tensor:
    """torch.searchsorted: for each value of ``input``, the index at which it would go into ``sorted_sequence``
    (along its last axis) to keep it sorted: the first such index (``side='left'``) or the last (``right=True``
    or ``side='right'``). An N-D ``sorted_sequence`` searches each last-axis row with the matching row of
    ``input``; ``sorter`` gives the indices that sort an unsorted sequence. int64 (int32 with ``out_int32``),
    outside the graph. Rows, and a sequence holding NaN, are searched by torch's binary search (see
    :func:`_bisected`), whose answer around a NaN differs from numpy's."""
    side = _search_side("searchsorted", right, side)
    sequence, values = _array(sorted_sequence), _array(input)
    if sequence.ndim == 0:
        raise ShapeError("searchsorted: sorted_sequence must have at least one dimension, got a 0-d one")
    if sorter is not None:
        sequence = _sorted_by(sequence, sorter)
    if sequence.ndim > 1 and values.shape[:-1] != sequence.shape[:-1]:
        raise ShapeError(
            f"searchsorted: input {values.shape} must match sorted_sequence {sequence.shape} in every axis but the last"
        )
    if sequence.ndim == 1 and not (sequence.dtype.kind in "fc" and np.isnan(sequence).any()):
        found = np.searchsorted(sequence, values, side=side)
    else:  # rows, or NaN in the sequence: torch's own binary search; sizes explicit, as -1 is not inferred beside a 0
        count, width = (math.prod(values.shape[:-1]), values.shape[-1]) if sequence.ndim > 1 else (1, values.size)
        rows = sequence.reshape(count, sequence.shape[-1])
        found = _bisected(rows, values.reshape(count, width), side).reshape(values.shape)
    return Tensor._from_array(np.asarray(found, dtype=np.int32 if out_int32 else np.int64), False)


@takes_out("bucketize")
def bucketize(input: TensorLike, boundaries: TensorLike, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """torch.bucketize: the index of the bucket of each value of ``input`` among the sorted 1-D ``boundaries``:
    i with boundaries[i-1] < x <= boundaries[i] (``right=True``: boundaries[i-1] <= x < boundaries[i])."""
    if _array(boundaries).ndim != 1:
        raise ShapeError(f"bucketize: boundaries must be 1-D, got shape {_array(boundaries).shape}")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


@takes_out("isin")
def isin(
    elements: TensorLike, test_elements: TensorLike, *, assume_unique: bool = False, invert: bool = False
) -> Tensor:
    """torch.isin: a boolean tensor of ``elements``' shape, True where the entry is among ``test_elements``
    (either may be a number, which torch's overloads name ``element=`` and ``test_element=``, also taken here;
    ``invert`` negates it); outside the graph. torch's ``out=`` takes it into a bool Tensor. A bool among either
    (a tensor or a number) is a :class:`~autograd.DtypeKernelError`, torch's RuntimeError."""
    searched, tests = _array(elements), _array(test_elements)
    for operand in (searched, tests):
        if operand.dtype == np.bool_:
            raise DtypeKernelError(
                f"isin: unsupported input type bool (elements {searched.dtype}, tests {tests.dtype})"
            )
    found = np.isin(searched, tests, assume_unique=assume_unique, invert=invert)
    return Tensor._from_array(np.asarray(found, dtype=bool), False)


def unravel_index(indices: TensorLike, shape: int | Sequence[int]) -> tuple[Tensor, ...]:
    """torch.unravel_index: the coordinates, one int64 tensor per axis of ``shape``, of each flat C-order index
    (a negative index counts from the end, as torch); an index outside the shape is a ValueError."""
    flat = _array(indices)
    if flat.dtype.kind not in "iu":
        raise TypeError(f"unravel_index: indices must be integers, got dtype {flat.dtype}")
    dims = (int(shape),) if isinstance(shape, (int, np.integer)) else tuple(int(n) for n in shape)
    size = math.prod(dims)
    if flat.size and (flat.max() >= size or flat.min() < -size):
        raise ValueError(f"unravel_index: indices must lie in [{-size}, {size - 1}] for shape {dims}")
    coordinates = np.unravel_index(np.where(flat < 0, flat + size, flat), dims)
    return tuple(Tensor._from_array(np.asarray(c, dtype=np.int64), False) for c in coordinates)


# -- combinatorics and block matrices --------------------------------------------------------------------------
def _vectors(op: str, tensors: Sequence[TensorLike]) -> list[Tensor]:
    parts = [_tensor(t) for t in tensors]
    for part in parts:
        if part.ndim != 1:
            raise ShapeError(f"{op}: expects 1-D tensors, got shapes {[p.shape for p in parts]}")
    return parts


def cartesian_prod(*tensors: TensorLike) -> Tensor:
    """torch.cartesian_prod: every tuple of one entry from each 1-D tensor, in order, as the rows of an (N, k)
    tensor (one tensor: the tensor itself); d/dx_k sums g over the rows that use each entry."""
    if not tensors:
        raise ShapeError("cartesian_prod: needs at least one tensor")  # (torch's RuntimeError)
    parts = _vectors("cartesian_prod", tensors)
    if len(parts) == 1:
        return parts[0]
    return stack([grid.reshape(-1) for grid in meshgrid(*parts, indexing="ij")], axis=1)


def combinations(input: TensorLike, r: int = 2, with_replacement: bool = False) -> Tensor:
    """torch.combinations: the r-length combinations of the 1-D ``input``'s entries (as ``itertools``), as the
    rows of a (C, r) tensor; empty of shape (0,) for r = 0. The rows are gathered entries, so d/dx sums g."""
    (x,) = _vectors("combinations", [input])
    if not isinstance(r, (int, np.integer)) or isinstance(r, bool) or r < 0:
        raise ArgumentRangeError(f"combinations: r must be a non-negative integer, got {r!r}")
    if r == 0:
        return x[:0]
    choose = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    rows = np.array(list(choose(range(x.shape[0]), r)), dtype=np.intp).reshape(-1, r)
    return x[rows]


def _joined_result_type(tensors: Sequence[Tensor]) -> np.dtype:
    """torch.result_type of several tensors (its ``ResultTypeState``): the promotion of the dimensioned ones, then
    of the 0-d ones, the 0-d result counting only where it is of a higher category (a float beside integers, an
    integer beside bools), so float32 beside a 0-d float64 stays float32 and int8 beside a 0-d float64 is float64."""

    def promoted(dtypes: list[np.dtype]) -> np.dtype | None:
        result = dtypes[0] if dtypes else None
        for dtype in dtypes[1:]:
            result = _promoted_dtype(result, dtype)
        return result

    def combined(higher: np.dtype | None, lower: np.dtype | None) -> np.dtype | None:
        if higher is None or lower is None:
            return lower if higher is None else higher
        if higher.kind == "f":
            return higher
        return _promoted_dtype(higher, lower) if higher.kind == "b" or lower.kind == "f" else higher

    dimensioned = promoted([t.dtype for t in tensors if t.ndim])
    return combined(dimensioned, promoted([t.dtype for t in tensors if not t.ndim]))


def block_diag(*tensors: TensorLike) -> Tensor:
    """torch.block_diag: the 0-, 1- or 2-D tensors (a 0-D as 1 x 1, a 1-D as one row) down the diagonal of a
    matrix of zeros, in the dtype torch's promotion gives them all (a 0-D tensor as a number beside the others of
    its category); each block's gradient is its window of g."""
    given = [_tensor(t) for t in tensors]
    for block in given:
        if block.ndim > 2:
            raise ShapeError(f"block_diag: expects tensors of at most 2 dimensions, got shape {block.shape}")
    if not given:
        return Tensor._from_array(np.zeros((1, 0)), False)
    dtype = _joined_result_type(given)
    blocks = [block.reshape(1, -1) if block.ndim < 2 else block for block in given]
    width = sum(block.shape[1] for block in blocks)
    rows, left = [], 0
    for block in blocks:
        right = width - left - block.shape[1]
        rows.append(block.astype(dtype).pad(((0, 0), (left, right))))
        left += block.shape[1]
    return concatenate(rows, axis=0)


# -- the trapezoidal rule --------------------------------------------------------------------------------------
def _trapezoids(op: str, y: TensorLike, x: Any, dx: Any, dim: int) -> tuple[Tensor, int]:
    """The areas of the trapezoids along ``dim``: (y_i + y_(i+1)) / 2 times the spacing, and the axis."""
    y = _tensor(y)
    if y.ndim == 0:
        raise ValueError(f"{op}: y must have at least one dimension")
    axis = single_axis(dim, y.ndim, op)
    before = (slice(None),) * axis
    heights = (y[before + (slice(1, None),)] + y[before + (slice(None, -1),)]) / 2
    if x is None:
        return heights * (1 if dx is None else dx), axis
    if dx is not None:
        raise TypeError(f"{op}: give either x or dx, not both")
    x = _tensor(x)
    if x.ndim == 1:
        if x.shape[0] != y.shape[axis]:
            raise ValueError(f"{op}: 1-D x of length {x.shape[0]} must match y {y.shape} along dim {dim}")
        x = x.reshape((1,) * axis + (-1,) + (1,) * (y.ndim - axis - 1))
    elif x.ndim < y.ndim:  # torch lines x up with y's trailing axes
        x = x.reshape((1,) * (y.ndim - x.ndim) + x.shape)
    spacing = x[before + (slice(1, None),)] - x[before + (slice(None, -1),)]
    try:
        return heights * spacing, axis
    except ValueError:
        raise ShapeError(f"{op}: x {x.shape} does not broadcast with y {y.shape} along dim {dim}") from None


def trapezoid(y: TensorLike, x: TensorLike | None = None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    """torch.trapezoid: the integral of ``y`` along ``dim`` by the trapezoidal rule, with sample points ``x``
    (1-D along ``dim``, or broadcasting with ``y``) or constant spacing ``dx`` (1 by default); d/dy_i =
    (dx_(i-1) + dx_i) / 2 and d/dx_i = (y_(i-1) - y_(i+1)) / 2 inside."""
    areas, axis = _trapezoids("trapezoid", y, x, dx, dim)
    return areas.sum(axis=axis)


def trapz(y: TensorLike, x: TensorLike | None = None, *, dx: float | None = None, dim: int = -1) -> Tensor:
    """torch.trapz: :func:`trapezoid` (its older name)."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(
    y: TensorLike, x: TensorLike | None = None, *, dx: float | None = None, dim: int = -1
) -> Tensor:
    """torch.cumulative_trapezoid: the running integral of ``y`` along ``dim`` by the trapezoidal rule (one entry
    fewer than ``y`` along ``dim``); spacing as :func:`trapezoid`."""
    areas, axis = _trapezoids("cumulative_trapezoid", y, x, dx, dim)
    return areas.cumsum(axis=axis)


def vander(x: TensorLike, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803 (torch's name)
    """torch.vander: the Vandermonde matrix of the 1-D ``x``, columns x^(N-1), ..., x, 1 (reversed with
    ``increasing``), N = len(x) by default; integer and bool inputs give int64, as torch. The powers are running
    products of x, so d/dx_i = sum_k k x_i^(k-1) g_ik holds at x = 0 too."""
    (x,) = _vectors("vander", [x])
    columns = x.shape[0] if N is None else N
    if not isinstance(columns, (int, np.integer)) or isinstance(columns, bool) or columns < 0:
        raise ValueError(f"vander: N must be a non-negative integer, got {N!r}")
    if x.dtype.kind in "biu":  # not differentiable: numpy's exact integer powers
        return Tensor._from_array(np.vander(x._data.astype(np.int64), columns, increasing), False)
    ones = Tensor._from_array(np.ones((x.shape[0], min(columns, 1)), dtype=x.dtype), False)
    powers = x.unsqueeze(1).broadcast_to((x.shape[0], max(columns - 1, 0))).cumprod(axis=1)
    matrix = concatenate([ones, powers], axis=1)
    return matrix if increasing else matrix[:, ::-1]


def _triangle_indices(
    op: str, numpy_indices: Callable, row: int, col: int, offset: int, dtype: Any, device: Any, layout: Any
) -> Tensor:
    """The (2, K) indices of a triangle (``numpy_indices`` is numpy's tril/triu_indices), in int64 or int32 only, as
    torch's (NotImplementedError naming ``op`` for another dtype: int8 would wrap indices past 127, a float or bool
    one is no index)."""
    check_factory_options(op, device, layout)
    dtype = np.dtype(np.int64 if dtype is None else dtype)
    if dtype not in (np.int64, np.int32):
        raise NotImplementedError(f"{op}: not implemented for {dtype} (indices are int64 or int32)")
    require_integer(op, "offset", offset)  # (numpy compares column - row with it: 1.5 gave the triangle of 1)
    row, col = _size((row, col), op)
    rows, columns = numpy_indices(row, offset, col)
    return Tensor._from_array(np.stack([rows, columns]).astype(dtype, copy=False).reshape(2, -1), False)


def tril_indices(
    row: int, col: int, offset: int = 0, *, dtype: Any = np.int64, device: Any = None, layout: Any = None
) -> Tensor:
    """torch.tril_indices: the (2, K) row and column indices of the lower triangle of a row x col matrix (entries
    with column - row <= offset), row by row; torch's ``device``, ``layout`` as ``check_factory_options``."""
    return _triangle_indices("tril_indices", np.tril_indices, row, col, offset, dtype, device, layout)


def triu_indices(
    row: int, col: int, offset: int = 0, *, dtype: Any = np.int64, device: Any = None, layout: Any = None
) -> Tensor:
    """torch.triu_indices: the (2, K) indices of the upper triangle (column - row >= offset), row by row; torch's
    ``device``, ``layout`` as ``check_factory_options``."""
    return _triangle_indices("triu_indices", np.triu_indices, row, col, offset, dtype, device, layout)


# -- types and modes -------------------------------------------------------------------------------------------
@takes_out("polygamma", same_dtype=False)
def polygamma(n: int, input: TensorLike) -> Tensor:
    """torch.polygamma: the n-th derivative of the digamma function, ``input.polygamma(n)`` (torch puts ``n``
    first here, unlike the method); torch's ``out=`` receives the result."""
    return _tensor(input).polygamma(n)


def is_tensor(obj: Any) -> bool:
    """torch.is_tensor: whether ``obj`` is a :class:`Tensor` (a :class:`Value` is not)."""
    return isinstance(obj, Tensor)


def typename(obj: Any, /) -> str:
    """torch.typename: a Tensor's legacy type name (``x.type()``, ``'autograd.LongTensor'`` where torch says
    ``'torch.LongTensor'``), otherwise the full dotted name of ``obj`` if it is a class or function, or of its
    class (builtins without their module: ``'int'``)."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        qualname = obj.__qualname__
    elif hasattr(obj, "__name__"):
        qualname = obj.__name__
    else:
        module, qualname = type(obj).__module__ or "", type(obj).__qualname__
    return qualname if module in {"", "builtins"} else f"{module}.{qualname}"


def _promotion_operand(x: Any) -> Any:
    """``x`` as an operand of the addition whose dtype :func:`result_type` reports: a Tensor or an array as a
    tensor of its dtype and number of axes (0-d stays 0-d: it promotes as a number does), a dtype as a 1-d
    tensor of it, a Value as its number, a number as itself."""
    if isinstance(x, (Tensor, np.ndarray)):
        return Tensor(np.zeros((1,) * np.ndim(x), dtype=x.dtype))
    if isinstance(x, Node):
        return x._data
    if isinstance(x, (bool, int, float, np.generic)):
        return x
    try:
        dtype = np.dtype(x)
    except TypeError:
        raise TypeError(f"result_type: expected Tensors, numbers or dtypes, got {type(x).__name__}") from None
    if dtype.kind not in "biuf":
        raise TypeError(f"result_type: unsupported dtype {dtype} (use real numbers or booleans)")
    return Tensor(np.zeros(1, dtype=dtype))


def _promoted_dtype(first: Any, second: Any) -> np.dtype:
    """The dtype of ``first + second`` as this library computes it (torch's promotion, by category first)."""
    a, b = _promotion_operand(first), _promotion_operand(second)
    if not isinstance(a, Tensor):
        a = Tensor(a)
    return (a + b).dtype  # (zeros that require no grad: nothing is recorded)


#: The keyword names of torch.result_type's overloads: (Tensor tensor, Tensor other), (Number scalar, Tensor tensor),
#: (Tensor tensor, Number other) and (Number scalar1, Number scalar2).
_RESULT_TYPE_KEYWORDS = ({"tensor", "other"}, {"scalar", "tensor"}, {"scalar1", "scalar2"})


def result_type(
    tensor: Any = UNSET,
    other: Any = UNSET,
    *,
    scalar: Any = UNSET,
    scalar1: Any = UNSET,
    scalar2: Any = UNSET,
) -> np.dtype:
    """torch.result_type: the dtype of an operation on the two (Tensors, arrays, Python numbers or dtypes), as this
    library's own arithmetic promotes them, which is torch's: by category first (bool < integer < floating: int64
    with float32 is float32, int64 with float16 float16), a 0-d tensor as a number beside a dimensioned one of its
    category, Python numbers weak; a float number with an integer tensor gives the default float dtype (float64
    unless set, torch's float32). Named as torch's overloads name them (``tensor``/``other``, ``scalar``/``tensor``,
    ``scalar1``/``scalar2``; the order does not matter)."""
    given = {"tensor": tensor, "other": other, "scalar": scalar, "scalar1": scalar1, "scalar2": scalar2}
    given = {name: value for name, value in given.items() if value is not UNSET}
    if set(given) not in _RESULT_TYPE_KEYWORDS:
        raise TypeError(
            f"result_type: takes two operands, tensor and other (or torch's scalar and tensor, or scalar1 and "
            f"scalar2), got {', '.join(given) or 'none'}"
        )
    first, second = given.values()
    return _promoted_dtype(first, second)


def promote_types(type1: Any, type2: Any) -> np.dtype:
    """torch.promote_types: the dtype this library's arithmetic gives two tensors of these dtypes (torch's rule:
    the higher category's dtype, bool < integer < floating, so int64 with float16 is float16; within a category
    the smallest dtype both cast to safely, as numpy's)."""
    return _promoted_dtype(np.dtype(type1), np.dtype(type2))


def can_cast(from_: Any, to: Any) -> bool:
    """torch.can_cast with numpy's ``same_kind`` rule: no cast from float to integer, from a number to bool, nor
    (unlike torch) from a signed integer to an unsigned one."""
    return bool(np.can_cast(from_, to, casting="same_kind"))


#: Each thread's stack of open ``inference_mode`` blocks (their modes, innermost last).
_inference_blocks = carry(threading.local())


class inference_mode(_GradModeDecorator):
    """torch.inference_mode: a block (or decorated function, with or without parentheses; a generator's body at
    each resumption) that records no graph, as :class:`no_grad`, nor do ``enable_grad`` or ``set_grad_enabled(True)``
    inside it, as torch's (``is_grad_enabled()`` then says False, where torch's says True while recording nothing);
    a block of ``inference_mode(False)`` records, as torch's (inside ``no_grad`` too). :func:`is_inference_mode_enabled` tells whether the innermost block is on.
    Results are ordinary tensors (there are no inference tensors, so ``is_inference()`` stays False)."""

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode):  # @inference_mode without parentheses
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True) -> None:
        self._mode = bool(mode)
        self._previous: list[bool] = []

    @property
    def mode(self) -> bool:
        """Whether this block (or decorated function) is in inference mode: torch's attribute."""
        return self._mode

    def __enter__(self) -> None:
        self._previous.append(is_grad_enabled())
        _inference_blocks.__dict__.setdefault("modes", []).append(self._mode)
        _mode.inference = self._mode  # enable_grad inside records nothing, as torch's
        set_grad_enabled(not self._mode)  # inference_mode(False) turns recording on, even inside no_grad, as torch

    def __exit__(self, *exc_info: object) -> None:
        modes = _inference_blocks.modes
        modes.pop()
        _mode.inference = bool(modes and modes[-1])
        set_grad_enabled(self._previous.pop())

    def _fresh(self) -> inference_mode:
        return inference_mode(self._mode)


def is_inference_mode_enabled() -> bool:
    """torch.is_inference_mode_enabled: whether the innermost open ``inference_mode`` block (of this thread) is on."""
    modes = _inference_blocks.__dict__.get("modes")
    return bool(modes and modes[-1])
