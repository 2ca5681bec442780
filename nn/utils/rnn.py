"""torch's ``nn.utils.rnn``: batches of sequences of different lengths.

``pad_sequence`` stacks sequences into one padded Tensor; ``pack_padded_sequence`` / ``pack_sequence`` keep
only the real steps, as a :class:`PackedSequence` the recurrent layers (``nn.RNN``, ``nn.LSTM``, ``nn.GRU``)
read without running past any sequence's end; ``pad_packed_sequence`` turns one back into a padded Tensor and
the lengths; ``unpad_sequence`` and ``unpack_sequence`` give the list of sequences again.

The packed layout is torch's: with the sequences sorted by length, longest first, ``data`` holds step 0 of
every sequence, then step 1 of every sequence still running, and so on; ``batch_sizes[t]`` counts the
sequences at step t. ``sorted_indices[k]`` is the batch position of the k-th longest sequence (None when the
batch came sorted, ``enforce_sorted=True``) and ``unsorted_indices`` its inverse. Every function here is
differentiable: gradients reach the real steps, never the padding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np

from autograd import ArgumentRangeError, Node, ShapeError, Tensor, concatenate, full, stack
from autograd.shape_errors import NoAxisError

from ..functional.padding import fill_for

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


class SequencesTypeError(TypeError, RuntimeError):
    """pad_sequence given something that is not a collection of sequences (an int): torch's RuntimeError, and
    the TypeError Python raises for a non-iterable."""


def _as_sequence(index: int, sequence: Any) -> Tensor:
    """Sequence ``index`` as a Tensor of at least one axis (arrays and lists are converted)."""
    if isinstance(sequence, Node) and not isinstance(sequence, Tensor):
        raise TypeError(f"pad_sequence: sequence {index} is a {type(sequence).__name__}, not a Tensor")
    tensor = sequence if isinstance(sequence, Tensor) else Tensor(np.asarray(sequence))
    if tensor.ndim == 0:
        raise ShapeError(f"pad_sequence: sequence {index} is 0-d; each sequence needs a length axis (L, *)")
    return tensor


def pad_sequence(
    sequences: Iterable[Any],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences of shapes (L_i, *) into one Tensor (L_max, B, *), or (B, L_max, *) with ``batch_first``,
    each padded with ``padding_value`` after its end (before its start with ``padding_side="left"``), as torch.

    Every sequence must have the same trailing shape ``*``; the result has the first sequence's dtype. The
    gradient of the result reaches each sequence (the padding gets none). Sequences may be Tensors, arrays or
    lists; a 0-d sequence, an empty collection or mismatched trailing shapes are a ShapeError (a ValueError and
    torch's RuntimeError), as is a ``padding_side`` other than "left" and "right" (an ArgumentRangeError), and a
    ``padding_value`` the dtype cannot hold (1e6 for float16, nan for int64: a ParameterOverflowError). A
    ``sequences`` that is not iterable (an int) is a SequencesTypeError (a TypeError and torch's RuntimeError).
    """
    if padding_side not in ("left", "right"):
        raise ArgumentRangeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if not isinstance(sequences, Iterable):
        raise SequencesTypeError(
            f"pad_sequence: Expected iterable for input sequences, but got arg of type: {type(sequences)}"
        )
    tensors = [_as_sequence(index, sequence) for index, sequence in enumerate(sequences)]
    if not tensors:
        raise ShapeError("pad_sequence: received an empty list of sequences")
    trailing, dtype = tensors[0].shape[1:], tensors[0].dtype
    for index, tensor in enumerate(tensors):
        if tensor.shape[1:] != trailing:
            raise ShapeError(
                f"pad_sequence: sequence {index} has shape {tensor.shape}, whose trailing axes differ from the "
                f"first sequence's {trailing}"
            )
    padding_value = fill_for("pad_sequence", "padding_value", padding_value, dtype)  # (1e6 into float16 refused)
    longest = max(tensor.shape[0] for tensor in tensors)
    padded = []
    for tensor in tensors:
        missing = longest - tensor.shape[0]
        widths = [(0, missing) if padding_side == "right" else (missing, 0)] + [(0, 0)] * len(trailing)
        tensor = tensor if tensor.dtype == dtype else tensor.astype(dtype)
        padded.append(tensor.pad(widths, padding_value) if missing else tensor)
    return stack(padded, axis=0 if batch_first else 1)


class _PackedSequenceFields(NamedTuple):
    data: Tensor
    batch_sizes: np.ndarray
    sorted_indices: np.ndarray | None = None
    unsorted_indices: np.ndarray | None = None


