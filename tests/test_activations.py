"""Tests for nn.activations: activation Modules, their reprs, and learnable parameters
(PReLU, Swish, Maxout, ACONC) whose gradients are checked by finite differences."""

import numpy as np
import pytest
from hypothesis import given

import nn
from autograd import Tensor, gradcheck
from autograd.testing import arrays


def _sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))


STATELESS = [
    (nn.Sigmoid(), _sigmoid),
    (nn.Tanh(), np.tanh),
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.LeakyReLU(0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
    (nn.ELU(2.0), lambda x: np.where(x > 0, x, 2.0 * np.expm1(x))),
    (nn.Softplus(3.0), lambda x: np.logaddexp(0, 3.0 * x) / 3.0),
    (nn.Swish(0.5), lambda x: x * _sigmoid(0.5 * x)),
    (nn.SiLU(), lambda x: x * _sigmoid(x)),
    (nn.Mish(), lambda x: x * np.tanh(np.logaddexp(0, x))),
    (nn.Step(), lambda x: (x > 0).astype(float)),
    (nn.Softmax(axis=0), lambda x: np.exp(x) / np.exp(x).sum(axis=0)),
    (nn.LogSoftmax(dim=-1), lambda x: x - np.log(np.exp(x).sum(axis=-1, keepdims=True))),
]


@pytest.mark.parametrize(("module", "reference"), STATELESS, ids=lambda m: type(m).__name__)
@given(x=arrays((3, 4), away_from=(0.0,)))
def test_activation_module_computes_its_formula(module, reference, x):
    np.testing.assert_allclose(module(x).data, reference(x), rtol=1e-12, atol=1e-12)
    assert module.parameters() == []


@pytest.mark.parametrize(
    ("module", "text"),
    [
        (nn.ReLU(), "ReLU()"),
        (nn.LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
        (nn.ELU(0.5), "ELU(alpha=0.5)"),
        (nn.Softplus(2), "Softplus(beta=2, threshold=20.0)"),
        (nn.ReLU(inplace=True), "ReLU(inplace=True)"),
        (nn.LeakyReLU(0.2, inplace=True), "LeakyReLU(negative_slope=0.2, inplace=True)"),
        (nn.Swish(), "Swish(beta=1.0, learnable=False)"),
        (nn.Swish(1.5, learnable=True), "Swish(beta=1.5, learnable=True)"),
        (nn.PReLU(4), "PReLU(num_parameters=4)"),
        (nn.Maxout(5, 3, 2, rng=0), "Maxout(in_features=5, out_features=3, pieces=2)"),
        (nn.ACONC(8, rng=0), "ACONC(num_features=8)"),
        (nn.Softmax(axis=1), "Softmax(dim=1)"),
        (nn.LogSoftmax(), "LogSoftmax(dim=None)"),
    ],
)
def test_activation_module_repr_shows_its_hyper_parameters(module, text):
    assert repr(module) == text


def _check_parameter_gradients(module, x):
    """The gradients of sum(module(x) * seed) w.r.t. x and every parameter pass autograd.gradcheck (float64)."""
    module.double()
    x = Tensor(np.asarray(x.data, dtype=np.float64))
    seed = np.random.default_rng(0).normal(size=module(x).shape)
    names = [name for name, _ in module.named_parameters()]

    def loss(x, *parameters):
        for name, parameter in zip(names, parameters):
            object.__setattr__(module, name, parameter)  # gradcheck's float64 leaves are plain Tensors
        return (module(x) * seed).sum()

    assert gradcheck(loss, [x] + [parameter for _, parameter in module.named_parameters()])


# -- PReLU -----------------------------------------------------------------------------
def test_prelu_starts_with_init_slope_in_float32():
    module = nn.PReLU(3, init=0.1)
    (weight,) = module.parameters()
    assert weight is module.weight
    assert weight.shape == (3,) and weight.dtype == np.float32
    np.testing.assert_array_equal(weight.data, np.float32(0.1))


def test_prelu_reset_parameters_puts_the_slope_back_to_init_in_place_as_torch():
    module = nn.PReLU(3, init=-0.4)
    assert (module.num_parameters, module.init) == (3, -0.4)  # torch's attribute names
    weight = module.weight
    weight.data[...] = 7.0
    module.reset_parameters()
    assert module.weight is weight
    np.testing.assert_array_equal(weight.data, np.full(3, -0.4, dtype=np.float32))


def test_prelu_rebuilt_from_its_architecture_keeps_its_init():
    from nn.architecture import describe, rebuild

    rebuilt = rebuild(describe(nn.PReLU(2, init=0.7, dtype=np.float64)))
    assert rebuilt.init == 0.7 and rebuilt.weight.dtype == np.float64
    np.testing.assert_array_equal(rebuilt.weight.data, [0.7, 0.7])


@given(x=arrays((2, 3, 2), away_from=(0.0,)))
def test_prelu_per_channel_slope_receives_finite_difference_gradient(x):
    module = nn.PReLU(3, init=0.2, dtype=np.float64)
    module.weight.data[:] = [0.1, -0.3, 0.6]
    _check_parameter_gradients(module, Tensor(x))
    assert gradcheck(module, [x])


def test_prelu_shared_slope_works_for_any_input_shape():
    module = nn.PReLU(dtype=np.float64)
    x = Tensor(-np.ones((2, 3, 4)))
    module(x).sum().backward()
    np.testing.assert_allclose(module.weight.grad, [-24.0])


# -- Swish -----------------------------------------------------------------------------
@given(x=arrays((3, 2)))
def test_learnable_swish_beta_receives_finite_difference_gradient(x):
    module = nn.Swish(0.7, learnable=True, dtype=np.float64)
    assert [name for name, _ in module.named_parameters()] == ["beta"]
    _check_parameter_gradients(module, Tensor(x))


def test_fixed_swish_has_no_parameters():
    assert nn.Swish(2.0).parameters() == []


# -- Maxout ----------------------------------------------------------------------------
def test_maxout_is_the_maximum_of_pieces_linear_maps():
    module = nn.Maxout(4, 3, 2, dtype=np.float64, rng=1)
    x = np.random.default_rng(2).normal(size=(5, 4))
    linear = x @ module.weight.data.T + module.bias.data
    expected = linear.reshape(5, 3, 2).max(axis=-1)
    out = module(x)
    assert out.shape == (5, 3)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)


def test_maxout_parameters_have_torch_layout_and_bounded_uniform_init():
    module = nn.Maxout(9, 4, 3, rng=0)
    assert [(name, p.shape, p.dtype) for name, p in module.named_parameters()] == [
        ("weight", (12, 9), np.float32),
        ("bias", (12,), np.float32),
    ]
    assert np.all(np.abs(module.weight.data) <= 1 / 3) and np.all(np.abs(module.bias.data) <= 1 / 3)
    np.testing.assert_array_equal(module.weight.data, nn.Maxout(9, 4, 3, rng=0).weight.data)
    assert not np.array_equal(module.weight.data, nn.Maxout(9, 4, 3, rng=1).weight.data)


def test_maxout_weights_and_input_receive_finite_difference_gradients():
    module = nn.Maxout(3, 2, 3, dtype=np.float64, rng=4)
    x = np.random.default_rng(5).normal(size=(4, 3))
    _check_parameter_gradients(module, Tensor(x))
    assert gradcheck(module, [x])


def test_maxout_rejects_input_of_the_wrong_width():
    with pytest.raises(
        ValueError, match=r"Maxout: expected input with last axis of size in_features=3, got shape \(2, 4\)"
    ):
        nn.Maxout(3, 2, 2)(np.ones((2, 4)))


# -- ACON-C ----------------------------------------------------------------------------
def test_aconc_initialises_p1_p2_from_rng_and_beta_to_one():
    module = nn.ACONC(5, rng=3)
    generator = np.random.default_rng(3)
    np.testing.assert_array_equal(module.p1.data, generator.standard_normal(5).astype(np.float32))
    np.testing.assert_array_equal(module.p2.data, generator.standard_normal(5).astype(np.float32))
    np.testing.assert_array_equal(module.beta.data, np.ones(5, dtype=np.float32))
    assert [name for name, _ in module.named_parameters()] == ["p1", "p2", "beta"]


def test_aconc_applies_parameters_per_channel():
    module = nn.ACONC(2, dtype=np.float64, rng=0)
    module.p1.data[:] = [1.0, 2.0]
    module.p2.data[:] = [0.0, 0.5]
    module.beta.data[:] = [1.0, -1.0]
    x = np.random.default_rng(1).normal(size=(3, 2, 4))
    p1, p2, beta = (v.data.reshape(2, 1) for v in (module.p1, module.p2, module.beta))
    expected = (p1 - p2) * x * _sigmoid(beta * (p1 - p2) * x) + p2 * x
    np.testing.assert_allclose(module(x).data, expected, rtol=1e-12)


@given(x=arrays((2, 3, 2)))
def test_aconc_parameters_receive_finite_difference_gradients(x):
    module = nn.ACONC(3, dtype=np.float64, rng=7)
    _check_parameter_gradients(module, Tensor(x))


def test_aconc_with_one_feature_shares_its_parameters_over_all_inputs():
    module = nn.ACONC(dtype=np.float64, rng=0)
    out = module(np.ones((2, 5, 3)))
    assert out.shape == (2, 5, 3)
    out.sum().backward()
    assert module.p1.grad.shape == (1,)


# -- errors ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: nn.LeakyReLU("0.1"), TypeError, "LeakyReLU: negative_slope must be a real number"),
        (lambda: nn.ELU(float("inf")), ValueError, "ELU: alpha must be finite"),
        (lambda: nn.Softplus(float("nan")), ValueError, "Softplus: beta must be finite"),
        (lambda: nn.PReLU(0), ValueError, "PReLU: num_parameters must be a positive integer, got 0"),
        (lambda: nn.PReLU(2, dtype=np.int32), TypeError, "PReLU: dtype must be a floating-point dtype, got int32"),
        (lambda: nn.Swish(beta=[1.0]), TypeError, "Swish: beta must be a real number"),
        (lambda: nn.Maxout(3, 2, 0), ValueError, "Maxout: pieces must be a positive integer, got 0"),
        (lambda: nn.Maxout(3.0, 2, 2), TypeError, "Maxout: in_features must be a positive integer, got 3.0"),
        (lambda: nn.ACONC(-1), ValueError, "ACONC: num_features must be a positive integer, got -1"),
        (lambda: nn.Softmax(axis=1.0), TypeError, "Softmax: axis must be an integer"),
        (lambda: nn.LogSoftmax(axis=True), TypeError, "LogSoftmax: axis must be an integer"),
    ],
)
def test_activation_module_rejects_bad_hyper_parameters(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_prelu_rejects_input_whose_channels_do_not_match():
    with pytest.raises(
        ValueError, match=r"prelu: weight must be .* got weight of shape \(3,\) for input of shape \(2, 4\)"
    ):
        nn.PReLU(3)(np.ones((2, 4), dtype=np.float32))
