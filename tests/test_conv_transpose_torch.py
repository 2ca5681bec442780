"""Torch oracle for transposed convolution: F.conv_transpose1d/2d values and gradients of input, weight and bias
over strides, paddings, output paddings, dilations and groups, in float64 and float32, and the layers' reprs and
outputs with torch's weights."""

import itertools

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def _as_pair(value):
    return value if isinstance(value, tuple) else (value, value)


def _valid(output_padding, stride, dilation):
    """torch's rule: per axis, output_padding is smaller than the stride or the dilation."""
    return all(o < s or o < d for o, s, d in zip(_as_pair(output_padding), _as_pair(stride), _as_pair(dilation)))


def _check(ours_fn, torch_fn, arrays, tolerance):
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = ours_fn(*ours), torch_fn(*theirs)
    assert out.dtype == arrays[0].dtype and out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), **tolerance)
    upstream = np.random.default_rng(9).standard_normal(out.shape).astype(arrays[0].dtype)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), **tolerance)


GRID_2D = [
    case
    for case in itertools.product(
        [(3, 3), (2, 3)],  # kernel
        [1, 2, (2, 3)],  # stride
        [0, (1, 2)],  # padding
        [0, 1],  # output_padding
        [1, (2, 1)],  # dilation
        [(1, True), (2, False)],  # groups, bias
    )
    if _valid(case[3], case[1], case[4])
]


@pytest.mark.parametrize("kernel, stride, padding, output_padding, dilation, groups_bias", GRID_2D)
def test_conv_transpose2d_matches_torch_values_and_gradients(
    kernel, stride, padding, output_padding, dilation, groups_bias
):
    groups, bias = groups_bias
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal((2, 4, 5, 4)), rng.standard_normal((4, 3) + kernel)]
    if bias:
        arrays.append(rng.standard_normal(3 * groups))
    options = {"stride": stride, "padding": padding, "output_padding": output_padding, "dilation": dilation}
    _check(
        lambda *a: F.conv_transpose2d(*a, groups=groups, **options),
        lambda *a: TF.conv_transpose2d(*a, groups=groups, **options),
        arrays,
        {"rtol": 1e-10, "atol": 1e-10},
    )


@pytest.mark.parametrize(
    "options",
    [{}, {"stride": 2, "padding": 1, "output_padding": 1}, {"stride": 3, "dilation": 2, "groups": 3}],
)
def test_conv_transpose2d_matches_torch_in_float32(options):
    rng = np.random.default_rng(1)
    arrays = [
        rng.standard_normal(s).astype(np.float32) for s in [(2, 6, 6, 5), (6, 2, 3, 3), (2 * options.get("groups", 1),)]
    ]
    _check(
        lambda *a: F.conv_transpose2d(*a, **options),
        lambda *a: TF.conv_transpose2d(*a, **options),
        arrays,
        {"rtol": 1e-4, "atol": 1e-4},
    )


GRID_1D = [
    case
    for case in itertools.product([1, 3], [1, 2, 3], [0, 2], [0, 1, 2], [1, 2], [1, 2])
    if _valid(case[3], case[1], case[4])
]


@pytest.mark.parametrize("kernel, stride, padding, output_padding, dilation, groups", GRID_1D)
def test_conv_transpose1d_matches_torch_values_and_gradients(kernel, stride, padding, output_padding, dilation, groups):
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal((2, 4, 6)), rng.standard_normal((4, 3, kernel)), rng.standard_normal(3 * groups)]
    options = {"stride": stride, "padding": padding, "output_padding": output_padding, "groups": groups}
    _check(
        lambda *a: F.conv_transpose1d(*a, dilation=dilation, **options),
        lambda *a: TF.conv_transpose1d(*a, dilation=dilation, **options),
        arrays,
        {"rtol": 1e-10, "atol": 1e-10},
    )


def test_unbatched_conv_transpose_matches_torch():
    rng = np.random.default_rng(3)
    arrays = [rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 2, 2, 3))]
    _check(
        lambda *a: F.conv_transpose2d(*a, stride=2),
        lambda *a: TF.conv_transpose2d(*a, stride=2),
        arrays,
        {"rtol": 1e-12},
    )
    arrays = [rng.standard_normal((2, 5)), rng.standard_normal((2, 2, 3))]
    _check(
        lambda *a: F.conv_transpose1d(*a, stride=2),
        lambda *a: TF.conv_transpose1d(*a, stride=2),
        arrays,
        {"rtol": 1e-12},
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1, dilation=2, bias=False),
        lambda lib: lib.ConvTranspose2d(2, 4, (2, 3), stride=(2, 1), groups=2),
        lambda lib: lib.ConvTranspose1d(2, 4, 3, groups=2),
        lambda lib: lib.ConvTranspose1d(2, 4, 3, stride=3, padding=1, output_padding=2),
    ],
)
def test_conv_transpose_layer_reprs_are_torchs(make):
    assert repr(make(nn)) == repr(make(torch.nn))


