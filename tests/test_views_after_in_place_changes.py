"""Views of a tensor changed in place by a recorded op take their new history (a view of the changed tensor) when
they are next used, as torch regenerates a view's grad_fn lazily: a change does no work per live view, so filling
a buffer step by step (``buf[i] = f(buf[i - 1])``) takes time and memory linear in the steps, and every gradient
is the one torch gives."""

import operator
import pickle

import numpy as np
import pytest

import autograd as ag
from autograd import Tensor, no_grad

torch = pytest.importorskip("torch")


def _pair(data, requires_grad=False):
    return ag.tensor(np.array(data, dtype=float), requires_grad=requires_grad), torch.tensor(
        np.array(data, dtype=float), requires_grad=requires_grad
    )


def _close(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours), theirs.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_filling_a_buffer_step_by_step_matches_torch_and_leaves_unused_views_alone():
    n = 300
    (w, w_t) = _pair(np.full(4, 0.5), requires_grad=True)
    for lib, weight in ((ag, w), (torch, w_t)):
        buf = lib.zeros(n + 1, 4, dtype=lib.float64)
        buf[0] = weight
        views = []
        for i in range(1, n + 1):
            previous = buf[i - 1]
            views.append(previous)
            buf[i] = (previous + weight).tanh()
        (buf * buf).sum().backward()
        if lib is ag:
            ours_buf, ours_views = buf, views
        else:
            theirs_buf = buf
    _close(ours_buf.data, theirs_buf)
    _close(w.grad, w_t.grad)
    # the writes rebased none of the views (each was used before the writes that followed it, never after)
    assert sum(len(view._history or ()) for view in ours_views) == 0


def test_a_view_used_after_its_base_changed_takes_the_new_values_gradient():
    (w, w_t), (u, u_t) = _pair([1.0, 2.0, 3.0], True), _pair([0.5, -1.0], True)
    results = []
    for a, b in ((w, u), (w_t, u_t)):
        base = a * 1.0
        view = base[1:]
        early = (view * 3.0).sum()  # uses the view before the change (saving none of its values)
        base[:2] = b * 3.0  # the view's first entry changes
        late = (view**3).sum()  # and after
        assert view.requires_grad and view.grad_fn is not None
        (early + late).backward()
        results.append((view.detach(), early.detach(), late.detach()))
    for ours, theirs in zip(results[0], results[1]):
        _close(ours.data if isinstance(ours, Tensor) else ours, theirs)
    _close(w.grad, w_t.grad)
    _close(u.grad, u_t.grad)


def test_two_changes_between_uses_of_an_overlapping_view_match_torch():
    (w, w_t), (u, u_t) = _pair([1.0, 2.0, 3.0, 4.0], True), _pair([0.5, -1.5], True)
    for a, b in ((w, u), (w_t, u_t)):
        base = a * 2.0
        view = base[1:3]
        first = view.sum()
        base[1:3] = b * 2.0
        base[2:4] = b.sin()
        second = (view * base[0]).sum()
        (first + second * 3.0).backward()
    _close(w.grad, w_t.grad)
    _close(u.grad, u_t.grad)


def test_a_view_of_a_view_is_brought_up_to_date_through_its_chain():
    (w, w_t), (u, u_t) = _pair(np.arange(6.0), True), _pair([7.0, 8.0], True)
    for a, b in ((w, u), (w_t, u_t)):
        base = a * 2.0
        outer = base.reshape(2, 3)
        inner = outer[1, 1:]
        base[4:] = b.tanh()
        (inner * inner).sum().backward()
    _close(w.grad, w_t.grad)
    _close(u.grad, u_t.grad)


def test_a_view_of_a_constant_made_before_a_recorded_write_joins_the_graph_when_used():
    (u, u_t) = _pair([2.0, 3.0], True)
    for lib, b in ((ag, u), (torch, u_t)):
        buffer = lib.zeros(4, dtype=lib.float64)
        view = buffer[1:3]
        assert not view.requires_grad
        buffer[1:3] = b * b
        assert view.requires_grad
        (view * 5.0).sum().backward()
    _close(u.grad, u_t.grad)


