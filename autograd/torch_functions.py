"""torch's module-level spellings of the Tensor methods: ``autograd.exp(x)`` is ``x.exp()``, as
``torch.exp(x)`` is ``x.exp()`` in torch (``autograd.real(x)`` is the property ``x.real``), torch's dtype
names (``autograd.float32``) and its constants (``autograd.inf``, ``nan``, ``pi``, ``e``, ``newaxis``).

Each function hands its input to the method of the same name, with the remaining arguments
unchanged (torch's ``out=`` then receives the result: :mod:`autograd.out_argument`), so it records
the same op and has the same derivative (one place for each op's maths: the method). A :class:`Value` input uses the Value's method; anything else becomes a Tensor first.
``max``/``min`` follow torch: ``max(x)`` is the maximum, ``max(x, dim)`` the ``(values, indices)``
pair and ``max(x, other)`` the elementwise maximum; so do ``std``/``var``: ``std(x)`` and ``std(x, 0)`` are
torch's unbiased estimates (the method ``x.std()`` is numpy's ddof=0 unless given torch's keywords). The in-place spellings (``autograd.relu_(x)``, as
``torch.relu_(x)``) change their Tensor argument through its method and return it; they refuse anything
else (a temporary Tensor made from an array would take the change and be thrown away).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .core import Node
from .default_dtype import python_float_dtype
from .out_argument import written_to_out
from .tensor import Tensor, _operand
from .torch_keywords import UNSET, torch_keyword_names

__all__ = [
    "TORCH_METHOD_FUNCTIONS",
    "TORCH_PROPERTY_FUNCTIONS",
    "TORCH_VIEW_COPY_FUNCTIONS",
    "max",
    "min",
    "std",
    "var",
]

# fmt: off
#: The Tensor methods that torch also spells as functions of the module.
TORCH_METHOD_FUNCTIONS = (
    "abs", "absolute", "acos", "acosh", "add", "addbmm", "addcdiv", "addcmul", "addmm", "addmv", "addr", "adjoint",
    "all", "allclose", "amax", "amin", "aminmax", "angle", "any", "arccos", "arccosh", "arcsin", "arcsinh", "arctan",
    "arctan2", "arctanh", "argwhere", "as_strided", "asin", "asinh", "atan", "atan2", "atanh", "baddbmm", "bernoulli", "bincount",
    "bitwise_and", "bitwise_left_shift", "bitwise_not", "bitwise_or", "bitwise_right_shift", "bitwise_xor", "bmm",
    "broadcast_to", "ceil", "cholesky", "cholesky_inverse", "cholesky_solve", "chunk", "clamp", "clamp_max", "clamp_min", "clip", "clone", "conj",
    "conj_physical", "copysign", "corrcoef", "cos", "cosh", "count_nonzero", "cov", "cross", "deg2rad", "det", "detach", "diag_embed",
    "diagflat", "diagonal_scatter", "digamma", "dist", "div", "divide", "eq", "equal", "erf", "erfc", "erfinv", "exp",
    "exp2", "expm1", "fix", "flatten", "float_power", "floor", "floor_divide", "fmax", "fmin", "fmod", "frac", "frexp",
    "gcd", "ge", "ger", "get_device", "greater", "greater_equal", "gt", "hardshrink", "heaviside", "histc", "histogram",
    "hypot", "i0", "igamma", "igammac", "index_add", "index_copy", "index_fill", "index_put", "index_reduce", "index_select", "inverse",
    "is_complex", "is_conj", "is_floating_point", "is_inference", "is_neg", "is_nonzero", "is_same_size", "is_signed",
    "isclose", "isfinite", "isinf", "isnan", "isneginf", "isposinf", "isreal", "kthvalue", "lcm", "ldexp", "le", "lerp",
    "less", "less_equal", "lgamma", "log", "log10", "log1p", "log2", "log_softmax", "logaddexp", "logaddexp2", "logdet",
    "logical_and", "logical_not", "logical_or", "logical_xor", "logit", "logsumexp", "lt", "lu", "lu_solve", "masked_scatter",
    "masked_select", "matrix_exp", "matrix_power", "mean", "median", "mm", "mode", "movedim", "msort", "mul",
    "multinomial", "multiply", "mv", "mvlgamma", "nan_to_num", "nanmean", "nanmedian", "nanquantile", "nansum",
    "narrow", "narrow_copy", "ne", "neg", "negative", "nextafter", "nonzero", "nonzero_static", "norm", "not_equal", "numel", "permute",
    "pinverse", "positive", "pow", "prelu", "prod", "put", "qr", "quantile", "rad2deg", "reciprocal", "relu",
    "remainder", "renorm", "repeat_interleave", "reshape", "resolve_conj", "resolve_neg", "round", "rsqrt",
    "scatter_reduce", "select", "select_scatter", "sgn", "sigmoid", "sign", "signbit", "sin", "sinc", "sinh",
    "slice_scatter", "slogdet", "softmax", "split_with_sizes", "sqrt", "square", "squeeze", "sub", "subtract",
    "sum", "svd", "swapdims", "t", "take_along_dim", "tan", "tanh", "tensor_split", "transpose", "triangular_solve",
    "true_divide", "trunc", "unbind", "unflatten", "unique", "unique_consecutive", "unsafe_chunk", "unsafe_split",
    "unsafe_split_with_sizes", "unsqueeze", "vdot", "xlogy",
)
# fmt: on

# fmt: off
#: The in-place Tensor methods that torch also spells as functions of the module (``torch.relu_(x)``).
TORCH_IN_PLACE_FUNCTIONS = (
    "abs_", "acos_", "acosh_", "addmv_", "arccos_", "as_strided_", "arccosh_", "arcsin_", "arcsinh_", "arctan_", "arctanh_", "asin_",
    "asinh_", "atan_", "atanh_", "ceil_", "clamp_", "clamp_max_", "clamp_min_", "clip_", "conj_physical_", "cos_", "cosh_", "deg2rad_",
    "detach_", "erf_", "erfc_", "exp2_", "exp_", "expm1_", "fill_", "fix_", "floor_", "frac_", "gcd_", "i0_",
    "index_put_", "lcm_", "ldexp_", "log10_", "log1p_", "log2_", "log_", "logit_", "nan_to_num_", "neg_", "negative_",
    "rad2deg_", "reciprocal_", "relu_", "resize_as_", "round_", "rsqrt_", "sigmoid_", "sin_", "sinc_", "sinh_",
    "sqrt_", "square_", "tan_", "tanh_", "trunc_", "xlogy_", "zero_",
)
# fmt: on

#: The functions whose ``out=`` torch takes only in the result's own dtype (its RuntimeError "Found dtype Half but
#: expected Float"; signbit's "does not support non-boolean outputs"), where the others cast into ``out``.
SAME_DTYPE_OUT = frozenset(
    ("abs", "absolute", "addbmm", "addmm", "addmv", "amax", "amin", "aminmax", "baddbmm", "bmm", "ceil", "clamp",
     "clip", "cross", "fix", "float_power", "floor", "frac", "gather", "heaviside", "histc", "index_add", "index_copy",
     "index_select", "inverse", "kthvalue", "log_softmax", "masked_select", "matrix_power", "median", "mm", "mode",
     "msort", "multinomial", "mv", "nan_to_num", "nanmedian", "nanquantile", "neg", "negative", "nonzero", "norm",
     "quantile", "round", "scatter_reduce", "sgn", "sign", "signbit", "softmax", "take", "take_along_dim", "trunc",
     "vdot")
)  # fmt: skip

#: The functions whose ``out=`` torch takes in these dtypes only, whatever the result's ("all only supports bool
#: tensor for result"; uint8 too, the dtype all/any of a uint8 tensor give): their 0s and 1s are written in out's.
TRUTH_OUT_DTYPES = {"all": (np.bool_, np.uint8), "any": (np.bool_, np.uint8)}

#: The functions whose ``out=`` torch refuses when it shares memory with an input (even all of it).
NO_OVERLAP_OUT = frozenset(("gather", "index_select", "kthvalue", "masked_select", "take"))

#: The Tensor properties that torch also spells as functions of the module (``autograd.real(x)`` is ``x.real``).
TORCH_PROPERTY_FUNCTIONS = ("imag", "real")

#: torch's dtype names, as the numpy dtypes a Tensor holds (``x.to(autograd.float32)``).
DTYPES = {
    "float16": np.float16, "half": np.float16, "float32": np.float32, "float": np.float32,
    "float64": np.float64, "double": np.float64, "int8": np.int8, "uint8": np.uint8, "int16": np.int16,
    "short": np.int16, "int32": np.int32, "int": np.int32, "int64": np.int64, "long": np.int64, "bool": np.bool_,
    "uint16": np.uint16, "uint32": np.uint32, "uint64": np.uint64,
}  # fmt: skip


#: The view methods whose results torch also gives as fresh copies, ``torch.<name>_copy`` (the functional forms of
#: the views: ``torch.permute_copy(x, (1, 0))`` is ``x.permute(1, 0).clone()``); ``alias_copy`` is ``clone``.
TORCH_VIEW_COPY_FUNCTIONS = (
    "alias",
    "as_strided",
    "detach",
    "diagonal",
    "expand",
    "permute",
    "select",
    "split",
    "split_with_sizes",
    "squeeze",
    "t",
    "transpose",
    "unbind",
    "unfold",
    "unsqueeze",
    "view",
)

#: torch's module-level constants (``-torch.inf`` as a mask's fill, ``torch.pi`` in a hand-written GELU), numpy's and
#: Python's values: ``inf``, ``nan``, ``pi`` and ``e`` are floats, ``newaxis`` is None (an index that adds an axis).
CONSTANTS = {"inf": math.inf, "nan": math.nan, "pi": math.pi, "e": math.e, "newaxis": None}

#: torch's layout and memory formats, as the names they print as, which the factories' ``layout=`` and the
#: conversions' ``memory_format=`` read (``x.contiguous(memory_format=autograd.channels_last)``, ``x.layout ==
#: autograd.strided``).
LAYOUTS_AND_MEMORY_FORMATS = {
    name: f"torch.{name}"
    for name in ("strided", "contiguous_format", "preserve_format", "channels_last", "channels_last_3d")
}


def _node(input: Any) -> Node:
    """``input`` as a node: a Tensor of it unless it is one; Python floats (and lists of them) in the default floating
    dtype, as torch's (``autograd.add(2.5, 1.0)`` is a float32 Tensor after ``set_default_dtype(float32)``)."""
    if isinstance(input, Node):
        return input
    dtype = python_float_dtype(input)
    return Tensor(input) if dtype is None else Tensor(np.asarray(input, dtype=dtype))


