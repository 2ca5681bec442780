"""The numpy assignments of Andrew Ng's Deep Learning Specialization (course 1, course 2 and course 4 week 1)
reproduced with the library: each test builds the assignment's inputs as its test case does (``np.random.seed``)
and checks the library's equivalent against the numbers the notebook prints as its expected output.

Conventions that differ from torch's and are bridged here: the course stores W as (n_l, n_{l-1}) (as
``nn.Linear.weight``) and X as (features, examples) (so ``W @ X + b``, or a layer applied to ``X.T``); its images are
(m, n_H, n_W, n_C) (``permute(0, 3, 1, 2)`` to torch's layout) and its filters (f, f, n_C_prev, n_C); its gradients
dW, db carry the 1/m of the cost while its dA, dZ do not (autograd seeded with dZ / m gives dW and db, and m times
dA_prev); its momentum is v = beta v + (1 - beta) dW, which is torch's SGD momentum with lr (1 - beta); its L2 term
lambd / (2m) sum W^2 is torch's weight_decay = lambd / m on the weights only.
"""

import math

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor


def _leaf(array):
    return Tensor(np.asarray(array, dtype=float), requires_grad=True)


def _close(ours, expected, atol=1e-8):
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(expected, dtype=float), rtol=0, atol=atol)


# -- course 1 ----------------------------------------------------------------------------------------------------


def test_logistic_regression_propagate_and_optimize_match_the_notebook():
    X, Y = np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.2]]), np.array([[1.0, 0.0, 1.0]])
    w, b = _leaf([[1.0], [2.0]]), _leaf(2.0)
    cost = F.binary_cross_entropy((w.T @ Tensor(X) + b).sigmoid(), Tensor(Y))
    cost.backward()
    _close(cost.item(), 5.801545319394553)
    _close(w.grad, [[0.99845601], [2.39507239]])
    _close(b.grad, 0.00145557813678)
    w, b = _leaf([[1.0], [2.0]]), _leaf(2.0)
    optimizer = nn.optim.SGD([w, b], lr=0.009)
    for _ in range(100):
        optimizer.zero_grad()
        F.binary_cross_entropy((w.T @ Tensor(X) + b).sigmoid(), Tensor(Y)).backward()
        optimizer.step()
    _close(w.data, [[0.19033591], [0.12259159]])
    _close(b.data, 1.92535983008)
    _close(w.grad, [[0.67752042], [1.41625495]])
    _close(b.grad, 0.219194504541)


def test_planar_tanh_network_forward_cost_and_backward_match_the_notebook():
    W1 = np.array(
        [[-0.00416758, -0.00056267], [-0.02136196, 0.01640271], [-0.01793436, -0.00841747], [0.00502881, -0.01245288]]
    )
    W2 = np.array([[-0.01057952, -0.00909008, 0.00551454, 0.02292208]])
    np.random.seed(1)
    X, b1 = np.random.randn(2, 3), np.random.randn(4, 1)
    Z1 = Tensor(W1) @ Tensor(X) + Tensor(b1)
    A2 = (Tensor(W2) @ np.tanh(Z1) - 1.3).sigmoid()
    _close(A2.data, [[0.21292656, 0.21274673, 0.21295976]])
    np.random.seed(1)
    Y = (np.random.randn(1, 3) > 0).astype(float)
    _close(F.binary_cross_entropy(Tensor([[0.5002307, 0.49985831, 0.50023963]]), Tensor(Y)).item(), 0.6930587610394646)
    np.random.seed(1)
    X, Y = np.random.randn(2, 3), (np.random.randn(1, 3) > 0).astype(float)
    params = [_leaf(W1), _leaf(np.zeros((4, 1))), _leaf(W2), _leaf(np.zeros((1, 1)))]
    A2 = (params[2] @ (params[0] @ Tensor(X) + params[1]).tanh() + params[3]).sigmoid()
    F.binary_cross_entropy(A2, Tensor(Y)).backward()
    _close(
        params[0].grad,
        [[0.00301023, -0.00747267], [0.00257968, -0.00641288], [-0.00156892, 0.003893], [-0.00652037, 0.01618243]],
    )
    _close(params[1].grad, [[0.00176201], [0.00150995], [-0.00091736], [-0.00381422]])
    _close(params[2].grad, [[0.00078841, 0.01765429, -0.00084166, -0.01022527]])
    _close(params[3].grad, [[-0.16655712]])


