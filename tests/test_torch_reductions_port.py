"""Ported from PyTorch's test/test_reductions.py: the reductions on empty tensors, 0-d tensors, out-of-range and
repeated dims, and their gradients at ties, zeros and infinities, each checked against torch (float64)."""

from __future__ import annotations

import re

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
