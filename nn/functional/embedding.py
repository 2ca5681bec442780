"""Integer indices as vectors: torch's ``F.one_hot`` and ``F.embedding`` (a row lookup whose gradient adds
into the rows that were read)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import IndexDtypeError, Node, ShapeError, Tensor, increment_version, no_grad
from autograd import one_hot as one_hot_array
from autograd.quiet import quietly
from autograd.shape_errors import FloatingDtypeError

from ..checks import ArgumentAssertionError, check_flag, check_integer, check_real
from .activations import as_tensor

__all__ = ["EmptyPaddingRowError", "embedding", "one_hot", "padding_row"]


class EmptyPaddingRowError(ArgumentAssertionError, IndexError):
    """``padding_idx=0`` of an embedding with no rows: the library's :class:`ArgumentAssertionError` for a
    ``padding_idx`` outside the rows, and the IndexError torch raises there (it checks no bound for 0, then indexes
    row 0 of an empty weight), so ``except`` clauses written for either catch it."""


def one_hot(tensor: Any, num_classes: int = -1) -> Tensor:
    """An int64 Tensor with a trailing axis of ``num_classes`` (the largest index + 1 if -1) holding 1 at each
    index, as torch's (no gradient: cast it, ``.float()``, to use it in arithmetic)."""
    return Tensor(one_hot_array(tensor._data if isinstance(tensor, Node) else tensor, num_classes))


def padding_row(owner: str, padding_idx: Any, num_embeddings: int) -> int | None:
    """``padding_idx`` as a row in [0, num_embeddings) (negative counts from the end, as torch), or None."""
    if padding_idx is None:
        return None
    row = check_integer(owner, "padding_idx", padding_idx)
    if row == 0 and num_embeddings == 0:  # torch asserts nothing of 0, then fails to zero row 0: its IndexError
        raise EmptyPaddingRowError(f"{owner}: padding_idx 0 is not a row of an embedding with num_embeddings=0")
    if not -num_embeddings <= row < num_embeddings:
        raise ArgumentAssertionError(
            f"{owner}: padding_idx must be within num_embeddings={num_embeddings}, got {padding_idx!r}"
        )
    return row % num_embeddings


def refuse_embedding_index_dtype(op: str, dtype: np.dtype) -> None:
    """torch's embedding ops look rows up only by int32 or int64 index Tensors ("Expected tensor for argument #1
    'indices' to have one of the following scalar types: Long, Int"): another integer dtype (uint8 too, which
    indexing reads as a mask) is an :class:`IndexDtypeError` (a TypeError, and torch's RuntimeError)."""
    if dtype.kind in "iu" and dtype not in (np.int64, np.int32):
        raise IndexDtypeError(f"{op}: index Tensors must be long or int (int64 or int32), got dtype {dtype}")


def _indices(input: Any, rows: int) -> np.ndarray:
    """``input`` as an integer array of row indices in [0, rows): another dtype is an :class:`IndexDtypeError` (a
    TypeError, and torch's RuntimeError), an index out of range an IndexError, as torch's."""
    indices = np.asarray(input._data if isinstance(input, Node) else input)
    if indices.dtype.kind not in "iu":
        raise IndexDtypeError(f"embedding: indices must be integers, got dtype {indices.dtype} (shape {indices.shape})")
    if isinstance(input, Node):
        refuse_embedding_index_dtype("embedding", indices.dtype)
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        raise IndexError(
            f"embedding: indices must be in [0, {rows - 1}] for a weight of {rows} rows, "
            f"got values {indices.min()} to {indices.max()}"
        )
    return indices


def renorm_options(owner: str, max_norm: Any, norm_type: Any) -> tuple[float | None, float]:
    """``max_norm`` (None: no renormalising) and ``norm_type`` as torch takes them: any real numbers, +-inf and nan
    too (a negative max_norm rescales every row read, norm_type 0 counts the non-zero entries, a nan changes
    nothing)."""
    if max_norm is not None:
        max_norm = check_real(owner, "max_norm", max_norm, allow_inf=True, allow_nan=True)
    return max_norm, check_real(owner, "norm_type", norm_type, allow_inf=True, allow_nan=True)


def renormalize_rows(weight: Tensor, indices: np.ndarray, max_norm: float, norm_type: float) -> None:
    """torch's ``embedding_renorm_``: rows read by ``indices`` whose ``norm_type``-norm exceeds ``max_norm``
    are scaled in place (no gradient, the version goes up) to norm max_norm / (norm + 1e-7) * norm."""
    if weight.dtype.kind != "f":  # torch's norm refuses it, a RuntimeError; an integer table would turn to zeros
        raise FloatingDtypeError(
            f"max_norm: renormalising the rows read needs a floating-point weight (it takes their norms), got dtype "
            f"{weight.dtype}"
        )
    if math.isnan(max_norm) or math.isnan(norm_type):
        return
    rows = np.unique(indices)
    norms = quietly(np.linalg.norm, weight._data[rows], ord=norm_type, axis=1)  # (p < 0 at a 0 entry: 1 / 0)
    too_long = norms > max_norm
    if too_long.any():
        with no_grad():
            weight._data[rows[too_long]] *= (max_norm / (norms[too_long] + 1e-7))[:, None].astype(weight.dtype)
        increment_version(weight)


def embedding(
    input: Any,
    weight: Any,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """``weight[input]``: row ``input[...]`` of the (num_embeddings, embedding_dim) ``weight`` for each index,
    giving shape input.shape + (embedding_dim,). d/dweight adds each output's gradient into the row it read.

    As torch: the row ``padding_idx`` gets no gradient; ``max_norm`` first rescales, in place, the rows read
    whose ``norm_type``-norm exceeds it; ``scale_grad_by_freq`` divides a row's gradient by the number of
    times the batch reads it. ``sparse`` is accepted, but the gradient is always a dense array.
    """
    weight = as_tensor(weight, "embedding", "weight")
    if weight.ndim != 2:
        raise ShapeError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape {weight.shape}")
    rows = weight.shape[0]
    padding_idx = padding_row("embedding", padding_idx, rows)
    check_flag("embedding", "scale_grad_by_freq", scale_grad_by_freq)
    check_flag("embedding", "sparse", sparse)
    indices = _indices(input, rows)
    max_norm, norm_type = renorm_options("embedding", max_norm, norm_type)
    if max_norm is not None:
        renormalize_rows(weight, indices, max_norm, norm_type)
    picked = weight[indices]
    if not picked.requires_grad or (padding_idx is None and not scale_grad_by_freq):
        return picked
    gradient_scale = np.ones(indices.shape, dtype=weight.dtype)
    if scale_grad_by_freq:
        counts = np.bincount(indices.ravel(), minlength=rows)
        gradient_scale /= counts[indices]
    if padding_idx is not None:
        gradient_scale[indices == padding_idx] = 0
    scale = gradient_scale[..., None]
    picked.register_hook(lambda gradient: gradient * scale)  # the value stays exact, its gradient is scaled
    return picked
