"""Port of minitorch's test suite (minitorch/minitorch and its Module-0/1/2 repositories: tests/test_operators.py,
test_scalar.py, test_autodiff.py, test_module.py, test_tensor_data.py, test_tensor.py, test_tensor_general.py,
test_conv.py, test_nn.py) to this library.

minitorch grows a scalar engine (``Scalar``, here ``Value``) into tensors (``Tensor``) with modules (``Module``,
``Parameter``, here ``nn.Module``, ``nn.Parameter``). Its plain-float operators (``mul``, ``relu_back``, ...) are
written here with the library's ops on Values and Tensors, its ``central_difference``/``derivative_check``/``grad_check``
are finite differences in float64 (a random cotangent instead of minitorch's plain sum, so that a softmax's gradient is
not trivially zero), and every gradient is also compared with torch's in float64. minitorch's conventions that differ
from torch's are written in torch's spelling: a reduction over ``dim`` drops the dimension (minitorch keeps it, use
``keepdim=True``), comparisons give boolean tensors outside the graph (minitorch's give float 0/1 with zero
gradient), ``max(t, dim)`` is ``amax(dim, keepdim=True)``, ``argmax`` one-hot is ``t == amax``, its ``Conv1dFun``/
``Conv2dFun`` (output the input's length, zeros past the right/bottom edge) is ``conv1d``/``conv2d`` of the input padded
on the right/bottom, and ``dropout(t, rate, ignore=True)`` is ``F.dropout(t, rate, training=False)``.

The hypothesis strategies are minitorch's (floats in [-100, 100], shapes of 1 to 4 dimensions of sizes 1 to 3,
tensors stored in a permuted layout so that their strides are not contiguous), bounded and derandomized.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd
import nn
import nn.functional as F
from autograd import Function, Tensor, Value

torch = pytest.importorskip("torch")

SETTINGS = settings(
    max_examples=15, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)
EPS = 1e-6

# -- minitorch's strategies ----------------------------------------------------------------------------------------
small_ints = st.integers(min_value=1, max_value=3)
small_floats = st.floats(min_value=-100, max_value=100, allow_nan=False)
med_ints = st.integers(min_value=1, max_value=20)
shapes = st.lists(small_ints, min_size=1, max_size=4).map(tuple)


@st.composite
def arrays(draw: Any, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """minitorch's tensor_data: the numbers stored in a permuted layout, then permuted back to ``shape``."""
    shape = draw(shapes) if shape is None else shape
    data = draw(st.lists(small_floats, min_size=math.prod(shape), max_size=math.prod(shape)))
    order = draw(st.permutations(range(len(shape))))
    stored = np.array(data, dtype=np.float64).reshape([shape[i] for i in order])
    return stored.transpose(np.argsort(order))


@st.composite
def shaped_arrays(draw: Any, n: int) -> list[np.ndarray]:
    """minitorch's shaped_tensors: ``n`` arrays of one shape."""
    first = draw(arrays())
    return [first] + [draw(arrays(first.shape)) for _ in range(n - 1)]


# -- finite differences (minitorch's central_difference / derivative_check / grad_check) -----------------------------
def central_difference(f: Callable[..., float], *vals: float, arg: int = 0, epsilon: float = EPS) -> float:
    """(f(.., x + eps, ..) - f(.., x - eps, ..)) / (2 eps) along argument ``arg``."""
    up, down = list(vals), list(vals)
    up[arg] += epsilon
    down[arg] -= epsilon
    return (f(*up) - f(*down)) / (2 * epsilon)


def derivative_check(fn: Callable[..., Any], *xs: float) -> None:
    """fn of Values: each Value's derivative against central differences in float64 and against torch's."""
    leaves = [Value(float(x)) for x in xs]
    out = fn(*leaves)
    out.backward()
    theirs = [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in xs]
    torch_out = fn(*theirs)
    torch_out.backward()
    np.testing.assert_allclose(out.data, torch_out.item(), rtol=1e-10, atol=1e-12)
    for i, (leaf, other) in enumerate(zip(leaves, theirs)):
        numeric = central_difference(lambda *v: fn(*[Value(a) for a in v]).data, *map(float, xs), arg=i)
        atol = 1e-5 + 1e-8 * abs(out.data)  # the rounding of f's values, divided by the step
        np.testing.assert_allclose(leaf.grad, numeric, rtol=1e-5, atol=atol, err_msg=f"argument {i} vs differences")
        np.testing.assert_allclose(leaf.grad, other.grad.item(), rtol=1e-10, atol=1e-12, err_msg=f"argument {i}")


def grad_check(fn: Callable[..., Any], *xs: np.ndarray, seed: int = 0, rtol: float = 1e-5) -> None:
    """fn of Tensors: the gradient of <fn(*xs), v> (v a fixed random cotangent) with respect to every input, against
    central differences in float64 along every element, and the value and gradients against torch's."""
    xs = tuple(np.array(x, dtype=np.float64) for x in xs)
    leaves = [Tensor(x.copy(), requires_grad=True) for x in xs]
    out = fn(*leaves)
    v = np.random.default_rng(seed).standard_normal(out.shape)
    (out * Tensor(v)).sum().backward()
    theirs = [torch.tensor(x, requires_grad=True) for x in xs]
    torch_out = fn(*theirs)
    (torch_out * torch.tensor(v)).sum().backward()
    np.testing.assert_allclose(out.data, torch_out.detach().numpy(), rtol=1e-10, atol=1e-10)

    def inner(*arrays_: np.ndarray) -> float:
        with autograd.no_grad():
            return float(np.sum(fn(*[Tensor(a) for a in arrays_]).data * v))

    for i, (leaf, other) in enumerate(zip(leaves, theirs)):
        numeric = np.zeros_like(xs[i])
        for k in np.ndindex(xs[i].shape):
            moved_up, moved_down = [x.copy() for x in xs], [x.copy() for x in xs]
            moved_up[i][k] += EPS
            moved_down[i][k] -= EPS
            numeric[k] = (inner(*moved_up) - inner(*moved_down)) / (2 * EPS)
        grad = np.asarray(leaf.grad)
        assert grad.shape == xs[i].shape
        atol = 1e-5 + 1e-8 * float(np.sum(np.abs(out.data * v)))  # the rounding of <f, v>, divided by the step
        np.testing.assert_allclose(grad, numeric, rtol=rtol, atol=atol, err_msg=f"argument {i} vs differences")
        np.testing.assert_allclose(grad, other.grad.numpy(), rtol=1e-9, atol=1e-9, err_msg=f"argument {i} vs torch")


