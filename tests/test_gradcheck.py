"""gradcheck and gradgradcheck: pass on correct derivatives, fail loudly on wrong ones.

The wrong derivatives come from small test-only Ops (never from the real rule
table): ``cube`` with a rule of 2x instead of 3x^2, and ``square`` whose rule
reads the raw data of its input, so its first derivative 2x is right but is a
constant under ``create_graph`` and the second derivative comes out 0 instead of 2.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given

from autograd import Function, GradcheckError, Tensor, Value, gradcheck, gradgradcheck
from autograd.op import Op
from autograd.shared_math import data_of
from autograd.testing import arrays, floats, shapes

WRONG_CUBE = Op("test_gradcheck_wrong_cube", lambda g, out, x: g * 2 * x)  # should be 3 x^2
FLAT_SQUARE = Op("test_gradcheck_flat_square", lambda g, out, x: g * 2 * data_of(x))  # 2x, but not differentiable


def wrong_cube(x):
    """x**3 with the deliberately wrong derivative 2x."""
    return type(x)._from_op(x.data**3, WRONG_CUBE, (x,))


def flat_square(x):
    """x**2 whose derivative rule is correct in value but constant under create_graph."""
    return type(x)._from_op(x.data**2, FLAT_SQUARE, (x,))


def _number(pattern: str, message: str) -> float:
    return float(re.search(pattern, message).group(1))


# -- passing ---------------------------------------------------------------------------------------------


@given(x=arrays(shapes(max_dims=2, max_side=3)), y=floats())
def test_gradcheck_passes_on_correct_tensor_and_value_functions(x, y):
    assert gradcheck(lambda t, u: (t.tanh() * t).sum() * u.sum() + (t * t).sum(), [x, np.array([y])])
    assert gradcheck(lambda v: v.sigmoid() * v + v**3, [y])


def test_gradcheck_passes_for_several_and_non_scalar_outputs():
    x = np.array([[0.5, -1.0], [2.0, 0.3]])
    assert gradcheck(lambda t: [t.exp(), t.softmax(axis=0), t.sum()], [x])


def test_gradcheck_checks_float32_inputs_in_float64_and_leaves_them_untouched():
    x32 = Tensor(np.array([0.1, 0.7, -0.4], dtype=np.float32), requires_grad=True)
    before = x32.data.copy()
    assert gradcheck(lambda t: (t.exp() * t).sum(), [x32])
    np.testing.assert_array_equal(x32.data, before)
    assert x32.data.dtype == np.float32 and x32.grad is None


def test_gradcheck_perturbs_non_contiguous_inputs():
    # A transposed (Fortran-ordered) input must still be perturbed element by element.
    x = np.arange(6.0).reshape(2, 3).T / 3
    assert gradcheck(lambda t: (t @ t.T).sum() + (t**3).sum(), [x])
    with pytest.raises(GradcheckError):
        gradcheck(lambda t: wrong_cube(t).sum(), [x + 1.0])


def test_gradcheck_accepts_an_empty_input_beside_a_non_empty_output():
    assert gradcheck(lambda a, b: a.sum() + b * 2.0, [np.zeros((0, 2)), np.array([1.0, 2.0])])


def test_gradgradcheck_passes_on_correct_second_derivatives():
    x = np.array([0.3, -1.2, 2.0])
    assert gradgradcheck(lambda t: (t.tanh() ** 2 * t.exp()).sum(), [x])
    assert gradgradcheck(lambda a, b: a * b.sin() + a**3, [0.4, -0.8])


# -- failing ---------------------------------------------------------------------------------------------


def test_gradcheck_fails_on_a_wrong_value_derivative_and_reports_input_analytic_and_numeric():
    x = Value(2.0, label="x")
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda v: wrong_cube(v), [x])
    message = str(caught.value)
    assert "input 0 ('x')" in message
    assert _number(r"analytic (\S+)", message) == pytest.approx(4.0)  # 2x
    assert _number(r"numeric (\S+)", message) == pytest.approx(12.0, rel=1e-6)  # 3x^2


def test_gradcheck_fails_on_a_wrong_tensor_derivative_and_names_the_input_and_element():
    good = np.array([1.0, 2.0])
    bad = np.array([[0.5, 1.0], [3.0, 0.0]])
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda a, b: (a * 2.0).sum() + wrong_cube(b).sum(), [good, bad])
    message = str(caught.value)
    assert "input 1" in message and "at index (0, 0)" in message
    assert _number(r"analytic (\S+)", message) == pytest.approx(2 * 0.5)
    assert _number(r"numeric (\S+)", message) == pytest.approx(3 * 0.25, rel=1e-6)


def test_gradcheck_passes_where_the_wrong_rule_happens_to_agree():
    # 2x == 3x^2 at x = 0 and x = 2/3: a pointwise check cannot see the bug there.
    assert gradcheck(lambda t: wrong_cube(t).sum(), [np.array([0.0, 2.0 / 3.0])])


def test_flat_square_has_the_right_first_derivative():
    assert gradcheck(lambda t: flat_square(t).sum(), [np.array([0.5, -1.5])])


def test_gradgradcheck_detects_a_rule_that_is_not_differentiable_again():
    with pytest.raises(GradcheckError) as caught:
        gradgradcheck(lambda t: (flat_square(t) * 3.0).sum(), [np.array([0.5, -1.5])])
    message = str(caught.value)
    assert "input 0" in message
    assert _number(r"analytic (\S+)", message) == 0.0  # the graph lost the dependence on x
    assert _number(r"numeric (\S+)", message) == pytest.approx(6.0, rel=1e-6)  # d2/dx2 3x^2


def test_gradgradcheck_detects_a_wrong_second_derivative_of_a_value():
    with pytest.raises(GradcheckError, match=r"input 1 \('y'\)"):
        gradgradcheck(lambda x, y: x * flat_square(y), [Value(1.0, label="x"), Value(2.0, label="y")])


class _SquareDetachingItsGradient(Function):
    """x^2 whose backward treats the incoming gradient as a constant: its first derivative 2x g is right, but the
    product's derivative in g (2x) is lost under create_graph."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g.detach()


