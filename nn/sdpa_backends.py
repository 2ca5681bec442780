"""torch's ``torch.nn.attention.sdpa_kernel`` and ``SDPBackend``: the choice of the kernel that computes
``F.scaled_dot_product_attention``.

torch picks among a math kernel and fused ones (flash, memory-efficient, cuDNN), all giving the same attention up to
rounding; ``with sdpa_kernel(SDPBackend.MATH):`` restricts the choice, as tutorials do to compare them or to get
the math kernel's exact reference. This library has one kernel, numpy's products and a stable softmax (the math
kernel's formulation), so every choice runs it: the context manager checks its argument and changes nothing.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["SDPBackend", "sdpa_kernel"]


class SDPBackend(enum.IntEnum):
    """The kernels torch's ``scaled_dot_product_attention`` chooses among (torch's values)."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4


@contextlib.contextmanager
def sdpa_kernel(backends: SDPBackend | Iterable[SDPBackend], set_priority: bool = False) -> Iterator[None]:
    """``with sdpa_kernel(SDPBackend.MATH):`` (one backend or a list of them), as torch's: here the block runs as it
    would anyway, on the library's one kernel (see the module docstring). A backend that is no
    :class:`SDPBackend` is a TypeError, as in torch; an empty list a ValueError."""
    chosen: list[Any] = [backends] if isinstance(backends, SDPBackend) else list(_iterable(backends))
    if not chosen:
        raise ValueError("sdpa_kernel: backends must name at least one SDPBackend")
    for backend in chosen:
        if not isinstance(backend, SDPBackend):
            raise TypeError(f"sdpa_kernel: backends must be SDPBackend members, got {backend!r}")
    if not isinstance(set_priority, bool):
        raise TypeError(f"sdpa_kernel: set_priority must be True or False, got {set_priority!r}")
    yield


def _iterable(backends: Any) -> Iterable[Any]:
    if isinstance(backends, str):  # (a name is not a list of backends: "math" would be read letter by letter)
        raise TypeError(f"sdpa_kernel: backends must be SDPBackend members, got {backends!r} (use SDPBackend.MATH)")
    try:
        return iter(backends)
    except TypeError:
        raise TypeError(f"sdpa_kernel: backends must be an SDPBackend or a list of them, got {backends!r}") from None
