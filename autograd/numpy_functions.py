"""numpy's elementwise functions as methods shared by ``Value`` and ``Tensor``: their derivative table.

Each row of :class:`NumpyFunctions` is one function: the numpy function that computes the
forward value, the derivative rule(s) (as in :mod:`autograd.derivatives.elementwise`:
``rule(g, out, *inputs)`` is g times d out / d input, written with operations that work
on raw data and on nodes, so every order of derivative works) and the docstring. The row
creates the op, named after the method, and is the method of both node kinds. Adding an
elementwise function is that row and one row of the test table (tests/op_table.py).
``Value`` evaluates numpy on float64 scalars (IEEE results: arcsin(2) is nan, log2(0) is
-inf, silently); ``Tensor`` evaluates it on its array.

Subgradients at the non-smooth points: floor, ceil, round, trunc, sign and floor_divide (``//``) are
flat (zero gradient everywhere, as PyTorch; torch has no derivative of ``//``); ``x % y`` (``mod``) and ``fmod`` pass the
gradient 1 to x and -floor(x / y) (-trunc(x / y)) to y, also across their jumps (as
``torch.remainder``/``torch.fmod``); ``fmax``/``fmin`` give it to the larger
(smaller) input, or to the one that is not nan, and split it evenly between tied
inputs (as ``maximum``; ``torch.fmax`` gives a tie to its first input instead).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, overload

import numpy as np

from . import shared_math as sm
from . import special
from .accumulation import rule_in_float32
from .derivatives import elementwise as ew
from .op import Op
from .shape_errors import ArgumentRangeError, require_integer
from .shared_math import data_of, where
from .special import erf as erf_function

__all__ = ["FLOAT32_DIVISOR_QUOTIENTS", "NumpyFunctions"]

Self = TypeVar("Self", bound="NumpyFunctions")
Node_ = TypeVar("Node_")

_LN2, _LN10 = math.log(2.0), math.log(10.0)


class IntegerDivisionByZeroError(ZeroDivisionError, RuntimeError):
    """An integer ``//``, ``%`` or ``fmod`` by 0: torch's RuntimeError "ZeroDivisionError" (numpy gives 0 and a
    warning); a ZeroDivisionError too, as Python's ``5 // 0``."""


def _integer_checked(function: np.ufunc) -> Callable[[Any, Any], Any]:
    """``function`` (an integer division or remainder), raising :class:`IntegerDivisionByZeroError` where both
    operands are integers (or booleans) and a divisor is 0 that meets a dividend; floats keep IEEE's inf and nan. An
    empty dividend divides nothing (its result is empty, as torch's: ``empty // tensor([0])`` does not raise), and
    two booleans are left to the caller's :func:`~autograd.shape_errors.refuse_boolean_kernel` (torch has no kernel
    for them: its NotImplementedError, whatever the divisor)."""

    def checked(x: Any, y: Any) -> Any:
        divisor, dividend = np.asarray(y), np.asarray(x)
        kinds = (divisor.dtype.kind, dividend.dtype.kind)
        integers = kinds[0] in "biu" and kinds[1] in "biu" and kinds != ("b", "b")
        if integers and dividend.size and not np.all(divisor):
            raise IntegerDivisionByZeroError(f"{function.__name__}: ZeroDivisionError (an integer divisor is 0)")
        return function(x, y)

    return checked


