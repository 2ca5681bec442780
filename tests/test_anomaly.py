"""Anomaly mode: the first NaN gradient in backward names its op, the input and the user's source line; forward
values and infinities pass, as in torch."""

import inspect
import operator
import threading
import traceback

import numpy as np
import pytest

import autograd
from autograd import Tensor, Value
from autograd.anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled, user_frame
from nn.functional import mse_loss


def _next_line() -> int:
    """The line number just after the caller's current line."""
    return inspect.currentframe().f_back.f_lineno + 1


def _assert_points_here(error: AnomalyError, line: int, code: str) -> None:
    assert error.origin is not None
    assert error.origin.filename == __file__
    assert error.origin.lineno == line
    assert f"{__file__}:{line}" in str(error)
    assert code in str(error)


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_non_finite_forward_values_pass_and_only_their_nan_gradient_raises(kind):
    x = Value(0.0) if kind == "value" else Tensor(np.zeros(2), requires_grad=True)
    with detect_anomaly(), np.errstate(invalid="ignore", divide="ignore"):
        assert np.isneginf(np.asarray(x.log().data)).all()  # log 0 = -inf: no anomaly, as torch's
        line = _next_line()
        ratio = x / x  # 0/0 = nan in forward: no anomaly either
        assert np.isnan(np.asarray(ratio.data)).all()
        with pytest.raises(AnomalyError) as caught:
            (ratio if kind == "value" else ratio.sum()).backward()  # d/dy (x/y) = -x/y^2 = -0/0 = nan
    error = caught.value
    assert (error.op, error.phase, error.input_index) == ("div", "backward", 1)
    assert "Function 'DivBackward0' returned nan values in its 1th output." in str(error)
    _assert_points_here(error, line, "ratio = x / x")


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_sqrt_at_zero_backward_names_sqrt_input_and_creation_line(kind):
    x = Value(0.0) if kind == "value" else Tensor(np.array([0.0, 4.0]), requires_grad=True)
    with detect_anomaly():
        line = _next_line()
        root = x.sqrt() * 0.0 if kind == "value" else (x.sqrt() * 0.0).sum()
        with np.errstate(divide="ignore", invalid="ignore"), pytest.raises(AnomalyError) as caught:
            root.backward()  # 0 * 0.5 / sqrt(0) = 0 * inf = nan
    error = caught.value
    assert (error.op, error.phase, error.input_index) == ("sqrt", "backward", 0)
    assert "Function 'SqrtBackward0' returned nan values in its 0th output." in str(error)
    assert "input 0 of 'sqrt'" in str(error)
    _assert_points_here(error, line, "x.sqrt()")


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_an_infinite_gradient_is_no_anomaly(kind):
    x = Value(0.0) if kind == "value" else Tensor(np.array([0.0, 4.0]), requires_grad=True)
    with detect_anomaly(), np.errstate(divide="ignore"):
        (x.sqrt() if kind == "value" else x.sqrt().sum()).backward()  # d/dx sqrt(x) = 1 / (2 sqrt 0) = inf
    assert np.isposinf(np.asarray(x.grad).flat[0])


@pytest.mark.parametrize(("symbol", "name"), [("+", "add"), ("-", "sub"), ("*", "mul")])
def test_a_binary_op_on_two_values_names_its_creation_line_in_backward(symbol, name):
    a, b = Value(2.0), Value(3.0)
    with detect_anomaly():
        line = _next_line()
        z = {"+": operator.add, "-": operator.sub, "*": operator.mul}[symbol](a, b)
        with pytest.raises(AnomalyError) as caught:
            z.backward(float("nan"))
    error = caught.value
    assert (error.op, error.phase) == (name, "backward")
    _assert_points_here(error, line, "z = {")


def test_backward_names_which_input_got_the_bad_gradient():
    x, y = Value(0.0), Value(0.0)
    with detect_anomaly():
        quotient = x / y
        with pytest.raises(AnomalyError) as caught:
            quotient.backward()  # d/dy (x/y) = -x/y^2 = -0/0 is nan; d/dx = 1/y = inf is no anomaly
    assert caught.value.op == "div" and caught.value.input_index == 1
    assert "input 1 of 'div'" in str(caught.value)


