"""The graph core: topological order, chain rule, repeated backward, memory, no_grad."""

import gc
import sys
import warnings
import weakref

import numpy as np
import pytest

from autograd import (
    Tensor,
    Value,
    backward_order,
    enable_grad,
    gradcheck,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from autograd import grad as autograd_grad
from autograd.op import Op


def test_reused_node_accumulates_gradient():
    a = Value(1.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0
    assert b.grad == 2.0


def test_diamond_sums_both_paths():
    x = Value(3.0)
    left = x * 2.0
    right = x * x
    top = left * right  # 2x * x^2 = 2x^3 -> 6x^2 = 54
    top.backward()
    assert x.grad == pytest.approx(54.0)


def test_parents_are_an_ordered_tuple():
    x, y = Value(1.0), Value(2.0)
    z = x - y
    assert z.parents == (x, y)
    assert (y - x).parents == (y, x)


def test_backward_order_lists_children_before_parents():
    x = Value(1.0)
    y = x * 2.0
    z = y + x
    order = backward_order([z])
    assert order.index(z) < order.index(y) < order.index(x)
    assert len(order) == 3  # constants (2.0) are not visited


def test_backward_order_excludes_constants():
    x = Value(1.0)
    c = Value(5.0, requires_grad=False)
    z = x * c
    assert all(node is not c for node in backward_order([z]))  # identity: == compares data
    z.backward()
    assert c.grad == 0.0
    assert x.grad == 5.0


def test_second_backward_accumulates_into_leaves_only():
    x = Value(2.0)
    y = x * x
    z = y * 3.0
    z.backward(retain_graph=True)
    assert (x.grad, y.grad) == (12.0, 3.0)
    z.backward()
    assert x.grad == 24.0  # leaves accumulate, as in PyTorch
    assert y.grad == 3.0  # intermediates are overwritten, never doubled


def test_zero_grad_resets_leaf_accumulation():
    x = Value(2.0)
    (x * x).backward()
    x.zero_grad()
    (x * x).backward()
    assert x.grad == 4.0


def test_tensor_intermediate_keeps_grad_only_when_retained():
    x = Tensor([1.0, 2.0], requires_grad=True)
    hidden = x * 3.0
    kept = hidden * 2.0
    kept.retain_grad()
    kept.sum().backward()
    with pytest.warns(UserWarning, match="retain_grad"):
        assert hidden.grad is None
    np.testing.assert_array_equal(kept.grad, [1.0, 1.0])
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])


def test_million_node_chain_runs_at_default_recursion_limit():
    limit = sys.getrecursionlimit()
    x = Value(1.0)
    y = x
    for _ in range(500_000):  # two nodes per step: 1,000,000 recorded operations
        y = y * 1.000001 + 0.0
    y.backward()
    assert sys.getrecursionlimit() == limit
    assert x.grad == pytest.approx(1.000001**500_000, rel=1e-9)


def test_dropped_graph_is_freed_without_the_cycle_collector():
    gc.disable()
    try:
        x = Value(0.5)
        y = (x * 2.0).tanh() + x.exp()
        y.backward()
        probe = weakref.ref(y)
        inner = weakref.ref(y.parents[0])
        del y
        assert probe() is None
        assert inner() is None

        t = Tensor(np.ones((2, 2)), requires_grad=True)
        out = (t @ t).relu().sum()
        out.backward()
        tensor_probe = weakref.ref(out)
        del out
        assert tensor_probe() is None
    finally:
        gc.enable()


def test_no_grad_records_no_graph():
    x = Value(1.0)
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2.0
    assert is_grad_enabled()
    assert not y.requires_grad and y.parents == ()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_no_grad_works_as_a_decorator_and_enable_grad_reenables():
    @no_grad()
    def double(v):
        with enable_grad():
            inner = v * 1.0
        return v * 2.0, inner

    outer, inner = double(Value(1.0))
    assert not outer.requires_grad
    assert inner.requires_grad


