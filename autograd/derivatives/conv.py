"""Derivative table of the sliding-window primitives: ``unfold`` and its adjoint ``fold``,
``gather_planes`` (max pooling) and its adjoint ``scatter_planes``.

``unfold`` takes an NCHW batch to the windows a kernel sees,
``(N, C, H_out, W_out, kh, kw)``; ``fold`` adds such windows back into an
``(N, C, H, W)`` image (overlapping windows accumulate). Both are linear and each
is the other's adjoint, so each rule is a single call of the other primitive;
under ``create_graph=True`` a rule records the other primitive as a node of the
gradient's own kind, so derivatives of every order come for free. The window of
``unfold`` may read padding (of any constant ``pad_value``, e.g. -inf for max
pooling); padding is not an input, so no gradient flows there.
"""

from __future__ import annotations

from ..core import Node, Op
from ..windows import fold_array, gather_planes, scatter_planes, unfold_array


def _unfold_rule(g, out, x, kernel_size, stride, padding, dilation, pad_value):
    geometry = {"kernel_size": kernel_size, "stride": stride, "padding": padding, "dilation": dilation}
    output_size = tuple(x.shape[2:])
    data = fold_array(g.data if isinstance(g, Node) else g, output_size, **geometry)
    if not isinstance(g, Node):
        return data
    return type(g)._from_op(data, fold, (g,), {**geometry, "output_size": output_size})


def _fold_rule(g, out, windows, output_size, kernel_size, stride, padding, dilation):
    geometry = {"kernel_size": kernel_size, "stride": stride, "padding": padding, "dilation": dilation}
    data = unfold_array(g.data if isinstance(g, Node) else g, **geometry)
    if not isinstance(g, Node):
        return data
    return type(g)._from_op(data, unfold, (g,), {**geometry, "pad_value": 0.0})


# Max pooling as two linear primitives on fixed positions (each the other's adjoint): the
# forward pass finds where each window's maximum is; the output is ``gather`` of the input
# at those positions, so its gradient is ``scatter`` of g there (nothing is sent to ties).
def _gather_rule(g, out, x, positions, unique):
    attrs = {"positions": positions, "shape": tuple(x.shape), "unique": unique}
    data = scatter_planes(g.data if isinstance(g, Node) else g, **attrs)
    return type(g)._from_op(data, scatter, (g,), attrs) if isinstance(g, Node) else data


def _scatter_rule(g, out, values, positions, shape, unique):
    data = gather_planes(g.data if isinstance(g, Node) else g, positions)
    return (
        type(g)._from_op(data, gather, (g,), {"positions": positions, "unique": unique})
        if isinstance(g, Node)
        else data
    )


# fmt: off
unfold = Op("unfold", _unfold_rule, reads_values=False)   # d/dx unfold(x)^T g = fold(g)
fold = Op("fold", _fold_rule, reads_values=False)         # d/dw fold(w)^T g = unfold(g)
gather = Op("gather_planes", _gather_rule, reads_values=False)      # d/dx gather(x)^T g = scatter(g)
scatter = Op("scatter_planes", _scatter_rule, reads_values=False)   # d/dv scatter(v)^T g = gather(g)
# fmt: on
