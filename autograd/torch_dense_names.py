"""torch's Tensor attributes that a dense, real, CPU tensor answers plainly: its layout and device kinds, its
(absent) dimension name, the memory-placement requests (``pin_memory``, ``share_memory_``), the dense and real
no-ops (``to_dense``, ``conj_physical``), torch's deprecated out-of-place ``resize``/``resize_as``,
``new_empty_strided`` and the three-tensor ``map2_``.

Deliberate differences from torch: ``map2_`` bumps the version counter (as this library's ``map_`` and
``apply_`` do; torch's do not), so a backward that saved the old values notices the change.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from .core import Node, increment_version
from .shape_errors import ShapeError
from .torch_metadata_names import python_numbers
from .torch_names import check_factory_options
from .versions import check_in_place_allowed

__all__ = ["TorchDenseNames"]

Self = TypeVar("Self", bound="TorchDenseNames")  # the Tensor a method is called on

#: How this library spells torch's dense layout ``torch.strided`` (as it spells memory formats: by torch's name).
STRIDED = "torch.strided"


def _int_sizes(op: str, name: str, values: Any) -> tuple[int, ...]:
    """``values`` (a sequence of integers) as a tuple of ints; TypeError naming ``op`` otherwise."""
    if not isinstance(values, Sequence) or not all(isinstance(v, (int, np.integer)) for v in values):
        raise TypeError(f"{op}: {name} must be a sequence of integers, got {values!r}")
    return tuple(int(v) for v in values)


class TorchDenseNames:
    """Mixin of :class:`~autograd.tensor.Tensor`: the dense CPU answers to torch's layout and device questions."""

    __slots__ = ()

    # -- layout, device kinds and the dimension name -------------------------------------------------------------
    @property
    def layout(self) -> str:
        """torch.Tensor.layout: ``"torch.strided"`` (every tensor is a dense strided array); accepted back as any
        factory's ``layout=``."""
        return STRIDED

    @property
    def is_sparse_csr(self) -> bool:
        """torch.Tensor.is_sparse_csr: False (tensors are dense)."""
        return False

    @property
    def is_mps(self) -> bool:
        """torch.Tensor.is_mps: False (the data is a numpy array, on the CPU)."""
        return False

    @property
    def is_xpu(self) -> bool:
        """torch.Tensor.is_xpu: False (the data is a numpy array, on the CPU)."""
        return False

    @property
    def is_ipu(self) -> bool:
        """torch.Tensor.is_ipu: False (the data is a numpy array, on the CPU)."""
        return False

    @property
    def is_xla(self) -> bool:
        """torch.Tensor.is_xla: False (the data is a numpy array, on the CPU)."""
        return False

    @property
    def is_vulkan(self) -> bool:
        """torch.Tensor.is_vulkan: False (the data is a numpy array, on the CPU)."""
        return False

    @property
    def is_mtia(self) -> bool:
        """torch.Tensor.is_mtia: False (the data is a numpy array, on the CPU)."""
        return False

    @property
    def is_maia(self) -> bool:
        """torch.Tensor.is_maia: False (the data is a numpy array, on the CPU)."""
        return False

    @property
    def name(self) -> None:
        """torch.Tensor.name: None (torch's named-tensor name; tensors here have no names)."""
        return None

    # -- memory placement --------------------------------------------------------------------------------------
    def pin_memory(self: Self, device: Any = None) -> Self:
        """torch.Tensor.pin_memory: a RuntimeError, as torch's on a machine without an accelerator (pinned host
        memory is for copies to one)."""
        raise RuntimeError("pin_memory: Cannot access accelerator device when none is available.")

    def share_memory_(self: Self) -> Self:
        """torch.Tensor.share_memory_: the tensor itself, unchanged (its version too), as torch's for a CPU tensor;
        the array stays in this process's memory (``is_shared()`` stays False)."""
        return self

    # -- dense and real: no-ops ------------------------------------------------------------------------------------
    def is_coalesced(self) -> bool:
        """torch.Tensor.is_coalesced: a RuntimeError for a dense tensor, as torch's (it asks sparse COO tensors)."""
        raise RuntimeError("is_coalesced expected sparse coordinate tensor layout but got Strided")

    def to_dense(self: Self, dtype: Any = None, *, masked_grad: Any = None) -> Self:
        """torch.Tensor.to_dense: the tensor itself (it is dense), or ``to(dtype)`` given another dtype."""
        if dtype is None or np.dtype(dtype) == self._data.dtype:  # type: ignore[attr-defined]
            return self
        return self.to(dtype)  # type: ignore[attr-defined]

    def conj_physical(self: Self) -> Self:
        """torch.Tensor.conj_physical: the tensor itself (conj(x) = x for real x; torch returns it too)."""
        return self

    def conj_physical_(self: Self) -> Self:
        """torch.Tensor.conj_physical_: the tensor itself, values unchanged; as torch's an in-place op: its version
        is bumped and a leaf that requires grad refuses while a graph is recorded."""
        check_in_place_allowed(self, None, "conj_physical_")  # type: ignore[arg-type]
        increment_version(self)
        return self

    # -- deprecated out-of-place resizes --------------------------------------------------------------------------
    def resize(self: Self, *sizes: Any) -> Self:
        """torch.Tensor.resize (deprecated, with torch's UserWarning): ``reshape(sizes)`` (integers, one by one, as
        torch's) for a shape of as many elements (a RuntimeError in torch's words otherwise); d/dself reshapes g back."""
        warnings.warn("non-inplace resize is deprecated", UserWarning, stacklevel=2)
        if not all(isinstance(n, (int, np.integer)) for n in sizes):  # torch's takes the sizes one by one only
            raise RuntimeError(f"resize: the sizes must be integers given one by one (resize(2, 3)), got {sizes!r}")
        shape = tuple(int(n) for n in sizes)
        own = self._data.shape  # type: ignore[attr-defined]
        if math.prod(shape) != math.prod(own):
            raise RuntimeError(
                f"requested resize to {'x'.join(map(str, shape))} ({math.prod(shape)} elements in total), but the "
                f"given tensor has a size of {'x'.join(map(str, own))} ({math.prod(own)} elements). autograd's resize "
                "can only change the shape of a given tensor, while preserving the number of elements. "
            )
        return self.reshape(shape)  # type: ignore[attr-defined]

    def resize_as(self: Self, tensor: Any) -> Self:
        """torch.Tensor.resize_as (deprecated, with torch's UserWarning): :meth:`resize` to ``tensor``'s shape."""
        if not isinstance(tensor, Node) or not hasattr(tensor, "shape"):
            raise TypeError(f"resize_as: tensor must be a Tensor, not {type(tensor).__name__}")
        warnings.warn("non-inplace resize_as is deprecated", UserWarning, stacklevel=2)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return self.resize(*tensor.shape)

    # -- factories --------------------------------------------------------------------------------------------------
    def new_empty_strided(
        self: Self,
        size: Sequence[int],
        stride: Sequence[int],
        dtype: Any = None,
        layout: Any = None,
        device: Any = None,
        pin_memory: bool = False,
        requires_grad: bool = False,
    ) -> Self:
        """torch.Tensor.new_empty_strided: a leaf of shape ``size`` whose element strides are ``stride`` (as
        ``stride()`` reports them), of this tensor's dtype by default; zeros where torch leaves memory
        uninitialised. Its memory holds ``1 + sum((size_d - 1) * stride_d)`` elements (none if a size is 0)."""
        check_factory_options("new_empty_strided", device, layout, pin_memory=pin_memory)
        shape = _int_sizes("new_empty_strided", "size", size)
        strides = _int_sizes("new_empty_strided", "stride", stride)
        if len(shape) != len(strides):
            raise RuntimeError(f"new_empty_strided: size {shape} and stride {strides} must have the same length")
        if any(n < 0 for n in shape) or any(s < 0 for s in strides):
            raise RuntimeError(f"new_empty_strided: sizes and strides must be >= 0, got {shape} and {strides}")
        dtype = self._data.dtype if dtype is None else np.dtype(dtype)  # type: ignore[attr-defined]
        length = 0 if 0 in shape else 1 + sum((n - 1) * s for n, s in zip(shape, strides))
        memory = np.zeros(length, dtype=dtype)
        data = np.lib.stride_tricks.as_strided(memory, shape, tuple(s * dtype.itemsize for s in strides))
        return self._from_array(data, requires_grad, "new_empty_strided")  # type: ignore[attr-defined]

    # -- Python callables in place ---------------------------------------------------------------------------------
    def map2_(self: Self, x: Any, y: Any, callable: Callable[[Any, Any, Any], Any]) -> Self:
        """torch.Tensor.map2_: replace each element a by ``callable(a, b, c)``, b and c the matching elements of
        ``x`` and ``y`` (Tensors or ndarrays of this dtype, broadcast to this shape), in place; returns the tensor.
        Refused when any of the three requires grad, as torch (see the module doc on the version counter)."""
        data = self._writable_for("map2_")  # type: ignore[attr-defined]
        operands = []
        for label, operand in (("x", x), ("y", y)):
            if isinstance(operand, Node) and operand.requires_grad:
                raise RuntimeError(
                    f"map2_: Can't call map2_() with a tensor '{label}' that requires grad. Use detach() instead."
                )
            array = np.asarray(operand._data if isinstance(operand, Node) else operand)
            if array.dtype != data.dtype:
                raise TypeError(
                    f"map2_: expected a {data.dtype} tensor (this tensor's dtype) for '{label}', got {array.dtype}"
                )
            try:
                operands.append(np.broadcast_to(array, data.shape).ravel().tolist())
            except ValueError:  # (a ShapeError: the ValueError it was, and torch's RuntimeError)
                raise ShapeError(
                    f"map2_: '{label}' of shape {array.shape} cannot be broadcast to shape {data.shape}"
                ) from None
        triples = zip(data.ravel().tolist(), *operands)
        self._store_in_place(data, python_numbers([callable(a, b, c) for a, b, c in triples], "map2_"))  # type: ignore[attr-defined]
        return self
