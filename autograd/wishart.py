"""``Wishart(df, covariance_matrix=|precision_matrix=|scale_tril=)`` (torch.distributions.Wishart): the law of
X = sum_k z_k z_k^T over df draws z_k ~ N(0, Sigma) (any real df > p - 1), over p x p positive-definite matrices.

With Sigma = L L^T (L the scale_tril, from whichever form is given), nu = df and log Gamma_p the multivariate
log-gamma function (sum_(j<p) lgamma(a - j/2) + p (p - 1)/4 log pi):

    log p(X) = (nu - p - 1)/2 log det X - tr(Sigma^-1 X)/2 - nu p/2 log 2 - nu/2 log det Sigma - log Gamma_p(nu/2)
    mean nu Sigma, mode (nu - p - 1) Sigma (nan where nu <= p + 1), variance nu (Sigma_ij^2 + Sigma_ii Sigma_jj)
    entropy (p + 1)/2 log det Sigma + p (p + 1)/2 log 2 + log Gamma_p(nu/2) - (nu - p - 1)/2 psi_p(nu/2) + nu p/2,
            psi_p(a) = sum_(j<p) digamma(a - j/2)

rsample is Bartlett's decomposition: X = L A A^T L^T with A lower triangular, A_ii^2 ~ Chi2(nu - i) (i = 0..p-1) and
A_ij ~ N(0, 1) below the diagonal; the chi-squared draws are implicitly reparameterised gamma draws
(:mod:`autograd.implicit_gamma`), so gradients reach df and the matrix. (torch redraws a sample that is singular in
its floating point, up to ``max_try_correction`` times; a draw here is not redrawn.)
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .continuous_distributions import _standard_gamma
from .core import Node
from .distribution_base import lazy_property
from .distribution_constraints import Constraint, greater_than, lower_cholesky, positive_definite
from .exponential_family import ExponentialFamily
from .linalg import cholesky, inv, solve_triangular
from .matrix_forms import given_form, keep_given_form, make_scale_tril
from .tensor import Tensor, where
from .tensor_functions import arange, randn
from .torch_module_functions import broadcast_shapes

__all__ = ["Wishart", "multivariate_digamma", "multivariate_lgamma"]


def multivariate_lgamma(a: Tensor, p: int) -> Tensor:
    """log Gamma_p(a) = p (p - 1)/4 log pi + sum_(j<p) lgamma(a - j/2), differentiable in a."""
    total = a * 0 + p * (p - 1) / 4 * math.log(math.pi)
    for j in range(p):
        total = total + (a - 0.5 * j).lgamma()
    return total


def multivariate_digamma(a: Tensor, p: int) -> Tensor:
    """psi_p(a) = d/da log Gamma_p(a) = sum_(j<p) digamma(a - j/2)."""
    total = a * 0
    for j in range(p):
        total = total + (a - 0.5 * j).digamma()
    return total


class Wishart(ExponentialFamily):
    """Wishart(df, Sigma) over p x p positive-definite matrices: see the module docstring. batch_shape broadcasts
    df's shape with the matrix's leading axes; event_shape (p, p)."""

    support = positive_definite
    has_rsample = True

    @property
    def arg_constraints(self) -> dict[str, Constraint]:  # type: ignore[override]
        """The matrix forms' and df > p - 1 (p read from the event shape, as torch's)."""
        return {
            "covariance_matrix": positive_definite,
            "precision_matrix": positive_definite,
            "scale_tril": lower_cholesky,
            "df": greater_than(self._event_shape[-1] - 1),
        }

    def __init__(
        self,
        df: Any,
        covariance_matrix: Tensor | None = None,
        precision_matrix: Tensor | None = None,
        scale_tril: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        forms = {"covariance_matrix": covariance_matrix, "precision_matrix": precision_matrix, "scale_tril": scale_tril}
        matrix = given_form(
            *forms.values(), "scale_tril must be at least two-dimensional, with optional leading batch dimensions"
        )
        event = tuple(matrix.shape[-2:])
        p = event[-1]
        if not isinstance(df, Node):
            df = Tensor(np.asarray(df, dtype=matrix.dtype))
        batch_shape = tuple(broadcast_shapes(tuple(matrix.shape[:-2]), tuple(df.shape)))
        if np.any(df._data <= p - 1):
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {p - 1}.")
        if np.any(df._data < p):
            warnings.warn(
                "Low df values detected. Singular samples are highly likely to occur for ndim - 1 < df < ndim.",
                UserWarning,
                stacklevel=2,
            )
        self.df = df.expand(batch_shape)
        keep_given_form(self, batch_shape + event, **forms)
        self._event_shape = event  # (read by arg_constraints during the checks)
        super().__init__(batch_shape, event, validate_args=validate_args)
        make_scale_tril(self, covariance_matrix, scale_tril)

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        return self.scale_tril @ self.scale_tril.mT

    @lazy_property
    def precision_matrix(self) -> Tensor:
        return inv(self.covariance_matrix)

    def _df_matrix(self) -> Tensor:
        """df with two trailing axes of length 1, against the matrices."""
        return self.df.unsqueeze(-1).unsqueeze(-1)

    @property
    def mean(self) -> Tensor:
        return self._df_matrix() * self.covariance_matrix

    @property
    def mode(self) -> Tensor:
        factor = self.df - self._event_shape[-1] - 1
        factor = where(factor > 0, factor, math.nan)
        return factor.unsqueeze(-1).unsqueeze(-1) * self.covariance_matrix

    @property
    def variance(self) -> Tensor:
        sigma = self.covariance_matrix
        diagonal = sigma.diagonal(dim1=-2, dim2=-1)
        return self._df_matrix() * (sigma**2 + diagonal.unsqueeze(-1) * diagonal.unsqueeze(-2))

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """Bartlett's decomposition (module docstring)."""
        p = self._event_shape[-1]
        shape = self._extended_shape(sample_shape)
        dtype = self.scale_tril.dtype
        # the diagonal: sqrt(2 g_i), g_i ~ Gamma((df - i) / 2, 1), so A_ii^2 ~ Chi2(df - i)
        halves = 0.5 * (self.df.unsqueeze(-1) - arange(p, dtype=dtype))
        gammas = _standard_gamma(shape[:-1], halves)
        below = randn(shape, dtype=dtype).tril(-1)
        bartlett = below + (2 * gammas).sqrt().diag_embed()
        factor = self.scale_tril @ bartlett
        return factor @ factor.mT

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        p = self._event_shape[-1]
        nu = self.df
        value_factor = cholesky(value)
        log_det_value = 2 * value_factor.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        trace = (solve_triangular(self.scale_tril, value_factor, upper=False) ** 2).sum((-2, -1))  # tr(Sigma^-1 X)
        return (
            0.5 * (nu - p - 1) * log_det_value
            - 0.5 * trace
            - nu * (0.5 * p * math.log(2) + self.half_log_det())
            - multivariate_lgamma(0.5 * nu, p)
        )

    def entropy(self) -> Tensor:
        p = self._event_shape[-1]
        nu = self.df
        return (
            (p + 1) * self.half_log_det()
            + 0.5 * p * (p + 1) * math.log(2)
            + multivariate_lgamma(0.5 * nu, p)
            - 0.5 * (nu - p - 1) * multivariate_digamma(0.5 * nu, p)
            + 0.5 * nu * p
        )

    def half_log_det(self) -> Tensor:
        """log sqrt(det Sigma) = sum of log diag L."""
        return self.scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
