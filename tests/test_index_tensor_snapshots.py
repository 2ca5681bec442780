"""An index, mask or condition given as a Tensor is copied when the op that keeps it is recorded, so
changing that Tensor in place before backward cannot change the gradient (torch raises there instead;
either way no wrong gradient is returned silently)."""

from __future__ import annotations

import numpy as np

import autograd as ag
from autograd import Tensor, where


def test_changing_an_index_tensor_after_indexing_keeps_the_gradient():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    index = Tensor(np.array([0, 0]))
    y = x[index]
    index.fill_(2)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 0.0])


def test_changing_an_index_tensor_inside_a_tuple_index_keeps_the_gradient():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    rows = Tensor(np.array([1, 1]))
    y = x[rows, 0:2]
    rows.zero_()
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 0.0, 0.0], [2.0, 2.0, 0.0]])


def test_changing_a_mask_tensor_after_masking_keeps_the_gradient():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = Tensor(np.array([True, False, True]))
    y = x[mask]
    mask.fill_(False)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 1.0])


def test_changing_a_gather_index_after_gather_keeps_the_gradient():
    x = Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    index = Tensor(np.array([[2, 2]]))
    y = x.gather(1, index)
    index.fill_(0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 0.0, 2.0]])


def test_changing_a_where_condition_after_where_keeps_the_gradient():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    condition = Tensor(np.array([True, False, True]))
    y = where(condition, x, 0.0)
    condition.fill_(False)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 0.0, 1.0])


def test_changing_a_masked_fill_mask_after_masked_fill_keeps_the_gradient():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    mask = Tensor(np.array([True, False, False]))
    y = ag.masked_fill(x, mask, 0.0)
    mask.fill_(True)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 1.0])


def test_index_tensor_changed_before_indexing_takes_effect_as_usual():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    index = Tensor(np.array([0, 0]))
    index.fill_(1)
    x[index].sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 2.0, 0.0])


def test_index_select_index_changed_in_place_after_the_op_keeps_the_gradient():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    index = Tensor(np.array([0, 0]))
    y = x.index_select(0, index)
    index.fill_(2)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 0.0, 0.0])
