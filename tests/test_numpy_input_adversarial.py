"""numpy arrays of every kind handed to the library: read-only and broadcast views, generators and other objects
numpy makes object arrays of, Python ints an integer tensor's dtype cannot hold. Each gives numpy's or torch's
answer or an error naming the op and the problem, and never changes the caller's array."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn


def _read_only(kind: str) -> np.ndarray:
    """A (2, 3) array of 0.5 numpy will not write: a broadcast view, or an array made non-writeable."""
    if kind == "broadcast":
        return np.broadcast_to(np.float64(0.5), (2, 3))
    array = np.full((2, 3), 0.5)
    array.flags.writeable = False
    return array


@pytest.mark.parametrize("kind", ["broadcast", "non-writeable"])
@pytest.mark.parametrize(
    ("op", "change"),
    [
        ("fill_", lambda t: t.fill_(2.0)),
        ("zero_", lambda t: t.zero_()),
        ("clamp_", lambda t: t.clamp_(0.0, 0.25)),
        ("clamp_", lambda t: t.clip_(max=0.25)),
        ("constant_", lambda t: nn.init.constant_(t, 2.0)),
    ],
)
def test_an_in_place_fill_or_clamp_of_a_read_only_array_names_the_op(kind, op, change):
    # numpy's bare "assignment destination is read-only" named neither the op nor the tensor
    array = _read_only(kind)
    tensor = autograd.from_numpy(array)
    with pytest.raises(ValueError, match=rf"^{op}: this tensor's data is read-only \(shape \(2, 3\)\)"):
        change(tensor)
    np.testing.assert_array_equal(array, np.full((2, 3), 0.5))
    assert tensor._version == 0
