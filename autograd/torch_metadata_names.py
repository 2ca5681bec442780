"""torch's Tensor methods that describe a tensor (its memory, dtype, device) or convert its dtype.

None of them records an op except the dtype conversions, which are ``astype``, and the conjugate transposes
(``mH``, ``H``, ``adjoint``), which are ``swapaxes``: the data is real, so conjugation changes nothing.

The memory is the numpy array's. torch's *storage* is the block of memory a tensor's array lies in: the
array's outermost base (``.base`` followed to the array that owns the memory), read in memory order.
``stride`` and ``storage_offset`` count elements, as torch's; ``data_ptr`` is the array's address.
``apply_``, ``map_`` and ``resize_`` change a tensor that needs no gradient in place, as torch's (they
refuse one that requires grad), and bump its version counter, so backward through an op that saved the
old data fails instead of using the new one.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from .broadcasting import normalize_axes
from .core import Node, increment_version
from .derivatives import arrays as ar
from .grad_mode import is_grad_enabled
from .preserved_layout import axes_inner_first
from .quiet import quietly
from .shape_errors import ShapeError, is_integer
from .storage import TypedStorage, UntypedStorage
from .torch_keywords import torch_keyword_names

__all__ = [
    "CHANNELS_LAST",
    "AmbiguousTruthValueError",
    "TorchMetadataNames",
    "channels_last_copy",
    "in_memory_format",
    "resize_data",
]

Self = TypeVar("Self", bound="TorchMetadataNames")  # the Tensor a method is called on

#: torch's name of its default memory format (``torch.contiguous_format`` prints as this).
_CONTIGUOUS_FORMAT = "torch.contiguous_format"

#: torch dtypes numpy has no counterpart of, or Tensor cannot hold (it holds real numbers and booleans).
_UNSUPPORTED_DTYPES = {
    "bfloat16": "numpy has no bfloat16 dtype",
    "cfloat": "complex64 tensors are not supported (a Tensor holds real numbers or booleans)",
    "cdouble": "complex128 tensors are not supported (a Tensor holds real numbers or booleans)",
    "chalf": "complex32 tensors are not supported (a Tensor holds real numbers or booleans)",
}


class AmbiguousTruthValueError(ValueError, RuntimeError):
    """The truth value of a tensor without exactly one element: a ValueError (the house rule, as ``bool(x)``
    raises) that is also the RuntimeError torch raises, so code written for either catches it."""


class AmbiguousDimOrderError(ValueError, RuntimeError):
    """``dim_order(ambiguity_check=True)`` of a tensor whose layout allows several orders: a ValueError (the house
    rule for a value an operation cannot use) that is also the RuntimeError torch raises, so torch's own
    ``except RuntimeError`` catches it."""


def _address(data: np.ndarray) -> int:
    return data.__array_interface__["data"][0]


def _element_strides(data: np.ndarray) -> tuple[int, ...]:
    """``data``'s strides in elements. numpy gives a new empty array zero strides (it has no layout); torch
    gives it C-contiguous ones, counting each empty axis as length 1, and so does this."""
    if data.size == 0 and not any(data.strides):
        strides, step = [], 1
        for length in reversed(data.shape):
            strides.append(step)
            step *= max(length, 1)
        return tuple(reversed(strides))
    return tuple(stride // data.itemsize for stride in data.strides)


def _owner(data: np.ndarray) -> np.ndarray:
    """The outermost array ``data`` is a view of (itself if it owns its memory)."""
    while isinstance(data.base, np.ndarray):
        data = data.base
    return data


def _storage(data: np.ndarray) -> tuple[np.ndarray | None, int]:
    """torch's storage of ``data``: its owner's memory as a 1-D view of ``data``'s dtype, in memory order,
    and the offset of ``data``'s first element in it, in elements; ``(None, 0)`` when that memory is not
    one dense block that ``data``'s dtype divides."""
    owner = _owner(data)
    if any(stride < 0 for stride in owner.strides):
        return None, 0
    in_memory_order = owner.transpose(sorted(range(owner.ndim), key=lambda axis: -owner.strides[axis]))
    if not in_memory_order.flags.c_contiguous:  # not one dense block (an owner that is itself strided)
        return None, 0
    try:
        memory = in_memory_order.reshape(-1).view(data.dtype)  # a view: the axes are in memory order
    except ValueError:  # a dtype that does not divide the owner's
        return None, 0
    offset, remainder = divmod(_address(data) - _address(memory), data.itemsize)
    return (memory, offset) if remainder == 0 and 0 <= offset <= memory.size else (None, 0)


