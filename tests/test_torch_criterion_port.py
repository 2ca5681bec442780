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

import autograd
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


@pytest.mark.parametrize("loss", ["triplet_margin_loss", "triplet_margin_with_distance_loss"])
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize(
    "shapes",
    [((4, 3), (4, 5), (4, 3)), ((4, 3), (4, 3), (4, 5)), ((1, 3), (4, 3), (2, 3))],  # the last: p against n
    ids=["positive", "negative", "positive-negative"],
)
def test_triplet_losses_name_themselves_and_the_shapes_that_do_not_broadcast(loss, swap, shapes):
    arrays = [np.ones(shape) for shape in shapes]  # one rank, sizes that do not broadcast: torch's RuntimeError
    with pytest.raises(RuntimeError):
        getattr(TF, loss)(*map(torch.tensor, arrays), swap=swap)
    with pytest.raises(RuntimeError, match=rf"^{loss}: .*\({shapes[1][0]}, {shapes[1][1]}\)"):
        getattr(F, loss)(*map(Tensor, arrays), swap=swap)


@pytest.mark.parametrize(
    "shapes, named",
    [
        (((1, 3), (2, 3), (3, 3)), r"target shape \(3, 3\) does not match input2 shape \(2, 3\)"),
        (((2, 3), (1, 3), (3, 3)), r"target shape \(3, 3\) does not match input1 shape \(2, 3\)"),
        (((3,), (2,), (3,)), r"input2 shape \(2,\) does not match input1 shape \(3,\)"),
    ],
)
def test_margin_ranking_loss_names_the_two_operands_that_do_not_broadcast_with_torchs_runtime_error(shapes, named):
    # each pair but one broadcasts: the error names that pair, never one that does broadcast
    arrays = [np.ones(shape) for shape in shapes]
    with pytest.raises(RuntimeError):
        TF.margin_ranking_loss(*map(torch.tensor, arrays))
    with pytest.raises(RuntimeError, match=rf"^margin_ranking_loss: {named}"):
        F.margin_ranking_loss(*map(Tensor, arrays))


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


CLASS_INPUTS = {  # input shape, target shape (class indices)
    "batch": ((5, 4), (5,)),
    "k-dimensional": ((3, 4, 2, 3), (3, 2, 3)),
    "unbatched": ((4,), ()),
    "empty batch": ((0, 4), (0,)),
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("inputs", sorted(CLASS_INPUTS))
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 1])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_cross_entropy_and_nll_loss_of_class_indices_match_torch(
    reduction, inputs, weighted, ignore_index, label_smoothing
):
    input_shape, target_shape = CLASS_INPUTS[inputs]
    rng = np.random.default_rng(4)
    x, target = rng.normal(size=input_shape), rng.integers(0, 4, target_shape)
    weight = [rng.uniform(0.2, 2.0, 4)] if weighted else []
    options = dict(reduction=reduction, ignore_index=ignore_index)
    grads = [True, False, False]  # torch differentiates neither class indices nor these weights
    check_against_torch(
        lambda a, t, *w: TF.cross_entropy(a, t, *w, label_smoothing=label_smoothing, **options),
        lambda a, t, *w: F.cross_entropy(a, t, *w, label_smoothing=label_smoothing, **options),
        [x, target, *weight],
        grads,
    )
    if not label_smoothing:
        check_against_torch(
            lambda a, t, *w: TF.nll_loss(a, t, *w, **options),
            lambda a, t, *w: F.nll_loss(a, t, *w, **options),
            [x, target, *weight],
            grads,
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_cross_entropy_with_every_target_ignored_is_torchs_nan_mean_without_gradient(reduction, label_smoothing):
    x, target = np.random.default_rng(5).normal(size=(3, 4, 2)), np.full((3, 2), 2)
    for weight in ([], [np.linspace(0.5, 2.0, 4)]):
        check_against_torch(
            lambda a, t, *w: TF.cross_entropy(
                a, t, *w, ignore_index=2, reduction=reduction, label_smoothing=label_smoothing
            ),
            lambda a, t, *w: F.cross_entropy(
                a, t, *w, ignore_index=2, reduction=reduction, label_smoothing=label_smoothing
            ),
            [x, target, *weight],
            [True, False, False],
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(5, 4), (3, 4, 2, 3), (4,), (0, 4)])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.3])
def test_cross_entropy_of_class_probabilities_differentiates_input_target_and_weight_as_torch(
    reduction, shape, label_smoothing
):
    rng = np.random.default_rng(6)
    x, probabilities, weight = rng.normal(size=shape), rng.uniform(0, 1, shape), rng.uniform(0.2, 2.0, 4)
    check_against_torch(
        lambda a, p, w: TF.cross_entropy(a, p, w, reduction=reduction, label_smoothing=label_smoothing),
        lambda a, p, w: F.cross_entropy(a, p, w, reduction=reduction, label_smoothing=label_smoothing),
        [x, probabilities, weight],
    )


