"""Where max pooling found each maximum, torch's ``return_indices=True`` convention: the flat index
``row * W + column`` of the chosen entry in its (unpadded) input plane of width W, as int64.

The entry chosen in a window is :func:`autograd.windows.window_argmax`'s, the one the pooling's gradient
goes to, as torch's: in the row-major scan of the window's input entries, the first maximum, or the last NaN
when there is one, or the first entry when all are -inf; never the padding.
"""

from __future__ import annotations

import numpy as np

from autograd.windows import Pair, ceil_mode_extra, window_argmax

__all__ = ["max_pool2d_indices"]


def max_pool2d_indices(
    x: np.ndarray, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair, ceil_mode: bool = False
) -> np.ndarray:
    """The (N, C, H_out, W_out) int64 flat indices ``row * W + column`` of each window's maximum of the
    (N, C, H, W) array ``x``, for a geometry already checked by ``max_pool2d`` (pairs; padding at most half
    the kernel; every window holds an input entry).

    Window ``(i, j)``'s kernel offset ``a * kw + b`` reads row ``i*sh + a*dh - ph`` and column
    ``j*sw + b*dw - pw`` of the input."""
    height, width = x.shape[2:]
    extra = (0, 0)
    if ceil_mode:
        extra = tuple(
            ceil_mode_extra(length, kernel[axis], padding[axis], stride[axis], dilation[axis])
            for axis, length in enumerate((height, width))
        )
    _, offsets = window_argmax(x, kernel, stride, padding, dilation, extra=extra)
    offsets = offsets.astype(np.int64)
    out_h, out_w = offsets.shape[2:]
    kernel_row, kernel_column = np.divmod(offsets, kernel[1])
    rows = np.arange(out_h)[:, None] * stride[0] + kernel_row * dilation[0] - padding[0]
    columns = np.arange(out_w) * stride[1] + kernel_column * dilation[1] - padding[1]
    return rows * width + columns
