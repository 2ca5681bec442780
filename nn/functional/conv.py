"""Convolution and pooling over NCHW Tensors, built on the ``unfold``/``fold`` primitives.

Arguments follow ``torch.nn.functional``: ``kernel_size``, ``stride``,
``padding`` and ``dilation`` are an int or an ``(h, w)`` pair (the convolutions' ``padding``
may also be ``'valid'``, no padding, or ``'same'``, as torch's); inputs are
``(N, C, H, W)`` or unbatched ``(C, H, W)``; the output length along each axis is
:func:`conv_output_size`. Every function is a composition of differentiable
primitives (``unfold``, ``transpose``, ``reshape``, ``matmul``, ``max``,
``mean``), so gradients of any order are available.

Max-pooling ties: when several entries of a window share its maximum, the
window's gradient goes to the first of them in row-major order, and to the last
NaN when the window holds NaNs (as PyTorch; the ``Tensor.max`` reduction splits
it evenly instead). An entry that is the maximum of several overlapping windows
receives the gradient of each.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from autograd import ArgumentRangeError, DtypeMismatchError, ShapeError, Tensor, concatenate, matmul
from autograd.accumulation import float16_via_float32
from autograd.banded import blocks_from_windows, resample, worth_banding
from autograd.conv import IntOrPair, block_sums, conv_output_size, max_pool, pair, window_sums
from autograd.conv import conv2d as convolve
from autograd.conv import fold as fold_windows
from autograd.conv import unfold as unfold_windows
from autograd.shape_errors import is_integer
from autograd.windows import ceil_mode_extra, is_int_sequence, pool_output_size, read_integer_tensors, wrong_length

from ..checks import check_flag, check_positive_int
from .activations import as_float_tensor, operand_data
from .max_pool_indices import index_tensor, max_pool2d_indices
from .padding import same_padding

__all__ = [
    "adaptive_avg_pool2d",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "conv_output_size",
    "fold",
    "max_pool2d",
    "unfold",
]


class OutputSizeLengthError(TypeError, RuntimeError):
    """An adaptive pool's ``output_size`` of another number of entries than its axes: a TypeError, as the library
    has raised it, and the RuntimeError torch raises ("output_size must be 2")."""


def rank_error(op: str, ndim: int) -> type[ValueError]:
    """The class of ``op``'s error for an input of ``ndim`` axes, which it cannot take: a :class:`ShapeError`, as torch
    raises a RuntimeError, except where torch's ``avg_pool2d`` (so ``lp_pool2d``) and ``unfold`` read the channel axis
    before counting axes, so that fewer than 3 is its IndexError: the library's plain ValueError there."""
    return ValueError if ndim < 3 and op in ("avg_pool2d", "lp_pool2d", "unfold") else ShapeError


def as_pooled_tensor(x: Any, op: str) -> Tensor:
    """``x`` as a Tensor a max pool reads: integer data keeps its dtype (each maximum is one of its entries, as
    torch's max pools of int64, int32 or uint8 give that dtype); booleans and the rest as :func:`as_float_tensor`."""
    data = operand_data(x)
    if data is not None and data.dtype.kind in "iu":
        return x if isinstance(x, Tensor) else Tensor(data)
    return as_float_tensor(x, op)


def integer_operands(*operands: Any) -> bool:
    """Whether every one of ``operands`` (a convolution's input and weight, bilinear's inputs and weight) holds
    integers: torch's integer product, whose result keeps the dtype (int64 products summed exactly, wrapping as
    torch's), is then computed so here; otherwise integer data becomes floating (:func:`as_float_tensor`)."""
    return all(data is not None and data.dtype.kind in "iu" for data in map(operand_data, operands))


def conv_operand(x: Any, op: str, integers: bool) -> Tensor:
    """A convolution's operand as a Tensor: integer data kept when ``integers`` (:func:`integer_operands`), else
    floating."""
    return as_pooled_tensor(x, op) if integers else as_float_tensor(x, op)


def _batched(x: Any, op: str, keep_integers: bool = False, keep_booleans: bool = False) -> tuple[Tensor, bool]:
    """``x`` as a float ``(N, C, H, W)`` Tensor (integer data kept with ``keep_integers``: see
    :func:`as_pooled_tensor`; boolean data with ``keep_booleans``), and whether a batch axis was added."""
    data = operand_data(x)
    if keep_booleans and data is not None and data.dtype.kind == "b":
        x = x if isinstance(x, Tensor) else Tensor(data)
    else:
        x = as_pooled_tensor(x, op) if keep_integers else as_float_tensor(x, op)
    if x.ndim == 3:
        return x.reshape((1,) + x.shape), True
    if x.ndim != 4:
        error = rank_error(op, x.ndim)
        raise error(f"{op}: expected an input of shape (N, C, H, W) or (C, H, W), got shape {x.shape}")
    return x, False


