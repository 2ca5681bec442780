"""Torch oracle for anomaly mode: forward values and infinite gradients pass, a NaN gradient raises torch's
RuntimeError naming the backward function and which of its outputs (the op's input) holds the NaN."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")


def _outcome(library, make):
    """What ``make(x, y)`` followed by ``.sum().backward()`` gives in anomaly mode: the gradients of x and y, or the
    sentence of the RuntimeError raised (torch's sentence, which ours begins with)."""
    x = library.tensor([0.0, 1.0], requires_grad=True)
    y = library.tensor([0.0, 2.0], requires_grad=True)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # torch's warning that repeats the forward traceback
        try:
            with library.autograd.detect_anomaly():
                make(x, y).sum().backward()
        except RuntimeError as error:
            return re.match(r"Function '\w+' returned nan values in its \d+th output\.", str(error)).group(0)
    return [np.asarray(x.grad).tolist(), np.asarray(y.grad).tolist()]


@pytest.mark.parametrize(
    "make",
    [
        lambda x, y: x.log() + y,  # -inf in forward
        lambda x, y: x / x + y,  # nan in forward, and so in backward
        lambda x, y: x.sqrt() + y,  # an infinite gradient
        lambda x, y: x.sqrt() * 0.0 + y,  # 0 * inf: nan in SqrtBackward0's output
        lambda x, y: x / y,  # d/dx = 1/0 = inf, d/dy = -0/0 = nan: DivBackward0's output 1
        lambda x, y: (x - y).exp() * float("inf") + y,  # infinities only
    ],
    ids=["log-zero", "zero-over-zero", "sqrt-at-zero", "nan-slope", "div-second-input", "infinite-values"],
)
def test_anomaly_mode_raises_where_torchs_does_with_its_sentence(make):
    ours, theirs = _outcome(autograd, make), _outcome(torch, make)
    assert ours == theirs or (isinstance(ours, list) and np.allclose(ours, theirs, equal_nan=True))


def test_the_nan_error_is_an_anomaly_error_naming_the_forward_op_and_line():
    x = Tensor([0.0, 1.0], requires_grad=True)
    with autograd.detect_anomaly(), np.errstate(all="ignore"):
        root = x.sqrt()
        with pytest.raises(autograd.AnomalyError, match=r"'sqrt' node was created at .*test_anomaly_torch\.py"):
            (root * 0.0).sum().backward()
