"""A Tensor's ``.data`` reads as a DataArray: its array, with torch's tensor methods, writing with nothing recorded."""

import operator
import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor, Value, no_grad
from autograd.gradient_array import DataArray


def _trained_linear():
    layer = nn.Linear(3, 2, rng=0)
    layer(np.array([[1.0, -2.0, 0.5]], np.float32)).sum().backward()
    return layer


def test_data_is_an_ndarray_view_of_the_tensors_own_memory():
    t = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    view = t.data
    assert isinstance(view, np.ndarray) and isinstance(view, DataArray)
    assert view.data_ptr() == t.data_ptr() and view.shape == (3,) and view.dtype == np.float64
    view[0] = 5.0
    np.testing.assert_array_equal(t.numpy(), [5.0, 2.0, 3.0])


def test_torchs_initialisation_through_data_fills_the_parameter_in_place_without_a_version():
    layer = nn.Linear(200, 100, rng=0)
    pointer, version = layer.weight.data_ptr(), layer.weight.version
    layer.weight.data.normal_(0.0, 0.01)
    layer.bias.data.fill_(0.5)
    weights = layer.weight.numpy()
    assert layer.weight.data_ptr() == pointer and layer.weight.version == version
    assert abs(weights.mean()) < 1e-3 and abs(weights.std() - 0.01) < 1e-3
    np.testing.assert_array_equal(layer.bias.numpy(), np.full(100, 0.5, np.float32))
    layer.weight.data.uniform_(-0.1, 0.1)
    assert weights.min() >= -0.1 and weights.max() < 0.1 and weights.std() > 0.05
    layer.weight.data.zero_()
    assert not weights.any() and layer.weight.requires_grad and layer.weight.is_leaf


def test_the_manual_update_loop_through_data_matches_numpys_update():
    for update in ("sub_", "in_place_operator", "add_alpha"):
        layer = _trained_linear()
        expected = layer.weight.numpy() - np.float32(0.1) * np.asarray(layer.weight.grad)
        pointer = layer.weight.data_ptr()
        with no_grad():
            if update == "sub_":
                layer.weight.data.sub_(0.1 * layer.weight.grad)
            elif update == "in_place_operator":
                layer.weight.data -= 0.1 * layer.weight.grad
            else:
                layer.weight.data.add_(layer.weight.grad, alpha=-0.1)
        np.testing.assert_allclose(layer.weight.numpy(), expected, rtol=1e-6)
        assert layer.weight.data_ptr() == pointer and type(layer.weight.numpy()) is np.ndarray


def test_norm_and_other_torch_methods_numpy_lacks_compute_as_torchs():
    t = Tensor([[3.0, -4.0], [0.0, 12.0]])
    assert float(t.data.norm()) == pytest.approx(13.0)
    assert t.data.unsqueeze(0).shape == (1, 2, 2)
    assert t.data.numel() == 4 and t.data.size() == (2, 2) and t.data.size(1) == 2 and t.data.dim() == 2
    assert not t.data.requires_grad and t.data.data is not None
    np.testing.assert_array_equal(np.asarray(t.data.t()), [[3.0, 0.0], [-4.0, 12.0]])


def test_numpys_own_names_keep_numpys_meaning():
    t = Tensor([[1.0, 5.0], [7.0, 2.0]])
    np.testing.assert_array_equal(t.data.max(1), [5.0, 7.0])  # numpy's axis, not torch's (values, indices)
    assert t.data.std() == pytest.approx(np.std([1.0, 5.0, 7.0, 2.0]))  # numpy's biased estimate
    assert t.data.reshape(4).shape == (4,)


def test_arithmetic_on_data_gives_plain_arrays():
    t = Tensor([1.0, 2.0], requires_grad=True)
    for result in (t.data * 2, t.data + t.data, np.exp(t.data), -t.data, t.data.copy()[::-1] * 1):
        assert type(result) is np.ndarray


def test_writes_through_data_are_not_recorded():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * 3.0).sum()
    x.data.mul_(10.0)  # torch's .data: the change is invisible to the graph, no version check fires
    y.backward()
    np.testing.assert_array_equal(np.asarray(x.grad), [3.0, 3.0])
    np.testing.assert_array_equal(x.numpy(), [10.0, 20.0])
    assert x.version == 0


