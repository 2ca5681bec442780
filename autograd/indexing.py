"""Indexing with numpy's and PyTorch's names: take, take_along_axis, gather, put_along_axis, scatter,
scatter_add, masked_fill, one_hot, argmax, argmin.

The differentiable ones are built on indexing (``getitem``, whose gradient scatters g back
and accumulates repeated indices), ``index_put`` (the recorded ``t[index] = v``) and ``where``, so they need no
rules of their own and are differentiable to any order. ``one_hot`` returns an integer array and ``argmax``/``argmin`` integer
indices (an int64 Tensor for a Tensor, as torch's), without gradient.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import shared_math
from .broadcasting import axis_out_of_range
from .core import Node
from .index_errors import IndexBoundsError, IndexDtypeError, refuse_index_dtype, refuse_position_index_dtype
from .out_argument import written_to_out
from .shape_errors import ArgumentRangeError, DtypeMismatchError, ShapeError
from .tensor import Tensor, TensorLike, where
from .tensor_in_place import fill_value_in
from .torch_index_names import one_entry_forms, refuse_value_with_axes, writes_nothing
from .torch_keywords import UNSET, torch_reduction

__all__ = [
    "argmax",
    "argmin",
    "gather",
    "masked_fill",
    "one_hot",
    "put_along_axis",
    "scatter",
    "scatter_add",
    "take",
    "take_along_axis",
]


def _tensor(x: TensorLike) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _integers(indices: Any, op: str, by_position: bool = False) -> np.ndarray:
    """``indices`` as an integer array; a Tensor's data is copied, so changing the Tensor in place later cannot
    change the gradient of an op that kept the indices. Another dtype is an :class:`IndexDtypeError` (a TypeError
    and torch's RuntimeError); so is, ``by_position`` (torch's gather and scatter), an index Tensor of uint8 that
    has entries. An empty index ``by_position`` may have any dtype (torch checks none of an empty one)."""
    raw = np.array(indices._data) if isinstance(indices, Node) else np.asarray(indices)
    if by_position and raw.size == 0:  # torch's gather and scatters check no dtype of an empty index (float too)
        return np.zeros(raw.shape, dtype=np.int64)
    if raw.dtype.kind not in "iu":
        raise IndexDtypeError(f"{op}: indices must be integers, got dtype {raw.dtype}")
    if isinstance(indices, Node):
        refuse_index_dtype(op, raw.dtype)
        if by_position:
            refuse_position_index_dtype(op, raw.dtype)
    return raw


def _axis(axis: int, ndim: int, op: str) -> int:
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{op}: axis must be an integer or None, got {type(axis).__name__}")
    if not -ndim <= axis < ndim:
        raise axis_out_of_range(op, axis, ndim)
    return int(axis) % ndim


def _in_bounds(indices: np.ndarray, length: int, op: str, torch_bounds: bool = False) -> None:
    """An error naming ``op`` and the first of ``indices`` out of bounds: numpy's, outside [-length, length) (an
    IndexError), or with ``torch_bounds`` torch's gather and scatter's, outside [0, length) (they take no negative
    index; an :class:`IndexBoundsError`, as torch raises a RuntimeError)."""
    low, error = (0, IndexBoundsError) if torch_bounds else (-length, IndexError)
    if indices.size and (indices.min() < low or indices.max() >= length):
        bad = indices[(indices < low) | (indices >= length)].flat[0]
        raise error(f"{op}: index {bad} is out of bounds for an axis of length {length}")


def take(a: TensorLike, indices: Any, axis: int | None = None, mode: str = "raise", *, out: Any = None) -> Tensor:
    """numpy.take: the entries at ``indices`` along ``axis`` (of the flattened array if None). ``mode``, as
    numpy's: 'raise' refuses an index out of bounds, 'wrap' takes it modulo the axis' length, 'clip' moves it to
    the nearest end (a negative index to the first entry). An index Tensor must be int64, as torch.take's (an
    :class:`~autograd.IndexDtypeError`, torch's RuntimeError, otherwise); an index array may be any integers. ``out=`` (of the input's dtype, as torch's) receives the
    result (:mod:`autograd.out_argument`).

    d/da: g scattered back to the taken positions (repeated indices accumulate).
    """
    if mode not in ("raise", "wrap", "clip"):
        raise ValueError(f"take: mode must be 'raise', 'wrap' or 'clip', got {mode!r}")
    a, positions = _tensor(a), _integers(indices, "take")
    if isinstance(indices, Node) and positions.dtype != np.int64:
        # torch.take reads int64 index tensors alone (numpy's index arrays of any integer dtype are numpy's)
        raise IndexDtypeError(f"take: expected an int64 (long) index tensor, got dtype {positions.dtype}")
    indices = positions
    if axis is None:
        a, axis = a.reshape(-1), 0
    axis = _axis(axis, a.ndim, "take")
    if mode != "raise" and a.shape[axis] > 0:  # numpy's own wrapping or clipping of the positions
        indices = np.take(np.arange(a.shape[axis]), indices, mode=mode)
    _in_bounds(indices, a.shape[axis], "take")
    return _into(a[(slice(None),) * axis + (indices,)], out, "take", (a,))


def _into(result: Tensor, out: Any, op: str, inputs: tuple[Any, ...]) -> Tensor:
    """``result``, or ``out`` holding it (``out=`` of ``op``, of the result's dtype, as torch's)."""
    if out is None:
        return result
    from .out_argument import written_to_out  # (out_argument imports the Tensor this module's ops build on)

    return written_to_out(op, result, out, same_dtype=True, inputs=inputs)


def _along_axis(
    shape: tuple[int, ...], indices: np.ndarray, axis: int, op: str, torch_bounds: bool = False
) -> tuple[np.ndarray, ...]:
    """The integer index that picks ``indices`` along ``axis`` and every position of the other axes (an error for
    an index outside the axis: numpy's bounds, or torch's with ``torch_bounds``, see :func:`_in_bounds`)."""
    if indices.ndim != len(shape):
        raise ShapeError(
            f"{op}: indices must have as many dimensions as the array, got {indices.ndim} and {len(shape)}"
        )
    _in_bounds(indices, shape[axis], op, torch_bounds)
    index = []
    for dimension, length in enumerate(shape):
        if dimension == axis:
            index.append(indices)
        else:
            index.append(np.arange(length).reshape([-1 if d == dimension else 1 for d in range(len(shape))]))
    try:
        return tuple(np.broadcast_arrays(*index))
    except ValueError:
        raise ShapeError(
            f"{op}: indices of shape {indices.shape} do not broadcast against the array of shape {shape}"
        ) from None


def take_along_axis(arr: TensorLike, indices: Any, axis: int | None) -> Tensor:
    """numpy.take_along_axis: out[..., j, ...] = arr[..., indices[..., j, ...], ...] along ``axis``.

    The other axes broadcast; axis None takes from the flattened array. d/darr scatters g back.
    """
    arr, indices = _tensor(arr), _integers(indices, "take_along_axis")
    if axis is None:
        arr, axis = arr.reshape(-1), 0
    axis = _axis(axis, arr.ndim, "take_along_axis")
    return arr[_along_axis(arr.shape, indices, axis, "take_along_axis")]


def _dim_first(input: Tensor, dim: int, op: str) -> None:
    """torch's first check of a gather or scatter: ``dim`` in range (a 0-d input's range is that of one axis),
    before the index's dtype or shape."""
    _axis(dim, max(input.ndim, 1), op)


