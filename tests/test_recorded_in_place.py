"""In-place changes recorded in the graph, as torch records them: ``out += identity`` in a residual block,
``h.mul_(y)``, ``h.relu_()``, ``buffer += w`` on a tensor that needs no gradient. The tensor keeps its identity
and its array and becomes the output of the op; a parameter (a leaf that requires grad) and a view still refuse.

Gradients are checked against central differences (``autograd.gradcheck``, float64) and, when torch is
installed, against torch running the same code."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck, no_grad

RNG = np.random.default_rng(7)
A = RNG.uniform(0.5, 1.5, (3, 4)) * RNG.choice([-1.0, 1.0], (3, 4))
B = RNG.uniform(0.5, 1.5, (3, 4)) * RNG.choice([-1.0, 1.0], (3, 4))


def operators(x, y):
    h = x * 2
    h += y
    h -= x * y
    h *= y
    h /= y.abs() + 1
    return h


def methods(x, y):
    h = x + 0
    h.mul_(y).add_(y, alpha=0.5).div_(y.abs() + 1).sub_(x, alpha=2.0)
    return h


def elementwise(x, y):
    h1 = x * 3
    h1.clamp_(-0.5, 2.0)
    h2 = x * 1
    h2.relu_()
    h3 = y * 1
    h3.tanh_()
    h4 = x.abs() + 0.5
    h4.log_()
    h5 = y * 0.5
    h5.exp_()
    h6 = x.abs() + 1
    h6.sqrt_()
    h7 = y * 1
    h7.pow_(3)
    h8 = x * 1
    h8.sigmoid_()
    h9 = y * 1
    h9.neg_()
    h10 = x * 1
    h10.abs_()
    return h1 + h2 * h3 + h4 * h5 + h6 * h7 + h8 * h9 + h10


def blends(x, y):
    h = x * 1
    h.lerp_(y, 0.3)
    h.addcmul_(x, y, value=2.0)
    h.addcdiv_(x, y.abs() + 1, value=-1.0)
    return h


def constant_buffer(x, y):
    buffer = Tensor(np.ones(x.shape)) if isinstance(x, Tensor) else x.new_ones(x.shape)
    buffer *= x  # a tensor that needs no gradient takes a history from its operand
    buffer += y * y
    return buffer


def assignments(x, y):
    h = x * 1
    h[0] = y[1] * 3  # a row
    h[1:, ::2] = y[1:, ::2]  # a strided block
    h[np.array([2, 2]), np.array([1, 3])] = y[0, :2]  # advanced indices
    h[h > 1.0] = 0.5  # a mask and a number
    return h


def assignments_of_values_with_leading_ones(x, y):
    h = x * 1
    h[:, 1] = y[:, 2].reshape(1, 3)  # torch drops a value's leading axes of length 1: a column of 3
    h[0] = y[1:2] * 2  # a (1, 4) value into a row
    h[2, 3] = y[0, 0].reshape(1, 1)  # a (1, 1) value into one entry
    mask = _like(x, A > 0.3)
    h[mask] = (y * y)[mask].reshape(1, -1)  # a (1, k) value into the k entries of a mask
    return h


def _like(x, array):
    """``array`` as the kind of tensor ``x`` is (a torch mask for torch's masked_fill_)."""
    return array if isinstance(x, Tensor) else __import__("torch").from_numpy(array)


def fills(x, y):
    mask = A > 0.3
    scores = x * y
    scores.masked_fill_(_like(x, mask), -2.0)  # attention's masking
    scaled = x * 1
    scaled.masked_fill_(_like(x, ~mask), (y * y).sum())  # a 0-d node value gets the masked entries' gradient
    zeroed = x * y
    zeroed.zero_()
    filled = y * 1
    filled.fill_(x.sum() * 0.1)
    copied = x * 2
    copied.copy_(y[0] * 3)  # broadcast from a row
    return scores + scaled + zeroed * x + filled * y + copied * x


CASES = [
    operators,
    methods,
    elementwise,
    blends,
    constant_buffer,
    assignments,
    assignments_of_values_with_leading_ones,
    fills,
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_recorded_in_place_changes_have_the_gradients_of_central_differences(case):
    x, y = Tensor(A, requires_grad=True), Tensor(B, requires_grad=True)
    assert gradcheck(lambda a, b: case(a, b).sum(), [x, y], eps=1e-6, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_recorded_in_place_changes_match_torch(case):
    torch = pytest.importorskip("torch")
    x, y = Tensor(A, requires_grad=True), Tensor(B, requires_grad=True)
    ours = case(x, y)
    (ours * ours).sum().backward()
    xt, yt = torch.tensor(A, requires_grad=True), torch.tensor(B, requires_grad=True)
    theirs = case(xt, yt)
    (theirs * theirs).sum().backward()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-11, atol=1e-13)
    np.testing.assert_allclose(y.grad, yt.grad.numpy(), rtol=1e-11, atol=1e-13)


def test_the_tensor_keeps_its_identity_and_array_and_becomes_the_output_of_the_op():
    x = Tensor(A, requires_grad=True)
    h = x * 2
    array, version = h._data, h.version
    same = h
    h += 1
    assert h is same and h._data is array and h.version == version + 1
    assert h.grad_fn.name == "add" and not h.is_leaf
    assert h.relu_() is h and h.grad_fn.name == "relu"
    np.testing.assert_array_equal(array, np.maximum(A * 2 + 1, 0))


def test_a_residual_block_adding_its_input_in_place_trains_like_torch():
    class Residual(nn.Module):
        def __init__(self) -> None:
            self.first = nn.Linear(4, 4, rng=1)
            self.second = nn.Linear(4, 4, rng=2)

        def forward(self, x):
            identity = x
            out = self.first(x).relu()
            out = self.second(out)
            out += identity
            return out.relu()

    block = Residual().double()
    x = Tensor(A, requires_grad=True)
    block(x).sum().backward()
    expected = [p.grad.copy() for p in block.parameters()]
    assert gradcheck(lambda inputs: block(inputs).sum(), [Tensor(A, requires_grad=True)], atol=1e-6, rtol=1e-5)
    torch = pytest.importorskip("torch")
    first, second = torch.nn.Linear(4, 4).double(), torch.nn.Linear(4, 4).double()
    with torch.no_grad():
        for theirs, ours in zip([*first.parameters(), *second.parameters()], block.parameters()):
            theirs.copy_(torch.from_numpy(ours.data))
    xt = torch.tensor(A, requires_grad=True)
    out = second(first(xt).relu())
    out += xt
    out.relu().sum().backward()
    for got, theirs in zip(expected, [*first.parameters(), *second.parameters()]):
        np.testing.assert_allclose(got, theirs.grad.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_an_op_that_read_the_old_values_raises_at_backward_as_in_torch():
    x, y = Tensor(A, requires_grad=True), Tensor(B, requires_grad=True)
    h = x * 2
    z = h * y  # mul reads h's values
    h += 1  # add keeps no copy: h's array now holds other values
    with pytest.raises(RuntimeError, match="input 0 of 'mul' .* changed in place"):
        z.sum().backward()


def test_an_op_that_reads_its_output_keeps_the_old_values_and_gives_the_right_gradient():
    # torch raises here (exp saved its result, then changed); this library keeps a copy of the old values
    # for exp's rule, so the gradient is the right one
    x = Tensor(A, requires_grad=True)
    h = x.exp()
    h += 1
    h.sum().backward()
    np.testing.assert_allclose(x.grad, np.exp(A), rtol=1e-15)


def test_relu_reads_its_output_so_its_input_may_change_in_place_afterwards_as_in_torch():
    # torch's relu saves its result, not its input: h += 1 after h.relu() leaves relu's gradient intact
    x = Tensor(A, requires_grad=True)
    h = x * 3
    r = h.relu()
    h += 1
    (r * r).sum().backward()
    np.testing.assert_allclose(x.grad, 18 * np.maximum(A, 0), rtol=1e-15)


def test_a_parameter_a_view_and_a_detached_tensor_refuse_a_recorded_change():
    weight = Tensor(A, requires_grad=True)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        weight += 1
    expanded = (weight * 2)[:, :1].broadcast_to(
        (3, 4)
    )  # a view of a view that is not basic indexing, reshape or transpose
    with pytest.raises(RuntimeError, match=r"shares its data with another one \(a view other than basic indexing"):
        expanded += 1
    detached = weight.detach()
    with pytest.raises(RuntimeError, match="shares its data"):
        detached.mul_(weight)
    np.testing.assert_array_equal(weight.data, A)
    with no_grad():  # an update without a graph changes the parameter itself
        weight += 1
    np.testing.assert_array_equal(weight.data, A + 1)


def test_a_recorded_change_refuses_a_result_of_another_shape_or_kind_and_leaves_the_tensor_as_it_was():
    x = Tensor(A, requires_grad=True)
    h = x * 2
    before = h.data.copy()
    with pytest.raises(ValueError, match=r"add_: the result has shape \(2, 3, 4\), which does not fit"):
        h.add_(Tensor(np.ones((2, 3, 4)), requires_grad=True))
    counts = Tensor(np.zeros((3, 4), dtype=np.int64))
    with pytest.raises(TypeError, match="float64 cannot be stored in place in a int64 tensor"):
        counts += x
    with pytest.raises(IndexError, match=r"setitem: index 5 is out of bounds .* \(tensor shape \(3, 4\)\)"):
        h[5] = x[0]
    np.testing.assert_array_equal(h.data, before)
    assert h.grad_fn.name == "mul" and h.version == 0 and not counts.requires_grad


def test_an_assignment_keeps_its_index_as_it_was_when_recorded():
    x, v = Tensor(A, requires_grad=True), Tensor(B[0], requires_grad=True)
    rows = Tensor(np.array([1]))
    h = x * 1
    h[rows] = v
    rows.data[0] = 2  # changing the index tensor afterwards cannot move the gradient
    h.sum().backward()
    np.testing.assert_array_equal(x.grad, [[1.0] * 4, [0.0] * 4, [1.0] * 4])
    np.testing.assert_array_equal(v.grad, [1.0] * 4)


def _views_of_a_changed_tensor(x, y):
    h = x * 2
    row = h[1]  # a live view, used before and after the change
    block = row.reshape(2, 2)
    h.mul_(y)  # the views now show the new values, and take the new h as their base
    h[0] = h[2] * 1  # a value computed from a view of h itself
    return row * 3 + block.sum() + h.sum() + h.T[0].sum()


@pytest.mark.parametrize("oracle", ["central differences", "torch"])
def test_views_of_a_tensor_changed_in_place_follow_its_new_values(oracle):
    x, y = Tensor(A, requires_grad=True), Tensor(B, requires_grad=True)
    if oracle == "central differences":
        assert gradcheck(lambda a, b: _views_of_a_changed_tensor(a, b).sum(), [x, y], atol=1e-6, rtol=1e-5)
        return
    torch = pytest.importorskip("torch")
    out = _views_of_a_changed_tensor(x, y)
    (out * out).sum().backward()
    xt, yt = torch.tensor(A, requires_grad=True), torch.tensor(B, requires_grad=True)
    theirs = _views_of_a_changed_tensor(xt, yt)
    (theirs * theirs).sum().backward()
    np.testing.assert_allclose(out.data, theirs.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-11)
    np.testing.assert_allclose(y.grad, yt.grad.numpy(), rtol=1e-11)


def test_a_view_consumed_before_the_change_raises_at_backward_as_in_torch():
    x, y = Tensor(A, requires_grad=True), Tensor(B, requires_grad=True)
    h = x * 1
    row = h[0]
    product = row * y[0]  # reads the row's values
    h += 2
    with pytest.raises(RuntimeError, match="input 0 of 'mul' .* changed in place"):
        product.sum().backward()


def test_views_made_and_dropped_every_step_do_not_pile_up_on_the_tensor():
    weight = Tensor(A, requires_grad=True)
    for _ in range(1000):
        weight.T  # noqa: B018 - a view made and dropped, as x @ w.T does every step
    assert len(weight._version_counter._holders) <= 16


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda t: t.copy_(Tensor(np.ones(5))),
            r"copy_: an operand of shape \(5,\) does not broadcast to the tensor's shape \(3, 4\)",
        ),
        (
            lambda t: t.masked_fill_(np.ones(5, bool), 0.0),
            r"masked_fill_: an operand of shape \(5,\) does not broadcast",
        ),
        (lambda t: t.pow_(np.ones(7)), r"pow_: an operand of shape \(7,\) does not broadcast"),
        (lambda t: t.addcmul_(np.ones(2), np.ones(2)), r"addcmul_: an operand of shape \(2,\) does not broadcast"),
        (
            lambda t: t.lerp(Tensor(np.ones((4, 5))), 0.5),
            r"lerp: shapes \(3, 4\), \(4, 5\) and \(\) \(self, end, weight\)",
        ),
    ],
)
def test_in_place_operands_that_do_not_broadcast_are_named_with_the_op_and_leave_the_tensor(call, message):
    for tensor in (Tensor(A.copy()), Tensor(A, requires_grad=True) * 1):  # plain, and recorded
        before = tensor.data.copy()
        with pytest.raises(ValueError, match=message):
            call(tensor)
        np.testing.assert_array_equal(tensor.data, before)


