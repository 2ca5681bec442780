"""The fused primitive softmax_cross_entropy: -log_softmax(x)[t] as one node."""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd import Tensor, gradcheck, gradgradcheck, no_grad, softmax_cross_entropy
from autograd.testing import arrays


def reference(x, target, axis):
    """-log_softmax(x)[t] with numpy, shifted by the row maximum."""
    shifted = x - x.max(axis=axis, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    picked = np.take_along_axis(log_probs, np.expand_dims(target, axis), axis=axis)
    return -np.squeeze(picked, axis)


@st.composite
def logits_and_targets(draw):
    shape = draw(st.sampled_from([(4, 3), (1, 5), (3, 4, 2), (2, 3, 2, 2)]))
    axis = draw(st.sampled_from([1, -1] if len(shape) == 2 else [1]))
    x = draw(arrays(shape))
    target_shape = shape[: axis % len(shape)] + shape[axis % len(shape) + 1 :]
    seed = draw(st.integers(0, 2**16))
    target = np.random.default_rng(seed).integers(0, shape[axis], size=target_shape)
    return x, target, axis


@given(logits_and_targets())
def test_value_matches_log_softmax_reference(case):
    x, target, axis = case
    out = softmax_cross_entropy(Tensor(x), target, axis=axis)
    np.testing.assert_allclose(out.data, reference(x, target, axis), rtol=1e-12, atol=1e-12)


@given(logits_and_targets())
def test_gradient_matches_finite_differences(case):
    x, target, axis = case
    weights = np.random.default_rng(0).standard_normal(target.shape)
    assert gradcheck(lambda t: softmax_cross_entropy(t, target, axis=axis) * Tensor(weights), [x])


@given(logits_and_targets())
def test_second_derivative_matches_finite_differences(case):
    x, target, axis = case
    weights = np.random.default_rng(1).standard_normal(target.shape)
    assert gradgradcheck(lambda t: (softmax_cross_entropy(t, target, axis=axis) * Tensor(weights)).sum(), [x])


def test_matches_torch_cross_entropy():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 5))
    target = rng.integers(0, 5, size=6)
    ours = Tensor(x, requires_grad=True)
    softmax_cross_entropy(ours, target, axis=1).mean().backward()
    theirs = torch.tensor(x, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(theirs, torch.tensor(target))
    loss.backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_give_finite_values_and_gradients_without_warnings(dtype):
    x = Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = softmax_cross_entropy(x, [1, 2], axis=1)
        out.sum().backward()
    assert out.dtype == dtype and x.grad.dtype == dtype
    np.testing.assert_allclose(out.data, [2e4, np.log(3)], rtol=1e-6)
    np.testing.assert_allclose(x.grad, [[1, -1, 0], [1 / 3, 1 / 3, 1 / 3 - 1]], rtol=1e-6, atol=1e-7)


def test_infinite_logits_follow_ieee_like_log_softmax():
    x = np.array([[np.inf, 0.0], [1.0, -np.inf]])
    out = softmax_cross_entropy(Tensor(x), [1, 0], axis=1)
    expected = -Tensor(x).log_softmax(axis=1).data[[0, 1], [1, 0]]
    np.testing.assert_array_equal(out.data, expected)


def test_empty_batch_gives_empty_terms():
    out = softmax_cross_entropy(Tensor(np.zeros((0, 3)), requires_grad=True), np.zeros(0, dtype=int), axis=1)
    assert out.shape == (0,)


def test_no_graph_and_no_cached_softmax_under_no_grad():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    with no_grad():
        out = softmax_cross_entropy(x, [0, 1], axis=1)
    assert not out.requires_grad and out.attrs is None


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (np.array([0, 3]), r"\[0, 2\] for 3 classes"),
        (np.array([0, -1]), r"\[0, 2\] for 3 classes"),
        (np.array([0.0, 1.0]), "integer class indices of shape"),
        (np.array([0, 1, 2]), r"shape \(2,\)"),
    ],
)
def test_bad_targets_are_clear_errors(target, message):
    with pytest.raises(ValueError, match=message):
        softmax_cross_entropy(Tensor(np.zeros((2, 3))), target, axis=1)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@given(case=logits_and_targets())
def test_reduced_forms_equal_the_reduction_of_the_per_sample_losses(reduction, case):
    x, target, axis = case
    per_sample = reference(x, target, axis)
    expected = per_sample.mean() if reduction == "mean" else per_sample.sum()
    out = softmax_cross_entropy(Tensor(x), target, axis, reduction=reduction)
    assert out.shape == () and np.isclose(out.item(), expected, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@given(case=logits_and_targets())
def test_reduced_forms_match_finite_differences_to_second_order(reduction, case):
    x, target, axis = case
    logits = Tensor(x, requires_grad=True)
    assert gradcheck(lambda z: softmax_cross_entropy(z, target, axis, reduction=reduction), [logits])
    assert gradgradcheck(lambda z: softmax_cross_entropy(z, target, axis, reduction=reduction), [logits])


def test_reduced_forms_match_torch_cross_entropy():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x, target = rng.standard_normal((6, 5)), rng.integers(0, 5, 6)
    for reduction in ("mean", "sum"):
        ours = Tensor(x, requires_grad=True)
        softmax_cross_entropy(ours, target, 1, reduction=reduction).backward()
        theirs = torch.tensor(x, requires_grad=True)
        torch.nn.functional.cross_entropy(theirs, torch.tensor(target), reduction=reduction).backward()
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12)


