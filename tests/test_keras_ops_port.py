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


# -- gradients of numpy's functions on Tensors, against torch ------------------------------------------------------


def _gradient_matches_torch(torch, ours, theirs, *arrays, rtol=1e-9, atol=1e-12):
    """ours(*Tensors) and theirs(*torch tensors) agree in value and in the gradient of a random weighting."""
    mine = [Tensor(a, requires_grad=True) for a in arrays]
    them = [torch.tensor(a, requires_grad=True) for a in arrays]
    got, expected = ours(*mine), theirs(*them)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=rtol, atol=atol)
    weights = RNG.standard_normal(expected.shape)
    (got * Tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for a, b in zip(mine, them):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=rtol, atol=atol)


GRADIENT_CASES = {
    "var_ddof1_axis_tuple": (lambda x: np.var(x, axis=(0, 2), ddof=1), lambda x: x.var(dim=(0, 2), correction=1)),
    "std_keepdims": (lambda x: np.std(x, axis=-1, keepdims=True), lambda x: x.std(dim=-1, keepdim=True, correction=0)),
    "mean_negative_axis": (lambda x: np.mean(x, axis=-2), lambda x: x.mean(dim=-2)),
    "prod_axis": (lambda x: np.prod(x, axis=1), lambda x: x.prod(dim=1)),
    "cumprod_axis": (lambda x: np.cumprod(x, axis=-1), lambda x: x.cumprod(dim=-1)),
    "cumsum_none": (lambda x: np.cumsum(x), lambda x: x.reshape(-1).cumsum(0)),
    "median_axis": (lambda x: np.median(x, axis=-1), lambda x: x.quantile(0.5, dim=-1)),
    "quantile_axis_keepdims": (
        lambda x: np.quantile(x, 0.3, axis=1, keepdims=True),
        lambda x: x.quantile(0.3, dim=1, keepdim=True),
    ),
    "max_axis": (lambda x: np.max(x, axis=(0, 1)), lambda x: x.amax(dim=(0, 1))),
    "norm_axis": (lambda x: np.linalg.norm(x, axis=-1), lambda x: _torch().linalg.vector_norm(x, dim=-1)),
    "logaddexp": (lambda x: np.logaddexp(x, x[::-1]), lambda x: x.logaddexp(x.flip(0))),
    "arctan2": (lambda x: np.arctan2(x, x[:, ::-1]), lambda x: x.atan2(x.flip(1))),
    "trapezoid": (lambda x: np.trapezoid(x, axis=1), lambda x: _torch().trapezoid(x, dim=1)),
    "diff_n2": (lambda x: np.diff(x, n=2, axis=-1), lambda x: x.diff(n=2, dim=-1)),
    "take_along_axis": (
        lambda x: np.take_along_axis(x, np.argsort(x.data, axis=1), axis=1),
        lambda x: x.take_along_dim(x.detach().argsort(dim=1), dim=1),
    ),
    "pad_reflect": (
        lambda x: np.pad(x, ((0, 0), (1, 1), (2, 1)), mode="reflect"),
        lambda x: _torch().nn.functional.pad(x, (2, 1, 1, 1), mode="reflect"),
    ),
    "tensordot": (
        lambda x: np.tensordot(x, x, axes=([1, 2], [1, 2])),
        lambda x: _torch().tensordot(x, x, dims=([1, 2], [1, 2])),
    ),
    "einsum": (lambda x: np.einsum("ijk,ijl->kl", x, x), lambda x: _torch().einsum("ijk,ijl->kl", x, x)),
}


def _torch():
    return pytest.importorskip("torch")


@pytest.mark.parametrize("case", sorted(GRADIENT_CASES))
def test_gradients_of_numpy_functions_on_tensors_match_torch(case, torch):
    ours, theirs = GRADIENT_CASES[case]
    _gradient_matches_torch(torch, ours, theirs, RNG.standard_normal((3, 4, 5)))


