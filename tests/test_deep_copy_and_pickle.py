"""copy.deepcopy, copy.copy and pickle of graph nodes (autograd.node_copying, which Node inherits).

A deep copy carries a copy of the node's whole graph, made without recursion; a shallow copy is a
new node on the same parents; a pickled node comes back as a leaf, as in PyTorch.
"""

import copy
import gc
import inspect
import pickle
import sys

import numpy as np
import pytest

import autograd
import nn
from autograd import Function, Tensor, Value, detect_anomaly, no_grad
from autograd.anomaly import AnomalyError

CHAIN = 100_000
FACTOR = 1.0000001


def _value_chain() -> tuple[Value, Value]:
    x = Value(1.0)
    y = x
    for _ in range(CHAIN):
        y = y * FACTOR + 0.0
    return x, y


def _tensor_chain() -> tuple[Tensor, Tensor]:
    x = Tensor(np.ones(2), requires_grad=True)
    z = x
    for _ in range(CHAIN):
        z = z * FACTOR
    return x, z


def _graph_nodes(root):
    """Every node reachable from ``root`` through parents, each once (explicit stack)."""
    seen = {id(root): root}
    stack = [root]
    while stack:
        for parent in stack.pop().parents:
            if id(parent) not in seen:
                seen[id(parent)] = parent
                stack.append(parent)
    return list(seen.values())


def _leaf_of_chain(root):
    node = root
    while not node.is_leaf:
        (node,) = [parent for parent in node.parents if parent.requires_grad]
    return node


