"""torch's ``nn.utils.clip_grad`` import path of the gradient clipping of :mod:`nn.optim.clip`
(``from torch.nn.utils.clip_grad import clip_grad_norm_``)."""

from __future__ import annotations

from ..optim.clip import clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from ..warning_site import deprecated_alias

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]

#: torch's deprecated name of :func:`clip_grad_norm_` (older examples' ``clip_grad_norm(model.parameters(), clip)``)
clip_grad_norm = deprecated_alias(clip_grad_norm_, "torch.nn.utils")
