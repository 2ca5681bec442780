"""autograd.standardize, (x - mean) / sqrt(var + eps) as one node: values and gradients against float64
references, finite differences (first and second order), and torch's layer_norm and group_norm."""

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck


def _reference(x, axes, eps):
    x = np.asarray(x, dtype=np.float64)
    centred = x - x.mean(axis=axes, keepdims=True)
    return centred / np.sqrt((centred**2).mean(axis=axes, keepdims=True) + eps)


@pytest.mark.parametrize(("shape", "axis"), [((4, 7), -1), ((3, 4, 5), (1, 2)), ((2, 3, 4), 0), ((6,), None)])
def test_values_match_the_float64_definition(shape, axis):
    x = np.random.default_rng(0).standard_normal(shape) * 3 + 5
    axes = ag.broadcasting.normalize_axes(axis, len(shape), "test")
    np.testing.assert_allclose(ag.standardize(x, axis, 1e-5).data, _reference(x, axes, 1e-5), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("shape", "axis"), [((3, 5), -1), ((2, 3, 4), (0, 2)), ((4,), None)])
def test_first_and_second_derivatives_match_finite_differences(shape, axis):
    x = Tensor(np.random.default_rng(1).standard_normal(shape), requires_grad=True)
    weights = np.random.default_rng(2).standard_normal(shape)
    assert gradcheck(lambda t: (ag.standardize(t, axis, 1e-3) * weights).sum(), [x], atol=1e-6)
    assert gradgradcheck(lambda t: (ag.standardize(t, axis, 1e-3) * weights).sum(), [x], atol=1e-5)


def test_float32_rows_with_a_large_mean_keep_float64_accuracy():
    x = (np.random.default_rng(3).standard_normal((4, 64)) + 12345.678).astype(np.float32)
    ours = ag.standardize(x, -1, 1e-5).data
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, _reference(x, (1,), 1e-5), atol=2e-3)
    constant = ag.standardize(np.full((2, 8), 12345.678, dtype=np.float32), -1, 1e-5).data
    np.testing.assert_array_equal(constant, np.zeros((2, 8), dtype=np.float32))


def test_integer_and_float16_inputs_and_degenerate_slices():
    assert ag.standardize(np.array([[1, 2, 3]]), -1).dtype == ag.get_default_dtype()
    half = ag.standardize(np.array([[1.0, 2.0, 4.0]], dtype=np.float16), -1, 1e-5)
    assert half.dtype == np.float16
    np.testing.assert_allclose(half.data, _reference([[1.0, 2.0, 4.0]], (1,), 1e-5), rtol=2e-3)
    with np.errstate(all="raise"):  # no warning either
        assert np.isnan(ag.standardize(np.ones((2, 1)), -1).data).all()  # one value per slice: 0/0


