"""nn.save / nn.load of the general objects torch.save takes: training checkpoints, lists and dicts of tensors."""

import io
import json
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn import serialization


def _round_trip(obj):
    buffer = io.BytesIO()
    assert nn.save(obj, buffer) is None
    buffer.seek(0)
    return nn.load(buffer)


def _train(model, optimizer, steps, seed):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        x = rng.standard_normal((8, 3)).astype(np.float32)
        y = rng.integers(0, 2, 8)
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        optimizer.step()


def test_a_list_of_tensors_comes_back_as_a_list_of_tensors():
    # d2l 6.6: torch.save([x, y], 'x-files'); x2, y2 = torch.load('x-files')
    x, y = Tensor(np.arange(4.0)), Tensor(np.zeros(4, np.float32))
    x2, y2 = _round_trip([x, y])
    assert type(x2) is Tensor and type(y2) is Tensor and y2.dtype == np.float32
    np.testing.assert_array_equal(x2.data, x.data)
    np.testing.assert_array_equal(y2.data, y.data)


def test_a_dict_of_tensors_comes_back_with_tensors_and_still_reads_as_a_state_dict(tmp_path):
    saved = {"x": Tensor(np.arange(3.0)), "w": np.ones(2, np.int16)}
    loaded = _round_trip(saved)
    assert type(loaded["x"]) is Tensor and type(loaded["w"]) is np.ndarray and loaded["w"].dtype == np.int16
    path = nn.save(saved, tmp_path / "state.npz")
    assert sorted(serialization.read(path)["model"]) == ["w", "x"]


def test_a_dict_of_parameters_comes_back_with_parameters_that_require_grad_as_torch_load_gives():
    # d2l's hand-made weights: torch.save({"w": w, "b": b}, f) of leaves that require grad
    torch = pytest.importorskip("torch")
    buffer = io.BytesIO()
    torch.save({"w": torch.nn.Parameter(torch.ones(2)), "b": torch.zeros(2, requires_grad=True)}, buffer)
    buffer.seek(0)
    theirs = torch.load(buffer, weights_only=True)
    ours = _round_trip({"w": nn.Parameter(np.ones(2)), "b": Tensor(np.zeros(2), requires_grad=True)})
    for name in ("w", "b"):
        assert (type(ours[name]) is nn.Parameter) == (type(theirs[name]) is torch.nn.Parameter)
        assert ours[name].requires_grad == theirs[name].requires_grad
        np.testing.assert_array_equal(ours[name].data, theirs[name].detach().numpy())


def test_a_training_checkpoint_resumes_training_exactly_where_it_stopped(tmp_path):
    # the "saving and loading a general checkpoint" recipe: epoch, model and optimizer state dicts, loss
    uninterrupted = nn.Sequential(nn.Linear(3, 4, rng=0), nn.ReLU(), nn.Linear(4, 2, rng=1))
    optimizer = nn.optim.Adam(uninterrupted.parameters(), lr=0.01, betas=(0.8, 0.99))
    _train(uninterrupted, optimizer, 3, seed=0)
    path = nn.save(
        {"epoch": 3, "model": uninterrupted.state_dict(), "optimizer": optimizer.state_dict(), "loss": 0.25},
        tmp_path / "checkpoint.pt",
    )
    _train(uninterrupted, optimizer, 2, seed=1)

    checkpoint = nn.load(path)
    assert checkpoint["epoch"] == 3 and checkpoint["loss"] == 0.25
    resumed = nn.Sequential(nn.Linear(3, 4, rng=5), nn.ReLU(), nn.Linear(4, 2, rng=6))
    resumed.load_state_dict(checkpoint["model"])
    resumed_optimizer = nn.optim.Adam(resumed.parameters(), lr=0.5)
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    assert resumed_optimizer.param_groups[0]["betas"] == (0.8, 0.99)  # a tuple stays a tuple
    _train(resumed, resumed_optimizer, 2, seed=1)
    for ours, theirs in zip(resumed.parameters(), uninterrupted.parameters()):
        np.testing.assert_array_equal(ours.data, theirs.data)


