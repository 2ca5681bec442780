"""``MultivariateNormal``: the Gaussian over vectors, N(loc, Sigma) (torch.distributions.MultivariateNormal).

Sigma is given as ``covariance_matrix``, ``precision_matrix`` (its inverse) or ``scale_tril`` L (lower
triangular, positive diagonal, Sigma = L L^T); everything is computed from L: with z = L^-1 (x - loc),
log p(x) = -(k log 2 pi + |z|^2) / 2 - sum log diag L; entropy k (1 + log 2 pi) / 2 + sum log diag L;
rsample loc + L eps, eps ~ N(0, I).
"""

from __future__ import annotations

import math
from typing import Any

from .distribution_base import Distribution, lazy_property
from .distribution_constraints import lower_cholesky, positive_definite, real_vector
from .linalg import inv, solve_triangular
from .matrix_forms import given_form, keep_given_form, make_scale_tril
from .tensor import Tensor
from .tensor_functions import randn
from .torch_module_functions import broadcast_shapes

__all__ = ["MultivariateNormal"]


class MultivariateNormal(Distribution):
    """N(loc, Sigma) over vectors of loc's last axis; batch axes broadcast between loc and the matrix."""

    arg_constraints = {
        "loc": real_vector,
        "covariance_matrix": positive_definite,
        "precision_matrix": positive_definite,
        "scale_tril": lower_cholesky,
    }
    support = real_vector
    has_rsample = True

    def __init__(
        self,
        loc: Tensor,
        covariance_matrix: Tensor | None = None,
        precision_matrix: Tensor | None = None,
        scale_tril: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        if loc.ndim < 1:
            raise ValueError("loc must be at least one-dimensional.")
        forms = {"covariance_matrix": covariance_matrix, "precision_matrix": precision_matrix, "scale_tril": scale_tril}
        matrix = given_form(
            *forms.values(),
            "scale_tril, covariance_matrix or precision_matrix must be at least two-dimensional, "
            "with optional leading batch dimensions",
        )
        batch_shape = tuple(broadcast_shapes(tuple(matrix.shape[:-2]), tuple(loc.shape[:-1])))
        event = tuple(loc.shape[-1:])
        if tuple(matrix.shape[-2:]) != event * 2:
            raise ValueError(
                f"MultivariateNormal: the matrix's last two axes {tuple(matrix.shape[-2:])} must be {event * 2}"
            )
        self.loc = loc.expand(batch_shape + event)
        keep_given_form(self, batch_shape + event * 2, **forms)
        super().__init__(batch_shape, event, validate_args=validate_args)
        make_scale_tril(self, covariance_matrix, scale_tril)

    @property
    def mean(self) -> Tensor:
        return self.loc

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return (self.scale_tril**2).sum(-1)

    # the forms of Sigma not given, made from L when first read (a given one is an instance attribute already)
    @lazy_property
    def covariance_matrix(self) -> Tensor:
        return self.scale_tril @ self.scale_tril.mT

    @lazy_property
    def precision_matrix(self) -> Tensor:
        return inv(self.covariance_matrix)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        eps = randn(self._extended_shape(sample_shape), dtype=self.loc.dtype)
        return self.loc + (self.scale_tril @ eps.unsqueeze(-1)).squeeze(-1)

    def _half_log_det(self) -> Tensor:
        """log sqrt(det Sigma) = sum of log diag L."""
        return self.scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        diff = value - self.loc
        shape = tuple(broadcast_shapes(tuple(diff.shape[:-1]), self._batch_shape))
        k = self._event_shape[0]
        # the sample axes (those before the batch's) become columns of one right-hand side per batch entry: L is
        # factorised once per batch entry, not once per sample (10^4 samples of a 32-d normal: 50x faster)
        batch = shape[len(shape) - len(self._batch_shape) :]
        samples = shape[: len(shape) - len(self._batch_shape)]
        columns = diff.expand(shape + (k,)).reshape((math.prod(samples),) + batch + (k,)).movedim(0, -1)
        z = solve_triangular(self.scale_tril, columns, upper=False).movedim(-1, 0).reshape(shape + (k,))
        return -0.5 * (k * math.log(2 * math.pi) + (z * z).sum(-1)) - self._half_log_det()

    def entropy(self) -> Tensor:
        k = self._event_shape[0]
        return 0.5 * k * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
