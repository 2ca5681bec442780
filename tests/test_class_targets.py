"""Class-index targets (autograd.tensor_functions.check_class_range) for every integer dtype, and the losses using it."""

import numpy as np
import pytest

from autograd import Tensor
from autograd.tensor_functions import check_class_range, softmax_cross_entropy
from nn.functional import cross_entropy, nll_loss

INTEGER_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
CLASS_COUNTS = [1, 3, 127, 128, 129, 255, 256, 300, 2**15, 2**16 + 1, 2**31, 2**32 + 5, 2**63]


def _values_to_try(dtype, classes):
    """Edge values of the dtype and of the class range, those the dtype can hold."""
    info = np.iinfo(dtype)
    candidates = {info.min, info.min + 1, -1, 0, 1, classes - 1, classes, classes + 1, info.max - 1, info.max}
    return sorted(value for value in candidates if info.min <= value <= info.max)


@pytest.mark.parametrize("dtype", INTEGER_DTYPES)
@pytest.mark.parametrize("classes", CLASS_COUNTS)
def test_class_range_check_agrees_with_integer_arithmetic_for_every_dtype(dtype, classes):
    for value in _values_to_try(dtype, classes):
        indices = np.array([0, 0, value, 0], dtype=dtype)[::2]  # a strided view: [0, value]
        if 0 <= value < classes:
            check_class_range(indices, classes, "op")
        else:
            with pytest.raises(ValueError, match=rf"op: .* for {classes} classes, got \[{value}\]"):
                check_class_range(indices, classes, "op")


def test_class_range_check_accepts_empty_targets_and_names_several_bad_values():
    check_class_range(np.zeros(0, dtype=np.int8), 3, "op")
    with pytest.raises(ValueError, match=r"op: class indices must lie in \[0, 2\] for 3 classes, got \[-2, 3, 7\]"):
        check_class_range(np.array([7, 0, -2, 3, 1, 7], dtype=np.int16), 3, "op")


LOSSES = {
    "softmax_cross_entropy": lambda scores, target: softmax_cross_entropy(scores, target, axis=1).sum(),
    "cross_entropy": cross_entropy,
    "nll_loss": lambda scores, target: nll_loss(scores.log_softmax(axis=1), target),
}


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64])
def test_losses_reject_a_negative_target_even_with_more_classes_than_the_dtype_holds(loss, dtype):
    scores = Tensor(np.zeros((2, 300)), requires_grad=True)
    with pytest.raises(ValueError, match=rf"{loss}: class indices must lie in \[0, 299\] for 300 classes, got \[-1\]"):
        LOSSES[loss](scores, np.array([-1, 4], dtype=dtype))
    assert scores.grad is None


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("dtype", INTEGER_DTYPES)
def test_losses_reject_a_too_large_target_and_accept_every_dtype_in_range(loss, dtype):
    scores = Tensor(np.random.default_rng(0).standard_normal((3, 5)), requires_grad=True)
    with pytest.raises(ValueError, match=rf"{loss}: class indices must lie in \[0, 4\] for 5 classes, got \[5\]"):
        LOSSES[loss](scores, np.array([0, 5, 4], dtype=dtype))
    expected = LOSSES[loss](scores, np.array([0, 2, 4], dtype=np.int64)).item()
    assert LOSSES[loss](scores, np.array([0, 2, 4], dtype=dtype)).item() == expected
