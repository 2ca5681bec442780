"""``GradientArray``: the ndarray a Tensor's ``.grad`` (and a Tensor hook's argument) reads as, with torch's tensor
methods on it, so the lines written for torch's gradients run:

>>> import autograd
>>> w = autograd.tensor([1.0, -3.0], requires_grad=True)
>>> (w * w).sum().backward()
>>> w.grad.data.clamp_(-1, 1)          # the DQN tutorial's gradient clipping
GradientArray([ 1., -1.])
>>> float(w.grad.norm())
1.4142135623730951
>>> w.grad.zero_()                     # the manual loop's reset
GradientArray([0., 0.])

It is a view of the gradient's own array, made on each read, and an ndarray subclass: numpy's functions,
indexing and arithmetic work as before (the gradient stored is a plain ndarray). The in-place methods (``zero_``,
``fill_``, ``add_``, ``sub_``, ``mul_``, ``div_``, ``clamp_``, ``neg_``, ``copy_``) write into the gradient, as
torch's do; ``clamp``, ``abs``, ``clone`` and ``norm`` give new values; ``view(-1)`` (integers) reshapes without
copying, as torch's; ``data``, ``detach()``, ``cpu()`` give the gradient itself (``g.data = v`` writes ``v`` into it,
so ``p.grad.data += wd * p.data`` runs) and ``numpy()`` it as a plain ndarray; ``float(g)``, ``int(g)`` and
``complex(g)`` read a one-element gradient of any shape (a (1,) bias's), as torch's. Arithmetic on it
(``lr * p.grad``, ``g * 2``, ``g.sum()``) gives plain ndarrays and numpy scalars, so the gradient's type does not
spread to parameters or optimizer state. Any other public name of torch's tensors that numpy's ndarray lacks
(``g.exp_()``, ``g.unsqueeze(0)``) is the method of a Tensor sharing this memory, with nothing recorded; numpy's own
names (``max``, ``std``, ``reshape``) keep numpy's meaning.

``DataArray``, the same with a name of its own, is what a Tensor's ``.data`` reads as (``w.data.normal_(0, 0.01)``,
``p.data.sub_(lr * p.grad)``); its torch out-of-place methods (``div``, ``mul``, ``eq``, ``float``, ...) give Tensors
outside the graph, as torch's ``.data`` is a tensor, so chains of torch methods run on it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from .default_dtype import real_dtype
from .deprecated_overloads import alpha_first
from .element_count import ElementCount
from .quiet import quietly
from .shape_errors import ShapeError, is_integer

__all__ = ["DataArray", "GradientArray", "plain", "stored_gradient"]

#: ``autograd.Tensor``, whose public methods these arrays borrow (set by :mod:`autograd.tensor`, which imports this
#: module)
_Tensor: Any = None


_ndarray = np.ndarray
_view_as = np.ndarray.view  # ndarray's own view (GradientArray.view reads torch's view(shape) first)


def plain(x: Any) -> Any:
    """``x`` as a plain ndarray if it is a :class:`GradientArray` (a view of the same memory), else ``x``."""
    return _view_as(x, _ndarray) if isinstance(x, GradientArray) else x


def stored_gradient(node: Any) -> Any:
    """``node``'s gradient as backward stored it (a plain ndarray, a float, a Tensor or None), without the view
    ``.grad`` makes and without its warning for a non-leaf: for library code reading many gradients
    (optimizers, clipping, diagnostics)."""
    return node._grad


def _sharing_tensor(array: np.ndarray) -> Any:
    """A Tensor holding ``array``'s memory (a leaf, nothing recorded): where these arrays borrow a Tensor's methods."""
    return _Tensor._make(_view_as(array, _ndarray))


def _operand_array(x: Any) -> Any:
    """A Tensor operand's array (torch's methods take tensors), anything else (arrays, numbers) as it is."""
    if isinstance(x, np.ndarray):
        return plain(x)
    return plain(getattr(x, "data", x))  # a Tensor's array, a Value's number


NONE_OPERAND = (
    "got None as an operand, where a Tensor, an array or a number is expected; a parameter's .grad is None until "
    "backward() reaches it (call loss.backward() before the update, or skip the parameters whose .grad is None)"
)
"""Why an update such as ``p.data -= p.grad`` met None, and what to do: numpy's words would be "Cannot cast ufunc
'subtract' output from dtype('O')"."""


