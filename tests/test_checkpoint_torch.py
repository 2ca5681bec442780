"""Torch oracle for nn.utils.checkpoint: blocks that return their input beside (or instead of) a result."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Tensor
from nn.utils.checkpoint import checkpoint

torch = pytest.importorskip("torch")

X = np.random.default_rng(5).normal(size=(3, 2))


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (nn.Identity(), torch.nn.Identity()),
        (lambda a: (a, a * 2.0), lambda a: (a, a * 2.0)),
        (lambda a: (a * a, a), lambda a: (a * a, a)),
    ],
    ids=["identity", "input-then-double", "square-then-input"],
)
def test_gradients_of_a_block_returning_its_input_match_torchs_checkpoint(ours, theirs):
    x, torch_x = Tensor(X.copy(), requires_grad=True), torch.tensor(X, requires_grad=True)
    for block, leaf, run in ((ours, x, checkpoint), (theirs, torch_x, torch.utils.checkpoint.checkpoint)):
        out = run(block, leaf, use_reentrant=False)
        outputs = out if isinstance(out, tuple) else (out,)
        sum((3.0 + position) * output * output for position, output in enumerate(outputs)).sum().backward()
    np.testing.assert_allclose(x.grad, torch_x.grad.numpy(), rtol=1e-14)


@pytest.mark.parametrize("non_leaf", [False, True], ids=["leaf", "non-leaf"])
def test_a_tensor_used_inside_and_outside_a_non_reentrant_checkpoint_gets_one_hook_call_with_the_total(non_leaf):
    """A weight (or a tensor computed from one) used both inside a checkpointed block, which closes over it, and
    outside: its tensor hook runs once, with the whole gradient, as torch's non-reentrant checkpoint (it ran twice,
    each time with a part; a non-leaf's history was run by the inner pass, then by the outer one, which raised that
    the graph was freed), and its post-accumulate hook once."""
    results = []
    for lib, checkpoint_of in ((ag, nn.utils.checkpoint.checkpoint), (torch, torch.utils.checkpoint.checkpoint)):
        w = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        x = lib.tensor([3.0, 4.0], dtype=lib.float64, requires_grad=True)
        weight = w * 1.0 if non_leaf else w
        calls, accumulated = [], []
        weight.register_hook(lambda g, calls=calls: calls.append(g.tolist()))
        w.register_post_accumulate_grad_hook(lambda p, accumulated=accumulated: accumulated.append(p.grad.tolist()))
        y = checkpoint_of(lambda a, weight=weight: (a * weight).sin(), x, use_reentrant=False)
        (y * weight).sum().backward()
        results.append((calls, accumulated, w.grad.tolist(), x.grad.tolist()))
    ours, theirs = results
    assert len(ours[0]) == len(ours[1]) == 1
    np.testing.assert_allclose(
        np.array(ours[0] + ours[1] + [ours[2], ours[3]]), np.array(theirs[0] + theirs[1] + [theirs[2], theirs[3]])
    )


def test_checkpoint_without_use_reentrant_warns_as_torch():
    """torch 2.13 warns (a UserWarning, pointing at the caller) when ``use_reentrant`` is not passed; passed, either
    value, it does not."""
    messages = []
    for checkpoint_of in (checkpoint, torch.utils.checkpoint.checkpoint):
        x = (ag if checkpoint_of is checkpoint else torch).ones(2, requires_grad=True)
        with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly") as record:
            checkpoint_of(lambda t: t.sin(), x)
        messages.append([str(item.message) for item in record if "use_reentrant" in str(item.message)])
    assert messages[0] == messages[1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        checkpoint(lambda t: t.sin(), ag.ones(2, requires_grad=True), use_reentrant=False)
        checkpoint(lambda t: t.sin(), ag.ones(2, requires_grad=True), use_reentrant=True)
