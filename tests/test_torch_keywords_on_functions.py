"""torch's keyword spellings on the module functions (``autograd.cumsum(x, dim=1)`` as ``torch.cumsum``):
the same results as numpy's spellings and as torch, numpy's calls unchanged, both spellings a TypeError."""

import numpy as np
import pytest

import autograd as ag
from autograd.torch_keywords import ValuesAndIndices

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4, 5))  # distinct entries: no ties to order
M = RNG.standard_normal((4, 5))


def _data(value):
    return value.data if isinstance(value, ag.Tensor) else np.asarray(value)


# (function, torch's keywords, the same call with numpy's keywords); each on X (or M, a pair for tensordot)
SAME_AS_NUMPY = [
    (ag.cumsum, {"dim": 1}, {"axis": 1}),
    (ag.cumsum, {"dim": None}, {"axis": None}),
    (ag.cumprod, {"dim": -1}, {"axis": -1}),
    (ag.diff, {"dim": 0}, {"axis": 0}),
    (ag.diff, {"n": 2, "dim": 2}, {"n": 2, "axis": 2}),
    (ag.logcumsumexp, {"dim": 1}, {"axis": 1}),
    (ag.argmax, {"dim": 1}, {"axis": 1}),
    (ag.argmax, {"dim": 1, "keepdim": True}, {"axis": 1, "keepdims": True}),
    (ag.argmin, {"dim": 2, "keepdim": True}, {"axis": 2, "keepdims": True}),
    (ag.argmin, {"keepdim": True}, {"keepdims": True}),
    (ag.argsort, {"dim": 0}, {"axis": 0}),
    (ag.argsort, {"dim": 1, "stable": True}, {"axis": 1, "kind": "stable"}),
    (ag.flip, {"dims": (0, 2)}, {"axis": (0, 2)}),
    (ag.flip, {"dims": [1]}, {"axis": 1}),
    (ag.roll, {"shifts": 2, "dims": 1}, {"shift": 2, "axis": 1}),
    (ag.roll, {"shifts": (1, -2), "dims": (0, 2)}, {"shift": (1, -2), "axis": (0, 2)}),
    (ag.roll, {"shifts": 3}, {"shift": 3}),
    (ag.tril, {"diagonal": 1}, {"k": 1}),
    (ag.triu, {"diagonal": -1}, {"k": -1}),
    (ag.diagonal, {"offset": 1, "dim1": 1, "dim2": 2}, {"offset": 1, "axis1": 1, "axis2": 2}),
    (ag.diagonal, {"dim1": 2, "dim2": 0}, {"axis1": 2, "axis2": 0}),
]


@pytest.mark.parametrize(("function", "torch_keywords", "numpy_keywords"), SAME_AS_NUMPY)
def test_torch_keywords_match_numpy_keywords(function, torch_keywords, numpy_keywords):
    np.testing.assert_array_equal(
        _data(function(ag.Tensor(X), **torch_keywords)), _data(function(ag.Tensor(X), **numpy_keywords))
    )


@pytest.mark.parametrize(
    ("function", "reference", "keywords"),
    [
        (ag.cumsum, np.cumsum, {"axis": 1}),
        (ag.cumprod, np.cumprod, {"axis": 0}),
        (ag.diff, np.diff, {"axis": 1}),
        (ag.argmax, np.argmax, {"axis": 2, "keepdims": True}),
        (ag.argmin, np.argmin, {}),
        (ag.argsort, np.argsort, {"axis": 0}),
        (ag.sort, np.sort, {"axis": 1}),
        (ag.flip, np.flip, {"axis": (0, 1)}),
        (ag.roll, np.roll, {"shift": 2, "axis": 2}),
        (ag.tril, np.tril, {"k": 1}),
        (ag.triu, np.triu, {}),
        (ag.diagonal, np.diagonal, {"offset": -1, "axis1": 2, "axis2": 1}),
    ],
)
def test_numpy_calls_behave_as_before(function, reference, keywords):
    """numpy's spellings: numpy's results (for a Tensor and through numpy's dispatch); sort returns the values only."""
    result = function(ag.Tensor(X), **keywords)
    assert isinstance(result, ag.Tensor)
    np.testing.assert_allclose(result.data, reference(X, **keywords), rtol=1e-12)
    np.testing.assert_allclose(_data(reference(ag.Tensor(X), **keywords)), reference(X, **keywords), rtol=1e-12)