# -- element-wise losses -------------------------------------------------------------------------------------------
ELEMENTWISE = {
    "mse_loss": {},
    "l1_loss": {},
    "huber_loss": {"delta": 0.5},
    "smooth_l1_loss": {"beta": 0.5},
    "smooth_l1_loss beta=0": {"beta": 0.0},
}


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss", sorted(ELEMENTWISE))
def test_regression_losses_match_torch_at_their_kinks_and_in_input_and_target(loss, reduction):
    x = np.array([[0.0, 1.0, -1.0, 0.25], [2.0, 2.0, 0.5, -3.0]])
    y = np.array([[0.0, 0.0, -1.0, 0.75], [1.5, 2.0, 0.5, 1.0]])  # differences 0, +-0.5 (= delta, beta) and larger
    name = loss.split()[0]
    options = dict(ELEMENTWISE[loss], reduction=reduction)
    check_against_torch(
        lambda a, b: getattr(TF, name)(a, b, **options), lambda a, b: getattr(F, name)(a, b, **options), [x, y]
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight_shape", [None, (2, 3, 2, 2), (2, 1, 1, 1), (2, 2)])
@pytest.mark.parametrize("pos_weight_shape", [None, (3, 1, 1), (2,), (1, 3, 1, 1)])
def test_binary_cross_entropy_with_logits_broadcasts_weight_and_pos_weight_as_torch(
    reduction, weight_shape, pos_weight_shape
):
    rng = np.random.default_rng(7)
    x, target = rng.normal(size=(2, 3, 2, 2)) * 3, rng.uniform(0, 1, (2, 3, 2, 2))
    weight = None if weight_shape is None else rng.uniform(0.2, 2.0, weight_shape)
    pos_weight = None if pos_weight_shape is None else rng.uniform(0.2, 3.0, pos_weight_shape)

    def theirs(a, t):
        as_torch = lambda v: None if v is None else torch.tensor(v)  # noqa: E731
        return TF.binary_cross_entropy_with_logits(
            a, t, as_torch(weight), reduction=reduction, pos_weight=as_torch(pos_weight)
        )

    check_against_torch(
        theirs,
        lambda a, t: F.binary_cross_entropy_with_logits(a, t, weight, reduction=reduction, pos_weight=pos_weight),
        [x, target],
    )
    probabilities = 1 / (1 + np.exp(-x))
    check_against_torch(
        lambda p, t: TF.binary_cross_entropy(
            p, t, None if weight is None else torch.tensor(weight), reduction=reduction
        ),
        lambda p, t: F.binary_cross_entropy(p, t, weight, reduction=reduction),
        [probabilities, target],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS + ("batchmean",))
@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("shape", [(4, 3), (), (0, 3)])
def test_kl_div_matches_torch_in_input_and_target(reduction, log_target, shape):
    rng = np.random.default_rng(8)
    x, target = np.log(rng.uniform(0.05, 1.0, shape)), rng.uniform(0.05, 1.0, shape)
    target = np.log(target) if log_target else target
    options = dict(reduction=reduction, log_target=log_target)
    check_against_torch(lambda a, t: TF.kl_div(a, t, **options), lambda a, t: F.kl_div(a, t, **options), [x, target])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input", [True, False])
@pytest.mark.parametrize("full", [False, True])
def test_poisson_nll_loss_matches_torch(reduction, log_input, full):
    rng = np.random.default_rng(9)
    x = rng.normal(size=(4, 3)) if log_input else rng.uniform(0.1, 3.0, (4, 3))
    counts = rng.integers(1, 6, (4, 3)).astype(float)  # no count 0: torch's full=True gives its target nan there
    options = dict(log_input=log_input, full=full, eps=0.5, reduction=reduction)
    check_against_torch(
        lambda a, t: TF.poisson_nll_loss(a, t, **options), lambda a, t: F.poisson_nll_loss(a, t, **options), [x, counts]
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var_shape", [(4, 3), (4,), (4, 1), (1, 3)])
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll_loss_matches_torch_for_each_variance_shape(reduction, var_shape, full):
    rng = np.random.default_rng(10)
    x, target = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    var = np.where(rng.uniform(size=var_shape) < 0.3, 1e-4, rng.uniform(0.2, 2.0, var_shape))  # some below eps
    options = dict(full=full, eps=1e-3, reduction=reduction)
    check_against_torch(
        lambda a, t, v: TF.gaussian_nll_loss(a, t, v, **options),
        lambda a, t, v: F.gaussian_nll_loss(a, t, v, **options),
        [x, target, var],
    )


# -- embedding and ranking losses ----------------------------------------------------------------------------------
def _signs(shape, seed):
    return np.where(np.random.default_rng(seed).uniform(size=shape) < 0.5, -1.0, 1.0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.5, -0.3])
def test_margin_ranking_hinge_embedding_and_cosine_embedding_losses_match_torch(reduction, margin):
    rng = np.random.default_rng(11)
    x1, x2 = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    signs = _signs((5, 3), 12)
    grads = [True, True, False]
    check_against_torch(
        lambda a, b, y: TF.margin_ranking_loss(a, b, y, margin, reduction=reduction),
        lambda a, b, y: F.margin_ranking_loss(a, b, y, margin, reduction=reduction),
        [x1, x2[:1], signs],  # input2 broadcast along the batch, as torch
        grads,
    )
    check_against_torch(
        lambda a, y: TF.hinge_embedding_loss(a, y, margin, reduction=reduction),
        lambda a, y: F.hinge_embedding_loss(a, y, margin, reduction=reduction),
        [x1, signs],
        grads[1:],
    )
    for shape in [(5, 3), (3,), (0, 3)]:
        check_against_torch(
            lambda a, b, y: TF.cosine_embedding_loss(a, b, y, margin, reduction=reduction),
            lambda a, b, y: F.cosine_embedding_loss(a, b, y, margin, reduction=reduction),
            [rng.normal(size=shape), rng.normal(size=shape), _signs(shape[:-1], 13)],
            grads,
        )
    check_against_torch(
        lambda a, y: TF.soft_margin_loss(a, y, reduction=reduction),
        lambda a, y: F.soft_margin_loss(a, y, reduction=reduction),
        [x1 * 3, signs],
        grads[1:],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "options",
    [{}, {"margin": 0.5, "p": 1.0}, {"p": 3.0, "eps": 0.1}, {"swap": True}, {"p": float("inf"), "swap": True}],
)
@pytest.mark.parametrize("shape", [(5, 3), (3,), (2, 3, 4)])
def test_triplet_margin_loss_matches_torch(reduction, options, shape):
    rng = np.random.default_rng(14)
    arrays = [rng.normal(size=shape) for _ in range(3)]
    check_against_torch(
        lambda a, p, n: TF.triplet_margin_loss(a, p, n, reduction=reduction, **options),
        lambda a, p, n: F.triplet_margin_loss(a, p, n, reduction=reduction, **options),
        arrays,
    )


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize(
    "shapes", [((4, 5), (1, 5), (4, 5)), ((1, 5), (4, 5), (4, 1)), ((2, 3, 5), (1, 3, 5), (2, 1, 5))]
)
def test_triplet_margin_loss_broadcasts_inputs_of_one_rank_as_torch(shapes, swap):
    """One prototype positive for every anchor: torch's pairwise distances broadcast the three inputs."""
    rng = np.random.default_rng(17)
    arrays = [rng.normal(size=shape) for shape in shapes]
    check_against_torch(
        lambda a, p, n: TF.triplet_margin_loss(a, p, n, swap=swap),
        lambda a, p, n: F.triplet_margin_loss(a, p, n, swap=swap),
        arrays,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("cosine", [False, True])
def test_triplet_margin_with_distance_loss_matches_torch(reduction, swap, cosine):
    rng = np.random.default_rng(15)
    arrays = [rng.normal(size=(5, 3)) for _ in range(3)]

    def options(functional):
        distance = (lambda u, v: 1 - functional.cosine_similarity(u, v, dim=-1)) if cosine else None
        return dict(distance_function=distance, margin=0.7, swap=swap, reduction=reduction)

    check_against_torch(
        lambda a, p, n: TF.triplet_margin_with_distance_loss(a, p, n, **options(TF)),
        lambda a, p, n: F.triplet_margin_with_distance_loss(a, p, n, **options(F)),
        arrays,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 5), (5,), (0, 5)])
