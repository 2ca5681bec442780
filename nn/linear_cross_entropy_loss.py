"""``LinearCrossEntropyLoss``: a ``Linear`` layer to logits and the cross-entropy of those logits, as torch 2.13's."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor

from . import functional as F
from .checks import check_choice, check_integer
from .functional.linear_cross_entropy import LinearCrossEntropyError, LinearCrossEntropyOptions, check_options
from .functional.losses import REDUCTIONS
from .layers import Linear
from .losses import _CheckedLoss, _class_weight_buffer, _WeightedLoss

__all__ = ["LinearCrossEntropyLoss"]


class LinearCrossEntropyLoss(_CheckedLoss, _WeightedLoss):
    """loss(x, t) = cross_entropy(x W^T + b, t) with a learnable ``linear`` (see
    :func:`nn.functional.linear_cross_entropy`).

    ``num_classes`` classes C, and ``out_features`` (d_1, ..., d_K) for a K-dimensional loss: the layer
    ``linear`` maps in_features to C * d_1 * ... * d_K outputs (its weight stored flat, as torch's), read as
    logits of shape (N, C, d_1, ..., d_K). ``bias`` (default False, as torch's), ``weight`` (C,) class
    weights (a buffer), ``reduction``, ``ignore_index`` (None: -100 for class-index targets) and
    ``label_smoothing`` as ``CrossEntropyLoss``; ``options`` as the functional's. ``rng`` seeds the layer's
    initialisation (the library's ``Linear`` argument).
    """

    weight: np.ndarray | None  # a buffer

    def __init__(
        self,
        in_features: int,
        num_classes: int,
        *,
        out_features: tuple[int, ...] = (),
        bias: bool = False,
        device: Any = None,
        dtype: Any = None,
        reduction: str = "mean",
        weight: Any = None,
        ignore_index: int | None = None,
        label_smoothing: float = 0.0,
        options: LinearCrossEntropyOptions | None = None,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        owner = "LinearCrossEntropyLoss"
        self.num_classes = check_integer(owner, "num_classes", num_classes, 0)
        self.out_features = tuple(check_integer(owner, "out_features", size, 0) for size in out_features)
        weight_buffer = _class_weight_buffer(owner, weight)
        if weight_buffer is not None and weight_buffer.shape != (self.num_classes,):
            raise LinearCrossEntropyError(
                f"{owner}: expected weight shape to be {(self.num_classes,)}, got {weight_buffer.shape}"
            )
        if not 0.0 <= label_smoothing <= 1.0:
            raise LinearCrossEntropyError(
                f"{owner}: expected label_smoothing to be in range [0, 1], got {label_smoothing}"
            )
        if ignore_index is not None:
            check_integer(owner, "ignore_index", ignore_index)
        check_options(owner, options)
        super().__init__(check_choice(owner, "reduction", reduction, REDUCTIONS))
        self.ignore_index = ignore_index
        self.label_smoothing = float(label_smoothing)
        self.options = options
        outputs = math.prod(self.out_features, start=self.num_classes)
        linear_options: dict[str, Any] = {"device": device, "rng": rng}
        if dtype is not None:
            linear_options["dtype"] = dtype
        self.linear = Linear(in_features, outputs, bias=bias, **linear_options)
        self.register_buffer("weight", weight_buffer)

    def forward(self, input: Any, target: Any) -> Tensor:  # noqa: A002 - torch's name
        shape = (self.num_classes, *self.out_features)
        linear_weight = self.linear.weight.reshape(*shape, self.linear.in_features)
        linear_bias = None if self.linear.bias is None else self.linear.bias.reshape(*shape)
        return F.linear_cross_entropy(
            input,
            linear_weight,
            target,
            linear_bias=linear_bias,
            weight=self.weight,
            reduction=self.reduction,
            ignore_index=self.ignore_index,
            label_smoothing=self.label_smoothing,
            options=self.options,
        )

    def extra_repr(self) -> str:
        return (
            f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
            f"out_features={self.out_features}, bias={self.linear.bias is not None}, "
            f"reduction={self.reduction}, ignore_index={self.ignore_index}, "
            f"label_smoothing={self.label_smoothing}, options={self.options}"
        )
