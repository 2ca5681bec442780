"""F.ctc_loss, F.affine_grid, F.grid_sample and the lazy convolutions against torch (float64 values and
gradients over a grid of options)."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.functional.ctc import ctc_loss
from nn.functional.grid_sampling import affine_grid, grid_sample
from nn.lazy import LazyConv1d, LazyConv2d, LazyConv3d, LazyConvTranspose1d, LazyConvTranspose2d, LazyConvTranspose3d

torch = pytest.importorskip("torch")
torch_functional = torch.nn.functional

CTC_CASE = dict(
    targets=np.array([[1, 1, 2], [3, 2, 0], [2, 0, 0], [4, 1, 4]]),
    input_lengths=np.array([7, 6, 4, 2]),  # sample 3 cannot fit "4 1 4" in 2 frames: infinite loss
    target_lengths=np.array([3, 2, 1, 3]),
)


def _ctc_both(reduction, zero_infinity, concatenated, blank=0, drop_impossible=False):
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(7, 4, 5))
    targets, input_lengths, target_lengths = (CTC_CASE[k] for k in ("targets", "input_lengths", "target_lengths"))
    if blank:
        targets = np.where(targets == blank, 0, targets)
    if drop_impossible:
        logits, targets, input_lengths, target_lengths = (
            logits[:, :3],
            targets[:3],
            input_lengths[:3],
            target_lengths[:3],
        )
    if concatenated:
        targets = np.concatenate([row[:n] for row, n in zip(targets, target_lengths)])
    theirs = torch.tensor(logits, requires_grad=True)
    ours = Tensor(logits, requires_grad=True)
    options = dict(blank=blank, reduction=reduction, zero_infinity=zero_infinity)
    expected = torch_functional.ctc_loss(
        theirs.log_softmax(2), torch.tensor(targets), torch.tensor(input_lengths), torch.tensor(target_lengths),
        **options,
    )  # fmt: skip
    got = ctc_loss(ours.log_softmax(axis=2), targets, input_lengths, target_lengths, **options)
    return theirs, ours, expected, got


@pytest.mark.parametrize(
    "reduction, zero_infinity, concatenated, blank",
    list(itertools.product(["none", "sum", "mean"], [True, False], [False, True], [0, 3])),
)
def test_ctc_loss_matches_torch(reduction, zero_infinity, concatenated, blank):
    theirs, ours, expected, got = _ctc_both(reduction, zero_infinity, concatenated, blank)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-10)
    if zero_infinity:
        weights = np.arange(1.0, got.size + 1).reshape(got.shape)
        (expected * torch.tensor(weights)).sum().backward()
        (got * weights).sum().backward()
        np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_ctc_gradient_through_log_softmax_matches_torch(reduction):
    theirs, ours, expected, got = _ctc_both(reduction, False, False, drop_impossible=True)
    expected.sum().backward()
    got.sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_ctc_gradient_wrt_log_probs_is_torchs_minus_exp_log_probs():
    """torch's CTC backward returns exp(lp) - occupancy (the gradient w.r.t. the logits of a log_softmax);
    the true derivative w.r.t. log_probs, which we record, is -occupancy."""
    rng = np.random.default_rng(6)
    log_probs = torch.tensor(rng.normal(size=(6, 2, 4))).log_softmax(2).detach().requires_grad_()
    targets, input_lengths, target_lengths = np.array([[1, 2], [3, 3]]), np.array([6, 5]), np.array([2, 2])
    torch_functional.ctc_loss(log_probs, torch.tensor(targets), torch.tensor(input_lengths), torch.tensor(target_lengths),
                     reduction="sum").backward()  # fmt: skip
    ours = Tensor(log_probs.detach().numpy(), requires_grad=True)
    ctc_loss(ours, targets, input_lengths, target_lengths, reduction="sum").backward()
    frames_used = (np.arange(6)[:, None] < input_lengths)[:, :, None]
    np.testing.assert_allclose(
        ours.grad + np.exp(ours.data) * frames_used, log_probs.grad.numpy(), rtol=1e-9, atol=1e-12
    )


def test_ctc_unbatched_matches_torch():
    log_probs = np.log(np.random.default_rng(7).dirichlet(np.ones(4), size=5))
    expected = torch_functional.ctc_loss(
        torch.tensor(log_probs), torch.tensor([1, 3]), torch.tensor(5), torch.tensor(2)
    )
    assert ctc_loss(log_probs, np.array([1, 3]), 5, 2).item() == pytest.approx(expected.item(), rel=1e-10)


@pytest.mark.parametrize("shape", [(6, 0, 4), (0, 2, 4), (6, 2, 0)], ids=["no samples", "no frames", "no classes"])
def test_ctc_refuses_empty_log_probs_as_torch_with_a_shape_error(shape):
    batch = shape[1]
    arguments = (np.ones((batch, 1), dtype=np.int64), np.full(batch, shape[0]), np.ones(batch, dtype=np.int64))
    with pytest.raises(RuntimeError, match="log_probs tensor must not be empty"):
        torch_functional.ctc_loss(torch.zeros(shape), *(torch.tensor(a) for a in arguments))
    with pytest.raises(RuntimeError, match=rf"ctc_loss: log_probs must not be empty, got shape \({shape[0]}, {batch}"):
        ctc_loss(Tensor(np.zeros(shape)), *arguments)
    with pytest.raises(ValueError, match="must not be empty"):
        nn.CTCLoss()(Tensor(np.zeros(shape)), *arguments)


@pytest.mark.parametrize(
    "mode, padding_mode, align_corners",
    list(itertools.product(["bilinear", "nearest", "bicubic"], ["zeros", "border", "reflection"], [True, False])),
)
def test_grid_sample_matches_torch(mode, padding_mode, align_corners):
    rng = np.random.default_rng(8)
    image, grid = rng.normal(size=(2, 3, 4, 5)), rng.uniform(-1.3, 1.3, size=(2, 3, 6, 2))
    image_t, grid_t = torch.tensor(image, requires_grad=True), torch.tensor(grid, requires_grad=True)
    image_o, grid_o = Tensor(image, requires_grad=True), Tensor(grid, requires_grad=True)
    expected = torch_functional.grid_sample(image_t, grid_t, mode, padding_mode, align_corners)
    got = grid_sample(image_o, grid_o, mode, padding_mode, align_corners)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), atol=1e-12)
    ((expected + 1) ** 2).sum().backward()
    ((got + 1) ** 2).sum().backward()
    np.testing.assert_allclose(image_o.grad, image_t.grad.numpy(), atol=1e-12)
    assert grid_o.grad is not None  # zeros for 'nearest', as torch's
    np.testing.assert_allclose(grid_o.grad, grid_t.grad.numpy(), atol=1e-11)


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_nearest_grid_sample_gives_the_grid_a_zero_gradient_as_torch(padding_mode):
    rng = np.random.default_rng(3)
    volume, grid = rng.normal(size=(2, 2, 3, 4, 4)), rng.uniform(-1.2, 1.2, size=(2, 2, 3, 3, 3))
    volume[0, 0] = -0.0
    grid_t, grid_o = torch.tensor(grid, requires_grad=True), Tensor(grid, requires_grad=True)
    expected = torch_functional.grid_sample(torch.tensor(volume), grid_t, "nearest", padding_mode, False)
    got = grid_sample(Tensor(volume), grid_o, "nearest", padding_mode, False)
    np.testing.assert_array_equal(got.data, expected.detach().numpy())
    unrecorded = grid_sample(Tensor(volume), Tensor(grid), "nearest", padding_mode, False)
    np.testing.assert_array_equal(np.signbit(got.data), np.signbit(unrecorded.data))  # (the zero term adds -0.0)
    expected.sum().backward()
    got.sum().backward()
    np.testing.assert_array_equal(grid_o.grad, grid_t.grad.numpy())


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_on_pixel_centres_and_borders_matches_torch(padding_mode):
    """Grid points exactly on pixels and on the clip limits, where torch's gradient conventions decide."""
    image = np.random.default_rng(9).normal(size=(1, 2, 3, 3))
    points = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    grid = np.stack(np.meshgrid(points, points), axis=-1)[None]
    for align_corners in (True, False):
        grid_t = torch.tensor(grid, requires_grad=True)
        grid_o = Tensor(grid, requires_grad=True)
        expected = torch_functional.grid_sample(torch.tensor(image), grid_t, "bilinear", padding_mode, align_corners)
        got = grid_sample(image, grid_o, "bilinear", padding_mode, align_corners)
        np.testing.assert_allclose(got.data, expected.detach().numpy(), atol=1e-12)
        expected.sum().backward()
        got.sum().backward()
        np.testing.assert_allclose(grid_o.grad, grid_t.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize(
    "mode, padding_mode", list(itertools.product(["bilinear", "nearest", "bicubic"], ["zeros", "border", "reflection"]))
)
def test_grid_sample_at_nan_inf_and_huge_positions_matches_torch(mode, padding_mode):
    """torch's CPU kernel clamps a nan position to 0 under 'border' and 'reflection' (and reflects +-inf to nan,
    so to 0), and reads a position beyond the integers as outside; bicubic's fraction is x - floor(x), 0 at
    1e30. Values without numpy's warnings; gradients at the finite positions (torch's backward crashes at nan)."""
    image = np.arange(1.0, 13.0).reshape(1, 1, 3, 4)

    def grid_of(specials):
        return np.array([[x, y] for x in specials for y in specials], dtype=np.float64)[None, None]

    for align_corners in (True, False):
        grid = grid_of([np.nan, np.inf, -np.inf, 1e30, -1e30, 1e18, -3e9, 0.3])
        expected = torch_functional.grid_sample(
            torch.tensor(image), torch.tensor(grid), mode, padding_mode, align_corners
        )
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = grid_sample(image, grid, mode, padding_mode, align_corners)
        np.testing.assert_allclose(got.data, expected.numpy(), rtol=1e-12)

        grid = grid_of([1e30, -1e30, 1e18, -3e9, 0.3])
        grid_t, grid_o = torch.tensor(grid, requires_grad=True), Tensor(grid, requires_grad=True)
        image_t, image_o = torch.tensor(image, requires_grad=True), Tensor(image, requires_grad=True)
        expected = torch_functional.grid_sample(image_t, grid_t, mode, padding_mode, align_corners)
        got = grid_sample(image_o, grid_o, mode, padding_mode, align_corners)
        np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-12)
        expected.sum().backward()
        got.sum().backward()
        np.testing.assert_allclose(image_o.grad, image_t.grad.numpy(), rtol=1e-12)
        grid_grad = np.zeros(grid.shape) if grid_o.grad is None else grid_o.grad
        np.testing.assert_allclose(grid_grad, grid_t.grad.numpy(), rtol=1e-12, atol=1e-13)  # bicubic cancels


