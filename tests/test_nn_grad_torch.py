"""nn.grad (torch.nn.grad, also nn.functional.grad): a convolution's input and weight gradients for a given output
gradient, against torch's, and their own gradients w.r.t. the operands they are computed from."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")

CASES = [
    (1, (2, 4, 9), (6, 2, 3), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}),
    (2, (2, 4, 9, 8), (6, 4, 3, 2), {"stride": (2, 1), "padding": 1}),
    (2, (2, 4, 9, 8), (4, 4, 3, 3), {"stride": 2}),
    (3, (1, 2, 5, 6, 5), (4, 1, 2, 3, 2), {"groups": 2, "stride": 2}),
]


def _output_shape(dims, input_shape, weight_shape, options):
    conv = getattr(torch.nn.functional, f"conv{dims}d")
    zeros = (torch.zeros(shape, dtype=torch.float64) for shape in (input_shape, weight_shape))
    return tuple(conv(*zeros, **options).shape)


def _check(ours, theirs, our_leaves, their_leaves, rng):
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), atol=1e-12)
    upstream = rng.standard_normal(ours.shape)
    ours.backward(upstream)
    theirs.backward(torch.tensor(upstream))
    for mine, reference in zip(our_leaves, their_leaves):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), atol=1e-12)


@pytest.mark.parametrize(("dims", "input_shape", "weight_shape", "options"), CASES)
def test_conv_input_gradient_and_its_gradients_match_torch(dims, input_shape, weight_shape, options):
    rng = np.random.default_rng(dims)
    arrays = [
        rng.standard_normal(weight_shape),
        rng.standard_normal(_output_shape(dims, input_shape, weight_shape, options)),
    ]
    our_leaves = [Tensor(a, requires_grad=True) for a in arrays]
    their_leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    name = f"conv{dims}d_input"
    ours = getattr(nn.grad, name)(input_shape, *our_leaves, **options)
    theirs = getattr(torch.nn.grad, name)(input_shape, *their_leaves, **options)
    _check(ours, theirs, our_leaves, their_leaves, rng)


@pytest.mark.parametrize(("dims", "input_shape", "weight_shape", "options"), CASES)
def test_conv_weight_gradient_and_its_gradients_match_torch(dims, input_shape, weight_shape, options):
    rng = np.random.default_rng(dims + 10)
    output_shape = _output_shape(dims, input_shape, weight_shape, options)
    arrays = [rng.standard_normal(input_shape), rng.standard_normal(output_shape)]
    our_leaves = [Tensor(a, requires_grad=True) for a in arrays]
    their_leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    name = f"conv{dims}d_weight"
    ours = getattr(nn.grad, name)(our_leaves[0], weight_shape, our_leaves[1], **options)
    theirs = getattr(torch.nn.grad, name)(their_leaves[0], weight_shape, their_leaves[1], **options)
    _check(ours, theirs, our_leaves, their_leaves, rng)


def test_conv_gradients_are_the_backward_of_the_convolution_under_no_grad_too():
    rng = np.random.default_rng(3)
    x = Tensor(rng.standard_normal((2, 3, 6, 6)), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    out = F.conv2d(x, w, padding=1)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    with autograd.no_grad():
        grad_input = F.grad.conv2d_input(x.shape, w.detach(), Tensor(upstream), padding=1)
        grad_weight = F.grad.conv2d_weight(x.detach(), w.shape, Tensor(upstream), padding=1)
    np.testing.assert_allclose(grad_input.data, x.grad, atol=1e-12)
    np.testing.assert_allclose(grad_weight.data, w.grad, atol=1e-12)


def test_conv_input_gradient_of_a_wrong_output_shape_is_a_runtime_error():
    weight, grad_output = np.ones((4, 4, 3, 3)), np.ones((2, 4, 5, 5))
    with pytest.raises(RuntimeError):
        torch.nn.grad.conv2d_input((2, 4, 8, 8), torch.tensor(weight), torch.tensor(grad_output))
    with pytest.raises(RuntimeError):
        nn.grad.conv2d_input((2, 4, 8, 8), Tensor(weight), Tensor(grad_output))
