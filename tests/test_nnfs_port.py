"""The book "Neural Networks from Scratch in Python" (Kinsley & Kukiela, Sentdex/nnfs_book), rewritten with the library.

Each test writes the book's computation here in plain numpy after its own formulas (Layer_Dense, the activations
and their backward passes, Loss_CategoricalCrossentropy with its 1e-7 clip, the combined softmax + cross-entropy
backward, the optimizers' update rules, L1/L2 regularization, Layer_Dropout, binary and regression losses and
accuracies, the Model class's batching) and compares it with the same computation spelled with ``autograd.Tensor``,
``nn.Linear``, ``nn.functional``, ``nn.optim``, ``nn.optim.lr_scheduler`` and ``nn.Dropout``; gradients also with
float64 central differences.

Where the book's conventions differ from torch's (which the library follows):

- data: ``nnfs.init()`` seeds numpy with 0 and makes the book's arithmetic float32; here everything is float64
  (the library's default dtype; ``nn`` layers default to float32 as torch's, so they are made with ``dtype=F64``),
  the data generated as ``nnfs.datasets.spiral_data`` does;
- weights: the book stores a dense layer's weights as (in, out), 0.01 randn, and its biases as (1, out) zeros;
  ``nn.Linear.weight`` is (out, in), so the book's weights are ``linear.weight.T``;
- SGD momentum: the book's v = m v - lr_t g, p += v is torch's b = m b + g, p -= lr_t b only while lr_t is
  constant (v = -lr b); under the book's decay lr_t = lr / (1 + decay t) the book applies lr_t to the newest gradient
  only, torch to the whole buffer, so SGD with both momentum and decay has no torch spelling (the difference is
  written out below); decay alone is ``LambdaLR(lambda t: 1 / (1 + decay t))``, momentum alone plain ``momentum=``;
- Adagrad: the book's decay is torch's own ``lr_decay``; RMSprop: ``alpha=rho``, eps outside the root as torch's;
  Adam: the book's bias corrections with iterations + 1 and eps outside the root are torch's Adam exactly;
- L1 regularization: the book's dL1 is +1 where w >= 0 (so +lambda at w = 0, where its biases start), the
  derivative of ``abs`` is torch's sign (0 at 0): the two differ only on exact zeros; L2 (lambda sum w^2) is
  ``weight_decay=2 lambda`` in SGD and Adam (both add it to the gradient before the update, as the book does);
- Dropout: the book's mask is np.random.binomial(1, 1 - rate) / (1 - rate), the library's keeps an entry where a
  uniform draw from its Generator is >= p: same distribution, other draws, so masks are compared as masks;
- MAE: the book's backward np.sign(y_true - dvalues) / outputs / samples has the wrong sign (the derivative of
  |y - p| in p is -sign(y - p)); the library's (torch's) is the derivative, checked by finite differences;
- categorical cross-entropy: the book's backward -y / y_pred ignores the clip; autograd differentiates the clip
  (0 where a probability was clipped), as torch: they agree wherever nothing is clipped.
"""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from nn.optim.lr_scheduler import LambdaLR

F64 = np.float64


# -- the book's data (nnfs.datasets) ---------------------------------------------------------------------------


def spiral_data(samples, classes):
    """nnfs.datasets.spiral_data: ``classes`` noisy spiral arms of ``samples`` points each, labels uint8."""
    X = np.zeros((samples * classes, 2))
    y = np.zeros(samples * classes, dtype="uint8")
    for class_number in range(classes):
        ix = range(samples * class_number, samples * (class_number + 1))
        r = np.linspace(0.0, 1, samples)
        t = np.linspace(class_number * 4, (class_number + 1) * 4, samples) + np.random.randn(samples) * 0.2
        X[ix] = np.c_[r * np.sin(t * 2.5), r * np.cos(t * 2.5)]
        y[ix] = class_number
    return X, y


def sine_data(samples=1000):
    """nnfs.datasets.sine_data."""
    X = np.arange(samples).reshape(-1, 1) / samples
    return X, np.sin(2 * np.pi * X).reshape(-1, 1)


def _spiral_and_weights(samples=100, classes=3, hidden=64):
    """The book's chapter setup after nnfs.init(): seed 0, the data, then each dense layer's 0.01 randn weights."""
    np.random.seed(0)
    X, y = spiral_data(samples, classes)
    W1, b1 = 0.01 * np.random.randn(2, hidden), np.zeros((1, hidden))
    W2, b2 = 0.01 * np.random.randn(hidden, classes), np.zeros((1, classes))
    return X, y, [W1, b1, W2, b2]


# -- the book's numpy layers --------------------------------------------------------------------------------------


def book_relu_backward(inputs, dvalues):
    dinputs = dvalues.copy()
    dinputs[inputs <= 0] = 0
    return dinputs


def book_softmax(inputs):
    exp_values = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
    return exp_values / np.sum(exp_values, axis=1, keepdims=True)


def book_softmax_backward(output, dvalues):
    dinputs = np.empty_like(dvalues)
    for index, (single_output, single_dvalues) in enumerate(zip(output, dvalues)):
        single_output = single_output.reshape(-1, 1)
        jacobian = np.diagflat(single_output) - np.dot(single_output, single_output.T)
        dinputs[index] = np.dot(jacobian, single_dvalues)
    return dinputs


def book_cce_forward(y_pred, y_true):
    y_pred_clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)
    if len(y_true.shape) == 1:
        correct = y_pred_clipped[range(len(y_pred)), y_true]
    else:
        correct = np.sum(y_pred_clipped * y_true, axis=1)
    return -np.log(correct)


def book_cce_backward(dvalues, y_true):
    samples, labels = len(dvalues), len(dvalues[0])
    if len(y_true.shape) == 1:
        y_true = np.eye(labels)[y_true]
    return -y_true / dvalues / samples


