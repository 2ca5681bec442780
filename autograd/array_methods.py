"""numpy's ndarray method names on ``Tensor``: ``x.cumsum(axis)``, ``x.take(indices)``, ``x.dot(y)``, ...

Each method is one line that calls the module function of the same name (autograd.cumulative,
sorting, indexing, contractions, shape_functions), so the method and the function share one
definition and one gradient. Those modules import ``Tensor``, which inherits these methods, so
this module cannot import them: ``autograd/__init__.py``, which imports everything, hands them
over once through :func:`register_array_functions` (imports stay one-way).

Where numpy's method and torch's differ, the choice is stated on the method: ``sort`` returns
``(values, indices)`` as ``torch.Tensor.sort`` does (numpy's ``ndarray.sort`` sorts in place and
returns None; a Tensor in a graph is not changed in place), and ``repeat`` is numpy's
(``torch.Tensor.repeat`` is numpy's ``tile``). numpy has no ``ndarray.diff``: use
``autograd.diff``. The axis-taking methods also accept torch's ``dim=`` (autograd.torch_keywords).
torch's own method names are in :mod:`autograd.torch_names`, which reaches the module functions
through :func:`array_function`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from .broadcasting import normalize_axes
from .torch_keywords import UNSET, ValuesAndIndices, torch_dim, torch_keyword_names

__all__ = ["ArrayMethods", "array_function", "register_array_functions"]

Self = TypeVar("Self", bound="ArrayMethods")  # the Tensor a method is called on

_FUNCTIONS: dict[str, Callable[..., Any]] = {}


def register_array_functions(**functions: Callable[..., Any]) -> None:
    """Make ``functions`` (by name: cumsum=autograd.cumulative.cumsum, ...) the targets of the methods."""
    _FUNCTIONS.update(functions)


def array_function(name: str) -> Callable[..., Any]:
    """The registered module function ``name``, for methods defined outside this module (autograd.torch_names)."""
    return _FUNCTIONS[name]


class ArrayMethods:
    """ndarray methods of Tensor, each delegating to the module function of the same name."""

    __slots__ = ()

    # -- cumulative and sorting ---------------------------------------------------------------------
    def cumsum(self: Self, axis: int | None = None, dtype: Any = None, *, dim: Any = UNSET) -> Self:
        """ndarray.cumsum: the running sum along ``axis`` (torch's ``dim``; of the flattened array if None);
        see autograd.cumsum. ``dtype``: of ``self`` cast to it first (numpy's and torch's)."""
        if dim is not UNSET:
            axis = torch_dim("cumsum", axis, dim)
        return _FUNCTIONS["cumsum"](self, axis, dtype)

    def cumprod(self: Self, axis: int | None = None, dtype: Any = None, *, dim: Any = UNSET) -> Self:
        """ndarray.cumprod: the running product along ``axis`` (torch's ``dim``; flattened if None); see
        autograd.cumprod. ``dtype``: of ``self`` cast to it first (numpy's and torch's)."""
        if dim is not UNSET:
            axis = torch_dim("cumprod", axis, dim)
        return _FUNCTIONS["cumprod"](self, axis, dtype)

    def sort(
        self: Self,
        axis: int | None = -1,
        kind: Any = None,
        *,
        dim: Any = UNSET,
        descending: bool = False,
        stable: bool = True,
    ) -> ValuesAndIndices:
        """torch.Tensor.sort: ``(values, indices)``, ascending (or ``descending``, NaN first) along ``axis``
        (torch's ``dim``; flattened if None), always stable (``stable`` is accepted for torch's signature).

        Unlike numpy's in-place ``ndarray.sort`` (which returns None), this returns a new Tensor, whose
        gradient goes back through the permutation, and the integer indices that sort ``self``, as the
        pair ``.values``/``.indices`` torch returns. The second positional argument is numpy's ``kind`` (any
        sort is stable here) or torch's ``descending`` (a bool).
        """
        if isinstance(kind, (bool, np.bool_)):  # torch's x.sort(dim, descending)
            descending = bool(kind)
        if dim is not UNSET:
            axis = torch_dim("sort", axis, dim, default=-1)
        if self.ndim == 0 and axis is not None:  # torch sorts a 0-d tensor along dim 0 or -1: itself, index 0
            normalize_axes(axis, 0, "sort")  # AxisError for any other axis
            values, indices = self.reshape(1).sort(0, descending=descending)
            return ValuesAndIndices(values.reshape(()), indices.reshape(()))
        indices = _FUNCTIONS["argsort"](self, axis, kind="stable", descending=descending)
        return ValuesAndIndices(_FUNCTIONS["take_along_axis"](self, indices, axis), indices)

    def argsort(
        self,
        axis: int | None = -1,
        kind: str | None = None,
        *,
        dim: Any = UNSET,
        descending: bool = False,
        stable: bool = False,
    ) -> np.ndarray:
        """ndarray.argsort: the indices that sort ``self`` along ``axis`` (torch's ``dim``, ``descending`` and
        ``stable``; no gradient)."""
        if stable:
            kind = "stable"
        if dim is not UNSET:
            axis = torch_dim("argsort", axis, dim, default=-1)
        return _FUNCTIONS["argsort"](self, axis, kind, descending=descending)

    # -- numpy's copying and filling ----------------------------------------------------------------
    def copy(self: Self, order: str = "K") -> Self:
        """ndarray.copy: a copy of the data that stays in the graph (``clone``; d/dself = identity)."""
        return self.clone()  # type: ignore[attr-defined]

    def fill(self, value: Any) -> None:
        """ndarray.fill: every entry set to ``value`` in place (``fill_``); returns None, as numpy's."""
        self.fill_(value)  # type: ignore[attr-defined]

    def ptp(self: Self, axis: Any = None, out: Any = None, keepdims: bool = False) -> Self:
        """numpy's peak to peak, max - min over ``axis``; see np.ptp (tied extremes share the gradient)."""
        return _FUNCTIONS["ptp"](self, axis, out, keepdims)

    def compress(self: Self, condition: Any, axis: int | None = None) -> Self:
        """ndarray.compress: the slices along ``axis`` (entries if None) where ``condition`` holds."""
        return _FUNCTIONS["compress"](condition, self, axis)

    def tobytes(self, order: str = "C") -> bytes:
        """ndarray.tobytes: the raw bytes of the data."""
        return self._data.tobytes(order)  # type: ignore[attr-defined]

    @property
    def strides(self) -> tuple[int, ...]:
        """ndarray.strides: the bytes to step along each axis of the data."""
        return self._data.strides  # type: ignore[attr-defined]

    # -- shape and indexing -------------------------------------------------------------------------
    def repeat(self: Self, repeats: int | Sequence[int], axis: int | None = None, *more_sizes: int) -> Self:
        """ndarray.repeat: each entry ``repeats`` times along ``axis`` (flattened if None).

        This is numpy's method, not ``torch.Tensor.repeat`` (which tiles: use ``autograd.tile``). Three or more
        sizes, torch's ``x.repeat(8, 1, 1)``, can only mean torch's tiling: a TypeError that names ``x.tile``; so
        does a sequence of at least ``ndim`` (and 2) sizes that numpy cannot read, one per entry, torch's
        ``x.repeat((8, 1, 1))``.
        """
        if more_sizes:
            sizes = ", ".join(repr(size) for size in (repeats, axis, *more_sizes))
        elif axis is None and isinstance(repeats, (tuple, list)) and max(self.ndim, 2) <= len(repeats) != self.size:
            sizes = repr(tuple(repeats))
        else:
            return _FUNCTIONS["repeat"](self, repeats, axis)
        raise TypeError(
            f"repeat: x.repeat({sizes}) on a Tensor of shape {tuple(self.shape)} is torch's tiling, but this "
            f"library's repeat is numpy's (each entry `repeats` times along `axis`); for torch's use "
            f"x.tile({sizes})"
        )

    def ravel(self: Self, order: str = "C") -> Self:
        """ndarray.ravel: the entries as a 1-d Tensor in C order (numpy's ``order`` "F": column-major)."""
        return _FUNCTIONS["ravel"](self, order)

    @torch_keyword_names(index="indices")
    def take(self: Self, indices: Any, axis: int | None = None, mode: str = "raise") -> Self:
        """ndarray.take: the entries at ``indices`` along ``axis`` (of the flattened array if None); ``mode``
        'wrap' or 'clip' as numpy's."""
        return _FUNCTIONS["take"](self, indices, axis, mode)

    # -- contractions -------------------------------------------------------------------------------
    def diagonal(
        self: Self, offset: int = 0, axis1: int = 0, axis2: int = 1, *, dim1: Any = UNSET, dim2: Any = UNSET
    ) -> Self:
        """ndarray.diagonal: the entries a[..., i, i + offset] of the axes (axis1, axis2) (torch's ``dim1``,
        ``dim2``), moved last; a writable view, as torch's."""
        return _FUNCTIONS["diagonal"](self, offset, axis1, axis2, dim1=dim1, dim2=dim2)

    def trace(self: Self, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None) -> Self:
        """ndarray.trace: the sum of ``self.diagonal(offset, axis1, axis2)`` (in ``dtype`` if given); d/da = g on
        the diagonal."""
        return _FUNCTIONS["trace"](self, offset, axis1, axis2, dtype)

    @torch_keyword_names(tensor="b")
    def dot(self: Self, b: Any) -> Self:
        """ndarray.dot: numpy.dot(self, b) (the last axis of self with the second-to-last of b)."""
        return _FUNCTIONS["dot"](self, b)
