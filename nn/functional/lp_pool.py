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
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor, where
from autograd.conv import IntOrPair, pair

from ..checks import ZeroNormError, check_flag, check_real
from .activations import as_float_tensor
from .conv import avg_pool2d, max_pool2d, pool_windows, rank_error, single, stride_unset, triple
from .pooling1d import avg_pool1d, max_pool1d
from .pooling3d import avg_pool3d, max_pool3d

__all__ = ["lp_pool1d", "lp_pool2d", "lp_pool3d"]


def check_norm_type(owner: str, norm_type: Any) -> float:
    """``norm_type`` as a non-zero real number, +-inf allowed; errors name ``owner``."""
    p = check_real(owner, "norm_type", norm_type, allow_inf=True)
    if p == 0:  # torch's functional form divides by p: a ZeroDivisionError there
        raise ZeroNormError(
            f"{owner}: norm_type must be non-zero (the result is a 1 / norm_type power), got {norm_type!r}"
        )
    return p


def _input(function: str, input: Any, ranks: tuple[int, int], shapes: str) -> Tensor:
    x = as_float_tensor(input, function)
    if x.ndim not in ranks:
        error = rank_error(function, x.ndim)
        raise error(f"{function}: expected a {shapes} input, got shape {x.shape}")
    return x


def _root(mean: Tensor, cells: int, p: float) -> Tensor:
    """(sign(m) relu(|m|) k)^(1/p) for window means m over ``cells`` cells, torch's expression; where the sum is
    0 the root's infinite derivative is not propagated (0 * inf would be nan), so the gradient is 0, as torch's
    (whose relu backward selects rather than multiplies)."""
    total = mean.sign() * mean.abs().relu() * cells
    nonzero = total._data != 0
    if nonzero.all():
        return total ** (1.0 / p)
    with np.errstate(divide="ignore"):  # a negative p: 0^(1/p) = inf, as torch
        at_zero = np.zeros_like(total._data) ** (1.0 / p)
    return where(nonzero, where(nonzero, total, 1.0) ** (1.0 / p), at_zero)


def _lp_pool(
    function: str,
    input: Any,
    norm_type: float,
    kernel_size: Any,
    stride: Any,
    ceil_mode: bool,
    as_tuple: Callable[[Any, str, str], tuple[int, ...]],
    shapes: str,
    max_pool: Callable[..., Tensor],
    avg_pool: Callable[..., Tensor],
) -> Tensor:
    """The p-norm pool over ``len(kernel)`` spatial axes (``as_tuple`` reads one size per axis) with that
    dimension's max and average pools; errors name ``function``, ``shapes`` the inputs it takes."""
    p = check_norm_type(function, norm_type)
    kernel = as_tuple(kernel_size, "kernel_size", function)
    stride = kernel if stride_unset(stride) else as_tuple(stride, "stride", function)
    ceil_mode = check_flag(function, "ceil_mode", ceil_mode)
    dims = len(kernel)
    x = _input(function, input, (dims + 1, dims + 2), shapes)
    pool_windows(function, x.shape, kernel, stride, (0,) * dims, (1,) * dims, ceil_mode)
    if math.isinf(p):
        peaks = max_pool(x.abs() if p > 0 else -x.abs(), kernel, stride, 0, 1, ceil_mode)
        return peaks if p > 0 else -peaks
    return _root(avg_pool(x**p, kernel, stride, 0, ceil_mode), math.prod(kernel), p)


def _one(value: Any, name: str, function: str) -> tuple[int]:
    return (single(value, name, function),)


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
    return _lp_pool(
        "lp_pool1d",
        input,
        norm_type,
        kernel_size,
        stride,
        ceil_mode,
        _one,
        "(C, L) or (N, C, L)",
        max_pool1d,
        avg_pool1d,
    )


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
    return _lp_pool(
        "lp_pool2d",
        input,
        norm_type,
        kernel_size,
        stride,
        ceil_mode,
        pair,
        "(C, H, W) or (N, C, H, W)",
        max_pool2d,
        avg_pool2d,
    )


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
    return _lp_pool(
        "lp_pool3d",
        input,
        norm_type,
        kernel_size,
        stride,
        ceil_mode,
        triple,
        "(C, D, H, W) or (N, C, D, H, W)",
        max_pool3d,
        avg_pool3d,
    )
