"""Gradient hooks: ``node.register_hook(fn)`` sees (and may replace) the gradient flowing through a node."""

import math

import numpy as np
import pytest

from autograd import Tensor, Value, grad


def test_hook_on_intermediate_value_sees_its_total_gradient():
    x = Value(0.4)
    y = x * 3.0
    seen = []
    y.register_hook(seen.append)
    (y.sin() + y * y).backward()  # dL/dy = cos(y) + 2y, summed over both uses
    assert seen == [pytest.approx(math.cos(1.2) + 2 * 1.2)]


def test_hook_on_leaf_sees_gradient_and_replacement_is_stored_in_grad():
    x = Value(2.0)
    seen = []
    x.register_hook(lambda g: seen.append(g) or g * 10)
    (x * x).backward()
    assert seen == [4.0]
    assert x.grad == 40.0


def test_replacing_intermediate_gradient_changes_downstream_leaf_gradients():
    x = Value(1.5)
    y = x * 2.0
    z = y * 3.0
    y.register_hook(lambda g: g * 10)
    z.backward()
    assert y.grad == 30.0  # the stored gradient is the replaced one
    assert x.grad == 60.0  # 3 * 10 * 2: x receives the replaced gradient times dy/dx


def test_hook_returning_none_keeps_the_gradient():
    x = Value(3.0)
    y = x * x
    calls = []
    y.register_hook(lambda g: calls.append(g))
    y.backward()
    assert calls == [1.0]
    assert x.grad == 6.0


def test_removed_hook_is_not_called_and_remove_is_idempotent():
    x = Value(1.0)
    calls = []
    handle = x.register_hook(lambda g: calls.append(g) or g * 100)
    handle.remove()
    handle.remove()
    (x * 5.0).backward()
    assert calls == []
    assert x.grad == 5.0


def test_removing_one_hook_keeps_the_others():
    x = Value(1.0)
    calls = []
    first = x.register_hook(lambda g: calls.append("first"))
    x.register_hook(lambda g: calls.append("second"))
    first.remove()
    (x * 2.0).backward()
    assert calls == ["second"]


def test_hooks_run_in_registration_order_and_each_sees_the_previous_replacement():
    x = Value(1.0)
    y = x * 1.0
    seen = []
    y.register_hook(lambda g: seen.append(("add", g)) or g + 1)
    y.register_hook(lambda g: seen.append(("double", g)) or g * 2)
    y.backward()
    assert seen == [("add", 1.0), ("double", 2.0)]
    assert x.grad == 4.0  # (1 + 1) * 2


def test_tensor_hooks_on_leaf_and_intermediate_see_arrays_of_their_shape():
    x = Tensor(np.array([[1.0, -2.0], [0.5, 3.0]]), requires_grad=True)
    weights = np.array([[1.0, 2.0], [3.0, 4.0]])
    y = x * x
    seen = {}
    y.register_hook(lambda g: seen.__setitem__("y", g))
    x.register_hook(lambda g: seen.__setitem__("x", g))
    (y * weights).sum().backward()
    np.testing.assert_allclose(seen["y"], weights)
    np.testing.assert_allclose(seen["x"], 2 * x.data * weights)
    with pytest.warns(UserWarning, match="retain_grad"):
        assert y.grad is None  # the hook ran, but an intermediate keeps .grad only with retain_grad()


def test_tensor_hook_replacement_masks_gradient_reaching_the_leaf():
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = x * 2.0
    y.register_hook(lambda g: g * np.array([1.0, 0.0, 1.0]))
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [2.0, 0.0, 2.0])


def test_hooks_run_for_autograd_grad_without_touching_grad():
    x = Value(2.0)
    y = x * x
    y.register_hook(lambda g: g * 3)
    (dx,) = grad(y, x)
    assert dx == 12.0  # 3 * 2x
    assert x.grad == 0.0 and y.grad == 0.0


