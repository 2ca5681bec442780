"""Michael Nielsen's "Neural Networks and Deep Learning" code (mnielsen/neural-networks-and-deep-learning,
``src/network.py`` and ``src/network2.py``), rewritten with the library.

The reference here is his hand-written backpropagation, written again in plain numpy after the book's four
equations (BP1-BP4) as his ``backprop`` spells them: column vectors, ``z = w a + b``, ``delta_L = cost.delta(z, a,
y)``, ``delta_l = (w_{l+1}^T delta_{l+1}) * sigmoid'(z_l)``, ``nabla_b = delta``, ``nabla_w = delta a_{l-1}^T``, summed
over a mini-batch, then ``update_mini_batch``'s step ``w <- (1 - eta lmbda / n) w - (eta / m) nabla_w``,
``b <- b - (eta / m) nabla_b``. The same network is built twice with the library, from the same initial weights
(his two initialisers, drawn with his ``np.random`` calls): once as ``nn.scalar.MLP`` of sigmoid ``Value`` neurons,
one sample at a time as his code goes, and once as ``nn.Linear`` layers on a batch ``Tensor`` trained by
``nn.optim.SGD``; the gradients must equal his ``nabla_b``/``nabla_w`` and a few epochs of mini-batch SGD over the
same shuffled mini-batches must follow his weights to float64 rounding. His numpy spelling itself (``np.dot``,
``np.exp``, ``np.linalg.norm``, ``np.nan_to_num``) is also run on Tensor weights, and network2's JSON ``save``/``load``
goes through ``state_dict``. From the book's text (not in the code files) come chapter 3's softmax output layer with
the log-likelihood cost (delta_L = a - y) and its L1 rule ``w -> w - (eta lmbda / n) sgn(w) - eta dC0/dw``, and
chapter 5's vanishing gradient (the hidden layers' ||nabla_b|| growing towards the output).

Left out: ``network3.py`` (Theano convolutional networks and its GPU switch), ``mnist_loader.py`` and
``expand_mnist.py`` (the MNIST files; small synthetic data of the same (x, y) column form stands in), and the
``SGD`` methods' monitoring prints.

Where the book's conventions differ from torch's (which the library follows):

- layout: his weights are (out, in), as ``nn.Linear.weight``; his biases are (out, 1) column vectors, ours (out,);
  his samples are (in, 1) columns, a batch here is (m, in) rows;
- the cost: his C = (1/n) sum_x C_x with his update dividing the summed gradient by the mini-batch size m, which
  is the gradient of the mini-batch *mean* of C_x, so the library's loss is the per-sample cost summed over the
  outputs and averaged over the batch (``F.mse_loss(reduction="sum") / 2 / m`` for the quadratic cost);
- L2 regularisation: his weight decay ``(1 - eta lmbda / n) w`` is SGD's ``weight_decay=lmbda / n`` (the decay
  is added to the gradient before the step, the same update up to rounding), on the weights only (his biases are
  not decayed: a parameter group with ``weight_decay=0``);
- the cross-entropy cost: his ``CrossEntropyCost.delta`` returns ``a - y`` without the ``sigmoid'`` factor (it
  cancels); autograd through ``log(sigmoid(z))`` gets the same delta with other roundings, and
  ``F.binary_cross_entropy_with_logits`` gets it from ``z`` directly. His ``fn`` uses ``np.nan_to_num``: where
  ``a`` saturates at exactly 1 with ``y = 0`` his cost is 1.8e308, torch's (and the library's)
  ``binary_cross_entropy`` clamps the log at -100 and gives 100; both give 0 for ``a = y`` in {0, 1};
- the sigmoid: his ``1 / (1 + exp(-z))`` warns of overflow for z < -709 (numpy); the library's sigmoid gives the
  same 0 without a warning;
- initialisers: his ``default_weight_initializer`` (N(0, 1/fan_in) weights, N(0, 1) biases) is
  ``nn.init.kaiming_normal_(w, nonlinearity="linear")`` in distribution (torch's draws differ from numpy's
  ``randn``), so the port draws his weights with his numpy calls and copies them in, and checks the scale only;
- ``random.shuffle(training_data)``: the mini-batches' order comes from one shuffled index list given to both.
"""

