"""An integer Tensor of one element passed where torch takes an int (a count, an offset, a position: ``x.topk(k)``,
``x.select(0, i)`` with ``i = t.argmax()``) is read as the int it holds, as torch reads it through ``__index__``,
where the library raised a TypeError; a float Tensor there is still a TypeError, as torch's."""

import numpy as np
import pytest

import autograd
from tests.torch_oracle import torch

CALLS = {
    "select": lambda x, k: x.select(0, k),
    "topk": lambda x, k: x.topk(k).values,
    "topk_indices": lambda x, k: x.topk(k, dim=0).indices,
    "kthvalue": lambda x, k: x.kthvalue(k).values,
    "triu": lambda x, k: x.triu(k),
    "tril": lambda x, k: x.tril(k),
    "diagonal": lambda x, k: x.diagonal(k),
    "diag": lambda x, k: x.diag(k),
    "chunk": lambda x, k: x.chunk(k)[0],
    "split": lambda x, k: x.split(k)[-1],
}


K_TENSORS = {
    "zero_d": lambda lib: lib.tensor(2),
    "zero_d_int32": lambda lib: lib.tensor(2, dtype=lib.int32),
    "one_element": lambda lib: lib.tensor([2]),  # (torch takes it for a count, not for an offset or chunks)
}
ONE_ELEMENT_TAKEN = ["select", "topk", "topk_indices", "kthvalue", "triu", "tril", "split"]
CASES = [(name, k) for name in CALLS for k in K_TENSORS if k != "one_element" or name in ONE_ELEMENT_TAKEN]


@pytest.mark.parametrize(("name", "k"), CASES, ids=[f"{name}-{k}" for name, k in CASES])
def test_a_one_element_integer_tensor_is_the_int_it_holds(name, k):
    results = []
    for lib in (torch, autograd):
        x = lib.tensor(np.arange(24.0).reshape(4, 6), requires_grad=True)
        out = CALLS[name](x, K_TENSORS[k](lib))
        grad = None
        if out.dtype in (torch.float64, autograd.float64):
            out.sum().backward()
            grad = np.asarray(x.grad)
        results.append((np.asarray(out.detach().numpy() if lib is torch else out.data), grad))
    (theirs, their_grad), (ours, our_grad) = results
    np.testing.assert_array_equal(ours, theirs)
    if their_grad is not None:
        np.testing.assert_array_equal(our_grad, their_grad)


@pytest.mark.parametrize("name", ["select", "topk", "kthvalue", "triu", "diagonal", "chunk"])
def test_a_float_tensor_is_still_refused_where_an_int_is_taken(name):
    with pytest.raises(TypeError):
        CALLS[name](autograd.tensor(np.arange(24.0).reshape(4, 6)), autograd.tensor(2.0))
