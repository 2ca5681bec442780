"""Adaptive max pooling (F.adaptive_max_pool1d/2d, nn.AdaptiveMaxPool1d/2d): torch's windows, the first maximum
(the last NaN) chosen with its flat index, gradients against finite differences, errors, checkpoints, and values,
indices and gradients against torch where it is installed."""

import itertools

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from nn import architecture


def test_windows_run_from_floor_to_ceil_of_the_scaled_positions():
    x = np.arange(5.0).reshape(1, 1, 5)
    # 5 -> 3: windows [0, 2), [1, 4), [3, 5) hold maxima 1, 3, 4
    values, indices = F.adaptive_max_pool1d(x, 3, return_indices=True)
    np.testing.assert_array_equal(values.data.ravel(), [1, 3, 4])
    np.testing.assert_array_equal(indices.ravel(), [1, 3, 4])
    assert indices.dtype == np.int64


def test_indices_are_flat_positions_in_each_plane():
    x = np.arange(12.0).reshape(3, 4)[None, None]
    values, indices = F.adaptive_max_pool2d(x, 2, return_indices=True)
    np.testing.assert_array_equal(values.data[0, 0], [[5, 7], [9, 11]])
    np.testing.assert_array_equal(indices[0, 0], [[5, 7], [9, 11]])


def test_ties_go_to_the_first_maximum_and_a_nan_wins_as_its_last_occurrence():
    x = np.array([[[[1.0, 3.0, 3.0, 0.0], [2.0, 3.0, np.nan, np.nan]]]])
    values, indices = F.adaptive_max_pool2d(x, (1, 2), return_indices=True)
    assert values.data[0, 0, 0, 0] == 3.0 and np.isnan(values.data[0, 0, 0, 1])
    np.testing.assert_array_equal(indices[0, 0, 0], [1, 7])
    tied = Tensor(np.zeros((1, 1, 4)), requires_grad=True)
    F.adaptive_max_pool1d(tied, 1).sum().backward()
    np.testing.assert_array_equal(tied.grad.ravel(), [1, 0, 0, 0])


def test_more_cells_than_entries_share_entries_and_their_gradients_add_up():
    x = Tensor(np.array([[[1.0, 2.0]]]), requires_grad=True)
    out = F.adaptive_max_pool1d(x, 3)  # windows [0, 1), [0, 2), [1, 2)
    np.testing.assert_array_equal(out.data.ravel(), [1, 2, 2])
    out.backward(np.array([[[1.0, 10.0, 100.0]]]))
    np.testing.assert_array_equal(x.grad.ravel(), [1, 110])


def test_none_keeps_an_axis_and_unbatched_input_keeps_its_shape():
    x = np.random.default_rng(0).standard_normal((3, 5, 4))
    assert F.adaptive_max_pool2d(x, (2, None)).shape == (3, 2, 4)
    np.testing.assert_array_equal(F.adaptive_max_pool2d(x, 2).data, F.adaptive_max_pool2d(x[None], 2).data[0])
    np.testing.assert_array_equal(F.adaptive_max_pool1d(x[0], 3).data, F.adaptive_max_pool1d(x[:1], 3).data[0])


@pytest.mark.parametrize("output_size", [1, 2, (3, 2), (5, 7)])
def test_adaptive_max_pool2d_gradients_match_finite_differences(output_size):
    x = np.random.default_rng(1).permutation(2 * 5 * 4).reshape(1, 2, 5, 4) * 0.1  # distinct: no ties to step over
    assert gradcheck(lambda x: F.adaptive_max_pool2d(x, output_size), [x])


