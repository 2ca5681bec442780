"""torch's accelerator queries, answered for a library that computes with numpy on the CPU only: the device
lines at the top of tutorials (``device = "cuda" if torch.cuda.is_available() else "cpu"``,
``torch.accelerator.is_available()``, ``torch.backends.mps.is_available()``, ``torch.cuda.is_bf16_supported()``)
run and choose the CPU, and torch's GPU switches (``torch.backends.cuda.matmul.allow_tf32``,
``torch.backends.cudnn.allow_tf32``/``benchmark``/``deterministic``) can be read and set, without effect.

``cuda.manual_seed``/``manual_seed_all`` do nothing, as torch's do without a GPU (seed the library with
``autograd.manual_seed``); ``cuda.empty_cache()`` (fast.ai's ``clean_mem``) does nothing and
``cuda.memory_allocated()`` is 0, as torch's without a GPU.

``use_deterministic_algorithms(mode, warn_only=False)`` (the first line of many seeding helpers, fast.ai's
``set_seed``) keeps torch's switch and its two queries (``are_deterministic_algorithms_enabled``,
``is_deterministic_algorithms_warn_only_enabled``): every op here is already deterministic (numpy on one
CPU), so the switch changes no result.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

__all__ = [
    "accelerator",
    "are_deterministic_algorithms_enabled",
    "backends",
    "cuda",
    "is_deterministic_algorithms_warn_only_enabled",
    "use_deterministic_algorithms",
]


def _false() -> bool:
    return False


def _zero() -> int:
    return 0


def _ignore_seed(seed: Any) -> None:
    """Nothing to seed: there is no GPU."""


cuda = SimpleNamespace(
    is_available=_false,
    device_count=_zero,
    manual_seed=_ignore_seed,
    manual_seed_all=_ignore_seed,
    is_initialized=_false,
    is_bf16_supported=_false,
    empty_cache=lambda: None,
    memory_allocated=lambda device=None: 0,
)
accelerator = SimpleNamespace(is_available=_false, device_count=_zero, current_accelerator=lambda: None)
#: torch's switches for GPU kernels, with torch's defaults, so the set-up lines of training scripts
#: (``torch.backends.cuda.matmul.allow_tf32 = True``, ``torch.backends.cudnn.benchmark = True``, nanoGPT's
#: first lines) run; they change nothing here: numpy's matmul is always full precision.
backends = SimpleNamespace(
    mps=SimpleNamespace(is_available=_false, is_built=_false),
    cuda=SimpleNamespace(
        is_built=_false,
        matmul=SimpleNamespace(
            allow_tf32=False,
            allow_fp16_reduced_precision_reduction=True,
            allow_bf16_reduced_precision_reduction=True,
        ),
    ),
    cudnn=SimpleNamespace(is_available=_false, enabled=True, allow_tf32=True, benchmark=False, deterministic=False),
)

#: torch's deterministic-algorithms switch: (mode, warn_only), both off by default as torch's.
_deterministic = {"mode": False, "warn_only": False}


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """torch's ``use_deterministic_algorithms``: records the switch, which changes nothing here (every op is
    deterministic already). ``mode`` and ``warn_only`` must be bools, as torch requires (TypeError otherwise)."""
    for name, value in (("mode", mode), ("warn_only", warn_only)):
        if not isinstance(value, bool):
            raise TypeError(
                f"use_deterministic_algorithms(): argument '{name}' must be bool, not {type(value).__name__}"
            )
    _deterministic.update(mode=mode, warn_only=warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """Whether ``use_deterministic_algorithms(True)`` is in force (torch's query)."""
    return _deterministic["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """The ``warn_only`` of the last ``use_deterministic_algorithms`` call (torch's query, which reports it
    whether the switch is on or off)."""
    return _deterministic["warn_only"]
