"""The three ways torch's MultivariateNormal and Wishart take their matrix Sigma: ``covariance_matrix`` Sigma,
``precision_matrix`` Sigma^-1 or ``scale_tril`` L (lower triangular, positive diagonal, Sigma = L L^T). Exactly one
is given; it is kept under its name, and L, from which everything is computed, is made from it by a Cholesky
factorisation (of Sigma, or of the precision with its axes reversed, torch's way: no inverse of P)."""

from __future__ import annotations

from typing import Any

from .linalg import cholesky, solve_triangular
from .tensor import Tensor
from .tensor_functions import eye

__all__ = ["FORMS", "given_form", "keep_given_form", "make_scale_tril", "precision_to_scale_tril"]

#: The forms' names, as the constructors' keywords.
FORMS = ("covariance_matrix", "precision_matrix", "scale_tril")


def given_form(covariance_matrix: Any, precision_matrix: Any, scale_tril: Any, too_flat: str) -> Tensor:
    """The one form given (torch's ValueError unless exactly one is; ``too_flat`` is the message for one of fewer
    than two axes)."""
    given = [m for m in (covariance_matrix, precision_matrix, scale_tril) if m is not None]
    if len(given) != 1:
        raise ValueError("Exactly one of covariance_matrix or precision_matrix or scale_tril may be specified.")
    if given[0].ndim < 2:
        raise ValueError(too_flat)
    return given[0]


def keep_given_form(distribution: Any, shape: tuple[int, ...], **forms: Any) -> None:
    """Store the given form (the one of ``forms`` that is not None) on ``distribution`` under its name, expanded to
    ``shape`` (the batch shape and the matrices' two axes)."""
    for name in FORMS:
        if forms[name] is not None:
            setattr(distribution, name, forms[name].expand(shape))
            return


def make_scale_tril(distribution: Any, covariance_matrix: Any, scale_tril: Any) -> None:
    """Set ``distribution.scale_tril`` from the form kept by :func:`keep_given_form` when L was not the one given (the
    constructor calls it after the base class has validated the arguments)."""
    if scale_tril is None:
        if covariance_matrix is not None:
            distribution.scale_tril = cholesky(distribution.covariance_matrix)
        else:
            distribution.scale_tril = precision_to_scale_tril(distribution.precision_matrix)


def precision_to_scale_tril(precision: Tensor) -> Tensor:
    """L, lower triangular with L L^T = P^-1, without inverting P (torch's _precision_to_scale_tril: cholesky(inv(P))
    loses digits as P's condition number grows). With J the reversal of the axes' order, J P J = Lf Lf^T makes
    P = U U^T for the upper triangular U = J Lf J; then P^-1 = U^-T U^-1, and L = U^-T, one triangular solve."""
    upper = cholesky(precision.flip((-2, -1))).flip((-2, -1))
    identity = eye(precision.shape[-1], dtype=precision.dtype)
    return solve_triangular(upper.mT, identity, upper=False)
