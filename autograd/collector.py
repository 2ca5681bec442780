"""The cyclic garbage collector, paused while a long graph is backpropagated or copied, for all threads together.

A graph holds no reference cycles (derivative rules never capture nodes), so while backward runs through a long
one (or one that records new nodes, under create_graph), or a deep copy copies one, the collector would only scan
it again and again: :data:`collector_paused` stops it for the time. The collector is one for the whole process,
so the pauses of all threads count together: the first to begin notes whether it runs and stops it, the last to
end starts it again if it ran. (Each pause testing and restoring it on its own left it stopped for good when one
began while another had stopped it, and that one ended between the test and the stop.) A ``gc.disable()`` made
while a pause lasts is undone when it ends.
"""

from __future__ import annotations

import gc
import threading

__all__ = ["collector_paused"]


class _CollectorPause:
    """``with collector_paused:`` runs the block with the cyclic collector stopped (see the module docs);
    blocks nest and overlap across threads."""

    __slots__ = ("_lock", "_open", "_resume")

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open = 0  # blocks running now, in all threads
        self._resume = False  # whether the collector ran when the first of them began

    def __enter__(self) -> None:
        with self._lock:
            if not self._open:
                self._resume = gc.isenabled()
                gc.disable()
            self._open += 1

    def __exit__(self, *exc_info: object) -> None:
        with self._lock:
            self._open -= 1
            if not self._open and self._resume:
                gc.enable()


collector_paused = _CollectorPause()