class _Square(_SquareDetachingItsGradient):
    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return 2 * x * g


def test_gradgradcheck_checks_the_derivative_in_grad_outputs_as_torchs():
    """The seed v of the product v . df/dx is an input of the check too: a backward that detaches it fails (torch's
    gradgradcheck too), where one that keeps it passes."""
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert gradcheck(_SquareDetachingItsGradient.apply, [x])
    with pytest.raises(GradcheckError, match=r"grad_outputs\[0\]") as caught:
        gradgradcheck(_SquareDetachingItsGradient.apply, [x])
    assert _number(r"analytic (\S+)", str(caught.value)) == 0.0
    assert _number(r"numeric (\S+)", str(caught.value)) == pytest.approx(2.0, rel=1e-6)  # d/dv 2 x v = 2x at x = 1
    assert gradgradcheck(_Square.apply, [x])
    assert gradgradcheck(_Square.apply, [x], grad_outputs=[np.array([3.0, -1.0])])


def test_gradgradcheck_does_not_check_the_derivative_in_grad_outputs_that_do_not_require_grad_as_torchs():
    """torch checks the derivative in a given grad_output only if it requires grad: one that does not is a
    constant of the product, so a backward that detaches it passes (and one that requires grad still fails)."""
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert gradgradcheck(_SquareDetachingItsGradient.apply, [x], grad_outputs=[Tensor(np.array([3.0, -1.0]))])
    with pytest.raises(GradcheckError, match=r"grad_outputs\[0\]"):
        gradgradcheck(
            _SquareDetachingItsGradient.apply, [x], grad_outputs=[Tensor(np.array([3.0, -1.0]), requires_grad=True)]
        )


def test_gradgradcheck_takes_one_grad_output_per_output_that_requires_grad_as_torchs():
    """torch's grad_outputs seed the outputs that require grad only: f = (x^2, a constant) takes one, and the check
    still runs on it (a backward detaching it fails); one per output is accepted too, and a count that is neither
    is refused."""
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    seed = Tensor(np.array([3.0, -1.0]), requires_grad=True)
    assert gradgradcheck(lambda v: (_Square.apply(v), v.detach() * 2), [x], grad_outputs=[seed])
    assert gradgradcheck(lambda v: (v.detach() * 2, _Square.apply(v)), [x], grad_outputs=[seed])
    assert gradgradcheck(lambda v: (_Square.apply(v), v.detach() * 2), [x], grad_outputs=[seed, seed])
    with pytest.raises(GradcheckError, match=r"grad_outputs\[0\]"):
        gradgradcheck(lambda v: (v.detach() * 2, _SquareDetachingItsGradient.apply(v)), [x], grad_outputs=[seed])
    with pytest.raises(ValueError, match="got 3 grad_outputs for 2 outputs of f, 1 of which require grad"):
        gradgradcheck(lambda v: (_Square.apply(v), v.detach() * 2), [x], grad_outputs=[seed, seed, seed])


