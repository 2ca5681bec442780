"""Derivative table of the Tensor-only primitives: matmul, reductions, shape, indexing.

Rules follow :mod:`autograd.derivatives.elementwise`: ``rule(g, out, *inputs,
**attrs)`` returns the gradient for one input, using operations that exist on
both ndarrays and Tensors. Reductions store normalized ``axes`` (a sorted
tuple) and ``keepdims``. A gradient whose shape is broadcast larger than its
input is reduced by :func:`autograd.broadcasting.unbroadcast` in the backward
loop, so ``broadcast_to``'s rule is the identity.

Ties: ``max``/``min`` reductions split the gradient evenly among all maximal
(minimal) entries, as ``torch.amax`` does; when the result is NaN, the NaN entries
are the extremes and share the gradient (as ``torch.max``), without warnings.
"""

from __future__ import annotations

import math

import numpy as np

from .. import shared_math as sm
from ..accumulation import rule_in_float32
from ..backprop import references
from ..broadcasting import reduced_shape
from ..core import Node
from ..grad_mode import is_grad_enabled
from ..op import Op, add_contributions
from ..quiet import quiet
from ..read_padding import folded_array, padded_array
from ..shared_math import ONES_ROWS, axis_sums, data_of, exp, ones_vector
from .elementwise import kept_in_place, relu_rule


def _spread(g, x_shape, axes, keepdims):
    """Broadcast a reduction's gradient back over the reduced axes (a full-shape array)."""
    if not keepdims and g.ndim:  # a 0-d gradient (a full reduction) broadcasts as it is
        g = g.reshape(reduced_shape(x_shape, axes))
    return sm.expand(g, x_shape)


def _count(shape, axes):
    return math.prod(shape[a] for a in axes)


def _mean_rule(g, out, x, axes, keepdims):
    # d/dx_i = 1/n; an empty slice (n = 0) has no entry to receive it
    return _spread(g / max(_count(x.shape, axes), 1), x.shape, axes, keepdims)


def _variance_rule(g, out, x, axes, ddof, keepdims):
    # d/dx_i sum_j (x_j - m)^2 / (n - ddof) = 2 (x_i - m) / (n - ddof): the -1/n of m's own derivative meets
    # sum_j (x_j - m) = 0 exactly, so it is left out (torch's rule). Under create_graph x - m is recorded, so the
    # second derivative keeps it: 2 (delta_ij - 1/n) / (n - ddof). No degrees of freedom left: a divisor of 0, inf.
    # An empty x has no entry to receive a gradient (and no mean to take: numpy would warn "Mean of empty slice").
    if x.size == 0:
        return x * 0
    divisor = max(_count(x.shape, axes) - ddof, 0)
    scale = 2.0 / divisor if divisor else math.inf
    return _spread(g, x.shape, axes, keepdims) * ((x - x.mean(axis=axes, keepdims=True)) * scale)


def _extreme_rule(g, out, x, axes, keepdims):
    # The entries equal to the result share g evenly; a NaN result is the NaN entries' (as torch.max).
    xd = data_of(x)
    extreme = data_of(out).reshape(reduced_shape(xd.shape, axes))
    is_extreme = (xd == extreme) | (np.isnan(xd) & np.isnan(extreme))
    share = np.divide(is_extreme, is_extreme.sum(axis=axes, keepdims=True), dtype=xd.dtype)
    return _spread(g, xd.shape, axes, keepdims) * share


def _product_of_others(x, axes):
    """For every element x_i, the product of the other elements of its reduced slice (exact at zeros)."""
    if x.size == 0:
        return x * 0
    kept = tuple(a for a in range(x.ndim) if a not in axes)
    order = kept + tuple(axes)
    lead = tuple(x.shape[a] for a in kept)
    rows = x.transpose(order).reshape(lead + (_count(x.shape, axes),))
    others = sm.products_of_others(rows)
    return others.reshape(tuple(x.shape[a] for a in order)).transpose(tuple(np.argsort(order)))


def _logsumexp_rule(g, out, x, axes, keepdims):
    # d/dx_i log sum_j e^x_j = e^x_i / sum_j e^x_j: the softmax. A slice holding +inf (logsumexp +inf) has a nan
    # softmax; there the gradient is torch's e^(x_i - logsumexp): nan at the +inf, 0 at the finite entries.
    kept = reduced_shape(x.shape, axes)
    probabilities = sm.softmax(x, axes)
    if np.isposinf(sm.data_of(out)).any():
        total = out.reshape(kept)
        probabilities = sm.where(total == np.inf, exp(x - total), probabilities)
    return g.reshape(kept) * probabilities


