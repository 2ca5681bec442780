"""Every ``Value`` method and operator at ordinary, tiny, huge, zero, signed-zero, infinite and nan inputs against
torch 2.13's 0-d float64 tensors: the value and the gradient, with no warning. The DAG fuzzer
(tests/test_value_dag_fuzz_torch.py) draws no nan and leaves out the special functions and ``// % fmod``; this grid
has them, and the plain-number operands of every kind a user mixes in (ints, bools, numpy scalars, fractions) on
either side of each operator."""

from __future__ import annotations

import math
import operator
import warnings
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import numpy as np
import pytest

from autograd import Value

torch = pytest.importorskip("torch")
F = torch.nn.functional

GRID = [0.7, -1.3, 2.5, -2.0, 1e-310, -1e-310, 5e-324, 1e300, -1e300, 0.0, -0.0, math.inf, -math.inf, math.nan, 710.0]

UNARY: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "digamma": (Value.digamma, torch.digamma),
    "lgamma": (Value.lgamma, torch.lgamma),
    "polygamma1": (lambda v: v.polygamma(1), lambda t: torch.polygamma(1, t)),
    "polygamma2": (lambda v: v.polygamma(2), lambda t: torch.polygamma(2, t)),
    "erfinv": (Value.erfinv, torch.erfinv),
    "i0": (Value.i0, torch.i0),
    "deg2rad": (Value.deg2rad, torch.deg2rad),
    "rad2deg": (Value.rad2deg, torch.rad2deg),
    "acos": (Value.acos, torch.acos),
    "asinh": (Value.asinh, torch.asinh),
    "tanh": (Value.tanh, torch.tanh),
    "sigmoid": (Value.sigmoid, torch.sigmoid),
    "softplus": (Value.softplus, F.softplus),
    "mish": (Value.mish, F.mish),
    "elu": (Value.elu, F.elu),
    "elu_alpha_inf": (lambda v: v.elu(math.inf), lambda t: F.elu(t, alpha=math.inf)),
    "elu_alpha_minus_inf": (lambda v: v.elu(-math.inf), lambda t: F.elu(t, alpha=-math.inf)),
    "elu_alpha_nan": (lambda v: v.elu(math.nan), lambda t: F.elu(t, alpha=math.nan)),
    "elu_alpha_minus_2": (lambda v: v.elu(-2.0), lambda t: F.elu(t, alpha=-2.0)),
    "log": (Value.log, torch.log),
    "sqrt": (Value.sqrt, torch.sqrt),
    "relu": (Value.relu, torch.relu),
    "abs": (abs, torch.abs),
    "round": (Value.round, torch.round),
    "clamp": (lambda v: v.clamp(min=-1.0, max=2.0), lambda t: t.clamp(min=-1.0, max=2.0)),
    "floordiv_3": (lambda v: v // 3, lambda t: torch.floor_divide(t, 3)),
    "rfloordiv_3": (lambda v: 3 // v, lambda t: torch.floor_divide(torch.tensor(3.0, dtype=torch.float64), t)),
    "mod_3": (lambda v: v % 3, lambda t: torch.remainder(t, 3)),
    "mod_minus_3": (lambda v: v % -3, lambda t: torch.remainder(t, -3)),
    "rmod_3": (lambda v: 3 % v, lambda t: torch.remainder(torch.tensor(3.0, dtype=torch.float64), t)),
    "fmod_3": (lambda v: v.fmod(3), lambda t: torch.fmod(t, 3)),
    "sum_with_itself": (lambda v: Value.sum([v, v, 1.0]), lambda t: t + t + 1.0),
    "sum_method": (lambda v: v.sum(), lambda t: t.sum()),
    "max_method": (lambda v: v.max(), lambda t: t.max()),
    "min_method": (lambda v: v.min(), lambda t: t.min()),
    "np_sum": (np.sum, torch.sum),
    # torch's 0-d tensor methods, by their torch names
    "add_alpha": (lambda v: v.add(1.5, alpha=-2), lambda t: t.add(1.5, alpha=-2)),
    "sub_alpha": (lambda v: v.sub(0.5, alpha=3), lambda t: t.sub(0.5, alpha=3)),
    "rsub_method": (lambda v: Value(2.0, requires_grad=False).subtract(v), lambda t: torch.tensor(2.0).subtract(t)),
    "mul_method": (lambda v: v.mul(-3.0), lambda t: t.mul(-3.0)),
    "multiply_method": (lambda v: v.multiply(v), lambda t: t.multiply(t)),
    "div_method": (lambda v: v.div(-0.5), lambda t: t.div(-0.5)),
    "divide_trunc": (lambda v: v.divide(0.7, rounding_mode="trunc"), lambda t: t.divide(0.7, rounding_mode="trunc")),
    "div_floor": (lambda v: v.div(0.7, rounding_mode="floor"), lambda t: t.div(0.7, rounding_mode="floor")),
    "true_divide_method": (lambda v: v.true_divide(3), lambda t: t.true_divide(3)),
    "pow_method": (lambda v: v.pow(3), lambda t: t.pow(3)),
    "neg_method": (lambda v: v.neg(), lambda t: t.neg()),
    "negative_method": (lambda v: v.negative(), lambda t: t.negative()),
    "clamp_min": (lambda v: v.clamp_min(-1.0), lambda t: t.clamp_min(-1.0)),
    "clamp_max": (lambda v: v.clamp_max(2.0), lambda t: t.clamp_max(2.0)),
    "rsqrt": (Value.rsqrt, torch.rsqrt),
    "frac": (Value.frac, torch.frac),
    "absolute": (Value.absolute, torch.absolute),
    "fix": (Value.fix, torch.fix),
    "lerp_to_3_by_0.3": (lambda v: v.lerp(3.0, 0.3), lambda t: t.lerp(torch.tensor(3.0, dtype=torch.float64), 0.3)),
    "lerp_to_3_by_0.8": (lambda v: v.lerp(3.0, 0.8), lambda t: t.lerp(torch.tensor(3.0, dtype=torch.float64), 0.8)),
    "logit": (Value.logit, torch.logit),
    "logit_eps": (lambda v: v.logit(0.1), lambda t: t.logit(0.1)),
    "sinc": (Value.sinc, torch.sinc),
    "np_sinc": (np.sinc, torch.sinc),
    "angle": (Value.angle, torch.angle),
    "np_max": (np.max, torch.max),
    "np_min": (np.min, torch.min),
}

BINARY: dict[str, tuple[Callable[[Any, Any], Any], Callable[[Any, Any], Any]]] = {
    "floordiv": (operator.floordiv, torch.floor_divide),
    "mod": (operator.mod, torch.remainder),
    "fmod": (Value.fmod, torch.fmod),
    "sum": (lambda a, b: Value.sum([a, b]), operator.add),
    "mul": (operator.mul, operator.mul),
    "pow": (operator.pow, operator.pow),
    "maximum": (Value.maximum, torch.maximum),
    "logaddexp": (Value.logaddexp, torch.logaddexp),
    "xlogy": (Value.xlogy, torch.xlogy),
    "add_method": (Value.add, torch.add),
    "sub_alpha": (lambda a, b: a.sub(b, alpha=2.0), lambda a, b: a.sub(b, alpha=2.0)),
    "div_method": (Value.div, torch.div),
    "pow_method": (Value.pow, torch.pow),
    "lerp_from_1_by": (lambda a, b: a.lerp(1.0, b), lambda a, b: a.lerp(torch.tensor(1.0, dtype=torch.float64), b)),
    "lerp_to_by_0.6": (lambda a, b: a.lerp(b, 0.6), lambda a, b: a.lerp(b, 0.6)),
}

#: torch's float64 polygamma is ~1e-9 off (ours gives polygamma(1, 1) = pi^2/6 to the last bit), and so is its
#: digamma's gradient: compared to that tolerance
LOOSE = {"polygamma1": 1e-8, "polygamma2": 1e-8, "digamma": 1e-8}

#: no derivative in torch: the values are compared, and ours is zero (a step function)
NO_TORCH_GRADIENT = {"floordiv_3", "rfloordiv_3", "floordiv"}


def known_difference(name: str, xs: tuple[float, ...]) -> str | None:
    """Why torch 2.13's value or gradient at ``xs`` is not the one to match (None: it is)."""
    x = xs[0]
    if (name.startswith("polygamma") or name == "digamma") and (x <= 0 and float(x).is_integer() or math.isinf(x)):
        return "a pole (x a non-positive integer, -1e300 is one) or infinity: torch's finite or nan numbers there"
    if name == "i0" and x == 710.0:
        return "I1(710) = 3.3e306 is finite; torch's i0 gradient overflows to inf"
    if name == "pow" and xs[1] == 0.5 and x in (-0.0, -math.inf):
        return "documented (shared_math.power): x ** 0.5 is sqrt(x), as torch's x ** 0.5 with a number exponent"
    if name == "logit" and x == 0 and math.copysign(1, x) < 0:
        return "torch's gradient at -0.0 is +inf from its scalar kernel, -inf (1 / -0.0, Tensor's) from its vector one"
    if name == "xlogy" and xs[0] == 0 and xs[1] == 0:
        return "documented (Tensor.xlogy): d/dy is 0 at x = y = 0, where torch's 0 / 0 gives nan"
    if name == "logaddexp" and xs[0] == xs[1] == -1.3:
        return "a last-bit difference of log1p(exp(0)) paths"
    return None


def _same(ours: float, theirs: float, rtol: float) -> bool:
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    if math.isinf(ours) or math.isinf(theirs):
        return ours == theirs
    return abs(ours - theirs) <= rtol * abs(theirs) + 1e-300


def check(name: str, ours: Callable[..., Any], theirs: Callable[..., Any], xs: tuple[float, ...]) -> None:
    if known_difference(name, xs):
        return
    values = [Value(x) for x in xs]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy RuntimeWarning leaks
        out = ours(*values)
        out.backward()
    tensors = [torch.tensor(x, dtype=torch.float64, requires_grad=name not in NO_TORCH_GRADIENT) for x in xs]
    expected = theirs(*tensors)
    rtol = LOOSE.get(name, 1e-12)
    assert _same(out.data, expected.item(), rtol), (name, xs, out.data, expected.item())
    # the value's sign of zero too (a leaf's .grad starts at +0.0, so a gradient's zero is +0.0 either way)
    assert out.data != 0 or math.copysign(1, out.data) == math.copysign(1, expected.item()), (name, xs, out.data)
    if name in NO_TORCH_GRADIENT:
        assert all(v.grad == 0.0 for v in values)
        return
    if expected.requires_grad:
        expected.backward()
    for value, tensor in zip(values, tensors):
        want = 0.0 if tensor.grad is None else tensor.grad.item()
        assert _same(value.grad, want, max(rtol, 1e-9)), (name, xs, value.grad, want)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_each_value_function_on_special_values_matches_torch(name):
    ours, theirs = UNARY[name]
    for x in GRID:
        check(name, ours, theirs, (x,))


@pytest.mark.parametrize("name", sorted(BINARY))
def test_each_value_binary_op_on_special_values_matches_torch(name):
    ours, theirs = BINARY[name]
    for x in GRID:
        for y in GRID:
            check(name, ours, theirs, (x, y))


NUMBERS = [0, 3, -2, True, False, np.float32(0.1), np.float32(-0.0), np.int64(-2), np.bool_(True), np.float16(2.5)]
NUMBERS += [Fraction(1, 3), np.uint8(200), 2**60]
OPERATORS = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "**": operator.pow}


@pytest.mark.parametrize("symbol", sorted(OPERATORS))
@pytest.mark.parametrize("number", NUMBERS, ids=repr)
def test_a_number_of_any_kind_on_either_side_of_an_operator_acts_as_its_float_in_torch(symbol, number):
    op = OPERATORS[symbol]
    c = float(number)
    for x in (1.5, -2.0, 0.0, -0.0, math.inf, math.nan, 1e308):
        for ours, theirs in (
            (lambda v: op(v, number), lambda t: op(t, c)),
            (lambda v: op(number, v), lambda t: op(c, t)),
        ):
            check(f"{symbol} {number!r}", ours, theirs, (x,))
