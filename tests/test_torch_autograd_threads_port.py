"""PyTorch's test/test_autograd.py, the parts test_torch_autograd_port.py left out: class TestMultithreadAutograd
(its CPU tests) and TestAutograd's reentrant-backward tests that port does not have, translated to this library's
API. Each case is written once against ``lib`` and runs with this library and with torch 2.13 (the oracle, which
shows the port is faithful; skipped when torch is not installed). Beside them, cases of this port's own on deep
reentrant backward (autograd.reentrant: past PASSES_PER_STACK nested passes one runs on a fresh thread): the
state a deep pass sees (grad, anomaly, inference and autocast modes, saved-tensor hooks, parametrize.cached),
errors raised deep down (propagated, or caught a few hops up), callbacks, retain_graph / create_graph and
autograd.grad there, and post-accumulate-grad hooks that run backward or queue callbacks (they run inside their
pass, as torch's).

Ported: backward from several threads (own inputs, one shared input, ``autograd.grad``), multi-grad hooks
fired from several threads, saved-tensor hooks and grad mode seen from other threads (the thread-local state
DataParallel's test checks), a graph shared by threads with and without ``retain_graph`` (the Python-thread and
fork/join tests; torch's fork/join uses ``torch.jit._fork``, here plain threads), the backtrace of an error
raised in a backward, test_deep_reentrant, test_reentrant_with_leaf_variable_hook, test_reentrant_parent_error
(on CPU only), and ``checkpoint(use_reentrant=True)`` nested hundreds deep.

Left out: the CUDA and stream tests (test_custom_function_propagates_errors_from_device_thread and the device
thread tests), ``set_multithreading_enabled`` / ``is_multithreading_enabled`` (the library has no worker
threads to turn off), test_multithreaded_exception_propagation as torch writes it (it checks the test's own
thread helper; here an error raised by a backward in a thread is checked instead), and test_cat_stack_r_to_c
(complex). Deliberate difference: an error raised by a pass leaves every ``.grad`` as it was, where torch's
leaves those its engine reached before the error filled (which ones depends on its execution order); the cases
that raise check the library's all-or-nothing and torch's own result separately. The library's pass also runs
the hooks of leaves after the rest of the graph, where torch's engine runs a leaf's as soon as its gradient is
ready: a multi-grad "any" hook on a leaf does not fire in a pass that raises first. And saved-tensor hooks see what
custom Functions save, not the library's own ops (which save nothing: README).
"""

from __future__ import annotations

import sys
import threading
import traceback
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import autograd
import nn
from autograd.reentrant import PASSES_PER_STACK

#: Nested passes deep enough that several of them run on fresh threads (autograd.reentrant).
DEEP = 3 * PASSES_PER_STACK + 2


@pytest.fixture(params=["autograd", "torch"])
def lib(request: pytest.FixtureRequest) -> ModuleType:
    """This library, or torch (the oracle: skipped when it is not installed)."""
    return autograd if request.param == "autograd" else pytest.importorskip("torch")


def plain(x: Any) -> np.ndarray:
    """A tensor or gradient of either library, as a float64 array."""
    x = x.detach() if hasattr(x, "detach") else x
    return np.asarray(x.numpy() if hasattr(x, "numpy") else x, dtype=np.float64)


def assert_close(actual: Any, expected: Any, tol: float = 1e-6) -> None:
    actual, expected = plain(actual), plain(expected)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol)


def run_in_threads(fn: Any, args: tuple = (), count: int = 10) -> list[Any]:
    """Run ``fn(*args)`` on ``count`` threads started together; return their results in order, or raise the first
    error one of them raised (after all have ended)."""
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def target(index: int) -> None:
        try:
            results[index] = fn(*args)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=target, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


def checkpoint_of(lib: ModuleType) -> Any:
    return nn.utils.checkpoint.checkpoint if lib is autograd else lib.utils.checkpoint.checkpoint


# -- TestMultithreadAutograd ---------------------------------------------------------------------------------------


def test_threads_backpropagating_their_own_graphs_each_get_their_gradient(lib):
    def train() -> Any:
        x = lib.ones(5, 5, requires_grad=True)
        y = (x + 3) * (x + 4) * 0.5
        y.sum().backward()
        return x.grad

    for grad in run_in_threads(train):
        assert_close(grad, np.full((5, 5), 4.5))


