"""torch's OpInfo database on extreme and float32 inputs: the elementwise unary and binary ufuncs and the
reductions (the OpInfos of classes UnaryUfuncInfo, BinaryUfuncInfo and ReductionOpInfo that this library has), run
as tests/opinfo_oracle.py runs their float64 sample inputs, on three more sets of inputs:

* ``reference_inputs`` in float64 (a superset of the sample inputs: large and small magnitudes, inf, nan, -0.0,
  broadcasting and type promotion), values and gradients (a gradient torch gives as nan or inf included);
* ``sample_inputs`` in float32 (the dtype kept, float32 tolerances), values and gradients;
* ``sample_inputs`` in int64 and in bool, where torch runs the op in that dtype: values and result dtypes.

This library's default floating dtype is set to torch's, float32, while our side runs (README: float64, numpy's,
unless ``set_default_dtype`` changes it), so an integer input or a Python float that an op makes floating gives
float32 in both. The inputs are the ones torch's ``reference_inputs``/``sample_inputs`` give outside a torch test
(see :func:`draws`), requiring grad where the op supports autograd and the dtype is floating; both libraries get the
same upstream gradients. Where torch's answer is not one number to compare with, the file says so: gradients at nan
of the activations whose CPU kernels give them by position (:data:`NAN_GRADIENT_BY_POSITION`), the samples torch
cannot differentiate (:data:`TORCH_GRADIENT_MISSING`), float32 results less accurate in torch than here
(:func:`_assert_as_accurate`). :data:`KNOWN_DIFFERENCES` lists what README documents (its sample entries are from a
run over every input; those the spread below does not keep exclude nothing).

To keep the file's run short, each OpInfo keeps at most :data:`PER_OP` of its reference inputs, spread evenly over
its list (every float32, int64 and bool sample input is kept): a run over all of them (9,490) takes minutes.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from typing import Any

import numpy as np
import opinfo_oracle as oracle
import pytest
from opinfo_oracle import torch

import autograd
from autograd import Tensor

opinfo_core = pytest.importorskip("torch.testing._internal.opinfo.core")

#: At most this many reference inputs per OpInfo (evenly spread).
PER_OP = 8

#: The OpInfos of this file: the elementwise ufuncs and the reductions that this library has.
OPS = [
    op
    for op in oracle.ops_we_have(lambda name: True)
    if isinstance(op, (opinfo_core.UnaryUfuncInfo, opinfo_core.BinaryUfuncInfo, opinfo_core.ReductionOpInfo))
]

KINDS = ("reference", "float32", "int64", "bool")


def draws(op: Any, kind: str) -> tuple[Any, ...]:
    """The inputs of kind ``kind`` (see :data:`KINDS`) of ``op``: its ``reference_inputs`` or ``sample_inputs``,
    drawn as those methods draw them outside a torch test case (torch's generators reseeded with torch's ``SEED``
    before each input, as their TrackedInputIter does), without their per-call search of the Python stack for a
    test function (``inspect.stack``, which under pytest took most of this file's time)."""
    dtype = {"reference": torch.float64, "float32": torch.float32, "int64": torch.int64, "bool": torch.bool}[kind]
    if dtype not in op.supported_dtypes("cpu"):
        return ()
    requires_grad = op.supports_autograd and dtype.is_floating_point
    function = op.reference_inputs_func if kind == "reference" else None
    return oracle.draw_inputs(function or op.sample_inputs_func, op, dtype, requires_grad)


def _spread(count: int, kind: str) -> list[int]:
    """The indices of ``count`` inputs of kind ``kind`` that the tests run: all, or :data:`PER_OP` evenly spread."""
    if kind != "reference" or count <= PER_OP:
        return list(range(count))
    return sorted({round(i * (count - 1) / (PER_OP - 1)) for i in range(PER_OP)})


@functools.lru_cache(maxsize=4)  # (the tests run op by op: the inputs of one op at a time stay in memory)
def _kept_inputs(name: str, kind: str) -> dict[int, Any]:
    inputs = draws(oracle.OPS_BY_ID[name], kind)
    return {index: inputs[index] for index in _spread(len(inputs), kind)}


def kept_inputs(op: Any, kind: str) -> dict[int, Any]:
    """The inputs of kind ``kind`` of ``op`` that the tests run, by their index among all of them."""
    return _kept_inputs(oracle.op_id(op), kind)


#: Differences README documents, left out: an OpInfo's id, ``id-kind`` or ``id-kind-index`` (the test's id).
KNOWN_DIFFERENCES = {
    "bfloat16": "README: no bfloat16 dtype (numpy has none): .bfloat16() raises a TypeError",
    "cdouble": "README: a Tensor holds real numbers or booleans, no complex dtypes: .cdouble() raises a TypeError",
    "cfloat": "README: a Tensor holds real numbers or booleans, no complex dtypes: .cfloat() raises a TypeError",
    "chalf": "README: a Tensor holds real numbers or booleans, no complex dtypes: .chalf() raises a TypeError",
    **{
        f"{name}-reference-{index}": "README: sign(nan) is numpy's nan (torch's 0)"
        for name in ("sign", "sgn")
        for index in (10, 11, 22, 23)
    },
    **{
        f"digamma-reference-{index}": "README: digamma's derivative at its negative poles is inf (torch: finite)"
        for index in (10, 11, 24, 25)
    },
    **{
        f"polygamma.polygamma_n_{n}-reference-{index}": "README: polygamma(n, inf) for n >= 2 is the limit 0 (torch: nan)"
        for n in (1, 2, 3, 4)
        for index in (19, 40)
    },
    **{
        f"{name}-reference-{index}": "README: xlogy's (xlog1py's) d/dy is 0 where x = 0 and y = 0 (-1), torch's nan"
        for name in ("xlogy", "special.xlog1py")
        for index in (15, 62)
    },
    **{
        f"special.zeta-reference-{index}": "README: zeta(x, q) is 0 where all its terms underflow (x = 1e20, q > 1; torch: nan)"
        for index in (16, 63)
    },
    "special.log_ndtr-reference-11": "README: log_ndtr's derivative far below 0 without cancellation (torch's is 0.4% off)",
    "ldexp-reference-16": "README: a finite gradient (ldexp's d/dother near the largest float) where torch's overflows",
}

#: Activations whose gradient at nan torch's CPU kernels give by position (its vectorised loop one value in whole
#: SIMD blocks, its scalar tail another): at a nan input, torch's gradient of a lone nan element is the reference.
NAN_GRADIENT_BY_POSITION = {
    "nn.functional.elu",
    "nn.functional.celu",
    "nn.functional.selu",
    "nn.functional.relu6",
    "nn.functional.hardtanh",
    "nn.functional.hardshrink",
    "nn.functional.softshrink",
}

#: OpInfos some of whose samples torch cannot differentiate ("derivative for aten::remainder is not implemented",
#: for a tensor divisor): there the values are compared, and no gradient.
TORCH_GRADIENT_MISSING = {"remainder", "__rmod__"}


def _reflected(name: str) -> Callable[..., Any]:
    """Our side of the reflected operator ``name``: torch.Tensor.__rpow__(number, tensor), as the OpInfo calls it on
    a number, is torch's Python ``pow(tensor, number)``, the operator with the operands swapped (its C ones,
    ``__rsub__``, ..., return NotImplemented there, as a number's own method does: the driver's call)."""
    forward = getattr(operator, name.replace("__r", "__", 1))

    def run(input: Any, other: Any) -> Any:
        return getattr(input, name)(other) if isinstance(input, Tensor) else forward(other, input)

    return run


#: Our side where the driver's does not fit a sample: torch's Python reflected operators called on a number.
OUR_FUNCTIONS: dict[str, Callable[..., Any]] = {name: _reflected(name) for name in ("__rpow__", "__rmod__")}


def _excluded(op: Any, kind: str, index: int) -> bool:
    name = oracle.op_id(op)
    return bool({name, f"{name}-{kind}", f"{name}-{kind}-{index}"} & KNOWN_DIFFERENCES.keys())


def params() -> list[Any]:
    """``pytest.param(op, kind, index)`` of every input the tests run, ids ``name.variant-kind-index``."""
    found = []
    for op in OPS:
        for kind in KINDS:
            for index in kept_inputs(op, kind):
                if not _excluded(op, kind, index):
                    found.append(pytest.param(op, kind, index, id=f"{oracle.op_id(op)}-{kind}-{index}"))
    return found


def _numpy(x: Any) -> np.ndarray:
    """A torch result as an ndarray (torch's zero-tensor gradients as zeros)."""
    if isinstance(x, torch.Tensor):
        if x._is_zerotensor():
            x = torch.zeros(x.shape, dtype=x.dtype)
        return x.detach().numpy()
    return oracle.as_array(x)


def _torch_run(op: Any, sample: Any, index: int, dtype: Any = None) -> tuple[Any, list[Any] | None, list[Any]]:
    """torch's outputs, gradients (None where torch has no derivative) and its tensor arguments, for ``sample``
    (its floating tensors cast to ``dtype`` if given), the upstream gradients as :func:`_upstream` gives them."""

    def prepared(x: Any) -> Any:
        x = oracle.cloned(x)
        if dtype is not None and isinstance(x, torch.Tensor) and x.is_floating_point():
            x = x.detach().to(dtype).requires_grad_(x.requires_grad)
        return x

    args = oracle.tree_map(prepared, (sample.input, sample.args, sample.kwargs))
    expected = op(args[0], *args[1], **args[2])
    outputs = list(oracle.leaves(sample.output_process_fn_grad(expected)))
    differentiable = oracle.differentiable_outputs(outputs)
    inputs = [t for t in oracle.leaves(args) if isinstance(t, torch.Tensor) and t.requires_grad]
    if not differentiable or not inputs:
        return expected, [], args
    upstream = [torch.from_numpy(u) for u in _upstream([outputs[i] for i in differentiable], index)]
    try:
        grads = torch.autograd.grad([outputs[i] for i in differentiable], inputs, upstream, allow_unused=True)
    except RuntimeError as error:
        if oracle.op_id(op) in TORCH_GRADIENT_MISSING and "is not implemented" in str(error):
            return expected, None, args
        raise
    return expected, [torch.zeros_like(t) if g is None else g for g, t in zip(grads, inputs)], args


def _upstream(outputs: list[Any], index: int) -> list[np.ndarray]:
    """The upstream gradient of each differentiable output: seeded normal numbers rounded (by numpy, once) to the
    output's dtype, the same arrays for both libraries (torch.tensor(u, dtype=float16) rounds through float32)."""
    rng = np.random.default_rng(index)
    return [rng.standard_normal(tuple(out.shape)).astype(oracle.as_array(out).dtype) for out in outputs]


def _lone_nan_gradients(op: Any, sample: Any, grads: list[Any], upstream: np.ndarray) -> list[np.ndarray]:
    """For :data:`NAN_GRADIENT_BY_POSITION`: torch's gradient with each nan input's entry replaced by torch's
    gradient of that one element alone (upstream times its slope at a lone nan)."""
    x = sample.input.detach()
    lone = torch.full((1,), float("nan"), dtype=x.dtype, requires_grad=True)
    (slope,) = torch.autograd.grad(op(lone, *sample.args, **sample.kwargs).sum(), lone)
    reference = _numpy(grads[0]).copy()
    nan = np.isnan(x.numpy())
    reference[nan] = (upstream * slope.item())[nan]
    return [reference, *map(_numpy, grads[1:])]


def check_input(op: Any, kind: str, index: int, sample: Any = None) -> None:
    """Input ``index`` of kind ``kind`` of ``op`` run in torch and here, as :func:`opinfo_oracle.check_sample`
    runs a sample (or ``sample``, input ``index`` of any of them): outputs (structure, shape, dtype, values), then the gradients of every input requiring grad
    (the same upstream gradients in both). A float32 value that misses torch's by more than float32's tolerance
    passes if it is no further from torch's float64 result on the same inputs than torch's float32 one is."""
    sample = kept_inputs(op, kind)[index] if sample is None else sample
    name = oracle.op_id(op)
    our_fn = OUR_FUNCTIONS.get(name) or oracle.our_op(op)
    expected, their_grads, their_args = _torch_run(op, sample, index)
    our_args = oracle.tree_map(oracle.to_ours, their_args)
    got = our_fn(our_args[0], *our_args[1], **our_args[2])
    if name in oracle.META_ONLY:
        oracle.assert_same(got, expected, "output", values=False)
        return
    ours, theirs = [got], [expected]
    if their_grads:
        our_outputs = list(oracle.leaves(sample.output_process_fn_grad(got)))
        differentiable = oracle.differentiable_outputs(list(oracle.leaves(sample.output_process_fn_grad(expected))))
        our_inputs = [t for t in oracle.leaves(our_args) if isinstance(t, Tensor) and t.requires_grad]
        upstream = _upstream([our_outputs[i] for i in differentiable], index)
        our_grads = autograd.grad(
            [our_outputs[i] for i in differentiable], our_inputs, [Tensor(u) for u in upstream], allow_unused=True
        )
        our_grads = [np.zeros(t.shape, t.dtype) if g is None else g for g, t in zip(our_grads, our_inputs)]
        if name in NAN_GRADIENT_BY_POSITION:
            their_grads = _lone_nan_gradients(op, sample, their_grads, upstream[0])
        ours, theirs = ours + our_grads, theirs + list(their_grads)
    try:
        for position, (mine, reference) in enumerate(zip(ours, theirs)):
            what = "output" if position == 0 else f"gradient of input {position - 1}"
            oracle.assert_same(mine, _numpy(reference) if position else reference, what)
    except AssertionError:
        if kind != "float32":
            raise
        _assert_as_accurate(op, sample, index, ours, theirs)


def _assert_as_accurate(op: Any, sample: Any, index: int, ours: list[Any], theirs: list[Any]) -> None:
    """Each of ``ours`` (float32 outputs, then gradients) within float32's tolerance of torch's float64 result on
    the same inputs, or no further from it than torch's float32 result ``theirs``."""
    exact, exact_grads, _ = _torch_run(op, sample, index, dtype=torch.float64)
    rtol, atol = oracle.TOLERANCES[np.dtype(np.float32)]
    for position, (mine, reference, truth) in enumerate(zip(ours, theirs, [exact, *(exact_grads or [])])):
        mine, reference, truth = oracle.as_array(mine), _numpy(reference), _numpy(truth)
        assert mine.dtype == reference.dtype and mine.shape == reference.shape
        with np.errstate(invalid="ignore"):
            our_error, their_error = np.abs(mine - truth), np.abs(reference.astype(truth.dtype) - truth)
            close = (our_error <= atol + rtol * np.abs(truth)) | (our_error <= their_error) | (mine == reference)
        close |= np.isnan(mine) & np.isnan(reference)
        assert close.all(), f"{position}: {mine[~close]} torch float32 {reference[~close]} float64 {truth[~close]}"


@pytest.mark.parametrize(("op", "kind", "index"), params())
def test_opinfo_input_matches_torch(op: Any, kind: str, index: int) -> None:
    with oracle.torch_default_dtype():
        check_input(op, kind, index)
