"""``nn.utils``: torch's ``torch.nn.utils`` helpers where ported training loops look for them:
activation checkpointing (``nn.utils.checkpoint.checkpoint``, as torch.utils.checkpoint's), gradient clipping
(``clip_grad_norm_``, ``clip_grad_value_``, ``get_total_norm``, ``clip_grads_with_norm_``, from
:mod:`nn.optim.clip`, and torch's deprecated ``clip_grad_norm``), ``parameters_to_vector`` and ``vector_to_parameters`` (here), ``stateless.functional_call`` (a call with other
tensors in place of the module's, :mod:`.stateless`), ``skip_init`` (:mod:`.init`), the convolution weights' memory format (:mod:`.memory_format`), pruning by masks (:mod:`.prune`), eval-mode
conv/linear + batch-norm fusion (:mod:`.fusion`), the hook-based ``weight_norm`` (:mod:`.weight_norm`) and ``spectral_norm``
(:mod:`.spectral_norm`), parametrizations (:mod:`.parametrize`,
:mod:`.parametrizations`) and
``nn.utils.rnn``'s padded and packed batches of sequences (:mod:`.rnn`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from autograd import Node, ShapeError, Tensor, cat
from autograd.tensor import GradientDtypeError

from ..optim.clip import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from ..warning_site import deprecated_alias
from . import checkpoint, parametrizations, parametrize, prune, rnn, stateless
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights
from .init import skip_init
from .memory_format import convert_conv2d_weight_memory_format, convert_conv3d_weight_memory_format
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

__all__ = [
    "checkpoint",
    "clip_grad_norm",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "convert_conv2d_weight_memory_format",
    "convert_conv3d_weight_memory_format",
    "fuse_conv_bn_eval",
    "fuse_conv_bn_weights",
    "fuse_linear_bn_eval",
    "fuse_linear_bn_weights",
    "get_total_norm",
    "parameters_to_vector",
    "parametrizations",
    "parametrize",
    "prune",
    "remove_spectral_norm",
    "remove_weight_norm",
    "rnn",
    "skip_init",
    "spectral_norm",
    "stateless",
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
    """Make the parameters consecutive slices of ``vec``, as torch's (``p.data = vec[start:start + p.numel()]
    .view_as(p)``): each parameter's data becomes a view of ``vec``'s memory in ``vec``'s dtype (a later in-place
    change of ``vec`` shows in them), no graph is recorded, and a parameter's ``grad`` stays. As torch's, ``vec``
    is sliced along its first axis (a 2-D one by rows) and a longer ``vec``'s tail is not used; a slice that does
    not hold a parameter's entries, or that only a copy could reshape, is a ShapeError (a ValueError and torch's
    RuntimeError), a 0-D ``vec`` an IndexError, an integer ``vec`` for a parameter that requires grad torch's
    RuntimeError (also a TypeError). Everything is checked before any parameter changes."""
    if not isinstance(vec, Node):
        raise TypeError(f"vector_to_parameters: expected a Tensor, got {type(vec).__name__}")
    if vec.ndim == 0:
        raise IndexError("vector_to_parameters: a 0-D vector cannot be sliced; give a 1-D one")
    tensors = _tensors("vector_to_parameters", parameters)
    views, start = [], 0
    for index, tensor in enumerate(tensors):
        piece = vec._data[start : start + tensor.size]
        if piece.size != tensor.size:
            raise ShapeError(
                f"vector_to_parameters: parameter {index} of shape {tensor.shape} needs {tensor.size} entries; "
                f"the vector of shape {vec.shape} gives {piece.size} (from position {start} on)"
            )
        try:
            views.append(piece.reshape(tensor.shape, copy=False))
        except ValueError:
            raise ShapeError(
                f"vector_to_parameters: the slice of the vector (shape {vec.shape}) for parameter {index} cannot be "
                f"viewed as shape {tensor.shape} without a copy; give a contiguous vector (.contiguous())"
            ) from None
        if tensor.requires_grad and vec.dtype.kind != "f":
            raise GradientDtypeError(
                f"vector_to_parameters: parameter {index} requires grad and cannot take the {vec.dtype} vector's "
                "data; give a floating-point vector"
            )
        start += tensor.size
    for tensor, view in zip(tensors, views):
        tensor.data = view