def book_softmax_cce_backward(dvalues, y_true):
    samples = len(dvalues)
    if len(y_true.shape) == 2:
        y_true = np.argmax(y_true, axis=1)
    dinputs = dvalues.copy()
    dinputs[range(samples), y_true] -= 1
    return dinputs / samples


def book_regularization_loss(weights, biases, wl1=0.0, wl2=0.0, bl1=0.0, bl2=0.0):
    loss = 0.0
    if wl1 > 0:
        loss += wl1 * np.sum(np.abs(weights))
    if wl2 > 0:
        loss += wl2 * np.sum(weights * weights)
    if bl1 > 0:
        loss += bl1 * np.sum(np.abs(biases))
    if bl2 > 0:
        loss += bl2 * np.sum(biases * biases)
    return loss


def book_dense_backward(inputs, weights, biases, dvalues, wl1=0.0, wl2=0.0, bl1=0.0, bl2=0.0):
    dweights = np.dot(inputs.T, dvalues)
    dbiases = np.sum(dvalues, axis=0, keepdims=True)
    if wl1 > 0:
        dL1 = np.ones_like(weights)
        dL1[weights < 0] = -1
        dweights += wl1 * dL1
    if wl2 > 0:
        dweights += 2 * wl2 * weights
    if bl1 > 0:
        dL1 = np.ones_like(biases)
        dL1[biases < 0] = -1
        dbiases += bl1 * dL1
    if bl2 > 0:
        dbiases += 2 * bl2 * biases
    return dweights, dbiases, np.dot(dvalues, weights.T)


def book_bce(y_pred, y_true):
    clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)
    return np.mean(-(y_true * np.log(clipped) + (1 - y_true) * np.log(1 - clipped)), axis=-1)


def book_bce_backward(dvalues, y_true):
    samples, outputs = len(dvalues), len(dvalues[0])
    clipped = np.clip(dvalues, 1e-7, 1 - 1e-7)
    return -(y_true / clipped - (1 - y_true) / (1 - clipped)) / outputs / samples


def numerical_gradient(f, x, h=1e-6):
    """float64 central differences of the scalar f at x, one element at a time."""
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


def _linear(weights, biases):
    """An nn.Linear holding the book's (in, out) weights and (1, out) biases."""
    layer = nn.Linear(*weights.shape, dtype=F64)
    with autograd.no_grad():
        layer.weight.data[...] = weights.T
        layer.bias.data[...] = biases[0]
    return layer


def _close(ours, expected, rtol=1e-12, atol=1e-14):
    ours = ours.data if isinstance(ours, Tensor) else ours
    np.testing.assert_allclose(np.asarray(ours, dtype=F64), np.asarray(expected, dtype=F64), rtol=rtol, atol=atol)


# -- chapters 2-5: the forward pass -------------------------------------------------------------------------------


def test_spiral_data_is_the_books_three_noisy_arms():
    np.random.seed(0)
    X, y = spiral_data(100, 3)
    assert X.shape == (300, 2) and y.dtype == np.uint8 and np.bincount(y).tolist() == [100, 100, 100]
    # the first point of each arm is the origin (r = 0), the last is on the unit circle
    _close(X[[0, 100, 200]], np.zeros((3, 2)), atol=0)
    _close(np.hypot(*X[[99, 199, 299]].T), np.ones(3))


def test_dense_layer_forward_is_inputs_dot_weights_plus_biases():
    X, _, (W1, b1, W2, b2) = _spiral_and_weights()
    b1 = np.random.randn(*b1.shape)
    layer = _linear(W1, b1)
    _close(layer(Tensor(X)), np.dot(X, W1) + b1)
    _close(F.linear(Tensor(X), Tensor(W1.T), Tensor(b1[0])), np.dot(X, W1) + b1)


def test_relu_softmax_forward_pass_of_chapter_4():
    X, _, (W1, b1, W2, b2) = _spiral_and_weights()
    hidden = np.maximum(0, np.dot(X, W1) + b1)
    expected = book_softmax(np.dot(hidden, W2) + b2)
    ours = F.softmax(_linear(W2, b2)(F.relu(_linear(W1, b1)(Tensor(X)))), dim=1)
    _close(ours, expected)
    _close(ours.data.sum(axis=1), np.ones(300))
    # the book prints the first rows as about 1/3 each
    _close(ours.data[:5], np.full((5, 3), 1 / 3), rtol=0, atol=1e-4)


# -- chapters 5 and 9: losses, accuracy, backpropagation ------------------------------------------------------------


def test_categorical_cross_entropy_with_the_books_clip_sparse_and_one_hot():
    probs = np.array([[0.7, 0.1, 0.2], [0.1, 0.5, 0.4], [0.02, 0.9, 0.08], [0.0, 1.0, 0.0]])
    labels = np.array([0, 1, 1, 0])
    expected = np.mean(book_cce_forward(probs, labels))
    assert np.isclose(np.mean(book_cce_forward(probs, np.eye(3)[labels])), expected)
    p = Tensor(probs)
    clipped = p.clip(1e-7, 1 - 1e-7)
    _close(-clipped[range(4), labels].log().mean(), expected)
    _close(F.nll_loss(clipped.log(), labels), expected)
    _close(-(clipped * Tensor(np.eye(3)[labels])).sum(axis=1).log().mean(), expected)
    # the clip keeps a confident wrong answer finite: -log(1e-7)
    _close(-clipped[3, 0].log(), -np.log(1e-7))


def test_categorical_cross_entropy_backward_is_minus_y_over_y_pred_where_nothing_is_clipped():
    rng = np.random.default_rng(1)
    probs = book_softmax(rng.normal(size=(6, 4)))
    labels = rng.integers(0, 4, size=6).astype(np.uint8)
    p = Tensor(probs, requires_grad=True)
    loss = -p.clip(1e-7, 1 - 1e-7)[range(6), labels].log().mean()
    loss.backward()
    _close(p.grad, book_cce_backward(probs, labels))
    _close(p.grad, numerical_gradient(lambda q: np.mean(book_cce_forward(q, labels)), probs), rtol=1e-7, atol=1e-9)


