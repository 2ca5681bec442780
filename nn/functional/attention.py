"""Scaled dot-product attention, torch's ``F.scaled_dot_product_attention``, built from the engine's ops
(``@``, ``softmax``, ``where``, ``dropout``), so its gradient is backpropagation through them.

With queries Q (..., L, E), keys K (..., S, E) and values V (..., S, Ev):

    A = softmax(scale * Q K^T + B) along the keys,   output = A V   (..., L, Ev),

scale = 1/sqrt(E) unless given, and B an additive bias: 0 where a query may attend to a key and -inf where
it may not (a boolean mask, True = takes part; ``is_causal``: key j <= query i), or a float mask added as
it is. A query row whose keys are all masked gets the weights 0 (so the output 0 and no gradient), as
torch's kernels give, and no numpy warning. The shared helpers turn masks into such biases for
:class:`nn.MultiheadAttention` as well.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import ArgumentRangeError, ShapeError, Tensor, concatenate, repeat, where
from autograd.accumulation import float16_via_float32
from autograd.broadcasting import AxisError, broadcast_shape

from ..checks import check_flag, check_probability, check_real
from .dropout import dropout

__all__ = ["AttentionDtypeError", "scaled_dot_product_attention"]

_NAME = "scaled_dot_product_attention"


class AttentionDtypeError(TypeError, RuntimeError):
    """scaled_dot_product_attention's inputs of dtypes it cannot use (query, key or value not floating-point or not
    of one dtype, a mask neither boolean nor float): a TypeError, the library's class for a wrong dtype, and a
    RuntimeError, as torch raises it."""


def as_float_input(owner: str, name: str, x: Any) -> Tensor:
    """``x`` as a floating-point Tensor (arrays are wrapped without a copy; lists become float64)."""
    if not isinstance(x, Tensor):
        try:
            x = Tensor(x)
        except (TypeError, ValueError) as error:
            raise TypeError(f"{owner}: {name} must be a Tensor or an array, got {type(x).__name__}") from error
    if x.dtype.kind != "f":
        raise AttentionDtypeError(f"{owner}: {name} must have a floating-point dtype, got {x.dtype}")
    return x


def additive_mask(
    owner: str, name: str, mask: Any, dtype: np.dtype, masked_value: bool, error: type[TypeError] = TypeError
) -> Any:
    """``mask`` as an additive bias of ``dtype``: a boolean mask becomes -inf where it equals ``masked_value``
    (sdpa masks out False, MultiheadAttention True) and 0 elsewhere, an ndarray; a float mask is kept as it
    is, cast to ``dtype`` (a float Tensor stays in the graph and receives a gradient). A mask of another dtype
    raises ``error``, a TypeError (the caller's subclass, as torch's class for it)."""
    if isinstance(mask, Tensor):
        if mask.dtype == np.bool_:
            mask = mask._data
        elif mask.dtype.kind == "f":
            return mask if mask.dtype == dtype else mask.astype(dtype)
    array = np.asarray(mask)
    if array.dtype == np.bool_:
        return np.where(array == masked_value, -np.inf, 0.0).astype(dtype)
    if array.dtype.kind == "f":
        return array.astype(dtype, copy=False)
    raise error(f"{owner}: {name} must be a boolean or floating-point mask, got dtype {array.dtype}")


def append_zero_column(mask: Any) -> Any:
    """An additive mask with one more key (last axis) that every query may attend to (bias 0)."""
    zeros = np.zeros((*mask.shape[:-1], 1), dtype=mask.dtype)
    if isinstance(mask, Tensor):
        return concatenate([mask, Tensor(zeros)], axis=-1)
    return np.concatenate([mask, zeros], axis=-1)


def add_masks(first: Any, second: Any) -> Any:
    """The sum of two additive masks (ndarrays or Tensors), either of which may be None."""
    if first is None or second is None:
        return second if first is None else first
    if isinstance(second, Tensor) and not isinstance(first, Tensor):
        return second + first
    return first + second


def attention_weights(query: Tensor, key: Tensor, bias: Any, scale: float, safe: bool) -> Tensor:
    """softmax(scale * query @ key^T + bias) over the last axis. With ``safe``, rows whose scores are all
    -inf (every key masked) give weights 0 and pass no gradient back, as torch's safe softmax; otherwise
    they give nan, as a plain softmax."""
    scores = (query * scale) @ key.swapaxes(-2, -1)
    if bias is not None:
        scores = scores + bias
    if not safe:
        return scores.softmax(-1)
    blocked = np.all(np.isneginf(scores._data), axis=-1, keepdims=True)
    if not blocked.any():
        return scores.softmax(-1)
    # A finite stand-in row keeps the softmax (and its backward) free of nan; the weights are then zeroed.
    return where(blocked, 0.0, where(blocked, 0.0, scores).softmax(-1))


@float16_via_float32
def scaled_dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    attn_mask: Any = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    *,
    scale: float | None = None,
    enable_gqa: bool = False,
    rng: Any = None,
) -> Tensor:
    """Attention softmax(scale * Q K^T + B) V over the last two axes, as torch's (see the module docstring).

    ``query`` (..., L, E), ``key`` (..., S, E), ``value`` (..., S, Ev), at least 2-D, with leading axes that
    broadcast; the result is (..., L, Ev). ``attn_mask`` broadcasts to (..., L, S): boolean (True = the key
    takes part) or float (added to the scores). ``is_causal`` lets query i attend to keys 0..i only (the
    upper-left triangle when L != S); with an ``attn_mask`` too, both apply (as torch 2.13's fused kernels; its math
    fallback refuses the pair). ``scale`` defaults to
    1/sqrt(E). When ``dropout_p`` > 0 the weights A go through dropout (always: pass 0 outside training, as
    torch asks), drawn from ``rng`` (a Generator, an int seed or None: the library's random state).
    ``enable_gqa`` (grouped-query attention) repeats each of the H key/value heads (axis -3) Hq / H times
    to serve the Hq query heads.

    Gradients reach query, key, value and a float ``attn_mask`` Tensor: dO = dA V^T's chain through the
    softmax and the two products; rows with every key masked get weights 0 and no gradient.
    """
    q = as_float_input(_NAME, "query", query)
    k = as_float_input(_NAME, "key", key)
    v = as_float_input(_NAME, "value", value)
    dropout_p = check_probability(_NAME, "dropout_p", dropout_p, ArgumentRangeError)  # torch's RuntimeError
    is_causal = check_flag(_NAME, "is_causal", is_causal)
    enable_gqa = check_flag(_NAME, "enable_gqa", enable_gqa)
    if scale is not None:
        scale = check_real(_NAME, "scale", scale)
    if min(q.ndim, k.ndim, v.ndim) < 2:
        raise ShapeError(
            f"{_NAME}: query, key and value must be at least 2-D, got shapes {q.shape}, {k.shape} and {v.shape}"
        )
    if not q.dtype == k.dtype == v.dtype:
        raise AttentionDtypeError(
            f"{_NAME}: query, key and value must share a dtype, got {q.dtype}, {k.dtype} and {v.dtype}"
        )
    if k.shape[-1] != q.shape[-1]:
        raise ShapeError(
            f"{_NAME}: query and key must have the same embedding size E (last axis), got query {q.shape} "
            f"and key {k.shape}"
        )
    if v.shape[-2] != k.shape[-2]:
        raise ShapeError(
            f"{_NAME}: key and value must have the same sequence length S (axis -2), got key {k.shape} "
            f"and value {v.shape}"
        )
    if enable_gqa:
        k, v = _grouped_heads(q, k, v)
    batch = broadcast_shape(q.shape[:-2], k.shape[:-2], v.shape[:-2])
    if batch is None:
        raise ShapeError(
            f"{_NAME}: the leading (batch and head) axes of query {q.shape}, key {k.shape} and value {v.shape} "
            "do not broadcast"
        )
    length, source = q.shape[-2], k.shape[-2]
    weights_shape = (*batch, length, source)
    bias = None
    if attn_mask is not None:
        bias = additive_mask(_NAME, "attn_mask", attn_mask, q.dtype, False, AttentionDtypeError)
        if broadcast_shape(bias.shape, weights_shape) != weights_shape:
            raise ShapeError(
                f"{_NAME}: attn_mask of shape {tuple(bias.shape)} does not broadcast to the attention weights' "
                f"shape {weights_shape} (..., L, S)"
            )
    if is_causal:  # with attn_mask too, both apply (their biases add), as torch 2.13's fused kernels
        causal = additive_mask(_NAME, "attn_mask", np.tri(length, source, dtype=bool), q.dtype, False)
        bias = causal if bias is None else add_masks(bias, causal)
    if scale is None:  # E = 0: torch's 1/sqrt(0) = inf scales no terms, the scores are empty sums, 0
        factor = 1.0 / math.sqrt(q.shape[-1]) if q.shape[-1] else math.inf
    else:
        factor = scale
    weights = attention_weights(q, k, bias, factor, safe=True)
    if dropout_p > 0:
        weights = dropout(weights, dropout_p, training=True, rng=rng)
    return weights @ v


def _grouped_heads(q: Tensor, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
    """key and value with each head (axis -3) repeated to match the query's heads (grouped-query attention): each
    by its own factor, as torch's, so key and value may have different numbers of heads, each dividing the
    query's. Without a head axis, numpy's AxisError (torch's IndexError, and a ValueError); heads that do not
    divide, a :class:`ShapeError` (torch's RuntimeError)."""
    if min(q.ndim, k.ndim, v.ndim) < 3:
        raise AxisError(
            f"{_NAME}: enable_gqa needs a head axis (-3) in query, key and value, got shapes {q.shape}, {k.shape} "
            f"and {v.shape}"
        )
    heads = q.shape[-3]
    if heads % k.shape[-3] or heads % v.shape[-3]:
        raise ShapeError(
            f"{_NAME}: with enable_gqa, the numbers of heads (axis -3) of key and value must divide the query's "
            f"{heads}; got key {k.shape} and value {v.shape}"
        )
    k_group, v_group = heads // k.shape[-3], heads // v.shape[-3]
    return (
        k if k_group == 1 else repeat(k, k_group, axis=k.ndim - 3),
        v if v_group == 1 else repeat(v, v_group, axis=v.ndim - 3),
    )
