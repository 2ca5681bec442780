"""numpy's functions on Tensors and Values stay in the graph (autograd.numpy_protocol): values against numpy on
the raw data, gradients against finite differences (autograd.gradcheck, float64)."""

import math
import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value, gradcheck

RNG = np.random.default_rng(3)
X = RNG.uniform(0.2, 0.9, (3, 4))
Y = RNG.uniform(0.2, 0.9, (3, 4))
MASK = np.arange(12).reshape(3, 4) % 3 != 0


def _check_in_graph_against_numpy(call, rtol=1e-14):
    """``call`` on a Tensor gives a node of the graph with numpy's value on the data, and passes gradcheck."""
    result = call(Tensor(X, requires_grad=True))
    assert isinstance(result, Tensor) and result.requires_grad
    np.testing.assert_allclose(result.data, call(X), rtol=rtol)
    assert gradcheck(call, [X])


UNARY = [
    "exp", "log", "sqrt", "sin", "cos", "tan", "tanh", "sinh", "cosh", "arcsin", "arccos", "arctan", "arcsinh",
    "arctanh", "square", "reciprocal", "log1p", "expm1", "log2", "log10", "exp2", "absolute", "fabs", "negative",
    "positive", "degrees", "radians", "deg2rad", "rad2deg",
]  # fmt: skip


@pytest.mark.parametrize("name", UNARY)
def test_numpy_ufuncs_of_one_tensor_are_the_librarys_ops(name):
    _check_in_graph_against_numpy(getattr(np, name))


BINARY = ["add", "subtract", "multiply", "true_divide", "divide", "power", "maximum", "minimum", "arctan2", "hypot",
          "logaddexp", "logaddexp2", "fmax", "fmin", "copysign"]  # fmt: skip


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("tensor_side", ["first", "second", "both"])
def test_numpy_ufuncs_of_two_inputs_with_an_ndarray_on_either_side(name, tensor_side):
    ufunc = getattr(np, name)
    expected = ufunc(X, Y)
    if tensor_side == "first":
        result, check = ufunc(Tensor(X, requires_grad=True), Y), lambda x: ufunc(x, Y)
    elif tensor_side == "second":
        result, check = ufunc(X, Tensor(Y, requires_grad=True)), lambda y: ufunc(X, y)
    else:
        result, check = ufunc(Tensor(X, requires_grad=True), Tensor(Y)), lambda x: ufunc(x, Tensor(Y))
    assert isinstance(result, Tensor) and result.requires_grad
    np.testing.assert_allclose(result.data, expected, rtol=1e-14)
    assert gradcheck(check, [X if tensor_side != "second" else Y])


@pytest.mark.parametrize(
    "expression",
    [
        lambda a, x: a + x,
        lambda a, x: a - x,
        lambda a, x: a * x,
        lambda a, x: a / x,
        lambda a, x: a**x,
        lambda a, x: a @ x.T,
        lambda a, x: a % x,
        lambda a, x: np.float64(2.5) * x - a,
    ],
    ids=["add", "sub", "mul", "div", "pow", "matmul", "mod", "numpy-scalar"],
)
def test_an_ndarray_on_the_left_of_an_operator_gives_a_tensor_in_the_graph(expression):
    _check_in_graph_against_numpy(lambda x: expression(Y, x))


def test_comparisons_through_numpy_give_boolean_tensors_like_the_operators():
    x = Tensor(X, requires_grad=True)
    for got, expected in [
        (np.greater(x, 0.5), X > 0.5),
        (x <= 0.5, X <= 0.5),
        (Y > x, Y > X),
        (np.equal(x, X), X == X),
        (np.isnan(x), X != X),
    ]:
        assert isinstance(got, Tensor) and got.dtype == bool and not got.requires_grad
        np.testing.assert_array_equal(got.data, expected)