@pytest.mark.parametrize("padding_mode", ["zeros", "border"])
@pytest.mark.parametrize("huge", [1e20, -1e20, 1e30])
def test_float32_bilinear_grid_sample_far_outside_matches_torch(huge, padding_mode):
    """In float32 a position of 1e20 has an index beyond int32's range: its fraction is x - floor(x) = 0, as torch's,
    not x minus that index (about 1e20), whose weights' product overflowed to inf and gave inf * 0 = nan."""
    image = np.arange(25, dtype=np.float32).reshape(1, 1, 5, 5)
    grid = np.array([[[[huge, huge], [0.2, huge], [huge, -0.4], [0.3, 0.3]]]], dtype=np.float32)
    grid_t, grid_o = torch.tensor(grid, requires_grad=True), Tensor(grid, requires_grad=True)
    image_t, image_o = torch.tensor(image, requires_grad=True), Tensor(image, requires_grad=True)
    expected = torch_functional.grid_sample(image_t, grid_t, "bilinear", padding_mode, False)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = grid_sample(image_o, grid_o, "bilinear", padding_mode, False)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-6)
    expected.sum().backward()
    got.sum().backward()
    np.testing.assert_allclose(image_o.grad, image_t.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(grid_o.grad, grid_t.grad.numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("align_corners", [True, False])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3), (2, 1, 3, 4, 2)])
