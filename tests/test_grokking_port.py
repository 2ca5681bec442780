"""Andrew Trask's "Grokking Deep Learning" (iamtrask/Grokking-Deep-Learning), its chapters' notebooks run with the
library.

Chapter 13 builds an autograd ``Tensor`` by hand (add/neg/sub/mul/sum/expand/transpose/mm, sigmoid/tanh, index_select,
cross_entropy) and on it ``SGD``, ``Linear``, ``Sequential``, ``MSELoss``, ``Tanh``/``Sigmoid``, ``Embedding`` and
``CrossEntropyLoss``; chapter 14 adds ``RNNCell`` and ``LSTMCell`` (the library's ``nn.RNNCell``/``nn.LSTMCell`` with
the book's gates stacked in torch's i, f, g, o order; the book's hidden-to-hidden Linears have no bias, so ``bias_hh``
is 0), and its "exploding gradients" notebook (a two-unit recurrence through sigmoid and ReLU, whose printed gradients
are reproduced with ``retain_grad``).

Here each of the notebook's examples is spelled with ``autograd.Tensor``, ``nn`` modules and ``nn.optim.SGD``; the
training cells start from the weights the notebook draws after ``np.random.seed(0)`` and must print the losses the
notebook printed; every op's gradient is also checked against float64 central differences, and the recurrent cell
against torch. Chapters 8 and 9's numpy networks (a ReLU network with dropout, a tanh network with a softmax output,
mini-batched) and chapter 10's convolutional layer are written here in numpy after the book's delta rules, with the
dropout masks given explicitly, and compared with the same networks trained by autograd.

Where the book's conventions differ from torch's (which the library follows):

- ``Tensor(data, autograd=True)`` is ``Tensor(data, requires_grad=True)``; the notebook's integer tensors
  (``Tensor([1,2,3,4,5], autograd=True)``) must be floats to require gradients (torch's rule: the library raises a
  ``GradientDtypeError`` saying so); ``loss.backward(Tensor(np.ones_like(loss.data)))`` is ``loss.backward()`` for
  the notebook's one-element losses;
- the book's ``Tensor.__init__`` draws ``np.random.randint(0, 100000)`` for every tensor's id, so its weights after
  ``np.random.seed(0)`` depend on how many tensors were made before them; the port makes the same draws
  (:func:`book_ids`) to start from the notebook's weights;
- ``x.expand(dim, copies)`` (a new axis ``dim`` repeated ``copies`` times) is ``x.unsqueeze(dim).expand(...)``, and
  ``Linear``'s ``bias.expand(0, len(input))`` is broadcasting; ``sum(dim)`` is ``sum(dim)``; ``transpose()`` of a
  matrix is ``.T``; its ``Linear`` stores the weight as (in, out), ``nn.Linear.weight`` is (out, in);
- ``index_select(indices)`` takes an index array of any shape and gathers rows (``weight[indices]``); torch's
  ``index_select(dim, index)`` takes a 1-d index, so the book's 2-d form is indexing ``x[idx]`` or ``F.embedding``;
- ``MSELoss`` is ``((pred - target) * (pred - target)).sum(0)``, a summed squared error of shape (1,):
  ``nn.MSELoss(reduction="sum")`` gives the same number as a 0-d tensor;
- ``cross_entropy`` returns the batch *mean* of the negative log-likelihood but backpropagates ``softmax - onehot``
  without the 1 / batch factor (and ignoring the incoming gradient), so its parameters move as under the *summed*
  loss: the port trains with ``F.cross_entropy(reduction="sum")`` and compares the notebook's printed mean;
  its softmax does not subtract the row maximum (it overflows for logits past ~709, the library's does not);
- chapters 8 and 9's hidden-layer deltas are not the derivative of the networks they run: chapter 8's
  ``relu2deriv = lambda x: x >= 0`` is applied to the ReLU's *output*, where it is always true (a clamped output is
  0 or -0.0), so the gradient passes through dead units; chapter 9's ``tanh2deriv(layer_1)`` is evaluated on the
  dropped-out, doubled activations (``1 - (2 tanh)^2`` where a unit is kept); and both multiply the delta by the
  dropout mask, not by the mask times the 2 the forward pass scaled by. The reference here keeps the book's delta
  rules with the chain rule's derivative and factor (``> 0`` and ``1 - tanh^2`` of the pre-dropout outputs, times
  ``mask * 2``), which autograd reproduces, and checks that the book's printed forms do move the weights elsewhere;
- chapter 10's convolution (image sections flattened and multiplied by the kernels) is ``F.conv2d`` with the
  kernels as (out, 1, k, k) filters, its output permuted to the book's position-major layout; the book's section
  loops stop one position short (``range(rows - kernel_rows)``, a valid convolution has ``rows - kernel_rows + 1``
  positions), so the conv2d output is cut to match; and the book's ``kernels -= alpha * k_update`` with its delta
  ``labels - prediction`` steps the kernels *up* the loss (its other layers use ``+=``), so the reference here
  uses ``+=``, the gradient step;
- the book's dropout mask is ``np.random.randint(2, size)`` times 2 (keep probability 1/2); ``F.dropout(p=0.5)``
  draws from the library's generator, so the masks are given to both sides explicitly;
- the book's SGD zeroes each gradient after its step; ``nn.optim.SGD`` leaves that to ``zero_grad()``;
- the numpy chapters' code runs on Tensors as written (``np.dot``, ``np.tanh``, ``np.exp``, ``np.sum`` dispatch to
  the library) except ``layer_0.dot(weights)`` with an ndarray on the left: numpy's ``ndarray.dot`` method has no
  dispatch protocol and converts the Tensor to an array (as it does torch's tensors); ``np.dot(layer_0, weights)``
  keeps the graph.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

F64 = np.float64

XOR_DATA = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=F64)
XOR_TARGET = np.array([[0], [1], [0], [1]], dtype=F64)


def book_ids(count):
    """The np.random.randint(0, 100000) draw each of the book's Tensor constructors makes for its id."""
    for _ in range(count):
        np.random.randint(0, 100000)


