"""Port of the loss-function tests of pytorch/pytorch test/test_nn.py (TestNN and TestNNDeviceType) and of the
``criterion_tests`` entries of torch/testing/_internal/common_nn.py (the ``*_no_batch_dim_*`` cases), written for
this library and run beside torch 2.13 as the oracle. tests/test_torch_criterion_port.py already compares every
loss's float64 values and first gradients over reductions, weights, ignore_index, label smoothing and K-dimensional
inputs; this file adds what upstream checks beyond that: the error classes of bad arguments, float32 results and
gradients (and the dtype of mixed-precision pairs), second derivatives wherever torch has them (and a float64
finite-difference check where torch's kernels have none), the edge values (probabilities of exactly 0 and 1, huge
logits, zero total weight, all-ignored and empty batches, an ignore_index outside the classes, zero-length and
empty CTC targets), the identities upstream asserts (smooth L1 with beta 0 is L1, unit weights are no weights,
one-hot probabilities are class indices, default triplet distance is the pairwise distance, label smoothing of
probabilities against an independent float64 formula) and the unbatched modules of ``criterion_tests`` against
torch's modules on one-sample batches.

Left out, and why:

- torch's UserWarning for an L1 / MSE / smooth L1 / Huber / KL target of another (broadcastable) shape: this
  library refuses such a pair with a ValueError naming both shapes and the reshape to write (a documented choice,
  tests/test_losses.py's ``test_a_column_against_a_vector_says_to_reshape``); only the pairs torch refuses too are
  checked here.
- binary_cross_entropy_with_logits of targets outside [0, 1] (common_nn's no-batch case draws them from randn):
  this library refuses them (documented in nn/functional/losses.py); the port draws them from [0, 1].
- huber_loss of an integer target: torch refuses it ("Found dtype Long but expected Double"), this library takes
  it as smooth_l1_loss, mse_loss and l1_loss (and torch's smooth_l1 / mse / l1) do.
- kl_div at a zero target: the target's derivative there is torch's nan (this library 0), and with
  ``log_target`` a target of -inf gives torch's nan term (0 * -inf) where this library gives the limit 0.
- poisson_nll_loss with ``full`` at a count of 0: the target's derivative there is torch's nan (its masked
  Stirling term's 0 * -inf); this library gives the derivative of the loss without that term, which is the loss
  at counts of 1 and below.
- binary_cross_entropy of a float32 input and a float64 target: torch refuses the pair ("Found dtype Double but
  expected Float"); this library promotes it as numpy would (float64).
- nll_loss / cross_entropy of int32 class indices: torch asks for int64 or uint8; this library takes any integer
  array (numpy's default integer dtype differs across platforms).
- cross_entropy with a negative label_smoothing: torch 2.13's functional computes it although its documentation
  asks for [0, 1]; this library refuses it as documented.
- ctc_loss of float targets (torch casts them) and of targets holding ``blank`` (torch computes a number its
  documentation rules out): refused here with a TypeError / ValueError.
- the second derivative of nll_loss taken directly at its input: torch's first gradient is recorded (a zero
  NllLossBackwardBackward), this library's is a constant; the derivative is 0 either way and the composite
  log_softmax + nll_loss is compared below.
- CUDA / cuDNN CTC, the large-tensor (64-bit index) cases, bfloat16/half, the C++ API parity and JIT checks: this
  library has no such devices, sizes or front ends.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional

REDUCTIONS = ("none", "mean", "sum")


def _theirs_and_ours(arrays, grads, dtype):
    theirs, ours = [], []
    for array, grad in zip(arrays, grads):
        array = np.asarray(array)
        if array.dtype.kind == "f":
            array = array.astype(dtype)
            theirs.append(torch.tensor(array, requires_grad=bool(grad)))
            ours.append(Tensor(array, requires_grad=bool(grad)))
        else:
            theirs.append(torch.tensor(array))
            ours.append(array)
    return theirs, ours


def compare(torch_fn, our_fn, arrays, grads=None, *, dtype=np.float64, second_order=False, rtol=None):
    """``our_fn(*ours)`` against ``torch_fn(*theirs)``: dtype and value, the gradients of sum(out * u) for the
    float arrays flagged in ``grads`` (default: all), and with ``second_order`` the gradients of
    sum(first_gradients * v) for fixed random u, v. nan matches nan."""
    arrays = [np.asarray(a) for a in arrays]
    grads = [a.dtype.kind == "f" for a in arrays] if grads is None else grads
    theirs, ours = _theirs_and_ours(arrays, grads, dtype)
    tolerance = dict(rtol=1e-9, atol=1e-11) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-6)
    tolerance["rtol"] = tolerance["rtol"] if rtol is None else rtol
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # kl_div's reduction="mean" notice, from both libraries
        expected, got = torch_fn(*theirs), our_fn(*ours)
    assert got.shape == tuple(expected.shape)
    assert str(got.dtype) == str(expected.dtype).replace("torch.", "")
    np.testing.assert_allclose(got.data, expected.detach().numpy(), **tolerance, err_msg="value")
    wrt_theirs = [t for t, g in zip(theirs, grads) if g]
    wrt_ours = [o for o, g in zip(ours, grads) if g]
    if not wrt_theirs:
        return
    u = np.random.default_rng(1).uniform(0.5, 1.5, got.shape)
    unused = dict(allow_unused=True, materialize_grads=True)  # an argument out of the graph: a zero gradient
    first_theirs = torch.autograd.grad(
        (expected * torch.tensor(u, dtype=expected.dtype)).sum(), wrt_theirs, create_graph=second_order, **unused
    )
    first_ours = autograd.grad((got * Tensor(u.astype(dtype))).sum(), wrt_ours, create_graph=second_order, **unused)
    for position, (have, want) in enumerate(zip(first_ours, first_theirs)):
        assert str(have.dtype) == str(want.dtype).replace("torch.", "")
        np.testing.assert_allclose(
            np.asarray(have.data), want.detach().numpy(), **tolerance, err_msg=f"gradient {position}"
        )
    if not second_order:
        return
    vs = [np.random.default_rng(2 + i).uniform(0.5, 1.5, a.shape) for i, a in enumerate(wrt_theirs)]
    second_theirs = torch.autograd.grad(
        sum((g * torch.tensor(v)).sum() for g, v in zip(first_theirs, vs)), wrt_theirs, allow_unused=True
    )
    second_ours = autograd.grad(sum((g * Tensor(v)).sum() for g, v in zip(first_ours, vs)), wrt_ours, allow_unused=True)
    for position, (have, want) in enumerate(zip(second_ours, second_theirs)):
        want = np.zeros(wrt_theirs[position].shape) if want is None else want.numpy()
        have = np.zeros(want.shape) if have is None else np.asarray(have.data)
        np.testing.assert_allclose(have, want, **tolerance, err_msg=f"second derivative {position}")


def refused_by_both(error, torch_call, our_call, match=None):
    """torch raises ``error`` and so does this library (its message naming ``match`` when given)."""
    with pytest.raises(error), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's notice of a target of another size
        torch_call()
    with pytest.raises(error, match=match):
        our_call()


def _rng(seed=0):
    return np.random.default_rng(seed)


def _log_probabilities(shape, seed=0):
    x = _rng(seed).normal(size=shape)
    return x - np.log(np.exp(x).sum(axis=1, keepdims=True))


# -- nll_loss ------------------------------------------------------------------------------------------------------
NLL_REFUSALS = {  # name: (error class torch raises, input shape, target, options)
    "batch sizes differ": (ValueError, (3, 4), np.array([0, 1]), {}),
    "target of two axes for a batch": (ValueError, (3, 4), np.array([[0, 1, 1]]), {}),
    "class past the last": (IndexError, (3, 4), np.array([0, 1, 4]), {}),
    "negative class": (IndexError, (3, 4), np.array([0, -1, 2]), {}),
    "no classes": (IndexError, (2, 0), np.array([0, 0]), {}),
    "weight of three for four classes": (RuntimeError, (3, 4), np.array([0, 1, 2]), {"weight": np.ones(3)}),
    "weight of two axes": (RuntimeError, (3, 4), np.array([0, 1, 2]), {"weight": np.ones((1, 4))}),
    "k-dimensional sizes differ": (RuntimeError, (2, 3, 4, 5), np.zeros((2, 4, 4), dtype=np.int64), {}),
    "float class indices": (RuntimeError, (3, 4), np.array([0.0, 1.0, 2.0]), {}),
    "a 0-d input": (ValueError, (), np.array(0), {}),
}


@pytest.mark.parametrize(
    "case, loss",
    [
        (case, loss)
        for case in sorted(NLL_REFUSALS)
        for loss in ("nll_loss", "cross_entropy")
        # cross_entropy reads a float target as probabilities; its 0-d input is torch's RuntimeError or IndexError
        # by the target's shape
        if not (loss == "cross_entropy" and case in ("float class indices", "a 0-d input"))
    ],
)
def test_nll_and_cross_entropy_refuse_bad_targets_and_weights_with_torchs_error_class(case, loss):
    error, shape, target, options = NLL_REFUSALS[case]
    x = _rng().normal(size=shape)
    theirs = {k: torch.tensor(v) for k, v in options.items()}
    refused_by_both(
        error,
        lambda: getattr(TF, loss)(torch.tensor(x), torch.tensor(target), **theirs),
        lambda: getattr(F, loss)(Tensor(x), target, **options),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy"])
def test_an_ignore_index_outside_the_classes_leaves_those_samples_out(reduction, loss):
    x, target = _rng(1).normal(size=(5, 4)), np.array([0, 255, 3, 255, 1])
    compare(
        lambda a: getattr(TF, loss)(a, torch.tensor(target), ignore_index=255, reduction=reduction),
        lambda a: getattr(F, loss)(a, target, ignore_index=255, reduction=reduction),
        [x],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_with_zero_total_weight_is_torchs_nan_mean_and_zero_sum(reduction):
    x, target = _log_probabilities((3, 4), 2), np.array([0, 1, 1])
    weight = np.array([0.0, 0.0, 2.0, 1.0])  # the targets' classes weigh nothing
    compare(
        lambda a, w: TF.nll_loss(a, torch.tensor(target), w, reduction=reduction),
        lambda a, w: F.nll_loss(a, target, w, reduction=reduction),
        [x, weight],
        [True, False],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss_of_a_uint8_target_is_its_int64_loss(reduction):
    x, target = _log_probabilities((4, 3), 3), np.array([2, 0, 1, 2], dtype=np.uint8)
    compare(
        lambda a: TF.nll_loss(a, torch.tensor(target), reduction=reduction),
        lambda a: F.nll_loss(a, target, reduction=reduction),
        [x],
    )


@pytest.mark.parametrize("target", [np.array(2), np.array([2])], ids=["0-d", "one-element"])
def test_nll_loss_of_one_unbatched_sample_takes_a_scalar_or_one_element_target(target):
    x = _log_probabilities((1, 4), 4)[0]
    # torch's backward refuses the one-element target its forward took ("size mismatch"): values only there
    compare(lambda a: TF.nll_loss(a, torch.tensor(target)), lambda a: F.nll_loss(a, target), [x], [target.ndim == 0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy"])
@pytest.mark.parametrize("shape", [(2, 3, 0, 5), (0, 3, 2), (2, 3, 4, 0)])
def test_empty_k_dimensional_batches_give_torchs_empty_nan_or_zero(reduction, loss, shape):
    x, target = np.zeros(shape), np.zeros(shape[:1] + shape[2:], dtype=np.int64)
    compare(
        lambda a: getattr(TF, loss)(a, torch.tensor(target), reduction=reduction),
        lambda a: getattr(F, loss)(a, target, reduction=reduction),
        [x],
    )


# -- cross_entropy -------------------------------------------------------------------------------------------------
CROSS_ENTROPY_REFUSALS = {
    "probabilities of fewer classes": (lambda x, p: ((x, p[:, :3]), {})),
    "ignore_index with probabilities": (lambda x, p: ((x, p), {"ignore_index": 1})),
    "weight of three for four classes, probabilities": (lambda x, p: ((x, p), {"weight": np.ones(3)})),
    "k-dimensional input, batch target": (lambda x, p: ((x.reshape(3, 2, 2), np.array([0, 1, 1])), {})),
}


@pytest.mark.parametrize("case", sorted(CROSS_ENTROPY_REFUSALS))
def test_cross_entropy_refuses_what_torch_refuses_with_a_runtime_error(case):
    rng = _rng(5)
    (x, target), options = CROSS_ENTROPY_REFUSALS[case](rng.normal(size=(3, 4)), rng.uniform(0, 1, (3, 4)))
    as_torch = lambda v: torch.tensor(np.asarray(v))  # noqa: E731
    ours = lambda v: Tensor(v) if np.asarray(v).dtype.kind == "f" else v  # noqa: E731
    refused_by_both(
        RuntimeError,
        lambda: TF.cross_entropy(as_torch(x), as_torch(target), **{k: as_torch(v) for k, v in options.items()}),
        lambda: F.cross_entropy(ours(x), ours(target), **{k: ours(v) for k, v in options.items()}),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.15, 1.0])
@pytest.mark.parametrize("shape", [(4, 5), (5,), (2, 5, 3)])
def test_label_smoothing_of_probabilities_is_the_smoothed_distributions_cross_entropy(
    reduction, label_smoothing, shape
):
    """Against an independent float64 formula: the target (1 - s) p + s / C against log_softmax over axis 1."""
    rng = _rng(6)
    x, p = rng.normal(size=shape), rng.dirichlet(np.ones(5), shape[:1] + shape[2:] if len(shape) > 1 else ())
    axis = 0 if len(shape) == 1 else 1
    p = np.moveaxis(p, -1, axis) if len(shape) > 1 else p
    log_softmax = x - np.log(np.exp(x).sum(axis=axis, keepdims=True))
    smoothed = (1 - label_smoothing) * p + label_smoothing / 5
    terms = -(smoothed * log_softmax).sum(axis=axis)
    expected = {"none": terms, "sum": terms.sum(), "mean": terms.mean()}[reduction]
    got = F.cross_entropy(Tensor(x), Tensor(p), reduction=reduction, label_smoothing=label_smoothing)
    np.testing.assert_allclose(got.data, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
def test_one_hot_probabilities_give_the_class_index_loss_as_in_torch(reduction, label_smoothing):
    rng = _rng(7)
    x, target = rng.normal(size=(6, 4)), rng.integers(0, 4, 6)
    one_hot = np.eye(4)[target]
    for labels in (target, one_hot):
        compare(
            lambda a, t: TF.cross_entropy(a, t, reduction=reduction, label_smoothing=label_smoothing),
            lambda a, t: F.cross_entropy(a, t, reduction=reduction, label_smoothing=label_smoothing),
            [x, labels],
            [True, False],
        )
    by_index = F.cross_entropy(Tensor(x), target, reduction=reduction, label_smoothing=label_smoothing)
    by_probabilities = F.cross_entropy(Tensor(x), Tensor(one_hot), reduction=reduction, label_smoothing=label_smoothing)
    np.testing.assert_allclose(by_index.data, by_probabilities.data, rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("probabilities", [False, True])
def test_unit_class_weights_give_the_unweighted_cross_entropy(reduction, probabilities):
    rng = _rng(8)
    x = rng.normal(size=(5, 3, 2))
    target = rng.dirichlet(np.ones(3), (5, 2)).transpose(0, 2, 1) if probabilities else rng.integers(0, 3, (5, 2))
    grads = [True, probabilities]
    for weight in ([], [np.ones(3)]):
        compare(
            lambda a, t, *w: TF.cross_entropy(a, t, *w, reduction=reduction, label_smoothing=0.1),
            lambda a, t, *w: F.cross_entropy(a, t, *w, reduction=reduction, label_smoothing=0.1),
            [x, target, *weight],
            grads + [False] * len(weight),
        )


def test_cross_entropy_of_large_float32_logits_keeps_float32_precision():
    """upstream's precision check: float32 logits far from 0 give the float64 loss to float32 accuracy."""
    rng = _rng(9)
    x, target = (rng.normal(size=(64, 10)) * 3 + 1e4).astype(np.float32), rng.integers(0, 10, 64)
    exact = TF.cross_entropy(torch.tensor(x, dtype=torch.float64), torch.tensor(target)).item()
    got = F.cross_entropy(Tensor(x), target)
    assert got.dtype == np.float32
    assert got.item() == pytest.approx(exact, rel=1e-5)
    compare(
        lambda a: TF.cross_entropy(a, torch.tensor(target)), lambda a: F.cross_entropy(a, target), [x], dtype=np.float32
    )


