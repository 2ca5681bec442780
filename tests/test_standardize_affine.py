"""Layer, group, batch and instance norm with their weight and bias as one ``standardize_affine`` node (torch's
native_layer_norm / native_group_norm / native_batch_norm): values, first and second derivatives against torch,
parameters given as plain arrays or not requiring grad, and float32 data far from 0."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor, grad

torch = pytest.importorskip("torch")
TF = torch.nn.functional

NORMS = {
    "layer_norm": ((4, 5, 6), (5, 6), F.layer_norm, TF.layer_norm, {"normalized_shape": (5, 6)}),
    "group_norm": ((3, 4, 5, 2), (4,), F.group_norm, TF.group_norm, {"num_groups": 2}),
    "batch_norm": ((6, 4, 5), (4,), F.batch_norm, TF.batch_norm, {"running_mean": None, "running_var": None}),
    "batch_norm_2d": ((7, 4), (4,), F.batch_norm, TF.batch_norm, {"running_mean": None, "running_var": None}),
    "instance_norm": ((3, 4, 5, 3), (4,), F.instance_norm, TF.instance_norm, {}),
}


def _call(function, x, weight, bias, options, training):
    if "running_mean" in options:
        return function(x, options["running_mean"], options["running_var"], weight, bias, training)
    if "normalized_shape" in options:
        return function(x, options["normalized_shape"], weight, bias)
    if "num_groups" in options:
        return function(x, options["num_groups"], weight, bias)
    return function(x, weight=weight, bias=bias)


def _arrays(name, dtype, seed=0):
    shape, parameter_shape = NORMS[name][:2]
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    weight, bias = (rng.standard_normal(parameter_shape).astype(dtype) for _ in range(2))
    return x, weight, bias, rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("name", list(NORMS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("given", ["both", "weight", "bias"])
def test_norms_with_parameters_are_one_node_whose_values_and_gradients_are_torchs(name, dtype, given):
    _, _, ours, theirs, options = NORMS[name]
    x, weight, bias, g = _arrays(name, dtype)
    weight, bias = (weight if given != "bias" else None), (bias if given != "weight" else None)
    ours_in = [Tensor(a, requires_grad=True) if a is not None else None for a in (x, weight, bias)]
    theirs_in = [torch.tensor(a, requires_grad=True) if a is not None else None for a in (x, weight, bias)]
    y = _call(ours, *ours_in, options, True)
    assert y.op.name == "standardize_affine" and y.dtype == dtype
    y.backward(g)
    theirs_weight = theirs_in[1]
    if name == "group_norm" and weight is None:
        # torch 2.13's backward of group_norm with a bias and no weight fails ("tensor does not have a device"):
        # its reference is torch's group_norm with a weight of ones, which is the same function
        theirs_weight = torch.ones(NORMS[name][1], dtype=theirs_in[0].dtype)
    expected = _call(theirs, theirs_in[0], theirs_weight, theirs_in[2], options, True)
    expected.backward(torch.tensor(g))
    tolerance = {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    np.testing.assert_allclose(y.data, expected.detach().numpy(), **tolerance)
    for mine, torchs in zip(ours_in, theirs_in):
        if mine is not None:
            assert mine.grad.dtype == dtype
            np.testing.assert_allclose(mine.grad, torchs.grad.numpy(), **tolerance)


@pytest.mark.parametrize("name", list(NORMS))
@pytest.mark.parametrize("with_bias", [True, False])
def test_second_derivatives_of_the_fused_norms_are_torchs(name, with_bias):
    _, _, ours, theirs, options = NORMS[name]
    x, weight, bias, g = _arrays(name, np.float64, seed=1)
    bias = bias if with_bias else None
    rng = np.random.default_rng(2)
    directions = [rng.standard_normal(a.shape) for a in (x, weight, bias) if a is not None]
    ours_in = [Tensor(a, requires_grad=True) for a in (x, weight, bias) if a is not None]
    y = _call(ours, *(ours_in + [None])[:3], options, True)
    firsts = grad(y, ours_in, grad_outputs=Tensor(g), create_graph=True)
    total = sum((first * Tensor(v)).sum() for first, v in zip(firsts, directions))
    seconds = grad(total, ours_in, allow_unused=True, materialize_grads=True)
    theirs_in = [torch.tensor(a, requires_grad=True) for a in (x, weight, bias) if a is not None]
    t_firsts = torch.autograd.grad(
        _call(theirs, *(theirs_in + [None])[:3], options, True), theirs_in, torch.tensor(g), create_graph=True
    )
    t_total = sum((first * torch.tensor(v)).sum() for first, v in zip(t_firsts, directions))
    t_seconds = torch.autograd.grad(t_total, theirs_in, allow_unused=True, materialize_grads=True)
    for mine, torchs in zip(seconds, t_seconds):
        np.testing.assert_allclose(np.asarray(mine.data), torchs.numpy(), rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("name", list(NORMS))
def test_parameters_given_as_arrays_or_not_requiring_grad_give_torchs_values_and_input_gradient(name):
    _, _, ours, theirs, options = NORMS[name]
    x, weight, bias, g = _arrays(name, np.float32, seed=3)
    expected_x = torch.tensor(x, requires_grad=True)
    expected = _call(theirs, expected_x, torch.tensor(weight), torch.tensor(bias), options, True)
    expected.backward(torch.tensor(g))
    for parameters in ((weight, bias), (Tensor(weight), Tensor(bias)), (Tensor(weight, requires_grad=True), bias)):
        x_in = Tensor(x, requires_grad=True)
        y = _call(ours, x_in, *parameters, options, True)
        y.backward(g)
        np.testing.assert_allclose(y.data, expected.detach().numpy(), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(x_in.grad, expected_x.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", list(NORMS))
def test_float32_data_far_from_zero_keeps_float64_accuracy_through_the_affine_step(name):
    _, _, ours, _, options = NORMS[name]
    x, weight, bias, g = _arrays(name, np.float64, seed=4)
    x = x + 12345.678
    x32 = Tensor(x.astype(np.float32), requires_grad=True)
    w32, b32 = (
        Tensor(weight.astype(np.float32), requires_grad=True),
        Tensor(bias.astype(np.float32), requires_grad=True),
    )
    y = _call(ours, x32, w32, b32, options, True)
    y.backward(g.astype(np.float32))
    x64 = Tensor(x.astype(np.float32).astype(np.float64), requires_grad=True)
    w64, b64 = (
        Tensor(weight.astype(np.float32).astype(np.float64), requires_grad=True),
        Tensor(bias.astype(np.float32).astype(np.float64), requires_grad=True),
    )
    reference = _call(ours, x64, w64, b64, options, True)
    reference.backward(g.astype(np.float32).astype(np.float64))
    np.testing.assert_allclose(y.data, reference.data, atol=2e-3)
    for mine, exact in ((x32, x64), (w32, w64), (b32, b64)):
        np.testing.assert_allclose(mine.grad, exact.grad, rtol=1e-3, atol=2e-3)


EVALUATION_SHAPES = {"1d": (16, 4), "2d": (6, 4, 5, 3), "3d": (3, 4, 2, 3, 2)}


def _evaluation_arrays(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(shape) * 3 + 1).astype(dtype)
    weight, bias, mean = (rng.standard_normal(shape[1]).astype(dtype) for _ in range(3))
    var = rng.uniform(0.5, 2.0, shape[1]).astype(dtype)
    return x, weight, bias, mean, var, rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("shape", list(EVALUATION_SHAPES.values()), ids=list(EVALUATION_SHAPES))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("given", ["both", "weight", "bias"])
def test_batch_norm_in_evaluation_is_one_node_whose_values_and_gradients_are_torchs(shape, dtype, given):
    x, weight, bias, mean, var, g = _evaluation_arrays(shape, dtype)
    weight, bias = (weight if given != "bias" else None), (bias if given != "weight" else None)
    ours_in = [Tensor(a, requires_grad=True) if a is not None else None for a in (x, weight, bias)]
    theirs_in = [torch.tensor(a, requires_grad=True) if a is not None else None for a in (x, weight, bias)]
    y = F.batch_norm(ours_in[0], mean.copy(), var.copy(), ours_in[1], ours_in[2], training=False)
    assert y.op.name == "affine_normalize" and y.dtype == dtype
    y.backward(g)
    expected = TF.batch_norm(theirs_in[0], torch.tensor(mean), torch.tensor(var), *theirs_in[1:], training=False)
    expected.backward(torch.tensor(g))
    tolerance = {"rtol": 1e-5, "atol": 1e-5} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    np.testing.assert_allclose(y.data, expected.detach().numpy(), **tolerance)
    for mine, torchs in zip(ours_in, theirs_in):
        if mine is not None:
            assert mine.grad.dtype == dtype
            np.testing.assert_allclose(mine.grad, torchs.grad.numpy(), **tolerance)


def test_batch_norm_in_evaluation_computes_only_the_gradients_asked_for_and_takes_arrays_as_parameters():
    x, weight, bias, mean, var, g = _evaluation_arrays((6, 4, 5), np.float32, seed=1)
    expected_x = torch.tensor(x, requires_grad=True)
    expected = TF.batch_norm(
        expected_x, torch.tensor(mean), torch.tensor(var), torch.tensor(weight), torch.tensor(bias), training=False
    )
    expected.backward(torch.tensor(g))
    for parameters in ((weight, bias), (Tensor(weight), Tensor(bias)), (Tensor(weight, requires_grad=True), bias)):
        x_in = Tensor(x, requires_grad=True)
        y = F.batch_norm(x_in, mean, var, *parameters, training=False)
        y.backward(g)
        np.testing.assert_allclose(y.data, expected.detach().numpy(), rtol=1e-5, atol=1e-5)
        np.testing.assert_allclose(x_in.grad, expected_x.grad.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("with_bias", [True, False])
def test_second_derivatives_of_batch_norm_in_evaluation_are_torchs(with_bias):
    x, weight, bias, mean, var, g = _evaluation_arrays((5, 3, 4), np.float64, seed=2)
    bias = bias if with_bias else None
    rng = np.random.default_rng(3)
    leaves = [a for a in (x, weight, bias) if a is not None]
    directions = [rng.standard_normal(a.shape) for a in leaves]
    ours_in = [Tensor(a, requires_grad=True) for a in leaves]
    y = F.batch_norm(ours_in[0], mean, var, *(ours_in[1:] + [None])[:2], training=False)
    firsts = grad(y, ours_in, grad_outputs=Tensor(g), create_graph=True)
    total = sum((first * Tensor(v)).sum() for first, v in zip(firsts, directions))
    seconds = grad(total, ours_in, allow_unused=True, materialize_grads=True)
    theirs_in = [torch.tensor(a, requires_grad=True) for a in leaves]
    expected = TF.batch_norm(
        theirs_in[0], torch.tensor(mean), torch.tensor(var), *(theirs_in[1:] + [None])[:2], training=False
    )
    t_firsts = torch.autograd.grad(expected, theirs_in, torch.tensor(g), create_graph=True)
    t_total = sum((first * torch.tensor(v)).sum() for first, v in zip(t_firsts, directions))
    t_seconds = torch.autograd.grad(t_total, theirs_in, allow_unused=True, materialize_grads=True)
    for mine, torchs in zip(firsts + seconds, list(t_firsts) + list(t_seconds)):
        np.testing.assert_allclose(np.asarray(mine.data), torchs.detach().numpy(), rtol=1e-9, atol=1e-10)


def test_batch_norm_in_evaluation_weight_gradient_of_float32_data_far_from_zero_centres_before_summing():
    # d/dweight = sum(g (x - mean)) / sqrt(var + eps): with x and the running mean near 12345, summing g x and
    # subtracting mean sum(g) would lose about four digits more than float32 rounding; compared with float64
    x, weight, bias, mean, var, g = _evaluation_arrays((64, 4, 32), np.float64, seed=4)
    x, mean = x + 12345.678, mean + 12345.678
    x, weight, bias, mean, var, g = (a.astype(np.float32) for a in (x, weight, bias, mean, var, g))
    w32 = Tensor(weight, requires_grad=True)
    F.batch_norm(Tensor(x), mean, var, w32, Tensor(bias), training=False).backward(g)
    exact = np.einsum("ncm,ncm->c", g.astype(np.float64), x.astype(np.float64) - mean.astype(np.float64)[:, None])
    exact /= np.sqrt(var.astype(np.float64) + 1e-5)
    np.testing.assert_allclose(w32.grad, exact, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("name", list(NORMS))
@pytest.mark.parametrize("location, spread", [(1e4, 1e-2), (-3e3, 0.1), (1e5, 1.0)])
def test_float32_data_with_a_large_mean_and_a_small_spread_matches_float64_torch_within_float32_tolerances(
    name, location, spread
):
    # a naive E[x^2] - E[x]^2, or x minus the mean rounded to float32 (half an ulp of 1e4 is 5e-4, a twentieth of
    # the spread), is off by percents here; the reference is torch in float64 on the same float32 data
    _, _, ours, theirs, options = NORMS[name]
    x, weight, bias, g = _arrays(name, np.float32, seed=5)
    x = (location + spread * x.astype(np.float64)).astype(np.float32)
    leaves = [Tensor(array, requires_grad=True) for array in (x, weight, bias)]
    y = _call(ours, *leaves, options, True)
    y.backward(g)
    exact = [torch.tensor(array.astype(np.float64), requires_grad=True) for array in (x, weight, bias)]
    expected = _call(theirs, *exact, options, True)
    expected.backward(torch.tensor(g.astype(np.float64)))
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.data, expected.detach().numpy(), rtol=1e-5, atol=1e-5)
    for mine, reference in zip(leaves, exact):
        scale = np.abs(reference.grad.numpy()).max()
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-5, atol=1e-5 * scale)