def test_softmax_backward_matches_the_books_jacobian_per_sample():
    rng = np.random.default_rng(2)
    inputs, dvalues = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    x = Tensor(inputs, requires_grad=True)
    F.softmax(x, dim=1).backward(Tensor(dvalues))
    expected = book_softmax_backward(book_softmax(inputs), dvalues)
    _close(x.grad, expected)
    _close(x.grad, numerical_gradient(lambda z: np.sum(book_softmax(z) * dvalues), inputs), rtol=1e-7, atol=1e-9)


def test_combined_softmax_cross_entropy_backward_is_softmax_minus_one_hot_over_samples():
    np.random.seed(0)
    X, y = spiral_data(100, 3)
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(300, 3))
    softmax_outputs = book_softmax(logits)
    expected = book_softmax_cce_backward(softmax_outputs, y)
    # the book's check: the combined backward equals the softmax backward of the loss backward
    separate = book_softmax_backward(softmax_outputs, book_cce_backward(softmax_outputs, y))
    _close(expected, separate, rtol=1e-7, atol=1e-12)
    for targets in (y, np.eye(3)[y]):
        z = Tensor(logits, requires_grad=True)
        loss = F.cross_entropy(z, targets if targets.ndim == 1 else Tensor(targets))
        _close(loss, np.mean(book_cce_forward(softmax_outputs, y)))
        loss.backward()
        _close(z.grad, expected)


def test_accuracy_is_the_mean_of_argmax_equal_to_targets():
    softmax_outputs = np.array([[0.7, 0.2, 0.1], [0.5, 0.1, 0.4], [0.02, 0.9, 0.08]])
    class_targets = np.array([0, 1, 1])
    expected = np.mean(np.argmax(softmax_outputs, axis=1) == class_targets)
    assert expected == pytest.approx(2 / 3)
    assert nn.accuracy(Tensor(softmax_outputs), class_targets) == pytest.approx(expected)
    assert nn.accuracy(Tensor(softmax_outputs), np.argmax(np.eye(3)[class_targets], axis=1)) == pytest.approx(expected)
    ours = (Tensor(softmax_outputs).argmax(dim=1) == Tensor(class_targets)).double().mean()
    _close(ours, expected)


def test_dense_relu_dense_backward_of_chapter_9_against_the_books_chain_and_finite_differences():
    X, y, (W1, b1, W2, b2) = _spiral_and_weights(samples=20, hidden=8)
    W1, W2 = W1 * 100, W2 * 100  # away from the flat start, so every ReLU and every weight matters
    b1 = np.random.randn(*b1.shape)

    def book_loss(params):
        w1, bb1, w2, bb2 = params
        return np.mean(book_cce_forward(book_softmax(np.maximum(0, X @ w1 + bb1) @ w2 + bb2), y))

    # the book's backward chain
    z1 = X @ W1 + b1
    a1 = np.maximum(0, z1)
    out = book_softmax(a1 @ W2 + b2)
    d2 = book_softmax_cce_backward(out, y)
    dW2, db2, da1 = book_dense_backward(a1, W2, b2, d2)
    dW1, db1, _ = book_dense_backward(X, W1, b1, book_relu_backward(z1, da1))

    dense1, dense2 = _linear(W1, b1), _linear(W2, b2)
    F.cross_entropy(dense2(F.relu(dense1(Tensor(X)))), y).backward()
    for ours, book in ((dense1.weight.grad.T, dW1), (dense1.bias.grad, db1[0]), (dense2.weight.grad.T, dW2)):
        _close(ours, book, rtol=1e-10, atol=1e-13)
    _close(dense2.bias.grad, db2[0], rtol=1e-10, atol=1e-13)
    params = [W1, b1, W2, b2]
    for i, ours in enumerate(
        (dense1.weight.grad.T, dense1.bias.grad[None], dense2.weight.grad.T, dense2.bias.grad[None])
    ):
        numeric = numerical_gradient(lambda v, i=i: book_loss(params[:i] + [v] + params[i + 1 :]), params[i])
        _close(ours, numeric, rtol=1e-6, atol=1e-8)


def test_relu_backward_is_zero_where_the_input_is_zero_or_negative():
    inputs = np.array([[1.0, -2.0, 0.0, 3.0], [0.0, 0.5, -0.1, 0.0]])
    dvalues = np.arange(1.0, 9.0).reshape(2, 4)
    x = Tensor(inputs, requires_grad=True)
    F.relu(x).backward(Tensor(dvalues))
    _close(x.grad, book_relu_backward(inputs, dvalues), atol=0)


# -- chapters 10-14: the optimizers and regularization on the spiral --------------------------------------------


def book_gradients(features, y, params, wl1=0.0, wl2=0.0, bl1=0.0, bl2=0.0):
    """One full-batch forward and backward of the book's dense(2, 64) - ReLU - dense(64, 3) - softmax + CCE,
    regularizers on both dense layers as the book sets them on each; returns (loss incl. regularization, grads)."""
    W1, b1, W2, b2 = params
    z1 = features @ W1 + b1
    a1 = np.maximum(0, z1)
    out = book_softmax(a1 @ W2 + b2)
    reg = (wl1, wl2, bl1, bl2)
    loss = np.mean(book_cce_forward(out, y))
    loss += book_regularization_loss(W1, b1, *reg) + book_regularization_loss(W2, b2, *reg)
    dW2, db2, da1 = book_dense_backward(a1, W2, b2, book_softmax_cce_backward(out, y), *reg)
    dW1, db1, _ = book_dense_backward(features, W1, b1, book_relu_backward(z1, da1), *reg)
    return loss, [dW1, db1, dW2, db2]


