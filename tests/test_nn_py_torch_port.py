"""Port of parts of PyTorch's test/test_nn.py (pytorch/pytorch), run beside torch as the oracle.

Ported (what upstream checks, rewritten in this library's style; each case compares with torch or with finite
differences in float64):

* normalization layers (upstream's ``test_batchnorm_*``, ``test_BatchNorm_*``, ``test_InstanceNorm*_general``,
  ``test_LayerNorm_general``, ``test_GroupNorm_general``, ``test_*_raises_error_if_*``): running statistics with
  ``momentum=None`` (a cumulative average) and with a momentum, ``num_batches_tracked``, eval against train,
  ``track_running_stats=False`` (no buffers, batch statistics in eval too), ``affine=False`` (no parameters),
  the error for one value per channel in training, InstanceNorm with and without running statistics, LayerNorm,
  GroupNorm and LocalResponseNorm values, gradients, state-dict keys, reprs and shape errors;
* ``F.interpolate`` / ``nn.Upsample`` (upstream's ``test_upsampling*``, ``test_interpolate*``): every mode at
  inputs of length 1 and 2 (where align_corners divides by zero if done naively), output size 1, ``size`` as
  a list, ``recompute_scale_factor``, antialias, the invalid-argument errors, and input gradients in float64;
* ``pixel_shuffle`` / ``pixel_unshuffle`` and ``fold`` / ``unfold`` (upstream's ``test_pixel_shuffle_unshuffle``,
  ``test_fold_invalid_arg``, ``test_unfold_invalid_arg``): values over batch dimensions, round trips, errors;
* ``nn.utils`` (upstream's ``test_clip_grad_norm``, ``test_clip_grad_value``, ``test_parameters_to_vector``,
  ``test_vector_to_parameters``, ``test_weight_norm``, ``test_spectral_norm``): norm types, non-finite gradients
  with and without ``error_if_nonfinite``, ``foreach`` accepted, both weight_norm and spectral_norm APIs;
* module utilities (upstream's ``test_Sequential_*``, ``test_ModuleList``, ``test_ModuleDict``,
  ``test_ParameterList``, ``test_ParameterDict``, ``test_named_modules``, ``test_apply``, ``test_zero_grad``,
  ``test_requires_grad_``, ``test_extra_repr``).

Left out, and why:

* CUDA, cuDNN, channels_last, half/bfloat16, complex, quantized, nested tensors, ``torch.jit``, ``torch.compile``,
  deterministic-algorithm checks and memory-format tests: not part of this library;
* ``share_memory``: deliberately a NotImplementedError naming threads as the way to share a model (no
  multiprocessing tensors here);
* ``Module.apply`` visits a sub-module shared by several parents once; torch calls ``fn`` again for each parent
  that is not the first to hold it (deliberate: an in-place ``fn`` would otherwise scale a shared weight twice);
* ``clip_grad_norm_`` returns a NumPy float of the gradients' dtype where torch returns a 0-d tensor (documented;
  ``.item()`` works on both); ``clip_grad_value_`` refuses a negative ``clip_value`` (torch clamps every
  entry to ``-clip_value``, a surprising result);
* torch's own container quirks we do not copy: ``ModuleList.insert`` with an index beyond the end or a negative
  index raises KeyError or names the module '10' in torch (ours inserts as ``list.insert`` and renumbers),
  ``Sequential.extend(self)`` raises "dictionary changed size" in torch (ours appends a copy of the list of
  modules), ``Sequential.insert`` into an OrderedDict-built Sequential raises KeyError in torch;
* ``unfold`` of an input with no channels returns an empty result here where torch refuses it;
* error texts: ours name the function and the offending value in our own words, so only the classes are compared.
"""

import copy
import math
from collections import OrderedDict

import numpy as np
import pytest

import nn
import nn.functional as F
import nn.utils as U
from autograd import Tensor

torch = pytest.importorskip("torch")
T = torch.nn
TF = torch.nn.functional
TU = torch.nn.utils


def _np(t):
    return t.detach().numpy()


def _error_classes(ours, theirs):
    """The exception class each call raises (None for none)."""
    classes = []
    for call in (ours, theirs):
        try:
            call()
        except Exception as error:  # noqa: BLE001 - the class is what is compared
            classes.append(type(error))
        else:
            classes.append(None)
    return classes


def _assert_same_error(ours, theirs):
    mine, torchs = _error_classes(ours, theirs)
    assert torchs is not None, "torch accepted the call"
    assert mine is not None and issubclass(mine, torchs), (mine, torchs)


