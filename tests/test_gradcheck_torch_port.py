"""gradcheck and gradgradcheck against torch's own tests of them (test/test_autograd.py's test_gradcheck_*).

Each case runs the same function through torch.autograd.gradcheck and ours: the verdict, the error class and
the words torch users match on ("Jacobian mismatch for output k with respect to input j", ...) must agree.
Wrong gradients come from hooks that add to a gradient and from small Functions with a wrong backward.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograd import GradcheckError, Tensor, gradcheck, gradgradcheck

torch = pytest.importorskip("torch")


def _ours(array):
    return Tensor(np.array(array, dtype=np.float64), requires_grad=True)


def _theirs(array):
    return torch.tensor(np.array(array, dtype=np.float64), requires_grad=True)


def _off_by_a_hundredth(x):
    """A copy of x whose gradient is the incoming one plus 0.01 (torch's test of a Jacobian mismatch)."""
    y = x.clone()
    y.register_hook(lambda g: g + 1e-2)
    return y


# -- the words of a failure ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fast_mode", [False, True])
def test_a_jacobian_mismatch_names_the_output_and_the_input_in_torchs_words(fast_mode):
    def two_outputs(x, y):
        return x * y, _off_by_a_hundredth(y)

    from torch.autograd.gradcheck import GradcheckError as TorchGradcheckError

    data = [[1.0, 2.0], [3.0, 4.0]]
    words = "Jacobian mismatch for output 1 with respect to input 1"
    with pytest.raises(TorchGradcheckError, match=words):
        torch.autograd.gradcheck(two_outputs, (_theirs(data), _theirs(data)), fast_mode=fast_mode)
    with pytest.raises(GradcheckError, match=words):
        gradcheck(two_outputs, (_ours(data), _ours(data)), fast_mode=fast_mode)
    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to input 0"):
        gradcheck(_off_by_a_hundredth, _ours(data), fast_mode=fast_mode)
    assert gradcheck(two_outputs, (_ours(data), _ours(data)), raise_exception=False, fast_mode=fast_mode) is False


# -- outputs that do not require grad --------------------------------------------------------------------------


def _detached_copy(x):
    return x.detach() * 3.0


@pytest.mark.parametrize(
    "function",
    [
        lambda x: (x * 2.0, _detached_copy(x)),
        lambda x: (_detached_copy(x), x.sin()),
        lambda x: (x.exp(), x.argmax()),
        lambda x: x.argmax(),
    ],
    ids=["detached second", "detached first", "integer beside", "integer alone"],
)
def test_outputs_that_do_not_require_grad_are_not_compared_as_in_torch(function):
    data = [0.5, 2.0, -1.0]
    assert torch.autograd.gradcheck(function, _theirs(data)) is True
    assert gradcheck(function, _ours(data)) is True


def test_a_function_no_output_of_which_requires_grad_must_be_numerically_constant_as_in_torch():
    def detached_only(x):
        return _detached_copy(x), x.detach().sum()

    words = "Numerical gradient for function expected to be zero"
    with pytest.raises(RuntimeError, match=words):
        torch.autograd.gradcheck(detached_only, _theirs([1.0, 2.0]))
    with pytest.raises(GradcheckError, match=words) as caught:
        gradcheck(detached_only, _ours([1.0, 2.0]))
    assert "numeric 2.99999" in str(caught.value)  # d(3 x_0)/dx_0 by central differences
    assert torch.autograd.gradcheck(detached_only, _theirs([1.0, 2.0]), raise_exception=False) is False
    assert gradcheck(detached_only, _ours([1.0, 2.0]), raise_exception=False) is False


def test_a_function_returning_no_outputs_passes_as_in_torch():
    assert torch.autograd.gradcheck(lambda x: (), (_theirs([1.0]),)) is True
    assert gradcheck(lambda x: (), (_ours([1.0]),)) is True


# -- a backward that is not deterministic ------------------------------------------------------------------------


def _jittery_identity(function_class, randoms):
    """torch's NonDetFunc for the library ``function_class`` comes from: the identity whose backward scales the
    gradient by 1 + jitter * U(0, 1), calling itself so that double backward jitters too."""

    class Jittery(function_class):
        @staticmethod
        def forward(ctx, x, jitter=0.0):
            ctx.jitter = jitter
            return x * 1.0

        @staticmethod
        def backward(ctx, grad_output):
            noise = randoms(grad_output)
            return Jittery.apply(grad_output, ctx.jitter) * (1 + noise * ctx.jitter), None

    return Jittery


def _both_jittery():
    from autograd.function import Function

    rng = np.random.default_rng(0)
    ours = _jittery_identity(Function, lambda g: Tensor(rng.random(g.shape)))
    theirs = _jittery_identity(torch.autograd.Function, torch.rand_like)
    return ours, theirs


def _assert_jitter_is_caught(run, jittery, x, second_order):
    """``run`` (a gradcheck or gradgradcheck) passes the deterministic identity, and catches one jittered by more
    than ``nondet_tol``; squared for gradgradcheck, so that the gradient goes through the jittery backward again."""
    jitter = 1e-12 if second_order else 1e-6

    def function(t, jitter):
        return jittery.apply(t, jitter) ** 2 if second_order else jittery.apply(t, jitter)

    assert run(lambda t: function(t, 0.0), x, check_batched_grad=False) is True
    with pytest.raises(RuntimeError, match="Backward is not reentrant"):
        run(lambda t: function(t, jitter), x, check_batched_grad=False)
    assert run(lambda t: function(t, jitter), x, raise_exception=False) is False
    assert run(lambda t: function(t, jitter), x, nondet_tol=1e-5) is True


@pytest.mark.parametrize("second_order", [False, True], ids=["gradcheck", "gradgradcheck"])
def test_a_backward_that_is_not_deterministic_fails_unless_nondet_tol_allows_it_as_in_torch(second_order):
    ours, theirs = _both_jittery()
    data = np.random.default_rng(1).standard_normal((3, 3))
    torch_check = torch.autograd.gradgradcheck if second_order else torch.autograd.gradcheck
    _assert_jitter_is_caught(torch_check, theirs, _theirs(data), second_order)
    _assert_jitter_is_caught(gradgradcheck if second_order else gradcheck, ours, _ours(data), second_order)


# -- a backward that does not scale by the incoming gradient --------------------------------------------------------


def test_a_backward_that_adds_to_the_gradient_fails_even_within_atol_as_in_torch():
    data = [[1.0, 2.0], [3.0, 4.0]]
    with pytest.raises(RuntimeError, match="backward not multiplied by grad_output"):
        torch.autograd.gradcheck(_off_by_a_hundredth, _theirs(data), atol=0.1)
    with pytest.raises(GradcheckError, match="backward not multiplied by grad_output"):
        gradcheck(_off_by_a_hundredth, _ours(data), atol=0.1)
    assert gradcheck(_off_by_a_hundredth, _ours(data), atol=0.1, raise_exception=False) is False
    assert gradcheck(lambda x: x.clone() * 1.005, _ours(data), atol=0.1) is True  # within atol and linear in g


@pytest.mark.parametrize("check", ["gradcheck", "gradgradcheck"])
@pytest.mark.parametrize(
    "options",
    [
        {"check_rev_over_rev": True},
        {"gen_non_contig_grad_outputs": False},
        {"check_backward_ad": True},
        {"check_batched_forward_grad": True},
        {"check_batched_forward_grad": True, "check_backward_ad": False},
        {"check_undefined_grad": False},
        {"masked": False},
    ],
)
def test_each_check_takes_only_its_own_torch_keywords_and_refuses_as_torchs(check, options):
    def outcome(function, x):
        try:
            return function(lambda v: v.sin(), (x,), **options)
        except Exception as error:  # noqa: BLE001 -- the class is what is compared
            return type(error).__name__

    ours = outcome(globals()[check], _ours([0.5, 1.5]))
    theirs = outcome(getattr(torch.autograd, check), _theirs([0.5, 1.5]))
    assert ours == theirs


@pytest.mark.parametrize(
    ("what", "function"),
    [
        ("shape", lambda x: x[x > 0]),
        ("dtype", lambda x: x * 2 if x[0] > 0 else (x * 2).float()),
    ],
)
@pytest.mark.parametrize("raise_exception", [True, False])
def test_outputs_whose_shape_or_dtype_change_with_the_perturbation_raise_torchs_assertion_error(
    what, function, raise_exception
):
    """x[x > 0] at an element within eps of 0 has one output element at x - eps and two at x + eps: torch refuses
    it with an AssertionError (not a GradcheckError, so raise_exception=False raises too), naming the element."""
    point = [1e-7, 0.5]
    message = f"Expected `func` to return outputs with the same {what} when inputs are perturbed on index \\(0,\\)"
    with pytest.raises(AssertionError, match=message) as theirs:
        torch.autograd.gradcheck(function, (_theirs(point),), raise_exception=raise_exception)
    with pytest.raises(AssertionError, match=message) as ours:
        gradcheck(function, (_ours(point),), raise_exception=raise_exception)
    assert type(theirs.value).__name__ != "GradcheckError"
    assert not isinstance(ours.value, GradcheckError)
