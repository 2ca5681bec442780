"""Torch oracle for autograd.graph (torch.autograd.graph): each scenario is written once against a library namespace
(``autograd`` or ``torch``, spelled alike) and run in both; the calls the hooks saw (order, arguments, counts) and
the errors must be the same."""

from __future__ import annotations

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")

LIBS = pytest.mark.parametrize("lib", [autograd, torch], ids=["autograd", "torch"])


def _plain(grad):
    """A copy of a hook's gradient as an array, taken at once (torch's ``.numpy()`` shares the tensor's memory, which
    a later pass may add into in place); None stays None."""
    if grad is None:
        return None
    return np.array(grad.detach().numpy() if hasattr(grad, "detach") and not isinstance(grad, np.ndarray) else grad)


def _same(ours, theirs):
    """The two logs hold the same entries: equal names, and equal arrays where they hold arrays."""
    assert len(ours) == len(theirs), (ours, theirs)
    for mine, torchs in zip(ours, theirs):
        if isinstance(mine, (list, tuple)):
            _same(mine, torchs)
        elif isinstance(mine, np.ndarray) or isinstance(torchs, np.ndarray):
            np.testing.assert_allclose(mine, torchs, rtol=1e-6)
        else:
            assert mine == torchs


def _leaf(lib, values):
    return lib.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def _run(scenario):
    """The logs of ``scenario(lib)`` in this library and in torch."""
    return scenario(autograd), scenario(torch)


def _all_mode_passes(lib):
    a, b = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, -1.0])
    c, d = a * b, a * b
    log = []
    handle = lib.autograd.graph.register_multi_grad_hook(
        (a, b, c, d), lambda grads: log.append(list(map(_plain, grads)))
    )
    c.sum().backward(retain_graph=True)  # d is not in this graph: None for it
    c.sum().backward(inputs=(a,), retain_graph=True)  # b is off the paths to the inputs
    lib.autograd.grad((c + d).sum(), inputs=(c,), retain_graph=True)  # only c is reached
    (_leaf(lib, [1.0]) * 2).sum().backward()  # none of them: no call
    handle.remove()
    c.sum().backward(retain_graph=True)  # removed from every tensor
    return log


def test_all_mode_calls_once_per_pass_with_none_for_tensors_the_pass_does_not_reach():
    ours, theirs = _run(_all_mode_passes)
    assert len(ours) == 3
    _same(ours, theirs)


def _order_among_tensor_hooks(lib):
    a, b = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, 4.0])
    log = []
    a.register_hook(lambda g: log.append("a"))
    b.register_hook(lambda g: log.append("b"))
    lib.autograd.graph.register_multi_grad_hook((a, b), lambda grads: log.append("multi"))
    b.register_hook(lambda g: log.append("b after"))
    (a * b).sum().backward()
    return log


def test_all_mode_runs_inside_the_last_tensors_hooks_at_its_place():
    _same(*_run(_order_among_tensor_hooks))


def _sees_replaced_gradient(lib):
    p = _leaf(lib, [1.0, 1.0])
    q = p * 2
    log = []
    q.register_hook(lambda g: g * 10)
    lib.autograd.graph.register_multi_grad_hook((q, p), lambda grads: log.append(list(map(_plain, grads))))
    q.sum().backward()
    return log + [_plain(p.grad)]


def test_all_mode_sees_gradients_after_earlier_hooks_and_its_result_is_ignored():
    _same(*_run(_sees_replaced_gradient))


def _repeated_tensor(lib):
    p = _leaf(lib, [1.0, 2.0])
    log = []
    lib.autograd.graph.register_multi_grad_hook((p, p), lambda grads: log.append(list(map(_plain, grads))))
    (p * 2).sum().backward()
    return log


def test_all_mode_counts_a_tensor_given_twice_twice():
    _same(*_run(_repeated_tensor))


