"""PyTorch's test/nn/test_packed_sequence.py and the recurrent-layer tests of test/test_nn.py (RNN, LSTM, GRU and
their cells) ported, each case run beside torch with weights copied from torch's modules.

From test_packed_sequence.py: the dtype casts of a PackedSequence (double/float/long/int/short/char/byte), the
refusal of unsorted lengths, pad_sequence over a Tensor's first axis and of a non-iterable, ``total_length``
(errors below the longest length, extra padding above it), ``PackedSequence.to``/``cpu`` returning itself,
pad_sequence (batch_first, padding_value, padding_side, trailing axes), unpad_sequence, pack_sequence (fields,
enforce_sorted, agreement with pack_padded_sequence), unpack_sequence, and pack_padded_sequence's layout, inverse,
gradient and error messages. From test_nn.py: cells with a zero hidden size, layers with a zero input size, cells
refusing mismatched batches and sizes, invalid dropout probabilities and nonlinearities, the nonlinearity given
positionally, a dropout changed after construction, the argument checks of the layers (input, state and projection
shapes), the missing initial state meaning zeros, an LSTMCell backpropagating from one of its outputs only,
backpropagating twice with ``retain_graph``; plus the grid of the brief: every layer over num_layers,
bidirectional, batch_first, bias, proj_size, unbatched inputs and initial states given or not, in float32
(values) and float64 (values and the gradients of the input, the states and every weight), dropout between
layers (p=0 exact while training, p>0 random while training and absent in eval), ``flatten_parameters``,
state_dict keys and loading torch's, and PackedSequence inputs giving torch's outputs and final states.

Left out: CUDA, cuDNN, half precision, weight_norm on cuDNN RNNs, MKLDNN and TorchScript cases (no devices or jit
here); ``to(memory_format=...)`` of a Conv2d (not about packed sequences); bool/bfloat16 casts (torch's
PackedSequence has none). The errors' classes: ours are ShapeError (a ValueError and a RuntimeError) where torch
raises RuntimeError or ValueError, so the tests ask for torch's class and a key phrase of the message.

Differences left alone (deliberate): an RNNCell with an unknown nonlinearity is refused when it is made (a
ValueError), where torch's is refused only when called (a RuntimeError); upstream's test_RNN_input_size_zero is
gone from torch 2.13, whose layers (not cells) refuse an input_size of 0, as ours do; an LSTMCell given a float64
cell state beside float32 weights promotes its new cell state to float64 in torch, where ours refuses the state's
dtype as it refuses a mismatched hidden state (torch's own LSTM layer refuses both).
"""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.utils import rnn as ours_rnn

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN:UserWarning")
theirs_rnn = torch.nn.utils.rnn

RNG = np.random.default_rng(2026)
LAYERS = ["RNN", "LSTM", "GRU"]
CELLS = ["RNNCell", "LSTMCell", "GRUCell"]


def copy_weights(ours, theirs):
    names = [name for name, _ in theirs.named_parameters()]
    assert [name for name, _ in ours.named_parameters()] == names
    for name, parameter in theirs.named_parameters():
        getattr(ours, name).data[...] = parameter.detach().numpy()


def pair(cls, *args, dtype=np.float64, **options):
    """Our layer and torch's of the same arguments, ours holding torch's weights."""
    theirs = getattr(torch.nn, cls)(*args, dtype=getattr(torch, np.dtype(dtype).name), **options)
    ours = getattr(nn, cls)(*args, dtype=dtype, **options)
    copy_weights(ours, theirs)
    return ours, theirs


def close(mine, reference, dtype=np.float64, err_msg=""):
    tolerance = {"rtol": 1e-10, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-5, "atol": 2e-6}
    mine = mine.data if isinstance(mine, Tensor) else np.asarray(mine)
    reference = reference.detach().numpy() if isinstance(reference, torch.Tensor) else np.asarray(reference)
    assert mine.shape == reference.shape, err_msg
    np.testing.assert_allclose(mine, reference, err_msg=err_msg, **tolerance)


def both(array, grad=False):
    return Tensor(array.copy(), requires_grad=grad), torch.tensor(array.copy(), requires_grad=grad)


# -- test_packed_sequence.py ------------------------------------------------------------------------------------

INT_AND_FLOAT = [np.float64, np.float32, np.int64, np.int32, np.int16, np.int8, np.uint8]
CASTS = ["double", "float", "long", "int", "short", "char", "byte"]


def sorted_sequences(dtype, cast="", batch=4, longest=5):
    low = 0 if dtype == np.uint8 or cast == "byte" else -100  # (a negative float into uint8 is undefined in C)
    lengths = sorted(RNG.integers(1, longest + 1, size=batch).tolist(), reverse=True)
    return [RNG.integers(low, 100, size=length).astype(dtype) for length in lengths]


@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("cast", CASTS)
@pytest.mark.parametrize("dtype", INT_AND_FLOAT, ids=lambda d: np.dtype(d).name)
def test_casting_a_packed_sequence_gives_the_dtype_and_values_torchs_cast_gives(dtype, cast, enforce_sorted):
    sequences = sorted_sequences(dtype, cast)
    lengths = [len(s) for s in sequences]
    ours = ours_rnn.pack_padded_sequence(
        ours_rnn.pad_sequence([Tensor(s) for s in sequences]), lengths, enforce_sorted=enforce_sorted
    )
    theirs = theirs_rnn.pack_padded_sequence(
        theirs_rnn.pad_sequence([torch.tensor(s) for s in sequences]), lengths, enforce_sorted=enforce_sorted
    )
    ours_padded = ours_rnn.pad_packed_sequence(getattr(ours, cast)())[0]
    theirs_padded = theirs_rnn.pad_packed_sequence(getattr(theirs, cast)())[0]
    assert ours_padded.dtype == np.dtype(str(theirs_padded.dtype).removeprefix("torch."))
    np.testing.assert_array_equal(ours_padded.data, theirs_padded.numpy())