#: torch's channels-last memory formats and the number of axes each lays out (N, C, spatial... stored with C last).
CHANNELS_LAST = {"torch.channels_last": 4, "channels_last": 4, "torch.channels_last_3d": 5, "channels_last_3d": 5}
_CONTIGUOUS_FORMATS = ("torch.contiguous_format", "contiguous_format")


def _channels_last_copy(data: np.ndarray) -> np.ndarray:
    """``data`` (N, C, spatial...) copied into memory ordered N, spatial..., C (torch's channels-last strides);
    always a new array (``ascontiguousarray`` would return a channels-last ``data``'s own memory)."""
    order = (0, *range(2, data.ndim), 1)
    return data.transpose(order).copy().transpose(np.argsort(order))


def _channels_last_contiguous(data: np.ndarray, rank: int) -> bool:
    """Whether ``data`` of ``rank`` axes (N, C, spatial...) is laid out channels-last, as torch decides it: walking
    the axes C, the spatial ones from the last, N, each axis longer than 1 has the stride of the elements walked
    before it (1 for C). False for another number of axes."""
    if data.ndim != rank:
        return False
    strides = _element_strides(data)
    expected = 1
    for axis in (1, *range(rank - 1, 1, -1), 0):
        if data.shape[axis] != 1:
            if strides[axis] != expected:
                return False
            expected *= data.shape[axis]
    return True


def channels_last_copy(data: np.ndarray, memory_format: Any, op: str) -> np.ndarray:
    """``data`` copied in the channels-last ``memory_format`` (a name of :data:`CHANNELS_LAST`); a ShapeError naming
    ``op`` when ``data`` has not the number of axes that format lays out (torch's "required rank" error)."""
    name = str(memory_format)
    rank = CHANNELS_LAST[name]
    if data.ndim != rank:
        raise ShapeError(f"{op}: required rank {rank} tensor to use {name} format, got shape {data.shape}")
    return _channels_last_copy(data)


def in_memory_format(converted: Any, memory_format: Any, op: str, source: Any) -> Any:
    """``converted`` (``source`` converted to a dtype, or ``source`` itself when the dtype is its own) laid out in
    torch's ``memory_format``, for the conversions (``to``, ``float``, ``long``, ...): None or
    ``torch.preserve_format`` keeps the layout, ``torch.contiguous_format`` makes it C-contiguous,
    ``torch.channels_last`` (``channels_last_3d``) stores the (N, C, H, W) (or (N, C, D, H, W)) axes with C innermost,
    strides ``(C*H*W, 1, W*C, C)`` (a ShapeError for another number of axes). As torch's, an unconverted tensor is
    returned itself when its layout is already the one torch suggests for it (channels-last strides for a
    channels-last format, any other layout for the contiguous one); otherwise the copy is in the graph
    (d/dx = identity, recorded as ``astype`` to its own dtype)."""
    name = "torch.preserve_format" if memory_format is None else str(memory_format)
    data = converted._data
    if name in ("torch.preserve_format", "preserve_format"):
        return converted
    if name in CHANNELS_LAST:
        laid = channels_last_copy(data, name, op)
        if laid.strides == data.strides:
            return converted
    elif name in _CONTIGUOUS_FORMATS:
        suggests_channels_last = (
            data.ndim in (4, 5) and not data.flags.c_contiguous and _channels_last_copy(data).strides == data.strides
        )
        if data.flags.c_contiguous or (converted is source and not suggests_channels_last):
            return converted
        laid = np.ascontiguousarray(data)
    else:
        raise ValueError(
            f"{op}: memory_format {memory_format!r} is not available (torch.preserve_format, "
            "torch.contiguous_format, torch.channels_last or torch.channels_last_3d)"
        )
    return converted._from_op(laid, ar.astype, (converted,), {"dtype": laid.dtype})


def _is_channels_last(shape: tuple[int, ...], strides: tuple[int, ...]) -> bool:
    """torch's channels-last contiguity of a 4-D layout (N, C, H, W stored as N, H, W, C)."""
    if len(shape) != 4:
        return False
    expected = 1
    for axis in (1, 3, 2, 0):
        if shape[axis] != 1:
            if strides[axis] != expected:
                return False
            expected *= shape[axis]
    return True


