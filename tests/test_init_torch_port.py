"""The behaviour torch's TestNNInit checks (test/nn/test_init.py), written again for nn.init, and every layer's
default initialisation compared with torch's by distribution: each parameter and buffer of a layer against the
same one of torch's layer (Kolmogorov-Smirnov, two samples), the constant ones exactly."""

import math
import random

import numpy as np
import pytest

import autograd
import nn
from nn import init

torch = pytest.importorskip("torch")
stats = pytest.importorskip("scipy.stats")

P_MIN = 1e-4  # torch's threshold for its Kolmogorov-Smirnov tests


@pytest.fixture(autouse=True)
def unseeded_afterwards():
    yield
    autograd.random_state._seeded = None  # the library's random state as if never seeded, for the other tests


def _zeros(shape, dtype=np.float64):
    return nn.Parameter(np.zeros(shape, dtype=dtype))


def _random_shape(rng, dims, low, high):
    return tuple(rng.randint(low, high) for _ in range(dims))


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
def test_kaiming_on_a_zero_element_tensor_warns_it_is_a_no_op_as_torchs(name):
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        getattr(torch.nn.init, name)(torch.empty(0, 1))
    empty = _zeros((0, 1))
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        assert getattr(init, name)(empty) is empty


@pytest.mark.parametrize(
    ("name", "dims"),
    [("eye_", 1), ("eye_", 3), ("sparse_", 1), ("sparse_", 3), ("dirac_", 1), ("dirac_", 2), ("dirac_", 6)],
)
def test_structured_initialisers_of_a_rank_torchs_refuse_are_value_errors(name, dims):
    args = (0.5,) if name == "sparse_" else ()
    shape = (2,) * dims
    with pytest.raises(ValueError):
        getattr(torch.nn.init, name)(torch.zeros(shape), *args)
    weight = _zeros(shape)
    with pytest.raises(ValueError, match=rf"^{name}: "):
        getattr(init, name)(weight, *args)
    assert not weight.data.any()


@pytest.mark.parametrize("dims", [3, 4, 5])
@pytest.mark.parametrize("groups", [1, 2, 3])
def test_dirac_sets_one_centre_tap_per_channel_pair_of_each_group_as_torchs(dims, groups):
    rng = random.Random(100 * dims + groups)
    for _ in range(5):
        out_per_group, *kernel = _random_shape(rng, 4, 1, 5)
        shape = (out_per_group * groups, rng.randint(1, 5 * groups), *kernel)[:dims]
        ours = init.dirac_(nn.Parameter(np.random.default_rng(0).standard_normal(shape)), groups).data
        np.testing.assert_array_equal(ours, torch.nn.init.dirac_(torch.randn(shape), groups).numpy())
        assert np.count_nonzero(ours) == ours.sum() == min(out_per_group, shape[1]) * groups


