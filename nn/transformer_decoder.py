"""Transformer decoders, torch's ``nn.TransformerDecoderLayer`` and ``nn.TransformerDecoder``: the same
arguments, sub-module names (so the same ``state_dict`` keys) and computation, built from
:class:`MultiheadAttention`, :class:`Linear`, :class:`LayerNorm` and :class:`Dropout`.

One decoder layer on the target x, given the encoder's output m (the memory), with SA the self-attention block
dropout1(self_attn(x, x, x)), CA the cross-attention block dropout2(multihead_attn(x, m, m)) and FF the
feed-forward block dropout3(linear2(dropout(act(linear1(x))))):

* post-norm (default): x = norm1(x + SA(x)); x = norm2(x + CA(x, m)); x = norm3(x + FF(x));
* ``norm_first``:      x = x + SA(norm1(x)); x = x + CA(norm2(x), m); x = x + FF(norm3(x)).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor

from .attention import MultiheadAttention
from .checks import check_flag, check_positive_int
from .containers import ModuleList
from .layer_normalization import LayerNorm
from .layers import Dropout, Linear
from .module import Module, as_layer_input
from .transformer import checked_layer_options, clone_module

__all__ = ["TransformerDecoder", "TransformerDecoderLayer"]


class TransformerDecoderLayer(Module):
    """Self-attention, attention over the memory, then a feed-forward network, each with a residual connection
    and a LayerNorm (after it by default, before it with ``norm_first``); see the module docstring.

    Sub-modules, by torch's names: ``self_attn`` and ``multihead_attn`` (:class:`MultiheadAttention` of
    d_model, nhead, dropout, bias, batch_first), ``linear1`` (d_model -> dim_feedforward), ``dropout``,
    ``linear2`` (dim_feedforward -> d_model), ``norm1``, ``norm2``, ``norm3`` (LayerNorm, eps
    ``layer_norm_eps``; no bias with ``bias=False``), ``dropout1``, ``dropout2``, ``dropout3``. ``activation``
    is "relu", "gelu" or a callable on Tensors (a Module becomes the sub-module ``activation``, as in torch).
    ``rng`` (a Generator, an int seed or None) draws the initial weights and the dropout masks.

    ``forward(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False)``: tgt (T, N, E) and memory
    (S, N, E), (N, T, E) and (N, S, E) with ``batch_first``, or unbatched (T, E) and (S, E); ``tgt_mask``
    (T, T) or (N * nhead, T, T), ``memory_mask`` (T, S) or (N * nhead, T, S), the padding masks (N, T) and
    (N, S) ((T,), (S,) unbatched), boolean (True = masked out) or float (added), as :class:`MultiheadAttention`
    reads them. The ``is_causal`` flags are hints that the mask given is causal, read as
    :class:`MultiheadAttention` reads them (without a padding mask the causal rule stands in for the mask, as
    torch's: the same result when the hint is true).
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
            "TransformerDecoderLayer", d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
            batch_first, norm_first, bias, dtype, rng, device,
        )  # fmt: skip
        self.norm_first = o.norm_first
        attention = {"dropout": o.dropout, "bias": o.bias, "batch_first": o.batch_first, "dtype": o.dtype}
        self.self_attn = MultiheadAttention(o.d_model, o.nhead, **attention, rng=o.generator)
        self.multihead_attn = MultiheadAttention(o.d_model, o.nhead, **attention, rng=o.generator)
        self.linear1 = Linear(o.d_model, o.dim_feedforward, bias=o.bias, dtype=o.dtype, rng=o.generator)
        self.dropout = Dropout(o.dropout, rng=o.generator)
        self.linear2 = Linear(o.dim_feedforward, o.d_model, bias=o.bias, dtype=o.dtype, rng=o.generator)
        self.norm1 = LayerNorm(o.d_model, eps=o.layer_norm_eps, bias=o.bias, dtype=o.dtype)
        self.norm2 = LayerNorm(o.d_model, eps=o.layer_norm_eps, bias=o.bias, dtype=o.dtype)
        self.norm3 = LayerNorm(o.d_model, eps=o.layer_norm_eps, bias=o.bias, dtype=o.dtype)
        self.dropout1 = Dropout(o.dropout, rng=o.generator)
        self.dropout2 = Dropout(o.dropout, rng=o.generator)
        self.dropout3 = Dropout(o.dropout, rng=o.generator)
        self.activation = o.activation

    def forward(
        self,
        tgt: Any,
        memory: Any,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        x = as_layer_input("TransformerDecoderLayer", tgt, self.linear1.weight)
        memory = as_layer_input("TransformerDecoderLayer", memory, self.linear1.weight)
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            return x + self._ff_block(self.norm3(x))
        x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
        x = self.norm2(x + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal))
        return self.norm3(x + self._ff_block(x))

    def _sa_block(self, x: Tensor, attn_mask: Any, key_padding_mask: Any, is_causal: bool) -> Tensor:
        """dropout1(self_attn(x, x, x)): the self-attention block, without its weights."""
        output, _ = self.self_attn(
            x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False, is_causal=is_causal
        )
        return self.dropout1(output)

    def _mha_block(self, x: Tensor, memory: Tensor, attn_mask: Any, key_padding_mask: Any, is_causal: bool) -> Tensor:
        """dropout2(multihead_attn(x, memory, memory)): the attention over the memory, without its weights."""
        output, _ = self.multihead_attn(
            x,
            memory,
            memory,
            attn_mask=attn_mask,
            key_padding_mask=key_padding_mask,
            need_weights=False,
            is_causal=is_causal,
        )
        return self.dropout2(output)

    def _ff_block(self, x: Tensor) -> Tensor:
        """dropout3(linear2(dropout(activation(linear1(x))))): the feed-forward block."""
        return self.dropout3(self.linear2(self.dropout(self.activation(self.linear1(x)))))


class TransformerDecoder(Module):
    """A stack of ``num_layers`` copies of ``decoder_layer`` (deep copies, as torch's: equal weights at first,
    trained apart), held in the :class:`ModuleList` ``layers``, then ``norm`` if given.

    ``forward(tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
    memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False)`` passes tgt through every layer
    with the same memory and masks (see :class:`TransformerDecoderLayer`) and applies ``norm``.
    ``tgt_is_causal`` is a hint that ``tgt_mask`` is causal (None: torch would detect it, here False), read as
    :class:`TransformerDecoderLayer` reads it: a true hint does not change the result.
    """

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Module | None = None) -> None:
        owner = "TransformerDecoder"
        if not isinstance(decoder_layer, Module):
            raise TypeError(f"{owner}: decoder_layer must be a Module, got {type(decoder_layer).__name__}")
        self.num_layers = check_positive_int(owner, "num_layers", num_layers)
        if norm is not None and not isinstance(norm, Module):
            raise TypeError(f"{owner}: norm must be a Module or None, got {type(norm).__name__}")
        self.layers = ModuleList([clone_module(decoder_layer) for _ in range(self.num_layers)])
        self.norm = norm

    def forward(
        self,
        tgt: Any,
        memory: Any,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        owner = "TransformerDecoder"
        tgt_causal = False if tgt_is_causal is None else check_flag(owner, "tgt_is_causal", tgt_is_causal)
        memory_causal = check_flag(owner, "memory_is_causal", memory_is_causal)
        output = tgt
        for layer in self.layers:
            output = layer(
                output,
                memory,
                tgt_mask=tgt_mask,
                memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=tgt_causal,
                memory_is_causal=memory_causal,
            )
        if self.norm is not None:
            output = self.norm(output)
        return output
