"""Derivative tables: one rule per primitive, grouped by family.

Each module is a table of ``Op`` rows, one per primitive, named after the op:
``elementwise`` (shared by Value and Tensor), ``arrays`` (matmul, reductions,
shape and indexing), ``scalar`` (Value's n-ary nodes) and ``conv`` (sliding
windows). Import the module you need; this package imports none of them.
"""
