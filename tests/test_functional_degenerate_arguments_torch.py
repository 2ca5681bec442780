"""Arguments at the edge of their range that torch computes with (a nan bound or fill value, beta = 0, tau = 0, a
negative max_norm, an output size of 0, ...): the values, and the gradients where there are any, are torch's."""

import math

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

X = np.array([-30.0, -1.0, -0.5, 0.0, 0.5, 1.0, 30.0, np.nan, np.inf, -np.inf])


def _values_and_gradients(ours_fn, theirs_fn, array=X):
    ours_x, theirs_x = Tensor(array.copy(), requires_grad=True), torch.tensor(array, requires_grad=True)
    got, expected = ours_fn(ours_x), theirs_fn(theirs_x)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-12, atol=0)
    seed = np.linspace(0.5, 2.0, got.size).reshape(got.shape)
    got.backward(seed)
    expected.backward(torch.tensor(seed))
    np.testing.assert_allclose(ours_x.grad, theirs_x.grad.numpy(), rtol=1e-12, atol=0)


@pytest.mark.parametrize(("limit", "fill"), [(0.5, math.nan), (math.nan, 2.0), (math.nan, math.nan), (0.5, -math.inf)])
def test_threshold_takes_a_nan_threshold_or_value_as_torch(limit, fill):
    _values_and_gradients(lambda x: F.threshold(x, limit, fill), lambda x: TF.threshold(x, limit, fill))
    _values_and_gradients(lambda x: nn.Threshold(limit, fill)(x), lambda x: torch.nn.Threshold(limit, fill)(x))


@pytest.mark.parametrize(
    "options", [{"beta": 0.0}, {"beta": -0.0}, {"beta": 0, "threshold": -1.0}, {"beta": 0.0, "threshold": math.nan}]
)
def test_softplus_with_beta_zero_is_torchs(options):
    _values_and_gradients(lambda x: F.softplus(x, **options), lambda x: TF.softplus(x, **options))
    _values_and_gradients(lambda x: nn.Softplus(**options)(x), lambda x: torch.nn.Softplus(**options)(x))


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("options", [{"beta": 0.0}, {"beta": -0.0}, {"beta": 0.0, "threshold": -1.0}])
def test_softplus_with_beta_zero_in_single_or_half_precision_has_torchs_gradient(dtype, options):
    """The slope is sigmoid(0) = 1/2 on the smooth piece (1 on the linear one), not nan: below float64, where 1/beta
    overflows the dtype, the smooth piece still has its own derivative rule."""
    array = np.array([-30.0, -1.0, 0.0, 0.5, 30.0], dtype=dtype)
    ours_x, theirs_x = Tensor(array.copy(), requires_grad=True), torch.tensor(array, requires_grad=True)
    got, expected = F.softplus(ours_x, **options), TF.softplus(theirs_x, **options)
    np.testing.assert_array_equal(got.data, expected.detach().numpy())
    got.sum().backward()
    expected.sum().backward()
    np.testing.assert_array_equal(ours_x.grad, theirs_x.grad.numpy())


def _one_at_a_time(function):
    """torch's ``function`` entry by entry: its scalar kernel (its vectorised one gives another gradient at a nan,
    0 where the scalar one gives 1, so which one a given entry meets depends on its position and the CPU)."""
    return lambda x: torch.stack([function(entry.reshape(1))[0] for entry in x])


@pytest.mark.parametrize(("low", "high"), [(math.nan, 1.0), (-1.0, math.nan), (math.nan, math.nan)])
def test_hardtanh_with_a_nan_bound_is_torchs(low, high):
    """Every value nan; the gradient 0 only at and beyond the other bound (torch's scalar kernel)."""
    _values_and_gradients(lambda x: F.hardtanh(x, low, high), _one_at_a_time(lambda x: TF.hardtanh(x, low, high)))
    _values_and_gradients(lambda x: nn.Hardtanh(low, high)(x), _one_at_a_time(torch.nn.Hardtanh(low, high)))
    ours, theirs = Tensor(X.copy()), torch.tensor(X)
    F.hardtanh_(ours, low, high), TF.hardtanh_(theirs, low, high)
    np.testing.assert_array_equal(ours.data, theirs.numpy())