def test_a_hook_registered_on_a_view_after_its_base_changed_sees_the_new_values_gradient():
    # (torch 2.13 crashes registering this hook, so the numbers are derived by hand: the view is [1, 8] after
    # the change, d(view . view)/dview = [2, 16]; the earlier use sends 10 to w[0] and w[1], the later one 2 to
    # w[0] and 16 * 2 to u, none to w[1], which the change overwrote)
    w, u = ag.tensor([1.0, 2.0, 3.0], requires_grad=True), ag.tensor([4.0], requires_grad=True)
    base = w * 1.0
    view = base[:2]
    before = (view * 10.0).sum()
    base[1:2] = u * 2.0
    seen = []
    view.register_hook(lambda g: seen.append(np.array(g)))
    (before + (view * view).sum()).backward()
    np.testing.assert_array_equal(seen[0], [2.0, 16.0])
    np.testing.assert_array_equal(w.grad, [12.0, 10.0, 0.0])
    np.testing.assert_array_equal(u.grad, [32.0])


def test_second_derivatives_through_a_view_saved_before_the_change_match_torch():
    (w, w_t), (u, u_t) = _pair([0.3, -0.7, 1.1], True), _pair([0.2], True)
    for lib, a, b in ((ag, w, u), (torch, w_t, u_t)):
        base = a.sin()
        view = base[1:]
        y = view.sum() * 3.0  # linear in the view: saves none of its values
        base[2:] = b.exp()
        z = y + (view**2).sum()
        (g,) = (ag.grad if lib is ag else torch.autograd.grad)(z, [a], create_graph=True)
        (g * g).sum().backward()
    _close(w.grad, w_t.grad)
    _close(u.grad, u_t.grad)


def test_views_made_under_no_grad_keep_their_values_and_stay_constant_until_a_recorded_change():
    buffer = ag.zeros(3)
    with no_grad():
        view = buffer[:2]
    buffer[2] = 1.0  # unrecorded: nothing requires grad
    assert not view.requires_grad and view.is_leaf
    np.testing.assert_array_equal(view.data, [0.0, 0.0])


def test_a_chain_of_assignments_into_one_buffer_matches_torch_with_broadcast_values():
    rng = np.random.default_rng(5)
    weight = rng.standard_normal((3, 3)) * 0.5
    (w, w_t), (b, b_t) = _pair(weight, True), _pair(rng.standard_normal(3), True)
    for lib, matrix, bias in ((ag, w, b), (torch, w_t, b_t)):
        buf = lib.zeros(6, 2, 3, dtype=lib.float64)
        buf[0] = bias  # broadcast over the rows
        for i in range(1, 6):
            buf[i] = (buf[i - 1].clone() @ matrix).tanh() + bias
        buf[2, :, 1] = bias[0] * 2.0  # a column of one step overwritten
        (buf * buf).sum().backward()
    _close(w.grad, w_t.grad)
    _close(b.grad, b_t.grad)


def test_a_view_whose_base_changed_is_up_to_date_as_an_input_of_grad():
    (w, w_t), (u, u_t) = _pair([1.0, 2.0, 3.0], True), _pair([5.0], True)
    found = []
    for lib, a, b in ((ag, w, u), (torch, w_t, u_t)):
        base = a * 2.0
        view = base[1:]
        base[2:] = b * 3.0
        out = (view * view).sum()
        found.append((ag.grad if lib is ag else torch.autograd.grad)(out, [view])[0])
    _close(found[0], found[1])


