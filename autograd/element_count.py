"""``ElementCount``: numpy's ``size`` (an int) that can also be called as torch's ``size()`` (the shape)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .broadcasting import normalize_axes

__all__ = ["ElementCount"]


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
            return self.shape
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
            raise TypeError(f"size: dim must be an integer, got {dim!r}")
        if not self.shape:
            raise IndexError(f"size: a 0-d tensor has no dimension {dim}")
        (axis,) = normalize_axes(dim, len(self.shape), "size")
        return self.shape[axis]

    def __repr__(self) -> str:
        return int.__repr__(self)
