"""Tensor's shape and indexing methods: ``reshape``, ``transpose``/``permute``/``swapaxes``, ``flatten``,
``squeeze``/``expand_dims`` (``unsqueeze``), ``broadcast_to``, ``pad``, and ``t[index]`` with its adjoint.

:class:`TensorShape` holds them and :class:`~autograd.tensor.Tensor` inherits them (a mixin, as
:mod:`autograd.array_methods`). An output that shares memory with its input shares the input's version
counter too (:meth:`TensorShape._view`), so an in-place change through either is caught by backward.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from . import shared_math
from .broadcasting import AxisError, normalize_axes
from .core import Node
from .deprecated_overloads import user_stacklevel
from .derivatives import arrays as ar
from .grad_mode import is_grad_enabled
from .index_errors import refuse_index_dtype
from .read_padding import SOURCE_INDEX, foldable, padded_array
from .shape_errors import ShapeError, is_integer, refuse_negative_sizes
from .stat_padding import STATISTIC_MODES, statistic_padded
from .torch_keywords import UNSET, torch_dim

#: The ops whose empty result is a view all the same (see shared_math.empty_view_of): the writable views, as torch's
#: empty slice ``w[0, :0]``, so a recorded write into one makes the base's history the write's. An empty ``expand`` is
#: not one: it stays a tensor of its own, which takes a recorded change as torch's does (see _record_in_place).
_EMPTY_VIEWS = (ar.getitem, ar.reshape, ar.transpose, ar.diagonal)


if TYPE_CHECKING:  # for annotations only: autograd.tensor imports this module
    from .tensor import Tensor

__all__ = ["TensorShape"]

#: autograd.tensor.Tensor, the class of the outputs. Tensor inherits these methods, so autograd.tensor
#: imports this module, not the reverse: it sets this name once the class exists.
_Tensor: Any = None


class TensorShape:
    """Tensor's shape and indexing methods (a mixin: :class:`~autograd.tensor.Tensor` inherits them)."""

    __slots__ = ()

    # -- shape -------------------------------------------------------------------
    def reshape(self, *sizes: Any, order: str = "C", shape: Any = UNSET) -> Tensor:
        """Same data in a new shape (one dimension may be -1), given by position or as ``shape=`` (numpy's and
        torch's keyword); numpy's ``order="F"`` reads and writes the entries column-major: the reversed axes
        reshaped to the reversed shape, reversed back."""
        shape = _sizes_or_keyword("reshape", sizes, "shape", shape)
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        refuse_negative_sizes("reshape", shape)
        if order != "C":
            kind = order.upper() if isinstance(order, str) else order
            if kind == "A":
                kind = "F" if self._data.flags.f_contiguous and not self._data.flags.c_contiguous else "C"
            if kind == "F":
                try:
                    target = np.empty(self.shape, dtype=np.bool_).reshape(shape).shape  # -1 resolved
                except ValueError:
                    raise ValueError(
                        f"reshape: cannot reshape tensor of shape {self.shape} into {tuple(shape)}"
                    ) from None
                return self.transpose().reshape(target[::-1]).transpose()
            if kind != "C":
                raise ValueError(f"reshape: order must be 'C', 'F' or 'A', got {order!r}")
        try:
            data = self._data.reshape(shape)
        except ValueError:
            raise ShapeError(f"reshape: cannot reshape tensor of shape {self.shape} into {tuple(shape)}") from None
        except TypeError:
            raise TypeError(f"reshape: the shape must be integers, got {tuple(shape)!r}") from None
        return self._view(data, ar.reshape, {"shape": data.shape})  # a new view even of the same shape, as torch

    def transpose(self, *axes: Any, dim0: Any = None, dim1: Any = None) -> Tensor:
        """Permute axes: numpy's ``transpose(axes)`` or ``transpose(*axes)``, all reversed if none given.

        Two axes given apart are torch's ``transpose(dim0, dim1)``, which swaps them: ``x.transpose(1, 2)``,
        ``k.transpose(-2, -1)``, and also ``m.transpose(0, 1)`` on a matrix, which numpy would read as the
        identity permutation. A tuple (``transpose((0, 1))``) and ``permute`` always give the permutation;
        ``transpose(None)`` reverses all axes, as numpy's. torch's keywords ``dim0=``/``dim1=`` name the two axes.
        """
        if dim0 is not None or dim1 is not None:
            if dim0 is None or dim1 is None or axes:
                raise TypeError("transpose: give both dim0= and dim1= (and no other axes), or the axes by position")
            axes = (dim0, dim1)
        if len(axes) == 1 and axes[0] is None:
            axes = ()
        if len(axes) == 2 and all(is_integer(a) for a in axes):
            return self._swapped(axes[0], axes[1], "transpose")
        return self._permuted(axes, "transpose")

    def permute(self, *order: Any, dims: Any = UNSET) -> Tensor:
        """Permute axes as ``order`` gives them (``x.permute(2, 0, 1)``, ``x.permute((2, 0, 1))`` or torch's
        keyword ``x.permute(dims=(2, 0, 1))``)."""
        if not order and dims is UNSET:  # numpy's transpose() reverses the axes; torch's permute needs them
            raise TypeError("permute() missing 1 required positional argument: 'dims'")
        return self._permuted(_sizes_or_keyword("permute", order, "dims", dims), "permute")

    def _permuted(self, axes: tuple, op: str) -> Tensor:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        ndim = self._data.ndim
        if not axes:
            axes = tuple(range(ndim - 1, -1, -1))
        if len(axes) != ndim:  # torch's order of checks: the count, then each axis's range and repeat in turn
            raise ShapeError(_not_a_permutation(op, axes, self.shape))
        seen: list[int] = []
        for a in axes:  # (5, 0, 0) is out of range first, (0, 0, 5) a repeat first: torch's IndexError, RuntimeError
            if not -ndim <= a < ndim:
                raise AxisError(_not_a_permutation(op, axes, self.shape))
            if a % ndim in seen:
                raise ShapeError(_not_a_permutation(op, axes, self.shape))
            seen.append(a % ndim)
        axes = tuple(seen)
        return self._view(self._data.transpose(axes), ar.transpose, {"axes": axes})

    def swapaxes(self, axis1: int = UNSET, axis2: int = UNSET, *, axis0: int = UNSET) -> Tensor:
        """Exchange two axes (torch's ``transpose(dim0, dim1)``): numpy's ``swapaxes(axis1, axis2)`` or torch's
        keywords ``swapaxes(axis0=, axis1=)``."""
        if axis0 is not UNSET:  # torch's names for the two axes: axis0 and axis1
            if axis2 is not UNSET:
                raise TypeError(f"swapaxes: got axis0={axis0!r} (torch's) and axis2={axis2!r} (numpy's); pass one pair")
            axis1, axis2 = axis0, axis1
        if axis1 is UNSET or axis2 is UNSET:
            raise TypeError("swapaxes: needs two axes, swapaxes(axis1, axis2) (torch's axis0=, axis1=)")
        return self._swapped(axis1, axis2, "swapaxes")

    def _swapped(self, axis1: int, axis2: int, op: str) -> Tensor:
        first, second = normalize_axes(axis1, self.ndim, op), normalize_axes(axis2, self.ndim, op)
        if self.ndim == 0:  # axes 0 and -1 of a 0-d tensor, as torch: nothing to swap (a new view, as torch's)
            return self.reshape(())
        axes = list(range(self.ndim))
        axes[first[0]], axes[second[0]] = axes[second[0]], axes[first[0]]
        return self._permuted(tuple(axes), op)

    def flatten(self, start_dim: int | str = 0, end_dim: int = -1, *, order: str | None = None) -> Tensor:
        """Merge axes start_dim..end_dim into one (all of them by default).

        numpy's ``flatten(order)`` works too, also as ``flatten(order=...)``: ``"C"`` (row-major, the default),
        ``"F"`` (column-major: the transpose flattened) or ``"A"`` (``"F"`` if the data is Fortran-contiguous only,
        else ``"C"``).
        """
        if order is not None:
            if not (isinstance(start_dim, int) and start_dim == 0 and end_dim == -1):
                raise TypeError("flatten: order= (numpy's) cannot be given with start_dim/end_dim (torch's)")
            return self._flattened_in_order(order)
        if isinstance(start_dim, str):
            return self._flattened_in_order(start_dim)
        if self.ndim == 0:  # torch's scalars take dims 0 and -1, as a tensor of one dimension
            normalize_axes(start_dim, 1, "flatten")
            normalize_axes(end_dim, 1, "flatten")
            return self.reshape(1)
        (start,) = normalize_axes(start_dim, self.ndim, "flatten")
        (end,) = normalize_axes(end_dim, self.ndim, "flatten")
        if start > end:
            raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for shape {self.shape}")
        if start == end:  # nothing to merge: the tensor itself, as torch's
            return self
        merged = int(np.prod(self.shape[start : end + 1], dtype=np.int64))
        return self.reshape(self.shape[:start] + (merged,) + self.shape[end + 1 :])

    def _flattened_in_order(self, order: str) -> Tensor:
        """numpy's ``ndarray.flatten(order)`` for order "C", "F" or "A" (ValueError for any other)."""
        kind = order.upper()
        if kind == "A":
            kind = "F" if self._data.flags.f_contiguous and not self._data.flags.c_contiguous else "C"
        if kind == "C":
            return self.reshape(-1)
        if kind == "F":
            return self.transpose().reshape(-1)
        raise ValueError(f"flatten: order must be 'C', 'F' or 'A', got {order!r} (a Tensor has no memory order 'K')")

    def squeeze(self, axis: int | tuple[int, ...] | None = None, *, dim: Any = UNSET) -> Tensor:
        """Drop length-1 axes (only ``axis`` if given; an ``axis`` of another length is a ValueError, as numpy).

        torch's spelling ``squeeze(dim=d)`` (an int or a tuple) drops those of the axes ``d`` that have
        length 1 and leaves the others, as torch; so does a list of axes, ``squeeze([0, 2])``, torch's (numpy
        takes no list).
        """
        if isinstance(axis, list) and dim is UNSET:
            axis, dim = None, axis
        if dim is not UNSET:
            axes = normalize_axes(torch_dim("squeeze", axis, dim), self.ndim, "squeeze")
            axis = tuple(a for a in axes if self.ndim and self.shape[a] == 1)
        elif axis is not None:
            normalize_axes(axis, self.ndim, "squeeze")  # an axis out of range: AxisError, before the length check
        try:
            data = np.squeeze(self._data, axis=axis)
        except ValueError:
            raise ValueError(
                f"squeeze: cannot select an axis of length != 1 in shape {self.shape} (axis={axis})"
            ) from None
        return self.reshape(data.shape)

    def expand_dims(self, axis: int | tuple[int, ...] | None = None, *, dim: Any = UNSET) -> Tensor:
        """Insert length-1 axes at ``axis`` (torch's ``dim``; alias ``unsqueeze``)."""
        return self._with_new_axes(axis, dim, "expand_dims")

    def unsqueeze(self, axis: int | tuple[int, ...] | None = None, *, dim: Any = UNSET) -> Tensor:
        """torch's name of :meth:`expand_dims`: a length-1 axis inserted at ``dim`` (errors name unsqueeze)."""
        return self._with_new_axes(axis, dim, "unsqueeze")

    def _with_new_axes(self, axis: Any, dim: Any, op: str) -> Tensor:
        if dim is not UNSET:
            axis = torch_dim(op, axis, dim)
        if axis is None:
            raise TypeError(f"{op}: the axis (torch: dim) to insert is missing")
        count = len(axis) if isinstance(axis, (tuple, list)) else 1
        normalize_axes(axis, self.ndim + count, op)  # the op named for a bad or out-of-range axis
        return self.reshape(np.expand_dims(self._data, axis).shape)

    def broadcast_to(self, *shape: Any, size: Any = UNSET) -> Tensor:
        """Broadcast to ``shape``; the gradient is summed back (unbroadcast).

        numpy's one shape (a sequence, or an int for one axis) and torch's forms, whose ``broadcast_to`` is its
        ``expand``: the sizes given apart, ``x.broadcast_to(2, 3)``, the keyword ``size=``, and a -1 that keeps
        that axis's length, ``x.broadcast_to((2, -1, 4))`` of a (3, 1) tensor being (2, 3, 4).
        """
        if size is not UNSET:
            if shape:
                raise TypeError("broadcast_to: the shape is given twice, positionally and as size=")
            shape = (size,)
        if not shape:
            raise TypeError("broadcast_to: the shape to broadcast to is missing")
        if len(shape) == 1:
            shape = (shape[0],) if isinstance(shape[0], (int, np.integer)) else tuple(shape[0])
        if any(isinstance(length, (int, np.integer)) and length == -1 for length in shape):
            try:
                return self.expand(shape)  # resolves every -1 (or raises), so no -1 comes back here
            except ShapeError as error:
                message = str(error)
                raise ShapeError(
                    message if message.startswith("broadcast_to") else f"broadcast_to: {message}"
                ) from None
        try:
            data = np.broadcast_to(self._data, shape)
        except ValueError:
            raise ShapeError(f"broadcast_to: cannot broadcast shape {self.shape} to {shape}") from None
        if data.size == self._data.size:  # repeats no entry (new axes of length 1): writable, as torch's
            data = np.lib.stride_tricks.as_strided(self._data, data.shape, data.strides)
        lead = data.ndim - self._data.ndim
        if lead and 1 in data.shape[:lead]:
            data = _with_torchs_new_axis_strides(data, lead)
        return self._view(data, ar.broadcast_to, {"shape": shape})

    def pad(
        self,
        pad_width: Any,
        constant_values: float = 0,
        *,
        mode: str = "constant",
        stat_length: Any = None,
        end_values: Any = None,
    ) -> Tensor:
        """numpy.pad with numpy's ``pad_width``: ``mode`` "constant" (``constant_values``; the gradient is the
        un-padded window) or "empty" (zeros here: numpy leaves the pad unset; the same gradient), "edge", "reflect",
        "symmetric", "wrap", which read the input: gathers whose gradient adds up each read entry's upstream
        gradients, or "maximum", "minimum", "mean", "median" (of ``stat_length`` entries at each end) and
        "linear_ramp" (to ``end_values``), whose gradient goes to the entries each statistic or ramp was computed
        from (:mod:`autograd.stat_padding`)."""
        widths = tuple(tuple(int(w) for w in pair) for pair in np.broadcast_to(np.asarray(pad_width), (self.ndim, 2)))
        if any(w < 0 for pair in widths for w in pair):
            raise ValueError(f"pad: pad widths must be non-negative, got {pad_width}")
        for keyword, value in (("stat_length", stat_length), ("end_values", end_values)):
            if value is not None and STATISTIC_MODES.get(mode) != keyword:
                raise ValueError(f"pad: mode {mode!r} takes no keyword {keyword}")
        if mode in STATISTIC_MODES:
            return statistic_padded(self, widths, mode, stat_length if end_values is None else end_values)
        if mode == "empty":
            constant_values = 0
        elif mode != "constant":
            return self._padded_from_itself(widths, mode)
        data = np.pad(self._data, widths, constant_values=constant_values)
        return _Tensor._from_op(data, ar.pad, (self,), {"pad_width": widths})

    def _padded_from_itself(self, widths: tuple[tuple[int, int], ...], mode: str) -> Tensor:
        """numpy.pad's modes that repeat the input's entries: one ``read_pad`` node (numpy's pad; its gradient folds
        g back), or, for pads wide enough to read an entry twice from one side, one gather per padded axis."""
        if mode not in SOURCE_INDEX:
            modes = ", ".join(map(repr, [*SOURCE_INDEX, *STATISTIC_MODES, "empty"]))
            raise ValueError(f"pad: mode must be 'constant', {modes}, got {mode!r}")
        if not any(before or after for before, after in widths):
            return self.clone()  # numpy's pad copies
        if foldable(self.shape, widths, mode):
            data = padded_array(self._data, widths, mode)
            return _Tensor._from_op(data, ar.read_pad, (self,), {"widths": widths, "mode": mode})
        out = self
        for axis, (before, after) in enumerate(widths):
            if not before and not after:
                continue
            length = self.shape[axis]
            if length == 0:
                raise ValueError(f"pad: mode {mode!r} cannot pad the empty axis {axis} (shape {self.shape})")
            out = out[(slice(None),) * axis + (SOURCE_INDEX[mode](np.arange(-before, length + after), length),)]
        return out

    # -- indexing --------------------------------------------------------------
    def __getitem__(self, index: Any) -> Tensor:
        """numpy's indexing (slices with a negative step too, ``x[::-1]``, a view as numpy's, where torch raises);
        d/dself scatters g back to the picked positions (repeats accumulate). An index
        Tensor is copied when the op is recorded, so changing it in place later cannot change the gradient.
        An integer beside an array index selects first, as torch's (see :func:`split_at_integers`), an Ellipsis of
        no axis does not separate array indices (:func:`without_empty_ellipsis`), and a uint8
        index Tensor is a boolean mask and a 0-d integer Tensor an integer (a view), as torch's (a uint8 ndarray is
        integer positions and a 0-d one copies, as numpy's); an index Tensor of int8, int16, uint16, uint32 or uint64
        is torch's IndexError (:func:`tensor_index_array`)."""
        index = without_empty_ellipsis(_raw_index(index, snapshot=self.requires_grad and is_grad_enabled()), self.ndim)
        split = split_at_integers(index)
        if split is not None:
            try:
                return self[split[0]][split[1]]
            except IndexError as error:
                raise whole_index_error("getitem", self._data, index, error) from None
        try:
            data = shared_math.take_at(self._data, index)
        except IndexError as error:
            raise IndexError(f"getitem: {error} (tensor shape {self.shape})") from None
        if not isinstance(data, np.ndarray):  # one entry: numpy gives a scalar copy; a 0-d view, as torch's
            data = self._data[(*index, ...) if isinstance(index, tuple) else (index, ...)]
        elif not data.flags.c_contiguous and not np.may_share_memory(data, self._data):
            # an array index's copy, which numpy lays out in the input's axis order (x[:, idx] has its indexed
            # axis outermost in memory); torch's is contiguous, so a view() of it works as there
            data = np.ascontiguousarray(data)
        return self._view(data, ar.getitem, {"index": index})

    def _view(self, data: np.ndarray, op: Any, attrs: dict) -> Tensor:
        """The output of a shape op; when it shares memory with this tensor it shares its version counter too,
        and a view that records nothing (of a constant, or under no_grad) keeps how it was made, so a recorded
        in-place change of it or of this tensor later can still make it a recorded view."""
        out = _Tensor._from_op(data, op, (self,), attrs)
        if np.may_share_memory(data, self._data) or (
            op in _EMPTY_VIEWS and shared_math.empty_view_of(data, self._data)
        ):
            out._version_counter = self._shared_version()
            out._view_base = self  # (its parent, until a backward pass points it at an earlier self of this one)
            out._version_counter.add_holder(out, "view")
            if self._made_in_no_grad or not is_grad_enabled():  # torch's NO_GRAD_MODE views (see Node)
                out._made_in_no_grad = True
            elif self._multi_output_view is not None:  # a view of a split's piece is refused a change as the piece
                out._multi_output_view = self._multi_output_view
                out._multi_output_version = out._version_counter.count
            if out.op is None:
                out._view_of = (op, self, attrs)
        return out

    def _scatter_add(self, index: Any, shape: tuple[int, ...]) -> Tensor:
        data = shared_math.scatter_add(self._data, index, shape)
        return _Tensor._from_op(data, ar.index_add, (self,), {"index": index, "shape": shape})


