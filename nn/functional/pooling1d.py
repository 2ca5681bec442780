"""1-D pooling over the last axis of (N, C, L) or (C, L) input, torch's ``max_pool1d``, ``avg_pool1d`` and
``adaptive_avg_pool1d``: the 2-D pools over a (1, L) plane, so values, gradients and options are theirs. The
geometry is checked first on the line, so errors name the 1-D function and the caller's shape."""

from __future__ import annotations

from typing import Any

from autograd import ShapeError, Tensor

from ..checks import check_flag
from .activations import as_float_tensor
from .conv import (
    adaptive_avg_pool2d,
    as_pooled_tensor,
    avg_pool2d,
    integer_means,
    max_pool2d,
    pool_windows,
    single,
    stride_unset,
)

__all__ = ["adaptive_avg_pool1d", "avg_pool1d", "max_pool1d"]


def _line_input(function: str, input: Any, keep_integers: bool = False) -> Tensor:
    """``input`` as a float (N, C, L) or (C, L) Tensor (integer data kept with ``keep_integers``: see
    :func:`as_pooled_tensor`); errors name ``function``."""
    x = as_pooled_tensor(input, function) if keep_integers else as_float_tensor(input, function)
    if x.ndim not in (2, 3):
        raise ShapeError(f"{function}: expected a (C, L) or (N, C, L) input, got shape {x.shape}")
    return x


def _plane(x: Tensor) -> Tensor:
    """(N, C, L) as (N, C, 1, L), or (C, L) as (C, 1, L)."""
    return x.reshape(x.shape[:-1] + (1, x.shape[-1]))


def _line(y: Tensor) -> Tensor:
    return y.reshape(y.shape[:-2] + (y.shape[-1],))


def max_pool1d(
    input: Any,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    dilation: int | tuple[int] = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """Maximum over each window of ``kernel_size`` along the last axis (stride: the kernel size by default);
    see ``max_pool2d``. ``return_indices=True`` returns ``(output, indices)``, the int64 positions along L of
    the chosen entries, as torch. Integer input keeps its dtype, as torch's (which refuses it without indices)."""
    return_indices = check_flag("max_pool1d", "return_indices", return_indices)
    kernel = single(kernel_size, "kernel_size", "max_pool1d")
    steps = kernel if stride_unset(stride) else single(stride, "stride", "max_pool1d")
    pad = single(padding, "padding", "max_pool1d", minimum=0)
    spread = single(dilation, "dilation", "max_pool1d")
    line = _line_input("max_pool1d", input, keep_integers=True)  # each maximum is an input entry: its dtype, exact
    ceil_mode = bool(ceil_mode)
    pool_windows("max_pool1d", line.shape, (kernel,), (steps,), (pad,), (spread,), ceil_mode)
    x = _plane(line)
    if not return_indices:
        return _line(max_pool2d(x, (1, kernel), (1, steps), (0, pad), (1, spread), ceil_mode))
    out, indices = max_pool2d(x, (1, kernel), (1, steps), (0, pad), (1, spread), ceil_mode, True)
    return _line(out), indices.reshape(indices.shape[:-2] + (indices.shape[-1],))  # row 0: index = position


@integer_means
def avg_pool1d(
    input: Any,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    padding: int | tuple[int] = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """Mean over each window of ``kernel_size`` along the last axis (stride: the kernel size by default);
    see ``avg_pool2d`` for ``ceil_mode`` and ``count_include_pad``."""
    kernel = single(kernel_size, "kernel_size", "avg_pool1d")
    steps = kernel if stride_unset(stride) else single(stride, "stride", "avg_pool1d")
    pad = single(padding, "padding", "avg_pool1d", minimum=0)
    line = _line_input("avg_pool1d", input)
    ceil_mode = bool(ceil_mode)
    pool_windows("avg_pool1d", line.shape, (kernel,), (steps,), (pad,), (1,), ceil_mode)
    return _line(avg_pool2d(_plane(line), (1, kernel), (1, steps), (0, pad), ceil_mode, count_include_pad))


def adaptive_avg_pool1d(input: Any, output_size: int | tuple[int]) -> Tensor:
    """Mean over torch's adaptive windows to ``output_size`` entries along the last axis; see
    ``adaptive_avg_pool2d``."""
    size = single(output_size, "output_size", "adaptive_avg_pool1d", minimum=0)
    line = _line_input("adaptive_avg_pool1d", input)
    if line.shape[-1] < 1:  # checked on the line, as the module docstring promises: the plane's error names 2d
        raise ShapeError(f"adaptive_avg_pool1d: input of shape {line.shape} has an empty spatial axis")
    return _line(adaptive_avg_pool2d(_plane(line), (1, size)))
