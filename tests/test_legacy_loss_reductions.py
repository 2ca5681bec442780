"""torch's deprecated ``size_average`` and ``reduce`` on every loss and loss layer torch gives them: given, either
one overrides ``reduction`` by torch's rule (None counts as True: both true "mean", ``reduce`` alone "sum",
``reduce=False`` "none") with a UserWarning at the caller; anything but a bool or None is refused naming the
argument; values and gradients equal the explicit reduction's and torch's. Also torch 2.13's ``weight`` of
``mse_loss`` and ``l1_loss``: the weighted terms, their weighted mean sum(w t) / sum(w), and the gradients."""

from __future__ import annotations

import inspect
import math
import re
import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

RNG = np.random.default_rng(0)
SIGNS = np.array([1.0, -1.0, -1.0, 1.0, 1.0, -1.0])
CLASSES = np.array([2, 0, 1, 1, 0])
CLASS_WEIGHTS = np.array([0.5, 2.0, 1.5])

#: (size_average, reduce) and the reduction torch reads from them.
LEGACY = [
    (None, False, "none"),
    (True, False, "none"),
    (False, False, "none"),
    (False, None, "sum"),
    (False, True, "sum"),
    (True, True, "mean"),
    (None, True, "mean"),
    (True, None, "mean"),
]
LEGACY_IDS = [f"size_average={s}-reduce={r}" for s, r, _ in LEGACY]


def _normal(*shape):
    return RNG.normal(size=shape)


def _log_softmax(x):
    shifted = x - x.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


# function name -> (its inputs, how many of them (the first ones) take gradients, its options)
CASES = {
    "mse_loss": (lambda: (_normal(3, 4), _normal(3, 4)), 2, {}),
    "l1_loss": (lambda: (_normal(3, 4), _normal(3, 4)), 2, {}),
    "smooth_l1_loss": (lambda: (_normal(3, 4), _normal(3, 4)), 2, {"beta": 0.5}),
    "binary_cross_entropy": (
        lambda: (RNG.uniform(0.05, 0.95, (3, 4)), RNG.uniform(0, 1, (3, 4))),
        1,
        {"weight": RNG.uniform(0.5, 2.0, (3, 4))},
    ),
    "binary_cross_entropy_with_logits": (
        lambda: (_normal(3, 4) * 2, RNG.uniform(0, 1, (3, 4))),
        1,
        {"weight": RNG.uniform(0.5, 2.0, (3, 4)), "pos_weight": RNG.uniform(0.5, 3.0, (4,))},
    ),
    "cross_entropy": (lambda: (_normal(5, 3), CLASSES), 1, {"weight": CLASS_WEIGHTS, "label_smoothing": 0.1}),
    "nll_loss": (lambda: (_log_softmax(_normal(5, 3)), CLASSES), 1, {"weight": CLASS_WEIGHTS, "ignore_index": 0}),
    "multi_margin_loss": (lambda: (_normal(5, 3), CLASSES), 1, {"p": 2, "weight": CLASS_WEIGHTS}),
    "multilabel_soft_margin_loss": (
        lambda: (_normal(5, 3), (RNG.uniform(size=(5, 3)) > 0.5).astype(float)),
        1,
        {"weight": CLASS_WEIGHTS},
    ),
    "multilabel_margin_loss": (
        lambda: (_normal(4, 3), np.array([[2, -1, 0], [0, 1, -1], [1, 2, 0], [-1, 0, 0]])),
        1,
        {},
    ),
    "margin_ranking_loss": (lambda: (_normal(6), _normal(6), SIGNS), 2, {"margin": 0.3}),
    "hinge_embedding_loss": (lambda: (np.abs(_normal(6)) * 1.5, SIGNS), 1, {"margin": 1.2}),
    "soft_margin_loss": (lambda: (_normal(6) * 2, SIGNS), 1, {}),
    "cosine_embedding_loss": (lambda: (_normal(6, 3), _normal(6, 3), SIGNS), 2, {"margin": -0.2}),
    "triplet_margin_loss": (lambda: (_normal(5, 4), _normal(5, 4), _normal(5, 4)), 3, {"margin": 2.0, "swap": True}),
    "poisson_nll_loss": (
        lambda: (RNG.uniform(0.5, 3.0, 6), np.array([0.0, 1.0, 2.0, 5.0, 3.0, 1.0])),
        1,
        {"log_input": False, "full": True},
    ),
    "kl_div": (lambda: (_log_softmax(_normal(3, 4)), np.exp(_log_softmax(_normal(3, 4)))), 1, {}),
}

