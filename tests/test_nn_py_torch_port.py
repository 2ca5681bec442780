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
* ``eps=0``: ``batch_norm`` refuses it in training (a documented check); a constant channel with ``eps=0`` gives
  nan (0/0, IEEE) in ``instance_norm`` where torch's kernel special-cases 1/sqrt(0) to 0;
* huge inputs (|x| ~ 1e200 in float64): ours normalise them (the overflow fallback rescales), torch's kernels give
  nan, so those cases check ours against the shift- and scale-invariance of normalization instead of torch;
* ``Upsample(size=..., scale_factor=...)`` is refused when built here, at the first forward in torch;
* torch's incidental error classes where its argument checks are missing (IndexError from ``unfold`` of a 2-D
  input, ZeroDivisionError from ``group_norm`` with 0 groups, TypeError from ``ParameterDict()`` called,
  AttributeError or KeyError from the old ``weight_norm``/``spectral_norm`` given a missing name): ours raise
  ValueError or TypeError naming the argument;
* error texts: ours name the function and the offending value in our own words, so only the classes are compared.
"""

import copy
import math
import re
from collections import OrderedDict

import numpy as np
import pytest

import autograd
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


@pytest.mark.parametrize("cls_name, shape", INSTANCE_NORMS)
def test_instance_norm_channel_mismatch_of_an_unbatched_input_names_its_axis_0(cls_name, shape):
    # the channels of an unbatched (C, ...) input are on axis 0: torch's warning says dim=0; ours said dim=1 and
    # reported the shape with the batch axis it adds internally
    unbatched = np.ones((2, *shape[2:]), dtype=np.float32)
    with pytest.warns(UserWarning, match=r"size at dim=0 \(2\) does not match num_features \(3\)"):
        getattr(nn, cls_name)(3)(Tensor(unbatched))
    with pytest.warns(UserWarning, match="size at dim=0 does not match num_features"):
        getattr(T, cls_name)(3)(torch.ones(unbatched.shape))
    with pytest.raises(ValueError, match=re.escape(f"input of shape {unbatched.shape} has 2 channels (axis 0)")):
        getattr(nn, cls_name)(3, affine=True)(Tensor(unbatched))
    with pytest.warns(UserWarning, match=r"size at dim=1 \(2\) does not match num_features \(3\)"):
        getattr(nn, cls_name)(3)(Tensor(unbatched[None]))


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


@pytest.mark.parametrize("value", [1e200, -1e200, 3e250])
@pytest.mark.parametrize(
    "normalize",
    [
        lambda x: F.group_norm(x, 1),
        lambda x: F.group_norm(x, 2),
        lambda x: F.layer_norm(x, (3, 4)),
        lambda x: nn.GroupNorm(1, 4, dtype=np.float64)(x),
    ],
)
def test_normalizing_a_huge_constant_group_gives_zeros_and_a_shift_invariant_gradient(value, normalize):
    # x - mean is 0 exactly; the mean of 12 or more copies of 1e200 rounds an ulp off, an ulp whose square
    # overflows float64: ours gave 1 (the ulp over itself) there (torch's kernels give nan). The gradient is the one
    # at any constant input, 1 say, as normalization is shift-invariant
    upstream = np.random.default_rng(17).standard_normal((2, 4, 3, 4))
    huge, one = (
        Tensor(np.full(upstream.shape, value), requires_grad=True),
        Tensor(np.ones(upstream.shape), requires_grad=True),
    )
    out = normalize(huge)
    np.testing.assert_array_equal(out.data, np.zeros(upstream.shape))
    out.backward(upstream)
    normalize(one).backward(upstream)
    np.testing.assert_allclose(huge.grad, one.grad, rtol=1e-12, atol=1e-12)


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


SECOND_ORDER = {
    "batch_norm": (lambda lib, x, w, b: lib.batch_norm(x, None, None, w, b, training=True), (4, 3, 2)),
    "instance_norm": (lambda lib, x, w, b: lib.instance_norm(x, weight=w, bias=b), (2, 3, 4)),
    "group_norm": (lambda lib, x, w, b: lib.group_norm(x, 3, w, b), (2, 3, 4)),
    "layer_norm": (lambda lib, x, w, b: lib.layer_norm(x, (2,), w[:2], b[:2]), (4, 3, 2)),
    "local_response_norm": (lambda lib, x, w, b: lib.local_response_norm(x, 2) * w[:, None] + b[:, None], (2, 3, 4)),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_normalization_double_backward_matches_torch(name):
    # upstream's gradgradcheck of the normalization layers: the gradient of <grad_x(<y, u>), v> for x, weight, bias
    function, shape = SECOND_ORDER[name]
    rng = np.random.default_rng(16)
    x, weight, bias = rng.standard_normal(shape), rng.standard_normal(shape[1]), rng.standard_normal(shape[1])
    upstream, direction = rng.standard_normal(shape), rng.standard_normal(shape)
    ours = [Tensor(value, requires_grad=True) for value in (x, weight, bias)]
    (grad,) = autograd.grad((function(F, *ours) * Tensor(upstream)).sum(), [ours[0]], create_graph=True)
    (grad * Tensor(direction)).sum().backward()
    theirs = [torch.tensor(value, requires_grad=True) for value in (x, weight, bias)]
    (expected,) = torch.autograd.grad(
        (function(TF, *theirs) * torch.tensor(upstream)).sum(), [theirs[0]], create_graph=True
    )
    (expected * torch.tensor(direction)).sum().backward()
    np.testing.assert_allclose(grad.data, _np(expected), rtol=1e-9, atol=1e-11)
    for mine, torchs in zip(ours, theirs):
        reference = np.zeros(mine.shape) if torchs.grad is None else _np(torchs.grad)  # (torch: None for no path)
        np.testing.assert_allclose(np.zeros(mine.shape) if mine.grad is None else mine.grad, reference, atol=1e-9)


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


# ---------------------------------------------------------------------------------------------------------------
# 4. nn.utils

GRAD_SHAPES = [(3, 4), (5,), (2, 2)]


def _parameters_with_gradients(gradients):
    ours, theirs = [], []
    for index, gradient in enumerate(gradients):
        value = np.random.default_rng(40 + index).standard_normal(GRAD_SHAPES[index])
        mine, torchs = nn.Parameter(value.copy()), T.Parameter(torch.tensor(value))
        if gradient is not None:
            mine.grad, torchs.grad = (
                np.array(gradient, dtype=np.float64),
                torch.tensor(np.array(gradient, dtype=np.float64)),
            )
        ours.append(mine)
        theirs.append(torchs)
    return ours, theirs


def _gradients(seed=41, scale=1.0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) * scale for shape in GRAD_SHAPES]


@pytest.mark.parametrize("norm_type", [2, 1, 0.5, 3, math.inf, -math.inf, 0, "2", "inf"])
@pytest.mark.parametrize("max_norm", [1.0, 0.0, 1e-9, 100.0])
@pytest.mark.parametrize("foreach", [None, True, False])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, foreach):
    ours, theirs = _parameters_with_gradients(_gradients())
    total = U.clip_grad_norm_(ours, max_norm, norm_type=norm_type, foreach=foreach)
    expected = TU.clip_grad_norm_(theirs, max_norm, norm_type=norm_type, foreach=foreach)
    np.testing.assert_allclose(float(total), float(expected), rtol=1e-12)
    for mine, torchs in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, _np(torchs.grad), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("norm_type", [2, math.inf, 1])
def test_clip_grad_norm_with_a_non_finite_gradient_matches_torch(bad, norm_type):
    gradients = _gradients(42)
    gradients[1][0] = bad
    ours, theirs = _parameters_with_gradients(gradients)
    before = [np.array(p.grad) for p in ours]
    _assert_same_error(
        lambda: U.clip_grad_norm_(ours, 1.0, norm_type=norm_type, error_if_nonfinite=True),
        lambda: TU.clip_grad_norm_(theirs, 1.0, norm_type=norm_type, error_if_nonfinite=True),
    )
    for mine, original in zip(ours, before):  # the refused call changed nothing
        np.testing.assert_array_equal(mine.grad, original)
    total = U.clip_grad_norm_(ours, 1.0, norm_type=norm_type)
    expected = TU.clip_grad_norm_(theirs, 1.0, norm_type=norm_type)
    np.testing.assert_allclose(float(total), float(expected), rtol=1e-12)
    for mine, torchs in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, _np(torchs.grad), rtol=1e-12, equal_nan=True)


def test_clip_grad_norm_skips_parameters_without_gradients_and_takes_one_tensor_or_a_generator():
    ours, theirs = _parameters_with_gradients([None, *_gradients(43)[1:]])
    np.testing.assert_allclose(
        float(U.clip_grad_norm_(iter(ours), 0.5)), float(TU.clip_grad_norm_(iter(theirs), 0.5)), rtol=1e-12
    )
    assert ours[0].grad is None and theirs[0].grad is None
    for mine, torchs in zip(ours[1:], theirs[1:]):
        np.testing.assert_allclose(mine.grad, _np(torchs.grad), rtol=1e-12)
    np.testing.assert_allclose(float(U.clip_grad_norm_(ours[1], 0.1)), float(TU.clip_grad_norm_(theirs[1], 0.1)))
    np.testing.assert_allclose(ours[1].grad, _np(theirs[1].grad), rtol=1e-12)
    none_ours, none_theirs = _parameters_with_gradients([None, None, None])
    assert float(U.clip_grad_norm_(none_ours, 1.0)) == float(TU.clip_grad_norm_(none_theirs, 1.0)) == 0.0
    assert float(U.clip_grad_norm_([], 1.0)) == float(TU.clip_grad_norm_([], 1.0)) == 0.0


def test_clip_grad_norm_total_norm_has_the_gradients_dtype():
    ours = nn.Parameter(np.ones(3, dtype=np.float32))
    ours.grad = np.full(3, 2.0, dtype=np.float32)
    theirs = T.Parameter(torch.ones(3))
    theirs.grad = torch.full((3,), 2.0)
    total, expected = U.clip_grad_norm_([ours], 1.0), TU.clip_grad_norm_([theirs], 1.0)
    assert np.dtype(total.dtype) == np.float32 and expected.dtype == torch.float32
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("clip_value", [0.5, 0.0, 2, math.inf])
@pytest.mark.parametrize("foreach", [None, True, False])
def test_clip_grad_value_matches_torch(clip_value, foreach):
    ours, theirs = _parameters_with_gradients([None, *_gradients(44, scale=2.0)[1:]])
    assert U.clip_grad_value_(ours, clip_value, foreach=foreach) is None
    TU.clip_grad_value_(theirs[1:], clip_value, foreach=foreach)  # (torch's foreach path refuses an empty list)
    assert ours[0].grad is None
    for mine, torchs in zip(ours[1:], theirs[1:]):
        np.testing.assert_array_equal(mine.grad, _np(torchs.grad))


def test_parameters_to_vector_and_back_match_torch_with_gradients():
    rng = np.random.default_rng(45)
    values = [rng.standard_normal(shape) for shape in [(2, 3), (4,), (1, 1, 2)]]
    ours = [nn.Parameter(value.copy()) for value in values]
    theirs = [T.Parameter(torch.tensor(value)) for value in values]
    vector, expected = U.parameters_to_vector(ours), TU.parameters_to_vector(theirs)
    np.testing.assert_array_equal(vector.data, _np(expected))
    weights = rng.standard_normal(12)
    (vector * Tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    for mine, torchs in zip(ours, theirs):
        np.testing.assert_array_equal(mine.grad, _np(torchs.grad))
    new = rng.standard_normal(12)
    U.vector_to_parameters(Tensor(new), ours)
    TU.vector_to_parameters(torch.tensor(new), theirs)
    for mine, torchs in zip(ours, theirs):
        np.testing.assert_array_equal(mine.data, _np(torchs))
        assert isinstance(mine, nn.Parameter) and mine.requires_grad


def test_vector_to_parameters_fills_a_modules_parameters_in_order_as_torch():
    ours, theirs = nn.Linear(3, 2), T.Linear(3, 2)
    U.vector_to_parameters(Tensor(np.arange(8, dtype=np.float32)), ours.parameters())
    TU.vector_to_parameters(torch.arange(8.0), theirs.parameters())
    np.testing.assert_array_equal(ours.weight.data, _np(theirs.weight))
    np.testing.assert_array_equal(ours.bias.data, _np(theirs.bias))


def test_vector_to_parameters_refuses_a_non_tensor_or_a_short_vector_and_an_empty_list():
    ours, theirs = _parameters_with_gradients([None] * 3)
    _assert_same_error(
        lambda: U.vector_to_parameters(np.ones(21), ours), lambda: TU.vector_to_parameters(np.ones(21), theirs)
    )
    _assert_same_error(
        lambda: U.vector_to_parameters(Tensor(np.ones(5)), ours),
        lambda: TU.vector_to_parameters(torch.ones(5, dtype=torch.float64), theirs),
    )
    _assert_same_error(lambda: U.parameters_to_vector([]), lambda: TU.parameters_to_vector([]))


def _linear(library):
    weight = np.arange(12.0).reshape(4, 3) / 7 - 0.5
    if library is nn:
        layer = nn.Linear(3, 4, dtype=np.float64)
        layer.weight.data, layer.bias.data = weight.copy(), np.zeros(4)
        return layer
    layer = T.Linear(3, 4).double()
    layer.weight.data, layer.bias.data = torch.tensor(weight), torch.zeros(4, dtype=torch.float64)
    return layer


@pytest.mark.parametrize("dim", [0, 1, -1, None])
def test_old_weight_norm_parameters_values_and_gradients_match_torch(dim):
    with pytest.warns(FutureWarning):  # deprecated in favour of the parametrization, by both
        ours = U.weight_norm(_linear(nn), dim=dim)
    with pytest.warns(FutureWarning):
        theirs = TU.weight_norm(_linear(T), dim=dim)
    assert sorted(name for name, _ in ours.named_parameters()) == sorted(name for name, _ in theirs.named_parameters())
    np.testing.assert_allclose(ours.weight_g.data, _np(theirs.weight_g), rtol=1e-12)
    rng = np.random.default_rng(46)
    x, upstream = rng.standard_normal((2, 3)), rng.standard_normal((2, 4))
    out, expected = ours(Tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(out.data, _np(expected), rtol=1e-12, atol=1e-14)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(ours.weight_g.grad, _np(theirs.weight_g.grad), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.weight_v.grad, _np(theirs.weight_v.grad), rtol=1e-10, atol=1e-12)
    U.remove_weight_norm(ours)
    TU.remove_weight_norm(theirs)
    assert sorted(name for name, _ in ours.named_parameters()) == ["bias", "weight"]
    np.testing.assert_allclose(ours.weight.data, _np(theirs.weight), rtol=1e-12)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_parametrized_weight_norm_values_gradients_and_state_match_torch(dim):
    ours = U.parametrizations.weight_norm(_linear(nn), dim=dim)
    theirs = TU.parametrizations.weight_norm(_linear(T), dim=dim)
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    rng = np.random.default_rng(47)
    x, upstream = rng.standard_normal((2, 3)), rng.standard_normal((2, 4))
    out, expected = ours(Tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(out.data, _np(expected), rtol=1e-12, atol=1e-14)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    for name in ("original0", "original1"):
        mine = getattr(ours.parametrizations.weight, name)
        np.testing.assert_allclose(mine.grad, _np(getattr(theirs.parametrizations.weight, name).grad), rtol=1e-10)


def test_weight_norm_and_spectral_norm_refuse_a_second_application_and_removal_of_none():
    with pytest.warns(FutureWarning):
        _assert_same_error(
            lambda: U.weight_norm(U.weight_norm(_linear(nn))), lambda: TU.weight_norm(TU.weight_norm(_linear(T)))
        )
    _assert_same_error(lambda: U.remove_weight_norm(_linear(nn)), lambda: TU.remove_weight_norm(_linear(T)))
    _assert_same_error(
        lambda: U.spectral_norm(U.spectral_norm(_linear(nn))), lambda: TU.spectral_norm(TU.spectral_norm(_linear(T)))
    )
    _assert_same_error(lambda: U.remove_spectral_norm(_linear(nn)), lambda: TU.remove_spectral_norm(_linear(T)))
    _assert_same_error(
        lambda: U.spectral_norm(_linear(nn), n_power_iterations=0),
        lambda: TU.spectral_norm(_linear(T), n_power_iterations=0),
    )


@pytest.mark.parametrize("function", ["weight_norm", "spectral_norm", "orthogonal"])
@pytest.mark.parametrize("target", ["a missing name", "a parameter, not a module"])
def test_parametrizations_refuse_a_missing_tensor_with_torchs_value_error(function, target):
    # torch: "Module ... has no parameter or buffer with name 'foo'"; ours was a bare AttributeError from getattr
    def call(lib):
        if target == "a missing name":
            return getattr(lib.utils.parametrizations, function)(lib.Linear(2, 2), name="foo")
        parameter = nn.Parameter(np.ones((2, 2))) if lib is nn else T.Parameter(torch.ones(2, 2))
        return getattr(lib.utils.parametrizations, function)(parameter)

    if (function, target) != ("weight_norm", "a parameter, not a module"):  # (torch's own AttributeError there)
        _assert_same_error(lambda: call(nn), lambda: call(T))
    with pytest.raises(ValueError, match=f"{function}: .* has no parameter or buffer named '(foo|weight)'"):
        call(nn)


def test_spectral_norm_members_and_state_keys_match_torch():
    ours, theirs = U.spectral_norm(_linear(nn)), TU.spectral_norm(_linear(T))
    assert sorted(n for n, _ in ours.named_parameters()) == sorted(n for n, _ in theirs.named_parameters())
    assert sorted(n for n, _ in ours.named_buffers()) == sorted(n for n, _ in theirs.named_buffers())
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    U.remove_spectral_norm(ours)
    TU.remove_spectral_norm(theirs)
    assert sorted(n for n, _ in ours.named_parameters()) == sorted(n for n, _ in theirs.named_parameters())
    ours, theirs = U.parametrizations.spectral_norm(_linear(nn)), TU.parametrizations.spectral_norm(_linear(T))
    assert sorted(ours.state_dict()) == sorted(theirs.state_dict())
    assert repr(U.parametrizations.spectral_norm(nn.BatchNorm1d(3))) == repr(
        TU.parametrizations.spectral_norm(T.BatchNorm1d(3))
    )


@pytest.mark.parametrize("parametrized", [False, True])
@pytest.mark.parametrize("dim", [0, 1])
def test_spectral_norm_loaded_from_torch_state_follows_its_power_iteration(parametrized, dim):
    # upstream's test_spectral_norm_load_state_dict / _forward: with torch's u (and v) loaded, each training-mode
    # forward runs the same power iteration, eval mode reuses the vectors, and the gradients agree
    ours_apply = U.parametrizations.spectral_norm if parametrized else U.spectral_norm
    theirs_apply = TU.parametrizations.spectral_norm if parametrized else TU.spectral_norm
    ours, theirs = ours_apply(_linear(nn), dim=dim), theirs_apply(_linear(T), dim=dim)
    theirs(torch.ones(1, 3, dtype=torch.float64))
    ours.load_state_dict({key: _np(value).copy() for key, value in theirs.state_dict().items()})
    rng = np.random.default_rng(48)
    for training in (True, False, True):
        ours.train(training), theirs.train(training)
        x = rng.standard_normal((2, 3))
        np.testing.assert_allclose(ours(Tensor(x)).data, _np(theirs(torch.tensor(x))), rtol=1e-10, atol=1e-13)
    x, upstream = rng.standard_normal((2, 3)), rng.standard_normal((2, 4))
    ours(Tensor(x)).backward(upstream)
    theirs(torch.tensor(x)).backward(torch.tensor(upstream))
    ours_parameters, theirs_parameters = dict(ours.named_parameters()), dict(theirs.named_parameters())
    assert sorted(ours_parameters) == sorted(theirs_parameters)
    for key, parameter in ours_parameters.items():
        np.testing.assert_allclose(parameter.grad, _np(theirs_parameters[key].grad), rtol=1e-9, atol=1e-12)


def test_spectral_norm_divides_by_the_largest_singular_value_after_enough_iterations():
    # an independent check: the converged power iteration gives W / sigma_max (numpy's SVD)
    layer = U.parametrizations.spectral_norm(_linear(nn), n_power_iterations=200)
    weight = np.arange(12.0).reshape(4, 3) / 7 - 0.5
    np.testing.assert_allclose(layer.weight.data, weight / np.linalg.svd(weight, compute_uv=False)[0], rtol=1e-8)


# ---------------------------------------------------------------------------------------------------------------
# 5. module utilities


def _names(modules):
    return [type(module).__name__ for module in modules]


def _five(library):
    return [library.ReLU(), library.Tanh(), library.Sigmoid(), library.Identity(), library.ELU()]


SEQUENTIAL_OPERATIONS = {
    "slice": lambda s, lib: (type(s[1:4]).__name__, _names(s[1:4]), list(s[1:4]._modules)),
    "step slice": lambda s, lib: (_names(s[::2]), list(s[::2]._modules)),
    "negative index": lambda s, lib: type(s[-1]).__name__,
    "delete slice": lambda s, lib: (s.__delitem__(slice(1, 3)), _names(s), list(s._modules))[1:],
    "delete step slice": lambda s, lib: (s.__delitem__(slice(None, None, 2)), _names(s), list(s._modules))[1:],
    "delete negative": lambda s, lib: (s.__delitem__(-1), _names(s), list(s._modules))[1:],
    "set negative": lambda s, lib: (s.__setitem__(-2, lib.GELU()), _names(s), list(s._modules))[1:],
    "insert": lambda s, lib: (s.insert(1, lib.GELU()), _names(s), list(s._modules))[1:],
    "insert negative": lambda s, lib: (s.insert(-1, lib.GELU()), _names(s), list(s._modules))[1:],
    "insert at end": lambda s, lib: (s.insert(5, lib.GELU()), _names(s))[1:],
    "append returns self": lambda s, lib: (s.append(lib.GELU()) is s, _names(s)),
    "extend": lambda s, lib: (s.extend([lib.GELU(), lib.ReLU6()]) is s, _names(s), list(s._modules)),
    "pop": lambda s, lib: (type(s.pop(1)).__name__, _names(s), list(s._modules)),
    "pop negative": lambda s, lib: (type(s.pop(-1)).__name__, _names(s)),
    "add": lambda s, lib: (_names(s + lib.Sequential(lib.GELU())), list((s + lib.Sequential(lib.GELU()))._modules)),
    "iadd": lambda s, lib: (s.__iadd__(lib.Sequential(lib.GELU())) is s, _names(s)),
    "mul": lambda s, lib: (_names(s[:2] * 2), list((s[:2] * 2)._modules)),
    "rmul": lambda s, lib: _names(2 * s[:2]),
    "imul": lambda s, lib: (lambda head: (head.__imul__(2) is head, _names(head)))(s[:2]),
    "len and membership": lambda s, lib: (len(s), s[0] in s, bool(lib.Sequential())),
    "reversed": lambda s, lib: _names(reversed(s)),
    "digit names in dir": lambda s, lib: sorted(k for k in dir(s) if k.isdigit()),
}


@pytest.mark.parametrize("operation", sorted(SEQUENTIAL_OPERATIONS))
def test_sequential_operations_match_torch(operation):
    act = SEQUENTIAL_OPERATIONS[operation]
    assert act(nn.Sequential(*_five(nn)), nn) == act(T.Sequential(*_five(T)), T)


SEQUENTIAL_ERRORS = {
    "index out of range": lambda s, lib: s[5],
    "negative index out of range": lambda s, lib: s[-6],
    "set out of range": lambda s, lib: s.__setitem__(7, lib.GELU()),
    "insert out of range": lambda s, lib: s.insert(7, lib.GELU()),
    "pop out of range": lambda s, lib: s.pop(9),
    "add a module": lambda s, lib: s + lib.GELU(),
    "mul negative": lambda s, lib: s * -1,
    "mul zero": lambda s, lib: s * 0,
    "imul zero": lambda s, lib: s.__imul__(0),
    "mul float": lambda s, lib: s * 2.0,
}


@pytest.mark.parametrize("operation", sorted(SEQUENTIAL_ERRORS))
def test_sequential_refuses_what_torch_refuses(operation):
    act = SEQUENTIAL_ERRORS[operation]
    _assert_same_error(lambda: act(nn.Sequential(*_five(nn)), nn), lambda: act(T.Sequential(*_five(T)), T))


def test_sequential_built_from_an_ordered_dict_keeps_its_names_as_torch():
    def build(lib):
        return lib.Sequential(OrderedDict([("a", lib.ReLU()), ("b", lib.Tanh()), ("c", lib.GELU())]))

    for act in (
        lambda s, lib: list(s._modules),
        lambda s, lib: list(s[1:]._modules),
        lambda s, lib: (s.__delitem__(0), list(s._modules))[1],
        lambda s, lib: (s.append(lib.ELU()), list(s._modules))[1],
        lambda s, lib: (s.pop(0), list(s._modules))[1],
        lambda s, lib: repr(s),
    ):
        assert act(build(nn), nn) == act(build(T), T)


MODULE_LIST_OPERATIONS = {
    "slice": lambda m, lib: (type(m[1:3]).__name__, _names(m[1:3])),
    "delete": lambda m, lib: (m.__delitem__(1), _names(m), list(m._modules))[1:],
    "delete slice": lambda m, lib: (m.__delitem__(slice(0, 4, 2)), _names(m), list(m._modules))[1:],
    "set negative": lambda m, lib: (m.__setitem__(-1, lib.GELU()), _names(m))[1:],
    "insert": lambda m, lib: (m.insert(2, lib.GELU()), _names(m), list(m._modules))[1:],
    "extend a tuple": lambda m, lib: (m.extend((lib.GELU(),)) is m, _names(m)),
    "pop": lambda m, lib: (type(m.pop(1)).__name__, _names(m), list(m._modules)),
    "add": lambda m, lib: (type(m + lib.ModuleList([lib.GELU()])).__name__, _names(m + [lib.GELU()])),
    "iadd": lambda m, lib: (m.__iadd__([lib.GELU()]) is m, _names(m)),
    "repr groups repeats": lambda m, lib: repr(
        lib.ModuleList([lib.Linear(2, 3), lib.Linear(2, 3), lib.Linear(2, 4), lib.ReLU(), lib.ReLU()])
    ),
}


@pytest.mark.parametrize("operation", sorted(MODULE_LIST_OPERATIONS))
def test_module_list_operations_match_torch(operation):
    act = MODULE_LIST_OPERATIONS[operation]
    assert act(nn.ModuleList(_five(nn)), nn) == act(T.ModuleList(_five(T)), T)


@pytest.mark.parametrize(
    "act",
    [
        lambda m, lib: m[5],
        lambda m, lib: m.__setitem__(0, 3),
        lambda m, lib: m.extend(lib.GELU()),
        lambda m, lib: m * 2,
        lambda m, lib: m(1),
    ],
)
def test_module_list_refuses_what_torch_refuses(act):
    _assert_same_error(lambda: act(nn.ModuleList(_five(nn)), nn), lambda: act(T.ModuleList(_five(T)), T))


def _module_dict(lib):
    return lib.ModuleDict({"a": lib.ReLU(), "b": lib.Tanh(), "c": lib.GELU()})


MODULE_DICT_OPERATIONS = {
    "items": lambda d, lib: [(key, type(value).__name__) for key, value in d.items()],
    "pop": lambda d, lib: (type(d.pop("b")).__name__, list(d)),
    "delete": lambda d, lib: (d.__delitem__("a"), list(d))[1],
    "clear": lambda d, lib: (d.clear(), len(d))[1],
    "update a dict": lambda d, lib: (d.update({"d": lib.ELU(), "a": lib.ReLU6()}), list(d), _names(d.values()))[1:],
    "update pairs": lambda d, lib: (d.update([("z", lib.ELU()), ("y", lib.ReLU6())]), list(d))[1],
    "update a module dict": lambda d, lib: (d.update(lib.ModuleDict({"q": lib.ELU()})), list(d))[1],
    "membership": lambda d, lib: ("a" in d, "z" in d),
    "repr": lambda d, lib: repr(d),
}


@pytest.mark.parametrize("operation", sorted(MODULE_DICT_OPERATIONS))
def test_module_dict_operations_match_torch(operation):
    act = MODULE_DICT_OPERATIONS[operation]
    assert act(_module_dict(nn), nn) == act(_module_dict(T), T)


@pytest.mark.parametrize(
    "act",
    [
        lambda d, lib: d.pop("z"),
        lambda d, lib: d.update([("a", lib.ELU(), 3)]),
        lambda d, lib: d.update(3),
        lambda d, lib: d.update([3]),
        lambda d, lib: d["z"],
        lambda d, lib: d.__setitem__("x", 3),
        lambda d, lib: d.__setitem__("a.b", lib.ReLU()),
        lambda d, lib: d.__setitem__("", lib.ReLU()),
        lambda d, lib: d.__setitem__("training", lib.ReLU()),
    ],
)
def test_module_dict_refuses_what_torch_refuses(act):
    _assert_same_error(lambda: act(_module_dict(nn), nn), lambda: act(_module_dict(T), T))


def _parameter(lib, *shape):
    return nn.Parameter(np.ones(shape)) if lib is nn else T.Parameter(torch.ones(shape, dtype=torch.float64))


def _plain(lib, *shape):
    return Tensor(np.ones(shape)) if lib is nn else torch.ones(shape, dtype=torch.float64)


def _shapes(items):
    return [tuple(item.shape) if hasattr(item, "shape") else item for item in items]


PARAMETER_LIST_OPERATIONS = {
    "slice": lambda p, lib: (type(p[1:]).__name__, _shapes(p[1:])),
    "append a plain tensor makes a parameter": lambda p, lib: (
        p.append(_plain(lib, 5)) is p,
        type(p[-1]).__name__,
        p[-1].requires_grad,
    ),
    "append an object": lambda p, lib: (p.append("hi"), p[-1], len(list(p.parameters())))[1:],
    "extend": lambda p, lib: (p.extend([_parameter(lib, 6)]) is p, _shapes(p)),
    "iadd": lambda p, lib: (p.__iadd__([_parameter(lib, 6)]) is p, _shapes(p)),
    "set negative": lambda p, lib: (
        p.__setitem__(-1, _parameter(lib, 7)),
        _shapes(p),
        [n for n, _ in p.named_parameters()],
    )[1:],
    "set a plain tensor": lambda p, lib: (p.__setitem__(0, _plain(lib, 7)), type(p[0]).__name__)[1],
    "names and state": lambda p, lib: ([n for n, _ in p.named_parameters()], list(p.state_dict())),
    "repr": lambda p, lib: repr(p),
    "repr with an object": lambda p, lib: (p.append(3), repr(p))[1],
}


@pytest.mark.parametrize("operation", sorted(PARAMETER_LIST_OPERATIONS))
def test_parameter_list_operations_match_torch(operation):
    act = PARAMETER_LIST_OPERATIONS[operation]

    def build(lib):
        return lib.ParameterList([_parameter(lib, 2), _parameter(lib, 3, 1), _parameter(lib, 4)])

    assert act(build(nn), nn) == act(build(T), T)


def _parameter_dict(lib):
    return lib.ParameterDict({"a": _parameter(lib, 2), "b": _parameter(lib, 3), "c": _parameter(lib, 1)})


PARAMETER_DICT_OPERATIONS = {
    "items": lambda d, lib: [(key, tuple(value.shape)) for key, value in d.items()],
    "pop": lambda d, lib: (tuple(d.pop("b").shape), list(d)),
    "popitem": lambda d, lib: (d.popitem()[0], list(d)),
    "get": lambda d, lib: (d.get("z"), d.get("z", 3), tuple(d.get("a").shape)),
    "fromkeys": lambda d, lib: (lambda q: (type(q).__name__, list(q), _shapes(q.values())))(
        d.fromkeys(["x", "y"], _parameter(lib, 2))
    ),
    "setdefault": lambda d, lib: (
        tuple(d.setdefault("a", _parameter(lib, 9)).shape),
        tuple(d.setdefault("z", _parameter(lib, 9)).shape),
        list(d),
    ),
    "copy": lambda d, lib: (lambda q: (type(q).__name__, list(q), q["a"] is d["a"]))(d.copy()),
    "or": lambda d, lib: (lambda q: (type(q).__name__, list(q), tuple(q["a"].shape)))(
        d | lib.ParameterDict({"z": _parameter(lib, 1), "a": _parameter(lib, 5)})
    ),
    "ror": lambda d, lib: (lambda q: (list(q), tuple(q["a"].shape)))(lib.ParameterDict({"a": _parameter(lib, 5)}) | d),
    "ior": lambda d, lib: (d.__ior__(lib.ParameterDict({"z": _parameter(lib, 1)})) is d, list(d)),
    "update": lambda d, lib: (
        d.update({"z": _parameter(lib, 1), "a": _parameter(lib, 6)}),
        list(d),
        tuple(d["a"].shape),
    )[1:],
    "set a plain tensor": lambda d, lib: (
        d.__setitem__("t", _plain(lib, 2)),
        type(d["t"]).__name__,
        d["t"].requires_grad,
    )[1:],
    "set an object": lambda d, lib: (d.__setitem__("o", "hi"), d["o"], len(list(d.parameters())))[1:],
    "delete and clear": lambda d, lib: (d.__delitem__("a"), list(d), d.clear(), len(d))[1::2],
    "reversed": lambda d, lib: list(reversed(d)),
    "names and state": lambda d, lib: ([n for n, _ in d.named_parameters()], list(d.state_dict())),
    "repr": lambda d, lib: repr(d),
}


@pytest.mark.parametrize("operation", sorted(PARAMETER_DICT_OPERATIONS))
def test_parameter_dict_operations_match_torch(operation):
    act = PARAMETER_DICT_OPERATIONS[operation]
    assert act(_parameter_dict(nn), nn) == act(_parameter_dict(T), T)


@pytest.mark.parametrize(
    "act",
    [
        lambda d, lib: d.pop("z"),
        lambda d, lib: lib.ParameterDict().popitem(),
        lambda d, lib: d.update(1),
        lambda d, lib: d.update([1]),
        lambda d, lib: d.update([("z", _parameter(lib, 1), 1)]),
        lambda d, lib: d.__setitem__(1, _parameter(lib, 1)),
        lambda d, lib: d["zz"],
    ],
)
def test_parameter_dict_refuses_what_torch_refuses(act):
    _assert_same_error(lambda: act(_parameter_dict(nn), nn), lambda: act(_parameter_dict(T), T))


def _shared(lib):
    layer = lib.Linear(2, 2)
    return lib.Sequential(layer, lib.ReLU(), layer, lib.Sequential(layer))


@pytest.mark.parametrize(
    "act",
    [
        lambda m: [n for n, _ in m.named_modules()],
        lambda m: [n for n, _ in m.named_modules(remove_duplicate=False)],
        lambda m: [n for n, _ in m.named_modules(prefix="x")],
        lambda m: [n for n, _ in m.named_modules(prefix="x", remove_duplicate=False)],
        lambda m: [n for n, _ in m.named_parameters()],
        lambda m: [n for n, _ in m.named_parameters(remove_duplicate=False)],
        lambda m: [n for n, _ in m.named_parameters(recurse=False)],
        lambda m: [n for n, _ in m.named_children()],
        lambda m: len(list(m.modules())),
        lambda m: len(list(m.parameters())),
    ],
)
def test_shared_modules_are_named_as_torch_names_them(act):
    assert act(_shared(nn)) == act(_shared(T))


def test_named_buffers_with_a_prefix_match_torch():
    ours = nn.Sequential(nn.BatchNorm1d(2), nn.BatchNorm1d(2))
    theirs = T.Sequential(T.BatchNorm1d(2), T.BatchNorm1d(2))
    assert [n for n, _ in ours.named_buffers(prefix="p")] == [n for n, _ in theirs.named_buffers(prefix="p")]


def test_apply_visits_children_before_parents_and_returns_self():
    def visit(lib):
        model = lib.Sequential(lib.Linear(2, 2), lib.Sequential(lib.ReLU(), lib.Tanh()))
        seen = []
        return model.apply(lambda module: seen.append(type(module).__name__)) is model, seen

    assert visit(nn) == visit(T)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad_matches_torch(set_to_none):
    def run(lib):
        layer = lib.Linear(2, 2)
        x = Tensor(np.ones((1, 2), dtype=np.float32)) if lib is nn else torch.ones(1, 2)
        layer(x).sum().backward()
        layer.zero_grad(set_to_none=set_to_none)
        return [None if p.grad is None else float(np.abs(np.asarray(p.grad)).sum()) for p in layer.parameters()]

    assert run(nn) == run(T)


@pytest.mark.parametrize("flag", [True, False])
def test_requires_grad_sets_parameters_only_and_returns_self(flag):
    def run(lib):
        model = lib.Sequential(lib.Linear(2, 2), lib.BatchNorm1d(2))
        result = model.requires_grad_(False).requires_grad_(flag)
        return (
            result is model,
            [p.requires_grad for p in model.parameters()],
            [b.requires_grad for b in model.buffers()],
        )

    assert run(nn) == run(T)


def test_extra_repr_lines_are_placed_as_torch_places_them():
    def reprs(lib):
        class WithChild(lib.Module):
            def __init__(self):
                super().__init__()
                self.child = lib.Linear(1, 1)

            def extra_repr(self):
                return "a=1\nb=2"

        class OneLine(lib.Module):
            def extra_repr(self):
                return "x=3"

        class TwoLines(lib.Module):
            def extra_repr(self):
                return "x=3\ny=4"

        nested = lib.Sequential(lib.Sequential(lib.Linear(1, 2)), lib.ModuleDict({"a": lib.ReLU()}))
        return repr(WithChild()), repr(OneLine()), repr(TwoLines()), repr(lib.Sequential()), repr(nested)

    assert reprs(nn) == reprs(T)


def test_deepcopy_keeps_shared_modules_and_parameters_shared_as_torch():
    def run(lib):
        shared = lib.Sequential(*([lib.Linear(1, 1)] * 2))
        first, second = lib.Linear(1, 1), lib.Linear(1, 1)
        second.weight = first.weight
        tied = copy.deepcopy(lib.Sequential(first, second))
        copied = copy.deepcopy(shared)
        return copied[0] is copied[1], tied[0].weight is tied[1].weight

    assert run(nn) == run(T) == (True, True)
