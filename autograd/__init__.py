"""autograd: a small reverse-mode automatic-differentiation engine.

Two node kinds share one graph core: :class:`Value` (a scalar, micrograd-style)
and :class:`Tensor` (a numpy array). ``backward()`` fills ``.grad``;
:func:`grad` and friends return gradients without touching it and support
higher-order derivatives (``create_graph=True``).
"""

from .anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled
from .contractions import diag, diagonal, dot, einsum, inner, kron, outer, tensordot, trace
from .core import (
    Node,
    Op,
    backward_order,
    enable_grad,
    increment_version,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .draw import GraphvizNotFoundError, backward_steps, draw_graph, render
from .function import Function, FunctionContext
from .functional import grad
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .shared_math import safe_norm
from .tensor import Tensor, where
from .tensor_functions import (
    arange,
    as_tensor,
    cat,
    check_class_range,
    concatenate,
    constant,
    eye,
    from_numpy,
    full,
    full_like,
    linear,
    linspace,
    matmul,
    maximum,
    minimum,
    ones,
    ones_like,
    pad,
    rand,
    rand_like,
    randn,
    randn_like,
    softmax_cross_entropy,
    split,
    stack,
    tensor,
    zeros,
    zeros_like,
)
from .value import Value

__all__ = [
    "AnomalyError",
    "arange",
    "as_tensor",
    "backward_order",
    "backward_steps",
    "cat",
    "check_class_range",
    "concatenate",
    "constant",
    "detect_anomaly",
    "diag",
    "diagonal",
    "dot",
    "draw_graph",
    "einsum",
    "enable_grad",
    "eye",
    "from_numpy",
    "Function",
    "FunctionContext",
    "full",
    "full_like",
    "grad",
    "increment_version",
    "gradcheck",
    "GradcheckError",
    "gradgradcheck",
    "GraphvizNotFoundError",
    "inner",
    "is_anomaly_enabled",
    "is_grad_enabled",
    "kron",
    "linear",
    "linspace",
    "matmul",
    "maximum",
    "minimum",
    "no_grad",
    "Node",
    "ones",
    "ones_like",
    "Op",
    "outer",
    "pad",
    "rand",
    "rand_like",
    "randn",
    "randn_like",
    "render",
    "safe_norm",
    "set_grad_enabled",
    "softmax_cross_entropy",
    "split",
    "stack",
    "Tensor",
    "tensor",
    "tensordot",
    "trace",
    "Value",
    "where",
    "zeros",
    "zeros_like",
]
