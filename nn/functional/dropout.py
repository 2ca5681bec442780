"""Inverted dropout as torch's ``F.dropout``, ``F.dropout1d``, ``F.dropout2d`` and ``F.dropout3d``: zero entries (or whole
channels) with probability p and scale the kept ones by 1 / (1 - p), so the expectation is the input. And torch's
``F.alpha_dropout`` / ``F.feature_alpha_dropout`` for SELU networks: dropped entries (or channels) set to SELU's
negative saturation value, then an affine map that keeps a standardised input's mean 0 and variance 1.

The random draws come from ``rng`` (a numpy Generator, an int seed or None for fresh entropy), a keyword
torch does not have. ``inplace=True`` writes the result into the input Tensor and returns it, recorded as
``relu_``'s is (:mod:`nn.functional.in_place_change`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor

from ..checks import check_flag, check_probability, make_generator
from .in_place_change import change_in_place

__all__ = ["alpha_dropout", "dropout", "dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout"]


def _as_tensor(function: str, x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    try:
        return Tensor(x)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{function}: expected a Tensor or array-like input, got {type(x).__name__}") from error


def masked_dropout(x: Tensor, p: float, mask_shape: tuple[int, ...], rng: np.random.Generator) -> Tensor:
    """``x`` times a 0 / (1 / (1 - p)) mask of ``mask_shape`` (broadcast along ``x``), each entry kept with
    probability 1 - p; p = 1 gives zeros. d/dx = the mask."""
    if p == 1:
        return x * np.zeros(x.shape, dtype=x.dtype)
    keep = rng.random(mask_shape) >= p
    scale = np.asarray(1.0 / (1.0 - p), dtype=x.dtype if x.dtype.kind == "f" else np.float64)
    return x * (keep * scale)


def _options(function: str, p: Any, training: Any, inplace: Any) -> tuple[float, bool, bool]:
    p = check_probability(function, "p", p)
    return p, check_flag(function, "training", training), check_flag(function, "inplace", inplace)


def _dropped(function: str, x: Tensor, inplace: bool, drop: Callable[[Tensor], Tensor]) -> Tensor:
    """``drop(x)``, written into ``x`` when ``inplace`` (the same object returned)."""
    return change_in_place(function, x, drop) if inplace else drop(x)


def dropout(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, *, rng: Any = None) -> Tensor:
    """Zero each entry with probability ``p`` and scale the rest by 1 / (1 - p) while ``training`` (torch's
    default is True); the input itself otherwise."""
    p, training, inplace = _options("dropout", p, training, inplace)
    x = _as_tensor("dropout", input)
    if not training or p == 0:
        return x
    generator = make_generator("dropout", "rng", rng)
    return _dropped("dropout", x, inplace, lambda t: masked_dropout(t, p, t.shape, generator))


def _channel_dropout(
    function: str, input: Any, p: Any, training: Any, inplace: Any, rng: Any, spatial: int, batched: int
) -> Tensor:
    p, training, inplace = _options(function, p, training, inplace)
    x = _as_tensor(function, input)
    if x.ndim not in (batched - 1, batched):
        raise ShapeError(
            f"{function}: Expected {batched - 1}D or {batched}D input, but received a {x.ndim}D input (expected a "
            f"{batched - 1}-D (unbatched) or {batched}-D (batched) input, got shape {x.shape})"
        )
    if not training or p == 0:
        return x
    mask_shape = x.shape[: x.ndim - spatial] + (1,) * spatial
    generator = make_generator(function, "rng", rng)
    return _dropped(function, x, inplace, lambda t: masked_dropout(t, p, mask_shape, generator))


def dropout1d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, *, rng: Any = None) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability ``p``, scaling the rest by
    1 / (1 - p) while ``training``."""
    return _channel_dropout("dropout1d", input, p, training, inplace, rng, spatial=1, batched=3)