def test_assigning_a_tensor_to_data_shares_its_array():
    p = nn.Parameter(np.zeros(3, np.float32))
    other = Tensor(np.arange(4, dtype=np.float32))
    p.data = other
    assert p.data_ptr() == other.data_ptr() and p.shape == (4,) and p.requires_grad
    p.data = np.ones((2, 2), np.float32)
    np.testing.assert_array_equal(p.numpy(), np.ones((2, 2)))
    p.data = [1.5, 2.5]
    np.testing.assert_array_equal(p.numpy(), [1.5, 2.5])


def test_assigning_a_copy_of_data_replaces_the_array_with_the_copy():
    p = Tensor([1.0, 2.0])
    saved = p.data.copy()
    p.data.fill_(0.0)
    p.data = saved
    np.testing.assert_array_equal(p.numpy(), [1.0, 2.0])
    saved[0] = 9.0  # the copy is now the tensor's array
    assert p.numpy()[0] == 9.0 and type(p.numpy()) is np.ndarray


@pytest.mark.parametrize("bad", [None, "1.0", Value(1.0), object(), {"a": 1}])
def test_assigning_what_is_not_an_array_to_data_is_refused_and_changes_nothing(bad):
    t = Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match=r"Tensor\.data: expected an array or a Tensor"):
        t.data = bad
    np.testing.assert_array_equal(t.numpy(), [1.0, 2.0])


def test_assigning_integers_to_the_data_of_a_tensor_that_requires_grad_is_refused():
    p = nn.Parameter(np.zeros(2, np.float32))
    with pytest.raises(TypeError, match="Tensor.data"):
        p.data = np.array([1, 2])
    with pytest.raises(TypeError, match="unsupported dtype complex128"):
        Tensor([1.0]).data = np.array([1j])
    assert p.dtype == np.float32


def test_a_name_torch_does_not_have_either_is_an_attribute_error():
    t = Tensor([1.0])
    with pytest.raises(AttributeError, match="'DataArray' object has no attribute 'no_such_method'"):
        t.data.no_such_method()
    with pytest.raises(AttributeError):
        t.data._make  # noqa: B018 - private names are not borrowed


def test_a_gradient_borrows_torchs_methods_the_same_way():
    w = Tensor([0.0, 1.0], requires_grad=True)
    (w * 2.0).sum().backward()
    w.grad.exp_()
    np.testing.assert_allclose(np.asarray(w.grad), np.exp([2.0, 2.0]))
    assert w.grad.unsqueeze(1).shape == (2, 1)


def test_a_values_data_is_its_float_and_takes_real_numbers_only():
    v = Value(2.0)
    v.data += 0.5
    assert v.data == 2.5 and type(v.data) is float
    v.data = np.float32(1.5)
    assert v.data == 1.5 and type(v.data) is float
    v.data = 3
    assert v.data == 3.0 and type(v.data) is float
    for bad in ("1", None, [1.0], Value(1.0), 1j):
        with pytest.raises(TypeError, match="Value.data"):
            v.data = bad
    assert v.data == 3.0


def test_the_micrograd_update_loop_on_values_still_learns():
    model = nn.MLP(2, [4, 1], rng=0)
    xs, ys = [[1.0, 2.0], [-1.0, 0.5], [0.5, -1.5]], [1.0, -1.0, 1.0]
    losses = []
    for _ in range(30):
        loss = sum((model(x) - y) ** 2 for x, y in zip(xs, ys))
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.02 * p.grad
        losses.append(loss.data)
    assert losses[-1] < 0.5 * losses[0]


@pytest.mark.parametrize(
    "make",
    [
        lambda: np.matrix([[1.0, 2.0], [3.0, 4.0]]),
        lambda: np.ma.array([[1.0, 2.0], [3.0, 4.0]], mask=[[0, 1], [0, 0]]),
        lambda: Tensor([[1.0, 2.0], [3.0, 4.0]]).data,
    ],
    ids=["matrix", "masked", "data_array"],
)
@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
def test_assigning_an_ndarray_subclass_to_data_stores_a_plain_array_of_the_same_memory(make):
    torch = pytest.importorskip("torch")
    value = make()
    t = Tensor(np.zeros((2, 2)), requires_grad=True)
    t.data = value
    assert type(t._data) is np.ndarray and np.shares_memory(t._data, value)
    expected = torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)
    assert t[0].shape == tuple(expected[0].shape)  # (2,), not np.matrix's (1, 2)
    np.testing.assert_array_equal((t * t).sum(1).numpy(force=True), (expected * expected).sum(1).numpy())