from __future__ import annotations

import json
import random
import warnings

import numpy as np
import pytest

import nn
import nn.functional as F
import nn.scalar
from autograd import Tensor

F64 = np.float64


# -- his network, in numpy ------------------------------------------------------------------------------------------


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


def quadratic_delta(z, a, y):
    return (a - y) * sigmoid_prime(z)


def cross_entropy_delta(z, a, y):
    return a - y


DELTAS = {"quadratic": quadratic_delta, "cross_entropy": cross_entropy_delta}


def default_initializer(sizes):
    """network2's default: biases N(0, 1), weights N(0, 1) / sqrt(fan_in), in his order (all biases first)."""
    biases = [np.random.randn(y, 1) for y in sizes[1:]]
    weights = [np.random.randn(y, x) / np.sqrt(x) for x, y in zip(sizes[:-1], sizes[1:])]
    return biases, weights


def large_initializer(sizes):
    """network.py's (and network2's large_weight_initializer): everything N(0, 1)."""
    biases = [np.random.randn(y, 1) for y in sizes[1:]]
    weights = [np.random.randn(y, x) for x, y in zip(sizes[:-1], sizes[1:])]
    return biases, weights


def nielsen_backprop(biases, weights, x, y, cost):
    """One sample's (nabla_b, nabla_w), as his backprop: a forward pass keeping every z and activation, then the
    output error and its propagation backwards, layer by layer."""
    activation, activations, zs = x, [x], []
    for b, w in zip(biases, weights):
        z = w @ activation + b
        zs.append(z)
        activation = sigmoid(z)
        activations.append(activation)
    nabla_b = [None] * len(biases)
    nabla_w = [None] * len(weights)
    delta = DELTAS[cost](zs[-1], activations[-1], y)
    nabla_b[-1] = delta
    nabla_w[-1] = delta @ activations[-2].T
    for layer in range(2, len(weights) + 1):
        delta = (weights[-layer + 1].T @ delta) * sigmoid_prime(zs[-layer])
        nabla_b[-layer] = delta
        nabla_w[-layer] = delta @ activations[-layer - 1].T
    return nabla_b, nabla_w


def nielsen_batch_gradient(biases, weights, batch, cost):
    """update_mini_batch's summed nabla_b and nabla_w over the (x, y) pairs of a mini-batch."""
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    for x, y in batch:
        delta_b, delta_w = nielsen_backprop(biases, weights, x, y, cost)
        nabla_b = [nb + dnb for nb, dnb in zip(nabla_b, delta_b)]
        nabla_w = [nw + dnw for nw, dnw in zip(nabla_w, delta_w)]
    return nabla_b, nabla_w


def nielsen_update(biases, weights, batch, eta, cost, lmbda=0.0, n=1):
    nabla_b, nabla_w = nielsen_batch_gradient(biases, weights, batch, cost)
    m = len(batch)
    weights = [(1 - eta * (lmbda / n)) * w - (eta / m) * nw for w, nw in zip(weights, nabla_w)]
    biases = [b - (eta / m) * nb for b, nb in zip(biases, nabla_b)]
    return biases, weights


def nielsen_feedforward(biases, weights, a):
    for b, w in zip(biases, weights):
        a = sigmoid(w @ a + b)
    return a


def nielsen_total_cost(biases, weights, data, lmbda, cost):
    """network2's total_cost: the mean per-sample cost plus 0.5 (lmbda / n) sum ||w||^2."""
    total = 0.0
    for x, y in data:
        a = nielsen_feedforward(biases, weights, x)
        if cost == "quadratic":
            total += 0.5 * np.linalg.norm(a - y) ** 2 / len(data)
        else:
            total += np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a))) / len(data)
    return total + 0.5 * (lmbda / len(data)) * sum(np.linalg.norm(w) ** 2 for w in weights)


# -- data -----------------------------------------------------------------------------------------------------------


def synthetic_data(n, sizes, seed, one_hot=True):
    """n samples as his (x, y) column pairs: x uniform in [0, 1), y a one-hot vector of the class of x (the
    largest of a fixed random projection), the shape of his MNIST wrapper's training data."""
    rng = np.random.default_rng(seed)
    xs = rng.random((n, sizes[0]))
    labels = np.argmax(xs @ rng.standard_normal((sizes[0], sizes[-1])), axis=1)
    ys = np.eye(sizes[-1])[labels]
    return [(x.reshape(-1, 1), y.reshape(-1, 1)) for x, y in zip(xs, ys)], xs, ys, labels