@pytest.mark.parametrize(
    ("take_view", "change_shape"),
    [
        (lambda y: y[0], lambda y: y.unsqueeze_(0)),
        (lambda y: y.reshape(6), lambda y: y.t_()),
        (lambda y: y[:, 1], lambda y: y.transpose_(0, 1)),
        (lambda y: y[0, 1:], lambda y: y.unsqueeze_(-1)),
    ],
)
def test_an_in_place_shape_change_of_a_tensor_with_live_views_is_refused_while_recording(take_view, change_shape):
    # the views' way back into the tensor is for its old shape: an in-place change through one of them afterwards
    # wrote the wrong entries (or failed); refused at the shape change, the tensor unchanged
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x * 1
    view = take_view(y)
    with pytest.raises(RuntimeError, match="has live views while the graph is being recorded"):
        change_shape(y)
    assert y.shape == (2, 3) and view.requires_grad


def test_an_in_place_shape_change_then_a_view_changed_in_place_records_the_right_gradient():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x * 1
    y.t_()
    y[0].mul_(-1)  # the first row of the transposed y: x's first column
    np.testing.assert_array_equal(y.data, np.array([[-0.0, -3.0], [1.0, 4.0], [2.0, 5.0]]))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [[-1.0, 1.0, 1.0], [-1.0, 1.0, 1.0]])


