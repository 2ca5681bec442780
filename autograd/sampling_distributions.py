"""``Chi2``, ``StudentT`` and ``FisherSnedecor`` (torch.distributions' of those names): the chi-squared, t and F
distributions, the sampling distributions of a variance, a standardised mean and a ratio of variances.

    Chi2(df):                    Gamma(df / 2, 1 / 2) (a Gamma subclass, as torch's)
    StudentT(df, loc, scale):    log p(x) = -(df + 1)/2 log1p(y^2 / df) - log s - log(df)/2 - log(pi)/2
                                            - lgamma(df / 2) + lgamma((df + 1) / 2),  y = (x - loc) / s
    FisherSnedecor(d1, d2):      log p(x) = lgamma((d1 + d2)/2) - lgamma(d1/2) - lgamma(d2/2) + d1/2 log(d1/d2)
                                            + (d1/2 - 1) log x - (d1 + d2)/2 log1p(d1 x / d2)

``sample`` uses numpy's samplers on the library's random state. ``rsample`` builds each draw, as torch's, from gamma
draws differentiable in their concentration by implicit reparameterisation (:mod:`autograd.implicit_gamma`): Chi2's
is its Gamma's, StudentT's z / sqrt(c / df) for a standard normal z and c ~ Chi2(df), FisherSnedecor's
(c1 / df1) / (c2 / df2); so the gradients of a draw reach every parameter, the degrees of freedom too.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .continuous_distributions import Gamma, _numpy_draws, _standard_gamma
from .distribution_base import Distribution, broadcast_all
from .distribution_constraints import positive, real
from .random_state import generator_for
from .tensor import Tensor, where
from .tensor_functions import randn

__all__ = ["Chi2", "FisherSnedecor", "StudentT"]

_LGAMMA_HALF = math.lgamma(0.5)


def _masked(condition: Tensor, safe: Tensor, formula: Any, fill: float) -> Tensor:
    """``formula(safe)`` where ``condition`` holds and ``fill`` elsewhere, the formula evaluated only at safe values
    (``safe`` with 3 put outside the condition), so the entries filled pass no gradient, nan or inf, back."""
    return where(condition, formula(where(condition, safe, 3.0)), fill)


class Chi2(Gamma):
    """Chi2(df): the sum of df squared standard normals, Gamma(concentration df / 2, rate 1 / 2); ``df`` is kept as
    given (its check is ``df``'s, torch's) and everything else is the Gamma's."""

    arg_constraints = {"df": positive}

    def __init__(self, df: Any, validate_args: bool | None = None) -> None:
        (self.df,) = broadcast_all(df)
        super().__init__(self.df * 0.5, 0.5, validate_args=validate_args)


