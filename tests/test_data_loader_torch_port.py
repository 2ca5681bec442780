"""nn.data where a port of torch's test/test_dataloader.py found it differing from torch.utils.data.

Each behaviour is asserted with its expected values (so these run without torch) and, where that helps,
compared with torch itself (skipped without torch): TensorDataset subclasses and ``__getitems__`` in the
loader, a pass that survives an error, Subset slicing, default_collate's refusals and sequences,
default_convert, StackDataset, attributes fixed after construction, samplers that draw on the first
``next()``, torch's ValueErrors for mistyped arguments, and ConcatDataset refusing streams."""

from collections import UserList

import numpy as np
import pytest

import autograd
import nn.data
from autograd import Tensor
from nn.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    StackDataset,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    random_split,
)

X = np.arange(10.0).reshape(5, 2)
Y = np.arange(5)


def torch_data():
    torch = pytest.importorskip("torch")
    return torch, torch.utils.data


class ScaledFeatures(TensorDataset):
    """A TensorDataset whose samples are augmented: features times 100."""

    def __getitem__(self, index):
        features, label = super().__getitem__(index)
        return features * 100, label


class FailsAtOne(Dataset):
    """Six samples 0..5, except that reading sample 1 raises."""

    def __len__(self):
        return 6

    def __getitem__(self, index):
        if index == 1:
            raise ValueError("bad sample")
        return index


def every_item(iterator, error=ValueError):
    """Every item of ``iterator`` until StopIteration, with "error" in place of each item that raised."""
    items = []
    while True:
        try:
            items.append(next(iterator))
        except error:
            items.append("error")
        except StopIteration:
            return items


# -- F1: the loader reads a TensorDataset subclass through its __getitem__ ----------------------------------------


@pytest.mark.parametrize("batch_size", [1, 2])
def test_tensor_dataset_subclass_batches_come_from_its_getitem(batch_size):
    first_features, first_labels = next(iter(DataLoader(ScaledFeatures(X, Y), batch_size=batch_size)))
    np.testing.assert_array_equal(first_features, X[:batch_size] * 100)
    np.testing.assert_array_equal(first_labels, Y[:batch_size])


def test_tensor_dataset_subclass_single_samples_come_from_its_getitem():
    features, label = next(iter(DataLoader(ScaledFeatures(X, Y), batch_size=None)))
    np.testing.assert_array_equal(features, X[0] * 100)
    assert label == 0


def test_tensor_dataset_subclass_shuffled_batches_come_from_its_getitem():
    for features, labels in DataLoader(ScaledFeatures(X, Y), batch_size=2, shuffle=True, seed=3):
        np.testing.assert_array_equal(features, X[np.asarray(labels)] * 100)


def test_tensor_dataset_subclass_batches_as_torch():
    torch, data = torch_data()

    class TorchScaledFeatures(data.TensorDataset):
        def __getitem__(self, index):
            features, label = super().__getitem__(index)
            return features * 100, label

    theirs = [
        features.numpy() for features, _ in data.DataLoader(TorchScaledFeatures(torch.tensor(X), torch.tensor(Y)), 2)
    ]
    ours = [features for features, _ in DataLoader(ScaledFeatures(X, Y), batch_size=2)]
    for our_batch, their_batch in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(our_batch, their_batch)


def test_getitems_reads_each_batch_in_one_call():
    calls = []

    class ReadsBatches(Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, index):
            calls.append("one")
            return index

        def __getitems__(self, indices):
            calls.append(list(indices))
            return [10 * index for index in indices]

    assert [batch.tolist() for batch in DataLoader(ReadsBatches(), batch_size=4)] == [[0, 10, 20, 30], [40, 50]]
    assert calls == [[0, 1, 2, 3], [4, 5]]


def test_tensor_dataset_subclass_with_getitems_is_read_through_it():
    class Doubled(TensorDataset):
        def __getitems__(self, indices):
            return [(2 * self.arrays[0][index],) for index in indices]

    (batch,) = next(iter(DataLoader(Doubled(np.arange(4)), batch_size=4)))
    assert batch.tolist() == [0, 2, 4, 6]