FUNCTIONS = [
    ("sum", lambda m, x: m.sum(x, axis=1, keepdims=True)),
    ("sum-all", lambda m, x: m.sum(x)),
    ("mean", lambda m, x: m.mean(x, axis=0)),
    ("prod", lambda m, x: m.prod(x, axis=1)),
    ("max", lambda m, x: m.max(x, axis=1)),
    ("amin", lambda m, x: m.amin(x, axis=0, keepdims=True)),
    ("var", lambda m, x: m.var(x, axis=1, ddof=1)),
    ("std", lambda m, x: m.std(x)),
    ("clip", lambda m, x: m.clip(x, 0.3, 0.7)),
    ("reshape", lambda m, x: m.reshape(x, (4, 3))),
    ("transpose", lambda m, x: m.transpose(x)),
    ("expand_dims", lambda m, x: m.expand_dims(x, 1)),
    ("concatenate", lambda m, x: m.concatenate([x, Y, x], axis=1)),
    ("stack", lambda m, x: m.stack([x, Y])),
    ("where", lambda m, x: m.where(X > 0.5, x, Y)),
    ("dot", lambda m, x: m.dot(x, Y.T)),
    ("einsum", lambda m, x: m.einsum("ij,ij->i", x, Y)),
    ("outer", lambda m, x: m.outer(x, Y[0])),
    ("trace", lambda m, x: m.trace(x)),
    ("cumsum", lambda m, x: m.cumsum(x, axis=1)),
    ("sort", lambda m, x: m.sort(x, axis=1)),
    ("flip", lambda m, x: m.flip(x, 0)),
    ("tile", lambda m, x: m.tile(x, (2, 1))),
    ("roll", lambda m, x: m.roll(x, 1, axis=1)),
    ("diff", lambda m, x: m.diff(x, axis=1)),
    ("norm", lambda m, x: m.linalg.norm(x, axis=1)),
    ("solve", lambda m, x: m.linalg.solve(x[:, :3] + 3 * m.eye(3), Y[:, 0])),
    # numpy's where= and initial= on reductions
    ("sum-where", lambda m, x: m.sum(x, axis=1, where=MASK)),
    ("sum-initial", lambda m, x: m.sum(x, initial=2.5)),
    ("prod-where", lambda m, x: m.prod(x, axis=0, where=MASK, keepdims=True)),
    ("mean-where", lambda m, x: m.mean(x, axis=1, where=MASK)),
    ("max-initial", lambda m, x: m.max(x, axis=1, initial=0.6)),
    ("min-where-initial", lambda m, x: m.min(x, axis=0, initial=10.0, where=MASK)),
    # numpy's functions that the library spells as torch does, through numpy's arguments
    ("median-all", lambda m, x: m.median(x)),  # an even count: the mean of the two middle values
    ("median-axis", lambda m, x: m.median(x, axis=1)),
    ("median-axes-keepdims", lambda m, x: m.median(x, axis=(0, 1), keepdims=True)),
    ("quantile", lambda m, x: m.quantile(x, [0.2, 0.9], axis=1, keepdims=True)),
    ("quantile-method", lambda m, x: m.quantile(x, 0.3, axis=0, method="midpoint")),
    ("nansum", lambda m, x: m.nansum(x, axis=1)),
    ("nanmean", lambda m, x: m.nanmean(x, axis=0, keepdims=True)),
    ("cov", lambda m, x: m.cov(x)),
    ("cov-columns-ddof", lambda m, x: m.cov(x, rowvar=False, ddof=0)),
    ("corrcoef", lambda m, x: m.corrcoef(x)),
    ("nan_to_num", lambda m, x: m.nan_to_num(x)),
    ("sinc", lambda m, x: m.sinc(x)),
    ("i0", lambda m, x: m.i0(x)),
    ("cross", lambda m, x: m.cross(x[:, :3], Y[:, :3])),
    ("cross-left", lambda m, x: m.cross(Y[:, 1:], x[:, 1:])),
    ("vdot", lambda m, x: m.vdot(Y, x)),
    ("trapezoid", lambda m, x: m.trapezoid(x, dx=0.5, axis=0)),
    ("trapezoid-x", lambda m, x: m.trapezoid(x[0], Y[0])),
    ("diagflat", lambda m, x: m.diagflat(x[0], 1)),
    ("matrix_power", lambda m, x: m.linalg.matrix_power(x[:, :3], 3)),
]


@pytest.mark.parametrize("call", [call for _, call in FUNCTIONS], ids=[name for name, _ in FUNCTIONS])
def test_numpy_functions_of_the_table_run_the_librarys_function(call):
    _check_in_graph_against_numpy(lambda x: call(np, x), rtol=1e-13)


