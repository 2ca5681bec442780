"""nn.data against the behaviour torch's test/test_dataloader.py and test_datasets.py check, where a port of those
tests (without worker processes) found it differing from torch.utils.data.

Each behaviour is asserted on its own and, where torch's result is deterministic or its random-number contract
allows, compared with torch itself (skipped without torch)."""

from collections import OrderedDict, defaultdict
from collections.abc import Mapping

import numpy as np
import pytest

import autograd
import autograd.random_state
import nn.data
from nn.data import ChainDataset, ConcatDataset, DataLoader, Dataset, IterableDataset, TensorDataset, default_collate


def torch_data():
    torch = pytest.importorskip("torch")
    return torch, torch.utils.data


@pytest.fixture
def unseeded_afterwards():
    yield
    autograd.random_state._seeded = None  # other tests keep fresh entropy, as a program that never seeds


def _order(loader):
    return [int(value) for batch in loader for value in np.asarray(batch).ravel()]


# -- shuffling without a generator draws each pass from the global random state, as torch's ----------------------


def test_reseeding_before_a_pass_replays_a_shuffling_loaders_order(unseeded_afterwards):
    loader = DataLoader(list(range(20)), batch_size=5, shuffle=True)
    autograd.manual_seed(1)
    first = _order(loader)
    autograd.manual_seed(1)
    assert _order(loader) == first
    assert sorted(first) == list(range(20))
    assert _order(loader) != first  # without reseeding, the next pass is a new order


def test_reseeding_before_a_pass_replays_the_order_in_torch_too():
    torch, data = torch_data()
    loader = data.DataLoader(list(range(20)), batch_size=5, shuffle=True)
    torch.manual_seed(1)
    first = _order(loader)
    torch.manual_seed(1)
    assert _order(loader) == first


def test_a_loader_made_before_seeding_shuffles_as_one_made_after(unseeded_afterwards):
    made_before = DataLoader(list(range(20)), batch_size=5, shuffle=True)
    autograd.manual_seed(4)
    from_before = _order(made_before)
    autograd.manual_seed(4)
    assert _order(DataLoader(list(range(20)), batch_size=5, shuffle=True)) == from_before


def test_making_a_loader_draws_nothing_from_the_global_random_state(unseeded_afterwards):
    autograd.manual_seed(2)
    expected = autograd.randn(3).tolist()
    autograd.manual_seed(2)
    DataLoader(np.zeros((6, 1)), batch_size=2)
    DataLoader(list(range(6)), batch_size=2, shuffle=True)
    assert autograd.randn(3).tolist() == expected


# -- default_collate gives each container back in the sample's own type, as torch's --------------------------------


class TaggedDict(dict):
    """A dict with an attribute its constructor sets: rebuilding it from a dict would lose the tag."""

    def __init__(self, *args, tag="none", **kwargs):
        super().__init__(*args, **kwargs)
        self.tag = tag


class TaggedList(list):
    def __init__(self, items, tag="none"):
        super().__init__(items)
        self.tag = tag


class ReadOnlyMapping(Mapping):
    def __init__(self, items):
        self._items = dict(items)

    def __getitem__(self, key):
        return self._items[key]

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)


def _mapping_samples():
    return {
        "OrderedDict": [OrderedDict(b=1, a=2.0), OrderedDict(b=3, a=4.0)],
        "defaultdict": [defaultdict(list, b=1, a=2.0), defaultdict(list, b=3, a=4.0)],
        "TaggedDict": [TaggedDict(b=1, a=2.0, tag="t"), TaggedDict(b=3, a=4.0, tag="t")],
        "ReadOnlyMapping": [ReadOnlyMapping({"b": 1, "a": 2.0}), ReadOnlyMapping({"b": 3, "a": 4.0})],
    }


