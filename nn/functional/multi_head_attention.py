"""Multi-head attention as a function, torch's ``F.multi_head_attention_forward``: the computation of
:class:`nn.MultiheadAttention` (see :mod:`nn.attention` for the maths) on projections passed in, built from the
engine's ops, so every gradient is backpropagation through them. The module calls :func:`attend` here too."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, concatenate, linear

from ..checks import ArgumentAssertionError, check_flag, check_positive_int, check_probability
from ..module import as_layer_input, check_input_dtype
from ..warning_site import user_stacklevel
from .attention import add_masks, additive_mask, append_zero_column, attention_weights, scaled_dot_product_attention
from .dropout import dropout as dropout_function

__all__ = ["MaskDtypeError", "MissingCausalMaskError", "multi_head_attention_forward"]

_NAME = "multi_head_attention_forward"


class MaskDtypeError(TypeError, AssertionError):
    """A mask neither boolean nor floating-point (integers, uint8): a TypeError, the library's class for a wrong
    dtype, and an AssertionError, as torch asserts the masks' dtypes."""


class MissingCausalMaskError(ValueError, RuntimeError):
    """``is_causal=True`` without the ``attn_mask`` it hints at: a ValueError, the library's class for a bad
    argument, and a RuntimeError, as torch raises it."""


def check_causal_hint(owner: str, is_causal: bool, attn_mask: Any) -> bool:
    """``is_causal`` checked: ``True`` is a hint that ``attn_mask`` is the causal mask, so it needs that mask (as
    torch)."""
    is_causal = check_flag(owner, "is_causal", is_causal)
    if is_causal and attn_mask is None:
        raise MissingCausalMaskError(
            f"{owner}: is_causal=True is a hint that attn_mask is the causal mask, so it needs attn_mask (as torch)"
        )
    return is_causal


def _masks(
    owner: str,
    key_padding_mask: Any,
    attn_mask: Any,
    heads: int,
    shape: tuple[int, int, int],
    batched: bool,
    dtype: Any,
) -> tuple[Any, Any]:
    """The two masks as additive biases shaped to broadcast over (N, H, L, S) (``shape`` is (N, L, S)):
    attn_mask as (1 or N, 1 or H, L, S), key_padding_mask as (N, 1, 1, S); None stays None. Masks of two dtypes
    (boolean and float, or two float widths) give torch's deprecation UserWarning, and are then both applied."""
    batch, length, source = shape
    if key_padding_mask is not None and attn_mask is not None and _dtype(key_padding_mask) != _dtype(attn_mask):
        warnings.warn(
            "Support for mismatched key_padding_mask and attn_mask is deprecated. Use same type for both instead.",
            stacklevel=user_stacklevel(),
        )
    padding = None
    if key_padding_mask is not None:
        padding = additive_mask(owner, "key_padding_mask", key_padding_mask, dtype, True, MaskDtypeError)
        expected = (batch, source) if batched else (source,)
        if tuple(padding.shape) != expected:
            raise ArgumentAssertionError(
                f"{owner}: key_padding_mask must have shape {expected} ((N, S) batched, (S,) unbatched), "
                f"got {tuple(padding.shape)}"
            )
        padding = padding.reshape((batch, 1, 1, source))
    attention = None
    if attn_mask is not None:
        attention = additive_mask(owner, "attn_mask", attn_mask, dtype, True, MaskDtypeError)
        mask_shape = tuple(attention.shape)
        stacked = (batch * heads, length, source) if batched else (heads, length, source)
        if mask_shape == (length, source):
            attention = attention.reshape((1, 1, length, source))
        elif mask_shape == stacked:
            attention = attention.reshape((batch, heads, length, source))
        else:  # torch asserts the rank, and the shape of an unbatched 3-D mask; any other wrong shape is its
            # RuntimeError
            asserted = len(mask_shape) not in (2, 3) or (not batched and len(mask_shape) == 3)
            raise (ArgumentAssertionError if asserted else ShapeError)(
                f"{owner}: attn_mask must have shape {(length, source)} (L, S) or {stacked} "
                f"({'N * num_heads' if batched else 'num_heads'}, L, S), got {mask_shape}"
            )
    return padding, attention


def _dtype(mask: Any) -> np.dtype:
    """The dtype of a mask as given (a Tensor, an array or a nested list)."""
    return mask.dtype if isinstance(mask, (Tensor, np.ndarray)) else np.asarray(mask).dtype


def _with_open_key(mask: Any) -> Any:
    """``mask`` with one more key every query may attend to (None stays None)."""
    return None if mask is None else append_zero_column(mask)


