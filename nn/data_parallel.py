"""``DataParallel`` (torch.nn.DataParallel) as torch's runs it on a machine without GPUs, the only kind this
library computes on: a wrapper whose forward calls the wrapped module, keeping no device ids.

torch's splits each batch along ``dim`` over the GPUs of ``device_ids``, runs a replica of the module on each and
gathers the outputs on ``output_device``; with no GPU available it keeps the module as it is, sets ``device_ids`` to
``[]`` and forwards every call to it, so the same training code (d2l's ``nn.DataParallel(net, device_ids=devices)``
with ``devices`` falling back to the CPU) runs unchanged. The wrapped module is the sub-module ``module``: its
parameters are the wrapper's, named ``module.<name>`` in ``state_dict``, as torch's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .module import Module

__all__ = ["DataParallel"]


class DataParallel(Module):
    """torch.nn.DataParallel without GPUs: ``forward(*inputs, **kwargs)`` is ``module(*inputs, **kwargs)``.

    ``device_ids``, ``output_device`` and ``dim`` are accepted and unused, as torch's are when no GPU is available
    (``device_ids`` is then ``[]``).
    """

    def __init__(
        self, module: Module, device_ids: Sequence[Any] | None = None, output_device: Any = None, dim: int = 0
    ) -> None:
        super().__init__()
        self.module = module
        self.device_ids: list[int] = []

    def forward(self, *inputs: Any, **kwargs: Any) -> Any:
        return self.module(*inputs, **kwargs)
