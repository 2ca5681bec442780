"""numpy's shape functions for Tensors: flips, rotations, repeats, triangles, rolls, axis moves, splits, stacks,
grids.

Every function is a composite of recorded shape ops (indexing, reshape, transpose,
broadcast_to, concatenate, where), so each gradient is the adjoint rearrangement and
needs no rule of its own: a flip flips g back, a repeat sums g over the copies, a split
piece sends its g to its window, and so on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .broadcasting import normalize_axes, single_axis
from .out_argument import written_to_out
from .shape_errors import ArgumentRangeError, ShapeError, require_integer
from .shared_math import shares_memory
from .tensor import Tensor, TensorLike, where
from .tensor_functions import concatenate, joined, stack
from .torch_keywords import UNSET, torch_alias

__all__ = [
    "array_split", "atleast_1d", "atleast_2d", "atleast_3d", "column_stack", "dsplit", "dstack", "expand_dims", "flip",
    "fliplr", "flipud", "hsplit", "hstack", "meshgrid", "moveaxis", "ravel", "repeat", "roll", "rot90", "swapaxes",
    "row_stack", "tile", "tril", "triu", "vsplit", "vstack",
]  # fmt: skip


def _tensor(x: TensorLike) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _need_dims(a: Tensor, ndim: int, op: str) -> None:
    if a.ndim < ndim:
        raise ShapeError(f"{op}: needs an array of at least {ndim} dimension(s), got shape {a.shape}")


# -- flips and rotations -----------------------------------------------------------------------------------
def unshared(result: Tensor, source: Tensor) -> Tensor:
    """``result``, cloned (recorded) if it is ``source`` or shares its memory: the functions that torch documents
    as making a new tensor (flip, roll, rot90, tile, diff, pad, ...) never hand back their input or a view of it,
    even when they change nothing, so writing into the result cannot change the input behind the graph."""
    if result is source or shares_memory(result._data, source._data):
        return result.clone()
    return result


def flip(m: TensorLike, axis: int | Sequence[int] | None = None, *, dims: Any = UNSET) -> Tensor:
    """Reverse the order of entries along ``axis`` (torch's ``dims``; all axes if None): a new tensor, as torch's
    (numpy's is a view)."""
    axis = torch_alias("flip", "axis", axis, "dims", dims)
    m = _tensor(m)
    axes = normalize_axes(axis, m.ndim, "flip")
    return unshared(m[tuple(slice(None, None, -1) if d in axes else slice(None) for d in range(m.ndim))], m)


def fliplr(m: TensorLike) -> Tensor:
    """Reverse the columns (axis 1)."""
    m = _tensor(m)
    _need_dims(m, 2, "fliplr")
    return flip(m, 1)


def flipud(m: TensorLike) -> Tensor:
    """Reverse the rows (axis 0)."""
    m = _tensor(m)
    _need_dims(m, 1, "flipud")
    return flip(m, 0)


def rot90(m: TensorLike, k: int = 1, axes: Sequence[int] = (0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane ``axes``, from the first axis towards the second. ``k`` is an
    integer (torch's TypeError for a float: numpy's ``k % 4`` would read 1.5 as three turns)."""
    k = require_integer("rot90", "the number of turns k", k)
    m = _tensor(m)
    if m.ndim == 1:  # numpy's ValueError and torch's RuntimeError (a 0-d array: the NoAxisError of its axes)
        raise ShapeError(f"rot90: needs at least 2 dimensions, got shape {m.shape}")
    if len(axes) != 2:
        raise ShapeError(f"rot90: axes must name two axes, got {tuple(axes)} for shape {m.shape}")
    first, second = single_axis(axes[0], m.ndim, "rot90"), single_axis(axes[1], m.ndim, "rot90")
    if first == second:
        raise ShapeError(f"rot90: the axes must differ, got {tuple(axes)} for shape {m.shape}")
    k %= 4
    if k == 0:
        return m.clone()
    if k == 2:
        return flip(flip(m, first), second)
    order = list(range(m.ndim))
    order[first], order[second] = order[second], order[first]
    return flip(m, second).transpose(order) if k == 1 else flip(m.transpose(order), second)


# -- repeats and triangles -------------------------------------------------------------------------------------
def repeat(a: TensorLike, repeats: int | Sequence[int], axis: int | None = None) -> Tensor:
    """Repeat each entry ``repeats`` times along ``axis`` (of the flattened array if None); d/da sums g over
    the copies."""
    a = _tensor(a)
    if axis is None:
        a, axis = a.reshape(-1), 0
    axis = single_axis(axis, a.ndim, "repeat")
    counts = np.asarray(repeats) if np.size(repeats) else np.zeros(0, dtype=np.int64)
    if counts.dtype.kind not in "iu":  # 1.5 repeats: numpy's and torch's TypeError
        raise TypeError(f"repeat: repeats must be integers, got {repeats!r}")
    if np.any(counts < 0):
        raise ArgumentRangeError(f"repeat: repeats must be non-negative integers, got {repeats!r}")
    try:
        positions = np.repeat(np.arange(a.shape[axis]), counts)
    except ValueError:
        raise ShapeError(f"repeat: {counts.size} repeats for an axis of length {a.shape[axis]}") from None
    return a[(slice(None),) * axis + (positions,)]


def tile(a: TensorLike, reps: int | Sequence[int]) -> Tensor:
    """numpy.tile: ``a`` repeated ``reps[i]`` times along axis i (shapes padded with leading 1s); d/da sums g
    over the tiles."""
    a = _tensor(a)
    reps = (reps,) if isinstance(reps, (int, np.integer)) else tuple(reps)
    if any(not isinstance(r, (int, np.integer)) or r < 0 for r in reps):
        raise ArgumentRangeError(f"tile: reps must be non-negative integers, got {reps!r}")
    ndim = max(a.ndim, len(reps))
    shape = (1,) * (ndim - a.ndim) + a.shape
    reps = (1,) * (ndim - len(reps)) + reps
    spread = a.reshape(tuple(n for side in shape for n in (1, side)))
    tiled = spread.broadcast_to(tuple(n for pair in zip(reps, shape) for n in pair))
    return unshared(tiled.reshape(tuple(r * n for r, n in zip(reps, shape))), a)


def _triangle(m: TensorLike, k: int, lower: bool, op: str) -> Tensor:
    k = require_integer(op, "the diagonal offset (k, torch's diagonal)", k, bools=True)  # numpy's tri floored a float
    m = _tensor(m)
    _need_dims(m, 1, op)
    rows, columns = m.shape[-2:] if m.ndim >= 2 else (m.shape[0], m.shape[0])
    mask = np.tri(rows, columns, k - (0 if lower else 1), dtype=bool)
    zero = np.zeros((), m.dtype)  # of m's dtype: a bool or integer triangle stays bool or integer
    return where(mask, m, zero) if lower else where(mask, zero, m)


def tril(m: TensorLike, k: int = 0, *, diagonal: int = UNSET, out: Tensor | None = None) -> Tensor:
    """The lower triangle: entries above the k-th (torch's ``diagonal``) diagonal of the last two axes set to 0
    (and their gradient). ``out=`` (of the result's dtype, as torch's) receives the result
    (:mod:`autograd.out_argument`)."""
    result = _triangle(m, torch_alias("tril", "k", k, "diagonal", diagonal, default=0), True, "tril")
    return result if out is None else written_to_out("tril", result, out, same_dtype=True)


def triu(m: TensorLike, k: int = 0, *, diagonal: int = UNSET, out: Tensor | None = None) -> Tensor:
    """The upper triangle: entries below the k-th (torch's ``diagonal``) diagonal of the last two axes set to 0
    (and their gradient). ``out=`` (of the result's dtype, as torch's) receives the result
    (:mod:`autograd.out_argument`)."""
    result = _triangle(m, torch_alias("triu", "k", k, "diagonal", diagonal, default=0), False, "triu")
    return result if out is None else written_to_out("triu", result, out, same_dtype=True)


# -- rolls and axis moves --------------------------------------------------------------------------------
def roll(
    a: TensorLike,
    shift: int | Sequence[int] = UNSET,
    axis: int | Sequence[int] | None = None,
    *,
    shifts: Any = UNSET,
    dims: Any = UNSET,
) -> Tensor:
    """Shift entries cyclically by ``shift`` along ``axis`` (torch's ``shifts`` and ``dims``; of the flattened
    array if None); d/da rolls g back."""
    shift = torch_alias("roll", "shift", shift, "shifts", shifts, default=UNSET)
    axis = torch_alias("roll", "axis", axis, "dims", dims)
    a = original = _tensor(a)
    if axis is None:
        return unshared(roll(a.reshape(-1), shift, 0).reshape(a.shape), a)
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    shifts = np.broadcast_to(np.asarray(shift), (len(axes),)) if np.ndim(shift) == 0 else np.asarray(shift)
    # a float shift (1.5) is numpy's and torch's TypeError, not a truncation
    if shifts.dtype.kind not in "iu" and shifts.size:
        raise TypeError(f"roll: shifts must be integers, got {shift!r}")
    if len(shifts) != len(axes):
        raise ShapeError(f"roll: {len(shifts)} shifts for {len(axes)} axes")
    offsets = [0] * a.ndim
    for ax, amount in zip(axes, shifts):
        offsets[single_axis(ax, a.ndim, "roll")] += int(amount)
    for dimension, offset in enumerate(offsets):
        n = a.shape[dimension]
        if n and offset % n:
            a = a[(slice(None),) * dimension + ((np.arange(n) - offset) % n,)]
    return unshared(a, original)


def moveaxis(a: TensorLike, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor:
    """Move the axes ``source`` to the positions ``destination``; the others keep their order."""
    a = _tensor(a)
    source = [single_axis(s, a.ndim, "moveaxis") for s in np.atleast_1d(source)]
    destination = [single_axis(d, a.ndim, "moveaxis") for d in np.atleast_1d(destination)]
    if len(source) != len(destination) or len(set(source)) != len(source) or len(set(destination)) != len(destination):
        raise ShapeError(
            f"moveaxis (movedim): source {source} and destination {destination} must be distinct axes, as many, "
            f"for shape {a.shape}"
        )
    order = [n for n in range(a.ndim) if n not in source]
    for dest, src in sorted(zip(destination, source)):
        order.insert(dest, src)
    return a.transpose(order)


def swapaxes(a: TensorLike, axis1: int = UNSET, axis2: int = UNSET, *, axis0: int = UNSET) -> Tensor:
    """Exchange two axes: numpy's ``swapaxes(a, axis1, axis2)`` or torch's keywords ``(axis0=, axis1=)``."""
    return _tensor(a).swapaxes(axis1, axis2, axis0=axis0)


def ravel(a: TensorLike, order: str = "C") -> Tensor:
    """The entries as a 1-d array (row-major; numpy's ``order`` "F" column-major, "A" as the memory is): always
    contiguous, as numpy's and torch's, so a view only where the entries already lie one after another."""
    flat = _tensor(a).reshape(-1, order=order)
    return flat if flat._data.flags.c_contiguous else flat.contiguous()


# -- splits ------------------------------------------------------------------------------------------------
def array_split(ary: TensorLike, indices_or_sections: int | Sequence[int], axis: int = 0) -> list[Tensor]:
    """Split along ``axis`` into ``n`` nearly equal pieces (the first ones one longer) or at the indices."""
    ary = _tensor(ary)
    axis = single_axis(axis, ary.ndim, "array_split")
    length = ary.shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        if indices_or_sections <= 0:
            raise ArgumentRangeError(f"array_split: the number of sections must be positive, got {indices_or_sections}")
        size, extra = divmod(length, int(indices_or_sections))
        sizes = [size + 1] * extra + [size] * (int(indices_or_sections) - extra)
        bounds = [0, *np.cumsum(sizes).tolist()]
    else:
        bounds = [0, *indices_or_sections, length]
    lead = (slice(None),) * axis
    return [ary[lead + (slice(start, stop),)] for start, stop in zip(bounds[:-1], bounds[1:])]


def _split(ary: Tensor, indices_or_sections: int | Sequence[int], axis: int, op: str) -> list[Tensor]:
    if isinstance(indices_or_sections, (int, np.integer)) and (
        indices_or_sections <= 0 or ary.shape[axis] % indices_or_sections
    ):
        raise ShapeError(
            f"{op}: axis {axis} of length {ary.shape[axis]} does not split into {indices_or_sections} equal parts"
        )
    return array_split(ary, indices_or_sections, axis)


def hsplit(ary: TensorLike, indices_or_sections: int | Sequence[int]) -> list[Tensor]:
    """Split along the columns (axis 1; axis 0 for a 1-d array) into equal parts or at the indices."""
    ary = _tensor(ary)
    _need_dims(ary, 1, "hsplit")
    return _split(ary, indices_or_sections, 1 if ary.ndim > 1 else 0, "hsplit")


def vsplit(ary: TensorLike, indices_or_sections: int | Sequence[int]) -> list[Tensor]:
    """Split along the rows (axis 0) into equal parts or at the indices."""
    ary = _tensor(ary)
    _need_dims(ary, 2, "vsplit")
    return _split(ary, indices_or_sections, 0, "vsplit")


def dsplit(ary: TensorLike, indices_or_sections: int | Sequence[int]) -> list[Tensor]:
    """Split along the depth (axis 2) into equal parts or at the indices."""
    ary = _tensor(ary)
    _need_dims(ary, 3, "dsplit")
    return _split(ary, indices_or_sections, 2, "dsplit")


# -- at least n dimensions, and stacks -------------------------------------------------------------------------
def _at_least(arys: tuple[TensorLike, ...], expand: Any) -> Tensor | tuple[Tensor, ...]:
    """``expand`` of each input: one Tensor for one input, a tuple for several (numpy 2's and torch's), and a tuple
    for one list or tuple of Tensors, torch's ``atleast_1d([x, y])`` (numpy would make it one constant array)."""
    if (
        len(arys) == 1
        and isinstance(arys[0], (list, tuple))
        and arys[0]
        and all(isinstance(a, Tensor) for a in arys[0])
    ):
        return tuple(expand(a) for a in arys[0])
    results = tuple(expand(_tensor(a)) for a in arys)
    return results[0] if len(results) == 1 else results


def expand_dims(a: TensorLike, axis: int | Sequence[int]) -> Tensor:
    """numpy.expand_dims: ``a`` with new axes of length 1 at ``axis`` (an int or a tuple, of the result's axes)."""
    return _tensor(a).expand_dims(axis)


def atleast_1d(*arys: TensorLike) -> Tensor | tuple[Tensor, ...]:
    """Each input with at least one dimension (a 0-d array becomes shape (1,))."""
    return _at_least(arys, lambda a: a.reshape(1) if a.ndim == 0 else a)


def atleast_2d(*arys: TensorLike) -> Tensor | tuple[Tensor, ...]:
    """Each input with at least two dimensions: () -> (1, 1), (n,) -> (1, n)."""
    return _at_least(arys, lambda a: a.reshape((1,) * (2 - a.ndim) + a.shape) if a.ndim < 2 else a)


def atleast_3d(*arys: TensorLike) -> Tensor | tuple[Tensor, ...]:
    """Each input with at least three dimensions: () -> (1, 1, 1), (n,) -> (1, n, 1), (m, n) -> (m, n, 1)."""
    shapes = {0: lambda s: (1, 1, 1), 1: lambda s: (1, s[0], 1), 2: lambda s: s + (1,)}
    return _at_least(arys, lambda a: a.reshape(shapes[a.ndim](a.shape)) if a.ndim < 3 else a)


def _each(tup: Sequence[TensorLike], expand: Any) -> list[Tensor]:
    return [expand(_tensor(a)) for a in tup]


def cast_to_join(parts: Sequence[TensorLike], dtype: Any, casting: str, op: str) -> Sequence[TensorLike]:
    """``parts`` in ``dtype`` (their common dtype if None), as numpy's joins take ``dtype=`` and ``casting=``:
    TypeError naming ``op`` for a part that ``casting`` does not allow to become it; the casts are recorded."""
    if not parts or (dtype is None and casting == "same_kind"):  # every part can become the common dtype
        return parts
    parts = _each(parts, lambda a: a)
    target = np.result_type(*(part.dtype for part in parts)) if dtype is None else np.dtype(dtype)
    for part in parts:
        if not np.can_cast(part.dtype, target, casting):
            raise TypeError(f"{op}: cannot cast {part.dtype} to {target} according to the rule {casting!r}")
    return [part if part.dtype == target else part.astype(target) for part in parts]


def numpy_concatenate(
    arrays: Sequence[TensorLike],
    axis: int | None = 0,
    out: Any = None,
    *,
    dtype: Any = None,
    casting: str = "same_kind",
) -> Tensor:
    """np.concatenate(arrays, axis, dtype=, casting=): :func:`concatenate` of the arrays cast to ``dtype``."""
    if out is not None:
        raise TypeError("np.concatenate on a Tensor: out not supported (call it on x.data for a constant)")
    return concatenate(cast_to_join(arrays, dtype, casting, "concatenate"), axis=axis)


def numpy_stack(
    arrays: Sequence[TensorLike], axis: int = 0, out: Any = None, *, dtype: Any = None, casting: str = "same_kind"
) -> Tensor:
    """np.stack(arrays, axis, dtype=, casting=): :func:`stack` of the arrays cast to ``dtype``."""
    if out is not None:
        raise TypeError("np.stack on a Tensor: out not supported (call it on x.data for a constant)")
    return stack(cast_to_join(arrays, dtype, casting, "stack"), axis=axis)


def hstack(
    tup: Sequence[TensorLike], *, dtype: Any = None, casting: str = "same_kind", out: Tensor | None = None
) -> Tensor:
    """Join along the columns: axis 1, or axis 0 for 1-d arrays (cast to ``dtype`` under ``casting``, as numpy);
    ``out=`` receives the result as torch's (:mod:`autograd.out_argument`)."""
    parts = _each(tup, atleast_1d)
    result = joined(cast_to_join(parts, dtype, casting, "hstack"), 0 if parts and parts[0].ndim == 1 else 1, "hstack")
    return result if out is None else written_to_out("hstack", result, out)


def vstack(
    tup: Sequence[TensorLike], *, dtype: Any = None, casting: str = "same_kind", out: Tensor | None = None
) -> Tensor:
    """Join along the rows (axis 0), 1-d arrays as rows (cast to ``dtype`` under ``casting``, as numpy; np.row_stack
    and torch.row_stack are this); ``out=`` receives the result as torch's (:mod:`autograd.out_argument`)."""
    result = joined(cast_to_join(_each(tup, atleast_2d), dtype, casting, "vstack"), 0, "vstack")
    return result if out is None else written_to_out("vstack", result, out)


row_stack = vstack


def dstack(tup: Sequence[TensorLike], *, out: Tensor | None = None) -> Tensor:
    """Join along the depth (axis 2), after atleast_3d; ``out=`` receives the result as torch's."""
    result = joined(_each(tup, atleast_3d), 2, "dstack")
    return result if out is None else written_to_out("dstack", result, out)


def column_stack(tup: Sequence[TensorLike], *, out: Tensor | None = None) -> Tensor:
    """Join 1-d arrays as columns (and 2-d arrays as they are) along axis 1; ``out=`` receives the result as
    torch's."""
    result = joined(_each(tup, lambda a: a.reshape(-1, 1) if a.ndim < 2 else a), 1, "column_stack")
    return result if out is None else written_to_out("column_stack", result, out)


def meshgrid(*xi: TensorLike, indexing: str = "xy") -> list[Tensor]:
    """numpy.meshgrid: coordinate grids of the 1-D inputs (each flattened), ``indexing="xy"`` by default as
    numpy (the first two axes swapped: shape (len(x1), len(x0), ...)), or ``"ij"`` (torch.meshgrid's usual
    choice). Each grid is its input reshaped and broadcast, so d/dx_k sums g over the other axes."""
    if indexing not in ("xy", "ij"):
        raise ArgumentRangeError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")  # torch's RuntimeError
    if len(xi) == 1 and isinstance(xi[0], (list, tuple)) and all(isinstance(x, Tensor) for x in xi[0]):
        xi = tuple(xi[0])  # torch's meshgrid([x, y]): the tensors in one sequence
    vectors = [_tensor(x).reshape(-1) for x in xi]
    shape = [v.shape[0] for v in vectors]
    if indexing == "xy" and len(vectors) > 1:
        shape[0], shape[1] = shape[1], shape[0]
    grids = []
    for position, vector in enumerate(vectors):
        axis = {0: 1, 1: 0}.get(position, position) if indexing == "xy" and len(vectors) > 1 else position
        grids.append(vector.reshape([-1 if d == axis else 1 for d in range(len(vectors))]).broadcast_to(shape))
    return grids