def test_deep_network_forward_pieces_match_the_notebook():
    np.random.seed(1)
    A, W, b = np.random.randn(3, 2), np.random.randn(1, 3), np.random.randn(1, 1)
    _close((Tensor(W) @ Tensor(A) + Tensor(b)).data, [[3.26295337, -1.23429987]])
    np.random.seed(2)
    A, W, b = np.random.randn(3, 2), np.random.randn(1, 3), np.random.randn(1, 1)
    Z = Tensor(W) @ Tensor(A) + Tensor(b)
    _close(Z.sigmoid().data, [[0.96890023, 0.11013289]])
    _close(F.relu(Z).data, [[3.43896131, 0.0]])
    np.random.seed(6)
    X = np.random.randn(5, 4)
    shapes = [(4, 5), (4, 1), (3, 4), (3, 1), (1, 3), (1, 1)]
    W1, b1, W2, b2, W3, b3 = (np.random.randn(*shape) for shape in shapes)
    layers = [nn.Linear(5, 4, dtype=np.float64), nn.Linear(4, 3, dtype=np.float64), nn.Linear(3, 1, dtype=np.float64)]
    with autograd.no_grad():
        for layer, (weight, bias) in zip(layers, ((W1, b1), (W2, b2), (W3, b3))):
            layer.weight.copy_(Tensor(weight))  # the course's W is nn.Linear's weight, (out, in)
            layer.bias.copy_(Tensor(bias.ravel()))
    model = nn.Sequential(layers[0], nn.ReLU(), layers[1], nn.ReLU(), layers[2], nn.Sigmoid())
    _close(model(Tensor(X.T)).data.T, [[0.03921668, 0.70498921, 0.19734387, 0.04728177]])
    AL, Y = _leaf([[0.8, 0.9, 0.4]]), Tensor([[1.0, 1.0, 0.0]])
    _close(nn.BCELoss()(AL, Y).item(), 0.2797765635793422)


def test_deep_network_backward_pieces_match_the_notebook():
    np.random.seed(1)
    dZ, A, W, b = (
        np.random.randn(3, 4),
        _leaf(np.random.randn(5, 4)),
        _leaf(np.random.randn(3, 5)),
        _leaf(np.random.randn(3, 1)),
    )
    (W @ A + b).backward(dZ / 4)  # the course's dW, db carry 1/m, its dA_prev does not
    _close(4 * A.grad[0], [-1.15171336, 0.06718465, -0.3204696, 2.09812712])
    _close(W.grad[0], [0.07313866, -0.0976715, -0.87585828, 0.73763362, 0.00785716])
    _close(b.grad, [[-0.14713786], [-0.11313155], [-0.13209101]])
    np.random.seed(2)
    dA, A_prev, W_prev, b_prev, Z_cache = (
        np.random.randn(*shape) for shape in ((1, 2), (3, 2), (1, 3), (1, 1), (1, 2))
    )
    expected = {
        "sigmoid": (
            [[0.11017994, 0.01105339], [0.09466817, 0.00949723], [-0.05743092, -0.00576154]],
            [[0.10266786, 0.09778551, -0.01968084]],
            [[-0.05729622]],
        ),
        "relu": (
            [[0.44090989, 0.0], [0.37883606, 0.0], [-0.2298228, 0.0]],
            [[0.44513824, 0.37371418, -0.10478989]],
            [[-0.20837892]],
        ),
    }
    for activation, (dA_prev, dW, db) in expected.items():
        Z = _leaf(Z_cache)
        getattr(Z, activation)().backward(dA)
        A, W, b = _leaf(A_prev), _leaf(W_prev), _leaf(b_prev)
        (W @ A + b).backward(Z.grad / 2)
        _close(2 * A.grad, dA_prev)
        _close(W.grad, dW)
        _close(b.grad, db)


def test_deep_network_update_parameters_matches_the_notebook():
    np.random.seed(2)
    parameters = [nn.Parameter(Tensor(np.random.randn(*shape))) for shape in ((3, 4), (3, 1), (1, 3), (1, 1))]
    np.random.seed(3)
    for parameter in parameters:
        parameter.grad = np.random.randn(*parameter.shape)
    nn.optim.SGD(parameters, lr=0.1).step()
    _close(parameters[0].data[0], [-0.59562069, -0.09991781, -2.14584584, 1.82662008])
    _close(parameters[1].data, [[-0.04659241], [-1.28888275], [0.53405496]])
    _close(parameters[2].data, [[-0.55569196, 0.0354055, 1.32964895]])
    _close(parameters[3].data, [[-0.84610769]])


# -- course 2 ----------------------------------------------------------------------------------------------------


def _three_layer(parameters, inputs):
    A = Tensor(inputs)
    for layer, (W, b) in enumerate(zip(parameters[::2], parameters[1::2])):
        Z = W @ A + b
        A = Z.sigmoid() if layer == 2 else Z.relu()
    return A


