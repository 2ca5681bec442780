"""nn.data behaves as torch.utils.data for code ported from torch: DataLoader's defaults and options,
datasets given as lists, Subset, ConcatDataset, random_split, default_collate and the samplers.

Each behaviour is checked on its own (these tests run without torch) and, where torch's result is
deterministic, against torch itself (skipped when torch is not installed)."""

import re
import warnings
from collections import namedtuple

import numpy as np
import pytest

import nn.data
from autograd import Tensor
from nn.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    random_split,
)

Point = namedtuple("Point", "x y")


def torch_data():
    torch = pytest.importorskip("torch")
    return torch, torch.utils.data


def as_numpy(batch):
    """A batch of torch's (tensors, lists, tuples, dicts, namedtuples) or ours, as nested numpy values."""
    if hasattr(batch, "numpy") and not isinstance(batch, np.ndarray):
        return batch.numpy()
    if isinstance(batch, dict):
        return {key: as_numpy(value) for key, value in batch.items()}
    if isinstance(batch, (tuple, list)) and not all(isinstance(item, str) for item in batch):
        return tuple(as_numpy(item) for item in batch)
    return np.asarray(batch)


def container_types(batch):
    """The nesting of a batch's tuples, lists and dicts (ours or torch's), leaves left out."""
    if isinstance(batch, dict):
        return {key: container_types(value) for key, value in batch.items()}
    if isinstance(batch, (tuple, list)):
        return (type(batch).__name__, [container_types(item) for item in batch])
    return None


def assert_same_batches(ours, theirs):
    assert len(ours) == len(theirs)
    for our_batch, their_batch in zip(ours, theirs, strict=True):
        np.testing.assert_equal(as_numpy(our_batch), as_numpy(their_batch))


def samples_as_tuples():
    return [(np.array([i, i * i], dtype=np.float32), i % 3) for i in range(7)]


def samples_as_dicts():
    return [{"x": np.full(2, float(i)), "label": i, "name": f"s{i}"} for i in range(5)]


def samples_as_arrays():
    return [np.arange(3.0) + i for i in range(5)]


LIST_DATASETS = [samples_as_tuples, samples_as_dicts, samples_as_arrays, lambda: list(range(6))]


# -- the default batch size, batch_size=None ---------------------------------------------------------------


def test_batch_size_defaults_to_one_as_torch():
    X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    loader = DataLoader(TensorDataset(X, y))
    assert loader.batch_size == 1 and len(loader) == 5
    features, labels = next(iter(loader))
    assert features.shape == (1, 2) and labels.shape == (1,)
    assert [len(batch) for batch in DataLoader(X)] == [1] * 5
    assert repr(__import__("inspect").signature(DataLoader).parameters["batch_size"].default) == "1"


def test_batch_size_defaults_to_one_against_torch():
    torch, data = torch_data()
    X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    theirs = list(data.DataLoader(data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y))))
    assert_same_batches(list(DataLoader(TensorDataset(X, y))), theirs)
    assert data.DataLoader(samples_as_tuples()).batch_size == DataLoader(samples_as_tuples()).batch_size == 1


def test_batch_size_none_yields_unbatched_samples():
    X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    samples = list(DataLoader(TensorDataset(X, y), batch_size=None))
    assert len(samples) == 5 and len(DataLoader(X, batch_size=None)) == 5
    np.testing.assert_array_equal(samples[3][0], X[3])
    assert type(samples[3][0]) is Tensor and samples[3][1].item() == 3  # torch's default_convert: tensors
    np.testing.assert_array_equal(next(iter(DataLoader(X, batch_size=None))), X[0])
    records = samples_as_dicts()
    first = next(iter(DataLoader(records, batch_size=None)))
    assert list(first) == list(records[0]) and first["name"] == records[0]["name"]
    np.testing.assert_array_equal(first["x"], records[0]["x"])
    assert list(DataLoader(records, batch_size=None, collate_fn=lambda sample: sample["label"])) == [0, 1, 2, 3, 4]


def test_batch_size_none_hands_a_tensor_datasets_own_item_to_a_collate_fn():
    # torch passes dataset[i], a TensorDataset's tuple of Tensors, to collate_fn; a list of numpy rows reached it
    X, y = np.ones((4, 2), np.float32), np.arange(4)
    dataset = TensorDataset(Tensor(X), Tensor(y))
    sample = next(iter(DataLoader(dataset, batch_size=None, collate_fn=lambda item: item)))
    assert type(sample) is tuple and all(type(part) is Tensor for part in sample)
    np.testing.assert_array_equal(sample[0].data, X[0])
    first = next(iter(DataLoader(dataset, batch_size=None, collate_fn=lambda item: (item[0].unsqueeze(0), item[1]))))
    assert first[0].shape == (1, 2) and first[1].item() == 0


@pytest.mark.parametrize("make", LIST_DATASETS)
def test_batch_size_none_against_torch(make):
    _, data = torch_data()
    assert_same_batches(list(DataLoader(make(), batch_size=None)), list(data.DataLoader(make(), batch_size=None)))


@pytest.mark.parametrize(("bad", "error"), [(0, ValueError), (-2, ValueError), (2.5, TypeError), (True, TypeError)])
def test_bad_batch_sizes_are_errors_naming_batch_size(bad, error):
    with pytest.raises(error, match=f"DataLoader: batch_size must be a positive integer, got {bad!r}"):
        DataLoader(samples_as_tuples(), batch_size=bad)


def test_nonpositive_batch_sizes_are_errors_in_torch_too():
    _, data = torch_data()
    for bad in (0, -2):
        with pytest.raises(ValueError, match="batch_size"):
            data.DataLoader(samples_as_tuples(), batch_size=bad)


def test_a_positional_batch_size_given_twice_is_still_an_error():
    with pytest.raises(TypeError, match="DataLoader: multiple values for argument 'batch_size'"):
        DataLoader(samples_as_tuples(), 2, batch_size=2)
    assert DataLoader(samples_as_tuples(), 2).batch_size == 2


# -- loader.dataset ----------------------------------------------------------------------------------------


def test_loader_dataset_is_the_dataset_given():
    X, y = np.zeros((6, 2)), np.arange(6)
    for dataset in (TensorDataset(X, y), X, samples_as_tuples(), Subset(X, [0, 1]), range(4), Tensor(X)):
        loader = DataLoader(dataset, batch_size=2)
        assert loader.dataset is dataset
        assert len(loader.dataset) == len(dataset) == loader.num_samples