@pytest.mark.parametrize("kind", _mapping_samples())
def test_default_collate_keeps_a_samples_mapping_type(kind):
    batch = default_collate(_mapping_samples()[kind])
    assert type(batch).__name__ == kind
    assert list(batch) == ["b", "a"]
    assert batch["b"].tolist() == [1, 3] and batch["b"].dtype == "int64"
    assert batch["a"].tolist() == [2.0, 4.0] and batch["a"].dtype == "float64"
    if kind == "TaggedDict":
        assert batch.tag == "t"
    if kind == "defaultdict":
        assert batch.default_factory is list


@pytest.mark.parametrize("kind", _mapping_samples())
def test_default_collate_mapping_types_as_torch(kind):
    torch, data = torch_data()
    ours, theirs = default_collate(_mapping_samples()[kind]), data.default_collate(_mapping_samples()[kind])
    assert type(ours) is type(theirs)
    assert {key: value.tolist() for key, value in ours.items()} == {
        key: value.tolist() for key, value in theirs.items()
    }


def test_default_collate_keeps_a_list_subclasses_attributes_as_torch():
    samples = [TaggedList([1, 2.0], tag="t"), TaggedList([3, 4.0], tag="t")]
    batch = default_collate(samples)
    assert type(batch) is TaggedList and batch.tag == "t"
    assert [field.tolist() for field in batch] == [[1, 3], [2.0, 4.0]]
    _, data = torch_data()
    assert data.default_collate(samples).tag == "t"


def test_a_loader_over_ordered_dict_samples_batches_them_as_ordered_dicts():
    loader = DataLoader([OrderedDict(x=np.full(2, float(i)), y=i) for i in range(5)], batch_size=2)
    batches = list(loader)
    assert [type(batch) for batch in batches] == [OrderedDict] * 3
    assert batches[0]["x"].shape == (2, 2) and batches[-1]["y"].tolist() == [4]


# -- default_collate stacks Tensors as torch.stack does, keeping their graph ------------------------------------------


def test_default_collate_of_tensors_that_need_gradients_keeps_the_graph():
    weight = autograd.tensor([1.0, 2.0], requires_grad=True)
    batch = default_collate([{"x": weight * 2.0, "y": 1}, {"x": weight * 3.0, "y": 2}])
    assert batch["x"].requires_grad and batch["x"].tolist() == [[2.0, 4.0], [3.0, 6.0]]
    (batch["x"] * autograd.tensor([[1.0, 10.0], [100.0, 1000.0]])).sum().backward()
    assert weight.grad.tolist() == [2.0 + 300.0, 20.0 + 3000.0]  # d/dw of 2w·(1, 10) + 3w·(100, 1000)


def test_default_collate_keeps_the_graph_as_torch():
    torch, data = torch_data()
    weight = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    batch = data.default_collate([weight * 2.0, weight * 3.0])
    (batch * torch.tensor([[1.0, 10.0], [100.0, 1000.0]], dtype=torch.float64)).sum().backward()
    assert batch.requires_grad and weight.grad.tolist() == [302.0, 3020.0]


