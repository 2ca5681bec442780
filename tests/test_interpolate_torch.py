"""Torch oracle for F.interpolate and the Upsample layers: values and input gradients for every mode, with
align_corners True and False, at odd sizes and fractional scale factors (with and without
recompute_scale_factor), in float64 and float32; which entry the nearest modes read, over many sizes; reprs."""

import itertools

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

CASES = [
    ("nearest", (2, 3, 7)),
    ("nearest-exact", (2, 3, 7)),
    ("linear", (2, 3, 7)),
    ("area", (2, 3, 7)),
    ("nearest", (1, 2, 5, 6)),
    ("nearest-exact", (1, 2, 5, 6)),
    ("bilinear", (1, 2, 5, 6)),
    ("bicubic", (1, 2, 5, 6)),
    ("area", (1, 2, 5, 6)),
    ("nearest", (1, 2, 3, 4, 5)),
    ("trilinear", (1, 2, 3, 4, 5)),
]
RESIZES = [
    {"size": 1},
    {"size": 4},
    {"size": 9},
    {"size": (3, 11, 2)},
    {"scale_factor": 0.7},
    {"scale_factor": 1.1},
    {"scale_factor": 2},
    {"scale_factor": 1 / 3},
    {"scale_factor": (1.7, 0.6, 2.5)},
    {"scale_factor": 2.3, "recompute_scale_factor": True},
    {"scale_factor": (1.7, 0.6, 2.5), "recompute_scale_factor": True},
]


def _for_axes(resize, axes):
    """``resize`` with a per-axis tuple cut to ``axes`` entries."""
    return {key: value[:axes] if isinstance(value, tuple) else value for key, value in resize.items()}


def _adjoint_of_torchs_forward(x, upstream, **options):
    """J^T g for the (linear) map torch's forward computes on each channel, J read off the images of the basis."""
    spatial = x.shape[2:]
    count = int(np.prod(spatial))
    basis = torch.eye(count, dtype=torch.float32 if x.dtype == np.float32 else torch.float64)
    basis = basis.reshape((count, 1) + spatial)  # in x's precision: torch's nearest indices depend on it
    jacobian = TF.interpolate(basis, **options).reshape(count, -1).numpy()
    return (upstream.reshape(x.shape[:2] + (-1,)) @ jacobian.T).reshape(x.shape)


def _check(x, tolerance, **options):
    ours = Tensor(x, requires_grad=True)
    out, expected = F.interpolate(ours, **options), TF.interpolate(torch.tensor(x), **options)
    assert out.dtype == x.dtype and out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.numpy(), **tolerance)
    upstream = np.random.default_rng(1).standard_normal(out.shape).astype(x.dtype)
    out.backward(upstream)
    # the gradient of the map torch's forward computes; torch's own backward is not always its adjoint (below)
    np.testing.assert_allclose(ours.grad, _adjoint_of_torchs_forward(x, upstream, **options), **tolerance)


@pytest.mark.parametrize("mode, shape", [("nearest", (1, 1, 7)), ("bicubic", (1, 1, 5, 6))])
def test_torchs_backward_is_not_always_the_adjoint_of_its_forward(mode, shape):
    # A length kept under a scale factor other than 1: torch's forward reads 7 entries scaled by 1.1 as 0 0 1 2 3 4
    # 5 (nearest) or weighs neighbours (bicubic), while its backward passes the gradient of an identity. Ours is the
    # adjoint of the forward, which is why _check compares gradients with the adjoint of torch's forward.
    x = torch.zeros(shape, dtype=torch.float64, requires_grad=True)
    out = TF.interpolate(x, scale_factor=1.1, mode=mode)
    assert tuple(out.shape) == shape
    upstream = np.random.default_rng(4).standard_normal(shape)
    out.backward(torch.tensor(upstream))
    adjoint = _adjoint_of_torchs_forward(x.detach(), upstream, scale_factor=1.1, mode=mode)
    np.testing.assert_allclose(x.grad.numpy(), upstream, rtol=1e-12)
    assert not np.allclose(adjoint, upstream)
    ours = Tensor(np.zeros(shape), requires_grad=True)
    F.interpolate(ours, scale_factor=1.1, mode=mode).backward(upstream)
    np.testing.assert_allclose(ours.grad, adjoint, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode, shape", CASES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_interpolate_matches_torch_values_and_gradients(mode, shape, dtype):
    x = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    tolerance = {"rtol": 1e-12, "atol": 1e-12} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-5}
    corners = [None] if mode in ("nearest", "nearest-exact", "area") else [False, True]
    for resize, align_corners in itertools.product(RESIZES, corners):
        _check(x, tolerance, mode=mode, align_corners=align_corners, **_for_axes(resize, len(shape) - 2))


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("resize", [{"size": (2, 3)}, {"size": (7, 13)}, {"scale_factor": 0.3}, {"scale_factor": 0.7}])
def test_antialiased_interpolate_matches_torch(mode, align_corners, resize):
    x = np.random.default_rng(2).standard_normal((2, 2, 9, 10))
    _check(x, {"rtol": 1e-12, "atol": 1e-12}, mode=mode, align_corners=align_corners, antialias=True, **resize)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("scale_factor", [1.05, (1.05, 0.5), (0.5, 1.08), (1.05, 2.0)])