def assert_close(a: Any, b: Any) -> None:
    """minitorch's is_close: |a - b| < 1e-2 (here relative too, for numbers up to 1e6)."""
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64), rtol=1e-7, atol=1e-2)


# -- test_operators.py: the operators on floats, written with Values and Tensors -----------------------------------
@SETTINGS
@given(small_floats, small_floats)
def test_same_as_python(x: float, y: float) -> None:
    assert_close((Value(x) * Value(y)).data, x * y)
    assert_close((Value(x) + Value(y)).data, x + y)
    assert_close((-Value(x)).data, -x)
    assert_close(Value(x).max(Value(y)).data, x if x > y else y)
    assert_close(Value(x).maximum(Value(y)).data, torch.maximum(torch.tensor(x), torch.tensor(y)).item())
    if abs(x) > 1e-5:
        assert_close(Value(x).reciprocal().data, 1.0 / x)


@SETTINGS
@given(small_floats)
def test_relu(a: float) -> None:
    assert Value(a).relu().data == (a if a > 0 else 0.0)
    assert Value(a).relu().data == torch.relu(torch.tensor(a, dtype=torch.float64)).item()


@SETTINGS
@given(small_floats, small_floats)
def test_relu_back(a: float, b: float) -> None:
    """relu_back(a, b): b times relu's derivative at a (0 at 0, as torch's)."""
    x = Value(a)
    x.relu().backward(b)
    t = torch.tensor(a, dtype=torch.float64, requires_grad=True)
    torch.relu(t).backward(torch.tensor(b, dtype=torch.float64))
    assert x.grad == (b if a > 0 else 0.0) == t.grad.item()


@SETTINGS
@given(small_floats, small_floats)
def test_log_back_inv_back(a: float, b: float) -> None:
    """log_back(a, b) = b / a and inv_back(a, b) = -b / a**2, as the seeded backward of log and of 1/x."""
    x = Value(abs(a) + 4)
    x.log().backward(b)
    np.testing.assert_allclose(x.grad, b / (abs(a) + 4), rtol=1e-12)
    y = Value(a + 2.4)
    assume(abs(a + 2.4) > 1e-3)
    y.reciprocal().backward(b)
    t = torch.tensor(a + 2.4, dtype=torch.float64, requires_grad=True)
    t.reciprocal().backward(torch.tensor(b, dtype=torch.float64))
    np.testing.assert_allclose(y.grad, -b / (a + 2.4) ** 2, rtol=1e-12)
    np.testing.assert_allclose(y.grad, t.grad.item(), rtol=1e-12)


@SETTINGS
@given(small_floats)
def test_id_lt_max_eq(a: float) -> None:
    assert Value(a).data == a  # id
    assert (Value(a - 1.0) < Value(a)) is True and (Value(a) < Value(a - 1.0)) is False
    assert Value(a - 1.0).max(Value(a)).data == a and Value(a).max(Value(a - 1.0)).data == a
    assert Value(a + 1.0).max(Value(a)).data == a + 1.0 and Value(a).max(Value(a + 1.0)).data == a + 1.0
    assert Value(a) == Value(a) and not Value(a) == Value(a - 1.0) and not Value(a) == Value(a + 1.0)
    # is_close on tensors, as torch's isclose
    t = Tensor([a, a + 1.0])
    assert autograd.isclose(t, Tensor([a, a + 1.0 + 1e-12])).all().item()
    assert not autograd.isclose(t, Tensor([a, a + 2.0])).all().item()


@SETTINGS
@given(small_floats)
def test_sigmoid(a: float) -> None:
    s = Value(a).sigmoid().data
    np.testing.assert_allclose(s, torch.sigmoid(torch.tensor(a, dtype=torch.float64)).item(), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(s, 1.0 / (1.0 + math.exp(-a)) if a >= 0 else math.exp(a) / (1.0 + math.exp(a)))
    assert 0.0 <= s <= 1.0
    assert_close(1 - s, Value(-a).sigmoid().data)
    assert Value(0.0).sigmoid().data == 0.5
    if abs(a) < 10:
        step = 0.1 if abs(a) < 1 else 1.0
        assert Value(a - step).sigmoid().data < s < Value(a + step).sigmoid().data


@SETTINGS
@given(small_floats, small_floats, small_floats)
def test_transitive_symmetric_distribute(a: float, b: float, c: float) -> None:
    if Value(a) < Value(b) and Value(b) < Value(c):
        assert Value(a) < Value(c)
    assert (Value(a) * Value(b)).data == (Value(b) * Value(a)).data
    assert_close((Value(c) * (Value(a) + Value(b))).data, (Value(c) * Value(a) + Value(c) * Value(b)).data)
    if a < b:
        assert Value(a) < Value(b)


@SETTINGS
@given(st.lists(small_floats, min_size=5, max_size=5), st.lists(small_floats, min_size=5, max_size=5))
def test_zip_with_sum_distribute(ls1: list[float], ls2: list[float]) -> None:
    """zipWith(add) is Tensor addition, reduce(add) is sum, map(neg) is negation."""
    added = Tensor(ls1) + Tensor(ls2)
    np.testing.assert_allclose(added.data, np.add(ls1, ls2))
    assert_close(added.sum().item(), Tensor(ls1).sum().item() + Tensor(ls2).sum().item())
    np.testing.assert_array_equal((-Tensor(ls1)).data, [-x for x in ls1])
    assert_close(Value.sum([Value(x) for x in ls1]).data, math.fsum(ls1))


@SETTINGS
@given(st.lists(small_floats))
def test_sum(ls: list[float]) -> None:
    ours = Tensor(np.array(ls, dtype=np.float64)).sum()
    assert_close(ours.item(), torch.tensor(ls, dtype=torch.float64).sum().item())


@SETTINGS
@given(st.lists(st.sampled_from([0.0, -2.0, 0.5]) | small_floats, min_size=1, max_size=5))
def test_prod(ls: list[float]) -> None:
    """prod's value and gradient (zeros included: the gradient of a product with one zero is not 0/0)."""
    grad_check(lambda t: t.prod(), np.array(ls))
    assert_close(Tensor(ls).prod().item(), math.prod(ls))


# -- MathTest / MathTestVariable (minitorch/testing.py), on floats, Values, Tensors and torch -------------------------
ONE_ARG: dict[str, Callable[[Any], Any]] = {
    "neg": lambda a: -a,
    "addConstant": lambda a: 5 + a,
    "square": lambda a: a * a,
    "cube": lambda a: a * a * a,
    "subConstant": lambda a: a - 5,
    "multConstant": lambda a: 5 * a,
    "div": lambda a: a / 5,
    "inv": lambda a: 1.0 / (a + 3.5),
    "sig": lambda a: a.sigmoid(),
    "log": lambda a: (a + 100000).log(),
    "relu": lambda a: (a + 5.5).relu(),
    "exp": lambda a: (a - 200).exp(),
    "explog": lambda a: (a + 100000).log() + (a - 200).exp(),
    "complex": lambda a: (((a * 10 + 7).relu() * 6 + 5).relu() * 10).sigmoid().log() / 50,
}
FLOAT_ONE_ARG: dict[str, Callable[[float], float]] = {
    "neg": lambda a: -a,
    "addConstant": lambda a: 5 + a,
    "square": lambda a: a * a,
    "cube": lambda a: a * a * a,
    "subConstant": lambda a: a - 5,
    "multConstant": lambda a: 5 * a,
    "div": lambda a: a / 5,
    "inv": lambda a: 1.0 / (a + 3.5),
    "sig": lambda a: 1 / (1 + math.exp(-a)) if a >= 0 else math.exp(a) / (1 + math.exp(a)),
    "log": lambda a: math.log(a + 100000),
    "relu": lambda a: max(a + 5.5, 0.0),
    "exp": lambda a: math.exp(a - 200),
    "explog": lambda a: math.log(a + 100000) + math.exp(a - 200),
    "complex": lambda a: math.log(FLOAT_ONE_ARG["sig"](max(max(a * 10 + 7, 0.0) * 6 + 5, 0.0) * 10)) / 50,
}
# the points near which a function has a kink or a pole (central differences straddling them are not derivatives)
SINGULAR = {"inv": -3.5, "relu": -5.5, "complex": -0.7, "div2": -5.5}  # (div2: its second argument)

TWO_ARG: dict[str, Callable[[Any, Any], Any]] = {
    "add2": lambda a, b: a + b,
    "mul2": lambda a, b: a * b,
    "div2": lambda a, b: a / (b + 5.5),
}
FLOAT_TWO_ARG = dict(TWO_ARG)  # (the same arithmetic on floats)
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "gt2": lambda a, b: a + 1.2 > b,
    "lt2": lambda a, b: a + 1.2 < b,
    "eq2": lambda a, b: a == (b + 5.5),
}
REDUCTIONS: dict[str, Callable[[Any], Any]] = {
    "sum_red": lambda a: a.sum(0),
    "mean_red": lambda a: a.mean(0),
    "mean_full_red": lambda a: a.mean(),
}