def _central_differences(f, point: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """d f / d point by central differences in float64 (``f`` maps an array to a float)."""
    gradient = np.zeros_like(point, dtype=np.float64)
    for index in np.ndindex(point.shape):
        up, down = point.astype(np.float64), point.astype(np.float64)
        up[index] += eps
        down[index] -= eps
        gradient[index] = (f(up) - f(down)) / (2 * eps)
    return gradient


# -- deep copies of long graphs ----------------------------------------------------------------


def test_deepcopy_of_a_long_value_chain_works_at_the_default_recursion_limit():
    assert sys.getrecursionlimit() == 1000
    x, y = _value_chain()
    y_copy = copy.deepcopy(y)
    y_copy.backward()
    x_copy = _leaf_of_chain(y_copy)
    assert x_copy is not x and x_copy.data == 1.0
    assert x_copy.grad == pytest.approx(FACTOR**CHAIN, rel=1e-9)
    assert x.grad == 0.0
    assert y_copy.data == y.data


def test_deepcopy_of_a_long_tensor_chain_works_at_the_default_recursion_limit():
    assert sys.getrecursionlimit() == 1000
    x, z = _tensor_chain()
    z_copy = copy.deepcopy(z)
    z_copy.sum().backward()
    x_copy = _leaf_of_chain(z_copy)
    assert x_copy is not x and not np.may_share_memory(x_copy.data, x.data)
    np.testing.assert_allclose(x_copy.grad, np.full(2, FACTOR**CHAIN), rtol=1e-9)
    assert x.grad is None


def test_long_chain_and_its_deep_copy_are_freed_at_the_default_recursion_limit():
    assert sys.getrecursionlimit() == 1000
    x, y = _value_chain()
    y_copy = copy.deepcopy(y)
    del y, y_copy
    gc.collect()
    assert x.data == 1.0


# -- what a deep copy holds ----------------------------------------------------------------------


def test_deepcopy_of_a_list_gives_a_graph_that_reaches_the_copied_leaf():
    x = Value(0.5)
    y = (x * 3.0).tanh() + x
    x_copy, y_copy = copy.deepcopy([x, y])
    assert any(node is x_copy for node in _graph_nodes(y_copy))
    assert not any(node is x for node in _graph_nodes(y_copy))
    y_copy.backward()
    assert x_copy.grad == pytest.approx(3 * (1 - np.tanh(1.5) ** 2) + 1)
    assert x.grad == 0.0


def test_deepcopy_copies_a_shared_ancestor_once():
    x = Tensor([0.3, -0.8], requires_grad=True)
    shared = x.exp()
    y = (shared * shared + shared.sin()).sum()
    original_nodes = _graph_nodes(y)
    copied_nodes = _graph_nodes(copy.deepcopy(y))
    assert len(copied_nodes) == len(original_nodes)
    assert not {id(node) for node in copied_nodes} & {id(node) for node in original_nodes}


def test_deepcopy_honours_a_memo_that_maps_a_leaf_to_itself():
    x = Value(2.0)
    y = x * x
    y_copy = copy.deepcopy(y, {id(x): x})
    assert y_copy is not y and y_copy.parents == (x, x)
    y_copy.backward()
    assert x.grad == 4.0


def test_deepcopy_shares_ops_and_stores_parents_as_from_op_does():
    x, w = Value(1.5), Value(0.5)
    unary = x.exp()
    binary = unary * x
    ternary = Value.linear([w], [unary], x)
    unary_copy, binary_copy, ternary_copy = copy.deepcopy([unary, binary, ternary])
    assert unary_copy.op is unary.op and binary_copy.op is binary.op
    # one or two parents without a tuple, three or more as one (autograd.parents)
    assert type(unary_copy._inputs) is Value and unary_copy._second is None
    assert binary_copy._inputs is unary_copy and type(binary_copy._second) is Value
    assert type(ternary_copy._inputs) is tuple and ternary_copy._second is None
    assert binary_copy.parents == (unary_copy, binary_copy._second)
    assert ternary_copy.parents[1] is unary_copy and ternary_copy.parents[0] is not w


def test_deepcopy_of_a_non_leaf_is_a_non_leaf_not_a_pickled_leaf():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    y_copy = copy.deepcopy(y)
    assert not y_copy.is_leaf and y_copy.grad_fn.op is y.grad_fn.op


def test_deepcopy_copies_data_grad_label_and_attributes():
    x = Value(1.25, label="x")
    x.grad = 3.0
    x.note = ["kept"]
    t = Tensor(np.arange(3.0, dtype=np.float32), requires_grad=True)
    t.grad = np.ones(3, dtype=np.float32)
    x_copy, t_copy = copy.deepcopy([x, t])
    assert (x_copy.data, x_copy.grad, x_copy.label, x_copy.note) == (1.25, 3.0, "x", ["kept"])
    assert x_copy.note is not x.note
    assert t_copy.dtype == np.float32 and t_copy.requires_grad
    np.testing.assert_array_equal(t_copy.grad, t.grad)
    t_copy.data[0] = 9.0
    t_copy.grad[0] = 9.0
    assert t.data[0] == 0.0 and t.grad[0] == 1.0


# -- gradients of a copied graph -------------------------------------------------------------------


def _value_function(x, w, b):
    hidden = (x * w + b).tanh()
    return hidden * x / w + (x**2.0).exp() * hidden


def test_copied_value_graph_gradients_match_the_original_and_finite_differences():
    point = np.array([0.7, -1.3, 0.2])
    leaves = [Value(v) for v in point]
    out = _value_function(*leaves)
    expected = autograd.grad(out, leaves, retain_graph=True)  # (a freed graph's copy is freed too)
    *leaf_copies, out_copy = copy.deepcopy([*leaves, out])
    out_copy.backward()
    copied = [leaf.grad for leaf in leaf_copies]
    np.testing.assert_allclose(copied, expected, rtol=1e-12)
    numeric = _central_differences(lambda p: _value_function(*[Value(v) for v in p]).data, point)
    np.testing.assert_allclose(copied, numeric, rtol=1e-7)
    assert [leaf.grad for leaf in leaves] == [0.0, 0.0, 0.0]


def _tensor_function(x, w):
    hidden = (x @ w).tanh()
    view = hidden[:, 1:3]
    return (view * view.sum(axis=0)).exp().mean() + (x.reshape(-1)[2:] ** 2).sum()


def test_copied_tensor_graph_gradients_match_the_original_and_finite_differences():
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(3, 2)), requires_grad=True)
    w = Tensor(rng.normal(size=(2, 4)), requires_grad=True)
    out = _tensor_function(x, w)
    expected_x, expected_w = autograd.grad(out, [x, w], retain_graph=True)
    x_copy, w_copy, out_copy = copy.deepcopy([x, w, out])
    out_copy.backward()
    np.testing.assert_allclose(x_copy.grad, expected_x, rtol=1e-12)
    np.testing.assert_allclose(w_copy.grad, expected_w, rtol=1e-12)
    numeric_x = _central_differences(lambda p: _tensor_function(Tensor(p), w.data).item(), x.data)
    numeric_w = _central_differences(lambda p: _tensor_function(x.data, Tensor(p)).item(), w.data)
    np.testing.assert_allclose(x_copy.grad, numeric_x, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(w_copy.grad, numeric_w, rtol=1e-6, atol=1e-9)
    assert x.grad is None and w.grad is None


def test_copied_gradient_graph_gives_the_original_second_derivative():
    x = Value(0.4)
    y = (x * 2.0).sin() * x
    y.backward(create_graph=True)
    x_copy, y_copy = copy.deepcopy([x, y])
    first = x_copy.grad
    assert not first.is_leaf and any(node is x_copy for node in _graph_nodes(first))
    x_copy.grad = 0.0
    first.backward()
    # d2/dx2 [x sin 2x] = 4 cos 2x - 4 x sin 2x
    assert x_copy.grad == pytest.approx(4 * np.cos(0.8) - 4 * 0.4 * np.sin(0.8), rel=1e-12)
    assert x.grad.data == pytest.approx(np.sin(0.8) + 0.8 * np.cos(0.8))


class _ExpSavingOutput(Function):
    @staticmethod
    def forward(ctx, x):
        out = x.exp()
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved_tensors
        return grad * out


def test_copied_function_node_still_finds_its_saved_output():
    x = Value(0.3)
    y = _ExpSavingOutput.apply(x)
    x_copy, y_copy = copy.deepcopy([x, y])
    y_copy.backward()
    assert x_copy.grad == pytest.approx(np.exp(0.3), rel=1e-12)


# -- hooks, version counters, anomaly origin ---------------------------------------------------------


def test_deep_copy_keeps_hooks_in_its_own_table():
    x = Value(1.5)
    y = x * 2.0
    seen = []
    handle = y.register_hook(lambda grad: seen.append(grad) or grad * 10)
    x_copy, y_copy = copy.deepcopy([x, y])
    handle.remove()
    y_copy.backward()
    assert seen == [1.0] and x_copy.grad == 20.0
    y.backward()
    assert seen == [1.0] and x.grad == 2.0


def test_change_in_place_before_the_copy_is_caught_in_the_copy():
    x = Tensor([0.5, 1.0], requires_grad=True)
    y = x.exp()
    with no_grad():
        y += 1.0
    y_copy = copy.deepcopy(y)
    assert y_copy.version == y.version == 1
    with pytest.raises(RuntimeError, match="changed in place"):
        y_copy.sum().backward()


def test_copies_share_a_version_counter_only_when_they_share_an_array():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    view = x[1:]
    detached = x.detach()
    x_copy, view_copy, detached_copy = copy.deepcopy([x, view, detached])
    assert detached_copy._data is x_copy._data
    assert not np.may_share_memory(view_copy.data, x_copy.data)
    with no_grad():
        x_copy += 1.0
    assert x_copy.version == detached_copy.version == 1
    assert view_copy.version == 0 and x.version == 0


def test_copy_made_in_anomaly_mode_names_the_original_line():
    x = Value(0.0)
    with detect_anomaly():
        line = inspect.currentframe().f_lineno + 1
        y = x.sqrt() * 0.0  # its backward at 0 gives 0 * inf = nan
    y_copy = copy.deepcopy(y)
    with detect_anomaly(), pytest.raises(AnomalyError) as caught:
        y_copy.backward()
    assert caught.value.phase == "backward" and caught.value.origin.lineno == line


# -- shallow copies ------------------------------------------------------------------------------------


def test_shallow_copy_is_a_new_node_on_the_same_parents():
    x = Value(2.0)
    y = x * 3.0
    y_shallow = copy.copy(y)
    assert y_shallow is not y and y_shallow.parents == y.parents and y_shallow.op is y.op
    y_shallow.backward()
    assert x.grad == 3.0


def test_shallow_copy_of_a_two_parent_node_keeps_both_parents():
    x, w = Value(2.0), Value(5.0)
    y = x * w
    y_shallow = copy.copy(y)
    assert y_shallow.parents == (x, w) and y_shallow.parents[0] is x and y_shallow.parents[1] is w
    y_shallow.backward()
    assert (x.grad, w.grad) == (5.0, 2.0)


def test_shallow_copy_registers_hooks_on_its_own():
    x = Value(2.0)
    y = x * 3.0
    y.register_hook(lambda grad: grad * 2)
    y_shallow = copy.copy(y)
    y_shallow.register_hook(lambda grad: grad * 5)
    y.backward()
    assert x.grad == 6.0
    x.grad = 0.0
    y_shallow.backward()
    assert x.grad == 30.0


def test_shallow_copy_of_a_tensor_shares_its_array_and_version():
    x = Tensor([1.0, 2.0])
    x_shallow = copy.copy(x)
    assert x_shallow._data is x._data
    x_shallow += 1.0
    assert x.version == 1 and x.data[0] == 2.0


def test_shallow_copy_of_a_value_counts_versions_on_its_own():
    v = Value(1.0, requires_grad=False)
    v += 1.0
    v_shallow = copy.copy(v)
    v_shallow += 1.0
    assert (v.data, v.version) == (2.0, 1)
    assert (v_shallow.data, v_shallow.version) == (3.0, 2)


# -- pickle --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: Value(0.75, label="v"),
        lambda: Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True),
        lambda: Tensor(np.arange(4), requires_grad=False),
        lambda: nn.Parameter(np.linspace(0.0, 1.0, 5)),
    ],
    ids=["value", "float32-tensor", "int-tensor", "parameter"],
)
def test_pickle_round_trip_keeps_class_dtype_data_requires_grad_and_grad(make):
    node = make()
    if node.requires_grad:
        (node * 2.0).sum().backward() if isinstance(node, Tensor) else (node * 2.0).backward()
    restored = pickle.loads(pickle.dumps(node))
    assert type(restored) is type(node) and restored.is_leaf
    assert restored.requires_grad == node.requires_grad and restored.label == node.label
    np.testing.assert_array_equal(restored.data, node.data)
    assert np.asarray(restored.data).dtype == np.asarray(node.data).dtype
    if isinstance(node, nn.Parameter):  # torch's Parameter is pickled without its gradient
        assert restored.grad is None
        return
    np.testing.assert_array_equal(restored.grad, node.grad)
    if node.grad is not None:
        assert np.asarray(restored.grad).dtype == np.asarray(node.grad).dtype


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_pickled_non_leaf_comes_back_as_a_leaf(kind):
    x = Value(1.5) if kind == "value" else Tensor([1.5, -2.0], requires_grad=True)
    y = (x * 2.0).tanh()
    restored = pickle.loads(pickle.dumps(y))
    assert restored.is_leaf and restored.grad_fn is None and restored.requires_grad
    assert restored.parents == ()
    np.testing.assert_array_equal(restored.data, y.data)


