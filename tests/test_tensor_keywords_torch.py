"""torch's keyword names on autograd's functions and Tensor methods that keep numpy's (or their own) names: each
call spelled as in torch, with torch's keywords, gives torch's values, shapes, dtypes and gradients."""

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.uniform(0.2, 0.8, (3, 4))
Y = RNG.uniform(0.2, 0.8, (3, 4))
V = RNG.uniform(0.2, 0.8, (4,))


def _pair(array):
    return torch.tensor(array, requires_grad=True), Tensor(np.array(array), requires_grad=True)


def _results(result):
    return list(result) if isinstance(result, (tuple, list)) else [result]


def _check(expected, got, torch_inputs, our_inputs):
    expected, got = _results(expected), _results(got)
    assert len(expected) == len(got)
    for want, have in zip(expected, got):
        have_array = np.asarray(have.data)
        assert tuple(want.shape) == have_array.shape
        assert str(want.dtype).removeprefix("torch.") == str(have_array.dtype)
        np.testing.assert_allclose(have_array, want.detach().numpy(), rtol=1e-9)
    floating = [(w, h) for w, h in zip(expected, got) if w.dtype.is_floating_point and w.requires_grad]
    if floating:
        sum(w.sum() for w, _ in floating).backward()
        sum(h.sum() for _, h in floating).backward()
        for want, have in zip(torch_inputs, our_inputs):
            np.testing.assert_allclose(np.asarray(have.grad), want.grad.to_dense().numpy(), rtol=1e-9)


# (name, torch's keyword arguments besides the tensors, the tensors by torch's keyword)
FUNCTION_CALLS = [
    ("argmax", {"dim": 1, "keepdim": True}, {"input": X}),
    ("argmin", {"dim": 0}, {"input": X}),
    ("argsort", {"dim": 1, "descending": True}, {"input": X}),
    ("cummax", {"dim": 1}, {"input": X}),
    ("cummin", {"dim": 0}, {"input": X}),
    ("cumprod", {"dim": 1}, {"input": X}),
    ("cumsum", {"dim": 0}, {"input": X}),
    ("logcumsumexp", {"dim": 1}, {"input": X}),
    ("diag", {"diagonal": 1}, {"input": X}),
    ("diagonal", {"offset": 1}, {"input": X}),
    ("diff", {"dim": 0}, {"input": X}),
    ("flip", {"dims": (0, 1)}, {"input": X}),
    ("fliplr", {}, {"input": X}),
    ("flipud", {}, {"input": X}),
    ("moveaxis", {"source": 0, "destination": 1}, {"input": X}),
    ("ravel", {}, {"input": X}),
    ("roll", {"shifts": 1, "dims": 1}, {"input": X}),
    ("rot90", {"k": 1, "dims": (0, 1)}, {"input": X}),
    ("sort", {"dim": 1, "descending": True}, {"input": X}),
    ("trace", {}, {"input": X}),
    ("tril", {"diagonal": -1}, {"input": X}),
    ("triu", {"diagonal": 1}, {"input": X}),
    ("tile", {"dims": (2, 1)}, {"input": X}),
    ("hsplit", {"sections": 2}, {"input": X}),
    ("vsplit", {"indices": [1]}, {"input": X}),
    ("zeros_like", {}, {"input": X}),
    ("ones_like", {}, {"input": X}),
    ("full_like", {"fill_value": 0.5}, {"input": X}),
    ("maximum", {}, {"input": X, "other": Y}),
    ("minimum", {}, {"input": X, "other": Y}),
    ("inner", {}, {"input": X, "other": Y}),
    ("kron", {}, {"input": X, "other": Y}),
    ("dot", {}, {"input": V, "tensor": V[::-1].copy()}),
    ("outer", {}, {"input": V, "vec2": V[:3].copy()}),
    ("hstack", {}, {}),
    ("vstack", {}, {}),
]


