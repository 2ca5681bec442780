"""Derivative table of the n-ary primitives that only ``Value`` has.

A neuron's pre-activation ``w1*x1 + ... + wn*xn + b`` is one ``linear`` node
instead of 2n nodes: d out/d w_i = x_i, d out/d x_i = w_i, d out/d b = 1.
``sum_values`` adds any number of Values: every input receives ``g``.
"""

from __future__ import annotations

from ..core import Op


def _linear_rule(index, g, out, *inputs):
    # inputs are (w1..wn, x1..xn, b)
    n = (len(inputs) - 1) // 2
    if index < n:
        return g * inputs[n + index]
    if index < 2 * n:
        return g * inputs[index - n]
    return g


linear = Op("linear", _linear_rule, variadic=True)
sum_values = Op("sum_values", lambda index, g, out, *inputs: g, variadic=True, reads_values=False)