def test_numpy_clip_of_an_array_between_tensor_bounds_is_torchs_clamp():
    torch = pytest.importorskip("torch")
    low, high = Tensor(Y - 0.3, requires_grad=True), Tensor(Y + 0.1, requires_grad=True)
    result = np.clip(X, low, high)  # numpy calls for the Tensor bounds: X is a constant
    result.backward(np.ones_like(X))
    torch_low, torch_high = (torch.tensor(b, requires_grad=True) for b in (Y - 0.3, Y + 0.1))
    expected = torch.clamp(torch.tensor(X), torch_low, torch_high)
    expected.backward(torch.ones_like(expected))
    np.testing.assert_array_equal(result.data, expected.detach().numpy())
    np.testing.assert_array_equal(low.grad, torch_low.grad.numpy())
    np.testing.assert_array_equal(high.grad, torch_high.grad.numpy())


def test_numpy_functions_called_for_a_tensor_beside_an_array_first_argument_read_the_array_as_a_constant():
    weights = np.array([1.0, 2.0, 0.5, 1.5])
    assert gradcheck(lambda w: np.cov(X, aweights=w), [weights])
    np.testing.assert_allclose(np.cov(X, fweights=Tensor([1, 2, 1, 3])).data, np.cov(X, fweights=[1, 2, 1, 3]))
    np.testing.assert_allclose(np.quantile(X, Tensor(0.3), axis=1).data, np.quantile(X, 0.3, axis=1))
    np.testing.assert_allclose(np.percentile(X, Tensor([30.0, 60.0])).data, np.percentile(X, [30.0, 60.0]))


def test_numpy_fix_rounds_toward_zero_in_the_graph_with_zero_gradient():
    x = Tensor(np.array([-1.5, 0.4, 2.7]), requires_grad=True)
    result = np.fix(x)
    np.testing.assert_array_equal(result.data, [-1.0, 0.0, 2.0])
    result.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(3))


@pytest.mark.parametrize(
    "writer",
    [
        lambda x: np.copyto(x, 0.0),
        lambda x: np.fill_diagonal(x, 0.0),
        lambda x: np.put(x, [0], [5.0]),
        lambda x: np.place(x, X > 0.5, [0.0]),
        lambda x: np.putmask(x, X > 0.5, 0.0),
    ],
    ids=["copyto", "fill_diagonal", "put", "place", "putmask"],
)
def test_numpy_writers_cannot_change_a_tensor_behind_the_graph(writer):
    x = Tensor(X.copy(), requires_grad=True)
    with pytest.raises(ValueError, match=r"numpy's \w+ would change a node's data in place, outside the graph"):
        writer(x)
    np.testing.assert_array_equal(x.data, X)
    assert x.version == 0


@pytest.mark.parametrize(
    "writer",
    [lambda x: np.add.at(x, [0, 0], 1.0), lambda x: np.negative.at(x, [1])],
    ids=["add.at", "negative.at"],
)
def test_numpy_ufunc_at_cannot_change_a_constant_tensor_that_the_graph_saved(writer):
    w = Tensor(np.ones(3), requires_grad=True)
    c = Tensor(np.array([1.0, 2.0, 3.0]))
    loss = (w * c).sum()  # saves c for w's gradient
    with pytest.raises(ValueError, match=r"numpy's \w+\.at would change a node's data in place"):
        writer(c)
    np.testing.assert_array_equal(c.data, [1.0, 2.0, 3.0])
    loss.backward()
    np.testing.assert_array_equal(w.grad, [1.0, 2.0, 3.0])
    values = np.zeros(3)
    np.add.at(values, [0, 0], Tensor(np.array([1.0, 2.0])))  # into an ndarray: numpy's own, the values plain
    np.testing.assert_array_equal(values, [3.0, 0.0, 0.0])


def test_numpy_functions_outside_the_table_read_the_data_as_constants():
    x = Tensor(X, requires_grad=True)
    assert np.allclose(x, X) and np.shape(x) == (3, 4) and np.argmax(x) == np.argmax(X)
    with pytest.warns(UserWarning, match="numpy's histogram has no derivative in this library"):
        counts, edges = np.histogram(x, bins=3)
    np.testing.assert_array_equal(edges, np.histogram(X, bins=3)[1])
    np.testing.assert_allclose(x, X)  # numpy's testing helpers keep working on Tensors


