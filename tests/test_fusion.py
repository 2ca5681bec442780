"""nn.utils fusion without torch: a convolution or linear layer fused with the eval-mode batch norm after it
gives the outputs of the two in sequence, leaves both modules as they were, and refuses training mode."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

RNG = np.random.default_rng(5)


def trained_batch_norm(kind, features, affine=True, dtype=np.float64):
    """A batch norm whose running statistics and affine parameters are far from their defaults, in eval mode."""
    bn = kind(features, affine=affine, dtype=dtype, eps=1e-3)
    bn.running_mean[...] = RNG.normal(size=features)
    bn.running_var[...] = RNG.uniform(0.2, 3.0, size=features)
    if affine:
        bn.weight.data[...] = RNG.normal(size=features)
        bn.bias.data[...] = RNG.normal(size=features)
    return bn.eval()


CONV_CASES = [
    ("Conv1d", lambda: nn.Conv1d(3, 4, 3, dtype=np.float64, rng=1), nn.BatchNorm1d, (2, 3, 7), False),
    ("Conv2d", lambda: nn.Conv2d(3, 4, 3, padding=1, dtype=np.float64, rng=1), nn.BatchNorm2d, (2, 3, 5, 5), False),
    (
        "Conv2d_no_bias",
        lambda: nn.Conv2d(3, 4, 2, bias=False, dtype=np.float64, rng=1),
        nn.BatchNorm2d,
        (2, 3, 4, 4),
        False,
    ),
    (
        "Conv2d_groups",
        lambda: nn.Conv2d(4, 6, 3, groups=2, dtype=np.float64, rng=1),
        nn.BatchNorm2d,
        (2, 4, 5, 5),
        False,
    ),
    ("Conv3d", lambda: nn.Conv3d(2, 3, 2, dtype=np.float64, rng=1), nn.BatchNorm3d, (1, 2, 3, 4, 4), False),
    (
        "ConvTranspose2d",
        lambda: nn.ConvTranspose2d(3, 5, 3, stride=2, dtype=np.float64, rng=1),
        nn.BatchNorm2d,
        (2, 3, 4, 4),
        True,
    ),
]


@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize(
    ("name", "make_conv", "bn_kind", "shape", "transpose"), CONV_CASES, ids=[c[0] for c in CONV_CASES]
)
def test_fused_convolution_gives_the_outputs_of_conv_then_batch_norm(
    name, make_conv, bn_kind, shape, transpose, affine
):
    conv = make_conv().eval()
    bn = trained_batch_norm(bn_kind, conv.out_channels, affine)
    x = Tensor(RNG.normal(size=shape))
    expected = bn(conv(x)).data
    weight_before = conv.weight.data.copy()
    fused = nn.utils.fuse_conv_bn_eval(conv, bn, transpose=transpose)
    assert type(fused) is type(conv) and fused is not conv
    np.testing.assert_allclose(fused(x).data, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(conv.weight.data, weight_before)  # the original is untouched
    assert not np.allclose(fused.weight.data, weight_before)
    assert isinstance(fused.weight, nn.Parameter) and isinstance(fused.bias, nn.Parameter)


@pytest.mark.parametrize("bias", [True, False])
def test_fused_linear_gives_the_outputs_of_linear_then_batch_norm(bias):
    linear = nn.Linear(5, 3, bias=bias, dtype=np.float64).eval()
    linear.weight.data[...] = RNG.normal(size=(3, 5))
    bn = trained_batch_norm(nn.BatchNorm1d, 3)
    x = Tensor(RNG.normal(size=(4, 5)))
    fused = nn.utils.fuse_linear_bn_eval(linear, bn)
    np.testing.assert_allclose(fused(x).data, bn(linear(x)).data, rtol=1e-12, atol=1e-12)
    assert [name for name, _ in fused.named_parameters()] == ["weight", "bias"]


def test_float32_layers_stay_float32():
    conv = nn.Conv2d(2, 3, 3, rng=2).eval()
    bn = trained_batch_norm(nn.BatchNorm2d, 3, dtype=np.float32)
    fused = nn.utils.fuse_conv_bn_eval(conv, bn)
    assert fused.weight.dtype == np.float32 and fused.bias.dtype == np.float32
    x = Tensor(RNG.normal(size=(2, 2, 5, 5)).astype(np.float32))
    np.testing.assert_allclose(fused(x).data, bn(conv(x)).data, rtol=1e-5, atol=1e-5)


def test_fuse_weights_works_on_plain_arrays():
    weight, bias = RNG.normal(size=(3, 2)), RNG.normal(size=3)
    mean, var, gamma, beta = RNG.normal(size=3), RNG.uniform(0.5, 2, size=3), RNG.normal(size=3), RNG.normal(size=3)
    fused_weight, fused_bias = nn.utils.fuse_linear_bn_weights(weight, bias, mean, var, 1e-5, gamma, beta)
    x = RNG.normal(size=(4, 2))
    expected = (x @ weight.T + bias - mean) / np.sqrt(var + 1e-5) * gamma + beta
    np.testing.assert_allclose(x @ fused_weight.data.T + fused_bias.data, expected, rtol=1e-12)
    assert isinstance(fused_weight, nn.Parameter) and fused_weight.requires_grad


def test_training_mode_is_refused():
    conv, bn = nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3)
    with pytest.raises(ValueError, match="only for eval mode"):
        nn.utils.fuse_conv_bn_eval(conv, bn)
    with pytest.raises(ValueError, match="only for eval mode"):
        nn.utils.fuse_linear_bn_eval(nn.Linear(2, 3), nn.BatchNorm1d(3).eval())


def test_mismatched_channels_and_untracked_statistics_are_refused():
    with pytest.raises(ValueError, match="4 output channels, the batch norm 3 features"):
        nn.utils.fuse_conv_bn_eval(nn.Conv2d(2, 4, 3).eval(), nn.BatchNorm2d(3).eval())
    with pytest.raises(ValueError, match="track_running_stats"):
        nn.utils.fuse_conv_bn_eval(nn.Conv2d(2, 3, 3).eval(), nn.BatchNorm2d(3, track_running_stats=False).eval())


@pytest.mark.parametrize("bias", [True, False])
def test_the_fused_bias_requires_grad_as_torchs_only_when_the_layer_had_one(bias):
    torch = pytest.importorskip("torch")
    conv = nn.Conv2d(2, 3, 3, bias=bias, dtype=np.float64, rng=1).eval()
    linear = nn.Linear(4, 3, bias=bias, dtype=np.float64).eval()
    bn = trained_batch_norm(nn.BatchNorm2d, 3)
    torch_conv = torch.nn.Conv2d(2, 3, 3, bias=bias).double().eval()
    torch_linear = torch.nn.Linear(4, 3, bias=bias).double().eval()
    torch_bn = torch.nn.BatchNorm2d(3).double().eval()
    theirs = [
        torch.nn.utils.fuse_conv_bn_eval(torch_conv, torch_bn).bias.requires_grad,
        torch.nn.utils.fuse_linear_bn_eval(torch_linear, torch_bn).bias.requires_grad,
    ]
    ours = [
        nn.utils.fuse_conv_bn_eval(conv, bn).bias.requires_grad,
        nn.utils.fuse_linear_bn_eval(linear, bn).bias.requires_grad,
    ]
    assert ours == theirs == [bias, bias]