def test_threads_backpropagating_into_one_shared_leaf_add_their_gradients(lib):
    x = lib.ones(5, 5, requires_grad=True)

    def train_backward(x: Any) -> None:
        y = (x + 3) * (x + 4) * 0.5
        y.sum().backward()

    run_in_threads(train_backward, (x,))
    assert_close(x.grad, np.full((5, 5), 10 * 4.5))

    def train_grad(x: Any) -> Any:  # autograd.grad stores nothing: each thread gets the one gradient
        y = (x + 3) * (x + 4) * 0.5
        grads = lib.autograd.grad(y.sum(), x)
        assert len(grads) == 1
        return grads[0]

    for grad in run_in_threads(train_grad, (x,)):
        assert_close(grad, np.full((5, 5), 4.5))
    assert_close(x.grad, np.full((5, 5), 10 * 4.5))


def test_an_error_a_backward_raises_in_a_thread_reaches_the_thread_that_joins_it(lib):
    class Failing(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            raise ValueError("failed in a thread")

    def train() -> None:
        x = lib.ones(3, requires_grad=True)
        Failing.apply(x).sum().backward()

    with pytest.raises(ValueError, match="failed in a thread"):
        run_in_threads(train, count=4)


def test_multi_grad_all_hooks_fire_once_per_backward_run_in_each_thread(lib):
    t1, t2, t3, t4 = (lib.rand(2, requires_grad=True) for _ in range(4))
    seen: list[list[bool]] = []
    lock = threading.Lock()

    def hook(grads: Any) -> None:
        with lock:
            seen.append([grad is not None for grad in grads])

    handle = lib.autograd.graph.register_multi_grad_hook((t1, t2, t3, t4), hook)
    out = (t2 * t3).sum()

    def backward(out: Any) -> None:
        out.backward(inputs=(t2, t3), retain_graph=True)

    run_in_threads(backward, (out,), count=5)
    assert seen == [[False, True, True, False]] * 5

    # one thread's pass raises before its gradients are done: its hook does not fire, the others' do
    seen.clear()
    calls, errors = [0], [0]

    class FailingOnce(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            with lock:
                calls[0] += 1
                if calls[0] == 1:
                    raise RuntimeError("error message")
            return grad

    out = (FailingOnce.apply(t2) * t3).sum()

    def backward_counting_errors(out: Any) -> None:
        try:
            out.backward(inputs=(t2, t3), retain_graph=True)
        except RuntimeError:
            with lock:
                errors[0] += 1

    run_in_threads(backward_counting_errors, (out,), count=5)
    assert errors == [1]
    assert seen == [[False, True, True, False]] * 4
    handle.remove()


def test_multi_grad_any_hooks_fire_once_per_backward_run_in_each_thread(lib):
    t1, t2, t3, t4 = (lib.rand(2, requires_grad=True) for _ in range(4))
    count = [0]
    lock = threading.Lock()

    def hook(grad: Any) -> None:
        with lock:
            count[0] += 1

    lib.autograd.graph.register_multi_grad_hook((t1, t2, t3, t4), hook, mode="any")
    out = (t2 * t3).sum()
    run_in_threads(lambda: out.backward(inputs=(t2, t3), retain_graph=True), count=5)
    assert count == [5]

    # the hook runs before the custom backward that raises: all five passes fire it
    count[0] = 0
    calls, errors = [0], [0]

    class FailingOnce(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            with lock:
                calls[0] += 1
                if calls[0] == 1:
                    raise RuntimeError("error message")
            return grad

    out = (FailingOnce.apply(t2) * t3).sum()

    def backward_counting_errors() -> None:
        try:
            out.backward(inputs=(t2, t3), retain_graph=True)
        except RuntimeError:
            with lock:
                errors[0] += 1

    run_in_threads(backward_counting_errors, count=5)
    # torch's engine reaches t3's hook before the custom backward raises; the library's pass runs the hooks of
    # leaves after the rest of the graph, so the pass that raises fires none (a documented difference)
    assert count == [5 if lib is not autograd else 4] and errors == [1]


def test_saved_tensor_hooks_and_grad_mode_belong_to_the_thread_that_set_them(lib):
    """torch's test_dataparallel_saved_tensors_hooks (without DataParallel's devices): a thread started inside a
    saved_tensors_hooks block, or inside no_grad, runs without them; the block's own thread runs with them. (What a
    custom Function saves: the library's own ops pass nothing to these hooks, a documented difference.)"""
    packed: list[str] = []

    def pack(x: Any) -> Any:
        packed.append(threading.current_thread().name)
        return x

    class Saving(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    def in_thread() -> tuple[bool, bool]:
        x = lib.ones(3, requires_grad=True)
        y = Saving.apply(x)
        return lib.is_grad_enabled(), y.requires_grad

    with lib.autograd.graph.saved_tensors_hooks(pack, lambda x: x), lib.no_grad():
        (modes,) = run_in_threads(in_thread, count=1)
        assert packed == []
        with lib.enable_grad():
            x = lib.ones(3, requires_grad=True)
            Saving.apply(x)
    assert modes == (True, True)
    assert packed and set(packed) == {threading.current_thread().name}


def test_a_graph_shared_by_threads_needs_retain_graph(lib):
    """torch's test_python_thread_in_middle and test_fork_join_in_middle: threads backpropagating through one graph
    built before them. Without retain_graph the first pass frees it and the others raise torch's error (at least
    one succeeds); with it each adds its gradient, and autograd.grad gives each the same."""
    outcomes: list[str] = []
    lock = threading.Lock()

    def no_retain(middle: Any) -> None:
        y = middle + middle**2
        try:
            y.sum().backward()
            outcome = "ok"
        except RuntimeError as error:
            assert "Specify retain_graph=True" in str(error)
            outcome = "raised"
        with lock:
            outcomes.append(outcome)

    x = lib.ones(5, 5, requires_grad=True)
    middle = x + x**2
    run_in_threads(no_retain, (middle,), count=5)
    assert len(outcomes) == 5 and "ok" in outcomes

    def retain(middle: Any) -> None:
        y = middle + middle**2
        y.sum().backward(retain_graph=True)

    x = lib.ones(5, 5, requires_grad=True)
    middle = x + x**2
    run_in_threads(retain, (middle,), count=5)
    assert_close(x.grad, np.full((5, 5), 5 * (4 + 6 + 4 + 1)))

    x = lib.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3), requires_grad=True)
    middle = (x + 3) * (x + 4) * 0.5

    def grad_of(middle: Any) -> Any:
        y = middle + middle**2
        return lib.autograd.grad([y.sum()], [x], retain_graph=True)[0]

    grads = run_in_threads(grad_of, (middle,), count=3)
    expected = plain(x + 3.5) * (1 + 2 * plain(middle))
    for grad in grads:
        assert_close(grad, expected)


def test_an_error_raised_in_a_backward_keeps_the_line_that_raised_it_in_its_traceback(lib):
    class Foo(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, *grad):
            raise ValueError("something")

    t = lib.rand(10, requires_grad=True)
    with pytest.raises(ValueError, match="something") as info:
        Foo.apply(t).sum().backward()
    assert 'raise ValueError("something")' in "".join(traceback.format_tb(info.value.__traceback__))


def test_a_thread_started_inside_a_backward_runs_its_own_backward(lib):
    """A custom backward that starts a Python thread, which runs backward and autograd.grad on graphs of its own,
    and waits for it: the thread sees no pass running (grad mode on) and its gradients are its own."""
    found: dict[str, Any] = {}

    def worker() -> None:
        found["grad_mode"] = lib.is_grad_enabled()
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        (a**3).sum().backward()
        found["backward"] = a.grad
        b = lib.tensor([3.0], requires_grad=True)
        found["grad"] = lib.autograd.grad((b * b).sum(), b)[0]

    class StartsThread(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            thread = threading.Thread(target=worker)
            thread.start()
            thread.join()
            return grad * 2

    x = lib.ones(2, requires_grad=True)
    StartsThread.apply(x).sum().backward()
    assert_close(x.grad, [2.0, 2.0])
    assert found["grad_mode"] is True
    assert_close(found["backward"], [3.0, 12.0])
    assert_close(found["grad"], [6.0])


# -- TestAutograd's reentrant tests ----------------------------------------------------------------------------------


def test_deep_reentrant(lib):
    """torch's test of the same name: a Function whose backward runs a fresh backward of itself, 2000 nested passes
    and then 200, at Python's default recursion limit."""
    assert sys.getrecursionlimit() <= 3000

    class DeepReentrant(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            with lib.enable_grad():
                ctx.x = lib.autograd.Variable(x.detach(), requires_grad=True)
                ctx.x = ctx.x - 1
            return ctx.x.detach()

        @staticmethod
        def backward(ctx, x):
            if ctx.x < 0:
                return x
            with lib.enable_grad():
                DeepReentrant.apply(ctx.x).sum().backward()
            return x

    for depth in (2000.0, 200.0):
        v = lib.tensor(depth, requires_grad=True)
        DeepReentrant.apply(v).sum().backward()
        assert float(v.grad) == 1.0


def test_reentrant_with_leaf_variable_hook(lib):
    """torch's test of the same name: a leaf's hook that removes itself and runs a backward of its own, whose
    gradient it adds to the one it got."""
    handle = None
    param = lib.rand(10, requires_grad=True)

    def manual_increase_gradient(grad: Any) -> Any:
        handle.remove()
        with lib.enable_grad():
            g = grad.detach().requires_grad_()
            ((g * 2) + 5).sum().backward()
        return g.grad + grad

    handle = param.register_hook(manual_increase_gradient)
    (param * param).sum().backward()
    assert_close(param.grad, 2 + 2 * plain(param))


def test_reentrant_parent_error_on_cpu(lib):
    """torch's test_reentrant_parent_error_on_cpu with every tensor on the CPU: the outer pass raises while a
    reentrant pass of a longer graph runs inside it; the error reaches the caller."""

    class SimulateBackwardError(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            raise Exception("Simulate error on backward pass")

    t1, t2, t3 = (lib.rand(3, 3, requires_grad=True) for _ in range(3))
    t5 = SimulateBackwardError.apply(t1 * t1)
    reentrant_root = t2 * t2
    for _ in range(10):
        reentrant_root = reentrant_root * t2
    reentrant_root = reentrant_root.sum()

    class ReentrantFunc(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.clone()

        @staticmethod
        def backward(ctx, grad):
            reentrant_root.backward()
            return grad

    t7 = ReentrantFunc.apply(t3) ** 2
    with pytest.raises(Exception, match="Simulate error"):
        lib.autograd.backward([t5.sum(), t7.sum()])
    # the reentrant pass ended before the error: t2 has its gradient. torch's outer pass has filled t3's before the
    # error; the library's pass that raises fills no .grad (the documented difference)
    assert t1.grad is None
    assert (t3.grad is None) == (lib is autograd)
    assert_close(t2.grad, 12 * plain(t2) ** 11)


def test_reentrant_checkpoint_nested_inside_itself_hundreds_deep(lib):
    """checkpoint(use_reentrant=True) of a function that checkpoints the next level: every level's backward reruns
    its forward (with grad on), which checkpoints the level below, whose backward then runs inside it: 300 passes
    nested. (Run in no_grad, as a reentrant checkpoint's first forward is, a level computes the rest of the chain
    in a loop: the forward itself does not recurse 300 deep.)"""
    checkpoint = checkpoint_of(lib)
    depth = 300

    def level(x: Any, remaining: int) -> Any:
        if not lib.is_grad_enabled():
            for _ in range(remaining + 1):
                x = x * 1.01 + 0.01
            return x.sin()
        y = x * 1.01 + 0.01
        if remaining == 0:
            return y.sin()
        return checkpoint(level, y, remaining - 1, use_reentrant=True)

    x = lib.tensor([0.3, -0.2], dtype=lib.float64, requires_grad=True)
    checkpoint(level, x, depth, use_reentrant=True).sum().backward()
    # the chain is affine then sin: d/dx sin(a x + b) = a cos(a x + b), with a = 1.01 ** (depth + 1)
    a, b = 1.0, 0.0
    for _ in range(depth + 1):
        a, b = a * 1.01, b * 1.01 + 0.01
    assert_close(x.grad, a * np.cos(a * np.array([0.3, -0.2]) + b), 1e-9)


# -- deep reentrant passes (this port's own cases) -------------------------------------------------------------------


class _Recorder:
    """A Function factory: a custom backward at nesting level ``level`` calls ``visit(ctx.level)`` and, above 0,
    runs a fresh backward through the level below."""

    @staticmethod
    def make(lib: ModuleType, visit: Any) -> Any:
        class Nested(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, level):
                ctx.level = level
                return x * 1.0

            @staticmethod
            def backward(ctx, grad):
                visit(ctx.level)
                if ctx.level > 0:
                    with lib.enable_grad():
                        inner = lib.ones(2, requires_grad=True)
                        Nested.apply(inner, ctx.level - 1).sum().backward()
                return grad, None

        return Nested


@pytest.mark.filterwarnings("ignore:Anomaly Detection has been enabled")  # (torch's, as anomaly mode goes on)
def test_a_deep_nested_pass_sees_the_callers_grad_anomaly_inference_and_autocast_state(lib):
    seen = []
    nested = _Recorder.make(
        lib,
        lambda level: seen.append(
            (
                lib.is_grad_enabled(),
                lib.is_anomaly_enabled(),
                lib.is_inference_mode_enabled(),
                lib.is_autocast_enabled("cpu"),
            )
        ),
    )
    x = lib.ones(2, requires_grad=True)
    with lib.autograd.detect_anomaly(check_nan=False), lib.autocast("cpu"):
        nested.apply(x, DEEP).sum().backward()
    assert seen == [(False, True, False, True)] * (DEEP + 1)
    assert not lib.is_anomaly_enabled() and not lib.is_autocast_enabled("cpu")


def test_a_deep_nested_pass_keeps_no_grad_and_inference_mode_blocks_of_its_backward(lib):
    seen = []

    class Nested(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, level):
            ctx.level = level
            return x * 1.0

        @staticmethod
        def backward(ctx, grad):
            if ctx.level > 0:
                with lib.enable_grad():
                    inner = lib.ones(2, requires_grad=True)
                    out = Nested.apply(inner, ctx.level - 1).sum()
                with lib.no_grad():  # the pass runs in no_grad: its rules and nested passes see it off
                    out.backward()
                with lib.inference_mode():
                    seen.append(lib.is_inference_mode_enabled())
            return grad, None

    x = lib.ones(2, requires_grad=True)
    Nested.apply(x, DEEP).sum().backward()
    assert seen == [True] * DEEP
    assert not lib.is_inference_mode_enabled() and lib.is_grad_enabled()


def test_saved_tensor_hooks_of_the_caller_pack_what_deep_nested_passes_save(lib):
    packed = []

    class Nested(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, level):
            ctx.level = level
            ctx.save_for_backward(x)
            return x * 1.0

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            if ctx.level > 0:
                with lib.enable_grad():
                    inner = x.detach().requires_grad_()
                    Nested.apply(inner, ctx.level - 1).sum().backward()
            return grad, None

    x = lib.ones(2, requires_grad=True)
    with lib.autograd.graph.saved_tensors_hooks(lambda t: packed.append(1) or t, lambda t: t):
        Nested.apply(x, DEEP).sum().backward()
    assert len(packed) == 1 + DEEP  # the outer save, and each level's (its forward runs inside the pass above)


def test_an_error_raised_deep_down_reaches_the_caller_as_it_was_raised(lib):
    class BoomError(Exception):
        pass

    raised = []

    def visit(level: int) -> None:
        if level == 0:
            raised.append(BoomError("at the bottom", 42))
            raise raised[0]

    nested = _Recorder.make(lib, visit)
    x = lib.ones(2, requires_grad=True)
    w = lib.ones(2, requires_grad=True)
    with pytest.raises(BoomError) as info:
        (nested.apply(x, DEEP) * w).sum().backward()
    assert info.value is raised[0] and info.value.args == ("at the bottom", 42)
    assert "raised[0]" in "".join(traceback.format_tb(info.value.__traceback__))
    assert x.grad is None
    if lib is autograd:  # (torch's mul backward has filled w's .grad before the custom backward ran)
        assert w.grad is None
    assert lib.is_grad_enabled()
    # the same Function runs again afterwards
    x = lib.ones(2, requires_grad=True)
    _Recorder.make(lib, lambda level: None).apply(x, DEEP).sum().backward()
    assert_close(x.grad, [1.0, 1.0])


def test_callbacks_queued_by_deep_nested_passes_run_at_the_end_of_each(lib):
    order = []
    engine = lib.autograd.Variable._execution_engine

    class Nested(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, level):
            ctx.level = level
            return x * 1.0

        @staticmethod
        def backward(ctx, grad):
            engine.queue_callback(lambda level=ctx.level: order.append(("callback", level)))
            if ctx.level > 0:
                with lib.enable_grad():
                    inner = lib.ones(2, requires_grad=True)
                    Nested.apply(inner, ctx.level - 1).sum().backward()
            order.append(("backward", ctx.level))
            return grad, None

    x = lib.ones(2, requires_grad=True)
    Nested.apply(x, DEEP).sum().backward()
    assert order == [(kind, level) for level in range(DEEP + 1) for kind in ("backward", "callback")]


def test_deep_nested_passes_with_retain_graph_create_graph_and_autograd_grad(lib):
    """Each level takes autograd.grad of the level below (create_graph, retain_graph), then the gradient of that
    gradient, then backward through the retained graph a second time; the outer gradient is x ** 2's."""
    seen = []

    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, level):
            ctx.level = level
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            if ctx.level > 0:
                with lib.enable_grad():
                    inner = x.detach().requires_grad_()
                    y = Square.apply(inner, ctx.level - 1).sum() if ctx.level == 1 else (inner * inner).sum()
                    if ctx.level > 1:
                        deeper = Square.apply(inner, ctx.level - 1).sum()
                        lib.autograd.grad(deeper, inner)
                    (first,) = lib.autograd.grad(y, inner, create_graph=True, retain_graph=True)
                    (second,) = lib.autograd.grad(first.sum(), inner)
                    y.backward()  # the retained graph, again
                seen.append((first.requires_grad, plain(second).tolist(), plain(inner.grad).tolist()))
            return grad * 2 * x, None

    x = lib.tensor([1.5, -2.0], requires_grad=True)
    Square.apply(x, DEEP).sum().backward()
    assert_close(x.grad, [3.0, -4.0])
    assert seen == [(True, [2.0, 2.0], [3.0, -4.0])] * DEEP


def test_threads_each_running_deep_nested_passes_at_once(lib):
    def train(start: float) -> float:
        visits = []
        nested = _Recorder.make(lib, visits.append)
        x = lib.tensor([start, start], requires_grad=True)
        (nested.apply(x, DEEP) * x).sum().backward()
        assert visits == list(range(DEEP, -1, -1))
        return plain(x.grad).tolist()

    assert run_in_threads(train, (2.5,), count=4) == [[5.0, 5.0]] * 4
    assert lib.is_grad_enabled()


# -- post-accumulate-grad hooks run as part of their pass ------------------------------------------------------------


@pytest.mark.parametrize("inputs", [None, "x"], ids=["backward", "backward_inputs"])
def test_post_accumulate_grad_hooks_running_backward_nest_hundreds_deep(lib, inputs):
    """A leaf's post-accumulate-grad hook that runs backward into that same leaf again, 300 passes nested: each pass
    adds its gradient and the hooks run one level deeper, without the stack overflowing or the leaf's lock (held
    by the pass whose hook runs) blocking a nested pass moved to a fresh thread; with backward(inputs=...) too."""
    x = lib.ones(2, dtype=lib.float64, requires_grad=True)
    runs = [0]
    chosen = None if inputs is None else [x]

    def hook(leaf: Any) -> None:
        if runs[0] < 300:
            runs[0] += 1
            with lib.enable_grad():
                (x * 2).sum().backward(inputs=chosen)

    x.register_post_accumulate_grad_hook(hook)
    # (on a thread of its own, so that a pass waiting for the leaf's lock fails the test instead of hanging it)
    worker = threading.Thread(target=lambda: (x * 3).sum().backward(inputs=chosen), daemon=True)
    worker.start()
    worker.join(timeout=120)
    assert not worker.is_alive(), "the nested passes are blocked"
    assert runs == [300]
    assert_close(x.grad, [3.0 + 2 * 300] * 2)


def test_a_post_accumulate_grad_hook_queues_a_callback_of_its_pass(lib):
    """Torch's post-accumulate-grad hooks run inside the pass: a callback they queue runs at its end, seeing the
    .grad of every leaf."""
    engine = lib.autograd.Variable._execution_engine
    x = lib.ones(2, requires_grad=True)
    w = lib.ones(2, requires_grad=True)
    seen = []
    x.register_post_accumulate_grad_hook(
        lambda leaf: engine.queue_callback(lambda: seen.append((plain(x.grad).tolist(), plain(w.grad).tolist())))
    )
    (x * 2 + w * 3).sum().backward()
    assert seen == [([2.0, 2.0], [3.0, 3.0])]
    x.grad = w.grad = None
    (x * 2 + w * 3).sum().backward(inputs=[x, w])
    assert seen[1:] == [([2.0, 2.0], [3.0, 3.0])]


def test_parametrize_cached_holds_in_deep_nested_passes(lib):
    """Inside ``parametrize.cached()``, a parametrized tensor read twice is one tensor, in a custom backward as in
    the passes nested in it, past the thread hop too."""
    nn_lib = nn if lib is autograd else lib.nn
    parametrize = nn_lib.utils.parametrize

    class Double(nn_lib.Module):
        def forward(self, w):
            return w * 2

    module = nn_lib.Linear(2, 2)
    parametrize.register_parametrization(module, "weight", Double())
    seen = []
    nested = _Recorder.make(lib, lambda level: seen.append(module.weight is module.weight))
    x = lib.ones(2, requires_grad=True)
    with parametrize.cached():
        nested.apply(x, DEEP).sum().backward()
    assert seen == [True] * (DEEP + 1)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
@pytest.mark.parametrize("create_graph", [False, True], ids=["plain", "create_graph"])
def test_an_error_from_deep_down_caught_on_the_way_up_lets_the_passes_above_finish(lib, create_graph):
    """The bottom level raises; the level a hop above it catches the error, and every pass above finishes: the
    callbacks of the passes that failed are dropped, the others run, each level's grad mode is the pass's (on
    under create_graph), and the outer gradient comes out (with a graph under create_graph)."""
    engine = lib.autograd.Variable._execution_engine
    log = []
    catch_at = PASSES_PER_STACK - 1

    class Nested(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, level):
            ctx.level = level
            ctx.save_for_backward(x)
            return x * 1.0

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            engine.queue_callback(lambda level=ctx.level: log.append(("callback", level)))
            log.append(("grad mode", ctx.level, lib.is_grad_enabled()))
            if ctx.level == 0:
                raise KeyError("bottom")
            inner = lib.ones(2, requires_grad=True)
            try:
                with lib.enable_grad():
                    Nested.apply(inner, ctx.level - 1).sum().backward()
            except KeyError as error:
                if ctx.level != catch_at:
                    raise
                log.append(("caught", ctx.level, str(error)))
            log.append(("inner grad", ctx.level, None if inner.grad is None else plain(inner.grad).tolist()))
            return grad * x, None

    x = lib.tensor([2.0, 3.0], requires_grad=True)
    Nested.apply(x * 1.0, DEEP).sum().backward(create_graph=create_graph)
    assert_close(x.grad, [2.0, 3.0])
    assert x.grad.requires_grad == create_graph
    levels_run = list(range(DEEP, -1, -1))
    assert [entry for entry in log if entry[0] == "grad mode"] == [
        ("grad mode", level, create_graph if level == DEEP else False) for level in levels_run
    ]
    assert ("caught", catch_at, "'bottom'") in log
    assert [entry[1] for entry in log if entry[0] == "callback"] == list(range(catch_at, DEEP + 1))
    assert [entry for entry in log if entry[0] == "inner grad"] == [
        ("inner grad", level, None if level == catch_at else [1.0, 1.0]) for level in range(catch_at, DEEP + 1)
    ]
