"""torch's ``pixel_shuffle``, ``pixel_unshuffle`` and ``channel_shuffle``: channels traded for resolution (or
reordered) by a reshape, a permutation of axes and a reshape (so the gradient is the inverse rearrangement, to
any order).

With factor r, ``pixel_shuffle`` takes (*, C r^2, H, W) to (*, C, H r, W r):

    out[..., c, h r + i, w r + j] = x[..., c r^2 + i r + j, h, w],

and ``pixel_unshuffle`` is its inverse, (*, C, H r, W r) to (*, C r^2, H, W). ``channel_shuffle`` with g groups
keeps the shape (N, C, *) and interleaves the groups (ShuffleNet): out[:, k g + i] = x[:, i (C / g) + k].

An input these cannot rearrange (too few axes, a size the factor or groups do not divide) is a ShapeError, and a
factor or groups below 1 an ArgumentRangeError: ValueErrors, and the RuntimeErrors torch raises for them.
"""

from __future__ import annotations

from typing import Any

from autograd import ArgumentRangeError, ShapeError, Tensor

from ..checks import check_positive_int
from .activations import as_float_tensor
from .padding import unshared

__all__ = ["channel_shuffle", "native_channel_shuffle", "pixel_shuffle", "pixel_unshuffle"]


def _input(op: str, input: Any) -> Tensor:
    x = input if isinstance(input, Tensor) else as_float_tensor(input, op)
    if x.ndim < 3:
        raise ShapeError(f"{op}: expected an input of shape (*, C, H, W) with at least 3 axes, got shape {x.shape}")
    return x


def pixel_shuffle(input: Any, upscale_factor: int) -> Tensor:
    """(*, C r^2, H, W) -> (*, C, H r, W r) for r = ``upscale_factor``:
    out[..., c, h r + i, w r + j] = x[..., c r^2 + i r + j, h, w]."""
    x = _input("pixel_shuffle", input)
    r = check_positive_int("pixel_shuffle", "upscale_factor", upscale_factor, error=ArgumentRangeError)
    *batch, channels, height, width = x.shape
    if channels % (r * r):
        raise ShapeError(
            f"pixel_shuffle: the channel axis of input of shape {x.shape} ({channels}) is not divisible by "
            f"upscale_factor squared ({r * r})"
        )
    lead = len(batch)
    blocks = x.reshape(*batch, channels // (r * r), r, r, height, width)
    order = tuple(range(lead)) + tuple(lead + axis for axis in (0, 3, 1, 4, 2))  # (C, H, i, W, j)
    return unshared(blocks.transpose(order).reshape(*batch, channels // (r * r), height * r, width * r), x)


def pixel_unshuffle(input: Any, downscale_factor: int) -> Tensor:
    """(*, C, H r, W r) -> (*, C r^2, H, W) for r = ``downscale_factor``, the inverse of :func:`pixel_shuffle`:
    out[..., c r^2 + i r + j, h, w] = x[..., c, h r + i, w r + j]."""
    x = _input("pixel_unshuffle", input)
    r = check_positive_int("pixel_unshuffle", "downscale_factor", downscale_factor, error=ArgumentRangeError)
    *batch, channels, height, width = x.shape
    if height % r or width % r:
        raise ShapeError(
            f"pixel_unshuffle: the height and width of input of shape {x.shape} must be divisible by "
            f"downscale_factor ({r})"
        )
    lead = len(batch)
    blocks = x.reshape(*batch, channels, height // r, r, width // r, r)
    order = tuple(range(lead)) + tuple(lead + axis for axis in (0, 2, 4, 1, 3))  # (C, i, j, H, W)
    return unshared(blocks.transpose(order).reshape(*batch, channels * r * r, height // r, width // r), x)


def channel_shuffle(input: Any, groups: int) -> Tensor:
    """Interleave ``groups`` blocks of channels of (N, C, *) input (ShuffleNet): view the channels as
    (groups, C / groups), swap the two, flatten back, so out[:, k g + i] = x[:, i (C / g) + k] for g = groups."""
    x = input if isinstance(input, Tensor) else as_float_tensor(input, "channel_shuffle")
    groups = check_positive_int("channel_shuffle", "groups", groups, error=ArgumentRangeError)
    if x.ndim < 3:
        raise ShapeError(
            f"channel_shuffle: expected an input of shape (N, C, *) with at least 3 axes, got shape {x.shape}"
        )
    batch, channels, *spatial = x.shape
    if channels % groups:
        raise ShapeError(
            f"channel_shuffle: the channel axis of input of shape {x.shape} ({channels}) is not divisible by "
            f"groups ({groups})"
        )
    blocks = x.reshape(batch, groups, channels // groups, *spatial)
    return unshared(blocks.swapaxes(1, 2).reshape(x.shape), x)


#: torch's name of its kernel-level :func:`channel_shuffle`; the same function here.
native_channel_shuffle = channel_shuffle