def test_exact_tensor_dataset_is_still_sliced_a_batch_at_a_time():
    loader = DataLoader(TensorDataset(X, Y), batch_size=2)
    assert loader.arrays and [labels.tolist() for _, labels in loader] == [[0, 1], [2, 3], [4]]


# -- F2: an error in one batch leaves the pass going ----------------------------------------------------------------


def test_an_error_reading_one_sample_leaves_the_pass_going():
    assert every_item(iter(DataLoader(FailsAtOne(), batch_size=None))) == [0, "error", 2, 3, 4, 5]


def test_an_error_reading_one_batch_leaves_the_pass_going():
    items = every_item(iter(DataLoader(FailsAtOne(), batch_size=2)))
    assert [item if isinstance(item, str) else item.tolist() for item in items] == ["error", [2, 3], [4, 5]]


def test_every_batch_raising_gives_one_error_per_batch():
    class AlwaysFails(Dataset):
        def __len__(self):
            return 9

        def __getitem__(self, index):
            raise NotImplementedError

    loader = DataLoader(AlwaysFails(), batch_size=2, shuffle=True)
    assert every_item(iter(loader), NotImplementedError) == ["error"] * 5


def test_an_error_in_collate_fn_leaves_the_pass_going():
    def collate_refusing_zero(samples):
        if 0 in samples:
            raise ValueError("no zeros")
        return samples

    loader = DataLoader(list(range(5)), batch_size=2, collate_fn=collate_refusing_zero)
    assert every_item(iter(loader)) == ["error", [2, 3], [4]]


def test_an_ended_pass_stays_ended_and_knows_its_length():
    iterator = iter(DataLoader(list(range(3)), batch_size=2))
    assert len(iterator) == 2 and iter(iterator) is iterator
    assert len(list(iterator)) == 2
    with pytest.raises(StopIteration):
        next(iterator)


def test_a_stream_pass_survives_an_error_from_a_resilient_iterator():
    class SkipsAfterError:
        def __init__(self):
            self.position = 0

        def __iter__(self):
            return self

        def __next__(self):
            self.position += 1
            if self.position == 2:
                raise ValueError("bad record")
            if self.position > 4:
                raise StopIteration
            return self.position

    class Records(IterableDataset):
        def __iter__(self):
            return SkipsAfterError()

    assert every_item(iter(DataLoader(Records(), batch_size=None))) == [1, "error", 3, 4]


def test_an_error_leaves_the_pass_going_as_in_torch():
    _, data = torch_data()

    class TorchFailsAtOne(data.Dataset):
        __len__ = FailsAtOne.__len__
        __getitem__ = FailsAtOne.__getitem__

    theirs = every_item(iter(data.DataLoader(TorchFailsAtOne(), batch_size=None)))
    assert every_item(iter(DataLoader(FailsAtOne(), batch_size=None))) == theirs


# -- F3: Subset takes slices and passes lists to its dataset ---------------------------------------------------


def test_subset_slice_gives_the_rows_of_the_sliced_indices():
    dataset = TensorDataset(np.array([1, 2, 3, 4, 5]))
    subset = Subset(dataset, [4, 3, 2, 1, 0])
    assert [rows.tolist() for rows in subset[1:3]] == [[4, 3]]
    assert [rows.tolist() for rows in subset[::2]] == [[5, 3, 1]]
    assert [rows.tolist() for rows in subset[:]] == [[5, 4, 3, 2, 1]]


def test_subset_list_of_positions_reaches_the_dataset_in_one_call():
    seen = []

    class RecordsIndex(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, index):
            seen.append(index)
            return index

    Subset(RecordsIndex(), [4, 3, 2, 1, 0])[[0, 2]]
    assert seen == [[4, 2]]