@pytest.mark.parametrize("groups", [1, 3])
def test_dirac_conv3d_passes_each_groups_input_channels_and_zeroes_the_extra_outputs(groups):
    out_per_group, in_channels = 3, 2
    x = np.random.default_rng(groups).standard_normal((2, in_channels * groups, 4, 5, 4))
    weight = init.dirac_(_zeros((out_per_group * groups, in_channels, 3, 3, 3)), groups)
    out = nn.functional.conv3d(x, weight, groups=groups).data
    for group in range(groups):
        first = group * out_per_group
        inputs = x[:, group * in_channels : (group + 1) * in_channels, 1:-1, 1:-1, 1:-1]
        np.testing.assert_array_equal(out[:, first : first + in_channels], inputs)
        np.testing.assert_array_equal(out[:, first + in_channels : first + out_per_group], 0.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("dims", [1, 2, 4])
def test_trunc_normal_stays_in_bounds_rounded_to_its_dtype_and_is_the_truncated_normal(dims, dtype):
    rng = random.Random(dims)
    shape = _random_shape(rng, dims, 30, 50) if dims < 4 else _random_shape(rng, dims, 8, 12)
    mean, std = rng.uniform(-3, 3), rng.uniform(0.01, 1)
    a, b = rng.uniform(mean - 2 * std, mean), rng.uniform(mean, mean + 2 * std)
    values = init.trunc_normal_(_zeros(shape, dtype), mean, std, a, b, rng=dims).data
    assert values.dtype == dtype
    assert values.min() >= dtype(a) and values.max() <= dtype(b)
    standard = (values.astype(np.float64).ravel() - mean) / std
    assert stats.kstest(standard, "truncnorm", args=((a - mean) / std, (b - mean) / std)).pvalue > P_MIN


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_trunc_normal_of_a_narrow_interval_far_from_the_mean_is_the_truncated_normal(dtype):
    values = init.trunc_normal_(_zeros(10_000, dtype), 0.0, 1.0, 2.0, 3.0, rng=1).data
    assert values.min() >= 2.0 and values.max() <= 3.0
    assert stats.kstest(values.astype(np.float64), "truncnorm", args=(2.0, 3.0)).pvalue > P_MIN


@pytest.mark.parametrize(("dtype", "least_distinct"), [(np.float16, 3000), (np.float32, 5000), (np.float64, 5000)])
def test_trunc_normal_draws_many_distinct_finite_values_none_at_the_bounds(dtype, least_distinct):
    values = init.trunc_normal_(_zeros(10_000, dtype), 0.0, 1.0, -2.0, 2.0, rng=2).data
    assert np.isfinite(values).all() and len(np.unique(values)) > least_distinct
    narrow = init.trunc_normal_(_zeros(10_000, dtype), 0.0, 0.1, -2.0, 2.0, rng=3).data
    assert not (np.abs(narrow) == 2.0).any()  # nothing rounded or clipped onto a bound


def test_trunc_normal_with_a_seeded_generator_draws_what_the_seeded_global_stream_draws():
    drawn = init.trunc_normal_(_zeros(5), generator=autograd.Generator().manual_seed(42)).data.copy()
    autograd.manual_seed(42)
    np.testing.assert_array_equal(init.trunc_normal_(_zeros(5)).data, drawn)
    assert stats.kstest(drawn, "truncnorm", args=(-2.0, 2.0)).pvalue > P_MIN


@pytest.mark.parametrize("use_gain", [True, False])
@pytest.mark.parametrize("dims", [2, 4])
def test_xavier_draws_have_glorots_law_by_kolmogorov_smirnov(dims, use_gain):
    rng = random.Random(dims + 10 * use_gain)
    shape = _random_shape(rng, dims, 20, 25)
    gain = rng.uniform(0.1, 2) if use_gain else 1.0
    fan_in, fan_out = shape[1] * math.prod(shape[2:]), shape[0] * math.prod(shape[2:])
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    uniform = init.xavier_uniform_(_zeros(shape), gain=gain, rng=1).data.ravel()
    bound = std * math.sqrt(3.0)
    assert stats.kstest(uniform, "uniform", args=(-bound, 2 * bound)).pvalue > P_MIN
    normal = init.xavier_normal_(_zeros(shape), gain=gain, rng=2).data.ravel()
    assert stats.kstest(normal, "norm", args=(0.0, std)).pvalue > P_MIN


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("use_a", [True, False])
@pytest.mark.parametrize("dims", [2, 4])
def test_kaiming_draws_have_hes_law_by_kolmogorov_smirnov(dims, use_a, mode):
    rng = random.Random(dims + 10 * use_a + 100 * (mode == "fan_out"))
    shape = _random_shape(rng, dims, 20, 25)
    a = rng.uniform(0.1, 2) if use_a else 0.0
    fan = (shape[1] if mode == "fan_in" else shape[0]) * math.prod(shape[2:])
    std = math.sqrt(2.0 / ((1 + a * a) * fan))
    uniform = init.kaiming_uniform_(_zeros(shape), a=a, mode=mode, rng=3).data.ravel()
    bound = std * math.sqrt(3.0)
    assert stats.kstest(uniform, "uniform", args=(-bound, 2 * bound)).pvalue > P_MIN
    normal = init.kaiming_normal_(_zeros(shape), a=a, mode=mode, rng=4).data.ravel()
    assert stats.kstest(normal, "norm", args=(0.0, std)).pvalue > P_MIN


@pytest.mark.parametrize("std", [None, 0.15])
def test_sparse_zeroes_at_least_its_share_of_each_column_and_the_rest_is_normal(std):
    rng = random.Random(7)
    rows, cols = _random_shape(rng, 2, 30, 35)
    sparsity = rng.uniform(0.1, 0.2)
    keywords = {} if std is None else {"std": std}
    values = init.sparse_(_zeros((rows, cols)), sparsity, rng=5, **keywords).data
    assert ((values == 0).sum(axis=0) >= math.ceil(sparsity * rows)).all()
    expected_std = 0.01 if std is None else std
    assert stats.kstest(values[values != 0], "norm", args=(0.0, expected_std)).pvalue > P_MIN


#: (layer, constructor arguments): large enough that each random parameter has hundreds of draws
DEFAULT_INIT_LAYERS = [
    ("Linear", (300, 200)),
    ("Conv1d", (12, 300, 5)),
    ("Conv2d", (12, 60, 3, 1, 0, 1, 3)),  # groups=3: fan_in = 12 / 3 * 9
    ("Conv3d", (4, 300, (2, 3, 2))),
    ("ConvTranspose1d", (40, 90, 5)),
    ("ConvTranspose2d", (12, 300, 3, 1, 0, 0, 3)),  # groups=3: fan_in = 300 / 3 * 9
    ("ConvTranspose3d", (6, 200, 2)),
    ("Embedding", (100, 30, 3)),  # padding_idx=3: a zero row
    ("EmbeddingBag", (100, 30)),
    ("Bilinear", (30, 20, 400)),
    ("RNN", (30, 400, 2)),
    ("LSTM", (30, 100)),
    ("GRU", (30, 150)),
    ("RNNCell", (30, 400)),
    ("LSTMCell", (30, 100)),
    ("GRUCell", (30, 150)),
    ("LayerNorm", ((5, 6),)),
    ("GroupNorm", (2, 6)),
    ("RMSNorm", (6,)),
    ("BatchNorm1d", (7,)),
    ("BatchNorm2d", (7,)),
    ("BatchNorm3d", (7,)),
    ("InstanceNorm2d", (7, 1e-5, 0.1, True, True)),
    ("PReLU", (5, 0.1)),
    ("MultiheadAttention", (64, 4, 0.0, True, True)),  # add_bias_kv: xavier_normal_ bias_k, bias_v
    ("TransformerEncoderLayer", (32, 4, 64)),
]


@pytest.mark.parametrize(("name", "args"), DEFAULT_INIT_LAYERS, ids=[name for name, _ in DEFAULT_INIT_LAYERS])
def test_every_layers_default_initialisation_has_torchs_distribution(name, args):
    torch.manual_seed(0)
    autograd.manual_seed(0)
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    expected = {key: value.detach().numpy() for key, value in theirs.state_dict().items()}
    drawn = {key: np.asarray(value) for key, value in ours.state_dict().items()}
    assert list(drawn) == list(expected)
    for key, values in drawn.items():
        reference = expected[key]
        assert values.shape == reference.shape, key
        if reference.size <= 1 or (reference == reference.flat[0]).all():  # a constant: the same one
            np.testing.assert_array_equal(values, reference, err_msg=key)
            continue
        assert values.dtype == reference.dtype, key
        assert (values == 0).sum() == (reference == 0).sum(), key  # the padding row, nothing else
        pvalue = stats.ks_2samp(values.ravel(), reference.ravel()).pvalue
        assert pvalue > P_MIN, f"{key}: p = {pvalue:.2g}"


@pytest.mark.parametrize("shape", [(2, 3), (0, 3), (3, 0), (2, 3, 4), (2, 3, 4, 5, 6), (2, 0, 4)])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "FAN_OUT"])
def test_calculate_correct_fan_is_torchs_fan_of_the_mode(shape, mode):
    expected = torch.nn.init._calculate_correct_fan(torch.zeros(shape), mode)
    assert init._calculate_correct_fan(_zeros(shape), mode) == expected


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
def test_calculate_correct_fan_refuses_an_unknown_mode_first_and_fewer_than_2_dimensions(shape):
    with pytest.raises(ValueError, match="mode"):
        init._calculate_correct_fan(_zeros(shape), "bad")
    if len(shape) < 2:
        with pytest.raises(ValueError, match="at least 2 dimensions"):
            init._calculate_correct_fan(_zeros(shape), "fan_in")


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("xavier_uniform_", (-1.0,)),
        ("xavier_normal_", (-1.0,)),
        ("uniform_", (-math.inf, 0.0)),
        ("uniform_", (0.0, math.inf)),
        ("uniform_", (0.0, math.nan)),
    ],
)
def test_a_negative_gain_or_an_unbounded_range_is_torchs_runtime_error_naming_the_initialiser(name, args):
    with pytest.raises(RuntimeError):
        getattr(torch.nn.init, name)(torch.zeros(3, 4), *args)
    weight = _zeros((3, 4), np.float32)
    with pytest.raises(RuntimeError, match=rf"^{name}: "):
        getattr(init, name)(weight, *args)
    assert not weight.data.any()


@pytest.mark.filterwarnings("ignore:mean is more than 2 std from:UserWarning")  # (torch's, of its far-off points)
@pytest.mark.parametrize(("mean", "std", "point"), [(0.0, 1.0, 0.5), (0.0, 1.0, 5.0), (3.0, 0.1, -50.0)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_trunc_normal_on_a_single_point_fills_with_it_as_torchs(mean, std, point, dtype):
    expected = torch.nn.init.trunc_normal_(
        torch.zeros(3, 4, dtype=getattr(torch, np.dtype(dtype).name)), mean, std, point, point
    )
    weight = _zeros((3, 4), dtype)
    assert init.trunc_normal_(weight, mean, std, point, point) is weight
    np.testing.assert_array_equal(weight.data, expected.numpy())