def gather(input: TensorLike, dim: int, index: Any, *, sparse_grad: bool = False, out: Any = None) -> Tensor:
    """torch.gather: out[i][j] = input[index[i][j]][j] for dim 0 (and so on); ``index`` may be smaller
    than ``input`` on the other axes, which are then cut to its shape (no broadcasting). An index of another
    shape is a :class:`ShapeError` and one out of bounds an :class:`IndexBoundsError`, torch's RuntimeErrors (an
    index without entries, of any shape, gives an empty result of its shape, as torch's). torch's ``sparse_grad``
    only chooses how torch stores the gradient: it holds the same numbers, dense here. ``out=`` (of the input's
    dtype, as torch's) receives the result."""
    if out is not None:
        return _into(gather(input, dim, index), out, "gather", (input,))
    input = _tensor(input)
    _dim_first(input, dim, "gather")
    index = _integers(index, "gather", by_position=True)
    if index.size == 0:  # torch's answer for an empty index of any shape: an empty result of that shape, g unused
        return input.reshape(-1)[np.zeros(index.shape, dtype=np.intp)]
    if min(input.ndim, index.ndim) == 0 and max(input.ndim, index.ndim) <= 1 and dim in (0, -1):
        # torch reads a 0-d input or index as one entry along dim 0 (x.gather(0, tensor(2)) is x[2], 0-d; a 0-d
        # input gathered at [0, 0] is two copies); the result has the index's shape
        return gather(input.reshape(-1), 0, index.reshape(-1)).reshape(index.shape)
    if index.ndim != max(input.ndim, 1):  # (a 0-d input is one axis: its index too is of one axis, or 0-d above)
        raise ShapeError(
            f"gather: index of shape {index.shape} and input of shape {input.shape} must have one number of dimensions"
        )
    dim = _axis(dim, input.ndim, "gather")
    if index.ndim != input.ndim or any(i > n for d, (i, n) in enumerate(zip(index.shape, input.shape)) if d != dim):
        raise ShapeError(f"gather: index of shape {index.shape} does not fit input of shape {input.shape} (dim {dim})")
    window = input[tuple(slice(None) if d == dim else slice(0, i) for d, i in enumerate(index.shape))]
    return window[_along_axis(window.shape, index, dim, "gather", torch_bounds=True)]


