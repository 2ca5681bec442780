"""A Tensor's .grad reads as a GradientArray: an ndarray view of the gradient with torch's methods for gradients,
so torch's manual loop, gradient clipping and hooks run; arithmetic on it gives plain ndarrays."""

import pickle

import numpy as np
import pytest

import autograd as ag
import nn
from autograd import Tensor, no_grad
from autograd.gradient_array import GradientArray


def _leaf_with_gradient(values=(1.0, -3.0, 0.5)):
    w = Tensor(np.array(values), requires_grad=True)
    (w * w).sum().backward()  # grad = 2 w
    return w


def test_torchs_manual_loop_updates_and_zeroes_the_gradient_in_place():
    w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    for _ in range(3):
        loss = ((w - 3.0) ** 2).sum()
        loss.backward()
        with no_grad():
            w -= 0.25 * w.grad
            w.grad.zero_()
    np.testing.assert_allclose(w.data, 3.0 + (np.array([1.0, -2.0]) - 3.0) * 0.5**3)
    np.testing.assert_array_equal(w.grad, [0.0, 0.0])


def test_grad_data_clamp_clips_the_stored_gradient_as_torchs_dqn_loop_does():
    model = nn.Linear(3, 2)
    model(Tensor(np.full((4, 3), 10.0, dtype=np.float32))).sum().backward()
    for parameter in model.parameters():
        parameter.grad.data.clamp_(-1, 1)
    assert all(np.abs(p.grad).max() <= 1.0 for p in model.parameters())
    np.testing.assert_array_equal(model.bias.grad, [1.0, 1.0])  # 4 before clipping


@pytest.mark.parametrize(
    ("method", "arguments", "expected"),
    [
        ("zero_", (), [0.0, 0.0, 0.0]),
        ("fill_", (7.0,), [7.0, 7.0, 7.0]),
        ("add_", (Tensor([1.0, 1.0, 1.0]),), [3.0, -5.0, 2.0]),
        ("sub_", (np.ones(3),), [1.0, -7.0, 0.0]),
        ("mul_", (2.0,), [4.0, -12.0, 2.0]),
        ("div_", (2.0,), [1.0, -3.0, 0.5]),
        ("neg_", (), [-2.0, 6.0, -1.0]),
        ("clamp_", (-1.0, 1.0), [1.0, -1.0, 1.0]),
        ("copy_", (Tensor([5.0, 6.0, 7.0]),), [5.0, 6.0, 7.0]),
    ],
)
def test_in_place_methods_write_into_the_stored_gradient(method, arguments, expected):
    w = _leaf_with_gradient()  # grad [2, -6, 1]
    result = getattr(w.grad, method)(*arguments)
    np.testing.assert_array_equal(result, expected)
    np.testing.assert_array_equal(w.grad, expected)
    np.testing.assert_array_equal(w._grad, expected)


def test_add_and_sub_take_torchs_alpha():
    w = _leaf_with_gradient()
    w.grad.add_(np.ones(3), alpha=-2.0)
    np.testing.assert_array_equal(w.grad, [0.0, -8.0, -1.0])
    w.grad.sub_(np.ones(3), alpha=0.5)
    np.testing.assert_array_equal(w.grad, [-0.5, -8.5, -1.5])


def test_new_value_methods_leave_the_gradient_and_norm_matches_numpy():
    w = _leaf_with_gradient()
    np.testing.assert_array_equal(w.grad.clamp(-1, 1), [1.0, -1.0, 1.0])
    np.testing.assert_array_equal(w.grad.abs(), [2.0, 6.0, 1.0])
    clone = w.grad.clone()
    clone.zero_()
    np.testing.assert_array_equal(w.grad, [2.0, -6.0, 1.0])
    assert w.grad.norm() == pytest.approx(np.sqrt(41.0))
    assert w.grad.norm(1) == pytest.approx(9.0) and w.grad.norm(float("inf")) == 6.0
    assert w.grad.data.norm(2).item() == pytest.approx(np.sqrt(41.0))
    assert w.grad.abs().max() == 6.0 and w.grad.numel() == 3 and w.grad.dim() == 1
    assert type(w.grad.numpy()) is np.ndarray and np.shares_memory(w.grad.numpy(), w._grad)
    assert w.grad.detach() is not None and w.grad.cpu().shape == (3,) and not w.grad.requires_grad


def test_clamp_without_bounds_is_an_error():
    with pytest.raises(ValueError, match="at least one of min and max"):
        _leaf_with_gradient().grad.clamp_()


