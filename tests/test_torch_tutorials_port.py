# ruff: noqa: N803, N806 - the tutorials' names (X, A, N, X0, X1, P3)
"""PyTorch's tutorials and recipes that use only torch core, run line for line in torch and here (``autograd`` for
``torch``, ``nn`` for ``torch.nn``, ``nn.functional`` as ``F``, ``nn.optim``) on seeded data: the values,
gradients, names and errors must agree.

Covered: "Learning PyTorch with Examples" (the polynomial fit with tensors, with autograd, with the custom Function
LegendrePolynomial3, with nn, with optim, as a custom nn.Module and as the dynamic net sharing its weight), "Double
Backward with Custom Functions" (saving inputs, outputs and intermediate results; gradcheck and gradgradcheck),
"Fusing Convolution and Batch Norm using Custom Function" (with ``nn.grad.conv2d_input``/``conv2d_weight`` as the
convolution's backward), "Parametrizations Tutorial", "Pruning Tutorial", "Hooks for autograd saved tensors" (on a
custom Function: the library's own ops save nothing for the hooks, see :mod:`autograd.saved_tensors_hooks`), the
"Autograd mechanics" and "Extending PyTorch" notes (grad modes, backward hooks, custom Functions and a custom
Linear), fusing the optimizer step into backward, ``autograd.functional``, and the recipes "What is a state_dict",
"Saving and loading a general checkpoint", "Saving and loading multiple models", "Warmstarting model using
parameters from a different model", "Zeroing out gradients", "Reproducibility", "Changing default device",
"Defining a neural network", module hooks and ``nn.utils.stateless.functional_call``. The tensors are float64 (the
library's factories' default, where torch's is float32; the layers are made float64 with ``.double()``).
torch.save/torch.load are ``nn.save``/``nn.load`` here.
"""

from __future__ import annotations

import io
import math
import random
from typing import Any

import book_ports
import numpy as np
import pytest

import autograd
import nn
import nn.utils.parametrize
import nn.utils.prune

torch = pytest.importorskip("torch")
pytest.importorskip("torch.nn.utils.prune")

TORCH = {"torch": torch, "nn": torch.nn, "F": torch.nn.functional, "optim": torch.optim}
OURS = {"torch": autograd, "nn": nn, "F": nn.functional, "optim": nn.optim}


def _array(x: Any) -> np.ndarray:
    return x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


def _agree(expected: Any, got: Any, rtol: float = 1e-10) -> None:
    """Nested dicts, lists and tuples of arrays, numbers, strings and bools: equal, floats to ``rtol``."""
    if isinstance(expected, dict):
        assert list(expected) == list(got)
        _agree(list(expected.values()), list(got.values()), rtol)
    elif isinstance(expected, (list, tuple)):
        assert len(expected) == len(got), (expected, got)
        for a, b in zip(expected, got):
            _agree(a, b, rtol)
    elif isinstance(expected, (str, bool, type(None))):
        assert expected == got
    else:
        np.testing.assert_allclose(_array(got), _array(expected), rtol=rtol, atol=rtol * 1e-2)


def _both(section: Any, rtol: float = 1e-10) -> None:
    _agree(section(TORCH), section(OURS), rtol)


def _seeded(lib: dict[str, Any], module: Any, seed: int, scale: float = 1.0) -> Any:
    """``module`` with every parameter drawn from numpy's generator ``seed`` (the same in both libraries)."""
    rs = np.random.RandomState(seed)
    with lib["torch"].no_grad():
        for p in module.parameters():
            p.copy_(lib["torch"].tensor((rs.randn(*p.shape) * scale).astype(_array(p).dtype)))
    return module


# -- Learning PyTorch with Examples ---------------------------------------------------------------------------------
def _sine(t: Any) -> tuple[Any, Any]:
    x = t.linspace(-math.pi, math.pi, 2000, dtype=t.float64)
    return x, t.sin(x)


def _fit_with_tensors(lib: dict[str, Any]) -> list[Any]:
    t = lib["torch"]
    x, y = _sine(t)
    a, b, c, d = (t.tensor(v, dtype=t.float64) for v in (0.1, 0.2, -0.1, 0.05))
    learning_rate = 1e-6
    for _ in range(200):
        y_pred = a + b * x + c * x**2 + d * x**3
        loss = (y_pred - y).pow(2).sum().item()
        grad_y_pred = 2.0 * (y_pred - y)
        a -= learning_rate * grad_y_pred.sum()
        b -= learning_rate * (grad_y_pred * x).sum()
        c -= learning_rate * (grad_y_pred * x**2).sum()
        d -= learning_rate * (grad_y_pred * x**3).sum()
    return [loss, a, b, c, d]


def _fit_with_autograd(lib: dict[str, Any]) -> list[Any]:
    t = lib["torch"]
    x, y = _sine(t)
    a = t.tensor(0.1, dtype=t.float64, requires_grad=True)
    b = t.full((), 0.2, dtype=t.float64, requires_grad=True)
    c = t.tensor(-0.1, dtype=t.float64, requires_grad=True)
    d = t.tensor(0.05, dtype=t.float64, requires_grad=True)
    for _ in range(100):
        loss = (a + b * x + c * x**2 + d * x**3 - y).pow(2).sum()
        loss.backward()
        with t.no_grad():
            for p in (a, b, c, d):
                p -= 1e-6 * p.grad
                p.grad = None
    return [loss, a, b, c, d, a.requires_grad, a.is_leaf]