def none_operand_error(op: str) -> TypeError:
    """The TypeError for None given to ``op`` (torch's class: "unsupported operand type(s) ... 'NoneType'")."""
    return TypeError(f"{op}: {NONE_OPERAND}")


def _scaled(other: Any, alpha: Any, op: str) -> Any:
    """``alpha * other`` for torch's ``alpha=`` of add and sub (``other``'s array; itself for alpha 1)."""
    if other is None:
        raise none_operand_error(op)
    other = _operand_array(other)
    return other if alpha == 1 else np.multiply(other, alpha)


_SYMBOLS = {
    f"__{prefix}{name}__": symbol + ("=" if prefix == "i" else "")
    for name, symbol in (("add", "+"), ("sub", "-"), ("mul", "*"), ("truediv", "/"))
    for prefix in ("", "r", "i")
}
"""The operator each dunder method stands for, as errors name it (``__isub__``: ``-=``)."""


def _on_plain(name: str, in_place: bool = False) -> Callable[..., Any]:
    """The operator ``name`` as ndarray's own, on this array's and the other operand's plain views: a plain result
    (the array itself, still this view, for an in-place one); NotImplemented where ndarray's gives it."""
    operator = getattr(np.ndarray, name)

    def method(self: np.ndarray, other: Any) -> Any:
        if other is None:
            raise none_operand_error(_SYMBOLS.get(name, name))
        result = operator(
            _view_as(self, _ndarray), _view_as(other, _ndarray) if isinstance(other, GradientArray) else other
        )
        if in_place and result is not NotImplemented:
            return self
        return result

    method.__name__ = method.__qualname__ = name
    return method