def _pair(cls_name, *args, **kwargs):
    ours = getattr(nn, cls_name)(*args, dtype=np.float64, **kwargs)
    theirs = getattr(T, cls_name)(*args, **kwargs).double()
    return ours, theirs


def _buffer(module, name):
    value = getattr(module, name)
    return None if value is None else np.asarray(value.data if isinstance(value, Tensor) else value)


# ---------------------------------------------------------------------------------------------------------------
# 1. normalization layers

BATCH_NORMS = [
    ("BatchNorm1d", (5, 3)),
    ("BatchNorm1d", (4, 3, 6)),
    ("BatchNorm2d", (3, 3, 4, 2)),
    ("BatchNorm3d", (2, 3, 2, 3, 2)),
]


@pytest.mark.parametrize("cls_name, shape", BATCH_NORMS)
@pytest.mark.parametrize("momentum", [None, 0.1, 0.7])
def test_batch_norm_running_stats_follow_torch_over_several_batches(cls_name, shape, momentum):
    ours, theirs = _pair(cls_name, 3, momentum=momentum)
    rng = np.random.default_rng(1)
    for step in range(4):  # batches of different scales: the cumulative average differs from any momentum
        x = rng.standard_normal(shape) * (step + 1) + 2 * step
        np.testing.assert_allclose(ours(Tensor(x)).data, _np(theirs(torch.tensor(x))), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(_buffer(ours, "running_mean"), _np(theirs.running_mean), rtol=1e-12)
        np.testing.assert_allclose(_buffer(ours, "running_var"), _np(theirs.running_var), rtol=1e-12)
        assert int(_buffer(ours, "num_batches_tracked")) == int(theirs.num_batches_tracked) == step + 1
    ours.eval(), theirs.eval()
    x = rng.standard_normal(shape)
    np.testing.assert_allclose(ours(Tensor(x)).data, _np(theirs(torch.tensor(x))), rtol=1e-10, atol=1e-12)
    assert int(_buffer(ours, "num_batches_tracked")) == 4  # eval leaves the statistics alone


def test_batch_norm_momentum_none_is_the_mean_of_the_batch_statistics():
    # the cumulative average, checked against numpy directly: mean of the means, mean of the unbiased variances
    layer = nn.BatchNorm1d(2, momentum=None, dtype=np.float64)
    rng = np.random.default_rng(2)
    batches = [rng.standard_normal((6, 2)) * (i + 1) + i for i in range(3)]
    for x in batches:
        layer(Tensor(x))
    # the first batch's factor is 1, so the initial 0 and 1 drop out of the averages
    np.testing.assert_allclose(_buffer(layer, "running_mean"), np.mean([x.mean(0) for x in batches], 0), rtol=1e-12)
    np.testing.assert_allclose(
        _buffer(layer, "running_var"), np.mean([x.var(0, ddof=1) for x in batches], 0), rtol=1e-12
    )


@pytest.mark.parametrize("cls_name, shape", BATCH_NORMS)
def test_batch_norm_without_running_stats_has_no_buffers_and_normalises_by_the_batch_in_eval(cls_name, shape):
    ours, theirs = _pair(cls_name, 3, track_running_stats=False)
    assert ours.running_mean is None and ours.running_var is None and ours.num_batches_tracked is None
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict()) == ["bias", "weight"]
    assert list(ours.buffers()) == [] == list(theirs.buffers())
    ours.eval(), theirs.eval()
    x = np.random.default_rng(3).standard_normal(shape) + 5
    np.testing.assert_allclose(ours(Tensor(x)).data, _np(theirs(torch.tensor(x))), rtol=1e-10, atol=1e-12)
    assert abs(ours(Tensor(x)).data.mean()) < 1e-10  # batch statistics even in eval


