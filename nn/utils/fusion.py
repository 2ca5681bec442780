"""Folding an eval-mode batch norm into the convolution or linear layer before it, as torch's
``torch.nn.utils.fusion``: one layer whose output equals layer -> batch norm with its running statistics.

In eval mode batch norm is the affine map ``y = (x - mean) * gamma / sqrt(var + eps) + beta`` per channel,
so with ``scale = gamma / sqrt(var + eps)`` the fused layer has weight ``W * scale`` (each output channel's
slice scaled) and bias ``(b - mean) * scale + beta``.
"""

from __future__ import annotations

import copy
from typing import Any, TypeVar

import numpy as np

from autograd import Node, ShapeError

from ..module import Module
from ..parameter import Parameter

__all__ = ["FusionError", "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval", "fuse_linear_bn_weights"]

LayerT = TypeVar("LayerT", bound=Module)


class FusionError(ValueError, AssertionError):
    """A pair of modules the fusion cannot fold (one in training mode, a batch norm without running statistics, a
    linear layer and a batch norm of other widths): torch asserts these, so its AssertionError, and the library's
    ValueError. (A convolution's width that differs is a ShapeError, torch's RuntimeError.)"""


def _array(value: Any) -> np.ndarray | None:
    """A Tensor's, Parameter's or array's data (None stays None)."""
    if value is None:
        return None
    return np.asarray(value._data if isinstance(value, Node) else value)


def _batch_norm_scale(bn_rm: Any, bn_rv: Any, bn_eps: float, bn_w: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(running mean, gamma / sqrt(running var + eps), running var's dtype) with gamma 1 when there is none."""
    mean, variance = _array(bn_rm), _array(bn_rv)
    gamma = np.ones_like(mean) if bn_w is None else _array(bn_w)
    inverse_std = 1 / np.sqrt(variance + np.asarray(bn_eps, dtype=variance.dtype))  # torch's rsqrt
    return mean, gamma, inverse_std


def _requires_grad(value: Any) -> bool:
    """Whether the fused Parameter made from ``value`` requires grad: as ``value`` does (a plain array: True); a
    missing bias (None) is torch's ``zeros_like(running_mean)``, which does not."""
    if value is None:
        return False
    return bool(value.requires_grad) if isinstance(value, Node) else True


def fuse_conv_bn_weights(
    conv_w: Any,
    conv_b: Any,
    bn_rm: Any,
    bn_rv: Any,
    bn_eps: float,
    bn_w: Any,
    bn_b: Any,
    transpose: bool = False,
) -> tuple[Parameter, Parameter]:
    """The (weight, bias) Parameters of a convolution fused with the batch norm after it: ``conv_w`` scaled
    by ``bn_w / sqrt(bn_rv + bn_eps)`` along its output-channel axis (0, or 1 for a transposed
    convolution's weight with ``transpose``), the bias ``(conv_b - bn_rm) * scale + bn_b`` (``conv_b``
    None: 0; ``bn_w`` None: 1; ``bn_b`` None: 0). The weight keeps ``conv_w``'s dtype, the bias
    ``conv_b``'s (or the weight's); the bias requires grad as ``conv_b`` does (not when it is None, as torch's)."""
    weight = _array(conv_w)
    bias = None if conv_b is None else _array(conv_b)
    mean, gamma, inverse_std = _batch_norm_scale(bn_rm, bn_rv, bn_eps, bn_w)
    beta = np.zeros_like(mean) if bn_b is None else _array(bn_b)
    shape = [1, -1] if transpose else [-1, 1]
    shape += [1] * (weight.ndim - 2)
    fused_weight = (weight * (gamma * inverse_std).reshape(shape)).astype(weight.dtype)
    fused_bias = ((np.zeros_like(mean) if bias is None else bias) - mean) * inverse_std * gamma + beta
    bias_dtype = weight.dtype if bias is None else bias.dtype
    return (
        Parameter(fused_weight, requires_grad=_requires_grad(conv_w), dtype=weight.dtype),
        Parameter(fused_bias.astype(bias_dtype), requires_grad=_requires_grad(conv_b), dtype=bias_dtype),
    )


def fuse_linear_bn_weights(
    linear_w: Any, linear_b: Any, bn_rm: Any, bn_rv: Any, bn_eps: float, bn_w: Any, bn_b: Any
) -> tuple[Parameter, Parameter]:
    """The (weight, bias) Parameters of a linear layer fused with the batch norm after it: each row of
    ``linear_w`` scaled by ``bn_w / sqrt(bn_rv + bn_eps)``, the bias ``(linear_b - bn_rm) * scale + bn_b``
    (``linear_b`` None: 0; ``bn_w`` None: 1; ``bn_b`` None: 0)."""
    weight = _array(linear_w)
    bias = None if linear_b is None else _array(linear_b)
    mean, gamma, inverse_std = _batch_norm_scale(bn_rm, bn_rv, bn_eps, bn_w)
    beta = np.zeros_like(mean) if bn_b is None else _array(bn_b)
    scale = gamma * inverse_std
    fused_weight = weight * scale[:, None].astype(weight.dtype)
    fused_bias = ((np.zeros_like(mean) if bias is None else bias) - mean) * scale + beta
    bias_dtype = weight.dtype if bias is None else bias.dtype
    return (
        Parameter(fused_weight, requires_grad=_requires_grad(linear_w), dtype=weight.dtype),
        Parameter(fused_bias.astype(bias_dtype), requires_grad=_requires_grad(linear_b), dtype=bias_dtype),
    )


def _check_eval_pair(function: str, layer: Module, bn: Module, out_features: int) -> None:
    if layer.training or bn.training:
        raise FusionError(f"{function}: fusion is only for eval mode; call .eval() on both modules first")
    if getattr(bn, "running_mean", None) is None or getattr(bn, "running_var", None) is None:
        raise FusionError(f"{function}: the batch norm must track running statistics (track_running_stats=True)")
    if bn.num_features not in (out_features, 1):  # torch asserts it for a linear layer; a convolution's shapes clash
        raise (FusionError if function == "fuse_linear_bn_eval" else ShapeError)(
            f"{function}: the layer has {out_features} output channels, the batch norm {bn.num_features} features"
        )


def fuse_conv_bn_eval(conv: LayerT, bn: Module, transpose: bool = False) -> LayerT:
    """A copy of the eval-mode convolution ``conv`` (Conv1d/2d/3d, or a ConvTranspose with ``transpose``)
    whose output equals ``bn(conv(x))`` for the eval-mode batch norm ``bn``; neither module is changed."""
    if transpose and getattr(conv, "groups", 1) != 1:
        raise ShapeError("fuse_conv_bn_eval: a grouped transposed convolution cannot be fused (as in torch)")
    out_channels = conv.weight.shape[1 if transpose else 0]
    _check_eval_pair("fuse_conv_bn_eval", conv, bn, out_channels)
    fused = copy.deepcopy(conv)
    fused.weight, fused.bias = fuse_conv_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias, transpose
    )
    return fused


def fuse_linear_bn_eval(linear: LayerT, bn: Module) -> LayerT:
    """A copy of the eval-mode ``linear`` whose output equals ``bn(linear(x))`` for the eval-mode batch norm
    ``bn`` (BatchNorm1d over the linear's output features, or over 1 feature); neither module is changed."""
    _check_eval_pair("fuse_linear_bn_eval", linear, bn, linear.out_features)
    fused = copy.deepcopy(linear)
    fused.weight, fused.bias = fuse_linear_bn_weights(
        fused.weight, fused.bias, bn.running_mean, bn.running_var, bn.eps, bn.weight, bn.bias
    )
    return fused
