"""gradcheck and gradgradcheck against torch's own tests of them (test/test_autograd.py's test_gradcheck_*).

Each case runs the same function through torch.autograd.gradcheck and ours: the verdict, the error class and
the words torch users match on ("Jacobian mismatch for output k with respect to input j", ...) must agree.
Wrong gradients come from hooks that add to a gradient and from small Functions with a wrong backward.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograd import GradcheckError, Tensor, gradcheck

torch = pytest.importorskip("torch")


def _ours(array):
    return Tensor(np.array(array, dtype=np.float64), requires_grad=True)


def _theirs(array):
    return torch.tensor(np.array(array, dtype=np.float64), requires_grad=True)


def _off_by_a_hundredth(x):
    """A copy of x whose gradient is the incoming one plus 0.01 (torch's test of a Jacobian mismatch)."""
    y = x.clone()
    y.register_hook(lambda g: g + 1e-2)
    return y


# -- the words of a failure ----------------------------------------------------------------------------------


@pytest.mark.parametrize("fast_mode", [False, True])
def test_a_jacobian_mismatch_names_the_output_and_the_input_in_torchs_words(fast_mode):
    def two_outputs(x, y):
        return x * y, _off_by_a_hundredth(y)

    from torch.autograd.gradcheck import GradcheckError as TorchGradcheckError

    data = [[1.0, 2.0], [3.0, 4.0]]
    words = "Jacobian mismatch for output 1 with respect to input 1"
    with pytest.raises(TorchGradcheckError, match=words):
        torch.autograd.gradcheck(two_outputs, (_theirs(data), _theirs(data)), fast_mode=fast_mode)
    with pytest.raises(GradcheckError, match=words):
        gradcheck(two_outputs, (_ours(data), _ours(data)), fast_mode=fast_mode)
    with pytest.raises(RuntimeError, match="Jacobian mismatch for output 0 with respect to input 0"):
        gradcheck(_off_by_a_hundredth, _ours(data), fast_mode=fast_mode)
    assert gradcheck(two_outputs, (_ours(data), _ours(data)), raise_exception=False, fast_mode=fast_mode) is False