def test_kinds_of_leaves_and_keys_come_back_as_they_were():
    parameter = nn.Parameter(np.ones(2, np.float32))
    frozen = Tensor(np.ones(2), requires_grad=False)
    obj = {
        1: (parameter, frozen, np.float32(2.5), np.arange(3)),
        "numbers": [0, -1.5, float("inf"), True, None, "text"],
        None: {2.5: []},
    }
    loaded = _round_trip(obj)
    first = loaded[1]
    assert type(first) is tuple and type(first[0]) is nn.Parameter and first[0].requires_grad
    assert not first[1].requires_grad and type(first[2]) is np.float32 and first[2] == 2.5
    np.testing.assert_array_equal(first[3], np.arange(3))
    assert loaded["numbers"] == [0, -1.5, float("inf"), True, None, "text"]
    assert type(loaded["numbers"][0]) is int and type(loaded["numbers"][3]) is bool
    assert loaded[None] == {2.5: []}
    assert _round_trip({np.int64(3): "three"}) == {3: "three"}  # a NumPy scalar key as its number
    ordered = _round_trip({"model": nn.Linear(2, 1, rng=0).state_dict(), "plain": {"b": 1, "a": 2}})
    assert type(ordered["model"]) is OrderedDict and list(ordered["model"]) == ["weight", "bias"]  # as torch.load's
    assert type(ordered["plain"]) is dict and list(ordered["plain"]) == ["b", "a"]


def test_none_and_other_json_scalars_saved_alone_come_back_as_themselves(tmp_path):
    # torch.load(f) of torch.save(None, f) is None (its skeleton is JSON null, not "no object")
    for value in (None, 0, 2.5, "text", False):
        loaded = _round_trip(value)
        assert loaded == value and type(loaded) is type(value)
    path = nn.save(None, tmp_path / "none.pt")
    with pytest.raises(nn.SerializationError, match="holds a saved object, not a model's state; read needs one"):
        serialization.read(path)


def test_a_parameter_or_a_tensor_that_requires_grad_saved_alone_comes_back_so():
    parameter = _round_trip(nn.Parameter(np.ones(2, np.float32)))
    assert type(parameter) is nn.Parameter and parameter.requires_grad and parameter.dtype == np.float32
    leaf = _round_trip(Tensor(np.arange(3.0), requires_grad=True))
    assert type(leaf) is Tensor and leaf.requires_grad
    plain = _round_trip(Tensor(np.arange(3.0)))
    assert type(plain) is Tensor and not plain.requires_grad


def test_a_tensor_held_twice_is_stored_once_and_comes_back_as_one_tensor(tmp_path):
    shared = Tensor(np.arange(5.0), requires_grad=True)
    path = nn.save({"a": shared, "b": [shared]}, tmp_path / "shared.pt")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["format.npy", "object.npy", "object/0.npy"]
    loaded = nn.load(path)
    assert loaded["a"] is loaded["b"][0] and loaded["a"].requires_grad


def test_tensors_viewing_one_memory_come_back_sharing_it_as_torch_load_gives():
    # torch.save keeps a storage once: a tensor, its slices, transpose and detach() still share it after torch.load
    torch = pytest.importorskip("torch")
    values = np.arange(12.0).reshape(3, 4)
    ours, theirs = Tensor(values.copy()), torch.tensor(values.copy())
    buffer = io.BytesIO()
    torch.save([theirs, theirs[1:, ::2], theirs.T, theirs.detach(), theirs[:, 1], theirs], buffer)
    buffer.seek(0)
    expected = torch.load(buffer)
    got = _round_trip([ours, ours[1:, ::2], ours.T, ours.detach(), ours[:, 1], ours])
    assert got[0] is got[5] and got[0] is not got[3]
    got[0].data[1, 2] = expected[0][1, 2] = 100.0
    for mine, reference in zip(got, expected):
        np.testing.assert_array_equal(mine.data, reference.numpy())
    reversed_view = _round_trip([ours, ours[::-1]])  # (numpy's negative strides, which torch has not)
    reversed_view[0].data[0, 0] = -1.0
    assert reversed_view[1].data[2, 0] == -1.0
    # a dict of tensors (a state dict's shape) too, and one tensor under two names comes back as one
    base = Tensor(np.arange(6.0))
    loaded = _round_trip({"a": base, "b": base[2:5], "c": base})
    loaded["a"].data[3] = 100.0
    assert loaded["b"].data.tolist() == [2.0, 100.0, 4.0] and loaded["a"] is loaded["c"]
    # a Parameter and a view of it: kinds and requires_grad kept
    weight = nn.Parameter(np.arange(4.0))
    loaded = _round_trip({"w": weight, "row": weight.detach()[1:]})
    assert type(loaded["w"]) is nn.Parameter and loaded["w"].requires_grad and not loaded["row"].requires_grad
    loaded["w"].data[2] = 50.0
    assert loaded["row"].data.tolist() == [1.0, 50.0, 3.0]