def test_affine_grid_matches_torch(align_corners, size):
    dims = len(size) - 2
    theta = np.random.default_rng(10).normal(size=(2, dims, dims + 1))
    theta_t, theta_o = torch.tensor(theta, requires_grad=True), Tensor(theta, requires_grad=True)
    with pytest.warns(UserWarning) if align_corners and 1 in size[2:] else _no_warning():
        expected = torch_functional.affine_grid(theta_t, size, align_corners=align_corners)
    got = affine_grid(theta_o, size, align_corners)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), atol=1e-12)
    ((expected - 0.3) ** 2).sum().backward()
    ((got - 0.3) ** 2).sum().backward()
    np.testing.assert_allclose(theta_o.grad, theta_t.grad.numpy(), atol=1e-11)


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize(
    "ours, theirs, shape, options",
    [
        (LazyConv1d, torch.nn.LazyConv1d, (2, 4, 9), dict(stride=2, padding=1, dilation=2)),
        (LazyConv2d, torch.nn.LazyConv2d, (4, 6, 6), dict(padding="same", groups=2, padding_mode="reflect")),
        (LazyConv3d, torch.nn.LazyConv3d, (1, 4, 4, 5, 5), dict(stride=(1, 2, 2), bias=False)),
        (LazyConvTranspose1d, torch.nn.LazyConvTranspose1d, (2, 4, 5), dict(stride=2, output_padding=1)),
        (LazyConvTranspose2d, torch.nn.LazyConvTranspose2d, (2, 4, 3, 3), dict(groups=2, dilation=2)),
        (LazyConvTranspose3d, torch.nn.LazyConvTranspose3d, (1, 4, 2, 3, 3), dict(padding=1)),
    ],
)
def test_lazy_convolution_matches_torch(ours, theirs, shape, options):
    x = np.random.default_rng(11).normal(size=shape)
    layer, reference = ours(6, 3, dtype=np.float64, **options), theirs(6, 3, dtype=torch.float64, **options)
    reference(torch.tensor(x))
    layer(x)
    assert type(layer).__name__ == type(reference).__name__ and layer.in_channels == reference.in_channels
    assert layer.weight.shape == tuple(reference.weight.shape)
    with torch.no_grad():
        reference.weight.copy_(torch.tensor(layer.weight.data))
        if reference.bias is not None:
            reference.bias.copy_(torch.tensor(layer.bias.data))
    x_t, x_o = torch.tensor(x, requires_grad=True), Tensor(x, requires_grad=True)
    expected, got = reference(x_t), layer(x_o)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), atol=1e-12)
    expected.sum().backward()
    got.sum().backward()
    np.testing.assert_allclose(x_o.grad, x_t.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(layer.weight.grad, reference.weight.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize(
    "mode, padding_mode, align_corners",
    list(itertools.product(["bilinear", "nearest"], ["zeros", "border", "reflection"], [True, False])),
)
def test_volumetric_grid_sample_matches_torch(mode, padding_mode, align_corners):
    rng = np.random.default_rng(10)
    volume, grid = rng.normal(size=(2, 3, 4, 3, 5)), rng.uniform(-1.3, 1.3, size=(2, 2, 3, 4, 3))
    grid[0, 0, 0] = [-1.0, 0.0, 1.0]  # on voxel centres / clip limits
    volume_t, grid_t = torch.tensor(volume, requires_grad=True), torch.tensor(grid, requires_grad=True)
    volume_o, grid_o = Tensor(volume, requires_grad=True), Tensor(grid, requires_grad=True)
    expected = torch_functional.grid_sample(volume_t, grid_t, mode, padding_mode, align_corners)
    got = grid_sample(volume_o, grid_o, mode, padding_mode, align_corners)
    assert got.shape == tuple(expected.shape) == (2, 3, 2, 3, 4)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), atol=1e-12)
    ((expected + 1) ** 2).sum().backward()
    ((got + 1) ** 2).sum().backward()
    np.testing.assert_allclose(volume_o.grad, volume_t.grad.numpy(), atol=1e-12)
    assert grid_o.grad is not None  # zeros for 'nearest', as torch's
    np.testing.assert_allclose(grid_o.grad, grid_t.grad.numpy(), atol=1e-11)


