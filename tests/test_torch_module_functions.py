"""torch's module-level functions without torch: the method forwards of autograd.torch_functions (same op as the
method, torch's argument order), and autograd.torch_module_functions checked against hand-computed and numpy
values, float64 finite differences (gradcheck), the library's random state, and their error messages."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, gradcheck, gradgradcheck
from autograd.torch_functions import TORCH_IN_PLACE_FUNCTIONS, TORCH_METHOD_FUNCTIONS

RNG = np.random.default_rng(3)


@pytest.fixture
def unseeded_afterwards():
    yield
    autograd.random_state._seeded = None  # other tests keep fresh entropy, as a program that never seeds


# -- method forwards -------------------------------------------------------------------------------------------
def test_every_forward_is_a_module_function_that_calls_the_method():
    for name in TORCH_METHOD_FUNCTIONS:
        function = getattr(autograd, name)
        assert function.__name__ == name and f"input.{name}(" in function.__doc__


def test_forward_records_the_methods_op_and_gradient():
    x, a, b = (Tensor(RNG.normal(size=shape), requires_grad=True) for shape in ((2, 4), (2, 3), (3, 4)))
    out = autograd.addmm(x, a, b, beta=0.5, alpha=2)
    np.testing.assert_allclose(out.data, 0.5 * x.data + 2 * a.data @ b.data)
    out.sum().backward()
    np.testing.assert_allclose(x.grad, np.full((2, 4), 0.5))
    np.testing.assert_allclose(a.grad, 2 * np.ones((2, 4)) @ b.data.T)


def test_forwards_take_torchs_dim_and_keepdim():
    x = Tensor(np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]]))
    values, indices = autograd.median(x, dim=1, keepdim=True)
    np.testing.assert_array_equal(values.data, [[2.0], [4.0]])
    np.testing.assert_array_equal(indices.data, [[2], [2]])
    assert autograd.median(x).item() == 2.0
    np.testing.assert_array_equal(autograd.index_select(x, 1, [2, 0]).data, x.data[:, [2, 0]])
    assert [part.shape for part in autograd.chunk(x, 2, dim=1)] == [(2, 2), (2, 1)]
    np.testing.assert_array_equal(autograd.clip(x, min=1.0, max=4.0).data, np.clip(x.data, 1, 4))
    np.testing.assert_allclose(autograd.quantile(x, 0.5, dim=0).data, np.quantile(x.data, 0.5, axis=0))


def test_forwards_accept_arrays_and_lists_as_tensors():
    assert isinstance(autograd.sinc([0.0, 0.5]), Tensor)
    np.testing.assert_allclose(autograd.sinc(np.array([0.0, 0.5])).data, np.sinc([0.0, 0.5]))
    np.testing.assert_array_equal(autograd.nonzero(np.array([0, 3, 0, 1])).data, [[1], [3]])


def test_in_place_forwards_change_their_tensor_and_return_it():
    assert all(getattr(autograd, name).__name__ == name for name in TORCH_IN_PLACE_FUNCTIONS)
    x = Tensor(np.array([-1.5, 0.25, 4.0]))
    assert autograd.relu_(x) is x
    np.testing.assert_array_equal(x.data, [0.0, 0.25, 4.0])
    assert autograd.clamp_(x, 0.5, 2.0) is x and autograd.sqrt_(x) is x
    np.testing.assert_allclose(x.data, np.sqrt([0.5, 0.5, 2.0]))
    assert autograd.zero_(x) is x and not x.data.any() and x.version == 4


def test_in_place_forwards_record_the_in_place_op_on_a_graph():
    leaf = Tensor(np.array([0.5, -2.0, 3.0]), requires_grad=True)
    y = leaf * 2.0
    autograd.tanh_(y)
    y.sum().backward()
    np.testing.assert_allclose(leaf.grad, 2.0 * (1.0 - np.tanh(2.0 * leaf.data) ** 2))


@pytest.mark.parametrize("argument", [np.array([1.0, -2.0]), [1.0, -2.0], 3.0])
def test_in_place_forwards_refuse_what_is_not_a_tensor(argument):
    with pytest.raises(TypeError, match=r"abs_: changes a Tensor in place, got a .*out-of-place abs"):
        autograd.abs_(argument)
    if isinstance(argument, np.ndarray):
        np.testing.assert_array_equal(argument, [1.0, -2.0])


def test_property_forwards_read_the_property():
    x = Tensor([1.0, -2.0])
    assert autograd.real(x) is x
    with pytest.raises(TypeError, match="imag: not defined for a real tensor"):
        autograd.imag(x)


def test_forward_on_a_value_without_the_method_names_the_method():
    with pytest.raises(TypeError, match="addmm: not defined for a Value"):
        autograd.addmm(Value(1.0), 2.0, 3.0)


def test_forward_gradients_match_finite_differences():
    assert gradcheck(lambda x: autograd.dist(x, Tensor(np.ones(3)), 3), [RNG.normal(size=(2, 3))])
    assert gradcheck(lambda x: autograd.logit(x, eps=0.2), [RNG.uniform(0.1, 0.9, 4)])
    assert gradcheck(lambda x, y: autograd.xlogy(x, y), [RNG.normal(size=3), RNG.uniform(0.5, 2, 3)])


# -- factories -------------------------------------------------------------------------------------------------
def test_randint_takes_torchs_argument_forms(unseeded_afterwards):
    assert autograd.randint(5, (200,), generator=0).data.max() == 4
    draws = autograd.randint(-3, 2, (4, 50), generator=1)
    assert draws.shape == (4, 50) and draws.dtype == np.int64
    assert set(np.unique(draws.data)) == {-3, -2, -1, 0, 1}
    assert autograd.randint(high=3, size=(5,), generator=2).shape == (5,)
    assert autograd.randint(3, size=4, generator=2).shape == (4,)
    assert autograd.randint(0, 2, (3,), dtype=autograd.float32, generator=3).dtype == np.float32
    np.testing.assert_array_equal(
        autograd.randint(9, (6,), generator=7).data, autograd.randint(9, (6,), generator=7).data
    )


def test_random_factories_follow_manual_seed(unseeded_afterwards):
    autograd.manual_seed(4)
    first = (autograd.randint(100, (5,)).data, autograd.randperm(7).data, autograd.randint_like(np.zeros(3), 9).data)
    autograd.manual_seed(4)
    second = (autograd.randint(100, (5,)).data, autograd.randperm(7).data, autograd.randint_like(np.zeros(3), 9).data)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_randperm_is_a_permutation_and_randint_like_keeps_shape_and_dtype():
    permutation = autograd.randperm(10, generator=np.random.default_rng(5))
    assert permutation.dtype == np.int64 and sorted(permutation.data.tolist()) == list(range(10))
    assert autograd.randperm(0).shape == (0,)
    like = autograd.randint_like(Tensor(np.zeros((2, 3), np.float32)), 2, 6, generator=6)
    assert like.shape == (2, 3) and like.dtype == np.float32 and 2 <= like.data.min() and like.data.max() < 6
    assert autograd.randint_like(np.zeros(2), 3, dtype=np.int8).dtype == np.int8


def test_empty_like_logspace_and_concat():
    like = autograd.empty_like(Tensor(np.ones((2, 3), np.float32)), requires_grad=True)
    assert like.shape == (2, 3) and like.dtype == np.float32 and like.requires_grad
    np.testing.assert_allclose(autograd.logspace(0, 3, 4).data, [1.0, 10.0, 100.0, 1000.0])
    np.testing.assert_allclose(autograd.logspace(1, 3, 3, base=2).data, [2.0, 4.0, 8.0])
    assert autograd.concat is autograd.cat


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: autograd.randint(5), TypeError, "randint: missing the size"),
        (lambda: autograd.randint(5, 2, (3,)), ValueError, "randint: needs low < high, got low=5 and high=2"),
        (lambda: autograd.randint(5, (-1,)), ValueError, "randint: size must be non-negative integers"),
        (lambda: autograd.randperm(-2), ValueError, "randperm: size must be non-negative"),
        (lambda: autograd.logspace(0, 1, 2.5), ValueError, "logspace: size must be non-negative integers"),
    ],
)
def test_factories_reject_bad_arguments_naming_the_function(call, error, message):
    with pytest.raises(error, match=message):
        call()


# -- broadcasting ----------------------------------------------------------------------------------------------
def test_broadcast_tensors_share_one_shape_and_sum_gradients_back():
    a, b = Tensor(np.ones((3, 1)), requires_grad=True), Tensor(np.arange(4.0), requires_grad=True)
    wide_a, wide_b = autograd.broadcast_tensors(a, b)
    assert wide_a.shape == wide_b.shape == (3, 4)
    (wide_a * wide_b).sum().backward()
    np.testing.assert_array_equal(a.grad, np.full((3, 1), 6.0))
    np.testing.assert_array_equal(b.grad, np.full(4, 3.0))
    assert autograd.broadcast_shapes((2, 1), (1, 5), 5) == (2, 5)


def test_broadcasting_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"broadcast_tensors: shapes \[\(2,\), \(3,\)\] do not broadcast"):
        autograd.broadcast_tensors(np.ones(2), np.ones(3))
    with pytest.raises(ValueError, match=r"broadcast_shapes: shapes \[\(2,\), \(3,\)\] do not broadcast"):
        autograd.broadcast_shapes((2,), (3,))


# -- cdist -----------------------------------------------------------------------------------------------------
def _distances(x1, x2, p):
    differences = np.abs(x1[..., :, None, :] - x2[..., None, :, :])
    if p == math.inf:
        return differences.max(-1)
    if p == 0:
        return (differences != 0).sum(-1).astype(float)
    return (differences**p).sum(-1) ** (1 / p)


@pytest.mark.parametrize("p", [0, 0.5, 1, 2, 3, math.inf])
def test_cdist_is_the_p_norm_of_every_row_difference(p):
    x1, x2 = RNG.normal(size=(2, 4, 3)), RNG.normal(size=(5, 3))
    np.testing.assert_allclose(autograd.cdist(x1, x2, p).data, _distances(x1, x2, p), rtol=1e-12)


def test_cdist_broadcasts_batch_axes():
    x1, x2 = RNG.normal(size=(2, 1, 4, 3)), RNG.normal(size=(3, 5, 3))
    assert autograd.cdist(x1, x2).shape == (2, 3, 4, 5)


@pytest.mark.parametrize("p", [1, 2, 3, math.inf])
def test_cdist_gradient_matches_finite_differences(p):
    assert gradcheck(lambda a, b: autograd.cdist(a, b, p), [RNG.normal(size=(3, 2)), RNG.normal(size=(2, 4, 2))])


def test_cdist_gradient_at_zero_distance_is_zero():
    points = Tensor(np.array([[1.0, 2.0], [0.0, 1.0]]), requires_grad=True)
    autograd.cdist(points, Tensor(np.array([[1.0, 2.0]]))).sum().backward()
    np.testing.assert_allclose(points.grad, [[0.0, 0.0], [-1 / math.sqrt(2), -1 / math.sqrt(2)]])


@pytest.mark.parametrize(
    ("x1", "x2", "p", "message"),
    [
        (np.ones(3), np.ones((2, 3)), 2, r"at least 2 dimensions, got shapes \(3,\) and \(2, 3\)"),
        (np.ones((2, 3)), np.ones((2, 4)), 2, "must have the same number of columns"),
        (np.ones((2, 3)), np.ones((2, 3)), -1, "p must be >= 0, got -1"),
        (np.ones((2, 2, 3)), np.ones((3, 2, 3)), 2, "batch shapes"),
    ],
)
def test_cdist_rejects_mismatched_inputs(x1, x2, p, message):
    with pytest.raises(ValueError, match=f"cdist: .*{message}"):
        autograd.cdist(x1, x2, p)


# -- std_mean, var_mean ----------------------------------------------------------------------------------------
def test_std_mean_and_var_mean_use_torchs_correction():
    x = RNG.normal(size=(3, 4))
    std, mean = autograd.std_mean(x)
    np.testing.assert_allclose(std.data, np.std(x, ddof=1))
    np.testing.assert_allclose(mean.data, np.mean(x))
    var, mean = autograd.var_mean(x, dim=1, keepdim=True, correction=0)
    np.testing.assert_allclose(var.data, np.var(x, axis=1, keepdims=True))
    np.testing.assert_allclose(mean.data, np.mean(x, axis=1, keepdims=True))
    np.testing.assert_allclose(autograd.var_mean(x, False)[0].data, np.var(x))
    np.testing.assert_allclose(autograd.std_mean(x, 0, unbiased=False)[0].data, np.std(x, axis=0))


def test_std_mean_gradients_match_finite_differences():
    assert gradcheck(lambda x: autograd.std_mean(x, dim=0), [RNG.normal(size=(4, 3))])
    assert gradcheck(lambda x: autograd.var_mean(x, (0, 1), correction=2), [RNG.normal(size=(4, 3))])


def test_std_mean_rejects_two_corrections():
    with pytest.raises(TypeError, match="std: got unbiased=True and correction=0"):
        autograd.std_mean(np.ones(3), unbiased=True, correction=0)


# -- sorted search ---------------------------------------------------------------------------------------------
def test_searchsorted_finds_left_and_right_insertion_points():
    sequence, values = np.array([1.0, 2.0, 2.0, 4.0]), np.array([[2.0, 0.0], [5.0, 3.0]])
    left = autograd.searchsorted(sequence, values)
    assert left.dtype == np.int64 and not left.requires_grad
    np.testing.assert_array_equal(left.data, [[1, 0], [4, 3]])
    np.testing.assert_array_equal(autograd.searchsorted(sequence, values, right=True).data, [[3, 0], [4, 3]])
    np.testing.assert_array_equal(autograd.searchsorted(sequence, values, side="right").data, [[3, 0], [4, 3]])
    assert autograd.searchsorted(sequence, 2.0, out_int32=True).dtype == np.int32
    assert autograd.searchsorted(sequence, 2.0).shape == ()


def test_searchsorted_searches_each_row_and_applies_a_sorter():
    rows = np.array([[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]])
    np.testing.assert_array_equal(autograd.searchsorted(rows, np.array([[3.0], [3.0]])).data, [[1], [1]])
    unsorted = np.array([3.0, 1.0, 2.0])
    np.testing.assert_array_equal(autograd.searchsorted(unsorted, [2.5, 0.0], sorter=np.argsort(unsorted)).data, [2, 0])


def test_bucketize_puts_boundary_values_in_the_lower_bucket_unless_right():
    boundaries = np.array([1.0, 3.0, 5.0])
    values = Tensor(np.array([0.0, 1.0, 3.0, 4.0, 6.0]))
    np.testing.assert_array_equal(autograd.bucketize(values, boundaries).data, [0, 0, 1, 2, 3])
    np.testing.assert_array_equal(autograd.bucketize(values, boundaries, right=True).data, [0, 1, 2, 2, 3])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: autograd.searchsorted(np.ones(3), 1.0, side="middle"), "side must be 'left' or 'right'"),
        (lambda: autograd.searchsorted(np.ones(3), 1.0, right=True, side="left"), "contradict each other"),
        (lambda: autograd.searchsorted(np.ones((2, 3)), np.ones((3, 1))), "every axis but the last"),
        (lambda: autograd.searchsorted(np.float64(1.0), 1.0), "at least one dimension"),
        (lambda: autograd.bucketize(1.0, np.ones((2, 2))), r"boundaries must be 1-D, got shape \(2, 2\)"),
    ],
)
def test_sorted_search_rejects_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- combinatorics and block matrices --------------------------------------------------------------------------
def test_cartesian_prod_lists_tuples_in_order():
    a, b = np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])
    np.testing.assert_array_equal(autograd.cartesian_prod(a, b).data, list(itertools.product(a, b)))
    assert autograd.cartesian_prod(a).shape == (2,)
    assert gradcheck(lambda x, y: autograd.cartesian_prod(x, y), [a, b])


@pytest.mark.parametrize("r", [1, 2, 3, 5])
@pytest.mark.parametrize("with_replacement", [False, True])
def test_combinations_match_itertools(r, with_replacement):
    x = np.array([1.0, 2.0, 4.0, 8.0])
    choose = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    expected = np.array(list(choose(x, r))).reshape(-1, r)
    np.testing.assert_array_equal(autograd.combinations(x, r, with_replacement).data, expected)


def test_combinations_gradient_counts_each_entrys_uses():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    autograd.combinations(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])
    assert autograd.combinations(x, 0).shape == (0,)
    assert gradcheck(lambda t: autograd.combinations(t, 2, with_replacement=True) ** 2, [x.data])


def test_block_diag_places_blocks_down_the_diagonal():
    blocks = (np.float64(7.0), np.array([1.0, 2.0]), np.array([[3.0], [4.0]]))
    expected = np.array([[7.0, 0, 0, 0], [0, 1.0, 2.0, 0], [0, 0, 0, 3.0], [0, 0, 0, 4.0]])
    np.testing.assert_array_equal(autograd.block_diag(*blocks).data, expected)
    assert autograd.block_diag().shape == (1, 0)
    assert autograd.block_diag(np.ones(2, np.int64), np.ones(1, np.float32)).dtype == np.float32  # torch's promotion
    assert gradcheck(lambda a, b: autograd.block_diag(a, b) ** 2, [RNG.normal(size=(2, 3)), RNG.normal(size=3)])


def test_combinatorics_reject_tensors_that_are_not_vectors():
    with pytest.raises(ValueError, match=r"cartesian_prod: expects 1-D tensors, got shapes \[\(2,\), \(2, 2\)\]"):
        autograd.cartesian_prod(np.ones(2), np.ones((2, 2)))
    with pytest.raises(ValueError, match="combinations: r must be a non-negative integer"):
        autograd.combinations(np.ones(3), -1)
    with pytest.raises(ValueError, match=r"block_diag: expects tensors of at most 2 dimensions, got shape \(1, 1, 1\)"):
        autograd.block_diag(np.ones((1, 1, 1)))


def test_cartesian_prod_of_no_tensors_raises_torchs_runtime_error():
    with pytest.raises(RuntimeError, match="cartesian_prod: needs at least one tensor"):  # torch's: meshgrid's
        autograd.cartesian_prod()


# -- the trapezoidal rule --------------------------------------------------------------------------------------
def test_trapezoid_matches_numpy():
    y, x = RNG.normal(size=(3, 5)), np.sort(RNG.normal(size=5))
    np.testing.assert_allclose(autograd.trapezoid(y).data, np.trapezoid(y))
    np.testing.assert_allclose(autograd.trapezoid(y, x).data, np.trapezoid(y, x))
    np.testing.assert_allclose(autograd.trapezoid(y, dx=0.5, dim=0).data, np.trapezoid(y, dx=0.5, axis=0))
    np.testing.assert_allclose(autograd.trapz(y, x).data, np.trapezoid(y, x))
    np.testing.assert_allclose(autograd.trapezoid(y, np.tile(x, (3, 1))).data, np.trapezoid(y, x))


def test_cumulative_trapezoid_is_the_running_sum_of_trapezoids():
    y, x = np.array([1.0, 3.0, 2.0, 4.0]), np.array([0.0, 1.0, 3.0, 4.0])
    np.testing.assert_allclose(autograd.cumulative_trapezoid(y, x).data, [2.0, 7.0, 10.0])
    np.testing.assert_allclose(autograd.cumulative_trapezoid(y, dx=2.0).data, [4.0, 9.0, 15.0])
    assert autograd.cumulative_trapezoid(y[:1]).shape == (0,)
    assert autograd.trapezoid(np.ones((2, 0))).shape == (2,)


def test_trapezoidal_gradients_match_finite_differences():
    y, x = RNG.normal(size=(3, 4)), np.sort(RNG.normal(size=4))
    assert gradcheck(lambda a, b: autograd.trapezoid(a, b), [y, x])
    assert gradcheck(lambda a, b: autograd.cumulative_trapezoid(a, b, dim=0), [y, RNG.normal(size=(3, 4))])
    assert gradcheck(lambda a: autograd.trapz(a, dx=0.3, dim=0), [y])
    assert gradgradcheck(lambda a, b: autograd.trapezoid(a * a, b), [y, x])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: autograd.trapezoid(np.float64(1.0)), ValueError, "trapezoid: y must have at least one dimension"),
        (lambda: autograd.trapezoid(np.ones(3), np.ones(4)), ValueError, "1-D x of length 4 must match y"),
        (lambda: autograd.trapezoid(np.ones(3), np.ones(3), dx=1.0), TypeError, "give either x or dx"),
        (lambda: autograd.cumulative_trapezoid(np.ones((2, 3)), np.ones((3, 3))), ValueError, "does not broadcast"),
        (lambda: autograd.trapezoid(np.ones((2, 3)), dim=2), ValueError, "trapezoid"),
    ],
)
def test_trapezoidal_rule_rejects_bad_spacing(call, error, message):
    with pytest.raises(error, match=message):
        call()


# -- vander, triangle indices ----------------------------------------------------------------------------------
def test_vander_matches_numpy():
    x = np.array([0.0, 1.5, -2.0, 3.0])
    np.testing.assert_allclose(autograd.vander(x).data, np.vander(x))
    np.testing.assert_allclose(autograd.vander(x, 2, increasing=True).data, np.vander(x, 2, increasing=True))
    assert autograd.vander(x, N=0).shape == (4, 0)
    ints = autograd.vander(np.array([2, 3], dtype=np.int8), 3)
    assert ints.dtype == np.int64 and ints.data.tolist() == [[4, 2, 1], [9, 3, 1]]


def test_vander_gradient_holds_at_zero():
    x = Tensor(np.array([0.0, 2.0]), requires_grad=True)
    autograd.vander(x, 4).sum().backward()  # d/dx (x^3 + x^2 + x + 1) = 3x^2 + 2x + 1
    np.testing.assert_allclose(x.grad, [1.0, 17.0])
    assert gradcheck(lambda t: autograd.vander(t, 5, increasing=True), [RNG.normal(size=3)])


def test_vander_rejects_a_negative_size():
    with pytest.raises(ValueError, match="vander: N must be a non-negative integer, got -1"):
        autograd.vander(np.ones(2), -1)


def test_triangle_indices_list_the_triangles_row_by_row():
    lower = autograd.tril_indices(3, 3)
    assert lower.dtype == np.int64
    np.testing.assert_array_equal(lower.data, [[0, 1, 1, 2, 2, 2], [0, 0, 1, 0, 1, 2]])
    np.testing.assert_array_equal(autograd.triu_indices(2, 4, 1).data, [[0, 0, 0, 1, 1], [1, 2, 3, 2, 3]])
    assert autograd.tril_indices(0, 3).shape == (2, 0)
    assert autograd.triu_indices(3, 3, dtype=np.int32).dtype == np.int32


# -- types and modes -------------------------------------------------------------------------------------------
def test_dtype_queries_follow_numpy():
    assert autograd.is_tensor(Tensor(1.0)) and not autograd.is_tensor(Value(1.0)) and not autograd.is_tensor([1.0])
    assert autograd.result_type(Tensor(np.ones(2, np.float32)), 1.0) == np.float32
    assert autograd.result_type(Tensor(np.ones(2, np.int32)), Tensor(np.ones(2, np.int64))) == np.int64
    assert autograd.promote_types(autograd.int64, autograd.float16) == np.float16  # by category first, as torch
    assert autograd.can_cast(autograd.int32, autograd.float32) and not autograd.can_cast(
        autograd.float32, autograd.int32
    )
    assert autograd.can_cast(autograd.float64, autograd.float32)  # same kind, as torch
    assert not autograd.can_cast(autograd.int64, autograd.bool)


def test_inference_mode_records_no_graph_as_block_and_decorator():
    x = Tensor(np.ones(2), requires_grad=True)
    with autograd.inference_mode():
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad

    @autograd.inference_mode
    def bare():
        return x * 2

    @autograd.inference_mode()
    def called():
        return x * 2

    @autograd.inference_mode(False)
    def switched_off():
        return x * 2

    assert not bare().requires_grad and not called().requires_grad and switched_off().requires_grad
    assert autograd.is_grad_enabled()


def test_inference_mode_restores_the_outer_mode_when_reused_and_on_errors():
    mode = autograd.inference_mode()
    with autograd.no_grad(), autograd.inference_mode(False):
        assert autograd.is_grad_enabled()  # mode=False records, inside no_grad too, as torch
    with mode:
        with mode:
            assert not autograd.is_grad_enabled()
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()
    with pytest.raises(RuntimeError), autograd.inference_mode():
        raise RuntimeError
    assert autograd.is_grad_enabled()


def test_polygamma_takes_the_order_first_as_torch():
    x = Tensor(np.array([0.5, 2.0]))
    np.testing.assert_array_equal(autograd.polygamma(1, x).data, x.polygamma(1).data)
    np.testing.assert_allclose(autograd.polygamma(1, [1.0]).data, [math.pi**2 / 6], rtol=1e-8)


def test_is_inference_mode_enabled_follows_the_innermost_block_decorator_and_generator_as_torch():
    assert not autograd.is_inference_mode_enabled()
    with autograd.inference_mode():
        assert autograd.is_inference_mode_enabled() and not autograd.is_grad_enabled()
        with autograd.inference_mode(False):
            assert not autograd.is_inference_mode_enabled() and autograd.is_grad_enabled()
        assert autograd.is_inference_mode_enabled()
    assert not autograd.is_inference_mode_enabled()

    @autograd.inference_mode
    def inside():
        return autograd.is_inference_mode_enabled()

    @autograd.inference_mode()
    def steps():
        yield autograd.is_inference_mode_enabled()
        yield autograd.is_inference_mode_enabled()

    assert inside() and not autograd.is_inference_mode_enabled()
    generator = steps()
    assert next(generator) and not autograd.is_inference_mode_enabled() and next(generator)
    torch = pytest.importorskip("torch")
    with torch.inference_mode():
        assert torch.is_inference_mode_enabled()
        with torch.inference_mode(False):
            assert not torch.is_inference_mode_enabled()


def test_cdist_takes_torchs_compute_modes_and_refuses_others():
    x1, x2 = RNG.normal(size=(4, 3)), RNG.normal(size=(5, 3))
    for mode in ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"):
        np.testing.assert_allclose(autograd.cdist(x1, x2, compute_mode=mode).data, _distances(x1, x2, 2), rtol=1e-12)
    with pytest.raises(ValueError, match="cdist: 'x' is not a valid value for compute_mode"):
        autograd.cdist(x1, x2, compute_mode="x")


def test_the_package_version_is_pyprojects_as_torch_version():
    # Zero to Mastery's notebooks start with print(f"PyTorch version: {torch.__version__}")
    import pathlib

    import autograd

    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    pyproject = tomllib.loads((pathlib.Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert autograd.__version__ == pyproject["project"]["version"]
