"""ParameterList and ParameterDict beside torch's: any object is an entry (only tensors become parameters), a
missing ParameterDict key is torch's AttributeError (and a KeyError), and the reprs are torch's text; the reprs of
Hardswish, Hardsigmoid and Unflatten as torch writes them."""

from collections import OrderedDict

import numpy as np
import pytest

import nn

torch = pytest.importorskip("torch")


def _entries(tensor):
    """One of each kind of entry, with ``tensor`` making the tensors (torch's, or numpy's arrays for ours)."""
    return [1.5, "a", tensor(np.zeros((2, 3), dtype=np.float32)), None, (1, 2), tensor(np.ones(4))]


def test_parameter_list_keeps_objects_as_they_are_and_makes_tensors_parameters_as_torchs():
    ours = nn.ParameterList(_entries(np.asarray))
    theirs = torch.nn.ParameterList(_entries(torch.tensor))
    assert [type(entry).__name__ for entry in ours] == [type(entry).__name__ for entry in theirs]
    assert list(ours)[:2] == list(theirs)[:2] == [1.5, "a"]
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    for container in (ours, theirs):
        container.append(3)
        container[0] = "b"
        container.extend([None])
    assert [entry if not hasattr(entry, "shape") else "tensor" for entry in ours] == [
        entry if not hasattr(entry, "shape") else "tensor" for entry in theirs
    ]


def test_parameter_list_module_entry_is_a_sub_module_as_torchs():
    ours, theirs = nn.ParameterList([2.0, nn.Linear(2, 3)]), torch.nn.ParameterList([2.0, torch.nn.Linear(2, 3)])
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)


def test_parameter_list_repr_is_torchs():
    for entries in ([], [np.zeros(3, dtype=np.float32)], [np.zeros((), dtype=np.float32)], _entries(np.asarray)):
        theirs = torch.nn.ParameterList([torch.tensor(e) if isinstance(e, np.ndarray) else e for e in entries])
        assert repr(nn.ParameterList(entries)) == repr(theirs)


def test_parameter_dict_keeps_objects_and_repr_is_torchs():
    values = OrderedDict(a=np.zeros((2, 3), dtype=np.float32), b=1.5, c="text", d=None, e=np.zeros(2))
    ours = nn.ParameterDict(values)
    theirs = torch.nn.ParameterDict(
        OrderedDict((key, torch.tensor(v) if isinstance(v, np.ndarray) else v) for key, v in values.items())
    )
    assert repr(ours) == repr(theirs)
    assert ours["b"] == theirs["b"] == 1.5 and ours["d"] is None
    assert (
        [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()] == ["a", "e"]
    )
    assert repr(nn.ParameterDict()) == repr(torch.nn.ParameterDict())


def test_a_missing_parameter_dict_key_is_an_attribute_error_as_torchs_and_a_key_error():
    with pytest.raises(AttributeError):
        torch.nn.ParameterDict()["nope"]
    for error in (AttributeError, KeyError):
        with pytest.raises(error, match="ParameterDict: no parameter named 'nope'"):
            nn.ParameterDict({"a": np.ones(1)})["nope"]
    with pytest.raises(KeyError, match="ModuleDict: no module named 'nope'"):  # torch's ModuleDict: a KeyError only
        nn.ModuleDict()["nope"]


@pytest.mark.parametrize("layer", ["Hardswish", "Hardsigmoid"])
def test_hard_activations_print_no_inplace_flag_as_torchs(layer):
    for inplace in (False, True):
        ours = getattr(nn, layer)(inplace=inplace)
        assert repr(ours) == repr(getattr(torch.nn, layer)(inplace=inplace)) == f"{layer}()"
        assert ours.inplace is inplace


@pytest.mark.parametrize("sizes", [[3, 2], (3, 2), [3, -1]])
def test_unflatten_prints_its_sizes_as_given_as_torchs(sizes):
    ours, theirs = nn.Unflatten(1, sizes), torch.nn.Unflatten(1, sizes)
    assert repr(ours) == repr(theirs)
    x = np.arange(12.0).reshape(2, 6)
    np.testing.assert_array_equal(ours(x).numpy(), theirs(torch.tensor(x)).numpy())


def test_parameter_list_entries_are_attributes_named_by_position_as_torchs():
    """``getattr(plist, "0")`` is ``plist[0]`` and ``setattr(plist, "0", p)`` replaces that entry, as torch's (whose
    entries are attributes named by position): the setattr added a second parameter named "0" beside the entry."""
    ours = nn.ParameterList([nn.Parameter(np.ones(1)), nn.Parameter(np.ones(2))])
    theirs = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(1)), torch.nn.Parameter(torch.ones(2))])
    for plist, new in ((ours, nn.Parameter(np.full(1, 9.0))), (theirs, torch.nn.Parameter(torch.full((1,), 9.0)))):
        assert getattr(plist, "1") is plist[1]
        assert hasattr(plist, "1") and not hasattr(plist, "2")
        setattr(plist, "0", new)
        assert plist[0] is new and len(plist) == 2
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["0", "1"]
    assert float(ours.state_dict()["0"][0]) == float(theirs.state_dict()["0"][0]) == 9.0
    with pytest.raises(AttributeError, match="'ParameterList' object has no attribute 'pop'"):
        ours.pop  # noqa: B018
