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
            np.testing.assert_allclose(mine.grad, want, atol=atol * 10, rtol=1e-7, equal_nan=True)


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
