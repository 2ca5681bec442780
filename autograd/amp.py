"""torch's ``GradScaler`` (``torch.amp.GradScaler``, and ``torch.cuda.amp.GradScaler``, its deprecated spelling),
so the mixed-precision training loop of scripts such as nanoGPT's runs as written::

    scaler = autograd.amp.GradScaler("cpu", enabled=True)
    scaler.scale(loss).backward()
    scaler.unscale_(optimizer)          # optional: before clipping the true gradients
    nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    scaler.step(optimizer)              # skipped when a gradient is inf or nan
    scaler.update()

With ``s`` the scale (``init_scale`` = 2^16 first), ``scale(loss)`` is ``loss * s`` (``s`` a 0-d float32 tensor, as
torch's: a 0-d float16 loss is scaled in float32, a float16 tensor with dimensions stays float16), so every gradient is ``s``
times the true one; ``unscale_`` multiplies the gradients by ``1 / s`` (rounded to float32, as torch's) and
notes whether any is not finite; ``step`` then runs ``optimizer.step()`` only if all are finite; ``update``
multiplies ``s`` by ``backoff_factor`` after a step with non-finite gradients (and restarts the count), else
counts the step and multiplies ``s`` by ``growth_factor`` after ``growth_interval`` finite steps in a row.
``s`` is a float32 number, as torch's ``_scale``, set from ``init_scale`` by the first ``scale()``: before it
``get_scale()`` is ``init_scale`` as given and ``unscale_``, ``step`` and ``update`` are torch's AssertionError.

There is no GPU here: as torch's on a machine without CUDA, a scaler for ``device="cuda"`` (the default, and
every ``torch.cuda.amp.GradScaler``) warns and disables itself, and a disabled scaler passes everything through
(``scale`` returns its input, ``step`` is ``optimizer.step()``, ``get_scale()`` is 1.0, ``state_dict()`` is
``{}``), so ``GradScaler(enabled=(dtype == "float16"))`` runs unchanged.

:class:`autocast` (``torch.autocast``, ``torch.amp.autocast``), the ``with torch.autocast(device_type=device,
dtype=...)`` around a training script's forward pass, is a context manager and a decorator that runs everything
in full precision: no op changes the dtype of its inputs inside it (float32 stays float32, where torch's CPU
autocast computes matmuls and linear layers in bfloat16 or float16). It checks its arguments as torch's and
disables itself where torch's does, with torch's warnings: for ``"cuda"`` (there is no GPU) and for a CPU dtype
other than float16 (torch's CPU autocast takes bfloat16 and float16; numpy has no bfloat16, so
``autograd.bfloat16`` does not exist). ``autocast("cpu", dtype=autograd.float16)`` is enabled and still computes
in full precision. :func:`is_autocast_enabled` (``torch.is_autocast_enabled``) tells whether this thread is inside
an enabled region of a device type, :func:`get_autocast_dtype` the dtype of its region and
:func:`is_autocast_available` whether autocast takes a device type, and :func:`custom_fwd` / :func:`custom_bwd` decorate a custom Function's
``forward`` and ``backward`` as torch's (``cast_inputs`` casts the floating inputs inside an enabled region).
"""

from __future__ import annotations

import functools
import math
import re
import threading
import warnings
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np

from .accelerators import cuda
from .devices import DEVICE_TYPES
from .reentrant import carry
from .shape_errors import ArgumentRangeError
from .tensor import Tensor
from .value import Value

__all__ = [
    "GradScaler",
    "ScalerFactorError",
    "autocast",
    "custom_bwd",
    "custom_fwd",
    "get_autocast_dtype",
    "is_autocast_available",
    "is_autocast_enabled",
]

_READY, _UNSCALED, _STEPPED = "ready", "unscaled", "stepped"


class ScalerFactorError(ValueError, AssertionError):
    """A GradScaler growth factor not above 1 or backoff factor not below 1: a ValueError, and torch's
    AssertionError."""