def test_creation_line_skips_frames_inside_the_library():
    prediction = Tensor([np.inf, 1.0], requires_grad=True)
    with detect_anomaly(), np.errstate(invalid="ignore"):
        line = _next_line()
        loss = mse_loss(prediction, Tensor([np.inf, 1.0]))  # inf - inf = nan inside nn.functional: no anomaly yet
        with pytest.raises(AnomalyError) as caught:
            loss.backward()  # the nan difference makes the gradient of its square nan
    error = caught.value
    assert error.phase == "backward" and "returned nan values" in str(error)
    _assert_points_here(error, line, "loss = mse_loss(prediction")


def test_user_frame_is_the_innermost_frame_outside_autograd_and_nn():
    library_file = autograd.core.__file__
    user = traceback.FrameSummary("/home/me/train.py", 7, "main", line="loss = model(x)")
    stack = [
        traceback.FrameSummary("/home/me/run.py", 1, "<module>", line="main()"),
        user,
        traceback.FrameSummary(library_file, 10, "forward", line="..."),
    ]
    assert user_frame(stack) is user
    assert user_frame([traceback.FrameSummary(library_file, 1, "f", line="")]) is None
    assert user_frame(None) is None


def test_graph_built_before_anomaly_mode_reports_unknown_creation_site():
    x = Value(0.0)
    root = x.sqrt() * 0.0
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        root.backward()
    assert caught.value.origin is None
    assert "unknown" in str(caught.value) and "'sqrt'" in str(caught.value)


def test_create_graph_gradients_are_checked_too():
    # Under create_graph the sqrt rule's gradient is a recorded node: its nan is caught all the same, and a second
    # pass through nodes a rule recorded names the create_graph pass that made them.
    x = Value(0.0)
    with detect_anomaly():
        root = x.sqrt() * 0.0
        with pytest.raises(AnomalyError) as caught:
            autograd.grad(root, x, create_graph=True)
        assert caught.value.op == "sqrt" and caught.value.phase == "backward"
        line = _next_line()
        (slope,) = autograd.grad(x.sqrt(), x, create_graph=True)  # 1 / (2 sqrt 0) = inf: no anomaly
        with pytest.raises(AnomalyError) as caught:
            (slope * 0.0).backward()
    assert caught.value.phase == "backward" and "create_graph=True" in str(caught.value)
    _assert_points_here(caught.value, line, "autograd.grad(x.sqrt(), x, create_graph=True)")


def test_finite_graph_gives_the_same_gradients_with_and_without_anomaly_mode():
    def gradients():
        x, y = Value(0.7), Value(-1.3)
        ((x * y).tanh() + (x / y).exp()).backward()
        return x.grad, y.grad

    plain = gradients()
    with detect_anomaly():
        checked = gradients()
    assert checked == plain


def test_no_checks_and_no_stack_recorded_outside_anomaly_mode():
    x = Value(0.0)
    y = x.log()
    assert y.data == float("-inf")
    assert y._origin is None
    with detect_anomaly():
        z = x + 1.0
    assert z._origin is not None


def test_nested_blocks_restore_the_previous_state():
    assert not is_anomaly_enabled()
    with detect_anomaly():
        assert is_anomaly_enabled()
        with detect_anomaly(enabled=False):
            assert not is_anomaly_enabled()
            assert Value(0.0).log().data == float("-inf")  # checks really are off
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()


def test_state_is_restored_when_the_block_raises():
    with pytest.raises(AnomalyError), detect_anomaly():
        (Value(0.0).sqrt() * 0.0).backward()
    assert not is_anomaly_enabled()


def test_one_instance_can_be_entered_twice_nested():
    anomaly = detect_anomaly()
    with anomaly:
        with anomaly:
            assert is_anomaly_enabled()
        assert is_anomaly_enabled()
    assert not is_anomaly_enabled()


