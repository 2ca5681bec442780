"""Torch oracle for default_collate's dtypes and dict keys, DataLoader's positional parameters and its refusal of
string arrays, and the error classes of the data package's refusals (each ours is an instance of torch's)."""

from __future__ import annotations

import collections
import inspect

import numpy as np
import pytest

import autograd
from autograd import Tensor
from nn import data

torch = pytest.importorskip("torch")
torch_data = torch.utils.data


@pytest.fixture(params=[np.float32, np.float64], ids=["default-float32", "default-float64"])
def default_dtype(request):
    """Both libraries' default floating dtype set alike for the test (and put back after it)."""
    ours, theirs = autograd.get_default_dtype(), torch.get_default_dtype()
    autograd.set_default_dtype(request.param)
    torch.set_default_dtype(torch.float32 if request.param == np.float32 else torch.float64)
    yield
    autograd.set_default_dtype(ours)
    torch.set_default_dtype(theirs)


@pytest.mark.parametrize(
    "make",
    [
        lambda: [1, 2.5],
        lambda: [2.5, 1],
        lambda: [True, 2.5],
        lambda: [True, 2],
        lambda: [True, False],
        lambda: [np.float32(1), 2.5],
        lambda: [np.float64(1), 2],
        lambda: [np.int16(1), np.float16(2.5)],
        lambda: [np.ones(2, np.int64), np.ones(2, np.float32)],
        lambda: [np.ones(2, np.int16), np.ones(2, np.float16)],
        lambda: [np.ones(2, np.uint8), np.ones(2, np.int8)],
        lambda: [np.ones(2, np.bool_), np.ones(2, np.int32)],
        lambda: [np.array(1.0, np.float32), np.array(2, np.int64)],
    ],
    ids=lambda make: repr(make()).replace(" ", "")[:40],
)
def test_default_collate_promotes_dtypes_as_torchs(make, default_dtype):
    ours = data.default_collate(make())
    theirs = torch_data.default_collate(make())
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_default_collate_stacks_tensors_of_different_dtypes_as_torch_stack():
    ours = data.default_collate([Tensor(np.ones(2, np.int64)), Tensor(np.ones(2, np.float16))])
    theirs = torch_data.default_collate([torch.ones(2, dtype=torch.int64), torch.ones(2, dtype=torch.float16)])
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")


def test_default_collate_of_dicts_takes_the_first_samples_keys_as_torchs():
    ours = data.default_collate([{"a": 1}, {"a": 2, "b": 3}])
    theirs = torch_data.default_collate([{"a": 1}, {"a": 2, "b": 3}])
    assert list(ours) == list(theirs) == ["a"]
    np.testing.assert_array_equal(ours["a"].numpy(), theirs["a"].numpy())
    with pytest.raises(KeyError):
        torch_data.default_collate([{"a": 1, "b": 3}, {"a": 2}])
    with pytest.raises(KeyError, match="'b'"):
        data.default_collate([{"a": 1, "b": 3}, {"a": 2}])


def test_data_loader_takes_torchs_positional_parameters_in_torchs_order():
    theirs = inspect.signature(torch_data.DataLoader.__init__).parameters
    ours = inspect.signature(data.DataLoader.__init__).parameters

    def positional(parameters):
        return [
            (name, parameter.kind) for name, parameter in parameters.items() if parameter.kind != parameter.KEYWORD_ONLY
        ]

    assert positional(ours) == positional(theirs)
    assert {name for name, p in theirs.items() if p.kind == p.KEYWORD_ONLY} <= set(ours)
    for make in (torch_data.DataLoader, data.DataLoader):
        loader = make(list(range(5)), 2, False, [3, 1, 0])
        assert [np.asarray(batch).tolist() for batch in loader] == [[3, 1], [0]]
    collated = []
    for make in (torch_data.DataLoader, data.DataLoader):  # collate_fn is torch's seventh parameter
        loader = make(list(range(4)), 2, False, None, None, 0, len, False, True)
        collated.append(list(loader))
    assert collated[0] == collated[1] == [2, 2]


@pytest.mark.parametrize("strings", [np.array([["a", "b"], ["c", "d"]]), np.array([object(), object()])])
def test_data_loader_over_an_array_of_strings_or_objects_refuses_it_as_torchs(strings):
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        list(torch_data.DataLoader(strings, batch_size=2))
    with pytest.raises(TypeError, match="default_collate: batch must contain"):
        list(data.DataLoader(strings, batch_size=2))