def test_slice_of_a_subset_of_a_subset_maps_through_both():
    dataset = TensorDataset(np.array([1, 2, 3, 4, 5]))
    nested = Subset(Subset(dataset, [4, 3, 2, 1, 0]), [0, 2, 4])
    assert [rows.tolist() for rows in nested[0:2]] == [[5, 3]]
    assert [rows.tolist() for rows in nested[[2, 0]]] == [[1, 5]]


def test_subset_slices_and_lists_as_torch():
    torch, data = torch_data()
    values = np.array([1, 2, 3, 4, 5])
    ours, _ = random_split(TensorDataset(values), [4, 1], generator=0)
    theirs = data.Subset(data.TensorDataset(torch.tensor(values)), ours.indices)
    for index in (slice(None), slice(1, 3), slice(0, -1, 2), [0, 2], [3, 1]):
        assert [rows.tolist() for rows in ours[index]] == [rows.tolist() for rows in theirs[index]]


def test_subset_of_a_plain_array_still_gives_a_list_of_samples():
    subset = Subset(np.arange(10) * 10, [5, 2, 8])
    assert subset[[0, 2]] == [50, 80] and subset[1:] == [20, 80]


# -- F4: default_collate refuses what is neither a number, an array, a string nor a container ----------------


@pytest.mark.parametrize(
    ("samples", "found"),
    [
        ([None, None], "<class 'NoneType'>"),
        ([object(), object()], "<class 'object'>"),
        ([1, None], "<class 'NoneType'>"),
        ([np.array(["a", "b"]), np.array(["c", "d"])], "ndarray of dtype <U1"),
        ([np.array([None]), np.array([None])], "ndarray of dtype object"),
    ],
)
def test_default_collate_refuses_samples_that_are_not_numbers_or_arrays(samples, found):
    message = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found " + found
    with pytest.raises(TypeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        default_collate(samples)


@pytest.mark.parametrize(
    "batch", [np.array([[["a", "b", "c"]]]), np.array([object(), object()]), [None, None], [{1, 2}, {3}]]
)
def test_default_collate_refuses_what_torch_refuses(batch):
    _, data = torch_data()
    with pytest.raises(TypeError):
        data.default_collate(batch)
    with pytest.raises(TypeError):
        default_collate(batch)


def test_default_collate_keeps_strings_and_bytes_as_lists():
    assert default_collate(["a", "b"]) == ["a", "b"]
    assert default_collate(np.array(["a", "b"])) == ["a", "b"]
    assert default_collate([b"a", b"b"]) == [b"a", b"b"]


# -- F5: any Sequence sample is collated field by field -----------------------------------------------------------


def test_default_collate_reads_range_samples_field_by_field():
    starts, ends = default_collate([range(2), range(2), range(2)])
    assert starts.tolist() == [0, 0, 0] and ends.tolist() == [1, 1, 1]


def test_default_collate_reads_custom_sequence_samples_field_by_field():
    features, labels = default_collate([UserList([np.zeros(3), 0]), UserList([np.ones(3), 1])])
    assert features.shape == (2, 3) and labels.tolist() == [0, 1]


def test_default_collate_of_ranges_as_torch():
    _, data = torch_data()
    theirs = data.default_collate([range(3), range(3)])
    ours = default_collate([range(3), range(3)])
    assert [field.tolist() for field in ours] == [field.tolist() for field in theirs]


# -- F11: a ragged batch is torch's RuntimeError ------------------------------------------------------------------


@pytest.mark.parametrize("batch", [[["X"], ["X", "X"]], [["X", "X"], ["X"]], [(1, 2), (1,)]])
def test_default_collate_refuses_ragged_sequences_as_torch(batch):
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal size"):
        default_collate(batch)


# -- F7: default_convert and StackDataset ---------------------------------------------------------------------


class NamedScores(dict):
    pass


class Scores(list):
    pass


def test_default_convert_makes_arrays_and_numpy_numbers_tensors_and_keeps_tensors_and_numbers():
    array = np.arange(3)
    converted = default_convert(array)
    assert type(converted) is Tensor and converted.dtype == np.int64 and np.shares_memory(converted.data, array)
    assert default_convert(3) == 3 and default_convert("text") == "text"
    tensor = Tensor(np.ones(2), requires_grad=True)
    assert default_convert(tensor) is tensor
    scalar = default_convert(np.float32(2.5))
    assert type(scalar) is Tensor and scalar.shape == () and scalar.dtype == np.float32 and scalar.item() == 2.5
    strings = np.array(["a", "b"])
    assert default_convert(strings) is strings


def test_default_convert_keeps_container_types():
    converted = default_convert(NamedScores(a=1, b=np.float64(2.0)))
    assert type(converted) is NamedScores and converted["a"] == 1 and type(converted["b"]) is Tensor
    assert type(default_convert(Scores([1, 2]))) is Scores and default_convert(Scores([1, 2])) == [1, 2]
    converted_tuple = default_convert((1, np.zeros(2)))  # a plain tuple becomes a list, as torch's
    assert type(converted_tuple) is list and type(converted_tuple[1]) is Tensor


def test_default_convert_makes_an_unrebuildable_sequence_a_list():
    assert default_convert(range(2)) == [0, 1]


def test_default_convert_as_torch_for_plain_python_data():
    _, data = torch_data()
    for sample in (
        NamedScores(a=1, b="x"),
        Scores([1, "a"]),
        range(3),
        [1, [2, 3]],
        {"k": [1, 2]},
        7,
        "s",
        (1, (2, 3)),
    ):
        ours, theirs = default_convert(sample), data.default_convert(sample)
        assert ours == theirs and type(ours) is type(theirs)


def test_stack_dataset_gives_tuples_of_positional_datasets():
    stacked = StackDataset(np.arange(3), ["a", "b", "c"])
    assert len(stacked) == 3 and stacked[1] == (1, "b")


def test_stack_dataset_gives_dicts_of_keyword_datasets():
    stacked = StackDataset(images=np.arange(3), labels=["a", "b", "c"])
    assert len(stacked) == 3 and stacked[2] == {"images": 2, "labels": "c"}
    assert stacked.__getitems__([0, 1]) == [{"images": 0, "labels": "a"}, {"images": 1, "labels": "b"}]


def test_stack_dataset_batches_field_by_field_in_the_loader():
    images, labels = next(iter(DataLoader(StackDataset(X, Y), batch_size=3)))
    np.testing.assert_array_equal(images, X[:3])
    assert labels.tolist() == [0, 1, 2]


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((np.arange(3), np.arange(4)), {}, "Size mismatch"),
        ((), {"a": np.arange(3), "b": np.arange(2)}, "Size mismatch"),
        ((np.arange(3),), {"b": np.arange(3)}, "not both"),
        ((), {}, "At least one dataset"),
    ],
)
def test_stack_dataset_refuses_what_torch_refuses(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        StackDataset(*args, **kwargs)


def test_stack_dataset_as_torch():
    _, data = torch_data()
    first, second = [1, 2, 3], ["a", "b", "c"]
    assert StackDataset(first, second)[1] == data.StackDataset(first, second)[1]
    assert StackDataset(x=first, y=second)[0] == data.StackDataset(x=first, y=second)[0]
    assert StackDataset(x=first, y=second).__getitems__([2, 0]) == data.StackDataset(x=first, y=second).__getitems__(
        [2, 0]
    )
    for args in ((first, second[:2]),):
        with pytest.raises(ValueError):
            data.StackDataset(*args)
        with pytest.raises(ValueError):
            StackDataset(*args)


def test_new_names_are_exported():
    assert {"StackDataset", "default_convert"} <= set(nn.data.__all__)


# -- F8: what shapes the batches is fixed after construction -----------------------------------------------------


@pytest.mark.parametrize("name", ["batch_size", "batch_sampler", "sampler", "drop_last", "dataset"])
def test_assigning_a_batch_shaping_attribute_after_construction_is_refused(name):
    loader = DataLoader(list(range(10)), batch_size=2)
    with pytest.raises(ValueError, match=f"{name} attribute should not be set after DataLoader is initialized"):
        setattr(loader, name, 5)
    assert loader.batch_size == 2 and len(loader) == 5


def test_assigning_after_construction_is_refused_as_in_torch():
    _, data = torch_data()
    with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader is initialized"):
        data.DataLoader(list(range(10))).batch_size = 5


def test_other_attributes_stay_assignable():
    loader = DataLoader(list(range(4)), batch_size=2)
    loader.collate_fn = len
    assert list(loader) == [2, 2]


# -- F9: random samplers draw on the first next() ----------------------------------------------------------------

SAMPLERS = {
    "random": lambda: RandomSampler(range(10)),
    "random_with_replacement": lambda: RandomSampler(range(10), replacement=True, num_samples=5),
    "subset_random": lambda: SubsetRandomSampler(range(10)),
    "weighted": lambda: WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6] * 2, 5),
    "weighted_without_replacement": lambda: WeightedRandomSampler([0.1, 0.9, 0.4, 0.7, 3.0, 0.6] * 2, 5, False),
}


