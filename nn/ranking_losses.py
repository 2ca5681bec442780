"""Loss layers around :mod:`nn.functional.ranking_losses` and :mod:`nn.functional.likelihood_losses`, with
torch's names and argument order; torch's deprecated ``size_average`` and ``reduce`` are keyword-only here (where
torch has them) and, given, set ``reduction`` (as torch's, with a warning)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from autograd import Tensor

from . import functional as F
from .checks import check_flag, check_real
from .functional.deprecated_reduction import legacy_reduction
from .losses import _CheckedLoss
from .similarity import PairwiseDistance

__all__ = [
    "CosineEmbeddingLoss",
    "GaussianNLLLoss",
    "HingeEmbeddingLoss",
    "MarginRankingLoss",
    "PoissonNLLLoss",
    "SoftMarginLoss",
    "TripletMarginLoss",
    "TripletMarginWithDistanceLoss",
]


class MarginRankingLoss(_CheckedLoss):
    """max(0, -y (x1 - x2) + margin) (see :func:`nn.functional.margin_ranking_loss`)."""

    def __init__(
        self,
        margin: float = 0.0,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        reduction = legacy_reduction("MarginRankingLoss", size_average, reduce, reduction)
        super().__init__(reduction)
        self.margin = check_real("MarginRankingLoss", "margin", margin)

    def forward(self, input1: Any, input2: Any, target: Any) -> Tensor:
        return F.margin_ranking_loss(input1, input2, target, self.margin, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"margin={self.margin}, {super().extra_repr()}"


class HingeEmbeddingLoss(_CheckedLoss):
    """x where y = 1, max(0, margin - x) where y = -1 (see :func:`nn.functional.hinge_embedding_loss`)."""

    def __init__(
        self,
        margin: float = 1.0,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        reduction = legacy_reduction("HingeEmbeddingLoss", size_average, reduce, reduction)
        super().__init__(reduction)
        self.margin = check_real("HingeEmbeddingLoss", "margin", margin)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.hinge_embedding_loss(input, target, self.margin, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"margin={self.margin}, {super().extra_repr()}"


class SoftMarginLoss(_CheckedLoss):
    """log(1 + e^(-y x)) (see :func:`nn.functional.soft_margin_loss`)."""

    def __init__(
        self, *, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
    ) -> None:
        reduction = legacy_reduction("SoftMarginLoss", size_average, reduce, reduction)
        super().__init__(reduction)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.soft_margin_loss(input, target, reduction=self.reduction)


class CosineEmbeddingLoss(_CheckedLoss):
    """1 - cos where y = 1, max(0, cos - margin) where y = -1 (see :func:`nn.functional.cosine_embedding_loss`)."""

    def __init__(
        self,
        margin: float = 0.0,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        reduction = legacy_reduction("CosineEmbeddingLoss", size_average, reduce, reduction)
        super().__init__(reduction)
        self.margin = check_real("CosineEmbeddingLoss", "margin", margin)

    def forward(self, input1: Any, input2: Any, target: Any) -> Tensor:
        return F.cosine_embedding_loss(input1, input2, target, self.margin, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"margin={self.margin}, {super().extra_repr()}"


class TripletMarginLoss(_CheckedLoss):
    """max(0, margin + d(a, p) - d(a, n)) (see :func:`nn.functional.triplet_margin_loss`)."""

    def __init__(
        self,
        margin: float = 1.0,
        p: float = 2.0,
        eps: float = 1e-6,
        swap: bool = False,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        reduction = legacy_reduction("TripletMarginLoss", size_average, reduce, reduction)
        super().__init__(reduction)
        self.margin = check_real("TripletMarginLoss", "margin", margin, 0, low_open=True)
        self.p = check_real("TripletMarginLoss", "p", p, 0, low_open=True, allow_inf=True)
        self.eps = check_real("TripletMarginLoss", "eps", eps)
        self.swap = check_flag("TripletMarginLoss", "swap", swap)

    def forward(self, anchor: Any, positive: Any, negative: Any) -> Tensor:
        return F.triplet_margin_loss(
            anchor, positive, negative, self.margin, self.p, self.eps, self.swap, reduction=self.reduction
        )

    def extra_repr(self) -> str:
        return f"margin={self.margin}, p={self.p}, eps={self.eps}, swap={self.swap}, {super().extra_repr()}"


class TripletMarginWithDistanceLoss(_CheckedLoss):
    """max(0, margin + d(a, p) - d(a, n)) for a distance ``d`` (see
    :func:`nn.functional.triplet_margin_with_distance_loss`); ``distance_function`` defaults to a
    :class:`PairwiseDistance` module (a child, shown in the repr, as torch's)."""

    def __init__(
        self,
        *,
        distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
        margin: float = 1.0,
        swap: bool = False,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction)
        name = "TripletMarginWithDistanceLoss"
        if distance_function is not None and not callable(distance_function):
            raise TypeError(
                f"{name}: distance_function must be callable or None, got {type(distance_function).__name__}"
            )
        self.margin = check_real(name, "margin", margin, 0, low_open=True)
        self.swap = check_flag(name, "swap", swap)
        self.distance_function = PairwiseDistance() if distance_function is None else distance_function

    def forward(self, anchor: Any, positive: Any, negative: Any) -> Tensor:
        return F.triplet_margin_with_distance_loss(
            anchor,
            positive,
            negative,
            distance_function=self.distance_function,
            margin=self.margin,
            swap=self.swap,
            reduction=self.reduction,
        )


class PoissonNLLLoss(_CheckedLoss):
    """Poisson negative log-likelihood (see :func:`nn.functional.poisson_nll_loss`)."""

    def __init__(
        self,
        log_input: bool = True,
        full: bool = False,
        eps: float = 1e-8,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        reduction = legacy_reduction("PoissonNLLLoss", size_average, reduce, reduction)
        super().__init__(reduction)
        self.log_input = check_flag("PoissonNLLLoss", "log_input", log_input)
        self.full = check_flag("PoissonNLLLoss", "full", full)
        self.eps = check_real("PoissonNLLLoss", "eps", eps, 0)

    def forward(self, log_input: Any, target: Any) -> Tensor:
        return F.poisson_nll_loss(log_input, target, self.log_input, self.full, self.eps, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"log_input={self.log_input}, full={self.full}, eps={self.eps}, {super().extra_repr()}"


class GaussianNLLLoss(_CheckedLoss):
    """Gaussian negative log-likelihood with a predicted variance (see :func:`nn.functional.gaussian_nll_loss`);
    called as ``loss(input, target, var)``."""

    def __init__(self, *, full: bool = False, eps: float = 1e-6, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.full = check_flag("GaussianNLLLoss", "full", full)
        self.eps = check_real("GaussianNLLLoss", "eps", eps, 0)

    def forward(self, input: Any, target: Any, var: Any) -> Tensor:
        return F.gaussian_nll_loss(input, target, var, self.full, self.eps, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"full={self.full}, eps={self.eps}, {super().extra_repr()}"
