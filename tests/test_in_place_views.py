"""In-place changes of a view while the graph is recorded (basic indexing ``y[0] += 1``, ``y[:, 1:3] *= w``,
``y[1:].relu_()``, and transposes and reshapes, ``y.T[0] += 1``, ``y.reshape(2, 6)[1].mul_(w)``): as torch's,
they change the tensor viewed and its gradient; checked against finite differences and torch."""

import contextlib
import sys

import numpy as np
import pytest

import autograd
from autograd import Tensor, gradcheck, no_grad
from autograd.versions import VersionCounter

RNG = np.random.default_rng(11)
X = RNG.uniform(0.5, 1.5, (3, 4)) * RNG.choice([-1.0, 1.0], (3, 4))
W = RNG.uniform(0.5, 1.5, 2)


def _add_to_a_row(x, w):
    y = x * 1
    y[0] += 1
    return y


def _scale_a_block(x, w):
    y = x * 2
    y[:, 1:3] *= w
    return y


def _view_of_a_view(x, w):
    y = x * 2
    y[1][2:4] /= w
    return y


def _two_changes_and_a_sibling_view(x, w):
    y = x * 1
    column = y[:, 0]
    y[0, 1:3] += w
    y[0] *= 2
    return y + column.sum()


def _named_ops_on_views(x, w):
    y = x * 3
    y[0, 2:].abs_()
    y[0, :2].copy_(w)
    y[1:, :2].exp_()  # last: torch refuses a backward through exp_ once its tensor changes again
    return y


def _setitem_on_a_view(x, w):
    y = x * 1
    rows = y[1:]
    rows[0] = w.sum()
    return y


def _row_of_a_transpose(x, w):
    y = x * 1
    y.T[1] += w.sum()
    return y


def _block_of_a_transpose(x, w):
    y = x * 2
    y.T[:2, 0] *= w
    return y


def _reshaped_then_indexed(x, w):
    y = x * 1
    y.reshape(2, 6)[1, :2].sub_(w)
    return y


def _named_op_on_a_permutation(x, w):
    y = x * 3
    y.permute(1, 0)[2:].tanh_()
    return y * w.sum()


def _unsqueezed_and_swapped(x, w):
    y = x * 1
    y.unsqueeze(0).swapaxes(1, 2)[0, 3, 1:] += w
    return y


def _reshape_of_a_transpose_is_a_copy(x, w):
    y = x * 1
    flat = y.T.reshape(-1)  # not contiguous: a copy, in numpy and torch alike, so y does not change
    flat[:2] += w
    return y + flat.sum()


CASES = [_add_to_a_row, _scale_a_block, _view_of_a_view, _two_changes_and_a_sibling_view, _named_ops_on_views,
         _setitem_on_a_view, _row_of_a_transpose, _block_of_a_transpose, _reshaped_then_indexed,
         _named_op_on_a_permutation, _unsqueezed_and_swapped, _reshape_of_a_transpose_is_a_copy]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_in_place_change_of_an_indexed_view_matches_finite_differences(case):
    assert gradcheck(case, [X, W])


@pytest.mark.parametrize("case", CASES, ids=[case.__name__ for case in CASES])
def test_in_place_change_of_an_indexed_view_matches_torch(case):
    torch = pytest.importorskip("torch")
    x, w = Tensor(X, requires_grad=True), Tensor(W, requires_grad=True)
    tx, tw = torch.tensor(X, requires_grad=True), torch.tensor(W, requires_grad=True)
    ours, theirs = case(x, w), case(tx, tw)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12)
    (ours * ours).sum().backward()
    (theirs * theirs).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12)
    if tw.grad is None:  # w not used
        assert w.grad is None
    else:
        np.testing.assert_allclose(w.grad, tw.grad.numpy(), rtol=1e-12)


def test_the_view_keeps_its_identity_and_shows_the_new_values():
    y = Tensor(X, requires_grad=True) * 1
    row = y[0]
    before = id(row._data)
    row += 1
    np.testing.assert_array_equal(row.data, X[0] + 1)
    np.testing.assert_array_equal(y.data[0], X[0] + 1)
    assert id(row._data) == before and row.version == y.version == 1  # one change, one version (as torch)
    y[1] += 1  # the view changes y; Python's write-back y[1] = view is not written again but counted, as torch
    assert y.version == 3