def test_loader_dataset_of_separate_arrays_is_a_tensor_dataset_of_them():
    X, y = np.zeros((6, 2)), np.arange(6)
    for loader in (DataLoader(X, y, batch_size=4), DataLoader((X, y), batch_size=4)):
        assert isinstance(loader.dataset, TensorDataset) and len(loader.dataset) == 6
        np.testing.assert_array_equal(loader.dataset.tensors[1], y)


def test_torch_mnist_example_loop_runs_on_the_loader():
    """The logging line of torch's MNIST example: ``batch_idx * len(data)`` of ``len(train_loader.dataset)``."""
    X, y = np.zeros((100, 1, 4, 4), dtype=np.float32), np.arange(100) % 10
    train_loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, generator=0)
    lines = [
        f"[{batch_idx * len(data)}/{len(train_loader.dataset)} ({100.0 * batch_idx / len(train_loader):.0f}%)]"
        for batch_idx, (data, target) in enumerate(train_loader)
    ]
    assert lines == ["[0/100 (0%)]", "[32/100 (25%)]", "[64/100 (50%)]", "[12/100 (75%)]"]


# -- lists of samples as datasets --------------------------------------------------------------------------


def test_a_list_of_samples_is_a_dataset_collated_field_by_field():
    features, labels = next(iter(DataLoader(samples_as_tuples(), batch_size=3)))
    assert isinstance(features, Tensor) and features.dtype == np.float32
    np.testing.assert_array_equal(features, [[0, 0], [1, 1], [2, 4]])
    np.testing.assert_array_equal(labels, [0, 1, 2])
    batch = next(iter(DataLoader(samples_as_dicts(), batch_size=2)))
    np.testing.assert_array_equal(batch["x"], [[0, 0], [1, 1]])
    assert batch["name"] == ["s0", "s1"] and batch["label"].dtype == np.int64
    arrays = list(DataLoader(samples_as_arrays(), batch_size=2))
    assert [batch.shape for batch in arrays] == [(2, 3), (2, 3), (1, 3)]
    np.testing.assert_array_equal(next(iter(DataLoader(list(range(6)), batch_size=4))), [0, 1, 2, 3])


@pytest.mark.parametrize("make", LIST_DATASETS)
@pytest.mark.parametrize(("batch_size", "drop_last"), [(1, False), (2, False), (2, True), (5, False)])
def test_a_list_of_samples_batches_as_torch(make, batch_size, drop_last):
    _, data = torch_data()
    ours = list(DataLoader(make(), batch_size=batch_size, drop_last=drop_last))
    theirs = list(data.DataLoader(make(), batch_size=batch_size, drop_last=drop_last))
    assert_same_batches(ours, theirs)
    assert len(DataLoader(make(), batch_size=batch_size, drop_last=drop_last)) == len(theirs)


def test_a_tuple_of_arrays_stays_the_librarys_aligned_columns_while_a_list_is_samples():
    X, y = np.arange(6.0), np.arange(6) * 10
    x_batch, y_batch = next(iter(DataLoader((X, y), batch_size=4)))
    np.testing.assert_array_equal(y_batch, x_batch * 10)
    assert next(iter(DataLoader([X, y], batch_size=4))).shape == (2, 6)


def test_existing_datasets_keep_their_batch_types():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    assert isinstance(next(iter(DataLoader(X, y, batch_size=4))), tuple)
    (rows,) = next(iter(DataLoader(TensorDataset(X), batch_size=4)))  # a list of one array, as torch's
    np.testing.assert_array_equal(rows, X[:4])
    features, labels = next(iter(DataLoader(TensorDataset(Tensor(X), y), batch_size=4)))
    assert type(features) is Tensor and type(labels) is Tensor


def test_a_tensor_dataset_of_one_array_gives_lists_as_torchs():
    X = np.arange(6).reshape(3, 2)
    batch = next(iter(DataLoader(TensorDataset(X), batch_size=2)))
    assert type(batch) is list and len(batch) == 1
    np.testing.assert_array_equal(batch[0], X[:2])
    sample = next(iter(DataLoader(TensorDataset(X), batch_size=None)))
    assert type(sample) is list and len(sample) == 1
    np.testing.assert_array_equal(sample[0], X[0])
    torch = pytest.importorskip("torch")
    theirs = next(iter(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.from_numpy(X)), batch_size=2)))
    assert type(theirs) is list and len(theirs) == 1


def test_the_data_by_torchs_keyword_and_torchs_positional_shuffle():
    X = np.arange(8)
    assert [b.tolist() for b in DataLoader(dataset=X, batch_size=4)] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    shuffled = DataLoader(X, 4, True, generator=0)  # torch's DataLoader(dataset, batch_size, shuffle)
    assert shuffled.shuffle and shuffled.batch_size == 4
    assert sorted(np.concatenate(list(shuffled)).tolist()) == X.tolist()
    assert list(DataLoader([0, 1, 2], None)) == [0, 1, 2]  # torch's DataLoader(dataset, None): no batching
    with pytest.raises(TypeError, match="multiple values for argument 'dataset'"):
        DataLoader(X, dataset=X)
    with pytest.raises(TypeError, match="missing the data"):
        DataLoader()
    torch = pytest.importorskip("torch")
    assert list(torch.utils.data.DataLoader([0, 1, 2], None)) == [0, 1, 2]


# -- collate_fn, sampler, batch_sampler ----------------------------------------------------------------------


def test_collate_fn_receives_the_list_of_samples():
    X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    seen = []
    loader = DataLoader(
        TensorDataset(X, y), batch_size=2, collate_fn=lambda samples: seen.append(samples) or len(samples)
    )
    assert list(loader) == [2, 2, 1]
    assert isinstance(seen[0], list) and len(seen[0][0]) == 2 and seen[0][0][1] == 0
    assert loader.collate_fn is not default_collate and DataLoader(X).collate_fn is default_collate


class _Stream(nn.data.IterableDataset):
    def __iter__(self):
        return iter(range(3))


@pytest.mark.parametrize(
    "dataset", [lambda: np.arange(3.0), lambda: [1, 2], lambda: _Stream()], ids=["array", "list", "stream"]
)
def test_collate_fn_without_batching_is_default_convert_as_in_torch(dataset):
    """torch's loader.collate_fn is default_convert when batch_size=None (default_collate when batching)."""
    assert DataLoader(dataset(), batch_size=None).collate_fn is nn.data.default_convert
    assert DataLoader(dataset(), batch_size=2).collate_fn is default_collate
    _, data = torch_data()
    assert data.DataLoader([1, 2], batch_size=None).collate_fn is data.default_convert


