"""Ported elementwise tests against torch: unary and binary ops on 0-d, empty and low-precision
inputs, edge values, broadcasting both ways, Python numbers on either side, floor division, integer inputs,
and errors for bad operands (see tests/torch_oracle.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from torch_oracle import check_like_torch, is_torch

import autograd as ag
from autograd import Tensor
from autograd.testing import broadcastable_shapes

torch = pytest.importorskip("torch")


# -- elementwise ops ----------------------------------------------------------------------------------------
def _functional(name: str) -> Callable[[Any], Any]:
    """torch.nn.functional.<name> for torch, the Tensor method here."""
    return lambda x: getattr(torch.nn.functional, name)(x) if is_torch(x) else getattr(x, name)()


UNARY = {
    "neg": (lambda x: -x, -1.5, 1.5),
    "abs": (lambda x: x.abs(), -1.5, 1.5),
    "sqrt": (lambda x: x.sqrt(), 0.1, 3.0),
    "rsqrt": (lambda x: x.rsqrt(), 0.1, 3.0),
    "exp": (lambda x: x.exp(), -3.0, 3.0),
    "exp2": (lambda x: x.exp2(), -3.0, 3.0),
    "expm1": (lambda x: x.expm1(), -3.0, 3.0),
    "log": (lambda x: x.log(), 0.1, 3.0),
    "log2": (lambda x: x.log2(), 0.1, 3.0),
    "log10": (lambda x: x.log10(), 0.1, 3.0),
    "log1p": (lambda x: x.log1p(), -0.9, 3.0),
    "square": (lambda x: x.square(), -1.5, 1.5),
    "reciprocal": (lambda x: x.reciprocal(), 0.2, 3.0),
    "sin": (lambda x: x.sin(), -3.0, 3.0),
    "cos": (lambda x: x.cos(), -3.0, 3.0),
    "tan": (lambda x: x.tan(), -1.2, 1.2),
    "sinh": (lambda x: x.sinh(), -3.0, 3.0),
    "cosh": (lambda x: x.cosh(), -3.0, 3.0),
    "tanh": (lambda x: x.tanh(), -3.0, 3.0),
    "sigmoid": (lambda x: x.sigmoid(), -5.0, 5.0),
    "relu": (lambda x: x.relu(), -1.5, 1.5),
    "erf": (lambda x: x.erf(), -2.0, 2.0),
    "sign": (lambda x: x.sign(), -1.5, 1.5),
    "floor": (lambda x: x.floor(), -3.0, 3.0),
    "ceil": (lambda x: x.ceil(), -3.0, 3.0),
    "trunc": (lambda x: x.trunc(), -3.0, 3.0),
    "round": (lambda x: x.round(), -3.0, 3.0),
    "clamp(min=-0.3, max=1.2)": (lambda x: x.clamp(min=-0.3, max=1.2), -1.5, 1.5),
    "clamp(min=0)": (lambda x: x.clamp(min=0), -1.5, 1.5),
    "clamp(max=0.5)": (lambda x: x.clamp(max=0.5), -1.5, 1.5),
    "clip(-0.3, 1.2)": (lambda x: x.clip(-0.3, 1.2), -1.5, 1.5),
    "clamp_min": (lambda x: x.clamp_min(0.2), -1.5, 1.5),
    "lerp": (lambda x: x.lerp(x * 0 + 1, 0.3), -1.5, 1.5),
    "softplus": (_functional("softplus"), -5.0, 5.0),
    "silu": (_functional("silu"), -5.0, 5.0),
    "mish": (_functional("mish"), -5.0, 5.0),
    "elu": (_functional("elu"), -3.0, 3.0),
    "leaky_relu": (_functional("leaky_relu"), -3.0, 3.0),
}


@pytest.mark.parametrize("shape", [(4, 5), (), (0,), (2, 0, 3)])
@pytest.mark.parametrize("name", UNARY)
def test_unary_op_matches_torch(name, shape):
    call, low, high = UNARY[name]
    check_like_torch([shape], call, low=low, high=high)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "square"])
def test_unary_op_in_low_precision_keeps_the_dtype_and_matches_torch(name, dtype):
    call, low, high = UNARY[name]
    tolerance = 1e-6 if dtype == np.float32 else 2e-3
    check_like_torch([(3, 4)], call, low=low, high=high, dtype=dtype, atol=tolerance, rtol=tolerance)
    assert call(Tensor(np.ones((2,), dtype), requires_grad=True)).dtype == dtype


EDGE_VALUES = np.array([0.0, -0.0, 1.0, -1.0, 2.5, -2.5, np.inf, -np.inf, np.nan, 1e-300, 1e300, 700.0, -700.0, 5e-324])
EDGE_OPS = {
    "exp": lambda x: x.exp(),
    "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(),
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
    "relu": lambda x: x.relu(),
    "abs": lambda x: x.abs(),
    "softplus": _functional("softplus"),
    "silu": _functional("silu"),
    "x ** 2": lambda x: x**2,
    "x ** 0.5": lambda x: x**0.5,
    "x ** -1": lambda x: x**-1,
    "0 ** x": lambda x: 0**x,
    "2 ** x": lambda x: 2**x,
    "1 / x": lambda x: 1 / x,
    "x * x": lambda x: x * x,
    "log1p": lambda x: x.log1p(),
    "expm1": lambda x: x.expm1(),
    "floor": lambda x: x.floor(),
    "clamp(-1, 1)": lambda x: x.clamp(-1, 1),
}


@pytest.mark.parametrize("name", EDGE_OPS)
def test_op_at_edge_values_matches_torch(name):
    """Zeros of both signs, infinities, nan, the smallest subnormal and overflow: the values, and the gradients
    (of the sum) at the finite values but -0 (where an infinite derivative's sign is IEEE trivia)."""
    call = EDGE_OPS[name]
    with np.errstate(all="ignore"):  # numpy's IEEE warnings (exp(1e300) overflows), which torch does not give
        # atol: torch's vectorised kernels flush a subnormal result (log1p(5e-324) = 5e-324) to 0
        check_like_torch(None, call, values=[EDGE_VALUES], forward_only=True, atol=1e-320, rtol=1e-13)
        finite = EDGE_VALUES[np.isfinite(EDGE_VALUES) & ~((EDGE_VALUES == 0) & np.signbit(EDGE_VALUES))]
        ours, theirs = Tensor(finite, requires_grad=True), torch.tensor(finite, requires_grad=True)
        call(ours).sum().backward()
    call(theirs).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), atol=0, rtol=1e-13)


