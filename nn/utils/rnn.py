"""torch's ``nn.utils.rnn.pad_sequence``: variable-length sequences padded into one batch Tensor."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node, Tensor, stack

__all__ = ["pad_sequence"]


def _as_sequence(index: int, sequence: Any) -> Tensor:
    """Sequence ``index`` as a Tensor of at least one axis (arrays and lists are converted)."""
    if isinstance(sequence, Node) and not isinstance(sequence, Tensor):
        raise TypeError(f"pad_sequence: sequence {index} is a {type(sequence).__name__}, not a Tensor")
    tensor = sequence if isinstance(sequence, Tensor) else Tensor(np.asarray(sequence))
    if tensor.ndim == 0:
        raise ValueError(f"pad_sequence: sequence {index} is 0-d; each sequence needs a length axis (L, *)")
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
    lists; an empty collection, a 0-d sequence or mismatched trailing shapes are ValueErrors.
    """
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    tensors = [_as_sequence(index, sequence) for index, sequence in enumerate(sequences)]
    if not tensors:
        raise ValueError("pad_sequence: received an empty list of sequences")
    trailing, dtype = tensors[0].shape[1:], tensors[0].dtype
    for index, tensor in enumerate(tensors):
        if tensor.shape[1:] != trailing:
            raise ValueError(
                f"pad_sequence: sequence {index} has shape {tensor.shape}, whose trailing axes differ from the "
                f"first sequence's {trailing}"
            )
    longest = max(tensor.shape[0] for tensor in tensors)
    padded = []
    for tensor in tensors:
        missing = longest - tensor.shape[0]
        widths = [(0, missing) if padding_side == "right" else (missing, 0)] + [(0, 0)] * len(trailing)
        tensor = tensor if tensor.dtype == dtype else tensor.astype(dtype)
        padded.append(tensor.pad(widths, padding_value) if missing else tensor)
    return stack(padded, axis=0 if batch_first else 1)