def book_linear(n_inputs, n_outputs):
    """Chapter 13's Linear: weight rand(in, out) then bias rand(out), each wrapped in a Tensor (an id draw each);
    returned as an nn.Linear holding the same numbers."""
    weight = np.random.rand(n_inputs, n_outputs)
    book_ids(1)
    bias = np.random.rand(n_outputs)
    book_ids(1)
    return as_linear(weight, bias)


def as_linear(weight, bias):
    linear = nn.Linear(*weight.shape, dtype=F64)
    linear.weight.data = weight.T.copy()
    linear.bias.data = bias.copy()
    return linear


def book_embedding(vocab_size, dim):
    """Chapter 13's Embedding: (rand(vocab, dim) - 0.5) / dim, word2vec's convention, then the Tensor's id draw."""
    weight = (np.random.rand(vocab_size, dim) - 0.5) / dim
    book_ids(1)
    embedding = nn.Embedding(vocab_size, dim, dtype=F64)
    embedding.weight.data = weight
    return embedding


def numerical_gradient(f, arrays, h=1e-6):
    """Central differences of the scalar f(*arrays) in each entry of each array (float64)."""
    grads = []
    for array in arrays:
        grad = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            saved = array[index]
            array[index] = saved + h
            up = f(*arrays)
            array[index] = saved - h
            down = f(*arrays)
            array[index] = saved
            grad[index] = (up - down) / (2 * h)
        grads.append(grad)
    return grads


def assert_gradients_match_differences(build, *arrays, rtol=1e-6, atol=1e-8):
    """``build(*tensors)`` is a scalar Tensor; its autograd gradients must equal central differences."""
    arrays = [np.array(a, dtype=F64) for a in arrays]
    leaves = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    build(*leaves).backward()
    numeric = numerical_gradient(lambda *xs: float(build(*(Tensor(x) for x in xs)).item()), arrays)
    for leaf, want in zip(leaves, numeric):
        np.testing.assert_allclose(leaf.grad, want, rtol=rtol, atol=atol)


# -- parts 2-6: the autograd Tensor's ops -----------------------------------------------------------------------------


def test_a_tensor_used_twice_receives_both_gradients():
    a, b, c = (Tensor(v, requires_grad=True) for v in ([1.0, 2, 3, 4, 5], [2.0, 2, 2, 2, 2], [5.0, 4, 3, 2, 1]))
    f = (a + b) + (b + c)
    f.backward(Tensor(np.ones(5)))
    np.testing.assert_array_equal(b.grad, [2, 2, 2, 2, 2])  # the notebook's check in part 4
    np.testing.assert_array_equal(a.grad, np.ones(5))


def test_negation_sends_back_the_negated_gradient():
    a, b, c = (Tensor(v, requires_grad=True) for v in ([1.0, 2, 3, 4, 5], [2.0, 2, 2, 2, 2], [5.0, 4, 3, 2, 1]))
    f = (a + (-b)) + ((-b) + c)
    f.backward(Tensor(np.ones(5)))
    np.testing.assert_array_equal(b.grad, [-2, -2, -2, -2, -2])  # part 5's check


def test_integer_tensors_cannot_require_gradients_and_say_how_to_fix_it():
    with pytest.raises(TypeError, match="floating point"):
        Tensor([1, 2, 3, 4, 5], requires_grad=True)


def test_sum_and_expand_give_the_notebooks_arrays():
    x = Tensor(np.array([[1, 2, 3], [4, 5, 6]]))
    np.testing.assert_array_equal(x.sum(0), [5, 7, 9])
    np.testing.assert_array_equal(x.sum(1), [6, 15])
    expanded = x.unsqueeze(2).expand(2, 3, 4)  # the book's x.expand(dim=2, copies=4)
    want = np.array([[[v] * 4 for v in row] for row in [[1, 2, 3], [4, 5, 6]]])
    np.testing.assert_array_equal(expanded, want)


@pytest.mark.parametrize("dim", [0, 1, 2])
def test_expand_backward_is_a_sum_over_the_new_axis(dim):
    rng = np.random.default_rng(dim)
    x = rng.standard_normal((2, 3))
    shape = list(x.shape)
    shape.insert(dim, 4)
    weights = rng.standard_normal(shape)

    def build(t):
        return (t.unsqueeze(dim).expand(*shape) * Tensor(weights)).sum()

    assert_gradients_match_differences(build, x)
    leaf = Tensor(x, requires_grad=True)
    build(leaf).backward()
    np.testing.assert_allclose(leaf.grad, weights.sum(dim), rtol=1e-14)  # the book's expand backward: sum(dim)


@pytest.mark.parametrize(
    "op",
    [
        pytest.param(lambda a, b: (a + b).sum(), id="add"),
        pytest.param(lambda a, b: (-a * b).sum(), id="neg-mul"),
        pytest.param(lambda a, b: ((a - b) * (a - b)).sum(), id="sub-mul"),
        pytest.param(lambda a, b: (a.sum(0) * b.sum(0)).sum(), id="sum0"),
        pytest.param(lambda a, b: (a.sum(1) * b.sum(1)).sum(), id="sum1"),
        pytest.param(lambda a, b: (a.T.mm(b) * a.T.mm(b)).sum(), id="transpose-mm"),
        pytest.param(lambda a, b: (a.mm(b.T).sigmoid()).sum(), id="mm-sigmoid"),
        pytest.param(lambda a, b: (a.tanh() * b.tanh()).sum(), id="tanh"),
    ],
)
def test_chapter_13_ops_gradients_match_central_differences(op):
    rng = np.random.default_rng(13)
    assert_gradients_match_differences(op, rng.standard_normal((3, 4)), rng.standard_normal((3, 4)))


def test_sigmoid_and_tanh_backward_use_the_outputs_as_the_book_does():
    # the book: sigmoid' = s (1 - s), tanh' = 1 - t^2, both from the op's output
    z = np.linspace(-6, 6, 13)
    for name in ("sigmoid", "tanh"):
        leaf = Tensor(z, requires_grad=True)
        out = getattr(leaf, name)()
        out.sum().backward()
        s = np.asarray(out.data)
        want = s * (1 - s) if name == "sigmoid" else 1 - s * s
        np.testing.assert_allclose(leaf.grad, want, rtol=1e-12, atol=1e-16)