class _Row:
    """One row of the table: a forward function, its derivative rules and docstring; an op and a method."""

    def __init__(
        self,
        forward: Callable[..., Any],
        *rules: Callable[..., Any],
        doc: str,
        reads_values: bool = True,
        op_name: str | None = None,
    ):
        self.forward = forward
        self.rules = rules
        self.reads_values = reads_values
        self.__doc__ = doc
        self.op_name = op_name
        self.op: Op | None = None
        self.source: _Row | None = None
        self._function: Callable[..., Any] | None = None
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        if self.op is None and self.source is not None:  # a mirrored row (``__rmod__``) records its source's op
            self.op = self.source.op
        if self.op is None:  # the first name given (``__mod__ = mod`` reuses the row of ``mod``), or ``op_name``
            # float16 gradients computed in float32 and rounded once (g 2^x ln 2, g / (x ln 2): torch's half kernels)
            rules = [rule_in_float32(rule) for rule in self.rules]
            self.op = Op(self.op_name or name, *rules, reads_values=self.reads_values)
        if not self._name:
            self._name = name

    def _bind(self, instance: Any) -> Callable[..., Any]:
        """The method of ``instance``."""
        raise NotImplementedError

    def __get__(self, instance: Any, owner: type) -> Any:
        if instance is not None:
            return self._bind(instance)
        # read from the class (``Value.tan(v)``, ``map(Tensor.exp, ts)``): a plain function of the instance
        if self._function is None:

            def method(instance: Any, *args: Any, **kwargs: Any) -> Any:
                return self._bind(instance)(*args, **kwargs)

            method.__name__ = method.__qualname__ = self._name
            method.__doc__ = self.__doc__
            self._function = method
        return self._function


def _true_reciprocal(x: Any) -> Any:
    """1 / x by true division: integer and boolean x give floats, as torch's reciprocal (numpy's keeps the
    integers: 1 // x)."""
    return np.divide(1, x)


def _square(x: Any) -> Any:
    """x^2, booleans as int64 ones, as torch's (square is pow(x, 2), which promotes bool to int64; numpy's square
    has no boolean loop and gives int8)."""
    if getattr(x, "dtype", None) == np.bool_:
        x = x.astype(np.int64)
    return np.square(x)


class _Unary(_Row):
    """A row of a function of one input: ``x.tan()``."""

    @overload
    def __get__(self, instance: None, owner: type) -> Callable[..., Any]: ...
    @overload
    def __get__(self, instance: Node_, owner: type) -> Callable[[], Node_]: ...
    def __get__(self, instance: Any, owner: type) -> Any:
        return super().__get__(instance, owner)

    def _bind(self, instance: Any) -> Callable[[], Any]:
        return lambda: instance._apply_unary(self.op, self.forward)


class _Rounding(_Unary):
    """The row of ``round``: ``x.round()``, or ``x.round(decimals)`` (numpy's and torch's), round(x 10^d) / 10^d.

    Integers stay integers of their dtype, as numpy's: unchanged for decimals >= 0, and for decimals < 0 rounded
    (halves to even) to a multiple of 10^-d in floating point and cast back (``np.round(149, -1)`` is 150)."""

    def _bind(self, instance: Any) -> Callable[..., Any]:
        def rounded(decimals: int = 0) -> Any:
            decimals = require_integer("round", "decimals", decimals)  # (torch's TypeError for 1.5, not 10^1.5)
            if decimals == 0:
                return instance._apply_unary(self.op, self.forward)
            # one node of round (zero gradient), computed as torch's kernel (float16 in float32, rounded back once:
            # x 10^d overflows float16 from |x| ~ 6550 with one decimal); integers as numpy's (see the helper)
            return instance._apply_unary(self.op, lambda a: sm.rounded_to_decimals(a, decimals))

        return rounded


