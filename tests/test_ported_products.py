"""Ported matrix-product and convolution tests against torch: matmul of 1-D/2-D/batched shapes,
einsum, conv1d/conv2d and pooling with stride, padding, dilation and groups (see tests/torch_oracle.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from torch_oracle import check_like_torch, is_torch

import autograd as ag

torch = pytest.importorskip("torch")


# -- matrix products ----------------------------------------------------------------------------------------
MATMUL_SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)),
    ((5, 1, 2, 3), (4, 3, 2)),
    ((3,), (2, 3, 4)),
    ((2, 4, 3), (3,)),
    ((0, 3), (3, 2)),
    ((2, 0), (0, 3)),
    ((1, 3), (1, 3, 1)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_matches_torch(shapes):
    check_like_torch(list(shapes), lambda x, y: x @ y)
    check_like_torch(list(shapes), lambda x, y: (torch if is_torch(x) else ag).matmul(x, y))


PRODUCTS = {
    "mm": ([(2, 3), (3, 4)], lambda x, y: x.mm(y)),
    "bmm": ([(5, 2, 3), (5, 3, 4)], lambda x, y: x.bmm(y)),
    "dot": ([(3,), (3,)], lambda x, y: x.dot(y)),
    "x @ x.T": ([(3, 4)], lambda x: x @ x.T),
    "einsum ij,jk->ik": ([(2, 3), (3, 4)], lambda x, y: (torch if is_torch(x) else ag).einsum("ij,jk->ik", x, y)),
    "einsum bij,bjk->bik": (
        [(5, 2, 3), (5, 3, 4)],
        lambda x, y: (torch if is_torch(x) else ag).einsum("bij,bjk->bik", x, y),
    ),
    "einsum ii (trace)": ([(3, 3)], lambda x: (torch if is_torch(x) else ag).einsum("ii", x)),
    "einsum ii->i (diagonal)": ([(3, 3)], lambda x: (torch if is_torch(x) else ag).einsum("ii->i", x)),
    "einsum i,j->ij": ([(3,), (4,)], lambda x, y: (torch if is_torch(x) else ag).einsum("i,j->ij", x, y)),
    "einsum ...ij,jk->...ik": (
        [(2, 3, 4), (4, 5)],
        lambda x, y: (torch if is_torch(x) else ag).einsum("...ij,jk->...ik", x, y),
    ),
    "einsum ij-> (sum)": ([(2, 3)], lambda x: (torch if is_torch(x) else ag).einsum("ij->", x)),
    "einsum ij,jk (implicit)": ([(2, 3), (3, 4)], lambda x, y: (torch if is_torch(x) else ag).einsum("ij,jk", x, y)),
    "einsum of three": (
        [(2, 3), (3, 4), (4, 5)],
        lambda x, y, z: (torch if is_torch(x) else ag).einsum("ij,jk,kl->il", x, y, z),
    ),
}


@pytest.mark.parametrize("name", PRODUCTS)
def test_product_matches_torch(name):
    shapes, call = PRODUCTS[name]
    check_like_torch(shapes, call)


def test_ndarray_on_the_left_of_matmul_and_arithmetic_defers_to_the_tensor():
    matrix = np.arange(6.0).reshape(2, 3)
    check_like_torch([(3, 4)], lambda x: (torch.tensor(matrix) if is_torch(x) else matrix) @ x)
    check_like_torch([(2, 3)], lambda x: (torch.tensor(matrix) if is_torch(x) else matrix) - x)


# -- convolutions and pooling (nn.functional) against torch.nn.functional --------------------------------
def _nn_or_torch(name: str, *args: Any, **kwargs: Any) -> Callable[..., Any]:
    """A call of ``name`` in torch.nn.functional or this library's nn.functional, with the same arguments."""
    import nn.functional as ours

    def call(*inputs: Any) -> Any:
        module = torch.nn.functional if is_torch(inputs[0]) else ours
        return getattr(module, name)(*inputs, *args, **kwargs)

    return call


