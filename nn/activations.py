"""Activation layers: Modules around :mod:`nn.functional.activations`.

The stateless ones only hold their hyper-parameters. ``PReLU``, learnable ``Swish``,
``Maxout`` and ``ACONC`` own Parameters, listed by ``parameters()`` and updated by an
optimizer like any other layer's. torch's ``inplace=True`` (shown in the repr) writes the activation into
the layer's input and returns it, as torch's (see :mod:`nn.functional.in_place_change`). The softmax layers take their axis as ``axis`` or as torch's ``dim``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor, no_grad
from autograd.shape_errors import ArgumentRangeError
from autograd.torch_keywords import UNSET, torch_dim

from . import functional as F
from . import init as nn_init
from .checks import (
    check_choice,
    check_flag,
    check_float_dtype,
    check_integer,
    check_positive_int,
    check_real,
    drawing_generator,
    make_generator,
)
from .functional.activations import GELU_APPROXIMATIONS, check_celu_alpha, implicit_softmax_axis
from .module import Module, as_layer_input, check_input_dtype, input_for
from .parameter import Parameter, factory_dtype
from .warning_site import user_stacklevel

__all__ = [
    "ACONC",
    "CELU",
    "ELU",
    "GELU",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "LeakyReLU",
    "LogSigmoid",
    "LogSoftmax",
    "Maxout",
    "Mish",
    "PReLU",
    "ReLU",
    "ReLU6",
    "RReLU",
    "SELU",
    "SiLU",
    "Sigmoid",
    "Softmax",
    "Softmax2d",
    "Softmin",
    "Softplus",
    "Softsign",
    "Step",
    "Swish",
    "Tanh",
]


class _InPlaceFlag(Module):
    """A layer with torch's ``inplace`` flag, shown in the repr when True: then the layer writes its output into
    its input Tensor and returns it."""

    inplace: bool = False

    def __init__(self, inplace: bool = False) -> None:
        self.inplace = check_flag(type(self).__name__, "inplace", inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""

    def _with_flag(self, text: str) -> str:
        return f"{text}, inplace=True" if self.inplace else text


class Sigmoid(Module):
    """Logistic sigmoid 1 / (1 + e^-x)."""

    def forward(self, input: Any) -> Tensor:
        return F.sigmoid(input)


class Tanh(Module):
    """Hyperbolic tangent."""

    def forward(self, input: Any) -> Tensor:
        return F.tanh(input)


class ReLU(_InPlaceFlag):
    """max(x, 0)."""

    def forward(self, input: Any) -> Tensor:
        return F.relu(input, self.inplace)


class LeakyReLU(_InPlaceFlag):
    """x where x > 0 else negative_slope * x."""

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        check_real("LeakyReLU", "negative_slope", negative_slope)
        self.negative_slope = negative_slope  # as given (torch's repr shows it so: negative_slope=1, not 1.0)
        super().__init__(inplace)

    def forward(self, input: Any) -> Tensor:
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return self._with_flag(f"negative_slope={self.negative_slope}")


class PReLU(Module):
    """x where x > 0 else a * x with a learnable slope ``a``: one shared, or one per channel (axis 1).

    ``weight`` has shape (num_parameters,) and starts at ``init``.
    """

    def __init__(
        self, num_parameters: int = 1, init: float = 0.25, dtype: Any = np.float32, *, device: Any = None
    ) -> None:
        self.num_parameters = check_positive_int("PReLU", "num_parameters", num_parameters)
        self.init = check_real("PReLU", "init", init)
        self.weight = Parameter(np.empty(self.num_parameters, dtype=factory_dtype("PReLU", device, dtype)))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """``weight`` back to ``init``, in place, as the constructor does (torch's)."""
        nn_init.constant_(self.weight, self.init)

    def forward(self, input: Any) -> Tensor:
        return F.prelu(input_for("PReLU", input, self.weight), self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.weight.shape[0]}"


class ELU(_InPlaceFlag):
    """x where x > 0 else alpha (e^x - 1)."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        check_real("ELU", "alpha", alpha)
        self.alpha = alpha  # as given (torch's repr shows it so)
        super().__init__(inplace)

    def forward(self, input: Any) -> Tensor:
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return self._with_flag(f"alpha={self.alpha}")


class Softplus(Module):
    """log(1 + e^(beta x)) / beta, and x where beta x > ``threshold`` (as torch)."""

    threshold: float = 20.0

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        check_real("Softplus", "beta", beta)
        check_real("Softplus", "threshold", threshold, allow_inf=True, allow_nan=True)
        self.beta, self.threshold = beta, threshold  # as given (torch's repr shows them so)

    def forward(self, input: Any) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Swish(Module):
    """x * sigmoid(beta x); with ``learnable=True`` beta is a scalar Parameter (starting at ``beta``)."""

    def __init__(self, beta: float = 1.0, learnable: bool = False, dtype: Any = np.float32) -> None:
        beta = check_real("Swish", "beta", beta)
        self.learnable = bool(learnable)
        self.beta: float | Parameter = (
            Parameter(np.array(beta, dtype=check_float_dtype("Swish", "dtype", dtype))) if learnable else beta
        )

    def forward(self, input: Any) -> Tensor:
        return F.swish(input, self.beta)

    def extra_repr(self) -> str:
        beta = self.beta.item() if isinstance(self.beta, Tensor) else self.beta
        return f"beta={beta}, learnable={self.learnable}"


class SiLU(_InPlaceFlag):
    """x * sigmoid(x)."""

    def forward(self, input: Any) -> Tensor:
        return F.silu(input, self.inplace)


class Mish(_InPlaceFlag):
    """x * tanh(softplus(x))."""

    def forward(self, input: Any) -> Tensor:
        return F.mish(input, self.inplace)


class Step(Module):
    """Heaviside step: 1 where x > 0 else 0 (zero gradient)."""

    def forward(self, input: Any) -> Tensor:
        return F.step(input)


class Maxout(Module):
    """Maxout unit (Goodfellow et al.): out_j = max_k (x @ W_jk + b_jk) over ``pieces`` linear maps.

    ``weight`` is (out_features * pieces, in_features) in torch's (out, in) layout, rows
    j * pieces ... j * pieces + pieces - 1 belonging to output j; ``bias`` is
    (out_features * pieces,). Both start uniform in [-1/sqrt(in_features), 1/sqrt(in_features)].
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        pieces: int,
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        in_features = check_positive_int("Maxout", "in_features", in_features)
        out_features = check_positive_int("Maxout", "out_features", out_features)
        pieces = check_positive_int("Maxout", "pieces", pieces)
        dtype = check_float_dtype("Maxout", "dtype", dtype)
        self.in_features, self.out_features, self.pieces = in_features, out_features, pieces
        rows = out_features * pieces
        self.weight = Parameter(np.empty((rows, in_features), dtype=dtype))
        self.bias = Parameter(np.empty(rows, dtype=dtype))
        self.reset_parameters(rng)

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Draw ``weight`` and ``bias`` again, in place, as the constructor does (``rng`` as its)."""
        generator = make_generator("Maxout", "rng", rng)
        bound = 1 / np.sqrt(self.in_features)
        with no_grad():
            self.weight[...] = generator.uniform(-bound, bound, self.weight.shape).astype(self.weight.dtype)
            self.bias[...] = generator.uniform(-bound, bound, self.bias.shape).astype(self.bias.dtype)

    def forward(self, input: Any) -> Tensor:
        input = as_layer_input("Maxout", input, self.weight)
        if input.ndim == 0 or input.shape[-1] != self.in_features:
            raise ValueError(
                f"Maxout: expected input with last axis of size in_features={self.in_features}, got shape {input.shape}"
            )
        check_input_dtype("Maxout", input, self.weight)
        return F.maxout(input @ self.weight.T + self.bias, self.pieces, axis=-1)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, pieces={self.pieces}"


class ACONC(Module):
    """ACON-C activation (Ma et al. 2021) with learnable p1, p2 and beta per channel (axis 1).

    (p1 - p2) x sigmoid(beta (p1 - p2) x) + p2 x. As in the paper's code, p1 and p2
    start standard normal and beta starts at 1; each has shape (num_features,).
    """

    def __init__(
        self, num_features: int = 1, dtype: Any = np.float32, rng: np.random.Generator | int | None = None
    ) -> None:
        num_features = check_positive_int("ACONC", "num_features", num_features)
        dtype = check_float_dtype("ACONC", "dtype", dtype)
        self.p1 = Parameter(np.empty(num_features, dtype=dtype))
        self.p2 = Parameter(np.empty(num_features, dtype=dtype))
        self.beta = Parameter(np.empty(num_features, dtype=dtype))
        self.reset_parameters(rng)

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Draw ``p1`` and ``p2`` again and set ``beta`` to 1, in place, as the constructor does (``rng`` as its)."""
        generator = make_generator("ACONC", "rng", rng)
        with no_grad():
            for p in (self.p1, self.p2):
                p[...] = generator.standard_normal(p.shape).astype(p.dtype)
            self.beta[...] = 1

    def forward(self, input: Any) -> Tensor:
        return F.acon_c(input_for("ACONC", input, self.beta), self.p1, self.p2, self.beta)

    def extra_repr(self) -> str:
        return f"num_features={self.beta.shape[0]}"


class _SoftmaxLike(Module):
    """A softmax-like layer along ``axis`` (torch's ``dim``). None (the default, as torch) picks torch's implicit
    axis at each call: 0 for 0-D, 1-D and 3-D inputs, else 1, with torch's deprecation warning."""

    _function: Callable[..., Tensor]

    def __init__(self, axis: int | None = None, *, dim: Any = UNSET) -> None:
        name = type(self).__name__
        if dim is not UNSET:
            axis = torch_dim(name, axis, dim)
        self.axis = None if axis is None else check_integer(name, "axis", axis)

    @property
    def dim(self) -> int | None:
        """torch's name of ``axis``."""
        return self.axis

    def forward(self, input: Any) -> Tensor:
        axis = self.axis
        if axis is None:  # warns at the frame that called the module (forward, __call__, caller)
            axis = implicit_softmax_axis(self._function.__name__, _ndim(input))
        return self._function(input, axis)

    def extra_repr(self) -> str:
        return f"dim={self.axis}"


def _ndim(x: Any) -> int:
    return x.ndim if isinstance(x, Tensor) else np.ndim(x)


class Softmax(_SoftmaxLike):
    """Softmax along ``axis`` (torch's ``dim``)."""

    _function = staticmethod(F.softmax)


class LogSoftmax(_SoftmaxLike):
    """Log-softmax along ``axis`` (torch's ``dim``)."""

    _function = staticmethod(F.log_softmax)


class Softmin(_SoftmaxLike):
    """softmax(-x) along ``axis`` (torch's ``dim``)."""

    _function = staticmethod(F.softmin)


class Softmax2d(Module):
    """Softmax over the channels at each location of (N, C, H, W) or (C, H, W) input (axis -3), as torch's."""

    def forward(self, input: Any) -> Tensor:
        if _ndim(input) not in (3, 4):
            raise ValueError(f"Softmax2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got {_ndim(input)}-D")
        return F.softmax(input, -3)


class RReLU(_InPlaceFlag):
    """Randomized leaky ReLU: x where x > 0, else a x, with a ~ U(lower, upper) drawn per entry at each call in
    training and a = (lower + upper) / 2 in eval mode (``nn.functional.rrelu``). The draws come from ``rng``
    (a Generator, a seed, or None for the library's random state), as ``Dropout``'s."""

    _follows_seed = False  # (True when made without rng=; see nn.checks.drawing_generator)

    def __init__(
        self,
        lower: float = 1.0 / 8,
        upper: float = 1.0 / 3,
        inplace: bool = False,
        rng: np.random.Generator | int | None = None,
    ) -> None:
        check_real("RReLU", "lower", lower, error=ArgumentRangeError)  # (nan, inf: torch's RuntimeError, as F.rrelu)
        check_real("RReLU", "upper", upper, error=ArgumentRangeError)
        self.lower, self.upper = lower, upper  # as given (torch's repr shows them so)
        if self.lower > self.upper:  # torch's forward raises a RuntimeError; refused here at construction
            raise ArgumentRangeError(f"RReLU: lower must not exceed upper, got lower={lower!r}, upper={upper!r}")
        super().__init__(inplace)
        self._rng = make_generator("RReLU", "rng", rng)
        self._follows_seed = rng is None

    def forward(self, input: Any) -> Tensor:
        rng = drawing_generator(self._rng, self._follows_seed)  # without rng=: the seeded state at this call
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace, rng=rng)

    def extra_repr(self) -> str:
        return self._with_flag(f"lower={self.lower}, upper={self.upper}")


