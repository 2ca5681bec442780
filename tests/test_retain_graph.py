"""A backward pass that does not retain the graph frees what its nodes saved, as torch's: a second pass through a
node whose derivative reads saved values raises torch's RuntimeError; retain_graph=True keeps the graph."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value, backward_steps, draw_graph
from autograd.op import FREED_GRAPH_MESSAGE

SECOND_TIME = "Trying to backward through the graph a second time"


def _programs(module):
    """(name, build): build(x) gives a one-element output of x, in the library's or torch's spelling."""
    return [
        ("x * x", lambda x: (x * x).sum()),
        ("exp", lambda x: x.exp().sum()),
        ("tanh then * 2.0", lambda x: (x.tanh() * 2.0).sum()),
        ("x * 2.0", lambda x: (x * 2.0).sum()),
        ("x + 2.0", lambda x: (x + 2.0).sum()),
        ("x + x", lambda x: (x + x).sum()),
        ("add with alpha", lambda x: x.add(x, alpha=2.5).sum()),
        ("sub with alpha", lambda x: x.sub(x, alpha=2.0).sum()),
        ("sum then reshape", lambda x: x.reshape(2, 2).sum()),
        ("matmul", lambda x: (x.reshape(2, 2) @ x.reshape(2, 2)).sum()),
    ]


@pytest.mark.parametrize("index", range(10))
def test_a_second_pass_raises_exactly_where_torchs_does(index):
    torch = pytest.importorskip("torch")
    name, ours = _programs(autograd)[index]
    _, theirs = _programs(torch)[index]
    data = np.array([0.5, -1.0, 2.0, 0.25])
    t = torch.tensor(data, requires_grad=True)
    out_t = theirs(t)
    out_t.backward()
    try:
        out_t.backward()
        torch_raises = False
    except RuntimeError as error:
        assert SECOND_TIME in str(error)
        torch_raises = True
    x = Tensor(data, requires_grad=True)
    out = ours(x)
    out.backward()
    first = x.grad.copy()
    if torch_raises:
        with pytest.raises(RuntimeError, match=SECOND_TIME):
            out.backward()
        np.testing.assert_array_equal(x.grad, first)  # nothing changed by the pass that raised
    else:
        out.backward()
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12)


def test_retain_graph_keeps_the_graph_and_create_graph_retains_by_default():
    torch = pytest.importorskip("torch")
    data = np.array([0.5, -1.0])
    x, t = Tensor(data, requires_grad=True), torch.tensor(data, requires_grad=True)
    y, s = (x * x.exp()).sum(), (t * t.exp()).sum()
    y.backward(retain_graph=True)
    y.backward()
    s.backward(retain_graph=True)
    s.backward()
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12)
    z = (x.tanh() ** 3).sum()
    (g,) = autograd.grad(z, x, create_graph=True)
    (again,) = autograd.grad(z, x)  # create_graph retained the graph
    np.testing.assert_allclose(again, g.data, rtol=1e-15)
    with pytest.raises(RuntimeError, match=SECOND_TIME):
        autograd.grad(z, x)  # the pass before did not retain it


def test_the_error_is_torchs_message_for_values_and_tensors():
    a = Value(3.0)
    b = a * a
    b.backward()
    with pytest.raises(RuntimeError) as error:
        b.backward()
    assert str(error.value) == FREED_GRAPH_MESSAGE and "retain_graph=True" in str(error.value)
    assert a.grad == 6.0


def test_an_rnn_whose_state_is_not_detached_stops_at_the_second_step_as_torchs():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((3, 2, 4))

    def train(cell, optimizer, tensor, detach):
        hidden = None
        for step in range(len(inputs)):
            hidden = cell(tensor(inputs[step]), hidden)
            loss = (hidden**2).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if detach:
                hidden = hidden.detach()

    ours = nn.RNNCell(4, 3, dtype=np.float64)
    theirs = torch.nn.RNNCell(4, 3).double()
    for make, cell, tensor in ((nn.optim.SGD, ours, Tensor), (torch.optim.SGD, theirs, torch.tensor)):
        with pytest.raises(RuntimeError, match=SECOND_TIME):
            train(cell, make(cell.parameters(), lr=0.1), tensor, detach=False)
        train(cell, make(cell.parameters(), lr=0.1), tensor, detach=True)  # truncated backpropagation runs


def test_pictures_of_a_graph_are_computed_after_backward_freed_it():
    x, y = Value(2.0, label="x"), Value(-1.0, label="y")
    f = (x * y).tanh() * x
    f.backward()
    pictures = backward_steps(f)  # gradients computed afresh through the freed graph
    assert len(pictures) == len(autograd.backward_order([f]))
    assert "grad" in draw_graph(f, compute_grad=True).source
    with pytest.raises(RuntimeError, match=SECOND_TIME):
        f.backward()  # still freed for the user's own passes


def _functions(base):
    """Custom Functions in the library's or torch's spelling: what each saves decides whether a second pass runs."""

    class KeptOnCtx(base):  # saves nothing with save_for_backward: torch frees nothing
        @staticmethod
        def forward(ctx, x):
            ctx.x = x.detach()
            return x * x

        @staticmethod
        def backward(ctx, grad):
            return 2 * ctx.x * grad

    class Saved(base):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    class TwoOutputs(base):  # one call, one node in torch: a pass through either output frees it
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x, x * 3

        @staticmethod
        def backward(ctx, grad_square, grad_triple):
            (x,) = ctx.saved_tensors
            return 2 * x * grad_square + 3 * grad_triple

    class Dirty(base):  # changes its input in place, saves nothing
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    return {
        "kept on ctx": lambda x: (KeptOnCtx.apply(x).sum(), None),
        "saved": lambda x: (Saved.apply(x).sum(), None),
        "two outputs, one then the other": lambda x: tuple(y.sum() for y in TwoOutputs.apply(x)),
        "mark_dirty": lambda x: (Dirty.apply(x.clone()).sum(), None),
    }


@pytest.mark.parametrize("name", ["kept on ctx", "saved", "two outputs, one then the other", "mark_dirty"])
def test_a_custom_function_is_freed_as_torchs_by_what_it_saved(name):
    torch = pytest.importorskip("torch")
    data = np.array([0.5, -1.0, 2.0])
    t = torch.tensor(data, requires_grad=True)
    first_t, second_t = _functions(torch.autograd.Function)[name](t)
    first_t.backward()
    second_t = first_t if second_t is None else second_t
    try:
        second_t.backward()
        torch_raises = False
    except RuntimeError as error:
        assert SECOND_TIME in str(error)
        torch_raises = True
    x = Tensor(data, requires_grad=True)
    first, second = _functions(autograd.Function)[name](x)
    first.backward()
    second = first if second is None else second
    before = x.grad.copy()
    if torch_raises:
        with pytest.raises(RuntimeError, match=SECOND_TIME):
            second.backward()
        np.testing.assert_array_equal(x.grad, before)
    else:
        second.backward()
        np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-12)


def test_max_unpool_saves_its_indices_as_torchs():
    torch = pytest.importorskip("torch")
    data = np.arange(16.0).reshape(1, 1, 4, 4) / 7
    pooled, indices = torch.nn.functional.max_pool2d(torch.tensor(data), 2, return_indices=True)
    t = pooled.requires_grad_()
    out_t = torch.nn.functional.max_unpool2d(t, indices, 2).sum()
    out_t.backward()
    with pytest.raises(RuntimeError, match=SECOND_TIME):
        out_t.backward()
    x = Tensor(pooled.detach().numpy(), requires_grad=True)
    out = nn.functional.max_unpool2d(x, Tensor(indices.numpy()), 2).sum()
    out.backward()
    with pytest.raises(RuntimeError, match=SECOND_TIME):
        out.backward()
    np.testing.assert_array_equal(x.grad, t.grad.numpy())


def test_pictures_of_a_graph_with_a_custom_function_are_computed_after_backward_freed_it():
    class Square(autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 2 * x * grad

    x = Value(3.0, label="x")
    f = Square.apply(x) + x
    f.backward()
    assert "grad 7 " in draw_graph(f, compute_grad=True).source  # d(x*x + x)/dx at 3
    with pytest.raises(RuntimeError, match=SECOND_TIME):
        f.backward()  # still freed for the user's own passes


def test_grad_with_respect_to_an_intermediate_frees_nothing_behind_it():
    """autograd.grad(z, y) stops at y, as torch's engine, which runs no node behind its inputs: y = exp(x) keeps
    its saved value, so a later pass through it is legal; a node the pass did run is freed (a second pass raises)."""
    x = Tensor(np.array([0.5, 1.0]), requires_grad=True)
    y = x.exp()
    (gy,) = autograd.grad(y.sum(), y)
    np.testing.assert_array_equal(gy, [1.0, 1.0])
    (gx,) = autograd.grad(y.sum(), x)
    np.testing.assert_allclose(gx, np.exp([0.5, 1.0]), rtol=1e-15)
    y = x.exp()
    w = y * y
    z = (w * w).sum()
    autograd.grad(z, [w, y])  # w's derivative ran (it leads to y): w is freed, y is not
    with pytest.raises(RuntimeError, match=SECOND_TIME):
        autograd.grad(z, x)
    (again,) = autograd.grad((y * 3.0).sum(), x)
    np.testing.assert_allclose(again, 3 * np.exp([0.5, 1.0]), rtol=1e-15)


@pytest.mark.parametrize("kind", ["value", "0-d tensor", "1-d tensor"])
def test_a_second_pass_along_a_line_of_one_parent_nodes_raises(kind):
    # backward carries a lone root's gradient down its line of one-parent nodes without the general loop: the
    # freed nodes there must refuse a second pass as the general loop's do
    x = Value(0.5) if kind == "value" else Tensor(0.5 if kind == "0-d tensor" else [0.5, 2.0], requires_grad=True)
    y = (x.exp().tanh() * 2.0 + 1.0).exp()
    if kind == "1-d tensor":
        y = y.sum()
    y.backward()
    first = float(x.grad) if kind == "value" else x.grad.copy()
    with pytest.raises(RuntimeError, match=SECOND_TIME):
        y.backward()
    np.testing.assert_array_equal(x.grad, first)
