"""``nn.functional.linear_cross_entropy`` and ``nn.LinearCrossEntropyLoss`` (torch 2.13's): values and gradients
against a hand computation in float64, finite differences and torch (K-dimensional losses, biases, every
reduction, probability targets, class weights, ignore_index, label smoothing), the module's layout and state
dict, the options' checks, and errors that name the operand."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nn
import nn.functional as F
from autograd import Tensor, gradcheck


@st.composite
def lce_cases(draw: st.DrawFn):
    """input (N, I), linear_weight (C, *out, I), bias (C, *out) or None, targets (indices or probabilities), options."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    n, i, c = draw(st.integers(1, 4)), draw(st.integers(1, 4)), draw(st.integers(2, 4))
    out = draw(st.sampled_from([(), (2,), (2, 3)]))
    x, w = rng.normal(size=(n, i)), rng.normal(size=(c, *out, i))
    bias = rng.normal(size=(c, *out)) if draw(st.booleans()) else None
    if draw(st.booleans()):
        target = rng.random((n, c, *out))
        target /= target.sum(axis=1, keepdims=True)
        ignore_index = None
    else:
        target = rng.integers(0, c, size=(n, *out))
        ignore_index = draw(st.sampled_from([None, 1]))
        if ignore_index is not None and (target == ignore_index).all():
            target.flat[0] = 0
    options = {
        "reduction": draw(st.sampled_from(["mean", "sum", "none"])),
        "label_smoothing": draw(st.sampled_from([0.0, 0.2])),
        "ignore_index": ignore_index,
        "weight": rng.uniform(0.5, 2.0, size=c) if draw(st.booleans()) else None,
    }
    return x, w, bias, target, options


def _hand_computed(x, w, bias, target, reduction, label_smoothing, ignore_index, weight):
    """The loss in plain numpy float64, from the definition: logits, log-softmax over axis 1, torch's reductions."""
    c = w.shape[0]
    logits = np.einsum("ni,c...i->nc...", x, w) + (0.0 if bias is None else bias)
    log_p = logits - logits.max(axis=1, keepdims=True)
    log_p = log_p - np.log(np.exp(log_p).sum(axis=1, keepdims=True))
    class_weight = np.ones(c) if weight is None else weight
    shaped = class_weight.reshape((1, c) + (1,) * (logits.ndim - 2))
    smooth = -(shaped * log_p).sum(axis=1) * label_smoothing / c
    if target.dtype.kind == "f":
        terms = -(shaped * log_p * ((1 - label_smoothing) * target)).sum(axis=1) + smooth
        return terms if reduction == "none" else terms.sum() / (terms.size if reduction == "mean" else 1)
    kept = target != (-100 if ignore_index is None else ignore_index)
    safe = np.where(kept, target, 0)
    picked = np.take_along_axis(log_p, safe[:, None], axis=1)[:, 0]
    terms = np.where(kept, -(1 - label_smoothing) * class_weight[safe] * picked + smooth, 0.0)
    if reduction == "none":
        return terms
    return terms.sum() / (np.where(kept, class_weight[safe], 0.0).sum() if reduction == "mean" else 1)


@settings(max_examples=30, deadline=None)
@given(lce_cases())
def test_linear_cross_entropy_equals_the_hand_computed_loss(case):
    x, w, bias, target, options = case
    got = F.linear_cross_entropy(Tensor(x), Tensor(w), target, linear_bias=bias, **options)
    expected = _hand_computed(x, w, bias, target, **options)
    np.testing.assert_allclose(got.data, expected, rtol=1e-10, atol=1e-12)


@settings(max_examples=20, deadline=None)
@given(lce_cases())
def test_linear_cross_entropy_gradients_match_finite_differences(case):
    x, w, bias, target, options = case
    operands = [Tensor(x, requires_grad=True), Tensor(w, requires_grad=True)]
    if bias is not None:
        operands.append(Tensor(bias, requires_grad=True))

    def loss(x, w, b=None):
        return F.linear_cross_entropy(x, w, target, linear_bias=b, **options)

    assert gradcheck(loss, operands, eps=1e-6, atol=1e-7, rtol=1e-5)


