"""What the distribution tests that meet torch.distributions share (tests/test_distributions_torch_port.py,
test_more_distributions_torch.py, test_transformed_distributions_torch.py). Nothing here imports torch: the tests
pass theirs in, so a module whose other tests run without torch still imports this one."""

from __future__ import annotations

from typing import Any

import numpy as np

import autograd


def assert_cdf_and_icdf_meet_torch(
    ours: type, theirs: type, parameters: tuple[float, ...], cdf_at: np.ndarray, icdf_at: np.ndarray, torch: Any
) -> None:
    """``ours(*parameters)``'s cdf at ``cdf_at`` and icdf at ``icdf_at`` equal torch's distribution ``theirs``'s
    (float64, rtol 1e-13), and so do the gradients of their sums with respect to every parameter and to the points
    (rtol 1e-10), each call from fresh leaves."""
    for method, values in (("cdf", cdf_at), ("icdf", icdf_at)):
        our_leaves = [autograd.tensor(v, requires_grad=True) for v in parameters]
        their_leaves = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in parameters]
        value = autograd.tensor(values, requires_grad=True)
        their_value = torch.tensor(values, requires_grad=True)
        out = getattr(ours(*our_leaves), method)(value)
        expected = getattr(theirs(*their_leaves), method)(their_value)
        np.testing.assert_allclose(np.asarray(out.data), expected.detach().numpy(), rtol=1e-13)
        out.sum().backward()
        expected.sum().backward()
        for mine, their in zip([*our_leaves, value], [*their_leaves, their_value], strict=True):
            np.testing.assert_allclose(np.asarray(mine.grad), their.grad.numpy(), rtol=1e-10)
