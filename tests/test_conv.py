"""Tests for the unfold/fold primitives (autograd.conv), nn.functional.conv2d, conv_output_size,
the Conv2d module and the CNN models: values against naive loops, gradients against finite
differences, the output-size rule, and argument errors."""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.conv import block_sums, fold, repeat_blocks, unfold
from autograd.testing import arrays
from nn.models import digits_cnn, mnist_cnn


def _count_positions(n, f, p, s, d):
    """Kernel positions along one axis, by walking the kernel over the padded input."""
    count, start = 0, 0
    while start + d * (f - 1) <= n + 2 * p - 1:
        count += 1
        start += s
    return count


def naive_conv2d(x, weight, bias, stride, padding, dilation):
    """Direct six-fold loop over the definition of cross-correlation (slow; small shapes only)."""
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    n, c_in, h, w = x.shape
    c_out, _, kh, kw = weight.shape
    padded = np.zeros((n, c_in, h + 2 * ph, w + 2 * pw))
    padded[:, :, ph : ph + h, pw : pw + w] = x
    out_h, out_w = _count_positions(h, kh, ph, sh, dh), _count_positions(w, kw, pw, sw, dw)
    out = np.zeros((n, c_out, out_h, out_w))
    for b in range(n):
        for o in range(c_out):
            for i in range(out_h):
                for j in range(out_w):
                    total = 0.0 if bias is None else bias[o]
                    for c in range(c_in):
                        for a in range(kh):
                            for e in range(kw):
                                total += weight[o, c, a, e] * padded[b, c, i * sh + a * dh, j * sw + e * dw]
                    out[b, o, i, j] = total
    return out


def _int_or_pair(values):
    """An int or a pair drawn from ``values``, and the pair it means."""
    return st.one_of(
        values.map(lambda v: (v, (v, v))),
        st.tuples(values, values).map(lambda p: (p, p)),
    )


@st.composite
def geometries(draw, max_kernel=3, max_stride=3, max_padding=2, max_dilation=2, max_side=5):
    """(kernel, stride, padding, dilation) arguments, their pairs, and an input (H, W) they fit."""
    kernel, kernel_pair = draw(_int_or_pair(st.integers(1, max_kernel)))
    stride, stride_pair = draw(_int_or_pair(st.integers(1, max_stride)))
    padding, padding_pair = draw(_int_or_pair(st.integers(0, max_padding)))
    dilation, dilation_pair = draw(_int_or_pair(st.integers(1, max_dilation)))
    size = (draw(st.integers(1, max_side)), draw(st.integers(1, max_side)))
    for axis in range(2):
        assume(size[axis] + 2 * padding_pair[axis] >= dilation_pair[axis] * (kernel_pair[axis] - 1) + 1)
    return {
        "args": (kernel, stride, padding, dilation),
        "pairs": (kernel_pair, stride_pair, padding_pair, dilation_pair),
        "size": size,
    }


@st.composite
def conv_cases(draw, max_side=5, max_channels=3):
    """Random input, weight, optional bias and geometry for conv2d."""
    geometry = draw(geometries(max_side=max_side))
    channels = st.integers(1, max_channels)
    n, c_in, c_out = draw(st.integers(1, 2)), draw(channels), draw(channels)
    kh, kw = geometry["pairs"][0]
    x = draw(arrays((n, c_in) + geometry["size"]))
    weight = draw(arrays((c_out, c_in, kh, kw)))
    bias = draw(st.none() | arrays((c_out,)))
    _, stride, padding, dilation = geometry["args"]
    return x, weight, bias, {"stride": stride, "padding": padding, "dilation": dilation}, geometry["pairs"][1:]


# -- values ----------------------------------------------------------------------------
@given(conv_cases())
def test_conv2d_matches_naive_loop_convolution(case):
    x, weight, bias, options, (stride, padding, dilation) = case
    out = F.conv2d(Tensor(x), Tensor(weight), None if bias is None else Tensor(bias), **options)
    expected = naive_conv2d(x, weight, bias, stride, padding, dilation)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-10)