def _away_from_singular(name: str, values: Any, margin: float = 1e-3) -> bool:
    return name not in SINGULAR or bool(np.all(np.abs(np.asarray(values) - SINGULAR[name]) > margin))


def test_central_diff() -> None:
    """minitorch's task 1.1 checks of central_difference itself."""
    assert_close(central_difference(lambda x: x, 5.0, arg=0), 1.0)
    assert_close(central_difference(lambda x, y: x + y, 5.0, 10.0, arg=0), 1.0)
    assert_close(central_difference(lambda x, y: x * y, 5.0, 10.0, arg=0), 10.0)
    assert_close(central_difference(lambda x, y: x * y, 5.0, 10.0, arg=1), 5.0)
    assert_close(central_difference(lambda x: Value(x).exp().data, 2.0, arg=0), math.exp(2.0))


@SETTINGS
@given(small_floats, small_floats)
def test_scalar_simple(a: float, b: float) -> None:
    assert_close((Value(a) + Value(b)).data, a + b)
    assert_close((Value(a) * Value(b)).data, a * b)
    assert_close((Value(a).relu() + Value(b).relu()).data, max(a, 0.0) + max(b, 0.0))


@pytest.mark.parametrize("name", sorted(ONE_ARG))
@SETTINGS
@given(small_floats)
def test_scalar_one_args(name: str, t1: float) -> None:
    assert_close(ONE_ARG[name](Value(t1)).data, FLOAT_ONE_ARG[name](t1))


@pytest.mark.parametrize("name", sorted(TWO_ARG))
@SETTINGS
@given(small_floats, small_floats)
def test_scalar_two_args(name: str, t1: float, t2: float) -> None:
    assume(name != "div2" or abs(t2 + 5.5) > 1e-3)
    assert_close(TWO_ARG[name](Value(t1), Value(t2)).data, FLOAT_TWO_ARG[name](t1, t2))


@pytest.mark.parametrize("name", sorted(COMPARISONS))
@SETTINGS
@given(small_floats, small_floats)
def test_scalar_comparisons(name: str, t1: float, t2: float) -> None:
    """minitorch's comparisons give 1.0/0.0; a Value's give Python's bools (the README's policy)."""
    assert COMPARISONS[name](Value(t1), Value(t2)) == COMPARISONS[name](t1, t2)


@pytest.mark.parametrize("name", sorted(ONE_ARG))
@SETTINGS
@given(small_floats)
def test_scalar_one_derivative(name: str, t1: float) -> None:
    assume(_away_from_singular(name, t1, margin=0.1))
    derivative_check(ONE_ARG[name], t1)


@pytest.mark.parametrize("name", sorted(TWO_ARG))
@SETTINGS
@given(small_floats, small_floats)
def test_scalar_two_derivative(name: str, t1: float, t2: float) -> None:
    assume(name != "div2" or abs(t2 + 5.5) > 0.1)
    derivative_check(TWO_ARG[name], t1, t2)


def test_scalar_name() -> None:
    x = Value(10.0, label="x")
    y = (x + 10.0) * 20
    y.label = "y"
    assert (x.label, y.label, y.data) == ("x", "y", 400.0)


# -- test_autodiff.py: Functions with forward/backward, constants, backprop through shared nodes --------------------
class Function1(Function):
    """f(x, y) = x + y + 10."""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        return x + y + 10

    @staticmethod
    def backward(ctx: Any, d_output: Any) -> Any:
        # torch refuses a gradient for an input that is not a tensor (minitorch drops it): give None there
        return tuple(d_output if needed else None for needed in ctx.needs_input_grad)