@settings(max_examples=30, deadline=None)
@given(lce_cases())
def test_linear_cross_entropy_matches_torch(case):
    torch = pytest.importorskip("torch")
    x, w, bias, target, options = case
    ours = [Tensor(a, requires_grad=True) for a in (x, w, bias) if a is not None]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, bias) if a is not None]
    torch_options = dict(options, weight=None if options["weight"] is None else torch.tensor(options["weight"]))
    got = F.linear_cross_entropy(ours[0], ours[1], target, linear_bias=ours[2] if bias is not None else None, **options)
    expected = torch.nn.functional.linear_cross_entropy(
        theirs[0], theirs[1], torch.tensor(target), linear_bias=theirs[2] if bias is not None else None, **torch_options
    )
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-10, atol=1e-12)
    seed = np.random.default_rng(0).normal(size=got.shape)
    got.backward(seed)
    expected.backward(torch.from_numpy(seed))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_an_unbatched_sample_is_one_row():
    rng = np.random.default_rng(3)
    x, w = rng.normal(size=4), rng.normal(size=(3, 4))
    single = F.linear_cross_entropy(Tensor(x), Tensor(w), np.array(2))
    batch = F.linear_cross_entropy(Tensor(x[None]), Tensor(w), np.array([2]))
    assert single.shape == () and single.data == pytest.approx(batch.data, rel=1e-12)


def test_the_module_is_a_linear_layer_then_cross_entropy():
    loss = nn.LinearCrossEntropyLoss(4, 3, out_features=(2,), bias=True, dtype=np.float64, rng=0)
    assert list(loss.state_dict()) == ["linear.weight", "linear.bias"]
    assert loss.linear.weight.shape == (6, 4) and loss.linear.bias.shape == (6,)
    rng = np.random.default_rng(1)
    x, target = Tensor(rng.normal(size=(5, 4))), rng.integers(0, 3, size=(5, 2))
    out = loss(x, target)
    weight, bias = loss.linear.weight.data.reshape(3, 2, 4), loss.linear.bias.data.reshape(3, 2)
    expected = _hand_computed(x.data, weight, bias, target, "mean", 0.0, None, None)
    assert out.data == pytest.approx(expected, rel=1e-12)
    out.backward()
    assert loss.linear.weight.grad.shape == (6, 4) and loss.linear.bias.grad.shape == (6,)


def test_the_module_has_no_bias_by_default_and_torchs_repr():
    loss = nn.LinearCrossEntropyLoss(5, 6, rng=0)
    assert loss.linear.bias is None and loss.weight is None
    assert "in_features=5, num_classes=6, out_features=(), bias=False, reduction=mean" in repr(loss)