def _static(owner: str, name: str, given: Any, batch: int, heads: int, depth: int, dtype: Any) -> Tensor:
    """A ``static_k``/``static_v`` of shape (N * H, S, d) as (N, H, S, d), head h of batch entry n at n * H + h."""
    tensor = as_layer_input(owner, given, Tensor(np.zeros(0, dtype=dtype)))
    if tensor.ndim != 3 or tensor.shape[0] != batch * heads or tensor.shape[2] != depth:
        raise ArgumentAssertionError(
            f"{owner}: {name} must have shape (N * num_heads, S, head_dim) = ({batch * heads}, S, {depth}), "
            f"got {tensor.shape}"
        )
    return tensor.reshape((batch, heads, tensor.shape[1], depth))


def attend(
    owner: str,
    q: Tensor,
    k: Tensor,
    v: Tensor,
    batched: bool,
    heads: int,
    projections: tuple[Any, ...],
    out_projection: Callable[[Tensor], Tensor],
    *,
    bias_k: Any = None,
    bias_v: Any = None,
    add_zero_attn: bool = False,
    dropout_p: float = 0.0,
    key_padding_mask: Any = None,
    need_weights: bool = True,
    attn_mask: Any = None,
    static_k: Any = None,
    static_v: Any = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
    rng: Any = None,
) -> tuple[Tensor, Tensor | None]:
    """Multi-head attention of checked inputs q (L, N, E), k (S, N, kdim), v (S, N, vdim) (``batched`` False:
    N = 1 stands for no batch axis): ``projections`` = (W_q, W_k, W_v, b_q, b_k, b_v), ``out_projection`` the
    output's Linear map. Returns (output (L, N, E), weights or None), the weights in the caller's batching.

    ``is_causal`` (checked: it comes with an ``attn_mask``) acts as torch's: without ``key_padding_mask`` and
    with ``need_weights=False`` the mask (checked) is set aside and each query i attends to keys 0..i of the
    final keys (``bias_k`` and the zero key of ``add_zero_attn`` included, which the mask would have let every
    query see), as torch hands scaled_dot_product_attention the hint in place of the mask; otherwise the mask
    is applied."""
    length, batch, size = q.shape
    depth = size // heads
    if static_k is not None:
        static_k = _static(owner, "static_k", static_k, batch, heads, depth, q.dtype)
    if static_v is not None:
        static_v = _static(owner, "static_v", static_v, batch, heads, depth, q.dtype)
    if (static_k is not None or static_v is not None) and bias_k is not None:
        raise ArgumentAssertionError(f"{owner}: bias_k and bias_v cannot be added to a static key or value")
    source = k.shape[0] if static_k is None else static_k.shape[2]
    padding, attention = _masks(owner, key_padding_mask, attn_mask, heads, (batch, length, source), batched, q.dtype)
    causal = is_causal and padding is None and not need_weights
    if causal:  # torch's hint in place of the mask
        attention = None
    w_q, w_k, w_v, b_q, b_k, b_v = projections
    q = linear(q, w_q, b_q)
    if static_k is None:
        k = linear(k, w_k, b_k)
    if static_v is None:
        v = linear(v, w_v, b_v)
    if bias_k is not None and bias_v is not None:
        zeros = np.zeros((1, batch, size), dtype=q.dtype)
        k = concatenate([k, bias_k + zeros], axis=0)
        v = concatenate([v, bias_v + zeros], axis=0)
        padding, attention = _with_open_key(padding), _with_open_key(attention)
    # (T, N, E) -> (N, H, T, d): head h holds the features h*d .. (h+1)*d, as torch splits them
    q = q.reshape((length, batch, heads, depth)).permute(1, 2, 0, 3)
    k = static_k if static_k is not None else k.reshape((k.shape[0], batch, heads, depth)).permute(1, 2, 0, 3)
    v = static_v if static_v is not None else v.reshape((v.shape[0], batch, heads, depth)).permute(1, 2, 0, 3)
    if k.shape[2] != v.shape[2]:
        raise ShapeError(f"{owner}: the keys and values have different lengths, {k.shape[2]} and {v.shape[2]}")
    if add_zero_attn:
        zeros = np.zeros((batch, heads, 1, depth), dtype=q.dtype)
        k, v = concatenate([k, Tensor(zeros)], axis=2), concatenate([v, Tensor(zeros)], axis=2)
        padding, attention = _with_open_key(padding), _with_open_key(attention)
    mask = add_masks(attention, padding)
    weights = None
    if need_weights:
        weights = attention_weights(q, k, mask, math.sqrt(1.0 / depth), safe=False)
        if dropout_p > 0:
            weights = dropout_function(weights, dropout_p, training=True, rng=rng)
        heads_out = weights @ v
    else:
        heads_out = scaled_dot_product_attention(q, k, v, mask, dropout_p, causal, rng=rng)
    output = out_projection(heads_out.permute(2, 0, 1, 3).reshape((length, batch, size)))
    if weights is not None:
        if average_attn_weights:
            weights = weights.mean(axis=1)
        if not batched:
            weights = weights.reshape(weights.shape[1:])
    return output, weights