def test_collate_fn_against_torch():
    _, data = torch_data()
    for batch_size in (2, None):
        ours = list(DataLoader(samples_as_tuples(), batch_size=batch_size, collate_fn=lambda s: ("c", s)))
        theirs = list(data.DataLoader(samples_as_tuples(), batch_size=batch_size, collate_fn=lambda s: ("c", s)))
        assert_same_batches(ours, theirs)


def test_sampler_and_batch_sampler_choose_the_samples():
    X = np.arange(10.0).reshape(5, 2)
    np.testing.assert_array_equal(np.concatenate(list(DataLoader(X, batch_size=2, sampler=[4, 3, 1]))), X[[4, 3, 1]])
    assert len(DataLoader(X, batch_size=2, sampler=[4, 3, 1])) == 2
    loader = DataLoader(X, batch_sampler=[[0, 1], [4]])
    assert loader.batch_size is None and not loader.drop_last and len(loader) == 2
    assert [batch.tolist() for batch in loader] == [X[[0, 1]].tolist(), X[[4]].tolist()]
    assert isinstance(DataLoader(X).sampler, SequentialSampler) and isinstance(
        DataLoader(X).batch_sampler, BatchSampler
    )
    assert isinstance(DataLoader(X, shuffle=True).sampler, RandomSampler)
    assert DataLoader(X, batch_size=None).batch_sampler is None


@pytest.mark.parametrize(
    "options",
    [
        {"batch_size": 2, "sampler": [4, 3, 1]},
        {"batch_size": None, "sampler": [4, 3]},
        {"batch_sampler": [[0, 1], [4]]},
        {"batch_sampler": [[2], [0, 1, 3]], "batch_size": 1},
        {"batch_size": 2, "sampler": SequentialSampler(range(5)), "drop_last": True},
    ],
)
def test_sampler_and_batch_sampler_against_torch(options):
    torch, data = torch_data()
    X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    ours = DataLoader(TensorDataset(X, y), **options)
    theirs = data.DataLoader(data.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), **options)
    assert len(ours) == len(theirs) and ours.batch_size == theirs.batch_size
    assert_same_batches(list(ours), list(theirs))


EXCLUSIVE_OPTIONS = [
    ({"sampler": [0, 1], "shuffle": True}, "sampler option is mutually exclusive with shuffle"),
    ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option is mutually exclusive with batch_size"),
    ({"batch_sampler": [[0]], "batch_size": None}, "batch_sampler option is mutually exclusive with batch_size"),
    ({"batch_sampler": [[0]], "shuffle": True}, "batch_sampler option is mutually exclusive with batch_size, shuffle"),
    ({"batch_sampler": [[0]], "sampler": [0]}, "batch_sampler option is mutually exclusive with .* sampler"),
    ({"batch_sampler": [[0]], "drop_last": True}, "batch_sampler option is mutually exclusive with .* drop_last"),
    ({"batch_size": None, "drop_last": True}, "batch_size=None option .* mutually exclusive with drop_last"),
    ({"prefetch_factor": 2}, "prefetch_factor option could only be specified in multiprocessing"),
    ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
    ({"multiprocessing_context": "spawn"}, "multiprocessing_context can only be used with multi-process loading"),
]


@pytest.mark.parametrize(("options", "message"), EXCLUSIVE_OPTIONS)
def test_options_that_exclude_each_other_are_errors_naming_them(options, message):
    with pytest.raises(ValueError, match=f"DataLoader: {message}"):
        DataLoader(samples_as_tuples(), **options)


@pytest.mark.parametrize(("options", "message"), EXCLUSIVE_OPTIONS)
def test_options_that_exclude_each_other_are_errors_in_torch_with_the_same_words(options, message):
    _, data = torch_data()
    with pytest.raises(ValueError, match=re.compile(message, re.IGNORECASE)):
        data.DataLoader(samples_as_tuples(), **options)


# -- generator, worker options --------------------------------------------------------------------------------


def test_generator_is_a_seed_source_for_shuffling():
    X = np.arange(40)
    by_seed = [batch.tolist() for batch in DataLoader(X, batch_size=40, shuffle=True, seed=3)]
    by_int = [batch.tolist() for batch in DataLoader(X, batch_size=40, shuffle=True, generator=3)]
    assert by_seed == by_int
    assert by_seed == [np.random.default_rng((3, 0)).permutation(40).tolist()]  # the library's scheme, kept
    first = DataLoader(X, batch_size=40, shuffle=True, generator=np.random.default_rng(5))
    second = DataLoader(X, batch_size=40, shuffle=True, generator=np.random.default_rng(5))
    epochs = [[next(iter(loader)).tolist() for _ in range(2)] for loader in (first, second)]
    assert epochs[0] == epochs[1] and epochs[0][0] != epochs[0][1]
    assert sorted(epochs[0][0]) == list(range(40))
    assert first.seed is None and isinstance(first.generator, np.random.Generator)


def test_bad_generators_are_errors_naming_generator():
    with pytest.raises(TypeError, match="DataLoader: got both seed= and generator="):
        DataLoader(np.arange(4), shuffle=True, seed=1, generator=1)
    with pytest.raises(TypeError, match="DataLoader: generator must be a numpy.random.Generator, an int seed or None"):
        DataLoader(np.arange(4), shuffle=True, generator="seed")
    with pytest.raises(ValueError, match="DataLoader: generator must be an int seed >= 0, got -1"):
        DataLoader(np.arange(4), shuffle=True, generator=-1)


def test_worker_options_are_accepted_and_batches_are_read_in_process():
    X = np.arange(12.0).reshape(6, 2)
    called = []
    loader = DataLoader(
        X,
        batch_size=4,
        num_workers=3,
        pin_memory=True,
        timeout=5,
        worker_init_fn=called.append,
        prefetch_factor=4,
        persistent_workers=True,
        multiprocessing_context="spawn",
        pin_memory_device="cuda",
        in_order=False,
    )
    assert_same_batches(list(loader), list(DataLoader(X, batch_size=4)))
    assert called == []  # never called: no worker process starts
    assert (loader.num_workers, loader.pin_memory, loader.timeout, loader.prefetch_factor) == (3, True, 5.0, 4)
    assert loader.persistent_workers and DataLoader(X, num_workers=2).prefetch_factor == 2
    assert DataLoader(X).prefetch_factor is None and DataLoader(X).num_workers == 0


