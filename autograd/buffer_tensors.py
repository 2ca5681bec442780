"""torch.frombuffer: a 1-D Tensor over the memory of any object with Python's buffer protocol (``bytes``,
``bytearray``, ``array.array``, ``memoryview``, ``mmap``), without a copy, as ``from_numpy`` is over an array.

The tensor and the buffer share memory: writing ``t[0] = -1`` changes the buffer, as torch's example shows. A
read-only buffer (``bytes``) gives a tensor that refuses writes (torch warns and lets them through); copy it
(``bytearray(data)``) to change it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .default_dtype import real_dtype
from .tensor import Tensor

__all__ = ["frombuffer"]


def frombuffer(buffer: Any, *, dtype: Any, count: int = -1, offset: int = 0, requires_grad: bool = False) -> Tensor:
    """torch.frombuffer: ``count`` elements of ``dtype`` (all that fit when -1) read from ``buffer`` from byte
    ``offset`` on, as a 1-D Tensor sharing the buffer's memory. ValueErrors, as torch's, for a buffer that is not
    one, an empty read, an offset past the end, or bytes that do not fill whole elements."""
    dtype = real_dtype(dtype, "frombuffer")
    try:
        view = memoryview(buffer)
    except TypeError:
        raise ValueError(f"frombuffer: {type(buffer).__name__} does not implement Python's buffer protocol") from None
    length = view.nbytes
    if length == 0 or count == 0:
        raise ValueError(f"frombuffer: both the buffer's length ({length} bytes) and count ({count}) must not be 0")
    if not 0 <= offset < length:
        raise ValueError(f"frombuffer: offset ({offset} bytes) must be in [0, {length - 1}], the buffer's bytes")
    if count < 0:
        if (length - offset) % dtype.itemsize:
            raise ValueError(
                f"frombuffer: the buffer's {length - offset} bytes after offset {offset} are not a multiple of the "
                f"element size ({dtype.itemsize} bytes of {dtype})"
            )
    elif count * dtype.itemsize > length - offset:
        raise ValueError(
            f"frombuffer: {count} elements of {dtype.itemsize} bytes after offset {offset} need more than the "
            f"buffer's {length} bytes"
        )
    array = np.frombuffer(view.cast("B") if view.ndim != 1 or view.format != "B" else view, dtype, count, offset)
    return Tensor._from_array(array, requires_grad, "frombuffer")
