"""torch names that ported code reaches for: ``autograd.Size`` (what ``x.size()`` gives), torch.special's aliases of
top-level functions, ``Module.cuda`` (refused: no GPU), ``lr_scheduler._LRScheduler`` and
``autograd.testing.make_tensor``."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

import autograd
import nn
from autograd import Size, Tensor
from autograd.testing import make_tensor


def test_size_is_a_tuple_of_ints_with_numel_that_size_returns():
    x = autograd.zeros(2, 3)
    assert isinstance(x.size(), Size) and x.size() == Size([2, 3]) == (2, 3)
    assert x.size().numel() == 6 and Size([]).numel() == 1
    assert isinstance(x.size()[1:], Size) and x.size()[1:] == (3,) and x.size()[0] == 2
    assert repr(Size([2, 3])) == "Size([2, 3])"
    assert pickle.loads(pickle.dumps(x.size())) == Size([2, 3])
    assert x.size(1) == 3 and x.size == 6  # numpy's size, callable as torch's
    with pytest.raises(TypeError, match="sizes must be integers"):
        Size([2.5])


@pytest.mark.parametrize(
    "name, arguments",
    [
        ("logit", (1e-6,)),
        ("logsumexp", (1,)),
        ("softmax", (1,)),
        ("log_softmax", (1,)),
        ("xlogy", (2.0,)),
        ("expm1", ()),
        ("log1p", ()),
        ("exp2", ()),
        ("sinc", ()),
        ("round", ()),
    ],  # fmt: skip
)
def test_torch_specials_aliases_are_the_top_level_functions(name, arguments):
    from autograd import special

    assert getattr(special, name) is getattr(autograd, name) and name in special.__all__
    x = Tensor(np.array([[0.2, 0.7], [0.4, 0.9]]))
    np.testing.assert_array_equal(getattr(special, name)(x, *arguments).numpy(), getattr(x, name)(*arguments).numpy())


def test_module_cuda_is_refused_as_a_tensors_cuda_is():
    with pytest.raises(RuntimeError, match="Linear.cuda: there is no GPU here"):
        nn.Linear(1, 1).cuda()


def test_lr_schedulers_old_base_class_name_is_lrscheduler():
    from nn.optim.lr_scheduler import LRScheduler, _LRScheduler

    assert _LRScheduler is LRScheduler


def test_make_tensor_draws_in_torchs_default_ranges_with_the_requested_layout():
    autograd.manual_seed(0)
    floats = make_tensor(50, 40, dtype=np.float32)
    assert floats.dtype == np.float32 and floats.shape == (50, 40) and not floats.requires_grad
    assert -9 <= floats.numpy().min() and floats.numpy().max() <= 9 and floats.numpy().std() > 3
    integers = make_tensor((1000,), dtype="int64", low=0, high=3)
    assert set(np.unique(integers.numpy())) == {0, 1, 2}
    assert set(np.unique(make_tensor(1000, dtype=np.uint8).numpy())) == set(range(10))
    strided = make_tensor(2, 4, dtype=np.float64, noncontiguous=True, requires_grad=True)
    assert strided.shape == (2, 4) and not strided.is_contiguous() and strided.requires_grad and strided.is_leaf
    assert (make_tensor(200, dtype=np.int8, low=-1, high=1, exclude_zero=True).numpy() != 0).all()
    assert make_tensor(3, dtype=np.bool_).dtype == np.bool_
    for bad, message in (({"low": 2, "high": 1}, "low must not exceed high"), ({"low": math.nan}, "must not be nan")):
        with pytest.raises(ValueError, match=message):
            make_tensor(3, dtype=np.float64, **bad)
    with pytest.raises(ValueError, match="needs a floating dtype"):
        make_tensor(3, dtype=np.int64, requires_grad=True)