def test_antialiased_interpolate_copies_an_axis_whose_length_a_scale_factor_keeps_as_torch(
    mode, align_corners, scale_factor
):
    # 9 and 10 entries scaled by 1.05 stay 9 and 10: torch copies such an axis (it filtered with s = 1 / 1.05 here)
    x = np.random.default_rng(3).standard_normal((2, 2, 9, 10))
    options = {"mode": mode, "align_corners": align_corners, "antialias": True, "scale_factor": scale_factor}
    _check(x, {"rtol": 1e-12, "atol": 1e-12}, **options)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize("axes", [1, 2, 3])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_nearest_modes_read_the_entries_torch_reads(mode, axes, dtype):
    # torch's kernels round borderline positions differently for 2 axes than for 1 or 3; a ramp shows each entry read
    for length, size in itertools.product(range(1, 14), range(1, 30)):
        ramp = torch.arange(length, dtype=dtype).reshape((1, 1, length) + (1,) * (axes - 1))
        options = {"size": (size,) + (1,) * (axes - 1), "mode": mode}
        expected = TF.interpolate(ramp, **options).flatten().numpy()
        np.testing.assert_array_equal(
            F.interpolate(ramp.numpy(), **options).data.ravel(), expected, f"{length}->{size}"
        )
        scale = size / length + 0.01
        options = {"scale_factor": (scale,) + (1.0,) * (axes - 1), "mode": mode}
        expected = TF.interpolate(ramp, **options).flatten().numpy()
        np.testing.assert_array_equal(
            F.interpolate(ramp.numpy(), **options).data.ravel(), expected, f"{length}x{scale}"
        )


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.Upsample(scale_factor=2),
        lambda lib: lib.Upsample(size=(3, 4), mode="bilinear", align_corners=True),
        lambda lib: lib.Upsample(scale_factor=(2, 1.5), mode="nearest-exact"),
        lambda lib: lib.UpsamplingNearest2d(scale_factor=2),
        lambda lib: lib.UpsamplingBilinear2d(size=5),
    ],
)
def test_upsample_layer_reprs_and_outputs_are_torchs(make):
    assert repr(make(nn)) == repr(make(torch.nn))
    x = np.random.default_rng(3).standard_normal((1, 2, 3, 4))
    np.testing.assert_allclose(make(nn)(x).data, make(torch.nn)(torch.tensor(x)).numpy(), rtol=1e-12, atol=1e-12)


NON_FINITE_CASES = [
    ("linear", (1, 2, 7), {"scale_factor": 2}),
    ("linear", (1, 2, 7), {"size": 7}),  # a kept length: torch still reads x[i] * 1 + x[i] * 0
    ("linear", (1, 2, 5), {"size": 1}),
    ("bilinear", (1, 2, 5, 6), {"scale_factor": 2}),
    ("bilinear", (1, 2, 5, 6), {"size": (9, 6)}),
    ("bilinear", (1, 3, 2, 1), {"size": (7, 2)}),
    ("bicubic", (1, 1, 6, 6), {"scale_factor": 2}),
    ("bicubic", (1, 2, 4, 2), {"size": (1, 1)}),
    ("bicubic", (1, 1, 6, 6), {"size": (6, 6)}),
    ("trilinear", (1, 2, 3, 4, 2), {"size": (5, 4, 3)}),
    ("area", (1, 2, 7), {"scale_factor": 2}),
    ("area", (1, 2, 5, 6), {"size": (2, 4)}),
]