def test_multilabel_and_multi_margin_losses_match_torch(reduction, shape):
    rng = np.random.default_rng(16)
    scores = rng.normal(size=shape)
    listed = np.full(shape, -1)
    for row in listed.reshape(-1, shape[-1]):
        count = rng.integers(0, 5)
        row[:count] = rng.choice(5, count, replace=False)
    torchs_garbage = shape[0] == 0 and reduction == "mean"  # torch's kernels average no samples in uninitialised memory
    if not torchs_garbage:
        check_against_torch(
            lambda x, t: TF.multilabel_margin_loss(x, t, reduction=reduction),
            lambda x, t: F.multilabel_margin_loss(x, t, reduction=reduction),
            [scores, listed],
        )
    labels, weight = rng.uniform(0, 1, shape), rng.uniform(0.2, 2.0, 5)
    check_against_torch(  # torch differentiates the (soft) labels and the weight too
        lambda x, y, w: TF.multilabel_soft_margin_loss(x, y, w, reduction=reduction),
        lambda x, y, w: F.multilabel_soft_margin_loss(x, y, w, reduction=reduction),
        [scores, labels, weight],
    )
    if torchs_garbage:
        return
    classes = rng.integers(0, 5, shape[:-1])
    for p in (1, 2):
        check_against_torch(
            lambda x, t, w, p=p: TF.multi_margin_loss(x, t, p, 0.6, w, reduction=reduction),
            lambda x, t, w, p=p: F.multi_margin_loss(x, t, p, 0.6, w, reduction=reduction),
            [scores, classes, weight],
            [True, False, False],
        )


