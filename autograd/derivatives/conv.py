"""Derivative table of the sliding-window primitives: ``unfold`` and its adjoint ``fold``,
``gather_windows`` (max pooling) and its adjoint ``scatter_windows``, ``repeat_blocks`` (nearest upsampling by
whole factors) and its adjoint ``block_sums`` (average pooling over tiling windows), ``window_sums`` (average
pooling over any windows) and its adjoint ``spread_over_windows``, and ``conv2d``.

``unfold`` takes an NCHW batch to the windows a kernel sees,
``(N, C, H_out, W_out, kh, kw)``; ``fold`` adds such windows back into an
``(N, C, H, W)`` image (overlapping windows accumulate). Both are linear and each
is the other's adjoint, so each rule is a single call of the other primitive;
under ``create_graph=True`` a rule records the other primitive as a node of the
gradient's own kind, so derivatives of every order come for free. The window of
``unfold`` may read padding (of any constant ``pad_value``, e.g. -inf for max
pooling); padding is not an input, so no gradient flows there.
"""

from __future__ import annotations

import numpy as np

from .. import shared_math as sm
from ..accumulation import rule_in_float32
from ..op import Op
from ..shared_math import ONES_ROWS, ones_vector
from ..windows import (
    block_sums_array,
    fold_array,
    gather_windows,
    repeat_blocks_array,
    scatter_windows,
    spread_over_windows_array,
    unfold_array,
    window_sums_array,
)


def _unfold_rule(g, out, x, kernel_size, stride, padding, dilation, pad_value):
    geometry = {"kernel_size": kernel_size, "stride": stride, "padding": padding, "dilation": dilation}
    return sm.apply_linear(fold, fold_array, g, output_size=tuple(x.shape[2:]), **geometry)


def _fold_rule(g, out, windows, output_size, kernel_size, stride, padding, dilation):
    geometry = {"kernel_size": kernel_size, "stride": stride, "padding": padding, "dilation": dilation}
    return sm.apply_linear(unfold, unfold_array, g, pad_value=0.0, **geometry)


# gather(x)[n, c, i, j] = x at window (i, j)'s kernel offset offsets[n, c, i, j] (max pooling picks the
# argmax's offsets); scatter adds each value back at that entry. Both are linear and each other's adjoint.
def _gather_rule(g, out, x, offsets, **geometry):
    return sm.apply_linear(scatter, scatter_windows, g, offsets=offsets, shape=tuple(x.shape), **geometry)


def _scatter_rule(g, out, values, offsets, shape, **geometry):
    return sm.apply_linear(gather, gather_windows, g, offsets=offsets, **geometry)


# conv2d(x, W, b): out = W3 @ cols + b per group, with cols the im2col matrix of x,
# (N, G, C_in/G * kh * kw, L) for L = H_out * W_out, and W3 = W as (G, C_out/G, C_in/G * kh * kw).
# d/dx = fold(W3^T g), d/dW = sum over the batch of g cols^T, d/db = sum of g over N, H_out, W_out.
def _im2col(x, kernel_size, stride, padding, dilation, groups):
    windows = sm.apply_linear(
        unfold,
        unfold_array,
        x,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        dilation=dilation,
        pad_value=0.0,
    )
    n, c, out_h, out_w, kh, kw = windows.shape
    return windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, groups, c // groups * kh * kw, out_h * out_w)