def his_network(sizes, seed, initializer=default_initializer):
    np.random.seed(seed)
    return initializer(sizes)


# -- the library's two spellings of his network ----------------------------------------------------------------------


def scalar_network(biases, weights):
    """nn.scalar.MLP of sigmoid neurons carrying his weights (neuron j of layer l: row j of w_l, entry j of b_l)."""
    sizes = [weights[0].shape[1], *(w.shape[0] for w in weights)]
    mlp = nn.scalar.MLP(sizes[0], sizes[1:], activation="sigmoid", output_activation="sigmoid", seed=0)
    for layer, b, w in zip(mlp.layers, biases, weights):
        for j, neuron in enumerate(layer.neurons):
            neuron.b.data = float(b[j, 0])
            for k, weight in enumerate(neuron.w):
                weight.data = float(w[j, k])
    return mlp


def scalar_cost(outputs, y, cost):
    y = y.ravel().tolist()
    if cost == "quadratic":
        return 0.5 * sum((a - t) ** 2 for a, t in zip(outputs, y))
    return sum(-t * a.log() - (1 - t) * (1 - a).log() for a, t in zip(outputs, y))


def scalar_gradients(mlp):
    nabla_b = [np.array([[n.b.grad] for n in layer.neurons]) for layer in mlp.layers]
    nabla_w = [np.array([[w.grad for w in n.w] for n in layer.neurons]) for layer in mlp.layers]
    return nabla_b, nabla_w


def scalar_weights(mlp):
    biases = [np.array([[n.b.data] for n in layer.neurons]) for layer in mlp.layers]
    weights = [np.array([[w.data for w in n.w] for n in layer.neurons]) for layer in mlp.layers]
    return biases, weights


def tensor_network(biases, weights):
    layers = []
    for b, w in zip(biases, weights):
        linear = nn.Linear(w.shape[1], w.shape[0], dtype=F64)
        linear.weight.data = w.copy()
        linear.bias.data = b.ravel().copy()
        layers += [linear, nn.Sigmoid()]
    return nn.Sequential(*layers)


def linears(model):
    return [m for m in model if isinstance(m, nn.Linear)]


def tensor_loss(model, xs, ys, cost):
    """The mini-batch mean of his per-sample cost C_x (summed over the output units)."""
    a = model(Tensor(xs))
    target = Tensor(ys)
    if cost == "quadratic":
        return F.mse_loss(a, target, reduction="sum") / (2 * len(xs))
    return F.binary_cross_entropy(a, target, reduction="sum") / len(xs)


def assert_layers_close(ours, his, rtol=1e-12, atol=1e-14):
    assert len(ours) == len(his)
    for got, want in zip(ours, his):
        np.testing.assert_allclose(np.asarray(got).reshape(want.shape), want, rtol=rtol, atol=atol)


SIZES = [4, 5, 3, 2]


# -- gradients of one sample and of one mini-batch ------------------------------------------------------------------


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
@pytest.mark.parametrize("initializer", [default_initializer, large_initializer])
def test_scalar_mlp_backprop_gives_his_nabla_b_and_nabla_w_for_one_sample(cost, initializer):
    biases, weights = his_network(SIZES, 3, initializer)
    data = synthetic_data(3, SIZES, 0)[0]
    for x, y in data:
        mlp = scalar_network(biases, weights)
        scalar_cost(mlp(x.ravel().tolist()), y, cost).backward()
        nabla_b, nabla_w = nielsen_backprop(biases, weights, x, y, cost)
        ours_b, ours_w = scalar_gradients(mlp)
        assert_layers_close(ours_b, nabla_b, rtol=1e-10)
        assert_layers_close(ours_w, nabla_w, rtol=1e-10)