@pytest.mark.parametrize(
    ("options", "error", "message"),
    [
        ({"num_workers": -1}, ValueError, r"DataLoader: num_workers option should be non-negative.*got -1\)"),
        ({"num_workers": 1.5}, TypeError, "DataLoader: num_workers must be an integer, got 1.5"),
        ({"timeout": -1}, ValueError, r"DataLoader: timeout option should be non-negative.*got -1\)"),
        ({"num_workers": 1, "prefetch_factor": -1}, ValueError, "DataLoader: prefetch_factor must be an integer >= 0"),
        ({"worker_init_fn": 3}, TypeError, "DataLoader: worker_init_fn must be callable or None, got 3"),
        ({"collate_fn": "stack"}, TypeError, "DataLoader: collate_fn must be callable or None, got 'stack'"),
    ],
)
def test_bad_worker_options_are_errors_naming_the_option(options, error, message):
    with pytest.raises(error, match=message):
        DataLoader(samples_as_tuples(), **options)


#: Options torch accepts when the loader is made but refuses when a pass begins (its single-process iterator needs no
#: timeout, its worker iterator a prefetch_factor above 0): the options, and torch's words.
REFUSED_WHEN_ITERATED = [
    ({"timeout": 5}, "requires timeout == 0"),
    ({"timeout": 0.5, "num_workers": 0}, "requires timeout == 0"),
    ({"num_workers": 2, "prefetch_factor": 0}, "prefetch_factor must be greater than 0"),
]


@pytest.mark.parametrize(("options", "message"), REFUSED_WHEN_ITERATED)
def test_options_torch_refuses_when_a_pass_begins_are_refused_then(options, message):
    loader = DataLoader(samples_as_tuples(), **options)
    with pytest.raises(AssertionError, match=message):
        iter(loader)
    with pytest.raises(ValueError, match=f"DataLoader: .*{message}"):
        list(loader)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # torch's half-made worker iterator
@pytest.mark.parametrize(("options", "message"), REFUSED_WHEN_ITERATED)
def test_options_refused_when_a_pass_begins_are_refused_by_torch_too(options, message):
    _, data = torch_data()
    loader = data.DataLoader(samples_as_tuples(), **options)
    with pytest.raises(AssertionError, match=message):
        iter(loader)


def test_a_timeout_with_workers_is_accepted():
    assert len(list(DataLoader(samples_as_tuples(), num_workers=2, timeout=5))) == len(samples_as_tuples())


BAD_CONTEXTS = [
    ("bogus", ValueError, "multiprocessing_context option should specify a valid start method in"),
    (3, TypeError, "multiprocessing_context option should be a valid context object or a string"),
]


@pytest.mark.parametrize(("context", "error", "message"), BAD_CONTEXTS)
def test_a_bad_multiprocessing_context_is_an_error_naming_it(context, error, message):
    with pytest.raises(error, match=f"DataLoader: {message}"):
        DataLoader(samples_as_tuples(), num_workers=2, multiprocessing_context=context)


@pytest.mark.parametrize(("context", "error", "message"), BAD_CONTEXTS)
def test_a_bad_multiprocessing_context_is_the_same_error_in_torch(context, error, message):
    _, data = torch_data()
    with pytest.raises(error, match=message):
        data.DataLoader(samples_as_tuples(), num_workers=2, multiprocessing_context=context)


def test_a_start_method_becomes_its_context_as_in_torch():
    import multiprocessing

    context = DataLoader(samples_as_tuples(), num_workers=2, multiprocessing_context="spawn").multiprocessing_context
    assert context is multiprocessing.get_context("spawn")
    given = multiprocessing.get_context()
    assert (
        DataLoader(samples_as_tuples(), num_workers=1, multiprocessing_context=given).multiprocessing_context is given
    )


def test_negative_worker_counts_and_timeouts_are_errors_in_torch_too():
    _, data = torch_data()
    for options, name in (({"num_workers": -1}, "num_workers"), ({"timeout": -1}, "timeout")):
        with pytest.raises(ValueError, match=name):
            data.DataLoader(samples_as_tuples(), **options)


# -- samplers ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [lambda data: data.RandomSampler([]), lambda data: data.DataLoader([], shuffle=True)])
def test_shuffling_an_empty_dataset_is_a_value_error_as_in_torch(make):
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        make(nn.data)
    _, data = torch_data()
    with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
        make(data)


def test_an_empty_dataset_read_in_order_or_sampled_with_num_samples_is_no_error():
    assert list(DataLoader([])) == [] and len(DataLoader(np.zeros((0, 2)), batch_size=4)) == 0
    assert len(RandomSampler([], num_samples=3)) == 3


def test_sequential_sampler_counts_up():
    assert list(SequentialSampler(samples_as_tuples())) == list(range(7)) and len(SequentialSampler(range(3))) == 3


def test_sequential_sampler_as_torch():
    _, data = torch_data()
    assert list(SequentialSampler(range(9))) == list(data.SequentialSampler(range(9)))


BATCHINGS = [(n, batch_size, drop_last) for n in (1, 5, 7, 12) for batch_size in (1, 3, 5, 13) for drop_last in (0, 1)]


