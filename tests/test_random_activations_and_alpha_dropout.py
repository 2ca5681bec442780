"""The random layers added with torch's names: RReLU / F.rrelu / F.rrelu_, F.gumbel_softmax, AlphaDropout /
FeatureAlphaDropout / F.alpha_dropout / F.feature_alpha_dropout. Their draws follow the library's conventions
(``rng`` as a Generator, a seed or None for the ``manual_seed`` state); the tests check the distributions, the
seeding, the eval-mode behaviour and the gradient given the drawn noise. Runs without torch."""

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from nn.functional.dropout import SELU_SATURATION

RNG = np.random.default_rng(11)


@pytest.fixture(autouse=True)
def _unseeded_after_each_test():
    yield
    autograd.random_state._seeded = None  # other tests keep fresh entropy, as a program that never seeds


def _alpha_constants(p):
    a = 1 / math.sqrt((SELU_SATURATION**2 * p + 1) * (1 - p))
    return a, SELU_SATURATION * a * p, SELU_SATURATION * a * (p - 1)


# -- rrelu ----------------------------------------------------------------------------------------------
def test_rrelu_training_draws_one_uniform_slope_per_negative_entry_and_its_gradient_is_that_slope():
    x = Tensor(RNG.uniform(-2, 2, 20000), requires_grad=True)
    out = F.rrelu(x, 0.1, 0.4, training=True, rng=3)
    out.sum().backward()
    negative = x.data < 0
    slopes = out.data[negative] / x.data[negative]
    assert slopes.min() >= 0.1 and slopes.max() <= 0.4
    assert abs(slopes.mean() - 0.25) < 0.005 and abs(slopes.var() - 0.3**2 / 12) < 0.0005
    np.testing.assert_allclose(x.grad[negative], slopes)
    np.testing.assert_array_equal(out.data[~negative], x.data[~negative])
    np.testing.assert_array_equal(x.grad[~negative], 1.0)


def test_rrelu_at_zero_takes_the_random_slope_as_torch():
    x = Tensor(np.zeros(3), requires_grad=True)
    F.rrelu(x, 0.2, 0.3, training=True, rng=0).sum().backward()
    assert ((x.grad >= 0.2) & (x.grad <= 0.3)).all()


def test_rrelu_draws_are_seeded_like_dropout():
    x = RNG.normal(size=(4, 5))
    np.testing.assert_array_equal(F.rrelu(x, training=True, rng=5).data, F.rrelu(x, training=True, rng=5).data)
    assert not np.array_equal(F.rrelu(x, training=True, rng=5).data, F.rrelu(x, training=True, rng=6).data)
    autograd.manual_seed(1)
    first = nn.RReLU()(x).data
    autograd.manual_seed(1)
    np.testing.assert_array_equal(nn.RReLU()(x).data, first)
    layer = nn.RReLU(rng=2)
    assert not np.array_equal(layer(x).data, layer(x).data)  # the layer's generator moves on


def test_rrelu_gradient_given_the_noise_matches_finite_differences():
    x = Tensor(RNG.uniform(-2, 2, (3, 4)), requires_grad=True)
    assert gradcheck(lambda t: F.rrelu(t, 0.1, 0.6, training=True, rng=9), [x])
    assert gradgradcheck(lambda t: (F.rrelu(t, 0.1, 0.6, training=True, rng=9) ** 2).sum(), [x])


def test_rrelu_in_eval_mode_is_leaky_relu_with_the_mean_slope():
    x = RNG.normal(size=50)
    expected = F.leaky_relu(x, (0.1 + 0.3) / 2).data
    np.testing.assert_array_equal(F.rrelu(x, 0.1, 0.3).data, expected)  # the function's default: not training
    np.testing.assert_array_equal(nn.RReLU(0.1, 0.3).eval()(x).data, expected)


