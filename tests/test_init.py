"""Tests for nn.init: empirical moments and bounds of large draws against the formulas,
seeding, in-place filling with dtype preserved, fan computation and errors."""

import math

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn import init

SHAPE = (300, 400)  # fan_out = 300, fan_in = 400; 120 000 draws
FAN_IN, FAN_OUT = 400, 300


def _weight(shape=SHAPE, dtype=np.float64):
    return nn.Parameter(np.zeros(shape, dtype=dtype))


def _check_uniform(data, bound):
    assert data.min() >= -bound and data.max() <= bound
    assert data.max() > 0.99 * bound and data.min() < -0.99 * bound
    np.testing.assert_allclose(data.mean(), 0, atol=0.01 * bound)
    np.testing.assert_allclose(data.std(), bound / math.sqrt(3), rtol=0.01)


def _check_normal(data, mean, std):
    np.testing.assert_allclose(data.mean(), mean, atol=0.02 * std)
    np.testing.assert_allclose(data.std(), std, rtol=0.01)


def test_constant_fillers():
    w = _weight()
    assert np.all(init.ones_(w).data == 1)
    assert np.all(init.zeros_(w).data == 0)
    assert np.all(init.constant_(w, -2.5).data == -2.5)


def test_uniform_draws_lie_in_a_b_with_uniform_moments():
    data = init.uniform_(_weight(), -3.0, 1.0, rng=0).data
    assert data.min() >= -3 and data.max() <= 1
    np.testing.assert_allclose(data.mean(), -1.0, atol=0.02)
    np.testing.assert_allclose(data.std(), 4 / math.sqrt(12), rtol=0.01)


def test_normal_draws_have_the_requested_moments():
    _check_normal(init.normal_(_weight(), mean=2.0, std=0.5, rng=0).data, 2.0, 0.5)


def test_lecun_normal_is_the_course_scaling():
    _check_normal(init.lecun_normal_(_weight(), rng=0).data, 0, 1 / math.sqrt(FAN_IN))


@pytest.mark.parametrize("gain", [1.0, 2.0])
def test_xavier_uniform_bound(gain):
    _check_uniform(init.xavier_uniform_(_weight(), gain=gain, rng=0).data, gain * math.sqrt(6 / (FAN_IN + FAN_OUT)))


@pytest.mark.parametrize("gain", [1.0, 0.5])
def test_xavier_normal_std(gain):
    _check_normal(init.xavier_normal_(_weight(), gain=gain, rng=0).data, 0, gain * math.sqrt(2 / (FAN_IN + FAN_OUT)))


@pytest.mark.parametrize(
    ("a", "mode", "nonlinearity", "fan", "gain"),
    [
        (0.0, "fan_in", "relu", FAN_IN, math.sqrt(2)),
        (0.0, "fan_out", "relu", FAN_OUT, math.sqrt(2)),
        (math.sqrt(5), "fan_in", "leaky_relu", FAN_IN, math.sqrt(2 / 6)),
        (0.0, "fan_in", "tanh", FAN_IN, 5 / 3),
    ],
)
def test_kaiming_uniform_and_normal_scale_with_gain_and_fan(a, mode, nonlinearity, fan, gain):
    std = gain / math.sqrt(fan)
    _check_uniform(
        init.kaiming_uniform_(_weight(), a=a, mode=mode, nonlinearity=nonlinearity, rng=0).data, math.sqrt(3) * std
    )
    _check_normal(init.kaiming_normal_(_weight(), a=a, mode=mode, nonlinearity=nonlinearity, rng=1).data, 0, std)


RANDOM_INITS = [
    lambda w, rng: init.uniform_(w, rng=rng),
    lambda w, rng: init.normal_(w, rng=rng),
    lambda w, rng: init.lecun_normal_(w, rng=rng),
    lambda w, rng: init.xavier_uniform_(w, rng=rng),
    lambda w, rng: init.xavier_normal_(w, rng=rng),
    lambda w, rng: init.kaiming_uniform_(w, rng=rng),
    lambda w, rng: init.kaiming_normal_(w, rng=rng),
]


@pytest.mark.parametrize("fill", RANDOM_INITS)
def test_random_initialisers_are_deterministic_given_a_seed_or_generator(fill):
    a = fill(_weight((4, 5)), 11).data
    b = fill(_weight((4, 5)), 11).data
    c = fill(_weight((4, 5)), 12).data
    d = fill(_weight((4, 5)), np.random.default_rng(11)).data
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, d)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("fill", RANDOM_INITS)
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_initialisers_fill_in_place_and_keep_dtype(fill, dtype):
    w = _weight((4, 5), dtype=dtype)
    array = w.data
    assert fill(w, 0) is w
    assert w.data is array and w.dtype == dtype
    assert np.all(np.isfinite(w.data)) and np.any(w.data != 0)


def test_initialisers_record_no_graph_and_keep_requires_grad():
    w = _weight((3, 3))
    init.normal_(w, rng=0)
    assert w.is_leaf and w.requires_grad and w.grad is None


def test_fan_in_and_fan_out_of_linear_and_conv_weights():
    assert init._calculate_fan_in_and_fan_out(Tensor(np.zeros((3, 5)))) == (5, 3)
    assert init._calculate_fan_in_and_fan_out(Tensor(np.zeros((8, 4, 3, 3)))) == (36, 72)


@pytest.mark.parametrize("shape", [(), (5,)])
def test_fan_computation_rejects_tensors_below_2d(shape):
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init._calculate_fan_in_and_fan_out(Tensor(np.zeros(shape)))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.kaiming_uniform_(_weight(shape), rng=0)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        init.xavier_normal_(_weight(shape), rng=0)


def test_conv_weight_fans_drive_the_kaiming_scale():
    w = init.kaiming_normal_(_weight((64, 32, 3, 3)), nonlinearity="relu", rng=0)
    _check_normal(w.data, 0, math.sqrt(2 / (32 * 9)))


@pytest.mark.parametrize(
    ("nonlinearity", "param", "gain"),
    [
        ("linear", None, 1.0),
        ("conv2d", None, 1.0),
        ("conv_transpose2d", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("selu", None, 0.75),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
    ],
)
def test_calculate_gain_table(nonlinearity, param, gain):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(gain, rel=1e-15)


def test_calculate_gain_matches_torch():
    torch = pytest.importorskip("torch")
    for name in ["linear", "sigmoid", "tanh", "relu", "selu", "conv1d", "conv_transpose1d", "conv_transpose3d"]:
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name), rel=1e-12)
    assert init.calculate_gain("leaky_relu", 0.3) == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", 0.3))


def test_bad_arguments_are_clear_errors():
    with pytest.raises(ValueError, match="unknown nonlinearity 'swishy'"):
        init.calculate_gain("swishy")
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out', got 'fan_avg'"):
        init.kaiming_normal_(_weight((2, 2)), mode="fan_avg")
    with pytest.raises(TypeError, match="floating-point"):
        init.normal_(Tensor(np.zeros((2, 2), dtype=np.int64)))
    with pytest.raises(TypeError, match="expected a Tensor"):
        init.zeros_(np.zeros(3))
    with pytest.raises(TypeError, match="rng must be"):
        init.normal_(_weight((2, 2)), rng="seed")
    with pytest.raises(ValueError, match="std must be >= 0"):
        init.normal_(_weight((2, 2)), std=-1.0)
    with pytest.raises(ValueError, match="a <= b"):
        init.uniform_(_weight((2, 2)), 1.0, 0.0)