@pytest.mark.parametrize(("mode", "shape", "resize"), NON_FINITE_CASES, ids=str)
@pytest.mark.parametrize("align_corners", [False, True])
def test_an_infinity_or_nan_spreads_as_in_torch(mode, shape, resize, align_corners):
    """torch multiplies every tap of an output, one of weight 0 too (0 * inf is nan), and no entry it does not
    read: the nan, inf and finite outputs are torch's, and so is the gradient."""
    x = np.random.default_rng(5).normal(size=shape)
    flat = x.reshape(-1)
    flat[[1, 4]], flat[-3] = (np.inf, -np.inf), np.nan
    options = {} if mode == "area" else {"align_corners": align_corners}
    ours_input, torch_input = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours_out = F.interpolate(ours_input, mode=mode, **resize, **options)
    torch_out = TF.interpolate(torch_input, mode=mode, **resize, **options)
    np.testing.assert_allclose(ours_out.data, torch_out.detach().numpy(), rtol=1e-12, atol=1e-12)
    seed = np.random.default_rng(6).normal(size=ours_out.shape)
    ours_out.backward(seed)
    torch_out.backward(torch.from_numpy(seed))
    np.testing.assert_allclose(ours_input.grad, torch_input.grad.numpy(), rtol=1e-12, atol=1e-12)  # a linear map


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("size", [(4, 3), (3, 2), (1, 5), (2, 3)])
def test_an_infinity_or_nan_spreads_through_the_antialiasing_windows_as_in_torch(mode, size):
    x = np.array([[[[1.0, np.nan, 2.0], [np.inf, 0.0, 1.0]]]])
    got = F.interpolate(x, size=size, mode=mode, antialias=True)
    expected = TF.interpolate(torch.tensor(x), size=size, mode=mode, antialias=True)
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-12, atol=1e-12)


