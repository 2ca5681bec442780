"""nn.utils.spectral_norm (torch's hook form) against torch.nn.utils.spectral_norm: the same parameter and buffer
names, the power iteration's vectors step by step, forward outputs and the gradient through sigma, eval mode, and
remove_spectral_norm's result."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")

PAIRS = {
    "linear": (lambda: nn.Linear(4, 3, dtype=np.float64), lambda: torch.nn.Linear(4, 3).double(), (5, 4), None),
    "conv": (
        lambda: nn.Conv2d(2, 3, 3, dtype=np.float64),
        lambda: torch.nn.Conv2d(2, 3, 3).double(),
        (2, 2, 5, 5),
        None,
    ),
    "conv_dim_2": (
        lambda: nn.Conv2d(2, 3, 3, dtype=np.float64),
        lambda: torch.nn.Conv2d(2, 3, 3).double(),
        (2, 2, 5, 5),
        2,
    ),
    "conv_transpose": (
        lambda: nn.ConvTranspose2d(2, 3, 3, dtype=np.float64),
        lambda: torch.nn.ConvTranspose2d(2, 3, 3).double(),
        (2, 2, 4, 4),
        None,
    ),
}


def _pair(case, n_power_iterations=1):
    make_ours, make_theirs, shape, dim = PAIRS[case]
    ours, theirs = make_ours(), make_theirs()
    with torch.no_grad():
        for name, parameter in theirs.named_parameters():
            ours.get_parameter(name).data[...] = parameter.numpy()
    nn.utils.spectral_norm(ours, n_power_iterations=n_power_iterations, dim=dim)
    torch.nn.utils.spectral_norm(theirs, n_power_iterations=n_power_iterations, dim=dim)
    ours.weight_u[...] = theirs.weight_u.numpy()  # the same start of the power iteration
    ours.weight_v[...] = theirs.weight_v.numpy()
    return ours, theirs, shape


@pytest.mark.parametrize("case", list(PAIRS))
def test_spectral_norm_hook_matches_torch_over_training_steps(case):
    ours, theirs, shape = _pair(case, n_power_iterations=2)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [name for name, _ in ours.named_buffers()] == [name for name, _ in theirs.named_buffers()]
    for name, value in theirs.state_dict().items():
        assert ours.state_dict()[name].shape == tuple(value.shape), name
    np.testing.assert_array_equal(ours.weight.data, theirs.weight.numpy())  # the raw weight until a forward
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.normal(size=shape)
        y_ours, y_theirs = ours(Tensor(x)), theirs(torch.from_numpy(x))
        np.testing.assert_allclose(y_ours.data, y_theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
        (y_ours**2).sum().backward()
        (y_theirs**2).sum().backward()
        np.testing.assert_allclose(ours.weight_u, theirs.weight_u.numpy(), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(ours.weight_v, theirs.weight_v.numpy(), rtol=1e-12, atol=1e-14)
    for name, parameter in theirs.named_parameters():
        np.testing.assert_allclose(ours.get_parameter(name).grad, parameter.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_spectral_norm_hook_in_eval_mode_keeps_u_and_v_and_the_gradient_goes_through_sigma():
    ours, theirs, shape = _pair("linear")
    ours.eval()
    theirs.eval()
    u = ours.weight_u.copy()
    x = np.random.default_rng(1).normal(size=shape)
    y_ours, y_theirs = ours(Tensor(x)), theirs(torch.from_numpy(x))
    np.testing.assert_allclose(y_ours.data, y_theirs.detach().numpy(), rtol=1e-12)
    np.testing.assert_array_equal(ours.weight_u, u)
    (y_ours**3).sum().backward()
    (y_theirs**3).sum().backward()
    np.testing.assert_allclose(ours.weight_orig.grad, theirs.weight_orig.grad.numpy(), rtol=1e-10)


def test_remove_spectral_norm_puts_back_the_normalised_weight_as_torch():
    ours, theirs, shape = _pair("conv")
    x = np.random.default_rng(2).normal(size=shape)
    ours(Tensor(x)), theirs(torch.from_numpy(x))
    nn.utils.remove_spectral_norm(ours)
    torch.nn.utils.remove_spectral_norm(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert isinstance(ours.weight, nn.Parameter)
    np.testing.assert_allclose(ours.weight.data, theirs.weight.detach().numpy(), rtol=1e-12)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        nn.utils.remove_spectral_norm(ours)


def test_spectral_norm_hook_refuses_as_torch():
    layer = nn.utils.spectral_norm(nn.Linear(3, 4))
    with pytest.raises(RuntimeError, match="two spectral_norm hooks"):
        nn.utils.spectral_norm(layer)
    with pytest.raises(ValueError, match="n_power_iterations"):
        nn.utils.spectral_norm(nn.Linear(3, 4), n_power_iterations=0)
    module = nn.Linear(3, 4)
    with pytest.raises(IndexError, match="dim 2 is out of range"):
        nn.utils.spectral_norm(module, dim=2)
    assert [name for name, _ in module.named_parameters()] == ["weight", "bias"]
