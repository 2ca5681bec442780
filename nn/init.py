"""Weight initialisers (``nn.init``), named and shaped like ``torch.nn.init``.

Every ``*_`` function fills a Tensor/Parameter **in place** (its ``.data`` array
keeps its identity, shape and dtype), records no graph, and returns what it was given (a Parameter's
``.data`` or ``.grad`` array too, as torch's).
Random ones take ``rng`` (or ``generator=``, torch's name): a ``numpy.random.Generator``, an int
seed, or None for fresh entropy; the same seed always gives the same numbers.

Fans of a weight of shape (out, in, *kernel): ``fan_in = in * prod(kernel)``,
``fan_out = out * prod(kernel)``.
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from autograd import ArgumentRangeError, Tensor, from_numpy, no_grad
from autograd.gradient_array import GradientArray
from autograd.random_state import check_uniform_range, uniform_draws

from .checks import check_choice, check_positive_int, check_real, make_generator
from .warning_site import deprecated_alias, user_stacklevel

__all__ = [
    "calculate_gain",
    "constant_",
    "dirac_",
    "eye_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "lecun_normal_",
    "normal_",
    "ones_",
    "orthogonal_",
    "sparse_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
    # torch's deprecated spellings (in torch's __all__ too)
    "constant",
    "dirac",
    "eye",
    "kaiming_normal",
    "kaiming_uniform",
    "normal",
    "orthogonal",
    "sparse",
    "uniform",
    "xavier_normal",
    "xavier_uniform",
]

RandomState = np.random.Generator | int | None
_Initialiser = TypeVar("_Initialiser", bound=Callable[..., Any])

_UNIT_GAIN = (
    "linear",
    "identity",
    "sigmoid",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)


def _float_tensor(tensor: Any, function: str, *, any_dtype: bool = False) -> Tensor:
    """``tensor`` checked; a Tensor's ``.data`` (or ``.grad``), as in torch's ``init.normal_(m.weight.data)``, as a
    Tensor sharing its memory, so the initialiser writes into the parameter with nothing recorded. Floating-point
    only, unless ``any_dtype``: the fills of fixed values (zeros_, ones_, constant_, eye_, dirac_) take integer and
    bool tensors too, as torch's, the value cast to the dtype (constant_(t, 2.7) writes 2 into an int64 t)."""
    if isinstance(tensor, GradientArray):
        tensor = from_numpy(tensor.view(np.ndarray))
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{function}: expected a Tensor or Parameter, got {type(tensor).__name__}")
    if tensor.dtype.kind != "f" and not any_dtype:
        raise TypeError(f"{function}: only floating-point tensors can be initialised, got dtype {tensor.dtype}")
    return tensor


def _returns_its_argument(function: _Initialiser) -> _Initialiser:
    """``function`` returning the object it was given, as torch's initialisers return their tensor: a Parameter's
    ``.data`` or ``.grad`` array is filled through a Tensor sharing its memory (:func:`_float_tensor`), and the
    array itself, not that Tensor, comes back (``init.normal_(w.data) is w.data``)."""

    @functools.wraps(function)
    def initialise(tensor: Any, *args: Any, **kwargs: Any) -> Any:
        filled = function(tensor, *args, **kwargs)
        return tensor if isinstance(tensor, GradientArray) else filled

    return initialise  # type: ignore[return-value]


def _random(function: str, rng: RandomState, generator: RandomState) -> np.random.Generator:
    """The Generator of a random initialiser: ``rng``, or ``generator`` (torch's keyword, taking the same values)."""
    if generator is None:
        return make_generator(function, "rng", rng)
    if rng is not None:
        raise TypeError(f"{function}: got both rng= and generator= (generator is torch's name for rng); pass one")
    return make_generator(function, "generator", generator)


def _uniform(source: np.random.Generator, low: float, high: float, tensor: Tensor) -> np.ndarray:
    """Draws from U[low, high) in the dtype of ``tensor``: one that rounds up to ``high`` is ``low``, as torch's
    (:func:`autograd.random_state.uniform_draws`)."""
    return uniform_draws(source, low, high, tensor.shape, tensor.dtype)