def _memory_order(shape: tuple[int, ...], strides: tuple[int, ...], check: bool) -> tuple[list[int], bool]:
    """The axes from outermost to innermost in memory, as torch's ``dim_order`` sorts them (its elementwise
    output permutation), and whether the order is ambiguous (checked only if ``check``)."""

    def longer_or_equal(a: int, b: int) -> bool:
        return b == 0 or (a != 0 and (a >= b or a % b == 0))

    def should_swap(a: int, b: int) -> int:
        stride_a, stride_b = strides[a], strides[b]
        if stride_a == 0 or stride_b == 0:
            return 0
        if stride_a == stride_b:
            return 0 if longer_or_equal(shape[b], shape[a]) else 1
        return -1 if longer_or_equal(stride_b, stride_a) else 1

    order = axes_inner_first(len(shape), should_swap)  # innermost first, reversed on return
    ambiguous = check and any(should_swap(order[i], order[i + 1]) != -1 for i in range(len(shape) - 1))
    return list(reversed(order)), ambiguous


def _other_array(other: Any, op: str) -> np.ndarray:
    """The array of ``other``, a Tensor or an ndarray (TypeError naming ``op`` otherwise, as torch's)."""
    if isinstance(other, Node) and isinstance(other._data, np.ndarray):
        return other._data
    if isinstance(other, np.ndarray):
        return other
    raise TypeError(f"{op}: argument 'other' must be a Tensor, not {type(other).__name__}")


def resize_data(tensor: Any, shape: tuple[int, ...]) -> None:
    """Give ``tensor`` the shape ``shape`` (another than its own), reading its memory from where its data starts,
    in memory order; growing past the end gives it a new array that starts with the old memory, the rest zeros.
    The version is not bumped: ``resize_`` bumps it, an ``out=`` write bumps it once for the resize and the
    write together (as torch's)."""
    data = tensor._data
    memory, offset = _storage(data)
    if memory is None:
        memory, offset = data.ravel(), 0
    count = math.prod(shape)
    if offset + count > memory.size:
        grown = np.zeros(offset + count, dtype=data.dtype)
        grown[: memory.size] = memory
        memory = grown
    tensor._data = memory[offset : offset + count].reshape(shape)


