"""nn.functional.kl_div and nn.KLDivLoss: values and gradients against torch under every reduction (batchmean
included) and finite differences, zero target probabilities and -inf log-targets without nan, torch's
deprecated size_average/reduce, and errors naming the loss."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck

REDUCTIONS = ["none", "batchmean", "sum", "mean"]


def _case(shape=(3, 4), seed=0):
    """Log-probabilities and a strictly positive target distribution along the last axis."""
    rng = np.random.default_rng(seed)
    logits, target = rng.normal(size=shape), rng.uniform(0.1, 1.0, size=shape)
    log_probs = logits - np.log(np.exp(logits).sum(axis=-1, keepdims=True))
    return log_probs, target / target.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 5), (4,)])
def test_kl_div_values_and_gradients_match_torch(reduction, log_target, shape):
    torch = pytest.importorskip("torch")
    log_probs, target = _case(shape)
    target = np.log(target) if log_target else target
    x, t = Tensor(log_probs, requires_grad=True), Tensor(target, requires_grad=True)
    tx, tt = torch.tensor(log_probs, requires_grad=True), torch.tensor(target, requires_grad=True)
    ours = F.kl_div(x, t, reduction=reduction, log_target=log_target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that "mean" is not the KL divergence
        theirs = torch.nn.functional.kl_div(tx, tt, reduction=reduction, log_target=log_target)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-15)
    seed = np.random.default_rng(1).normal(size=ours.shape)
    ours.backward(seed)
    theirs.backward(torch.from_numpy(seed))
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div_gradients_match_finite_differences_to_second_order(reduction, log_target):
    log_probs, target = _case((2, 3), seed=3)
    target = np.log(target) if log_target else target
    loss = lambda x, t: F.kl_div(x, t, reduction=reduction, log_target=log_target)
    assert gradcheck(loss, (log_probs, target))
    assert gradgradcheck(lambda x, t: (loss(x, t) ** 2).sum(), (log_probs, target))


def test_kl_div_batchmean_is_the_kl_divergence_per_sample_and_mean_divides_by_every_element():
    log_probs, target = _case((3, 4), seed=5)
    per_sample = (target * np.log(target / np.exp(log_probs))).sum(axis=1)  # sum_c p log(p / q)
    assert F.kl_div(log_probs, target, reduction="batchmean").item() == pytest.approx(per_sample.mean(), rel=1e-12)
    assert F.kl_div(log_probs, target, reduction="mean").item() == pytest.approx(per_sample.sum() / 12, rel=1e-12)
    assert F.kl_div(log_probs, target, reduction="sum").item() == pytest.approx(per_sample.sum(), rel=1e-12)


def test_a_zero_target_probability_contributes_zero_and_no_nan_even_against_minus_infinity():
    x = Tensor(np.array([-1.0, -np.inf, np.log(0.3), np.log(0.7)]), requires_grad=True)
    p = Tensor(np.array([0.0, 0.0, 0.4, 0.6]), requires_grad=True)
    terms = F.kl_div(x, p, reduction="none")
    expected = [0.0, 0.0, 0.4 * np.log(0.4 / 0.3), 0.6 * np.log(0.6 / 0.7)]  # 0 log 0 = 0
    np.testing.assert_allclose(terms.data, expected, rtol=1e-12)
    terms.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, -0.4, -0.6])  # d/dx = -p
    np.testing.assert_allclose(p.grad, [0.0, 0.0, np.log(0.4) + 1 - np.log(0.3), np.log(0.6) + 1 - np.log(0.7)])


def test_a_minus_infinity_log_target_contributes_zero_and_no_nan():
    x = Tensor(np.array([-1.0, -np.inf, -2.0]), requires_grad=True)
    t = Tensor(np.array([-np.inf, -np.inf, -0.5]), requires_grad=True)
    terms = F.kl_div(x, t, reduction="none", log_target=True)
    np.testing.assert_allclose(terms.data, [0.0, 0.0, np.exp(-0.5) * 1.5], rtol=1e-12)
    terms.sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.0, -np.exp(-0.5)], rtol=1e-12)  # d/dx = -e^t
    np.testing.assert_allclose(t.grad, [0.0, 0.0, np.exp(-0.5) * 2.5], rtol=1e-12)  # e^t (t - x + 1)


def test_log_target_gives_the_values_of_the_probabilities_it_is_the_log_of():
    log_probs, target = _case((4, 3), seed=7)
    target[0, 1] = 0.0
    with np.errstate(divide="ignore"):
        log_target = np.log(target)
    for reduction in REDUCTIONS:
        plain = F.kl_div(log_probs, target, reduction=reduction)
        logged = F.kl_div(log_probs, log_target, reduction=reduction, log_target=True)
        np.testing.assert_allclose(plain.data, logged.data, rtol=1e-12, atol=1e-15)


def test_kl_div_of_a_0d_input_under_batchmean_is_its_term_as_in_torch():
    torch = pytest.importorskip("torch")
    ours = F.kl_div(np.array(-1.0), np.array(0.5), reduction="batchmean")
    theirs = torch.nn.functional.kl_div(
        torch.tensor(-1.0, dtype=torch.float64), torch.tensor(0.5, dtype=torch.float64), reduction="batchmean"
    )
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-12)


@pytest.mark.parametrize(
    ("size_average", "reduce"), [(None, False), (False, None), (True, True), (False, True), (None, True)]
)
def test_deprecated_size_average_and_reduce_choose_torchs_reduction_with_a_warning(size_average, reduce):
    torch = pytest.importorskip("torch")
    log_probs, target = _case((3, 4), seed=2)
    with pytest.warns(UserWarning, match="deprecated"):
        ours = F.kl_div(log_probs, target, size_average, reduce)
    with pytest.warns(UserWarning, match="deprecated"):
        module = nn.KLDivLoss(size_average, reduce)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = torch.nn.functional.kl_div(torch.tensor(log_probs), torch.tensor(target), size_average, reduce)
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)
    np.testing.assert_allclose(module(log_probs, target).data, theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_kl_div_loss_module_matches_torch(reduction):
    torch = pytest.importorskip("torch")
    log_probs, target = _case((3, 4), seed=4)
    for log_target in (False, True):
        given = np.log(target) if log_target else target
        loss = nn.KLDivLoss(reduction=reduction, log_target=log_target)
        reference = torch.nn.KLDivLoss(reduction=reduction, log_target=log_target)
        x, tx = Tensor(log_probs, requires_grad=True), torch.tensor(log_probs, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = reference(tx, torch.tensor(given))
        ours = loss(x, given)
        np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
        ours.sum().backward()
        theirs.sum().backward()
        np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)
    assert repr(nn.KLDivLoss(reduction="batchmean")) == "KLDivLoss(reduction='batchmean', log_target=False)"


def test_kl_div_signatures_are_torchs():
    torch = pytest.importorskip("torch")
    for ours, theirs in ((F.kl_div, torch.nn.functional.kl_div), (nn.KLDivLoss, torch.nn.KLDivLoss)):
        ours_parameters = [(p.name, p.default) for p in inspect.signature(ours).parameters.values()]
        theirs_parameters = [(p.name, p.default) for p in inspect.signature(theirs).parameters.values()]
        assert ours_parameters == theirs_parameters


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.kl_div(np.zeros(3), np.ones(2)), ValueError, r"kl_div: target shape \(2,\) .* \(3,\)"),
        (lambda: F.kl_div(np.zeros(3), np.ones(3), reduction="avg"), ValueError, "kl_div: reduction must be"),
        (lambda: F.kl_div(np.zeros(3), np.ones(3), log_target=1), TypeError, "kl_div: log_target must be True"),
        (lambda: nn.KLDivLoss(reduction="avg"), ValueError, "KLDivLoss: reduction must be"),
    ],
)
def test_kl_div_rejects_bad_arguments_naming_the_loss(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_the_batch_mean_of_an_empty_batch_is_nan_as_torch():
    x = Tensor(np.zeros((0, 2)), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.kl_div(x, np.ones((0, 2)), reduction="batchmean")
        loss.backward()
    assert np.isnan(loss.item()) and x.grad.shape == (0, 2)
    torch = pytest.importorskip("torch")
    theirs = torch.nn.functional.kl_div(torch.zeros(0, 2), torch.ones(0, 2), reduction="batchmean")
    assert torch.isnan(theirs)


@pytest.mark.parametrize("reduction", ["none", "sum"])
def test_negative_and_nan_targets_give_torchs_nan_terms_and_input_gradients(reduction):
    torch = pytest.importorskip("torch")
    x0, p0 = np.array([-0.3, 0.2, -1.5, 0.7]), np.array([0.5, -0.1, np.nan, 0.0])
    x, p = Tensor(x0, requires_grad=True), Tensor(p0, requires_grad=True)
    tx, tp = torch.tensor(x0, requires_grad=True), torch.tensor(p0, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ours = F.kl_div(x, p, reduction=reduction)
        ours.backward(np.ones(ours.shape))
    theirs = torch.nn.functional.kl_div(tx, tp, reduction=reduction)
    theirs.backward(torch.ones(theirs.shape, dtype=torch.float64))
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12, equal_nan=True)
    # the target's gradient: torch's log p + 1 - x, nan where p < 0 or nan (at p = 0 the library's is 0, README)
    np.testing.assert_allclose(p.grad[:3], tp.grad.numpy()[:3], rtol=1e-12, equal_nan=True)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"reduction": "mean"},
        {"reduction": "batchmean"},
        {"reduction": "sum"},
        {"reduction": "none"},
        {"size_average": True},
        {"reduce": True},
        {"reduction": "elementwise_mean"},
    ],
    ids=str,
)
def test_kl_div_warns_of_the_mean_reduction_exactly_where_torch_does(options):
    """torch's UserWarning that "mean" is not the KL divergence: for "mean" given or by default (the function and
    the layer), at the caller; not for the other reductions, the legacy flags or the old spelling "elementwise_mean"
    (which warn of their own deprecation instead)."""
    torch = pytest.importorskip("torch")
    log_probs, target = _case()

    def mean_warnings(call):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            call()
        return [w.filename for w in caught if "batchmean" in str(w.message)]

    theirs = mean_warnings(lambda: torch.nn.functional.kl_div(torch.tensor(log_probs), torch.tensor(target), **options))
    ours = mean_warnings(lambda: F.kl_div(log_probs, target, **options))
    warns = options.get("reduction", "mean") == "mean" and not {"size_average", "reduce"} & set(options)
    assert len(ours) == len(theirs) == warns
    assert set(ours) <= {__file__}
    layer_options = {k: v for k, v in options.items() if k == "reduction" and v != "elementwise_mean"}
    theirs = mean_warnings(lambda: torch.nn.KLDivLoss(**layer_options)(torch.tensor(log_probs), torch.tensor(target)))
    ours = mean_warnings(lambda: nn.KLDivLoss(**layer_options)(log_probs, target))
    assert len(ours) == len(theirs)
