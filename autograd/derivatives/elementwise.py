"""Derivative table of the elementwise primitives, shared by Value and Tensor.

Each row is ``Op(name, d/d(first input), d/d(second input), ...)``; a rule maps
``(g, out, *inputs)`` to ``g * d out / d input``. ``out`` and the inputs are raw
numbers/arrays in a plain backward pass and graph nodes under
``create_graph=True``, so every rule is written with operators and the
functions of :mod:`autograd.shared_math` (``sm``) and can itself be differentiated.
Rules run inside backward's pass, with numpy's floating-point warnings off
(:mod:`autograd.quiet`): an IEEE edge case (1/0, inf - inf) gives its value silently.

numpy's further elementwise functions (tan, hypot, mod, erf, ...) have their rows in
:mod:`autograd.numpy_functions`, where each row is also the method of both node kinds.

Non-smooth points: relu, leaky_relu, elu, step and abs use the derivative of the
left piece at 0 (relu'(0) = 0, abs'(0) = 0, as PyTorch); ``maximum``/``minimum``
split the gradient evenly between tied inputs (as ``torch.maximum``).
"""

from __future__ import annotations

import math

import numpy as np

from .. import shared_math as sm
from .. import special
from ..accumulation import rule_in_float32
from ..core import Node
from ..op import Op
from ..shared_math import data_of, where


def _base_rule(g, out, x, y):
    # d/dx x**y = y * x**(y - 1), as PyTorch, with the IEEE value of x**(y - 1) (inf for y < 1 at x == 0,
    # so -inf for y = -1; nan for a negative x and a fractional y, not Python's complex number), without a warning.
    # Where y == 0 it is 0. For an exponent that needs no gradient it is a flat 0 at every such x (connected to x,
    # as relu's), and the base is replaced by 1 in the branch not taken, so the second derivative is 0 too, not
    # 0 * inf, also where x**-1 is finite but x**-2 overflows (x = 1e-200). For an exponent that needs a gradient,
    # d/dy of the rule (x**(y-1) at y = 0) must be kept, so only where x**(y - 1) is not finite (x == 0, x**-1
    # overflowing, x = nan) is it replaced. Where y == 0 and g is infinite or nan it is 0 too (x**0 is flat, as
    # torch's; g * 0 would be nan), so v ** (v ** 0) at v = -2 has gradient 1, not the nan of log(-2) times 0.
    # x**0.5 is sqrt x, and its slope sqrt's, 1 / (2 sqrt x): -inf at x = -0.0 (sqrt -0.0 is -0.0), as torch's
    # (whose x**-0.5 is 1 / sqrt x), where IEEE pow(-0.0, -0.5) is +inf. sqrt x is taken again, not read from out:
    # torch saves the base, not the result, so x**0.5 may be changed in place before backward (no rule reads out)
    if isinstance(y, (float, np.floating)) and y == 0.5:
        return g * 0.5 / sm.sqrt(x)
    exponent_zero = data_of(y) == 0
    if not np.any(exponent_zero):  # the usual case (x**2, a constant exponent): no masks needed
        return g * (y * sm.power(x, y - 1))  # (torch's order: y x**(y-1) may overflow where g y underflows)
    if isinstance(y, Node) and y.requires_grad:
        singular, zero = exponent_zero & ~np.isfinite(sm.power(data_of(x), data_of(y) - 1)), 0.0
    else:
        singular, zero = exponent_zero, flat_of(x, 0.0)
    slope = g * where(singular, zero, y * sm.power(where(singular, 1.0, x), y - 1))
    flat = exponent_zero & ~np.isfinite(data_of(g))
    return where(flat, zeros_of(g), slope) if np.any(flat) else slope


def _exponent_rule(g, out, x, y):
    # d/dy x**y = x**y * sm.log(x). At x == 0 (as PyTorch) it is the limit of that product, a constant:
    # 0 for y > 0 (nan for a nan y), -inf * x**y for y < 0, where x**y is +inf, or -inf at x = -0 and an
    # odd y (so +inf there); no inf * 0 is formed, so no warning.
    at_zero = data_of(x) == 0
    out_data = data_of(out)
    elsewhere = where(at_zero, 0.0, out) * sm.log(where(at_zero, 1.0, x))
    return g * where(at_zero, where(data_of(y) < 0, -out_data, 0.0 * out_data), elsewhere)


