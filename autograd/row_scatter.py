"""The adjoint of reading slices along one axis: zeros with slices of g added at integer positions, repeated
positions accumulating (numpy's ``np.add.at(out, (..., positions), g)``), in plain numpy.

Indexing's gradient (``x[idx]``, ``x[:, idx]``, embeddings, ``index_add``) lands here through
:func:`autograd.shared_math.scatter_add`. np.add.at loops over the slices one at a time, and
``np.add.reduceat`` over the sorted slices is not much faster on rows; two exact, vectorised forms are:

* **levels**: the k-th occurrences of the positions (k = 0, 1, ...) are distinct targets, so each level is one
  ``out[targets] += rows``; level by level, each target accumulates its slices in the order they come, as
  np.add.at does (the same sums, rounding included). The loop runs as many times as the most repeated position.
* **one-hot product**: ``S @ g`` with the (targets, slices) 0/1 matrix S, one BLAS product, for finite
  floating-point slices (``0 * inf`` would spread a NaN) when it costs less than the levels (see
  :func:`_one_hot_is_cheaper`). It sums in BLAS's order: equal to the others up to rounding.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["scatter_add_along"]

#: The cost of one level of the levels' loop and of moving one entry there, in multiply-adds of the one-hot
#: product (float32 on one core: about 7 us per level, 0.4 ns per entry, 0.026 ns per multiply-add).
LEVEL_COST, ENTRY_COST = 270_000, 15
#: The largest one-hot matrix made, in entries.
ONE_HOT_ENTRIES = 1 << 22


def scatter_add_along(g: np.ndarray, positions: np.ndarray, axis: int, shape: tuple[int, ...]) -> np.ndarray:
    """Zeros of ``shape`` with slice j of ``g`` along ``axis`` added at ``positions[j]`` (1-D, in range, negative
    counting from the end): out[..., p, ...] = sum over j with positions[j] = p of g[..., j, ...]."""
    positions = positions.astype(np.intp, copy=False)  # (a narrow dtype cannot hold i + size)
    positions = np.where(positions < 0, positions + shape[axis], positions)
    if not positions.size:
        return np.zeros(shape, dtype=g.dtype)
    counts = np.bincount(positions, minlength=shape[axis])
    if counts.max() == 1:  # no position repeats: one assignment
        result = np.zeros(shape, dtype=g.dtype)
        result[(slice(None),) * axis + (positions,)] = g
        return result
    if _one_hot_is_cheaper(shape[axis], positions.size, g.size, int(counts.max())) and g.dtype.char in "fd":
        if np.isfinite(g).all():
            return _one_hot_product(g, positions, axis, shape)
    return _by_levels(g, positions, counts, axis, shape)


def _one_hot_is_cheaper(targets: int, count: int, entries: int, levels: int) -> bool:
    """Whether the one-hot product (targets * entries multiply-adds) beats ``levels`` passes of the levels' loop
    over ``entries`` (measured: 64 targets, 20,000 rows of 16, 3x faster; 2,000 rows of 512, 2x slower)."""
    if targets * count > ONE_HOT_ENTRIES:
        return False
    return (targets - ENTRY_COST) * entries < LEVEL_COST * levels


def _one_hot_product(g: np.ndarray, positions: np.ndarray, axis: int, shape: tuple[int, ...]) -> np.ndarray:
    """S @ g along ``axis``, S[p, j] = 1 where positions[j] = p (finite g: no 0 * inf)."""
    selector = np.zeros((shape[axis], positions.size), dtype=g.dtype)
    selector[positions, np.arange(positions.size)] = 1
    lead, rest = math.prod(shape[:axis]), math.prod(shape[axis + 1 :])
    slices = g.reshape(lead, positions.size, rest)
    return np.matmul(selector, slices[0] if lead == 1 else slices).reshape(shape)


def _narrow(keys: np.ndarray, bound: int) -> np.ndarray:
    """``keys`` (in [0, bound)) as the narrowest unsigned dtype that holds them: numpy's stable argsort of 8- and
    16-bit integers is a radix sort (12x faster than int64's on 20,000 keys below 1000); the same order."""
    return keys.astype(np.min_scalar_type(max(int(bound) - 1, 0)), copy=False)


def _by_levels(
    g: np.ndarray, positions: np.ndarray, counts: np.ndarray, axis: int, shape: tuple[int, ...]
) -> np.ndarray:
    """One ``out[targets] += slices`` per level: level k holds each position's k-th occurrence (distinct targets),
    so every target adds its slices in their order, as np.add.at does."""
    order = np.argsort(_narrow(positions, counts.size), kind="stable")
    run_starts = np.cumsum(counts) - counts  # where each target's run begins in the sorted order
    level = np.arange(positions.size) - run_starts[positions[order]]
    by_level = order[np.argsort(_narrow(level, counts.max()), kind="stable")]
    level_ends = np.cumsum(np.bincount(level))
    targets = positions[by_level]
    taken = np.take(g, by_level, axis=axis)  # one gather; each level a contiguous block
    lead = (slice(None),) * axis
    result = np.zeros(shape, dtype=g.dtype)
    result[(*lead, targets[: level_ends[0]])] = taken[(*lead, slice(0, level_ends[0]))]
    for start, end in zip(level_ends[:-1], level_ends[1:]):
        result[(*lead, targets[start:end])] += taken[(*lead, slice(start, end))]
    return result
