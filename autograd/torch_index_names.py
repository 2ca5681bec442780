"""torch's Tensor methods that select, scatter or count by index: composites of recorded ops.

Each method is built from ops that already have derivative rules (indexing, whose gradient scatters g back and
accumulates repeated indices; ``index_add``, its adjoint; ``index_put``, the recorded ``t[index] = v``; ``where``;
the reductions), so nothing here has a derivative of its own. The in-place twins (``index_add_``, ``put_``, ...)
write the out-of-place result into the tensor's array as the other in-place methods do
(:mod:`autograd.tensor_in_place`). Methods that count or list positions (``nonzero``, ``unique``, ``bincount``,
``histc``) give constant Tensors, as torch's have no gradient.

Where an index repeats in a write without accumulation (``index_copy``, ``index_put``, ``put``, ``scatter``),
torch leaves the result undefined; here the last write wins (numpy's order), and every written entry of the
source gets the gradient at its target, as torch's backward gives it. The ``amax`` and ``amin`` reductions of
``scatter_reduce`` give torch's gradient (ties share it evenly) through constant slopes, as their second derivative
is 0; its ``prod`` is a tree of recorded products, so its gradient (the product of the others) is differentiable
again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple, TypeVar

import numpy as np

from . import shared_math as sm
from .broadcasting import normalize_axes, single_axis
from .core import Node
from .derivatives import arrays as ar
from .histc_bins import checked_bins, histc_counts
from .index_errors import (
    BincountDtypeError,
    IndexBoundsError,
    IndexCountError,
    IndexDtypeError,
    IndexRankError,
    IndexTensorDtypeError,
    LongIndexDtypeError,
    refuse_index_dtype,
    refuse_position_index_dtype,
)
from .quiet import quiet
from .shape_errors import (
    ArgumentRangeError,
    DtypeKernelError,
    DtypeMismatchError,
    NoAxisError,
    ShapeError,
    require_integer,
)
from .tensor_in_place import fill_value_in, in_place_twin
from .tensor_shape import tensor_index_array
from .torch_keywords import torch_keyword_names

__all__ = ["Histogram", "TorchIndexNames"]

Self = TypeVar("Self", bound="TorchIndexNames")  # the Tensor a method is called on

#: scatter_'s ``reduce=`` names and the scatter_reduce reductions they are.
_SCATTER_REDUCE = {"add": "sum", "multiply": "prod"}

#: scatter_reduce's undocumented spellings of amax and amin, which torch's forward takes (its backward does not).
_EXTREME_ALIASES = {"max": "amax", "min": "amin"}


class Histogram(NamedTuple):
    """torch's ``histogram`` result: the (weighted) counts of the bins and the bins' edges."""

    hist: Any
    bin_edges: Any


def _tensor(names: Any) -> Any:
    """``names`` as the Tensor it is (Tensor is the only class with these methods), for the type checker."""
    return names


#: the index methods whose index Tensor torch takes as int64 only, and the class of torch's refusal of another dtype
_LONG_INDICES = {"index_fill": LongIndexDtypeError, "index_copy": IndexDtypeError}

#: The ops here whose index Tensor torch takes as int32 or int64 only, not indexing's uint8 (``put``: torch's int64
#: alone), each with whether an index without entries is checked too (scatter_reduce's, as gather's, is not)
_POSITION_INDICES = {"index_add": True, "index_reduce": True, "put": True, "scatter_reduce": False}


def _refuse_byte_mask_fill(indices: Sequence[Any], values: Any, accumulate: bool) -> None:
    """torch writes one value at a single mask index by ``masked_fill_``, which refuses a uint8 mask: an
    :class:`IndexDtypeError` (a TypeError and torch's RuntimeError) there. torch takes a uint8 mask elsewhere
    (several values, ``accumulate``, other indices beside it), and so does ``index_put``."""
    if accumulate or len(indices) != 1 or not isinstance(indices[0], Node) or indices[0]._data.dtype != np.uint8:
        return
    if np.size(values._data if isinstance(values, Node) else values) == 1:
        raise IndexDtypeError(
            "index_put: writing one value at a uint8 mask is masked_fill_, which only supports boolean masks, but "
            "got a mask of dtype uint8 (use a bool mask)"
        )


def _integers(index: Any, op: str) -> np.ndarray:
    """``index`` as an integer array (a copy, so changing an index Tensor later cannot change a gradient); another
    dtype is an :class:`IndexDtypeError` (a TypeError and torch's RuntimeError)."""
    raw = np.array(index._data if isinstance(index, Node) else index)
    if op == "scatter_reduce" and raw.size == 0:  # torch checks no dtype of an empty index (as gather's, scatter's)
        return np.zeros(raw.shape, dtype=np.int64)
    empty_list = not isinstance(index, Node) and raw.dtype.kind == "f" and raw.size == 0  # [] reads as float64
    error = _LONG_INDICES.get(op, IndexDtypeError)
    if raw.dtype.kind not in "iu" and not empty_list:
        raise error(f"{op}: index must be an integer tensor, got dtype {raw.dtype}")
    if isinstance(index, Node):
        refuse_index_dtype(op, raw.dtype, error)
    if op in _LONG_INDICES and isinstance(index, Node) and raw.dtype != np.int64:
        raise error(f"{op}: index must be an int64 (long) tensor, got dtype {raw.dtype}")
    if isinstance(index, Node) and op in _POSITION_INDICES and (raw.size or _POSITION_INDICES[op]):
        refuse_position_index_dtype(op, raw.dtype)
    return raw.astype(np.int64)


def _checked_range(
    index: np.ndarray, length: int, op: str, dim: Any, negative: bool, error: type[IndexError] = IndexError
) -> np.ndarray:
    """``index`` made non-negative; an ``error`` naming ``op`` and the first index out of range (torch's range is
    ``[-length, length)`` where ``negative``, else ``[0, length)``): torch's IndexError, or an
    :class:`IndexBoundsError` where torch raises a RuntimeError."""
    low = -length if negative else 0
    bad = (index < low) | (index >= length)
    if bad.any():
        raise error(f"{op}: index {index[bad].flat[0]} is out of bounds for dimension {dim} with size {length}")
    return index % max(length, 1)


def _vector_index(
    self: Any, dim: int, index: Any, op: str, negative: bool, out_of_range: type[IndexError] = IndexError
) -> tuple[int, np.ndarray]:
    """The axis and the checked 0-D or 1-D ``index`` along it, of the index_* methods (an ``out_of_range`` error
    for an index outside the axis, see :func:`_checked_range`)."""
    axis = single_axis(dim, self.ndim, op)
    if np.ndim(index._data if isinstance(index, Node) else index) > 1:  # torch's order: the rank, then the dtype
        raise IndexRankError(f"{op}: index must be 0-D or 1-D, got shape {np.shape(getattr(index, '_data', index))}")
    index = _integers(index, op)
    return axis, _checked_range(index.reshape(-1), self.shape[axis], op, dim, negative, out_of_range)


def _operand(self: Any, value: Any, op: str) -> Any:
    """A source of a write into ``self``: a Tensor must have ``self``'s dtype (as torch); anything else is
    converted to it."""
    if isinstance(value, Node):
        if value._data.dtype != self.dtype:
            raise DtypeMismatchError(
                f"{op}: self ({self.dtype}) and source ({value.data.dtype}) must have the same dtype"
            )
        return value
    return type(self)._make(np.asarray(value, dtype=self.dtype))


def _zero_d_source(self: Any, dim: int, index: Any, source: Any, op: str, out_of_range: type[IndexError]) -> Any:
    """The source of an index_add or index_reduce into a 0-d ``self`` (one entry along dim 0 or -1), as a vector of
    one entry, after torch's checks in its order: the dim, the index (a vector or a scalar, in range), then the
    source, 0-d and for one index (index_add takes one of shape (1,) too here)."""
    single_axis(dim, 1, op)
    _, entries = _vector_index(self.reshape(1), 0, index, op, negative=False, out_of_range=out_of_range)
    source = _operand(self, source, op)
    if source.ndim == 0 and len(entries) != 1:  # (torch asks the 0-d source for its size along dim: an IndexError)
        raise IndexCountError(f"{op}: a 0-d source for {len(entries)} indices")
    if source.ndim > 1 or (source.ndim == 1 and (op != "index_add" or source.shape != (1,))):
        raise ShapeError(f"{op}: the source of a 0-d tensor must be 0-d, got shape {source.shape}")
    return source.reshape(1)


def _one_axis(source: Any) -> Any:
    """The source of an index_copy into a 0-d tensor, read along that tensor's one axis: a 0-d source as one
    entry, a 1-D one as it is; one of more axes is left for the 1-D op's shape check to refuse."""
    return source.reshape(-1) if source.ndim <= 1 else source


def _index_put(self: Any, index: tuple, values: Any, op: str) -> Any:
    """A copy of ``self`` with ``values`` written at ``index`` (the last of repeated positions wins), recorded as
    ``index_put``: d/dself = g where nothing was written, d/dvalues = g at each value's position."""
    data = self._data.copy()
    try:
        data[index] = values._data
    except ValueError as error:
        raise ValueError(f"{op}: {error} (tensor shape {self.shape}, values shape {values.shape})") from None
    return type(self)._from_op(data, ar.index_put, (self, values), {"index": index})


def _scatter_positions(shape: tuple[int, ...], index: np.ndarray, dim: int, op: str) -> tuple[np.ndarray, ...]:
    """The positions torch's scatter writes to: ``index[i][j]`` along ``dim``, the index's own position along
    the others (the index may be shorter than the input there, never longer; negative indices refused, as torch).
    Errors are torch's RuntimeErrors: a :class:`ShapeError` and an :class:`IndexBoundsError`."""
    if index.ndim != len(shape) or any(i > n for d, (i, n) in enumerate(zip(index.shape, shape)) if d != dim):
        raise ShapeError(f"{op}: index of shape {index.shape} does not fit self of shape {shape} (dim {dim})")
    index = _checked_range(index, shape[dim], op, dim, negative=False, error=IndexBoundsError)
    grid = list(np.indices(index.shape, sparse=True))
    grid[dim] = index
    return tuple(np.broadcast_arrays(*grid))


def writes_nothing(self: Any, index: np.ndarray, src: Any, op: str) -> bool:
    """Whether a scatter's ``index`` is empty, so that it writes nothing: torch's scatters then check neither the
    index's shape nor src's against ``self``'s (an index of shape (0, 5) into a (2, 3) tensor, or of another rank,
    leaves it as it was), where :func:`_scatter_positions` would refuse them. A Tensor ``src`` must still have
    ``self``'s dtype, as torch's."""
    if index.size:
        return False
    if isinstance(src, Node):
        _operand(self, src, op)
    return True


def one_entry_forms(self: Any, index: np.ndarray, src: Any) -> tuple[np.ndarray, Any]:
    """torch reads a 0-d index, and a 0-d ``src`` tensor, of a scatter into a 1-D tensor as one entry along dim 0
    (the transforms tutorial's one-hot ``scatter_(0, tensor(3), value=1)``; ``x.scatter_add(0, tensor([1]),
    tensor(5.))``): both become one-element vectors, to which the usual shape rules apply."""
    if self.ndim == 1:
        if index.ndim == 0:
            index = index.reshape(1)
        if isinstance(src, Node) and src.ndim == 0:
            src = src.reshape(1)
    return index, src


def refuse_value_with_axes(value: Any, op: str) -> None:
    """torch's ``value=`` of a scatter is one number (a 0-d tensor converts to it): a tensor or list with axes is
    torch's TypeError, where it would otherwise be read as a source of the index's shape."""
    if value is not None and np.ndim(value._data if isinstance(value, Node) else value) > 0:
        raise TypeError(f"{op}: value must be a number, got one of shape {np.shape(np.asarray(value))}")


def _scatter_source(self: Any, src: Any, index: np.ndarray, op: str) -> Any:
    """torch's ``src`` of a scatter, cut to the index's shape (a number fills it)."""
    if not isinstance(src, Node) and np.ndim(src) == 0:  # (cast as torch casts a fill value: 300 refused by int8)
        return type(self)._make(np.full(index.shape, fill_value_in(src, self.dtype, op), dtype=self.dtype))
    src = _operand(self, src, op)
    if src.ndim != index.ndim or any(i > n for i, n in zip(index.shape, src.shape)):
        raise ShapeError(f"{op}: src of shape {src.shape} is smaller than the index of shape {index.shape}")
    return src[tuple(slice(0, n) for n in index.shape)]


def _embedded(self: Any, index: tuple, src: Any, op: str) -> Any:
    """A copy of ``self`` with ``src`` written at ``index``, which must select exactly ``src``'s shape (torch's
    *_scatter); a Tensor source of another dtype is converted. d/dself = g elsewhere, d/dsrc = g[index]."""
    if isinstance(src, Node):
        src = src if src._data.dtype == self.dtype else src.astype(self.dtype)
    else:
        src = type(self)._make(np.asarray(src, dtype=self.dtype))
    shape = self._data[index].shape
    if src.shape != shape:
        raise ShapeError(f"{op}: expected src of the shape of the slice of self, {shape}, got {src.shape}")
    return _index_put(self, index, src, op)


class TorchIndexNames:
    """Mixin of :class:`~autograd.tensor.Tensor`: torch's index method names."""

    __slots__ = ()

    # -- writing along one dimension at a list of indices ------------------------------------------------------
    def index_add(self: Self, dim: int, index: Any, source: Any, *, alpha: Any = 1) -> Self:
        """torch.Tensor.index_add: ``alpha * source`` added to the slices at ``index`` along ``dim`` (repeats
        accumulate). d/dself = g, d/dsource = alpha g at each slice's index. The result has self's dtype, as
        torch's: an integer tensor's alpha is truncated to an integer (2.5 adds twice the source), and a bool
        tensor's sum is the or of the entries, alpha counting as alpha != 0."""
        tensor = _tensor(self)
        if tensor.ndim == 0:  # one entry along dim 0 (or -1), as torch's: the dim checked first, then the source
            source = _zero_d_source(tensor, dim, index, source, "index_add", IndexBoundsError)
            return tensor.reshape(1).index_add(0, index, source, alpha=alpha).reshape(())
        if tensor.dtype == np.bool_:
            source = _operand(tensor, source, "index_add")
            total = tensor.astype(np.int64).index_add(dim, index, source.astype(np.int64), alpha=int(bool(alpha)))
            return total.astype(np.bool_)
        if tensor.dtype.kind in "iu":
            alpha = int(alpha)
        axis, index = _vector_index(tensor, dim, index, "index_add", negative=False, out_of_range=IndexBoundsError)
        source = self._index_source(axis, index, source, "index_add")
        scaled = source if alpha == 1 else source * alpha
        return tensor + sm.scatter_add(scaled, (slice(None),) * axis + (index,), tensor.shape)

    def index_copy(self: Self, dim: int, index: Any, source: Any) -> Self:
        """torch.Tensor.index_copy: the slices at ``index`` along ``dim`` replaced by ``source``'s (the last one
        wins where an index repeats). d/dself = g where nothing was copied, d/dsource = g at each slice's index."""
        tensor = _tensor(self)
        if tensor.ndim == 0:  # one entry along dim 0 (or -1), as torch's: the dim checked first, then the source
            single_axis(dim, 1, "index_copy")
            source = _one_axis(_operand(tensor, source, "index_copy"))
            return tensor.reshape(1).index_copy(0, index, source).reshape(())
        axis, index = _vector_index(tensor, dim, index, "index_copy", negative=False)
        source = self._index_source(axis, index, source, "index_copy")
        return _index_put(tensor, (slice(None),) * axis + (index,), source, "index_copy")

    def _index_source(self, axis: int, index: np.ndarray, source: Any, op: str) -> Any:
        tensor = _tensor(self)
        source = _operand(tensor, source, op)
        expected = tensor.shape[:axis] + (len(index),) + tensor.shape[axis + 1 :]
        # a 0-d source for one index is index_copy's alone (torch's index_add wants self's number of dims)
        if source.shape != expected and not (source.ndim == 0 and expected == (1,) and op == "index_copy"):
            # torch's index_copy refuses a source of another length or number of dims with an IndexError
            counts_differ = source.ndim != tensor.ndim or source.shape[axis] != len(index)
            error = IndexCountError if (op == "index_copy" and counts_differ) or source.ndim == 0 else ShapeError
            raise error(
                f"{op}: source of shape {source.shape} does not fit: self {tensor.shape} with {len(index)} "
                f"indices along dim {axis} needs {expected}"
            )
        return source.reshape(expected)

    def index_fill(self: Self, dim: int, index: Any, value: Any) -> Self:
        """torch.Tensor.index_fill: the slices at ``index`` along ``dim`` set to ``value`` (a number or a 0-D
        tensor). d/dself = g outside them; d/dvalue = the sum of g over them."""
        tensor = _tensor(self)
        if isinstance(value, Node) and value._data.ndim != 0:
            raise ShapeError(f"index_fill: value must be a number or a 0-D tensor, got shape {value.data.shape}")
        if tensor.ndim == 0:
            return tensor.reshape(1).index_fill(dim, index, value).reshape(())
        axis, index = _vector_index(tensor, dim, index, "index_fill", negative=True)
        filled = np.zeros(tensor.shape, dtype=bool)
        filled[(slice(None),) * axis + (index,)] = True
        return tensor._where(filled, fill_value_in(value, tensor.dtype, "index_fill"), tensor)

    def index_put(self: Self, indices: Sequence[Any], values: Any, accumulate: bool = False) -> Self:
        """torch.Tensor.index_put: ``values`` (broadcast) written at ``self[indices]`` (a tuple of integer or
        boolean index tensors), or added with ``accumulate=True`` (repeats accumulate; without it the last
        write wins). d/dself = g (where not overwritten), d/dvalues = g at the written positions."""
        tensor = _tensor(self)
        if not isinstance(indices, (tuple, list)):
            raise TypeError(f"index_put: indices must be a tuple of index tensors, got {type(indices).__name__}")
        index = tuple(
            tensor_index_array(i, copy=True, op="index_put") if isinstance(i, Node) else np.array(i) for i in indices
        )
        _refuse_byte_mask_fill(indices, values, accumulate)
        for part in index:
            if part.dtype.kind not in "iub":
                raise IndexTensorDtypeError(
                    f"index_put: indices must be integer or boolean tensors, got dtype {part.dtype}"
                )
        try:
            selected = tensor._data[index].shape
        except IndexError as error:
            raise IndexError(f"index_put: {error} (tensor shape {tensor.shape})") from None
        values = _operand(tensor, values, "index_put")
        try:
            values = values.broadcast_to(selected)
        except ValueError:
            raise ShapeError(f"index_put: values of shape {values.shape} do not broadcast to {selected}") from None
        if accumulate:
            return tensor + sm.scatter_add(values, index, tensor.shape)
        return _index_put(tensor, index, values, "index_put")

    # -- scatter and its reductions ------------------------------------------------------------------------
    def scatter_reduce(self: Self, dim: int, index: Any, src: Any, reduce: str, *, include_self: bool = True) -> Self:
        """torch.Tensor.scatter_reduce: src[i][j] combined into out[index[i][j]][j] (dim 0, and so on) by
        ``reduce`` = "sum", "prod", "mean", "amax" or "amin" ("max" and "min" too, as torch's forward takes
        them), starting from ``self``'s entry with ``include_self`` (else from the first src entry; entries nothing
        reaches keep ``self``'s). The mean of a bool tensor is a :class:`~autograd.DtypeKernelError`, as torch's.

        d/dself and d/dsrc as torch: sum passes g; mean g / count (integer means round down); amax/amin give g to
        the entries equal to the result, shared evenly (a NaN result's to its NaN entries, as torch's ``max()``,
        where torch's scatter_reduce gives NaN); prod gives g times the product of the others.
        """
        tensor = _tensor(self)
        op = "scatter_reduce"
        if reduce not in ("sum", "prod", "mean", "amax", "amin", "max", "min"):
            raise ArgumentRangeError(f"{op}: reduce must be 'sum', 'prod', 'mean', 'amax' or 'amin', got {reduce!r}")
        reduce = _EXTREME_ALIASES.get(reduce, reduce)
        if reduce == "mean" and tensor.dtype == np.bool_:  # torch has no bool mean ("reduce_mean" not implemented)
            raise DtypeKernelError(f"{op}: reduce 'mean' is not implemented for a bool tensor, as in torch")
        if tensor.ndim == 0:  # one entry along dim 0 (or -1), as torch's (as gather and scatter_add read it)
            single_axis(dim, 1, op)
            index = _integers(index, op)
            if index.ndim <= 1 and np.ndim(src) <= 1:
                single = tensor.reshape(1).scatter_reduce(
                    0, index.reshape(-1), _vector(src), reduce, include_self=include_self
                )
                return single.reshape(())
        axis, index = single_axis(dim, tensor.ndim, op), _integers(index, op)
        if writes_nothing(tensor, index, src, op):
            return tensor.clone()
        index, src = one_entry_forms(tensor, index, src)
        positions = _scatter_positions(tensor.shape, index, axis, op)
        src = _scatter_source(tensor, src, index, op)
        # the flat positions: np.add.at and its kin with a tuple of index arrays are 5-10x slower
        flat = np.ravel_multi_index(positions, tensor.shape).reshape(-1)
        counts = np.bincount(flat, minlength=tensor.size).reshape(tensor.shape)
        written = counts > 0
        if reduce in ("sum", "mean"):
            base = tensor if include_self else tensor._where(written, tensor.dtype.type(0), tensor)  # (bool stays)
            total = base + sm.scatter_add(src, positions, tensor.shape)
            if reduce == "sum":
                return total
            count = np.where(written, counts + include_self, 1).astype(tensor.dtype)
            return total // count if tensor.dtype.kind in "iu" else total / count
        return self._scatter_extreme_or_product(src, positions, flat, written, reduce, include_self)

    def _scatter_extreme_or_product(
        self, src: Any, positions: tuple, flat: np.ndarray, written: np.ndarray, reduce: str, include_self: bool
    ) -> Any:
        """scatter_reduce's amax, amin and prod: the value computed in numpy; the gradient of amax and amin by each
        entry's constant slope, that of prod through a tree of recorded products (:func:`_scatter_product`)."""
        tensor = _tensor(self)
        data, values = tensor._data, src._data
        ufunc = {"amax": np.maximum, "amin": np.minimum, "prod": np.multiply}[reduce]
        result = data.copy()
        if not include_self:
            result[written] = _identity(ufunc, data.dtype)
        with quiet():  # a nan among the values is nan in the result, without numpy's warning
            ufunc.at(result.reshape(-1), flat, values.reshape(-1))  # (the order of the tuple positions')
        constant = type(tensor)._make(result)
        if not (tensor.requires_grad or src.requires_grad):
            return constant
        if reduce == "prod":
            product = _scatter_product(tensor, src, flat, written, include_self)
            # the value is ufunc.at's (its order of products): p - (p - r) is r exactly, p and r being ulps apart
            offset = np.subtract(product._data, result, out=np.zeros_like(result), where=np.isfinite(product._data))
            return product - type(tensor)._make(offset)
        own = written & include_self  # self's entries that take part in a reduction
        reached = result.reshape(-1)[flat].reshape(values.shape)  # result[positions]
        self_hit, src_hit = own & _is_extreme(data, result), _is_extreme(values, reached)
        ties = self_hit.astype(np.int64)
        ties += np.bincount(flat[src_hit.reshape(-1)], minlength=ties.size).reshape(ties.shape)
        share = 1 / np.maximum(ties, 1)
        self_slope = np.where(self_hit, share, 0.0)
        src_slope = np.where(src_hit, share.reshape(-1)[flat].reshape(values.shape), 0.0)
        self_slope = np.where(written, self_slope, 1.0).astype(tensor.dtype)
        attrs = {"self_slope": self_slope, "src_slope": src_slope.astype(src.dtype), "positions": positions}
        return type(tensor)._from_op(result, ar.scatter_extreme, (tensor, src), attrs)

    # -- selection by mask, flat positions ------------------------------------------------------------------
    def index_reduce(self: Self, dim: int, index: Any, source: Any, reduce: str, *, include_self: bool = True) -> Self:
        """torch.Tensor.index_reduce: source's slice i along ``dim`` combined into self's slice index[i] by
        ``reduce`` = "prod", "mean", "amax" or "amin", starting from self's slice with ``include_self`` (slices
        no index names keep self's). ``scatter_reduce`` with the index spread over the slices: its gradients
        (mean g / count; amax/amin g shared evenly by the entries equal to the result; prod the product of the
        others). A 0-d tensor, as torch's, is one slice along dim 0 (a 0-d source), as in ``index_copy``. A bool
        tensor of 2 or more dimensions reduces by prod (and), amax (or) or amin (and) from self's slices, as torch's;
        its mean, a reduction without self, or any of a 1-D or 0-d bool tensor is a
        :class:`~autograd.DtypeKernelError` (torch's NotImplementedError)."""
        tensor = _tensor(self)
        op = "index_reduce"
        if reduce not in ("prod", "mean", "amax", "amin"):
            raise ArgumentRangeError(f"{op}: reduce must be 'prod', 'mean', 'amax' or 'amin', got {reduce!r}")
        if tensor.dtype == np.bool_ and (reduce == "mean" or not include_self or tensor.ndim < 2):
            # torch's bool kernel is that of 2 or more dimensions, reducing from self's slices by prod, amax or amin
            # (its kernel of a 1-D or 0-d tensor has no bool, and none has a bool mean)
            raise DtypeKernelError(
                f"{op}: not implemented for a {tensor.ndim}-D bool tensor with reduce {reduce!r} and include_self="
                f"{include_self}, as in torch"
            )
        if tensor.ndim == 0:
            source = _zero_d_source(tensor, dim, index, source, op, IndexError)
            single = tensor.reshape(1).index_reduce(0, index, source, reduce, include_self=include_self)
            return single.reshape(())
        axis, index = _vector_index(tensor, dim, index, op, negative=False)
        source = _operand(tensor, source, op)
        expected = tensor.shape[:axis] + (index.size,) + tensor.shape[axis + 1 :]
        if source.shape != expected:
            # (a 0-d source: torch asks it for its size along dim, an IndexError)
            raise (IndexCountError if source.ndim == 0 else ShapeError)(
                f"{op}: source of shape {source.shape} does not fit self of shape {tensor.shape} and {index.size} "
                f"indices along dim {dim} (expected {expected})"
            )
        spread = np.broadcast_to(index.reshape((-1,) + (1,) * (tensor.ndim - axis - 1)), expected)
        return tensor.scatter_reduce(axis, spread, source, reduce, include_self=include_self)

    def diagonal_scatter(self: Self, src: Any, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Self:
        """torch.Tensor.diagonal_scatter: a copy with the diagonal ``diagonal(offset, dim1, dim2)`` (the diagonal
        on its last axis) replaced by ``src``; d/dself = g off that diagonal, d/dsrc = g's diagonal."""
        tensor = _tensor(self)
        op = "diagonal_scatter"
        if tensor.ndim < 2:
            raise ValueError(f"{op}: needs at least 2 dimensions, got shape {tensor.shape}")
        first, second = (single_axis(dim, tensor.ndim, op) for dim in (dim1, dim2))
        if first == second:
            raise ValueError(f"{op}: dim1 and dim2 must differ, got {dim1} and {dim2}")
        offset = int(offset)
        rows = np.arange(max(min(tensor.shape[first] + min(offset, 0), tensor.shape[second] - max(offset, 0)), 0))
        others = [axis for axis in range(tensor.ndim) if axis not in (first, second)]
        index: list[Any] = [None] * tensor.ndim
        for position, axis in enumerate(others):
            index[axis] = np.arange(tensor.shape[axis]).reshape(
                [-1 if p == position else 1 for p in range(len(others))] + [1]
            )
        lead = (1,) * len(others)
        index[first] = (rows + max(-offset, 0)).reshape(lead + (-1,))
        index[second] = (rows + max(offset, 0)).reshape(lead + (-1,))
        return _embedded(tensor, tuple(index), src, op)

    def select_scatter(self: Self, src: Any, dim: int, index: int) -> Self:
        """torch.Tensor.select_scatter: a copy with ``select(dim, index)`` replaced by ``src``; d/dself = g
        elsewhere, d/dsrc = g's slice."""
        tensor = _tensor(self)
        axis = single_axis(dim, tensor.ndim, "select_scatter")
        length = tensor.shape[axis]
        if not -length <= index < length:
            raise IndexError(f"select_scatter: index {index} is out of range for dimension {dim} of size {length}")
        return _embedded(tensor, (slice(None),) * axis + (int(index),), src, "select_scatter")

    def slice_scatter(
        self: Self, src: Any, dim: int = 0, start: int | None = None, end: int | None = None, step: int = 1
    ) -> Self:
        """torch.Tensor.slice_scatter: a copy with the slice start:end:step along ``dim`` replaced by ``src``;
        d/dself = g elsewhere, d/dsrc = g's slice."""
        tensor = _tensor(self)
        if step <= 0:
            raise ValueError(f"slice_scatter: step must be positive, got {step}")
        axis = single_axis(dim, tensor.ndim, "slice_scatter")
        return _embedded(tensor, (slice(None),) * axis + (slice(start, end, step),), src, "slice_scatter")

    def masked_select(self: Self, mask: Any) -> Self:
        """torch.Tensor.masked_select: the 1-D tensor of the entries where the boolean ``mask`` is True (both
        broadcast); d/dself scatters g back to them."""
        tensor, mask = _tensor(self), _mask(mask, "masked_select")
        try:
            shape = np.broadcast_shapes(tensor.shape, mask.shape)
        except ValueError:
            raise ShapeError(  # (a ValueError and torch's RuntimeError)
                f"masked_select: mask of shape {mask.shape} does not broadcast with {tensor.shape}"
            ) from None
        return tensor.broadcast_to(shape)[np.broadcast_to(mask, shape)]

    def masked_scatter(self: Self, mask: Any, source: Any) -> Self:
        """torch.Tensor.masked_scatter: self and the boolean ``mask`` broadcast together (out of place, the result
        has their joint shape, as torch's), the entries where the mask is True replaced, in row-major order, by the
        first entries of ``source``. d/dself = g where the mask is False (summed over the axes self was broadcast
        along); d/dsource = g at the position each used entry went to (0 for the rest)."""
        tensor, mask = _tensor(self), _mask(mask, "masked_scatter")
        try:
            shape = np.broadcast_shapes(tensor.shape, mask.shape)
        except ValueError:
            raise ShapeError(
                f"masked_scatter: mask of shape {mask.shape} does not broadcast with self of shape {tensor.shape}"
            ) from None
        mask = np.broadcast_to(mask, shape)
        if tensor.shape != shape:
            tensor = tensor.broadcast_to(shape)
        source = _operand(tensor, source, "masked_scatter")
        count = int(mask.sum())
        if source.size < count:
            raise ShapeError(
                f"masked_scatter: the mask selects {count} entries, but source has only {source.size} elements"
            )
        if not shape:  # 0-d: as a one-entry row (numpy has no nonzero of a 0-d array)
            return tensor.reshape(1).masked_scatter(mask.reshape(1), source).reshape(())
        placed = sm.scatter_add(source.reshape(-1)[:count], np.nonzero(mask), tensor.shape)
        return tensor._where(mask, placed, tensor)

    def put(self: Self, index: Any, source: Any, accumulate: bool = False) -> Self:
        """torch.Tensor.put: ``source``'s entries written at the flat positions ``index`` of self (negative
        positions count from the end), or added with ``accumulate=True``. Gradients as index_put."""
        tensor = _tensor(self)
        index = _integers(index, "put").reshape(-1)
        index = _checked_range(index, tensor.size, "put", "(flattened)", negative=True)
        source = _operand(tensor, source, "put")
        if source.size != index.size:
            raise IndexCountError(f"put: source has {source.size} elements but index has {index.size}; they must match")
        return tensor.reshape(-1).index_put((index,), source.reshape(-1), accumulate).reshape(tensor.shape)

    # -- positions and counts (constants: no gradient) --------------------------------------------------------
    def nonzero(self, *, as_tuple: bool = False) -> Any:
        """torch.Tensor.nonzero: the int64 (count, ndim) tensor of the positions of the non-zero entries, or with
        ``as_tuple`` one 1-D int64 tensor per axis (no gradient)."""
        tensor = _tensor(self)
        if as_tuple:
            return tuple(type(tensor)._make(axis.astype(np.int64)) for axis in np.nonzero(np.atleast_1d(tensor._data)))
        return type(tensor)._make(np.argwhere(tensor._data).astype(np.int64))

    def nonzero_static(self, *, size: int, fill_value: int = -1) -> Any:
        """torch.Tensor.nonzero_static: ``nonzero()`` cut or padded to exactly ``size`` rows, an int64 (size, ndim)
        tensor whose rows past the non-zero entries' positions are ``fill_value`` (no gradient). A negative size is
        an :class:`ArgumentRangeError` (torch's RuntimeError), a float size or fill value torch's TypeError."""
        tensor = _tensor(self)
        require_integer("nonzero_static", "size", size)
        require_integer("nonzero_static", "fill_value", fill_value)
        if size < 0:
            raise ArgumentRangeError(f"nonzero_static: size must be a non-negative integer, got {size}")
        positions = np.full((size, tensor.ndim), fill_value, dtype=np.int64)
        found = np.argwhere(tensor._data)[:size] if tensor.ndim else np.zeros((0, 0), dtype=np.int64)
        positions[: len(found)] = found
        return type(tensor)._make(positions)

    def argwhere(self) -> Any:
        """torch.Tensor.argwhere: ``nonzero()``."""
        return self.nonzero()

    def unique(
        self, sorted: bool = True, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None
    ) -> Any:
        """torch.Tensor.unique: the distinct entries, sorted (of the flattened tensor, or the distinct slices along
        ``dim``), with the int64 inverse (where each entry went) and counts if asked; no gradient. Each NaN is
        distinct (NaN != NaN), as in torch, where numpy 2's ``np.unique`` makes them one value."""
        tensor = _tensor(self)
        axis = _unique_axis(tensor.shape, dim, "unique")
        values, inverse, counts = np.unique(
            tensor._data, return_inverse=True, return_counts=True, axis=axis, equal_nan=False
        )
        inverse = inverse.reshape(tensor.shape if axis is None else -1)
        return _values_inverse_counts(tensor, values, inverse, counts, return_inverse, return_counts)

    def unique_consecutive(
        self, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None
    ) -> Any:
        """torch.Tensor.unique_consecutive: each run of equal consecutive entries (slices along ``dim``) kept
        once, with the int64 inverse and run lengths if asked; no gradient."""
        tensor = _tensor(self)
        axis = _unique_axis(tensor.shape, dim, "unique_consecutive")
        data = tensor._data.reshape(-1) if axis is None else np.moveaxis(tensor._data, axis, 0)
        changed = np.ones(len(data), dtype=bool)
        if len(data) > 1:
            differs = data[1:] != data[:-1]
            changed[1:] = differs.reshape(len(data) - 1, -1).any(axis=1)
        run = np.cumsum(changed) - 1
        values = data[changed]
        if axis is not None:
            values = np.moveaxis(values, 0, axis)
        counts = np.diff(np.flatnonzero(np.append(changed, True)))
        inverse = run.reshape(tensor.shape) if dim is None else run
        return _values_inverse_counts(tensor, values, inverse, counts, return_inverse, return_counts)

    def bincount(self, weights: Any = None, minlength: int = 0) -> Any:
        """torch.Tensor.bincount: how often each value 0..max of this 1-D non-negative integer tensor occurs (the
        sum of ``weights`` at its positions, if given), at least ``minlength`` long; no gradient. int64 counts, or
        weighted sums in float32 for float32 weights and float64 for any other (float16, integer, bool), as torch's
        (int64 again for an empty input)."""
        tensor = _tensor(self)
        needs = f"bincount: needs a 1-D integer tensor, got shape {tensor.shape} and dtype {tensor.dtype}"
        if tensor.dtype.kind not in "iu":
            raise BincountDtypeError(needs)
        if tensor.ndim != 1:
            raise ShapeError(needs)
        if tensor.size and tensor._data.min() < 0:
            raise ArgumentRangeError(f"bincount: values must be non-negative, got {tensor.data.min()}")
        require_integer("bincount", "minlength", minlength)
        if minlength < 0:
            raise ArgumentRangeError(f"bincount: minlength must be >= 0, got {minlength}")
        raw = None if weights is None else np.asarray(weights._data if isinstance(weights, Node) else weights)
        if raw is not None and raw.shape != tensor.shape:
            raise ShapeError(f"bincount: weights of shape {raw.shape} must have the input's shape {tensor.shape}")
        counts = np.bincount(tensor._data, weights=raw, minlength=minlength)
        # as torch's, weighted counts are float32 for float32 weights and float64 for any other, except that an
        # empty input gives int64 zeros whatever the weights
        dtype = np.int64 if raw is None or not tensor.size else np.float32 if raw.dtype == np.float32 else np.float64
        return type(tensor)._make(counts.astype(dtype))

    def histc(self, bins: int = 100, min: float = 0, max: float = 0) -> Any:
        """torch.Tensor.histc: counts in ``bins`` equal bins over [min, max] (the data's range if both are 0;
        entries outside, and NaN, are left out), in this tensor's float dtype; no gradient.

        As torch's, an entry x goes to bin ``floor((x - min) * bins / (max - min))``, computed in the tensor's
        dtype (x = max to the last bin), not by comparing x with the bin edges as ``np.histogram`` does: the
        two differ at edges that are not exact, 0.3 and 0.7 of 10 bins over [0, 1] fall in bins 3 and 7 here
        (0.3 * 10 rounds up to 3.0000000000000004), in 2 and 6 with numpy (the edge 3 * 0.1 rounds above 0.3).
        At the ends of a dtype's range it counts as :mod:`autograd.histc_bins` says (a range wider than the
        dtype's largest number counts nothing, as torch's). A range that is not finite is an
        :class:`ArgumentRangeError`, as torch's RuntimeError."""
        tensor = _tensor(self)
        if tensor.dtype.kind != "f":  # torch's NotImplementedError ("histogram_cpu" not implemented for 'Long')
            raise DtypeKernelError(f"histc: needs a floating-point tensor, got dtype {tensor.dtype}")
        if bins <= 0:
            raise ArgumentRangeError(f"histc: bins must be > 0, got {bins}")
        return type(tensor)._make(histc_counts(tensor._data, bins, min, max))

    def histogram(
        self, bins: Any = 100, *, range: tuple[float, float] | None = None, weight: Any = None, density: bool = False
    ) -> Histogram:
        """torch.Tensor.histogram: ``(hist, bin_edges)`` of a floating-point tensor, in its dtype: ``bins`` equal
        bins over ``range`` (the data's range by default, widened by 1/2 on each side if it is one point) or the
        given edges; entries outside are left out, the last bin holds its right edge. With ``weight`` each entry
        counts its weight; ``density`` divides by the total and the bin widths. No gradient. Bins torch refuses, a
        decreasing range or one that is not finite (given, or of data holding a NaN or an infinity) is an
        :class:`~autograd.ArgumentRangeError` and a weight of another shape a :class:`~autograd.ShapeError`: each a
        ValueError, as numpy's, and torch's RuntimeError."""
        tensor = _tensor(self)
        if tensor.dtype.kind != "f":
            raise TypeError(f"histogram: needs a floating-point tensor, got dtype {tensor.dtype}")
        edges = checked_bins(_data(bins), "histogram")
        weights = None if weight is None else _data(weight)
        if weights is not None and weights.shape != tensor.shape:
            raise ShapeError(f"histogram: weight of shape {weights.shape} for an input of shape {tensor.shape}")
        if isinstance(edges, int):  # equal bins over a range: given, or the data's (of no data, numpy's [0, 1])
            low, high = range if range is not None else _data_range(tensor._data)
            if not (np.isfinite(low) and np.isfinite(high)):
                raise ArgumentRangeError(f"histogram: the range [{low}, {high}] is not finite")
            if low > high:
                raise ArgumentRangeError(f"histogram: range must be increasing, got {range}")
        with np.errstate(all="ignore"):  # a density of nothing (no entries, zero weights) is nan, quietly as torch's
            hist, bin_edges = np.histogram(tensor._data, bins=edges, range=range, weights=weights, density=density)
        make = type(tensor)._make
        return Histogram(make(hist.astype(tensor.dtype)), make(bin_edges.astype(tensor.dtype)))

    # -- pieces and windows ------------------------------------------------------------------------------
    @torch_keyword_names(
        sections="indices_or_sections", indices="indices_or_sections", tensor_indices_or_sections="indices_or_sections"
    )
    def tensor_split(self: Self, indices_or_sections: Any, dim: int = 0) -> tuple[Self, ...]:
        """torch.Tensor.tensor_split: ``n`` pieces along ``dim`` (the first ``length % n`` one longer), or the
        pieces between the listed indices (numpy's array_split). Each piece is a slice: d/dself puts its g back."""
        tensor = _tensor(self)
        axis = single_axis(dim, tensor.ndim, "tensor_split")
        length = tensor.shape[axis]
        sections = indices_or_sections._data if isinstance(indices_or_sections, Node) else indices_or_sections
        if np.asarray(sections).dtype.kind not in "iu" and np.size(sections):  # 1.5 sections, a float or bool tensor
            raise IndexDtypeError(  # (torch's TypeError for numbers, its RuntimeError for a tensor: both)
                f"tensor_split: indices_or_sections must be an integer or integers, got {sections!r}"
            )
        if np.ndim(sections) > 1:
            raise ShapeError(
                f"tensor_split: indices_or_sections must be a number or a 1-d list of indices, got shape "
                f"{np.shape(sections)} (tensor shape {tensor.shape})"
            )
        if np.ndim(sections) == 0:
            count = int(sections)
            if count <= 0:
                raise ArgumentRangeError(f"tensor_split: the number of sections must be positive, got {count}")
            size, extra = divmod(length, count)
            bounds = [0, *np.cumsum([size + (i < extra) for i in range(count)]).tolist()]
        else:
            bounds = [0, *(int(i) for i in np.asarray(sections).reshape(-1)), length]
        lead = (slice(None),) * axis
        return tuple(tensor[lead + (slice(start, stop),)] for start, stop in zip(bounds[:-1], bounds[1:]))

    def split_with_sizes(self: Self, split_sizes: Sequence[int], dim: int = 0) -> tuple[Self, ...]:
        """torch.Tensor.split_with_sizes: pieces of the listed sizes along ``dim`` (they must add up to its
        length); ``split`` with a list."""
        return _tensor(self).split([int(size) for size in split_sizes], dim)

    def unsafe_split_with_sizes(self: Self, split_sizes: Sequence[int], dim: int = 0) -> tuple[Self, ...]:
        """torch.Tensor.unsafe_split_with_sizes: ``split_with_sizes`` whose pieces may be changed in place."""
        return _unsafe(_tensor(self).split([int(size) for size in split_sizes], dim))

    def unsafe_split(self: Self, split_size: Any, dim: int = 0) -> tuple[Self, ...]:
        """torch.Tensor.unsafe_split: ``split`` whose pieces may be changed in place (slices here too, each with
        its own gradient, so a recorded change of one is written back into the tensor, as any view's)."""
        return _unsafe(_tensor(self).split(split_size, dim))

    def unsafe_chunk(self: Self, chunks: int, dim: int = 0) -> tuple[Self, ...]:
        """torch.Tensor.unsafe_chunk: ``chunk`` whose pieces may be changed in place."""
        return _unsafe(_tensor(self).chunk(chunks, dim))

    @torch_keyword_names(sections="indices_or_sections", indices="indices_or_sections")
    def hsplit(self: Self, indices_or_sections: Any) -> tuple[Self, ...]:
        """torch.Tensor.hsplit: ``tensor_split`` along dim 1 (dim 0 of a vector); a number of sections must
        divide that length."""
        return self._split_along(1 if _tensor(self).ndim > 1 else 0, indices_or_sections, "hsplit")

    @torch_keyword_names(sections="indices_or_sections", indices="indices_or_sections")
    def vsplit(self: Self, indices_or_sections: Any) -> tuple[Self, ...]:
        """torch.Tensor.vsplit: ``tensor_split`` along dim 0 of a tensor of at least 2 dimensions; a number of
        sections must divide that length."""
        return self._split_along(0, indices_or_sections, "vsplit", least=2)

    @torch_keyword_names(sections="indices_or_sections", indices="indices_or_sections")
    def dsplit(self: Self, indices_or_sections: Any) -> tuple[Self, ...]:
        """torch.Tensor.dsplit: ``tensor_split`` along dim 2 of a tensor of at least 3 dimensions; a number of
        sections must divide that length."""
        return self._split_along(2, indices_or_sections, "dsplit", least=3)

    def _split_along(self, axis: int, indices_or_sections: Any, op: str, least: int = 1) -> Any:
        tensor = _tensor(self)
        if tensor.ndim < least:
            raise ShapeError(f"{op}: needs at least {least} dimensions, got shape {tensor.shape}")
        sections = _data(indices_or_sections)
        if sections.ndim == 0 and (int(sections) <= 0 or tensor.shape[axis] % int(sections)):
            raise ShapeError(
                f"{op}: cannot split dimension {axis} of size {tensor.shape[axis]} into {int(sections)} equal parts"
            )
        return tensor.tensor_split(indices_or_sections, axis)

    def unfold(self: Self, dimension: int, size: int, step: int) -> Self:
        """torch.Tensor.unfold: every window of ``size`` entries ``step`` apart along ``dimension``, as a new last
        axis (that dimension becomes the window count). A copy, not a view as torch's; d/dself adds each
        window's g back where it was read (overlaps accumulate)."""
        tensor = _tensor(self)
        require_integer("unfold", "size", size, bools=True)  # (a float size indexed the windows)
        require_integer("unfold", "step", step, bools=True)
        if step <= 0:
            raise ArgumentRangeError(f"unfold: step is {step} but must be > 0")
        if size < 0:
            raise ArgumentRangeError(f"unfold: size is {size} but must be >= 0")
        if tensor.ndim == 0:  # torch's scalar: one axis of length 1 (dimension 0 or -1), windows of 0 or 1 entries
            normalize_axes(dimension, 0, "unfold")
            if size > 1:
                raise ArgumentRangeError(f"unfold: maximum size for a 0-d tensor is 1 but size is {size}")
            return tensor.reshape(1)[:size]
        axis = single_axis(dimension, tensor.ndim, "unfold")
        length = tensor.shape[axis]
        if not 0 <= size <= length:
            raise ArgumentRangeError(
                f"unfold: maximum size for tensor at dimension {dimension} is {length} but size is {size}"
            )
        starts = np.arange(0, length - size + 1, step)
        windows = tensor[(slice(None),) * axis + (starts[:, None] + np.arange(size),)]
        return windows.moveaxis(axis + 1, -1)

    def as_strided(self: Self, size: Sequence[int], stride: Sequence[int], storage_offset: int | None = None) -> Self:
        """torch.Tensor.as_strided: entry (i_0, ..., i_k) is element ``storage_offset + sum_d i_d * stride[d]`` of
        the memory this tensor's data lies in (its storage, as :meth:`storage_offset` counts it; the tensor's own
        offset there when ``storage_offset`` is None). As torch's, a view may read its neighbours in the storage
        (``base[5:15]`` reads ``base[0]`` at storage offset 0), constants here; an element beyond the storage is an
        ArgumentRangeError. A copy, not a view as torch's; d/dself adds each entry's g back onto the element of this
        tensor it was read from (overlapping windows accumulate; none for a neighbour's), as torch's."""
        tensor = _tensor(self)
        size, stride = _int_tuple("as_strided", "size", size), _int_tuple("as_strided", "stride", stride)
        if len(size) != len(stride):
            raise ShapeError(f"as_strided: size {size} and stride {stride} must have the same length")
        if any(n < 0 for n in size) or any(s < 0 for s in stride):
            raise ArgumentRangeError(f"as_strided: sizes and strides must be >= 0, got size {size}, stride {stride}")
        data = tensor._data
        memory, own_offset, own_strides = _storage_geometry(data)  # (memory None: the tensor is its own storage)
        offset = (
            own_offset if storage_offset is None else _int_tuple("as_strided", "storage_offset", [storage_offset])[0]
        )
        if offset < 0:
            raise ArgumentRangeError(f"as_strided: storage_offset must be >= 0, got {offset}")
        read = _storage_positions(size, stride, offset)  # the storage element each entry reads
        held = _storage_positions(data.shape, own_strides, own_offset)  # the storage elements this tensor holds
        # each storage element this tensor holds -> its position in the tensor's row-major order
        flat_index = np.full(int(held.max(initial=-1)) + 1, -1, dtype=np.intp)
        flat_index[held.reshape(-1)] = np.arange(held.size)
        if not read.size:
            return tensor.reshape(-1)[np.zeros(size, dtype=np.intp)]
        storage_size = data.size if memory is None else memory.size
        if read.max() >= storage_size:
            raise ArgumentRangeError(
                f"as_strided: size {size}, stride {stride} and storage offset {offset} read storage element "
                f"{read.max()}, beyond the {storage_size} of this tensor's storage (shape {data.shape}, storage "
                f"offset {own_offset})"
            )
        positions = flat_index[np.minimum(read, flat_index.size - 1)] if flat_index.size else np.full(read.shape, -1)
        inside = (read < flat_index.size) & (positions >= 0)
        if inside.all():
            return tensor.reshape(-1)[positions]
        neighbours = memory[read]  # (a copy) elements of the storage outside this tensor: constants
        if data.size == 0:
            return type(tensor)(neighbours)
        return sm.where(inside, tensor.reshape(-1)[np.where(inside, positions, 0)], neighbours)

    def narrow_copy(self: Self, dim: int, start: int, length: int) -> Self:
        """torch.Tensor.narrow_copy: ``narrow(dim, start, length)`` copied (no memory shared). A ``dim`` out of range
        is a :class:`NoAxisError`: narrow's IndexError and also the RuntimeError torch's narrow_copy raises there."""
        tensor = _tensor(self)
        if isinstance(dim, (int, np.integer)) and not -max(tensor.ndim, 1) <= dim < max(tensor.ndim, 1):
            raise NoAxisError(f"narrow_copy: dim {dim} is out of range for a tensor of dimension {tensor.ndim}")
        return tensor.narrow(dim, start, length).clone()

    @torch_keyword_names(size="size")
    def sum_to_size(self: Self, *size: Any) -> Self:
        """torch.Tensor.sum_to_size: summed down to ``size``, a shape this tensor's shape broadcasts from (the
        gradient of a broadcast); d/dself spreads g back."""
        tensor = _tensor(self)
        shape = tuple(int(n) for n in (size[0] if len(size) == 1 and isinstance(size[0], (tuple, list)) else size))
        try:
            expandable = np.broadcast_shapes(shape, tensor.shape) == tensor.shape
        except ValueError:
            expandable = False
        if not expandable:
            raise ShapeError(f"sum_to_size: size {shape} is not expandable to the tensor's shape {tensor.shape}")
        lead = tensor.ndim - len(shape)
        kept = tuple(lead + d for d, n in enumerate(shape) if n == 1 and tensor.shape[lead + d] != 1)
        # (a 0-d tensor is summed, as torch's: a bool one gives int64)
        summed = tensor.sum(axis=tuple(range(lead)) + kept, keepdims=True) if lead or kept or not shape else tensor
        return summed.reshape(shape)

    # -- in place ----------------------------------------------------------------------------------------
    index_add_ = in_place_twin("index_add", "alpha * source added at index along dim; d/dsource = alpha g[index]")
    index_copy_ = in_place_twin("index_copy", "source's slices copied to index along dim; d/dsource = g[index]")
    index_fill_ = in_place_twin("index_fill", "the slices at index along dim set to value")
    index_put_ = in_place_twin("index_put", "values written (or added) at self[indices]")
    scatter_add_ = in_place_twin("scatter_add", "src added at out[index[i][j]][j]; d/dsrc = g gathered")
    scatter_reduce_ = in_place_twin("scatter_reduce", "src combined into out[index[i][j]][j] by reduce")
    index_reduce_ = in_place_twin("index_reduce", "source's slices combined into index along dim by reduce")
    masked_scatter_ = in_place_twin("masked_scatter", "the masked entries replaced by source's, in order")
    put_ = in_place_twin("put", "source written (or added) at flat positions")

    def scatter_(self: Self, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None) -> Self:
        """torch.Tensor.scatter_: ``scatter`` in place (``src`` or ``value``); ``reduce="add"``/``"multiply"``
        combine instead of writing (``scatter_reduce`` "sum"/"prod" from self's entries)."""
        if (src is None) == (value is None):
            raise TypeError("scatter_: give exactly one of src and value")
        refuse_value_with_axes(value, "scatter_")
        if reduce is None:
            return _tensor(self)._twin_in_place("scatter", (dim, index, src), {"value": value})
        if reduce not in _SCATTER_REDUCE:
            raise ArgumentRangeError(f"scatter_: reduce must be 'add' or 'multiply', got {reduce!r}")
        return _tensor(self)._twin_in_place(
            "scatter_reduce", (dim, index, value if src is None else src, _SCATTER_REDUCE[reduce]), {}
        )

    def fill_diagonal_(self: Self, fill_value: Any, wrap: bool = False) -> Self:
        """torch.Tensor.fill_diagonal_: the main diagonal set to ``fill_value`` in place (every axis of equal
        length past 2-D; a tall matrix restarts the diagonal after a blank row with ``wrap``); d/dself = g off it."""
        tensor = _tensor(self)
        if tensor.ndim < 2 or (tensor.ndim > 2 and len(set(tensor.shape)) != 1):
            raise ValueError(
                f"fill_diagonal_: needs at least 2 dimensions, all of equal length past 2, got shape {tensor.shape}"
            )
        diagonal = np.zeros(tensor.shape, dtype=bool)
        np.fill_diagonal(diagonal, True, wrap=wrap)
        return tensor.masked_fill_(diagonal, fill_value)


def _data(x: Any) -> np.ndarray:
    return np.asarray(x._data if isinstance(x, Node) else x)


def _data_range(data: np.ndarray) -> tuple[float, float]:
    """The smallest and largest entries of ``data`` (NaN if it holds a NaN), or numpy's (0, 1) for no entries."""
    return (float(data.min()), float(data.max())) if data.size else (0.0, 1.0)


def _vector(src: Any) -> Any:
    """A scatter source of at most one axis made 1-D (a number stays a number)."""
    return src.reshape(-1) if isinstance(src, Node) else np.reshape(src, -1) if np.ndim(src) else src


def _identity(ufunc: np.ufunc, dtype: np.dtype) -> Any:
    """The value an empty reduction by ``ufunc`` starts from, in ``dtype`` (-inf for a maximum, ...)."""
    if ufunc is np.multiply:
        return 1
    if dtype.kind == "b":  # logical or / and
        return ufunc is np.minimum
    info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
    extreme = -math.inf if dtype.kind == "f" else info.min
    return extreme if ufunc is np.maximum else -extreme if dtype.kind == "f" else info.max


def _is_extreme(entries: np.ndarray, extreme: np.ndarray) -> np.ndarray:
    """Where ``entries`` equal the ``extreme`` they reached, a NaN extreme counting as equal to the NaN entries: the
    entries that share an amax's or amin's gradient (a NaN result is its NaNs', as ``amax``'s and torch.max's)."""
    if entries.dtype.kind != "f":
        return entries == extreme
    return (entries == extreme) | (np.isnan(entries) & np.isnan(extreme))


def _scatter_product(tensor: Any, src: Any, flat: np.ndarray, written: np.ndarray, include_self: bool) -> Any:
    """scatter_reduce's "prod" as recorded ops: out_t = (self_t, if it takes part) * prod of the src entries sent to
    t. Each target's factors are multiplied in pairs, round after round (a tree of depth log2 of the most factors
    of a target), by gathers and products, so d out_t / d x_i is the product of t's other factors (exact at
    zeros, never a division: torch's rule) and differentiable again: d2 out_t / dx_i dx_j is the product of the
    factors other than x_i and x_j."""
    kept = np.flatnonzero(~written.reshape(-1) | include_self)  # self's entries in the result
    targets = np.concatenate([kept, flat])  # (``flat``: the src entries' flat positions in the result)
    order = np.argsort(targets, kind="stable")  # grouped by target, self's entry first
    groups = targets[order]
    # (np.concatenate of Tensors is the library's recorded one, through __array_function__)
    factors = np.concatenate([tensor.reshape(-1)[kept], src.reshape(-1)])[order]
    # each factor's position inside its target's group: the distance to the group's first entry (groups is
    # sorted; O(n), where a searchsorted per round cost O(n log n)); a round halves it
    starts = np.flatnonzero(np.concatenate([[True], groups[1:] != groups[:-1]]))
    rank = np.arange(groups.size) - np.repeat(starts, np.diff(np.append(starts, groups.size)))
    while groups.size > tensor.size:  # some target still has more than one factor
        left = np.flatnonzero(rank % 2 == 0)
        right = np.minimum(left + 1, groups.size - 1)
        paired = (left + 1 < groups.size) & (groups[right] == groups[left])
        partners = factors[right]
        factors = factors[left] * partners._where(paired, partners, 1)
        groups, rank = groups[left], rank[left] // 2
    return factors.reshape(tensor.shape)


def _mask(mask: Any, op: str) -> np.ndarray:
    mask = np.array(mask._data if isinstance(mask, Node) else mask)
    if mask.dtype != np.bool_:
        raise IndexDtypeError(f"{op}: mask must be boolean, got dtype {mask.dtype}")
    return mask


def _unique_axis(shape: tuple[int, ...], dim: int | None, op: str) -> int | None:
    """The axis of unique's (unique_consecutive's) ``dim``, None for none. Of an empty tensor, as torch, only the
    one axis of length 0 may be asked: slices along another axis have no entries to tell them apart, so two
    axes of length 0, or one that is not ``dim``, are a ShapeError (torch's RuntimeError)."""
    if dim is None:
        return None
    axis = single_axis(dim, len(shape), op)
    if 0 in shape and (shape.count(0) > 1 or shape[axis] != 0):
        raise ShapeError(
            f"{op}: dim {dim} of a tensor of shape {shape} can't be uniqued: of an empty tensor, dim must be its one "
            "axis of length 0"
        )
    return axis


def _values_inverse_counts(
    tensor: Any, values: np.ndarray, inverse: np.ndarray, counts: np.ndarray, return_inverse: bool, return_counts: bool
) -> Any:
    """unique's result: the values, then the inverse and the counts if asked (int64 constant Tensors)."""
    make = type(tensor)._make
    result = [make(values)]
    if return_inverse:
        result.append(make(np.asarray(inverse, dtype=np.int64)))
    if return_counts:
        result.append(make(np.asarray(counts, dtype=np.int64)))
    return result[0] if len(result) == 1 else tuple(result)


def _int_tuple(op: str, name: str, values: Any) -> tuple[int, ...]:
    """``values`` (a sequence of integers, or a Tensor of them) as a tuple of ints; TypeError naming ``op``."""
    values = values.tolist() if isinstance(values, Node) else values
    values = tuple(values) if isinstance(values, (tuple, list, np.ndarray)) else (values,)
    for value in values:
        require_integer(op, name, value, bools=True)
    return tuple(int(value) for value in values)


def _storage_positions(shape: Sequence[int], strides: Sequence[int], offset: int) -> np.ndarray:
    """The storage element (in elements) of each entry of a layout: ``offset + sum_d i_d * strides[d]``."""
    positions = np.full(tuple(shape), offset, dtype=np.intp)
    for axis, (n, s) in enumerate(zip(shape, strides)):
        positions += (np.arange(n, dtype=np.intp) * s).reshape((n,) + (1,) * (len(shape) - axis - 1))
    return positions


def _storage_geometry(data: np.ndarray) -> tuple[np.ndarray | None, int, tuple[int, ...]]:
    """The storage ``data`` lies in (its owner's memory, 1-D, as :meth:`storage` shows it), where ``data``'s first
    element lies in it and its strides there, in elements (torch's ``storage_offset()`` and ``stride()``); an array
    whose memory is not one dense block is its own storage: ``(None, 0, its row-major strides)``."""
    from .torch_metadata_names import _element_strides, _storage  # (a sibling mixin of Tensor: imported when used)

    memory, offset = _storage(data)
    if memory is None or any(stride % data.itemsize for stride in data.strides):
        return None, 0, tuple(int(n) for n in np.cumprod((1,) + data.shape[:0:-1])[::-1])
    return memory, offset, _element_strides(data)


def _unsafe(pieces: tuple[Any, ...]) -> tuple[Any, ...]:
    """``pieces`` of a split without its mark (see :func:`autograd.versions.multi_output_views`): torch's unsafe_
    forms allow an in-place change of a piece."""
    for piece in pieces:
        piece._multi_output_view = None
    return pieces
