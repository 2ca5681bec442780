"""nn.AdaptiveLogSoftmaxWithLoss against torch 2.13: torch's state dict loads strictly (same names and shapes),
repr, forward's (output, loss) pair, the gradients of the input and of every parameter, log_prob and predict over
random configurations (float64 and float32, batched, unbatched and empty batches), and the errors' classes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")


def _pair(in_features, n_classes, cutoffs, div_value=4.0, head_bias=False, dtype=torch.float64):
    """torch's layer and ours with torch's weights loaded strictly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's and our init warn on zero-element bottlenecks
        theirs = torch.nn.AdaptiveLogSoftmaxWithLoss(in_features, n_classes, cutoffs, div_value, head_bias).to(dtype)
        ours = nn.AdaptiveLogSoftmaxWithLoss(
            in_features, n_classes, cutoffs, div_value, head_bias, dtype=str(dtype).removeprefix("torch.")
        )
    ours.load_state_dict({name: value.numpy() for name, value in theirs.state_dict().items()}, strict=True)
    return theirs, ours


def _random_configuration(rng):
    n_classes = int(rng.integers(2, 40))
    count = int(rng.integers(1, min(5, n_classes - 1) + 1))
    cutoffs = sorted(int(c) for c in rng.choice(np.arange(1, n_classes), size=count, replace=False))
    return int(rng.integers(1, 24)), n_classes, cutoffs, float(rng.choice([1.0, 1.5, 2.0, 4.0])), bool(rng.integers(2))


def _assert_gradients_match(ours, theirs, ours_x, their_x, tolerance):
    np.testing.assert_allclose(ours_x.grad, their_x.grad.numpy(), rtol=tolerance, atol=tolerance)
    for (name, parameter), (their_name, their_parameter) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == their_name
        expected = np.zeros(parameter.shape) if their_parameter.grad is None else their_parameter.grad.numpy()
        got = np.zeros(parameter.shape) if parameter.grad is None else parameter.grad
        np.testing.assert_allclose(got, expected, rtol=tolerance, atol=tolerance, err_msg=name)


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_random_configurations_give_torchs_output_loss_gradients_log_prob_and_predictions(dtype):
    rng = np.random.default_rng(0 if dtype == torch.float64 else 1)
    tolerance = 1e-10 if dtype == torch.float64 else 2e-5
    numpy_dtype = np.float64 if dtype == torch.float64 else np.float32
    for _ in range(40):
        in_features, n_classes, cutoffs, div_value, head_bias = _random_configuration(rng)
        theirs, ours = _pair(in_features, n_classes, cutoffs, div_value, head_bias, dtype)
        assert repr(ours) == repr(theirs)
        rows = int(rng.integers(1, 16))
        x = rng.standard_normal((rows, in_features)).astype(numpy_dtype)
        target = rng.integers(0, n_classes, size=rows)
        ours_x, their_x = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        got, expected = ours(ours_x, target), theirs(their_x, torch.tensor(target))
        assert type(got).__name__ == "_ASMoutput" and got._fields == expected._fields == ("output", "loss")
        assert got.output.dtype == numpy_dtype and got.output.shape == tuple(expected.output.shape)
        np.testing.assert_allclose(got.output.data, expected.output.detach().numpy(), rtol=tolerance, atol=tolerance)
        np.testing.assert_allclose(got.loss.data, expected.loss.detach().numpy(), rtol=tolerance, atol=tolerance)
        upstream = rng.standard_normal(rows).astype(numpy_dtype)
        (got.output * Tensor(upstream)).sum().backward()
        (expected.output * torch.tensor(upstream)).sum().backward()
        _assert_gradients_match(ours, theirs, ours_x, their_x, tolerance)
        np.testing.assert_allclose(
            ours.log_prob(x).data, theirs.log_prob(torch.tensor(x)).detach().numpy(), rtol=tolerance, atol=tolerance
        )
        np.testing.assert_array_equal(ours.predict(x).data, theirs.predict(torch.tensor(x)).numpy())


def test_the_loss_gradient_reaches_every_weight_as_torchs():
    theirs, ours = _pair(10, 30, [4, 12, 20], div_value=2.0, head_bias=True)
    x = np.random.default_rng(2).standard_normal((12, 10))
    target = np.array([0, 3, 4, 11, 12, 19, 20, 29, 5, 25, 1, 13])  # every cluster, both ends of each
    ours_x, their_x = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours(ours_x, target).loss.backward()
    theirs(their_x, torch.tensor(target)).loss.backward()
    _assert_gradients_match(ours, theirs, ours_x, their_x, 1e-12)
    assert [name for name, _ in ours.named_parameters()] == [
        "head.weight",
        "head.bias",
        "tail.0.0.weight",
        "tail.0.1.weight",
        "tail.1.0.weight",
        "tail.1.1.weight",
        "tail.2.0.weight",
        "tail.2.1.weight",
    ]