def test_raise_exception_false_returns_false_on_a_wrong_derivative_and_true_on_a_right_one():
    data = np.array([0.5, 1.5])
    assert gradcheck(lambda t: wrong_cube(t).sum(), [data], raise_exception=False) is False
    assert gradcheck(lambda t: (t * t * t).sum(), [data], raise_exception=False) is True
    assert gradgradcheck(lambda t: (flat_square(t) * 3.0).sum(), [data], raise_exception=False) is False


@pytest.mark.parametrize(
    "single",
    [Tensor(np.array([0.5, 1.5]), requires_grad=True), np.array([[0.5, 1.5]]), Value(0.7), 0.7],
    ids=["tensor", "array", "value", "number"],
)
def test_one_input_may_be_given_bare_as_in_torch(single):
    # a bare Tensor or array is one input, not a sequence of rows
    assert gradcheck(lambda t: t.exp() * 2.0, single)
    assert gradgradcheck(lambda t: (t.exp() * t).sum() if isinstance(t, Tensor) else t.exp() * t, single)
    with pytest.raises(GradcheckError):
        gradcheck(lambda t: wrong_cube(t) * 1.0, single)


# -- bad input ------------------------------------------------------------------------------------------


def test_gradcheck_rejects_functions_that_do_not_return_nodes():
    with pytest.raises(TypeError, match="must return Values or Tensors, got ndarray"):
        gradcheck(lambda t: t.data * 2, [np.ones(2)])


def test_gradcheck_fails_a_nan_gradient_as_torch_and_warns_about_nothing():
    import warnings as warnings_module

    with warnings_module.catch_warnings():
        warnings_module.simplefilter("error")
        assert not gradcheck(lambda x: (x * np.nan).sum(), [np.array([1.0])], raise_exception=False)
        assert not gradcheck(lambda x: x.sum(), [np.array([np.inf])], raise_exception=False)  # inf - inf: nan


def test_gradcheck_of_a_float32_module_on_a_float32_input_names_its_float64_copies_and_the_fix():
    import nn

    layer = nn.Linear(3, 1)
    x = Tensor(np.ones((4, 3), dtype=np.float32), requires_grad=True)
    with pytest.raises(TypeError) as caught:
        gradcheck(lambda x: layer(x).sum(), [x])
    assert any("copied to float64" in note and "model.double()" in note for note in caught.value.__notes__)
    layer.double()
    assert gradcheck(lambda x: layer(x).sum(), [x])


def test_a_failed_gradcheck_is_a_runtime_error_as_torchs_and_an_assertion_error():
    with pytest.raises(RuntimeError, match="derivative"):
        gradcheck(lambda t: wrong_cube(t).sum(), [np.array([1.0, 2.0])])
    with pytest.raises(AssertionError):
        gradcheck(lambda t: wrong_cube(t).sum(), [np.array([1.0, 2.0])])


def test_a_failure_prints_the_gradients_in_full_so_a_tiny_difference_shows():
    # e and e + 1e-12 both print as 2.718281828 with ten digits: the message gives every digit
    def off_by_a_little(v):
        return v.exp() + (v * 1e-12 - v.detach() * 1e-12)  # value e^x, derivative e^x + 1e-12

    with pytest.raises(GradcheckError) as caught:
        gradcheck(off_by_a_little, [Value(1.0)], eps=1e-6, atol=0.0, rtol=0.0)
    message = str(caught.value)
    analytic, numeric = _number(r"analytic (\S+)", message), _number(r"numeric (\S+)", message)
    assert f"{analytic:.10g}" == f"{numeric:.10g}" and analytic != numeric
    assert repr(analytic) in message and repr(numeric) in message
