"""PyTorch's Tensor method names on ``Tensor``: ``x.view(3, 2)``, ``x.clamp(min=0)``, ``x.norm()``, ``x.chunk(3, dim=1)``.

Each method is an alias or a composite of recorded ops (reshape, broadcast_to, astype, clip, where,
indexing, the reductions), so its gradient comes from those ops' rules: nothing here has a derivative
of its own. Functions whose modules import ``Tensor`` (take_along_axis, flip, roll, topk, masked_fill)
are reached through the registry of :mod:`autograd.array_methods`, as the ndarray methods are.

numpy's spellings keep numpy's meaning. Where torch gives a name numpy also has another meaning, the
torch meaning is chosen by torch's spelling only (see :mod:`autograd.torch_keywords` for ``dim=``):
``max(dim=)`` returns ``(values, indices)``, ``max(axis=)`` the values; ``var(dim=)`` is unbiased,
``var(axis=)`` is not; ``squeeze(dim=)`` skips axes whose length is not 1, ``squeeze(axis)`` refuses
them. ``size`` is numpy's element count, an int that torch's calls turn into the shape (``size()``) or a
length (``size(1)``): :class:`ElementCount`. ``repeat`` stays numpy's
(torch's ``repeat`` is ``autograd.tile``), and ``split`` is torch's (sizes of the pieces; numpy's
``split`` is ``autograd.split``).
"""

from __future__ import annotations

import math
import operator
import re
import warnings
from collections.abc import Sequence
from typing import Any, TypeVar

import numpy as np

from . import devices, shared_math, tensor_in_place
from .accumulation import float16_via_float32
from .array_methods import array_function
from .broadcasting import normalize_axes, refuse_unbroadcastable
from .core import Node
from .default_dtype import real_dtype
from .deprecated_overloads import alpha_first
from .derivatives import arrays as ar
from .derivatives import elementwise as ew
from .element_count import ElementCount, Size
from .index_errors import EmptyReductionError
from .integer_scalars import integer_in
from .numpy_functions import IntegerDivisionByZeroError
from .preserved_layout import preserved_layout_copy
from .quiet import quiet, quietly
from .shape_errors import (
    ArgumentRangeError,
    DtypeKernelError,
    DtypeMismatchError,
    ShapeError,
    integer_argument,
    is_integer,
    refuse_boolean_kernel,
    refuse_negative_sizes,
    require_integer,
)
from .torch_keywords import (
    UNSET,
    ValuesAndIndices,
    all_if_empty,
    numpy_reduction,
    torch_keyword_names,
    torch_reduction,
)
from .torch_metadata_names import CHANNELS_LAST, channels_last_copy, in_memory_format
from .versions import multi_output_views

__all__ = [
    "TYPE_NAMES", "BitwiseDtypeError", "ElementCount", "TorchNames", "check_device", "check_factory_options", "is_cpu", "is_device",
    "size_argument",
]  # fmt: skip

Self = TypeVar("Self", bound="TorchNames")  # the Tensor a method is called on


def size_argument(op: str, sizes: tuple[Any, ...], size: Any) -> tuple[Any, ...]:
    """The sizes of a factory called as ``f(2, 3)``, ``f((2, 3))`` or with torch's keyword ``f(size=(2, 3))``,
    in the first two forms (``size`` is UNSET when not given); TypeError naming ``op`` if both are given."""
    if size is UNSET:
        return sizes
    if sizes:
        raise TypeError(f"{op}: got the sizes {sizes} and size={size!r}; pass one")
    return (size,)


def size_index(size: Any) -> int | None:
    """A size given to a factory as the int it is: a Python or numpy integer, or an integer Tensor of one entry
    (``zeros(n)`` with ``n = tensor(3)``, as torch takes it through ``__index__``); None for anything else (floats are
    not truncated, booleans are not sizes)."""
    if type(size) is int:
        return size
    if isinstance(size, (bool, np.bool_)) or getattr(getattr(size, "dtype", None), "kind", "") == "b":
        return None
    try:
        return operator.index(size)
    except TypeError:
        return None