def _fill(tensor: Tensor, values: Any) -> Tensor:
    """Write ``values`` into ``tensor`` in place (cast to its dtype, version bumped), outside the graph."""
    with no_grad():
        tensor[...] = values
    return tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (torch's table).

    linear/identity/conv/conv_transpose/sigmoid: 1; tanh: 5/3; relu: sqrt(2); selu: 3/4;
    leaky_relu with negative slope a (``param``, default 0.01): sqrt(2 / (1 + a^2)); a ``param`` that is not a
    number (a bool, a string) is a ValueError, as torch's.
    """
    if nonlinearity in _UNIT_GAIN:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3.0
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "selu":
        return 0.75
    if nonlinearity == "leaky_relu":
        if param is not None and (isinstance(param, (bool, np.bool_)) or not isinstance(param, numbers.Real)):
            raise ValueError(f"calculate_gain: negative_slope must be a real number, got {param!r}")  # as torch's
        slope = 0.01 if param is None else check_real("calculate_gain", "negative_slope", param)
        return math.sqrt(2.0 / (1.0 + slope**2))
    raise ValueError(
        f"calculate_gain: unknown nonlinearity {nonlinearity!r}; choose one of "
        f"{sorted((*_UNIT_GAIN, 'tanh', 'relu', 'selu', 'leaky_relu'))}"
    )


def _calculate_fan_in_and_fan_out(tensor: Any, *, function: str = "_calculate_fan_in_and_fan_out") -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shaped (out, in) or (out, in, *kernel); fewer than 2 dimensions is a
    ValueError, as torch's, naming ``function`` (the initialiser that asked)."""
    shape = tuple(np.shape(tensor._data if isinstance(tensor, Tensor) else tensor))
    if len(shape) < 2:
        raise ValueError(f"{function}: fan in and fan out need a tensor with at least 2 dimensions, got shape {shape}")
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _has_no_elements(tensor: Tensor, function: str) -> bool:
    """True (with torch's warning) for a tensor with a zero-length axis: the fan-based initialisers leave it as it
    is, as torch's do, instead of dividing by its zero fan."""
    if 0 not in tensor.shape:
        return False
    warnings.warn(
        f"{function}: Initializing zero-element tensors is a no-op", UserWarning, stacklevel=user_stacklevel()
    )
    return True


def _calculate_correct_fan(tensor: Any, mode: str, *, function: str = "_calculate_correct_fan") -> int:
    """fan_in or fan_out of ``tensor`` (:func:`_calculate_fan_in_and_fan_out`) by ``mode``, read case-insensitively
    as torch's (``"FAN_OUT"`` is fan_out); another mode is a ValueError, checked first, as torch's."""
    if not isinstance(mode, str) or mode.lower() not in ("fan_in", "fan_out"):
        check_choice(function, "mode", mode, ("fan_in", "fan_out"))  # raises, naming the mode as given
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor, function=function)
    return fan_in if mode.lower() == "fan_in" else fan_out


def _fan(tensor: Tensor, mode: str, function: str) -> int:
    """:func:`_calculate_correct_fan` of the weight an initialiser ``function`` fills: a zero fan is a ValueError."""
    fan = _calculate_correct_fan(tensor, mode, function=function)
    if fan == 0:
        raise ValueError(f"{function}: cannot initialise a tensor with a zero {mode} (shape {tensor.shape})")
    return fan


@_returns_its_argument
def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return _fill(_float_tensor(tensor, "zeros_", any_dtype=True), 0)


@_returns_its_argument
def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return _fill(_float_tensor(tensor, "ones_", any_dtype=True), 1)


