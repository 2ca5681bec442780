"""torch's OpInfo samples (tests/opinfo_oracle.py) of the torch functions, Tensor methods and dunder operators: every
OpInfo whose name has no dotted prefix (not ``nn.functional.*``, ``linalg.*``, ``special.*``, ``fft.*``, ...) that
this library has, each sample's outputs and gradients compared with torch's.

Every sample (at most :data:`MAX_SAMPLES_PER_OPINFO` of one OpInfo, evenly spread) runs through
:func:`opinfo_oracle.check_sample`, most of them as they are; :data:`CHECKS` says how the others are run, each for a
reason of the driver's, not of the library's:

* ``split``, ``split.list_args`` and ``sort``: the OpInfo of a torch method is the Tensor method; our module function
  ``split`` is numpy's when called positionally (README: "numpy's is ``autograd.split``"), so the samples call
  ``x.split(...)`` and ``x.sort(...)`` (``autograd.sort`` is torch's, checked in tests/test_sorting.py);
* ``svd``: U and V are defined up to a sign per singular vector; compared after the sample's
  ``output_process_fn_grad``, as torch's own test does;
* ``cholesky_inverse`` and ``cholesky_solve``: torch's test differentiates them through the OpInfo's
  ``gradcheck_wrapper``, which keeps the triangle the factorisation reads (torch's raw gradient is non-zero in the
  other triangle, which its forward never reads); torch's side runs through that wrapper, ours as it is;
* ``linspace`` and ``logspace``: a sample without ``dtype`` takes the factories' default dtype, torch's float32 and
  ours float64 (README: "float64 (numpy's) unless ``autograd.set_default_dtype(np.float32)``"): ours runs with
  float32 set, as torch's default is;
* ``as_strided.partial_views``: its samples are leaf views ``base[5:15]`` of a 20-element base, read at storage
  offsets outside the view; the driver's fresh copies lose the base, so :func:`_check_partial_view` rebuilds the
  view on both sides.

:data:`KNOWN_DIFFERENCES` lists the samples left out of the main test, each a difference the README documents; each
has a test of its own below showing the documented spelling or refusal.
"""

from __future__ import annotations

import numpy as np
import opinfo_oracle as oracle
import pytest

import autograd
from autograd import Tensor

torch = oracle.torch

#: torch's own warnings while it runs its ops (deprecated triangular_solve, index_reduce in beta): not ours.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:torch.*")

OPS = oracle.ops_we_have(lambda name: "." not in name)

_UNSUPPORTED_DTYPE = "README: a Tensor holds real numbers or booleans (no complex dtypes; numpy has no bfloat16)"
_SQUEEZE = (
    "README: a positional dim, x.squeeze(2), raises for an axis whose length is not 1 (numpy's squeeze); torch's "
    "keyword, x.squeeze(dim=2), leaves it alone as torch's"
)

_UNSORTED_EDGES = (
    "autograd/histogramdd.py: bin edges that do not increase are refused (torch's docstring asks for increasing "
    "edges but does not check them, and counts with them as given)"
)

#: Samples (``opid-index``) or whole OpInfos (``opid``) left out of the main test: README-documented differences.
KNOWN_DIFFERENCES = {
    "repeat": "README: x.repeat stays numpy's (torch's repeat is autograd.tile)",
    "squeeze-5": _SQUEEZE,
    "squeeze-6": _SQUEEZE,
    "squeeze.multiple-4": _SQUEEZE,
    "squeeze.multiple-5": _SQUEEZE,
    "bfloat16": _UNSUPPORTED_DTYPE,
    "cfloat": _UNSUPPORTED_DTYPE,
    "cdouble": _UNSUPPORTED_DTYPE,
    "chalf": _UNSUPPORTED_DTYPE,
    **{f"histogramdd-{i}": _UNSORTED_EDGES for i in range(1, 96, 2)},
}


def _known(param: object) -> bool:
    return param.id in KNOWN_DIFFERENCES or param.id.rsplit("-", 1)[0] in KNOWN_DIFFERENCES


#: At most this many samples of one OpInfo, evenly spread over its list, first and last included (9 OpInfos have
#: more: logspace.tensor_overload 1201, unique 528, logspace 401, searchsorted 288, unique_consecutive 264, cdist 256,
#: svd 216, histogram 192, linspace.tensor_overload 182), so that the file runs in under a minute on a busy machine
#: (with no limit, all 6,895 samples pass too).
MAX_SAMPLES_PER_OPINFO = 100


def _evenly_spread(params: list) -> list:
    by_op: dict[str, list] = {}
    for param in params:
        by_op.setdefault(param.id.rsplit("-", 1)[0], []).append(param)
    kept = []
    for group in by_op.values():
        if len(group) > MAX_SAMPLES_PER_OPINFO:
            group = [
                group[i] for i in np.unique(np.linspace(0, len(group) - 1, MAX_SAMPLES_PER_OPINFO).round().astype(int))
            ]
        kept.extend(group)
    return kept


ALL_PARAMS = _evenly_spread(oracle.sample_params(OPS))
PARAMS = [param for param in ALL_PARAMS if not _known(param)]
KNOWN_PARAMS = [param for param in ALL_PARAMS if _known(param)]


def _tensor_method(name: str):
    return lambda input, *args, **kwargs: getattr(input, name)(*args, **kwargs)