# layer name -> the function it computes; a layer takes that function's options in its constructor
MODULES = {
    "MSELoss": "mse_loss",
    "L1Loss": "l1_loss",
    "SmoothL1Loss": "smooth_l1_loss",
    "BCELoss": "binary_cross_entropy",
    "BCEWithLogitsLoss": "binary_cross_entropy_with_logits",
    "CrossEntropyLoss": "cross_entropy",
    "NLLLoss": "nll_loss",
    "MultiMarginLoss": "multi_margin_loss",
    "MultiLabelSoftMarginLoss": "multilabel_soft_margin_loss",
    "MultiLabelMarginLoss": "multilabel_margin_loss",
    "MarginRankingLoss": "margin_ranking_loss",
    "HingeEmbeddingLoss": "hinge_embedding_loss",
    "SoftMarginLoss": "soft_margin_loss",
    "CosineEmbeddingLoss": "cosine_embedding_loss",
    "TripletMarginLoss": "triplet_margin_loss",
    "PoissonNLLLoss": "poisson_nll_loss",
    "KLDivLoss": "kl_div",
}


def _leaves(arrays, differentiable):
    """The inputs as Tensors, the first ``differentiable`` of them taking gradients (integer targets stay arrays)."""
    return [Tensor(a, requires_grad=True) if i < differentiable else a for i, a in enumerate(arrays)]


def _value_and_gradients(loss, arrays, differentiable):
    """``loss(*inputs)``'s value and the gradients of its sum with respect to the differentiable inputs."""
    inputs = _leaves(arrays, differentiable)
    value = loss(*inputs)
    value.sum().backward()
    return value.data, [x.grad for x in inputs[:differentiable]]


