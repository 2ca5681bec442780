"""float32 decompositions whose values pass float32's range: inf, as torch's, without numpy's overflow warning."""

import warnings

import numpy as np

import autograd
from autograd import Tensor


def test_float32_decompositions_of_a_matrix_beyond_float32s_range_give_inf_without_warnings():
    """numpy computes a float32 eigen or singular value decomposition in double and casts back: a value beyond
    float32's range is inf (torch's), and numpy's overflow warning is not passed on."""
    a = Tensor(np.array([[2.0, 1, 0], [1, 2, 1], [0, 1, 2]], np.float32) * np.float32(1e38))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = [autograd.linalg.eigvalsh(a), autograd.linalg.eigh(a)[0], autograd.linalg.svdvals(a)]
        norms = [autograd.linalg.cond(a), autograd.linalg.matrix_norm(a, ord=2)]
    for value in values:
        assert value.dtype == np.float32 and np.isinf(value.numpy()).sum() == 1
    np.testing.assert_allclose(np.sort(values[0].numpy())[:2], [5.857864e37, 2e38], rtol=1e-6)
    assert all(np.isinf(norm.numpy()) for norm in norms)