def test_volumetric_grid_sample_of_an_affine_grid_matches_torch():
    rng = np.random.default_rng(11)
    volume, theta = rng.normal(size=(2, 1, 3, 4, 5)), np.eye(3, 4) + rng.normal(scale=0.2, size=(2, 3, 4))
    theta_t, theta_o = torch.tensor(theta, requires_grad=True), Tensor(theta, requires_grad=True)
    expected = torch_functional.grid_sample(
        torch.tensor(volume), torch_functional.affine_grid(theta_t, (2, 1, 3, 2, 4), False), align_corners=False
    )
    got = grid_sample(volume, affine_grid(theta_o, (2, 1, 3, 2, 4), False), align_corners=False)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), atol=1e-12)
    expected.sum().backward()
    got.sum().backward()
    np.testing.assert_allclose(theta_o.grad, theta_t.grad.numpy(), atol=1e-11)


def test_volumetric_grid_sample_refuses_bicubic_and_a_2d_grid_as_torch():
    volume = np.zeros((1, 1, 2, 2, 2))
    for grid, mode in [(np.zeros((1, 1, 1, 1, 3)), "bicubic"), (np.zeros((1, 1, 1, 1, 2)), "bilinear")]:
        with pytest.raises(RuntimeError, match="grid_sampler"):
            torch_functional.grid_sample(torch.tensor(volume), torch.tensor(grid), mode, align_corners=False)
        with pytest.raises(RuntimeError, match="grid_sample"):
            grid_sample(volume, grid, mode, align_corners=False)


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
def test_grid_sample_reads_plus_zero_outside_a_negative_or_infinite_image_as_torch(mode):
    image = -np.abs(np.random.default_rng(4).normal(size=(1, 2, 4, 4)))
    image[0, 1, :, -1] = -np.inf  # (the column a point beyond the right edge would clip to)
    grid = np.array([[[[5.0, 5.0], [-3.0, 0.2], [0.1, 0.1], [1.1, 0.0], [1.6, -0.2]]]])
    expected = torch_functional.grid_sample(torch.tensor(image), torch.tensor(grid), mode, "zeros", False).numpy()
    got = grid_sample(Tensor(image), Tensor(grid), mode, "zeros", False).data
    np.testing.assert_allclose(got, expected, atol=1e-12)
    np.testing.assert_array_equal(np.signbit(got), np.signbit(expected))


def test_ctc_loss_layer_with_a_negative_blank_raises_torchs_runtime_error():
    """torch's layer takes any blank and its call refuses one outside the labels (a RuntimeError); here the layer
    refuses a negative blank when built, with an error that is torch's class too (a ValueError as well)."""
    log_probs = torch.randn(5, 2, 4).log_softmax(2)
    targets, lengths, target_lengths = torch.tensor([[1, 2], [1, 1]]), torch.tensor([5, 5]), torch.tensor([2, 2])
    with pytest.raises(RuntimeError):
        torch.nn.CTCLoss(blank=-1)(log_probs, targets, lengths, target_lengths)
    with pytest.raises(RuntimeError, match="CTCLoss: blank"):
        nn.CTCLoss(blank=-1)