def _quietly(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


def _assert_same(ours, theirs):
    value, gradients = ours
    their_value, their_gradients = theirs
    np.testing.assert_allclose(value, their_value, rtol=1e-12, atol=1e-15)
    for gradient, their_gradient in zip(gradients, their_gradients):
        np.testing.assert_allclose(gradient, their_gradient, rtol=1e-12, atol=1e-15)


# -- without torch ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("size_average", "reduce", "reduction"), LEGACY, ids=LEGACY_IDS)
@pytest.mark.parametrize("name", CASES)
def test_legacy_flags_give_the_explicit_reductions_value_and_gradient_with_a_warning(
    name, size_average, reduce, reduction
):
    make, differentiable, options = CASES[name]
    arrays, function = make(), getattr(F, name)
    with pytest.warns(UserWarning, match=rf"{name}: size_average and reduce are deprecated.*'{reduction}'"):
        legacy = _value_and_gradients(
            lambda *x: function(*x, **options, size_average=size_average, reduce=reduce), arrays, differentiable
        )
    explicit = _value_and_gradients(lambda *x: function(*x, **options, reduction=reduction), arrays, differentiable)
    _assert_same(legacy, explicit)


@pytest.mark.parametrize(("size_average", "reduce", "reduction"), LEGACY, ids=LEGACY_IDS)
@pytest.mark.parametrize("name", MODULES)
def test_legacy_flags_set_a_loss_layers_reduction_with_a_warning(name, size_average, reduce, reduction):
    make, differentiable, options = CASES[MODULES[name]]
    arrays = make()
    with pytest.warns(UserWarning, match=rf"{name}: size_average and reduce are deprecated.*'{reduction}'"):
        legacy = getattr(nn, name)(**options, size_average=size_average, reduce=reduce)
    explicit = getattr(nn, name)(**options, reduction=reduction)
    assert legacy.reduction == reduction
    assert repr(legacy) == repr(explicit)
    _assert_same(
        _value_and_gradients(legacy, arrays, differentiable), _value_and_gradients(explicit, arrays, differentiable)
    )


def test_legacy_flags_set_nll_loss_2ds_reduction_beside_its_own_deprecation_warning():
    with pytest.warns(FutureWarning, match="NLLLoss2d"), pytest.warns(UserWarning, match="NLLLoss2d: size_average"):
        loss = nn.NLLLoss2d(size_average=False)
    assert loss.reduction == "sum"


@pytest.mark.parametrize("name", ["mse_loss", "cross_entropy", "triplet_margin_loss"])
def test_legacy_flags_override_an_explicit_reduction_as_in_torch(name):
    make, _, options = CASES[name]
    arrays = make()
    function = getattr(F, name)
    with pytest.warns(UserWarning, match="deprecated"):
        legacy = function(*arrays, **options, reduction="mean", reduce=False)
    np.testing.assert_array_equal(legacy.data, function(*arrays, **options, reduction="none").data)
    with pytest.warns(UserWarning, match="deprecated"):
        assert nn.MSELoss("none", size_average=False).reduction == "sum"


def test_the_deprecation_warning_points_at_the_caller():
    x = np.zeros(3)
    with pytest.warns(UserWarning) as function_warnings:
        F.mse_loss(x, x, size_average=False)
    with pytest.warns(UserWarning) as layer_warnings:
        nn.CrossEntropyLoss(reduce=False)
    assert [w.filename for w in [*function_warnings, *layer_warnings]] == [__file__, __file__]


@pytest.mark.parametrize("name", CASES)
def test_losses_without_the_legacy_flags_do_not_warn(name):
    """No deprecation warning (kl_div's default "mean" has torch's own warning, which is not about them)."""
    make, _, options = CASES[name]
    arrays = make()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message="kl_div: reduction='mean'", category=UserWarning)
        getattr(F, name)(*arrays, **options)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", message="kl_div: reduction='mean'", category=UserWarning)
        [layer] = [layer for layer, function in MODULES.items() if function == name]
        getattr(nn, layer)(**options)(*arrays)


@pytest.mark.parametrize(("flag", "value"), [("size_average", "yes"), ("reduce", 1), ("reduce", "none")])
@pytest.mark.parametrize("name", CASES)
def test_bad_legacy_flags_are_refused_naming_the_loss_and_the_argument(name, flag, value):
    make, _, options = CASES[name]
    arrays = make()
    with pytest.raises(TypeError, match=rf"{name}: {flag} must be True or False, got {value!r}"):
        getattr(F, name)(*arrays, **options, **{flag: value})
    [layer] = [layer for layer, function in MODULES.items() if function == name]
    with pytest.raises(TypeError, match=rf"{layer}: {flag} must be True or False, got {value!r}"):
        getattr(nn, layer)(**options, **{flag: value})


@pytest.mark.parametrize("owner", [*CASES, *MODULES])
def test_the_legacy_flags_are_keyword_only_and_none_by_default(owner):
    parameters = inspect.signature(getattr(nn, owner) if owner in MODULES else getattr(F, owner)).parameters
    # kl_div and KLDivLoss had them first, in torch's order, before this library took them anywhere else
    kind = "POSITIONAL_OR_KEYWORD" if owner in ("kl_div", "KLDivLoss") else "KEYWORD_ONLY"
    for flag in ("size_average", "reduce"):
        assert parameters[flag].kind.name == kind and parameters[flag].default is None


@pytest.mark.parametrize("call", [lambda: F.mse_loss(np.zeros(2), np.zeros(2), False), lambda: nn.L1Loss(False)])
def test_a_legacy_flag_in_the_reduction_slot_is_not_taken_for_one(call):
    with pytest.raises(ValueError, match="reduction"):
        call()