def _check_partial_view(op, index):
    """The sample's input as the leaf view base[5:15] it is in torch's test, on both sides: values, and gradients
    of the view (an entry read from outside it gets none)."""
    sample = oracle.samples(op, oracle.test_dtype(op))[index]
    base = sample.input._base.detach().numpy().copy()
    start = sample.input.storage_offset()
    stop = start + sample.input.numel()
    theirs, ours = torch.tensor(base)[start:stop], Tensor(base.copy())[start:stop]
    theirs.requires_grad_()
    ours.requires_grad_()
    expected, got = op(theirs, *sample.args, **sample.kwargs), autograd.as_strided(ours, *sample.args, **sample.kwargs)
    oracle.assert_same(got, expected, "output")
    upstream = np.random.default_rng(index).standard_normal(tuple(expected.shape))
    their_grad = torch.autograd.grad(expected, theirs, torch.tensor(upstream))[0]
    our_grad = autograd.grad(got, ours, Tensor(upstream))[0]
    oracle.assert_same(np.asarray(our_grad), their_grad, "gradient of input 0")


def _check(op, index, **options):
    oracle.check_sample(op, index, **options)


#: How the samples of an OpInfo are run when not as they are (see the module docstring).
CHECKS = {
    "split": lambda op, i: _check(op, i, our_fn=_tensor_method("split")),
    "split.list_args": lambda op, i: _check(op, i, our_fn=_tensor_method("split")),
    "sort": lambda op, i: _check(op, i, our_fn=_tensor_method("sort")),
    "svd": lambda op, i: _check(op, i, processed=True),
    "cholesky_inverse": lambda op, i: _check(oracle.ThroughGradcheckWrapper(op, oracle.triangular_input), i),
    "cholesky_solve": lambda op, i: _check(oracle.ThroughGradcheckWrapper(op), i),
    **{
        name: lambda op, i: _check(op, i, our_fn=oracle.with_torchs_default_dtype(oracle.our_op(op)))
        for name in ("linspace", "linspace.tensor_overload", "logspace", "logspace.tensor_overload")
    },
    "as_strided.partial_views": _check_partial_view,
}


def test_the_group_is_the_undotted_opinfos_and_every_sample_is_run_or_listed():
    assert len(OPS) > 350 and all("." not in op.name for op in OPS)
    assert set(CHECKS) <= {oracle.op_id(op) for op in OPS}
    assert len(PARAMS) + len(KNOWN_PARAMS) == len(ALL_PARAMS)
    listed = {key.rsplit("-", 1)[0] if key[-1].isdigit() else key for key in KNOWN_DIFFERENCES}
    assert listed <= {oracle.op_id(op) for op in OPS}
    assert all(any(_known(p) and p.id.startswith(key) for p in KNOWN_PARAMS) for key in KNOWN_DIFFERENCES)


@pytest.mark.parametrize(("op", "index"), PARAMS)
def test_opinfo_sample_matches_torch(op, index):
    CHECKS.get(oracle.op_id(op), _check)(op, index)


# -- the README-documented differences: each through the spelling the README gives, or refused as it says ----------
def _known_of(name):
    return [p for p in KNOWN_PARAMS if p.id.rsplit("-", 1)[0] == name]


def _tile(input, *repeats):
    repeats = repeats[0] if len(repeats) == 1 and isinstance(repeats[0], (list, tuple)) else repeats
    return autograd.tile(input, tuple(repeats))


@pytest.mark.parametrize(("op", "index"), _known_of("repeat"))
def test_torchs_repeat_samples_match_through_tile(op, index):
    oracle.check_sample(op, index, _tile)


@pytest.mark.parametrize(("op", "index"), _known_of("squeeze") + _known_of("squeeze.multiple"))
def test_squeeze_samples_of_axes_not_of_length_1_match_through_torchs_dim_keyword(op, index):
    oracle.check_sample(op, index, lambda input, dim: input.squeeze(dim=dim))
    sample = oracle.samples(op, oracle.test_dtype(op))[index]
    with pytest.raises(ValueError, match="squeeze: cannot select an axis of length != 1"):  # the positional spelling
        oracle.our_op(op)(oracle.to_ours(sample.input), *sample.args)


@pytest.mark.parametrize(
    ("op", "index"), _known_of("bfloat16") + _known_of("cfloat") + _known_of("cdouble") + _known_of("chalf")
)
def test_conversions_to_dtypes_a_tensor_cannot_hold_are_type_errors(op, index):
    sample = oracle.samples(op, oracle.test_dtype(op))[index]
    assert sample.input.dtype == torch.float64  # torch converts it
    with pytest.raises(TypeError, match=f"{op.name}: not supported: .*(bfloat16|complex)"):
        oracle.our_op(op)(oracle.to_ours(sample.input), *sample.args, **oracle.to_ours(sample.kwargs))


@pytest.mark.parametrize(("op", "index"), _known_of("histogramdd"))
def test_histogramdd_samples_with_edges_that_do_not_increase_are_refused(op, index):
    sample = oracle.samples(op, oracle.test_dtype(op))[index]
    with pytest.raises(autograd.ArgumentRangeError, match="must increase"):
        oracle.our_op(op)(oracle.to_ours(sample.input), *sample.args, **oracle.to_ours(sample.kwargs))
