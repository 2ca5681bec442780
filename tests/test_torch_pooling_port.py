"""Port of torch's OpInfo sample inputs (common_methods_invocations) for pooling, padding and resampling: the
pools, pads, interpolate, grid_sample, pixel shuffles and fold/unfold here, against torch 2.13 in float64,
values and gradients, with the samples' kernel sizes, strides, paddings, dilations, ceil_mode,
count_include_pad, divisor_override and return_indices; unbatched and empty inputs; the errors' op names."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _random(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


ADAPTIVE_ZERO_CASES = [
    ("adaptive_avg_pool1d", (2, 3, 5), 0),
    ("adaptive_avg_pool1d", (3, 5), (0,)),
    ("adaptive_max_pool1d", (2, 3, 5), 0),
    ("adaptive_max_pool1d", (3, 5), 0),
    ("adaptive_avg_pool2d", (2, 3, 5, 4), 0),
    ("adaptive_avg_pool2d", (2, 3, 5, 4), (None, 0)),
    ("adaptive_avg_pool2d", (3, 5, 4), (0, 2)),
    ("adaptive_max_pool2d", (2, 3, 5, 4), (3, 0)),
    ("adaptive_max_pool2d", (3, 5, 4), 0),
    ("adaptive_max_pool2d", (0, 3, 5, 4), (0, 2)),
    ("adaptive_avg_pool3d", (2, 3, 5, 4, 3), (2, 2, 0)),
    ("adaptive_avg_pool3d", (3, 5, 4, 3), 0),
    ("adaptive_max_pool3d", (2, 3, 5, 4, 3), (1, 0, 2)),
    ("adaptive_max_pool3d", (3, 5, 4, 3), (None, None, 0)),
]


@pytest.mark.parametrize("name, shape, output_size", ADAPTIVE_ZERO_CASES)
def test_adaptive_pools_to_output_size_zero_give_torchs_empty_output_and_a_zero_gradient(name, shape, output_size):
    x = _random(shape)
    expected = getattr(TF, name)(torch.tensor(x), output_size)
    ours = Tensor(x, requires_grad=True)
    out = getattr(F, name)(ours, output_size)
    assert out.shape == tuple(expected.shape) and out.dtype == np.float64
    (out.sum() + ours.sum()).backward()  # torch's backward refuses an empty grad_output; d(sum over nothing) = 0
    np.testing.assert_array_equal(ours.grad, np.ones(shape))
    if "max" in name:
        values, indices = getattr(F, name)(Tensor(x), output_size, return_indices=True)
        want_values, want_indices = getattr(TF, name)(torch.tensor(x), output_size, return_indices=True)
        assert values.shape == tuple(want_values.shape)
        assert indices.shape == tuple(want_indices.shape) and indices.dtype == np.int64


@pytest.mark.parametrize(
    "layer, output_size, shape",
    [
        ("AdaptiveAvgPool1d", 0, (2, 3, 5)),
        ("AdaptiveMaxPool1d", 0, (2, 3, 5)),
        ("AdaptiveAvgPool2d", (0, None), (2, 3, 5, 4)),
        ("AdaptiveMaxPool2d", 0, (3, 5, 4)),
        ("AdaptiveAvgPool3d", (1, 0, 1), (2, 3, 5, 4, 3)),
        ("AdaptiveMaxPool3d", 0, (2, 3, 5, 4, 3)),
    ],
)
def test_adaptive_pool_layers_take_output_size_zero_as_torchs(layer, output_size, shape):
    x = _random(shape)
    expected = getattr(torch.nn, layer)(output_size)(torch.tensor(x))
    pool = getattr(nn, layer)(output_size)
    assert pool(Tensor(x)).shape == tuple(expected.shape)
    assert repr(pool) == repr(getattr(torch.nn, layer)(output_size))


@pytest.mark.parametrize("name", ["adaptive_avg_pool3d", "adaptive_max_pool3d"])
def test_adaptive_3d_pools_of_an_unbatched_input_without_channels_are_torchs_empty_output(name):
    x = np.zeros((0, 4, 5, 3))
    expected = getattr(TF, name)(torch.tensor(x), 2)
    assert getattr(F, name)(Tensor(x), 2).shape == tuple(expected.shape) == (0, 2, 2, 2)


@pytest.mark.parametrize(
    "pool",
    [
        lambda x: F.max_pool3d(x, 2),
        lambda x: F.max_pool3d(x, 2, return_indices=True)[0],
        lambda x: F.avg_pool3d(x, 2),
        lambda x: F.lp_pool3d(x, 2, 2),
        lambda x: F.adaptive_avg_pool3d(x, 2),
        lambda x: F.adaptive_max_pool3d(x, 2, return_indices=True)[0],
    ],
)
def test_3d_pools_of_no_channels_give_an_empty_output_as_the_2d_pools(pool):
    # torch refuses C = 0 for these (a RuntimeError); this library's 1-D and 2-D pools give the empty output, and so
    # do the 3-D ones: 2 x 2 x 2 windows over (4, 4, 4), none of them in any channel
    for shape, out_shape in [((2, 0, 4, 4, 4), (2, 0, 2, 2, 2)), ((0, 4, 4, 4), (0, 2, 2, 2))]:
        x = Tensor(np.zeros(shape), requires_grad=True)
        out = pool(x)
        assert out.shape == out_shape
        out.sum().backward()
        np.testing.assert_array_equal(x.grad, np.zeros(shape))


@pytest.mark.parametrize("shape", [(2, 3, 0, 5), (2, 3, 4, 0)])
@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
def test_grid_sample_refuses_an_input_with_an_empty_spatial_axis_naming_the_op(shape, mode):
    x, grid = np.zeros(shape), np.zeros((2, 3, 3, 2))
    with pytest.raises(RuntimeError, match="non-empty spatial dimensions"):
        TF.grid_sample(torch.tensor(x), torch.tensor(grid), mode=mode, align_corners=False)
    with pytest.raises(ValueError, match=r"grid_sample: input of shape \(2, 3, \d, \d\) has an empty spatial axis"):
        F.grid_sample(Tensor(x), Tensor(grid), mode=mode, align_corners=False)


@pytest.mark.parametrize("shape", [(2, 3, 0), (3, 0)])
def test_adaptive_avg_pool1d_refuses_an_empty_line_naming_itself_and_the_callers_shape(shape):
    with pytest.raises(RuntimeError, match="non-zero size for non-batch dimensions"):
        TF.adaptive_avg_pool1d(torch.zeros(shape), 2)
    with pytest.raises(ValueError, match=rf"^adaptive_avg_pool1d: input of shape \({shape[0]}, .*\) has an empty"):
        F.adaptive_avg_pool1d(Tensor(np.zeros(shape)), 2)


def _compare(torch_fn, our_fn, *arrays, atol=1e-10):
    """Values and the gradients of sum(out * g) for a random g, here and in torch (float64, the arrays as given)."""
    theirs = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    ours = [Tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    expected, got = torch_fn(*theirs), our_fn(*ours)
    expected, got = (expected[0], got[0]) if isinstance(expected, tuple) else (expected, got)
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), atol=atol, rtol=1e-8, equal_nan=True)
    if expected.numel() == 0 or not expected.requires_grad:
        return
    upstream = np.random.default_rng(1).standard_normal(got.shape)
    (expected * torch.tensor(upstream)).sum().backward()
    (got * Tensor(upstream)).sum().backward()
    for mine, reference in zip(ours, theirs):
        if reference.requires_grad:
            want = np.zeros(mine.shape) if reference.grad is None else reference.grad.numpy()
            have = np.zeros(mine.shape) if mine.grad is None else mine.grad
            np.testing.assert_allclose(have, want, atol=atol * 10, rtol=1e-7, equal_nan=True)


@pytest.mark.parametrize("divisor", [-2, -1, 3])
@pytest.mark.parametrize(
    "name, shape, options",
    [
        ("avg_pool2d", (1, 1, 4, 4), dict(kernel_size=(2, 2), stride=(), padding=(0,))),
        ("avg_pool2d", (2, 3, 5, 6), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
        ("avg_pool3d", (1, 1, 4, 5, 4), dict(kernel_size=(2, 2, 3), stride=(2, 2, 1))),
        ("avg_pool3d", (2, 5, 4, 3), dict(kernel_size=2, stride=1, padding=1, count_include_pad=False)),
    ],
)
def test_avg_pools_divide_by_any_non_zero_divisor_override_as_torch(name, shape, options, divisor):
    options = dict(options, divisor_override=divisor)
    _compare(lambda x: getattr(TF, name)(x, **options), lambda x: getattr(F, name)(x, **options), _random(shape))
    layer = name.replace("avg_pool", "AvgPool")
    module_options = {key: value for key, value in options.items() if key != "stride" or value != ()}
    _compare(getattr(torch.nn, layer)(**module_options), getattr(nn, layer)(**module_options), _random(shape))


@pytest.mark.parametrize(
    "make",
    [lambda: F.avg_pool2d(np.ones((1, 1, 4, 4)), 2, divisor_override=0), lambda: nn.AvgPool3d(2, divisor_override=0)],
)
def test_avg_pools_refuse_a_zero_divisor_override_as_torch(make):
    with pytest.raises(RuntimeError, match="divisor must be not zero"):
        TF.avg_pool2d(torch.ones(1, 1, 4, 4), 2, divisor_override=0)
    with pytest.raises(ValueError, match=r"(avg_pool2d|AvgPool3d): divisor_override must be a non-zero integer, got 0"):
        make()


@pytest.mark.parametrize(
    "call, shown",
    [
        (lambda x: F.max_pool3d(x, 2, stride=0), "stride must be at least 1, got 0"),
        (lambda x: F.avg_pool3d(x, 2, padding=-1), "padding must be at least 0, got -1"),
        (lambda x: F.avg_pool3d(x, (2, 2, 2), padding=(1, 0, -1)), r"padding must be at least 0, got \(1, 0, -1\)"),
        (lambda x: F.lp_pool3d(x, 2, (2, 0, 2)), r"kernel_size must be at least 1, got \(2, 0, 2\)"),
        (lambda x: F.adaptive_max_pool3d(x, (2, -1, 2)), "output_size must be at least 0, got -1"),
        (
            lambda x: F.max_pool3d(x, (2, 2.5, 2)),
            r"kernel_size must be an int or a tuple of three ints, got \(2, 2.5, 2\)",
        ),
    ],
)
def test_3d_pool_argument_errors_show_the_value_the_caller_gave(call, shown):
    with pytest.raises((ValueError, TypeError), match=rf"^\w+3d: {shown}$"):
        call(Tensor(np.zeros((1, 1, 4, 4, 4))))


# The OpInfo samples, written for this library: (torch function, ours, input shape) per case, each compared in
# values and gradients. The max pools' inputs are random normals, so no window holds a tie.
def _pool_cases():
    for dims in (1, 2, 3):
        spatial = {1: (9,), 2: (7, 8), 3: (5, 6, 4)}[dims]
        for batched in (True, False):
            shape = ((2, 3) if batched else (3,)) + spatial
            for kernel, stride, padding, dilation, ceil_mode in [
                (2, None, 0, 1, False),
                (3, 2, 1, 1, True),
                (3, 1, 1, 2, False),
                (2, 3, 1, 1, True),
            ]:
                options = dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=ceil_mode)
                name = f"max_pool{dims}d"
                yield name, dict(options, dilation=dilation, return_indices=True), shape
                if dilation == 1:
                    for include in (True, False):
                        yield f"avg_pool{dims}d", dict(options, count_include_pad=include), shape
        for p, kernel, stride, ceil_mode in [(2, 2, None, False), (3, 3, 2, True), (1.5, 2, 1, False)]:
            yield (
                f"lp_pool{dims}d",
                dict(norm_type=p, kernel_size=kernel, stride=stride, ceil_mode=ceil_mode),
                (
                    2,
                    3,
                )
                + spatial,
            )
        for size in (1, 3, (None, 2, None)[:dims] if dims > 1 else (2,), (4, 2, 3)[:dims]):
            for kind in ("avg", "max"):
                options = dict(output_size=size, return_indices=True) if kind == "max" else dict(output_size=size)
                yield f"adaptive_{kind}_pool{dims}d", options, (2, 3) + spatial
                yield f"adaptive_{kind}_pool{dims}d", options, (3,) + spatial


@pytest.mark.parametrize("name, options, shape", list(_pool_cases()))
def test_pools_match_torch_in_values_indices_and_gradients(name, options, shape):
    x = _random(shape)
    _compare(lambda t: getattr(TF, name)(t, **options), lambda t: getattr(F, name)(t, **options), x)
    if options.get("return_indices"):
        _, want = getattr(TF, name)(torch.tensor(x), **options)
        _, have = getattr(F, name)(Tensor(x), **options)
        np.testing.assert_array_equal(have.data, want.numpy())


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("kernel, stride, padding", [(2, None, 0), (3, 2, 1), (2, 1, 0)])
def test_max_unpool_of_max_pools_indices_matches_torch(dims, kernel, stride, padding):
    shape = (2, 3) + (6, 5, 4)[:dims]
    pooled, indices = getattr(TF, f"max_pool{dims}d")(
        torch.tensor(_random(shape)), kernel, stride, padding, 1, False, True
    )
    options = dict(kernel_size=kernel, stride=stride, padding=padding, output_size=shape[2:])
    _compare(
        lambda v, i: getattr(TF, f"max_unpool{dims}d")(v, i, **options),
        lambda v, i: getattr(F, f"max_unpool{dims}d")(v, i, **options),
        pooled.numpy(),
        indices.numpy(),
    )
    layer = f"MaxUnpool{dims}d"
    _compare(
        lambda v, i: getattr(torch.nn, layer)(kernel, stride, padding)(v[0], i[0], shape[2:]),
        lambda v, i: getattr(nn, layer)(kernel, stride, padding)(v[0], i[0], shape[2:]),
        pooled.numpy(),
        indices.numpy(),
    )


PAD_CASES = [
    ("constant", (2, 3, 4), (1, 2)),
    ("constant", (2, 3, 4), (-1, 2, 0, 1)),
    ("constant", (1, 2, 3, 4, 5), (1, 0, -1, 2, 0, 1)),
    ("reflect", (2, 3, 5), (2, 3)),
    ("reflect", (3, 5), (-1, 2)),
    ("reflect", (2, 3, 4, 5), (1, 2, 3, 0)),
    ("reflect", (1, 2, 3, 4, 5), (1, 1, 2, 2, 1, 0)),
    ("replicate", (2, 3, 4), (3, -1)),
    ("replicate", (2, 3, 4, 5), (-2, 1, 4, -1)),
    ("replicate", (2, 3, 4, 5, 3), (1, 2, 0, 3, 2, 1)),
    ("circular", (2, 3, 4), (2, 4)),
    ("circular", (2, 3, 4, 5), (1, -2, 3, 0)),
    ("circular", (3, 3, 4, 5), (1, 1, 2, 2, 3, 0)),
]


@pytest.mark.parametrize("mode, shape, widths", PAD_CASES)
def test_pad_matches_torch_in_every_mode_with_negative_widths(mode, shape, widths):
    value = dict(value=2.5) if mode == "constant" else {}
    _compare(
        lambda t: TF.pad(t, widths, mode=mode, **value), lambda t: F.pad(t, widths, mode=mode, **value), _random(shape)
    )


def _interpolate_cases():
    for mode, dims in [
        ("nearest", 1),
        ("nearest", 2),
        ("nearest", 3),
        ("nearest-exact", 1),
        ("nearest-exact", 2),
        ("linear", 1),
        ("bilinear", 2),
        ("bicubic", 2),
        ("trilinear", 3),
        ("area", 1),
        ("area", 2),
        ("area", 3),
    ]:
        shape = (2, 3) + (4, 5, 3)[:dims]
        corners = (None, True, False) if mode in ("linear", "bilinear", "bicubic", "trilinear") else (None,)
        for align_corners in corners:
            for resize in [
                dict(size=(3, 6, 2)[:dims]),
                dict(size=5),
                dict(scale_factor=1.7),
                dict(scale_factor=0.6, recompute_scale_factor=True),
            ]:
                yield mode, shape, dict(resize, align_corners=align_corners)
        if mode in ("bilinear", "bicubic"):
            for resize in [dict(size=(3, 2)), dict(scale_factor=(0.4, 1.7)), dict(size=(2, 3), align_corners=True)]:
                yield mode, (2, 2, 7, 6), dict(resize, antialias=True)


@pytest.mark.parametrize("mode, shape, options", list(_interpolate_cases()))
def test_interpolate_matches_torch(mode, shape, options):
    # 3-D nearest at a scale factor: torch's backward kernel rounds the source index otherwise than its forward
    # (its gradient is not its forward's adjoint, ours is), so the values only
    x = _random(shape)
    if mode == "nearest" and len(shape) == 5 and "scale_factor" in options:
        out = F.interpolate(Tensor(x), mode=mode, **options)
        np.testing.assert_array_equal(out.data, TF.interpolate(torch.tensor(x), mode=mode, **options).numpy())
        return
    _compare(lambda t: TF.interpolate(t, mode=mode, **options), lambda t: F.interpolate(t, mode=mode, **options), x)


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [True, False])
def test_grid_sample_and_affine_grid_match_torch_in_the_input_grid_and_theta(mode, padding_mode, align_corners):
    x, grid = _random((2, 3, 4, 5)), np.random.default_rng(3).uniform(-1.4, 1.4, (2, 3, 6, 2))
    options = dict(mode=mode, padding_mode=padding_mode, align_corners=align_corners)
    _compare(lambda t, g: TF.grid_sample(t, g, **options), lambda t, g: F.grid_sample(t, g, **options), x, grid)
    theta = np.random.default_rng(4).normal(scale=0.7, size=(2, 2, 3))
    _compare(
        lambda t, th: TF.grid_sample(t, TF.affine_grid(th, (2, 3, 3, 4), align_corners), **options),
        lambda t, th: F.grid_sample(t, F.affine_grid(th, (2, 3, 3, 4), align_corners), **options),
        x,
        theta,
    )


@pytest.mark.parametrize("shape, factor", [((2, 8, 2, 3), 2), ((8, 2, 3), 2), ((1, 2, 18, 2, 2), 3)])
def test_pixel_shuffle_and_unshuffle_match_torch_with_any_leading_axes(shape, factor):
    x = _random(shape)
    _compare(lambda t: TF.pixel_shuffle(t, factor), lambda t: F.pixel_shuffle(t, factor), x)
    shuffled = TF.pixel_shuffle(torch.tensor(x), factor).numpy()
    _compare(lambda t: TF.pixel_unshuffle(t, factor), lambda t: F.pixel_unshuffle(t, factor), shuffled)
    _compare(torch.nn.PixelShuffle(factor), nn.PixelShuffle(factor), x)


@pytest.mark.parametrize(
    "channels, output_size, kernel, dilation, padding, stride",
    [(2, (5, 6), (2, 3), 1, 0, 1), (1, (7, 7), 3, 2, 1, 2), (2, (6, 4), (3, 2), (1, 2), (1, 0), (2, 1))],
)
@pytest.mark.parametrize("batched", [True, False])
def test_fold_and_unfold_match_torch(channels, output_size, kernel, dilation, padding, stride, batched):
    geometry = (kernel, dilation, padding, stride)
    image = _random(((2, channels) if batched else (channels,)) + output_size)
    _compare(lambda t: TF.unfold(t, *geometry), lambda t: F.unfold(t, *geometry), image)
    columns = TF.unfold(torch.tensor(image), *geometry).numpy()
    _compare(lambda t: TF.fold(t, output_size, *geometry), lambda t: F.fold(t, output_size, *geometry), columns)
    _compare(torch.nn.Fold(output_size, *geometry), nn.Fold(output_size, *geometry), columns)


def test_pixel_shuffles_of_an_empty_batch_keep_the_shapes_of_a_full_one():
    # torch 2.13's pixel_unshuffle of an empty batch returns its input's shape, (0, 1, 4, 4): a torch bug
    assert F.pixel_unshuffle(Tensor(np.zeros((0, 1, 4, 4))), 2).shape == (0, 4, 2, 2)
    assert F.pixel_shuffle(Tensor(np.zeros((0, 4, 2, 2))), 2).shape == (0, 1, 4, 4)
    assert tuple(TF.pixel_shuffle(torch.zeros(0, 4, 2, 2), 2).shape) == (0, 1, 4, 4)


MODULE_CASES = [
    ("MaxPool1d", (3, 2, 1, 2), (2, 3, 9)),
    ("MaxPool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), (3, 7, 8)),
    ("MaxPool3d", dict(kernel_size=2, stride=1, dilation=2), (2, 2, 5, 6, 5)),
    ("AvgPool1d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False), (2, 3, 8)),
    ("AvgPool2d", dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), divisor_override=4), (2, 3, 7, 6)),
    ("AvgPool3d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True), (3, 5, 6, 5)),
    ("LPPool1d", (2, 3, 2), (2, 3, 9)),
    ("LPPool2d", (3, (2, 3), 1, True), (2, 3, 6, 7)),
    ("LPPool3d", (1, 2), (2, 2, 5, 4, 6)),
    ("AdaptiveAvgPool1d", (4,), (2, 3, 9)),
    ("AdaptiveMaxPool2d", ((3, None),), (3, 7, 5)),
    ("AdaptiveAvgPool3d", ((2, 3, 1),), (2, 2, 5, 4, 6)),
    ("ReflectionPad2d", ((1, 2, 0, 3),), (2, 3, 4, 5)),
    ("ReplicationPad3d", (2,), (1, 2, 3, 3, 3)),
    ("CircularPad1d", ((2, -1),), (2, 3, 4)),
    ("ConstantPad2d", ((1, -1, 2, 0), 1.5), (3, 4, 5)),
    ("ZeroPad3d", ((1, 0, 0, 1, 2, 2),), (2, 3, 2, 3, 2)),
    ("Upsample", dict(scale_factor=1.5, mode="bicubic", align_corners=True), (2, 3, 4, 5)),
    ("Upsample", dict(size=(5, 3, 4), mode="trilinear"), (1, 2, 3, 4, 5)),
    ("UpsamplingNearest2d", dict(scale_factor=2), (2, 3, 4, 5)),
    ("UpsamplingBilinear2d", dict(size=(6, 7)), (2, 3, 4, 5)),
    ("Unfold", ((2, 3), 1, 1, 2), (2, 3, 5, 6)),
    ("PixelUnshuffle", (2,), (2, 3, 4, 6)),
]


@pytest.mark.parametrize("layer, arguments, shape", MODULE_CASES)
def test_pooling_padding_and_resampling_layers_match_torch(layer, arguments, shape):
    args, kwargs = ((), arguments) if isinstance(arguments, dict) else (arguments, {})
    _compare(getattr(torch.nn, layer)(*args, **kwargs), getattr(nn, layer)(*args, **kwargs), _random(shape))


@pytest.mark.parametrize(
    "layer, arguments",
    [
        ("AvgPool2d", dict(kernel_size=2)),
        ("AvgPool2d", dict(kernel_size=(2, 3), stride=(2, 3), padding=(0, 1))),
        ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
        ("AvgPool2d", dict(kernel_size=2, divisor_override=3)),
        ("AvgPool1d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
        ("AvgPool3d", dict(kernel_size=2, ceil_mode=True, divisor_override=2)),
    ],
)
def test_avg_pool_layer_reprs_are_torchs(layer, arguments):
    """d2l's printed LeNet: ``AvgPool2d(kernel_size=2, stride=2, padding=0)``, the options left out, as torch's."""
    assert repr(getattr(nn, layer)(**arguments)) == repr(getattr(torch.nn, layer)(**arguments))