@pytest.mark.parametrize(("n", "batch_size", "drop_last"), BATCHINGS)
def test_batch_sampler_groups_consecutive_indices(n, batch_size, drop_last):
    batches = list(BatchSampler(SequentialSampler(range(n)), batch_size, bool(drop_last)))
    kept = n // batch_size * batch_size if drop_last else n
    assert [index for batch in batches for index in batch] == list(range(kept))
    assert all(len(batch) == batch_size for batch in batches[: n // batch_size]) and len(batches) == -(
        -kept // batch_size
    )
    assert len(BatchSampler(range(n), batch_size, bool(drop_last))) == len(batches)


@pytest.mark.parametrize(("n", "batch_size", "drop_last"), BATCHINGS)
def test_batch_sampler_groups_as_torch(n, batch_size, drop_last):
    _, data = torch_data()
    ours = BatchSampler(SequentialSampler(range(n)), batch_size, bool(drop_last))
    theirs = data.BatchSampler(data.SequentialSampler(range(n)), batch_size, bool(drop_last))
    assert list(ours) == list(theirs) and len(ours) == len(theirs)


@pytest.mark.parametrize(
    ("options", "error", "name"),
    [({"batch_size": 0}, ValueError, "batch_size"), ({"batch_size": 2.5}, TypeError, "batch_size")]
    + [({"drop_last": 1}, TypeError, "drop_last")],
)
def test_batch_sampler_errors_name_the_argument(options, error, name):
    arguments = {"sampler": range(4), "batch_size": 2, "drop_last": False} | options
    with pytest.raises(error, match=f"BatchSampler: {name}"):
        BatchSampler(**arguments)


def test_random_sampler_draws_a_permutation_per_pass_or_draws_with_replacement():
    sampler = RandomSampler(range(30), generator=1)
    first, second = list(sampler), list(sampler)
    assert sorted(first) == sorted(second) == list(range(30)) and first != second
    assert list(RandomSampler(range(30), generator=1)) == first  # the same seed, the same passes
    assert all(type(index) is int for index in first)
    long = list(RandomSampler(range(5), num_samples=12, generator=0))
    assert sorted(np.bincount(long).tolist()) == [2, 2, 3, 3, 2] or sorted(np.bincount(long)) == [2, 2, 2, 3, 3]
    assert sorted(long[:5]) == sorted(long[5:10]) == list(range(5))
    with_replacement = list(RandomSampler(range(5), replacement=True, num_samples=50, generator=0))
    assert len(with_replacement) == 50 and set(with_replacement) <= set(range(5))
    assert len(RandomSampler(range(5))) == 5 and len(RandomSampler(range(5), num_samples=3)) == 3


def test_random_sampler_lengths_and_counts_as_torch():
    torch, data = torch_data()
    for options in ({}, {"num_samples": 12}, {"num_samples": 3}, {"replacement": True, "num_samples": 8}):
        ours, theirs = RandomSampler(range(5), **options), data.RandomSampler(range(5), **options)
        assert len(ours) == len(theirs) == len(list(ours)) == len(list(theirs))
        if not options.get("replacement"):
            assert sorted(np.bincount(list(ours), minlength=5)) == sorted(np.bincount(list(theirs), minlength=5))


def test_random_sampler_errors_name_the_argument():
    with pytest.raises(ValueError, match="RandomSampler: num_samples must be a positive integer, got 0"):
        RandomSampler(range(5), num_samples=0)
    with pytest.raises(TypeError, match="RandomSampler: replacement must be True or False, got 1"):
        RandomSampler(range(5), replacement=1)
    with pytest.raises(TypeError, match="RandomSampler: generator must be"):
        RandomSampler(range(5), generator=0.5)


def test_subset_random_sampler_shuffles_the_given_indices():
    sampler = SubsetRandomSampler([3, 5, 7, 9], generator=0)
    assert sorted(sampler) == [3, 5, 7, 9] and len(sampler) == 4
    assert {tuple(sampler) for _ in range(20)} != {(3, 5, 7, 9)}


def test_weighted_random_sampler_draws_by_weight():
    draws = list(WeightedRandomSampler([0.0, 1.0, 3.0], 400, generator=0))
    assert len(draws) == 400 and 0 not in draws and 250 < draws.count(2) < 350
    distinct = list(WeightedRandomSampler([1.0, 1.0, 1.0, 0.0], 3, replacement=False, generator=0))
    assert sorted(distinct) == [0, 1, 2]
    with pytest.raises(ValueError, match="WeightedRandomSampler: weights must be a 1-D sequence, got shape"):
        WeightedRandomSampler([[1.0]], 2)
    with pytest.raises(ValueError, match="WeightedRandomSampler: weights must be finite and >= 0"):
        WeightedRandomSampler([1.0, -1.0], 2)
    with pytest.raises(ValueError, match="WeightedRandomSampler: num_samples must be a positive integer, got 0"):
        WeightedRandomSampler([1.0, 2.0], 0)
    with pytest.raises(ValueError, match="without replacement from 2 weights"):
        WeightedRandomSampler([1.0, 2.0], 3, replacement=False)


def test_a_sampler_subclass_drives_the_loader():
    class Reversed(Sampler):
        def __iter__(self):
            return iter(range(len(self.data_source) - 1, -1, -1))

        def __len__(self):
            return len(self.data_source)

    X = np.arange(5)
    assert np.concatenate(list(DataLoader(X, batch_size=2, sampler=Reversed(X)))).tolist() == [4, 3, 2, 1, 0]


# -- Subset, ConcatDataset, random_split ------------------------------------------------------------------------------


def test_subset_and_concat_dataset_index_their_datasets():
    subset = Subset(np.arange(10) * 10, [5, 2, 8])
    assert len(subset) == 3 and (subset[0], subset[-1]) == (50, 80) and subset[[0, 2]] == [50, 80]
    with pytest.raises(IndexError):
        subset[3]
    joined = ConcatDataset([range(3), range(10, 14)])
    assert len(joined) == 7 and joined.cumulative_sizes == [3, 7]
    assert [joined[i] for i in range(7)] == [0, 1, 2, 10, 11, 12, 13] and joined[-1] == 13 and joined[-7] == 0
    for bad in (7, -8):
        with pytest.raises(IndexError, match=f"ConcatDataset: index {bad} is out of range for 7 samples"):
            joined[bad]
    with pytest.raises(ValueError, match="ConcatDataset: datasets should not be an empty iterable"):
        ConcatDataset([])
    both = TensorDataset(np.zeros((2, 1))) + TensorDataset(np.ones((3, 1)))
    assert isinstance(both, ConcatDataset) and len(both) == 5 and both[4][0][0] == 1.0
    assert [len(batch[0]) for batch in DataLoader(both, batch_size=2)] == [2, 2, 1]


def test_concat_dataset_has_torchs_cumsum_and_deprecated_cummulative_sizes():
    parts = [range(3), [], range(5)]
    assert ConcatDataset.cumsum(parts) == [3, 3, 8]
    joined = ConcatDataset(parts)
    with pytest.warns(FutureWarning, match="`cummulative_sizes` attribute is renamed to `cumulative_sizes`"):
        assert joined.cummulative_sizes == [3, 3, 8]
    _, data = torch_data()
    assert data.ConcatDataset.cumsum(parts) == [3, 3, 8]
    with pytest.warns(FutureWarning, match="`cummulative_sizes` attribute is renamed to `cumulative_sizes`"):
        assert data.ConcatDataset(parts).cummulative_sizes == [3, 3, 8]


def test_subset_and_concat_dataset_index_as_torch():
    _, data = torch_data()
    base = list(range(10, 20))
    for ours, theirs in (
        (Subset(base, [5, 2, 8, 0]), data.Subset(base, [5, 2, 8, 0])),
        (ConcatDataset([base[:3], base[3:], base[:1]]), data.ConcatDataset([base[:3], base[3:], base[:1]])),
    ):
        assert len(ours) == len(theirs)
        assert [ours[i] for i in range(-len(ours), len(ours))] == [theirs[i] for i in range(-len(theirs), len(theirs))]
    assert (
        ConcatDataset([base[:3], base[3:]]).cumulative_sizes
        == data.ConcatDataset([base[:3], base[3:]]).cumulative_sizes
    )


def _check_split(parts, n, lengths):
    assert [len(part) for part in parts] == lengths
    indices = [index for part in parts for index in part.indices]
    assert sorted(indices) == list(range(n))  # disjoint, and every sample in one part


SPLITS = [(10, [3, 7]), (10, [0.3, 0.7]), (11, [0.25, 0.25, 0.25, 0.25]), (5, [0.1, 0.9]), (7, [7]), (6, [0, 1])]


@pytest.mark.filterwarnings("ignore:Length of split at index 0 is 0")
@pytest.mark.parametrize(("n", "lengths"), SPLITS)
def test_random_split_parts_cover_the_dataset_once(n, lengths):
    parts = random_split(range(n), lengths, generator=0)
    _check_split(parts, n, [len(part) for part in parts])
    assert all(isinstance(part, Subset) and part.dataset == range(n) for part in parts)
    again = random_split(range(n), lengths, generator=np.random.default_rng(0))
    assert [part.indices for part in again] == [part.indices for part in parts]  # the same seed, the same split


@pytest.mark.filterwarnings("ignore:Length of split at index 0 is 0")
@pytest.mark.parametrize(("n", "lengths"), SPLITS)
def test_random_split_lengths_as_torch(n, lengths):
    _, data = torch_data()
    theirs = [len(part) for part in data.random_split(range(n), lengths)]
    _check_split(random_split(range(n), lengths), n, theirs)


def test_random_split_errors_and_warnings():
    with pytest.raises(ValueError, match=r"random_split: sum of input lengths \(6\) does not equal .* \(10\)"):
        random_split(range(10), [3, 3])
    with pytest.raises(ValueError, match="random_split: sum of input lengths"):
        random_split(range(10), [0.5, 0.6])
    with pytest.raises(ValueError, match="random_split: fraction at index 0 is not between 0 and 1, got 1.5"):
        random_split(range(10), [1.5, -0.5])
    with pytest.raises(ValueError, match=r"random_split: lengths must be >= 0, got \[-1, 11\]"):
        random_split(range(10), [-1, 11])
    with pytest.raises(TypeError, match="random_split: lengths must be integers or fractions summing to 1"):
        random_split(range(5), [2.0, 3.0])
    with pytest.warns(UserWarning, match="Length of split at index 2 is 0"):
        random_split(range(10), [0.5, 0.5, 0.0])


def test_random_split_warns_of_an_empty_split_as_torch():
    _, data = torch_data()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data.random_split(range(10), [0.5, 0.5, 0.0])
    assert [str(warning.message) for warning in caught] == [
        "Length of split at index 2 is 0. This might result in an empty dataset."
    ]


def test_random_split_parts_load_in_batches():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    train, test = random_split(TensorDataset(X, y), [0.8, 0.2], generator=1)
    loader = DataLoader(train, batch_size=3, shuffle=True, generator=2)
    labels = np.concatenate([labels for _, labels in loader])
    assert sorted(labels.tolist()) == sorted(train.indices) and len(loader.dataset) == 8
    features, labels = next(iter(DataLoader(test, batch_size=2)))
    np.testing.assert_array_equal(features, X[labels])


# -- default_collate ---------------------------------------------------------------------------------------------


def test_default_collate_stacks_field_by_field():
    samples = [(np.zeros(2), 1, 2.5, "a", True), (np.ones(2), 2, 3.5, "b", False)]
    arrays, ints, floats, names, flags = default_collate(samples)
    assert arrays.shape == (2, 2) and ints.dtype == np.int64 and floats.dtype == np.float64 and flags.dtype == bool
    assert names == ("a", "b")  # torch transposes sequence samples with zip: a tuple of the strings
    assert default_collate([Point(1, 2.0), Point(3, 4.0)]).x.tolist() == [1, 3]
    assert isinstance(default_collate([Point(1, 2.0)]), Point)
    assert [batch.tolist() for batch in default_collate([[1, 2], [3, 4]])] == [[1, 3], [2, 4]]
    np.testing.assert_array_equal(default_collate([Tensor(np.ones(2)), Tensor(np.zeros(2))]), [[1, 1], [0, 0]])
    with pytest.raises(ValueError, match="different shapes"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(TypeError, match="different structures"):
        default_collate([(1, 2), (1,)])
    assert nn.data.default_collate is default_collate and "default_collate" in nn.data.__all__


@pytest.mark.parametrize(
    "samples",
    [
        [(np.zeros(2), 1, 2.5, True), (np.ones(2), 2, 3.5, False)],
        [{"x": np.arange(3.0), "y": 1}, {"x": np.arange(3.0) + 1, "y": 0}],
        [Point(1, 2.0), Point(3, 4.0)],
        [[1, 2], [3, 4]],
        [range(2), range(1, 3)],
        [np.float32(1.5), np.float32(2.5)],
        [("a", 1), ("b", 2)],
        [["a", [("x", "y")]], ["b", [("z", "w")]]],
        [{"name": "a"}, {"name": "b"}],
        ["a", "b"],
    ],
)
def test_default_collate_values_as_torch(samples):
    _, data = torch_data()
    ours, theirs = default_collate(samples), data.default_collate(samples)
    np.testing.assert_equal(as_numpy(ours), as_numpy(theirs))
    assert container_types(ours) == container_types(theirs)  # strings too: a tuple where torch's zip gives one
    expected = {"Tensor": Tensor}.get(type(theirs).__name__, type(theirs))
    assert type(ours) is expected  # a Tensor where torch gives a tensor, else torch's container


def test_every_name_is_exported():
    names = [
        "BatchSampler",
        "ConcatDataset",
        "RandomSampler",
        "Sampler",
        "SequentialSampler",
        "Subset",
        "SubsetRandomSampler",
        "WeightedRandomSampler",
        "default_collate",
        "random_split",
    ]
    assert set(names) <= set(nn.data.__all__) and all(hasattr(nn.data, name) for name in names)
    assert issubclass(Subset, Dataset) and issubclass(ConcatDataset, Dataset)


def test_a_tensor_dataset_batches_as_a_list_as_torch_and_the_library_pair_as_a_tuple():
    X, y = np.arange(12.0).reshape(6, 2), np.arange(6)
    dataset = nn.data.TensorDataset(X, y)
    assert type(next(iter(DataLoader(dataset, batch_size=2)))) is list
    assert type(next(iter(DataLoader(nn.data.Subset(dataset, range(6)), batch_size=2)))) is list
    assert type(next(iter(DataLoader((X, y), batch_size=2)))) is tuple
    assert type(next(iter(DataLoader(X, y, batch_size=2)))) is tuple


def test_a_dataset_without_len_reads_through_a_sampler_of_its_own_as_torchs():
    class Doubling(nn.data.Dataset):
        def __getitem__(self, index):
            return np.array([index, 2 * index])

    by_sampler = DataLoader(Doubling(), sampler=[3, 1], batch_size=2)
    assert len(by_sampler) == 1 and [b.tolist() for b in by_sampler] == [[[3, 6], [1, 2]]]
    by_batches = DataLoader(Doubling(), batch_sampler=[[3, 1], [0]])
    assert [b.tolist() for b in by_batches] == [[[3, 6], [1, 2]], [[0, 0]]]
    assert "dataset=Doubling" in repr(by_batches)
    with pytest.raises(NotImplementedError, match="must define __len__"):
        DataLoader(Doubling(), batch_size=2)  # the default sampler counts the samples


def test_len_of_a_dataset_without_len_is_the_type_error_torchs_is():
    """torch's Dataset has no ``__len__``, so ``len()`` of a subclass without one is Python's TypeError; ours is that
    TypeError too (and the NotImplementedError it was), so ``try: len(ds) except TypeError`` works alike."""
    torch = pytest.importorskip("torch")

    class TorchDoubling(torch.utils.data.Dataset):
        def __getitem__(self, index):
            return index

    class Doubling(nn.data.Dataset):
        def __getitem__(self, index):
            return index

    with pytest.raises(TypeError):
        len(TorchDoubling())
    with pytest.raises(TypeError, match="'Doubling' has no len"):
        len(Doubling())
    with pytest.raises(NotImplementedError, match="must define __len__"):
        len(Doubling())


# -- samples nested deeper than the recursion limit ----------------------------------------------------------------


def _nested(depth, leaf, kind):
    sample = leaf
    for level in range(depth):
        sample = {"k": sample} if kind == "dict" else [sample, level] if kind == "list" else (sample,)
    return sample


@pytest.mark.parametrize("kind", ["dict", "list", "tuple"])
def test_default_collate_of_samples_nested_deeper_than_the_recursion_limit(kind):
    depth = 2000  # twice Python's default recursion limit
    batch = nn.data.default_collate([_nested(depth, float(i), kind) for i in range(3)])
    for level in reversed(range(depth)):
        if kind == "list":
            np.testing.assert_array_equal(batch[1], [level] * 3)
        batch = batch["k"] if kind == "dict" else batch[0]
    np.testing.assert_array_equal(batch, [0.0, 1.0, 2.0])


@pytest.mark.parametrize("kind", ["dict", "list", "tuple"])
def test_default_collate_of_nested_samples_matches_torch(kind):
    torch = pytest.importorskip("torch")
    samples = [_nested(200, float(i), kind) for i in range(3)]
    ours, theirs = nn.data.default_collate(samples), torch.utils.data.default_collate(samples)
    while isinstance(theirs, (dict, list)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs)
        if kind == "list":
            np.testing.assert_array_equal(ours[1], theirs[1].numpy())
        ours, theirs = (ours["k"], theirs["k"]) if kind == "dict" else (ours[0], theirs[0])
    np.testing.assert_array_equal(ours, theirs.numpy())


def test_default_collate_refuses_a_sample_that_contains_itself():
    sample = [1.0]
    sample.append(sample)
    with pytest.raises(ValueError, match="contains itself"):
        nn.data.default_collate([sample, sample])


@pytest.mark.parametrize("kind", ["dict", "list", "tuple"])
def test_default_convert_of_a_sample_nested_deeper_than_the_recursion_limit(kind):
    converted = nn.data.default_convert(_nested(2000, np.float32(1.5), kind))
    for level in reversed(range(2000)):
        assert type(converted) is {"dict": dict, "list": list, "tuple": list}[kind]
        if kind == "list":
            assert converted[1] == level
        converted = converted["k"] if kind == "dict" else converted[0]
    assert type(converted) is Tensor and converted.shape == () and converted.item() == 1.5


def test_default_convert_of_nested_samples_matches_torch():
    torch = pytest.importorskip("torch")
    sample = {"a": [np.float64(2.0), (np.int64(3), "s")], "b": Tensor(np.arange(3.0)), "c": range(2)}
    ours, theirs = nn.data.default_convert(sample), torch.utils.data.default_convert(sample)
    assert list(ours) == list(theirs) == ["a", "b", "c"]
    assert float(ours["a"][0]) == float(theirs["a"][0]) and int(ours["a"][1][0]) == int(theirs["a"][1][0])
    assert ours["a"][1][1] == theirs["a"][1][1] == "s" and list(ours["c"]) == list(theirs["c"]) == [0, 1]


def test_default_convert_refuses_a_sample_that_contains_itself():
    sample = [1.0]
    sample.append(sample)
    with pytest.raises(ValueError, match="contains itself"):
        nn.data.default_convert(sample)


@pytest.mark.parametrize("indices", [[0.0, 1.9], ["1", "2"], [True, False]])
def test_sampler_indices_that_are_not_integers_raise_index_error(indices):
    # torch's dataset[0.0] is an IndexError; a cast to int read rows 0 and 1 for 0.0 and 1.9
    X = np.arange(10.0).reshape(5, 2)
    with pytest.raises(IndexError, match="DataLoader: sample indices must be integers"):
        next(iter(DataLoader(X, batch_size=2, sampler=indices)))
    with pytest.raises(IndexError, match="DataLoader: sample indices must be integers"):
        next(iter(DataLoader(X, batch_sampler=[indices])))


def test_sampler_index_out_of_range_raises_index_error_naming_it():
    X = np.arange(10.0).reshape(5, 2)
    with pytest.raises(IndexError, match="sample index 5 is out of range for a dataset of 5 samples"):
        next(iter(DataLoader(X, batch_size=2, sampler=[0, 5])))
    np.testing.assert_array_equal(next(iter(DataLoader(X, batch_size=2, sampler=[-1, -5]))), X[[-1, -5]])


@pytest.mark.parametrize("drop_last", ["no", 1, 0, None])
def test_drop_last_that_is_not_a_bool_is_a_value_error_as_torchs(drop_last):
    # torch's BatchSampler refuses it (ValueError); bool('no') silently dropped the last batch
    X = np.arange(10.0).reshape(5, 2)
    with pytest.raises(ValueError, match="DataLoader: drop_last must be True or False"):
        DataLoader(X, batch_size=2, drop_last=drop_last)
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="drop_last should be a boolean value"):
        torch.utils.data.DataLoader(torch.from_numpy(X), batch_size=2, drop_last=drop_last)


@pytest.mark.parametrize("batch_size", [None, 1, 2])
def test_a_dict_of_samples_by_index_is_a_dataset_as_torchs(batch_size):
    _, data = torch_data()
    samples = {0: (np.array([1.0, 2.0]), 0), 1: (np.array([3.0, 4.0]), 1), 2: (np.array([5.0, 6.0]), 0)}
    ours = DataLoader(samples, batch_size=batch_size)
    assert len(ours) == len(data.DataLoader(samples, batch_size=batch_size))
    assert_same_batches(list(ours), list(data.DataLoader(samples, batch_size=batch_size)))


def test_batches_are_tensors_so_a_torch_training_loops_lines_run():
    # the lines of torch's tutorials' loops, which numpy batches failed (labels.size(0), images.view, .to(device))
    X, y = np.arange(40, dtype=np.float32).reshape(10, 1, 2, 2), np.arange(10) % 3
    total = correct = 0
    for images, labels in DataLoader(TensorDataset(X, y), batch_size=4):
        images, labels = images.to("cpu"), labels.to("cpu")
        flat = images.view(images.size(0), -1)
        predicted = flat.sum(dim=1).long() % 3
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
        assert flat.shape == (len(labels), 4) and labels.dtype == np.int64 and labels.numel() == len(labels)
    assert total == 10
    assert correct == int(((X.reshape(10, -1).sum(axis=1).astype(np.int64) % 3) == y).sum())


def test_batch_types_and_dtypes_match_torchs():
    torch = pytest.importorskip("torch")
    X, y = np.arange(12.0, dtype=np.float32).reshape(6, 2), np.arange(6)
    ours = next(iter(DataLoader(TensorDataset(X, y), batch_size=4)))
    theirs = next(
        iter(torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y)), 4))
    )
    assert [type(batch) for batch in ours] == [Tensor, Tensor] and type(ours) is type(theirs)
    for mine, reference in zip(ours, theirs):
        assert str(mine.dtype) == str(reference.dtype).replace("torch.", "") and mine.shape == tuple(reference.shape)
        np.testing.assert_array_equal(mine, reference.numpy())
    sample, their_sample = TensorDataset(X, y)[2], torch.utils.data.TensorDataset(torch.tensor(X), torch.tensor(y))[2]
    assert [type(field) for field in sample] == [Tensor, Tensor] and sample[1].shape == their_sample[1].shape == ()
    assert sample[1].item() == their_sample[1].item() == 2


