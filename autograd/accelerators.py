"""torch's accelerator queries, answered for a library that computes with numpy on the CPU only: the device
lines at the top of tutorials (``device = "cuda" if torch.cuda.is_available() else "cpu"``,
``torch.accelerator.is_available()``, ``torch.backends.mps.is_available()``, ``torch.cuda.is_bf16_supported()``)
run and choose the CPU, and torch's GPU switches (``torch.backends.cuda.matmul.allow_tf32``,
``torch.backends.cudnn.allow_tf32``/``benchmark``/``deterministic``) can be read and set, without effect.

``cuda.manual_seed``/``manual_seed_all`` do nothing, as torch's do without a GPU (seed the library with
``autograd.manual_seed``).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

__all__ = ["accelerator", "backends", "cuda"]


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
