"""Softmax, LogSoftmax and Softmin (modules and functional) without an axis pick torch's implicit dim:
0 for 0-D, 1-D and 3-D inputs, else 1, with torch's deprecation warning; ``dim=None`` is accepted."""

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

SHAPES = [(), (5,), (3, 4), (2, 3, 4), (2, 3, 4, 5)]
NAMES = ["softmax", "log_softmax", "softmin"]
MODULES = {"softmax": "Softmax", "log_softmax": "LogSoftmax", "softmin": "Softmin"}


def _input(shape):
    return np.random.default_rng(len(shape)).standard_normal(shape)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", NAMES)
def test_functional_softmax_without_axis_matches_torch_implicit_dim(name, shape):
    torch = pytest.importorskip("torch")
    x = _input(shape)
    with pytest.warns(UserWarning, match=f"Implicit dimension choice for {name} has been deprecated"):
        ours = getattr(F, name)(Tensor(x)).data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(torch.nn.functional, name)(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", NAMES)
def test_softmax_module_without_dim_matches_torch_and_warns_at_the_caller(name, shape):
    torch = pytest.importorskip("torch")
    x = _input(shape)
    module = getattr(nn, MODULES[name])()
    with pytest.warns(UserWarning, match="Implicit dimension choice") as caught:
        ours = module(Tensor(x)).data
    assert caught[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = getattr(torch.nn, MODULES[name])()(torch.tensor(x)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_dim_none_is_accepted_and_shown_as_torch(name):
    torch = pytest.importorskip("torch")
    cls = MODULES[name]
    assert repr(getattr(nn, cls)(dim=None)) == repr(getattr(torch.nn, cls)(dim=None)) == f"{cls}(dim=None)"
    assert getattr(nn, cls)().dim is None
    with pytest.warns(UserWarning):
        getattr(F, name)(np.ones((2, 3)), dim=None)


def test_explicit_axis_or_dim_gives_no_warning_and_keeps_numpy_spelling():
    x = _input((2, 3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        by_axis = F.softmax(x, axis=-1).data
        by_dim = F.softmax(x, dim=-1).data
        by_module = nn.Softmax(axis=-1)(x).data
    np.testing.assert_allclose(by_axis.sum(axis=-1), 1.0)
    np.testing.assert_array_equal(by_axis, by_dim)
    np.testing.assert_array_equal(by_axis, by_module)


def test_axis_and_dim_together_are_still_a_type_error():
    with pytest.raises(TypeError, match="got both axis=0 and dim=1"):
        nn.Softmax(0, dim=1)
    with pytest.raises(TypeError, match="got both axis=0 and dim=1"):
        F.log_softmax(np.ones((2, 3)), 0, dim=1)


def test_implicit_dim_softmax_has_torch_gradient_on_a_3d_input():
    torch = pytest.importorskip("torch")
    x = _input((2, 3, 4))
    seed = np.random.default_rng(1).standard_normal(x.shape)
    ours = Tensor(x, requires_grad=True)
    theirs = torch.tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (F.log_softmax(ours) * seed).sum().backward()
        (torch.nn.functional.log_softmax(theirs) * torch.tensor(seed)).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_a_scalar_softmax_is_one_as_torch():
    np.testing.assert_array_equal(F.softmax(Tensor(np.array(3.0)), 0).data, 1.0)
    np.testing.assert_array_equal(F.log_softmax(Tensor(np.array(3.0)), -1).data, 0.0)
    with pytest.raises(ValueError, match="softmax: axis"):
        F.softmax(Tensor(np.array(3.0)), 1)
