"""Normalisation as composites of Tensor ops: batch norm (differentiable through the batch statistics)
and local response norm across channels (AlexNet)."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import Tensor

from ..checks import check_positive_int, check_real
from .activations import as_float_tensor

__all__ = ["batch_norm", "local_response_norm"]


def _channel_vector(value: Any, name: str, channels: int) -> Any:
    """Check that a per-channel statistic/parameter has shape (C,)."""
    if value is not None and np.shape(value.data if isinstance(value, Tensor) else value) != (channels,):
        shape = np.shape(value.data if isinstance(value, Tensor) else value)
        raise ValueError(f"batch_norm: {name} must have shape ({channels},) for {channels} channels, got {shape}")
    return value


def batch_norm(
    x: Any,
    running_mean: np.ndarray | None,
    running_var: np.ndarray | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (axis 1) over all other axes: ``y = (x - mu) / sqrt(var + eps) * weight + bias``.

    Training: mu and var (biased, ddof=0) are the batch statistics, the gradient flows
    through them, and the running statistics (ndarrays, updated in place when given) move
    towards the batch ones: ``r <- (1 - momentum) r + momentum * stat``, with the
    UNBIASED batch variance (n / (n - 1) var) for ``running_var``, like torch.
    Evaluation: mu and var are the running statistics (constants). An empty input gives an empty
    output and leaves the running statistics unchanged (torch's behaviour).
    """
    x = x if isinstance(x, Tensor) else Tensor(x)
    if x.ndim < 2:
        raise ValueError(f"batch_norm: expected an input with a channel axis (N, C, ...), got shape {x.shape}")
    if x.dtype.kind != "f":
        raise TypeError(f"batch_norm: expected a floating-point input, got dtype {x.dtype}")
    channels = x.shape[1]
    for value, name in (
        (running_mean, "running_mean"),
        (running_var, "running_var"),
        (weight, "weight"),
        (bias, "bias"),
    ):
        _channel_vector(value, name, channels)
    if (running_mean is None) != (running_var is None):
        raise ValueError("batch_norm: give both running_mean and running_var, or neither")
    axes = (0, *range(2, x.ndim))
    stat_shape = (1, channels) + (1,) * (x.ndim - 2)
    if training and x.size == 0:  # an empty batch (N = 0 or an empty spatial axis): empty output, as torch
        normalised = x  # and the running statistics stay as they were
    elif training:
        count = x.size // channels
        if count < 2:
            raise ValueError(f"batch_norm: training needs more than 1 value per channel, got input shape {x.shape}")
        mean = x.mean(axis=axes, keepdims=True)
        centred = x - mean
        var = (centred * centred).mean(axis=axes, keepdims=True)
        if running_mean is not None:
            batch_mean = mean.data.reshape(channels)
            unbiased_var = var.data.reshape(channels) * (count / (count - 1))
            running_mean *= 1 - momentum
            running_mean += momentum * batch_mean
            running_var *= 1 - momentum
            running_var += momentum * unbiased_var
        normalised = centred / (var + eps).sqrt()
    else:
        if running_mean is None:
            raise ValueError("batch_norm: evaluation mode needs running_mean and running_var")
        mean = np.asarray(running_mean, dtype=x.dtype).reshape(stat_shape)
        inverse_std = 1.0 / np.sqrt(np.asarray(running_var, dtype=x.dtype).reshape(stat_shape) + eps)
        normalised = (x - mean) * inverse_std
    if weight is not None:
        normalised = normalised * weight.reshape(stat_shape)
    if bias is not None:
        normalised = normalised + bias.reshape(stat_shape)
    return normalised


def local_response_norm(x: Any, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """Local response normalisation across channels (AlexNet; PyTorch's ``local_response_norm``).

    For input (N, C, ...), channel c is divided by a power of the mean square of its
    ``size`` neighbouring channels c - size//2 .. c + (size - 1)//2 (channels beyond the
    edges count as 0, the mean is still over ``size``):

        b_c = a_c / (k + alpha / size * sum_{c'} a_{c'}^2)^beta

    Computed as one matmul of a banded (C, C) 0/1 matrix with the squared input, so
    every derivative order is available; d b_c / d a_{c'} = [c = c'] / d_c^beta
    - 2 alpha beta / size * a_c a_{c'} / d_c^(beta + 1) for c' in the window of c,
    where d_c = k + alpha / size * sum.
    """
    x = as_float_tensor(x, "local_response_norm")
    if x.ndim < 3:
        raise ValueError(
            f"local_response_norm: expected an input of shape (N, C, ...) with 3 or more axes, got {x.shape}"
        )
    size = check_positive_int("local_response_norm", "size", size)
    alpha, beta, k = (
        check_real("local_response_norm", name, value) for value, name in ((alpha, "alpha"), (beta, "beta"), (k, "k"))
    )
    channels = x.shape[1]
    offsets = np.arange(channels)[None, :] - np.arange(channels)[:, None]  # c' - c
    window = ((offsets >= -(size // 2)) & (offsets <= (size - 1) // 2)).astype(x.dtype)
    squares = (x * x).reshape(x.shape[0], channels, -1)
    neighbourhood = (window @ squares).reshape(x.shape)
    return x / (neighbourhood * (alpha / size) + k) ** beta