@pytest.mark.parametrize(("name", "options", "tensors"), FUNCTION_CALLS, ids=[call[0] for call in FUNCTION_CALLS])
def test_functions_take_torchs_keyword_names(name, options, tensors):
    if name in ("hstack", "vstack"):
        (tx, ox), (ty, oy) = _pair(X), _pair(Y)
        _check(getattr(torch, name)(tensors=[tx, ty]), getattr(autograd, name)(tensors=[ox, oy]), [tx, ty], [ox, oy])
        return
    pairs = {key: _pair(value) for key, value in tensors.items()}
    expected = getattr(torch, name)(**{key: pair[0] for key, pair in pairs.items()}, **options)
    got = getattr(autograd, name)(**{key: pair[1] for key, pair in pairs.items()}, **options)
    _check(expected, got, [pair[0] for pair in pairs.values()], [pair[1] for pair in pairs.values()])


def test_take_and_tensor_keywords_of_take():
    tx, ox = _pair(X)
    index = np.array([0, 5, 11])
    _check(torch.take(input=tx, index=torch.tensor(index)), autograd.take(input=ox, index=Tensor(index)), [tx], [ox])


def test_a_function_argument_given_under_both_names_is_a_type_error():
    with pytest.raises(TypeError, match="input"):
        autograd.cumsum(Tensor(X), input=Tensor(X), dim=1)
    with pytest.raises(TypeError, match="other"):
        autograd.maximum(Tensor(X), Tensor(Y), other=Tensor(Y))


def test_numpys_keyword_names_still_work():
    np.testing.assert_array_equal(autograd.cumsum(a=Tensor(X), axis=1).data, np.cumsum(X, axis=1))
    np.testing.assert_array_equal(autograd.tile(Tensor(X), reps=(2, 1)).data, np.tile(X, (2, 1)))


A3 = RNG.uniform(0.2, 0.8, (2, 3, 3))
B3 = RNG.uniform(0.2, 0.8, (2, 3, 3))
INDEX = np.array([[0, 3], [1, 1], [2, 0]])

# (method, torch's keyword arguments, Tensor arguments among them, the receiver)
METHOD_CALLS = [
    ("expand", {"size": (2, 3, 4)}, {}, X),
    ("sum_to_size", {"size": (1, 4)}, {}, X),
    ("tensor_split", {"sections": 3, "dim": 1}, {}, X),
    ("tensor_split", {"indices": [1, 3], "dim": 1}, {}, X),
    ("hsplit", {"sections": 2}, {}, X),
    ("hsplit", {"indices": [1]}, {}, X),
    ("vsplit", {"indices": [1]}, {}, X),
    ("dsplit", {"sections": 3}, {}, A3),
    ("max", {}, {"other": Y}, X),
    ("min", {}, {"other": Y}, X),
    ("bmm", {}, {"mat2": B3}, A3),
    ("dot", {}, {"tensor": V[::-1].copy()}, V),
    ("swapaxes", {"axis0": 0, "axis1": 2}, {}, A3),
    ("gather", {"dim": 1, "sparse_grad": True}, {}, X),
]


@pytest.mark.parametrize(
    ("name", "options", "tensors", "receiver"),
    METHOD_CALLS,
    ids=[f"{call[0]}-{'-'.join(call[1]) or '-'.join(call[2])}" for call in METHOD_CALLS],
)
def test_methods_take_torchs_keyword_names(name, options, tensors, receiver):
    pairs = {key: _pair(value) for key, value in tensors.items()}
    if name == "gather":
        pairs["index"] = (torch.tensor(INDEX), Tensor(INDEX))
    tx, ox = _pair(receiver)
    expected = getattr(tx, name)(**{key: pair[0] for key, pair in pairs.items()}, **options)
    got = getattr(ox, name)(**{key: pair[1] for key, pair in pairs.items()}, **options)
    floating = [pair for pair in pairs.values() if pair[0].dtype.is_floating_point]
    _check(expected, got, [tx] + [pair[0] for pair in floating], [ox] + [pair[1] for pair in floating])


def test_module_swapaxes_and_gather_take_torchs_keywords():
    tx, ox = _pair(A3)
    _check(torch.swapaxes(input=tx, axis0=2, axis1=0), autograd.swapaxes(input=ox, axis0=2, axis1=0), [tx], [ox])
    tx, ox = _pair(X)
    expected = torch.gather(input=tx, dim=1, index=torch.tensor(INDEX), sparse_grad=False)
    _check(expected, autograd.gather(input=ox, dim=1, index=Tensor(INDEX), sparse_grad=False), [tx], [ox])


