"""Normalisation as composites of Tensor ops: batch and instance norm (differentiable through the batch or
instance statistics), layer, group and RMS norm (torch's ``layer_norm``, ``group_norm``, ``rms_norm``) and local response norm
across channels (AlexNet)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import DtypeKernelError, ShapeError, Tensor, from_numpy, standardize
from autograd.accumulation import float16_via_float32
from autograd.gradient_array import plain
from autograd.quiet import quiet
from autograd.shape_errors import ArgumentRangeError, is_integer
from autograd.standardization import affine_normalize, standardize_affine, standardize_with_statistics

from ..checks import check_flag, check_integer, check_positive_int, check_real
from ..module import DtypeMismatchError
from .activations import as_float_tensor, as_tensor, operand_data
from .integer_inputs import refuse_integer_tensor, torch_type_name

__all__ = [
    "as_normalized_shape",
    "batch_norm",
    "group_norm",
    "instance_norm",
    "layer_norm",
    "local_response_norm",
    "rms_norm",
]


class MissingRunningStatsError(ValueError, RuntimeError):
    """``instance_norm(use_input_stats=False)`` without the running statistics it would normalise by: a
    ValueError, the library's class for a bad argument, and a RuntimeError, as torch raises it."""


def _refuse_non_numbers(function: str, name: str, value: Any) -> None:
    """Raise torch's TypeError, naming ``function`` and ``name``, for a statistic or parameter that is no Tensor or
    array of numbers (a string, a dict, a list of strings): not a shape error that reads its shape as ()."""
    if value is None or isinstance(value, (Tensor, np.ndarray)):
        return
    try:
        kind = np.asarray(value).dtype.kind
    except ValueError:  # a ragged sequence
        kind = "O"
    if kind not in "biuf":
        raise TypeError(f"{function}: {name} must be a Tensor, got {type(value).__name__} {value!r}")


def _sequences_as_arrays(function: str, running: tuple[Any, Any], parameters: tuple[Any, Any]) -> tuple[Any, Any]:
    """``parameters`` (weight, bias) given as lists or tuples of numbers, as arrays (layer_norm takes them so); a
    running statistic given so is torch's TypeError: it is updated in place, so it must be a Tensor or an array."""
    for name, value in zip(("running_mean", "running_var"), running):
        if isinstance(value, (list, tuple)):
            raise TypeError(
                f"{function}: {name} must be a Tensor or an ndarray (it is updated in place), got {type(value).__name__}"
            )
    converted = []
    for name, value in zip(("weight", "bias"), parameters):
        if isinstance(value, (list, tuple)):
            _refuse_non_numbers(function, name, value)
            value = np.asarray(value)
        converted.append(value)
    return converted[0], converted[1]


def _channel_vector(
    value: Any, name: str, channels: int, *, running: bool = False, function: str = "batch_norm"
) -> Any:
    """Check that a per-channel statistic/parameter has shape (C,) (a :class:`ShapeError`, torch's RuntimeError);
    a running statistic, updated in place, must also be floating-point (a :class:`DtypeMismatchError`, torch's
    RuntimeError), so an integer one is refused before either statistic changes."""
    _refuse_non_numbers(function, name, value)
    if value is None:
        return value
    array = np.asarray(value._data if isinstance(value, Tensor) else value)
    if array.shape != (channels,):
        raise ShapeError(f"{function}: {name} must have shape ({channels},) for {channels} channels, got {array.shape}")
    if running and array.dtype.kind != "f":
        raise DtypeMismatchError(
            f"{function}: {name} must be floating-point (it is updated in place), got dtype {array.dtype}"
        )
    return value