def test_numpy_calls_on_arrays_and_positional_arguments_unchanged():
    np.testing.assert_array_equal(ag.argmax(X, 1), np.argmax(X, 1))
    assert isinstance(ag.argsort(X, 0), np.ndarray)
    np.testing.assert_array_equal(ag.argsort(X, None), np.argsort(X, None))
    np.testing.assert_array_equal(ag.roll(ag.Tensor(X), 1).data, np.roll(X, 1))
    np.testing.assert_array_equal(ag.tril(ag.Tensor(M), -1).data, np.tril(M, -1))
    np.testing.assert_array_equal(ag.diagonal(ag.Tensor(X), 0, 1, 2).data, np.diagonal(X, 0, 1, 2))
    np.testing.assert_allclose(ag.tensordot(ag.Tensor(X), ag.Tensor(M), 2).data, np.tensordot(X, M, 2))
    values, indices = ag.cummax(ag.Tensor(M), 1)
    np.testing.assert_array_equal(values.data, np.maximum.accumulate(M, axis=1))
    np.testing.assert_array_equal(ag.logcumsumexp(ag.Tensor(M), 0).data, ag.logcumsumexp(ag.Tensor(M), dim=0).data)
    np.testing.assert_array_equal(ag.sort(ag.Tensor(M), None).data, np.sort(M, None))


def test_tensordot_dims():
    a, b = ag.Tensor(X), ag.Tensor(RNG.standard_normal((5, 4, 2)))
    np.testing.assert_allclose(
        ag.tensordot(a, b, dims=([1, 2], [1, 0])).data, np.tensordot(X, b.data, ([1, 2], [1, 0]))
    )
    np.testing.assert_allclose(ag.tensordot(ag.Tensor(X), ag.Tensor(M), dims=2).data, np.tensordot(X, M, 2))


def test_cummax_and_cummin_take_dim():
    for function in (ag.cummax, ag.cummin):
        by_dim, by_axis = function(ag.Tensor(X), dim=2), function(ag.Tensor(X), axis=2)
        assert isinstance(by_dim, ValuesAndIndices)
        np.testing.assert_array_equal(by_dim.values.data, by_axis.values.data)
        np.testing.assert_array_equal(by_dim.indices.data, by_axis.indices.data)


def test_sort_with_torch_keywords_returns_values_and_indices():
    for keywords in ({"dim": 1}, {"descending": False, "axis": 1}, {"dim": 1, "descending": True}):
        values, indices = ag.sort(ag.Tensor(M), **keywords)
        order = np.argsort(-M if keywords.get("descending") else M, axis=1)
        np.testing.assert_array_equal(indices.data, order)
        np.testing.assert_array_equal(values.data, np.take_along_axis(M, order, axis=1))
    assert isinstance(ag.sort(ag.Tensor(M), stable=True), ValuesAndIndices)  # torch's stable= (numpy 2's too)
    assert isinstance(ag.sort(ag.Tensor(M), axis=1, stable=True), ag.Tensor)  # with numpy's axis=, numpy's result


def test_sort_with_dim_carries_the_gradient():
    x = ag.Tensor(M, requires_grad=True)
    values, _ = ag.sort(x, dim=0, descending=True)
    (values * ag.Tensor(np.arange(values.size, dtype=float).reshape(values.shape))).sum().backward()
    order = np.argsort(-M, axis=0)
    expected = np.zeros_like(M)
    np.put_along_axis(expected, order, np.arange(M.size, dtype=float).reshape(M.shape), axis=0)
    np.testing.assert_array_equal(x.grad.data if isinstance(x.grad, ag.Tensor) else x.grad, expected)