class Function2(Function):
    """f(x, y) = x * y + x."""

    @staticmethod
    def forward(ctx: Any, x: Any, y: Any) -> Any:
        ctx.save_for_backward(x, y)
        ctx.constants = (x, y)
        return x * y + x

    @staticmethod
    def backward(ctx: Any, d_output: Any) -> Any:
        x, y = ctx.constants
        gx, gy = d_output * (y + 1), d_output * x
        return tuple(g if needed else None for g, needed in zip((gx, gy), ctx.needs_input_grad))


def _torch_function(ours: type) -> type:
    """The same Function written as a torch.autograd.Function."""
    return type(ours.__name__, (torch.autograd.Function,), {"forward": ours.forward, "backward": ours.backward})


def test_chain_rule_constants() -> None:
    """A constant input gets no derivative; a Variable gets d_output times the local derivative."""
    constant = Value(10.0, requires_grad=False)
    var = Value(5.0)
    Function2.apply(constant, var).backward(5.0)
    assert var.grad == 5 * 10 and not constant.requires_grad
    var1, var2 = Value(5.0), Value(10.0)
    Function2.apply(var1, var2).backward(5.0)
    assert (var1.grad, var2.grad) == (5 * (10 + 1), 5 * 5)
    with autograd.no_grad():
        out = Function1.apply(Value(1.0), Value(2.0))
    assert out.data == 13.0 and not out.requires_grad


def _backprop_examples(lib_apply: Callable[..., Any], leaf: Callable[[], Any], seed: Any = 5.0) -> list[float]:
    results = []
    var = leaf()  # Example 1: F1(0, v)
    lib_apply(Function1, 0.0, var).backward(seed)
    results.append(var)
    var = leaf()  # Example 2: F1(0, F1(0, v))
    lib_apply(Function1, 0.0, lib_apply(Function1, 0.0, var)).backward(seed)
    results.append(var)
    var1 = leaf()  # Example 3: F1(F1(0, v1), F1(0, v1))
    lib_apply(Function1, lib_apply(Function1, 0.0, var1), lib_apply(Function1, 0.0, var1)).backward(seed)
    results.append(var1)
    var0 = leaf()  # Example 4: a shared node below the fork
    var1 = lib_apply(Function1, 0.0, var0)
    lib_apply(Function1, lib_apply(Function1, 0.0, var1), lib_apply(Function1, 0.0, var1)).backward(seed)
    results.append(var0)
    return [float(v.grad) for v in results]


def test_backprop() -> None:
    ours = _backprop_examples(lambda f, *a: f.apply(*a), lambda: Value(0.0))
    assert ours == [5.0, 5.0, 10.0, 10.0]
    torch_f1 = _torch_function(Function1)
    theirs = _backprop_examples(
        lambda f, *a: torch_f1.apply(*a),
        lambda: torch.tensor(0.0, dtype=torch.float64, requires_grad=True),
        torch.tensor(5.0, dtype=torch.float64),
    )
    assert ours == theirs
    # the same graphs with Tensors
    tensors = _backprop_examples(lambda f, *a: f.apply(*a), lambda: Tensor(0.0, requires_grad=True))
    assert tensors == theirs


# -- test_module.py: named_parameters, train/eval, nesting, repr, forward --------------------------------------------
def _module_classes(lib: Any, parameter: Callable[[float], Any]) -> dict[str, type]:
    """minitorch's website example and stacked modules, written for ``lib`` (torch.nn or nn)."""

    class ModuleA4(lib.Module):
        def __init__(self) -> None:
            super().__init__()
            self.p3 = parameter(15.0)

    class ModuleA2(lib.Module):
        def __init__(self) -> None:
            super().__init__()
            self.p2 = parameter(10.0)

    class ModuleA3(lib.Module):
        def __init__(self) -> None:
            super().__init__()
            self.c = ModuleA4()

    class ModuleA1(lib.Module):
        def __init__(self) -> None:
            super().__init__()
            self.p1 = parameter(5.0)
            self.non_param = 10
            self.a = ModuleA2()
            self.b = ModuleA3()

    class Module3(lib.Module):
        def __init__(self) -> None:
            super().__init__()
            self.parameter_a = parameter(VAL_A)

    class Module2(lib.Module):
        def __init__(self, extra: int = 0) -> None:
            super().__init__()
            self.parameter_a = parameter(VAL_A)
            self.parameter_b = parameter(VAL_B)
            self.non_parameter = 10
            self.module_c = Module3()
            for i in range(extra):
                self.register_parameter(f"extra_parameter_{i}", parameter(0.0))

    class Module1(lib.Module):
        def __init__(self, size_a: int, size_b: int, val: float) -> None:
            super().__init__()
            self.module_a = Module2(size_a)
            self.module_b = Module2(size_b)
            self.parameter_a = parameter(val)

    class ModuleRun(lib.Module):
        def forward(self) -> int:
            return 10

    return dict(ModuleA1=ModuleA1, Module1=Module1, Module2=Module2, ModuleRun=ModuleRun)


VAL_A = 50.0
VAL_B = 100.0
OURS = _module_classes(nn, lambda v: nn.Parameter(autograd.tensor(v)))
# (autograd.tensor of a float is float64, numpy's default dtype: the README's policy; torch's is float32)
THEIRS = _module_classes(torch.nn, lambda v: torch.nn.Parameter(torch.tensor(v, dtype=torch.float64)))


def _named(module: Any) -> list[tuple[str, float]]:
    return [(name, p.item()) for name, p in module.named_parameters()]


def test_stacked_demo() -> None:
    mod, theirs = OURS["ModuleA1"](), THEIRS["ModuleA1"]()
    named = dict(mod.named_parameters())
    assert mod.p1.item() == 5 and mod.non_param == 10
    assert (named["p1"].item(), named["a.p2"].item(), named["b.c.p3"].item()) == (5, 10, 15)
    assert _named(mod) == _named(theirs)  # torch's order: own parameters, then each child's, depth first
    assert str(mod) == str(theirs) and repr(mod) == repr(theirs)
    assert [n for n, _ in mod.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in mod.named_children()] == [n for n, _ in theirs.named_children()]


@SETTINGS
@given(med_ints, med_ints)
def test_module(size_a: int, size_b: int) -> None:
    module = OURS["Module2"]()
    module.eval()
    assert not module.training and not module.module_c.training
    module.train()
    assert module.training and module.module_c.training
    assert len(list(module.parameters())) == 3
    assert len(list(OURS["Module2"](size_b).parameters())) == size_b + 3
    module = OURS["Module2"](size_a)
    named = dict(module.named_parameters())
    assert (named["parameter_a"].item(), named["parameter_b"].item()) == (VAL_A, VAL_B)
    assert named["extra_parameter_0"].item() == 0
    assert _named(module) == _named(THEIRS["Module2"](size_a))


