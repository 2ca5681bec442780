"""The encoder-decoder Transformer, torch's ``nn.Transformer``: ``encoder`` (a :class:`TransformerEncoder`
with a final LayerNorm) reads the source, ``decoder`` (a :class:`TransformerDecoder` with a final LayerNorm)
reads the target and the encoder's output,

    memory = encoder(src, src_mask, src_key_padding_mask)
    output = decoder(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask),

with torch's arguments, sub-module names (so torch's ``state_dict`` keys) and initialisation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import ArgumentRangeError, ShapeError, Tensor
from autograd.default_dtype import float_dtype

from . import init as nn_init
from .checks import check_flag, check_integer, check_positive_int, make_generator
from .layer_normalization import LayerNorm
from .module import Module
from .parameter import factory_dtype
from .transformer import TransformerEncoder, TransformerEncoderLayer
from .transformer_decoder import TransformerDecoder, TransformerDecoderLayer

__all__ = ["Transformer"]


class Transformer(Module):
    """An encoder of ``num_encoder_layers`` and a decoder of ``num_decoder_layers`` layers (see the module
    docstring), each ending in a LayerNorm (eps ``layer_norm_eps``), unless ``custom_encoder`` /
    ``custom_decoder`` replace them. The layers take d_model, nhead, dim_feedforward, dropout, activation,
    layer_norm_eps, batch_first, norm_first and bias (see :class:`TransformerEncoderLayer` and
    :class:`TransformerDecoderLayer`). As torch's, every parameter of two or more axes is then drawn again
    with xavier_uniform_ (custom parts included), from ``rng`` (a Generator, an int seed or None).

    ``forward(src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
    tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
    memory_is_causal=False)``: src (S, N, E), tgt (T, N, E) ((N, S, E), (N, T, E) with ``batch_first``;
    (S, E), (T, E) unbatched) give the output (T, N, E) (or the target's layout). Masks as the layers read them.
    """

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[..., Any] = "relu",
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        owner = "Transformer"
        self.d_model = check_positive_int(owner, "d_model", d_model)
        self.nhead = check_positive_int(owner, "nhead", nhead)
        self.batch_first = check_flag(owner, "batch_first", batch_first)
        dtype = factory_dtype(owner, device, dtype)
        generator = make_generator(owner, "rng", rng)
        layer_options = {
            "dim_feedforward": dim_feedforward,
            "dropout": dropout,
            "activation": activation,
            "layer_norm_eps": layer_norm_eps,
            "batch_first": batch_first,
            "norm_first": norm_first,
            "bias": bias,
            "dtype": dtype,
            "rng": generator,
        }
        for name, custom in (("custom_encoder", custom_encoder), ("custom_decoder", custom_decoder)):
            if custom is not None and not isinstance(custom, Module):
                raise TypeError(f"{owner}: {name} must be a Module or None, got {type(custom).__name__}")
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            self.encoder = TransformerEncoder(
                TransformerEncoderLayer(d_model, nhead, **layer_options),
                num_encoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype),
            )
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            self.decoder = TransformerDecoder(
                TransformerDecoderLayer(d_model, nhead, **layer_options),
                num_decoder_layers,
                LayerNorm(d_model, eps=layer_norm_eps, bias=bias, dtype=dtype),
            )
        self._reset_parameters(generator)

    def _reset_parameters(self, generator: np.random.Generator) -> None:
        """torch's initialisation: xavier_uniform_ on every parameter of two or more axes."""
        for parameter in self.parameters():
            if parameter.ndim > 1:
                nn_init.xavier_uniform_(parameter, rng=generator)

    def forward(
        self,
        src: Any,
        tgt: Any,
        src_mask: Any = None,
        tgt_mask: Any = None,
        memory_mask: Any = None,
        src_key_padding_mask: Any = None,
        tgt_key_padding_mask: Any = None,
        memory_key_padding_mask: Any = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        owner = "Transformer"
        src_shape, tgt_shape = np.shape(src), np.shape(tgt)
        batch_axis = 0 if self.batch_first else 1
        if len(src_shape) == 3 and (len(tgt_shape) != 3 or src_shape[batch_axis] != tgt_shape[batch_axis]):
            raise ShapeError(
                f"{owner}: src and tgt must have the same batch size, got src {src_shape} and tgt {tgt_shape} "
                + ("(batch_first=True: (N, S, E))" if self.batch_first else "((S, N, E); batch_first=False)")
            )
        if src_shape[-1:] != (self.d_model,) or tgt_shape[-1:] != (self.d_model,):
            raise ShapeError(
                f"{owner}: src and tgt must have d_model={self.d_model} features (last axis), "
                f"got src {src_shape} and tgt {tgt_shape}"
            )
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(
            tgt,
            memory,
            tgt_mask=tgt_mask,
            memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask,
            tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device: Any = None, dtype: Any = None) -> Tensor:
        """The (sz, sz) causal mask: -inf above the diagonal (a position may not attend to later ones), 0 on
        and below it, as torch's. Its dtype is ``dtype``, else the factories' default
        (:func:`autograd.get_default_dtype`), as torch's ``torch.full`` gives its default dtype."""
        size = check_integer("Transformer.generate_square_subsequent_mask", "sz", sz)
        if size < 0:
            raise ArgumentRangeError(  # torch's RuntimeError (a tensor of negative size)
                f"Transformer.generate_square_subsequent_mask: sz must be at least 0, got {sz}"
            )
        dtype = factory_dtype("Transformer.generate_square_subsequent_mask", device, float_dtype(dtype))
        return Tensor(np.triu(np.full((size, size), -np.inf, dtype=dtype), k=1))
