"""Padding of a Tensor's trailing (spatial) axes in torch's modes: zeros, reflect, replicate, circular; and
torch's ``F.pad`` over them.

Each non-constant mode reads the input: the padded axis reads it at an index array (reflect:
... 2 1 | 0 1 2 ... n-1 | n-2 n-3 ...; replicate: 0 0 | 0 ... n-1 | n-1 n-1; circular: n-2 n-1 | 0 ... n-1 | 0 1),
which is numpy's pad in its reflect, edge and wrap modes (one ``read_pad`` node, whose gradient folds g back,
adding up where an input entry was read more than once; :mod:`autograd.read_padding`), or, where a negative
width crops the padded axis, the ``getitem`` primitive; differentiable to any order.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor
from autograd.read_padding import SOURCE_INDEX
from autograd.shared_math import shares_memory

from ..checks import ParameterOverflowError, UnsupportedOptionError, check_choice, check_fits_dtype, check_real
from .activations import as_tensor

__all__ = ["PADDING_MODES", "pad", "pad_spatial", "same_padding"]

#: torch's ``F.pad`` modes and the :func:`pad_spatial` mode each one is.
_PAD_MODES = {"constant": "zeros", "reflect": "reflect", "replicate": "replicate", "circular": "circular"}

#: numpy.pad's name of each mode that reads the input.
_NUMPY_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}

#: torch's ``padding_mode`` values of the convolution modules.
PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def same_padding(kernel: Sequence[int], dilation: Sequence[int]) -> tuple[tuple[int, int], ...]:
    """(before, after) per axis that keeps the length at stride 1: the total d (k - 1) split with the odd
    one after (on the right / bottom), as torch's ``padding='same'``."""
    totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
    return tuple((total // 2, total - total // 2) for total in totals)


def pad_spatial(x: Tensor, widths: Sequence[tuple[int, int]], mode: str, op: str) -> Tensor:
    """``x`` padded by ``widths`` ((before, after) for each of its last ``len(widths)`` axes) in ``mode``.

    "zeros" pads with 0 (any width); "reflect" mirrors about the edge entry and, as torch, needs each width
    smaller than the axis; "circular" wraps around and needs each width at most the axis; "replicate" repeats
    the edge entry and needs a non-empty axis: a :class:`ShapeError` otherwise (torch's RuntimeError), naming
    ``op``, the widths and the input's shape.
    The gradient sums the upstream gradient of every padded position that read an input entry into it.
    """
    if mode not in PADDING_MODES:
        raise ValueError(f"{op}: padding_mode must be one of {PADDING_MODES}, got {mode!r}")
    first = x.ndim - len(widths)
    if mode == "zeros":
        return x.pad(((0, 0),) * first + tuple(widths)) if any(any(w) for w in widths) else x
    for axis, (before, after) in enumerate(widths, start=first):
        length, widest = x.shape[axis], max(before, after)
        problem = {
            "reflect": widest > 0 and widest >= length and f"each padding smaller than the input's size {length}",
            "circular": widest > length and f"each padding at most the input's size {length}",
            "replicate": widest > 0 and length == 0 and "a non-empty input",
        }[mode]
        if problem:
            raise ShapeError(
                f"{op}: padding_mode={mode!r} needs {problem} along axis {axis}; got padding ({before}, {after}) "
                f"for input of shape {x.shape}"
            )
    if not any(any(w) for w in widths):
        return x
    numpy_mode = _NUMPY_MODES[mode]
    if all(width >= 0 for pair in widths for width in pair):  # numpy's pad in the same mode: one read_pad node
        return x.pad(((0, 0),) * first + tuple(widths), mode=numpy_mode)
    for axis, (before, after) in enumerate(widths, start=first):  # a negative width crops the padded axis
        if before or after:
            length = x.shape[axis]
            x = x[(slice(None),) * axis + (SOURCE_INDEX[numpy_mode](np.arange(-before, length + after), length),)]
    return x


def pad(input: Any, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> Tensor:
    """torch's ``F.pad``: ``pad`` lists (before, after) widths from the LAST axis backwards, so (1, 2) pads the
    last axis with 1 entry before and 2 after, and (1, 2, 3, 4) also the axis before it with 3 and 4.

    ``mode`` "constant" fills with ``value`` (default 0; True and False are 1 and 0); "reflect", "replicate" and "circular" read the input
    (see :func:`pad_spatial`) and take no ``value``. A negative width crops, as torch's: after reflecting or
    replicating the whole axis, before wrapping it around (circular); reflect and replicate may crop a padded axis
    to 0 entries while another keeps some, as torch. The non-constant modes pad 1 to 3
    trailing axes of an input with one or two more axes (channels, batch), as torch. The gradient
    sums the upstream gradient of every position that read an input entry into it. The result is a new tensor,
    as torch's, even for zero widths.
    """
    x = source = as_tensor(input, "pad")
    check_choice("pad", "mode", mode, tuple(_PAD_MODES), UnsupportedOptionError)  # torch's NotImplementedError
    widths = _torch_widths(pad, x.shape)
    if mode != "constant":
        if value is not None and value != 0:
            raise ValueError(f"pad: mode {mode!r} reads its padding from the input and takes no value, got {value!r}")
        spatial = len(widths)
        if spatial == 0:  # torch's NotImplementedError ("Padding size 0 is not supported")
            raise UnsupportedOptionError(
                f"pad: mode {mode!r} needs 2, 4 or 6 widths, got 0 (padding () of the input of shape {x.shape})"
            )
        # torch's rule: (C, ...) or (N, C, ...) input; it has no kernel for others (its NotImplementedError)
        if spatial > 3 or x.ndim not in (spatial + 1, spatial + 2):
            raise UnsupportedOptionError(
                f"pad: mode {mode!r} pads 1 to 3 trailing axes of a (C, ...) or (N, C, ...) input: padding of "
                f"{len(pad)} widths ({spatial} axes) needs an input of {spatial + 1} or {spatial + 2} axes, "
                f"got shape {x.shape}"
            )
        # torch's rule: no padded axis may be left with fewer than 0 entries, nor every one with fewer than 1
        # (with one spatial axis, at least 1 entry; of (1, 5, 5), (0, 0, 0, -5) leaves 0 rows of 5: shape (1, 0, 5))
        lengths = [length + before + after for (before, after), length in zip(widths, x.shape[x.ndim - spatial :])]
        if mode != "circular" and (min(lengths) < 0 or max(lengths) < 1):
            raise ShapeError(
                f"pad: mode {mode!r} with padding {tuple(pad)}: the input of shape {x.shape} is too small, the "
                + (
                    f"padded axis would have {lengths[0]}"
                    if spatial == 1
                    else f"padded axes would have {tuple(lengths)}"
                )
                + " entries"
            )
        if mode == "circular" and any(width < 0 for pair in widths for width in pair):
            # torch crops first and wraps around what is left
            x = _cropped(x, widths, pad)
            widths = [(max(before, 0), max(after, 0)) for before, after in widths]
        return unshared(pad_spatial(x, widths, _PAD_MODES[mode], "pad"), source)
    if isinstance(value, (bool, np.bool_)):  # torch's True and False fill with 1 and 0
        value = int(value)
    fill = 0.0 if value is None else check_real("pad", "value", value, allow_inf=True, allow_nan=True)
    fill = fill_for("pad", "value", fill, x.dtype)
    x = _cropped(x, widths, pad)
    grown = ((0, 0),) * (x.ndim - len(widths)) + tuple((max(before, 0), max(after, 0)) for before, after in widths)
    return x.pad(grown, fill) if any(any(pair) for pair in grown) else unshared(x, source)


def fill_for(owner: str, name: str, value: float, dtype: Any) -> float:
    """A padding constant ``value`` (``pad``'s ``value``, ``pad_sequence``'s ``padding_value``: the argument ``name``
    of ``owner``) as the input's ``dtype`` holds it, or torch's RuntimeError ("value cannot be
    converted to type uint8_t without overflow") as a :class:`ParameterOverflowError`: a float dtype takes inf, nan
    and any finite value up to its largest; an integer dtype a finite value within its range, truncated towards zero
    (2.7 fills 2; 300, -1 and -0.5 are refused for uint8, where numpy would wrap them around silently); a boolean
    dtype any value, True unless 0."""
    dtype = np.dtype(dtype)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if not (np.isfinite(value) and info.min <= value <= info.max):
            raise ParameterOverflowError(
                f"{owner}: {name}={value!r} cannot be converted to the input's dtype {dtype} without overflow (its range "
                f"is [{info.min}, {info.max}])"
            )
        return int(value)
    if dtype.kind == "b":
        return bool(value)
    return check_fits_dtype(owner, name, value, dtype)


def unshared(result: Tensor, source: Tensor) -> Tensor:
    """``result``, cloned (recorded) if it is ``source`` or shares its memory: torch's padding and shuffles make a
    new tensor even when they change nothing, so writing into the result cannot change the input."""
    if result is source or shares_memory(result._data, source._data):
        return result.clone()
    return result


def _cropped(x: Tensor, widths: Sequence[tuple[int, int]], pad: Sequence[int]) -> Tensor:
    """``x`` without the entries that negative widths remove from its trailing axes (the constant and circular modes
    crop first, torch's narrow, and pad what is left); a :class:`ShapeError` (torch's RuntimeError) where the crops
    alone remove more entries than an axis holds (``pad``, as given, names them)."""
    first = x.ndim - len(widths)
    for (before, after), length in zip(widths, x.shape[first:]):
        if length + min(before, 0) + min(after, 0) < 0:
            raise ShapeError(
                f"pad: padding {tuple(pad)} crops more than the input of shape {x.shape} holds (narrow(): length "
                "must be non-negative)"
            )
    crop = tuple(slice(max(-before, 0), length - max(-after, 0)) for (before, after), length in
                 zip(widths, x.shape[first:]))  # fmt: skip
    if all(part == slice(0, length) for part, length in zip(crop, x.shape[first:])):
        return x
    return x[(slice(None),) * first + crop]


def _torch_widths(pad: Any, shape: tuple[int, ...]) -> list[tuple[int, int]]:
    """torch's flat pad tuple as (before, after) per trailing axis, in axis order; a :class:`ShapeError` (torch's
    RuntimeError) for an odd count or more pairs than axes (crops past an axis: :func:`pad`'s modes check them)."""
    if not isinstance(pad, (tuple, list)) or not all(
        isinstance(width, numbers.Integral) and not isinstance(width, (bool, np.bool_)) for width in pad
    ):
        raise TypeError(f"pad: pad must be a tuple of ints (before, after, ...) from the last axis back, got {pad!r}")
    if len(pad) % 2 or len(pad) // 2 > len(shape):
        raise ShapeError(
            f"pad: pad must hold an even number of widths, two per axis for at most all {len(shape)} axes of "
            f"the input of shape {shape}; got {len(pad)}"
        )
    pairs = [(int(pad[2 * k]), int(pad[2 * k + 1])) for k in range(len(pad) // 2)]
    return pairs[::-1]
