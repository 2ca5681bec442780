"""Layers around :mod:`nn.functional.distance`: torch's ``CosineSimilarity`` and ``PairwiseDistance``. As torch's,
they print without their options (``CosineSimilarity()``)."""

from __future__ import annotations

from typing import Any

from autograd import Tensor

from . import functional as F
from .checks import check_flag, check_integer, check_real
from .module import Module

__all__ = ["CosineSimilarity", "PairwiseDistance"]


class CosineSimilarity(Module):
    """Cosine similarity of two inputs along ``dim`` (see :func:`nn.functional.cosine_similarity`)."""

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        self.dim = check_integer("CosineSimilarity", "dim", dim)
        self.eps = check_real("CosineSimilarity", "eps", eps, 0)

    def forward(self, x1: Any, x2: Any) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)


class PairwiseDistance(Module):
    """p-norm distance of two inputs along the last axis (see :func:`nn.functional.pairwise_distance`)."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        self.norm = check_real("PairwiseDistance", "p", p, allow_inf=True)  # any real p, as torch
        self.eps = check_real("PairwiseDistance", "eps", eps)
        self.keepdim = check_flag("PairwiseDistance", "keepdim", keepdim)

    def forward(self, x1: Any, x2: Any) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)