def test_set_grad_enabled_restores_previous_mode():
    with set_grad_enabled(False):
        assert not is_grad_enabled()
    assert is_grad_enabled()


@pytest.mark.parametrize("mode", [1, 0, None, "False", 1.0])
def test_set_grad_enabled_and_set_detect_anomaly_refuse_what_is_not_a_bool_as_torchs(mode):
    from autograd import is_anomaly_enabled, set_detect_anomaly

    torch = pytest.importorskip("torch")
    for theirs in (torch.set_grad_enabled, torch.autograd.set_detect_anomaly):
        with pytest.raises(TypeError, match="must be bool"):
            theirs(mode)
    with pytest.raises(
        TypeError, match=f"set_grad_enabled\\(\\): argument 'mode' must be bool, not {type(mode).__name__}"
    ):
        set_grad_enabled(mode)
    with pytest.raises(
        TypeError, match=f"set_detect_anomaly\\(\\): argument 'mode' must be bool, not {type(mode).__name__}"
    ):
        set_detect_anomaly(mode)
    assert is_grad_enabled() and not is_anomaly_enabled()  # nothing was switched


def test_set_grad_enabled_takes_a_numpy_bool():
    with set_grad_enabled(np.False_):
        assert not is_grad_enabled()
    assert is_grad_enabled()
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x * x).sum().backward(inputs=[x], create_graph=0)  # the library's own switch takes its flags' truth
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_enable_grad_as_a_decorator_records_inside_no_grad():
    @enable_grad()
    def scaled(v):
        return v * 2.0

    with no_grad():
        assert scaled(Value(1.0)).requires_grad
        assert not is_grad_enabled()


def test_set_grad_enabled_as_a_decorator_switches_only_inside_the_call():
    @set_grad_enabled(False)
    def scaled(v):
        return v * 2.0

    assert is_grad_enabled()
    assert not scaled(Value(1.0)).requires_grad
    assert is_grad_enabled()


def test_no_grad_decorates_without_parentheses_and_keeps_the_name():
    @no_grad
    def scaled(v):
        """Doc."""
        return v * 2.0

    assert not scaled(Value(1.0)).requires_grad
    assert scaled.__name__ == "scaled" and scaled.__doc__ == "Doc."
    assert is_grad_enabled()


def _grad_mode_decorator_behaviour(library):
    """What ``library``'s grad-mode decorators do: (enable_grad inside no_grad, mode after, set_grad_enabled(False),
    bare no_grad)."""

    @library.enable_grad()
    def inside_enable():
        return library.is_grad_enabled()

    @library.set_grad_enabled(False)
    def inside_disabled():
        return library.is_grad_enabled()

    @library.no_grad
    def inside_bare():
        return library.is_grad_enabled()

    with library.no_grad():
        enabled_in_no_grad = inside_enable()
    return enabled_in_no_grad, library.is_grad_enabled(), inside_disabled(), inside_bare()


def test_grad_mode_decorators_match_torch():
    torch = pytest.importorskip("torch")
    ours = _grad_mode_decorator_behaviour(sys.modules["autograd"])
    assert ours == _grad_mode_decorator_behaviour(torch) == (True, True, False, False)


def test_no_graph_is_recorded_when_no_input_needs_gradients():
    a = Value(1.0, requires_grad=False)
    b = a * 3.0 + 1.0
    assert not b.requires_grad and b.parents == ()
    t = Tensor([1.0, 2.0]) * 2.0
    assert not t.requires_grad and t.parents == ()


def test_detach_cuts_the_graph():
    x = Value(3.0)
    y = x.detach() * x
    y.backward()
    assert x.grad == 3.0


def test_value_and_tensor_share_one_backward_loop():
    import autograd.backprop as backprop

    calls = []
    original = backprop._backpropagate

    def spy(*args, **kwargs):
        calls.append(True)
        return original(*args, **kwargs)

    backprop._backpropagate = spy
    try:
        (Value(1.0) * 2.0).backward()
        (Tensor([1.0], requires_grad=True) * 2.0).sum().backward()
    finally:
        backprop._backpropagate = original
    assert len(calls) == 2