# -- weight of mse_loss and l1_loss -----------------------------------------------------------------------
def _errors(name, prediction, target):
    error = prediction - target
    return error * error if name == "mse_loss" else np.abs(error)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_weight_scales_each_term_and_the_mean_divides_by_the_sum_of_the_weights(name):
    prediction, target, weight = _normal(2, 3), _normal(2, 3), RNG.uniform(0, 2, (2, 3))
    terms = weight * _errors(name, prediction, target)
    function = getattr(F, name)
    np.testing.assert_allclose(function(prediction, target, "none", weight=weight).data, terms, rtol=1e-15)
    assert function(prediction, target, "sum", weight=weight).item() == pytest.approx(terms.sum(), rel=1e-14)
    assert function(prediction, target, weight=weight).item() == pytest.approx(terms.sum() / weight.sum(), rel=1e-14)
    with pytest.warns(UserWarning, match="deprecated"):
        legacy = function(prediction, target, size_average=True, reduce=True, weight=weight)
    assert legacy.item() == pytest.approx(terms.sum() / weight.sum(), rel=1e-14)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_a_tensor_weight_gets_the_weighted_means_gradient(name):
    prediction, target = _normal(4), _normal(4)
    weight = Tensor(RNG.uniform(0.5, 2, 4), requires_grad=True)
    x = Tensor(prediction, requires_grad=True)
    loss = getattr(F, name)(x, target, weight=weight)
    loss.backward()
    terms = _errors(name, prediction, target)
    np.testing.assert_allclose(weight.grad, (terms - loss.item()) / weight.data.sum(), rtol=1e-12)
    slope = 2 * (prediction - target) if name == "mse_loss" else np.sign(prediction - target)
    np.testing.assert_allclose(x.grad, weight.data * slope / weight.data.sum(), rtol=1e-12)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
@pytest.mark.parametrize("shape", [(3,), (1, 3), (2, 1), (2, 3, 1), ()])
def test_a_weight_not_of_the_inputs_shape_is_refused_not_broadcast(name, shape):
    with pytest.raises(ValueError, match=rf"{name}: weight of shape {re.escape(str(shape))}.*input's shape \(2, 3\)"):
        getattr(F, name)(np.zeros((2, 3)), np.ones((2, 3)), weight=np.ones(shape))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_weights_summing_to_zero_give_the_quotient_by_zero_as_torch(name):
    # sum(w t) / sum(w) with sum(w) = 0: 0/0 = nan, x/0 = +-inf (IEEE), quietly
    target = np.zeros(3)
    cases = [
        (np.ones(3), np.zeros(3), math.nan),
        (np.ones(3), np.array([1.0, -1.0, 0.0]), math.nan),
        (np.array([2.0, 1.0, 1.0]), np.array([1.0, -1.0, 0.0]), math.inf),
    ]
    for prediction, weight, expected in cases:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            mean = getattr(F, name)(prediction, target, weight=weight).item()
        assert mean == expected or (math.isnan(expected) and math.isnan(mean))
        assert getattr(F, name)(prediction, target, "sum", weight=weight).item() == np.sum(
            weight * (np.abs(prediction) if name == "l1_loss" else prediction**2)
        )
    assert math.isnan(getattr(F, name)(np.zeros(0), np.zeros(0), weight=np.zeros(0)).item())
    torch = pytest.importorskip("torch")
    for prediction, weight, expected in cases:
        theirs = getattr(torch.nn.functional, name)(
            torch.tensor(prediction), torch.tensor(target), weight=torch.tensor(weight)
        ).item()
        assert theirs == expected or (math.isnan(expected) and math.isnan(theirs))


@pytest.mark.parametrize("weight", ["sum", np.array(["a", "b"]), [True, None]])
def test_a_weight_of_anything_but_real_numbers_is_refused_naming_it(weight):
    with pytest.raises(TypeError, match="mse_loss: weight must hold real numbers"):
        F.mse_loss(np.zeros(2), np.zeros(2), weight=weight)


# -- against torch ----------------------------------------------------------------------------------------
def _torch_inputs(torch, arrays, differentiable):
    return [torch.tensor(a, requires_grad=i < differentiable) for i, a in enumerate(arrays)]


def _torch_options(torch, options):
    return {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}


def _torch_value_and_gradients(loss, inputs, differentiable):
    value = _quietly(loss, *inputs)
    value.sum().backward()
    return value.detach().numpy(), [x.grad.numpy() for x in inputs[:differentiable]]


