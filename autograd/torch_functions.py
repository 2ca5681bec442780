"""torch's module-level spellings of the Tensor methods: ``autograd.exp(x)`` is ``x.exp()``, as
``torch.exp(x)`` is ``x.exp()`` in torch, and torch's dtype names (``autograd.float32``).

Each function hands its input to the method of the same name, with the remaining arguments
unchanged, so it records the same op and has the same derivative (one place for each op's maths:
the method). A :class:`Value` input uses the Value's method; anything else becomes a Tensor first.
``max``/``min`` follow torch: ``max(x)`` is the maximum, ``max(x, dim)`` the ``(values, indices)``
pair and ``max(x, other)`` the elementwise maximum.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .core import Node
from .tensor import Tensor

__all__ = ["TORCH_METHOD_FUNCTIONS", "max", "min"]

# fmt: off
#: The Tensor methods that torch also spells as functions of the module.
TORCH_METHOD_FUNCTIONS = (
    "abs", "acos", "acosh", "add", "allclose", "amax", "amin", "asin", "asinh", "atan", "atan2", "atanh", "bmm",
    "ceil", "clamp", "clamp_max", "clamp_min", "clone", "cos", "cosh", "count_nonzero", "detach", "div", "eq",
    "equal", "erf", "exp", "exp2", "expm1", "flatten", "floor", "fmod", "ge", "gt", "hypot", "isclose",
    "isfinite", "isinf", "isnan", "le", "lerp", "log", "log10", "log1p", "log2", "log_softmax", "logaddexp",
    "logical_and", "logical_not", "logical_or", "logical_xor", "logsumexp", "lt", "mean", "mm", "mul", "mv",
    "ne", "neg", "norm", "numel", "permute", "pow", "prod", "reciprocal", "relu", "remainder", "reshape",
    "round", "rsqrt", "sigmoid", "sign", "sin", "sinh", "softmax", "sqrt", "square", "squeeze", "std", "sub",
    "sum", "t", "tan", "tanh", "transpose", "trunc", "unsqueeze", "var",
)
# fmt: on

#: torch's dtype names, as the numpy dtypes a Tensor holds (``x.to(autograd.float32)``).
DTYPES = {
    "float16": np.float16, "half": np.float16, "float32": np.float32, "float": np.float32,
    "float64": np.float64, "double": np.float64, "int8": np.int8, "uint8": np.uint8, "int16": np.int16,
    "short": np.int16, "int32": np.int32, "int": np.int32, "int64": np.int64, "long": np.int64, "bool": np.bool_,
}  # fmt: skip


def _node(input: Any) -> Node:
    return input if isinstance(input, Node) else Tensor(input)


def _method_function(name: str) -> Callable[..., Any]:
    def function(input: Any, *args: Any, **kwargs: Any) -> Any:
        node = _node(input)
        method = getattr(node, name, None)
        if method is None:
            raise TypeError(f"{name}: not defined for a {type(node).__name__} (it is a Tensor method)")
        return method(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"torch.{name}(input, ...): ``input.{name}(...)`` (see Tensor.{name})."
    return function


def _extremum(name: str, elementwise: str) -> Callable[..., Any]:
    def function(input: Any, dim: Any = None, keepdim: bool = False, *, other: Any = None) -> Any:
        node = _node(input)
        if other is None and isinstance(dim, (Node, np.ndarray)):
            dim, other = None, dim
        if other is not None:
            if dim is not None or keepdim:
                raise TypeError(f"{name}: give either a dim (with keepdim) or other, not both")
            return getattr(node, elementwise)(other)
        if not isinstance(node, Tensor):
            raise TypeError(
                f"{name}: reduces a Tensor; for a {type(node).__name__}, pass other= (the elementwise {elementwise})"
            )
        if dim is None:
            if keepdim:
                raise TypeError(f"{name}: keepdim needs a dim")
            return getattr(node, name)()
        return getattr(node, name)(dim=dim, keepdim=keepdim)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (
        f"torch.{name}: ``{name}(x)`` the {name}imum of every entry, ``{name}(x, dim, keepdim=False)`` the "
        f"``(values, indices)`` pair along ``dim``, ``{name}(x, other)`` the elementwise ``{elementwise}``."
    )
    return function


max = _extremum("max", "maximum")
min = _extremum("min", "minimum")


def module_functions(existing: set[str]) -> dict[str, Any]:
    """The functions and dtype names above that ``autograd`` does not already define (``existing``)."""
    functions: dict[str, Any] = {name: _method_function(name) for name in TORCH_METHOD_FUNCTIONS}
    functions.update(max=max, min=min, **DTYPES)
    return {name: value for name, value in functions.items() if name not in existing}
