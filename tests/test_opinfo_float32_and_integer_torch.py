"""torch's OpInfo samples (tests/opinfo_oracle.py) in float32, int64 and bool, of the OpInfos that are not
elementwise ufuncs or reductions (those, classes UnaryUfuncInfo, BinaryUfuncInfo and ReductionOpInfo, are
tests/test_opinfo_reference_inputs_torch.py's): the shape ops, indexing, the matmul-likes, ``nn.functional.*``,
``linalg.*`` and ``special.*``. The other OpInfo files run these in float64 only; here:

* ``sample_inputs`` in float32, where torch runs the op in float32 on the CPU: the outputs (structure, shape, torch's
  result dtype, values at float32's tolerances) and the gradients of every input requiring grad, from the same
  upstream gradient in both libraries. A float32 value (output or gradient) that misses torch's by more than
  float32's tolerance passes when it is within that tolerance of torch's float64 result on the same inputs, or no
  further from it than torch's float32 one: float32 sums in another order differ by more than the tolerance
  (:func:`_assert_as_accurate`, as tests/test_opinfo_reference_inputs_torch.py, and judged against the leaf's
  largest magnitude where large terms cancel);
* ``sample_inputs`` in int64 and in bool, where torch runs the op in that dtype: outputs and result dtypes (the
  indices of tied values, which torch leaves unspecified, are checked to pick torch's values: :data:`TIED_INDICES`).

The samples are drawn as the driver draws them (:func:`samples`, seeded), at most
:data:`MAX_SAMPLES_PER_OPINFO` of each OpInfo and dtype, evenly spread over its list, first and last included, so
that the file runs in under a minute on a busy machine (pytest's own cost per test is most of it): 8,239 of the
21,854 samples. With no limit, every one of them passes too.

Where the driver's plain call does not fit a sample, :data:`CHECKS` says how it is run, for the reasons the float64
files give (tests/test_opinfo_functions_torch.py, test_opinfo_nn_functional_torch.py and
test_opinfo_linalg_special_torch.py): the Tensor method where our module function of that name is numpy's, outputs
defined up to signs compared after ``output_process_fn_grad``, torch's side through the ``gradcheck_wrapper`` its own
tests differentiate through, random dropout masks, torch objects in the keyword arguments, the fractional max pools'
window samples (torch's draws given to ours). Where a sample takes the
factories' default dtype (a Python float or an integer made floating), ours runs with
``autograd.set_default_dtype(np.float32)``, torch's default (README: ours is float64, numpy's, unless set):
:data:`TORCHS_DEFAULT_DTYPE`. :data:`KNOWN_DIFFERENCES` lists the samples left out, each a README-documented
difference.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import opinfo_oracle as oracle
import pytest

import autograd
import nn
import nn.functional
from autograd import Tensor

torch = oracle.torch
opinfo_core = pytest.importorskip("torch.testing._internal.opinfo.core")

#: torch's own warnings while it runs its ops (deprecated triangular_solve, index_reduce in beta): not ours.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:torch.*")

DTYPES = {"float32": torch.float32, "int64": torch.int64, "bool": torch.bool}

#: The OpInfos of this file: every one this library has that is not an elementwise ufunc or a reduction.
OPS = [
    op
    for op in oracle.ops_we_have(lambda name: True)
    if not isinstance(op, (opinfo_core.UnaryUfuncInfo, opinfo_core.BinaryUfuncInfo, opinfo_core.ReductionOpInfo))
]

#: At most this many samples of one OpInfo in one dtype, evenly spread over its list.
MAX_SAMPLES_PER_OPINFO = 40


@functools.cache
def _drawn(name: str, dtype: Any) -> tuple[Any, ...]:
    op = oracle.OPS_BY_ID[name]
    return oracle.draw_inputs(op.sample_inputs_func, op, dtype, op.supports_autograd and dtype.is_floating_point)


def samples(op: Any, dtype: Any) -> tuple[Any, ...]:
    """torch's ``sample_inputs`` of ``op`` in ``dtype`` (requiring grad where the op supports autograd and the dtype
    is floating), drawn by :func:`opinfo_oracle.draw_inputs`."""
    return _drawn(oracle.op_id(op), dtype)


def _float64(x: Any) -> Any:
    """A float32 tensor argument as a float64 leaf of the same values and requires_grad (others as they are)."""
    if isinstance(x, torch.Tensor) and x.dtype == torch.float32:
        return x.detach().to(torch.float64).requires_grad_(x.requires_grad)
    return x


def _torch_side(
    their_fn: Callable[..., Any], sample: Any, index: int, processed: bool, cast: bool = False
) -> tuple[Any, Any, list[int], list[np.ndarray], list[Any]]:
    """torch's run of ``sample`` (its float32 tensors made float64 if ``cast``): the arguments, the outputs
    (after ``output_process_fn_grad`` if ``processed``), the positions of the differentiable outputs among the
    processed ones, the upstream gradients (seeded normal numbers rounded once to float32 or to the output's dtype,
    then cast to the output's) and the gradients of the inputs requiring grad (zeros where torch has None)."""
    arguments = oracle.tree_map(oracle.cloned, (sample.input, sample.args, sample.kwargs))
    if cast:
        arguments = oracle.tree_map(_float64, arguments)
    expected = their_fn(arguments[0], *arguments[1], **arguments[2])
    outputs = list(oracle.leaves(sample.output_process_fn_grad(expected)))
    shown = sample.output_process_fn_grad(expected) if processed else expected
    differentiable = oracle.differentiable_outputs(outputs)
    inputs = [t for t in oracle.leaves(arguments) if isinstance(t, torch.Tensor) and t.requires_grad]
    if not differentiable or not inputs:
        return arguments, shown, [], [], []
    rng = np.random.default_rng(index)
    upstream = []
    for i in differentiable:
        dtype = oracle.as_array(outputs[i]).dtype
        rounded = np.float32 if cast and dtype == np.float64 else dtype
        upstream.append(rng.standard_normal(tuple(outputs[i].shape)).astype(rounded).astype(dtype))
    grads = torch.autograd.grad(
        [outputs[i] for i in differentiable], inputs, [torch.from_numpy(u) for u in upstream], allow_unused=True
    )
    return (
        arguments,
        shown,
        differentiable,
        upstream,
        [torch.zeros_like(t) if g is None else g for g, t in zip(grads, inputs)],
    )


def check(
    op: Any,
    dtype: Any,
    index: int,
    our_fn: Callable[..., Any] | None = None,
    their_fn: Callable[..., Any] | None = None,
    *,
    values: bool = True,
    processed: bool = False,
    sample: Any = None,
) -> None:
    """Sample ``index`` of ``op`` in ``dtype`` (or ``sample``) run in torch (``their_fn``, default the OpInfo) and
    here (``our_fn``, default :func:`opinfo_oracle.our_op`): outputs (after ``output_process_fn_grad`` if
    ``processed``), then the gradients of every input requiring grad, as :func:`opinfo_oracle.check_sample` runs a
    float64 sample; a float32 mismatch is then judged by :func:`_assert_as_accurate`. ``values=False`` (and an op of
    :data:`opinfo_oracle.META_ONLY`) compares the outputs' structure, shapes and dtypes only."""
    sample = samples(op, dtype)[index] if sample is None else sample
    our_fn, their_fn = our_fn or oracle.our_op(op), their_fn or op
    their_args, expected, differentiable, upstream, their_grads = _torch_side(their_fn, sample, index, processed)
    our_args = oracle.tree_map(
        oracle.to_ours, oracle.tree_map(oracle.cloned, (sample.input, sample.args, sample.kwargs))
    )
    got = our_fn(our_args[0], *our_args[1], **our_args[2])
    if not values or oracle.op_id(op) in oracle.META_ONLY:
        oracle.assert_same(got, expected, "output", values=False)
        return
    ours, theirs = [sample.output_process_fn_grad(got) if processed else got], [expected]
    if their_grads:
        our_outputs = list(oracle.leaves(sample.output_process_fn_grad(got)))
        our_inputs = [t for t in oracle.leaves(our_args) if isinstance(t, Tensor) and t.requires_grad]
        assert len(our_inputs) == len(their_grads), f"{len(our_inputs)} inputs need grad, torch {len(their_grads)}"
        our_grads = autograd.grad(
            [our_outputs[i] for i in differentiable], our_inputs, [Tensor(u) for u in upstream], allow_unused=True
        )
        ours += [np.zeros(t.shape, t.dtype) if g is None else g for g, t in zip(our_grads, our_inputs)]
        theirs += [_numpy(g) for g in their_grads]
    try:
        for position, (mine, reference) in enumerate(zip(ours, theirs)):
            oracle.assert_same(mine, reference, "output" if position == 0 else f"gradient of input {position - 1}")
    except AssertionError:
        if dtype != torch.float32:
            raise
        _assert_as_accurate(their_fn, sample, index, processed, ours, theirs)


def _numpy(x: Any) -> Any:
    """A torch gradient as an ndarray (torch's zero-tensor gradients as zeros)."""
    if isinstance(x, torch.Tensor) and x._is_zerotensor():
        x = torch.zeros(x.shape, dtype=x.dtype)
    return oracle.as_array(x)


def _assert_as_accurate(
    their_fn: Callable[..., Any], sample: Any, index: int, processed: bool, ours: list[Any], theirs: list[Any]
) -> None:
    """Each entry of each float32 leaf of ``ours`` (outputs, then gradients) equal to torch's float32 one (``theirs``),
    or within float32's tolerance of torch's float64 result on the same inputs (the truth), or no further from it than
    torch's float32 entry, as tests/test_opinfo_reference_inputs_torch.py judges; or, as the rounding of a float32
    sum scales with its terms rather than with the result (an entry near 0 from large terms cancelling), within
    float32's tolerance of the leaf's largest true magnitude or twice torch's largest float32 error on the leaf.
    Other leaves are torch's exactly; structure, shapes and dtypes torch's."""
    _, exact, _, _, exact_grads = _torch_side(their_fn, sample, index, processed, cast=True)
    rtol, atol = oracle.TOLERANCES[np.dtype(np.float32)]
    our_leaves = list(oracle.leaves(ours))
    their_leaves = list(oracle.leaves(theirs))
    true_leaves = list(oracle.leaves([exact, *exact_grads]))
    assert len(our_leaves) == len(their_leaves) == len(true_leaves), "structure"
    for position, (mine, reference, truth) in enumerate(zip(our_leaves, their_leaves, true_leaves)):
        mine, reference, truth = oracle.as_array(mine), _numpy(reference), _numpy(truth)
        assert mine.shape == reference.shape, f"{position}: shape {mine.shape}, torch {reference.shape}"
        if isinstance(their_leaves[position], torch.Tensor):
            assert mine.dtype == reference.dtype, f"{position}: dtype {mine.dtype}, torch {reference.dtype}"
        if reference.dtype != np.float32:
            oracle.assert_same(mine, their_leaves[position], f"{position}")
            continue
        with np.errstate(invalid="ignore"):
            truth = truth.astype(np.float64)
            our_error, their_error = np.abs(mine - truth), np.abs(reference.astype(np.float64) - truth)
            close = (our_error <= atol + rtol * np.abs(truth)) | (our_error <= their_error) | (mine == reference)
            finite = np.isfinite(truth) & np.isfinite(reference)
            if finite.any():
                scale = atol + rtol * np.abs(truth[finite]).max()
                close |= finite & (our_error <= max(scale, 2 * their_error[finite].max()))
        close |= np.isnan(mine) & np.isnan(reference)
        assert close.all(), f"{position}: {mine[~close]} torch float32 {reference[~close]} float64 {truth[~close]}"


def _tensor_method(name: str) -> Callable[..., Any]:
    return lambda input, *args, **kwargs: getattr(input, name)(*args, **kwargs)


def _tile(input: Any, *repeats: Any) -> Any:
    """torch's ``x.repeat(...)`` in this library's spelling (README: ``x.repeat`` stays numpy's; torch's is tile)."""
    repeats = repeats[0] if len(repeats) == 1 and isinstance(repeats[0], (list, tuple)) else repeats
    return autograd.tile(input, tuple(repeats))


def _ctc_through_log_softmax(log_probs: Any, *args: Any, **kwargs: Any) -> Any:
    return nn.functional.ctc_loss(nn.functional.log_softmax(log_probs, dim=2), *args, **kwargs)


#: The OpInfos whose samples may draw dropout masks, and where their ``dropout_p`` sits (a keyword, or the index
#: of the positional argument after the input).
DROPOUT_OPS = {
    "nn.functional.scaled_dot_product_attention": "dropout_p",
    "nn.functional.multi_head_attention_forward": 9,
}


def _check_dropout(op: Any, dtype: Any, index: int) -> None:
    """A sample with ``dropout_p > 0`` draws random masks: its structure, shapes and dtypes as drawn, then the same
    sample with ``dropout_p = 0`` in full (values and gradients)."""
    sample = samples(op, dtype)[index]
    where = DROPOUT_OPS[oracle.op_id(op)]
    args, kwargs = list(sample.args), dict(sample.kwargs)
    if isinstance(where, str):
        p, kwargs[where] = kwargs.get(where, 0.0), 0.0
    elif len(args) > where:
        p, args[where] = args[where], 0.0
    else:
        p = 0.0
    if p > 0:
        check(op, dtype, index, values=False)
    check(
        op,
        dtype,
        index,
        sample=opinfo_core.SampleInput(
            sample.input, args=tuple(args), kwargs=kwargs, output_process_fn_grad=sample.output_process_fn_grad
        ),
    )


def _check_partial_view(op: Any, dtype: Any, index: int) -> None:
    """The sample's input as the leaf view base[5:15] it is in torch's test (the driver's fresh copies lose the
    base), on both sides: values, and gradients of the view."""
    sample = samples(op, dtype)[index]
    base = sample.input._base.detach().numpy().copy()
    start = sample.input.storage_offset()
    stop = start + sample.input.numel()
    theirs, ours = torch.tensor(base)[start:stop], Tensor(base.copy())[start:stop]
    differentiable = dtype.is_floating_point
    theirs.requires_grad_(differentiable)
    ours.requires_grad_(differentiable)
    expected, got = op(theirs, *sample.args, **sample.kwargs), autograd.as_strided(ours, *sample.args, **sample.kwargs)
    oracle.assert_same(got, expected, "output")
    if differentiable:
        upstream = np.random.default_rng(index).standard_normal(tuple(expected.shape)).astype(np.float32)
        their_grad = torch.autograd.grad(expected, theirs, torch.from_numpy(upstream))[0]
        our_grad = autograd.grad(got, ours, Tensor(upstream))[0]
        oracle.assert_same(np.asarray(our_grad), their_grad, "gradient of input 0")


#: OpInfos (``opid``, or ``opid-kind`` for one dtype) whose samples take the default floating dtype, ours run with
#: torch's: the factories' samples without a dtype, and the ops that make integer or boolean input floating.
TORCHS_DEFAULT_DTYPE: set[str] = {
    "gradient-int64",  # the estimate of integer samples is in the default floating dtype
    "linspace",
    "linspace.tensor_overload",
    "logspace",
    "logspace.tensor_overload",
    *(
        f"{name}-int64"
        for name in (
            "cov",
            "corrcoef",
            "logsumexp",
            "trapz",
            "trapezoid",
            "cumulative_trapezoid",
            "nn.functional.poisson_nll_loss",
            "nn.functional.margin_ranking_loss",
            "nn.functional.local_response_norm",
            "nn.functional.triplet_margin_loss",
            "nn.functional.triplet_margin_with_distance_loss",
            "nn.functional.pairwise_distance",
            "nn.functional.cosine_embedding_loss",
        )
    ),
    "logsumexp-bool",
    "nn.functional.cosine_embedding_loss-bool",
}

#: OpInfos whose integer indices of tied values torch leaves unspecified (sort's and argsort's order of equal
#: elements without ``stable=True``, topk's, kthvalue's and mode's index of a value found more than once): their
#: int64 and bool samples check the values and that our indices pick them (:func:`_check_tied_indices`).
TIED_INDICES = {"sort": 0, "argsort": 0, "topk": 1, "kthvalue": 1, "mode": 0}


def _check_tied_indices(op: Any, dtype: Any, index: int) -> None:
    """Sample ``index``'s outputs: structure, shapes and dtypes torch's; the values torch's; our indices (the last
    output) each pick from the input the value torch's pick (and for sort and argsort, a permutation of each
    line)."""
    name = oracle.op_id(op)
    if dtype.is_floating_point:
        return CHECKS.get(name, check)(op, dtype, index)
    sample = samples(op, dtype)[index]
    our_fn = _tensor_method(name) if name == "sort" else oracle.our_op(op)
    their_args = oracle.tree_map(oracle.cloned, (sample.input, sample.args, sample.kwargs))
    our_args = oracle.tree_map(oracle.to_ours, their_args)
    expected, got = op(their_args[0], *their_args[1], **their_args[2]), our_fn(our_args[0], *our_args[1], **our_args[2])
    oracle.assert_same(got, expected, "output", values=False)
    their_leaves, our_leaves = list(oracle.leaves(expected)), list(oracle.leaves(got))
    if len(their_leaves) > 1:
        oracle.assert_same(our_leaves[0], their_leaves[0], "values")
    x = oracle.as_array(sample.input)
    if x.ndim == 0:
        return oracle.assert_same(got, expected, "output")
    position = TIED_INDICES[name]
    dim = sample.kwargs.get("dim", sample.args[position] if len(sample.args) > position else -1)
    axis = dim % x.ndim

    def picked(indices: np.ndarray) -> np.ndarray:
        indices = indices if indices.ndim == x.ndim else np.expand_dims(indices, axis)
        return np.take_along_axis(x, indices, axis)

    ours, theirs = oracle.as_array(our_leaves[-1]), oracle.as_array(their_leaves[-1])
    np.testing.assert_array_equal(picked(ours), picked(theirs), err_msg="the values our indices pick")
    if name in ("sort", "argsort"):
        lines = np.broadcast_to(
            np.arange(x.shape[axis]).reshape([-1 if a == axis else 1 for a in range(x.ndim)]), x.shape
        )
        np.testing.assert_array_equal(np.sort(ours, axis=axis), lines, err_msg="a permutation of each line")


#: How the samples of an OpInfo are run when not as they are (see the module docstring).
CHECKS: dict[str, Callable[[Any, Any, int], None]] = {
    "split": lambda op, dtype, i: check(op, dtype, i, _tensor_method("split")),
    "split.list_args": lambda op, dtype, i: check(op, dtype, i, _tensor_method("split")),
    "sort": lambda op, dtype, i: check(op, dtype, i, _tensor_method("sort")),
    "repeat": lambda op, dtype, i: check(op, dtype, i, _tile),
    **{name: lambda op, dtype, i: check(op, dtype, i, processed=True) for name in ("svd", "linalg.svd", "linalg.eigh")},
    "cholesky_inverse": lambda op, dtype, i: check(
        op, dtype, i, their_fn=oracle.ThroughGradcheckWrapper(op, oracle.triangular_input)
    ),
    "cholesky_solve": lambda op, dtype, i: check(op, dtype, i, their_fn=oracle.ThroughGradcheckWrapper(op)),
    "as_strided.partial_views": _check_partial_view,
    "nn.functional.linear_cross_entropy.chunked": lambda op, dtype, i: check(op, dtype, i, oracle.linear_cross_entropy),
    "nn.functional.linear_cross_entropy.chunked_none": lambda op, dtype, i: check(
        op, dtype, i, oracle.linear_cross_entropy
    ),
    "nn.functional.triplet_margin_with_distance_loss": lambda op, dtype, i: check(
        op, dtype, i, oracle.triplet_with_distance
    ),
    "nn.functional.ctc_loss": lambda op, dtype, i: check(
        op, dtype, i, _ctc_through_log_softmax, oracle.ThroughGradcheckWrapper(op)
    ),
    **{name: _check_dropout for name in DROPOUT_OPS},
    "nn.functional.fractional_max_pool2d": lambda op, dtype, i: check(op, dtype, i, oracle.with_torchs_samples(2)),
    "nn.functional.fractional_max_pool3d": lambda op, dtype, i: check(op, dtype, i, oracle.with_torchs_samples(3)),
}

#: The samples of squeeze that name an axis whose length is not 1 (the same in every dtype).
SQUEEZED_AXES_NOT_OF_LENGTH_1 = [("squeeze", 5), ("squeeze", 6), ("squeeze.multiple", 4), ("squeeze.multiple", 5)]

_SQUEEZE = (
    "README: a positional dim, x.squeeze(2), raises for an axis whose length is not 1 (numpy's squeeze); torch's "
    "keyword, x.squeeze(dim=2), leaves it alone as torch's (tests/test_opinfo_functions_torch.py runs them so)"
)

#: Samples (``opid-dtype-index``), an OpInfo in one dtype (``opid-dtype``) or whole OpInfos (``opid``) left out:
#: README-documented differences.
KNOWN_DIFFERENCES: dict[str, str] = {
    **{f"{name}-{kind}-{index}": _SQUEEZE for name, index in SQUEEZED_AXES_NOT_OF_LENGTH_1 for kind in DTYPES},
    **{
        f"histogramdd-float32-{index}": "autograd/histogramdd.py: bin edges that do not increase are refused "
        "(torch's docstring asks for increasing edges but does not check them)"
        for index in (5, 7, 15, 17, 19, 27, 29, 37, 39, 41, 49, 51, 61, 63, 71, 73, 83, 85, 93, 95)
    },
}


def run(op: Any, kind: str, index: int) -> None:
    """Sample ``index`` of ``op`` in the dtype ``kind`` names, as :data:`CHECKS` (or :func:`check`) runs it."""
    name, dtype = oracle.op_id(op), DTYPES[kind]
    how = _check_tied_indices if name in TIED_INDICES else CHECKS.get(name, check)
    with oracle.torch_default_dtype() if {name, f"{name}-{kind}"} & TORCHS_DEFAULT_DTYPE else contextlib.nullcontext():
        how(op, dtype, index)


def _spread(count: int) -> list[int]:
    if count <= MAX_SAMPLES_PER_OPINFO:
        return list(range(count))
    return sorted(set(np.linspace(0, count - 1, MAX_SAMPLES_PER_OPINFO).round().astype(int).tolist()))


def _known(name: str, kind: str, index: int) -> bool:
    return bool({name, f"{name}-{kind}", f"{name}-{kind}-{index}"} & KNOWN_DIFFERENCES.keys())


def all_params() -> list[Any]:
    """``pytest.param(op, kind, index)`` of every sample kept (see :func:`_spread`), ids ``opid-kind-index``."""
    found = []
    for op in OPS:
        for kind, dtype in DTYPES.items():
            if dtype not in op.supported_dtypes("cpu"):
                continue
            for index in _spread(len(samples(op, dtype))):
                found.append(pytest.param(op, kind, index, id=f"{oracle.op_id(op)}-{kind}-{index}"))
    return found


def _id_parts(param: Any) -> tuple[str, str, int]:
    name, kind, index = param.id.rsplit("-", 2)
    return name, kind, int(index)


ALL_PARAMS = all_params()
PARAMS = [param for param in ALL_PARAMS if not _known(*_id_parts(param))]


def test_the_group_is_every_opinfo_but_the_ufuncs_and_reductions_and_every_sample_is_run_or_listed():
    assert len(OPS) > 300
    assert not any(isinstance(op, (opinfo_core.UnaryUfuncInfo, opinfo_core.BinaryUfuncInfo)) for op in OPS)
    ids = {oracle.op_id(op) for op in OPS}
    assert set(CHECKS) | set(TIED_INDICES) <= ids
    assert {key.split("-")[0] for key in TORCHS_DEFAULT_DTYPE} <= ids
    for key in KNOWN_DIFFERENCES:  # each entry leaves out a sample the file would otherwise run
        assert any(param.id == key or param.id.startswith(f"{key}-") for param in ALL_PARAMS), key
    assert len(PARAMS) < len(ALL_PARAMS)


@pytest.mark.parametrize(("op", "kind", "index"), PARAMS)
def test_opinfo_sample_matches_torch(op: Any, kind: str, index: int) -> None:
    run(op, kind, index)
