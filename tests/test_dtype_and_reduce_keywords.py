"""torch's and numpy's ``dtype=`` on reductions, running ops and softmax (the input cast first), torch's
positional ``descending`` of sort, torch's ``reduce=`` of scatter, round(decimals) and the shifts by name."""

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, gradcheck

X32 = np.array([[0.25, 2.5, -1.25], [3.0, 1.0, 2.0]], dtype=np.float32)


@pytest.mark.parametrize(
    ("call", "reference"),
    [
        (lambda x: x.sum(dtype=np.float64), lambda a: a.astype(np.float64).sum()),
        (lambda x: x.sum(1, dtype=np.float64), lambda a: a.astype(np.float64).sum(1)),
        (lambda x: x.mean(dim=0, dtype=np.float64), lambda a: a.astype(np.float64).mean(0)),
        (lambda x: x.prod(dtype=np.float64), lambda a: a.astype(np.float64).prod()),
        (lambda x: x.cumsum(1, dtype=np.float64), lambda a: a.astype(np.float64).cumsum(1)),
        (lambda x: x.cumprod(dim=1, dtype=np.float64), lambda a: a.astype(np.float64).cumprod(1)),
        (lambda x: ag.cumsum(x, 0, dtype=np.float64), lambda a: a.astype(np.float64).cumsum(0)),
        (lambda x: np.sum(x, axis=0, dtype=np.float64), lambda a: np.sum(a, axis=0, dtype=np.float64)),
        (lambda x: np.mean(x, dtype=np.float64), lambda a: np.mean(a, dtype=np.float64)),
        (lambda x: np.cumsum(x, axis=1, dtype=np.float64), lambda a: np.cumsum(a, axis=1, dtype=np.float64)),
    ],
)
def test_dtype_keyword_casts_the_input_first_and_the_gradient_comes_back_in_its_dtype(call, reference):
    x = Tensor(X32, requires_grad=True)
    result = call(x)
    assert result.dtype == np.float64
    np.testing.assert_allclose(result.data, reference(X32), rtol=1e-12)
    result.sum().backward()
    assert x.grad.dtype == np.float32


def test_softmax_and_log_softmax_with_dtype_match_torch():
    torch = pytest.importorskip("torch")
    x, t = Tensor(X32), torch.tensor(X32)
    np.testing.assert_allclose(x.softmax(-1, dtype=np.float64).data, t.softmax(-1, dtype=torch.float64).numpy())
    np.testing.assert_allclose(
        x.log_softmax(dim=1, dtype=np.float64).data, t.log_softmax(1, dtype=torch.float64).numpy()
    )
    assert x.softmax(-1, dtype=np.float64).dtype == np.float64


def test_sorts_second_positional_argument_is_torchs_descending_when_a_bool():
    x = Tensor(X32)
    values, indices = x.sort(1, True)
    np.testing.assert_array_equal(values.data, -np.sort(-X32, axis=1))
    np.testing.assert_array_equal(indices.data, np.argsort(-X32, axis=1, kind="stable"))
    np.testing.assert_array_equal(x.sort(1, "stable").values.data, np.sort(X32, axis=1))  # numpy's kind


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
@pytest.mark.parametrize("reduce", ["add", "multiply"])
def test_scatter_with_reduce_combines_with_the_entries_as_torch(reduce):
    torch = pytest.importorskip("torch")
    base, source = np.arange(12.0).reshape(3, 4), np.arange(1.0, 13.0).reshape(3, 4)
    index = np.array([[0, 1], [2, 0]])
    ours = Tensor(base).scatter(1, Tensor(index), Tensor(source), reduce=reduce)
    theirs = torch.tensor(base).scatter(1, torch.tensor(index), torch.tensor(source), reduce=reduce)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    ours = Tensor(base).scatter(1, Tensor(index), value=2.5, reduce=reduce)
    np.testing.assert_array_equal(
        ours.data, torch.tensor(base).scatter(1, torch.tensor(index), 2.5, reduce=reduce).numpy()
    )


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
@pytest.mark.parametrize("reduce", [None, "add", "multiply"])
def test_the_scatter_function_takes_torchs_value_and_reduce_keywords_as_the_method(reduce):
    torch = pytest.importorskip("torch")
    base, source = np.arange(12.0).reshape(3, 4), np.arange(1.0, 13.0).reshape(3, 4)
    index = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])
    options = {} if reduce is None else {"reduce": reduce}  # (torch takes no reduce=None)
    ours = ag.scatter(Tensor(base), 0, index, src=Tensor(source[:2]), reduce=reduce)
    theirs = torch.scatter(torch.tensor(base), 0, torch.tensor(index), src=torch.tensor(source[:2]), **options)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    ours = ag.scatter(Tensor(base), 0, index, value=2.5, reduce=reduce)
    theirs = torch.scatter(torch.tensor(base), 0, torch.tensor(index), value=2.5, **options)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    with pytest.raises(TypeError, match="exactly one of src and value"):
        ag.scatter(Tensor(base), 0, index, reduce=reduce)