def test_a_loader_over_a_dataset_of_differentiable_samples_backpropagates_to_them():
    weight = autograd.tensor([0.5, -1.0, 2.0], requires_grad=True)

    class Scaled(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            return weight * float(index)

    total = sum(batch.sum() for batch in DataLoader(Scaled(), batch_size=3))
    total.backward()
    assert weight.grad.tolist() == [6.0, 6.0, 6.0]  # 0 + 1 + 2 + 3 per element


def test_default_collate_of_tensors_without_gradients_is_unchanged():
    batch = default_collate(
        [autograd.tensor([1.0, 2.0], dtype="float32"), autograd.tensor([3.0, 4.0], dtype="float32")]
    )
    assert not batch.requires_grad and batch.dtype == "float32" and batch.tolist() == [[1.0, 2.0], [3.0, 4.0]]


# -- samples of different shapes: torch's RuntimeError from torch.stack (and the library's ValueError) ----------------


@pytest.mark.parametrize(
    "samples",
    [[np.zeros(2), np.zeros(3)], [autograd.zeros(2, 2), autograd.zeros(2, 3)], [(np.zeros(1), 0), (np.zeros(2), 1)]],
    ids=["arrays", "tensors", "fields_of_tuples"],
)
def test_default_collate_of_samples_of_different_shapes_is_a_runtime_error_as_torchs(samples):
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size, but got shape"):
        default_collate(samples)
    with pytest.raises(ValueError, match="different shapes"):  # the library's earlier class still catches it
        default_collate(samples)


def test_a_loader_over_samples_of_different_shapes_raises_what_torchs_raises():
    torch, data = torch_data()
    samples = [np.zeros(2), np.zeros(3)]
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        next(iter(data.DataLoader(samples, batch_size=2)))
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        next(iter(DataLoader(samples, batch_size=2)))


# -- the refusals torch raises as AssertionError are AssertionErrors too (and the library's earlier classes) --------


class Counting(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        return iter(range(self.n))

    def __len__(self):
        return self.n


def _refusals():
    pairs = TensorDataset(np.zeros((7, 3)), np.arange(7))
    return {
        "concat_of_a_stream": (
            TypeError,
            "does not support IterableDataset",
            lambda: ConcatDataset([pairs, Counting(3)]),
        ),
        "concat_of_only_a_stream": (
            TypeError,
            "does not support IterableDataset",
            lambda: ConcatDataset([Counting(3)]),
        ),
        "concat_of_nothing": (ValueError, "datasets should not be an empty iterable", lambda: ConcatDataset([])),
        "chain_with_a_map_dataset": (
            TypeError,
            "ChainDataset only supports IterableDataset",
            lambda: list(ChainDataset([Counting(2), pairs])),
        ),
        "stream_plus_a_map_dataset": (
            TypeError,
            "ChainDataset only supports IterableDataset",
            lambda: list(iter(Counting(2) + pairs)),
        ),
        "tensor_dataset_of_mismatched_sizes": (
            ValueError,
            "Size mismatch between tensors",
            lambda: TensorDataset(np.zeros((7, 3)), np.arange(6)),
        ),
    }


@pytest.mark.parametrize("case", _refusals())
def test_refusals_that_torch_raises_as_assertion_errors(case):
    earlier_class, words, refused = _refusals()[case]
    with pytest.raises(AssertionError, match=words) as raised:
        refused()
    assert isinstance(raised.value, earlier_class)


def test_the_same_refusals_are_assertion_errors_in_torch():
    torch, data = torch_data()

    class TorchCounting(data.IterableDataset):
        def __iter__(self):
            return iter(range(2))

    pairs = data.TensorDataset(torch.zeros(7, 3), torch.arange(7))
    for refused, words in [
        (lambda: data.ConcatDataset([pairs, TorchCounting()]), "does not support IterableDataset"),
        (lambda: data.ConcatDataset([]), "datasets should not be an empty iterable"),
        (lambda: list(TorchCounting() + pairs), "ChainDataset only supports IterableDataset"),
        (lambda: data.TensorDataset(torch.zeros(7, 3), torch.arange(6)), "Size mismatch between tensors"),
    ]:
        with pytest.raises(AssertionError, match=words):
            refused()


# -- refusals carry torch's words, so the assertRaisesRegex of torch's own tests match ------------------------------


class ShortBatches(Dataset):
    """A dataset whose __getitems__ gives one sample too few."""

    def __len__(self):
        return 4

    def __getitem__(self, index):
        return index

    def __getitems__(self, indices):
        return list(indices)[:-1]


def _worded_refusals(data, arrays):
    return [
        (lambda: data.DataLoader(arrays, num_workers=-1), "num_workers option should be non-negative"),
        (lambda: data.DataLoader(arrays, timeout=-1), "timeout option should be non-negative"),
        (lambda: data.StackDataset(), "At least one dataset should be passed"),
        (lambda: data.StackDataset(arrays, a=arrays), "Supported either"),
        (lambda: data.StackDataset(arrays, [1, 2]), "Size mismatch between datasets"),
        (lambda: data.StackDataset(a=arrays, b=[1, 2]), "Size mismatch between datasets"),
    ]


@pytest.mark.parametrize("position", range(6))
def test_data_refusals_carry_torchs_words(position):
    refused, words = _worded_refusals(nn.data, TensorDataset(np.zeros((4, 2))))[position]
    with pytest.raises(ValueError, match=words):
        refused()


def test_the_same_refusals_carry_these_words_in_torch():
    torch, data = torch_data()
    for refused, words in _worded_refusals(data, data.TensorDataset(torch.zeros(4, 2))):
        with pytest.raises(ValueError, match=words):
            refused()


def test_a_nested_getitems_giving_too_few_samples_is_torchs_size_mismatch():
    with pytest.raises(ValueError, match="Nested dataset's output size mismatch. Expected 4, got 3"):
        nn.data.StackDataset(ShortBatches(), [1, 2, 3, 4]).__getitems__([0, 1, 2, 3])


def _sampler_refusals(data):
    return [
        (
            TypeError,
            "replacement should be a boolean value, but got replacement=0",
            lambda: data.RandomSampler(range(4), replacement=0),
        ),
        (
            ValueError,
            "num_samples should be a positive integer value, but got num_samples=0",
            lambda: data.RandomSampler(range(4), num_samples=0),
        ),
        (
            ValueError,
            "num_samples should be a positive integer value, but got num_samples=-1",
            lambda: data.WeightedRandomSampler([1.0, 2.0], -1),
        ),
        (
            ValueError,
            "num_samples should be a positive integer value, but got num_samples=2.0",
            lambda: data.WeightedRandomSampler([1.0, 2.0], 2.0),
        ),
        (
            ValueError,
            "replacement should be a boolean value, but got replacement=1",
            lambda: data.WeightedRandomSampler([1.0, 2.0], 2, replacement=1),
        ),
        (
            ValueError,
            "batch_size should be a positive integer value, but got batch_size=0",
            lambda: data.BatchSampler(range(4), 0, False),
        ),
        (
            ValueError,
            "batch_size should be a positive integer value, but got batch_size=True",
            lambda: data.BatchSampler(range(4), True, False),
        ),
        (
            ValueError,
            "drop_last should be a boolean value, but got drop_last=0",
            lambda: data.BatchSampler(range(4), 2, 0),
        ),
        (
            ValueError,
            "batch_size should be a positive integer value, but got batch_size=-2",
            lambda: data.DataLoader(list(range(4)), batch_size=-2),
        ),
        (
            ValueError,
            "drop_last should be a boolean value, but got drop_last=no",
            lambda: data.DataLoader(list(range(4)), batch_size=2, drop_last="no"),
        ),
    ]


@pytest.mark.parametrize("position", range(10))
def test_sampler_refusals_carry_torchs_words(position):
    error, words, refused = _sampler_refusals(nn.data)[position]
    with pytest.raises(error, match=words):
        refused()


def test_the_same_sampler_refusals_carry_these_words_in_torch():
    _, data = torch_data()
    for error, words, refused in _sampler_refusals(data):
        with pytest.raises(error, match=words):
            refused()


# -- behaviour torch's tests check that nn.data already matched (kept as coverage of the port) ---------------------

ROWS = np.arange(100 * 6, dtype=np.float64).reshape(100, 2, 3)
LABELS = np.tile(np.arange(50), 2)


@pytest.mark.parametrize(("batch_size", "batches"), [(1, 100), (2, 50), (3, 34), (None, 100)])
def test_sequential_loader_lengths_and_contents(batch_size, batches):
    loader = DataLoader(TensorDataset(ROWS, LABELS), batch_size=batch_size)
    seen = list(loader)
    assert len(loader) == len(seen) == batches
    step = batch_size or 1
    for position, (rows, labels) in enumerate(seen):
        expected = slice(position * step, (position + 1) * step) if batch_size else position
        np.testing.assert_array_equal(np.asarray(rows), ROWS[expected])
        np.testing.assert_array_equal(np.asarray(labels), LABELS[expected])


@pytest.mark.parametrize("batch_size", [None, 1, 2])
def test_a_seeded_shuffle_reads_every_row_once_and_repeats_with_the_same_seed(batch_size):
    def rows_read(loader):
        return [int(row[0, 0]) // 6 for rows, _ in loader for row in np.asarray(rows).reshape(-1, 2, 3)]

    make = lambda: DataLoader(  # noqa: E731
        TensorDataset(ROWS, LABELS), batch_size=batch_size, shuffle=True, generator=autograd.Generator().manual_seed(42)
    )
    first, second = make(), make()
    epochs = [rows_read(first), rows_read(first)]
    assert all(sorted(epoch) == list(range(100)) for epoch in epochs)
    assert epochs[0] != epochs[1]  # a new order each epoch
    assert [rows_read(second), rows_read(second)] == epochs  # the same seed, the same epochs


def test_a_range_sampler_and_a_list_of_tuple_batches_choose_the_rows():
    loader = DataLoader(TensorDataset(ROWS, LABELS), sampler=range(2, 12), batch_size=2)
    assert len(loader) == 5
    for position, (rows, _) in enumerate(loader):
        np.testing.assert_array_equal(np.asarray(rows), ROWS[2 + 2 * position : 4 + 2 * position])
    batches = [tuple(range(start, start + size)) for start, size in [(0, 2), (2, 3), (5, 2), (7, 3)]]
    loader = DataLoader(TensorDataset(ROWS, LABELS), batch_sampler=batches)
    assert len(loader) == 4
    for indices, (rows, _) in zip(batches, loader, strict=True):
        np.testing.assert_array_equal(np.asarray(rows), ROWS[list(indices)])


@pytest.mark.parametrize(("num_samples", "replacement"), [(105, True), (105, False), (99, False), (200, False)])
def test_random_sampler_counts_and_loader_lengths(num_samples, replacement):
    from collections import Counter

    from nn.data import RandomSampler

    sampler = RandomSampler(range(100), replacement=replacement, num_samples=num_samples, generator=3)
    counts = Counter(sampler)
    assert sum(counts.values()) == len(sampler) == num_samples
    assert min(counts) >= 0 and max(counts) < 100
    if not replacement:  # whole permutations, the last cut short
        assert max(counts.values()) - min(counts.values()) <= 1 and sum(v > 1 for v in counts.values()) == max(
            0, num_samples - 100
        )
    for batch_size in (1, 6):
        assert len(DataLoader(list(range(100)), batch_size=batch_size, sampler=sampler)) == -(
            -num_samples // batch_size
        )


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8])
def test_numpy_scalar_samples_batch_in_their_dtype(dtype):
    class Scalars(Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, index):
            return dtype(index)

    batch = next(iter(DataLoader(Scalars(), batch_size=2)))
    assert batch.dtype == np.dtype(dtype) and batch.tolist() == [0, 1]


@pytest.mark.parametrize(
    ("batch_size", "drop_last", "expected"), [(1, False, 10), (2, True, 5), (3, False, 4), (3, True, 3)]
)
def test_a_sized_streams_loader_length(batch_size, drop_last, expected):
    assert len(DataLoader(Counting(10), batch_size=batch_size, drop_last=drop_last)) == expected
    assert len(list(DataLoader(Counting(10), batch_size=batch_size, drop_last=drop_last))) == expected


def test_random_split_sizes_and_reproducibility():
    from nn.data import random_split

    assert [len(part) for part in random_split(range(106), [0.1, 0.2, 0.3, 0.4], generator=1)] == [11, 22, 31, 42]
    assert [len(part) for part in random_split([1, 2, 3, 4, 5, 6], [0.5, 0.5])] == [3, 3]
    for lengths in ([60, 40], [0.5, 0.5], [0.33, 0.33, 0.34]):
        first = random_split(range(100), lengths, generator=autograd.Generator().manual_seed(42))
        second = random_split(range(100), lengths, generator=autograd.Generator().manual_seed(42))
        assert [part.indices for part in first] == [part.indices for part in second]
    for lengths in ([1, 2], [0.1], [1.1]):
        with pytest.raises(ValueError):
            random_split([1, 2, 3, 4], lengths)