class _Binary(_Row):
    """A row of a function of two inputs: ``x.hypot(y)``; ``reflected`` gives ``y.hypot(x)``'s dunder (``__rmod__``)."""

    def __init__(self, *args: Any, reflected: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reflected = reflected

    def mirrored(self) -> _Binary:
        """The reflected form of this row (the same op with the operands swapped), for ``__r*__`` methods."""
        twin = _Binary(self.forward, *self.rules, doc=self.__doc__ or "", reflected=True)
        twin.source = self  # its op is made when the class is: after this call
        return twin

    @overload
    def __get__(self, instance: None, owner: type) -> Callable[..., Any]: ...
    @overload
    def __get__(self, instance: Node_, owner: type) -> Callable[[Any], Node_]: ...
    def __get__(self, instance: Any, owner: type) -> Any:
        return super().__get__(instance, owner)

    def _bind(self, instance: Any) -> Callable[[Any], Any]:
        return lambda other: instance._apply_binary(other, self.op, self.forward, self.reflected)


def remainder(x: Any, y: Any) -> Any:
    """x - floor(x / y) y (numpy's mod: the sign of y), except that a zero result keeps the sign of x, as torch's
    (which adds y to C's fmod only where that is nonzero and of the other sign): remainder(-0.0, 1) is -0.0 and
    remainder(0.0, -1) is 0.0, where numpy's mod gives the sign of y."""
    result = np.mod(x, y)
    if result.dtype.kind != "f":
        return result
    return np.where(result == 0, np.fmod(x, y), result)[()]


def _tie_to_first(chosen: Any, x: Any, y: Any) -> Any:
    """``chosen`` (numpy's fmax or fmin of x and y) with x where x == y, as torch's: of the signed zeros, numpy
    returns either operand (the first on short arrays, the second on long ones), torch the first."""
    if chosen.dtype.kind != "f":
        return chosen
    return np.where(np.equal(x, y), x, chosen).astype(chosen.dtype, copy=False)[()]


def _fmax_value(x: Any, y: Any) -> Any:
    """fmax(x, y): the larger, nan only where both are; of two equal (0.0 and -0.0), x."""
    return _tie_to_first(np.fmax(x, y), x, y)


def _fmin_value(x: Any, y: Any) -> Any:
    """fmin(x, y): the smaller, nan only where both are; of two equal (0.0 and -0.0), x."""
    return _tie_to_first(np.fmin(x, y), x, y)


def _first_kept(x, y, larger):
    """Where fmax(x, y) (``larger``) or fmin(x, y) passes its gradient to x, as torch's: where x wins or ties, or
    y is nan (two nans included); y gets it everywhere else."""
    xd, yd = data_of(x), data_of(y)
    return ((xd >= yd) if larger else (xd <= yd)) | np.isnan(yd)


def _fmax_share(g, x, y, first, larger=True):
    """Gradient reaching the ``first`` (else the second) input of fmax(x, y) / fmin (``larger=False``): all of it
    where that input is chosen, a tie going to the first, as torch's (numpy's maximum splits ties; fmax does not)."""
    kept = _first_kept(x, y, larger)
    return where(kept, g, 0.0) if first else where(kept, 0.0, g)


def _quotient(x, y, rounding):
    """The rounded quotient of the raw data (a constant: the derivative of floor/trunc is zero)."""
    return rounding(np.true_divide(data_of(x), data_of(y)))


def _truncated_quotient(x, y):
    """trunc(x / y): the quotient as true division rounds it, then rounded towards zero (torch's "trunc" rounding)."""
    return np.trunc(np.true_divide(x, y))


_checked_floor_divide = _integer_checked(np.floor_divide)

#: The rounded quotients (``//``, ``div``'s "floor" and "trunc") whose Python-number divisor a float16 tensor takes
#: as a float32, the quotient computed in float32 and rounded once, as torch's half kernels take a number divisor
#: (as a float16, 0.1 is 0.09998: 9.9 // 0.1 gave 99 where torch's is 98); see Tensor's ``_binary``.
FLOAT32_DIVISOR_QUOTIENTS = frozenset({_checked_floor_divide, _truncated_quotient})


def _floor_quotient(x, y):
    """floor(x / y) as numpy's ``%`` uses it (``x % y = x - floor_divide(x, y) y``), so the derivative agrees with
    the value even where x / y rounds across an integer (5e-324 % -3 = -3: the quotient is -1, not floor(-0.0))."""
    return np.floor_divide(data_of(x), data_of(y))


def _over_squared_radius(numerator, y, x):
    """numerator / (x^2 + y^2), formed as (numerator / r) / r with r = hypot(x, y), so it neither overflows nor
    underflows where the true value is a float; 0 at the origin (as torch's atan2)."""
    radius = sm.hypot(x, y)
    origin = data_of(radius) == 0
    safe_radius = where(origin, 1.0, radius) if np.any(origin) else radius
    return where(origin, 0.0, numerator / safe_radius / safe_radius)


def _flat(g, out, x, *rest, **attrs):
    """The derivative of a step function: 0 of g's shape, also where g is infinite or nan (torch's), connected to g
    under ``create_graph`` (see :func:`~autograd.derivatives.elementwise.zeros_of`)."""
    return ew.zeros_of(g)


def _sign(x):
    """np.sign, and of booleans the booleans themselves (numpy has no bool sign; torch's keeps bool: True is 1)."""
    if getattr(x, "dtype", None) == np.bool_:
        return np.array(x, copy=True)
    return np.sign(x)


def _copysign_slope(g, out, x, y):
    """d/dx copysign(x, y) = copysign(x, y) / x, +-1 (0 at x = 0, as torch); a constant, so the Hessian is 0."""
    xd = data_of(x)
    return g * np.where(xd == 0, 0.0, np.true_divide(data_of(out), xd))


class NumpyFunctions:
    """numpy's elementwise functions and their derivatives; the node kinds supply three hooks."""

    __slots__ = ()

    # -- hooks, defined by Value and Tensor -------------------------------------------------
    def _apply_unary(self: Self, op: Op, function: Any) -> Self:
        """The node of ``op`` whose data is ``function(self.data)``."""
        raise NotImplementedError

    def _apply_binary(self: Self, other: Any, op: Op, function: Any, reflected: bool = False) -> Self:
        """The node of ``op`` applied to (self, other), or to (other, self) if ``reflected``."""
        raise NotImplementedError

    def _test(self, predicate: Any) -> Any:
        """``predicate(self.data)`` as a plain bool (Value) or a boolean Tensor outside the graph (Tensor)."""
        raise NotImplementedError

    # fmt: off
    # -- trigonometric and hyperbolic ---------------------------------------------------------
    tan = _Unary(np.tan, lambda g, out, x: g * (1 + out * out), doc="tan(x); d/dx = 1 + tan(x)^2.")
    arcsin = _Unary(np.arcsin, lambda g, out, x: g / sm.sqrt(1 - x * x),
                    doc="Inverse sine on [-1, 1]; d/dx = 1 / sqrt(1 - x^2).")
    arccos = _Unary(np.arccos, lambda g, out, x: -g / sm.sqrt(1 - x * x),
                    doc="Inverse cosine on [-1, 1]; d/dx = -1 / sqrt(1 - x^2).")
    arctan = _Unary(np.arctan, lambda g, out, x: g / (1 + x * x), doc="Inverse tangent; d/dx = 1 / (1 + x^2).")
    sinh = _Unary(np.sinh, lambda g, out, x: g * sm.cosh(x), doc="Hyperbolic sine; d/dx = cosh(x).")
    cosh = _Unary(np.cosh, lambda g, out, x: g * sm.sinh(x), doc="Hyperbolic cosine; d/dx = sinh(x).")
    arcsinh = _Unary(np.arcsinh, lambda g, out, x: g / sm.sqrt(x * x + 1),
                     doc="Inverse hyperbolic sine; d/dx = 1 / sqrt(x^2 + 1).")
    arccosh = _Unary(np.arccosh, lambda g, out, x: g / sm.sqrt(x * x - 1),
                     doc="Inverse hyperbolic cosine on [1, inf); d/dx = 1 / sqrt(x^2 - 1).")
    arctanh = _Unary(np.arctanh, lambda g, out, x: g / (1 - x * x),
                     doc="Inverse hyperbolic tangent on (-1, 1); d/dx = 1 / (1 - x^2).")
    deg2rad = _Unary(np.deg2rad, lambda g, out, x: g * (math.pi / 180), reads_values=False,
                     doc="Degrees to radians, x * pi / 180; d/dx = pi / 180.")
    rad2deg = _Unary(np.rad2deg, lambda g, out, x: g * (180 / math.pi), reads_values=False,
                     doc="Radians to degrees, x * 180 / pi; d/dx = 180 / pi.")
    arctan2 = _Binary(np.arctan2, lambda g, out, y, x: g * _over_squared_radius(x, y, x),
                      lambda g, out, y, x: -g * _over_squared_radius(y, y, x),
                      doc="Angle of the point (other, self): atan2(y=self, x=other); "
                          "d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2) (0 at the origin, as torch).")
    asin, acos, atan, asinh, acosh, atanh, atan2 = arcsin, arccos, arctan, arcsinh, arccosh, arctanh, arctan2  # torch
    hypot = _Binary(np.hypot, lambda g, out, x, y: g * x / out, lambda g, out, x, y: g * y / out,
                    doc="sqrt(x^2 + y^2) without overflow; d/dx = x / hypot, d/dy = y / hypot.")

    # -- exponentials and logarithms ------------------------------------------------------------
    log2 = _Unary(np.log2, lambda g, out, x: g / (x * _LN2), doc="Base-2 logarithm; d/dx = 1 / (x ln 2).")
    log10 = _Unary(np.log10, lambda g, out, x: g / (x * _LN10), doc="Base-10 logarithm; d/dx = 1 / (x ln 10).")
    log1p = _Unary(np.log1p, lambda g, out, x: g / (1 + x), doc="log(1 + x), exact for small x; d/dx = 1 / (1 + x).")
    expm1 = _Unary(np.expm1, lambda g, out, x: g * (out + 1), doc="e^x - 1, exact for small x; d/dx = e^x.")
    exp2 = _Unary(np.exp2, lambda g, out, x: g * out * _LN2, doc="2^x; d/dx = 2^x ln 2.")
    logaddexp = _Binary(np.logaddexp, lambda g, out, x, y: g * sm.sigmoid(x - y),
                        lambda g, out, x, y: g * sm.sigmoid(y - x),
                        doc="log(e^x + e^y) without overflow; d/dx = e^x / (e^x + e^y) = sigmoid(x - y).")
    logaddexp2 = _Binary(np.logaddexp2, lambda g, out, x, y: g * sm.sigmoid((x - y) * _LN2),
                         lambda g, out, x, y: g * sm.sigmoid((y - x) * _LN2),
                         doc="log2(2^x + 2^y) without overflow; d/dx = 2^x / (2^x + 2^y) = sigmoid((x - y) ln 2).")
    erf = _Unary(erf_function, lambda g, out, x: g * (2 / math.sqrt(math.pi)) * sm.exp(-x * x),
                 doc="Error function 2/sqrt(pi) int_0^x e^(-t^2) dt (float64 precision); "
                     "d/dx = 2/sqrt(pi) e^(-x^2).")
    erfc = _Unary(special.erfc, lambda g, out, x: g * (-2 / math.sqrt(math.pi)) * sm.exp(-x * x),
                  doc="Complementary error function 1 - erf(x), without cancellation where it is tiny (float64 "
                      "precision); d/dx = -2/sqrt(pi) e^(-x^2).")
    erfinv = _Unary(special.erfinv, lambda g, out, x: g * (math.sqrt(math.pi) / 2) * sm.exp(out * out),
                    doc="Inverse error function on [-1, 1] (+-inf at +-1; float64 precision up to +-1); "
                        "d/dx = sqrt(pi)/2 e^(erfinv(x)^2).")

    # -- gamma and Bessel functions ---------------------------------------------------------------
    lgamma = _Unary(special.lgamma, lambda g, out, x: g * special.digamma(x),
                    doc="log |Gamma(x)| (float64 precision, relative near the zeros at 1 and 2 too, as the C library's "
                        "lgamma; inf at the poles 0, -1, ...); d/dx = digamma(x).")
    digamma = _Unary(special.digamma, lambda g, out, x: g * special.polygamma(1, x),
                     doc="psi(x) = Gamma'(x) / Gamma(x) (float64 precision; NaN at -1, -2, ..., -inf at 0, as torch); "
                         "d/dx = polygamma(1, x).")
    i0 = _Unary(special.i0, lambda g, out, x: g * special.i1(x),
                doc="Modified Bessel function of the first kind of order 0; d/dx = I1(x) (itself differentiable).")

    # -- powers ---------------------------------------------------------------------------------
    square = _Unary(_square, lambda g, out, x: g * (2 * x),
                    doc="x^2 (int64 for booleans, as torch's); d/dx = 2x, taken g * (2x), torch's order.")
    cbrt = _Unary(np.cbrt, lambda g, out, x: g / (3 * out * out),
                  doc="The real cube root (negative x too); d/dx = 1 / (3 cbrt(x)^2), inf at 0.")
    reciprocal = _Unary(_true_reciprocal, lambda g, out, x: -g * out * out,
                        doc="1 / x (floating for integer x, as torch's); d/dx = -1 / x^2.")

    # -- comparisons that choose an input ---------------------------------------------------------
    fmax = _Binary(_fmax_value, lambda g, out, x, y: _fmax_share(g, x, y, True),
                   lambda g, out, x, y: _fmax_share(g, x, y, False),
                   doc="Elementwise maximum that ignores nan; the gradient goes to the chosen input, a tie's to the "
                       "first (torch's).")
    fmin = _Binary(_fmin_value, lambda g, out, x, y: _fmax_share(g, x, y, True, larger=False),
                   lambda g, out, x, y: _fmax_share(g, x, y, False, larger=False),
                   doc="Elementwise minimum that ignores nan; the gradient goes to the chosen input, a tie's to the "
                       "first (torch's).")

    # -- remainders -------------------------------------------------------------------------------
    mod = _Binary(_integer_checked(remainder), lambda g, out, x, y: g, lambda g, out, x, y: -g * _floor_quotient(x, y),
                  doc="x - floor(x / y) y, the sign of y (Python's %), a zero the sign of x (torch's); "
                      "d/dx = 1, d/dy = -floor(x / y).")
    __mod__ = mod
    __rmod__ = mod.mirrored()
    fmod = _Binary(_integer_checked(np.fmod), lambda g, out, x, y: g, lambda g, out, x, y: -g * _quotient(x, y, np.trunc),
                   doc="x - trunc(x / y) y, the sign of x (C's fmod); d/dx = 1, d/dy = -trunc(x / y).")

    copysign = _Binary(np.copysign, _copysign_slope, _flat,
                       doc="|x| with the sign of y; d/dx = +-1 (the sign flip, 0 at x = 0), d/dy = 0.")
    floor_divide = _Binary(_checked_floor_divide, _flat, _flat, reads_values=False,
                           doc="floor(x / y) (Python's and torch's //); zero gradient, a step function of both.")
    __floordiv__ = floor_divide
    __rfloordiv__ = floor_divide.mirrored()
    # div(x, y, rounding_mode="trunc") of floats: private, as torch has no method of this name
    _trunc_divide = _Binary(_truncated_quotient, _flat, _flat, reads_values=False, op_name="trunc_divide",
                            doc="trunc(x / y), the rounded quotient rounded towards zero; zero gradient.")

    # -- rounding and sign: flat, so their gradient is zero -----------------------------------------
    floor = _Unary(np.floor, _flat, reads_values=False, doc="Largest integer <= x (as a float); zero gradient.")
    ceil = _Unary(np.ceil, _flat, reads_values=False, doc="Smallest integer >= x (as a float); zero gradient.")
    round = _Rounding(np.round, _flat, reads_values=False,
                      doc="Nearest integer, halves to even (numpy's round), or to ``decimals`` places; zero gradient.")
    trunc = _Unary(np.trunc, _flat, reads_values=False, doc="x rounded towards zero; zero gradient.")
    sign = _Unary(_sign, _flat, reads_values=False, doc="-1, 0 or 1 (nan for nan); zero gradient.")
    # fmt: on

    def polygamma(self: Self, n: int) -> Self:
        """psi^(n)(x), the n-th derivative of digamma (torch.Tensor.polygamma(n): n = 0 is digamma, 1 trigamma);
        (-1)^(n+1) inf at the poles 0, -1, ...; d/dx = polygamma(n + 1, x)."""
        require_integer("polygamma", "n", n)
        if n < 0:
            raise ArgumentRangeError(f"polygamma: n must be non-negative, got {n}")
        if n == 0:
            return self.digamma()
        # an integer or boolean tensor in the default floating dtype, as digamma's (torch's)
        return sm.record(ew.polygamma, lambda x, n: special.polygamma(n, x), sm.floating(self), n=int(n))

    # -- tests (plain booleans, no gradient) ----------------------------------------------------------
    def isnan(self) -> Any:
        """True where x is nan (a bool for a Value, a boolean Tensor for a Tensor)."""
        return self._test(np.isnan)

    def isinf(self) -> Any:
        """True where x is +inf or -inf."""
        return self._test(np.isinf)

    def isfinite(self) -> Any:
        """True where x is neither inf nor nan."""
        return self._test(np.isfinite)