@given(geometries(), st.integers(1, 2), st.integers(1, 2), st.data())
def test_unfold_reads_the_padded_window_of_each_position(geometry, n, c, data):
    kernel, stride, padding, dilation = geometry["pairs"]
    x = data.draw(arrays((n, c) + geometry["size"]))
    windows = unfold(Tensor(x), *geometry["args"]).data
    padded = np.pad(x, ((0, 0), (0, 0), (padding[0],) * 2, (padding[1],) * 2))
    out_h = _count_positions(x.shape[2], kernel[0], padding[0], stride[0], dilation[0])
    out_w = _count_positions(x.shape[3], kernel[1], padding[1], stride[1], dilation[1])
    assert windows.shape == (n, c, out_h, out_w) + kernel
    for i in range(out_h):
        for j in range(out_w):
            rows = i * stride[0] + dilation[0] * np.arange(kernel[0])
            cols = j * stride[1] + dilation[1] * np.arange(kernel[1])
            np.testing.assert_array_equal(windows[:, :, i, j], padded[:, :, rows][:, :, :, cols])


@given(geometries(), st.integers(1, 2), st.integers(1, 2), st.data())
def test_fold_is_the_adjoint_of_unfold(geometry, n, c, data):
    # <unfold(x), w> = <x, fold(w)> for every x and w defines fold as unfold's transpose.
    x = data.draw(arrays((n, c) + geometry["size"]))
    windows = unfold(Tensor(x), *geometry["args"])
    w = data.draw(arrays(windows.shape))
    folded = fold(Tensor(w), geometry["size"], *geometry["args"])
    assert folded.shape == x.shape
    np.testing.assert_allclose(np.sum(windows.data * w), np.sum(x * folded.data), rtol=1e-10, atol=1e-10)


def test_unbatched_input_gives_the_batched_result_without_batch_axis():
    rng = np.random.default_rng(0)
    x, weight, bias = rng.standard_normal((2, 5, 4)), rng.standard_normal((3, 2, 2, 2)), rng.standard_normal(3)
    single = F.conv2d(Tensor(x), Tensor(weight), Tensor(bias), padding=1)
    batched = F.conv2d(Tensor(x[None]), Tensor(weight), Tensor(bias), padding=1)
    assert single.shape == (3, 6, 5)
    np.testing.assert_array_equal(single.data, batched.data[0])


def test_conv2d_keeps_float32_in_values_and_gradients():
    rng = np.random.default_rng(1)
    x = Tensor(rng.standard_normal((2, 1, 6, 6)).astype(np.float32), requires_grad=True)
    weight = Tensor(rng.standard_normal((4, 1, 3, 3)).astype(np.float32), requires_grad=True)
    bias = Tensor(np.zeros(4, dtype=np.float32), requires_grad=True)
    out = F.conv2d(x, weight, bias, padding=1)
    out.sum().backward()
    assert out.dtype == np.float32
    assert x.grad.dtype == weight.grad.dtype == bias.grad.dtype == np.float32


# -- gradients ---------------------------------------------------------------------------
@given(conv_cases(max_side=4, max_channels=2))
def test_conv2d_gradients_match_finite_differences(case):
    x, weight, bias, options, _ = case
    if bias is None:
        assert gradcheck(lambda x, w: F.conv2d(x, w, None, **options), [x, weight])
    else:
        assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, **options), [x, weight, bias])


@pytest.mark.parametrize(
    "options",
    [
        {"stride": 1, "padding": 0, "dilation": 1},
        {"stride": 2, "padding": 1, "dilation": 1},
        {"stride": (1, 2), "padding": (1, 0), "dilation": 2},
    ],
)
def test_conv2d_second_derivatives_match_finite_differences(options):
    rng = np.random.default_rng(2)
    x, weight, bias = rng.standard_normal((1, 2, 5, 4)), rng.standard_normal((2, 2, 2, 2)), rng.standard_normal(2)
    target = rng.standard_normal(F.conv2d(Tensor(x), Tensor(weight), None, **options).shape)
    assert gradgradcheck(lambda x, w, b: ((F.conv2d(x, w, b, **options) - target) ** 2).sum(), [x, weight, bias])


def naive_grouped_conv2d(x, weight, bias, groups, **geometry):
    """Grouped convolution by its definition: an ordinary convolution per block of channels, side by side."""
    in_block, out_block = x.shape[1] // groups, weight.shape[0] // groups
    outputs = [
        naive_conv2d(
            x[:, g * in_block : (g + 1) * in_block],
            weight[g * out_block : (g + 1) * out_block],
            None if bias is None else bias[g * out_block : (g + 1) * out_block],
            **geometry,
        )
        for g in range(groups)
    ]
    return np.concatenate(outputs, axis=1)


