"""Derivative tables: one rule per primitive, grouped by family.

Each module is a table of ``Op`` rows, one per primitive, named after the op.
"""

from . import arrays, conv, elementwise, scalar

__all__ = ["arrays", "conv", "elementwise", "scalar"]
