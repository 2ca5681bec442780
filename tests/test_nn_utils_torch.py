"""nn.utils as torch's where the probe of nn.utils found differences: vector_to_parameters (views of the vector,
its dtype, the vectors torch accepts), compared with torch."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")

from torch_oracle import raised_type  # noqa: E402  (after the skip: it imports torch)

tnn = torch.nn


# -- F6: vector_to_parameters --------------------------------------------------------------------------------
def test_vector_to_parameters_makes_the_parameters_views_of_the_vector_in_its_dtype_as_torchs():
    results = []
    for lib, make in ((nn, Tensor), (tnn, torch.from_numpy)):
        first, second = lib.Parameter(make(np.zeros(3, np.float32))), lib.Parameter(make(np.zeros((2, 2), np.float32)))
        vector = make(np.arange(7.0))  # float64
        lib.utils.vector_to_parameters(vector, [first, second])
        vector[0] = 100.0  # an in-place change of the vector shows in the parameters
        vector[3] = -1.0
        results.append(
            [
                (np.asarray(p.detach()).tolist(), str(p.dtype).rsplit(".", 1)[-1], p.requires_grad)
                for p in (first, second)
            ]
        )
    assert results[0] == results[1]
    assert results[0][0] == ([100.0, 1.0, 2.0], "float64", True)


@pytest.mark.parametrize(
    ("vector", "shapes"),
    [
        (np.arange(5.0), [(3,)]),  # longer: the tail is not used
        (np.arange(3.0).reshape(3, 1), [(3,)]),  # 2-D: sliced along its first axis
        (np.arange(8.0).reshape(8, 1), [(2, 2), (2, 2)]),
    ],
    ids=["longer", "column", "rows"],
)
def test_vector_to_parameters_takes_the_vectors_torch_takes(vector, shapes):
    results = []
    for lib, make in ((nn, Tensor), (tnn, torch.from_numpy)):
        parameters = [lib.Parameter(make(np.zeros(shape))) for shape in shapes]
        lib.utils.vector_to_parameters(make(vector.copy()), parameters)
        results.append([np.asarray(p.detach()).tolist() for p in parameters])
    assert results[0] == results[1]


@pytest.mark.parametrize(
    ("vector", "shapes"),
    [
        (np.arange(2.0), [(3,)]),  # shorter
        (np.arange(6.0).reshape(3, 2), [(3,), (3,)]),  # rows of 2 do not make 3 entries
        (np.arange(6.0).reshape(2, 3).T, [(3,)]),
        (np.array(1.0), [(1,)]),  # 0-D: nothing to slice
        (np.arange(3), [(3,)]),  # integers for a parameter that requires grad
    ],
    ids=["shorter", "rows-of-two", "transposed", "0-d", "integers"],
)
def test_vector_to_parameters_refuses_what_torch_refuses_and_changes_nothing(vector, shapes):
    theirs = [tnn.Parameter(torch.zeros(shape, dtype=torch.float64)) for shape in shapes]
    torch_error = raised_type(lambda: tnn.utils.vector_to_parameters(torch.from_numpy(vector.copy()), theirs))
    assert torch_error is not None
    ours = [nn.Parameter(np.full(shape, 7.0)) for shape in shapes]
    with pytest.raises(torch_error):
        nn.utils.vector_to_parameters(Tensor(vector.copy()), ours)
    assert all(np.all(p.data == 7.0) and p.dtype == np.float64 for p in ours)


# -- F12: parametrizing a buffer ------------------------------------------------------------------------------
def _doubling(lib):
    class Doubling(lib.Module):
        def forward(self, x):
            return x * 2

        def right_inverse(self, x):
            return x / 2

    return Doubling()


def _buffer_state(lib, module):
    names = [name for name, _ in module.named_buffers()]
    return sorted(module.state_dict()), names, [name for name, _ in module.named_parameters()]


def _parametrized_buffer(lib, make):
    module = lib.Linear(2, 2)
    module.register_buffer("scale", make(np.array([1.0, 3.0, 5.0], np.float32)))
    lib.utils.parametrize.register_parametrization(module, "scale", _doubling(lib))
    return module


def test_a_buffer_can_be_parametrized_as_torchs():
    results = []
    for lib, make in ((nn, Tensor), (tnn, torch.from_numpy)):
        module = _parametrized_buffer(lib, make)
        read = np.asarray(module.scale.detach()).tolist()
        module.scale = make(np.array([2.0, 2.0, 8.0], np.float32))  # stored through right_inverse
        original = np.asarray(module.parametrizations.scale.original).tolist()
        results.append((read, original, np.asarray(module.scale.detach()).tolist(), _buffer_state(lib, module)))
    assert results[0] == results[1]
    assert results[0][0] == [1.0, 3.0, 5.0]  # 2 * right_inverse(scale)


@pytest.mark.parametrize("leave_parametrized", [True, False])
def test_removing_a_buffers_parametrization_leaves_a_buffer_as_torchs(leave_parametrized):
    results = []
    for lib, make in ((nn, Tensor), (tnn, torch.from_numpy)):
        module = _parametrized_buffer(lib, make)
        lib.utils.parametrize.remove_parametrizations(module, "scale", leave_parametrized=leave_parametrized)
        results.append((np.asarray(module.scale).tolist(), _buffer_state(lib, module)))
    assert results[0] == results[1]
