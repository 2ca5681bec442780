"""numpy's functions that the library builds from its recorded ops: ``multi_dot``, ``average``, ``ptp``, the
nan-ignoring reductions (``nanmax``, ``nanmin``, ``nanprod``, ``nanvar``, ``nanstd``), ``append``,
``insert``, ``delete``, ``block``, ``convolve`` and ``correlate``.

None defines a derivative rule: each is a composite of ops that have one, so its gradient is theirs (and can
be differentiated again). Ties follow ``max``/``min``: tied extremes share the gradient evenly (``ptp``,
``nanmax``, ``nanmin``), and a nan entry that a nan-ignoring reduction leaves out gets gradient 0.
``insert``, ``delete`` and ``block`` let numpy lay out the result, on arrays of labels (the position of each
input entry), and gather the entries so labelled: numpy's own rules for ``obj``, ``values`` and nesting,
one gather whose gradient adds each entry's upstream gradients back. ``autograd/__init__.py`` registers
these functions for numpy's (autograd.numpy_protocol).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .broadcasting import normalize_axes, single_axis
from .contractions import dot
from .core import Node
from .numpy_protocol import extremum, reduction, refuse_options
from .shape_errors import ShapeError
from .shape_functions import flip
from .tensor import Tensor, TensorLike
from .tensor_functions import concatenate
from .torch_keywords import torch_keyword_names

__all__ = [
    "append", "average", "block", "convolve", "correlate", "delete", "insert", "multi_dot", "nanmax", "nanmin",
    "nanprod", "nanstd", "nanvar", "ptp",
]  # fmt: skip


def _tensor(x: TensorLike) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


# -- products of chains of matrices --------------------------------------------------------------------------------
def _chain_order(sizes: list[int]) -> list[list[int]]:
    """split[i][j]: where the cheapest product of matrices i..j (matrix k is sizes[k] x sizes[k + 1]) splits,
    by the textbook dynamic programme over chain lengths (numpy's multi_dot uses the same)."""
    count = len(sizes) - 1
    cost = [[0] * count for _ in range(count)]
    split = [[0] * count for _ in range(count)]
    for length in range(1, count):
        for i in range(count - length):
            j = i + length
            cost[i][j], split[i][j] = min(
                (cost[i][k] + cost[k + 1][j] + sizes[i] * sizes[k + 1] * sizes[j + 1], k) for k in range(i, j)
            )
    return split


def _chain_product(matrices: list[Tensor], split: list[list[int]], i: int, j: int) -> Tensor:
    """The product of matrices i..j in the order ``split`` gives (a loop over the split tree, children before
    parents: any chain length at Python's default recursion limit)."""
    products: dict[tuple[int, int], Tensor] = {}
    stack = [(i, j, False)]
    while stack:
        low, high, children_done = stack.pop()
        if low == high:
            products[low, high] = matrices[low]
            continue
        k = split[low][high]
        if children_done:
            products[low, high] = products.pop((low, k)) @ products.pop((k + 1, high))
        else:
            stack.extend([(low, high, True), (k + 1, high, False), (low, k, False)])
    return products[i, j]


@torch_keyword_names(tensors="arrays")
def multi_dot(arrays: Sequence[TensorLike], *, out: Any = None) -> Tensor:
    """np.linalg.multi_dot (and torch.linalg.multi_dot, its keyword ``tensors=`` too): A_1 A_2 ... A_n in the order
    with the fewest multiplications; a 1-D first array is a row vector and a 1-D last one a column, their axes
    dropped from the result. Two arrays are ``dot``'s, as numpy's. Fewer than two arrays, or a middle one not 2-D,
    is a :class:`ShapeError` (numpy's ValueError and torch's RuntimeError)."""
    refuse_options("linalg.multi_dot", out=out)
    if len(arrays) < 2:
        raise ShapeError(f"multi_dot: needs at least two arrays, got {len(arrays)}")
    matrices = [_tensor(array) for array in arrays]
    for index, (left, right) in enumerate(zip(matrices, matrices[1:])):
        if left.ndim in (1, 2) and right.ndim in (1, 2) and left.shape[-1] != right.shape[0]:
            raise ShapeError(
                f"multi_dot: arrays {index} and {index + 1} of shapes {left.shape} and {right.shape} cannot be "
                f"multiplied ({left.shape[-1]} != {right.shape[0]})"
            )
    if len(arrays) == 2:
        return dot(matrices[0], matrices[1])
    row, column = matrices[0].ndim == 1, matrices[-1].ndim == 1
    if row:
        matrices[0] = matrices[0].reshape(1, -1)
    if column:
        matrices[-1] = matrices[-1].reshape(-1, 1)
    if any(matrix.ndim != 2 for matrix in matrices):
        raise ShapeError(f"multi_dot: needs matrices (1-D first and last too), got {[m.shape for m in matrices]}")
    sizes = [matrix.shape[0] for matrix in matrices] + [matrices[-1].shape[1]]
    product = _chain_product(matrices, _chain_order(sizes), 0, len(matrices) - 1)
    return product.reshape(product.shape[row : 2 - column])


def chain_matmul(*matrices: TensorLike) -> Tensor:
    """torch.chain_matmul (deprecated there for torch.linalg.multi_dot): the product of one or more 2-D matrices in
    the cheapest order (:func:`multi_dot`); one matrix is returned as it is. Unlike multi_dot, no 1-D end is taken:
    every operand must be 2-D, and at least one is needed (a :class:`ShapeError`, torch's RuntimeError)."""
    if not matrices:
        raise ShapeError("chain_matmul: expected one or more matrices, got none")
    tensors = [_tensor(matrix) for matrix in matrices]
    for index, tensor in enumerate(tensors):
        if tensor.ndim != 2:
            raise ShapeError(f"chain_matmul: matrix {index} must be 2-D, got shape {tensor.shape}")
    return tensors[0] if len(tensors) == 1 else multi_dot(tensors)


# -- averages and spreads -------------------------------------------------------------------------------------------
def _weights_along(a: Tensor, weights: Tensor, axis: Any) -> Tensor:
    """``weights`` in a's dtype (numpy's promotion), shaped to broadcast against ``a``: as they are if their
    shape is a's, else laid along ``axis`` (numpy's rules: an axis is needed, and the weights' shape must be
    a's along it, in the order of ``axis``)."""
    weights = weights.astype(np.result_type(a.dtype, weights.dtype))
    if weights.shape == a.shape:
        return weights
    if axis is None:
        raise TypeError(f"average: weights of shape {weights.shape} differ from a's {a.shape}: give the axis")
    along = [single_axis(one, a.ndim, "average") for one in (axis if isinstance(axis, (tuple, list)) else (axis,))]
    if weights.shape != tuple(a.shape[one] for one in along):
        raise ValueError(f"average: weights of shape {weights.shape} do not match a's {a.shape} along axis {axis}")
    ordered = weights.transpose(tuple(int(one) for one in np.argsort(along)))
    return ordered.reshape(tuple(n if one in along else 1 for one, n in enumerate(a.shape)))


def average(
    a: TensorLike,
    axis: Any = None,
    weights: TensorLike | None = None,
    returned: bool = False,
    *,
    keepdims: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """np.average: sum(a w) / sum(w) over ``axis`` (the mean without ``weights``); with ``returned`` also
    sum(w) (the count without weights, a constant) in the result's shape. Weights that are Tensors are
    differentiated too: d/dw_i = (a_i - average) / sum(w)."""
    a = _tensor(a)
    if a.dtype.kind in "biu":
        a = a.astype(np.float64)
    axis = tuple(axis) if isinstance(axis, list) else axis
    if weights is None:
        result = a.mean(axis=axis, keepdims=keepdims)
        total: Tensor = Tensor(np.full(result.shape, a.size / max(result.size, 1), dtype=result.dtype))
    else:
        weights = _weights_along(a, _tensor(weights), axis)
        total = weights.sum(axis=axis, keepdims=keepdims)
        if np.any(total._data == 0):
            raise ZeroDivisionError("average: the weights sum to zero, so they cannot be normalized")
        result = (a * weights).sum(axis=axis, keepdims=keepdims) / total
        if total.shape != result.shape:
            total = total.broadcast_to(result.shape)
    return (result, total) if returned else result


def ptp(a: TensorLike, axis: Any = None, out: Any = None, keepdims: bool = False) -> Tensor:
    """np.ptp: max - min over ``axis``; tied extremes share their gradient evenly (as ``max``/``min``)."""
    refuse_options("ptp", out=out)
    a = _tensor(a)
    return a.max(axis=axis, keepdims=keepdims) - a.min(axis=axis, keepdims=keepdims)


# -- the nan-ignoring reductions --------------------------------------------------------------------------------------
def _nan_mask(a: Tensor) -> np.ndarray:
    return np.isnan(a._data) if a.dtype.kind == "f" else np.zeros(a.shape, dtype=bool)


def _nan_extremum(method: str, fill: float) -> Any:
    """np.nanmax / np.nanmin: ``method`` with each nan replaced by ``fill`` (-inf / inf), nan where a slice is
    all nan (and no ``initial`` is given), as numpy's; the nans get gradient 0. Without a nan (an integer tensor)
    it is ``method`` itself."""
    extreme = extremum(method)

    def nan_extreme(
        a: TensorLike, axis: Any = None, out: Any = None, keepdims: bool = False, initial: Any = None, where: Any = None
    ) -> Tensor:
        a = _tensor(a)
        nan = _nan_mask(a)
        if not nan.any():  # (an integer tensor could not hold the fill)
            return extreme(a, axis, out, keepdims, initial, where)
        result = extreme(a.masked_fill(nan, fill), axis, out, keepdims, initial, where)
        if initial is not None:
            return result
        return result.masked_fill(np.all(nan, axis=axis, keepdims=keepdims), np.nan)

    nan_extreme.__name__ = nan_extreme.__qualname__ = f"nan{method}"
    return nan_extreme


nanmax = _nan_extremum("max", -np.inf)
nanmin = _nan_extremum("min", np.inf)


def nanprod(
    a: TensorLike,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    keepdims: bool = False,
    initial: Any = None,
    where: Any = None,
) -> Tensor:
    """np.nanprod: the product over ``axis`` with each nan counted as 1 (gradient 0 there)."""
    a = _tensor(a)
    return reduction("prod")(a.masked_fill(_nan_mask(a), 1.0), axis, dtype, out, keepdims, initial, where)


def nanvar(
    a: TensorLike,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    ddof: float = 0,
    keepdims: bool = False,
    *,
    where: Any = None,
    mean: Any = None,
    correction: Any = None,
) -> Tensor:
    """np.nanvar: sum((x - m)^2) / (n - ddof) over the n entries that are not nan (m: their mean), nan where
    n - ddof <= 0, as numpy's; d/dx_i = 2 (x_i - m) / (n - ddof), 0 at the nans. ``correction`` is numpy's
    other name of ``ddof``."""
    refuse_options("nanvar", out=out, where=where, mean=mean)
    if correction is not None:
        if ddof != 0:
            raise ValueError("nanvar: give ddof or correction, not both")
        ddof = correction
    a = _tensor(a) if dtype is None else _tensor(a).astype(dtype)
    if a.dtype.kind != "f":  # numpy's variance of integers is a float64
        a = a.astype(np.float64)
    axes = normalize_axes(axis, a.ndim, "nanvar")
    nan = _nan_mask(a)
    centred = (a - a.nanmean(axes, keepdim=True)).masked_fill(nan, 0.0)
    squares = (centred * centred).sum(axis=axes, keepdims=keepdims)
    freedom = np.sum(~nan, axis=axes, keepdims=keepdims) - ddof
    divisor = np.where(freedom > 0, freedom, 1).astype(a.dtype)
    return (squares / divisor).masked_fill(freedom <= 0, np.nan)


def nanstd(
    a: TensorLike,
    axis: Any = None,
    dtype: Any = None,
    out: Any = None,
    ddof: float = 0,
    keepdims: bool = False,
    *,
    where: Any = None,
    mean: Any = None,
    correction: Any = None,
) -> Tensor:
    """np.nanstd: sqrt(nanvar); d/dx_i = (x_i - m) / ((n - ddof) nanstd), taken as 0 where it is 0 (as ``std``)."""
    variance = nanvar(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean, correction=correction)
    constant = np.asarray(variance._data == 0)  # sqrt is only differentiated where the variance is positive
    return variance.masked_fill(constant, 1.0).sqrt().masked_fill(constant, 0.0)


# -- joining, inserting and deleting entries ---------------------------------------------------------------------------
def append(arr: TensorLike, values: TensorLike, axis: int | None = None) -> Tensor:
    """np.append: ``values`` after ``arr`` along ``axis`` (both flattened if None)."""
    if axis is None:
        return concatenate([_tensor(arr).reshape(-1), _tensor(values).reshape(-1)])
    return concatenate([arr, values], axis=axis)


def position_labels(start: int, shape: tuple[int, ...]) -> np.ndarray:
    """The flat positions start, start + 1, ... of an input's entries in the pool, in its shape."""
    return np.arange(start, start + int(np.prod(shape, dtype=np.int64)), dtype=np.intp).reshape(shape)


def gathered_by_labels(sources: Sequence[Tensor], layout: np.ndarray, dtype: Any) -> Tensor:
    """The entries of ``sources`` (laid end to end, flattened, in ``dtype``) at the positions ``layout``."""
    pool = concatenate([source.astype(dtype).reshape(-1) for source in sources])
    return pool[layout]


def _plain(value: Any) -> Any:
    return value._data if isinstance(value, Node) else value


def insert(arr: TensorLike, obj: Any, values: TensorLike, axis: int | None = None) -> Tensor:
    """np.insert: ``values`` (cast to arr's dtype, broadcast as numpy does) before the positions ``obj`` along
    ``axis`` (of the flattened arr if None)."""
    arr, values = _tensor(arr), _tensor(values)
    layout = np.insert(position_labels(0, arr.shape), _plain(obj), position_labels(arr.size, values.shape), axis)
    return gathered_by_labels([arr, values], layout, arr.dtype)


def delete(arr: TensorLike, obj: Any, axis: int | None = None) -> Tensor:
    """np.delete: ``arr`` without the entries ``obj`` (indices, a slice or a mask) along ``axis`` (of the
    flattened arr if None); the deleted entries get gradient 0."""
    arr = _tensor(arr)
    return arr.reshape(-1)[np.delete(position_labels(0, arr.shape), _plain(obj), axis)]


def block(arrays: Any) -> Tensor:
    """np.block: one array assembled from nested lists of blocks (the innermost lists joined along the last
    axis, the next along the one before, ...)."""
    blocks: list[Tensor] = []

    def labelled(item: Any) -> Any:
        if isinstance(item, list):
            return [labelled(part) for part in item]
        if isinstance(item, tuple):
            raise TypeError("block: blocks are arranged in lists, got a tuple")
        tensor = _tensor(item)
        start = sum(part.size for part in blocks)
        blocks.append(tensor)
        return position_labels(start, tensor.shape)

    layout = np.block(labelled(arrays))
    return gathered_by_labels(blocks, layout, np.result_type(*(part.dtype for part in blocks)))


# -- convolution and correlation of vectors ----------------------------------------------------------------------------
def _vectors(op: str, a: TensorLike, v: TensorLike, mode: str) -> tuple[Tensor, Tensor]:
    """``a`` and ``v`` as non-empty vectors (a number is one entry, as numpy's ``ndmin=1``), after checking the
    ``mode``."""
    if mode not in ("full", "same", "valid"):
        raise ValueError(f"{op}: mode must be 'full', 'same' or 'valid', got {mode!r}")
    a, v = (_tensor(x).reshape(-1) if np.ndim(_plain(x)) == 0 else _tensor(x) for x in (a, v))
    if a.ndim != 1 or v.ndim != 1:
        raise ValueError(f"{op}: needs 1-D inputs, got shapes {a.shape} and {v.shape}")
    if a.shape[0] == 0 or v.shape[0] == 0:
        raise ValueError(f"{op}: the inputs cannot be empty, got shapes {a.shape} and {v.shape}")
    return a, v


def _full_convolution(a: Tensor, v: Tensor) -> Tensor:
    """out_k = sum_j a_(k-j) v_j for k = 0..n+m-2: the windows of a zero-padded ``a`` (one gather) times v."""
    n, m = a.shape[0], v.shape[0]
    padded = a.pad((m - 1, m - 1))
    windows = np.arange(n + m - 1)[:, None] + (m - 1 - np.arange(m))[None, :]
    return padded[windows] @ v


def convolve(a: TensorLike, v: TensorLike, mode: str = "full") -> Tensor:
    """np.convolve: out_k = sum_j a_(k-j) v_j; ``mode`` "full" (every overlap, length n + m - 1), "same" (length
    max(n, m), centred as numpy's) or "valid" (full overlaps only, length max(n, m) - min(n, m) + 1)."""
    a, v = _vectors("convolve", a, v, mode)
    if v.shape[0] > a.shape[0]:
        a, v = v, a
    n, m = a.shape[0], v.shape[0]
    full = _full_convolution(a, v)
    if mode == "same":
        return full[(m - 1) // 2 : (m - 1) // 2 + n]
    return full if mode == "full" else full[m - 1 : n]


def correlate(a: TensorLike, v: TensorLike, mode: str = "valid") -> Tensor:
    """np.correlate: out_k = sum_n a_(n+k) v_n (every Tensor is real, so conj(v) = v), the convolution with v
    reversed; numpy computes a shorter ``a`` as the correlation of the swapped inputs, reversed, which
    moves the "same" window, and so does this."""
    a, v = _vectors("correlate", a, v, mode)
    if v.shape[0] > a.shape[0]:
        return flip(convolve(v, flip(a), mode))
    return convolve(a, flip(v), mode)