def test_take_copy_and_resize_take_torchs_keywords():
    index = np.array([0, 5, 11])
    tx, ox = _pair(X)
    _check(tx.take(index=torch.tensor(index)), ox.take(index=Tensor(index)), [tx], [ox])
    target, ours = torch.zeros(3, 4, dtype=torch.float64), Tensor(np.zeros((3, 4)))
    target.copy_(other=torch.tensor(Y), non_blocking=True)
    ours.copy_(other=Tensor(Y), non_blocking=True)
    np.testing.assert_array_equal(ours.data, target.numpy())
    target, ours = torch.tensor(X), Tensor(X.copy())
    target.resize_(size=(2, 6))
    ours.resize_(size=(2, 6))
    np.testing.assert_array_equal(ours.data, target.numpy())
    target.resize_as_(the_template=torch.zeros(12))
    ours.resize_as_(the_template=Tensor(np.zeros(12)))
    np.testing.assert_array_equal(ours.data, target.numpy())
    assert Tensor(X).type(dtype=None, non_blocking=True) == "autograd.DoubleTensor"


def test_numpys_method_spellings_keep_their_meaning():
    x = Tensor(A3)
    np.testing.assert_array_equal(x.swapaxes(0, 2).data, np.swapaxes(A3, 0, 2))
    np.testing.assert_array_equal(x.swapaxes(axis1=0, axis2=1).data, np.swapaxes(A3, 0, 1))
    np.testing.assert_array_equal(Tensor(X).take(indices=[0, 5]).data, np.take(X, [0, 5]))
    np.testing.assert_array_equal(Tensor(X).max(1).data, X.max(1))
    with pytest.raises(TypeError, match="axis0"):
        x.swapaxes(axis0=0, axis1=1, axis2=2)
    with pytest.raises(TypeError, match="sizes"):
        Tensor(X).expand(2, 3, 4, size=(2, 3, 4))
    with pytest.raises(TypeError, match="other"):
        Tensor(X).max(Tensor(Y), other=Tensor(Y))


def test_nextafter_passes_the_gradient_to_its_input_as_torchs():
    values = np.array([0.0, 3.0, -5.5, 1e-310, np.finfo(np.float64).max, np.inf, 1.0])
    towards = np.array([1.0, 4.0, -6.0, 0.0, np.inf, 0.0, 1.0])
    tx, ox = _pair(values)
    expected, got = torch.nextafter(tx, torch.tensor(towards)), autograd.nextafter(ox, other=Tensor(towards))
    np.testing.assert_array_equal(np.asarray(got.data), expected.detach().numpy())
    assert got.dtype == np.float64 and got.requires_grad
    expected.sum().backward()
    got.sum().backward()
    finite = np.isfinite(expected.detach().numpy()) & np.isfinite(values)  # elsewhere the result is a constant here
    assert tx.grad[-1] == 0  # at self == other, as torch's
    np.testing.assert_array_equal(np.asarray(ox.grad)[finite], tx.grad.numpy()[finite])


def test_scatter_takes_torchs_value_keyword():
    index = np.array([[0, 3], [1, 1], [2, 0]])
    tx, ox = _pair(X)
    expected = torch.scatter(input=tx, dim=1, index=torch.tensor(index), value=0.25)
    _check(expected, autograd.scatter(input=ox, dim=1, index=Tensor(index), value=0.25), [tx], [ox])
    rows = index % 3
    tx, ox = _pair(X)
    _check(tx.scatter(0, torch.tensor(rows), value=-1.5), ox.scatter(0, Tensor(rows), value=-1.5), [tx], [ox])
    tx, ox = _pair(X)
    _check(torch.scatter(tx, 0, torch.tensor(rows), value=3.0), autograd.scatter(ox, 0, rows, value=3.0), [tx], [ox])
    with pytest.raises(TypeError, match="src"):
        autograd.scatter(Tensor(X), 1, Tensor(index), Tensor(Y), value=1.0)


