"""A port of PyTorch's ``test/test_type_info.py`` (``TestDTypeInfo``) beside torch: ``finfo`` and ``iinfo``, their
attributes for every real dtype both libraries have, ``finfo()`` of the default dtype, and the errors for a dtype of
the wrong kind.

Each case asks torch and this library about the same dtype and compares the answers (values and their Python
types, the dtype's name, the repr, equality); the limits are also checked against numpy's, as upstream does.

Left out: bfloat16 and the float8 dtypes (numpy has none of them, so this library neither), complex dtypes and
``dtype.to_complex()`` / ``dtype.to_real()`` (no complex tensors here; the dtypes are numpy's, which have no such
methods) and upstream's reference-count check of ``to_complex`` (a CPython detail of torch's dtype objects).
Deliberate differences, not asserted: the dtype may be given as numpy reads one (``"float32"``, ``float``, a numpy
dtype) and ``finfo(None)`` is ``finfo()``, where torch takes only its own dtypes; numpy's further attributes
(``nmant``, ``smallest_subnormal``, ...) are there too.
"""

from __future__ import annotations

import copy
import functools
import pickle

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")

FLOATING = ("float16", "float32", "float64")
INTEGER = ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")
FINFO_FIELDS = ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution")


def _ours(name):
    return getattr(autograd, name) if hasattr(autograd, name) else np.dtype(name).type


def _kind_error(call):
    """The class of the error ``call`` raises."""
    with pytest.raises(Exception) as caught:
        call()
    return caught.type


@pytest.mark.parametrize("name", FLOATING)
def test_finfo_gives_torchs_limits_as_python_floats(name):
    ours, theirs = autograd.finfo(_ours(name)), torch.finfo(getattr(torch, name))
    for field in FINFO_FIELDS:
        mine, expected = getattr(ours, field), getattr(theirs, field)
        assert type(mine) is type(expected), field
        assert mine == expected, field
    assert ours.dtype == theirs.dtype == name


@pytest.mark.parametrize("name", FLOATING)
def test_finfo_limits_are_numpys_values(name):
    ours, numpys = autograd.finfo(_ours(name)), np.finfo(np.dtype(name))
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal"):
        assert getattr(ours, field) == float(getattr(numpys, field)), field
    assert ours.resolution == 10.0**-numpys.precision
    assert ours.dtype == numpys.dtype


@pytest.mark.parametrize("name", FLOATING)
def test_finfo_of_a_tensors_dtype_describes_that_dtype(name):
    x = autograd.zeros((2, 2), dtype=_ours(name))
    assert autograd.finfo(x.dtype) == autograd.finfo(_ours(name))
    assert autograd.finfo(x.dtype).bits == torch.finfo(torch.zeros(2, 2, dtype=getattr(torch, name)).dtype).bits


@pytest.mark.parametrize("name", INTEGER)
def test_iinfo_gives_torchs_limits_as_python_ints(name):
    ours, theirs = autograd.iinfo(_ours(name)), torch.iinfo(getattr(torch, name))
    for field in ("bits", "min", "max"):
        mine, expected = getattr(ours, field), getattr(theirs, field)
        assert type(mine) is type(expected) is int, field
        assert mine == expected, field
    assert ours.dtype == theirs.dtype == name


@pytest.mark.parametrize("name", INTEGER)
def test_iinfo_limits_are_numpys_values(name):
    ours, numpys = autograd.iinfo(autograd.zeros((2, 2), dtype=_ours(name)).dtype), np.iinfo(np.dtype(name))
    assert (ours.bits, ours.min, ours.max) == (numpys.bits, numpys.min, numpys.max)
    assert ours.dtype == numpys.dtype


@pytest.mark.parametrize("name", [*FLOATING, *INTEGER])
def test_the_repr_is_torchs(name):
    info = autograd.finfo if name in FLOATING else autograd.iinfo
    theirs = torch.finfo if name in FLOATING else torch.iinfo
    assert repr(info(_ours(name))) == repr(theirs(getattr(torch, name)))
    assert str(info(_ours(name))) == str(theirs(getattr(torch, name)))


