"""The losses whose torch signature starts with ``weight`` take it first here too (module and function), with
every later option keyword-only; an old positional ``reduction`` string is a TypeError that says what to do."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import nn
import nn.functional as F

LOGITS = np.array([[0.3, -1.2, 2.0], [1.5, 0.1, -0.4], [0.0, 0.7, 0.2], [-2.0, 1.0, 0.5]])
CLASSES = np.array([2, 0, 1, 1])
CLASS_WEIGHTS = np.array([0.5, 2.0, 1.5])


def _log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _weighted_nll(log_probs: np.ndarray) -> float:
    """torch's weighted mean: sum_n -w[t_n] logp[n, t_n] / sum_n w[t_n]."""
    picked = log_probs[np.arange(len(CLASSES)), CLASSES]
    sample_weights = CLASS_WEIGHTS[CLASSES]
    return float(-(sample_weights * picked).sum() / sample_weights.sum())


def test_class_weights_passed_first_and_positionally_weight_each_sample():
    expected = _weighted_nll(_log_softmax(LOGITS))
    assert nn.CrossEntropyLoss(CLASS_WEIGHTS)(LOGITS, CLASSES).item() == pytest.approx(expected, rel=1e-12)
    assert F.cross_entropy(LOGITS, CLASSES, CLASS_WEIGHTS).item() == pytest.approx(expected, rel=1e-12)
    log_probs = _log_softmax(LOGITS)
    assert nn.NLLLoss(CLASS_WEIGHTS)(log_probs, CLASSES).item() == pytest.approx(expected, rel=1e-12)
    assert F.nll_loss(log_probs, CLASSES, CLASS_WEIGHTS).item() == pytest.approx(expected, rel=1e-12)


def test_element_weights_passed_first_and_positionally_scale_each_binary_term():
    probabilities, target = np.array([0.2, 0.9, 0.6]), np.array([0.0, 1.0, 1.0])
    weight = np.array([3.0, 0.5, 1.0])
    terms = -(target * np.log(probabilities) + (1 - target) * np.log(1 - probabilities))
    expected = float((weight * terms).mean())
    assert nn.BCELoss(weight)(probabilities, target).item() == pytest.approx(expected, rel=1e-12)
    assert F.binary_cross_entropy(probabilities, target, weight).item() == pytest.approx(expected, rel=1e-12)
    logits = np.log(probabilities / (1 - probabilities))
    assert nn.BCEWithLogitsLoss(weight)(logits, target).item() == pytest.approx(expected, rel=1e-12)
    assert F.binary_cross_entropy_with_logits(logits, target, weight).item() == pytest.approx(expected, rel=1e-12)


WEIGHT_FIRST = [
    ("CrossEntropyLoss", lambda first: nn.CrossEntropyLoss(first)),
    ("NLLLoss", lambda first: nn.NLLLoss(first)),
    ("BCELoss", lambda first: nn.BCELoss(first)),
    ("BCEWithLogitsLoss", lambda first: nn.BCEWithLogitsLoss(first)),
    ("cross_entropy", lambda first: F.cross_entropy(LOGITS, CLASSES, first)),
    ("nll_loss", lambda first: F.nll_loss(_log_softmax(LOGITS), CLASSES, first)),
    ("binary_cross_entropy", lambda first: F.binary_cross_entropy(np.full(3, 0.5), np.ones(3), first)),
    (
        "binary_cross_entropy_with_logits",
        lambda first: F.binary_cross_entropy_with_logits(np.zeros(3), np.ones(3), first),
    ),
    ("MultiMarginLoss", lambda first: nn.MultiMarginLoss(1, 1.0, first)),
    ("multi_margin_loss", lambda first: F.multi_margin_loss(LOGITS, CLASSES, 1, 1.0, first)),
]


@pytest.mark.parametrize(("name", "call"), WEIGHT_FIRST, ids=[name for name, _ in WEIGHT_FIRST])
@pytest.mark.parametrize("reduction", ["sum", "none", "mean"])
def test_a_reduction_string_in_the_weight_slot_is_a_type_error_saying_to_pass_it_by_keyword(name, call, reduction):
    with pytest.raises(TypeError, match=rf"{name}: .*weight.*Pass reduction='{reduction}' by keyword"):
        call(reduction)


@pytest.mark.parametrize(
    "call",
    [
        lambda: nn.CrossEntropyLoss(None, -100),
        lambda: nn.NLLLoss(None, -100),
        lambda: nn.BCELoss(None, "sum"),
        lambda: nn.BCEWithLogitsLoss(None, "sum"),
        lambda: F.cross_entropy(LOGITS, CLASSES, None, -100),
        lambda: F.nll_loss(LOGITS, CLASSES, None, -100),
        lambda: nn.MultiMarginLoss(1, 1.0, None, "sum"),
        lambda: F.multi_margin_loss(LOGITS, CLASSES, 1, 1.0, None, "sum"),
    ],
)
def test_options_after_weight_cannot_be_passed_by_position(call):
    with pytest.raises(TypeError, match="positional argument"):
        call()


@pytest.mark.parametrize("name", ["CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "MultiMarginLoss"])
def test_module_parameters_are_torchs_in_torchs_order_without_the_deprecated_ones(name):
    torch = pytest.importorskip("torch")
    deprecated = {"size_average", "reduce"}
    theirs = [p for p in inspect.signature(getattr(torch.nn, name)).parameters.values() if p.name not in deprecated]
    ours = list(inspect.signature(getattr(nn, name)).parameters.values())
    positional = [p.name for p in ours if p.kind is p.POSITIONAL_OR_KEYWORD]
    # torch's leading parameters up to weight stay positional
    leading = [p.name for p in theirs[: [p.name for p in theirs].index("weight") + 1]]
    assert positional == [n for n in leading if n in {p.name for p in ours}]
    keyword_only = {p.name: p.default for p in ours if p.kind is p.KEYWORD_ONLY}
    for parameter in theirs:
        if parameter.name not in positional and parameter.name != "weight":
            assert keyword_only[parameter.name] == parameter.default, parameter.name


@pytest.mark.parametrize(
    "name", ["cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits"]
)
def test_function_parameters_are_torchs_in_torchs_order_without_the_deprecated_ones(name):
    torch = pytest.importorskip("torch")
    deprecated = {"size_average", "reduce"}
    theirs = [
        p for p in inspect.signature(getattr(torch.nn.functional, name)).parameters.values() if p.name not in deprecated
    ]
    ours = list(inspect.signature(getattr(F, name)).parameters.values())
    assert [p.kind for p in ours[:3]] == [inspect.Parameter.POSITIONAL_OR_KEYWORD] * 3
    assert ours[2].name == theirs[2].name == "weight"
    keyword_only = {p.name: p.default for p in ours if p.kind is p.KEYWORD_ONLY}
    assert {p.name: p.default for p in theirs[3:]}.items() <= keyword_only.items()