@pytest.mark.parametrize("q", [50, [10, 90], 0])
@pytest.mark.parametrize("axis", [None, 0, 1])
def test_numpy_percentile_is_the_quantile_at_q_over_100_in_the_graph(q, axis):
    x = Tensor(X, requires_grad=True)
    result = np.percentile(x, q, axis=axis)
    np.testing.assert_allclose(result.data, np.percentile(X, q, axis=axis), rtol=1e-12)
    assert gradcheck(lambda t: np.percentile(t, q, axis=axis), (X + np.arange(X.size).reshape(X.shape) * 1e-3,))


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: m.sum(x, dtype=np.int8),  # wraps in int8
        lambda m, x: m.prod(x, axis=1, dtype=np.int16),
        lambda m, x: m.add.reduce(x, axis=0, dtype=np.int8),
        lambda m, x: m.sum(x, initial=1.5),  # the initial cast to the integer result: 1
        lambda m, x: m.prod(x, axis=0, initial=2.7),
        lambda m, x: m.max(x, axis=1, initial=50.5),
        lambda m, x: m.min(x, axis=0, initial=-3.5, where=np.array([True, False, True])),
        lambda m, x: m.mean(x, axis=1, dtype=np.float32),
    ],
    ids=["sum-int8", "prod-int16", "add.reduce-int8", "sum-initial", "prod-initial", "max-initial", "min-initial-where",
         "mean-float32"],
)  # fmt: skip
def test_numpy_reductions_dtype_and_initial_give_numpys_value_and_dtype(call):
    x = np.array([[100, 27, -128], [90, -7, 55]], dtype=np.int8)
    expected = call(np, x)
    result = call(np, Tensor(x))
    assert result.dtype == expected.dtype
    np.testing.assert_array_equal(result.data, expected)


def test_numpy_options_without_a_meaning_for_tensors_are_refused_by_name():
    x = Tensor(X, requires_grad=True)
    with pytest.raises(TypeError, match="out not supported"):
        np.sum(x, out=np.zeros(()))
    with pytest.raises(TypeError, match="where not supported"):
        np.var(x, where=X > 0.5)
    with pytest.raises(ValueError, match="np.max on a Tensor: where= needs initial="):
        np.max(x, where=X > 0.5)
    with pytest.raises(TypeError, match="spacing has no derivative"):
        np.spacing(x)
    with pytest.raises(TypeError, match="out= cannot be a Tensor"):
        np.add(X, X, out=(x,))
    np.testing.assert_array_equal(np.spacing(Tensor(X)), np.spacing(X))  # a constant: computed plainly


DEFAULT_OPTIONS = [
    lambda np, x: np.cumsum(x, axis=1, out=None),
    lambda np, x: np.cumprod(x, axis=0, out=None),
    lambda np, x: np.dot(x, x.T, out=None),
    lambda np, x: np.outer(x[0], x[1], out=None),
    lambda np, x: np.trace(x, dtype=None, out=None),
    lambda np, x: np.take(x, [2, 0], axis=1, out=None, mode="raise"),
    lambda np, x: np.sort(x, axis=1, order=None),
    lambda np, x: np.meshgrid(x[0], x[1], copy=True, sparse=False)[1],
    lambda np, x: np.quantile(x, 0.3, axis=1, weights=None),
    lambda np, x: np.linalg.svd(x, compute_uv=False, hermitian=False),
    lambda np, x: np.vecdot(x, x, keepdims=False, dtype=None, casting="same_kind", order="K", subok=True),
    lambda np, x: np.exp(x, where=True, casting="same_kind", order="K", dtype=None, subok=True),
    lambda np, x: np.add(x, x, where=True, dtype=None),
]


@pytest.mark.parametrize("call", DEFAULT_OPTIONS)
def test_numpy_options_given_at_numpys_defaults_are_numpys_call_without_them(call):
    # np.cumsum(x, out=None) or np.exp(x, where=True) is a legal numpy call, the same as without the option; it
    # raised a TypeError ("cumsum() got an unexpected keyword argument 'out'", "keyword arguments ['where'] ...")
    _check_in_graph_against_numpy(lambda x: call(np, x))