def test_a_value_read_before_the_change_still_raises_at_backward_as_torch():
    x = Tensor(X, requires_grad=True)
    y = x * 1
    squares = y * y  # reads y's old values
    y[0] += 1
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        squares.sum().backward()


def test_a_view_of_a_leaf_that_requires_grad_refuses():
    x = Tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x[0] += 1
    np.testing.assert_array_equal(x.data, X)


def test_a_view_made_before_its_base_required_grad_refuses_an_in_place_change_as_torch():
    # torch's test_no_requires_grad_inplace: the leaf would change without the graph knowing
    a = Tensor(np.ones(3))
    view, view_of_view = a[:], a[:][1:]
    a.requires_grad = True
    for target in (view, view_of_view):
        with pytest.raises(
            RuntimeError, match="a view of a leaf Variable that requires grad is being used in an in-place"
        ):
            target.add_(5.0)
    np.testing.assert_array_equal(a.data, [1.0, 1.0, 1.0])
    with no_grad():  # as torch, the change is fine outside the graph
        view.add_(5.0)
    np.testing.assert_array_equal(a.data, [6.0, 6.0, 6.0])


def test_only_the_root_of_a_chain_of_views_decides_as_in_torch():
    root = Tensor(np.ones(4))
    middle = root[:3]
    inner = middle[1:]
    middle.requires_grad_(True)  # a view of a root that needs no gradient: torch lets its view change
    inner.add_(1.0)
    np.testing.assert_array_equal(root.data, [1.0, 2.0, 2.0, 1.0])


def test_a_long_chain_of_views_changes_in_place_at_the_default_recursion_limit():
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    y = x * 1.0
    view = y
    for _ in range(3 * sys.getrecursionlimit()):
        view = view[:]
    view[0] *= 3.0
    np.testing.assert_array_equal(y.data, [[3.0, 3.0], [1.0, 1.0]])
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad, [[18.0, 18.0], [2.0, 2.0]])


def test_a_long_chain_of_transposes_changes_in_place_at_the_default_recursion_limit():
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = x * 1.0
    view = y
    for _ in range(2 * sys.getrecursionlimit() + 1):
        view = view.T
    view[0] *= 3.0  # an odd number of transposes: column 0 of y
    np.testing.assert_array_equal(y.data, [[3.0, 1.0, 1.0], [3.0, 1.0, 1.0]])
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad, [[18.0, 2.0, 2.0], [18.0, 2.0, 2.0]])


def test_an_in_place_change_through_a_chain_of_views_reads_their_holders_a_fixed_number_of_times(monkeypatch):
    # each step up the chain read the list of the chain's live views again: a change through a view of a view...
    # 10,000 deep took minutes (time quadratic in the depth); the work per step is now constant
    reads = []
    live_holders = VersionCounter.live_holders
    monkeypatch.setattr(VersionCounter, "live_holders", lambda self: reads.append(1) or live_holders(self))

    def change_through_chain(depth):
        x = Tensor(np.ones((2, 2)), requires_grad=True)
        y = x * 1.0
        view = y
        for _ in range(depth):
            view = view[:]
        reads.clear()
        view.add_(1.0)
        (y * y).sum().backward()
        np.testing.assert_array_equal(y.data, np.full((2, 2), 2.0))
        np.testing.assert_array_equal(x.grad, np.full((2, 2), 4.0))  # d/dx (x + 1)^2 = 2 (x + 1)
        return len(reads)

    assert change_through_chain(3000) == change_through_chain(30)


def test_repeated_augmented_assignments_through_views_keep_no_view_alive():
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    y = x * 1.0
    for _ in range(50):
        y[0] += 1.0
    holders = y._version_counter.live_holders()
    assert holders == []  # each statement's view is dropped: later changes have no views to rebase
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad, [[100.0] * 3, [0.0] * 3])