@SETTINGS
@given(med_ints, med_ints, small_floats)
def test_stacked_module(size_a: int, size_b: int, val: float) -> None:
    module = OURS["Module1"](size_a, size_b, val)
    theirs = THEIRS["Module1"](size_a, size_b, val)
    module.eval()
    assert not any(m.training for m in (module, module.module_a, module.module_b, module.module_a.module_c))
    module.train()
    assert all(m.training for m in (module, module.module_a, module.module_b, module.module_a.module_c))
    assert len(list(module.parameters())) == 1 + (size_a + 3) + (size_b + 3)
    named = dict(module.named_parameters())
    assert named["parameter_a"].item() == val
    assert named["module_a.parameter_a"].item() == VAL_A and named["module_a.parameter_b"].item() == VAL_B
    assert named["module_b.parameter_a"].item() == VAL_A and named["module_b.parameter_b"].item() == VAL_B
    assert _named(module) == _named(theirs)
    assert str(module) == str(theirs)


def test_module_forward() -> None:
    mod = OURS["ModuleRun"]()
    assert mod.forward() == 10 and mod() == 10
    with pytest.raises(NotImplementedError):
        nn.Module()()
    with pytest.raises(NotImplementedError):
        torch.nn.Module()()


def test_parameter() -> None:
    """A Parameter requires grad; giving it new data (minitorch's update) keeps it a leaf that requires grad."""
    p = nn.Parameter(autograd.tensor([1.0, 2.0]))
    assert p.requires_grad and p.is_leaf
    p.data = np.array([3.0, 4.0])
    assert p.requires_grad and p.is_leaf
    np.testing.assert_array_equal(p.data, [3.0, 4.0])
    assert repr(nn.Parameter(autograd.tensor(5.0))).startswith("Parameter")


# -- test_tensor_data.py: layout, strides, indices, permute, broadcast shapes ----------------------------------------
def test_layout() -> None:
    t = autograd.zeros(3, 5)
    assert t.is_contiguous() and t.shape == (3, 5) and t.stride() == (5, 1)
    assert t.stride() == torch.zeros(3, 5).stride()
    transposed = autograd.zeros(3, 5).transpose(0, 1)  # minitorch's TensorData(data, (5, 3), (1, 5))
    assert transposed.shape == (5, 3) and transposed.stride() == (1, 5) and not transposed.is_contiguous()
    assert autograd.zeros(4, 2, 2).stride() == (4, 2, 1)


@SETTINGS
@given(st.data())
def test_permute_layout(data: Any) -> None:
    """Reversing the dimensions reverses an element's index and the strides; reversing twice gives them back."""
    x = data.draw(arrays())
    t, theirs = Tensor(x), torch.from_numpy(x)  # both keep the permuted layout
    index = tuple(data.draw(st.integers(0, s - 1)) for s in x.shape)
    reverse = list(reversed(range(x.ndim)))
    rev = t.permute(*reverse)
    assert rev[tuple(reversed(index))].item() == t[index].item()
    assert rev.permute(*reverse)[index].item() == t[index].item()
    assert rev.shape == tuple(theirs.permute(*reverse).shape)
    assert rev.stride() == tuple(reversed(t.stride()))
    assert autograd.zeros(x.shape).stride() == torch.zeros(x.shape).stride()
    for ours, other in [(t, theirs), (rev, theirs.permute(*reverse))]:
        assert ours.is_contiguous() == other.is_contiguous()
        assert ours.contiguous().is_contiguous()
        if 1 not in x.shape:  # (a length-1 dimension's stride is free: numpy's and torch's differ there)
            assert ours.stride() == other.stride() and ours.contiguous().stride() == other.contiguous().stride()


def test_shape_broadcast() -> None:
    for a, b, expected in [
        ((1,), (5, 5), (5, 5)),
        ((5, 5), (1,), (5, 5)),
        ((1, 5, 5), (5, 5), (1, 5, 5)),
        ((5, 1, 5, 1), (1, 5, 1, 5), (5, 5, 5, 5)),
        ((2, 5), (5,), (2, 5)),
    ]:
        assert autograd.broadcast_shapes(a, b) == expected == tuple(torch.broadcast_shapes(a, b))
    for a, b in [((5, 7, 5, 1), (1, 5, 1, 5)), ((5, 2), (5,))]:
        with pytest.raises(RuntimeError):
            torch.broadcast_shapes(a, b)
        with pytest.raises(RuntimeError):
            autograd.broadcast_shapes(a, b)


def test_index_errors() -> None:
    t = autograd.tensor([[2.0, 3, 4], [4, 5, 7]])
    with pytest.raises(IndexError):
        t[50, 2]
    with pytest.raises(IndexError):
        t[-3, 0]
    with pytest.raises(RuntimeError):  # minitorch's xfail: a permuted tensor cannot be viewed
        t.permute(1, 0).view(6)
    with pytest.raises(RuntimeError):
        torch.tensor([[2.0, 3, 4], [4, 5, 7]]).permute(1, 0).view(6)


# -- test_tensor.py / test_tensor_general.py: creation, elementwise, reductions, gradients, views, matmul --------------
@SETTINGS
@given(st.lists(small_floats, min_size=1))
def test_create(t1: list[float]) -> None:
    t2 = autograd.tensor(t1)
    assert t2.dtype == torch.tensor(t1, dtype=torch.float64).numpy().dtype
    for i in range(len(t1)):
        assert t1[i] == t2[i].item()


@pytest.mark.parametrize("name", sorted(ONE_ARG))
@SETTINGS
@given(arrays())
def test_tensor_one_args(name: str, t1: np.ndarray) -> None:
    out = ONE_ARG[name](Tensor(t1))
    assert out.shape == t1.shape
    for index in np.ndindex(t1.shape):
        assert_close(out[index].item(), FLOAT_ONE_ARG[name](float(t1[index])))


