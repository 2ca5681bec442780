"""Channel dropout layers, torch's ``Dropout1d``, ``Dropout2d`` and ``Dropout3d``: whole channels zeroed together; and the alpha
dropout layers for SELU networks, ``AlphaDropout`` and ``FeatureAlphaDropout`` (see :mod:`nn.functional.dropout`).
``Dropout`` itself lives in :mod:`nn.layers`."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor

from . import functional as F
from .layers import Dropout

__all__ = ["AlphaDropout", "Dropout1d", "Dropout2d", "Dropout3d", "FeatureAlphaDropout"]


class Dropout1d(Dropout):
    """Zero each channel of (N, C, L) or (C, L) input with probability p in training, scaling the kept ones by
    1 / (1 - p); the identity in eval mode. Another rank is an error in every mode, as torch's (a ShapeError: a
    ValueError and torch's RuntimeError)."""

    def forward(self, x: Any) -> Tensor:
        shape = np.shape(x._data if isinstance(x, Tensor) else x)
        if len(shape) not in (2, 3):
            raise ShapeError(
                f"Dropout1d: Expected 2D or 3D input, but received a {len(shape)}D input (expected a (C, L) or "
                f"(N, C, L) input, got shape {shape})"
            )
        return super().forward(x)

    def mask_shape(self, x: Tensor) -> tuple[int, ...]:
        return x.shape[:-1] + (1,)


class Dropout2d(Dropout):
    """Zero each channel of (N, C, H, W) or (C, H, W) input with probability p in training, scaling the kept
    ones by 1 / (1 - p); the identity in eval mode. As torch (with its warning), a 3-D input is read as
    (N, C, L)."""

    def mask_shape(self, x: Tensor) -> tuple[int, ...]:
        if x.ndim == 3:
            warnings.warn(
                "Dropout2d: a 3-D input is read as (N, C, L) and its channels dropped along one axis, as torch "
                "does (torch will later read it as (C, H, W)); use Dropout1d for (N, C, L)",
                UserWarning,
                stacklevel=3,
            )
            return x.shape[:-1] + (1,)
        if x.ndim != 4:
            raise ValueError(f"Dropout2d: expected a (C, H, W) or (N, C, H, W) input, got shape {x.shape}")
        return x.shape[:-2] + (1, 1)


class Dropout3d(Dropout):
    """Zero each channel of (N, C, D, H, W) or (C, D, H, W) input with probability p in training, scaling the kept
    ones by 1 / (1 - p); the identity in eval mode."""

    def mask_shape(self, x: Tensor) -> tuple[int, ...]:
        if x.ndim not in (4, 5):
            raise ValueError(f"Dropout3d: expected a (C, D, H, W) or (N, C, D, H, W) input, got shape {x.shape}")
        return x.shape[:-3] + (1, 1, 1)


class AlphaDropout(Dropout):
    """Alpha dropout in training: each entry dropped with probability p to SELU's saturation value, then an affine
    map that keeps an input of mean 0 and variance 1 so (``nn.functional.alpha_dropout``); the identity in eval
    mode. The draws come from ``rng`` (a Generator, a seed, or None for the library's random state)."""

    def forward(self, x: Any) -> Tensor:
        return F.alpha_dropout(x, self.p, self.training, self.inplace, rng=self._rng)


class FeatureAlphaDropout(Dropout):
    """Alpha dropout of whole channels of (N, C, *) input in training, one draw per (N, C) pair
    (``nn.functional.feature_alpha_dropout``); the identity in eval mode."""

    def forward(self, x: Any) -> Tensor:
        return F.feature_alpha_dropout(x, self.p, self.training, self.inplace, rng=self._rng)
