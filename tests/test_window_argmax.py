"""``autograd.windows.window_argmax``, the primitive behind max pooling, against a plain loop over the
windows that applies torch's rule: scan each window's entries in row-major order from ``best = -inf`` at the
first entry, keeping ``v`` when ``v > best or isnan(v)``. Inputs are small integers, so ties are common;
kernel sizes cover every offset dtype (uint8 up to 256 offsets, uint16 above)."""

from __future__ import annotations

import numpy as np
import pytest

from autograd.windows import window_argmax


def _reference(x: np.ndarray, kernel: tuple[int, int], stride: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    (kh, kw), (sh, sw) = kernel, stride
    n, c, height, width = x.shape
    out_h, out_w = (height - kh) // sh + 1, (width - kw) // sw + 1
    values = np.empty((n, c, out_h, out_w), dtype=x.dtype)
    offsets = np.empty((n, c, out_h, out_w), dtype=np.int64)
    for index in np.ndindex(n, c, out_h, out_w):
        b, ch, i, j = index
        best, chosen = -np.inf, 0
        for offset in range(kh * kw):
            a, col = divmod(offset, kw)
            v = x[b, ch, i * sh + a, j * sw + col]
            if v > best or np.isnan(v):
                best, chosen = v, offset
        values[index], offsets[index] = best, chosen
    return values, offsets


@pytest.mark.parametrize(
    ("shape", "kernel", "stride"),
    [
        ((2, 3, 8, 8), (2, 2), (2, 2)),
        ((2, 2, 7, 9), (3, 3), (1, 1)),
        ((1, 2, 6, 7), (3, 2), (2, 1)),
        ((1, 1, 20, 21), (17, 17), (1, 2)),
    ],
)
@pytest.mark.parametrize("with_nan", [False, True])
def test_window_argmax_picks_the_entry_torch_picks_among_ties_and_nans(shape, kernel, stride, with_nan):
    rng = np.random.default_rng(sum(shape) + kernel[0])
    x = rng.integers(-2, 3, size=shape).astype(np.float64)
    if with_nan:
        x[rng.random(shape) < 0.05] = np.nan
    values, offsets = window_argmax(x, kernel, stride, (0, 0), (1, 1))
    expected_values, expected_offsets = _reference(x, kernel, stride)
    np.testing.assert_array_equal(values, expected_values)
    np.testing.assert_array_equal(offsets, expected_offsets)
    assert offsets.dtype == (np.uint8 if kernel[0] * kernel[1] <= 256 else np.uint16)


def test_window_argmax_reports_offsets_past_255_with_a_kernel_of_more_than_256_entries():
    x = np.zeros((1, 1, 20, 20))
    x[0, 0, 16, 16] = 1.0  # offset 16 * 17 + 16 = 288 of window (0, 0); earlier offsets of later windows
    x[0, 0, 19, 3] = 2.0
    values, offsets = window_argmax(x, (17, 17), (1, 1), (0, 0), (1, 1))
    expected_values, expected_offsets = _reference(x, (17, 17), (1, 1))
    assert expected_offsets.max() >= 256
    np.testing.assert_array_equal(values, expected_values)
    np.testing.assert_array_equal(offsets, expected_offsets)
