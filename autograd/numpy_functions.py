"""numpy's elementwise functions as methods shared by ``Value`` and ``Tensor``.

Each method is one line: the numpy function that computes the forward value and the
row of :mod:`autograd.derivatives.elementwise` that differentiates it. Adding an
elementwise op is that rule row, one method here and one row of the test table
(tests/op_table.py). ``Value`` evaluates numpy on float64 scalars (IEEE results:
arcsin(2) is nan, log2(0) is -inf, silently); ``Tensor`` evaluates it on its array.

Subgradients at the non-smooth points: floor, ceil, round, trunc and sign are flat
(zero gradient everywhere, as PyTorch); ``x % y`` (``mod``) and ``fmod`` pass the
gradient 1 to x and -floor(x / y) (-trunc(x / y)) to y, also across their jumps (as
``torch.remainder``/``torch.fmod``); ``fmax``/``fmin`` give it to the larger
(smaller) input, or to the one that is not nan, and split it evenly between tied
inputs (as ``maximum``; ``torch.fmax`` gives a tie to its first input instead).
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np

from .core import Op
from .derivatives import elementwise as ew
from .special import erf as erf_function

__all__ = ["NumpyFunctions"]

Self = TypeVar("Self", bound="NumpyFunctions")


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
        """``predicate(self.data)`` as a plain bool (Value) or boolean array (Tensor): no gradient."""
        raise NotImplementedError

    # -- trigonometric and hyperbolic ---------------------------------------------------------
    def tan(self: Self) -> Self:
        """tan(x); d/dx = 1 + tan(x)^2."""
        return self._apply_unary(ew.tan, np.tan)

    def arcsin(self: Self) -> Self:
        """Inverse sine on [-1, 1]; d/dx = 1 / sqrt(1 - x^2)."""
        return self._apply_unary(ew.arcsin, np.arcsin)

    def arccos(self: Self) -> Self:
        """Inverse cosine on [-1, 1]; d/dx = -1 / sqrt(1 - x^2)."""
        return self._apply_unary(ew.arccos, np.arccos)

    def arctan(self: Self) -> Self:
        """Inverse tangent; d/dx = 1 / (1 + x^2)."""
        return self._apply_unary(ew.arctan, np.arctan)

    def sinh(self: Self) -> Self:
        """Hyperbolic sine; d/dx = cosh(x)."""
        return self._apply_unary(ew.sinh, np.sinh)

    def cosh(self: Self) -> Self:
        """Hyperbolic cosine; d/dx = sinh(x)."""
        return self._apply_unary(ew.cosh, np.cosh)

    def arcsinh(self: Self) -> Self:
        """Inverse hyperbolic sine; d/dx = 1 / sqrt(x^2 + 1)."""
        return self._apply_unary(ew.arcsinh, np.arcsinh)

    def arccosh(self: Self) -> Self:
        """Inverse hyperbolic cosine on [1, inf); d/dx = 1 / sqrt(x^2 - 1)."""
        return self._apply_unary(ew.arccosh, np.arccosh)

    def arctanh(self: Self) -> Self:
        """Inverse hyperbolic tangent on (-1, 1); d/dx = 1 / (1 - x^2)."""
        return self._apply_unary(ew.arctanh, np.arctanh)

    def deg2rad(self: Self) -> Self:
        """Degrees to radians, x * pi / 180; d/dx = pi / 180."""
        return self._apply_unary(ew.deg2rad, np.deg2rad)

    def rad2deg(self: Self) -> Self:
        """Radians to degrees, x * 180 / pi; d/dx = 180 / pi."""
        return self._apply_unary(ew.rad2deg, np.rad2deg)

    def arctan2(self: Self, other: Any) -> Self:
        """Angle of the point (other, self): atan2(y=self, x=other); d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2)."""
        return self._apply_binary(other, ew.arctan2, np.arctan2)

    def hypot(self: Self, other: Any) -> Self:
        """sqrt(x^2 + y^2) without overflow; d/dx = x / hypot, d/dy = y / hypot."""
        return self._apply_binary(other, ew.hypot, np.hypot)

    # -- exponentials and logarithms ------------------------------------------------------------
    def log2(self: Self) -> Self:
        """Base-2 logarithm; d/dx = 1 / (x ln 2)."""
        return self._apply_unary(ew.log2, np.log2)

    def log10(self: Self) -> Self:
        """Base-10 logarithm; d/dx = 1 / (x ln 10)."""
        return self._apply_unary(ew.log10, np.log10)

    def log1p(self: Self) -> Self:
        """log(1 + x), exact for small x; d/dx = 1 / (1 + x)."""
        return self._apply_unary(ew.log1p, np.log1p)

    def expm1(self: Self) -> Self:
        """e^x - 1, exact for small x; d/dx = e^x."""
        return self._apply_unary(ew.expm1, np.expm1)

    def exp2(self: Self) -> Self:
        """2^x; d/dx = 2^x ln 2."""
        return self._apply_unary(ew.exp2, np.exp2)

    def logaddexp(self: Self, other: Any) -> Self:
        """log(e^x + e^y) without overflow; d/dx = e^x / (e^x + e^y)."""
        return self._apply_binary(other, ew.logaddexp, np.logaddexp)

    def logaddexp2(self: Self, other: Any) -> Self:
        """log2(2^x + 2^y) without overflow; d/dx = 2^x / (2^x + 2^y)."""
        return self._apply_binary(other, ew.logaddexp2, np.logaddexp2)

    def erf(self: Self) -> Self:
        """Error function 2/sqrt(pi) int_0^x e^(-t^2) dt (float64 precision); d/dx = 2/sqrt(pi) e^(-x^2)."""
        return self._apply_unary(ew.erf, erf_function)

    # -- powers ---------------------------------------------------------------------------------
    def square(self: Self) -> Self:
        """x^2; d/dx = 2x."""
        return self._apply_unary(ew.square, np.square)

    def reciprocal(self: Self) -> Self:
        """1 / x; d/dx = -1 / x^2."""
        return self._apply_unary(ew.reciprocal, np.reciprocal)

    # -- comparisons that choose an input ---------------------------------------------------------
    def fmax(self: Self, other: Any) -> Self:
        """Elementwise maximum that ignores nan; the gradient goes to the chosen input, ties split it evenly."""
        return self._apply_binary(other, ew.fmax, np.fmax)

    def fmin(self: Self, other: Any) -> Self:
        """Elementwise minimum that ignores nan; the gradient goes to the chosen input, ties split it evenly."""
        return self._apply_binary(other, ew.fmin, np.fmin)

    # -- remainders -------------------------------------------------------------------------------
    def mod(self: Self, other: Any) -> Self:
        """x - floor(x / y) y, the sign of y (Python's %); d/dx = 1, d/dy = -floor(x / y)."""
        return self._apply_binary(other, ew.mod, np.mod)

    def __mod__(self: Self, other: Any) -> Self:
        return self._apply_binary(other, ew.mod, np.mod)

    def __rmod__(self: Self, other: Any) -> Self:
        return self._apply_binary(other, ew.mod, np.mod, reflected=True)

    def fmod(self: Self, other: Any) -> Self:
        """x - trunc(x / y) y, the sign of x (C's fmod); d/dx = 1, d/dy = -trunc(x / y)."""
        return self._apply_binary(other, ew.fmod, np.fmod)

    # -- rounding and sign: flat, so their gradient is zero -----------------------------------------
    def floor(self: Self) -> Self:
        """Largest integer <= x (as a float); zero gradient."""
        return self._apply_unary(ew.floor, np.floor)

    def ceil(self: Self) -> Self:
        """Smallest integer >= x (as a float); zero gradient."""
        return self._apply_unary(ew.ceil, np.ceil)

    def round(self: Self) -> Self:
        """Nearest integer, halves to even (numpy's round); zero gradient."""
        return self._apply_unary(ew.round_, np.round)

    def trunc(self: Self) -> Self:
        """x rounded towards zero; zero gradient."""
        return self._apply_unary(ew.trunc, np.trunc)

    def sign(self: Self) -> Self:
        """-1, 0 or 1 (nan for nan); zero gradient."""
        return self._apply_unary(ew.sign, np.sign)

    # -- tests (plain booleans, no gradient) ----------------------------------------------------------
    def isnan(self) -> Any:
        """True where x is nan (a bool for a Value, a boolean array for a Tensor)."""
        return self._test(np.isnan)

    def isinf(self) -> Any:
        """True where x is +inf or -inf."""
        return self._test(np.isinf)

    def isfinite(self) -> Any:
        """True where x is neither inf nor nan."""
        return self._test(np.isfinite)
