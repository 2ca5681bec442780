"""Newton's method with autograd Hessians converges in a handful of steps on convex problems.

Newton step: w <- w - H(w)^-1 grad(w), with grad from ``derivative`` and H from
``hessian``. The optimum is checked against an independent solution: plain
gradient descent with a hand-written numpy gradient (logistic regression) or a
closed form (a quartic).
"""

from __future__ import annotations

import numpy as np

from autograd import Tensor
from autograd.functional import derivative, hessian

PENALTY = 0.05


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    features = np.column_stack([rng.normal(size=(80, 3)), np.ones(80)])
    labels = (rng.random(80) < 1 / (1 + np.exp(-features @ np.array([1.5, -2.0, 0.5, 0.3])))).astype(np.float64)
    return features, labels


def _logistic_loss(features: np.ndarray, labels: np.ndarray):
    """L(w) = mean(softplus(z) - y z) + (penalty / 2) |w|^2 with z = X w: strictly convex."""
    x, y = Tensor(features), Tensor(labels)

    def loss(w: Tensor) -> Tensor:
        z = x @ w
        return (z.softplus() - y * z).mean() + (w * w).sum() * (PENALTY / 2)

    return loss


def _numpy_gradient(w: np.ndarray, features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    probabilities = 1 / (1 + np.exp(-(features @ w)))
    return features.T @ (probabilities - labels) / len(labels) + PENALTY * w


def _gradient_descent(features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Minimiser by gradient descent with step 1/L, L the gradient's Lipschitz constant."""
    lipschitz = np.linalg.eigvalsh(features.T @ features).max() / (4 * len(labels)) + PENALTY
    w = np.zeros(features.shape[1])
    for _ in range(100_000):
        gradient = _numpy_gradient(w, features, labels)
        if np.linalg.norm(gradient) < 1e-13:
            return w
        w = w - gradient / lipschitz
    raise AssertionError("the gradient-descent reference did not converge")


def test_newton_on_regularised_logistic_regression_converges_in_at_most_ten_steps():
    features, labels = _data()
    loss = _logistic_loss(features, labels)
    gradient_of = derivative(loss)
    w = np.zeros(features.shape[1])
    norms = []
    for _ in range(10):
        gradient = gradient_of(w)
        norms.append(np.linalg.norm(gradient))
        if norms[-1] < 1e-10:
            break
        w = w - np.linalg.solve(hessian(loss, w), gradient)
    assert norms[-1] < 1e-10, norms  # reached within at most 10 gradient evaluations (9 Newton steps)
    np.testing.assert_allclose(w, _gradient_descent(features, labels), atol=1e-9)


def test_logistic_regression_hessian_matches_closed_form():
    features, labels = _data(seed=1)
    w = np.array([0.3, -0.2, 0.1, 0.05])
    probabilities = 1 / (1 + np.exp(-(features @ w)))
    expected = (features.T * (probabilities * (1 - probabilities))) @ features / len(labels)
    expected += PENALTY * np.eye(4)
    np.testing.assert_allclose(hessian(_logistic_loss(features, labels), w), expected, rtol=1e-12)


def test_newton_on_a_strictly_convex_quartic_of_a_value_reaches_the_closed_form_minimum():
    # f(x) = x^4/4 + x^2/2 - 2x, f'(x) = x^3 + x - 2 = (x - 1)(x^2 + x + 2): unique minimum at x = 1.
    def f(x):
        return x**4 / 4 + x**2 / 2 - 2 * x

    first, second = derivative(f), derivative(derivative(f))
    x, steps = 3.0, 0
    while abs(first(x)) >= 1e-10 and steps < 10:
        x = x - first(x) / second(x)
        steps += 1
    assert abs(first(x)) < 1e-10, (steps, x)
    assert abs(x - 1.0) < 1e-12