def test_rrelu_in_place_writes_into_a_non_leaf_and_records_the_slopes():
    leaf = Tensor(RNG.uniform(-2, 2, 8), requires_grad=True)
    hidden = leaf * 2.0
    assert F.rrelu_(hidden, 0.1, 0.3, training=True, rng=4) is hidden
    np.testing.assert_array_equal(hidden.data, F.rrelu(leaf.data * 2.0, 0.1, 0.3, training=True, rng=4).data)
    assert gradcheck(lambda t: F.rrelu_(t * 2.0, 0.1, 0.3, training=True, rng=4), [leaf])
    with pytest.raises(RuntimeError, match="rrelu_: .*leaf"):
        F.rrelu_(leaf, training=True)


def test_rrelu_repr_and_errors_name_the_module():
    assert repr(nn.RReLU()) == "RReLU(lower=0.125, upper=0.3333333333333333)"
    assert repr(nn.RReLU(0.1, 0.3, True)) == "RReLU(lower=0.1, upper=0.3, inplace=True)"
    with pytest.raises(ValueError, match="RReLU: lower must not exceed upper"):
        nn.RReLU(0.5, 0.2)
    with pytest.raises(ValueError, match="rrelu: lower must not exceed upper"):
        F.rrelu(np.ones(2), 0.5, 0.2)
    with pytest.raises(TypeError, match="rrelu: training must be True or False"):
        F.rrelu(np.ones(2), training=1)
    with pytest.raises(TypeError, match="RReLU: rng must be"):
        nn.RReLU(rng="seed")


@pytest.mark.parametrize(("lower", "upper"), [(math.nan, 0.5), (0.0, math.inf), (-math.inf, 0.5)])
def test_rrelu_layer_with_a_nan_or_infinite_bound_is_torchs_runtime_error_as_its_function(lower, upper):
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.nn.RReLU(lower, upper)(torch.tensor([-1.0, 1.0]))
    with pytest.raises(RuntimeError, match="rrelu: .* must be finite"):
        F.rrelu(np.array([-1.0, 1.0]), lower, upper)
    with pytest.raises(RuntimeError, match="RReLU: .* must be finite"):
        nn.RReLU(lower, upper)


# -- gumbel_softmax -------------------------------------------------------------------------------------
def test_gumbel_softmax_samples_follow_the_softmax_of_the_logits():
    logits = np.log(np.array([0.5, 0.3, 0.15, 0.05]))
    samples = F.gumbel_softmax(np.tile(logits, (40000, 1)), tau=0.5, rng=0).data
    np.testing.assert_allclose(samples.sum(axis=-1), 1.0)
    frequencies = np.bincount(samples.argmax(axis=-1), minlength=4) / len(samples)
    np.testing.assert_allclose(frequencies, [0.5, 0.3, 0.15, 0.05], atol=0.01)


def test_gumbel_softmax_is_softmax_of_logits_plus_the_seeded_gumbel_noise_over_tau():
    logits = RNG.normal(size=(3, 5))
    noise = np.random.default_rng(8).gumbel(size=(3, 5))
    scaled = (logits + noise) / 0.7
    expected = np.exp(scaled - scaled.max(axis=0)) / np.exp(scaled - scaled.max(axis=0)).sum(axis=0)
    np.testing.assert_allclose(F.gumbel_softmax(logits, 0.7, dim=0, rng=8).data, expected, rtol=1e-12)


def test_hard_gumbel_softmax_is_one_hot_with_the_soft_sample_gradient():
    logits = Tensor(RNG.normal(size=(6, 4)), requires_grad=True)
    hard = F.gumbel_softmax(logits, 0.5, hard=True, rng=2)
    soft = F.gumbel_softmax(logits, 0.5, rng=2)
    np.testing.assert_array_equal(hard.data, np.eye(4)[soft.data.argmax(axis=-1)])
    weights = RNG.normal(size=(6, 4))
    (hard * weights).sum().backward()
    straight_through = logits.grad.copy()
    logits.grad = None
    (soft * weights).sum().backward()
    np.testing.assert_allclose(straight_through, logits.grad, rtol=1e-12)


def test_gumbel_softmax_gradient_given_the_noise_matches_finite_differences():
    logits = Tensor(RNG.normal(size=(3, 4)), requires_grad=True)
    assert gradcheck(lambda t: F.gumbel_softmax(t, 0.8, dim=0, rng=5), [logits])