def test_hook_under_create_graph_receives_a_node_and_its_replacement_is_differentiable():
    x = Value(1.5)
    y = x * x
    z = 3.0 * y
    received = []
    y.register_hook(lambda g: received.append(g) or g * x)  # dz/dy = 3 becomes 3x
    (dx,) = grad(z, x, create_graph=True)
    assert isinstance(received[0], Value) and received[0].data == 3.0
    assert dx.data == pytest.approx(6 * 1.5**2)  # 3x * 2x = 6x^2
    (ddx,) = grad(dx, x)
    assert ddx == pytest.approx(12 * 1.5)  # d/dx 6x^2 = 12x


def test_hook_runs_once_per_backward_pass():
    x = Value(1.0)
    y = x * 2.0
    calls = []
    y.register_hook(calls.append)
    (y + y * y).backward(retain_graph=True)  # (the second pass goes through y's node again)
    (y * 4.0).backward()
    assert calls == [1.0 + 2 * 2.0, 4.0]


def test_register_hook_on_a_constant_raises():
    constant = Value(1.0, requires_grad=False)
    with pytest.raises(RuntimeError, match="does not require grad"):
        constant.register_hook(lambda g: g)
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).register_hook(lambda g: g)


@pytest.mark.parametrize("make", [lambda: Value(2.0), lambda: Tensor([1.0, 2.0], requires_grad=True)])
def test_hook_replacement_of_another_shape_raises_and_leaves_grad_alone(make):
    x = make()
    x.register_hook(lambda g: np.ones(3))
    loss = x * x if isinstance(x, Value) else (x * x).sum()
    with pytest.raises(RuntimeError, match=r"hook '<lambda>' has changed the size of value.*shape \(3,\)"):
        loss.backward()
    assert x.grad is None or x.grad == 0.0


def test_hook_returning_a_node_stores_its_data_as_the_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: Tensor(g * 2.0))
    (x * x).sum().backward()
    assert type(x._grad) is np.ndarray and not isinstance(x.grad, Tensor)
    np.testing.assert_array_equal(x.grad, [4.0, 8.0])
    v = Value(2.0)
    v.register_hook(lambda g: Value(g * 3.0))
    (v * v).backward()
    assert v.grad == 12.0 and type(v.grad) is float


def test_hook_changing_the_size_raises_as_in_torch():
    torch = pytest.importorskip("torch")
    theirs = torch.ones(2, requires_grad=True)
    theirs.register_hook(lambda g: g.sum())
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        (theirs * theirs).sum().backward()
    ours = Tensor([1.0, 1.0], requires_grad=True)
    ours.register_hook(lambda g: g.sum())
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        (ours * ours).sum().backward()


def test_post_accumulate_grad_hook_sees_the_accumulated_grad_after_each_backward():
    w = Tensor(np.array([1.0, -2.0, 3.0]), requires_grad=True)
    seen = []
    w.register_post_accumulate_grad_hook(lambda t: seen.append((t is w, t.grad.copy())))
    (w * w).sum().backward()  # d/dw sum w^2 = 2w
    (w * 3).sum().backward()  # accumulates: 2w + 3
    assert [same for same, _ in seen] == [True, True]
    np.testing.assert_array_equal(seen[0][1], [2.0, -4.0, 6.0])
    np.testing.assert_array_equal(seen[1][1], [5.0, -1.0, 9.0])


def test_post_accumulate_grad_hook_can_step_a_parameter_as_soon_as_its_grad_is_ready():
    # torch's optimizer-in-backward pattern: update and clear each parameter inside its hook
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)

    def sgd_step(tensor: Tensor) -> None:
        tensor.data -= 0.1 * tensor.grad
        tensor.grad = None

    w.register_post_accumulate_grad_hook(sgd_step)
    (w * w).sum().backward()
    np.testing.assert_allclose(w.data, [0.8, 1.6])
    assert w.grad is None