@pytest.mark.parametrize("tau", [0.0, -0.0, math.nan])
@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax_with_a_zero_or_nan_tau_is_nan_as_torchs(tau, hard):
    logits = np.array([[-1.0, 0.0, 1.0], [2.0, 2.0, 2.0]])
    _values_and_gradients(
        lambda x: F.gumbel_softmax(x, tau=tau, hard=hard, rng=0),
        lambda x: TF.gumbel_softmax(x, tau=tau, hard=hard),
        logits,
    )


@pytest.mark.parametrize("tau", [-1.0, -0.25, math.inf, -math.inf])
def test_gumbel_softmax_takes_a_negative_or_infinite_tau_as_torch(tau):
    """The noise differs (our generator, torch's), so the sample is checked against the formula on our noise, and
    an infinite tau (every noise divided away) against torch."""
    logits = np.array([[-1.0, 0.0, 1.0], [2.0, 0.5, -2.0]])
    got = F.gumbel_softmax(logits, tau=tau, rng=3)
    noise = np.random.default_rng(3).gumbel(size=logits.shape)
    scaled = (logits + noise) / tau
    expected = np.exp(scaled - scaled.max(axis=-1, keepdims=True))
    np.testing.assert_allclose(got.data, expected / expected.sum(axis=-1, keepdims=True), rtol=1e-12)
    if math.isinf(tau):
        _values_and_gradients(
            lambda x: F.gumbel_softmax(x, tau=tau, rng=0), lambda x: TF.gumbel_softmax(x, tau=tau), logits
        )


@pytest.mark.parametrize(
    ("max_norm", "norm_type"),
    [
        (-1.0, 2.0),
        (0.0, 2.0),
        (1.0, 0.0),
        (1.0, -1.0),
        (1.0, -math.inf),
        (1.0, math.inf),
        (math.nan, 2.0),
        (1.0, math.nan),
    ],
)
def test_embedding_renormalises_with_any_max_norm_and_norm_type_as_torch(max_norm, norm_type):
    """torch rescales every row read whose norm exceeds max_norm (all of them for a negative one); norm_type 0
    counts the non-zero entries, a negative one is (sum |w|^p)^(1/p) (0 for a row holding a 0); nan changes nothing."""
    table = np.array([[3.0, 4.0], [0.5, 0.0], [0.0, 0.0], [-1.0, 2.0]])
    indices = np.array([[0, 1], [2, 0]])
    for ours_fn, theirs_fn in [
        (
            lambda w: F.embedding(indices, w, max_norm=max_norm, norm_type=norm_type),
            lambda w: TF.embedding(torch.tensor(indices), w, max_norm=max_norm, norm_type=norm_type),
        ),
        (
            lambda w: F.embedding_bag(indices, w, max_norm=max_norm, norm_type=norm_type, mode="sum"),
            lambda w: TF.embedding_bag(torch.tensor(indices), w, max_norm=max_norm, norm_type=norm_type, mode="sum"),
        ),
    ]:
        ours_w, theirs_w = Tensor(table.copy()), torch.tensor(table)
        np.testing.assert_allclose(ours_fn(ours_w).data, theirs_fn(theirs_w).numpy(), rtol=1e-12)
        np.testing.assert_allclose(ours_w.data, theirs_w.numpy(), rtol=1e-12)
    layer = nn.Embedding(4, 2, max_norm=max_norm, norm_type=norm_type, _weight=table.copy())
    theirs = torch.nn.Embedding(4, 2, max_norm=max_norm, norm_type=norm_type, _weight=torch.tensor(table))
    np.testing.assert_allclose(layer(indices).data, theirs(torch.tensor(indices)).detach().numpy(), rtol=1e-12)
    assert repr(layer) == repr(theirs)


