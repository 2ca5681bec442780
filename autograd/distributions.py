"""torch.distributions' core: ``Normal``, ``MultivariateNormal``, ``Uniform``, ``Categorical``, ``Bernoulli``,
``Exponential``, ``Laplace``, ``Gamma``, ``Beta``, ``Poisson``, ``Binomial``,
``Geometric``, ``OneHotCategorical``, ``Multinomial``,
``Dirichlet``, ``Independent`` and ``kl_divergence``.

>>> import autograd
>>> from autograd.distributions import Categorical
>>> logits = autograd.tensor([[1.0, 2.0, 0.5]], requires_grad=True)
>>> policy = Categorical(logits=logits)
>>> action = policy.sample()                      # int64, shape (1,)
>>> (-policy.log_prob(action)).sum().backward()   # REINFORCE's score-function gradient reaches the logits
"""

from __future__ import annotations

from . import distribution_constraints as constraints
from .continuous_distributions import Beta, Dirichlet, Exponential, Gamma, Laplace
from .count_distributions import Binomial, Geometric, Multinomial, Poisson
from .discrete_distributions import Bernoulli, Categorical, OneHotCategorical
from .distribution_base import Distribution
from .independent_distribution import Independent
from .kl_divergence import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .normal_distribution import Normal
from .uniform_distribution import Uniform

__all__ = [
    "Bernoulli",
    "Binomial",
    "Beta",
    "Categorical",
    "Dirichlet",
    "Distribution",
    "Exponential",
    "Gamma",
    "Geometric",
    "Independent",
    "Laplace",
    "Multinomial",
    "MultivariateNormal",
    "Normal",
    "OneHotCategorical",
    "Poisson",
    "Uniform",
    "constraints",
    "kl_divergence",
    "register_kl",
]
