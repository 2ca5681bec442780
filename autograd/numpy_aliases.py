"""numpy's other spellings of the library's ops: numpy 2's array-API names (``np.linalg.trace``, ``np.vecdot``,
``np.matrix_transpose``, ``np.cumulative_sum``, ``np.unstack``, ...), numpy's names of elementwise methods
(``cbrt``, ``radians``, ``degrees``, ``fabs``).

Each function takes numpy's arguments (``np.linalg.trace`` and ``np.linalg.diagonal`` read the last two
axes, ``np.linalg.outer`` only vectors, ``np.vecdot`` the last axis, ``np.cumulative_sum`` its
``include_initial``) and calls the library's op of the same maths, so its gradient is that op's: no rule
is defined here. ``autograd/__init__.py`` registers them for numpy's functions (autograd.numpy_protocol).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .broadcasting import single_axis
from .contractions import diagonal, trace
from .core import Node
from .cumulative import cumprod, cumsum
from .numpy_protocol import refuse_options
from .shape_functions import moveaxis
from .tensor import Tensor, TensorLike
from .tensor_functions import concatenate

__all__ = [
    "astype", "cbrt", "cumulative_prod", "cumulative_sum", "degrees", "fabs", "linalg_cross", "linalg_diagonal",
    "linalg_outer", "linalg_trace", "matrix_transpose", "matvec", "radians", "unstack", "vecdot", "vecmat",
]  # fmt: skip


def _tensor(x: TensorLike) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _to_last(x: Tensor, axis: int, op: str) -> Tensor:
    """``x`` with its axis ``axis`` moved to the end (AxisError naming ``op`` for an axis out of range)."""
    return moveaxis(x, single_axis(axis, x.ndim, op), -1)


def _node(x: Any) -> Any:
    """``x`` itself if it is a node (a Value keeps its own methods), else a Tensor of it."""
    return x if isinstance(x, Node) else Tensor(x)


# -- numpy's names of elementwise methods ----------------------------------------------------------------------
def cbrt(x: Any) -> Any:
    """numpy.cbrt: the real cube root (``x.cbrt()``); d/dx = 1 / (3 cbrt(x)^2)."""
    return _node(x).cbrt()


def radians(x: Any) -> Any:
    """numpy.radians, numpy's other name of deg2rad: x pi / 180; d/dx = pi / 180."""
    return _node(x).deg2rad()


def degrees(x: Any) -> Any:
    """numpy.degrees, numpy's other name of rad2deg: x 180 / pi; d/dx = 180 / pi."""
    return _node(x).rad2deg()


def fabs(x: Any) -> Any:
    """numpy.fabs: |x| (``abs(x)``); d/dx = sign(x)."""
    return abs(_node(x))


# -- numpy.linalg's array-API functions: matrices in the last two axes ------------------------------------------
def linalg_trace(x: TensorLike, /, *, offset: int = 0, dtype: Any = None) -> Tensor:
    """np.linalg.trace: the sum of the ``offset`` diagonal of each matrix in the last two axes (of x cast to
    ``dtype`` first if given); d/dx is g on that diagonal."""
    x = _tensor(x)
    if x.ndim < 2:
        raise ValueError(f"linalg.trace: needs an array of at least 2 dimensions, got shape {x.shape}")
    return trace(x if dtype is None else x.astype(dtype), offset, -2, -1)


def linalg_diagonal(x: TensorLike, /, *, offset: int = 0) -> Tensor:
    """np.linalg.diagonal: the ``offset`` diagonal of each matrix in the last two axes, as a new last axis."""
    return diagonal(x, offset, -2, -1)


def linalg_outer(x1: TensorLike, x2: TensorLike, /) -> Tensor:
    """np.linalg.outer: out[i, j] = x1_i x2_j of two vectors (np.outer flattens, this one refuses other shapes)."""
    x1, x2 = _tensor(x1), _tensor(x2)
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError(f"linalg.outer: the inputs must be vectors, got shapes {x1.shape} and {x2.shape}")
    return x1.reshape(-1, 1) * x2.reshape(1, -1)


def linalg_cross(x1: TensorLike, x2: TensorLike, /, *, axis: int = -1) -> Tensor:
    """np.linalg.cross: the cross product of 3-vectors along ``axis`` (np.cross also takes 2-vectors);
    the other axes broadcast."""
    x1, x2 = _tensor(x1), _tensor(x2)
    vectors = [_to_last(x, axis, "linalg.cross") for x in (x1, x2)]
    if vectors[0].shape[-1] != 3 or vectors[1].shape[-1] != 3:
        raise ValueError(
            f"linalg.cross: both inputs must be 3-vectors along axis {axis}, got shapes {x1.shape} and {x2.shape}"
        )
    ndim = max(x1.ndim, x2.ndim)  # Tensor.cross (torch's) wants as many axes in both
    first, second = (vector.reshape((1,) * (ndim - vector.ndim) + vector.shape) for vector in vectors)
    return moveaxis(first.cross(second, dim=-1), -1, axis)


def matrix_transpose(x: TensorLike, /) -> Tensor:
    """np.matrix_transpose (and np.linalg's): the last two axes swapped."""
    x = _tensor(x)
    if x.ndim < 2:
        raise ValueError(f"matrix_transpose: needs an array of at least 2 dimensions, got shape {x.shape}")
    return x.swapaxes(-1, -2)