def test_a_tensor_dataset_of_a_tensor_that_requires_grad_reads_its_rows_in_the_graph():
    # torch's TensorDataset indexes the tensors themselves: gradients reach the data (dataset distillation,
    # adversarial inputs)
    from autograd import Tensor

    X = Tensor(np.arange(8.0).reshape(4, 2), requires_grad=True)
    y = Tensor(np.arange(4.0), requires_grad=True)
    dataset = TensorDataset(X, y)
    assert dataset[1][0].requires_grad and dataset.tensors[0] is X
    for loader in (DataLoader(dataset, batch_size=3), DataLoader(X, y, batch_size=3, shuffle=True)):
        X.grad = y.grad = None
        for xb, yb in loader:
            assert xb.requires_grad and yb.requires_grad
            (2 * xb.sum() + 3 * yb.sum()).backward()
        np.testing.assert_array_equal(X.grad, np.full((4, 2), 2.0))
        np.testing.assert_array_equal(y.grad, np.full(4, 3.0))


def test_tensor_dataset_tensors_are_tensors_sharing_the_arrays():
    from autograd import Tensor

    X, y = np.arange(12, dtype=np.float32).reshape(6, 2), np.arange(6)
    features, labels = TensorDataset(X, y).tensors
    assert isinstance(features, Tensor) and isinstance(labels, Tensor)
    assert features.size(0) == 6 and features.dtype == np.float32 and labels.dtype == y.dtype
    assert np.shares_memory(features.data, X)