#: The functions whose result is floating for integer operands (true division, ``xlogy``, ``float_power``): a Python
#: int before an integer Tensor is the number it is, not wrapped into the Tensor's dtype first
_FLOATING_OF_INTEGERS = frozenset({"div", "divide", "true_divide", "xlogy", "float_power"})


def _first_operand(name: str, input: Any, args: tuple, kwargs: dict[str, Any] | None = None) -> Node:
    """The node whose method ``name`` runs: ``input``, made a Tensor. A Python number before a Tensor
    (``autograd.add(3, t)``) is a number as in ``3 + t``, torch's weak scalar: in the Tensor's dtype where that
    holds it (a Tensor of numpy's int64 or float64 would widen a 0-d uint8 or float32 ``t``). An int before an
    integer Tensor in a function whose result is floating (``autograd.div(-3, t)``, ``xlogy``, ``float_power``) is
    a float, as torch computes it: wrapped into a uint8 ``t``, -3 was 253 (``div(-3, 3)`` gave 84.3, not -1)."""
    if type(input) in (bool, int, float) and args and isinstance(args[0], Tensor):
        if (
            type(input) is int
            and name in _FLOATING_OF_INTEGERS
            and args[0]._data.dtype.kind in "iub"
            and (kwargs or {}).get("rounding_mode") is None
        ):
            return _node(float(input))
        return _operand(input, args[0]._data, name)
    return _node(input)