@pytest.mark.parametrize("output_size", [None, (8, 10), (1, 4, 7, 9)])
def test_conv_transpose_layer_matches_torch_with_the_same_weights(output_size):
    torch.manual_seed(0)
    reference = torch.nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, groups=1).double()
    layer = nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, dtype=np.float64, rng=0)
    layer.load_state_dict({name: value.detach().numpy() for name, value in reference.state_dict().items()})
    x = np.random.default_rng(4).standard_normal((1, 3, 4, 5))
    expected = reference(torch.tensor(x), output_size=output_size).detach().numpy()
    # float64 sums in other orders: a few ulps of the output's scale apart, also where an entry cancels to near 0
    np.testing.assert_allclose(layer(x, output_size=output_size).data, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "layer, shape",
    [("ConvTranspose1d", (1, 2, 4)), ("ConvTranspose2d", (1, 2, 4, 4)), ("ConvTranspose3d", (1, 2, 3, 3, 3))],
)
def test_output_padding_not_below_stride_or_dilation_is_a_runtime_error_of_forward_as_torch(layer, shape):
    # torch's RuntimeError, raised by its forward (the layer is made): `except RuntimeError` (and `except
    # ValueError`) catch ours
    theirs = getattr(torch.nn, layer)(2, 3, 3, stride=1, output_padding=1)
    ours = getattr(nn, layer)(2, 3, 3, stride=1, output_padding=1)
    with pytest.raises(RuntimeError):
        theirs(torch.zeros(shape))
    with pytest.raises(RuntimeError, match=f"{layer}: output_padding must be smaller than either stride or dilation"):
        ours(Tensor(np.zeros(shape, dtype=np.float32)))
    with pytest.raises(ValueError, match="output_padding"):
        getattr(nn, layer)(2, 3, 3, stride=2, dilation=2, output_padding=2)(Tensor(np.zeros(shape, dtype=np.float32)))


@pytest.mark.parametrize("layer", ["ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"])
def test_a_large_output_padding_is_unused_when_output_size_is_given_as_torch(layer):
    dims = int(layer[-2])
    x = np.random.default_rng(3).normal(size=(1, 4) + (5,) * dims)
    theirs = getattr(torch.nn, layer)(4, 6, 3, output_padding=1).double()
    ours = getattr(nn, layer)(4, 6, 3, output_padding=1, dtype=np.float64)
    with torch.no_grad():
        ours.weight.data[...] = theirs.weight.numpy()
        ours.bias.data[...] = theirs.bias.numpy()
    expected = theirs(torch.tensor(x), output_size=[7] * dims).detach().numpy()
    got = ours(Tensor(x), output_size=[7] * dims)
    assert got.shape == expected.shape == (1, 6) + (7,) * dims
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-10, atol=1e-12)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize(
    "name, input_shape, weight_shape, options",
    [
        ("conv_transpose1d", (1, 2, 2), (2, 2, 1), {"padding": 1}),
        ("conv_transpose2d", (1, 2, 2, 3), (2, 2, 1, 1), {"padding": (1, 0)}),
        ("conv_transpose3d", (1, 2, 2, 3, 3), (2, 2, 1, 1, 1), {"padding": 1}),
        ("conv_transpose3d", (2, 1, 1, 1), (2, 3, 2, 2, 2), {"stride": 3, "padding": 1}),
    ],
)
def test_an_output_of_size_zero_is_a_runtime_error_as_torch(name, input_shape, weight_shape, options):
    x, weight = np.ones(input_shape), np.ones(weight_shape)
    with pytest.raises(RuntimeError, match="Output size is too small"):
        getattr(TF, name)(torch.tensor(x), torch.tensor(weight), **options)
    with pytest.raises(
        RuntimeError, match=rf"{name}: input of shape .* gives output size \(.*0.*\), which is too small"
    ):
        getattr(F, name)(Tensor(x), Tensor(weight), **options)


def test_conv_transpose1d_layer_refuses_an_output_of_size_zero_as_torch():
    with pytest.raises(RuntimeError, match="Output size is too small"):
        torch.nn.ConvTranspose1d(2, 2, 1, padding=1)(torch.zeros(1, 2, 2))
    with pytest.raises(RuntimeError, match="ConvTranspose1d|conv_transpose1d"):
        nn.ConvTranspose1d(2, 2, 1, padding=1)(Tensor(np.zeros((1, 2, 2), dtype=np.float32)))


@pytest.mark.parametrize("name, weight_shape", [("conv_transpose1d", (2, 3, 2)), ("conv_transpose3d", (2, 3, 2, 2, 2))])
def test_an_empty_batch_may_give_an_output_of_size_zero_as_torch(name, weight_shape):
    dims = len(weight_shape) - 2
    x, weight = np.ones((0, 2) + (1,) * dims), np.ones(weight_shape)
    options = {"stride": 3, "padding": 1}
    expected = getattr(TF, name)(torch.tensor(x), torch.tensor(weight), **options)
    assert getattr(F, name)(Tensor(x), Tensor(weight), **options).shape == tuple(expected.shape)


def test_conv_transpose3d_output_padding_not_below_stride_or_dilation_is_a_runtime_error_as_torch():
    x, weight = np.ones((1, 2, 3, 3, 3)), np.ones((2, 1, 3, 3, 3))
    with pytest.raises(RuntimeError):
        TF.conv_transpose3d(torch.tensor(x), torch.tensor(weight), output_padding=1)
    with pytest.raises(RuntimeError, match="conv_transpose3d: output_padding must be smaller"):
        F.conv_transpose3d(x, weight, output_padding=1)
