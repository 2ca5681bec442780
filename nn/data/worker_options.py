"""torch's DataLoader options about worker processes and memory pinning, checked as torch checks them.

The library's DataLoader reads every batch in the calling process, whatever ``num_workers`` says,
so these options change no batch: ``num_workers`` may be any integer >= 0, ``pin_memory``,
``timeout``, ``prefetch_factor``, ``persistent_workers``, ``worker_init_fn``,
``multiprocessing_context`` and ``pin_memory_device`` are kept as attributes, and ``worker_init_fn``
is never called (as in torch with ``num_workers=0``). Combinations torch refuses are refused here
with torch's words, so code that runs here runs under torch too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..checks import check_integer, check_real

__all__ = ["WorkerOptions"]


@dataclass(frozen=True)
class WorkerOptions:
    """The checked worker options of one DataLoader."""

    num_workers: int
    pin_memory: bool
    timeout: float
    worker_init_fn: Callable[[int], Any] | None
    multiprocessing_context: Any
    prefetch_factor: int | None
    persistent_workers: bool
    pin_memory_device: str

    @classmethod
    def checked(
        cls,
        num_workers: Any,
        pin_memory: Any,
        timeout: Any,
        worker_init_fn: Any,
        multiprocessing_context: Any,
        prefetch_factor: Any,
        persistent_workers: Any,
        pin_memory_device: Any,
    ) -> WorkerOptions:
        """The options checked: errors name the option, in torch's words where torch refuses it too."""
        num_workers = check_integer("DataLoader", "num_workers", num_workers, 0)
        timeout = check_real("DataLoader", "timeout", timeout, 0)
        if worker_init_fn is not None and not callable(worker_init_fn):
            raise TypeError(f"DataLoader: worker_init_fn must be callable or None, got {worker_init_fn!r}")
        if prefetch_factor is not None:
            if num_workers == 0:
                raise ValueError(
                    "DataLoader: prefetch_factor option could only be specified in multiprocessing. "
                    "Let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
                )
            prefetch_factor = check_integer("DataLoader", "prefetch_factor", prefetch_factor, 0)
        elif num_workers > 0:
            prefetch_factor = 2  # torch's default with workers
        if persistent_workers and num_workers == 0:
            raise ValueError("DataLoader: persistent_workers option needs num_workers > 0")
        return cls(
            num_workers=num_workers,
            pin_memory=bool(pin_memory),
            timeout=timeout,
            worker_init_fn=worker_init_fn,
            multiprocessing_context=multiprocessing_context,
            prefetch_factor=prefetch_factor,
            persistent_workers=bool(persistent_workers),
            pin_memory_device=str(pin_memory_device),
        )