def put_along_axis(arr: TensorLike, indices: Any, values: TensorLike, axis: int | None) -> Tensor:
    """numpy.put_along_axis, out of place: a copy of ``arr`` with ``values`` written at ``indices`` along
    ``axis`` (numpy writes into ``arr`` instead; a Tensor in a graph is not changed in place).

    Where an index repeats, the last write wins, as in numpy. d/darr = g where nothing was
    written, else 0; d/dvalues = g at the position each value was written to (0 if overwritten).
    """
    arr, indices = _tensor(arr), _integers(indices, "put_along_axis")
    shape = arr.shape
    if axis is None:
        flat = put_along_axis(arr.reshape(-1), indices, values, 0)
        return flat.reshape(shape)
    axis = _axis(axis, arr.ndim, "put_along_axis")
    return _put(arr, _along_axis(shape, indices, axis, "put_along_axis"), values, "put_along_axis")


def _put(arr: Tensor, index: tuple[np.ndarray, ...], values: TensorLike, op: str) -> Tensor:
    """A copy of ``arr`` with ``values`` (broadcast to the index's shape) written at the positions ``index``
    lists; where a position repeats, the last write wins. Plain numbers take ``arr``'s dtype."""
    shape = arr.shape
    values = values if isinstance(values, Tensor) else Tensor(np.asarray(values, dtype=arr.dtype))
    try:
        values = values.broadcast_to(index[0].shape)
    except ValueError:
        raise ValueError(
            f"{op}: values of shape {values.shape} do not broadcast to the indices' shape {index[0].shape}"
        ) from None
    targets = np.ravel_multi_index(tuple(i % n for i, n in zip(index, shape)), shape).reshape(-1)
    last = targets.size - 1 - np.unique(targets[::-1], return_index=True)[1]
    winners = np.zeros(targets.size, dtype=bool)
    winners[last] = True
    written = np.zeros(arr.size, dtype=bool)
    written[targets] = True
    zero = np.zeros((), dtype=arr.dtype)  # of the input's dtype: an integer tensor stays one (0.0 would make it float)
    kept = where(written.reshape(shape), zero, arr)
    placed = where(winners.reshape(index[0].shape), values, zero)
    return kept + shared_math.scatter_add(placed, index, shape)


def _scatter_positions(shape: tuple[int, ...], index: np.ndarray, dim: int, op: str) -> tuple[np.ndarray, ...]:
    """The positions torch's scatter writes to: ``index[i][j]`` along ``dim``, the index's own position
    along the other axes (where ``index`` may be shorter than the input, never longer). Errors are torch's
    RuntimeErrors: a :class:`ShapeError` for an index of another shape, an :class:`IndexBoundsError` out of bounds."""
    if index.ndim != len(shape) or any(i > n for d, (i, n) in enumerate(zip(index.shape, shape)) if d != dim):
        raise ShapeError(f"{op}: index of shape {index.shape} does not fit input of shape {shape} (dim {dim})")
    window = tuple(n if d == dim else i for d, (i, n) in enumerate(zip(index.shape, shape)))
    return _along_axis(window, index, dim, op, torch_bounds=True)


