"""PyTorch's own test/test_autograd.py (its in-place, version-counter and view cases) and test/test_view_ops.py (views
changed in place), ported: each case runs once with torch 2.13 and once with this library, written the same way, and
every value, gradient, version number and error (a RuntimeError where torch raises one, none where torch raises
none) is compared. The library words its errors its own way; only where torch raises is checked.

Where the library deliberately does better than torch (a recorded in-place change of a tensor an op saved keeps the
old values, so backward gives the right gradient where torch raises: README's in-place section), the case checks our
gradient against torch's for the same computation written out of place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import autograd

torch = pytest.importorskip("torch")


# -- the harness ----------------------------------------------------------------------------------------------------
def leaf(lib: Any, values: Any, requires_grad: bool = True) -> Any:
    """A float64 leaf of either library (the cases are written in float64 as test_autograd's are)."""
    return lib.tensor(np.array(values, dtype=np.float64), requires_grad=requires_grad)


def _plain(value: Any) -> Any:
    """A result of either library as plain Python/numpy: tensors and gradients as float64 arrays."""
    if isinstance(value, (list, tuple)):
        return [_plain(each) for each in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if hasattr(value, "detach"):
        value = value.detach()
    if hasattr(value, "numpy"):
        value = value.numpy()
    return np.array(value, dtype=np.float64)


def _outcome(lib: Any, case: Callable[[Any], Any]) -> Any:
    try:
        return _plain(case(lib))
    except Exception as error:  # compared by type below
        return error


def _assert_equal(ours: Any, theirs: Any, where: str) -> None:
    if isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), where
        for position, (mine, its) in enumerate(zip(ours, theirs)):
            _assert_equal(mine, its, f"{where}[{position}]")
    elif isinstance(theirs, np.ndarray):
        assert isinstance(ours, np.ndarray) and ours.shape == theirs.shape, where
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12, err_msg=where)
    else:
        assert ours == theirs and type(ours) is type(theirs), where


def same_as_torch(case: Callable[[Any], Any]) -> Any:
    """Run ``case(lib)`` with torch and with the library: the same results, or a RuntimeError in both (torch's
    RuntimeError may be ours or a subclass); returns torch's outcome."""
    theirs, ours = _outcome(torch, case), _outcome(autograd, case)
    if isinstance(theirs, Exception):
        assert isinstance(theirs, RuntimeError), theirs  # (every refusal ported here is one)
        assert isinstance(ours, RuntimeError), f"{case.__name__}: torch raised {theirs!r}, ours gave {ours!r}"
    else:
        assert not isinstance(ours, Exception), f"{case.__name__}: torch gave {theirs!r}, ours raised {ours!r}"
        _assert_equal(ours, theirs, case.__name__)
    return theirs


def raises_in_both(case: Callable[[Any], Any]) -> None:
    assert isinstance(same_as_torch(case), RuntimeError), f"{case.__name__}: torch was expected to raise"


def runs_in_both(case: Callable[[Any], Any]) -> None:
    assert not isinstance(same_as_torch(case), Exception), f"{case.__name__}: torch was expected to run"


def _increment_version(lib: Any, tensor: Any) -> None:
    lib.autograd.graph.increment_version(tensor)


# -- leaves that require grad (test_autograd's test_inplace_on_leaf / test_leaf_assignment) ---------------------------
def leaf_add_(lib):
    x = leaf(lib, [1.0, 2.0])
    x.add_(1)


def leaf_setitem(lib):
    x = leaf(lib, [1.0, 2.0])
    x[0] = 3.0


