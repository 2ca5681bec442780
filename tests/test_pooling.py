"""Tests for nn.functional.max_pool2d / avg_pool2d and the MaxPool2d / AvgPool2d modules:
values against naive loops, gradients (first and second order) against finite differences,
the tie rule, padding semantics and argument errors."""

import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import nn
import nn.functional as F
from autograd import ShapeError, Tensor, gradcheck, gradgradcheck
from autograd.conv import window_sums
from autograd.testing import arrays
from autograd.windows import spread_over_windows_array


def _windows(x, kernel, stride, padding, dilation, fill):
    """Yield (i, j, window) for every kernel position, walking the padded input with loops."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    n, c, h, w = x.shape
    padded = np.full((n, c, h + 2 * ph, w + 2 * pw), fill)
    padded[:, :, ph : ph + h, pw : pw + w] = x
    i = 0
    while i * sh + dh * (kh - 1) < h + 2 * ph:
        j = 0
        while j * sw + dw * (kw - 1) < w + 2 * pw:
            rows = [i * sh + a * dh for a in range(kh)]
            cols = [j * sw + b * dw for b in range(kw)]
            yield i, j, padded[:, :, rows][:, :, :, cols]
            j += 1
        i += 1


def naive_pool(x, kernel, stride, padding, dilation, kind, count_include_pad=True):
    """Max or mean of every window, by explicit loops (slow; small shapes only)."""
    fill = -np.inf if kind == "max" else 0.0
    results = {}
    inside = np.ones((1, 1) + x.shape[2:])
    counts = {(i, j): window.sum() for i, j, window in _windows(inside, kernel, stride, padding, dilation, 0.0)}
    for i, j, window in _windows(x, kernel, stride, padding, dilation, fill):
        if kind == "max":
            results[i, j] = window.max(axis=(2, 3))
        else:
            divisor = kernel[0] * kernel[1] if count_include_pad else counts[i, j]
            results[i, j] = window.sum(axis=(2, 3)) / divisor
    out_h, out_w = max(i for i, _ in results) + 1, max(j for _, j in results) + 1
    out = np.zeros(x.shape[:2] + (out_h, out_w))
    for (i, j), value in results.items():
        out[:, :, i, j] = value
    return out


@st.composite
def pool_cases(draw, max_side=6, dilation=True):
    """Input and pooling geometry with padding at most half the kernel (as torch requires)."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.none() | st.tuples(st.integers(1, 3), st.integers(1, 3)))
    padding = (draw(st.integers(0, kernel[0] // 2)), draw(st.integers(0, kernel[1] // 2)))
    dilation_pair = (draw(st.integers(1, 2)), draw(st.integers(1, 2))) if dilation else (1, 1)
    size = (draw(st.integers(1, max_side)), draw(st.integers(1, max_side)))
    for axis in range(2):
        assume(size[axis] + 2 * padding[axis] >= dilation_pair[axis] * (kernel[axis] - 1) + 1)
    inside = np.ones((1, 1) + size)
    assume(
        all(
            window.sum() > 0 for _, _, window in _windows(inside, kernel, stride or kernel, padding, dilation_pair, 0.0)
        )
    )
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    return (n, c) + size, kernel, stride, padding, dilation_pair


def _distinct_values(shape, data):
    """Entries a permutation of 0.1 * k: no ties, and gaps far wider than the finite-difference step."""
    order = data.draw(st.permutations(range(int(np.prod(shape)))))
    return (np.array(order, dtype=np.float64).reshape(shape) - len(order) / 2) * 0.1


# -- max pooling --------------------------------------------------------------------------
@given(pool_cases(), st.data())
def test_max_pool2d_matches_naive_loop_maximum(case, data):
    shape, kernel, stride, padding, dilation = case
    x = data.draw(arrays(shape))
    out = F.max_pool2d(Tensor(x), kernel, stride, padding, dilation)
    expected = naive_pool(x, kernel, stride or kernel, padding, dilation, "max")
    np.testing.assert_array_equal(out.data, expected)


@given(pool_cases(max_side=5), st.data())
def test_max_pool2d_gradient_matches_finite_differences(case, data):
    shape, kernel, stride, padding, dilation = case
    x = _distinct_values(shape, data)
    assert gradcheck(lambda x: F.max_pool2d(x, kernel, stride, padding, dilation), [x])


@pytest.mark.parametrize("kernel, stride, padding", [(3, 2, 1), (2, None, 0)])  # unfolded windows; tiles
def test_max_pool2d_second_derivatives_match_finite_differences(kernel, stride, padding):
    x = (np.random.default_rng(0).permutation(2 * 5 * 5).reshape(1, 2, 5, 5) - 25) * 0.1
    assert gradgradcheck(lambda x: (F.max_pool2d(x, kernel, stride, padding) ** 2).sum(), [x])


def test_max_pool2d_sends_the_gradient_of_a_window_to_its_first_maximum_like_torch():
    x = Tensor(np.array([[[[1.0, 1.0, 0.0, 2.0], [1.0, 0.5, 2.0, -1.0]]]]), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [[[[1.0, 0.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0]]]])


def test_max_pool2d_nan_wins_its_window_and_takes_the_gradient():
    x = Tensor(np.array([[[[1.0, np.nan, 3.0, 2.0], [4.0, 0.5, 2.0, -1.0]]]]), requires_grad=True)
    out = F.max_pool2d(x, 2)
    assert np.isnan(out.data[0, 0, 0, 0]) and out.data[0, 0, 0, 1] == 3.0
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [[[[0.0, 1.0, 1.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]])


@pytest.mark.parametrize(
    "kernel, stride, padding, dilation", [(2, None, 0, 1), (3, 2, 1, 1), (3, 1, 1, 1), ((2, 3), (1, 2), (1, 1), (2, 1))]
)
def test_max_pool2d_matches_torch_with_ties_and_overlapping_windows(kernel, stride, padding, dilation):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x = rng.integers(0, 3, (2, 3, 7, 8)).astype(np.float64)  # many ties
    reference = torch.tensor(x, requires_grad=True)
    expected = torch.nn.functional.max_pool2d(reference, kernel, stride, padding, dilation)
    seed = rng.standard_normal(tuple(expected.shape))
    expected.backward(torch.tensor(seed))
    ours = Tensor(x, requires_grad=True)
    out = F.max_pool2d(ours, kernel, stride, padding, dilation)
    out.backward(seed)
    np.testing.assert_array_equal(out.data, expected.detach().numpy())
    np.testing.assert_allclose(ours.grad, reference.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_max_pool2d_overlapping_windows_each_send_their_gradient_to_a_shared_maximum():
    x = Tensor(np.array([[[[0.0, 1.0, 5.0, 1.0, 0.0]]]]), requires_grad=True)
    out = F.max_pool2d(x, (1, 3), stride=1)
    np.testing.assert_array_equal(out.data, [[[[5.0, 5.0, 5.0]]]])
    out.backward(np.array([[[[1.0, 2.0, 4.0]]]]))
    np.testing.assert_array_equal(x.grad, [[[[0.0, 0.0, 7.0, 0.0, 0.0]]]])


def test_max_pool2d_padding_never_wins_over_negative_inputs():
    x = -np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    out = F.max_pool2d(Tensor(x), 2, stride=2, padding=1)
    np.testing.assert_array_equal(out.data, [[[[-1.0, -2.0], [-4.0, -5.0]]]])


def test_max_pool2d_padding_raises_no_false_alarm_in_anomaly_mode():
    from autograd.anomaly import detect_anomaly

    x = Tensor(np.random.default_rng(5).standard_normal((1, 2, 4, 4)), requires_grad=True)
    with detect_anomaly():
        out = F.max_pool2d(x, 3, stride=1, padding=1)
        out.sum().backward()
    assert np.isfinite(out.data).all() and np.isfinite(x.grad).all()


# -- average pooling ------------------------------------------------------------------------
@given(pool_cases(dilation=False), st.booleans(), st.data())
def test_avg_pool2d_matches_naive_loop_mean(case, count_include_pad, data):
    shape, kernel, stride, padding, _ = case
    x = data.draw(arrays(shape))
    out = F.avg_pool2d(Tensor(x), kernel, stride, padding, count_include_pad=count_include_pad)
    expected = naive_pool(x, kernel, stride or kernel, padding, (1, 1), "avg", count_include_pad)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)


@given(pool_cases(max_side=5, dilation=False), st.booleans(), st.data())
def test_avg_pool2d_gradient_matches_finite_differences(case, count_include_pad, data):
    shape, kernel, stride, padding, _ = case
    x = data.draw(arrays(shape))
    assert gradcheck(lambda x: F.avg_pool2d(x, kernel, stride, padding, count_include_pad=count_include_pad), [x])


@pytest.mark.parametrize(
    "kernel, stride, padding, count_include_pad", [(3, 2, 1, True), (3, 2, 1, False), (2, None, 0, True)]
)
def test_avg_pool2d_second_derivatives_match_finite_differences(kernel, stride, padding, count_include_pad):
    x = np.random.default_rng(1).standard_normal((1, 2, 4, 5))
    assert gradgradcheck(
        lambda x: (F.avg_pool2d(x, kernel, stride, padding, count_include_pad=count_include_pad) ** 3).sum(), [x]
    )


@pytest.mark.parametrize(
    "shape, kernel, stride",
    [((2, 3, 6, 8), 2, None), ((1, 2, 6, 6), (3, 2), (3, 2)), ((2, 1, 7, 5), 2, 2), ((1, 1, 4, 9), (1, 3), None)],
)
@pytest.mark.parametrize("divisor_override", [None, 5])
def test_avg_pool2d_over_windows_that_tile_the_input_is_their_sum_over_the_divisor(
    shape, kernel, stride, divisor_override
):
    # stride = kernel, no padding: one block-sums node (rows and columns past the last whole window left out)
    x = np.random.default_rng(3).standard_normal(shape)
    out = F.avg_pool2d(Tensor(x), kernel, stride, divisor_override=divisor_override)
    kernel_pair = kernel if isinstance(kernel, tuple) else (kernel, kernel)
    expected = naive_pool(x, kernel_pair, kernel_pair, (0, 0), (1, 1), "avg", True)
    if divisor_override is not None:
        expected = expected * np.prod(kernel_pair) / divisor_override
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    weights = np.random.default_rng(4).standard_normal(expected.shape)
    options = {"divisor_override": divisor_override}
    assert gradcheck(lambda t: F.avg_pool2d(t, kernel, stride, **options) * weights, [x])
    assert gradgradcheck(lambda t: F.avg_pool2d(t, kernel, stride, **options) ** 3, [x])
    unbatched = F.avg_pool2d(Tensor(x[0].astype(np.float32)), kernel, stride, divisor_override=divisor_override)
    assert unbatched.dtype == np.float32
    np.testing.assert_allclose(unbatched.data, expected[0], rtol=1e-6)


def test_avg_pool2d_over_tiling_windows_spreads_each_gradient_evenly_over_its_window():
    x = Tensor(np.zeros((1, 1, 4, 5)), requires_grad=True)
    F.avg_pool2d(x, 2).backward(np.array([[[[4.0, 8.0], [12.0, 16.0]]]]))
    expected = np.array([[1, 1, 2, 2, 0], [1, 1, 2, 2, 0], [3, 3, 4, 4, 0], [3, 3, 4, 4, 0]], dtype=float)
    np.testing.assert_array_equal(x.grad[0, 0], expected)


def test_pooling_keeps_float32():
    x = Tensor(np.random.default_rng(2).standard_normal((2, 3, 6, 6)).astype(np.float32), requires_grad=True)
    for out in (F.max_pool2d(x, 2), F.avg_pool2d(x, 3, 1, 1)):
        assert out.dtype == np.float32
        x.grad = None
        out.sum().backward()
        assert x.grad.dtype == np.float32


def test_pooling_accepts_unbatched_input():
    x = np.random.default_rng(3).standard_normal((2, 4, 4))
    np.testing.assert_array_equal(F.max_pool2d(Tensor(x), 2).data, F.max_pool2d(Tensor(x[None]), 2).data[0])
    np.testing.assert_array_equal(F.avg_pool2d(Tensor(x), 2).data, F.avg_pool2d(Tensor(x[None]), 2).data[0])


def test_pooling_and_convolution_accept_an_empty_batch():
    x = Tensor(np.zeros((0, 2, 5, 5)), requires_grad=True)
    outputs = [F.max_pool2d(x, 2), F.avg_pool2d(x, 3, 1, 1), F.conv2d(x, Tensor(np.ones((3, 2, 3, 3))), padding=1)]
    assert [out.shape for out in outputs] == [(0, 2, 2, 2), (0, 2, 5, 5), (0, 3, 5, 5)]
    sum(out.sum() for out in outputs).backward()
    assert x.grad.shape == (0, 2, 5, 5)


# -- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
def test_pooling_rejects_padding_over_half_the_kernel(pool):
    with pytest.raises(ValueError, match=r"padding \(2, 2\) must be at most half the kernel size \(3, 3\)"):
        pool(Tensor(np.zeros((1, 1, 6, 6))), 3, padding=2)


@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
def test_pooling_rejects_input_smaller_than_the_kernel_naming_shapes(pool):
    with pytest.raises(ValueError, match=r"input of shape \(1, 1, 2, 2\).*smaller than the kernel \(3, 3\)"):
        pool(Tensor(np.zeros((1, 1, 2, 2))), 3)


@pytest.mark.parametrize("pool", [F.max_pool2d, F.avg_pool2d])
def test_pooling_rejects_wrong_number_of_dimensions(pool):
    with pytest.raises(
        ValueError, match=r"expected an input of shape \(N, C, H, W\) or \(C, H, W\), got shape \(4, 4\)"
    ):
        pool(Tensor(np.zeros((4, 4))), 2)


def test_max_pool2d_rejects_a_dilated_window_that_reads_only_padding():
    message = (
        r"shape \(1, 1, 1, 1\), a window of kernel \(1, 2\) with dilation \(2, 2\) and padding \(0, 1\) reads only"
    )
    with pytest.raises(ValueError, match=message):
        F.max_pool2d(Tensor(np.zeros((1, 1, 1, 1))), (1, 2), stride=1, padding=(0, 1), dilation=2)


def test_pooling_rejects_bad_kernel_and_stride():
    x = Tensor(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match="max_pool2d: kernel_size must be at least 1"):
        F.max_pool2d(x, 0)
    with pytest.raises(TypeError, match=r"avg_pool2d: stride must be an int or a pair of ints, got 1.5"):
        F.avg_pool2d(x, 2, stride=1.5)


# -- modules ---------------------------------------------------------------------------------
def test_pool_modules_default_the_stride_to_the_kernel_size():
    x = Tensor(np.random.default_rng(4).standard_normal((1, 2, 6, 6)))
    np.testing.assert_array_equal(nn.MaxPool2d(3)(x).data, F.max_pool2d(x, 3, 3).data)
    np.testing.assert_array_equal(nn.AvgPool2d(2, padding=1)(x).data, F.avg_pool2d(x, 2, 2, 1).data)
    np.testing.assert_array_equal(
        nn.AvgPool2d(3, 1, 1, count_include_pad=False)(x).data, F.avg_pool2d(x, 3, 1, 1, count_include_pad=False).data
    )


def test_pool_module_reprs_show_their_geometry_as_passed():
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)) == (
        "AvgPool2d(kernel_size=3, stride=1, padding=1)"  # torch 2.13 shows the geometry only
    )
    assert repr(nn.MaxPool2d((2, 3), padding=(1, 0))) == (
        "MaxPool2d(kernel_size=(2, 3), stride=(2, 3), padding=(1, 0), dilation=1, ceil_mode=False)"
    )


POOL_GEOMETRIES = [
    ("MaxPool2d", (2,), {}),
    ("MaxPool2d", ((2, 3),), {"stride": 1, "padding": (1, 0), "dilation": (1, 2)}),
    ("MaxPool2d", (3,), {"stride": [2, 1], "padding": 1}),
    ("AvgPool2d", (2,), {}),
    ("AvgPool2d", ((3, 2),), {"stride": (1, 2), "padding": 1}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), POOL_GEOMETRIES)
def test_pool_module_geometry_attributes_keep_what_was_passed_like_torch(name, args, kwargs):
    torch = pytest.importorskip("torch")
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    for attribute in ("kernel_size", "stride", "padding", "dilation"):
        if hasattr(theirs, attribute):
            expected = getattr(theirs, attribute)
            assert getattr(ours, attribute) == (tuple(expected) if isinstance(expected, list) else expected)


def test_pool_module_geometry_attributes_keep_an_int_as_an_int_and_a_pair_as_a_tuple():
    pool = nn.MaxPool2d(2)
    assert (pool.kernel_size, pool.stride, pool.padding, pool.dilation) == (2, 2, 0, 1)
    pool = nn.AvgPool2d([3, 2], padding=(1, 0))
    assert (pool.kernel_size, pool.stride, pool.padding) == ((3, 2), (3, 2), (1, 0))
    assert nn.AdaptiveAvgPool2d(5).output_size == 5
    x = np.random.default_rng(0).standard_normal((1, 1, 6, 6))
    np.testing.assert_array_equal(nn.MaxPool2d(2)(x).data, x.reshape(1, 1, 3, 2, 3, 2).max(axis=(3, 5)))


@pytest.mark.parametrize("layer", [nn.MaxPool2d, nn.AvgPool2d])
def test_pool_modules_reject_padding_over_half_the_kernel_when_built(layer):
    with pytest.raises(ValueError, match=r"padding \(1, 1\) must be at most half the kernel size \(1, 1\)"):
        layer(1, padding=1)


def test_max_pool2d_with_nan_and_inf_in_windows_and_in_the_upstream_gradient():
    x = Tensor(np.array([[[[np.nan, 1.0, np.inf, 2.0], [np.nan, 5.0, 0.0, np.inf]]]]), requires_grad=True)
    out = F.max_pool2d(x, 2)
    assert np.isnan(out.data[0, 0, 0, 0]) and out.data[0, 0, 0, 1] == np.inf
    out.backward(np.array([[[[np.inf, 3.0]]]]))  # inf reaches only the window's last NaN, as torch (no inf * 0)
    np.testing.assert_array_equal(x.grad, [[[[0.0, 0.0, 3.0, 0.0], [np.inf, 0.0, 0.0, 0.0]]]])


@pytest.mark.parametrize("size", [(5, 7), (6, 6)])  # a remainder that no window reads; exact tiles
@pytest.mark.parametrize("seed", [np.nan, 1.0])  # the upstream gradient: not all finite, finite
def test_max_pool2d_gradient_of_tiling_windows_reaches_each_first_maximum_only(size, seed):
    x = np.random.default_rng(3).integers(0, 2, (2, 3) + size).astype(np.float32)  # many ties
    t = Tensor(x, requires_grad=True)
    out = F.max_pool2d(t, 2)
    upstream = np.arange(out.size, dtype=np.float32).reshape(out.shape) + 1
    upstream.flat[0] = seed
    out.backward(upstream)
    expected = np.zeros_like(x)
    for n, c, i, j in np.ndindex(out.shape):
        window = x[n, c, 2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
        a, b = divmod(int(np.argmax(window)), 2)
        expected[n, c, 2 * i + a, 2 * j + b] = upstream[n, c, i, j]
    np.testing.assert_array_equal(t.grad, expected)
    assert t.grad.dtype == np.float32


# -- window_sums: average pooling's sums over any windows, and their adjoint --------------------------
@given(pool_cases(dilation=False), st.data())
def test_window_sums_match_naive_loop_sums_and_spread_is_their_adjoint(case, data):
    shape, kernel, stride, padding, _ = case
    stride = stride or kernel
    x = data.draw(arrays(shape))
    sums = window_sums(Tensor(x), kernel, stride, padding)
    expected = naive_pool(x, kernel, stride, padding, (1, 1), "avg") * (kernel[0] * kernel[1])
    np.testing.assert_allclose(sums.data, expected, rtol=1e-12, atol=1e-12)
    g = np.random.default_rng(0).standard_normal(expected.shape)
    spread = spread_over_windows_array(g, kernel, stride, padding, shape[2:])
    assert spread.shape == x.shape
    np.testing.assert_allclose((expected * g).sum(), (x * spread).sum(), rtol=1e-10, atol=1e-10)


def test_window_sums_work_on_the_last_two_axes_of_any_tensor_and_keep_float32():
    x = np.random.default_rng(2).standard_normal((2, 3, 4, 5, 6)).astype(np.float32)
    sums = window_sums(Tensor(x), (3, 2), (1, 2), (1, 0))
    flat = naive_pool(x.reshape(6, 4, 5, 6).astype(np.float64), (3, 2), (1, 2), (1, 0), (1, 1), "avg") * 6
    assert sums.dtype == np.float32 and sums.shape == (2, 3, 4, 5, 3)
    np.testing.assert_allclose(sums.data.reshape(flat.shape), flat, rtol=1e-5, atol=1e-5)
    assert gradcheck(lambda t: window_sums(t, (2, 3), (2, 1), (0, 1)) ** 2, [x[0, 0].astype(np.float64)])


def test_window_sums_keep_an_infinity_in_the_windows_that_read_it():
    x = np.zeros((1, 1, 5, 5))
    x[0, 0, 0, 0] = np.inf
    sums = window_sums(Tensor(x), (2, 2), (1, 1), (0, 0)).data[0, 0]
    assert sums[0, 0] == np.inf and np.isfinite(sums.reshape(-1)[1:]).all()


def test_window_sums_refuse_a_window_larger_than_the_padded_input():
    with pytest.raises(ShapeError, match="does not fit"):
        window_sums(Tensor(np.zeros((1, 1, 2, 2))), (3, 3), (1, 1), (0, 0))


@pytest.mark.parametrize(("kernel", "stride", "padding"), [(3, 1, 1), (2, None, 0), (3, 2, 0)])
def test_avg_pool2d_of_float16_sums_in_float32_so_large_values_do_not_overflow(kernel, stride, padding):
    x = np.random.default_rng(6).uniform(50_000, 65_000, (1, 2, 6, 6)).astype(np.float16)
    t = Tensor(x, requires_grad=True)
    out = F.avg_pool2d(t, kernel, stride, padding)
    pair = (kernel, kernel)
    expected = naive_pool(x.astype(np.float64), pair, (stride or kernel,) * 2, (padding, padding), (1, 1), "avg")
    assert out.dtype == np.float16 and np.isfinite(out.data).all()
    np.testing.assert_allclose(out.data, expected, rtol=1e-3)  # float16's rounding of the exact means
    out.sum().backward()
    assert t.grad.dtype == np.float16 and np.isfinite(t.grad).all()


def test_avg_pool2d_of_a_window_holding_inf_and_minus_inf_is_nan_without_a_warning():
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 0, :2] = [np.inf, -np.inf]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.avg_pool2d(Tensor(x), 2, 1).data[0, 0]
    assert np.isnan(out[0, 0]) and out[0, 1] == -np.inf and (out[1] == 0).all()
