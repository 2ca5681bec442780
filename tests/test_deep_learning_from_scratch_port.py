"""The scripts of "Deep Learning from Scratch" (Saito, book 1: ch04-ch08 and ``common/``) rewritten with the library.

Each test builds the script's computation with ``autograd``/``nn`` and compares it with an independent reference
written here in plain numpy after the book's own formulas (its layers' forward/backward, its im2col/col2im, its
optimizers' update rules, its numerical gradient), and with torch where torch has the same op.

Where the book's conventions differ from torch's (which the library follows), the test uses the spelling that
matches:

- weights: the book stores an Affine weight as (in, out) and computes ``x @ W + b``; ``nn.Linear.weight`` is
  (out, in), so the book's W is ``linear.weight.T``;
- Momentum: the book's v = m v - lr g, p += v is torch's b = m b + g, p -= lr b with v = -lr b (same trajectory);
- AdaGrad and RMSprop: the book's lr g / (sqrt(h) + 1e-7) is torch's with ``eps=1e-7`` (eps outside the root);
- Adam: the book folds the bias corrections into lr_t = lr sqrt(1 - b2^t) / (1 - b1^t) and adds its 1e-7 to the
  uncorrected sqrt(v), so it equals torch's Adam with a step-dependent eps = 1e-7 sqrt(1 - b2^t): compared exactly
  with eps=0 on both sides, and to 2e-5 with eps=1e-7 on both;
- the book's Nesterov (v = m v - lr g; p += m^2 v - (1 + m) lr g) is a different parameterisation from torch's
  ``nesterov=True`` (it tracks another point of the same method), so it is not compared step by step;
- BatchNormalization: the book's momentum 0.9 is torch's ``momentum=0.1``; its eps 10e-7 is ``eps=1e-6``; its running
  variance is the biased batch variance and starts at 0, torch's the unbiased one and starts at 1;
- Dropout: the book keeps x * mask in training and scales by (1 - p) in evaluation; torch (and the library) scale the
  kept units by 1 / (1 - p) in training and are the identity in evaluation: the two outputs differ by the factor
  1 - p in both modes;
- weight decay: the book adds 0.5 lambda sum(W^2) to the loss (weights, not biases): SGD's ``weight_decay=lambda`` on
  the weights' parameter group gives the same step;
- Xavier: the book's std 1 / sqrt(n_in) is ``nn.init.xavier_normal_`` when fan_in == fan_out (its 100 -> 100 layers),
  else ``lecun_normal_``; He: sqrt(2 / n_in) is ``kaiming_normal_(nonlinearity="relu")``;
- the book's cross_entropy_error adds delta = 1e-7 inside the log (a relative change of about 1e-7 / y): the exact
  loss (delta = 0) is compared tightly, the book's as printed to 1e-5.
"""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor, Value

F64 = np.float64


def _leaf(array):
    return Tensor(np.array(array, dtype=F64), requires_grad=True)


def _close(ours, expected, atol=1e-10, rtol=1e-10):
    ours = ours.data if isinstance(ours, Tensor) else ours
    np.testing.assert_allclose(np.asarray(ours, dtype=F64), np.asarray(expected, dtype=F64), rtol=rtol, atol=atol)


# -- the book's numpy, written out after its formulas -----------------------------------------------------------


def book_numerical_gradient(f, x, h=1e-4):
    """common/gradient.py: central differences, one element at a time."""
    x = np.array(x, dtype=F64)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        keep = x[idx]
        x[idx] = keep + h
        high = f(x)
        x[idx] = keep - h
        low = f(x)
        grad[idx] = (high - low) / (2 * h)
        x[idx] = keep
    return grad


def book_softmax(x):
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def book_cross_entropy_error(y, t, delta=1e-7):
    """common/functions.py; ``delta`` is the book's guard against log(0), 0 for the exact loss."""
    if y.ndim == 1:
        t, y = t.reshape(1, t.size), y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    return -np.sum(np.log(y[np.arange(y.shape[0]), t] + delta)) / y.shape[0]


def book_sigmoid(x):
    return 1 / (1 + np.exp(-x))


def book_softmax_with_loss_backward(y, t):
    """SoftmaxWithLoss.backward: (y - t) / batch for one-hot t, else y with 1 subtracted at the label."""
    batch = t.shape[0]
    if t.size == y.size:
        return (y - t) / batch
    dx = y.copy()
    dx[np.arange(batch), t] -= 1
    return dx / batch


def book_im2col(x, fh, fw, stride=1, pad=0):
    n, c, h, w = x.shape
    out_h, out_w = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    img = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((n, c, fh, fw, out_h, out_w))
    for y in range(fh):
        for xx in range(fw):
            col[:, :, y, xx] = img[:, :, y : y + stride * out_h : stride, xx : xx + stride * out_w : stride]
    return col.transpose(0, 4, 5, 1, 2, 3).reshape(n * out_h * out_w, -1)


def book_col2im(col, shape, fh, fw, stride=1, pad=0):
    n, c, h, w = shape
    out_h, out_w = (h + 2 * pad - fh) // stride + 1, (w + 2 * pad - fw) // stride + 1
    col = col.reshape(n, out_h, out_w, c, fh, fw).transpose(0, 3, 4, 5, 1, 2)
    img = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for y in range(fh):
        for xx in range(fw):
            img[:, :, y : y + stride * out_h : stride, xx : xx + stride * out_w : stride] += col[:, :, y, xx]
    return img[:, :, pad : h + pad, pad : w + pad]