@pytest.mark.parametrize("make", SAMPLERS.values(), ids=SAMPLERS.keys())
def test_iterators_made_before_reseeding_replay_the_same_indices(make):
    sampler = make()
    iterators = (iter(sampler), iter(sampler))
    drawn = ([], [])
    for position in range(len(sampler)):
        for which in (0, 1):
            if position == 0:
                autograd.manual_seed(0)
            drawn[which].append(next(iterators[which]))
    assert drawn[0] == drawn[1]


def test_a_shuffling_loader_draws_its_order_on_the_first_next():
    sampler = RandomSampler(range(10))
    loader = DataLoader(list(range(10)), sampler=sampler)
    first, second = iter(loader), iter(loader)
    autograd.manual_seed(1)
    from_first = [batch.item() for batch in first]
    autograd.manual_seed(1)
    assert [batch.item() for batch in second] == from_first


def test_a_random_sampler_with_an_endless_num_samples_draws_lazily_as_torch():
    """minGPT's trainer samples with replacement=True, num_samples=int(1e10): torch draws 32 indices at a time,
    so the first batch comes at once; drawing every index up front cannot fit in memory."""
    torch, tdata = torch_data()
    huge = 10**15
    for replacement in (True, False):
        sampler = RandomSampler(range(10), replacement=replacement, num_samples=huge)
        assert len(sampler) == len(tdata.RandomSampler(range(10), replacement=replacement, num_samples=huge))
        drawn = list(zip(range(40), sampler))
        assert [position for position, _ in drawn] == list(range(40))
        assert all(isinstance(index, int) and 0 <= index < 10 for _, index in drawn)
        if not replacement:  # whole permutations one after another
            assert sorted(index for _, index in drawn[:10]) == list(range(10))
    loader = DataLoader(
        list(range(10)), sampler=RandomSampler(range(10), replacement=True, num_samples=int(1e10)), batch_size=4
    )
    assert next(iter(loader)).shape == (4,)


