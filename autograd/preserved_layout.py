"""A copy of an array that keeps the order its axes are laid out in memory, as torch's ``torch.preserve_format``.

torch's ``clone()`` (whose default memory format is ``preserve_format``) of a transposed or permuted tensor is not
contiguous: the copy keeps the input's strides when the input is dense (``x.t().clone().stride()`` is
``x.t().stride()``), and otherwise the input's axis order packed densely (torch's ``infer_dense_strides``: the axes
sorted by stride, innermost first, a stride-0 axis of an ``expand`` left where it is). numpy's ``copy()`` is C-ordered.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["axes_inner_first", "preserved_layout_copy"]


def preserved_layout_copy(data: np.ndarray) -> np.ndarray:
    """``data`` copied with its axes in the same memory order, densely packed (size-1 axes aside, the strides of a
    dense array are its own)."""
    if data.flags.c_contiguous:  # the usual input, C order already (no axis order to work out)
        return data.copy()
    inner_first = _axes_inner_first(data.shape, tuple(abs(stride) // max(data.itemsize, 1) for stride in data.strides))
    outer_first = inner_first[::-1]
    if outer_first == list(range(data.ndim)):
        return data.copy()  # (C order already)
    return data.transpose(outer_first).copy().transpose(np.argsort(outer_first))  # (copy: always a new array)


def _axes_inner_first(shape: tuple[int, ...], strides: tuple[int, ...]) -> list[int]:
    """The axes ordered from the innermost in memory to the outermost, as torch orders them for a preserved layout:
    starting from the last axis as the innermost, an insertion sort by stride (a larger stride goes outward, equal
    strides put the longer axis outward) that never moves an axis past a stride-0 one."""

    def outward(first: int, second: int) -> int:
        """1 when axis ``first`` belongs further out than ``second``, -1 when further in, 0 when either may be."""
        if strides[first] == 0 or strides[second] == 0:
            return 0
        if strides[first] != strides[second]:
            return 1 if strides[first] > strides[second] else -1
        return 1 if shape[first] > shape[second] else 0

    return axes_inner_first(len(shape), outward)


def axes_inner_first(count: int, outward: Callable[[int, int], int]) -> list[int]:
    """The ``count`` axes from the innermost in memory to the outermost, by torch's insertion sort over strides:
    starting from the last axis as the innermost, each axis moves outward past the ones before it while
    ``outward(earlier, moving)`` is 1 (``earlier`` belongs further out), stops at -1, and steps over one it may sit
    either side of (0: a stride-0 axis, or a tie the caller's rule leaves open). Its callers give the rule: the
    preserved layout's (:func:`preserved_layout_copy`) and the memory order of torch's ``dim_order``."""
    order = list(range(count))[::-1]
    for position in range(1, count):
        moving = position
        for earlier in range(position - 1, -1, -1):
            verdict = outward(order[earlier], order[moving])
            if verdict > 0:
                order[earlier], order[moving] = order[moving], order[earlier]
                moving = earlier
            elif verdict < 0:
                break
    return order
