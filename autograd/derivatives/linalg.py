"""Derivative table of the linear-algebra primitives (batched over leading axes, as numpy.linalg).

With A^-T the inverse transposed and g the upstream gradient:

* inv:      X = A^-1,            dA = -X^T g X^T
* solve:    X = A^-1 B,          dB = A^-T g,  dA = -dB X^T (outer product for a vector B)
* det:      d = det A,           dA = g d A^-T
* slogdet:  l = log |det A|,     dA = g A^-T
* cholesky: A = L L^T,           dA = sym(L^-T Phi(L^T g) L^-1) / 2, Phi the lower triangle with half
  its diagonal and sym(S) = S + S^T (Murray, "Differentiation of the Cholesky decomposition").

The inverses inside the rules are recorded with :func:`autograd.shared_math.record`, so
every rule is differentiable again.
"""

from __future__ import annotations

import numpy as np

from .. import shared_math as sm
from ..op import Op


def _t(x):
    return x.swapaxes(-1, -2)


def _inverse(a):
    return sm.record(inv, np.linalg.inv, a)


def _solve_rule_b(g, out, a, b):
    return sm.record(solve, np.linalg.solve, _t(a), g)


def _solve_rule_a(g, out, a, b):
    gb = _solve_rule_b(g, out, a, b)
    if b.ndim == 1:
        return -(gb[..., :, None] * out[..., None, :])
    return -(gb @ _t(out))


def _cholesky_rule(g, out, a):
    n = out.shape[-1]
    half_lower = np.tril(np.ones((n, n), dtype=out.dtype)) - 0.5 * np.eye(n, dtype=out.dtype)
    lower_inverse = _inverse(out)
    s = _t(lower_inverse) @ ((_t(out) @ g) * half_lower) @ lower_inverse
    return (s + _t(s)) * 0.5


# fmt: off
inv = Op("inv", lambda g, out, a: -(_t(out) @ g @ _t(out)))
solve = Op("solve", _solve_rule_a, _solve_rule_b)
det = Op("det", lambda g, out, a: (g * out)[..., None, None] * _t(_inverse(a)))
slogdet = Op("slogdet", lambda g, out, a: g[..., None, None] * _t(_inverse(a)))
cholesky = Op("cholesky", _cholesky_rule)
# fmt: on