class BookSGD:
    def __init__(self, learning_rate=1.0, decay=0.0, momentum=0.0):
        self.lr, self.current, self.decay, self.momentum, self.iterations = (
            learning_rate,
            learning_rate,
            decay,
            momentum,
            0,
        )
        self.v = None

    def step(self, params, grads):
        if self.decay:
            self.current = self.lr * (1.0 / (1.0 + self.decay * self.iterations))
        if self.v is None:
            self.v = [np.zeros_like(p) for p in params]
        for i, (p, g) in enumerate(zip(params, grads)):
            if self.momentum:
                self.v[i] = self.momentum * self.v[i] - self.current * g
                p += self.v[i]
            else:
                p += -self.current * g
        self.iterations += 1


class BookAdagrad:
    def __init__(self, learning_rate=1.0, decay=0.0, epsilon=1e-7):
        self.lr, self.current, self.decay, self.eps, self.iterations, self.cache = (
            learning_rate,
            learning_rate,
            decay,
            epsilon,
            0,
            None,
        )

    def step(self, params, grads):
        if self.decay:
            self.current = self.lr * (1.0 / (1.0 + self.decay * self.iterations))
        self.cache = self.cache or [np.zeros_like(p) for p in params]
        for p, g, c in zip(params, grads, self.cache):
            c += g**2
            p += -self.current * g / (np.sqrt(c) + self.eps)
        self.iterations += 1


class BookRMSprop:
    def __init__(self, learning_rate=0.001, decay=0.0, epsilon=1e-7, rho=0.9):
        self.lr, self.current, self.decay, self.eps, self.rho = learning_rate, learning_rate, decay, epsilon, rho
        self.iterations, self.cache = 0, None

    def step(self, params, grads):
        if self.decay:
            self.current = self.lr * (1.0 / (1.0 + self.decay * self.iterations))
        self.cache = self.cache or [np.zeros_like(p) for p in params]
        for i, (p, g) in enumerate(zip(params, grads)):
            self.cache[i] = self.rho * self.cache[i] + (1 - self.rho) * g**2
            p += -self.current * g / (np.sqrt(self.cache[i]) + self.eps)
        self.iterations += 1


class BookAdam:
    def __init__(self, learning_rate=0.001, decay=0.0, epsilon=1e-7, beta_1=0.9, beta_2=0.999):
        self.lr, self.current, self.decay, self.eps = learning_rate, learning_rate, decay, epsilon
        self.b1, self.b2, self.iterations, self.m, self.c = beta_1, beta_2, 0, None, None

    def step(self, params, grads):
        if self.decay:
            self.current = self.lr * (1.0 / (1.0 + self.decay * self.iterations))
        if self.m is None:
            self.m, self.c = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
        t = self.iterations + 1
        for i, (p, g) in enumerate(zip(params, grads)):
            self.m[i] = self.b1 * self.m[i] + (1 - self.b1) * g
            self.c[i] = self.b2 * self.c[i] + (1 - self.b2) * g**2
            m_hat, c_hat = self.m[i] / (1 - self.b1**t), self.c[i] / (1 - self.b2**t)
            p += -self.current * m_hat / (np.sqrt(c_hat) + self.eps)
        self.iterations += 1


def book_train(optimizer, steps, samples=100, hidden=64, **reg):
    X, y, params = _spiral_and_weights(samples=samples, hidden=hidden)
    losses = []
    for _ in range(steps):
        loss, grads = book_gradients(X, y, params, **reg)
        losses.append(loss)
        optimizer.step(params, grads)
    return params, losses


def library_train(make_optimizer, steps, decay=0.0, samples=100, hidden=64, wl1=0.0, wl2=0.0, bl1=0.0, bl2=0.0):
    """The same training with nn.Linear, F.relu, F.cross_entropy, an nn.optim optimizer made by
    ``make_optimizer(parameters)``, the book's decay as a LambdaLR, the regularization added to the loss."""
    X, y, (W1, b1, W2, b2) = _spiral_and_weights(samples=samples, hidden=hidden)
    dense1, dense2 = _linear(W1, b1), _linear(W2, b2)
    params = [dense1.weight, dense1.bias, dense2.weight, dense2.bias]
    optimizer = make_optimizer(params)
    scheduler = LambdaLR(optimizer, lambda iteration: 1.0 / (1.0 + decay * iteration)) if decay else None
    x, losses = Tensor(X), []
    for _ in range(steps):
        optimizer.zero_grad()
        logits = dense2(F.relu(dense1(x)))
        loss = F.cross_entropy(logits, y)  # the combined softmax + CCE backward, which ignores the clip
        with autograd.no_grad():  # the loss the book reports: its clipped CCE
            reported = -F.softmax(logits, dim=1).clip(1e-7, 1 - 1e-7)[range(len(y)), y].log().mean().item()
        for layer in (dense1, dense2):
            for strength_l1, strength_l2, p in ((wl1, wl2, layer.weight), (bl1, bl2, layer.bias)):
                if strength_l1:
                    loss = loss + strength_l1 * p.abs().sum()
                if strength_l2:
                    loss = loss + strength_l2 * (p * p).sum()
        reported += (loss - F.cross_entropy(logits, y)).item()  # the regularization
        losses.append(reported)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
    return [dense1.weight.data.T, dense1.bias.data[None], dense2.weight.data.T, dense2.bias.data[None]], losses


def _same_trajectory(book, ours, rtol=1e-9, atol=1e-12):
    (book_params, book_losses), (our_params, our_losses) = book, ours
    _close(our_losses, book_losses, rtol=rtol, atol=atol)
    for mine, theirs in zip(our_params, book_params):
        _close(mine, theirs, rtol=rtol, atol=atol)