def correlate(windows, weight, groups, in_chunks=False):
    """The convolution of the windows ``(N, C_in, H_out, W_out, kh, kw)`` of a (padded) input with ``weight``
    ``(C_out, C_in / G, kh, kw)`` in ``groups`` G, on arrays: ``(out, cols)``, out ``(N, C_out, H_out, W_out)``.

    out[n, o] = W_o . cols[n, group of o], one batched matrix product of the weights as (G, C_out/G, C_in/G*kh*kw)
    with the im2col matrix cols (N, G, C_in/G*kh*kw, H_out*W_out), whose result is already in NCHW order; cols is
    None for a depthwise convolution (:func:`depthwise_forward`, no im2col copy) and ``in_chunks``
    (:func:`im2col_in_chunks`: cols built a few samples at a time and not kept).
    """
    n, c, out_h, out_w, kh, kw = windows.shape
    c_out, c_group = weight.shape[:2]
    if is_depthwise(weight.shape, groups):
        return depthwise_forward(windows, weight), None
    if in_chunks:
        return _correlate_in_chunks(windows, weight, groups), None
    cols = windows.transpose(0, 1, 4, 5, 2, 3).reshape(n, groups, c_group * kh * kw, out_h * out_w)
    data = np.matmul(weight.reshape(groups, c_out // groups, c_group * kh * kw), cols)
    return data.reshape(n, c_out, out_h, out_w), cols


# A large im2col matrix costs more to materialise (a fresh array of tens of MB: page faults on first touch) than to
# build a few samples at a time into one reused buffer: the forward multiplies each chunk as it is built and keeps
# nothing, and the weight gradient rebuilds the chunks (sum over chunks of g_n cols_n^T). Measured forward + weight
# gradient on one thread, 3x3 stride 1 padding 1 (whole matrix -> in chunks, ms): float32 64x32x28x28 -> 64 (58 MB)
# 44-48 -> 38-40, 32x64x32x32 -> 64 (75 MB) 57-60 -> 48-54, 16x32x56x56 -> 32 (58 MB) 32-35 -> 29-30; float64
# 64x32x28x28 (116 MB) 93-96 -> 75-77, 32x64x32x32 (151 MB) 115 -> 93-102. At 38 MB and below it is a tie or a loss
# (float32 16x64x32x32 24-25 -> 25-27, 32x32x28x28 -> 32 12.3 -> 13.3-13.9, LeNet's and the small CNN's 1-6 MB
# 1.1-2x slower); 1 to 8 samples a chunk are within noise of each other. Measured for one group, stride 1 and
# dilation 1 only, so only those take it.
_IM2COL_CHUNKED_ABOVE_BYTES = 48 << 20
_IM2COL_CHUNK_BYTES = 2 << 20


def im2col_in_chunks(windows_shape, dtype, stride, dilation, groups):
    """Whether conv2d builds the im2col matrix of windows ``(N, C_in, H_out, W_out, kh, kw)`` of ``dtype`` a few
    samples at a time (:func:`_correlate_in_chunks`): one group, stride 1, dilation 1 and more than 48 MB of it."""
    size = int(np.prod(windows_shape)) * np.dtype(dtype).itemsize
    return groups == 1 and stride == (1, 1) and dilation == (1, 1) and size > _IM2COL_CHUNKED_ABOVE_BYTES


def _im2col_chunks(windows, groups, dtype):
    """(start, cols) for each run of a few samples of the windows ``(N, C_in, H_out, W_out, kh, kw)``, cols their
    im2col matrix (n_chunk, G, C_in/G*kh*kw, H_out*W_out) of ``dtype`` in one buffer of about 2 MB reused by every
    chunk (each cols is overwritten by the next)."""
    n, c, out_h, out_w, kh, kw = windows.shape
    chunk = _samples_per_chunk(n, (c, kh, kw, out_h, out_w), dtype, _IM2COL_CHUNK_BYTES)
    buffer = np.empty((chunk, c, kh, kw, out_h, out_w), dtype=dtype)
    for start in range(0, n, chunk):
        part = windows[start : start + chunk]
        cols = buffer[: len(part)]
        np.copyto(cols, part.transpose(0, 1, 4, 5, 2, 3))
        yield start, cols.reshape(len(part), groups, c // groups * kh * kw, out_h * out_w)


def _correlate_in_chunks(windows, weight, groups):
    """:func:`correlate`'s out = W3 @ cols with cols built and multiplied a few samples at a time."""
    n, c, out_h, out_w, kh, kw = windows.shape
    c_out, c_group = weight.shape[:2]
    weight3 = weight.reshape(groups, c_out // groups, c_group * kh * kw)
    out = np.empty((n, groups, c_out // groups, out_h * out_w), dtype=np.result_type(windows, weight))
    for start, cols in _im2col_chunks(windows, groups, windows.dtype):
        np.matmul(weight3, cols, out=out[start : start + len(cols)])
    return out.reshape(n, c_out, out_h, out_w)


def _weight_gradient_in_chunks(g, windows, weight_shape, groups):
    """dL/dW = sum over the batch of g_n cols_n^T (as W3), the im2col matrix rebuilt a few samples at a time."""
    n, c, out_h, out_w, kh, kw = windows.shape
    c_out = weight_shape[0]
    g4 = g.reshape(n, groups, c_out // groups, out_h * out_w)
    dtype = np.result_type(g, windows)
    grad = np.zeros((groups, c_out // groups, c // groups * kh * kw), dtype=dtype)
    products = None
    for start, cols in _im2col_chunks(windows, groups, windows.dtype):
        if products is None:
            products = np.empty((len(cols),) + grad.shape, dtype=dtype)
        part = products[: len(cols)]
        np.matmul(g4[start : start + len(cols)], cols.swapaxes(-1, -2), out=part)
        grad += part.sum(axis=0)
    return grad.reshape(weight_shape)


def _conv_rule_x(g, out, x, weight, bias=None, *, stride, padding, dilation, groups, cols):
    if type(g) is np.ndarray and groups == 1 and _channels_last_is_faster(x.shape, weight.shape, g.shape, stride):
        return _conv_input_gradient(g, weight, x.shape, stride, padding, dilation)
    if type(g) is np.ndarray and _correlates_back(weight.shape, groups, stride, padding, dilation):
        return _input_gradient_by_correlation(g, weight, padding, dilation, groups)
    if type(g) is np.ndarray and is_depthwise(weight.shape, groups):
        return depthwise_input_gradient(g, weight, x.shape, stride, padding, dilation)
    n, c, height, width = x.shape
    c_out, c_group, kh, kw = weight.shape
    out_h, out_w = out.shape[2:]
    columns = weight.reshape(groups, c_out // groups, c_group * kh * kw).swapaxes(-1, -2) @ g.reshape(
        n, groups, c_out // groups, out_h * out_w
    )
    windows = columns.reshape(n, c, kh, kw, out_h, out_w).transpose(0, 1, 4, 5, 2, 3)
    return sm.apply_linear(
        fold,
        fold_array,
        windows,
        output_size=(height, width),
        kernel_size=(kh, kw),
        stride=stride,
        padding=padding,
        dilation=dilation,
    )


def _correlates_back(weight_shape, groups, stride, padding, dilation):
    """Whether :func:`_input_gradient_by_correlation` applies and is the faster: several groups of several input
    channels, no more output channels than input channels (its im2col copy of g is C_out/C_in times the fold's
    columns: 1.3-1.9x slower with twice as many), stride 1 and padding at most d (k - 1) per axis."""
    c_out, c_group = weight_shape[:2]
    if groups == 1 or c_group == 1 or c_out > c_group * groups or stride != (1, 1):
        return False
    return all(p <= d * (k - 1) for k, p, d in zip(weight_shape[2:], padding, dilation))


def _input_gradient_by_correlation(g, weight, padding, dilation, groups):
    """``_conv_rule_x`` on arrays for stride 1 and several groups: the forward convolution (:func:`correlate`) of g
    padded by d (k - 1) - p with the kernels flipped and each group's input and output channels swapped,
    dx[n, c] = sum_{o in c's group, a, b} W[o, c, kh-1-a, kw-1-b] pad(g)[n, o, i + a dh, j + b dw].

    The k*k offsets are summed inside one matrix product (of inner length C_out/G*kh*kw) instead of as k*k shifted
    adds of a (N, C_in*kh*kw, H_out*W_out) product into the image (fold), which moves k*k times the image through
    memory. Measured in float32 on one thread, batch 32-64 of 14x14-28x28 images, 32 input channels in 2-8 groups:
    1.5-4x faster with as many or fewer output channels, 3x3 and 5x5 kernels, dilation 1 and 2.
    """
    c_out, c_group, kh, kw = weight.shape
    flipped = weight[:, :, ::-1, ::-1].reshape(groups, c_out // groups, c_group, kh, kw).swapaxes(1, 2)
    flipped = flipped.reshape(groups * c_group, c_out // groups, kh, kw)
    (ph, pw), (dh, dw) = padding, dilation
    windows = unfold_array(g, (kh, kw), (1, 1), (dh * (kh - 1) - ph, dw * (kw - 1) - pw), dilation)
    return correlate(windows, flipped, groups)[0]


def _channels_last_is_faster(x_shape, weight_shape, out_shape, stride):
    """Whether :func:`_conv_input_gradient` (HWNC) beats the NCHW fold of W^T g for one group, counting the copy
    that makes its result contiguous (a leaf's .grad copies the transposed view; a next rule reads it strided):

        kh kw > 1  and  1500 C_in kh kw > C_out (H_out sh)(W_out sw) sqrt(H W).

    HWNC saves the fold's k*k strided adds over each input channel's planes, which pays with many input channels
    and taps; it costs transposing g (C_out H_out W_out per sample) and the result over the input plane H W (slow
    for large planes: numpy transposes a 32x32 float32 plane, 4 KB strides, 2x slower than a 28x28 one), and its
    per-offset product g^T W[:, :, a, b] reads g kh kw times for only C_in outputs a row (memory-bound for few input
    channels and many output channels). Stride 2 keeps the input plane of a 4x smaller output plane: a 3x3
    kernel over 32x64x32x32 with stride 2 runs 1.6x faster as the fold. A 1x1 kernel's fold is one copy.
    Fitted to 700 shapes timed in float32 and float64 on one thread (batch 16-64, 1-128 channels in, 8-128 out,
    7-56 px planes, 1x1 to 7x7 kernels, stride 1 and 2, padding 0 and k // 2) and checked on 220 more: over all
    920, more than 15% slower than the faster path in 3% of them (mostly 1-3 input channels, under a millisecond),
    1.4% slower in geometric mean; the old rule by output plane and input channels alone: 26% of them, 25%; always
    the fold: 31%, 24%."""
    c_out, c_in, kh, kw = weight_shape
    (height, width), (out_h, out_w), (sh, sw), taps = x_shape[2:], out_shape[2:], stride, kh * kw
    return taps > 1 and 1500 * c_in * taps > c_out * (out_h * sh) * (out_w * sw) * (height * width) ** 0.5


def _conv_input_gradient(g, weight, x_shape, stride, padding, dilation):
    """``_conv_rule_x`` on arrays with one group, the same fold(W^T g) computed in HWNC order.

    Kernel offset (a, b) contributes g^T W[:, :, a, b] (one batched product over the offsets)
    at rows a*dh + i*sh and columns b*dw + j*sw of the padded image; in an (H, W, N, C) buffer
    every one of those shifted adds runs over N*C contiguous entries (in NCHW, over runs of
    W_out). The result is the NCHW view of that buffer without its padding.
    """
    n, c, height, width = x_shape
    c_out, _, kh, kw = weight.shape
    _, _, out_h, out_w = g.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    rows = g.transpose(2, 3, 0, 1).reshape(out_h * out_w * n, c_out)
    per_offset = weight.transpose(2, 3, 0, 1).reshape(kh * kw, c_out, c)
    shares = np.matmul(rows, per_offset).reshape(kh, kw, out_h, out_w, n, c)
    padded = np.zeros((height + 2 * ph, width + 2 * pw, n, c), dtype=shares.dtype)
    rows_span, cols_span = sh * (out_h - 1) + 1, sw * (out_w - 1) + 1
    for a in range(kh):
        for b in range(kw):
            padded[a * dh : a * dh + rows_span : sh, b * dw : b * dw + cols_span : sw] += shares[a, b]
    return padded[ph : ph + height, pw : pw + width].transpose(2, 3, 0, 1)


def _conv_rule_weight(g, out, x, weight, bias=None, *, stride, padding, dilation, groups, cols):
    if type(g) is np.ndarray and type(x) is np.ndarray and is_depthwise(weight.shape, groups):
        windows = unfold_array(x, weight.shape[2:], stride, padding, dilation)
        return depthwise_weight_gradient(g, windows, weight.shape)
    if type(x) is np.ndarray and cols is None:  # the forward built im2col in chunks (im2col_in_chunks)
        windows = unfold_array(x, weight.shape[2:], stride, padding, dilation)
        return _weight_gradient_in_chunks(g, windows, weight.shape, groups)
    c_out = weight.shape[0]
    columns = sm.saved_unless_node(x, cols, lambda x: _im2col(x, weight.shape[2:], stride, padding, dilation, groups))
    g4 = g.reshape(x.shape[0], groups, c_out // groups, out.shape[2] * out.shape[3])
    return (g4 @ columns.swapaxes(-1, -2)).sum(axis=0).reshape(weight.shape)


# A depthwise convolution (one input channel per group; C_out = m C_in) is, per kernel offset (a, b), a product of
# each channel's shifted window with its m weights: k*k passes over the output instead of one tiny matrix product per
# (sample, group), which numpy runs one by one. The passes run over a few samples at a time, into one accumulator and
# one scratch array of about _DEPTHWISE_CHUNK_BYTES that stay in the cache across the k*k passes (no temporary per
# offset): over the whole batch each pass streams the output through memory, 1.4x slower in float32 on one thread
# (32x16x28x28, 3x3; 1 to 8 samples at a time all within 5% of each other).
_DEPTHWISE_CHUNK_BYTES = 1 << 18


def is_depthwise(weight_shape, groups):
    """Whether a convolution of weights of ``weight_shape`` in ``groups`` groups has one input channel per group."""
    return groups > 1 and weight_shape[1] == 1


def _samples_per_chunk(n, sample_shape, dtype, budget=_DEPTHWISE_CHUNK_BYTES):
    """How many samples of ``sample_shape`` fill about ``budget`` bytes (at least 1, at most ``n``)."""
    sample_bytes = max(1, int(np.prod(sample_shape)) * np.dtype(dtype).itemsize)
    return max(1, min(n, budget // sample_bytes))


def depthwise_forward(windows, weight):
    """out[n, c m + j] = sum_ab W[c m + j, 0, a, b] windows[n, c, :, :, a, b], for windows (N, C, H_out, W_out, kh, kw)
    of the (padded) input and W (C m, 1, kh, kw)."""
    n, c, out_h, out_w, kh, kw = windows.shape
    per_channel = weight.reshape(c, -1, kh, kw)  # (C, m, kh, kw)
    multiplier = per_channel.shape[1]
    out = np.empty((n, c, multiplier, out_h, out_w), dtype=np.result_type(windows, weight))
    chunk = _samples_per_chunk(n, out.shape[1:], out.dtype)
    scratch = np.empty((chunk,) + out.shape[1:], dtype=out.dtype)
    for start in range(0, n, chunk):
        total, part = out[start : start + chunk], windows[start : start + chunk, :, None]
        share = scratch[: len(total)]
        np.multiply(part[..., 0, 0], per_channel[:, :, 0, 0, None, None], out=total)
        for offset in range(1, kh * kw):
            a, b = divmod(offset, kw)
            np.multiply(part[..., a, b], per_channel[:, :, a, b, None, None], out=share)
            np.add(total, share, out=total)
    return out.reshape(n, c * multiplier, out_h, out_w)


def depthwise_input_gradient(g, weight, x_shape, stride, padding, dilation):
    """dL/dx of :func:`depthwise_forward`: each offset (a, b) adds sum_j g[:, c m + j] W[c m + j, 0, a, b] at rows
    a dh + i sh and columns b dw + j sw of the padded image."""
    n, c, height, width = x_shape
    _, _, kh, kw = weight.shape
    out_h, out_w = g.shape[2:]
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    per_channel = weight.reshape(c, -1, kh, kw)
    by_channel = g.reshape(n, c, per_channel.shape[1], out_h, out_w)
    dtype = np.result_type(g, weight)
    grad = np.empty((n, c, height, width), dtype=dtype)
    chunk = _samples_per_chunk(n, (c, height + 2 * ph, width + 2 * pw), dtype)
    padded = np.empty((chunk, c, height + 2 * ph, width + 2 * pw), dtype=dtype)
    scratch = np.empty((chunk, c, out_h, out_w), dtype=dtype)
    rows_span, cols_span = sh * (out_h - 1) + 1, sw * (out_w - 1) + 1
    for start in range(0, n, chunk):
        part = by_channel[start : start + chunk]
        image, share = padded[: len(part)], scratch[: len(part)]
        image.fill(0)
        for a in range(kh):
            for b in range(kw):
                if per_channel.shape[1] == 1:
                    np.multiply(part[:, :, 0], per_channel[:, 0, a, b, None, None], out=share)
                else:
                    np.einsum("ncjhw,cj->nchw", part, per_channel[:, :, a, b], out=share)
                window = image[:, :, a * dh : a * dh + rows_span : sh, b * dw : b * dw + cols_span : sw]
                np.add(window, share, out=window)
        grad[start : start + chunk] = image[:, :, ph : ph + height, pw : pw + width]
    return grad


def depthwise_weight_gradient(g, windows, weight_shape):
    """dL/dW of :func:`depthwise_forward`: dW[c m + j, 0, a, b] = sum over n, h, w of g[n, c m + j] windows[n, c, .., a, b]."""
    n, c, out_h, out_w, kh, kw = windows.shape
    by_channel = g.reshape(n, c, weight_shape[0] // c, out_h, out_w)  # (not -1: an empty batch cannot infer it)
    grad = np.empty((c, by_channel.shape[2], kh, kw), dtype=np.result_type(g, windows))
    for a in range(kh):
        for b in range(kw):
            grad[:, :, a, b] = np.einsum("ncjhw,nchw->cj", by_channel, windows[:, :, :, :, a, b])
    return grad.reshape(weight_shape)


def _conv_rule_bias(g, out, x, weight, bias, *, stride, padding, dilation, groups, cols):
    # the sum of g (N, C, H_out, W_out) over N, H_out and W_out
    n, c, height, width = g.shape
    if type(g) is np.ndarray and g.dtype.kind == "f" and g.flags.c_contiguous and max(n, height * width) <= ONES_ROWS:
        # sum over N, H, W as two BLAS products with ones: 3x faster than numpy's sum over three axes
        return ones_vector(n, g.dtype) @ (g.reshape(n, c, height * width) @ ones_vector(height * width, g.dtype))
    return g.sum(axis=(0, 2, 3))


def _repeat_blocks_rule(g, out, x, block):
    return sm.apply_linear(block_sums, block_sums_array, g, block=block)


def _block_sums_rule(g, out, x, block):
    return sm.apply_linear(repeat_blocks, repeat_blocks_array, g, block=block)


def _window_sums_rule(g, out, x, kernel, stride, padding):
    geometry = {"kernel": kernel, "stride": stride, "padding": padding}
    return sm.apply_linear(spread_over_windows, spread_over_windows_array, g, input_size=x.shape[-2:], **geometry)


def _spread_over_windows_rule(g, out, x, kernel, stride, padding, input_size):
    return sm.apply_linear(window_sums, window_sums_array, g, kernel=kernel, stride=stride, padding=padding)


# fmt: off
unfold = Op("unfold", _unfold_rule, reads_values=False)   # d/dx unfold(x)^T g = fold(g)
fold = Op("fold", _fold_rule, reads_values=False)         # d/dw fold(w)^T g = unfold(g)
gather = Op("gather_windows", _gather_rule, reads_values=False)      # d/dx gather(x)^T g = scatter(g)
scatter = Op("scatter_windows", _scatter_rule, reads_values=False)   # d/dv scatter(v)^T g = gather(g)
repeat_blocks = Op("repeat_blocks", _repeat_blocks_rule, reads_values=False)  # d/dx repeat(x)^T g = block sums of g
block_sums = Op("block_sums", _block_sums_rule, reads_values=False)           # d/dx sums(x)^T g = g repeated
window_sums = Op("window_sums", _window_sums_rule, reads_values=False)                    # d/dx: spread(g)
spread_over_windows = Op("spread_over_windows", _spread_over_windows_rule, reads_values=False)  # d/dg: sums(g)
# one node per convolution; float16 gradients are computed in float32 and rounded once (rule_in_float32), as torch's
# half kernels: their products, the overlapping windows and the sums over batch and positions add up in float32
conv2d = Op(
    "conv2d", *[rule_in_float32(rule) for rule in (_conv_rule_x, _conv_rule_weight, _conv_rule_bias)], releases=("cols",)
)
# fmt: on
