"""torch's ``_check_input_dim`` hook of the batch norms: their forward asks it which input ranks to take, so a
subclass overriding it (a batch norm of any rank, or a stricter one) works as under torch."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")


def _any_rank(library):
    class AnyRankBatchNorm(library.BatchNorm1d):
        def _check_input_dim(self, input):  # torch's hook for the accepted ranks: this one takes any
            pass

    return AnyRankBatchNorm(3)


def test_a_batch_norm_subclass_overriding_check_input_dim_decides_the_accepted_ranks_as_torch():
    x = np.random.default_rng(0).standard_normal((2, 3, 2, 2))
    ours, theirs = _any_rank(nn).double(), _any_rank(torch.nn).double()
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.running_var, theirs.running_var.numpy(), rtol=1e-12)

    class Strict(nn.BatchNorm2d):
        def _check_input_dim(self, input):
            raise LookupError(f"refused {input.shape}")

    with pytest.raises(LookupError, match="refused"):
        Strict(3).double()(Tensor(x))
    with pytest.raises(ValueError, match="BatchNorm1d"):  # the layers' own check, now in _check_input_dim
        nn.BatchNorm1d(3)._check_input_dim(Tensor(x))
