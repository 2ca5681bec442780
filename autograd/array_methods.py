"""numpy's ndarray method names on ``Tensor``: ``x.cumsum(axis)``, ``x.take(indices)``, ``x.dot(y)``, ...

Each method is one line that calls the module function of the same name (autograd.cumulative,
sorting, indexing, contractions, shape_functions), so the method and the function share one
definition and one gradient. The modules import ``Tensor``, so they are imported when a method
is first called rather than when this file is; ``self`` is always a Tensor (``cast`` tells
the type checkers).

Where numpy's method and torch's differ, the choice is stated on the method: ``sort`` returns
``(values, indices)`` as ``torch.Tensor.sort`` does (numpy's ``ndarray.sort`` sorts in place and
returns None; a Tensor in a graph is not changed in place), and ``repeat`` is numpy's
(``torch.Tensor.repeat`` is numpy's ``tile``). numpy has no ``ndarray.diff``: use
``autograd.diff``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor, TensorLike

__all__ = ["ArrayMethods"]


class ArrayMethods:
    """ndarray methods of Tensor, each delegating to the module function of the same name."""

    __slots__ = ()

    # -- cumulative and sorting ---------------------------------------------------------------------
    def cumsum(self, axis: int | None = None) -> Tensor:
        """ndarray.cumsum: the running sum along ``axis`` (of the flattened array if None); see autograd.cumsum."""
        from .cumulative import cumsum

        return cumsum(cast("Tensor", self), axis)

    def cumprod(self, axis: int | None = None) -> Tensor:
        """ndarray.cumprod: the running product along ``axis`` (flattened if None); see autograd.cumprod."""
        from .cumulative import cumprod

        return cumprod(cast("Tensor", self), axis)

    def sort(self, axis: int | None = -1) -> tuple[Tensor, np.ndarray]:
        """torch.Tensor.sort: ``(values, indices)``, ascending along ``axis`` (flattened if None), stable.

        Unlike numpy's in-place ``ndarray.sort`` (which returns None), this returns a new Tensor, whose
        gradient goes back through the permutation, and the integer indices that sort ``self``.
        """
        from .indexing import take_along_axis
        from .sorting import argsort

        tensor = cast("Tensor", self)
        indices = argsort(tensor, axis, kind="stable")
        return take_along_axis(tensor, indices, axis), indices

    def argsort(self, axis: int | None = -1, kind: str | None = None) -> np.ndarray:
        """ndarray.argsort: the indices that sort ``self`` along ``axis`` (no gradient)."""
        from .sorting import argsort

        return argsort(cast("Tensor", self), axis, kind)

    # -- shape and indexing -------------------------------------------------------------------------
    def repeat(self, repeats: int | Sequence[int], axis: int | None = None) -> Tensor:
        """ndarray.repeat: each entry ``repeats`` times along ``axis`` (flattened if None).

        This is numpy's method, not ``torch.Tensor.repeat`` (which tiles: use ``autograd.tile``).
        """
        from .shape_functions import repeat

        return repeat(cast("Tensor", self), repeats, axis)

    def ravel(self) -> Tensor:
        """ndarray.ravel: the entries as a 1-d Tensor in C order."""
        from .shape_functions import ravel

        return ravel(cast("Tensor", self))

    def take(self, indices: Any, axis: int | None = None) -> Tensor:
        """ndarray.take: the entries at ``indices`` along ``axis`` (of the flattened array if None)."""
        from .indexing import take

        return take(cast("Tensor", self), indices, axis)

    # -- contractions -------------------------------------------------------------------------------
    def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
        """ndarray.diagonal: the entries a[..., i, i + offset] of the axes (axis1, axis2), moved last."""
        from .contractions import diagonal

        return diagonal(cast("Tensor", self), offset, axis1, axis2)

    def trace(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
        """ndarray.trace: the sum of ``self.diagonal(offset, axis1, axis2)``; d/da = g on the diagonal."""
        from .contractions import trace

        return trace(cast("Tensor", self), offset, axis1, axis2)

    def dot(self, b: TensorLike) -> Tensor:
        """ndarray.dot: numpy.dot(self, b) (the last axis of self with the second-to-last of b)."""
        from .contractions import dot

        return dot(cast("Tensor", self), b)
