"""torch's ``CTCLoss`` layer (see :func:`nn.functional.ctc.ctc_loss`)."""

from __future__ import annotations

from typing import Any

from autograd import ArgumentRangeError, Tensor

from .checks import check_flag, check_integer
from .functional.ctc import ctc_loss
from .losses import _CheckedLoss

__all__ = ["CTCLoss"]


class CTCLoss(_CheckedLoss):
    """Connectionist temporal classification loss of (T, N, C) log-probabilities against unaligned targets;
    ``blank``, ``reduction`` and ``zero_infinity`` as torch's."""

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False) -> None:
        super().__init__(reduction)
        # (torch's call refuses a blank outside the labels with a RuntimeError: an ArgumentRangeError is one too)
        self.blank = check_integer("CTCLoss", "blank", blank, low=0, error=ArgumentRangeError)
        self.zero_infinity = check_flag("CTCLoss", "zero_infinity", zero_infinity)

    def forward(self, log_probs: Any, targets: Any, input_lengths: Any, target_lengths: Any) -> Tensor:
        return ctc_loss(
            log_probs, targets, input_lengths, target_lengths, self.blank, self.reduction, self.zero_infinity
        )

    def extra_repr(self) -> str:
        return f"blank={self.blank}, reduction={self.reduction!r}, zero_infinity={self.zero_infinity}"