# -- float32 and mixed precision -----------------------------------------------------------------------------------
def _float_cases():
    rng = _rng(10)
    x, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    p, q = rng.uniform(0.05, 0.95, (4, 3)), rng.uniform(0, 1, (4, 3))
    signs = np.where(rng.uniform(size=(4, 3)) < 0.5, -1.0, 1.0)
    classes, listed = np.array([0, 2, 1, 2]), np.array([[0, 2, -1], [1, -1, 0], [2, 1, 0], [-1, 0, 0]])
    return {  # name: (call with the functional module as lib, arrays, gradient flags)
        "mse_loss": (lambda lib, a, b: lib.mse_loss(a, b), [x, y], None),
        "l1_loss": (lambda lib, a, b: lib.l1_loss(a, b), [x, y], None),
        "smooth_l1_loss": (lambda lib, a, b: lib.smooth_l1_loss(a, b, beta=0.6), [x, y], None),
        "huber_loss": (lambda lib, a, b: lib.huber_loss(a, b, delta=0.6), [x, y], None),
        "binary_cross_entropy": (lambda lib, a, b: lib.binary_cross_entropy(a, b), [p, q], None),
        "binary_cross_entropy_with_logits": (
            lambda lib, a, b: lib.binary_cross_entropy_with_logits(a, b),
            [x * 4, q],
            None,
        ),
        "cross_entropy": (lambda lib, a, t: lib.cross_entropy(a, t, label_smoothing=0.1), [x, classes], [1, 0]),
        "cross_entropy probabilities": (lambda lib, a, t: lib.cross_entropy(a, t), [x, q], None),
        "nll_loss": (lambda lib, a, t: lib.nll_loss(a, t), [x, classes], [1, 0]),
        "kl_div": (lambda lib, a, t: lib.kl_div(a, t, reduction="batchmean"), [np.log(p), q], None),
        "kl_div log_target": (
            lambda lib, a, t: lib.kl_div(a, t, reduction="sum", log_target=True),
            [np.log(p), np.log(q)],
            None,
        ),
        "poisson_nll_loss": (lambda lib, a, t: lib.poisson_nll_loss(a, t, full=True), [x, q * 4 + 1], None),
        "gaussian_nll_loss": (lambda lib, a, t, v: lib.gaussian_nll_loss(a, t, v), [x, y, p], None),
        "margin_ranking_loss": (lambda lib, a, b, s: lib.margin_ranking_loss(a, b, s, 0.2), [x, y, signs], [1, 1, 0]),
        "hinge_embedding_loss": (lambda lib, a, s: lib.hinge_embedding_loss(a, s, 0.5), [x, signs], [1, 0]),
        "soft_margin_loss": (lambda lib, a, s: lib.soft_margin_loss(a, s), [x, signs], [1, 0]),
        "cosine_embedding_loss": (
            lambda lib, a, b, s: lib.cosine_embedding_loss(a, b, s, 0.1),
            [x, y, signs[:, 0]],
            [1, 1, 0],
        ),
        "multilabel_margin_loss": (lambda lib, a, t: lib.multilabel_margin_loss(a, t), [x, listed], [1, 0]),
        "multilabel_soft_margin_loss": (lambda lib, a, t: lib.multilabel_soft_margin_loss(a, t), [x, q], None),
        "multi_margin_loss": (lambda lib, a, t: lib.multi_margin_loss(a, t, p=2, margin=0.7), [x, classes], [1, 0]),
        "triplet_margin_loss": (lambda lib, a, b, c: lib.triplet_margin_loss(a, b, c, swap=True), [x, y, p], None),
        "triplet_margin_with_distance_loss": (
            lambda lib, a, b, c: lib.triplet_margin_with_distance_loss(a, b, c, margin=1.5),
            [x, y, p],
            None,
        ),
    }


