"""Module hooks as torch's where the probe found differences: full backward hooks on a module whose forward
returns something other than a Tensor or a tuple; compared with torch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")
tnn = torch.nn

OUTPUTS = {
    "dict": (lambda a: {"x": a * 2}, lambda out: out["x"]),
    "list": (lambda a: [a * 2, a * 3], lambda out: out[0]),
}


def _hooked_run(lib, make, kind):
    forward, pick = OUTPUTS[kind]
    calls = []

    class Returning(lib.Module):
        def forward(self, a):
            return forward(a)

    module = Returning()
    module.register_full_backward_hook(lambda m, grad_input, grad_output: calls.append("hook"))
    module.register_full_backward_pre_hook(lambda m, grad_output: calls.append("pre hook"))
    x = make(np.ones(2))
    x.requires_grad_(True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pick(module(x)).sum().backward()
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    return np.asarray(x.grad).tolist(), calls, messages


@pytest.mark.parametrize("kind", list(OUTPUTS))
def test_a_full_backward_hook_on_a_module_returning_a_container_warns_and_lets_backward_run_as_torchs(kind):
    ours = _hooked_run(nn, Tensor, kind)
    theirs = _hooked_run(tnn, torch.from_numpy, kind)
    assert ours[:2] == theirs[:2] == ([2.0, 2.0], [])
    assert len(ours[2]) == len(theirs[2]) == 1
    assert "module output should be a Tensor or a tuple of Tensors" in ours[2][0]


@pytest.mark.parametrize("register", ["register_full_backward_hook", "register_full_backward_pre_hook"])
def test_a_backward_hook_firing_at_the_outputs_when_no_input_requires_grad_warns_as_torchs(register):
    def warnings_of(lib, make):
        layer = lib.Linear(2, 1)
        getattr(layer, register)(lambda module, *grads: None)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            layer(make(np.ones((1, 2), np.float32))).sum().backward()
            layer(make(np.ones((1, 2), np.float32)).requires_grad_()).sum().backward()
        return [str(w.message) for w in caught if issubclass(w.category, UserWarning)]

    ours, theirs = warnings_of(nn, Tensor), warnings_of(tnn, torch.from_numpy)
    prefix = "Full backward hook is firing when gradients are computed with respect to module outputs"
    assert len(ours) == len(theirs) == 1 and ours[0].startswith(prefix) and theirs[0].startswith(prefix)