def _not_a_permutation(op: str, axes: tuple, shape: tuple[int, ...]) -> str:
    """The error message of a transpose or permute whose ``axes`` are not a permutation of ``shape``'s axes."""
    return f"{op}: axes {axes} are not a permutation of the axes of shape {shape}"


def _is_integer(part: Any) -> bool:
    """An integer index entry: a Python or numpy int, or a 0-d integer array (a 0-d Tensor's data), not a bool."""
    if isinstance(part, np.ndarray):
        return part.ndim == 0 and part.dtype.kind in "iu"
    return is_integer(part)


def split_at_integers(index: Any) -> tuple[tuple, tuple] | None:
    """torch's reading of an index that mixes integers with array indices, as two numpy indices applied in turn,
    or None where numpy's reading is torch's.

    numpy counts an integer as an array index, so in ``x[0, :, [0, 2]]`` the two "array" indices, apart, put
    their axis first: shape (2, 3) for x of shape (2, 3, 4). torch selects with the integers first and indexes
    what is left, ``x[0][:, [0, 2]]``: shape (3, 2). The first index keeps the integers, slices, None and
    Ellipsis (an array index becomes full slices over its axes); the second keeps the array indices, in their
    places among the remaining axes. A scalar bool is an array index to numpy too (``x[0, :, True]`` of a (2, 3, 4)
    tensor is numpy's (1, 3, 4)), where torch selects first and adds its axis in place: (3, 1, 4); it goes to the
    second index, reading no axis."""
    if not isinstance(index, tuple):
        return None
    arrays = [isinstance(part, np.ndarray) and part.ndim >= 1 for part in index]
    bools = [_is_scalar_bool(part) for part in index]
    if not any(arrays + bools) or not any(_is_integer(part) for part in index):
        return None
    first: list[Any] = []
    second: list[Any] = []
    for part, is_array, is_bool in zip(index, arrays, bools):
        if is_bool:  # torch's scalar bool: a new axis of 1 (True) or 0 (False) where it stands, after the integers
            second.append(part)
        elif is_array:
            first.extend([slice(None)] * (part.ndim if part.dtype == bool else 1))
            second.append(part)
        elif _is_integer(part):
            first.append(int(part))  # (a 0-d array would make numpy copy: an int selects a view, as torch's)
        else:  # a slice (applied in the first), None (an axis of 1 after it) or Ellipsis
            first.append(part)
            second.append(Ellipsis if part is Ellipsis else slice(None))
    return tuple(first), tuple(second)