@pytest.mark.parametrize("name", sorted(_float_cases()))
def test_losses_keep_float32_in_value_and_gradients_as_torch(name):
    call, arrays, grads = _float_cases()[name]
    compare(lambda *a: call(TF, *a), lambda *a: call(F, *a), arrays, grads, dtype=np.float32)


@pytest.mark.parametrize(
    "name",
    [
        "mse_loss",
        "l1_loss",
        "kl_div",
        "binary_cross_entropy_with_logits",
        "margin_ranking_loss",
        "cosine_embedding_loss",
    ],
)
def test_a_float32_input_against_a_float64_operand_promotes_to_float64_as_torch(name):
    call, arrays, _ = _float_cases()[name]
    theirs = [torch.tensor(a, dtype=torch.float32 if i == 0 else None) for i, a in enumerate(arrays)]
    ours = [Tensor(a.astype(np.float32) if i == 0 else a) for i, a in enumerate(arrays)]
    expected, got = call(TF, *theirs), call(F, *ours)
    assert expected.dtype == torch.float64 and got.dtype == np.float64
    # torch's and this library's logits kernels each keep a float32 step (both 1e-8 from the float64 loss)
    rtol = 1e-7 if name == "binary_cross_entropy_with_logits" else 1e-12
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=rtol)


