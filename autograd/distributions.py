"""torch.distributions' core: ``Normal``, ``MultivariateNormal``, ``Uniform``, ``Categorical``, ``Bernoulli``,
``Exponential``, ``Laplace``, ``Gamma``, ``Beta``, ``Poisson``, ``Binomial``,
``Geometric``, ``OneHotCategorical``, ``Multinomial``,
``Dirichlet``, ``Independent`` and ``kl_divergence``; also ``Cauchy``, ``HalfCauchy``, ``StudentT``, ``Chi2``,
``FisherSnedecor``, ``VonMises``, ``ContinuousBernoulli``, ``NegativeBinomial``, ``OneHotCategoricalStraightThrough``,
``MixtureSameFamily``, ``LowRankMultivariateNormal``, ``GeneralizedPareto``, ``LKJCholesky``, ``Wishart`` and the ``ExponentialFamily`` base name.

>>> import autograd
>>> from autograd.distributions import Categorical
>>> logits = autograd.tensor([[1.0, 2.0, 0.5]], requires_grad=True)
>>> policy = Categorical(logits=logits)
>>> action = policy.sample()                      # int64, shape (1,)
>>> (-policy.log_prob(action)).sum().backward()   # REINFORCE's score-function gradient reaches the logits

torch's submodules import by their names too: ``from autograd.distributions.categorical import Categorical`` (torch's
``from torch.distributions.categorical import Categorical``), ``autograd.distributions.normal.Normal``, ...
"""

from __future__ import annotations

import sys
import types
from typing import Any

from . import distribution_constraints as constraints
from . import distribution_transforms as transforms
from .cauchy_distributions import Cauchy, HalfCauchy
from .constraint_registry import biject_to, transform_to
from .continuous_bernoulli import ContinuousBernoulli, ExponentialFamily
from .continuous_distributions import Beta, Dirichlet, Exponential, Gamma, Laplace
from .count_distributions import Binomial, Geometric, Multinomial, Poisson
from .discrete_distributions import Bernoulli, Categorical, OneHotCategorical
from .distribution_base import Distribution
from .distribution_transforms import *  # noqa: F403 (torch.distributions' ``from .transforms import *``)
from .extreme_value_distributions import Gumbel, Kumaraswamy, Pareto, Weibull
from .generalized_pareto import GeneralizedPareto
from .independent_distribution import Independent
from .kl_divergence import kl_divergence, register_kl
from .lkj_cholesky import LKJCholesky
from .low_rank_multivariate_normal import LowRankMultivariateNormal
from .mixture_same_family import MixtureSameFamily
from .multivariate_normal import MultivariateNormal
from .negative_binomial import NegativeBinomial
from .normal_distribution import Normal
from .one_hot_straight_through import OneHotCategoricalStraightThrough
from .relaxed_distributions import (
    ExpRelaxedCategorical,
    LogitRelaxedBernoulli,
    RelaxedBernoulli,
    RelaxedOneHotCategorical,
)
from .sampling_distributions import Chi2, FisherSnedecor, StudentT
from .torch_submodules import registered_submodule
from .transformed_distribution import TransformedDistribution
from .transformed_families import HalfNormal, InverseGamma, LogisticNormal, LogNormal
from .uniform_distribution import Uniform
from .von_mises import VonMises
from .wishart import Wishart

__all__ = [
    "Bernoulli",
    "Beta",
    "Binomial",
    "Categorical",
    "Cauchy",
    "Chi2",
    "ContinuousBernoulli",
    "Dirichlet",
    "Distribution",
    "Exponential",
    "ExponentialFamily",
    "FisherSnedecor",
    "Gamma",
    "GeneralizedPareto",
    "Geometric",
    "Gumbel",
    "HalfCauchy",
    "HalfNormal",
    "Independent",
    "InverseGamma",
    "Kumaraswamy",
    "LKJCholesky",
    "Laplace",
    "LogNormal",
    "LogisticNormal",
    "LowRankMultivariateNormal",
    "MixtureSameFamily",
    "Multinomial",
    "MultivariateNormal",
    "NegativeBinomial",
    "Normal",
    "OneHotCategorical",
    "OneHotCategoricalStraightThrough",
    "Pareto",
    "Poisson",
    "RelaxedBernoulli",
    "RelaxedOneHotCategorical",
    "StudentT",
    "TransformedDistribution",
    "Uniform",
    "VonMises",
    "Weibull",
    "Wishart",
    "biject_to",
    "constraints",
    "kl_divergence",
    "register_kl",
    "transform_to",
    "transforms",
    *transforms.__all__,  # (torch.distributions re-exports its transforms: ``torch.distributions.AffineTransform``)
]


