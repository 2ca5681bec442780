"""Property tests for the Tensor operations outside the op table (tests/op_table.py): forward values
against numpy and gradients against autograd.gradcheck (central finite differences in float64), over
random shapes, broadcastable shape pairs, axes (int, negative, tuple, None), keepdims, indices
(negative, repeated, boolean, slices) and non-contiguous inputs (transposed and strided views).
Domains are shifted away from each op's singular points instead of loosening tolerances."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_table import assert_gradients_match

import autograd as ag
from autograd import Tensor
from autograd.testing import arrays, axes_for, broadcastable_shapes, floats, indices_for, shapes

LAYOUTS = ["contiguous", "transposed", "strided"]


# -- strategies -------------------------------------------------------------------------------
@st.composite
def distinct_arrays(draw, shape_strategy=None):
    """Arrays whose entries differ pairwise by at least 0.05 (no ties for max/min, var > 0)."""
    shape = draw(shapes() if shape_strategy is None else shape_strategy)
    size = int(np.prod(shape, dtype=np.int64))
    order = np.array(draw(st.permutations(range(size))), dtype=np.float64)
    noise = draw(hnp.arrays(np.float64, size, elements=st.floats(0.0, 0.04)))
    return ((order - size / 2) * 0.1 + noise).reshape(shape)


def _offset_grid(offset: float) -> st.SearchStrategy[float]:
    # values in [k/2 + offset, k/2 + offset + 0.2]: two grids with offsets 0 and 0.25 never tie
    return st.builds(lambda k, u: 0.5 * k + offset + u, st.integers(-6, 5), st.floats(0.0, 0.2))


@st.composite
def untied_pairs(draw):
    """Two broadcastable arrays with |a - b| >= 0.05 everywhere (maximum/minimum away from ties)."""
    shape_a, shape_b = draw(broadcastable_shapes())
    a = draw(hnp.arrays(np.float64, shape_a, elements=_offset_grid(0.0)))
    b = draw(hnp.arrays(np.float64, shape_b, elements=_offset_grid(0.25)))
    return (a, b) if draw(st.booleans()) else (b, a)


layouts = st.sampled_from(LAYOUTS)


# -- elementwise ops (values and derivatives of each are checked by tests/test_op_table.py) ----------------
def test_non_smooth_points_use_documented_derivatives():
    x = Tensor(np.zeros(1), requires_grad=True)
    for function, expected in [
        (lambda t: t.relu(), 0.0),
        (lambda t: t.abs(), 0.0),
        (lambda t: t.step(), 0.0),
        (lambda t: t.leaky_relu(0.2), 0.2),
        (lambda t: t.elu(0.7), 0.7),
    ]:
        x.grad = None
        function(x).sum().backward()
        assert x.grad[0] == expected


@pytest.mark.parametrize("beta", [1.0, 2.0, [1.0, 0.5, 1.0]])
def test_swish_with_a_tensor_beta_passes_beta_its_gradient_even_at_one(beta):
    # a learnable beta starts at 1; the SiLU shortcut for a constant 1 must not cut it out of the graph
    points = np.array([1.5, -0.7, 3.0])
    x, b = Tensor(points, requires_grad=True), Tensor(np.array(beta), requires_grad=True)
    x.swish(b).sum().backward()

    def swish(x_values, beta_values):
        return x_values / (1 + np.exp(-np.asarray(beta_values) * x_values))

    h = 1e-6
    beta = np.asarray(beta)
    d_beta = (swish(points, beta + h) - swish(points, beta - h)) / (2 * h)
    np.testing.assert_allclose(x.grad, (swish(points + h, beta) - swish(points - h, beta)) / (2 * h), rtol=1e-8)
    np.testing.assert_allclose(b.grad, d_beta if beta.ndim else d_beta.sum(), rtol=1e-8)


def test_clip_passes_gradient_at_its_bounds():
    x = Tensor([-1.0, -0.5, 1.0, 2.0], requires_grad=True)
    x.clip(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 1.0, 0.0])


def test_clip_without_bounds_is_an_error():
    with pytest.raises(ValueError, match="clip/clamp: at least one of the bounds"):
        Tensor([1.0]).clip()
    with pytest.raises(RuntimeError, match=r"\(low or min, high or max\)"):  # torch's class for clamp()
        Tensor([1.0]).clamp()


@pytest.mark.parametrize(
    ("function", "reference"),
    [(ag.maximum, np.maximum), (ag.minimum, np.minimum), (lambda a, b: a.maximum(b), np.maximum)],
)
@given(pair=untied_pairs(), layout=layouts)
def test_maximum_minimum_route_gradient_to_the_winner_away_from_ties(function, reference, pair, layout):
    a, b = pair
    np.testing.assert_array_equal(function(Tensor(a), Tensor(b)).data, reference(a, b))
    assert_gradients_match(function, a, b, layout=layout)


def test_maximum_and_minimum_split_tied_gradient_evenly():
    for function in (ag.maximum, ag.minimum):
        a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = Tensor([1.0, 0.0, 5.0], requires_grad=True)
        function(a, b).sum().backward()
        upper = function is ag.maximum
        np.testing.assert_array_equal(a.grad, [0.5, 1.0, 0.0] if upper else [0.5, 0.0, 1.0])
        np.testing.assert_array_equal(b.grad, [0.5, 0.0, 1.0] if upper else [0.5, 1.0, 0.0])


@given(st.data(), broadcastable_shapes(num_shapes=3))
def test_where_broadcasts_condition_and_routes_gradient_to_chosen_branch(data, three_shapes):
    shape_c, shape_a, shape_b = three_shapes
    condition = data.draw(hnp.arrays(np.bool_, shape_c))
    a, b = data.draw(arrays(shape_a)), data.draw(arrays(shape_b))
    np.testing.assert_array_equal(ag.where(condition, Tensor(a), Tensor(b)).data, np.where(condition, a, b))
    assert_gradients_match(lambda x, y: ag.where(condition, x, y), a, b)


# -- matmul ---------------------------------------------------------------------------------------
@given(data=st.data(), layout=layouts)
def test_matmul_follows_numpy_for_1d_2d_and_batched_operands(data, layout):
    shape_a, shape_b = data.draw(
        hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=3, max_side=3).map(
            lambda r: r.input_shapes
        )
    )
    a, b = data.draw(arrays(shape_a)), data.draw(arrays(shape_b))
    np.testing.assert_allclose((Tensor(a) @ Tensor(b)).data, a @ b, rtol=1e-12, atol=1e-12)
    assert_gradients_match(lambda x, y: x @ y, a, b, layout=layout)
    assert_gradients_match(lambda y: ag.matmul(a, y), b)
    assert_gradients_match(lambda x: x.matmul(b), a)


@given(arrays((3, 2)), arrays((2,)))
def test_matmul_with_ndarray_on_either_side(a, b):
    np.testing.assert_allclose((a @ Tensor(b)).data, a @ b)
    np.testing.assert_allclose((Tensor(a) @ b).data, a @ b)
    assert_gradients_match(lambda y: a @ y, b)


# -- reductions -------------------------------------------------------------------------------------
# name -> (function(x, axis, keepdims), numpy reference, array strategy, smallest reduced count)
REDUCTIONS = {
    "sum": (lambda x, axis, keepdims: x.sum(axis, keepdims), np.sum, arrays, 0),
    "mean": (lambda x, axis, keepdims: x.mean(axis, keepdims), np.mean, arrays, 1),
    "var": (lambda x, axis, keepdims: x.var(axis, keepdims=keepdims), np.var, arrays, 1),
    "var_ddof1": (
        lambda x, axis, keepdims: x.var(axis, ddof=1, keepdims=keepdims),
        lambda x, axis, keepdims: np.var(x, axis, ddof=1, keepdims=keepdims),
        arrays,
        2,
    ),
    "std": (lambda x, axis, keepdims: x.std(axis, keepdims=keepdims), np.std, distinct_arrays, 2),
    "std_ddof1": (
        lambda x, axis, keepdims: x.std(axis, ddof=1, keepdims=keepdims),
        lambda x, axis, keepdims: np.std(x, axis, ddof=1, keepdims=keepdims),
        distinct_arrays,
        2,
    ),
    "max": (lambda x, axis, keepdims: x.max(axis, keepdims=keepdims), np.max, distinct_arrays, 1),
    "min": (lambda x, axis, keepdims: x.min(axis, keepdims=keepdims), np.min, distinct_arrays, 1),
    "prod": (lambda x, axis, keepdims: x.prod(axis, keepdims), np.prod, arrays, 0),
    "logsumexp": (
        lambda x, axis, keepdims: x.logsumexp(axis, keepdims),
        lambda x, axis, keepdims: np.log(np.sum(np.exp(x), axis=axis, keepdims=keepdims)),
        arrays,
        1,
    ),
}


@pytest.mark.parametrize("name", REDUCTIONS)
@given(data=st.data(), keepdims=st.booleans(), layout=layouts)
def test_reduction_over_any_axes_matches_numpy_and_finite_differences(name, data, keepdims, layout):
    function, reference, strategy, smallest_count = REDUCTIONS[name]
    x = data.draw(strategy(shapes()))
    axis = data.draw(axes_for(x.ndim))
    reduced = range(x.ndim) if axis is None else np.atleast_1d(axis)
    assume(int(np.prod([x.shape[a] for a in reduced], dtype=np.int64)) >= smallest_count)
    result = function(Tensor(x), axis, keepdims)
    expected = reference(x, axis=axis, keepdims=keepdims)
    assert result.shape == np.shape(expected)
    np.testing.assert_allclose(result.data, expected, rtol=1e-10, atol=1e-12)
    assert_gradients_match(lambda t: function(t, axis, keepdims), x, layout=layout)


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_keeps_float32(name):
    function = REDUCTIONS[name][0]
    x = Tensor(np.array([[0.3, 1.2, -0.7], [0.1, 0.5, 2.0]], dtype=np.float32), requires_grad=True)
    y = function(x, 1, False)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize(("method", "expected"), [("max", [0.0, 0.5, 0.5, 0.0]), ("min", [0.5, 0.0, 0.0, 0.5])])
def test_max_min_reductions_split_tied_gradient_evenly(method, expected):
    x = Tensor([1.0, 4.0, 4.0, 1.0], requires_grad=True)
    getattr(x, method)().backward()
    np.testing.assert_array_equal(x.grad, expected)


def test_max_over_axis_splits_ties_per_slice():
    x = Tensor([[2.0, 2.0, 2.0], [1.0, 3.0, 0.0]], requires_grad=True)
    x.max(axis=1).backward(np.array([3.0, 1.0]))
    np.testing.assert_allclose(x.grad, [[1.0, 1.0, 1.0], [0.0, 1.0, 0.0]])


@pytest.mark.parametrize(
    ("data", "axis", "expected"),
    [
        ([2.0, 0.0, 3.0], None, [0.0, 6.0, 0.0]),
        ([0.0, 0.0, 3.0], None, [0.0, 0.0, 0.0]),
        ([[1.0, 0.0], [2.0, 5.0]], 0, [[2.0, 5.0], [1.0, 0.0]]),
    ],
)
def test_prod_gradient_is_exact_with_zeros(data, axis, expected):
    x = Tensor(data, requires_grad=True)
    x.prod(axis=axis).sum().backward()
    np.testing.assert_array_equal(x.grad, expected)


@given(arrays(shapes(min_dims=1, max_dims=2, max_side=3), low=-2.0, high=2.0))
def test_prod_second_derivatives_match_finite_differences(x):
    assert ag.gradgradcheck(lambda t: t.prod(axis=-1).sum(), [x])


@given(st.data())
def test_logsumexp_second_derivatives_match_finite_differences(data):
    x = data.draw(arrays(shapes(min_dims=1, max_dims=2, max_side=3)))
    axis = data.draw(axes_for(x.ndim))
    assert ag.gradgradcheck(lambda t: (t.logsumexp(axis) ** 2).sum(), [x])


def test_empty_sum_and_prod_have_identity_values_and_empty_gradients():
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    np.testing.assert_array_equal(x.sum(axis=0).data, np.zeros(3))
    np.testing.assert_array_equal(x.prod(axis=0).data, np.ones(3))
    x.prod(axis=0).sum().backward()
    assert x.grad.shape == (0, 3)


@pytest.mark.parametrize("method", ["max", "min"])
def test_max_min_of_empty_tensor_is_an_error_naming_shape(method):
    with pytest.raises(ValueError, match=rf"{method}: zero-size tensor of shape \(0, 2\)"):
        getattr(Tensor(np.zeros((0, 2))), method)()


@pytest.mark.parametrize("method", ["sum", "mean", "max", "prod", "logsumexp", "softmax"])
def test_reduction_with_bad_axis_names_op_and_axis(method):
    with pytest.raises(ValueError, match=rf"{method}: axis 3 is out of bounds"):
        getattr(Tensor(np.ones((2, 2))), method)(axis=3)


@pytest.mark.parametrize("method", ["softmax", "log_softmax"])
@given(data=st.data(), layout=layouts)
def test_softmax_family_over_axes_matches_reference_and_finite_differences(method, data, layout):
    x = data.draw(arrays(shapes(min_dims=1), low=-5.0, high=5.0))
    axis = data.draw(axes_for(x.ndim, allow_none=False))
    log_sum = np.log(np.sum(np.exp(x), axis=axis, keepdims=True))
    expected = np.exp(x - log_sum) if method == "softmax" else x - log_sum
    np.testing.assert_allclose(getattr(Tensor(x), method)(axis).data, expected, rtol=1e-10, atol=1e-12)
    assert_gradients_match(lambda t: getattr(t, method)(axis), x, layout=layout)


@pytest.mark.parametrize("method", ["argmax", "argmin"])
@given(data=st.data())
def test_argmax_argmin_match_numpy_as_int64_tensors_outside_the_graph(method, data):
    x = data.draw(arrays(shapes(min_dims=1)))
    axis = data.draw(st.none() | st.integers(-x.ndim, x.ndim - 1))
    result = getattr(Tensor(x, requires_grad=True), method)(axis)
    assert isinstance(result, Tensor) and not result.requires_grad and result.dtype == np.int64
    np.testing.assert_array_equal(result.data, getattr(np, method)(x, axis=axis))
    np.testing.assert_array_equal(getattr(ag, method)(Tensor(x), axis).data, result.data)
    np.testing.assert_array_equal(getattr(ag, method)(x, axis), result.data)  # array input: numpy's answer


@pytest.mark.parametrize("method", ["argmax", "argmin"])
def test_argmax_argmin_of_an_empty_slice_name_the_op_and_shape(method):
    with pytest.raises(ValueError, match=rf"{method}: zero-size tensor of shape \(0, 3\) has no {method} over axis 0"):
        getattr(Tensor(np.zeros((0, 3))), method)(axis=0)
    with pytest.raises(ValueError, match=rf"{method}: zero-size tensor of shape \(0,\)"):
        getattr(Tensor(np.zeros(0)), method)()
    assert getattr(Tensor(np.zeros((0, 3))), method)(axis=1).shape == (0,)  # empty along other axes: an empty result


# -- shape operations ---------------------------------------------------------------------------------
@st.composite
def reshape_targets(draw, shape):
    """A shape with the same size: the dims shuffled, with extra 1s and possibly one -1."""
    dims = list(draw(st.permutations(shape))) + [1] * draw(st.integers(0, 2))
    dims = draw(st.permutations(dims))
    if dims and draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return tuple(dims)


@given(data=st.data(), layout=layouts)
def test_reshape_to_any_shape_of_the_same_size(data, layout):
    x = data.draw(arrays(shapes()))
    target = data.draw(reshape_targets(x.shape))
    np.testing.assert_array_equal(Tensor(x).reshape(target).data, x.reshape(target))
    assert_gradients_match(lambda t: t.reshape(target) * 1.0, x, layout=layout)
    assert_gradients_match(lambda t: t.reshape(*target) * 1.0, x)


@given(data=st.data(), layout=layouts)
def test_transpose_and_permute_with_negative_axes(data, layout):
    x = data.draw(arrays(shapes()))
    axes = [a - x.ndim if data.draw(st.booleans()) else a for a in data.draw(st.permutations(range(x.ndim)))]
    np.testing.assert_array_equal(Tensor(x).transpose(axes).data, x.transpose(axes))
    permuted = Tensor(x).permute(*axes) if axes else Tensor(x).permute(())  # torch's permute() needs its dims
    np.testing.assert_array_equal(permuted.data, x.transpose(axes))
    assert_gradients_match(lambda t: t.transpose(axes), x, layout=layout)


@given(data=st.data(), layout=layouts)
def test_swapaxes_with_any_pair_of_axes(data, layout):
    x = data.draw(arrays(shapes(min_dims=1)))
    first, second = (data.draw(st.integers(-x.ndim, x.ndim - 1)) for _ in range(2))
    np.testing.assert_array_equal(Tensor(x).swapaxes(first, second).data, np.swapaxes(x, first, second))
    assert_gradients_match(lambda t: t.swapaxes(first, second) * 1.0, x, layout=layout)


@given(data=st.data(), layout=layouts)
def test_flatten_merges_the_axes_between_start_and_end(data, layout):
    x = data.draw(arrays(shapes(min_dims=1)))
    start = data.draw(st.integers(0, x.ndim - 1))
    end = data.draw(st.integers(start, x.ndim - 1))
    merged = x.shape[:start] + (-1,) + x.shape[end + 1 :]
    np.testing.assert_array_equal(Tensor(x).flatten(start, end).data, x.reshape(merged))
    np.testing.assert_array_equal(Tensor(x).flatten().data, x.reshape(-1))
    assert_gradients_match(lambda t: t.flatten(start, end) * 1.0, x, layout=layout)


@given(data=st.data(), layout=layouts)
def test_squeeze_and_expand_dims_remove_and_insert_unit_axes(data, layout):
    x = data.draw(arrays(shapes(max_side=2)))
    ones = [a for a, n in enumerate(x.shape) if n == 1]
    axis = data.draw(st.none() | st.sampled_from(ones)) if ones else None
    np.testing.assert_array_equal(Tensor(x).squeeze(axis).data, np.squeeze(x, axis))
    assert_gradients_match(lambda t: t.squeeze(axis) * 1.0, x, layout=layout)
    new_axis = data.draw(st.integers(-x.ndim - 1, x.ndim))
    np.testing.assert_array_equal(Tensor(x).expand_dims(new_axis).data, np.expand_dims(x, new_axis))
    np.testing.assert_array_equal(Tensor(x).unsqueeze(new_axis).data, np.expand_dims(x, new_axis))
    assert_gradients_match(lambda t: t.unsqueeze(new_axis) * 1.0, x, layout=layout)


def test_squeeze_of_axis_longer_than_one_names_shape():
    with pytest.raises(ValueError, match=r"squeeze: .*\(2, 1\)"):
        Tensor(np.ones((2, 1))).squeeze(0)


@given(data=st.data(), layout=layouts)
def test_broadcast_to_sums_gradient_back(data, layout):
    shape, other = data.draw(broadcastable_shapes())
    target = np.broadcast_shapes(shape, other)
    x = data.draw(arrays(shape))
    np.testing.assert_array_equal(Tensor(x).broadcast_to(target).data, np.broadcast_to(x, target))
    assert_gradients_match(lambda t: t.broadcast_to(target), x, layout=layout)


@given(data=st.data(), layout=layouts)
def test_pad_gradient_is_the_unpadded_window(data, layout):
    x = data.draw(arrays(shapes(min_dims=1)))
    widths = [tuple(data.draw(st.integers(0, 2)) for _ in range(2)) for _ in range(x.ndim)]
    value = data.draw(floats())
    np.testing.assert_array_equal(ag.pad(Tensor(x), widths, value).data, np.pad(x, widths, constant_values=value))
    assert_gradients_match(lambda t: t.pad(widths, constant_values=value), x, layout=layout)


def test_pad_with_negative_width_is_an_error():
    with pytest.raises(ValueError, match=r"pad: pad widths must be non-negative"):
        Tensor(np.ones(3)).pad(((-1, 0),))


@given(data=st.data(), layout=layouts)
def test_concatenate_and_stack_route_gradients_to_each_part(data, layout):
    base = data.draw(shapes(min_dims=1))
    axis = data.draw(st.integers(-len(base), len(base) - 1))
    count = data.draw(st.integers(1, 3))
    parts = []
    for _ in range(count):
        shape = list(base)
        shape[axis] = data.draw(st.integers(1, 3))
        parts.append(data.draw(arrays(tuple(shape))))
    np.testing.assert_array_equal(ag.concatenate([Tensor(p) for p in parts], axis).data, np.concatenate(parts, axis))
    assert_gradients_match(lambda *ts: ag.cat(list(ts), axis=axis), *parts, layout=layout)
    same = [data.draw(arrays(base)) for _ in range(count)]
    stack_axis = data.draw(st.integers(-len(base) - 1, len(base)))
    np.testing.assert_array_equal(ag.stack([Tensor(p) for p in same], stack_axis).data, np.stack(same, stack_axis))
    assert_gradients_match(lambda *ts: ag.stack(ts, axis=stack_axis), *same, layout=layout)


@given(data=st.data(), layout=layouts)
def test_split_like_numpy_and_gradient_of_pieces(data, layout):
    x = data.draw(arrays(shapes(min_dims=1, max_side=6)))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    length = x.shape[axis]
    divisors = [n for n in range(1, length + 1) if length % n == 0]
    sections = data.draw(st.sampled_from(divisors) | st.lists(st.integers(0, length), max_size=3).map(sorted))
    pieces = ag.split(Tensor(x), sections, axis=axis)
    expected = np.split(x, sections, axis=axis)
    assert len(pieces) == len(expected)
    for piece, reference in zip(pieces, expected):
        np.testing.assert_array_equal(piece.data, reference)
    weights = np.arange(1.0, len(pieces) + 1)
    assert_gradients_match(
        lambda t: ag.concatenate([p * w for p, w in zip(ag.split(t, sections, axis), weights)], axis), x, layout=layout
    )


def test_split_into_unequal_sections_is_an_error():
    with pytest.raises(ValueError, match=r"split: axis 0 of length 5 does not divide into 2"):
        ag.split(Tensor(np.ones(5)), 2)


# -- indexing ----------------------------------------------------------------------------------------------
@given(data=st.data(), layout=layouts)
def test_indexing_with_slices_integer_arrays_and_masks(data, layout):
    x = data.draw(arrays(shapes(min_dims=1)))
    index = data.draw(indices_for(x.shape))
    np.testing.assert_array_equal(Tensor(x)[index].data, x[index])
    assert_gradients_match(lambda t: t[index] * 1.0, x, layout=layout)


@given(data=st.data(), layout=layouts)
def test_indexing_with_integer_arrays_on_several_axes_accumulates_repeats(data, layout):
    x = data.draw(arrays(shapes(min_dims=2)))
    rows = data.draw(hnp.arrays(np.int64, 5, elements=st.integers(-x.shape[0], x.shape[0] - 1)))
    columns = data.draw(hnp.arrays(np.int64, 5, elements=st.integers(-x.shape[1], x.shape[1] - 1)))
    for index in [(rows, columns), (slice(None), columns), (rows[0], Ellipsis), (rows[:, None], columns[None])]:
        np.testing.assert_array_equal(Tensor(x)[index].data, x[index])
        assert_gradients_match(lambda t, index=index: t[index] * 1.0, x, layout=layout)


def test_repeated_indices_accumulate_like_add_at():
    x = Tensor(np.zeros(4), requires_grad=True)
    index = [0, 0, -1, 2, 0]
    x[index].backward(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    expected = np.zeros(4)
    np.add.at(expected, index, [1.0, 2.0, 3.0, 4.0, 5.0])
    np.testing.assert_array_equal(x.grad, expected)
    np.testing.assert_array_equal(x.grad, [8.0, 0.0, 4.0, 3.0])


def test_indexing_with_tensor_and_boolean_tensor_index():
    x = Tensor(np.arange(5.0), requires_grad=True)
    x[Tensor([4, 4])].sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0, 0.0, 2.0])
    np.testing.assert_array_equal(x[Tensor(np.arange(5) > 2)].data, [3.0, 4.0])


def test_index_out_of_range_names_tensor_shape():
    with pytest.raises(IndexError, match=r"getitem: .*\(tensor shape \(3,\)\)"):
        Tensor(np.ones(3))[5]


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: Tensor(np.ones(3)).swapaxes(0, 5), r"swapaxes: axis 5 is out of bounds"),
        (lambda: Tensor(np.ones(3)).flatten(2), r"flatten: axis 2 is out of bounds"),
        (lambda: Tensor(np.ones((2, 3, 4))).flatten(2, 1), r"flatten: start_dim 2 comes after end_dim 1.*\(2, 3, 4\)"),
        (lambda: ag.stack([Tensor(np.ones(3))], axis=3), r"stack: axis 3 is out of bounds"),
        (lambda: ag.concatenate([Tensor(np.ones(3))], axis=-2), r"concatenate: axis -2 is out of bounds"),
        (lambda: ag.split(Tensor(np.ones(4)), 2, axis=1), r"split: axis 1 is out of bounds"),
        (lambda: Tensor(np.ones((2, 3))).transpose((0, 2)), r"transpose: axes \(0, 2\) are not a permutation"),
        (
            lambda: Tensor(np.ones((2, 3))).transpose(0, 2),
            r"transpose: axis 2 is out of bounds for an array of dimension 2",
        ),
    ],
)
def test_out_of_range_axis_arguments_are_errors_naming_op_and_axis(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()
