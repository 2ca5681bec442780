"""torch's OpInfo samples of the ``nn.functional.*`` ops (tests/opinfo_oracle.py): every float64 sample of every
such OpInfo this library has, its outputs and the gradients of its inputs against torch 2.13's.

Where the driver's plain call does not fit an op, this file says how it is run instead:

* :data:`OUR_FUNCTIONS`: the OpInfos whose keyword arguments hold a torch object (linear_cross_entropy's
  ``LinearCrossEntropyOptions``, triplet_margin_with_distance_loss's ``PairwiseDistance`` module): ours is called
  with this library's object of the same settings.
* the fractional max pools: torch's op draws its window samples (``torch.rand`` after ``wrapper_set_seed``'s
  seed 42) and ours would draw others from this library's random state; ours is given torch's draws as
  ``_random_samples`` (:func:`opinfo_oracle.with_torchs_samples`), so values, indices and gradients are compared
  in full.
* :data:`DROPOUT_OPS`: samples with ``dropout_p > 0`` draw random masks (torch's generator and ours differ): the
  outputs' structure, shapes and dtypes are compared as drawn, then the same sample with ``dropout_p = 0`` is
  compared in full (values and gradients).
* ``nn.functional.ctc_loss``: torch's gradient with respect to ``log_probs`` is the one through a ``log_softmax``
  (it adds exp(log_probs) times the incoming gradient: pytorch issue 52241), ours is the plain derivative (which
  finite differences confirm, tests/test_ctc_grid_lazy.py). torch's own gradient tests run it through its
  ``gradcheck_wrapper``, log_softmax over the classes first; so is it here, on both sides: values and gradients.

:data:`KNOWN_DIFFERENCES` lists the samples left out on purpose (none at present).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import opinfo_oracle as o
import pytest

import autograd
import nn
import nn.functional
from autograd import Tensor

torch = o.torch


#: Our side of the OpInfos whose samples carry a torch object in their keyword arguments, or whose torch call draws
#: random numbers that ours is given.
OUR_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "nn.functional.linear_cross_entropy.chunked": o.linear_cross_entropy,
    "nn.functional.linear_cross_entropy.chunked_none": o.linear_cross_entropy,
    "nn.functional.triplet_margin_with_distance_loss": o.triplet_with_distance,
    "nn.functional.fractional_max_pool2d": o.with_torchs_samples(2),
    "nn.functional.fractional_max_pool3d": o.with_torchs_samples(3),
}

#: The OpInfos whose samples may draw dropout masks, and where their ``dropout_p`` sits (a keyword, or the index
#: of the positional argument after the input).
DROPOUT_OPS = {
    "nn.functional.scaled_dot_product_attention": "dropout_p",
    "nn.functional.multi_head_attention_forward": 9,
}

#: "opid-index" (one sample) or "opid" (all its samples) -> why the sample is left out: a difference from torch
#: that README.md documents as deliberate. Empty: every sample of the group is compared.
KNOWN_DIFFERENCES: dict[str, str] = {}

OPS = o.ops_we_have(lambda name: name.startswith("nn.functional."))


def _kept(params: list[Any]) -> list[Any]:
    kept = []
    for param in params:
        op, _ = param.values
        if param.id in KNOWN_DIFFERENCES or o.op_id(op) in KNOWN_DIFFERENCES:
            continue
        kept.append(param)
    return kept


PARAMS = _kept(o.sample_params(OPS))


def _dropout(op: Any, sample: Any) -> float:
    """The sample's dropout probability (0 for an op without one)."""
    where = DROPOUT_OPS.get(o.op_id(op))
    if where is None:
        return 0.0
    if isinstance(where, str):
        return float(sample.kwargs.get(where, 0.0))
    return float(sample.args[where]) if len(sample.args) > where else 0.0


