"""Tests for nn.init: empirical moments and bounds of large draws against the formulas,
seeding, in-place filling with dtype preserved, fan computation and errors."""

import math
import re

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
    array = w._data
    assert fill(w, 0) is w
    assert w._data is array and w.dtype == dtype
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


@pytest.mark.parametrize("name", ["xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"])
@pytest.mark.parametrize("shape", [(), (5,)])
def test_fan_based_initialisers_below_2d_are_value_errors_naming_the_initialiser(name, shape):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError):
        getattr(torch.nn.init, name)(torch.zeros(shape))
    weight = _weight(shape)
    with pytest.raises(ValueError, match=rf"^{name}: .*at least 2 dimensions, got shape {re.escape(str(shape))}"):
        getattr(init, name)(weight)
    assert not weight.data.any()
    with pytest.raises(ValueError, match=r"^lecun_normal_: .*at least 2 dimensions"):
        init.lecun_normal_(weight)
    with pytest.raises(ValueError, match=r"^_calculate_fan_in_and_fan_out: .*at least 2 dimensions"):
        init._calculate_fan_in_and_fan_out(weight)


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


@pytest.mark.parametrize("slope", [True, "0.2", [0.2]])
def test_calculate_gain_with_a_negative_slope_that_is_not_a_number_is_a_value_error_as_torchs(slope):
    with pytest.raises(ValueError, match="calculate_gain: negative_slope must be a real number"):
        init.calculate_gain("leaky_relu", slope)
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError):
        torch.nn.init.calculate_gain("leaky_relu", slope)


@pytest.mark.parametrize("mode", ["FAN_OUT", "Fan_In"])
@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
def test_kaiming_mode_is_read_case_insensitively_as_torchs(name, mode):
    torch = pytest.importorskip("torch")
    ours = getattr(init, name)(_weight(), mode=mode, nonlinearity="relu", rng=0).data
    theirs = getattr(torch.nn.init, name)(torch.zeros(SHAPE, dtype=torch.float64), mode=mode, nonlinearity="relu")
    np.testing.assert_allclose(ours.std(), float(theirs.std()), rtol=0.02)  # fan_in 400 and fan_out 300 differ by 15%
    with pytest.raises(ValueError, match="mode must be 'fan_in' or 'fan_out', got 'FAN_AVG'"):
        getattr(init, name)(_weight((2, 2)), mode="FAN_AVG")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m, w: m.uniform_(w, 2.0, 1.0), r"uniform_: expects a range \[a, b\) with a <= b"),
        (lambda m, w: m.uniform_(w.float(), -1e300, 1e300), "uniform_: a = -1e[+]300 is out of bounds for float32"),
        (lambda m, w: m.uniform_(w.float(), 0.0, 1e39), "uniform_: b = 1e[+]39 is out of bounds for float32"),
        (lambda m, w: m.normal_(w, 0.0, -1.0), "normal_: std must be >= 0"),
        (lambda m, w: m.trunc_normal_(w, 0.0, 1.0, 2.0, -2.0), "trunc_normal_: need a <= b"),
        (lambda m, w: m.sparse_(w, 0.5, -1.0), "sparse_: std must be >= 0"),
    ],
)
def test_init_arguments_out_of_range_are_runtime_errors_as_torchs(call, message):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        call(torch.nn.init, torch.zeros((3, 3), dtype=torch.float64))
    with pytest.raises(RuntimeError, match=message) as caught:
        call(init, _weight((3, 3)))
    assert isinstance(caught.value, ValueError)  # still the library's class for bad arguments


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "bool"])
@pytest.mark.parametrize(
    ("name", "shape", "args"),
    [
        ("zeros_", (2, 3), ()),
        ("ones_", (2, 3), ()),
        ("constant_", (2, 3), (2.7,)),
        ("eye_", (3, 4), ()),
        ("dirac_", (4, 2, 3), (2,)),
    ],
)
def test_fixed_value_fills_take_integer_and_bool_tensors_as_torchs(name, shape, args, dtype):
    torch = pytest.importorskip("torch")
    ours = Tensor(np.full(shape, 5, dtype=dtype))
    theirs = torch.full(shape, 5, dtype=getattr(torch, dtype))
    assert getattr(init, name)(ours, *args) is ours
    getattr(torch.nn.init, name)(theirs, *args)
    assert ours.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize(
    ("dtype", "val"),
    [
        ("float32", float("nan")),
        ("float64", float("-inf")),
        ("float32", True),
        ("bool", True),
        ("bool", False),
        ("int64", 2**62 + 1),  # exact: not through a float, which rounds it to 2**62
        ("int64", -(2**63)),
        ("float64", "tensor"),  # a 0-d tensor, as torch's fill_ takes
    ],
)
def test_constant_fills_every_value_torchs_fill_takes_exactly(dtype, val):
    torch = pytest.importorskip("torch")
    theirs = torch.nn.init.constant_(torch.zeros(3, dtype=getattr(torch, dtype)), 2.5 if val == "tensor" else val)
    ours = Tensor(np.zeros(3, dtype=dtype))
    assert init.constant_(ours, Tensor(2.5) if val == "tensor" else val) is ours
    assert ours.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize(("dtype", "val"), [("int64", float("nan")), ("int8", 300), ("int64", 2**64)])