@pytest.mark.parametrize(
    "make_lengths",
    [
        lambda: np.array([3, 7]),
        lambda: np.array([0.3, 0.7]),
        lambda: Tensor(np.array([3, 7])),
        lambda: Tensor(np.array([0.3, 0.7])),
        lambda: [Tensor(np.array(3)), np.int64(7)],
    ],
    ids=["array of counts", "array of fractions", "tensor of counts", "tensor of fractions", "list of 0-d tensors"],
)
def test_random_split_takes_lengths_as_a_tensor_or_an_array_as_torch(make_lengths):
    parts = nn.data.random_split(range(10), make_lengths(), generator=0)
    assert [len(part) for part in parts] == [3, 7]
    assert sorted(index for part in parts for index in part) == list(range(10))


# -- generic classes ---------------------------------------------------------------------------------------------

#: The data classes torch makes generic in their sample (or index) type, for annotations and typed subclasses.
GENERIC_CLASSES = [
    "Dataset",
    "IterableDataset",
    "Subset",
    "ConcatDataset",
    "ChainDataset",
    "StackDataset",
    "Sampler",
    "DataLoader",
]


@pytest.mark.parametrize("name", GENERIC_CLASSES)
def test_data_classes_take_a_type_parameter_as_torchs(name):
    """``Dataset[tuple[Tensor, int]]`` and ``DataLoader[Any]`` are common in typed torch code: in annotations, and
    as the base of a dataset class."""
    ours = getattr(nn.data, name)
    assert ours[tuple[Tensor, int]].__origin__ is ours
    _, data = torch_data()
    assert getattr(data, name)[tuple[int, int]] is not None


def test_a_dataset_subclasses_its_typed_base():
    class Pairs(nn.data.Dataset[tuple[np.ndarray, int]]):
        def __len__(self) -> int:
            return 3

        def __getitem__(self, index: int) -> tuple[np.ndarray, int]:
            return np.full(2, index, dtype=np.float32), index

    class Stream(nn.data.IterableDataset[int]):
        def __iter__(self):
            return iter(range(3))

    x, y = next(iter(DataLoader(Pairs(), batch_size=3)))
    assert x.shape == (3, 2) and y.tolist() == [0, 1, 2]
    assert [batch.tolist() for batch in DataLoader(Stream(), batch_size=2)] == [[0, 1], [2]]