# -- second derivatives ---------------------------------------------------------------------------------------------
def _second_order_cases():
    rng = _rng(11)
    x, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    p, q = rng.uniform(0.1, 0.9, (3, 4)), rng.uniform(0, 1, (3, 4))
    w = rng.uniform(0.5, 2.0, 4)
    classes, signs = np.array([0, 3, 1]), np.where(rng.uniform(size=(3, 4)) < 0.5, -1.0, 1.0)
    tw = lambda lib: torch.tensor(w) if lib is TF else w  # noqa: E731
    return {
        "mse_loss": (lambda lib, r, a, b: lib.mse_loss(a, b, reduction=r), [x, y], None),
        "smooth_l1_loss": (lambda lib, r, a, b: lib.smooth_l1_loss(a, b, reduction=r, beta=0.7), [x, y], None),
        "huber_loss": (lambda lib, r, a, b: lib.huber_loss(a, b, reduction=r, delta=0.7), [x, y], None),
        "binary_cross_entropy": (lambda lib, r, a, b: lib.binary_cross_entropy(a, b, reduction=r), [p, q], None),
        "binary_cross_entropy weighted": (
            lambda lib, r, a, b: lib.binary_cross_entropy(a, b, tw(lib), reduction=r),
            [p, q],
            None,
        ),
        "binary_cross_entropy_with_logits": (
            lambda lib, r, a, b: lib.binary_cross_entropy_with_logits(
                a, b, tw(lib), pos_weight=tw(lib).flip(0) if lib is TF else w[::-1].copy(), reduction=r
            ),
            [x, q],
            None,
        ),
        "log_softmax then nll_loss": (
            lambda lib, r, a: lib.nll_loss(
                lib.log_softmax(a, 1), torch.tensor(classes) if lib is TF else classes, tw(lib), reduction=r
            ),
            [x],
            None,
        ),
        "cross_entropy": (
            lambda lib, r, a: lib.cross_entropy(
                a, torch.tensor(classes) if lib is TF else classes, tw(lib), reduction=r, label_smoothing=0.2
            ),
            [x],
            None,
        ),
        "cross_entropy probabilities": (
            lambda lib, r, a, t: lib.cross_entropy(a, t, reduction=r, label_smoothing=0.2),
            [x, q],
            None,
        ),
        "kl_div": (lambda lib, r, a, t: lib.kl_div(a, t, reduction=r), [np.log(p), q], None),
        "kl_div log_target": (
            lambda lib, r, a, t: lib.kl_div(a, t, reduction=r, log_target=True),
            [np.log(p), np.log(q)],
            None,
        ),
        "poisson_nll_loss": (
            lambda lib, r, a, t: lib.poisson_nll_loss(a, t, reduction=r, full=True),
            [x, q * 3 + 1],
            None,
        ),
        "poisson_nll_loss of rates": (
            lambda lib, r, a, t: lib.poisson_nll_loss(a, t, log_input=False, reduction=r),
            [p, q * 3],
            None,
        ),
        "gaussian_nll_loss": (
            lambda lib, r, a, t, v: lib.gaussian_nll_loss(a, t, v, reduction=r, full=True),
            [x, y, p],
            None,
        ),
        "gaussian_nll_loss one variance per sample": (
            lambda lib, r, a, t, v: lib.gaussian_nll_loss(a, t, v, reduction=r),
            [x, y, p[:, :1]],
            None,
        ),
        "soft_margin_loss": (lambda lib, r, a, s: lib.soft_margin_loss(a, s, reduction=r), [x, signs], [1, 0]),
        "cosine_embedding_loss": (
            lambda lib, r, a, b, s: lib.cosine_embedding_loss(a, b, s, 0.1, reduction=r),
            [x, y, signs[:, 0]],
            [1, 1, 0],
        ),
        "multilabel_soft_margin_loss": (
            lambda lib, r, a, t: lib.multilabel_soft_margin_loss(a, t, tw(lib), reduction=r),
            [x, q],
            None,
        ),
        "triplet_margin_loss": (
            lambda lib, r, a, b, c: lib.triplet_margin_loss(a, b, c, margin=2.0, p=3, swap=True, reduction=r),
            [x, y, p],
            None,
        ),
        "triplet_margin_with_distance_loss": (
            lambda lib, r, a, b, c: lib.triplet_margin_with_distance_loss(a, b, c, margin=2.0, swap=True, reduction=r),
            [x, y, p],
            None,
        ),
    }


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(_second_order_cases()))
def test_second_derivatives_of_the_losses_match_torch(name, reduction):
    call, arrays, grads = _second_order_cases()[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # kl_div's reduction="mean" warning, from both libraries
        compare(lambda *a: call(TF, reduction, *a), lambda *a: call(F, reduction, *a), arrays, grads, second_order=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("loss", ["multi_margin_loss", "multilabel_margin_loss"])
def test_second_derivative_of_the_piecewise_linear_margin_losses_is_the_finite_difference_of_the_gradient(
    loss, reduction
):
    """torch has no double backward for these kernels; the float64 central difference of the first gradient
    (away from the kinks) is the independent reference."""
    rng = _rng(12)
    x = rng.normal(size=(3, 4))
    target = (
        np.array([0, 3, 1]) if loss == "multi_margin_loss" else np.array([[3, 0, -1, 1], [1, -1, 0, 0], [2, 1, 0, 3]])
    )
    options = dict(p=2, margin=0.7, weight=rng.uniform(0.5, 2.0, 4)) if loss == "multi_margin_loss" else {}
    u = rng.uniform(0.5, 1.5, (3,) if reduction == "none" else ())
    v = rng.uniform(0.5, 1.5, x.shape)

    def directional_first_gradient(array, create_graph=False):
        leaf = Tensor(array, requires_grad=True)
        out = getattr(F, loss)(leaf, target, reduction=reduction, **options)
        (gradient,) = autograd.grad((out * Tensor(u)).sum(), leaf, create_graph=create_graph)
        return leaf, gradient

    leaf, gradient = directional_first_gradient(x, create_graph=True)
    (second,) = autograd.grad((gradient * Tensor(v)).sum(), leaf, allow_unused=True, materialize_grads=True)
    h = 1e-6
    numeric = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = h
        up = np.sum(np.asarray(directional_first_gradient(x + step)[1].data) * v)
        down = np.sum(np.asarray(directional_first_gradient(x - step)[1].data) * v)
        numeric[index] = (up - down) / (2 * h)
    np.testing.assert_allclose(np.asarray(second.data), numeric, atol=1e-6)


# -- binary cross entropy --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_clamps_the_log_of_probabilities_0_and_1_at_minus_100_as_torch(reduction):
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-50, 1 - 1e-17, 0.5])
    target = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.3])
    compare(
        lambda a, t: TF.binary_cross_entropy(a, t, reduction=reduction),
        lambda a, t: F.binary_cross_entropy(a, t, reduction=reduction),
        [p, target],
    )
    terms = F.binary_cross_entropy(Tensor(p), Tensor(target), reduction="none").data
    assert (terms >= 0).all()  # upstream's bce_loss_always_nonnegative


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits_stays_finite_at_huge_logits_and_has_the_sigmoid_gradient_at_0(reduction):
    logits = np.array([100.0, -100.0, 700.0, -700.0, 0.0, 0.0, 40.0])
    target = np.array([0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.5])
    for pos_weight in (None, np.array(2.5)):
        theirs_pos = None if pos_weight is None else torch.tensor(pos_weight)
        compare(
            lambda a, t, q=theirs_pos: TF.binary_cross_entropy_with_logits(a, t, reduction=reduction, pos_weight=q),
            lambda a, t, q=pos_weight: F.binary_cross_entropy_with_logits(a, t, reduction=reduction, pos_weight=q),
            [logits, target],
        )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_with_logits_of_unit_pos_weight_is_that_without_one(reduction):
    rng = _rng(13)
    x, target = rng.normal(size=(3, 2, 4)), rng.uniform(0, 1, (3, 2, 4))
    for pos_weight in ([], [np.ones(4)], [np.ones((2, 1))]):
        compare(
            lambda a, t, *pw: TF.binary_cross_entropy_with_logits(
                a, t, reduction=reduction, pos_weight=(pw or [None])[0]
            ),
            lambda a, t, *pw: F.binary_cross_entropy_with_logits(
                a, t, reduction=reduction, pos_weight=(pw or [None])[0]
            ),
            [x, target, *pos_weight],
            [True, True, False],
        )


