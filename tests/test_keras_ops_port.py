"""Keras 3's ops tests (keras/src/ops/numpy_test.py, math_test.py, nn_test.py) ported to this library: numpy's
functions called on Tensors (``np.f(Tensor(x))``) against the same call on the ndarray (values, shape, dtype) over
Keras's cases (static shapes, empty arrays, ``axis=None``, negative axes and axis tuples, ``keepdims``, ``ddof``,
weights, integer and boolean inputs), gradients against torch, and the nn ops Keras checks (softmax, log_softmax,
one_hot, conv, pooling, moments, normalize, ctc) against torch.

Where numpy and torch disagree the numpy spelling follows numpy, except where the library documents torch's rule
(booleans and narrow integers sum to int64, integer inputs of float functions give the default float dtype)."""

import warnings

import numpy as np
import pytest

from autograd import Tensor

RNG = np.random.default_rng(0)

FLOATS = ["float16", "float32", "float64"]
INTEGERS = ["bool", "int8", "uint8", "int16", "int32", "int64"]


def _array(shape, dtype):
    """Keras's test inputs: random normal numbers (times 3, so integers are not all 0) in ``dtype``."""
    x = RNG.standard_normal(shape) * 3
    if dtype == "bool":
        return x > 0
    if dtype.startswith("uint"):
        return np.abs(x).astype(dtype)
    return x.astype(dtype)


def _plain(result):
    return result.data if isinstance(result, Tensor) else np.asarray(result)


def _same(got, expected, dtype=None, rtol=1e-6, atol=1e-6):
    """``got`` (a Tensor) has numpy's shape, dtype (or ``dtype``) and values (nan where numpy's is nan)."""
    got, expected = _plain(got), np.asarray(expected)
    assert got.shape == expected.shape
    assert got.dtype == (expected.dtype if dtype is None else np.dtype(dtype))
    np.testing.assert_allclose(got.astype(np.float64), expected.astype(np.float64), rtol=rtol, atol=atol)


def _numpy(function, *args, **kwargs):
    with warnings.catch_warnings():  # numpy's warnings for empty slices (its result, nan, is what we compare)
        warnings.simplefilter("ignore", RuntimeWarning)
        return function(*args, **kwargs)


# -- reductions over Keras's axes, keepdims and empty shapes (numpy_test.py: test_mean, test_var, test_max, ...) ----

SHAPES = [(2, 3), (2, 3, 4), (3,), (), (0,), (2, 0, 3)]
AXES = [None, 0, -1, (0, 1)]


def _axis_cases(shape):
    for axis in AXES:
        if axis is not None and (len(shape) == 0 or (isinstance(axis, tuple) and len(shape) < 2)):
            continue
        for keepdims in (False, True):
            yield axis, keepdims


@pytest.mark.parametrize(
    "function",
    [np.sum, np.mean, np.var, np.std, np.prod, np.nansum, np.nanmean, np.nanvar, np.nanstd, np.nanprod],
    ids=lambda f: f.__name__,
)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", FLOATS)
def test_reductions_match_numpy_over_axes_keepdims_and_empty_shapes(function, shape, dtype):
    x = _array(shape, dtype)
    rtol = 1e-2 if dtype == "float16" else 1e-6
    for axis, keepdims in _axis_cases(shape):
        _same(
            function(Tensor(x), axis=axis, keepdims=keepdims),
            _numpy(function, x, axis=axis, keepdims=keepdims),
            rtol=rtol,
            atol=rtol,
        )


