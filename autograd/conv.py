"""The sliding-window primitives on NCHW Tensors: ``unfold`` (im2col), ``fold`` (col2im),
``conv2d`` and ``max_pool``; ``repeat_blocks`` and ``block_sums``, nearest upsampling by whole factors and
sums over tiling windows, and ``window_sums``, sums over any windows, on the trailing axes of any Tensor.

The window geometry and its formulas (which pixel window ``(i, j)`` reads at offset
``(a, b)``) are in :mod:`autograd.windows`, with the numpy kernels; each function here
checks its arguments, runs the kernel and records one node, whose derivative rule is in
:mod:`autograd.derivatives.conv`: ``unfold`` and ``fold`` are each other's, so are the
gather and scatter of max pooling, so are ``repeat_blocks`` and ``block_sums``, and ``window_sums`` and its spread;
``conv2d``'s rules are written with them.
``nn.functional`` builds convolution and pooling layers on these primitives.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .accumulation import COMPUTE_DTYPE, computing_data, in_dtype_of, rounded_to
from .derivatives import conv as cv
from .grad_mode import is_grad_enabled
from .quiet import quiet, quietly
from .shape_errors import ShapeError, is_integer
from .tensor import Tensor
from .windows import (
    IntOrPair,
    Pair,
    block_sums_array,
    ceil_mode_extra,
    conv_output_size,
    fold_array,
    pair,
    pool_output_size,
    repeat_blocks_array,
    unfold_array,
    window_argmax,
    window_sums_array,
)
from .windows import geometry as _geometry

__all__ = [
    "IntOrPair",
    "Pair",
    "block_sums",
    "conv_output_size",
    "fold",
    "conv2d",
    "fold_array",
    "max_pool",
    "pair",
    "repeat_blocks",
    "unfold",
    "unfold_array",
    "window_sums",
]


def _check_image(x: Tensor, op: str) -> None:
    if x.ndim != 4:
        raise ShapeError(f"{op}: expected an (N, C, H, W) tensor, got shape {x.shape}")


def unfold(
    x: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    pad_value: float = 0.0,
) -> Tensor:
    """The kernel windows of an ``(N, C, H, W)`` tensor, shape ``(N, C, H_out, W_out, kh, kw)``.

    ``unfold(x)[n, c, i, j, a, b] = pad(x)[n, c, i*sh + a*dh, j*sw + b*dw]`` with
    ``pad_value`` around the border; the gradient is ``fold`` of the upstream
    gradient (padding receives none).
    """
    _check_image(x, "unfold")
    geometry = _geometry(kernel_size, stride, padding, dilation, "unfold")
    for axis, length in enumerate(x.shape[2:]):
        conv_output_size(length, geometry[0][axis], geometry[2][axis], geometry[1][axis], geometry[3][axis])
    data = unfold_array(x._data, *geometry, pad_value=pad_value)
    attrs = dict(zip(("kernel_size", "stride", "padding", "dilation"), geometry), pad_value=pad_value)
    return Tensor._from_op(data, cv.unfold, (x,), attrs)


def fold(
    windows: Tensor,
    output_size: Sequence[int],
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
) -> Tensor:
    """Add ``(N, C, H_out, W_out, kh, kw)`` windows back into an ``(N, C, H, W)`` image.

    The adjoint of :func:`unfold` with the same geometry: every window entry is
    added to the pixel it was read from; entries that fall in the padding are
    dropped. The gradient is ``unfold`` of the upstream gradient.
    """
    geometry = _geometry(kernel_size, stride, padding, dilation, "fold")
    output_size = pair(output_size, "output_size", "fold", minimum=0)
    expected = tuple(
        conv_output_size(length, geometry[0][axis], geometry[2][axis], geometry[1][axis], geometry[3][axis])
        for axis, length in enumerate(output_size)
    )
    if windows.ndim != 6 or windows.shape[2:] != expected + geometry[0]:
        raise ShapeError(
            f"fold: windows of shape {windows.shape} do not match an image of size {output_size} with kernel "
            f"{geometry[0]}, stride {geometry[1]}, padding {geometry[2]}, dilation {geometry[3]} "
            f"(expected (N, C) + {expected + geometry[0]})"
        )
    data = quietly(fold_array, windows._data, output_size, *geometry)  # (inf + -inf landing on one pixel: nan)
    attrs = dict(zip(("kernel_size", "stride", "padding", "dilation"), geometry), output_size=output_size)
    return Tensor._from_op(data, cv.fold, (windows,), attrs)


def _block(x: Tensor, block: Sequence[int], op: str) -> tuple[int, ...]:
    """``block`` as a tuple of positive ints, one per trailing axis of ``x``; else a ValueError naming ``op``."""
    block = tuple(block)
    if not all(is_integer(r) and r >= 1 for r in block):
        raise ValueError(f"{op}: block must hold positive integers, got {block!r}")
    if len(block) > x.ndim:
        raise ValueError(f"{op}: block {block} has more axes than the tensor of shape {x.shape}")
    return tuple(int(r) for r in block)


def repeat_blocks(x: Tensor, block: Sequence[int]) -> Tensor:
    """Each entry of ``x`` repeated as a block over its last ``len(block)`` axes (nearest upsampling by the
    whole factors ``block``): out[..., i, j] = x[..., i // r, j // s] for ``block = (r, s)``.

    d/dx: the sum of g over each entry's block (:func:`block_sums`).
    """
    block = _block(x, block, "repeat_blocks")
    return Tensor._from_op(repeat_blocks_array(x._data, block), cv.repeat_blocks, (x,), {"block": block})


def block_sums(x: Tensor, block: Sequence[int]) -> Tensor:
    """The sums of ``x`` over the blocks of shape ``block`` that tile its last ``len(block)`` axes:
    out[..., i, j] = sum_{a < r, b < s} x[..., i r + a, j s + b] for ``block = (r, s)``.

    Each of those axes must be a multiple of its block length. d/dx: g repeated over each block
    (:func:`repeat_blocks`).
    """
    block = _block(x, block, "block_sums")
    if any(n % r for n, r in zip(x.shape[x.ndim - len(block) :], block)):
        raise ShapeError(f"block_sums: blocks {block} do not tile the last axes of a tensor of shape {x.shape}")
    data = quietly(block_sums_array, x._data, block)  # (inf + -inf in a block gives nan, as torch's, silently)
    return Tensor._from_op(data, cv.block_sums, (x,), {"block": block})


def window_sums(x: Tensor, kernel: Pair, stride: Pair, padding: Pair) -> Tensor:
    """The sums of ``x`` zero-padded by ``padding`` over its windows of shape ``kernel``, ``stride`` apart, on its
    last two axes (average pooling's numerators):
    out[..., i, j] = sum_{a < kh, b < kw} pad(x)[..., i*sh + a, j*sw + b].

    d/dx: each g[..., i, j] spread over its window (the padding's share dropped).
    """
    if x.ndim < 2:
        raise ShapeError(f"window_sums: expected a tensor of at least 2 axes, got shape {x.shape}")
    attrs = {"kernel": tuple(kernel), "stride": tuple(stride), "padding": tuple(padding)}
    with quiet():  # (inf + -inf in a window gives nan, as torch's, without numpy's warning)
        data = window_sums_array(x._data, **attrs)
    return Tensor._from_op(data, cv.window_sums, (x,), attrs)


def max_pool(
    x: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
    return_offsets: bool = False,
) -> Tensor | tuple[Tensor, np.ndarray]:
    """The maximum of every kernel window of an ``(N, C, H, W)`` tensor (padding never wins).

    out[n, c, i, j] = max_{a,b} pad(x)[n, c, i*sh + a*dh, j*sw + b*dw]. The gradient of each window
    goes to the entry PyTorch picks (:func:`autograd.windows.window_argmax`: the first maximum in
    row-major order, or the last NaN), through the ``gather_windows`` primitive (the argmax's kernel
    offsets) whose adjoint ``scatter_windows`` is its derivative rule.
    Every window must hold an input entry (padding at most half the kernel). The window count per
    axis is PyTorch's (:func:`autograd.windows.pool_output_size`): with ``ceil_mode`` a last window
    that starts inside the input may hang over the padded edge, even when the kernel is longer than
    the padded input. With ``return_offsets`` it also returns those offsets, ``a * kw + b`` per window
    (``(N, C, H_out, W_out)``, unsigned, no gradient; read only: the node keeps them).
    """
    _check_image(x, "max_pool")
    geometry = _geometry(kernel_size, stride, padding, dilation, "max_pool")
    extra = [0, 0]
    for axis, length in enumerate(x.shape[2:]):
        shape = (length, geometry[0][axis], geometry[2][axis], geometry[1][axis], geometry[3][axis])
        if length < 1 or pool_output_size(*shape, ceil_mode=ceil_mode) < 1:
            raise ShapeError(
                f"max_pool: input of shape {x.shape} has no window of kernel {geometry[0]} with stride "
                f"{geometry[1]}, padding {geometry[2]}, dilation {geometry[3]} and ceil_mode={ceil_mode}"
            )
        if ceil_mode:
            extra[axis] = ceil_mode_extra(*shape)
    values, offsets = window_argmax(x._data, *geometry, extra=(extra[0], extra[1]))
    attrs = dict(zip(("kernel_size", "stride", "padding", "dilation"), geometry), extra=(extra[0], extra[1]))
    out = Tensor._from_op(values, cv.gather, (x,), {"offsets": offsets, **attrs})
    return (out, offsets) if return_offsets else out


def conv2d(
    x: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrPair = 1,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation of ``(N, C_in, H, W)`` with ``(C_out, C_in / groups, kh, kw)`` as one node.

    out[n, o] = bias[o] + W_o . im2col(x)[n, group of o]: one (batched) matrix product of the
    weights with the im2col matrix (N, G, C_in/G*kh*kw, H_out*W_out), whose result is already
    in NCHW order (no transpose around the product). The im2col matrix is kept for the weight
    gradient when the weights need one, unless it is large (``im2col_in_chunks``): then it is built, multiplied
    and rebuilt by the weight gradient a few samples at a time. Arguments are checked by ``nn.functional.conv2d``;
    here only that the shapes fit.
    """
    _check_image(x, "conv2d")
    c_out, c_group, kh, kw = weight.shape
    if x.shape[1] != c_group * groups or c_out % groups:
        raise ShapeError(f"conv2d: input {x.shape}, weight {weight.shape} and groups={groups} do not fit")
    geometry = _geometry((kh, kw), stride, padding, dilation, "conv2d")
    windows = unfold_array(x._data, *geometry)
    # float16 runs in float32, the product and the bias, and is rounded once (torch's half kernels); the im2col
    # matrix kept for the weight gradient goes back to the input's dtype (exactly: it holds input entries)
    wide = computing_data(windows)
    in_chunks = cv.im2col_in_chunks(wide.shape, wide.dtype, geometry[1], geometry[3], groups)
    data, cols = quietly(cv.correlate, wide, computing_data(weight._data), groups, in_chunks)
    parents: tuple[Tensor, ...] = (x, weight)
    if bias is not None:
        data += computing_data(bias._data).reshape(c_out, 1, 1)
        parents = (x, weight, bias)
    if wide is not windows or weight._data.dtype in COMPUTE_DTYPE:
        data = rounded_to(data, np.result_type(windows, weight._data))
    keep = weight.requires_grad and is_grad_enabled() and cols is not None
    attrs = {"stride": geometry[1], "padding": geometry[2], "dilation": geometry[3], "groups": groups}
    return Tensor._from_op(data, cv.conv2d, parents, {**attrs, "cols": in_dtype_of(cols, windows) if keep else None})