def _output_size(op: str, shape: tuple[int, ...], kernel: tuple, stride: tuple, padding: tuple, dilation: tuple):
    """(H_out, W_out), or a :class:`ShapeError` naming the input shape and the kernel geometry."""
    try:
        return tuple(
            conv_output_size(length, kernel[axis], padding[axis], stride[axis], dilation[axis])
            for axis, length in enumerate(shape[2:])
        )
    except ShapeError:
        spans = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
        padded = tuple(n + 2 * p for n, p in zip(shape[2:], padding))
        raise ShapeError(
            f"{op}: input of shape {shape} (spatial size {shape[2:]} padded to {padded}) is smaller than the "
            f"kernel {kernel} with dilation {dilation} (span {spans})"
        ) from None


def conv_padding(
    op: str, padding: IntOrPair | str, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]
) -> tuple[tuple[int, int], ...]:
    """(before, after) zero padding per spatial axis for a convolution's ``padding`` argument: an int or a tuple
    (one per axis, symmetric), ``'valid'`` (none) or ``'same'`` (output length = input length; stride must be 1,
    an odd total puts the extra entry after, on the right / bottom, as torch)."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * len(kernel)
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ArgumentRangeError(f"{op}: padding='same' needs stride 1 (torch's rule), got stride {stride}")
            return same_padding(kernel, dilation)
        # torch's functions raise a RuntimeError ("Invalid padding string"), its layers a ValueError: both catch this
        raise ArgumentRangeError(f"{op}: padding must be 'valid', 'same', an int or a tuple of ints, got {padding!r}")
    if len(kernel) == 1:
        width = single(padding, "padding", op, minimum=0)
        return ((width, width),)
    if len(kernel) == 3:
        return tuple((width, width) for width in triple(padding, "padding", op, minimum=0))
    return tuple((width, width) for width in pair(padding, "padding", op, minimum=0))


def conv2d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: IntOrPair = 1,
    padding: IntOrPair | str = 0,
    dilation: IntOrPair = 1,
    groups: int = 1,
) -> Tensor:
    """2-D cross-correlation (PyTorch's ``conv2d``) of ``(N, C_in, H, W)`` with ``(C_out, C_in / groups, kh, kw)``.

    out[n, o, i, j] = bias[o] + sum_{c,a,b} weight[o, c, a, b] * pad(x)[n, g*C_in/G + c, i*sh + a*dh, j*sw + b*dw]

    where g = o // (C_out / G) is the group of output channel o: with ``groups`` G the
    input and output channels are split into G consecutive blocks and block g of the
    output sees only block g of the input (G = C_in is depthwise convolution). Both
    C_in and C_out must be divisible by G. ``padding`` is zeros on both sides, or ``'valid'``
    (none) or ``'same'`` (stride 1; total d (k - 1) per axis, the odd entry on the right / bottom).

    One node (``autograd.conv.conv2d``): a matmul of the flattened weight with the im2col
    matrix ``(N, G, C_in/G*kh*kw, H_out*W_out)``, whose result is already NCHW. Gradients:
    d/dweight = g @ cols^T summed over the batch, d/dx = fold(W^T @ g), d/dbias = g summed
    over N, H_out, W_out.
    """
    check_operand_dtypes("conv2d", input, weight, bias)
    # torch's order: the geometry's numbers (a stride 0, a negative padding), then the operands' shapes
    stride, dilation = pair(stride, "stride", "conv2d"), pair(dilation, "dilation", "conv2d")
    if not isinstance(padding, str):
        pair(padding, "padding", "conv2d", minimum=0)
    integers = integer_operands(input, weight)
    x, unbatched = _batched(input, "conv2d", keep_integers=integers)
    layout = "(C_out, C_in / groups, kh, kw)"
    weight, bias, groups = checked_conv_operands("conv2d", x, weight, bias, groups, layout, integers)
    c_out, c_group, kh, kw = weight.shape
    widths = conv_padding("conv2d", padding, (kh, kw), stride, dilation)
    padding = (widths[0][0], widths[1][0])
    extra = (widths[0][1] - widths[0][0], widths[1][1] - widths[1][0])
    if any(extra):  # 'same' with an odd total: the extra entry after, then symmetric padding in the op
        x = x.pad(((0, 0), (0, 0), (0, extra[0]), (0, extra[1])))
    _output_size("conv2d", x.shape, (kh, kw), stride, padding, dilation)
    out = convolve(x, weight, bias, stride, padding, dilation, groups)
    return out.reshape(out.shape[1:]) if unbatched else out


def stride_unset(stride: Any) -> bool:
    """Whether a pooling ``stride`` means "the kernel size": None, or an empty list or tuple (torch's ``stride=[]``)."""
    return stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0)


def single(value: Any, name: str, op: str, minimum: int = 1) -> int:
    """An int, or a 1-tuple of one (torch's ``_single``), at least ``minimum``; errors name ``op`` and ``name``
    (a longer tuple too: a 1-D op has one length per argument)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            if is_int_sequence(value):  # ints for another number of axes: torch's RuntimeError
                raise wrong_length(op, name, value, "a tuple of one int")
            raise TypeError(f"{op}: {name} must be an int or a tuple of one int, got {tuple(value)!r}")
        value = value[0]
    return pair(value, name, op, minimum)[0]


def triple(value: Any, name: str, op: str, minimum: int = 1) -> tuple[int, int, int]:
    """``value`` as three ints (an int ``k`` gives ``(k, k, k)``, torch's ``_triple``, and so does ``(k,)``, as torch
    expands it), each at least ``minimum``; errors name ``op`` and ``name``."""
    given = value
    if not (is_integer(value) or is_int_sequence(value)):  # integer Tensors read as ints, as torch reads them
        value = read_integer_tensors(value)
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    if is_integer(value):
        value = (value,) * 3
    if is_int_sequence(value) and len(value) != 3:  # ints for another number of axes: torch's RuntimeError
        raise wrong_length(op, name, value, "a tuple of three ints")
    if not isinstance(value, (tuple, list)) or len(value) != 3:
        raise TypeError(f"{op}: {name} must be an int or a tuple of three ints, got {value!r}")
    if not all(is_integer(entry) for entry in value):
        raise TypeError(f"{op}: {name} must be an int or a tuple of three ints, got {given!r}")
    if min(value) < minimum:  # the message shows what the caller gave, not the expanded triple
        raise ArgumentRangeError(f"{op}: {name} must be at least {minimum}, got {given!r}")
    return int(value[0]), int(value[1]), int(value[2])


def conv1d(
    input: Any,
    weight: Any,
    bias: Any = None,
    stride: int | tuple[int] = 1,
    padding: int | tuple[int] | str = 0,
    dilation: int | tuple[int] = 1,
    groups: int = 1,
) -> Tensor:
    """1-D cross-correlation (PyTorch's ``conv1d``) of ``(N, C_in, L)`` with ``(C_out, C_in / groups, k)``.

    out[n, o, i] = bias[o] + sum_{c,a} weight[o, c, a] * pad(x)[n, g*C_in/G + c, i*s + a*d], g = o // (C_out / G);
    L_out = floor((L + 2p - d(k-1) - 1) / s) + 1. Inputs may be unbatched ``(C_in, L)``. ``padding`` may be
    ``'valid'`` (none) or ``'same'`` (stride 1; total d (k - 1), the odd entry on the right), as torch's.

    It is :func:`conv2d` on images of height 1 (kernel ``(1, k)``): the same single node, whose
    gradients are conv2d's, seen through reshapes.
    """
    check_operand_dtypes("conv1d", input, weight, bias)
    integers = integer_operands(input, weight)
    x = conv_operand(input, "conv1d", integers)
    weight = conv_operand(weight, "conv1d", integers)
    if x.ndim not in (2, 3):
        raise ShapeError(f"conv1d: expected an input of shape (N, C, L) or (C, L), got shape {x.shape}")
    if weight.ndim != 3:
        raise ShapeError(f"conv1d: weight must have shape (C_out, C_in / groups, k), got shape {weight.shape}")
    check_kernel("conv1d", weight)  # before the weight is seen as (C_out, C_in / groups, 1, k), to name its shape
    stride, dilation = single(stride, "stride", "conv1d"), single(dilation, "dilation", "conv1d")
    ((before, after),) = conv_padding("conv1d", padding, weight.shape[2:], (stride,), (dilation,))
    if after > before:  # 'same' with an odd total: the extra entry on the right
        x = x.pad(((0, 0),) * (x.ndim - 1) + ((0, after - before),))
    span, length = dilation * (weight.shape[2] - 1) + 1, x.shape[-1]
    if length + 2 * before < span:  # here, where the message can name the input's and the kernel's own shapes
        raise ShapeError(
            f"conv1d: input of shape {x.shape} (length {length} padded to {length + 2 * before}) is smaller than the "
            f"kernel ({weight.shape[2]},) with dilation ({dilation},) (span {span})"
        )
    image = x.reshape(x.shape[:-1] + (1, x.shape[-1]))
    kernel = weight.reshape(weight.shape[:2] + (1, weight.shape[2]))
    try:
        out = conv2d(image, kernel, bias, (1, stride), (0, before), (1, dilation), groups)
    except (ValueError, TypeError) as error:  # a ShapeError stays one; a float groups is conv1d's TypeError too
        message = str(error).replace("conv2d", "conv1d")
        raise type(error)(f"{message} (input {x.shape}, weight {weight.shape}, seen as height-1 images)") from None
    return out.reshape(out.shape[:-2] + (out.shape[-1],))


def check_operand_dtypes(op: str, input: Any, weight: Any, bias: Any) -> None:
    """torch's RuntimeError for a convolution's Tensors of different dtypes ("Input type (long int) and bias type
    (double) should be the same"): a :class:`DtypeMismatchError` (also a TypeError) naming ``op``. Arrays and numbers
    are read in the input's dtype, as before."""
    if not isinstance(input, Tensor):
        return
    for name, operand in (("weight", weight), ("bias", bias)):
        if isinstance(operand, Tensor) and operand.dtype != input.dtype:
            raise DtypeMismatchError(
                f"{op}: input ({input.dtype}) and {name} ({operand.dtype}) must have the same dtype, as torch's"
            )


def check_kernel(op: str, weight: Tensor, transposed: bool = False) -> None:
    """A :class:`ShapeError` (a ValueError, and torch's RuntimeError) naming ``op`` for a weight whose kernel (the
    axes after the two channel axes) has a size of 0, as no window position is defined; and, as torch refuses them,
    for a convolution's weight of no output channels (axis 0) and a transposed convolution's empty weight."""
    if 0 in weight.shape[2:]:
        raise ShapeError(
            f"{op}: weight of shape {weight.shape} has a kernel of size {weight.shape[2:]}: every kernel size must be "
            "at least 1"
        )
    if transposed and 0 in weight.shape[:2]:
        raise ShapeError(
            f"{op}: weight of shape {weight.shape} is empty: a transposed convolution's weight needs at least one "
            "input and one output channel (C_in, C_out / groups), as torch's"
        )
    if weight.shape[0] == 0:
        raise ShapeError(
            f"{op}: weight of shape {weight.shape} has no output channels: its size along axis 0 must be at least 1, "
            "as torch's"
        )


def im2col_pair(value: IntOrPair, name: str, op: str, minimum: int = 1) -> tuple[int, int]:
    """:func:`pair` for unfold and fold, which take an int or exactly two: torch's im2col and col2im refuse a
    one-entry sequence ("It is expected kernel_size equals to 2, but got size 1") that its convolutions and pools
    expand, so it is an :class:`ArgumentRangeError` (a ValueError, and torch's RuntimeError) here too."""
    if is_int_sequence(value) and len(value) != 2:
        raise wrong_length(op, name, value, "a pair of ints")
    return pair(value, name, op, minimum)


def checked_conv_operands(
    op: str, x: Tensor, weight: Any, bias: Any, groups: Any, layout: str, integers: bool = False
) -> tuple[Tensor, Tensor | None, int]:
    """The weight and bias of a convolution of the batched input ``x`` as float Tensors, and ``groups``, checked:
    the weight has ``x``'s number of axes (``layout`` names them), the groups divide both channel counts, the
    weight's input channels times the groups are ``x``'s channels, the bias is (C_out,). Errors name ``op``."""
    weight = conv_operand(weight, op, integers)
    if weight.ndim != x.ndim:
        raise ShapeError(f"{op}: weight must have shape {layout}, got shape {weight.shape}")
    check_kernel(op, weight)
    groups = check_groups(op, groups, x.shape[1], weight.shape[0], ShapeError, ArgumentRangeError)
    c_out, c_group = weight.shape[:2]
    if x.shape[1] != c_group * groups:
        raise ShapeError(
            f"{op}: input of shape {x.shape} has {x.shape[1]} channels, but weight of shape {weight.shape} "
            f"expects {c_group * groups} (groups={groups})"
        )
    if bias is not None:
        bias = conv_operand(bias, op, integers)
        if bias.shape != (c_out,):
            raise ShapeError(
                f"{op}: bias must have shape ({c_out},) for weight of shape {weight.shape}, got {bias.shape}"
            )
    return weight, bias, groups


def check_groups(
    op: str,
    groups: Any,
    in_channels: int,
    out_channels: int,
    error: type[ValueError] = ValueError,
    range_error: type[ValueError] = ValueError,
) -> int:
    """``groups`` as a positive int dividing both channel counts, or a TypeError/ValueError naming ``op``.

    ``error`` is the class for channel counts that do not divide: a layer's arguments are a ValueError, as torch's
    constructors raise; a function's operands pass :class:`ShapeError`, as torch raises a RuntimeError there.
    ``range_error`` is the class for groups below 1: a function passes :class:`ArgumentRangeError` (a ValueError,
    and torch's RuntimeError)."""
    groups = check_positive_int(op, "groups", groups, error=range_error)
    for name, channels in (("in_channels", in_channels), ("out_channels", out_channels)):
        if channels % groups:
            raise error(f"{op}: {name} ({channels}) must be divisible by groups ({groups})")
    return int(groups)


def _pool_geometry(
    op: str,
    x: Tensor,
    kernel_size: IntOrPair,
    stride: IntOrPair | None,
    padding: IntOrPair,
    dilation: IntOrPair,
    ceil_mode: bool = False,
):
    """Checked (kernel, stride, padding, dilation) pairs; errors name the input shape and geometry."""
    kernel = pair(kernel_size, "kernel_size", op)
    stride = kernel if stride_unset(stride) else pair(stride, "stride", op)
    padding = pair(padding, "padding", op, minimum=0)
    dilation = pair(dilation, "dilation", op)
    pool_windows(op, x.shape, kernel, stride, padding, dilation, ceil_mode)
    return kernel, stride, padding, dilation


def pool_windows(
    op: str,
    shape: tuple[int, ...],
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    dilation: tuple[int, ...],
    ceil_mode: bool,
) -> tuple[int, ...]:
    """torch's number of pooling windows along each of the last ``len(kernel)`` axes of an input of ``shape``
    (:func:`autograd.windows.pool_output_size`), for checked geometry tuples of that length.

    Raises a ValueError naming ``op``, ``shape`` and the geometry where torch raises (padding over half the
    kernel, an :class:`ArgumentRangeError`; a :class:`ShapeError` for an empty axis or no window: both torch's
    RuntimeError too) and where a window would read only padding (a dilated kernel can skip over the input; torch
    returns -inf there): so every window holds an input entry. A 1-D geometry is shown as ints.
    """
    lengths = shape[len(shape) - len(kernel) :]
    if any(p > k // 2 for p, k in zip(padding, kernel)):
        raise ArgumentRangeError(
            f"{op}: padding {_shown(padding)} must be at most half the kernel size {_shown(kernel)}"
        )
    if 0 in lengths:
        raise ShapeError(f"{op}: input of shape {shape} has an empty spatial axis")
    geometry = tuple(zip(lengths, kernel, padding, stride, dilation))
    counts = tuple(pool_output_size(*axis, ceil_mode=ceil_mode) for axis in geometry)
    if min(counts) < 1:
        raise ShapeError(_no_window_message(op, shape, kernel, stride, padding, dilation, ceil_mode))
    for count, (n, k, p, s, d) in zip(counts, geometry):
        if p and d > 1 and not _every_window_reads_input(n, k, p, s, d, count):
            raise ValueError(
                f"{op}: for input of shape {shape}, a window of kernel {_shown(kernel)} with dilation "
                f"{_shown(dilation)} and padding {_shown(padding)} reads only padding"
            )
    return counts


def _shown(values: tuple[int, ...]) -> int | tuple[int, ...]:
    """A geometry tuple as the caller wrote it: a 1-D op's one value as an int."""
    return values[0] if len(values) == 1 else values


def _no_window_message(
    op: str,
    shape: tuple[int, ...],
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    padding: tuple[int, ...],
    dilation: tuple[int, ...],
    ceil_mode: bool,
) -> str:
    """Why an axis has no pooling window: its padded length n + 2p is shorter than the span d(k-1) + 1
    (in ceil mode, by at least the stride)."""
    lengths = shape[len(shape) - len(kernel) :]
    padded = tuple(n + 2 * p for n, p in zip(lengths, padding))
    spans = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    size = "length" if len(lengths) == 1 else "spatial size"
    message = (
        f"{op}: input of shape {shape} ({size} {_shown(lengths)} padded to {_shown(padded)}) is smaller than the "
        f"kernel {_shown(kernel)} with dilation {_shown(dilation)} (span {_shown(spans)})"
    )
    if ceil_mode:
        message += f" by at least the stride {_shown(stride)}, so even ceil_mode has no window"
    return message


def _every_window_reads_input(n: int, k: int, p: int, s: int, d: int, count: int) -> bool:
    """Whether each of ``count`` windows along an axis of length ``n`` has a tap i*s + a*d (a < k) of the
    padded axis in the input, [p, p + n)."""
    taps = np.arange(count)[:, None] * s + d * np.arange(k)
    return bool(((taps >= p) & (taps < p + n)).any(axis=1).all())


def max_pool2d(
    input: Any,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    dilation: IntOrPair = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor | tuple[Tensor, Tensor]:
    """Maximum over each kernel window (stride defaults to the kernel size); padding never wins.

    out[n, c, i, j] = max_{a,b} pad(x)[n, c, i*sh + a*dh, j*sw + b*dw]

    The output length per axis is PyTorch's: floor((n + 2p - d(k-1) - 1) / s) + 1, or with ``ceil_mode``
    ceil((n + 2p - d(k-1) - 1) / s) + 1, less one if that last window would start in the right padding.
    So in ceil mode the last window may hang over the padded edge (the part outside is never chosen), and
    a kernel longer than the padded input still gets a window when it is less than a stride longer.

    The chosen entry of a window, which takes its gradient, is PyTorch's: scanning the window's input
    entries in row-major order, the first maximum, or the last NaN when there is one (a NaN wins, and a
    later NaN beats an earlier one). Padding may be at most half the kernel size, and a dilated window
    may not read only padding, so every window holds an input entry: padding counts as -inf and is never
    chosen, so a window whose input entries are all -inf gives -inf at its first input entry, as torch.

    ``return_indices=True`` returns ``(output, indices)``, as torch: int64 indices of the output's shape, each
    the chosen entry's flat index ``row * W + column`` in its input plane (no gradient; see
    :mod:`.max_pool_indices`).
    """
    return_indices = check_flag("max_pool2d", "return_indices", return_indices)
    x, unbatched = _batched(input, "max_pool2d", keep_integers=True)
    kernel, stride, padding, dilation = _pool_geometry(
        "max_pool2d", x, kernel_size, stride, padding, dilation, bool(ceil_mode)
    )
    if not return_indices:
        out = max_pool(x, kernel, stride, padding, dilation, ceil_mode=bool(ceil_mode))
        return out.reshape(out.shape[1:]) if unbatched else out
    out, offsets = max_pool(x, kernel, stride, padding, dilation, ceil_mode=bool(ceil_mode), return_offsets=True)
    indices = index_tensor(max_pool2d_indices(offsets, x.shape[3], kernel, stride, padding, dilation))
    return (out.reshape(out.shape[1:]), indices[0]) if unbatched else (out, indices)


def check_divisor_override(owner: str, value: Any) -> int:
    """An average pool's ``divisor_override`` as a non-zero int, as torch's (which divides by a negative one too):
    a TypeError for a non-integer, an :class:`ArgumentRangeError` (torch's RuntimeError) for 0."""
    if not is_integer(value):
        raise TypeError(f"{owner}: divisor_override must be a non-zero integer, got {value!r}")
    if value == 0:
        raise ArgumentRangeError(f"{owner}: divisor_override must be a non-zero integer, got {value!r}")
    return int(value)


def integer_means(pool: Any) -> Any:
    """An average pool that gives an integer Tensor torch's integer means: each window's sum divided by its count
    (or ``divisor_override``) and truncated toward zero, in the input's dtype (computed from the float64 means,
    exact while the window sums stay below 2**53); no gradient, as integers have none."""

    @functools.wraps(pool)
    def run(input: Any, *args: Any, **kwargs: Any) -> Tensor:
        if not (isinstance(input, Tensor) and input.dtype.kind in "iu"):
            return pool(input, *args, **kwargs)
        means = pool(Tensor(input._data.astype(np.float64)), *args, **kwargs)
        return Tensor(np.trunc(means._data).astype(input.dtype))

    return run


@integer_means
@float16_via_float32
def avg_pool2d(
    input: Any,
    kernel_size: IntOrPair,
    stride: IntOrPair | None = None,
    padding: IntOrPair = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Mean over each kernel window (stride defaults to the kernel size); padding counts as 0. torch's arguments.

    out[n, c, i, j] = sum_{a,b} pad(x)[n, c, i*sh + a, j*sw + b] / count[i, j]. As torch, along each axis a
    window starting at s = i*stride - p covers [s, min(s + k, n + p)) of the padded axis; ``count`` is the
    product of those lengths (k*k except for ``ceil_mode``'s last, overhanging window), or with
    ``count_include_pad=False`` of the lengths inside the input, or ``divisor_override`` when given.
    ``ceil_mode`` counts windows as :func:`max_pool2d` does, so a kernel longer than the padded input may
    still give one overhanging window per axis, divided by the cells it covers. The gradient spreads
    g / count over each window.
    """
    x, unbatched = _batched(input, "avg_pool2d")
    kernel, stride, padding, _ = _pool_geometry("avg_pool2d", x, kernel_size, stride, padding, 1, bool(ceil_mode))
    if divisor_override is not None:
        divisor_override = check_divisor_override("avg_pool2d", divisor_override)
    lengths = x.shape[2:]
    extra = [ceil_mode_extra(n, kernel[a], padding[a], stride[a]) if ceil_mode else 0 for a, n in enumerate(lengths)]
    if stride == kernel and padding == (0, 0) and not any(extra):  # the windows tile the input
        out = _tiled_sums(x, kernel) / (kernel[0] * kernel[1] if divisor_override is None else divisor_override)
        return out.reshape(out.shape[1:]) if unbatched else out
    if any(extra):  # the overhang of ceil mode's last window reads zeros, as the padding does
        x = x.pad(((0, 0), (0, 0), (0, extra[0]), (0, extra[1])))
    sums = window_sums(x, kernel, stride, padding)
    if divisor_override is None and not any(extra) and (count_include_pad or padding == (0, 0)):
        out = sums / (kernel[0] * kernel[1])
    else:
        out = sums / _window_counts(
            lengths,
            out_size=sums.shape[2:],
            kernel=kernel,
            stride=stride,
            padding=padding,
            include_padding=bool(count_include_pad),
            divisor_override=divisor_override,
            dtype=x.dtype,
        )
    return out.reshape(out.shape[1:]) if unbatched else out


def _tiled_sums(x: Tensor, kernel: tuple[int, int]) -> Tensor:
    """The sums over the (kh, kw) windows that tile ``x`` (rows and columns past the last whole window left out):
    one ``block_sums`` node, whose gradient repeats g over each window (numpy's mean over the two window axes of
    the reshaped input, and the broadcast back, cost 3-4 times more)."""
    height, width = (x.shape[2] // kernel[0]) * kernel[0], (x.shape[3] // kernel[1]) * kernel[1]
    if (height, width) != x.shape[2:]:
        x = x[:, :, :height, :width]
    return block_sums(x, kernel)


def _window_counts(
    lengths: tuple[int, ...],
    out_size: tuple[int, ...],
    kernel: tuple[int, int],
    stride: tuple[int, int],
    padding: tuple[int, int],
    include_padding: bool,
    divisor_override: int | None,
    dtype: np.dtype,
) -> np.ndarray:
    """avg_pool2d's divisor for each output cell, shape (H_out, W_out) (torch's rule, see :func:`avg_pool2d`)."""
    if divisor_override is not None:
        return np.full(out_size, divisor_override, dtype=dtype)
    per_axis = []
    for axis, n in enumerate(lengths):
        starts = np.arange(out_size[axis]) * stride[axis] - padding[axis]
        ends = np.minimum(starts + kernel[axis], n + padding[axis])
        if include_padding:
            per_axis.append(ends - starts)
        else:
            per_axis.append(np.minimum(ends, n) - np.maximum(starts, 0))
    return np.outer(per_axis[0], per_axis[1]).astype(dtype)


def adaptive_windows(length: int, count: int) -> tuple[np.ndarray, np.ndarray]:
    """(starts, ends) of torch's ``count`` adaptive windows over ``length`` cells: window i covers the cells
    floor(i n / m) to ceil((i + 1) n / m) - 1 (n = length, m = count)."""
    starts = np.arange(count) * length // count
    ends = -(-(np.arange(count) + 1) * length // count)
    return starts, ends


def no_adaptive_cells(x: Tensor, sizes: tuple[int, ...]) -> Tensor:
    """The empty output of an adaptive pool of (N, C, *spatial) ``x`` to ``sizes`` cells, one of them 0 (torch's
    output_size 0): no window reads x, so its gradient is 0 (a slice of nothing, as a Tensor of x's graph)."""
    n, c = x.shape[:2]
    return x.reshape(n, c, int(np.prod(x.shape[2:])))[..., :0].reshape((n, c) + tuple(sizes))


def _adaptive_average(length: int, count: int, dtype: np.dtype) -> np.ndarray:
    """The ``(count, length)`` matrix whose row i averages the cells of adaptive window i (:func:`adaptive_windows`)."""
    starts, ends = adaptive_windows(length, count)
    cells = np.arange(length)
    inside = (cells >= starts[:, None]) & (cells < ends[:, None])
    return (inside / (ends - starts)[:, None]).astype(dtype)


def _adaptive_means(x: Tensor, count: int, axis: int) -> Tensor:
    """The means over the ``count`` adaptive windows along ``axis`` (2 or 3 of 4): the averaging matrix times x,
    in row blocks on a long axis (:mod:`.banded`: the whole matrix's work and memory grow as its length squared)."""
    length = x.shape[axis]
    if worth_banding(length, count):
        return resample(x, blocks_from_windows(*adaptive_windows(length, count), x.dtype), axis, count)
    matrix = _adaptive_average(length, count, x.dtype)
    return matmul(matrix, x) if axis == 2 else matmul(x, matrix.T)


def _adaptive_window_means(x: Tensor, count: int, axis: int) -> Tensor:
    """The means over the ``count`` adaptive windows along ``axis``, one slice each: slower than the averaging
    matrix, but an inf or nan reaches only its own windows (in the matrix, 0 * inf is nan in every other)."""
    starts, ends = adaptive_windows(x.shape[axis], count)
    index = [slice(None)] * x.ndim
    means = []
    for start, end in zip(starts, ends):
        index[axis] = slice(start, end)
        means.append(x[tuple(index)].mean(axis=axis, keepdims=True))
    return concatenate(means, axis=axis)


@float16_via_float32  # the window means in float32, rounded once
def adaptive_avg_pool2d(input: Any, output_size: int | None | tuple[int | None, int | None]) -> Tensor:
    """Mean over PyTorch's adaptive windows: ``output_size`` (H_out, W_out) whatever the input size.

    Output row i averages input rows floor(i H / H_out) to ceil((i + 1) H / H_out) - 1 (columns
    alike); ``None`` keeps that input size. A window is a product of a row range and a column
    range, so the output is A_H x A_W^T with the averaging matrices A (two matmuls, by row blocks of A on a
    long axis, :mod:`.banded`; the gradient is A_H^T g A_W); a 1x1 output (global average pooling) is the mean over H and W (the two
    matmuls of a (1, H) row cost four times that). An output size 0 gives torch's empty output (gradient 0).
    """
    x, unbatched = _batched(input, "adaptive_avg_pool2d")
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size, output_size)
    if len(sizes) != 2:
        raise OutputSizeLengthError(f"adaptive_avg_pool2d: output_size must be an int or a pair, got {output_size!r}")
    out_h, out_w = (
        n if size is None else pair(size, "output_size", "adaptive_avg_pool2d", minimum=0)[0]
        for size, n in zip(sizes, x.shape[2:])
    )
    if 0 in x.shape[2:]:
        raise ShapeError(f"adaptive_avg_pool2d: input of shape {x.shape} has an empty spatial axis")
    height, width = x.shape[2:]
    if (out_h, out_w) == (1, 1):  # global average pooling: one mean
        out = x.mean(axis=(2, 3), keepdims=True)
    else:
        out = _adaptive_means(_adaptive_means(x, out_h, 2), out_w, 3)
        if np.isnan(out._data).any():  # an inf or nan in the input: each window alone, as torch's sums give them
            out = _adaptive_window_means(_adaptive_window_means(x, out_h, 2), out_w, 3)
    return out.reshape(out.shape[1:]) if unbatched else out


def unfold(
    input: Any, kernel_size: IntOrPair, dilation: IntOrPair = 1, padding: IntOrPair = 0, stride: IntOrPair = 1
) -> Tensor:
    """im2col in PyTorch's layout: ``(N, C, H, W)`` -> ``(N, C*kh*kw, L)``, L = H_out * W_out.

    out[n, (c*kh + a)*kw + b, i*W_out + j] = pad(x)[n, c, i*sh + a*dh, j*sw + b*dw];
    the gradient is ``fold`` (overlapping windows add up). Boolean data stays boolean (each entry is one of the
    input's or a padding False), as torch's; integer data becomes floating, as :func:`as_float_tensor`.
    """
    x, unbatched = _batched(input, "unfold", keep_booleans=True)
    kernel = im2col_pair(kernel_size, "kernel_size", "unfold")
    stride, padding, dilation = (
        im2col_pair(stride, "stride", "unfold"),
        im2col_pair(padding, "padding", "unfold", minimum=0),
        im2col_pair(dilation, "dilation", "unfold"),
    )
    out_h, out_w = _output_size("unfold", x.shape, kernel, stride, padding, dilation)
    n, c = x.shape[:2]
    windows = unfold_windows(x, kernel, stride, padding, dilation).transpose(0, 1, 4, 5, 2, 3)
    out = windows.reshape(n, c * kernel[0] * kernel[1], out_h * out_w)
    return out.reshape(out.shape[1:]) if unbatched else out


def fold(
    input: Any,
    output_size: IntOrPair,
    kernel_size: IntOrPair,
    dilation: IntOrPair = 1,
    padding: IntOrPair = 0,
    stride: IntOrPair = 1,
) -> Tensor:
    """col2im in PyTorch's layout: ``(N, C*kh*kw, L)`` -> ``(N, C, H, W)``, the adjoint of :func:`unfold`.

    Each column entry is added to the pixel :func:`unfold` read it from; entries in the
    padding are dropped. The gradient is ``unfold``.
    """
    cols = as_float_tensor(input, "fold")
    unbatched = cols.ndim == 2
    if unbatched:
        cols = cols.reshape((1,) + cols.shape)
    if cols.ndim != 3:
        raise ShapeError(f"fold: expected an input of shape (N, C*kh*kw, L) or (C*kh*kw, L), got shape {cols.shape}")
    size = im2col_pair(output_size, "output_size", "fold")
    kernel = im2col_pair(kernel_size, "kernel_size", "fold")
    stride, padding, dilation = (
        im2col_pair(stride, "stride", "fold"),
        im2col_pair(padding, "padding", "fold", minimum=0),
        im2col_pair(dilation, "dilation", "fold"),
    )
    n, rows, length = cols.shape
    out_h, out_w = _output_size("fold", (n, rows) + size, kernel, stride, padding, dilation)
    window = kernel[0] * kernel[1]
    if rows % window or length != out_h * out_w:
        raise ShapeError(
            f"fold: input of shape {cols.shape} does not fit kernel {kernel} and output size {size}: expected "
            f"(N, C*{window}, {out_h * out_w}) with {out_h}x{out_w} kernel positions"
        )
    windows = cols.reshape(n, rows // window, kernel[0], kernel[1], out_h, out_w).transpose(0, 1, 4, 5, 2, 3)
    out = fold_windows(windows, size, kernel, stride, padding, dilation)
    return out.reshape(out.shape[1:]) if unbatched else out