@pytest.mark.parametrize(
    "samples",
    [
        np.array(["ab", "c", "d"]),
        np.array([b"ab", b"c", b"d"]),
        np.array([1, 2.5, 3], dtype=object),
        np.fromiter([(1, "x"), (2, "y"), (3, "z")], dtype=object, count=3),
    ],
    ids=["str", "bytes", "object-numbers", "object-pairs"],
)
def test_data_loader_over_an_array_of_strings_or_objects_batches_its_entries_as_torchs(samples, default_dtype):
    """A 1-d array of strings (file names, labels) or objects: each entry is a sample, collated as torch collates
    it (strings into a list of them, numbers into a Tensor), not refused."""
    ours = list(data.DataLoader(samples, batch_size=2))
    theirs = list(torch_data.DataLoader(samples, batch_size=2))

    def plain(batch):
        if isinstance(batch, list):
            return [plain(entry) for entry in batch]
        if isinstance(batch, (Tensor, torch.Tensor)):
            return (str(batch.dtype).removeprefix("torch."), np.asarray(batch).tolist())
        return (type(batch).__name__, batch)

    assert [plain(batch) for batch in ours] == [plain(batch) for batch in theirs]


def _error_class(make):
    try:
        make()
    except Exception as error:  # noqa: BLE001 - the class is what is compared
        return error
    raise AssertionError("no error raised")


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (lambda: data.default_collate([]), lambda: torch_data.default_collate([])),
        (
            lambda: data.ConcatDataset([list(range(3)), list(range(4))])[-8],
            lambda: torch_data.ConcatDataset([list(range(3)), list(range(4))])[-8],
        ),
        (lambda: data.TensorDataset(Tensor(1.0)), lambda: torch_data.TensorDataset(torch.tensor(1.0))),
        (lambda: data.default_collate([3, (1, 2)]), lambda: torch_data.default_collate([3, (1, 2)])),
        (
            lambda: list(data.RandomSampler([], replacement=True, num_samples=2)),
            lambda: list(torch_data.RandomSampler([], replacement=True, num_samples=2)),
        ),
    ],
    ids=["collate-empty", "concat-negative-index", "tensor-dataset-0d", "collate-number-then-tuple", "sampler-empty"],
)
def test_data_refusals_are_instances_of_torchs_error_class(ours, theirs):
    assert isinstance(_error_class(ours), type(_error_class(theirs)))


def test_a_sampler_drawing_from_nothing_says_so():
    with pytest.raises(RuntimeError, match="RandomSampler: cannot draw 2 samples .* no samples"):
        list(data.RandomSampler([], replacement=True, num_samples=2))


def test_unbatched_loader_gives_a_tuple_sample_as_a_list_and_keeps_a_namedtuple_as_torch():
    Pair = collections.namedtuple("Pair", "x y")
    for dataset in ([(1, 2.0)], [(1, (np.zeros(2), 3))], [Pair(1, (2, 3))]):
        ours = next(iter(data.DataLoader(dataset, batch_size=None)))
        theirs = next(iter(torch_data.DataLoader(dataset, batch_size=None)))
        assert type(ours) is type(theirs)
        assert type(ours[1]) is type(theirs[1])


@pytest.mark.parametrize(
    ("weights", "num_samples"), [([0.0, 0.9], 2), ([0.0, 0.0, 0.9], 2), ([0.0, 0.0, 0.0, 0.9, 0.0, 0.5], 4)]
)
def test_weighted_sampler_without_replacement_takes_zero_weights_last_as_torch(weights, num_samples):
    for seed in range(5):
        ours = list(data.WeightedRandomSampler(weights, num_samples, replacement=False, generator=seed))
        theirs = list(torch_data.WeightedRandomSampler(weights, num_samples, replacement=False))
        positive = {i for i, w in enumerate(weights) if w > 0}
        assert len(ours) == len(set(ours)) == len(theirs) == num_samples
        assert set(ours[: len(positive)]) == set(theirs[: len(positive)]) == positive
        assert all(weights[i] == 0 for i in ours[len(positive) :])


@pytest.mark.parametrize(
    ("weights", "num_samples", "replacement"),
    [([1.0, -1.0], 1, True), ([0.0, 0.0], 1, True), ([0.0, 0.0], 1, False), ([float("nan"), 1.0], 1, False),
     ([float("inf"), 1.0], 1, True), ([0.0, 0.9], 3, False)],
)  # fmt: skip
def test_weighted_sampler_refuses_undrawable_weights_with_torchs_runtime_error(weights, num_samples, replacement):
    with pytest.raises(RuntimeError):
        list(torch_data.WeightedRandomSampler(weights, num_samples, replacement))
    with pytest.raises(RuntimeError, match="WeightedRandomSampler"):
        data.WeightedRandomSampler(weights, num_samples, replacement)  # at construction, earlier than torch
    with pytest.raises(ValueError, match="WeightedRandomSampler"):
        data.WeightedRandomSampler(weights, num_samples, replacement)