def test_adaptive_max_pool1d_gradients_and_second_derivatives_match_finite_differences():
    x = np.random.default_rng(2).permutation(14).reshape(2, 1, 7) * 0.1
    assert gradcheck(lambda x: F.adaptive_max_pool1d(x, 3), [x])
    assert gradgradcheck(lambda x: (F.adaptive_max_pool1d(x, 4) ** 3).sum(), [x])


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: F.adaptive_max_pool2d(np.ones((4, 4)), 2), ValueError, r"adaptive_max_pool2d: expected.*\(4, 4\)"),
        (lambda: F.adaptive_max_pool2d(np.ones((1, 1, 4, 4)), -1), ValueError, "adaptive_max_pool2d: output_size"),
        (lambda: F.adaptive_max_pool2d(np.ones((1, 1, 4, 4)), (1, 2, 3)), TypeError, "adaptive_max_pool2d"),
        (lambda: F.adaptive_max_pool1d(np.ones((1, 1, 4)), 2.5), TypeError, "adaptive_max_pool1d: output_size"),
        (lambda: F.adaptive_max_pool1d(np.ones((1, 1, 1, 4)), 2), ValueError, "adaptive_max_pool1d: expected"),
        (lambda: F.adaptive_max_pool1d(np.ones((1, 0)), 2), ValueError, "adaptive_max_pool1d: input of shape"),
        (lambda: nn.AdaptiveMaxPool2d(2, return_indices=1), TypeError, "AdaptiveMaxPool2d: return_indices"),
    ],
)
def test_bad_adaptive_max_pool_arguments_are_errors_naming_the_op(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_adaptive_max_pool_layers_round_trip_through_a_checkpoint(tmp_path):
    model = nn.Sequential(nn.AdaptiveMaxPool2d((3, None)), nn.Flatten(2), nn.AdaptiveMaxPool1d(4))
    rebuilt = nn.load(nn.save(model, tmp_path / "pools.npz"))
    assert repr(rebuilt) == repr(model) and architecture.describe(rebuilt) == architecture.describe(model)
    x = np.random.default_rng(3).standard_normal((2, 3, 7, 5))
    np.testing.assert_array_equal(rebuilt(x).data, model(x).data)
    values, indices = nn.AdaptiveMaxPool1d(2, return_indices=True)(x[:, :, 0])
    assert values.shape == indices.shape == (2, 3, 2)


TORCH_GRID = list(itertools.product([(1, 1), (4, 3), (7, 6), (3, 9)], [(1, 1), (2, 3), (4, 4), (5, None)]))


@pytest.mark.parametrize("input_size, output_size", TORCH_GRID)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_adaptive_max_pool2d_matches_torch_values_indices_and_gradients(input_size, output_size, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    x = np.round(rng.standard_normal((2, 3) + input_size), 1).astype(dtype)  # rounded: ties occur
    ours, theirs = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    values, indices = F.adaptive_max_pool2d(ours, output_size, return_indices=True)
    expected, expected_indices = torch.nn.functional.adaptive_max_pool2d(theirs, output_size, return_indices=True)
    np.testing.assert_array_equal(values.data, expected.detach().numpy())
    np.testing.assert_array_equal(indices, expected_indices.numpy())
    upstream = rng.standard_normal(values.shape).astype(dtype)
    values.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("input_size, output_size", [((7, 9), (3, 4)), ((9, 7), (4, 3)), ((5, 5), (8, 8))])
def test_adaptive_max_pool2d_picks_torchs_entry_among_ties_nans_and_infinities(input_size, output_size):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(6)
    x = np.round(rng.standard_normal((4, 5) + input_size)).astype(np.float32)  # few values: ties across rows too
    draw = rng.random(x.shape)
    x[draw < 0.08], x[(draw >= 0.08) & (draw < 0.12)], x[draw >= 0.97] = np.nan, np.inf, -np.inf
    x[0, 0] = np.inf  # a window of ties at infinity, and one all NaN
    x[0, 1] = np.nan
    values, indices = F.adaptive_max_pool2d(x, output_size, return_indices=True)
    expected, expected_indices = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x), output_size, True)
    np.testing.assert_array_equal(values.data, expected.numpy())
    np.testing.assert_array_equal(indices, expected_indices.numpy())


def test_adaptive_max_pool1d_and_layers_match_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(5).standard_normal((2, 3, 11))
    for size in (1, 3, 4, 11, 15):
        values, indices = F.adaptive_max_pool1d(x, size, return_indices=True)
        expected, expected_indices = torch.nn.functional.adaptive_max_pool1d(torch.tensor(x), size, True)
        np.testing.assert_array_equal(values.data, expected.numpy())
        np.testing.assert_array_equal(indices, expected_indices.numpy())
    for make in (lambda lib: lib.AdaptiveMaxPool2d((2, None)), lambda lib: lib.AdaptiveMaxPool1d(4, True)):
        assert repr(make(nn)) == repr(make(torch.nn))
