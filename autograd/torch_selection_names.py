"""PyTorch's Tensor methods that select, scatter and rearrange entries: ``x.gather(1, idx)``,
``x.index_select(0, idx)``, ``x.unbind(1)``, ``x.tril()``, ``x.movedim(0, -1)``, ``x.scatter_add(...)``.

Each method is an alias or a composite of recorded ops (indexing, reshape, transpose, where) or calls a
module function (autograd.indexing, autograd.shape_functions) through the registry of
:mod:`autograd.array_methods`, so nothing here has a derivative of its own. The spellings are torch's
(``dim``, ``diagonal``, ``dims``); numpy's names of the same functions are on the modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np

from .array_methods import array_function
from .broadcasting import single_axis
from .core import Node
from .index_errors import (
    IndexBoundsError,
    IndexDtypeError,
    IndexRankError,
    refuse_index_dtype,
    refuse_position_index_dtype,
)
from .shape_errors import ArgumentRangeError, DtypeKernelError, ShapeError, is_integer, require_integer
from .versions import multi_output_views

__all__ = ["TorchSelectionNames"]

Self = TypeVar("Self", bound="TorchSelectionNames")  # the Tensor a method is called on


def _tensor(names: TorchSelectionNames) -> Any:
    """``names`` as the Tensor it is (Tensor is the only class with these methods), for the type checker."""
    return names


class TorchSelectionNames:
    """torch.Tensor's selection and rearrangement methods, each an alias or a composite of recorded ops."""

    __slots__ = ()

    # -- picking entries ------------------------------------------------------------------------------
    def gather(self: Self, dim: int, index: Any, *, sparse_grad: bool = False) -> Self:
        """torch.Tensor.gather: out[i][j] = self[index[i][j]][j] for dim 0 (and so on); see autograd.gather
        (torch's ``sparse_grad`` only chooses how torch stores the gradient: the same numbers, dense here)."""
        return array_function("gather")(self, dim, index)

    def take_along_dim(self: Self, indices: Any, dim: int | None = None) -> Self:
        """torch.Tensor.take_along_dim: numpy's take_along_axis; if ``dim`` is None, of the flattened tensor at the
        flattened ``indices`` (torch's, where numpy's takes 1-D indices only), a 1-D result. An index Tensor of
        uint8 is an :class:`~autograd.IndexDtypeError`, as torch's (which takes int64 alone; int32 too here)."""
        if isinstance(indices, Node) and indices._data.dtype.kind in "iu":  # (other kinds: take_along_axis's error)
            refuse_index_dtype("take_along_dim", indices._data.dtype)
            refuse_position_index_dtype("take_along_dim", indices._data.dtype)
        if dim is None:
            indices = indices.reshape(-1) if isinstance(indices, Node) else np.reshape(np.asarray(indices), -1)
        elif np.ndim(indices._data if isinstance(indices, Node) else indices) != _tensor(self).ndim:
            # torch's first check, before the dim's range (numpy's take_along_axis looks at the axis first)
            raise ShapeError(
                f"take_along_dim: input and indices should have the same number of dimensions, got "
                f"{_tensor(self).ndim} and {np.ndim(indices._data if isinstance(indices, Node) else indices)}"
            )
        return array_function("take_along_axis")(self, indices, dim)

    def index_select(self: Self, dim: int, index: Any) -> Self:
        """torch.Tensor.index_select: the entries at the 1-D ``index`` along ``dim`` (repeats allowed; their
        gradients accumulate). A 0-d tensor, as torch's, is one entry along dim 0 (or -1): its index holds one 0,
        and the result is 0-d."""
        raw = np.array(index._data) if isinstance(index, Node) else np.asarray(index)  # a copy: later fill_ is harmless
        tensor = _tensor(self)
        ndim = tensor.ndim
        single_axis(dim, max(ndim, 1), "index_select")  # torch's first check: one dim in range (0 or -1 when 0-d)
        if isinstance(index, Node):
            refuse_index_dtype("index_select", raw.dtype)
        if raw.dtype.kind not in "iu":
            raise IndexDtypeError(f"index_select: expected dtype int32 or int64 for index, got {raw.dtype}")
        if isinstance(index, Node):
            refuse_position_index_dtype("index_select", raw.dtype)
        if raw.ndim > 1:
            raise IndexRankError(f"index_select: index must be 0-D or 1-D, got shape {raw.shape}")
        raw = raw.reshape(-1)
        if raw.dtype.kind in "iu" and raw.size and raw.min() < 0:  # torch takes no negative index here
            raise IndexBoundsError(f"index_select: index {raw.min()} is out of bounds for dimension {dim}")
        length = tensor.shape[dim] if ndim else 1
        if raw.dtype.kind in "iu" and raw.size and raw.max() >= length:
            # torch's IndexError; along dim 1 its kernel raises a RuntimeError instead
            out_of_range = IndexBoundsError if ndim >= 2 and is_integer(dim) and dim % ndim == 1 else IndexError
            raise out_of_range(
                f"index_select: index {raw.max()} is out of bounds for dimension {dim} with size {length}"
            )
        if ndim == 0:
            if raw.size != 1:
                raise ShapeError(f"index_select: the index into a 0-d tensor holds one entry, got {raw.size}")
            return array_function("take")(tensor.reshape(1), raw, 0).reshape(())
        return array_function("take")(self, raw, dim)

    def select(self: Self, dim: int, index: int) -> Self:
        """torch.Tensor.select: the slice at ``index`` along ``dim``, that axis removed (``x[:, index]``)."""
        axis = single_axis(dim, _tensor(self).ndim, "select")
        index = require_integer("select", "index", index)
        return _tensor(self)[(slice(None),) * axis + (index,)]

    def narrow(self: Self, dim: int, start: int, length: int) -> Self:
        """torch.Tensor.narrow: the ``length`` entries from ``start`` along ``dim`` (a slice, shares memory);
        ``start`` may be a 0-d integer Tensor, as torch's (another Tensor is torch's RuntimeError)."""
        if isinstance(start, Node):
            data = np.asarray(start._data)
            if data.ndim or data.dtype.kind not in "iu":
                raise IndexDtypeError(
                    f"narrow: start must be a 0-dim integral Tensor, got one of shape {data.shape} and dtype {data.dtype}"
                )
            start = int(data)
        axis = single_axis(dim, _tensor(self).ndim, "narrow")
        size = _tensor(self).shape[axis]
        first = start + size if start < 0 else start
        if not 0 <= first <= size:
            raise IndexBoundsError(f"narrow: start {start} is out of range for dim {dim} of length {size}")
        if length < 0 or first + length > size:
            raise ArgumentRangeError(f"narrow: start {start} and length {length} do not fit dim {dim} of length {size}")
        return _tensor(self)[(slice(None),) * axis + (slice(first, first + length),)]

    def unbind(self: Self, dim: int = 0) -> tuple[Self, ...]:
        """torch.Tensor.unbind: the slices along ``dim``, each without that axis."""
        axis = single_axis(dim, _tensor(self).ndim, "unbind")
        pieces = tuple(self.select(axis, i) for i in range(_tensor(self).shape[axis]))
        return multi_output_views(pieces, "unbind")  # refused a recorded in-place change, as torch's

    # -- writing entries (out of place) ---------------------------------------------------------------
    def scatter(self: Self, dim: int, index: Any, src: Any = None, *, value: Any = None, reduce: Any = None) -> Self:
        """torch.Tensor.scatter: a copy with out[index[i][j]][j] = src[i][j] (dim 0; or ``value``); see
        autograd.indexing.scatter. torch's ``reduce`` 'add' or 'multiply' combines src with the entries instead
        (``scatter_reduce`` with 'sum' or 'prod', the entries included)."""
        return array_function("scatter")(self, dim, index, src, value=value, reduce=reduce)

    def scatter_add(self: Self, dim: int, index: Any, src: Any) -> Self:
        """torch.Tensor.scatter_add: a copy with src[i][j] added at out[index[i][j]][j] (dim 0); see
        autograd.indexing.scatter_add."""
        return array_function("scatter_add")(self, dim, index, src)

    # -- rearranging ----------------------------------------------------------------------------------
    def unflatten(self: Self, dim: int, sizes: Sequence[int]) -> Self:
        """torch.Tensor.unflatten: axis ``dim`` split into axes of ``sizes`` (one may be -1)."""
        shape = _tensor(self).shape
        axis = single_axis(dim, len(shape), "unflatten")
        if not all(is_integer(n) for n in sizes):
            raise TypeError(f"unflatten: sizes must be integers, got {tuple(sizes)!r}")  # (2.5, 2) is not (2, 2)
        sizes = tuple(int(n) for n in sizes)
        known = int(np.prod([n for n in sizes if n != -1], dtype=np.int64))
        if -1 in sizes and not known:  # torch's: the -1 of a dim of 0 entries beside a 0 could be any length
            raise ShapeError(f"unflatten: sizes {sizes} leave -1 ambiguous for dim {dim} of shape {shape}")
        if sizes.count(-1) > 1 or (-1 not in sizes and known != shape[axis]) or (known and shape[axis] % known):
            raise ShapeError(f"unflatten: sizes {sizes} do not multiply to {shape[axis]}, dim {dim} of shape {shape}")
        if -1 in sizes:  # worked out along this axis alone: reshape cannot infer it when another axis is 0
            sizes = tuple(shape[axis] // known if n == -1 else n for n in sizes)
        return _tensor(self).reshape(shape[:axis] + sizes + shape[axis + 1 :])

    def movedim(self: Self, source: int | Sequence[int], destination: int | Sequence[int]) -> Self:
        """torch.Tensor.movedim (alias moveaxis): the axes ``source`` moved to ``destination`` (a 0-d tensor takes
        dim 0 or -1 for both, as torch's scalars, and stays as it is; numpy's moveaxis refuses it)."""
        dims = {int(n) for n in np.atleast_1d(source)} | {int(n) for n in np.atleast_1d(destination)}
        if _tensor(self).ndim == 0 and dims <= {0, -1}:
            given = (np.atleast_1d(source).tolist(), np.atleast_1d(destination).tolist())
            if len(given[0]) != len(given[1]):  # torch's checks: the counts, then a repeat (the one dim twice)
                raise ShapeError(f"movedim: source {given[0]} and destination {given[1]} differ in their counts")
            if len(given[0]) > 1:
                raise ShapeError(f"movedim: repeated dim in source {given[0]} (a 0-d tensor has the one dim 0 or -1)")
            return self
        return array_function("moveaxis")(self, source, destination)

    moveaxis = movedim

    def swapdims(self: Self, dim0: int, dim1: int) -> Self:
        """torch.Tensor.swapdims: ``swapaxes``."""
        return _tensor(self).swapaxes(dim0, dim1)

    def tril(self: Self, diagonal: int = 0) -> Self:
        """torch.Tensor.tril: entries above the ``diagonal``-th diagonal of the last two axes set to 0 (a tensor of
        fewer than 2 dimensions is a :class:`ShapeError`, as torch's; numpy's ``autograd.tril`` makes a vector
        the rows of a square matrix)."""
        return array_function("tril")(self._matrices("tril"), diagonal)

    def triu(self: Self, diagonal: int = 0) -> Self:
        """torch.Tensor.triu: entries below the ``diagonal``-th diagonal of the last two axes set to 0 (a tensor of
        fewer than 2 dimensions is a :class:`ShapeError`, as torch's)."""
        return array_function("triu")(self._matrices("triu"), diagonal)

    def _matrices(self: Self, op: str) -> Self:
        """This tensor, a stack of matrices, or torch's error naming ``op`` if it has fewer than 2 dimensions."""
        if _tensor(self).ndim < 2:
            raise ShapeError(f"{op}: input tensor must have at least 2 dimensions, got shape {_tensor(self).shape}")
        return self

    def repeat_interleave(
        self: Self, repeats: Any = None, dim: int | None = None, *, output_size: int | None = None
    ) -> Self:
        """torch.Tensor.repeat_interleave: each entry repeated along ``dim`` (flattened if None), numpy's
        ``repeat``; ``output_size`` (torch's hint of the result's length along ``dim``) is checked. Without
        ``repeats``, torch's one-argument form: the indices 0, 1, ... each repeated as many times as the
        (1-d, integer) tensor says (``repeat_interleave(tensor([1, 2]))`` is ``[0, 1, 1]``)."""
        if repeats is None:
            counts = _tensor(self)._data
            if counts.ndim != 1 or counts.dtype.kind not in "iu":
                raise ShapeError(
                    f"repeat_interleave: the one-argument form takes a 1-d integer tensor of counts, got dtype "
                    f"{counts.dtype} and shape {counts.shape}"
                )
            result = array_function("repeat")(type(self)(np.arange(counts.shape[0])), counts, None)
        else:
            self._check_repeats(repeats, dim)
            result = array_function("repeat")(self, repeats, dim)
        if output_size is not None:
            length = result.shape[0 if dim is None or repeats is None else dim]
            if length != output_size:
                raise ShapeError(f"repeat_interleave: output_size={output_size!r}, but the result's length is {length}")
        return result

    def _check_repeats(self: Self, repeats: Any, dim: int | None) -> None:
        """torch's checks of repeat_interleave's ``repeats``, named after it: integers (a DtypeKernelError, a
        TypeError and torch's NotImplementedError), at least 0, and one count, or one per entry along ``dim`` (of the
        flattened tensor if None), in a tensor of at most 1-d."""
        counts = repeats._data if isinstance(repeats, Node) else np.asarray(repeats)
        shape = _tensor(self).shape
        if counts.dtype.kind not in "iu" and counts.size:
            raise DtypeKernelError(f"repeat_interleave: repeats must be integers, got {counts.dtype} {repeats!r}")
        if counts.ndim > 1:
            raise ShapeError(f"repeat_interleave: repeats must be a 0-d or 1-d tensor, got shape {counts.shape}")
        if np.any(counts < 0):
            raise ArgumentRangeError(f"repeat_interleave: repeats must be non-negative, got {repeats!r}")
        length = int(np.prod(shape)) if dim is None else shape[single_axis(dim, len(shape), "repeat_interleave")]
        if counts.ndim == 1 and counts.size not in (1, length):
            where = "the flattened tensor" if dim is None else f"dim {dim}"
            raise ShapeError(
                f"repeat_interleave: {counts.size} repeats for {where} of length {length}, shape {shape} (give one "
                f"count, or one per entry)"
            )

    def tile(self: Self, *sizes: Any, dims: Any = None) -> Self:
        """torch.Tensor.tile (torch's ``repeat``): copies of the tensor laid side by side ``dims`` times, given as
        a sequence (``x.tile((2, 3))``, ``x.tile(dims=(2, 3))``) or one by one (``x.tile(2, 3)``)."""
        if dims is not None:
            if sizes:
                raise TypeError("tile: give the repetitions once, by position or as dims=")
            sizes = (dims,)
        if len(sizes) == 1 and not isinstance(sizes[0], (int, np.integer)):
            sizes = sizes[0]
        return array_function("tile")(self, sizes)