def _is_scalar_bool(part: Any) -> bool:
    """A scalar bool index entry: a Python or numpy bool, or a 0-d boolean array (a 0-d bool Tensor's data)."""
    return isinstance(part, (bool, np.bool_)) or (
        isinstance(part, np.ndarray) and part.ndim == 0 and part.dtype == np.bool_
    )


def without_empty_ellipsis(index: Any, ndim: int) -> Any:
    """torch's reading of an Ellipsis that stands for no axis between array indices: as if it were not there.

    numpy counts it as separating the array indices on either side, so their axis goes first: ``x[:, i, ..., j]``
    of a (5, 1, 3) tensor, i and j of shape (2,), has numpy's shape (2, 5), where torch reads ``x[:, i, j]``,
    shape (5, 2). Any other index is returned as it is."""
    if not isinstance(index, tuple) or not any(part is Ellipsis for part in index):
        return index
    if sum(isinstance(part, np.ndarray) and part.ndim >= 1 for part in index) < 2:
        return index
    if sum(_axes_taken(part) for part in index) != ndim:  # the Ellipsis stands for some axes (or numpy's error)
        return index
    return tuple(part for part in index if part is not Ellipsis)


def _axes_taken(part: Any) -> int:
    """How many of the indexed tensor's axes one part of an index reads (a boolean array: its number of axes)."""
    if part is None or part is Ellipsis or isinstance(part, (bool, np.bool_)):
        return 0
    if isinstance(part, np.ndarray) and part.dtype == np.bool_:
        return part.ndim
    return 1


