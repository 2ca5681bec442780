"""Where max pooling found each maximum, torch's ``return_indices=True`` convention: the flat index
``row * W + column`` of the chosen entry in its (unpadded) input plane of width W, as int64.

The entry chosen in a window is :func:`autograd.windows.window_argmax`'s, the one the pooling's gradient
goes to, as torch's: in the row-major scan of the window's input entries, the first maximum, or the last NaN
when there is one, or the first entry when all are -inf; never the padding.
"""

from __future__ import annotations

import numpy as np

from autograd import Tensor, from_numpy
from autograd.windows import Pair

__all__ = ["index_tensor", "max_pool2d_indices"]


def index_tensor(indices: np.ndarray) -> Tensor:
    """The pools' ``indices`` as torch returns them: an int64 Tensor outside the graph (as ``argmax``'s)."""
    return from_numpy(indices.astype(np.int64, copy=False))


def max_pool2d_indices(
    offsets: np.ndarray, width: int, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair
) -> np.ndarray:
    """The (N, C, H_out, W_out) int64 flat indices ``row * W + column`` in input planes of width ``width`` of
    the entries each window chose, from their kernel offsets ``a * kw + b`` (as ``autograd.conv.max_pool``
    returns them with ``return_offsets=True``), for the geometry that pooling used (pairs).

    Window ``(i, j)``'s kernel offset ``a * kw + b`` reads row ``i*sh + a*dh - ph`` and column
    ``j*sw + b*dw - pw`` of the input."""
    offsets = offsets.astype(np.int64)
    out_h, out_w = offsets.shape[2:]
    kernel_row, kernel_column = np.divmod(offsets, kernel[1])
    rows = np.arange(out_h)[:, None] * stride[0] + kernel_row * dilation[0] - padding[0]
    columns = np.arange(out_w) * stride[1] + kernel_column * dilation[1] - padding[1]
    return rows * width + columns