def _legendre_polynomial3(lib: dict[str, Any]) -> Any:
    t = lib["torch"]

    class LegendrePolynomial3(t.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    return LegendrePolynomial3


def _fit_with_a_custom_function(lib: dict[str, Any]) -> list[Any]:
    t = lib["torch"]
    LegendrePolynomial3 = _legendre_polynomial3(lib)
    x, y = _sine(t)
    a, b, c, d = (t.full((), v, dtype=t.float64, requires_grad=True) for v in (0.0, -1.0, 0.0, 0.3))
    for _ in range(100):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with t.no_grad():
            for p in (a, b, c, d):
                p -= 5e-6 * p.grad
                p.grad = None
    probe = t.tensor(np.linspace(-1.3, 1.1, 5), requires_grad=True)
    checked = t.autograd.gradcheck(LegendrePolynomial3.apply, (probe,))
    return [loss, a, b, c, d, checked, type(y_pred.grad_fn).__name__, type(P3(probe).grad_fn).__name__]


def _fit_with_nn_then_optim(lib: dict[str, Any]) -> list[Any]:
    t, nn_ = lib["torch"], lib["nn"]
    x, y = _sine(t)
    xx = x.unsqueeze(-1).pow(t.tensor([1, 2, 3]))
    model = nn_.Sequential(nn_.Linear(3, 1), nn_.Flatten(0, 1)).double()
    _seeded(lib, model, 0, 0.1)
    loss_fn = nn_.MSELoss(reduction="sum")
    for _ in range(100):
        loss = loss_fn(model(xx), y)
        model.zero_grad()
        loss.backward()
        with t.no_grad():
            for param in model.parameters():
                param -= 1e-6 * param.grad
    linear_layer = model[0]
    log = [loss, linear_layer.bias.item(), linear_layer.weight[:, 0].item(), linear_layer.weight[:, 2].item()]
    log.append(str(model))
    optimizer = lib["optim"].RMSprop(model.parameters(), lr=1e-3)
    for _ in range(50):
        loss = loss_fn(model(xx), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [*log, loss, linear_layer.weight, linear_layer.bias]


def _polynomial3_module(lib: dict[str, Any]) -> list[Any]:
    t, nn_ = lib["torch"], lib["nn"]

    class Polynomial3(nn_.Module):
        def __init__(self):
            super().__init__()
            self.a = nn_.Parameter(t.tensor(0.1, dtype=t.float64))
            self.b = nn_.Parameter(t.tensor(0.2, dtype=t.float64))
            self.c = nn_.Parameter(t.tensor(-0.1, dtype=t.float64))
            self.d = nn_.Parameter(t.tensor(0.05, dtype=t.float64))

        def forward(self, x):
            return self.a + self.b * x + self.c * x**2 + self.d * x**3

    x, y = _sine(t)
    model = Polynomial3()
    criterion = nn_.MSELoss(reduction="sum")
    optimizer = lib["optim"].SGD(model.parameters(), lr=1e-6)
    for _ in range(100):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [loss, [name for name, _ in model.named_parameters()], *model.parameters(), str(model)]


def _dynamic_net(lib: dict[str, Any]) -> list[Any]:
    t, nn_ = lib["torch"], lib["nn"]
    rng = random.Random(0)

    class DynamicNet(nn_.Module):
        def __init__(self):
            super().__init__()
            for name, value in zip("abcde", (0.1, 0.2, -0.1, 0.05, 0.01)):
                setattr(self, name, nn_.Parameter(t.tensor(value, dtype=t.float64)))

        def forward(self, x):
            y = self.a + self.b * x + self.c * x**2 + self.d * x**3
            for exp in range(4, rng.randint(4, 6)):
                y = y + self.e * x**exp  # the same weight, reused for the fourth and fifth powers
            return y

    x, y = _sine(t)
    model = DynamicNet()
    criterion = nn_.MSELoss(reduction="sum")
    optimizer = lib["optim"].SGD(model.parameters(), lr=1e-8, momentum=0.9)
    for _ in range(100):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return [loss, *model.parameters(), model.e.grad]


@pytest.mark.parametrize(
    "section",
    [
        _fit_with_tensors,
        _fit_with_autograd,
        _fit_with_a_custom_function,
        _fit_with_nn_then_optim,
        _polynomial3_module,
        _dynamic_net,
    ],
)
def test_learning_pytorch_with_examples_matches_torch(section):
    _both(section, rtol=1e-9)


# -- Double Backward with Custom Functions --------------------------------------------------------------------------
def _double_backward(lib: dict[str, Any]) -> list[Any]:
    t = lib["torch"]
    Function = t.autograd.Function
    gradcheck, gradgradcheck = t.autograd.gradcheck, t.autograd.gradgradcheck
    log: list[Any] = []

    class Square(Function):  # saves its input
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**2

        @staticmethod
        def backward(ctx, grad_out):
            (x,) = ctx.saved_tensors
            return grad_out * 2 * x

    class Exp(Function):  # saves its output
        @staticmethod
        def forward(ctx, x):
            result = t.exp(x)
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_out):
            (result,) = ctx.saved_tensors
            return result * grad_out

    class Sinh(Function):  # returns its intermediate results, so that they are saved as outputs
        @staticmethod
        def forward(ctx, x):
            expx, expnegx = t.exp(x), t.exp(-x)
            ctx.save_for_backward(expx, expnegx)
            return (expx - expnegx) / 2, expx, expnegx

        @staticmethod
        def backward(ctx, grad_out, _grad_out_exp, _grad_out_negexp):
            expx, expnegx = ctx.saved_tensors
            grad_input = grad_out * (expx + expnegx) / 2
            grad_input += _grad_out_exp * expx
            grad_input -= _grad_out_negexp * expnegx
            return grad_input

    class SinhBad(Function):  # keeps its intermediate results on ctx: the second derivative is wrong
        @staticmethod
        def forward(ctx, x):
            ctx.expx, ctx.expnegx = t.exp(x), t.exp(-x)
            return (ctx.expx - ctx.expnegx) / 2

        @staticmethod
        def backward(ctx, grad_out):
            return grad_out * (ctx.expx + ctx.expnegx) / 2

    class Cube(Function):  # its backward is a custom Function too, whose backward saves the incoming gradient
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad_out):
            (x,) = ctx.saved_tensors
            return CubeBackward.apply(grad_out, x)

    class CubeBackward(Function):
        @staticmethod
        def forward(ctx, grad_out, x):
            ctx.save_for_backward(x, grad_out)
            return grad_out * 3 * x**2

        @staticmethod
        def backward(ctx, grad_out):
            x, sav_grad_out = ctx.saved_tensors
            return grad_out * 3 * x**2, grad_out * sav_grad_out * 6 * x

    x = t.tensor(np.random.RandomState(1).rand(3, 3), requires_grad=True)
    log += [gradcheck(Square.apply, x), gradgradcheck(Square.apply, x)]
    one = t.tensor(1.0, requires_grad=True, dtype=t.double).clone()
    log += [gradcheck(Exp.apply, one), gradgradcheck(Exp.apply, one)]
    log += [gradcheck(lambda x: Sinh.apply(x)[0], x), gradgradcheck(lambda x: Sinh.apply(x)[0], x)]
    log += [gradcheck(SinhBad.apply, x), gradgradcheck(SinhBad.apply, x, raise_exception=False)]
    with pytest.raises(Exception, match="Jacobian mismatch") as refused:
        gradgradcheck(SinhBad.apply, x)
    log.append(isinstance(refused.value, RuntimeError))
    two = t.tensor(2.0, requires_grad=True, dtype=t.double)
    log += [gradcheck(Cube.apply, two), gradgradcheck(Cube.apply, two)]
    y = Cube.apply(two)
    (g,) = t.autograd.grad(y, two, create_graph=True)
    log += [y, g, type(y.grad_fn).__name__, type(g.grad_fn).__name__, g.grad_fn.name()]
    log.append(t.autograd.grad(g, two)[0])
    return log


def test_double_backward_with_custom_functions_matches_torch():
    _both(_double_backward)


