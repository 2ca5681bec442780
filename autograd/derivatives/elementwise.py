"""Derivative table of the elementwise primitives, shared by Value and Tensor.

Each row is ``Op(name, d/d(first input), d/d(second input), ...)``; a rule maps
``(g, out, *inputs)`` to ``g * d out / d input``. ``out`` and the inputs are raw
numbers/arrays in a plain backward pass and graph nodes under
``create_graph=True``, so every rule is written with operators and the
functions of :mod:`autograd.shared_math` (``sm``) and can itself be differentiated.

Non-smooth points: relu, leaky_relu, elu, step and abs use the derivative of the
left piece at 0 (relu'(0) = 0, abs'(0) = 0, as PyTorch); ``maximum``/``minimum``
split the gradient evenly between tied inputs (as ``torch.maximum``).
"""

from __future__ import annotations

import math

import numpy as np

from .. import shared_math as sm
from ..core import Op
from ..shared_math import data_of, where


def _base_rule(g, out, x, y):
    # d/dx x**y = y * x**(y - 1), as PyTorch: 0 at x == y == 0 (not 0 * 0**-1 = nan); elsewhere at x == 0
    # the IEEE value of 0**(y - 1) (inf for y < 1, so -inf for y = -1), without a divide-by-zero warning.
    # The base is replaced by 1 at x == y == 0, so the second derivative there is 0 too, not 0 * inf.
    exponent_zero = data_of(y) == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        if not np.any(exponent_zero):  # the usual case (x**2, a constant exponent): no masks needed
            return g * y * x ** (y - 1)
        both_zero = exponent_zero & (data_of(x) == 0)
        return g * where(both_zero, 0.0, y * where(both_zero, 1.0, x) ** (y - 1))


def _exponent_rule(g, out, x, y):
    # d/dy x**y = x**y * sm.log(x). At x == 0 (as PyTorch): 0 for y >= 0 (the limit of the product),
    # -inf for y < 0 (0**y = inf times log 0 = -inf); no inf * 0 is formed, so no warning.
    at_zero = data_of(x) == 0
    elsewhere = where(at_zero, 0.0, out) * sm.log(where(at_zero, 1.0, x))
    return g * where(at_zero, where(data_of(y) < 0, -math.inf, 0.0), elsewhere)


def _tie_split(g, x, y):
    """Gradient reaching ``x`` from max(x, y): all of it if larger, half on a tie."""
    xd, yd = data_of(x), data_of(y)
    return where(xd > yd, g, where(xd == yd, g * 0.5, 0.0))


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
div = Op("div", lambda g, out, x, y: g / y, lambda g, out, x, y: -g * out / y)
pow = Op("pow", _base_rule, _exponent_rule)
neg = Op("neg", lambda g, out, x: -g, reads_values=False)

exp = Op("exp", lambda g, out, x: g * out)                          # d e^x = e^x
log = Op("log", lambda g, out, x: g / x)                           # d log x = 1/x
sqrt = Op("sqrt", lambda g, out, x: g * 0.5 / out)                  # d sqrt x = 1/(2 sqrt x)
abs_ = Op("abs", lambda g, out, x: g * sm.sign(x))                  # d |x| = sign x
sin = Op("sin", lambda g, out, x: g * sm.cos(x))
cos = Op("cos", lambda g, out, x: -g * sm.sin(x))
tanh = Op("tanh", lambda g, out, x: g * (1 - out * out))            # 1 - tanh^2
sigmoid = Op("sigmoid", lambda g, out, x: g * out * (1 - out))     # s (1 - s)
softplus = Op("softplus", lambda g, out, x: g * sm.sigmoid(x))         # d sm.log(1+e^x) = s(x)
relu = Op("relu", lambda g, out, x: g * (data_of(x) > 0))                # mask multiply: fastest form
leaky_relu = Op("leaky_relu", lambda g, out, x, alpha: where(data_of(x) > 0, g, g * alpha))
elu = Op("elu", lambda g, out, x, alpha: where(data_of(x) > 0, g, g * (out + alpha)))
step = Op("step", lambda g, out, x: g * 0, reads_values=False)                          # Heaviside: flat
maximum = Op("maximum", lambda g, out, x, y: _tie_split(g, x, y), lambda g, out, x, y: _tie_split(g, y, x))
minimum = Op("minimum", lambda g, out, x, y: _tie_split(g, y, x), lambda g, out, x, y: _tie_split(g, x, y))
clip = Op("clip", lambda g, out, x, low, high: _inside(g, x, low, high))
# fmt: on


# numpy's elementwise functions (methods from autograd.numpy_functions). Rounding, sign and the
# angle conversions use no input values; floor, ceil, round, trunc and sign are flat (zero gradient).
_LN2, _LN10 = math.log(2.0), math.log(10.0)


