"""autograd.graph (torch.autograd.graph's names): multi-grad hooks, gradient edges, the Node type, saved-tensors
hooks on custom Functions. Gradients are checked against central finite differences in float64."""

from __future__ import annotations

import gc
import threading

import numpy as np
import pytest

import autograd
from autograd import Function, Tensor, Value, gradcheck, gradgradcheck
from autograd.graph import (
    GradientEdge,
    Node,
    disable_saved_tensors_hooks,
    get_gradient_edge,
    register_multi_grad_hook,
    save_on_cpu,
    saved_tensors_hooks,
)
from autograd.graph_tasks import GraphTasks, current_task

RNG = np.random.default_rng(5)


def _numerical_gradient(f, x, eps=1e-6):
    """Central differences of the scalar ``f(array)`` at ``x`` (float64)."""
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = eps
        grad[index] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


def _loss(x):
    return (np.sin(x) * x).sum()


def test_the_module_is_torch_autograd_graph_under_both_names():
    assert autograd.autograd.graph is autograd.graph
    assert set(autograd.graph.__all__) >= {
        "GradientEdge", "Node", "get_gradient_edge", "register_multi_grad_hook", "saved_tensors_hooks",
        "disable_saved_tensors_hooks", "save_on_cpu", "increment_version",
    }  # fmt: skip


# -- register_multi_grad_hook ------------------------------------------------------------------------------------


def test_all_mode_gives_the_gradients_of_a_pass_once_they_are_all_computed():
    data = RNG.standard_normal(3)
    x = Tensor(data.copy(), requires_grad=True)
    y = x.sin()
    seen = []
    register_multi_grad_hook((x, y), lambda grads: seen.append([np.array(g) for g in grads]))
    (y * x).sum().backward()
    assert len(seen) == 1
    np.testing.assert_allclose(seen[0][0], _numerical_gradient(_loss, data), rtol=1e-6)
    np.testing.assert_allclose(seen[0][1], data, rtol=1e-12)  # d(y * x)/dy


def test_all_mode_works_with_a_leaf_among_autograd_grad_inputs():
    # torch raises here ("A leaf node was passed to _will_engine_execute_node ..."); the hook sees the leaf's gradient
    data = RNG.standard_normal(4)
    x = Tensor(data.copy(), requires_grad=True)
    other = Tensor(np.ones(4), requires_grad=True)
    loss = (x.sin() * x).sum() + other.sum()
    seen = []
    register_multi_grad_hook((x, other), lambda grads: seen.append(grads))
    (result,) = autograd.grad(loss, x)
    assert len(seen) == 1 and seen[0][1] is None
    np.testing.assert_allclose(seen[0][0], _numerical_gradient(_loss, data), rtol=1e-6)
    np.testing.assert_allclose(result, seen[0][0])


def test_all_mode_calls_again_in_each_pass_through_a_retained_graph():
    x = Tensor(np.ones(2), requires_grad=True)
    y = x * 3
    calls = []
    register_multi_grad_hook((x, y), lambda grads: calls.append(len(grads)))
    for _ in range(3):
        y.sum().backward(retain_graph=True)
    assert calls == [2, 2, 2]


def test_all_mode_on_values_gives_numbers():
    a, b = Value(2.0), Value(-3.0)
    seen = []
    register_multi_grad_hook((a, b), seen.append)
    (a * b + a).backward()
    assert seen == [[-2.0, 2.0]]


def test_all_mode_under_create_graph_gives_differentiable_gradients():
    data = RNG.standard_normal(3)
    x = Tensor(data.copy(), requires_grad=True)
    seen = []
    register_multi_grad_hook((x,), lambda grads: seen.append(grads[0]))
    (x**3).sum().backward(create_graph=True)
    (second,) = autograd.grad(seen[0].sum(), x)
    np.testing.assert_allclose(second, _numerical_gradient(lambda v: (3 * v**2).sum(), data), rtol=1e-6)


def test_a_pass_run_inside_the_hook_is_a_pass_of_its_own():
    x = Tensor(np.ones(2), requires_grad=True)
    y = x * 2
    squares = (y * y).sum()
    calls, inner = [], []

    def fn(grads):
        calls.append([np.array(g) for g in grads])
        if len(calls) == 1:  # the outer pass's call runs a pass, which reaches x and y too: fn runs for it
            inner.append(autograd.grad(squares, x, retain_graph=True)[0])

    register_multi_grad_hook((x, y), fn)
    y.sum().backward(retain_graph=True)
    assert len(calls) == 2  # once per pass
    np.testing.assert_array_equal(calls[0][0], [2.0, 2.0])  # the outer pass's gradients
    np.testing.assert_array_equal(calls[1][0], [8.0, 8.0])  # d(sum((2x)^2))/dx = 8x, at x = 1
    np.testing.assert_array_equal(inner[0], [8.0, 8.0])