def test_arithmetic_on_a_gradient_gives_plain_arrays_so_parameters_and_optimizer_state_stay_plain():
    model = nn.Linear(3, 2)
    optimizer = nn.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(2):
        optimizer.zero_grad()
        model(Tensor(np.ones((4, 3), dtype=np.float32))).sum().backward()
        optimizer.step()
    assert type(model.weight._data) is np.ndarray
    assert type(optimizer.state[model.weight]["momentum_buffer"]) is np.ndarray
    w = _leaf_with_gradient()
    for result in (0.1 * w.grad, w.grad * 2, w.grad + w.grad, -w.grad, np.exp(w.grad)):
        assert type(result) is np.ndarray
    assert type(w.grad.sum()) is np.float64
    with no_grad():
        w.data = w.data - 0.1 * w.grad
    assert type(w._data) is np.ndarray


def test_assigning_a_gradient_array_stores_a_plain_array_and_pickles_round_trip():
    w = _leaf_with_gradient()
    other = Tensor(np.zeros(3), requires_grad=True)
    other.grad = w.grad
    assert type(other._grad) is np.ndarray
    restored = pickle.loads(pickle.dumps(w.grad))
    assert isinstance(restored, np.ndarray)
    np.testing.assert_array_equal(restored, [2.0, -6.0, 1.0])


def test_hooks_get_torchs_methods_and_their_results_are_stored_as_plain_arrays():
    w = Tensor(np.array([1.0, -3.0]), requires_grad=True)
    w.register_hook(lambda g: g.clamp(-1, 1))
    (w * 5.0).sum().backward()
    np.testing.assert_array_equal(w.grad, [1.0, 1.0])
    assert type(w._grad) is np.ndarray
    seen = []
    x = Tensor(np.array([2.0]), requires_grad=True)
    x.register_hook(lambda g: seen.append(float(g.norm())))
    (x * 3.0).sum().backward()
    assert seen == [3.0]


def test_gradients_of_values_and_of_create_graph_passes_are_unchanged():
    v = ag.Value(2.0)
    (v * v).backward()
    assert type(v.grad) is float
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    assert isinstance(x.grad, Tensor) and x.grad.requires_grad
    assert Tensor(np.ones(2), requires_grad=True).grad is None


def test_the_gradient_array_is_a_view_of_the_stored_gradient():
    w = _leaf_with_gradient()
    assert isinstance(w.grad, GradientArray) and isinstance(w.grad, np.ndarray)
    assert np.shares_memory(w.grad, w._grad)
    w.grad[0] = 100.0
    assert w._grad[0] == 100.0


def test_norm_of_a_float16_gradient_does_not_overflow_and_keeps_its_dtype():
    w = Tensor(np.zeros(2, np.float16), requires_grad=True)
    (w * Tensor(np.array([300.0, 300.0], np.float16))).sum().backward()
    with np.errstate(all="raise"):
        norm = w.grad.norm()
    assert norm.dtype == np.float16 and float(norm) == pytest.approx(424.26, rel=1e-3)


def test_in_place_operators_keep_the_gradient_array():
    w = _leaf_with_gradient()
    g = w.grad
    g *= 0.5
    assert isinstance(g, GradientArray)
    g.clamp_(-1, 1)
    np.testing.assert_array_equal(w.grad, [1.0, -1.0, 0.5])


def test_hooks_of_zero_d_tensors_get_a_gradient_array_too():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    m = x.mean()
    m.register_hook(lambda g: g.clamp(-1, 1))
    (m * x).sum().backward()  # dL/dm = 3, clamped to 1
    np.testing.assert_allclose(x.grad, 1.5 + 0.5 * np.ones(2))


def test_a_hook_that_changes_its_argument_in_place_changes_no_other_leafs_gradient():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = Tensor(np.array([3.0, 4.0]), requires_grad=True)
    y.register_hook(lambda g: g.mul_(10))
    (x + y).sum().backward()  # add hands one array to both inputs
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])
    np.testing.assert_array_equal(y.grad, [10.0, 10.0])


def test_view_with_integers_reshapes_without_copying_as_torch_and_numpys_view_still_works():
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    (w * w).sum().backward()
    flat = w.grad.view(-1)
    assert isinstance(flat, GradientArray) and flat.shape == (6,)
    flat[0] = 9.0
    assert w.grad[0, 0] == 9.0
    assert w.grad.view(3, 2).shape == (3, 2) and w.grad.view((6,)).shape == (6,)
    with pytest.raises(RuntimeError, match="view size is not compatible"):
        w.grad.T.view(-1)
    assert type(w.grad.view(np.ndarray)) is np.ndarray and w.grad.view(np.int64).dtype == np.int64
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.ones(2, 3).t().view(-1)


def test_a_gradient_answers_torchs_size_and_keeps_numpys_size():
    w = ag.tensor(np.ones((2, 3)), requires_grad=True)
    (w * w).sum().backward()
    assert w.grad.size == 6 and w.grad.size + 1 == 7  # numpy's element count, an int
    assert w.grad.size() == (2, 3) and w.grad.size(-1) == 3 and w.grad.numel() == 6  # torch's
    assert w.grad.is_leaf and w.grad.is_floating_point()