# -- the modules -------------------------------------------------------------------------------------------------
def _module_cases():
    rng = np.random.default_rng(17)
    x, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    p, q = rng.uniform(0.05, 0.95, (4, 3)), rng.uniform(0, 1, (4, 3))
    signs, classes, weight = _signs((4, 3), 18), rng.integers(0, 3, 4), rng.uniform(0.2, 2.0, 3)
    listed = np.array([[0, 2, -1], [1, -1, 0], [2, 1, 0], [-1, 0, 0]])
    return {  # name: (constructor arguments, call arguments, their gradient flags)
        "MSELoss": ({}, [x, y], None),
        "L1Loss": ({}, [x, y], None),
        "SmoothL1Loss": ({"beta": 0.5}, [x, y], None),
        "HuberLoss": ({"delta": 0.5}, [x, y], None),
        "BCELoss": ({"weight": weight}, [p, q], None),
        "BCEWithLogitsLoss": ({"weight": weight, "pos_weight": weight[::-1].copy()}, [x, q], None),
        "CrossEntropyLoss": ({"weight": weight, "ignore_index": 1, "label_smoothing": 0.2}, [x, classes], None),
        "NLLLoss": ({"weight": weight, "ignore_index": 0}, [x, classes], None),
        "KLDivLoss": ({"log_target": True}, [np.log(p), np.log(q)], None),
        "PoissonNLLLoss": ({"log_input": False, "full": True, "eps": 1e-3}, [p * 3, np.round(q * 3) + 2], None),
        "GaussianNLLLoss": ({"full": True, "eps": 1e-2}, [x, y, q], None),
        "MarginRankingLoss": ({"margin": 0.5}, [x, y, signs], [True, True, False]),
        "HingeEmbeddingLoss": ({"margin": 0.5}, [x, signs], [True, False]),
        "SoftMarginLoss": ({}, [x, signs], [True, False]),
        "CosineEmbeddingLoss": ({"margin": 0.2}, [x, y, signs[:, 0]], [True, True, False]),
        "TripletMarginLoss": ({"margin": 0.5, "p": 1.0, "eps": 1e-3, "swap": True}, [x, y, q], None),
        "TripletMarginWithDistanceLoss": ({"margin": 0.5, "swap": True}, [x, y, q], None),
        "MultiLabelMarginLoss": ({}, [x, listed], None),
        "MultiLabelSoftMarginLoss": ({"weight": weight}, [x, np.round(q)], None),
        "MultiMarginLoss": ({"p": 2, "margin": 0.5, "weight": weight}, [x, classes], None),
    }