@_returns_its_argument
def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``, as torch's ``tensor.fill_(val)``: a number (nan, +-inf and bools too) or a 0-d tensor,
    cast to the tensor's dtype as :meth:`Tensor.fill_` casts it (2**62 + 1 stays exact in int64, not rounded
    through a float; 2.7 fills an integer tensor with 2; a value the dtype cannot hold is a ValueError)."""
    tensor = _float_tensor(tensor, "constant_", any_dtype=True)
    with no_grad():
        return tensor._fill(val, "constant_")


@_returns_its_argument
def uniform_(
    tensor: Tensor, a: float = 0.0, b: float = 1.0, rng: RandomState = None, *, generator: RandomState = None
) -> Tensor:
    """Draw from U(a, b). a > b is an :class:`~autograd.ArgumentRangeError` (a ValueError and torch's RuntimeError)."""
    tensor = _float_tensor(tensor, "uniform_")
    a, b = (check_real("uniform_", name, bound, allow_inf=True, allow_nan=True) for name, bound in (("a", a), ("b", b)))
    check_uniform_range("uniform_", a, b, tensor.dtype)  # (bounds beyond float32's made draws of -inf)
    return _fill(tensor, _uniform(_random("uniform_", rng, generator), a, b, tensor))


@_returns_its_argument
def normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, rng: RandomState = None, *, generator: RandomState = None
) -> Tensor:
    """Draw from N(mean, std^2). std < 0 is an :class:`~autograd.ArgumentRangeError` (a ValueError and torch's
    RuntimeError)."""
    tensor = _float_tensor(tensor, "normal_")
    mean, std = check_real("normal_", "mean", mean), check_real("normal_", "std", std, 0, error=ArgumentRangeError)
    return _fill(tensor, _random("normal_", rng, generator).normal(mean, std, tensor.shape))


@_returns_its_argument
def lecun_normal_(tensor: Tensor, rng: RandomState = None, *, generator: RandomState = None) -> Tensor:
    """Draw from N(0, 1 / fan_in) (LeCun; the course's default scaling)."""
    tensor = _float_tensor(tensor, "lecun_normal_")
    if _has_no_elements(tensor, "lecun_normal_"):
        return tensor
    std = 1.0 / math.sqrt(_fan(tensor, "fan_in", "lecun_normal_"))
    return _fill(tensor, _random("lecun_normal_", rng, generator).normal(0.0, std, tensor.shape))


@_returns_its_argument
def xavier_uniform_(
    tensor: Tensor, gain: float = 1.0, rng: RandomState = None, *, generator: RandomState = None
) -> Tensor:
    """Draw from U(-bound, bound), bound = gain * sqrt(6 / (fan_in + fan_out)) (Glorot)."""
    tensor = _float_tensor(tensor, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor, function="xavier_uniform_")
    bound = gain * math.sqrt(6.0 / max(fan_in + fan_out, 1))
    check_uniform_range("xavier_uniform_", -bound, bound, tensor.dtype)  # (a negative gain: torch's RuntimeError)
    return _fill(tensor, _uniform(_random("xavier_uniform_", rng, generator), -bound, bound, tensor))


@_returns_its_argument
def xavier_normal_(
    tensor: Tensor, gain: float = 1.0, rng: RandomState = None, *, generator: RandomState = None
) -> Tensor:
    """Draw from N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)) (Glorot)."""
    tensor = _float_tensor(tensor, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor, function="xavier_normal_")
    std = gain * math.sqrt(2.0 / max(fan_in + fan_out, 1))
    std = check_real("xavier_normal_", "std (gain * sqrt(2 / (fan_in + fan_out)))", std, 0, error=ArgumentRangeError)
    return _fill(tensor, _random("xavier_normal_", rng, generator).normal(0.0, std, tensor.shape))


@_returns_its_argument
def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: RandomState = None,
    *,
    generator: RandomState = None,
) -> Tensor:
    """Draw from U(-bound, bound), bound = gain * sqrt(3 / fan) (He), gain = calculate_gain(nonlinearity, a).

    With ``a = sqrt(5)`` (torch's layer default) the bound is 1 / sqrt(fan_in).
    """
    tensor = _float_tensor(tensor, "kaiming_uniform_")
    if _has_no_elements(tensor, "kaiming_uniform_"):
        return tensor
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(tensor, mode, "kaiming_uniform_"))
    return _fill(tensor, _uniform(_random("kaiming_uniform_", rng, generator), -bound, bound, tensor))


