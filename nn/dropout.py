"""Channel dropout layers, torch's ``Dropout1d``, ``Dropout2d`` and ``Dropout3d``: whole channels zeroed together; and the alpha
dropout layers for SELU networks, ``AlphaDropout`` and ``FeatureAlphaDropout`` (see :mod:`nn.functional.dropout`).
``Dropout`` itself lives in :mod:`nn.layers`."""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from . import functional as F
from .functional.dropout import channel_dropout
from .layers import Dropout

__all__ = ["AlphaDropout", "Dropout1d", "Dropout2d", "Dropout3d", "FeatureAlphaDropout"]


class _ChannelDropout(Dropout):
    """Dropout of whole channels, ``nn.functional.dropout.channel_dropout`` with ``_spatial`` spatial axes: torch's reading
    of each rank and its warnings, in every mode, as torch's layers."""

    _spatial = 0

    def forward(self, input: Any) -> Tensor:
        return channel_dropout(
            type(self).__name__, input, self.p, self.training, self.inplace, self._generator(), self._spatial
        )


class Dropout1d(_ChannelDropout):
    """Zero each channel of (N, C, L) or (C, L) input with probability p in training, scaling the kept ones by
    1 / (1 - p); the identity in eval mode. Another rank is an error in every mode, as torch's (a ShapeError: a
    ValueError and torch's RuntimeError)."""

    _spatial = 1


class Dropout2d(_ChannelDropout):
    """Zero each channel of (N, C, H, W) or (C, H, W) input with probability p in training, scaling the kept
    ones by 1 / (1 - p); the identity in eval mode. As torch (with its warning), a 3-D input is read as
    (N, C, L); another rank as torch reads it, with its deprecation warning."""

    _spatial = 2


class Dropout3d(_ChannelDropout):
    """Zero each channel of (N, C, D, H, W) or (C, D, H, W) input with probability p in training, scaling the kept
    ones by 1 / (1 - p); the identity in eval mode. Another rank is read as torch reads it (one unbatched sample),
    with its deprecation warning."""

    _spatial = 3


class AlphaDropout(Dropout):
    """Alpha dropout in training: each entry dropped with probability p to SELU's saturation value, then an affine
    map that keeps an input of mean 0 and variance 1 so (``nn.functional.alpha_dropout``); the identity in eval
    mode. The draws come from ``rng`` (a Generator, a seed, or None for the library's random state)."""

    def forward(self, input: Any) -> Tensor:
        return F.alpha_dropout(input, self.p, self.training, self.inplace, rng=self._generator())


class FeatureAlphaDropout(Dropout):
    """Alpha dropout of whole channels of (N, C, *) input in training, one draw per (N, C) pair
    (``nn.functional.feature_alpha_dropout``); the identity in eval mode."""

    def forward(self, input: Any) -> Tensor:
        return F.feature_alpha_dropout(input, self.p, self.training, self.inplace, rng=self._generator())
