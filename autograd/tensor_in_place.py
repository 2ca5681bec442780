"""Tensor's in-place changes: ``t += x`` (and ``-=``, ``*=``, ``/=``), torch's ``add_``/``sub_``/``mul_``/``div_``,
``clamp_``, ``zero_``, ``fill_``, ``copy_``, the elementwise ``neg_ abs_ exp_ log_ sqrt_ pow_ relu_ sigmoid_ tanh_``,
``masked_fill_``, ``lerp_``, ``addcmul_``, ``addcdiv_``, the random fills ``uniform_``/``normal_``, and
``t[index] = x``.

:class:`TensorInPlace` holds them and :class:`~autograd.tensor.Tensor` inherits them (a mixin). Inside
``no_grad()`` (an optimizer step), or on tensors that need no gradient, they change the array and record
nothing. While a graph is recorded, as in torch:

* on a leaf that requires grad (a parameter) they raise (:func:`~autograd.versions.check_in_place_allowed`);
* on any other tensor, when it or an operand requires grad, the arithmetic ones (``+= -= *= /=``,
  ``add_ sub_ mul_ div_``, ``clamp_``, ``neg_ abs_ exp_ log_ sqrt_ pow_ relu_ sigmoid_ tanh_``, ``lerp_``,
  ``addcmul_``, ``addcdiv_``), ``zero_``, ``fill_``, ``copy_``, ``masked_fill_`` and ``t[index] = x`` are
  recorded: the tensor keeps its identity and its array, takes the new values, and becomes the output of the op
  (``out += identity`` in a residual block, ``scores.masked_fill_(mask, -inf)`` in attention;
  :func:`~autograd.versions.rebase_history`); its live views show the new values and are rebased onto it (as
  torch replays views); the random fills still raise, and so does a recorded change of a tensor that shares
  its array with another (a view itself, ``detach()``, ``copy.copy``).

Each change bumps the tensor's version counter, shared with its views
(:func:`~autograd.versions.increment_version`), so backward through an op that saved the old data fails.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import shared_math
from .core import Node, check_in_place_allowed, increment_version, rebase_history
from .derivatives import arrays as ar
from .grad_mode import _mode
from .quiet import quiet, quietly
from .random_state import generator_for
from .tensor_shape import _raw_index
from .versions import read_inputs

if TYPE_CHECKING:  # for annotations only: autograd.tensor imports this module
    from .tensor import Tensor, TensorLike

__all__ = ["TensorInPlace"]

#: autograd.tensor.Tensor and its operand conversion (numbers, arrays and lists to constant Tensors).
#: Tensor inherits these methods, so autograd.tensor imports this module, not the reverse: it sets both
#: names once the class exists.
_Tensor: Any = None
_operand: Any = None


class TensorInPlace:
    """Tensor's in-place methods (a mixin: :class:`~autograd.tensor.Tensor` inherits them)."""

    __slots__ = ()

    # -- in-place changes (inside no_grad, or on tensors that need no gradient) --
    def _in_place(self, other: TensorLike, ufunc: np.ufunc, op: str) -> Tensor:
        other = _operand(other, self.data, op)
        if _records(self, other):
            return self._record_in_place(op, _OUT_OF_PLACE[ufunc], other)
        check_in_place_allowed(self, other, op)
        try:
            quietly(ufunc, self.data, other.data, out=self.data, casting="same_kind")  # IEEE results, no warnings
        except TypeError:
            raise TypeError(
                f"{op}: the result of {self.dtype} {op} {other.dtype} cannot be stored in place in a "
                f"{self.dtype} tensor"
            ) from None
        except ValueError as error:
            if not self.data.flags.writeable:
                raise ValueError(f"{op}: this tensor's data is read-only (shape {self.shape})") from None
            raise ValueError(
                f"{op}: operands of shapes {self.shape} and {other.shape} give a result that does not fit the "
                f"tensor's shape {self.shape} (an in-place change cannot change the shape): {error}"
            ) from None
        increment_version(self)
        return self

    def _record_in_place(self, op: str, graph: Callable[..., Tensor], *operands: Any) -> Tensor:
        """``self <- graph(self, *operands)`` as torch records an in-place op: the result is computed out of place
        (a recorded node), its values written into this tensor's array, and this tensor made the output of the
        result's op (:func:`~autograd.versions.rebase_history`), so it keeps its identity and its array while its
        old history moves to an earlier self. When the op's rule reads its input's values, the earlier self gets
        a copy of the old values (torch saves the original ``self`` likewise)."""
        holders = self._version.live_holders() if self._version is not None else []
        if any(node is self or kind == "copy" for kind, node in holders):
            raise RuntimeError(
                f"{op}: in-place change of a Tensor that shares its data with another one (a view, detach() or "
                "copy.copy) while the graph is being recorded; change the tensor it views, or write it out of place "
                "(x = x + y)"
            )
        if not self.data.flags.writeable:
            raise ValueError(f"{op}: this tensor's data is read-only (shape {self.shape})")
        result = graph(self, *operands)
        if result.shape != self.shape:
            raise ValueError(
                f"{op}: the result has shape {result.shape}, which does not fit the tensor's shape {self.shape} "
                "(an in-place change cannot change the shape)"
            )
        if not np.can_cast(result.dtype, self.dtype, "same_kind"):
            raise TypeError(f"{op}: the {result.dtype} result cannot be stored in place in a {self.dtype} tensor")
        if result.op is None:  # nothing was recorded (the graph function gave a constant)
            quietly(np.copyto, self.data, result.data, casting="same_kind")
            increment_version(self)
            return self
        # the old values are kept (a copy) when a rule will read them: the new op's rule for this input, or
        # the rule of the op that made them, which reads its output (x.div_(y) then x += 1: div's rule reads out)
        position = next(index for index, parent in enumerate(result.parents) if parent is self)
        keep_old = position in read_inputs(result) or (self.op is not None and self.op.reads_output)
        snapshot = self.data.copy() if keep_old else None
        quietly(np.copyto, self.data, result.data, casting="same_kind")  # a cast out of range gives inf, as torch
        rebase_history(self, result.op, result.parents, result.attrs, earlier_data=snapshot)
        for kind, view in holders:  # live views now show the new values: each becomes its view of the new self
            if kind == "view" and view.op is not None:
                rebase_history(view, view.op, view.parents, view.attrs)
        return self

    def __iadd__(self, other: TensorLike) -> Tensor:
        """``t += x`` in place (inside ``no_grad()`` or on tensors that do not require grad)."""
        return self._in_place(other, np.add, "+=")

    def __isub__(self, other: TensorLike) -> Tensor:
        """``t -= x`` in place: the manual step ``with no_grad(): p -= lr * p.grad``."""
        return self._in_place(other, np.subtract, "-=")

    def __imul__(self, other: TensorLike) -> Tensor:
        """``t *= x`` in place."""
        return self._in_place(other, np.multiply, "*=")

    def __itruediv__(self, other: TensorLike) -> Tensor:
        """``t /= x`` in place (float tensors; numpy's casting rules)."""
        return self._in_place(other, np.true_divide, "/=")

    # PyTorch's in-place methods: the same rule as the operators (no_grad, or no gradient needed)
    def add_(self, other: TensorLike, *, alpha: float = 1) -> Tensor:
        """``t += alpha * other`` in place (``torch.Tensor.add_``)."""
        return self._in_place(_scaled(other, alpha), np.add, "add_")

    def sub_(self, other: TensorLike, *, alpha: float = 1) -> Tensor:
        """``t -= alpha * other`` in place (``torch.Tensor.sub_``)."""
        return self._in_place(_scaled(other, alpha), np.subtract, "sub_")

    def mul_(self, other: TensorLike) -> Tensor:
        """``t *= other`` in place (``torch.Tensor.mul_``)."""
        return self._in_place(other, np.multiply, "mul_")

    def div_(self, other: TensorLike) -> Tensor:
        """``t /= other`` in place (``torch.Tensor.div_``)."""
        return self._in_place(other, np.true_divide, "div_")

    def clamp_(self, min: TensorLike | None = None, max: TensorLike | None = None) -> Tensor:
        """Clamp into [min, max] in place (``torch.Tensor.clamp_``; alias ``clip_``)."""
        if min is None and max is None:
            raise ValueError("clamp_: at least one of min and max must be given")
        if _records(self, min, max):
            return self._record_in_place("clamp_", lambda t: t.clip(min, max))
        check_in_place_allowed(self, next((b for b in (min, max) if isinstance(b, Node)), None), "clamp_")
        low, high = (b.data if isinstance(b, Node) else b for b in (min, max))
        try:
            quietly(np.clip, self.data, low, high, out=self.data, casting="same_kind")
        except ValueError as error:
            raise ValueError(f"clamp_: {error} (tensor shape {self.shape})") from None
        increment_version(self)
        return self

    clip_ = clamp_

    def zero_(self) -> Tensor:
        """Set every element to 0 in place (``torch.Tensor.zero_``)."""
        return self._fill(0, "zero_")

    def fill_(self, value: float) -> Tensor:
        """Set every element to ``value`` in place (``torch.Tensor.fill_``)."""
        return self._fill(value, "fill_")

    def _fill(self, value: Any, op: str) -> Tensor:
        if _records(self, value):  # recorded: every entry masked, so the gradient goes to a node value only
            return self._record_in_place(op, lambda t, v: t.masked_fill(np.ones(t.shape, dtype=bool), v), value)
        check_in_place_allowed(self, value if isinstance(value, Node) else None, op)
        quietly(self.data.fill, value.item() if isinstance(value, _Tensor) else value)  # 1e300 in float16: inf
        increment_version(self)
        return self

    def copy_(self, source: TensorLike) -> Tensor:
        """Copy ``source`` into this tensor's data in place (broadcast, cast by numpy's ``same_kind`` rule)."""
        return self._replace("copy_", lambda data, source: source, source, graph=_copied)

    # -- torch's other in-place methods: the out-of-place value written into this tensor's array ----------------
    def _replace(self, op: str, compute: Any, *operands: Any, graph: Callable[..., Tensor] | None = None) -> Tensor:
        """Write ``compute(data, *raw operands)`` into this tensor's array in place, cast by numpy's ``same_kind``
        rule, the version bumped. While a graph is recorded for it or an operand: recorded as ``graph(self,
        *operands)`` where one is given (:meth:`_record_in_place`), else refused."""
        if graph is not None and _records(self, *operands):
            return self._record_in_place(op, graph, *operands)
        check_in_place_allowed(self, next((x for x in operands if isinstance(x, Node) and x.requires_grad), None), op)
        raw = [x.data if isinstance(x, Node) else x for x in operands]
        value = quietly(compute, self.data, *raw)  # IEEE results, as the out-of-place ops give them
        try:
            quietly(np.copyto, self.data, value, casting="same_kind")  # a cast out of range gives inf, as torch
        except TypeError:
            raise TypeError(f"{op}: cannot store {np.asarray(value).dtype} data in a {self.dtype} tensor") from None
        except ValueError:
            if not self.data.flags.writeable:
                raise ValueError(f"{op}: this tensor's data is read-only (shape {self.shape})") from None
            raise ValueError(
                f"{op}: cannot write data of shape {np.shape(value)} into a tensor of shape {self.shape}"
            ) from None
        increment_version(self)
        return self

    def neg_(self) -> Tensor:
        """-t in place."""
        return self._replace("neg_", np.negative, graph=operator.neg)

    def abs_(self) -> Tensor:
        """|t| in place."""
        return self._replace("abs_", np.abs, graph=abs)

    def exp_(self) -> Tensor:
        """e**t in place."""
        return self._replace("exp_", np.exp, graph=operator.methodcaller("exp"))

    def log_(self) -> Tensor:
        """log t in place."""
        return self._replace("log_", np.log, graph=operator.methodcaller("log"))

    def sqrt_(self) -> Tensor:
        """sqrt t in place."""
        return self._replace("sqrt_", np.sqrt, graph=operator.methodcaller("sqrt"))

    def pow_(self, exponent: TensorLike) -> Tensor:
        """t ** exponent in place."""
        return self._replace("pow_", np.power, exponent, graph=operator.pow)

    def relu_(self) -> Tensor:
        """max(t, 0) in place."""
        return self._replace("relu_", np.maximum, 0, graph=_relu)

    def sigmoid_(self) -> Tensor:
        """1 / (1 + e**-t) in place (the overflow-free form)."""
        return self._replace("sigmoid_", shared_math.sigmoid, graph=operator.methodcaller("sigmoid"))

    def tanh_(self) -> Tensor:
        """tanh t in place."""
        return self._replace("tanh_", np.tanh, graph=operator.methodcaller("tanh"))

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        """``value`` where ``mask`` is True, in place (``torch.Tensor.masked_fill_``; the mask broadcasts)."""
        mask = np.asarray(mask.data if isinstance(mask, Node) else mask)
        if mask.dtype != np.bool_:
            raise TypeError(f"masked_fill_: the mask must be boolean, got dtype {mask.dtype}")
        return self._replace(
            "masked_fill_", lambda t, v: np.where(mask, v, t), value, graph=lambda t, v: t.masked_fill(mask, v)
        )

    def lerp_(self, end: TensorLike, weight: TensorLike) -> Tensor:
        """t + weight * (end - t) in place (``torch.Tensor.lerp_``)."""
        return self._replace("lerp_", _lerp, end, weight, graph=_lerp)

    def addcmul_(self, tensor1: TensorLike, tensor2: TensorLike, *, value: float = 1) -> Tensor:
        """t + value * tensor1 * tensor2 in place (``torch.Tensor.addcmul_``, as in optimizers' moment updates)."""

        def addcmul(t: Any, a: Any, b: Any) -> Any:
            return t + value * a * b

        return self._replace("addcmul_", addcmul, tensor1, tensor2, graph=addcmul)

    def addcdiv_(self, tensor1: TensorLike, tensor2: TensorLike, *, value: float = 1) -> Tensor:
        """t + value * tensor1 / tensor2 in place (``torch.Tensor.addcdiv_``)."""

        def addcdiv(t: Any, a: Any, b: Any) -> Any:
            return t + value * a / b

        return self._replace("addcdiv_", addcdiv, tensor1, tensor2, graph=addcdiv)

    def uniform_(self, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with draws from U[a, b) in place; ``generator`` is a numpy Generator, an int seed, or None (the
        library's random state, see ``autograd.manual_seed``), as in ``nn.init``."""
        rng = generator_for(generator)
        return self._replace("uniform_", lambda t: rng.uniform(a, b, size=t.shape))

    def normal_(self, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
        """Fill with draws from N(mean, std**2) in place; ``generator`` as in :meth:`uniform_`."""
        rng = generator_for(generator)
        return self._replace("normal_", lambda t: rng.normal(mean, std, size=t.shape))

    def __setitem__(self, index: Any, value: Any) -> None:
        """``t[index] = value`` in place, with numpy's indexing (same rule as the in-place operators; recorded,
        as torch's ``index_put_``, on a tensor that is not a parameter when it or ``value`` requires grad)."""
        if _records(self, value):
            index, value = _raw_index(index, snapshot=True), _operand(value, self.data, "setitem")
            self._record_in_place("setitem", lambda t, v: _index_put(t, index, v), value)
            return
        check_in_place_allowed(self, value if isinstance(value, Node) else None, "setitem")
        index = _raw_index(index)
        try:
            with quiet():  # a value out of the dtype's range is stored as inf, as torch, without numpy's warning
                self.data[index] = value.data if isinstance(value, Node) else value
        except IndexError as error:
            raise IndexError(f"setitem: {error} (tensor shape {self.shape})") from None
        except ValueError as error:
            if not self.data.flags.writeable:
                raise ValueError(f"setitem: this tensor's data is read-only (shape {self.shape})") from None
            raise ValueError(f"setitem: {error} (tensor shape {self.shape})") from None
        increment_version(self)


def _scaled(other: Any, alpha: float) -> Any:
    """``alpha * other`` for the ``alpha=`` of ``add_`` and ``sub_`` (a recorded node for a node operand)."""
    if alpha == 1:
        return other
    return other * alpha if isinstance(other, Node) else alpha * np.asarray(other)


def _records(tensor: Any, *operands: Any) -> bool:
    """Whether an in-place change of ``tensor`` with ``operands`` is recorded (see the module doc): grad mode on,
    ``tensor`` not a leaf that requires grad (that raises), and it or an operand requires grad."""
    if not _mode.enabled or (tensor.requires_grad and tensor.op is None):
        return False
    return tensor.requires_grad or any(isinstance(x, Node) and x.requires_grad for x in operands)


def _index_put(tensor: Tensor, index: Any, value: Tensor) -> Tensor:
    """A copy of ``tensor`` with ``value`` written at ``index``, recorded (the out-of-place ``t[index] = v``)."""
    data = tensor.data.copy()
    try:
        with quiet():  # a value out of the dtype's range is stored as inf, as torch, without numpy's warning
            data[index] = value.data
    except IndexError as error:
        raise IndexError(f"setitem: {error} (tensor shape {tensor.shape})") from None
    except ValueError as error:
        raise ValueError(f"setitem: {error} (tensor shape {tensor.shape})") from None
    return _Tensor._from_op(data, ar.index_put, (tensor, value), {"index": index})


def _copied(tensor: Tensor, source: Any) -> Tensor:
    """``source`` broadcast to ``tensor``'s shape, recorded with ``tensor`` as an input that gets no gradient."""
    return tensor._where(np.ones(tensor.shape, dtype=bool), source, tensor)


def _relu(t: Any, zero: Any) -> Any:
    """``t.relu()`` (relu_ hands its compute function the bound 0 as well)."""
    return t.relu()


def _lerp(t: Any, end: Any, weight: Any) -> Any:
    """t + weight * (end - t), on arrays or on nodes."""
    return t + weight * (end - t)


#: The out-of-place op each in-place operator records.
_OUT_OF_PLACE: dict[Any, Callable[[Any, Any], Any]] = {
    np.add: operator.add,
    np.subtract: operator.sub,
    np.multiply: operator.mul,
    np.true_divide: operator.truediv,
}