def test_pickle_drops_hooks_and_version():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda grad: grad)
    with no_grad():
        x += 1.0
    restored = pickle.loads(pickle.dumps(x))
    assert restored.version == 0 and restored._hooks is None


@pytest.mark.parametrize("chain", [_value_chain, _tensor_chain], ids=["value", "tensor"])
def test_pickle_of_a_long_chain_works_at_the_default_recursion_limit(chain):
    assert sys.getrecursionlimit() == 1000
    _, end = chain()
    restored = pickle.loads(pickle.dumps(end))
    assert restored.is_leaf
    np.testing.assert_array_equal(restored.data, end.data)


# -- models --------------------------------------------------------------------------------------------


def _model_and_batch():
    model = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1))
    batch = Tensor(np.random.default_rng(2).normal(size=(5, 3)).astype(np.float32))
    return model, batch


def test_deepcopy_of_a_model_after_a_forward_pass_has_independent_parameters():
    model, batch = _model_and_batch()
    model(batch).sum().backward()
    clone = copy.deepcopy(model)
    pairs = list(zip(model.parameters(), clone.parameters()))
    assert all(type(q) is nn.Parameter and q is not p for p, q in pairs)
    assert all(not np.may_share_memory(p.data, q.data) for p, q in pairs)
    assert all(q.grad is None for _, q in pairs)  # torch's Parameter is copied without its gradient
    model.zero_grad()
    clone(batch).sum().backward()
    assert all(p.grad is None for p, _ in pairs)
    model(batch).sum().backward()
    for p, q in pairs:
        np.testing.assert_array_equal(q.grad, p.grad)
    with no_grad():
        next(iter(clone.parameters())).data[...] = 0.0
    assert np.any(next(iter(model.parameters())).data != 0.0)