def test_a_view_whose_base_changed_after_it_was_used_is_not_an_input_of_what_it_computed_before():
    for lib in (ag, torch):
        w = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
        base = w * 2.0
        view = base[1:]
        out = view.sum()
        base[2:] = w[:1] * 3.0
        grad = ag.grad if lib is ag else torch.autograd.grad
        with pytest.raises(RuntimeError, match="not have been used in the graph|does not depend"):
            grad(out, [view])
        (unused,) = grad(out, [view], allow_unused=True)
        assert unused is None


def test_a_view_backward_passed_through_before_it_was_used_again_views_the_changed_tensor():
    # backward reaches the stale view from a node recorded before the change, which points its parent at the
    # earlier self of the base; a later use must still make it a view of the base as it is now
    (w, w_t), (u, u_t) = _pair([1.0, 2.0, 3.0], True), _pair([5.0], True)
    for a, b in ((w, u), (w_t, u_t)):
        base = a * 2.0
        view = base[1:]
        early = view.sum()
        base[2:] = b * 3.0
        early.backward(retain_graph=True)
        a.grad = None
        (view * view).sum().backward()
    _close(w.grad, w_t.grad)
    _close(u.grad, u_t.grad)


def test_a_deep_copy_of_a_stale_view_views_the_copied_tensor_as_it_is_now():
    import copy

    from autograd.backprop import backward_order

    w, u = ag.tensor([1.0, 2.0, 3.0], requires_grad=True), ag.tensor([5.0], requires_grad=True)
    base = w * 2.0
    view = base[1:]
    base[2:] = u * 3.0
    twin = copy.deepcopy(view)
    backward_order([twin])  # a walk before the copy is used (points its parent at an earlier self)
    loss = (twin * twin).sum()
    loss.backward()
    leaves = {tuple(np.asarray(leaf.data)): leaf.grad for leaf in backward_order([loss]) if leaf.op is None}
    np.testing.assert_array_equal(leaves[(1.0, 2.0, 3.0)], [0.0, 16.0, 0.0])  # entry 2 overwritten: no gradient
    np.testing.assert_array_equal(leaves[(5.0,)], [90.0])


@pytest.mark.parametrize(
    "shape, index",
    [((3,), np.s_[0:2]), ((3,), 1), ((3,), np.s_[...]), ((3, 2), np.s_[0:2, 0]), ((2, 3, 2), np.s_[0, 0:2, :])],
)
def test_augmented_assignment_into_a_constant_buffer_matches_torch(shape, index):
    # out[i] += v: Python changes the view out[i] in place (which makes it stale) and hands it back to
    # out.__setitem__; the gradient of v was lost when the stale view was taken for a constant there.
    (d, d_t) = _pair(2.0, requires_grad=True)
    for lib, value in ((ag, d), (torch, d_t)):
        out = lib.zeros(shape, dtype=lib.float64)
        out[index] += value
        out[index] += value * value
        (out**2).sum().backward()
    _close(d.grad, d_t.grad)


def test_an_in_place_change_through_a_view_a_backward_pass_went_through_reaches_the_tensor_it_views():
    (w, w_t), (u, u_t) = _pair([1.0, 2.0, 3.0], True), _pair([5.0], True)
    for a, b in ((w, u), (w_t, u_t)):
        base = a * 2.0
        view = base[1:]
        early = view.sum()
        base[2:] = b * 3.0
        early.backward(retain_graph=True)
        a.grad = None
        view.mul_(b)
        (base * base).sum().backward()
    _close(w.grad, w_t.grad)
    _close(u.grad, u_t.grad)


def test_a_view_is_rebased_onto_its_base_as_it_stands_after_a_backward_pass_went_through_its_old_history():
    # the second backward reaches the view's old history and points its edge at the base's earlier self: the
    # view, used afterwards (an op's input, a chain's middle, a write through it), is still a view of the base now
    (w, w_t), (u, u_t) = _pair([1.0, 2.0, 3.0, 4.0], True), _pair([9.0], True)
    for a, b in ((w, u), (w_t, u_t)):
        base = a * 1.0
        view = base[1:3]
        inner = view[1:]
        early = (view * 3.0).sum()
        early.backward(retain_graph=True)
        base[2] = b[0] * 2.0
        early.backward(retain_graph=True)
        late = (view * 3.0).sum() + (inner * 5.0).sum()
        late.backward(retain_graph=True)
        view.mul_(b)
        (base * base).sum().backward()
    _close(w.grad, w_t.grad)
    _close(u.grad, u_t.grad)