def _without_dropout(op: Any, sample: Any) -> tuple[Any, tuple[Any, ...], dict[str, Any]]:
    """The sample's (input, args, kwargs) with its dropout probability set to 0."""
    where = DROPOUT_OPS[o.op_id(op)]
    args, kwargs = list(sample.args), dict(sample.kwargs)
    if isinstance(where, str):
        kwargs[where] = 0.0
    else:
        args[where] = 0.0
    return sample.input, tuple(args), kwargs


def _compare(
    their_fn: Callable[..., Any], our_fn: Callable[..., Any], arguments: tuple[Any, Any, Any], index: int
) -> None:
    """``check_sample``'s comparison for a call the driver cannot make: outputs, then the gradients of every input
    requiring grad from a fixed random upstream gradient (torch's None, an unused input, may be our zeros)."""
    theirs = o.tree_map(o.cloned, arguments)
    ours = o.tree_map(o.to_ours, theirs)
    expected = their_fn(theirs[0], *theirs[1], **theirs[2])
    got = our_fn(ours[0], *ours[1], **ours[2])
    o.assert_same(got, expected, "output")
    their_outputs, our_outputs = list(o.leaves(expected)), list(o.leaves(got))
    differentiable = [i for i, out in enumerate(their_outputs) if isinstance(out, torch.Tensor) and out.requires_grad]
    their_inputs = [t for t in o.leaves(theirs) if isinstance(t, torch.Tensor) and t.requires_grad]
    our_inputs = [t for t in o.leaves(ours) if isinstance(t, Tensor) and t.requires_grad]
    assert differentiable and their_inputs and len(our_inputs) == len(their_inputs)
    rng = np.random.default_rng(index)
    upstream = [rng.standard_normal(tuple(their_outputs[i].shape)) for i in differentiable]
    their_grads = torch.autograd.grad(
        [their_outputs[i] for i in differentiable],
        their_inputs,
        [torch.tensor(u, dtype=their_outputs[i].dtype) for u, i in zip(upstream, differentiable)],
        allow_unused=True,
    )
    our_grads = autograd.grad(
        [our_outputs[i] for i in differentiable],
        our_inputs,
        [Tensor(u.astype(our_outputs[i].dtype)) for u, i in zip(upstream, differentiable)],
        allow_unused=True,
    )
    for position, (mine, reference, tensor) in enumerate(zip(our_grads, their_grads, their_inputs)):
        want = torch.zeros_like(tensor) if reference is None else reference
        have = np.zeros(tuple(tensor.shape), dtype=o.NUMPY_DTYPES[tensor.dtype]) if mine is None else mine
        o.assert_same(have, want, f"gradient of input {position}")


def _ctc_through_log_softmax(log_probs: Any, *args: Any, **kwargs: Any) -> Any:
    return nn.functional.ctc_loss(nn.functional.log_softmax(log_probs, dim=2), *args, **kwargs)


def test_the_group_is_every_nn_functional_opinfo_we_have():
    missing = sorted(o.op_id(op) for op in o.OP_DB if op.name.startswith("nn.functional.") and o.our_op(op) is None)
    assert missing == []
    assert len(OPS) == 118 and len(PARAMS) > 5000
    assert all(key.split("-")[0] in o.OPS_BY_ID for key in KNOWN_DIFFERENCES)


@pytest.mark.parametrize(("op", "index"), PARAMS)
def test_sample_matches_torch(op, index):
    name = o.op_id(op)
    if name == "nn.functional.ctc_loss":
        sample = o.samples(op, o.test_dtype(op))[index]
        wrapped = lambda *args, **kwargs: op.gradcheck_wrapper(op, *args, **kwargs)  # noqa: E731
        _compare(wrapped, _ctc_through_log_softmax, (sample.input, sample.args, sample.kwargs), index)
        return
    our_fn = OUR_FUNCTIONS.get(name)
    sample = o.samples(op, o.test_dtype(op))[index]
    if _dropout(op, sample) > 0:
        o.check_sample(op, index, our_fn, values=False)  # random masks: structure, shapes and dtypes
        _compare(op, our_fn or o.our_op(op), _without_dropout(op, sample), index)
        return
    o.check_sample(op, index, our_fn)