def test_constant_of_a_value_the_dtype_cannot_hold_is_an_error_naming_constant(dtype, val):
    torch = pytest.importorskip("torch")
    with pytest.raises((RuntimeError, OverflowError)):
        torch.nn.init.constant_(torch.zeros(3, dtype=getattr(torch, dtype)), val)
    ours = Tensor(np.zeros(3, dtype=dtype))
    with pytest.raises(ValueError, match=f"constant_: value .* cannot be converted to {dtype}"):
        init.constant_(ours, val)
    assert not ours.data.any()


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


# -- truncated normal, orthogonal, eye, dirac, sparse ----------------------------------------------
def _phi(z):
    return math.exp(-z * z / 2) / math.sqrt(2 * math.pi) if math.isfinite(z) else 0.0


def _truncated_normal_moments(mean, std, a, b):
    """Mean and standard deviation of N(mean, std^2) conditioned on [a, b] (the textbook formulas)."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    if alpha > 0:  # the upper tail by erfc, without cancellation
        mass = 0.5 * (math.erfc(alpha / math.sqrt(2)) - math.erfc(beta / math.sqrt(2)))
    else:
        mass = 0.5 * (math.erf(beta / math.sqrt(2)) - math.erf(alpha / math.sqrt(2)))
    shift = (_phi(alpha) - _phi(beta)) / mass
    edge = (alpha * _phi(alpha) if math.isfinite(alpha) else 0.0) - (beta * _phi(beta) if math.isfinite(beta) else 0.0)
    return mean + std * shift, std * math.sqrt(1 + edge / mass - shift * shift)


@pytest.mark.parametrize(
    ("mean", "std", "a", "b"),
    [
        (0.0, 1.0, -2.0, 2.0),  # torch's defaults
        (0.0, 0.02, -2.0, 2.0),  # a ViT-style weight: practically untruncated
        (0.5, 1.0, 0.0, 3.0),
        (1.0, 2.0, -math.inf, 0.0),
        (0.0, 1.0, 2.5, 6.0),  # far in the tail
        (0.0, 1.0, 0.1, 0.2),  # narrow
        (-3.0, 0.5, 1.0, math.inf),  # 8 std away
    ],
)
def test_trunc_normal_stays_in_a_b_with_the_truncated_normals_moments(mean, std, a, b):
    w = init.trunc_normal_(_weight(), mean, std, a, b, rng=0)
    assert w.data.min() >= a and w.data.max() <= b
    expected_mean, expected_std = _truncated_normal_moments(mean, std, a, b)
    standard_error = expected_std / math.sqrt(w.data.size)
    assert abs(w.data.mean() - expected_mean) < 5 * standard_error
    np.testing.assert_allclose(w.data.std(), expected_std, rtol=0.02)


def test_trunc_normal_bounds_are_absolute_not_in_standard_deviations():
    w = init.trunc_normal_(_weight((200, 100)), mean=0.0, std=10.0, rng=1)  # a=-2, b=2 with std 10
    assert w.data.min() >= -2.0 and w.data.max() <= 2.0
    np.testing.assert_allclose(w.data.std(), 4 / math.sqrt(12), rtol=0.03)  # nearly uniform on [-2, 2]


@pytest.mark.parametrize(("shape", "gain"), [((30, 50), 1.0), ((50, 30), 2.0), ((8, 3, 3, 3), 0.5), ((6, 6), 1.0)])
def test_orthogonal_rows_or_columns_are_orthonormal_times_the_gain(shape, gain):
    w = init.orthogonal_(_weight(shape), gain=gain, rng=2).data.reshape(shape[0], -1)
    gram = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
    np.testing.assert_allclose(gram, gain**2 * np.eye(len(gram)), atol=1e-6)


def test_orthogonal_draws_differ_by_seed_and_spread_like_haar_matrices():
    draws = np.stack([init.orthogonal_(_weight((3, 3)), rng=seed).data for seed in range(2000)])
    # each entry of a Haar-random 3x3 orthogonal matrix has mean 0 and variance 1/3
    np.testing.assert_allclose(draws.mean(axis=0), 0, atol=0.05)
    np.testing.assert_allclose(draws.var(axis=0), 1 / 3, atol=0.03)


def test_eye_fills_the_identity_also_when_not_square():
    np.testing.assert_array_equal(init.eye_(_weight((2, 4))).data, [[1, 0, 0, 0], [0, 1, 0, 0]])
    np.testing.assert_array_equal(init.eye_(_weight((3, 2))).data, [[1, 0], [0, 1], [0, 0]])


@pytest.mark.parametrize("groups", [1, 2])
def test_dirac_conv2d_is_the_identity_on_a_random_input(groups):
    x = np.random.default_rng(3).standard_normal((2, 4, 5, 6))
    weight = init.dirac_(_weight((4, 4 // groups, 3, 5)), groups=groups)
    out = nn.functional.conv2d(x, weight, padding=(1, 2), groups=groups)
    np.testing.assert_allclose(out.data, x, rtol=0, atol=0)


def test_dirac_conv1d_is_the_identity_and_extra_output_channels_are_zero():
    x = np.random.default_rng(4).standard_normal((3, 2, 7))
    out = nn.functional.conv1d(x, init.dirac_(_weight((3, 2, 3))), padding="same").data
    np.testing.assert_array_equal(out[:, :2], x)
    np.testing.assert_array_equal(out[:, 2], 0.0)
    assert init.dirac_(_weight((2, 2, 3, 3, 3))).data.sum() == 2  # 5-d: one centre tap per channel


def test_sparse_zeroes_the_same_share_of_every_column_and_draws_the_rest_from_the_normal():
    w = init.sparse_(_weight((100, 400)), sparsity=0.25, std=0.5, rng=5).data
    assert all((column == 0).sum() == 25 for column in w.T)
    _check_normal(w[w != 0], 0.0, 0.5)


def test_structured_initialisers_match_torchs_where_deterministic():
    torch = pytest.importorskip("torch")
    for shape in [(3, 5), (5, 3)]:
        np.testing.assert_array_equal(init.eye_(_weight(shape)).data, torch.nn.init.eye_(torch.empty(shape)).numpy())
    for shape, groups in [((4, 4, 3), 1), ((6, 2, 3, 3), 3), ((4, 1, 3, 3, 3), 2), ((2, 4, 2, 2), 1)]:
        expected = torch.nn.init.dirac_(torch.empty(shape), groups=groups).numpy()
        np.testing.assert_array_equal(init.dirac_(_weight(shape), groups=groups).data, expected)


@pytest.mark.parametrize(
    "name", [n for n in init.__all__ if n.endswith("_") and n != "lecun_normal_"] + ["calculate_gain"]
)
def test_initialisers_take_torchs_arguments_in_torchs_order_rng_in_generators_place(name):
    torch = pytest.importorskip("torch")
    import inspect

    theirs = inspect.signature(getattr(torch.nn.init, name)).parameters.values()
    ours = inspect.signature(getattr(init, name)).parameters.values()
    positional = [p.name for p in ours if p.kind is p.POSITIONAL_OR_KEYWORD]
    expected = [("rng" if p.name == "generator" else p.name) for p in theirs]
    assert positional == expected
    if "generator" in [p.name for p in theirs]:  # torch's keyword is accepted too
        assert [p.name for p in ours if p.kind is p.KEYWORD_ONLY] == ["generator"]


@pytest.mark.parametrize(
    "fill",
    [
        lambda **seed: init.uniform_(_weight(), -1.0, 2.0, **seed),
        lambda **seed: init.normal_(_weight(), 1.0, 2.0, **seed),
        lambda **seed: init.xavier_uniform_(_weight(), gain=2.0, **seed),
        lambda **seed: init.kaiming_normal_(_weight(), mode="fan_out", nonlinearity="relu", **seed),
        lambda **seed: init.trunc_normal_(_weight(), **seed),
        lambda **seed: init.orthogonal_(_weight(), **seed),
        lambda **seed: init.sparse_(_weight(), 0.5, **seed),
    ],
)
def test_torchs_generator_keyword_is_rng_under_its_name(fill):
    np.testing.assert_array_equal(fill(generator=7).data, fill(rng=7).data)
    rng = np.random.default_rng(3)
    np.testing.assert_array_equal(fill(generator=rng).data, fill(rng=np.random.default_rng(3)).data)
    with pytest.raises(TypeError, match="got both rng= and generator="):
        fill(rng=1, generator=2)


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda: init.trunc_normal_(_weight(), a=1.0, b=0.5), ValueError, "trunc_normal_: need a <= b"),
        (lambda: init.trunc_normal_(_weight(), a=math.inf, b=math.inf), ValueError, "trunc_normal_: need a <= b"),
        (lambda: init.trunc_normal_(_weight(), std=0.0), ValueError, "trunc_normal_: std must be positive"),
        (lambda: init.orthogonal_(_weight((4,))), ValueError, r"orthogonal_: .*at least 2 dimensions.*\(4,\)"),
        (lambda: init.eye_(_weight((2, 2, 2))), ValueError, r"eye_: needs a 2-D tensor, got shape \(2, 2, 2\)"),
        (lambda: init.dirac_(_weight((4, 4))), ValueError, r"dirac_: needs a conv weight of 3, 4 or 5 dimensions"),
        (lambda: init.dirac_(_weight((5, 1, 3)), groups=2), ValueError, r"output channels \(5\) .* groups \(2\)"),
        (lambda: init.sparse_(_weight(), sparsity=1.5), ValueError, "sparse_: sparsity must be"),
        (lambda: init.orthogonal_(Tensor(np.zeros((2, 2), dtype=int))), TypeError, "orthogonal_: only floating"),
    ],
)
def test_structured_initialisers_reject_bad_arguments_naming_the_function(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_initialisers_given_a_parameters_data_fill_the_parameter_in_place_as_torchs():
    torch = pytest.importorskip("torch")
    reference = torch.nn.Conv2d(3, 8, 3)
    torch.nn.init.normal_(reference.weight.data, 0.0, 0.02)  # the DCGAN tutorial's weights_init
    torch.nn.init.constant_(reference.bias.data, 0.25)
    conv = nn.Conv2d(3, 8, 3)
    weight, version = conv.weight.numpy(), conv.weight.version
    init.normal_(conv.weight.data, 0.0, 0.02, rng=0)
    init.constant_(conv.bias.data, 0.25)
    np.testing.assert_array_equal(conv.bias.numpy(), reference.bias.detach().numpy())
    assert np.shares_memory(conv.weight.numpy(), weight) and conv.weight.version == version
    assert abs(weight.std() - 0.02) < 0.005 and abs(float(reference.weight.detach().std()) - 0.02) < 0.005
    bound = math.sqrt(6.0 / (3 * 9 + 8 * 9))
    init.xavier_uniform_(conv.weight.data, rng=0)
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.9 * bound
    init.zeros_(conv.weight.data)
    assert not weight.any() and conv.weight.requires_grad


INITIALISER_CALLS = [
    ("zeros_", ()), ("ones_", ()), ("constant_", (0.5,)), ("eye_", ()), ("dirac_", ()), ("uniform_", ()),
    ("normal_", ()), ("trunc_normal_", ()), ("xavier_uniform_", ()), ("xavier_normal_", ()),
    ("kaiming_uniform_", ()), ("kaiming_normal_", ()), ("orthogonal_", ()), ("sparse_", (0.5,)),
    ("lecun_normal_", ()),
]  # fmt: skip


@pytest.mark.parametrize(("name", "args"), INITIALISER_CALLS, ids=[name for name, _ in INITIALISER_CALLS])
@pytest.mark.parametrize("part", ["data", "grad"])
def test_initialisers_return_the_parameters_data_or_grad_they_were_given_as_torchs(name, args, part):
    torch = pytest.importorskip("torch")
    shape = (4, 4, 3) if name == "dirac_" else (6, 5)
    reference = torch.nn.Parameter(torch.ones(shape))
    reference.grad = torch.ones(shape)
    given = getattr(reference, part)
    if name != "lecun_normal_":
        assert getattr(torch.nn.init, name)(given, *args) is given
    weight = nn.Parameter(np.ones(shape))
    weight.grad = np.ones(shape)
    given = getattr(weight, part)
    result = getattr(init, name)(given, *args)
    assert result is given
    assert np.shares_memory(np.asarray(result), getattr(weight, part)) and result.shape == shape


#: torch's deprecated initialisers without the trailing underscore (old tutorials' ``init.xavier_uniform(m.weight)``)
DEPRECATED_INITIALISERS = [
    ("uniform", (-0.5, 0.5)), ("normal", (0.0, 0.02)), ("constant", (0.3,)), ("eye", ()), ("dirac", ()),
    ("xavier_uniform", ()), ("xavier_normal", ()), ("kaiming_uniform", ()), ("kaiming_normal", ()),
    ("orthogonal", ()), ("sparse", (0.5,)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "args"), DEPRECATED_INITIALISERS, ids=[name for name, _ in DEPRECATED_INITIALISERS])
def test_torchs_deprecated_initialisers_fill_as_the_underscored_ones_with_torchs_future_warning(name, args):
    torch = pytest.importorskip("torch")
    shape = (4, 4, 3) if name == "dirac" else (6, 5)
    with pytest.warns(FutureWarning, match=rf"`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`"):
        expected = getattr(torch.nn.init, name)(torch.empty(shape, dtype=torch.float64), *args)
    weight = Tensor(np.full(shape, 7.0), requires_grad=True)
    seeded = {} if name in ("constant", "eye", "dirac") else {"rng": 0}
    with pytest.warns(
        FutureWarning, match=rf"`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`"
    ) as seen:
        result = getattr(init, name)(weight, *args, **seeded)
    assert seen[0].filename == __file__  # the warning points at the caller, as torch's stacklevel=2
    assert result is weight and weight.requires_grad and weight.grad_fn is None
    reference = getattr(init, f"{name}_")(Tensor(np.full(shape, 7.0)), *args, **seeded)
    np.testing.assert_array_equal(weight.data, reference.data)
    if not seeded:  # the deterministic fills give torch's numbers
        np.testing.assert_array_equal(weight.data, expected.numpy())
    assert getattr(init, name).__name__ == name and f"init.{name}_" in getattr(init, name).__doc__
