"""Transformer encoders, torch's ``nn.TransformerEncoderLayer`` and ``nn.TransformerEncoder``: the same
arguments, sub-module names (so the same ``state_dict`` keys) and computation, built from
:class:`MultiheadAttention`, :class:`Linear`, :class:`LayerNorm` and :class:`Dropout`.

One encoder layer on x (sequence of d_model features), with SA the self-attention block
dropout1(self_attn(x, x, x)) and FF the feed-forward block dropout2(linear2(dropout(act(linear1(x))))):

* post-norm (default): x = norm1(x + SA(x)); x = norm2(x + FF(x));
* ``norm_first``:      x = x + SA(norm1(x)); x = x + FF(norm2(x)).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from autograd import Tensor

from .attention import MultiheadAttention
from .checks import (
    ArgumentAssertionError,
    check_flag,
    check_positive_int,
    check_probability,
    check_real,
    make_generator,
)
from .containers import ModuleList
from .functional.activations import gelu, relu
from .layer_normalization import LayerNorm
from .layers import Dropout, Linear
from .module import Module, as_layer_input
from .parameter import factory_dtype

__all__ = [
    "ActivationNameError",
    "LayerOptions",
    "TransformerEncoder",
    "TransformerEncoderLayer",
    "checked_layer_options",
]

_ACTIVATIONS: dict[str, Callable[..., Tensor]] = {"relu": relu, "gelu": gelu}


class ActivationNameError(ValueError, RuntimeError):
    """An activation named by a string other than "relu" or "gelu": a ValueError, the library's class for a bad
    argument, and a RuntimeError, as torch's transformer layers raise it."""


def resolve_activation(owner: str, activation: str | Callable[..., Any]) -> Callable[..., Any]:
    """The feed-forward activation: "relu" or "gelu" as the function, a callable (or Module) as given."""
    if isinstance(activation, str):
        if activation not in _ACTIVATIONS:
            raise ActivationNameError(f"{owner}: activation must be 'relu', 'gelu' or a callable, got {activation!r}")
        return _ACTIVATIONS[activation]
    if not callable(activation):
        raise TypeError(f"{owner}: activation must be 'relu', 'gelu' or a callable, got {type(activation).__name__}")
    return activation


class LayerOptions(NamedTuple):
    """A transformer layer's constructor arguments, checked (:func:`checked_layer_options`)."""

    d_model: int
    nhead: int
    dim_feedforward: int
    dropout: float
    activation: Callable[..., Any]
    layer_norm_eps: float
    batch_first: bool
    norm_first: bool
    bias: bool
    dtype: Any
    generator: np.random.Generator


def checked_layer_options(
    owner: str,
    d_model: Any,
    nhead: Any,
    dim_feedforward: Any,
    dropout: Any,
    activation: Any,
    layer_norm_eps: Any,
    batch_first: Any,
    norm_first: Any,
    bias: Any,
    dtype: Any,
    rng: Any,
    device: Any,
) -> LayerOptions:
    """The arguments every transformer layer takes, checked with errors naming ``owner``: positive sizes with
    d_model divisible by nhead, a dropout probability, eps >= 0, flags, a dtype (``device`` must be the CPU),
    the activation resolved (:func:`resolve_activation`) and ``rng`` made a Generator."""
    d_model = check_positive_int(owner, "d_model", d_model)
    nhead = check_positive_int(owner, "nhead", nhead)
    if d_model % nhead:  # torch's MultiheadAttention asserts it (an AssertionError)
        raise ArgumentAssertionError(f"{owner}: d_model={d_model} must be divisible by nhead={nhead}")
    return LayerOptions(
        d_model,
        nhead,
        check_positive_int(owner, "dim_feedforward", dim_feedforward),
        check_probability(owner, "dropout", dropout),
        resolve_activation(owner, activation),
        check_real(owner, "layer_norm_eps", layer_norm_eps, 0),
        check_flag(owner, "batch_first", batch_first),
        check_flag(owner, "norm_first", norm_first),
        check_flag(owner, "bias", bias),
        factory_dtype(owner, device, dtype),
        make_generator(owner, "rng", rng),
    )