def _fmax_share(g, x, y):
    """Gradient reaching ``x`` from fmax(x, y): all of it where x wins or y is nan, half on a tie
    (two nans tie); fmin is fmax with the comparison reversed."""
    xd, yd = data_of(x), data_of(y)
    wins = (xd > yd) | (np.isnan(yd) & ~np.isnan(xd))
    tie = (xd == yd) | (np.isnan(xd) & np.isnan(yd))
    return where(wins, g, where(tie, g * 0.5, 0.0))


def _fmin_share(g, x, y):
    xd, yd = data_of(x), data_of(y)
    wins = (xd < yd) | (np.isnan(yd) & ~np.isnan(xd))
    tie = (xd == yd) | (np.isnan(xd) & np.isnan(yd))
    return where(wins, g, where(tie, g * 0.5, 0.0))


def _quotient(x, y, rounding):
    """The rounded quotient of the raw data (a constant: the derivative of floor/trunc is zero)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return rounding(np.true_divide(data_of(x), data_of(y)))


def _flat(g, out, x, *rest, **attrs):
    return g * 0


# fmt: off
tan = Op("tan", lambda g, out, x: g * (1 + out * out))                                 # 1 + tan^2
arcsin = Op("arcsin", lambda g, out, x: g / sm.sqrt(1 - x * x))                         # 1/sqrt(1 - x^2)
arccos = Op("arccos", lambda g, out, x: -g / sm.sqrt(1 - x * x))                        # -1/sqrt(1 - x^2)
arctan = Op("arctan", lambda g, out, x: g / (1 + x * x))                                # 1/(1 + x^2)
sinh = Op("sinh", lambda g, out, x: g * sm.cosh(x))
cosh = Op("cosh", lambda g, out, x: g * sm.sinh(x))
arcsinh = Op("arcsinh", lambda g, out, x: g / sm.sqrt(x * x + 1))                       # 1/sqrt(x^2 + 1)
arccosh = Op("arccosh", lambda g, out, x: g / sm.sqrt(x * x - 1))                       # 1/sqrt(x^2 - 1)
arctanh = Op("arctanh", lambda g, out, x: g / (1 - x * x))                              # 1/(1 - x^2)
log2 = Op("log2", lambda g, out, x: g / (x * _LN2))                                     # 1/(x ln 2)
log10 = Op("log10", lambda g, out, x: g / (x * _LN10))                                  # 1/(x ln 10)
log1p = Op("log1p", lambda g, out, x: g / (1 + x))                                      # 1/(1 + x)
expm1 = Op("expm1", lambda g, out, x: g * (out + 1))                                    # e^x
exp2 = Op("exp2", lambda g, out, x: g * out * _LN2)                                     # 2^x ln 2
square = Op("square", lambda g, out, x: g * 2 * x)
reciprocal = Op("reciprocal", lambda g, out, x: -g * out * out)                         # -1/x^2
erf = Op("erf", lambda g, out, x: g * (2 / math.sqrt(math.pi)) * sm.exp(-x * x))        # 2/sqrt(pi) e^(-x^2)
deg2rad = Op("deg2rad", lambda g, out, x: g * (math.pi / 180), reads_values=False)
rad2deg = Op("rad2deg", lambda g, out, x: g * (180 / math.pi), reads_values=False)
sign = Op("sign", _flat, reads_values=False)
floor = Op("floor", _flat, reads_values=False)
ceil = Op("ceil", _flat, reads_values=False)
round_ = Op("round", _flat, reads_values=False)
trunc = Op("trunc", _flat, reads_values=False)

arctan2 = Op("arctan2", lambda g, out, y, x: g * x / (x * x + y * y),                   # atan2(y, x): x/(x^2+y^2),
                        lambda g, out, y, x: -g * y / (x * x + y * y))                  # -y/(x^2+y^2)
hypot = Op("hypot", lambda g, out, x, y: g * x / out, lambda g, out, x, y: g * y / out)  # x/r, y/r
logaddexp = Op("logaddexp", lambda g, out, x, y: g * sm.exp(x - out),                   # e^x/(e^x + e^y)
                            lambda g, out, x, y: g * sm.exp(y - out))
logaddexp2 = Op("logaddexp2", lambda g, out, x, y: g * sm.exp((x - out) * _LN2),        # 2^x/(2^x + 2^y)
                              lambda g, out, x, y: g * sm.exp((y - out) * _LN2))
fmax = Op("fmax", lambda g, out, x, y: _fmax_share(g, x, y), lambda g, out, x, y: _fmax_share(g, y, x))
fmin = Op("fmin", lambda g, out, x, y: _fmin_share(g, x, y), lambda g, out, x, y: _fmin_share(g, y, x))
mod = Op("mod", lambda g, out, x, y: g, lambda g, out, x, y: -g * _quotient(x, y, np.floor))    # x - floor(x/y) y
fmod = Op("fmod", lambda g, out, x, y: g, lambda g, out, x, y: -g * _quotient(x, y, np.trunc))  # x - trunc(x/y) y
# fmt: on
