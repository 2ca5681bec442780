"""Max unpooling, the partial inverse of max pooling with ``return_indices=True`` (torch's ``max_unpool1d/2d/3d``).

Each input value is written at its index in a zero output plane:

    out[n, c].flat[indices[n, c, i, j]] = x[n, c, i, j],  every other entry 0,

and d/dx[n, c, i, j] = g[n, c].flat[indices[n, c, i, j]] (the gradient gathered back from where each value
went), torch's rule: where several values share an index (overlapping pooling windows that chose the same
entry, so the same value) the last one written is kept, and each of them gets the gradient there. The output
plane is (H_in - 1) * stride - 2 * padding + kernel_size per axis unless ``output_size`` asks for another
size within one stride of it, as torch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Function, ShapeError, Tensor, take_along_axis
from autograd.index_errors import IndexDtypeError
from autograd.shape_errors import ArgumentRangeError
from autograd.windows import IntOrPair, Pair, pair

from .activations import as_float_tensor
from .conv import single, stride_unset, triple

__all__ = ["max_unpool1d", "max_unpool2d", "max_unpool3d"]


def _default_size(length: int, kernel: int, stride: int, padding: int) -> int:
    return (length - 1) * stride - 2 * padding + kernel


def _output_plane(
    op: str, spatial: tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair, output_size: Any
) -> tuple[int, ...]:
    """The output's spatial size: the default, or ``output_size`` (its last len(spatial) entries, as torch takes
    a full (N, C, ...) size too) when each lies strictly within one stride of the default."""
    default = tuple(_default_size(n, k, s, p) for n, k, s, p in zip(spatial, kernel, stride, padding))
    if output_size is None:
        return default
    sizes = tuple(output_size)
    if len(sizes) not in (len(spatial), len(spatial) + 2):
        raise ValueError(f"{op}: output_size must have {len(spatial)} (or {len(spatial) + 2}) entries, got {sizes}")
    sizes = tuple(int(size) for size in sizes[-len(spatial) :])
    for axis, (size, usual, step) in enumerate(zip(sizes, default, stride)):
        if not usual - step < size < usual + step:
            raise ValueError(
                f"{op}: invalid output_size {sizes}: size {axis} must be between {usual - step} and "
                f"{usual + step} (exclusive) for this input, kernel, stride and padding"
            )
    return sizes


class _Unpool(Function):
    """(N, C, L) values written at their flat indices along the last axis of zero (N, C, area) planes; see the
    module doc."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, flat_index: np.ndarray, area: int) -> np.ndarray:
        ctx.save_for_backward(flat_index)  # as torch saves the indices (a second backward needs retain_graph)
        out = np.zeros((*x.shape[:2], area), dtype=x.dtype)
        np.put_along_axis(out, flat_index, x._data, axis=2)
        return out

    @staticmethod
    def backward(ctx: Any, grad: Tensor) -> tuple[Tensor, None, None]:
        (flat_index,) = ctx.saved_tensors
        return take_along_axis(grad, flat_index, axis=2), None, None


def _unpool(op: str, x: Tensor, index: np.ndarray, plane: tuple[int, ...]) -> Tensor:
    """x's values written at ``index`` in zero planes of shape ``plane`` (x: (N, C, ...) batched)."""
    if index.dtype.kind not in "iu":
        raise IndexDtypeError(f"{op}: indices must be integers (int64, as max pooling returns them), got {index.dtype}")
    if index.shape != x.shape:
        raise ShapeError(f"{op}: indices of shape {index.shape} must have the input's shape {x.shape}")
    area = int(np.prod(plane))
    if index.size and (index.min() < 0 or index.max() >= area):
        bad = index[(index < 0) | (index >= area)].flat[0]  # a ValueError, and torch's RuntimeError
        raise ArgumentRangeError(
            f"{op}: found an invalid max index {bad} (the output planes are {plane}, {area} entries)"
        )
    n, c = x.shape[:2]
    length = int(np.prod(x.shape[2:]))  # not -1: an empty batch cannot infer it
    flat_index = index.astype(np.intp).reshape(n, c, length)  # a copy: changing the caller's indices later is harmless
    return _Unpool.apply(x.reshape(n, c, length), flat_index, area).reshape((n, c, *plane))