def test_numpy_options_at_values_other_than_the_default_are_still_refused():
    x = Tensor(X, requires_grad=True)
    with pytest.raises(TypeError, match="where"):
        np.exp(x, where=X > 0.5)
    with pytest.raises(TypeError, match="reflect_type"):
        np.pad(x, 1, mode="reflect", reflect_type="odd")
    with pytest.raises(TypeError, match="sparse"):
        np.meshgrid(x[0], x[1], sparse=True)


def test_in_place_numpy_arithmetic_on_an_ndarray_stays_an_ndarray():
    accumulator = np.zeros((3, 4))
    accumulator += Tensor(X, requires_grad=True)  # numpy's += writes into the ndarray: a plain copy of the values
    assert isinstance(accumulator, np.ndarray)
    np.testing.assert_array_equal(accumulator, X)


def test_numpy_reduce_of_add_multiply_maximum_minimum_reduces_the_tensor():
    x = Tensor(X, requires_grad=True)
    np.testing.assert_allclose(np.add.reduce(x).data, X.sum(axis=0))
    np.testing.assert_allclose(np.maximum.reduce(x, axis=1).data, X.max(axis=1))
    assert gradcheck(lambda x: np.multiply.reduce(x, axis=1, keepdims=True), [X])


@pytest.mark.parametrize(
    "call",
    [
        lambda x: np.add.reduce(x, axis=1, where=MASK),
        lambda x: np.add.reduce(x, axis=0, initial=2.5),
        lambda x: np.multiply.reduce(x, axis=None, where=MASK),
        lambda x: np.maximum.reduce(x, axis=1, initial=0.5, where=MASK),
        lambda x: np.minimum.reduce(x, axis=(0, 1), keepdims=True),
        lambda x: np.add.accumulate(x),
        lambda x: np.add.accumulate(x, axis=1),
        lambda x: np.multiply.accumulate(x, axis=-1),
    ],
    ids=["add-where", "add-initial", "multiply-where", "maximum-initial-where", "minimum-axes", "add-accumulate",
         "add-accumulate-axis", "multiply-accumulate"],
)  # fmt: skip
def test_numpy_reduce_options_and_accumulate_of_a_tensor_stay_in_the_graph(call):
    _check_in_graph_against_numpy(call, rtol=1e-13)


def test_numpy_reduce_and_accumulate_keep_numpys_dtype_option():
    assert np.add.reduce(Tensor(X), axis=1, dtype=np.float32).dtype == np.float32
    assert np.add.accumulate(Tensor(X.astype(np.float32)), dtype=np.float64).dtype == np.float64


def test_float32_tensors_keep_their_dtype_under_numpy_scalars_and_promote_with_float64_arrays():
    x = Tensor(X.astype(np.float32), requires_grad=True)
    assert (np.float64(2.0) * x).dtype == np.float32  # as the operator: a scalar does not promote
    assert np.exp(x).dtype == np.float32
    assert (Y * x).dtype == np.float64  # numpy's promotion of a float64 array


def test_numpy_ufuncs_of_a_value_are_its_methods():
    v = Value(0.3)
    result = np.exp(np.sin(v)) * np.float64(2.0)
    assert isinstance(result, Value)
    result.backward()
    assert v.grad == pytest.approx(2 * math.exp(math.sin(0.3)) * math.cos(0.3), rel=1e-14)
    with pytest.raises(TypeError, match="Values and arrays do not mix"):
        np.ones(2) + Value(1.0)


@pytest.mark.parametrize(
    "call",
    [
        lambda: np.matmul(Value(1.0), Value(2.0)),
        lambda: np.matmul(2.0, Value(1.0)),
        lambda: np.array(2.0) @ Value(1.0),
        lambda: np.bitwise_and(Value(1.0), 1),
        lambda: np.left_shift(1, Value(1.0)),
    ],
)
def test_numpy_operators_a_value_does_not_have_raise_a_type_error_as_pythons(call):
    # Value(1.0) @ Value(2.0) is Python's TypeError; numpy's spelling raised AttributeError ('__matmul__')
    with pytest.raises(TypeError, match="unsupported operands"):
        call()


