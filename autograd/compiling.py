"""torch's ``compile``, for the ``model = torch.compile(model)`` line of training scripts (build-nanogpt's
train_gpt2.py, nanoGPT's ``compile=True``).

There is no compiler here: every op already runs as one numpy call, and a compiled graph would compute the same
numbers. ``compile(model)`` checks its arguments as torch does and returns ``model`` itself (a Module, a function
or any callable), so compiling changes no result and no state: where torch returns an ``OptimizedModule`` whose
``state_dict()`` keys start with ``_orig_mod.``, this returns the Module, whose keys are unchanged.
``@compile`` and ``@compile(fullgraph=True, ...)`` decorate functions as torch's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["compile"]

#: torch 2.13's ``mode=`` values (its inductor backend's).
COMPILE_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")
#: torch 2.13's registered backend names (``torch._dynamo.list_backends(exclude_tags=())``).
COMPILE_BACKENDS = (
    "aot_eager", "aot_eager_decomp_partition", "aot_eager_decomp_partition_crossref",
    "aot_eager_decomp_partition_with_mode", "aot_eager_default_partitioner", "aot_ts", "cudagraphs",
    "dynamo_accuracy_minifier_backend", "dynamo_minifier_backend", "eager", "eager_debug", "eager_noexcept",
    "inductor", "invoke_subgraph", "openxla", "openxla_eval", "pre_dispatch_eager", "ts", "tvm",
)  # fmt: skip


def compile(  # noqa: A001 - torch's name
    model: Callable[..., Any] | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: str | Callable[..., Any] | None = None,
    mode: str | None = None,
    options: dict[str, Any] | None = None,
    name: str | None = None,
    disable: bool = False,
    recompile_limit: int | None = None,
    isolate_recompiles: bool = False,
    shapes_spec: Any = None,
) -> Any:
    """torch's ``compile(model)``: ``model`` itself, after torch's checks (see :mod:`autograd.compiling`).

    With ``model`` None, a decorator that compiles the function it is given with these arguments. Errors, as
    torch's: ``mode`` and ``options`` together, an unknown ``mode`` (with the default "inductor" backend) or an
    unknown backend name are RuntimeErrors; a ``model`` that is not callable, or a ``dynamic`` that is neither None
    nor a bool (unless ``disable``), an AssertionError. ``fullgraph``, ``options``, ``name``, ``recompile_limit``,
    ``isolate_recompiles`` and ``shapes_spec`` tune torch's compiler and change nothing here.
    """
    settings = {
        "fullgraph": fullgraph, "dynamic": dynamic, "backend": backend, "mode": mode, "options": options,
        "name": name, "disable": disable, "recompile_limit": recompile_limit,
        "isolate_recompiles": isolate_recompiles, "shapes_spec": shapes_spec,
    }  # fmt: skip
    if model is None:

        def decorate(model: Callable[..., Any]) -> Any:
            if model is None:
                raise RuntimeError("Model can't be None")
            return compile(model, **settings)

        return decorate
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified at the same time.")
    backend = "inductor" if backend is None else backend
    if isinstance(backend, str) and backend not in COMPILE_BACKENDS:
        raise RuntimeError(f"Invalid backend: {backend!r}, see `torch._dynamo.list_backends()` for available backends.")
    if backend == "inductor" and mode is not None and mode not in COMPILE_MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(COMPILE_MODES)}")
    if not disable and dynamic is not None and not isinstance(dynamic, bool):
        raise AssertionError(f"Expected enable to be a bool, got {type(dynamic)}")
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    return model
