"""Derivative table of the sliding-window primitives: ``unfold`` and its adjoint ``fold``.

``unfold`` takes an NCHW batch to the windows a kernel sees,
``(N, C, H_out, W_out, kh, kw)``; ``fold`` adds such windows back into an
``(N, C, H, W)`` image (overlapping windows accumulate). Both are linear and each
is the other's adjoint, so each rule is a single call of the other primitive;
under ``create_graph=True`` the rules run the Tensor-level primitives of
:mod:`autograd.conv`, so derivatives of every order come for free. The window of
``unfold`` may read padding (of any constant ``pad_value``, e.g. -inf for max
pooling); padding is not an input, so no gradient flows there.
"""

from __future__ import annotations

from ..core import Node, Op


def _unfold_rule(g, out, x, kernel_size, stride, padding, dilation, pad_value):
    from .. import conv  # the Tensor-level primitives import this table, so import them late

    fold = conv.fold if isinstance(g, Node) else conv.fold_array
    return fold(g, x.shape[2:], kernel_size, stride, padding, dilation)


def _fold_rule(g, out, windows, output_size, kernel_size, stride, padding, dilation):
    from .. import conv

    unfold = conv.unfold if isinstance(g, Node) else conv.unfold_array
    return unfold(g, kernel_size, stride, padding, dilation)


# fmt: off
unfold = Op("unfold", _unfold_rule, reads_values=False)   # d/dx unfold(x)^T g = fold(g)
fold = Op("fold", _fold_rule, reads_values=False)         # d/dw fold(w)^T g = unfold(g)
# fmt: on