def _method_function(name: str) -> Callable[..., Any]:
    def function(input: Any, *args: Any, out: Any = None, **kwargs: Any) -> Any:
        node = _first_operand(name, input, args, kwargs)
        method = getattr(node, name, None)
        if method is None:
            raise TypeError(f"{name}: not defined for a {type(node).__name__} (it is a Tensor method)")
        result = method(*args, **kwargs)
        if out is None:
            return result
        inputs = (node, *args, *kwargs.values()) if name in NO_OVERLAP_OUT else ()
        if name in TRUTH_OUT_DTYPES and isinstance(out, Tensor):
            if out.dtype not in TRUTH_OUT_DTYPES[name]:
                raise RuntimeError(f"{name}(): out= must be a bool or uint8 tensor, as torch's, got dtype {out.dtype}")
            result = result.astype(out.dtype)
        return written_to_out(name, result, out, same_dtype=name in SAME_DTYPE_OUT, inputs=inputs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"torch.{name}(input, ...): ``input.{name}(...)`` (see Tensor.{name})."
    return function


def _view_copy_function(name: str) -> Callable[..., Any]:
    view = _method_function("clone" if name == "alias" else name)

    def function(input: Any, *args: Any, out: Any = None, **kwargs: Any) -> Any:
        if name == "squeeze" and args:  # torch's dims: an axis whose length is not 1 is left (not numpy's error)
            args, kwargs = (), {**kwargs, "dim": args[0] if len(args) == 1 else args}
        result = view(input, *args, **kwargs)
        copies = tuple(piece.clone() for piece in result) if isinstance(result, tuple) else result.clone()
        return copies if out is None else written_to_out(f"{name}_copy", copies, out)

    function.__name__ = function.__qualname__ = f"{name}_copy"
    function.__doc__ = (
        f"torch.{name}_copy(input, ...): ``input.{name}(...)`` as a fresh copy (``clone`` of each result), not a "
        f"view of ``input``; the gradient is the view's."
    )
    return function


def _in_place_function(name: str) -> Callable[..., Any]:
    def function(input: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(input, Tensor):
            raise TypeError(
                f"{name}: changes a Tensor in place, got a {type(input).__name__} (make it a Tensor first, or use "
                f"the out-of-place {name[:-1]})"
            )
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"torch.{name}(input, ...): ``input.{name}(...)``, in place (see Tensor.{name})."
    return function


def _property_function(name: str) -> Callable[[Any], Any]:
    def function(input: Any) -> Any:
        return getattr(_node(input), name)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"torch.{name}(input): ``input.{name}`` (see Tensor.{name})."
    return function


def _extremum(name: str, elementwise: str) -> Callable[..., Any]:
    def function(
        input: Any,
        dim: Any = None,
        keepdim: bool = False,
        *,
        other: Any = None,
        axis: Any = UNSET,
        keepdims: Any = UNSET,
        out: Any = None,
    ) -> Any:
        result = _extremum_of(_node(input), dim, keepdim, other, axis, keepdims)
        if out is None:
            return result
        # torch's out=: the (values, indices) pair takes no cast (values of the input's dtype, int64 indices); the
        # extreme of every entry and the elementwise one are cast into out's dtype, as other ops' results are
        return written_to_out(name, result, out, same_dtype=isinstance(result, tuple))

    def _extremum_of(node: Node, dim: Any, keepdim: bool, other: Any, axis: Any, keepdims: Any) -> Any:
        if axis is not UNSET or keepdims is not UNSET:  # numpy's np.max(a, axis=, keepdims=): the values alone
            if dim is not None or keepdim or other is not None:
                raise TypeError(f"{name}: got numpy's axis=/keepdims= with torch's dim/keepdim/other; pass one kind")
            return getattr(node, name)(axis=None if axis is UNSET else axis, keepdims=keepdims is True)
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
        f"``(values, indices)`` pair along ``dim``, ``{name}(x, other)`` the elementwise ``{elementwise}``; "
        f"numpy's ``{name}(x, axis=, keepdims=)`` the values alone. torch's ``out=`` (a pair of Tensors for the pair) "
        f"receives the result (:mod:`autograd.out_argument`)."
    )
    return function


max = _extremum("max", "maximum")
min = _extremum("min", "minimum")


def _spread(name: str) -> Callable[..., Any]:
    def function(
        input: Any,
        dim: Any = None,
        unbiased: Any = None,
        keepdim: bool = False,
        *,
        correction: Any = None,
        axis: Any = UNSET,
        ddof: Any = UNSET,
        keepdims: Any = UNSET,
        out: Any = None,
    ) -> Any:
        node = _node(input)
        if axis is not UNSET or ddof is not UNSET or keepdims is not UNSET:  # numpy's spelling: numpy's ddof=0
            if dim is not None or unbiased is not None or keepdim or correction is not None:
                raise TypeError(
                    f"{name}: got numpy's axis=/ddof=/keepdims= with torch's dim/unbiased/keepdim/correction; "
                    f"pass one kind"
                )
            result = getattr(node, name)(
                axis=None if axis is UNSET else axis,
                ddof=0 if ddof is UNSET else ddof,
                keepdims=keepdims is True,
            )
        else:
            if isinstance(dim, bool):  # torch's overload std(input, unbiased)
                if unbiased is not None:
                    raise TypeError(f"{name}: got unbiased={unbiased!r} and a bool dim {dim!r}, which is unbiased")
                dim, unbiased = None, dim
            result = getattr(node, name)(dim=dim, keepdim=keepdim, unbiased=unbiased, correction=correction)
        return result if out is None else written_to_out(name, result, out)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = (
        f"torch.{name}: ``{name}(x)`` over every entry, ``{name}(x, dim, unbiased=None, keepdim=False, *, "
        f"correction=None)`` along ``dim``, with torch's correction: 1 (the unbiased estimate, n - 1 in the "
        f"divisor) unless ``unbiased=False`` or another ``correction``; ``{name}(x, unbiased)`` too. numpy's "
        f"``{name}(x, axis=, ddof=, keepdims=)`` keeps numpy's ddof=0. (The method ``x.{name}()`` without torch's "
        f"keywords is numpy's.)"
    )
    return function


std = _spread("std")
var = _spread("var")


def rsub(input: Any, other: Any, *, alpha: Any = 1, out: Any = None) -> Any:
    """torch.rsub: ``other - alpha * input``, ``sub`` with its operands swapped (``autograd.sub(other, input,
    alpha=alpha)``, so a number ``other`` is a number as in ``3 - t``); d/dinput = -alpha, d/dother = 1."""
    return _method_function("sub")(other, input, alpha=alpha, out=out)


#: torch's keyword names for the arguments of autograd's functions that keep numpy's (or their own) names: torch's
#: ``input`` names the first argument of each, and the others are listed (torch's name: autograd's).
TORCH_KEYWORD_NAMES: dict[str, dict[str, str]] = {
    **dict.fromkeys(
        (
            "argmax", "argmin", "argsort", "cummax", "cummin", "cumprod", "cumsum", "diagonal", "diff", "flip",
            "fliplr", "flipud", "full_like", "logcumsumexp", "moveaxis", "ones_like", "rand_like", "randn_like",
            "ravel", "roll", "sort", "swapaxes", "trace", "tril", "triu", "zeros_like",
        ),
        {},
    ),
    "diag": {"diagonal": "k"},
    "dot": {"tensor": "b"},
    "inner": {"other": "b"},
    "kron": {"other": "b"},
    "outer": {"vec2": "b"},
    "maximum": {"other": "y"},
    "minimum": {"other": "y"},
    "rot90": {"dims": "axes"},
    "scatter": {"value": "src"},
    "tile": {"dims": "reps"},
    "take": {"index": "indices"},
    **dict.fromkeys(("hsplit", "vsplit", "dsplit"), {"sections": "indices_or_sections", "indices": "indices_or_sections"}),
    **dict.fromkeys(("column_stack", "dstack", "hstack", "row_stack", "vstack"), {"tensors": "tup", "input": ""}),
    "from_numpy": {"ndarray": "array", "input": ""},
    "isin": {"input": "", "element": "elements", "test_element": "test_elements"},
}  # fmt: skip


def with_torch_keyword_names(namespace: dict[str, Any]) -> dict[str, Any]:
    """The functions of ``namespace`` named in :data:`TORCH_KEYWORD_NAMES`, each taking torch's keyword names
    too (``autograd.cumsum(input=x, dim=1)``, ``autograd.maximum(input=a, other=b)``, as torch's)."""
    functions = {}
    for name, aliases in TORCH_KEYWORD_NAMES.items():
        function = namespace[name]
        first = next(iter(inspect.signature(function).parameters))
        aliases = {"input": first, **aliases}
        functions[name] = torch_keyword_names(function, **{k: v for k, v in aliases.items() if v})
    return functions


#: torch.special's own names for arguments autograd.special's functions also take under its names: polygamma's n
#: and multigammaln's p (every other argument is torch's ``input``, then ``other``)
_SPECIAL_OWN_NAMES = {"polygamma": 0, "multigammaln": 1}


def special_with_torch_keyword_names(module: Any) -> dict[str, Any]:
    """The functions of ``module`` (autograd.special) whose arguments keep the library's names (``x``, ``a``,
    ``(a, x)``, ``(n, x)``), each taking torch.special's too: ``input=`` for the tensor, ``other=`` for a second
    one (``special.erf(input=x)``, ``special.xlog1py(input=x, other=y)``, ``special.polygamma(n=1, input=x)``); one
    function under two names (``psi`` and ``digamma``) stays one function."""
    wrapped: dict[int, Any] = {}
    functions = {}
    for name in module.__all__:
        function = getattr(module, name)
        if not inspect.isfunction(function) or function.__module__ != module.__name__:
            continue  # (the top-level functions torch.special also names take torch's names already)
        names = [parameter.name for parameter in inspect.signature(function).parameters.values()]
        own = _SPECIAL_OWN_NAMES.get(name)
        tensors = [parameter for position, parameter in enumerate(names) if position != own]
        aliases = {torch_name: parameter for torch_name, parameter in zip(("input", "other"), tensors)}
        if id(function) not in wrapped:
            wrapped[id(function)] = torch_keyword_names(function, **aliases)
        functions[name] = wrapped[id(function)]
    return functions


def module_functions(existing: set[str]) -> dict[str, Any]:
    """The functions, dtype names and constants above that ``autograd`` does not already define (``existing``)."""
    functions: dict[str, Any] = {name: _method_function(name) for name in TORCH_METHOD_FUNCTIONS}
    functions.update({name: _in_place_function(name) for name in TORCH_IN_PLACE_FUNCTIONS})
    functions.update({name: _property_function(name) for name in TORCH_PROPERTY_FUNCTIONS})
    functions.update({f"{name}_copy": _view_copy_function(name) for name in TORCH_VIEW_COPY_FUNCTIONS})
    functions.update(max=max, min=min, std=std, var=var, rsub=rsub, **DTYPES, **CONSTANTS, **LAYOUTS_AND_MEMORY_FORMATS)
    return {name: value for name, value in functions.items() if name not in existing}
