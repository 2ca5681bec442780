"""The activations added with PyTorch's names (gelu, hardtanh, relu6, selu, celu, logsigmoid, hardsigmoid,
hardswish, softsign, softmin): Modules compute their functional form and show their hyper-parameters, the
non-smooth points use torch's subgradients, and bad arguments are errors naming the function. Values and
derivatives of every one are checked by tests/test_op_table.py."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

X = np.linspace(-7.0, 7.0, 29)

MODULES = [
    (nn.GELU(), F.gelu, "GELU(approximate='none')"),
    (nn.GELU("tanh"), lambda x: F.gelu(x, approximate="tanh"), "GELU(approximate='tanh')"),
    (nn.Hardtanh(-2.0, 0.5), lambda x: F.hardtanh(x, -2.0, 0.5), "Hardtanh(min_val=-2.0, max_val=0.5)"),
    (nn.ReLU6(), F.relu6, "ReLU6()"),
    (nn.SELU(), F.selu, "SELU()"),
    (nn.CELU(0.5), lambda x: F.celu(x, 0.5), "CELU(alpha=0.5)"),
    (nn.LogSigmoid(), F.logsigmoid, "LogSigmoid()"),
    (nn.Hardsigmoid(), F.hardsigmoid, "Hardsigmoid()"),
    (nn.Hardswish(), F.hardswish, "Hardswish()"),
    (nn.Softsign(), F.softsign, "Softsign()"),
    (nn.Softmin(0), lambda x: F.softmin(x, 0), "Softmin(dim=0)"),
]


@pytest.mark.parametrize(("module", "function", "text"), MODULES, ids=lambda item: getattr(item, "__name__", ""))
def test_activation_module_computes_its_function_and_shows_its_hyper_parameters(module, function, text):
    np.testing.assert_array_equal(module(X).data, function(X).data)
    assert repr(module) == text
    assert module.parameters() == []


@pytest.mark.parametrize(
    ("function", "points", "expected"),
    [
        (lambda x: F.hardtanh(x, -1.0, 1.0), [-1.0, 1.0], [0.0, 0.0]),
        (F.relu6, [0.0, 6.0], [0.0, 0.0]),
        (F.hardsigmoid, [-3.0, 3.0], [0.0, 0.0]),
        (F.hardswish, [-3.0, 3.0], [0.0, 1.0]),
        (lambda x: F.celu(x, 0.5), [0.0], [1.0]),
        (F.softsign, [0.0], [1.0]),
    ],
)
def test_non_smooth_points_use_torch_subgradients(function, points, expected):
    x = Tensor(points, requires_grad=True)
    function(x).sum().backward()
    np.testing.assert_array_equal(x.grad, expected)


def test_logsigmoid_is_finite_far_out():
    np.testing.assert_allclose(F.logsigmoid(np.array([-800.0, 800.0])).data, [-800.0, 0.0])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.gelu(X, approximate="fast"), ValueError, "gelu: approximate must be 'none' or 'tanh'"),
        (lambda: nn.GELU("erf"), ValueError, "GELU: approximate must be 'none' or 'tanh'"),
        (lambda: F.hardtanh(X, 1.0, -1.0), ValueError, "hardtanh: min_val must not exceed max_val"),
        (
            lambda: F.hardtanh(Tensor(np.arange(3)), float("nan")),
            ValueError,
            "hardtanh: min_val=nan cannot be converted",
        ),
        (lambda: F.celu(X, 0.0), ValueError, "celu: alpha must not be 0"),
        (lambda: nn.CELU("1"), TypeError, "CELU: alpha must be a real number"),
        (lambda: F.softmin(X, axis=1), ValueError, "softmin: axis must be in"),
    ],
)
def test_bad_arguments_are_errors_naming_the_function(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("dtype, rtol", [(np.float64, 1e-13), (np.float32, 2e-6)])
def test_gelu_tanh_keeps_its_left_tail(dtype, rtol):
    # x (1 + tanh u) / 2 = x s(2u), u = sqrt(2/pi) (x + 0.044715 x^3): 1 + tanh u cancels to 0 as u -> -inf (float32
    # gelu(-5.375) gave -1.6e-7 for -1.7e-8, and 0 from -5.5; float64 lost 1e-7 at -5.6 and gave 0 from -7.6), where
    # x s(2u) keeps its relative precision; d/dx = s(2u) + x s(2u) (1 - s(2u)) 2 u'
    import math

    points = [-3.0, -5.375, -6.0, -8.0, -10.0, -11.5]
    c = math.sqrt(2 / math.pi)
    s = [1 / (1 + math.exp(-2 * c * (v + 0.044715 * v**3))) for v in points]
    value = [v * sv for v, sv in zip(points, s)]
    slope = [sv + v * sv * (1 - sv) * 2 * c * (1 + 3 * 0.044715 * v * v) for v, sv in zip(points, s)]
    x = Tensor(np.array(points, dtype=dtype), requires_grad=True)
    out = F.gelu(x, approximate="tanh")
    assert out.dtype == dtype
    tiny = float(np.finfo(dtype).tiny)  # (float32's -1e-54 at x = -11.5 is 0)
    np.testing.assert_allclose(out.data, value, rtol=rtol, atol=tiny)
    out.sum().backward()
    np.testing.assert_allclose(x.grad, slope, rtol=rtol * 10, atol=tiny)