def test_scalar_mlp_forward_is_his_feedforward():
    biases, weights = his_network(SIZES, 4)
    mlp = scalar_network(biases, weights)
    for x, _ in synthetic_data(4, SIZES, 1)[0]:
        want = nielsen_feedforward(biases, weights, x).ravel()
        np.testing.assert_allclose([a.data for a in mlp(x.ravel().tolist())], want, rtol=1e-14)


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_batched_linear_layers_give_his_mini_batch_gradient(cost):
    biases, weights = his_network(SIZES, 5)
    batch, xs, ys, _ = synthetic_data(6, SIZES, 2)
    model = tensor_network(biases, weights)
    tensor_loss(model, xs, ys, cost).backward()
    nabla_b, nabla_w = nielsen_batch_gradient(biases, weights, batch, cost)
    m = len(batch)
    assert_layers_close([lin.bias.grad for lin in linears(model)], [nb / m for nb in nabla_b], rtol=1e-10)
    assert_layers_close([lin.weight.grad for lin in linears(model)], [nw / m for nw in nabla_w], rtol=1e-10)


def test_cross_entropy_from_logits_has_his_output_delta_a_minus_y():
    # his CrossEntropyCost.delta ignores z: dC/dz_L = a - y; the logits form computes the same derivative
    np.random.seed(6)
    z = np.random.randn(5, 3) * 4
    y = (np.random.rand(5, 3) > 0.5).astype(F64)
    logits = Tensor(z, requires_grad=True)
    F.binary_cross_entropy_with_logits(logits, Tensor(y), reduction="sum").backward()
    np.testing.assert_allclose(logits.grad, cross_entropy_delta(z, sigmoid(z), y), rtol=1e-12, atol=1e-15)


def test_quadratic_output_delta_is_a_minus_y_times_sigmoid_prime():
    np.random.seed(7)
    z = np.random.randn(4, 3)
    y = np.random.rand(4, 3)
    zt = Tensor(z, requires_grad=True)
    (0.5 * ((zt.sigmoid() - Tensor(y)) ** 2).sum()).backward()
    np.testing.assert_allclose(zt.grad, quadratic_delta(z, sigmoid(z), y), rtol=1e-12)


def test_sigmoid_prime_is_the_derivative_of_the_sigmoid_tensor():
    z = np.linspace(-30, 30, 61)
    zt = Tensor(z, requires_grad=True)
    zt.sigmoid().sum().backward()
    np.testing.assert_allclose(zt.grad, sigmoid_prime(z), rtol=1e-12, atol=1e-300)


def test_sigmoid_saturates_without_the_overflow_warning_his_exp_gives():
    z = np.array([-800.0, -50.0, 0.0, 50.0, 800.0])
    with np.errstate(over="ignore"):
        want = sigmoid(z)
    zt = Tensor(z, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = zt.sigmoid()
        out.sum().backward()
    np.testing.assert_allclose(out.data, want, rtol=1e-15, atol=0)
    with np.errstate(over="ignore"):
        np.testing.assert_allclose(zt.grad, sigmoid_prime(z), rtol=1e-12, atol=0)


# -- costs ----------------------------------------------------------------------------------------------------------


def test_quadratic_cost_is_half_the_summed_squared_error():
    np.random.seed(8)
    a, y = np.random.rand(5, 1), np.random.rand(5, 1)
    got = F.mse_loss(Tensor(a), Tensor(y), reduction="sum") / 2
    assert float(got.item()) == pytest.approx(0.5 * np.linalg.norm(a - y) ** 2, rel=1e-14)


def test_cross_entropy_cost_is_binary_cross_entropy_summed():
    np.random.seed(9)
    a, y = np.random.rand(6, 1) * 0.98 + 0.01, (np.random.rand(6, 1) > 0.5).astype(F64)
    got = F.binary_cross_entropy(Tensor(a), Tensor(y), reduction="sum")
    want = np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a)))
    assert float(got.item()) == pytest.approx(want, rel=1e-13)