def test_a_nan_beside_a_kept_axis_spreads_as_in_torch():
    x = np.array([[[[1.0, np.nan, 2.0], [np.inf, 0.0, 1.0]]]])
    got = F.interpolate(x, size=(4, 3), mode="bilinear")
    np.testing.assert_array_equal(got.data, TF.interpolate(torch.tensor(x), size=(4, 3), mode="bilinear").numpy())
    assert np.isnan(got.data[0, 0, :, 0]).all()


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize("shape", [(2, 3, 5), (1, 2, 3, 4), (1, 2, 2, 3, 2)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_nearest_by_whole_factors_matches_torch_values_and_gradients(mode, shape, dtype):
    # every axis a whole factor: one block repeat (its gradient the block sums); one axis not: the gathers
    x = np.random.default_rng(5).standard_normal(shape).astype(dtype)
    axes = len(shape) - 2
    tolerance = {"rtol": 1e-12, "atol": 1e-12} if dtype == np.float64 else {"rtol": 1e-6, "atol": 1e-6}
    for resize in (
        {"scale_factor": 3},
        {"scale_factor": (2.0, 1.0, 4.0)[:axes]},
        {"size": tuple(2 * n for n in shape[2:])},
        {"size": (shape[2] * 3,) + tuple(n + 1 for n in shape[3:])},
    ):
        _check(x, tolerance, mode=mode, **resize)


_REFUSED_AS_TORCH = {
    "bilinear on a 3-D input": ((1, 2, 3), {"scale_factor": 2, "mode": "bilinear"}, NotImplementedError),
    "linear on a 4-D input": ((1, 2, 3, 3), {"scale_factor": 2, "mode": "linear"}, NotImplementedError),
    "nearest on a 2-D input": ((2, 3), {"scale_factor": 2}, NotImplementedError),
    "nearest on a 6-D input": ((1, 1, 1, 1, 1, 3), {"scale_factor": 2}, NotImplementedError),
    "size 0": ((1, 2, 3), {"size": 0}, RuntimeError),
    "a scale factor giving size 0": ((1, 2, 3), {"scale_factor": 0.1}, RuntimeError),
    "a negative scale factor": ((1, 2, 3), {"scale_factor": -2.0}, RuntimeError),
    "an infinite scale factor": ((1, 2, 3), {"scale_factor": float("inf")}, RuntimeError),
    "an empty spatial axis": ((1, 2, 0), {"size": 3}, RuntimeError),
}


@pytest.mark.parametrize("case", sorted(_REFUSED_AS_TORCH))
def test_interpolate_refuses_with_torchs_error_class(case):
    # `except NotImplementedError` / `except RuntimeError`, written for torch, must catch ours (a ValueError too)
    shape, options, error = _REFUSED_AS_TORCH[case]
    with pytest.raises(error):
        torch.nn.functional.interpolate(torch.zeros(shape), **options)
    for expected in (error, ValueError):
        with pytest.raises(expected, match="interpolate: "):
            F.interpolate(Tensor(np.zeros(shape, np.float32)), **options)
        with pytest.raises(expected, match="interpolate: "):
            nn.Upsample(**options)(Tensor(np.zeros(shape, np.float32)))


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize(
    ("shape", "options"),
    [((2, 3, 16, 16), {"size": (10, 10)}), ((2, 3, 8, 7), {"scale_factor": 1.7}), ((2, 3, 9), {"size": 4}),
     ((1, 2, 4, 5, 6), {"size": (8, 3, 7)}), ((1, 2, 4, 4), {"scale_factor": 2})],
)  # fmt: skip
def test_nearest_resizing_of_a_uint8_image_stays_uint8_as_torch(mode, shape, options):
    # tinygrad's TestOpsUint8.test_interpolate_nearest: the copy of a uint8 image came back as float64
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(7).integers(0, 256, shape).astype(np.uint8)
    expected = torch.nn.functional.interpolate(torch.tensor(data), mode=mode, **options)
    out = F.interpolate(Tensor(data), mode=mode, **options)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out.data, expected.numpy())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "resize",
    [{"size": (2, 3)}, {"size": (7, 13)}, {"size": (1, 1)}, {"size": (9, 4)}, {"scale_factor": 0.3},
     {"scale_factor": (1.05, 0.5)}, {"scale_factor": 2.5}, {"scale_factor": 0.45, "recompute_scale_factor": True}],
)  # fmt: skip
def test_lanczos_mode_matches_torchs_lanczos3_antialiasing_filter(resize, dtype):
    # torch 2.13's mode='lanczos' (4-D input, antialias=True): Pillow's Lanczos-3 filter stretched by the scale
    x = np.random.default_rng(8).standard_normal((2, 2, 9, 10)).astype(dtype)
    tolerance = {"rtol": 1e-12, "atol": 1e-12} if dtype == np.float64 else {"rtol": 1e-5, "atol": 1e-5}
    _check(x, tolerance, mode="lanczos", antialias=True, **resize)
    _check(x, tolerance, mode="lanczos", antialias=True, align_corners=False, **resize)


_LANCZOS_REFUSED = {
    "without antialias": ((1, 1, 4, 4), {"antialias": False}, ValueError),
    "with align_corners=True": ((1, 1, 4, 4), {"antialias": True, "align_corners": True}, ValueError),
    "on a 3-D input": ((1, 1, 4), {"antialias": False}, NotImplementedError),
    "on a 5-D input": ((1, 1, 2, 4, 4), {"antialias": False}, NotImplementedError),
    "antialiased on a 3-D input": ((1, 1, 4), {"antialias": True}, ValueError),
}


@pytest.mark.parametrize("case", sorted(_LANCZOS_REFUSED))
def test_lanczos_mode_refuses_what_torch_refuses(case):
    shape, options, error = _LANCZOS_REFUSED[case]
    with pytest.raises(error):
        TF.interpolate(torch.zeros(shape), size=2, mode="lanczos", **options)
    with pytest.raises(error, match="interpolate: "):
        F.interpolate(Tensor(np.zeros(shape)), size=2, mode="lanczos", **options)


def test_upsample_layer_takes_mode_lanczos_and_refuses_it_in_forward_as_torch():
    # Upsample has no antialias argument, so torch's Upsample(mode='lanczos') builds, prints, and fails when called
    assert repr(nn.Upsample(size=3, mode="lanczos")) == repr(torch.nn.Upsample(size=3, mode="lanczos"))
    with pytest.raises(ValueError, match="antialias"):
        torch.nn.Upsample(size=3, mode="lanczos")(torch.zeros(1, 1, 4, 4))
    with pytest.raises(ValueError, match="antialias"):
        nn.Upsample(size=3, mode="lanczos")(Tensor(np.zeros((1, 1, 4, 4))))


