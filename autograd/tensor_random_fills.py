"""Tensor's random fills in place, torch's ``uniform_``, ``normal_``, ``random_``, ``bernoulli_``,
``exponential_``, ``geometric_``, ``cauchy_`` and ``log_normal_``: new values drawn from a distribution.

Each takes ``generator`` (a ``numpy.random.Generator`` such as ``autograd.Generator``, a seed, or None for the
library's random state: :func:`autograd.random_state.generator_for`) and writes through
:meth:`TensorInPlace._replace`, so the in-place rules hold: a leaf that requires grad (a parameter) refuses while
a graph is recorded (use ``no_grad()``, as ``nn.init`` does); a recorded result (``h = x * 2; h.normal_()``) takes
the draws as torch's does, recorded as a fill: the draws are not differentiable, so the old values get a zero
gradient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from .core import Node
from .random_state import check_drawn_range, check_uniform_range, generator_for, uniform_draws
from .shape_errors import ArgumentRangeError, DtypeKernelError, ShapeError
from .shared_math import where
from .torch_keywords import torch_keyword_names

if TYPE_CHECKING:  # for annotations only: autograd.tensor imports this module
    from .tensor import Tensor, TensorLike

__all__ = ["TensorRandomFills"]


class TensorRandomFills:
    """Tensor's random in-place fills (a mixin: :class:`~autograd.tensor.Tensor` inherits them)."""

    __slots__ = ()

    def _draw_into(self, op: str, draws: Callable[[np.ndarray], Any], parameter: Any = None) -> Tensor:
        """Write ``draws(data)`` (new values for this tensor's array, of its shape) in place as ``op``; while a graph
        is recorded for this tensor (a result, not a leaf) or for ``parameter`` (``bernoulli_``'s tensor of
        probabilities) the draws are recorded as a fill that gives the old values and the parameter a zero
        gradient, as torch's random fills (their derivatives are zeros)."""

        def recorded(tensor: Tensor, *given: Any) -> Tensor:  # the draws, in the tensor's dtype, in the graph
            sample = type(tensor)._make(np.asarray(draws(tensor._data)).astype(tensor.dtype, copy=False))
            for source in (*given, tensor):
                if isinstance(source, Node) and source.requires_grad:
                    same = source if source.dtype == tensor.dtype else source.astype(tensor.dtype)  # (float64 p)
                    sample = where(True, sample, same)  # the draws; d/dsource = 0
            return sample

        operands = (parameter,) if isinstance(parameter, Node) and parameter.requires_grad else ()
        return self._replace(op, lambda data, *_: draws(data), *operands, graph=recorded)

    @torch_keyword_names(**{"from": "a", "to": "b"})  # torch's names (``from`` is Python's keyword: **{"from": 1})
    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with draws from U[a, b) in place (a draw that rounds up to b in this dtype is a, as torch's:
        :func:`~autograd.random_state.uniform_draws`); ``generator`` is a numpy Generator, an int seed, or None (the
        library's random state, see ``autograd.manual_seed``), as in ``nn.init``. As torch's, a > b, a bound
        outside the tensor's floating dtype (an infinite one too) or a width b - a past it is an
        ``ArgumentRangeError`` (torch's RuntimeError)."""
        _refuse_non_floating("uniform_", self.dtype)
        check_uniform_range("uniform_", a, b, self.dtype)
        rng = generator_for(generator)
        return self._draw_into("uniform_", lambda t: uniform_draws(rng, a, b, t.shape, t.dtype))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with draws from N(mean, std**2) in place; ``generator`` as in :meth:`uniform_`."""
        _refuse_non_floating("normal_", self.dtype)
        if not std >= 0:  # (also a nan std)
            raise ArgumentRangeError(f"normal_: expects std >= 0, got std={std!r}")
        rng = generator_for(generator)
        return self._draw_into("normal_", lambda t: rng.normal(mean, std, size=t.shape))

    def random_(self, *bounds: int | None, generator: Any = None, **named: int | None) -> Tensor:
        """Fill with integers drawn uniformly in place (``torch.Tensor.random_``): ``random_(to)`` from [0, to),
        ``random_(from, to)`` from [from, to), ``random_()`` (or ``random_(from, None)``) from [0 (or from),
        2**mantissa] for a float tensor (every integer it holds exactly) or from the dtype's non-negative range, its
        largest value included (0 and 1 for bool), as torch's; ``generator`` as in :meth:`uniform_`. A bound
        outside the range of the tensor's dtype is an ``ArgumentRangeError`` (torch's RuntimeError): the draws
        would wrap around when written. torch's keyword names are taken too: ``random_(to=5)``, ``random_(2, to=5)``
        and ``random_(**{"from": 2, "to": 5})`` (``from`` is Python's keyword)."""
        if named:
            bounds = _named_bounds(bounds, named)
        if len(bounds) > 2:
            raise TypeError(f"random_: takes at most 2 bounds (from, to), got {len(bounds)}")
        low, high = bounds if len(bounds) == 2 else (0, bounds[0] if bounds else None)
        if high is None:  # torch's: up to the largest value, included
            kind = self.dtype.kind
            last = 2 ** (np.finfo(self.dtype).nmant + 1) if kind == "f" else 1 if kind == "b" else None
            last = int(np.iinfo(self.dtype).max) if last is None else last
        elif low >= high:
            raise ArgumentRangeError(f"random_: expects from < to, got from={low} and to={high}")
        else:
            last = high - 1
        check_drawn_range("random_", low, last, self.dtype)  # (an int8 tensor's random_(1000) would wrap)
        if low > last:
            raise ArgumentRangeError(f"random_: expects from <= {last} (the largest value drawn), got from={low}")
        drawn = np.uint64 if last > np.iinfo(np.int64).max else np.int64
        rng = generator_for(generator)

        def draws(t: Tensor) -> np.ndarray:  # in the tensor's dtype, which holds them all (a bool tensor too)
            return rng.integers(low, last, size=t.shape, dtype=drawn, endpoint=True).astype(t.dtype, copy=False)

        return self._draw_into("random_", draws)

    def bernoulli_(self, p: TensorLike = 0.5, *, generator: Any = None) -> Tensor:
        """Fill with 1 with probability ``p`` (a number or a tensor broadcast to this one), else 0, in place. A ``p``
        outside [0, 1], NaN included, is an ``ArgumentRangeError``, one that does not broadcast to this tensor's
        shape a ``ShapeError`` (both torch's RuntimeError)."""
        chance = np.asarray(p._data if isinstance(p, Node) else p)
        if chance.size and not (chance.min() >= 0 and chance.max() <= 1):  # (NaN fails both)
            given = chance.item() if chance.ndim == 0 else f"values from {chance.min()} to {chance.max()}"
            raise ArgumentRangeError(f"bernoulli_: p must be in [0, 1], got {given}")
        try:
            fits = np.broadcast_shapes(chance.shape, self.shape) == self.shape
        except ValueError:
            fits = False
        if not fits:  # (numpy's comparison raised its bare ValueError, or wrote a larger shape's draws)
            raise ShapeError(f"bernoulli_: p of shape {chance.shape} does not broadcast to the tensor's {self.shape}")
        rng = generator_for(generator)
        return self._draw_into("bernoulli_", lambda t: rng.random(t.shape) < chance, p)

    def exponential_(self, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with draws from the exponential distribution of rate ``lambd`` (density lambd e^(-lambd x))."""
        if not lambd > 0:  # (also a NaN rate, which filled NaNs)
            raise ArgumentRangeError(f"exponential_: lambd must be positive, got {lambd}")
        rng = generator_for(generator)
        return self._draw_into("exponential_", lambda t: rng.exponential(1 / lambd, size=t.shape))

    def geometric_(self, p: float, *, generator: Any = None) -> Tensor:
        """Fill with the number of Bernoulli(``p``) trials up to the first success (1, 2, ...), in place. ``p`` must
        lie in the open interval (0, 1), as torch checks (p = 1, every draw 1, is refused there too): an
        ``ArgumentRangeError``, torch's RuntimeError."""
        if not 0 < p < 1:  # (also a NaN p)
            raise ArgumentRangeError(f"geometric_: p must be in (0, 1), got {p}")
        rng = generator_for(generator)
        return self._draw_into("geometric_", lambda t: rng.geometric(p, size=t.shape))

    def cauchy_(self, median: float = 0.0, sigma: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with draws from the Cauchy distribution median + sigma tan(pi (U - 1/2)), in place. ``sigma`` must
        be positive (torch's check; 0, negative or NaN is an ``ArgumentRangeError``, torch's RuntimeError)."""
        if not sigma > 0:  # (also a NaN sigma)
            raise ArgumentRangeError(f"cauchy_: expects sigma > 0, got sigma={sigma!r}")
        rng = generator_for(generator)
        return self._draw_into("cauchy_", lambda t: median + sigma * rng.standard_cauchy(size=t.shape))

    def log_normal_(self, mean: float = 1.0, std: float = 2.0, *, generator: Any = None) -> Tensor:
        """Fill with e^X for X ~ N(mean, std**2) in place (torch's parameters are those of the underlying normal).
        ``std`` must be positive (torch's check; 0, negative or NaN is an ``ArgumentRangeError``, torch's
        RuntimeError)."""
        _refuse_non_floating("log_normal_", self.dtype)
        if not std > 0:  # (also a NaN std; numpy's own refusal of a negative one was a bare ValueError)
            raise ArgumentRangeError(f"log_normal_: expects std > 0, got std={std!r}")
        rng = generator_for(generator)
        return self._draw_into("log_normal_", lambda t: rng.lognormal(mean, std, size=t.shape))


def _refuse_non_floating(op: str, dtype: np.dtype) -> None:
    """A :class:`DtypeKernelError` (torch's NotImplementedError, "normal_kernel_cpu" not implemented for 'Long', and
    a TypeError) naming ``op`` for a fill of continuous draws into an integer or bool tensor, before anything is
    drawn: truncated, they would be mostly zeros."""
    if dtype.kind != "f":
        raise DtypeKernelError(f"{op}: not implemented for {dtype} tensors (continuous draws need a floating dtype)")


def _named_bounds(bounds: tuple[int | None, ...], named: dict[str, int | None]) -> tuple[int | None, ...]:
    """``random_``'s bounds with torch's keywords ``from`` and ``to`` in their places: ``from`` only beside ``to``
    and no bound by position, ``to`` after at most one (``from``), as torch's signatures take them."""
    unknown = sorted(named.keys() - {"from", "to"})
    if unknown:
        raise TypeError(f"random_: got an unexpected keyword argument {unknown[0]!r}")
    if "to" not in named or len(bounds) > ("from" not in named):
        raise TypeError(
            "random_: takes random_(to), random_(from, to) or random_(), with to= and from= (beside to=) as keywords"
        )
    return (named["from"], named["to"]) if "from" in named else (*bounds, named["to"])