@pytest.mark.parametrize("name", sorted(TWO_ARG) + sorted(COMPARISONS))
@SETTINGS
@given(shaped_arrays(2))
def test_tensor_two_args(name: str, ts: list[np.ndarray]) -> None:
    t1, t2 = ts
    fn = {**TWO_ARG, **COMPARISONS}[name]
    assume(name != "div2" or _away_from_singular("div2", t2, margin=1e-3))
    out = fn(Tensor(t1), Tensor(t2))
    theirs = fn(torch.tensor(t1), torch.tensor(t2))
    assert out.dtype == theirs.numpy().dtype
    for index in np.ndindex(t1.shape):
        assert_close(out[index].item(), fn(float(t1[index]), float(t2[index])))
    if name in COMPARISONS:  # boolean tensors outside the graph, as torch's (minitorch's have a zero gradient)
        out = fn(Tensor(t1, requires_grad=True), Tensor(t2, requires_grad=True))
        assert not out.requires_grad and out.grad_fn is None


@pytest.mark.parametrize("name", sorted(ONE_ARG))
@SETTINGS
@given(arrays())
def test_tensor_one_derivative(name: str, t1: np.ndarray) -> None:
    assume(_away_from_singular(name, t1, margin=0.1))
    grad_check(ONE_ARG[name], t1)


@SETTINGS
@given(st.data())
def test_tensor_permute(data: Any) -> None:
    t1 = data.draw(arrays())
    permutation = data.draw(st.permutations(range(t1.ndim)))
    grad_check(lambda a: a.permute(*permutation), t1)


def test_grad_size() -> None:
    """The broadcast dimension's gradient is summed away (from minitorch's @WannaFy test)."""
    a = autograd.tensor([1.0], requires_grad=True)
    b = autograd.tensor([[1.0, 1.0]], requires_grad=True)
    c = (a * b).sum()
    c.backward()
    ta = torch.tensor([1.0], requires_grad=True)
    tb = torch.tensor([[1.0, 1.0]], requires_grad=True)
    (ta * tb).sum().backward()
    assert c.shape == tuple((ta * tb).sum().shape) == ()
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    np.testing.assert_array_equal(a.grad, ta.grad.numpy())
    np.testing.assert_array_equal(b.grad, tb.grad.numpy())


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@SETTINGS
@given(arrays())
def test_tensor_reduce(name: str, t1: np.ndarray) -> None:
    grad_check(REDUCTIONS[name], t1)
    keep = {"sum_red": lambda a: a.sum(0, keepdim=True), "mean_red": lambda a: a.mean(0, keepdim=True)}
    if name in keep:  # minitorch keeps the reduced dimension
        grad_check(keep[name], t1)


@pytest.mark.parametrize("name", sorted(TWO_ARG))
@settings(SETTINGS, max_examples=10)
@given(shaped_arrays(2))
def test_tensor_two_grad_broadcast(name: str, ts: list[np.ndarray]) -> None:
    t1, t2 = ts
    assume(name != "div2" or _away_from_singular("div2", t2, margin=0.5))
    fn = TWO_ARG[name]
    grad_check(fn, t1, t2)
    # broadcast check: minitorch's sum(0) keeps the dimension, torch's drops it; both broadcast
    grad_check(fn, t1.sum(0, keepdims=True), t2)
    grad_check(fn, t1, t2.sum(0, keepdims=True))
    if t1.ndim > 1:
        grad_check(fn, t1.sum(0), t2)
        assume(name != "div2" or _away_from_singular("div2", t2.sum(0), margin=0.5))
        grad_check(fn, t1, t2.sum(0))


def test_fromlist_view_fromnumpy() -> None:
    t = autograd.tensor([[2.0, 3, 4], [4, 5, 7]])
    assert t.shape == (2, 3) and autograd.tensor([[[2.0, 3, 4], [4, 5, 7]]]).shape == (1, 2, 3)
    t2 = t.view(6)
    assert t2.shape == (6,)
    t2 = t2.view(1, 6)
    assert t2.shape == (1, 6)
    t2 = t2.view(6, 1)
    assert t2.shape == (6, 1)
    t2 = t2.view(2, 3)
    assert autograd.isclose(t, t2).all().item()
    n = t.numpy()
    t3 = autograd.tensor(n.tolist())
    assert all(t[i].item() == t3[i].item() for i in np.ndindex(t.shape))
    # printed as torch prints it, under this library's class name
    assert str(t) == str(torch.tensor([[2.0, 3, 4], [4, 5, 7]])).replace("tensor", "Tensor")


@SETTINGS
@given(arrays())
def test_back_view(t1: np.ndarray) -> None:
    def view(a: Any) -> Any:
        a = a.contiguous()
        return a.view(a.numel())

    grad_check(view, t1)


def test_reduce_forward() -> None:
    t = autograd.tensor([[2.0, 3], [4, 6], [5, 7]])
    theirs = torch.tensor([[2.0, 3], [4, 6], [5, 7]])
    for fn in (
        lambda a: a.sum(0),
        lambda a: a.sum(1),
        lambda a: a.sum(),
        lambda a: a.sum(0, keepdim=True),
        lambda a: a.sum(1, keepdim=True),
    ):
        assert fn(t).shape == tuple(fn(theirs).shape)
        np.testing.assert_array_equal(fn(t).data, fn(theirs).numpy())
    np.testing.assert_array_equal(t.sum(0, keepdim=True).data, [[11, 16]])
    np.testing.assert_array_equal(t.sum(1, keepdim=True).data, [[5], [10], [12]])
    assert t.sum().item() == 27


def test_mm2() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.random((2, 3)), rng.random((3, 4))
    c = Tensor(a) @ Tensor(b)
    c2 = (Tensor(a).view(2, 3, 1) * Tensor(b).view(1, 3, 4)).sum(1).view(2, 4)
    np.testing.assert_allclose(c.data, c2.data, rtol=1e-12)
    grad_check(lambda x, y: x @ y, a, b)


@SETTINGS
@given(st.data())
def test_bmm(data: Any) -> None:
    """A batch of matrices times one broadcast matrix, against the product written as a broadcast sum."""
    sizes = st.integers(min_value=2, max_value=4)
    A, B, C, D = (data.draw(sizes) for _ in range(4))
    a = data.draw(arrays((D, A, B)))
    b = data.draw(arrays((1, B, C)))
    c = Tensor(a) @ Tensor(b)
    c2 = (Tensor(a).contiguous().view(D, A, B, 1) * Tensor(b).contiguous().view(1, 1, B, C)).sum(2).view(D, A, C)
    np.testing.assert_allclose(c.data, c2.data, rtol=1e-10, atol=1e-8)
    grad_check(lambda x, y: x @ y, a, b)


