"""Shape errors of the common Tensor operations are ``autograd.ShapeError``: a ValueError, as the library raised them,
and a RuntimeError, as torch raises them, so tests written against either catch them."""

from __future__ import annotations

import pytest

import autograd as A


@pytest.mark.parametrize(
    ("operation", "message"),
    [
        (lambda: A.zeros(2, 3) + A.zeros(4), "could not be broadcast together"),
        (lambda: A.zeros(2, 3) @ A.zeros(4, 2), "not aligned"),
        (lambda: A.zeros(6).reshape(4), "cannot reshape"),
        (lambda: A.zeros(2, 3).view(5), "cannot view"),
        (lambda: A.zeros(3).item(), "only one-element"),
        (lambda: A.cat([A.zeros(2, 3), A.zeros(2, 4)]), "do not match"),
        (lambda: A.stack([A.zeros(2), A.zeros(3)]), "same shape"),
        (lambda: A.zeros(2, 3).expand(2, 3, 4), "cannot expand"),
        (lambda: A.zeros(2, 3).broadcast_to((4, 3)), "cannot broadcast"),
    ],
)
def test_shape_errors_are_both_value_and_runtime_errors(operation, message):
    for error in (A.ShapeError, ValueError, RuntimeError):
        with pytest.raises(error, match=message):
            operation()


def test_torch_raises_runtime_errors_for_the_same_operations():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError):
        torch.zeros(2, 3) + torch.zeros(4)
    with pytest.raises(RuntimeError):
        torch.zeros(6).reshape(4)
    with pytest.raises(RuntimeError):
        torch.zeros(3).item()


@pytest.mark.parametrize(
    "call",
    [
        lambda: A.stack(A.ones(2, 3), A.zeros(2, 3)),
        lambda: A.stack(A.ones(2, 3), A.tensor([1])),  # (read as axis 1, it stacked the rows of the first)
        lambda: A.concatenate(A.ones(2, 3), A.zeros(2, 3)),
        lambda: A.cat([A.ones(2, 3), A.ones(2, 3)], A.ones(2, 3)),
    ],
    ids=["stack", "stack of a one-element tensor", "concatenate", "cat"],
)
def test_a_tensor_where_the_axis_goes_names_the_forgotten_list(call):
    with pytest.raises(TypeError, match=r"argument 'dim' must be int, not Tensor .the tensors to join go in one list"):
        call()


@pytest.mark.parametrize(
    ("shape", "dim", "sizes", "expected"),
    [((0, 8), 1, (2, -1), (0, 2, 4)), ((4, 0, 6), 2, (-1, 3), (4, 0, 2, 3)), ((4, 6), 1, (-1, 2), (4, 3, 2))],
)
def test_unflatten_works_out_minus_one_along_its_axis_also_beside_an_empty_one(shape, dim, sizes, expected):
    # reshape cannot infer a -1 when the tensor has no entries (an empty batch): torch's unflatten can
    assert A.zeros(*shape).unflatten(dim, sizes).shape == expected