def test_sign_of_nan_is_numpys_nan():
    assert np.isnan(Tensor(np.array([np.nan])).sign().data[0])  # torch gives 0; the library follows numpy here


BINARY = {
    "add": (lambda x, y: x + y, -1.5, 1.5),
    "sub": (lambda x, y: x - y, -1.5, 1.5),
    "mul": (lambda x, y: x * y, -1.5, 1.5),
    "div": (lambda x, y: x / y, 0.2, 2.0),
    "pow": (lambda x, y: x**y, 0.2, 2.0),
    "maximum": (lambda x, y: (torch if is_torch(x) else ag).maximum(x, y), -1.5, 1.5),
    "minimum": (lambda x, y: (torch if is_torch(x) else ag).minimum(x, y), -1.5, 1.5),
    "add(alpha=2)": (lambda x, y: x.add(y, alpha=2), -1.5, 1.5),
    "sub(alpha=0.5)": (lambda x, y: x.sub(y, alpha=0.5), -1.5, 1.5),
    "mul method": (lambda x, y: x.mul(y), -1.5, 1.5),
    "div method": (lambda x, y: x.div(y), 0.2, 2.0),
    "pow method": (lambda x, y: x.pow(y), 0.2, 2.0),
    "atan2": (lambda x, y: x.atan2(y), 0.2, 2.0),
}
BROADCAST_SHAPES = [
    ((4, 5), (4, 5)),
    ((4, 5), (1, 5)),
    ((1, 5), (4, 1)),
    ((), (3,)),
    ((3,), ()),
    ((), ()),
    ((4, 1, 3), (2, 1)),
    ((2, 0), (1,)),
    ((5,), (2, 3, 5)),
]


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name", BINARY)
def test_broadcasting_binary_op_matches_torch(name, shapes):
    call, low, high = BINARY[name]
    check_like_torch(list(shapes), call, low=low, high=high)