class GradScaler:
    """torch's ``torch.amp.GradScaler(device, init_scale, growth_factor, backoff_factor, growth_interval,
    enabled)``: dynamic loss scaling (see :mod:`autograd.amp`)."""

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        self._device = str(device)
        if enabled and self._device.split(":")[0] == "cuda" and not cuda.is_available():
            warnings.warn(
                "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.", UserWarning, 2
            )
            enabled = False
        self._enabled = bool(enabled)
        if self._enabled:
            if not growth_factor > 1.0:
                raise ScalerFactorError(f"The growth factor must be > 1.0. (GradScaler: got {growth_factor})")
            if not backoff_factor < 1.0:
                raise ScalerFactorError(f"The backoff factor must be < 1.0. (GradScaler: got {backoff_factor})")
        self._init_scale = init_scale  # get_scale() until the first scale(), which makes it the float32 _scale
        self._scale: np.float32 | None = None
        self._growth_factor = float(growth_factor)
        self._backoff_factor = float(backoff_factor)
        self._growth_interval = int(growth_interval)
        self._growth_tracker = 0
        self._per_optimizer: dict[int, dict[str, Any]] = {}

    # -- the loop --------------------------------------------------------------------------
    def scale(self, outputs: Any) -> Any:
        """``outputs`` (a Tensor or a Value, or a list/tuple/iterable of them) times the scale; unchanged when
        disabled."""
        if not self._enabled:
            return outputs
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(output) for output in outputs)
        if (hasattr(outputs, "shape") or isinstance(outputs, Value)) and self._scale is None:
            self._scale = _as_scale(self._init_scale)
        if isinstance(outputs, Tensor):  # times a 0-d float32 tensor, as torch's: a 0-d float16 loss becomes float32
            return outputs * Tensor(self._scale)  # (so 65536 times it does not overflow float16's 65504)
        if isinstance(outputs, Value):  # a scalar loss of Values: its gradients are floats, which unscale_ takes
            return outputs * float(self._scale)
        if hasattr(outputs, "shape"):
            return outputs * self._scale
        if hasattr(outputs, "__iter__"):
            return map(self.scale, outputs)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def _check_scaled(self, function: str) -> None:
        """torch's AssertionError for ``unscale_``, ``step`` or ``update`` before the first ``scale()``."""
        if self._scale is None:
            raise AssertionError(
                f"Attempted {function} but _scale is None.  This may indicate your script did not use "
                "scaler.scale(loss or outputs) earlier in the iteration."
            )

    def _state(self, optimizer: Any) -> dict[str, Any]:
        return self._per_optimizer.setdefault(id(optimizer), {"stage": _READY, "found_inf": None})

    def unscale_(self, optimizer: Any) -> None:
        """Multiply ``optimizer``'s gradients by ``1 / scale`` in place and note whether any is inf or nan.
        Once per optimizer between two ``update()`` calls, and before its ``step``, as torch (RuntimeError). A
        float16 gradient is a ValueError, as torch's (the parameters of mixed precision training are float32)."""
        if not self._enabled:
            return
        self._check_scaled("unscale_")
        state = self._state(optimizer)
        if state["stage"] == _UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if state["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv_scale = np.float32(1.0 / np.float64(self._scale))  # torch: scale.double().reciprocal().float()
        with_gradients = [p for group in optimizer.param_groups for p in group["params"] if p.grad is not None]
        gradients = [np.asarray(getattr(p.grad, "_data", p.grad)) for p in with_gradients]
        if any(values.dtype == np.float16 for values in gradients):  # (checked first: no gradient changes)
            raise ValueError("Attempting to unscale FP16 gradients.")
        found_inf = None if not gradients else False  # None: no check recorded, as torch's (no gradient to check)
        for p, values in zip(with_gradients, gradients):
            found_inf = found_inf or not bool(np.isfinite(values).all())
            scaled = (values * inv_scale).astype(values.dtype, copy=False)
            p.grad = float(scaled) if isinstance(p.grad, float) else scaled  # a Value's gradient is a float
        state["found_inf"], state["stage"] = found_inf, _UNSCALED

    def step(self, optimizer: Any, *args: Any, **kwargs: Any) -> Any:
        """``optimizer.step(*args, **kwargs)`` unless the (unscaled) gradients hold an inf or nan; unscales first
        if ``unscale_`` was not called. Returns the step's result, or None when skipped. As torch's, an optimizer
        none of whose parameters has a gradient is an AssertionError (no inf check was recorded)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scaled("step")
        state = self._state(optimizer)
        if state["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] == _READY:
            self.unscale_(optimizer)
        if state["found_inf"] is None:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        result = None if state["found_inf"] else optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return result

    def update(self, new_scale: Any = None) -> None:
        """Set the scale to ``new_scale`` if given, else back off after non-finite gradients or grow after
        ``growth_interval`` finite steps in a row; then start the next iteration."""
        if not self._enabled:
            return
        self._check_scaled("update")
        if new_scale is not None:
            if hasattr(new_scale, "item") and (np.size(new_scale) != 1 or getattr(new_scale, "requires_grad", False)):
                raise AssertionError(
                    "new_scale should be a float or a 1-element torch.cuda.FloatTensor or torch.FloatTensor with "
                    "requires_grad=False."
                )
            value = new_scale.item() if hasattr(new_scale, "item") else new_scale
            self._scale = _as_scale(value)
        else:
            checks = [state["found_inf"] for state in self._per_optimizer.values() if state["found_inf"] is not None]
            if not checks:
                raise AssertionError("No inf checks were recorded prior to update.")
            # the products in float64, then rounded to float32, as torch's _amp_update_scale_ (float scale, double
            # factor): rounding the factor first (float32(1.1)) would give another scale
            if any(checks):
                self._scale = np.float32(np.float64(self._scale) * self._backoff_factor)
                self._growth_tracker = 0
            else:
                self._growth_tracker += 1
                if self._growth_tracker == self._growth_interval:
                    with np.errstate(over="ignore"):  # beyond float32: inf, which keeps the scale
                        grown = np.float32(np.float64(self._scale) * self._growth_factor)
                    if np.isfinite(grown):
                        self._scale = grown
                    self._growth_tracker = 0
        self._per_optimizer = {}

    def __getstate__(self) -> dict[str, Any]:
        """The pickled state; as torch's, only between iterations (AssertionError after a ``scale(...).backward()``
        step's ``unscale_`` or ``step`` and before ``update()``: the iteration's inf checks would be lost)."""
        if self._enabled and self._per_optimizer:
            raise AssertionError(
                "A GradScaler instance may only be pickled at the beginning of an iteration, or at the end after "
                "scaler.update()."
            )
        return self.__dict__.copy()

    # -- queries and state -----------------------------------------------------------------
    def get_scale(self) -> float:
        """The current scale as a Python float (before the first ``scale()``, ``init_scale`` as given, as torch's);
        1.0 when disabled."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale)

    def is_enabled(self) -> bool:
        return self._enabled

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = float(new_factor)

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = float(new_factor)

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = int(new_interval)

    def state_dict(self) -> dict[str, Any]:
        """torch's keys: scale, growth_factor, backoff_factor, growth_interval, _growth_tracker; ``{}`` when
        disabled."""
        if not self._enabled:
            return {}
        return {
            "scale": self.get_scale(),
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._growth_tracker,
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s values; an empty one (from a disabled scaler) is a RuntimeError."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved from a disabled instance of GradScaler."
            )
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale = _as_scale(state_dict["scale"])
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._growth_tracker = int(state_dict["_growth_tracker"])


def _as_scale(value: Any) -> np.float32:
    """A scale as the float32 number torch fills its ``_scale`` with: inf and nan as they are, a finite value beyond
    float32's range torch's RuntimeError (an :class:`ArgumentRangeError`), where numpy's cast gives inf."""
    number = float(value)
    if math.isfinite(number) and abs(number) > float(np.finfo(np.float32).max):
        raise ArgumentRangeError(f"GradScaler: value {value!r} cannot be converted to type float without overflow")
    return np.float32(number)


#: torch's device string: a type of letters and underscores, then optionally ":" and an index without leading zeros.
_DEVICE_STRING = re.compile(r"(?P<type>[a-zA-Z_]+)(?::(?:[1-9]\d*|0))?")


def _device_kind(device_type: str) -> str:
    """The device type of the string ``device_type`` (``"cuda"`` for ``"cuda:0"``), checked as torch checks it: its
    form first ("Invalid device string"), then its type (torch's list of device types); RuntimeError otherwise."""
    if not device_type:
        raise RuntimeError("Device string must not be empty")
    found = _DEVICE_STRING.fullmatch(device_type)
    if found is None:
        raise RuntimeError(f"Invalid device string: '{device_type}'")
    kind = found["type"]
    if kind not in DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device string: {kind}")
    return kind


class autocast:
    """torch's ``autocast(device_type, dtype=None, enabled=True, cache_enabled=None)``, a context manager and a
    decorator inside which everything runs in full precision (see :mod:`autograd.amp`).

    ``device_type`` is "cpu" or "cuda" (with an index, "cuda:0", as torch takes): a device_type that is no str is
    a ValueError, an unknown device string a RuntimeError, and torch's other device types ("mps", "xpu", ...) a
    RuntimeError too, since this library computes on the CPU only. As torch's, ``"cuda"`` warns that CUDA is not
    available and disables the region, and on the CPU a dtype other than float16 warns and disables it. As
    torch's, ``enabled`` and ``cache_enabled`` must be bools and ``dtype`` a dtype when the region is entered
    (TypeError). ``device``, ``fast_dtype`` (float16 for "cuda"; None, where torch's is bfloat16, for "cpu"
    without a dtype) and ``_enabled`` are torch's attributes.
    """

    def __init__(
        self, device_type: str, dtype: Any = None, enabled: bool = True, cache_enabled: bool | None = None
    ) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        kind = _device_kind(device_type)
        if kind not in ("cpu", "cuda"):
            raise RuntimeError(
                f"autocast: device_type {device_type!r} is not available here: this library computes on the CPU "
                "only (use 'cpu', or 'cuda', which disables the region as torch's does without a GPU)"
            )
        self.device = device_type
        self._kind = kind
        self._outer: list[tuple[bool, Any]] = []  # the (enabled, dtype) each entry replaced, restored on exit
        self.fast_dtype = dtype if dtype is not None else _regions.dtype.get(kind)
        self._enabled = enabled
        self._cache_enabled = cache_enabled
        if kind == "cuda" and enabled:
            warnings.warn("CUDA is not available or torch_xla is imported. Disabling autocast.", UserWarning, 2)
            self._enabled = False
        elif kind == "cpu" and enabled and dtype is not None and not _is_float16(dtype):
            warnings.warn(
                "In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                "CPU Autocast only supports dtypes of bfloat16 (which numpy lacks), float16 currently.",
                UserWarning,
                2,
            )
            self._enabled = False

    def __enter__(self) -> autocast:
        if not isinstance(self._enabled, bool):
            raise TypeError(f"autocast: argument 'enabled' must be bool, not {type(self._enabled).__name__}")
        if self._cache_enabled is not None and not isinstance(self._cache_enabled, bool):
            raise TypeError(
                f"autocast: argument 'cache_enabled' must be bool, not {type(self._cache_enabled).__name__}"
            )
        if self.fast_dtype is not None and not _is_dtype(self.fast_dtype):
            raise TypeError(
                f"autocast: argument 'dtype' must be a dtype (autograd.float16, ...), not {type(self.fast_dtype).__name__}"
            )
        self._outer.append((_regions.enabled.get(self._kind, False), _regions.dtype.get(self._kind)))
        _regions.enabled[self._kind], _regions.dtype[self._kind] = self._enabled, self.fast_dtype
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _regions.enabled[self._kind], _regions.dtype[self._kind] = self._outer.pop()

    def __call__(self, function: Callable[..., Any]) -> Callable[..., Any]:
        """``function`` run inside this region at every call (``@autocast("cpu")``); torch's TypeError when
        ``function`` is not callable (``autocast("cpu")(x)`` for ``with autocast("cpu"):``)."""
        if not callable(function):
            raise TypeError(
                f"autocast()(func) requires a callable, but got {type(function).__name__}. Did you mean to use "
                "autocast as a context manager? For example:\n    with autograd.autocast(device_type=...):\n"
                "        output = model(input)"
            )

        @functools.wraps(function)
        def run_in_region(*args: Any, **kwargs: Any) -> Any:
            with self:
                return function(*args, **kwargs)

        return run_in_region


class _Regions(threading.local):
    """This thread's autocast state per device type: whether the innermost region is enabled, and its dtype (float16
    for "cuda", as torch's default; None for "cpu", whose torch default bfloat16 numpy lacks)."""

    def __init__(self) -> None:
        self.enabled: dict[str, bool] = {}
        self.dtype: dict[str, Any] = {"cuda": np.float16}


_regions = carry(_Regions())


def is_autocast_enabled(device_type: str = "cuda") -> bool:
    """torch's ``is_autocast_enabled(device_type)``: whether this thread is inside an enabled :class:`autocast`
    region of ``device_type`` ("cpu" or "cuda"; "cuda" without an argument, as torch's). Such a region still
    computes in full precision here."""
    if not isinstance(device_type, str):
        raise TypeError(f"is_autocast_enabled(): argument 'device_type' must be str, not {type(device_type).__name__}")
    return _regions.enabled.get(device_type.partition(":")[0], False)


def get_autocast_dtype(device_type: str) -> Any:
    """torch's ``get_autocast_dtype(device_type)``: the dtype of this thread's innermost :class:`autocast` region of
    ``device_type`` (a device string, "cpu" or "cuda" with or without an index), or outside one the default: float16
    for "cuda", as torch's, and None for "cpu", whose torch default bfloat16 numpy lacks (as ``autocast("cpu")``'s
    ``fast_dtype``). The regions compute in full precision here whatever it is. A device string torch refuses is its
    RuntimeError; a device type this library has no autocast for ("mps", ...) a RuntimeError too."""
    if not isinstance(device_type, str):
        raise TypeError(f"get_autocast_dtype(): argument 'device_type' must be str, not {type(device_type).__name__}")
    kind = _device_kind(device_type)
    if kind not in ("cpu", "cuda"):
        raise RuntimeError(f"get_autocast_dtype: there is no autocast for device_type {device_type!r} here")
    return _regions.dtype.get(kind)


def is_autocast_available(device_type: str) -> bool:
    """torch's ``amp.is_autocast_available(device_type)``: whether :class:`autocast` takes ``device_type`` (a device
    string): True for "cpu" and "cuda" (a "cuda" region disables itself without a GPU, as torch's), False for
    torch's other device types, which this library has no autocast for (torch's is True for some, "mps", "xpu");
    a device string torch refuses is its RuntimeError."""
    if not isinstance(device_type, str):
        raise TypeError(
            f"is_autocast_available(): argument 'device_type' must be str, not {type(device_type).__name__}"
        )
    return _device_kind(device_type) in ("cpu", "cuda")


def _cast(value: Any, dtype: Any) -> Any:
    """``value`` with its floating Tensors (not float64 ones) cast to ``dtype``, through lists, tuples and dicts, as
    torch's ``amp._cast``; anything else as it is."""
    if isinstance(value, Tensor):
        return value.to(dtype) if value.dtype.kind == "f" and value.dtype != np.float64 else value
    if isinstance(value, dict):
        return {_cast(key, dtype): _cast(item, dtype) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(item, dtype) for item in value)
    return value


def _check_device_type(device_type: Any) -> None:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")


def custom_fwd(fwd: Callable[..., Any] | None = None, *, device_type: str, cast_inputs: Any = None) -> Any:
    """torch's ``amp.custom_fwd``, the decorator of a custom :class:`~autograd.Function`'s ``forward``: it records the
    autocast state of ``device_type`` on ``ctx`` (``ctx._fwd_used_autocast``, ``ctx._dtype``) for
    :func:`custom_bwd`; with ``cast_inputs`` (a dtype), inside an enabled region, the floating Tensor arguments
    (float64 ones excepted) are cast to it and ``forward`` runs with autocast disabled; elsewhere it changes
    nothing."""
    _check_device_type(device_type)
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args: Any, **kwargs: Any) -> Any:
        ctx, enabled = args[0], is_autocast_enabled(device_type)
        ctx._dtype = _regions.dtype.get(device_type.partition(":")[0])
        ctx._fwd_used_autocast = enabled and cast_inputs is None
        if cast_inputs is None or not enabled:
            return fwd(*args, **kwargs)
        with autocast(device_type=device_type, enabled=False):
            return fwd(*_cast(args, cast_inputs), **_cast(kwargs, cast_inputs))

    return decorate_fwd


