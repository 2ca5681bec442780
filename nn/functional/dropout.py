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

from autograd import ArgumentRangeError, ShapeError, Tensor
from autograd.node_sequences import refuse_nodes_in_sequence

from ..checks import check_flag, check_probability, make_generator
from ..warning_site import user_stacklevel
from .in_place_change import change_in_place
from .integer_inputs import refuse_integer_dropout

__all__ = ["alpha_dropout", "dropout", "dropout1d", "dropout2d", "dropout3d", "feature_alpha_dropout"]


def _as_tensor(function: str, x: Any) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (list, tuple)):
        refuse_nodes_in_sequence(x, function, Tensor)
    try:
        return Tensor(x)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{function}: expected a Tensor or array-like input, got {type(x).__name__} ({error})"
        ) from error


def masked_dropout(x: Tensor, p: float, mask_shape: tuple[int, ...], rng: np.random.Generator) -> Tensor:
    """``x`` times a 0 / (1 / (1 - p)) mask of ``mask_shape`` (broadcast along ``x``), each entry kept with
    probability 1 - p; p = 1 gives zeros. d/dx = the mask."""
    if p == 1:
        return x * np.zeros(x.shape, dtype=x.dtype)
    keep = rng.random(mask_shape) >= p
    scale = np.asarray(1.0 / (1.0 - p), dtype=x.dtype if x.dtype.kind == "f" else np.float64)
    return x * (keep * scale)


def _options(function: str, p: Any, training: Any, inplace: Any) -> tuple[float, bool, bool]:
    p = check_probability(function, "p", p, ArgumentRangeError)  # torch: ValueError, RuntimeError for nan
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
    if p < 1:
        refuse_integer_dropout(x, "dropout")
    generator = make_generator("dropout", "rng", rng)
    return _dropped("dropout", x, inplace, lambda t: masked_dropout(t, p, t.shape, generator))


def channel_mask_shape(function: str, shape: tuple[int, ...], spatial: int, draws: bool) -> tuple[int, ...]:
    """The keep-mask shape of ``dropout{spatial}d`` for an input of ``shape``, read as torch reads it, with torch's
    warnings (in every mode, as torch's):

    * 1-D: a (C, L) or (N, C, L) input, mask (..., C, 1); another rank is a ShapeError (torch's RuntimeError).
    * 2-D: (N, C, H, W) gives mask (N, C, 1, 1); a 3-D input is read as (N, C, L), mask (N, C, 1), with torch's
      warning; another rank warns (deprecated in torch) and is read as torch's feature dropout reads it, the first
      two axes (N, C) and the rest spatial, so a 2-D input drops single entries; fewer than 2 axes is a ShapeError
      when a mask is drawn (``draws``: training, 0 < p < 1 and a non-empty input; torch checks only then).
    * 3-D: (N, C, D, H, W) gives mask (N, C, 1, 1, 1); any other rank is one unbatched sample (C, ...) as torch
      reads it, mask (C, 1, ...), after torch's deprecation warning for a rank other than 4; a 0-D input is a
      ShapeError when a mask is drawn.
    """
    ndim = len(shape)
    if spatial == 1:
        if ndim not in (2, 3):
            raise ShapeError(
                f"{function}: Expected 2D or 3D input, but received a {ndim}D input (expected a 2-D (unbatched) "
                f"or 3-D (batched) input, got shape {shape})"
            )
        return shape[:-1] + (1,)
    if ndim not in (spatial + 1, spatial + 2):
        warnings.warn(
            f"{function}: Received a {ndim}-D input to dropout{spatial}d, which is deprecated (torch's warning; torch "
            f"will make it an error): {function} drops the channels of a {spatial + 1}-D (unbatched) or "
            f"{spatial + 2}-D (batched) input; use dropout for single entries",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    if spatial == 2 and ndim == 3:
        warnings.warn(
            f"{function}: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired: a 3-D input is read as (N, C, L) and its channels dropped along one axis, as torch does "
            "(torch will later read it as (C, H, W)); use dropout1d for (N, C, L)",
            UserWarning,
            stacklevel=user_stacklevel(),
        )
    if draws and ndim < (2 if spatial == 2 else 1):
        raise ShapeError(f"{function}: Feature dropout requires at least 2 dimensions in the input, got shape {shape}")
    if spatial == 2 or ndim == spatial + 2:  # (N, C, ...); 3-D's other ranks are one unbatched sample (C, ...)
        return shape[:2] + (1,) * (ndim - 2)
    return shape[:1] + (1,) * (ndim - 1)


def channel_dropout(function: str, input: Any, p: Any, training: Any, inplace: Any, rng: Any, spatial: int) -> Tensor:
    """``dropout{spatial}d`` of ``input`` (named ``function`` in messages): whole channels, see
    :func:`channel_mask_shape`; the Dropout1d/2d/3d layers run this too."""
    p, training, inplace = _options(function, p, training, inplace)
    x = _as_tensor(function, input)
    mask_shape = channel_mask_shape(function, x.shape, spatial, training and 0 < p < 1 and x.size > 0)
    if not training or p == 0:
        return x
    if p < 1:
        refuse_integer_dropout(x, function)
    generator = make_generator(function, "rng", rng)
    return _dropped(function, x, inplace, lambda t: masked_dropout(t, p, mask_shape, generator))


def dropout1d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, *, rng: Any = None) -> Tensor:
    """Zero whole channels of (N, C, L) or (C, L) input with probability ``p``, scaling the rest by
    1 / (1 - p) while ``training``."""
    return channel_dropout("dropout1d", input, p, training, inplace, rng, spatial=1)


def dropout2d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, *, rng: Any = None) -> Tensor:
    """Zero whole channels of (N, C, H, W) or (C, H, W) input with probability ``p``, scaling the rest by
    1 / (1 - p) while ``training``. As torch (with its warning), a 3-D input is read as (N, C, L): channels
    of one axis; another rank is read as torch reads it, with its deprecation warning (:func:`channel_mask_shape`)."""
    return channel_dropout("dropout2d", input, p, training, inplace, rng, spatial=2)


def dropout3d(input: Any, p: float = 0.5, training: bool = True, inplace: bool = False, *, rng: Any = None) -> Tensor:
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) input with probability ``p``, scaling the rest by
    1 / (1 - p) while ``training``; another rank is read as torch reads it, with its deprecation warning
    (:func:`channel_mask_shape`)."""
    return channel_dropout("dropout3d", input, p, training, inplace, rng, spatial=3)


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
    if p < 1:
        refuse_integer_dropout(x, "alpha_dropout")
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
        raise ShapeError(  # a ValueError, and torch's RuntimeError
            f"feature_alpha_dropout: expected an input with at least 2 axes (N, C, *), got shape {x.shape}"
        )
    if p < 1:
        refuse_integer_dropout(x, "feature_alpha_dropout")
    mask_shape = x.shape[:2] + (1,) * (x.ndim - 2)
    generator = make_generator("feature_alpha_dropout", "rng", rng)
    return _dropped("feature_alpha_dropout", x, inplace, lambda t: alpha_masked_dropout(t, p, mask_shape, generator))