def test_l2_regularised_cost_and_gradients_match_the_notebook():
    np.random.seed(1)
    shapes = ((2, 3), (2, 1), (3, 2), (3, 1), (1, 3), (1, 1))
    weights = [Tensor(np.random.randn(*shape)) for shape in shapes][::2]
    a3, Y, m, lambd = (
        Tensor([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]]),
        Tensor([[1.0, 1, 0, 1, 0]]),
        5,
        0.1,
    )
    l2 = lambd / (2 * m) * sum((W**2).sum() for W in weights)
    _close((F.binary_cross_entropy(a3, Y) + l2).item(), 1.78648594516)
    np.random.seed(1)
    X = np.random.randn(3, 5)
    parameters = [_leaf(np.random.randn(*shape)) for shape in shapes]
    lambd = 0.7
    A3 = _three_layer(parameters, X)
    _close(A3.data, a3.data)  # the assignment's cache is this forward pass
    (F.binary_cross_entropy(A3, Y) + lambd / (2 * m) * sum((W**2).sum() for W in parameters[::2])).backward()
    _close(parameters[0].grad, [[-0.25604646, 0.12298827, -0.28297129], [-0.17706303, 0.34536094, -0.4410571]])
    _close(parameters[2].grad, [[0.79276486, 0.85133918], [-0.0957219, -0.01720463], [-0.13100772, -0.03750433]])
    _close(parameters[4].grad, [[-1.77691347, -0.11832879, -0.09397446]])
    # the same step as weight_decay = lambd / m on the weights only
    copies = [nn.Parameter(Tensor(p.data.copy())) for p in parameters]
    optimizer = nn.optim.SGD([{"params": copies[::2], "weight_decay": lambd / m}, {"params": copies[1::2]}], lr=1.0)
    F.binary_cross_entropy(_three_layer(copies, X), Y).backward()
    optimizer.step()
    for parameter, copy in zip(parameters, copies):
        _close(parameter.data - copy.data, parameter.grad, atol=1e-12)


def test_inverted_dropout_keeps_entries_scaled_by_one_over_keep_prob():
    x = Tensor(np.ones((200, 50)), requires_grad=True)
    y = nn.Dropout(p=0.3)(x)  # the course's keep_prob = 0.7
    assert set(np.unique(y.data)) == {0.0, 1 / 0.7}
    y.sum().backward()
    _close(x.grad, y.data, atol=0)


def test_gradient_checking_matches_the_notebook():
    theta = _leaf(4.0)
    (theta * 2.0).backward()
    epsilon = 1e-7
    approx = ((4.0 + epsilon) * 2.0 - (4.0 - epsilon) * 2.0) / (2 * epsilon)
    difference = abs(theta.grad - approx) / (abs(theta.grad) + abs(approx))
    _close(difference, 2.919335883291695e-10, atol=1e-15)
    np.random.seed(1)
    X, y = np.random.randn(4, 3), np.array([1.0, 1.0, 0.0])
    arrays = [np.random.randn(*shape) for shape in ((5, 4), (5, 1), (3, 5), (3, 1), (1, 3), (1, 1))]

    def cost(*parameters):
        return F.binary_cross_entropy(_three_layer(parameters, X), Tensor(y[None]))

    parameters = [_leaf(a) for a in arrays]
    cost(*parameters).backward()
    grad = np.concatenate([p.grad.ravel() for p in parameters])
    theta = nn.utils.parameters_to_vector(parameters).data
    approx = np.empty_like(theta)
    for i in range(theta.size):
        shifted = []
        for sign in (1, -1):
            vector = theta.copy()
            vector[i] += sign * epsilon
            copies = [Tensor(a) for a in arrays]
            nn.utils.vector_to_parameters(Tensor(vector), copies)
            shifted.append(cost(*copies).item())
        approx[i] = (shifted[0] - shifted[1]) / (2 * epsilon)
    difference = np.linalg.norm(grad - approx) / (np.linalg.norm(grad) + np.linalg.norm(approx))
    assert difference < 2e-7  # the notebook's "works perfectly fine": 1.1890913024229996e-07
    assert autograd.gradcheck(cost, [_leaf(a) for a in arrays])


def _optimizer_case():
    np.random.seed(1)
    shapes = ((2, 3), (2, 1), (3, 3), (3, 1))
    parameters = [nn.Parameter(Tensor(np.random.randn(*shape))) for shape in shapes]
    for parameter in parameters:
        parameter.grad = np.random.randn(*parameter.shape)
    return parameters