# -- F11: mistyped arguments are torch's ValueErrors ---------------------------------------------------------------


@pytest.mark.parametrize("bad", [1.0, 1.5, True, "2", None])
def test_a_mistyped_batch_size_is_a_value_error(bad):
    with pytest.raises(ValueError, match=f"BatchSampler: batch_size must be a positive integer, got {bad!r}"):
        BatchSampler(range(5), bad, False)
    if bad is not None:  # DataLoader(batch_size=None) turns batching off
        with pytest.raises(ValueError, match=f"DataLoader: batch_size must be a positive integer, got {bad!r}"):
            DataLoader([1, 2], batch_size=bad)


@pytest.mark.parametrize("bad", [1, 0, None, "True"])
def test_a_mistyped_flag_is_a_value_error(bad):
    with pytest.raises(ValueError, match=f"BatchSampler: drop_last must be True or False, got {bad!r}"):
        BatchSampler(range(5), 2, bad)
    with pytest.raises(ValueError, match=f"WeightedRandomSampler: replacement must be True or False, got {bad!r}"):
        WeightedRandomSampler([1.0, 1.0], 2, replacement=bad)


@pytest.mark.parametrize("bad", [1.5, "3"])
def test_a_mistyped_num_samples_is_a_value_error(bad):
    with pytest.raises(ValueError, match=f"RandomSampler: num_samples must be a positive integer, got {bad!r}"):
        RandomSampler(range(5), num_samples=bad)
    with pytest.raises(ValueError, match="WeightedRandomSampler: num_samples must be a positive integer"):
        WeightedRandomSampler([1.0, 1.0], bad)


