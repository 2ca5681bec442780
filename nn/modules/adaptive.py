"""torch's ``torch.nn.modules.adaptive`` path: ``AdaptiveLogSoftmaxWithLoss`` and its result type ``_ASMoutput``."""

from __future__ import annotations

from ..adaptive_softmax import AdaptiveLogSoftmaxWithLoss, _ASMoutput

__all__ = ["AdaptiveLogSoftmaxWithLoss", "_ASMoutput"]