def test_an_unbatched_input_and_an_empty_batch_give_torchs_results():
    theirs, ours = _pair(6, 10, [3, 7])
    x = np.random.default_rng(3).standard_normal(6)
    got, expected = ours(x, np.int64(8)), theirs(torch.tensor(x), torch.tensor(8))
    assert got.output.shape == tuple(expected.output.shape) == ()
    np.testing.assert_allclose(got.output.data, expected.output.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(got.loss.data, expected.loss.detach().numpy(), rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        empty = ours(np.zeros((0, 6)), np.zeros(0, dtype=np.int64))
    expected = theirs(torch.zeros(0, 6, dtype=torch.float64), torch.zeros(0, dtype=torch.long))
    assert empty.output.shape == tuple(expected.output.shape) == (0,)
    assert np.isnan(empty.loss.data) and torch.isnan(expected.loss)


def test_predict_agrees_with_torchs_when_the_head_prefers_a_cluster():
    theirs, ours = _pair(4, 12, [2, 6])
    with torch.no_grad():
        theirs.head.weight[2:] *= 50  # the cluster entries dominate the head
    ours.load_state_dict({name: value.numpy() for name, value in theirs.state_dict().items()})
    x = np.random.default_rng(4).standard_normal((20, 4))
    expected = theirs.predict(torch.tensor(x)).numpy()
    assert (expected >= 2).any() and (expected < 2).any()
    got = ours.predict(x)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got.data, expected)


def test_a_state_dict_saved_from_ours_loads_into_torch_strictly():
    theirs, ours = _pair(8, 20, [5, 10], div_value=2.0, head_bias=True)
    ours.reset_parameters(rng=5)
    theirs.load_state_dict({name: torch.tensor(value) for name, value in ours.state_dict().items()}, strict=True)
    x = np.random.default_rng(6).standard_normal((3, 8))
    np.testing.assert_allclose(ours.log_prob(x).data, theirs.log_prob(torch.tensor(x)).detach().numpy(), rtol=1e-12)


X = np.random.default_rng(7).standard_normal((4, 8))

#: (name, call(library, array maker)): each raises in torch; ours raises an error of torch's class
ERRORS = [
    ("empty cutoffs", lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, [])),
    ("unsorted cutoffs", lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, [6, 3])),
    ("zero cutoff", lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, [0, 3])),
    ("cutoff of n_classes", lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 10])),
    ("repeated cutoff", lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 3])),
    ("fractional cutoff", lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, [3.5, 6])),
    ("an int for cutoffs", lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, 3)),
    (
        "target of 10 classes",
        lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(t(X), t(np.array([0, 1, 2, 10]))),
    ),
    ("negative target", lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(t(X), t(np.array([0, -1, 2, 9])))),
    ("float target", lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(t(X), t(np.array([0.0, 1, 2, 9])))),
    ("batch sizes differ", lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(t(X), t(np.array([0, 1, 2])))),
    ("2-d target", lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(t(X), t(np.array([[3]])))),
    ("1-d target, 3-d input", lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(t(X[None]), t(np.array([3])))),
    ("0-d target, 2-d input", lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(t(X), t(np.array(3)))),
    (
        "unbatched input, 1-d target",
        lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(t(X[0]), t(np.array([3]))),
    ),
    ("other in_features", lambda lib, t: lib.AdaptiveLogSoftmaxWithLoss(8, 10, [3])(t(X[:, :5]), t(np.arange(4)))),
]


def _raised(call):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            call()
    except Exception as error:  # noqa: BLE001  (the class is what is compared)
        return error
    raise AssertionError("no error")


@pytest.mark.parametrize(("name", "call"), ERRORS, ids=[name for name, _ in ERRORS])
def test_bad_arguments_raise_errors_of_torchs_class(name, call):
    theirs = _raised(lambda: call(torch.nn, lambda a: torch.tensor(a.astype(np.float32) if a.dtype == float else a)))
    ours = _raised(lambda: call(nn, lambda a: Tensor(a.astype(np.float32)) if a.dtype == float else a))
    assert isinstance(ours, type(theirs)), f"{type(ours).__name__}: {ours} is not a {type(theirs).__name__}"