STEPS = 300
# v = m v - lr g against lr (m b + g), and Adam's m_hat / (sqrt(v_hat) + eps) against torch's arrangement, round
# differently; 300 steps of this (chaotic, ReLU) training amplify that to about 3e-7 (torch's own trajectory is as
# far from the numpy); a wrong rule is off by far more from the first steps
ROUNDING = 1e-6
# Adam divides two near-zero moments of the dead ReLU units' gradients, which amplifies rounding faster: 120 steps
ADAM_STEPS = 120


def test_sgd_with_the_books_decay_is_lambda_lr_one_over_one_plus_decay_t():
    book = book_train(BookSGD(learning_rate=1.0, decay=1e-2), STEPS)
    _same_trajectory(book, library_train(lambda p: nn.optim.SGD(p, lr=1.0), STEPS, decay=1e-2))
    assert book[1][-1] < 0.99 * book[1][0]  # it trains


def test_sgd_momentum_without_decay_is_torch_momentum():
    book = book_train(BookSGD(learning_rate=1.0, momentum=0.9), STEPS)
    _same_trajectory(
        book, library_train(lambda p: nn.optim.SGD(p, lr=1.0, momentum=0.9), STEPS), rtol=ROUNDING, atol=1e-8
    )


def test_sgd_momentum_with_decay_differs_from_torch_as_documented():
    """Chapter 10's Optimizer_SGD(decay=1e-3, momentum=0.9): the book's buffer holds lr_t-scaled steps, torch's the
    raw gradients (scaled by the current lr at each step). The library follows torch: it equals the numpy of that
    rule, and differs from the book's."""

    class TorchRuleSGD(BookSGD):
        def step(self, params, grads):
            self.current = self.lr / (1.0 + self.decay * self.iterations)
            if self.v is None:
                self.v = [np.array(g, copy=True) for g in grads]
            else:
                for v, g in zip(self.v, grads):
                    v *= self.momentum
                    v += g
            for p, v in zip(params, self.v):
                p -= self.current * v
            self.iterations += 1

    decay, steps = 1e-1, 100
    ours = library_train(lambda p: nn.optim.SGD(p, lr=1.0, momentum=0.9), steps, decay=decay)
    _same_trajectory(book_train(TorchRuleSGD(learning_rate=1.0, decay=decay, momentum=0.9), steps), ours, rtol=1e-8)
    book_params, _ = book_train(BookSGD(learning_rate=1.0, decay=decay, momentum=0.9), steps)
    assert not np.allclose(ours[0][0], book_params[0], rtol=1e-3)


def test_adagrad_with_the_books_decay_is_torch_adagrad_lr_decay():
    book = book_train(BookAdagrad(learning_rate=1.0, decay=1e-4), STEPS)
    ours = library_train(lambda p: nn.optim.Adagrad(p, lr=1.0, lr_decay=1e-4, eps=1e-7), STEPS)
    _same_trajectory(book, ours)
    # and the same decay as a LambdaLR schedule
    ours = library_train(lambda p: nn.optim.Adagrad(p, lr=1.0, eps=1e-7), STEPS, decay=1e-4)
    _same_trajectory(book, ours)


def test_rmsprop_is_torch_rmsprop_with_alpha_rho_and_eps_outside_the_root():
    book = book_train(BookRMSprop(learning_rate=0.02, decay=1e-5, rho=0.999), STEPS)
    ours = library_train(lambda p: nn.optim.RMSprop(p, lr=0.02, alpha=0.999, eps=1e-7), STEPS, decay=1e-5)
    _same_trajectory(book, ours, rtol=ROUNDING, atol=1e-8)


def test_adam_with_bias_correction_and_eps_outside_is_torch_adam():
    book = book_train(BookAdam(learning_rate=0.05, decay=5e-7), ADAM_STEPS)
    ours = library_train(lambda p: nn.optim.Adam(p, lr=0.05, eps=1e-7), ADAM_STEPS, decay=5e-7)
    _same_trajectory(book, ours, rtol=ROUNDING, atol=1e-8)
    assert book[1][-1] < 0.8 * book[1][0]


def test_l2_regularization_added_to_the_loss_is_weight_decay_two_lambda():
    # chapter 14's Adam with 5e-4 on weights and biases
    reg = dict(wl2=5e-4, bl2=5e-4)
    book = book_train(BookAdam(learning_rate=0.02, decay=5e-7), 80, **reg)
    ours = library_train(lambda p: nn.optim.Adam(p, lr=0.02, eps=1e-7), 80, decay=5e-7, **reg)
    _same_trajectory(book, ours, rtol=ROUNDING, atol=1e-8)
    unregularized = book_train(BookAdam(learning_rate=0.02, decay=5e-7), 80)
    assert not np.allclose(unregularized[0][0], book[0][0], rtol=1e-4)
    # the penalty as weight_decay = 2 lambda: the same steps, the loss without the penalty
    ours = library_train(lambda p: nn.optim.Adam(p, lr=0.02, eps=1e-7, weight_decay=1e-3), 80, decay=5e-7)
    for mine, theirs in zip(ours[0], book[0]):
        _close(mine, theirs, rtol=ROUNDING, atol=1e-8)
    ours = library_train(lambda p: nn.optim.SGD(p, lr=1.0, weight_decay=1e-3), 50)
    for mine, theirs in zip(ours[0], book_train(BookSGD(learning_rate=1.0), 50, **reg)[0]):
        _close(mine, theirs, rtol=1e-9, atol=1e-13)