def test_lengths_out_of_order_are_refused_while_enforce_sorted():
    padded = ours_rnn.pad_sequence([Tensor(np.ones((4, 3))), Tensor(np.ones((6, 3)))])
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        ours_rnn.pack_padded_sequence(padded, [4, 6], enforce_sorted=True)
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        theirs_rnn.pack_padded_sequence(torch.ones(6, 2, 3), [4, 6], enforce_sorted=True)


def test_pad_sequence_of_a_tensor_pads_the_sequences_along_its_first_axis():
    stacked = np.array([[[7, 6]], [[-7, -1]]])
    from_tuple = ours_rnn.pad_sequence((Tensor(stacked[0]), Tensor(stacked[1])))
    from_tensor = ours_rnn.pad_sequence(Tensor(stacked))
    reference = theirs_rnn.pad_sequence(torch.tensor(stacked))
    np.testing.assert_array_equal(from_tuple.data, reference.numpy())
    np.testing.assert_array_equal(from_tensor.data, reference.numpy())


def test_pad_sequence_of_a_non_iterable_is_torchs_runtime_error():
    with pytest.raises(RuntimeError, match="Expected iterable for input sequences"):
        theirs_rnn.pad_sequence(5)
    with pytest.raises(RuntimeError, match="Expected iterable for input sequences, but got arg of type"):
        ours_rnn.pad_sequence(5)


def packed_pair(lengths, features=(), enforce_sorted=True, dtype=np.float64):
    padded = RNG.normal(size=(max(lengths), len(lengths), *features)).astype(dtype)
    ours = ours_rnn.pack_padded_sequence(Tensor(padded), lengths, enforce_sorted=enforce_sorted)
    theirs = theirs_rnn.pack_padded_sequence(torch.tensor(padded), lengths, enforce_sorted=enforce_sorted)
    return ours, theirs


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("total_length", [-1, 0, 4])
def test_a_total_length_below_the_longest_sequence_is_a_value_error(batch_first, total_length):
    ours, theirs = packed_pair([5, 3, 1])
    with pytest.raises(ValueError, match="Expected total_length to be at least the length of the longest"):
        theirs_rnn.pad_packed_sequence(theirs, batch_first=batch_first, total_length=total_length)
    with pytest.raises(ValueError, match="Expected total_length to be at least the length of the longest"):
        ours_rnn.pad_packed_sequence(ours, batch_first=batch_first, total_length=total_length)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("extra", [0, 1, 8])
def test_a_total_length_beyond_the_longest_sequence_pads_to_it(batch_first, extra):
    ours, theirs = packed_pair([5, 3, 3, 1], features=(2,))
    got, got_lengths = ours_rnn.pad_packed_sequence(ours, batch_first=batch_first, total_length=5 + extra)
    want, want_lengths = theirs_rnn.pad_packed_sequence(theirs, batch_first=batch_first, total_length=5 + extra)
    close(got, want)
    np.testing.assert_array_equal(got_lengths.data, want_lengths.numpy())
    assert got.shape[1 if batch_first else 0] == 5 + extra


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_to_and_cpu_give_the_packed_sequence_itself_when_nothing_changes(enforce_sorted):
    sequences = [Tensor(s) for s in sorted_sequences(np.int32)]
    packed = ours_rnn.pack_sequence(sequences[::-1] if not enforce_sorted else sequences, enforce_sorted)
    assert packed.to("cpu") is packed
    assert packed.cpu() is packed
    assert packed.to("cpu", dtype=np.int32) is packed
    longer, converted = packed.long(), packed.to(np.int64)
    assert longer.data.dtype == converted.data.dtype == np.int64
    np.testing.assert_array_equal(longer.data.data, converted.data.data)
    np.testing.assert_array_equal(longer.batch_sizes, packed.batch_sizes)


ABC = [np.array([1, 2, 3]), np.array([4, 5]), np.array([6])]


@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("padding_value", [0, 1])
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("order", [(1, 0, 2), (0, 1, 2)])
def test_pad_sequence_of_vectors_matches_torch(order, batch_first, padding_value, padding_side):
    sequences = [ABC[k] for k in order]
    got = ours_rnn.pad_sequence([Tensor(s) for s in sequences], batch_first, padding_value, padding_side=padding_side)
    want = theirs_rnn.pad_sequence(
        [torch.tensor(s) for s in sequences], batch_first, padding_value, padding_side=padding_side
    )
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got.data, want.numpy())


def growing_sequences(trailing_axes, count=4):
    """Sequences of lengths 1, 4, 9, ... of shape (L, 3, 2, 2, ...) in a shuffled order (upstream's i*i)."""
    sequences = [RNG.random((i * i, 3, *[2] * trailing_axes)) for i in range(1, count + 1)]
    return [sequences[k] for k in RNG.permutation(count)]


@pytest.mark.parametrize("padding_side", ["right", "left"])
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("trailing_axes", [0, 1, 2, 3])
def test_pad_sequence_with_trailing_axes_matches_torch(trailing_axes, batch_first, padding_side):
    sequences = growing_sequences(trailing_axes)
    got = ours_rnn.pad_sequence([Tensor(s) for s in sequences], batch_first, padding_side=padding_side)
    want = theirs_rnn.pad_sequence([torch.tensor(s) for s in sequences], batch_first, padding_side=padding_side)
    np.testing.assert_array_equal(got.data, want.numpy())


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("trailing_axes", [None, 0, 1, 2, 3])
def test_unpad_sequence_gives_the_sequences_back(trailing_axes, batch_first):
    sequences = ABC if trailing_axes is None else growing_sequences(trailing_axes)
    lengths = [len(s) for s in sequences]
    padded = ours_rnn.pad_sequence([Tensor(s) for s in sequences], batch_first=batch_first)
    for lengths_as in (lengths, Tensor(np.array(lengths))):
        back = ours_rnn.unpad_sequence(padded, lengths_as, batch_first=batch_first)
        assert len(back) == len(sequences)
        for got, want in zip(back, sequences, strict=True):
            np.testing.assert_array_equal(got.data, want)


