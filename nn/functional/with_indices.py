"""torch's ``*_with_indices`` names of the max pools: each is the pool with ``return_indices=True``, returning
``(output, indices)`` (the int64 indices as a numpy array, see :func:`~nn.functional.max_pool2d`). As torch's,
they take a ``return_indices`` argument and ignore it."""

from __future__ import annotations

from typing import Any

from autograd import Tensor
from autograd.conv import IntOrPair

from .adaptive_pooling import adaptive_max_pool1d, adaptive_max_pool2d
from .conv import max_pool2d
from .pooling1d import max_pool1d
from .pooling3d import adaptive_max_pool3d, max_pool3d

__all__ = [
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
]


def max_pool1d_with_indices(
    input: Any,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    dilation: int | tuple[int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """``max_pool1d(..., return_indices=True)``: (output, indices along L)."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(
    input: Any,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """``max_pool2d(..., return_indices=True)``: (output, flat indices row * W + column)."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(
    input: Any, output_size: int | tuple[int], return_indices: bool = False
) -> tuple[Tensor, Tensor]:
    """``adaptive_max_pool1d(..., return_indices=True)``: (output, indices along L)."""
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(
    input: Any, output_size: int | None | tuple[int | None, int | None], return_indices: bool = False
) -> tuple[Tensor, Tensor]:
    """``adaptive_max_pool2d(..., return_indices=True)``: (output, flat indices row * W + column)."""
    return adaptive_max_pool2d(input, output_size, True)


def max_pool3d_with_indices(
    input: Any,
    kernel_size: int | tuple[int, int, int],
    stride: int | tuple[int, int, int] | None = None,
    padding: int | tuple[int, int, int] = 0,
    dilation: int | tuple[int, int, int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> tuple[Tensor, Tensor]:
    """``max_pool3d(..., return_indices=True)``: (output, flat indices (d * H + h) * W + w)."""
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool3d_with_indices(
    input: Any, output_size: int | None | tuple[int | None, int | None, int | None], return_indices: bool = False
) -> tuple[Tensor, Tensor]:
    """``adaptive_max_pool3d(..., return_indices=True)``: (output, flat indices (d * H + h) * W + w)."""
    return adaptive_max_pool3d(input, output_size, True)