CONV2D = [
    ((2, 3, 7, 7), (4, 3, 3, 3), {}),
    ((2, 3, 7, 7), (4, 3, 3, 3), {"stride": 2}),
    ((2, 3, 7, 7), (4, 3, 3, 3), {"padding": 1}),
    ((2, 3, 9, 9), (4, 3, 3, 3), {"dilation": 2}),
    ((2, 4, 7, 7), (6, 2, 3, 3), {"groups": 2}),
    ((2, 4, 7, 7), (4, 1, 3, 3), {"groups": 4, "padding": 2, "stride": (2, 1)}),
    ((2, 3, 7, 8), (4, 3, 2, 3), {"stride": (2, 3), "padding": (1, 0), "dilation": (1, 2)}),
    ((1, 1, 5, 5), (1, 1, 5, 5), {}),
    ((2, 3, 5, 5), (4, 3, 3, 3), {"padding": "same"}),
    ((2, 3, 6, 6), (4, 3, 2, 2), {"padding": "valid"}),
    ((3, 5, 5), (4, 3, 3, 3), {}),
]


@pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel:UserWarning")
@pytest.mark.parametrize(("x", "weight", "options"), CONV2D, ids=str)
def test_conv2d_matches_torch(x, weight, options):
    check_like_torch([x, weight, (weight[0],)], _nn_or_torch("conv2d", **options))


@pytest.mark.parametrize(
    ("x", "weight", "options"),
    [((2, 3, 9), (4, 3, 3), {}), ((2, 3, 9), (4, 3, 3), {"stride": 2, "padding": 1, "dilation": 2})],
    ids=str,
)
def test_conv1d_matches_torch(x, weight, options):
    check_like_torch([x, weight, (weight[0],)], _nn_or_torch("conv1d", **options))


def test_conv2d_in_float32_matches_torch():
    check_like_torch(
        [(2, 3, 7, 7), (4, 3, 3, 3)], _nn_or_torch("conv2d", padding=1), dtype=np.float32, atol=1e-5, rtol=1e-4
    )


POOLS = [
    ((2, 3, 8, 8), {"kernel_size": 2}),
    ((2, 3, 7, 7), {"kernel_size": 3, "stride": 2}),
    ((2, 3, 7, 7), {"kernel_size": 3, "stride": 2, "padding": 1}),
    ((2, 3, 7, 7), {"kernel_size": (2, 3), "stride": (1, 2)}),
    ((2, 3, 7, 7), {"kernel_size": 2, "ceil_mode": True}),
    ((3, 7, 7), {"kernel_size": 2}),
]


@pytest.mark.parametrize(("x", "options"), POOLS, ids=str)
@pytest.mark.parametrize("pool", ["max_pool2d", "avg_pool2d"])
def test_pooling_matches_torch(pool, x, options):
    check_like_torch([x], _nn_or_torch(pool, **options))


def test_max_pool_with_dilation_and_ties_matches_torch():
    check_like_torch([(2, 3, 9, 9)], _nn_or_torch("max_pool2d", 3, dilation=2))
    check_like_torch(None, _nn_or_torch("max_pool2d", 2), values=[np.ones((1, 1, 4, 4))])
    check_like_torch(None, _nn_or_torch("max_pool2d", 2, 1), values=[np.ones((1, 1, 4, 4))])


def test_avg_pool_without_padding_in_the_count_and_adaptive_pool_match_torch():
    check_like_torch([(2, 3, 7, 7)], _nn_or_torch("avg_pool2d", 3, 2, 1, count_include_pad=False))
    check_like_torch([(2, 3, 7, 7)], _nn_or_torch("adaptive_avg_pool2d", (3, 2)))
    check_like_torch([(2, 3, 7, 7)], _nn_or_torch("adaptive_avg_pool2d", 1))


def test_einsum_takes_its_operands_as_one_list_as_torch():
    check_like_torch([(3,), (3,)], lambda a, b: (torch if is_torch(a) else ag).einsum("i,i->i", [a, b]))
    check_like_torch([(2, 3, 4), (2, 4, 5)], lambda a, b: (torch if is_torch(a) else ag).einsum("ijk,ikl->jil", [a, b]))
