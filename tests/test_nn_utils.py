"""nn.utils: torch's clip_grad_norm_/clip_grad_value_ where ported loops call them (the total norm answers
.item()), parameters_to_vector and vector_to_parameters, against torch."""

from __future__ import annotations

import numpy as np
import pytest

import nn


def _pair(torch):
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    grads = [rng.normal(size=(3, 2)) * 3, rng.normal(size=4) * 3]
    ours = [nn.Parameter(a) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    for mine, reference, grad in zip(ours, theirs, grads):
        mine.grad = grad.copy()
        reference.grad = torch.tensor(grad)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_clip_grad_norm_is_reached_from_nn_utils_and_returns_torchs_total_norm(norm_type):
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch)
    total = nn.utils.clip_grad_norm_(ours, 1.5, norm_type=norm_type, foreach=True)
    expected = torch.nn.utils.clip_grad_norm_(theirs, 1.5, norm_type=norm_type, foreach=False)
    assert total.item() == pytest.approx(expected.item(), rel=1e-12) and isinstance(total, float)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-12)


def test_clip_grad_value_is_reached_from_nn_utils():
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch)
    nn.utils.clip_grad_value_(ours, 0.5, foreach=None)
    torch.nn.utils.clip_grad_value_(theirs, 0.5)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_array_equal(mine.grad, reference.grad.numpy())
    with pytest.raises(TypeError, match="clip_grad_value_: foreach must be None, True or False"):
        nn.utils.clip_grad_value_(ours, 0.5, foreach="no")


def test_parameters_to_vector_and_back_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = _pair(torch)
    vector = nn.utils.parameters_to_vector(ours)
    np.testing.assert_array_equal(vector.data, torch.nn.utils.parameters_to_vector(theirs).detach().numpy())
    for parameter in ours:
        parameter.grad = None
    (vector * np.arange(10.0)).sum().backward()
    np.testing.assert_array_equal(ours[1].grad, np.arange(6.0, 10.0))
    new = np.linspace(-1, 1, 10)
    nn.utils.vector_to_parameters(nn.Parameter(new), ours)
    torch.nn.utils.vector_to_parameters(torch.tensor(new), theirs)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_array_equal(mine.data, reference.detach().numpy())
    with pytest.raises(ValueError, match="vector_to_parameters: the vector has 3 entries, the parameters hold 10"):
        nn.utils.vector_to_parameters(nn.Parameter(np.zeros(3)), ours)