def custom_bwd(bwd: Callable[..., Any] | None = None, *, device_type: str) -> Any:
    """torch's ``amp.custom_bwd``, the decorator of a custom Function's ``backward``: it runs in the autocast state
    its :func:`custom_fwd` ``forward`` ran in."""
    _check_device_type(device_type)
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args: Any, **kwargs: Any) -> Any:
        ctx = args[0]
        with autocast(device_type=device_type, enabled=ctx._fwd_used_autocast, dtype=ctx._dtype):
            return bwd(*args, **kwargs)

    return decorate_bwd


def _is_dtype(value: Any) -> bool:
    """Whether ``value`` is one of autograd's dtypes (a numpy dtype or scalar type; not a string, as torch)."""
    return isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic))


def _is_float16(value: Any) -> bool:
    return _is_dtype(value) and np.dtype(value) == np.float16


def _cuda_grad_scaler(
    init_scale: float = 2.0**16,
    growth_factor: float = 2.0,
    backoff_factor: float = 0.5,
    growth_interval: int = 2000,
    enabled: bool = True,
) -> GradScaler:
    """torch's deprecated ``torch.cuda.amp.GradScaler(...)``: ``GradScaler("cuda", ...)`` after torch's
    FutureWarning (so, without a GPU, disabled when enabled, with torch's UserWarning)."""
    warnings.warn(
        "`torch.cuda.amp.GradScaler(args...)` is deprecated. Please use `torch.amp.GradScaler('cuda', args...)` "
        "instead.",
        FutureWarning,
        2,
    )
    return GradScaler("cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled)


#: ``autograd.cuda.amp.GradScaler``, torch's deprecated spelling (``cuda`` lives in :mod:`.accelerators`, which
#: this module reads, so the name is attached here).
cuda.amp = SimpleNamespace(GradScaler=_cuda_grad_scaler)
