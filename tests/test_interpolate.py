"""F.interpolate and the Upsample layers without torch: known values of each mode, gradients (and a second
derivative) against finite differences, errors naming the op, and checkpoints of the layers."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import gradcheck, gradgradcheck
from nn import architecture


def test_linear_with_aligned_corners_puts_the_corner_pixels_on_each_other():
    out = F.interpolate(np.array([[[0.0, 1.0]]]), size=3, mode="linear", align_corners=True)
    np.testing.assert_allclose(out.data.ravel(), [0.0, 0.5, 1.0])
    ramp = np.arange(5.0).reshape(1, 1, 5)
    out = F.interpolate(ramp, size=9, mode="linear", align_corners=True)
    np.testing.assert_allclose(out.data.ravel(), np.linspace(0.0, 4.0, 9))


def test_linear_without_aligned_corners_samples_pixel_centres_and_clamps_at_the_edges():
    # src = (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, 1.25 -> clamped to 0 at the left, the last entry repeated
    out = F.interpolate(np.array([[[0.0, 1.0]]]), scale_factor=2, mode="linear")
    np.testing.assert_allclose(out.data.ravel(), [0.0, 0.25, 0.75, 1.0])


def test_nearest_repeats_and_nearest_exact_reads_pixel_centres():
    x = np.arange(3.0).reshape(1, 1, 3)
    np.testing.assert_array_equal(F.interpolate(x, scale_factor=2).data.ravel(), [0, 0, 1, 1, 2, 2])
    # 3 -> 5: nearest reads floor(i * 0.6), nearest-exact floor((i + 0.5) * 0.6)
    np.testing.assert_array_equal(F.interpolate(x, size=5).data.ravel(), [0, 0, 1, 1, 2])
    np.testing.assert_array_equal(F.interpolate(x, size=5, mode="nearest-exact").data.ravel(), [0, 0, 1, 2, 2])


def test_area_averages_torchs_adaptive_windows():
    x = np.arange(6.0).reshape(1, 1, 6)
    np.testing.assert_allclose(F.interpolate(x, size=3, mode="area").data.ravel(), [0.5, 2.5, 4.5])
    # windows [floor(6i/4), ceil(6(i + 1)/4)): [0, 2), [1, 3), [3, 5), [4, 6)
    np.testing.assert_allclose(F.interpolate(x, size=4, mode="area").data.ravel(), [0.5, 1.5, 3.5, 4.5])


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("antialias", [False, True])
def test_weights_sum_to_one_so_constants_stay_constant(mode, antialias):
    x = np.full((1, 2, 5, 7), 3.0)
    for options in [{"size": (9, 4)}, {"scale_factor": 0.4}, {"size": (5, 7), "align_corners": True}]:
        out = F.interpolate(x, mode=mode, antialias=antialias, **options)
        np.testing.assert_allclose(out.data, 3.0, rtol=1e-12)


def test_bicubic_reproduces_a_linear_ramp_inside_the_image():
    ramp = np.broadcast_to(np.arange(8.0), (1, 1, 3, 8))
    out = F.interpolate(ramp, size=(3, 15), mode="bicubic", align_corners=True).data[0, 0, 0]
    np.testing.assert_allclose(out[2:-2], np.linspace(0.0, 7.0, 15)[2:-2], rtol=1e-12)


@pytest.mark.parametrize(
    "shape, options",
    [
        ((1, 2, 3), {"size": 5, "mode": "nearest"}),
        ((1, 1, 3, 4), {"scale_factor": (1.5, 0.75), "mode": "nearest-exact"}),
        ((1, 2, 3), {"size": 5, "mode": "linear", "align_corners": True}),
        ((1, 2, 4), {"scale_factor": 0.6, "mode": "linear"}),
        ((1, 1, 3, 4), {"size": (5, 3), "mode": "bilinear"}),
        ((1, 1, 3, 4), {"scale_factor": 1.7, "mode": "bicubic", "align_corners": True}),
        ((1, 1, 5, 6), {"size": (2, 4), "mode": "bicubic", "antialias": True}),
        ((1, 1, 5, 6), {"scale_factor": 0.5, "mode": "bilinear", "antialias": True}),
        ((1, 1, 2, 3, 2), {"size": (3, 2, 4), "mode": "trilinear"}),
        ((1, 1, 5, 4), {"size": (3, 3), "mode": "area"}),
    ],
)
def test_interpolate_gradients_match_finite_differences(shape, options):
    x = np.random.default_rng(0).standard_normal(shape)
    assert gradcheck(lambda x: F.interpolate(x, **options), [x])


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize(
    "shape, resize, repeats",
    [
        ((2, 3, 4), {"scale_factor": 2}, (2,)),
        ((1, 2, 3, 4), {"scale_factor": (3, 2)}, (3, 2)),
        ((1, 2, 3, 4), {"size": (3, 8)}, (1, 2)),
        ((1, 1, 2, 3, 2), {"scale_factor": (2, 1, 3)}, (2, 1, 3)),
        ((1, 1, 2, 3, 2), {"size": (4, 6, 8)}, (2, 2, 4)),
    ],
)
def test_nearest_by_whole_factors_repeats_each_entry_and_sums_the_gradient_over_it(mode, shape, resize, repeats):
    x = np.random.default_rng(2).standard_normal(shape)
    expected = x
    for axis, r in enumerate(repeats):
        expected = expected.repeat(r, axis=2 + axis)
    out = F.interpolate(x, mode=mode, **resize)
    np.testing.assert_array_equal(out.data, expected)
    assert F.interpolate(x.astype(np.float32), mode=mode, **resize).dtype == np.float32
    weights = np.arange(expected.size, dtype=np.float64).reshape(expected.shape)
    assert gradcheck(lambda t: F.interpolate(t, mode=mode, **resize) * weights, [x])
    assert gradgradcheck(lambda t: F.interpolate(t, mode=mode, **resize) ** 3, [x])


def test_nearest_by_a_factor_that_is_whole_on_one_axis_only_reads_floor_i_over_the_scale():
    x = np.arange(12.0).reshape(1, 1, 3, 4)
    out = F.interpolate(x, size=(6, 6)).data[0, 0]
    np.testing.assert_array_equal(out, x[0, 0][np.arange(6) // 2][:, np.floor(np.arange(6) * 4 / 6).astype(int)])


def test_interpolate_has_second_derivatives():
    rng = np.random.default_rng(1)
    x, target = rng.standard_normal((1, 1, 3, 3)), rng.standard_normal((1, 1, 4, 5))
    assert gradgradcheck(lambda x: ((F.interpolate(x, size=(4, 5), mode="bicubic") - target) ** 3).sum(), [x])


def test_interpolate_keeps_float32():
    out = F.interpolate(np.ones((1, 1, 3, 3), dtype=np.float32), scale_factor=2, mode="bilinear")
    assert out.dtype == np.float32


@pytest.mark.parametrize(
    "options, error, message",
    [
        ({}, ValueError, "give exactly one of size and scale_factor"),
        ({"size": 3, "scale_factor": 2}, ValueError, "give exactly one of size and scale_factor"),
        ({"size": 3, "mode": "linear"}, ValueError, r"mode 'linear' needs a 3-D input, got shape \(1, 2, 4, 4\)"),
        ({"size": 3, "mode": "cubic"}, ValueError, "mode must be"),
        ({"size": 3, "align_corners": True}, ValueError, "align_corners can only be set"),
        ({"size": 3, "mode": "area", "antialias": True}, ValueError, "antialias is for modes"),
        ({"size": 3, "recompute_scale_factor": True}, ValueError, "recompute_scale_factor is not meaningful"),
        ({"size": (3, 3, 3)}, ValueError, r"size must give one entry per spatial axis"),
        ({"size": 2.5}, TypeError, "size must be an integer"),
        ({"scale_factor": -1.0}, ValueError, "scale_factor must be positive"),
        ({"scale_factor": 0.1}, ValueError, r"scale_factor 0.1 gives output size \(0, 0\)"),
    ],
)
def test_bad_interpolate_arguments_are_errors_naming_the_op(options, error, message):
    with pytest.raises(error, match=f"interpolate: {message}"):
        F.interpolate(np.ones((1, 2, 4, 4)), **options)


def test_interpolate_needs_batch_and_channel_axes():
    with pytest.raises(ValueError, match=r"interpolate: expected an input of shape \(N, C, L\).*got shape \(4, 4\)"):
        F.interpolate(np.ones((4, 4)), size=2)


def test_upsample_layers_resize_as_interpolate():
    x = np.random.default_rng(2).standard_normal((1, 2, 3, 4))
    np.testing.assert_array_equal(nn.UpsamplingNearest2d(scale_factor=2)(x).data, F.interpolate(x, scale_factor=2).data)
    expected = F.interpolate(x, size=(5, 6), mode="bilinear", align_corners=True).data
    np.testing.assert_array_equal(nn.UpsamplingBilinear2d((5, 6))(x).data, expected)
    layer = nn.Upsample(scale_factor=(2, 1), mode="bicubic", align_corners=False)
    assert layer.scale_factor == (2.0, 1.0) and layer(x).shape == (1, 2, 6, 4)
    with pytest.raises(ValueError, match="Upsample: give exactly one of size and scale_factor"):
        nn.Upsample()


def test_upsample_layers_round_trip_through_a_checkpoint(tmp_path):
    model = nn.Sequential(
        nn.Upsample(size=[4, 5], mode="bilinear", align_corners=True),
        nn.UpsamplingNearest2d(scale_factor=2),
        nn.Upsample(scale_factor=(0.5, 0.7), mode="area", recompute_scale_factor=True),
        nn.UpsamplingBilinear2d(size=3),
    )
    rebuilt = nn.load(nn.save(model, tmp_path / "upsample.npz"))
    assert repr(rebuilt) == repr(model)
    assert architecture.describe(rebuilt) == architecture.describe(model)
    x = np.random.default_rng(3).standard_normal((2, 1, 3, 3))
    np.testing.assert_array_equal(rebuilt(x).data, model(x).data)
