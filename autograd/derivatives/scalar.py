"""Derivative table of the n-ary primitives that only ``Value`` has.

A neuron's pre-activation ``w1*x1 + ... + wn*xn + b`` is one ``linear`` node
instead of 2n nodes: d out/d w_i = x_i, d out/d x_i = w_i, d out/d b = 1.
A ReLU neuron ``relu(w . x + b)`` is one ``linear_relu`` node: the same derivatives times
relu'(z) = [out != 0] (0 where the neuron is off; nan passes, as relu's own rule).
``sum_values`` adds any number of Values: every input receives ``g``; ``largest`` and ``smallest`` are torch's max and
min of one number (``v.max()``, ``v.min()``), the number itself: it receives ``g``, as ``sum_values`` of one input.

Each op gives its derivative twice, side by side: the joint rule (a list of contributions,
for every kind of pass, ``create_graph`` included) and its ``accumulate`` form for the
ordinary pass, which adds the same contributions straight into backward's pending
gradients (a layer's backward is mostly these nodes, each with dozens of parents).

Where every contribution of a node is a zero (a ReLU neuron that is off, output 0, or a gradient of
+0.0 reaching a node whose output is finite), its accumulate form returns the node's parents instead of adding anything, and
backward gives each of them a zero gradient, +0.0, unless another child gives it one (see
:class:`~autograd.op.Op`). The values are exact: z = w . x + b finite means every w_i, x_i and b is
finite (an inf or nan among them makes z inf or nan), so 0 * w_i and 0 * x_i are zeros. Only a zero's
sign may differ from the sum of products: a Value that receives nothing but zeros retains +0.0 where a
negative factor would have made the products -0.0 (a leaf's accumulated .grad, 0.0 + -0.0, is +0.0
either way). A neuron whose pre-activation was -inf records ``linear_relu_saturated``, which computes
its contributions (0 * inf is nan); a gradient of -0.0 goes through the products as well.
"""

from __future__ import annotations

from math import copysign

from ..op import Op
from .elementwise import relu_rule


def _linear_rule(g, out, *inputs):
    # inputs are (w1..wn, x1..xn, b): one call gives every input's contribution
    n = (len(inputs) - 1) // 2
    weights, xs = inputs[:n], inputs[n : 2 * n]
    return [g * x for x in xs] + [g * w for w in weights] + [g]


# The accumulate forms start a parent's sum at -0.0, the exact identity of IEEE addition
# (-0.0 + c is c for every float c, -0.0 and nan included), so a first contribution is
# stored as it is, with no test for "nothing pending yet".


def _linear_accumulate(pending, g, parents, out=None, owned=False, attrs=None):
    # pending[w_i] += g x_i, pending[x_i] += g w_i, pending[b] += g (only for parents that require grad)
    if g == 0 and out - out == 0 and copysign(1.0, g) > 0:  # +0.0 through a finite z: zeros (inf - inf is nan)
        return parents
    _add_linear_contributions(pending, g, parents)
    return None


def _add_linear_contributions(pending, g, parents):
    get = pending.get
    n = (len(parents) - 1) // 2
    for w, x in zip(parents[:n], parents[n : 2 * n]):
        if w._requires_grad:
            pending[w] = get(w, -0.0) + g * x._data
        if x._requires_grad:
            pending[x] = get(x, -0.0) + g * w._data
    bias = parents[-1]
    if bias._requires_grad:
        pending[bias] = get(bias, -0.0) + g


def _sum_rule(g, out, *inputs):
    return [g] * len(inputs)


def _sum_accumulate(pending, g, parents, out=None, owned=False, attrs=None):
    # pending[x] += g for every input x that requires grad
    get = pending.get
    for x in parents:
        if x._requires_grad:
            pending[x] = get(x, -0.0) + g


def _linear_relu_rule(g, out, *inputs):
    # relu(z), z = w . x + b: the linear rule with dL/dz = g where the neuron is on (relu's own rule on out)
    return _linear_rule(relu_rule(g, out, None), out, *inputs)


def _linear_relu_accumulate(pending, g, parents, out, owned=False, attrs=None):
    # an off neuron (out = 0, its z finite: -inf records linear_relu_saturated) passes zeros, as +0.0 through a finite
    # z does: its parents are returned
    if out == 0 or (g == 0 and out - out == 0 and copysign(1.0, g) > 0):
        return parents
    _add_linear_contributions(pending, g, parents)
    return None


def _saturated_relu_accumulate(pending, g, parents, out, owned=False, attrs=None):
    # z = -inf: relu' = 0, and 0 times the infinite inputs is nan, as the joint rule gives
    _add_linear_contributions(pending, 0.0, parents)


linear = Op("linear", _linear_rule, joint=True, accumulate=_linear_accumulate)
linear_relu = Op("linear_relu", _linear_relu_rule, joint=True, accumulate=_linear_relu_accumulate)
linear_relu_saturated = Op("linear_relu", _linear_relu_rule, joint=True, accumulate=_saturated_relu_accumulate)
sum_values = Op("sum_values", _sum_rule, joint=True, reads_values=False, accumulate=_sum_accumulate)
largest = Op("max", _sum_rule, joint=True, reads_values=False, accumulate=_sum_accumulate)
smallest = Op("min", _sum_rule, joint=True, reads_values=False, accumulate=_sum_accumulate)