def test_the_grad_fn_of_a_function_named_like_a_backward_appends_backward_to_its_name_as_torch():
    """torch names a custom Function's backward node ``<class name>Backward`` whatever the class is called: the
    tutorial's ``CubeBackward`` Function gives ``CubeBackwardBackward`` nodes."""

    def names(lib: dict[str, Any]) -> list[str]:
        t = lib["torch"]

        class CubeBackward(t.autograd.Function):
            @staticmethod
            def forward(ctx, grad_out, x):
                return grad_out * 3 * x**2

            @staticmethod
            def backward(ctx, grad_out):
                return grad_out, grad_out

        out = CubeBackward.apply(t.ones(2, requires_grad=True), t.ones(2))
        return [type(out.grad_fn).__name__, out.grad_fn.name()]

    assert names(OURS) == names(TORCH) == ["CubeBackwardBackward"] * 2


# -- Changing default device ----------------------------------------------------------------------------------------
def _default_device(lib: dict[str, Any]) -> list[Any]:
    t, nn_ = lib["torch"], lib["nn"]
    log = [repr(t.get_default_device())]
    t.set_default_device("cpu")
    try:
        log += [repr(t.get_default_device()), str(t.tensor([1.0]).device), str(nn_.Linear(2, 2).weight.device)]
        with t.device("cpu:0") as entered:
            log += [repr(entered), repr(t.get_default_device()), str(t.zeros(2).device)]
        log.append(repr(t.get_default_device()))
        t.set_default_device(t.device("cpu", 0))
        log.append(repr(t.get_default_device()))
    finally:
        t.set_default_device(None)
    log.append(repr(t.get_default_device()))
    return log


def test_changing_the_default_device_recipe_matches_torch():
    _both(_default_device)


def test_a_default_device_that_is_not_there_is_torchs_assertion_error():
    """torch refuses a CUDA default device on its first use; here setting it is refused (the same error class)."""
    for lib in (TORCH, OURS):
        with pytest.raises(AssertionError):
            lib["torch"].set_default_device("cuda")
            lib["torch"].zeros(1)
        lib["torch"].set_default_device(None)
        assert str(lib["torch"].get_default_device()) == "cpu"


@pytest.mark.parametrize("args", [("foo",), ("cpu:x",), ("cpu:0", 1), ("cpu", -1)])
def test_a_bad_device_name_is_a_runtime_error_as_torchs(args):
    """``torch.set_default_device("foo")`` (or ``torch.device("foo")``) raises a RuntimeError, which a script's
    ``except RuntimeError`` catches; here it is also the ValueError the library raised."""
    for lib in (TORCH, OURS):
        with pytest.raises(RuntimeError):
            lib["torch"].device(*args)
    with pytest.raises(RuntimeError, match="xpected one of cpu"):
        autograd.set_default_device("foo")


# -- Fusing Convolution and Batch Norm using Custom Function -------------------------------------------------------
def _unsqueeze_all(t_: Any) -> Any:
    return t_[None, :, None, None]


def _batch_norm_backward(grad_out: Any, X: Any, sum: Any, sqrt_var: Any, N: float, eps: float) -> Any:
    tmp = ((X - _unsqueeze_all(sum) / N) * grad_out).sum(dim=(0, 2, 3))
    tmp *= -1
    d_denom = tmp / (sqrt_var + eps) ** 2
    d_var = d_denom / (2 * sqrt_var)
    d_mean_dx = grad_out / _unsqueeze_all(sqrt_var + eps)
    d_mean_dx = _unsqueeze_all(-d_mean_dx.sum(dim=(0, 2, 3)) / N)
    grad_input = X * _unsqueeze_all(d_var * N)
    grad_input += _unsqueeze_all(-d_var * sum)
    grad_input *= 2 / ((N - 1) * N)
    grad_input += d_mean_dx
    grad_input *= _unsqueeze_all(sqrt_var + eps)
    grad_input += grad_out
    grad_input /= _unsqueeze_all(sqrt_var + eps)
    return grad_input


def _fused_conv_bn(lib: dict[str, Any]) -> list[Any]:
    t, nn_, F = lib["torch"], lib["nn"], lib["F"]
    grads = torch.nn.grad if t is torch else nn_.grad

    def convolution_backward(grad_out, X, weight):
        return grads.conv2d_input(X.shape, weight, grad_out), grads.conv2d_weight(X, weight.shape, grad_out)

    def normalized(ctx, X, eps):
        sum = X.sum(dim=(0, 2, 3))
        var = X.var(unbiased=True, dim=(0, 2, 3))
        N = X.numel() / X.size(1)
        sqrt_var = t.sqrt(var)
        ctx.eps, ctx.sum, ctx.N, ctx.sqrt_var = eps, sum, N, sqrt_var
        out = X - _unsqueeze_all(sum / N)
        out /= _unsqueeze_all(sqrt_var + eps)
        return out

    class Conv2D(t.autograd.Function):
        @staticmethod
        def forward(ctx, X, weight):
            ctx.save_for_backward(X, weight)
            return F.conv2d(X, weight)

        @staticmethod
        def backward(ctx, grad_out):
            X, weight = ctx.saved_tensors
            return convolution_backward(grad_out, X, weight)

    class BatchNorm(t.autograd.Function):
        @staticmethod
        def forward(ctx, X, eps=1e-3):
            ctx.save_for_backward(X)
            return normalized(ctx, X, eps)

        @staticmethod
        def backward(ctx, grad_out):
            (X,) = ctx.saved_tensors
            return _batch_norm_backward(grad_out, X, ctx.sum, ctx.sqrt_var, ctx.N, ctx.eps)

    class FusedConvBN2DFunction(t.autograd.Function):
        @staticmethod
        def forward(ctx, X, conv_weight, eps=1e-3):
            assert X.ndim == 4
            ctx.save_for_backward(X, conv_weight)
            return normalized(ctx, F.conv2d(X, conv_weight), eps)

        @staticmethod
        def backward(ctx, grad_out):
            X, conv_weight = ctx.saved_tensors
            X_conv_out = F.conv2d(X, conv_weight)
            grad_out = _batch_norm_backward(grad_out, X_conv_out, ctx.sum, ctx.sqrt_var, ctx.N, ctx.eps)
            grad_X, grad_input = convolution_backward(grad_out, X, conv_weight)
            return grad_X, grad_input, None, None, None, None, None

    class FusedConvBN(nn_.Module):
        def __init__(self, in_channels, out_channels, kernel_size, eps=1e-3):
            super().__init__()
            weight_shape = (out_channels, in_channels, kernel_size, kernel_size)
            self.conv_weight = nn_.Parameter(t.empty(*weight_shape, dtype=t.float64))
            nn_.init.kaiming_uniform_(self.conv_weight, a=math.sqrt(5))
            self.eps = eps

        def forward(self, X):
            return FusedConvBN2DFunction.apply(X, self.conv_weight, self.eps)

    rs = np.random.RandomState(0)
    weight = t.tensor(rs.rand(5, 3, 3, 3), requires_grad=True)
    X = t.tensor(rs.rand(4, 3, 7, 7), requires_grad=True)
    log = [t.autograd.gradcheck(Conv2D.apply, (X, weight))]
    a = t.tensor(rs.rand(1, 2, 3, 4), requires_grad=True)
    log.append(t.autograd.gradcheck(BatchNorm.apply, (a,), fast_mode=False))
    X = t.tensor(rs.rand(2, 3, 4, 4), requires_grad=True)
    log.append(t.autograd.gradcheck(FusedConvBN2DFunction.apply, (X, weight)))
    model = _seeded(lib, FusedConvBN(1, 8, 3), 1)
    x = t.tensor(rs.randn(4, 1, 8, 8), requires_grad=True)
    y = model(x)
    y.pow(2).sum().backward()
    return [*log, y, x.grad, model.conv_weight.grad]


