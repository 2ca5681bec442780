"""Activation functions on Tensors: composites of autograd primitives, so every one is
differentiable to any order.

Inputs may be Tensors or array-likes (converted to a constant Tensor; integers and
booleans become float64). Learnable parameters (``prelu``'s weight, ``swish``'s beta,
``acon_c``'s p1, p2, beta) are numbers or Tensors and receive gradients when they
require them. A *per-channel* parameter is a number, a one-element tensor, or a 1-D
tensor of length ``x.shape[1]`` (the channel axis, as in ``torch.nn.PReLU``).

At kinks the derivative is the left one (relu'(0) = 0, as PyTorch); ties inside a
``maxout`` group split the gradient evenly.

torch's ``inplace=True`` writes the activation's values into the input Tensor and returns it (the same
object), recorded as an in-place change (:mod:`nn.functional.in_place_change`): as in torch, a leaf that
requires grad cannot be changed while a graph is recorded.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Node, ShapeError, Tensor, get_default_dtype, where
from autograd.accumulation import float16_via_float32
from autograd.clipping import clipped_inside, hard_swished, parametric_relu
from autograd.node_sequences import refuse_nodes_in_sequence
from autograd.shape_errors import ArgumentRangeError
from autograd.smooth_activations import celu as celu_node
from autograd.smooth_activations import gelu_exact, scaled_elu
from autograd.smooth_activations import softplus as softplus_node
from autograd.tensor import VALUE_NOT_TENSOR, refuse_learnable_number, refuse_values
from autograd.torch_keywords import UNSET, torch_dim

from ..checks import (
    ParameterOverflowError,
    check_axis,
    check_choice,
    check_fits_dtype,
    check_flag,
    check_float_dtype,
    check_positive_int,
    check_real,
)
from ..warning_site import user_stacklevel
from .in_place_change import change_in_place
from .integer_inputs import refuse_bool_tensor, refuse_integer_tensor

__all__ = [
    "acon_c",
    "celu",
    "elu",
    "gelu",
    "hardsigmoid",
    "hardswish",
    "hardtanh",
    "leaky_relu",
    "log_softmax",
    "logsigmoid",
    "maxout",
    "mish",
    "prelu",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "softmax",
    "softmin",
    "softplus",
    "softsign",
    "step",
    "swish",
    "tanh",
]

ParameterLike = float | int | Tensor | np.ndarray


def writes_in_place(function: str, inplace: Any, x: Any) -> bool:
    """Whether ``function`` writes into ``x``: torch's ``inplace`` flag (checked to be a bool) on a float Tensor.
    Any other input is converted to a new Tensor, which is returned either way."""
    return check_flag(function, "inplace", inplace) and isinstance(x, Tensor) and x.dtype.kind == "f"


def as_float_tensor(x: Any, function: str) -> Tensor:
    """``x`` as a floating-point Tensor: Tensors pass through, array-likes become constants.

    Integer and boolean data become the default floating dtype (:func:`autograd.get_default_dtype`, float64 unless
    changed; torch's float32), as torch's (they cannot carry gradients anyway).
    """
    if isinstance(x, Tensor):
        tensor = x
    elif isinstance(x, Node):
        raise TypeError(f"{function}: expected a Tensor or an array-like, got a {type(x).__name__}; {VALUE_NOT_TENSOR}")
    else:
        if isinstance(x, (list, tuple)):
            refuse_nodes_in_sequence(x, function, Tensor)
        array = np.asarray(x)
        if array.dtype.kind not in "fiub":
            refuse_values(array, function)
            raise TypeError(f"{function}: expected real numbers, got an array of dtype {array.dtype}")
        tensor = Tensor(array)
    if tensor.dtype.kind != "f":
        tensor = tensor.astype(get_default_dtype())
    return tensor


def operand_data(x: Any) -> np.ndarray | None:
    """The array behind an operand: a Tensor's data, an array-like read as an array; None for another node (a
    Value), which the callers convert or refuse as they do."""
    if isinstance(x, Tensor):
        return x._data
    return None if isinstance(x, Node) else np.asarray(x)


def as_tensor(x: Any, function: str, name: str = "input") -> Tensor:
    """``x`` as a Tensor of its own dtype: Tensors pass through, array-likes of real numbers or booleans become
    constants; anything else (a string, a dict, None, a list of strings) is torch's TypeError naming ``function``
    and ``name``."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (list, tuple)):
        refuse_nodes_in_sequence(x, function, Tensor)
    array = None if isinstance(x, Node) else np.asarray(x)
    if array is None or array.dtype.kind not in "fiub":
        raise TypeError(f"{function}: {name} must be a Tensor of real numbers, got {type(x).__name__} {x!r:.60}")
    return Tensor(array)


