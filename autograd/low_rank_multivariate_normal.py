"""``LowRankMultivariateNormal(loc, cov_factor, cov_diag)``: the Gaussian over n-vectors with covariance
Sigma = W W^T + D, W = cov_factor (n x m, m usually much less than n), D = diag(cov_diag) > 0
(torch.distributions.LowRankMultivariateNormal).

Nothing n x n is factorised: with the capacitance K = I_m + W^T D^-1 W = L_K L_K^T (m x m),

    log det Sigma = 2 sum log diag L_K + sum log D                      (the matrix determinant lemma)
    x^T Sigma^-1 x = x^T D^-1 x - |L_K^-1 W^T D^-1 x|^2                 (Woodbury)

so log_prob and entropy cost O(n m^2). rsample is loc + W eps_m + sqrt(D) eps_n (eps ~ N(0, I)), reparameterised.
``covariance_matrix``, ``precision_matrix`` (D^-1 - A^T A, A = L_K^-1 W^T D^-1) and ``scale_tril``
(sqrt(D) chol(I + D^-1/2 W W^T D^-1/2)) are made when first read.
"""

from __future__ import annotations

import math
from typing import Any

from .distribution_base import Distribution, _shape, lazy_property
from .distribution_constraints import independent, positive, real, real_vector
from .linalg import cholesky, solve_triangular
from .tensor import Tensor
from .tensor_functions import eye, randn
from .torch_module_functions import broadcast_shapes, broadcast_tensors

__all__ = ["LowRankMultivariateNormal", "capacitance_tril", "lowrank_log_det", "lowrank_mahalanobis"]


def capacitance_tril(factor: Tensor, diag: Tensor) -> Tensor:
    """The Cholesky factor of K = I + W^T D^-1 W (m x m)."""
    m = factor.shape[-1]
    scaled = factor.mT / diag.unsqueeze(-2)
    return cholesky(scaled @ factor + eye(m, dtype=factor.dtype))


def lowrank_log_det(diag: Tensor, capacitance: Tensor) -> Tensor:
    """log det(W W^T + D) = 2 sum log diag L_K + sum log D."""
    return 2 * capacitance.diagonal(dim1=-2, dim2=-1).log().sum(-1) + diag.log().sum(-1)


def lowrank_mahalanobis(factor: Tensor, diag: Tensor, x: Tensor, capacitance: Tensor) -> Tensor:
    """x^T (W W^T + D)^-1 x = x^T D^-1 x - |L_K^-1 W^T D^-1 x|^2, batched over x's leading axes."""
    projected = ((factor.mT / diag.unsqueeze(-2)) @ x.unsqueeze(-1)).squeeze(-1)  # W^T D^-1 x: (..., m)
    shape = tuple(broadcast_shapes(tuple(projected.shape[:-1]), tuple(capacitance.shape[:-2])))
    m = capacitance.shape[-1]
    solved = solve_triangular(
        capacitance.expand(shape + (m, m)), projected.expand(shape + (m,)).unsqueeze(-1), upper=False
    )
    return (x * x / diag).sum(-1) - (solved * solved).sum((-2, -1))


def trace_of_gram(x: Tensor) -> Tensor:
    """tr(X X^T) = the sum of X's squared entries, over the last two axes."""
    return (x * x).sum((-2, -1))


