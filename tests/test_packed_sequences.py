"""nn.utils.rnn's packed sequences and the recurrent layers reading them, checked on their own (layouts,
errors, gradients by finite differences) and against torch's (values and every gradient)."""

import numpy as np
import pytest

import nn
from autograd import Tensor, gradcheck
from nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)

RNG = np.random.default_rng(7)


def padded_batch(lengths, features=2, batch_first=False):
    steps = max(lengths)
    shape = (len(lengths), steps, features) if batch_first else (steps, len(lengths), features)
    return RNG.normal(size=shape)


# -- the layout -------------------------------------------------------------------------------------------------


def test_packed_data_is_time_major_over_the_sequences_still_running():
    x = np.arange(12.0).reshape(4, 3, 1)  # (T=4, B=3): x[t, b] = 3 t + b
    packed = pack_padded_sequence(Tensor(x), [4, 2, 1])
    np.testing.assert_array_equal(packed.data.data.ravel(), [0, 1, 2, 3, 4, 6, 9])
    np.testing.assert_array_equal(packed.batch_sizes, [3, 2, 1, 1])
    assert packed.sorted_indices is None and packed.unsorted_indices is None


def test_unsorted_lengths_are_sorted_longest_first_with_the_permutation_kept():
    packed = pack_padded_sequence(Tensor(padded_batch([2, 4, 1])), [2, 4, 1], enforce_sorted=False)
    np.testing.assert_array_equal(packed.sorted_indices, [1, 0, 2])
    np.testing.assert_array_equal(packed.unsorted_indices, [1, 0, 2])
    np.testing.assert_array_equal(packed.lengths(), [2, 4, 1])


def test_pad_then_pack_round_trips_and_the_padding_takes_padding_value():
    lengths = [3, 1, 2]
    x = padded_batch(lengths, batch_first=True)
    packed = pack_padded_sequence(Tensor(x), lengths, batch_first=True, enforce_sorted=False)
    padded, got_lengths = pad_packed_sequence(packed, batch_first=True, padding_value=-5.0, total_length=4)
    np.testing.assert_array_equal(got_lengths, lengths)
    assert padded.shape == (3, 4, 2)
    for b, length in enumerate(lengths):
        np.testing.assert_array_equal(padded.data[b, :length], x[b, :length])
        assert np.all(padded.data[b, length:] == -5.0)


def test_pad_packed_sequence_gives_the_lengths_as_an_int64_tensor_as_torch():
    torch = pytest.importorskip("torch")
    lengths = [3, 1, 2]
    x = padded_batch(lengths, batch_first=True)
    _, ours = pad_packed_sequence(pack_padded_sequence(Tensor(x), lengths, batch_first=True, enforce_sorted=False))
    theirs = torch.nn.utils.rnn.pad_packed_sequence(
        torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), lengths, batch_first=True, enforce_sorted=False)
    )[1]
    assert isinstance(ours, Tensor) and not ours.requires_grad
    assert ours.dtype == np.int64 and str(theirs.dtype) == "torch.int64"
    # the idioms torch code writes with them: a mask, a mean over the real steps
    np.testing.assert_array_equal(ours.unsqueeze(1).data, theirs.unsqueeze(1).numpy())
    np.testing.assert_array_equal((ours.float() - 1).data, (theirs.float() - 1).numpy())
    assert ours.tolist() == theirs.tolist()


def test_pack_sequence_and_unpack_sequence_are_inverse():
    sequences = [Tensor(RNG.normal(size=(n, 3))) for n in (2, 5, 3)]
    unpacked = unpack_sequence(pack_sequence(sequences, enforce_sorted=False))
    for got, expected in zip(unpacked, sequences, strict=True):
        np.testing.assert_array_equal(got.data, expected.data)


def test_unpad_sequence_cuts_each_sequence_at_its_length():
    sequences = [Tensor(RNG.normal(size=(n,))) for n in (1, 4)]
    cut = unpad_sequence(pad_sequence(sequences), [1, 4])
    assert [tuple(c.shape) for c in cut] == [(1,), (4,)]


def test_gradients_reach_the_real_steps_only():
    lengths = [3, 1]
    x = Tensor(padded_batch(lengths), requires_grad=True)
    packed = pack_padded_sequence(x, lengths)
    padded, _ = pad_packed_sequence(packed, padding_value=9.0)
    (padded * padded).sum().backward()
    mask = (np.arange(3)[:, None] < np.array(lengths)[None, :])[..., None]
    np.testing.assert_array_equal(x.grad, np.where(mask, 2 * x.data, 0.0))


