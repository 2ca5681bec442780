"""Derivative tables: one rule per primitive, grouped by family.

Importing this package registers every primitive in :data:`autograd.core.OPS`.
"""

from . import arrays, conv, elementwise, scalar

__all__ = ["arrays", "conv", "elementwise", "scalar"]