@pytest.mark.parametrize("base_requires_grad", [False, True])
def test_a_view_made_under_no_grad_is_refused_once_its_base_took_a_recorded_change_as_in_torch(base_requires_grad):
    for lib in (ag, torch):
        weight = lib.tensor([1.0, 2.0, 3.0, 4.0], dtype=lib.float64, requires_grad=base_requires_grad)
        u = lib.tensor([7.0], dtype=lib.float64, requires_grad=True)
        base = weight * 1.0
        with lib.no_grad():
            view = base[1:3]
            inner = view[1:]  # a view of it inherits the mark
        late = view[:1]  # (made with grad mode on, of a view made under no_grad: marked too)
        base[1:2] = u * u  # recorded
        assert view.requires_grad  # (torch: the base's flag)
        view.retain_grad()  # (torch: nothing, no error)
        uses = [
            (view, operator.mul, 2.0), (view, getattr, "grad_fn"), (view, getattr, "is_leaf"),
            (inner, operator.methodcaller("sum")), (late, operator.methodcaller("exp")),
            (view, operator.methodcaller("register_hook", print)),
        ]  # fmt: skip
        for node, use, *arguments in uses:
            with pytest.raises(RuntimeError, match="created in no_grad mode"):
                use(node, *arguments)
        np.testing.assert_array_equal(np.asarray(view.detach()), [49.0, 3.0])  # its values are readable
        restored = pickle.loads(pickle.dumps(view))  # and it pickles, as a leaf that requires grad
        assert restored.requires_grad and restored.is_leaf
        with lib.no_grad():  # and it is an input like any other while nothing is recorded
            np.testing.assert_array_equal(np.asarray((view * 2.0).detach()), [98.0, 6.0])


def test_a_recorded_change_of_a_view_made_under_no_grad_is_refused_as_in_torch():
    for lib in (ag, torch):
        buffer = lib.zeros(4, dtype=lib.float64)
        u = lib.tensor([7.0], dtype=lib.float64, requires_grad=True)
        with lib.no_grad():
            view = buffer[1:3]
        with pytest.raises(RuntimeError, match="created in no_grad mode and is being modified inplace"):
            view[0:1] = u * u
        with pytest.raises(RuntimeError, match="created in no_grad mode and is being modified inplace"):
            view.mul_(u)
        view[0] = 5.0  # unrecorded: fine
        assert buffer.tolist() == [0.0, 5.0, 0.0, 0.0]


def test_a_view_made_and_changed_in_place_inside_a_backward_pass_takes_its_new_history_as_in_torch():
    # checkpoint's second run happens inside backward: there a block that adds into a view of its own
    # intermediate (a residual into a reshaped BatchNorm output, say) must give the gradient of the added term
    import torch.utils.checkpoint as torch_checkpoint

    from nn.utils.checkpoint import checkpoint

    (x, x_t), (y, y_t) = _pair(np.arange(6.0).reshape(2, 3), True), _pair([10.0, 20.0, 30.0], True)

    def block(a, b):
        z = (a * 2).reshape(3, 2)
        z[:, 0] += b
        z[1:].mul_(b[:2, None])
        return z

    (checkpoint(block, x, y, use_reentrant=False) ** 3).sum().backward()
    (torch_checkpoint.checkpoint(block, x_t, y_t, use_reentrant=False) ** 3).sum().backward()
    _close(x.grad, x_t.grad)
    assert y.grad is not None
    _close(y.grad, y_t.grad)