# -- test_conv.py: minitorch's Conv1dFun / Conv2dFun (output the input's size, zeros past the right edge) -------------
def _F(x: Any) -> Any:
    """The functional module of x's library."""
    return F if isinstance(x, Tensor) else torch.nn.functional


def conv1d_same(x: Any, w: Any) -> Any:
    F_ = _F(x)
    return F_.conv1d(F_.pad(x, (0, w.shape[2] - 1)), w)


def conv2d_same(x: Any, w: Any) -> Any:
    F_ = _F(x)
    return F_.conv2d(F_.pad(x, (0, w.shape[3] - 1, 0, w.shape[2] - 1)), w)


def test_conv1d_simple() -> None:
    t = autograd.tensor([0.0, 1, 2, 3]).view(1, 1, 4)
    t.requires_grad_(True)
    w = autograd.tensor([[1.0, 2, 3]]).view(1, 1, 3)
    out = conv1d_same(t, w)
    assert out.shape == (1, 1, 4)
    assert out[0, 0, 0].item() == 0 * 1 + 1 * 2 + 2 * 3
    assert out[0, 0, 1].item() == 1 * 1 + 2 * 2 + 3 * 3
    assert out[0, 0, 2].item() == 2 * 1 + 3 * 2
    assert out[0, 0, 3].item() == 3 * 1


@pytest.mark.parametrize("shapes_", [((1, 1, 6), (1, 1, 4)), ((2, 2, 6), (3, 2, 2))])
@settings(SETTINGS, max_examples=8)
@given(st.data())
def test_conv1d(shapes_: tuple[tuple[int, ...], tuple[int, ...]], data: Any) -> None:
    x, w = data.draw(arrays(shapes_[0])), data.draw(arrays(shapes_[1]))
    grad_check(conv1d_same, x, w)


@pytest.mark.parametrize(
    "shapes_", [((1, 1, 6, 6), (1, 1, 2, 4)), ((2, 1, 6, 6), (1, 1, 2, 4)), ((2, 2, 6, 6), (3, 2, 2, 4))]
)
@settings(SETTINGS, max_examples=5)
@given(st.data())
def test_conv2d(shapes_: tuple[tuple[int, ...], tuple[int, ...]], data: Any) -> None:
    x, w = data.draw(arrays(shapes_[0])), data.draw(arrays(shapes_[1]))
    grad_check(conv2d_same, x, w)


def test_conv2() -> None:
    t = autograd.tensor([[0.0, 1, 2, 3]] * 4).view(1, 1, 4, 4)
    t.requires_grad_(True)
    w = autograd.tensor([[1.0, 1], [1, 1]]).view(1, 1, 2, 2)
    w.requires_grad_(True)
    conv2d_same(t, w).sum().backward()
    tt = torch.tensor([[0.0, 1, 2, 3]] * 4, dtype=torch.float64).view(1, 1, 4, 4).requires_grad_(True)
    tw = torch.tensor([[1.0, 1], [1, 1]], dtype=torch.float64).view(1, 1, 2, 2).requires_grad_(True)
    conv2d_same(tt, tw).sum().backward()
    np.testing.assert_allclose(t.grad, tt.grad.numpy())
    np.testing.assert_allclose(w.grad, tw.grad.numpy())
    grad_check(conv2d_same, t.detach().numpy(), w.detach().numpy())


# -- test_nn.py: pooling, max/argmax, softmax, logsoftmax, dropout -------------------------------------------------
@SETTINGS
@given(arrays((1, 1, 4, 4)))
def test_avg(x: np.ndarray) -> None:
    t = Tensor(x)
    for kernel in [(2, 2), (2, 1), (1, 2)]:
        out = F.avg_pool2d(t, kernel)
        expected = sum(x[0, 0, i, j] for i in range(kernel[0]) for j in range(kernel[1])) / math.prod(kernel)
        assert_close(out[0, 0, 0, 0].item(), expected)
        grad_check(lambda a, k=kernel: _F(a).avg_pool2d(a, k), x)


def _spread(x: np.ndarray) -> np.ndarray:
    """x plus a ramp of steps 0.01 in a fixed shuffled order, so that hypothesis's repeated numbers are not ties."""
    ramp = np.random.default_rng(0).permutation(x.size).reshape(x.shape)
    return x + 0.01 * ramp


def _distinct(x: np.ndarray) -> bool:
    """No two elements within 1e-3 of each other (central differences at a tie of max are not a derivative)."""
    flat = np.sort(x.ravel())
    return bool(np.all(np.diff(flat) > 1e-3))


@SETTINGS
@given(arrays((2, 3, 4)))
def test_max(x: np.ndarray) -> None:
    """minitorch's max(t, dim) (the reduced dimension kept) and its argmax as a one-hot mask."""
    x = _spread(x)
    assume(_distinct(x))
    t = Tensor(x)
    for dim in range(3):
        out = t.amax(dim, keepdim=True)
        np.testing.assert_array_equal(out.data, x.max(axis=dim, keepdims=True))
        values, indices = t.max(dim=dim, keepdim=True)
        np.testing.assert_array_equal(values.data, out.data)
        np.testing.assert_array_equal(indices.data, torch.tensor(x).max(dim=dim, keepdim=True).indices.numpy())
        one_hot = t == out
        assert one_hot.sum().item() == x.size // x.shape[dim]
        np.testing.assert_array_equal(one_hot.data, (torch.tensor(x) == torch.tensor(x).amax(dim, keepdim=True)))
        grad_check(lambda a, d=dim: a.amax(d, keepdim=True), x)
        grad_check(lambda a, d=dim: a.max(dim=d)[0], x)
        grad_check(lambda a, d=dim: autograd.max(a, d)[0] if isinstance(a, Tensor) else torch.max(a, d)[0], x)


@SETTINGS
@given(arrays((1, 1, 4, 4)))
def test_max_pool(x: np.ndarray) -> None:
    t = Tensor(x)
    for kernel in [(2, 2), (2, 1), (1, 2)]:
        out = F.max_pool2d(t, kernel)
        assert out[0, 0, 0, 0].item() == max(x[0, 0, i, j] for i in range(kernel[0]) for j in range(kernel[1]))
    x = _spread(x)
    assume(_distinct(x))
    grad_check(lambda a: _F(a).max_pool2d(a, (2, 2)), x)


