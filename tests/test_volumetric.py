"""The 3-D (volumetric) functions and layers without torch: float64 gradients against finite differences (second
order for the convolutions), unbatched inputs, index conventions, the nodes they are built from, channel dropout,
and errors naming the function or layer and the shapes."""

from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck

RNG = np.random.default_rng(0)
SMALL = RNG.normal(size=(1, 2, 4, 3, 4))


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"stride": (2, 1, 2), "padding": (1, 0, 1), "dilation": (1, 2, 1)},
        {"padding": "same", "dilation": (2, 1, 1)},
        {"groups": 2, "padding": 1},
    ],
    ids=str,
)
def test_conv3d_gradients_match_finite_differences_to_second_order(options):
    weight, bias = RNG.normal(size=(2, 2 // options.get("groups", 1), 2, 2, 1)), RNG.normal(size=2)
    assert gradcheck(lambda *t: F.conv3d(*t, **options), (SMALL, weight, bias))
    assert gradgradcheck(lambda *t: (F.conv3d(*t, **options) ** 2).sum(), (SMALL, weight, bias))


@pytest.mark.parametrize(
    "options",
    [{}, {"stride": (2, 1, 2), "padding": (1, 0, 1), "output_padding": (1, 0, 0)}, {"groups": 2, "dilation": 2}],
    ids=str,
)
def test_conv_transpose3d_gradients_match_finite_differences_to_second_order(options):
    x = RNG.normal(size=(1, 2, 2, 3, 2))
    weight, bias = RNG.normal(size=(2, 1, 2, 1, 2)), RNG.normal(size=options.get("groups", 1))
    assert gradcheck(lambda *t: F.conv_transpose3d(*t, **options), (x, weight, bias))
    assert gradgradcheck(lambda *t: (F.conv_transpose3d(*t, **options) ** 2).sum(), (x, weight, bias))


def test_conv_transpose3d_is_the_adjoint_of_conv3d():
    x, weight = RNG.normal(size=(2, 4, 5, 6, 5)), RNG.normal(size=(6, 2, 3, 2, 3))
    geometry = {"stride": (2, 1, 3), "padding": (1, 0, 1), "dilation": (1, 2, 1), "groups": 2}
    y = F.conv3d(Tensor(x), Tensor(weight), **geometry)
    g = RNG.normal(size=y.shape)
    back = F.conv_transpose3d(Tensor(g), Tensor(weight), output_padding=(0, 0, 1), **geometry)
    assert back.shape == x.shape
    np.testing.assert_allclose((y.data * g).sum(), (x * back.data).sum(), rtol=1e-10)


def test_conv3d_is_one_conv2d_node_over_depth_windows():
    out = F.conv3d(Tensor(SMALL, requires_grad=True), Tensor(np.ones((3, 2, 2, 2, 2)), requires_grad=True))
    nodes, seen, names = [out], set(), []
    while nodes:
        node = nodes.pop()
        if id(node) not in seen:
            seen.add(id(node))
            names.append(node.op.name if node.op else None)
            nodes.extend(node.parents)
    assert names.count("conv2d") == 1 and names.count("unfold") == 1


def test_conv3d_accepts_an_unbatched_volume():
    weight = RNG.normal(size=(3, 2, 2, 1, 2))
    batched = F.conv3d(Tensor(SMALL), Tensor(weight), stride=2, padding=1)
    np.testing.assert_allclose(F.conv3d(Tensor(SMALL[0]), Tensor(weight), stride=2, padding=1).data, batched.data[0])


@pytest.mark.parametrize(
    ("name", "call"),
    [
        ("max_pool3d", lambda x: F.max_pool3d(x, 2, 1, 1, ceil_mode=True)),
        ("max_pool3d dilated", lambda x: F.max_pool3d(x, (2, 2, 3), (1, 2, 1), (1, 0, 1), dilation=(2, 1, 1))),
        ("avg_pool3d", lambda x: F.avg_pool3d(x, 2, 1, 1, ceil_mode=True, count_include_pad=False)),
        ("avg_pool3d divisor", lambda x: F.avg_pool3d(x, (3, 2, 2), 2, divisor_override=3)),
        ("adaptive_avg_pool3d", lambda x: F.adaptive_avg_pool3d(x, (3, None, 3))),
        ("adaptive_max_pool3d", lambda x: F.adaptive_max_pool3d(x, (3, 2, 3))),
        ("lp_pool3d", lambda x: F.lp_pool3d(x * x + 0.5, 3, 2, 1)),
        ("max_unpool3d", lambda x: F.max_unpool3d(x, np.arange(x.size).reshape(x.shape) * 2, 2)),
        ("pad reflect", lambda x: F.pad(x, (1, 1, 0, 2, 1, 0), mode="reflect")),
        ("batch_norm 3d", lambda x: nn.BatchNorm3d(2, dtype=np.float64)(x)),
        ("instance_norm 3d", lambda x: nn.InstanceNorm3d(2)(x)),
    ],
)
def test_3d_pooling_padding_and_norm_gradients_match_finite_differences(name, call):
    assert gradcheck(call, (SMALL,))


def test_max_pool3d_indices_point_at_the_maxima_in_each_volume():
    out, indices = F.max_pool3d(Tensor(SMALL), 2, (1, 2, 1), 1, return_indices=True)
    flat = SMALL.reshape(1, 2, -1)
    np.testing.assert_array_equal(
        np.take_along_axis(flat, indices.reshape(1, 2, -1), axis=2), out.data.reshape(1, 2, -1)
    )
    assert indices.dtype == np.int64


def test_max_pool3d_picks_the_first_maximum_in_depth_height_width_order():
    volume = np.zeros((1, 1, 2, 2, 2))
    volume[0, 0, 1, 0, 0] = volume[0, 0, 0, 1, 1] = 1.0  # tied: (0, 1, 1) comes first
    x = Tensor(volume, requires_grad=True)
    out, indices = F.max_pool3d(x, 2, return_indices=True)
    out.sum().backward()
    assert indices.item() == 3
    assert x.grad[0, 0, 0, 1, 1] == 1.0 and x.grad.sum() == 1.0


def test_avg_pool3d_divides_by_the_cells_inside_without_count_include_pad():
    out = F.avg_pool3d(Tensor(np.ones((1, 1, 2, 2, 2))), 3, 1, 1, count_include_pad=False)
    np.testing.assert_allclose(out.data, 1.0)
    corner = F.avg_pool3d(Tensor(np.ones((1, 1, 2, 2, 2))), 3, 1, 1).data[0, 0, 0, 0, 0]
    assert corner == pytest.approx(8 / 27)


def test_dropout3d_draws_one_mask_per_channel_and_is_the_identity_in_eval():
    layer = nn.Dropout3d(0.5, rng=0)
    out = layer(np.ones((3, 4, 2, 2, 2))).data.reshape(3, 4, -1)
    assert (out.min(axis=2) == out.max(axis=2)).all() and set(np.unique(out)) == {0.0, 2.0}
    unbatched = F.dropout3d(Tensor(np.ones((4, 2, 2, 2))), 0.5, rng=1).data.reshape(4, -1)
    assert (unbatched.min(axis=1) == unbatched.max(axis=1)).all()
    np.testing.assert_array_equal(layer.eval()(SMALL).data, SMALL)


def test_batch_norm3d_normalises_each_channel_over_batch_and_volume():
    out = nn.BatchNorm3d(2, dtype=np.float64)(SMALL).data
    np.testing.assert_allclose(out.mean(axis=(0, 2, 3, 4)), 0.0, atol=1e-12)
    np.testing.assert_allclose(out.var(axis=(0, 2, 3, 4)), 1.0, rtol=1e-4)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.conv3d(np.ones((1, 3, 3, 4, 4)), np.ones((1, 2, 1, 1, 1))), ValueError,
         r"conv3d: input of shape \(1, 3, 3, 4, 4\) has 3 channels, but weight of shape \(1, 2, 1, 1, 1\) expects 2"),
        (lambda: F.conv3d(np.ones((1, 2, 3, 4, 4)), np.ones((1, 2, 1, 1))), ValueError,
         r"conv3d: weight must have shape \(C_out, C_in / groups, kd, kh, kw\), got shape \(1, 2, 1, 1\)"),
        (lambda: F.conv3d(np.ones((1, 2, 2, 4, 4)), np.ones((1, 2, 3, 1, 1))), ValueError,
         r"conv3d: input of shape \(1, 2, 2, 4, 4\) .* smaller than the kernel \(3, 1, 1\)"),
        (lambda: F.conv3d(np.ones((1, 2, 3, 4, 4)), np.ones((1, 2, 1, 1, 1)), stride=(1, 2)), RuntimeError,
         r"conv3d: stride must be an int or a tuple of three ints"),
        (lambda: F.conv3d(np.ones((1, 2, 3, 4, 4)), np.ones((1, 2, 1, 1, 1)), padding="same", stride=2), ValueError,
         r"conv3d: padding='same' needs stride 1"),
        (lambda: F.conv_transpose3d(np.ones((1, 3, 2, 2, 2)), np.ones((2, 1, 1, 1, 1))), ValueError,
         r"conv_transpose3d: input of shape \(1, 3, 2, 2, 2\) has 3 channels, but weight of shape"),
        (lambda: F.conv_transpose3d(np.ones((1, 2, 2, 2, 2)), np.ones((2, 1, 1, 1, 1)), stride=2, output_padding=2),
         ValueError, r"conv_transpose3d: output_padding must be smaller than either stride or dilation"),
        (lambda: F.max_pool3d(np.ones((1, 2, 3)), 2), ValueError,
         r"max_pool3d: expected an input of shape \(N, C, D, H, W\) or \(C, D, H, W\), got shape \(1, 2, 3\)"),
        (lambda: F.max_pool3d(np.ones((1, 1, 1, 4, 4)), 2), ValueError,
         r"max_pool3d: input of shape \(1, 1, 1, 4, 4\) .* smaller than the kernel \(2, 2, 2\)"),
        (lambda: F.avg_pool3d(np.ones((1, 1, 4, 4, 4)), 2, padding=(0, 2, 0)), ValueError,
         r"avg_pool3d: padding \(0, 2, 0\) must be at most half the kernel size \(2, 2, 2\)"),
        (lambda: F.adaptive_avg_pool3d(np.ones((1, 1, 4, 4, 4)), (2, 2)), TypeError,
         r"adaptive_avg_pool3d: output_size must be an int or a tuple of three"),
        (lambda: F.max_unpool3d(np.ones((1, 1, 1, 1, 1)), np.array([[[[[8]]]]]), 2), ValueError,
         r"max_unpool3d: found an invalid max index 8"),
        (lambda: nn.Conv3d(3, 4, (3, 3)), RuntimeError, r"Conv3d: kernel_size must be an int or a tuple of three ints"),
        (lambda: nn.Conv3d(3, 4, 3)(np.ones((1, 2, 4, 4, 4), dtype=np.float32)), ValueError,
         r"conv3d: input of shape \(1, 2, 4, 4, 4\) has 2 channels, but weight of shape \(4, 3, 3, 3, 3\) expects 3"),
        (lambda: nn.MaxPool3d(2, padding=(0, 0, 2)), ValueError, r"MaxPool3d: padding \(0, 0, 2\) must be at most half"),
        (lambda: nn.BatchNorm3d(2)(np.ones((2, 2, 3, 3), dtype=np.float32)), ValueError,
         r"BatchNorm3d: expected a 5-D \(N, C, D, H, W\) input, got shape \(2, 2, 3, 3\)"),
        (lambda: nn.InstanceNorm3d(2)(np.ones((2, 3, 3))), ValueError,
         r"InstanceNorm3d: expected a 5-D batched or 4-D unbatched input, got shape \(2, 3, 3\)"),
        (lambda: nn.ZeroPad3d((1, 2)), TypeError, r"ZeroPad3d: padding must be an int or a tuple of 6 ints"),
        (lambda: nn.ReflectionPad3d(3)(np.ones((1, 1, 3, 3, 3))), ValueError,
         r"pad: padding_mode='reflect' needs each padding smaller than the input's size 3"),
        (lambda: nn.ConvTranspose3d(2, 2, 3)(np.ones((1, 2, 2, 2, 2), dtype=np.float32), output_size=(9, 4, 4)),
         ValueError, r"ConvTranspose3d: requested an output size of \(9, 4, 4\), but valid sizes range from"),
    ],
)  # fmt: skip
def test_bad_3d_arguments_are_errors_naming_the_function_and_shapes(call, error, message):
    with pytest.raises(error, match=message):
        call()
