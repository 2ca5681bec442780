"""Loss layers: Modules around :mod:`nn.functional.losses`.

Each holds its ``reduction`` ("mean" | "sum" | "none") and hyper-parameters, checked
when it is built; calling it as ``loss(prediction, target)`` returns a Tensor. The losses
whose torch signature starts with ``weight`` (``CrossEntropyLoss``, ``NLLLoss``, ``BCELoss``,
``BCEWithLogitsLoss``) take it first here too, and everything after it by keyword only. The layers torch gives
its deprecated ``size_average`` and ``reduce`` take them too, keyword-only; given, they set ``reduction`` (as
torch's, with a warning).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import ArgumentRangeError, ShapeError, Tensor

from . import functional as F
from .checks import check_choice, check_flag, check_integer, check_real
from .functional.deprecated_reduction import legacy_reduction, renamed_reduction
from .functional.divergence import KL_DIV_REDUCTIONS
from .functional.losses import MAPE_EPS, REDUCTIONS, check_margin_power, check_weight_not_reduction
from .module import Module

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "ExponentialLoss",
    "HingeLoss",
    "HuberLoss",
    "KLDivLoss",
    "L1Loss",
    "MAPELoss",
    "MSELoss",
    "MeanBiasError",
    "MultiLabelMarginLoss",
    "MultiLabelSoftMarginLoss",
    "MultiMarginLoss",
    "NLLLoss",
    "NLLLoss2d",
    "PerceptronLoss",
    "SmoothHingeLoss",
    "SmoothL1Loss",
]


class _Loss(Module):
    """torch's base of the loss layers (``nn.modules.loss._Loss``), with its signature, for the losses people write
    on it: stores ``reduction``, or the one torch's deprecated ``size_average`` and ``reduce`` give (with torch's
    warning). Any string is kept, as torch's, for the subclass's forward to read; the repr shows nothing, as
    torch's."""

    def __init__(self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean") -> None:
        self.reduction = legacy_reduction(type(self).__name__, size_average, reduce, reduction)


class _WeightedLoss(_Loss):
    """torch's base of the losses with a ``weight`` (``nn.modules.loss._WeightedLoss``), with its signature:
    ``weight`` (an ndarray, a Tensor that needs no gradient, or None) kept as a buffer as given, None left out of
    ``state_dict``, as torch's."""

    weight: Any  # a buffer

    def __init__(
        self,
        weight: Any = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class _CheckedLoss(_Loss):
    """Base of this library's loss layers: ``reduction`` ("mean" | "sum" | "none") checked when the layer is built,
    and shown in the repr. The layers torch derives from ``_WeightedLoss`` derive from it too (after this class,
    whose ``__init__`` they call), so ``isinstance`` finds them as torch's."""

    def __init__(self, reduction: str = "mean") -> None:
        owner = type(self).__name__
        self.reduction = check_choice(owner, "reduction", renamed_reduction(owner, reduction), REDUCTIONS)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MSELoss(_CheckedLoss):
    """Mean squared error (see :func:`nn.functional.mse_loss`)."""

    def __init__(
        self, reduction: str = "mean", *, size_average: bool | None = None, reduce: bool | None = None
    ) -> None:
        reduction = legacy_reduction("MSELoss", size_average, reduce, reduction)
        super().__init__(reduction)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.mse_loss(input, target, self.reduction)


class L1Loss(_CheckedLoss):
    """Mean absolute error (see :func:`nn.functional.l1_loss`)."""

    def __init__(
        self, reduction: str = "mean", *, size_average: bool | None = None, reduce: bool | None = None
    ) -> None:
        reduction = legacy_reduction("L1Loss", size_average, reduce, reduction)
        super().__init__(reduction)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.l1_loss(input, target, self.reduction)


class MeanBiasError(_CheckedLoss):
    """Mean of target - prediction (see :func:`nn.functional.mean_bias_error`)."""

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.mean_bias_error(input, target, self.reduction)


class MAPELoss(_CheckedLoss):
    """Mean absolute percentage error, as a fraction (see :func:`nn.functional.mape`)."""

    def __init__(self, reduction: str = "mean", eps: float = MAPE_EPS) -> None:
        super().__init__(reduction)
        self.eps = check_real("MAPELoss", "eps", eps, 0, low_open=True)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.mape(input, target, self.reduction, self.eps)

    def extra_repr(self) -> str:
        return f"eps={self.eps}, {super().extra_repr()}"


class HuberLoss(_CheckedLoss):
    """Huber loss, quadratic within ``delta`` and linear outside (see :func:`nn.functional.huber_loss`)."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = check_real("HuberLoss", "delta", delta, 0, low_open=True, error=ArgumentRangeError)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.huber_loss(input, target, self.reduction, self.delta)

    def extra_repr(self) -> str:
        return f"delta={self.delta}, {super().extra_repr()}"


class SmoothL1Loss(_CheckedLoss):
    """torch's smooth L1, quadratic below ``beta`` and linear above (see :func:`nn.functional.smooth_l1_loss`)."""

    def __init__(
        self,
        reduction: str = "mean",
        beta: float = 1.0,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
    ) -> None:
        reduction = legacy_reduction("SmoothL1Loss", size_average, reduce, reduction)
        super().__init__(reduction)
        self.beta = check_real("SmoothL1Loss", "beta", beta, 0, error=ArgumentRangeError)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.smooth_l1_loss(input, target, self.reduction, self.beta)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, {super().extra_repr()}"


def _weight_buffer(owner: str, name: str, weight: Any) -> np.ndarray | None:
    """``weight`` as a float array (a buffer, as torch's), or None; errors name ``owner``."""
    check_weight_not_reduction(owner, weight)
    if weight is None:
        return None
    array = np.asarray(weight._data if isinstance(weight, Tensor) else weight)
    if array.dtype.kind not in "fiu":
        raise ValueError(f"{owner}: {name} must hold real numbers, got {array.dtype} of shape {array.shape}")
    return np.array(array, dtype=np.result_type(array.dtype, np.float32))


class BCELoss(_CheckedLoss, _WeightedLoss):
    """Binary cross-entropy of probabilities (see :func:`nn.functional.binary_cross_entropy`); ``weight`` (a buffer)
    rescales each term, as torch's."""

    weight: np.ndarray | None  # a buffer

    def __init__(
        self,
        weight: Any = None,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        buffer = _weight_buffer("BCELoss", "weight", weight)
        reduction = legacy_reduction("BCELoss", size_average, reduce, reduction)
        super().__init__(reduction)
        self.register_buffer("weight", buffer)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_CheckedLoss):
    """Binary cross-entropy of logits, stable (see :func:`nn.functional.binary_cross_entropy_with_logits`);
    ``weight`` and ``pos_weight`` (buffers) as torch's."""

    weight: np.ndarray | None  # a buffer
    pos_weight: np.ndarray | None  # a buffer

    def __init__(
        self,
        weight: Any = None,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Any = None,
    ) -> None:
        buffer = _weight_buffer("BCEWithLogitsLoss", "weight", weight)
        reduction = legacy_reduction("BCEWithLogitsLoss", size_average, reduce, reduction)
        super().__init__(reduction)
        self.register_buffer("weight", buffer)
        self.register_buffer("pos_weight", _weight_buffer("BCEWithLogitsLoss", "pos_weight", pos_weight))

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


def _class_weight_buffer(owner: str, weight: Any) -> np.ndarray | None:
    """``weight`` as a 1-d float array (a buffer, as torch's), or None; errors name ``owner`` (another number of
    axes is a :class:`ShapeError`, torch's RuntimeError at the call)."""
    check_weight_not_reduction(owner, weight)
    if weight is None:
        return None
    array = np.asarray(weight._data if isinstance(weight, Tensor) else weight)
    if array.dtype.kind not in "fiu" or array.ndim != 1:
        error = ShapeError if array.dtype.kind in "fiu" else ValueError
        raise error(
            f"{owner}: weight must be a 1-d array of real numbers, one per class, got {array.dtype} of shape {array.shape}"
        )
    return np.array(array, dtype=np.result_type(array.dtype, np.float32))


class CrossEntropyLoss(_CheckedLoss, _WeightedLoss):
    """Softmax cross-entropy of logits (see :func:`nn.functional.cross_entropy`); ``weight`` (a buffer) and
    ``ignore_index`` as torch's."""

    weight: np.ndarray | None  # a buffer

    def __init__(
        self,
        weight: Any = None,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
        axis: int = 1,
    ) -> None:
        check_weight_not_reduction("CrossEntropyLoss", weight)
        reduction = legacy_reduction("CrossEntropyLoss", size_average, reduce, reduction)
        super().__init__(reduction)
        self.label_smoothing = check_real(  # out of range: torch's RuntimeError (at the call), as cross_entropy's
            "CrossEntropyLoss", "label_smoothing", label_smoothing, 0, 1, error=ArgumentRangeError
        )
        self.axis = check_integer("CrossEntropyLoss", "axis", axis)
        self.ignore_index = check_integer("CrossEntropyLoss", "ignore_index", ignore_index)
        self.register_buffer("weight", _class_weight_buffer("CrossEntropyLoss", weight))

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
            axis=self.axis,
        )

    def extra_repr(self) -> str:
        ignore = f", ignore_index={self.ignore_index}" if self.ignore_index != -100 else ""
        return f"label_smoothing={self.label_smoothing}, axis={self.axis}{ignore}, {super().extra_repr()}"


class NLLLoss(_CheckedLoss, _WeightedLoss):
    """Negative log-likelihood of log-probabilities (see :func:`nn.functional.nll_loss`); ``weight`` (a buffer)
    and ``ignore_index`` as torch's."""

    weight: np.ndarray | None  # a buffer

    def __init__(
        self,
        weight: Any = None,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        axis: int = 1,
    ) -> None:
        check_weight_not_reduction("NLLLoss", weight)
        reduction = legacy_reduction("NLLLoss", size_average, reduce, reduction)
        super().__init__(reduction)
        self.axis = check_integer("NLLLoss", "axis", axis)
        self.ignore_index = check_integer("NLLLoss", "ignore_index", ignore_index)
        self.register_buffer("weight", _class_weight_buffer("NLLLoss", weight))

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction, axis=self.axis
        )

    def extra_repr(self) -> str:
        ignore = f", ignore_index={self.ignore_index}" if self.ignore_index != -100 else ""
        return f"axis={self.axis}{ignore}, {super().extra_repr()}"