def fields(packed):
    def plain(value):
        if value is None:
            return None
        value = value.numpy() if isinstance(value, torch.Tensor) else np.asarray(value)
        return value.tolist()

    data = packed.data
    data = data.detach().numpy() if isinstance(data, torch.Tensor) else data.data
    return data.tolist(), plain(packed.batch_sizes), plain(packed.sorted_indices), plain(packed.unsorted_indices)


@pytest.mark.parametrize(("order", "enforce_sorted"), [((0, 1, 2), False), ((1, 2, 0), False), ((0, 1, 2), True)])
def test_pack_sequence_fields_match_torch(order, enforce_sorted):
    ours = ours_rnn.pack_sequence([Tensor(ABC[k]) for k in order], enforce_sorted=enforce_sorted)
    theirs = theirs_rnn.pack_sequence([torch.tensor(ABC[k]) for k in order], enforce_sorted=enforce_sorted)
    assert fields(ours) == fields(theirs)
    assert ours.batch_sizes.dtype == np.int64
    if enforce_sorted:
        assert ours.sorted_indices is None and ours.unsorted_indices is None


def test_pack_sequence_out_of_order_while_enforce_sorted_names_the_way_out():
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        theirs_rnn.pack_sequence([torch.tensor(ABC[k]) for k in (1, 2, 0)], enforce_sorted=True)
    with pytest.raises(RuntimeError, match="You can pass `enforce_sorted=False`"):
        ours_rnn.pack_sequence([Tensor(ABC[k]) for k in (1, 2, 0)], enforce_sorted=True)


@pytest.mark.parametrize("shuffled", [False, True])
@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize("trailing_axes", [0, 1, 2, 3])
def test_pack_sequence_agrees_with_padding_then_packing(trailing_axes, batch_first, shuffled):
    sequences = sorted(growing_sequences(trailing_axes), key=len, reverse=True)
    if shuffled:
        sequences = [sequences[k] for k in RNG.permutation(len(sequences))]
    lengths = [len(s) for s in sequences]
    for enforce_sorted in [False] if shuffled else [True, False]:
        tensors = [Tensor(s) for s in sequences]
        padded = ours_rnn.pad_sequence(tensors, batch_first)
        packed = ours_rnn.pack_sequence(tensors, enforce_sorted)
        np.testing.assert_array_equal(ours_rnn.pad_packed_sequence(packed, batch_first)[0].data, padded.data)
        assert fields(ours_rnn.pack_padded_sequence(padded, lengths, batch_first, enforce_sorted)) == fields(packed)
        theirs = theirs_rnn.pack_sequence([torch.tensor(s) for s in sequences], enforce_sorted)
        assert fields(packed) == fields(theirs)


@pytest.mark.parametrize("trailing_axes", [None, 0, 1, 2, 3])
def test_unpack_sequence_gives_the_sequences_back_in_their_order(trailing_axes):
    sequences = ABC if trailing_axes is None else growing_sequences(trailing_axes)
    packed = ours_rnn.pack_sequence([Tensor(s) for s in sequences], enforce_sorted=False)
    back = ours_rnn.unpack_sequence(packed)
    for got, want in zip(back, sequences, strict=True):
        np.testing.assert_array_equal(got.data, want)


@pytest.mark.parametrize("batch_first", [True, False])
@pytest.mark.parametrize(
    ("sorted_lengths", "shuffle"),
    [([10, 8, 4, 2, 2, 2, 1], False), ([11, 10, 8, 6, 4, 3, 1], False), ([11, 10, 8, 6, 4, 3, 1], True)],
)
def test_pack_padded_sequence_layout_inverse_and_gradient_match_torch(sorted_lengths, shuffle, batch_first):
    steps, batch = sorted_lengths[0], len(sorted_lengths)
    padded = np.zeros((steps, batch, 5))
    for b, length in enumerate(sorted_lengths):  # sequence b, step t: 100 (b + 1) + 5 t + 1 .. 5
        padded[:length, b] = 100 * (b + 1) + np.arange(1.0, 5 * length + 1).reshape(length, 5)
    lengths = list(sorted_lengths)
    if shuffle:
        permutation = RNG.permutation(batch)
        padded, lengths = padded[:, permutation], [sorted_lengths[k] for k in permutation]
    source = padded.swapaxes(0, 1) if batch_first else padded
    ours_in, theirs_in = both(np.ascontiguousarray(source), grad=True)
    ours_lengths, theirs_lengths = (lengths, torch.tensor(lengths)) if shuffle else (lengths, lengths)
    ours = ours_rnn.pack_padded_sequence(ours_in, ours_lengths, batch_first, enforce_sorted=not shuffle)
    theirs = theirs_rnn.pack_padded_sequence(theirs_in, theirs_lengths, batch_first, enforce_sorted=not shuffle)
    assert fields(ours) == fields(theirs)
    unpacked, unpacked_lengths = ours_rnn.pad_packed_sequence(ours, batch_first)
    np.testing.assert_array_equal(unpacked.data, source)
    np.testing.assert_array_equal(unpacked_lengths.data, lengths)
    upstream = RNG.normal(size=source.shape)
    unpacked.backward(Tensor(upstream))
    theirs_rnn.pad_packed_sequence(theirs, batch_first)[0].backward(torch.tensor(upstream))
    np.testing.assert_array_equal(ours_in.grad, theirs_in.grad.numpy())


def test_pack_padded_sequence_errors_name_the_fix_or_the_empty_input():
    with pytest.raises(RuntimeError, match="You can pass `enforce_sorted=False`"):
        ours_rnn.pack_padded_sequence(Tensor(RNG.normal(size=(3, 3))), [1, 3, 2])
    with pytest.raises(RuntimeError, match="empty tensor"):
        ours_rnn.pack_padded_sequence(Tensor(np.zeros((0, 0))), [])