@_returns_its_argument
def kaiming_normal_(
    tensor: Tensor,
    a: float = 0.0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    rng: RandomState = None,
    *,
    generator: RandomState = None,
) -> Tensor:
    """Draw from N(0, std^2), std = gain / sqrt(fan) (He), gain = calculate_gain(nonlinearity, a)."""
    tensor = _float_tensor(tensor, "kaiming_normal_")
    if _has_no_elements(tensor, "kaiming_normal_"):
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode, "kaiming_normal_"))
    return _fill(tensor, _random("kaiming_normal_", rng, generator).normal(0.0, std, tensor.shape))


def _standard_normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0))) if math.isfinite(z) else float(z > 0)


@_returns_its_argument
def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    rng: RandomState = None,
    *,
    generator: RandomState = None,
) -> Tensor:
    """Draw from N(mean, std^2) conditioned on [a, b] (absolute bounds, as torch's: ``a=-2, b=2`` is +-2, not +-2 std).

    The density is phi((x - mean) / std) / (std Z) on [a, b], Z = Phi(beta) - Phi(alpha), alpha = (a - mean) / std,
    beta = (b - mean) / std. Drawn exactly by rejection: from N(mean, std^2) while Z >= 0.1; otherwise (a narrow
    or far-off interval) from the uniform law on [a, b], accepting x with probability exp(-(x - mean)^2 / 2 std^2)
    over its maximum on [a, b]; there a part beyond 40 std^2 / distance of the bound nearest the mean, which holds
    less than e^-40 of the mass, is left out (finite bounds only then). a == b (finite) fills with a, as torch's;
    a > b is an :class:`~autograd.ArgumentRangeError` (a ValueError and torch's RuntimeError).
    """
    tensor = _float_tensor(tensor, "trunc_normal_")
    mean, std = check_real("trunc_normal_", "mean", mean), check_real("trunc_normal_", "std", std, 0, low_open=True)
    a, b = (check_real("trunc_normal_", name, bound, allow_inf=True) for name, bound in (("a", a), ("b", b)))
    if a == b and math.isfinite(a):  # the law conditioned on one point is that point, as torch's fill
        return _fill(tensor, a)
    if not a < b or math.isnan(a) or math.isnan(b):
        raise ArgumentRangeError(f"trunc_normal_: need a <= b (a finite point when equal), got a={a}, b={b}")
    source = _random("trunc_normal_", rng, generator)
    mass = _standard_normal_cdf((b - mean) / std) - _standard_normal_cdf((a - mean) / std)
    nearest = min(max(mean, a), b)  # the point of [a, b] where the density is highest
    low, high = a, b
    if mass < 0.1:
        distance = abs(nearest - mean)
        reach = 40.0 * std * std / distance if distance else 40.0 * std
        low, high = max(a, nearest - reach), min(b, nearest + reach)
    values = np.empty(tensor.shape)
    missing = np.arange(values.size)
    while missing.size:
        if mass >= 0.1:
            draws = source.normal(mean, std, missing.size)
            kept = (draws >= a) & (draws <= b)
        else:
            draws = source.uniform(low, high, missing.size)
            log_ratio = ((nearest - mean) ** 2 - (draws - mean) ** 2) / (2 * std * std)
            kept = np.log(source.uniform(size=missing.size)) < log_ratio
        values.flat[missing[kept]] = draws[kept]
        missing = missing[~kept]
    return _fill(tensor, np.clip(values.astype(tensor.dtype), a, b))


@_returns_its_argument
def orthogonal_(tensor: Tensor, gain: float = 1.0, rng: RandomState = None, *, generator: RandomState = None) -> Tensor:
    """A (semi-)orthogonal matrix times ``gain``, from the QR decomposition of a Gaussian matrix (Saxe et al.).

    The tensor is seen as a (rows, cols) matrix, rows = shape[0], cols = the product of the rest (a conv
    weight flattened per output channel); the rows are orthonormal when rows <= cols (W W^T = gain^2 I), else
    the columns are (W^T W = gain^2 I). With Q R = G, the signs of diag(R) are moved into Q, so Q is drawn
    from the uniform (Haar) law over orthogonal matrices.
    """
    tensor = _float_tensor(tensor, "orthogonal_")
    gain = check_real("orthogonal_", "gain", gain)
    if tensor.ndim < 2:
        raise ValueError(f"orthogonal_: needs a tensor with at least 2 dimensions, got shape {tensor.shape}")
    rows = tensor.shape[0]
    cols = tensor.size // rows if rows else 0
    if tensor.size == 0:
        return tensor
    gaussian = _random("orthogonal_", rng, generator).normal(size=(rows, cols))
    tall = gaussian if rows >= cols else gaussian.T
    q, r = np.linalg.qr(tall)
    q = q * np.where(np.diag(r) < 0, -1.0, 1.0)
    matrix = q if rows >= cols else q.T
    return _fill(tensor, (gain * matrix).reshape(tensor.shape))