@pytest.mark.parametrize("cls_name, shape", BATCH_NORMS)
def test_batch_norm_without_affine_has_no_parameters(cls_name, shape):
    ours, theirs = _pair(cls_name, 3, affine=False)
    assert ours.weight is None and ours.bias is None
    assert list(ours.parameters()) == [] == list(theirs.parameters())
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(4).standard_normal(shape)
    np.testing.assert_allclose(ours(Tensor(x)).data, _np(theirs(torch.tensor(x))), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls_name, shape", BATCH_NORMS)
@pytest.mark.parametrize("momentum", [None, 0.1])
def test_batch_norm_gradients_match_torch_in_train_and_eval(cls_name, shape, momentum):
    ours, theirs = _pair(cls_name, 3, momentum=momentum)
    rng = np.random.default_rng(5)
    for training in (True, False):
        ours.train(training), theirs.train(training)
        ours.zero_grad(), theirs.zero_grad()
        x, upstream = rng.standard_normal(shape), rng.standard_normal(shape)
        mine, torchs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        ours(mine).backward(upstream)
        theirs(torchs).backward(torch.tensor(upstream))
        np.testing.assert_allclose(mine.grad, _np(torchs.grad), rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(ours.weight.grad, _np(theirs.weight.grad), rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(ours.bias.grad, _np(theirs.bias.grad), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize(
    "cls_name, shape",
    [
        ("BatchNorm1d", (1, 3)),
        ("BatchNorm1d", (1, 3, 1)),
        ("BatchNorm2d", (1, 3, 1, 1)),
        ("BatchNorm3d", (1, 3, 1, 1, 1)),
    ],
)
def test_batch_norm_refuses_one_value_per_channel_in_training_only(cls_name, shape):
    x = np.ones(shape, dtype=np.float32)
    _assert_same_error(lambda: getattr(nn, cls_name)(3)(Tensor(x)), lambda: getattr(T, cls_name)(3)(torch.ones(shape)))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        getattr(nn, cls_name)(3)(Tensor(x))
    ours, theirs = getattr(nn, cls_name)(3).eval(), getattr(T, cls_name)(3).eval()
    np.testing.assert_allclose(ours(Tensor(x)).data, _np(theirs(torch.ones(shape))), rtol=1e-6)


@pytest.mark.parametrize(
    "cls_name, channels, shape",
    [
        ("BatchNorm1d", 3, (2, 4)),
        ("BatchNorm2d", 3, (2, 3, 4)),
        ("BatchNorm3d", 3, (2, 3, 4, 4)),
        ("BatchNorm1d", 3, (2, 3, 4, 4)),
    ],
)
def test_batch_norm_refuses_inputs_of_the_wrong_shape_as_torch(cls_name, channels, shape):
    _assert_same_error(
        lambda: getattr(nn, cls_name)(channels)(Tensor(np.ones(shape, dtype=np.float32))),
        lambda: getattr(T, cls_name)(channels)(torch.ones(shape)),
    )


def test_batch_norm_reset_running_stats_restores_the_initial_buffers_as_torch():
    ours, theirs = _pair("BatchNorm2d", 2)
    x = np.random.default_rng(6).standard_normal((3, 2, 2, 2)) + 1
    ours(Tensor(x)), theirs(torch.tensor(x))
    ours.reset_running_stats(), theirs.reset_running_stats()
    np.testing.assert_array_equal(_buffer(ours, "running_mean"), _np(theirs.running_mean))
    np.testing.assert_array_equal(_buffer(ours, "running_var"), _np(theirs.running_var))
    assert int(_buffer(ours, "num_batches_tracked")) == int(theirs.num_batches_tracked) == 0


@pytest.mark.parametrize("cls_name, shape", BATCH_NORMS)
def test_batch_norm_state_dict_round_trips_through_torch(cls_name, shape):
    ours, theirs = _pair(cls_name, 3, momentum=None)
    x = np.random.default_rng(7).standard_normal(shape)
    theirs(torch.tensor(x)), theirs(torch.tensor(2 * x + 1))
    ours.load_state_dict({key: value.numpy() for key, value in theirs.state_dict().items()})
    ours(Tensor(x)), theirs(torch.tensor(x))  # the cumulative average continues from the loaded count
    np.testing.assert_allclose(_buffer(ours, "running_mean"), _np(theirs.running_mean), rtol=1e-12)
    np.testing.assert_allclose(_buffer(ours, "running_var"), _np(theirs.running_var), rtol=1e-12)
    assert int(_buffer(ours, "num_batches_tracked")) == int(theirs.num_batches_tracked) == 3


INSTANCE_NORMS = [("InstanceNorm1d", (2, 3, 5)), ("InstanceNorm2d", (2, 3, 4, 3)), ("InstanceNorm3d", (2, 3, 2, 3, 2))]


@pytest.mark.parametrize("cls_name, shape", INSTANCE_NORMS)
@pytest.mark.parametrize("affine", [False, True])
def test_instance_norm_with_running_stats_tracks_and_uses_them_as_torch(cls_name, shape, affine):
    ours, theirs = _pair(cls_name, 3, track_running_stats=True, affine=affine, momentum=0.3)
    rng = np.random.default_rng(8)
    for step in range(3):
        x = rng.standard_normal(shape) * (step + 1) + step
        np.testing.assert_allclose(ours(Tensor(x)).data, _np(theirs(torch.tensor(x))), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(_buffer(ours, "running_mean"), _np(theirs.running_mean), rtol=1e-12)
    np.testing.assert_allclose(_buffer(ours, "running_var"), _np(theirs.running_var), rtol=1e-12)
    # torch's InstanceNorm keeps the buffer but never counts (F.instance_norm does not increment it)
    assert int(_buffer(ours, "num_batches_tracked")) == int(theirs.num_batches_tracked) == 0
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    ours.eval(), theirs.eval()
    x, upstream = rng.standard_normal(shape), rng.standard_normal(shape)
    mine, torchs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = ours(mine)
    np.testing.assert_allclose(out.data, _np(theirs(torchs)), rtol=1e-10, atol=1e-12)
    out.backward(upstream)
    theirs(torchs).backward(torch.tensor(upstream))
    np.testing.assert_allclose(mine.grad, _np(torchs.grad), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls_name, shape", INSTANCE_NORMS)
def test_instance_norm_without_running_stats_uses_instance_statistics_in_eval(cls_name, shape):
    ours, theirs = _pair(cls_name, 3)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict()) == []
    ours.eval(), theirs.eval()
    rng = np.random.default_rng(9)
    x, upstream = rng.standard_normal(shape) * 3 + 1, rng.standard_normal(shape)
    mine, torchs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out = ours(mine)
    np.testing.assert_allclose(out.data, _np(theirs(torchs)), rtol=1e-10, atol=1e-12)
    out.backward(upstream)
    theirs(torchs).backward(torch.tensor(upstream))
    np.testing.assert_allclose(mine.grad, _np(torchs.grad), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("cls_name, shape", INSTANCE_NORMS)
def test_instance_norm_takes_an_unbatched_input_as_torch(cls_name, shape):
    ours, theirs = _pair(cls_name, 3)
    x = np.random.default_rng(10).standard_normal(shape[1:])
    out = ours(Tensor(x))
    assert out.shape == shape[1:]
    np.testing.assert_allclose(out.data, _np(theirs(torch.tensor(x))), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls_name, shape", INSTANCE_NORMS)
def test_instance_norm_refuses_one_spatial_position_and_a_wrong_channel_count(cls_name, shape):
    single = (2, 3) + (1,) * (len(shape) - 2)
    _assert_same_error(
        lambda: getattr(nn, cls_name)(3)(Tensor(np.ones(single, dtype=np.float32))),
        lambda: getattr(T, cls_name)(3)(torch.ones(single)),
    )
    _assert_same_error(
        lambda: getattr(nn, cls_name)(4, affine=True)(Tensor(np.ones(shape, dtype=np.float32))),
        lambda: getattr(T, cls_name)(4, affine=True)(torch.ones(shape)),
    )


@pytest.mark.parametrize("shape, normalized", [((2, 3, 4), (3, 4)), ((2, 3, 4), 4), ((3, 4), (3, 4)), ((5,), 5)])
@pytest.mark.parametrize("options", [{}, {"elementwise_affine": False}, {"bias": False}])
def test_layer_norm_values_gradients_state_and_repr_match_torch(shape, normalized, options):
    ours, theirs = _pair("LayerNorm", normalized, **options)
    if ours.weight is not None:
        weight = np.random.default_rng(11).uniform(0.5, 2, ours.weight.shape)
        ours.weight.data = weight.copy()
        theirs.weight.data = torch.tensor(weight)
    assert repr(ours) == repr(theirs)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    rng = np.random.default_rng(12)
    x, upstream = rng.standard_normal(shape), rng.standard_normal(shape)
    mine, torchs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(torchs)
    np.testing.assert_allclose(out.data, _np(expected), rtol=1e-10, atol=1e-12)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(mine.grad, _np(torchs.grad), rtol=1e-9, atol=1e-11)
    for name in ("weight", "bias"):
        if getattr(ours, name) is not None:
            np.testing.assert_allclose(getattr(ours, name).grad, _np(getattr(theirs, name).grad), rtol=1e-9)


def test_layer_norm_refuses_a_mismatched_shape_and_an_empty_normalized_shape():
    _assert_same_error(
        lambda: nn.LayerNorm(5)(Tensor(np.ones((2, 4), dtype=np.float32))), lambda: T.LayerNorm(5)(torch.ones(2, 4))
    )
    _assert_same_error(
        lambda: nn.LayerNorm([])(Tensor(np.ones((2, 4), dtype=np.float32))), lambda: T.LayerNorm([])(torch.ones(2, 4))
    )


@pytest.mark.parametrize("shape", [(0, 4), (0, 2, 4)])
def test_layer_norm_of_an_empty_batch_is_empty_as_torch(shape):
    out = nn.LayerNorm(4)(Tensor(np.ones(shape, dtype=np.float32)))
    assert out.shape == tuple(T.LayerNorm(4)(torch.ones(shape)).shape) == shape


@pytest.mark.parametrize("groups, shape", [(1, (2, 4, 3)), (2, (2, 4, 3)), (4, (2, 4, 2, 2)), (2, (3, 4, 2, 1, 2))])
@pytest.mark.parametrize("affine", [True, False])
def test_group_norm_values_and_gradients_match_torch(groups, shape, affine):
    ours, theirs = _pair("GroupNorm", groups, shape[1], affine=affine)
    assert repr(ours) == repr(theirs)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    rng = np.random.default_rng(13)
    if affine:
        weight, bias = rng.uniform(0.5, 2, shape[1]), rng.standard_normal(shape[1])
        ours.weight.data, ours.bias.data = weight.copy(), bias.copy()
        theirs.weight.data, theirs.bias.data = torch.tensor(weight), torch.tensor(bias)
    x, upstream = rng.standard_normal(shape) * 2 + 1, rng.standard_normal(shape)
    mine, torchs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(torchs)
    np.testing.assert_allclose(out.data, _np(expected), rtol=1e-10, atol=1e-12)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(mine.grad, _np(torchs.grad), rtol=1e-9, atol=1e-11)
    if affine:
        np.testing.assert_allclose(ours.weight.grad, _np(theirs.weight.grad), rtol=1e-9, atol=1e-11)
        np.testing.assert_allclose(ours.bias.grad, _np(theirs.bias.grad), rtol=1e-9, atol=1e-11)


def test_group_norm_with_one_value_per_group_is_zero_as_torch():
    # torch (unlike batch norm) accepts a single value per group: x - mean is 0, so is the output (torch's float32
    # kernel leaves rounding noise of order 1e-5 there; ours is exactly 0)
    for groups, shape in [(6, (2, 6)), (6, (2, 6, 1)), (6, (3, 6, 1, 1))]:
        x = np.random.default_rng(14).standard_normal(shape).astype(np.float32)
        expected = _np(T.GroupNorm(groups, 6)(torch.tensor(x)))
        np.testing.assert_allclose(nn.GroupNorm(groups, 6)(Tensor(x)).data, expected, atol=1e-4)
        np.testing.assert_allclose(
            nn.GroupNorm(groups, 6, dtype=np.float64)(Tensor(x.astype(np.float64))).data, 0.0, atol=1e-12
        )


def test_group_norm_refuses_indivisible_channels_and_a_wrong_channel_count():
    _assert_same_error(lambda: nn.GroupNorm(4, 6), lambda: T.GroupNorm(4, 6))
    _assert_same_error(
        lambda: nn.GroupNorm(2, 6)(Tensor(np.ones((2, 4, 3), dtype=np.float32))),
        lambda: T.GroupNorm(2, 6)(torch.ones(2, 4, 3)),
    )


def test_group_norm_of_an_empty_batch_is_empty_as_torch():
    out = nn.GroupNorm(2, 4)(Tensor(np.ones((0, 4, 3), dtype=np.float32)))
    assert out.shape == tuple(T.GroupNorm(2, 4)(torch.ones(0, 4, 3)).shape)


@pytest.mark.parametrize("shape", [(2, 5, 3), (2, 5, 3, 4), (1, 6, 2, 3, 2)])
@pytest.mark.parametrize("size", [1, 2, 3, 8])
def test_local_response_norm_values_and_gradients_match_torch(shape, size):
    options = {"alpha": 0.3, "beta": 0.6, "k": 1.5}
    rng = np.random.default_rng(15)
    x, upstream = rng.standard_normal(shape), rng.standard_normal(shape)
    mine, torchs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = nn.LocalResponseNorm(size, **options)(mine), T.LocalResponseNorm(size, **options)(torchs)
    np.testing.assert_allclose(out.data, _np(expected), rtol=1e-10, atol=1e-12)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(mine.grad, _np(torchs.grad), rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("shape", [(2, 4), (4,)])
def test_local_response_norm_refuses_inputs_without_spatial_axes(shape):
    _assert_same_error(
        lambda: nn.LocalResponseNorm(2)(Tensor(np.ones(shape, dtype=np.float32))),
        lambda: T.LocalResponseNorm(2)(torch.ones(shape)),
    )


def test_local_response_norm_of_an_empty_batch_and_its_repr_match_torch():
    out = nn.LocalResponseNorm(2)(Tensor(np.ones((0, 4, 3), dtype=np.float32)))
    assert out.shape == tuple(T.LocalResponseNorm(2)(torch.ones(0, 4, 3)).shape)
    assert repr(nn.LocalResponseNorm(3, k=2.0)) == repr(T.LocalResponseNorm(3, k=2.0))


# ---------------------------------------------------------------------------------------------------------------
# 2. F.interpolate / nn.Upsample


def _check_interpolate(x, **options):
    mine, torchs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = F.interpolate(mine, **options), TF.interpolate(torchs, **options)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, _np(expected), rtol=1e-10, atol=1e-12)
    upstream = np.random.default_rng(20).standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(mine.grad, _np(torchs.grad), rtol=1e-9, atol=1e-11)


SMOOTH_MODES = [("linear", 1), ("bilinear", 2), ("bicubic", 2), ("trilinear", 3)]


@pytest.mark.parametrize("mode, axes", SMOOTH_MODES)
@pytest.mark.parametrize("length", [1, 2])
@pytest.mark.parametrize("align_corners", [True, False])
@pytest.mark.parametrize("resize", [{"size": 1}, {"size": 3}, {"scale_factor": 1.0}, {"scale_factor": 3}])
def test_interpolate_of_one_or_two_entries_per_axis_matches_torch(mode, axes, length, align_corners, resize):
    # align_corners divides by (out - 1) and (in - 1): lengths 1 must not give nan or inf
    x = np.random.default_rng(21).standard_normal((2, 2) + (length,) * axes)
    _check_interpolate(x, mode=mode, align_corners=align_corners, **resize)


@pytest.mark.parametrize("mode, axes", SMOOTH_MODES + [("nearest", 1), ("nearest-exact", 2), ("area", 3)])
def test_interpolate_takes_size_and_scale_factor_as_lists_as_torch(mode, axes):
    x = np.random.default_rng(22).standard_normal((1, 2) + (3,) * axes)
    _check_interpolate(x, mode=mode, size=[4] * axes)
    _check_interpolate(x, mode=mode, scale_factor=[1.5] * axes)
    _check_interpolate(x, mode=mode, scale_factor=np.float64(2.0))


@pytest.mark.parametrize("mode, axes", SMOOTH_MODES + [("nearest", 2), ("nearest-exact", 1), ("area", 2)])
@pytest.mark.parametrize("scale_factor", [0.4, 1.7])
def test_interpolate_recompute_scale_factor_matches_torch(mode, axes, scale_factor):
    x = np.random.default_rng(23).standard_normal((1, 2) + (5,) * axes)
    _check_interpolate(x, mode=mode, scale_factor=scale_factor, recompute_scale_factor=True)
    _check_interpolate(x, mode=mode, scale_factor=scale_factor, recompute_scale_factor=False)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("align_corners", [True, False])
@pytest.mark.parametrize("resize", [{"size": 1}, {"size": (2, 5)}, {"scale_factor": 0.5}, {"scale_factor": 2}])
def test_antialiased_interpolate_matches_torch_with_gradients(mode, align_corners, resize):
    x = np.random.default_rng(24).standard_normal((1, 2, 5, 4))
    _check_interpolate(x, mode=mode, align_corners=align_corners, antialias=True, **resize)


def test_interpolate_of_an_empty_batch_keeps_it_empty():
    out = F.interpolate(Tensor(np.ones((0, 2, 3, 4))), scale_factor=2)
    assert out.shape == tuple(TF.interpolate(torch.ones(0, 2, 3, 4), scale_factor=2).shape) == (0, 2, 6, 8)


def test_nearest_interpolate_keeps_an_integer_dtype_as_torch():
    x = (np.arange(12, dtype=np.uint8) * 20).reshape(1, 1, 3, 4)
    out = F.interpolate(Tensor(x), scale_factor=2)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out.data, TF.interpolate(torch.tensor(x), scale_factor=2).numpy())


BAD_INTERPOLATIONS = [
    ((1, 2, 4), {"size": 2, "scale_factor": 2}),
    ((1, 2, 4), {}),
    ((1, 2, 4, 4), {"scale_factor": 2, "mode": "linear"}),
    ((1, 2, 4), {"scale_factor": 2, "mode": "bilinear"}),
    ((1, 2, 4, 4), {"scale_factor": 2, "mode": "trilinear"}),
    ((1, 2, 4), {"scale_factor": 2, "mode": "bicubic"}),
    ((1, 2, 4, 4), {"scale_factor": 2, "mode": "nearest", "align_corners": True}),
    ((1, 2, 4, 4), {"scale_factor": 2, "mode": "area", "align_corners": False}),
    ((1, 2, 4, 4), {"scale_factor": 2, "mode": "cubic"}),
    ((1, 2, 4, 4), {"size": 0}),
    ((1, 2, 4, 4), {"scale_factor": 0.1}),
    ((1, 2, 4, 4), {"scale_factor": -1}),
    ((1, 2, 4, 4), {"size": (2, 2, 2)}),
    ((1, 2, 4, 4), {"scale_factor": (2, 2, 2)}),
    ((1, 2, 4, 4), {"scale_factor": 2, "mode": "nearest", "antialias": True}),
    ((1, 2, 4, 4), {"size": 3, "recompute_scale_factor": True}),
    ((1, 2, 4, 4), {"scale_factor": math.nan}),
    ((1, 2, 4, 4), {"scale_factor": math.inf}),
    ((1, 1, 2, 2, 2, 2), {"scale_factor": 2}),
    ((1, 2, 0, 4), {"scale_factor": 2}),
]


@pytest.mark.parametrize("shape, options", BAD_INTERPOLATIONS)
def test_interpolate_refuses_what_torch_refuses(shape, options):
    _assert_same_error(
        lambda: F.interpolate(Tensor(np.ones(shape)), **options),
        lambda: TF.interpolate(torch.ones(shape, dtype=torch.float64), **options),
    )


@pytest.mark.parametrize(
    "options",
    [
        {"scale_factor": 2},
        {"size": 3, "mode": "bilinear"},
        {"scale_factor": 2.0, "mode": "bicubic", "align_corners": True},
        {"size": (2, 3)},
        {"scale_factor": (2.0, 1.5), "mode": "bilinear"},
    ],
)
def test_upsample_layer_repr_and_output_match_torch(options):
    ours, theirs = nn.Upsample(**options), T.Upsample(**options)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(25).standard_normal((1, 2, 3, 4))
    np.testing.assert_allclose(ours(Tensor(x)).data, _np(theirs(torch.tensor(x))), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cls_name", ["UpsamplingNearest2d", "UpsamplingBilinear2d"])
@pytest.mark.parametrize("options", [{"scale_factor": 2}, {"size": (5, 7)}])
def test_fixed_mode_upsampling_layers_match_torch(cls_name, options):
    ours, theirs = getattr(nn, cls_name)(**options), getattr(T, cls_name)(**options)
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(26).standard_normal((1, 2, 3, 4))
    mine, torchs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = ours(mine), theirs(torchs)
    np.testing.assert_allclose(out.data, _np(expected), rtol=1e-10, atol=1e-12)
    out.backward(np.ones(out.shape))
    expected.sum().backward()
    np.testing.assert_allclose(mine.grad, _np(torchs.grad), rtol=1e-10, atol=1e-12)


# ---------------------------------------------------------------------------------------------------------------
# 3. pixel_shuffle / pixel_unshuffle, fold / unfold


@pytest.mark.parametrize("shape, factor", [((1, 8, 2, 3), 2), ((2, 9, 2, 2), 3), ((8, 2, 3), 2), ((2, 3, 4, 2, 3), 2)])
def test_pixel_shuffle_values_gradients_and_round_trip_match_torch(shape, factor):
    rng = np.random.default_rng(30)
    x = rng.standard_normal(shape)
    mine, torchs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, expected = F.pixel_shuffle(mine, factor), TF.pixel_shuffle(torchs, factor)
    np.testing.assert_array_equal(out.data, _np(expected))
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_array_equal(mine.grad, _np(torchs.grad))
    np.testing.assert_array_equal(F.pixel_unshuffle(out, factor).data, x)
    np.testing.assert_array_equal(nn.PixelUnshuffle(factor)(nn.PixelShuffle(factor)(Tensor(x))).data, x)


@pytest.mark.parametrize("shape, factor", [((1, 2, 4, 6), 2), ((2, 1, 3, 3), 3), ((2, 4, 6), 2), ((2, 3, 2, 4, 6), 2)])
def test_pixel_unshuffle_values_match_torch(shape, factor):
    x = np.arange(np.prod(shape)).reshape(shape)  # integers: the entries must only move
    np.testing.assert_array_equal(
        F.pixel_unshuffle(Tensor(x), factor).data, TF.pixel_unshuffle(torch.tensor(x), factor).numpy()
    )


@pytest.mark.parametrize("shape, factor", [((2, 3), 2), ((1, 7, 2, 2), 2), ((1, 8, 2, 3), 0), ((1, 8, 2, 3), -1)])
def test_pixel_shuffle_refuses_what_torch_refuses(shape, factor):
    _assert_same_error(
        lambda: F.pixel_shuffle(Tensor(np.ones(shape)), factor), lambda: TF.pixel_shuffle(torch.ones(shape), factor)
    )


@pytest.mark.parametrize("shape, factor", [((1, 2, 5, 6), 2), ((3,), 2), ((1, 2, 4, 6), 0)])
def test_pixel_unshuffle_refuses_what_torch_refuses(shape, factor):
    _assert_same_error(
        lambda: F.pixel_unshuffle(Tensor(np.ones(shape)), factor), lambda: TF.pixel_unshuffle(torch.ones(shape), factor)
    )


def test_pixel_shuffle_reprs_match_torch():
    assert repr(nn.PixelShuffle(2)) == repr(T.PixelShuffle(2))
    assert repr(nn.PixelUnshuffle(3)) == repr(T.PixelUnshuffle(3))


UNFOLDS = [
    ((1, 3, 4, 4), {"kernel_size": 2}),
    ((3, 4, 4), {"kernel_size": 2}),
    ((2, 2, 5, 4), {"kernel_size": (2, 3), "stride": (1, 2), "padding": (1, 0), "dilation": (2, 1)}),
    ((0, 3, 4, 4), {"kernel_size": 2}),
]


@pytest.mark.parametrize("shape, options", UNFOLDS)
def test_unfold_and_fold_values_and_gradients_match_torch(shape, options):
    rng = np.random.default_rng(31)
    x = rng.standard_normal(shape)
    mine, torchs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    columns, expected = F.unfold(mine, **options), TF.unfold(torchs, **options)
    np.testing.assert_array_equal(columns.data, _np(expected))
    # fold back: each input entry summed once per window that holds it
    folded = F.fold(columns, output_size=shape[-2:], **options)
    np.testing.assert_allclose(folded.data, _np(TF.fold(expected, output_size=shape[-2:], **options)), rtol=1e-12)
    upstream = rng.standard_normal(folded.shape)
    folded.backward(upstream)
    TF.fold(expected, output_size=shape[-2:], **options).backward(torch.tensor(upstream))
    np.testing.assert_allclose(mine.grad, _np(torchs.grad), rtol=1e-12, atol=1e-12)
    assert nn.Unfold(**options)(Tensor(x)).shape == tuple(T.Unfold(**options)(torch.tensor(x)).shape)


@pytest.mark.parametrize(
    "shape, options",
    [
        ((1, 1, 3, 4, 4), {"kernel_size": 2}),
        ((1, 3, 4, 4), {"kernel_size": 5}),
        ((1, 3, 4, 4), {"kernel_size": 2, "stride": 0}),
        ((1, 3, 4, 4), {"kernel_size": 2, "dilation": 0}),
        ((1, 3, 4, 4), {"kernel_size": 2, "padding": -1}),
        ((1, 3, 4, 4), {"kernel_size": (2, 3, 4)}),
        ((1, 3, 4, 4), {"kernel_size": 0}),
    ],
)
def test_unfold_refuses_what_torch_refuses(shape, options):
    _assert_same_error(
        lambda: F.unfold(Tensor(np.ones(shape)), **options), lambda: TF.unfold(torch.ones(shape), **options)
    )


@pytest.mark.parametrize(
    "shape, options",
    [
        ((1, 12, 9), {"output_size": (4, 5), "kernel_size": 2}),
        ((1, 11, 9), {"output_size": (4, 4), "kernel_size": 2}),
        ((1, 12, 9, 1), {"output_size": (4, 4), "kernel_size": 2}),
        ((1, 12), {"output_size": (4, 4), "kernel_size": 2}),
        ((1, 12, 9), {"output_size": (4, 4), "kernel_size": 2, "stride": 0}),
        ((1, 12, 9), {"output_size": (4, 4, 4), "kernel_size": 2}),
        ((1, 12, 9), {"output_size": (4, 4), "kernel_size": 2, "padding": -1}),
        ((1, 12, 9), {"output_size": (4, 4), "kernel_size": 2, "dilation": 0}),
    ],
)
def test_fold_refuses_what_torch_refuses(shape, options):
    _assert_same_error(lambda: F.fold(Tensor(np.ones(shape)), **options), lambda: TF.fold(torch.ones(shape), **options))


@pytest.mark.parametrize(
    "shape, options",
    [
        ((12, 9), {"output_size": (4, 4), "kernel_size": 2}),
        ((1, 12, 9), {"output_size": 4, "kernel_size": 2}),
        ((1, 12, 4), {"output_size": (4, 4), "kernel_size": 2, "stride": 2}),
        ((1, 12, 16), {"output_size": (4, 4), "kernel_size": 2, "padding": 1, "dilation": 2}),
        ((0, 12, 9), {"output_size": (4, 4), "kernel_size": 2}),
    ],
)
def test_fold_values_match_torch(shape, options):
    x = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    out = F.fold(Tensor(x), **options)
    np.testing.assert_array_equal(out.data, TF.fold(torch.tensor(x), **options).numpy())
    assert repr(nn.Fold(**options)) == repr(T.Fold(**options))