@pytest.mark.parametrize("name", FLOATING)
def test_finfo_without_a_dtype_describes_the_default_dtype(name):
    before, torch_before = autograd.get_default_dtype(), torch.get_default_dtype()
    autograd.set_default_dtype(_ours(name))
    torch.set_default_dtype(getattr(torch, name))
    try:
        assert autograd.finfo() == autograd.finfo(_ours(name))
        assert torch.finfo() == torch.finfo(getattr(torch, name))
        assert autograd.finfo().dtype == torch.finfo().dtype == name
        assert autograd.finfo().eps == torch.finfo().eps
    finally:
        autograd.set_default_dtype(before)
        torch.set_default_dtype(torch_before)


def test_infos_are_equal_when_they_describe_the_same_dtype_as_torchs():
    pairs = [("float32", "float32"), ("float32", "float64"), ("float16", "float16")]
    for first, second in pairs:
        ours = autograd.finfo(_ours(first)) == autograd.finfo(_ours(second))
        assert ours == (torch.finfo(getattr(torch, first)) == torch.finfo(getattr(torch, second)))
    for first, second in [("int8", "int8"), ("int8", "int16")]:
        ours = autograd.iinfo(_ours(first)) == autograd.iinfo(_ours(second))
        assert ours == (torch.iinfo(getattr(torch, first)) == torch.iinfo(getattr(torch, second)))
    assert (autograd.finfo(autograd.float32) == 3) is (torch.finfo(torch.float32) == 3) is False


@pytest.mark.parametrize("name", [*FLOATING, "bool"])
def test_iinfo_of_a_floating_or_bool_dtype_is_torchs_type_error(name):
    assert issubclass(_kind_error(lambda: torch.iinfo(getattr(torch, name))), TypeError)
    with pytest.raises(TypeError, match="iinfo"):
        autograd.iinfo(_ours(name))


@pytest.mark.parametrize("name", [*INTEGER[:5], "bool"])
def test_finfo_of_an_integer_or_bool_dtype_is_torchs_type_error(name):
    assert issubclass(_kind_error(lambda: torch.finfo(getattr(torch, name))), TypeError)
    with pytest.raises(TypeError, match="floating point"):
        autograd.finfo(_ours(name))


def test_a_dtype_of_the_wrong_kind_is_still_numpys_value_error():
    with pytest.raises(ValueError):
        autograd.finfo(autograd.int32)
    with pytest.raises(ValueError):
        autograd.iinfo(autograd.float32)


@pytest.mark.parametrize("argument", [1.0, 3, Tensor([1.0, 2.0])], ids=["float", "int", "tensor"])
def test_an_argument_that_is_no_dtype_is_a_type_error_as_torchs(argument):
    theirs = torch.tensor([1.0, 2.0]) if isinstance(argument, Tensor) else argument
    for torch_info, our_info in [(torch.finfo, autograd.finfo), (torch.iinfo, autograd.iinfo)]:
        assert issubclass(_kind_error(functools.partial(torch_info, theirs)), TypeError)
        with pytest.raises(TypeError, match="must be a dtype"):
            our_info(argument)


def test_iinfo_needs_a_dtype_as_torchs():
    assert issubclass(_kind_error(torch.iinfo), TypeError)
    with pytest.raises(TypeError):
        autograd.iinfo()


def test_a_torch_dtype_is_read_by_its_name():
    assert autograd.finfo(torch.float16) == autograd.finfo(autograd.float16)
    assert autograd.iinfo(torch.uint8).max == torch.iinfo(torch.uint8).max


def test_arithmetic_on_float16_limits_is_python_float_arithmetic_without_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        doubled = autograd.finfo(autograd.float16).max * 2
        halved_tiny = autograd.finfo(autograd.float16).tiny / 1e10
    assert doubled == torch.finfo(torch.float16).max * 2 == 131008.0
    assert halved_tiny == torch.finfo(torch.float16).tiny / 1e10 > 0


def test_infos_survive_copy_and_pickle():
    for info in (autograd.finfo(autograd.float32), autograd.iinfo(autograd.int16)):
        assert copy.deepcopy(info) == info
        assert pickle.loads(pickle.dumps(info)) == info
        assert repr(copy.copy(info)) == repr(info)