@pytest.mark.parametrize(
    ("shape", "lengths"),
    [((0, 1, 10), np.zeros((11, 14, 14, 2))), ((0, 2, 3), [1, 1]), ((4, 2, 0), [4, 2]), ((0,), [])],
    ids=["no-steps-and-4d-lengths", "no-steps", "no-features", "1d"],
)
def test_an_input_without_elements_is_refused_before_its_lengths_are_read(shape, lengths):
    with pytest.raises(RuntimeError, match="Cannot pack empty tensors"):
        theirs_rnn.pack_padded_sequence(torch.zeros(shape), torch.tensor(lengths), True)
    with pytest.raises(RuntimeError, match="Cannot pack empty tensors") as caught:
        ours_rnn.pack_padded_sequence(Tensor(np.zeros(shape)), lengths, True)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize(
    ("sequences", "message"),
    [
        ([np.ones(2), np.ones(0)], "Length of all samples has to be greater than 0"),
        ([], "received an empty list of sequences"),
        ([np.ones((2, 3)), np.ones((2, 4))], "size of tensor|trailing axes differ"),
    ],
    ids=["a-zero-length", "no-sequences", "mismatched-trailing-axes"],
)
def test_packing_bad_sequences_is_torchs_runtime_error(sequences, message):
    with pytest.raises(RuntimeError, match=message):
        theirs_rnn.pack_sequence([torch.tensor(s) for s in sequences])
    with pytest.raises(RuntimeError, match=message):
        ours_rnn.pack_sequence([Tensor(s) for s in sequences])


def test_an_unknown_padding_side_is_torchs_runtime_error():
    with pytest.raises(RuntimeError, match="Expected padding_side to be one of left or right"):
        theirs_rnn.pad_sequence([torch.ones(2)], padding_side="middle")
    with pytest.raises(RuntimeError, match="Expected padding_side to be one of left or right"):
        ours_rnn.pad_sequence([Tensor(np.ones(2))], padding_side="middle")


@pytest.mark.parametrize("padding_value", [-1, 0.5])
def test_integer_sequences_pad_in_their_own_dtype_as_torch(padding_value):
    sequences = [np.array([1, 2]), np.array([1])]
    got = ours_rnn.pad_packed_sequence(
        ours_rnn.pack_sequence([Tensor(s) for s in sequences]), padding_value=padding_value
    )[0]
    want = theirs_rnn.pad_packed_sequence(
        theirs_rnn.pack_sequence([torch.tensor(s) for s in sequences]), padding_value=padding_value
    )[0]
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got.data, want.numpy())


@pytest.mark.parametrize("batch_first", [True, False])
def test_left_padding_sends_each_gradient_back_to_its_sequence_as_torch(batch_first):
    arrays = [RNG.random((3, 2)), RNG.random((1, 2)), RNG.random((2, 2))]
    ours_in = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    theirs_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    weights = RNG.random((3, 3, 2))
    (ours_rnn.pad_sequence(ours_in, batch_first, padding_side="left") * Tensor(weights)).sum().backward()
    (theirs_rnn.pad_sequence(theirs_in, batch_first, padding_side="left") * torch.tensor(weights)).sum().backward()
    for mine, reference in zip(ours_in, theirs_in, strict=True):
        close(mine.grad, reference.grad)


# -- test_nn.py: recurrent layers and cells ---------------------------------------------------------------------


@pytest.mark.parametrize("cls", CELLS)
def test_a_cell_with_a_zero_hidden_size_gives_an_empty_state(cls):
    ours, theirs = pair(cls, 5, 0)
    x = RNG.normal(size=(3, 5))
    got, want = ours(Tensor(x)), theirs(torch.tensor(x))
    for mine, reference in zip(*(v if isinstance(v, tuple) else (v,) for v in (got, want)), strict=True):
        close(mine, reference)


@pytest.mark.parametrize("sizes", [(-1, 4), (3, -1)])
@pytest.mark.parametrize("cls", CELLS)
def test_a_cell_refuses_a_negative_size_with_torchs_runtime_error(cls, sizes):
    with pytest.raises(RuntimeError, match="negative dimension"):
        getattr(torch.nn, cls)(*sizes)
    with pytest.raises(RuntimeError, match=r"_size must be an integer >= 0, got -1"):
        getattr(nn, cls)(*sizes)


@pytest.mark.parametrize("size", [0, 4])
@pytest.mark.parametrize("cls", CELLS)
def test_a_cell_reads_a_one_element_integer_tensor_as_its_hidden_size_as_torch(cls, size):
    ours = getattr(nn, cls)(3, Tensor(np.array(size)))
    theirs = getattr(torch.nn, cls)(3, torch.tensor(size))
    assert ours.hidden_size == theirs.hidden_size == size
    assert ours.weight_hh.shape == tuple(theirs.weight_hh.shape)
    with pytest.raises(TypeError, match="hidden_size"):
        getattr(nn, cls)(3, 4.0)


@pytest.mark.parametrize("cls", CELLS)
def test_a_cell_with_a_zero_input_size_runs_and_backpropagates_as_torch(cls):
    ours, theirs = pair(cls, 0, 4)
    ours_x, theirs_x = both(np.zeros((3, 0)), grad=True)
    got, want = ours(ours_x), theirs(theirs_x)
    got, want = (got[0], want[0]) if isinstance(got, tuple) else (got, want)
    close(got, want)
    (got * got).sum().backward()
    (want * want).sum().backward()
    assert ours_x.grad.shape == tuple(theirs_x.grad.shape)
    for name, parameter in theirs.named_parameters():
        close(getattr(ours, name).grad, parameter.grad, err_msg=name)


@pytest.mark.parametrize("cls", LAYERS)
@pytest.mark.parametrize("sizes", [(0, 4), (3, 0)])
def test_a_layer_refuses_a_zero_input_or_hidden_size_as_torch(cls, sizes):
    with pytest.raises(ValueError, match="must be greater than zero"):
        getattr(torch.nn, cls)(*sizes)
    with pytest.raises(ValueError, match="_size must be a positive integer"):
        getattr(nn, cls)(*sizes)