def _source(src: Any, index: np.ndarray, dtype: np.dtype, op: str) -> Tensor:
    """torch's ``src`` of a scatter, cut to the index's shape (a number fills it, and an array or list is read, in
    the input's dtype). A Tensor ``src`` must have the input's dtype, as torch's (and as ``index_add``'s and the
    other writes' sources here)."""
    if not isinstance(src, Node):
        if np.ndim(src) == 0:
            return Tensor(np.full(index.shape, fill_value_in(src, dtype, op)))
        src = Tensor(np.asarray(src, dtype=dtype))
    elif src.dtype != dtype:
        raise DtypeMismatchError(f"{op}: self ({dtype}) and source ({src.dtype}) must have the same dtype")
    if src.ndim != index.ndim or any(i > n for i, n in zip(index.shape, src.shape)):
        raise ShapeError(f"{op}: src of shape {src.shape} is smaller than the index of shape {index.shape}")
    return src[tuple(slice(0, i) for i in index.shape)]


def _into_zero_d(input: Tensor, dim: int, index: np.ndarray) -> bool:
    """Whether a scatter writes into a 0-d ``input``, which torch reads as one entry along dim 0 (or -1), as
    ``gather`` does: the scatter runs on its one-element vector, and the result is 0-d again."""
    return input.ndim == 0 and index.ndim <= 1 and dim in (0, -1)


def _vector(src: Any) -> Any:
    """A scatter source of at most one axis as a vector (a number stays a number)."""
    return src.reshape(-1) if isinstance(src, Node) and src.ndim <= 1 else src


def scatter(
    input: TensorLike,  # noqa: A002
    dim: int,
    index: Any,
    src: Any = None,
    *,
    value: Any = None,
    reduce: str | None = None,
    out: Any = None,
) -> Tensor:
    """torch.scatter, out of place (or into torch's ``out=``, of the input's dtype): a copy of ``input`` with
    out[index[i][j]][j] = src[i][j] for dim 0 (and so on); ``src`` may be a number, or given as torch's ``value=``. Where an index repeats, the last write wins
    (torch leaves it undefined). A 0-d ``input`` is one entry along dim 0, as torch's
    (``tensor(5.).scatter(0, tensor(0), tensor(2.))`` is 2). torch's ``reduce`` 'add' or 'multiply' combines
    src with the entries instead (``scatter_reduce`` with 'sum' or 'prod', the entries included).

    d/dinput = g where nothing was written, else 0; d/dsrc = g at the position each entry was written to, an
    overwritten entry's too (torch's ``grad.gather(dim, index)``).
    """
    if (src is None) == (value is None):
        raise TypeError("scatter: give exactly one of src and value")
    refuse_value_with_axes(value, "scatter")
    source = value if src is None else src
    input = _tensor(input)
    _dim_first(input, dim, "scatter")
    index = _integers(index, "scatter", by_position=True)
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise ArgumentRangeError(f"scatter: reduce must be 'add' or 'multiply', got {reduce!r}")
        if not isinstance(source, Node) and np.ndim(source) == 0:  # a number: one per index entry
            source = np.full(index.shape, fill_value_in(source, input.dtype, "scatter"), input.dtype)
        result = input.scatter_reduce(dim, index, source, "sum" if reduce == "add" else "prod")
    elif _into_zero_d(input, dim, index):
        result = scatter(input.reshape(1), 0, index.reshape(-1), _vector(source)).reshape(())
    elif writes_nothing(input, index, source, "scatter"):
        result = input.clone()
    else:
        index, source = one_entry_forms(input, index, source)
        dim = _axis(dim, input.ndim, "scatter")
        positions = _scatter_positions(input.shape, index, dim, "scatter")
        result = input.index_put(positions, _source(source, index, input.dtype, "scatter"))
    return _into(result, out, "scatter", ())


def scatter_add(input: TensorLike, dim: int, index: Any, src: Any, *, out: Any = None) -> Tensor:
    """torch.scatter_add, out of place (or into torch's ``out=``, of the input's dtype): ``input`` plus src[i][j]
    added at out[index[i][j]][j] for dim 0 (and so on); repeated indices accumulate; a 0-d ``input`` is one entry along dim 0, as torch's. d/dinput = g,
    d/dsrc = g gathered at the index (``gather``)."""
    input = _tensor(input)
    _dim_first(input, dim, "scatter_add")
    index = _integers(index, "scatter_add", by_position=True)
    if _into_zero_d(input, dim, index):
        result = scatter_add(input.reshape(1), 0, index.reshape(-1), _vector(src)).reshape(())
    elif writes_nothing(input, index, src, "scatter_add"):
        result = input.clone()
    else:
        index, src = one_entry_forms(input, index, src)
        dim = _axis(dim, input.ndim, "scatter_add")
        positions = _scatter_positions(input.shape, index, dim, "scatter_add")
        result = input + shared_math.scatter_add(
            _source(src, index, input.dtype, "scatter_add"), positions, input.shape
        )
    return _into(result, out, "scatter_add", ())


