"""torch's DataLoader options about worker processes and memory pinning, checked as torch checks them.

The library's DataLoader reads every batch in the calling process, whatever ``num_workers`` says,
so these options change no batch: ``num_workers`` may be any integer >= 0, ``pin_memory``,
``timeout``, ``prefetch_factor``, ``persistent_workers``, ``worker_init_fn``,
``multiprocessing_context`` (a start method's name becomes its context, as in torch) and
``pin_memory_device`` are kept as attributes, and ``worker_init_fn`` is never called (as in torch
with ``num_workers=0``). Combinations torch refuses are refused here
with torch's words, so code that runs here runs under torch too: when the loader is made, or, for those torch's
iterators refuse (a ``timeout`` without workers, a ``prefetch_factor`` of 0), when a pass begins
(:func:`check_pass_options`).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.context
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..checks import check_integer, check_real
from .torch_errors import IteratorOptionError

__all__ = ["WorkerOptions", "check_pass_options"]


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
        num_workers = check_integer("DataLoader", "num_workers", num_workers)
        if num_workers < 0:
            raise ValueError(
                "DataLoader: num_workers option should be non-negative; use num_workers=0 to disable multiprocessing "
                f"(num_workers must be an integer >= 0, got {num_workers})"
            )
        timeout = check_real("DataLoader", "timeout", timeout)
        if timeout < 0:
            raise ValueError(
                f"DataLoader: timeout option should be non-negative (timeout must be >= 0, got {timeout:g})"
            )
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
        multiprocessing_context = _checked_context(multiprocessing_context, num_workers)
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


def check_pass_options(num_workers: int, timeout: float, prefetch_factor: int | None) -> None:
    """The refusals torch makes when a pass begins (its iterators' assertions), in its words: a ``timeout`` above 0
    without workers (its single-process iterator has nothing to wait for) and a ``prefetch_factor`` of 0 with them
    (an :class:`~nn.data.torch_errors.IteratorOptionError`, torch's AssertionError and a ValueError). They are
    checked on each pass, as torch checks them, since ``num_workers`` may be changed after the loader is made."""
    if num_workers == 0 and timeout > 0:
        raise IteratorOptionError(
            f"DataLoader: _SingleProcessDataLoaderIter requires timeout == 0, got timeout={timeout:g} (a timeout "
            "needs num_workers > 0)"
        )
    if num_workers > 0 and prefetch_factor is not None and prefetch_factor <= 0:
        raise IteratorOptionError(
            "DataLoader: prefetch_factor must be greater than 0 for MultiProcessingDataLoaderIter, got "
            f"prefetch_factor={prefetch_factor}"
        )


def _checked_context(context: Any, num_workers: int) -> multiprocessing.context.BaseContext | None:
    """``multiprocessing_context`` checked as torch checks it: only with workers, a start method's name (made its
    context) or a context object; torch's ValueError or TypeError, in its words, otherwise."""
    if context is None:
        return None
    if num_workers == 0:
        raise ValueError(
            "DataLoader: multiprocessing_context can only be used with multi-process loading (num_workers > 0), "
            f"but got num_workers={num_workers}"
        )
    if isinstance(context, str):
        methods = multiprocessing.get_all_start_methods()
        if context not in methods:
            raise ValueError(
                f"DataLoader: multiprocessing_context option should specify a valid start method in {methods!r}, "
                f"but got multiprocessing_context={context!r}"
            )
        context = multiprocessing.get_context(context)
    if not isinstance(context, multiprocessing.context.BaseContext):
        raise TypeError(
            "DataLoader: multiprocessing_context option should be a valid context object or a string specifying "
            f"the start method, but got multiprocessing_context={context!r}"
        )
    return context
