"""Torch oracle for nn.utils.checkpoint: blocks that return their input beside (or instead of) a result."""

from __future__ import annotations

import numpy as np
import pytest

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