def test_backward_leaves_garbage_collector_state_unchanged():
    assert gc.isenabled()
    (Value(1.0) * 2.0).backward()
    assert gc.isenabled()
    gc.disable()
    try:
        (Value(1.0) * 2.0).backward()
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("length, create_graph, paused", [(1, False, False), (80, False, True), (1, True, True)])
def test_a_pass_pauses_the_collector_when_long_or_recording(length, create_graph, paused):
    # the graph has no cycles for it to find: a long pass (PAUSED_FROM nodes or more) or one that records nodes stops
    # it while it runs; a short plain pass leaves it running (a pause would cost that pass more than it saves)
    from autograd.backprop import PAUSED_FROM

    assert (length + 2 >= PAUSED_FROM) == (length > 1)
    seen = []
    x = Tensor(np.ones(2), requires_grad=True)
    h = x * 2.0
    h.register_hook(lambda grad: seen.append(gc.isenabled()))
    for _ in range(length):
        h = h * 1.0
    h.sum().backward(create_graph=create_graph)
    assert seen == [not paused]
    assert gc.isenabled()
    np.testing.assert_array_equal(x.grad.data if create_graph else x.grad, [2.0, 2.0])


def test_op_inputs_put_a_number_operand_in_its_place():
    x, y = Value(3.0), Value(4.0)
    assert (2.0 - x).op_inputs == (2.0, x) and (x - 2.0).op_inputs == (x, 2.0)
    assert (x * y).op_inputs == (x, y) and x.op_inputs == ()
    t = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    for product, number_first in ((t * 2.0, False), (2 - t, True), (t**3, False), (0.5 / t, True)):
        # a Tensor's number operand is kept on the node too, in the tensor's dtype (the number the op computed with)
        assert [id(node) for node in product.parents] == [id(t)]
        number = product.op_inputs[0 if number_first else 1]
        assert product.op_inputs[1 if number_first else 0] is t
        assert type(number) is np.float32 and number == product.attrs


def _random_graph(seed: int, leaves: tuple[Value, ...]) -> Value:
    """A random DAG of adds, muls and tanh over ``leaves`` (each node reuses up to two earlier ones), summed."""
    rng = np.random.default_rng(seed)
    nodes = list(leaves)
    for _ in range(40):
        a, b = (nodes[int(i)] for i in rng.integers(0, len(nodes), 2))
        kind = int(rng.integers(0, 4))
        nodes.append(a + b if kind == 0 else a * b if kind == 1 else a.tanh() if kind == 2 else 0.5 * a - b)
    return Value.sum(nodes[len(leaves) :])


def _leaves(seed: int) -> tuple[Value, ...]:
    return tuple(Value(float(v)) for v in np.random.default_rng(seed + 100).uniform(-1, 1, 4))


@pytest.mark.parametrize("seed", range(8))
def test_backward_order_of_random_graphs_puts_every_node_after_all_its_children(seed):
    order = backward_order([_random_graph(seed, _leaves(seed))])
    position = {id(node): k for k, node in enumerate(order)}
    assert len(position) == len(order)
    for node in order:
        for parent in node.parents:
            if parent.requires_grad:
                assert position[id(node)] < position[id(parent)]


@pytest.mark.parametrize("seed", range(4))
def test_gradients_of_random_graphs_match_finite_differences(seed):
    assert gradcheck(lambda *xs: _random_graph(seed, xs), list(_leaves(seed)))


def test_backward_order_holds_for_graphs_recorded_by_interleaved_threads():
    import threading

    x = Value(0.3)
    results: dict[int, Value] = {}
    barrier = threading.Barrier(2)

    def worker(index: int) -> None:
        barrier.wait()
        y = x
        for _ in range(2000):
            y = y * 1.0001 + (0.001 * index)
        results[index] = y

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = results[0] + results[1]
    total.backward()
    assert x.grad == pytest.approx(2 * 1.0001**2000, rel=1e-12)