@pytest.mark.parametrize(("size_average", "reduce", "reduction"), LEGACY, ids=LEGACY_IDS)
@pytest.mark.parametrize("name", CASES)
def test_legacy_flags_give_torchs_value_and_gradient(name, size_average, reduce, reduction):
    torch = pytest.importorskip("torch")
    make, differentiable, options = CASES[name]
    arrays = make()
    legacy = {"size_average": size_average, "reduce": reduce}
    ours = _value_and_gradients(lambda *x: _quietly(getattr(F, name), *x, **options, **legacy), arrays, differentiable)
    function, their_options = getattr(torch.nn.functional, name), _torch_options(torch, options)
    theirs = _torch_value_and_gradients(
        lambda *x: function(*x, **their_options, **legacy), _torch_inputs(torch, arrays, differentiable), differentiable
    )
    _assert_same(ours, theirs)


@pytest.mark.parametrize(("size_average", "reduce", "reduction"), LEGACY, ids=LEGACY_IDS)
@pytest.mark.parametrize("name", MODULES)
def test_loss_layers_with_legacy_flags_give_torchs_reduction_value_and_gradient(name, size_average, reduce, reduction):
    torch = pytest.importorskip("torch")
    make, differentiable, options = CASES[MODULES[name]]
    arrays = make()
    legacy = {"size_average": size_average, "reduce": reduce}
    ours = _quietly(getattr(nn, name), **options, **legacy)
    theirs = _quietly(getattr(torch.nn, name), **_torch_options(torch, options), **legacy)
    assert ours.reduction == theirs.reduction == reduction
    _assert_same(
        _value_and_gradients(ours, arrays, differentiable),
        _torch_value_and_gradients(theirs, _torch_inputs(torch, arrays, differentiable), differentiable),
    )


def test_every_torch_loss_with_the_legacy_flags_has_them_here():
    torch = pytest.importorskip("torch")
    functions = {
        name
        for name in dir(torch.nn.functional)
        if callable(getattr(torch.nn.functional, name))
        and not name.startswith("_")
        and "size_average" in _parameters(getattr(torch.nn.functional, name))
    }
    layers = {
        name
        for name in dir(torch.nn)
        if isinstance(getattr(torch.nn, name), type)
        and name.endswith("Loss")
        and "size_average" in _parameters(getattr(torch.nn, name))
    }
    assert functions == set(CASES)
    assert layers == set(MODULES)


def _parameters(callable_):
    try:
        return inspect.signature(callable_).parameters
    except (TypeError, ValueError):
        return {}


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 3, 4)])
@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_weighted_mse_and_l1_losses_give_torchs_values_and_gradients(name, shape, reduction):
    torch = pytest.importorskip("torch")
    prediction, target, weight = _normal(*shape), _normal(*shape), RNG.uniform(0, 2, shape)
    ours = _value_and_gradients(
        lambda x, t, w: getattr(F, name)(x, t, reduction, weight=w), (prediction, target, weight), 3
    )
    theirs = _torch_value_and_gradients(
        lambda x, t, w: getattr(torch.nn.functional, name)(x, t, reduction=reduction, weight=w),
        _torch_inputs(torch, (prediction, target, weight), 3),
        3,
    )
    _assert_same(ours, theirs)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss"])
def test_torch_refuses_a_broadcastable_weight_too(name):
    torch = pytest.importorskip("torch")
    x = torch.zeros(2, 3)
    with pytest.raises(ValueError, match="same size"):
        getattr(torch.nn.functional, name)(x, x, weight=torch.ones(3))
    with pytest.raises(ValueError, match="not broadcast"):
        getattr(F, name)(np.zeros((2, 3)), np.zeros((2, 3)), weight=np.ones(3))