def test_gumbel_softmax_arguments():
    with pytest.warns(UserWarning, match="eps"):
        F.gumbel_softmax(np.zeros(3), eps=1e-5, rng=0)
    with pytest.raises(TypeError, match="gumbel_softmax: tau must be a real number"):
        F.gumbel_softmax(np.zeros(3), tau="0.5")
    with pytest.raises(ValueError, match="gumbel_softmax: dim must be in"):
        F.gumbel_softmax(np.zeros((2, 3)), dim=2)
    np.testing.assert_array_equal(F.gumbel_softmax(np.zeros(3), rng=1).data, F.gumbel_softmax(np.zeros(3), rng=1).data)


# -- alpha dropout --------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.1, 0.3, 0.6])
def test_alpha_dropout_keeps_a_standardised_input_standardised(p):
    out = F.alpha_dropout(RNG.standard_normal(200000), p, training=True, rng=0).data
    assert abs(out.mean()) < 0.01 and abs(out.std() - 1) < 0.01


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_alpha_dropout_values_follow_torch_formula_and_gradient_is_the_masks_affine_factor(p):
    a, shift, dropped_value = _alpha_constants(p)
    x = Tensor(RNG.normal(size=5000), requires_grad=True)
    out = F.alpha_dropout(x, p, training=True, rng=1)
    out.sum().backward()
    kept = x.grad != 0
    assert abs(kept.mean() - (1 - p)) < 0.03
    np.testing.assert_allclose(x.grad[kept], a)
    np.testing.assert_allclose(out.data[kept], a * x.data[kept] + shift)
    np.testing.assert_allclose(out.data[~kept], dropped_value)


def test_alpha_dropout_gradient_given_the_mask_matches_finite_differences():
    x = Tensor(RNG.normal(size=(4, 5)), requires_grad=True)
    assert gradcheck(lambda t: F.alpha_dropout(t, 0.4, True, rng=6), [x])
    assert gradcheck(lambda t: F.feature_alpha_dropout(t.reshape(2, 2, 5), 0.4, True, rng=6), [x])


def test_alpha_dropout_is_the_identity_in_eval_mode_and_for_p_zero():
    x = Tensor(RNG.normal(size=(3, 4)))
    assert F.alpha_dropout(x) is x  # the function's default: not training
    assert F.feature_alpha_dropout(x, 0.5) is x
    assert F.alpha_dropout(x, 0.0, True) is x
    assert nn.AlphaDropout(0.3).eval()(x) is x
    assert nn.FeatureAlphaDropout(0.3).eval()(x) is x
    np.testing.assert_array_equal(F.alpha_dropout(x, 1.0, True).data, 0.0)


def test_feature_alpha_dropout_drops_whole_channels():
    p = 0.5
    a, shift, dropped_value = _alpha_constants(p)
    x = RNG.normal(size=(8, 6, 3, 2))
    out = nn.FeatureAlphaDropout(p, rng=3)(x).data
    dropped = np.isclose(out, dropped_value)
    per_channel = dropped.reshape(8, 6, -1)
    assert (per_channel.all(axis=-1) | ~per_channel.any(axis=-1)).all()
    assert 0 < per_channel.all(axis=-1).mean() < 1
    np.testing.assert_allclose(out[~dropped], a * x[~dropped] + shift)


