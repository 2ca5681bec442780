"""Resampling one axis by a banded weight matrix, block by block (interpolation's linear and cubic weights,
adaptive average pooling's windows on long axes).

Each output entry reads a few neighbouring inputs, so the (size, length) weight matrix is zero outside a band.
Multiplying by the whole matrix costs size x length per line (quadratic: 20,000 outputs from 10,000 inputs
build a 1.6 GB matrix); here rows come in blocks of ``ROW_BLOCK``, each a dense matrix over the columns its
rows read, so the work and memory are about size x (band width + ROW_BLOCK / scale). The blocks hold the
whole matrix's entries exactly, and each block's product is the one the whole matrix's gives its rows (BLAS
splits a long inner axis into panels, so now and then a sum is rounded at another place: a last-bit
difference). The gradient is the transposed blocks' products, added where blocks share columns; it is
recorded, so it is differentiable again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import shared_math as sm
from .op import Op

__all__ = ["Block", "blocks_from_taps", "blocks_from_windows", "resample", "worth_banding"]

#: Output rows per block.
ROW_BLOCK = 256
#: Weight matrices of fewer entries are multiplied whole (one matmul is as fast there).
BANDED_ENTRIES = 1 << 20

#: A block: output rows start:stop read input columns low:high through ``weights`` (stop - start, high - low).
Block = tuple[int, int, int, int, np.ndarray]


def worth_banding(length: int, size: int) -> bool:
    """Whether a (size, length) weight matrix is large enough to be applied by blocks."""
    return size > 2 * ROW_BLOCK and size * length >= BANDED_ENTRIES


def blocks_from_taps(taps: Sequence[tuple[np.ndarray, np.ndarray]], size: int, dtype: Any) -> tuple[Block, ...]:
    """The blocks of the (size, length) matrix that sums each tap's weights[i] at (i, columns[i]), the taps in
    turn (np.add.at, as the whole matrix is built: the same sums), cast to ``dtype``."""
    blocks = []
    for start in range(0, size, ROW_BLOCK):
        stop = min(start + ROW_BLOCK, size)
        low = min(int(columns[start:stop].min()) for columns, _ in taps)
        high = max(int(columns[start:stop].max()) for columns, _ in taps) + 1
        weights = np.zeros((stop - start, high - low))
        rows = np.arange(stop - start)
        for columns, tap in taps:
            np.add.at(weights, (rows, columns[start:stop] - low), tap[start:stop])
        blocks.append((start, stop, low, high, weights.astype(dtype)))
    return tuple(blocks)


def blocks_from_windows(starts: np.ndarray, ends: np.ndarray, dtype: Any) -> tuple[Block, ...]:
    """The blocks of the matrix whose row i averages columns starts[i] to ends[i] - 1 (both non-decreasing):
    1 / (ends[i] - starts[i]) there, 0 elsewhere, cast to ``dtype``."""
    blocks = []
    for start in range(0, starts.size, ROW_BLOCK):
        stop = min(start + ROW_BLOCK, starts.size)
        low, high = int(starts[start:stop].min()), int(ends[start:stop].max())
        cells = np.arange(low, high)
        first, last = starts[start:stop, None], ends[start:stop, None]
        weights = ((cells >= first) & (cells < last)) / (last - first)
        blocks.append((start, stop, low, high, weights.astype(dtype)))
    return tuple(blocks)


def _resample_data(x: np.ndarray, blocks: tuple[Block, ...], axis: int, size: int, transposed: bool) -> np.ndarray:
    """y = W x along ``axis`` (W^T x if ``transposed``: the gradient), W given by its blocks, size y's length
    there. Along the last axis x W^T, else W x per (leading, axis, trailing) batch, as the whole matrix's
    products are laid out."""
    shape = x.shape[:axis] + (size,) + x.shape[axis + 1 :]
    dtype = np.result_type(x.dtype, *(weights.dtype for *_, weights in blocks[:1]))
    out = np.zeros(shape, dtype=dtype)
    last = axis == x.ndim - 1
    if not last:
        lead, rest = math.prod(x.shape[:axis]), math.prod(x.shape[axis + 1 :])
        x = x.reshape(lead, x.shape[axis], rest)
        out = out.reshape(lead, size, rest)
    with np.errstate(all="ignore"):  # an inf in x: 0 * inf is nan, silently (the caller then reads tap by tap)
        _fill_blocks(out, x, blocks, last, transposed)
    return out.reshape(shape)


def _fill_blocks(out: np.ndarray, x: np.ndarray, blocks: tuple[Block, ...], last: bool, transposed: bool) -> None:
    for start, stop, low, high, weights in blocks:
        if transposed:
            start, stop, low, high, weights = low, high, start, stop, weights.T
        if last:
            product = np.matmul(x[..., low:high], weights.T)
            target = out[..., start:stop]
        else:
            product = np.matmul(weights, x[:, low:high, :])
            target = out[:, start:stop, :]
        if transposed:  # the transposed blocks' rows overlap: their products add up
            target += product
        else:
            target[...] = product


def _resample_rule(g, out, x, blocks, axis, size, transposed):
    return resample(g, blocks, axis, x.shape[axis], not transposed)


banded_resample = Op("banded_resample", _resample_rule, reads_values=False)


def resample(x: Any, blocks: tuple[Block, ...], axis: int, size: int, transposed: bool = False) -> Any:
    """W x along ``axis`` of ``x`` (W^T x if ``transposed``), W given by its blocks; recorded for a node."""
    return sm.record(banded_resample, _resample_data, x, blocks=blocks, axis=axis, size=size, transposed=transposed)
