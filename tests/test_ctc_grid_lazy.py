"""F.ctc_loss / nn.CTCLoss, F.affine_grid / F.grid_sample and the lazy convolutions, without torch: values
worked out by hand (CTC by enumerating alignments), finite differences and the lazy modules' life cycle."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from autograd import Tensor, gradcheck
from nn.conv import Conv1d, Conv2d
from nn.conv_transpose import ConvTranspose2d
from nn.ctc import CTCLoss
from nn.functional.ctc import ctc_loss
from nn.functional.grid_sampling import affine_grid, grid_sample
from nn.lazy import (
    LazyConv1d,
    LazyConv2d,
    LazyConv3d,
    LazyConvTranspose1d,
    LazyConvTranspose2d,
    LazyConvTranspose3d,
    UninitializedParameter,
)
from nn.optim import SGD


def _log_probs(frames: int, batch: int, classes: int, seed: int = 0) -> np.ndarray:
    logits = np.random.default_rng(seed).normal(size=(frames, batch, classes))
    return logits - np.log(np.exp(logits).sum(axis=2, keepdims=True))


def _collapse(path: tuple[int, ...], blank: int) -> list[int]:
    merged = [label for k, label in enumerate(path) if k == 0 or label != path[k - 1]]
    return [label for label in merged if label != blank]


def _enumerated_loss(log_probs: np.ndarray, target: list[int], blank: int = 0) -> float:
    """-log of the summed probability of every path (T, C) that collapses to ``target``."""
    frames, classes = log_probs.shape
    total = sum(
        math.exp(sum(log_probs[t, c] for t, c in enumerate(path)))
        for path in itertools.product(range(classes), repeat=frames)
        if _collapse(path, blank) == target
    )
    return -math.log(total) if total > 0 else math.inf


def test_ctc_one_label_two_frames_sums_its_three_alignments():
    probs = np.array([[0.6, 0.4], [0.3, 0.7]])  # frame t: p(blank), p(label 1)
    loss = ctc_loss(np.log(probs), [1], [2], [1], reduction="sum")
    expected = 0.4 * 0.7 + 0.6 * 0.7 + 0.4 * 0.3  # "11", "-1", "1-"
    assert loss.item() == pytest.approx(-math.log(expected), rel=1e-12)


@pytest.mark.parametrize("target", [[1], [1, 2], [2, 2], [1, 2, 1], []])
def test_ctc_equals_the_enumeration_of_alignments(target):
    log_probs = _log_probs(4, 1, 3, seed=len(target))[:, 0]
    loss = ctc_loss(log_probs, np.array(target, dtype=np.int64), [4], [len(target)], reduction="none")
    assert loss.item() == pytest.approx(_enumerated_loss(log_probs, target), rel=1e-10)


def test_ctc_blank_other_than_zero_equals_the_enumeration():
    log_probs = _log_probs(3, 1, 3, seed=4)[:, 0]
    loss = ctc_loss(log_probs, [0, 1], [3], [2], blank=2, reduction="sum")
    assert loss.item() == pytest.approx(_enumerated_loss(log_probs, [0, 1], blank=2), rel=1e-10)


def test_ctc_repeated_label_needs_a_blank_between():
    log_probs = _log_probs(2, 1, 2)
    loss = ctc_loss(log_probs, [[1, 1]], [2], [2], reduction="none")
    assert loss.data.tolist() == [math.inf]
    three = _log_probs(3, 1, 2)
    assert ctc_loss(three, [[1, 1]], [3], [2], reduction="sum").item() == pytest.approx(
        -(three[0, 0, 1] + three[1, 0, 0] + three[2, 0, 1]), rel=1e-12
    )


def test_ctc_zero_infinity_gives_zero_loss_and_zero_gradient():
    log_probs = Tensor(_log_probs(2, 2, 3), requires_grad=True)
    loss = ctc_loss(log_probs, [[1, 1], [2, 0]], [2, 2], [2, 1], reduction="none", zero_infinity=True)
    assert loss.data[0] == 0.0 and np.isfinite(loss.data[1]) and loss.data[1] > 0
    loss.sum().backward()
    assert np.all(log_probs.grad[:, 0] == 0.0) and np.any(log_probs.grad[:, 1] != 0.0)


def test_ctc_input_lengths_ignore_later_frames():
    log_probs = _log_probs(5, 2, 4)
    targets = np.array([[1, 2], [3, 0]])
    short = ctc_loss(log_probs, targets, [3, 5], [2, 1], reduction="none")
    assert short.data[0] == pytest.approx(ctc_loss(log_probs[:3, :1], targets[:1], [3], [2], reduction="sum").item())
    assert short.data[1] == pytest.approx(ctc_loss(log_probs[:, 1:], targets[1:], [5], [1], reduction="sum").item())


def test_ctc_reductions_and_target_layouts_agree():
    log_probs = _log_probs(6, 3, 5)
    padded, lengths = np.array([[1, 2, 3], [4, 4, 0], [2, 0, 0]]), np.array([3, 2, 1])
    concatenated = np.array([1, 2, 3, 4, 4, 2])
    losses = ctc_loss(log_probs, padded, [6, 6, 5], lengths, reduction="none").data
    np.testing.assert_allclose(ctc_loss(log_probs, concatenated, [6, 6, 5], lengths, reduction="none").data, losses)
    assert ctc_loss(log_probs, padded, [6, 6, 5], lengths, reduction="sum").item() == pytest.approx(losses.sum())
    assert ctc_loss(log_probs, padded, [6, 6, 5], lengths).item() == pytest.approx((losses / lengths).mean())
    assert CTCLoss(reduction="none")(log_probs, padded, [6, 6, 5], lengths).data == pytest.approx(losses)


def test_ctc_unbatched_input_gives_a_scalar():
    log_probs = _log_probs(4, 1, 3)
    loss = ctc_loss(log_probs[:, 0], [1, 2], 4, 2, reduction="none")
    assert loss.shape == () and loss.item() == pytest.approx(ctc_loss(log_probs, [[1, 2]], [4], [2]).item() * 2)


def test_ctc_gradient_matches_finite_differences():
    targets, lengths = np.array([[1, 2], [2, 2]]), np.array([2, 2])
    logits = np.random.default_rng(1).normal(size=(5, 2, 3))
    assert gradcheck(lambda lp: ctc_loss(lp, targets, [5, 5], lengths, reduction="none"), [_log_probs(5, 2, 3)])
    assert gradcheck(lambda z: ctc_loss(z.log_softmax(axis=2), targets, [5, 4], lengths), [logits])


@pytest.mark.parametrize(
    "bad",
    [
        dict(targets=[[0, 1]]),  # the blank as a label
        dict(targets=[[1, 3]]),  # class out of range
        dict(input_lengths=[5]),  # longer than T
        dict(target_lengths=[3]),  # longer than the padded targets
    ],
)
def test_ctc_refuses_bad_arguments(bad):
    arguments = dict(targets=[[1, 2]], input_lengths=[3], target_lengths=[2]) | bad
    with pytest.raises(ValueError, match="ctc_loss"):
        ctc_loss(_log_probs(3, 1, 3), **arguments)


@pytest.mark.parametrize("align_corners", [True, False])
def test_identity_affine_grid_samples_the_input_back(align_corners):
    image = np.random.default_rng(0).normal(size=(2, 3, 4, 5))
    theta = np.tile(np.array([[1.0, 0, 0], [0, 1, 0]]), (2, 1, 1))
    grid = affine_grid(theta, image.shape, align_corners=align_corners)
    for mode in ("bilinear", "nearest", "bicubic"):
        out = grid_sample(image, grid, mode=mode, align_corners=align_corners)
        np.testing.assert_allclose(out.data, image, atol=1e-12, err_msg=mode)


def test_affine_grid_corners_and_translation():
    grid = affine_grid(np.array([[[1.0, 0, 0.5], [0, 1, 0]]]), (1, 1, 2, 3), align_corners=True)
    np.testing.assert_allclose(grid.data[0, :, :, 0], [[-0.5, 0.5, 1.5]] * 2)
    np.testing.assert_allclose(grid.data[0, :, 0, 1], [-1, 1])
    volume = affine_grid(np.eye(3, 4)[None], (1, 1, 2, 2, 2), align_corners=False)
    assert volume.shape == (1, 2, 2, 2, 3) and np.allclose(np.abs(volume.data), 0.5)


def test_grid_sample_padding_modes_outside_the_input():
    image = np.arange(4.0).reshape(1, 1, 1, 4)  # one row: 0 1 2 3
    grid = np.array([[[[2.0, 0.0]]]])  # x = 2: beyond the right edge
    pixel = ((2.0 + 1) * 4 - 1) / 2  # 5.5
    assert grid_sample(image, grid, padding_mode="zeros").item() == 0.0
    assert grid_sample(image, grid, padding_mode="border").item() == 3.0
    reflected = 2 * 4 - 1 - pixel  # about the right edge at 3.5: 1.5
    assert grid_sample(image, grid, padding_mode="reflection").item() == pytest.approx(reflected)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_gradients_match_finite_differences(mode, padding_mode):
    rng = np.random.default_rng(2)
    image, grid = rng.normal(size=(1, 2, 3, 4)), rng.uniform(-1.2, 1.2, size=(1, 2, 3, 2))
    assert gradcheck(lambda x, g: grid_sample(x, g, mode, padding_mode, align_corners=False), [image, grid])


def test_affine_grid_gradient_matches_finite_differences():
    theta = np.random.default_rng(3).normal(size=(2, 2, 3))
    assert gradcheck(lambda t: affine_grid(t, (2, 1, 3, 4)), [theta])


def test_grid_sample_refuses_a_mismatched_grid():
    with pytest.raises(ValueError, match="grid_sample"):
        grid_sample(np.zeros((2, 1, 3, 3)), np.zeros((1, 2, 2, 2)))
    with pytest.raises(ValueError, match="affine_grid"):
        affine_grid(np.zeros((1, 2, 3)), (1, 1, 2, 2, 2))


@pytest.mark.parametrize("size", [None, 5, "abcd", (1, 1, 2.5, 3), (1, 1, True, 3), [1, 1, [2], 3]])
def test_affine_grid_refuses_a_size_that_is_not_a_sequence_of_integers(size):
    with pytest.raises(TypeError, match=r"affine_grid: size must be a sequence of integers"):
        affine_grid(np.zeros((1, 2, 3)), size)


@pytest.mark.parametrize("size", [(1, 1, -2, 3), (1, 1, 0, 3), (1, 0, 2, 3)])
def test_affine_grid_refuses_a_size_that_is_not_positive_as_torch(size):
    with pytest.raises(ValueError, match=r"affine_grid: size must be positive, got \(1, "):
        affine_grid(np.zeros((1, 2, 3)), size)


def test_affine_grid_takes_numpy_integers_in_its_size():
    assert affine_grid(np.zeros((1, 2, 3)), [1, 1, np.int64(2), 3]).shape == (1, 2, 3, 2)


@pytest.mark.parametrize(
    "lazy, shape",
    [
        (LazyConv1d, (2, 6, 7)),
        (LazyConv2d, (2, 6, 5, 5)),
        (LazyConv3d, (1, 6, 3, 4, 4)),
        (LazyConvTranspose1d, (2, 6, 7)),
        (LazyConvTranspose2d, (6, 4, 4)),  # unbatched
        (LazyConvTranspose3d, (1, 6, 3, 3, 3)),
    ],
)
def test_lazy_convolution_takes_in_channels_from_its_first_input(lazy, shape):
    layer = lazy(4, 2, groups=2, rng=7)
    assert isinstance(layer.weight, UninitializedParameter) and layer.weight.shape == (0,)
    x = np.random.default_rng(0).normal(size=shape).astype(np.float32)
    out = layer(x)
    twin = lazy.cls_to_become(6, 4, 2, groups=2, rng=7)
    assert type(layer) is lazy.cls_to_become and layer.in_channels == 6
    np.testing.assert_array_equal(layer.weight.data, twin.weight.data)
    np.testing.assert_array_equal(layer.bias.data, twin.bias.data)
    np.testing.assert_allclose(out.data, twin(x).data, rtol=1e-6)


def test_lazy_convolution_keeps_its_parameters_for_an_optimizer_built_before():
    layer = LazyConv2d(3, 3, padding=1, bias=False)
    optimizer = SGD(layer.parameters(), lr=0.1)
    weight = layer.weight
    layer(np.ones((1, 2, 4, 4), dtype=np.float32)).sum().backward()
    before = weight.data.copy()
    optimizer.step()
    assert layer.weight is weight and layer.bias is None and not np.array_equal(weight.data, before)


def test_lazy_convolution_checks_arguments_at_once_and_channels_at_first_call():
    with pytest.raises(ValueError):
        LazyConv2d(4, 3, groups=3)
    with pytest.raises(ValueError):
        LazyConv1d(4, 3, padding_mode="mirror")
    layer = LazyConv1d(4, 3, groups=2)
    with pytest.raises(ValueError, match="groups"):
        layer(np.ones((1, 3, 5), dtype=np.float32))
    assert isinstance(layer, LazyConv1d)


def test_lazy_convolution_is_a_convolution_in_isinstance_and_keeps_options():
    layer = LazyConvTranspose2d(2, 3, stride=2, output_padding=1, dilation=1)
    assert isinstance(layer, ConvTranspose2d)
    layer(np.ones((1, 5, 3, 3), dtype=np.float32))
    assert (layer.stride, layer.output_padding, layer.weight.shape) == ((2, 2), (1, 1), (5, 2, 3, 3))
    assert isinstance(LazyConv2d(1, 1), Conv2d) and not isinstance(LazyConv2d(1, 1), Conv1d)


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
def test_grid_sample_of_an_empty_batch_is_empty_with_an_empty_gradient(mode):
    x = Tensor(np.zeros((0, 2, 4, 4)), requires_grad=True)
    out = grid_sample(x, Tensor(np.zeros((0, 3, 2, 2))), mode=mode, align_corners=False)
    out.sum().backward()
    assert out.shape == (0, 2, 3, 2) and x.grad.shape == (0, 2, 4, 4)