def _nested_sequential(depth: int) -> tuple[nn.Module, nn.Linear]:
    inner = nn.Linear(2, 2, rng=0)
    model = inner
    for _ in range(depth):
        model = nn.Sequential(model)
    return model, inner


def test_deepcopy_of_a_deeply_nested_model_works_at_the_default_recursion_limit():
    assert sys.getrecursionlimit() == 1000
    model, inner = _nested_sequential(3000)
    clone = copy.deepcopy(model)
    copied = clone.get_submodule(".".join(["0"] * 3000))
    assert type(copied) is nn.Linear and copied is not inner
    assert len(list(clone.modules())) == 3001
    for original, twin in zip(inner.parameters(), copied.parameters()):
        assert type(twin) is nn.Parameter and not np.may_share_memory(original.data, twin.data)
        np.testing.assert_array_equal(twin.data, original.data)
    batch = Tensor(np.array([[1.0, -2.0]], dtype=inner.weight.data.dtype))
    np.testing.assert_array_equal(copied(batch).data, batch.data @ inner.weight.data.T + inner.bias.data)


def test_deepcopy_of_a_model_keeps_a_shared_sub_module_shared_and_a_back_reference_to_the_copy():
    shared = nn.Linear(2, 2, rng=0)
    model = nn.Sequential(nn.Sequential(shared), shared)
    model.note = {"owner": model, "layer": shared}  # a plain attribute reaching back into the tree
    clone = copy.deepcopy(model)
    assert clone[0][0] is clone[1] and clone[1] is not shared
    assert clone.note["owner"] is clone and clone.note["layer"] is clone[1]