def test_a_bad_reduction_is_an_error_and_the_mean_of_an_empty_batch_is_nan():
    with pytest.raises(ValueError, match="reduction must be 'none', 'mean' or 'sum', got 'avg'"):
        softmax_cross_entropy(Tensor(np.zeros((2, 3))), np.array([0, 1]), reduction="avg")
    logits = Tensor(np.zeros((0, 3)), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mean = softmax_cross_entropy(logits, np.zeros(0, dtype=int), reduction="mean")
        mean.backward()
    assert np.isnan(mean.item()) and logits.grad.shape == (0, 3)  # 0/0, as numpy's mean of nothing and torch's
    total = softmax_cross_entropy(Tensor(np.zeros((0, 3))), np.zeros(0, dtype=int), reduction="sum")
    assert total.item() == 0.0


def _laid_out(x, layout):
    """``x`` (float64) as a C-order array, an F-order copy, or a strided view of a larger array."""
    if layout == "F":
        return np.asfortranarray(x)
    if layout == "strided":
        wide = np.zeros(x.shape[:-1] + (2 * x.shape[-1],))
        wide[..., ::2] = x
        return wide[..., ::2]
    return np.ascontiguousarray(x)


@pytest.mark.parametrize(
    "shape, axis",
    [((3, 4), 0), ((3, 4), 1), ((2, 3, 4), 0), ((2, 3, 4), 1), ((2, 3, 4), 2), ((0, 3), 1), ((2, 3, 0), 1)],
)
@pytest.mark.parametrize("layout", ["C", "F", "strided"])
@pytest.mark.parametrize("target_dtype", [np.uint8, np.uint64, np.int32])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_every_class_axis_memory_layout_and_target_dtype_picks_the_target_entries(
    shape, axis, layout, target_dtype, reduction
):
    rng = np.random.default_rng(7)
    x = _laid_out(rng.standard_normal(shape), layout)
    target_shape = shape[:axis] + shape[axis + 1 :]
    target = rng.integers(0, shape[axis], size=target_shape).astype(target_dtype)
    per_sample = reference(x, target.astype(np.int64), axis)
    # the mean of no samples is nan (0/0), as numpy's and torch's
    expected = {"none": per_sample, "sum": per_sample.sum(), "mean": per_sample.mean() if target.size else np.nan}
    logits = Tensor(x, requires_grad=True)
    out = softmax_cross_entropy(logits, target, axis, reduction=reduction)
    np.testing.assert_allclose(out.data, expected[reduction], rtol=1e-12)
    out.sum().backward()
    # softmax - onehot, built independently along the class axis; a mean divides by the sample count
    softmax = np.exp(x - x.max(axis=axis, keepdims=True)) if x.size else x
    softmax = softmax / softmax.sum(axis=axis, keepdims=True) if x.size else x
    onehot = np.zeros(shape)
    np.put_along_axis(onehot, np.expand_dims(target.astype(np.int64), axis), 1.0, axis=axis)
    scale = 1 / target.size if reduction == "mean" and target.size else 1.0  # (nothing to scale when empty)
    np.testing.assert_allclose(logits.grad, (softmax - onehot) * scale, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(32, 1), (40, 10), (1024, 16), (33, 17), (64, 3)])
def test_batches_of_narrow_rows_shift_each_row_by_its_own_maximum(shape, dtype):
    # batches of >= 32 rows of <= 16 classes take their row maxima down a transposed copy; each row is still
    # shifted by its own maximum: rows far apart keep every term's precision, and nan/-inf rows give numpy's
    rng = np.random.default_rng(shape[0])
    x = (rng.standard_normal(shape) * 4 + rng.standard_normal((shape[0], 1)) * 300).astype(dtype)
    x[3] = np.nan
    x[7] = -np.inf
    x[9, -1] = -np.inf
    target = rng.integers(0, shape[1], size=shape[0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = softmax_cross_entropy(Tensor(x), target)
        log_softmax = Tensor(x).log_softmax(axis=1).data
    with np.errstate(all="ignore"):
        expected = reference(x.astype(np.float64), target, 1)
        expected_log_softmax = x - x.max(axis=1, keepdims=True)
        expected_log_softmax -= np.log(np.exp(expected_log_softmax).sum(axis=1, keepdims=True))
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(out.data, expected.astype(dtype), rtol=tolerance, atol=tolerance)
    np.testing.assert_allclose(log_softmax, expected_log_softmax, rtol=tolerance, atol=tolerance)
