"""torch's module-level functions (``torch.exp(x)``, ``torch.max(x, 1)``, ``torch.float32``) under ``autograd``:
values and gradients against torch's (see tests/torch_oracle.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from torch_oracle import check_like_torch

import autograd as ag
from autograd import Tensor, Value

torch = pytest.importorskip("torch")

# name -> (the lowest input, the highest input), a range inside the function's domain
UNARY = {
    "abs": (-2, 2), "exp": (-2, 2), "exp2": (-2, 2), "expm1": (-2, 2), "log": (0.1, 3), "log2": (0.1, 3),
    "log10": (0.1, 3), "log1p": (-0.5, 3), "sqrt": (0.1, 3), "rsqrt": (0.1, 3), "sin": (-3, 3), "cos": (-3, 3),
    "tan": (-1, 1), "tanh": (-2, 2), "sinh": (-2, 2), "cosh": (-2, 2), "asin": (-0.9, 0.9), "acos": (-0.9, 0.9),
    "atan": (-2, 2), "asinh": (-2, 2), "acosh": (1.1, 3), "atanh": (-0.9, 0.9), "sigmoid": (-3, 3), "relu": (-2, 2),
    "neg": (-2, 2), "reciprocal": (0.5, 2), "square": (-2, 2), "erf": (-2, 2), "sign": (-2, 2), "floor": (-2, 2),
    "ceil": (-2, 2), "trunc": (-2, 2), "round": (-2, 2),
}  # fmt: skip


@pytest.mark.parametrize("name", UNARY)
def test_elementwise_functions_match_torch(name):
    low, high = UNARY[name]
    check_like_torch([(3, 4)], getattr(torch, name), getattr(ag, name), low=low, high=high)


BINARY = ["add", "sub", "mul", "div", "pow", "atan2", "hypot", "logaddexp", "fmod", "remainder"]


@pytest.mark.parametrize("name", BINARY)
def test_two_argument_functions_match_torch(name):
    check_like_torch([(3, 4), (4,)], getattr(torch, name), getattr(ag, name), low=0.5, high=2.0)


REDUCTIONS = {
    "sum over dim 1": lambda m, x: m.sum(x, 1),
    "mean keepdim": lambda m, x: m.mean(x, dim=0, keepdim=True),
    "prod": lambda m, x: m.prod(x, 1),
    "std": lambda m, x: m.std(x, correction=1),
    "var over dim": lambda m, x: m.var(x, dim=1),
    "amax": lambda m, x: m.amax(x, 0),
    "logsumexp": lambda m, x: m.logsumexp(x, 1),
    "softmax": lambda m, x: m.softmax(x, 1),
    "log_softmax": lambda m, x: m.log_softmax(x, dim=0),
    "norm": lambda m, x: m.norm(x),
    "max of all": lambda m, x: m.max(x),
    "max along dim: values": lambda m, x: m.max(x, 1)[0],
    "min along dim, keepdim: values": lambda m, x: m.min(x, dim=0, keepdim=True).values,
    "max along dim: indices": lambda m, x: m.max(x, 1).indices,
    "max of two tensors": lambda m, x: m.max(x, x.flip(0)),
    "min with other=": lambda m, x: m.min(x, other=x * 0.5),
    "clamp": lambda m, x: m.clamp(x, min=-0.5, max=0.7),
    "transpose": lambda m, x: m.transpose(x, 0, 1),
    "reshape": lambda m, x: m.reshape(x, (4, 3)),
    "unsqueeze": lambda m, x: m.unsqueeze(x, 1),
    "mm": lambda m, x: m.mm(x, x.t()),
    "lerp": lambda m, x: m.lerp(x, x * 2.0, 0.25),
}


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reductions_and_shapes_match_torch(name):
    case = REDUCTIONS[name]
    check_like_torch([(3, 4)], lambda x: case(torch, x), lambda x: case(ag, x))


def test_predicates_match_torch():
    x = np.array([[1.0, np.nan, np.inf], [0.0, -2.0, 3.0]])
    for name in ["isnan", "isinf", "isfinite"]:
        ours, theirs = getattr(ag, name)(Tensor(x)), getattr(torch, name)(torch.tensor(x))
        assert isinstance(ours, Tensor) and ours.dtype == bool
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    for name in ["eq", "ne", "lt", "le", "gt", "ge"]:
        np.testing.assert_array_equal(
            getattr(ag, name)(Tensor(x), 1.0).data, getattr(torch, name)(torch.tensor(x), 1.0)
        )
    assert ag.allclose(Tensor([1.0, 2.0]), [1.0, 2.0 + 1e-9]) and not ag.allclose(Tensor([1.0]), [1.1])


def test_dtype_names_are_the_numpy_dtypes_tensors_hold():
    x = Tensor(np.arange(3.0))
    for name in ["float16", "float32", "float64", "int32", "int64", "uint8", "bool", "long", "double", "half"]:
        assert x.to(getattr(ag, name)).dtype == np.dtype(str(getattr(torch, name)).removeprefix("torch."))
    assert ag.float is np.float32 and ag.int is np.int32 and ag.bool is np.bool_


def test_a_value_uses_its_own_method_and_arrays_become_tensors():
    v = Value(0.5)
    out = ag.tanh(v)
    assert isinstance(out, Value) and out.data == pytest.approx(math.tanh(0.5))
    out.backward()
    assert v.grad == pytest.approx(1 - math.tanh(0.5) ** 2)
    assert isinstance(ag.exp([0.0, 1.0]), Tensor) and ag.exp([0.0, 1.0]).data[1] == pytest.approx(math.e)
    with pytest.raises(TypeError, match="softmax: not defined for a Value"):
        ag.softmax(v, 0)


def test_the_builtins_keep_their_meaning_beside_the_star_import():
    namespace: dict = {}
    exec("from autograd import *", namespace)
    assert "max" not in namespace and "float" not in namespace and "exp" not in namespace


def test_equal_and_count_nonzero_match_torch():
    x = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, np.nan]])
    for other in [x, x[:1], np.where(np.isnan(x), 0.0, x), np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 5.0]])]:
        assert ag.equal(Tensor(x), Tensor(other)) is torch.equal(torch.tensor(x), torch.tensor(other))
    no_nan = np.nan_to_num(x)
    assert ag.equal(Tensor(no_nan), no_nan.copy()) and torch.equal(torch.tensor(no_nan), torch.tensor(no_nan))
    for dim in [None, 0, 1, (0, 1), -1]:
        ours, theirs = ag.count_nonzero(Tensor(x), dim), torch.count_nonzero(torch.tensor(x), dim)
        assert ours.dtype == np.int64 and not ours.requires_grad
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_max_and_min_refuse_ambiguous_arguments():
    x = Tensor(np.array([[1.0, 5.0], [3.0, 2.0]]))
    with pytest.raises(TypeError, match="max: give either a dim"):
        ag.max(x, dim=1, other=x)
    with pytest.raises(TypeError, match="min: keepdim needs a dim"):
        ag.min(x, keepdim=True)
    with pytest.raises(TypeError, match="max: reduces a Tensor; for a Value, pass other="):
        ag.max(Value(2.0))
    assert ag.max(Value(2.0), other=Value(3.0)).data == 3.0
