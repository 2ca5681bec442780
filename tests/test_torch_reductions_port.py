"""Ported from PyTorch's test/test_reductions.py: the reductions on empty tensors, 0-d tensors, out-of-range and
repeated dims, and their gradients at ties, zeros and infinities, each checked against torch (float64)."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from autograd import Tensor

torch = pytest.importorskip("torch")


def _both(array: np.ndarray) -> tuple[Tensor, torch.Tensor]:
    return Tensor(array, requires_grad=True), torch.tensor(array, requires_grad=True)


# -- empty tensors: a reduction over a non-empty dim of a tensor with another empty dim is fine ------------------
@pytest.mark.parametrize(("shape", "dim", "keepdim"), [((0, 3), 1, False), ((2, 0, 3), 0, False), ((2, 0, 3), 2, True)])
def test_aminmax_over_a_non_empty_dim_of_an_empty_tensor_is_empty_as_torch(shape, dim, keepdim):
    data = np.zeros(shape)
    ours = Tensor(data).aminmax(dim=dim, keepdim=keepdim)
    theirs = torch.tensor(data).aminmax(dim=dim, keepdim=keepdim)
    for mine, reference in zip(ours, theirs):
        assert mine.shape == tuple(reference.shape)


@pytest.mark.parametrize(("shape", "dim"), [((0, 3), None), ((2, 0, 3), 1), ((0,), 0)])
def test_aminmax_over_an_empty_dim_raises_torch_s_errors_naming_aminmax(shape, dim):
    with pytest.raises((RuntimeError, IndexError)):
        torch.zeros(shape).aminmax(dim=dim)
    with pytest.raises((RuntimeError, IndexError), match=rf"aminmax: .*empty.*{re.escape(str(shape))}"):
        Tensor(np.zeros(shape)).aminmax(dim=dim)


# -- errors name the op: amax/amin are not max/min ------------------------------------------------------------------
AMAX_ERRORS = [
    ("amax", (0, 3), None),
    ("amin", (2, 0, 3), 1),
    ("amax", (2, 3), 2),  # out of range
    ("amin", (2, 3), (0, -2)),  # repeated
    ("aminmax", (2, 3), 2),
]


@pytest.mark.parametrize(("name", "shape", "dim"), AMAX_ERRORS)
def test_amax_amin_and_aminmax_errors_name_the_op_not_max_or_min(name, shape, dim):
    call = (lambda x: x.aminmax(dim=dim)) if name == "aminmax" else (lambda x: getattr(x, name)(dim))
    with pytest.raises((RuntimeError, IndexError)):
        call(torch.zeros(shape))
    with pytest.raises((RuntimeError, IndexError), match=rf"^{name}: "):
        call(Tensor(np.zeros(shape)))


# -- argmax/argmin: a dim out of range is torch's IndexError naming the op; a dim must be one integer ----------------
@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize(("shape", "dim"), [((2, 3), 2), ((2, 3), -3), ((), 1), ((4,), -2)])
def test_argmax_and_argmin_of_a_dim_out_of_range_raise_index_error_naming_the_op(name, shape, dim):
    with pytest.raises(IndexError):
        getattr(torch.zeros(shape), name)(dim)
    with pytest.raises(IndexError, match=rf"^{name}: axis {dim} is out of bounds"):
        getattr(Tensor(np.zeros(shape)), name)(dim)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@pytest.mark.parametrize("dim", [(0, 1), 1.5, True])
def test_argmax_and_argmin_refuse_a_dim_that_is_not_one_integer_naming_the_op(name, dim):
    with pytest.raises(TypeError):
        getattr(torch.zeros(2, 3), name)(dim)
    with pytest.raises(TypeError, match=rf"^{name}: "):
        getattr(Tensor(np.zeros((2, 3))), name)(dim)


@pytest.mark.parametrize("dim", [(), []])
def test_count_nonzero_over_an_empty_dim_list_counts_every_entry_as_torch(dim):
    data = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 0.0]])
    expected = torch.count_nonzero(torch.tensor(data), dim=dim)
    got = Tensor(data).count_nonzero(dim)
    assert got.shape == tuple(expected.shape)
    assert got.item() == expected.item()


@pytest.mark.parametrize("name", ["all", "any"])
@pytest.mark.parametrize("dim", [(), []])
@pytest.mark.parametrize("keepdim", [False, True])
def test_all_and_any_over_an_empty_dim_list_reduce_no_axis_as_torch(name, dim, keepdim):
    data = np.array([[0.0, 1.0, 2.0], [3.0, 0.0, 0.0]])
    expected = getattr(torch.tensor(data), name)(dim=dim, keepdim=keepdim)
    got = getattr(Tensor(data), name)(dim=dim, keepdim=keepdim)
    assert got.dtype == np.bool_
    np.testing.assert_array_equal(got.data, expected.numpy())


# -- a dim out of range: torch's IndexError, naming the op and the range of dims the tensor has -----------------
OUT_OF_RANGE = {
    "sum": lambda x, d: x.sum(dim=d),
    "mean": lambda x, d: x.mean(d),
    "var": lambda x, d: x.var(dim=d),
    "logsumexp": lambda x, d: x.logsumexp(d),
    "max": lambda x, d: x.max(dim=d),
    "argmin": lambda x, d: x.argmin(d),
    "median": lambda x, d: x.median(d),
    "kthvalue": lambda x, d: x.kthvalue(1, d),
    "cumsum": lambda x, d: x.cumsum(d),
    "cummax": lambda x, d: x.cummax(d),
    "count_nonzero": lambda x, d: x.count_nonzero(d),
    "all": lambda x, d: x.all(dim=d),
}


@pytest.mark.parametrize("name", OUT_OF_RANGE)
@pytest.mark.parametrize(
    ("shape", "dim", "bounds"), [((2, 3), 2, "[-2, 1]"), ((2, 3), -3, "[-2, 1]"), ((), 1, "[-1, 0]")]
)
def test_a_dim_out_of_range_is_an_index_error_naming_the_op_and_the_range(name, shape, dim, bounds):
    call = OUT_OF_RANGE[name]
    with pytest.raises(IndexError):
        call(torch.ones(shape), dim)
    with pytest.raises(IndexError, match=rf"^{name}: .*{dim}.* dimension {len(shape)} .*{re.escape(bounds)}"):
        call(Tensor(np.ones(shape)), dim)


@pytest.mark.parametrize("order", [np.inf, -np.inf])
@pytest.mark.parametrize(("shape", "dim"), [((0, 2, 3), 0), ((0, 2, 3), (0, 2)), ((0, 3), None)])
def test_the_inf_norm_over_an_empty_dim_is_an_error_naming_the_norm(order, shape, dim):
    with pytest.raises(RuntimeError, match="vector_norm"):
        torch.linalg.vector_norm(torch.zeros(shape), order, dim)
    with pytest.raises(RuntimeError, match=r"^vector_norm: .*inf norm.*empty"):
        Tensor(np.zeros(shape)).norm(order, dim)


def test_the_inf_norm_over_a_non_empty_dim_of_an_empty_tensor_is_empty():
    expected = torch.linalg.vector_norm(torch.zeros(0, 2, 3), np.inf, (1, 2))
    assert Tensor(np.zeros((0, 2, 3))).norm(np.inf, (1, 2)).shape == tuple(expected.shape)


# -- gradients against torch's float64 conventions at ties, zeros and infinities -----------------------------------
TIES = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 5.0, -1.0, 5.0]])
ZEROS = np.array([[1.0, 0.0, 3.0, 2.0], [0.0, 2.0, 0.0, 2.0], [1.0, 2.0, 3.0, 4.0]])  # one zero, two, none
INFINITIES = np.array([[0.0, -np.inf, 1.0], [-np.inf, -np.inf, -np.inf], [np.inf, 0.0, 1.0], [-np.inf, 2.0, -1.0]])
GRADIENT_CASES = {
    "amax ties split evenly": (lambda x: x.amax(1), TIES),
    "amin over a dim tuple": (lambda x: x.amin((0, 1)), TIES),
    "max() ties split evenly": (lambda x: x.max(), TIES),
    "max(dim) to the returned index": (lambda x: x.max(dim=1).values, TIES),
    "min(dim, keepdim) to the returned index": (lambda x: x.min(dim=0, keepdim=True).values, TIES),
    "aminmax": (lambda x: x.aminmax(dim=1).max * 2 + x.aminmax(dim=1).min, TIES),
    "median() ties split evenly": (lambda x: x.median(), TIES),
    "median(dim) to the returned index": (lambda x: x.median(1).values, TIES),
    "mode to the returned index": (lambda x: x.mode(1).values, TIES),
    "cummax ties": (lambda x: x.cummax(1).values, TIES),
    "cummin ties": (lambda x: x.cummin(0).values, TIES),
    "prod with one and two zeros": (lambda x: x.prod(1), ZEROS),
    "prod of all with three zeros": (lambda x: x.prod(), ZEROS),
    "prod(dim=0) with zeros": (lambda x: x.prod(0, keepdim=True), ZEROS),
    "cumprod with zeros": (lambda x: x.cumprod(1), ZEROS),
    "cumprod(dim=0) with zeros": (lambda x: x.cumprod(0), ZEROS),
    "logsumexp with -inf and inf": (lambda x: x.logsumexp(1), INFINITIES),
    "logsumexp of a row of -inf": (lambda x: x.logsumexp(1, keepdim=True), INFINITIES[[1]]),
    "logcumsumexp with -inf": (lambda x: x.logcumsumexp(1), INFINITIES[[0, 3]]),
    "var(correction=0) of a constant row": (lambda x: x.var(dim=1, correction=0), TIES),
    "std over a dim tuple": (lambda x: x.std(dim=(0, 1)), TIES),
    "norm of a zero row": (lambda x: x.norm(dim=1), np.array([[0.0, 0.0], [3.0, 4.0]])),
}


@pytest.mark.parametrize("name", GRADIENT_CASES)
def test_reduction_gradients_follow_torch_at_ties_zeros_and_infinities(name):
    call, data = GRADIENT_CASES[name]
    ours, theirs = _both(data)
    got, expected = call(ours), call(theirs)
    np.testing.assert_allclose(got.data, expected.detach().numpy(), rtol=1e-12)
    weights = np.arange(1.0, expected.numel() + 1).reshape(tuple(expected.shape))
    (got * Tensor(weights)).sum().backward()
    (expected * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=1e-12, atol=1e-12)


# -- test_empty_tensor_empty_slice / _nonempty_slice: the identity, nan, or an error; or an empty result -----------
EMPTY_SLICE = {
    "nansum": lambda x, d: x.nansum(d),
    "nanmean": lambda x, d: x.nanmean(d),
    "var": lambda x, d: x.var(dim=d),
    "std": lambda x, d: x.std(dim=d, correction=0),
    "norm": lambda x, d: x.norm(dim=d),
    "norm1": lambda x, d: x.norm(1, d),
    "count_nonzero": lambda x, d: x.count_nonzero(d),
    "all": lambda x, d: x.all(dim=d),
    "any": lambda x, d: x.any(dim=d),
    "logsumexp": lambda x, d: x.logsumexp(d),
}


@pytest.mark.parametrize("name", EMPTY_SLICE)
@pytest.mark.parametrize("dim", [0, (0, 2), 1, (1, 2)])
def test_reducing_an_empty_tensor_gives_torch_s_identity_nan_or_empty_result(name, dim):
    call = EMPTY_SLICE[name]
    with warnings.catch_warnings():  # torch warns of no degrees of freedom left (var, std); the result is nan
        warnings.simplefilter("ignore", UserWarning)
        expected = call(torch.zeros(0, 2, 3, dtype=torch.float64), dim)
    got = call(Tensor(np.zeros((0, 2, 3))), dim)
    assert got.shape == tuple(expected.shape)
    np.testing.assert_array_equal(got.data, expected.numpy())


NON_EMPTY_SLICE = {
    "max(dim)": lambda x: x.max(dim=1),
    "argmax": lambda x: x.argmax(1, keepdim=True),
    "median": lambda x: x.median(2),
    "nanmedian": lambda x: x.nanmedian(1),
    "mode": lambda x: x.mode(1),
    "kthvalue": lambda x: x.kthvalue(1, 2, True),
    "cummax": lambda x: x.cummax(0),
    "logcumsumexp": lambda x: x.logcumsumexp(1),
    "cumprod": lambda x: x.cumprod(2),
}


@pytest.mark.parametrize("name", NON_EMPTY_SLICE)
def test_selections_over_a_non_empty_dim_of_an_empty_tensor_are_empty_as_torch(name):
    expected = NON_EMPTY_SLICE[name](torch.zeros(0, 2, 3, dtype=torch.float64))
    got = NON_EMPTY_SLICE[name](Tensor(np.zeros((0, 2, 3))))
    for mine, reference in zip(
        got if isinstance(got, tuple) else (got,), expected if isinstance(expected, tuple) else (expected,)
    ):
        assert mine.shape == tuple(reference.shape)
        assert mine.dtype == {torch.int64: np.int64, torch.float64: np.float64}[reference.dtype]


NAMED_BY_THEMSELVES = {
    "nansum": lambda m, x, d: x.nansum(d),
    "var_mean": lambda m, x, d: m.var_mean(x, d),
    "std_mean": lambda m, x, d: m.std_mean(x, dim=d, correction=0),
}


@pytest.mark.parametrize("name", NAMED_BY_THEMSELVES)
@pytest.mark.parametrize("dim", [2, (0, -2)])
def test_composite_reductions_name_themselves_in_dim_errors(name, dim):
    import autograd

    call = NAMED_BY_THEMSELVES[name]
    with pytest.raises((IndexError, RuntimeError)):
        call(torch, torch.zeros(2, 3), dim)
    with pytest.raises((IndexError, RuntimeError), match=rf"^{name}: "):
        call(autograd, Tensor(np.zeros((2, 3))), dim)


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("keepdim", [True, False])
def test_a_bool_after_the_dim_is_torchs_keepdim_and_gives_the_pair(name, keepdim):
    """``output.max(1, True)[1]`` (torch's idiom for the predicted classes) is the indices with the axis kept; numpy's
    keyword ``keepdims=`` keeps giving the values."""
    torch = pytest.importorskip("torch")
    x = np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    values, indices = getattr(Tensor(x), name)(1, keepdim)
    expected = getattr(torch.tensor(x), name)(1, keepdim)
    np.testing.assert_array_equal(values.numpy(), expected.values.numpy())
    np.testing.assert_array_equal(indices.numpy(), expected.indices.numpy())
    kept = getattr(Tensor(x), name)(1, keepdims=True)
    assert isinstance(kept, Tensor) and kept.shape == (2, 1)
    with pytest.raises(TypeError, match="keepdim, a bool"):
        getattr(Tensor(x), name)(1, None)
