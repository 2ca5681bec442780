"""``nn.utils``: torch's ``torch.nn.utils`` helpers where ported training loops look for them:
activation checkpointing (``nn.utils.checkpoint.checkpoint``, as torch.utils.checkpoint's), gradient clipping
(``clip_grad_norm_``, ``clip_grad_value_``, ``get_total_norm``, ``clip_grads_with_norm_``, from
:mod:`nn.optim.clip`, also at torch's path :mod:`.clip_grad`, and torch's deprecated ``clip_grad_norm``),
``parameters_to_vector`` and ``vector_to_parameters`` (:mod:`.convert_parameters`), ``stateless.functional_call``
(a call with other tensors in place of the module's, :mod:`.stateless`), ``skip_init`` (:mod:`.init`), the
convolution weights' memory format (:mod:`.memory_format`), pruning by masks (:mod:`.prune`), eval-mode
conv/linear + batch-norm fusion (:mod:`.fusion`), the hook-based ``weight_norm`` (:mod:`.weight_norm`) and
``spectral_norm`` (:mod:`.spectral_norm`), parametrizations (:mod:`.parametrize`, :mod:`.parametrizations`) and
``nn.utils.rnn``'s padded and packed batches of sequences (:mod:`.rnn`)."""

from __future__ import annotations

from . import checkpoint, clip_grad, convert_parameters, parametrizations, parametrize, prune, rnn, stateless
from .clip_grad import clip_grad_norm, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights
from .init import skip_init
from .memory_format import convert_conv2d_weight_memory_format, convert_conv3d_weight_memory_format
from .spectral_norm import remove_spectral_norm, spectral_norm
from .weight_norm import remove_weight_norm, weight_norm

__all__ = [
    "checkpoint",
    "clip_grad",
    "clip_grad_norm",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "convert_conv2d_weight_memory_format",
    "convert_conv3d_weight_memory_format",
    "convert_parameters",
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