def test_packing_is_differentiable_by_finite_differences():
    lengths = [2, 3, 1]

    def packed_then_padded(x):
        packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
        return pad_packed_sequence(packed, batch_first=True)[0].tanh()

    assert gradcheck(packed_then_padded, [Tensor(padded_batch(lengths), requires_grad=True)])


@pytest.mark.parametrize(
    ("lengths", "options", "error", "message"),
    [
        ([2, 3], {}, RuntimeError, "sorted in decreasing order"),
        ([2, 0], {}, RuntimeError, "greater than 0"),
        ([2], {}, RuntimeError, r"equal to batch_size, but got 1 \(batch_size=2\)"),
        ([5, 1], {}, ValueError, "a length of 5 exceeds the 3 time steps"),
        ([2.5, 1.0], {}, ValueError, "1-D sequence of integers"),
    ],
)
def test_bad_lengths_are_refused(lengths, options, error, message):
    with pytest.raises(error, match=message):
        pack_padded_sequence(Tensor(np.zeros((3, 2, 1))), lengths, **options)


def test_total_length_shorter_than_the_longest_sequence_is_refused():
    packed = pack_sequence([Tensor(np.zeros((3, 1))), Tensor(np.zeros((2, 1)))])
    with pytest.raises(ValueError, match="total_length=2 and max sequence length being 3"):
        pad_packed_sequence(packed, total_length=2)


# -- recurrent layers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_a_packed_batch_gives_each_sequence_what_it_gives_alone(cls):
    layer = getattr(nn, cls)(2, 3, bidirectional=True, dtype=np.float64, rng=0)
    lengths = [2, 4, 1]
    x = padded_batch(lengths)
    output, final = layer(pack_padded_sequence(Tensor(x), lengths, enforce_sorted=False))
    assert isinstance(output, PackedSequence)
    padded, _ = pad_packed_sequence(output)
    h_n = final[0] if cls == "LSTM" else final
    for b, length in enumerate(lengths):
        alone_output, alone_final = layer(Tensor(x[:length, b]))
        np.testing.assert_allclose(padded.data[:length, b], alone_output.data, rtol=1e-12)
        alone_h = alone_final[0] if cls == "LSTM" else alone_final
        np.testing.assert_allclose(h_n.data[:, b], alone_h.data, rtol=1e-12)


def test_a_packed_lstm_is_differentiable_by_finite_differences():
    layer = nn.LSTM(2, 2, num_layers=2, dtype=np.float64, rng=1)
    lengths = [3, 1, 2]

    def run(x):
        output, (h_n, c_n) = layer(pack_padded_sequence(x, lengths, enforce_sorted=False))
        return output.data.sum() + (h_n * c_n).sum()

    assert gradcheck(run, [Tensor(padded_batch(lengths), requires_grad=True)])


def test_packed_data_of_the_wrong_width_is_refused():
    packed = pack_sequence([Tensor(np.zeros((2, 5)))])
    with pytest.raises(ValueError, match=r"data has shape \(sum of lengths, 3\)"):
        nn.GRU(3, 2)(packed)


# -- torch ------------------------------------------------------------------------------------------------------


def _torch_packed(torch, x, lengths, enforce_sorted, batch_first=False):
    return torch.nn.utils.rnn.pack_padded_sequence(
        x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=enforce_sorted
    )


@pytest.mark.parametrize("lengths", [[4, 2, 2, 1], [1, 3, 3, 2], [2, 2, 2]])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pack_and_pad_match_torch(lengths, batch_first):
    torch = pytest.importorskip("torch")
    x = padded_batch(lengths, batch_first=batch_first)
    ours = pack_padded_sequence(Tensor(x), lengths, batch_first=batch_first, enforce_sorted=False)
    theirs = _torch_packed(torch, torch.tensor(x), lengths, False, batch_first)
    np.testing.assert_array_equal(ours.data.data, theirs.data.numpy())
    np.testing.assert_array_equal(ours.batch_sizes, theirs.batch_sizes.numpy())
    np.testing.assert_array_equal(ours.sorted_indices, theirs.sorted_indices.numpy())
    np.testing.assert_array_equal(ours.unsorted_indices, theirs.unsorted_indices.numpy())
    padded, ours_lengths = pad_packed_sequence(ours, batch_first=batch_first, padding_value=1.5, total_length=6)
    theirs_padded, theirs_lengths = torch.nn.utils.rnn.pad_packed_sequence(
        theirs, batch_first=batch_first, padding_value=1.5, total_length=6
    )
    np.testing.assert_array_equal(padded.data, theirs_padded.numpy())
    np.testing.assert_array_equal(ours_lengths, theirs_lengths.numpy())


