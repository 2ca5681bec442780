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

from .. import shared_math as sm
from ..core import Op
from ..windows import fold_array, gather_planes, scatter_planes, unfold_array


def _unfold_rule(g, out, x, kernel_size, stride, padding, dilation, pad_value):
    geometry = {"kernel_size": kernel_size, "stride": stride, "padding": padding, "dilation": dilation}
    return sm.apply_linear(fold, fold_array, g, output_size=tuple(x.shape[2:]), **geometry)


def _fold_rule(g, out, windows, output_size, kernel_size, stride, padding, dilation):
    geometry = {"kernel_size": kernel_size, "stride": stride, "padding": padding, "dilation": dilation}
    return sm.apply_linear(unfold, unfold_array, g, pad_value=0.0, **geometry)


def _gather_rule(g, out, x, positions, unique):
    return sm.apply_linear(scatter, scatter_planes, g, positions=positions, shape=tuple(x.shape), unique=unique)


def _scatter_rule(g, out, values, positions, shape, unique):
    return sm.apply_linear(gather, _gather_planes, g, positions=positions, unique=unique)


def _gather_planes(values, positions, unique):
    return gather_planes(values, positions)


# fmt: off
unfold = Op("unfold", _unfold_rule, reads_values=False)   # d/dx unfold(x)^T g = fold(g)
fold = Op("fold", _fold_rule, reads_values=False)         # d/dw fold(w)^T g = unfold(g)
gather = Op("gather_planes", _gather_rule, reads_values=False)      # d/dx gather(x)^T g = scatter(g)
scatter = Op("scatter_planes", _scatter_rule, reads_values=False)   # d/dv scatter(v)^T g = gather(g)
# fmt: on
