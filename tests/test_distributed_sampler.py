"""DistributedSampler: each replica's share of a dataset, as torch.utils.data.DistributedSampler.

Without shuffling the shares are torch's exactly; with it, the same seed and epoch give every replica the same
permutation to take its share from (the permutation itself is numpy's, not torch's)."""

import pytest

from nn.data import DataLoader, DistributedSampler

SHAPES = [
    (n, replicas, drop_last)
    for n in (0, 1, 5, 8, 10, 11)
    for replicas in (1, 2, 3, 4, 7)
    for drop_last in (False, True)
]


def shares(sampler_class, n, replicas, **options):
    samplers = [sampler_class(range(n), num_replicas=replicas, rank=rank, **options) for rank in range(replicas)]
    return [list(sampler) for sampler in samplers], [len(sampler) for sampler in samplers]


@pytest.mark.parametrize(("n", "replicas", "drop_last"), SHAPES)
def test_unshuffled_shares_and_lengths_match_torch(n, replicas, drop_last):
    torch = pytest.importorskip("torch")
    ours = shares(DistributedSampler, n, replicas, shuffle=False, drop_last=drop_last)
    theirs = shares(torch.utils.data.DistributedSampler, n, replicas, shuffle=False, drop_last=drop_last)
    assert ours == theirs


@pytest.mark.parametrize(("n", "replicas", "drop_last"), SHAPES)
def test_shuffled_shares_split_one_permutation(n, replicas, drop_last):
    indices, lengths = shares(DistributedSampler, n, replicas, seed=3, drop_last=drop_last)
    assert [len(share) for share in indices] == lengths
    assert len(set(lengths)) <= 1
    taken = [index for share in indices for index in share]
    if drop_last:
        assert len(taken) == len(set(taken)) and len(taken) == n - n % replicas
    else:
        assert set(taken) == set(range(n)) and len(taken) == -(-n // replicas) * replicas


def test_the_same_seed_and_epoch_give_the_same_order_and_set_epoch_changes_it():
    first = DistributedSampler(range(50), num_replicas=2, rank=1, seed=7)
    second = DistributedSampler(range(50), num_replicas=2, rank=1, seed=7)
    assert list(first) == list(second) == list(first)  # a pass does not move the epoch on, as torch's
    before = list(first)
    first.set_epoch(1)
    assert first.epoch == 1 and list(first) != before
    second.set_epoch(1)
    assert list(first) == list(second)
    assert list(DistributedSampler(range(50), num_replicas=2, rank=1, seed=8)) != before


def test_a_loader_reads_a_replicas_share():
    sampler = DistributedSampler(list(range(10)), num_replicas=3, rank=2, shuffle=False)
    assert [batch.tolist() for batch in DataLoader(list(range(10)), batch_size=2, sampler=sampler)] == [[2, 5], [8, 1]]


@pytest.mark.parametrize(("replicas", "rank"), [(2, 2), (2, -1), (0, 0)])
def test_a_rank_outside_the_replicas_is_torchs_value_error(replicas, rank):
    message = rf"Invalid rank {rank}, rank should be in the interval \[0, {replicas - 1}\]"
    with pytest.raises(ValueError, match=message):
        DistributedSampler(range(4), num_replicas=replicas, rank=rank)
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=message):
        torch.utils.data.DistributedSampler(range(4), num_replicas=replicas, rank=rank)


@pytest.mark.parametrize("given", [{"rank": 0}, {"num_replicas": 2}, {}])
def test_without_a_process_group_the_replicas_and_rank_must_be_given(given):
    """torch reads what is missing from its process group, and refuses when none was initialised; the library never
    has one."""
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DistributedSampler(range(4), **given)
    torch = pytest.importorskip("torch")
    if torch.distributed.is_available() and not torch.distributed.is_initialized():
        with pytest.raises(ValueError, match="Default process group has not been initialized"):
            torch.utils.data.DistributedSampler(range(4), **given)