def _in_place_operands(g, out):
    """Whether g and out are float32/float64 arrays of one dtype and shape: a rule may then build its result in
    one new array with ufuncs' out= (not so for nodes, under create_graph, nor for mixed dtypes)."""
    return (
        type(g) is np.ndarray
        and type(out) is np.ndarray
        and g.dtype == out.dtype
        and g.dtype.char in "fd"
        and g.shape == out.shape
        and g.ndim
    )


#: numpy 2's np.vecdot (a dot product per slice, no product array); numpy 1.x takes axis_sums of the products
_VECDOT = getattr(np, "vecdot", None)


def _softmax_rule(g, out, x, axes):
    # d/dx_i = s_i (g_i - sum_j g_j s_j), s the forward's output. For arrays: the sums as one dot product per
    # slice (np.vecdot along one axis, no product array; axis_sums of the products along several), then the
    # difference and the product in one array.
    if not _in_place_operands(g, out):
        return out * (g - (g * out).sum(axis=axes, keepdims=True))
    if len(axes) == 1 and _VECDOT is not None:
        sums = np.expand_dims(_VECDOT(g, out, axis=axes[0]), axes)
    else:
        sums = axis_sums(np.multiply(g, out), axes)
    gradient = np.subtract(g, sums)
    gradient *= out
    return gradient


def _log_softmax_rule(g, out, x, axes):
    # d/dx_i = g_i - e^(y_i) sum_j g_j, y the forward's output (e^y the softmax). For arrays: e^y, its product
    # with the sums and the difference in one array, the sums as BLAS products where axis_sums makes them.
    if not _in_place_operands(g, out):
        return g - exp(out) * g.sum(axis=axes, keepdims=True)
    gradient = np.exp(out)
    gradient *= axis_sums(g, axes)
    return np.subtract(g, gradient, out=gradient)


# Each rule reads its own input's shape only through g's (g has the shape of the product), never the input itself:
# backward checks the versions of the inputs a rule reads, and torch's matmul keeps only the other operand for a
# gradient, so changing an input whose own gradient alone is wanted is not an error (a 1-D a gives a g of one
# axis fewer than b's; a 1-D b one axis fewer than a's).
def _matmul_rule_a(g, out, a, b):
    if b.ndim == 1:  # (..., n) @ (n,) -> (...)
        return g[..., None] * b
    if g.ndim == b.ndim - 1:  # a is 1-D: (n,) @ (..., n, m) -> (..., m)
        return (b @ g[..., None])[..., 0]
    return g @ b.swapaxes(-1, -2)


def _matmul_rule_b(g, out, a, b):
    if a.ndim == 1:
        if g.ndim == 0:  # b is 1-D too: (n,) @ (n,) -> ()
            return g * a
        return a[:, None] * g[..., None, :]  # (n,) @ (..., n, m)
    if g.ndim == a.ndim - 1:  # b is 1-D: (..., n) @ (n,) -> (...); g^T a over every row of every matrix at once,
        return g.reshape(-1) @ a.reshape(g.size, a.shape[-1])  # one product (a float16 one adds up in float32 and
        # rounds once, as torch's, where a product per entry, or per matrix, then summed rounds twice)
    return a.swapaxes(-1, -2) @ g


def _rows(array, width):
    """``array`` as a matrix of rows of ``width`` (all leading axes merged)."""
    # the row count spelled out: -1 is ambiguous when width is 0 (an empty row, as torch allows)
    return array if array.ndim == 2 else array.reshape(math.prod(array.shape[:-1]), width)


def _column_sums(rows):
    """rows.sum(axis=0); for an array of at most ONES_ROWS rows as ones @ rows, one BLAS call."""
    if type(rows) is np.ndarray and rows.shape[0] <= ONES_ROWS and rows.dtype.kind == "f":
        return ones_vector(rows.shape[0], rows.dtype) @ rows
    return rows.sum(axis=0)


# linear(x, W, b) = x @ W^T + b over the last axis of x (nn.Linear's layout: W is (out, in)):
# d/dx = g @ W, d/dW = g^T x (leading axes summed), d/db = sum of g over the leading axes.
def _linear_rule_x(g, out, x, weight, bias=None):
    return g @ weight


def _linear_rule_weight(g, out, x, weight, bias=None):
    # the shapes come from g and x, not weight: a rule that loads an input is taken to read its values (see matmul)
    return _rows(g, g.shape[-1]).T @ _rows(x, x.shape[-1])


def _linear_rule_bias(g, out, x, weight, bias):
    return _column_sums(_rows(g, g.shape[-1]))