# -- parts 7-8: training with autograd and an optimizer ---------------------------------------------------------------

# the notebook's printed losses (upstream outputs)
PART7_NUMPY_LOSSES = [
    5.066439994622395,
    0.4959907791902342,
    0.4180671892167177,
    0.35298133007809646,
    0.2972549636567377,
    0.2492326038163328,
    0.20785392075862477,
    0.17231260916265176,
    0.14193744536652986,
    0.11613979792168384,
]
PART7_AUTOGRAD_LOSSES = [
    0.58128304,
    0.48988149,
    0.41375111,
    0.34489412,
    0.28210124,
    0.2254484,
    0.17538853,
    0.1324231,
    0.09682769,
    0.06849361,
]


def test_the_hand_written_two_layer_network_of_part_7_trains_as_printed():
    # before autograd: no Tensors, so no id draws; the book's hand-written gradients, lr 0.1
    np.random.seed(0)
    w = [Tensor(np.random.rand(2, 3), requires_grad=True), Tensor(np.random.rand(3, 1), requires_grad=True)]
    optimizer = nn.optim.SGD(w, lr=0.1)
    data, target = Tensor(XOR_DATA), Tensor(XOR_TARGET)
    losses = []
    for _ in range(10):
        diff = data.mm(w[0]).mm(w[1]) - target
        loss = (diff * diff).sum(0)  # the book's update is this loss's gradient over 2
        optimizer.zero_grad()
        (loss / 2).backward()
        optimizer.step()
        losses.append(float(loss.item()))
    np.testing.assert_allclose(losses, PART7_NUMPY_LOSSES, rtol=1e-13)


@pytest.mark.parametrize("by_hand", [True, False], ids=["update-by-hand", "nn.optim.SGD"])
def test_autograd_training_of_parts_7_and_8_prints_the_notebooks_losses(by_hand):
    np.random.seed(0)
    book_ids(2)  # data, target
    w0 = np.random.rand(2, 3)
    book_ids(1)
    w1 = np.random.rand(3, 1)
    book_ids(1)
    w = [Tensor(w0, requires_grad=True), Tensor(w1, requires_grad=True)]
    optimizer = nn.optim.SGD(w, lr=0.1)
    data, target = Tensor(XOR_DATA), Tensor(XOR_TARGET)
    losses = []
    for _ in range(10):
        pred = data.mm(w[0]).mm(w[1])
        loss = ((pred - target) * (pred - target)).sum(0)
        assert loss.shape == (1,)
        loss.backward(Tensor(np.ones_like(loss.data)))
        if by_hand:  # the notebook's own loop: in place on .data, then the gradient zeroed in place
            for p in w:
                p.data -= p.grad.data * 0.1
                p.grad.data *= 0
        else:
            optimizer.step()
            optimizer.zero_grad()
        losses.append(float(loss.item()))
    np.testing.assert_allclose(losses, PART7_AUTOGRAD_LOSSES, rtol=1e-7)


# -- parts 9-12: Linear, Sequential, MSELoss, Tanh and Sigmoid layers -------------------------------------------------

PART11_LOSSES = [11.42180388, 3.54134996, 1.4001209, 0.79834014, 0.62029482, 0.55329652, 0.50788112, 0.46559517]
PART12_LOSSES = [1.28634864, 0.88076603, 0.72269895, 0.57125763, 0.38465273, 0.22459653, 0.1330437, 0.08742207]


def train(model, data, target, criterion, lr, steps):
    optimizer = nn.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        loss = criterion(model(data), target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.item()))
    return losses


def test_sequential_of_linears_with_mse_loss_prints_part_11s_losses():
    np.random.seed(0)
    book_ids(2)
    model = nn.Sequential(book_linear(2, 3), book_linear(3, 1))
    losses = train(model, Tensor(XOR_DATA), Tensor(XOR_TARGET), nn.MSELoss(reduction="sum"), 0.05, 8)
    np.testing.assert_allclose(losses, PART11_LOSSES, rtol=1e-7)


def test_tanh_and_sigmoid_layers_print_part_12s_losses():
    np.random.seed(0)
    book_ids(2)
    first = book_linear(2, 3)
    model = nn.Sequential(first, nn.Tanh(), book_linear(3, 1), nn.Sigmoid())
    losses = train(model, Tensor(XOR_DATA), Tensor(XOR_TARGET), nn.MSELoss(reduction="sum"), 1.0, 8)
    np.testing.assert_allclose(losses, PART12_LOSSES, rtol=1e-7)


def test_book_mse_loss_is_mse_loss_summed():
    rng = np.random.default_rng(11)
    pred, target = rng.standard_normal((4, 1)), rng.standard_normal((4, 1))
    book = ((Tensor(pred) - Tensor(target)) * (Tensor(pred) - Tensor(target))).sum(0)
    ours = nn.MSELoss(reduction="sum")(Tensor(pred), Tensor(target))
    assert book.shape == (1,) and ours.shape == ()
    assert float(ours.item()) == pytest.approx(float(((pred - target) ** 2).sum()), rel=1e-14)
    assert float(book.item()) == pytest.approx(float(ours.item()), rel=1e-14)


def test_linear_forward_with_the_books_expanded_bias_equals_nn_linear():
    rng = np.random.default_rng(12)
    weight, bias, x = rng.standard_normal((3, 2)), rng.standard_normal(2), rng.standard_normal((5, 3))
    linear = as_linear(weight, bias)
    w, b = Tensor(weight, requires_grad=True), Tensor(bias, requires_grad=True)
    book = Tensor(x).mm(w) + b.unsqueeze(0).expand(len(x), 2)  # input.mm(weight) + bias.expand(0, len(input))
    book.sum().backward()
    ours = linear(Tensor(x))
    ours.sum().backward()
    np.testing.assert_allclose(ours.data, book.data, rtol=1e-14)
    np.testing.assert_allclose(linear.weight.grad, np.asarray(w.grad).T, rtol=1e-14)
    np.testing.assert_allclose(linear.bias.grad, b.grad, rtol=1e-14)
    np.testing.assert_allclose(linear.bias.grad, np.full(2, len(x)), rtol=0)


# -- parts 13-15: index_select and Embedding -------------------------------------------------------------------------