def _function_giving_no_gradient(lib):
    class Drop(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return None

    x = _leaf(lib, [1.0, 2.0])
    w = x * 1
    y = Drop.apply(w)
    log = []
    lib.autograd.graph.register_multi_grad_hook((w, y), lambda grads: log.append(list(map(_plain, grads))))
    y.sum().backward()
    return log


def test_all_mode_gives_none_for_a_reached_tensor_whose_gradient_is_none():
    _same(*_run(_function_giving_no_gradient))


def _split_outputs(lib):
    x = _leaf(lib, [1.0, 2.0, 3.0, 4.0])
    u, v = (x * 1).split(2)
    log = []
    lib.autograd.graph.register_multi_grad_hook((u, v), lambda grads: log.append(list(map(_plain, grads))))
    u.sum().backward()
    return log


def test_all_mode_over_outputs_of_one_split():
    _same(*_run(_split_outputs))


def _any_mode(lib):
    x = _leaf(lib, [1.0, 2.0])
    y = x * 2
    z = y * 3
    constant = lib.tensor(np.ones(2))
    log = []
    handle = lib.autograd.graph.register_multi_grad_hook(
        (x, constant, y, z), lambda grad: log.append(_plain(grad)), mode="any"
    )
    z.sum().backward(retain_graph=True)
    (y * y).sum().backward(retain_graph=True)
    handle.remove()
    z.sum().backward()
    return log


def test_any_mode_calls_once_per_pass_with_the_first_gradient_and_skips_constants():
    ours, theirs = _run(_any_mode)
    assert len(ours) == 2
    _same(ours, theirs)


def _errors(lib):
    x = _leaf(lib, [1.0])
    register = lib.autograd.graph.register_multi_grad_hook
    raised = []
    for call in (
        lambda: register((x,), print, mode="some"),
        lambda: register((x, lib.tensor(np.ones(1))), print),
    ):
        try:
            call()
        except Exception as error:
            raised.append(error)
    register((), print)  # nothing to register on: no error
    return raised


def test_registration_errors_are_torchs():
    ours, theirs = _run(_errors)
    assert isinstance(ours[0], ValueError) and isinstance(theirs[0], ValueError)
    assert str(ours[0]) == str(theirs[0])
    assert isinstance(theirs[1], AssertionError) and isinstance(ours[1], AssertionError)
    assert "Expected gradient function to be set" in str(ours[1])


def _saving_function(lib):
    class Product(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            z = x * y
            ctx.save_for_backward(x, z, None, x + 1)
            return z

        @staticmethod
        def backward(ctx, grad):
            x, z, nothing, shifted = ctx.saved_tensors
            log.append(("backward", nothing is None))
            assert len(ctx.saved_tensors) == 4  # each reading unpacks again
            return grad * z / x, grad * x

    log = []

    def pack(t):
        log.append(("pack", _plain(t), t.requires_grad, t.grad_fn is not None))
        return ("packed", t)

    def unpack(packed):
        log.append(("unpack", _plain(packed[1])))
        return packed[1]

    x = _leaf(lib, [1.0, 2.0])
    y = lib.tensor(np.array([3.0, 4.0]))
    with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
        out = Product.apply(x, y)
        with lib.no_grad():
            Product.apply(x, y)  # nothing recorded: nothing packed
        Product.apply(y, y)
    out.sum().backward()
    return log + [_plain(x.grad)]


def test_pack_and_unpack_calls_for_a_custom_function_match_torchs():
    _same(*_run(_saving_function))


def _nested_and_outputs(lib):
    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            out = x.exp()
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, grad):
            (out,) = ctx.saved_tensors
            return grad * out

    log = []

    def hooks(name):
        return (lambda t: (log.append(f"{name} pack"), t)[1], lambda t: (log.append(f"{name} unpack"), t)[1])

    x = _leaf(lib, [0.5, -1.0])
    with lib.autograd.graph.saved_tensors_hooks(*hooks("outer")):
        with lib.autograd.graph.saved_tensors_hooks(*hooks("inner")):
            inner = Exp.apply(x)
        outer = Exp.apply(x)
    inner.sum().backward(retain_graph=True)
    outer.sum().backward()
    try:
        outer.sum().backward()
    except RuntimeError:
        log.append("freed")
    log.append("read grad_fn")
    log.append(len(inner.grad_fn.saved_tensors))
    return log + [_plain(x.grad)]


def test_innermost_hooks_win_and_saved_outputs_are_packed():
    _same(*_run(_nested_and_outputs))


def _disable_errors(lib):
    graph = lib.autograd.graph
    messages = []
    try:
        with graph.disable_saved_tensors_hooks("no hooks here"):
            with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    except RuntimeError as error:
        messages.append(str(error))
    with graph.disable_saved_tensors_hooks("outer"):
        with graph.disable_saved_tensors_hooks("inner"):
            pass
        try:
            with graph.save_on_cpu():
                pass
        except RuntimeError as error:
            messages.append(str(error))
    try:
        with graph.saved_tensors_hooks(lambda t: t, lambda t: t):
            with graph.disable_saved_tensors_hooks("inside hooks"):
                pass
    except RuntimeError as error:
        messages.append(str(error))
    with graph.saved_tensors_hooks(lambda t: t, lambda t: t):  # enabled again
        messages.append("entered")
    return messages


def test_disable_saved_tensors_hooks_raises_its_message_as_torch():
    _same(*_run(_disable_errors))


def _bad_hooks(lib):
    class Double(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            (saved,) = ctx.saved_tensors
            return grad * 2 + saved * 0

    errors = []
    x = _leaf(lib, [1.0, 2.0])
    with lib.autograd.graph.saved_tensors_hooks(lambda t: t, lambda packed: 3):
        out = Double.apply(x)
    try:
        out.sum().backward()
    except TypeError as error:
        errors.append(type(error))

    def changes_its_input(t):
        t.add_(1)
        return t

    try:
        with lib.autograd.graph.saved_tensors_hooks(changes_its_input, lambda t: t):
            Double.apply(x * 1)
    except RuntimeError as error:
        errors.append(str(error).split(" (")[0][:60])
    return errors


def test_hook_misuse_errors_are_torchs():
    _same(*_run(_bad_hooks))


def _gradient_edges(lib):
    graph = lib.autograd.graph
    x = _leaf(lib, [0.5, 1.5])
    y = x.exp()
    z = (y * y).sum()
    edge = graph.get_gradient_edge(y)
    leaf_edge = graph.get_gradient_edge(x)
    facts = [
        isinstance(y.grad_fn, graph.Node),
        isinstance(edge.node, graph.Node),
        isinstance(leaf_edge.node, graph.Node),
        edge.output_nr,
        edge.node is y.grad_fn,
        leaf_edge.node is y.grad_fn.next_functions[0][0],
    ]
    (by_edge,) = lib.autograd.grad(z, edge, retain_graph=True)
    (by_leaf_edge,) = lib.autograd.grad(graph.get_gradient_edge(z), [leaf_edge], retain_graph=True)
    try:
        graph.get_gradient_edge(lib.tensor(np.ones(1)))
    except RuntimeError as error:
        facts.append(str(error)[:60])
    return facts + [_plain(by_edge), _plain(by_leaf_edge)]


def test_gradient_edges_and_node_type_match_torch():
    _same(*_run(_gradient_edges))


def test_a_tensor_hook_returning_a_float_is_an_instance_of_torchs_type_error():
    theirs = torch.ones(2, requires_grad=True)
    theirs.register_hook(lambda g: 1.5)
    with pytest.raises(TypeError):
        (theirs * 2).sum().backward()
    ours = autograd.Tensor(np.ones(2), requires_grad=True)
    ours.register_hook(lambda g: 1.5)
    with pytest.raises(TypeError, match="hook '<lambda>'") as caught:
        (ours * 2).sum().backward()
    assert isinstance(caught.value, RuntimeError)  # the library's earlier class


def _accumulate_grad_hooks(lib):
    """DDP's pattern: hooks on a leaf's ``AccumulateGrad`` (``y.grad_fn.next_functions[0][0]``), around its tensor
    hook and its post-accumulate-grad hook, in backward, backward(inputs=) and autograd.grad."""
    x = _leaf(lib, [1.0, 2.0])
    log = []
    accumulate = (x * 2).grad_fn.next_functions[0][0]
    x.register_hook(lambda g: log.append(("tensor", _plain(g))))
    accumulate.register_prehook(lambda outs: log.append(("pre", [_plain(g) for g in outs])) or (outs[0] * 10,))
    accumulate.register_hook(lambda ins, outs: log.append(("post", ins, [_plain(g) for g in outs], _plain(x.grad))))
    x.register_post_accumulate_grad_hook(lambda leaf: log.append(("post-accumulate", _plain(leaf.grad))))
    (x * 2).sum().backward()
    (x * 3).sum().backward(inputs=[x])
    lib.autograd.grad((x * 4).sum(), x)  # AccumulateGrad does not run: the tensor hook only
    return log


def test_accumulate_grad_hooks_run_around_the_accumulation_as_torchs():
    ours, theirs = _run(_accumulate_grad_hooks)
    _same(ours, theirs)


def _accumulate_grad_hook_results(lib):
    """What a hook on a leaf's ``AccumulateGrad`` may return: the handle's ``remove()``, and torch's errors."""
    outcomes = []
    for pre, post in [
        (lambda outs: (outs[0] * 100,), None),
        (None, lambda ins, outs: ()),
        (lambda outs: outs[0], None),
        (None, lambda ins, outs: (outs[0],)),
    ]:
        x = _leaf(lib, [1.0, 2.0])
        accumulate = (x * 2).grad_fn.next_functions[0][0]
        handle = accumulate.register_prehook(pre) if pre is not None else accumulate.register_hook(post)
        try:
            (x * 2).sum().backward()
            outcomes.append(_plain(x.grad))
        except (TypeError, RuntimeError) as error:
            outcomes.append(type(error).__name__)
            continue  # (torch keeps what was accumulated before a post-hook raised; here a failed pass keeps none)
        handle.remove()
        (x * 2).sum().backward()
        outcomes.append(_plain(x.grad))
    return outcomes


def test_accumulate_grad_hook_results_and_removal_are_torchs():
    ours, theirs = _run(_accumulate_grad_hook_results)
    _same(ours, theirs)


@pytest.mark.parametrize("returned", [1, 0.5, "grad"], ids=["int", "float", "str"])
def test_a_post_accumulate_grad_hook_returning_no_tensor_is_an_instance_of_torchs_type_error(returned):
    theirs = torch.ones(2, requires_grad=True)
    theirs.register_post_accumulate_grad_hook(lambda leaf: returned)
    with pytest.raises(TypeError):
        (theirs * 2).sum().backward()
    ours = autograd.Tensor(np.ones(2), requires_grad=True)
    ours.register_post_accumulate_grad_hook(lambda leaf: returned)
    with pytest.raises(TypeError, match="post-accumulate-grad hook '<lambda>'") as caught:
        (ours * 2).sum().backward()
    assert isinstance(caught.value, RuntimeError)  # the library's earlier class, torch's for a Tensor returned


def _function_grad_fn_hooks(lib):
    """Hooks on the ``grad_fn`` of a custom Function's one output: the pre-hook sees its gradient, the post-hook one
    gradient per Tensor input (the number has none) and may replace them; a wrong count is torch's error."""

    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k, w):
            ctx.save_for_backward(x, w)
            ctx.k = k
            return x * k * w

        @staticmethod
        def backward(ctx, grad_output):
            x, w = ctx.saved_tensors
            return grad_output * ctx.k * w, None, grad_output * x * ctx.k

    log = []
    for replace in [None, lambda ins: (ins[0] * 0, ins[1] * 10), lambda ins: (ins[0], None, ins[1])]:
        x, w = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, 4.0])
        y = Scale.apply(x, 2.0, w)
        y.grad_fn.register_prehook(lambda outs: log.append(("pre", [_plain(g) for g in outs])))

        def post(ins, outs, replace=replace):
            log.append(("post", [_plain(g) for g in ins], [_plain(g) for g in outs]))
            return None if replace is None else replace(ins)

        y.grad_fn.register_hook(post)
        try:
            (y * 3).sum().backward()
        except RuntimeError as error:
            log.append(type(error).__name__)
            continue
        log.append((_plain(x.grad), _plain(w.grad)))
    return log


def test_hooks_on_the_grad_fn_of_a_one_output_function_run_as_torchs():
    _same(*_run(_function_grad_fn_hooks))