class NLLLoss2d(NLLLoss):
    """torch's deprecated name for :class:`NLLLoss` (which already takes (N, C, H, W) log-probabilities); as
    torch's, making one gives a FutureWarning."""

    def __init__(
        self,
        weight: Any = None,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        axis: int = 1,
    ) -> None:
        warnings.warn(
            "`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in replacement and see "
            "https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more details.",
            FutureWarning,
            stacklevel=2,
        )
        check_weight_not_reduction("NLLLoss2d", weight)
        reduction = legacy_reduction("NLLLoss2d", size_average, reduce, reduction)
        super().__init__(weight, ignore_index=ignore_index, reduction=reduction, axis=axis)


class KLDivLoss(_CheckedLoss):
    """KL divergence of a target distribution from log-probabilities (see :func:`nn.functional.kl_div`):
    torch's arguments, ``reduction`` also "batchmean" (the KL divergence per sample)."""

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        log_target: bool = False,
    ) -> None:
        reduction = legacy_reduction("KLDivLoss", size_average, reduce, reduction)
        self.reduction = check_choice("KLDivLoss", "reduction", reduction, KL_DIV_REDUCTIONS)
        self.log_target = check_flag("KLDivLoss", "log_target", log_target)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.kl_div(input, target, reduction=self.reduction, log_target=self.log_target)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, log_target={self.log_target}"


