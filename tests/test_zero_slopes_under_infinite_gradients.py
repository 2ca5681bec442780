"""Where an op's slope is 0 (relu below 0, clamp beyond its bounds, floor everywhere), its gradient is 0 even when the
gradient reaching it is infinite or nan, as torch's: a product g * 0 would give nan there. Under ``create_graph`` too,
where the result must also stay connected to the input (differentiating it again gives zeros, not an error)."""

from __future__ import annotations

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor, Value, grad

UPSTREAM = np.array([np.inf, np.nan, -np.inf, 1.0])

# op, input, the slope (0 or 1) at each entry
SELECTIONS = {
    "relu": (lambda t: t.relu(), np.array([-1.0, 0.0, -2.0, 2.0]), [0, 0, 0, 1]),
    "clamp": (lambda t: t.clamp(-1.0, 1.0), np.array([-3.0, 1.5, 5.0, 0.5]), [0, 0, 0, 1]),  # (its bounds pass g)
    "hardtanh": (lambda t: F.hardtanh(t), np.array([-3.0, 1.0, 5.0, 0.5]), [0, 0, 0, 1]),
    "hardshrink": (lambda t: F.hardshrink(t, 0.5), np.array([0.1, -0.2, 0.5, 2.0]), [0, 0, 0, 1]),
    "floor": (lambda t: t.floor(), np.array([0.5, 1.5, -2.5, 3.0]), [0, 0, 0, 0]),
    "round": (lambda t: t.round(), np.array([0.5, 1.5, -2.5, 3.0]), [0, 0, 0, 0]),
    "trunc": (lambda t: t.trunc(), np.array([0.5, 1.5, -2.5, 3.0]), [0, 0, 0, 0]),
    "sign": (lambda t: t.sign(), np.array([0.5, 1.5, -2.5, 3.0]), [0, 0, 0, 0]),
    "step": (lambda t: t.step(), np.array([0.5, 1.5, -2.5, 3.0]), [0, 0, 0, 0]),
    "pow_zero": (lambda t: t**0, np.array([0.0, 1.5, -2.5, 3.0]), [0, 0, 0, 0]),
    "pow_zero_tensor": (lambda t: t ** Tensor(np.zeros(4)), np.array([0.0, 1.5, -2.5, 3.0]), [0, 0, 0, 0]),
}


def _expected(slopes: list[int]) -> np.ndarray:
    return np.where(np.array(slopes) == 1, UPSTREAM, 0.0)


@pytest.mark.parametrize("name", sorted(SELECTIONS))
def test_a_zero_slope_passes_no_infinite_or_nan_gradient(name):
    function, values, slopes = SELECTIONS[name]
    x = Tensor(values, requires_grad=True)
    (function(x) * Tensor(UPSTREAM)).sum().backward()
    np.testing.assert_array_equal(x.grad, _expected(slopes))


@pytest.mark.parametrize("name", sorted(SELECTIONS))
def test_under_create_graph_the_same_gradient_stays_connected(name):
    function, values, slopes = SELECTIONS[name]
    x = Tensor(values, requires_grad=True)
    (first,) = grad((function(x) * Tensor(UPSTREAM)).sum(), [x], create_graph=True)
    np.testing.assert_array_equal(first.data, _expected(slopes))
    if first.requires_grad:  # (floor and its kin give a constant, as torch's)
        (second,) = grad((first * Tensor(np.array([1.0, 1.0, 1.0, 1.0]))).sum(), [x], allow_unused=True)
        assert second is None or np.array_equal(np.nan_to_num(second.data), np.zeros(4))


@pytest.mark.parametrize("name", ["relu", "clamp", "hardtanh", "hardshrink"])
def test_the_selections_gradient_under_create_graph_matches_torch(name):
    torch = pytest.importorskip("torch")
    function, values, _ = SELECTIONS[name]
    torch_function = {
        "relu": torch.relu,
        "clamp": lambda t: t.clamp(-1.0, 1.0),
        "hardtanh": torch.nn.functional.hardtanh,
        "hardshrink": lambda t: torch.nn.functional.hardshrink(t, 0.5),
    }[name]
    x, xt = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    (ours,) = grad((function(x) * Tensor(UPSTREAM)).sum(), [x], create_graph=True)
    (theirs,) = torch.autograd.grad((torch_function(xt) * torch.tensor(UPSTREAM)).sum(), [xt], create_graph=True)
    np.testing.assert_array_equal(ours.data, theirs.detach().numpy())
    assert ours.requires_grad == theirs.requires_grad


@pytest.mark.parametrize(("at", "expected"), [(-1.0, 0.0), (0.0, 0.0), (2.0, np.inf)])
def test_a_values_relu_under_create_graph_passes_an_infinite_gradient_only_above_zero(at, expected):
    x = Value(at)
    (first,) = grad(x.relu() * np.inf, [x], create_graph=True)
    assert first.data == expected
    (plain,) = grad(x.relu() * np.inf, [x])
    assert plain == expected