def test_tensors_in_one_memory_that_do_not_overlap_are_stored_apart_not_as_the_whole_memory(tmp_path):
    big = Tensor(np.arange(100_000.0))
    path = nn.save([big[:3], big[-3:], big[10:20], big[15:25]], tmp_path / "slices.pt")
    with zipfile.ZipFile(path) as archive:
        sizes = sorted(archive.getinfo(name).file_size for name in archive.namelist() if name.startswith("object/"))
    assert max(sizes) < 1000  # the 15 elements 10..24 the overlapping two span, not the 100,000
    loaded = nn.load(path)
    assert not np.shares_memory(loaded[0].data, loaded[1].data) and np.shares_memory(loaded[2].data, loaded[3].data)
    np.testing.assert_array_equal(loaded[3].data, np.arange(15.0, 25.0))


def test_the_file_holds_the_values_of_the_moment_it_was_saved():
    weights = np.ones(3)
    buffer = io.BytesIO()
    nn.save([weights], buffer)
    weights[:] = 7.0
    buffer.seek(0)
    np.testing.assert_array_equal(nn.load(buffer)[0], np.ones(3))


def test_what_comes_back_has_the_structure_torch_load_gives():
    torch = pytest.importorskip("torch")
    values = [np.arange(3.0), np.ones((2, 2), np.float32)]

    def build(make_tensor):
        a, b = (make_tensor(v) for v in values)
        return {"epoch": 2, "pair": (a, [b, 1.5]), 7: {"nested": (None, "s")}, "flag": False}

    theirs_buffer = io.BytesIO()
    torch.save(build(torch.tensor), theirs_buffer)
    theirs_buffer.seek(0)
    theirs = torch.load(theirs_buffer)
    ours = _round_trip(build(Tensor))

    def shape_of(obj):  # the structure with every tensor replaced by its values, its type by a name
        stack, out = [(obj, None, None)], [None]
        out_holder = out
        stack = [(obj, out_holder, 0)]
        while stack:
            value, holder, slot = stack.pop()
            if isinstance(value, dict):
                holder[slot] = {}
                for key, item in value.items():
                    holder[slot][key] = None
                    stack.append((item, holder[slot], key))
            elif isinstance(value, (list, tuple)):
                items = [None] * len(value)
                holder[slot] = (type(value).__name__, items)
                for index, item in enumerate(value):
                    stack.append((item, items, index))
            elif hasattr(value, "shape") and not isinstance(value, np.generic):
                holder[slot] = ("tensor", np.asarray(value.detach() if hasattr(value, "detach") else value).tolist())
            else:
                holder[slot] = value
        return out[0]

    assert shape_of(ours) == shape_of(theirs)


def test_what_cannot_be_saved_is_a_type_error_naming_where_it_was():
    with pytest.raises(TypeError, match=r"object\['model'\], a Linear \(save its state_dict\(\)"):
        nn.save({"model": nn.Linear(2, 2)}, io.BytesIO())
    with pytest.raises(TypeError, match=r"object\[0\], a builtin_function_or_method"):
        nn.save([print], io.BytesIO())
    with pytest.raises(TypeError, match="a key of type tuple"):
        nn.save({(1, 2): 3}, io.BytesIO())
    with pytest.raises(TypeError, match="dtype <U1"):
        nn.save([np.array(["a"])], io.BytesIO())
    with pytest.raises(TypeError, match="optimizer's state is saved beside a model's"):
        nn.save([Tensor(1.0)], io.BytesIO(), optimizer=nn.optim.SGD([Tensor(1.0, requires_grad=True)], lr=0.1))


def test_deep_nesting_is_refused_by_name_not_by_recursion():
    nested = []
    for _ in range(5000):
        nested = [nested]
    with pytest.raises(TypeError, match="nests deeper than 100 containers"):
        nn.save(nested, io.BytesIO())
    shallow = []
    for _ in range(serialization.saved_objects.MAX_NESTING):
        shallow = [shallow]
    loaded = _round_trip(shallow)
    for _ in range(serialization.saved_objects.MAX_NESTING):
        loaded = loaded[0]
    assert loaded == []


_ARRAY = {"$": "array", "member": 0}
_TENSOR = {"$": "tensor", "member": 0, "requires_grad": False, "parameter": False}


def _list(*nodes):
    return {"$": "list", "items": list(nodes)}