def test_the_module_matches_torch_with_copied_parameters():
    torch = pytest.importorskip("torch")
    weight = np.array([0.5, 1.0, 2.0])
    ours = nn.LinearCrossEntropyLoss(4, 3, bias=True, dtype=np.float64, weight=weight, label_smoothing=0.1, rng=2)
    theirs = torch.nn.LinearCrossEntropyLoss(
        4, 3, bias=True, dtype=torch.float64, weight=torch.tensor(weight), label_smoothing=0.1
    )
    with torch.no_grad():
        theirs.linear.weight.copy_(torch.from_numpy(ours.linear.weight.data))
        theirs.linear.bias.copy_(torch.from_numpy(ours.linear.bias.data))
    rng = np.random.default_rng(4)
    x, target = rng.normal(size=(6, 4)), rng.integers(0, 3, size=6)
    got, expected = ours(Tensor(x), target), theirs(torch.from_numpy(x), torch.from_numpy(target))
    assert got.data == pytest.approx(expected.item(), rel=1e-12)
    got.backward()
    expected.backward()
    np.testing.assert_allclose(ours.linear.weight.grad, theirs.linear.weight.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(ours.linear.bias.grad, theirs.linear.bias.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize(
    ("x_shape", "w_shape", "bias_shape", "message"),
    [
        ((2, 3, 4), (5, 4), None, "dimensionality 1 or 2"),
        ((2, 4), (4,), None, "dimensionality at least 2"),
        ((2, 4), (5, 3), None, "got 4 and 3"),
        ((2, 4), (5, 4), (4,), r"linear_bias shape \(5,\)"),
        ((4,), (5, 2, 4), None, "requires batched input"),
    ],
)
def test_operands_that_do_not_fit_are_refused_naming_the_shapes(x_shape, w_shape, bias_shape, message):
    bias = None if bias_shape is None else np.zeros(bias_shape)
    for error in (ValueError, RuntimeError):  # the library's error and torch's
        with pytest.raises(error, match=message):
            F.linear_cross_entropy(
                Tensor(np.zeros(x_shape)), Tensor(np.zeros(w_shape)), np.zeros(2, int), linear_bias=bias
            )


def test_ignore_index_with_probability_targets_is_refused():
    target = np.full((2, 3), 1 / 3)
    with pytest.raises(RuntimeError, match="ignore_index cannot be specified"):
        F.linear_cross_entropy(Tensor(np.zeros((2, 4))), Tensor(np.zeros((3, 4))), target, ignore_index=1)


def test_options_the_chunked_path_cannot_take_warn_at_the_callers_line():
    x, w = Tensor(np.zeros((2, 4))), Tensor(np.zeros((3, 4)))
    options = nn.LinearCrossEntropyOptions(batch_chunk_size=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plain = F.linear_cross_entropy(x, w, np.array([0, 1]), options=options)
        smoothed = F.linear_cross_entropy(x, w, np.array([0, 1]), options=options, label_smoothing=0.1)
    assert [str(w.message).startswith("linear_cross_entropy: ``options`` ignored") for w in caught] == [True]
    assert caught[0].filename == __file__
    assert plain.data == pytest.approx(np.log(3)) and smoothed.data == pytest.approx(np.log(3))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"acc_policy": "fast"}, "invalid acc_policy"),
        ({"chunking_method": "rows"}, "invalid chunking_method"),
        ({"chunking_method": "aspect_ratio:0"}, "invalid chunking_method"),
        ({"batch_chunk_size": 0}, "batch_chunk_size must be positive int or None"),
        ({"batch_chunk_size": 2.0}, "batch_chunk_size must be positive int or None"),
        ({"acc_dtype": np.int32}, "acc_dtype must be one of"),
    ],
)
def test_options_are_checked_as_torch_checks_them(options, message):
    with pytest.raises(ValueError, match=message):
        nn.LinearCrossEntropyOptions(**options)


def test_options_are_frozen_and_accept_torchs_choices():
    options = nn.LinearCrossEntropyOptions(chunking_method="aspect_ratio:2", acc_policy="compact", acc_dtype=np.float32)
    with pytest.raises(AttributeError):
        options.acc_policy = "accurate"  # type: ignore[misc]
    assert nn.LinearCrossEntropyLoss(3, 2, options=options, rng=0).options is options


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"weight": np.ones(4)}, RuntimeError, r"expected weight shape to be \(3,\)"),
        ({"label_smoothing": 1.5}, RuntimeError, r"label_smoothing to be in range \[0, 1\]"),
        ({"reduction": "avg"}, ValueError, "reduction"),
        ({"options": {"batch_chunk_size": 2}}, TypeError, "LinearCrossEntropyOptions"),
    ],
)
def test_the_module_refuses_bad_arguments_naming_them(arguments, error, message):
    with pytest.raises(error, match=message):
        nn.LinearCrossEntropyLoss(4, 3, **arguments)
