"""The 3-D (volumetric) functions and layers against torch: conv3d and conv_transpose3d over strides, paddings,
dilations and groups; max, average, adaptive, power-average pooling and unpooling (indices, ceil_mode, ties and
NaN); padding, normalisation and channel dropout layers; reprs, state_dict keys and checkpoints."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor
from nn.architecture import BLUEPRINTS

torch = pytest.importorskip("torch")
TF = torch.nn.functional
RNG = np.random.default_rng(0)
VOLUME = RNG.normal(size=(2, 3, 7, 6, 8))


def _compare(ours_call, theirs_call, *arrays, rtol=1e-10, atol=1e-12):
    """Values (and indices, for a pair) and the gradients of every array under a random upstream gradient."""
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = ours_call(*ours), theirs_call(*theirs)
    if isinstance(expected, tuple):
        (out, indices), (expected, expected_indices) = out, expected
        assert indices.dtype == np.int64
        np.testing.assert_array_equal(indices, expected_indices.numpy())
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=rtol, atol=atol, equal_nan=True)
    seed = np.random.default_rng(1).normal(size=out.shape)
    out.backward(seed)
    expected.backward(torch.from_numpy(seed))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=rtol, atol=atol)


CONV_GRID = [
    {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    for stride, padding, dilation, groups in itertools.product(
        [1, (2, 1, 3)], [0, (1, 0, 2), "valid", "same"], [1, (2, 1, 1)], [1, 3]
    )
    if not (padding == "same" and stride != 1)
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("options", CONV_GRID, ids=str)
@pytest.mark.parametrize("bias", [True, False])
def test_conv3d_values_and_gradients_match_torch(options, bias):
    weight = RNG.normal(size=(6, 3 // options["groups"], 3, 2, 3))
    arrays = (VOLUME, weight) + ((RNG.normal(size=6),) if bias else ())
    _compare(lambda *t: F.conv3d(*t, **options), lambda *t: TF.conv3d(*t, **options), *arrays)


def test_conv3d_of_an_unbatched_volume_matches_torch():
    weight = RNG.normal(size=(4, 3, 2, 2, 2))
    _compare(lambda x, w: F.conv3d(x, w, padding=1), lambda x, w: TF.conv3d(x, w, padding=1), VOLUME[0], weight)


def test_conv3d_output_views_as_torchs_contiguous_one():
    """torch's conv3d output is contiguous: a 3-D CNN's ``x.view(x.size(0), -1)`` before its classifier works."""
    layer_t, layer = torch.nn.Conv3d(3, 4, 3, padding=1).double(), nn.Conv3d(3, 4, 3, padding=1).double()
    layer.load_state_dict({name: value.detach().numpy() for name, value in layer_t.state_dict().items()})
    for batched in (VOLUME, VOLUME[0]):
        expected = layer_t(torch.tensor(batched)).detach()
        assert expected.is_contiguous()
        got = layer(Tensor(batched))
        np.testing.assert_allclose(got.view(got.size(0), -1).data, expected.view(expected.size(0), -1).numpy())


TRANSPOSE_GRID = [
    {"stride": stride, "padding": padding, "output_padding": output_padding, "dilation": dilation, "groups": groups}
    for stride, padding, output_padding, dilation, groups in itertools.product(
        [1, (2, 1, 3)], [0, (1, 0, 2)], [0, (1, 0, 2)], [1, (2, 1, 1)], [1, 3]
    )
    if all(
        extra < step or extra < spread
        for extra, step, spread in zip(*(np.broadcast_to(value, 3) for value in (output_padding, stride, dilation)))
    )
]


@pytest.mark.parametrize("options", TRANSPOSE_GRID, ids=str)
def test_conv_transpose3d_values_and_gradients_match_torch(options):
    x = RNG.normal(size=(2, 3, 3, 4, 3))
    weight, bias = RNG.normal(size=(3, 2, 3, 2, 3)), RNG.normal(size=2 * options["groups"])
    _compare(
        lambda *t: F.conv_transpose3d(*t, **options), lambda *t: TF.conv_transpose3d(*t, **options), x, weight, bias
    )


MAX_POOL_GRID = [
    {"kernel_size": kernel, "stride": stride, "padding": padding, "dilation": dilation, "ceil_mode": ceil_mode}
    for kernel, stride, padding, dilation, ceil_mode in itertools.product(
        [2, (3, 2, 3)], [None, 1, (2, 1, 3)], [0, 1], [1, (2, 1, 2)], [False, True]
    )
]


@pytest.mark.parametrize("options", MAX_POOL_GRID, ids=str)
def test_max_pool3d_values_indices_and_gradients_match_torch(options):
    _compare(
        lambda x: F.max_pool3d(x, return_indices=True, **options),
        lambda x: TF.max_pool3d(x, return_indices=True, **options),
        VOLUME,
    )


@pytest.mark.parametrize(
    "volume",
    [
        np.round(RNG.normal(size=(2, 2, 5, 5, 5))),  # many ties: the first maximum in (d, h, w) order
        np.where(RNG.random((1, 2, 5, 5, 5)) < 0.1, np.nan, RNG.normal(size=(1, 2, 5, 5, 5))),  # the last NaN
        np.full((1, 1, 3, 4, 3), -np.inf),  # all -inf: the first input entry, never the padding
    ],
    ids=["ties", "nan", "neg-inf"],
)
def test_max_pool3d_chooses_torchs_entry_among_ties_nans_and_infinities(volume):
    options = {"kernel_size": 3, "stride": (1, 2, 1), "padding": 1}
    _compare(
        lambda x: F.max_pool3d(x, return_indices=True, **options),
        lambda x: TF.max_pool3d(x, return_indices=True, **options),
        volume,
    )


AVG_POOL_GRID = [
    {
        "kernel_size": kernel,
        "stride": stride,
        "padding": padding,
        "ceil_mode": ceil_mode,
        "count_include_pad": include,
        "divisor_override": divisor,
    }  # fmt: skip
    for kernel, stride, padding, ceil_mode, include, divisor in itertools.product(
        [2, (3, 2, 3)], [None, (2, 1, 3)], [0, 1], [False, True], [True, False], [None, 5]
    )
]


@pytest.mark.parametrize("options", AVG_POOL_GRID, ids=str)
def test_avg_pool3d_values_and_gradients_match_torch(options):
    _compare(lambda x: F.avg_pool3d(x, **options), lambda x: TF.avg_pool3d(x, **options), VOLUME)


@pytest.mark.parametrize("size", [1, 3, (2, None, 5), (7, 6, 8), (4, 5, 3)], ids=str)
@pytest.mark.parametrize("batched", [True, False])
def test_adaptive_pools_3d_match_torch(size, batched):
    volume = VOLUME if batched else VOLUME[0]
    _compare(lambda x: F.adaptive_avg_pool3d(x, size), lambda x: TF.adaptive_avg_pool3d(x, size), volume)
    _compare(
        lambda x: F.adaptive_max_pool3d(x, size, return_indices=True),
        lambda x: TF.adaptive_max_pool3d(x, size, return_indices=True),
        np.round(volume),  # ties
    )


def test_with_indices_aliases_match_torch():
    _compare(lambda x: F.max_pool3d_with_indices(x, 2, 1), lambda x: TF.max_pool3d_with_indices(x, 2, 1), VOLUME)
    _compare(
        lambda x: F.adaptive_max_pool3d_with_indices(x, (3, 2, 4)),
        lambda x: TF.adaptive_max_pool3d_with_indices(x, (3, 2, 4)),
        VOLUME,
    )


@pytest.mark.parametrize(
    ("norm_type", "kernel", "stride", "ceil_mode"),
    [(2, 2, None, False), (3, (2, 3, 2), (1, 2, 3), True), (1.5, 3, 2, True), (float("inf"), 2, 1, False)],
)
def test_lp_pool3d_matches_torch(norm_type, kernel, stride, ceil_mode):
    positive = np.abs(VOLUME) + 0.1  # a fractional power of a negative entry is nan in both
    _compare(
        lambda x: F.lp_pool3d(x, norm_type, kernel, stride, ceil_mode),
        lambda x: TF.lp_pool3d(x, norm_type, kernel, stride, ceil_mode),
        positive,
    )


@pytest.mark.parametrize(("kernel", "stride", "padding"), [(2, None, 0), ((3, 2, 3), (2, 1, 2), (1, 0, 1))])
def test_max_unpool3d_inverts_max_pool3d_as_torch(kernel, stride, padding):
    pooled, indices = TF.max_pool3d(torch.from_numpy(VOLUME), kernel, stride, padding, return_indices=True)
    size = VOLUME.shape[2:]
    _compare(
        lambda x: F.max_unpool3d(x, indices.numpy(), kernel, stride, padding, output_size=size),
        lambda x: TF.max_unpool3d(x, indices, kernel, stride, padding, output_size=size),
        pooled.numpy(),
    )


def test_dropout3d_zeroes_whole_channels_and_scales_the_rest():
    out = F.dropout3d(Tensor(np.ones((4, 8, 2, 3, 2))), 0.5, rng=0).data
    per_channel = out.reshape(4, 8, -1)
    assert set(np.unique(out)) == {0.0, 2.0}
    assert (per_channel.min(axis=2) == per_channel.max(axis=2)).all()
    assert TF.dropout3d(torch.ones(2, 3, 2, 2, 2), 0.0).equal(torch.ones(2, 3, 2, 2, 2))  # the same identity
    np.testing.assert_array_equal(F.dropout3d(Tensor(np.ones((2, 3, 2, 2, 2))), 0.0).data, 1.0)


LAYERS = [
    lambda lib: lib.Conv3d(3, 6, (3, 2, 3), stride=(2, 1, 1), padding=1, dilation=(1, 2, 1), groups=3),
    lambda lib: lib.Conv3d(3, 4, 3, padding="same", bias=False, padding_mode="reflect"),
    lambda lib: lib.Conv3d(3, 4, 2, padding=(1, 0, 1), padding_mode="circular"),
    lambda lib: lib.ConvTranspose3d(3, 6, (2, 3, 2), stride=2, padding=(1, 0, 0), output_padding=1, groups=3),
    lambda lib: lib.MaxPool3d(2),
    lambda lib: lib.MaxPool3d((3, 2, 3), stride=1, padding=1, dilation=(1, 2, 1), ceil_mode=True),
    lambda lib: lib.AvgPool3d(2),
    lambda lib: lib.AvgPool3d((3, 2, 3), 2, 1, True, False, 4),
    lambda lib: lib.AdaptiveAvgPool3d((2, None, 3)),
    lambda lib: lib.AdaptiveMaxPool3d(2),
    lambda lib: lib.LPPool3d(2, (2, 3, 2), stride=1),
    lambda lib: lib.ZeroPad3d((1, 2, 0, 1, 2, 0)),
    lambda lib: lib.ConstantPad3d(1, -2.5),
    lambda lib: lib.ReflectionPad3d((1, 0, 2, 1, 0, 2)),
    lambda lib: lib.ReplicationPad3d(2),
    lambda lib: lib.CircularPad3d((1, 1, 0, 2, 1, 0)),
    lambda lib: lib.BatchNorm3d(3, momentum=0.3),
    lambda lib: lib.InstanceNorm3d(3, affine=True, track_running_stats=True),
]


def _same_weights(ours, theirs):
    with torch.no_grad():
        for name, value in theirs.state_dict().items():
            value.copy_(torch.from_numpy(np.asarray(ours.state_dict()[name])))


@pytest.mark.parametrize("make", LAYERS)
def test_3d_layers_match_torch_in_repr_state_values_gradients_and_checkpoints(tmp_path, make):
    ours, theirs = make(nn).to(np.float64), make(torch.nn).double()
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert {k: np.shape(v) for k, v in ours.state_dict().items()} == {
        k: tuple(v.shape) for k, v in theirs.state_dict().items()
    }
    _same_weights(ours, theirs)
    _compare(ours, theirs, VOLUME)
    for name, value in theirs.state_dict().items():  # the running statistics moved alike
        np.testing.assert_allclose(np.asarray(ours.state_dict()[name]), value.numpy(), rtol=1e-10)
    if type(ours).__name__ not in BLUEPRINTS:  # as LPPool1d/2d, not recorded in checkpoints
        return
    rebuilt = nn.load(nn.save(nn.Sequential(ours), tmp_path / "m.npz")).eval()
    assert repr(rebuilt[0]) == repr(ours)
    np.testing.assert_array_equal(rebuilt(VOLUME).data, ours.eval()(VOLUME).data)


def test_3d_layers_with_indices_and_unpooling_match_torch():
    ours, theirs = nn.MaxPool3d(2, 1, return_indices=True), torch.nn.MaxPool3d(2, 1, return_indices=True)
    assert repr(ours) == repr(theirs)
    _compare(ours, theirs, VOLUME)
    unpool, reference = nn.MaxUnpool3d(2, 1), torch.nn.MaxUnpool3d(2, 1)
    assert repr(unpool) == repr(reference)
    pooled, indices = theirs(torch.from_numpy(VOLUME))
    _compare(lambda x: unpool(x, indices.numpy()), lambda x: reference(x, indices), pooled.numpy())
    _compare(nn.AdaptiveMaxPool3d(3, True), torch.nn.AdaptiveMaxPool3d(3, True), VOLUME)


def test_conv3d_layer_is_initialised_in_torchs_range():
    layer = nn.Conv3d(4, 6, (3, 2, 1), groups=2, rng=0)
    bound = 1 / np.sqrt(2 * 3 * 2 * 1)
    assert layer.weight.shape == (6, 2, 3, 2, 1)
    assert np.abs(layer.weight.data).max() <= bound and np.abs(layer.bias.data).max() <= bound
    assert np.abs(layer.weight.data).max() > bound / 2


def test_conv_transpose3d_layer_takes_an_output_size_as_torch():
    ours = nn.ConvTranspose3d(3, 2, 3, stride=2, dtype=np.float64, rng=0)
    theirs = torch.nn.ConvTranspose3d(3, 2, 3, stride=2).double()
    _same_weights(ours, theirs)
    size = (16, 13, 18)
    _compare(lambda x: ours(x, output_size=size), lambda x: theirs(x, output_size=size), VOLUME)


def test_dropout3d_layer_repr_and_eval_identity_match_torch():
    ours, theirs = nn.Dropout3d(0.2), torch.nn.Dropout3d(0.2)
    assert repr(ours) == repr(theirs)
    np.testing.assert_array_equal(ours.eval()(VOLUME).data, theirs.eval()(torch.from_numpy(VOLUME)).numpy())
