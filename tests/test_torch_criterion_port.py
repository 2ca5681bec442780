"""Port of torch's criterion tests (common_nn.py's criterion_tests / new_criterion_tests and the loss OpInfos'
sample inputs in common_methods_invocations.py), written for this library: every loss against torch 2.13 in
float64, values and the gradients of the input, of the target where torch differentiates it, and of the class
weights where torch does, over reduction "none" / "mean" / "sum", class weights, ignore_index, label smoothing,
K-dimensional and unbatched inputs, empty batches, and the modules' constructor arguments (with the deprecated
size_average / reduce)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import ShapeError, Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

REDUCTIONS = ("none", "mean", "sum")


def check_against_torch(torch_fn, our_fn, arrays, grads=None, *, atol=1e-10, rtol=1e-8):
    """``our_fn(*ours)`` against ``torch_fn(*theirs)``: the value, then the gradients of sum(out * u) for a fixed
    random u, for the float arrays flagged in ``grads`` (default: every float array). nan matches nan."""
    arrays = [np.asarray(a) for a in arrays]
    grads = [a.dtype.kind == "f" for a in arrays] if grads is None else grads
    theirs = [
        torch.tensor(a, requires_grad=bool(g)) if a.dtype.kind == "f" else torch.tensor(a)
        for a, g in zip(arrays, grads)
    ]
    ours = [Tensor(a, requires_grad=bool(g)) if a.dtype.kind == "f" else a for a, g in zip(arrays, grads)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected, got = torch_fn(*theirs), our_fn(*ours)
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), atol=atol, rtol=rtol, err_msg="value")
    if not expected.requires_grad:
        return
    u = np.random.default_rng(1).uniform(0.5, 1.5, got.shape)
    (expected * torch.tensor(u)).sum().backward()
    (got * Tensor(u)).sum().backward()
    for position, (mine, reference) in enumerate(zip(ours, theirs)):
        if not reference.requires_grad:
            continue
        want = np.zeros(reference.shape) if reference.grad is None else reference.grad.numpy()
        have = np.zeros(mine.shape) if mine.grad is None else np.asarray(mine.grad)
        np.testing.assert_allclose(
            have, want, atol=atol * 10, rtol=rtol * 10, err_msg=f"gradient of argument {position}"
        )


# -- ctc_loss --------------------------------------------------------------------------------------------------
def _ctc_log_probs(frames=6, batch=2, classes=4, seed=0):
    return np.random.default_rng(seed).normal(size=(frames, batch, classes))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ctc_loss_reads_each_padded_target_row_as_its_samples_and_refuses_extra_rows(reduction):
    logits = _ctc_log_probs()
    targets = np.array([[1, 2], [3, 1]])
    check_against_torch(
        lambda x: TF.ctc_loss(
            x.log_softmax(2), torch.tensor(targets), torch.tensor([6, 6]), torch.tensor([2, 2]), reduction=reduction
        ),
        lambda x: F.ctc_loss(x.log_softmax(axis=2), targets, np.array([6, 6]), np.array([2, 2]), reduction=reduction),
        [logits],
    )
    extra_row = np.array([[1, 2], [3, 1], [2, 2]])  # torch: RuntimeError (one row per sample); was read as (2, 3)
    with pytest.raises(RuntimeError):
        TF.ctc_loss(
            torch.tensor(logits).log_softmax(2), torch.tensor(extra_row), torch.tensor([6, 6]), torch.tensor([2, 2])
        )
    with pytest.raises(ShapeError, match="one row per sample"):
        F.ctc_loss(
            Tensor(logits).log_softmax(axis=2), extra_row, np.array([6, 6]), np.array([2, 2]), reduction=reduction
        )


def test_ctc_loss_takes_an_unbatched_samples_padded_target_as_one_row():
    logits = _ctc_log_probs()[:, 0]
    check_against_torch(
        lambda x: TF.ctc_loss(
            x.log_softmax(1), torch.tensor([[1, 2, 0]]), torch.tensor(6), torch.tensor(2), reduction="none"
        ),
        lambda x: F.ctc_loss(x.log_softmax(axis=1), np.array([[1, 2, 0]]), np.array(6), np.array(2), reduction="none"),
        [logits],
    )


# -- gaussian_nll_loss -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "input_shape, target_shape, var_shape",
    [((4, 3), (4, 1), (4, 3)), ((4, 3), (1, 3), (4,)), ((2, 3, 4), (2, 1, 4), (2, 3, 1)), ((2, 3, 4), (1, 3, 1), ())],
)
def test_gaussian_nll_loss_broadcasts_a_target_with_axes_of_one_as_torch_documents(
    input_shape, target_shape, var_shape, reduction
):
    rng = np.random.default_rng(2)
    x, t = rng.normal(size=input_shape), rng.normal(size=target_shape)
    var = rng.uniform(0.2, 2.0, var_shape) if var_shape else 0.7
    if var_shape:
        check_against_torch(
            lambda a, b, v: TF.gaussian_nll_loss(a, b, v, reduction=reduction),
            lambda a, b, v: F.gaussian_nll_loss(a, b, v, reduction=reduction),
            [x, t, var],
        )
    else:
        check_against_torch(
            lambda a, b: TF.gaussian_nll_loss(a, b, var, reduction=reduction),
            lambda a, b: F.gaussian_nll_loss(a, b, var, reduction=reduction),
            [x, t],
        )


def test_gaussian_nll_loss_still_refuses_a_target_that_would_widen_the_input():
    with pytest.raises(ValueError, match="does not match"):  # (N,) against (N, 1): torch would give (N, N)
        F.gaussian_nll_loss(np.zeros((4, 1)), np.zeros(4), np.ones((4, 1)))
    with pytest.raises(ValueError, match="does not match"):  # the target's axis of 3 against the input's 1
        F.gaussian_nll_loss(np.zeros((4, 1)), np.zeros((4, 3)), np.ones((4, 1)))


def _ctc_refusal_cases():
    padded, lengths = np.array([[1, 2], [1, 2]]), np.array([2, 2])
    frames = np.array([6, 6])
    return {
        "target_lengths beyond the padded targets": (padded, frames, np.array([3, 2]), {}),
        "a negative input length": (padded, np.array([-1, 6]), lengths, {}),
        "a negative target length": (padded, frames, np.array([-1, 2]), {}),
        "input_lengths beyond the frames": (padded, np.array([7, 6]), lengths, {}),
        "one input length for two samples": (padded, np.array([6]), lengths, {}),
        "one target length for two samples": (padded, frames, np.array([2]), {}),
        "concatenated targets too short": (np.array([1, 2, 3]), frames, lengths, {}),
        "3-d targets": (np.ones((2, 2, 1), dtype=np.int64), frames, lengths, {}),
        "blank past the classes": (padded, frames, lengths, {"blank": 4}),
        "a negative blank": (padded, frames, lengths, {"blank": -1}),
    }


@pytest.mark.parametrize("case", sorted(_ctc_refusal_cases()))
def test_ctc_loss_refuses_what_torch_refuses_with_its_runtime_error(case):
    targets, input_lengths, target_lengths, options = _ctc_refusal_cases()[case]
    log_probs = _ctc_log_probs()
    with pytest.raises(RuntimeError):
        TF.ctc_loss(
            torch.tensor(log_probs),
            torch.tensor(targets),
            torch.tensor(input_lengths),
            torch.tensor(target_lengths),
            **options,
        )
    with pytest.raises(RuntimeError, match="ctc_loss"):
        F.ctc_loss(Tensor(log_probs), targets, input_lengths, target_lengths, **options)


def test_ctc_loss_refuses_log_probs_of_four_axes_with_torchs_runtime_error():
    log_probs = _ctc_log_probs()[None]
    args = (np.array([[1, 2], [1, 2]]), np.array([6, 6]), np.array([2, 2]))
    with pytest.raises(RuntimeError):
        TF.ctc_loss(torch.tensor(log_probs), *map(torch.tensor, args))
    with pytest.raises(RuntimeError, match="ctc_loss"):
        F.ctc_loss(Tensor(log_probs), *args)


# -- triplet losses ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("loss", ["triplet_margin_loss", "triplet_margin_with_distance_loss"])
@pytest.mark.parametrize("odd_one", [0, 1, 2])
def test_triplet_losses_refuse_inputs_of_other_ranks_with_torchs_runtime_error(loss, odd_one):
    arrays = [np.ones((4, 3)) for _ in range(3)]
    arrays[odd_one] = np.ones(3)  # broadcasts against (4, 3), but torch checks the ranks first
    with pytest.raises(RuntimeError):
        getattr(TF, loss)(*map(torch.tensor, arrays))
    with pytest.raises(RuntimeError, match="same number of axes"):
        getattr(F, loss)(*map(Tensor, arrays))


# -- margin losses over classes ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "loss, target",
    [
        ("multi_margin_loss", np.array([0, 1, 3, 0])),
        ("multi_margin_loss", np.array([0, -1, 2, 0])),
        ("multilabel_margin_loss", np.array([[0, 3, -1], [1, -1, 0], [2, 1, 0], [-1, 0, 0]])),
        ("multilabel_margin_loss", np.array([[0, -2, -1], [1, -1, 0], [2, 1, 0], [-1, 0, 0]])),
    ],
)
def test_class_margin_losses_refuse_a_class_out_of_range_with_torchs_runtime_error(loss, target):
    scores = np.random.default_rng(3).normal(size=(4, 3))
    with pytest.raises(RuntimeError):
        getattr(TF, loss)(torch.tensor(scores), torch.tensor(target))
    with pytest.raises(RuntimeError, match=loss):
        getattr(F, loss)(Tensor(scores), target)
    with pytest.raises(ValueError):  # still the ValueError it was
        getattr(F, loss)(Tensor(scores), target)


# -- cross_entropy -------------------------------------------------------------------------------------------------
def test_cross_entropy_loss_refuses_label_smoothing_above_one_with_torchs_runtime_error_as_the_function_does():
    logits, target = np.zeros((2, 3)), np.array([0, 1])
    with pytest.raises(RuntimeError):
        torch.nn.CrossEntropyLoss(label_smoothing=1.5)(torch.tensor(logits), torch.tensor(target))
    with pytest.raises(RuntimeError, match="label_smoothing"):
        F.cross_entropy(Tensor(logits), target, label_smoothing=1.5)
    with pytest.raises(RuntimeError, match="CrossEntropyLoss: label_smoothing"):
        nn.CrossEntropyLoss(label_smoothing=1.5)