def _quiet(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` run with numpy's floating-point warnings off: IEEE results (``g.div_(0)`` gives inf, an overflow
    inf) and no RuntimeWarning, as a Tensor's methods and torch's give them."""

    @functools.wraps(method)
    def quiet_method(*args: Any, **kwargs: Any) -> Any:
        return quietly(method, *args, **kwargs)

    return quiet_method


def _numpy_or_torch(name: str) -> Callable[..., Any]:
    """ndarray's method ``name``, or a Tensor's when called with torch's ``dim=`` or ``keepdim=`` (numpy has neither):
    ``out.data.max(1, keepdim=True)[1]`` gives torch's indices, ``g.std(dim=0)`` torch's unbiased estimate, while
    ``out.data.max(1)`` stays numpy's values."""
    numpy_method = getattr(np.ndarray, name)

    def method(self: np.ndarray, *args: Any, **kwargs: Any) -> Any:
        if "dim" in kwargs or "keepdim" in kwargs:
            return getattr(_sharing_tensor(self), name)(*args, **kwargs)
        return numpy_method(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"numpy's ``{name}``; with torch's ``dim=`` or ``keepdim=``, a Tensor's ``{name}``."
    return method


class GradientArray(np.ndarray):
    """A gradient array with torch's methods for gradients (see the module docstring)."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        # every operand and output as a plain ndarray: results are plain, and in-place ones write through the views
        # (g *= 2 gives g back, still a GradientArray)
        inputs = [_view_as(x, _ndarray) if isinstance(x, GradientArray) else x for x in inputs]
        given = kwargs.get("out")
        if given is not None:
            kwargs["out"] = tuple([_view_as(x, _ndarray) if isinstance(x, GradientArray) else x for x in given])
        result = ufunc(*inputs, **kwargs) if method == "__call__" else getattr(ufunc, method)(*inputs, **kwargs)
        if given is not None and len(given) == 1 and isinstance(given[0], GradientArray):
            return given[0]
        return result

    # the operators of the manual update loop (``p.data -= lr * p.grad``) as ndarray's own on the plain views, without
    # the detour through __array_ufunc__ (the same results, a few times faster on small arrays)
    __add__ = _on_plain("__add__")
    __radd__ = _on_plain("__radd__")
    __sub__ = _on_plain("__sub__")
    __rsub__ = _on_plain("__rsub__")
    __mul__ = _on_plain("__mul__")
    __rmul__ = _on_plain("__rmul__")
    __truediv__ = _on_plain("__truediv__")
    __rtruediv__ = _on_plain("__rtruediv__")
    __iadd__ = _on_plain("__iadd__", in_place=True)
    __isub__ = _on_plain("__isub__", in_place=True)
    __imul__ = _on_plain("__imul__", in_place=True)
    __itruediv__ = _on_plain("__itruediv__", in_place=True)

    def view(self, *args: Any, **kwargs: Any) -> Any:
        """torch's ``g.view(-1)``/``g.view(2, 3)`` (integers: the same memory in another shape, a RuntimeError if
        the strides do not allow one); numpy's ``view(dtype)``/``view(type)`` otherwise."""
        shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
        if kwargs or not shape or not all(is_integer(n) for n in shape):
            return super().view(*args, **kwargs)
        reshaped = np.ndarray.view(self, np.ndarray).reshape(tuple(shape))
        if reshaped.size and not np.shares_memory(reshaped, self):
            raise RuntimeError(
                f"view size is not compatible with input tensor's size and stride (shape {self.shape} to "
                f"{tuple(shape)}); use .reshape(...) instead"
            )
        return reshaped.view(type(self))

    # -- torch's conversions of a one-element tensor to a number ---------------------------------------------------
    def _number(self, convert: type) -> Any:
        """``convert`` of the one element, whatever the shape (a (1, 1) prediction, a (1,) bias's gradient), as
        torch's ``float(t)``; numpy 2's take 0-d arrays only. Another size is torch's ValueError."""
        if self.size != 1:
            raise ValueError(
                f"{convert.__name__}: only one element tensors can be converted to Python scalars, got shape {self.shape}"
            )
        return convert(_ndarray.item(self))

    def __float__(self) -> float:
        return self._number(float)

    def __int__(self) -> int:
        return self._number(int)

    def __complex__(self) -> complex:
        return self._number(complex)

    def __index__(self) -> int:
        """``items[t.data]`` of a one-element integer or boolean array of any shape (a boolean one as 0 or 1), as
        torch's; numpy's take 0-d integer arrays only. Anything else is torch's TypeError."""
        if self.dtype.kind not in "iub" or self.size != 1:
            raise TypeError(
                f"only integer tensors of a single element can be converted to an index, got dtype {self.dtype} "
                f"and shape {self.shape}"
            )
        return int(_ndarray.item(self))

    # -- torch's views of a gradient as itself ---------------------------------------------------------------------
    @property
    def data(self) -> GradientArray:  # type: ignore[override]
        """The gradient itself (torch's ``grad.data``), not numpy's memory buffer."""
        return self

    @data.setter
    def data(self, value: Any) -> None:
        """``g.data = value`` writes ``value`` into the gradient, as torch's makes it the gradient's value. The
        in-place operators on ``p.grad.data`` end here with this array itself, already updated (DeZero's hooks:
        ``param.grad.data += rate * param.data``, ``param.grad.data *= rate``). Another shape is a ShapeError: this
        array is a view of the stored gradient, which it cannot replace (assign ``p.grad`` instead)."""
        if value is self:
            return
        value = _operand_array(value)
        if np.shape(value) != self.shape:
            raise ShapeError(
                f"grad.data: cannot assign a value of shape {np.shape(value)} to a gradient of shape {self.shape}; "
                "assign the parameter's .grad instead"
            )
        _view_as(self, _ndarray)[...] = value

    @property
    def requires_grad(self) -> bool:
        """False: a gradient read from ``.grad`` records nothing."""
        return False

    def detach(self) -> GradientArray:
        """The gradient itself."""
        return self

    def cpu(self) -> GradientArray:
        """The gradient itself (everything is on the CPU)."""
        return self

    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The gradient as a plain ndarray (the same memory); ``force`` is accepted as torch's
        ``Tensor.numpy(force=True)`` (a gradient array is already a writable CPU array, so it changes nothing)."""
        return self.view(np.ndarray)

    def clone(self) -> GradientArray:
        """A copy."""
        return self.copy()

    def numel(self) -> int:
        """The number of entries."""
        return int(np.ndarray.size.__get__(self))

    @property
    def size(self) -> ElementCount:  # type: ignore[override]
        """numpy's ``size`` (the number of entries, an int) that torch's ``g.size()`` / ``g.size(dim)`` can call."""
        return ElementCount(self.shape)

    @property
    def is_leaf(self) -> bool:
        """True: a gradient is a leaf (nothing recorded it), as torch's."""
        return True

    def is_floating_point(self) -> bool:
        """Whether the entries are floating-point numbers."""
        return self.dtype.kind == "f"

    def dim(self) -> int:
        """The number of axes."""
        return self.ndim

    # -- in place, as torch's ------------------------------------------------------------------------------------
    def zero_(self) -> GradientArray:
        """Set every entry to 0, in place."""
        self.view(np.ndarray).fill(0)
        return self

    def fill_(self, value: Any) -> GradientArray:
        """Set every entry to ``value``, in place."""
        self.view(np.ndarray).fill(_operand_array(value))
        return self

    def copy_(self, source: Any) -> GradientArray:
        """Copy ``source`` (broadcast to this shape) in, in place, cast to this dtype whatever the source's (floats
        into integers truncated toward 0), as a Tensor's ``copy_`` and torch's."""
        _sharing_tensor(self).copy_(_operand_array(source))
        return self

    @_quiet
    def add_(self, other: Any, *deprecated: Any, alpha: Any = 1) -> GradientArray:
        """``g += alpha * other``, in place (torch's deprecated ``add_(alpha, other)`` too: ``p.data.add_(-lr, g)``)."""
        if deprecated:
            other, alpha = alpha_first("add_", other, deprecated, alpha)
        np.add(self, _scaled(other, alpha, "add_"), out=self.view(np.ndarray))
        return self

    @_quiet
    def sub_(self, other: Any, *deprecated: Any, alpha: Any = 1) -> GradientArray:
        """``g -= alpha * other``, in place (torch's deprecated ``sub_(alpha, other)`` too)."""
        if deprecated:
            other, alpha = alpha_first("sub_", other, deprecated, alpha)
        np.subtract(self, _scaled(other, alpha, "sub_"), out=self.view(np.ndarray))
        return self

    @_quiet
    def mul_(self, other: Any) -> GradientArray:
        """``g *= other``, in place."""
        np.multiply(self, _operand_array(other), out=self.view(np.ndarray))
        return self

    @_quiet
    def div_(self, other: Any) -> GradientArray:
        """``g /= other``, in place."""
        np.true_divide(self, _operand_array(other), out=self.view(np.ndarray))
        return self

    def neg_(self) -> GradientArray:
        """``g = -g``, in place."""
        np.negative(self, out=self.view(np.ndarray))
        return self

    def clamp_(self, min: Any = None, max: Any = None) -> GradientArray:  # noqa: A002 - torch's names
        """Clip every entry into [min, max] in place (either bound may be None)."""
        if min is None and max is None:
            raise ValueError("clamp_: give at least one of min and max")
        np.clip(self, _operand_array(min), _operand_array(max), out=self.view(np.ndarray))
        return self

    clip_ = clamp_

    # -- new values ------------------------------------------------------------------------------------------------
    def clamp(self, min: Any = None, max: Any = None) -> GradientArray:  # noqa: A002 - torch's names
        """A copy clipped into [min, max] (a hook's ``lambda g: g.clamp(-1, 1)``)."""
        return self.copy().clamp_(min, max)

    def abs(self) -> np.ndarray:
        """|g|, a new array."""
        return np.abs(self)

    # torch's out-of-place arithmetic, for hooks (``lambda g: g.mul(2)``): new plain arrays, as g * 2 gives
    @_quiet
    def add(self, other: Any, *deprecated: Any, alpha: Any = 1) -> np.ndarray:
        """g + alpha * other (torch's deprecated ``add(alpha, other)`` too)."""
        if deprecated:
            other, alpha = alpha_first("add", other, deprecated, alpha)
        return np.add(self, _scaled(other, alpha, "add"))

    @_quiet
    def sub(self, other: Any, *deprecated: Any, alpha: Any = 1) -> np.ndarray:
        """g - alpha * other (torch's deprecated ``sub(alpha, other)`` too)."""
        if deprecated:
            other, alpha = alpha_first("sub", other, deprecated, alpha)
        return np.subtract(self, _scaled(other, alpha, "sub"))

    @_quiet
    def mul(self, other: Any) -> np.ndarray:
        """g * other."""
        return np.multiply(self, _operand_array(other))

    @_quiet
    def div(self, other: Any) -> np.ndarray:
        """g / other."""
        return np.true_divide(self, _operand_array(other))

    @_quiet
    def pow(self, exponent: Any) -> np.ndarray:
        """g ** exponent."""
        return np.power(self, _operand_array(exponent))

    def neg(self) -> np.ndarray:
        """-g."""
        return np.negative(self)

    def sign(self) -> np.ndarray:
        """-1, 0 or 1 by the sign of each entry (nan stays nan)."""
        return np.sign(self)

    @_quiet
    def sqrt(self) -> np.ndarray:
        """The square root of each entry."""
        return np.sqrt(self)

    def lt(self, other: Any) -> np.ndarray:
        """g < other, a boolean array."""
        return np.less(self, _operand_array(other))

    def le(self, other: Any) -> np.ndarray:
        """g <= other, a boolean array."""
        return np.less_equal(self, _operand_array(other))

    def gt(self, other: Any) -> np.ndarray:
        """g > other, a boolean array."""
        return np.greater(self, _operand_array(other))

    def ge(self, other: Any) -> np.ndarray:
        """g >= other, a boolean array."""
        return np.greater_equal(self, _operand_array(other))

    def eq(self, other: Any) -> np.ndarray:
        """g == other, a boolean array."""
        return np.equal(self, _operand_array(other))

    def ne(self, other: Any) -> np.ndarray:
        """g != other, a boolean array."""
        return np.not_equal(self, _operand_array(other))

    def to(self, dtype: Any = None, *args: Any, **kwargs: Any) -> np.ndarray:
        """The entries in ``dtype`` (a numpy dtype, its name, or a torch dtype's name); the gradient itself as a plain
        array for no dtype or its own (torch's ``g.to("cpu")`` included: everything is on the CPU)."""
        dtype = kwargs.pop("dtype", dtype)
        if dtype is None or (isinstance(dtype, str) and dtype.split(":")[0] == "cpu"):
            return self.view(np.ndarray)
        target = real_dtype(dtype, "to")  # (as a Tensor's to() reads it: a torch dtype by its name)
        return self.view(np.ndarray) if target == self.dtype else self.view(np.ndarray).astype(target)

    def float(self) -> np.ndarray:
        """The entries as float32 (torch's ``g.float()``)."""
        return self.to(np.float32)

    def double(self) -> np.ndarray:
        """The entries as float64 (torch's ``g.double()``)."""
        return self.to(np.float64)

    @_quiet
    def norm(self, p: Any = 2, dim: Any = None, keepdim: bool = False, dtype: Any = None) -> np.floating | np.ndarray:
        """The p-norm of all the entries (2 by default; ``float("inf")`` the largest magnitude), as torch's
        ``grad.norm()``; with ``dim``, ``keepdim``, ``dtype`` or a named ``p`` (``"fro"``), a Tensor's ``norm``
        over those axes as a plain array (``w.data.norm(2, 1, keepdim=True)``, torch's per-row norms)."""
        if dim is not None or keepdim or dtype is not None or isinstance(p, str):
            return _sharing_tensor(self).norm(p, dim, keepdim, dtype)._data
        values = self.view(np.ndarray).reshape(-1)
        wide = values.astype(np.float64) if values.dtype.kind == "f" and values.dtype.itemsize < 8 else values
        return np.linalg.norm(wide, ord=p).astype(values.dtype)  # (float16 and float32 summed in float64, as torch)

    # -- numpy's reductions, read as torch's when called with torch's keywords ----------------------------------
    max = _numpy_or_torch("max")
    min = _numpy_or_torch("min")
    argmax = _numpy_or_torch("argmax")
    argmin = _numpy_or_torch("argmin")
    sum = _numpy_or_torch("sum")
    mean = _numpy_or_torch("mean")
    std = _numpy_or_torch("std")
    var = _numpy_or_torch("var")
    prod = _numpy_or_torch("prod")
    all = _numpy_or_torch("all")
    any = _numpy_or_torch("any")

    # -- the rest of torch's tensor methods ------------------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        # reached only for a name ndarray and this class lack (numpy's own methods, as ``max`` or ``std``, keep numpy's
        # meaning): torch's public tensor methods and properties, as a Tensor sharing this memory has them, with no
        # graph and no version bump (``g.exp_()``, ``w.data.normal_(0, 0.01)``, ``y.data.unsqueeze(0)``)
        if name.startswith("_") or _Tensor is None or not hasattr(_Tensor, name):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(_sharing_tensor(self), name)


class DataArray(GradientArray):
    """What a Tensor's ``.data`` reads as: a view of the tensor's own array, made on each read, with torch's tensor
    methods on it, so torch's ``.data`` lines run::

        w.data.normal_(0, 0.01)          # an initialisation
        p.data.sub_(lr * p.grad)         # the manual update loop
        float(w.data.norm())

    It is an ndarray: numpy's methods and functions read it as the array it is, arithmetic on it gives plain
    ndarrays, and writes through it (``p.data -= lr * p.grad``, ``w.data[0] = 1``, the in-place methods) change the
    tensor without recording anything or counting a version, as torch's ``.data`` does. torch's out-of-place
    methods (``add sub mul div pow neg sign sqrt abs clamp``, the comparisons ``lt le gt ge eq ne``, ``to float
    double``) give what a Tensor's give, a Tensor outside the graph, as torch's ``.data`` is a tensor, so torch's
    chains of them run (``output.data.view(-1).div(temperature).exp()``, the char-RNN sampling line), as every
    other torch method borrowed here does (a gradient's give plain arrays, see the module docstring).
    """

    #: the array this view was made of (``Tensor.data``'s setter keeps it when handed this view back)
    _source: np.ndarray | None = None


def _tensors_method(name: str) -> Callable[..., Any]:
    """The Tensor method ``name`` on a Tensor sharing the DataArray's memory (nothing recorded)."""

    def method(self: DataArray, *args: Any, **kwargs: Any) -> Any:
        return getattr(_sharing_tensor(self), name)(*args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"torch's ``{name}``: the Tensor method's result, a Tensor outside the graph."
    return method


#: The torch out-of-place methods whose GradientArray forms give plain arrays and whose DataArray forms give Tensors.
_TENSOR_RESULTS = "add sub mul div pow neg sign sqrt abs clamp lt le gt ge eq ne to float double".split()

for _name in _TENSOR_RESULTS:
    setattr(DataArray, _name, _tensors_method(_name))
