"""In-place changes, version counters and copy semantics (as PyTorch: no silently wrong gradients)."""

import re

import numpy as np
import pytest
from thread_pause import Pause, at_line, on_call, paused_thread

import nn
from autograd import Tensor, Value, as_tensor, from_numpy, increment_version, no_grad, tensor


@pytest.mark.parametrize(
    ("op", "expected"),
    [("+=", [3.0, 4.0]), ("-=", [-1.0, 0.0]), ("*=", [2.0, 4.0]), ("/=", [0.5, 1.0])],
)
def test_in_place_operators_change_the_same_tensor_inside_no_grad(op, expected):
    w = Tensor([1.0, 2.0], requires_grad=True)
    alias, array = w, w._data
    with no_grad():
        exec(f"w {op} 2.0")
    assert w is alias and w._data is array  # the same object and the same memory
    np.testing.assert_array_equal(w.data, expected)
    assert w.version == 1


def test_manual_update_loop_changes_the_model_parameters():
    model = nn.Sequential(nn.Linear(2, 3, dtype=np.float64, rng=0), nn.Tanh(), nn.Linear(3, 1, dtype=np.float64, rng=1))
    x, y = tensor([[0.5, -1.0], [1.0, 2.0]]), tensor([[1.0], [0.0]])
    nn.functional.mse_loss(model(x), y).backward()
    expected = [p.data - 0.1 * p.grad for p in model.parameters()]
    with no_grad():
        for p in model.parameters():
            p -= 0.1 * p.grad
    for p, e in zip(model.parameters(), expected):
        np.testing.assert_allclose(p.data, e)


def test_manual_update_loop_on_values_changes_the_values():
    model = nn.MLP(2, [3, 1], seed=0)
    loss = model([1.0, -1.0]) ** 2
    loss.backward()
    expected = [p.data - 0.05 * p.grad for p in model.parameters()]
    with no_grad():
        for p in model.parameters():
            p -= 0.05 * p.grad
    assert [p.data for p in model.parameters()] == pytest.approx(expected)


@pytest.mark.parametrize("make", [lambda: Tensor([1.0, 2.0], requires_grad=True), lambda: Value(1.0)])
def test_in_place_on_a_node_requiring_grad_while_recording_raises_and_names_no_grad(make):
    node = make()
    before = np.copy(node.data)
    with pytest.raises(RuntimeError, match=r"-=: in-place change .* requires grad .* `with no_grad\(\):`"):
        node -= 1.0
    np.testing.assert_array_equal(node.data, before)
    assert node.version == 0


def test_in_place_on_a_constant_with_a_right_hand_side_requiring_grad_records_it_as_torch_does():
    buffer = Tensor([1.0, 1.0])
    array = buffer._data
    w = Tensor([1.0, 2.0], requires_grad=True)
    buffer *= w  # torch: buffer becomes the output of MulBackward, no longer a leaf
    assert buffer._data is array and buffer.requires_grad and not buffer.is_leaf
    np.testing.assert_array_equal(buffer.data, [1.0, 2.0])
    (buffer * buffer).sum().backward()
    np.testing.assert_array_equal(w.grad, [2.0, 4.0])  # d/dw sum (1 * w)^2 = 2 w


def test_in_place_on_constants_is_allowed_while_recording():
    counts = Tensor([0, 0])
    counts += 1
    np.testing.assert_array_equal(counts.data, [1, 1])
    total = Value(0.0, requires_grad=False)
    total += 2.5
    assert total.data == 2.5


def test_setitem_follows_the_same_rule():
    w = Tensor(np.zeros((2, 3)), requires_grad=True)
    with pytest.raises(RuntimeError, match="setitem"):
        w[0, 1] = 5.0
    with no_grad():
        w[0, 1] = 5.0
        w[1] = Tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(w.data, [[0, 5, 0], [1, 2, 3]])
    assert w.version == 2


def test_in_place_errors_name_shapes_and_dtypes():
    t = Tensor(np.zeros(3))
    with pytest.raises(ValueError, match=r"\+=: operands of shapes \(3,\) and \(2, 3\)"):
        t += np.ones((2, 3))
    ints = Tensor([1, 2])
    with pytest.raises(TypeError, match=r"/=: .* int64"):
        ints /= 2
    assert t.version == 0 and ints.version == 0


def test_backward_after_an_input_changed_in_place_raises_naming_the_op():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = (x * x).sum()
    with no_grad():
        x += 1.0
    with pytest.raises(RuntimeError, match=r"input 0 of 'mul' .* changed in place"):
        y.backward()
    assert x.grad is None


def test_backward_after_an_output_changed_in_place_raises():
    x = Tensor([0.0, 1.0], requires_grad=True)
    y = x.exp()
    loss = y.sum()
    with no_grad():
        y *= 2.0
    with pytest.raises(RuntimeError, match=r"output of 'exp'"):
        loss.backward()


