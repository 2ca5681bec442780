"""How a Parameter prints: torch's ``Parameter containing:`` line, then the Tensor's own repr."""

import pytest

import autograd
import nn

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("requires_grad", [True, False])
def test_parameter_repr_starts_with_torchs_parameter_containing_line(requires_grad):
    ours = nn.Parameter(autograd.ones(2), requires_grad=requires_grad)
    theirs = torch.nn.Parameter(torch.ones(2), requires_grad=requires_grad)
    ours_lines, theirs_lines = repr(ours).splitlines(), repr(theirs).splitlines()
    assert ours_lines[0] == theirs_lines[0] == "Parameter containing:"
    assert ours_lines[1] == repr(autograd.ones(2, requires_grad=requires_grad))
    assert str(ours) == repr(ours)
