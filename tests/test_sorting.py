"""autograd.sorting beyond the op table: indices against numpy and torch, ties, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd.sorting as so
from autograd import Tensor
from autograd.gradcheck import gradcheck, gradgradcheck


def test_argsort_matches_numpy_for_every_axis():
    x = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, -1.0]])
    for axis in (None, 0, 1, -1):
        np.testing.assert_array_equal(so.argsort(Tensor(x), axis), np.argsort(x, axis))


def test_sort_sends_each_gradient_through_the_permutation_and_ties_keep_their_order():
    x = Tensor(np.array([2.0, 1.0, 2.0]), requires_grad=True)
    (so.sort(x).values * np.array([10.0, 20.0, 30.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [20.0, 10.0, 30.0])  # stable: the first 2.0 is sorted first


def test_topk_indices_match_torch():
    torch = pytest.importorskip("torch")
    x = np.array([[3.0, 1.0, 2.0, 7.0], [0.0, 5.0, -1.0, 4.0]])
    for largest in (True, False):
        values, indices = so.topk(x, 2, dim=1, largest=largest)
        expected = torch.topk(torch.tensor(x), 2, dim=1, largest=largest)
        np.testing.assert_array_equal(indices, expected.indices.numpy())
        np.testing.assert_array_equal(values.data, expected.values.numpy())


@pytest.mark.parametrize("shape", [(2, 4), ()])
def test_topk_function_returns_torchs_named_values_and_indices(shape):
    torch = pytest.importorskip("torch")
    import autograd

    x = np.array([[3.0, 1.0, 2.0, 7.0], [0.0, 5.0, -1.0, 4.0]]) if shape else np.array(2.5)
    k = 2 if shape else 1
    ours, theirs = autograd.topk(Tensor(x), k), torch.topk(torch.tensor(x), k)
    np.testing.assert_array_equal(ours.values.data, theirs.values.numpy())  # torch.topk(...).values
    np.testing.assert_array_equal(ours.indices.data, theirs.indices.numpy())
    assert ours._fields == ("values", "indices")


def test_sort_and_topk_reject_bad_arguments():
    with pytest.raises(ValueError, match="sort: axis -1 is out of bounds for a 0-d array"):
        so.sort(np.float64(1.0), axis=-1)
    with pytest.raises(ValueError, match="argsort: axis 3 is out of bounds for an array of dimension 1"):
        so.argsort(np.ones(2), axis=3)
    with pytest.raises(ValueError, match=r"topk: k must be an integer in \[0, 2\] for dim -1 of shape \(2,\), got 3"):
        so.topk(np.ones(2), 3)


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint64, np.int8, np.int32, np.int64, np.bool_])
def test_descending_order_of_integers_and_bools_includes_zero_and_the_dtype_extremes(dtype):
    info = np.iinfo(dtype) if dtype is not np.bool_ else None
    values = [True, False, True, False] if info is None else [0, int(info.max), 3, int(info.min), 3, 1]
    x = np.array(values, dtype=dtype)
    # the stable descending order, by a Python sort of the indices (no array arithmetic that could wrap)
    expected_order = sorted(range(len(values)), key=lambda i: -int(values[i]))
    np.testing.assert_array_equal(so.argsort(Tensor(x), descending=True).data, expected_order)
    sorted_values, indices = Tensor(x).sort(descending=True)
    np.testing.assert_array_equal(indices.data, expected_order)
    np.testing.assert_array_equal(sorted_values.data, x[expected_order])
    top_values, top_indices = so.topk(Tensor(x), 2)
    np.testing.assert_array_equal(top_indices.data, expected_order[:2])
    np.testing.assert_array_equal(top_values.data, x[expected_order[:2]])
    assert sorted_values.dtype == x.dtype
    torch = pytest.importorskip("torch")
    if dtype in (np.uint16, np.uint64):
        return  # torch 2.13 sorts only the integer dtypes it fully supports on CPU
    expected = torch.sort(torch.from_numpy(x), descending=True, stable=True)
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())


# -- topk's partition (k at most half the length): ties at the k-th entry, NaN, -0.0 ----------------------------
def _python_top_indices(line: list[float], k: int, largest: bool) -> list[int]:
    """topk's indices of one line by Python's stable sort: NaN the largest, -0.0 equal to 0.0."""

    def rank(i: int) -> tuple[int, float]:
        value = line[i]
        if value != value:  # NaN
            return (0, 0.0) if largest else (1, 0.0)
        return (1, -value) if largest else (0, value)

    return sorted(range(len(line)), key=rank)[:k]


def _expected_top_indices(x: np.ndarray, k: int, dim: int, largest: bool) -> np.ndarray:
    lines = np.moveaxis(x, dim, -1)
    flat = [_python_top_indices(line.tolist(), k, largest) for line in lines.reshape(-1, lines.shape[-1])]
    return np.moveaxis(np.array(flat, dtype=np.int64).reshape(lines.shape[:-1] + (k,)), -1, dim)


@settings(deadline=None, max_examples=200)
@given(
    st.lists(st.sampled_from([-1.0, -0.0, 0.0, 1.0, 2.0, np.inf, -np.inf, np.nan]), min_size=24, max_size=24),
    st.sampled_from([(24,), (2, 12), (4, 6), (2, 3, 4)]),
    st.data(),
)
def test_topk_partition_matches_a_stable_sort_with_ties_nan_and_signed_zeros(values, shape, data):
    x = np.array(values).reshape(shape)
    dim = data.draw(st.integers(-x.ndim, x.ndim - 1))
    k = data.draw(st.integers(1, max(1, x.shape[dim] // 2)))
    largest = data.draw(st.booleans())
    values_out, indices = so.topk(Tensor(x), k, dim, largest)
    expected = _expected_top_indices(x, k, dim, largest)
    np.testing.assert_array_equal(indices.data, expected)
    np.testing.assert_array_equal(values_out.data, np.take_along_axis(x, expected, dim))
    np.testing.assert_array_equal(np.signbit(values_out.data), np.signbit(np.take_along_axis(x, expected, dim)))


def test_topk_takes_the_earliest_of_the_ties_straddling_the_kth_position():
    x = np.array([[0.0, 3.0, 1.0, 3.0, 3.0, 5.0, 3.0, 0.0, 2.0, 1.0, 3.0, 0.0]])
    values, indices = so.topk(Tensor(x), 4, dim=1)
    np.testing.assert_array_equal(indices.data, [[5, 1, 3, 4]])  # five 3.0 tie for places 2 to 6
    np.testing.assert_array_equal(values.data, [[5.0, 3.0, 3.0, 3.0]])
    values, indices = so.topk(Tensor(x), 5, dim=1, largest=False)
    np.testing.assert_array_equal(indices.data, [[0, 7, 11, 2, 9]])  # two 1.0 tie for places 4 and 5
    np.testing.assert_array_equal(values.data, [[0.0, 0.0, 0.0, 1.0, 1.0]])


def test_topk_partition_ranks_nan_first_and_signed_zeros_as_equal():
    x = np.array([1.0, np.nan, -0.0, 0.0, np.inf, np.nan, -np.inf, 0.0, -0.0, -1.0, 1.0, 2.0])
    values, indices = so.topk(Tensor(x), 3)
    np.testing.assert_array_equal(indices.data, [1, 5, 4])
    values, indices = so.topk(Tensor(x), 4, largest=False)
    np.testing.assert_array_equal(indices.data, [6, 9, 2, 3])  # -0.0 and 0.0 tie: the earlier first
    assert np.signbit(values.data[2]) and not np.signbit(values.data[3])
    torch = pytest.importorskip("torch")
    for k, largest in ((3, True), (4, False), (6, False)):
        expected = torch.topk(torch.tensor(x), k, largest=largest).values.numpy()
        np.testing.assert_array_equal(so.topk(Tensor(x), k, largest=largest)[0].data, expected)


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int64, np.bool_, np.float32])
def test_topk_partition_of_integers_bools_and_float32_matches_a_stable_sort(dtype):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2 if dtype is np.bool_ else 5, (3, 40)).astype(dtype)
    for largest in (True, False):
        for k in (1, 7, 20):
            values, indices = so.topk(Tensor(x), k, dim=1, largest=largest)
            expected = _expected_top_indices(x.astype(np.float64), k, 1, largest)
            np.testing.assert_array_equal(indices.data, expected)
            assert values.dtype == x.dtype and indices.dtype == np.int64


def test_topk_partition_gradient_goes_to_the_chosen_entries():
    x = np.random.default_rng(1).standard_normal((3, 16, 2))
    assert gradcheck(lambda t: so.topk(t, 3, dim=1)[0] * np.arange(18.0).reshape(3, 3, 2), [x])
    assert gradgradcheck(lambda t: so.topk(t, 3, dim=1, largest=False)[0] ** 2, [x])
    ties = Tensor(np.array([1.0, 2.0, 2.0, 0.0, 2.0, 0.0, 0.0, 0.0]), requires_grad=True)
    (so.topk(ties, 2)[0] * np.array([10.0, 20.0])).sum().backward()
    np.testing.assert_array_equal(ties.grad, [0.0, 10.0, 20.0, 0.0, 0.0, 0.0, 0.0, 0.0])


def test_topk_of_a_zero_d_tensor_and_of_k_zero_and_the_whole_length():
    for k in (1, 0):  # k = 0 too gives the one entry of a 0-d input, as torch's topk
        x0 = Tensor(3.0, requires_grad=True)
        values, indices = so.topk(x0, k)
        assert values.shape == () and indices.shape == () and values.item() == 3.0 and indices.item() == 0
        values.backward()
        assert x0.grad == 1.0
    with pytest.raises(ValueError):
        so.topk(Tensor(3.0), 2)
    x = np.array([[2.0, 1.0, 2.0, 3.0]])
    assert so.topk(Tensor(x), 0, dim=1)[0].shape == (1, 0)
    np.testing.assert_array_equal(so.topk(Tensor(x), 4, dim=1)[1].data, [[3, 0, 2, 1]])


def test_argsort_takes_torchs_positional_descending():
    # torch.argsort(x, dim, descending) and x.argsort(dim, descending): a bool where numpy has ``kind``
    x = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 4.0]])
    largest_first = [[0, 2, 1], [1, 2, 0]]
    np.testing.assert_array_equal(Tensor(x).argsort(1, True), largest_first)
    np.testing.assert_array_equal(so.argsort(Tensor(x), 1, True), largest_first)
    np.testing.assert_array_equal(Tensor(x).argsort(1, False), np.argsort(x, axis=1))
    np.testing.assert_array_equal(Tensor(x).argsort(1, "stable"), np.argsort(x, axis=1, kind="stable"))


@pytest.mark.parametrize("descending", [True, False])
def test_sort_function_takes_torchs_positional_descending_with_torchs_values_indices_and_gradient(descending):
    # torch.sort(x, dim, descending): a bool where numpy has ``kind``; the (values, indices) pair, as torch's
    torch = pytest.importorskip("torch")
    x = np.array([[3.0, 1.0, np.nan, 2.0], [0.0, 5.0, 4.0, 5.0]])
    ours, reference = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    values, indices = so.sort(ours, 1, descending)
    expected = torch.sort(reference, stable=True, dim=1, descending=descending)
    np.testing.assert_array_equal(values.data, expected.values.detach().numpy())
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())
    weights = np.arange(8.0).reshape(2, 4)
    (values * Tensor(weights)).sum().backward()
    (expected.values * torch.tensor(weights)).sum().backward()
    np.testing.assert_array_equal(ours.grad, reference.grad.numpy())


@pytest.mark.parametrize("k", [1.5, 2.0, True, np.float64(1.0)])
@pytest.mark.parametrize("shape", [(4,), ()])
def test_topk_of_a_float_or_bool_k_is_a_type_error_as_torch(k, shape):
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        torch.zeros(shape).topk(k)
    with pytest.raises(TypeError, match="topk: k must be an integer"):
        Tensor(np.zeros(shape)).topk(k)


def test_sort_function_called_as_torch_sort_returns_values_and_indices_as_torch():
    # torch.sort(x) and torch.sort(x, dim): the pair, also for a 0-d tensor (itself and index 0)
    torch = pytest.importorskip("torch")
    x = np.array([[3.0, 1.0, 2.0], [2.0, 5.0, -1.0]])
    for args in ((), (0,), (1,), (-1,)):
        values, indices = so.sort(Tensor(x), *args)
        expected = torch.sort(torch.tensor(x), dim=args[0] if args else -1, stable=True)
        np.testing.assert_array_equal(values.data, expected.values.numpy())
        np.testing.assert_array_equal(indices.data, expected.indices.numpy())
    values, indices = so.sort(Tensor(np.array(2.5)))
    assert values.shape == () and float(values) == 2.5 and int(indices) == 0


def test_sort_called_as_numpy_sort_returns_the_values_alone():
    x = np.array([[3.0, 1.0, 2.0], [2.0, 5.0, -1.0]])
    for keywords in ({"axis": 0}, {"axis": -1}, {"axis": None}, {"axis": 1, "kind": "stable"}):
        result = so.sort(Tensor(x), **keywords)
        assert isinstance(result, Tensor)
        np.testing.assert_array_equal(result.data, np.sort(x, **keywords))
    np.testing.assert_array_equal(so.sort(Tensor(x), None).data, np.sort(x, None))
    for args in ((), (0,), (None,)):  # numpy's own dispatch of np.sort on a Tensor
        result = np.sort(Tensor(x), *args)
        assert isinstance(result, Tensor)
        np.testing.assert_array_equal(result.data, np.sort(x, *args))
    with pytest.raises(TypeError, match="got both dim=0 and axis=1"):
        so.sort(Tensor(x), 0, axis=1)