def test_threads_running_passes_at_once_each_get_one_call():
    x = Tensor(np.ones(3), requires_grad=True)
    calls = []
    barrier = threading.Barrier(2)

    def fn(grads):
        calls.append(threading.get_ident())
        barrier.wait(timeout=5)  # both passes are inside their last hook at once

    register_multi_grad_hook((x,), fn)
    threads = [threading.Thread(target=lambda: autograd.grad((x * 2).sum(), x)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(calls)) == 2 and len(calls) == 2


def test_any_mode_is_called_with_the_first_gradient_only():
    x = Tensor(np.ones(2), requires_grad=True)
    y = x * 2
    z = y * 5
    seen = []
    register_multi_grad_hook((x, y, z), lambda grad: seen.append(np.array(grad)), mode="any")
    z.sum().backward()
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [1.0, 1.0])  # z's, the first computed


def test_a_gradient_given_to_fn_does_not_change_with_later_passes():
    x = Tensor(np.ones(2), requires_grad=True)
    seen = []
    register_multi_grad_hook((x,), lambda grads: seen.append(grads[0]))
    (x * 3).sum().backward()
    (x * 3).sum().backward()  # adds into x.grad in place
    np.testing.assert_array_equal(seen[0], [3.0, 3.0])
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])


def test_removing_the_handle_takes_the_hook_off_every_tensor_and_stops_the_publishing():
    before = GraphTasks.watched
    x = Tensor(np.ones(2), requires_grad=True)
    y = x * 2
    calls = []
    handle = register_multi_grad_hook((x, y), calls.append)
    assert GraphTasks.watched == before + 1
    handle.remove()
    handle.remove()  # idempotent
    assert GraphTasks.watched == before
    y.sum().backward()
    assert calls == [] and not x._hooks and not y._hooks


def test_a_hook_gone_with_its_tensors_stops_the_publishing():
    gc.collect()
    before = GraphTasks.watched
    x = Tensor(np.ones(2), requires_grad=True)
    register_multi_grad_hook((x,), print)
    assert GraphTasks.watched == before + 1
    del x  # no reference cycle: gone at once, without the cyclic collector
    assert GraphTasks.watched == before


def test_a_pass_publishes_nothing_while_no_multi_grad_hook_exists():
    gc.collect()
    assert GraphTasks.watched == 0
    x = Tensor(np.ones(2), requires_grad=True)
    inside = []
    x.register_hook(lambda grad: inside.append(current_task()))
    (x * 2).sum().backward()
    assert inside == [None]


def test_the_handle_works_as_a_context_manager():
    x = Tensor(np.ones(2), requires_grad=True)
    calls = []
    with register_multi_grad_hook((x,), calls.append):
        (x * 2).sum().backward()
    (x * 2).sum().backward()
    assert len(calls) == 1


@pytest.mark.parametrize(
    ("tensors", "mode", "error"),
    [
        (lambda: (Tensor(np.ones(1), requires_grad=True),), "first", ValueError),
        (lambda: (Tensor(np.ones(1)),), "all", RuntimeError),
        (lambda: ([1.0],), "any", TypeError),
    ],
)
def test_bad_registrations_name_the_problem(tensors, mode, error):
    with pytest.raises(error, match="mode|tensors\\[0\\]"):
        register_multi_grad_hook(tensors(), print, mode=mode)


# -- gradient edges and the Node type -----------------------------------------------------------------------------


def test_grad_through_a_gradient_edge_matches_finite_differences():
    data = RNG.standard_normal(3)
    x = Tensor(data.copy(), requires_grad=True)
    y = x * 1.0
    loss = (y.sin() * y).sum()
    (by_edge,) = autograd.grad(loss, get_gradient_edge(y), retain_graph=True)
    (by_leaf_edge,) = autograd.grad(get_gradient_edge(loss), [get_gradient_edge(x)])
    np.testing.assert_allclose(by_edge, _numerical_gradient(_loss, data), rtol=1e-6)
    np.testing.assert_allclose(by_leaf_edge, _numerical_gradient(_loss, data), rtol=1e-6)


def test_backward_takes_gradient_edges_as_tensors_and_inputs():
    data = RNG.standard_normal(3)
    x = Tensor(data.copy(), requires_grad=True)
    other = Tensor(np.ones(3), requires_grad=True)
    loss = (x.sin() * x).sum() + other.sum()
    autograd.autograd.backward(get_gradient_edge(loss), inputs=[get_gradient_edge(x)])
    np.testing.assert_allclose(x.grad, _numerical_gradient(_loss, data), rtol=1e-6)
    assert other.grad is None


