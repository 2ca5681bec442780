"""autograd.row_scatter, the adjoint of reading slices along one axis, against np.add.at: both of its forms
(levels, one-hot product) on repeated and negative positions, any axis, non-finite slices and integer dtypes;
and the gradients of indexing and embeddings that go through it."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.row_scatter as rs
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck


def _add_at(g, positions, axis, shape):
    expected = np.zeros(shape, dtype=g.dtype)
    np.add.at(expected, (slice(None),) * axis + (positions,), g)
    return expected


@pytest.fixture(params=["levels", "one-hot"])
def form(request, monkeypatch):
    """Each form forced in turn: levels always (no one-hot), or one-hot wherever it is allowed."""
    monkeypatch.setattr(rs, "LEVEL_COST", 0 if request.param == "levels" else 10**18)
    monkeypatch.setattr(rs, "ENTRY_COST", 0 if request.param == "levels" else 10**9)
    return request.param


@settings(deadline=None, max_examples=60)
@given(
    st.lists(st.integers(-5, 4), min_size=0, max_size=30),
    st.sampled_from([((5, 3), 0), ((2, 5, 3), 1), ((3, 2, 5), 2), ((5,), 0)]),
)
def test_both_forms_are_np_add_at(positions, geometry):
    shape, axis = geometry
    positions = np.array(positions, dtype=np.int64)
    g = np.random.default_rng(len(positions)).standard_normal(shape[:axis] + (positions.size,) + shape[axis + 1 :])
    expected = _add_at(g, positions, axis, shape)
    for cost in (0, 10**18):  # levels, one-hot (hypothesis draws are not mixed with fixtures)
        rs.LEVEL_COST, rs.ENTRY_COST = cost, 0 if cost == 0 else -(10**9)
        try:
            result = rs.scatter_add_along(g, positions, axis, shape)
        finally:
            rs.LEVEL_COST, rs.ENTRY_COST = 270_000, 15
        np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-12)


def test_the_levels_add_each_targets_slices_in_their_order_as_np_add_at(form):
    # 1e16 + 1 - 1e16 + ... depends on the order of the sums: the levels keep np.add.at's, bit for bit
    g = np.array([[1e16], [1.0], [-1e16], [1.0], [3.0], [0.5]])
    positions = np.array([2, 2, 2, 0, 2, 0])
    result = rs.scatter_add_along(g, positions, 0, (3, 1))
    if form == "levels":
        np.testing.assert_array_equal(result, _add_at(g, positions, 0, (3, 1)))
    np.testing.assert_allclose(result[0], [1.5])


@pytest.mark.parametrize("targets", [7, 300, 70_000])  # positions sorted as uint8, uint16 and uint32 keys
def test_the_levels_keep_np_add_ats_order_bit_for_bit_on_many_repeats(targets):
    rng = np.random.default_rng(targets)
    positions = rng.integers(-targets, targets, size=3000)
    positions[:400] = 5  # one target repeated hundreds of times: levels past 255
    g = rng.standard_normal((positions.size, 2)) * 10.0 ** rng.integers(-8, 9, size=(positions.size, 1))
    result = rs._by_levels(g, positions % targets, np.bincount(positions % targets, minlength=targets), 0, (targets, 2))
    np.testing.assert_array_equal(result, _add_at(g, positions, 0, (targets, 2)))


def test_non_finite_slices_reach_only_their_own_targets(form):
    g = np.array([[np.inf, 1.0], [2.0, np.nan], [1.0, 1.0], [-np.inf, 0.0]])
    positions = np.array([1, 3, 1, 0])
    result = rs.scatter_add_along(g, positions, 0, (4, 2))
    np.testing.assert_array_equal(result, _add_at(g, positions, 0, (4, 2)))
    np.testing.assert_array_equal(result[2], [0.0, 0.0])  # no 0 * inf = nan spread by a one-hot product


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.float32])
def test_integer_and_float32_slices_keep_their_dtype(form, dtype):
    g = np.arange(12).reshape(6, 2).astype(dtype)
    positions = np.array([0, 1, 0, 0, -1, 1])
    result = rs.scatter_add_along(g, positions, 0, (3, 2))
    assert result.dtype == dtype
    np.testing.assert_array_equal(result, _add_at(g, positions, 0, (3, 2)))


def test_positions_without_repeats_are_one_assignment_and_none_give_zeros():
    g = np.arange(6.0).reshape(3, 2)
    np.testing.assert_array_equal(rs.scatter_add_along(g, np.array([2, 0, -2]), 0, (3, 2)), [[2, 3], [4, 5], [0, 1]])
    np.testing.assert_array_equal(
        rs.scatter_add_along(np.zeros((0, 2)), np.array([], int), 0, (3, 2)), np.zeros((3, 2))
    )


@pytest.mark.parametrize("index", [np.array([[0, 2, 2], [1, 2, 0]]), np.array([3, 3, 3, 1])])
def test_indexing_by_an_array_of_any_shape_sends_repeats_their_summed_gradient(form, index):
    x = np.random.default_rng(0).standard_normal((4, 3))
    upstream = np.random.default_rng(1).standard_normal(index.shape + (3,))
    for picked in (lambda t: t[index], lambda t: t[..., index.clip(0, 2)].swapaxes(0, -1)):
        t = Tensor(x, requires_grad=True)
        out = picked(t)
        weights = np.random.default_rng(2).standard_normal(out.shape)
        (out * weights).sum().backward()
        expected = np.zeros_like(x)
        if out.shape == index.shape + (3,):
            np.add.at(expected, index, weights)
        else:
            np.add.at(expected, (slice(None), index.clip(0, 2)), weights.swapaxes(0, -1))
        np.testing.assert_allclose(t.grad, expected, rtol=1e-12)
    assert gradcheck(lambda t: t[index] * upstream, [x])
    assert gradgradcheck(lambda t: t[index] ** 3, [x])


@pytest.mark.parametrize("options", [{}, {"padding_idx": 1}, {"scale_grad_by_freq": True}])
def test_embedding_of_a_batch_of_sequences_sends_each_row_its_summed_gradient(form, options):
    rng = np.random.default_rng(3)
    weight = rng.standard_normal((6, 4))
    indices = rng.integers(0, 6, (5, 7))
    upstream = rng.standard_normal((5, 7, 4))
    w = Tensor(weight, requires_grad=True)
    (F.embedding(indices, w, **options) * upstream).sum().backward()
    scale = np.ones(indices.shape)
    if options.get("scale_grad_by_freq"):
        scale = scale / np.bincount(indices.ravel(), minlength=6)[indices]
    if "padding_idx" in options:
        scale[indices == options["padding_idx"]] = 0
    expected = np.zeros_like(weight)
    np.add.at(expected, indices, upstream * scale[..., None])
    np.testing.assert_allclose(w.grad, expected, rtol=1e-12, atol=1e-15)
    if not options:  # (padding_idx and scale_grad_by_freq change the gradient on purpose, as torch)
        assert gradcheck(lambda t: F.embedding(indices, t) * upstream, [weight])
