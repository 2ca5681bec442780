"""Normalisation and adaptive pooling as torch: instance norms' running statistics as torch 2.13
keeps them, and empty batches (N = 0) through group norm, local response norm and adaptive pooling."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

RNG = np.random.default_rng(31)


def _batches(shape: tuple[int, ...], count: int) -> list[np.ndarray]:
    """``count`` float32 batches whose channels have different means, so running means move."""
    offsets = np.arange(shape[1], dtype=np.float32).reshape((1, shape[1]) + (1,) * (len(shape) - 2))
    return [RNG.normal(size=shape).astype(np.float32) * 2 + offsets for _ in range(count)]


@pytest.mark.parametrize(("cls", "shape"), [("InstanceNorm1d", (2, 3, 5)), ("InstanceNorm2d", (2, 3, 4, 5))])
def test_instance_norm_never_counts_batches(cls, shape):
    layer = getattr(nn, cls)(3, track_running_stats=True)
    for x in _batches(shape, 3):
        layer(Tensor(x))
    assert int(layer.num_batches_tracked) == 0
    assert layer.num_batches_tracked.dtype == np.int64


@pytest.mark.parametrize(("cls", "shape"), [("InstanceNorm1d", (2, 3, 5)), ("InstanceNorm2d", (2, 3, 4, 5))])
def test_instance_norm_momentum_none_leaves_running_stats_as_they_were(cls, shape):
    layer = getattr(nn, cls)(3, momentum=None, track_running_stats=True)
    for x in _batches(shape, 3):
        layer(Tensor(x))
    np.testing.assert_array_equal(layer.running_mean, np.zeros(3, np.float32))
    np.testing.assert_array_equal(layer.running_var, np.ones(3, np.float32))


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize(("cls", "shape"), [("InstanceNorm1d", (2, 3, 5)), ("InstanceNorm2d", (2, 3, 4, 5))])
def test_instance_norm_running_stats_state_dict_and_eval_output_match_torch(cls, shape, momentum):
    torch = pytest.importorskip("torch")
    ours = getattr(nn, cls)(3, momentum=momentum, affine=True, track_running_stats=True)
    theirs = getattr(torch.nn, cls)(3, momentum=momentum, affine=True, track_running_stats=True)
    batches = _batches(shape, 4)
    for x in batches[:3]:
        ours(Tensor(x))
        theirs(torch.tensor(x))
    ours_state, theirs_state = ours.state_dict(), theirs.state_dict()
    assert list(ours_state) == list(theirs_state)
    for key, value in theirs_state.items():
        np.testing.assert_allclose(np.asarray(ours_state[key]), value.numpy(), rtol=1e-5, atol=1e-6, err_msg=key)
    ours.eval()
    theirs.eval()
    expected = theirs(torch.tensor(batches[3])).detach().numpy()
    np.testing.assert_allclose(ours(Tensor(batches[3])).data, expected, rtol=1e-5, atol=1e-5)


EMPTY_BATCH_CASES = {
    "GroupNorm": (lambda lib: lib.GroupNorm(1, 3), (0, 3, 4)),
    "GroupNorm over (N, C)": (lambda lib: lib.GroupNorm(3, 3), (0, 3)),
    "LocalResponseNorm": (lambda lib: lib.LocalResponseNorm(2), (0, 3, 4, 4)),
    "LocalResponseNorm 3-D": (lambda lib: lib.LocalResponseNorm(2), (0, 3, 4)),
    "AdaptiveMaxPool2d": (lambda lib: lib.AdaptiveMaxPool2d(2), (0, 3, 4, 4)),
    "AdaptiveMaxPool1d": (lambda lib: lib.AdaptiveMaxPool1d(2), (0, 3, 4)),
    "AdaptiveAvgPool2d": (lambda lib: lib.AdaptiveAvgPool2d(2), (0, 3, 4, 4)),
    "AdaptiveAvgPool1d": (lambda lib: lib.AdaptiveAvgPool1d(2), (0, 3, 4)),
}


@pytest.mark.parametrize("case", list(EMPTY_BATCH_CASES))
def test_empty_batch_gives_an_empty_output_and_gradient(case):
    make, shape = EMPTY_BATCH_CASES[case]
    x = Tensor(np.zeros(shape, np.float32), requires_grad=True)
    y = make(nn)(x)
    y.sum().backward()
    assert x.grad.shape == shape
    torch = pytest.importorskip("torch")
    assert y.shape == tuple(make(torch.nn)(torch.zeros(shape)).shape)


def test_empty_batch_adaptive_max_pool_functions_return_empty_int64_indices():
    values, indices = F.adaptive_max_pool2d(Tensor(np.zeros((0, 3, 5, 4), np.float32)), (2, 3), return_indices=True)
    assert values.shape == indices.shape == (0, 3, 2, 3) and indices.dtype == np.int64
    values, indices = F.adaptive_max_pool1d(Tensor(np.zeros((0, 3, 4), np.float32)), 2, return_indices=True)
    assert values.shape == indices.shape == (0, 3, 2) and indices.dtype == np.int64
