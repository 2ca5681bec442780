"""nn.optim.SparseAdam against torch.optim.SparseAdam on ``Embedding(sparse=True)``: torch's sparse gradient lists
the looked-up rows, ours is dense and the rows it touches are read from it; the trajectories, moments and step
counts agree, and the rows never looked up (the padding row too) keep their weights and moments."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")

DTYPES = {np.float64: torch.float64, np.float32: torch.float32}


def _embeddings(dtype):
    torch.manual_seed(0)
    theirs = torch.nn.Embedding(10, 4, sparse=True, padding_idx=0).to(DTYPES[dtype])
    ours = nn.Embedding(10, 4, sparse=True, padding_idx=0)
    ours.weight.data = theirs.weight.detach().numpy().copy()
    return ours, theirs


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "options", [{}, {"lr": 0.1, "betas": (0.5, 0.9)}, {"maximize": True, "eps": 1e-3}], ids=["default", "fast", "max"]
)
def test_sparse_adam_on_a_sparse_embedding_follows_torchs(options, dtype):
    ours, theirs = _embeddings(dtype)
    our_optimizer, torch_optimizer = (
        nn.optim.SparseAdam(ours.parameters(), **options),
        torch.optim.SparseAdam(theirs.parameters(), **options),
    )
    rng = np.random.default_rng(0)
    untouched = theirs.weight.detach().numpy()[7:].copy()
    for _ in range(20):
        indices, weights = rng.integers(0, 7, size=(3, 2)), rng.standard_normal((3, 2, 4))  # rows 7-9 never looked up
        our_optimizer.zero_grad()
        torch_optimizer.zero_grad()
        (ours(Tensor(indices)) * weights.astype(dtype)).sum().backward()
        (theirs(torch.tensor(indices)) * torch.tensor(weights, dtype=DTYPES[dtype])).sum().backward()
        our_optimizer.step()
        torch_optimizer.step()
    tolerance = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-13, "atol": 1e-15}
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), **tolerance)
    assert ours.weight.data.dtype == dtype
    np.testing.assert_array_equal(ours.weight.data[7:], untouched)
    our_state, torch_state = our_optimizer.state[ours.weight], torch_optimizer.state[theirs.weight]
    assert our_state["step"] == torch_state["step"] == 20
    for key in ("exp_avg", "exp_avg_sq"):
        np.testing.assert_allclose(our_state[key], torch_state[key].numpy(), **tolerance)
        assert not our_state[key][7:].any()


def test_sparse_adam_state_dicts_cross_between_torch_and_ours():
    ours, theirs = _embeddings(np.float64)
    our_optimizer, torch_optimizer = nn.optim.SparseAdam(ours.parameters()), torch.optim.SparseAdam(theirs.parameters())
    indices = np.array([[1, 2], [2, 5]])
    torch_optimizer.zero_grad()
    theirs(torch.tensor(indices)).sum().backward()
    torch_optimizer.step()
    ours.weight.data = theirs.weight.detach().numpy().copy()
    our_optimizer.load_state_dict(torch_optimizer.state_dict())
    for _ in range(3):
        our_optimizer.zero_grad()
        torch_optimizer.zero_grad()
        (ours(Tensor(indices)) ** 2).sum().backward()
        (theirs(torch.tensor(indices)) ** 2).sum().backward()
        our_optimizer.step()
        torch_optimizer.step()
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-13, atol=1e-15)
    assert repr(our_optimizer) == repr(torch_optimizer)


@pytest.mark.parametrize(
    "options", [{"lr": 0}, {"lr": -1.0}, {"eps": 0}, {"betas": (1.0, 0.9)}], ids=["lr0", "lr-1", "eps0", "beta1"]
)
def test_sparse_adam_refuses_torchs_bad_options(options):
    with pytest.raises(ValueError):
        torch.optim.SparseAdam([torch.zeros(2, requires_grad=True)], **options)
    with pytest.raises(ValueError, match="SparseAdam"):
        nn.optim.SparseAdam([nn.Parameter(np.zeros(2))], **options)


def test_sparse_adam_moves_a_0d_parameter_with_a_gradient_and_counts_a_zero_gradients_step():
    parameter = nn.Parameter(np.array(1.0))
    optimizer = nn.optim.SparseAdam([parameter], lr=0.1)
    parameter.grad = np.array(0.0)
    optimizer.step()  # nothing touched: the step is counted, nothing moves
    assert parameter.data == 1.0 and optimizer.state[parameter]["step"] == 1
    parameter.grad = np.array(2.0)
    optimizer.step()
    expected = 1.0 - 0.1 * np.sqrt(1 - 0.999**2) / (1 - 0.9**2) * 0.2 / (np.sqrt(0.004) + 1e-8)
    assert parameter.data == pytest.approx(expected, rel=1e-12)