class PackedSequence(_PackedSequenceFields):
    """A batch of sequences without their padding (see the module docstring for the layout).

    ``data`` (sum of the lengths, *) is a Tensor; ``batch_sizes`` (int64, one entry per step of the longest
    sequence), ``sorted_indices`` and ``unsorted_indices`` (int64, or None) are numpy arrays. As torch's, a
    PackedSequence built with ``sorted_indices`` but no ``unsorted_indices`` gets their inverse permutation,
    ``unsorted_indices[sorted_indices[k]] = k``.
    """

    __slots__ = ()

    def __new__(
        cls,
        data: Tensor,
        batch_sizes: Any,
        sorted_indices: Any = None,
        unsorted_indices: Any = None,
    ) -> PackedSequence:
        if sorted_indices is not None:
            sorted_indices = np.asarray(
                sorted_indices._data if isinstance(sorted_indices, Node) else sorted_indices, dtype=np.int64
            )
            if unsorted_indices is None:
                unsorted_indices = invert_permutation(sorted_indices)
        if unsorted_indices is not None:
            unsorted_indices = np.asarray(
                unsorted_indices._data if isinstance(unsorted_indices, Node) else unsorted_indices, dtype=np.int64
            )
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def lengths(self) -> np.ndarray:
        """The length of every sequence, in the batch's own order."""
        lengths = (self.batch_sizes[None, :] > np.arange(int(self.batch_sizes[0]))[:, None]).sum(axis=1)
        return lengths if self.unsorted_indices is None else lengths[self.unsorted_indices]

    def to(self, *args: Any, **kwargs: Any) -> PackedSequence:
        """torch's ``PackedSequence.to``: ``data.to(*args, **kwargs)`` (a dtype, ``"cpu"``, a Tensor to match), on
        the graph; this PackedSequence itself when that leaves ``data`` as it is, else a new one with the same batch
        sizes and indices."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else self._replace(data=data)

    def cpu(self) -> PackedSequence:
        """Itself: everything lives on the CPU (torch's ``cpu()``)."""
        return self.to("cpu")

    def double(self) -> PackedSequence:
        """``data`` as float64 (torch's ``double()``)."""
        return self.to(np.float64)

    def float(self) -> PackedSequence:
        """``data`` as float32 (torch's ``float()``)."""
        return self.to(np.float32)

    def half(self) -> PackedSequence:
        """``data`` as float16 (torch's ``half()``)."""
        return self.to(np.float16)

    def long(self) -> PackedSequence:
        """``data`` as int64 (torch's ``long()``)."""
        return self.to(np.int64)

    def int(self) -> PackedSequence:
        """``data`` as int32 (torch's ``int()``)."""
        return self.to(np.int32)

    def short(self) -> PackedSequence:
        """``data`` as int16 (torch's ``short()``)."""
        return self.to(np.int16)

    def char(self) -> PackedSequence:
        """``data`` as int8 (torch's ``char()``)."""
        return self.to(np.int8)

    def byte(self) -> PackedSequence:
        """``data`` as uint8 (torch's ``byte()``)."""
        return self.to(np.uint8)

    @property
    def is_cuda(self) -> bool:
        """False: the data lives on the CPU (torch's ``is_cuda``)."""
        return False

    def is_pinned(self) -> bool:
        """False: no pinned memory here (torch's ``is_pinned()``)."""
        return False


def invert_permutation(permutation: Any) -> Any:
    """The inverse of a permutation of ``0 .. n-1`` (``inverse[permutation[k]] = k``), as torch's helper: a Tensor
    for a Tensor (int64), an array otherwise; None stays None (a PackedSequence's indices of a sorted batch)."""
    if permutation is None:
        return None
    order = np.asarray(permutation._data if isinstance(permutation, Node) else permutation)
    inverse = np.argsort(order, kind="stable").astype(np.int64)
    return Tensor(inverse) if isinstance(permutation, Node) else inverse


def _lengths(lengths: Any, batch: int, op: str = "pack_padded_sequence", packing: bool = True) -> np.ndarray:
    """``lengths`` (a list, array or Tensor of integers, one per sequence) as an int64 vector, checked, errors
    naming ``op``. Whole numbers of a float dtype count too (lengths summed from a float mask), as torch's
    ``as_tensor(lengths, dtype=int64)`` reads them; fractional ones are refused (torch truncates them). ``packing``:
    every length must be positive and the batch not empty (torch packs no empty sequence); else a length may be 0."""
    array = np.asarray(lengths._data if isinstance(lengths, Node) else lengths)
    if array.ndim == 1 and array.size and array.dtype.kind == "f" and np.all(np.isfinite(array)):
        if np.array_equal(array, np.trunc(array)):
            array = array.astype(np.int64)
    if array.ndim != 1:  # torch's RuntimeError ('lengths' must be a 1D tensor)
        raise ShapeError(f"{op}: lengths must be a 1-D sequence of integers, got an array of shape {array.shape}")
    if array.size and array.dtype.kind not in "iu":
        raise ValueError(f"{op}: lengths must be a 1-D sequence of integers, got {array!r}")
    if array.size != batch:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {array.size} (batch_size={batch})"
        )
    if not packing:
        if np.any(array < 0):
            raise ValueError(f"{op}: lengths must not be negative, got {array.tolist()}")
        return array.astype(np.int64)
    if not array.size:
        raise RuntimeError(f"{op}: Cannot pack empty tensors (a batch of no sequences)")
    if np.any(array <= 0):
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0"
        )
    return array.astype(np.int64)