def test_fusing_convolution_and_batch_norm_with_a_custom_function_matches_torch():
    _both(_fused_conv_bn, rtol=1e-8)


# -- Parametrizations Tutorial --------------------------------------------------------------------------------------
def _parametrizations(lib: dict[str, Any]) -> list[Any]:
    t, nn_ = lib["torch"], lib["nn"]
    parametrize = nn_.utils.parametrize
    rs = np.random.RandomState(0)
    log: list[Any] = []

    def linear() -> Any:
        return _seeded(lib, nn_.Linear(3, 3).double(), rs.randint(1000))

    class Symmetric(nn_.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu()

    class Skew(nn_.Module):
        def forward(self, X):
            A = X.triu(1)
            return A - A.transpose(-1, -2)

    class MatrixExponential(nn_.Module):
        def forward(self, X):
            return t.matrix_exp(X)

    class CayleyMap(nn_.Module):
        def __init__(self, n):
            super().__init__()
            self.register_buffer("Id", t.eye(n, dtype=t.float64))

        def forward(self, X):
            return t.linalg.solve(self.Id - X, self.Id + X)

    layer = linear()
    parametrize.register_parametrization(layer, "weight", Symmetric())
    A = layer.weight
    log += [A, t.dist(A, A.T), str(layer).replace("torch.", ""), type(layer).__name__, sorted(layer.state_dict())]
    log += [layer.parametrizations.weight.original, parametrize.is_parametrized(layer)]
    log.append(parametrize.is_parametrized(layer, "bias"))
    layer_orthogonal = linear()
    parametrize.register_parametrization(layer_orthogonal, "weight", Skew())
    parametrize.register_parametrization(layer_orthogonal, "weight", MatrixExponential())
    Q = layer_orthogonal.weight
    log += [Q, t.dist(Q.T @ Q, t.eye(3, dtype=t.float64)) < 1e-10, str(layer_orthogonal.parametrizations.weight)]
    layer = linear()
    parametrize.register_parametrization(layer, "weight", Skew())
    parametrize.register_parametrization(layer, "weight", CayleyMap(3))
    X = layer.weight
    log += [X, t.dist(X.T @ X, t.eye(3, dtype=t.float64)) < 1e-10, sorted(layer.state_dict())]

    class NoisyParametrization(nn_.Module):
        def forward(self, X):
            log.append("Computing the Parametrization")
            return X

        def right_inverse(self, X):
            log.append("Computing the right_inverse")
            return X

    layer = nn_.Linear(4, 4)
    parametrize.register_parametrization(layer, "weight", NoisyParametrization())
    log.append("Parametrization registered")
    _ = layer.weight + layer.weight.T
    with parametrize.cached():
        log.append("cached")
        _ = layer.weight + layer.weight.T
        _ = layer.weight.sum()
    layer.weight = t.zeros(4, 4, dtype=t.float32)
    log.append(layer.weight)
    layer = linear()
    parametrize.register_parametrization(layer, "weight", Symmetric())
    W = t.tensor(rs.randn(3, 3))
    layer.weight = W + W.T
    log += [layer.weight, layer.parametrizations.weight.original, t.dist(W + W.T, layer.weight)]

    class Split(nn_.Module):
        def forward(self, X0, X1):
            return X0 + X1

        def right_inverse(self, X):
            return X / 2, X / 3

    layer = linear()
    parametrize.register_parametrization(layer, "weight", Split())
    log += [
        sorted(layer.state_dict()),
        layer.parametrizations.weight.original0,
        layer.parametrizations.weight.original1,
    ]
    log.append(layer.weight)
    for leave_parametrized in (True, False):
        layer = linear()
        parametrize.register_parametrization(layer, "weight", Symmetric())
        parametrize.remove_parametrizations(layer, "weight", leave_parametrized=leave_parametrized)
        log += [str(layer), layer.weight, type(layer.weight).__name__, layer.weight.requires_grad]
    layer = linear()
    parametrize.register_parametrization(layer, "weight", Skew())
    parametrize.register_parametrization(layer, "weight", MatrixExponential())
    optimizer = lib["optim"].SGD(layer.parameters(), lr=0.1)
    x = t.tensor(rs.randn(5, 3))
    for _ in range(3):
        loss = layer(x).pow(2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    log += [layer.parametrizations.weight.original, [name for name, _ in layer.named_parameters()]]
    return log


def test_parametrizations_tutorial_matches_torch():
    _both(_parametrizations)


# -- Pruning Tutorial -----------------------------------------------------------------------------------------------
def _lenet(lib: dict[str, Any]) -> Any:
    nn_, F = lib["nn"], lib["F"]

    class LeNet(nn_.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn_.Conv2d(1, 6, 3)
            self.conv2 = nn_.Conv2d(6, 16, 3)
            self.fc1 = nn_.Linear(16 * 5 * 5, 120)
            self.fc2 = nn_.Linear(120, 84)
            self.fc3 = nn_.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(-1, int(x.nelement() / x.shape[0]))
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    return LeNet().double()


def _pruning(lib: dict[str, Any]) -> list[Any]:
    t, nn_ = lib["torch"], lib["nn"]
    prune = nn_.utils.prune
    model = _seeded(lib, _lenet(lib), 0)
    module = model.conv1
    log: list[Any] = [[n for n, _ in module.named_parameters()], list(module.named_buffers())]
    prune.random_unstructured(module, name="weight", amount=0.3)
    log += [[n for n, _ in module.named_parameters()], [n for n, _ in module.named_buffers()]]
    log += [
        int((module.weight_mask == 0).sum()),
        bool((module.weight == module.weight_orig * module.weight_mask).all()),
    ]
    log.append(len(module._forward_pre_hooks))
    prune.l1_unstructured(module, name="bias", amount=3)
    log += [[n for n, _ in module.named_buffers()], module.bias, module.bias_mask, len(module._forward_pre_hooks)]
    prune.ln_structured(module, name="weight", amount=0.5, n=2, dim=0)
    log.append(int((module.weight.reshape(6, -1).abs().sum(1) == 0).sum()))
    hook = next(hook for hook in module._forward_pre_hooks.values() if hook._tensor_name == "weight")
    log += [type(hook).__name__, [type(h).__name__ for h in hook], sorted(model.state_dict())]
    kept = module.weight.detach().clone()
    prune.remove(module, "weight")
    log += [[n for n, _ in module.named_parameters()], [n for n, _ in module.named_buffers()]]
    log.append(t.equal(module.weight, kept))
    new_model = _lenet(lib)
    for _, module in new_model.named_modules():
        if isinstance(module, nn_.Conv2d):
            prune.l1_unstructured(module, name="weight", amount=0.2)
        elif isinstance(module, nn_.Linear):
            prune.l1_unstructured(module, name="weight", amount=0.4)
    log.append(list(dict(new_model.named_buffers()).keys()))
    model = _seeded(lib, _lenet(lib), 1)
    layers = (model.conv1, model.conv2, model.fc1, model.fc2, model.fc3)
    prune.global_unstructured([(m, "weight") for m in layers], pruning_method=prune.L1Unstructured, amount=0.2)
    for m in layers:
        log.append(f"Sparsity: {100.0 * float(t.sum(m.weight == 0)) / float(m.weight.nelement()):.2f}%")
    zeros = sum(float(t.sum(m.weight == 0)) for m in layers)
    log.append(f"Global sparsity: {100.0 * zeros / sum(m.weight.nelement() for m in layers):.2f}%")
    y = model(t.tensor(np.random.RandomState(2).randn(2, 1, 28, 28)))
    y.sum().backward()
    log += [y, model.conv1.weight_orig.grad, model.fc3.weight_orig.grad]

    class FooBarPruningMethod(prune.BasePruningMethod):
        PRUNING_TYPE = "unstructured"

        def compute_mask(self, t, default_mask):
            mask = default_mask.clone()
            mask.view(-1)[::2] = 0
            return mask

    def foobar_unstructured(module, name):
        FooBarPruningMethod.apply(module, name)
        return module

    model = _seeded(lib, _lenet(lib), 3)
    foobar_unstructured(model.fc3, name="bias")
    log += [model.fc3.bias_mask, model.fc3.bias]
    return log


def test_pruning_tutorial_matches_torch():
    _both(_pruning)


# -- Hooks for autograd saved tensors (on a custom Function) --------------------------------------------------------
def _saved_tensors_hooks(lib: dict[str, Any]) -> list[Any]:
    t = lib["torch"]
    graph = t.autograd.graph

    class Mul(t.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved_tensors
            return grad * b, grad * a

    log: list[Any] = []

    def pack_hook(x):
        log.append(("Packing", list(x.shape)))
        return x

    def unpack_hook(x):
        log.append(("Unpacking", list(x.shape)))
        return x

    a = t.ones(5, requires_grad=True, dtype=t.float64)
    b = t.full((5,), 2.0, requires_grad=True, dtype=t.float64)
    with graph.saved_tensors_hooks(pack_hook, unpack_hook):
        y = Mul.apply(a, b)
    y.sum().backward()
    result = [list(log), a.grad, b.grad]
    storage: dict[str, Any] = {}

    def pack_to_storage(tensor):
        name = f"t{len(storage)}"
        storage[name] = tensor.detach().clone()
        return name

    x = t.tensor([1.0, 2.0, 3.0], requires_grad=True, dtype=t.float64)
    exp = x.exp()  # outside the block: torch's exp saves its result, which would reach the hooks there
    with graph.saved_tensors_hooks(pack_to_storage, storage.__getitem__):
        y = Mul.apply(x, exp)
    y.sum().backward()
    result += [x.grad, sorted(storage)]
    x = t.tensor([1.0, 2.0, 3.0], requires_grad=True, dtype=t.float64)
    with graph.saved_tensors_hooks(lambda x: x, lambda x: x * 10):
        y = Mul.apply(x, x)
    y.sum().backward()
    result.append(x.grad)
    x = t.tensor([1.0, 2.0, 3.0], requires_grad=True, dtype=t.float64)
    with graph.save_on_cpu(pin_memory=False):
        y = Mul.apply(x, x.exp())
    y.sum().backward()
    result.append(x.grad)
    log.clear()
    with graph.saved_tensors_hooks(pack_hook, unpack_hook):
        with graph.saved_tensors_hooks(lambda x: log.append("inner") or x, lambda x: x):
            y = Mul.apply(a, b)
    result += [[list(s.shape) for s in y.grad_fn.saved_tensors], list(log)]
    with pytest.raises(RuntimeError, match="no hooks here"):
        with graph.disable_saved_tensors_hooks("no hooks here"):
            with graph.saved_tensors_hooks(pack_hook, unpack_hook):
                pass
    return result


def test_hooks_for_saved_tensors_of_a_custom_function_match_torch():
    _both(_saved_tensors_hooks)


# -- Autograd mechanics ---------------------------------------------------------------------------------------------
def _mechanics(lib: dict[str, Any]) -> list[Any]:
    t = lib["torch"]
    x, y, z = t.randn(5, 5), t.randn(5, 5), t.randn((5, 5), requires_grad=True)
    a, b = x + y, x + z
    log: list[Any] = [a.requires_grad, b.requires_grad, a.is_leaf, b.is_leaf, z.is_leaf]
    x = t.ones(3, requires_grad=True, dtype=t.float64)
    with t.inference_mode():
        log += [(x * 2).requires_grad, t.is_inference_mode_enabled(), t.is_grad_enabled() and t is torch]
        with t.inference_mode(False):
            log.append((x * 2).requires_grad)

    @t.inference_mode()
    def doubled(x):
        return x * 2

    log += [doubled(x).requires_grad, t.is_inference_mode_enabled()]
    with t.no_grad():
        log.append(t.is_grad_enabled())
        with t.enable_grad():
            log.append((x * 2).requires_grad)
    with t.set_grad_enabled(False):
        log.append((x * 2).requires_grad)
    log.append((x * 2).requires_grad)
    v = t.ones(3)
    log.append(v._version)
    v.add_(1)
    v[0] = 5
    log.append(v._version)
    leaf = t.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        leaf.add_(1)
    return log


def test_autograd_mechanics_claims_match_torch():
    _both(_mechanics)


# -- Recipes: state_dict, checkpoints, multiple models, warmstarting, zeroing gradients -----------------------------
def _recipe_net(lib: dict[str, Any], seed: int, extra: bool = False) -> Any:
    nn_, F = lib["nn"], lib["F"]

    class Net(nn_.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn_.Conv2d(3, 6, 5)
            self.pool = nn_.MaxPool2d(2, 2)
            self.conv2 = nn_.Conv2d(6, 16, 5)
            self.fc1 = nn_.Linear(16 * 5 * 5, 120)
            self.fc2 = nn_.Linear(120, 84)
            self.fc3 = nn_.Linear(84, 10)
            if extra:
                self.fc4 = nn_.Linear(10, 2)

        def forward(self, x):
            x = self.pool(F.relu(self.conv1(x)))
            x = self.pool(F.relu(self.conv2(x)))
            x = x.view(-1, 16 * 5 * 5)
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            return self.fc3(x)

    return _seeded(lib, Net().double(), seed, 0.1)


def _recipes(lib: dict[str, Any]) -> list[Any]:
    t, optim = lib["torch"], lib["optim"]
    save, load = (torch.save, torch.load) if t is torch else (nn.save, nn.load)
    x = t.tensor(np.random.RandomState(9).randn(4, 3, 32, 32))
    net = _recipe_net(lib, 0)
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    loss = net(x).sum()
    loss.backward()
    optimizer.step()
    log: list[Any] = [[(k, list(v.size())) for k, v in net.state_dict().items()]]
    state = optimizer.state_dict()
    log += [sorted(state), state["param_groups"], sorted(state["state"]), sorted(state["state"][0])]
    buffer = io.BytesIO()
    checkpoint = {"epoch": 5, "model_state_dict": net.state_dict(), "optimizer_state_dict": state, "loss": loss}
    save(checkpoint, buffer)
    buffer.seek(0)
    model = _recipe_net(lib, 1)
    restored_optimizer = optim.SGD(model.parameters(), lr=0.5, momentum=0.1)
    checkpoint = load(buffer)
    model.load_state_dict(checkpoint["model_state_dict"])
    restored_optimizer.load_state_dict(checkpoint["optimizer_state_dict"])
    log += [checkpoint["epoch"], checkpoint["loss"], restored_optimizer.param_groups[0]["lr"]]
    model.eval()
    log.append(model.training)
    model.train()
    for m, o in ((model, restored_optimizer), (net, optimizer)):
        o.zero_grad()
        m(x).sum().backward()
        o.step()
    log += [model(x), net(x)]
    modelA, modelB = _recipe_net(lib, 2), _recipe_net(lib, 3)
    buffer = io.BytesIO()
    save({"modelA_state_dict": modelA.state_dict(), "modelB_state_dict": modelB.state_dict()}, buffer)
    buffer.seek(0)
    both = load(buffer)
    restoredA, restoredB = _recipe_net(lib, 4), _recipe_net(lib, 5)
    restoredA.load_state_dict(both["modelA_state_dict"])
    restoredB.load_state_dict(both["modelB_state_dict"])
    log += [restoredA(x), restoredB(x)]
    warm = _recipe_net(lib, 6, extra=True)
    for target, source in ((warm, modelA), (modelA, warm)):
        result = target.load_state_dict(source.state_dict(), strict=False)
        log += [result.missing_keys, result.unexpected_keys, str(result)]
    with pytest.raises(RuntimeError) as refused:
        modelA.load_state_dict(warm.state_dict())
    log.append(str(refused.value))
    state = modelA.state_dict()
    state["fc1.weight"] = t.zeros(3, 3, dtype=t.float64)
    with pytest.raises(RuntimeError) as refused:
        warm.load_state_dict(state, strict=False)
    log.append(str(refused.value))
    net = _recipe_net(lib, 7)
    optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)
    for _ in range(3):
        optimizer.zero_grad()
        net(x).sum().backward()
        optimizer.step()
    log.append(net.fc3.weight.grad)
    optimizer.zero_grad()
    log.append(net.fc3.weight.grad is None)
    net(x).sum().backward()
    net.zero_grad(set_to_none=False)
    log += [net.fc3.weight.grad, net(x)]
    return log


def test_state_dict_checkpoint_warmstart_and_zeroing_recipes_match_torch():
    _both(_recipes)


# -- Recipes: reproducibility, defining a neural network, module hooks, functional_call -----------------------------
def _reproducibility(lib: dict[str, Any]) -> list[Any]:
    t = lib["torch"]
    t.manual_seed(0)
    first = t.rand(3)
    t.manual_seed(0)
    log: list[Any] = [t.equal(first, t.rand(3))]
    t.use_deterministic_algorithms(True)
    log.append(t.are_deterministic_algorithms_enabled())
    t.use_deterministic_algorithms(False)
    log.append(t.are_deterministic_algorithms_enabled())
    t.backends.cudnn.deterministic = True
    t.backends.cudnn.benchmark = False
    generator = t.Generator()
    generator.manual_seed(0)
    log.append(t.equal(t.rand(3, generator=generator), t.rand(3, generator=t.Generator().manual_seed(0))))
    t.manual_seed(7)
    log += [t.initial_seed(), type(t.initial_seed()).__name__]
    state = t.get_rng_state()
    drawn = t.rand(2)
    t.set_rng_state(state)
    log.append(t.equal(drawn, t.rand(2)))
    return log


def test_reproducibility_recipe_matches_torch():
    with book_ports.cudnn_flags_settable(torch):
        _both(_reproducibility)


def _module_hooks(lib: dict[str, Any]) -> list[Any]:
    t, nn_, F = lib["torch"], lib["nn"], lib["F"]

    class Net(nn_.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn_.Linear(3, 4)
            self.fc2 = nn_.Linear(4, 2)

        def forward(self, x):
            return self.fc2(F.relu(self.fc1(x)))

    net = _seeded(lib, Net().double(), 0)
    log: list[Any] = []

    def forward_pre(module, args):
        log.append(("pre", type(module).__name__, len(args)))
        return (args[0] * 2,)

    def forward(module, args, output):
        log.append(("forward", type(module).__name__))
        return output + 1

    def forward_with_kwargs(module, args, kwargs, output):
        log.append(("forward with kwargs", sorted(kwargs)))

    def backward(module, grad_input, grad_output):
        log.append(("backward", len(grad_input), len(grad_output), [list(g.shape) for g in grad_input]))

    def backward_pre(module, grad_output):
        log.append(("backward pre", len(grad_output)))

    handles = [
        net.fc1.register_forward_pre_hook(forward_pre),
        net.fc1.register_forward_hook(forward),
        net.fc2.register_full_backward_hook(backward),
        net.fc2.register_full_backward_pre_hook(backward_pre),
        net.register_forward_hook(forward_with_kwargs, with_kwargs=True),
    ]
    x = t.tensor(np.random.RandomState(9).randn(5, 3), requires_grad=True)
    y = net(x)
    y.sum().backward()
    result = [y, x.grad, list(log)]
    for handle in handles:
        handle.remove()
    log.clear()
    result += [net(x), log]
    activation = {}

    def get_activation(name):
        def hook(model, input, output):
            activation[name] = output.detach()

        return hook

    net.fc1.register_forward_hook(get_activation("fc1"))
    net(x)
    result.append(activation["fc1"])
    functional_call = torch.func.functional_call if t is torch else nn_.utils.stateless.functional_call
    ones = {name: p.detach() * 0 + 1 for name, p in net.named_parameters()}
    result += [functional_call(net, ones, (x,)), net.fc1.weight]
    fresh = {name: p.detach().clone().requires_grad_() for name, p in net.named_parameters()}
    out = functional_call(net, fresh, x)
    result += list(t.autograd.grad(out.sum(), list(fresh.values())))
    result.append(functional_call(net, {"fc1.bias": t.zeros(4, dtype=t.float64)}, args=(x,)))
    return result


def test_module_hooks_and_functional_call_recipes_match_torch():
    _both(_module_hooks)


def _defining_a_neural_network(lib: dict[str, Any]) -> list[Any]:
    t, nn_, F = lib["torch"], lib["nn"], lib["F"]

    class Net(nn_.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn_.Conv2d(1, 32, 3, 1)
            self.conv2 = nn_.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn_.Dropout2d(0.25)
            self.dropout2 = nn_.Dropout2d(0.5)
            self.fc1 = nn_.Linear(9216, 128)
            self.fc2 = nn_.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.conv2(F.relu(self.conv1(x))))
            x = self.dropout1(F.max_pool2d(x, 2))
            x = self.dropout2(F.relu(self.fc1(t.flatten(x, 1))))
            return F.log_softmax(self.fc2(x), dim=1)

    my_nn = _seeded(lib, Net().double(), 0, 0.05)
    my_nn.eval()
    result = my_nn(t.tensor(np.random.RandomState(1).rand(1, 1, 28, 28)))
    return [str(my_nn), result, list(result.shape)]


@pytest.mark.filterwarnings("ignore:.*2-D input to dropout2d")  # the recipe's Dropout2d after fc1, in both
def test_defining_a_neural_network_recipe_matches_torch():
    _both(_defining_a_neural_network)


def test_a_strict_functional_call_lists_the_missing_and_unexpected_names_sorted_as_torch():
    """torch's strict ``functional_call`` names the missing and the unexpected keys in sorted order."""

    def message(lib: dict[str, Any]) -> str:
        t, nn_ = lib["torch"], lib["nn"]
        functional_call = torch.func.functional_call if t is torch else nn_.utils.stateless.functional_call
        net = nn_.Sequential(nn_.Linear(2, 2), nn_.BatchNorm1d(2)).double()
        given = {"zz": t.ones(1, dtype=t.float64), "0.weight": t.ones(2, 2, dtype=t.float64), "a": t.ones(1)}
        with pytest.raises(RuntimeError) as refused:
            functional_call(net, given, (t.ones(3, 2, dtype=t.float64),), strict=True)
        return str(refused.value)

    assert message(OURS) == message(TORCH)


# -- Autograd mechanics: backward hooks; "How to save memory by fusing the optimizer step into the backward pass" --
def _backward_hooks(lib: dict[str, Any]) -> list[Any]:
    t, nn_ = lib["torch"], lib["nn"]
    log: list[Any] = []
    a = t.tensor(1.0, requires_grad=True, dtype=t.float64)
    b = a.clone()
    b.register_hook(lambda g: log.append(("before", g.item())))
    b.mul_(2)  # a hook registered before an in-place change sees the gradient of the old version
    b.register_hook(lambda g: log.append(("after", g.item())))
    (b * 3).backward()
    result: list[Any] = [list(log), a.grad]
    log.clear()
    a = t.tensor([1.0, 2.0], requires_grad=True, dtype=t.float64)
    b = a * 2
    b.register_hook(lambda g: (log.append(("tensor hook", g.tolist())), g * 2)[1])
    b.grad_fn.register_prehook(lambda go: log.append(("prehook", go[0].tolist())))
    b.grad_fn.register_hook(lambda gi, go: log.append(("posthook", gi[0].tolist(), go[0].tolist())))
    b.retain_grad()
    a.register_post_accumulate_grad_hook(lambda p: log.append(("post accumulate", p.grad.tolist())))
    b.sum().backward()
    result += [list(log), b.grad, a.grad]
    log.clear()
    model = nn_.Linear(3, 2).double()
    with t.no_grad():
        model.weight.copy_(t.tensor([[1.0, 2, 3], [4, 5, 6]], dtype=t.float64))
        model.bias.fill_(0.5)
    optimizer_dict = {p: lib["optim"].Adam([p], foreach=False) for p in model.parameters()}

    def optimizer_hook(parameter) -> None:
        optimizer_dict[parameter].step()
        optimizer_dict[parameter].zero_grad()

    for p in model.parameters():
        p.register_post_accumulate_grad_hook(optimizer_hook)
    x = t.tensor([[1.0, -1, 2]], dtype=t.float64)
    for _ in range(3):
        model(x).pow(2).sum().backward()
    result += [model.weight, model.bias, model.weight.grad is None]
    a = t.tensor([1.0], requires_grad=True, dtype=t.float64)
    b = t.tensor([2.0], requires_grad=True, dtype=t.float64)
    t.autograd.graph.register_multi_grad_hook((a, b), lambda grads: log.append([g is None for g in grads]))
    (a * 3).sum().backward()
    (a * b).sum().backward()
    t.autograd.graph.register_multi_grad_hook((a, b), lambda g: log.append(("any", g.tolist())), mode="any")
    (a * b).sum().backward()
    return [*result, log]


def test_backward_hooks_and_the_optimizer_step_fused_into_backward_match_torch():
    _both(_backward_hooks)


# -- autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp -----------------------------------------------------
def _functional_api(lib: dict[str, Any]) -> list[Any]:
    t = lib["torch"]
    AF = t.autograd.functional

    def exp_reducer(x):
        return x.exp().sum(dim=1)

    def exp_adder(x, y):
        return 2 * x.exp() + 3 * y

    def pow_reducer(x):
        return x.pow(3).sum()

    def pow_adder_reducer(x, y):
        return (2 * x.pow(2) + 3 * y.pow(2)).sum()

    rs = np.random.RandomState(0)
    x = t.tensor(rs.rand(2, 2))
    inputs = (t.tensor(rs.rand(2)), t.tensor(rs.rand(2)))
    ones = t.ones(2, 2, dtype=t.float64)
    return [
        AF.jacobian(exp_reducer, x),
        AF.jacobian(exp_reducer, x, create_graph=True).requires_grad,
        AF.jacobian(exp_adder, inputs),
        AF.jacobian(exp_adder, inputs, vectorize=True),
        AF.jacobian(exp_adder, inputs, vectorize=True, strategy="forward-mode"),
        AF.hessian(pow_reducer, x),
        AF.hessian(pow_adder_reducer, inputs),
        AF.hessian(pow_reducer, x, outer_jacobian_strategy="forward-mode", vectorize=True),
        AF.vjp(exp_reducer, x, t.ones(2, dtype=t.float64)),
        AF.vjp(pow_reducer, x),
        AF.jvp(exp_reducer, x, ones),
        AF.hvp(pow_reducer, x, ones),
        AF.vhp(pow_reducer, x, ones),
        AF.jacobian(lambda x: t.ones(2, dtype=t.float64), x),
    ]


def test_autograd_functional_api_matches_torch():
    _both(_functional_api)
    for lib in (TORCH, OURS):
        with pytest.raises(RuntimeError, match="does not require gradients"):
            lib["torch"].autograd.functional.jacobian(lambda x: x.detach(), lib["torch"].ones(2), strict=True)
        with pytest.raises(RuntimeError, match="can only be None if"):
            lib["torch"].autograd.functional.vjp(lambda x: x.exp(), lib["torch"].ones(2))


# -- Extending PyTorch: Functions with setup_context, needs_input_grad, mark_dirty, mark_non_differentiable ---------
def _extending_pytorch(lib: dict[str, Any]) -> list[Any]:
    t, nn_ = lib["torch"], lib["nn"]
    Function = t.autograd.Function
    out = []

    class LinearFunction(Function):
        @staticmethod
        def forward(input, weight, bias):
            output = input.mm(weight.t())
            if bias is not None:
                output += bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        def setup_context(ctx, inputs, output):
            input, weight, bias = inputs
            ctx.save_for_backward(input, weight, bias)

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0)
            return grad_input, grad_weight, grad_bias

    linear = LinearFunction.apply
    rs = np.random.RandomState(0)
    inp = (t.tensor(rs.randn(20, 20), requires_grad=True), t.tensor(rs.randn(30, 20), requires_grad=True))
    out.append(t.autograd.gradcheck(lambda i, w: linear(i, w, None), inp, eps=1e-6, atol=1e-4))
    b = t.tensor(rs.randn(30), requires_grad=True)
    out.append(t.autograd.gradcheck(linear, (*inp, b), eps=1e-6, atol=1e-4))

    class MulConstant(Function):
        @staticmethod
        def forward(tensor, constant):
            return tensor * constant

        @staticmethod
        def setup_context(ctx, inputs, output):
            tensor, constant = inputs
            ctx.constant = constant

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output * ctx.constant, None

    x = t.tensor([1.0, 2.0], requires_grad=True, dtype=t.float64)
    y = MulConstant.apply(x, 5.5)
    y.sum().backward()
    out.append(x.grad)

    class MyCube(Function):
        @staticmethod
        def forward(x):
            result = x**3
            dx = 3 * x**2
            return result, dx

        @staticmethod
        def setup_context(ctx, inputs, output):
            (x,) = inputs
            result, dx = output
            ctx.save_for_backward(x, dx)

        @staticmethod
        def backward(ctx, grad_output, grad_dx):
            x, dx = ctx.saved_tensors
            result = grad_output * dx + grad_dx * 6 * x
            return result

    def my_cube(x):
        result, dx = MyCube.apply(x)
        return result

    x = t.tensor([1.0, 2.0], requires_grad=True, dtype=t.float64)
    (g,) = t.autograd.grad(my_cube(x).sum(), x, create_graph=True)
    (gg,) = t.autograd.grad(g.sum(), x)
    out += [g, gg]

    class Linear(nn_.Module):
        def __init__(self, input_features, output_features, bias=True):
            super().__init__()
            self.input_features = input_features
            self.output_features = output_features
            self.weight = nn_.Parameter(t.empty(output_features, input_features, dtype=t.float64))
            if bias:
                self.bias = nn_.Parameter(t.empty(output_features, dtype=t.float64))
            else:
                self.register_parameter("bias", None)
            nn_.init.uniform_(self.weight, -0.1, 0.1)
            if self.bias is not None:
                nn_.init.uniform_(self.bias, -0.1, 0.1)

        def forward(self, input):
            return LinearFunction.apply(input, self.weight, self.bias)

        def extra_repr(self):
            return f"input_features={self.input_features}, output_features={self.output_features}, bias={self.bias is not None}"

    m = Linear(3, 2, bias=False)
    out.append(str(m))
    out.append([n for n, _ in m.named_parameters()])
    out.append(m.bias is None)
    m = Linear(3, 2)
    with t.no_grad():
        m.weight.copy_(t.tensor(rs.randn(2, 3)))
        m.bias.copy_(t.tensor(rs.randn(2)))
    xi = t.tensor(rs.randn(4, 3), requires_grad=True)
    y = m(xi)
    y.pow(2).sum().backward()
    out += [y, xi.grad, m.weight.grad, m.bias.grad, type(y.grad_fn).__name__]

    # mark_dirty / mark_non_differentiable / set_materialize_grads
    class Inplace(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    a = t.tensor([1.0, 2.0], requires_grad=True, dtype=t.float64)
    c = a.clone()
    d = Inplace.apply(c)
    out += [d is c, type(c.grad_fn).__name__]
    d.sum().backward()
    out.append(a.grad)

    class Sort(Function):
        @staticmethod
        def forward(ctx, x):
            s, idx = x.sort()
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(x, idx)
            return s, idx

        @staticmethod
        def backward(ctx, g1, g2):
            x, idx = ctx.saved_tensors
            gi = t.zeros_like(x)
            gi.index_add_(0, idx, g1)
            return gi

    a = t.tensor([3.0, 1.0, 2.0], requires_grad=True, dtype=t.float64)
    s, idx = Sort.apply(a)
    out += [idx.requires_grad, s.requires_grad]
    (s * t.tensor([1.0, 2.0, 3.0], dtype=t.float64)).sum().backward()
    out.append(a.grad)

    class Mat(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x.clone(), x.clone()

        @staticmethod
        def backward(ctx, g1, g2):
            log.append((g1 is None, g2 is None))
            return g1 if g1 is not None else t.zeros(2, dtype=t.float64)

    log = []
    a = t.tensor([1.0, 2.0], requires_grad=True, dtype=t.float64)
    u, v = Mat.apply(a)
    u.sum().backward()
    out += [log, a.grad]
    return out


def test_extending_pytorch_with_custom_functions_and_a_custom_linear_module_matches_torch():
    _both(_extending_pytorch)


def test_pickling_a_parametrized_module_is_refused_with_torchs_runtime_error_and_deepcopy_still_works():
    """torch refuses to pickle a parametrized module (save its state_dict instead), with a RuntimeError that says
    so; ``copy.deepcopy`` of it still works."""
    import copy
    import pickle

    for lib in (TORCH, OURS):
        t, nn_ = lib["torch"], lib["nn"]

        class Symmetric(nn_.Module):
            def forward(self, X):
                return X.triu() + X.triu(1).transpose(-1, -2)

        layer = nn_.Linear(3, 3).double()
        with t.no_grad():
            layer.weight.copy_(t.arange(9, dtype=t.float64).reshape(3, 3))
        nn_.utils.parametrize.register_parametrization(layer, "weight", Symmetric())
        with pytest.raises(RuntimeError, match="only supported through state_dict"):
            pickle.dumps(layer)
        copied = copy.deepcopy(layer)
        assert type(copied).__name__ == "ParametrizedLinear"
        np.testing.assert_array_equal(_array(copied.weight), _array(layer.weight))
        with t.no_grad():
            copied.parametrizations.weight.original.zero_()
        assert float(layer.weight.detach().sum()) == 28.0 and float(copied.weight.detach().sum()) == 0.0
