"""Ops on medium-sized inputs (1e5-1e6 entries) give torch's values and gradients. Each op here was once
pathologically slow on such inputs (a tuple of index arrays given to np.ufunc.at, a search per entry, a Python loop
over rows or windows, a dense matrix where a band suffices) and now takes another path there (long axes resized
through banded weights, kthvalue by partition, ...); its commit gives the times before and after, measured by
hand (speed is not asserted in tests)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from torch_oracle import torch

import autograd as ag
import nn.functional


def _forward_backward(lib: Any, call: Callable[..., Any], arrays: list[np.ndarray], integers: list[np.ndarray]):
    """``call``'s output, and the gradients of the weighted sum of it, for ``lib`` (ag or torch)."""
    weights = np.random.default_rng(1)

    def run():
        leaves = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = call(lib, *leaves, *[lib.tensor(i) for i in integers])
        out = out[0] if isinstance(out, tuple) else out
        seed = lib.tensor(weights.standard_normal(tuple(out.shape)).astype(arrays[0].dtype))
        (out * seed).sum().backward()
        return out, [leaf.grad for leaf in leaves]

    return run


def _numpy(x: Any) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x.data)


def rng() -> np.random.Generator:
    return np.random.default_rng(0)


def check_values(call, arrays, integers=(), *, rtol=1e-6, atol=1e-6):
    """``call(lib, *float_leaves, *integer_tensors)`` here and in torch: the same values and gradients."""
    ours = _forward_backward(ag, call, arrays, list(integers))
    theirs = _forward_backward(torch, call, arrays, list(integers))
    (our_out, our_grads), (their_out, their_grads) = ours(), theirs()
    np.testing.assert_allclose(_numpy(our_out), _numpy(their_out), rtol=rtol, atol=atol, err_msg="value")
    for our_grad, their_grad in zip(our_grads, their_grads):
        np.testing.assert_allclose(_numpy(our_grad), _numpy(their_grad), rtol=rtol, atol=atol, err_msg="grad")


def functional(lib: Any) -> Any:
    """``nn.functional`` of ``lib``: ours for autograd, torch's for torch."""
    return nn.functional if lib is ag else torch.nn.functional


@pytest.mark.parametrize("reduce", ["prod", "amax"])
def test_scatter_reduce_of_a_million_entries_gives_torchs_values_and_gradients(reduce):
    random = rng()
    x = random.uniform(0.5, 1.5, (1000, 1000)).astype(np.float32)
    x[:, ::97] = 1.0  # ties with self for amax/amin
    index = random.integers(0, 1000, (1000, 1000))
    check_values(
        lambda lib, a, s, i: a.scatter_reduce(1, i, s, reduce),
        [x, x[::-1].copy()],
        [index],
        rtol=1e-5,
        atol=1e-5,
    )


def test_multilabel_margin_loss_of_a_few_labels_in_many_classes_gives_torchs_values_and_gradients():
    random = rng()
    scores = random.standard_normal((2000, 200)).astype(np.float32)
    labels = random.integers(0, 200, (2000, 200))
    target = np.where(np.arange(200) < random.integers(0, 8, (2000, 1)), labels, -1)  # up to 7 labels, then -1
    check_values(
        lambda lib, x, t: functional(lib).multilabel_margin_loss(x, t, reduction="none"),
        [scores],
        [target],
        rtol=1e-5,
        atol=1e-5,
    )


def test_multivariate_normal_log_prob_of_many_samples_gives_torchs_values_and_gradients():
    random = rng()
    root = random.standard_normal((32, 32))
    scale_tril = np.linalg.cholesky(root @ root.T + 32 * np.eye(32)).astype(np.float32)
    samples = random.standard_normal((10_000, 32)).astype(np.float32)

    def log_prob(lib, loc, tril, value):
        return lib.distributions.MultivariateNormal(loc, scale_tril=tril).log_prob(value)

    check_values(log_prob, [np.zeros(32, np.float32), scale_tril, samples], rtol=1e-4, atol=1e-4)


def test_kthvalue_of_a_million_entries_gives_torchs_values_and_gradients():
    x = rng().standard_normal(1_000_000).astype(np.float32)
    check_values(lambda lib, a: lib.kthvalue(a, 1000), [x])


@pytest.mark.parametrize(
    "resize",
    [
        lambda lib, x: functional(lib).interpolate(x, scale_factor=2, mode="linear"),
        lambda lib, x: functional(lib).interpolate(x, scale_factor=0.7, mode="linear"),
        lambda lib, x: functional(lib).adaptive_avg_pool1d(x, 3000),
    ],
    ids=["linear_up", "linear_down", "adaptive_avg_pool1d"],
)
def test_resizing_a_long_axis_gives_torchs_values_and_gradients(resize):
    # the weights form a band: the (size, length) matrix is 2e8 entries here, its band 1e5
    check_values(resize, [rng().standard_normal((8, 4, 10_000))], rtol=1e-9, atol=1e-12)
