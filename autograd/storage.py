"""torch's storages: ``x.storage()`` and ``x.untyped_storage()``, the block of memory a tensor's data lies in.

A Tensor's memory is a numpy array's, and its storage is that array's outermost base (``.base`` followed to the
array that owns the memory) read in memory order: the same block ``stride()`` and ``storage_offset()`` count in
(:mod:`autograd.torch_metadata_names`). A storage here is a 1-D numpy view of that block, so it shares the memory
as torch's does: ``points.storage()[0] = 2.0`` changes ``points`` (and bumps its version, so a backward through an
op that saved the old value fails instead of using the new one), and the storage of ``points[1]`` or ``points.t()``
is all six elements of ``points``'s. :class:`TypedStorage` (``storage()``) counts elements of the tensor's dtype
and reads them as Python numbers; :class:`UntypedStorage` (``untyped_storage()``) counts bytes. Unlike torch, the
storage of a tensor that requires grad is read-only (as its ``numpy()`` is), and an array whose memory is not one
dense block (numpy's ``as_strided`` with gaps or negative steps of its own; torch's memory always is one) has none:
``contiguous()`` first.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from .core import Node, increment_version
from .devices import device

__all__ = ["TypedStorage", "UntypedStorage"]


class _Storage:
    """The shared part of both storages: a 1-D view ``memory`` of the block and the tensor it was read from."""

    _kind = "storage"

    def __init__(self, memory: np.ndarray, tensor: Node) -> None:
        self._memory = memory
        self._tensor = tensor

    def __len__(self) -> int:
        return int(self._memory.size)

    def size(self) -> int:
        """The number of items (elements of the dtype for a TypedStorage, bytes for an UntypedStorage)."""
        return len(self)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.tolist())

    def tolist(self) -> list[Any]:
        """The items as Python numbers."""
        return self._memory.tolist()

    def data_ptr(self) -> int:
        """The address of the block's first byte (equal for every tensor sharing the block)."""
        return int(self._memory.__array_interface__["data"][0])

    def nbytes(self) -> int:
        """The block's size in bytes."""
        return int(self._memory.nbytes)

    @property
    def device(self) -> device:
        return device("cpu")

    def is_shared(self) -> bool:
        return False

    def _index(self, index: Any) -> int:
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise TypeError(f"{self._kind}: an index must be an integer, got {type(index).__name__}")
        size = len(self)
        if not -size <= index < size:
            raise IndexError(f"{self._kind}: index {index} out of range for a storage of size {size}")
        return int(index) % size

    def __setitem__(self, index: Any, value: Any) -> None:
        """Write ``value`` (a number, or for a slice an array-like of its length) at ``index`` (an integer or a
        slice), changing every tensor that shares the block; refused for a tensor that requires grad."""
        if self._tensor.requires_grad:
            raise RuntimeError(
                f"{self._kind}: cannot write into the storage of a tensor that requires grad (its values are "
                f"the graph's); write into x.detach() or x.data instead"
            )
        where = index if isinstance(index, slice) else self._index(index)
        self._memory[where] = np.asarray(value.numpy() if hasattr(value, "numpy") else value)
        increment_version(self._tensor)


class TypedStorage(_Storage):
    """torch.TypedStorage: the block as elements of the tensor's dtype (``x.storage()``)."""

    _kind = "TypedStorage"

    @property
    def dtype(self) -> np.dtype:
        return self._memory.dtype

    def element_size(self) -> int:
        return int(self._memory.itemsize)

    def __getitem__(self, index: Any) -> Any:
        """The element at ``index`` as a Python number; a slice is refused, as torch's TypedStorage refuses it."""
        if isinstance(index, slice):
            raise RuntimeError("TypedStorage: slices are only supported in UntypedStorage.__getitem__")
        return self._memory[self._index(index)].item()

    def untyped(self) -> UntypedStorage:
        """The same block counted in bytes."""
        return UntypedStorage(self._memory.view(np.uint8), self._tensor)

    def __repr__(self) -> str:
        lines = "\n".join(f" {value}" for value in self.tolist())
        dtype = "bool" if self.dtype == np.bool_ else self.dtype.name
        footer = f"[torch.storage.TypedStorage(dtype=torch.{dtype}, device=cpu) of size {len(self)}]"
        return f"{lines}\n{footer}" if lines else footer


class UntypedStorage(_Storage):
    """torch.UntypedStorage: the block as bytes (``x.untyped_storage()``)."""

    _kind = "UntypedStorage"

    def __getitem__(self, index: Any) -> Any:
        """The byte at ``index`` (an int), or the bytes of a slice as an UntypedStorage sharing the block."""
        if isinstance(index, slice):
            return UntypedStorage(self._memory[index], self._tensor)
        return int(self._memory[self._index(index)])

    def __repr__(self) -> str:
        lines = "\n".join(f" {value}" for value in self.tolist())
        footer = f"[torch.storage.UntypedStorage(device=cpu) of size {len(self)}]"
        return f"{lines}\n{footer}" if lines else footer