def test_l1_regularization_gradient_is_the_sign_and_differs_from_the_book_only_at_zero():
    rng = np.random.default_rng(4)
    weights = rng.normal(size=(3, 4))
    weights[0, 0] = 0.0
    biases = np.zeros((1, 4))
    biases[0, 1] = -0.5
    w, b = Tensor(weights, requires_grad=True), Tensor(biases, requires_grad=True)
    loss = 0.3 * w.abs().sum() + 0.2 * (w * w).sum() + 0.1 * b.abs().sum() + 0.05 * (b * b).sum()
    _close(loss, book_regularization_loss(weights, biases, 0.3, 0.2, 0.1, 0.05))
    loss.backward()
    zero_dvalues = np.zeros((2, 4))
    dW, db, _ = book_dense_backward(np.zeros((2, 3)), weights, biases, zero_dvalues, 0.3, 0.2, 0.1, 0.05)
    nonzero_w, nonzero_b = weights != 0, biases != 0
    _close(w.grad[nonzero_w], dW[nonzero_w])
    _close(b.grad[nonzero_b], db[nonzero_b])
    # at exactly 0: the book's +lambda, abs's derivative 0 (torch's sign(0))
    assert dW[0, 0] == pytest.approx(0.3) and w.grad[0, 0] == 0
    assert db[0, 0] == pytest.approx(0.1) and b.grad[0, 0] == 0
    _close(
        w.grad[nonzero_w],
        numerical_gradient(lambda v: book_regularization_loss(v, biases, 0.3, 0.2, 0.1, 0.05), weights)[nonzero_w],
        rtol=1e-7,
        atol=1e-9,
    )


# -- chapter 15: dropout --------------------------------------------------------------------------------------------


def test_dropout_mask_is_binary_scaled_by_one_over_keep_rate_and_is_its_own_gradient():
    rate, shape = 0.1, (300, 64)
    inputs = np.random.default_rng(5).normal(size=shape) + 5.0  # nonzero, so the mask is output / input
    layer = nn.Dropout(p=rate, rng=7)
    x = Tensor(inputs, requires_grad=True)
    out = layer(x)
    mask = out.data / inputs
    # the library's draw: kept where a uniform of its Generator is >= p
    expected = (np.random.default_rng(7).random(shape) >= rate) / (1 - rate)
    _close(mask, expected)
    # the book's mask, from np.random.binomial: the same two values, about the same share kept
    np.random.seed(0)
    book_mask = np.random.binomial(1, 1 - rate, size=shape) / (1 - rate)
    assert set(np.unique(book_mask)) == set(np.unique(expected)) == {0.0, 1 / (1 - rate)}
    assert abs((mask == 0).mean() - (book_mask == 0).mean()) < 0.01
    # book: dinputs = dvalues * binary_mask
    dvalues = np.random.default_rng(6).normal(size=shape)
    out.backward(Tensor(dvalues))
    _close(x.grad, dvalues * mask)
    # the functional spelling with the same seed draws the same mask; in eval mode the layer is the identity
    _close(F.dropout(Tensor(inputs), rate, training=True, rng=7), out.data)
    layer.eval()
    _close(layer(Tensor(inputs)), inputs, rtol=0, atol=0)


# -- chapter 16: binary logistic regression --------------------------------------------------------------------------


def test_sigmoid_binary_cross_entropy_forward_and_backward_with_the_books_clip():
    rng = np.random.default_rng(8)
    logits = rng.normal(size=(6, 2)) * 3
    y = rng.integers(0, 2, size=(6, 2)).astype(F64)
    out = 1 / (1 + np.exp(-logits))
    expected_loss = np.mean(book_bce(out, y))
    # the book's chain: BCE backward, then sigmoid's dvalues * (1 - out) * out
    expected_grad = book_bce_backward(out, y) * (1 - out) * out
    z = Tensor(logits, requires_grad=True)
    probs = F.sigmoid(z)
    clipped = probs.clip(1e-7, 1 - 1e-7)
    loss = -(Tensor(y) * clipped.log() + (1 - Tensor(y)) * (1 - clipped).log()).mean(dim=-1).mean()
    _close(loss, expected_loss)
    loss.backward()
    _close(z.grad, expected_grad)
    _close(
        z.grad, numerical_gradient(lambda v: np.mean(book_bce(1 / (1 + np.exp(-v)), y)), logits), rtol=1e-7, atol=1e-10
    )
    # torch's spellings (no clip needed here): BCE on the sigmoid, and the fused logits form
    _close(F.binary_cross_entropy(F.sigmoid(Tensor(logits)), Tensor(y)), expected_loss)
    z2 = Tensor(logits, requires_grad=True)
    F.binary_cross_entropy_with_logits(z2, Tensor(y)).backward()
    _close(z2.grad, expected_grad)
    # the book's binary accuracy: (output > 0.5) == y
    _close(((probs > 0.5).double() == Tensor(y)).double().mean(), np.mean((out > 0.5) * 1 == y))


def test_binary_logistic_regression_of_chapter_16_trains_as_the_books_numpy():
    np.random.seed(0)
    X, y = spiral_data(100, 2)
    y = y.reshape(-1, 1).astype(F64)
    W1, b1 = 0.01 * np.random.randn(2, 64), np.zeros((1, 64))
    W2, b2 = 0.01 * np.random.randn(64, 1), np.zeros((1, 1))
    params, opt = [W1, b1, W2, b2], BookAdam(decay=5e-7)
    dense1, dense2 = _linear(W1, b1), _linear(W2, b2)
    ours = [dense1.weight, dense1.bias, dense2.weight, dense2.bias]
    # chapter 16's dense1 has weight_regularizer_l2 = bias_regularizer_l2 = 5e-4: weight_decay 1e-3 on its group
    optimizer = nn.optim.Adam(
        [{"params": ours[:2], "weight_decay": 1e-3}, {"params": ours[2:], "weight_decay": 0.0}], lr=1e-3, eps=1e-7
    )
    scheduler = LambdaLR(optimizer, lambda t: 1 / (1 + 5e-7 * t))
    for _ in range(100):
        z1 = X @ params[0] + params[1]
        a1 = np.maximum(0, z1)
        out = 1 / (1 + np.exp(-(a1 @ params[2] + params[3])))
        book_loss = np.mean(book_bce(out, y)) + book_regularization_loss(params[0], params[1], wl2=5e-4, bl2=5e-4)
        d2 = book_bce_backward(out, y) * (1 - out) * out
        dW2, db2, da1 = book_dense_backward(a1, params[2], params[3], d2)
        dW1, db1, _ = book_dense_backward(X, params[0], params[1], book_relu_backward(z1, da1), wl2=5e-4, bl2=5e-4)

        optimizer.zero_grad()
        probs = F.sigmoid(dense2(F.relu(dense1(Tensor(X)))))
        loss = F.binary_cross_entropy(probs, Tensor(y))
        _close(
            loss.item() + 5e-4 * (ours[0] * ours[0]).sum().item() + 5e-4 * (ours[1] * ours[1]).sum().item(),
            book_loss,
            rtol=1e-9,
        )
        loss.backward()
        optimizer.step()
        scheduler.step()
        opt.step(params, [dW1, db1, dW2, db2])
    for mine, theirs in zip((dense1.weight.data.T, dense1.bias.data, dense2.weight.data.T, dense2.bias.data), params):
        _close(mine, theirs.reshape(mine.shape), rtol=ROUNDING, atol=1e-9)


