"""linear(..., activation="relu"): a Linear layer and its ReLU as one node, alone and as Sequential runs a
Linear followed by a ReLU; checked against the two ops written out, finite differences and torch."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import Tensor, gradcheck, gradgradcheck, linear, no_grad


def _case(x_shape, bias=True, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape)
    weight = rng.standard_normal((4, x_shape[-1]))
    return (x, weight, rng.standard_normal(4)) if bias else (x, weight)


@pytest.mark.parametrize("x_shape", [(3,), (5, 3), (2, 4, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_values_are_relu_of_linear(x_shape, bias):
    arrays = _case(x_shape, bias)
    out = linear(*[Tensor(a) for a in arrays], activation="relu")
    z = arrays[0] @ arrays[1].T + (arrays[2] if bias else 0)
    np.testing.assert_array_equal(out.data, np.maximum(z, 0))
    assert out.grad_fn is None  # constants: nothing recorded


@pytest.mark.parametrize("x_shape", [(3,), (5, 3), (2, 4, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_gradients_match_finite_differences_to_second_order(x_shape, bias):
    arrays = _case(x_shape, bias, seed=1)
    assert gradcheck(lambda *ts: linear(*ts, activation="relu"), list(arrays))
    upstream = np.random.default_rng(2).standard_normal(np.maximum(arrays[0] @ arrays[1].T, 0).shape)
    assert gradgradcheck(lambda *ts: (linear(*ts, activation="relu") * Tensor(upstream)).sum(), list(arrays))


@pytest.mark.parametrize("needs_grad", [(True, True, True), (False, True, True), (True, False, False)])
def test_only_the_inputs_that_require_grad_get_gradients_equal_to_the_written_order(needs_grad):
    arrays = _case((6, 3), seed=3)
    fused = [Tensor(a, requires_grad=r) for a, r in zip(arrays, needs_grad)]
    written = [Tensor(a, requires_grad=r) for a, r in zip(arrays, needs_grad)]
    upstream = np.random.default_rng(4).standard_normal((6, 4))
    linear(*fused, activation="relu").backward(upstream)
    F.relu(linear(*written)).backward(upstream)
    for a, b in zip(fused, written):
        if b.requires_grad:
            np.testing.assert_allclose(a.grad, b.grad, rtol=1e-13)
        else:
            assert a.grad is None


def test_autograd_grad_and_create_graph_take_the_joint_rule():
    arrays = _case((5, 3), seed=5)
    x, w, b = (Tensor(a, requires_grad=True) for a in arrays)
    (grad_w,) = autograd.grad(linear(x, w, b, activation="relu").sum(), [w], create_graph=True)
    x2, w2, b2 = (Tensor(a, requires_grad=True) for a in arrays)
    (expected,) = autograd.grad(F.relu(linear(x2, w2, b2)).sum(), [w2], create_graph=True)
    np.testing.assert_allclose(grad_w.data, expected.data, rtol=1e-13)
    (grad_w * grad_w).sum().backward()
    (expected * expected).sum().backward()
    np.testing.assert_allclose(x.grad, x2.grad, rtol=1e-13)


def test_nan_and_infinite_inputs_pass_gradients_as_relu_does():
    x = np.array([[np.nan, 1.0], [np.inf, -1.0], [-np.inf, 2.0]])
    w, b = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.zeros(3)
    fused = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    written = [Tensor(a, requires_grad=True) for a in (x, w, b)]
    with np.errstate(all="raise"):  # no numpy warnings on the way
        out = linear(*fused, activation="relu")
        expected = F.relu(linear(*written))
        out.sum().backward()
        expected.sum().backward()
    np.testing.assert_array_equal(out.data, expected.data)
    for a, b in zip(fused, written):
        np.testing.assert_array_equal(a.grad, b.grad)


def test_a_change_in_place_is_caught_only_where_backward_reads_it():
    arrays = _case((5, 3), seed=6)
    x, w, b = Tensor(arrays[0]), Tensor(arrays[1], requires_grad=True), Tensor(arrays[2], requires_grad=True)
    out = linear(x, w, b, activation="relu")
    with no_grad():
        b.add_(1.0)  # the bias is not read by backward (as torch saves no bias)
        w.mul_(2.0)  # nor is the weight when the input needs no gradient
    out.sum().backward()
    out = linear(x, w, b, activation="relu")
    x.mul_(2.0)  # the input is: the weight's gradient is x^T g
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_an_activation_other_than_relu_is_refused():
    with pytest.raises(ValueError, match=r"linear: activation must be None or 'relu', got 'tanh'"):
        linear(Tensor(np.ones((1, 2))), Tensor(np.ones((3, 2))), activation="tanh")


# -- in Sequential ---------------------------------------------------------------------------------
def _model():
    return nn.Sequential(nn.Linear(3, 5, rng=0), nn.ReLU(), nn.Linear(5, 2, rng=1), nn.ReLU())


def test_sequential_runs_linear_then_relu_as_one_node_with_the_written_values_and_gradients():
    x = np.random.default_rng(7).standard_normal((8, 3)).astype(np.float32)
    fused, written = _model(), _model()
    out = fused(x)
    expected = x
    for layer in written:
        expected = layer(expected)
    assert out.grad_fn.name == "linear_relu"
    np.testing.assert_array_equal(out.data, expected.data)
    out.sum().backward()
    expected.sum().backward()
    for a, b in zip(fused.parameters(), written.parameters()):
        np.testing.assert_array_equal(a.grad, b.grad)


@pytest.mark.parametrize("hooked", [0, 1])
def test_a_hook_on_either_module_sees_the_pair_run_one_by_one(hooked):
    model, seen = _model(), []
    model[hooked].register_forward_hook(lambda module, args, output: seen.append((args[0], output)))
    x = Tensor(np.random.default_rng(8).standard_normal((4, 3)).astype(np.float32))
    out = model(x)
    linear_output = F.linear(x, model[0].weight, model[0].bias)
    if hooked == 0:
        np.testing.assert_array_equal(seen[0][1].data, linear_output.data)
    else:
        np.testing.assert_array_equal(seen[0][0].data, linear_output.data)  # the ReLU's input: the linear's output
    assert out.grad_fn.name == "linear_relu"  # the second pair has no hook


def test_sequential_linear_relu_matches_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(9).standard_normal((6, 3)).astype(np.float32)
    ours = _model()
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2), torch.nn.ReLU())
    with torch.no_grad():
        for mine, other in zip(ours.parameters(), theirs.parameters()):
            other.copy_(torch.from_numpy(mine.data))
    out, expected = ours(x), theirs(torch.from_numpy(x))
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-6, atol=1e-7)
    (out * out).sum().backward()
    (expected * expected).sum().backward()
    for mine, other in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(mine.grad, other.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_sequential_reports_bad_input_as_the_linear_layer():
    with pytest.raises(ValueError, match=r"Linear: input of shape \(2, 4\) does not match in_features=3"):
        _model()(np.zeros((2, 4), dtype=np.float32))


def test_a_forward_patched_on_the_class_runs_as_written(monkeypatch):
    seen = []
    plain = nn.ReLU.forward
    monkeypatch.setattr(nn.ReLU, "forward", lambda self, x: seen.append(x.shape) or plain(self, x))
    out = _model()(np.ones((2, 3), dtype=np.float32))
    assert seen == [(2, 5), (2, 2)] and out.grad_fn.name == "relu"


# -- backward may zero relu's entries in the incoming gradient's own array: only when nothing else holds it ---------
def _hand_gradients(x, weight, bias, upstream):
    """Gradients of sum(upstream * relu(x @ weight.T + bias)) by hand: dz = upstream where z > 0."""
    z = x @ weight.T + bias
    dz = np.where(z > 0, upstream, 0.0)
    return dz @ weight, dz.T @ x, dz.sum(axis=0)


def _fused_pair(seed=3):
    rng = np.random.default_rng(seed)
    x, weight, bias = rng.standard_normal((6, 5)), rng.standard_normal((4, 5)), rng.standard_normal(4)
    leaves = [Tensor(a, requires_grad=True) for a in (x, weight, bias)]
    return (x, weight, bias), leaves, rng.standard_normal((6, 4))


def test_a_gradient_a_hook_keeps_is_not_zeroed_by_the_relu_behind_it():
    arrays, leaves, upstream = _fused_pair()
    kept = []
    out = linear(*leaves, activation="relu")
    out.register_hook(lambda g: kept.append(g))
    (out * 1.0 * Tensor(upstream)).sum().backward()
    np.testing.assert_array_equal(np.asarray(kept[0]), upstream)  # the gradient of out, relu's zeros not in it
    for leaf, expected in zip(leaves, _hand_gradients(*arrays, upstream)):
        np.testing.assert_allclose(leaf.grad, expected, rtol=1e-12)


def test_a_retained_gradient_and_a_seed_are_left_as_they_were():
    arrays, leaves, upstream = _fused_pair(4)
    out = linear(*leaves, activation="relu")
    scaled = out * 1.0
    out.retain_grad()
    seed = upstream.copy()
    scaled.backward(seed)
    np.testing.assert_array_equal(seed, upstream)
    np.testing.assert_array_equal(out.grad, upstream)
    for leaf, expected in zip(leaves, _hand_gradients(*arrays, upstream)):
        np.testing.assert_allclose(leaf.grad, expected, rtol=1e-12)


def test_one_gradient_array_passed_to_two_fused_nodes_reaches_both_unchanged():
    # add hands its one incoming array to both inputs: the first node must not zero entries the second one needs
    rng = np.random.default_rng(6)
    x = rng.standard_normal((6, 5))
    w1, b1, w2, b2 = (
        rng.standard_normal((4, 5)),
        rng.standard_normal(4),
        rng.standard_normal((4, 5)),
        rng.standard_normal(4),
    )
    upstream = rng.standard_normal((6, 4))
    params = [Tensor(a, requires_grad=True) for a in (w1, b1, w2, b2)]
    x_leaf = Tensor(x, requires_grad=True)
    first = linear(x_leaf, params[0], params[1], activation="relu")
    second = linear(x_leaf, params[2], params[3], activation="relu")
    ((first + second) * Tensor(upstream)).sum().backward()
    dx1, dw1, db1 = _hand_gradients(x, w1, b1, upstream)
    dx2, dw2, db2 = _hand_gradients(x, w2, b2, upstream)
    for leaf, expected in zip(params + [x_leaf], (dw1, db1, dw2, db2, dx1 + dx2)):
        np.testing.assert_allclose(leaf.grad, expected, rtol=1e-12)


def test_backward_twice_through_a_sequential_gives_twice_the_gradients():
    model = nn.Sequential(nn.Linear(5, 8, rng=0), nn.ReLU(), nn.Linear(8, 3, rng=1), nn.ReLU(), nn.Linear(3, 2, rng=2))
    x = np.random.default_rng(7).standard_normal((4, 5)).astype(np.float32)
    loss = F.cross_entropy(model(x), np.array([0, 1, 1, 0]))
    loss.backward(retain_graph=True)
    once = [p.grad.copy() for p in model.parameters()]
    loss.backward()
    for p, g in zip(model.parameters(), once):
        np.testing.assert_allclose(p.grad, 2 * g, rtol=1e-6)


def test_an_infinite_gradient_where_the_relu_is_off_gives_zeros_not_nan():
    # the incoming gradient is the product's own new array (zeroed in place): inf and nan there still give +0
    arrays, leaves, upstream = _fused_pair(8)
    x, weight, bias = arrays
    off = x @ weight.T + bias <= 0
    upstream[off] = np.where(np.arange(off.sum()) % 2, np.inf, np.nan)
    (linear(*leaves, activation="relu") * Tensor(upstream)).sum().backward()
    for leaf, expected in zip(leaves, _hand_gradients(*arrays, upstream)):
        assert np.isfinite(leaf.grad).all()
        np.testing.assert_allclose(leaf.grad, expected, rtol=1e-12)
