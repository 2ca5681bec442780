"""nn.RMSNorm takes any real eps, a negative one too, as torch's layer (and F.rms_norm) do: x / sqrt(mean(x^2) + eps),
finite while mean(x^2) + eps > 0 and nan past that."""

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck

torch = pytest.importorskip("torch")


def _layers(eps):
    ours = nn.RMSNorm(3, eps=eps, dtype=np.float64)
    theirs = torch.nn.RMSNorm(3, eps=eps, dtype=torch.float64)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor([0.5, -1.0, 2.0]))
    ours.weight.data[...] = [0.5, -1.0, 2.0]
    return ours, theirs


@pytest.mark.parametrize("eps", [-1e-6, -0.5])
def test_rms_norm_layer_takes_a_negative_eps_as_torchs(eps):
    ours, theirs = _layers(eps)
    assert repr(ours) == repr(theirs)
    x = np.array([[1.0, 2.0, 3.0], [1e-4, 0.0, 0.0], [-2.0, 0.5, 1.5]])
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        out = ours(Tensor(x, requires_grad=True))
    expected = theirs(torch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, equal_nan=True)
    assert np.isnan(out.numpy()[1]).all()  # mean(x^2) + eps < 0 there


def test_rms_norm_layer_gradient_with_a_negative_eps_matches_finite_differences_and_torch():
    ours, theirs = _layers(-0.5)
    x = np.array([[1.0, 2.0, 3.0], [-2.0, 0.5, 1.5]])
    assert gradcheck(lambda a: ours(a), (Tensor(x, requires_grad=True),))
    mine, reference = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ours(mine).sum().backward()
    theirs(reference).sum().backward()
    np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), rtol=1e-10)