def _torch_arguments(arguments):
    return {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in arguments.items()}


LEGACY = [{}, {"reduction": "sum"}, {"reduction": "none"}, {"size_average": False}, {"reduce": False}]
NO_LEGACY = {"HuberLoss", "GaussianNLLLoss", "TripletMarginWithDistanceLoss"}  # torch gives these no size_average


@pytest.mark.parametrize(
    ("name", "legacy"),
    [
        (name, legacy)
        for name in sorted(_module_cases())
        for legacy in LEGACY
        if not (name in NO_LEGACY and ("size_average" in legacy or "reduce" in legacy))
    ],
    ids=str,
)
def test_loss_modules_with_their_constructor_arguments_match_torch(name, legacy):
    arguments, inputs, grads = _module_cases()[name]
    check_against_torch(
        lambda *a: getattr(torch.nn, name)(**_torch_arguments(arguments), **legacy)(*a),
        lambda *a: getattr(nn, name)(**arguments, **legacy)(*a),
        inputs,
        grads,
    )


@pytest.mark.parametrize(
    "name, call",
    [
        ("cross_entropy", lambda lib, x, t, p, w: lib.cross_entropy(x, t, w)),
        ("cross_entropy smoothed", lambda lib, x, t, p, w: lib.cross_entropy(x, t, w, label_smoothing=0.1)),
        ("nll_loss", lambda lib, x, t, p, w: lib.nll_loss(x, t, w)),
        ("binary_cross_entropy", lambda lib, x, t, p, w: lib.binary_cross_entropy(p, p, w.expand(4, 3))),
        ("bce with logits", lambda lib, x, t, p, w: lib.binary_cross_entropy_with_logits(x, p, w)),
        ("bce pos_weight", lambda lib, x, t, p, w: lib.binary_cross_entropy_with_logits(x, p, pos_weight=w)),
        ("multi_margin_loss", lambda lib, x, t, p, w: lib.multi_margin_loss(x, t, weight=w)),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_weight_that_requires_grad_is_refused_where_torchs_kernel_has_no_derivative_for_it(name, call):
    """torch's RuntimeError ("not differentiable with respect to argument 'weight'"), not a weight silently left
    without a gradient; under no_grad, or detached, the weight is a constant as before."""
    rng = np.random.default_rng(18)
    x, p, t = rng.normal(size=(4, 3)), rng.uniform(0.1, 0.9, size=(4, 3)), np.array([0, 1, 2, 1])

    def arguments(lib, weight_requires_grad):
        if lib is TF:
            tensor = lambda a, grad=False: torch.tensor(a, requires_grad=grad)  # noqa: E731
            return tensor(x, True), torch.tensor(t), tensor(p), tensor(np.ones(3), weight_requires_grad)
        return Tensor(x, requires_grad=True), t, Tensor(p), Tensor(np.ones(3), requires_grad=weight_requires_grad)

    with pytest.raises(RuntimeError, match="not differentiable with respect to argument"):
        call(TF, *arguments(TF, True))
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument"):
        call(F, *arguments(F, True))
    with autograd.no_grad():
        quiet = call(F, *arguments(F, True))
    expected = call(TF, *arguments(TF, False))
    np.testing.assert_allclose(quiet.numpy(), expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(call(F, *arguments(F, False)).numpy(), expected.detach().numpy(), rtol=1e-12)
