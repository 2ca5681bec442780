"""Tests for batch normalisation: functional batch_norm and the BatchNorm1d/2d layers
(numpy formula, finite differences, torch oracle, running statistics, errors)."""

import warnings

import numpy as np
import pytest
from hypothesis import given

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.testing import arrays, shapes

CASES = [(nn.BatchNorm1d, (8, 3)), (nn.BatchNorm1d, (6, 3, 5)), (nn.BatchNorm2d, (4, 3, 5, 2))]


def _reference(x, weight, bias, eps=1e-5):
    axes = (0, *range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    normalised = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    return normalised * weight.reshape(shape) + bias.reshape(shape)


def _layer(cls, channels, rng=0):
    layer = cls(channels, dtype=np.float64)
    generator = np.random.default_rng(rng)
    layer.weight.data = generator.uniform(0.5, 2.0, channels)
    layer.bias.data = generator.normal(size=channels)
    return layer


@pytest.mark.parametrize(("cls", "shape"), CASES)
def test_training_output_normalises_each_channel_with_batch_statistics(cls, shape):
    layer = _layer(cls, shape[1])
    x = np.random.default_rng(1).normal(3.0, 2.0, size=shape)
    np.testing.assert_allclose(layer(x).data, _reference(x, layer.weight.data, layer.bias.data), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("cls", "shape"), CASES)
def test_batch_norm_gradients_match_finite_differences_to_second_order(cls, shape):
    layer = _layer(cls, shape[1])
    x = Tensor(np.random.default_rng(2).normal(size=shape), requires_grad=True)
    weights = Tensor(np.random.default_rng(3).normal(size=shape))

    def loss(x, weight, bias):
        return (F.batch_norm(x, None, None, weight, bias, training=True) * weights).tanh()

    assert gradcheck(loss, [x, layer.weight, layer.bias])
    assert gradgradcheck(lambda *inputs: (loss(*inputs) ** 3).sum(), [x, layer.weight, layer.bias])


@given(noise=arrays(shapes(min_dims=2, max_dims=4, min_side=2, max_side=3)))
def test_batch_norm_property_normalises_and_differentiates_on_random_shapes(noise):
    # a fixed spread keeps every channel's variance well above eps, so finite differences stay accurate
    spread = np.random.default_rng(0).normal(size=noise.shape)
    x = Tensor(spread + 0.2 * noise, requires_grad=True)
    axes = (0, *range(2, x.ndim))
    y = F.batch_norm(x, None, None, training=True).data
    variance = x.data.var(axis=axes)
    np.testing.assert_allclose(y.mean(axis=axes), 0, atol=1e-10)
    np.testing.assert_allclose(y.var(axis=axes), variance / (variance + 1e-5), rtol=1e-10)
    weights = Tensor(np.linspace(-1, 1, x.size).reshape(x.shape))
    gradcheck(lambda x: F.batch_norm(x, None, None, training=True) * weights, [x])


def test_running_statistics_use_the_unbiased_batch_variance():
    layer = nn.BatchNorm1d(2, momentum=0.25, dtype=np.float64)
    x = np.random.default_rng(0).normal(size=(5, 2))
    layer(x)
    np.testing.assert_allclose(layer.running_mean, 0.25 * x.mean(axis=0))
    np.testing.assert_allclose(layer.running_var, 0.75 + 0.25 * x.var(axis=0, ddof=1))
    assert int(layer.num_batches_tracked) == 1


def test_momentum_none_gives_the_cumulative_average():
    layer = nn.BatchNorm1d(2, momentum=None, dtype=np.float64)
    batches = [np.random.default_rng(seed).normal(seed, 1.0, size=(4, 2)) for seed in range(3)]
    for batch in batches:
        layer(batch)
    np.testing.assert_allclose(layer.running_mean, np.mean([b.mean(axis=0) for b in batches], axis=0))
    np.testing.assert_allclose(layer.running_var, np.mean([b.var(axis=0, ddof=1) for b in batches], axis=0))


def test_eval_mode_uses_running_statistics_and_leaves_them_alone():
    layer = _layer(nn.BatchNorm1d, 3)
    layer(np.random.default_rng(0).normal(2.0, 3.0, size=(10, 3)))
    mean, var = layer.running_mean.copy(), layer.running_var.copy()
    layer.eval()
    x = np.random.default_rng(1).normal(size=(4, 3))
    expected = (x - mean) / np.sqrt(var + 1e-5) * layer.weight.data + layer.bias.data
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-12)
    np.testing.assert_array_equal(layer.running_mean, mean)
    np.testing.assert_array_equal(layer.running_var, var)


