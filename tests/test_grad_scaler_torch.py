"""autograd.amp.GradScaler against torch.amp.GradScaler("cpu"): the scaled loss's dtype, the refused float16
gradients, the rounding of the grown and backed-off scale, and the misuse torch refuses."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor

torch = pytest.importorskip("torch")


def _scaler(lib, **kwargs):
    return (torch.amp.GradScaler if lib is torch else autograd.amp.GradScaler)("cpu", **kwargs)


def _parameter(lib, values, dtype=np.float32):
    array = np.asarray(values, dtype)
    return torch.nn.Parameter(torch.from_numpy(array.copy())) if lib is torch else nn.Parameter(Tensor(array.copy()))


def _sgd(lib, parameters):
    return (torch.optim if lib is torch else nn.optim).SGD(parameters, lr=0.1)


@pytest.mark.parametrize("shape", [(), (2,)], ids=["0-d", "1-d"])
def test_grad_scaler_scales_a_float16_loss_in_torchs_dtype(shape):
    results = []
    for lib in (torch, autograd):
        loss = _parameter(lib, np.full(shape, 3.0), np.float16) * 1
        scaled = _scaler(lib).scale(loss)
        results.append((str(scaled.dtype).rsplit(".", 1)[-1], np.asarray(scaled.detach()).tolist()))
    assert results[0] == results[1]