@_returns_its_argument
def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity: 1 where row = column, 0 elsewhere (also when not square)."""
    tensor = _float_tensor(tensor, "eye_", any_dtype=True)
    if tensor.ndim != 2:
        raise ValueError(f"eye_: needs a 2-D tensor, got shape {tensor.shape}")
    return _fill(tensor, np.eye(*tensor.shape))


@_returns_its_argument
def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a conv weight (out, in / groups, *kernel) of 3 to 5 dimensions with the Dirac delta: the convolution
    passes input channel c of each group to its output channel c, read at the kernel's centre, so with padding
    that keeps the size it is the identity (output channels beyond the input ones stay 0).

    weight[g * out_per_group + c, c, k_1 // 2, ..., k_d // 2] = 1 for c < min(out_per_group, in / groups), else 0.
    """
    tensor = _float_tensor(tensor, "dirac_", any_dtype=True)
    if tensor.ndim not in (3, 4, 5):
        raise ValueError(f"dirac_: needs a conv weight of 3, 4 or 5 dimensions, got shape {tensor.shape}")
    groups = check_positive_int("dirac_", "groups", groups)
    if tensor.shape[0] % groups:
        raise ValueError(f"dirac_: the output channels ({tensor.shape[0]}) must be divisible by groups ({groups})")
    out_per_group = tensor.shape[0] // groups
    centre = tuple(k // 2 for k in tensor.shape[2:])
    values = np.zeros(tensor.shape)
    for group in range(groups):
        for channel in range(min(out_per_group, tensor.shape[1])):
            values[(group * out_per_group + channel, channel) + centre] = 1.0
    return _fill(tensor, values)


@_returns_its_argument
def sparse_(
    tensor: Tensor, sparsity: float, std: float = 0.01, rng: RandomState = None, *, generator: RandomState = None
) -> Tensor:
    """A 2-D tensor drawn from N(0, std^2) with ceil(sparsity * rows) entries of each column set to 0, at rows
    chosen at random for each column (Martens, 2010). std < 0 is an :class:`~autograd.ArgumentRangeError` (a
    ValueError and torch's RuntimeError)."""
    tensor = _float_tensor(tensor, "sparse_")
    if tensor.ndim != 2:
        raise ValueError(f"sparse_: needs a 2-D tensor, got shape {tensor.shape}")
    sparsity = check_real("sparse_", "sparsity", sparsity, 0, 1)
    std = check_real("sparse_", "std", std, 0, error=ArgumentRangeError)
    source = _random("sparse_", rng, generator)
    rows, cols = tensor.shape
    values = source.normal(0.0, std, (rows, cols))
    zeros = math.ceil(sparsity * rows)
    for column in range(cols):
        values[source.permutation(rows)[:zeros], column] = 0.0
    return _fill(tensor, values)


# torch's deprecated names
uniform = deprecated_alias(uniform_, "nn.init")
normal = deprecated_alias(normal_, "nn.init")
constant = deprecated_alias(constant_, "nn.init")
eye = deprecated_alias(eye_, "nn.init")
dirac = deprecated_alias(dirac_, "nn.init")
xavier_uniform = deprecated_alias(xavier_uniform_, "nn.init")
xavier_normal = deprecated_alias(xavier_normal_, "nn.init")
kaiming_uniform = deprecated_alias(kaiming_uniform_, "nn.init")
kaiming_normal = deprecated_alias(kaiming_normal_, "nn.init")
orthogonal = deprecated_alias(orthogonal_, "nn.init")
sparse = deprecated_alias(sparse_, "nn.init")
