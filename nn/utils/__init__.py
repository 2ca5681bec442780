"""``nn.utils``: torch's ``torch.nn.utils`` helpers where ported training loops look for them:
activation checkpointing (``nn.utils.checkpoint.checkpoint``, as torch.utils.checkpoint's), gradient clipping
(``clip_grad_norm_``, ``clip_grad_value_``, ``get_total_norm``, ``clip_grads_with_norm_``, from
:mod:`nn.optim.clip`, and torch's deprecated ``clip_grad_norm``), ``parameters_to_vector`` and ``vector_to_parameters`` (here), eval-mode
conv/linear + batch-norm fusion (:mod:`.fusion`), the hook-based ``weight_norm`` (:mod:`.weight_norm`) and ``spectral_norm``
(:mod:`.spectral_norm`), parametrizations (:mod:`.parametrize`,
:mod:`.parametrizations`) and
``nn.utils.rnn``'s padded and packed batches of sequences (:mod:`.rnn`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd import Node, ShapeError, Tensor, cat, no_grad

from ..optim.clip import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from ..warning_site import deprecated_alias
from . import checkpoint, parametrizations, parametrize, rnn
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

__all__ = [
    "checkpoint",
    "clip_grad_norm",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "fuse_linear_bn_eval",
    "fuse_linear_bn_weights",
    "get_total_norm",
    "parameters_to_vector",
    "parametrizations",
    "parametrize",
    "remove_spectral_norm",
    "remove_weight_norm",
    "rnn",
    "spectral_norm",
    "vector_to_parameters",
    "weight_norm",
]


#: torch's deprecated name of :func:`clip_grad_norm_` (older examples' ``clip_grad_norm(model.parameters(), clip)``)
clip_grad_norm = deprecated_alias(clip_grad_norm_, "torch.nn.utils")


def _tensors(function: str, parameters: Iterable[Any]) -> list[Tensor]:
    tensors = list(parameters)
    for index, parameter in enumerate(tensors):
        if not isinstance(parameter, Tensor):
            raise TypeError(f"{function}: parameter {index} is a {type(parameter).__name__}, not a Tensor")
    return tensors


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """All parameters flattened and concatenated, in order, into one 1-D Tensor (differentiable: the
    gradient of the vector reaches each parameter)."""
    tensors = _tensors("parameters_to_vector", parameters)
    if not tensors:
        raise ValueError("parameters_to_vector: expected at least one parameter")
    return cat([tensor.reshape(-1) for tensor in tensors])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters' data, in place (no graph), as torch. A
    vector of another ndim or another length than the parameters' total size is a ShapeError (a ValueError and
    torch's RuntimeError; torch ignores a longer vector's tail, refused here)."""
    if not isinstance(vec, Node):
        raise TypeError(f"vector_to_parameters: expected a Tensor, got {type(vec).__name__}")
    if vec.ndim != 1:
        raise ShapeError(f"vector_to_parameters: expected a 1-D vector, got shape {vec.shape}")
    tensors = _tensors("vector_to_parameters", parameters)
    needed = sum(tensor.size for tensor in tensors)
    if vec.shape[0] != needed:
        raise ShapeError(f"vector_to_parameters: the vector has {vec.shape[0]} entries, the parameters hold {needed}")
    start = 0
    with no_grad():
        for tensor in tensors:
            tensor.copy_(vec._data[start : start + tensor.size].reshape(tensor.shape))
            start += tensor.size