def test_a_diagonal_is_a_writable_view_as_torchs():
    t = Tensor(np.ones((3, 4)))
    t.diagonal().fill_(0.0)
    t.diagonal(1).add_(5.0)
    expected = np.ones((3, 4))
    np.fill_diagonal(expected, 0.0)
    expected[[0, 1, 2], [1, 2, 3]] += 5.0
    np.testing.assert_array_equal(t.data, expected)


@pytest.mark.parametrize(("offset", "dims"), [(0, (0, 1)), (1, (0, 1)), (-1, (1, 2)), (2, (2, 0))])
def test_a_recorded_change_of_a_diagonal_view_reaches_the_tensor_and_its_gradient_as_torchs(offset, dims):
    torch = pytest.importorskip("torch")
    values = RNG.normal(size=(3, 4, 5))
    x, x_t = Tensor(values.copy(), requires_grad=True), torch.tensor(values, requires_grad=True)
    results = []
    for source, lib in ((x, "ours"), (x_t, "torch")):
        y = source * 1.5
        diagonal = y.diagonal(offset, *dims)
        diagonal.mul_(3.0)  # the rule of mul_ reads the view's old values
        diagonal.add_(source.diagonal(offset, *dims) ** 2)
        (y * y).sum().backward()
        results.append(y.data if lib == "ours" else y.detach().numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-13)
    np.testing.assert_allclose(x.grad, x_t.grad.numpy(), rtol=1e-13)


def test_the_gradient_of_a_diagonal_change_matches_finite_differences():
    def f(x):
        y = x * 1.0
        y.diagonal(1).mul_(x.diagonal(1) * 2.0)
        return (y * y).sum()

    assert gradcheck(f, [Tensor(X.copy(), requires_grad=True)])


def test_one_entry_is_a_0d_view_that_takes_in_place_changes_as_torchs():
    v = Tensor(np.zeros(3))
    v[0].fill_(1.0)
    v.select(0, 2).add_(2.0)
    entry = v[1]
    v.add_(5.0)
    np.testing.assert_array_equal(v.data, [6.0, 5.0, 7.0])
    assert entry.item() == 5.0  # a view sees the change of its base
    w = Tensor(np.zeros((3, 3)))
    w.diagonal()[1].fill_(4.0)
    assert w.data[1, 1] == 4.0


def test_a_recorded_change_of_one_entry_reaches_the_tensor_and_its_gradient_as_torchs():
    torch = pytest.importorskip("torch")
    x, x_t = Tensor(X.copy(), requires_grad=True), torch.tensor(X, requires_grad=True)
    for source in (x, x_t):
        y = source * 2.0
        y[1, 1].mul_(5.0)
        y[2][0].add_(source[0, 0] * 3.0)
        (y * y).sum().backward()
    np.testing.assert_allclose(x.grad, x_t.grad.numpy(), rtol=1e-14)