def test_changes_to_inputs_an_op_does_not_read_are_fine():
    x = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([5.0, 5.0], requires_grad=True)
    loss = (x * 3.0 + b).sum()  # add reads no values
    with no_grad():
        b -= 1.0
    loss.backward()
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])


def test_a_view_shares_its_base_version():
    x = Tensor(np.arange(6.0), requires_grad=True)
    y = (x * x).sum()
    with no_grad():
        view = x.reshape(2, 3)
        view[0, 0] = 100.0
    assert x.version == 1 and x.data[0] == 100.0
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()


def test_detach_shares_data_and_version():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    d = x.detach()
    d += 1.0
    assert x.version == 1
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()


def test_value_version_check():
    a = Value(2.0)
    b = a * a
    with no_grad():
        a += 1.0
    with pytest.raises(RuntimeError, match="input 0 of 'mul'"):
        b.backward()


def test_optimizer_step_bumps_versions_and_keeps_the_array():
    layer = nn.Linear(2, 2, dtype=np.float64, rng=0)
    array, version = layer.weight._data, layer.weight.version
    layer(tensor([[1.0, 2.0]])).sum().backward()
    nn.optim.SGD(layer.parameters(), lr=0.1).step()
    assert layer.weight._data is array and layer.weight.version == version + 1


def test_optimizer_step_between_forward_and_backward_is_caught():
    layer = nn.Linear(2, 1, dtype=np.float64, rng=0)
    optimizer = nn.optim.SGD(layer.parameters(), lr=0.1)
    # the input's gradient reads the weight (as torch's, which saves the weight only when the input requires grad:
    # the weight's own gradient x^T g does not read it, so with a constant input the step is not an error there)
    loss = layer(tensor([[1.0, 2.0]], requires_grad=True)).sum()
    layer.weight.grad = np.ones((1, 2))
    optimizer.step()
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


def test_load_state_dict_and_to_bump_versions():
    layer = nn.Linear(2, 2, rng=0)
    version = layer.weight.version
    layer.load_state_dict(layer.state_dict())
    assert layer.weight.version == version + 1
    layer.double()
    assert layer.weight.version == version + 2


def test_tensor_and_tensor_function_copy_their_data():
    array = np.array([1.0, 2.0, 3.0])
    for made in (Tensor(array, requires_grad=True), tensor(array, requires_grad=True)):
        y = (made**3).sum()
        array[:] = 0.0  # the caller changes its array after the forward pass
        y.backward()
        np.testing.assert_array_equal(made.grad, 3 * np.array([1.0, 2.0, 3.0]) ** 2)
        array[:] = [1.0, 2.0, 3.0]


def test_from_numpy_shares_memory_and_as_tensor_copies_only_when_needed():
    array = np.arange(3.0)
    shared = from_numpy(array)
    array[0] = 7.0
    assert shared.data[0] == 7.0
    assert np.shares_memory(as_tensor(array).data, array)
    assert not np.shares_memory(as_tensor(array, dtype=np.float32).data, array)
    t = Tensor([1.0])
    assert as_tensor(t) is t
    with pytest.raises(TypeError, match="from_numpy: expected a numpy.ndarray"):
        from_numpy([1.0, 2.0])


def test_increment_version_after_a_change_through_data():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    x.data[0] = 5.0  # the unchecked escape hatch...
    increment_version(x)  # ...made visible
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()


def test_increment_version_takes_an_iterable_of_tensors_as_torch():
    torch = pytest.importorskip("torch")
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0], requires_grad=True)
    ta, tb = torch.tensor([1.0, 2.0], requires_grad=True), torch.tensor([3.0], requires_grad=True)
    y = (a * a).sum() + (b * b).sum()
    before = (ta._version, tb._version)
    torch.autograd.graph.increment_version([ta, tb])
    increment_version([a, b])
    assert (a.version, b.version) == (ta._version - before[0], tb._version - before[1]) == (1, 1)
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()
    increment_version([])  # nothing to bump
    assert (a.version, b.version) == (1, 1)
    with pytest.raises(TypeError, match="increment_version: expected a Tensor"):
        increment_version(3.0)
    with pytest.raises(TypeError, match="increment_version: expected a Tensor"):
        increment_version([a, np.zeros(2)])
    assert (a.version, b.version) == (1, 1)  # a bad item leaves every version as it was