@pytest.mark.parametrize("value", [True, False])
@pytest.mark.parametrize("dtype", [np.int64, np.float64, np.bool_])
def test_pad_takes_a_bool_value_as_torch(value, dtype):
    array = np.array([[1, 0], [3, 4]]).astype(dtype)
    got = F.pad(Tensor(array), (1, 2), value=value)
    expected = TF.pad(torch.tensor(array), (1, 2), value=value)
    assert got.dtype == expected.numpy().dtype
    np.testing.assert_array_equal(got.data, expected.numpy())


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape", [(3,), (2, 3), (1, 2, 3)])
def test_pad_without_widths_in_a_mode_reading_the_input_is_not_implemented_as_in_torch(mode, shape):
    with pytest.raises(NotImplementedError):
        TF.pad(torch.zeros(shape), (), mode=mode)
    with pytest.raises(NotImplementedError, match=f"pad: mode '{mode}' needs 2, 4 or 6 widths, got 0"):
        F.pad(np.zeros(shape), (), mode=mode)


@pytest.mark.parametrize(
    ("shape", "resize"),
    [
        ((2, 3, 1), {"scale_factor": 0.5}),
        ((2, 3, 4), {"size": 0}),
        ((2, 3, 4, 5), {"size": (0, 3)}),
        ((2, 3, 4, 5), {"scale_factor": (0.1, 1.0)}),
        ((1, 2, 3, 4, 5), {"size": (2, 0, 1)}),
    ],
)
def test_area_interpolation_to_no_entries_is_empty_as_in_torch(shape, resize):
    """torch's adaptive average pooling gives an empty result (the other modes refuse an output size of 0);
    nothing reads the input, so its gradient is 0 (torch's backward refuses the empty gradient)."""
    array = np.random.default_rng(0).normal(size=shape)
    x = Tensor(array, requires_grad=True)
    got = F.interpolate(x, mode="area", **resize)
    assert got.shape == tuple(TF.interpolate(torch.tensor(array), mode="area", **resize).shape)
    got.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(shape))
    with pytest.raises(ValueError, match="interpolate"):
        F.interpolate(x, mode="nearest", **resize)


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
def test_softmax_family_takes_torchs_positional_stacklevel_and_dtype(name):
    """torch's signature is (input, dim=None, _stacklevel=3, dtype=None): a third positional argument is the
    stack level, a fourth the dtype."""
    array = np.array([[1.0, 2.0, -1.0], [0.5, 0.0, 3.0]])
    ours, theirs = getattr(F, name), getattr(TF, name)
    np.testing.assert_allclose(ours(array, 1, 3).data, theirs(torch.tensor(array), 1, 3).numpy(), rtol=1e-12)
    got, expected = ours(array, 0, 5, np.float32), theirs(torch.tensor(array), 0, 5, torch.float32)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-6)


@pytest.mark.parametrize(
    "build",
    [
        lambda lib: lib.Hardtanh(-2, 3),
        lambda lib: lib.Hardtanh(-2, 3, True),
        lambda lib: lib.Hardtanh(),
        lambda lib: lib.Softplus(2, 10),
        lambda lib: lib.Softplus(beta=0.5),
        lambda lib: lib.Threshold(1, 2),
        lambda lib: lib.Threshold(0.5, 2.5, inplace=True),
        lambda lib: lib.EmbeddingBag(10, 3, include_last_offset=True),
        lambda lib: lib.EmbeddingBag(
            10, 3, max_norm=1, norm_type=3, scale_grad_by_freq=True, mode="sum", padding_idx=2
        ),
        lambda lib: lib.Embedding(10, 3, max_norm=2, norm_type=1),
    ],
)
def test_module_reprs_show_the_numbers_as_given_as_torchs(build):
    assert repr(build(nn)) == repr(build(torch.nn))