@pytest.mark.parametrize("cls", CELLS)
def test_a_cell_does_not_broadcast_mismatched_batches_or_sizes(cls):
    ours, theirs = pair(cls, 10, 20)
    cases = [((2, 10), (3, 20), "batch size"), ((3, 11), (3, 20), "input_size"), ((3, 10), (3, 21), "hidden_size")]
    for x_shape, h_shape, _ in cases:
        x, h = np.ones(x_shape), np.ones(h_shape)
        state = (h, h.copy()) if cls == "LSTMCell" else h
        with pytest.raises(RuntimeError):
            theirs(torch.tensor(x), as_state(torch.tensor, state))
        with pytest.raises(RuntimeError, match=r"shape"):
            ours(Tensor(x), as_state(Tensor, state))


@pytest.mark.parametrize("cls", LAYERS)
@pytest.mark.parametrize("p", [-1, 1.1, -0.01])
def test_a_dropout_outside_zero_to_one_is_a_value_error(cls, p):
    with pytest.raises(ValueError, match="dropout"):
        getattr(torch.nn, cls)(3, 4, 2, dropout=p)
    with pytest.raises(ValueError, match="dropout"):
        getattr(nn, cls)(3, 4, 2, dropout=p)


@pytest.mark.parametrize("cls", LAYERS)
def test_a_dropout_of_one_is_taken(cls):
    assert getattr(nn, cls)(3, 4, 2, dropout=1.0).dropout == getattr(torch.nn, cls)(3, 4, 2, dropout=1.0).dropout


@pytest.mark.parametrize("cls", ["RNN", "RNNCell"])
def test_an_unknown_nonlinearity_is_a_value_error_and_relu_is_taken_positionally(cls):
    if cls == "RNN":  # torch's cell refuses it only when called (a RuntimeError): ours when it is made
        with pytest.raises(ValueError):
            getattr(torch.nn, cls)(3, 4, nonlinearity="garbage")
    with pytest.raises(ValueError, match="nonlinearity"):
        getattr(nn, cls)(3, 4, nonlinearity="garbage")
    positional = (3, 4, 1, "relu") if cls == "RNN" else (3, 4, True, "relu")
    ours, theirs = getattr(nn, cls)(*positional), getattr(torch.nn, cls)(*positional)
    assert ours.nonlinearity == theirs.nonlinearity == "relu"
    copy_weights(ours, theirs)
    x = RNG.normal(size=(2, 3, 3) if cls == "RNN" else (2, 3)).astype(np.float32)
    got, want = ours(Tensor(x)), theirs(torch.tensor(x))
    got, want = (got[0], want[0]) if cls == "RNN" else (got, want)
    close(got, want, np.float32)
    assert np.all(got.data >= 0)


@pytest.mark.parametrize("cls", LAYERS)
@pytest.mark.parametrize("p", [0.0, 1.0])
def test_a_dropout_changed_after_construction_takes_effect_as_torchs(cls, p):
    ours, theirs = pair(cls, 2, 5, 3, dropout=0.5 if p == 0 else 0.0)
    ours.dropout, theirs.dropout = p, p
    x = RNG.normal(size=(4, 2, 2))
    got, want = ours(Tensor(x)), theirs(torch.tensor(x))  # training: p=0 keeps all, p=1 drops all (deterministic)
    close(got[0], want[0])


def layer_state(cls, states, batch, hidden, cell_hidden=None):
    shape = (states, batch, hidden) if batch is not None else (states, hidden)
    if cls != "LSTM":
        return np.ones(shape)
    cell_shape = (*shape[:-1], cell_hidden or hidden)
    return np.ones(shape), np.ones(cell_shape)


def as_state(kind, state):
    return tuple(kind(s) for s in state) if isinstance(state, tuple) else kind(state)


@pytest.mark.parametrize("cls", LAYERS)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_wrong_input_and_state_shapes_are_refused_as_torch(cls, bidirectional):
    ours, theirs = pair(cls, 3, 4, 2, bidirectional=bidirectional)
    states = 2 * (2 if bidirectional else 1)
    cases = [
        ("input width", (5, 2, 4), layer_state(cls, states, 2, 4)),
        ("state batch", (5, 2, 3), layer_state(cls, states, 3, 4)),
        ("state layers", (5, 2, 3), layer_state(cls, states + 1, 2, 4)),
        ("state width", (5, 2, 3), layer_state(cls, states, 2, 5)),
        ("input rank", (5, 2, 3, 1), layer_state(cls, states, 2, 4)),
    ]
    for _, x_shape, state in cases:
        with pytest.raises((RuntimeError, ValueError)):
            theirs(torch.ones(x_shape, dtype=torch.float64), as_state(torch.tensor, state))
        with pytest.raises(ShapeErrorish, match="shape"):
            ours(Tensor(np.ones(x_shape)), as_state(Tensor, state))


ShapeErrorish = (RuntimeError, ValueError)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_an_lstm_with_a_projection_checks_both_state_widths_as_torch(bidirectional):
    ours, theirs = pair("LSTM", 3, 4, 2, bidirectional=bidirectional, proj_size=2)
    states = 2 * (2 if bidirectional else 1)
    x = np.ones((5, 2, 3))
    for h_width, c_width in [(4, 4), (2, 2), (4, 2)]:
        state = layer_state("LSTM", states, 2, h_width, c_width)
        with pytest.raises(RuntimeError):
            theirs(torch.tensor(x), as_state(torch.tensor, state))
        with pytest.raises(RuntimeError, match="shape"):
            ours(Tensor(x), as_state(Tensor, state))
    good = layer_state("LSTM", states, 2, 2, 4)
    close(ours(Tensor(x), as_state(Tensor, good))[0], theirs(torch.tensor(x), as_state(torch.tensor, good))[0])


@pytest.mark.parametrize("cls", LAYERS)
def test_an_input_of_another_dtype_than_the_weights_is_a_value_error(cls):
    ours, theirs = getattr(nn, cls)(3, 4), getattr(torch.nn, cls)(3, 4)
    for dtype in (np.float64, np.int64):
        with pytest.raises(ValueError, match="dtype"):
            theirs(torch.ones((2, 1, 3), dtype=getattr(torch, np.dtype(dtype).name)))
        with pytest.raises(ValueError, match="dtype"):
            ours(Tensor(np.ones((2, 1, 3), dtype=dtype)))


