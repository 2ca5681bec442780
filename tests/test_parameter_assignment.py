"""Assigning to a module attribute that holds an ``nn.Parameter``: as torch, only a Parameter or None."""

import numpy as np
import pytest

import nn
from autograd import Tensor, no_grad


def test_assigning_a_plain_tensor_over_a_parameter_is_a_type_error_and_keeps_the_parameter():
    layer = nn.Linear(2, 2, rng=0)
    weight = layer.weight
    with pytest.raises(TypeError, match="Linear: cannot assign a Tensor as parameter 'weight'.*Parameter or None"):
        layer.weight = Tensor(np.ones((2, 2), np.float32))
    assert layer.weight is weight
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]


def test_assigning_an_array_over_a_parameter_is_a_type_error_as_torch():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="cannot assign"):
        torch.nn.Linear(2, 2).weight = torch.ones(2, 2)
    with pytest.raises(TypeError, match="cannot assign a ndarray as parameter 'bias'"):
        nn.Linear(2, 2).bias = np.zeros(2, np.float32)


def test_assigning_none_removes_the_parameter_as_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Linear(2, 3), torch.nn.Linear(2, 3)
    ours.bias, theirs.bias = None, None
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()] == ["weight"]
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight"]
    assert ours(np.ones((1, 2), np.float32)).shape == (1, 3)


def test_a_new_parameter_replaces_the_old_one():
    layer = nn.Linear(2, 2)
    replacement = nn.Parameter(np.zeros((2, 2), np.float32))
    layer.weight = replacement
    assert layer.parameters()[0] is replacement


def test_values_can_still_change_in_place_and_other_attributes_take_anything():
    layer = nn.Linear(2, 2)
    with no_grad():
        layer.weight.copy_(np.ones((2, 2), np.float32))
    np.testing.assert_array_equal(layer.weight.data, 1.0)
    layer.note = Tensor(np.ones(2))  # not a parameter before, so any value is fine
    layer.note = np.zeros(2)
    assert len(layer.parameters()) == 2


class _Holder(nn.Module):
    def __init__(self) -> None:
        self.fc = nn.Linear(2, 2, rng=0)

    def forward(self, x):
        return self.fc(x)


@pytest.mark.parametrize("value", [Tensor(np.ones(2)), np.ones(2), 3.0, "fc"])
def test_assigning_a_non_module_over_a_sub_module_is_a_type_error_and_keeps_it(value):
    holder = _Holder()
    fc = holder.fc
    with pytest.raises(
        TypeError, match="_Holder: cannot assign '.*' as child module 'fc' \\(nn.Module or None expected\\)"
    ):
        holder.fc = value
    assert holder.fc is fc and [name for name, _ in holder.named_parameters()] == ["fc.weight", "fc.bias"]


def test_assigning_a_tensor_over_a_sub_module_is_a_type_error_in_torch_too():
    torch = pytest.importorskip("torch")
    holder = torch.nn.Module()
    holder.fc = torch.nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'torch.FloatTensor' as child module 'fc'"):
        holder.fc = torch.ones(2)


def test_a_sub_module_can_still_be_replaced_by_a_module_none_or_a_parameter():
    holder = _Holder()
    holder.fc = nn.Identity()
    assert holder(np.ones(2)).shape == (2,)
    holder.fc = None
    assert holder.fc is None and list(holder.children()) == []
    holder.fc = nn.Parameter(np.zeros(2))
    assert [name for name, _ in holder.named_parameters()] == ["fc"]
