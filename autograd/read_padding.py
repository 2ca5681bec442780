"""numpy.pad's modes that read the input ("edge", "reflect", "symmetric", "wrap"; torch's replicate, reflect and
circular) and their adjoint, in plain numpy.

Along a padded axis of length n, position p (from -before to n + after - 1) reads input entry s(p):

* edge: clip(p, 0, n - 1)                      (... 0 0 | 0 1 2 | 2 2 ...)
* reflect: p mirrored about the edge entries   (... 2 1 | 0 1 2 | 1 0 ...)
* symmetric: mirrored, the edge repeated       (... 1 0 | 0 1 2 | 2 1 ...)
* wrap: p mod n                                (... 1 2 | 0 1 2 | 0 1 ...)

The pad is linear, and its adjoint folds a gradient back: every input entry gets the sum of g over the positions
that read it, :func:`folded_array`: the centre of g, plus each padded part added where it was read. Where each
padded part reads distinct entries (edge mode's reads of one edge entry are summed first) that is one slice add
per part and axis; numpy's own pad is the forward. Wider pads, which read some entry twice from one side, are
:func:`foldable`'s no: the caller gathers and scatters instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

__all__ = ["SOURCE_INDEX", "foldable", "folded_array", "padded_array"]

Widths = Sequence[tuple[int, int]]


def _reflected(positions: np.ndarray, length: int) -> np.ndarray:
    """numpy's "reflect": mirrored about the edge entries, which are not repeated (... 2 1 | 0 1 2 | 1 0 ...)."""
    period = 2 * (length - 1)
    folded = np.abs(positions) % period if period else np.zeros_like(positions)
    return np.where(folded >= length, period - folded, folded)


def _symmetric(positions: np.ndarray, length: int) -> np.ndarray:
    """numpy's "symmetric": mirrored with the edge entries repeated (... 1 0 | 0 1 2 | 2 1 ...)."""
    folded = positions % (2 * length)
    return np.where(folded >= length, 2 * length - 1 - folded, folded)


#: which input entry each position of a padded axis reads, per mode: s(positions, n)
SOURCE_INDEX: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "edge": lambda positions, length: np.clip(positions, 0, length - 1),
    "reflect": _reflected,
    "symmetric": _symmetric,
    "wrap": lambda positions, length: positions % length,
}


def _parts(length: int, before: int, after: int, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """The entries the ``before`` positions and the ``after`` positions of an axis of ``length`` read."""
    read = SOURCE_INDEX[mode]
    return read(np.arange(-before, 0), length), read(np.arange(length, length + after), length)


def foldable(shape: Sequence[int], widths: Widths, mode: str) -> bool:
    """Whether :func:`folded_array` takes this pad: non-negative widths, non-empty padded axes, and in every mode
    but edge each padded part reading distinct entries."""
    for length, (before, after) in zip(shape, widths):
        if before < 0 or after < 0 or ((before or after) and length == 0):
            return False
        if mode != "edge" and (before or after):
            if any(np.unique(part).size != part.size for part in _parts(length, before, after, mode)):
                return False
    return True


def padded_array(x: np.ndarray, widths: Widths, mode: str) -> np.ndarray:
    """``x`` padded by ``widths`` ((before, after) per axis) in ``mode``: numpy's pad."""
    return np.pad(x, widths, mode=mode)


def folded_array(g: np.ndarray, widths: Widths, mode: str) -> np.ndarray:
    """The adjoint of :func:`padded_array` (where :func:`foldable`): each input entry's sum of g over the positions
    that read it, one axis at a time."""
    out = g
    for axis, (before, after) in enumerate(widths):
        if not before and not after:
            continue
        lead = (slice(None),) * axis
        length = out.shape[axis] - before - after
        folded = out[(*lead, slice(before, before + length))].copy()
        head, tail = out[(*lead, slice(0, before))], out[(*lead, slice(before + length, None))]
        if mode == "edge":
            if before:
                folded[(*lead, slice(0, 1))] += head.sum(axis=axis, keepdims=True)
            if after:
                folded[(*lead, slice(length - 1, length))] += tail.sum(axis=axis, keepdims=True)
        else:
            read_before, read_after = _parts(length, before, after, mode)
            if before:
                folded[(*lead, read_before)] += head  # (distinct entries: a plain fancy-index add is exact)
            if after:
                folded[(*lead, read_after)] += tail
        out = folded
    return out if out is not g else g.copy()
