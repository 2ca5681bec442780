"""Multi-head attention, torch's ``nn.MultiheadAttention``: its arguments, parameter names and shapes,
initialisation, masks and output shapes, built from the engine's ops (``linear``, ``@``, ``softmax``,
reshapes), so every gradient is backpropagation through them.

With E = embed_dim, H = num_heads and d = E / H, queries x_q (L, E), keys x_k (S, kdim), values x_v (S, vdim):

    Q = x_q W_q^T + b_q,  K = x_k W_k^T + b_k,  V = x_v W_v^T + b_v      (W_q, W_k, W_v: rows of in_proj_weight)
    head_h = softmax(Q_h K_h^T / sqrt(d) + B) V_h                          (Q_h: columns h*d .. (h+1)*d of Q)
    output = concat(head_1, ..., head_H) W_o^T + b_o                      (W_o, b_o: out_proj)

B is the additive mask: ``attn_mask`` and ``key_padding_mask`` (boolean: True = masked out, i.e. -inf; float:
added). ``add_bias_kv`` appends the learned rows ``bias_k``/``bias_v`` to K and V, ``add_zero_attn`` a row of
zeros to the per-head K and V; both give one more key that every query may attend to.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ShapeError, Tensor

from . import init as nn_init
from .checks import ArgumentAssertionError, check_flag, check_positive_int, check_probability, make_generator
from .functional.multi_head_attention import MaskDtypeError, MissingCausalMaskError, attend, check_causal_hint
from .layers import NonDynamicallyQuantizableLinear
from .module import Module, as_layer_input, check_input_dtype
from .parameter import Parameter, factory_dtype
from .sdpa_backends import SDPBackend, sdpa_kernel

__all__ = ["MaskDtypeError", "MissingCausalMaskError", "MultiheadAttention", "SDPBackend", "sdpa_kernel"]

_NAME = "MultiheadAttention"


class MultiheadAttention(Module):
    """Multi-head scaled dot-product attention (see the module docstring), torch's ``nn.MultiheadAttention``.

    Parameters, by torch's names: ``in_proj_weight`` (3E, E) holding W_q, W_k, W_v one above the other, or,
    when ``kdim``/``vdim`` differ from E, ``q_proj_weight`` (E, E), ``k_proj_weight`` (E, kdim) and
    ``v_proj_weight`` (E, vdim) (``in_proj_weight`` is then None); ``in_proj_bias`` (3E,) unless
    ``bias=False``; ``out_proj``, a :class:`Linear` (E -> E) of torch's class name NonDynamicallyQuantizableLinear;
    ``bias_k``, ``bias_v`` (1, 1, E) with ``add_bias_kv``. Initialised as torch's: xavier_uniform_ in-projection weights, zero biases (in and
    out), out_proj.weight as Linear's default, xavier_normal_ ``bias_k``/``bias_v``, drawn from ``rng``
    (a Generator, an int seed or None: the library's random state), which also draws the dropout masks.

    ``forward(query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
    average_attn_weights=True, is_causal=False)`` returns ``(output, weights)``: output (L, N, E), (N, L, E)
    with ``batch_first`` or (L, E) unbatched; weights (N, L, S) averaged over heads, (N, H, L, S) with
    ``average_attn_weights=False`` ((L, S) / (H, L, S) unbatched), or None unless ``need_weights``.
    ``dropout`` acts on the attention weights while training. As torch, a query whose keys are all masked
    gives nan with ``need_weights=True`` (a plain softmax) and weights 0 otherwise (the fused path);
    ``is_causal`` is a hint that ``attn_mask`` is the causal mask and needs that mask, which is applied, except
    with ``need_weights=False`` and no ``key_padding_mask``, where the causal rule replaces it, as in torch.
    """

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        self.embed_dim = check_positive_int(_NAME, "embed_dim", embed_dim)
        self.num_heads = check_positive_int(_NAME, "num_heads", num_heads)
        if self.embed_dim % self.num_heads:
            raise ArgumentAssertionError(f"{_NAME}: embed_dim={embed_dim} must be divisible by num_heads={num_heads}")
        self.kdim = self.embed_dim if kdim is None else check_positive_int(_NAME, "kdim", kdim)
        self.vdim = self.embed_dim if vdim is None else check_positive_int(_NAME, "vdim", vdim)
        self._qkv_same_embed_dim = self.kdim == self.embed_dim and self.vdim == self.embed_dim
        self.dropout = check_probability(_NAME, "dropout", dropout)
        self.batch_first = check_flag(_NAME, "batch_first", batch_first)
        self.head_dim = self.embed_dim // self.num_heads
        bias = check_flag(_NAME, "bias", bias)
        add_bias_kv = check_flag(_NAME, "add_bias_kv", add_bias_kv)
        self.add_zero_attn = check_flag(_NAME, "add_zero_attn", add_zero_attn)
        dtype = factory_dtype(_NAME, device, dtype)
        generator = make_generator(_NAME, "rng", rng)
        self._rng = generator
        size = self.embed_dim
        self.in_proj_weight: Parameter | None = None
        self.q_proj_weight: Parameter | None = None
        self.k_proj_weight: Parameter | None = None
        self.v_proj_weight: Parameter | None = None
        if self._qkv_same_embed_dim:
            self.in_proj_weight = Parameter(np.zeros((3 * size, size), dtype=dtype))
        else:
            self.q_proj_weight = Parameter(np.zeros((size, size), dtype=dtype))
            self.k_proj_weight = Parameter(np.zeros((size, self.kdim), dtype=dtype))
            self.v_proj_weight = Parameter(np.zeros((size, self.vdim), dtype=dtype))
        self.in_proj_bias = Parameter(np.zeros(3 * size, dtype=dtype)) if bias else None
        self.out_proj = NonDynamicallyQuantizableLinear(size, size, bias=bias, dtype=dtype, rng=generator)
        self.bias_k: Parameter | None = None
        self.bias_v: Parameter | None = None
        if add_bias_kv:
            self.bias_k = Parameter(np.zeros((1, 1, size), dtype=dtype))
            self.bias_v = Parameter(np.zeros((1, 1, size), dtype=dtype))
        self._reset_parameters(generator)

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Draw the projections again, in place, as the constructor does (torch's ``_reset_parameters``: the
        in-projections, the biases, ``bias_k``/``bias_v``; ``out_proj.weight`` keeps its values, as torch's)."""
        self._reset_parameters(make_generator(_NAME, "rng", rng))

    def _reset_parameters(self, generator: np.random.Generator) -> None:
        """torch's initialisation: xavier_uniform_ in-projections, zero biases, xavier_normal_ bias_k/bias_v."""
        for weight in (self.in_proj_weight, self.q_proj_weight, self.k_proj_weight, self.v_proj_weight):
            if weight is not None:
                nn_init.xavier_uniform_(weight, rng=generator)
        if self.in_proj_bias is not None:
            nn_init.zeros_(self.in_proj_bias)
            if self.out_proj.bias is not None:
                nn_init.zeros_(self.out_proj.bias)
        for extra in (self.bias_k, self.bias_v):
            if extra is not None:
                nn_init.xavier_normal_(extra, rng=generator)

    def merge_masks(self, attn_mask: Any, key_padding_mask: Any, query: Any) -> tuple[Tensor | None, int | None]:
        """torch's ``merge_masks``: the masks as one, with its type. Only ``key_padding_mask`` (N, S): itself,
        type 1; an ``attn_mask`` (L, S) or (N * num_heads, L, S): it as (N, num_heads, L, S), type 2, plus
        ``key_padding_mask`` seen as (N, 1, 1, S) if given (booleans add as a logical or); neither: (None, None).
        ``query`` (N, L, E) gives N and L, which torch's self-attention fast path takes S to equal."""
        if attn_mask is None:
            return key_padding_mask, None if key_padding_mask is None else 1
        batch, length, _ = query.shape
        attn = attn_mask if isinstance(attn_mask, Tensor) else Tensor(attn_mask)
        if attn.ndim == 3:
            merged = attn.reshape((batch, -1, length, length))
        else:
            merged = attn.reshape((1, 1, length, length)).expand(batch, self.num_heads, -1, -1)
        if key_padding_mask is not None:
            padding = key_padding_mask if isinstance(key_padding_mask, Tensor) else Tensor(key_padding_mask)
            merged = merged + padding.reshape((batch, 1, 1, length)).expand(-1, self.num_heads, -1, -1)
        return merged, 2

    def _projections(self) -> tuple[Any, ...]:
        """(W_q, W_k, W_v, b_q, b_k, b_v): slices of the packed parameters, or the separate weights."""
        size = self.embed_dim
        if self.in_proj_weight is not None:
            weights: tuple[Any, ...] = tuple(self.in_proj_weight[i * size : (i + 1) * size] for i in range(3))
        else:
            weights = (self.q_proj_weight, self.k_proj_weight, self.v_proj_weight)
        if self.in_proj_bias is None:
            return (*weights, None, None, None)
        return (*weights, *(self.in_proj_bias[i * size : (i + 1) * size] for i in range(3)))

    def _inputs(self, query: Any, key: Any, value: Any) -> tuple[Tensor, Tensor, Tensor]:
        """query, key and value as Tensors of the parameters' dtype, with checked ranks and sizes (the checks
        torch asserts raise an ArgumentAssertionError, a ValueError and an AssertionError; the sizes torch finds
        wrong only in a matmul or reshape, a RuntimeError there, raise a ShapeError, a ValueError too)."""
        parameter = self.out_proj.weight
        q, k, v = (as_layer_input(_NAME, x, parameter) for x in (query, key, value))
        if q.ndim not in (2, 3):
            raise ArgumentAssertionError(
                f"{_NAME}: query must be 3-D (batched) or 2-D (unbatched), got shape {q.shape}"
            )
        if k.ndim != q.ndim or v.ndim != q.ndim:
            raise ArgumentAssertionError(
                f"{_NAME}: key and value must have the query's rank ({q.ndim}-D), got key {k.shape} and value {v.shape}"
            )
        for x in (q, k, v):
            check_input_dtype(_NAME, x, parameter)
        if q.shape[-1] != self.embed_dim:
            raise ArgumentAssertionError(
                f"{_NAME}: query of shape {q.shape} must have embed_dim={self.embed_dim} features (last axis)"
            )
        # torch asserts that key and value agree (whole shapes when packed) and the separate projections' shapes;
        # the packed in_proj_weight fails in its matmul
        packed_matmul = self._qkv_same_embed_dim and k.shape == v.shape
        feature_error = ShapeError if packed_matmul else ArgumentAssertionError
        for name, x, option, size in (("key", k, "kdim", self.kdim), ("value", v, "vdim", self.vdim)):
            if x.shape[-1] != size:
                raise feature_error(
                    f"{_NAME}: {name} of shape {x.shape} must have {option}={size} features (last axis)"
                )
        if k.shape[:-1] != v.shape[:-1]:
            raise ArgumentAssertionError(
                f"{_NAME}: key and value must agree in sequence length and batch, got key {k.shape} and value {v.shape}"
            )
        if q.ndim == 3:
            batch_axis = 0 if self.batch_first else 1
            if q.shape[batch_axis] != k.shape[batch_axis]:
                raise ShapeError(
                    f"{_NAME}: query and key must have the same batch size, got query {q.shape} and key {k.shape}"
                    + (" (batch_first=True: (N, L, E))" if self.batch_first else " ((L, N, E); batch_first=False)")
                )
        return q, k, v

    def forward(
        self,
        query: Any,
        key: Any,
        value: Any,
        key_padding_mask: Any = None,
        need_weights: bool = True,
        attn_mask: Any = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        need_weights = check_flag(_NAME, "need_weights", need_weights)
        average_attn_weights = check_flag(_NAME, "average_attn_weights", average_attn_weights)
        is_causal = check_causal_hint(_NAME, is_causal, attn_mask)
        q, k, v = self._inputs(query, key, value)
        batched = q.ndim == 3
        if not batched:
            q, k, v = (x.reshape((x.shape[0], 1, x.shape[1])) for x in (q, k, v))
        elif self.batch_first:
            q, k, v = (x.swapaxes(0, 1) for x in (q, k, v))
        output, weights = attend(
            _NAME,
            q,
            k,
            v,
            batched,
            self.num_heads,
            self._projections(),
            self.out_proj,
            bias_k=self.bias_k if self.bias_v is not None else None,
            bias_v=self.bias_v if self.bias_k is not None else None,
            add_zero_attn=self.add_zero_attn,
            dropout_p=self.dropout if self.training else 0.0,
            key_padding_mask=key_padding_mask,
            need_weights=need_weights,
            attn_mask=attn_mask,
            average_attn_weights=average_attn_weights,
            is_causal=is_causal,
            rng=self._rng,
        )
        if not batched:
            output = output.reshape((output.shape[0], self.embed_dim))
        elif self.batch_first:
            output = output.swapaxes(0, 1)
        return output, weights
