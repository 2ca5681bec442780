"""nn.Buffer: assigning one registers a buffer as register_buffer does (torch's test_nn.py checks of nn.Buffer,
ported), side by side with torch.nn.Buffer when torch is installed."""

import copy
import pickle

import numpy as np
import pytest

import nn
from autograd import Tensor


def _torch():
    return pytest.importorskip("torch")


def buffer_names_and_state_keys(module):
    return [name for name, _ in module.named_buffers()], list(module.state_dict())


# -- the Buffer itself ---------------------------------------------------------------------------------------------------
def test_buffer_copies_its_data_and_keeps_dtype():
    array = np.arange(3, dtype=np.float32)
    buffer = nn.Buffer(array)
    array[0] = 9
    assert isinstance(buffer, Tensor) and buffer.dtype == np.float32
    np.testing.assert_array_equal(buffer.data, [0, 1, 2])
    assert buffer.persistent is True and not buffer.requires_grad


def test_buffer_of_none_is_empty_and_one_dimensional():
    buffer = nn.Buffer()
    assert buffer.shape == (0,) and buffer.dtype.kind == "f"


def test_buffer_keeps_the_requires_grad_of_its_data_as_torchs():
    assert nn.Buffer(Tensor([1.0], requires_grad=True)).requires_grad


def test_operations_on_a_buffer_give_plain_tensors():
    result = nn.Buffer(np.ones(2)) * 2
    assert type(result) is Tensor


def test_persistent_must_be_a_bool():
    with pytest.raises(TypeError, match="persistent"):
        nn.Buffer(np.ones(2), persistent="no")


def test_buffer_repr_names_it():
    assert repr(nn.Buffer(np.ones(2))).startswith("Buffer(")


# -- assignment registers ----------------------------------------------------------------------------------------------
def test_assigning_a_buffer_registers_it():
    module = nn.Module()
    module.running = nn.Buffer(np.zeros(3))
    assert buffer_names_and_state_keys(module) == (["running"], ["running"])
    assert module.get_buffer("running") is module.running
    assert module.parameters() == []


def test_a_non_persistent_buffer_is_listed_but_not_saved():
    module = nn.Module()
    module.mask = nn.Buffer(np.ones(5), persistent=False)
    assert buffer_names_and_state_keys(module) == (["mask"], [])
    module.load_state_dict({})


def test_deleting_a_non_persistent_buffer_unregisters_it():
    module = nn.Module()
    module.mask = nn.Buffer(np.ones(5), persistent=False)
    del module.mask
    assert module.buffers() == []


def test_overwriting_a_buffer_with_a_buffer_takes_the_new_persistence():
    module = nn.Module()
    module.mask = nn.Buffer(np.ones(5), persistent=False)
    module.mask = nn.Buffer(np.ones(5))
    assert buffer_names_and_state_keys(module) == (["mask"], ["mask"])
    module.mask = nn.Buffer(np.ones(5), persistent=False)
    assert buffer_names_and_state_keys(module) == (["mask"], [])


def test_none_then_a_tensor_keeps_the_name_a_buffer_and_a_parameter_replaces_it():
    module = nn.Module()
    module.mask = nn.Buffer(np.ones(5), persistent=False)
    module.mask = None
    assert buffer_names_and_state_keys(module) == ([], [])
    module.mask = Tensor(np.ones(5))
    assert buffer_names_and_state_keys(module) == (["mask"], [])
    module.mask = nn.Parameter(np.ones(5))
    assert buffer_names_and_state_keys(module) == ([], ["mask"])
    assert len(module.parameters()) == 1


def test_a_module_assigned_over_a_buffer_replaces_it():
    module = nn.Module()
    module.part = nn.Buffer(np.ones(2))
    module.part = nn.Linear(2, 2)
    assert module.buffers() == [] and list(module.state_dict()) == ["part.weight", "part.bias"]


def test_reassigning_with_the_same_name_gives_the_new_buffer():
    module = nn.Module()
    first, second = Tensor(np.ones(5)), Tensor(np.zeros(5))
    module.register_buffer("values", first)
    module.values = nn.Buffer(first)
    np.testing.assert_array_equal(module.values.data, first.data)
    module.values = nn.Buffer(second)
    np.testing.assert_array_equal(module.values.data, second.data)
    module.values = None
    assert module.values is None and module.buffers() == []


def test_a_buffer_cannot_take_the_name_of_another_attribute():
    module = nn.Module()
    module.attribute = 5
    with pytest.raises(KeyError):
        module.attribute = nn.Buffer(np.ones(5))
    del module.attribute
    module.attribute = nn.Buffer(np.ones(5))
    with pytest.raises(KeyError):
        module.register_parameter("attribute", nn.Parameter(np.ones(1)))
    with pytest.raises(KeyError):
        module.add_module("attribute", nn.Module())


@pytest.mark.parametrize("name", ["forward", "training", "state_dict"])
def test_a_buffer_cannot_take_the_name_of_a_class_attribute(name):
    layer = nn.Linear(2, 2)
    with pytest.raises(KeyError, match=f"attribute '{name}' already exists"):
        layer.register_buffer(name, np.zeros(2))
    assert name not in vars(layer) and layer.buffers() == []
    torch = _torch()
    with pytest.raises(KeyError, match=f"attribute '{name}' already exists"):
        torch.nn.Linear(2, 2).register_buffer(name, torch.zeros(2))


def test_a_buffer_name_that_is_not_a_string_is_a_type_error():
    with pytest.raises(TypeError, match="register_buffer: the name must be a string, got int"):
        nn.Module().register_buffer(3, np.zeros(2))
    torch = _torch()
    with pytest.raises(TypeError):
        torch.nn.Module().register_buffer(3, torch.zeros(2))


