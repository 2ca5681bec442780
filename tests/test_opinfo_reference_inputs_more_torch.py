"""torch's OpInfo ``reference_inputs`` (float64, values and gradients) of the OpInfos that are not elementwise
ufuncs or reductions (those are tests/test_opinfo_reference_inputs_torch.py's) and that have reference inputs of
their own (a ``reference_inputs_func``): cat, broadcast_tensors, chunk, the shape ops (reshape, view, flatten,
permute, movedim, narrow, diagonal, diag_embed, and the copies permute_copy and diagonal_copy), clone/contiguous in every memory format, index_add/copy/fill/select
on repeated indices, where, clamp, addcmul/addcdiv with type promotion, bucketize, logsumexp, and the functionals
group_norm, interpolate, grid_sample and the margin/hinge losses (and empty_like, whose values are uninitialised
memory: its outputs' shapes and dtypes only, as the driver's META_ONLY says): the harder inputs (empty and large
tensors, non-contiguous ones, extreme values, broadcasting, many dim/keepdim combinations) beyond their sample inputs.
Every reference input of them is run (1,251 compared, in about 20 s: no subsampling).

Each input runs as tests/opinfo_oracle.py's ``check_sample`` runs a sample (:func:`check`): our op (the driver's
:func:`opinfo_oracle.our_op`, its ADAPTERS included) and torch's on the same values, outputs compared (structure,
shape, dtype, values at torch's float64 tolerances) and then the gradients of every input requiring grad from the same
random upstream gradients. The inputs are drawn as :func:`draws` says (torch's generators reseeded before each, as
torch's own iterator does), so a test id names the same input on every run. Where the plain call does not fit, for a
reason of torch's or of the driver's, not of the library's:

* ``where``: a sample of two Python numbers takes the default dtype, torch's float32 and ours float64 (README:
  "float64 (numpy's) unless ``autograd.set_default_dtype(np.float32)``"): ours runs with float32 set, as torch's is
  (as tests/test_opinfo_functions_torch.py runs linspace);
* ``clamp``: torch cannot differentiate an input smaller than the bounds broadcast ("output with shape [4, 4] doesn't
  match the broadcast shape [1, 4, 4]"): torch's gradients are taken through the input expanded to that shape first
  (the same function; torch's own clamp's values are compared too);
* ``narrow_copy``: torch cannot differentiate a negative start ("The size of tensor a (0) must match the size of
  tensor b (10)"): torch's gradients are those of ``narrow(...).clone()`` (the same function; narrow_copy's values are
  compared too).

:data:`KNOWN_DIFFERENCES` lists the inputs left out: complex and bfloat16 operands, which README documents a Tensor
cannot hold (tests/test_opinfo_functions_torch.py tests that the conversions to them are TypeErrors).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import opinfo_oracle as oracle
import pytest
from opinfo_oracle import torch

import autograd
from autograd import Tensor

opinfo_core = pytest.importorskip("torch.testing._internal.opinfo.core")

#: torch's own warnings while it runs its ops, and both libraries' for the deprecated upsample_bilinear (torch's
#: OpInfo calls it).
pytestmark = [
    pytest.mark.filterwarnings("ignore::UserWarning:torch.*"),
    pytest.mark.filterwarnings("ignore:.*upsample_bilinear.* is deprecated"),
]

#: The OpInfos of this file: those this library has, other than the ufuncs and reductions, with reference inputs.
OPS = [
    op
    for op in oracle.ops_we_have(lambda name: True)
    if op.reference_inputs_func is not None
    and not isinstance(op, (opinfo_core.UnaryUfuncInfo, opinfo_core.BinaryUfuncInfo, opinfo_core.ReductionOpInfo))
]


def _draw(op: Any, requires_grad: bool) -> tuple[Any, ...]:
    return oracle.draw_inputs(op.reference_inputs_func, op, torch.float64, requires_grad)


def _requiring_grad(x: Any) -> Any:
    return x.detach().requires_grad_() if isinstance(x, torch.Tensor) and x.is_floating_point() else x


def draws(op: Any) -> tuple[Any, ...]:
    """``op.reference_inputs("cpu", torch.float64, requires_grad=...)`` drawn as that method draws them outside a
    torch test (torch's generators reseeded with torch's ``SEED`` before each input, as its TrackedInputIter does),
    without its per-input search of the Python stack for a test function. requires_grad is the op's
    ``supports_autograd``; where torch's own function then refuses to make an integer operand requiring grad
    (addcmul's, clamp's and where's type-promotion inputs), the inputs are drawn without and their floating tensors
    made to require grad."""
    try:
        return _draw(op, op.supports_autograd)
    except ValueError as error:
        if "`requires_grad=True` is not supported" not in str(error):
            raise
    drawn = _draw(op, False)
    for sample in drawn:
        sample.input, sample.args, sample.kwargs = oracle.tree_map(
            _requiring_grad, (sample.input, sample.args, sample.kwargs)
        )
    return drawn


@functools.lru_cache(maxsize=2)  # (the tests run op by op: the inputs of one op at a time stay in memory)
def _inputs(name: str) -> tuple[Any, ...]:
    return draws(oracle.OPS_BY_ID[name])


_UNSUPPORTED_DTYPE = "README: a Tensor holds real numbers or booleans (no complex dtypes; numpy has no bfloat16)"

#: Inputs (``opid-index``) left out of the comparison: differences README documents.
KNOWN_DIFFERENCES = {
    **{f"{name}-{index}": _UNSUPPORTED_DTYPE for name in ("addcmul", "addcdiv") for index in range(12, 34)},
    **{f"where-{index}": _UNSUPPORTED_DTYPE for index in (14, 15)},
}


def _clamp_of_expanded_input(input: Any, min: Any = None, max: Any = None) -> Any:  # noqa: A002 - torch's names
    shapes = [tuple(t.shape) for t in (input, min, max) if isinstance(t, torch.Tensor)]
    return torch.clamp(input.expand(np.broadcast_shapes(*shapes)), min, max)


def _narrow_then_clone(input: Any, dim: int, start: Any, length: int) -> Any:
    return torch.narrow(input, dim, start, length).clone()


#: torch's differentiable spelling of an op whose own backward fails on some reference inputs (see the docstring).
THEIR_GRADIENT_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "clamp": _clamp_of_expanded_input,
    "narrow_copy": _narrow_then_clone,
}

#: Our side where the driver's does not fit (see the docstring).
OUR_FUNCTIONS: dict[str, Callable[..., Any]] = {"where": oracle.with_torchs_default_dtype(oracle.ADAPTERS["where"])}


def check(op: Any, index: int) -> None:
    """Reference input ``index`` of ``op`` as :func:`opinfo_oracle.check_sample` runs a sample: outputs, then the
    gradients of every input requiring grad, torch's from :data:`THEIR_GRADIENT_FUNCTIONS` where it names one."""
    name = oracle.op_id(op)
    sample = _inputs(name)[index]
    our_fn = OUR_FUNCTIONS.get(name) or oracle.our_op(op)
    their_fn = THEIR_GRADIENT_FUNCTIONS.get(name, op)
    their_args = oracle.tree_map(oracle.cloned, (sample.input, sample.args, sample.kwargs))
    our_args = oracle.tree_map(oracle.to_ours, their_args)
    expected = their_fn(their_args[0], *their_args[1], **their_args[2])
    if their_fn is not op:  # torch's op itself gives the same values
        with torch.no_grad():
            plain = op(*oracle.tree_map(oracle.cloned, (sample.input, *sample.args)), **sample.kwargs)
        oracle.assert_same(expected, plain, "torch's output")
    got = our_fn(our_args[0], *our_args[1], **our_args[2])
    if name in oracle.META_ONLY:
        oracle.assert_same(got, expected, "output", values=False)
        return
    oracle.assert_same(got, expected, "output")

    their_outputs = list(oracle.leaves(sample.output_process_fn_grad(expected)))
    differentiable = oracle.differentiable_outputs(their_outputs)
    their_inputs = [t for t in oracle.leaves(their_args) if isinstance(t, torch.Tensor) and t.requires_grad]
    if not differentiable or not their_inputs:
        return
    our_outputs = list(oracle.leaves(sample.output_process_fn_grad(got)))
    our_inputs = [t for t in oracle.leaves(our_args) if isinstance(t, Tensor) and t.requires_grad]
    assert len(our_inputs) == len(their_inputs)
    rng = np.random.default_rng(index)
    upstream = [
        rng.standard_normal(tuple(their_outputs[i].shape)).astype(oracle.as_array(their_outputs[i]).dtype)
        for i in differentiable
    ]
    their_grads = torch.autograd.grad(
        [their_outputs[i] for i in differentiable],
        their_inputs,
        [torch.from_numpy(u) for u in upstream],
        allow_unused=True,
    )
    our_grads = autograd.grad(
        [our_outputs[i] for i in differentiable], our_inputs, [Tensor(u) for u in upstream], allow_unused=True
    )
    for position, (mine, reference, tensor) in enumerate(zip(our_grads, their_grads, their_inputs)):
        want = torch.zeros_like(tensor) if reference is None else reference
        have = np.zeros(tuple(tensor.shape), dtype=oracle.NUMPY_DTYPES[tensor.dtype]) if mine is None else mine
        oracle.assert_same(have, want, f"gradient of input {position}")


def _params() -> tuple[list[Any], list[str]]:
    kept, left_out = [], []
    for op in OPS:
        name = oracle.op_id(op)
        for index in range(len(_inputs(name))):
            test_id = f"{name}-{index}"
            if test_id in KNOWN_DIFFERENCES:
                left_out.append(test_id)
            else:
                kept.append(pytest.param(op, index, id=test_id))
    return kept, left_out


PARAMS, LEFT_OUT = _params()


def test_the_group_and_the_inputs_left_out():
    assert len(OPS) == 39 and len(PARAMS) > 1000
    assert sorted(LEFT_OUT) == sorted(KNOWN_DIFFERENCES)  # each one is an input drawn
    for test_id in LEFT_OUT:  # each has an operand (a tensor or a Python number) a Tensor cannot hold
        name, index = test_id.rsplit("-", 1)
        sample = _inputs(name)[int(index)]
        operands = list(oracle.leaves((sample.input, sample.args)))
        dtypes = {t.dtype for t in operands if isinstance(t, torch.Tensor)}
        numbers = {type(t) for t in operands if not isinstance(t, torch.Tensor)}
        assert dtypes & {torch.complex64, torch.complex128, torch.bfloat16} or complex in numbers, test_id


@pytest.mark.parametrize(("op", "index"), PARAMS)
def test_reference_input_matches_torch(op: Any, index: int) -> None:
    check(op, index)
