"""torch's OpInfo database (torch/testing/_internal/common_methods_invocations.py) as an oracle: every op both
libraries have, run on the sample inputs torch's own test_ops.py runs it on, values and gradients compared.

For an OpInfo and a dtype, :func:`samples` draws torch's ``sample_inputs`` (seeded, so a test id names the same
sample on every run); :func:`check_sample` converts a sample to this library's Tensors (same values, dtype and
``requires_grad``), calls our op and torch's, and compares:

* the outputs: the same structure (a tuple of the same length), and for each leaf the shape, the dtype and the values
  (nan where torch has nan, same infinities; torch's tolerances for the dtype);
* the gradients: of every input that requires grad, from the sum of each differentiable output times a fixed random
  upstream gradient (after the sample's ``output_process_fn_grad``, as torch's test_fn_grad), where torch's ``None``
  (an unused input) may be our zeros.

Our op for an OpInfo (:func:`our_op`): when its ``op`` is torch's function of its name, ours of that name
(``nn.functional.X`` is ``nn.functional.X``, ``linalg.X`` and ``special.X`` are ``autograd.linalg.X`` and
``autograd.special.X``, any other ``autograd.X`` or, failing that, the Tensor method); when it is a lambda calling
the Tensor method, our Tensor method; when the lambda reorders its arguments, the adapter of :data:`ADAPTERS`.
Where the library differs from torch on purpose (README), the test files say which samples they leave out and why.

Importing this module skips the importing test module when torch (or torch's ``expecttest``, which its testing
internals import) is not installed.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from default_dtypes import torch_default_dtype

import autograd
import nn
import nn.functional
from autograd import Tensor

torch = pytest.importorskip("torch")
pytest.importorskip("expecttest")
common_methods_invocations = pytest.importorskip("torch.testing._internal.common_methods_invocations")
common_utils = pytest.importorskip("torch.testing._internal.common_utils")

OP_DB = common_methods_invocations.op_db

#: torch's dtypes as numpy's.
NUMPY_DTYPES = {
    torch.float64: np.dtype(np.float64),
    torch.float32: np.dtype(np.float32),
    torch.float16: np.dtype(np.float16),
    torch.int64: np.dtype(np.int64),
    torch.int32: np.dtype(np.int32),
    torch.int16: np.dtype(np.int16),
    torch.int8: np.dtype(np.int8),
    torch.uint8: np.dtype(np.uint8),
    torch.bool: np.dtype(np.bool_),
}

#: torch.testing.assert_close's default tolerances (rtol, atol) by dtype.
TOLERANCES = {
    np.dtype(np.float64): (1e-7, 1e-7),
    np.dtype(np.float32): (1.3e-6, 1e-5),
    np.dtype(np.float16): (1e-3, 1e-5),
}


def op_id(op: Any) -> str:
    """The name a test id gives an OpInfo: its name, and its variant's after a dot when it has one."""
    return f"{op.name}.{op.variant_test_name}" if op.variant_test_name else op.name


OPS_BY_ID = {op_id(op): op for op in OP_DB}


def _function(name: str) -> Callable[..., Any] | None:
    """This library's function of torch's name ``name`` (see the module docstring), or None."""
    parts = name.split(".")
    if parts[:2] == ["nn", "functional"]:
        found, parts = nn.functional, parts[2:]
    elif parts[0] in ("linalg", "special"):
        found, parts = getattr(autograd, parts[0], None), parts[1:]
    else:
        found = autograd
    for part in parts:
        found = getattr(found, part, None)
    if callable(found):
        return found
    return _method(name) if len(parts) == 1 and found is None and "." not in name else None


def _method(name: str) -> Callable[..., Any] | None:
    """A call of the Tensor method ``name`` on the first argument, or None when Tensor has no such method."""
    if not callable(getattr(Tensor, name, None)):
        return None
    return lambda input, *args, **kwargs: getattr(input, name)(*args, **kwargs)


def _torch_function(name: str) -> Any:
    found: Any = torch
    for part in name.split("."):
        found = getattr(found, part, None)
    return found