@pytest.mark.parametrize("make", [lambda: Value(2.0), lambda: Tensor([2.0, 3.0], requires_grad=True)])
def test_detach_in_place_makes_an_intermediate_a_leaf_for_what_comes_after(make):
    x = make()
    y = x * x
    z = y * 3.0
    assert y.detach_() is y
    assert y.is_leaf and not y.requires_grad and y.grad_fn is None and y.parents == ()
    assert not (y * 2.0).requires_grad  # computed from y afterwards: a constant
    z.sum().backward() if isinstance(z, Tensor) else z.backward()
    np.testing.assert_allclose(x.grad, 6 * x.data)  # computed before: its whole path through y stays, as torch


@pytest.mark.parametrize("make", [lambda: Value(2.0), lambda: Tensor([2.0, 3.0], requires_grad=True)])
def test_requires_grad_true_on_a_non_leaf_is_a_no_op_and_false_raises(make):
    y = make() * 2.0
    assert y.requires_grad_() is y and y.requires_grad
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        y.requires_grad_(False)


def test_detach_in_place_and_requires_grad_on_non_leaves_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = Tensor([1.0, 2.0], requires_grad=True) * 2.0, torch.ones(2, requires_grad=True) * 2.0
    assert ours.requires_grad_().requires_grad == theirs.requires_grad_().requires_grad
    ours.detach_(), theirs.detach_()
    assert (ours.is_leaf, ours.requires_grad, ours.grad_fn) == (theirs.is_leaf, theirs.requires_grad, theirs.grad_fn)


def test_backward_with_inputs_fills_only_those_nodes():
    x, w, unused = (Tensor([1.0, 1.0], requires_grad=True) for _ in range(3))
    y = x * 2.0
    z = (y * w).sum()
    z.backward(inputs=[unused])
    assert unused.grad is None and x.grad is None and w.grad is None
    z.backward(inputs=[y, x], retain_graph=True)
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    with warnings.catch_warnings():  # a non-leaf input accumulates too, as in torch, and reads without a warning
        warnings.simplefilter("error")
        np.testing.assert_array_equal(y.grad, [1.0, 1.0])
    assert w.grad is None
    z.backward(inputs=x)
    np.testing.assert_array_equal(x.grad, [4.0, 4.0])
    a, b = Value(2.0), Value(3.0)
    (a * b).backward(inputs=[a])
    assert (a.grad, b.grad) == (3.0, 0.0)


def test_backward_with_an_output_among_its_inputs_stores_a_copy_of_the_seed():
    x = Tensor([1.0, 2.0], requires_grad=True)
    seed = np.ones(2)
    x.backward(seed, inputs=[x])
    assert not np.shares_memory(x.grad, seed)
    np.testing.assert_array_equal(x.grad, seed)


def test_backward_with_empty_or_constant_inputs_raises():
    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="cannot be empty"):
        (x * 2.0).sum().backward(inputs=[])
    with pytest.raises(RuntimeError, match=r"inputs\[0\] is not a node that requires grad"):
        (x * 2.0).sum().backward(inputs=[Tensor([1.0])])


def test_backward_with_inputs_matches_torch():
    torch = pytest.importorskip("torch")
    results = []
    for make in (lambda: Tensor([1.0, 1.0], requires_grad=True), lambda: torch.ones(2, requires_grad=True)):
        x, w, unused = make(), make(), make()
        z = (x * 2.0 * w).sum()
        z.backward(inputs=[x, unused], retain_graph=True)
        z.backward(inputs=x)
        results.append((np.asarray(x.grad).tolist(), w.grad, unused.grad))
    assert results[0] == results[1] == ([4.0, 4.0], None, None)