@pytest.mark.parametrize("cls", LAYERS + CELLS)
def test_an_initial_state_of_another_dtype_than_the_weights_is_refused(cls):
    ours, theirs = getattr(nn, cls)(3, 4), getattr(torch.nn, cls)(3, 4)
    x_shape, h_shape = ((2, 3), (2, 4)) if "Cell" in cls else ((2, 1, 3), (1, 1, 4))
    bad = [np.ones(h_shape), np.ones(h_shape, np.float32)] if cls.startswith("LSTM") else np.ones(h_shape)
    state = tuple(bad) if isinstance(bad, list) else bad
    with pytest.raises(RuntimeError):
        theirs(torch.ones(x_shape), as_state(torch.tensor, state))
    with pytest.raises((RuntimeError, ValueError), match="dtype"):
        ours(Tensor(np.ones(x_shape, np.float32)), as_state(Tensor, state))


@pytest.mark.parametrize(
    ("cls", "options"),
    [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("LSTM", {"proj_size": 2}), ("GRU", {})],
    ids=str,
)
@pytest.mark.parametrize("bidirectional", [False, True])
def test_no_initial_state_means_zeros(cls, options, bidirectional):
    ours, _ = pair(cls, 3, 4, 2, bidirectional=bidirectional, **options)
    x = Tensor(RNG.normal(size=(5, 2, 3)))
    states = 2 * (2 if bidirectional else 1)
    zeros = layer_state(cls, states, 2, options.get("proj_size") or 4, 4)
    zeros = tuple(np.zeros_like(z) for z in zeros) if isinstance(zeros, tuple) else np.zeros_like(zeros)
    without, with_zeros = ours(x), ours(x, as_state(Tensor, zeros))
    np.testing.assert_array_equal(without[0].data, with_zeros[0].data)
    for a, b in zip(*(f if isinstance(f, tuple) else (f,) for f in (without[1], with_zeros[1])), strict=True):
        np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("which", [0, 1])
def test_an_lstm_cell_backpropagates_from_one_of_its_outputs_alone(which):
    ours, theirs = pair("LSTMCell", 2, 3)
    x = RNG.normal(size=(4, 2))
    ours_x, theirs_x = both(x, grad=True)
    ours(ours_x)[which].sum().backward()
    theirs(theirs_x)[which].sum().backward()
    close(ours_x.grad, theirs_x.grad)
    for name, parameter in theirs.named_parameters():
        close(getattr(ours, name).grad, parameter.grad, err_msg=name)


@pytest.mark.parametrize("cls", LAYERS)
def test_backpropagating_twice_with_retain_graph_doubles_the_gradients(cls):
    ours, _ = pair(cls, 3, 4, 2)
    x = Tensor(RNG.normal(size=(5, 2, 3)), requires_grad=True)
    output = ours(x)[0]
    loss = (output * output).sum()
    loss.backward(retain_graph=True)
    first = [x.grad.copy()] + [p.grad.copy() for p in ours.parameters()]
    loss.backward()
    second = [x.grad] + [p.grad for p in ours.parameters()]
    for a, b in zip(first, second, strict=True):
        np.testing.assert_allclose(b, 2 * a, rtol=1e-13, atol=1e-15)


# -- the grid: values in float32 and float64, every gradient in float64 -----------------------------------------

