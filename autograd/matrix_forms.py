"""The three ways torch's MultivariateNormal and Wishart take their matrix Sigma: ``covariance_matrix`` Sigma,
``precision_matrix`` Sigma^-1 or ``scale_tril`` L (lower triangular, positive diagonal, Sigma = L L^T). Exactly one
is given; it is kept under its name, and L, from which everything is computed, is made from it by a Cholesky
factorisation (of Sigma, or of the inverse of the precision)."""

from __future__ import annotations

from typing import Any

from .linalg import cholesky, inv
from .tensor import Tensor

__all__ = ["FORMS", "given_form", "keep_given_form", "make_scale_tril"]

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
        given = distribution.covariance_matrix if covariance_matrix is not None else inv(distribution.precision_matrix)
        distribution.scale_tril = cholesky(given)
