"""The table behind ``kl_divergence``: ``register_kl(P, Q)`` files a function under a pair of distribution types, and
``kl_divergence(p, q)`` calls the one filed under the most specific pair the types of p and q belong to.

The choice is torch.distributions.kl's: among the registered pairs (P, Q) with type(p) a subclass of P and type(q)
of Q, the least in the lexicographic subclass order (the most specific P first, then the most specific Q among
those) wins; when ordering by Q first would pick another function, a RuntimeWarning names the pair to register to
settle it. The choice is remembered per pair of types until the next ``register_kl``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .distribution_base import Distribution
from .tensor import Tensor, where

__all__ = ["kl_divergence", "register_kl", "with_value_where"]

KLFunction = Callable[[Any, Any], Tensor]

_KL_REGISTRY: dict[tuple[type, type], KLFunction] = {}
_KL_CHOICES: dict[tuple[type, type], KLFunction | None] = {}  # remembered dispatches, cleared by register_kl


def register_kl(type_p: type, type_q: type) -> Callable[[KLFunction], KLFunction]:
    """Decorator: ``@register_kl(P, Q)`` makes the function give kl_divergence(p, q) for p an instance of P (or of
    a subclass) and q of Q, unless a more specific pair is registered; P and Q are Distribution subclasses."""
    for name, kind in (("type_p", type_p), ("type_q", type_q)):
        if not (isinstance(kind, type) and issubclass(kind, Distribution)):
            raise TypeError(f"register_kl: expected {name} to be a Distribution subclass but got {kind!r}")

    def register(function: KLFunction) -> KLFunction:
        _KL_REGISTRY[type_p, type_q] = function
        _KL_CHOICES.clear()  # a new pair may be more specific than a remembered choice
        return function

    return register


def _precedes(first: tuple[type, ...], second: tuple[type, ...]) -> bool:
    """``first`` <= ``second`` in the lexicographic subclass order: the first place where the types differ has
    first's a subclass of second's (torch's _Match order)."""
    for mine, other in zip(first, second):
        if not issubclass(mine, other):
            return False
        if mine is not other:
            return True
    return True


def _least(pairs: list[tuple[type, ...]]) -> tuple[type, ...]:
    """The least of ``pairs`` in the subclass order, taken as ``min`` does (the first one nothing precedes)."""
    least = pairs[0]
    for pair in pairs[1:]:
        if pair != least and _precedes(pair, least):
            least = pair
    return least


def _dispatch(type_p: type, type_q: type) -> KLFunction | None:
    """The function registered under the most specific pair matching (type_p, type_q), None if no pair does."""
    matches = [(p, q) for p, q in _KL_REGISTRY if issubclass(type_p, p) and issubclass(type_q, q)]
    if not matches:
        return None
    left_p, left_q = _least(matches)
    right_q, right_p = _least([(q, p) for p, q in matches])
    chosen = _KL_REGISTRY[left_p, left_q]
    if chosen is not _KL_REGISTRY[right_p, right_q]:
        warnings.warn(
            f"Ambiguous kl_divergence({type_p.__name__}, {type_q.__name__}). "
            f"Please register_kl({left_p.__name__}, {right_q.__name__})",
            RuntimeWarning,
            stacklevel=3,
        )
    return chosen


def kl_divergence(p: Distribution, q: Distribution) -> Tensor:
    """KL(p || q) = E_p[log p(x) - log q(x)], batched over the distributions' batch shapes, by the function
    registered for the most specific pair of their types (see the module docstring); NotImplementedError where
    no registered pair matches."""
    key = (type(p), type(q))
    if key not in _KL_CHOICES:
        _KL_CHOICES[key] = _dispatch(*key)
    function = _KL_CHOICES[key]
    if function is None:
        raise NotImplementedError(
            f"No KL(p || q) is implemented for p type {type(p).__name__} and q type {type(q).__name__}"
        )
    return function(p, q)


def with_value_where(terms: Tensor, mask: Any, value: float) -> Tensor:
    """``terms`` with ``value`` where the boolean array ``mask`` (broadcast to terms' shape) is True, no gradient
    reaching the parameters there."""
    mask = np.broadcast_to(mask, terms.shape)
    return where(Tensor(mask), value, terms) if mask.any() else terms