def test_materialize_grads_refuses_an_unused_gradient_edge():
    x = Tensor(np.ones(2), requires_grad=True)
    unused = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match="materialize_grads cannot be used when the given input is a GradientEdge"):
        autograd.grad((x * 2).sum(), [x, get_gradient_edge(unused)], materialize_grads=True)


def test_an_edge_names_its_function_and_position_among_the_outputs():
    x = Tensor(np.ones(4), requires_grad=True)
    first, second = (x * 1).split(2)
    edge = get_gradient_edge(second)
    assert edge == GradientEdge(second.grad_fn, 1) and edge.output_nr == 1
    assert get_gradient_edge(x).node is (x * 1).grad_fn.next_functions[0][0]
    assert get_gradient_edge(second[1:]).output_nr == 0  # a view of a piece: its own function's
    with pytest.raises(RuntimeError, match="does not require gradients"):
        get_gradient_edge(Tensor(np.ones(1)))


def test_every_backward_function_is_a_node_and_nothing_else_is():
    x = Tensor(np.ones(2), requires_grad=True)
    y = x.exp()
    assert isinstance(y.grad_fn, Node) and isinstance(y.grad_fn.next_functions[0][0], Node)
    assert not isinstance(x, Node) and not isinstance(y, Node)
    with pytest.raises(TypeError):
        Node()


# -- saved_tensors_hooks ------------------------------------------------------------------------------------------


class Cube(Function):
    """x ** 3, saving its input: d/dx = 3 x^2."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x * x


def test_identity_hooks_leave_first_and_second_derivatives_as_finite_differences_give_them():
    x = Tensor(RNG.standard_normal(3), requires_grad=True)
    calls = []

    def pack(t):
        calls.append("pack")
        return t

    def unpack(t):
        calls.append("unpack")
        return t

    def f(v):
        with saved_tensors_hooks(pack, unpack):
            return Cube.apply(v).sum()

    assert gradcheck(f, [x])
    assert gradgradcheck(f, [x])
    assert "pack" in calls and "unpack" in calls


def test_backward_reads_what_unpack_hook_returns():
    data = np.array([1.0, 2.0])
    x = Tensor(data.copy(), requires_grad=True)
    with saved_tensors_hooks(lambda t: t.detach().numpy() * 2, lambda array: Tensor(array)):
        y = Cube.apply(x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad, 3 * (2 * data) ** 2)


def test_save_on_cpu_keeps_gradients_as_finite_differences_give_them():
    x = Tensor(RNG.standard_normal(3), requires_grad=True)

    def f(v):
        with save_on_cpu(pin_memory=True):
            return Cube.apply(v).sum()

    assert gradcheck(f, [x])


def test_hooks_belong_to_the_thread_that_entered_them():
    packed_in = []
    x = Tensor(np.ones(2), requires_grad=True)
    with saved_tensors_hooks(lambda t: packed_in.append(threading.get_ident()) or t, lambda t: t):
        thread = threading.Thread(target=lambda: Cube.apply(x))
        thread.start()
        thread.join()
        Cube.apply(x)
    assert packed_in == [threading.get_ident()]


def test_the_librarys_own_ops_are_not_passed_to_the_hooks():
    # documented: only custom Functions' save_for_backward is covered (built-in ops save nothing apart from the graph)
    calls = []
    x = Tensor(np.ones(2), requires_grad=True)
    with saved_tensors_hooks(lambda t: calls.append(t) or t, lambda t: calls.append(t) or t):
        y = (x * x).exp()
    y.sum().backward()
    assert calls == []


def test_saved_arrays_and_none_are_not_packed():
    class KeepsAnArray(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x.detach().numpy() * 2, None)
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            doubled, nothing = ctx.saved_tensors
            assert nothing is None and isinstance(doubled, np.ndarray)
            return grad * 2

    calls = []
    x = Tensor(np.ones(2), requires_grad=True)
    with saved_tensors_hooks(lambda t: calls.append("pack") or t, lambda t: calls.append("unpack") or t):
        y = KeepsAnArray.apply(x)
    y.sum().backward()
    assert calls == []


def test_disable_saved_tensors_hooks_decorates_a_function():
    @disable_saved_tensors_hooks("this function allows no saved-tensors hooks")
    def enter_hooks():
        with saved_tensors_hooks(lambda t: t, lambda t: t):
            pass

    with pytest.raises(RuntimeError, match="^this function allows no saved-tensors hooks$"):
        enter_hooks()
    with saved_tensors_hooks(lambda t: t, lambda t: t):  # enabled again after it
        pass


def test_hooks_left_by_an_error_are_popped():
    with pytest.raises(KeyError):
        with saved_tensors_hooks(lambda t: t, lambda t: t):
            raise KeyError("inside the block")
    with disable_saved_tensors_hooks("none active"):  # would raise if the hooks above were still in force
        pass