def test_backward_with_inputs_fills_the_retained_intermediates_on_their_way_as_torch():
    torch = pytest.importorskip("torch")
    results = []
    for make in (lambda v: Tensor(np.array(v), requires_grad=True), lambda v: torch.tensor(v, requires_grad=True)):
        x, w = make([1.0, 2.0]), make([3.0, 4.0])
        on_the_way, off_the_way = x * w, x * 3.0
        on_the_way.retain_grad(), off_the_way.retain_grad()
        total = (on_the_way * on_the_way).sum() + (off_the_way * w).sum()
        total.backward(inputs=[x], retain_graph=True)  # both intermediates lie on the way to x
        first = [np.asarray(t.grad).tolist() if t.grad is not None else None for t in (x, w, on_the_way, off_the_way)]
        total.backward(inputs=[w])  # w's gradient needs off_the_way's value, not its gradient: that stays as it was
        results.append((first, np.asarray(off_the_way.grad).tolist(), np.asarray(w.grad).tolist()))
    assert results[0] == results[1]
    assert results[0][0] == [[27.0, 76.0], None, [6.0, 16.0], [3.0, 4.0]]  # 2 h w + 3 w, none, 2 h, w


def test_core_still_exports_each_graph_core_name_from_its_own_module():
    from autograd import backprop, core, grad_mode, op, versions

    homes = {name: module for module in (backprop, grad_mode, op, versions) for name in module.__all__}
    assert set(core.__all__) - {"Node"} <= set(homes)
    for name in set(core.__all__) - {"Node"}:
        assert getattr(core, name) is getattr(homes[name], name), name


def test_an_op_accumulate_form_is_refused_beside_a_rule_per_input():
    with pytest.raises(ValueError, match="accumulate is the plain-pass form of a joint rule or of one input's rule"):
        Op("mul", lambda g, out, x, y: g * y, lambda g, out, x, y: g * x, accumulate=lambda *arguments: None)
    with pytest.raises(ValueError, match="accumulate is the plain-pass form"):
        Op("sum", lambda index, g, out, *xs: g, variadic=True, accumulate=lambda *arguments: None)


def test_an_op_of_one_input_may_give_an_accumulate_form_which_the_ordinary_pass_uses():
    calls = []

    def accumulate(pending, g, parents, out, owned, attrs):
        calls.append(attrs)
        (x,) = parents
        pending[x] = pending.get(x, 0.0) + 3.0 * g

    triple = Op("triple", lambda g, out, x, k: 3.0 * g, accumulate=accumulate)
    x = Value(2.0)
    y = Value._from_op(6.0, triple, (x,), {"k": 1}) * x  # (the product: no one-parent line to carry it along)
    y.backward()
    assert calls == [{"k": 1}] and x.grad == 3.0 * 2.0 + 6.0
    x.grad = 0.0
    y = Value._from_op(6.0, triple, (x,), {"k": 1}) * x
    (gx,) = autograd_grad(y, [x], create_graph=True)  # the rule under create_graph, not the accumulate form
    assert len(calls) == 1 and gx.data == 12.0


def test_an_op_outputs_gatherer_is_refused_without_a_joint_rule():
    with pytest.raises(ValueError, match="outputs gathers the gradients of one joint rule"):
        Op("split", lambda g, out, x: g, outputs=lambda node: [node])


def test_nodes_of_one_or_two_parents_hold_no_parent_tuple_for_the_collector_to_track():
    x, y = Value(1.0), Value(2.0)
    t = Tensor([1.0, 2.0], requires_grad=True)
    before = len(gc.get_objects())
    products = [x * y for _ in range(1000)]
    sums = [t + t for _ in range(1000)]
    squares = [x.relu() for _ in range(1000)]
    tracked = len(gc.get_objects()) - before
    assert tracked < 3000 + 50  # one tracked object per node (plus the three lists), not a node and a tuple
    assert products[0].parents == (x, y) and sums[0].parents == (t, t) and squares[0].parents == (x,)
    assert products[0].op_inputs == (x, y)