BCE_REFUSALS = {
    "probabilities outside [0, 1]": (
        RuntimeError,
        lambda lib, x, p: lib.binary_cross_entropy(x, p),
    ),
    "target of another size": (ValueError, lambda lib, x, p: lib.binary_cross_entropy(p, p[:, :1])),
    "logits' target of another size": (ValueError, lambda lib, x, p: lib.binary_cross_entropy_with_logits(x, p[:, :1])),
    "weight that does not broadcast": (
        RuntimeError,
        lambda lib, x, p: lib.binary_cross_entropy(p, p, weight=lib_ones(lib, 3)),
    ),
    "pos_weight that does not broadcast": (
        RuntimeError,
        lambda lib, x, p: lib.binary_cross_entropy_with_logits(x, p, pos_weight=lib_ones(lib, 3)),
    ),
}


def lib_ones(lib, n):
    return torch.ones(n, dtype=torch.float64) if lib is TF else Tensor(np.ones(n))


@pytest.mark.parametrize("case", sorted(BCE_REFUSALS))
def test_binary_cross_entropies_refuse_what_torch_refuses_with_its_error_class(case):
    error, call = BCE_REFUSALS[case]
    rng = _rng(14)
    x, p = rng.normal(size=(3, 4)) * 2, rng.uniform(0, 1, (3, 4))
    refused_by_both(error, lambda: call(TF, torch.tensor(x), torch.tensor(p)), lambda: call(F, Tensor(x), Tensor(p)))


# -- regression losses ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda lib, a, b: lib.smooth_l1_loss(a, b, beta=-1.0),
        lambda lib, a, b: lib.huber_loss(a, b, delta=0.0),
        lambda lib, a, b: lib.huber_loss(a, b, delta=-0.5),
        lambda lib, a, b: lib.mse_loss(a, b[:2]),  # sizes that do not broadcast
        lambda lib, a, b: lib.l1_loss(a, b[:, :3]),
    ],
    ids=["smooth_l1 beta<0", "huber delta=0", "huber delta<0", "mse 3 vs 2", "l1 4 vs 3"],
)
def test_regression_losses_refuse_bad_parameters_and_shapes_with_torchs_runtime_error(call):
    x, y = _rng(15).normal(size=(2, 3, 4))
    x, y = np.vstack([x, x[:1]]), np.vstack([y, y[:1]])
    refused_by_both(
        RuntimeError, lambda: call(TF, torch.tensor(x), torch.tensor(y)), lambda: call(F, Tensor(x), Tensor(y))
    )