# -- chapter 17: regression ------------------------------------------------------------------------------------------


def test_mse_and_mae_losses_and_their_backward_as_the_book():
    rng = np.random.default_rng(9)
    pred, y = rng.normal(size=(7, 2)), rng.normal(size=(7, 2))
    samples, outputs = pred.shape
    for ours_fn, book_loss, book_grad in (
        (F.mse_loss, np.mean(np.mean((y - pred) ** 2, axis=-1)), -2 * (y - pred) / outputs / samples),
        # the book prints np.sign(y_true - dvalues): the derivative of |y - p| in p is minus that (its erratum)
        (F.l1_loss, np.mean(np.mean(np.abs(y - pred), axis=-1)), -np.sign(y - pred) / outputs / samples),
    ):
        p = Tensor(pred, requires_grad=True)
        loss = ours_fn(p, Tensor(y))
        _close(loss, book_loss)
        loss.backward()
        _close(p.grad, book_grad)
        numeric = numerical_gradient(lambda v, f=ours_fn: f(Tensor(v), Tensor(y)).item(), pred)
        _close(p.grad, numeric, rtol=1e-6, atol=1e-9)
    # MAE at a zero residual: np.sign(0) = 0, as torch's l1_loss gradient
    p = Tensor(np.array([[1.0, 2.0]]), requires_grad=True)
    F.l1_loss(p, Tensor(np.array([[1.0, 3.0]]))).backward()
    _close(p.grad, [[0.0, -0.5]], atol=0)


def test_regression_accuracy_is_the_share_within_std_over_250():
    X, y = sine_data()
    precision = np.std(y) / 250
    predictions = y + np.where(np.arange(len(y))[:, None] % 3 == 0, 2 * precision, precision / 2)
    expected = np.mean(np.absolute(predictions - y) < precision)
    assert expected == pytest.approx(2 / 3, abs=1e-3)
    ours = ((Tensor(predictions) - Tensor(y)).abs() < Tensor(y).std(unbiased=False) / 250).double().mean()
    _close(ours, expected)


def test_sine_regression_of_chapter_17_trains_as_the_books_numpy():
    X, y = sine_data()
    np.random.seed(0)
    params = [0.1 * np.random.randn(1, 64), np.zeros((1, 64)), 0.1 * np.random.randn(64, 64), np.zeros((1, 64))]
    params += [0.1 * np.random.randn(64, 1), np.zeros((1, 1))]
    layers = [_linear(params[i], params[i + 1]) for i in (0, 2, 4)]
    optimizer = nn.optim.Adam([p for layer in layers for p in layer.parameters()], lr=0.005, eps=1e-7)
    scheduler = LambdaLR(optimizer, lambda t: 1 / (1 + 1e-3 * t))
    book_opt = BookAdam(learning_rate=0.005, decay=1e-3)
    for _ in range(100):
        z1 = X @ params[0] + params[1]
        a1 = np.maximum(0, z1)
        z2 = a1 @ params[2] + params[3]
        a2 = np.maximum(0, z2)
        out = a2 @ params[4] + params[5]
        book_loss = np.mean(np.mean((y - out) ** 2, axis=-1))
        d = -2 * (y - out) / out.shape[1] / len(out)
        dW3, db3, d = book_dense_backward(a2, params[4], params[5], d)
        dW2, db2, d = book_dense_backward(a1, params[2], params[3], book_relu_backward(z2, d))
        dW1, db1, _ = book_dense_backward(X, params[0], params[1], book_relu_backward(z1, d))

        optimizer.zero_grad()
        loss = F.mse_loss(layers[2](F.relu(layers[1](F.relu(layers[0](Tensor(X)))))), Tensor(y))
        _close(loss, book_loss, rtol=1e-9)
        loss.backward()
        optimizer.step()
        scheduler.step()
        book_opt.step(params, [dW1, db1, dW2, db2, dW3, db3])
    for layer, i in zip(layers, (0, 2, 4)):
        _close(layer.weight.data.T, params[i], rtol=ROUNDING, atol=1e-9)
        _close(layer.bias.data, params[i + 1][0], rtol=ROUNDING, atol=1e-9)


# -- chapters 18-21: the Model class, batches, saving and loading ----------------------------------------------------


def book_batches(features, y, batch_size):
    """Model.train's batching: ceil(len / batch_size) steps of consecutive slices, the last one shorter."""
    steps = len(features) // batch_size
    if steps * batch_size < len(features):
        steps += 1
    return [
        (features[s * batch_size : (s + 1) * batch_size], y[s * batch_size : (s + 1) * batch_size])
        for s in range(steps)
    ]


