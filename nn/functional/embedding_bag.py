"""Bags of embeddings: torch's ``F.embedding_bag``, the sum, mean or maximum of the rows of ``weight`` that each
bag of indices reads, without building the (bags, length, dim) lookup of :func:`embedding` by hand.

A bag is a row of a 2-D ``input`` (B, N), or, for a 1-D ``input``, the slice input[offsets[b]:offsets[b + 1]]
(the last bag runs to the end; with ``include_last_offset`` the last offset only closes the list: at most the
input's length, it is not read further, as torch's float64 kernels and its max do). Entries equal to
``padding_idx`` leave their bag: they add nothing, are not counted by the mean and get no gradient. With
w_i the ``per_sample_weights`` (sum only, 1 otherwise) and R the bag's rows:

    sum:  out_b = sum_i w_i weight[R_i]       d/dweight[R_i] += w_i g_b,   d/dw_i = <weight[R_i], g_b>
    mean: out_b = sum_i weight[R_i] / |R|     d/dweight[R_i] += g_b / |R|
    max:  out_b = max_i weight[R_i]  (per feature; the gradient goes to the maximum, on ties to the first row, as torch)

An empty bag gives zeros in every mode. ``scale_grad_by_freq`` divides row r's gradient by the number of times
the whole input reads r, as torch documents and its CUDA kernel computes; torch 2.13's CPU kernel divides by the
count of another row where rows are read unequally often (pytorch/pytorch#190063, fixed after 2.13).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ArgumentRangeError, IndexBoundsError, Node, Tensor, where
from autograd.index_errors import IndexDtypeError

from ..checks import UnsupportedOptionError, check_choice, check_flag
from .activations import as_tensor
from .embedding import padding_row, refuse_embedding_index_dtype, renorm_options, renormalize_rows

__all__ = ["embedding_bag"]

MODES = ("sum", "mean", "max")


def _integer_array(name: str, value: Any) -> np.ndarray:
    array = np.asarray(value._data if isinstance(value, Node) else value)
    if array.dtype.kind not in "iu":
        raise IndexDtypeError(
            f"embedding_bag: {name} must hold integers, got dtype {array.dtype} (shape {array.shape})"
        )
    if isinstance(value, Node):
        refuse_embedding_index_dtype(f"embedding_bag ({name})", array.dtype)
    return array.astype(np.int64)


def _bag_positions(input: np.ndarray, offsets: Any, include_last_offset: bool) -> tuple[np.ndarray, np.ndarray]:
    """(positions, filled): positions (B, longest bag) into the flattened input, ``filled`` True where a
    position holds one of the bag's entries (False where a shorter bag is padded out)."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError(
                f"embedding_bag: offsets must be None for a 2-D input of shape {input.shape} (each row is a bag)"
            )
        bags, length = input.shape
        positions = np.arange(bags * length).reshape(bags, length)
        return positions, np.ones(positions.shape, dtype=bool)
    if input.ndim != 1:
        raise ValueError(f"embedding_bag: input must be 1-D (with offsets) or 2-D (B, N), got shape {input.shape}")
    if offsets is None:
        raise ValueError("embedding_bag: a 1-D input needs offsets, the start of each bag")
    starts = _integer_array("offsets", offsets)
    if starts.ndim != 1:
        raise ValueError(f"embedding_bag: offsets must be 1-D, got shape {starts.shape}")
    size = input.shape[0]
    # offsets torch refuses with a RuntimeError are ArgumentRangeErrors (ValueErrors too)
    if starts.size and starts[0] != 0:  # checked before include_last_offset drops the end, as torch
        raise ArgumentRangeError(
            f"embedding_bag: offsets[0] must be 0 (the first bag starts the input), got {starts[0]}"
        )
    if include_last_offset:
        if starts.size == 0 or starts[-1] > size:
            raise ArgumentRangeError(
                "embedding_bag: with include_last_offset there must be an offset, and the last offset must be at "
                f"most the input's length {size}, got offsets {starts.tolist()}"
            )
        starts = starts[:-1]  # torch reads the last offset no further: the last bag runs to the end
    ends = np.append(starts[1:], size)
    if np.any(ends < starts) or (starts.size and starts[-1] > size):
        raise ArgumentRangeError(
            f"embedding_bag: offsets must be non-decreasing and at most the input's length {size}, "
            f"got {starts.tolist()}"
        )
    lengths = ends - starts
    longest = int(lengths.max(initial=0))
    steps = np.arange(longest)
    filled = steps < lengths[:, None]
    positions = np.where(filled, starts[:, None] + steps, 0)
    return positions, filled