def test_a_hook_may_use_torchs_out_of_place_methods_on_its_gradient():
    w = ag.tensor([1.0, -3.0, 0.5], requires_grad=True)
    w.register_hook(lambda g: g.mul(2))
    w.register_hook(lambda g: g.add(np.ones(3), alpha=3))  # (results are plain arrays: the next hook gets its own)
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad, 2 * np.array([1.0, -3.0, 0.5]) * 2 + 3)


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        (lambda g: g.div(2), [1.0, -3.0, 0.5]),
        (lambda g: g.pow(2), [4.0, 36.0, 1.0]),
        (lambda g: g.neg(), [-2.0, 6.0, -1.0]),
        (lambda g: g.sqrt()[[0, 2]], [np.sqrt(2.0), 1.0]),
        (lambda g: g.lt(0), [False, True, False]),
        (lambda g: g.ge(1), [True, False, True]),
        (lambda g: g.eq(-6), [False, True, False]),
        (lambda g: g.ne(-6), [True, False, True]),
        (lambda g: g.le(1), [False, True, True]),
        (lambda g: g.gt(1), [True, False, False]),
    ],
)
def test_a_gradients_torch_methods_give_new_plain_arrays(method, expected):
    w = ag.tensor([1.0, -3.0, 0.5], requires_grad=True)
    (w * w).sum().backward()
    with np.errstate(invalid="ignore"):
        result = method(w.grad)
    assert type(result) is np.ndarray
    np.testing.assert_array_equal(result, expected)
    np.testing.assert_array_equal(w.grad, [2.0, -6.0, 1.0])  # unchanged


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [(np.float32, np.float32), ("float16", np.float16), ("torch.float16", np.float16), (ag.float32, np.float32)],
)
def test_a_gradient_converts_to_a_dtype_as_torchs_to(dtype, expected):
    w = ag.tensor([1.0, -3.0], requires_grad=True)
    (w * w).sum().backward()
    converted = w.grad.to(dtype)
    assert converted.dtype == expected
    np.testing.assert_array_equal(converted, [2.0, -6.0])
    assert w.grad.to("cpu").dtype == np.float64 and w.grad.float().dtype == np.float32
    assert w.grad.double().dtype == np.float64


@pytest.mark.parametrize(
    "make, shape",
    [
        (lambda lib: lib.Conv2d(3, 4, 4, 2, 1), (3, 3, 16, 16)),  # DCGAN's discriminator: a padded slice inside
        (lambda lib: lib.Conv1d(3, 4, 3, padding=2), (2, 3, 9)),
        (lambda lib: lib.Conv3d(2, 3, 3, padding=1), (2, 2, 5, 5, 5)),
        (lambda lib: lib.MaxPool2d(3, 2, 1), (2, 3, 8, 8)),
        (lambda lib: lib.AvgPool2d(3, 2, 1), (2, 3, 8, 8)),
        (lambda lib: lib.ZeroPad2d((1, 2, 0, 1)), (2, 3, 4, 4)),
        (lambda lib: lib.MultiheadAttention(4, 2, batch_first=True), (2, 5, 4)),
    ],
)
def test_gradients_handed_out_can_be_viewed_as_torchs(make, shape):
    """torch's .grad follows its parameter's (contiguous) layout and its conv, pool and pad input gradients are
    contiguous, so WGAN-GP's ``gradients.view(gradients.size(0), -1)`` and ``x.grad.view(-1)`` work: here too,
    whatever the layout of the backward pass's working arrays (autograd.grad's results are made contiguous, as
    torch's are for all but a few ops)."""
    torch = pytest.importorskip("torch")
    theirs, ours = make(torch.nn).double(), make(nn).double()
    ours.load_state_dict({name: value.detach().numpy() for name, value in theirs.state_dict().items()})
    x_np = np.random.default_rng(0).standard_normal(shape)

    def run(module, x):
        attention = isinstance(module, (torch.nn.MultiheadAttention, nn.MultiheadAttention))
        out = module(x, x, x)[0] if attention else module(x)
        return out.sum() + (out * out).sum()

    x_t = torch.tensor(x_np, requires_grad=True)
    expected = torch.autograd.grad(run(theirs, x_t), x_t)[0].reshape(len(x_np), -1).numpy()
    for create_graph in (False, True):
        x = Tensor(x_np, requires_grad=True)
        (gradient,) = ag.grad(run(ours, x), x, create_graph=create_graph)
        np.testing.assert_allclose(np.asarray(gradient.view(gradient.size(0), -1)), expected, rtol=1e-12, atol=1e-14)
    run(ours, x).backward()
    np.testing.assert_allclose(np.asarray(x.grad.view(-1)), expected.reshape(-1), rtol=1e-12, atol=1e-14)


