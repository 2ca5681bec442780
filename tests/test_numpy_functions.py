"""numpy's elementwise functions on Value and Tensor (autograd.numpy_functions) where the op table does
not look: the documented gradients at ties, nans and jumps, the boolean tests, IEEE results for Values,
erf's precision and errors naming the op."""

import math

import numpy as np
import pytest
from hypothesis import given

from autograd import Tensor, Value
from autograd.special import erf
from autograd.testing import floats


def test_fmax_fmin_give_a_tie_to_the_first_input_as_torch_and_route_around_nan():
    # torch's rule for fmax/fmin (not maximum's even split): the first input gets g where it wins or ties or where
    # the second is nan (two nans included); the second gets g everywhere else
    a = Tensor([1.0, np.nan, 2.0, np.nan], requires_grad=True)
    b = Tensor([1.0, 3.0, np.nan, np.nan], requires_grad=True)
    a.fmax(b).backward(np.ones(4))
    np.testing.assert_array_equal(a.grad, [1.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(b.grad, [0.0, 1.0, 0.0, 0.0])
    a.grad = b.grad = None
    a.fmin(b).backward(np.ones(4))
    np.testing.assert_array_equal(a.grad, [1.0, 0.0, 1.0, 1.0])
    np.testing.assert_array_equal(b.grad, [0.0, 1.0, 0.0, 0.0])
    x = Value(1.0)
    x.fmax(1.0).backward()
    assert x.grad == 1.0  # a tie with a number: all of the gradient, as torch.fmax(t, tensor(1.0))


def test_mod_and_fmod_pass_gradient_one_to_x_and_minus_the_rounded_quotient_to_y():
    x = Tensor([-3.5, 3.5, 2.0], requires_grad=True)
    y = Tensor([2.0, -2.0, 1.0], requires_grad=True)
    (x % y).backward(np.ones(3))
    np.testing.assert_array_equal((x % y).data, np.mod(x.data, y.data))
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(y.grad, -np.floor(x.data / y.data))  # 2.0 % 1.0 sits on a jump: still 1 and -2
    x.grad = y.grad = None
    x.fmod(y).backward(np.ones(3))
    np.testing.assert_array_equal(y.grad, -np.trunc(x.data / y.data))


@pytest.mark.parametrize("method", ["floor", "ceil", "round", "trunc", "sign"])
def test_rounding_and_sign_have_zero_gradient_even_at_their_jumps(method):
    x = Tensor([-1.0, -0.5, 0.0, 0.5, 2.0], requires_grad=True)
    getattr(x, method)().backward(np.ones(5))
    np.testing.assert_array_equal(x.grad, np.zeros(5))
    v = Value(0.5)
    getattr(v, method)().backward()
    assert v.grad == 0.0


@pytest.mark.parametrize("method", ["isnan", "isinf", "isfinite"])
def test_nan_and_inf_tests_give_booleans_outside_the_graph(method):
    data = np.array([1.0, np.nan, np.inf, -np.inf])
    result = getattr(Tensor(data, requires_grad=True), method)()
    assert type(result) is Tensor and result.dtype == bool and not result.requires_grad and result.grad_fn is None
    np.testing.assert_array_equal(result.data, getattr(np, method)(data))
    assert [getattr(Value(x), method)() for x in data] == list(getattr(np, method)(data))
    assert all(type(getattr(Value(x), method)()) is bool for x in data)


def test_value_functions_give_ieee_results_outside_their_domain_silently():
    assert math.isnan(Value(2.0).arcsin().data)
    assert Value(0.0).log2().data == -math.inf
    assert Value(1.0).arctanh().data == math.inf
    assert Value(1000.0).cosh().data == math.inf


@given(floats(-30.0, 30.0))
def test_erf_matches_math_erf_to_float64_precision(x):
    assert math.isclose(erf(x), math.erf(x), rel_tol=2e-15, abs_tol=1e-300)


def test_erf_keeps_float32_and_its_limits():
    assert erf(np.array([0.5], dtype=np.float32)).dtype == np.float32
    np.testing.assert_array_equal(erf(np.array([np.inf, -np.inf, 0.0])), [1.0, -1.0, 0.0])
    assert math.isnan(erf(math.nan))


@pytest.mark.parametrize("method", ["arctan2", "hypot", "logaddexp", "fmax", "mod", "fmod"])
def test_binary_function_of_shapes_that_do_not_broadcast_names_the_op(method):
    with pytest.raises(
        ValueError, match=rf"{method}: operands could not be broadcast together with shapes \(2,\) and \(3,\)"
    ):
        getattr(Tensor(np.ones(2)), method)(Tensor(np.ones(3)))


def test_integer_tensors_give_float_results_as_in_numpy():
    result = Tensor([1, 8]).log2()
    assert result.dtype == np.float64
    np.testing.assert_array_equal(result.data, [0.0, 3.0])


def test_sign_of_booleans_is_the_booleans_themselves():
    flags = np.array([[True, False], [False, True]])
    result = Tensor(flags).sign()
    assert result.dtype == np.bool_
    np.testing.assert_array_equal(result.data, flags)
    np.testing.assert_array_equal(np.sign(Tensor(flags)).data, flags)
    np.testing.assert_array_equal(Tensor(np.array([-3, 0, 2])).sign().data, [-1, 0, 1])  # integers: numpy's
    torch = pytest.importorskip("torch")
    assert torch.sign(torch.from_numpy(flags)).dtype == torch.bool


@pytest.mark.parametrize(
    "call",
    [
        lambda: Tensor(np.array([5, -5])) // 0,
        lambda: Tensor(np.array([5, -5])) % Tensor(np.array([0, 1])),
        lambda: Tensor(np.array([5, -5])).fmod(0),
        lambda: 7 // Tensor(np.array([0, 1])),
        lambda: Tensor(np.array([5, 6])).div(0, rounding_mode="floor"),
        lambda: Tensor(np.array([5, 6], dtype=np.uint8)).remainder_(0),
    ],
)
def test_integer_division_and_remainder_by_zero_raise_as_torch(call):
    with pytest.raises(ZeroDivisionError, match="ZeroDivisionError"):
        call()
    with pytest.raises(RuntimeError):  # torch's class for it
        call()


@pytest.mark.parametrize("mode", ["floor", "trunc"])
def test_integer_div_with_a_rounding_mode_by_zero_names_div_and_its_mode(mode):
    """It named floor_divide, the step div takes inside, which the caller never wrote."""
    with pytest.raises(ZeroDivisionError, match=rf"div \(rounding_mode='{mode}'\)"):
        Tensor(np.array([5, -6])).div(Tensor(np.array([0, 2])), rounding_mode=mode)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda t: 0 // t, [0, 0, 0]),
        (lambda t: 0 % t, [0, 0, 0]),
        (lambda t: 7 // t, [7, 2, -4]),
        (lambda t: 7 % t, [0, 1, -1]),
        (lambda t: False // t, [0, 0, 0]),
        (lambda t: np.floor_divide(0, t), [0, 0, 0]),
        (lambda t: np.remainder(7, t), [0, 1, -1]),
    ],
)
def test_a_zero_dividend_beside_nonzero_integer_divisors_is_no_division_by_zero(call, expected):
    # the reflected operators put the number first: only the tensor's entries are divisors
    np.testing.assert_array_equal(call(Tensor(np.array([1, 3, -2]))).data, expected)


def test_float_division_and_remainder_by_zero_keep_ieee_results():
    with np.errstate(all="ignore"):
        expected = np.floor_divide(np.array([5.0, -5.0]), 0.0), np.mod(np.array([5.0, -5.0]), 0.0)
    np.testing.assert_array_equal((Tensor(np.array([5.0, -5.0])) // 0).data, expected[0])
    np.testing.assert_array_equal((Tensor(np.array([5.0, -5.0])) % 0).data, expected[1])


def test_the_tables_methods_read_from_the_class_are_functions_of_the_instance():
    # Value.tan(v) and map(Tensor.exp, ...) as for any method (the class attribute was the row itself, not callable)
    v, w = Value(0.5), Value(2.0)
    assert Value.tan(v).data == v.tan().data
    assert Value.arctan2(v, w).data == v.arctan2(w).data
    assert Value.round(Value(2.345), 2).data == Value(2.345).round(2).data
    assert [x.data for x in map(Value.sinh, [v, w])] == [v.sinh().data, w.sinh().data]
    t = Tensor(np.array([3.0, -7.0]))
    np.testing.assert_array_equal(Tensor.__rmod__(t, 7.0).data, (7.0 % t).data)
    np.testing.assert_array_equal(Tensor.hypot(t, t).data, t.hypot(t).data)
    assert Tensor.tan.__name__ == "tan" and "tan" in Tensor.tan.__doc__


@pytest.mark.parametrize("x, g", [(0.0, 1e308), (-0.0, 1e308), (1e308, 0.0), (1e200, 1e-200), (2.0, 1e308)])
def test_square_gradient_multiplies_as_torch_g_times_2x(x, g):
    # torch's square is pow(x, 2): its gradient is g * (2 x). (g 2) x gives nan at x = 0 for g = 1e308 (inf * 0),
    # where the gradient is 0
    torch = pytest.importorskip("torch")
    expected = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    expected.square().backward(torch.tensor(g, dtype=torch.float64))
    value = Value(x)
    value.square().backward(g)
    tensor = Tensor([x], requires_grad=True)
    tensor.square().backward(np.array([g]))
    np.testing.assert_array_equal([value.grad, tensor.grad[0]], [expected.grad.item()] * 2)
