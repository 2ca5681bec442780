"""1-D pooling (max_pool1d, avg_pool1d, adaptive_avg_pool1d and their layers) and the padding layers
(ZeroPad, ConstantPad, ReflectionPad, ReplicationPad, CircularPad, 1d and 2d): values, gradients and reprs
against torch, checkpoints, and argument errors."""

from __future__ import annotations

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor, gradcheck

X = np.random.default_rng(0).normal(size=(2, 3, 11))


def _compare(torch, ours_call, theirs_call, data=X):
    x, reference = Tensor(data.copy(), requires_grad=True), torch.tensor(data, requires_grad=True)
    out, expected = ours_call(x), theirs_call(reference)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12)
    seed = np.random.default_rng(1).normal(size=out.shape)
    out.backward(seed)
    expected.backward(torch.from_numpy(seed))
    np.testing.assert_allclose(x.grad, reference.grad.numpy(), rtol=1e-12, atol=1e-15)


POOLS = [
    ("max_pool1d", (3,), {}),
    ("max_pool1d", (3,), {"stride": 2, "padding": 1, "dilation": 2}),
    ("max_pool1d", (2,), {"stride": 3, "ceil_mode": True}),
    ("avg_pool1d", (3,), {"stride": 2, "padding": 1}),
    ("avg_pool1d", (4,), {"stride": 3, "padding": 2, "ceil_mode": True, "count_include_pad": False}),
    ("adaptive_avg_pool1d", (4,), {}),
    ("adaptive_avg_pool1d", (11,), {}),
]


@pytest.mark.parametrize(("name", "args", "options"), POOLS, ids=[f"{n}{a}{o}" for n, a, o in POOLS])
@pytest.mark.parametrize("batched", [True, False])
def test_1d_pools_match_torch(name, args, options, batched):
    torch = pytest.importorskip("torch")
    data = X if batched else X[0]
    _compare(torch, lambda x: getattr(F, name)(x, *args, **options),
             lambda x: getattr(torch.nn.functional, name)(x, *args, **options), data)  # fmt: skip


def test_1d_pool_gradients_match_finite_differences():
    assert gradcheck(lambda x: F.avg_pool1d(x, 3, 2, 1, count_include_pad=False), (X[:1],))
    assert gradcheck(lambda x: F.adaptive_avg_pool1d(x, 4), (X[:1],))


LAYERS = [
    lambda lib: lib.MaxPool1d(2),
    lambda lib: lib.MaxPool1d(3, stride=1, padding=1, dilation=2, ceil_mode=True),
    lambda lib: lib.AvgPool1d(3, 2, 1),
    lambda lib: lib.AvgPool1d(4, ceil_mode=True, count_include_pad=False),
    lambda lib: lib.AdaptiveAvgPool1d(5),
    lambda lib: lib.ZeroPad1d((1, 2)),
    lambda lib: lib.ZeroPad2d(1),
    lambda lib: lib.ConstantPad1d(2, 3.5),
    lambda lib: lib.ConstantPad2d((1, 0, 2, 1), -1.0),
    lambda lib: lib.ConstantPad1d((2, 1), 0),  # an int fill: torch's repr reads value=0, not value=0.0
    lambda lib: lib.ConstantPad2d(1, -3),
    lambda lib: lib.ReflectionPad1d(2),
    lambda lib: lib.ReflectionPad2d((1, 2, 0, 1)),
    lambda lib: lib.ReplicationPad1d((0, 3)),
    lambda lib: lib.ReplicationPad2d(2),
    lambda lib: lib.CircularPad1d(1),
    lambda lib: lib.CircularPad2d((1, 1, 2, 0)),
]


@pytest.mark.parametrize("make", LAYERS)
def test_layers_match_torch_and_round_trip_through_checkpoints(tmp_path, make):
    torch = pytest.importorskip("torch")
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    _compare(torch, ours, theirs)
    rebuilt = nn.load(nn.save(nn.Sequential(ours), tmp_path / "m.npz"))
    assert repr(rebuilt[0]) == repr(ours)
    np.testing.assert_array_equal(rebuilt(X).data, ours(X).data)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.max_pool1d(np.ones((2, 3, 4, 5)), 2), ValueError, r"max_pool1d: expected a \(C, L\) or \(N, C, L\)"),
        (lambda: nn.MaxPool1d(2, padding=2), ValueError, "MaxPool1d: padding 2 must be at most half"),
        (lambda: nn.AvgPool1d(0), ValueError, "AvgPool1d: kernel_size"),
        (lambda: nn.ZeroPad2d((1, 2)), TypeError, "ZeroPad2d: padding must be an int or a tuple of 4 ints"),
        (lambda: nn.ConstantPad1d(1, "x"), TypeError, "ConstantPad1d: value must be a real number"),
    ],
)
def test_bad_arguments_are_errors_naming_the_layer(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_constant_padding_may_fill_with_nan_as_torch():
    x = Tensor(np.ones((1, 2, 3), dtype=np.float32), requires_grad=True)
    padded = F.pad(x, (1, 1), value=float("nan"))
    np.testing.assert_array_equal(padded.data[0, 0], [np.nan, 1.0, 1.0, 1.0, np.nan])
    padded.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones((1, 2, 3)))
    np.testing.assert_array_equal(nn.ConstantPad1d(1, np.nan)(x).data[0, 1], [np.nan, 1.0, 1.0, 1.0, np.nan])