SCALAR_SIDES = {
    "2 + x": lambda x: 2 + x,
    "x + 2": lambda x: x + 2,
    "2 - x": lambda x: 2 - x,
    "x - 2.5": lambda x: x - 2.5,
    "3 * x": lambda x: 3 * x,
    "x * -0.5": lambda x: x * -0.5,
    "2 / x": lambda x: 2 / x,
    "x / 4": lambda x: x / 4,
    "2 ** x": lambda x: 2**x,
    "0.5 ** x": lambda x: 0.5**x,
    "(-2.0) ** x": lambda x: (-2.0) ** x,  # nan for non-integer x, as torch
    "0 ** x": lambda x: 0**x,
    "0.0 ** x": lambda x: 0.0**x,
    "x ** 0": lambda x: x**0,
    "x ** 0.0": lambda x: x**0.0,
    "x ** 1": lambda x: x**1,
    "x ** 2": lambda x: x**2,
    "x ** 3": lambda x: x**3,
    "x ** -1": lambda x: x**-1,
    "x ** -2.5": lambda x: x**-2.5,
    "x ** 0.5": lambda x: x**0.5,
    "x % 0.7": lambda x: x % 0.7,
}


@pytest.mark.parametrize("name", SCALAR_SIDES)
def test_op_with_a_python_number_on_either_side_matches_torch(name):
    with np.errstate(all="ignore"):  # a negative base to a fractional power is nan, 0 ** -x is inf: numpy warns
        check_like_torch([(3, 4)], SCALAR_SIDES[name], low=0.1, high=2.0)
        check_like_torch([(3, 4)], SCALAR_SIDES[name], low=-2.0, high=-0.1)


def test_powers_with_zero_bases_and_exponents_match_torch():
    base = np.array([0.0, 0.0, 0.0, 2.0, -2.0, 0.0])
    exponent = np.array([0.0, 2.0, 0.5, 0.0, 3.0, 1.0])
    with np.errstate(all="ignore"):
        check_like_torch(None, lambda x, y: x**y, values=[base, exponent])


def test_python_number_keeps_a_float32_tensor_float32():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    for result in (x * 2.0, 2.0 - x, x**2, 2**x, x / 3, x + np.float64(1.0)):
        assert result.dtype == np.float32
    (x * 2.0).sum().backward()
    assert x.grad.dtype == np.float32


# -- floor division ------------------------------------------------------------------------------------------
FLOOR_DIVISIONS = {
    "x // y": lambda x, y: x // y,
    "x // 0.7": lambda x, y: x // 0.7,
    "2 // x": lambda x, y: 2 // x,
}


@pytest.mark.parametrize("name", FLOOR_DIVISIONS)
def test_floor_division_matches_torch_values_and_has_a_zero_gradient(name):
    call = FLOOR_DIVISIONS[name]
    check_like_torch([(3, 4), (4,)], call, forward_only=True, low=-3.0, high=3.0)
    x, y = Tensor(np.full(3, 2.5), requires_grad=True), Tensor(np.full(3, -1.5), requires_grad=True)
    (call(x, y) * x).sum().backward()  # torch has no derivative of //; floor's is 0
    np.testing.assert_array_equal(x.grad, call(x, y).data)


# -- integer inputs ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["sigmoid", "silu", "exp", "tanh", "softmax"])
def test_float_functions_of_an_integer_tensor_give_floats(name):
    ints = np.array([-2, -1, 0, 1, 2])
    got = getattr(Tensor(ints), name)()
    assert got.dtype == np.float64  # numpy's promotion (torch gives float32)
    np.testing.assert_allclose(got.data, getattr(Tensor(ints.astype(float)), name)().data)