class TransformerEncoderLayer(Module):
    """Self-attention then a feed-forward network, each with a residual connection and a LayerNorm (after
    it by default, before it with ``norm_first``); see the module docstring for the maths.

    Sub-modules, by torch's names: ``self_attn`` (:class:`MultiheadAttention` of d_model, nhead, dropout,
    bias, batch_first), ``linear1`` (d_model -> dim_feedforward), ``dropout``, ``linear2``
    (dim_feedforward -> d_model), ``norm1``, ``norm2`` (LayerNorm, eps ``layer_norm_eps``; no bias with
    ``bias=False``), ``dropout1``, ``dropout2``. ``activation`` is "relu", "gelu" or a callable on Tensors
    (a Module given here becomes the sub-module ``activation``, as in torch). ``rng`` (a Generator, an int
    seed or None) draws the initial weights and the dropout masks.

    ``forward(src, src_mask=None, src_key_padding_mask=None, is_causal=False)``: src (S, N, E), (N, S, E)
    with ``batch_first`` or unbatched (S, E); ``src_mask`` (S, S) or (N * nhead, S, S) and
    ``src_key_padding_mask`` (N, S) or (S,), boolean (True = masked out) or float (added), as
    :class:`MultiheadAttention` reads them. A query whose keys are all masked gets zero attention output.
    """

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[..., Any] = "relu",
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        o = checked_layer_options(
            "TransformerEncoderLayer", d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
            batch_first, norm_first, bias, dtype, rng, device,
        )  # fmt: skip
        self.norm_first = o.norm_first
        self.self_attn = MultiheadAttention(
            o.d_model,
            o.nhead,
            dropout=o.dropout,
            bias=o.bias,
            batch_first=o.batch_first,
            dtype=o.dtype,
            rng=o.generator,
        )
        self.linear1 = Linear(o.d_model, o.dim_feedforward, bias=o.bias, dtype=o.dtype, rng=o.generator)
        self.dropout = Dropout(o.dropout, rng=o.generator)
        self.linear2 = Linear(o.dim_feedforward, o.d_model, bias=o.bias, dtype=o.dtype, rng=o.generator)
        self.norm1 = LayerNorm(o.d_model, eps=o.layer_norm_eps, bias=o.bias, dtype=o.dtype)
        self.norm2 = LayerNorm(o.d_model, eps=o.layer_norm_eps, bias=o.bias, dtype=o.dtype)
        self.dropout1 = Dropout(o.dropout, rng=o.generator)
        self.dropout2 = Dropout(o.dropout, rng=o.generator)
        self.activation = o.activation

    def forward(
        self, src: Any, src_mask: Any = None, src_key_padding_mask: Any = None, is_causal: bool = False
    ) -> Tensor:
        x = as_layer_input("TransformerEncoderLayer", src, self.linear1.weight)
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            return x + self._ff_block(self.norm2(x))
        x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
        return self.norm2(x + self._ff_block(x))

    def _sa_block(self, x: Tensor, attn_mask: Any, key_padding_mask: Any, is_causal: bool) -> Tensor:
        """dropout1(self_attn(x, x, x)): the self-attention block, without its weights."""
        output, _ = self.self_attn(
            x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False, is_causal=is_causal
        )
        return self.dropout1(output)

    def _ff_block(self, x: Tensor) -> Tensor:
        """dropout2(linear2(dropout(activation(linear1(x))))): the feed-forward block."""
        return self.dropout2(self.linear2(self.dropout(self.activation(self.linear1(x)))))


def clone_module(module: Module) -> Module:
    """A deep copy of ``module`` (parameters copied, not shared) whose random generators stay shared, so the
    copies' dropout masks keep drawing from one stream, as torch's all draw from its global generator."""
    memo: dict[int, Any] = {}
    for sub_module in module.modules():
        for member in vars(sub_module).values():
            if isinstance(member, np.random.Generator):
                memo[id(member)] = member
    return copy.deepcopy(module, memo)


class TransformerEncoder(Module):
    """A stack of ``num_layers`` copies of ``encoder_layer`` (deep copies, as torch's: equal weights at
    first, trained apart), held in the :class:`ModuleList` ``layers``, then ``norm`` if given.

    ``forward(src, mask=None, src_key_padding_mask=None, is_causal=None)`` passes src through every layer
    with the same masks (see :class:`TransformerEncoderLayer`) and applies ``norm``. torch's
    ``enable_nested_tensor`` and ``mask_check`` are accepted and kept; they steer torch's nested-tensor
    inference path, which this library does not have (a padded position's output is computed like any other).
    ``is_causal`` is a hint that ``mask`` is causal, read as :class:`MultiheadAttention` reads it (without a
    padding mask the causal rule stands in for the mask, as torch's: the same result when the hint is true).
    """

    def __init__(
        self,
        encoder_layer: Module,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        owner = "TransformerEncoder"
        if not isinstance(encoder_layer, Module):
            raise TypeError(f"{owner}: encoder_layer must be a Module, got {type(encoder_layer).__name__}")
        self.num_layers = check_positive_int(owner, "num_layers", num_layers)
        if norm is not None and not isinstance(norm, Module):
            raise TypeError(f"{owner}: norm must be a Module or None, got {type(norm).__name__}")
        self.layers = ModuleList([clone_module(encoder_layer) for _ in range(self.num_layers)])
        self.norm = norm
        self.enable_nested_tensor = check_flag(owner, "enable_nested_tensor", enable_nested_tensor)
        self.mask_check = check_flag(owner, "mask_check", mask_check)

    def forward(
        self, src: Any, mask: Any = None, src_key_padding_mask: Any = None, is_causal: bool | None = None
    ) -> Tensor:
        causal = False if is_causal is None else check_flag("TransformerEncoder", "is_causal", is_causal)
        output = src
        for layer in self.layers:
            output = layer(output, src_mask=mask, src_key_padding_mask=src_key_padding_mask, is_causal=causal)
        if self.norm is not None:
            output = self.norm(output)
        return output