def as_clipping_tensor(x: Any, function: str) -> Tensor:
    """``x`` as a Tensor for the activations that only select and clip (relu, relu6, hardtanh): integer Tensors
    keep their dtype, as torch's; anything else as :func:`as_float_tensor` (array-likes are float64 constants)."""
    if isinstance(x, Tensor) and x._data.dtype.kind in "iu":
        return x
    return as_float_tensor(x, function)


def clipped_integers(x: Tensor, low: float, high: float, function: str) -> Tensor:
    """The integer tensor ``x`` clipped to [low, high], the bounds cast to its dtype as torch's (towards zero, so
    hardtanh(x, -0.5, 2.5) clips to [0, 2]; an infinite bound clips nothing): a constant, integers carry no
    gradient. A negative bound of an unsigned dtype is an :class:`ArgumentRangeError`, a nan bound a
    :class:`ParameterOverflowError` (torch's RuntimeErrors)."""
    for name, bound in (("min_val", low), ("max_val", high)):
        if math.isnan(bound):
            raise ParameterOverflowError(
                f"{function}: {name}=nan cannot be converted to the input's dtype {x.dtype} without overflow"
            )
    if x.dtype.kind == "u" and min(low, high) < 0:
        raise ArgumentRangeError(
            f"{function}: cannot clip an unsigned {x.dtype} tensor to negative limits, got [{low!r}, {high!r}]"
        )
    limits = np.iinfo(x.dtype)
    low_int = int(low) if math.isfinite(low) else limits.min
    high_int = int(high) if math.isfinite(high) else limits.max
    return Tensor(np.clip(x._data, max(low_int, limits.min), min(high_int, limits.max)))


def per_channel(parameter: ParameterLike, x: Tensor, function: str, name: str) -> float | Tensor:
    """Shape a per-channel parameter so it broadcasts along axis 1 of ``x``.

    Numbers stay numbers; one-element tensors become 0-d; a 1-D tensor of length
    C = x.shape[1] becomes shape (C, 1, ..., 1). Any other shape is a :class:`ShapeError` (torch's RuntimeError).
    """
    if not isinstance(parameter, Node) and np.ndim(parameter) == 0:
        return check_real(function, name, np.asarray(parameter).item())
    parameter = as_float_tensor(parameter, function)
    if parameter.size == 1 and parameter.ndim <= 1:
        return parameter.reshape(())
    if parameter.ndim == 1 and x.ndim >= 2 and parameter.shape[0] == x.shape[1]:
        return parameter.reshape((parameter.shape[0],) + (1,) * (x.ndim - 2))
    channels = f"x.shape[1] = {x.shape[1]}" if x.ndim >= 2 else "1 (input has no channel axis)"
    raise ShapeError(  # torch's RuntimeError
        f"{function}: {name} must be a number, a one-element tensor or a 1-D tensor of length {channels}; "
        f"got {name} of shape {parameter.shape} for input of shape {x.shape}"
    )


def sigmoid(x: Any) -> Tensor:
    """Logistic function s(x) = 1 / (1 + e^-x), split by sign so nothing overflows.

    d/dx s(x) = s(x) (1 - s(x)).
    """
    return as_float_tensor(x, "sigmoid").sigmoid()