CASES = [
    ("RNN", {}, False),
    ("LSTM", {"num_layers": 2, "bidirectional": True}, False),
    ("LSTM", {}, True),
    ("GRU", {"bidirectional": True}, False),
    ("GRU", {"num_layers": 2}, True),
]


@pytest.mark.parametrize(("cls", "options", "enforce_sorted"), CASES, ids=str)
def test_recurrent_layers_on_packed_batches_match_torch(cls, options, enforce_sorted):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch.nn, cls)(2, 3, dtype=torch.float64, **options)
    ours = getattr(nn, cls)(2, 3, dtype=np.float64, **options)
    for name, parameter in theirs.named_parameters():
        getattr(ours, name).data[...] = parameter.detach().numpy()
    lengths = [4, 3, 1] if enforce_sorted else [2, 4, 1]
    states = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    x = padded_batch(lengths)
    initial = [RNG.normal(size=(states, 3, 3)) for _ in range(2 if cls == "LSTM" else 1)]
    ours_in = [Tensor(a.copy(), requires_grad=True) for a in [x, *initial]]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in [x, *initial]]

    def run(layer, inputs, pack, unpack):
        hx = (inputs[1], inputs[2]) if cls == "LSTM" else inputs[1]
        output, final = layer(pack(inputs[0]), hx)
        padded = unpack(output)
        finals = final if cls == "LSTM" else (final,)
        loss = (padded * padded).sum() + sum((f * (k + 1)).sum() for k, f in enumerate(finals))
        loss.backward()
        return padded, finals

    ours_out, ours_finals = run(
        ours, ours_in, lambda v: pack_padded_sequence(v, lengths, enforce_sorted=enforce_sorted),
        lambda p: pad_packed_sequence(p)[0],
    )  # fmt: skip
    theirs_out, theirs_finals = run(
        theirs, theirs_in, lambda v: _torch_packed(torch, v, lengths, enforce_sorted),
        lambda p: torch.nn.utils.rnn.pad_packed_sequence(p)[0],
    )  # fmt: skip
    np.testing.assert_allclose(ours_out.data, theirs_out.detach().numpy(), rtol=1e-12, atol=1e-14)
    for mine, reference in zip(ours_finals, theirs_finals, strict=True):
        np.testing.assert_allclose(mine.data, reference.detach().numpy(), rtol=1e-12, atol=1e-14)
    for mine, reference in zip(ours_in, theirs_in, strict=True):
        np.testing.assert_allclose(mine.grad, reference.grad.numpy(), rtol=1e-11, atol=1e-13)
    for name, parameter in theirs.named_parameters():
        np.testing.assert_allclose(
            getattr(ours, name).grad, parameter.grad.numpy(), rtol=1e-11, atol=1e-13, err_msg=name
        )


def test_packed_sequence_converts_its_data_as_torchs():
    torch = pytest.importorskip("torch")
    padded = np.random.default_rng(0).standard_normal((3, 2, 4)).astype(np.float32)
    ours = nn.utils.rnn.pack_padded_sequence(Tensor(padded, requires_grad=True), [3, 2])
    theirs = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(padded), [3, 2])
    assert ours.to(np.float32) is ours and theirs.to(torch.float32) is theirs
    assert ours.cpu() is ours and theirs.cpu() is theirs
    assert ours.is_cuda is theirs.is_cuda is False and ours.is_pinned() is theirs.is_pinned() is False
    for method, dtype in [("double", np.float64), ("half", np.float16), ("float", np.float32), ("long", np.int64)]:
        converted, their_converted = getattr(ours, method)(), getattr(theirs, method)()
        assert converted.data.dtype == dtype == their_converted.data.numpy().dtype
        np.testing.assert_array_equal(converted.data.data, their_converted.data.numpy())
        np.testing.assert_array_equal(converted.batch_sizes, their_converted.batch_sizes.numpy())
    doubled = ours.to(dtype=np.float64)
    assert isinstance(doubled, nn.utils.rnn.PackedSequence) and doubled.data.dtype == np.float64
    doubled.data.sum().backward()  # on the graph: the gradient reaches the padded input
    unpacked, lengths = nn.utils.rnn.pad_packed_sequence(doubled)
    their_unpacked, their_lengths = torch.nn.utils.rnn.pad_packed_sequence(theirs.to(torch.float64))
    np.testing.assert_array_equal(unpacked.data, their_unpacked.numpy())
    np.testing.assert_array_equal(lengths, their_lengths.numpy())