def test_decorator_enables_anomaly_mode_for_the_call_only():
    @detect_anomaly()
    def differentiate_root_times_zero(x):
        (x.sqrt() * 0.0).backward()

    with pytest.raises(AnomalyError):
        differentiate_root_times_zero(Value(0.0))
    assert not is_anomaly_enabled()


def test_anomaly_mode_is_per_thread():
    seen = []
    with detect_anomaly():
        worker = threading.Thread(target=lambda: seen.append(is_anomaly_enabled()))
        worker.start()
        worker.join()
    assert seen == [False]


def test_a_block_in_one_thread_checks_only_that_threads_nodes():
    # Node creation skips the checker while no block is open in any thread; with one open
    # elsewhere it still reads this thread's own mode.
    opened, release = threading.Event(), threading.Event()
    origins = []

    def record_inside_a_block():
        with detect_anomaly():
            opened.set()
            release.wait(10)
            origins.append((Value(1.0) * 2.0)._origin)

    worker = threading.Thread(target=record_inside_a_block)
    worker.start()
    assert opened.wait(10)
    try:
        here = Value(1.0) * 2.0
        assert here._origin is None and Value(0.0).log().data == float("-inf")
    finally:
        release.set()
        worker.join()
    assert origins[0] is not None
    after = Value(1.0) * 2.0
    assert after._origin is None


def test_anomaly_error_is_a_runtime_error_exported_from_autograd():
    assert issubclass(autograd.AnomalyError, RuntimeError)
    assert autograd.detect_anomaly is detect_anomaly


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_nan_gradient_is_caught_in_backward(kind):
    x = Value(0.0) if kind == "value" else Tensor(np.zeros(3), requires_grad=True)
    with detect_anomaly():
        root = x.sqrt() * 0.0 if kind == "value" else (x.sqrt() * 0.0).sum()
        with np.errstate(invalid="ignore"), pytest.raises(AnomalyError) as caught:
            root.backward()  # sqrt's rule: 0 * 0.5 / sqrt(0) = 0/0 = nan
    assert caught.value.op == "sqrt" and caught.value.phase == "backward"
    assert "nan" in str(caught.value)


def test_backward_names_the_input_position_when_a_number_comes_first():
    y = Value(0.0)
    with detect_anomaly():
        quotient = 0.0 / y  # the number is input 0 of div, y input 1
        with pytest.raises(AnomalyError) as caught:
            quotient.backward()  # d/dy (0/y) = -0/y^2 = nan
    assert caught.value.op == "div" and caught.value.input_index == 1
    assert "input 1 of 'div'" in str(caught.value)


def test_masked_attention_runs_in_anomaly_mode():
    # torch's anomaly mode checks no forward value: scores plus a mask of -inf, and log 0, pass
    import nn
    import nn.functional as F

    rng = np.random.default_rng(0)
    q = Tensor(rng.normal(size=(2, 3, 4)), requires_grad=True)
    with detect_anomaly():
        assert (Value(2.0) * float("inf")).data == float("inf")
        out = F.scaled_dot_product_attention(q, q, q, is_causal=True)
        out.sum().backward()
        layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True, dtype=np.float64)
        layer(q, src_mask=nn.Transformer.generate_square_subsequent_mask(3)).sum().backward()
        assert Value(0.0).log().data == float("-inf")


def test_a_nan_gradient_also_names_the_function_in_torch_s_words():
    class NanGradient(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * np.nan

    x = Tensor(np.ones(2), requires_grad=True)
    with (
        detect_anomaly(),
        pytest.raises(RuntimeError, match=r"Function 'NanGradientBackward' returned nan values in its 0th output"),
    ):
        NanGradient.apply(x).sum().backward()
    zero = Tensor(np.zeros(2), requires_grad=True)
    with detect_anomaly():
        zero.sqrt().sum().backward()  # an infinite gradient (1 / (2 sqrt 0)): no anomaly, as in torch
    assert np.isposinf(zero.grad).all()