@SETTINGS
@given(arrays())
def test_drop(x: np.ndarray) -> None:
    t = Tensor(x, requires_grad=True)
    np.testing.assert_array_equal(F.dropout(t, 0.0).data, x)
    np.testing.assert_array_equal(F.dropout(t, 1.0).data, np.zeros_like(x))
    np.testing.assert_array_equal(torch.nn.functional.dropout(torch.tensor(x), 1.0).numpy(), np.zeros_like(x))
    np.testing.assert_array_equal(F.dropout(t, 0.75, training=False).data, x)  # minitorch's ignore=True
    autograd.manual_seed(0)
    mask = F.dropout(autograd.ones(x.shape), 0.75).data  # the same draw: 0 where dropped, 1 / (1 - p) where kept
    assert set(np.unique(mask)) <= {0.0, 4.0}
    autograd.manual_seed(0)
    q = F.dropout(t, 0.75)
    np.testing.assert_array_equal(q.data, x * mask)
    weights = np.arange(x.size, dtype=np.float64).reshape(x.shape)
    (q * Tensor(weights)).sum().backward()
    np.testing.assert_array_equal(t.grad, mask * weights)


@SETTINGS
@given(arrays((1, 1, 4, 4)))
def test_softmax(x: np.ndarray) -> None:
    t = Tensor(x)
    for dim in (3, 1):
        total = autograd.softmax(t, dim).sum(dim=dim)
        assert_close(total[(0, 0, 0)[: total.ndim]].item(), 1.0)
    grad_check(lambda a: a.softmax(dim=2), x)
    grad_check(lambda a: _F(a).softmax(a, dim=3), x)


@SETTINGS
@given(arrays((1, 1, 4, 4)))
def test_log_softmax(x: np.ndarray) -> None:
    t = Tensor(x)
    q = autograd.softmax(t, 3)
    q2 = F.log_softmax(t, 3).exp()
    np.testing.assert_allclose(q.data, q2.data, rtol=1e-12, atol=1e-300)
    grad_check(lambda a: a.log_softmax(dim=2), x)


# -- Module-1's project: a network of Scalar Linear layers (Parameters holding Values) trained with SGD ----------------
def _scalar_network(lib_module: type, parameter: Callable[[float], Any], weights: list[np.ndarray]) -> Any:
    """minitorch's run_scalar Network: Linear(2, h) -> relu -> Linear(h, h) -> relu -> Linear(h, 1) -> sigmoid, each
    weight its own scalar parameter (minitorch's Parameter(Scalar(...)))."""

    class Linear(lib_module):
        def __init__(self, w: np.ndarray, b: np.ndarray) -> None:
            super().__init__()
            self.weights, self.bias = [], []
            for i in range(w.shape[0]):
                self.weights.append([])
                for j in range(w.shape[1]):
                    self.weights[i].append(parameter(w[i, j]))
                    self.register_parameter(f"weight_{i}_{j}", self.weights[i][j])
            for j in range(b.shape[0]):
                self.bias.append(parameter(b[j]))
                self.register_parameter(f"bias_{j}", self.bias[j])

        def forward(self, inputs: list[Any]) -> list[Any]:
            outputs = []
            for j in range(len(self.bias)):
                total = self.bias[j]
                for i, x in enumerate(inputs):
                    total = total + x * self.weights[i][j]
                outputs.append(total)
            return outputs

    class Network(lib_module):
        def __init__(self) -> None:
            super().__init__()
            self.layer1 = Linear(weights[0], weights[1])
            self.layer2 = Linear(weights[2], weights[3])
            self.layer3 = Linear(weights[4], weights[5])

        def forward(self, x: list[Any]) -> Any:
            middle = [h.relu() for h in self.layer1(x)]
            end = [h.relu() for h in self.layer2(middle)]
            return self.layer3(end)[0].sigmoid()

    return Network()


def test_scalar_network_training() -> None:
    """Three SGD epochs of minitorch's scalar classifier (the per-point loss -log p divided by the dataset size, each
    point's backward accumulating) give torch's losses, gradients and parameters, step by step."""
    rng = np.random.default_rng(0)
    hidden = 3
    shapes_ = [(2, hidden), (hidden,), (hidden, hidden), (hidden,), (hidden, 1), (1,)]
    weights = [2 * (rng.random(s) - 0.5) for s in shapes_]
    X = rng.random((12, 2))
    y = (X[:, 0] > X[:, 1]).astype(int)  # minitorch's "diag" dataset
    ours = _scalar_network(nn.Module, lambda v: Value(float(v)), weights)
    theirs = _scalar_network(
        torch.nn.Module, lambda v: torch.nn.Parameter(torch.tensor(float(v), dtype=torch.float64)), weights
    )
    # the README's policy: Values (and Parameters) held in a module's lists are found by attribute discovery, so the
    # first name of each is its list's (``layer1.weights.0.1``), where torch names it as registered (``weight_0_1``)
    ours_named, theirs_named = list(ours.named_parameters()), list(theirs.named_parameters())

    def normal(name: str) -> str:
        return re.sub(r"[._]", "/", name).replace("weights", "weight")

    assert [normal(n) for n, _ in ours_named] == [normal(n) for n, _ in theirs_named]
    assert [p.data for _, p in ours_named] == [p.item() for _, p in theirs_named]
    assert str(ours) == str(theirs)
    optimizers = [nn.optim.SGD(ours.parameters(), lr=0.5), torch.optim.SGD(theirs.parameters(), lr=0.5)]
    for _ in range(3):  # epochs
        totals = []
        for model, optimizer, number in zip(
            (ours, theirs), optimizers, (Value, lambda v: torch.tensor(v, dtype=torch.float64))
        ):
            optimizer.zero_grad()
            total = 0.0
            for (x1, x2), label in zip(X, y):
                out = model([number(float(x1)), number(float(x2))])
                prob = out if label == 1 else -out + 1.0
                loss = -prob.log()
                (loss / len(y)).backward()
                total += float(loss.item() if hasattr(loss, "item") else loss.data)
            totals.append(total)
            model.grads = [float(p.grad) for p in model.parameters()]
            optimizer.step()
        np.testing.assert_allclose(totals[0], totals[1], rtol=1e-12)
        np.testing.assert_allclose(ours.grads, theirs.grads, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(
            [p.data for p in ours.parameters()], [p.item() for p in theirs.parameters()], rtol=1e-12, atol=1e-15
        )
    ours.eval()
    assert not ours.layer1.training and not ours.layer3.training