def tanh(x: Any) -> Tensor:
    """Hyperbolic tangent; d/dx tanh(x) = 1 - tanh(x)^2."""
    return as_float_tensor(x, "tanh").tanh()


def relu(x: Any, inplace: bool = False) -> Tensor:
    """Rectified linear unit max(x, 0); d/dx = 1 where x > 0 else 0. Integer tensors keep their dtype (torch's); a
    boolean one is torch's RuntimeError."""
    refuse_bool_tensor(x, "relu")
    if writes_in_place("relu", inplace, x):
        return change_in_place("relu", x, relu)
    return as_clipping_tensor(x, "relu").relu()


def leaky_relu(x: Any, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0 else negative_slope * x; d/dx = 1 or negative_slope."""
    refuse_learnable_number("leaky_relu", "negative_slope", negative_slope)
    negative_slope = check_real("leaky_relu", "negative_slope", negative_slope)
    refuse_integer_tensor(x, "leaky_relu")
    if writes_in_place("leaky_relu", inplace, x):
        return change_in_place("leaky_relu", x, lambda t: leaky_relu(t, negative_slope))
    x = as_float_tensor(x, "leaky_relu")
    return x.leaky_relu(check_fits_dtype("leaky_relu", "negative_slope", negative_slope, x.dtype))


@float16_via_float32
def prelu(x: Any, weight: ParameterLike) -> Tensor:
    """Parametric ReLU: x where x > 0 else a * x, with a learnable slope ``a`` per channel.

    ``weight`` is a single slope or one per channel (axis 1). d/dx = 1 or a;
    d/da = 0 or x (summed over everything but the channel axis). Each derivative comes from the
    selected piece alone, as torch's: the slope multiplies 0 where x > 0, so an infinite x, or a
    nan slope, there does not make 0 * inf = nan in the other piece's gradient.
    """
    x = as_float_tensor(x, "prelu")
    slope = per_channel(weight, x, "prelu", "weight")
    if isinstance(slope, Tensor) and slope.dtype == x.dtype:
        return parametric_relu(x, slope)  # one node
    positive = x._data > 0
    return where(positive, x, where(positive, 0.0, x) * slope)


@float16_via_float32
def elu(x: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Exponential linear unit: x where x > 0 else alpha (e^x - 1).

    d/dx = 1 where x > 0 else alpha e^x = elu(x) + alpha.
    """
    refuse_learnable_number("elu", "alpha", alpha)
    alpha = check_real("elu", "alpha", alpha)
    refuse_integer_tensor(x, "elu")
    if writes_in_place("elu", inplace, x):
        return change_in_place("elu", x, lambda t: elu(t, alpha))
    x = as_float_tensor(x, "elu")
    return x.elu(check_fits_dtype("elu", "alpha", alpha, x.dtype))


@float16_via_float32
def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Smooth ReLU log(1 + e^(beta x)) / beta, computed as max(z, 0) + log1p(e^-|z|), z = beta x; as torch,
    x itself where beta x > ``threshold`` (there the two differ by less than e^-threshold / beta).

    d/dx = sigmoid(beta x), and 1 where beta x > threshold. A negative beta gives torch's mirrored curve
    (-softplus(-|beta| x) / |beta|, at most 0 and below x); beta = 0 gives torch's log(2) / 0 (+-inf, d/dx = 1/2),
    x where 0 > threshold.
    """
    refuse_learnable_number("softplus", "beta", beta)
    beta = check_real("softplus", "beta", beta)
    threshold = check_real("softplus", "threshold", threshold, allow_inf=True, allow_nan=True)
    refuse_integer_tensor(x, "softplus")
    x = as_float_tensor(x, "softplus")
    check_fits_dtype("softplus", "beta", beta, x.dtype)
    check_fits_dtype("softplus", "threshold", threshold, x.dtype)
    if x.dtype != np.float64 and abs(beta) < 1 / float(np.finfo(x.dtype).max):
        # 1/beta overflows the input's dtype: computed in float64 by the one node, whose rule gives d/dx = sigmoid(beta
        # x) (1/2 at beta = 0, where a composition's (sigmoid(0 x) 0) / 0 would be nan), rounded back once; the
        # linear piece is chosen in the input's dtype, as torch's, where beta x may round to 0 or overflow to inf
        smooth = softplus_node(x.astype(np.float64), beta, np.inf).astype(x.dtype)
        with np.errstate(over="ignore", invalid="ignore"):  # (+-inf times a beta rounded to 0 is nan: not linear)
            linear = x._data * beta > threshold
        return where(linear, x, smooth) if linear.any() else smooth
    return softplus_node(x, beta, threshold)


@float16_via_float32
def swish(x: Any, beta: float | Tensor = 1.0) -> Tensor:
    """Swish x * sigmoid(beta x) (Ramachandran et al.); ``beta`` may be a learnable Tensor.

    d/dx = s + beta x s (1 - s) and d/dbeta = x^2 s (1 - s), where s = sigmoid(beta x).
    """
    x = as_float_tensor(x, "swish")
    if not isinstance(beta, Tensor):
        beta = check_real("swish", "beta", beta)
    return x.swish(beta) if isinstance(beta, float) else x * (x * beta).sigmoid()  # a Tensor beta learns


@float16_via_float32
def silu(x: Any, inplace: bool = False) -> Tensor:
    """SiLU x * sigmoid(x) (swish with beta = 1); d/dx = s (1 + x (1 - s))."""
    refuse_integer_tensor(x, "silu")
    if writes_in_place("silu", inplace, x):
        return change_in_place("silu", x, silu)
    return as_float_tensor(x, "silu").silu()


@float16_via_float32
def mish(x: Any, inplace: bool = False) -> Tensor:
    """Mish x * tanh(softplus(x)) (Misra).

    d/dx = tanh(sp) + x sigmoid(x) (1 - tanh(sp)^2), where sp = softplus(x).
    """
    refuse_integer_tensor(x, "mish")
    if writes_in_place("mish", inplace, x):
        return change_in_place("mish", x, mish)
    return as_float_tensor(x, "mish").mish()


def step(x: Any) -> Tensor:
    """Heaviside step: 1 where x > 0 else 0; its derivative is 0 everywhere (defined)."""
    return as_float_tensor(x, "step").step()


def maxout(x: Any, pieces: int, axis: int = -1) -> Tensor:
    """Maximum over groups of ``pieces`` consecutive features along ``axis``.

    Axis length F becomes F / pieces: out_j = max_k x[j * pieces + k]. The gradient
    goes to the maximal entry of each group (split evenly between ties).
    """
    x = as_float_tensor(x, "maxout")
    pieces = check_positive_int("maxout", "pieces", pieces)
    axis = check_axis("maxout", "axis", axis, x.ndim)
    if x.shape[axis] % pieces:
        raise ValueError(
            f"maxout: axis {axis} of input shape {x.shape} has length {x.shape[axis]}, "
            f"which is not a multiple of pieces={pieces}"
        )
    grouped = x.shape[:axis] + (x.shape[axis] // pieces, pieces) + x.shape[axis + 1 :]
    return x.reshape(grouped).max(axis=axis + 1)


@float16_via_float32
def acon_c(x: Any, p1: ParameterLike, p2: ParameterLike, beta: ParameterLike) -> Tensor:
    """ACON-C (Ma et al., "Activate or Not"): (p1 - p2) x sigmoid(beta (p1 - p2) x) + p2 x.

    With d = (p1 - p2) x and s = sigmoid(beta d):
    d/dx = (p1 - p2) (s + beta d s (1 - s)) + p2, d/dbeta = d^2 s (1 - s),
    d/dp1 = x (s + beta d s (1 - s)), d/dp2 = x - d/dp1.
    p1, p2 and beta are per-channel parameters (see the module docstring).
    """
    x = as_float_tensor(x, "acon_c")
    p1 = per_channel(p1, x, "acon_c", "p1")
    p2 = per_channel(p2, x, "acon_c", "p2")
    beta = per_channel(beta, x, "acon_c", "beta")
    difference = x * (p1 - p2)
    return difference * (difference * beta).sigmoid() + x * p2


def implicit_softmax_axis(function: str, ndim: int) -> int:
    """torch's axis for a softmax-like ``function`` called without one: 0 for 0-D, 1-D and 3-D inputs, else 1.

    torch deprecated the choice and warns (a ``UserWarning`` at the user's line); so do we.
    """
    warnings.warn(
        f"Implicit dimension choice for {function} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        UserWarning,
        stacklevel=user_stacklevel(),
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax_like(
    function: str, x: Any, axis: Any, dim: Any, dtype: Any, along: Callable[[Tensor, int], Tensor]
) -> Tensor:
    """``along(x, axis)`` for a softmax-like ``function``: the axis may be given as torch's ``dim``, None picks
    torch's implicit one (with its warning), ``dtype`` casts the input first (as torch), and a 0-D input is
    treated as one element along axis 0 or -1 (as torch)."""
    if dim is not UNSET:
        axis = torch_dim(function, axis, dim)
    if function == "softmin":  # torch negates first: a boolean input is refused whatever the dtype
        refuse_bool_tensor(x, function)
    if dtype is None:  # torch's kernels take floating-point inputs only; dtype= casts an integer one first
        refuse_integer_tensor(x, function)
    x = as_float_tensor(x, function)
    if dtype is not None:
        x = x.astype(check_float_dtype(function, "dtype", dtype))
    if axis is None:
        axis = implicit_softmax_axis(function, x.ndim)
    if x.ndim == 0:
        check_axis(function, "axis", axis, 1)
        return along(x.reshape((1,)), 0).reshape(())
    return along(x, check_axis(function, "axis", axis, x.ndim))


def softmax(x: Any, axis: int | None = None, _stacklevel: int = 3, dtype: Any = None, *, dim: Any = UNSET) -> Tensor:
    """Softmax e^x_i / sum_j e^x_j along ``axis`` (torch's ``dim``), as exp(x - logsumexp(x)) (stable).

    d softmax_i / d x_j = softmax_i (delta_ij - softmax_j). ``dtype`` casts the input first, as torch.
    Without an axis, torch's implicit one (see :func:`implicit_softmax_axis`), with torch's warning (at the user's
    line: torch's private ``_stacklevel``, the third positional argument as in torch's signature, is accepted and not
    needed).
    """
    return softmax_like("softmax", x, axis, dim, dtype, lambda t, along: t.softmax(axis=along))


def log_softmax(
    x: Any, axis: int | None = None, _stacklevel: int = 3, dtype: Any = None, *, dim: Any = UNSET
) -> Tensor:
    """Log-softmax x_i - logsumexp(x) along ``axis`` (torch's ``dim``; stable).

    d log_softmax_i / d x_j = delta_ij - softmax_j. ``dtype`` casts the input first, as torch.
    Without an axis, torch's implicit one (see :func:`implicit_softmax_axis`), with torch's warning.
    """
    return softmax_like("log_softmax", x, axis, dim, dtype, lambda t, along: t.log_softmax(axis=along))


# -- the activations PyTorch users reach for: composites of autograd primitives ----------------------------
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946

#: The values of ``approximate`` in :func:`gelu` and ``nn.GELU``, as torch's.
GELU_APPROXIMATIONS = ("none", "tanh")


@float16_via_float32
def gelu(x: Any, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit x Phi(x) = x (1 + erf(x / sqrt 2)) / 2 (``approximate="tanh"``:
    x (1 + tanh u) / 2 with u = sqrt(2/pi) (x + 0.044715 x^3), as torch; computed as x sigmoid(2u), the same
    function, which keeps its relative precision in the left tail, where 1 + tanh u cancels: float32's gave 9 times
    the value at x = -5.375 and 0 from -5.5, float64's 0 from -7.6, as torch's).

    d/dx (exact) = Phi(x) + x phi(x), phi the standard normal density. Another ``approximate`` is an
    :class:`ArgumentRangeError` (a ValueError, and the RuntimeError torch raises).
    """
    refuse_integer_tensor(x, "gelu")
    x = as_float_tensor(x, "gelu")
    check_choice("gelu", "approximate", approximate, GELU_APPROXIMATIONS, ArgumentRangeError)  # torch's RuntimeError
    if approximate == "tanh":
        return x * (math.sqrt(8 / math.pi) * (x + 0.044715 * x * x * x)).sigmoid()
    return gelu_exact(x)


def hardtanh(x: Any, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> Tensor:
    """x clipped to [min_val, max_val]; d/dx = 1 strictly between the bounds, 0 elsewhere (at the
    bounds too, as torch). Integer tensors keep their dtype, the bounds cast to it (torch's). A nan bound makes
    every value nan, as torch's clamp, and the gradient 0 only at and beyond the other bound."""
    # infinite bounds clip nothing, as torch
    low = check_real("hardtanh", "min_val", min_val, allow_inf=True, allow_nan=True)
    high = check_real("hardtanh", "max_val", max_val, allow_inf=True, allow_nan=True)
    if low > high:
        raise ValueError(f"hardtanh: min_val must not exceed max_val, got min_val={min_val!r}, max_val={max_val!r}")
    refuse_bool_tensor(x, "hardtanh")
    if writes_in_place("hardtanh", inplace, x):
        return change_in_place("hardtanh", x, lambda t: hardtanh(t, low, high))
    x = as_clipping_tensor(x, "hardtanh")
    if x._data.dtype.kind != "f":
        return clipped_integers(x, low, high, "hardtanh")
    return clipped_inside(
        x, check_fits_dtype("hardtanh", "min_val", low, x.dtype), check_fits_dtype("hardtanh", "max_val", high, x.dtype)
    )


def relu6(x: Any, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6); d/dx = 1 on (0, 6), else 0 (0 at both kinks, as torch). Integer tensors keep their
    dtype (torch's)."""
    refuse_bool_tensor(x, "relu6")
    if writes_in_place("relu6", inplace, x):
        return change_in_place("relu6", x, relu6)
    x = as_clipping_tensor(x, "relu6")
    return clipped_inside(x, 0.0, 6.0) if x._data.dtype.kind == "f" else clipped_integers(x, 0.0, 6.0, "relu6")


@float16_via_float32
def selu(x: Any, inplace: bool = False) -> Tensor:
    """Self-normalising ELU: scale * elu(x, alpha) with Klambauer et al.'s alpha = 1.67326..., scale = 1.05070...

    d/dx = scale where x > 0, else scale * alpha e^x.
    """
    refuse_integer_tensor(x, "selu")
    if writes_in_place("selu", inplace, x):
        return change_in_place("selu", x, selu)
    return scaled_elu(as_float_tensor(x, "selu"), _SELU_ALPHA, _SELU_SCALE)  # one node


def check_celu_alpha(owner: str, alpha: Any) -> float:
    """CELU's ``alpha`` as a float: any finite real but 0 (a negative one too, as torch's), which it divides by (torch:
    RuntimeError "alpha cannot be 0 for CELU", here :class:`ArgumentRangeError`)."""
    alpha = check_real(owner, "alpha", alpha)
    if alpha == 0:
        raise ArgumentRangeError(f"{owner}: alpha must not be 0 (it divides x), got {alpha!r}")
    return alpha


@float16_via_float32
def celu(x: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Continuously differentiable ELU: x where x > 0, else alpha (e^(x/alpha) - 1) = alpha elu(x / alpha).

    d/dx = 1 where x > 0, else e^(x/alpha) (1 at 0, as torch). The positive piece is x itself, not
    alpha elu(x / alpha): x / alpha may overflow for a small alpha. ``alpha`` may be negative (torch's), not 0.
    """
    alpha = check_celu_alpha("celu", alpha)
    refuse_integer_tensor(x, "celu")
    if writes_in_place("celu", inplace, x):
        return change_in_place("celu", x, lambda t: celu(t, alpha))
    x = as_float_tensor(x, "celu")
    check_fits_dtype("celu", "alpha", alpha, x.dtype)
    return celu_node(x, alpha)


@float16_via_float32
def logsigmoid(x: Any) -> Tensor:
    """log(sigmoid(x)) = 0 - softplus(-x), stable for every finite x; d/dx = 1 - sigmoid(x).

    The negation is a subtraction from +0.0, so where softplus(-x) is 0 (x >= 745 in float64, and +inf) the
    result is +0.0, as torch's min(x, 0) - log1p(e^-|x|), not -0.0."""
    refuse_integer_tensor(x, "logsigmoid")
    return 0.0 - (-as_float_tensor(x, "logsigmoid")).softplus()


@float16_via_float32
def hardsigmoid(x: Any, inplace: bool = False) -> Tensor:
    """relu6(x + 3) / 6, a piecewise linear sigmoid; d/dx = 1/6 on (-3, 3), else 0 (as torch: 0 at nan too).
    Under ``create_graph`` the gradient stays a function of x (of derivative 0), as torch's does."""
    refuse_integer_tensor(x, "hardsigmoid")
    if writes_in_place("hardsigmoid", inplace, x):
        return change_in_place("hardsigmoid", x, hardsigmoid)
    x = as_float_tensor(x, "hardsigmoid")
    unordered = np.isnan(x._data)
    if not unordered.any():
        return clipped_inside(x + 3.0, 0.0, 6.0) * (1 / 6)
    ordered = where(unordered, 0.0, x)  # nan stays nan, with the gradient stopped there (clipped_inside passes it)
    return where(unordered, np.nan, clipped_inside(ordered + 3.0, 0.0, 6.0) * (1 / 6))


@float16_via_float32
def hardswish(x: Any, inplace: bool = False) -> Tensor:
    """x * relu6(x + 3) / 6 (MobileNetV3); d/dx = 0 up to -3, x/3 + 1/2 on (-3, 3), 1 from 3 on: at -3 and 3
    the outer pieces' derivatives, 0 and 1, as torch 2.1 and later (older torch took -1/2 and 3/2). At nan, which
    fails both of torch's tests x <= -3 and x < 3, the slope is 1 (the gradient passes), as torch's scalar loop.
    One node (autograd.clipping.hard_swished), whose value and slope are torch's formulas, bit for bit: where g is
    infinite or nan the gradient is 0 at and below -3 and g times the slope elsewhere, not a product rule's nan."""
    refuse_integer_tensor(x, "hardswish")
    if writes_in_place("hardswish", inplace, x):
        return change_in_place("hardswish", x, hardswish)
    return hard_swished(as_float_tensor(x, "hardswish"))


@float16_via_float32
def softsign(x: Any) -> Tensor:
    """x / (1 + |x|); d/dx = 1 / (1 + |x|)^2. An integer tensor is computed in floating point, a boolean one is
    torch's NotImplementedError (its abs has no boolean kernel)."""
    refuse_integer_tensor(x, "softsign", kinds="b")
    x = as_float_tensor(x, "softsign")
    return x / (1 + x.abs())


def softmin(x: Any, axis: int | None = None, _stacklevel: int = 3, dtype: Any = None, *, dim: Any = UNSET) -> Tensor:
    """softmax(-x) along ``axis`` (torch's ``dim``): e^-x_i / sum_j e^-x_j (stable). Without an axis, torch's
    implicit one (see :func:`implicit_softmax_axis`), with torch's warning."""
    return softmax_like("softmin", x, axis, dim, dtype, lambda t, along: (-t).softmax(axis=along))