#: Our side of the OpInfos whose ``op`` is a lambda that reorders or post-processes the arguments (their samples
#: are in that lambda's order), as the lambda is written in common_methods_invocations.py.
ADAPTERS: dict[str, Callable[..., Any]] = {
    "einsum": lambda tensors, equation: autograd.einsum(equation, *tensors),
    **{f"polygamma.polygamma_n_{n}": lambda x, n, **kwargs: autograd.polygamma(n, x, **kwargs) for n in range(5)},
    "special.polygamma.special_polygamma_n_0": lambda x, n, **kwargs: autograd.special.polygamma(n, x, **kwargs),
    "where": lambda self, condition, other, **kwargs: autograd.where(condition, self, other, **kwargs),
    "nn.functional.embedding": lambda weight, idx, **kwargs: nn.functional.embedding(idx, weight, **kwargs),
    "nn.functional.embedding_bag": lambda weight, idx, **kwargs: nn.functional.embedding_bag(idx, weight, **kwargs),
    "linalg.lstsq.grad_oriented": lambda a, b, driver: autograd.linalg.lstsq(a, b, driver=driver)[:2],
    "linalg.pinv.singular": lambda a, b: autograd.linalg.pinv(a @ b.mT),
    "resize_": lambda x, shape: x.clone().resize_(shape),
    "resize_as_": lambda x, other: x.clone().resize_as_(other),
    "zero_": lambda x: x.clone().zero_(),
    "normal.in_place": lambda x, *args, **kwargs: x.normal_(*args, **kwargs),
    "normal.number_mean": lambda std, mean, *args, **kwargs: autograd.normal(mean, std, *args, **kwargs),
}

#: OpInfos whose values are random draws or uninitialised memory: only their outputs' structure, shapes and dtypes
#: are compared (torch's generator and ours differ), and no gradients.
META_ONLY = {
    "normal.in_place",
    "normal",
    "normal.number_mean",
    "randn",
    "randn_like",
    "rand_like",
    "randint",
    "randint_like",
    "multinomial",
    "bernoulli",
    "empty",
    "empty_like",
    "new_empty",
    "empty_strided",
    "new_empty_strided",
    "empty_permuted",
    "nn.functional.dropout",
    "nn.functional.dropout2d",
    "nn.functional.dropout3d",
    "nn.functional.alpha_dropout",
    "nn.functional.feature_alpha_dropout.with_train",
    "nn.functional.rrelu",
}


def _seeds_and_calls(op: Any) -> bool:
    """Whether the OpInfo's ``op`` is a lambda that only seeds torch's generator (``wrapper_set_seed``) and calls the
    op of its name."""
    code = getattr(op.op, "__code__", None)
    return code is not None and "wrapper_set_seed" in code.co_names


def our_op(op: Any) -> Callable[..., Any] | None:
    """This library's op for the OpInfo ``op``: its adapter, else our function of its name when its ``op`` is
    torch's function of that name, else the Tensor method (a lambda calling the method, or the method itself);
    None when the library has none."""
    name = op_id(op)
    if name in ADAPTERS:
        return ADAPTERS[name]
    if op.op is _torch_function(op.name) or _seeds_and_calls(op):
        return _function(op.name)
    if op.method_variant is not None or op.name.startswith("__"):
        return _method(op.name)
    return None


def ops_we_have(names: Callable[[str], bool]) -> list[Any]:
    """The OpInfos whose name ``names`` accepts and that this library has (in op_db's order)."""
    return [op for op in OP_DB if names(op.name) and our_op(op) is not None]


def test_dtype(op: Any) -> torch.dtype | None:
    """The dtype an op's samples are drawn in: float64 when torch runs it there, else its first integer or bool dtype."""
    supported = op.supported_dtypes("cpu")
    for dtype in (torch.float64, torch.int64, torch.bool):
        if dtype in supported:
            return dtype
    return None


def samples(op: Any, dtype: torch.dtype) -> tuple[Any, ...]:
    """torch's sample inputs of ``op`` in ``dtype`` (requiring grad where the op supports autograd), seeded
    (:func:`draw_inputs`)."""
    return _samples(op_id(op), dtype)


