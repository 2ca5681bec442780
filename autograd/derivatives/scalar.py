"""Derivative table of the n-ary primitives that only ``Value`` has.

A neuron's pre-activation ``w1*x1 + ... + wn*xn + b`` is one ``linear`` node
instead of 2n nodes: d out/d w_i = x_i, d out/d x_i = w_i, d out/d b = 1.
``sum_values`` adds any number of Values: every input receives ``g``.
"""

from __future__ import annotations

from ..op import Op


def _linear_rule(g, out, *inputs):
    # inputs are (w1..wn, x1..xn, b): one call gives every input's contribution
    n = (len(inputs) - 1) // 2
    weights, xs = inputs[:n], inputs[n : 2 * n]
    return [g * x for x in xs] + [g * w for w in weights] + [g]


def _sum_rule(g, out, *inputs):
    return [g] * len(inputs)


linear = Op("linear", _linear_rule, joint=True)
sum_values = Op("sum_values", _sum_rule, joint=True, reads_values=False)