@pytest.mark.parametrize("groups, c_in, c_out", [(2, 4, 2), (2, 2, 4), (3, 3, 3), (3, 6, 3)])
def test_grouped_conv2d_is_one_convolution_per_channel_block(groups, c_in, c_out):
    rng = np.random.default_rng(groups * 10 + c_in)
    x, weight = rng.standard_normal((2, c_in, 5, 4)), rng.standard_normal((c_out, c_in // groups, 2, 3))
    bias = rng.standard_normal(c_out)
    out = F.conv2d(x, weight, bias, stride=(1, 2), padding=1, dilation=(2, 1), groups=groups)
    expected = naive_grouped_conv2d(x, weight, bias, groups, stride=(1, 2), padding=(1, 1), dilation=(2, 1))
    np.testing.assert_allclose(out.data, expected, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("groups, c_in, c_out", [(2, 4, 2), (3, 3, 3), (2, 2, 6)])
def test_grouped_conv2d_gradients_match_finite_differences(groups, c_in, c_out):
    rng = np.random.default_rng(7)
    x, weight = rng.standard_normal((2, c_in, 4, 4)), rng.standard_normal((c_out, c_in // groups, 2, 2))
    bias = rng.standard_normal(c_out)
    assert gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding=1, stride=(1, 2), groups=groups), [x, weight, bias])
    assert gradgradcheck(lambda x, w: (F.conv2d(x, w, None, groups=groups) ** 2).sum(), [x[:1], weight])


def test_grouped_conv2d_with_one_group_equals_the_ungrouped_convolution():
    rng = np.random.default_rng(8)
    x, weight = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((4, 3, 3, 3))
    np.testing.assert_array_equal(F.conv2d(x, weight, groups=1).data, F.conv2d(x, weight).data)


@pytest.mark.parametrize(
    "c_in, weight_shape, groups, error, message",
    [
        (4, (6, 2, 3, 3), 3, ValueError, r"conv2d: in_channels \(4\) must be divisible by groups \(3\)"),
        (4, (3, 2, 3, 3), 2, ValueError, r"conv2d: out_channels \(3\) must be divisible by groups \(2\)"),
        (4, (4, 4, 3, 3), 2, ValueError, r"has 4 channels, but weight of shape \(4, 4, 3, 3\) expects 8 \(groups=2\)"),
        (4, (4, 2, 3, 3), 0, ValueError, "conv2d: groups must be a positive integer, got 0"),
        (4, (4, 2, 3, 3), 2.0, TypeError, "conv2d: groups must be a positive integer, got 2.0"),
        (4, (4, 2, 3, 3), True, TypeError, "conv2d: groups must be a positive integer, got True"),
    ],
)
def test_grouped_conv2d_rejects_channels_that_do_not_split_into_groups(c_in, weight_shape, groups, error, message):
    with pytest.raises(error, match=message):
        F.conv2d(np.zeros((1, c_in, 5, 5)), np.zeros(weight_shape), groups=groups)


@given(geometries(max_padding=1, max_side=3), st.data())
def test_unfold_and_fold_gradients_match_finite_differences(geometry, data):
    x = data.draw(arrays((1, 2) + geometry["size"]))
    assert gradcheck(lambda x: unfold(x, *geometry["args"]), [x])
    windows = data.draw(arrays(unfold(Tensor(x), *geometry["args"]).shape))
    assert gradcheck(lambda w: fold(w, geometry["size"], *geometry["args"]), [windows])


# -- output size -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "n, f, p, s, d, expected",
    [
        (28, 3, 1, 1, 1, 28),  # "same" 3x3
        (32, 5, 0, 1, 1, 28),  # LeNet C1
        (28, 2, 0, 2, 1, 14),  # 2x2 pooling
        (7, 3, 0, 2, 1, 3),
        (8, 3, 0, 2, 1, 3),  # the last column is not reached: floor
        (227, 11, 0, 4, 1, 55),  # AlexNet conv1
        (224, 7, 3, 2, 1, 112),  # ResNet stem
        (5, 3, 0, 2, 2, 1),  # dilated kernel spans all 5 inputs
        (6, 3, 2, 1, 2, 6),
        (1, 3, 1, 1, 1, 1),
        (4, 4, 0, 1, 1, 1),
    ],
)
def test_conv_output_size_follows_the_floor_rule(n, f, p, s, d, expected):
    assert F.conv_output_size(n, f, p, s, d) == expected
    assert _count_positions(n, f, p, s, d) == expected


@given(st.integers(0, 12), st.integers(1, 5), st.integers(0, 3), st.integers(1, 4), st.integers(1, 3))
def test_conv_output_size_counts_kernel_positions(n, f, p, s, d):
    positions = _count_positions(n, f, p, s, d)
    if positions == 0:
        with pytest.raises(ValueError, match="smaller than the kernel span"):
            F.conv_output_size(n, f, p, s, d)
    else:
        assert F.conv_output_size(n, f, p, s, d) == positions


@pytest.mark.parametrize(
    "args, error, message",
    [
        ((5, 0), ValueError, "f must be at least 1"),
        ((5, 3, -1), ValueError, "p must be at least 0"),
        ((5, 3, 0, 0), ValueError, "s must be at least 1"),
        ((5, 3, 0, 1, 0), ValueError, "d must be at least 1"),
        ((5.0, 3), TypeError, "n must be an int"),
        ((2, 3), ValueError, r"input of size 2 \(padded to 2\) is smaller than the kernel span 3"),
    ],
)
def test_conv_output_size_rejects_bad_arguments(args, error, message):
    with pytest.raises(error, match=message):
        F.conv_output_size(*args)


# -- errors ------------------------------------------------------------------------------
def test_conv2d_rejects_input_smaller_than_the_kernel_naming_shapes():
    with pytest.raises(ValueError, match=r"conv2d: input of shape \(1, 1, 2, 2\).*smaller than the kernel \(3, 3\)"):
        F.conv2d(Tensor(np.zeros((1, 1, 2, 2))), Tensor(np.zeros((1, 1, 3, 3))))


def test_conv2d_rejects_channel_mismatch_naming_shapes():
    with pytest.raises(ValueError, match=r"input of shape \(1, 3, 5, 5\) has 3 channels.*\(4, 2, 3, 3\) expects 2"):
        F.conv2d(Tensor(np.zeros((1, 3, 5, 5))), Tensor(np.zeros((4, 2, 3, 3))))


@pytest.mark.parametrize("shape", [(5, 5), (1, 1, 1, 5, 5)])
def test_conv2d_rejects_wrong_number_of_dimensions(shape):
    with pytest.raises(ValueError, match=rf"conv2d: expected an input of shape \(N, C, H, W\).*{shape[0]}"):
        F.conv2d(Tensor(np.zeros(shape)), Tensor(np.zeros((1, 1, 3, 3))))


def test_conv2d_rejects_bad_weight_and_bias_shapes():
    x = Tensor(np.zeros((1, 1, 5, 5)))
    with pytest.raises(
        ValueError, match=r"weight must have shape \(C_out, C_in / groups, kh, kw\), got shape \(3, 3\)"
    ):
        F.conv2d(x, Tensor(np.zeros((3, 3))))
    with pytest.raises(ValueError, match=r"bias must have shape \(2,\).*got \(3,\)"):
        F.conv2d(x, Tensor(np.zeros((2, 1, 3, 3))), Tensor(np.zeros(3)))


@pytest.mark.parametrize(
    "options, error, message",
    [
        ({"stride": 0}, ValueError, "stride must be at least 1"),
        ({"padding": -1}, ValueError, "padding must be at least 0"),
        ({"dilation": (1, 0)}, ValueError, "dilation must be at least 1"),
        ({"stride": (1, 2, 3)}, RuntimeError, r"stride must be an int or a pair of ints, got 3 values \(1, 2, 3\)"),
        ({"padding": "full"}, ValueError, "padding must be 'valid', 'same', an int or a tuple of ints, got 'full'"),
        ({"padding": "same", "stride": 2}, ValueError, r"conv2d: padding='same' needs stride 1.*got stride \(2, 2\)"),
        ({"padding": 1.5}, TypeError, "padding must be an int or a pair of ints, got 1.5"),
        ({"stride": 1.5}, TypeError, "stride must be an int or a pair"),
    ],
)
def test_conv2d_rejects_bad_geometry_arguments(options, error, message):
    with pytest.raises(error, match=message):
        F.conv2d(Tensor(np.zeros((1, 1, 5, 5))), Tensor(np.zeros((1, 1, 3, 3))), **options)


def test_fold_rejects_windows_that_do_not_match_the_geometry():
    with pytest.raises(ValueError, match=r"fold: windows of shape \(1, 1, 2, 2, 3, 3\) do not match"):
        fold(Tensor(np.zeros((1, 1, 2, 2, 3, 3))), (5, 5), 3)


# -- Conv2d module and models --------------------------------------------------------------
def test_conv2d_module_applies_functional_conv2d_with_its_parameters():
    layer = nn.Conv2d(2, 3, (3, 2), stride=2, padding=1, dilation=(1, 2), rng=0)
    x = np.random.default_rng(3).standard_normal((2, 2, 7, 6)).astype(np.float32)
    expected = F.conv2d(Tensor(x), layer.weight, layer.bias, stride=2, padding=1, dilation=(1, 2))
    np.testing.assert_array_equal(layer(Tensor(x)).data, expected.data)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert layer.weight.shape == (3, 2, 3, 2) and layer.weight.dtype == np.float32


def test_conv2d_module_initialises_like_torch_within_one_over_sqrt_fan_in():
    layer = nn.Conv2d(4, 16, 3, rng=0)
    bound = 1 / np.sqrt(4 * 3 * 3)
    for parameter in (layer.weight.data, layer.bias.data):
        assert np.abs(parameter).max() <= bound
        assert np.abs(parameter).max() > 0.8 * bound  # spread over the interval, not all near zero
    np.testing.assert_array_equal(nn.Conv2d(4, 16, 3, rng=0).weight.data, layer.weight.data)
    assert not np.array_equal(nn.Conv2d(4, 16, 3, rng=1).weight.data, layer.weight.data)


def test_conv2d_module_without_bias_has_only_a_weight():
    layer = nn.Conv2d(1, 2, 3, bias=False, rng=0)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]


def test_conv2d_module_repr_shows_its_geometry():
    assert (
        repr(nn.Conv2d(1, 8, 3, padding=1, rng=0)) == "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    )
    assert repr(nn.Conv2d(2, 4, (1, 3), stride=2, dilation=2, bias=False, rng=0)) == (
        "Conv2d(2, 4, kernel_size=(1, 3), stride=(2, 2), dilation=(2, 2), bias=False)"
    )


def test_grouped_conv2d_module_has_torchs_weight_shape_fan_in_and_repr():
    layer = nn.Conv2d(6, 4, 3, groups=2, rng=0)
    assert layer.weight.shape == (4, 3, 3, 3)
    bound = 1 / np.sqrt(3 * 3 * 3)
    assert bound * 0.8 < np.abs(layer.weight.data).max() <= bound
    assert repr(layer) == "Conv2d(6, 4, kernel_size=(3, 3), stride=(1, 1), groups=2)"
    x = np.random.default_rng(9).standard_normal((1, 6, 5, 5)).astype(np.float32)
    expected = F.conv2d(x, layer.weight, layer.bias, groups=2)
    np.testing.assert_array_equal(layer(Tensor(x)).data, expected.data)
    depthwise = nn.Conv2d(5, 5, 3, groups=5, bias=False, rng=0)
    assert depthwise.weight.shape == (5, 1, 3, 3)


@pytest.mark.parametrize(
    "args, kwargs, error, message",
    [
        ((4, 6, 3), {"groups": 3}, ValueError, r"Conv2d: in_channels \(4\) must be divisible by groups \(3\)"),
        ((4, 6, 3), {"groups": 4}, ValueError, r"Conv2d: out_channels \(6\) must be divisible by groups \(4\)"),
        ((4, 4, 3), {"groups": 0}, ValueError, "Conv2d: groups must be a positive integer, got 0"),
        ((0, 1, 3), {}, ValueError, "Conv2d: in_channels must be a positive integer, got 0"),
        ((1, 1, 0), {}, ValueError, "Conv2d: kernel_size must be at least 1"),
        ((1, 1, 3), {"dtype": np.int32}, TypeError, "Conv2d: dtype must be a floating-point dtype, got int32"),
    ],
)
def test_conv2d_module_rejects_bad_arguments(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        nn.Conv2d(*args, **kwargs)


def test_conv2d_module_names_shapes_on_channel_mismatch():
    with pytest.raises(ValueError, match=r"input of shape \(1, 3, 8, 8\) has 3 channels"):
        nn.Conv2d(1, 4, 3, rng=0)(Tensor(np.zeros((1, 3, 8, 8), dtype=np.float32)))


@pytest.mark.parametrize("model, size", [(digits_cnn, 8), (mnist_cnn, 28)])
def test_cnn_models_map_images_to_ten_logits_and_train_every_parameter(model, size):
    network = model(rng=0)
    x = Tensor(np.random.default_rng(4).standard_normal((3, 1, size, size)).astype(np.float32))
    logits = network(x)
    assert logits.shape == (3, 10) and logits.dtype == np.float32
    F.cross_entropy(logits, np.array([0, 1, 2])).backward()
    for name, parameter in network.named_parameters():
        assert parameter.grad is not None and parameter.grad.shape == parameter.shape, name


# -- PyTorch-layout unfold / fold ----------------------------------------------------------
def test_torch_layout_unfold_flattens_channel_then_kernel_offsets_per_position():
    x = np.arange(2 * 3 * 3, dtype=np.float64).reshape(1, 2, 3, 3)
    cols = F.unfold(Tensor(x), 2).data
    assert cols.shape == (1, 2 * 2 * 2, 4)
    # column 1 is the window at row 0, column 1: channel 0 then channel 1, each row-major
    np.testing.assert_array_equal(cols[0, :, 1], [1, 2, 4, 5, 10, 11, 13, 14])


def test_torch_layout_fold_of_unfold_counts_how_many_windows_cover_each_pixel():
    ones = Tensor(np.ones((1, 1, 3, 3)))
    covered = F.fold(F.unfold(ones, 2), (3, 3), 2)
    np.testing.assert_array_equal(covered.data[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


def test_torch_layout_fold_rejects_columns_that_do_not_fit_the_kernel():
    with pytest.raises(ValueError, match=r"fold: input of shape \(1, 5, 4\) does not fit kernel \(2, 2\)"):
        F.fold(Tensor(np.zeros((1, 5, 4))), (3, 3), 2)
    with pytest.raises(ValueError, match=r"fold: expected an input of shape \(N, C\*kh\*kw, L\)"):
        F.fold(Tensor(np.zeros((1, 1, 4, 4))), (3, 3), 2)


# -- repeat_blocks and block_sums: nearest upsampling by whole factors and sums over tiling windows -------------
@pytest.mark.parametrize(
    "shape, block", [((2, 3, 4, 5), (2, 3)), ((3, 4), (1, 4)), ((2, 2, 3, 2), (3, 1, 2)), ((5,), (2,))]
)
def test_repeat_blocks_is_np_repeat_and_block_sums_its_adjoint(shape, block):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    expected = x
    for offset, r in enumerate(block):
        expected = expected.repeat(r, axis=x.ndim - len(block) + offset)
    repeated = repeat_blocks(Tensor(x), block)
    np.testing.assert_array_equal(repeated.data, expected)
    y = rng.standard_normal(expected.shape)
    sums = block_sums(Tensor(y), block).data
    lead = y.shape[: y.ndim - len(block)]
    split = sum(((n // r, r) for n, r in zip(y.shape[len(lead) :], block)), ())
    np.testing.assert_allclose(
        sums, y.reshape(lead + split).sum(axis=tuple(len(lead) + 2 * k + 1 for k in range(len(block))))
    )
    np.testing.assert_allclose((expected * y).sum(), (x * sums).sum())  # <R x, y> = <x, S y>
    assert gradcheck(lambda t: repeat_blocks(t, block) * y, [x])
    assert gradgradcheck(lambda t: repeat_blocks(t, block) ** 3, [x])
    assert gradcheck(lambda t: block_sums(t, block) * sums, [y])
    assert gradgradcheck(lambda t: block_sums(t, block) ** 3, [y])


def test_repeat_blocks_and_block_sums_keep_the_dtype_and_never_alias_their_input():
    x = np.ones((2, 4), dtype=np.float32)
    assert repeat_blocks(Tensor(x), (2,)).dtype == np.float32 and block_sums(Tensor(x), (2, 2)).dtype == np.float32
    same = block_sums(Tensor(x), (1, 1)).data
    assert not np.shares_memory(same, x) and np.array_equal(same, x)


def test_block_sums_and_repeat_blocks_reject_bad_blocks():
    with pytest.raises(
        ValueError, match=r"block_sums: blocks \(3,\) do not tile the last axes of a tensor of shape \(2, 4\)"
    ):
        block_sums(Tensor(np.ones((2, 4))), (3,))
    with pytest.raises(ValueError, match=r"repeat_blocks: block must hold positive integers, got \(0,\)"):
        repeat_blocks(Tensor(np.ones(2)), (0,))
    with pytest.raises(
        ValueError, match=r"repeat_blocks: block \(2, 2\) has more axes than the tensor of shape \(2,\)"
    ):
        repeat_blocks(Tensor(np.ones(2)), (2, 2))
