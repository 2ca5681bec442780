"""Depthwise convolution (one input channel per group, C_out = m C_in) runs as k*k shifted products: its values
and gradients equal the grouped matrix-product path's, finite differences (float64) and torch's."""

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck
from autograd.derivatives import conv as cv

GEOMETRIES = [
    {"stride": 1, "padding": 1, "dilation": 1},
    {"stride": 2, "padding": 0, "dilation": 1},
    {"stride": (2, 1), "padding": (1, 2), "dilation": (1, 2)},
]


def _grouped_by_matrix_products(monkeypatch):
    """Make conv2d and its rules take the general grouped path (the reference)."""
    monkeypatch.setattr(cv, "is_depthwise", lambda weight_shape, groups: False)


@pytest.mark.parametrize("geometry", GEOMETRIES)
@pytest.mark.parametrize("multiplier", [1, 2])
def test_values_and_gradients_equal_the_grouped_matrix_product_path(geometry, multiplier, monkeypatch):
    rng = np.random.default_rng(0)
    x_data = rng.standard_normal((2, 3, 7, 8))
    w_data = rng.standard_normal((3 * multiplier, 1, 3, 3))
    b_data = rng.standard_normal(3 * multiplier)

    def run():
        x, w, b = (Tensor(a, requires_grad=True) for a in (x_data, w_data, b_data))
        out = F.conv2d(x, w, b, groups=3, **geometry)
        upstream = np.random.default_rng(1).standard_normal(out.shape)
        (out * upstream).sum().backward()
        return out.data, x.grad, w.grad, b.grad

    calls = []
    for name in ("depthwise_forward", "depthwise_input_gradient", "depthwise_weight_gradient"):
        original = getattr(cv, name)
        monkeypatch.setattr(cv, name, lambda *a, _f=original, _n=name, **k: calls.append(_n) or _f(*a, **k))
    ours = run()
    assert sorted(calls) == ["depthwise_forward", "depthwise_input_gradient", "depthwise_weight_gradient"]
    _grouped_by_matrix_products(monkeypatch)
    reference = run()
    for got, expected in zip(ours, reference):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("geometry", GEOMETRIES[1:])
def test_first_and_second_derivatives_match_finite_differences(geometry):
    rng = np.random.default_rng(2)
    x = Tensor(rng.standard_normal((1, 2, 6, 6)), requires_grad=True)
    w = Tensor(rng.standard_normal((4, 1, 2, 3)), requires_grad=True)
    assert gradcheck(lambda x, w: F.conv2d(x, w, groups=2, **geometry), [x, w])
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, groups=2, **geometry), [x, w])


def test_float32_depthwise_layer_matches_torch():
    torch = pytest.importorskip("torch")
    import nn

    layer = nn.Conv2d(8, 16, 3, padding=1, groups=8, stride=2)
    theirs = torch.nn.Conv2d(8, 16, 3, padding=1, groups=8, stride=2)
    with torch.no_grad():
        theirs.weight.copy_(torch.from_numpy(layer.weight.data))
        theirs.bias.copy_(torch.from_numpy(layer.bias.data))
    x = np.random.default_rng(3).standard_normal((4, 8, 9, 9)).astype(np.float32)
    ours_x, their_x = Tensor(x, requires_grad=True), torch.from_numpy(x).requires_grad_()
    ours_out, their_out = layer(ours_x), theirs(their_x)
    assert ours_out.dtype == np.float32
    (ours_out * ours_out).sum().backward()
    (their_out * their_out).sum().backward()
    np.testing.assert_allclose(ours_out.data, their_out.detach().numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(ours_x.grad, their_x.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layer.weight.grad, theirs.weight.grad.numpy(), rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("multiplier", [1, 2])
def test_an_empty_batch_gives_zero_weight_and_bias_gradients(multiplier):
    # as torch's: nothing reaches the weights from no samples (the weight rule's reshape could not infer m from 0 entries)
    x = Tensor(np.zeros((0, 3, 5, 5)), requires_grad=True)
    weight = Tensor(np.random.default_rng(0).standard_normal((3 * multiplier, 1, 3, 3)), requires_grad=True)
    bias = Tensor(np.ones(3 * multiplier), requires_grad=True)
    out = F.conv2d(x, weight, bias, padding=1, groups=3)
    assert out.shape == (0, 3 * multiplier, 5, 5)
    out.sum().backward()
    assert x.grad.shape == x.shape
    np.testing.assert_array_equal(weight.grad, np.zeros(weight.shape))
    np.testing.assert_array_equal(bias.grad, np.zeros(bias.shape))


@pytest.mark.parametrize("geometry", GEOMETRIES)
@pytest.mark.parametrize("multiplier", [1, 2])
def test_a_batch_run_a_few_samples_at_a_time_matches_torch(geometry, multiplier, monkeypatch):
    # the forward and input gradient pass over chunks of samples: 5 samples of 3x7x8 in chunks of 2-4, the last short
    torch = pytest.importorskip("torch")
    monkeypatch.setattr(cv, "_DEPTHWISE_CHUNK_BYTES", 2 * 3 * multiplier * 9 * 10 * 8)
    rng = np.random.default_rng(4)
    arrays = [rng.standard_normal((5, 3, 7, 8)), rng.standard_normal((3 * multiplier, 1, 3, 3))]
    ours = [Tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = F.conv2d(*ours, groups=3, **geometry)
    expected = torch.nn.functional.conv2d(*theirs, groups=3, **geometry)
    upstream = rng.standard_normal(out.shape)
    out.backward(upstream)
    expected.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    for mine, reference in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-12, atol=1e-12)