def test_post_accumulate_grad_hook_is_removable_and_not_called_by_autograd_grad():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    calls = []
    handle = w.register_post_accumulate_grad_hook(calls.append)
    grad((w * w).sum(), [w])  # stores no .grad, so accumulates nothing
    assert calls == []
    handle.remove()
    (w * w).sum().backward()
    assert calls == [] and w.grad is not None


def test_post_accumulate_grad_hook_refuses_non_leaves_and_tensors_without_grad_as_torch():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        Tensor(np.ones(2)).register_post_accumulate_grad_hook(print)
    w = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match="non-leaf"):
        (w * 2).register_post_accumulate_grad_hook(print)


def test_a_shallow_copy_has_its_own_post_accumulate_grad_hooks():
    import copy

    w = Tensor(np.ones(2), requires_grad=True)
    calls = []
    w.register_post_accumulate_grad_hook(lambda t: calls.append("w"))
    twin = copy.copy(w)
    twin.register_post_accumulate_grad_hook(lambda t: calls.append("twin"))
    (w * 2).sum().backward()
    assert calls == ["w"]


def test_a_hook_handle_used_as_a_context_keeps_the_hook_for_the_block_only():
    x = Tensor(np.ones(2), requires_grad=True)
    with x.register_hook(lambda g: g * 10):
        (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [20.0, 20.0])
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [22.0, 22.0])


def test_retain_grad_on_a_node_that_needs_no_gradient_is_an_error_as_in_torch():
    for constant in (Tensor(np.ones(3)), Value(2.0, requires_grad=False)):
        with pytest.raises(RuntimeError, match="can't retain_grad on .* that has requires_grad=False"):
            constant.retain_grad()
    leaf = Tensor(np.ones(3), requires_grad=True)
    leaf.retain_grad()  # a leaf keeps its gradient anyway: nothing to refuse


def test_retain_grad_on_a_leaf_changes_nothing_as_torch():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    x.retain_grad()
    assert x.retains_grad is False
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, [2.0, 4.0])


def test_a_hook_that_changes_its_gradient_in_place_leaves_the_gradient_stored_on_another_node():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    y.retain_grad()
    z = y + 0.0
    z.retain_grad()

    def doubled_in_place(g):
        g *= 2

    y.register_hook(doubled_in_place)
    z.backward(Tensor([1.0, 1.0]))  # add hands z's gradient array on to y unchanged
    np.testing.assert_array_equal(z.grad, [1.0, 1.0])
    np.testing.assert_array_equal(y.grad, [2.0, 2.0])
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
    assert not np.shares_memory(z.grad, y.grad)


@pytest.mark.parametrize("returned", [[1.0, 1.0], "grad", True, {"g": 1.0}], ids=["list", "str", "bool", "dict"])
def test_a_hook_returning_something_else_than_a_gradient_is_a_type_error_naming_it(returned):
    # torch: "expected Variable, but hook returned 'list'"; here before the gradient reaches any rule
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: returned)
    with pytest.raises(TypeError, match=f"hook '<lambda>' returned a {type(returned).__name__}"):
        y.sum().backward()
    assert x.grad is None  # all or nothing
    v = Value(2.0)
    w = v * 3
    w.register_hook(lambda g: returned)
    with pytest.raises(TypeError, match="returned a"):
        w.backward()


def test_a_hook_may_return_a_number_array_or_node_for_the_gradient():
    v = Value(2.0)
    w = v * 3
    w.register_hook(lambda g: 5)  # an int stands for the float gradient
    w.backward()
    assert v.grad == 15.0
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: Tensor(np.asarray(g) * 3))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])


def test_a_post_accumulate_grad_hook_returning_a_value_is_an_error_as_torchs():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    x.register_post_accumulate_grad_hook(lambda t: t * 2)
    with pytest.raises(RuntimeError, match="post-accumulate-grad hook '<lambda>' returned a value"):
        (x * 2).sum().backward()