PART14_GRAD = np.array([[0.0] * 5, [1.0] * 5, [2.0] * 5, [2.0] * 5, [1.0] * 5])
PART15_LOSSES = [1.18885296, 0.91206112, 0.63933563, 0.42992321, 0.29310162, 0.20784684, 0.15429359, 0.11948291]


@pytest.mark.parametrize(
    "select",
    [
        pytest.param(lambda x, idx: x[Tensor(idx)], id="index-with-a-tensor"),
        pytest.param(lambda x, idx: x[idx], id="index-with-an-array"),
        pytest.param(lambda x, idx: F.embedding(Tensor(idx), x), id="F.embedding"),
        pytest.param(lambda x, idx: x.index_select(0, Tensor(idx.ravel())).reshape(*idx.shape, -1), id="index_select"),
    ],
)
def test_selecting_rows_by_a_2d_index_accumulates_part_14s_gradient(select):
    x = Tensor(np.eye(5), requires_grad=True)
    idx = np.array([[1, 2, 3], [2, 3, 4]])
    out = select(x, idx)
    assert out.shape == (2, 3, 5)
    out.backward(Tensor(np.ones(out.shape)))
    np.testing.assert_array_equal(x.grad, PART14_GRAD)


def test_index_select_gradient_matches_central_differences():
    rng = np.random.default_rng(14)
    idx = Tensor(np.array([[0, 3], [3, 1], [0, 0]]))
    weights = Tensor(rng.standard_normal((3, 2, 4)))
    assert_gradients_match_differences(lambda w: (w[idx].tanh() * weights).sum(), rng.standard_normal((4, 4)))


def test_embedding_tanh_linear_sigmoid_with_mse_prints_part_15s_losses():
    np.random.seed(0)
    book_ids(2)  # data, target
    embedding = book_embedding(5, 3)
    model = nn.Sequential(embedding, nn.Tanh(), book_linear(3, 1), nn.Sigmoid())
    data = Tensor(np.array([1, 2, 1, 2]))
    losses = train(model, data, Tensor(XOR_TARGET), nn.MSELoss(reduction="sum"), 0.5, 8)
    np.testing.assert_allclose(losses, PART15_LOSSES, rtol=1e-7)


# -- part 16: cross-entropy -------------------------------------------------------------------------------------------

PART16_LOSSES = [
    1.4109475131065765,
    1.2760257544852658,
    1.159296218848054,
    1.0531245317976652,
    0.9520310442892415,
    0.8527510025512002,
    0.7544195130757657,
    0.6584537837570766,
    0.5677743420629393,
    0.48549237067231643,
]


def book_cross_entropy(logits, targets):
    """The book's loss (mean NLL of an unshifted softmax) and the gradient it backpropagates (softmax - onehot)."""
    temp = np.exp(logits)
    softmax = temp / temp.sum(axis=-1, keepdims=True)
    onehot = np.eye(softmax.shape[1])[targets]
    return -(np.log(softmax) * onehot).sum(1).mean(), softmax - onehot


def test_cross_entropy_value_is_the_books_and_its_gradient_is_the_books_over_the_batch():
    rng = np.random.default_rng(16)
    logits, targets = rng.standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
    book_loss, book_grad = book_cross_entropy(logits, targets)
    leaf = Tensor(logits, requires_grad=True)
    loss = F.cross_entropy(leaf, Tensor(targets))
    loss.backward()
    assert float(loss.item()) == pytest.approx(book_loss, rel=1e-14)
    np.testing.assert_allclose(leaf.grad, book_grad / len(targets), rtol=1e-12, atol=1e-16)
    summed = Tensor(logits, requires_grad=True)
    F.cross_entropy(summed, Tensor(targets), reduction="sum").backward()
    np.testing.assert_allclose(summed.grad, book_grad, rtol=1e-12, atol=1e-16)


def test_cross_entropy_gradient_matches_central_differences():
    rng = np.random.default_rng(17)
    targets = Tensor(np.array([2, 0, 1]))
    assert_gradients_match_differences(lambda z: F.cross_entropy(z, targets), rng.standard_normal((3, 3)) * 3)