def flat_of(x, value):
    """``value``, a function of ``x`` constant around every point (a mask, a slope, a sign).

    On raw data it is returned as it is. On a node (under ``create_graph``) it is recorded as a
    node of ``x`` with derivative zero, so a gradient built from it stays connected to ``x`` and
    differentiating it again gives zeros, not "unused": torch's rule for relu, leaky_relu and abs.
    """
    if not isinstance(x, Node):
        return value
    if isinstance(x._data, np.ndarray):
        value = np.array(np.broadcast_to(np.asarray(value, dtype=x._data.dtype), x._data.shape))
    else:
        value = float(value)
    return type(x)._from_op(value, locally_constant, (x,))


def kept_where(g: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """g where ``keep``, +0 elsewhere, as torch's ``where(keep, g, 0)``: also where g is inf or nan (a product
    g * keep would give nan there). For floats of one width, the bits of g are and-ed with 0 or all ones,
    which costs what the product does (``np.where`` costs several times more on a random mask)."""
    integer = sm.SAME_WIDTH_INTEGER.get(g.dtype.itemsize) if type(g) is np.ndarray and g.dtype.kind == "f" else None
    if integer is None or type(keep) is not np.ndarray or g.shape != keep.shape:  # (a 0-d comparison gives a scalar)
        return np.where(keep, g, 0)
    bits = keep.astype(integer)
    np.negative(bits, out=bits)  # 1 -> -1: every bit set
    np.bitwise_and(bits, g.view(integer), out=bits)
    return bits.view(g.dtype)


def dropped_where(g: np.ndarray, drop: np.ndarray) -> np.ndarray:
    """g where ``drop`` is False, +0 where it is True (:func:`kept_where` of the negated mask, inf and nan too), for a
    bool mask the caller made and holds no further: its negation costs no pass, the bits come as drop - 1 (0 or all
    ones) in the integer array that becomes the result. Other operands (not float32/float64 arrays of drop's shape)
    get kept_where's."""
    integer = sm.SAME_WIDTH_INTEGER.get(g.dtype.itemsize) if type(g) is np.ndarray and g.dtype.kind == "f" else None
    if integer is None or type(drop) is not np.ndarray or g.shape != drop.shape:
        return kept_where(g, ~drop)
    bits = drop.astype(integer)
    bits -= 1  # 1 -> 0, 0 -> -1: every bit set
    np.bitwise_and(bits, g.view(integer), out=bits)
    return bits.view(g.dtype)


def kept_in_place(g: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """:func:`kept_where`, written into ``g`` itself for a gradient array that nothing else holds (see
    ``Op.accumulate``'s ``owned``): no array of g's size is made. ``keep`` (a bool array of g's shape, the
    caller's own) is overwritten: as int8, 1 -> -1 (every bit set), and-ed with g's bits, each widened as read.
    Other operands (not floats, a scalar mask, another shape) get kept_where's new array."""
    integer = sm.SAME_WIDTH_INTEGER.get(g.dtype.itemsize) if g.dtype.kind == "f" else None
    if integer is None or type(keep) is not np.ndarray or g.shape != keep.shape:
        return kept_where(g, keep)
    bits = keep.view(np.int8)
    np.negative(bits, out=bits)
    np.bitwise_and(g.view(integer), bits, out=g.view(integer))
    return g


def zeros_of(g):
    """0 of g's shape and dtype, also where g is infinite or nan (g * 0 would be nan there): the derivative of a
    step function times g. For a node (under ``create_graph``) a constant node of zeros, as torch's
    ``zeros_like(grad)``: the input it is passed to counts as reached, but the zeros carry no graph (of g's
    inputs, nor of x's), so differentiating them again raises, as torch's."""
    if isinstance(g, Node):
        data = g._data
        return type(g)._from_op(np.zeros_like(data) if isinstance(data, np.ndarray) else 0.0, locally_constant, ())
    return np.zeros_like(g) if type(g) is np.ndarray else type(g)(0)


def _kept_node(g, x, keep):
    """:func:`kept_where` under ``create_graph``: g where ``keep`` (a mask constant around every point of the node x),
    and elsewhere zeros that are a node of x with derivative zero, so the result stays connected to x (as torch's)
    and is 0 there even where g is infinite or nan (g times a 0/1 node of x would give nan). Where kept, g passes
    times a node of x that is 1, so the derivative of the result in g (a jvp's, an hvp's double-backward trick) stays
    connected to x too, as that of torch's threshold_backward, hardtanh_backward, hardshrink_backward and
    softshrink_backward is (they read x again)."""
    if not x.holds_arrays:  # a Value: the one entry's choice, kept connected to x either way
        return g * flat_of(x, 1.0) if keep else flat_of(x, 0.0)
    return type(x)._where(keep, g * flat_of(x, 1.0), flat_of(x, 0.0))


def relu_rule(g, out, x):
    # the gradient passes where x is not <= 0, nan included (torch's threshold_backward), that is where
    # out = relu(x) is not 0: read from the output as torch does, so x may change in place after relu;
    # elsewhere it is 0, even for an infinite or nan g (under create_graph too: _kept_node)
    if isinstance(out, Node):
        return _kept_node(g, out, out._data != 0)
    if type(out) is float:
        return g if out != 0 else 0.0
    return kept_where(g, out != 0)


def _strictly_inside(x, low, high):
    """The mask of the entries of x strictly between low and high, or nan (for raw data or a node)."""
    data = data_of(x)
    return ~((data <= low) | (data >= high))


def _clipped_inside_rule(g, out, x, low, high):
    # 1 strictly inside (and at nan), 0 at and beyond the bounds: g there is 0 even if infinite (not g * 0 = nan)
    if isinstance(x, Node):
        return _kept_node(g, x, _strictly_inside(x, low, high))
    if type(x) is np.ndarray and x.ndim:  # the mask of the zeros, in place, not negated
        at_or_beyond = np.less_equal(x, low)
        np.logical_or(at_or_beyond, np.greater_equal(x, high), out=at_or_beyond)
        return dropped_where(g, at_or_beyond)
    return kept_where(g, _strictly_inside(x, low, high))


def _clipped_inside(x, bound):
    """x clipped to [-bound, bound] (the op ``clipped_inside``, recorded for a node: slope 1 strictly inside)."""
    if not isinstance(x, Node):
        return np.clip(x, -bound, bound)
    return type(x)._from_op(np.clip(x._data, -bound, bound), clipped_inside, (x,), {"low": -bound, "high": bound})


def beyond_band(x, lambd):
    """The mask of the entries of x outside the closed band [-lambd, lambd], or nan (raw data)."""
    return ~in_band(x, lambd)


def in_band(x, lambd):
    """The mask of the entries of x in the closed band [-lambd, lambd] (not nan; raw data), made in one array."""
    inside = np.greater_equal(x, -lambd)
    if type(inside) is not np.ndarray:  # (0-d)
        return inside & (x <= lambd)
    return np.logical_and(inside, np.less_equal(x, lambd), out=inside)


def _shrunk_rule(g, out, x, lambd):
    # 1 outside the closed band [-lambd, lambd] (and at nan), 0 in it: g there is 0 even if infinite
    if isinstance(x, Node):
        return _kept_node(g, x, beyond_band(x._data, lambd))
    return dropped_where(g, in_band(x, lambd))


def _threshold_rule(g, out, x, threshold):
    # 1 where x is not <= threshold (nan included), 0 where it is: g there is 0 even if infinite; under
    # create_graph the zeros stay connected to x (_kept_node), so a second derivative is 0, as torch's
    keep = ~(data_of(x) <= threshold)
    if isinstance(x, Node):
        return _kept_node(g, x, keep)
    return kept_where(g, keep)


def _hardswish_rule(g, out, x):
    # torch's hardswish_backward: 0 where x <= -3 (even for an infinite or nan g), g (x / 3 + 1/2) where -3 < x < 3,
    # g where x >= 3, and at nan (which fails both tests; torch's scalar loop passes g there, its vectorised one
    # gives g (nan / 3 + 1/2)). Under create_graph the middle piece is recorded (second derivative g / 3 there, as
    # torch's) and the zeros stay connected to x. The middle piece is formed from g masked to (-3, 3), so an
    # infinite g outside gives the second derivative 0 there, as torch's, not the 0 * inf = nan of where's zeros
    if _same_float_arrays(g, x):  # the middle piece in one buffer, chosen with masks, not np.where
        middle = np.divide(x, 3)
        middle += 0.5
        middle *= g
        return dropped_where(sm.select(np.less(x, 3), middle, g), np.less_equal(x, -3))
    xd = data_of(x)
    if isinstance(x, Node):
        zeros = flat_of(x, 0.0)
        middle = where((xd > -3) & (xd < 3), g, zeros) * (x / 3 + 0.5)
        return where(xd <= -3, zeros, where(xd < 3, middle, g * flat_of(x, 1.0)))
    middle = g * (x / 3 + 0.5)
    return where(xd <= -3, zeros_of(g * xd), where(xd < 3, middle, g))


def _prelu_input_rule(g, out, x, weight):
    # g where x > 0, else g w (at nan too, as torch's x > 0 ? g : w g); a one-weight node's plain pass multiplies g by
    # a factor 1 or w (sm.leaky_product: g * 1 is g, inf and nan included), another takes the select of g and g w
    # (broadcast over the channels)
    if _same_float_arrays(g, x) and type(weight) is np.ndarray and weight.ndim == 0 and weight.dtype == x.dtype:
        return sm.leaky_product(g, x, weight)
    if isinstance(x, Node):  # g times a factor 1 or w that is a node of x (and of w), so the result stays connected
        ones = flat_of(x, 1.0)  # to x (a second derivative through a constant weight gives zeros, as torch's)
        return g * where(x._data > 0, ones, weight * ones)
    return where(data_of(x) > 0, g, g * weight)


def _prelu_weight_rule(g, out, x, weight):
    # x g where x <= 0 (or nan), +0 where x > 0 even for an infinite g, as torch's; summed over the broadcast axes by
    # backward; under create_graph the zeros are a node of x (flat_of), so the result stays connected to it
    if _same_float_arrays(g, x):
        return dropped_where(np.multiply(g, x), np.greater(x, 0))
    positive = data_of(x) > 0
    return where(positive, flat_of(x, 0.0) if isinstance(x, Node) else zeros_of(g * x), g * x)


def _huber_terms_rule(g, out, x, delta):
    # d/dd [m (d - m/2)] = m, m = d clipped to [-delta, delta] (autograd.clipping); on raw arrays in m's buffer
    if _same_float_arrays(g, x):
        clipped = np.clip(x, -delta, delta)
        return np.multiply(g, clipped, out=clipped)
    return g * _clipped_inside(x, delta)


def _smooth_l1_terms_rule(g, out, x, beta):
    # d/dd [m (m / (2 beta)) + max(|d| - beta, 0)] = m / beta: d / beta inside, sign(d) beyond (the ratio clipped,
    # not m / beta, so a beta so small that d / beta overflows still gives sign(d))
    if _same_float_arrays(g, x):  # (in one buffer)
        ratio = np.divide(x, beta)
        np.clip(ratio, -1.0, 1.0, out=ratio)
        return np.multiply(g, ratio, out=ratio)
    if not isinstance(x, Node):
        return g * np.clip(x / beta, -1.0, 1.0)
    return g * _clipped_inside(x, beta) / beta


def _leaky_relu_rule(g, out, x, alpha):
    # g where x > 0, else g alpha (at nan too, as torch's leaky_relu_backward); on raw arrays g times a factor 1 or
    # alpha (sm.leaky_product), in the factor's array: g * 1 is g, inf and nan included, so the same values as a select
    if isinstance(x, Node):
        return g * flat_of(x, where(x._data > 0, 1.0, alpha))
    if _same_float_arrays(g, x):
        return sm.leaky_product(g, x, alpha)
    return where(x > 0, g, g * alpha)


def _elu_rule(g, out, x, alpha, scale=1.0):
    # alpha e^x where x <= 0, else 1: at nan too, which is not <= 0, as torch's elu_backward (so g passes, not
    # nan). alpha e^x, not elu(x) + alpha: that sum cancels to 0 below x = -37 (float64). e^x is taken of x
    # only where x < 0 (of a flat 0 elsewhere), so a large positive x does not overflow, and the rule's own
    # derivative, the second derivative, is 0 at x = 0 (and at nan), as torch's elu_double_backward, which tests
    # x < 0; the flat 0 keeps that zero connected to x (see flat_of), as torch's. A scale (selu's) multiplies g first,
    # as the product node of scale * elu(x) did
    if scale != 1:
        g = g * scale
    if _same_float_arrays(g, x):
        return _elu_slope_times(g, x, alpha)
    xd = data_of(x)
    if type(xd) is float and xd > 0 and isinstance(x, Node):  # a Value, under create_graph: where() would pass the
        return g * flat_of(x, 1.0)  # seed on unconnected; torch's g stays connected to x (derivative 0)
    return where(xd <= 0, g * alpha * sm.exp(where(xd < 0, x, flat_of(x, 0.0))), g)


def _same_float_arrays(g, x) -> bool:
    """Whether g and x are plain float32 or float64 arrays of one shape and dtype, not 0-d (the plain pass's usual
    operands; a ufunc gives a 0-d array's result as a numpy scalar, which takes no out=)."""
    return (
        type(x) is np.ndarray
        and type(g) is np.ndarray
        and x.dtype == g.dtype
        and x.dtype.kind == "f"
        and x.dtype.itemsize in (4, 8)
        and x.shape == g.shape
        and x.ndim > 0
    )


def _elu_slope_times(g: np.ndarray, x: np.ndarray, alpha: float) -> np.ndarray:
    """_elu_rule on raw arrays, the same values in fewer passes: e = e^fmin(x, 0) is e^x where x <= 0 and 1 where
    x > 0 or nan (fmin takes 0 over nan), so for alpha = 1 the rule is g e (g * 1 is g, inf and nan included). For
    another alpha, g is first multiplied by a factor alpha where x <= 0 and 1 elsewhere, made from the mask's bits
    (sm.two_valued), as the rule's (g alpha) e, not a select."""
    slope = np.fmin(x, 0)
    np.exp(slope, out=slope)
    if alpha == 1:
        return np.multiply(g, slope, out=slope)
    scaled = sm.two_valued(np.less_equal(x, 0), alpha, 1, x.dtype)
    np.multiply(g, scaled, out=scaled)
    return np.multiply(scaled, slope, out=scaled)


def _normal_density(x):
    # phi(x) = e^(-x^2/2) / sqrt(2 pi)
    return sm.exp(x * x * -0.5) * (1 / math.sqrt(2 * math.pi))


def _gelu_exact_rule(g, out, x, cdf):
    # d/dx x Phi(x) = Phi(x) + x phi(x): Phi as the forward computed it; at x = +-inf, inf * 0 is nan, as torch's.
    # Under create_graph one gelu_backward node of g and x (Phi rebuilt from x there, so it differentiates again)
    if isinstance(g, Node) or isinstance(x, Node):
        return sm.record(gelu_backward, _gelu_gradient, g, x)
    return g * (sm.saved_unless_node(x, cdf, _normal_cdf) + x * _normal_density(x))


def _gelu_gradient(g, x):
    return g * (_normal_cdf(x) + x * _normal_density(x))


# torch's gelu_backward: the gradient g (Phi(x) + x phi(x)) of gelu as one node of g and x (under create_graph), whose
# derivatives are Phi(x) + x phi(x) and g phi(x) (2 - x^2): an infinite g gives the second derivative +-inf, as
# torch's, where the product rule of its terms gave inf - inf = nan
gelu_backward = Op(
    "gelu_backward",
    lambda v, out, g, x: v * (_normal_cdf(x) + x * _normal_density(x)),
    lambda v, out, g, x: v * g * (_normal_density(x) * (2 - x * x)),
)


def _normal_cdf(x):
    # erfc(-x / sqrt 2) / 2: 1 + erf(x / sqrt 2) exactly where -x / sqrt 2 < 2, without its cancellation below (of a
    # node under create_graph, or of x's array when a freed graph released the forward's: Op.releases)
    cdf = special.erfc(x * -(1 / math.sqrt(2))) * 0.5
    return cdf if isinstance(x, Node) else np.asarray(cdf, dtype=x.dtype)


def _celu_rule(g, out, x, alpha):
    # e^(x/alpha) where x <= 0 (1 at 0), else 1 (at nan too, as torch's): elu's rule (alpha 1) at x / alpha, whose
    # pieces have the same signs as x's (alpha > 0); under create_graph x / alpha is recorded, so the second
    # derivative is e^(x/alpha) / alpha, and 0 at x = 0 as elu's. A negative alpha (torch takes one) gives x / alpha
    # the opposite sign of x, so there the pieces are chosen by x itself, e^ taken only where x < 0 as elu's
    if alpha > 0:
        return _elu_rule(g, out, x / alpha, 1.0)
    xd = data_of(x)
    return where(xd <= 0, g * sm.exp(where(xd < 0, x, flat_of(x, 0.0)) / alpha), g)


def _softplus_rule(g, out, x, beta=1.0, threshold=math.inf):
    # d/dx log(1 + e^(beta x)) / beta = s(beta x), and 1 where beta x > threshold (x itself there, torch's linear
    # piece; g passes as it is, -0.0 and inf included). Under create_graph beta x is recorded, so the second
    # derivative is beta s (1 - s), as torch's
    z = x if beta == 1 else x * beta
    slope = sm.sigmoid(z)
    if not _same_float_arrays(g, x):
        smooth = g * slope
        return smooth if threshold == math.inf else where(data_of(z) > threshold, g, smooth)
    np.multiply(g, slope, out=slope)
    linear = np.greater(z, threshold)
    return sm.select(linear, g, slope) if linear.any() else slope


def _sigmoid_gradient(g, s):
    return g * s * (1 - s)


# torch's sigmoid_backward: the gradient g s (1 - s) of sigmoid as one node of g and s (under create_graph), whose
# derivatives are s (1 - s) and g (1 - 2 s): an infinite g gives the second derivative +-inf, as torch's, where the
# product rule of the three factors gave g (1 - s) - g s = inf - inf = nan
sigmoid_backward = Op(
    "sigmoid_backward", lambda v, out, g, s: v * s * (1 - s), lambda v, out, g, s: v * g * (1 - 2 * s)
)


def _sigmoid_rule(g, out, x):
    # d/dx sigmoid(x) = s (1 - s), s the output
    if isinstance(g, Node) or isinstance(out, Node):
        return sm.record(sigmoid_backward, _sigmoid_gradient, g, out)
    return _sigmoid_gradient(g, out)


def _silu_rule(g, out, x, sigmoid=None):
    # d/dx x s(x) = s + x s (1 - s), s = sigmoid(x), as torch's silu_backward. x multiplies s (1 - s), which is 0
    # where x is near the dtype's largest value, before g does: the composite x * sigmoid(x) formed g * x first,
    # which overflows there for |g| > 1 (inf * 0 = nan; torch's gradient is g). Grouped as torch's,
    # s (1 + x (1 - s)), whose roundings it matches, and whose sign at x << 0 (s = 0) is x's: -0.0, as torch's.
    # s is the forward's (a Tensor's node keeps it; rebuilt from x under create_graph, so it differentiates again);
    # on raw arrays the factor is formed in one buffer, in the same order
    s = sm.sigmoid(x) if sigmoid is None else sm.saved_unless_node(x, sigmoid, sm.sigmoid)
    if _same_float_arrays(g, x) and _same_float_arrays(s, x):
        factor = np.subtract(1, s)
        factor *= x
        factor += 1
        factor *= s
        return np.multiply(g, factor, out=factor)
    return g * (s * (1 + x * (1 - s)))


def _mish_rule(g, out, x):
    # d/dx x tanh(softplus x) = t + x (1 - t^2) s(x), t = tanh(softplus x), as torch's mish_backward; x meets the
    # factor (1 - t^2) s(x), 0 at large x, before g (see _silu_rule)
    t = sm.tanh(sm.softplus(x))
    return g * (t + x * ((1 - t * t) * sm.sigmoid(x)))


def _tie_split(g, x, y):
    """Gradient reaching ``x`` from max(x, y): none if smaller, half on a tie, else all of it (also where either
    is nan, which maximum propagates: both inputs get g there, as torch)."""
    xd, yd = data_of(x), data_of(y)
    return where(xd < yd, 0.0, where(xd == yd, g * 0.5, g))


def _inside(g, x, low, high):
    xd = data_of(x)
    inside = True
    if low is not None:
        inside = inside & (xd >= low)
    if high is not None:
        inside = inside & (xd <= high)
    return where(inside, g, 0.0)


# fmt: off
add = Op("add", lambda g, out, x, y: g, lambda g, out, x, y: g, reads_values=False)
sub = Op("sub", lambda g, out, x, y: g, lambda g, out, x, y: -g, reads_values=False)
mul = Op("mul", lambda g, out, x, y: g * y, lambda g, out, x, y: g * x)
# (d/dy = -g x / y^2 made from the inputs, not the output: torch's div saves them, so the quotient may change in place)
div = Op("div", lambda g, out, x, y: g / y, lambda g, out, x, y: -g * (x / y) / y)
pow = Op("pow", _base_rule, _exponent_rule)
neg = Op("neg", lambda g, out, x: -g, reads_values=False)
# alpha * y of add's and sub's alpha= (torch's AddBackward keeps alpha as an attribute, not a saved value: a second
# pass through x.add(y, alpha=2) is allowed, as through x + y)
scaled = Op("scaled", lambda g, out, x, alpha: g * alpha, reads_values=False)


def _number_over_rule(g, out, k, y):
    """d(k / y)/dy = -k / y**2 from the quotient and the number alone (-out**2 / k; for k = 0, -(g * 0), nan where
    the quotient is, at y = 0): torch's ``k / y`` is ``reciprocal(y) * k``, which saves 1 / y and not y, so y may
    change in place before backward."""
    if k == 0:
        return -(g * 0.0) * (out * out * 0.0 + 1.0)
    return -(g * out) * (out / k)


# k / y for a plain number k: the variant with_constant(0) gives, its rule reading the output, not y (see above)
div.with_constant(0, _number_over_rule)
# + - * / ** with a plain number operand (x * 2.0, 1 - x): the variants that keep the number on the node, made once;
# op -> (the number first, the number second). Value's and Tensor's operators both take them from here.
NUMBER_VARIANTS = {op: (op.with_constant(0), op.with_constant(1)) for op in (add, sub, mul, div, pow)}

exp = Op("exp", lambda g, out, x: g * out)                          # d e^x = e^x
log = Op("log", lambda g, out, x: g / x)                           # d log x = 1/x
sqrt = Op("sqrt", lambda g, out, x: g * 0.5 / out)                  # d sqrt x = 1/(2 sqrt x)
abs_ = Op("abs", lambda g, out, x: g * flat_of(x, sm.abs_slope(x)))    # d |x| = sign x (0 at nan, as torch)
sin = Op("sin", lambda g, out, x: g * sm.cos(x))
cos = Op("cos", lambda g, out, x: -g * sm.sin(x))
tanh = Op("tanh", rule_in_float32(lambda g, out, x: g * (1 - out * out)))         # 1 - tanh^2
sigmoid = Op("sigmoid", rule_in_float32(_sigmoid_rule))                          # s (1 - s)
softplus = Op("softplus", _softplus_rule)                             # d sm.log(1+e^x) = s(x)
relu = Op("relu", relu_rule)                                        # 1 where x > 0
leaky_relu = Op("leaky_relu", rule_in_float32(_leaky_relu_rule))    # 1 where x > 0, else alpha
elu = Op("elu", _elu_rule)                                           # alpha e^x where x <= 0, else 1
celu = Op("celu", _celu_rule)                                        # e^(x/alpha) where x <= 0, else 1
gelu_exact = Op("gelu_exact", _gelu_exact_rule, releases=("cdf",))  # Phi(x) + x phi(x)
silu = Op("silu", _silu_rule, releases=("sigmoid",))                 # s + x s (1 - s)
mish = Op("mish", _mish_rule)                                        # t + x (1 - t^2) s, t = tanh(softplus x)
clipped_inside = Op("clipped_inside", _clipped_inside_rule)     # 1 strictly inside the bounds
hard_swished = Op("hard_swished", _hardswish_rule)                # 0, x / 3 + 1/2, 1 (at -3 and 3 the outer ones)
prelu = Op("prelu", _prelu_input_rule, _prelu_weight_rule)          # 1 or w; 0 or x (x > 0 or not)
huber_terms = Op("huber_terms", _huber_terms_rule)                 # m = clip(d, -delta, delta)
smooth_l1_terms = Op("smooth_l1_terms", _smooth_l1_terms_rule)     # m / beta
hard_shrunk = Op("hard_shrunk", _shrunk_rule)                      # 1 beyond the band
soft_shrunk = Op("soft_shrunk", _shrunk_rule)                      # 1 beyond the band
thresholded = Op("thresholded", _threshold_rule)                   # 1 where x > threshold (or nan)
step = Op("step", lambda g, out, x: zeros_of(g), reads_values=False)                    # Heaviside: flat
locally_constant = Op("locally_constant", lambda g, out, x: zeros_of(g), reads_values=False)  # see flat_of
maximum = Op("maximum", lambda g, out, x, y: _tie_split(g, x, y), lambda g, out, x, y: _tie_split(g, y, x))
minimum = Op("minimum", lambda g, out, x, y: _tie_split(g, y, x), lambda g, out, x, y: _tie_split(g, x, y))
clip = Op("clip", lambda g, out, x, low, high: _inside(g, x, low, high))
polygamma = Op("polygamma", lambda g, out, x, n: g * special.polygamma(n + 1, x))  # d psi^(n) = psi^(n+1)
# fmt: on