GRID = [
    (cls, options)
    for cls in LAYERS
    for options in (
        {},
        {"num_layers": 2},
        {"bidirectional": True},
        {"num_layers": 2, "bidirectional": True, "batch_first": True},
        {"bias": False, "batch_first": True},
        {"num_layers": 3, "bias": False, "bidirectional": True},
    )
] + [
    ("RNN", {"nonlinearity": "relu", "num_layers": 2, "bidirectional": True}),
    ("LSTM", {"proj_size": 2}),
    ("LSTM", {"proj_size": 3, "num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("LSTM", {"proj_size": 1, "bias": False}),
]


def initial_state(cls, options, batch, rng):
    states = options.get("num_layers", 1) * (2 if options.get("bidirectional") else 1)
    lead = (states,) if batch is None else (states, batch)
    h = rng.normal(size=(*lead, options.get("proj_size") or 4))
    return (h, rng.normal(size=(*lead, 4))) if cls == "LSTM" else h


def loss_of(output, final):
    finals = final if isinstance(final, tuple) else (final,)
    return (output * output).sum() + sum((f * (k + 2)).sum() for k, f in enumerate(finals))


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("unbatched", [False, True])
@pytest.mark.parametrize("given_state", [False, True])
@pytest.mark.parametrize(("cls", "options"), GRID, ids=str)
def test_layers_match_torch_on_outputs_final_states_and_gradients(cls, options, given_state, unbatched, dtype):
    ours, theirs = pair(cls, 3, 4, dtype=dtype, **options)
    batch = None if unbatched else 2
    shape = (5, 3) if unbatched else ((2, 5, 3) if options.get("batch_first") else (5, 2, 3))
    arrays = [RNG.normal(size=shape).astype(dtype)]
    if given_state:
        state = initial_state(cls, options, batch, RNG)
        arrays += [s.astype(dtype) for s in (state if isinstance(state, tuple) else (state,))]
    grad = dtype == np.float64
    ours_in = [Tensor(a.copy(), requires_grad=grad) for a in arrays]
    theirs_in = [torch.tensor(a.copy(), requires_grad=grad) for a in arrays]

    def run(layer, inputs):
        hx = None if len(inputs) == 1 else (tuple(inputs[1:]) if cls == "LSTM" else inputs[1])
        output, final = layer(inputs[0], hx)
        if grad:
            loss_of(output, final).backward()
        return output, final

    (got, got_final), (want, want_final) = run(ours, ours_in), run(theirs, theirs_in)
    close(got, want, dtype)
    assert got.dtype == dtype
    for mine, reference in zip(*(f if isinstance(f, tuple) else (f,) for f in (got_final, want_final)), strict=True):
        close(mine, reference, dtype)
    if grad:
        for mine, reference in zip(ours_in, theirs_in, strict=True):
            close(mine.grad, reference.grad)
        for name, parameter in theirs.named_parameters():
            close(getattr(ours, name).grad, parameter.grad, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("given_state", [False, True])
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("unbatched", [False, True])
@pytest.mark.parametrize("cls", CELLS + ["RNNCell-relu"])
def test_cells_match_torch_on_outputs_and_gradients(cls, unbatched, bias, given_state, dtype):
    name, _, nonlinearity = cls.partition("-")
    options = {"nonlinearity": nonlinearity} if nonlinearity else {}
    ours, theirs = pair(name, 3, 4, bias=bias, dtype=dtype, **options)
    lead = () if unbatched else (2,)
    arrays = [RNG.normal(size=(*lead, 3)).astype(dtype)]
    if given_state:
        arrays += [RNG.normal(size=(*lead, 4)).astype(dtype) for _ in range(2 if name == "LSTMCell" else 1)]
    grad = dtype == np.float64
    ours_in = [Tensor(a.copy(), requires_grad=grad) for a in arrays]
    theirs_in = [torch.tensor(a.copy(), requires_grad=grad) for a in arrays]

    def run(layer, inputs):
        hx = None if len(inputs) == 1 else (tuple(inputs[1:]) if name == "LSTMCell" else inputs[1])
        out = layer(inputs[0], hx)
        outs = out if isinstance(out, tuple) else (out,)
        if grad:
            sum((o * o * (k + 1)).sum() for k, o in enumerate(outs)).backward()
        return outs

    for mine, reference in zip(run(ours, ours_in), run(theirs, theirs_in), strict=True):
        close(mine, reference, dtype)
    if grad:
        for mine, reference in zip(ours_in, theirs_in, strict=True):
            close(mine.grad, reference.grad)
        for parameter_name, parameter in theirs.named_parameters():
            close(getattr(ours, parameter_name).grad, parameter.grad, err_msg=parameter_name)


# -- dropout between layers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", LAYERS)
def test_a_dropout_of_zero_while_training_is_exactly_the_eval_output(cls):
    ours, theirs = pair(cls, 3, 4, 3, dropout=0.0)
    x = RNG.normal(size=(5, 2, 3))
    training = ours(Tensor(x))[0].data
    ours.eval()
    np.testing.assert_array_equal(ours(Tensor(x))[0].data, training)
    close(training, theirs(torch.tensor(x))[0])


@pytest.mark.parametrize("cls", LAYERS)
def test_a_positive_dropout_is_random_while_training_and_absent_in_eval(cls):
    ours, theirs = pair(cls, 3, 8, 3, dropout=0.5)
    x = RNG.normal(size=(6, 4, 3))
    first, second = ours(Tensor(x))[0].data, ours(Tensor(x))[0].data
    assert not np.array_equal(first, second)
    ours.eval()
    theirs.eval()
    close(ours(Tensor(x))[0], theirs(torch.tensor(x))[0])
    assert not np.allclose(first, ours(Tensor(x))[0].data)


def test_a_dropout_of_one_while_training_feeds_the_last_layer_zeros_as_torch():
    ours, theirs = pair("GRU", 3, 4, 2, dropout=1.0)
    x = RNG.normal(size=(5, 2, 3))
    got, want = ours(Tensor(x)), theirs(torch.tensor(x))
    close(got[0], want[0])
    close(got[1], want[1])


@pytest.mark.parametrize("p", [0.0, 0.276, 0.5, 0.912, 1.0])
def test_dropout_between_two_relu_layers_of_ones_keeps_whole_units_scaled_by_one_over_one_minus_p(p):
    """Upstream's test_RNN_dropout, computed by hand: with every weight 1 and no bias, the first layer gives 10 (the
    sum of ten ones) in each of its 1000 units; dropout keeps k of them, scaled by 1/(1-p), so every unit of the
    second layer gives 10 k/(1-p), and the first layer's final state stays 10 (dropout acts between layers)."""
    ours = nn.RNN(10, 1000, 2, bias=False, dropout=p, nonlinearity="relu", dtype=np.float64)
    for parameter in ours.parameters():
        parameter.data[...] = 1.0
    output, final = ours(Tensor(np.ones((1, 1, 10))), Tensor(np.zeros((2, 1, 1000))))
    values = output.data.ravel()
    assert np.all(values == values[0])
    np.testing.assert_array_equal(final.data[0], 10.0)
    np.testing.assert_array_equal(final.data[1], output.data[0])
    if p == 1.0:
        assert values[0] == 0.0
    else:
        kept = values[0] * (1 - p) / 10
        assert abs(kept - round(kept)) < 1e-8
        assert 0 < round(kept) <= 1000 and abs(round(kept) - 1000 * (1 - p)) < 100


@pytest.mark.parametrize("cls", LAYERS)
def test_the_final_states_of_a_dropout_layer_vary_while_training_and_not_in_eval(cls):
    """Upstream's test_RNN_dropout_state: the dropout between layers reaches the last layer's final state."""
    ours = getattr(nn, cls)(5, 50, 2, dropout=0.5, dtype=np.float64)
    x = Tensor(RNG.normal(size=(3, 2, 5)))
    last = [ours(x)[1] for _ in range(2)]
    last = [f[0] if isinstance(f, tuple) else f for f in last]
    assert not np.array_equal(last[0].data[1], last[1].data[1])
    np.testing.assert_array_equal(last[0].data[0], last[1].data[0])  # the first layer sees no dropout
    ours.eval()
    again = [ours(x)[1] for _ in range(2)]
    again = [f[0] if isinstance(f, tuple) else f for f in again]
    np.testing.assert_array_equal(again[0].data, again[1].data)


@pytest.mark.parametrize("cls", LAYERS)
def test_weight_norm_on_a_recurrent_weight_gives_torchs_outputs_and_is_removable(cls):
    ours, theirs = pair(cls, 3, 4, 2)
    with pytest.warns(FutureWarning):
        torch.nn.utils.weight_norm(theirs, name="weight_hh_l0")
    with pytest.warns(FutureWarning, match="deprecated"):
        nn.utils.weight_norm(ours, name="weight_hh_l0")
    assert sorted(name for name, _ in ours.named_parameters()) == sorted(n for n, _ in theirs.named_parameters())
    x = RNG.normal(size=(5, 2, 3))
    close(ours(Tensor(x))[0], theirs(torch.tensor(x))[0])
    nn.utils.remove_weight_norm(ours, name="weight_hh_l0")
    torch.nn.utils.remove_weight_norm(theirs, name="weight_hh_l0")
    assert [name for name, _ in ours.named_parameters()] == [name for name, _ in theirs.named_parameters()]
    close(ours(Tensor(x))[0], theirs(torch.tensor(x))[0])


# -- modules: flatten_parameters, state_dict --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cls", "options"),
    [(cls, {"num_layers": 2, "bidirectional": True}) for cls in LAYERS]
    + [("LSTM", {"proj_size": 2, "bidirectional": True}), ("GRU", {"bias": False}), ("RNNCell", {}), ("LSTMCell", {})],
    ids=str,
)
def test_a_torch_state_dict_loads_under_the_same_keys(cls, options):
    theirs = getattr(torch.nn, cls)(3, 4, **options)
    ours = getattr(nn, cls)(3, 4, **options)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    if "Cell" in cls:
        x = RNG.normal(size=(2, 3)).astype(np.float32)
        got, want = ours(Tensor(x)), theirs(torch.tensor(x))
        close(got[0] if isinstance(got, tuple) else got, want[0] if isinstance(want, tuple) else want, np.float32)
    else:
        ours.flatten_parameters()
        theirs.flatten_parameters()
        x = RNG.normal(size=(5, 2, 3)).astype(np.float32)
        close(ours(Tensor(x))[0], theirs(torch.tensor(x))[0], np.float32)


@pytest.mark.parametrize("cls", LAYERS)
def test_the_reverse_direction_keys_are_torchs(cls):
    keys = list(getattr(nn, cls)(3, 4, 2, bidirectional=True).state_dict())
    assert "weight_ih_l0" in keys and "weight_hh_l1_reverse" in keys and "bias_ih_l1_reverse" in keys
    assert keys == list(getattr(torch.nn, cls)(3, 4, 2, bidirectional=True).state_dict())


# -- recurrent layers on PackedSequence inputs ------------------------------------------------------------------

PACKED = [
    ("RNN", {"num_layers": 2, "bidirectional": True}),
    ("RNN", {"nonlinearity": "relu", "bias": False}),
    ("LSTM", {"num_layers": 2}),
    ("LSTM", {"proj_size": 2, "bidirectional": True}),
    ("GRU", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("GRU", {"bias": False}),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("enforce_sorted", [True, False])
@pytest.mark.parametrize("given_state", [False, True])
@pytest.mark.parametrize(("cls", "options"), PACKED, ids=str)
def test_layers_on_packed_sequences_match_torch(cls, options, given_state, enforce_sorted, dtype):
    ours, theirs = pair(cls, 3, 4, dtype=dtype, **options)
    lengths = [5, 3, 3, 1] if enforce_sorted else [3, 5, 1, 3]
    batch_first = options.get("batch_first", False)
    x = RNG.normal(size=(4, 5, 3) if batch_first else (5, 4, 3)).astype(dtype)
    ours_x, theirs_x = both(x, grad=dtype == np.float64)
    ours_lengths = Tensor(np.array(lengths)) if enforce_sorted else lengths
    ours_packed = ours_rnn.pack_padded_sequence(ours_x, ours_lengths, batch_first, enforce_sorted)
    theirs_packed = theirs_rnn.pack_padded_sequence(theirs_x, lengths, batch_first, enforce_sorted)
    state = initial_state(cls, options, 4, RNG) if given_state else None
    grad = dtype == np.float64
    ours_state = None if state is None else as_state(lambda s: Tensor(s.astype(dtype), requires_grad=grad), state)
    theirs_state = (
        None if state is None else as_state(lambda s: torch.tensor(s.astype(dtype), requires_grad=grad), state)
    )
    got, got_final = ours(ours_packed, ours_state)
    want, want_final = theirs(theirs_packed, theirs_state)
    assert isinstance(got, ours_rnn.PackedSequence)
    assert fields(got)[1:] == fields(want)[1:]
    close(got.data, want.data, dtype)
    for mine, reference in zip(*(f if isinstance(f, tuple) else (f,) for f in (got_final, want_final)), strict=True):
        close(mine, reference, dtype)
    if dtype == np.float64:
        got_padded = ours_rnn.pad_packed_sequence(got, batch_first, padding_value=-1.0)[0]
        want_padded = theirs_rnn.pad_packed_sequence(want, batch_first, padding_value=-1.0)[0]
        close(got_padded, want_padded)
        loss_of(got_padded, got_final).backward()
        loss_of(want_padded, want_final).backward()
        close(ours_x.grad, theirs_x.grad)
        if state is not None:
            for mine, reference in zip(
                *(f if isinstance(f, tuple) else (f,) for f in (ours_state, theirs_state)), strict=True
            ):
                close(mine.grad, reference.grad)
        for name, parameter in theirs.named_parameters():
            close(getattr(ours, name).grad, parameter.grad, err_msg=name)


@pytest.mark.parametrize("cls", LAYERS)
def test_a_packed_sequence_of_the_wrong_width_is_refused(cls):
    ours, theirs = pair(cls, 3, 4)
    ours_packed, theirs_packed = packed_pair([3, 2], features=(5,))
    with pytest.raises(RuntimeError):
        theirs(theirs_packed)
    with pytest.raises(RuntimeError):
        ours(ours_packed)


@pytest.mark.parametrize("cls", LAYERS)
def test_a_packed_sequence_with_a_state_of_the_wrong_batch_is_refused(cls):
    ours, theirs = pair(cls, 3, 4)
    ours_packed, theirs_packed = packed_pair([3, 2], features=(3,))
    state = layer_state(cls, 1, 3, 4)
    with pytest.raises(RuntimeError):
        theirs(theirs_packed, as_state(torch.tensor, state))
    with pytest.raises(RuntimeError, match="shape"):
        ours(ours_packed, as_state(Tensor, state))