def _torch_submodule(name: str, **members: Any) -> types.ModuleType:
    """torch.distributions' submodule ``name`` (``categorical``, ``normal``, ...) holding its classes, this
    package's own objects; registered in sys.modules so ``from autograd.distributions.<name> import ...`` works."""
    doc = f"torch.distributions.{name}'s names: {', '.join(members)}."
    return registered_submodule(f"{__name__}.{name}", doc, **members)


bernoulli = _torch_submodule("bernoulli", Bernoulli=Bernoulli)
beta = _torch_submodule("beta", Beta=Beta)
binomial = _torch_submodule("binomial", Binomial=Binomial)
categorical = _torch_submodule("categorical", Categorical=Categorical)
dirichlet = _torch_submodule("dirichlet", Dirichlet=Dirichlet)
distribution = _torch_submodule("distribution", Distribution=Distribution)
exponential = _torch_submodule("exponential", Exponential=Exponential)
gamma = _torch_submodule("gamma", Gamma=Gamma)
geometric = _torch_submodule("geometric", Geometric=Geometric)
independent = _torch_submodule("independent", Independent=Independent)
kl = _torch_submodule("kl", kl_divergence=kl_divergence, register_kl=register_kl)
laplace = _torch_submodule("laplace", Laplace=Laplace)
multinomial = _torch_submodule("multinomial", Multinomial=Multinomial)
multivariate_normal = _torch_submodule("multivariate_normal", MultivariateNormal=MultivariateNormal)
normal = _torch_submodule("normal", Normal=Normal)
one_hot_categorical = _torch_submodule(
    "one_hot_categorical",
    OneHotCategorical=OneHotCategorical,
    OneHotCategoricalStraightThrough=OneHotCategoricalStraightThrough,
)
poisson = _torch_submodule("poisson", Poisson=Poisson)
uniform = _torch_submodule("uniform", Uniform=Uniform)
cauchy = _torch_submodule("cauchy", Cauchy=Cauchy)
half_cauchy = _torch_submodule("half_cauchy", HalfCauchy=HalfCauchy)
continuous_bernoulli = _torch_submodule("continuous_bernoulli", ContinuousBernoulli=ContinuousBernoulli)
exp_family = _torch_submodule("exp_family", ExponentialFamily=ExponentialFamily)
lowrank_multivariate_normal = _torch_submodule(
    "lowrank_multivariate_normal", LowRankMultivariateNormal=LowRankMultivariateNormal
)
mixture_same_family = _torch_submodule("mixture_same_family", MixtureSameFamily=MixtureSameFamily)
negative_binomial = _torch_submodule("negative_binomial", NegativeBinomial=NegativeBinomial)
chi2 = _torch_submodule("chi2", Chi2=Chi2)
fishersnedecor = _torch_submodule("fishersnedecor", FisherSnedecor=FisherSnedecor)
studentT = _torch_submodule("studentT", StudentT=StudentT)  # noqa: N816 (torch's module name)
von_mises = _torch_submodule("von_mises", VonMises=VonMises)
sys.modules.setdefault(f"{__name__}.constraints", constraints)
sys.modules.setdefault(f"{__name__}.transforms", transforms)
constraint_registry = _torch_submodule("constraint_registry", biject_to=biject_to, transform_to=transform_to)
gumbel = _torch_submodule("gumbel", Gumbel=Gumbel)
half_normal = _torch_submodule("half_normal", HalfNormal=HalfNormal)
inverse_gamma = _torch_submodule("inverse_gamma", InverseGamma=InverseGamma)
kumaraswamy = _torch_submodule("kumaraswamy", Kumaraswamy=Kumaraswamy)
log_normal = _torch_submodule("log_normal", LogNormal=LogNormal)
logistic_normal = _torch_submodule("logistic_normal", LogisticNormal=LogisticNormal)
pareto = _torch_submodule("pareto", Pareto=Pareto)
lkj_cholesky = _torch_submodule("lkj_cholesky", LKJCholesky=LKJCholesky)
generalized_pareto = _torch_submodule("generalized_pareto", GeneralizedPareto=GeneralizedPareto)
relaxed_bernoulli = _torch_submodule(
    "relaxed_bernoulli", LogitRelaxedBernoulli=LogitRelaxedBernoulli, RelaxedBernoulli=RelaxedBernoulli
)
relaxed_categorical = _torch_submodule(
    "relaxed_categorical",
    ExpRelaxedCategorical=ExpRelaxedCategorical,
    RelaxedOneHotCategorical=RelaxedOneHotCategorical,
)
transformed_distribution = _torch_submodule("transformed_distribution", TransformedDistribution=TransformedDistribution)
weibull = _torch_submodule("weibull", Weibull=Weibull)
wishart = _torch_submodule("wishart", Wishart=Wishart)