@pytest.mark.parametrize("dtype", [np.int64, np.bool_, np.float16])
def test_copy_into_data_casts_the_source_to_the_tensors_dtype_as_torchs(dtype):
    torch = pytest.importorskip("torch")
    source = np.array([0.0, 1.5, -2.7, 70000.0])
    t = Tensor(np.zeros(4, dtype))
    assert t.data.copy_(Tensor(source)) is not None
    expected = torch.zeros(4, dtype=getattr(torch, np.dtype(dtype).name)).data.copy_(torch.from_numpy(source))
    np.testing.assert_array_equal(t.numpy(), expected.numpy())


def test_norm_of_data_over_a_dim_gives_torchs_per_row_norms():
    torch = pytest.importorskip("torch")
    values = np.array([[3.0, -4.0, 0.0], [1.0, 2.0, -2.0]], np.float32)
    t, reference = Tensor(values), torch.from_numpy(values)
    for args, kwargs in [((2, 1), {"keepdim": True}), ((), {"dim": 1}), ((1,), {"dim": 0}), (("fro",), {})]:
        expected = reference.data.norm(*args, **kwargs).numpy()
        result = t.data.norm(*args, **kwargs)
        assert np.shape(result) == expected.shape and np.asarray(result).dtype == expected.dtype
        np.testing.assert_allclose(result, expected, rtol=1e-6)


def test_a_buffer_given_a_tensors_data_holds_a_fresh_view_of_the_array_it_views():
    source = Tensor(np.arange(3.0))
    bn = nn.BatchNorm1d(3)
    bn.load_state_dict({**bn.state_dict(), "running_var": Tensor(np.ones(3)).data}, assign=True)
    bn.running_mean = source.data
    bn.register_buffer("extra", source.data)
    for name in ("running_mean", "extra", "running_var"):
        held = getattr(bn, name)
        array = held.numpy() if isinstance(held, Tensor) else held
        # an array buffer reads with torch's methods, as its own view (not the Tensor's .data, which would keep the
        # tensor's array as its source)
        assert isinstance(held, Tensor) or (type(array) is DataArray and array._source is None), name
    assert np.shares_memory(bn.running_mean, source.numpy())
    out = bn.double().eval()(Tensor(np.ones((2, 3))))
    np.testing.assert_allclose(out.numpy(), (1.0 - np.arange(3.0)) / np.sqrt(1.0 + 1e-5) * np.ones((2, 1)), rtol=1e-6)


def test_torchs_keywords_on_numpys_reductions_give_torchs_results():
    scores = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0], [0.5, 0.25, 4.0]])
    out = Tensor(scores, requires_grad=True)
    target = Tensor(np.array([1, 2, 2]))
    pred = out.data.max(1, keepdim=True)[1]  # the MNIST example's accuracy line
    np.testing.assert_array_equal(pred.numpy(), [[1], [0], [2]])
    assert pred.eq(target.data.view_as(pred)).sum().item() == 2
    np.testing.assert_array_equal(out.data.argmax(1, keepdim=True).numpy(), [[1], [0], [2]])
    np.testing.assert_array_equal(out.data.min(dim=0).values.numpy(), scores.min(axis=0))
    np.testing.assert_allclose(out.data.std(dim=1).numpy(), scores.std(axis=1, ddof=1))  # torch's unbiased
    np.testing.assert_allclose(out.data.sum(dim=0, keepdim=True).numpy(), scores.sum(axis=0, keepdims=True))
    np.testing.assert_array_equal(out.data.max(1), scores.max(axis=1))  # without them, numpy's meaning
    assert np.mean(out.data, axis=0).shape == (3,) and out.data.std() == pytest.approx(scores.std())


def test_torchs_keywords_on_reductions_match_torch():
    torch = pytest.importorskip("torch")
    scores = np.random.default_rng(0).standard_normal((4, 5))
    ours, theirs = Tensor(scores).data, torch.tensor(scores).data
    for name in ("max", "min"):
        got, expected = getattr(ours, name)(dim=1, keepdim=True), getattr(theirs, name)(dim=1, keepdim=True)
        np.testing.assert_array_equal(got.values.numpy(), expected.values.numpy())
        np.testing.assert_array_equal(got.indices.numpy(), expected.indices.numpy())
    for name in ("argmax", "argmin", "sum", "mean", "std", "var", "prod"):
        got, expected = getattr(ours, name)(dim=0), getattr(theirs, name)(dim=0)
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-12, err_msg=name)