# linear_relu(x, W, b) = relu(x @ W^T + b), a Linear layer and its ReLU as one node: linear's rules with
# dL/dz = g where the output is not 0 (relu's own rule, read from the output as relu's is).
def _linear_relu_rule(g, out, x, weight, bias=None):
    g = relu_rule(g, out, None)
    contributions = [_linear_rule_x(g, out, x, weight), _linear_rule_weight(g, out, x, weight)]
    return contributions if bias is None else [*contributions, _linear_rule_bias(g, out, x, weight, bias)]


def _linear_relu_accumulate(pending, g, parents, out, owned, attrs=None):
    # the ordinary pass: the same contributions, each computed only for a parent that requires grad; a g that
    # nothing else holds takes relu's zeros in place (no second array of the output's size during the products)
    g = kept_in_place(g, out != 0) if owned else relu_rule(g, out, None)
    x, weight = parents[0]._data, parents[1]._data
    for parent, rule in zip(parents, _LINEAR_RULES):
        if parent._requires_grad:
            contribution = parent._match_gradient(rule(g, out, x, weight, None), False)
            previous = pending.get(parent)
            pending[parent] = contribution if previous is None else previous + contribution


_LINEAR_RULES = (_linear_rule_x, _linear_rule_weight, _linear_rule_bias)


def _linear_relu_saved(node):
    # what backward reads: x for W's gradient, W for x's, and the output (the ReLU's mask), as torch saves them
    x, weight = node.parents[:2]
    return tuple(position for position, reader in ((0, weight), (1, x)) if reader._requires_grad), True


# getitem(x, index) = x[index]: d/dx scatters g back to the picked positions, into zeros of x's shape (repeats add)
def _getitem_rule(g, out, x, index):
    return sm.scatter_add(g, index, x.shape)


def _getitem_accumulate(pending, g, parents, out, owned, attrs):
    # the ordinary pass: where x's pending gradient is an array nothing but the pending table holds (not a view, of
    # a dtype g does not widen) and the index picks no position twice, g is added into it in place, so a loop over
    # x[t] (an RNN's steps, unbind, chunk) costs one array of x's size, not one per slice
    (x,) = parents
    index = attrs["index"]
    previous = pending.get(x)
    if (
        type(previous) is np.ndarray
        and type(g) is np.ndarray
        and previous.base is None
        and references(previous) == 3  # the table's, this local's and the call's own
        and previous.flags.writeable
        and np.result_type(previous, g) == previous.dtype
        and sm.picks_each_once(index)
    ):
        previous[index] += g
        return
    contribution = sm.scatter_add(g, index, x.shape)
    pending[x] = contribution if previous is None else previous + contribution


def _diagonal_rule(g, out, x, offset, axis1, axis2):
    # x.diagonal(offset, axis1, axis2) takes entries a[..., i, i + offset] onto a last axis: its adjoint puts g back
    # on that diagonal of zeros (a recorded diagonal_scatter under create_graph)
    if not isinstance(g, np.ndarray):
        zeros = type(g)._wrap_constant(np.zeros(x.shape, dtype=g.dtype))
        return zeros.diagonal_scatter(g, offset, axis1, axis2)
    grad = np.zeros(x.shape, dtype=g.dtype)
    on_diagonal = grad.diagonal(offset, axis1, axis2)
    on_diagonal.flags.writeable = True  # numpy's diagonal view is read-only, and writable on request
    on_diagonal[...] = g
    return grad


def _concatenate_rule(g, out, *inputs, axis):
    # one call for every input (a joint rule): g cut at the inputs' running offsets, linear in their number
    lead, pieces, start = (slice(None),) * axis, [], 0
    for x in inputs:
        size = x.shape[axis]
        pieces.append(g[(*lead, slice(start, start + size))])
        start += size
    return pieces


def _stack_rule(g, out, *inputs, axis):
    lead = (slice(None),) * axis
    return [g[(*lead, index)] for index in range(len(inputs))]


def _pad_rule(g, out, x, pad_width):
    return g[tuple(slice(before, before + size) for (before, _), size in zip(pad_width, x.shape))]


def _read_pad_rule(g, out, x, widths, mode):
    return sm.apply_linear(fold_pad, folded_array, g, widths=widths, mode=mode)


def _fold_pad_rule(g, out, x, widths, mode):
    return sm.apply_linear(read_pad, padded_array, g, widths=widths, mode=mode)


def _transpose_rule(g, out, x, axes):
    return g.transpose(tuple(np.argsort(axes)))