def test_upsample_layer_with_an_unknown_mode_raises_torchs_not_implemented_error():
    # torch's layer builds and its forward raises NotImplementedError; here the layer refuses it when built
    with pytest.raises(NotImplementedError):
        torch.nn.Upsample(size=3, mode="bogus")(torch.zeros(1, 1, 4, 4))
    with pytest.raises(NotImplementedError, match="Upsample: mode"):
        nn.Upsample(size=3, mode="bogus")


_UINT8_IMAGE_RESIZES = [
    {"size": (7, 9)}, {"size": (37, 29)}, {"size": (20, 9)}, {"size": (5, 40)}, {"size": (2, 2)},
    {"scale_factor": 0.45}, {"scale_factor": (1.7, 0.6)}, {"scale_factor": 0.45, "recompute_scale_factor": True},
]  # fmt: skip


@pytest.mark.parametrize("channels", [3, 8])
@pytest.mark.parametrize(
    ("mode", "antialias", "align_corners"),
    [("bilinear", False, False), ("bilinear", False, True), ("bilinear", True, False), ("bilinear", True, True),
     ("bicubic", False, False), ("bicubic", False, True), ("bicubic", True, False), ("bicubic", True, True),
     ("lanczos", True, False)],
)  # fmt: skip
def test_uint8_image_resized_by_an_image_filter_is_torchs_uint8_image(mode, antialias, align_corners, channels):
    # torch's uint8 kernels (its test_upsamplingBiMode2d_consistency): int16 fixed-point weights, the width pass
    # first, each pass saturated to 0..255; the float64 result had come back instead
    data = np.random.default_rng(9).integers(0, 256, (2, channels, 20, 20)).astype(np.uint8)
    options = {"mode": mode, "antialias": antialias, "align_corners": align_corners}
    for resize in _UINT8_IMAGE_RESIZES:
        expected = TF.interpolate(torch.tensor(data), **options, **resize).numpy()
        out = F.interpolate(Tensor(data), **options, **resize)
        assert out.dtype == np.uint8
        np.testing.assert_array_equal(out.data, expected, str(resize))
        assert F.interpolate(data, **options, **resize).dtype == np.uint8


@pytest.mark.parametrize(
    "size",
    [lambda lib: lib.tensor(3), lambda lib: (lib.tensor(3), 2), lambda lib: np.array(3), lambda lib: np.int32(3)],
    ids=["0-d tensor", "0-d tensor in a tuple", "0-d array", "numpy integer"],
)
def test_size_may_be_any_integer_with_index_as_torchs(size):
    # torch's size takes whatever has __index__ (a 0-d integer tensor from x.shape arithmetic); ours refused it
    x = np.random.default_rng(10).standard_normal((1, 2, 4, 5))
    expected = TF.interpolate(torch.tensor(x), size=size(torch), mode="bilinear")
    out = F.interpolate(Tensor(x), size=size(autograd), mode="bilinear")
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-12, atol=1e-12)
    assert F.interpolate(Tensor(x), size=size(torch), mode="bilinear").shape == tuple(expected.shape)


@pytest.mark.parametrize("options", [{"size": 3.0}, {"size": (True, 2)}, {"scale_factor": np.array([1.5])}])
def test_sizes_and_scale_factors_of_the_wrong_type_are_type_errors_as_torchs(options):
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(TypeError):
        TF.interpolate(torch.tensor(x), **options)
    with pytest.raises(TypeError, match="interpolate: "):
        F.interpolate(Tensor(x), **options)


@pytest.mark.parametrize("scale_factor", [1e20, -1e20, (1e20, 1.0)])
def test_a_scale_factor_giving_an_output_size_beyond_int64_is_a_runtime_error_as_torchs(scale_factor):
    # torch's test_interpolate_undefined_behavior_casting; 1e20 was numpy's bare 'Maximum allowed dimension exceeded'
    x = np.ones((1, 1, 16, 16), np.float32)
    with pytest.raises(RuntimeError):
        TF.interpolate(torch.tensor(x), scale_factor=scale_factor, mode="bilinear")
    with pytest.raises(RuntimeError, match="interpolate: "):
        F.interpolate(Tensor(x), scale_factor=scale_factor, mode="bilinear")