def test_split_chunk_unbind_pieces_refuse_a_recorded_in_place_change_as_torchs():
    # torch refuses a recorded in-place change of an output of split/split_with_sizes/chunk/unbind (or of a view of
    # one), not of tensor_split/hsplit or the unsafe_ forms, and allows it inside no_grad; the library changed the
    # piece and the tensor it views
    torch = pytest.importorskip("torch")
    cases = {
        "split": lambda a, w: a.split(2)[0].mul_(w),
        "split one piece": lambda a, w: a.split(5)[0].mul_(2),
        "split_with_sizes": lambda a, w: a.split_with_sizes([1, 3])[1].add_(1),
        "chunk": lambda a, w: a.chunk(2)[1].mul_(w[0]),
        "unbind": lambda a, w: a.unbind(1)[2].mul_(w),
        "a view of a piece": lambda a, w: a.split(2)[0][1].zero_(),
        "a transposed piece": lambda a, w: a.split(2)[1].t().mul_(2),
        "setitem of a piece": lambda a, w: a.unbind()[0].__setitem__(0, 5.0),
        "+= on a piece": lambda a, w: a.chunk(4)[3].__iadd__(w[None]),
        "tensor_split": lambda a, w: a.tensor_split(2)[0].mul_(w),
        "hsplit": lambda a, w: a.hsplit(2)[1].mul_(2),
    }
    # the unsafe_ forms change the tensor in both; torch's gradient then misses the change (that is what "unsafe"
    # means), ours has it: compared with torch's run of the same change through a slice
    unsafe = {
        "unsafe_split": (lambda a, w: a.unsafe_split(2)[0].mul_(w), lambda a, w: a[:2].mul_(w)),
        "unsafe_chunk": (lambda a, w: a.unsafe_chunk(2)[1].add_(1), lambda a, w: a[2:].add_(1)),
        "unsafe_split_with_sizes": (
            lambda a, w: a.unsafe_split_with_sizes([3, 1])[0].mul_(2),
            lambda a, w: a[:3].mul_(2),
        ),
    }
    data, weights = np.arange(1.0, 17.0).reshape(4, 4), np.array([2.0, 3.0, 4.0, 5.0])

    def run(lib, change, how):
        x = lib.tensor(data.copy(), requires_grad=True)
        w = lib.tensor(weights.copy(), requires_grad=True)
        a = x * 1
        if how == "no_grad":
            with lib.no_grad():
                change(a, w.detach())
        else:
            try:
                change(a, w)
            except RuntimeError:
                return "RuntimeError"
        (a * a).sum().backward()
        return a.detach().numpy().tolist(), x.grad.numpy().tolist()

    for name, change in cases.items():
        for how in ("recorded", "no_grad"):
            assert run(autograd, change, how) == run(torch, change, how), (name, how)
    for name, (change, through_a_slice) in unsafe.items():
        for how in ("recorded", "no_grad"):
            assert run(autograd, change, how) == run(torch, through_a_slice, how), (name, how)
    constant = Tensor(np.ones(4))  # a constant's piece with an operand that requires grad: refused in both
    with pytest.raises(RuntimeError):
        constant.split(2)[0].mul_(Tensor(np.ones(2), requires_grad=True))
    with pytest.raises(RuntimeError):
        torch.ones(4).split(2)[0].mul_(torch.ones(2, requires_grad=True))


def test_writing_into_an_empty_view_records_on_its_base_as_torch():
    """An empty basic slice of a tensor is a view in torch (and numpy's slice of an array): a recorded write into it
    (nothing written) still makes the base's history the write's, so the value takes a zero gradient and the base's
    version moves, as torch's. Before, an empty slice (numpy's may_share_memory is False for it) was no view: the
    write was recorded on the slice alone and the value got no gradient (None)."""
    torch = pytest.importorskip("torch")
    for index in [(slice(None), np.array([False])), (slice(None),), (0, slice(None, 0), np.array([False]))]:
        got = {}
        for lib in (autograd, torch):
            x = lib.tensor(np.zeros((1, 1, 1)), requires_grad=True)
            y = lib.tensor(np.array(2.0), requires_grad=True)
            w = x * 1
            view = w[0, :0, :] if len(index) < 3 else w
            version = w._version
            idx = tuple(torch.as_tensor(i) if lib is torch and isinstance(i, np.ndarray) else i for i in index)
            view[idx] = y
            assert w._version > version
            (w * 3).sum().backward()
            got[lib.__name__] = (np.asarray(x.grad), None if y.grad is None else float(y.grad))
        assert got["autograd"][1] == got["torch"][1] == 0.0
        np.testing.assert_array_equal(got["autograd"][0], got["torch"][0])


def test_an_expand_changed_in_place_under_no_grad_as_torchs():
    # torch writes through an expand that repeats no entry and refuses (RuntimeError) one that repeats entries;
    # the library refused both, as a ValueError alone
    torch = pytest.importorskip("torch")
    for lib in (torch, autograd):
        x = lib.tensor(np.array([[1.0], [2.0]]), requires_grad=True)
        y = x * 2
        with lib.no_grad():
            y.expand(1, 2, 1).add_(1.0)
            y.unsqueeze(0).expand(1, -1, 1).mul_(3.0)
            with pytest.raises(RuntimeError):
                y.expand(2, 2, 1).add_(1.0)
            with pytest.raises(RuntimeError):
                y.expand(2, 2, 3).relu_()
        np.testing.assert_array_equal(np.asarray(y.detach().numpy()), [[9.0], [15.0]])
        assert y._version == 2