def _softmax_cross_entropy_rule(g, out, x, index, axis, probabilities, reduction="none"):
    # d/dx [logsumexp(x) - x_t] = softmax(x) - onehot(t), per sample along ``axis``;
    # the forward pass's softmax is reused (``probabilities``); ``index`` holds the flat
    # offsets of the target entries. A mean or sum over the samples spreads the scalar g
    # to every sample (divided by their count for a mean). Probabilities released with a freed graph (Op.releases)
    # are computed again from x.
    if probabilities is None and type(x) is np.ndarray:
        probabilities = sm.softmax(x, (axis,))
    if reduction != "none":
        samples = x.shape[:axis] + x.shape[axis + 1 :]
        count = math.prod(samples)
        g = g / count if reduction == "mean" and count else g  # (an empty batch has no entry to scale)
        if type(x) is np.ndarray:  # one scale for every sample: (softmax - onehot) g as one product and one update
            gradient = np.multiply(probabilities, g, order="C")  # C order, so reshape(-1) is a view
            gradient.reshape(-1)[index] -= g
            return gradient
        g = sm.expand(g, samples)
    return sm.softmax_minus_one_hot(x, index, axis, probabilities, g)


def _softmax_cross_entropy_saved(node):
    # what backward reads: the forward's softmax (torch's log_softmax saves its output, not x), so x may change in
    # place before backward; x itself only where the softmax is made again from it (recorded, under create_graph, or
    # once a freed graph released the probabilities)
    reads_x = node.attrs["probabilities"] is None or is_grad_enabled()
    return ((0,) if reads_x else ()), False


def _nll_loss_rule(g, out, x, index, reduction):
    # d/dx of -x at the flat offsets ``index`` (one entry per sample): -g there, 0 elsewhere, written into zeros;
    # a mean or sum over the samples spreads the scalar g to every sample (divided by their count for a mean).
    shape = x.shape
    if reduction == "mean":
        g = g / index.size
    if not isinstance(g, Node):  # (an array, or the numpy scalar a 0-d array's quotient is)
        gradient = np.zeros(shape, dtype=data_of(x).dtype)
        gradient.reshape(-1)[index] = -g
        return gradient
    if reduction != "none":
        g = sm.expand(g, index.shape)
    return sm.scatter_add(-g.reshape(-1), (index.reshape(-1),), (math.prod(shape),)).reshape(shape)


def _logistic_loss_rule(g, out, x, y, slope):
    # d/dx [c x + softplus(-|x|)] = c - s sigmoid(-|x|) = sigmoid(x) - y: ``slope``, made by the forward pass (and
    # released with a freed graph: Op.releases)
    if isinstance(x, Node) or isinstance(g, Node) or slope is None:
        return (sm.sigmoid(x) - y) * g
    return g * slope


def _logistic_loss_rule_target(g, out, x, y, slope):
    # d/dy [c x + softplus(-|x|)] = -x, c = 1[x >= 0] - y; 0 where x is infinite and c is 0 (c x is 0 there)
    xd = data_of(x)
    infinite = np.isinf(xd)
    if infinite.any():
        with quiet():
            x = sm.where(infinite & (np.subtract(xd >= 0, data_of(y)) == 0), 0.0, x)
    if isinstance(x, Node) or isinstance(g, Node):
        return -(g * x)
    gradient = np.multiply(g, x)  # (a numpy scalar for 0-d operands, which cannot be written into)
    return np.negative(gradient, out=gradient) if isinstance(gradient, np.ndarray) else -gradient


# index_put(x, index, v) = x with v written at index (``t[index] = v`` recorded): d/dx = g with the written
# positions zeroed; d/dv = g[index] (summed back to v's shape when v broadcast, as torch's index_put_ gives it)
def _index_put_rule_x(g, out, x, value, index):
    written = np.zeros(x.shape, dtype=bool)
    written[index] = True
    return sm.where(written, 0.0, g)


def _index_put_rule_value(g, out, x, value, index):
    return g[index]


def _index_put_rule(g, out, x, value, index):
    return [_index_put_rule_x(g, out, x, value, index), _index_put_rule_value(g, out, x, value, index)]


def _index_put_accumulate(pending, g, parents, out, owned, attrs):
    # the ordinary pass: a g that nothing else holds has the written entries zeroed in place for x (after value's
    # entries are taken from it), so a chain of assignments into one tensor (buf[i] = f(buf[i - 1])) costs the
    # entries written per step, not a mask and a copy of the whole tensor
    x, value = parents
    index = attrs["index"]
    in_place = owned and x._requires_grad
    if value._requires_grad:
        taken = g[index]
        if in_place and type(taken) is np.ndarray and taken.base is not None:
            taken = taken.copy()  # (a view of g, which is about to change)
        contribution = value._match_gradient(taken, False) if value.broadcasts else taken
        previous = pending.get(value)
        pending[value] = contribution if previous is None else previous + contribution
    if x._requires_grad:
        if in_place:
            g[index] = 0
            contribution = g
        else:
            contribution = _index_put_rule_x(g, out, x._data, value._data, index)
        previous = pending.get(x)
        pending[x] = contribution if previous is None else previous + contribution