def test_a_buffer_cannot_replace_a_parameter():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="parameter 'weight'"):
        layer.weight = nn.Buffer(np.ones((2, 2)))


def test_a_buffer_that_requires_grad_is_refused_by_a_module():
    module = nn.Module()
    with pytest.raises(TypeError, match="must not require a gradient"):
        module.weights = nn.Buffer(Tensor([1.0], requires_grad=True))
    assert module.buffers() == []


def test_a_subclass_whose_register_buffer_lacks_persistent_still_takes_a_buffer():
    class OldStyle(nn.Linear):
        def __init__(self) -> None:
            super().__init__(2, 2)
            self.extra = nn.Buffer(np.ones((2, 2)))

        def register_buffer(self, name, array):
            super().register_buffer(name, array, True)

    module = OldStyle()
    assert module.extra is not None and "extra" in module.state_dict()


def test_buffers_of_sub_modules_are_named_by_their_path():
    model = nn.Sequential(nn.Linear(2, 2))
    model[0].scale = nn.Buffer(np.ones(2))
    assert [name for name, _ in model.named_buffers()] == ["0.scale"]
    assert "0.scale" in model.state_dict()


# -- casts, copies, state dicts -----------------------------------------------------------------------------------------
def test_casting_the_module_keeps_the_buffer_object_and_its_persistence():
    module = nn.Module()
    module.mask = nn.Buffer(np.ones(3), persistent=False)
    buffer = module.mask
    module.float()
    assert module.mask is buffer and module.mask.dtype == np.float32
    module.to(np.float64)
    assert isinstance(module.mask, nn.Buffer) and module.mask.dtype == np.float64
    assert buffer_names_and_state_keys(module) == (["mask"], [])


def test_copies_and_pickles_keep_buffers_and_their_persistence():
    module = nn.Module()
    module.kept = nn.Buffer(np.ones(2))
    module.dropped = nn.Buffer(np.zeros(2), persistent=False)
    for clone in (copy.deepcopy(module), pickle.loads(pickle.dumps(module))):
        assert isinstance(clone.kept, nn.Buffer) and clone.dropped.persistent is False
        assert buffer_names_and_state_keys(clone) == (["kept", "dropped"], ["kept"])


def test_load_state_dict_writes_into_a_persistent_buffer():
    module = nn.Module()
    module.kept = nn.Buffer(np.ones(2))
    buffer = module.kept
    module.load_state_dict({"kept": np.array([3.0, 4.0])})
    assert module.kept is buffer
    np.testing.assert_array_equal(buffer.data, [3.0, 4.0])


def test_load_state_dict_refuses_an_entry_for_a_non_persistent_buffer():
    module = nn.Module()
    module.dropped = nn.Buffer(np.ones(2), persistent=False)
    with pytest.raises(ValueError, match=r'Unexpected key\(s\) in state_dict: "dropped"'):
        module.load_state_dict({"dropped": np.ones(2)})


# -- against torch ------------------------------------------------------------------------------------------------------
def test_the_same_assignments_give_torchs_buffers_and_state_keys():
    torch = _torch()
    ours, theirs = nn.Module(), torch.nn.Module()
    steps = [
        ("a", lambda: nn.Buffer(np.ones(2)), lambda: torch.nn.Buffer(torch.ones(2))),
        (
            "b",
            lambda: nn.Buffer(np.ones(2), persistent=False),
            lambda: torch.nn.Buffer(torch.ones(2), persistent=False),
        ),
        (
            "a",
            lambda: nn.Buffer(np.ones(2), persistent=False),
            lambda: torch.nn.Buffer(torch.ones(2), persistent=False),
        ),
        ("b", lambda: None, lambda: None),
        ("b", lambda: Tensor(np.ones(2)), lambda: torch.ones(2)),
        ("a", lambda: nn.Parameter(np.ones(2)), lambda: torch.nn.Parameter(torch.ones(2))),
        ("c", lambda: nn.Buffer(), lambda: torch.nn.Buffer()),
    ]
    for name, make_ours, make_theirs in steps:
        setattr(ours, name, make_ours())
        setattr(theirs, name, make_theirs())
        assert [key for key, _ in ours.named_buffers()] == [key for key, _ in theirs.named_buffers()]
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert [key for key, _ in ours.named_parameters()] == [key for key, _ in theirs.named_parameters()]
    assert ours.c.shape == tuple(theirs.c.shape)
    assert isinstance(theirs.c, torch.nn.Buffer) and isinstance(ours.c, nn.Buffer)


def test_torch_raises_key_error_for_a_buffer_over_another_attribute_too():
    torch = _torch()
    module = torch.nn.Module()
    module.attribute = 5
    with pytest.raises(KeyError):
        module.attribute = torch.nn.Buffer(torch.ones(5))


def test_assigning_a_non_array_to_a_buffer_is_a_type_error_and_keeps_the_buffer():
    """As torch's: a buffer's name takes an array, a Tensor or None, not a number that state_dict would save."""
    norm = nn.BatchNorm1d(2)
    running_mean = norm.running_mean
    with pytest.raises(TypeError, match="BatchNorm1d: cannot assign a int as buffer 'running_mean'"):
        norm.running_mean = 3
    assert norm.running_mean is running_mean and "running_mean" in dict(norm.named_buffers())
    module = nn.Module()
    module.register_buffer("mask", None)
    with pytest.raises(TypeError, match="cannot assign a list as buffer 'mask'"):
        module.mask = [1, 0]
    module.mask = np.ones(2)  # an array, a Tensor or None is fine
    module.mask = None
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="buffer"):
        torch.nn.BatchNorm1d(2).running_mean = 3