@functools.cache
def _samples(name: str, dtype: torch.dtype) -> tuple[Any, ...]:  # (an OpInfo is not hashable: cached by its id)
    op = OPS_BY_ID[name]
    return draw_inputs(op.sample_inputs_func, op, dtype, op.supports_autograd and dtype.is_floating_point)


def draw_inputs(function: Callable[..., Any], op: Any, dtype: torch.dtype, requires_grad: bool) -> tuple[Any, ...]:
    """The inputs ``function`` (an OpInfo's ``sample_inputs_func`` or ``reference_inputs_func``) makes for ``op``, as
    ``op.sample_inputs``/``reference_inputs`` make them outside a torch test: torch's generators reseeded with its
    ``SEED`` before each input, as their TrackedInputIter does, without its search of the Python stack for a test
    function before each (``inspect.stack``, most of the time these files took to start under pytest)."""
    return drawn_seeded(function(op, "cpu", dtype, requires_grad))


def drawn_seeded(inputs: Any) -> tuple[Any, ...]:
    """The items of the iterable ``inputs``, torch's generators reseeded with its ``SEED`` before each, as a
    TrackedInputIter reseeds them (:func:`seed_cpu_generators`)."""
    inputs = iter(inputs)
    drawn = []
    while True:
        seed_cpu_generators(common_utils.SEED)
        try:
            drawn.append(next(inputs))
        except StopIteration:
            return tuple(drawn)


def seed_cpu_generators(seed: int) -> None:
    """torch's ``set_rng_seed`` for a CPU-only process: torch's default generator, ``random``'s and numpy's
    global one. (``torch.manual_seed`` also queues a seed for every accelerator module not yet initialised, each
    with a formatted stack: tens of thousands of inputs drawn at collection took minutes that way.)"""
    torch.default_generator.manual_seed(seed)
    random.seed(seed)
    np.random.seed(seed)


def draw_error_inputs(op: Any) -> tuple[Any, ...]:
    """``op.error_inputs("cpu")`` drawn as :func:`draw_inputs` draws samples: seeded before each, without the
    search of the Python stack for a test function that torch's error_inputs makes for every input."""
    return drawn_seeded(op.error_inputs_func(op, "cpu"))


def sample_params(ops: list[Any]) -> list[Any]:
    """``pytest.param(op, index)`` for every sample of every op, with ids ``name.variant-index``."""
    params = []
    for op in ops:
        dtype = test_dtype(op)
        if dtype is None:
            continue
        for index in range(len(samples(op, dtype))):
            params.append(pytest.param(op, index, id=f"{op_id(op)}-{index}"))
    return params


def tree_map(fn: Callable[[Any], Any], obj: Any) -> Any:
    """``obj`` with ``fn`` applied to each leaf of its lists, tuples (named ones become plain) and dicts."""
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return tuple(tree_map(fn, item) for item in obj)
    if isinstance(obj, (list, tuple)):
        return type(obj)(tree_map(fn, item) for item in obj)
    if isinstance(obj, dict):
        return {key: tree_map(fn, value) for key, value in obj.items()}
    return fn(obj)


def leaves(obj: Any) -> Iterator[Any]:
    """The leaves of a nested structure of lists, tuples and dicts, in order."""
    if isinstance(obj, (list, tuple)):
        for item in obj:
            yield from leaves(item)
    elif isinstance(obj, dict):
        for value in obj.values():
            yield from leaves(value)
    else:
        yield obj


def to_ours(obj: Any) -> Any:
    """A sample's argument in this library's terms: a torch tensor becomes a Tensor of the same values, dtype and
    requires_grad; a torch dtype numpy's; a torch.Size a tuple; a torch.device its string."""
    if isinstance(obj, torch.Tensor):
        # (of a clone: numpy() of torch's own storage makes it unresizable, which changes torch's out= later)
        return Tensor(obj.detach().clone().numpy(), requires_grad=obj.requires_grad)
    if isinstance(obj, torch.dtype):
        return NUMPY_DTYPES.get(obj, obj)
    if isinstance(obj, torch.Size):
        return tuple(obj)
    if isinstance(obj, torch.device):
        return str(obj)
    return obj


