"""One pass over a :class:`~nn.data.DataLoader`: an iterator that survives an error in one batch, as torch's
single-process iterator does."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["LoaderIterator"]


class LoaderIterator(Iterator[Any]):
    """The items of one pass: each ``next()`` takes the next position (a list of indices, an index, or a
    turn of a stream) and reads its item with ``fetch``.

    The position is taken before the item is read, so an error raised while reading one item (by the
    dataset, ``__getitems__`` or ``collate_fn``) reaches the caller of ``next()`` and the following
    ``next()`` goes on with the next item, as in torch. ``fetch`` may raise StopIteration to end the
    pass early (a stream that runs dry); once ended, the pass stays ended. ``len()`` is the loader's.
    """

    def __init__(self, positions: Iterator[Any], fetch: Callable[[Any], Any], length: Callable[[], int]) -> None:
        self._positions = positions
        self._fetch = fetch
        self._length = length
        self._ended = False

    def __iter__(self) -> LoaderIterator:
        return self

    def __next__(self) -> Any:
        if self._ended:
            raise StopIteration
        try:
            return self._fetch(next(self._positions))
        except StopIteration:
            self._ended = True
            raise

    def __len__(self) -> int:
        return self._length()
