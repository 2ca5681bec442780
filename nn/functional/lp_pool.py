"""Power-average pooling, torch's ``lp_pool1d``, ``lp_pool2d`` and ``lp_pool3d``: the p-norm of each window,
(sum over the window of x^p)^(1/p), computed as torch does, from the average pool of x^p times the kernel size:

    out = (sign(m) relu(|m|) k)^(1/p),   m = avg_pool(x^p),   k = the number of kernel cells.

So the values, the gradients (0 where a window's sum is 0, through relu's subgradient) and ``ceil_mode``'s
overhanging last window (averaged over its cells inside the input, then multiplied by the full k) are torch's; an
odd p on negative entries, or a fractional p on any, gives torch's nan. p = inf is the maximum of |x| over the
window (and p = -inf minus the maximum of -|x|), as torch. No padding, as torch's.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, where
from autograd.conv import IntOrPair, pair

from ..checks import check_flag, check_real
from .activations import as_float_tensor
from .conv import avg_pool2d, max_pool2d, pool_windows, single, triple
from .pooling1d import avg_pool1d, max_pool1d
from .pooling3d import avg_pool3d, max_pool3d

__all__ = ["lp_pool1d", "lp_pool2d", "lp_pool3d"]


def check_norm_type(owner: str, norm_type: Any) -> float:
    """``norm_type`` as a non-zero real number, +-inf allowed; errors name ``owner``."""
    p = check_real(owner, "norm_type", norm_type, allow_inf=True)
    if p == 0:
        raise ValueError(
            f"{owner}: norm_type must be non-zero (the result is a 1 / norm_type power), got {norm_type!r}"
        )
    return p


def _input(function: str, input: Any, ranks: tuple[int, int], shapes: str) -> Tensor:
    x = as_float_tensor(input, function)
    if x.ndim not in ranks:
        raise ValueError(f"{function}: expected a {shapes} input, got shape {x.shape}")
    return x


def _root(mean: Tensor, cells: int, p: float) -> Tensor:
    """(sign(m) relu(|m|) k)^(1/p) for window means m over ``cells`` cells, torch's expression; where the sum is
    0 the root's infinite derivative is not propagated (0 * inf would be nan), so the gradient is 0, as torch's
    (whose relu backward selects rather than multiplies)."""
    total = mean.sign() * mean.abs().relu() * cells
    nonzero = total.data != 0
    if nonzero.all():
        return total ** (1.0 / p)
    with np.errstate(divide="ignore"):  # a negative p: 0^(1/p) = inf, as torch
        at_zero = np.zeros_like(total.data) ** (1.0 / p)
    return where(nonzero, where(nonzero, total, 1.0) ** (1.0 / p), at_zero)


def lp_pool1d(
    input: Any,
    norm_type: float,
    kernel_size: int | tuple[int],
    stride: int | tuple[int] | None = None,
    ceil_mode: bool = False,
) -> Tensor:
    """The ``norm_type``-norm of each window of ``kernel_size`` along the last axis of (N, C, L) or (C, L) input
    (stride: the kernel size by default); see the module docstring.

    d/dx_i = x_i^(p-1) out^(1-p) in each window containing x_i (0 where the window's sum is 0).
    """
    p = check_norm_type("lp_pool1d", norm_type)
    kernel = single(kernel_size, "kernel_size", "lp_pool1d")
    stride = kernel if stride is None else single(stride, "stride", "lp_pool1d")
    ceil_mode = check_flag("lp_pool1d", "ceil_mode", ceil_mode)
    x = _input("lp_pool1d", input, (2, 3), "(C, L) or (N, C, L)")
    pool_windows("lp_pool1d", x.shape, (kernel,), (stride,), (0,), (1,), ceil_mode)
    if math.isinf(p):
        peaks = max_pool1d(x.abs() if p > 0 else -x.abs(), kernel, stride, 0, 1, ceil_mode)
        return peaks if p > 0 else -peaks
    return _root(avg_pool1d(x**p, kernel, stride, 0, ceil_mode), kernel, p)


def lp_pool2d(
    input: Any,
    norm_type: float,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    ceil_mode: bool = False,
) -> Tensor:
    """The ``norm_type``-norm of each ``kernel_size`` window of (N, C, H, W) or (C, H, W) input (stride: the
    kernel size by default); see the module docstring.

    d/dx_i = x_i^(p-1) out^(1-p) in each window containing x_i (0 where the window's sum is 0).
    """
    p = check_norm_type("lp_pool2d", norm_type)
    kernel = pair(kernel_size, "kernel_size", "lp_pool2d")
    stride = kernel if stride is None else pair(stride, "stride", "lp_pool2d")
    ceil_mode = check_flag("lp_pool2d", "ceil_mode", ceil_mode)
    x = _input("lp_pool2d", input, (3, 4), "(C, H, W) or (N, C, H, W)")
    pool_windows("lp_pool2d", x.shape, kernel, stride, (0, 0), (1, 1), ceil_mode)
    if math.isinf(p):
        peaks = max_pool2d(x.abs() if p > 0 else -x.abs(), kernel, stride, 0, 1, ceil_mode)
        return peaks if p > 0 else -peaks
    return _root(avg_pool2d(x**p, kernel, stride, 0, ceil_mode), kernel[0] * kernel[1], p)


def lp_pool3d(
    input: Any,
    norm_type: float,
    kernel_size: int | tuple[int, int, int],
    stride: int | tuple[int, int, int] | None = None,
    ceil_mode: bool = False,
) -> Tensor:
    """The ``norm_type``-norm of each ``kernel_size`` window of (N, C, D, H, W) or (C, D, H, W) input (stride: the
    kernel size by default); see the module docstring.

    d/dx_i = x_i^(p-1) out^(1-p) in each window containing x_i (0 where the window's sum is 0).
    """
    p = check_norm_type("lp_pool3d", norm_type)
    kernel = triple(kernel_size, "kernel_size", "lp_pool3d")
    stride = kernel if stride is None else triple(stride, "stride", "lp_pool3d")
    ceil_mode = check_flag("lp_pool3d", "ceil_mode", ceil_mode)
    x = _input("lp_pool3d", input, (4, 5), "(C, D, H, W) or (N, C, D, H, W)")
    pool_windows("lp_pool3d", x.shape, kernel, stride, (0, 0, 0), (1, 1, 1), ceil_mode)
    if math.isinf(p):
        peaks = max_pool3d(x.abs() if p > 0 else -x.abs(), kernel, stride, 0, 1, ceil_mode)
        return peaks if p > 0 else -peaks
    return _root(avg_pool3d(x**p, kernel, stride, 0, ceil_mode), math.prod(kernel), p)