def _standardize_rule(g, out, x, axes, eps, inverse_std):
    # y = (x - mean) / sqrt(var + eps) over ``axes`` (var biased): dL/dx = (g - mean(g) - y mean(g y)) / sqrt(var + eps).
    # On raw data the forward pass's 1 / sqrt(var + eps) is reused; under create_graph it is recorded again from x.
    # Empty slices make an empty x, whose gradient is g itself (empty), without the warning of a mean over nothing.
    if any(x.shape[axis] == 0 for axis in axes):
        return g * 0
    if isinstance(x, Node):
        centred = x - x.mean(axis=axes, keepdims=True)
        inverse_std = ((centred * centred).mean(axis=axes, keepdims=True) + eps) ** -0.5
        return (g - g.mean(axis=axes, keepdims=True) - out * (g * out).mean(axis=axes, keepdims=True)) * inverse_std
    # the two means as BLAS sums (axis_sums), the rest in one buffer: g y, then y mean(g y) + mean(g), g - that
    count = math.prod(x.shape[axis] for axis in axes)
    result = np.multiply(g, out)
    mean_of_products = axis_sums(result, axes) / count
    np.multiply(out, mean_of_products, out=result)
    result += axis_sums(g, axes) / count
    np.subtract(g, result, out=result)
    result *= inverse_std
    return result


# standardize_affine(x, weight, bias) = x_hat * w + b with x_hat = (x - mean) r, r = 1 / sqrt(var + eps), the
# statistics over ``axes`` of x seen as ``shape``, w and b seen as ``parameter_shape`` (weight and bias optional:
# the parents are x, then those given). With n the entries of a slice and g_hat = g w:
#     d/db = sum(g), d/dw = sum(g x_hat) over the axes w does not vary along,
#     d/dx = r (g_hat - mean(g_hat) - x_hat mean(g_hat x_hat)).
# The ordinary pass takes the two sums once over the axes that are reduced for the statistics but not for w (K),
# s = sum_K g (x - mean) and d = sum_K g, and derives everything from them: sum_K g x_hat = r s, the parameters'
# gradients sum those over the remaining axes, mean(g_hat) = sum(w d) / n and mean(g_hat x_hat) = r sum(w s) / n
# over the axes both vary along (none for batch norm, whose per-channel sums are then the parameters' own), and
# d/dx = g (r w) - (x - mean) (r^2 mean(g_hat x_hat)) - r mean(g_hat), per-slice coefficients. The centred input
# x - mean is the forward pass's (kept on the node). Under create_graph the formula is recorded from x.
def _standardize_affine_rule(
    g, out, x, *parameters, shape, axes, parameter_shape, eps, inverse_std, centred, has_weight
):
    if isinstance(g, Node):
        return _standardize_affine_recorded(g, x, parameters, shape, axes, parameter_shape, eps, has_weight)
    wanted = (True,) * (1 + len(parameters))
    parameter_shapes = [np.shape(parameter) for parameter in parameters]
    return _standardize_affine_sums(
        g, parameters, parameter_shapes, wanted, shape, axes, parameter_shape, inverse_std, centred, has_weight
    )


def _standardize_affine_accumulate(pending, g, parents, out, owned, attrs):
    # the ordinary pass: only the gradients of the parents that require one
    wanted = [parent._requires_grad for parent in parents]
    parameters = [parent._data for parent in parents[1:]]
    contributions = _standardize_affine_sums(
        g,
        parameters,
        [parameter.shape for parameter in parameters],
        wanted,
        attrs["shape"],
        attrs["axes"],
        attrs["parameter_shape"],
        attrs["inverse_std"],
        attrs["centred"],
        attrs["has_weight"],
    )
    add_contributions(pending, parents, contributions)


def _x_and_weight_saved(node):
    # what the fused norms' backward reads: x (standardize_affine its centred values) and the weight when there is
    # one, as torch's native norms save them (not the bias, not the output)
    return ((0, 1) if node.attrs["has_weight"] else (0,)), False