def test_isin_takes_torchs_keywords_of_each_overload():
    elements, tests = np.array([[1, 2, 3], [4, 5, 6]]), np.array([2, 5, 7])
    cases = [
        ({"elements": elements, "test_elements": tests}, {}),
        ({"elements": elements, "test_elements": tests}, {"invert": True, "assume_unique": True}),
        ({"element": 5, "test_elements": tests}, {}),
        ({"elements": elements, "test_element": 4}, {"invert": True}),
    ]
    for tensors, options in cases:
        expected = torch.isin(
            **{k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in tensors.items()}, **options
        )
        got = autograd.isin(**{k: Tensor(v) if isinstance(v, np.ndarray) else v for k, v in tensors.items()}, **options)
        np.testing.assert_array_equal(np.asarray(got.data), expected.numpy())
        assert np.asarray(got.data).shape == tuple(expected.shape) and got.dtype == np.bool_
    with pytest.raises(TypeError, match="element"):
        autograd.isin(Tensor(elements), element=2, test_elements=Tensor(tests))


def test_result_type_takes_torchs_keywords_of_each_overload():
    float32, int32 = np.ones(2, np.float32), np.ones(2, np.int32)
    cases = [
        {"tensor": int32, "other": np.ones(2)},
        {"tensor": float32, "other": 2},
        {"scalar": 2.5, "tensor": float32},
        {"scalar": 7, "tensor": int32},
        {"scalar1": 2, "scalar2": True},
    ]
    for arguments in cases:
        expected = torch.result_type(
            **{k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in arguments.items()}
        )
        got = autograd.result_type(**{k: Tensor(v) if isinstance(v, np.ndarray) else v for k, v in arguments.items()})
        assert str(got) == str(expected).removeprefix("torch.")
    with pytest.raises(TypeError, match="result_type"):
        autograd.result_type(tensor=Tensor(float32), scalar2=1)
    with pytest.raises(TypeError, match="result_type"):
        autograd.result_type(Tensor(float32))


QUANTILE_INPUT = RNG.uniform(-1.0, 1.0, (3, 6))
QUANTILE_INPUT_NAN = QUANTILE_INPUT.copy()
QUANTILE_INPUT_NAN[0, 2] = QUANTILE_INPUT_NAN[2, 1:] = np.nan


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
@pytest.mark.parametrize(
    ("data", "levels", "dim"),
    [
        (QUANTILE_INPUT, [0.1, 0.5, 0.83, 1.0], 1),
        (QUANTILE_INPUT, 0.37, None),
        (QUANTILE_INPUT, [0.0, 0.25, 0.9], 0),
        (QUANTILE_INPUT_NAN, [0.1, 0.5, 0.83], 1),
    ],
    ids=["rows", "zero-d-q-all", "columns", "nan-rows"],
)
def test_quantile_gives_a_q_that_requires_grad_torchs_gradient(name, interpolation, data, levels, dim):
    (tx, ox), (tq, oq) = _pair(data), _pair(np.array(levels))
    expected = getattr(torch, name)(tx, tq, dim=dim, keepdim=True, interpolation=interpolation)
    got = getattr(ox, name)(oq, dim=dim, keepdim=True, interpolation=interpolation)
    np.testing.assert_allclose(np.asarray(got.data), expected.detach().numpy(), rtol=1e-12)
    assert got.requires_grad
    weights = np.linspace(0.5, 1.5, expected.numel()).reshape(tuple(expected.shape))
    finite = ~np.isnan(weights * expected.detach().numpy())  # a NaN result's gradient is NaN in either
    (expected[torch.tensor(finite)] * torch.tensor(weights[finite])).sum().backward()
    (got[finite] * Tensor(weights[finite])).sum().backward()
    np.testing.assert_allclose(np.asarray(ox.grad), tx.grad.numpy(), rtol=1e-12, atol=1e-15)
    if tq.grad is None:  # torch's q is a constant of every mode but 'linear'
        assert oq.grad is None or not np.asarray(oq.grad).any()
    else:
        np.testing.assert_allclose(np.asarray(oq.grad), tq.grad.numpy(), rtol=1e-12, atol=1e-15)