@pytest.mark.parametrize(
    ("call", "names"),
    [
        (lambda x: ag.cumsum(x, 0, dim=1), "axis=0 and dim=1"),
        (lambda x: ag.cumprod(x, axis=0, dim=0), "axis=0 and dim=0"),
        (lambda x: ag.diff(x, axis=0, dim=1), "axis=0 and dim=1"),
        (lambda x: ag.logcumsumexp(x, 0, dim=1), "axis=0 and dim=1"),
        (lambda x: ag.cummax(x, 0, dim=1), "axis=0 and dim=1"),
        (lambda x: ag.cummin(x, axis=1, dim=1), "axis=1 and dim=1"),
        (lambda x: ag.argmax(x, 0, dim=1), "axis=0 and dim=1"),
        (lambda x: ag.argmin(x, 0, True, keepdim=True), "keepdims=True and keepdim=True"),
        (lambda x: ag.argsort(x, 0, dim=1), "axis=0 and dim=1"),
        (lambda x: ag.argsort(x, kind="quicksort", stable=True), "kind='quicksort' and stable=True"),
        (lambda x: ag.sort(x, 0, axis=1), "dim=0 and axis=1"),
        (lambda x: ag.flip(x, 0, dims=1), "axis=0 and dims=1"),
        (lambda x: ag.roll(x, 1, shifts=2), "shift=1 and shifts=2"),
        (lambda x: ag.roll(x, 1, 0, dims=1), "axis=0 and dims=1"),
        (lambda x: ag.tril(x, 1, diagonal=1), "k=1 and diagonal=1"),
        (lambda x: ag.triu(x, k=-1, diagonal=2), "k=-1 and diagonal=2"),
        (lambda x: ag.diagonal(x, 0, 2, dim1=1), "axis1=2 and dim1=1"),
        (lambda x: ag.diagonal(x, axis2=2, dim2=0), "axis2=2 and dim2=0"),
        (lambda x: ag.tensordot(x, x, 1, dims=1), "axes=1 and dims=1"),
    ],
)
def test_both_spellings_at_once_are_a_type_error(call, names):
    with pytest.raises(TypeError, match=names):
        call(ag.Tensor(X))


def test_numpy_default_beside_torch_keyword_is_accepted():
    """A numpy keyword at its default beside torch's spelling is not a conflict (as torch_keywords documents)."""
    np.testing.assert_array_equal(ag.diff(ag.Tensor(X), 1, -1, dim=0).data, np.diff(X, axis=0))
    np.testing.assert_array_equal(ag.tril(ag.Tensor(M), 0, diagonal=1).data, np.tril(M, 1))
    np.testing.assert_array_equal(ag.argmax(ag.Tensor(X), None, False, dim=1).data, np.argmax(X, 1))


@pytest.mark.parametrize(
    "call",
    [lambda x: ag.cummax(x), lambda x: ag.logcumsumexp(x), lambda x: ag.roll(x), lambda x: ag.roll(x, dims=0)],
)
def test_a_required_argument_in_neither_spelling_is_a_type_error(call):
    with pytest.raises(TypeError, match="missing"):
        call(ag.Tensor(X))


# -- against torch ---------------------------------------------------------------------------------------------
TORCH_CALLS = [
    ("cumsum", {"dim": 1}),
    ("cumprod", {"dim": 2}),
    ("diff", {"dim": 0}),
    ("diff", {"n": 2, "dim": -1}),
    ("logcumsumexp", {"dim": 1}),
    ("argmax", {"dim": 1}),
    ("argmax", {"dim": 2, "keepdim": True}),
    ("argmin", {"dim": 0, "keepdim": True}),
    ("argmin", {}),
    ("argsort", {"dim": 1}),
    ("argsort", {"dim": 0, "descending": True}),
    ("argsort", {"dim": -1, "stable": True}),
    ("flip", {"dims": (0, 2)}),
    ("flip", {"dims": [1]}),
    ("roll", {"shifts": 2, "dims": 1}),
    ("roll", {"shifts": (1, -2), "dims": (0, 2)}),
    ("roll", {"shifts": 4}),
    ("tril", {"diagonal": 1}),
    ("triu", {"diagonal": -2}),
    ("diagonal", {"offset": 1, "dim1": 1, "dim2": 2}),
    ("diagonal", {"dim1": 2, "dim2": 0}),
]