def _sizes(sizes: tuple[Any, ...], op: str) -> tuple[int, ...]:
    """torch's ``*size`` arguments: ``f(2, 3)`` or ``f((2, 3))``, integers (TypeError naming ``op`` otherwise: a
    float is not truncated); an integer Tensor of one entry counts as its int, as torch's."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    indices = tuple(size_index(size) for size in sizes)
    if None in indices:
        raise TypeError(f"{op}: sizes must be integers, got {sizes!r}")
    return indices


def _tensor(names: TorchNames) -> Any:
    """``names`` as the Tensor it is (Tensor is the only class with these methods), for the type checker."""
    return names


def _extreme_axes(names: TorchNames, op: str, dim: Any) -> tuple[int, ...]:
    """``dim`` of ``amax``/``amin`` (``op``) as the axes max/min reduce, checked in ``op``'s name: an axis out of
    range or repeated, and an empty axis to reduce (an EmptyReductionError, as torch's IndexError/RuntimeError)."""
    tensor = _tensor(names)
    axes = normalize_axes(dim, tensor.ndim, op)
    tensor._check_nonempty(op, axes)
    return axes


#: torch's names of its tensor types, by dtype (``x.type()``; the types themselves:
#: :mod:`autograd.legacy_tensor_types`).
TYPE_NAMES = {
    np.dtype(np.float32): "FloatTensor",
    np.dtype(np.float64): "DoubleTensor",
    np.dtype(np.float16): "HalfTensor",
    np.dtype(np.int64): "LongTensor",
    np.dtype(np.int32): "IntTensor",
    np.dtype(np.int16): "ShortTensor",
    np.dtype(np.int8): "CharTensor",
    np.dtype(np.uint8): "ByteTensor",
    np.dtype(np.bool_): "BoolTensor",
}


#: torch's names of the CPU: "cpu", or "cpu:N" (torch accepts any index and ignores it); every array lives there.
_CPU = re.compile(r"cpu(:\d+)?")


def is_cpu(device: Any) -> bool:
    """Whether ``device`` (a string, or an object such as ``torch.device`` that prints as one) names the CPU."""
    return not isinstance(device, int) and _CPU.fullmatch(str(device)) is not None


def check_device(owner: str, device: Any) -> None:
    """Accept torch's ``device=`` when it is None or the CPU (``"cpu"``, ``"cpu:0"``, a tensor's ``.device``, a
    torch.device of the CPU); any other device is a :class:`~autograd.devices.DeviceUnavailableError` naming ``owner``
    (a function, a layer, Generator)."""
    if device is not None and not is_cpu(device):
        raise devices.DeviceUnavailableError(
            f"{owner}: device {str(device)!r} is not available; this library computes with numpy on the CPU "
            "(pass device='cpu' or leave it out)"
        )


class BitwiseDtypeError(TypeError, NotImplementedError):
    """A bitwise op (``& | ^ ~ << >>``, ``bitwise_*``) of a floating tensor: a TypeError, as the library has raised
    it, and the NotImplementedError (a RuntimeError) torch raises ("bitwise_and_cpu" not implemented for 'Float'),
    so ``except`` clauses written for either catch it."""


#: torch's type categories of dtype kinds for bitwise and logical ops beside a 0-d tensor, which takes the other's
#: dtype only within its category: signed and unsigned integers are one, bool and floats each their own (a 0-d 0.5
#: beside an integer tensor stays 0.5, true).
_BIT_CATEGORIES = {"u": "i"}

#: torch's names of the dense layout (``torch.strided`` prints as the first) and of the memory formats
#: that ask for nothing beyond a numpy array's own layout.
_STRIDED = ("torch.strided", "strided")
_PLAIN_FORMATS = ("torch.preserve_format", "preserve_format", "torch.contiguous_format", "contiguous_format")


def check_factory_options(
    op: str,
    device: Any = None,
    layout: Any = None,
    out: Any = None,
    pin_memory: bool = False,
    memory_format: Any = None,
) -> None:
    """Accept torch's factory keywords that change nothing here: ``device`` the CPU (:func:`check_device`),
    ``layout`` strided (dense arrays are all there is), ``out`` None (the result is a new tensor),
    ``pin_memory`` False (no accelerator to pin memory for), ``memory_format`` preserve or contiguous.
    Anything else is a ValueError naming ``op`` and the keyword."""
    check_device(op, device)
    if layout is not None and str(layout) not in _STRIDED:
        raise ValueError(f"{op}: layout {layout!r} is not available; tensors here are dense (torch.strided)")
    if out is not None:
        raise ValueError(f"{op}: out= is not supported; assign the returned tensor instead")
    if pin_memory:
        raise ValueError(f"{op}: pin_memory must be False; there is no accelerator to pin memory for")
    if memory_format is not None and str(memory_format) not in _PLAIN_FORMATS:
        raise ValueError(
            f"{op}: memory_format {memory_format!r} is not available (only torch.preserve_format or "
            "torch.contiguous_format)"
        )


def warn_copy_construct(spelling: str) -> None:
    """torch's UserWarning for a Tensor given as the data of a copying constructor (``spelling``:
    ``autograd.tensor``, ``tensor.new_tensor``): the copy is a new leaf cut from the source's graph, and
    ``source.detach().clone()`` says so."""
    warnings.warn(
        "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
        f"sourceTensor.detach().clone().requires_grad_(True), rather than {spelling}(sourceTensor).",
        UserWarning,
        stacklevel=3,
    )


def is_device(value: Any) -> bool:
    """A device (``"cpu"``, ``"cuda:0"``, a torch.device) rather than a dtype, for ``to`` (``Tensor.to``,
    ``nn.Module.to``)."""
    if not isinstance(value, str):
        return type(value).__name__ == "device"
    try:
        np.dtype(value)
    except TypeError:
        return True
    return False


class TorchNames:
    """torch.Tensor's method names, each an alias or a composite of recorded ops."""

    __slots__ = ()

    # -- sizes, dtypes and the device -------------------------------------------------------------
    def dim(self: Any) -> int:
        """torch.Tensor.dim: the number of axes (numpy's ``ndim``)."""
        return self._data.ndim

    def numel(self: Any) -> int:
        """torch.Tensor.numel: the number of elements (numpy's ``size``; calling it, ``size()``, gives the shape)."""
        return self._data.size

    @property
    def device(self) -> devices.device:
        """Always the CPU, ``autograd.device("cpu")`` (which equals ``"cpu"``): the data is a numpy array."""
        return devices.CPU

    def cpu(self: Self) -> Self:
        """torch.Tensor.cpu: the tensor itself (it is on the CPU)."""
        return self

    def cuda(self: Self, device: Any = None, non_blocking: bool = False) -> Self:
        """torch.Tensor.cuda: refused, there is no GPU (``autograd.cuda.is_available()`` is False)."""
        raise devices.DeviceUnavailableError(
            "cuda: there is no GPU here; this library computes with numpy on the CPU (use .cpu())"
        )

    def float(self: Self, *, memory_format: Any = None) -> Self:
        """torch.Tensor.float: ``astype(np.float32)`` (itself if already float32; differentiable).
        ``memory_format`` as :func:`in_memory_format`."""
        return in_memory_format(_tensor(self).astype(np.float32, copy=False), memory_format, "float", self)

    def double(self: Self, *, memory_format: Any = None) -> Self:
        """torch.Tensor.double: ``astype(np.float64)`` (itself if already float64; differentiable).
        ``memory_format`` as :func:`in_memory_format`."""
        return in_memory_format(_tensor(self).astype(np.float64, copy=False), memory_format, "double", self)

    def long(self: Self, *, memory_format: Any = None) -> Self:
        """torch.Tensor.long: ``astype(np.int64)`` (truncates toward zero; no gradient flows through it).
        ``memory_format`` as :func:`in_memory_format`."""
        return in_memory_format(_tensor(self).astype(np.int64, copy=False), memory_format, "long", self)

    def int(self: Self, *, memory_format: Any = None) -> Self:
        """torch.Tensor.int: ``astype(np.int32)`` (truncates toward zero; no gradient flows through it).
        ``memory_format`` as :func:`in_memory_format`."""
        return in_memory_format(_tensor(self).astype(np.int32, copy=False), memory_format, "int", self)

    def bool(self: Self, *, memory_format: Any = None) -> Self:
        """torch.Tensor.bool: ``astype(np.bool_)``, True where nonzero (no gradient flows through it).
        ``memory_format`` as :func:`in_memory_format`."""
        return in_memory_format(_tensor(self).astype(np.bool_, copy=False), memory_format, "bool", self)

    def half(self: Self, *, memory_format: Any = None) -> Self:
        """torch.Tensor.half: ``astype(np.float16)`` (itself if already float16; differentiable).
        ``memory_format`` as :func:`in_memory_format`."""
        return in_memory_format(_tensor(self).astype(np.float16, copy=False), memory_format, "half", self)

    def type(self: Self, dtype: Any = None, non_blocking: bool = False) -> Any:
        """torch.Tensor.type: with no argument the type's name (``"autograd.FloatTensor"`` for float32, as torch
        names its types); with a dtype, a legacy type (``autograd.FloatTensor``) or a type name such as
        ``"torch.DoubleTensor"``, ``to(dtype)`` (torch's ``non_blocking``, a device copy's option, changes
        nothing on the CPU); a CUDA type's name (``"torch.cuda.FloatTensor"``) is refused as :meth:`cuda` is."""
        tensor = _tensor(self)
        if dtype is None:
            return f"autograd.{TYPE_NAMES.get(tensor.data.dtype, tensor.data.dtype.name)}"
        if isinstance(dtype, type) and isinstance(getattr(dtype, "dtype", None), np.dtype):  # autograd.FloatTensor
            dtype = dtype.dtype
        if isinstance(dtype, str):
            module, _, name = dtype.rpartition(".")
            if "cuda" in module.split("."):  # "torch.cuda.FloatTensor": a GPU tensor, as x.cuda() asks
                self.cuda()
            dtypes = [key for key, value in TYPE_NAMES.items() if value == name]
            if not dtypes:
                raise ValueError(f"type: unknown tensor type {dtype!r} (expected e.g. 'torch.FloatTensor' or a dtype)")
            dtype = dtypes[0]
        return tensor.to(dtype)

    def type_as(self: Self, other: Any) -> Self:
        """torch.Tensor.type_as: converted to ``other``'s dtype (a Tensor or an ndarray)."""
        return _tensor(self).astype(np.asarray(other._data if isinstance(other, Node) else other).dtype, copy=False)

    def to(
        self: Self,
        *targets: Any,
        dtype: Any = None,
        device: Any = None,
        copy: bool = False,
        non_blocking: bool = False,
        memory_format: Any = None,
    ) -> Self:
        """torch.Tensor.to: converted to a dtype, or to the dtype of a Tensor given; a device may be named
        only if it is the CPU. Returns the tensor itself if nothing changes, unless ``copy=True``. torch's
        ``non_blocking`` changes nothing here (one device); ``memory_format`` lays the result out as
        :func:`in_memory_format`.

        ``x.to(np.float32)``, ``x.to("cpu")``, ``x.to("cpu", np.float64)``, ``x.to(other)``,
        ``x.to(dtype=..., device=...)``, and after the dtype, device or Tensor torch's positional
        ``non_blocking`` and ``copy`` (``x.to(np.float64, False, True)``). The conversion is ``astype``
        (differentiable between floats).
        """
        flags = []
        while targets and isinstance(targets[-1], bool):
            flags.insert(0, targets[-1])
            targets = targets[:-1]
        if len(flags) > 2:
            raise TypeError(f"to: takes at most two flags (non_blocking, copy) after the target, got {len(flags)}")
        if len(flags) == 2:
            copy = flags[1]
        for target in targets:
            if isinstance(target, Node):
                target = target._data.dtype
            elif is_device(target):
                device = target
                continue
            if dtype is not None:
                raise TypeError(f"to: got two dtypes, {dtype!r} and {target!r}")
            dtype = target
        if device is not None and not is_cpu(device):
            raise devices.DeviceUnavailableError(
                f"to: only the 'cpu' device exists (tensors hold numpy arrays), got {str(device)!r}"
            )
        result = self if dtype is None else _tensor(self).astype(real_dtype(dtype, "to"), copy=False)
        result = in_memory_format(result, memory_format, "to", self)
        return result.clone() if copy and result is self else result

    def clone(self: Self, *, memory_format: Any = None) -> Self:
        """torch.Tensor.clone: a copy of the data that stays in the graph (d/dx = identity; recorded as
        ``astype`` to its own dtype, numpy's ``astype(copy=True)``). torch's ``memory_format`` may be
        ``torch.preserve_format`` (the default: the copy keeps the order of the axes in memory, so a transposed
        tensor's clone is not contiguous, as torch's; :func:`preserved_layout_copy`), ``torch.contiguous_format``
        (the copy is C-contiguous), or ``torch.channels_last`` (``channels_last_3d``) for a 4-D (5-D) tensor: the
        copy stores the channels innermost, as :func:`in_memory_format` lays them out."""
        tensor = _tensor(self)
        if str(memory_format) in CHANNELS_LAST:
            data = channels_last_copy(tensor._data, memory_format, "clone")
        else:
            check_factory_options("clone", memory_format=memory_format)
            contiguous = memory_format is not None and "contiguous" in str(memory_format)
            data = tensor._data.copy() if contiguous else preserved_layout_copy(tensor._data)
        return tensor._from_op(data, ar.astype, (tensor,), {"dtype": data.dtype})

    def contiguous(self: Self, *, memory_format: Any = None) -> Self:
        """torch.Tensor.contiguous: itself if its data is C-contiguous, else a C-contiguous ``clone()``; torch's
        ``memory_format`` torch.contiguous_format (or, for a tensor that is already contiguous,
        torch.preserve_format, which torch refuses to make a copy in), or ``torch.channels_last``
        (``channels_last_3d``): itself if already laid out channels-last, else a channels-last ``clone``."""
        if str(memory_format) in CHANNELS_LAST:
            return in_memory_format(_tensor(self), memory_format, "contiguous", self)
        check_factory_options("contiguous", memory_format=memory_format)
        if _tensor(self)._data.flags.c_contiguous:
            return self
        if memory_format is not None and "preserve" in str(memory_format):
            raise ValueError("contiguous: memory_format torch.preserve_format is unsupported (as in torch)")
        return self.clone(memory_format="torch.contiguous_format")

    # -- new tensors with this one's dtype ----------------------------------------------------------
    def new_tensor(
        self: Self,
        data: Any,
        dtype: Any = None,
        requires_grad: bool = False,
        *,
        device: Any = None,
        layout: Any = None,
        pin_memory: bool = False,
    ) -> Self:
        """torch.Tensor.new_tensor: a new leaf holding a copy of ``data``, of this tensor's dtype by default (a
        Tensor's data with torch's warning, :func:`warn_copy_construct`); torch's ``device``, ``layout``,
        ``pin_memory`` as :func:`check_factory_options`."""
        check_factory_options("new_tensor", device, layout, pin_memory=pin_memory)
        if isinstance(data, type(_tensor(self))):
            warn_copy_construct("tensor.new_tensor")
        return type(_tensor(self))(data, requires_grad=requires_grad, dtype=self._dtype_or_own(dtype))

    def new(self: Self, *args: Any, device: Any = None) -> Self:
        """torch.Tensor.new, the legacy constructor of old PyTorch code (``std.data.new(std.size()).normal_()``): a
        new leaf of this tensor's dtype. ``new()`` is empty, shape (0,); ``new(2, 3)`` or ``new(x.size())`` (sizes:
        integers, or one tuple of them; a ``size()``, a :class:`~autograd.element_count.Size` as torch's
        ``torch.Size``, is a shape even when empty: ``new(x[0].size())`` of a vector is 0-d, where ``new(())`` is
        empty data) is uninitialised in torch, zeros here (as :meth:`new_empty`); ``new([1, 2])`` (a list: data) is a copy
        converted to this dtype (as :meth:`new_tensor`). ``new(t)`` of a Tensor ``t`` of the same dtype is ``t``'s
        data under a new name that keeps ``t``'s graph, as torch's alias; another dtype is a TypeError, as is a
        number, as torch's. torch's only keyword is ``device`` (the CPU)."""
        if len(args) == 1 and isinstance(args[0], Size):  # a size(), () of a 0-d tensor included
            return self._new_filled("new", tuple(args[0]), 0, None, False, device, None, False)
        if len(args) == 1 and isinstance(args[0], tuple) and all(is_integer(n) for n in args[0]):
            args = args[0]
        if all(is_integer(n) for n in args):
            return self._new_filled("new", args or (0,), 0, None, False, device, None, False)
        check_factory_options("new", device)
        if len(args) > 1:
            raise TypeError(f"new: the arguments are sizes (integers) or one sequence of data, got {args!r}")
        (data,) = args
        if isinstance(data, Node):
            if not isinstance(data, type(_tensor(self))) or data.dtype != self.dtype:
                raise TypeError(
                    f"new: a Tensor argument must have this tensor's dtype {self.dtype}, got "
                    f"{getattr(data, 'dtype', type(data).__name__)} (convert it, or use new_tensor for a copy)"
                )
            return data.view(data.shape)
        if not isinstance(data, (Sequence, np.ndarray)) or isinstance(data, (str, bytes)):
            raise TypeError(f"new: data must be a sequence (got {type(data).__name__})")
        return self.new_tensor(data)

    def new_zeros(
        self: Self,
        *sizes: Any,
        size: Any = UNSET,
        dtype: Any = None,
        requires_grad: bool = False,
        device: Any = None,
        layout: Any = None,
        pin_memory: bool = False,
    ) -> Self:
        """torch.Tensor.new_zeros: a leaf of zeros of shape ``size`` (``new_zeros(2, 3)``, ``new_zeros((2, 3))``
        or ``new_zeros(size=(2, 3))``), of this tensor's dtype by default; torch's ``device``, ``layout``,
        ``pin_memory`` as :func:`check_factory_options`."""
        sizes = size_argument("new_zeros", sizes, size)
        return self._new_filled("new_zeros", sizes, 0, dtype, requires_grad, device, layout, pin_memory)

    def new_ones(
        self: Self,
        *sizes: Any,
        size: Any = UNSET,
        dtype: Any = None,
        requires_grad: bool = False,
        device: Any = None,
        layout: Any = None,
        pin_memory: bool = False,
    ) -> Self:
        """torch.Tensor.new_ones: a leaf of ones of shape ``size``, of this tensor's dtype by default; arguments
        as :meth:`new_zeros`."""
        sizes = size_argument("new_ones", sizes, size)
        return self._new_filled("new_ones", sizes, 1, dtype, requires_grad, device, layout, pin_memory)

    def new_empty(
        self: Self,
        *sizes: Any,
        size: Any = UNSET,
        dtype: Any = None,
        requires_grad: bool = False,
        device: Any = None,
        layout: Any = None,
        pin_memory: bool = False,
    ) -> Self:
        """torch.Tensor.new_empty: a leaf of shape ``size``, of this tensor's dtype by default; torch leaves the
        values uninitialised, these are zeros. Arguments as :meth:`new_zeros`."""
        sizes = size_argument("new_empty", sizes, size)
        return self._new_filled("new_empty", sizes, 0, dtype, requires_grad, device, layout, pin_memory)

    def new_full(
        self: Self,
        size: Any,
        fill_value: Any,
        dtype: Any = None,
        requires_grad: bool = False,
        *,
        device: Any = None,
        layout: Any = None,
        pin_memory: bool = False,
    ) -> Self:
        """torch.Tensor.new_full: a leaf of shape ``size`` filled with ``fill_value``, of this tensor's dtype
        by default; torch's ``device``, ``layout``, ``pin_memory`` as :func:`check_factory_options`."""
        return self._new_filled("new_full", (size,), fill_value, dtype, requires_grad, device, layout, pin_memory)

    def _new_filled(
        self: Self,
        op: str,
        sizes: tuple[Any, ...],
        fill_value: Any,
        dtype: Any,
        requires_grad: bool,
        device: Any,
        layout: Any,
        pin_memory: bool,
    ) -> Self:
        """The leaf of the ``new_*`` method ``op``: ``fill_value`` in the shape ``sizes`` (``*size`` form)."""
        check_factory_options(op, device, layout, pin_memory=pin_memory)
        dtype = self._dtype_or_own(dtype)
        # as torch's: nan, inf or 300 in int8 refused
        fill_value = tensor_in_place.fitting_fill_value(op, fill_value, dtype)
        shape = _sizes(sizes, op)
        if any(size < 0 for size in shape):
            raise ArgumentRangeError(f"{op}: negative dimension in shape {shape}")
        data = np.full(shape, fill_value, dtype=dtype)
        return _tensor(self)._from_array(data, requires_grad, op)

    def _dtype_or_own(self, dtype: Any) -> np.dtype:
        return _tensor(self)._data.dtype if dtype is None else np.dtype(dtype)

    # -- shapes -------------------------------------------------------------------------------------
    def view(self: Self, *shape: Any, dtype: Any = None, size: Any = UNSET) -> Self:
        """torch.Tensor.view: ``reshape`` that never copies; a :class:`ShapeError` when the data's layout (after
        a transpose, say) needs a copy for ``shape`` (use ``reshape`` then). One size may be -1.

        ``view(dtype)`` reads the same bytes as another dtype (numpy's ``ndarray.view(dtype)``): a constant
        sharing the data and the version counter, as torch's (which records no gradient through it either);
        a dtype of another width changes the last axis's length, which must then be contiguous (and, for a wider
        dtype, hold whole new elements: torch's refusals, a :class:`ShapeError`). torch's keyword
        ``size=`` gives the sizes too."""
        if size is not UNSET:
            if shape:
                raise TypeError(f"view: got size={size!r} and {shape!r} by position; pass one")
            shape = (size,)
        if dtype is not None or (len(shape) == 1 and isinstance(shape[0], (type, np.dtype, str))):
            if dtype is not None and shape:
                raise TypeError(f"view: takes sizes or a dtype, not both; got {shape!r} and dtype={dtype!r}")
            return self._bytes_as(shape[0] if dtype is None else dtype)
        if any(isinstance(size, (type, np.dtype, str)) for size in shape):
            raise TypeError(f"view: takes sizes, or one dtype alone; got {shape!r}")
        data, sizes = _tensor(self)._data, _sizes(shape, "view")
        refuse_negative_sizes("view", sizes)
        try:
            viewed = data.reshape(sizes)
        except ValueError:
            raise ShapeError(f"view: cannot view a tensor of shape {data.shape} as {sizes}") from None
        if viewed.size > 1 and not np.may_share_memory(viewed, data):
            raise ShapeError(
                f"view: a tensor of shape {data.shape} and strides {_tensor(self).stride()} cannot be viewed as "
                f"{viewed.shape} without a copy; use reshape"
            )
        return _tensor(self).reshape(viewed.shape)

    def _bytes_as(self: Self, dtype: Any) -> Self:
        tensor = _tensor(self)
        target = np.dtype(dtype)
        if target.kind not in "fiub":
            raise TypeError(f"view: unsupported dtype {target} (use real numbers or booleans)")
        _check_bytes_as(tensor, target)
        try:
            viewed = tensor._data.view(target)
        except ValueError as error:
            raise ValueError(
                f"view: cannot read a {tensor.data.dtype} tensor of shape {tensor.data.shape} as {target} ({error})"
            ) from None
        result = tensor._from_array(viewed, False, "view")
        result._version_counter = tensor._shared_version()
        result._version_counter.add_holder(result, "detached")
        return result

    @property
    def mT(self: Self) -> Self:
        """torch.Tensor.mT: the last two axes swapped (a batch of transposed matrices); a 0-d tensor is itself, with
        torch's deprecation warning (as ``mH``)."""
        tensor = _tensor(self)
        if tensor.ndim == 0:
            warnings.warn("mT is deprecated on 0-D tensors (as in torch); it returns the tensor", UserWarning, 2)
            return self
        if tensor.ndim < 2:
            raise ShapeError(f"mT: needs at least 2 dimensions, got shape {tensor.shape}")
        return tensor.swapaxes(-2, -1)

    def t(self: Self) -> Self:
        """torch.Tensor.t: a matrix transposed (0-D and 1-D tensors as they are)."""
        tensor = _tensor(self)
        if tensor.ndim > 2:
            raise ShapeError(
                f"t: expects a tensor of at most 2 dimensions, got shape {tensor.shape}; use mT or swapaxes"
            )
        return tensor.T if tensor.ndim == 2 else tensor

    def mm(self: Self, mat2: Any) -> Self:
        """torch.Tensor.mm: the product of two matrices (2-D only; ``matmul`` broadcasts)."""
        return self._checked_matmul(mat2, "mm", 2)

    @torch_keyword_names(mat2="other")
    def bmm(self: Self, other: Any) -> Self:
        """torch.Tensor.bmm: batched matrix products of two 3-D tensors of one batch size (``matmul`` broadcasts)."""
        return self._checked_matmul(other, "bmm", 3)

    def _checked_matmul(self: Self, other: Any, op: str, ndim: int) -> Self:
        shapes = (np.shape(_tensor(self)._data), np.shape(other._data if isinstance(other, Node) else other))
        if any(len(shape) != ndim for shape in shapes):
            raise ShapeError(f"{op}: expects two {ndim}-D tensors, got shapes {shapes[0]} and {shapes[1]}")
        if shapes[0][:-2] != shapes[1][:-2]:  # torch's bmm does not broadcast a batch of one
            raise ShapeError(f"{op}: batch sizes differ, got shapes {shapes[0]} and {shapes[1]}")
        return _tensor(self) @ other

    def expand_as(self: Self, other: Any) -> Self:
        """torch.Tensor.expand_as: ``expand(other.shape)``."""
        return self.expand(np.shape(other._data if isinstance(other, Node) else other))

    def view_as(self: Self, other: Any) -> Self:
        """torch.Tensor.view_as: ``reshape(other.shape)``."""
        return _tensor(self).reshape(np.shape(other._data if isinstance(other, Node) else other))

    reshape_as = view_as

    @torch_keyword_names(size="sizes")
    def expand(self: Self, *sizes: Any) -> Self:
        """torch.Tensor.expand: ``broadcast_to`` the shape ``sizes``, where -1 keeps an axis's length and new
        axes go in front; only length-1 axes stretch. d/dx sums g over the copies."""
        if not sizes:  # torch's TypeError (expand(()) of a 0-d tensor is a size, and allowed)
            raise TypeError("expand() missing 1 required positional argument: 'size'")
        sizes, shape = _sizes(sizes, "expand"), _tensor(self)._data.shape
        added = len(sizes) - len(shape)
        if added < 0:
            raise ShapeError(f"expand: {len(sizes)} sizes {sizes} for a tensor of {len(shape)} dimensions {shape}")
        target = []
        for position, size in enumerate(sizes):
            own = shape[position - added] if position >= added else None
            if size < -1:
                raise ShapeError(f"expand: invalid size {size} at position {position} of {sizes} for shape {shape}")
            if size == -1 and own is None:
                raise ShapeError(f"expand: -1 is not allowed for the new leading dimension {position} in {sizes}")
            if own is not None and size not in (-1, own) and own != 1:
                raise ShapeError(
                    f"expand: dimension {position - added} of shape {shape} has length {own}, which cannot "
                    f"expand to {size} (only length-1 dimensions expand)"
                )
            target.append(own if size == -1 else size)
        return _tensor(self).broadcast_to(tuple(target))

    def flip(self: Self, dims: int | Sequence[int] | None = None, *more_dims: int) -> Self:
        """torch.Tensor.flip: entries reversed along ``dims`` (``x.flip(0)``, ``x.flip((0, 1))`` or
        ``x.flip(0, 1)``; all axes if none, as numpy.flip). d/dx flips g back."""
        return array_function("flip")(self, (dims, *more_dims) if more_dims else dims)

    def roll(self: Self, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None) -> Self:
        """torch.Tensor.roll: entries shifted cyclically by ``shifts`` along ``dims`` (of the flattened
        tensor if None), as numpy.roll. d/dx rolls g back. As torch's, one shift per dim: a single shift with
        several dims (numpy's broadcast, ``np.roll(a, 1, axis=(0, 1))``) is a :class:`ShapeError`, and no dims,
        ``dims=()``, rolls the flattened tensor (numpy's empty axis tuple rolled nothing)."""
        several = isinstance(dims, (tuple, list)) and len(dims) > 1
        if several and not isinstance(shifts, (tuple, list, np.ndarray)):
            raise ShapeError(f"roll: shifts and dims must align, got shifts {shifts!r} for dims {tuple(dims)!r}")
        if isinstance(dims, (tuple, list)) and not dims:  # torch's empty dims: the flattened tensor, as None
            dims = None
        return array_function("roll")(self, shifts, dims)

    def split(
        self: Self, split_size_or_sections: int | Sequence[int] = UNSET, dim: int = 0, *, split_size: Any = UNSET
    ) -> tuple[Self, ...]:
        """torch.Tensor.split: pieces of ``split_size_or_sections`` entries along ``dim`` (the last one
        shorter if the length does not divide), or of the listed sizes, which must add up to the length.

        This is torch's meaning; numpy's split (a number of equal pieces, or the split indices) is
        ``autograd.split``. Each piece is a slice: d/dx puts each piece's g in its window. ``split_size=`` is
        the method's keyword in torch.
        """
        if (split_size is UNSET) == (split_size_or_sections is UNSET):
            raise TypeError("split: give split_size_or_sections (or torch's keyword split_size=), exactly once")
        if split_size is not UNSET:
            split_size_or_sections = split_size
        tensor, (length, axis) = _tensor(self), self._length_along(dim, "split")
        sections: Any = integer_argument(split_size_or_sections)
        if is_integer(sections):
            size = int(sections)
            if size < 0 or (size == 0 and length):
                raise ArgumentRangeError(
                    f"split: split_size must be positive, got {size} (length {length} along dim {dim})"
                )
            full, rest = divmod(length, size) if size else (0, 0)
            sizes = [size] * full + ([rest] if rest else []) or [0]  # an empty axis gives one empty piece, as torch
        else:
            sizes = list(sections) if isinstance(sections, (list, tuple)) else [None]
            if not all(is_integer(size) for size in sizes):  # torch's TypeError (a float size was truncated)
                raise TypeError(
                    f"split: split_size_or_sections must be an integer or a list of integers, got {sections!r}"
                )
            sizes = [int(size) for size in sizes]
            if any(size < 0 for size in sizes) or sum(sizes) != length:
                raise ShapeError(
                    f"split: sizes {sizes} must be non-negative and add up to {length}, the length of dim {dim} "
                    f"of shape {tensor.shape}"
                )
        bounds = np.cumsum([0, *sizes]).tolist()
        lead = (slice(None),) * axis
        pieces = tuple(tensor[lead + (slice(start, stop),)] for start, stop in zip(bounds[:-1], bounds[1:]))
        return multi_output_views(pieces, "split")  # refused a recorded in-place change, as torch's

    def chunk(self: Self, chunks: int, dim: int = 0) -> tuple[Self, ...]:
        """torch.Tensor.chunk: at most ``chunks`` pieces along ``dim``, each ceil(length / chunks) long but
        the last (so there may be fewer pieces); ``chunks`` empty pieces for an empty axis, as torch."""
        chunks = require_integer("chunk", "chunks", chunks)
        if chunks <= 0:
            raise ArgumentRangeError(f"chunk: chunks must be a positive integer, got {chunks!r}")
        length, _ = self._length_along(dim, "chunk")
        return self.split(-(-length // chunks) if length else [0] * int(chunks), dim)

    def _length_along(self, dim: int, op: str) -> tuple[int, int]:
        shape = _tensor(self)._data.shape
        if not shape:
            raise ShapeError(f"{op}: needs a tensor of at least 1 dimension, got a 0-d tensor")
        if not is_integer(dim):
            raise TypeError(f"{op}: dim must be an integer, got {dim!r}")
        (axis,) = normalize_axes(dim, len(shape), op)
        return shape[axis], axis

    # -- elementwise --------------------------------------------------------------------------------
    def add(self: Self, other: Any, *deprecated: Any, alpha: Any = 1) -> Self:
        """torch.Tensor.add: ``self + alpha * other``; d/dx = 1, d/dother = alpha (torch's deprecated
        ``add(alpha, other)`` too)."""
        if deprecated:
            other, alpha = alpha_first("add", other, deprecated, alpha)
        tensor_in_place.check_alpha("add", self, other, alpha)
        return self + (other if alpha == 1 else _times_alpha(self, other, alpha))

    def sub(self: Self, other: Any, *deprecated: Any, alpha: Any = 1) -> Self:
        """torch.Tensor.sub (alias subtract): ``self - alpha * other``; d/dx = 1, d/dother = -alpha (torch's
        deprecated ``sub(alpha, other)`` too)."""
        if deprecated:
            other, alpha = alpha_first("sub", other, deprecated, alpha)
        tensor_in_place.refuse_bool_subtraction("sub", _tensor(self), other)
        tensor_in_place.check_alpha("sub", self, other, alpha)
        return self - (other if alpha == 1 else _times_alpha(self, other, alpha))

    def mul(self: Self, other: Any) -> Self:
        """torch.Tensor.mul (alias multiply): ``self * other``; d/dx = other, d/dother = x."""
        return self * other

    def div(self: Self, other: Any, *, rounding_mode: str | None = None) -> Self:
        """torch.Tensor.div (alias true_divide): ``self / other``; d/dx = 1/other, d/dother = -x/other^2.

        ``rounding_mode="floor"``/``"trunc"`` round the quotient (a step function: zero gradient); of two integer
        (or boolean) operands, in integer arithmetic with an integer result, as torch (floor division, or C's
        truncating one).
        """
        if rounding_mode not in (None, "floor", "trunc"):  # torch's RuntimeError (and the library's ValueError)
            raise ArgumentRangeError(f"div: rounding_mode must be None, 'floor' or 'trunc', got {rounding_mode!r}")
        other_dtype = other.dtype if isinstance(other, Node) else np.asarray(other).dtype
        if rounding_mode in ("floor", "trunc") and _tensor(self).dtype.kind in "iub" and other_dtype.kind in "iub":
            try:
                floored = self // other
            except IntegerDivisionByZeroError:  # (it named floor_divide, which the caller did not write)
                raise IntegerDivisionByZeroError(
                    f"div (rounding_mode={rounding_mode!r}): ZeroDivisionError (an integer divisor is 0)"
                ) from None
            if rounding_mode == "floor":
                return floored
            inexact_negative = ((self % other) != 0) & ((self < 0) ^ (np.asarray(0) > other))
            return floored + inexact_negative.astype(floored.dtype)
        if rounding_mode is None:
            return self / other
        # of floats, torch's: floor division (as // and Python's: 1.0 // 0.1 is 9, where floor(1.0 / 0.1) is 10), or
        # trunc of the true quotient; both flat, so their gradients are 0 everywhere (also where y is 0)
        if rounding_mode == "floor":
            return self // other
        return _tensor(self)._trunc_divide(other)

    subtract = sub
    multiply = mul
    true_divide = div

    def neg(self: Self) -> Self:
        """torch.Tensor.neg: ``-self``; d/dx = -1."""
        return -self

    negative = neg

    def absolute(self: Self) -> Self:
        """torch.Tensor.absolute: ``abs``."""
        return _tensor(self).abs()

    def sgn(self: Self) -> Self:
        """torch.Tensor.sgn: ``sign`` (zero gradient)."""
        return _tensor(self).sign()

    def remainder(self: Self, other: Any) -> Self:
        """torch.Tensor.remainder: ``self % other``, the sign of ``other`` (Python's and numpy's mod)."""
        return _tensor(self) % other

    def frac(self: Self) -> Self:
        """torch.Tensor.frac: x - trunc(x), the sign of x; d/dx = 1. An integer or boolean tensor is a
        :class:`DtypeKernelError` (torch's NotImplementedError: "frac_cpu" not implemented for 'Long')."""
        dtype = _tensor(self)._data.dtype
        if dtype.kind in "biu":
            raise DtypeKernelError(f"frac: not implemented for an integer or boolean tensor (dtype {dtype})")
        return self - _tensor(self).trunc()

    # -- bitwise and logical: constants (no gradient), as torch's ------------------------------------------------
    def _bits(self: Self, other: Any, ufunc: np.ufunc, op: str, reflected: bool = False) -> Self:
        """``ufunc(self, other)`` as a constant Tensor (integer or boolean inputs for the bitwise ufuncs). A Python or
        numpy integer beside an integer tensor is a number of its dtype, wrapped into it as torch's (``uint8 ^ -1``
        is ``uint8 ^ 255``, ``int8 & np.int64(2)`` is int8: :func:`~autograd.integer_scalars.integer_in`)."""
        a = _tensor(self)._data
        if isinstance(other, np.integer):  # the number it holds: weak, as torch takes it (and as in arithmetic)
            other = other.item()
        b = other._data if isinstance(other, Node) else other if isinstance(other, (int, float)) else np.asarray(other)
        if isinstance(other, Node) and _BIT_CATEGORIES.get(b.dtype.kind, b.dtype.kind) == _BIT_CATEGORIES.get(
            a.dtype.kind, a.dtype.kind
        ):  # a 0-d tensor of the same category acts as a number (torch's), on either side: int8 & t(3) is int8
            if b.ndim == 0 < a.ndim:
                b = b.astype(a.dtype)
            elif a.ndim == 0 < b.ndim:
                a = a.astype(b.dtype)
        if type(b) is int and a.dtype.kind in "iu":
            wrapped = integer_in(b, a.dtype)  # (beyond 64 bits: numpy's own error)
            b = np.asarray(b) if wrapped is None else wrapped
        if reflected:  # a Python number stays as it is, so int32 & 0x1337 is int32 (numpy's and torch's rule)
            a, b = b, a
        try:
            result = np.asarray(ufunc(a, b) if ufunc.nin == 2 else ufunc(a))
        except ValueError:
            refuse_unbroadcastable(op, a, b)
            raise
        except TypeError:
            dtypes = f"{np.asarray(a).dtype} and {np.asarray(b).dtype}" if ufunc.nin == 2 else f"{a.dtype}"
            raise BitwiseDtypeError(f"{op}: needs integer or boolean tensors, got dtypes {dtypes}") from None
        refuse_boolean_kernel(op, a, b, result)  # (shifts of booleans)
        return _tensor(self)._from_array(result, False, op)

    def __and__(self: Self, other: Any) -> Self:
        return self._bits(other, np.bitwise_and, "bitwise_and")

    def __rand__(self: Self, other: Any) -> Self:
        return self._bits(other, np.bitwise_and, "bitwise_and", reflected=True)

    def __or__(self: Self, other: Any) -> Self:
        return self._bits(other, np.bitwise_or, "bitwise_or")

    def __ror__(self: Self, other: Any) -> Self:
        return self._bits(other, np.bitwise_or, "bitwise_or", reflected=True)

    def __xor__(self: Self, other: Any) -> Self:
        return self._bits(other, np.bitwise_xor, "bitwise_xor")

    def __rxor__(self: Self, other: Any) -> Self:
        return self._bits(other, np.bitwise_xor, "bitwise_xor", reflected=True)

    def __lshift__(self: Self, other: Any) -> Self:
        return self._bits(other, np.left_shift, "left_shift")

    def __rlshift__(self: Self, other: Any) -> Self:
        return self._bits(other, np.left_shift, "left_shift", reflected=True)

    def __rshift__(self: Self, other: Any) -> Self:
        return self._bits(other, np.right_shift, "right_shift")

    def __rrshift__(self: Self, other: Any) -> Self:
        return self._bits(other, np.right_shift, "right_shift", reflected=True)

    def __invert__(self: Self) -> Self:
        return self._bits(None, np.invert, "bitwise_not")

    bitwise_and, bitwise_or, bitwise_xor, bitwise_not = __and__, __or__, __xor__, __invert__
    bitwise_left_shift, bitwise_right_shift = __lshift__, __rshift__

    def logical_and(self: Self, other: Any) -> Self:
        """torch.Tensor.logical_and: a boolean Tensor, True where both are non-zero (any dtype; no gradient)."""
        return self._bits(other, np.logical_and, "logical_and")

    def logical_or(self: Self, other: Any) -> Self:
        """torch.Tensor.logical_or: a boolean Tensor, True where either is non-zero."""
        return self._bits(other, np.logical_or, "logical_or")

    def logical_xor(self: Self, other: Any) -> Self:
        """torch.Tensor.logical_xor: a boolean Tensor, True where exactly one is non-zero."""
        return self._bits(other, np.logical_xor, "logical_xor")

    def logical_not(self: Self) -> Self:
        """torch.Tensor.logical_not: a boolean Tensor, True where the entry is zero."""
        return self._bits(None, np.logical_not, "logical_not")

    # -- comparisons: boolean Tensors outside the graph, as the operators -----------------------------
    def eq(self, other: Any) -> Any:
        """torch.Tensor.eq: ``self == other`` (a boolean Tensor, no gradient)."""
        return _tensor(self) == other

    def ne(self, other: Any) -> Any:
        """torch.Tensor.ne: ``self != other`` (a boolean Tensor, no gradient)."""
        return _tensor(self) != other

    def lt(self, other: Any) -> Any:
        """torch.Tensor.lt: ``self < other`` (a boolean Tensor, no gradient)."""
        return _tensor(self) < other

    def le(self, other: Any) -> Any:
        """torch.Tensor.le: ``self <= other`` (a boolean Tensor, no gradient)."""
        return _tensor(self) <= other

    def gt(self, other: Any) -> Any:
        """torch.Tensor.gt: ``self > other`` (a boolean Tensor, no gradient)."""
        return _tensor(self) > other

    def ge(self, other: Any) -> Any:
        """torch.Tensor.ge: ``self >= other`` (a boolean Tensor, no gradient)."""
        return _tensor(self) >= other

    greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne

    def isclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Any:
        """torch.Tensor.isclose: |self - other| <= atol + rtol |other| entrywise (a boolean Tensor, as the
        comparisons); infinities are close to themselves, NaN only with ``equal_nan``. A negative ``rtol`` or
        ``atol`` is an :class:`ArgumentRangeError` (torch's RuntimeError); a Tensor ``other`` of another dtype is a
        :class:`DtypeMismatchError` (torch's RuntimeError "Float did not match Double"; numpy's np.isclose of the data
        promotes)."""
        for name, tolerance in (("rtol", rtol), ("atol", atol)):
            if tolerance < 0:
                raise ArgumentRangeError(f"isclose: {name} must be greater than or equal to zero, got {tolerance}")
        tensor = _tensor(self)
        if isinstance(other, Node) and other._data.dtype != tensor._data.dtype:
            raise DtypeMismatchError(
                f"isclose: the tensors must have one dtype, got {tensor._data.dtype} and {other._data.dtype}"
            )
        other = other._data if isinstance(other, Node) else other
        refuse_unbroadcastable("isclose", tensor._data, other)
        close = quietly(np.isclose, tensor._data, other, rtol=rtol, atol=atol, equal_nan=equal_nan)  # (1e39, float16)
        return type(tensor)._make(np.asarray(close))

    def allclose(self, other: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
        """torch.Tensor.allclose: whether ``isclose`` holds for every entry."""
        return bool(np.all(self.isclose(other, rtol, atol, equal_nan)._data))

    def equal(self, other: Any) -> bool:
        """torch.Tensor.equal: whether ``other`` has the same shape and the same entries (NaN equals nothing)."""
        mine, theirs = _tensor(self)._data, np.asarray(other._data if isinstance(other, Node) else other)
        return mine.shape == theirs.shape and bool(np.all(mine == theirs))

    def count_nonzero(self: Self, dim: Any = None) -> Self:
        """torch.Tensor.count_nonzero: the number of non-zero entries (along ``dim``, an int or a tuple; an empty
        tuple counts them all, as torch's), an int64 Tensor outside the graph."""
        tensor = _tensor(self)
        data = tensor._data
        dim = all_if_empty(dim)
        axes = None if dim is None else normalize_axes(dim, data.ndim, "count_nonzero")
        return type(tensor)._make(np.asarray(np.count_nonzero(data, axis=axes), dtype=np.int64))

    # -- products ------------------------------------------------------------------------------------
    def mv(self: Self, vec: Any) -> Self:
        """torch.Tensor.mv: a matrix times a vector (2-D @ 1-D only)."""
        shapes = (np.shape(_tensor(self)._data), np.shape(vec._data if isinstance(vec, Node) else vec))
        if len(shapes[0]) != 2 or len(shapes[1]) != 1:
            raise ShapeError(f"mv: expects a 2-D and a 1-D tensor, got shapes {shapes[0]} and {shapes[1]}")
        return _tensor(self) @ vec

    def outer(self: Self, vec2: Any) -> Self:
        """torch.Tensor.outer: out[i, j] = self[i] vec2[j] of two vectors (numpy's ``np.outer`` flattens other
        shapes; torch's method refuses them); see autograd.outer."""
        shapes = (np.shape(_tensor(self)._data), np.shape(vec2._data if isinstance(vec2, Node) else vec2))
        for name, shape in zip(("self", "vec2"), shapes):
            if len(shape) != 1:
                raise ShapeError(f"outer: expected 1-D argument {name}, but got {len(shape)}-D (shape {shape})")
        return array_function("outer")(self, vec2)

    def inner(self: Self, other: Any) -> Self:
        """torch.Tensor.inner: the sum over the last axes of both; see autograd.inner."""
        return array_function("inner")(self, other)

    def clamp_min(self: Self, min: Any) -> Self:
        """torch.Tensor.clamp_min: ``clip(min, None)``, entries raised to at least ``min``."""
        return _tensor(self).clip(min, None)

    def clamp_max(self: Self, max: Any) -> Self:
        """torch.Tensor.clamp_max: ``clip(None, max)``, entries lowered to at most ``max``."""
        return _tensor(self).clip(None, max)

    def pow(self: Self, exponent: Any) -> Self:
        """torch.Tensor.pow: ``self ** exponent``; d/dx = exponent x^(exponent - 1), d/dexponent = x^e log x."""
        return self**exponent

    @float16_via_float32
    def rsqrt(self: Self) -> Self:
        """torch.Tensor.rsqrt: 1 / sqrt(x); d/dx = -x^(-3/2) / 2."""
        return _tensor(self).sqrt().reciprocal()

    @float16_via_float32
    def lerp(self: Self, end: Any, weight: Any) -> Self:
        """torch.Tensor.lerp: x + weight (end - x) (exactly ``end`` at weight 1, as torch's); d/dx = 1 - weight,
        d/dend = weight, d/dweight = end - x."""
        shapes = [np.shape(value._data if isinstance(value, Node) else value) for value in (self, end, weight)]
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            raise ShapeError(
                f"lerp: shapes {shapes[0]}, {shapes[1]} and {shapes[2]} (self, end, weight) do not broadcast"
            ) from None
        # torch refuses integers; end - self in floats does not wrap (uint8 0 - 255)
        return tensor_in_place.lerp(shared_math.floating(self), end, weight)

    def where(self: Self, condition: Any, other: Any) -> Self:
        """torch.Tensor.where: ``self`` where ``condition`` else ``other`` (``autograd.where(condition, self,
        other)``); the gradient goes to the chosen entries."""
        return _tensor(self)._where(condition, self, other)

    def masked_fill(self: Self, mask: Any, value: Any) -> Self:
        """torch.Tensor.masked_fill: ``value`` where the boolean ``mask`` is True; see autograd.masked_fill."""
        return array_function("masked_fill")(self, mask, value)

    # -- reductions ---------------------------------------------------------------------------------
    def norm(self: Self, p: Any = "fro", dim: Any = None, keepdim: bool = False, dtype: Any = None) -> Self:
        """torch.Tensor.norm: the vector p-norm (sum |x|^p)^(1/p) over ``dim`` (all entries if None).

        ``p`` is a real number, ``inf``/``-inf`` (max/min |x|, ties sharing the gradient), 0 (the count of
        non-zeros, nan included, zero gradient), ``"fro"`` (default) or None (both: 2, as torch) or ``"nuc"`` (the
        nuclear norm of the matrices in ``dim``, the last two axes by default, as autograd.linalg.norm's). d/dx =
        x |x|^(p-2) / norm^(p-1), taken as 0 where the norm is 0 and, for p < 1, where x is 0 (the slope of |x|^p is
        infinite there), as torch: the numbers are autograd.linalg.vector_norm's. ``dtype`` (torch's) converts the
        tensor first (differentiably). A 0-d tensor ``p`` is the number it holds (torch's Scalar argument).
        """
        if isinstance(p, Node) and p.ndim == 0:  # torch's Scalar p: a 0-d tensor is the number it holds
            p = p.item()
        if dtype is not None:
            return _tensor(self).astype(real_dtype(dtype, "norm")).norm(p, dim, keepdim)
        if p == "nuc":  # the sum of the singular values of the matrices in dim (the last two axes by default)
            axes = (-2, -1) if dim is None else dim  # one axis: the vector norm's ValueError for 'nuc'
            return np.linalg.norm(self, "nuc", axis=axes, keepdims=keepdim)  # autograd.linalg.norm's
        if p is None or isinstance(p, str):  # None, as torch's: the 2-norm
            if p not in (None, "fro"):
                raise ValueError(f"norm: p must be a number, 'fro' or 'nuc', got {p!r}")
            p = 2
        elif not isinstance(p, (int, float, np.integer, np.floating)) or isinstance(p, bool):
            raise TypeError(f"norm: p must be a number, 'fro' or 'nuc', got {type(p).__name__}")
        axes = all_if_empty(dim)  # torch's empty dim: every axis (numpy's axis=() would reduce none)
        axes = tuple(axes) if isinstance(axes, list) else axes
        return np.linalg.vector_norm(self, ord=p, axis=axes, keepdims=keepdim)  # autograd.linalg.vector_norm's

    def logcumsumexp(self: Self, dim: int) -> Self:
        """torch.Tensor.logcumsumexp: log of the running sum of e^x along ``dim``; see autograd.logcumsumexp."""
        return array_function("logcumsumexp")(self, dim)

    def cummax(self, dim: int) -> ValuesAndIndices:
        """torch.Tensor.cummax: ``(values, indices)`` of the running maximum along ``dim``; see autograd.cummax."""
        return array_function("cummax")(self, dim)

    def cummin(self, dim: int) -> ValuesAndIndices:
        """torch.Tensor.cummin: ``(values, indices)`` of the running minimum along ``dim``; see autograd.cummin."""
        return array_function("cummin")(self, dim)

    def amax(self: Self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool = False) -> Self:
        """torch.Tensor.amax: the maximum over ``dim`` (an int or a tuple; all if None; numpy's ``axis``/``keepdims``
        too); tied maxima share the gradient evenly (``max(axis=)``)."""
        dim, keepdim = numpy_reduction("amax", dim, keepdim, axis, keepdims)
        return _tensor(self).max(axis=_extreme_axes(self, "amax", dim), keepdims=keepdim)

    def amin(self: Self, dim: Any = None, keepdim: bool = False, *, axis: Any = None, keepdims: bool = False) -> Self:
        """torch.Tensor.amin: the minimum over ``dim`` (numpy's ``axis``/``keepdims`` too); tied minima share the
        gradient evenly (``min(axis=)``)."""
        dim, keepdim = numpy_reduction("amin", dim, keepdim, axis, keepdims)
        return _tensor(self).min(axis=_extreme_axes(self, "amin", dim), keepdims=keepdim)

    def all(self, axis: Any = None, keepdims: bool = False, *, dim: Any = UNSET, keepdim: Any = UNSET) -> Any:
        """ndarray.all / torch.Tensor.all: whether every entry (along ``axis``/``dim``) is non-zero, as a
        boolean Tensor (uint8 for a uint8 input, as torch's; no gradient); an empty ``dim`` reduces no axis, as torch's
        (sum's reduces them all)."""
        return self._test_reduction(np.all, "all", axis, keepdims, dim, keepdim)

    def any(self, axis: Any = None, keepdims: bool = False, *, dim: Any = UNSET, keepdim: Any = UNSET) -> Any:
        """ndarray.any / torch.Tensor.any: whether some entry (along ``axis``/``dim``) is non-zero, as a
        boolean Tensor (uint8 for a uint8 input, as torch's; no gradient); an empty ``dim`` reduces no axis, as
        torch's."""
        return self._test_reduction(np.any, "any", axis, keepdims, dim, keepdim)

    def _test_reduction(self, test: Any, op: str, axis: Any, keepdims: bool, dim: Any, keepdim: Any) -> Any:
        # torch's all/any read an empty dim as no axis at all (unlike its sum's every axis), as numpy's axis=()
        empty_dim = isinstance(dim, (tuple, list)) and not dim
        axis, keepdims = torch_reduction(op, axis, keepdims, dim, keepdim)
        axis = () if empty_dim else axis
        tensor = _tensor(self)
        data = tensor._data
        result = np.asarray(test(data, axis=normalize_axes(axis, data.ndim, op), keepdims=keepdims))
        # torch keeps uint8 for a uint8 input (its legacy boolean dtype); every other dtype gives bool
        return type(tensor)._make(result.astype(np.uint8) if data.dtype == np.uint8 else result)

    def topk(self: Self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> ValuesAndIndices:
        """torch.Tensor.topk: ``(values, indices)`` of the k largest (smallest) entries along ``dim``; see
        autograd.topk (the gradient goes to the chosen entries)."""
        return ValuesAndIndices(*array_function("topk")(self, k, dim, largest, sorted))

    def _extremum_with_index(self, op: str, dim: Any, keepdim: bool) -> ValuesAndIndices:
        """torch's ``max(dim=)``/``min(dim=)``: the values and int64 indices of the first extremum (or nan)
        along ``dim``. The values are gathered at those indices, so a tie sends the gradient to the
        returned index only, as torch (``max(axis=)`` splits it between the tied entries)."""
        if not is_integer(dim):
            raise TypeError(f"{op}: dim must be an integer (torch's {op}(dim=) reduces one axis), got {dim!r}")
        tensor: Any = self
        if tensor.ndim == 0:  # torch's scalars take dim 0 or -1 only: an AxisError (torch's IndexError) for others
            normalize_axes(dim, 0, op)
            values, indices = tensor.reshape(1)._extremum_with_index(op, 0, keepdim)
            return ValuesAndIndices(values.reshape(()), indices.reshape(()))
        (axis,) = normalize_axes(dim, tensor.ndim, op)
        if tensor.shape[axis] == 0:
            raise EmptyReductionError(f"{op}: dim {dim} of shape {tensor.shape} is empty, so it has no {op}")
        indices = (np.argmax if op == "max" else np.argmin)(tensor._data, axis=axis, keepdims=True).astype(np.int64)
        values = array_function("take_along_axis")(tensor, indices, axis)
        if not keepdim:
            values, indices = values.squeeze(axis), indices.squeeze(axis)
        return ValuesAndIndices(values, type(tensor)._make(indices))


def _times_alpha(first: Any, other: Any, alpha: Any) -> Any:
    """``alpha * other`` for add's and sub's ``alpha`` (``first + alpha * other``), in the dtype torch computes it:
    the number alpha takes no part in promotion (an integer tensor beside a float32 ``first`` is scaled in
    float32, an int16 one by ``np.int64(3)`` stays int16, two bools take alpha as a bool). Of a floating Tensor and
    a real number, one ``scaled`` node keeping alpha as an attribute (so nothing is saved, as torch's); anything
    else as ``other * alpha``."""
    if isinstance(alpha, np.generic):
        alpha = alpha.item()  # a Python number: weak, as torch's Scalar alpha
    if not isinstance(alpha, Node):
        dtype = _tensor(first)._data.dtype
        if type(other) is int and type(alpha) is int and dtype.kind in "iu":  # in the dtype, wrapped, as torch's
            return integer_in(other * alpha % (1 << 64), dtype)
        kind = np.asarray(other._data if isinstance(other, Node) else other).dtype.kind
        category = tensor_in_place._CATEGORY
        if dtype.kind == kind == "b":
            alpha = bool(alpha)
            if not isinstance(other, Node):  # (Python's True * True is the int 1)
                return np.logical_and(other, alpha)
        elif isinstance(other, Node) and category.get(kind, 3) < category.get(dtype.kind, 3):
            other = _tensor(other).astype(dtype)  # (first's dtype is the common one)
    tensor = _tensor(other) if isinstance(other, Node) else None
    if (
        tensor is None
        or tensor._data.dtype.kind != "f"
        or isinstance(alpha, (bool, np.bool_))
        or not isinstance(alpha, (int, float, np.integer, np.floating))
    ):
        return other * alpha
    dtype = tensor._data.dtype
    with quiet():  # an infinite alpha times 0 is nan, as torch's, without numpy's warning
        scale = dtype.type(alpha)
        if np.isinf(scale) and math.isfinite(alpha):  # torch's RuntimeError: 1e39 is no float32
            raise ArgumentRangeError(f"alpha: {alpha!r} cannot be converted to {dtype} without overflow (as torch's)")
        return tensor._unary(ew.scaled, tensor._data * scale, {"alpha": scale})


def _check_bytes_as(tensor: Any, target: np.dtype) -> None:
    """torch's refusals of ``view(dtype)`` for a dtype of another width, as a :class:`ShapeError` naming the rule: a
    0-d tensor, a last axis that is not dense, and (for a wider dtype) a last length, storage offset or other stride
    that is not a whole number of the new elements (numpy would read such a tensor's bytes shifted)."""
    own = tensor._data.dtype.itemsize
    if own == target.itemsize:
        return
    what = f"to view {tensor._data.dtype} as {target} (different element sizes)"
    if tensor.ndim == 0:
        raise ShapeError(f"view: self.dim() cannot be 0 {what}")
    strides = tensor.stride()
    if strides[-1] != 1:
        raise ShapeError(f"view: self.stride(-1) must be 1 {what}, but got {strides[-1]}")
    if target.itemsize < own:
        return
    ratio = target.itemsize // own
    if tensor.shape[-1] % ratio:
        raise ShapeError(f"view: self.size(-1) must be divisible by {ratio} {what}, but got {tensor.shape[-1]}")
    if tensor.storage_offset() % ratio:
        raise ShapeError(
            f"view: self.storage_offset() must be divisible by {ratio} {what}, but got {tensor.storage_offset()}"
        )
    for dim, stride in enumerate(strides[:-1]):
        if stride % ratio:
            raise ShapeError(f"view: self.stride({dim}) must be divisible by {ratio} {what}, but got {stride}")