def _batched(op: str, input: Any, indices: Any, spatial_axes: int) -> tuple[Tensor, np.ndarray, bool]:
    """The input as a float (N, C, ...) Tensor, the indices as an array, and whether a batch axis was added."""
    x = as_float_tensor(input, op)
    index = np.asarray(indices._data if isinstance(indices, Tensor) else indices)
    if x.ndim == spatial_axes + 1:
        return x.reshape((1, *x.shape)), index.reshape((1, *index.shape)), True
    if x.ndim != spatial_axes + 2:
        raise ShapeError(
            f"{op}: expected an input of {spatial_axes + 2} axes (N, C, ...) or {spatial_axes + 1} (C, ...), "
            f"got shape {x.shape}"
        )
    return x, index, False


def max_unpool2d(
    input: Any,
    indices: Any,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    output_size: Any = None,
) -> Tensor:
    """Put each value of the (N, C, H, W) or (C, H, W) ``input`` at its flat index ``row * W_out + column`` in
    zero (H_out, W_out) planes (see the module doc); ``indices`` as ``max_pool2d(..., return_indices=True)``
    returns them, ``stride`` the kernel size by default."""
    kernel = pair(kernel_size, "kernel_size", "max_unpool2d")
    steps = kernel if stride_unset(stride) else pair(stride, "stride", "max_unpool2d")
    pad = pair(padding, "padding", "max_unpool2d", minimum=0)
    x, index, unbatched = _batched("max_unpool2d", input, indices, 2)
    plane = _output_plane("max_unpool2d", x.shape[2:], kernel, steps, pad, output_size)
    out = _unpool("max_unpool2d", x, index, plane)
    return out.reshape(out.shape[1:]) if unbatched else out


def max_unpool1d(
    input: Any,
    indices: Any,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    output_size: Any = None,
) -> Tensor:
    """Put each value of the (N, C, L) or (C, L) ``input`` at its position ``indices`` (as ``max_pool1d`` returns
    them) along zero lines of length L_out = (L - 1) * stride - 2 * padding + kernel_size (or ``output_size``)."""
    kernel = single(kernel_size, "kernel_size", "max_unpool1d")
    steps = kernel if stride_unset(stride) else single(stride, "stride", "max_unpool1d")
    pad = single(padding, "padding", "max_unpool1d", minimum=0)
    x, index, unbatched = _batched("max_unpool1d", input, indices, 1)
    plane = _output_plane("max_unpool1d", x.shape[2:], (kernel,), (steps,), (pad,), output_size)
    out = _unpool("max_unpool1d", x, index, plane)
    return out.reshape(out.shape[1:]) if unbatched else out


def max_unpool3d(
    input: Any,
    indices: Any,
    kernel_size: int | tuple[int, int, int],
    stride: int | tuple[int, int, int] | None = None,
    padding: int | tuple[int, int, int] = 0,
    output_size: Any = None,
) -> Tensor:
    """Put each value of the (N, C, D, H, W) or (C, D, H, W) ``input`` at its flat index ``(d * H_out + h) * W_out
    + w`` (as ``max_pool3d(..., return_indices=True)`` returns them) in zero (D_out, H_out, W_out) volumes (see
    the module doc); ``stride`` the kernel size by default."""
    kernel = triple(kernel_size, "kernel_size", "max_unpool3d")
    steps = kernel if stride_unset(stride) else triple(stride, "stride", "max_unpool3d")
    pad = triple(padding, "padding", "max_unpool3d", minimum=0)
    x, index, unbatched = _batched("max_unpool3d", input, indices, 3)
    volume = _output_plane("max_unpool3d", x.shape[2:], kernel, steps, pad, output_size)
    out = _unpool("max_unpool3d", x, index, volume)
    return out.reshape(out.shape[1:]) if unbatched else out
