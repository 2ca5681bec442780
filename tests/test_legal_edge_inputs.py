"""Legal inputs at the edges that numpy and torch accept: an empty list index, ``concatenate(axis=None)``,
one-argument ``np.where``, ``flatten('F')``, sorting a 0-d tensor, a variance with no degrees of freedom
(nan, without warnings), and erf/gelu keeping float16."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from autograd import Tensor

A = np.arange(12.0).reshape(3, 4)


def test_an_empty_list_index_selects_nothing_as_numpy():
    x = Tensor(A, requires_grad=True)
    picked = x[[]]
    assert picked.shape == A[[]].shape == (0, 4)
    picked.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros_like(A))
    t = Tensor(A)
    t[[]] = 1.0
    np.testing.assert_array_equal(t.data, A)


@pytest.mark.parametrize("join", [ag.concatenate, np.concatenate], ids=["autograd", "numpy"])
def test_concatenate_with_axis_none_joins_the_flattened_tensors(join):
    a, b = Tensor(A, requires_grad=True), Tensor(np.array([1.0, 2.0]), requires_grad=True)
    joined = join([a, b], axis=None)
    np.testing.assert_array_equal(joined.data, np.concatenate([A, [1.0, 2.0]], axis=None))
    (joined * np.arange(14.0)).sum().backward()
    np.testing.assert_array_equal(a.grad, np.arange(12.0).reshape(3, 4))
    np.testing.assert_array_equal(b.grad, [12.0, 13.0])


def test_where_with_the_condition_alone_gives_torchs_index_tensors():
    torch = pytest.importorskip("torch")
    for condition in (A > 5, np.array(True), np.array(False), np.zeros((2, 0, 3), bool), A[0] % 2 == 0):
        ours, theirs = ag.where(Tensor(condition)), torch.where(torch.from_numpy(condition))
        assert len(ours) == len(theirs)
        for got, expected in zip(ours, theirs):
            assert isinstance(got, Tensor) and got.dtype == np.int64 and not got.requires_grad
            np.testing.assert_array_equal(got.data, expected.numpy())
    rows, columns = ag.where(Tensor(A) > 5)
    np.testing.assert_array_equal(Tensor(A)[rows, columns].data, A[A > 5])  # they index as torch's do


def test_where_with_the_condition_alone_gives_numpys_nonzero_indices():
    t = Tensor(A)
    for ours, theirs in [(np.where(t > 5), np.where(A > 5)), (ag.where(t > 5), np.nonzero(A > 5))]:
        assert isinstance(ours, tuple) and len(ours) == 2
        for got, expected in zip(ours, theirs):
            assert got.dtype == np.int64
            np.testing.assert_array_equal(got, expected)
    with pytest.raises(TypeError, match="both x and y, or neither"):
        ag.where(t > 5, t)


@pytest.mark.parametrize("order", ["C", "F", "A"])
def test_flatten_takes_numpys_order(order):
    x = Tensor(A, requires_grad=True)
    flat = x.flatten(order)
    np.testing.assert_array_equal(flat.data, A.flatten(order))
    (flat * np.arange(12.0)).sum().backward()
    expected = np.empty(12)
    expected[A.flatten(order).astype(int)] = np.arange(12.0)  # A holds each entry's C-order position
    np.testing.assert_array_equal(x.grad.reshape(-1), expected)


@pytest.mark.parametrize("order", ["C", "F", "A"])
def test_flatten_takes_numpys_order_as_a_keyword(order):
    """``x.flatten(order="F")``, numpy's keyword (a TypeError before): numpy's values, each entry's gradient back in
    its place."""
    x = Tensor(A, requires_grad=True)
    flat = x.flatten(order=order)
    np.testing.assert_array_equal(flat.data, A.flatten(order=order))
    (flat * np.arange(12.0)).sum().backward()
    expected = np.empty(12)
    expected[A.flatten(order=order).astype(int)] = np.arange(12.0)
    np.testing.assert_array_equal(x.grad.reshape(-1), expected)
    with pytest.raises(TypeError, match="order= .* start_dim/end_dim"):
        x.flatten(1, order=order)


def test_flatten_with_an_unknown_order_names_it():
    with pytest.raises(ValueError, match="order must be 'C', 'F' or 'A', got 'K'"):
        Tensor(A).flatten("K")


def test_sorting_a_zero_dim_tensor_gives_itself_and_index_zero_as_torch():
    x = Tensor(3.0, requires_grad=True)
    for axis in (0, -1):
        values, indices = x.sort(axis)
        assert values.shape == () and values.item() == 3.0
        assert indices.shape == () and indices.item() == 0 and indices.dtype == np.int64
    x.sort(0).values.backward()
    assert x.grad == 1.0
    with pytest.raises(np.exceptions.AxisError):
        x.sort(1)


def test_sorting_a_zero_dim_tensor_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = Tensor(3.0).sort(0), torch.tensor(3.0).sort(0)
    assert ours.values.item() == theirs.values.item() and ours.indices.item() == theirs.indices.item()


@pytest.mark.parametrize(
    ("compute", "expected"),
    [
        (lambda: Tensor(np.ones((2, 1))).var(dim=1), [np.nan, np.nan]),
        (lambda: Tensor(np.zeros(0)).var(), np.nan),
        (lambda: Tensor(np.zeros(0)).std(), np.nan),
        (lambda: Tensor([1.0, 3.0]).var(ddof=3), np.inf),
        (lambda: Tensor([[1.0], [2.0]]).std(dim=1), [np.nan, np.nan]),
    ],
    ids=["unbiased_one_element", "empty", "empty_std", "ddof_beyond_count", "unbiased_std_one_element"],
)
def test_variance_with_no_degrees_of_freedom_is_nan_without_warnings(compute, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = compute()
    np.testing.assert_array_equal(result.data, expected)


def test_variance_with_no_degrees_of_freedom_matches_torch_and_numpy():
    torch = pytest.importorskip("torch")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.ones(2, 1, dtype=torch.float64).var(dim=1).numpy()
        numpys = np.var(np.zeros(0))
    np.testing.assert_array_equal(Tensor(np.ones((2, 1))).var(dim=1).data, theirs)
    np.testing.assert_array_equal(Tensor(np.zeros(0)).var().data, numpys)


def test_erf_and_gelu_keep_float16_as_torch():
    x = Tensor(np.array([0.5, -1.0, 3.0], dtype=np.float16), requires_grad=True)
    assert x.erf().dtype == np.float16
    y = F.gelu(x)
    assert y.dtype == np.float16
    y.sum().backward()
    assert x.grad.dtype == np.float16
    np.testing.assert_allclose(x.erf().data, ag.erf(np.array([0.5, -1.0, 3.0])), rtol=1e-3)


@pytest.mark.parametrize("target_requires_grad", [False, True])
def test_an_infinite_pos_weight_gives_nan_where_the_target_is_0_without_warnings(target_requires_grad):
    # torch: y * pos_weight = 0 * inf is nan for a negative sample, the positive one's loss is inf * softplus(-x)
    logits = Tensor(np.array([0.5, -1.0]), requires_grad=True)
    target = Tensor(np.array([1.0, 0.0]), requires_grad=target_requires_grad)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.binary_cross_entropy_with_logits(
            logits, target, pos_weight=Tensor(np.array([np.inf, np.inf])), reduction="none"
        )
        loss.sum().backward()
    assert loss.data[0] == np.inf and np.isnan(loss.data[1])


def test_an_infinite_pos_weight_at_a_logit_far_below_zero_gives_inf_as_torch():
    # L softplus(-|x|) with softplus(-800) = 0 exactly and L = inf: the term is 0, not 0 * inf = nan; the loss is
    # q y softplus(-x) = inf * 800
    logits = Tensor(np.array([-800.0, -700.0]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.binary_cross_entropy_with_logits(
            logits, np.array([1.0, 1.0]), pos_weight=np.array([np.inf, 2.0]), reduction="none"
        )
        loss.sum().backward()
    assert loss.data[0] == np.inf
    np.testing.assert_allclose(loss.data[1], 2.0 * 700.0)
    np.testing.assert_allclose(logits.grad[1], -2.0)
