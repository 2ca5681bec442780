"""Keep freed array memory in the process, so numpy's temporaries do not page-fault on every step.

Every op allocates its result, and a training step frees them all again. glibc's malloc serves a block
above its mmap threshold (128 KiB at start) with a fresh mapping, and gives the top of its heap back to
the system once more than its trim threshold (also 128 KiB at start) is free there; it raises both
thresholds as it sees large blocks freed, but only up to the size of the largest one. A step whose
temporaries are a few hundred KiB to a few MiB each (a LeNet batch, a 256 x 1024 activation) so keeps
getting fresh pages from the system, and the first write to each page costs a fault: on this project's
benchmark machine (``bench/freed_memory.py``) a LeNet step took 6.9 ms with about 2,300 faults without it, and
4.5 ms with none.

:func:`keep_freed_memory` sets the two thresholds where glibc's own rule ends up after it has seen a block
of its largest adjustable size freed: blocks below 32 MiB come from the heap, and up to 64 MiB of freed
heap stays in the process for the next step. ``import autograd`` calls it (:data:`APPLIED` tells whether it set
them), unless the environment sets
``AUTOGRAD_KEEP_FREED_MEMORY=0``, or tunes malloc itself (``MALLOC_MMAP_THRESHOLD_``,
``MALLOC_TRIM_THRESHOLD_``, ``MALLOC_TOP_PAD_``, or malloc tunables in ``GLIBC_TUNABLES``), whose settings
are then left as they are. On a C library other than glibc it does nothing.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Mapping

__all__ = ["APPLIED", "MMAP_THRESHOLD", "TRIM_THRESHOLD", "keep_freed_memory"]

#: Blocks smaller than this come from the heap: glibc's ceiling for its own dynamic threshold on 64-bit systems.
MMAP_THRESHOLD = 32 * 1024 * 1024
#: Freed memory at the top of the heap stays in the process up to this much (twice the mmap threshold, as glibc's
#: dynamic rule sets it).
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD

_M_TRIM_THRESHOLD = -1  # mallopt's parameter numbers (malloc.h)
_M_MMAP_THRESHOLD = -3
_OWN_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_")


def _left_to_the_environment(environment: Mapping[str, str]) -> bool:
    """Whether the environment opts out, or sets malloc's thresholds itself."""
    if environment.get("AUTOGRAD_KEEP_FREED_MEMORY", "").strip().lower() in ("0", "false", "no", "off"):
        return True
    return any(name in environment for name in _OWN_SETTINGS) or "glibc.malloc" in environment.get("GLIBC_TUNABLES", "")


def keep_freed_memory(environment: Mapping[str, str] | None = None) -> bool:
    """Set glibc malloc's mmap threshold to :data:`MMAP_THRESHOLD` and its trim threshold to
    :data:`TRIM_THRESHOLD` (see the module docstring); True if they were set. Nothing is changed, and False
    returned, where the C library is not glibc or ``environment`` (default ``os.environ``) opts out or sets
    malloc's thresholds itself."""
    if not sys.platform.startswith("linux") or _left_to_the_environment(
        os.environ if environment is None else environment
    ):
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 - present in glibc only
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    # mmap first: setting either threshold by hand stops glibc adjusting them itself
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))


#: Whether importing autograd set malloc's thresholds.
APPLIED = keep_freed_memory()