def test_without_running_stats_batch_statistics_are_used_in_eval_too():
    layer = nn.BatchNorm2d(3, affine=False, track_running_stats=False, dtype=np.float64).eval()
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 4))
    np.testing.assert_allclose(layer(x).data, _reference(x, np.ones(3), np.zeros(3)), rtol=1e-10, atol=1e-12)
    assert layer.parameters() == [] and layer.state_dict() == {}


def test_running_stats_are_buffers_with_torch_names():
    layer = nn.BatchNorm2d(4)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    assert [name for name, _ in layer.named_buffers()] == ["running_mean", "running_var", "num_batches_tracked"]
    assert layer.running_mean.dtype == np.float32
    assert repr(layer) == "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"


def test_float32_input_stays_float32_and_constant_channel_gives_no_nan():
    layer = nn.BatchNorm1d(2)
    x = np.ones((4, 2), dtype=np.float32)
    x[:, 1] = [1e15, -1e15, 1e15, -1e15]
    y = layer(x)
    assert y.dtype == np.float32 and np.all(np.isfinite(y.data))
    np.testing.assert_array_equal(y.data[:, 0], 0)


@pytest.mark.parametrize(
    ("layer", "shape", "pattern"),
    [
        (nn.BatchNorm1d(3), (2, 3, 4, 5), r"2-D \(N, C\) or 3-D \(N, C, L\).*\(2, 3, 4, 5\)"),
        (nn.BatchNorm2d(3), (2, 3), r"4-D \(N, C, H, W\).*\(2, 3\)"),
        (nn.BatchNorm1d(3), (2, 4), r"has 4 channels \(axis 1\), expected 3"),
        (nn.BatchNorm1d(3), (1, 3), "more than 1 value per channel"),
    ],
)
def test_bad_inputs_are_rejected_without_touching_the_statistics(layer, shape, pattern):
    before = layer.state_dict()
    with pytest.raises(ValueError, match=pattern):
        layer(np.ones(shape, dtype=np.float32))
    for name, array in layer.state_dict().items():
        np.testing.assert_array_equal(array, before[name])


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [({"num_features": 0}, "num_features"), ({"eps": 0.0}, "eps"), ({"momentum": 2.0}, "momentum")],
)
def test_bad_hyper_parameters_are_rejected(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        nn.BatchNorm1d(**{"num_features": 3, **kwargs})


def test_functional_batch_norm_checks_statistic_shapes():
    with pytest.raises(ValueError, match=r"running_mean must have shape \(3,\).*got \(2,\)"):
        F.batch_norm(np.zeros((4, 3)), np.zeros(2), np.ones(3), training=True)
    with pytest.raises(ValueError, match="evaluation mode needs running_mean"):
        F.batch_norm(np.zeros((4, 3)), None, None, training=False)


@pytest.mark.parametrize(("cls", "shape"), CASES)
def test_batch_norm_matches_torch_over_three_steps_and_in_eval(cls, shape):
    torch = pytest.importorskip("torch")
    channels = shape[1]
    layer = _layer(cls, channels)
    reference = getattr(torch.nn, cls.__name__)(channels, momentum=0.2, dtype=torch.float64)
    layer.momentum = 0.2
    with torch.no_grad():
        reference.weight.copy_(torch.from_numpy(layer.weight.data))
        reference.bias.copy_(torch.from_numpy(layer.bias.data))
    generator = np.random.default_rng(5)
    for _ in range(3):
        x_np = generator.normal(1.0, 2.0, size=shape)
        target = generator.normal(size=shape)
        x, x_torch = Tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
        layer.zero_grad()
        reference.zero_grad()
        y, y_torch = layer(x), reference(x_torch)
        np.testing.assert_allclose(y.data, y_torch.detach().numpy(), rtol=1e-9, atol=1e-12)
        ((y - target) ** 2).sum().backward()
        ((y_torch - torch.from_numpy(target)) ** 2).sum().backward()
        np.testing.assert_allclose(x.grad, x_torch.grad.numpy(), rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(layer.weight.grad, reference.weight.grad.numpy(), rtol=1e-9)
        np.testing.assert_allclose(layer.bias.grad, reference.bias.grad.numpy(), rtol=1e-9)
    torch_state = reference.state_dict()
    for name, array in layer.state_dict().items():
        np.testing.assert_allclose(array, torch_state[name].numpy(), rtol=1e-12)
    layer.eval()
    reference.eval()
    x_np = generator.normal(size=shape)
    np.testing.assert_allclose(
        layer(x_np).data, reference(torch.from_numpy(x_np)).detach().numpy(), rtol=1e-10, atol=1e-12
    )


@pytest.mark.parametrize(
    ("cls", "shape"), [(nn.BatchNorm1d, (0, 3)), (nn.BatchNorm1d, (0, 3, 4)), (nn.BatchNorm2d, (2, 3, 0, 4))]
)
def test_empty_batch_in_training_gives_an_empty_output_and_keeps_the_running_statistics(cls, shape):
    layer = cls(3)
    warm_up = (4, 3) + tuple(size or 2 for size in shape[2:])
    layer(np.random.default_rng(0).standard_normal(warm_up).astype(np.float32))  # running statistics away from 0/1
    before = layer.state_dict()
    x = Tensor(np.zeros(shape, dtype=np.float32), requires_grad=True)
    y = layer(x)
    assert y.shape == shape and y.dtype == np.float32
    y.sum().backward()
    assert x.grad.shape == shape
    np.testing.assert_array_equal(layer.running_mean, before["running_mean"])
    np.testing.assert_array_equal(layer.running_var, before["running_var"])
    assert int(layer.num_batches_tracked) == int(before["num_batches_tracked"]) + 1  # counted, as torch does


def test_empty_batch_matches_torch():
    torch = pytest.importorskip("torch")
    layer, reference = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    y, expected = layer(np.zeros((0, 3), np.float32)), reference(torch.zeros(0, 3))
    assert y.shape == tuple(expected.shape)
    for name, value in reference.state_dict().items():
        np.testing.assert_array_equal(layer.state_dict()[name], value.numpy())


def test_state_dict_without_num_batches_tracked_loads_and_keeps_the_count_as_torch():
    # torch fills in a missing num_batches_tracked (checkpoints from before it existed) instead of refusing
    layer = nn.BatchNorm1d(3)
    layer(Tensor(np.arange(12.0, dtype=np.float32).reshape(4, 3)))
    state = {name: value for name, value in layer.state_dict().items() if name != "num_batches_tracked"}
    state["running_mean"] = np.full(3, 0.5, dtype=np.float32)
    result = layer.load_state_dict(state)
    assert (result.missing_keys, result.unexpected_keys) == ([], [])
    np.testing.assert_array_equal(layer.running_mean, np.full(3, 0.5, dtype=np.float32))
    assert int(layer.num_batches_tracked) == 1
    torch = pytest.importorskip("torch")
    theirs = torch.nn.BatchNorm1d(3)
    outcome = theirs.load_state_dict({name: torch.tensor(value) for name, value in state.items()})
    assert (outcome.missing_keys, outcome.unexpected_keys) == ([], [])


def test_state_dict_missing_a_running_statistic_is_still_refused():
    layer = nn.BatchNorm1d(3)
    state = {name: value for name, value in layer.state_dict().items() if name != "running_var"}
    with pytest.raises(ValueError, match=r'Missing key\(s\) in state_dict: "running_var"'):
        layer.load_state_dict(state)


@pytest.mark.parametrize("offset, spread", [(100.0, 1e-3), (1000.0, 1e-2)])
def test_training_batch_norm_of_float32_with_a_large_mean_keeps_float32_accuracy(offset, spread):
    # the batch mean is accumulated in float64, as torch's CPU kernel does: summed in float32 over the
    # non-contiguous axes it was ~1% of the std off, and the output 10x less accurate than torch's
    x = (np.random.default_rng(0).standard_normal((64, 4, 8)) * spread + offset).astype(np.float32)
    exact = x.astype(np.float64)
    exact = (exact - exact.mean((0, 2), keepdims=True)) / np.sqrt(exact.var((0, 2), keepdims=True) + 1e-5)
    out = nn.BatchNorm1d(4).train()(Tensor(x))
    assert out.dtype == np.float32
    assert np.abs(out.data - exact).max() < 2e-3


@pytest.mark.parametrize(
    "layer",
    [
        lambda: nn.BatchNorm1d(3, affine=False),
        lambda: nn.BatchNorm2d(3, affine=False),
        lambda: nn.InstanceNorm1d(3, track_running_stats=True),
    ],
)
def test_a_norm_without_weights_refuses_input_of_another_dtype_than_its_running_statistics(layer):
    # torch's "mixed dtype"; it once wrote float64 statistics into the float32 buffers
    module = layer()
    shape = (2, 3, 4, 4) if isinstance(module, nn.BatchNorm2d) else (2, 3, 4)
    with pytest.raises(RuntimeError, match="input dtype float64"):
        module(Tensor(np.ones(shape)))
    assert module.running_mean.dtype == np.float32


def test_a_norm_without_weights_or_statistics_takes_any_float_dtype():
    out = nn.BatchNorm1d(3, affine=False, track_running_stats=False)(Tensor(np.ones((2, 3))))
    assert out.dtype == np.float64


@pytest.mark.parametrize("training", [True, False])
def test_an_empty_vector_is_an_input_of_no_channels_as_torch(training):
    # torch reads a (0,) input as having no channels: running statistics of 0 entries, an empty output
    torch = pytest.importorskip("torch")
    x, tx = Tensor(np.zeros(0), requires_grad=True), torch.zeros(0, dtype=torch.float64, requires_grad=True)
    ours = F.batch_norm(x, np.zeros(0), np.zeros(0), training=training)
    theirs = torch.nn.functional.batch_norm(tx, torch.zeros(0), torch.zeros(0), training=training)
    assert ours.shape == tuple(theirs.shape) == (0,) and ours.dtype == np.float64
    ours.sum().backward()
    assert x.grad.shape == (0,)
    with pytest.raises(ValueError, match=r"running_mean must have shape \(0,\) for 0 channels"):
        F.batch_norm(x, np.zeros(3), np.zeros(3), training=training)
    with pytest.raises(ValueError, match="expected an input with a channel axis"):
        F.batch_norm(np.ones(3), np.zeros(3), np.zeros(3), training=training)


def test_a_float16_batch_whose_variance_overflows_moves_the_running_statistics_silently_as_torchs():
    # the unbiased variance of [60000, 0] is 1.8e9, inf in float16: torch's running_var becomes inf without a warning;
    # numpy's overflow warning, raised as an error, had left the statistics half-moved and the counter at 0
    layer = nn.BatchNorm1d(1).half()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        layer(Tensor(np.array([[60000.0], [0.0]], np.float16)))
    np.testing.assert_array_equal(layer.running_mean.data, np.array([3000.0], np.float16))
    np.testing.assert_array_equal(layer.running_var.data, np.array([np.inf], np.float16))
    assert int(np.asarray(layer.num_batches_tracked.data)) == 1


def test_batch_norm_in_evaluation_with_a_negative_running_variance_gives_nan_without_a_warning():
    # 1 / sqrt(-1 + eps) is nan, as torch's; numpy warned "invalid value encountered in sqrt"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.batch_norm(Tensor(np.ones((2, 3), np.float32)), np.zeros(3, np.float32), np.full(3, -1.0, np.float32))
    assert np.isnan(out.data).all()


def _batch(seed=0):
    return (np.random.default_rng(seed).standard_normal((6, 3)) * 2 + 1).astype(np.float32)


def _set_flag_off_after_training(layer, as_input):
    layer(as_input(_batch(1)))
    layer.track_running_stats = False
    layer.eval()


def _drop_running_statistics(layer, as_input):
    layer.eval()
    layer.running_mean = None
    layer.running_var = None


def _drop_the_batch_count(layer, as_input):
    layer.num_batches_tracked = None


def _drop_the_batch_count_of_a_cumulative_average(layer, as_input):
    layer.num_batches_tracked = None
    layer.momentum = None


@pytest.mark.parametrize(
    "change",
    [
        _set_flag_off_after_training,
        _drop_running_statistics,
        _drop_the_batch_count,
        _drop_the_batch_count_of_a_cumulative_average,
    ],
)
def test_batch_norm_follows_its_buffers_not_its_flag_as_torch(change):
    # torch decides on the buffers: an eval layer uses running statistics while it has them (whatever
    # track_running_stats says now) and the batch's once both are None; num_batches_tracked None counts nothing
    torch = pytest.importorskip("torch")
    ours, theirs = nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3)
    change(ours, Tensor)
    change(theirs, torch.tensor)
    for step in range(2):
        expected = theirs(torch.tensor(_batch(step + 2))).detach().numpy()
        np.testing.assert_allclose(ours(Tensor(_batch(step + 2))).data, expected, rtol=1e-5, atol=1e-6)
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        mine, torchs = getattr(ours, name), getattr(theirs, name)
        assert (mine is None) == (torchs is None), name
        if mine is not None:
            np.testing.assert_allclose(np.asarray(mine.data), torchs.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    ("ours", "theirs_name", "x_shape"),
    [
        (lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True), "batch_norm", (6, 3)),
        (lambda x, w, b: F.group_norm(x, 3, w, b), "group_norm", (2, 3, 4)),
        (lambda x, w, b: F.instance_norm(x, weight=w, bias=b), "instance_norm", (2, 3, 4)),
    ],
    ids=["batch_norm", "group_norm", "instance_norm"],
)
def test_functional_norms_take_weight_and_bias_as_lists_of_numbers(ours, theirs_name, x_shape):
    # as layer_norm does (torch wants Tensors there): the lists are the per-channel arrays, not an AttributeError
    x = np.random.default_rng(4).standard_normal(x_shape)
    weight, bias = [1.0, 2.0, 0.5], [0.0, -1.0, 3.0]
    expected = ours(Tensor(x), np.array(weight), np.array(bias)).data
    np.testing.assert_array_equal(ours(Tensor(x), weight, bias).data, expected)
    np.testing.assert_array_equal(ours(Tensor(x), tuple(weight), tuple(bias)).data, expected)


def test_functional_batch_norm_refuses_running_statistics_it_cannot_update_in_place():
    x = Tensor(np.random.default_rng(5).standard_normal((6, 3)))
    with pytest.raises(TypeError, match="running_mean must be a Tensor or an ndarray .it is updated in place"):
        F.batch_norm(x, [0.0, 0.0, 0.0], [1.0, 1.0, 1.0], training=True)