def _resize_shape(sizes: tuple[Any, ...]) -> tuple[int, ...]:
    """``resize_``'s ``*sizes`` (``resize_(2, 3)`` or ``resize_((2, 3))``): non-negative ints."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    for position, size in enumerate(sizes):
        if not is_integer(size):
            raise TypeError(f"resize_: sizes must be integers, got {type(size).__name__} at position {position}")
    shape = tuple(int(size) for size in sizes)
    if any(size < 0 for size in shape):
        raise ValueError(f"resize_: Trying to create tensor with negative dimension: {list(shape)}")
    return shape


def python_numbers(results: list[Any], op: str) -> list[Any]:
    """``results`` if every one is a real number or a boolean (what a tensor can hold), else TypeError."""
    for result in results:
        if not isinstance(result, (int, float, np.integer, np.floating, np.bool_)):
            raise TypeError(f"{op}: the function must return a real number, not {type(result).__name__}")
    return results


class TorchMetadataNames:
    """Mixin of :class:`~autograd.tensor.Tensor`: torch's descriptive method names."""

    __slots__ = ()

    # -- dtype --------------------------------------------------------------------------------------
    def is_floating_point(self: Any) -> bool:
        """torch.Tensor.is_floating_point: whether the dtype is a float (float16, float32, float64)."""
        return self._data.dtype.kind == "f"

    def is_complex(self: Any) -> bool:
        """torch.Tensor.is_complex: whether the dtype is complex (never: a Tensor holds real numbers)."""
        return self._data.dtype.kind == "c"

    def is_signed(self: Any) -> bool:
        """torch.Tensor.is_signed: whether the dtype holds negative numbers (not bool, not the unsigned ints)."""
        return self._data.dtype.kind in "ifc"

    def element_size(self: Any) -> int:
        """torch.Tensor.element_size: the bytes of one element (``itemsize``)."""
        return int(self._data.itemsize)

    @property
    def itemsize(self: Any) -> int:
        """torch.Tensor.itemsize: the bytes of one element."""
        return int(self._data.itemsize)

    @property
    def nbytes(self: Any) -> int:
        """torch.Tensor.nbytes: the bytes of the elements (numel * itemsize; a view counts its own only)."""
        return int(self._data.nbytes)

    def byte(self: Self, *, memory_format: Any = None) -> Self:
        """torch.Tensor.byte: ``astype(np.uint8)`` (itself if already uint8, as torch's; no gradient)."""
        return in_memory_format(self.astype(np.uint8, copy=False), memory_format, "byte", self)  # type: ignore[attr-defined]

    def char(self: Self, *, memory_format: Any = None) -> Self:
        """torch.Tensor.char: ``astype(np.int8)`` (itself if already int8, as torch's; no gradient)."""
        return in_memory_format(self.astype(np.int8, copy=False), memory_format, "char", self)  # type: ignore[attr-defined]

    def short(self: Self, *, memory_format: Any = None) -> Self:
        """torch.Tensor.short: ``astype(np.int16)`` (itself if already int16, as torch's; no gradient)."""
        return in_memory_format(self.astype(np.int16, copy=False), memory_format, "short", self)  # type: ignore[attr-defined]

    def bfloat16(self, *, memory_format: Any = None) -> Any:
        """torch.Tensor.bfloat16: not supported (TypeError): numpy has no bfloat16."""
        raise TypeError(f"bfloat16: not supported: {_UNSUPPORTED_DTYPES['bfloat16']}")

    def cfloat(self, *, memory_format: Any = None) -> Any:
        """torch.Tensor.cfloat: not supported (TypeError): complex64 tensors are not."""
        raise TypeError(f"cfloat: not supported: {_UNSUPPORTED_DTYPES['cfloat']}")

    def cdouble(self, *, memory_format: Any = None) -> Any:
        """torch.Tensor.cdouble: not supported (TypeError): complex128 tensors are not."""
        raise TypeError(f"cdouble: not supported: {_UNSUPPORTED_DTYPES['cdouble']}")

    def chalf(self, *, memory_format: Any = None) -> Any:
        """torch.Tensor.chalf: not supported (TypeError): complex32 tensors are not."""
        raise TypeError(f"chalf: not supported: {_UNSUPPORTED_DTYPES['chalf']}")

    # -- shape --------------------------------------------------------------------------------------
    def ndimension(self: Any) -> int:
        """torch.Tensor.ndimension: the number of axes (``dim()``)."""
        return self._data.ndim

    def nelement(self: Any) -> int:
        """torch.Tensor.nelement: the number of elements (``numel()``)."""
        return self._data.size

    def is_same_size(self: Any, other: Any) -> bool:
        """torch.Tensor.is_same_size: whether ``other`` (a Tensor or an ndarray) has this tensor's shape."""
        return self._data.shape == _other_array(other, "is_same_size").shape

    def is_nonzero(self: Any) -> bool:
        """torch.Tensor.is_nonzero: whether the single element is not zero (NaN is not zero); an
        :class:`AmbiguousTruthValueError` for a tensor of no element or of several."""
        size = self._data.size
        if size != 1:
            amount = "no values" if size == 0 else "more than one value"
            raise AmbiguousTruthValueError(
                f"is_nonzero: Boolean value of Tensor with {amount} is ambiguous (shape {self.data.shape})"
            )
        return bool(self._data.item())

    # -- memory layout ------------------------------------------------------------------------------
    def is_contiguous(self: Any, *, memory_format: Any = _CONTIGUOUS_FORMAT) -> bool:
        """torch.Tensor.is_contiguous: whether the data is C-contiguous (the strides of length-1 axes do not
        count, and an empty tensor is contiguous), or with ``memory_format`` torch.channels_last (channels_last_3d)
        laid out as that format (:func:`_channels_last_contiguous`); no other ``memory_format``."""
        if str(memory_format) in CHANNELS_LAST:
            return _channels_last_contiguous(self._data, CHANNELS_LAST[str(memory_format)])
        if str(memory_format) != _CONTIGUOUS_FORMAT:
            raise ValueError(
                f"is_contiguous: only memory_format=torch.contiguous_format is supported, got {memory_format}"
            )
        return bool(self._data.flags.c_contiguous)

    def stride(self: Any, dim: int | None = None) -> Any:
        """torch.Tensor.stride: the step between neighbours along each axis, in elements (a tuple), or along
        ``dim`` (an int). A broadcast (``expand``) axis has stride 0."""
        strides = _element_strides(self._data)
        if dim is None:
            return strides
        if not is_integer(dim):
            raise TypeError(f"stride: dim must be an integer, got {type(dim).__name__}")
        if not strides:
            raise IndexError(f"stride: Dimension specified as {dim} but tensor has no dimensions")
        (axis,) = normalize_axes(dim, len(strides), "stride")
        return strides[axis]

    def storage_offset(self: Any) -> int:
        """torch.Tensor.storage_offset: where the first element is, in elements from the start of the
        memory the data lies in (the array it is a numpy view of; 0 for an array that owns its memory)."""
        return _storage(self._data)[1]

    def storage(self: Any) -> TypedStorage:
        """torch.Tensor.storage: the memory the data lies in, as a 1-D sequence of elements of its dtype that
        shares it (:mod:`autograd.storage`): a view's storage is its base's, in memory order, so
        ``points.t().storage()`` lists ``points``'s elements in their order. Refused (a RuntimeError naming
        ``contiguous()``) for an array whose memory is not one dense block (numpy's ``as_strided`` can make one)."""
        return TypedStorage(self._storage_memory("storage"), self)

    def untyped_storage(self: Any) -> UntypedStorage:
        """torch.Tensor.untyped_storage: :meth:`storage` counted in bytes."""
        return UntypedStorage(self._storage_memory("untyped_storage").view(np.uint8), self)

    def _storage_memory(self: Any, op: str) -> np.ndarray:
        memory, _ = _storage(self._data)
        if memory is None:
            raise RuntimeError(
                f"{op}: the memory of this tensor (shape {self._data.shape}, byte strides {self._data.strides}) is "
                f"not one dense block (an array whose own strides leave gaps or run backwards, as as_strided's can); "
                f"call .contiguous() first"
            )
        memory = memory.view()
        memory.flags.writeable = bool(self._data.flags.writeable)
        return memory

    def data_ptr(self: Any) -> int:
        """torch.Tensor.data_ptr: the address of the first element."""
        return _address(self._data)

    def is_set_to(self: Any, tensor: Any) -> bool:
        """torch.Tensor.is_set_to: whether ``tensor`` views the same memory from the same place with the same
        shape and strides (``x.detach()`` and ``x.view(x.shape)`` are; a copy is not)."""
        mine, theirs = self._data, _other_array(tensor, "is_set_to")
        return (
            _owner(mine) is _owner(theirs)
            and _address(mine) == _address(theirs)
            and mine.shape == theirs.shape
            and _element_strides(mine) == _element_strides(theirs)
        )

    def dim_order(self: Any, *, ambiguity_check: bool = False) -> tuple[int, ...]:
        """torch.Tensor.dim_order: the axes from outermost to innermost in memory ((0, 1, 2) when contiguous,
        (1, 0) for a transposed matrix). Length-1 axes and equal strides allow several orders: this gives
        torch's choice, or with ``ambiguity_check=True`` an :class:`AmbiguousDimOrderError` (ValueError and
        RuntimeError)."""
        if not isinstance(ambiguity_check, bool):
            raise TypeError(
                f"dim_order: ambiguity_check must be a bool (lists of memory formats are not supported), "
                f"got {type(ambiguity_check).__name__}"
            )
        shape, strides = self._data.shape, _element_strides(self._data)
        if ambiguity_check and (1 in shape or any(a == b for a, b in zip(strides, strides[1:]))):
            raise AmbiguousDimOrderError(
                f"dim_order: a tensor of shape {shape} and strides {strides} has no unique dim order"
            )
        if len(shape) < 2:
            return tuple(range(len(shape)))
        contiguous, channels_last = bool(self._data.flags.c_contiguous), _is_channels_last(shape, strides)
        if contiguous and not channels_last:
            return tuple(range(len(shape)))
        if channels_last and not contiguous:
            return (0, *range(2, len(shape)), 1)
        order, ambiguous = _memory_order(shape, strides, ambiguity_check)
        if ambiguous:
            raise AmbiguousDimOrderError(
                f"dim_order: a tensor of shape {shape} and strides {strides} has no unique dim order"
            )
        return tuple(order)

    # -- device and kind: a numpy array on the CPU, dense, not quantized ----------------------------------
    def get_device(self) -> int:
        """torch.Tensor.get_device: -1, torch's index of the CPU."""
        return -1

    @property
    def is_cpu(self) -> bool:
        """torch.Tensor.is_cpu: True (the data is a numpy array)."""
        return True

    @property
    def is_cuda(self) -> bool:
        """torch.Tensor.is_cuda: False (the data is a numpy array, on the CPU)."""
        return False

    @property
    def is_meta(self) -> bool:
        """torch.Tensor.is_meta: False (every tensor holds its data)."""
        return False

    @property
    def is_sparse(self) -> bool:
        """torch.Tensor.is_sparse: False (tensors are dense)."""
        return False

    @property
    def is_quantized(self) -> bool:
        """torch.Tensor.is_quantized: False."""
        return False

    @property
    def is_mkldnn(self) -> bool:
        """torch.Tensor.is_mkldnn: False."""
        return False

    @property
    def is_nested(self) -> bool:
        """torch.Tensor.is_nested: False."""
        return False

    @property
    def _base(self: Any) -> Any:
        """torch.Tensor._base: the tensor this one is a view of (followed through views of views to the one that
        is no view: ``x.reshape(2, 2).T._base is x``), or None when it is no view (a copy, ``detach()``, a leaf)."""
        from .tensor_in_place import _view_recipe
        from .versions import is_view

        node = self
        while is_view(node):
            _, base, _ = _view_recipe(node)
            if base is None or base._version_counter is not node._version_counter:
                break
            node = base
        return None if node is self else node

    def _is_view(self: Any) -> bool:
        """torch.Tensor._is_view: whether this tensor is a view of another (see :attr:`_base`)."""
        return self._base is not None

    def is_inference(self) -> bool:
        """torch.Tensor.is_inference: False (there is no inference mode)."""
        return False

    @property
    def output_nr(self: Any) -> int:
        """torch.Tensor.output_nr: this tensor's position among the outputs of the call that made it (0 unless
        a custom Function returned several)."""
        op = self.op
        if op is None or op.outputs is None:
            return 0
        return next((position for position, output in enumerate(op.outputs(self)) if output is self), 0)

    # -- conjugate transposes (the data is real: transposes) ------------------------------------------
    @property
    def mH(self: Self) -> Self:
        """torch.Tensor.mH: the conjugate transpose of each matrix (the last two axes swapped; ``mT``)."""
        return self._conjugate_transpose("mH")

    def adjoint(self: Self) -> Self:
        """torch.Tensor.adjoint: the conjugate transpose of each matrix (``mH``)."""
        return self._conjugate_transpose("adjoint")

    @property
    def H(self: Self) -> Self:
        """torch.Tensor.H: the conjugate transpose of a matrix (2-D only; ``mH`` for batches)."""
        ndim = self._data.ndim  # type: ignore[attr-defined]
        if ndim not in (0, 2):
            raise ShapeError(  # torch's RuntimeError (and the ValueError raised here before)
                f"H: only supported on matrices (2-D tensors), got a {ndim}-D tensor; for batches of matrices, use mH"
            )
        return self._conjugate_transpose("H")

    def _conjugate_transpose(self: Self, op: str) -> Self:
        tensor: Any = self
        if tensor._data.ndim == 0:  # torch's deprecated behaviour for 0-d tensors: the tensor itself
            warnings.warn(f"{op} is deprecated on 0-D tensors (as in torch); it returns the tensor", UserWarning, 3)
            return self
        if tensor._data.ndim == 1:
            raise ShapeError(f"{op}: only supported on matrices or batches of matrices, got a 1-D tensor")
        return tensor.swapaxes(-2, -1)

    # -- in-place changes of tensors that need no gradient ---------------------------------------------
    def apply_(self: Self, callable: Callable[[Any], Any]) -> Self:
        """torch.Tensor.apply_: replace each element x by ``callable(x)`` (a Python number in, a real number
        out, stored in the tensor's dtype), in place; returns the tensor. Slow (a Python call per element).
        Refused on a tensor that requires grad, as torch."""
        data = self._writable_for("apply_")
        values = data.ravel().tolist()
        self._store_in_place(data, python_numbers([callable(value) for value in values], "apply_"))
        return self

    def map_(self: Self, tensor: Any, callable: Callable[[Any, Any], Any]) -> Self:
        """torch.Tensor.map_: replace each element x by ``callable(x, y)``, y the matching element of ``tensor``
        (a Tensor or an ndarray of this dtype, broadcast to this shape), in place; returns the tensor. Refused
        when either requires grad, as torch."""
        data = self._writable_for("map_")
        if isinstance(tensor, Node) and tensor.requires_grad:
            raise RuntimeError("map_: Can't call map_() with a tensor that requires grad. Use tensor.detach() instead.")
        other = _other_array(tensor, "map_")
        if other.dtype != data.dtype:
            raise TypeError(
                f"map_: expected a {data.dtype} tensor (this tensor's dtype) for 'tensor', got {other.dtype}"
            )
        try:
            other = np.broadcast_to(other, data.shape)
        except ValueError:  # (a ShapeError: the ValueError it was, and torch's RuntimeError)
            raise ShapeError(
                f"map_: a tensor of shape {other.shape} cannot be broadcast to shape {data.shape}"
            ) from None
        pairs = zip(data.ravel().tolist(), other.ravel().tolist())
        self._store_in_place(data, python_numbers([callable(x, y) for x, y in pairs], "map_"))
        return self

    def _writable_for(self: Any, op: str) -> np.ndarray:
        """The array ``op`` may change in place: refused if the tensor requires grad (torch's words) or is read-only."""
        if self.requires_grad:
            raise RuntimeError(
                f"{op}: Can't call {op}() on Variable that requires grad. Use var.detach().{op}() instead."
            )
        if not self._data.flags.writeable:
            raise ValueError(f"{op}: this tensor's data is read-only (shape {self.data.shape}); clone() it first")
        return self._data

    def _store_in_place(self: Any, data: np.ndarray, values: list[Any]) -> None:
        data[...] = quietly(np.asarray(values).astype, data.dtype).reshape(data.shape)
        increment_version(self)

    def set_(self: Self, source: Any = None) -> Self:
        """torch.Tensor.set_: make the tensor hold ``source``'s data (a Tensor of its dtype: the same memory, so a
        change of either shows in both), or no data (shape ``(0,)``) without one; an in-place change of the tensor
        (its version is bumped, ``source``'s is not); returns the tensor.

        Not differentiable: refused while the graph is recorded if the tensor or ``source`` requires grad (torch
        refuses a leaf that requires grad, and gives anything else a history that cannot be backpropagated)."""
        tensor: Any = self
        if source is None:
            array = np.empty((0,), dtype=tensor.dtype)
        elif isinstance(source, Node) and hasattr(source, "_version_counter") and hasattr(source._data, "dtype"):
            if source.dtype != tensor.dtype:
                raise RuntimeError(
                    f"set_: Could not set a tensor of dtype {tensor.dtype} to a tensor of {source.dtype}"
                )
            array = source._data
        else:
            raise TypeError(f"set_: source must be a Tensor, not {type(source).__name__}")
        if is_grad_enabled() and (tensor.requires_grad or getattr(source, "requires_grad", False)):
            leaf = " (a leaf Variable that requires grad is being used in an in-place operation)"
            raise RuntimeError(
                f"set_: a Tensor that requires grad{leaf if tensor.requires_grad and tensor.is_leaf else ''} cannot "
                "take another's data while the graph is being recorded; do it inside `with no_grad():`"
            )
        tensor.data = array
        increment_version(tensor)
        return self

    @torch_keyword_names(size="sizes")
    def resize_(self: Self, *sizes: Any, memory_format: Any = _CONTIGUOUS_FORMAT) -> Self:
        """torch.Tensor.resize_: give the tensor the shape ``sizes``, in place, reading its memory from where its
        data starts, in memory order (so a contiguous tensor keeps its elements in order); returns the tensor.

        Shrinking keeps a view of that memory; growing past its end gives the tensor a new array that starts
        with the old memory, the rest zeros (torch's are uninitialised). The same shape changes nothing.
        Refused on a tensor that requires grad, as torch.
        """
        tensor: Any = self
        if tensor.requires_grad:
            raise RuntimeError("resize_: cannot resize variables that require grad")
        if str(memory_format) != _CONTIGUOUS_FORMAT:
            raise ValueError(f"resize_: only memory_format=torch.contiguous_format is supported, got {memory_format}")
        shape = _resize_shape(sizes)
        if shape != tensor._data.shape:
            resize_data(tensor, shape)
            increment_version(tensor)
        return self

    @torch_keyword_names(the_template="tensor")
    def resize_as_(self: Self, tensor: Any, memory_format: Any = _CONTIGUOUS_FORMAT) -> Self:
        """torch.Tensor.resize_as_: ``resize_(tensor.shape)`` (``tensor`` a Tensor or an ndarray)."""
        return self.resize_(_other_array(tensor, "resize_as_").shape, memory_format=memory_format)