def test_changing_the_output_in_place_keeps_the_gradient_and_changing_the_input_is_caught():
    data = np.random.default_rng(4).standard_normal((3, 4))
    x = Tensor(data, requires_grad=True)
    y = ag.standardize(x, -1, 1e-5)
    y.relu_()
    y.sum().backward()
    x64 = Tensor(data, requires_grad=True)
    ag.standardize(x64, -1, 1e-5).relu().sum().backward()
    np.testing.assert_allclose(x.grad, x64.grad, rtol=1e-12, atol=1e-15)
    leaf = Tensor(data, requires_grad=True)
    x2 = leaf * 1.0
    z = ag.standardize(x2, -1, 1e-5)
    x2.mul_(2.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_layer_norm_and_group_norm_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 6, 3, 4)).astype(np.float32)
    w, b = rng.standard_normal(6).astype(np.float32), rng.standard_normal(6).astype(np.float32)
    upstream = rng.standard_normal(x.shape).astype(np.float32)
    for ours_f, theirs_f in [
        (lambda t: F.layer_norm(t, (3, 4)), lambda t: torch.nn.functional.layer_norm(t, (3, 4))),
        (
            lambda t: F.group_norm(t, 3, Tensor(w), Tensor(b)),
            lambda t: torch.nn.functional.group_norm(t, 3, torch.from_numpy(w), torch.from_numpy(b)),
        ),
    ]:
        ours_x, theirs_x = Tensor(x, requires_grad=True), torch.from_numpy(x).requires_grad_()
        ours_y, theirs_y = ours_f(ours_x), theirs_f(theirs_x)
        (ours_y * Tensor(upstream)).sum().backward()
        (theirs_y * torch.from_numpy(upstream)).sum().backward()
        np.testing.assert_allclose(ours_y.data, theirs_y.detach().numpy(), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(ours_x.grad, theirs_x.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_eps_is_checked_and_a_constant_slice_gives_zero_with_a_positive_eps():
    for eps in ("0.1", None, True):
        with pytest.raises(ValueError, match="eps must be a real number"):
            ag.standardize(np.ones((2, 3)), -1, eps)
    np.testing.assert_array_equal(ag.standardize(np.ones((2, 3)), -1, 1e-5).data, np.zeros((2, 3)))


@pytest.mark.parametrize(
    ("dtype", "magnitude"), [(np.float32, 2.0**66), (np.float64, 2.0**1000), (np.float16, 2.0**14)]
)
def test_slices_whose_squares_overflow_standardize_as_their_scaled_down_copies(dtype, magnitude):
    # standardization does not depend on the scale (eps = 0): x and x / 2^k give the same values, and gradients
    # in the ratio 2^-k; the squares of these x overflow the dtype, those of x / 2^k do not
    rng = np.random.default_rng(3)
    small = rng.uniform(-1.0, 1.0, (3, 5)).astype(dtype)
    small[1] = [-1.0, 1.0, -1.0, 1.0, 0.5]
    large = small * dtype(magnitude)
    assert np.all(np.isfinite(large))
    weights = rng.standard_normal((3, 5)).astype(dtype)
    results = []
    for data in (small, large):
        x = Tensor(data, requires_grad=True)
        y = ag.standardize(x, -1, 0.0)
        (y * Tensor(weights)).sum().backward()
        results.append((y.data, x.grad))
    tolerance = {np.float16: 2e-3, np.float32: 2e-6, np.float64: 1e-12}[dtype]
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(results[1][1] * magnitude, results[0][1], rtol=tolerance * 10, atol=tolerance * 10)
    layer = F.layer_norm(Tensor(large), (5,)).data
    np.testing.assert_allclose(layer, results[0][0], rtol=tolerance, atol=tolerance)


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize(("shape", "axis"), [((3, 0), 1), ((0, 4), 0), ((2, 0, 3), (1, 2)), ((0,), None)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_empty_slices_standardize_to_an_empty_result_and_gradient_without_warnings(shape, axis, dtype):
    x = Tensor(np.zeros(shape, dtype=dtype), requires_grad=True)
    y = ag.standardize(x, axis, 1e-5)
    assert y.shape == shape and y.dtype == dtype
    (first,) = ag.grad(y.sum(), [x], create_graph=True)
    assert first.shape == shape and first.dtype == dtype
    y.sum().backward()
    assert x.grad.shape == shape and x.grad.dtype == dtype


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4), (4, 3, 2, 5), (32, 16, 14, 14), (2, 5000), (5000, 2)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_axis_sums_over_every_set_of_axes_match_float64_sums(shape, dtype):
    """axis_sums (BLAS products for the reduced axes at either end) gives numpy's keepdims sums, in x's dtype."""
    import itertools

    from autograd.shared_math import axis_sums

    x = np.random.default_rng(3).standard_normal(shape).astype(dtype)
    for count in range(1, len(shape) + 1):
        for axes in itertools.combinations(range(len(shape)), count):
            expected = x.astype(np.float64).sum(axis=axes, keepdims=True)
            got = axis_sums(x, axes)
            assert got.dtype == dtype and got.shape == expected.shape
            np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-4 * np.sqrt(x.size))
            np.testing.assert_allclose(
                axis_sums(x.T, axes),
                x.T.astype(np.float64).sum(axis=axes, keepdims=True),
                rtol=1e-5,
                atol=1e-4 * np.sqrt(x.size),
            )  # (a non-contiguous view)


@pytest.mark.parametrize(
    ("shape", "axis"), [((16, 300), -1), ((6, 5, 40), (1, 2)), ((200, 3, 7), (0, 2)), ((5000,), None)]
)
def test_float32_slices_with_a_large_mean_and_a_small_spread_keep_float32_accuracy_and_statistics(shape, axis):
    # 1e4 + 1e-2 randn: the mean rounded to float32 is off by up to a twentieth of the spread, and E[x^2] - E[x]^2
    # cancels every digit; the values, the mean and the variance stay within float32's rounding of the float64 ones
    x = (1e4 + 1e-2 * np.random.default_rng(6).standard_normal(shape)).astype(np.float32)
    axes = ag.broadcasting.normalize_axes(axis, len(shape), "test")
    y, mean, variance = ag.standardization.standardize_with_statistics(x, axis, 1e-12)
    assert y.dtype == mean.dtype == variance.dtype == np.float32
    np.testing.assert_allclose(y.data, _reference(x, axes, 1e-12), rtol=1e-5, atol=1e-5)
    exact = x.astype(np.float64)
    np.testing.assert_allclose(mean, exact.mean(axis=axes, keepdims=True), rtol=1e-7)
    np.testing.assert_allclose(variance, exact.var(axis=axes, keepdims=True), rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("value", [0.1, 12345.678, -3.3e-7, 7e30])
@pytest.mark.parametrize("length", [1, 3, 257, 5000])
def test_constant_slices_centre_to_exact_zeros_whatever_their_value_and_length(dtype, value, length):
    # as torch's layer_norm: 0 with eps > 0, 0/0 = nan with eps = 0; the mean is the value, the variance 0
    x = np.full((2, length), value, dtype=dtype)
    y, mean, variance = ag.standardization.standardize_with_statistics(x, -1, 1e-5)
    np.testing.assert_array_equal(y.data, np.zeros_like(x))
    np.testing.assert_array_equal(mean, np.full((2, 1), value, dtype=dtype))
    np.testing.assert_array_equal(variance, np.zeros((2, 1), dtype=dtype))
    with np.errstate(all="raise"):
        assert np.isnan(ag.standardize(x, -1, 0.0).data).all()