@pytest.mark.parametrize("reduce", ["add", "multiply"])
def test_scatter_with_reduce_has_a_gradient_checked_by_finite_differences(reduce):
    # (torch gives none: "derivative for aten::scatter is not implemented")
    index = Tensor(np.array([[0, 1], [2, 0]]))
    base = np.random.default_rng(0).uniform(0.5, 2.0, (2, 4))
    source = np.random.default_rng(1).uniform(0.5, 2.0, (2, 2))
    assert gradcheck(lambda b, s: b.scatter(1, index, s, reduce=reduce), [base, source])


def test_scatter_reduce_names_its_choices():
    with pytest.raises(ValueError, match=r"scatter: reduce must be 'add' or 'multiply', got 'max'"):
        Tensor(np.zeros(3)).scatter(0, Tensor(np.array([0])), value=1.0, reduce="max")


def test_round_takes_decimals_as_numpy_and_torch_with_zero_gradient():
    data = np.array([0.12345, 2.5, -1.255, 3.5, 1234.5678])
    x = Tensor(data, requires_grad=True)
    for decimals in (0, 1, 2, -2):
        np.testing.assert_allclose(x.round(decimals=decimals).data, np.round(data, decimals), rtol=1e-15)
    np.testing.assert_allclose(x.round(2).data, np.round(data, 2))
    np.testing.assert_allclose(ag.Value(2.345).round(2).data, np.round(2.345, 2))
    x.round(decimals=1).sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(5))


def test_bitwise_shifts_by_torchs_names():
    x = Tensor(np.array([1, 2, 8], dtype=np.int32))
    np.testing.assert_array_equal(x.bitwise_left_shift(2).data, [4, 8, 32])
    np.testing.assert_array_equal(ag.bitwise_right_shift(x, 1).data, [0, 1, 4])
    assert x.bitwise_left_shift(2).dtype == np.int32
    y = Tensor(np.array([1, 2, 8]))
    y.bitwise_right_shift_(1)
    np.testing.assert_array_equal(y.data, [0, 1, 4])


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_integer_division_with_a_rounding_mode_stays_integer_as_torch(mode):
    a = np.array([7, -7, 7, -7, 6, 0], dtype=np.int64)
    b = np.array([2, 2, -2, -2, 3, 5])
    result = Tensor(a).div(Tensor(b), rounding_mode=mode)
    expected = np.floor_divide(a, b) if mode == "floor" else np.trunc(a / b).astype(np.int64)
    assert result.dtype == np.int64
    np.testing.assert_array_equal(result.data, expected)
    small = Tensor(a.astype(np.int32)).div(3, rounding_mode=mode)
    assert small.dtype == np.int32
    np.testing.assert_array_equal(small.data, np.floor_divide(a, 3) if mode == "floor" else np.trunc(a / 3))


