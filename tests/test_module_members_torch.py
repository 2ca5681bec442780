"""Assigning and deleting a module's members (sub-modules, container entries, parameters, buffers) as torch's
``Module.__setattr__``/``__delattr__`` do, compared with torch."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")

from torch_oracle import raised_type  # noqa: E402  (after the skip: it imports torch)

tnn = torch.nn


def _named_sequentials():
    return [lib.Sequential(OrderedDict(a=lib.Linear(1, 1), b=lib.Tanh())) for lib in (nn, tnn)]


def _state_and_parameter_count(module):
    return sorted(module.state_dict()), len(list(module.parameters()))


# -- F1: None (or a non-Module) over a sub-module ------------------------------------------------------------
def test_none_over_a_named_sequential_entry_unregisters_it_as_torchs():
    ours, theirs = _named_sequentials()
    ours.a = None
    theirs.a = None
    assert ours.a is None and ours[0] is None and len(ours) == len(theirs) == 2
    assert _state_and_parameter_count(ours) == _state_and_parameter_count(theirs) == ([], 0)
    assert [name for name, _ in ours.named_children()] == [name for name, _ in theirs.named_children()] == ["b"]
    with pytest.raises(TypeError):
        ours(Tensor(np.ones((1, 1), np.float32)))
    with pytest.raises(TypeError):
        theirs(torch.ones(1, 1))


@pytest.mark.parametrize("assign", ["setattr", "setitem", "add_module"])
def test_none_over_a_numbered_sequential_entry_unregisters_it_as_torchs(assign):
    modules = []
    for lib in (nn, tnn):
        sequence = lib.Sequential(lib.Linear(1, 1), lib.Tanh())
        if assign == "setattr":
            setattr(sequence, "0", None)
        elif assign == "setitem":
            sequence[0] = None
        else:
            sequence.add_module("0", None)
        modules.append(sequence)
    ours, theirs = modules
    assert [m is None for m in ours] == [m is None for m in theirs] == [True, False]
    assert _state_and_parameter_count(ours) == _state_and_parameter_count(theirs)


@pytest.mark.parametrize("assign", ["setattr", "setitem", "add_module"])
def test_none_over_a_module_dict_entry_keeps_the_key_and_drops_the_module_as_torchs(assign):
    modules = []
    for lib in (nn, tnn):
        heads = lib.ModuleDict({"a": lib.Linear(1, 1), "b": lib.Tanh()})
        if assign == "setattr":
            heads.a = None
        elif assign == "setitem":
            heads["a"] = None
        else:
            heads.add_module("a", None)
        modules.append(heads)
    ours, theirs = modules
    assert ours["a"] is None and ours.a is None and "a" in ours and len(ours) == len(theirs) == 2
    assert list(ours.keys()) == list(theirs.keys())
    assert _state_and_parameter_count(ours) == _state_and_parameter_count(theirs) == ([], 0)


@pytest.mark.parametrize("assign", ["setattr", "setitem"])
def test_none_over_a_module_list_entry_drops_the_module_as_torchs(assign):
    modules = []
    for lib in (nn, tnn):
        layers = lib.ModuleList([lib.Linear(1, 1), lib.Linear(1, 1)])
        if assign == "setattr":
            setattr(layers, "1", None)
        else:
            layers[1] = None
        modules.append(layers)
    ours, theirs = modules
    assert [m is None for m in ours] == [m is None for m in theirs] == [False, True]
    assert _state_and_parameter_count(ours) == _state_and_parameter_count(theirs)


class _Holder:
    """A plain module with one sub-module ``inner``, built by either library."""

    @staticmethod
    def build(lib):
        class Holder(lib.Module):
            def __init__(self):
                super().__init__()
                self.inner = lib.Linear(1, 1)

        return Holder()


def _sub_module_slots(lib):
    return {
        "named Sequential": lambda: (lib.Sequential(OrderedDict(a=lib.Linear(1, 1))), "a"),
        "numbered Sequential": lambda: (lib.Sequential(lib.Linear(1, 1)), "0"),
        "ModuleDict": lambda: (lib.ModuleDict({"a": lib.Linear(1, 1)}), "a"),
        "ModuleList": lambda: (lib.ModuleList([lib.Linear(1, 1)]), "0"),
        "Module": lambda: (_Holder.build(lib), "inner"),
    }


@pytest.mark.parametrize("slot", list(_sub_module_slots(nn)))
@pytest.mark.parametrize("value", [5, "text", np.float32(1.0)], ids=["int", "str", "float32"])
def test_a_non_module_over_a_sub_module_is_a_type_error_as_torchs(slot, value):
    ours, name = _sub_module_slots(nn)[slot]()
    theirs, _ = _sub_module_slots(tnn)[slot]()
    assert raised_type(lambda: setattr(theirs, name, value)) is TypeError
    with pytest.raises(TypeError, match="child module"):
        setattr(ours, name, value)
    assert isinstance(getattr(ours, name), nn.Linear)


@pytest.mark.parametrize("slot", list(_sub_module_slots(nn)))
def test_a_sub_module_set_to_none_still_takes_only_a_module_or_none_as_torchs(slot):
    ours, name = _sub_module_slots(nn)[slot]()
    theirs, _ = _sub_module_slots(tnn)[slot]()
    setattr(ours, name, None)
    setattr(theirs, name, None)
    assert raised_type(lambda: setattr(theirs, name, 5)) is TypeError
    with pytest.raises(TypeError, match="child module"):
        setattr(ours, name, 5)
    setattr(ours, name, nn.Tanh())
    setattr(theirs, name, tnn.Tanh())
    assert isinstance(getattr(ours, name), nn.Tanh) and _state_and_parameter_count(ours) == ([], 0)


@pytest.mark.parametrize("register", ["add_module", "register_module"])
def test_a_new_name_registered_as_none_is_a_sub_module_name_in_modules_and_repr_as_torchs(register):
    ours, theirs = nn.Module(), tnn.Module()
    getattr(ours, register)("head", None)
    getattr(theirs, register)("head", None)
    assert list(ours._modules.items()) == list(theirs._modules.items()) == [("head", None)]
    assert repr(ours) == repr(theirs) == "Module(\n  (head): None\n)"
    assert raised_type(lambda: setattr(theirs, "head", 5)) is TypeError
    with pytest.raises(TypeError, match="child module"):
        ours.head = 5
    ours.head, theirs.head = nn.Tanh(), tnn.Tanh()
    assert list(ours._modules) == list(theirs._modules) == ["head"]


def test_a_parameter_over_a_named_sequential_entry_replaces_the_entry_as_torchs():
    ours, theirs = _named_sequentials()
    ours.b = nn.Parameter(np.ones(1, np.float32))
    theirs.b = tnn.Parameter(torch.ones(1))
    assert len(ours) == len(theirs) == 1
    assert _state_and_parameter_count(ours) == _state_and_parameter_count(theirs)


# -- F10: deleting a member by name ----------------------------------------------------------------------------
def test_deleting_a_named_sequential_entry_removes_it_and_the_rest_still_runs_as_torchs():
    ours, theirs = _named_sequentials()
    del ours.a
    del theirs.a
    assert len(ours) == len(theirs) == 1 and list(ours._modules) == list(theirs._modules) == ["b"]
    assert _state_and_parameter_count(ours) == _state_and_parameter_count(theirs)
    x = np.array([[0.5]], np.float32)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.from_numpy(x)).numpy(), rtol=1e-6)


def test_deleting_a_numbered_sequential_entry_keeps_the_other_names_as_torchs():
    sequences = [lib.Sequential(lib.ReLU(), lib.Tanh(), lib.Sigmoid()) for lib in (nn, tnn)]
    for sequence in sequences:
        delattr(sequence, "0")
    ours, theirs = sequences
    assert list(ours._modules) == list(theirs._modules) == ["1", "2"]
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs] == ["Tanh", "Sigmoid"]
    ours.append(nn.ReLU())  # torch's name for it is its position, "2": it replaces the module of that name
    theirs.append(tnn.ReLU())
    assert [(k, type(m).__name__) for k, m in ours._modules.items()] == [
        (k, type(m).__name__) for k, m in theirs._modules.items()
    ]


def test_deleting_a_missing_sequential_name_is_an_attribute_error_as_torchs():
    ours, theirs = _named_sequentials()
    assert raised_type(lambda: delattr(theirs, "zz")) is AttributeError
    with pytest.raises(AttributeError):
        delattr(ours, "zz")
    assert len(ours) == 2


def test_deleting_a_parameter_a_buffer_and_a_module_dict_entry_by_name_as_torchs():
    results = []
    for lib in (nn, tnn):
        layer = lib.Linear(1, 1)
        layer.register_buffer("scale", None)
        del layer.weight, layer.scale
        heads = lib.ModuleDict({"a": lib.ReLU(), "b": lib.Tanh()})
        del heads.a
        results.append((sorted(layer.state_dict()), list(layer._buffers), hasattr(layer, "weight"), list(heads)))
    assert results[0] == results[1]


# -- F13: buffers ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("persistent", [0, 1, np.int64(0)])
def test_register_buffer_takes_an_integer_persistent_flag_as_torchs(persistent):
    keys = []
    for lib, make in ((nn, Tensor), (tnn, torch.from_numpy)):
        layer = lib.Linear(1, 1)
        layer.register_buffer("mask", make(np.zeros(1, np.float32)), persistent=persistent)
        keys.append(sorted(layer.state_dict()))
    assert keys[0] == keys[1]


def test_get_buffer_of_a_buffer_registered_as_none_is_none_as_torchs():
    for lib in (nn, tnn):
        holder = lib.Sequential(lib.Linear(1, 1))
        holder[0].register_buffer("mask", None)
        assert holder.get_buffer("0.mask") is None
    with pytest.raises(AttributeError):
        holder.get_buffer("0.weight")
    with pytest.raises(AttributeError):
        nn.Sequential(nn.Linear(1, 1)).get_buffer("0.weight")
