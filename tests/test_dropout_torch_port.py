"""A port of PyTorch's ``test/nn/test_dropout.py`` (``TestDropoutNN`` and ``TestDropoutNNDeviceType``, CPU, real
dtypes) beside torch: ``Dropout``, ``Dropout1d/2d/3d``, ``AlphaDropout``, ``FeatureAlphaDropout`` and their
functions.

Each case runs torch and this library on the same input and compares what can be compared: shapes, dtypes,
raised error classes and warnings, eval mode, p = 0 and p = 1, in place. The masks are random in both libraries
with different generators, so their properties are compared (the mean within a tolerance, the kept entries scaled
by 1 / (1 - p), whole channels zeroed together, the gradient equal to the mask), not their values.

Left out: memory formats and strides (channels_last, the contiguity checks: no strides here), CUDA /
``native_dropout`` and bfloat16 (no such device or dtype). Deliberate differences, not asserted: a probability
given as a bool is a TypeError here (torch reads ``True`` as 1), a layer refuses a nan probability when it is built
(torch only when it is called), and the functions check the probability before the input's rank (torch's
``dropout1d`` looks at the rank first).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import autograd
import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")


TF = torch.nn.functional
CHANNEL_FUNCTIONS = ("dropout2d", "dropout3d")


@pytest.fixture(autouse=True)
def _unseeded_after_each_test():
    yield
    autograd.random_state._seeded = None  # other tests keep fresh entropy, as a program that never seeds


def _outcome(action):
    """What ``action()`` gives: ('ok', shape) or ('error', None), and how many warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("ok", tuple(action().shape))
        except Exception:  # noqa: BLE001 -- only whether it raised is compared
            result = ("error", None)
    return result, len(caught)


@pytest.mark.parametrize("name", CHANNEL_FUNCTIONS)
@pytest.mark.parametrize("shape", [(), (3,), (0,)])
@pytest.mark.parametrize("p", [0.0, 0.5, 1.0])
def test_channel_dropout_of_too_few_axes_is_refused_only_when_a_mask_is_drawn_as_torch(name, shape, p):
    data = np.ones(shape)
    ours = _outcome(lambda: getattr(F, name)(Tensor(data), p, True))
    theirs = _outcome(lambda: getattr(TF, name)(torch.tensor(data), p, True))
    assert ours == theirs
