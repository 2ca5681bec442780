"""torch's igamma / igammac spellings (module functions, Tensor methods and their in-place forms) and the in-place
ldexp_ and nextafter_, against torch."""

import numpy as np
import pytest

import autograd as L

torch = pytest.importorskip("torch")

A = np.array([0.5, 2.0, 3.0, 40.0])
X = np.array([0.3, 1.0, 4.5, 38.0])


@pytest.mark.parametrize("name", ["igamma", "igammac"])
def test_igamma_and_igammac_match_torch_as_functions_methods_and_in_place(name):
    x = L.tensor(X.copy(), requires_grad=True)
    their_x = torch.tensor(X, requires_grad=True)
    ours, theirs = getattr(L, name)(L.tensor(A), x), getattr(torch, name)(torch.tensor(A), their_x)
    # (rtol 5e-9: torch's own values are up to ~2e-9 off the exact ones for a in the tens: see
    # test_special_incomplete_gamma, which checks ours against mpmath's to 5e-15)
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=5e-9)
    np.testing.assert_allclose(getattr(L.tensor(A), name)(L.tensor(X)).numpy(), theirs.detach().numpy(), rtol=5e-9)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(x.grad, their_x.grad.numpy(), rtol=1e-12)
    in_place, their_in_place = L.tensor(A), torch.tensor(A)
    assert getattr(in_place, name + "_")(L.tensor(X)) is in_place
    getattr(their_in_place, name + "_")(torch.tensor(X))
    np.testing.assert_allclose(in_place.numpy(), their_in_place.numpy(), rtol=5e-9)


@pytest.mark.parametrize("name", ["igamma_", "igammac_"])
def test_igamma_in_place_refuses_an_integer_tensor_and_the_derivative_in_self_as_torch(name):
    with pytest.raises(RuntimeError):
        getattr(torch.tensor([2, 3]), name)(torch.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError):
        getattr(L.tensor([2, 3]), name)(L.tensor([1.0, 2.0]))
    a = L.tensor([2.0, 3.0], requires_grad=True)
    shifted = a * 1
    getattr(shifted, name)(L.tensor([1.0, 2.0]))
    with pytest.raises(NotImplementedError, match="first argument"):
        shifted.sum().backward()


def test_ldexp_and_nextafter_in_place_match_torch():
    values = np.array([1.0, -2.5, 0.0, 3e-310])
    ours, theirs = L.tensor(values), torch.tensor(values)
    assert ours.ldexp_(L.tensor([1, -3, 5, 60])) is ours
    theirs.ldexp_(torch.tensor([1, -3, 5, 60]))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert L.ldexp_(ours, L.tensor([2, 2, 2, 2])) is ours
    torch.ldexp_(theirs, torch.tensor([2, 2, 2, 2]))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    ours, theirs = L.tensor(values), torch.tensor(values)
    assert ours.nextafter_(L.tensor([2.0, -3.0, -1.0, 0.0])) is ours
    theirs.nextafter_(torch.tensor([2.0, -3.0, -1.0, 0.0]))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
