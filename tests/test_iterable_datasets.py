"""IterableDataset, ChainDataset and DataLoader over a stream behave as torch.utils.data's.

Each behaviour is checked on its own and, where torch's result is deterministic, against torch itself
(skipped when torch is not installed)."""

import numpy as np
import pytest
from test_data_torch_parity import as_numpy, assert_same_batches, torch_data

from nn.data import ChainDataset, DataLoader, IterableDataset, SequentialSampler, TensorDataset, get_worker_info


class Squares(IterableDataset):
    """The samples (x, x**2) for x in [start, stop), counting how many passes began."""

    def __init__(self, start: int, stop: int) -> None:
        self.start, self.stop, self.passes = start, stop, 0

    def __iter__(self):
        self.passes += 1
        for x in range(self.start, self.stop):
            yield np.array([x], dtype=np.float32), x * x


class SizedSquares(Squares):
    def __len__(self) -> int:
        return self.stop - self.start


def torch_squares(torch_utils, start, stop, sized=False):
    """torch's twin of Squares / SizedSquares."""

    class TorchSquares(torch_utils.IterableDataset):
        def __iter__(self):
            for x in range(start, stop):
                yield np.array([x], dtype=np.float32), x * x

    if not sized:
        return TorchSquares()

    class TorchSizedSquares(TorchSquares):
        def __len__(self):
            return stop - start

    return TorchSizedSquares()


def test_batches_take_consecutive_samples_and_the_last_batch_is_short():
    batches = list(DataLoader(Squares(0, 7), batch_size=3))
    assert [len(x) for x, _ in batches] == [3, 3, 1]
    np.testing.assert_array_equal(batches[0][0], [[0], [1], [2]])
    np.testing.assert_array_equal(batches[2][1], [36])


def test_drop_last_drops_the_short_batch():
    batches = list(DataLoader(Squares(0, 7), batch_size=3, drop_last=True))
    assert [len(x) for x, _ in batches] == [3, 3]


def test_each_pass_starts_a_fresh_iteration():
    dataset = Squares(0, 4)
    loader = DataLoader(dataset, batch_size=2)
    first, second = list(loader), list(loader)
    assert dataset.passes == 2
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a[0], b[0])


def test_without_batching_each_item_is_one_sample_as_the_stream_gives_it():
    items = list(DataLoader(Squares(2, 4), batch_size=None))
    assert len(items) == 2
    np.testing.assert_array_equal(items[1][0], [3.0])
    assert items[1][1] == 9


def test_collate_fn_receives_the_list_of_samples():
    sizes = list(DataLoader(Squares(0, 5), batch_size=2, collate_fn=len))
    assert sizes == [2, 2, 1]


@pytest.mark.parametrize("option", [{"shuffle": True}, {"sampler": [0, 1]}, {"batch_sampler": [[0, 1]]}])
def test_options_that_order_samples_are_refused(option):
    name = next(iter(option))
    with pytest.raises(ValueError, match=f"IterableDataset: expected unspecified {name} option"):
        DataLoader(Squares(0, 3), **option)


def test_shuffle_false_is_accepted():
    assert len(list(DataLoader(Squares(0, 3), batch_size=2, shuffle=False))) == 2


def test_length_is_the_number_of_batches_when_the_stream_is_sized():
    assert len(DataLoader(SizedSquares(0, 7), batch_size=3)) == 3
    assert len(DataLoader(SizedSquares(0, 7), batch_size=3, drop_last=True)) == 2
    assert len(DataLoader(SizedSquares(0, 7), batch_size=None)) == 7


def test_length_of_an_unsized_stream_is_a_type_error():
    with pytest.raises(TypeError, match="without __len__"):
        len(DataLoader(Squares(0, 7), batch_size=3))


def test_repr_does_not_ask_an_unsized_stream_for_its_length():
    assert "dataset=Squares" in repr(DataLoader(Squares(0, 3)))


def test_targets_beside_a_stream_are_refused():
    with pytest.raises(TypeError, match="holds its targets"):
        DataLoader(Squares(0, 3), np.zeros(3))


def test_a_stream_has_no_indices():
    with pytest.raises(TypeError, match="no indices"):
        Squares(0, 3)[0]