# -- numpy's generalized ufuncs of vectors: vecdot, matvec, vecmat -----------------------------------------------
def _core_lengths_match(op: str, first: int, second: int, shapes: tuple[tuple[int, ...], ...]) -> None:
    """ValueError naming ``op`` unless the contracted lengths agree (a gufunc's core axes do not broadcast)."""
    if first != second:
        raise ValueError(
            f"{op}: the contracted axes have lengths {first} and {second} (shapes {shapes[0]}, {shapes[1]})"
        )


def vecdot(x1: TensorLike, x2: TensorLike, /, *, axis: int = -1) -> Tensor:
    """np.vecdot and np.linalg.vecdot: sum_i x1_i x2_i along ``axis`` of each input (every Tensor is real, so
    the conjugate is x1 itself), the other axes broadcast; d/dx1 = g x2, d/dx2 = g x1."""
    x1, x2 = _tensor(x1), _tensor(x2)
    x1, x2 = _to_last(x1, axis, "vecdot"), _to_last(x2, axis, "vecdot")
    _core_lengths_match("vecdot", x1.shape[-1], x2.shape[-1], (x1.shape, x2.shape))
    return (x1 * x2).sum(axis=-1)


def matvec(x1: TensorLike, x2: TensorLike, /) -> Tensor:
    """np.matvec (numpy >= 2.2): the matrices of x1 (last two axes) times the vectors of x2 (last axis), the
    other axes broadcast; a matmul with x2 as a column."""
    x1, x2 = _tensor(x1), _tensor(x2)
    if x1.ndim < 2 or x2.ndim < 1:
        raise ValueError(f"matvec: needs matrices and vectors, got shapes {x1.shape} and {x2.shape}")
    _core_lengths_match("matvec", x1.shape[-1], x2.shape[-1], (x1.shape, x2.shape))
    return (x1 @ x2.expand_dims(-1))[..., 0]


def vecmat(x1: TensorLike, x2: TensorLike, /) -> Tensor:
    """np.vecmat (numpy >= 2.2): the vectors of x1 (last axis) times the matrices of x2 (last two axes), the
    other axes broadcast; a matmul with x1 as a row."""
    x1, x2 = _tensor(x1), _tensor(x2)
    if x1.ndim < 1 or x2.ndim < 2:
        raise ValueError(f"vecmat: needs vectors and matrices, got shapes {x1.shape} and {x2.shape}")
    _core_lengths_match("vecmat", x1.shape[-1], x2.shape[-2], (x1.shape, x2.shape))
    return (x1.expand_dims(-2) @ x2)[..., 0, :]


# -- running sums and products with the initial value ----------------------------------------------------------
def _cumulative(
    op: str, running: Any, identity: float, x: TensorLike, axis: Any, dtype: Any, out: Any, include_initial: bool
) -> Tensor:
    """The body of cumulative_sum and cumulative_prod: ``running`` along ``axis`` (required above one
    dimension), preceded by ``identity`` when ``include_initial``."""
    refuse_options(op, out=out)
    x = _tensor(x)
    if axis is None:
        if x.ndim > 1:
            raise ValueError(f"{op}: an array of more than one dimension needs an axis, got shape {x.shape}")
        x, axis = x.reshape(-1), 0
    result = running(x, axis, dtype)
    if not include_initial:
        return result
    first = list(result.shape)
    first[axis] = 1
    return concatenate([Tensor(np.full(first, identity, dtype=result.dtype)), result], axis=axis)


def cumulative_sum(
    x: TensorLike, /, *, axis: int | None = None, dtype: Any = None, out: Any = None, include_initial: bool = False
) -> Tensor:
    """np.cumulative_sum: ``cumsum`` along ``axis`` (which a 1-D array may leave out), with a leading 0 if
    ``include_initial``."""
    return _cumulative("cumulative_sum", cumsum, 0.0, x, axis, dtype, out, include_initial)


def cumulative_prod(
    x: TensorLike, /, *, axis: int | None = None, dtype: Any = None, out: Any = None, include_initial: bool = False
) -> Tensor:
    """np.cumulative_prod: ``cumprod`` along ``axis`` (which a 1-D array may leave out), with a leading 1 if
    ``include_initial``."""
    return _cumulative("cumulative_prod", cumprod, 1.0, x, axis, dtype, out, include_initial)


# -- conversions and splits -------------------------------------------------------------------------------------
def astype(x: TensorLike, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Tensor:
    """np.astype: ``x.astype(dtype, copy=copy)`` (differentiable between float dtypes)."""
    if device not in (None, "cpu"):
        raise ValueError(f"astype: device must be None or 'cpu', got {device!r}")
    return _tensor(x).astype(dtype, copy=copy)


def unstack(x: TensorLike, /, *, axis: int = 0) -> tuple[Tensor, ...]:
    """np.unstack: the slices along ``axis``, each without that axis (``unbind``)."""
    x = _tensor(x)
    if x.ndim == 0:
        raise ValueError("unstack: needs an array of at least 1 dimension, got a 0-d one")
    return x.unbind(axis)