class HingeLoss(_CheckedLoss):
    """max(0, margin - y f) for targets in {-1, +1} (see :func:`nn.functional.hinge_loss`)."""

    def __init__(self, margin: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.margin = check_real("HingeLoss", "margin", margin, 0)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.hinge_loss(input, target, self.margin, self.reduction)

    def extra_repr(self) -> str:
        return f"margin={self.margin}, {super().extra_repr()}"


class PerceptronLoss(_CheckedLoss):
    """Rosenblatt's criterion max(0, -y f) for targets in {-1, +1} (see :func:`nn.functional.perceptron_loss`)."""

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.perceptron_loss(input, target, self.reduction)


class MultiLabelSoftMarginLoss(_CheckedLoss, _WeightedLoss):
    """One-versus-all logistic loss over the classes of a multi-label target (see
    :func:`nn.functional.multilabel_soft_margin_loss`); ``weight`` (a buffer: one per class, or any shape that
    broadcasts to the scores', which torch multiplies the terms by) first as in torch, ``reduction`` keyword-only."""

    weight: np.ndarray | None  # a buffer

    def __init__(
        self,
        weight: Any = None,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        if isinstance(weight, str):
            raise TypeError(
                f"MultiLabelSoftMarginLoss: the first argument is weight, as in torch; got the string {weight!r}. "
                f"Pass reduction={weight!r} by keyword"
            )
        reduction = legacy_reduction("MultiLabelSoftMarginLoss", size_average, reduce, reduction)
        super().__init__(reduction)
        self.register_buffer("weight", _weight_buffer("MultiLabelSoftMarginLoss", "weight", weight))

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.multilabel_soft_margin_loss(input, target, self.weight, reduction=self.reduction)


class MultiLabelMarginLoss(_CheckedLoss):
    """Multi-label hinge loss, torch's definition (see :func:`nn.functional.multilabel_margin_loss`); the target
    lists each sample's classes, ended by -1. ``reduction`` keyword-only."""

    def __init__(
        self, *, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
    ) -> None:
        reduction = legacy_reduction("MultiLabelMarginLoss", size_average, reduce, reduction)
        super().__init__(reduction)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.multilabel_margin_loss(input, target, reduction=self.reduction)


class MultiMarginLoss(_CheckedLoss, _WeightedLoss):
    """Multi-class hinge loss, torch's definition (see :func:`nn.functional.multi_margin_loss`); ``weight`` (a
    buffer, one per class) third as in torch, ``reduction`` keyword-only."""

    weight: np.ndarray | None  # a buffer

    def __init__(
        self,
        p: int = 1,
        margin: float = 1.0,
        weight: Any = None,
        *,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        if isinstance(weight, str):
            raise TypeError(
                f"MultiMarginLoss: the argument after margin is weight, as in torch; got the string {weight!r}. "
                f"Pass reduction={weight!r} by keyword"
            )
        reduction = legacy_reduction("MultiMarginLoss", size_average, reduce, reduction)
        super().__init__(reduction)
        self.p = check_margin_power("MultiMarginLoss", p)
        self.margin = check_real("MultiMarginLoss", "margin", margin)
        self.register_buffer("weight", _class_weight_buffer("MultiMarginLoss", weight))

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.multi_margin_loss(input, target, self.p, self.margin, self.weight, reduction=self.reduction)

    def extra_repr(self) -> str:
        return f"p={self.p}, margin={self.margin}, {super().extra_repr()}"


class ExponentialLoss(_CheckedLoss):
    """exp(-y f) for targets in {-1, +1} (see :func:`nn.functional.exponential_loss`)."""

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.exponential_loss(input, target, self.reduction)


class SmoothHingeLoss(_CheckedLoss):
    """Rennie & Srebro's smooth hinge (see :func:`nn.functional.smooth_hinge_loss`)."""

    def __init__(self, alpha: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.alpha = check_real("SmoothHingeLoss", "alpha", alpha, 0, low_open=True)

    def forward(self, input: Any, target: Any) -> Tensor:
        return F.smooth_hinge_loss(input, target, self.alpha, self.reduction)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}, {super().extra_repr()}"