def _standardize_affine_sums(
    g, parameters, parameter_shapes, wanted, shape, axes, parameter_shape, inverse_std, centred, has_weight
):
    x_shape, g = g.shape, g.reshape(shape)
    weight = parameters[0].reshape(parameter_shape) if has_weight else None
    results = [None] * len(wanted)
    if g.size == 0:  # nothing normalised: zero gradients (a sum over no entries)
        dtypes = [g.dtype] + [np.result_type(g, parameter) for parameter in parameters]
        return [np.zeros(s, d) if want else None for s, d, want in zip([x_shape, *parameter_shapes], dtypes, wanted)]
    varying = {axis for axis, length in enumerate(parameter_shape) if length != 1}
    summed = [axis for axis, length in enumerate(shape) if length != 1]  # (a sum over an axis of 1 is no sum)
    inner = tuple(axis for axis in summed if axis in axes and axis not in varying)  # K: reduced for the statistics
    outer = tuple(axis for axis in summed if axis not in varying)  # summed for w's and b's gradients
    both = tuple(axis for axis in summed if axis in axes and axis in varying)  # reduced for the statistics, w varies
    count = math.prod(shape[axis] for axis in axes)
    if not inner and axes == (1,) and len(shape) == 2:  # layer norm: rows, each its own statistics
        return _layer_norm_sums(g, weight, parameter_shapes, wanted, inverse_std, centred, has_weight, x_shape)
    with quiet():
        product = np.multiply(g, centred)
        centred_sums = axis_sums(product, inner) if inner else product
        sums = axis_sums(g, inner) if inner else g
        del product
        scaled_sums = centred_sums * inverse_std  # sum_K g x_hat
        for position, want in enumerate(wanted[1:], 1):
            if want:
                total = scaled_sums if has_weight and position == 1 else sums
                results[position] = axis_sums(np.ascontiguousarray(total), outer).reshape(
                    parameter_shapes[position - 1]
                )
        if not wanted[0]:
            return results
        mean_of_gradients = _weighted_sums(sums, weight, both) / count  # mean(g_hat)
        mean_of_products = _weighted_sums(scaled_sums, weight, both) / count  # mean(g_hat x_hat)
        if weight is None or inverse_std.size * weight.size > g.size:  # (layer norm's r w would be of x's size)
            gradient = np.multiply(g, inverse_std)
            if weight is not None:
                gradient *= weight
        else:
            gradient = np.multiply(g, inverse_std * weight)
        gradient -= centred * (inverse_std * inverse_std * mean_of_products)
        gradient -= inverse_std * mean_of_gradients
    results[0] = gradient.reshape(x_shape)
    return results


def _layer_norm_sums(g, weight, parameter_shapes, wanted, inverse_std, centred, has_weight, x_shape):
    # standardize_affine's sums for rows (N, D) normalised each on its own with parameters (1, D): with P = g (x -
    # mean), d/dw = r^T P, d/db = 1^T g, mean(g_hat) = g w / D and mean(g_hat x_hat) = r (P w) / D, as
    # matrix-vector products (no array r P of x's size)
    results = [None] * len(wanted)
    rows, features = g.shape
    with quiet():
        product = np.multiply(g, centred)
        if has_weight and wanted[1]:
            results[1] = (inverse_std.reshape(-1).astype(product.dtype, copy=False) @ product).reshape(
                parameter_shapes[0]
            )
        if len(wanted) > 1 + has_weight and wanted[-1]:
            results[-1] = axis_sums(np.ascontiguousarray(g), (0,)).reshape(parameter_shapes[-1])
        if not wanted[0]:
            return results
        mean_of_gradients = _weighted_sums(g, weight, (1,)) / features
        mean_of_products = _weighted_sums(product, weight, (1,)) * inverse_std / features
        del product
        gradient = np.multiply(g, weight) if weight is not None else np.array(g, dtype=np.result_type(g, centred))
        gradient -= centred * (inverse_std * mean_of_products)
        gradient -= mean_of_gradients
        gradient *= inverse_std
    results[0] = gradient.reshape(x_shape)
    return results


def _weighted_sums(array, weight, axes):
    """sum(array * weight) over ``axes`` (kept); rows @ weight for a matrix weighted along its rows (layer norm)."""
    if weight is None:
        return axis_sums(array, axes) if axes else array
    if axes == (1,) and array.ndim == 2 and array.flags.c_contiguous and array.dtype == weight.dtype:
        return (array @ weight.reshape(-1))[:, None]
    product = array * weight
    return np.add.reduce(product, axis=axes, keepdims=True) if axes else product