def test_gradient_descent_momentum_and_adam_steps_match_the_notebook():
    parameters = _optimizer_case()
    nn.optim.SGD(parameters, lr=0.01).step()
    _close(parameters[0].data, [[1.63535156, -0.62320365, -0.53718766], [-1.07799357, 0.85639907, -2.29470142]])
    _close(parameters[3].data, [[-0.88020257], [0.02561572], [0.57539477]])
    parameters, beta = _optimizer_case(), 0.9
    nn.optim.SGD(parameters, lr=0.01 * (1 - beta), momentum=beta).step()  # v = beta v + (1 - beta) dW
    _close(parameters[0].data, [[1.62544598, -0.61290114, -0.52907334], [-1.07347112, 0.86450677, -2.30085497]])
    _close(parameters[3].data, [[-0.87809283], [0.04055394], [0.58207317]])
    parameters = _optimizer_case()
    optimizer = nn.optim.Adam(parameters, lr=0.01, betas=(0.9, 0.999), eps=1e-8)
    for parameter in parameters:  # the notebook's step is t = 2 from zero moments
        optimizer.state[parameter] = {
            "step": 1,
            "exp_avg": np.zeros(parameter.shape),
            "exp_avg_sq": np.zeros(parameter.shape),
        }
    optimizer.step()
    _close(parameters[0].data, [[1.63178673, -0.61919778, -0.53561312], [-1.08040999, 0.85796626, -2.29409733]])
    _close(parameters[1].data, [[1.75225313], [-0.75376553]])


def test_shuffled_mini_batches_match_the_notebook():
    np.random.seed(1)
    X, Y = Tensor(np.random.randn(12288, 148)), Tensor(np.random.randn(1, 148) < 0.5)
    np.random.seed(0)
    permutation = list(np.random.permutation(148))
    shuffled_X, shuffled_Y = X[:, permutation], Y[:, permutation].reshape((1, 148))
    size = 64
    batches = [
        (shuffled_X[:, k * size : (k + 1) * size], shuffled_Y[:, k * size : (k + 1) * size])
        for k in range(math.floor(148 / size))
    ]
    batches.append((shuffled_X[:, 2 * size :], shuffled_Y[:, 2 * size :]))
    assert [batch[0].shape for batch in batches] == [(12288, 64), (12288, 64), (12288, 20)]
    assert [batch[1].shape for batch in batches] == [(1, 64), (1, 64), (1, 20)]
    _close(batches[0][0].data[0, 0:3], [0.90085595, -0.7612069, 0.2344157])


@pytest.mark.parametrize(
    "rate, epochs, expected",
    [(lambda e: 1 / (1 + 1 * e), 2, 0.5 / 3), (lambda e: 1 / (1 + 0.3 * math.floor(e / 100)), 100, 0.5 / 1.3)],
)
def test_learning_rate_decay_of_the_notebook_as_lambda_lr(rate, epochs, expected):
    # update_lr: lr0 / (1 + decay_rate * epoch); schedule_lr_decay: lr0 / (1 + decay_rate * floor(epoch / interval))
    optimizer = nn.optim.SGD([nn.Parameter(Tensor(np.zeros(1)))], lr=0.5)
    scheduler = nn.optim.lr_scheduler.LambdaLR(optimizer, rate)
    for _ in range(epochs):
        optimizer.step()
        scheduler.step()
    _close(optimizer.param_groups[0]["lr"], expected, atol=1e-15)


# -- course 4 week 1 ---------------------------------------------------------------------------------------------


def test_zero_pad_and_conv_single_step_match_the_notebook():
    np.random.seed(1)
    x = Tensor(np.random.randn(4, 3, 3, 2))
    padded = F.pad(x, (0, 0, 2, 2, 2, 2))
    assert padded.shape == (4, 7, 7, 2)
    _close(padded.data[1, 1], np.zeros((7, 2)))
    _close(padded.data[1, 3, 2:5], [[0.90085595, -0.68372786], [-0.12289023, -0.93576943], [-0.26788808, 0.53035547]])
    np.random.seed(1)
    a_slice, W, b = _leaf(np.random.randn(4, 4, 3)), _leaf(np.random.randn(4, 4, 3)), _leaf(np.random.randn(1, 1, 1))
    _close(((a_slice * W).sum() + b.squeeze()).item(), -6.99908945068)


def _conv(images, filters, b, stride, pad):
    x = _leaf(images.transpose(0, 3, 1, 2))
    w, bias = _leaf(filters.transpose(3, 2, 0, 1)), _leaf(b.ravel())
    return x, w, bias, F.conv2d(x, w, bias, stride=stride, padding=pad)


