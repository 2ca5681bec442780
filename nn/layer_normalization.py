"""Per-sample normalisation layers, torch's ``LayerNorm``, ``RMSNorm`` and ``GroupNorm`` (see
:mod:`nn.functional.normalization`): no running statistics, the same in training and evaluation."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ShapeError, Tensor

from . import init as nn_init
from .checks import as_given, check_flag, check_positive_int, check_real
from .functional.integer_inputs import refuse_integer_tensor
from .functional.normalization import as_normalized_shape, group_norm, layer_norm, rms_norm
from .module import DtypeMismatchError, Module, input_for
from .parameter import Parameter, factory_dtype

__all__ = ["GroupNorm", "LayerNorm", "RMSNorm"]


def reset_affine(weight: Parameter | None, bias: Parameter | None) -> None:
    """A normalisation's affine parameters at their start, in place: ``weight`` ones, ``bias`` zeros."""
    if weight is not None:
        nn_init.ones_(weight)
    if bias is not None:
        nn_init.zeros_(bias)


def _input(layer: str, x: Any, parameter: Parameter | None, dtype_error: type[TypeError] = DtypeMismatchError) -> Any:
    """``x`` for a norm with ``parameter`` (see :func:`input_for`): of its dtype, or float16 to float32 parameters
    (torch's CPU mixed type, answered in float16)."""
    return x if parameter is None else input_for(layer, x, parameter, dtype_error, mixed_float16=True)


class LayerNorm(Module):
    """Normalise over the trailing ``normalized_shape`` axes (see :func:`nn.functional.layer_norm`); with
    ``elementwise_affine`` a ``weight`` (ones) and, unless ``bias=False``, a ``bias`` (zeros) of that shape."""

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        dtype: Any = np.float32,
        *,
        device: Any = None,
    ) -> None:
        self.normalized_shape = as_normalized_shape("LayerNorm", normalized_shape)
        self.eps = as_given(eps, check_real("LayerNorm", "eps", eps, 0))
        self.elementwise_affine = check_flag("LayerNorm", "elementwise_affine", elementwise_affine)
        dtype = factory_dtype("LayerNorm", device, dtype)
        bias = check_flag("LayerNorm", "bias", bias)
        self.weight = Parameter(np.empty(self.normalized_shape, dtype)) if self.elementwise_affine else None
        self.bias = Parameter(np.empty(self.normalized_shape, dtype)) if self.elementwise_affine and bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``weight`` to ones and ``bias`` to zeros, in place, as the constructor does (torch's)."""
        reset_affine(self.weight, self.bias)

    def forward(self, input: Any) -> Tensor:
        input = _input("LayerNorm", input, self.weight)
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}, "
            f"bias={self.bias is not None}"
        )


class RMSNorm(Module):
    """Root-mean-square norm over the trailing ``normalized_shape`` axes (see :func:`nn.functional.rms_norm`);
    with ``elementwise_affine`` a ``weight`` (ones) of that shape. ``eps`` None: the dtype's machine epsilon."""

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...],
        eps: float | None = None,
        elementwise_affine: bool = True,
        dtype: Any = np.float32,
        *,
        device: Any = None,
    ) -> None:
        self.normalized_shape = as_normalized_shape("RMSNorm", normalized_shape)
        self.eps = None if eps is None else as_given(eps, check_real("RMSNorm", "eps", eps))  # any real, as torch
        self.elementwise_affine = check_flag("RMSNorm", "elementwise_affine", elementwise_affine)
        dtype = factory_dtype("RMSNorm", device, dtype)
        self.weight = Parameter(np.empty(self.normalized_shape, dtype)) if self.elementwise_affine else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``weight`` to ones, in place, as the constructor does (torch's)."""
        reset_affine(self.weight, None)

    def forward(self, x: Any) -> Tensor:  # (torch's RMSNorm names its input x)
        # torch's rms_norm takes a float input of another dtype than the weight's and answers in the input's;
        # other inputs (lists, integers) go through the checks of every layer's
        data = x._data if isinstance(x, Tensor) else x
        if not (isinstance(data, np.ndarray) and data.dtype.kind == "f"):
            refuse_integer_tensor(x, "RMSNorm")  # torch has no integer kernel: its NotImplementedError
            x = _input("RMSNorm", x, self.weight, TypeError)
        return rms_norm(x, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"


class GroupNorm(Module):
    """Normalise each sample's groups of ``num_channels / num_groups`` channels (see
    :func:`nn.functional.group_norm`); with ``affine`` a per-channel ``weight`` (ones) and, unless
    ``bias=False``, ``bias`` (zeros)."""

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        dtype: Any = np.float32,
        *,
        bias: bool = True,
        device: Any = None,
    ) -> None:
        self.num_groups = check_positive_int("GroupNorm", "num_groups", num_groups)
        self.num_channels = check_positive_int("GroupNorm", "num_channels", num_channels)
        if self.num_channels % self.num_groups:
            raise ValueError(f"GroupNorm: num_channels={num_channels} must be divisible by num_groups={num_groups}")
        self.eps = as_given(eps, check_real("GroupNorm", "eps", eps, 0))
        self.affine = check_flag("GroupNorm", "affine", affine)
        dtype = factory_dtype("GroupNorm", device, dtype)
        bias = check_flag("GroupNorm", "bias", bias)
        self.weight = Parameter(np.empty(self.num_channels, dtype)) if self.affine else None
        self.bias = Parameter(np.empty(self.num_channels, dtype)) if self.affine and bias else None
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``weight`` to ones and ``bias`` to zeros, in place, as the constructor does (torch's)."""
        reset_affine(self.weight, self.bias)

    def forward(self, input: Any) -> Tensor:
        input = _input("GroupNorm", input, self.weight)
        shape = np.shape(input._data if isinstance(input, Tensor) else input)
        # without affine parameters nothing is per channel: any count divisible by num_groups goes, as torch's
        if len(shape) < 2 or (shape[1] != self.num_channels and self.weight is not None):
            raise ShapeError(f"GroupNorm: expected an input (N, {self.num_channels}, ...), got shape {shape}")
        return group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, bias={self.bias is not None}"