def _standardize_affine_recorded(g, x, parameters, shape, axes, parameter_shape, eps, has_weight):
    # the same derivative in recorded ops (x_hat and r recorded again from x), for create_graph
    kept = tuple(axis for axis, length in enumerate(parameter_shape) if length == 1)
    g = g.reshape(shape)
    if math.prod(shape) == 0:
        return [(g * 0).reshape(x.shape)] + [g.sum(axis=kept).reshape(p.shape) * 0 for p in parameters]
    data = x.reshape(shape)
    centred = data - data.mean(axis=axes, keepdims=True)
    inverse_std = ((centred * centred).mean(axis=axes, keepdims=True) + eps) ** -0.5
    normalised = centred * inverse_std
    scaled = g * parameters[0].reshape(parameter_shape) if has_weight else g
    gradient = (
        scaled
        - scaled.mean(axis=axes, keepdims=True)
        - normalised * (scaled * normalised).mean(axis=axes, keepdims=True)
    ) * inverse_std
    results = [gradient.reshape(x.shape)]
    if has_weight:
        results.append((g * normalised).sum(axis=kept).reshape(parameters[0].shape))
    if len(parameters) > has_weight:
        results.append(g.sum(axis=kept).reshape(parameters[-1].shape))
    return results


# affine_normalize(x, weight, bias) = (x - mean) r w + b with constant statistics (batch norm in evaluation: the
# running mean and r = 1 / sqrt(running_var + eps)), x seen as (N, C, M) and mean, r, w, b as (1, C, 1); the
# forward pass computes it as x a + (b - mean a) with a = r w, as torch's. Nothing flows through the statistics:
#     d/dx = g a,  d/dw = r sum(g (x - mean)),  d/db = sum(g),
# the sums over N and M. sum(g (x - mean)) takes the centred x, not sum(g x) - mean sum(g) (which cancels when
# |mean| is large next to the spread), each (n, c) row's dot product in x's dtype and the N of them in float64.
def _affine_normalize_rule(g, out, x, *parameters, shape, mean, inverse_std, has_weight):
    wanted = (True,) * (1 + len(parameters))
    return _affine_normalize_gradients(g, x, parameters, wanted, shape, mean, inverse_std, has_weight)


def _affine_normalize_accumulate(pending, g, parents, out, owned, attrs):
    # the ordinary pass: only the gradients of the parents that require one
    wanted = [parent._requires_grad for parent in parents]
    x, parameters = parents[0]._data, [parent._data for parent in parents[1:]]
    contributions = _affine_normalize_gradients(
        g, x, parameters, wanted, attrs["shape"], attrs["mean"], attrs["inverse_std"], attrs["has_weight"]
    )
    add_contributions(pending, parents, contributions)


def _affine_normalize_gradients(g, x, parameters, wanted, shape, mean, inverse_std, has_weight):
    parameter_shape = mean.shape
    x_shape, g = x.shape, g.reshape(shape)
    weight = parameters[0].reshape(parameter_shape) if has_weight else None
    scale = inverse_std if weight is None else inverse_std * weight
    results = [None] * len(wanted)
    if isinstance(g, Node):  # create_graph: the same formulas in recorded ops
        if wanted[0]:
            results[0] = (g * scale).reshape(x_shape)
        if has_weight and wanted[1]:
            centred = x.reshape(shape) - mean
            results[1] = ((g * centred).sum(axis=(0, 2), keepdims=True) * inverse_std).reshape(parameters[0].shape)
        if len(parameters) > has_weight and wanted[-1]:
            results[-1] = g.sum(axis=(0, 2)).reshape(parameters[-1].shape)
        return results
    with quiet():
        if wanted[0]:  # in x's own shape: a new array, not a view of one (which a leaf's .grad would copy)
            scale_of_x = scale.reshape(scale.shape[:2] + (1,) * (len(x_shape) - 2))
            results[0] = np.multiply(g.reshape(x_shape), scale_of_x, dtype=np.result_type(g, scale))
        if has_weight and wanted[1]:
            centred = np.subtract(x.reshape(shape), mean, dtype=np.result_type(x, g))
            rows = np.einsum("ncm,ncm->nc", centred, g.astype(centred.dtype, copy=False))
            dots = rows.sum(axis=0, dtype=np.float64).reshape(parameter_shape)
            results[1] = (
                (dots * inverse_std).astype(np.result_type(g, parameters[0]), copy=False).reshape(parameters[0].shape)
            )
        if len(parameters) > has_weight and wanted[-1]:
            sums = axis_sums(np.ascontiguousarray(g), (0, 2)) if g.size else np.zeros(parameter_shape, g.dtype)
            results[-1] = sums.astype(np.result_type(g, parameters[-1]), copy=False).reshape(parameters[-1].shape)
    return results