def _divided_by_first_row(x):
    x /= x[0]
    return x


# in-place ops whose operand shares the tensor's memory: the write must not change what the rule reads
ALIASED_OPERANDS = {
    "x /= x[0]": _divided_by_first_row,
    "x.mul_(x.T)": lambda x: x.mul_(x.T),
    "x.mul_(x[:, :1])": lambda x: x.mul_(x[:, :1]),
    "x.mul_(x[0, 0])": lambda x: x.mul_(x[0, 0]),
    "x.pow_(x[1])": lambda x: x.pow_(x[1]),
    "x.atan2_(x[1])": lambda x: x.atan2_(x[1]),
    "x.clamp_(min=x[0])": lambda x: x.clamp_(min=x[0]),
}


@pytest.mark.parametrize("name", ALIASED_OPERANDS)
def test_an_operand_sharing_the_tensors_memory_gives_the_gradient_of_the_values_it_had(name):
    change = ALIASED_OPERANDS[name]
    square = np.abs(RNG.uniform(0.5, 1.5, (3, 3)))
    assert gradcheck(lambda a: change(a * 1), (Tensor(square, requires_grad=True),))


@pytest.mark.parametrize("constant", [Tensor.detach, Tensor.numpy])
def test_a_constant_sharing_the_tensors_memory_scales_the_gradient_by_its_old_values(constant):
    # x * c with c the values x held (a constant: no gradient through it), so d/dx = c, not c after the write
    square = RNG.uniform(0.5, 1.5, (3, 3))
    a = Tensor(square, requires_grad=True)
    x = a * 1
    x.mul_(constant(x))
    x.sum().backward()
    np.testing.assert_array_equal(x.data, square * square)
    np.testing.assert_array_equal(a.grad, square)


@pytest.mark.parametrize("exponent", [2.0, 3.0, 0.5, -1.0])
def test_a_power_may_be_changed_in_place_before_backward_as_torch_saves_its_base(exponent):
    # d/dx x**n = n x**(n - 1) reads the base only (x**0.5's slope is 1 / (2 sqrt x) of x again, not of the output)
    a = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y = a**exponent
    with no_grad():
        y.mul_(2.0)
    y.sum().backward()
    np.testing.assert_allclose(a.grad, exponent * np.array([1.0, 2.0, 3.0]) ** (exponent - 1), rtol=1e-15)
