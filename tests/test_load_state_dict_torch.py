"""``load_state_dict`` as torch's: the casts its ``copy_`` makes between real dtypes, and the state dict's
``_metadata`` (each module's ``_version``) handed to ``_load_from_state_dict``; compared with torch."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")
tnn = torch.nn


def _with_buffer(lib, values):
    layer = lib.Linear(1, 1)
    layer.register_buffer("mask", values)
    return layer


def _loaded_buffer(lib, buffer, given):
    """The buffer ``mask`` (made from ``buffer``) after loading ``given`` into it, as a list."""
    make = (lambda a: torch.from_numpy(np.array(a))) if lib is tnn else Tensor
    layer = _with_buffer(lib, make(buffer))
    state = dict(layer.state_dict())
    state["mask"] = make(given)
    layer.load_state_dict(state)
    return np.asarray(layer.mask).tolist()


# -- F9: the casts of torch's copy_ ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("buffer", "given"),
    [
        (np.array([True, False, True]), np.array([0, 1, -2])),  # int -> bool: nonzero is True
        (np.array([True, False, True]), np.array([0.0, 0.25, -3.0], np.float32)),  # float -> bool
        (np.array([1, 2], np.int64), np.array([3.7, -3.7])),  # float -> int: truncated toward zero
        (np.array([1, 2], np.int32), np.array([7.9, -0.5])),
        (np.array([1, 2], np.uint8), np.array([-1, 300])),  # int -> int: wrapped, as two's complement
        (np.array([1, 2], np.uint8), np.array([255.9, 0.5], np.float32)),
        (np.array([1.0, 2.0], np.float32), np.array([True, False])),  # bool -> float
        (np.array([1.0, 2.0], np.float32), np.array([2**40, -3])),  # int -> float
    ],
    ids=["int-bool", "float-bool", "float-int64", "float-int32", "int-uint8", "float-uint8", "bool-float", "int-float"],
)
def test_a_buffer_takes_any_real_dtype_cast_as_torchs_copy(buffer, given):
    assert _loaded_buffer(nn, buffer, given) == _loaded_buffer(tnn, buffer, given)


def test_a_fractional_num_batches_tracked_is_truncated_as_torchs():
    counts = []
    for lib, make in ((nn, Tensor), (tnn, torch.tensor)):
        norm = lib.BatchNorm1d(2)
        state = dict(norm.state_dict())
        state["num_batches_tracked"] = make(np.float32(3.7))
        norm.load_state_dict(state)
        counts.append((int(norm.num_batches_tracked), str(norm.num_batches_tracked.dtype).rsplit(".", 1)[-1]))
    assert counts[0] == counts[1] == (3, "int64")


def test_a_parameter_takes_integers_and_booleans_cast_to_its_dtype_as_torchs():
    weights = []
    for lib, make in ((nn, Tensor), (tnn, torch.from_numpy)):
        layer = lib.Linear(2, 1)
        state = dict(layer.state_dict())
        state["weight"], state["bias"] = make(np.array([[3, -1]])), make(np.array([True]))
        layer.load_state_dict(state)
        weights.append((layer.weight.detach().numpy().tolist(), layer.bias.detach().numpy().tolist()))
    assert weights[0] == weights[1]


@pytest.mark.parametrize("value", [np.nan, np.inf, 1e300, 2.0**63], ids=["nan", "inf", "huge", "int64-max-plus-one"])
def test_a_float_without_an_integer_value_is_refused_and_nothing_changes(value):
    norm = nn.BatchNorm1d(2)
    state = dict(norm.state_dict())
    state["running_mean"] = np.array([5.0, 6.0], np.float32)
    state["num_batches_tracked"] = np.array(value)
    with pytest.raises(nn.StateDictError, match='"num_batches_tracked".* cannot become int64'):
        norm.load_state_dict(state)
    assert int(norm.num_batches_tracked) == 0 and norm.running_mean.tolist() == [0.0, 0.0]


def test_a_complex_value_is_refused_by_name_and_nothing_changes():
    layer = nn.Linear(2, 1)
    before = layer.weight.detach().numpy().copy()
    state = dict(layer.state_dict())
    state["weight"], state["bias"] = np.ones((1, 2), np.complex64), np.zeros(1, np.float64)
    with pytest.raises(nn.StateDictError, match=r'"weight".*\(\(1, 2\) complex64 cannot become float32\)'):
        layer.load_state_dict(state)
    np.testing.assert_array_equal(layer.weight.detach().numpy(), before)


# -- F4: the state dict's _metadata ------------------------------------------------------------------------------
def _normalizing_model(lib):
    return lib.Sequential(
        lib.Linear(2, 3), lib.BatchNorm1d(3), lib.Sequential(lib.InstanceNorm1d(3), lib.LayerNorm(3)), lib.ReLU()
    )


@pytest.mark.parametrize("prefix", ["", "model."])
def test_state_dict_metadata_gives_each_modules_version_under_its_prefix_as_torchs(prefix):
    ours, theirs = (_normalizing_model(lib).state_dict(prefix=prefix)._metadata for lib in (nn, tnn))
    assert list(ours.items()) == list(theirs.items())
    assert ours[prefix + "1"] == {"version": 2}


def test_a_given_destination_without_metadata_gets_none_as_torchs():
    destinations = [{}, {}]
    for lib, destination in zip((nn, tnn), destinations):
        lib.Linear(1, 1).state_dict(destination=destination)
    assert [hasattr(d, "_metadata") for d in destinations] == [False, False]


def _versioned(lib, seen):
    class Versioned(lib.Module):
        _version = 3

        def __init__(self):
            super().__init__()
            self.inner = lib.Linear(1, 1)

        def _load_from_state_dict(self, state, prefix, local_metadata, *rest):
            seen.append(local_metadata.get("version"))
            super()._load_from_state_dict(state, prefix, local_metadata, *rest)

    return lib.Sequential(Versioned())


@pytest.mark.parametrize("plain", [False, True], ids=["state_dict", "plain dict"])
def test_load_state_dict_passes_each_modules_metadata_to_load_from_state_dict_as_torchs(plain):
    seen = {nn: [], tnn: []}
    for lib in (nn, tnn):
        model = _versioned(lib, seen[lib])
        state = model.state_dict()
        model.load_state_dict(dict(state) if plain else state)
    assert seen[nn] == seen[tnn] == [None if plain else 3]


def test_state_dict_metadata_survives_a_deep_copy_and_reaches_the_load():
    import copy

    seen = []
    model = _versioned(nn, seen)
    model.load_state_dict(copy.deepcopy(model.state_dict()))
    assert seen == [3]


def test_the_result_of_a_non_strict_load_prints_as_torchs_incompatible_keys():
    """``print(model.load_state_dict(state, strict=False))`` shows torch's text, named as torch's class is."""
    from nn.modules.module import _IncompatibleKeys

    ours, theirs = nn.Linear(2, 2), tnn.Linear(2, 2)
    for layer, make in ((ours, np.zeros), (theirs, torch.zeros)):
        layer.results = [
            layer.load_state_dict({"weight": make((2, 2)), "extra": make(1)}, strict=False),
            layer.load_state_dict({"weight": make((2, 2)), "bias": make(2)}),
        ]
    assert [repr(result) for result in ours.results] == [repr(result) for result in theirs.results]
    assert isinstance(ours.results[0], _IncompatibleKeys) and ours.results[0] == (["bias"], ["extra"])


def _load_error_text(lib, change, strict=True):
    """The message of the error loading ``change``d (of a Sequential(Linear(2, 3), BatchNorm1d(3))'s own state dict)."""
    model = lib.Sequential(lib.Linear(2, 3), lib.BatchNorm1d(3))
    state = dict(model.state_dict())
    change(state, (lambda a: torch.tensor(np.asarray(a, dtype=np.float32))) if lib is tnn else np.float32)
    with pytest.raises(RuntimeError) as caught:
        model.load_state_dict(state, strict=strict)
    return str(caught.value)


@pytest.mark.parametrize(
    "change",
    [
        lambda state, make: state.pop("0.bias"),
        lambda state, make: state.update({"x.y": make([1.0]), "zzz": make(0.0)}),
        lambda state, make: [state.pop("1.running_var"), state.pop("0.weight"), state.update({"extra": make([1.0])})],
        lambda state, make: state.update({"0.bias": make([1.0, 2.0]), "1.weight": make(np.ones((3, 1)))}),
        lambda state, make: [state.pop("0.bias"), state.update({"1.bias": make([[1.0]])})],
        lambda state, make: state.update({"0.bias": "hello"}),
    ],
    ids=["missing", "unexpected", "missing-and-unexpected", "size-mismatch", "missing-and-size", "not-a-tensor"],
)
def test_load_state_dict_errors_read_as_torchs(change):
    """A failed load's message is torch's text, which code written for torch matches (``"size mismatch for"``,
    ``'Missing key(s) in state_dict: "0.bias"'``): it was the library's own (``load_state_dict into Sequential:
    mis-shaped: 0.bias (expected (3,), got (2,))``)."""
    assert _load_error_text(nn, change) == _load_error_text(tnn, change)


def test_load_state_dict_size_mismatch_is_refused_also_when_not_strict_with_torchs_text():
    def change(state, make):
        state.update({"0.bias": make([1.0, 2.0])})
        state.pop("0.weight")

    assert (
        _load_error_text(nn, change, strict=False)
        == _load_error_text(tnn, change, strict=False)
        == (
            "Error(s) in loading state_dict for Sequential:\n\tsize mismatch for 0.bias: copying a param with shape "
            "torch.Size([2]) from checkpoint, the shape in current model is torch.Size([3])."
        )
    )


def test_load_state_dict_of_something_not_a_mapping_is_torchs_type_error():
    for lib in (nn, tnn):
        with pytest.raises(TypeError, match=r"^Expected state_dict to be dict-like, got <class 'list'>\.$"):
            lib.Linear(1, 1).load_state_dict([1, 2])