# fmt: off
matmul = Op("matmul", _matmul_rule_a, _matmul_rule_b)
linear = Op("linear", _linear_rule_x, _linear_rule_weight, _linear_rule_bias)  # x @ W^T + b, one node
linear_relu = Op(  # relu(x @ W^T + b), one node
    "linear_relu", _linear_relu_rule, joint=True, accumulate=_linear_relu_accumulate, saved=_linear_relu_saved
)
sum_ = Op("sum", lambda g, out, x, axes, keepdims: _spread(g, x.shape, axes, keepdims), reads_values=False)
mean = Op("mean", rule_in_float32(_mean_rule), reads_values=False)  # (a float16 1/n of n > 65504 entries is 0)
max_ = Op("max", _extreme_rule)
min_ = Op("min", _extreme_rule)
prod = Op("prod", lambda g, out, x, axes, keepdims: _spread(g, x.shape, axes, keepdims) * _product_of_others(x, axes))
logsumexp = Op("logsumexp", _logsumexp_rule)
variance = Op("var", _variance_rule)
softmax = Op("softmax", rule_in_float32(_softmax_rule))
log_softmax = Op("log_softmax", rule_in_float32(_log_softmax_rule))
standardize = Op("standardize", _standardize_rule)  # (x - mean) / sqrt(var + eps) over axes, fused
standardize_affine = Op(  # (x - mean) / sqrt(var + eps) * weight + bias, fused
    "standardize_affine",
    _standardize_affine_rule,
    joint=True,
    accumulate=_standardize_affine_accumulate,
    saved=_x_and_weight_saved,
)
affine_normalize = Op(  # (x - mean) / sqrt(var + eps) * weight + bias with constant statistics, fused
    "affine_normalize",
    _affine_normalize_rule,
    joint=True,
    accumulate=_affine_normalize_accumulate,
    saved=_x_and_weight_saved,
)
# -log_softmax(x)[t] and the binary cross-entropy of logits, fused; what they keep for backward is released (Op.releases)
softmax_cross_entropy = Op(
    "softmax_cross_entropy",
    _softmax_cross_entropy_rule,
    releases=("probabilities",),
    saved=_softmax_cross_entropy_saved,
)
logistic_loss = Op("logistic_loss", _logistic_loss_rule, _logistic_loss_rule_target, releases=("slope",))
nll_loss = Op("nll_loss", _nll_loss_rule, reads_values=False)  # -x[t] per sample (and their mean or sum), fused

astype = Op("astype", lambda g, out, x, dtype: g, reads_values=False)                       # cast back in backward
reshape = Op("reshape", lambda g, out, x, shape: g.reshape(x.shape), reads_values=False)
diagonal = Op("diagonal", _diagonal_rule, reads_values=False)  # a view: g on that diagonal of zeros
transpose = Op("transpose", _transpose_rule, reads_values=False)
broadcast_to = Op("broadcast_to", lambda g, out, x, shape: g, reads_values=False)          # unbroadcast runs in backward
pad = Op("pad", _pad_rule, reads_values=False)
read_pad = Op("read_pad", _read_pad_rule, reads_values=False)  # np.pad's edge/reflect/symmetric/wrap: d/dx folds g
fold_pad = Op("fold_pad", _fold_pad_rule, reads_values=False)  # its adjoint: d/dg pads again
getitem = Op("getitem", _getitem_rule, reads_values=False, accumulate=_getitem_accumulate)  # g scattered back
index_add = Op("index_add", lambda g, out, x, index, shape: sm.take_at(g, index), reads_values=False)  # adjoint of getitem
index_put = Op("index_put", _index_put_rule, joint=True, reads_values=False, accumulate=_index_put_accumulate)
concatenate = Op("concatenate", _concatenate_rule, joint=True, reads_values=False)
stack = Op("stack", _stack_rule, joint=True, reads_values=False)
# scatter_reduce's amax/amin (value computed in numpy): g reaches each entry equal to its result, shared evenly among
# ties, by constant slopes: d/dself = g self_slope, d/dsrc = g[positions] src_slope (infinite entries too)
scatter_extreme = Op("scatter_extreme",
                     lambda g, out, x, src, self_slope, src_slope, positions: g * self_slope,
                     lambda g, out, x, src, self_slope, src_slope, positions: sm.take_at(g, positions) * src_slope,
                     reads_values=False)
where = Op("where", lambda g, out, x, y, condition: sm.where(condition, g, 0.0),
                     lambda g, out, x, y, condition: sm.where(condition, 0.0, g), reads_values=False)
# fmt: on