def test_model_training_in_batches_as_the_books_model_class():
    """Model.train(X, y, epochs=2, batch_size=128): per step forward, backward, optimizer pre/update/post; the epoch's
    loss and accuracy are the sums over its samples divided by their count (accumulated_sum / accumulated_count)."""
    X, y, params = _spiral_and_weights(samples=100, hidden=16)
    batch_size, epochs = 128, 2
    book_opt = BookAdam(learning_rate=0.05, decay=5e-5)
    book_epoch_losses, book_epoch_accs = [], []
    for _ in range(epochs):
        loss_sum = acc_sum = count = 0
        for batch_X, batch_y in book_batches(X, y, batch_size):
            z1 = batch_X @ params[0] + params[1]
            out = book_softmax(np.maximum(0, z1) @ params[2] + params[3])
            loss_sum += np.sum(book_cce_forward(out, batch_y))
            acc_sum += np.sum(np.argmax(out, axis=1) == batch_y)
            count += len(batch_y)
            _, grads = book_gradients(batch_X, batch_y, params)
            book_opt.step(params, grads)
        book_epoch_losses.append(loss_sum / count)
        book_epoch_accs.append(acc_sum / count)
    assert [len(b) for b, _ in book_batches(X, y, batch_size)] == [128, 128, 44]

    X, y, (W1, b1, W2, b2) = _spiral_and_weights(samples=100, hidden=16)
    model = nn.Sequential(_linear(W1, b1), nn.ReLU(), _linear(W2, b2))
    loader = nn.data.DataLoader(nn.data.TensorDataset(Tensor(X), Tensor(y.astype(np.int64))), batch_size=batch_size)
    assert [len(batch_y) for _, batch_y in loader] == [128, 128, 44]
    optimizer = nn.optim.Adam(model.parameters(), lr=0.05, eps=1e-7)
    scheduler = LambdaLR(optimizer, lambda t: 1 / (1 + 5e-5 * t))

    # the book's decay counts optimizer steps (iterations), not epochs: the scheduler steps after each optimizer step
    optimizer.register_step_post_hook(lambda opt, args, kwargs: scheduler.step())
    history = nn.fit(model, optimizer, F.cross_entropy, loader, epochs=epochs, progress=False)
    _close(history.train_loss, book_epoch_losses, rtol=1e-9)
    _close(history.train_acc, book_epoch_accs, rtol=1e-12)
    for mine, theirs in zip(
        (model[0].weight.data.T, model[0].bias.data, model[2].weight.data.T, model[2].bias.data), params
    ):
        _close(mine, theirs.reshape(mine.shape), rtol=1e-9, atol=1e-12)


def test_saving_and_loading_parameters_and_the_whole_model(tmp_path):
    """Chapter 21: get_parameters / set_parameters / save_parameters / load_parameters and Model.save / Model.load:
    state_dict holds each layer's weights and biases (the book's, transposed), and both round trips predict the same."""
    X, y, params = _spiral_and_weights(hidden=16)
    params[1] = np.random.randn(*params[1].shape)
    model = nn.Sequential(_linear(params[0], params[1]), nn.ReLU(), _linear(params[2], params[3]))
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    for (name, value), book in zip(state.items(), params):
        _close(
            np.asarray(value.data if isinstance(value, Tensor) else value),
            book.T if name.endswith("weight") else book[0],
        )
    expected = book_softmax(np.maximum(0, X @ params[0] + params[1]) @ params[2] + params[3])

    nn.save(model.state_dict(), tmp_path / "fashion_mnist.parms")
    fresh = nn.Sequential(nn.Linear(2, 16, dtype=F64), nn.ReLU(), nn.Linear(16, 3, dtype=F64))
    fresh.load_state_dict(nn.load(tmp_path / "fashion_mnist.parms"))
    _close(F.softmax(fresh(Tensor(X)), dim=1), expected)

    nn.save(model, tmp_path / "fashion_mnist.model")
    loaded = nn.load(tmp_path / "fashion_mnist.model", weights_only=False)
    _close(F.softmax(loaded(Tensor(X)), dim=1), expected)
    # the copy is independent of the original (the book deep-copies the model before saving)
    with autograd.no_grad():
        model[0].weight.data[...] = 0.0
    _close(F.softmax(loaded(Tensor(X)), dim=1), expected)


def test_the_books_numpy_spelling_on_tensors_records_the_same_gradients():
    """Students keep the book's np.dot / np.maximum / np.exp / np.clip / np.log / np.mean on Tensors: numpy hands
    them to the library (__array_function__ / __array_ufunc__), so backward() gives the book's combined gradient."""
    X, y, (W1, b1, W2, b2) = _spiral_and_weights(samples=10, hidden=8)
    W1, W2 = W1 * 100, W2 * 100
    w1, w2 = Tensor(W1, requires_grad=True), Tensor(W2, requires_grad=True)
    hidden = np.maximum(0, np.dot(Tensor(X), w1) + b1)
    logits = np.dot(hidden, w2) + b2
    exp_values = np.exp(logits - np.max(logits, axis=1, keepdims=True))
    probabilities = exp_values / np.sum(exp_values, axis=1, keepdims=True)
    loss = np.mean(-np.log(np.clip(probabilities, 1e-7, 1 - 1e-7)[range(len(y)), y]))
    assert isinstance(loss, Tensor)
    z1 = X @ W1 + b1
    out = book_softmax(np.maximum(0, z1) @ W2 + b2)
    _close(loss, np.mean(book_cce_forward(out, y)))
    loss.backward()
    dW2, _, da1 = book_dense_backward(np.maximum(0, z1), W2, b2, book_softmax_cce_backward(out, y))
    dW1, _, _ = book_dense_backward(X, W1, b1, book_relu_backward(z1, da1))
    _close(w2.grad, dW2, rtol=1e-10, atol=1e-13)
    _close(w1.grad, dW1, rtol=1e-10, atol=1e-13)
    assert np.mean(np.argmax(probabilities, axis=1) == y) == np.mean(np.argmax(out, axis=1) == y)