def _with_entries(tmp_path, entries):
    path = tmp_path / "forged.npz"
    np.savez(path, format=np.array(serialization.FORMAT), **entries)
    return path


@pytest.mark.parametrize(
    ("entries", "problem"),
    [
        ({"object": np.array(json.dumps({"$": "array", "member": 3}))}, "missing array 'object/3'"),
        ({"object": np.array(json.dumps({"$": "pickle", "items": []}))}, "unexpected node"),
        ({"object": np.array(json.dumps({"$": "dict", "items": [[[1], 2]]}))}, "scalar keys"),
        ({"object": np.array(json.dumps({"$": "tensor", "member": 0})), "object/0": np.ones(2)}, "unexpected tensor"),
        ({"object": np.array(json.dumps({"$": "array", "member": 0})), "object/0": np.array("x")}, "not numeric"),
        ({"object": np.array("[" * 5000 + "]" * 5000)}, "nests deeper"),
        ({"object": np.array("1"), "model/w": np.ones(2)}, "only ones beside the format"),
        ({"object/0": np.ones(2)}, "only ones beside the format"),
        ({"model/w": np.ones(2), "tensors": np.array(json.dumps([[1]]))}, "Tensor entries names entries"),
        ({"model/w": np.ones(2), "tensors": np.array(json.dumps(["v"]))}, "Tensor entries names entries"),
        # a bare JSON list is no node encode writes (its items would come back unchecked)
        ({"object": np.array(json.dumps([1, {"$": "pickle"}]))}, "bare JSON list"),
        ({"object": np.array(json.dumps(_list([{"$": "pickle"}])))}, "bare JSON list"),
        ({"object": np.array(json.dumps({"$": "dict", "items": [["k", []]]}))}, "bare JSON list"),
        # one member under two kinds of node (encode writes one node per object): refused, not one object for both
        ({"object": np.array(json.dumps(_list(_ARRAY, _TENSOR))), "object/0": np.ones(2)}, "both"),
        ({"object": np.array(json.dumps(_list(_TENSOR, _ARRAY))), "object/0": np.ones(2)}, "both"),
        (
            {"object": np.array(json.dumps(_list(_TENSOR, {**_TENSOR, "parameter": True}))), "object/0": np.ones(2)},
            "both",
        ),
        # a Tensor node over an array no Tensor holds: the file's error, not the Tensor constructor's
        ({"object": np.array(json.dumps({**_TENSOR, "requires_grad": True})), "object/0": np.arange(2)}, "a Tensor"),
        (
            {
                "object": np.array(json.dumps({**_TENSOR, "parameter": True, "requires_grad": True})),
                "object/0": np.arange(2),
            },
            "a Tensor",
        ),
        ({"object": np.array(json.dumps(_TENSOR)), "object/0": np.array([1j])}, "cannot be a Tensor"),
        # a view of a block must lie inside it, and be a [k, offset, shape, strides] of ints
        ({"object": np.array(json.dumps({**_TENSOR, "view": [0, 2, [2], [1]]})), "object/0": np.ones(3)}, "outside"),
        ({"object": np.array(json.dumps({**_TENSOR, "view": [0, 0, [2], [-1]]})), "object/0": np.ones(3)}, "outside"),
        ({"object": np.array(json.dumps({**_TENSOR, "view": [0, 0, [2, 2], [1]]})), "object/0": np.ones(4)}, "view"),
        ({"object": np.array(json.dumps({**_TENSOR, "view": [0, 0, [1], [1.5]]})), "object/0": np.ones(4)}, "view"),
        (
            {"object": np.array(json.dumps({**_TENSOR, "view": [0, 0, [2], [1]]})), "object/0": np.ones((2, 2))},
            "outside",
        ),
        ({"object": np.array(json.dumps({**_ARRAY, "view": [0, 0, [2], [1]]})), "object/0": np.ones(2)}, "unexpected"),
    ],
)
def test_a_damaged_or_forged_object_file_is_a_serialization_error(tmp_path, entries, problem):
    path = _with_entries(tmp_path, entries)
    with pytest.raises(nn.SerializationError, match=problem):
        nn.load(path)


def test_model_readers_refuse_a_saved_object_and_say_to_use_load(tmp_path):
    path = nn.save([Tensor(np.ones(2))], tmp_path / "list.pt")
    with pytest.raises(nn.SerializationError, match="holds a saved object, not a model's state; read needs one"):
        serialization.read(path)
    with pytest.raises(nn.SerializationError, match="load_into needs one"):
        serialization.load_into(nn.Linear(2, 2), path)