def test_mistyped_arguments_are_value_errors_in_torch_too():
    _, data = torch_data()
    for make in (
        lambda: data.BatchSampler(range(5), 1.0, False),
        lambda: data.BatchSampler(range(5), 2, 1),
        lambda: data.WeightedRandomSampler([1.0, 1.0], 2, replacement=0),
        lambda: data.RandomSampler(range(5), num_samples=1.5),
        lambda: data.WeightedRandomSampler([1.0, 1.0], 1.5),
        lambda: data.DataLoader([1, 2], batch_size=1.5),
    ):
        with pytest.raises(ValueError):
            make()


def test_random_sampler_replacement_stays_a_type_error_as_in_torch():
    with pytest.raises(TypeError, match="RandomSampler: replacement must be True or False, got 1"):
        RandomSampler(range(5), replacement=1)


# -- F13: ConcatDataset refuses streams --------------------------------------------------------------------------


class Stream(IterableDataset):
    def __iter__(self):
        return iter(range(3))

    def __len__(self):
        return 3


@pytest.mark.parametrize("position", [0, 1])
def test_concat_dataset_refuses_an_iterable_dataset_when_made(position):
    datasets = [TensorDataset(X, Y)]
    datasets.insert(position, Stream())
    with pytest.raises(TypeError, match=f"ConcatDataset does not support IterableDataset: dataset {position}"):
        ConcatDataset(datasets)


@pytest.mark.parametrize("big", [2**63, 2**63 + 1, 2**64, -(2**63) - 1])
def test_default_collate_refuses_ints_outside_int64_as_torch(big):
    # numpy would read 2**63 + 1 as uint64 and the stack with 1 as float64, dropping the + 1 silently
    with pytest.raises(ValueError, match="Overflow when unpacking long long"):
        nn.data.default_collate([big, 1])
    batch = nn.data.default_collate([-(2**63), 2**63 - 1])
    assert batch.dtype == np.int64 and batch.tolist() == [-(2**63), 2**63 - 1]


def test_weighted_sampler_draws_from_weights_whose_sum_overflows():
    draws = list(nn.data.WeightedRandomSampler([1e308, 0.0, 1e308], 200, generator=0))
    assert set(draws) == {0, 2}  # the zero weight is never drawn, both others are


class _BatchReadOnly:
    """A dataset that reads whole batches only (``__getitems__``, no ``__getitem__``), as torch allows."""

    def __len__(self):
        return 4

    def __getitems__(self, indices):
        return [10 * index for index in indices]


def test_a_dataset_with_only_getitems_is_read_a_batch_at_a_time():
    batches = list(DataLoader(_BatchReadOnly(), batch_size=2))
    assert [batch.tolist() for batch in batches] == [[0, 10], [20, 30]]


def test_a_subset_reads_its_batches_through_the_datasets_getitems():
    subset = Subset(_BatchReadOnly(), [3, 1, 2])
    assert subset.__getitems__([0, 1]) == [30, 10]
    assert [batch.tolist() for batch in DataLoader(subset, batch_size=2)] == [[30, 10], [20]]
