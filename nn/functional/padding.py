"""Padding of a Tensor's trailing (spatial) axes in torch's modes: zeros, reflect, replicate, circular.

Each non-constant mode is a gather: the padded axis reads the input at an index array (reflect:
... 2 1 | 0 1 2 ... n-1 | n-2 n-3 ...; replicate: 0 0 | 0 ... n-1 | n-1 n-1; circular: n-2 n-1 | 0 ... n-1 | 0 1),
so it is the ``getitem`` primitive and its gradient scatters g back, adding up where an input entry
was read more than once; differentiable to any order.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd import Tensor

__all__ = ["PADDING_MODES", "pad_spatial", "same_padding"]

#: torch's ``padding_mode`` values of the convolution modules.
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def same_padding(kernel: Sequence[int], dilation: Sequence[int]) -> tuple[tuple[int, int], ...]:
    """(before, after) per axis that keeps the length at stride 1: the total d (k - 1) split with the odd
    one after (on the right / bottom), as torch's ``padding='same'``."""
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    return tuple((total // 2, total - total // 2) for total in totals)


def _source_indices(length: int, before: int, after: int, mode: str) -> np.ndarray:
    """Which input entry each position of the padded axis reads."""
    positions = np.arange(-before, length + after)
    if mode == "replicate":
        return np.clip(positions, 0, length - 1)
    if mode == "circular":
        return positions % length
    period = 2 * (length - 1)  # reflect: the edge entries are not repeated
    folded = np.abs(positions) % period if period else np.zeros_like(positions)
    return np.where(folded >= length, period - folded, folded)


def pad_spatial(x: Tensor, widths: Sequence[tuple[int, int]], mode: str, op: str) -> Tensor:
    """``x`` padded by ``widths`` ((before, after) for each of its last ``len(widths)`` axes) in ``mode``.

    "zeros" pads with 0 (any width); "reflect" mirrors about the edge entry and, as torch, needs each width
    smaller than the axis; "circular" wraps around and needs each width at most the axis; "replicate" repeats
    the edge entry and needs a non-empty axis. Errors name ``op``, the widths and the input's shape.
    The gradient sums the upstream gradient of every padded position that read an input entry into it.
    """
    if mode not in PADDING_MODES:
        raise ValueError(f"{op}: padding_mode must be one of {PADDING_MODES}, got {mode!r}")
    first = x.ndim - len(widths)
    if mode == "zeros":
        return x.pad(((0, 0),) * first + tuple(widths)) if any(any(w) for w in widths) else x
    for axis, (before, after) in enumerate(widths, start=first):
        length, widest = x.shape[axis], max(before, after)
        problem = {
            "reflect": widest > 0 and widest >= length and f"each padding smaller than the input's size {length}",
            "circular": widest > length and f"each padding at most the input's size {length}",
            "replicate": widest > 0 and length == 0 and "a non-empty input",
        }[mode]
        if problem:
            raise ValueError(
                f"{op}: padding_mode={mode!r} needs {problem} along axis {axis}; got padding ({before}, {after}) "
                f"for input of shape {x.shape}"
            )
        if before or after:
            x = x[(slice(None),) * axis + (_source_indices(length, before, after, mode),)]
    return x