def test_an_optimizer_step_bumps_each_updated_parameter_once():
    w, b = nn.Parameter(np.ones((2, 3))), nn.Parameter(np.zeros(2))
    frozen = nn.Parameter(np.ones(2))
    loss = ((Tensor(np.ones((4, 3)), requires_grad=True) @ w.T + b) ** 2).sum()  # the input's gradient reads w
    loss.backward(retain_graph=True)
    nn.optim.SGD([w, b, frozen], lr=0.1).step()  # frozen has no gradient: not updated, not bumped
    assert (w.version, b.version, frozen.version) == (1, 1, 0)
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()  # the step changed the weights the graph saved


def test_copy_into_a_parameter_under_no_grad():
    w = nn.Parameter(np.zeros(3))
    with no_grad():
        w.copy_(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(w.data, [1.0, 2.0, 3.0])
    with (
        pytest.raises(
            ValueError, match=r"copy_: an operand of shape \(2,\) does not broadcast to the tensor's shape \(3,\)"
        ),
        no_grad(),
    ):
        w.copy_(np.zeros(2))


def test_in_place_matches_torch_semantics():
    torch = pytest.importorskip("torch")
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        t -= 1.0
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    with torch.no_grad():
        x += 1
    with pytest.raises(RuntimeError):
        y.backward()


def test_version_error_names_where_the_op_was_created_in_anomaly_mode():
    from autograd import detect_anomaly

    x = Tensor([1.0, 2.0], requires_grad=True)
    with detect_anomaly():
        y = (x * x).sum()  # the line the error should point to
        with no_grad():
            x += 1.0
        with (
            pytest.warns(UserWarning, match="Error detected in MulBackward0"),  # torch's notice of the forward call
            pytest.raises(RuntimeError, match=r"'mul' node was created at .*test_in_place\.py:\d+"),
        ):
            y.backward()


def test_torch_style_in_place_methods():
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    grad = np.array([0.5, 0.5, 0.5])
    with no_grad():
        assert w.add_(grad, alpha=-0.1) is w
        np.testing.assert_allclose(w.data, [0.95, 1.95, 2.95])
        w.sub_(Tensor([1.0, 1.0, 1.0]), alpha=0.5).mul_(2.0).div_(4.0)
        np.testing.assert_allclose(w.data, [0.225, 0.725, 1.225])
        w.fill_(7.0)
        np.testing.assert_array_equal(w.data, [7.0, 7.0, 7.0])
        w.zero_()
    np.testing.assert_array_equal(w.data, [0.0, 0.0, 0.0])
    assert w.version == 6
    with pytest.raises(RuntimeError, match="zero_: in-place change of a Tensor that requires grad"):
        w.zero_()  # recording, and w requires grad


def test_saved_input_changed_in_place_error_uses_torchs_words():
    torch = pytest.importorskip("torch")
    torch_words = "one of the variables needed for gradient computation has been modified by an inplace operation"
    for make, grad_mode_off in ((tensor, no_grad), (lambda data, **kw: torch.tensor(data, **kw), torch.no_grad)):
        x = make([1.0, 2.0], requires_grad=True)
        scale = make([3.0, 4.0])
        loss = (x * scale).sum()
        with grad_mode_off():
            scale *= 2.0
        with pytest.raises(RuntimeError, match=torch_words):
            loss.backward()


def _cross_entropy_of(w: np.ndarray, target: np.ndarray) -> float:
    """The mean softmax cross-entropy of the logits 2w, in float64 numpy (the finite-difference reference)."""
    logits = 2.0 * w
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return float(-log_probs[np.arange(len(target)), target].mean())


def test_logits_changed_in_place_after_cross_entropy_keep_their_gradient():
    # the fused loss keeps its softmax, as torch's log_softmax keeps its output: the logits may change afterwards
    rng = np.random.default_rng(3)
    w0, target = rng.standard_normal((4, 3)), np.array([0, 1, 2, 1])
    w = tensor(w0, requires_grad=True)
    logits = w * 2.0
    loss = nn.functional.cross_entropy(logits, target)
    logits.mul_(3.0)
    loss.backward()
    expected = np.zeros_like(w0)
    for i in np.ndindex(w0.shape):
        step = np.zeros_like(w0)
        step[i] = 1e-6
        expected[i] = (_cross_entropy_of(w0 + step, target) - _cross_entropy_of(w0 - step, target)) / 2e-6
    np.testing.assert_allclose(w.grad, expected, rtol=1e-6, atol=1e-8)


def test_logits_changed_in_place_after_cross_entropy_refuse_a_create_graph_pass():
    # a recorded gradient makes the softmax again from the logits, whose values are gone: the version error
    w = tensor(np.ones((2, 3)), requires_grad=True)
    logits = w * 2.0
    loss = nn.functional.cross_entropy(logits, np.array([0, 2]))
    logits.mul_(3.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward(create_graph=True)


def _micrograd_more_ops(make):
    """micrograd's test_more_ops: augmented assignment on non-leaf nodes while recording."""
    a, b = make(-4.0), make(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return float(g.data), float(a.grad), float(b.grad)


def test_augmented_assignment_on_a_non_leaf_value_records_out_of_place():
    x = Value(3.0)
    y = x * x
    before = y
    y += x  # y = x^2 + x
    y *= 2.0  # y = 2x^2 + 2x
    y -= x  # 2x^2 + x
    y /= x  # 2x + 1
    assert y is not before and before.data == 9.0 and before.version == 0
    y.backward()
    assert (y.data, x.grad) == (pytest.approx(7.0), pytest.approx(2.0))
    total = Value(0.0, requires_grad=False)
    total += x * 4.0  # a constant accumulator given a node: recorded, as torch records it
    total.backward()
    assert total.data == 12.0 and x.grad == pytest.approx(6.0)


@pytest.mark.parametrize(("op", "expected"), [("**=", 9.0), ("//=", 1.0), ("%=", 1.0)])
def test_power_floor_division_and_remainder_assignments_follow_the_in_place_rule_on_values(op, expected):
    torch = pytest.importorskip("torch")
    leaf, torch_leaf = Value(3.0), torch.tensor(3.0, dtype=torch.float64, requires_grad=True)
    with pytest.raises(RuntimeError):
        exec(f"t {op} 2.0", {}, {"t": torch_leaf})
    with pytest.raises(RuntimeError, match=rf"{re.escape(op)}: in-place change of a Value that requires grad"):
        exec(f"v {op} 2.0", {}, {"v": leaf})
    assert (leaf.data, leaf.version) == (3.0, 0)
    with no_grad():
        names = {"v": leaf}
        exec(f"v {op} 2.0", {}, names)
    assert names["v"] is leaf and (leaf.data, leaf.version) == (expected, 1)


def test_in_place_power_on_a_non_leaf_value_records_out_of_place_with_torchs_gradient():
    torch = pytest.importorskip("torch")
    x, tx = Value(1.5), torch.tensor(1.5, dtype=torch.float64, requires_grad=True)
    y, ty = x * 2.0, tx * 2.0
    y **= 3.0
    ty **= 3.0  # torch records it in place; the same value and gradient
    y.backward()
    ty.backward()
    assert (y.data, x.grad) == pytest.approx((ty.item(), tx.grad.item()), rel=1e-15)


def test_in_place_floor_division_and_remainder_by_zero_give_ieee_results_on_values():
    with no_grad():
        a, b = Value(2.0), Value(2.0)
        a //= 0.0
        b %= 0.0
    assert a.data == np.inf and np.isnan(b.data)  # numpy's floor_divide and remainder


def test_micrograd_more_ops_with_augmented_assignment_matches_torch():
    torch = pytest.importorskip("torch")
    ours = _micrograd_more_ops(Value)
    theirs = _micrograd_more_ops(lambda v: torch.tensor(v, dtype=torch.float64, requires_grad=True))
    assert ours == pytest.approx(theirs, rel=1e-12)
    assert ours == pytest.approx((24.70408163265306, 138.83381924198252, 645.5772594752186), rel=1e-12)


def test_clamp_in_place_under_no_grad_and_raises_while_recording():
    w = Tensor([-2.0, 0.5, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="clamp_: in-place change"):
        w.clamp_(-1.0, 1.0)
    with no_grad():
        assert w.clamp_(-1.0, 1.0) is w
        w.clip_(max=0.75)
    np.testing.assert_array_equal(w.data, [-1.0, 0.5, 0.75])
    assert w.version == 2
    with pytest.raises(ValueError, match="at least one of min and max"):
        Tensor([1.0]).clamp_()


def test_clamp_in_place_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = Tensor([-2.0, 0.5, 3.0]), torch.tensor([-2.0, 0.5, 3.0], dtype=torch.float64)
    ours.clamp_(min=-1.0).clip_(max=1.0)
    theirs.clamp_(min=-1.0).clip_(max=1.0)
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ours.version == theirs._version


def test_in_place_on_a_leaf_requiring_grad_error_uses_torchs_words():
    torch = pytest.importorskip("torch")
    torch_words = "a leaf Variable that requires grad is being used in an in-place operation"
    for make in (Tensor, torch.tensor, Value):
        leaf = make([1.0, 2.0], requires_grad=True) if make is not Value else Value(1.0)
        with pytest.raises(RuntimeError, match=torch_words):
            leaf += 1.0


# -- torch's other in-place methods --------------------------------------------------------------------------

_DATA = np.array([-1.5, -0.2, 0.0, 0.7, 3.0])
_IN_PLACE = [
    ("neg_", (), lambda x: -x),
    ("abs_", (), np.abs),
    ("exp_", (), np.exp),
    ("log_", (), np.log),
    ("sqrt_", (), np.sqrt),
    ("pow_", (3.0,), lambda x: x**3.0),
    ("relu_", (), lambda x: np.maximum(x, 0.0)),
    ("sigmoid_", (), lambda x: 1 / (1 + np.exp(-x))),
    ("tanh_", (), np.tanh),
    ("masked_fill_", (_DATA > 0, 9.0), lambda x: np.where(x > 0, 9.0, x)),
    ("lerp_", (np.ones(5), 0.25), lambda x: x + 0.25 * (1 - x)),
]


@pytest.mark.parametrize(("name", "args", "expected"), _IN_PLACE, ids=[name for name, _, _ in _IN_PLACE])
def test_torchs_elementwise_in_place_methods_change_the_array_itself_and_bump_the_version(name, args, expected):
    x = Tensor(_DATA.copy())
    array = x._data
    with np.errstate(all="ignore"):
        want = expected(_DATA)
    assert getattr(x, name)(*args) is x and x._data is array and x.version == 1
    np.testing.assert_allclose(x.data, want, rtol=1e-15, equal_nan=True)


def test_addcmul_and_addcdiv_follow_torchs_formulas():
    x, a, b = Tensor(_DATA.copy()), np.full(5, 2.0), np.full(5, 4.0)
    np.testing.assert_allclose(x.addcmul_(a, b, value=0.5).data, _DATA + 0.5 * 2 * 4)
    np.testing.assert_allclose(x.addcdiv_(a, b, value=-2.0).data, _DATA + 4.0 - 1.0)
    torch = pytest.importorskip("torch")
    reference = torch.tensor(_DATA).addcmul_(torch.tensor(a), torch.tensor(b), value=0.5)
    reference.addcdiv_(torch.tensor(a), torch.tensor(b), value=-2.0)
    np.testing.assert_allclose(x.data, reference.numpy(), rtol=1e-15)


def test_random_fills_draw_in_place_reproducibly_and_refuse_recorded_tensors():
    weight = Tensor(np.zeros((200, 50), dtype=np.float32), requires_grad=True)
    with pytest.raises(RuntimeError, match="uniform_: in-place change of a Tensor that requires grad"):
        weight.uniform_(-1, 1)
    with no_grad():
        weight.uniform_(-0.5, 0.5, generator=3)
    first = weight.data.copy()
    assert weight.dtype == np.float32 and first.min() >= -0.5 and first.max() < 0.5 and abs(first.mean()) < 0.02
    with no_grad():
        weight.uniform_(-0.5, 0.5, generator=np.random.default_rng(3))
    np.testing.assert_array_equal(weight.data, first)  # the same seed, the same draws
    with no_grad():
        weight.normal_(1.0, 0.1, generator=0)
    assert abs(weight.data.mean() - 1.0) < 0.01 and abs(weight.data.std() - 0.1) < 0.01


def test_in_place_methods_refuse_a_result_of_another_shape_or_kind():
    with pytest.raises(
        ValueError, match=r"pow_: an operand of shape \(2, 5\) does not broadcast to the tensor's shape \(5,\)"
    ):
        Tensor(_DATA.copy()).pow_(np.ones((2, 5)))
    with pytest.raises(TypeError, match="masked_fill_: the mask must be boolean"):
        Tensor(_DATA.copy()).masked_fill_(np.ones(5), 0.0)
    with pytest.raises(TypeError, match="sqrt_: the float64 result cannot be stored in place in a int64 tensor"):
        Tensor(np.arange(5)).sqrt_()


def test_output_changed_in_place_is_fine_when_no_rule_reads_it():
    """As torch, which checks only what an op saved: sin's derivative is cos(x), mul's by a number the number."""
    x = Tensor([1.0, 2.0], requires_grad=True)
    y, z = x * 2.0, x.sin()
    with no_grad():
        y.mul_(3.0)
        z.mul_(2.0)
    (y.sum() + z.sum()).backward()
    np.testing.assert_allclose(x.grad, 2.0 + np.cos([1.0, 2.0]))


def test_op_reads_output_is_read_from_its_rules_code():
    from autograd.op import Op

    assert not Op("double", lambda g, out, x: g * 2.0).reads_output
    assert Op("exp", lambda g, out, x: g * out).reads_output
    assert Op("nested", lambda g, out, x: [g * o for o in (out,)]).reads_output  # read inside a comprehension
    assert Op("opaque", max).reads_output  # code that cannot be read counts as reading it
    assert not Op("shape only", lambda g, out, x: g * out, reads_values=False).reads_output


def test_backward_checks_only_the_inputs_whose_values_a_rule_reads():
    # d(x / y)/dx = 1/y and d(x / y)/dy = -x/y**2 read x and y, never the quotient (torch's div saves its inputs):
    # the quotient may change in place, x may not
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor([4.0, 8.0], requires_grad=True)
    quotient = x / y
    quotient.mul_(3.0)
    quotient.sum().backward()
    np.testing.assert_allclose(x.grad, [0.75, 0.375])
    np.testing.assert_allclose(y.grad, [-3.0 / 16.0, -6.0 / 64.0])  # -3x/y**2
    quotient = x / y
    with no_grad():
        x += 100.0
    with pytest.raises(RuntimeError, match="input 0 of 'div'"):
        quotient.sum().backward()
    product = y * x  # d/dy reads x
    with no_grad():
        x += 1.0
    with pytest.raises(RuntimeError, match="input 1 of 'mul'"):
        product.sum().backward()


def test_a_quotient_changed_in_place_differentiates_as_torchs():
    torch = pytest.importorskip("torch")
    grads = []
    for make in (Tensor, torch.tensor):
        x = make([1.0, -2.0, 3.0], requires_grad=True)
        y = make([2.0, 4.0, -1.0], requires_grad=True)
        quotient = x / y
        quotient.mul_(5.0)
        quotient.sum().backward()
        grads.append([np.asarray(x.grad), np.asarray(y.grad)])
    for ours, theirs in zip(*grads):
        np.testing.assert_allclose(ours, theirs)


@pytest.mark.parametrize(
    "shapes, changed",
    [
        (((3,), (3, 2)), 0),  # (n,) @ (n, m): a's gradient g @ b.T reads b only
        (((2, 3), (3,)), 1),  # (k, n) @ (n,): b's gradient reads a only
        (((3,), (3,)), 1),  # a dot product
        (((3,), (4, 3, 2)), 0),  # a 1-D a against a stack of matrices
        (((4, 2, 3), (3,)), 1),
        (((2, 3), (3, 2)), 0),
    ],
)
def test_matmul_lets_an_input_change_in_place_when_only_its_own_gradient_is_wanted_as_torch(shapes, changed):
    # torch's matmul saves an operand only for the other's gradient: a rule that reads its own input's shape
    # must not make a change of that input an error
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(shape) for shape in shapes]
    grads = []
    for make, guard in ((Tensor, no_grad), (torch.tensor, torch.no_grad)):
        leaf = make(arrays[changed].copy(), requires_grad=True)
        inputs = [make(array.copy()) for array in arrays]
        inputs[changed] = leaf * 1.0
        product = inputs[0] @ inputs[1]
        with guard():
            inputs[changed] += 1.0
        (product * product).sum().backward()
        grads.append(np.asarray(leaf.grad))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_linear_lets_its_weight_change_in_place_when_only_the_bias_gradient_is_wanted_as_torch():
    torch = pytest.importorskip("torch")
    import nn.functional as F

    x, weight, bias = np.arange(6.0).reshape(2, 3), np.ones((4, 3)), np.zeros(4)
    grads = []
    for make, guard, linear in (
        (Tensor, no_grad, F.linear),
        (torch.tensor, torch.no_grad, torch.nn.functional.linear),
    ):
        w, b = make(weight.copy()), make(bias.copy(), requires_grad=True)
        out = linear(make(x), w, b)
        with guard():
            w += 1.0
        (out * out).sum().backward()
        grads.append(np.asarray(b.grad))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


def test_many_in_place_changes_read_in_between_give_each_read_the_values_it_saw():
    # y_k = a_k x + b_k after k changes; s = sum_k c_k * sum(y_k), so ds/dx = sum_k c_k a_k for every entry,
    # computed here in Python floats alongside
    x = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    y = x * 1.0
    s = Tensor(np.array(0.0))
    slope, expected = 1.0, 0.0
    for k in range(400):
        weight = 1.0 + k % 3
        s = s + y.sum() * weight
        expected += weight * slope
        if k % 2:
            y *= 1.001
            slope *= 1.001
        else:
            y += 0.5
    s.backward()
    np.testing.assert_allclose(x.grad, [expected] * 3, rtol=1e-12)


def test_underscore_version_is_torchs_int_count_of_in_place_changes_shared_with_views():
    x = Tensor(np.array([1.0, 2.0]))
    view = x[:1]
    assert x._version == 0 and view._version == 0
    x.add_(1.0)
    view.mul_(2.0)
    assert x._version == 2 and view._version == 2 and x._version == x.version
    torch = pytest.importorskip("torch")
    theirs = torch.tensor([1.0, 2.0])
    their_view = theirs[:1]
    theirs.add_(1.0)
    their_view.mul_(2.0)
    assert theirs._version == x._version and their_view._version == view._version


def test_a_recorded_augmented_assignment_through_an_index_counts_two_versions_as_torch():
    # t[i] += v changes the view t[i] in place, then Python assigns it back: torch counts both, recorded or not
    torch = pytest.importorskip("torch")
    counts = []
    for make in (Tensor, torch.tensor):
        w = make(np.ones((2, 3)), requires_grad=True)
        for t in (w * 1.0, make(np.ones((2, 3)))):
            t[:, 1] += 2.0
            t[0][1] *= 3.0
            t[[0, 1]] += 1.0
            counts.append(t._version)
    assert counts[:2] == counts[2:] == [5, 5]


@pytest.mark.parametrize(
    ("destination", "source", "expected"),
    [
        (np.array([0, 2]), np.array([2.7, -2.7]), [2, -2]),  # floats truncated toward 0, as torch's copy_
        (np.zeros(2, dtype=np.uint8), np.array([3.9, 255.2]), [3, 255]),
        (np.array([0, 2]), np.array([True, False]), [1, 0]),
    ],
)
def test_copy_casts_any_source_dtype_into_the_tensors_dtype_as_torchs(destination, source, expected):
    t = tensor(destination)
    t.copy_(tensor(source))
    assert t.dtype == destination.dtype and t.tolist() == expected and t.version == 1


@pytest.mark.parametrize("source", [None, "1.5", np.array(["3", "4"]), b"1", [1j, 2j]])
def test_copy_of_a_source_that_is_not_real_numbers_is_a_type_error_and_changes_nothing(source):
    # torch's copy_ refuses None and strings (TypeError); numpy's unsafe cast wrote nan for None and parsed "1.5"
    t = tensor(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="copy_: the source must hold real numbers"):
        t.copy_(source)
    assert t.tolist() == [1.0, 2.0] and t.version == 0
    torch = pytest.importorskip("torch")
    if not isinstance(source, list):  # torch's copy_ takes complex values, dropping their imaginary part with a warning
        with pytest.raises(TypeError):
            torch.tensor([1.0, 2.0]).copy_(source)


@pytest.mark.parametrize("value", [None, "1.5", b"1", 1j])
def test_setitem_of_a_value_that_is_not_real_numbers_is_a_type_error_and_changes_nothing(value):
    # torch: TypeError (can't assign a NoneType to a torch.FloatTensor); numpy stored None as nan and parsed "1.5"
    t = tensor(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="setitem: the source must hold real numbers"):
        t[0] = value
    assert t.tolist() == [1.0, 2.0] and t.version == 0
    torch = pytest.importorskip("torch")
    if not isinstance(value, complex):  # torch stores a complex value's real part
        with pytest.raises(TypeError):
            torch.tensor([1.0, 2.0])[0] = value


@pytest.mark.parametrize(
    "write",
    [
        lambda t, v: t.__setitem__(0, v[0]),
        lambda t, v: t.__setitem__(slice(0, 2), v),
        lambda t, v: t[1:].__setitem__(0, v[1]),  # through a view
        lambda t, v: t[:2].copy_(v),
    ],
    ids=["setitem-int", "setitem-slice", "setitem-of-a-view", "copy_"],
)
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_a_value_that_requires_grad_written_into_an_integer_tensor_is_cast_and_records_nothing(write, dtype):
    # an integer tensor takes no gradient: torch's t[i] = v and copy_ cast v's values and record nothing; the
    # integer tensor came out requiring grad with a grad_fn (an index_put), and copy_ raised a cast error
    torch = pytest.importorskip("torch")
    ours, theirs = tensor(np.array([0, 2, 3], dtype=dtype)), torch.tensor(np.array([0, 2, 3], dtype=dtype))
    value = tensor(np.array([2.7, -1.0]), requires_grad=True)
    write(ours, value)
    write(theirs, torch.tensor([2.7, -1.0], dtype=torch.float64, requires_grad=True))
    assert ours.tolist() == theirs.tolist() and ours.dtype == np.dtype(dtype)
    assert not ours.requires_grad and ours.grad_fn is None and not theirs.requires_grad
    assert ours.version == 1


def test_a_float_result_that_requires_grad_added_into_an_integer_tensor_is_torchs_cast_error():
    t = tensor(np.array([0, 2]))
    with pytest.raises(RuntimeError, match=r"\+=: .*result type Double can't be cast to the desired output type Long"):
        t += tensor(np.array([0.5, 1.5]), requires_grad=True)
    assert t.tolist() == [0, 2] and t.version == 0


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t.exp_(),
        lambda t: t.sqrt_(),
        lambda t: t.sigmoid_(),
        lambda t: t.pow_(0.5),
        lambda t: t.lerp_(t * 2.0, 0.5),
        lambda t: t.addcmul_(t * 1.0, t * 1.0),
        lambda t: t.clamp_(0.5),
        lambda t: t.clamp_(max=1.5),
        lambda t: t.clip_(t * 0.5),
    ],
    ids=["exp_", "sqrt_", "sigmoid_", "pow_", "lerp_", "addcmul_", "clamp_-min", "clamp_-max", "clip_-tensor"],
)
def test_a_float_result_of_an_in_place_method_on_an_integer_tensor_is_torchs_runtime_error(change):
    # torch: RuntimeError "result type Float can't be cast to the desired output type Long"; these raised a bare
    # TypeError (exp_, lerp_, ...) or numpy's UFuncTypeError (clamp_) where sin_ or mul_ raised torch's error
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        change(torch.tensor([1, 2, 3]))
    t = tensor(np.array([1, 2, 3]))
    with pytest.raises(
        RuntimeError, match=r"_: the float64 result cannot be stored in place in a int64 tensor \(result"
    ):
        change(t)
    assert t.tolist() == [1, 2, 3] and t.version == 0


def test_a_hook_changing_a_saved_input_in_place_during_backward_is_caught_as_torch():
    # torch checks a saved tensor's version when the node that saved it runs, so a change made by a hook of a
    # node reached earlier in the same pass raises; computing on would give w a gradient from the new values
    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = Tensor([0.5, 0.5, 0.5])
    y = (w * x).exp()  # mul saves x for w's gradient

    def doubles_x(grad):
        with no_grad():
            x.mul_(2.0)

    y.register_hook(doubles_x)
    with pytest.raises(RuntimeError, match=r"input 1 of 'mul' .* changed in place"):
        y.sum().backward()
    assert w.grad is None


def test_an_in_place_change_by_another_thread_during_backward_is_caught_as_torch():
    import threading

    w = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x = Tensor([0.5, 0.5, 0.5])
    y = (w * x).exp()
    in_pass, changed = threading.Event(), threading.Event()

    def waits_for_the_change(grad):
        in_pass.set()
        changed.wait(timeout=10)

    y.register_hook(waits_for_the_change)
    errors: list[BaseException] = []

    def backward():
        try:
            y.sum().backward()
        except RuntimeError as error:
            errors.append(error)

    pass_thread = threading.Thread(target=backward)
    pass_thread.start()
    in_pass.wait(timeout=10)
    with no_grad():
        x.mul_(2.0)  # after the pass began, before it reaches mul
    changed.set()
    pass_thread.join()
    assert len(errors) == 1 and re.search(r"input 1 of 'mul' .* changed in place", str(errors[0]))
    assert w.grad is None


def test_an_in_place_change_by_another_thread_while_backward_walks_a_line_is_caught():
    # the first stretch of a pass (a lone root's one-parent line, carried without hooks) checks versions too
    import autograd.backprop

    w = Tensor([0.5, 1.0], requires_grad=True)
    e = w.exp()
    y = e.sin().cos()  # sin's rule reads its input, e
    in_line = Pause()
    tracer = on_call(in_line, autograd.backprop._carried_along_line.__code__)
    with paused_thread(lambda: y.sum().backward(), tracer, in_line, catch=RuntimeError) as errors:
        with no_grad():
            e.mul_(2.0)
    assert len(errors) == 1 and re.search(r"input 0 of 'sin' .* changed in place", str(errors[0]))
    assert w.grad is None


def test_two_threads_making_the_first_version_counter_of_a_tensor_share_one():
    # a view made in one thread while another changes the tensor in place: both need its counter, made on first
    # use; torch's tensors are born with one, so the change counts for the tensor and for the view
    from autograd.versions import VersionCounter

    x = Tensor([1.0, 2.0, 3.0])
    making = Pause()
    views = []
    tracer = on_call(making, VersionCounter.__init__.__code__)
    with paused_thread(lambda: views.append(x[:2]), tracer, making, catch=()):
        with no_grad():
            x.add_(1.0)  # makes a counter too, and bumps it
    assert x._version == 1
    assert views[0]._version == x._version
    with no_grad():
        x.mul_(2.0)
    assert views[0]._version == x._version == 2


def test_views_of_one_tensor_made_in_two_threads_at_once_are_both_known_as_views():
    # the first views of a tensor: each thread notes its view among the holders of the tensor's counter; a note
    # lost would let a recorded in-place change of that view skip its base (torch's views always know theirs)
    import autograd.versions
    from autograd.versions import VersionCounter

    x = Tensor([1.0, 2.0, 3.0, 4.0])
    x._shared_version()  # (the counter exists: the views race for its first holder entry only)
    noting = Pause()
    views = []
    tracer = at_line(noting, VersionCounter.add_holder.__code__, "if holders is None:")
    with paused_thread(lambda: views.append(x[:2]), tracer, noting, catch=()):
        # paused at the check before the lock, where the race is (paused under it, this thread's view would wait
        # for the pause's timeout)
        assert not autograd.versions._first_holders.locked()
        other = x[2:]
    assert noting.reached.is_set()
    assert views[0]._is_view() and other._is_view()
