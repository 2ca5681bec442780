"""The functions torch documents as making a new tensor (flip, roll, rot90, tile, diff, pad, pixel_shuffle, ...)
never hand back their input or a view of it, even when they change nothing: writing into the result leaves the
input, and the gradient through the input, as torch's. Views that change nothing (a reshape to the same shape)
are new view nodes, as torch's, and no two retained gradients share memory."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn.functional as F
from autograd import Tensor

X = np.arange(12.0).reshape(1, 1, 3, 4)

COPYING = [
    ("flip", lambda t: t.flip(2)),
    ("flip no axes", lambda t: t.flip(())),
    ("numpy flip", lambda t: np.flip(t, 3)),
    ("roll by the length", lambda t: t.roll(4, 3)),
    ("roll by one", lambda t: t.roll(1, 3)),
    ("roll flat by the size", lambda t: t.roll(12)),
    ("rot90 k=0", lambda t: t.rot90(0, (2, 3))),
    ("rot90 k=4", lambda t: t.rot90(4, (2, 3))),
    ("diff n=0", lambda t: t.diff(n=0)),
    ("tile once", lambda t: ag.tile(t, (1, 1))),
    ("pad nothing", lambda t: F.pad(t, (0, 0))),
    ("pad reflect nothing", lambda t: F.pad(t, (0, 0, 0, 0), mode="reflect")),
    ("pad replicate nothing", lambda t: F.pad(t, (0, 0, 0, 0), mode="replicate")),
    ("numpy pad edge nothing", lambda t: np.pad(t, 0, mode="edge")),
    ("pixel_shuffle 1", lambda t: F.pixel_shuffle(t, 1)),
    ("pixel_unshuffle 1", lambda t: F.pixel_unshuffle(t, 1)),
    ("channel_shuffle 1", lambda t: F.channel_shuffle(t, 1)),
]


@pytest.mark.parametrize("call", [pytest.param(call, id=name) for name, call in COPYING])
def test_the_result_is_a_new_tensor_that_shares_no_memory_with_the_input(call):
    t = Tensor(X.copy())
    result = call(t)
    assert result is not t and not np.shares_memory(result.data, t.data)
    result.data[...] = -1.0
    np.testing.assert_array_equal(t.data, X)


@pytest.mark.parametrize("call", [pytest.param(call, id=name) for name, call in COPYING])
def test_an_in_place_change_of_the_result_leaves_the_inputs_gradient_as_torchs(call):
    torch = pytest.importorskip("torch")
    x = Tensor(X.copy(), requires_grad=True)
    h = x * 1.0
    y = call(h)
    y += 100.0
    (h * h).sum().backward()
    x_t = torch.tensor(X, requires_grad=True)
    (x_t * 1.0 * (x_t * 1.0)).sum().backward()
    np.testing.assert_array_equal(x.grad, x_t.grad.numpy())
    np.testing.assert_array_equal(x.grad, 2 * X)


def test_a_reshape_or_squeeze_that_changes_nothing_is_a_new_view_as_torch():
    x = Tensor(np.ones((1, 3)), requires_grad=True)
    for same in (x.reshape(1, 3), x.view(1, 3), x.squeeze(dim=1), x.reshape_as(x), x.unflatten(1, (3,))):
        assert same is not x and same.shape == x.shape and np.shares_memory(same.data, x.data)
    y = x * 1.0
    z = y.reshape(1, 3)
    z.retain_grad()
    y.retain_grad()
    (z * z).sum().backward()
    assert z.grad is not y.grad and not np.shares_memory(z.grad, y.grad)
    assert not np.shares_memory(y.grad, x.grad)


def test_retained_gradients_of_views_share_no_memory():
    b = Tensor(np.ones((2, 3)), requires_grad=True)
    y = b * 2.0
    w = y.reshape(6)
    for node in (y, w):
        node.retain_grad()
    (w * w).sum().backward()
    grads = [y.grad, w.grad, b.grad]
    assert not any(np.shares_memory(p, q) for i, p in enumerate(grads) for q in grads[i + 1 :])
    w.grad[...] = 0.0
    np.testing.assert_array_equal(y.grad, np.full((2, 3), 4.0))  # d(w . w)/dy = 2w


def test_astype_of_the_same_dtype_copies_as_numpy_and_the_torch_conversions_return_the_tensor():
    x = Tensor(np.ones(3), requires_grad=True)
    copied = x.astype(np.float64)
    assert copied is not x and copied.requires_grad and not np.shares_memory(copied.data, x.data)
    assert x.astype(np.float64, copy=False) is x
    assert x.double() is x and x.to(np.float64) is x and x.type_as(x) is x