def test_cross_entropy_cost_where_his_nan_to_num_gives_zero():
    # a == y in {0, 1}: 0 * log(0) is nan for him, turned to 0; torch's clamp of the log gives 0 too
    a, y = np.array([1.0, 0.0, 0.5]), np.array([1.0, 0.0, 1.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        want = np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = F.binary_cross_entropy(Tensor(a), Tensor(y), reduction="sum")
    assert float(got.item()) == pytest.approx(want, rel=1e-14)


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_total_cost_with_l2_term_matches_his_total_cost(cost):
    biases, weights = his_network(SIZES, 10)
    data, xs, ys, _ = synthetic_data(7, SIZES, 3)
    lmbda = 0.7
    model = tensor_network(biases, weights)
    penalty = sum((lin.weight**2).sum() for lin in linears(model))
    ours = tensor_loss(model, xs, ys, cost) + 0.5 * (lmbda / len(data)) * penalty
    want = nielsen_total_cost(biases, weights, data, lmbda, cost)
    assert float(ours.item()) == pytest.approx(want, rel=1e-13)


def test_accuracy_counts_argmax_matches_as_his_evaluate():
    biases, weights = his_network(SIZES, 11)
    data, xs, _, labels = synthetic_data(20, SIZES, 4)
    his = sum(int(np.argmax(nielsen_feedforward(biases, weights, x)) == label) for (x, _), label in zip(data, labels))
    model = tensor_network(biases, weights)
    ours = int((model(Tensor(xs)).argmax(1) == Tensor(labels)).sum().item())
    assert ours == his


# -- initialisers ---------------------------------------------------------------------------------------------------


def test_default_initializer_scale_is_kaiming_normal_with_linear_gain():
    # his weights: N(0, 1 / fan_in); torch's kaiming_normal_(nonlinearity="linear", mode="fan_in") draws the same law
    fan_in, fan_out = 400, 300
    np.random.seed(12)
    his = np.random.randn(fan_out, fan_in) / np.sqrt(fan_in)
    w = Tensor(np.empty((fan_out, fan_in)))
    nn.init.kaiming_normal_(w, nonlinearity="linear")
    expected_std = 1 / np.sqrt(fan_in)
    # 120000 draws: the sample std is within 1% of sigma with overwhelming probability
    assert his.std() == pytest.approx(expected_std, rel=0.01)
    assert float(np.asarray(w.data).std()) == pytest.approx(expected_std, rel=0.01)
    assert abs(float(np.asarray(w.data).mean())) < 5 * expected_std / np.sqrt(w.data.size)


# -- training: update_mini_batch and SGD over epochs ----------------------------------------------------------------


def mini_batches(n, size, epochs, seed):
    """His SGD's batches: each epoch random.shuffle the data and cut it into consecutive mini-batches."""
    rng = random.Random(seed)
    order = list(range(n))
    epochs_batches = []
    for _ in range(epochs):
        rng.shuffle(order)
        epochs_batches.append([order[k : k + size] for k in range(0, n, size)])
    return epochs_batches


def library_sgd(model, eta, lmbda, n):
    lins = linears(model)
    return nn.optim.SGD(
        [
            {"params": [lin.weight for lin in lins], "weight_decay": lmbda / n},
            {"params": [lin.bias for lin in lins], "weight_decay": 0.0},
        ],
        lr=eta,
    )


@pytest.mark.parametrize(
    ("cost", "initializer", "lmbda"),
    [
        ("quadratic", large_initializer, 0.0),  # network.py
        ("cross_entropy", default_initializer, 0.0),  # network2 without regularisation
        ("cross_entropy", default_initializer, 5.0),  # network2 with L2
        ("quadratic", default_initializer, 2.0),  # network2's QuadraticCost with L2
    ],
)
def test_mini_batch_sgd_with_nn_optim_follows_his_weights(cost, initializer, lmbda):
    n, size, epochs, eta = 23, 5, 4, 3.0  # the last mini-batch of each epoch is short, as in his slicing
    biases, weights = his_network(SIZES, 13, initializer)
    data, xs, ys, _ = synthetic_data(n, SIZES, 5)
    model = tensor_network(biases, weights)
    optimizer = library_sgd(model, eta, lmbda, n)
    initial = [w.copy() for w in weights]
    for epoch in mini_batches(n, size, epochs, seed=14):
        for batch in epoch:
            biases, weights = nielsen_update(biases, weights, [data[i] for i in batch], eta, cost, lmbda, n)
            optimizer.zero_grad()
            tensor_loss(model, xs[batch], ys[batch], cost).backward()
            optimizer.step()
        assert_layers_close([lin.weight.data for lin in linears(model)], weights, rtol=1e-13, atol=1e-15)
        assert_layers_close([lin.bias.data for lin in linears(model)], biases, rtol=1e-13, atol=1e-15)
    assert max(np.abs(w - w0).max() for w, w0 in zip(weights, initial)) > 0.1  # it did train


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
@pytest.mark.parametrize("stepper", ["by-hand", "nn.optim.SGD"])
def test_scalar_mlp_trained_with_sgd_follows_his_update_mini_batch(cost, stepper):
    sizes = [3, 4, 2]
    n, size, eta, lmbda = 10, 4, 2.0, 1.5
    biases, weights = his_network(sizes, 15)
    data = synthetic_data(n, sizes, 6)[0]
    mlp = scalar_network(biases, weights)
    weight_values = [w for layer in mlp.layers for neuron in layer.neurons for w in neuron.w]
    bias_values = [neuron.b for layer in mlp.layers for neuron in layer.neurons]
    groups = [{"params": weight_values, "weight_decay": lmbda / n}, {"params": bias_values, "weight_decay": 0.0}]
    optimizer = nn.optim.SGD(groups, lr=eta)
    weight_ids = {id(w) for w in weight_values}
    for epoch in mini_batches(n, size, 2, seed=16):
        for batch in epoch:
            pairs = [data[i] for i in batch]
            biases, weights = nielsen_update(biases, weights, pairs, eta, cost, lmbda, n)
            optimizer.zero_grad()
            loss = sum(scalar_cost(mlp(x.ravel().tolist()), y, cost) for x, y in pairs) / len(pairs)
            loss.backward()
            if stepper == "nn.optim.SGD":
                optimizer.step()
                continue
            for p in mlp.parameters():
                decay = lmbda / n * p.data if id(p) in weight_ids else 0.0
                p.data -= eta * (p.grad + decay)
        ours_b, ours_w = scalar_weights(mlp)
        assert_layers_close(ours_b, biases, rtol=1e-13, atol=1e-15)
        assert_layers_close(ours_w, weights, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("cost", ["quadratic", "cross_entropy"])
def test_his_numpy_forward_and_cost_run_on_tensor_weights_give_his_gradient(cost):
    # his own spelling, np.dot / np.exp / np.linalg.norm / np.nan_to_num, applied to Tensors, one sample (x, y)
    biases, weights = his_network(SIZES, 17)
    (x, y), *_ = synthetic_data(1, SIZES, 7)[0]
    tensors_b = [Tensor(b, requires_grad=True) for b in biases]
    tensors_w = [Tensor(w, requires_grad=True) for w in weights]
    a = x
    for b, w in zip(tensors_b, tensors_w):
        a = 1.0 / (1.0 + np.exp(-(np.dot(w, a) + b)))
    if cost == "quadratic":
        c = 0.5 * np.linalg.norm(a - y) ** 2
    else:
        c = np.sum(np.nan_to_num(-y * np.log(a) - (1 - y) * np.log(1 - a)))
    assert isinstance(c, Tensor)
    c.backward()
    nabla_b, nabla_w = nielsen_backprop(biases, weights, x, y, cost)
    assert_layers_close([t.grad for t in tensors_b], nabla_b, rtol=1e-10)
    assert_layers_close([t.grad for t in tensors_w], nabla_w, rtol=1e-10)


def test_save_and_load_through_json_as_network2_does_keeps_the_network():
    # network2.save writes sizes, weights and biases as nested lists to JSON; load rebuilds the arrays
    biases, weights = his_network(SIZES, 18)
    model = tensor_network(biases, weights)
    saved = json.dumps({"sizes": SIZES, **{name: value.tolist() for name, value in model.state_dict().items()}})
    loaded = json.loads(saved)
    fresh = tensor_network(*his_network(SIZES, 19))
    fresh.load_state_dict({name: Tensor(np.array(loaded[name])) for name in model.state_dict()})
    xs = synthetic_data(5, SIZES, 8)[1]
    want = np.hstack([nielsen_feedforward(biases, weights, x.reshape(-1, 1)) for x in xs]).T
    np.testing.assert_array_equal(fresh(Tensor(xs)).data, model(Tensor(xs)).data)
    np.testing.assert_allclose(fresh(Tensor(xs)).data, want, rtol=1e-14)


# -- chapter 3's other costs and regularisers, written after the book's equations -----------------------------------


def softmax_columns(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def test_softmax_output_layer_with_log_likelihood_has_delta_a_minus_y():
    # chapter 3: a softmax output layer and C = -ln a_y give delta_L = a - y; sigmoid hidden layers as before
    biases, weights = his_network(SIZES, 20)
    batch, xs, ys, labels = synthetic_data(5, SIZES, 9)
    nabla_b = [np.zeros(b.shape) for b in biases]
    nabla_w = [np.zeros(w.shape) for w in weights]
    for x, y in batch:
        activations, zs = [x], []
        for b, w in zip(biases, weights):
            zs.append(w @ activations[-1] + b)
            activations.append(sigmoid(zs[-1]))
        delta = softmax_columns(zs[-1]) - y
        for layer in range(1, len(weights) + 1):
            if layer > 1:
                delta = (weights[-layer + 1].T @ delta) * sigmoid_prime(zs[-layer])
            nabla_b[-layer] += delta
            nabla_w[-layer] += delta @ activations[-layer - 1].T
    model = tensor_network(biases, weights)
    logits = model[:-1](Tensor(xs))  # the last sigmoid replaced by the softmax inside cross_entropy
    F.cross_entropy(logits, Tensor(labels), reduction="sum").backward()
    assert_layers_close([lin.bias.grad for lin in linears(model)], nabla_b, rtol=1e-10, atol=1e-14)
    assert_layers_close([lin.weight.grad for lin in linears(model)], nabla_w, rtol=1e-10, atol=1e-14)


def test_l1_regularised_sgd_step_is_his_sign_rule():
    # chapter 3: w -> w - (eta lmbda / n) sgn(w) - eta dC0/dw, with sgn(0) = 0; here through autograd's abs
    n, eta, lmbda = 12, 0.5, 3.0
    biases, weights = his_network(SIZES, 21)
    weights[0][0, 0] = 0.0  # where sgn is 0 (as numpy's and torch's sign)
    batch, xs, ys, _ = synthetic_data(4, SIZES, 10)
    nabla_b, nabla_w = nielsen_batch_gradient(biases, weights, batch, "cross_entropy")
    m = len(batch)
    want_w = [w - eta * (lmbda / n) * np.sign(w) - (eta / m) * nw for w, nw in zip(weights, nabla_w)]
    want_b = [b - (eta / m) * nb for b, nb in zip(biases, nabla_b)]
    model = tensor_network(biases, weights)
    optimizer = nn.optim.SGD(model.parameters(), lr=eta)
    penalty = sum(lin.weight.abs().sum() for lin in linears(model))
    (tensor_loss(model, xs, ys, "cross_entropy") + (lmbda / n) * penalty).backward()
    optimizer.step()
    assert_layers_close([lin.weight.data for lin in linears(model)], want_w, rtol=1e-12, atol=1e-15)
    assert_layers_close([lin.bias.data for lin in linears(model)], want_b, rtol=1e-12, atol=1e-15)
    assert linears(model)[0].weight.data[0, 0] == pytest.approx(-(eta / m) * nabla_w[0][0, 0], rel=1e-12)


def test_gradients_shrink_towards_the_input_layers_of_a_deep_sigmoid_network():
    # chapter 5's vanishing gradient: ||nabla_b|| per hidden layer, his numbers and ours, smaller further back
    sizes = [12, 10, 10, 10, 10, 3]
    biases, weights = his_network(sizes, 22)
    batch, xs, ys, _ = synthetic_data(30, sizes, 11)
    nabla_b, _ = nielsen_batch_gradient(biases, weights, batch, "quadratic")
    model = tensor_network(biases, weights)
    (tensor_loss(model, xs, ys, "quadratic") * len(batch)).backward()
    ours = [np.linalg.norm(lin.bias.grad) for lin in linears(model)]
    np.testing.assert_allclose(ours, [np.linalg.norm(nb) for nb in nabla_b], rtol=1e-10)
    hidden = ours[:-1]
    assert hidden == sorted(hidden)  # each hidden layer learns more slowly than the one after it
