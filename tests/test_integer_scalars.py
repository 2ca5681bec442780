"""autograd.integer_scalars: a Python int read in an integer dtype, wrapped into it or checked against it."""

from __future__ import annotations

import numpy as np
import pytest

from autograd.integer_scalars import check_integer_exponent, check_integer_fits, integer_in
from autograd.shape_errors import ArgumentRangeError


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int16, np.uint16, np.int32, np.uint32, np.int64, np.uint64])
@pytest.mark.parametrize("number", [0, -1, 127, 128, -129, 255, 256, 300, -(2**63), 2**63 + 5, 2**64 - 1])
def test_integer_in_wraps_modulo_two_to_the_bits_as_a_c_cast(dtype, number):
    wrapped = integer_in(number, np.dtype(dtype))
    assert type(wrapped) is dtype
    assert wrapped == np.array(number % 2**64, dtype=np.uint64).astype(dtype)  # numpy's cast: two's complement


@pytest.mark.parametrize("number", [2**64, -(2**63) - 1, 10**30])
def test_integer_in_gives_none_beyond_64_bits(number):
    assert integer_in(number, np.dtype(np.int8)) is None


@pytest.mark.parametrize(
    ("dtype", "fits", "overflows"),
    [(np.int8, [-128, 127, 0], [-129, 128]), (np.uint8, [-255, 255, 0], [-256, 256])],
)
def test_check_integer_fits_takes_a_signed_range_or_an_unsigned_magnitude(dtype, fits, overflows):
    for number in fits:
        check_integer_fits("where", number, np.dtype(dtype))
    for number in overflows:
        with pytest.raises(ArgumentRangeError, match=f"where: value {number} cannot be converted"):
            check_integer_fits("where", number, np.dtype(dtype))


def test_check_integer_exponent_refuses_a_negative_exponent_first():
    with pytest.raises(ArgumentRangeError, match="pow: Integers to negative integer powers"):
        check_integer_exponent("pow", -300, np.dtype(np.int8))
    with pytest.raises(ArgumentRangeError, match="overflow"):
        check_integer_exponent("pow", 300, np.dtype(np.int8))
    check_integer_exponent("pow", 127, np.dtype(np.int8))