class LowRankMultivariateNormal(Distribution):
    """N(loc, W W^T + D) over vectors of loc's last axis (n), batch axes broadcast between loc, cov_factor (n x m)
    and cov_diag (n): see the module docstring. Mean and mode loc, variance the diagonal sum_j W_ij^2 + D_i."""

    arg_constraints = {"loc": real_vector, "cov_factor": independent(real, 2), "cov_diag": independent(positive, 1)}
    support = real_vector
    has_rsample = True

    def __init__(self, loc: Tensor, cov_factor: Tensor, cov_diag: Tensor, validate_args: bool | None = None) -> None:
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        event = tuple(loc.shape[-1:])
        if cov_factor.ndim < 2:
            raise ValueError("cov_factor must be at least two-dimensional, with optional leading batch dimensions")
        if tuple(cov_factor.shape[-2:-1]) != event:
            raise ValueError(f"cov_factor must be a batch of matrices with shape {event[0]} x m")
        if tuple(cov_diag.shape[-1:]) != event:
            raise ValueError(f"cov_diag must be a batch of vectors with shape {event}")
        try:
            loc_column, self.cov_factor, diag_column = broadcast_tensors(
                loc.unsqueeze(-1), cov_factor, cov_diag.unsqueeze(-1)
            )
        except (RuntimeError, ValueError) as error:
            raise ValueError(
                f"Incompatible batch shapes: loc {tuple(loc.shape)}, cov_factor {tuple(cov_factor.shape)}, "
                f"cov_diag {tuple(cov_diag.shape)}"
            ) from error
        self.loc = loc_column[..., 0]
        self.cov_diag = diag_column[..., 0]
        self._unbroadcasted_cov_factor = cov_factor
        self._unbroadcasted_cov_diag = cov_diag
        super().__init__(tuple(self.loc.shape[:-1]), event, validate_args=validate_args)
        self._capacitance_tril = capacitance_tril(cov_factor, cov_diag)

    def expand(self, batch_shape: Any, _instance: Any = None) -> LowRankMultivariateNormal:
        """loc, cov_diag and cov_factor expanded to the new batch shape; the factorisation is shared."""
        batch = _shape(batch_shape)
        new = object.__new__(type(self))
        new.__dict__.update(
            {key: value for key, value in self.__dict__.items() if key not in LowRankMultivariateNormal.__dict__}
        )  # (the forms made when first read are made again, of the new shape)
        new.loc = self.loc.expand(batch + self._event_shape)
        new.cov_diag = self.cov_diag.expand(batch + self._event_shape)
        new.cov_factor = self.cov_factor.expand(batch + self._event_shape + tuple(self.cov_factor.shape[-1:]))
        new._batch_shape = batch
        return new

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @lazy_property
    def variance(self) -> Tensor:  # type: ignore[override]
        diagonal = (self._unbroadcasted_cov_factor**2).sum(-1) + self._unbroadcasted_cov_diag
        return diagonal.expand(self._batch_shape + self._event_shape)

    @lazy_property
    def scale_tril(self) -> Tensor:
        n = self._event_shape[0]
        root = self._unbroadcasted_cov_diag.sqrt().unsqueeze(-1)
        scaled = self._unbroadcasted_cov_factor / root
        tril = root * cholesky(scaled @ scaled.mT + eye(n, dtype=scaled.dtype))
        return tril.expand(self._batch_shape + self._event_shape * 2)

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        factor = self._unbroadcasted_cov_factor
        covariance = factor @ factor.mT + self._unbroadcasted_cov_diag.diag_embed()
        return covariance.expand(self._batch_shape + self._event_shape * 2)

    @lazy_property
    def precision_matrix(self) -> Tensor:
        diag = self._unbroadcasted_cov_diag
        scaled = self._unbroadcasted_cov_factor.mT / diag.unsqueeze(-2)
        a = solve_triangular(self._capacitance_tril, scaled, upper=False)
        precision = (1 / diag).diag_embed() - a.mT @ a
        return precision.expand(self._batch_shape + self._event_shape * 2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps_factor = randn(shape[:-1] + tuple(self.cov_factor.shape[-1:]), dtype=self.loc.dtype)
        eps_diag = randn(shape, dtype=self.loc.dtype)
        along_factor = (self._unbroadcasted_cov_factor @ eps_factor.unsqueeze(-1)).squeeze(-1)
        return self.loc + along_factor + self._unbroadcasted_cov_diag.sqrt() * eps_diag

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        diff = value - self.loc
        mahalanobis = lowrank_mahalanobis(
            self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag, diff, self._capacitance_tril
        )
        log_det = lowrank_log_det(self._unbroadcasted_cov_diag, self._capacitance_tril)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + log_det + mahalanobis)

    def entropy(self) -> Tensor:
        log_det = lowrank_log_det(self._unbroadcasted_cov_diag, self._capacitance_tril)
        entropy = 0.5 * (self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + log_det)
        return entropy.expand(self._batch_shape) if self._batch_shape else entropy