def dropout2d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, *, rng: Any = None) -> Tensor:
    """Zero whole channels of (N, C, H, W) or (C, H, W) input with probability ``p``, scaling the rest by
    1 / (1 - p) while ``training``. As torch (with its warning), a 3-D input is read as (N, C, L): channels
    of one axis."""
    x = _as_tensor("dropout2d", input)
    if x.ndim == 3:
        warnings.warn(
            "dropout2d: a 3-D input is read as (N, C, L) and its channels dropped along one axis, as torch does "
            "(torch will later read it as (C, H, W)); use dropout1d for (N, C, L)",
            UserWarning,
            stacklevel=2,
        )
        return _channel_dropout("dropout2d", x, p, training, inplace, rng, spatial=1, batched=3)
    return _channel_dropout("dropout2d", x, p, training, inplace, rng, spatial=2, batched=4)


def dropout3d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, *, rng: Any = None) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability ``p``, scaling the rest by
    1 / (1 - p) while ``training``."""
    return _channel_dropout("dropout3d", input, p, training, inplace, rng, spatial=3, batched=5)


#: -SELU's negative saturation value, scale * alpha (torch's ``alpha`` in its alpha dropout kernel).
SELU_SATURATION = 1.7580993408473766


def alpha_masked_dropout(x: Tensor, p: float, mask_shape: tuple[int, ...], rng: np.random.Generator) -> Tensor:
    """torch's alpha dropout with a keep-mask of ``mask_shape`` (broadcast along ``x``), each entry kept with
    probability 1 - p: with s = 1.7580993408473766 and a = 1 / sqrt((s^2 p + 1)(1 - p)),

        out = a x + s a p where kept, s a (p - 1) where dropped;   d/dx = a where kept, else 0.

    p = 1 gives zeros, as torch.
    """
    if p == 1:
        return x * np.zeros(x.shape, dtype=x.dtype)
    dtype = x.dtype if x.dtype.kind == "f" else np.float64
    keep = rng.random(mask_shape) >= p
    a = 1.0 / np.sqrt((SELU_SATURATION**2 * p + 1) * (1 - p))
    shift = (keep - 1.0) * (SELU_SATURATION * a) + SELU_SATURATION * a * p
    # the factors in the input's dtype, as torch's: a float64 a would turn a float32 input into float64
    return x * (keep * a).astype(dtype) + shift.astype(dtype)


def alpha_dropout(
    input: Any, p: float = 0.5, training: bool = False, inplace: bool = False, *, rng: Any = None
) -> Tensor:
    """Alpha dropout (Klambauer et al.) while ``training`` (torch's default for the function is False): each entry
    dropped with probability ``p`` to SELU's saturation value, then the affine map of
    :func:`alpha_masked_dropout`, so an input of mean 0 and variance 1 keeps them; the input itself otherwise."""
    p, training, inplace = _options("alpha_dropout", p, training, inplace)
    x = _as_tensor("alpha_dropout", input)
    if not training or p == 0 or x.size == 0:
        return x
    generator = make_generator("alpha_dropout", "rng", rng)
    return _dropped("alpha_dropout", x, inplace, lambda t: alpha_masked_dropout(t, p, t.shape, generator))


def feature_alpha_dropout(
    input: Any, p: float = 0.5, training: bool = False, inplace: bool = False, *, rng: Any = None
) -> Tensor:
    """Alpha dropout of whole channels while ``training`` (default False): one draw per (axis 0, axis 1) pair,
    shared along the other axes, as torch (which reads axes 0 and 1 as (N, C) for every input of 2 or more
    axes, an unbatched one too); the input itself otherwise."""
    p, training, inplace = _options("feature_alpha_dropout", p, training, inplace)
    x = _as_tensor("feature_alpha_dropout", input)
    if not training or p == 0 or x.size == 0:
        return x
    if x.ndim < 2 and p < 1:  # where torch checks: only when a mask is drawn
        raise ValueError(
            f"feature_alpha_dropout: expected an input with at least 2 axes (N, C, *), got shape {x.shape}"
        )
    mask_shape = x.shape[:2] + (1,) * (x.ndim - 2)
    generator = make_generator("feature_alpha_dropout", "rng", rng)
    return _dropped("feature_alpha_dropout", x, inplace, lambda t: alpha_masked_dropout(t, p, mask_shape, generator))