@pytest.mark.parametrize(
    "loss", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "poisson_nll_loss", "soft_margin_loss"]
)
def test_an_unknown_reduction_is_torchs_value_error(loss):
    x = np.ones((2, 3))
    refused_by_both(
        ValueError,
        lambda: getattr(TF, loss)(torch.tensor(x), torch.tensor(x), reduction="avg"),
        lambda: getattr(F, loss)(Tensor(x), Tensor(x), reduction="avg"),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_smooth_l1_loss_with_beta_0_is_l1_loss_and_huber_is_delta_times_smooth_l1(reduction):
    x = np.array([[0.0, 1.0, -1.0, 0.3], [2.0, 0.25, -0.2, 5.0]])
    y = np.array([[0.0, 0.0, -0.5, 0.0], [0.0, 0.0, 0.0, 0.0]])
    for name, options in [("smooth_l1_loss", {"beta": 0.0}), ("l1_loss", {}), ("huber_loss", {"delta": 0.4})]:
        compare(
            lambda a, b, name=name, options=options: getattr(TF, name)(a, b, reduction=reduction, **options),
            lambda a, b, name=name, options=options: getattr(F, name)(a, b, reduction=reduction, **options),
            [x, y],
        )
    smooth = F.smooth_l1_loss(Tensor(x), Tensor(y), reduction=reduction, beta=0.0).data
    np.testing.assert_allclose(smooth, F.l1_loss(Tensor(x), Tensor(y), reduction=reduction).data, rtol=1e-15)
    huber = F.huber_loss(Tensor(x), Tensor(y), reduction=reduction, delta=0.4).data
    scaled = 0.4 * F.smooth_l1_loss(Tensor(x), Tensor(y), reduction=reduction, beta=0.4).data
    np.testing.assert_allclose(huber, scaled, rtol=1e-14)


@pytest.mark.parametrize("loss", ["smooth_l1_loss", "mse_loss", "l1_loss"])
def test_regression_losses_take_an_integer_target_as_torch(loss):
    x, target = _rng(16).normal(size=(3, 4)), np.arange(12).reshape(3, 4) % 3
    compare(lambda a, t: getattr(TF, loss)(a, t), lambda a, t: getattr(F, loss)(a, Tensor(t)), [x, target])


# -- kl_div, poisson_nll_loss, gaussian_nll_loss ---------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS + ("batchmean",))
def test_kl_div_of_a_log_target_is_kl_div_of_its_exponential(reduction):
    """Both against torch, and both against the float64 formula t (log t - x), 0 where t = 0."""
    rng = _rng(17)
    x, target = np.log(rng.dirichlet(np.ones(4), 3)), rng.dirichlet(np.ones(4), 3)
    target[0, 1] = 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        log_target = np.log(target)
        terms = np.where(target > 0, target * (log_target - x), 0.0)
    expected = {"none": terms, "sum": terms.sum(), "mean": terms.mean(), "batchmean": terms.sum() / 3}[reduction]
    finite = np.where(target > 0, log_target, np.log(0.5))  # torch's log_target kernel gives nan at log t = -inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for t, log in [(target, False), (finite, True)]:
            compare(  # the target's derivative at t = 0 is torch's nan (-inf in the limit): input only there
                lambda a, b, log=log: TF.kl_div(a, b, reduction=reduction, log_target=log),
                lambda a, b, log=log: F.kl_div(a, b, reduction=reduction, log_target=log),
                [x, t],
                [True, log],
            )
        plain = F.kl_div(Tensor(x), Tensor(target), reduction=reduction).data
        logged = F.kl_div(Tensor(x), Tensor(log_target), reduction=reduction, log_target=True).data
    np.testing.assert_allclose(plain, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(logged, expected, rtol=1e-12, atol=1e-15)


def test_kl_div_warns_about_reduction_mean_as_torch_does():
    x, target = np.log(np.full((2, 3), 1 / 3)), np.full((2, 3), 1 / 3)
    with pytest.warns(UserWarning, match="batchmean"):
        TF.kl_div(torch.tensor(x), torch.tensor(target), reduction="mean")
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(Tensor(x), Tensor(target), reduction="mean")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("eps", [1e-8, 0.5])
def test_poisson_nll_loss_full_adds_stirlings_term_only_for_counts_above_one(reduction, eps):
    rates, counts = np.array([0.5, 0.0, 2.0, 1.5, 3.0]), np.array([0.0, 1.0, 2.0, 5.0, 1.0])
    compare(
        lambda a, t: TF.poisson_nll_loss(a, t, log_input=False, full=True, eps=eps, reduction=reduction),
        lambda a, t: F.poisson_nll_loss(a, t, log_input=False, full=True, eps=eps, reduction=reduction),
        [rates, counts],
        [True, False],  # the Stirling term's derivative in the target at 0 is torch's nan: left out
    )


GAUSSIAN_REFUSALS = {
    "var of another size": lambda lib, x, v: lib.gaussian_nll_loss(x, x, v(np.ones((3, 2)))),
    "a 0-d var tensor": lambda lib, x, v: lib.gaussian_nll_loss(x, x, v(np.array(0.5))),
    "a negative var entry": lambda lib, x, v: lib.gaussian_nll_loss(x, x, v(np.where(np.eye(3, 4) > 0, -1.0, 1.0))),
    "a negative float var": lambda lib, x, v: lib.gaussian_nll_loss(x, x, -0.5),
    "an unknown reduction": lambda lib, x, v: lib.gaussian_nll_loss(x, x, v(np.ones((3, 4))), reduction="avg"),
}


@pytest.mark.parametrize("case", sorted(GAUSSIAN_REFUSALS))
def test_gaussian_nll_loss_refuses_what_torch_refuses_with_a_value_error(case):
    call, x = GAUSSIAN_REFUSALS[case], _rng(18).normal(size=(3, 4))
    refused_by_both(ValueError, lambda: call(TF, torch.tensor(x), torch.tensor), lambda: call(F, Tensor(x), Tensor))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var", [0.5, 1e-9])
def test_gaussian_nll_loss_takes_a_float_variance_clamped_at_eps(reduction, var):
    rng = _rng(19)
    x, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    compare(
        lambda a, b: TF.gaussian_nll_loss(a, b, var, eps=1e-3, reduction=reduction),
        lambda a, b: F.gaussian_nll_loss(a, b, var, eps=1e-3, reduction=reduction),
        [x, y],
    )


# -- margin and embedding losses ---------------------------------------------------------------------------------------
MARGIN_REFUSALS = {  # name: (error, call(lib, x, y, as_tensor))
    "multi_margin_loss p=3": (ValueError, lambda lib, x, y, t: lib.multi_margin_loss(x, t([0, 1, 2]), p=3)),
    "multi_margin_loss weight of three": (
        RuntimeError,
        lambda lib, x, y, t: lib.multi_margin_loss(x, t([0, 1, 2]), weight=t(np.ones(3))),
    ),
    "multi_margin_loss target of two": (RuntimeError, lambda lib, x, y, t: lib.multi_margin_loss(x, t([0, 1]))),
    "multi_margin_loss 3-d scores": (
        RuntimeError,
        lambda lib, x, y, t: lib.multi_margin_loss(x.reshape(3, 2, 2), t(np.zeros((3, 2), dtype=np.int64))),
    ),
    "multi_margin_loss no classes": (RuntimeError, lambda lib, x, y, t: lib.multi_margin_loss(x[:, :0], t([0, 0, 0]))),
    "multilabel_margin_loss target of three classes": (
        RuntimeError,
        lambda lib, x, y, t: lib.multilabel_margin_loss(x, t(np.zeros((3, 3), dtype=np.int64))),
    ),
    "multilabel_margin_loss 3-d scores": (
        RuntimeError,
        lambda lib, x, y, t: lib.multilabel_margin_loss(x.reshape(3, 2, 2), t(np.zeros((3, 2, 2), dtype=np.int64))),
    ),
    "multilabel_soft_margin_loss target of three classes": (
        RuntimeError,
        lambda lib, x, y, t: lib.multilabel_soft_margin_loss(x, t(np.ones((3, 3)))),
    ),
    "cosine_embedding_loss 3-d inputs": (
        RuntimeError,
        lambda lib, x, y, t: lib.cosine_embedding_loss(x.reshape(3, 2, 2), y.reshape(3, 2, 2), t(np.ones(3))),
    ),
    "cosine_embedding_loss 0-d target for a batch": (
        RuntimeError,
        lambda lib, x, y, t: lib.cosine_embedding_loss(x, y, t(np.array(1.0))),
    ),
    "cosine_embedding_loss inputs of other sizes": (
        RuntimeError,
        lambda lib, x, y, t: lib.cosine_embedding_loss(x, y[:, :3], t(np.ones(3))),
    ),
    "cosine_embedding_loss inputs of other batches": (
        RuntimeError,
        lambda lib, x, y, t: lib.cosine_embedding_loss(x, y[:2], t(np.ones(3))),
    ),
    "cosine_embedding_loss target of two": (
        RuntimeError,
        lambda lib, x, y, t: lib.cosine_embedding_loss(x, y, t(np.ones(2))),
    ),
    "triplet_margin_loss margin 0": (ValueError, lambda lib, x, y, t: lib.triplet_margin_loss(x, y, x, margin=0.0)),
    "triplet_margin_loss negative margin": (
        ValueError,
        lambda lib, x, y, t: lib.triplet_margin_loss(x, y, x, margin=-1.0),
    ),
    "triplet_margin_with_distance_loss margin 0": (
        ValueError,
        lambda lib, x, y, t: lib.triplet_margin_with_distance_loss(x, y, x, margin=0.0),
    ),
    "TripletMarginWithDistanceLoss margin -1": (
        ValueError,
        lambda lib, x, y, t: (torch.nn if lib is TF else nn).TripletMarginWithDistanceLoss(margin=-1.0)(x, y, x),
    ),
}


@pytest.mark.parametrize("case", sorted(MARGIN_REFUSALS))
def test_margin_losses_refuse_what_torch_refuses_with_its_error_class(case):
    error, call = MARGIN_REFUSALS[case]
    x, y = _rng(20).normal(size=(2, 3, 4))

    def ours(values):
        array = np.asarray(values)
        return Tensor(array) if array.dtype.kind == "f" else array

    refused_by_both(
        error,
        lambda: call(TF, torch.tensor(x), torch.tensor(y), lambda v: torch.tensor(np.asarray(v))),
        lambda: call(F, Tensor(x), Tensor(y), ours),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_embedding_loss_reads_targets_other_than_plus_and_minus_one_as_torch(reduction):
    x, target = np.array([0.3, -0.2, 1.4, 0.9, 2.0]), np.array([0.0, 1.0, -1.0, 2.0, -3.0])
    compare(
        lambda a, t: TF.hinge_embedding_loss(a, t, margin=1.5, reduction=reduction),
        lambda a, t: F.hinge_embedding_loss(a, t, margin=1.5, reduction=reduction),
        [x, target],
        [True, False],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding_loss_of_a_zero_vector_uses_torchs_eps(reduction):
    rng = _rng(21)
    x1, x2 = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    x1[0] = 0.0
    x2[3] = 0.0
    compare(
        lambda a, b, y: TF.cosine_embedding_loss(a, b, y, -0.2, reduction=reduction),
        lambda a, b, y: F.cosine_embedding_loss(a, b, y, -0.2, reduction=reduction),
        [x1, x2, np.array([1.0, -1.0, 1.0, -1.0])],
        [True, True, False],
        rtol=1e-8,  # the gradients at a zero vector are of order 1 / eps
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("p", [0.0, 0.5, -1.0, 4.0])
def test_triplet_margin_loss_takes_torchs_unusual_norm_orders(reduction, p):
    rng = _rng(22)
    compare(
        lambda a, b, c: TF.triplet_margin_loss(a, b, c, p=p, reduction=reduction),
        lambda a, b, c: F.triplet_margin_loss(a, b, c, p=p, reduction=reduction),
        [rng.normal(size=(4, 3)) for _ in range(3)],
        None,
    )


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("distance", ["default", "pairwise module", "lambda", "cosine module"])
def test_triplet_margin_with_distance_loss_takes_modules_and_callables_and_defaults_to_triplet_margin_loss(
    swap, distance
):
    rng = _rng(23)
    arrays = [rng.normal(size=(5, 4)) for _ in range(3)]

    def distance_function(lib):
        module = torch.nn if lib is TF else nn
        return {
            "default": None,
            "pairwise module": module.PairwiseDistance(p=1.0),
            "lambda": lambda u, v: ((u - v) ** 2).sum(-1),
            "cosine module": module.CosineSimilarity(),
        }[distance]

    compare(
        lambda a, b, c: TF.triplet_margin_with_distance_loss(
            a, b, c, distance_function=distance_function(TF), swap=swap
        ),
        lambda a, b, c: F.triplet_margin_with_distance_loss(a, b, c, distance_function=distance_function(F), swap=swap),
        arrays,
    )
    if distance == "default":
        compare(
            lambda a, b, c: TF.triplet_margin_loss(a, b, c, swap=swap),
            lambda a, b, c: F.triplet_margin_with_distance_loss(a, b, c, swap=swap),
            arrays,
        )


# -- ctc_loss --------------------------------------------------------------------------------------------------------
def _ctc_logits(frames=6, batch=3, classes=5, seed=24):
    return _rng(seed).normal(size=(frames, batch, classes))


def _ctc_compare(targets, input_lengths, target_lengths, logits=None, dtype=np.float64, **options):
    logits = _ctc_logits() if logits is None else logits
    as_torch = lambda v: torch.tensor(v) if isinstance(v, np.ndarray) else v  # noqa: E731
    compare(
        lambda x: TF.ctc_loss(
            x.log_softmax(2), torch.tensor(targets), as_torch(input_lengths), as_torch(target_lengths), **options
        ),
        lambda x: F.ctc_loss(x.log_softmax(axis=2), targets, input_lengths, target_lengths, **options),
        [logits],
        dtype=dtype,
    )


@pytest.mark.parametrize("which", ["input_lengths", "target_lengths"])
def test_ctc_loss_refuses_float_lengths_with_torchs_runtime_error(which):
    lengths = {"input_lengths": np.array([6, 6, 6]), "target_lengths": np.array([2, 2, 2])}
    lengths[which] = lengths[which].astype(np.float64)
    log_probs, targets = _ctc_logits(), np.array([[1, 2], [3, 1], [2, 2]])
    refused_by_both(
        RuntimeError,
        lambda: TF.ctc_loss(torch.tensor(log_probs), torch.tensor(targets), *map(torch.tensor, lengths.values())),
        lambda: F.ctc_loss(Tensor(log_probs), targets, *lengths.values()),
        match=which,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_ctc_loss_of_zero_lengths_is_zero_or_infinite_as_torch(reduction, zero_infinity):
    targets = np.array([[1, 2], [3, 1], [2, 2]])
    # no frames and no labels: 0; no labels in 6 frames: all blanks; no frames for a label: inf (0 with zero_infinity)
    input_lengths, target_lengths = np.array([0, 6, 0]), np.array([0, 0, 1])
    if not zero_infinity:
        logits = _ctc_logits()
        expected = TF.ctc_loss(
            torch.tensor(logits).log_softmax(2), torch.tensor(targets), torch.tensor(input_lengths),
            torch.tensor(target_lengths), reduction=reduction,
        )  # fmt: skip
        got = F.ctc_loss(
            Tensor(logits).log_softmax(axis=2), targets, input_lengths, target_lengths, reduction=reduction
        )
        np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-12)
        return
    _ctc_compare(targets, input_lengths, target_lengths, reduction=reduction, zero_infinity=True)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("layout", ["concatenated", "padded"])
def test_ctc_loss_of_empty_targets_is_the_all_blank_path(reduction, layout):
    targets = np.zeros(0, dtype=np.int64) if layout == "concatenated" else np.zeros((3, 0), dtype=np.int64)
    _ctc_compare(targets, np.array([6, 4, 1]), np.array([0, 0, 0]), reduction=reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ctc_loss_at_the_critical_length_fits_exactly_one_alignment(reduction):
    # "1 1 2" needs 4 frames (a blank between the repeats), "3 4" needs 2, "2" needs 1
    targets = np.array([[1, 1, 2], [3, 4, 0], [2, 0, 0]])
    _ctc_compare(targets, np.array([4, 2, 1]), np.array([3, 2, 1]), reduction=reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ctc_loss_takes_int32_lengths_and_targets_and_python_sequences_of_lengths(reduction):
    targets = np.array([[1, 2, 2], [3, 1, 4], [4, 4, 1]], dtype=np.int32)
    _ctc_compare(targets, np.array([6, 5, 6], dtype=np.int32), np.array([3, 2, 1], dtype=np.int32), reduction=reduction)
    _ctc_compare(targets.astype(np.int64), [6, 5, 6], (3, 2, 1), reduction=reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_ctc_loss_of_a_sample_no_alignment_fits_has_torchs_nan_gradient_over_its_frames(reduction, dtype):
    """upstream's zero_infinity check, the other way round: without it the infinite loss leaves nan in the
    gradient of the frames that sample reads (the others keep theirs); with it loss and gradient are 0."""
    logits = _ctc_logits(frames=7, batch=4).astype(dtype)
    targets = np.array([[1, 1, 2], [3, 2, 0], [2, 0, 0], [4, 4, 1]])
    # "3 2" fits its 2 frames; "4 4 1" needs 4 (a blank between the repeats), sample 3 has 3
    input_lengths, target_lengths = np.array([7, 2, 4, 3]), np.array([3, 2, 1, 3])
    theirs, ours = torch.tensor(logits, requires_grad=True), Tensor(logits, requires_grad=True)
    expected = TF.ctc_loss(
        theirs.log_softmax(2), torch.tensor(targets), torch.tensor(input_lengths), torch.tensor(target_lengths),
        reduction=reduction,
    )  # fmt: skip
    got = F.ctc_loss(ours.log_softmax(axis=2), targets, input_lengths, target_lengths, reduction=reduction)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-5)
    weights = np.arange(1.0, got.size + 1).reshape(got.shape)
    (expected * torch.tensor(weights.astype(dtype))).sum().backward()
    (got * Tensor(weights.astype(dtype))).sum().backward()
    want, have = theirs.grad.numpy(), np.asarray(ours.grad)
    assert np.isnan(want[:3, 3]).all() and not np.isnan(want[3:, 3]).any()  # torch's: the 3 frames sample 3 reads
    assert have.dtype == dtype
    np.testing.assert_allclose(have, want, rtol=1e-4 if dtype == np.float32 else 1e-9, atol=1e-6)
    _ctc_compare(targets, input_lengths, target_lengths, logits=logits, reduction=reduction, zero_infinity=True)


def test_ctc_loss_keeps_float32():
    targets = np.array([[1, 2, 2], [3, 1, 4], [4, 4, 1]])
    _ctc_compare(targets, np.array([6, 5, 6]), np.array([3, 2, 1]), dtype=np.float32, reduction="none")


def test_ctc_loss_of_long_targets_over_many_frames_matches_torch():
    """upstream's long-target case at a size this library's recorded recursion runs quickly: 150 frames, targets
    of up to 60 labels from 3 classes (so repeats need blanks)."""
    rng = _rng(25)
    logits = rng.normal(size=(150, 2, 3))
    targets = rng.integers(1, 3, (2, 60))
    _ctc_compare(targets, np.array([150, 130]), np.array([60, 45]), logits=logits, reduction="sum")


# -- empty batches and label layouts ---------------------------------------------------------------------------------
def _empty_cases():
    empty, signs = np.zeros((0, 3)), np.zeros((0, 3))
    return {  # name: (call with the functional module as lib, arrays, gradient flags)
        "mse_loss": (lambda lib, r, a, b: lib.mse_loss(a, b, reduction=r), [empty, empty], None),
        "l1_loss": (lambda lib, r, a, b: lib.l1_loss(a, b, reduction=r), [empty, empty], None),
        "huber_loss": (lambda lib, r, a, b: lib.huber_loss(a, b, reduction=r), [empty, empty], None),
        "binary_cross_entropy": (
            lambda lib, r, a, b: lib.binary_cross_entropy(a, b, reduction=r),
            [empty, empty],
            None,
        ),
        "binary_cross_entropy_with_logits": (
            lambda lib, r, a, b: lib.binary_cross_entropy_with_logits(a, b, reduction=r),
            [empty, empty],
            None,
        ),
        "kl_div": (lambda lib, r, a, b: lib.kl_div(a, b, reduction=r), [empty, empty], None),
        "poisson_nll_loss": (lambda lib, r, a, b: lib.poisson_nll_loss(a, b, reduction=r), [empty, empty], None),
        "gaussian_nll_loss": (
            lambda lib, r, a, b, v: lib.gaussian_nll_loss(a, b, v, reduction=r),
            [empty, empty, empty + 1],
            None,
        ),
        "hinge_embedding_loss": (
            lambda lib, r, a, s: lib.hinge_embedding_loss(a, s, reduction=r),
            [empty, signs],
            [1, 0],
        ),
        "soft_margin_loss": (lambda lib, r, a, s: lib.soft_margin_loss(a, s, reduction=r), [empty, signs], [1, 0]),
        "margin_ranking_loss": (
            lambda lib, r, a, b, s: lib.margin_ranking_loss(a, b, s, reduction=r),
            [empty, empty, signs],
            [1, 1, 0],
        ),
        "cosine_embedding_loss": (
            lambda lib, r, a, b, s: lib.cosine_embedding_loss(a, b, s, reduction=r),
            [empty, empty, np.zeros(0)],
            [1, 1, 0],
        ),
        "triplet_margin_loss": (
            lambda lib, r, a, b, c: lib.triplet_margin_loss(a, b, c, reduction=r),
            [empty, empty, empty],
            None,
        ),
        "multilabel_soft_margin_loss": (
            lambda lib, r, a, b: lib.multilabel_soft_margin_loss(a, b, reduction=r),
            [empty, empty],
            None,
        ),
    }


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(_empty_cases()))
def test_an_empty_batch_gives_torchs_empty_terms_nan_mean_and_zero_sum(name, reduction):
    call, arrays, grads = _empty_cases()[name]
    compare(lambda *a: call(TF, reduction, *a), lambda *a: call(F, reduction, *a), arrays, grads)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "labels",
    [[[3, 3, -1, 1]] * 3, [[-1, 3, 2, 1]] * 3, [[0, 1, 2, 3], [2, -1, -1, -1], [1, 2, -1, 0]]],
    ids=["a repeated label", "nothing before the first -1", "every class a label"],
)
def test_multilabel_margin_loss_reads_labels_up_to_the_first_minus_one_as_torch(reduction, labels):
    x = _rng(28).normal(size=(3, 4))
    compare(
        lambda a, t: TF.multilabel_margin_loss(a, t, reduction=reduction),
        lambda a, t: F.multilabel_margin_loss(a, t, reduction=reduction),
        [x, np.array(labels)],
        [True, False],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("var_shape", [(4,), (1,)])
def test_gaussian_nll_loss_of_one_unbatched_sample_takes_a_variance_per_entry_or_one(reduction, var_shape):
    rng = _rng(29)
    compare(
        lambda a, t, v: TF.gaussian_nll_loss(a, t, v, reduction=reduction),
        lambda a, t, v: F.gaussian_nll_loss(a, t, v, reduction=reduction),
        [rng.normal(size=4), rng.normal(size=4), rng.uniform(0.2, 2.0, var_shape)],
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multi_margin_loss_of_one_unbatched_sample_with_class_weights(reduction):
    rng = _rng(30)
    for target in (np.array(2), np.array([2])):
        compare(
            lambda a, w, t=target: TF.multi_margin_loss(a, torch.tensor(t), weight=w, margin=0.8, reduction=reduction),
            lambda a, w, t=target: F.multi_margin_loss(a, t, weight=w, margin=0.8, reduction=reduction),
            [rng.normal(size=4), rng.uniform(0.5, 2.0, 4)],
            [True, False],
        )


# -- criterion_tests: the unbatched modules ----------------------------------------------------------------------------
def _no_batch_cases():
    rng = _rng(26)
    signs = np.array([-1.0, 1.0, 1.0] * 3)
    return {  # name: (input arrays, target array, gradient flags of the inputs then the target)
        "L1Loss": ([rng.normal(size=3)], rng.normal(size=3), [True, True]),
        "MSELoss": ([rng.normal(size=3)], rng.normal(size=3), [True, True]),
        "PoissonNLLLoss": ([rng.normal(size=3)], rng.uniform(0, 3, 3), [True, True]),
        "HuberLoss": ([rng.normal(size=3)], rng.normal(size=3), [True, True]),
        "SmoothL1Loss": ([rng.normal(size=3)], rng.normal(size=3), [True, True]),
        "KLDivLoss": ([np.log(rng.uniform(0.1, 1, 3))], rng.uniform(0.1, 1, 3), [True, True]),
        "BCELoss": ([rng.uniform(0.1, 0.9, 9)], (rng.normal(size=9) > 0).astype(float), [True, True]),
        "BCEWithLogitsLoss": ([rng.normal(size=9)], rng.uniform(0, 1, 9), [True, True]),
        "HingeEmbeddingLoss": ([rng.normal(size=9)], signs, [True, False]),
        "MultiLabelMarginLoss": ([rng.normal(size=4)], np.array([3, 0, -1, 1]), [True]),
        "SoftMarginLoss": ([rng.normal(size=9)], signs, [True, False]),
        "NLLLoss": ([_log_probabilities((1, 3), 27)[0]], np.array(1), [True]),
        "CosineEmbeddingLoss": ([rng.normal(size=9), rng.normal(size=9)], np.array(1.0), [True, True, False]),
        "MarginRankingLoss": ([rng.normal(size=()), rng.normal(size=())], np.array(-1.0), [True, True, False]),
        "TripletMarginLoss": ([rng.normal(size=9), rng.normal(size=9)], rng.normal(size=9), [True, True, True]),
        "MultiLabelSoftMarginLoss": ([rng.normal(size=9)], rng.normal(size=9), [True, True]),
    }


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(_no_batch_cases()))
def test_loss_modules_take_one_unbatched_sample_as_torchs_modules(name, reduction):
    inputs, target, grads = _no_batch_cases()[name]
    compare(
        lambda *a: getattr(torch.nn, name)(reduction=reduction)(*a),
        lambda *a: getattr(nn, name)(reduction=reduction)(*a),
        [*inputs, target],
        grads + [False] * (len(inputs) + 1 - len(grads)),
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(_no_batch_cases()))
def test_an_unbatched_sample_gives_the_loss_of_a_batch_of_that_one_sample(name, reduction):
    """common_nn's single_batch_reference_criterion_fn: torch's module on the sample with a batch axis of one,
    squeezed for reduction="none"."""
    inputs, target, _ = _no_batch_cases()[name]
    batched = [torch.tensor(a)[None] for a in (*inputs, target)]
    ours = [Tensor(a) if a.dtype.kind == "f" else a for a in (*inputs, target)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # KLDivLoss's reduction="mean" notice, from both libraries
        expected = getattr(torch.nn, name)(reduction=reduction)(*batched)
        got = getattr(nn, name)(reduction=reduction)(*ours)
    expected = expected.squeeze(0) if reduction == "none" else expected
    assert got.shape == tuple(expected.shape)
    np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-10, atol=1e-12)