@pytest.mark.parametrize("at", [-2.0, 0.0, 3.0])
def test_a_power_whose_exponent_is_a_zeroth_power_has_torchs_gradient(at):
    # v ** (v ** 0): the exponent's gradient is v**v * log(v), nan at v = -2 (inf at 0), which reaches v ** 0,
    # a flat function of v, and must stop there (torch's pow gives 0 where the exponent is 0), not give nan * 0
    torch = pytest.importorskip("torch")
    v, t = Value(at), torch.tensor(at, dtype=torch.float64, requires_grad=True)
    (v ** (v**0)).backward()
    (t ** (t**0)).backward()
    np.testing.assert_array_equal(v.grad, t.grad.item())
    x, xt = Tensor(np.array([at, 1.5]), requires_grad=True), torch.tensor([at, 1.5], requires_grad=True)
    (x ** (x**0)).sum().backward()
    (xt ** (xt**0)).sum().backward()
    np.testing.assert_array_equal(x.grad, xt.grad.numpy())


TINY_AND_ORDINARY = [1e-200, -1e-200, 5e-324, 0.0, -0.0, 2.0, np.inf, np.nan]


def test_a_constant_zeroth_powers_second_derivative_is_zero_where_x_to_the_minus_two_overflows():
    # x**0 is the constant 1, so every derivative is 0; at |x| < 1e-154, x**-1 is finite but x**-2 overflows, and
    # differentiating the first derivative's 0 * x**-1 again gave 0 * inf = nan
    for at in TINY_AND_ORDINARY:
        v = Value(at)
        (first,) = grad(v**0, [v], create_graph=True)
        (second,) = grad(first, [v])
        assert (first.data, second) == (0.0, 0.0), at
    x = Tensor(np.array(TINY_AND_ORDINARY), requires_grad=True)
    (first,) = grad((x**0).sum(), [x], create_graph=True)
    (second,) = grad(first.sum(), [x])
    np.testing.assert_array_equal(first.data, np.zeros(len(TINY_AND_ORDINARY)))
    np.testing.assert_array_equal(second, np.zeros(len(TINY_AND_ORDINARY)))


def test_a_zeroth_power_keeps_its_mixed_derivative_when_the_exponent_needs_a_gradient():
    # d/dy d/dx x**y = x**(y - 1) (1 + y log x), which is 1 / x at y = 0: 1e100 at x = 1e-100
    x, y = Value(1e-100), Value(0.0)
    (first,) = grad(x**y, [x], create_graph=True)
    (mixed,) = grad(first, [y])
    assert first.data == 0.0
    assert mixed == pytest.approx(1e100, rel=1e-12)


@pytest.mark.parametrize("upstream", [np.inf, -np.inf, 1e300])
def test_hardswish_second_derivative_under_an_infinite_gradient_is_torchs_zero_outside_its_curved_piece(upstream):
    torch = pytest.importorskip("torch")
    values = np.array([-25.0, -3.0, -1.0, 0.5, 3.0, 25.0])
    x = Tensor(values, requires_grad=True)
    (first,) = grad(F.hardswish(x), x, Tensor(np.full(6, upstream)), create_graph=True)
    (second,) = grad(first.sum(), x)
    t = torch.tensor(values, requires_grad=True)
    (t_first,) = torch.autograd.grad(
        torch.nn.functional.hardswish(t), t, torch.full((6,), upstream, dtype=torch.float64), create_graph=True
    )
    (t_second,) = torch.autograd.grad(t_first.sum(), t)
    np.testing.assert_array_equal(first.data, t_first.detach().numpy())
    np.testing.assert_array_equal(second.data, t_second.numpy())


@pytest.mark.parametrize("upstream", [np.inf, -np.inf, 1e300])
def test_sigmoid_glu_and_gelu_second_derivatives_under_an_infinite_gradient_are_torchs_infinities_not_nan(upstream):
    torch = pytest.importorskip("torch")
    values = np.array([-6.0, -3.0, -0.7, 0.4, 2.5, 25.0])  # (not gelu's far left tail, where torch's Phi is inexact)
    for ours_call, torch_call in [
        (lambda t: t.sigmoid(), torch.sigmoid),
        (lambda t: F.glu(t, 0), lambda t: torch.nn.functional.glu(t, 0)),
        (F.gelu, torch.nn.functional.gelu),
    ]:
        x = Tensor(values, requires_grad=True)
        out = ours_call(x)
        (first,) = grad(out, x, Tensor(np.full(out.shape, upstream)), create_graph=True)
        (second,) = grad(first.sum(), x)
        t = torch.tensor(values, requires_grad=True)
        t_out = torch_call(t)
        seed = torch.full(t_out.shape, upstream, dtype=torch.float64)
        (t_first,) = torch.autograd.grad(t_out, t, seed, create_graph=True)
        (t_second,) = torch.autograd.grad(t_first.sum(), t)
        np.testing.assert_allclose(first.data, t_first.detach().numpy(), rtol=1e-9)
        np.testing.assert_allclose(second.data, t_second.numpy(), rtol=1e-9)
