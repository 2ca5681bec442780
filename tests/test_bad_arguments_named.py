"""Bad arguments get an error that names the function and the problem (not a bare numpy or Python error from
deep inside), found by an adversarial sweep of the public API."""

from __future__ import annotations

import numpy as np
import pytest

import autograd as ag
import nn
import nn.functional as F
from autograd import Tensor, Value

A = Tensor(np.ones((2, 3)))

CASES = [
    (lambda: A.sum(axis=1.0), TypeError, r"sum: axis must be an integer, a tuple of integers or None, got 1.0"),
    (lambda: A.sum(axis="a"), TypeError, r"sum: axis must be an integer"),
    (lambda: F.softmax(A, dim=1.0), TypeError, r"softmax: axis must be an integer"),
    (lambda: ag.cat([A, A], dim=1.0), TypeError, r"concatenate: axis must be an integer"),
    (lambda: A.unsqueeze(1.0), TypeError, r"unsqueeze: axis must be an integer"),
    (lambda: A.clamp(Tensor(np.ones(4))), ValueError, r"clip: low of shape \(4,\) does not broadcast with .*\(2, 3\)"),
    (lambda: Tensor(np.ones(3)).clamp_("a", "b"), TypeError, r"clamp_: low must be a number or a tensor of real"),
    (lambda: ag.arange(0, 10, 0), ValueError, r"arange: step must be nonzero"),
    (lambda: ag.arange(0, "10"), TypeError, r"arange: the bounds must be real numbers, got '10'"),
    (lambda: ag.linspace(0, 1, -1), ValueError, r"linspace: the number of samples .* >= 0, got -1"),
    (lambda: ag.linspace(0, 1, 2.5), TypeError, r"linspace: the number of samples .* got 2.5"),
    (lambda: ag.full_like(A, "x"), TypeError, r"full_like: fill_value must be a number, got 'x'"),
    (lambda: ag.full((2,), None), TypeError, r"full: fill_value must be a number, got None"),
    (lambda: ag.cat(5), TypeError, r"concatenate: expected a sequence of tensors, got int"),
    (lambda: nn.optim.SGD(None, lr=0.1), TypeError, r"SGD: params must be an iterable .* got NoneType"),
    (lambda: Value(-1.0).leaky_relu("a"), TypeError, r"leaky_relu: alpha: expected a real number, got str"),
    (lambda: Value(-1.0).elu(None), TypeError, r"elu: alpha: expected a real number, got NoneType"),
    (lambda: Value(1.0).clip("a", 2), TypeError, r"clip: low: expected a real number, got str"),
    (lambda: (Value(1.0) * 2).backward("a"), TypeError, r"backward: the seed gradient: expected a real number"),
    (lambda: A.to(np.str_), TypeError, r"to: unsupported dtype <U0"),
    (lambda: A.to(object), TypeError, r"to: unsupported dtype object"),
    (lambda: A.to(np.complex128), TypeError, r"to: unsupported dtype complex128"),
    (lambda: list(nn.data.DataLoader(None)), TypeError, r"DataLoader: expected a Dataset, .* got NoneType"),
    (lambda: list(nn.data.DataLoader(x for x in range(3))), TypeError, r"DataLoader: .* got generator"),
    (lambda: nn.data.TensorDataset(np.ones((3, 2)))[1.5], IndexError, r"TensorDataset: index 1.5 for 3 samples"),
    (lambda: nn.data.Subset(nn.data.TensorDataset(np.ones((3, 2))), [50])[0], IndexError, r"index 50 for 3 samples"),
]


@pytest.mark.parametrize(("call", "error", "message"), CASES, ids=[message[:40] for _, _, message in CASES])
def test_a_bad_argument_is_named_with_the_function(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_torch_dtypes_convert_by_name():
    torch = pytest.importorskip("torch")
    assert A.to(torch.float32).dtype == np.float32
    assert A.to(torch.long).dtype == np.int64
    assert A.to(dtype=torch.bool).dtype == np.bool_


def test_join_functions_take_a_generator_of_tensors():
    assert ag.cat(part for part in (A, A)).shape == (4, 3)
    assert ag.stack(iter([A, A])).shape == (2, 2, 3)
