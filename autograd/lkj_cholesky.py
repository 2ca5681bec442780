"""``LKJCholesky(dim, concentration)`` (torch.distributions.LKJCholesky): the lower Cholesky factor L of a dim x dim
correlation matrix M = L L^T drawn from the LKJ distribution (Lewandowski, Kurowicka and Joe, "Generating random
correlation matrices based on vines and extended onion method", 2009), density proportional to det(M)^(eta - 1).

det(M) = prod_i L_ii^2 and the map L -> M has Jacobian prod_i L_ii^(d - i) (rows i = 1..d), so

    log p(L) = sum_(i=2..d) (2 (eta - 1) + d - i) log L_ii - log C,
    log C = (d - 1)/2 log pi + log Gamma_(d-1)(alpha - 1/2) - (d - 1) lgamma(alpha),   alpha = eta + (d - 1)/2,

Gamma_p the multivariate gamma function (LKJ 2009, section 3.2); eta = 1 is uniform over correlation matrices.

Draws are the onion method on the factor's rows: row i (0-based, i >= 1) is sqrt(y_i) u_i on its first i entries,
u_i uniform on the unit sphere there and y_i ~ Beta(i / 2, eta + (d - 1 - i) / 2), its diagonal entry
sqrt(1 - y_i) completing the unit row. torch 2.13 draws y_i ~ Beta(i - 1/2, ...) instead, which agrees only for the
second row: its correlations beyond the first column spread wider than LKJ's (variance 0.30 instead of 0.25 for
d = 3, eta = 1), while every correlation of LKJ(eta) is 2 Beta(b, b) - 1, b = eta - 1 + d / 2; the draws here have
that law. As torch's, there is no rsample.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .distribution_base import Distribution, broadcast_all
from .distribution_constraints import corr_cholesky, positive
from .random_state import generator_for
from .tensor import Tensor
from .tensor_functions import arange

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    """LKJ(dim, eta) over lower Cholesky factors of correlation matrices: see the module docstring. batch_shape is
    the concentration's shape, event_shape (dim, dim); dim must be at least 2 (ValueError, as torch's)."""

    arg_constraints = {"concentration": positive}
    support = corr_cholesky

    def __init__(self, dim: int, concentration: Any = 1.0, validate_args: bool | None = None) -> None:
        if dim < 2:
            raise ValueError(f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}.")
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        super().__init__(tuple(self.concentration.shape), (dim, dim), validate_args=validate_args)

    def sample(self, sample_shape: Any = ()) -> Tensor:
        """The onion method (module docstring), with numpy's samplers on the library's random state; each diagonal
        entry at least sqrt(tiny), as torch's."""
        d, dtype = self.dim, np.dtype(self.concentration.dtype)
        shape = self._extended_shape(sample_shape)  # sample + batch + (d, d)
        rng = generator_for(None)
        rows = np.arange(1, d)
        eta = np.broadcast_to(self.concentration._data[..., None], shape[:-2] + (d - 1,))
        y = rng.beta(rows / 2, eta + (d - 1 - rows) / 2)  # one per row below the first
        directions = np.tril(rng.standard_normal(shape), -1)[..., 1:, :]
        directions /= np.linalg.norm(directions, axis=-1, keepdims=True)
        factor = np.zeros(shape)
        factor[..., 1:, :] = np.sqrt(y)[..., None] * directions
        squares = np.clip(1 - (factor**2).sum(-1), np.finfo(np.float64).tiny, None)
        factor += np.sqrt(squares)[..., None] * np.eye(d)
        return Tensor(factor.astype(dtype, copy=False))

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        d = self.dim
        eta = self.concentration
        diagonal = value.diagonal(dim1=-2, dim2=-1)[..., 1:]  # L_22 .. L_dd (L_11 = 1)
        orders = 2 * (eta - 1).unsqueeze(-1) + d - arange(2, d + 1, dtype=eta.dtype)
        unnormalised = (orders * diagonal.log()).sum(-1)
        alpha = eta + 0.5 * (d - 1)
        multivariate_lgamma = (d - 1) * (d - 2) / 4 * math.log(math.pi)  # log Gamma_(d-1)(alpha - 1/2)
        for j in range(d - 1):
            multivariate_lgamma = multivariate_lgamma + (alpha - 0.5 - 0.5 * j).lgamma()
        log_normaliser = 0.5 * (d - 1) * math.log(math.pi) + multivariate_lgamma - (d - 1) * alpha.lgamma()
        return unnormalised - log_normaliser