def test_numpy_clip_of_a_value_is_its_clip_method():
    for x, expected, slope in ((3.0, 1.0, 0.0), (-2.0, 0.0, 0.0), (0.25, 0.25, 1.0)):
        v = Value(x)
        clipped = np.clip(v, 0, 1)  # numpy calls v.clip(0, 1, out=None)
        assert isinstance(clipped, Value) and type(clipped.data) is float and clipped.data == expected
        clipped.backward()
        assert v.grad == slope


@pytest.mark.parametrize("decimals", [0, 1, 2, -1])
def test_numpy_round_of_a_value_is_its_round_method(decimals):
    # np.round(v, d) calls v.round(decimals=d, out=None); it fell back to an object array (no rint method)
    for x in (0.5678, -2.5, 1234.5):
        v = Value(x)
        for rounded in (np.round(v, decimals), np.around(v, decimals)):
            assert isinstance(rounded, Value) and rounded.data == float(np.round(x, decimals))
            rounded.backward()
            assert v.grad == 0.0
    with pytest.raises(TypeError, match="out= must be None"):
        Value(0.5).round(out=np.zeros(()))


@pytest.mark.parametrize(
    ("numpy_call", "ddof"), [(np.var, 0), (np.std, 0), (np.var, 1), (np.std, 1)], ids=["var", "std", "var1", "std1"]
)
def test_numpy_var_and_std_of_a_list_of_values_stay_in_the_graph(numpy_call, ddof):
    # numpy reduces an object array of Values with x * x.conjugate(): a real number's conjugate is itself (float's)
    data = [0.5, -1.25, 2.0, 3.5]
    values = [Value(x) for x in data]
    result = numpy_call(values, ddof=ddof)
    assert isinstance(result, Value) and result.data == pytest.approx(numpy_call(data, ddof=ddof), rel=1e-14)
    result.backward()
    mean, n = np.mean(data), len(data)
    variance_grads = [2 * (x - mean) / (n - ddof) for x in data]
    expected = variance_grads if numpy_call is np.var else [g / (2 * result.data) for g in variance_grads]
    assert [v.grad for v in values] == pytest.approx(expected, rel=1e-12)
    assert Value(2.5).conjugate().data == (2.5).conjugate()


def test_np_broadcast_arrays_of_tensors_stays_in_the_graph():
    a = Tensor(np.array([[1.0], [2.0], [3.0]]), requires_grad=True)
    b = Tensor(np.array([[10.0, 20.0]]), requires_grad=True)
    wide_a, wide_b = np.broadcast_arrays(a, b)
    assert isinstance(wide_a, Tensor) and wide_a.shape == wide_b.shape == (3, 2)
    (wide_a * wide_b).sum().backward()
    np.testing.assert_array_equal(a.grad, [[30.0], [30.0], [30.0]])  # d/da_i sum_j a_i b_j = sum_j b_j
    np.testing.assert_array_equal(b.grad, [[6.0, 6.0]])
    _, plain = np.broadcast_arrays(a, np.ones((1, 2)))  # an array beside a Tensor becomes a constant Tensor
    assert isinstance(plain, Tensor) and not plain.requires_grad


@pytest.mark.parametrize(
    "call",
    [
        lambda x: np.maximum.accumulate(x, axis=1),
        lambda x: np.logaddexp.reduce(x, axis=1, keepdims=True),
        lambda x: np.subtract.reduce(x, axis=1),
        lambda x: np.add.reduceat(x, [0, 2], axis=1),
        lambda x: np.add.outer(x[0], x[1], dtype=np.float32),
    ],
    ids=["maximum-accumulate-axis", "logaddexp-reduce-keepdims", "subtract-reduce-axis", "add-reduceat-axis",
         "add-outer-dtype"],
)  # fmt: skip
def test_numpy_ufunc_methods_with_options_on_a_constant_tensor_give_numpys_plain_result(call):
    expected = call(X)
    result = call(Tensor(X))
    assert isinstance(result, np.ndarray) and result.dtype == expected.dtype
    np.testing.assert_array_equal(result, expected)
    with pytest.raises(TypeError, match="has no derivative"):  # on a Tensor that requires grad: no derivative here
        call(Tensor(X, requires_grad=True))