@pytest.mark.parametrize(
    ("shape", "options"),
    [((1, 2, 7), {"size": 3, "mode": "area"}), ((1, 2, 5, 7), {"size": (3, 2), "mode": "area"}),
     ((1, 1, 3, 4, 5), {"size": (2, 3, 2), "mode": "area"}),
     ((1, 2, 9, 10), {"size": (4, 3), "mode": "lanczos", "antialias": True}),
     ((1, 2, 9, 10), {"size": (4, 13), "mode": "bicubic", "antialias": True, "align_corners": True}),
     ((1, 2, 5, 6), {"scale_factor": 0.6, "mode": "nearest-exact"}),
     ((1, 2, 5, 6), {"size": (1, 1), "mode": "bicubic", "align_corners": True}),
     ((1, 2, 5, 6), {"size": (1, 1), "mode": "bilinear"}),
     ((1, 2, 3, 4, 5), {"scale_factor": 1.7, "mode": "trilinear", "align_corners": True})],
)  # fmt: skip
def test_gradients_match_torchs_backward_where_no_length_is_kept(shape, options):
    # torch's own backward (not the adjoint read off its forward): the same wherever no axis keeps its length
    x = np.random.default_rng(11).standard_normal(shape)
    ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = F.interpolate(ours, **options), TF.interpolate(theirs, **options)
    upstream = np.random.default_rng(12).standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "bilinear", "bicubic", "area"])
def test_strided_and_channels_last_inputs_resize_as_torchs(mode):
    # torch's memory_format parametrizations: a transposed (channels-last) or sliced input reads the same values
    rng = np.random.default_rng(13)
    for x in (
        rng.standard_normal((2, 5, 6, 3)).transpose(0, 3, 1, 2),
        rng.standard_normal((2, 3, 12, 10))[..., ::2, 1::3],
    ):
        expected = TF.interpolate(torch.tensor(x).contiguous(memory_format=torch.channels_last), size=(7, 5), mode=mode)
        np.testing.assert_allclose(
            F.interpolate(Tensor(x), size=(7, 5), mode=mode).data, expected.numpy(), rtol=1e-12, atol=1e-12
        )


@pytest.mark.parametrize(("mode", "align_corners"), [("bilinear", False), ("bilinear", True), ("bicubic", False),
                                                      ("bicubic", True), ("lanczos", False)])  # fmt: skip
def test_float32_antialiased_interpolate_matches_torch(mode, align_corners):
    x = np.random.default_rng(14).standard_normal((2, 3, 17, 13)).astype(np.float32)
    for resize in ({"size": (5, 4)}, {"scale_factor": 0.37}, {"size": (30, 7)}):
        options = {"mode": mode, "antialias": True, "align_corners": align_corners, **resize}
        _check(x, {"rtol": 1e-5, "atol": 2e-6}, **options)


@pytest.mark.parametrize(
    "mode, shape",
    [("nearest", (1, 0, 3)), ("nearest-exact", (2, 0, 3, 3)), ("linear", (1, 0, 3)), ("bilinear", (1, 0, 3, 3)),
     ("bicubic", (1, 0, 3, 3)), ("trilinear", (1, 0, 3, 3, 3)), ("nearest", (1, 0, 3, 3, 3)), ("area", (1, 0, 3)),
     ("area", (1, 0, 3, 3)), ("area", (1, 0, 3, 3, 3)), ("bilinear", (0, 2, 3, 3))],
)  # fmt: skip
def test_an_input_of_no_channels_is_refused_in_the_modes_torch_refuses_it(mode, shape):
    x = np.zeros(shape)
    options = {"align_corners": False} if mode in ("linear", "bilinear", "bicubic", "trilinear") else {}
    try:
        expected = TF.interpolate(torch.tensor(x), scale_factor=2, mode=mode, **options)
    except RuntimeError:
        with pytest.raises(RuntimeError, match="no channels"):
            F.interpolate(Tensor(x), scale_factor=2, mode=mode, **options)
        return
    assert F.interpolate(Tensor(x), scale_factor=2, mode=mode, **options).shape == tuple(expected.shape)
