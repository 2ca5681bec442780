"""Transposed convolution (nn.functional.conv_transpose1d/2d, nn.ConvTranspose1d/2d) without torch: it is the
adjoint of conv2d, its gradients and second derivatives agree with finite differences, bad arguments are errors
naming the op and the shapes, and the layers round-trip through checkpoints."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from nn import architecture


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"stride": 2, "padding": 1},
        {"stride": (2, 1), "padding": (0, 1), "dilation": (1, 2)},
        {"stride": 3, "dilation": 2, "groups": 2},
    ],
)
def test_conv_transpose2d_is_the_adjoint_of_conv2d(options):
    # <conv2d(y, W), x> = <y, conv_transpose2d(x, W)> for the same weight and geometry
    rng = np.random.default_rng(0)
    weight = rng.standard_normal((4, 3, 3, 2))  # conv2d's (C_out, C_in / groups, kh, kw); here (C_in, C_out / groups)
    y = rng.standard_normal((2, 3 * options.get("groups", 1), 11, 9))
    forward = F.conv2d(y, weight, **options).data
    x = rng.standard_normal(forward.shape)
    output_padding = tuple(
        length - F.conv_transpose2d(x, weight, **options).shape[2 + axis] for axis, length in enumerate(y.shape[2:])
    )
    back = F.conv_transpose2d(x, weight, output_padding=output_padding, **options).data
    assert back.shape == y.shape
    np.testing.assert_allclose(np.sum(forward * x), np.sum(y * back), rtol=1e-12)


def test_conv_transpose2d_output_size_follows_the_formula():
    x, weight = np.ones((1, 2, 4, 5)), np.ones((2, 3, 3, 2))
    out = F.conv_transpose2d(x, weight, stride=(2, 3), padding=(1, 0), output_padding=(1, 2), dilation=(1, 2))
    # (L - 1) s - 2p + d (k - 1) + output_padding + 1
    assert out.shape == (1, 3, (4 - 1) * 2 - 2 + 2 + 1 + 1, (5 - 1) * 3 + 2 * 1 + 2 + 1)


def test_a_single_pixel_spreads_the_kernel_at_its_strided_position():
    x = np.zeros((1, 1, 2, 2))
    x[0, 0, 1, 0] = 2.0
    weight = np.arange(6.0).reshape(1, 1, 2, 3)
    out = F.conv_transpose2d(x, weight, stride=3).data[0, 0]
    expected = np.zeros((5, 6))
    expected[3:5, 0:3] = 2.0 * weight[0, 0]
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize(
    "options",
    [
        {"stride": 2, "padding": 1, "output_padding": 1},
        {"stride": (1, 2), "dilation": (2, 1), "output_padding": (1, 0)},
        {"groups": 2, "padding": (0, 1)},
    ],
)
def test_conv_transpose2d_gradients_match_finite_differences(options):
    rng = np.random.default_rng(1)
    x, weight, bias = rng.standard_normal((1, 2, 3, 2)), rng.standard_normal((2, 2, 2, 2)), rng.standard_normal(4)
    bias = bias if options.get("groups") else bias[:2]
    assert gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, **options), [x, weight, bias])


def test_conv_transpose2d_has_second_derivatives():
    rng = np.random.default_rng(2)
    x, weight, bias = rng.standard_normal((1, 2, 2, 3)), rng.standard_normal((2, 1, 2, 2)), rng.standard_normal(2)
    target = rng.standard_normal((1, 2, 3, 7))

    def loss(x, w, b):
        return ((F.conv_transpose2d(x, w, b, stride=(1, 2), groups=2, output_padding=(0, 1)) - target) ** 2).sum()

    assert gradgradcheck(loss, [x, weight, bias])


def test_conv_transpose1d_gradients_and_second_derivatives_match_finite_differences():
    rng = np.random.default_rng(3)
    x, weight, bias = rng.standard_normal((2, 2, 3)), rng.standard_normal((2, 3, 2)), rng.standard_normal(3)
    options = {"stride": 2, "padding": 1, "output_padding": 1, "dilation": 2}
    assert gradcheck(lambda x, w, b: F.conv_transpose1d(x, w, b, **options), [x, weight, bias])
    assert gradgradcheck(lambda x, w: (F.conv_transpose1d(x, w, **options) ** 2).sum(), [x[:1], weight])


def test_conv_transpose_of_an_unbatched_input_drops_the_batch_axis():
    rng = np.random.default_rng(4)
    x, weight = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 2, 2))
    np.testing.assert_array_equal(F.conv_transpose2d(x, weight).data, F.conv_transpose2d(x[None], weight).data[0])
    np.testing.assert_array_equal(
        F.conv_transpose1d(x[:, 0], weight[..., 0]).data, F.conv_transpose1d(x[None, :, 0], weight[..., 0]).data[0]
    )


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.conv_transpose2d(np.ones((1, 3, 4, 4)), np.ones((2, 1, 3, 3))), ValueError, r"3 channels.*\(2, 1"),
        (lambda: F.conv_transpose2d(np.ones((1, 2, 4, 4)), np.ones((2, 1, 3))), ValueError, "weight must have shape"),
        (lambda: F.conv_transpose2d(np.ones((4, 4)), np.ones((2, 1, 3, 3))), ValueError, r"got shape \(4, 4\)"),
        (lambda: F.conv_transpose2d(np.ones((1, 3, 4, 4)), np.ones((3, 1, 3, 3)), groups=2), ValueError, "groups"),
        (
            lambda: F.conv_transpose2d(np.ones((1, 2, 4, 4)), np.ones((2, 1, 3, 3)), stride=2, output_padding=2),
            ValueError,
            "conv_transpose2d: output_padding must be smaller than either stride or dilation",
        ),
        (
            lambda: F.conv_transpose1d(np.ones((1, 2, 4)), np.ones((2, 1, 3)), output_padding=1),
            ValueError,
            "conv_transpose1d: output_padding",
        ),
        (
            lambda: F.conv_transpose2d(np.ones((1, 2, 1, 1)), np.ones((2, 1, 1, 1)), padding=1),
            ValueError,
            r"conv_transpose2d: input of shape \(1, 2, 1, 1\).*too small",
        ),
        (
            lambda: F.conv_transpose2d(np.ones((1, 2, 3, 3)), np.ones((2, 1, 2, 2)), np.ones(3), groups=2),
            ValueError,
            r"conv_transpose2d: bias must have shape \(2,\)",
        ),
        (lambda: F.conv_transpose2d(np.ones((1, 2, 3, 3)), np.ones((2, 1, 2, 2)), stride=0), ValueError, "stride"),
        (lambda: F.conv_transpose2d(np.ones((1, 2, 3, 3)), np.ones((2, 1, 2, 2)), padding="same"), TypeError, "pad"),
    ],
)
def test_bad_conv_transpose_arguments_are_errors_naming_the_op(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_conv_transpose_layers_have_torchs_weight_layout_and_initial_range():
    layer = nn.ConvTranspose2d(6, 4, (3, 2), groups=2, rng=0)
    assert layer.weight.shape == (6, 2, 3, 2) and layer.bias.shape == (4,)
    bound = 1 / np.sqrt(2 * 3 * 2)  # fan_in = out_channels / groups * kh * kw, as torch
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert nn.ConvTranspose1d(3, 5, 4, bias=False, rng=0).weight.shape == (3, 5, 4)


def test_conv_transpose_layer_output_size_chooses_the_output_padding():
    layer = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, dtype=np.float64, rng=0)
    x = np.random.default_rng(5).standard_normal((1, 2, 4, 5))
    assert layer(x).shape == (1, 3, 7, 9)
    bigger = layer(x, output_size=(8, 10))
    expected = F.conv_transpose2d(x, layer.weight, layer.bias, 2, 1, output_padding=1)
    np.testing.assert_array_equal(bigger.data, expected.data)
    with pytest.raises(
        ValueError, match=r"ConvTranspose2d: requested an output size of \(9, 9\).*\(7, 9\) to \(8, 10\)"
    ):
        layer(x, output_size=(9, 9))


def test_conv_transpose_layers_refuse_padding_modes_other_than_zeros():
    with pytest.raises(ValueError, match="ConvTranspose2d: only padding_mode 'zeros'"):
        nn.ConvTranspose2d(2, 2, 3, padding_mode="reflect")


def test_conv_transpose_layers_round_trip_through_a_checkpoint(tmp_path):
    model = nn.Sequential(
        nn.ConvTranspose1d(2, 4, 3, stride=2, padding=1, output_padding=1, groups=2, dtype=np.float64, rng=0),
        nn.Unflatten(1, (1, 4)),
        nn.ConvTranspose2d(1, 2, (2, 3), stride=(1, 2), dilation=(2, 1), bias=False, dtype=np.float64, rng=1),
    )
    rebuilt = nn.load(nn.save(model, tmp_path / "transposed.npz"))
    assert repr(rebuilt) == repr(model)
    assert architecture.describe(rebuilt) == architecture.describe(model)
    assert architecture.expected_shapes(architecture.describe(model)) == {
        name: array.shape for name, array in model.state_dict().items()
    }
    x = np.random.default_rng(6).standard_normal((2, 2, 5))
    np.testing.assert_array_equal(rebuilt(x).data, model(x).data)


def test_conv_transpose_layer_gradients_reach_weight_and_bias():
    layer = nn.ConvTranspose2d(2, 3, 2, stride=2, dtype=np.float64, rng=0)
    x = Tensor(np.random.default_rng(7).standard_normal((2, 2, 3, 3)), requires_grad=True)
    layer(x).sum().backward()
    # d/dbias of a sum is the number of output pixels per channel; d/dW[c, o] is the sum of channel c's inputs
    np.testing.assert_allclose(layer.bias.grad, np.full(3, 2 * 6 * 6))
    np.testing.assert_allclose(
        layer.weight.grad, np.broadcast_to(x.data.sum(axis=(0, 2, 3))[:, None, None, None], (2, 3, 2, 2))
    )


@pytest.mark.parametrize(
    "layer, shape, expected",
    [
        (lambda: nn.ConvTranspose1d(2, 3, 2, stride=3, padding=1), (0, 2, 1), (0, 3, 0)),
        (lambda: nn.ConvTranspose2d(2, 3, 2, stride=3, padding=1), (0, 2, 1, 1), (0, 3, 0, 0)),
        (lambda: nn.ConvTranspose2d(2, 3, 2, stride=3, padding=(1, 0)), (0, 2, 1, 2), (0, 3, 0, 5)),
        (lambda: nn.ConvTranspose3d(2, 3, 2, stride=3, padding=1), (0, 2, 1, 1, 1), (0, 3, 0, 0, 0)),
    ],
)
def test_an_empty_batchs_output_of_size_zero_is_empty_with_zero_gradients_as_torch(layer, shape, expected):
    module = layer()
    x = Tensor(np.ones(shape, dtype=np.float32), requires_grad=True)
    out = module(x)
    assert out.shape == expected and out.dtype == np.float32
    out.sum().backward()
    for gradient in (x.grad, module.weight.grad, module.bias.grad):
        assert gradient.dtype == np.float32 and not gradient.any()


@pytest.mark.parametrize(
    "layer, shape",
    [
        (lambda: nn.ConvTranspose1d(2, 3, 2, stride=3, padding=1), (2, 2, 1)),
        (lambda: nn.ConvTranspose2d(2, 3, 2, stride=3, padding=(1, 0)), (2, 2, 1, 2)),
        (lambda: nn.ConvTranspose3d(2, 3, 2, stride=3, padding=1), (2, 1, 1, 1)),
    ],
)
def test_an_output_of_size_zero_from_a_non_empty_batch_is_an_error(layer, shape):
    with pytest.raises(RuntimeError, match=r"gives output size \(0,.*which is too small"):
        layer()(Tensor(np.ones(shape, dtype=np.float32)))


def test_a_negative_output_size_is_still_an_error():
    with pytest.raises(ValueError, match=r"gives output size \(-1,\), which is too small"):
        nn.ConvTranspose1d(2, 2, 1, stride=1, padding=1)(Tensor(np.ones((1, 2, 1), dtype=np.float32)))


@pytest.mark.parametrize(
    ("shape", "output_size"),
    [((1, 3, 8, 8), (99, 18, 17)), ((3, 8, 8), (1, 4, 18, 17)), ((1, 3, 8, 8), (17,))],
    ids=["3 sizes for a batched input", "4 sizes for an unbatched input", "1 size"],
)
def test_conv_transpose_output_size_of_another_length_than_torch_takes_is_refused(shape, output_size):
    # torch: the spatial sizes, or the whole output shape; its last entries were taken from any length
    layer = nn.ConvTranspose2d(3, 4, 3, stride=2)
    with pytest.raises(ValueError, match=r"output_size must have 2 or \d elements"):
        layer(np.zeros(shape, np.float32), output_size=output_size)
    assert layer(np.zeros(shape, np.float32), output_size=(18, 17)).shape[-2:] == (18, 17)