def test_arithmetic_methods_on_data_and_grad_give_ieee_results_without_warnings():
    t = Tensor(np.array([1.0, -1.0, 0.0], np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        t.data.div_(0.0)
        big = Tensor(np.full(2, 6e4, np.float16))
        big.data.mul_(10.0)
        norm = Tensor(np.full(4, 6e4, np.float16)).data.norm()
        quotient = Tensor(np.ones(2)).data.div(0.0)
    np.testing.assert_array_equal(t.numpy()[:2], [np.inf, -np.inf])
    assert np.isnan(t.numpy()[2]) and np.isinf(big.numpy()).all()
    assert np.isinf(norm)  # 1.2e5 is beyond float16, as torch gives it
    np.testing.assert_array_equal(quotient, [np.inf, np.inf])


def test_operators_on_data_and_grad_give_numpys_values_as_plain_arrays_and_write_through_in_place():
    values = np.array([1.0, -2.0, 4.0])
    t = Tensor(values.copy(), requires_grad=True)
    (t * t).sum().backward()
    gradient = 2 * values
    for view, array in ((t.data, values), (t.grad, gradient)):
        for got, expected in (
            (view + 1, array + 1), (1 + view, 1 + array), (view - view, array - array), (3 - view, 3 - array),
            (view * 0.5, array * 0.5), (0.5 * view, 0.5 * array), (view / 4, array / 4), (4 / view, 4 / array),
        ):  # fmt: skip
            assert type(got) is np.ndarray
            np.testing.assert_array_equal(got, expected)
        assert type(view + Tensor(np.ones(3))) is Tensor  # a Tensor operand still takes the operation over
    data, grad = t.data, t.grad
    data -= 0.5 * grad
    grad *= 2.0
    assert type(data) is DataArray and type(grad) is type(t.grad)
    np.testing.assert_array_equal(t.numpy(), values - 0.5 * gradient)
    np.testing.assert_array_equal(np.asarray(t.grad), 2 * gradient)


def test_torchs_out_of_place_methods_on_data_give_tensors_outside_the_graph_so_chains_run_as_torchs():
    torch = pytest.importorskip("torch")
    values = np.array([[-1.0, -0.2, -3.0], [0.5, 2.0, -0.7]])
    ours, theirs = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    chains = [
        lambda x: x.data.view(-1).div(0.8).exp(),  # the char-RNN sampling line
        lambda x: x.data.mul(2).add(1, alpha=0.5).pow(2).sqrt().neg().abs(),
        lambda x: x.data.sub(x.data.max()).clamp(min=-1.0).sign().unsqueeze(0),
        lambda x: x.data.gt(0).float().mean(dim=1),
        lambda x: x.data.eq(x.data).double().sum(dim=0),
        lambda x: x.data.to(torch.float32 if isinstance(x, torch.Tensor) else np.float32).softmax(dim=1),
    ]
    for chain in chains:
        got, expected = chain(ours), chain(theirs)
        assert isinstance(got, Tensor) and not got.requires_grad and not expected.requires_grad
        assert str(got.dtype) == str(expected.dtype).removeprefix("torch.")
        np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-6)
    result = ours.data.mul(1)
    result.fill_(0.0)  # a new tensor: the original keeps its values
    np.testing.assert_array_equal(ours.numpy(), values)


@pytest.mark.parametrize(("values", "expected"), [([2], 2), ([[1]], 1), ([True], 1), (2, 2)])
def test_a_one_element_integer_data_of_any_shape_indexes_a_list_as_torchs(values, expected):
    torch = pytest.importorskip("torch")
    items = ["a", "b", "c"]
    ours, theirs = Tensor(np.array(values)).data, torch.tensor(values).data
    assert operator.index(ours) == operator.index(theirs) == expected
    assert items[ours] == items[theirs] == items[expected]


@pytest.mark.parametrize("values", [[2.0], [1, 2], np.zeros((0,), dtype=np.int64)])
def test_other_data_is_torchs_type_error_as_an_index(values):
    with pytest.raises(TypeError):
        operator.index(Tensor(np.array(values)).data)