FLOAT_DIVIDENDS = np.array([1.0, -7.5, np.inf, 3.0, 2.0, -1.0, 5.0, -0.0])
FLOAT_DIVISORS = np.array([0.1, np.inf, 2.0, 0.0, np.nan, 3.0, -2.0, 4.0])


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        # floor division as Python's // (1.0 // 0.1 is 9: the floor of the exact quotient, not of 1.0 / 0.1 = 10.0)
        ("floor", [1.0 // 0.1, -1.0, np.nan, np.inf, np.nan, -1.0, -3.0, -0.0]),
        # trunc of the true quotient as division rounds it
        ("trunc", [10.0, -0.0, np.inf, np.inf, np.nan, -0.0, -2.0, -0.0]),
    ],
)
def test_float_division_with_a_rounding_mode_is_torchs_with_zero_gradients_everywhere(mode, expected):
    x, y = Tensor(FLOAT_DIVIDENDS, requires_grad=True), Tensor(FLOAT_DIVISORS, requires_grad=True)
    with np.errstate(all="ignore"):
        result = x.div(y, rounding_mode=mode)
    np.testing.assert_array_equal(result.data, expected)
    numbers = ~np.isnan(expected)  # (the signs of zeros too; a nan's sign means nothing)
    np.testing.assert_array_equal(np.signbit(result.data[numbers]), np.signbit(np.array(expected)[numbers]))
    result.sum().backward()  # a step function of both: 0, also where y is 0, inf or nan
    np.testing.assert_array_equal(x.grad, np.zeros(8))
    np.testing.assert_array_equal(y.grad, np.zeros(8))


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_float_division_with_a_rounding_mode_matches_torch(mode):
    torch = pytest.importorskip("torch")
    x, y = Tensor(FLOAT_DIVIDENDS, requires_grad=True), Tensor(FLOAT_DIVISORS, requires_grad=True)
    xt, yt = (torch.tensor(a, requires_grad=True) for a in (FLOAT_DIVIDENDS, FLOAT_DIVISORS))
    ours, theirs = x.div(y, rounding_mode=mode), torch.div(xt, yt, rounding_mode=mode)
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_array_equal(x.grad, xt.grad.numpy())
    np.testing.assert_array_equal(y.grad, yt.grad.numpy())


SUMMING_CALLS = {
    "sum": lambda x, **kw: x.sum(**kw),
    "prod": lambda x, **kw: x.prod(**kw),
    "nansum": lambda x, **kw: x.nansum(**kw),
    "cumsum": lambda x, **kw: x.cumsum(1, **kw),
    "cumprod": lambda x, **kw: x.cumprod(1, **kw),
    "trace": lambda x, **kw: ag.trace(x),
}
NUMPY_IN_INT64 = {
    "sum": lambda a: a.sum(),
    "prod": lambda a: a.prod(),
    "nansum": lambda a: a.sum(),
    "cumsum": lambda a: a.cumsum(1),
    "cumprod": lambda a: a.cumprod(1),
    "trace": lambda a: np.trace(a),
}


@pytest.mark.parametrize("name", sorted(SUMMING_CALLS))
@pytest.mark.parametrize("dtype", [np.bool_, np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32, np.int64])
def test_sums_and_products_of_booleans_and_narrow_integers_are_int64_as_torchs(name, dtype):
    # torch: int64 for every integer and boolean input; numpy's would be uint64 for the unsigned ones
    a = np.array([[1, 2, 3], [0, 5, 250]], dtype=np.int64).astype(dtype)
    result = SUMMING_CALLS[name](Tensor(a))
    assert result.dtype == np.int64
    np.testing.assert_array_equal(result.data, NUMPY_IN_INT64[name](a.astype(np.int64)))


@pytest.mark.parametrize("name", ["sum", "prod", "nansum", "cumsum", "cumprod"])
@pytest.mark.parametrize("asked", [np.int16, np.uint8, np.float32])
def test_a_dtype_asked_for_is_the_dtype_of_an_integer_sum_or_product(name, asked):
    a = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32)
    result = SUMMING_CALLS[name](Tensor(a), dtype=asked)
    assert result.dtype == asked
    np.testing.assert_array_equal(result.data, NUMPY_IN_INT64[name](a.astype(np.int64)).astype(asked))