# -- bad operands: errors name the op and the dtypes/shapes ------------------------------------------------
@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda: Tensor(np.ones(2)) * "a", TypeError, r"mul: unsupported operand dtype <U1"),
        (lambda: "a" + Tensor(np.ones(2)), TypeError, r"add: unsupported operand dtype <U1"),
        (lambda: Tensor(np.ones(2)).maximum(None), TypeError, r"maximum: got None as an operand"),
        (lambda: Tensor(np.array([1, 2])) + 10**30, TypeError, r"add: unsupported operand dtype object"),
        (lambda: Tensor(np.ones(2)) + 10**400, ValueError, r"add: cannot make an array of the operand 1000"),
        (lambda: Tensor(np.ones(2)) - [[1.0], [1.0, 2.0]], ValueError, r"sub: cannot make an array of the operand"),
        (lambda: Tensor(np.ones(2)) @ ["a", "b"], TypeError, r"matmul: unsupported operand dtype <U1"),
        (
            lambda: Tensor(np.array([True])) - Tensor(np.array([True])),
            TypeError,
            r"sub: subtraction of two bool tensors is not supported",
        ),
        (lambda: Tensor(np.array([1, 2])) ** -1, ValueError, r"pow: Integers to negative integer powers.*int64"),
        (lambda: Tensor(np.ones((2, 3))) - np.ones(4), ValueError, r"sub: .*shapes \(2, 3\) and \(4,\)"),
        (lambda: 2 ** Tensor(np.ones((2, 3))) @ np.ones(4), ValueError, r"matmul: shapes \(2, 3\) and \(4,\)"),
    ],
)
def test_bad_operands_raise_errors_naming_the_op(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


# -- clamp with tensor bounds ------------------------------------------------------------------------------
CLAMPS = {
    "clamp(low, high)": lambda x, low, high: x.clamp(low, high),
    "clamp(min=low)": lambda x, low, high: x.clamp(min=low),
    "clamp(max=high)": lambda x, low, high: x.clamp(max=high),
    "clamp_min(low)": lambda x, low, high: x.clamp_min(low),
}


@pytest.mark.parametrize("name", CLAMPS)
def test_clamp_with_tensor_bounds_matches_torch(name):
    x = np.array([[-1.0, 0.5, 2.0, 0.0, 1.0, 1.7]])
    low = np.array([[0.0, 0.0, 0.0, 0.0, 2.0, -1.0]])  # ties at 0 and a bound above the other (2 > 1.5)
    high = np.array([1.0, 0.2, 3.0, 1.0, 1.5, 1.7])  # broadcast from 1-D
    check_like_torch(None, CLAMPS[name], values=[x, low, high])


# -- copysign, bitwise and logical operators -----------------------------------------------------------------
@pytest.mark.parametrize("shapes", [((4, 5), (4, 5)), ((4, 5), (4, 1)), ((4, 1), (1, 5)), ((), ())], ids=str)
def test_copysign_matches_torch(shapes):
    check_like_torch(list(shapes), lambda x, y: x.copysign(y), low=-2.0, high=2.0)


def test_copysign_at_signed_zeros_matches_torch():
    for x in (-1.0, 0.0, 1.0):
        for y in (-1.0, -0.0, 0.0, 1.0):
            check_like_torch(None, lambda a, b: a.copysign(b), values=[np.array([x]), np.array([y])])


INTEGERS = np.array([[1, -8, 1], [32, 1, 6]], dtype=np.int32)
BOOLEANS = (np.array([True, True, False, False]), np.array([True, False, True, False]))
BITWISE = {
    "x & x": (INTEGERS, lambda x: x & x),
    "x & 0x1337": (INTEGERS, lambda x: x & 0x1337),
    "0x1337 & x": (INTEGERS, lambda x: 0x1337 & x),
    "x | 0x1337": (INTEGERS, lambda x: x | 0x1337),
    "0x1337 ^ x": (INTEGERS, lambda x: 0x1337 ^ x),
    "~x": (INTEGERS, lambda x: ~x),
    "x.bitwise_not()": (INTEGERS, lambda x: x.bitwise_not()),
    "x << 2": (INTEGERS, lambda x: x << 2),
    "x >> 2": (INTEGERS, lambda x: x >> 2),
    "~mask": (BOOLEANS[0], lambda x: ~x),
    "mask & mask": (BOOLEANS[0], lambda x: x & x.flip(0)),
    "mask | True": (BOOLEANS[0], lambda x: x | True),
    "mask ^ mask": (BOOLEANS[0], lambda x: x ^ x.flip(0)),
    "logical_and": (INTEGERS, lambda x: x.logical_and(x - 1)),
    "logical_or": (INTEGERS, lambda x: x.logical_or(x - 1)),
    "logical_xor": (INTEGERS, lambda x: x.logical_xor(x - 1)),
    "logical_not": (INTEGERS, lambda x: x.logical_not()),
}


@pytest.mark.parametrize("name", BITWISE)
def test_bitwise_and_logical_operators_match_torch_values_and_dtypes(name):
    values, call = BITWISE[name]
    expected, got = call(torch.tensor(values)), call(Tensor(values))
    assert isinstance(got, Tensor) and str(got.dtype) == str(expected.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(got.data, expected.numpy())


def test_a_comparison_mask_combines_with_a_boolean_tensor():
    x = Tensor(np.array([1.2, 1.2, 3.2, 0.5]))
    np.testing.assert_array_equal((1 < x) & (x < 2), [True, True, False, False])  # arrays, as the operators give
    np.testing.assert_array_equal(
        ((x > 1) & Tensor(np.array([True, False, True, True]))).data, [True, False, True, False]
    )


@pytest.mark.parametrize("call", [lambda x: x & 1, lambda x: ~x, lambda x: x << 1])
def test_bitwise_operators_refuse_float_tensors_naming_the_op(call):
    with pytest.raises(TypeError, match=r"\w+: needs integer or boolean tensors, got dtypes float64"):
        call(Tensor(np.array([1.5])))


# -- properties: any broadcastable pair, either operand a Python number -----------------------------------
PROPERTY_OPS = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "div": lambda x, y: x / y,
    "pow": lambda x, y: x**y,
    "maximum": lambda x, y: (torch if is_torch(x) else ag).maximum(x, y),
}


@given(shapes=broadcastable_shapes(), name=st.sampled_from(sorted(PROPERTY_OPS)))
def test_binary_op_on_broadcastable_shapes_matches_torch(shapes, name):
    check_like_torch(list(shapes), PROPERTY_OPS[name], low=0.3, high=2.0)


@given(
    shape=broadcastable_shapes(num_shapes=1).map(lambda shapes: shapes[0]),
    number=st.sampled_from([-2.5, -1, 0, 0.5, 1, 2, 3.0]),
    name=st.sampled_from(["add", "sub", "mul", "div", "pow"]),  # torch.maximum takes no Python number
    number_first=st.booleans(),
)
def test_binary_op_with_a_python_number_on_either_side_matches_torch(shape, number, name, number_first):
    op = PROPERTY_OPS[name]
    with np.errstate(all="ignore"):  # 0 ** -x, x / 0: IEEE values, which numpy announces
        check_like_torch(
            [shape], (lambda x: op(number, x)) if number_first else (lambda x: op(x, number)), low=0.3, high=2.0
        )


@pytest.mark.parametrize("exponent_dtype", [np.int64, np.int8])
@pytest.mark.parametrize("base", ["tensor", True, False])
def test_a_boolean_base_takes_negative_integer_exponents_as_an_integer_base_does(base, exponent_dtype):
    # torch: True ** -1 = 1, False ** -1 = 0 (1 / 0**1 truncated), the exponents' integer dtype
    exponents = np.array([-1, 2, -3, 0], dtype=exponent_dtype)
    bases = np.array([True, False, True, False])
    out = (Tensor(bases) if base == "tensor" else base) ** Tensor(exponents)
    values = bases if base == "tensor" else np.full(4, base)
    expected = np.array([int(b) if e >= 0 or b else 0 for b, e in zip(values, exponents)])
    expected = np.where(exponents == 0, 1, expected)
    assert out.dtype == exponent_dtype
    np.testing.assert_array_equal(out.numpy(), expected)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, b: b**-1,
        lambda lib, b: lib.pow(b, -2),
        lambda lib, b: b.pow(np.int64(-1)),
        lambda lib, b: b.clone().pow_(-1),
    ],
    ids=["b ** -1", "pow(b, -2)", "b.pow(np.int64(-1))", "b.pow_(-1)"],
)
def test_a_boolean_tensor_to_a_negative_integer_power_is_torchs_runtime_error(call):
    """torch raises a bool tensor as an integer one: a negative integer exponent is its RuntimeError ("Integers to
    negative integer powers are not allowed"); here it gave the int64 tensor [1, 0] (pow_: numpy's ValueError)."""
    with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
        call(torch, torch.tensor([True, False]))
    with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
        call(ag, Tensor(np.array([True, False])))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, a, b: a // b,
        lambda lib, a, b: a % True,
        lambda lib, a, b: lib.fmod(a, True),
        lambda lib, a, b: a**b,
        lambda lib, a, b: a >> b,
        lambda lib, a, b: lib.bitwise_left_shift(a, True),
        lambda lib, a, b: lib.div(a, b, rounding_mode="floor"),
    ],
    ids=["//", "% True", "fmod", "** tensor", ">>", "<< True", "div floor"],
)
def test_integer_ops_of_two_boolean_operands_are_torchs_not_implemented_error(call):
    """torch has no boolean kernel for //, %, fmod, shifts or ** of two boolean tensors (NotImplementedError:
    "remainder_cpu" not implemented for 'Bool'); numpy's int8 loop gave an int8 tensor here."""
    a, b = np.array([True, False, True]), np.array([True, True, True])
    with pytest.raises(NotImplementedError):
        call(torch, torch.tensor(a), torch.tensor(b))
    with pytest.raises(NotImplementedError, match="boolean"):
        call(ag, Tensor(a), Tensor(b))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, t, f: lib.addcmul(t, t, t, value=0.5),
        lambda lib, t, f: lib.addcmul(t, t, t, value=-1.5),
        lambda lib, t, f: t.addcmul(t, t, value=2.5),
        lambda lib, t, f: t.clone().addcmul_(t, t, value=0.5),
        lambda lib, t, f: lib.addcmul(t, f, f, value=0.5),
    ],
    ids=["value 0.5", "value -1.5", "method 2.5", "in place 0.5", "float tensors"],
)
def test_addcmul_of_integer_tensors_casts_a_float_value_to_their_dtype_as_torch(call):
    """torch casts addcmul's value to the integer tensors' dtype, toward zero: value=0.5 leaves t as it is (here it
    gave a float64 t + t t / 2; in place, an InPlaceCastError)."""
    t, f = np.array([1, 2, -3]), np.array([1.0, 2.0, 0.5], dtype=np.float32)
    expected = call(torch, torch.tensor(t), torch.tensor(f))
    ours = call(ag, Tensor(t), Tensor(f))
    assert ours.dtype == np.dtype(str(expected.dtype).replace("torch.", ""))
    np.testing.assert_array_equal(ours.numpy(), expected.numpy())


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, t, f: lib.addcdiv(t, t, t),
        lambda lib, t, f: lib.addcdiv(f, t, t, value=0.5),
        lambda lib, t, f: f.clone().addcdiv_(t, t),
    ],
    ids=["integers", "float self", "in place"],
)
def test_addcdiv_of_two_integer_tensors_is_torchs_runtime_error(call):
    """torch refuses addcdiv's integer division of tensor1 by tensor2 ("Integer division with addcdiv is no longer
    supported"), whatever self's dtype; here it computed a float quotient."""
    t, f = np.array([1, 2, 4]), np.array([1.0, 2.0, 0.5], dtype=np.float32)
    with pytest.raises(RuntimeError):
        call(torch, torch.tensor(t), torch.tensor(f))
    with pytest.raises(RuntimeError, match="addcdiv"):
        call(ag, Tensor(t), Tensor(f))


@pytest.mark.parametrize("dtype", ["int64", "uint8", "int8"])
@pytest.mark.parametrize(
    "call",
    [lambda lib, t: lib.frac(t), lambda lib, t: t.frac(), lambda lib, t: t.clone().frac_()],
    ids=["frac", "method", "frac_"],
)
def test_frac_of_an_integer_tensor_is_torchs_not_implemented_error(call, dtype):
    """torch has no integer frac ("frac_cpu" not implemented for 'Long'); here it gave a tensor of zeros (frac_ an
    InPlaceCastError, not a NotImplementedError)."""
    values = np.array([3, 0, 7], dtype=dtype)
    with pytest.raises(NotImplementedError):
        call(torch, torch.tensor(values))
    with pytest.raises(NotImplementedError, match="frac"):
        call(ag, Tensor(values))