class GELU(Module):
    """Gaussian error linear unit x Phi(x); ``approximate="tanh"`` uses torch's tanh formula."""

    def __init__(self, approximate: str = "none") -> None:
        self.approximate = check_choice("GELU", "approximate", approximate, GELU_APPROXIMATIONS, ArgumentRangeError)

    def forward(self, input: Any) -> Tensor:
        return F.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Hardtanh(_InPlaceFlag):
    """x clipped to [min_val, max_val].

    torch's deprecated ``min_value`` and ``max_value``, when given, replace ``min_val`` and ``max_val`` (with
    torch's FutureWarning)."""

    def __init__(
        self,
        min_val: float = -1.0,
        max_val: float = 1.0,
        inplace: bool = False,
        min_value: float | None = None,
        max_value: float | None = None,
    ) -> None:
        if min_value is not None:
            warnings.warn(
                "keyword argument `min_value` is deprecated and renamed to `min_val`",
                FutureWarning,
                stacklevel=user_stacklevel(),
            )
            min_val = min_value
        if max_value is not None:
            warnings.warn(
                "keyword argument `max_value` is deprecated and renamed to `max_val`",
                FutureWarning,
                stacklevel=user_stacklevel(),
            )
            max_val = max_value
        F.hardtanh(np.zeros(0), min_val, max_val)  # checks the bounds now, not at the first forward
        self.min_val, self.max_val = min_val, max_val  # as given (torch's repr shows them so)
        super().__init__(inplace)

    def forward(self, input: Any) -> Tensor:
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return self._with_flag(f"min_val={self.min_val}, max_val={self.max_val}")