def with_torchs_default_dtype(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` run under :func:`torch_default_dtype`."""

    def call(*args: Any, **kwargs: Any) -> Any:
        with torch_default_dtype():
            return function(*args, **kwargs)

    return call


def cloned(obj: Any) -> Any:
    """A sample's argument with each tensor a fresh leaf of the same values (a sample may be run twice)."""
    if isinstance(obj, torch.Tensor):
        return obj.detach().clone().requires_grad_(obj.requires_grad)
    return obj


def as_array(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy(force=True)  # (force: a ZeroTensor gradient, sgn's, converts only so)
    if isinstance(x, Tensor):
        return np.asarray(x.data)
    return np.asarray(x)


def assert_same(ours: Any, theirs: Any, what: str, values: bool = True) -> None:
    """``ours`` has torch's structure, and each leaf its shape, dtype (when torch's is a tensor) and, unless
    ``values`` is false, its values."""
    our_leaves, their_leaves = list(leaves(ours)), list(leaves(theirs))
    assert len(our_leaves) == len(their_leaves), f"{what}: {len(our_leaves)} outputs, torch {len(their_leaves)}"
    for position, (mine, reference) in enumerate(zip(our_leaves, their_leaves)):
        where = f"{what} {position}" if len(their_leaves) > 1 else what
        have, want = as_array(mine), as_array(reference)
        assert have.shape == want.shape, f"{where}: shape {have.shape}, torch {want.shape}"
        if isinstance(reference, torch.Tensor):
            assert have.dtype == want.dtype, f"{where}: dtype {have.dtype}, torch {want.dtype}"
        if not values:
            continue
        if want.dtype.kind in "fc":
            rtol, atol = TOLERANCES.get(want.dtype, (1e-7, 1e-7))
            np.testing.assert_allclose(have, want, rtol=rtol, atol=atol, equal_nan=True, err_msg=where)
        else:
            np.testing.assert_array_equal(have, want, err_msg=where)


def differentiable_outputs(outputs: list[Any]) -> list[int]:
    return [i for i, out in enumerate(outputs) if isinstance(out, torch.Tensor) and out.requires_grad]


def check_sample(
    op: Any, index: int, our_fn: Callable[..., Any] | None = None, *, values: bool = True, processed: bool = False
) -> None:
    """Run sample ``index`` of ``op`` in torch and here (``our_fn``, default :func:`our_op`): outputs, then
    gradients (see the module docstring). ``values=False`` (and an op of :data:`META_ONLY`) compares the outputs'
    structure, shapes and dtypes only, and no gradients; ``processed=True`` compares the outputs after the sample's
    ``output_process_fn_grad`` (for outputs defined up to a sign or a phase: svd's, eigh's)."""
    dtype = test_dtype(op)
    sample = samples(op, dtype)[index]
    our_fn = our_fn or our_op(op)
    their_args = tree_map(cloned, (sample.input, sample.args, sample.kwargs))
    our_args = tree_map(to_ours, their_args)
    expected = op(their_args[0], *their_args[1], **their_args[2])
    got = our_fn(our_args[0], *our_args[1], **our_args[2])
    if not values or op_id(op) in META_ONLY:
        assert_same(got, expected, "output", values=False)
        return
    if processed:
        assert_same(sample.output_process_fn_grad(got), sample.output_process_fn_grad(expected), "processed output")
    else:
        assert_same(got, expected, "output")

    their_outputs = list(leaves(sample.output_process_fn_grad(expected)))
    differentiable = differentiable_outputs(their_outputs)
    their_inputs = [t for t in leaves(their_args) if isinstance(t, torch.Tensor) and t.requires_grad]
    if not differentiable or not their_inputs:
        return
    our_outputs = list(leaves(sample.output_process_fn_grad(got)))
    our_inputs = [t for t in leaves(our_args) if isinstance(t, Tensor) and t.requires_grad]
    assert len(our_inputs) == len(their_inputs)
    rng = np.random.default_rng(index)
    upstream = [rng.standard_normal(tuple(their_outputs[i].shape)) for i in differentiable]
    their_grads = torch.autograd.grad(
        [their_outputs[i] for i in differentiable],
        their_inputs,
        [torch.from_numpy(u.astype(as_array(their_outputs[i]).dtype)) for u, i in zip(upstream, differentiable)],
        allow_unused=True,
    )
    our_grads = autograd.grad(
        [our_outputs[i] for i in differentiable],
        our_inputs,
        [Tensor(u.astype(as_array(our_outputs[i]).dtype)) for u, i in zip(upstream, differentiable)],
        allow_unused=True,
    )
    for position, (mine, reference, tensor) in enumerate(zip(our_grads, their_grads, their_inputs)):
        want = torch.zeros_like(tensor) if reference is None else reference
        have = np.zeros(tuple(tensor.shape), dtype=NUMPY_DTYPES[tensor.dtype]) if mine is None else mine
        assert_same(have, want, f"gradient of input {position}")


class ThroughGradcheckWrapper:
    """An OpInfo whose torch call goes through its (or a given) ``gradcheck_wrapper``, as torch's test_ops runs it
    (cholesky_inverse/solve keep the triangle the factorisation reads; ctc_loss takes log_softmax first)."""

    def __init__(self, op: Any, wrapper: Callable[..., Any] | None = None) -> None:
        self._op, self._wrapper = op, wrapper or op.gradcheck_wrapper

    def __getattr__(self, name: str) -> Any:
        return getattr(self._op, name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._wrapper(self._op, *args, **kwargs)


def triangular_input(op: Any, *args: Any, **kwargs: Any) -> Any:
    """torch's ``gradcheck_wrapper_triangular_input`` (cholesky_inverse's own wrapper also sets the diagonal to 1,
    which only matters for complex inputs)."""
    return common_methods_invocations.gradcheck_wrapper_triangular_input(op, *args, **kwargs)


def _our_options(options: Any) -> Any:
    """This library's ``LinearCrossEntropyOptions`` of the settings of torch's ``options``."""
    if options is None:
        return None
    names = ("allow_retain_graph", "batch_chunk_size", "chunking_method", "acc_policy", "acc_dtype")
    return nn.LinearCrossEntropyOptions(**{name: to_ours(getattr(options, name)) for name in names})


def linear_cross_entropy(*args: Any, options: Any = None, **kwargs: Any) -> Any:
    """Our linear_cross_entropy of a sample whose ``options`` is torch's object."""
    return nn.functional.linear_cross_entropy(*args, options=_our_options(options), **kwargs)


def triplet_with_distance(anchor: Any, positive: Any, negative: Any, *, distance_function: Any = None, **kwargs: Any):
    """Our triplet_margin_with_distance_loss of a sample whose ``distance_function`` is torch's PairwiseDistance."""
    if isinstance(distance_function, torch.nn.PairwiseDistance):  # the module's settings, in our module
        distance_function = nn.PairwiseDistance(
            p=distance_function.norm, eps=distance_function.eps, keepdim=distance_function.keepdim
        )
    return nn.functional.triplet_margin_with_distance_loss(
        anchor, positive, negative, distance_function=distance_function, **kwargs
    )


def with_torchs_samples(axes: int) -> Callable[..., Any]:
    """Our fractional max pool of ``axes`` axes, given the window samples torch's OpInfo draws (torch's op and ours
    draw from different generators): ``torch.rand(N, C, axes)`` in the input's dtype right after
    ``torch.manual_seed(42)`` (``wrapper_set_seed``), N = 1 for unbatched input; a sample that passes its own
    ``_random_samples`` keeps them."""
    pool = getattr(nn.functional, f"fractional_max_pool{axes}d")

    def call(input: Tensor, *args: Any, **kwargs: Any) -> Any:
        if "_random_samples" not in kwargs:
            batch = 1 if input.ndim == axes + 1 else input.shape[0]
            dtype = torch.from_numpy(np.zeros(0, input.dtype)).dtype
            with torch.random.fork_rng():
                torch.manual_seed(42)
                kwargs["_random_samples"] = torch.rand(batch, input.shape[-axes - 1], axes, dtype=dtype).numpy()
        return pool(input, *args, **kwargs)

    return call