def test_a_post_accumulate_grad_hook_may_return_the_tensor_itself_as_torchs():
    # torch's docstring example: an in-place SGD step whose add_ hands the parameter back
    torch = pytest.importorskip("torch")
    ours = Tensor(np.zeros(3, dtype=np.float32), requires_grad=True)
    theirs = torch.zeros(3, requires_grad=True)
    for v in (ours, theirs):
        v.register_post_accumulate_grad_hook(lambda p: p.add_(p.grad, alpha=-0.01))
    ours.backward(Tensor(np.array([1.0, 2.0, 3.0], dtype=np.float32)))
    theirs.backward(torch.tensor([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy())
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    x.register_post_accumulate_grad_hook(lambda t: t.detach())  # another tensor is still refused, as torch's
    with pytest.raises(RuntimeError, match="returned a value"):
        (x * 2).sum().backward()


def test_a_forward_pre_hook_with_kwargs_must_return_none_or_args_and_kwargs():
    import nn

    layer = nn.Linear(2, 2, rng=0)
    handle = layer.register_forward_pre_hook(lambda module, args, kwargs: 5, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"must return None or a tuple \(new_args, new_kwargs\), got 5"):
        layer(np.ones(2, dtype=np.float32))
    handle.remove()
    layer.register_forward_pre_hook(lambda module, args, kwargs: ((np.zeros(2, np.float32),), {}), with_kwargs=True)
    np.testing.assert_array_equal(layer(np.ones(2, dtype=np.float32)).data, layer.bias.data)


def _function_hooks_story(tensor, grad_of):
    """A product of a matrix and a broadcast row, hooked on its grad_fn as torch's Node hooks are: what the hooks saw,
    the leaves' gradients after a post-hook scales one input's gradient and drops the other's, and the gradient
    grad_of gives when a pre-hook triples the gradient of an exp."""
    a = tensor([[1.0, 2.0], [3.0, 4.0]])
    b = tensor([0.5, -1.0])
    c = a * b
    seen, order = [], []
    c.register_hook(lambda g: order.append("tensor"))
    c.grad_fn.register_prehook(lambda grad_outputs: order.append("pre"))

    def post(grad_inputs, grad_outputs):
        order.append("post")
        seen.append([np.asarray(g).tolist() for g in (*grad_inputs, *grad_outputs)])
        return grad_inputs[0] * 10, None

    c.grad_fn.register_hook(post)
    removed = c.grad_fn.register_hook(lambda grad_inputs, grad_outputs: (None, None))
    removed.remove()
    c.sum().backward()
    x = tensor([0.5, 1.0])
    y = x.exp()
    y.retain_grad()
    y.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 3,))
    (gx,) = grad_of((y * y).sum(), x)
    y = x.exp()
    y.retain_grad()
    y.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 3,))
    (y * y).sum().backward()
    return order, seen, np.asarray(a.grad).tolist(), b.grad, np.asarray(gx).tolist(), np.asarray(y.grad).tolist()


def test_grad_fn_hooks_see_and_replace_gradients_in_torchs_order():
    def tensor(data):
        return Tensor(np.array(data), requires_grad=True)

    order, seen, a_grad, b_grad, gx, y_grad = _function_hooks_story(tensor, grad)
    assert order == ["tensor", "pre", "post"]
    # d(sum a * b)/da = b broadcast, d/db = the column sums of a (the hook sees it summed back to b's shape)
    assert seen == [[[[0.5, -1.0], [0.5, -1.0]], [4.0, 6.0], [[1.0, 1.0], [1.0, 1.0]]]]
    assert a_grad == [[5.0, -10.0], [5.0, -10.0]] and b_grad is None
    x = np.array([0.5, 1.0])
    np.testing.assert_allclose(gx, 3 * 2 * np.exp(x) * np.exp(x))  # the pre-hook's 3 reaches x
    np.testing.assert_allclose(y_grad, 2 * np.exp(x))  # retain_grad kept the gradient before the pre-hook
    torch = pytest.importorskip("torch")
    theirs = _function_hooks_story(
        lambda data: torch.tensor(data, dtype=torch.float64, requires_grad=True), torch.autograd.grad
    )
    assert theirs[:3] == (order, seen, a_grad) and theirs[3] is None
    np.testing.assert_allclose(theirs[4], gx)
    np.testing.assert_allclose(theirs[5], y_grad)


