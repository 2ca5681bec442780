"""nn.functional.conv_tbc (time-first 1-D convolution) against torch's: values, the gradients of input, weight
and bias, padding that crops or empties the output, and the errors for impossible shapes."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")


@pytest.mark.parametrize(
    ("steps", "pad", "taps"), [(7, 0, 3), (7, 1, 3), (6, 2, 1), (2, 0, 3), (7, -2, 3), (3, 4, 2), (0, 1, 3)]
)
def test_conv_tbc_values_and_gradients_match_torch(steps, pad, taps):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(shape) for shape in ((steps, 2, 3), (taps, 3, 4), (4,))]
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, expected = F.conv_tbc(*ours, pad), torch.nn.functional.conv_tbc(*theirs, pad)
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), atol=1e-12)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), atol=1e-12)


def test_conv_tbc_keeps_float32():
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(shape).astype(np.float32) for shape in ((5, 2, 3), (2, 3, 4), (4,))]
    out = F.conv_tbc(*map(Tensor, arrays), 1)
    expected = torch.nn.functional.conv_tbc(*map(torch.tensor, arrays), 1)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.data, expected.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("input_shape", "weight_shape", "bias_shape", "pad"),
    [
        ((6, 3), (3, 3, 4), (4,), 1),
        ((6, 2, 3), (3, 3, 4), (3,), 1),
        ((6, 2, 2), (3, 3, 4), (4,), 1),
        ((1, 2, 3), (3, 3, 4), (4,), 0),
    ],
)
def test_conv_tbc_impossible_shapes_raise_torchs_runtime_error(input_shape, weight_shape, bias_shape, pad):
    arrays = [np.ones(shape) for shape in (input_shape, weight_shape, bias_shape)]
    with pytest.raises(RuntimeError):
        torch.nn.functional.conv_tbc(*map(torch.tensor, arrays), pad)
    with pytest.raises(RuntimeError):
        F.conv_tbc(*map(Tensor, arrays), pad)


def test_conv_tbc_pad_must_be_an_int():
    arrays = [np.ones(shape) for shape in ((6, 2, 3), (3, 3, 4), (4,))]
    with pytest.raises(TypeError):
        F.conv_tbc(*map(Tensor, arrays), 1.0)