def embedding_bag(
    input: Any,
    weight: Any,
    offsets: Any = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Any = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """The sum, mean or maximum of the ``weight`` rows each bag of ``input`` reads (see the module docstring):
    a (B, embedding_dim) Tensor. Arguments as torch's; ``sparse`` is accepted, the gradient is always dense.
    """
    weight = as_tensor(weight, "embedding_bag", "weight")
    if weight.ndim != 2:
        raise ValueError(f"embedding_bag: weight must be 2-D (num_embeddings, embedding_dim), got shape {weight.shape}")
    rows = weight.shape[0]
    mode = check_choice("embedding_bag", "mode", mode, MODES)
    padding_idx = padding_row("embedding_bag", padding_idx, rows)
    scale_grad_by_freq = check_flag("embedding_bag", "scale_grad_by_freq", scale_grad_by_freq)
    check_flag("embedding_bag", "sparse", sparse)
    include_last_offset = check_flag("embedding_bag", "include_last_offset", include_last_offset)
    if scale_grad_by_freq and mode == "max":
        raise ValueError("embedding_bag: mode='max' does not support scale_grad_by_freq (as torch)")
    indices = _integer_array("input", input)
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        raise IndexBoundsError(  # torch's RuntimeError here, though embedding's is an IndexError
            f"embedding_bag: indices must be in [0, {rows - 1}] for a weight of {rows} rows, "
            f"got values {indices.min()} to {indices.max()}"
        )
    positions, filled = _bag_positions(indices, offsets, include_last_offset)
    flat = indices.reshape(-1)
    max_norm, norm_type = renorm_options("embedding_bag", max_norm, norm_type)
    if max_norm is not None:
        renormalize_rows(weight, flat, max_norm, norm_type)
    bag_indices = flat[positions] if flat.size else np.zeros(positions.shape, dtype=np.int64)
    if padding_idx is not None:
        filled = filled & (bag_indices != padding_idx)
    picked = weight[bag_indices]  # (B, longest, dim)
    if not filled.all():  # gaps (shorter bags, padding_idx) are zero, no gradient
        picked = where(filled[..., None], picked, 0.0)
    if scale_grad_by_freq and picked.requires_grad:
        counts = np.bincount(flat, minlength=rows)
        scale = (1.0 / counts[bag_indices])[..., None].astype(weight.dtype)
        picked.register_hook(lambda gradient: gradient * scale)
    if per_sample_weights is not None:
        if mode != "sum":
            raise UnsupportedOptionError(
                f"embedding_bag: per_sample_weights is only supported for mode='sum', got mode={mode!r}"
            )
        sample_weights = per_sample_weights if isinstance(per_sample_weights, Tensor) else Tensor(per_sample_weights)
        if sample_weights.shape != indices.shape:
            raise ValueError(
                f"embedding_bag: per_sample_weights must have the input's shape {indices.shape}, "
                f"got {sample_weights.shape}"
            )
        picked = picked * sample_weights.reshape(-1)[positions][..., None]
    if mode == "sum":
        return picked.sum(axis=1)
    if mode == "mean":
        counts = filled.sum(axis=1, keepdims=True)
        return picked.sum(axis=1) / np.maximum(counts, 1).astype(weight.dtype)
    if not positions.shape[1]:  # every bag is empty
        return picked.sum(axis=1)
    return where(filled.any(axis=1)[:, None], _first_maximum(weight, bag_indices, filled), 0.0)


def _first_maximum(weight: Tensor, bag_indices: np.ndarray, filled: np.ndarray) -> Tensor:
    """Each bag's maximum per feature, read from the first row holding it (as torch's max keeps the first row
    it meets, a tie gives that row the whole gradient); a nan is the maximum, as in numpy's argmax."""
    candidates = np.where(filled[..., None], weight.data[bag_indices], -np.inf)  # (B, longest, dim)
    rows = np.take_along_axis(bag_indices, candidates.argmax(axis=1), axis=1)  # (B, dim)
    return weight[rows, np.arange(weight.shape[1])]