@pytest.mark.parametrize("pieces", ["unbind", "split", "chunk"])
@pytest.mark.parametrize("change", ["recorded", "no_grad"])
def test_a_piece_of_a_multiple_output_view_used_after_its_base_changed_is_refused_as_torch(pieces, change):
    # torch refuses using a piece (or a view of one) of split/chunk/unbind while recording once the tensor it views
    # changed in place, recorded or not; the library used it
    torch = pytest.importorskip("torch")
    uses = {"an op": lambda piece: piece * 2, "a view": lambda piece: piece[0:1], "a backward": lambda piece: piece}
    for use_name, use in uses.items():
        outcomes = []
        for lib in (torch, autograd):
            a = lib.tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
            x = a * 1
            first = (x.unbind(0) if pieces == "unbind" else x.split(1) if pieces == "split" else x.chunk(2))[0]
            with lib.no_grad() if change == "no_grad" else contextlib.nullcontext():
                x.add_(1.0)
            assert first.requires_grad  # (reading it is no use)
            try:
                use(first).sum().backward()
                outcomes.append(a.grad.numpy().tolist() if lib is torch else np.asarray(a.grad).tolist())
            except RuntimeError:
                outcomes.append("refused")
            assert a.grad is None or outcomes[-1] != "refused"
        assert outcomes == ["refused", "refused"], (use_name, outcomes)
    for lib in (torch, autograd):  # used before the change, or under no_grad after it: as torch, no refusal
        a = lib.tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=True)
        first, second = (a * 1).unbind(0)
        y = first * 2
        second.detach().add_(1.0)
        with lib.no_grad():
            z = first * 3
        y.sum().backward()
        np.testing.assert_array_equal(np.asarray(a.grad if lib is autograd else a.grad.numpy()), [[2.0, 2.0], [0, 0]])
        np.testing.assert_array_equal(np.asarray(z.numpy()), [3.0, 6.0])


@pytest.mark.parametrize("view_made", ["recording", "no_grad"])
@pytest.mark.parametrize("requires_grad", [False, True])
def test_a_view_of_a_detached_tensor_stays_out_of_the_graph_when_the_original_changes(view_made, requires_grad):
    # torch: a view of x.detach() is a constant whatever x's recorded in-place changes; the library rebased it onto
    # x's new history (requiring grad, so a gradient went through the detach), or refused it when made under no_grad
    torch = pytest.importorskip("torch")
    outcomes = []
    for lib in (torch, autograd):
        a = lib.tensor(np.array([[1.0, 2.0], [3.0, 4.0]]), requires_grad=requires_grad)
        w = lib.tensor(np.array(0.5), requires_grad=True)
        x = a * 2
        with lib.no_grad() if view_made == "no_grad" else contextlib.nullcontext():
            view = x.detach()[0]
        x.mul_(w)
        y = view * 3
        (x.sum() + y.sum()).backward()
        grads = [None if g is None else np.asarray(g.numpy() if lib is torch else g).tolist() for g in (a.grad, w.grad)]
        outcomes.append((view.is_leaf, view.requires_grad, y.requires_grad, view._version, grads))
        np.testing.assert_array_equal(np.asarray(y.detach().numpy()), [3.0, 6.0])
    assert outcomes[1] == outcomes[0]


def test_a_quotient_by_a_constant_changed_under_no_grad_backpropagates_as_torchs():
    # x / c saves no output when c needs no gradient (only the rule for c reads it): torch's backward runs; the
    # library's version check refused it as if the output were read
    torch = pytest.importorskip("torch")
    for divisor in ("number", "constant tensor"):
        grads = []
        for lib in (torch, autograd):
            a = lib.tensor(np.array([1.0, 2.0]), requires_grad=True)
            t = a.sin()
            if divisor == "number":
                t.div_(0.5)
            else:
                t = t / lib.tensor(np.array([2.0, 4.0]))
            with lib.no_grad():
                t.add_(1.0)
            t.sum().backward()
            grads.append(np.asarray(a.grad.numpy() if lib is torch else a.grad))
        np.testing.assert_allclose(grads[1], grads[0], rtol=1e-12, err_msg=divisor)