@pytest.mark.parametrize(
    "call",
    [
        lambda x: np.std(x, axis=1, correction=1),
        lambda x: np.var(x, axis=0, correction=2, keepdims=True),
        lambda x: np.var(x, dtype=np.float64),
    ],
    ids=["std-correction", "var-correction-keepdims", "var-dtype"],
)
def test_numpy_std_and_var_take_numpy_2s_correction_and_dtype_in_the_graph(call):
    _check_in_graph_against_numpy(call)


MEANS = X.mean(axis=1, keepdims=True) + 0.25


@pytest.mark.parametrize(
    "call",
    [
        lambda x: np.var(x, axis=1, mean=MEANS),
        lambda x: np.std(x, axis=1, mean=MEANS, keepdims=True),
        lambda x: np.std(x, axis=1, mean=MEANS, ddof=1),
        lambda x: np.var(x, mean=0.5, correction=2),
    ],
    ids=["var-mean", "std-mean-keepdims", "std-mean-ddof", "var-scalar-mean-correction"],
)
def test_numpy_std_and_var_take_numpy_2s_mean_in_the_graph(call):
    _check_in_graph_against_numpy(call)


def test_numpy_var_with_a_mean_tensor_differentiates_the_mean_too():
    torch = pytest.importorskip("torch")
    x, m = Tensor(X, requires_grad=True), Tensor(MEANS, requires_grad=True)
    np.std(x, axis=1, mean=m, ddof=1).sum().backward()
    tx, tm = torch.tensor(X, requires_grad=True), torch.tensor(MEANS, requires_grad=True)
    ((tx - tm) ** 2).sum(dim=1).div(X.shape[1] - 1).sqrt().sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(m.grad, tm.grad.numpy(), rtol=1e-12)


def test_numpy_std_and_var_dtype_gives_numpys_dtype_and_both_ddof_and_correction_are_refused():
    ints = np.array([[3, 1, 4, 1], [5, 9, 2, 6]])
    for dtype in (np.float32, np.float64):
        expected = np.std(ints, axis=1, dtype=dtype)
        result = np.std(Tensor(ints), axis=1, dtype=dtype)
        assert result.dtype == expected.dtype
        np.testing.assert_allclose(result.data, expected, rtol=1e-6)
    with pytest.raises(ValueError, match="ddof and correction"):
        np.var(Tensor(X), ddof=1, correction=1)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int16, np.int8, np.uint8, np.uint32, np.bool_])
def test_numpy_rint_of_an_integer_tensor_gives_numpys_float_dtype(dtype):
    x = np.array([3, 0, 1, 7], dtype=dtype)
    result, expected = np.rint(Tensor(x)), np.rint(x)
    assert isinstance(result, Tensor) and result.dtype == expected.dtype
    np.testing.assert_array_equal(result.data, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float16, np.float64, np.int32])
@pytest.mark.parametrize(
    ("function", "q"),
    [(np.quantile, [0.2, 0.5]), (np.quantile, 0.5), (np.quantile, np.float32(0.5)), (np.quantile, np.array(0.3)),
     (np.quantile, np.array([0.3], np.float32)), (np.percentile, [20, 50]), (np.percentile, 50),
     (np.percentile, 50.0), (np.percentile, np.float64(50)), (np.percentile, np.float32(50)), (np.median, None)],
)  # fmt: skip
def test_numpy_quantiles_are_of_numpys_dtype_for_each_kind_of_q(function, q, dtype):
    a = (np.arange(12).reshape(3, 4) * 1.5).astype(dtype)
    args = () if q is None else (q,)
    result, expected = function(Tensor(a), *args, axis=1), function(a, *args, axis=1)
    assert result.dtype == expected.dtype
    np.testing.assert_allclose(result.data, expected, rtol=1e-3)