def test_pickled_model_computes_the_same_outputs():
    model, batch = _model_and_batch()
    restored = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(restored(batch).data, model(batch).data)
    assert all(type(p) is nn.Parameter and p.requires_grad for p in restored.parameters())


def test_pickled_scalar_mlp_computes_the_same_output():
    model = nn.MLP(2, [3, 1], seed=0)  # its last layer's activation is "linear"
    restored = pickle.loads(pickle.dumps(model))
    assert restored([0.5, -1.0]).data == model([0.5, -1.0]).data
    assert all(type(p) is Value and p.requires_grad for p in restored.parameters())


def test_copies_of_a_view_of_a_constant_view_nothing():
    base = Tensor(np.ones((3, 2)))
    row = base[1]
    for copied in (copy.deepcopy(row), pickle.loads(pickle.dumps(row))):
        np.testing.assert_array_equal(copied.data, [1.0, 1.0])
        assert copied._view_of is None


def test_a_recorded_write_into_a_deep_copy_of_a_tensor_with_views_is_refused():
    # the copy's holders are unknown (its views were not copied with it), so it counts as shared, as before the
    # owner of an array only views share stopped reading its holders on a recorded write
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    base = w * 2.0
    view = base[1:]
    twin = copy.deepcopy(base)
    with pytest.raises(RuntimeError, match="shares its data with another one"):
        twin[0] = w[0] * 5.0
    assert view.shape == (2,)


def test_a_pickled_view_is_a_plain_leaf_after_its_base_changed():
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    base = w * 2.0
    view = base[1:]
    base[2:] = w[:1] * 3.0
    leaf = pickle.loads(pickle.dumps(view))
    assert leaf.is_leaf and leaf.requires_grad
    (leaf * leaf).sum().backward()
    np.testing.assert_array_equal(leaf.grad, [8.0, 6.0])


def test_a_pickled_view_is_a_leaf_that_can_be_used_after_its_base_changed_in_place():
    torch = pytest.importorskip("torch")
    results = []
    for lib in (autograd, torch):
        weight = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        buffer = lib.zeros(4, dtype=lib.float64)
        view = buffer[1:]
        buffer[1:3] = weight * 3.0  # a recorded change: the live view goes stale
        restored = pickle.loads(pickle.dumps(view))
        total = (restored * buffer[1:]).sum()  # a leaf of its own, with the new values
        total.backward()
        results.append(
            [t.detach().tolist() for t in (restored, buffer, weight.grad, restored.grad)] + [restored.is_leaf]
        )
    for ours, theirs in zip(*results):
        np.testing.assert_array_equal(ours, theirs)


def test_copies_of_a_view_whose_base_changed_in_place_have_its_new_history():
    torch = pytest.importorskip("torch")
    grads = []
    for lib in (autograd, torch):
        weight = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        buffer = lib.zeros(4, dtype=lib.float64)
        view = buffer[1:]
        buffer[1:3] = weight * 3.0  # the view now depends on weight
        copied = copy.copy(view) if lib is autograd else view.clone()  # (torch copies leaves only)
        assert copied.requires_grad and not copied.is_leaf
        (copied * copied).sum().backward()
        grads.append(weight.grad.tolist())
    np.testing.assert_array_equal(grads[0], grads[1])
    # a deep copy copies the new history too (its own leaves): d(sum(3 w)^2)/dw = 18 w
    weight = Tensor([1.0, 2.0], requires_grad=True)
    buffer = autograd.zeros(4)
    view = buffer[1:]
    buffer[1:3] = weight * 3.0
    copied = copy.deepcopy(view)
    assert copied.requires_grad and not copied.is_leaf
    (copied * copied).sum().backward()
    assert weight.grad is None
    (leaf,) = [node for node in _graph_nodes(copied) if node.is_leaf and node.requires_grad]
    np.testing.assert_array_equal(leaf.grad, [18.0, 36.0])


def _graph_nodes(node):
    seen, stack = {id(node): node}, [node]
    while stack:
        for parent in stack.pop().parents:
            if id(parent) not in seen:
                seen[id(parent)] = parent
                stack.append(parent)
    return list(seen.values())