class StudentT(Distribution):
    """Student's t with df degrees of freedom, shifted by loc and scaled by scale, one per entry of the broadcast
    parameters: y = x / sqrt(z / df) for x ~ N(0, 1), z ~ Chi2(df), times scale, plus loc.

    mean loc (nan where df <= 1), variance scale^2 df / (df - 2) (inf for 1 < df <= 2, nan for df <= 1), mode loc;
    entropy log s + (df + 1)/2 (digamma((df + 1)/2) - digamma(df/2)) + log(df)/2 + log B(df/2, 1/2)."""

    arg_constraints = {"df": positive, "loc": real, "scale": positive}
    support = real
    has_rsample = True

    def __init__(self, df: Any, loc: Any = 0.0, scale: Any = 1.0, validate_args: bool | None = None) -> None:
        self.df, self.loc, self.scale = broadcast_all(df, loc, scale)
        super().__init__(tuple(self.df.shape), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return where(self.df > 1, self.loc, math.nan)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        df = self.df
        finite = _masked(df > 2, df, lambda d: self.scale**2 * d / (d - 2), math.inf)
        return where(df > 1, finite, math.nan)

    def _standard_draws(self, sample_shape: Any) -> Tensor:
        """Standard t draws (loc 0, scale 1) of the extended shape, outside the graph."""
        shape = self._extended_shape(sample_shape)
        draws = generator_for(None).standard_t(np.broadcast_to(self.df._data, shape))
        return Tensor(np.asarray(draws).astype(self.df.dtype, copy=False))

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return (self.loc + self.scale * self._standard_draws(sample_shape)).detach()

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """loc + scale z / sqrt(c / df), z a standard normal draw and c = 2 g a Chi2(df) draw, g ~ Gamma(df / 2, 1),
        as torch's: d/dloc = 1, d/dscale = the standard t draw, and d/ddf through g's implicit reparameterisation."""
        normal = randn(self._extended_shape(sample_shape), dtype=self.df.dtype)
        chi2 = 2 * _standard_gamma(self._extended_shape(sample_shape), 0.5 * self.df)
        return self.loc + self.scale * normal * (chi2 / self.df).rsqrt()

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        df = self.df
        y = (value - self.loc) / self.scale
        normaliser = (
            self.scale.log()
            + 0.5 * df.log()
            + 0.5 * math.log(math.pi)
            + (0.5 * df).lgamma()
            - (0.5 * (df + 1)).lgamma()
        )
        return -0.5 * (df + 1) * (y**2 / df).log1p() - normaliser

    def entropy(self) -> Tensor:
        df = self.df
        log_beta = (0.5 * df).lgamma() + _LGAMMA_HALF - (0.5 * (df + 1)).lgamma()
        return (
            self.scale.log()
            + 0.5 * (df + 1) * ((0.5 * (df + 1)).digamma() - (0.5 * df).digamma())
            + 0.5 * df.log()
            + log_beta
        )


class FisherSnedecor(Distribution):
    """Snedecor's F with (df1, df2) degrees of freedom: (z1 / df1) / (z2 / df2) for independent z_i ~ Chi2(df_i).

    mean df2 / (df2 - 2) (nan where df2 <= 2), mode (df1 - 2) / df1 * df2 / (df2 + 2) (nan where df1 <= 2),
    variance 2 df2^2 (df1 + df2 - 2) / (df1 (df2 - 2)^2 (df2 - 4)) (nan where df2 <= 4). Draws are numpy's F sampler,
    at least the dtype's tiny (as torch's); rsample's a ratio of gamma draws (see the module docstring)."""

    arg_constraints = {"df1": positive, "df2": positive}
    support = positive
    has_rsample = True

    def __init__(self, df1: Any, df2: Any, validate_args: bool | None = None) -> None:
        self.df1, self.df2 = broadcast_all(df1, df2)
        super().__init__(tuple(self.df1.shape), validate_args=validate_args)

    @property
    def mean(self) -> Tensor:
        return _masked(self.df2 > 2, self.df2, lambda d2: d2 / (d2 - 2), math.nan)

    @property
    def mode(self) -> Tensor:
        return _masked(self.df1 > 2, self.df1, lambda d1: (d1 - 2) / d1 * self.df2 / (self.df2 + 2), math.nan)

    @property
    def variance(self) -> Tensor:
        df1 = self.df1
        return _masked(
            self.df2 > 4, self.df2, lambda d2: 2 * d2**2 * (df1 + d2 - 2) / (df1 * (d2 - 2) ** 2 * (d2 - 4)), math.nan
        )

    def sample(self, sample_shape: Any = ()) -> Tensor:
        return _numpy_draws(self, sample_shape, np.random.Generator.f, self.df1, self.df2)

    def rsample(self, sample_shape: Any = ()) -> Tensor:
        """(g1 / (df1 / 2)) / (g2 / (df2 / 2)), g_i ~ Gamma(df_i / 2, 1) (so 2 g_i ~ Chi2(df_i)), each differentiable
        in its df by implicit reparameterisation; at least tiny, as torch's."""
        half1, half2 = 0.5 * self.df1, 0.5 * self.df2
        ratio = (_standard_gamma(self._extended_shape(sample_shape), half1) / half1) / (
            _standard_gamma(self._extended_shape(sample_shape), half2) / half2
        )
        return ratio.clamp(min=float(np.finfo(np.dtype(self.df1.dtype)).tiny))

    def log_prob(self, value: Any) -> Tensor:
        value = self._value_tensor(value)
        half1, half2 = 0.5 * self.df1, 0.5 * self.df2
        ratio = self.df1 / self.df2
        normaliser = (half1 + half2).lgamma() - half1.lgamma() - half2.lgamma()
        return normaliser + half1 * ratio.log() + (half1 - 1) * value.log() - (half1 + half2) * (ratio * value).log1p()