def test_a_packed_sequence_built_with_sorted_indices_only_gets_their_inverse_as_torchs():
    torch = pytest.importorskip("torch")
    data = np.arange(6.0)
    sorted_indices = [2, 0, 1]  # lengths 1, 2, 3 in batch order
    ours = PackedSequence(Tensor(data), np.array([3, 2, 1]), np.array(sorted_indices))
    theirs = torch.nn.utils.rnn.PackedSequence(
        torch.tensor(data), torch.tensor([3, 2, 1]), torch.tensor(sorted_indices)
    )
    np.testing.assert_array_equal(ours.unsorted_indices, theirs.unsorted_indices.numpy())
    padded, lengths = pad_packed_sequence(ours, batch_first=True)
    their_padded, their_lengths = torch.nn.utils.rnn.pad_packed_sequence(theirs, batch_first=True)
    np.testing.assert_array_equal(padded.data, their_padded.numpy())
    np.testing.assert_array_equal(lengths, their_lengths.numpy())
    assert PackedSequence(Tensor(data), np.array([3, 2, 1])).unsorted_indices is None


@pytest.mark.parametrize("as_tensor", [False, True])
def test_lengths_of_a_float_dtype_holding_whole_numbers_pack_as_torchs(as_tensor):
    torch = pytest.importorskip("torch")
    x = padded_batch([3, 1, 2])
    mask = np.array([[1.0, 1.0, 1.0], [1.0, 0.0, 0.0], [1.0, 1.0, 0.0]])  # lengths summed from a float mask
    lengths = mask.sum(axis=1)
    ours = pack_padded_sequence(Tensor(x), Tensor(lengths) if as_tensor else list(lengths), enforce_sorted=False)
    their_lengths = torch.tensor(lengths) if as_tensor else list(lengths)
    theirs = torch.nn.utils.rnn.pack_padded_sequence(torch.tensor(x), their_lengths, enforce_sorted=False)
    np.testing.assert_array_equal(ours.data.data, theirs.data.numpy())
    np.testing.assert_array_equal(ours.batch_sizes, theirs.batch_sizes.numpy())
    np.testing.assert_array_equal(ours.sorted_indices, theirs.sorted_indices.numpy())
    unpadded = unpad_sequence(Tensor(x), Tensor(lengths) if as_tensor else list(lengths))
    their_unpadded = torch.nn.utils.rnn.unpad_sequence(torch.tensor(x), torch.tensor(lengths))
    for mine, reference in zip(unpadded, their_unpadded, strict=True):
        np.testing.assert_array_equal(mine.data, reference.numpy())


def test_unpad_sequence_gives_back_an_empty_sequence_that_pad_sequence_took():
    # torch: pad_sequence accepts a sequence of no steps and unpad_sequence returns it (length 0 is not packing)
    from nn.utils.rnn import pad_sequence, unpad_sequence

    sequences = [Tensor(np.ones((2, 3))), Tensor(np.zeros((0, 3))), Tensor(np.full((1, 3), 2.0))]
    for batch_first in (False, True):
        padded = pad_sequence(sequences, batch_first=batch_first)
        pieces = unpad_sequence(padded, [2, 0, 1], batch_first=batch_first)
        assert [piece.shape for piece in pieces] == [(2, 3), (0, 3), (1, 3)]
        for piece, sequence in zip(pieces, sequences):
            np.testing.assert_array_equal(piece.data, sequence.data)
    with pytest.raises(ValueError, match=r"^unpad_sequence: lengths must not be negative"):
        unpad_sequence(padded, [2, -1, 1], batch_first=True)
    with pytest.raises(ValueError, match=r"^unpad_sequence: lengths must be a 1-D sequence of integers"):
        unpad_sequence(padded, [[2, 0, 1]], batch_first=True)


def test_packing_an_empty_batch_is_refused_with_torchs_reason():
    from nn.utils.rnn import pack_padded_sequence

    with pytest.raises(RuntimeError, match="Cannot pack empty tensors"):
        pack_padded_sequence(Tensor(np.zeros((5, 0, 3))), [])