def test_the_mse_and_l1_layers_take_no_weight_as_torchs():
    torch = pytest.importorskip("torch")
    for name in ("MSELoss", "L1Loss"):
        assert "weight" not in inspect.signature(getattr(torch.nn, name)).parameters
        assert "weight" not in inspect.signature(getattr(nn, name)).parameters


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
@pytest.mark.parametrize("shape", [(), (4,), (2, 3)])
def test_weighted_huber_loss_gives_torchs_values_and_gradients_with_its_plain_mean(shape, reduction):
    torch = pytest.importorskip("torch")
    prediction, target, weight = _normal(*shape) * 2, _normal(*shape), RNG.uniform(0, 2, shape)
    ours = _value_and_gradients(
        lambda x, t, w: F.huber_loss(x, t, reduction, 0.7, weight=w), (prediction, target, weight), 3
    )
    theirs = _torch_value_and_gradients(
        lambda x, t, w: torch.nn.functional.huber_loss(x, t, reduction=reduction, delta=0.7, weight=w),
        _torch_inputs(torch, (prediction, target, weight), 3),
        3,
    )
    _assert_same(ours, theirs)


def test_weighted_huber_loss_mean_divides_by_the_count_not_the_weights():
    # terms 0.5 (|d| = 1) and 2.5 (|d| = 3, delta 1), weights 2 and 1: (2 * 0.5 + 2.5) / 2
    loss = F.huber_loss(np.array([0.0, 3.0]), np.array([1.0, 0.0]), weight=np.array([2.0, 1.0]))
    assert loss.item() == 1.75
    with pytest.raises(ValueError, match=r"huber_loss: weight of shape \(3,\) must have the input's shape"):
        F.huber_loss(np.zeros((2, 3)), np.zeros((2, 3)), weight=np.ones(3))


#: The losses whose torch kernel reads reduction="elementwise_mean" as "mean" (torch's Python-written
#: poisson_nll_loss and multilabel_soft_margin_loss refuse it; they take it here too).
ELEMENTWISE_MEAN_CASES = [name for name in CASES if name not in ("poisson_nll_loss", "multilabel_soft_margin_loss")]


@pytest.mark.parametrize("name", [*ELEMENTWISE_MEAN_CASES, "huber_loss"])
def test_elementwise_mean_reduction_is_torchs_mean_with_a_warning_at_the_caller(name):
    torch = pytest.importorskip("torch")
    make, differentiable, options = CASES[name] if name in CASES else (lambda: (_normal(3, 4), _normal(3, 4)), 2, {})
    arrays = make()
    with pytest.warns(UserWarning, match="elementwise_mean") as caught:
        ours = _value_and_gradients(
            lambda *x: getattr(F, name)(*x, **options, reduction="elementwise_mean"), arrays, differentiable
        )
    assert [w.filename for w in caught] == [__file__]
    function, their_options = getattr(torch.nn.functional, name), _torch_options(torch, options)
    theirs = _torch_value_and_gradients(
        lambda *x: function(*x, **their_options, reduction="elementwise_mean"),
        _torch_inputs(torch, arrays, differentiable),
        differentiable,
    )
    _assert_same(ours, theirs)


@pytest.mark.parametrize("name", [*MODULES, "HuberLoss"])
def test_a_loss_layer_takes_the_elementwise_mean_reduction_as_mean(name):
    options = CASES[MODULES[name]][2] if name in MODULES else {}
    with pytest.warns(UserWarning, match="elementwise_mean"):
        layer = getattr(nn, name)(**options, reduction="elementwise_mean")
    assert layer.reduction == "mean"


def test_ctc_loss_takes_the_elementwise_mean_reduction_as_torchs_mean():
    torch = pytest.importorskip("torch")
    log_probs = _log_softmax(_normal(6, 2, 4))
    targets, input_lengths, target_lengths = np.array([[1, 2], [3, 3]]), np.array([6, 5]), np.array([2, 2])
    with pytest.warns(UserWarning, match="elementwise_mean"):
        ours = F.ctc_loss(log_probs, targets, input_lengths, target_lengths, reduction="elementwise_mean")
    theirs = _quietly(
        torch.nn.functional.ctc_loss,
        *map(torch.tensor, (log_probs, targets, input_lengths, target_lengths)),
        reduction="elementwise_mean",
    )
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
    with pytest.warns(UserWarning, match="elementwise_mean"):
        assert nn.CTCLoss(reduction="elementwise_mean").reduction == "mean"