def test_cross_entropy_of_large_logits_stays_finite_where_the_books_softmax_overflows():
    logits, targets = np.array([[800.0, 0.0, -5.0], [0.0, 1000.0, 2.0]]), np.array([0, 2])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        book_loss, _ = book_cross_entropy(logits, targets)
    assert np.isnan(book_loss)
    shifted = logits - logits.max(1, keepdims=True)
    want = np.mean(np.log(np.exp(shifted).sum(1)) - shifted[[0, 1], targets])
    leaf = Tensor(logits, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.cross_entropy(leaf, Tensor(targets))
        loss.backward()
    assert float(loss.item()) == pytest.approx(want, rel=1e-14)
    assert np.all(np.isfinite(leaf.grad))


def test_embedding_tanh_linear_with_cross_entropy_prints_part_16s_losses():
    np.random.seed(0)
    book_ids(2)
    model = nn.Sequential(book_embedding(3, 3), nn.Tanh(), book_linear(3, 4))
    data, target = Tensor(np.array([1, 2, 1, 2])), Tensor(np.array([0, 1, 0, 1]))
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(10):
        logits = model(data)
        optimizer.zero_grad()
        F.cross_entropy(logits, target, reduction="sum").backward()  # the book's gradient (see the docstring)
        optimizer.step()
        losses.append(float(F.cross_entropy(logits.detach(), target).item()))
    np.testing.assert_allclose(losses, PART16_LOSSES, rtol=1e-13)


# -- chapter 14: RNNCell ----------------------------------------------------------------------------------------------


def book_rnn_weights(n_inputs, n_hidden, n_output, seed):
    """Chapter 14's Linear init: randn(in, out) * sqrt(2 / in), zero biases; made non-zero here so biases count."""
    rng = np.random.default_rng(seed)
    shapes = [(n_inputs, n_hidden), (n_hidden, n_hidden), (n_hidden, n_output)]
    weights = [rng.standard_normal(s) * np.sqrt(2.0 / s[0]) for s in shapes]
    biases = [rng.standard_normal(s[1]) * 0.1 for s in shapes]
    return weights, biases


def book_rnn_numpy(weights, biases, xs, activation):
    """The book's RNNCell unrolled: h = act(x W_ih + b_ih + h W_hh + b_hh), output = h W_ho + b_ho."""
    act = np.tanh if activation == "tanh" else (lambda z: 1 / (1 + np.exp(-z)))
    h = np.zeros((xs.shape[1], weights[1].shape[0]))
    for x in xs:
        h = act(x @ weights[0] + biases[0] + h @ weights[1] + biases[1])
    return h @ weights[2] + biases[2]


class OurRNN(nn.Module):
    """The book's RNNCell as the library spells it: nn.RNNCell (tanh) or Linear + sigmoid, then a Linear output."""

    def __init__(self, weights, biases, activation):
        super().__init__()
        self.activation = activation
        n_inputs, n_hidden = weights[0].shape
        if activation == "tanh":
            self.cell = nn.RNNCell(n_inputs, n_hidden, dtype=F64)
            self.cell.weight_ih.data = weights[0].T.copy()
            self.cell.weight_hh.data = weights[1].T.copy()
            self.cell.bias_ih.data = biases[0].copy()
            self.cell.bias_hh.data = biases[1].copy()
        else:
            self.w_ih = as_linear(weights[0], biases[0])
            self.w_hh = as_linear(weights[1], biases[1])
        self.w_ho = as_linear(weights[2], biases[2])

    def forward(self, xs):
        h = Tensor(np.zeros((xs.shape[1], self.w_ho.in_features)))
        for t in range(xs.shape[0]):
            if self.activation == "tanh":
                h = self.cell(xs[t], h)
            else:
                h = (self.w_ih(xs[t]) + self.w_hh(h)).sigmoid()
        return self.w_ho(h)


def torch_rnn(torch, weights, biases, activation):
    params = [torch.tensor(a, requires_grad=True) for a in (*weights, *biases)]

    def run(xs):
        act = torch.tanh if activation == "tanh" else torch.sigmoid
        h = torch.zeros(xs.shape[1], weights[1].shape[0], dtype=torch.float64)
        for x in xs:
            h = act(x @ params[0] + params[3] + h @ params[1] + params[4])
        return h @ params[2] + params[5]

    return params, run


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_rnn_cell_unrolled_matches_the_books_equations_and_torchs_gradients(activation):
    torch = pytest.importorskip("torch")
    weights, biases = book_rnn_weights(4, 5, 3, seed=18)
    xs = np.random.default_rng(19).standard_normal((3, 2, 4))  # 3 steps, batch 2
    targets = np.array([2, 0])
    ours = OurRNN(weights, biases, activation)
    out = ours(Tensor(xs))
    np.testing.assert_allclose(out.data, book_rnn_numpy(weights, biases, xs, activation), rtol=1e-13)
    F.cross_entropy(out, Tensor(targets), reduction="sum").backward()
    params, run = torch_rnn(torch, weights, biases, activation)
    torch.nn.functional.cross_entropy(run(torch.tensor(xs)), torch.tensor(targets), reduction="sum").backward()
    if activation == "tanh":
        ours_grads = [ours.cell.weight_ih.grad.T, ours.cell.weight_hh.grad.T, ours.w_ho.weight.grad.T]
        ours_grads += [ours.cell.bias_ih.grad, ours.cell.bias_hh.grad, ours.w_ho.bias.grad]
    else:
        ours_grads = [ours.w_ih.weight.grad.T, ours.w_hh.weight.grad.T, ours.w_ho.weight.grad.T]
        ours_grads += [ours.w_ih.bias.grad, ours.w_hh.bias.grad, ours.w_ho.bias.grad]
    for got, param in zip(ours_grads, params):
        np.testing.assert_allclose(got, param.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_embedding_rnn_trained_with_sgd_follows_torch():
    torch = pytest.importorskip("torch")
    vocab, dim, hidden = 6, 4, 5
    weights, biases = book_rnn_weights(dim, hidden, vocab, seed=20)
    np.random.seed(21)
    table = (np.random.rand(vocab, dim) - 0.5) / dim
    tokens = np.array([[1, 2, 3], [4, 5, 0]]).T  # (steps, batch)
    targets = np.array([4, 1])
    embedding = nn.Embedding(vocab, dim, dtype=F64)
    embedding.weight.data = table.copy()
    rnn = OurRNN(weights, biases, "sigmoid")
    optimizer = nn.optim.SGD([*embedding.parameters(), *rnn.parameters()], lr=0.05)
    table_t = torch.tensor(table, requires_grad=True)
    params, run = torch_rnn(torch, weights, biases, "sigmoid")
    optimizer_t = torch.optim.SGD([table_t, *params], lr=0.05)
    for _ in range(4):
        optimizer.zero_grad()
        F.cross_entropy(rnn(embedding(Tensor(tokens))), Tensor(targets), reduction="sum").backward()
        optimizer.step()
        optimizer_t.zero_grad()
        logits = run(table_t[torch.tensor(tokens)])
        torch.nn.functional.cross_entropy(logits, torch.tensor(targets), reduction="sum").backward()
        optimizer_t.step()
    np.testing.assert_allclose(embedding.weight.data, table_t.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(rnn.w_ih.weight.data.T, params[0].detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(rnn.w_ho.bias.data, params[5].detach().numpy(), rtol=1e-12, atol=1e-14)
    assert np.abs(np.asarray(embedding.weight.data) - table).max() > 1e-3  # it did train


# -- chapters 8 and 9: numpy networks with dropout and softmax --------------------------------------------------------


def chapter_data(seed, n=8, features=6, classes=3):
    rng = np.random.default_rng(seed)
    images = rng.random((n, features))
    labels = rng.integers(0, classes, n)
    return images, labels, np.eye(classes)[labels]


def book_weights(features, hidden, classes):
    """The book's init after np.random.seed(1): 0.2 * random - 0.1 for both weight matrices."""
    np.random.seed(1)
    weights_0_1 = 0.2 * np.random.random((features, hidden)) - 0.1
    weights_1_2 = 0.2 * np.random.random((hidden, classes)) - 0.1
    return weights_0_1, weights_1_2


def chapter_8_step(w01, w12, layer_0, labels, mask, alpha, as_printed):
    """One mini-batch of chapter 8's dropout network by its delta rules: ``as_printed`` the book's own (relu2deriv
    ``x >= 0`` of the dropped-out output, delta times the mask), else with the chain rule's derivative and factor."""
    undropped = np.maximum(layer_0 @ w01, 0)
    layer_1 = undropped * mask * 2
    layer_2 = layer_1 @ w12
    layer_2_delta = (labels - layer_2) / len(layer_0)
    if as_printed:
        layer_1_delta = layer_2_delta @ w12.T * (layer_1 >= 0) * mask
    else:
        layer_1_delta = layer_2_delta @ w12.T * (undropped > 0) * mask * 2
    return w01 + alpha * layer_0.T @ layer_1_delta, w12 + alpha * layer_1.T @ layer_2_delta


def chapter_9_step(w01, w12, layer_0, labels, mask, alpha, as_printed):
    """Chapter 9's tanh + softmax network, likewise (the book's tanh2deriv of the dropped-out output)."""
    undropped = np.tanh(layer_0 @ w01)
    layer_1 = undropped * mask * 2
    exp = np.exp(layer_1 @ w12)
    layer_2 = exp / exp.sum(axis=1, keepdims=True)
    batch_size = len(layer_0)
    layer_2_delta = (labels - layer_2) / (batch_size * layer_2.shape[0])
    if as_printed:
        layer_1_delta = layer_2_delta @ w12.T * (1 - layer_1**2) * mask
    else:
        layer_1_delta = layer_2_delta @ w12.T * (1 - undropped**2) * mask * 2
    return w01 + alpha * layer_0.T @ layer_1_delta, w12 + alpha * layer_1.T @ layer_2_delta


def masks(seed, steps, shape):
    """The book's masks, np.random.randint(2, size=layer_1.shape), drawn ahead and given to both sides."""
    rng = np.random.RandomState(seed)
    return [rng.randint(2, size=shape).astype(F64) for _ in range(steps)]


def train_chapter(chapter, images, labels_onehot, labels, w01, w12, all_masks, alpha, batch_size):
    """The same network trained by autograd: weights as Tensors, nn.optim.SGD, the book's loss for its deltas."""
    W01, W12 = Tensor(w01.copy(), requires_grad=True), Tensor(w12.copy(), requires_grad=True)  # noqa: N806
    optimizer = nn.optim.SGD([W01, W12], lr=alpha)
    for step, mask in enumerate(all_masks):
        start = (step * batch_size) % len(images)
        layer_0 = Tensor(images[start : start + batch_size])
        if chapter == 8:
            layer_1 = F.relu(layer_0.mm(W01)) * Tensor(mask * 2)
            layer_2 = layer_1.mm(W12)
            # delta (labels - layer_2) / batch is minus the gradient of half the squared error over the batch
            loss = 0.5 * ((Tensor(labels_onehot[start : start + batch_size]) - layer_2) ** 2).sum() / batch_size
        else:
            layer_1 = layer_0.mm(W01).tanh() * Tensor(mask * 2)
            logits = layer_1.mm(W12)
            # (labels - softmax) / batch^2 is minus the gradient of the summed cross-entropy over batch^2
            target = Tensor(labels[start : start + batch_size])
            loss = F.cross_entropy(logits, target, reduction="sum") / batch_size**2
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return np.asarray(W01.data), np.asarray(W12.data)


@pytest.mark.parametrize("chapter", [8, 9])
def test_dropout_networks_of_chapters_8_and_9_follow_the_books_delta_rules(chapter):
    images, labels, onehot = chapter_data(chapter)
    batch_size, hidden, alpha, steps = 4, 5, 0.5 if chapter == 8 else 2.0, 6
    w01, w12 = book_weights(images.shape[1], hidden, onehot.shape[1])
    all_masks = masks(chapter, steps, (batch_size, hidden))
    book = (w01, w12)
    book_as_printed = (w01, w12)
    for step, mask in enumerate(all_masks):
        start = (step * batch_size) % len(images)
        batch = (images[start : start + batch_size], onehot[start : start + batch_size], mask, alpha)
        step_rule = chapter_8_step if chapter == 8 else chapter_9_step
        book = step_rule(*book, *batch, as_printed=False)
        book_as_printed = step_rule(*book_as_printed, *batch, as_printed=True)
    ours = train_chapter(chapter, images, onehot, labels, w01, w12, all_masks, alpha, batch_size)
    for got, want in zip(ours, book):
        np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-14)
    # the book's own derivative (see the module docstring) is not the network's: it moved w01 elsewhere
    assert np.abs(book_as_printed[0] - book[0]).max() > 1e-6


def test_relu_network_without_dropout_matches_the_books_chapter_6_style_deltas():
    # no dropout (mask all ones, unscaled): the corrected relu2deriv rule is the gradient of half the squared error
    images, _, onehot = chapter_data(6)
    w01, w12 = book_weights(images.shape[1], 5, onehot.shape[1])
    layer_1 = np.maximum(images @ w01, 0)
    layer_2_delta = onehot - layer_1 @ w12
    layer_1_delta = layer_2_delta @ w12.T * (layer_1 > 0)
    W01, W12 = Tensor(w01, requires_grad=True), Tensor(w12, requires_grad=True)  # noqa: N806
    (0.5 * ((Tensor(onehot) - F.relu(Tensor(images).mm(W01)).mm(W12)) ** 2).sum()).backward()
    np.testing.assert_allclose(-np.asarray(W12.grad), layer_1.T @ layer_2_delta, rtol=1e-12)
    np.testing.assert_allclose(-np.asarray(W01.grad), images.T @ layer_1_delta, rtol=1e-12, atol=1e-16)


def test_dropout_keeps_about_half_and_doubles_what_it_keeps_as_the_books_mask():
    x = Tensor(np.ones((200, 50)))
    out = np.asarray(F.dropout(x, p=0.5, training=True).data)
    assert set(np.unique(out)) <= {0.0, 2.0}
    assert abs((out == 2.0).mean() - 0.5) < 0.02  # 10000 draws: 4 standard deviations is 0.02


def test_softmax_is_the_books_normalised_exponential():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((4, 5)) * 3
    temp = np.exp(x)
    np.testing.assert_allclose(F.softmax(Tensor(x), dim=1).data, temp / temp.sum(axis=1, keepdims=True), rtol=1e-14)


def test_softmax_gradient_matches_central_differences():
    rng = np.random.default_rng(10)
    weights = Tensor(rng.standard_normal((3, 4)))
    assert_gradients_match_differences(lambda z: (F.softmax(z, dim=1) * weights).sum(), rng.standard_normal((3, 4)))


def test_softmax_of_large_inputs_is_finite_without_warnings():
    x = np.array([[1000.0, 0.0, -1000.0], [800.0, 800.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = np.asarray(F.softmax(Tensor(x), dim=1).data)
    np.testing.assert_allclose(got, [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]], rtol=1e-15, atol=0)


def test_chapter_9_written_with_numpy_functions_on_tensors_gets_the_gradient():
    # the book's forward pass as typed (np.dot, np.tanh, np.exp, np.sum), its weights made Tensors
    images, labels, onehot = chapter_data(19)
    w01, w12 = book_weights(images.shape[1], 5, onehot.shape[1])
    mask = masks(19, 1, (len(images), 5))[0]
    W01, W12 = Tensor(w01, requires_grad=True), Tensor(w12, requires_grad=True)  # noqa: N806
    layer_1 = np.tanh(np.dot(images, W01))
    layer_1 = layer_1 * mask * 2
    exp = np.exp(np.dot(layer_1, W12))
    layer_2 = exp / np.sum(exp, axis=1, keepdims=True)
    assert isinstance(layer_2, Tensor)
    (-(np.log(layer_2) * onehot).sum() / len(images) ** 2).backward()
    book_w01, book_w12 = chapter_9_step(w01, w12, images, onehot, mask, 1.0, as_printed=False)
    np.testing.assert_allclose(-np.asarray(W01.grad), book_w01 - w01, rtol=1e-11, atol=1e-16)
    np.testing.assert_allclose(-np.asarray(W12.grad), book_w12 - w12, rtol=1e-11, atol=1e-16)


# -- chapter 14: LSTMCell ---------------------------------------------------------------------------------------------


def book_lstm_weights(n_inputs, n_hidden, seed):
    """The book's LSTMCell: per gate (f, i, o, c) an input Linear with bias and a bias-free hidden Linear, stored
    (in, out) with randn * sqrt(2 / in) weights; the biases made non-zero here so that they count."""
    rng = np.random.default_rng(seed)
    gates = {}
    for gate in "fioc":
        gates[gate] = (
            rng.standard_normal((n_inputs, n_hidden)) * np.sqrt(2.0 / n_inputs),
            rng.standard_normal(n_hidden) * 0.1,
            rng.standard_normal((n_hidden, n_hidden)) * np.sqrt(2.0 / n_hidden),
        )
    return gates


def book_lstm_numpy(gates, xs, h, c):
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    for x in xs:
        pre = {g: x @ wx + b + h @ wh for g, (wx, b, wh) in gates.items()}
        f, i, o, g = sig(pre["f"]), sig(pre["i"]), sig(pre["o"]), np.tanh(pre["c"])
        c = f * c + i * g
        h = o * np.tanh(c)
    return h, c


def book_init_hidden(batch_size, n_hidden):
    """The book's init_hidden: zeros with a 1 in the first unit of both h and c."""
    h, c = np.zeros((batch_size, n_hidden)), np.zeros((batch_size, n_hidden))
    h[:, 0] += 1
    c[:, 0] += 1
    return h, c


def stacked_lstm_parameters(gates):
    """The book's gates in torch's LSTMCell layout: rows stacked in the order i, f, g (the book's c), o."""
    order = ["i", "f", "c", "o"]
    weight_ih = np.concatenate([gates[g][0].T for g in order])
    weight_hh = np.concatenate([gates[g][2].T for g in order])
    bias_ih = np.concatenate([gates[g][1] for g in order])
    return weight_ih, weight_hh, bias_ih, np.zeros_like(bias_ih)


def test_lstm_cell_is_the_books_gates_and_its_gradients_are_torchs():
    torch = pytest.importorskip("torch")
    n_inputs, n_hidden, batch = 3, 4, 2
    gates = book_lstm_weights(n_inputs, n_hidden, seed=22)
    xs = np.random.default_rng(23).standard_normal((3, batch, n_inputs))
    h0, c0 = book_init_hidden(batch, n_hidden)
    stacked = stacked_lstm_parameters(gates)
    cell = nn.LSTMCell(n_inputs, n_hidden, dtype=F64)
    for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), stacked):
        getattr(cell, name).data = value.copy()
    cell_t = torch.nn.LSTMCell(n_inputs, n_hidden, dtype=torch.float64)
    with torch.no_grad():
        for name, value in zip(("weight_ih", "weight_hh", "bias_ih", "bias_hh"), stacked):
            getattr(cell_t, name).copy_(torch.tensor(value))
    h, c = Tensor(h0), Tensor(c0)
    h_t, c_t = torch.tensor(h0), torch.tensor(c0)
    for x in xs:
        h, c = cell(Tensor(x), (h, c))
        h_t, c_t = cell_t(torch.tensor(x), (h_t, c_t))
    want_h, want_c = book_lstm_numpy(gates, xs, h0, c0)
    np.testing.assert_allclose(h.data, want_h, rtol=1e-13)
    np.testing.assert_allclose(c.data, want_c, rtol=1e-13)
    weights = np.random.default_rng(24).standard_normal((batch, n_hidden))
    ((h * Tensor(weights)).sum() + c.tanh().sum()).backward()
    ((h_t * torch.tensor(weights)).sum() + c_t.tanh().sum()).backward()
    for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
        want = getattr(cell_t, name).grad.numpy()
        np.testing.assert_allclose(getattr(cell, name).grad, want, rtol=1e-12, atol=1e-14)


# -- chapter 14's exploding and vanishing gradients notebook --------------------------------------------------------

# the notebook's printed gradients of sum(last activation) with respect to each earlier activation, last first
VANISHING_SIGMOID_GRADIENTS = [
    [0.03439552, 0.03439552],
    [0.00118305, 0.00118305],
    [4.06916726e-05, 4.06916726e-05],
    [1.39961115e-06, 1.39961115e-06],
    [4.81403643e-08, 4.81403637e-08],
    [1.65582672e-09, 1.65582765e-09],
    [5.69682675e-11, 5.69667160e-11],
    [1.97259346e-12, 1.97517920e-12],
    [8.45387597e-14, 8.02306381e-14],
    [1.45938177e-14, 2.16938983e-14],
]
RECURRENT_WEIGHTS = np.array([[1.0, 4.0], [4.0, 1.0]])


def unrolled_activations(start, activation, steps=10):
    """``activation = act(activation.dot(weights))`` ten times, every activation kept with its gradient."""
    nodes = [Tensor(start, requires_grad=True)]
    for _ in range(steps):
        node = activation(nodes[-1] @ Tensor(RECURRENT_WEIGHTS))
        node.retain_grad()
        nodes.append(node)
    nodes[-1].backward(Tensor(np.ones(2)))
    return nodes


def test_sigmoid_gradients_vanish_through_the_recurrence_as_the_notebook_prints():
    nodes = unrolled_activations(1 / (1 + np.exp(-np.array([1.0, 0.01]))), Tensor.sigmoid)
    np.testing.assert_allclose(nodes[1].data, [0.93940638, 0.96852968], rtol=1e-8)
    np.testing.assert_allclose(nodes[-1].data, [0.99307291, 0.99307291], rtol=1e-8)
    got = [np.asarray(node.grad) for node in reversed(nodes[:-1])]
    # numpy printed the first two rows with 8 decimals, the others with 9 significant digits; the smallest show
    # the float rounding of the notebook's own arithmetic, which the library's backward pass repeats
    np.testing.assert_allclose(got[:2], VANISHING_SIGMOID_GRADIENTS[:2], rtol=0, atol=5e-9)
    np.testing.assert_allclose(got[2:], VANISHING_SIGMOID_GRADIENTS[2:], rtol=5e-9, atol=0)


def test_relu_gradients_explode_by_five_per_step_as_the_notebook_prints():
    start = np.array([0.99307291, 0.99307291])
    nodes = unrolled_activations(start, F.relu)
    np.testing.assert_allclose(nodes[1].data, start @ RECURRENT_WEIGHTS, rtol=1e-15)
    got = [np.asarray(node.grad) for node in reversed(nodes[:-1])]
    np.testing.assert_array_equal(got, [[5.0**k, 5.0**k] for k in range(1, 11)])


# -- chapter 10: the convolutional layer built from image sections ---------------------------------------------------


def book_image_sections(images, kernel_rows, kernel_cols):
    """Chapter 10's im2col: every kernel_rows x kernel_cols section of each image, taken for row_start in
    range(rows - kernel_rows) and col_start in range(cols - kernel_cols) (one position short of a valid
    convolution's rows - kernel_rows + 1), flattened to (batch * sections, kernel_rows * kernel_cols)."""
    sects = []
    for row_start in range(images.shape[1] - kernel_rows):
        for col_start in range(images.shape[2] - kernel_cols):
            section = images[:, row_start : row_start + kernel_rows, col_start : col_start + kernel_cols]
            sects.append(section.reshape(-1, 1, kernel_rows, kernel_cols))
    expanded = np.concatenate(sects, axis=1)
    return expanded.reshape(expanded.shape[0] * expanded.shape[1], -1), expanded.shape


def test_chapter_10_convolution_from_sections_is_conv2d_and_trains_as_its_deltas():
    rng = np.random.default_rng(10)
    batch, size, kernel, n_kernels, classes, alpha = 3, 6, 3, 4, 5, 2.0
    images = rng.random((batch, size, size))
    labels = np.eye(classes)[rng.integers(0, classes, batch)]
    kernels = 0.02 * rng.random((kernel * kernel, n_kernels)) - 0.01
    positions = (size - kernel) ** 2
    weights_1_2 = 0.2 * rng.random((positions * n_kernels, classes)) - 0.1
    mask = rng.integers(0, 2, (batch, positions * n_kernels)).astype(F64)

    # the book's forward pass and delta rules (the tanh derivative of the pre-dropout output, delta times mask * 2)
    flat, es = book_image_sections(images, kernel, kernel)
    kernel_output = flat @ kernels
    undropped = np.tanh(kernel_output.reshape(es[0], -1))
    layer_1 = undropped * mask * 2
    exp = np.exp(layer_1 @ weights_1_2)
    layer_2 = exp / exp.sum(axis=1, keepdims=True)
    layer_2_delta = (labels - layer_2) / (batch * layer_2.shape[0])
    layer_1_delta = layer_2_delta @ weights_1_2.T * (1 - undropped**2) * mask * 2
    book_w12 = weights_1_2 + alpha * layer_1.T @ layer_2_delta
    book_kernels = kernels + alpha * flat.T @ layer_1_delta.reshape(kernel_output.shape)

    # the library: conv2d with the kernels as (out, 1, k, k) filters, cut to the book's positions, laid out as its
    # reshape does (position-major, kernel-minor)
    weight = Tensor(kernels.T.reshape(n_kernels, 1, kernel, kernel).copy(), requires_grad=True)
    w12 = Tensor(weights_1_2.copy(), requires_grad=True)
    conv = F.conv2d(Tensor(images[:, None]), weight)[:, :, : size - kernel, : size - kernel]
    pre = conv.permute(0, 2, 3, 1).reshape(batch, -1)
    np.testing.assert_allclose(pre.data, kernel_output.reshape(batch, -1), rtol=1e-13, atol=1e-16)
    logits = (pre.tanh() * Tensor(mask * 2)).mm(w12)
    loss = F.cross_entropy(logits, Tensor(labels.argmax(1)), reduction="sum") / batch**2
    optimizer = nn.optim.SGD([weight, w12], lr=alpha)
    loss.backward()
    optimizer.step()
    np.testing.assert_allclose(w12.data, book_w12, rtol=1e-12, atol=1e-16)
    ours_kernels = np.asarray(weight.data).reshape(n_kernels, -1).T
    np.testing.assert_allclose(ours_kernels, book_kernels, rtol=1e-12, atol=1e-16)