def test_alpha_dropout_layers_are_seeded_like_dropout():
    x = RNG.normal(size=(5, 4))
    np.testing.assert_array_equal(nn.AlphaDropout(rng=4)(x).data, nn.AlphaDropout(rng=4)(x).data)
    autograd.manual_seed(3)
    first = F.alpha_dropout(x, training=True).data
    autograd.manual_seed(3)
    np.testing.assert_array_equal(F.alpha_dropout(x, training=True).data, first)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize(
    "drop",
    [
        lambda x: F.alpha_dropout(x, 0.3, True, rng=2),
        lambda x: F.feature_alpha_dropout(x, 0.3, True, rng=2),
        lambda x: nn.AlphaDropout(0.3, rng=2)(x),
        lambda x: nn.FeatureAlphaDropout(0.3, rng=2)(x),
    ],
    ids=["alpha_dropout", "feature_alpha_dropout", "AlphaDropout", "FeatureAlphaDropout"],
)
def test_alpha_dropout_keeps_a_float32_or_float16_inputs_dtype(drop, dtype):
    # as torch: a float32 network stays float32 (the next Linear rejected a float64 output)
    values = RNG.normal(size=(4, 6, 3))
    x = Tensor(values.astype(dtype), requires_grad=True)
    out = drop(x)
    out.sum().backward()
    assert out.dtype == dtype and x.grad.dtype == dtype
    expected = drop(Tensor(values.astype(dtype).astype(np.float64))).data  # the same draws, in float64
    np.testing.assert_allclose(out.data, expected, rtol=1e-3 if dtype == np.float16 else 1e-6, atol=1e-3)


def test_alpha_dropout_repr_and_errors():
    assert repr(nn.AlphaDropout()) == "AlphaDropout(p=0.5, inplace=False)"
    assert repr(nn.FeatureAlphaDropout(0.2)) == "FeatureAlphaDropout(p=0.2, inplace=False)"
    with pytest.raises(ValueError, match=r"AlphaDropout: p must be a probability in \[0, 1\]"):
        nn.AlphaDropout(1.5)
    with pytest.raises(ValueError, match="alpha_dropout: p must be a probability"):
        F.alpha_dropout(np.ones(2), -0.1, True)
    with pytest.raises(ValueError, match="feature_alpha_dropout: expected an input with at least 2 axes"):
        F.feature_alpha_dropout(np.ones(4), 0.5, True)


DROPOUTS_WITH_INPLACE = [
    (lambda x, inplace: F.dropout(x, 0.4, True, inplace, rng=5), "dropout"),
    (lambda x, inplace: F.dropout2d(x, 0.4, True, inplace, rng=5), "dropout2d"),
    (lambda x, inplace: F.alpha_dropout(x, 0.4, True, inplace, rng=5), "alpha_dropout"),
    (lambda x, inplace: F.feature_alpha_dropout(x, 0.4, True, inplace, rng=5), "feature_alpha_dropout"),
    (lambda x, inplace: F.rrelu(x, 0.1, 0.3, True, inplace, rng=5), "rrelu"),
    (lambda x, inplace: nn.Dropout(0.4, inplace=inplace, rng=5)(x), "Dropout"),
    (lambda x, inplace: nn.AlphaDropout(0.4, inplace=inplace, rng=5).train()(x), "AlphaDropout"),
    (lambda x, inplace: nn.RReLU(0.1, 0.3, inplace=inplace, rng=5)(x), "RReLU"),
]


@pytest.mark.parametrize(("apply", "name"), DROPOUTS_WITH_INPLACE, ids=[name for _, name in DROPOUTS_WITH_INPLACE])
def test_inplace_random_layers_write_the_same_draws_into_their_input_with_the_same_gradient(apply, name):
    values = RNG.normal(size=(3, 4, 5, 2))
    x_new, x_in_place = Tensor(values.copy(), requires_grad=True), Tensor(values.copy(), requires_grad=True)
    out = apply(x_new * 2.0, False)
    computed = x_in_place * 2.0
    written = apply(computed, True)
    assert written is computed
    np.testing.assert_array_equal(computed.data, out.data)
    (out * out).sum().backward()
    (written * written).sum().backward()
    np.testing.assert_array_equal(x_in_place.grad, x_new.grad)


@pytest.mark.parametrize("hard", [False, True])
def test_gumbel_softmax_of_one_logit_is_one_as_torchs(hard):
    """A 0-d input is one category (as softmax takes it): the sample is 1, its gradient 0; another dim than 0 or -1
    is refused."""
    x = Tensor(np.array(1.5), requires_grad=True)
    out = F.gumbel_softmax(x, hard=hard, rng=0)
    assert out.shape == () and out.item() == 1.0
    out.backward()
    assert x.grad == 0.0
    with pytest.raises(IndexError):
        F.gumbel_softmax(x, dim=1)