def test_numpy_takes_torchs_force_keyword():
    """torch's ``g.detach().numpy(force=True)`` runs on a gradient as on torch's gradient tensor (it was a TypeError)."""
    torch = pytest.importorskip("torch")
    x_t = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    expected = torch.autograd.grad((x_t**2).sum(), x_t)[0].detach().numpy(force=True)
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (gradient,) = ag.grad((x**2).sum(), x)
    for array in (gradient.detach().numpy(force=True), gradient.numpy(force=False)):
        assert type(array) is np.ndarray
        np.testing.assert_array_equal(array, expected)
    (x**2).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(force=True), expected)
    np.testing.assert_array_equal(x.data.numpy(force=True), [1.0, 2.0])


def test_grad_is_one_object_while_the_stored_gradient_is_the_same_array_as_torchs():
    w = _leaf_with_gradient()
    first = w.grad
    assert w.grad is first  # torch: x.grad is x.grad
    (w * 3.0).sum().backward()  # accumulates into the same array: the object kept is still .grad
    assert w.grad is first
    np.testing.assert_array_equal(first, 2 * np.array([1.0, -3.0, 0.5]) + 3.0)
    w.grad = None
    (w * 2.0).sum().backward()  # a new gradient array: a new object, and the old one keeps its numbers
    assert w.grad is not first and w.grad is w.grad
    np.testing.assert_array_equal(w.grad, [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(first, 2 * np.array([1.0, -3.0, 0.5]) + 3.0)
    assert len(pickle.dumps(w)) == len(pickle.dumps(_leaf_with_gradient()))  # the object shown is not pickled


@pytest.mark.parametrize("shape", [(), (1,), (1, 1), (1, 1, 1)])
def test_float_int_and_complex_of_a_one_element_gradient_or_data_of_any_shape_as_torchs(shape):
    """DeZero's step 59 reads a (1, 1) prediction as ``float(y.data)``, a training loop a (1,) bias's gradient as
    ``float(layer.bias.grad)``: torch converts any one-element tensor, where numpy 2 takes 0-d arrays only."""
    torch = pytest.importorskip("torch")
    w = Tensor(np.full(shape, 2.5), requires_grad=True)
    y = w * 3
    (y * y).sum().backward()  # grad = 18 w = 45
    wt = torch.full(shape, 2.5, dtype=torch.float64, requires_grad=True)
    yt = wt * 3
    (yt * yt).sum().backward()
    for convert in (float, int, complex):
        assert convert(y.data) == convert(yt.data) == convert(7.5)
        assert convert(w.grad) == convert(wt.grad) == convert(45.0)
        assert convert(w.grad.data) == convert(wt.grad.data)
    assert type(float(y.data)) is float and type(int(w.grad)) is int


@pytest.mark.parametrize("shape", [(2,), (1, 2), (0,)])
def test_float_of_a_gradient_or_data_of_other_sizes_is_torchs_value_error(shape):
    w = Tensor(np.ones(shape), requires_grad=True)
    (w * w).sum().backward()
    for convert in (float, int, complex):
        for array in (w.grad, w.data):
            with pytest.raises(ValueError):
                convert(array)


def test_in_place_operators_on_grad_data_update_the_gradient_as_dezeros_weight_decay_and_clip_grad_hooks():
    """DeZero's optimizer hooks write ``param.grad.data += rate * param.data`` and ``param.grad.data *= rate``: Python
    runs the in-place operator, then assigns its result back to ``grad.data``, which torch's tensors take."""
    torch = pytest.importorskip("torch")
    ours = Tensor(np.array([1.0, -2.0, 0.5]), requires_grad=True)
    theirs = torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64, requires_grad=True)
    for p in (ours, theirs):
        (p * p).sum().backward()
        p.grad.data += 0.1 * p.data  # WeightDecay(rate=0.1)
        p.grad.data *= 0.5  # ClipGrad's rate
        p.grad.data -= 1.0
        p.grad.data /= 2.0
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-15)
    assert isinstance(ours.grad, GradientArray)


def test_assigning_grad_data_writes_the_values_into_the_gradient_and_refuses_another_shape():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    (w * 3).sum().backward()
    w.grad.data = np.array([5.0, 6.0])
    np.testing.assert_array_equal(w.grad, [5.0, 6.0])
    w.grad.data = Tensor(np.array([7.0, 8.0]))
    np.testing.assert_array_equal(w.grad, [7.0, 8.0])
    with pytest.raises(RuntimeError):
        w.grad.data = np.zeros(3)
    np.testing.assert_array_equal(w.grad, [7.0, 8.0])
