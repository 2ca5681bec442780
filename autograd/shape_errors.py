"""The error of an operand whose shape an op cannot use."""

from __future__ import annotations

__all__ = ["ArgumentRangeError", "ShapeError"]


class ShapeError(ValueError, RuntimeError):
    """Shapes an op cannot use (operands that do not broadcast, a matmul whose inner sizes differ, a reshape to
    another number of elements, ``item()`` of several elements): a ValueError, as the library has always raised
    them, and a RuntimeError, as torch raises them, so ``except`` clauses written for either catch it."""


class ArgumentRangeError(ValueError, RuntimeError):
    """A number outside the range an op accepts (a loss's beta or delta, label smoothing, probabilities, topk's k,
    a convolution's or pooling's stride, padding, dilation or kernel size), or a bound missing where one is needed,
    where torch raises a RuntimeError: a ValueError too, the library's class for bad arguments."""
