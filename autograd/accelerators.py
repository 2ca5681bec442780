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

``set_float32_matmul_precision(precision)`` / ``get_float32_matmul_precision()`` (build-nanogpt's
``torch.set_float32_matmul_precision('high')``) keep torch's setting, ``"highest"`` by default, tied to
``backends.cuda.matmul.allow_tf32`` as torch's ("high" turns it on, "highest" off, and the other way round). It
changes no result: numpy's float32 products always use full float32 precision, whatever the setting.
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace
from typing import Any

__all__ = [
    "accelerator",
    "are_deterministic_algorithms_enabled",
    "backends",
    "cuda",
    "get_float32_matmul_precision",
    "is_deterministic_algorithms_warn_only_enabled",
    "set_float32_matmul_precision",
    "set_flush_denormal",
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
#: torch's float32 matmul precision ("highest", "high" or "medium"); "highest" by default, as torch's.
_matmul_precision = {"value": "highest"}
_MATMUL_PRECISIONS = ("highest", "high", "medium")


def set_float32_matmul_precision(precision: str) -> None:
    """torch's ``set_float32_matmul_precision``: records ``precision`` ("highest", "high" or "medium"), which
    :func:`get_float32_matmul_precision` returns. Nothing is computed differently: float32 products here are
    always full float32 precision (numpy has no TensorFloat32 or bfloat16 kernels). As torch's, a value that is no
    str is a RuntimeError, and another string warns (UserWarning) and changes nothing."""
    if not isinstance(precision, str):
        raise RuntimeError(f"set_float32_matmul_precision expects a str, but got {type(precision).__name__}")
    if precision not in _MATMUL_PRECISIONS:
        warnings.warn(
            f"{precision} is not one of 'highest', 'high', or 'medium'; the current setFloat32MatmulPrecision call "
            "has no effect.",
            UserWarning,
            2,
        )
        return
    _matmul_precision["value"] = precision


def get_float32_matmul_precision() -> str:
    """The precision :func:`set_float32_matmul_precision` last recorded, "highest" by default (torch's query)."""
    return _matmul_precision["value"]


class _MatmulSwitches(SimpleNamespace):
    """``backends.cuda.matmul``: plain switches, except ``allow_tf32``, which is torch's other spelling of the
    float32 matmul precision (True when it is not "highest"; setting True records "high", False "highest")."""

    @property
    def allow_tf32(self) -> bool:
        return _matmul_precision["value"] != "highest"

    @allow_tf32.setter
    def allow_tf32(self, value: bool) -> None:
        _matmul_precision["value"] = "high" if value else "highest"


accelerator = SimpleNamespace(is_available=_false, device_count=_zero, current_accelerator=lambda: None)
#: torch's switches for GPU kernels, with torch's defaults, so the set-up lines of training scripts
#: (``torch.backends.cuda.matmul.allow_tf32 = True``, ``torch.backends.cudnn.benchmark = True``, nanoGPT's
#: first lines) run; they change nothing here: numpy's matmul is always full precision.
backends = SimpleNamespace(
    mps=SimpleNamespace(is_available=_false, is_built=_false),
    cuda=SimpleNamespace(
        is_built=_false,
        matmul=_MatmulSwitches(
            allow_fp16_reduced_precision_reduction=True,
            allow_bf16_reduced_precision_reduction=True,
        ),
    ),
    cudnn=SimpleNamespace(is_available=_false, enabled=True, allow_tf32=True, benchmark=False, deterministic=False),
)


#: torch's deterministic-algorithms switch: (mode, warn_only), both off by default as torch's.
class FlushDenormalArgumentError(TypeError, RuntimeError):
    """``set_flush_denormal`` of something else than a bool: a TypeError, and torch's RuntimeError."""


def set_flush_denormal(mode: bool) -> bool:
    """torch's ``set_flush_denormal``: whether the CPU's handling of subnormal floats is now ``mode``. numpy
    always keeps subnormal numbers (``1e-323`` stays ``1e-323``) and cannot be told to flush them to zero, so
    asking for flushing answers False (unsupported, as torch on a CPU without the DAZ flag) and asking for no
    flushing answers True (it is in force)."""
    if not isinstance(mode, bool):
        raise FlushDenormalArgumentError(f"set_flush_denormal: mode must be a bool, got {type(mode).__name__}")
    return not mode


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
