"""torch's ``conv_tbc``: the 1-D convolution of sequences laid out time-first, (time, batch, channels)."""

from __future__ import annotations

from typing import Any

from autograd import ShapeError, Tensor

from .conv import check_operand_dtypes, conv_operand, integer_operands

__all__ = ["conv_tbc"]


def conv_tbc(input: Any, weight: Any, bias: Any, pad: int = 0) -> Tensor:
    """The cross-correlation of ``input`` (T, B, C_in) with ``weight`` (k, C_in, C_out), plus ``bias`` (C_out,),
    along the time axis padded with ``pad`` zeros at each end (torch's ``conv_tbc``).

    out[t, b, o] = bias[o] + sum_{a, c} pad(x)[t + a, b, c] * weight[a, c, o], T_out = T + 2 pad - k + 1, which may
    be 0 (an empty result, as torch's). A negative ``pad`` crops that many steps from each end, as torch's.

    It is the sum over the k kernel taps of a (T_out, B, C_in) @ (C_in, C_out) product of a shifted slice of the
    padded input, so its gradients (w.r.t. input, weight and bias, of any order) are those of slicing, ``matmul``
    and addition; kernels are short (a few taps) where this layout is used.
    """
    check_operand_dtypes("conv_tbc", input, weight, bias)
    integers = integer_operands(input, weight)
    x, weight = conv_operand(input, "conv_tbc", integers), conv_operand(weight, "conv_tbc", integers)
    bias = conv_operand(bias, "conv_tbc", integers)
    if isinstance(pad, bool) or not isinstance(pad, int):  # torch's TypeError: "argument 'pad' must be int"
        raise TypeError(f"conv_tbc: pad must be an int, got {type(pad).__name__}")
    if x.ndim != 3:
        raise ShapeError(f"conv_tbc: input must have 3 axes (time, batch, in_channels), got shape {x.shape}")
    if weight.ndim != 3:
        raise ShapeError(
            f"conv_tbc: weight must have 3 axes (kernel_width, in_channels, out_channels), got shape {weight.shape}"
        )
    if bias.ndim != 1 or bias.shape[0] != weight.shape[2]:
        raise ShapeError(
            f"conv_tbc: bias must have shape ({weight.shape[2]},) for weight {weight.shape}, got {bias.shape}"
        )
    if x.shape[2] != weight.shape[1]:
        raise ShapeError(
            f"conv_tbc: input of shape {x.shape} has {x.shape[2]} channels, weight of shape {weight.shape} expects "
            f"{weight.shape[1]}"
        )
    steps, taps = x.shape[0], weight.shape[0]
    if taps == 0:  # no tap reads the input (torch returns T + 2 pad + 1 steps of it)
        raise ShapeError(f"conv_tbc: weight of shape {weight.shape} has a kernel width of 0; it must be at least 1")
    length = steps + 2 * pad - taps + 1
    if length < 0:
        raise ShapeError(
            f"conv_tbc: input of {steps} steps padded by {pad} at each end is shorter than the kernel of {taps} "
            f"taps minus 1 (output length {length})"
        )
    # Padding of 0 or more is added; a negative one crops the input instead (as torch's).
    padded = x.pad(((pad, pad), (0, 0), (0, 0))) if pad > 0 else x[-pad : steps + pad]
    out = bias
    for tap in range(taps):
        out = out + padded[tap : tap + length] @ weight[tap]
    return out