def test_chain_reads_each_stream_in_turn_and_sums_lengths():
    chained = SizedSquares(0, 2) + SizedSquares(5, 7)
    assert isinstance(chained, ChainDataset)
    assert [int(x[0]) for x, _ in chained] == [0, 1, 5, 6]
    assert len(chained) == 4


def test_chain_refuses_a_map_dataset_when_read():
    chained = ChainDataset([SizedSquares(0, 2), TensorDataset(np.zeros(3))])
    with pytest.raises(TypeError, match="dataset 1 is a TensorDataset"):
        list(chained)
    with pytest.raises(TypeError, match="dataset 1 is a TensorDataset"):
        len(chained)


def test_worker_info_is_none_in_process():
    assert get_worker_info() is None


def test_a_stream_is_not_sampled_as_a_map_dataset():
    with pytest.raises(TypeError):
        list(SequentialSampler(Squares(0, 3)))


@pytest.mark.parametrize("batch_size, drop_last", [(3, False), (3, True), (1, False), (10, False), (None, False)])
def test_batches_match_torch(batch_size, drop_last):
    _, torch_utils = torch_data()
    ours = list(DataLoader(Squares(0, 7), batch_size=batch_size, drop_last=drop_last))
    theirs = list(torch_utils.DataLoader(torch_squares(torch_utils, 0, 7), batch_size=batch_size, drop_last=drop_last))
    assert_same_batches(ours, theirs)


@pytest.mark.parametrize("batch_size, drop_last", [(3, False), (3, True), (None, False)])
def test_length_matches_torch(batch_size, drop_last):
    _, torch_utils = torch_data()
    ours = DataLoader(SizedSquares(0, 7), batch_size=batch_size, drop_last=drop_last)
    theirs = torch_utils.DataLoader(
        torch_squares(torch_utils, 0, 7, sized=True), batch_size=batch_size, drop_last=drop_last
    )
    assert len(ours) == len(theirs)


def test_chain_matches_torch():
    _, torch_utils = torch_data()
    ours = [as_numpy(sample) for sample in Squares(0, 2) + Squares(3, 5)]
    theirs = [as_numpy(sample) for sample in torch_squares(torch_utils, 0, 2) + torch_squares(torch_utils, 3, 5)]
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_equal(a, b)


class LyingSquares(Squares):
    """A stream that reports 3 samples and yields more."""

    def __len__(self) -> int:
        return 3


def _fetch_warnings(loader, ask_length):
    """The messages of the warnings raised while reading a pass of ``loader`` (after ``len(loader)`` if asked)."""
    import warnings

    if ask_length:
        len(loader)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(loader)
    return [str(warning.message) for warning in caught]


def test_fetching_more_than_the_length_asked_of_a_stream_warns():
    messages = _fetch_warnings(DataLoader(LyingSquares(0, 5), batch_size=None), ask_length=True)
    assert len(messages) == 2
    assert "was reported to be 3(when accessing len(dataloader)), but 4 samples have been fetched" in messages[0]
    assert "but 5 samples have been fetched" in messages[1]


def test_no_length_warning_unless_the_length_was_asked():
    assert _fetch_warnings(DataLoader(LyingSquares(0, 5), batch_size=None), ask_length=False) == []


@pytest.mark.parametrize("batch_size, stop", [(None, 5), (None, 3), (2, 5), (1, 5), (2, 9)])
@pytest.mark.parametrize("ask_length", [True, False])
def test_length_warnings_match_torch(batch_size, stop, ask_length):
    _, torch_utils = torch_data()

    class TorchLying(torch_utils.IterableDataset):
        def __iter__(self):
            return iter(range(stop))

        def __len__(self):
            return 3

    ours = _fetch_warnings(DataLoader(LyingSquares(0, stop), batch_size=batch_size), ask_length)
    theirs = _fetch_warnings(torch_utils.DataLoader(TorchLying(), batch_size=batch_size), ask_length)
    assert [message.split(" was reported")[1] for message in ours] == [
        message.split(" was reported")[1] for message in theirs
    ]


def test_indexing_a_stream_is_torchs_not_implemented_error():
    """torch's IterableDataset inherits Dataset.__getitem__, a NotImplementedError; ours is that and a TypeError."""
    with pytest.raises(NotImplementedError, match="no indices"):
        Squares(0, 3)[0]
    _, torch_utils = torch_data()
    with pytest.raises(NotImplementedError):
        torch_squares(torch_utils, 0, 3)[0]