def masked_fill(input: TensorLike, mask: Any, value: Any) -> Tensor:
    """torch.masked_fill: ``value`` where the boolean ``mask`` is True, else the input, the two broadcast together
    (as torch's out-of-place masked_fill, a mask of more axes gives a result of its shape; ``masked_fill_`` keeps
    the input's).

    d/dinput = g where the mask is False (summed back over broadcast axes); d/dvalue (a 0-d Tensor) = the sum of
    g where it is True.
    """
    input = _tensor(input)
    mask = np.array(mask._data) if isinstance(mask, Node) else np.asarray(mask)  # a copy: see _integers
    if mask.dtype != np.bool_:
        raise IndexDtypeError(f"masked_fill: mask must be boolean, got dtype {mask.dtype}")
    try:
        np.broadcast_shapes(mask.shape, input.shape)
    except ValueError:
        raise ShapeError(
            f"masked_fill: mask of shape {mask.shape} does not broadcast with the input's shape {input.shape}"
        ) from None
    return where(mask, fill_value_in(value, input.dtype, "masked_fill"), input)  # (a value tensor must be 0-d)


def one_hot(indices: Any, num_classes: int = -1) -> np.ndarray:
    """torch.nn.functional.one_hot: an int64 array with a trailing axis of ``num_classes`` (max + 1 if -1),
    1 at each index (no gradient). A ``num_classes`` not an integer is a TypeError, one below -1 an
    :class:`ArgumentRangeError` (torch's RuntimeError)."""
    indices = _integers(indices, "one_hot")
    if not isinstance(num_classes, (int, np.integer)) or isinstance(num_classes, bool):  # torch's TypeError
        raise TypeError(f"one_hot: num_classes must be an integer, got {num_classes!r}")
    if num_classes == -1:
        if not indices.size:  # no index to read the count from: torch's RuntimeError
            raise ArgumentRangeError(
                "one_hot: can not infer the number of classes from an empty tensor; pass num_classes"
            )
        num_classes = int(indices.max()) + 1
    if num_classes < 0:  # torch's RuntimeError
        raise ArgumentRangeError(f"one_hot: num_classes must be a non-negative integer or -1, got {num_classes!r}")
    if indices.size and (indices.min() < 0 or indices.max() >= num_classes):
        raise ArgumentRangeError(
            f"one_hot: indices must be in [0, {num_classes - 1}], got values {indices.min()} to {indices.max()}"
        )
    return (indices[..., None] == np.arange(num_classes)).astype(np.int64)


def argmax(
    a: TensorLike,
    axis: int | None = None,
    keepdims: bool = False,
    *,
    dim: Any = UNSET,
    keepdim: Any = UNSET,
    out: Tensor | None = None,
) -> Any:
    """numpy.argmax: the index of the (first) maximum along ``axis`` (torch's ``dim``/``keepdim``; no gradient): an
    int64 Tensor outside the graph for a Tensor (``Tensor.argmax``), an integer array for array input. torch's
    ``out=``, an int64 Tensor as torch's, receives the index."""
    return _index_of_extreme("argmax", a, axis, keepdims, dim, keepdim, out)


def argmin(
    a: TensorLike,
    axis: int | None = None,
    keepdims: bool = False,
    *,
    dim: Any = UNSET,
    keepdim: Any = UNSET,
    out: Tensor | None = None,
) -> Any:
    """numpy.argmin: the index of the (first) minimum along ``axis``, as :func:`argmax` finds the maximum's."""
    return _index_of_extreme("argmin", a, axis, keepdims, dim, keepdim, out)


def _index_of_extreme(
    name: str, a: TensorLike, axis: Any, keepdims: Any, dim: Any, keepdim: Any, out: Tensor | None
) -> Any:
    """:func:`argmax`'s and :func:`argmin`'s work, ``name`` saying which: the Tensor method, or numpy's function for
    array input."""
    axis, keepdims = torch_reduction(name, axis, keepdims, dim, keepdim)
    if isinstance(a, Tensor):
        result = getattr(a, name)(axis, keepdims)
        return result if out is None else written_to_out(name, result, out, same_dtype=True)
    if out is not None:
        raise TypeError(f"{name}(): out= takes the index of a Tensor; this input is a {type(a).__name__}")
    return getattr(np, name)(a._data if isinstance(a, Node) else np.asarray(a), axis=axis, keepdims=keepdims)
