"""Ported from the examples in torch 2.13's torch.distributions documentation: every ``>>>`` example and ``::``
code block of the distribution classes' docstrings, of the module docstring (the REINFORCE and pathwise
estimators), of torch.distributions.transforms (CatTransform, StackTransform, CumulativeDistributionTransform,
TanhTransform, Transform's caching note, TransformedDistribution's logistic), constraints (``is_dependent``),
constraint_registry (``transform_to`` / ``biject_to``) and kl (``register_kl``'s tie-break). The examples only
print random samples, so each is checked on what is deterministic, against torch in float64: batch and event
shapes, the shapes of ``sample()`` and ``sample((2,))``, our samples lying in torch's support, mean, variance,
stddev, mode, entropy, log_prob / cdf at torch's sample, icdf, and the error raised for invalid parameters.

Left out, and why:
- the dtype of samples: this library's default dtype is numpy's float64 (torch's is float32), so the comparisons
  run torch in float64;
- ``Poisson(torch.tensor([4]))`` (an int64 rate): torch's own example is skipped, as torch cannot sample it
  ("poisson_cpu not implemented for 'Long'"); ours samples it, with int64 counts;
- ``Multinomial(probs=...).log_prob(x)`` of a 100-trial sample: torch's example is skipped ("found invalid
  values") as total_count defaults to 1, so the value lies outside the support; both raise ValueError (checked);
- ``Wishart(torch.Tensor([2]), ...)``: skipped by torch (a batch-shaped df); run with a scalar df instead;
- the ``F.pad`` example that torch.distributions.transforms re-exports is nn.functional's, ported elsewhere.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import autograd.distributions as D

torch = pytest.importorskip("torch")
TD = torch.distributions


def _ours(value):
    return autograd.tensor(np.asarray(value, dtype=np.float64))


def _theirs(value):
    return torch.tensor(np.asarray(value, dtype=np.float64))


def _array(t):
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t)


@pytest.mark.parametrize(
    ("constraint", "value"),
    [
        ("real_vector", [[1.0, 2.0], [0.0, float("nan")]]),
        ("simplex", [[0.5, 0.5], [0.2, 0.2]]),
        ("lower_cholesky", [[1.0, 0.0], [0.5, 2.0]]),
        ("corr_cholesky", [[1.0, 0.0], [0.6, 0.8]]),
        ("positive_definite", [[2.0, 1.0], [1.0, 2.0]]),
        ("square", [[1.0, 0.0], [0.5, 2.0]]),
        ("positive", [[1.0, -2.0], [0.0, 3.0]]),
    ],
)
def test_a_support_check_of_a_tensor_is_a_bool_tensor_equal_to_torchs(constraint, value):
    # The module docstrings' support checks (``m.support.check(x)``) read Tensors: the answer is a bool Tensor,
    # also for constraints that reduce over the event (MultivariateNormal's support, lower_cholesky, ...).
    ours = getattr(D.constraints, constraint).check(_ours(value))
    theirs = getattr(TD.constraints, constraint).check(_theirs(value))
    assert isinstance(ours, autograd.Tensor)
    assert ours.dtype == np.dtype(bool)
    np.testing.assert_array_equal(_array(ours), theirs.numpy())


# Invalid parameters for the docstrings' distributions, with validate_args=True: torch raises ValueError, and
# so must we, without a numpy warning on the way (Categorical's probs [-1, 1] normalise to [-inf, inf]).
INVALID = [
    ("Normal", ([0.0], [-1.0]), {}),
    ("Bernoulli", ([1.3],), {}),
    ("Beta", ([0.0], [0.5]), {}),
    ("Categorical", ([-1.0, 1.0],), {}),
    ("OneHotCategorical", ([-1.0, 1.0],), {}),
    ("Dirichlet", ([0.5, -0.5],), {}),
    ("Exponential", ([-1.0],), {}),
    ("Gamma", ([1.0], [0.0]), {}),
    ("Geometric", ([1.5],), {}),
    ("Laplace", ([0.0], [0.0]), {}),
    ("Uniform", ([5.0], [0.0]), {}),
    ("StudentT", ([-2.0],), {}),
    ("VonMises", ([1.0], [-1.0]), {}),
    ("Pareto", ([1.0], [-1.0]), {}),
    ("Kumaraswamy", ([1.0], [0.0]), {}),
    ("Weibull", ([-1.0], [1.0]), {}),
    ("Multinomial", (100, [-1.0, 1.0, 1.0, 1.0]), {}),
    ("MultivariateNormal", ([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]]), {}),
]


@pytest.mark.parametrize(("name", "args", "kwargs"), INVALID, ids=[case[0] for case in INVALID])
def test_invalid_parameters_raise_value_error_as_torchs_without_warnings(name, args, kwargs):
    with pytest.raises(ValueError):
        getattr(TD, name)(*[_theirs(a) if isinstance(a, list) else a for a in args], validate_args=True, **kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError):
            getattr(D, name)(*[_ours(a) if isinstance(a, list) else a for a in args], validate_args=True, **kwargs)