def test_average_with_weights_differentiates_both_inputs_as_torch(torch):
    x, w = RNG.standard_normal((3, 4)), RNG.random((3, 4)) + 0.1
    _gradient_matches_torch(
        torch, lambda a, b: np.average(a, axis=1, weights=b), lambda a, b: (a * b).sum(1) / b.sum(1), x, w
    )
    _gradient_matches_torch(torch, lambda a, b: np.average(a, weights=b), lambda a, b: (a * b).sum() / b.sum(), x, w)


@pytest.mark.parametrize("axis", [None, 0, -1])
def test_average_with_one_dimensional_weights_and_returned_matches_numpy(axis):
    x = _array((3, 4), "float64")
    w = RNG.random(x.shape if axis is None else x.shape[axis]) + 0.1
    for got, expected in zip(
        np.average(Tensor(x), axis=axis, weights=w, returned=True), np.average(x, axis=axis, weights=w, returned=True)
    ):
        _same(got, expected)
    _same(
        np.average(Tensor(x), axis=axis, weights=w, keepdims=True), np.average(x, axis=axis, weights=w, keepdims=True)
    )


# -- nn_test.py: softmax, log_softmax, one_hot, conv, pooling, moments, normalize, ctc, against torch ---------------


@pytest.fixture
def torch64(torch):
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(previous)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("scale", [1.0, 1000.0])
def test_softmax_and_log_softmax_match_torch_on_every_axis_and_large_inputs(name, dim, scale, torch64):
    from nn import functional as F

    _gradient_matches_torch(
        torch64,
        lambda a: getattr(F, name)(a, dim=dim),
        lambda a: getattr(torch64.nn.functional, name)(a, dim=dim),
        RNG.standard_normal((2, 3, 4)) * scale,
    )


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_rows_with_infinities_matches_torch(name, torch64):
    from nn import functional as F

    x = RNG.standard_normal((3, 4))
    x[0] = -np.inf  # a row of -inf: nan (0/0), as torch's
    x[1, 2] = np.inf
    x[2, 0] = -np.inf
    expected = getattr(torch64.nn.functional, name)(torch64.tensor(x), dim=-1).numpy()
    np.testing.assert_allclose(getattr(F, name)(Tensor(x), dim=-1).data, expected, equal_nan=True)


@pytest.mark.parametrize(
    ("labels", "classes"), [([[0, 2, 1], [3, 3, 0]], -1), ([[0, 2, 1], [3, 3, 0]], 6), ([], 3), (1, 3)]
)
def test_one_hot_matches_torch(labels, classes, torch):
    from nn import functional as F

    labels = np.asarray(labels, dtype=np.int64)
    expected = torch.nn.functional.one_hot(torch.tensor(labels), classes)
    got = F.one_hot(Tensor(labels), classes)
    assert got.shape == tuple(expected.shape) and got.dtype == np.int64
    np.testing.assert_array_equal(got.data, expected.numpy())


@pytest.mark.parametrize("labels", [[-1, 2], [3, 2]])
def test_one_hot_of_a_label_out_of_range_is_refused_as_torch(labels):
    from nn import functional as F

    with pytest.raises((ValueError, RuntimeError)):
        F.one_hot(Tensor(np.array(labels)), 3)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("stride", [1, 2, (2, 1)])