def multi_head_attention_forward(
    query: Any,
    key: Any,
    value: Any,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Any = None,
    need_weights: bool = True,
    attn_mask: Any = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Any = None,
    static_v: Any = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
    *,
    rng: Any = None,
) -> tuple[Tensor, Tensor | None]:
    """torch's ``F.multi_head_attention_forward``: :class:`nn.MultiheadAttention`'s forward with its parameters
    passed in. query (L, N, E), key (S, N, kdim), value (S, N, vdim), or (L, E), (S, kdim), (S, vdim) unbatched
    (no ``batch_first`` here, as torch). ``in_proj_weight`` (3E, E) stacks W_q, W_k, W_v, unless
    ``use_separate_proj_weight`` (then ``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight``); ``in_proj_bias``
    (3E,) stacks their biases. ``static_k``/``static_v`` (N * H, S, E / H) replace the projected keys/values.
    ``dropout_p`` acts on the weights when ``training``, drawn from ``rng`` (the library's random state by
    default). Returns (output (L, N, E), weights (N, L, S) averaged over heads, (N, H, L, S) with
    ``average_attn_weights=False``, or None unless ``need_weights``). ``is_causal`` is a hint that ``attn_mask``
    is the causal mask; it needs that mask, which is applied, except with ``need_weights=False`` and no
    ``key_padding_mask``, where the causal rule replaces it, as in torch (see :func:`attend`)."""
    heads = check_positive_int(_NAME, "num_heads", num_heads)
    dropout_p = check_probability(_NAME, "dropout_p", dropout_p)
    need_weights = check_flag(_NAME, "need_weights", need_weights)
    average_attn_weights = check_flag(_NAME, "average_attn_weights", average_attn_weights)
    use_separate_proj_weight = check_flag(_NAME, "use_separate_proj_weight", use_separate_proj_weight)
    is_causal = check_causal_hint(_NAME, is_causal, attn_mask)
    q, k, v = (as_layer_input(_NAME, x, out_proj_weight) for x in (query, key, value))
    if q.ndim not in (2, 3) or k.ndim != q.ndim or v.ndim != q.ndim:
        raise ArgumentAssertionError(
            f"{_NAME}: query, key and value must all be 3-D (batched) or 2-D (unbatched), got query {q.shape}, "
            f"key {k.shape} and value {v.shape}"
        )
    for x in (q, k, v):
        check_input_dtype(_NAME, x, out_proj_weight)
    size = q.shape[-1]
    if size != embed_dim_to_check:
        raise ArgumentAssertionError(
            f"{_NAME}: was expecting embedding dimension of {embed_dim_to_check}, but got {size} (query {q.shape})"
        )
    if size % heads:
        raise ArgumentAssertionError(f"{_NAME}: embed_dim {size} not divisible by num_heads {heads}")
    if use_separate_proj_weight:
        if k.shape[:-1] != v.shape[:-1]:
            raise ArgumentAssertionError(
                f"{_NAME}: key's sequence and batch dims {k.shape[:-1]} do not match value's {v.shape[:-1]}"
            )
        weights = (q_proj_weight, k_proj_weight, v_proj_weight)
        for name, weight in zip(("q_proj_weight", "k_proj_weight", "v_proj_weight"), weights):
            if weight is None:
                raise ArgumentAssertionError(f"{_NAME}: use_separate_proj_weight is True but {name} is None")
    else:
        if k.shape != v.shape:
            raise ArgumentAssertionError(f"{_NAME}: key shape {k.shape} does not match value shape {v.shape}")
        if in_proj_weight is None:
            raise ArgumentAssertionError(f"{_NAME}: use_separate_proj_weight is False but in_proj_weight is None")
        weights = tuple(in_proj_weight[i * size : (i + 1) * size] for i in range(3))
    biases = (None,) * 3 if in_proj_bias is None else tuple(in_proj_bias[i * size : (i + 1) * size] for i in range(3))
    if (bias_k is None) != (bias_v is None):
        raise ArgumentAssertionError(f"{_NAME}: bias_k and bias_v must be given together (or neither)")
    batched = q.ndim == 3
    if not batched:
        q, k, v = (x.reshape((x.shape[0], 1, x.shape[1])) for x in (q, k, v))
    elif q.shape[1] != k.shape[1]:
        raise ShapeError(f"{_NAME}: query and key must have the same batch size, got query {q.shape} and key {k.shape}")
    output, attention = attend(
        _NAME,
        q,
        k,
        v,
        batched,
        heads,
        (*weights, *biases),
        lambda x: linear(x, out_proj_weight, out_proj_bias),
        bias_k=bias_k,
        bias_v=bias_v,
        add_zero_attn=check_flag(_NAME, "add_zero_attn", add_zero_attn),
        dropout_p=dropout_p if training else 0.0,
        key_padding_mask=key_padding_mask,
        need_weights=need_weights,
        attn_mask=attn_mask,
        static_k=static_k,
        static_v=static_v,
        average_attn_weights=average_attn_weights,
        is_causal=is_causal,
        rng=rng,
    )
    return (output if batched else output.reshape((output.shape[0], size))), attention
