"""``ElementCount``: numpy's ``size`` (an int) that can also be called as torch's ``size()`` (the shape, a
:class:`Size`)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .broadcasting import normalize_axes

__all__ = ["ElementCount", "Size"]


class Size(tuple):
    """torch's ``Size``: a shape, a tuple of ints (equal to the plain tuple, ``x.size() == (2, 3)``), with ``numel()``;
    ``x.size()`` gives one, so ``x.size() == autograd.Size([2, 3])`` and ``isinstance(x.size(), autograd.Size)``
    hold, as in torch (``x.shape`` stays numpy's plain tuple)."""

    __slots__ = ()

    def __new__(cls, sizes: Any = ()) -> Size:
        sizes = tuple(sizes)
        for size in sizes:
            if isinstance(size, bool) or not isinstance(size, (int, np.integer)):
                raise TypeError(f"Size: sizes must be integers, got {size!r}")
        return super().__new__(cls, (int(size) for size in sizes))

    def numel(self) -> int:
        """The number of elements of a tensor of this shape (1 for ())."""
        return math.prod(self)

    def __getitem__(self, index: Any) -> Any:
        item = super().__getitem__(index)
        return Size(item) if isinstance(index, slice) else item

    def __repr__(self) -> str:
        return f"Size({list(self)})"


class ElementCount(int):
    """numpy's ``size``, the number of elements (an ``int`` in every way), that can also be called as
    torch's ``size()``: ``x.size()`` is the shape and ``x.size(dim)`` its length along ``dim``.

    >>> x = Tensor(np.zeros((2, 3)))
    >>> x.size, x.size(), x.size(-1)
    (6, (2, 3), 3)
    """

    shape: tuple[int, ...]

    def __new__(cls, shape: tuple[int, ...] | int = ()) -> ElementCount:
        if isinstance(shape, int):  # copy and pickle rebuild an int subclass from its int value
            count, shape = shape, (shape,)
        else:
            count = math.prod(shape)
        number = super().__new__(cls, count)
        number.shape = tuple(shape)
        return number

    def __call__(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size(self.shape)
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
            raise TypeError(f"size: dim must be an integer, got {dim!r}")
        if not self.shape:
            raise IndexError(f"size: a 0-d tensor has no dimension {dim}")
        (axis,) = normalize_axes(dim, len(self.shape), "size")
        return self.shape[axis]

    def __repr__(self) -> str:
        return int.__repr__(self)
