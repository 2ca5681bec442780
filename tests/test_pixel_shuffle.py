"""F.pixel_shuffle / F.pixel_unshuffle and their layers: the index formula, each the other's inverse, leading
batch axes, gradients against finite differences, errors, checkpoints, and torch's values where installed."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import gradcheck
from nn import architecture


def test_pixel_shuffle_places_channel_c_r2_plus_i_r_plus_j_at_offset_i_j():
    r, x = 2, np.random.default_rng(0).standard_normal((2, 3 * 4, 2, 3))
    out = F.pixel_shuffle(x, r).data
    assert out.shape == (2, 3, 4, 6)
    for c, i, j, h, w in np.ndindex(3, r, r, 2, 3):
        assert out[:, c, h * r + i, w * r + j].tolist() == x[:, c * r * r + i * r + j, h, w].tolist()


def test_pixel_unshuffle_inverts_pixel_shuffle_with_any_leading_axes():
    x = np.random.default_rng(1).standard_normal((2, 2, 18, 2, 3))
    np.testing.assert_array_equal(F.pixel_unshuffle(F.pixel_shuffle(x, 3), 3).data, x)
    image = np.random.default_rng(2).standard_normal((5, 4, 6))
    np.testing.assert_array_equal(F.pixel_shuffle(F.pixel_unshuffle(image, 2), 2).data, image)
    np.testing.assert_array_equal(F.pixel_shuffle(x, 1).data, x)


def test_pixel_shuffle_and_unshuffle_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    assert gradcheck(
        lambda x: F.pixel_shuffle(x, 2) * np.arange(24.0).reshape(1, 4, 6), [rng.standard_normal((1, 4, 2, 3))]
    )
    assert gradcheck(lambda x: F.pixel_unshuffle(x, 2), [rng.standard_normal((2, 1, 4, 2))])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.pixel_shuffle(np.ones((5, 2, 2)), 2), ValueError, r"pixel_shuffle: the channel axis.*\(5\)"),
        (lambda: F.pixel_shuffle(np.ones((4, 2)), 2), ValueError, r"pixel_shuffle: expected.*got shape \(4, 2\)"),
        (lambda: F.pixel_shuffle(np.ones((4, 2, 2)), 0), ValueError, "pixel_shuffle: upscale_factor"),
        (lambda: F.pixel_unshuffle(np.ones((1, 5, 4)), 2), ValueError, r"pixel_unshuffle: the height and width"),
        (lambda: F.pixel_unshuffle(np.ones((1, 4, 4)), 1.5), TypeError, "pixel_unshuffle: downscale_factor"),
    ],
)
def test_bad_pixel_shuffle_arguments_are_errors_naming_the_op(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_pixel_shuffle_layers_round_trip_through_a_checkpoint(tmp_path):
    model = nn.Sequential(nn.PixelUnshuffle(2), nn.PixelShuffle(2))
    rebuilt = nn.load(nn.save(model, tmp_path / "shuffle.npz"))
    assert (
        repr(rebuilt)
        == repr(model)
        == "Sequential(\n  (0): PixelUnshuffle(downscale_factor=2)\n  (1): PixelShuffle(upscale_factor=2)\n)"
    )
    assert architecture.describe(rebuilt) == architecture.describe(model)
    x = np.random.default_rng(4).standard_normal((1, 3, 4, 6))
    np.testing.assert_array_equal(rebuilt(x).data, x)


def test_pixel_shuffle_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(5).standard_normal((2, 18, 2, 3)).astype(np.float32)
    for r in (1, 3):
        np.testing.assert_array_equal(F.pixel_shuffle(x, r).data, torch.nn.functional.pixel_shuffle(torch.tensor(x), r))
    y = np.random.default_rng(6).standard_normal((3, 4, 6))
    np.testing.assert_array_equal(F.pixel_unshuffle(y, 2).data, torch.nn.functional.pixel_unshuffle(torch.tensor(y), 2))
    for make in (lambda lib: lib.PixelShuffle(3), lambda lib: lib.PixelUnshuffle(2)):
        assert repr(make(nn)) == repr(make(torch.nn))


@pytest.mark.parametrize(
    "op, shape, factor",
    [
        ("pixel_shuffle", (1, 6, 2, 2), 2),
        ("pixel_shuffle", (4, 2), 2),
        ("pixel_shuffle", (4, 2, 2), 0),
        ("pixel_unshuffle", (1, 2, 3, 2), 2),
        ("pixel_unshuffle", (4, 2), 2),
        ("pixel_unshuffle", (4, 2, 2), 0),
        ("channel_shuffle", (2, 5, 3), 2),
        ("channel_shuffle", (2, 6), 2),
        ("channel_shuffle", (2, 6, 3), 0),
    ],
)
def test_shapes_and_factors_torch_refuses_are_runtime_errors_as_torch(op, shape, factor):
    # torch raises a RuntimeError for each: `except RuntimeError` (and `except ValueError`) must catch ours
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        getattr(torch.nn.functional, op)(torch.zeros(shape), factor)
    with pytest.raises(RuntimeError, match=op):
        getattr(F, op)(np.zeros(shape), factor)
    with pytest.raises(ValueError, match=op):
        getattr(F, op)(np.zeros(shape), factor)
