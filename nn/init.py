"""Weight initialisers (``nn.init``), named and shaped like ``torch.nn.init``.

Every ``*_`` function fills a Tensor/Parameter **in place** (its ``.data`` array
keeps its identity, shape and dtype), records no graph, and returns the tensor.
Random ones take ``rng``: a ``numpy.random.Generator``, an int seed, or None for
fresh entropy; the same seed always gives the same numbers.

Fans of a weight of shape (out, in, *kernel): ``fan_in = in * prod(kernel)``,
``fan_out = out * prod(kernel)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, no_grad

from .checks import check_choice, check_real, make_generator

__all__ = [
    "calculate_gain",
    "constant_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "lecun_normal_",
    "normal_",
    "ones_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

RandomState = np.random.Generator | int | None

_UNIT_GAIN = (
    "linear",
    "identity",
    "sigmoid",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


def _float_tensor(tensor: Any, function: str) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{function}: expected a Tensor or Parameter, got {type(tensor).__name__}")
    if tensor.dtype.kind != "f":
        raise TypeError(f"{function}: only floating-point tensors can be initialised, got dtype {tensor.dtype}")
    return tensor


def _fill(tensor: Tensor, values: Any) -> Tensor:
    """Write ``values`` into ``tensor`` in place (cast to its dtype, version bumped), outside the graph."""
    with no_grad():
        tensor[...] = values
    return tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (torch's table).

    linear/identity/conv/conv_transpose/sigmoid: 1; tanh: 5/3; relu: sqrt(2); selu: 3/4;
    leaky_relu with negative slope a (``param``, default 0.01): sqrt(2 / (1 + a^2)).
    """
    if nonlinearity in _UNIT_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "selu":
        return 0.75
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else check_real("calculate_gain", "negative_slope", param)
        return math.sqrt(2.0 / (1.0 + slope**2))
    raise ValueError(
        f"calculate_gain: unknown nonlinearity {nonlinearity!r}; choose one of "
        f"{sorted((*_UNIT_GAIN, 'tanh', 'relu', 'selu', 'leaky_relu'))}"
    )


def _calculate_fan_in_and_fan_out(tensor: Any) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shaped (out, in) or (out, in, *kernel)."""
    shape = tuple(np.shape(tensor.data if isinstance(tensor, Tensor) else tensor))
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out need a tensor with at least 2 dimensions, got shape {shape}")
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _fan(tensor: Tensor, mode: str, function: str) -> int:
    check_choice(function, "mode", mode, ("fan_in", "fan_out"))
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    fan = fan_in if mode == "fan_in" else fan_out
    if fan == 0:
        raise ValueError(f"{function}: cannot initialise a tensor with a zero {mode} (shape {tensor.shape})")
    return fan


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _fill(_float_tensor(tensor, "zeros_"), 0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _fill(_float_tensor(tensor, "ones_"), 1)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    return _fill(_float_tensor(tensor, "constant_"), val)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, rng: RandomState = None) -> Tensor:
    """Draw from U(a, b)."""
    tensor = _float_tensor(tensor, "uniform_")
    a, b = check_real("uniform_", "a", a), check_real("uniform_", "b", b)
    if not a <= b:
        raise ValueError(f"uniform_: need a <= b, got a={a}, b={b}")
    return _fill(tensor, make_generator("uniform_", "rng", rng).uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, rng: RandomState = None) -> Tensor:
    """Draw from N(mean, std^2)."""
    tensor = _float_tensor(tensor, "normal_")
    mean, std = check_real("normal_", "mean", mean), check_real("normal_", "std", std, 0)
    return _fill(tensor, make_generator("normal_", "rng", rng).normal(mean, std, tensor.shape))


def lecun_normal_(tensor: Tensor, rng: RandomState = None) -> Tensor:
    """Draw from N(0, 1 / fan_in) (LeCun; the course's default scaling)."""
    tensor = _float_tensor(tensor, "lecun_normal_")
    std = 1.0 / math.sqrt(_fan(tensor, "fan_in", "lecun_normal_"))
    return _fill(tensor, make_generator("lecun_normal_", "rng", rng).normal(0.0, std, tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, rng: RandomState = None) -> Tensor:
    """Draw from U(-bound, bound), bound = gain * sqrt(6 / (fan_in + fan_out)) (Glorot)."""
    tensor = _float_tensor(tensor, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / max(fan_in + fan_out, 1))
    return _fill(tensor, make_generator("xavier_uniform_", "rng", rng).uniform(-bound, bound, tensor.shape))


def xavier_normal_(tensor: Tensor, gain: float = 1.0, rng: RandomState = None) -> Tensor:
    """Draw from N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)) (Glorot)."""
    tensor = _float_tensor(tensor, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / max(fan_in + fan_out, 1))
    return _fill(tensor, make_generator("xavier_normal_", "rng", rng).normal(0.0, std, tensor.shape))


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: RandomState = None,
) -> Tensor:
    """Draw from U(-bound, bound), bound = gain * sqrt(3 / fan) (He), gain = calculate_gain(nonlinearity, a).

    With ``a = sqrt(5)`` (torch's layer default) the bound is 1 / sqrt(fan_in).
    """
    tensor = _float_tensor(tensor, "kaiming_uniform_")
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(tensor, mode, "kaiming_uniform_"))
    return _fill(tensor, make_generator("kaiming_uniform_", "rng", rng).uniform(-bound, bound, tensor.shape))


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: RandomState = None,
) -> Tensor:
    """Draw from N(0, std^2), std = gain / sqrt(fan) (He), gain = calculate_gain(nonlinearity, a)."""
    tensor = _float_tensor(tensor, "kaiming_normal_")
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode, "kaiming_normal_"))
    return _fill(tensor, make_generator("kaiming_normal_", "rng", rng).normal(0.0, std, tensor.shape))