class ReLU6(Hardtanh):
    """min(max(x, 0), 6): a Hardtanh from 0 to 6, as torch's (``min_val`` 0.0, ``max_val`` 6.0, an instance of
    Hardtanh), whose repr shows only the ``inplace`` flag."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def forward(self, input: Any) -> Tensor:
        return F.relu6(input, self.inplace)

    def extra_repr(self) -> str:
        return _InPlaceFlag.extra_repr(self)


class CELU(_InPlaceFlag):
    """Continuously differentiable ELU with scale ``alpha``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        check_celu_alpha("CELU", alpha)
        self.alpha = alpha  # as given (torch's repr shows it so)
        super().__init__(inplace)

    def forward(self, input: Any) -> Tensor:
        return F.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return self._with_flag(f"alpha={self.alpha}")


def _stateless(name: str, function: Any, doc: str, inplace_flag: bool = False, shows_flag: bool = True) -> type[Module]:
    """A Module class without hyper-parameters whose forward is ``function`` (with torch's ``inplace`` flag
    if ``inplace_flag``, shown in the repr unless ``shows_flag`` is False, as torch's Hardswish and Hardsigmoid
    print ``Hardswish()`` whatever the flag)."""

    def forward(self: Module, input: Any) -> Tensor:
        return function(input)

    def forward_with_flag(self: _InPlaceFlag, input: Any) -> Tensor:
        return function(input, self.inplace)

    def no_extra_repr(self: Module) -> str:
        return ""

    base, forward = (_InPlaceFlag, forward_with_flag) if inplace_flag else (Module, forward)
    members = {"forward": forward, "__doc__": doc, "__module__": __name__}
    if not shows_flag:
        members["extra_repr"] = no_extra_repr
    return type(name, (base,), members)


SELU = _stateless("SELU", F.selu, "Self-normalising ELU, scale * elu(x, alpha).", inplace_flag=True)
LogSigmoid = _stateless("LogSigmoid", F.logsigmoid, "log(sigmoid(x)), stable.")
Hardsigmoid = _stateless("Hardsigmoid", F.hardsigmoid, "relu6(x + 3) / 6.", inplace_flag=True, shows_flag=False)
Hardswish = _stateless("Hardswish", F.hardswish, "x * relu6(x + 3) / 6.", inplace_flag=True, shows_flag=False)
Softsign = _stateless("Softsign", F.softsign, "x / (1 + |x|).")