def test_conv_forward_and_backward_match_the_notebook():
    np.random.seed(1)
    A_prev, W, b = np.random.randn(10, 5, 7, 4), np.random.randn(3, 3, 4, 8), np.random.randn(1, 1, 1, 8)
    Z = _conv(A_prev, W, b, 2, 1)[3].data.transpose(0, 2, 3, 1)
    _close(Z.mean(), 0.692360880758)
    _close(
        Z[3, 2, 1], [-1.28912231, 2.27650251, 6.61941931, 0.95527176, 8.25132576, 2.31329639, 13.00689405, 2.34576051]
    )
    np.random.seed(1)
    A_prev, W, b = np.random.randn(10, 4, 4, 3), np.random.randn(2, 2, 3, 8), np.random.randn(1, 1, 1, 8)
    x, w, bias, Z = _conv(A_prev, W, b, 2, 2)
    Z.backward(Z.data.copy())  # the notebook feeds Z back as dZ
    _close(x.grad.mean(), 1.45243777754)
    _close(w.grad.mean(), 1.72699145831)
    _close(bias.grad.mean(), 7.83923256462)


@pytest.mark.parametrize("stride, corner", [(1, (2, 2)), (2, (1, 1))])
def test_pool_forward_matches_the_notebook(stride, corner):
    np.random.seed(1)
    x = Tensor(np.random.randn(2, 5, 5, 3).transpose(0, 3, 1, 2))
    maximum = nn.MaxPool2d(3, stride=stride)(x).data.transpose(0, 2, 3, 1)
    average = nn.AvgPool2d(3, stride=stride)(x).data.transpose(0, 2, 3, 1)
    _close(maximum[0, 0, 0], [1.74481176, 0.90159072, 1.65980218])
    _close(maximum[(1, *corner)], [1.62765075, 1.12141771, 0.79280687])
    _close(average[0, 0, 0], [-0.03010467, -0.00324021, -0.33629886])
    _close(average[(1, *corner)], [0.15077452, 0.28911175, 0.00123239])


def _pool_backward_loop(upstream, images, f, stride, mode, zeros):
    """The notebook's pool_backward, written over Tensors as over numpy arrays (create_mask_from_window and
    distribute_value inlined)."""
    dA_prev = zeros(images.shape)
    m, n_H, n_W, n_C = upstream.shape
    for i in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    rows, cols = slice(h * stride, h * stride + f), slice(w * stride, w * stride + f)
                    if mode == "max":
                        window = images[i, rows, cols, c]
                        dA_prev[i, rows, cols, c] += np.multiply(window == np.max(window), upstream[i, h, w, c])
                    else:
                        dA_prev[i, rows, cols, c] += np.ones((f, f)) * (upstream[i, h, w, c] / (f * f))
    return dA_prev


@pytest.mark.parametrize(
    "mode, expected",
    [
        ("max", [[0.0, 0.0], [5.05844394, -1.68282702], [0.0, 0.0]]),
        ("average", [[0.08485462, 0.2787552], [1.26461098, -0.25749373], [1.17975636, -0.53624893]]),
    ],
)
def test_pool_backward_by_the_layers_and_by_the_notebooks_loop_match_the_notebook(mode, expected):
    np.random.seed(1)
    A_prev, dA = np.random.randn(5, 5, 3, 2), np.random.randn(5, 4, 2, 2)
    _close(dA.mean(), 0.145713902729)
    x = _leaf(A_prev.transpose(0, 3, 1, 2))
    (F.max_pool2d if mode == "max" else F.avg_pool2d)(x, 2, stride=1).backward(dA.transpose(0, 3, 1, 2))
    _close(x.grad.transpose(0, 2, 3, 1)[1, 1], expected)
    # the loop run on Tensors: its values, and the gradient of |loop(dA)|^2 against central differences of the
    # same loop run on numpy arrays (t[i] += v once lost v's gradient when t needed none)
    dA_leaf = _leaf(dA)
    looped = _pool_backward_loop(dA_leaf, Tensor(A_prev), 2, 1, mode, autograd.zeros)
    _close(looped.data[1, 1], expected)
    (looped * looped).sum().backward()

    def squared_norm(values):
        return (_pool_backward_loop(values, A_prev, 2, 1, mode, np.zeros) ** 2).sum()

    numeric = np.empty_like(dA)
    for index in np.ndindex(dA.shape):
        step = np.zeros_like(dA)
        step[index] = 1e-6
        numeric[index] = (squared_norm(dA + step) - squared_norm(dA - step)) / 2e-6
    _close(dA_leaf.grad, numeric, atol=1e-6)