def leaf_view_mul_(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    x[1:].mul_(2)


def leaf_copy_(lib):
    x = leaf(lib, [1.0, 2.0])
    x.copy_(lib.ones(2, dtype=lib.float64))


def leaf_index_put_accumulate(lib):
    x = leaf(lib, [1.0, 2.0])
    x.index_put_((lib.tensor([0]),), lib.tensor([1.0], dtype=lib.float64), accumulate=True)


def leaf_transpose_view_zero_(lib):
    x = leaf(lib, [[1.0, 2.0], [3.0, 4.0]])
    x.t()[0].zero_()


@pytest.mark.parametrize(
    "case",
    [leaf_add_, leaf_setitem, leaf_view_mul_, leaf_copy_, leaf_index_put_accumulate, leaf_transpose_view_zero_],
    ids=lambda case: case.__name__,
)
def test_in_place_on_a_leaf_that_requires_grad_raises(case):
    raises_in_both(case)


def test_in_place_on_a_leaf_is_fine_under_no_grad():
    def case(lib):
        x = leaf(lib, [1.0, 2.0, 3.0])
        with lib.no_grad():
            x.add_(1)
            x.mul_(2)
            x[0] = 7.0
            x[1:].sub_(1)
        y = (x * x).sum()
        y.backward()
        return x, x.grad, x._version, x.requires_grad, x.is_leaf, x.grad_fn is None

    runs_in_both(case)


# -- tensors saved for backward, changed afterwards (test_autograd's test_inplace_not_requires_grad and friends) -----
def saved_input_of_mul_changed(lib):
    x, w = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
    a = x * 1
    y = a * w  # saves a
    a.add_(1)
    y.sum().backward()


def saved_input_changed_under_no_grad(lib):
    x, w = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
    a = x * 1
    y = a * w
    with lib.no_grad():
        a.add_(1)
    y.sum().backward()


def saved_output_changed_under_no_grad(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x.exp()  # saves its output
    with lib.no_grad():
        y.add_(1)
    y.sum().backward()


def saved_leaf_changed_under_no_grad(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * x
    with lib.no_grad():
        x.add_(1)
    y.sum().backward()


def divisor_changed(lib):
    x, w = leaf(lib, [2.0, 3.0]), leaf(lib, [4.0, 5.0])
    c = w * 1
    y = x / c  # saves the divisor
    c.add_(1)
    y.sum().backward()


def used_twice_and_saved(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * 1
    z = y * y
    y.mul_(3)
    (z + y).sum().backward()


def saved_through_detach_zeroed(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x.exp()
    z = y * y
    y.detach().zero_()  # the detached tensor shares y's memory and version counter
    z.sum().backward()


def saved_leaf_through_detach_zeroed(lib):
    x, w = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
    y = x * w
    x.detach().zero_()
    y.sum().backward()


def saved_leaf_version_incremented(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * x
    _increment_version(lib, x)
    y.sum().backward()


def retained_and_saved_then_changed(lib):
    x = leaf(lib, [1.0, 2.0])
    y = x * 2
    y.retain_grad()
    z = y * y
    y.add_(1)
    (z + y).sum().backward()


@pytest.mark.parametrize(
    "case",
    [
        saved_input_of_mul_changed,
        saved_input_changed_under_no_grad,
        saved_output_changed_under_no_grad,
        saved_leaf_changed_under_no_grad,
        divisor_changed,
        used_twice_and_saved,
        saved_through_detach_zeroed,
        saved_leaf_through_detach_zeroed,
        saved_leaf_version_incremented,
        retained_and_saved_then_changed,
    ],
    ids=lambda case: case.__name__,
)
def test_backward_through_a_saved_tensor_changed_in_place_raises(case):
    raises_in_both(case)


def test_a_change_of_what_no_op_saved_backpropagates():
    def mul_by_a_constant(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * 2  # multiplying by a number saves no tensor
        y.add_(1)
        y.sum().backward()
        return x.grad, y, y._version

    def sine_input_of_another_tensor(lib):
        x = leaf(lib, [1.0, 2.0])
        a = x * 3
        b = a.sin()  # saves a: a must stay as it was; a's other use, a * 3, saved nothing
        c = a * 3
        b.sum().backward(retain_graph=True)
        c.sum().backward()
        return x.grad

    def leaf_scaled_then_changed_under_no_grad(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * 3
        with lib.no_grad():
            x.add_(1)
        y.sum().backward()
        return x.grad, x, x._version

    def used_twice_unsaved(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * 1
        z = y + y
        y.mul_(3)
        (z + y).sum().backward()
        return x.grad

    def increment_version_of_unsaved(lib):
        x = leaf(lib, [1.0, 2.0])
        z = x * 3
        _increment_version(lib, x)
        z.sum().backward()
        return x.grad, x._version

    for case in (
        mul_by_a_constant,
        sine_input_of_another_tensor,
        leaf_scaled_then_changed_under_no_grad,
        used_twice_unsaved,
        increment_version_of_unsaved,
    ):
        runs_in_both(case)


def test_a_recorded_change_of_a_saved_output_gives_the_out_of_place_gradient_where_torch_raises():
    # README's policy: the library keeps what the rule reads; torch raises (the version check)
    changes = {
        "exp then add_": ("exp", lambda y: y.add_(1), lambda y: y + 1),
        "tanh then mul_": ("tanh", lambda y: y.mul_(2), lambda y: y * 2),
        "relu then sub_": ("relu", lambda y: y.sub_(2), lambda y: y - 2),
        "sqrt then add_": ("sqrt", lambda y: y.add_(2), lambda y: y + 2),
        "sigmoid then mul_": ("sigmoid", lambda y: y.mul_(y), lambda y: y * y),
    }
    for name, (op, in_place, out_of_place) in changes.items():
        values = [0.5, 2.0, 4.0]
        theirs = leaf(torch, values)
        y = getattr(theirs, op)()
        in_place(y)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()
        theirs = leaf(torch, values)
        expected = out_of_place(getattr(theirs, op)())
        expected.sum().backward()
        ours = leaf(autograd, values)
        got = getattr(ours, op)()
        in_place(got)
        got.sum().backward()
        np.testing.assert_allclose(got.detach().numpy(), expected.detach().numpy(), rtol=1e-12, err_msg=name)
        np.testing.assert_allclose(np.asarray(ours.grad), theirs.grad.numpy(), rtol=1e-12, err_msg=name)


# -- version counters (test_autograd's test_version_counter, test_inplace_view_* versions) --------------------------
def test_version_counter_counts_each_in_place_change_and_is_shared_by_views():
    def case(lib):
        x = leaf(lib, [1.0, 2.0, 3.0], requires_grad=False)
        versions = [x._version]
        x.add_(1)
        versions.append(x._version)
        x.mul_(2).sub_(1)  # chained: two changes
        versions.append(x._version)
        view = x[1:]
        versions.append(view._version)
        view.div_(2)
        versions += [view._version, x._version]
        x[0] = 5.0
        versions += [view._version, x._version]
        x += 1
        view *= 2
        versions += [view._version, x._version]
        return x, view, versions

    runs_in_both(case)


def test_every_kind_of_view_shares_the_version_counter():
    def case(lib):
        x = leaf(lib, [[1.0, 2.0], [3.0, 4.0]], requires_grad=False)
        views = [
            x.t(),
            x.transpose(0, 1),
            x.diagonal(),
            x.select(0, 1),
            x.narrow(1, 0, 1),
            x.unsqueeze(0),
            x.expand(3, 2, 2),
            x.view(4),
            x.reshape(4),
            x.permute(1, 0),
            x[:, 1],
            x.detach(),
        ]
        x.diagonal().add_(1)
        x.t()[0, 1] = 9.0  # x[1, 0]
        return [view._version for view in views], views, x._version

    runs_in_both(case)


def test_versions_of_the_named_in_place_ops():
    def case(lib):
        x = lib.zeros(3, dtype=lib.float64)
        versions = []
        x[0] = 5.0
        versions.append(x._version)
        x.index_put_((lib.tensor([1]),), lib.tensor([2.0], dtype=lib.float64))
        versions.append(x._version)
        x.scatter_(0, lib.tensor([2]), lib.tensor([3.0], dtype=lib.float64))
        versions.append(x._version)
        x.copy_(lib.ones(3, dtype=lib.float64))
        versions.append(x._version)
        x.zero_()
        x.fill_(2.0)
        x.clamp_(0, 1)
        versions.append(x._version)
        x.masked_fill_(lib.tensor([True, False, False]), 2.0)
        x.index_add_(0, lib.tensor([0]), lib.tensor([1.0], dtype=lib.float64))
        versions.append(x._version)
        x.t_()
        x.unsqueeze_(0)
        x.squeeze_(0)
        versions.append(x._version)
        lib.add(x, 1, out=x)
        versions.append(x._version)
        x.requires_grad_()  # not a change of the data
        versions.append(x._version)
        _increment_version(lib, x)
        versions.append(x._version)
        return x, versions

    runs_in_both(case)


def test_data_changes_do_not_bump_the_version():
    def through_data(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * x  # saves x
        before = x._version
        x.data.add_(1)
        x.data.mul_(3)
        after = x._version
        y.sum().backward()  # no error: .data is the unchecked escape hatch
        return before, after, x, x.grad

    def data_assigned(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * x
        x.data = lib.tensor([5.0, 6.0], dtype=lib.float64)
        y.sum().backward()
        return x, x.grad, x._version

    def data_of_a_non_leaf(lib):
        x = leaf(lib, [1.0, 2.0])
        a = x.exp()
        b = a * 1
        a.data.mul_(0)
        b.sum().backward()
        return x.grad, a, a._version

    for case in (through_data, data_assigned, data_of_a_non_leaf):
        runs_in_both(case)


def test_increment_version_of_several_tensors():
    def case(lib):
        a, b = lib.zeros(2), lib.ones(3)
        lib.autograd.graph.increment_version([a, b])
        lib.autograd.graph.increment_version(a)
        return a._version, b._version

    runs_in_both(case)


# -- in-place changes of views (test_autograd's test_inplace_on_view_*; test_view_ops) ------------------------------
def view_of_non_leaf_rebases_its_base(lib):
    x = leaf(lib, [1.0, 2.0, 3.0, 4.0])
    a = x * 1
    v = a[1:]
    v.mul_(2)
    a.sum().backward()
    return x.grad, a, a._version, v._version, a.grad_fn is not None


def base_changed_after_the_view(lib):
    x = leaf(lib, [1.0, 2.0, 3.0, 4.0])
    a = x * 1
    v = a[:2]
    a.mul_(3)  # v's history is regenerated: a view of the new a
    v.sum().backward()
    return x.grad, v, v.requires_grad, v.grad_fn is not None


def view_of_a_view(lib):
    x = leaf(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    a = x * 1
    row = a[1]
    tail = row[1:]
    tail.mul_(x[0, 1:])
    a.sum().backward()
    return x.grad, a, row, tail._version


def base_changed_then_view_of_a_view_used(lib):
    x = leaf(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    a = x * 1
    tail = a[1][1:]
    a.exp_()
    (tail * tail).sum().backward()
    return x.grad, tail


def transposed_row(lib):
    x = leaf(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    a = x * 1
    a.t()[0].mul_(5)
    (a * a).sum().backward()
    return x.grad, a


def transposed_whole_then_entry(lib):
    x = leaf(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    a = x * 1
    t = a.transpose(0, 1)
    t.mul_(2)
    t[1, 0] = 7.0
    (a**2).sum().backward()
    return x.grad, a, t


def diagonal_scaled(lib):
    x = leaf(lib, [[1.0, 2.0], [3.0, 4.0]])
    a = x * 1
    a.diagonal().mul_(3)
    (a * a).sum().backward()
    return x.grad, a


def diagonal_offset_takes_a_tensor(lib):
    x = leaf(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    w = leaf(lib, [10.0, 20.0])
    a = x * 2
    a.diagonal(1).copy_(w)
    (a * a).sum().backward()
    return x.grad, w.grad, a


def selected_column(lib):
    x = leaf(lib, [[1.0, 2.0], [3.0, 4.0]])
    a = x * 1
    a.select(1, 0).add_(x[:, 1])
    (a * a).sum().backward()
    return x.grad, a


def narrowed_pow_(lib):
    x = leaf(lib, [1.0, 2.0, 3.0, 4.0])
    a = x * 1
    a.narrow(0, 1, 2).pow_(2)
    (a * 3).sum().backward()
    return x.grad, a


def unsqueezed(lib):
    x = leaf(lib, [1.0, 2.0, 3.0])
    a = x * 1
    a.unsqueeze(0).mul_(x)
    (a * a).sum().backward()
    return x.grad, a


def reshaped_view(lib):
    x = leaf(lib, [1.0, 2.0, 3.0, 4.0])
    a = x * 1
    a.view(2, 2)[0].mul_(3)
    a.reshape(2, 2).t()[0].add_(1)
    (a * a).sum().backward()
    return x.grad, a


def permuted_and_moved(lib):
    x = leaf(lib, [[[1.0, 2.0], [3.0, 4.0]]])
    a = x * 1
    a.permute(2, 0, 1)[0].mul_(x[0, :, 0][None, :])
    a.movedim(2, 0)[1].add_(1)
    (a * a).sum().backward()
    return x.grad, a


def squeezed_and_flattened(lib):
    x = leaf(lib, [[1.0, 2.0, 3.0]])
    a = x * 1
    s, f = a.squeeze(0), a.flatten()
    s[0].mul_(4)
    f[2].add_(1)
    (a * a).sum().backward()
    return x.grad, a, f, s


def view_as_exp_(lib):
    x = leaf(lib, [1.0, 2.0, 3.0, 4.0])
    a = x * 1
    a.view_as(lib.zeros(2, 2)).exp_()
    a.sum().backward()
    return x.grad, a


def base_then_view_then_base(lib):
    x = leaf(lib, [1.0, 2.0, 3.0, 4.0])
    a = x * 1
    v = a[1:3]
    a.mul_(2)
    v.mul_(x[:2])
    a.add_(1)
    (a * v.sum()).sum().backward()
    return x.grad, a, v


def two_overlapping_views(lib):
    x = leaf(lib, [1.0, 2.0, 3.0, 4.0])
    a = x * 1
    first, last = a[:2], a[1:]
    first.mul_(2)
    last.mul_(3)
    (first * first).sum().backward()
    return x.grad, first, last


def view_of_a_constant_takes_a_tensor(lib):
    w = leaf(lib, [1.0, 2.0])
    x = lib.zeros(2, 2, dtype=lib.float64)
    x[0].copy_(w)
    x.select(1, 1).add_(w)
    (x * x).sum().backward()
    return w.grad, x, x.requires_grad, x.is_leaf


def constant_takes_a_tensor(lib):
    w = leaf(lib, [1.0, 2.0, 3.0])
    x = lib.zeros(3, dtype=lib.float64)
    x.mul_(w)
    x.add_(w)
    (x * x).sum().backward()
    return w.grad, x, x.requires_grad, x.is_leaf


def setitem_of_a_constant(lib):
    w = leaf(lib, [1.0, 2.0])
    x = lib.zeros(3, dtype=lib.float64)
    x[1:] = w * 2
    (x * x).sum().backward()
    return w.grad, x, x.requires_grad


@pytest.mark.parametrize(
    "case",
    [
        view_of_non_leaf_rebases_its_base,
        base_changed_after_the_view,
        view_of_a_view,
        base_changed_then_view_of_a_view_used,
        transposed_row,
        transposed_whole_then_entry,
        diagonal_scaled,
        diagonal_offset_takes_a_tensor,
        selected_column,
        narrowed_pow_,
        unsqueezed,
        reshaped_view,
        permuted_and_moved,
        squeezed_and_flattened,
        view_as_exp_,
        base_then_view_then_base,
        two_overlapping_views,
        view_of_a_constant_takes_a_tensor,
        constant_takes_a_tensor,
        setitem_of_a_constant,
    ],
    ids=lambda case: case.__name__,
)
def test_in_place_change_through_a_view(case):
    runs_in_both(case)


def test_view_rebase_gives_x_grad_1_2_2_2():
    # test_autograd's first view case, by value
    x = leaf(autograd, np.ones(5))
    a = x * 1
    a[1:].mul_(2)
    a.sum().backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [1.0, 2.0, 2.0, 2.0, 2.0])
    runs_in_both(view_of_non_leaf_rebases_its_base)


def expanded_view_changed(lib):
    a = leaf(lib, [1.0, 2.0, 3.0]) * 1
    a.expand(2, 3).mul_(2)  # several entries of the view are one memory location


def view_made_in_no_grad_changed_while_recording(lib):
    a = leaf(lib, [1.0, 2.0, 3.0]) * 1
    with lib.no_grad():
        v = a[1:]
    v.mul_(2)


def piece_of_split_changed(lib):
    a = leaf(lib, [1.0, 2.0, 3.0, 4.0]) * 1
    a.split(2)[0].mul_(2)


def piece_of_chunk_changed(lib):
    a = leaf(lib, [1.0, 2.0, 3.0, 4.0]) * 1
    a.chunk(2)[1].add_(1)


def row_of_unbind_changed(lib):
    a = leaf(lib, [[1.0, 2.0], [3.0, 4.0]]) * 1
    a.unbind(0)[0].mul_(2)


def detach_of_a_view_detached_in_place(lib):
    a = leaf(lib, [1.0, 2.0]) * 2
    a[:1].detach_()


@pytest.mark.parametrize(
    "case",
    [
        expanded_view_changed,
        view_made_in_no_grad_changed_while_recording,
        piece_of_split_changed,
        piece_of_chunk_changed,
        row_of_unbind_changed,
        detach_of_a_view_detached_in_place,
    ],
    ids=lambda case: case.__name__,
)
def test_view_changes_torch_refuses(case):
    raises_in_both(case)


def test_in_place_under_no_grad_on_a_view_of_a_tensor_that_requires_grad():
    def view_of_a_non_leaf(lib):
        x = leaf(lib, [1.0, 2.0, 3.0])
        a = x * 1
        with lib.no_grad():
            a[1:].mul_(2)
        a.sum().backward()
        return x.grad, a, a._version

    def view_of_a_leaf(lib):
        x = leaf(lib, [1.0, 2.0, 3.0])
        with lib.no_grad():
            x[1:].mul_(2)
        (x * x).sum().backward()
        return x.grad, x, x._version

    def leaf_changed_under_its_live_view(lib):
        x = leaf(lib, [1.0, 2.0, 3.0])
        v = x[1:]
        with lib.no_grad():
            x.mul_(2)
        (v * v).sum().backward()
        return x.grad, v, v._version, v.requires_grad, v.grad_fn is not None

    def pieces_changed_under_no_grad(lib):
        x = leaf(lib, [[1.0, 2.0], [3.0, 4.0]])
        a = x * 1
        first, _ = a.unbind(0)
        with lib.no_grad():
            first.mul_(2)
        return a, a._version

    for case in (view_of_a_non_leaf, view_of_a_leaf, leaf_changed_under_its_live_view, pieces_changed_under_no_grad):
        runs_in_both(case)


# -- detach() and detach_() (test_autograd's test_detach, test_detach_base) -----------------------------------------
def test_detach_shares_memory_and_version_counter():
    def shares(lib):
        x = leaf(lib, [1.0, 2.0])
        d = x.detach()
        d.add_(1)
        return x, x._version, d._version, x.requires_grad, d.requires_grad, d.is_leaf

    def view_of_a_non_leaf_detached(lib):
        x = leaf(lib, [1.0, 2.0, 3.0])
        a = x * 1
        d = a.detach()
        d.mul_(2)
        return a, a._version, d._version

    def detached_entry_written(lib):
        x = leaf(lib, [1.0, 2.0, 3.0])
        a = x.sin()  # saves x, not its output: a may change
        d = a.detach()
        d[0] = 0.0
        a.sum().backward()
        return x.grad, a, a._version

    def detach_in_place(lib):
        a = leaf(lib, [1.0, 2.0]) * 2
        a.detach_()
        return a.requires_grad, a.is_leaf, a.grad_fn is None, a._version

    for case in (shares, view_of_a_non_leaf_detached, detached_entry_written, detach_in_place):
        runs_in_both(case)


# -- retain_grad and hooks on a tensor later changed in place (test_autograd's test_retain_grad_inplace, --------------
# test_hook_edge_case_when_called_with_grad / hooks registered before the change run on the old version)
def test_retain_grad_follows_the_tensor_through_in_place_changes():
    def retained(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * 2
        y.retain_grad()
        y.mul_(3)
        (y * y).sum().backward()
        return x.grad, y.grad, y

    def retained_through_a_view_change(lib):
        x = leaf(lib, [1.0, 2.0, 3.0])
        y = x * 2
        y.retain_grad()
        y[1:].mul_(4)
        (y * y).sum().backward()
        return x.grad, y.grad

    for case in (retained, retained_through_a_view_change):
        runs_in_both(case)


def test_a_hook_registered_before_an_in_place_change_sees_the_old_versions_gradient():
    def hooked(register_after):
        def case(lib):
            seen = []
            x = leaf(lib, [1.0, 2.0])
            y = x * 2
            if not register_after:
                y.register_hook(lambda g: seen.append(_plain(g)))
            z = y * 1  # reads the old version
            y.mul_(3)
            if register_after:
                y.register_hook(lambda g: seen.append(_plain(g)))
            (z + 2 * y).sum().backward()
            return x.grad, seen

        case.__name__ = f"hook registered {'after' if register_after else 'before'} the change"
        return case

    runs_in_both(hooked(register_after=True))
    runs_in_both(hooked(register_after=False))
    # torch: the hook on the old y sees the old y's whole gradient (1 from z, 2 * 3 through the change)
    _, seen = same_as_torch(hooked(register_after=False))
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [7.0, 7.0])


# -- chained and repeated in-place changes --------------------------------------------------------------------------
def test_chained_in_place_changes_return_the_tensor_and_backpropagate():
    def chained(lib):
        x = leaf(lib, [1.0, -2.0, 3.0, -0.25])
        y = x * 1
        result = y.mul_(2).add_(1).relu_()
        (y * y).sum().backward()
        return result is y, x.grad, y, y._version, y.grad_fn is not None

    def chained_on_a_constant(lib):
        x = leaf(lib, [1.0, -2.0, 3.0], requires_grad=False)
        x.mul_(2).add_(1).relu_()
        return x, x._version

    def used_twice_in_the_graph(lib):
        x, w = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, -1.0])
        y = x * w
        z = y + 2 * y
        y.add_(w).mul_(2)
        (z * y).sum().backward()
        return x.grad, w.grad, y, z

    def residual_like(lib):
        x, w = leaf(lib, [[0.5, -1.0], [2.0, 0.25]]), leaf(lib, [[1.0, -2.0], [0.5, 3.0]])
        out = (x @ w).sin()  # (saves its input, not its output: the changes below are fine in torch)
        out += x
        out.relu_()
        out.sum().backward()
        return out, x.grad, w.grad

    def double_backward_of_a_changed_gradient(lib):
        x = leaf(lib, [1.0, 2.0])
        y = x * x * x
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        g.mul_(2)
        g.sum().backward()
        return x.grad

    for case in (chained, chained_on_a_constant, used_twice_in_the_graph, residual_like):
        runs_in_both(case)
    runs_in_both(double_backward_of_a_changed_gradient)


# -- copy_ and set_ ---------------------------------------------------------------------------------------------------
def test_copy_from_a_tensor_that_requires_grad_records_and_sends_gradients_to_the_source():
    def whole(lib):
        x = leaf(lib, [1.0, 2.0])
        d = lib.zeros(2, dtype=lib.float64)
        d.copy_(x * 3)
        (d * d).sum().backward()
        return x.grad, d, d.requires_grad, d.grad_fn is not None, d.is_leaf, d._version

    def into_part(lib):
        x = leaf(lib, [1.0, 2.0])
        d = lib.zeros(3, dtype=lib.float64)
        d[1:].copy_(x)
        (d * 2).sum().backward()
        return x.grad, d

    def broadcast(lib):
        x = leaf(lib, [5.0])
        d = lib.zeros(3, dtype=lib.float64)
        d.copy_(x)
        d.sum().backward()
        return x.grad, d

    def over_a_non_leaf(lib):
        x, w = leaf(lib, [1.0, 2.0]), leaf(lib, [3.0, 4.0])
        a = x * 1
        a.copy_(w)  # x's values are gone: its gradient is zero
        (a * a).sum().backward()
        return x.grad, w.grad

    def of_another_dtype(lib):
        x = leaf(lib, [1.5, 2.5])
        d = lib.zeros(2, dtype=lib.float32)
        d.copy_(x)
        (d * d).sum().backward()
        return x.grad, d, d.dtype == lib.float32

    for case in (whole, into_part, broadcast, over_a_non_leaf, of_another_dtype):
        runs_in_both(case)


def test_set_shares_memory_and_bumps_its_own_version():
    def case(lib):
        x, y = lib.zeros(2, dtype=lib.float64), lib.ones(3, dtype=lib.float64)
        x.set_(y)
        versions = [x._version, y._version]
        y.add_(1)
        x.mul_(2)
        versions += [x._version, y._version]
        v = lib.zeros(4, dtype=lib.float64)
        view = v[1:]
        v.set_()
        return x, y, versions, tuple(v.shape), v._version, view._version

    runs_in_both(case)

    def on_a_leaf_that_requires_grad(lib):
        leaf(lib, [1.0, 2.0]).set_(lib.ones(2, dtype=lib.float64))

    raises_in_both(on_a_leaf_that_requires_grad)


# -- out= --------------------------------------------------------------------------------------------------------------
def test_out_arguments():
    def plain(lib):
        x = leaf(lib, [1.0, 2.0], requires_grad=False)
        out = lib.empty(2, dtype=lib.float64)
        result = lib.add(x, 1, out=out)
        return out, result is out, out._version

    def into_a_view(lib):
        x = leaf(lib, [1.0, 2.0, 3.0], requires_grad=False)
        out = lib.zeros(2, 3, dtype=lib.float64)
        lib.mul(x, 2, out=out[1])
        return out, out._version

    def resized(lib):
        x = leaf(lib, [1.0, 2.0, 3.0], requires_grad=False)
        out = lib.zeros(0, dtype=lib.float64)
        lib.exp(x, out=out)
        return out, out._version

    def matmul_sum_cat(lib):
        a = leaf(lib, [[1.0, 2.0], [3.0, 4.0]], requires_grad=False)
        products, sums, joined = (lib.zeros(2, 2, dtype=lib.float64), lib.zeros(2, dtype=lib.float64), lib.zeros(8))
        lib.matmul(a, a, out=products)
        lib.sum(a, 0, out=sums)
        lib.cat([a.reshape(4), a.reshape(4)], out=joined)
        return products, sums, joined, [products._version, sums._version, joined._version]

    def under_no_grad(lib):
        x = leaf(lib, [1.0, 2.0])
        out = lib.zeros(2, dtype=lib.float64)
        with lib.no_grad():
            lib.mul(x, 2, out=out)
        return out, out.requires_grad

    for case in (plain, into_a_view, resized, matmul_sum_cat, under_no_grad):
        runs_in_both(case)

    def input_requires_grad(lib):
        lib.mul(leaf(lib, [1.0, 2.0]), 2, out=lib.zeros(2, dtype=lib.float64))

    def out_requires_grad(lib):
        lib.mul(leaf(lib, [1.0, 2.0], requires_grad=False), 2, out=leaf(lib, [0.0, 0.0]))

    raises_in_both(input_requires_grad)
    raises_in_both(out_requires_grad)


# -- the indexed in-place ops' gradients ------------------------------------------------------------------------------
def clamp_both(lib):
    x = leaf(lib, [-2.0, 0.5, 3.0, 1.0])
    y = x * 2
    y.clamp_(-1, 2)
    (y * y).sum().backward()
    return x.grad, y


def clamp_min_only(lib):
    x = leaf(lib, [-2.0, 0.5, 3.0])
    y = x * 2
    y.clamp_(min=0)
    y.sum().backward()
    return x.grad, y


def clamp_tensor_bound(lib):
    x, low = leaf(lib, [1.0, 2.0, 3.0]), leaf(lib, [1.5, 1.5, 1.5])
    y = x * 1
    y.clamp_(min=low)
    (y * y).sum().backward()
    return x.grad, low.grad, y


def masked_fill_number(lib):
    x = leaf(lib, [-2.0, 0.5, 3.0])
    y = x * 2
    y.masked_fill_(lib.tensor([True, False, True]), 0.0)
    (y * y).sum().backward()
    return x.grad, y


def masked_fill_tensor(lib):
    x, value = leaf(lib, [1.0, 2.0, 3.0]), leaf(lib, 5.0)
    y = x * 1
    y.masked_fill_(lib.tensor([True, False, True]), value)
    (y * y).sum().backward()
    return x.grad, value.grad, y


def index_add_repeated(lib):
    x, source = leaf(lib, [1.0, 2.0, 3.0]), leaf(lib, [10.0, 20.0])
    y = x * 1
    y.index_add_(0, lib.tensor([0, 0]), source * 2)
    (y * y).sum().backward()
    return x.grad, source.grad, y


def index_add_alpha(lib):
    x, source = leaf(lib, [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]), leaf(lib, [[10.0, 20.0], [30.0, 40.0]])
    y = x * 1
    y.index_add_(0, lib.tensor([2, 0]), source, alpha=3)
    (y * y).sum().backward()
    return x.grad, source.grad, y


def scatter_source(lib):
    x, source = leaf(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), leaf(lib, [[7.0, 8.0, 9.0]])
    y = x * 1
    y.scatter_(1, lib.tensor([[2, 0, 1]]), source)
    (y * y).sum().backward()
    return x.grad, source.grad, y


def scatter_value(lib):
    x = leaf(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    y = x * 1
    y.scatter_(1, lib.tensor([[2], [0]]), 0.5)
    (y * y).sum().backward()
    return x.grad, y


def scatter_add(lib):
    x, source = leaf(lib, [[1.0, 2.0, 3.0]]), leaf(lib, [[7.0, 8.0, 9.0]])
    y = x * 1
    y.scatter_add_(1, lib.tensor([[0, 0, 2]]), source)
    (y * y).sum().backward()
    return x.grad, source.grad, y


def index_put_accumulate(lib):
    x, values = leaf(lib, [1.0, 2.0, 3.0]), leaf(lib, [10.0, 20.0, 30.0])
    y = x * 1
    y.index_put_((lib.tensor([0, 0, 2]),), values, accumulate=True)
    (y * y).sum().backward()
    return x.grad, values.grad, y


def index_put_accumulate_2d(lib):
    x, values = leaf(lib, [[1.0, 2.0], [3.0, 4.0]]), leaf(lib, [5.0, 6.0, 7.0])
    y = x * 1
    y.index_put_((lib.tensor([0, 0, 1]), lib.tensor([1, 1, 0])), values, accumulate=True)
    (y * y).sum().backward()
    return x.grad, values.grad, y


def index_put_replacing(lib):
    x, values = leaf(lib, [1.0, 2.0, 3.0]), leaf(lib, [10.0, 30.0])
    y = x * 1
    y.index_put_((lib.tensor([0, 2]),), values)
    (y * y).sum().backward()
    return x.grad, values.grad, y


def boolean_setitem(lib):
    x, value = leaf(lib, [1.0, 2.0, 3.0]), leaf(lib, [7.0])
    y = x * 1
    y[lib.tensor([False, True, False])] = value
    (y * y).sum().backward()
    return x.grad, value.grad, y


def index_fill_and_copy(lib):
    x, source = leaf(lib, [1.0, 2.0, 3.0, 4.0]), leaf(lib, [9.0])
    y = x * 1
    y.index_fill_(0, lib.tensor([1]), 0.0)
    y.index_copy_(0, lib.tensor([3]), source)
    (y * y).sum().backward()
    return x.grad, source.grad, y


def masked_scatter_and_put(lib):
    x, source, more = leaf(lib, [1.0, 2.0, 3.0]), leaf(lib, [9.0, 8.0]), leaf(lib, [4.0, 5.0])
    y = x * 1
    y.masked_scatter_(lib.tensor([True, False, True]), source)
    y.put_(lib.tensor([0, 0]), more, accumulate=True)
    (y * y).sum().backward()
    return x.grad, source.grad, more.grad, y


def on_a_view(lib):
    x, values = leaf(lib, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), leaf(lib, [10.0, 20.0])
    y = x * 1
    y[1].index_put_((lib.tensor([0, 0]),), values, accumulate=True)
    y.t()[2].clamp_(max=4.0)
    (y * y).sum().backward()
    return x.grad, values.grad, y


def in_place_ops_with_a_tensor_operand(lib):
    x, w = leaf(lib, [2.0, 3.0]), leaf(lib, [4.0, 5.0])
    a = x * 1
    a.div_(w)
    b = x * 1
    b.pow_(w)
    (a + b).sum().backward()
    return x.grad, w.grad, a, b


@pytest.mark.parametrize(
    "case",
    [
        clamp_both,
        clamp_min_only,
        clamp_tensor_bound,
        masked_fill_number,
        masked_fill_tensor,
        index_add_repeated,
        index_add_alpha,
        scatter_source,
        scatter_value,
        scatter_add,
        index_put_accumulate,
        index_put_accumulate_2d,
        index_put_replacing,
        boolean_setitem,
        index_fill_and_copy,
        masked_scatter_and_put,
        on_a_view,
        in_place_ops_with_a_tensor_operand,
    ],
    ids=lambda case: case.__name__,
)
def test_in_place_op_gradients(case):
    runs_in_both(case)