class BookConvolution:
    """common/layers.py's Convolution: im2col, one matrix product, col2im in backward."""

    def __init__(self, weight, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = weight, b, stride, pad

    def forward(self, x):
        fn, _, fh, fw = self.W.shape
        n, _, h, w = x.shape
        out_h, out_w = 1 + (h + 2 * self.pad - fh) // self.stride, 1 + (w + 2 * self.pad - fw) // self.stride
        self.x, self.col = x, book_im2col(x, fh, fw, self.stride, self.pad)
        self.col_W = self.W.reshape(fn, -1).T
        out = self.col @ self.col_W + self.b
        return out.reshape(n, out_h, out_w, -1).transpose(0, 3, 1, 2)

    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = dout.sum(axis=0)
        self.dW = (self.col.T @ dout).transpose(1, 0).reshape(fn, c, fh, fw)
        return book_col2im(dout @ self.col_W.T, self.x.shape, fh, fw, self.stride, self.pad)


class BookPooling:
    """common/layers.py's Pooling (max): argmax of each im2col row; backward scatters into the argmax."""

    def __init__(self, ph, pw, stride=1, pad=0):
        self.ph, self.pw, self.stride, self.pad = ph, pw, stride, pad

    def forward(self, x):
        n, c, h, w = x.shape
        out_h, out_w = 1 + (h - self.ph) // self.stride, 1 + (w - self.pw) // self.stride
        col = book_im2col(x, self.ph, self.pw, self.stride, self.pad).reshape(-1, self.ph * self.pw)
        self.x, self.arg_max = x, np.argmax(col, axis=1)
        return np.max(col, axis=1).reshape(n, out_h, out_w, c).transpose(0, 3, 1, 2)

    def backward(self, dout):
        dout = dout.transpose(0, 2, 3, 1)
        size = self.ph * self.pw
        dmax = np.zeros((dout.size, size))
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dcol = dmax.reshape(-1, size).reshape(dout.shape[0] * dout.shape[1] * dout.shape[2], -1)
        return book_col2im(dcol, self.x.shape, self.ph, self.pw, self.stride, self.pad)


# -- ch04: numerical differentiation and gradient descent ---------------------------------------------------------


def test_gradient_1d_function_derivative_matches_the_books_numerical_diff_and_tangent():
    def f(x):
        return 0.01 * x**2 + 0.1 * x

    for point, slope in ((5.0, 0.2), (10.0, 0.3)):
        x = Value(point)
        y = f(x)
        y.backward()
        _close(y.data, 0.01 * point**2 + 0.1 * point)
        _close(x.grad, slope, atol=1e-12)
        h = 1e-4  # numerical_diff: (f(x + h) - f(x - h)) / 2h
        _close(x.grad, (f(point + h) - f(point - h)) / (2 * h), atol=1e-9)
        # the tangent line of the script: y = slope * t + (f(x) - slope * x)
        _close(x.grad * 7.0 + (y.data - x.grad * point), 0.01 * point**2 + 0.1 * point + slope * (7.0 - point))


def test_gradient_2d_function_2_gradients_match_the_book():
    def function_2(x):
        return (x**2).sum()

    for point, expected in (([3.0, 4.0], [6.0, 8.0]), ([0.0, 2.0], [0.0, 4.0]), ([3.0, 0.0], [6.0, 0.0])):
        x = _leaf(point)
        function_2(x).backward()
        _close(x.grad, expected)
        _close(x.grad, book_numerical_gradient(lambda v: np.sum(v**2), point), atol=1e-6)
    # the quiver plot's grid: the gradient of every point of a grid at once, per row, is 2 * point
    grid = _leaf(np.stack(np.meshgrid(np.arange(-2, 2.5, 0.25), np.arange(-2, 2.5, 0.25)), axis=-1).reshape(-1, 2))
    (grid**2).sum().backward()
    _close(grid.grad, 2 * grid.data)


def test_gradient_method_descent_from_minus_3_4_matches_the_books_loop():
    init = np.array([-3.0, 4.0])
    x_book, history = init.copy(), []
    for _ in range(100):  # gradient_descent(function_2, init_x, lr=0.1, step_num=100)
        history.append(x_book.copy())
        x_book -= 0.1 * (2 * x_book)
    x = _leaf(init)
    optimizer = nn.optim.SGD([x], lr=0.1)
    for step in range(100):
        _close(x.data, history[step], atol=0, rtol=0)
        optimizer.zero_grad()
        (x**2).sum().backward()
        optimizer.step()
    _close(x.data, x_book, atol=0, rtol=0)
    _close(x.data, init * 0.8**100)  # x_k = (1 - 2 lr)^k x_0, hand-derived
    # too large and too small learning rates, as the book shows: lr=10 diverges, lr=1e-10 barely moves
    for lr, check in ((10.0, lambda v: np.abs(v).max() > 1e12), (1e-10, lambda v: np.allclose(v, init, atol=1e-7))):
        x = _leaf(init)
        optimizer = nn.optim.SGD([x], lr=lr)
        for _ in range(100):
            optimizer.zero_grad()
            (x**2).sum().backward()
            optimizer.step()
        assert check(x.data)


def test_gradient_simplenet_loss_and_gradient_match_the_books_numbers_and_torch():
    torch = pytest.importorskip("torch")
    # the book's printed W (np.random.randn(2, 3) in its run) and x, t of the script
    W0 = np.array([[0.47355232, 0.9977393, 0.84668094], [0.85557411, 0.03563661, 0.69422093]])
    x, t = np.array([0.6, 0.9]), np.array([0.0, 0.0, 1.0])
    W = _leaf(W0)
    z = Tensor(x) @ W
    _close(z.data, [1.05414809, 0.63071653, 1.1328074], atol=1e-8)  # the book prints these
    loss = F.cross_entropy(z.unsqueeze(0), Tensor(t).unsqueeze(0))  # probability (one-hot) targets
    loss.backward()
    _close(loss.item(), 0.92806853663411326, atol=1e-8)  # the book's printed net.loss(x, t)
    book_loss = book_cross_entropy_error(book_softmax(x @ W0), t)
    _close(loss.item(), book_loss, atol=1e-6)
    _close(loss.item(), book_cross_entropy_error(book_softmax(x @ W0), t, delta=0), atol=1e-14)
    numeric = book_numerical_gradient(lambda w: book_cross_entropy_error(book_softmax(x @ w), t, delta=0), W0)
    _close(W.grad, numeric, atol=1e-8)
    _close(W.grad, np.outer(x, book_softmax(x @ W0) - t), atol=1e-12)  # dL/dW = x^T (y - t)
    Wt = torch.tensor(W0, requires_grad=True)
    torch.nn.functional.cross_entropy((torch.tensor(x) @ Wt)[None], torch.tensor(t)[None]).backward()
    _close(W.grad, Wt.grad.numpy(), atol=1e-12)
    # a class index target gives the same loss and gradient
    W2 = _leaf(W0)
    F.cross_entropy((Tensor(x) @ W2).unsqueeze(0), Tensor(np.array([2]))).backward()
    _close(W2.grad, W.grad, atol=1e-14)


# -- ch04/ch05: the two-layer net ---------------------------------------------------------------------------------


def _two_layer_params(rng, input_size=12, hidden=7, output=4, std=0.5):
    """TwoLayerNet.__init__: W = weight_init_std * randn, b = 0 (a larger std so the gradients are not tiny)."""
    return {
        "W1": std * rng.standard_normal((input_size, hidden)),
        "b1": 0.1 * rng.standard_normal(hidden),
        "W2": std * rng.standard_normal((hidden, output)),
        "b2": 0.1 * rng.standard_normal(output),
    }


def test_ch04_two_layer_net_sigmoid_softmax_gradient_matches_the_books_numerical_and_analytic_gradients():
    rng = np.random.default_rng(4)
    params = _two_layer_params(rng)
    x, labels = rng.standard_normal((5, 12)), rng.integers(0, 4, 5)
    t = np.eye(4)[labels]

    def book_loss(p):
        scores = book_sigmoid(x @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
        return book_cross_entropy_error(book_softmax(scores), t, delta=0)

    leaves = {key: _leaf(value) for key, value in params.items()}
    y = ((Tensor(x) @ leaves["W1"] + leaves["b1"]).sigmoid() @ leaves["W2"] + leaves["b2"]).softmax(axis=1)
    _close(y.data.sum(axis=1), np.ones(5))
    loss = F.cross_entropy(
        (Tensor(x) @ leaves["W1"] + leaves["b1"]).sigmoid() @ leaves["W2"] + leaves["b2"], Tensor(labels)
    )
    loss.backward()
    _close(loss.item(), book_loss(params), atol=1e-13)
    # TwoLayerNet.gradient (ch04's analytic version): dy = (y - t) / batch, back through sigmoid_grad
    a1 = x @ params["W1"] + params["b1"]
    z1 = book_sigmoid(a1)
    dy = (book_softmax(z1 @ params["W2"] + params["b2"]) - t) / 5
    da1 = dy @ params["W2"].T * book_sigmoid(a1) * (1 - book_sigmoid(a1))
    analytic = {"W2": z1.T @ dy, "b2": dy.sum(axis=0), "W1": x.T @ da1, "b1": da1.sum(axis=0)}
    for key in params:
        _close(leaves[key].grad, analytic[key], atol=1e-12)

        def loss_of(value, key=key):
            return book_loss({**params, key: value})

        _close(leaves[key].grad, book_numerical_gradient(loss_of, params[key]), atol=1e-8)


def test_ch05_two_layer_net_affine_relu_softmax_with_loss_gradient_and_training_match_the_book_and_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    params = _two_layer_params(rng, input_size=784 // 16, hidden=10, output=10, std=0.3)
    x, labels = rng.standard_normal((8, 49)), rng.integers(0, 10, 8)

    def book_gradient(p):
        """ch05 TwoLayerNet.gradient: Affine1 -> Relu1 -> Affine2 -> SoftmaxWithLoss, then backward in reverse."""
        a1 = x @ p["W1"] + p["b1"]
        mask = a1 <= 0
        h = np.where(mask, 0, a1)
        y = book_softmax(h @ p["W2"] + p["b2"])
        dout = book_softmax_with_loss_backward(y, labels)
        grads = {"W2": h.T @ dout, "b2": dout.sum(axis=0)}
        dh = dout @ p["W2"].T
        dh[mask] = 0
        grads.update(W1=x.T @ dh, b1=dh.sum(axis=0))
        return grads, book_cross_entropy_error(y, labels, delta=0)

    fc1, fc2 = nn.Linear(49, 10, dtype=F64), nn.Linear(10, 10, dtype=F64)
    with autograd.no_grad():
        fc1.weight.data[...] = params["W1"].T  # the book's (in, out) weight is Linear's weight.T
        fc1.bias.data[...] = params["b1"]
        fc2.weight.data[...] = params["W2"].T
        fc2.bias.data[...] = params["b2"]
    model = nn.Sequential(fc1, nn.ReLU(), fc2)
    loss = F.cross_entropy(model(Tensor(x)), Tensor(labels))
    loss.backward()
    grads, book_loss = book_gradient(params)
    _close(loss.item(), book_loss, atol=1e-13)
    _close(fc1.weight.grad.T, grads["W1"], atol=1e-12)
    _close(fc1.bias.grad, grads["b1"], atol=1e-12)
    _close(fc2.weight.grad.T, grads["W2"], atol=1e-12)
    _close(fc2.bias.grad, grads["b2"], atol=1e-12)
    tm = torch.nn.Sequential(torch.nn.Linear(49, 10), torch.nn.ReLU(), torch.nn.Linear(10, 10)).double()
    with torch.no_grad():
        tm[0].weight.copy_(torch.tensor(params["W1"].T))
        tm[0].bias.copy_(torch.tensor(params["b1"]))
        tm[2].weight.copy_(torch.tensor(params["W2"].T))
        tm[2].bias.copy_(torch.tensor(params["b2"]))
    torch.nn.functional.cross_entropy(tm(torch.tensor(x)), torch.tensor(labels)).backward()
    _close(fc1.weight.grad, tm[0].weight.grad.numpy(), atol=1e-13)
    _close(fc2.bias.grad, tm[2].bias.grad.numpy(), atol=1e-13)
    # train_neuralnet: 20 SGD steps of lr 0.1 on the same batch, the book's update p -= lr * grad
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1)
    book = {key: value.copy() for key, value in params.items()}
    losses = []
    for _ in range(20):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(Tensor(x)), Tensor(labels))
        loss.backward()
        optimizer.step()
        grads, book_loss = book_gradient(book)
        for key in book:
            book[key] -= 0.1 * grads[key]
        _close(loss.item(), book_loss, atol=1e-12)
        losses.append(loss.item())
    assert losses[-1] < losses[0]
    _close(fc1.weight.data.T, book["W1"], atol=1e-12)
    _close(fc2.bias.data, book["b2"], atol=1e-12)
    # accuracy: argmax of the scores against the labels
    accuracy = float((model(Tensor(x)).argmax(axis=1).data == labels).mean())
    book_scores = np.maximum(0, x @ book["W1"] + book["b1"]) @ book["W2"] + book["b2"]
    assert accuracy == float((book_scores.argmax(axis=1) == labels).mean())


# -- ch05: the layers by hand -------------------------------------------------------------------------------------


class MulLayer(autograd.Function):
    """layer_naive.MulLayer as a custom gate: backward swaps the inputs."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        return x * y

    @staticmethod
    def backward(ctx, dout):
        x, y = ctx.saved_tensors
        return dout * y, dout * x


class AddLayer(autograd.Function):
    """layer_naive.AddLayer: backward passes dout to both inputs."""

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, dout):
        return dout * 1, dout * 1


def test_buy_apple_with_mul_layers_gives_the_books_220_and_gradients():
    apple, apple_num, tax = Value(100.0), Value(2.0), Value(1.1)
    price = MulLayer.apply(MulLayer.apply(apple, apple_num), tax)
    price.backward()
    _close(price.data, 220.0, atol=1e-9)
    _close([apple.grad, apple_num.grad, tax.grad], [2.2, 110.0, 200.0], atol=1e-9)
    # the same with the library's own product
    a, n, t = Value(100.0), Value(2.0), Value(1.1)
    (a * n * t).backward()
    _close([a.grad, n.grad, t.grad], [apple.grad, apple_num.grad, tax.grad], atol=0)


def test_buy_apple_orange_with_mul_and_add_layers_gives_the_books_715_and_gradients():
    apple, apple_num, orange, orange_num, tax = (Value(v) for v in (100.0, 2.0, 150.0, 3.0, 1.1))
    total = AddLayer.apply(MulLayer.apply(apple, apple_num), MulLayer.apply(orange, orange_num))
    price = MulLayer.apply(total, tax)
    price.backward()
    _close(price.data, 715.0, atol=1e-9)
    _close(
        [apple_num.grad, apple.grad, orange.grad, orange_num.grad, tax.grad],
        [110.0, 2.2, 3.3, 165.0, 650.0],
        atol=1e-9,
    )
    # tensors of prices through the same gates
    prices, counts = _leaf([100.0, 150.0]), _leaf([2.0, 3.0])
    MulLayer.apply(MulLayer.apply(prices, counts).sum(), Tensor(1.1)).backward()
    _close(prices.grad, [2.2, 3.3])
    _close(counts.grad, [110.0, 165.0])


class Relu(autograd.Function):
    """common/layers.py Relu: mask = (x <= 0); backward zeroes dout at the mask."""

    @staticmethod
    def forward(ctx, x):
        ctx.mask = x.data <= 0
        return Tensor(np.where(ctx.mask, 0.0, x.data))

    @staticmethod
    def backward(ctx, dout):
        return Tensor(np.where(ctx.mask, 0.0, dout.data))


class Sigmoid(autograd.Function):
    """common/layers.py Sigmoid: backward dout * (1 - out) * out."""

    @staticmethod
    def forward(ctx, x):
        out = Tensor(book_sigmoid(x.data))
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, dout):
        (out,) = ctx.saved_tensors
        return dout * (1.0 - out) * out


class Affine(autograd.Function):
    """common/layers.py Affine: x reshaped to (N, -1); dx = dout W^T, dW = x^T dout, db = sum(dout, 0)."""

    @staticmethod
    def forward(ctx, x, weight, b):
        ctx.shape = x.shape
        flat = x.data.reshape(x.shape[0], -1)
        ctx.save_for_backward(Tensor(flat), weight)
        return Tensor(flat @ weight.data + b.data)

    @staticmethod
    def backward(ctx, dout):
        flat, W = ctx.saved_tensors
        return (dout @ W.T).reshape(ctx.shape), flat.T @ dout, dout.sum(axis=0)


class SoftmaxWithLoss(autograd.Function):
    """common/layers.py SoftmaxWithLoss: the loss of softmax(x) against t; backward dout * (y - t) / batch."""

    @staticmethod
    def forward(ctx, x, t):
        y = book_softmax(x.data)
        ctx.y, ctx.t = y, t
        return Tensor(book_cross_entropy_error(y, t))

    @staticmethod
    def backward(ctx, dout):
        return dout * Tensor(book_softmax_with_loss_backward(ctx.y, ctx.t)), None


class InPlaceRelu(autograd.Function):
    """The book's Relu verbatim: forward and backward on arrays, backward zeroing ``dout`` in place
    (``dout[self.mask] = 0; return dout``)."""

    @staticmethod
    def forward(ctx, x):
        ctx.mask = x.data <= 0
        out = np.array(x.data)
        out[ctx.mask] = 0
        return out

    @staticmethod
    def backward(ctx, dout):
        dout[ctx.mask] = 0
        return dout


def test_the_books_relu_zeroing_dout_in_place_leaves_the_other_gradients_alone():
    """The gradient a backward receives may be the array another branch receives too (an addition passes one
    gradient to both inputs, a seed of ones reaches every consumer): changing it in place must not reach them.
    Hand-derived: d/da [relu(a + b) + 3 (a + b)] = relu'(a + b) + 3, and d/dx [relu(x) + x] = relu'(x) + 1."""
    values = np.array([-1.0, 2.0, -3.0, 4.0])
    a, b = _leaf(values), _leaf(values)
    h = a + b
    (InPlaceRelu.apply(h).sum() + (h * 3).sum()).backward()
    _close(a.grad, [3.0, 4.0, 3.0, 4.0], atol=0)
    _close(b.grad, [3.0, 4.0, 3.0, 4.0], atol=0)
    x = _leaf(values)
    (InPlaceRelu.apply(x) + x * 1).sum().backward()
    _close(x.grad, [1.0, 2.0, 1.0, 2.0], atol=0)


def test_gradient_check_the_books_layers_as_functions_against_the_library_and_numerical_gradients():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 2, 2, 3))  # a 4-D input: Affine flattens it
    W1, b1 = rng.standard_normal((12, 6)), rng.standard_normal(6)
    W2, b2 = rng.standard_normal((6, 5)), rng.standard_normal(5)
    labels = np.array([4, 0, 2])
    mine = [_leaf(v) for v in (x, W1, b1, W2, b2)]
    hidden = Relu.apply(Affine.apply(mine[0], mine[1], mine[2]))
    hidden = Sigmoid.apply(hidden)
    loss = SoftmaxWithLoss.apply(Affine.apply(hidden, mine[3], mine[4]), labels)
    loss.backward()
    library = [_leaf(v) for v in (x, W1, b1, W2, b2)]
    scores = (library[0].reshape(3, -1) @ library[1] + library[2]).relu().sigmoid() @ library[3] + library[4]
    reference = F.cross_entropy(scores, Tensor(labels))
    reference.backward()
    _close(loss.item(), reference.item(), atol=1e-6)  # the book's + 1e-7 inside the log
    for ours, theirs in zip(mine, library):
        _close(ours.grad, theirs.grad, atol=1e-12)
        assert ours.grad.shape == ours.shape
    # gradient_check.py: mean |backprop - numerical| per parameter is about 1e-10 or less
    for index, array in enumerate((x, W1, b1, W2, b2)):

        def f(value, index=index):
            arrays = [x, W1, b1, W2, b2]
            arrays[index] = value
            h = book_sigmoid(np.maximum(0, arrays[0].reshape(3, -1) @ arrays[1] + arrays[2]))
            return book_cross_entropy_error(book_softmax(h @ arrays[3] + arrays[4]), labels)

        assert np.abs(mine[index].grad.data - book_numerical_gradient(f, array)).mean() < 1e-7
    # the library's own gradcheck accepts the gates (float64 leaves)
    assert autograd.gradcheck(lambda a, w, b: Affine.apply(a, w, b), tuple(_leaf(v) for v in (x, W1, b1)))
    assert autograd.gradcheck(lambda a: Sigmoid.apply(a), (_leaf(rng.standard_normal((4, 3))),))
    # SoftmaxWithLoss with one-hot targets: the same gradient
    logits = _leaf(rng.standard_normal((3, 5)))
    SoftmaxWithLoss.apply(logits, np.eye(5)[labels]).backward()
    other = _leaf(logits.data)
    F.cross_entropy(other, Tensor(labels)).backward()
    _close(logits.grad, other.grad, atol=1e-14)


# -- ch06: optimizer_compare_naive on f(x, y) = x^2 / 20 + y^2 ----------------------------------------------------


def _df(p):
    return np.array([p[0] / 10.0, 2.0 * p[1]])


def _book_sgd(lr):
    def update(p, g, state):
        p -= lr * g

    return update


def _book_momentum(lr, momentum=0.9):
    def update(p, g, state):
        v = state.setdefault("v", np.zeros_like(p))
        v[...] = momentum * v - lr * g
        p += v

    return update


def _book_adagrad(lr):
    def update(p, g, state):
        h = state.setdefault("h", np.zeros_like(p))
        h += g * g
        p -= lr * g / (np.sqrt(h) + 1e-7)

    return update


def _book_rmsprop(lr, decay_rate=0.99):
    def update(p, g, state):
        h = state.setdefault("h", np.zeros_like(p))
        h *= decay_rate
        h += (1 - decay_rate) * g * g
        p -= lr * g / (np.sqrt(h) + 1e-7)

    return update


def _book_adam(lr, beta1=0.9, beta2=0.999, eps=1e-7):
    def update(p, g, state):
        m, v = state.setdefault("m", np.zeros_like(p)), state.setdefault("v", np.zeros_like(p))
        state["iter"] = state.get("iter", 0) + 1
        lr_t = lr * np.sqrt(1.0 - beta2 ** state["iter"]) / (1.0 - beta1 ** state["iter"])
        m += (1 - beta1) * (g - m)
        v += (1 - beta2) * (g**2 - v)
        p -= lr_t * m / (np.sqrt(v) + eps)

    return update


def _book_trajectory(update, steps=30):
    p, state, history = np.array([-7.0, 2.0]), {}, []
    for _ in range(steps):
        history.append(p.copy())
        update(p, _df(p), state)
    history.append(p.copy())
    return np.array(history)


def _our_trajectory(make_optimizer, steps=30, use_autograd=True):
    p = _leaf([-7.0, 2.0])
    optimizer = make_optimizer([p])
    history = []
    for _ in range(steps):
        history.append(p.data.copy())
        optimizer.zero_grad()
        if use_autograd:
            (p[0] ** 2 / 20.0 + p[1] ** 2).backward()
        else:
            p.grad = Tensor(_df(p.data))
        optimizer.step()
    history.append(p.data.copy())
    return np.array(history)


OPTIMIZER_CASES = {
    "SGD": (_book_sgd(0.95), lambda ps: nn.optim.SGD(ps, lr=0.95), 1e-12),
    "Momentum": (_book_momentum(0.1), lambda ps: nn.optim.SGD(ps, lr=0.1, momentum=0.9), 1e-12),
    "AdaGrad": (_book_adagrad(1.5), lambda ps: nn.optim.Adagrad(ps, lr=1.5, eps=1e-7), 1e-12),
    "RMSprop": (_book_rmsprop(0.1), lambda ps: nn.optim.RMSprop(ps, lr=0.1, alpha=0.99, eps=1e-7), 1e-12),
    "Adam": (_book_adam(0.3, eps=0.0), lambda ps: nn.optim.Adam(ps, lr=0.3, eps=0.0), 1e-12),
    "Adam, the book's eps": (_book_adam(0.3), lambda ps: nn.optim.Adam(ps, lr=0.3, eps=1e-7), 2e-5),
}


@pytest.mark.parametrize("name", list(OPTIMIZER_CASES))
def test_optimizer_compare_naive_30_steps_from_minus_7_2_follow_the_books_update_rule(name):
    book_update, make, atol = OPTIMIZER_CASES[name]
    book = _book_trajectory(book_update)
    _close(_our_trajectory(make), book, atol=atol, rtol=0)
    _close(_our_trajectory(make, use_autograd=False), book, atol=atol, rtol=0)


@pytest.mark.parametrize("name", list(OPTIMIZER_CASES))
def test_optimizer_compare_naive_trajectories_match_torch(name):
    torch = pytest.importorskip("torch")
    _, make, _ = OPTIMIZER_CASES[name]
    spelled = {
        "SGD": lambda ps: torch.optim.SGD(ps, lr=0.95),
        "Momentum": lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9),
        "AdaGrad": lambda ps: torch.optim.Adagrad(ps, lr=1.5, eps=1e-7),
        "RMSprop": lambda ps: torch.optim.RMSprop(ps, lr=0.1, alpha=0.99, eps=1e-7),
        "Adam": lambda ps: torch.optim.Adam(ps, lr=0.3, eps=0.0),
        "Adam, the book's eps": lambda ps: torch.optim.Adam(ps, lr=0.3, eps=1e-7),
    }[name]
    p = torch.tensor([-7.0, 2.0], dtype=torch.float64, requires_grad=True)
    optimizer, history = spelled([p]), []
    for _ in range(30):
        history.append(p.detach().numpy().copy())
        optimizer.zero_grad()
        (p[0] ** 2 / 20.0 + p[1] ** 2).backward()
        optimizer.step()
    history.append(p.detach().numpy().copy())
    _close(_our_trajectory(make), np.array(history), atol=1e-13, rtol=0)


def test_optimizer_compare_naive_endpoints_are_the_books_picture():
    """The book's figure: SGD zig-zags in y and is still far from 0 in x, AdaGrad's y settles, Momentum and Adam
    overshoot; all four end nearer the minimum than (-7, 2) is."""
    sgd = _our_trajectory(OPTIMIZER_CASES["SGD"][1])
    assert np.all(np.sign(sgd[1:11, 1]) == np.tile([-1, 1], 5))  # y flips sign every step (1 - 2 * 0.95 = -0.9)
    _close(sgd[-1], [-7.0 * 0.905**30, 2.0 * (-0.9) ** 30], atol=1e-12)  # hand-derived: x(1 - lr/10)^k, y(1-2lr)^k
    assert sgd[-1, 0] < -0.3
    for name in ("Momentum", "AdaGrad", "Adam"):
        end = _our_trajectory(OPTIMIZER_CASES[name][1])[-1]
        assert end[0] ** 2 / 20 + end[1] ** 2 < (-7.0) ** 2 / 20 + 2.0**2
    momentum = _our_trajectory(OPTIMIZER_CASES["Momentum"][1])
    assert momentum[:, 0].max() > 0  # overshoots x = 0
    adagrad = _our_trajectory(OPTIMIZER_CASES["AdaGrad"][1])
    assert abs(adagrad[-1, 1]) < 1e-3


# -- ch06: weight initialisation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, initialise, std_of",
    [
        ("std 0.01", lambda w, rng: nn.init.normal_(w, 0.0, 0.01, rng=rng), lambda n_in, n_out: 0.01),
        ("Xavier", lambda w, rng: nn.init.xavier_normal_(w, rng=rng), lambda n_in, n_out: np.sqrt(2 / (n_in + n_out))),
        ("Xavier, the book's", lambda w, rng: nn.init.lecun_normal_(w, rng=rng), lambda n_in, n_out: np.sqrt(1 / n_in)),
        (
            "He",
            lambda w, rng: nn.init.kaiming_normal_(w, nonlinearity="relu", rng=rng),
            lambda n_in, n_out: np.sqrt(2 / n_in),
        ),
    ],
)
def test_weight_init_scales_are_the_books_formulas_on_a_linear_weight(name, initialise, std_of):
    for n_in, n_out in ((100, 100), (300, 60)):
        layer = nn.Linear(n_in, n_out, dtype=F64)
        initialise(layer.weight, np.random.default_rng(1))
        expected = std_of(n_in, n_out) * np.random.default_rng(1).standard_normal((n_out, n_in))
        _close(layer.weight.data, expected, atol=1e-15, rtol=1e-12)
        assert layer.weight.shape == (n_out, n_in)
    # the book's 100 -> 100 layers: Xavier's two spellings agree there
    _close(std_of(100, 100), {"std 0.01": 0.01, "He": np.sqrt(0.02)}.get(name, 0.1), atol=1e-15)


def test_weight_init_activation_histogram_layers_match_numpy_and_show_the_books_saturation():
    """weight_init_activation_histogram.py: 1000 x 100 inputs through 5 sigmoid layers of 100 nodes."""
    x = np.random.default_rng(0).standard_normal((1000, 100))
    spreads = {}
    for name, scale in (("1", 1.0), ("0.01", 0.01), ("Xavier", np.sqrt(1.0 / 100))):
        rng = np.random.default_rng(2)
        weights = [scale * rng.standard_normal((100, 100)) for _ in range(5)]
        ours, book = Tensor(x), x
        activations = []
        for w in weights:
            layer = nn.Linear(100, 100, bias=False, dtype=F64)
            with autograd.no_grad():
                layer.weight.data[...] = w.T
            ours = layer(ours).sigmoid()
            book = book_sigmoid(book @ w)
            _close(ours, book, atol=1e-14)
            activations.append(ours.data)
        spreads[name] = activations
    last = spreads["1"][-1]
    assert np.mean((last < 0.01) | (last > 0.99)) > 0.4  # std 1: the activations pile up at 0 and 1
    small = spreads["0.01"][-1]  # std 0.01: all near 0.5, every unit the same for every input (no expressiveness)
    assert np.abs(small - 0.5).max() < 0.05 and small.std(axis=0).max() < 1e-4
    xavier = spreads["Xavier"][-1]
    assert 0.05 < xavier.std() < 0.3 and np.mean((xavier < 0.01) | (xavier > 0.99)) < 0.01


def test_weight_init_compare_he_keeps_relu_activations_alive_where_std_001_vanishes():
    x = np.random.default_rng(0).standard_normal((500, 100))
    stds = {}
    for name, init in (
        ("0.01", lambda w, rng: nn.init.normal_(w, 0.0, 0.01, rng=rng)),
        ("He", lambda w, rng: nn.init.kaiming_normal_(w, nonlinearity="relu", rng=rng)),
    ):
        rng = np.random.default_rng(3)
        model = nn.Sequential(*[m for _ in range(5) for m in (nn.Linear(100, 100, dtype=F64), nn.ReLU())])
        book = x
        for module in model:
            if isinstance(module, nn.Linear):
                init(module.weight, rng)
                nn.init.zeros_(module.bias)
                book = np.maximum(0, book @ module.weight.data.T)
        out = model(Tensor(x))
        _close(out, book, atol=1e-12)
        stds[name] = out.data.std()
    assert stds["0.01"] < 1e-5 < 0.1 < stds["He"]


# -- ch06: batch normalisation ------------------------------------------------------------------------------------


def book_batchnorm_forward_backward(x, gamma, beta, dout, eps=10e-7):
    """common/layers.py BatchNormalization.__forward (training) and __backward."""
    mu = x.mean(axis=0)
    xc = x - mu
    var = np.mean(xc**2, axis=0)
    std = np.sqrt(var + eps)
    xn = xc / std
    out = gamma * xn + beta
    batch = x.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = np.sum(xn * dout, axis=0)
    dxn = gamma * dout
    dxc = dxn / std
    dstd = -np.sum((dxn * xc) / (std * std), axis=0)
    dvar = 0.5 * dstd / std
    dxc += (2.0 / batch) * xc * dvar
    dmu = np.sum(dxc, axis=0)
    return out, dxc - dmu / batch, dgamma, dbeta, mu, var


def test_batch_norm_gradient_check_matches_the_books_backward_numerical_gradient_and_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(7)
    x, dout = 3.0 * rng.standard_normal((6, 4)) + 1.0, rng.standard_normal((6, 4))
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    bn = nn.BatchNorm1d(4, eps=10e-7, momentum=0.1, dtype=F64)  # the book's 10e-7 and momentum 0.9
    with autograd.no_grad():
        bn.weight.data[...] = gamma
        bn.bias.data[...] = beta
    xt = _leaf(x)
    out = bn(xt)
    out.backward(Tensor(dout))
    book_out, dx, dgamma, dbeta, mu, var = book_batchnorm_forward_backward(x, gamma, beta, dout)
    _close(out, book_out, atol=1e-12)
    _close(xt.grad, dx, atol=1e-10)
    _close(bn.weight.grad, dgamma, atol=1e-12)
    _close(bn.bias.grad, dbeta, atol=1e-12)

    def f(value):
        return np.sum(book_batchnorm_forward_backward(value, gamma, beta, dout)[0] * dout)

    _close(xt.grad, book_numerical_gradient(f, x), atol=1e-7)
    # the running statistics: the book's 0.9 rm + 0.1 mu is torch's momentum 0.1; the variance is torch's
    # unbiased one starting from 1 (the book's: biased, from 0)
    _close(bn.running_mean, 0.1 * mu, atol=1e-14)
    _close(bn.running_var, 0.9 * 1.0 + 0.1 * var * 6 / 5, atol=1e-14)
    tbn = torch.nn.BatchNorm1d(4, eps=10e-7).double()
    with torch.no_grad():
        tbn.weight.copy_(torch.tensor(gamma))
        tbn.bias.copy_(torch.tensor(beta))
    tx = torch.tensor(x, requires_grad=True)
    tbn(tx).backward(torch.tensor(dout))
    _close(xt.grad, tx.grad.numpy(), atol=1e-12)
    _close(bn.weight.grad, tbn.weight.grad.numpy(), atol=1e-12)
    _close(bn.running_var, tbn.running_var.numpy(), atol=1e-14)
    # evaluation (train_flg=False): the running statistics, (x - rm) / sqrt(rv + eps) * gamma + beta
    bn.eval()
    tbn.eval()
    expected = (x - np.asarray(bn.running_mean)) / np.sqrt(np.asarray(bn.running_var) + 10e-7) * gamma + beta
    _close(bn(Tensor(x)), expected, atol=1e-12)
    _close(bn(Tensor(x)), tbn(torch.tensor(x)).detach().numpy(), atol=1e-12)


def test_multi_layer_net_extend_with_batchnorm_gradients_match_numerical_gradients():
    """batch_norm_gradient_check.py: MultiLayerNetExtend(784, [100, 100], 10, use_batchnorm=True), smaller."""
    rng = np.random.default_rng(8)
    x, labels = rng.standard_normal((5, 6)), rng.integers(0, 3, 5)
    sizes = [6, 4, 4, 3]
    params = {}
    for i in range(1, 4):
        params[f"W{i}"] = np.sqrt(2.0 / sizes[i - 1]) * rng.standard_normal((sizes[i - 1], sizes[i]))
        params[f"b{i}"] = 0.1 * rng.standard_normal(sizes[i])
    for i in (1, 2):
        params[f"gamma{i}"] = 1.0 + 0.1 * rng.standard_normal(sizes[i])
        params[f"beta{i}"] = 0.1 * rng.standard_normal(sizes[i])

    def book_loss(p):
        h = x
        for i in (1, 2):
            a = h @ p[f"W{i}"] + p[f"b{i}"]
            mu = a.mean(axis=0)
            xn = (a - mu) / np.sqrt(np.mean((a - mu) ** 2, axis=0) + 10e-7)
            h = np.maximum(0, p[f"gamma{i}"] * xn + p[f"beta{i}"])
        return book_cross_entropy_error(book_softmax(h @ p["W3"] + p["b3"]), labels, delta=0)

    layers = []
    for i in range(1, 4):
        linear = nn.Linear(sizes[i - 1], sizes[i], dtype=F64)
        with autograd.no_grad():
            linear.weight.data[...] = params[f"W{i}"].T
            linear.bias.data[...] = params[f"b{i}"]
        layers.append(linear)
        if i < 3:
            bn = nn.BatchNorm1d(sizes[i], eps=10e-7, dtype=F64)
            with autograd.no_grad():
                bn.weight.data[...] = params[f"gamma{i}"]
                bn.bias.data[...] = params[f"beta{i}"]
            layers += [bn, nn.ReLU()]
    model = nn.Sequential(*layers)
    loss = F.cross_entropy(model(Tensor(x)), Tensor(labels))
    loss.backward()
    _close(loss.item(), book_loss(params), atol=1e-12)
    ours = {}
    for i in range(1, 4):
        ours[f"W{i}"], ours[f"b{i}"] = layers[3 * (i - 1)].weight.grad.data.T, layers[3 * (i - 1)].bias.grad.data
    for i in (1, 2):
        ours[f"gamma{i}"], ours[f"beta{i}"] = layers[3 * i - 2].weight.grad.data, layers[3 * i - 2].bias.grad.data
    for key, value in params.items():

        def loss_of(v, key=key):
            return book_loss({**params, key: v})

        # gradient_check: the book prints mean |backprop - numerical| of about 1e-10 .. 1e-13 per parameter
        assert np.abs(ours[key] - book_numerical_gradient(loss_of, value)).mean() < 1e-8, key


# -- ch06: regularisation -----------------------------------------------------------------------------------------


def test_overfit_weight_decay_sgd_steps_match_the_books_loss_plus_half_lambda_w_squared():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(9)
    lam, lr = 0.1, 0.01
    x, labels = rng.standard_normal((10, 8)), rng.integers(0, 3, 10)
    sizes = [8, 6, 6, 3]
    book = {}
    for i in range(1, 4):
        book[f"W{i}"] = np.sqrt(2.0 / sizes[i - 1]) * rng.standard_normal((sizes[i - 1], sizes[i]))
        book[f"b{i}"] = np.zeros(sizes[i])
    linears = [nn.Linear(sizes[i - 1], sizes[i], dtype=F64) for i in range(1, 4)]
    with autograd.no_grad():
        for i, linear in enumerate(linears, 1):
            linear.weight.data[...] = book[f"W{i}"].T
            linear.bias.data[...] = book[f"b{i}"]
    model = nn.Sequential(linears[0], nn.ReLU(), linears[1], nn.ReLU(), linears[2])
    optimizer = nn.optim.SGD(
        [
            {"params": [linear.weight for linear in linears], "weight_decay": lam},
            {"params": [linear.bias for linear in linears]},
        ],
        lr=lr,
    )
    # the same model trained with the penalty written into the loss, as the book does
    penalised = [nn.Linear(sizes[i - 1], sizes[i], dtype=F64) for i in range(1, 4)]
    with autograd.no_grad():
        for linear, source in zip(penalised, linears):
            linear.weight.data[...] = source.weight.data
            linear.bias.data[...] = source.bias.data
    penalised_model = nn.Sequential(penalised[0], nn.ReLU(), penalised[1], nn.ReLU(), penalised[2])
    plain_sgd = nn.optim.SGD(penalised_model.parameters(), lr=lr)
    for _ in range(15):
        # the book: loss + 0.5 lambda sum W^2 over the weights; grads dW + lambda W; p -= lr * grad
        hs = [x]
        for i in (1, 2):
            hs.append(np.maximum(0, hs[-1] @ book[f"W{i}"] + book[f"b{i}"]))
        y = book_softmax(hs[-1] @ book["W3"] + book["b3"])
        decay = sum(0.5 * lam * np.sum(book[f"W{i}"] ** 2) for i in range(1, 4))
        book_loss = book_cross_entropy_error(y, labels, delta=0) + decay
        dout = book_softmax_with_loss_backward(y, labels)
        grads = {}
        for i in (3, 2, 1):
            grads[f"W{i}"] = hs[i - 1].T @ dout + lam * book[f"W{i}"]
            grads[f"b{i}"] = dout.sum(axis=0)
            dout = dout @ book[f"W{i}"].T * (hs[i - 1] > 0)
        for key in book:
            book[key] -= lr * grads[key]
        optimizer.zero_grad()
        F.cross_entropy(model(Tensor(x)), Tensor(labels)).backward()
        optimizer.step()
        plain_sgd.zero_grad()
        loss = F.cross_entropy(penalised_model(Tensor(x)), Tensor(labels))
        loss = loss + 0.5 * lam * sum((linear.weight**2).sum() for linear in penalised)
        loss.backward()
        plain_sgd.step()
        _close(loss.item(), book_loss, atol=1e-12)
    for i, (linear, other) in enumerate(zip(linears, penalised), 1):
        _close(linear.weight.data.T, book[f"W{i}"], atol=1e-12)
        _close(linear.bias, book[f"b{i}"], atol=1e-12)
        _close(other.weight.data.T, book[f"W{i}"], atol=1e-12)
    # torch's SGD weight_decay is the same step
    tw = torch.tensor(linears[0].weight.data.copy(), requires_grad=True)
    ours_w = _leaf(linears[0].weight.data)
    g = np.random.default_rng(1).standard_normal(tw.shape)
    tw.grad, ours_w.grad = torch.tensor(g), Tensor(g)
    torch.optim.SGD([tw], lr=lr, weight_decay=lam).step()
    nn.optim.SGD([ours_w], lr=lr, weight_decay=lam).step()
    _close(ours_w, tw.detach().numpy(), atol=1e-15)


def test_overfit_dropout_train_and_eval_semantics_against_the_books_dropout():
    p = 0.15  # overfit_dropout.py's dropout_ratio... the book uses 0.2 in the text; any ratio will do
    x = np.random.default_rng(10).standard_normal((200, 50)) + 3.0  # no zeros in x
    layer = nn.Dropout(p)
    layer.train()
    xt = _leaf(x)
    out = layer(xt)
    mask = out.data != 0  # the kept units
    # training: the library's inverted dropout is the book's x * mask scaled by 1 / (1 - p)
    _close(out, x * mask / (1 - p), atol=1e-14)
    assert abs(mask.mean() - (1 - p)) < 0.02
    # backward: the book's dout * mask, scaled the same
    dout = np.random.default_rng(11).standard_normal(x.shape)
    out.backward(Tensor(dout))
    _close(xt.grad, dout * mask / (1 - p), atol=1e-14)
    # evaluation: the library is the identity; the book's x * (1 - p) is that times (1 - p)
    layer.eval()
    _close(layer(Tensor(x)), x, atol=0)
    _close(F.dropout(Tensor(x), p, training=False), x, atol=0)
    # the expectations agree with the book's ratio: E[train] / eval is 1 here and for the book
    _close((out.data.mean() / x.mean()), 1.0, atol=0.02)
    # two calls in training draw two masks
    layer.train()
    assert not np.array_equal(layer(Tensor(x)).data != 0, mask)
    # p = 0 keeps everything, p = 1 drops everything
    _close(nn.Dropout(0.0)(Tensor(x)), x, atol=0)
    _close(nn.Dropout(1.0)(Tensor(x)), np.zeros_like(x), atol=0)


# -- ch07: im2col / col2im ----------------------------------------------------------------------------------------


IM2COL_CASES = [  # (shape, kernel, stride, pad)
    ((1, 3, 7, 7), 5, 1, 0),  # the book's first example: (9, 75)
    ((10, 3, 7, 7), 5, 1, 0),  # and its second: (90, 75)
    ((2, 2, 6, 5), 3, 2, 1),
    ((2, 1, 8, 7), 3, 2, 0),  # (H - k) not a multiple of the stride: the last row of pixels is in no window
    ((1, 2, 5, 5), 2, 3, 2),
]


@pytest.mark.parametrize("shape, kernel, stride, pad", IM2COL_CASES)
def test_im2col_is_functional_unfold_in_the_books_row_layout(shape, kernel, stride, pad):
    x = np.random.default_rng(12).standard_normal(shape)
    book = book_im2col(x, kernel, kernel, stride, pad)
    n, c = shape[:2]
    xt = _leaf(x)
    cols = F.unfold(xt, kernel, padding=pad, stride=stride)  # (N, C*k*k, L)
    assert cols.shape == (n, c * kernel * kernel, book.shape[0] // n)
    ours = cols.permute(0, 2, 1).reshape(-1, c * kernel * kernel)  # the book's (N*out_h*out_w, C*k*k)
    assert ours.shape == book.shape
    if shape == (1, 3, 7, 7):
        assert ours.shape == (9, 75)
    _close(ours, book, atol=0)
    # the gradient of im2col is col2im of the upstream gradient (the book's Convolution.backward)
    upstream = np.random.default_rng(13).standard_normal(book.shape)
    ours.backward(Tensor(upstream))
    _close(xt.grad, book_col2im(upstream, shape, kernel, kernel, stride, pad), atol=1e-13)
    # the 6-D windows of autograd.conv.unfold hold the same numbers
    windows = autograd.conv.unfold(Tensor(x), kernel, stride=stride, padding=pad)  # (N, C, out_h, out_w, k, k)
    _close(windows.permute(0, 2, 3, 1, 4, 5).reshape(book.shape), book, atol=0)


@pytest.mark.parametrize("shape, kernel, stride, pad", IM2COL_CASES)
def test_col2im_is_functional_fold_and_the_round_trip_counts_the_windows(shape, kernel, stride, pad):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(14)
    n, c, h, w = shape
    out_h, out_w = (h + 2 * pad - kernel) // stride + 1, (w + 2 * pad - kernel) // stride + 1
    col = rng.standard_normal((n * out_h * out_w, c * kernel * kernel))
    colt = _leaf(col)
    torch_layout = colt.reshape(n, out_h * out_w, c * kernel * kernel).permute(0, 2, 1)
    image = F.fold(torch_layout, (h, w), kernel, padding=pad, stride=stride)
    assert image.shape == shape
    _close(image, book_col2im(col, shape, kernel, kernel, stride, pad), atol=1e-13)
    expected = torch.nn.functional.fold(
        torch.tensor(torch_layout.data.copy()), (h, w), kernel, padding=pad, stride=stride
    )
    _close(image, expected.numpy(), atol=1e-13)
    # fold's gradient is unfold: the book's im2col of the upstream gradient
    upstream = rng.standard_normal(shape)
    image.backward(Tensor(upstream))
    _close(colt.grad, book_im2col(upstream, kernel, kernel, stride, pad), atol=0)
    # col2im(im2col(x)) = x times the number of windows covering each pixel (col2im adds, it does not invert)
    x = rng.standard_normal(shape)
    round_trip = F.fold(
        F.unfold(Tensor(x), kernel, padding=pad, stride=stride), (h, w), kernel, padding=pad, stride=stride
    )
    counts = book_col2im(book_im2col(np.ones(shape), kernel, kernel, stride, pad), shape, kernel, kernel, stride, pad)
    _close(round_trip, x * counts, atol=1e-13)
    _close(book_col2im(book_im2col(x, kernel, kernel, stride, pad), shape, kernel, kernel, stride, pad), x * counts)


def test_conv_output_size_matches_the_books_formula():
    for size, kernel, stride, pad in ((28, 5, 1, 0), (28, 3, 1, 1), (14, 3, 1, 2), (7, 3, 2, 1), (8, 3, 2, 0)):
        conv = nn.Conv2d(1, 1, kernel, stride=stride, padding=pad, dtype=F64)
        out = conv(Tensor(np.zeros((1, 1, size, size))))
        assert out.shape[2:] == ((size + 2 * pad - kernel) // stride + 1,) * 2


# -- ch07: SimpleConvNet ------------------------------------------------------------------------------------------


def _simple_convnet(rng, channels=1, size=10, filters=3, kernel=3, hidden=8, classes=4, std=0.3):
    """SimpleConvNet: conv - relu - pool(2, 2) - affine - relu - affine - softmax, the book's parameter layout."""
    pool_out = filters * ((size - kernel + 1) // 2) ** 2
    return {
        "W1": std * rng.standard_normal((filters, channels, kernel, kernel)),
        "b1": 0.1 * rng.standard_normal(filters),
        "W2": std * rng.standard_normal((pool_out, hidden)),
        "b2": 0.1 * rng.standard_normal(hidden),
        "W3": std * rng.standard_normal((hidden, classes)),
        "b3": 0.1 * rng.standard_normal(classes),
    }


def _book_simple_convnet_gradient(params, x, labels):
    conv, pool = BookConvolution(params["W1"], params["b1"]), BookPooling(2, 2, stride=2)
    c = conv.forward(x)
    relu1 = c <= 0
    p = pool.forward(np.where(relu1, 0, c))
    flat = p.reshape(p.shape[0], -1)
    a2 = flat @ params["W2"] + params["b2"]
    relu2 = a2 <= 0
    h = np.where(relu2, 0, a2)
    y = book_softmax(h @ params["W3"] + params["b3"])
    dout = book_softmax_with_loss_backward(y, labels)
    grads = {"W3": h.T @ dout, "b3": dout.sum(axis=0)}
    dh = dout @ params["W3"].T
    dh[relu2] = 0
    grads.update(W2=flat.T @ dh, b2=dh.sum(axis=0))
    dp = (dh @ params["W2"].T).reshape(p.shape)
    dc = pool.backward(dp)
    dc[relu1] = 0
    dx = conv.backward(dc)
    grads.update(W1=conv.dW, b1=conv.db)
    return grads, book_cross_entropy_error(y, labels, delta=0), dx


def _our_simple_convnet(params):
    filters, channels, kernel, _ = params["W1"].shape
    conv = nn.Conv2d(channels, filters, kernel, dtype=F64)
    fc1 = nn.Linear(*params["W2"].shape, dtype=F64)
    fc2 = nn.Linear(*params["W3"].shape, dtype=F64)
    with autograd.no_grad():
        conv.weight.data[...] = params["W1"]
        conv.bias.data[...] = params["b1"]
        fc1.weight.data[...] = params["W2"].T
        fc1.bias.data[...] = params["b2"]
        fc2.weight.data[...] = params["W3"].T
        fc2.bias.data[...] = params["b3"]
    model = nn.Sequential(conv, nn.ReLU(), nn.MaxPool2d(2, 2), nn.Flatten(), fc1, nn.ReLU(), fc2)
    return model, conv, fc1, fc2


def test_simple_convnet_gradients_match_the_books_im2col_layers_and_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(15)
    params = _simple_convnet(rng)
    x, labels = rng.standard_normal((3, 1, 10, 10)), np.array([0, 3, 1])
    model, conv, fc1, fc2 = _our_simple_convnet(params)
    xt = _leaf(x)
    scores = model(xt)
    assert scores.shape == (3, 4)
    loss = F.cross_entropy(scores, Tensor(labels))
    loss.backward()
    grads, book_loss, dx = _book_simple_convnet_gradient(params, x, labels)
    _close(loss.item(), book_loss, atol=1e-13)
    _close(conv.weight.grad, grads["W1"], atol=1e-12)
    _close(conv.bias.grad, grads["b1"], atol=1e-12)
    _close(fc1.weight.grad.T, grads["W2"], atol=1e-12)
    _close(fc1.bias.grad, grads["b2"], atol=1e-12)
    _close(fc2.weight.grad.T, grads["W3"], atol=1e-12)
    _close(fc2.bias.grad, grads["b3"], atol=1e-12)
    _close(xt.grad, dx, atol=1e-12)

    # ch07/gradient_check.py: the numerical gradient of the conv filters
    def loss_of(w1):
        return _book_simple_convnet_gradient({**params, "W1": w1}, x, labels)[1]

    _close(conv.weight.grad, book_numerical_gradient(loss_of, params["W1"]), atol=1e-8)
    tm = torch.nn.Sequential(
        torch.nn.Conv2d(1, 3, 3),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2, 2),
        torch.nn.Flatten(),
        torch.nn.Linear(48, 8),
        torch.nn.ReLU(),
        torch.nn.Linear(8, 4),
    ).double()
    with torch.no_grad():
        for ours, theirs in zip(model.parameters(), tm.parameters()):
            theirs.copy_(torch.tensor(np.array(ours.data)))
    tx = torch.tensor(x, requires_grad=True)
    torch.nn.functional.cross_entropy(tm(tx), torch.tensor(labels)).backward()
    for ours, theirs in zip(model.parameters(), tm.parameters()):
        _close(ours.grad, theirs.grad.numpy(), atol=1e-13)
    _close(xt.grad, tx.grad.numpy(), atol=1e-13)
    # train_convnet.py: Adam (lr 0.001) steps, against torch's Adam on the same model
    optimizer, torch_optimizer = (
        nn.optim.Adam(model.parameters(), lr=0.001),
        torch.optim.Adam(tm.parameters(), lr=0.001),
    )
    for _ in range(5):
        optimizer.zero_grad()
        F.cross_entropy(model(Tensor(x)), Tensor(labels)).backward()
        optimizer.step()
        torch_optimizer.zero_grad()
        torch.nn.functional.cross_entropy(tm(torch.tensor(x)), torch.tensor(labels)).backward()
        torch_optimizer.step()
    for ours, theirs in zip(model.parameters(), tm.parameters()):
        _close(ours, theirs.detach().numpy(), atol=1e-12)


def test_pooling_layer_forward_and_backward_match_the_books_argmax_scatter_with_ties():
    rng = np.random.default_rng(16)
    x = rng.integers(0, 3, (2, 3, 6, 8)).astype(F64)  # many ties: the gradient goes to the first maximum
    pool = BookPooling(2, 2, stride=2)
    xt = _leaf(x)
    out = nn.MaxPool2d(2, 2)(xt)
    _close(out, pool.forward(x), atol=0)
    dout = rng.standard_normal(out.shape)
    out.backward(Tensor(dout))
    _close(xt.grad, pool.backward(dout), atol=0)
    # the book's Pooling with stride 1 (overlapping windows add up in col2im)
    pool = BookPooling(3, 3, stride=1)
    xt = _leaf(rng.standard_normal((2, 2, 5, 5)))
    out = F.max_pool2d(xt, 3, stride=1)
    _close(out, pool.forward(xt.data), atol=0)
    dout = rng.standard_normal(out.shape)
    out.backward(Tensor(dout))
    _close(xt.grad, pool.backward(dout), atol=1e-14)


def test_convolution_layer_with_stride_and_padding_matches_the_books_im2col_convolution():
    rng = np.random.default_rng(17)
    x, W, b = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    for stride, pad in ((1, 0), (2, 1), (1, 2), (3, 1)):
        book = BookConvolution(W, b, stride, pad)
        xt, Wt, bt = _leaf(x), _leaf(W), _leaf(b)
        out = F.conv2d(xt, Wt, bt, stride=stride, padding=pad)
        _close(out, book.forward(x), atol=1e-12)
        dout = rng.standard_normal(out.shape)
        out.backward(Tensor(dout))
        _close(xt.grad, book.backward(dout), atol=1e-12)
        _close(Wt.grad, book.dW, atol=1e-12)
        _close(bt.grad, book.db, atol=1e-12)


# -- ch08: DeepConvNet --------------------------------------------------------------------------------------------


def test_deep_convnet_shapes_he_scales_and_eval_output_against_the_books_layers():
    rng = np.random.default_rng(18)
    conv_params = [(16, 1), (16, 1), (32, 1), (32, 2), (64, 1), (64, 1)]  # (filter_num, pad); 3x3, stride 1
    pre_node_nums = np.array([1 * 3 * 3, 16 * 3 * 3, 16 * 3 * 3, 32 * 3 * 3, 32 * 3 * 3, 64 * 3 * 3, 64 * 4 * 4, 50])
    scales = np.sqrt(2.0 / pre_node_nums)
    params, channels = {}, 1
    for i, (filters, _) in enumerate(conv_params):
        params[f"W{i + 1}"] = scales[i] * rng.standard_normal((filters, channels, 3, 3))
        params[f"b{i + 1}"] = np.zeros(filters)
        channels = filters
    params["W7"], params["b7"] = scales[6] * rng.standard_normal((64 * 4 * 4, 50)), np.zeros(50)
    params["W8"], params["b8"] = scales[7] * rng.standard_normal((50, 10)), np.zeros(10)
    # He's scale is kaiming_normal_'s std for every layer (fan_in = C_in * k * k for a conv weight)
    for i in range(len(conv_params)):
        in_channels = 1 if i == 0 else conv_params[i - 1][0]
        _close(nn.init.calculate_gain("relu") / np.sqrt(in_channels * 9), scales[i], atol=1e-15)

    layers, channels = [], 1
    convs = []
    for i, (filters, pad) in enumerate(conv_params):
        conv = nn.Conv2d(channels, filters, 3, padding=pad, dtype=F64)
        with autograd.no_grad():
            conv.weight.data[...] = params[f"W{i + 1}"]
            conv.bias.data[...] = params[f"b{i + 1}"]
        convs.append(conv)
        layers += [conv, nn.ReLU()] + ([nn.MaxPool2d(2, 2)] if i % 2 else [])
        channels = filters
    fc1, fc2 = nn.Linear(1024, 50, dtype=F64), nn.Linear(50, 10, dtype=F64)
    with autograd.no_grad():
        fc1.weight.data[...] = params["W7"].T
        fc1.bias.data[...] = params["b7"]
        fc2.weight.data[...] = params["W8"].T
        fc2.bias.data[...] = params["b8"]
    model = nn.Sequential(*layers, nn.Flatten(), fc1, nn.ReLU(), nn.Dropout(0.5), fc2, nn.Dropout(0.5))
    x = rng.random((2, 1, 28, 28))
    model.eval()
    out = model(Tensor(x))
    assert out.shape == (2, 10)
    # the book's predict(train_flg=False): its layers in numpy, each Dropout scaling by (1 - 0.5)
    h = x
    sizes = []
    for i, (_, pad) in enumerate(conv_params):
        h = np.maximum(0, BookConvolution(params[f"W{i + 1}"], params[f"b{i + 1}"], 1, pad).forward(h))
        if i % 2:
            h = BookPooling(2, 2, stride=2).forward(h)
            sizes.append(h.shape[1:])
    assert sizes == [(16, 14, 14), (32, 8, 8), (64, 4, 4)]  # conv4's pad 2 makes 14 -> 16 -> pool 8
    h = np.maximum(0, h.reshape(2, -1) @ params["W7"] + params["b7"]) * 0.5
    book = (h @ params["W8"] + params["b8"]) * 0.5
    _close(out.data * 0.25, book, atol=1e-12)  # the biases are 0: inverted dropout differs by (1 - p)^2
    # training mode: the gradients of a fixed mask reach every conv layer with its shape
    model.train()
    loss = F.cross_entropy(model(Tensor(x)), Tensor(np.array([3, 7])))
    loss.backward()
    for conv in convs:
        assert conv.weight.grad.shape == conv.weight.shape and np.isfinite(conv.weight.grad.data).all()


def _rounded_once(values64):
    """The float16 a float16 kernel that computes in float32 and rounds once gives (torch's CPU kernels): the exact
    result rounded to float16 (a float32 accumulation can differ from it in a rare last bit)."""
    return np.asarray(values64, dtype=F64).astype(np.float16)


def test_half_float_network_conv_and_affine_layers_with_bias_round_once_as_torch():
    """half_float_network.py: the trained network's parameters and the images cast to float16. torch's half
    conv and linear kernels add the bias in float32 and round the output once; rounding the product first and
    the sum again puts about a fifth of the outputs one float16 step off."""
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(19)
    x = rng.random((2, 3, 10, 10)).astype(np.float16)
    w = (0.3 * rng.standard_normal((4, 3, 3, 3))).astype(np.float16)
    b = (0.5 * rng.standard_normal(4)).astype(np.float16)
    for padding in (0, 1):
        ours = F.conv2d(Tensor(x), Tensor(w), Tensor(b), padding=padding)
        assert ours.dtype == np.float16
        exact = torch.nn.functional.conv2d(
            torch.tensor(x, dtype=torch.float64),
            torch.tensor(w, dtype=torch.float64),
            torch.tensor(b, dtype=torch.float64),
            padding=padding,
        ).numpy()
        theirs = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), torch.tensor(b), padding=padding).numpy()
        assert np.mean(theirs != _rounded_once(exact)) < 0.01
        assert np.mean(ours.data != _rounded_once(exact)) < 0.01
    h = rng.random((6, 40)).astype(np.float16)
    W, bias = (
        (0.3 * rng.standard_normal((10, 40))).astype(np.float16),
        (0.5 * rng.standard_normal(10)).astype(np.float16),
    )
    exact = h.astype(F64) @ W.astype(F64).T + bias.astype(F64)
    layer = nn.Linear(40, 10).half()
    with autograd.no_grad():
        layer.weight.data[...] = W
        layer.bias.data[...] = bias
    for ours in (F.linear(Tensor(h), Tensor(W), Tensor(bias)), layer(Tensor(h)), layer(h)):
        assert ours.dtype == np.float16
        assert np.mean(ours.data != _rounded_once(exact)) < 0.01
    theirs = torch.nn.functional.linear(torch.tensor(h), torch.tensor(W), torch.tensor(bias)).numpy()
    assert np.mean(theirs != _rounded_once(exact)) < 0.01


def test_half_float_network_keeps_the_float64_predictions_and_differentiates_in_float16():
    rng = np.random.default_rng(20)
    params = _simple_convnet(rng, channels=1, size=12, filters=6, kernel=3, hidden=16, classes=5)
    model, *_ = _our_simple_convnet(params)
    x = rng.random((20, 1, 12, 12))
    predicted = model(Tensor(x)).argmax(axis=1).data
    model.half()
    assert all(p.dtype == np.float16 for p in model.parameters())
    scores = model(Tensor(x.astype(np.float16)))
    assert scores.dtype == np.float16
    assert np.mean(scores.argmax(axis=1).data == predicted) >= 0.95  # the book: accuracy unchanged in float16
    F.cross_entropy(scores, Tensor(np.arange(20) % 5)).backward()
    assert all(p.grad.dtype == np.float16 for p in model.parameters())