@pytest.mark.parametrize(("name", "keywords"), TORCH_CALLS)
def test_matches_torch(name, keywords):
    torch = pytest.importorskip("torch")
    expected = getattr(torch, name)(torch.tensor(X), **keywords).numpy()
    result = getattr(ag, name)(ag.Tensor(X), **keywords)
    assert result.shape == expected.shape
    np.testing.assert_allclose(result.data, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["cummax", "cummin"])
def test_cummax_cummin_match_torch(name):
    torch = pytest.importorskip("torch")
    expected = getattr(torch, name)(torch.tensor(X), dim=1)
    values, indices = getattr(ag, name)(ag.Tensor(X), dim=1)
    np.testing.assert_array_equal(values.data, expected.values.numpy())
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())


@pytest.mark.parametrize("keywords", [{"dim": 0}, {"dim": -1, "descending": True}, {"descending": True}])
def test_sort_matches_torch(keywords):
    torch = pytest.importorskip("torch")
    expected = torch.sort(torch.tensor(X), **keywords)
    values, indices = ag.sort(ag.Tensor(X), **keywords)
    np.testing.assert_array_equal(values.data, expected.values.numpy())
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())


@pytest.mark.parametrize(("dims", "shape"), [(2, (4, 5, 2)), (1, (5, 3)), (([1, 2], [1, 0]), (5, 4, 2))])
def test_tensordot_matches_torch(dims, shape):
    torch = pytest.importorskip("torch")
    other = RNG.standard_normal(shape)
    expected = torch.tensordot(torch.tensor(X), torch.tensor(other), dims=dims).numpy()
    np.testing.assert_allclose(ag.tensordot(ag.Tensor(X), ag.Tensor(other), dims=dims).data, expected, rtol=1e-12)


def test_module_max_and_min_take_numpys_axis_and_keepdims_and_give_the_values():
    x = ag.Tensor(np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]]), requires_grad=True)
    np.testing.assert_array_equal(ag.max(x, axis=1).data, [5.0, 7.0])
    np.testing.assert_array_equal(ag.min(x, axis=0, keepdims=True).data, [[1.0, 0.0, 2.0]])
    np.testing.assert_array_equal(ag.amax(x, axis=(0, 1), keepdims=True).data, [[7.0]])
    np.testing.assert_array_equal(ag.amin(x, axis=1).data, [1.0, 0.0])
    ag.max(x, axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    values, indices = ag.max(x, 1)  # torch's positional dim keeps torch's pair
    np.testing.assert_array_equal(indices.data, [1, 0])
    with pytest.raises(TypeError, match=r"amax: got both dim=0 and axis=1"):
        ag.amax(x, 0, axis=1)
    with pytest.raises(TypeError, match=r"max: got numpy's axis=/keepdims= with torch's dim/keepdim/other"):
        ag.max(x, 1, axis=1)


def test_an_empty_torch_dim_reduces_every_axis_and_an_empty_numpy_axis_none():
    torch = pytest.importorskip("torch")
    data = np.arange(6.0).reshape(2, 3)
    x, t = ag.Tensor(data), torch.tensor(data)
    for name in ("sum", "mean", "amax", "var", "std"):
        np.testing.assert_allclose(getattr(x, name)(dim=[]).data, getattr(t, name)(dim=[]).numpy(), err_msg=name)
    assert x.sum(dim=(), keepdim=True).shape == (1, 1)
    assert x.sum(axis=()).shape == (2, 3) and x.amax(axis=()).shape == (2, 3)  # numpy's axis=()


def test_module_expand_dims_is_numpys():
    assert ag.expand_dims(np.ones((2, 3)), (0, 2)).shape == (1, 2, 1, 3)
    x = ag.Tensor(np.ones(3), requires_grad=True)
    result = ag.expand_dims(x, -1)
    assert result.shape == (3, 1) and result.requires_grad
