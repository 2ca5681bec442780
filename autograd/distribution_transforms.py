"""torch.distributions.transforms: invertible maps with log|det J| for ``TransformedDistribution`` (also importable
as ``autograd.distributions.transforms``).

>>> import autograd
>>> from autograd.distributions.transforms import ExpTransform
>>> x = autograd.tensor([0.0, 1.0])
>>> y = ExpTransform()(x)                      # exp(x)
>>> ExpTransform().log_abs_det_jacobian(x, y)  # log|dy/dx| = x
"""

from __future__ import annotations

from .combined_transforms import CatTransform, StackTransform
from .corr_cholesky_transform import CorrCholeskyTransform
from .elementwise_transforms import (
    AbsTransform,
    AffineTransform,
    CumulativeDistributionTransform,
    ExpTransform,
    PowerTransform,
    SigmoidTransform,
    SoftplusTransform,
    TanhTransform,
)
from .simplex_transforms import (
    LowerCholeskyTransform,
    PositiveDefiniteTransform,
    SoftmaxTransform,
    StickBreakingTransform,
)
from .transform_base import ComposeTransform, IndependentTransform, ReshapeTransform, Transform, identity_transform

__all__ = [
    "AbsTransform",
    "AffineTransform",
    "CatTransform",
    "ComposeTransform",
    "CorrCholeskyTransform",
    "CumulativeDistributionTransform",
    "ExpTransform",
    "IndependentTransform",
    "LowerCholeskyTransform",
    "PositiveDefiniteTransform",
    "PowerTransform",
    "ReshapeTransform",
    "SigmoidTransform",
    "SoftmaxTransform",
    "SoftplusTransform",
    "StackTransform",
    "StickBreakingTransform",
    "TanhTransform",
    "Transform",
    "identity_transform",
]
