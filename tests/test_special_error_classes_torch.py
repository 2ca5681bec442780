"""Bad arguments to special and elementwise functions raise an instance of torch's error class too (as well as the
library's own ValueError or TypeError), so ``except`` clauses written for torch catch them."""

import numpy as np
import pytest

import autograd as L
import autograd.special as S

torch = pytest.importorskip("torch")

_CASES = {
    "polygamma(-1)": (lambda: L.polygamma(-1, L.tensor([1.0])), lambda: torch.polygamma(-1, torch.tensor([1.0])), ValueError),
    "special.polygamma(-1) of an array": (lambda: S.polygamma(-1, np.array([1.0])), lambda: torch.special.polygamma(-1, torch.tensor([1.0])), ValueError),
    "mvlgamma(p=0)": (lambda: L.mvlgamma(L.tensor([2.0]), 0), lambda: torch.mvlgamma(torch.tensor([2.0]), 0), ValueError),
    "multigammaln(p=0)": (lambda: S.multigammaln(L.tensor([2.0]), 0), lambda: torch.special.multigammaln(torch.tensor([2.0]), 0), ValueError),
    "frexp(int)": (lambda: L.frexp(L.tensor([1, 2])), lambda: torch.frexp(torch.tensor([1, 2])), TypeError),
    "positive(bool)": (lambda: L.positive(L.tensor([True])), lambda: torch.positive(torch.tensor([True])), TypeError),
    "frac(bool)": (lambda: L.frac(L.tensor([True])), lambda: torch.frac(torch.tensor([True])), TypeError),
    "Tensor.frac(bool)": (lambda: L.tensor([True]).frac(), lambda: torch.tensor([True]).frac(), TypeError),
}  # fmt: skip


@pytest.mark.parametrize("name", list(_CASES))
def test_the_error_is_an_instance_of_torchs_class_and_of_the_librarys(name):
    ours, theirs, library_class = _CASES[name]
    with pytest.raises(Exception) as their_error:
        theirs()
    with pytest.raises(library_class) as our_error:
        ours()
    assert isinstance(our_error.value, type(their_error.value)), (type(our_error.value), type(their_error.value))