def pack_in_layout(padded: Tensor, lengths: np.ndarray, sorted_indices: np.ndarray | None) -> PackedSequence:
    """``padded`` (T, B, *) packed, the sequences taken in the order ``sorted_indices`` (None: as they are,
    already longest first)."""
    order = np.arange(len(lengths)) if sorted_indices is None else sorted_indices
    ordered = lengths[order]
    steps = int(ordered[0])
    batch_sizes = (ordered[None, :] > np.arange(steps)[:, None]).sum(axis=1).astype(np.int64)
    time = np.repeat(np.arange(steps), batch_sizes)
    rows = np.concatenate([order[:size] for size in batch_sizes])
    return PackedSequence(padded[time, rows], batch_sizes, sorted_indices, invert_permutation(sorted_indices))


def pack_padded_sequence(
    input: Any, lengths: Any, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """Pack a padded batch (T, B, *) ((B, T, *) with ``batch_first``) of sequences of ``lengths``, as torch.

    With ``enforce_sorted`` (the default) the lengths must be in decreasing order; with
    ``enforce_sorted=False`` the sequences are sorted here (longest first, ties in batch order) and the
    PackedSequence keeps the permutation. As torch, an input without elements (checked first, before the lengths
    are read), unsorted lengths (with ``enforce_sorted``), a length 0 and
    a count of lengths other than the batch's are RuntimeErrors; a length beyond T is a ValueError (torch
    reads past the input).
    """
    padded = input if isinstance(input, Tensor) else Tensor(np.asarray(input))
    if padded.size == 0:  # torch's first check, before the lengths are read
        raise RuntimeError(f"pack_padded_sequence: Cannot pack empty tensors (the input has shape {padded.shape})")
    if padded.ndim < 2:
        raise NoAxisError(  # torch's IndexError: the batch axis is out of range
            f"pack_padded_sequence: input must have a time and a batch axis, got shape {padded.shape}"
        )
    if batch_first:
        padded = padded.swapaxes(0, 1)
    lengths = _lengths(lengths, padded.shape[1])
    if lengths.max() > padded.shape[0]:
        raise ValueError(
            f"pack_padded_sequence: a length of {int(lengths.max())} exceeds the {padded.shape[0]} time steps of the "
            f"input (shape {tuple(input.shape)}, batch_first={batch_first})"
        )
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass "
                "`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement."
            )
        return pack_in_layout(padded, lengths, None)
    return pack_in_layout(padded, lengths, np.argsort(-lengths, kind="stable").astype(np.int64))


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
) -> tuple[Tensor, Tensor]:
    """The padded batch (T, B, *) ((B, T, *) with ``batch_first``) of a PackedSequence and the lengths (an int64
    Tensor outside the graph, in the batch's own order), as torch; T is the longest length, or ``total_length`` if
    given (not less)."""
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"pad_packed_sequence: expected a PackedSequence, got {type(sequence).__name__}")
    data, batch_sizes = sequence.data, np.asarray(sequence.batch_sizes)
    steps, batch = len(batch_sizes), int(batch_sizes[0])
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in input, but got "
                f"total_length={total_length} and max sequence length being {steps}"
            )
        steps = total_length
    order = np.arange(batch) if sequence.sorted_indices is None else np.asarray(sequence.sorted_indices)
    # where each (t, b) of the padded batch reads from: its row of data, or the padding row appended after it
    source = np.full((steps, batch), data.shape[0], dtype=np.intp)
    starts = np.concatenate([[0], np.cumsum(batch_sizes)[:-1]])
    for t, (start, size) in enumerate(zip(starts, batch_sizes)):
        source[t, order[:size]] = np.arange(start, start + size)
    padding = full((1, *data.shape[1:]), padding_value, dtype=data.dtype)
    padded = concatenate([data, padding], axis=0)[source]
    return (padded.swapaxes(0, 1) if batch_first else padded), Tensor(sequence.lengths().astype(np.int64))


def pack_sequence(sequences: Sequence[Any], enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences (L_i, *) directly (see :func:`pack_padded_sequence` for ``enforce_sorted``)."""
    tensors = [_as_sequence(index, sequence) for index, sequence in enumerate(sequences)]
    lengths = [tensor.shape[0] for tensor in tensors]
    return pack_padded_sequence(pad_sequence(tensors), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences: Tensor, lengths: Any, batch_first: bool = False) -> list[Tensor]:
    """The list of sequences of a padded batch: sequence b is its first ``lengths[b]`` steps."""
    padded = padded_sequences if batch_first else padded_sequences.swapaxes(0, 1)
    lengths = _lengths(lengths, padded.shape[0], "unpad_sequence", packing=False)
    return [padded[b, : int(length)] for b, length in enumerate(lengths)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """The list of sequences of a PackedSequence, in the batch's own order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