def whole_index_error(op: str, data: np.ndarray, index: Any, error: IndexError) -> IndexError:
    """The IndexError of ``index`` read in two steps (:func:`split_at_integers`) raising ``error``, told in numpy's
    words for the whole index, which has the same bounds: the axis, its size and the shape named are the tensor's,
    not those of what the integers selected (``x[0, :, [0, 9]]`` of a (4, 5, 6) tensor: index 9 of axis 2)."""
    try:
        data[index]
    except IndexError as whole:
        return IndexError(f"{op}: {whole} (tensor shape {data.shape})")
    return error


#: torch reads a list index of fewer entries than this as a tuple of indices (when an entry is an index of its own)
_SEQUENCE_TUPLE_LIMIT = 32

#: Indices that are never read as a tuple of their entries (tested first: a check against ``Sequence`` is slow)
_NOT_SEQUENCES = (int, slice, tuple, Node, np.ndarray, np.integer, str, bytes, type(None), type(Ellipsis))


def sequence_as_tuple(index: Any) -> Any:
    """torch's reading of a list index (or another sequence that is not a tuple, a Tensor or an array): the tuple
    of its entries when it has fewer than 32 and one of them is a Tensor, an array, a sequence, a slice, None or
    Ellipsis, with the warning torch gives for it (deprecated there). So ``x[[[0, 1], [2, 3]]]`` is
    ``x[[0, 1], [2, 3]]`` (two entries), ``x[[[0, 1]]]`` is ``x[[0, 1]]`` and ``x[[0, slice(None)]]`` is ``x[0, :]``,
    where numpy (since 1.23) reads every list as one array index. A list of numbers (``x[[0, 2]]``) stays one
    integer-array index; any other index is returned as it is."""
    if type(index) is not list and (isinstance(index, _NOT_SEQUENCES) or not isinstance(index, Sequence)):
        return index
    if len(index) >= _SEQUENCE_TUPLE_LIMIT or not any(_indexes_on_its_own(entry) for entry in index):
        return index
    warnings.warn(
        "indexing with a list that holds lists, arrays, Tensors, slices, None or Ellipsis reads it as a tuple of "
        "indices, as torch's (deprecated there); write x[tuple(seq)] to say so",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return tuple(index)


def _indexes_on_its_own(entry: Any) -> bool:
    """Whether a list index's ``entry`` makes torch read the list as a tuple (:func:`sequence_as_tuple`)."""
    return entry is None or entry is Ellipsis or isinstance(entry, (Node, np.ndarray, slice, Sequence))


def _raw_index(index: Any, snapshot: bool = False, op: str = "getitem") -> Any:
    """Replace Tensors and lists inside an index by ndarrays (copies of the Tensors' data with ``snapshot``,
    for an index a recorded op keeps), and a 0-d integer Tensor by its integer. A list that torch reads as a tuple
    of indices is one (:func:`sequence_as_tuple`). A tuple inside the index tuple is a sequence of positions, as a
    list (numpy's and torch's reading: ``x[1, (2, 0)]`` is ``x[1, [2, 0]]``), so it is an array index here too."""
    index = sequence_as_tuple(index)
    if isinstance(index, tuple):
        return tuple(_raw_index(list(part) if isinstance(part, tuple) else part, snapshot, op) for part in index)
    if isinstance(index, Node):
        array = tensor_index_array(index, snapshot, op=op, integer_scalar=True)
        # a 0-d integer Tensor is the integer it holds, as torch's (a view), where numpy copies for a 0-d array
        return int(array) if array.ndim == 0 and array.dtype.kind in "iu" else array
    if isinstance(index, list):
        array = np.asarray(index)
        # an empty list selects nothing, as in numpy (np.asarray([]) is float64, which numpy refuses as an index)
        return array.astype(np.intp) if array.size == 0 and array.dtype.kind == "f" else array
    return index


def tensor_index_array(
    index: Node, copy: bool = False, *, op: str = "getitem", integer_scalar: bool = False
) -> np.ndarray:
    """The array an index Tensor stands for, as torch reads it (a copy with ``copy``): a uint8 (byte) tensor is a
    boolean mask, its nonzero entries selected (torch warns that this reading is deprecated, and so does this), where
    numpy would read a uint8 array as integer positions. An integer tensor of another dtype than int64, int32 and
    uint8 is torch's IndexError naming ``op`` (numpy takes them), unless it is 0-d and ``integer_scalar`` (the
    integer it holds, as torch's ``x[t]``)."""
    data = index._data
    if data.ndim or not integer_scalar:
        refuse_index_dtype(op, data.dtype, IndexError)
    if data.dtype == np.uint8:
        warnings.warn(
            "indexing with a uint8 tensor reads it as a boolean mask, as torch's (deprecated there); "
            "use a bool tensor instead",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
        return data != 0
    return data.copy() if copy else data


def _sizes_or_keyword(op: str, given: tuple, keyword: str, value: Any) -> tuple:
    """The sizes (or axes) of ``op`` given by position, or as the one keyword argument ``keyword=value`` (torch's
    and numpy's spelling); both at once is a TypeError."""
    if value is UNSET:
        return given
    if given:
        raise TypeError(f"{op}: got {keyword}={value!r} and {given!r} by position; pass one")
    return (value,)


def _with_torchs_new_axis_strides(data: np.ndarray, lead: int) -> np.ndarray:
    """``data`` (a broadcast with ``lead`` new leading axes) with torch's strides for the new axes of length 1: the
    step of the axis after it times its length (as ``unsqueeze`` gives), where numpy's broadcast gives 0; which
    entries are read is unchanged (an axis of length 1 never steps)."""
    strides = list(data.strides)
    for axis in range(lead - 1, -1, -1):
        if data.shape[axis] == 1:
            strides[axis] = data.shape[axis + 1] * strides[axis + 1] if axis + 1 < data.ndim else 0
    return np.lib.stride_tricks.as_strided(data, data.shape, strides, writeable=data.flags.writeable)