@pytest.mark.parametrize("padding", [0, 1, "same", "valid", (1, 2)])
@pytest.mark.parametrize("dilation", [1, 2])
@pytest.mark.parametrize("groups", [1, 2])
def test_conv2d_matches_torch_over_kerass_strides_paddings_and_dilations(stride, padding, dilation, groups, torch64):
    from nn import functional as F

    if padding == "same" and stride != 1:
        return  # torch refuses "same" with strides
    options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups)
    _gradient_matches_torch(
        torch64,
        lambda x, w, b: F.conv2d(x, w, b, **options),
        lambda x, w, b: torch64.nn.functional.conv2d(x, w, b, **options),
        RNG.standard_normal((2, 4, 7, 6)),
        RNG.standard_normal((6, 4 // groups, 3, 2)),
        RNG.standard_normal(6),
    )


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize(("padding", "stride", "dilation"), [(0, 1, 1), (2, 3, 1), ("same", 1, 2), ("valid", 3, 1)])
def test_conv1d_matches_torch(padding, stride, dilation, torch64):
    from nn import functional as F

    options = dict(stride=stride, padding=padding, dilation=dilation)
    _gradient_matches_torch(
        torch64,
        lambda x, w: F.conv1d(x, w, **options),
        lambda x, w: torch64.nn.functional.conv1d(x, w, **options),
        RNG.standard_normal((2, 3, 9)),
        RNG.standard_normal((4, 3, 4)),
    )


@pytest.mark.parametrize(("kernel", "stride", "padding"), [(2, None, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 1))])
@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("count_include_pad", [False, True])
def test_pooling_matches_torch(kernel, stride, padding, ceil_mode, count_include_pad, torch64):
    from nn import functional as F

    x = RNG.standard_normal((2, 3, 7, 6))
    _gradient_matches_torch(
        torch64,
        lambda a: F.avg_pool2d(a, kernel, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad),
        lambda a: torch64.nn.functional.avg_pool2d(
            a, kernel, stride, padding, ceil_mode=ceil_mode, count_include_pad=count_include_pad
        ),
        x,
    )
    _gradient_matches_torch(
        torch64,
        lambda a: F.max_pool2d(a, kernel, stride, padding, ceil_mode=ceil_mode),
        lambda a: torch64.nn.functional.max_pool2d(a, kernel, stride, padding, ceil_mode=ceil_mode),
        x,
    )


@pytest.mark.parametrize("dim", [None, 0, (0, 2), -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_moments_match_torch_var_mean(dim, keepdim, torch64):
    import autograd

    x = RNG.standard_normal((2, 3, 4))
    for correction in (0, 1):
        got = autograd.var_mean(Tensor(x), dim=dim, keepdim=keepdim, correction=correction)
        expected = torch64.var_mean(torch64.tensor(x), dim=dim, keepdim=keepdim, correction=correction)
        for a, b in zip(got, expected):
            np.testing.assert_allclose(a.data, b.numpy(), rtol=1e-12, atol=1e-14)
            assert a.shape == tuple(b.shape)


@pytest.mark.parametrize("p", [1, 2, 3, float("inf"), 0.5])
@pytest.mark.parametrize("dim", [1, -1, 0])
def test_normalize_matches_torch(p, dim, torch64):
    from nn import functional as F

    x = RNG.standard_normal((2, 3, 4))
    x[0, :, 1] = 0  # a zero vector along dim 1: divided by eps, as torch's
    _gradient_matches_torch(
        torch64, lambda a: F.normalize(a, p=p, dim=dim), lambda a: torch64.nn.functional.normalize(a, p=p, dim=dim), x
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_loss_through_log_softmax_matches_torch(reduction, zero_infinity, torch64):
    """nn_test.py test_ctc_loss: (T, N, C) logits, padded targets, a target that no alignment fits (sample 2: four
    labels with a repeat in four frames) and an empty one. Without ``zero_infinity`` the impossible sample is left
    out: its infinite loss has torch's NaN gradient, and here a documented 0 (see nn/functional/ctc.py)."""
    from nn import functional as F

    kept = slice(None) if zero_infinity else slice(0, 2)
    targets = np.array([[1, 2, 3, 4], [2, 1, 0, 0], [1, 1, 1, 2]])[kept]
    input_lengths, target_lengths = np.array([12, 10, 4])[kept], np.array([4, 0, 4])[kept]
    options = dict(reduction=reduction, zero_infinity=zero_infinity)
    _gradient_matches_torch(
        torch64,
        lambda a: F.ctc_loss(a.log_softmax(axis=2), targets, input_lengths, target_lengths, **options),
        lambda a: torch64.nn.functional.ctc_loss(
            a.log_softmax(2),
            torch64.tensor(targets),
            torch64.tensor(input_lengths),
            torch64.tensor(target_lengths),
            **options,
        ),
        RNG.standard_normal((12, len(targets), 5)),
        rtol=1e-8,
        atol=1e-10,
    )