@pytest.mark.parametrize(
    "function", [np.max, np.min, np.amax, np.amin, np.ptp, np.nanmax, np.nanmin], ids=lambda f: f.__name__
)
@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4), (3,), ()], ids=str)
@pytest.mark.parametrize("dtype", FLOATS + ["int8", "int32", "int64", "bool"])
def test_extrema_match_numpy_over_axes_and_keepdims(function, shape, dtype):
    if function is np.ptp and dtype == "bool":
        return  # numpy refuses a boolean ptp (a subtraction of booleans)
    x = _array(shape, dtype)
    for axis, keepdims in _axis_cases(shape):
        _same(function(Tensor(x), axis=axis, keepdims=keepdims), function(x, axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("function", [np.max, np.min, np.argmax, np.argmin])
def test_extrema_of_an_empty_array_raise_as_numpys(function):
    with pytest.raises(ValueError):
        function(np.zeros((0,)))
    with pytest.raises(ValueError):
        function(Tensor(np.zeros((0,))))


@pytest.mark.parametrize("function", [np.var, np.std, np.nanvar, np.nanstd], ids=lambda f: f.__name__)
@pytest.mark.parametrize("ddof", [0, 1, 2])
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_var_and_std_take_numpys_ddof(function, ddof, axis):
    x = _array((3, 4), "float64")
    _same(function(Tensor(x), axis=axis, ddof=ddof), function(x, axis=axis, ddof=ddof))


@pytest.mark.parametrize("function", [np.mean, np.var, np.std], ids=lambda f: f.__name__)
@pytest.mark.parametrize("dtype", INTEGERS)
def test_mean_var_std_of_integers_and_booleans_are_float64(function, dtype):
    x = _array((2, 3), dtype)
    for axis, keepdims in _axis_cases((2, 3)):
        _same(function(Tensor(x), axis=axis, keepdims=keepdims), function(x, axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("dtype", INTEGERS)
def test_integer_sums_and_products_are_int64_as_torchs(dtype, torch):
    """Documented: booleans and narrow integers sum to int64 (torch's), where numpy's uint8 sum is uint64."""
    x = _array((2, 3), dtype)
    for function, torch_function in [(np.sum, torch.sum), (np.prod, torch.prod), (np.cumsum, torch.cumsum)]:
        axis = {} if function is not np.cumsum else {"axis": 0}
        got = function(Tensor(x), **axis)
        expected = torch_function(torch.from_numpy(x), **({"dim": 0} if axis else {}))
        np.testing.assert_array_equal(got.data, expected.numpy())
        assert str(got.dtype) == str(expected.dtype).removeprefix("torch.")


@pytest.mark.parametrize(
    "function",
    [np.median, lambda x, **k: np.quantile(x, 0.3, **k), lambda x, **k: np.percentile(x, [10, 50, 90], **k)],
    ids=["median", "quantile", "percentile"],
)
@pytest.mark.parametrize("dtype", INTEGERS + ["float64"])
def test_median_quantile_percentile_of_integers_and_booleans_are_numpys_float64(function, dtype, request):
    """numpy_test.py test_median / test_quantile over integer dtypes: numpy's result is float64 (torch's
    ``quantile`` refuses integers; the numpy spelling follows numpy)."""
    if dtype == "bool" and not request.node.callspec.id.endswith("median"):
        return  # numpy's linear interpolation subtracts booleans, which it refuses
    x = _array((2, 3, 4), dtype)
    for axis, keepdims in _axis_cases(x.shape):
        _same(function(Tensor(x), axis=axis, keepdims=keepdims), function(x, axis=axis, keepdims=keepdims))


@pytest.mark.parametrize("dtype", INTEGERS)
def test_nanmean_of_integers_and_booleans_is_numpys_float64(dtype):
    """numpy_test.py test_nanmean's dtypes: numpy's mean of integers is float64 (torch's ``nanmean`` refuses them,
    and the method keeps torch's refusal)."""
    x = _array((2, 3, 4), dtype)
    for axis, keepdims in _axis_cases(x.shape):
        _same(np.nanmean(Tensor(x), axis=axis, keepdims=keepdims), np.nanmean(x, axis=axis, keepdims=keepdims))
    with pytest.raises(TypeError, match="nanmean"):
        Tensor(x).nanmean()


# -- binary ops over Keras's mixed-dtype pairs (numpy_test.py's dtype tests): torch's promotion ----------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("float16", "float32"),
        ("float32", "float64"),
        ("float16", "float64"),
        ("int64", "float32"),
        ("bool", "float16"),
        ("float64", "float32"),
    ],
)
def test_nextafter_of_mixed_dtypes_steps_in_the_promoted_dtype_as_torchs(first, second, torch):
    x, y = _array((2, 3), first), _array((2, 3), second)
    expected = torch.nextafter(torch.from_numpy(x), torch.from_numpy(y))
    got = Tensor(x).nextafter(Tensor(y))
    assert str(got.dtype) == str(expected.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(got.data, expected.numpy())
    if first.startswith("float"):  # (an integer beside a float: the float's dtype, by category, as torch's)
        _same(np.nextafter(Tensor(x), Tensor(y)), np.nextafter(x, y))


def test_nextafter_of_a_float16_tensor_towards_float32_passes_gradient_one_in_float16(torch):
    x = Tensor(np.array([1.0, 2.0, 3.0], np.float16), requires_grad=True)
    x.nextafter(Tensor(np.array([2.0, 2.0, 0.0], np.float32))).sum().backward()
    assert x.grad.dtype == np.float16
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 1.0])  # 0 where x == other, as torch's


def test_nextafter_of_two_integer_tensors_is_refused_as_torch():
    with pytest.raises(TypeError, match="nextafter.*int64 and int64"):
        Tensor(np.ones(2, np.int64)).nextafter(Tensor(np.ones(2, np.int64)))


@pytest.mark.parametrize("name", ["gcd", "lcm"])
@pytest.mark.parametrize(
    ("first", "second"), [("bool", "int8"), ("int16", "bool"), ("bool", "uint8"), ("uint8", "int8"), ("int32", "int64")]
)
def test_gcd_and_lcm_of_a_bool_beside_an_integer_tensor_promote_as_torchs(name, first, second, torch):
    x, y = (np.abs(_array((2, 3), dtype)) if dtype != "bool" else _array((2, 3), dtype) for dtype in (first, second))
    expected = getattr(torch, name)(torch.from_numpy(x), torch.from_numpy(y))
    got = getattr(Tensor(x), name)(Tensor(y))
    assert str(got.dtype) == str(expected.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(got.data, expected.numpy())
    _same(getattr(np, name)(Tensor(x), Tensor(y)), getattr(np, name)(x, y))


@pytest.mark.parametrize("name", ["gcd", "lcm"])
@pytest.mark.parametrize(("first", "second"), [("bool", "bool"), ("float32", "int8"), ("int8", "float64")])
def test_gcd_and_lcm_refuse_two_bools_or_a_float_as_torch(name, first, second):
    with pytest.raises(TypeError, match=f"{name}: expects integer tensors, got dtypes {first} and {second}"):
        getattr(Tensor(_array((2,), first)), name)(Tensor(_array((2,), second)))


@pytest.mark.parametrize("shape", [(0,), (2, 0, 3), (0, 3)], ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
def test_median_of_an_empty_array_is_numpys_nan(shape, dtype):
    """numpy_test.py's empty-array cases: numpy's median of no entries is NaN (with a RuntimeWarning), in the
    reduced shape (empty where another axis is empty)."""
    x = np.zeros(shape, dtype)
    for axis, keepdims in _axis_cases(shape):
        if axis is not None and isinstance(axis, int) and axis >= len(shape):
            continue
        _same(
            _numpy(np.median, Tensor(x), axis=axis, keepdims=keepdims),
            _numpy(np.median, x, axis=axis, keepdims=keepdims),
        )