@pytest.mark.parametrize(
    ("a", "b"),
    [(X[0, :2], X[1, :2]), (X[:, :2], X[0, 2:]), (X[0, :2], X[1, :3]), (X[:, 1:4], X[:, :2])],
    ids=["2-by-2", "batched-2-by-2", "2-by-3", "batched-3-by-2"],
)
def test_numpy_cross_of_2_vectors_computes_as_numpy_2_with_its_deprecation_warning(a, b):
    with pytest.warns(DeprecationWarning, match="2-dimensional vectors are deprecated"):
        expected = np.cross(a, b)
    with pytest.warns(DeprecationWarning, match="2-dimensional vectors are deprecated"):
        result = np.cross(Tensor(a), Tensor(b))
    assert result.shape == expected.shape
    np.testing.assert_allclose(result.data, expected, rtol=1e-14)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert gradcheck(
            lambda s, t: np.cross(s, t) * np.arange(1.0, expected.size + 1).reshape(expected.shape), [a, b]
        )


@pytest.mark.parametrize("decimals", [-2, -1, 1, 2])
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.uint8])
def test_numpy_round_of_an_integer_tensor_keeps_numpys_integer_values_and_dtype(decimals, dtype):
    x = np.array([15, 25, 35, 45, 55, 0, 7, 99, 105 % 128], dtype=dtype)
    if np.dtype(dtype).kind == "i":
        x[:3] = -x[:3]  # halves below zero too
    expected = np.round(x, decimals)  # halves to even: 15 -> 20, 25 -> 20, 45 -> 40 with decimals=-1
    for result in (np.round(Tensor(x), decimals), round(Tensor(x), decimals), Tensor(x).round(decimals)):
        assert result.dtype == expected.dtype
        np.testing.assert_array_equal(result.data, expected)


@pytest.mark.parametrize(
    "call",
    [
        lambda m, x: m.max(x, axis=0, initial=-1.5),
        lambda m, x: m.min(x, axis=(0, 1), keepdims=True, initial=2.0),
        lambda m, x: m.maximum.reduce(x, axis=0, initial=0.5),
        lambda m, x: m.max(x, axis=1, initial=-1.5),  # the axis reduced is not empty: an empty result
    ],
    ids=["max-empty-axis", "min-empty-axes-keepdims", "maximum-reduce-empty-axis", "max-nonempty-axis"],
)  # fmt: skip
def test_numpy_max_and_min_with_initial_over_an_empty_axis_give_the_initial_as_numpy(call):
    x = np.zeros((0, 3))
    expected = call(np, x)
    tensor = Tensor(x, requires_grad=True)
    result = call(np, tensor)
    assert result.dtype == expected.dtype and result.shape == expected.shape
    np.testing.assert_array_equal(result.data, expected)
    result.sum().backward()
    assert tensor.grad.shape == (0, 3)


@pytest.mark.parametrize(
    "like",
    [np.zeros_like, np.ones_like, np.empty_like, lambda x: np.full_like(x, 2.5)],
    ids=["zeros_like", "ones_like", "empty_like", "full_like"],
)
def test_numpy_like_factories_of_a_tensor_that_requires_grad_do_not_warn(like):
    # their result takes only the prototype's shape and dtype (torch.zeros_like(x) of such an x is silent too)
    x = Tensor(X, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = like(x)
    assert np.shape(result) == X.shape and result.dtype == X.dtype


def test_numpy_full_like_with_a_fill_value_that_requires_grad_still_warns():
    fill = Tensor(np.array(2.0), requires_grad=True)
    with pytest.warns(UserWarning, match="numpy's full_like has no derivative in this library"):
        np.full_like(Tensor(np.zeros(3)), fill)


def test_numpy_of_a_tensor_requiring_grad_is_writable_under_no_grad_as_torchs():
    torch = pytest.importorskip("torch")
    ours, theirs = Tensor(np.arange(3.0), requires_grad=True), torch.arange(3.0, dtype=torch.float64).requires_grad_()
    with pytest.raises(RuntimeError):
        theirs.numpy()  # torch refuses while recording; ours is a read-only view there
    assert not ours.numpy().flags.writeable and not np.asarray(ours).flags.writeable
    with autograd.no_grad(), torch.no_grad():
        for tensor in (ours, theirs):
            array = tensor.numpy()
            array[1] = 7.0
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy())
    assert ours.version == theirs._version == 0  # a write through numpy is no recorded change