def test_grad_fn_hooks_returning_other_than_a_tuple_of_the_right_length_are_refused_as_torchs():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x.exp()
    handle = y.grad_fn.register_prehook(lambda grad_outputs: grad_outputs[0])
    with pytest.raises(TypeError, match="expected tuple, but hook '<lambda>' returned 'GradientArray'"):
        y.sum().backward()
    handle.remove()
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: (grad_inputs[0], grad_inputs[0]))
    with pytest.raises(RuntimeError, match=r"incorrect number of values \(got 2, but expected 1\)"):
        y.sum().backward()
    assert x.grad is None


def test_a_grad_fn_post_hook_under_create_graph_is_differentiated_through():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (x * x).sum()
    y.grad_fn.register_hook(lambda grad_inputs, grad_outputs: (grad_inputs[0] * 2,))
    (first,) = grad(y, x, create_graph=True)
    np.testing.assert_allclose(first.data, 2 * 2 * x.data)
    (second,) = grad(first.sum(), x)
    np.testing.assert_allclose(second, [4.0, 4.0])


def test_a_raising_post_accumulate_grad_hook_leaves_every_grad_as_it_was():
    """backward() is all or nothing: a leaf's post-accumulate-grad hook raising after other leaves took their
    gradients puts every .grad back, the leaves' (their arrays' values too) and the retained intermediates'."""
    a, b, c = (Tensor(np.ones(2), requires_grad=True) for _ in range(3))
    c.grad = np.array([5.0, 5.0])
    kept = c._grad  # (.grad reads as a view of it)
    h = a * 2
    h.retain_grad()
    loss = (h * b * c).sum()

    def boom(tensor):
        raise RuntimeError("post-accumulate hook failed")

    b.register_post_accumulate_grad_hook(boom)
    with pytest.raises(RuntimeError, match="post-accumulate hook failed"):
        loss.backward()
    assert a.grad is None and b.grad is None and h.grad is None
    assert c._grad is kept
    np.testing.assert_array_equal(c.grad, [5.0, 5.0])


@pytest.mark.parametrize("through_a_product", [False, True])
def test_gradient_a_hook_keeps_stays_as_the_hook_saw_it_over_later_passes(through_a_product):
    # the array a hook was handed may be kept; the leaf's .grad, added into by later passes, is a copy of it
    leaf = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    hooked = leaf * 1.0 if through_a_product else leaf
    kept = []
    hooked.register_hook(kept.append)
    (hooked * 3.0).sum().backward()
    (leaf * 3.0).sum().backward()
    np.testing.assert_array_equal(kept[0], [3.0, 3.0])
    np.testing.assert_array_equal(leaf.grad, [6.0, 6.0])


def test_a_hook_returning_another_dtype_leaves_the_retained_grad_of_the_tensors_dtype():
    """torch keeps every gradient in its tensor's dtype (it refuses a hook that changes it); here the hook's result is
    cast back, so a float32 model's retained gradient stays float32 (``g * np.float64(0.5)`` is float64 in numpy)."""
    x = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    y = x * 2
    y.retain_grad()
    y.register_hook(lambda g: g * np.float64(0.5))
    (y * 3).sum().backward()
    assert y.grad.dtype == np.float32 and x.grad.dtype == np.float32
    np.testing.assert_array_equal(y.grad, [1.5, 1.5])
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])
