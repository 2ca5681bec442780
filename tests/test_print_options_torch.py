"""torch's ``set_printoptions`` (LLMs from scratch calls ``torch.set_printoptions(sci_mode=False)`` before printing
probabilities): the notation, digits and summary a Tensor prints with, against the numbers torch prints."""

import re

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")


@pytest.fixture(autouse=True)
def default_print_options():
    yield
    autograd.set_printoptions(profile="default")
    torch.set_printoptions(profile="default")


def _numbers(text):
    """The numbers a repr shows, as written (torch's ``tensor([...])`` or ``Tensor([...])``, dtype left out)."""
    return re.findall(r"-?\d+\.\d*(?:e[+-]\d+)?", text.split("dtype")[0])


VALUES = [1e-10, 0.99, 12.5]


@pytest.mark.parametrize(
    ("options", "torch_text"),
    [
        (dict(sci_mode=False), ["0.0000", "0.9900", "12.5000"]),
        (dict(sci_mode=True), ["1.0000e-10", "9.9000e-01", "1.2500e+01"]),
        (dict(sci_mode=True, precision=2), ["1.00e-10", "9.90e-01", "1.25e+01"]),
    ],
    ids=["fixed", "scientific", "scientific, two digits"],
)
def test_sci_mode_picks_torchs_notation(options, torch_text):
    torch.set_printoptions(**options)
    assert _numbers(repr(torch.tensor(VALUES))) == torch_text
    autograd.set_printoptions(**options)
    ours = _numbers(repr(Tensor(np.array(VALUES))))
    if options["sci_mode"]:
        assert ours == torch_text
    else:  # numpy's fixed notation: the same numbers, trailing zeros left out
        assert [float(v) for v in ours] == [float(v) for v in torch_text] and "e" not in "".join(ours)


def test_each_call_sets_sci_mode_and_a_profile_applies_first_as_torchs():
    autograd.set_printoptions(sci_mode=True)
    autograd.set_printoptions(precision=2)  # sci_mode back to automatic, as torch's
    assert _numbers(repr(Tensor(np.array([0.5, 0.25])))) == ["0.5", "0.25"]
    autograd.set_printoptions(profile="short", precision=3, sci_mode=True)
    assert _numbers(repr(Tensor(np.array([0.5])))) == ["5.000e-01"]


def test_the_full_profile_prints_every_element_and_default_summarises_again():
    x = autograd.arange(100.0)
    autograd.set_printoptions(profile="full")
    assert "..." not in repr(x) and len(_numbers(repr(x))) == 100
    autograd.set_printoptions(profile="default")
    assert "..." in repr(x)
    autograd.set_printoptions(threshold=1000)
    assert "..." not in repr(x)


def test_an_unknown_profile_changes_nothing_as_torchs():
    autograd.set_printoptions(precision=2)
    autograd.set_printoptions(profile="medium")
    assert _numbers(repr(Tensor(np.array([1 / 3])))) == ["0.33"]
