"""``torch.autograd``'s namespace, so ``torch.autograd.grad(...)``, ``torch.autograd.Function`` and
``torch.autograd.functional.jacobian(...)`` run with ``import autograd as torch``: the package is read as
``autograd.autograd``, holding the names of torch's ``torch.autograd`` that this library has, each the
package's own object (``autograd.autograd.grad is autograd.grad``). It is importable under that name too, so
``from torch.autograd import grad`` ports as ``from autograd.autograd import grad``."""

from __future__ import annotations

import sys

from . import function, functional, grad_mode, graph
from .anomaly import detect_anomaly, set_detect_anomaly
from .function import Function
from .functional import Variable, backward, grad
from .grad_mode import enable_grad, no_grad, set_grad_enabled
from .gradcheck import gradcheck, gradgradcheck
from .torch_module_functions import inference_mode

__all__ = [
    "Function",
    "Variable",
    "backward",
    "detect_anomaly",
    "enable_grad",
    "function",
    "functional",
    "grad",
    "grad_mode",
    "gradcheck",
    "gradgradcheck",
    "graph",
    "inference_mode",
    "no_grad",
    "set_detect_anomaly",
    "set_grad_enabled",
]

# ``from autograd.autograd import grad`` (torch's ``from torch.autograd import grad``): the import system finds a
# submodule by its name in sys.modules, not as the package's attribute, so this module is registered under it.
sys.modules.setdefault(f"{__name__.rpartition('.')[0]}.autograd", sys.modules[__name__])

#: ``torch.autograd.graph`` is :mod:`autograd.graph`, registered under this name too, so
#: ``from autograd.autograd.graph import register_multi_grad_hook`` imports as torch's does; so are
#: ``torch.autograd.function`` (``from ... import once_differentiable, FunctionCtx``, custom Functions' usual import)
#: and ``torch.autograd.functional`` (``from ... import jacobian, hessian``).
for _name, _module in (("graph", graph), ("function", function), ("functional", functional)):
    sys.modules[f"{__name__.rpartition('.')[0]}.autograd.{_name}"] = _module
