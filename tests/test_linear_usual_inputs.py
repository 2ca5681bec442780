"""nn.Linear's usual inputs (a Tensor or an array of the layer's dtype) skip the checks the other inputs go
through: the values, the gradients (against finite differences in float64 and a hand-derived formula), the
shared input array and the errors must be those of the checked path."""

import warnings

import numpy as np
import pytest

import nn
from autograd import ShapeError, Tensor, gradcheck, no_grad
from autograd.tensor_functions import plain_linear
from nn.module import DtypeMismatchError


def _layer(bias=True, dtype=np.float64, seed=0):
    layer = nn.Linear(5, 3, bias=bias, rng=seed)
    return layer.double() if dtype == np.float64 else layer


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("relu", [False, True])
@pytest.mark.parametrize("as_tensor", [False, True])
def test_values_and_gradients_are_the_formulas(bias, relu, as_tensor):
    layer = _layer(bias)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 5))
    upstream = rng.standard_normal((4, 3))
    out = (layer.forward_relu if relu else layer.forward)(Tensor(x, requires_grad=True) if as_tensor else x)
    z = x @ layer.weight.data.T + (layer.bias.data if bias else 0)
    expected = np.maximum(z, 0) if relu else z
    np.testing.assert_allclose(out.data, expected, rtol=1e-13)
    out.backward(upstream)
    g = upstream * (z > 0) if relu else upstream
    np.testing.assert_allclose(layer.weight.grad, g.T @ x, rtol=1e-12)
    if bias:
        np.testing.assert_allclose(layer.bias.grad, g.sum(axis=0), rtol=1e-12)


@pytest.mark.parametrize("relu", [False, True])
def test_gradients_match_finite_differences(relu):
    layer = _layer()
    x = Tensor(np.random.default_rng(2).standard_normal((2, 3, 5)) + 0.5, requires_grad=True)
    forward = layer.forward_relu if relu else layer.forward
    assert gradcheck(lambda x, w, b: forward(x), [x, layer.weight, layer.bias])


def test_an_array_input_is_shared_not_copied():
    layer = _layer()
    x = np.random.default_rng(3).standard_normal((2, 5))
    out = layer(x)
    (x_node,) = [p for p in out.grad_fn.node.parents if p._data is x]
    assert np.shares_memory(x_node.data, x)


def test_float32_layer_gives_float32_and_no_warning_on_overflow():
    layer = nn.Linear(2, 1, rng=0)
    layer.weight.data[...] = 1.0  # 3e38 + 3e38 overflows float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = layer(np.full((1, 2), 3e38, dtype=np.float32))
    assert out.dtype == np.float32
    assert not np.isfinite(out.data).any()


def test_other_inputs_take_the_checked_path_and_its_errors():
    layer = nn.Linear(5, 3, rng=0)  # float32
    assert plain_linear(np.zeros((2, 5)), layer.weight, layer.bias) is None  # float64 input
    with pytest.raises(DtypeMismatchError, match="input dtype float64"):
        layer(np.zeros((2, 5)))
    with pytest.raises(ShapeError, match="in_features=5"):
        layer(np.zeros((2, 4), dtype=np.float32))
    assert plain_linear(np.zeros((2, 4), dtype=np.float32), layer.weight, layer.bias) is None
    with pytest.raises(ShapeError):
        layer(np.float32(1.0))
    out = layer([[0.0, 1.0, 2.0, 3.0, 4.0]])  # a list takes the layer's dtype
    assert out.dtype == np.float32 and out.shape == (1, 3)
    big_endian = np.zeros((2, 5), dtype=">f4")
    assert plain_linear(big_endian, layer.weight, layer.bias) is None
    np.testing.assert_array_equal(layer(big_endian).data, layer(np.zeros((2, 5), dtype=np.float32)).data)


def test_a_weight_whose_data_was_replaced_by_a_tensor_computes_with_that_tensors_array():
    layer = nn.Linear(2, 2, rng=0)
    replacement = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32))
    layer.weight.data = replacement  # torch's p.data = other: the weight now holds that array, shared
    assert np.shares_memory(layer.weight.data, replacement.data)
    out = layer(np.ones((1, 2), dtype=np.float32))
    np.testing.assert_allclose(out.numpy(), [[3.0, 7.0]] + layer.bias.numpy(), rtol=1e-6)


def test_no_grad_records_nothing():
    layer = _layer()
    with no_grad():
        out = layer(np.ones((1, 5)))
    assert out.grad_fn is None and not out.requires_grad