@float16_via_float32(float32_parameters=True)
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
    output and leaves the running statistics unchanged (torch's behaviour); so does an empty vector, shape (0,),
    which torch reads as an input of no channels (its running statistics and parameters have 0 entries).

    ``eps`` must be positive in training (a variance of 0 would divide by 0) and non-negative in evaluation, as
    torch 2.13's (a ValueError).
    """
    weight, bias = _sequences_as_arrays("batch_norm", (running_mean, running_var), (weight, bias))
    training = check_flag("batch_norm", "training", training)  # torch's TypeError for a non-bool
    eps = check_real("batch_norm", "eps", eps, allow_inf=True, allow_nan=True)  # a number, named (a TypeError)
    if training and eps <= 0.0:  # plain comparisons, as torch's: a nan eps passes
        raise ValueError(f"batch_norm: eps must be positive in training, got {eps!r}")
    if eps < 0.0:
        raise ValueError(f"batch_norm: eps must be non-negative, got {eps!r}")
    return _batch_norm(x, running_mean, running_var, weight, bias, training, momentum, eps)


def _batch_norm(
    x: Any,
    running_mean: np.ndarray | None,
    running_var: np.ndarray | None,
    weight: Tensor | None,
    bias: Tensor | None,
    training: bool,
    momentum: float,
    eps: float,
) -> Tensor:
    """:func:`batch_norm` for any ``eps`` (instance_norm's, which torch does not check)."""
    x = as_tensor(x, "batch_norm")
    if x.ndim < 2 and x.shape != (0,):  # (torch reads an empty vector as an input of no channels)
        raise ShapeError(f"batch_norm: expected an input with a channel axis (N, C, ...), got shape {x.shape}")
    if x.dtype.kind != "f":  # torch has no integer kernel: its NotImplementedError (and the library's TypeError)
        raise DtypeKernelError(
            f"batch_norm: not implemented for '{torch_type_name(x.dtype)}': expected a floating-point input, got "
            f"dtype {x.dtype}"
        )
    channels = x.shape[1] if x.ndim > 1 else 0
    for value, name in ((running_mean, "running_mean"), (running_var, "running_var")):
        _channel_vector(value, name, channels, running=True)
    for value, name in ((weight, "weight"), (bias, "bias")):
        _channel_vector(value, name, channels)
    if (running_mean is None) != (running_var is None):  # torch's ValueError in training, RuntimeError in evaluation
        raise ArgumentRangeError("batch_norm: give both running_mean and running_var, or neither")
    momentum = check_real("batch_norm", "momentum", momentum)  # (torch's too: None is nn.BatchNorm's option only)
    running_mean, running_var = plain(running_mean), plain(running_var)  # a buffer's DataArray: numpy's own speed
    if x.ndim == 1:  # the empty vector: no channels, an empty output in either mode, as torch's
        if not training and running_mean is None:
            raise ArgumentRangeError("batch_norm: evaluation mode needs running_mean and running_var")
        return x.clone()
    axes = (0, *range(2, x.ndim))
    stat_shape = (1, channels) + (1,) * (x.ndim - 2)
    if training and x.size == 0:  # an empty batch (N = 0 or an empty spatial axis): empty output, as torch
        normalised = x  # and the running statistics stay as they were
    elif training:
        count = x.size // channels
        if count < 2:
            raise ValueError(f"batch_norm: training needs more than 1 value per channel, got input shape {x.shape}")
        parameters = _fusable(x, weight, bias)
        if parameters is None:
            normalised, mean, var = standardize_with_statistics(x, axes, eps)  # one node, its backward fused
        else:  # the affine step too: one node (torch's native_batch_norm)
            positions = count // x.shape[0]  # (none after the channels: a matrix, reduced down its columns)
            layout = (x.shape[0], channels) if positions == 1 else (x.shape[0], channels, positions)
            reduced = (0,) if positions == 1 else (0, 2)
            per_channel = (1, channels) if positions == 1 else (1, channels, 1)
            normalised, mean, var = standardize_affine(x, layout, reduced, eps, *parameters, per_channel)
        _update_running(running_mean, running_var, mean, var, count, momentum)
        if parameters is not None:
            return normalised
    else:
        if running_mean is None:  # torch's RuntimeError
            raise ArgumentRangeError("batch_norm: evaluation mode needs running_mean and running_var")
        parameters = _fusable(x, weight, bias)
        if parameters is not None:  # the affine step too: one node, y = x a + (b - mean a) (torch's native_batch_norm)
            return affine_normalize(x, running_mean, running_var, eps, *parameters)
        mean = np.asarray(running_mean, dtype=x.dtype).reshape(stat_shape)
        with quiet():  # a negative running variance gives nan, 0 with eps = 0 gives inf: as torch's, without a warning
            inverse_std = 1.0 / np.sqrt(np.asarray(running_var, dtype=x.dtype).reshape(stat_shape) + eps)
        normalised = (x - mean) * inverse_std
    if weight is not None:
        normalised = normalised * weight.reshape(stat_shape)
    if bias is not None:
        normalised = normalised + bias.reshape(stat_shape)
    return normalised


def _update_running(
    running_mean: np.ndarray | None,
    running_var: np.ndarray | None,
    mean: np.ndarray,
    var: np.ndarray,
    count: int,
    momentum: float,
) -> None:
    """Move the running statistics (changed in place, when given) towards the batch's: r <- (1 - momentum) r +
    momentum * stat, the variance made unbiased (``count`` values per statistic)."""
    if running_mean is None:
        return
    channels = running_mean.size
    with quiet():  # a float16 variance past 65504 is inf, silently, as torch's (a warning raised as an error would
        running_mean *= 1 - momentum  # leave the statistics half-moved)
        running_mean += momentum * mean.reshape(channels)
        running_var *= 1 - momentum
        running_var += momentum * (var.reshape(channels) * (count / (count - 1)))


def _fusable(x: Tensor, weight: Any, bias: Any) -> tuple[Tensor | None, Tensor | None] | None:
    """``weight`` and ``bias`` as Tensors (or None) for :func:`autograd.standardization.standardize_affine`, or None
    when the affine step takes the separate ops: no weight and no bias, a float16 input (a mixed call, which the
    separate ops round as before) or a parameter that is no floating Tensor or array (whose promotion is the
    ops')."""
    if (weight is None and bias is None) or x._data.dtype.char not in "fd":
        return None
    fused = []
    for value in (weight, bias):
        data = value._data if isinstance(value, Tensor) else value
        if value is not None and (not isinstance(data, np.ndarray) or data.dtype.kind != "f"):
            return None
        fused.append(value if value is None or isinstance(value, Tensor) else from_numpy(value))
    return fused[0], fused[1]


@float16_via_float32(float32_parameters=True)
def instance_norm(
    input: Any,
    running_mean: np.ndarray | None = None,
    running_var: np.ndarray | None = None,
    weight: Any = None,
    bias: Any = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each sample's channel of (N, C, ...) input over its positions (torch's ``instance_norm``):
    ``y = (x - mu_nc) / sqrt(var_nc + eps) * weight + bias``, weight and bias (C,) per channel.

    It is :func:`batch_norm` of the input seen as one sample of N*C channels. With ``use_input_stats``
    each instance's mean and biased variance are used (the gradient flows through them), and the running
    statistics (ndarrays (C,), updated in place when given) move towards their averages over the batch,
    the variance unbiased, as in torch; without it the running statistics normalise.
    """
    weight, bias = _sequences_as_arrays("instance_norm", (running_mean, running_var), (weight, bias))
    eps = check_real("instance_norm", "eps", eps, allow_inf=True)  # named here, not by the standardize it runs
    refuse_integer_tensor(input, "instance_norm")  # (torch has no integer kernel; array-likes are read as numbers)
    x = as_float_tensor(input, "instance_norm")
    if x.ndim < 3:
        raise ValueError(f"instance_norm: expected an input of shape (N, C, ...) with positions, got {x.shape}")
    n, channels = x.shape[:2]
    for value, name in ((running_mean, "running_mean"), (running_var, "running_var")):
        _channel_vector(value, name, channels, running=True, function="instance_norm")
    per_channel = (channels,) + (1,) * (x.ndim - 2)
    if use_input_stats:
        if 0 < math.prod(x.shape[2:]) < 2:  # one position: each instance's variance is undefined (torch refuses too)
            raise ValueError(
                f"instance_norm: normalising each instance needs more than 1 position per channel, got input shape "
                f"{x.shape}"
            )
        tiled = [None if r is None else np.tile(np.asarray(r), n) for r in (running_mean, running_var)]
        _affine("instance_norm", x, "weight", weight, (channels,), None)  # (the checks, before anything changes)
        _affine("instance_norm", x, "bias", bias, (channels,), None)
        parameters = _fusable(x, weight, bias) if x.size else None
        if parameters is None:
            as_channels = x.reshape((1, n * channels) + x.shape[2:])
            y = _batch_norm(as_channels, tiled[0], tiled[1], None, None, True, momentum, eps).reshape(x.shape)
        else:  # the affine step too: one node, each instance's statistics with per-channel parameters
            if (running_mean is None) != (running_var is None):  # (_batch_norm's checks)
                raise ArgumentRangeError("batch_norm: give both running_mean and running_var, or neither")
            momentum = check_real("batch_norm", "momentum", momentum)
            count = x.size // (n * channels)
            layout, per_channel = (n, channels, count), (1, channels, 1)
            y, mean, var = standardize_affine(x, layout, (2,), eps, *parameters, per_channel)
            _update_running(tiled[0], tiled[1], mean, var, count, momentum)
        for running, updated in zip((running_mean, running_var), tiled):
            if running is not None:
                running[...] = updated.reshape(n, channels).mean(axis=0)
        if parameters is not None:
            return y
    else:
        if running_mean is None or running_var is None:
            raise MissingRunningStatsError("instance_norm: use_input_stats=False needs running_mean and running_var")
        y = _batch_norm(x, running_mean, running_var, None, None, False, momentum, eps)
    y = _affine("instance_norm", y, "weight", weight, (channels,), lambda a, b: a * b.reshape(per_channel))
    return _affine("instance_norm", y, "bias", bias, (channels,), lambda a, b: a + b.reshape(per_channel))


@float16_via_float32
def local_response_norm(x: Any, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """Local response normalisation across channels (AlexNet; PyTorch's ``local_response_norm``).

    For input (N, C, ...), channel c is divided by a power of the mean square of its
    ``size`` neighbouring channels c - size//2 .. c + (size - 1)//2 (channels beyond the
    edges count as 0, the mean is still over ``size``):

        b_c = a_c / (k + alpha / size * sum_{c'} a_{c'}^2)^beta

    The window sums are sums of ``size`` shifted slices of the zero-padded squares (no product with 0/1
    weights, so an overflowing square reaches only the windows it lies in, as torch's), recorded, so every
    derivative order is available; d b_c / d a_{c'} = [c = c'] / d_c^beta
    - 2 alpha beta / size * a_c a_{c'} / d_c^(beta + 1) for c' in the window of c,
    where d_c = k + alpha / size * sum. Of integer input, the mean of the squares is torch's integer mean (the sum
    of the integer squares divided by ``size``, rounded down), as torch's average pool of them gives it.
    """
    data = operand_data(x)
    integers = data is not None and data.dtype.kind in "iu"
    squares_of = Tensor(data) if integers else None
    x = as_float_tensor(x, "local_response_norm")
    if x.ndim < 3:
        raise ValueError(
            f"local_response_norm: expected an input of shape (N, C, ...) with 3 or more axes, got {x.shape}"
        )
    size = check_positive_int("local_response_norm", "size", size, error=ArgumentRangeError)
    alpha, beta, k = (
        check_real("local_response_norm", name, value) for value, name in ((alpha, "alpha"), (beta, "beta"), (k, "k"))
    )
    if integers and x.size == 0:  # torch's returns an empty input as it is
        return squares_of
    channels = x.shape[1]
    squares = squares_of * squares_of if integers else x * x
    padded = squares.pad([(0, 0), (size // 2, (size - 1) // 2)] + [(0, 0)] * (x.ndim - 2))
    neighbourhood = padded[:, :channels]
    for shift in range(1, size):  # window c sums padded channels c .. c + size - 1, that is c - size//2 ..
        neighbourhood = neighbourhood + padded[:, shift : shift + channels]
    if integers:  # (no gradient: integer input has none)
        return x / ((neighbourhood // size).astype(x.dtype) * alpha + k) ** beta
    return x / (neighbourhood * (alpha / size) + k) ** beta


def as_normalized_shape(owner: str, shape: Any) -> tuple[int, ...]:
    """torch's ``normalized_shape``: an int or a sequence of ints >= 0, as a tuple (a 0 normalises the empty
    trailing axes of an empty input into an empty output, as torch)."""
    sizes = (shape,) if is_integer(shape) else shape
    if not isinstance(sizes, (tuple, list)):
        raise TypeError(f"{owner}: normalized_shape must be an int or a non-empty sequence of ints, got {shape!r}")
    if not sizes:  # torch's RuntimeError
        raise ShapeError(f"{owner}: normalized_shape must have at least one entry, got {shape!r}")
    return tuple(check_integer(owner, "normalized_shape", size, 0) for size in sizes)


def _trailing_axes(function: str, x: Tensor, shape: tuple[int, ...]) -> tuple[int, ...]:
    if x.shape[x.ndim - len(shape) :] != shape or x.ndim < len(shape):
        raise ShapeError(f"{function}: input of shape {x.shape} does not end with normalized_shape {shape}")
    return tuple(range(x.ndim - len(shape), x.ndim))


def _affine(function: str, y: Tensor, name: str, value: Any, shape: tuple[int, ...], combine: Any) -> Tensor:
    """``combine(y, value)`` after checking that ``value`` (a Tensor or an array) has ``shape`` (a :class:`ShapeError`,
    torch's RuntimeError); ``combine`` None: the checks only, ``y`` as it is."""
    if value is None:
        return y
    _refuse_non_numbers(function, name, value)
    found = np.shape(value._data if isinstance(value, Tensor) else value)
    if found != shape:
        raise ShapeError(f"{function}: {name} must have shape {shape}, got {found}")
    return y if combine is None else combine(y, value)


@float16_via_float32(float32_parameters=True)
def layer_norm(input: Any, normalized_shape: Any, weight: Any = None, bias: Any = None, eps: float = 1e-5) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` axes: ``(x - mean) / sqrt(var + eps) * weight + bias``
    with the biased variance (ddof 0), each sample on its own; ``weight``/``bias`` have ``normalized_shape``.

    The gradient flows through the mean and variance: d/dx = (g - mean(g) - x_hat mean(g x_hat)) / sqrt(var + eps)
    for g the gradient at x_hat (the normalised input).
    """
    shape = as_normalized_shape("layer_norm", normalized_shape)
    eps = check_real("layer_norm", "eps", eps)
    refuse_integer_tensor(input, "layer_norm")  # (torch has no integer kernel; array-likes are read as numbers)
    x = as_float_tensor(input, "layer_norm")
    axes = _trailing_axes("layer_norm", x, shape)
    _affine("layer_norm", x, "weight", weight, shape, None)  # (the checks)
    _affine("layer_norm", x, "bias", bias, shape, None)
    parameters = _fusable(x, weight, bias)
    if parameters is not None:  # one node with its affine step (torch's native_layer_norm)
        features = math.prod(shape)
        layout = (x.size // features if features else math.prod(x.shape[: axes[0]]), features)
        return standardize_affine(x, layout, (1,), eps, *parameters, (1, features))[0]
    y = standardize(x, axes, eps)
    y = _affine("layer_norm", y, "weight", weight, shape, lambda a, b: a * b)
    return _affine("layer_norm", y, "bias", bias, shape, lambda a, b: a + b)


@float16_via_float32(float32_parameters=True)
def rms_norm(input: Any, normalized_shape: Any, weight: Any = None, eps: float | None = None) -> Tensor:
    """Root-mean-square norm over the trailing ``normalized_shape`` axes: ``x / sqrt(mean(x^2) + eps) * weight``
    (no centring); ``eps`` None is the machine epsilon of the input's dtype, as torch.

    The result has the input's dtype whatever the weight's, as torch's (``type_as(input)``): a float32 input
    with a float64 weight answers in float32, the product rounded once.

    d/dx = (g - x_hat mean(g x_hat)) / sqrt(mean(x^2) + eps), g the gradient at x_hat.
    """
    shape = as_normalized_shape("rms_norm", normalized_shape)
    refuse_integer_tensor(input, "rms_norm")  # (torch has no integer kernel; array-likes are read as numbers)
    x = as_float_tensor(input, "rms_norm")
    eps = float(np.finfo(x.dtype).eps) if eps is None else check_real("rms_norm", "eps", eps)
    axes = _trailing_axes("rms_norm", x, shape)
    y = x / ((x * x).mean(axis=axes, keepdims=True) + eps).sqrt()
    y = _affine("rms_norm", y, "weight", weight, shape, lambda a, b: a * b)
    return y if y.dtype == x.dtype else y.astype(x.dtype)


@float16_via_float32(float32_parameters=True)
def group_norm(input: Any, num_groups: int, weight: Any = None, bias: Any = None, eps: float = 1e-5) -> Tensor:
    """Split the C channels of (N, C, ...) input into ``num_groups`` groups of consecutive channels and
    normalise each sample's group over its channels and positions, ``(x - mean) / sqrt(var + eps)`` (biased
    variance); then ``* weight + bias`` per channel ((C,) each). One group is layer norm over (C, ...); C
    groups is instance norm.
    """
    groups = check_positive_int("group_norm", "num_groups", num_groups, error=ArgumentRangeError)
    eps = check_real("group_norm", "eps", eps)
    weight, bias = _sequences_as_arrays("group_norm", (None, None), (weight, bias))
    refuse_integer_tensor(input, "group_norm")  # (torch has no integer kernel; array-likes are read as numbers)
    x = as_float_tensor(input, "group_norm")
    if x.ndim < 2:
        raise ShapeError(f"group_norm: expected an input of shape (N, C, ...), got {x.shape}")
    channels = x.shape[1]
    if x.shape[0] * channels // groups * math.prod(x.shape[2:]) == 1:  # torch's _verify_batch_size, first
        raise ValueError(f"group_norm: expected more than 1 value per channel, got input shape {x.shape}")
    if channels % groups:
        raise ShapeError(f"group_norm: {channels} channels (input shape {x.shape}) do not split into {groups} groups")
    group_size = channels // groups * int(np.prod(x.shape[2:]))  # explicit, not -1: N = 0 cannot infer it
    _affine("group_norm", x, "weight", weight, (channels,), None)  # (the checks)
    _affine("group_norm", x, "bias", bias, (channels,), None)
    parameters = _fusable(x, weight, bias)
    if parameters is not None:  # one node with its per-channel affine step (torch's native_group_norm)
        positions = math.prod(x.shape[2:])
        layout = (x.shape[0], groups, channels // groups, positions)
        return standardize_affine(x, layout, (2, 3), eps, *parameters, (1, groups, channels // groups, 1))[0]
    y = standardize(x.reshape((x.shape[0], groups, group_size)), 2, eps).reshape(x.shape)
    per_channel = (channels,) + (1,) * (x.ndim - 2)
    y = _affine("group_norm", y, "weight", weight, (channels,), lambda a, b: a * b.reshape(per_channel))
    return _affine("group_norm", y, "bias", bias, (channels,), lambda a, b: a + b.reshape(per_channel))
