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
  torch replays views); the random fills still raise. A recorded change of a view (basic indexing, a
  reshape or a transpose, or a chain of them) is written through to the tensor it views
  (:meth:`TensorInPlace._write_through_view`); one of a tensor that shares its array otherwise (a broadcast
  view, ``detach()``, ``copy.copy``) raises;
* an integer or boolean tensor takes no gradient: a value that requires grad is written into it cast, as a
  constant, and nothing is recorded (torch's ``t[i] = v`` and ``copy_``), where a float result cannot be stored
  in it (``+=``) raises.

Each change bumps the tensor's version counter, shared with its views
(:func:`~autograd.versions.increment_version`), so backward through an op that saved the old data fails.
"""

from __future__ import annotations

import functools
import numbers
import operator
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import shared_math
from .accumulation import computing_data
from .core import Node, check_in_place_allowed, increment_version, rebase_history
from .default_dtype import get_default_dtype
from .deprecated_overloads import alpha_first, value_first_in_place
from .derivatives import arrays as ar
from .grad_mode import _mode
from .gradient_array import none_operand_error
from .index_errors import IndexDtypeError
from .integer_scalars import check_integer_exponent
from .node_sequences import refuse_nodes_in_sequence
from .pointwise_values import pointwise_value
from .quiet import quiet, quietly
from .shape_errors import ArgumentRangeError, DtypeKernelError, ShapeError, is_integer, require_integer
from .tensor_shape import _raw_index, sequence_as_tuple, split_at_integers, whole_index_error, without_empty_ellipsis
from .torch_keywords import torch_keyword_names
from .versions import (
    _ParentWatch,
    multi_output_view_change_error,
    no_grad_view_change_error,
    read_inputs,
    reads_output,
    refresh_views,
    takes_gradients,
    unlink_earlier,
    unlink_rebased,
    views_go_stale,
)

if TYPE_CHECKING:  # for annotations only: autograd.tensor imports this module
    from .tensor import Tensor, TensorLike

__all__ = ["InPlaceCastError", "TensorInPlace", "in_place_twin"]

#: autograd.tensor.Tensor and its operand conversion (numbers, arrays and lists to constant Tensors).
#: Tensor inherits these methods, so autograd.tensor imports this module, not the reverse: it sets both
#: names once the class exists.
_Tensor: Any = None
_operand: Any = None


def in_place_twin(name: str, derivative: str, floats_only: bool = False) -> Callable[..., Tensor]:
    """torch's in-place method ``name_``: ``t.name_(*args)`` writes ``t.name(*args)`` into t's array (see
    :meth:`TensorInPlace._twin_in_place`); ``floats_only`` refuses integer and boolean tensors, as torch does
    for ops whose result is always a float."""
    if floats_only:

        def method(self: Any, *args: Any, **kwargs: Any) -> Tensor:
            return self._float_twin(name, args, kwargs)

    else:

        def method(self: Any, *args: Any, **kwargs: Any) -> Tensor:
            return self._twin_in_place(name, args, kwargs)

    method.__name__ = method.__qualname__ = f"{name}_"
    method.__doc__ = (
        f"``t.{name}(...)`` in place (``torch.Tensor.{name}_``): {derivative}. Takes the arguments of "
        f"``{name}``; the result is stored in t's dtype (a float result in an integer tensor is refused)."
    )
    return method


#: torch's names of dtypes, for its error messages.
_TORCH_DTYPE_NAMES = {
    "float64": "Double", "float32": "Float", "float16": "Half", "int64": "Long", "int32": "Int", "int16": "Short",
    "int8": "Char", "uint8": "Byte", "bool": "Bool",
}  # fmt: skip


class ReadOnlyError(ValueError, RuntimeError):
    """An in-place change of a tensor whose array is read-only: an ``expand`` that repeats entries (torch's
    RuntimeError, "more than one element of the written-to tensor refers to a single memory location"), or
    ``from_numpy`` of an array made non-writeable; a ValueError as numpy's own refusal, and torch's class too."""


def read_only_error(tensor: Any, op: str) -> ReadOnlyError:
    """The refusal naming ``op`` of a change of ``tensor``, whose array is read-only."""
    repeats = any(stride == 0 and length > 1 for stride, length in zip(tensor._data.strides, tensor._data.shape))
    why = " (an expand: more than one element refers to a single memory location; clone() it first)" if repeats else ""
    return ReadOnlyError(f"{op}: this tensor's data is read-only (shape {tensor.shape}){why}")


def _refuse_read_only(tensor: Any, op: str) -> None:
    """:func:`read_only_error` naming ``op`` when ``tensor`` holds a read-only array (an ``expand`` that repeats
    entries, ``from_numpy`` of an array made non-writeable), before anything is written: numpy's own "assignment
    destination is read-only" names neither the op nor the tensor."""
    if not tensor._data.flags.writeable:
        raise read_only_error(tensor, op)


def filled_array(tensor: Any, op: str) -> np.ndarray:
    """The array to write one value into (``fill_``, ``zero_``, ``t[index] = number``): ``tensor``'s own, or, for an
    ``expand`` of a tensor whose array is writable (read-only, as numpy's broadcasts are), a writable alias of it, as torch lets a
    single value be written into an expanded tensor (every entry that shares a memory location takes the same value,
    so the result is well defined; an elementwise change, ``add_``, stays refused). Any other read-only array (a
    ``from_numpy`` of a broadcast or non-writeable array) is :func:`read_only_error` naming ``op``."""
    data = tensor._data
    if data.flags.writeable:
        return data
    root = tensor
    while root._view_base is not None:  # (a read-only array given to from_numpy is no view: it stays refused)
        root = root._view_base
    if root is tensor or not root._data.flags.writeable:
        raise read_only_error(tensor, op)
    alias = data.view()
    try:
        alias.flags.writeable = True  # (numpy allows it only when the memory it views is writable)
    except ValueError:
        raise read_only_error(tensor, op) from None
    return alias


def _written_entries_alias(tensor: Any, index: Any) -> np.ndarray:
    """:func:`filled_array` for ``tensor[index] = value`` of a read-only ``tensor``, as torch allows it: when the
    entries ``index`` selects (a basic index) are one, or repeat no memory location between them (a row of an
    expanded matrix); else torch's refusal (:func:`read_only_error`)."""
    alias = filled_array(tensor, "setitem")
    try:
        selected = alias[index]
    except (IndexError, TypeError, ValueError):
        return tensor._data  # (the assignment raises the error it names)
    if np.ndim(selected) == 0:
        return alias
    repeats = any(stride == 0 and length > 1 for stride, length in zip(selected.strides, selected.shape))
    if repeats or not np.may_share_memory(selected, alias):  # (an array index selects a copy: torch's refusal too)
        raise read_only_error(tensor, "setitem")
    return alias


def refuse_value_tensor_not_0d(value: Node, op: str) -> None:
    """torch's refusal of a fill value tensor that is not 0-d ("only supports a 0-dimensional value tensor"), of one
    element or more: a :class:`ShapeError` naming ``op``."""
    if np.ndim(value._data) != 0:
        raise ShapeError(f"{op}: value must be a number or a 0-d tensor, got shape {np.shape(value._data)}")


def fill_value_in(value: Any, dtype: np.dtype, op: str) -> Any:
    """A masked fill's ``value`` in the input's ``dtype``, as torch casts it (the result keeps the input's dtype:
    2.7 fills an integer tensor with 2, 1 a boolean one with True); a 0-d Tensor is cast as a node (its gradient
    kept), a number the dtype cannot hold (300 for int8, inf for any integer dtype, a finite 70000 for float16,
    where numpy's cast gives inf) is an :class:`ArgumentRangeError` (a ValueError and torch's RuntimeError)."""
    if isinstance(value, Node):
        refuse_value_tensor_not_0d(value, op)
        return value if value._data.dtype == dtype else value.astype(dtype)
    number = np.asarray(value)
    if number.dtype == object and isinstance(value, int) and not isinstance(value, bool):  # beyond 64 bits
        raise ArgumentRangeError(f"{op}: value {value!r} cannot be converted to {dtype} without overflow")
    if number.ndim == 0 and number.dtype.kind == "c":  # torch's RuntimeError: cannot be converted without overflow
        raise InPlaceCastError(f"{op}: value {value!r} is complex and cannot be converted to {dtype}")
    if number.ndim != 0 or number.dtype.kind not in "biuf":
        raise TypeError(f"{op}: value must be a real number or a 0-d tensor, got {value!r}")
    if dtype.kind == "f" and number.dtype.kind != "b":
        # torch's check, where numpy's cast gives inf: a finite number beyond the dtype's largest (70000 into float16)
        if np.isfinite(number) and abs(float(number)) > float(np.finfo(dtype).max):
            raise ArgumentRangeError(f"{op}: value {value!r} cannot be converted to {dtype} without overflow")
    elif dtype.kind in "iu":
        if not np.isfinite(number):
            raise ArgumentRangeError(f"{op}: value {value!r} cannot be converted to {dtype} (not a finite number)")
        limits = np.iinfo(dtype)
        # torch's check: an int fits an unsigned dtype in [-max, max], a negative one wrapping (-1 fills uint8 with 255)
        low = -limits.max if dtype.kind == "u" and number.dtype.kind in "iu" else limits.min
        if not low <= number <= limits.max:
            raise ArgumentRangeError(f"{op}: value {value!r} cannot be converted to {dtype} without overflow")
    with np.errstate(all="ignore"):
        return number.astype(np.int64).astype(dtype) if number.dtype.kind in "iu" else number.astype(dtype)


def fitting_fill_value(op: str, value: Any, dtype: np.dtype) -> Any:
    """A factory's number ``value`` in ``dtype`` (2.7 fills an integer tensor with 2, as torch's), or an
    :class:`ArgumentRangeError` (torch's RuntimeError) naming ``op`` when the dtype cannot hold it (inf, nan or 1e20 in an integer dtype, 300 in int8), as torch's
    ``full`` refuses it (numpy would store garbage such as INT_MIN, or raise a bare OverflowError); a tensor or
    array value is left to numpy (:func:`fill_value_in` for the number)."""
    if isinstance(value, (Node, np.ndarray)):
        return value
    return fill_value_in(value, dtype, op)


class BoolNegationError(TypeError, RuntimeError):
    """``-t`` of a boolean Tensor, or torch's ``sub``/``sub_`` with a boolean operand: a TypeError (the house rule
    for dtypes) that is also the RuntimeError torch raises, so code written for either catches it."""


def refuse_bool_negation(op: str, tensor: Tensor) -> None:
    """Raise :class:`BoolNegationError` naming ``op`` if ``tensor`` is boolean (numpy's own TypeError named neither
    the op nor the dtype)."""
    if tensor._data.dtype == np.bool_:
        raise BoolNegationError(
            f"{op}: negation, the `-` operator, is not supported on a bool tensor (shape {tensor.shape}); "
            "use `~` or logical_not() to invert a mask"
        )


def refuse_bool_abs(op: str, data: np.ndarray) -> None:
    """Raise torch's NotImplementedError (a :class:`DtypeKernelError`) for ``abs`` or ``abs_`` of a bool tensor."""
    if data.dtype == np.bool_:
        raise DtypeKernelError(f"{op}: not implemented for bool tensors (torch's \"abs_cpu\" has no 'Bool' kernel)")


def refuse_bool_subtraction(op: str, tensor: Tensor, other: Any, arrays: bool = True) -> None:
    """Raise :class:`BoolNegationError` naming ``op`` if ``tensor`` or ``other`` is boolean, as torch's ``sub``,
    ``sub_``, ``subtract`` and ``-`` (numpy's ``-`` of a float and a bool array subtracts 0s and 1s). Without
    ``arrays`` a boolean ndarray or list ``other`` beside a tensor that is not boolean passes (the ``-`` operator,
    where torch leaves an ndarray operand to numpy)."""
    operand = other._data if isinstance(other, Node) else other
    if tensor._data.dtype.kind != "b" and (
        type(operand) is float or type(operand) is int or (type(operand) is np.ndarray and operand.dtype.kind != "b")
    ):
        return  # the usual subtraction, no boolean on either side: nothing to look into
    if isinstance(operand, (bool, np.bool_)) or isinstance(other, Node) or arrays:
        other_is_bool = isinstance(operand, (bool, np.bool_)) or np.asarray(operand).dtype == np.bool_
    else:
        other_is_bool = False
    if tensor._data.dtype == np.bool_ and other_is_bool:
        raise BoolNegationError(
            f"{op}: subtraction of two bool tensors is not supported (shapes {tensor.shape} and "
            f"{np.shape(operand)}); use `^` or logical_xor() instead"
        )
    if tensor._data.dtype == np.bool_ or other_is_bool:
        raise BoolNegationError(
            f"{op}: subtraction with a bool tensor is not supported (shapes {tensor.shape} and {np.shape(operand)}); "
            "use `~` or logical_not() to invert a mask"
        )


class InPlaceCastError(TypeError, RuntimeError):
    """An in-place result the tensor's dtype cannot hold: a TypeError (the house rule for dtypes) that is also
    the RuntimeError torch raises, so code written for either catches it."""


#: torch's type categories of numpy's dtype kinds (bool < integer < floating)
_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}


def can_store(result: Any, target: Any) -> bool:
    """Whether an in-place op (or ``out=``) writes a ``result``-dtype result into a ``target``-dtype tensor: torch's
    rule (``canCast``), by category only, bool < integer < floating. A result of a higher category is refused (a
    float into an integer or bool tensor, an integer into a bool one); any other is cast, as torch casts it,
    int16 into uint8 included (wrapping): numpy's ``same_kind`` refuses a signed integer into an unsigned one,
    which torch's ``uint8_tensor *= int16_tensor`` allows."""
    return _CATEGORY.get(np.dtype(result).kind, 3) <= _CATEGORY.get(np.dtype(target).kind, -1)


def _cast_error(op: str, result: np.dtype, target: np.dtype, other: np.dtype | None = None) -> InPlaceCastError:
    """The error for storing a ``result``-dtype result in place in a ``target``-dtype tensor, in torch's words (naming
    the operation ``target <op> other`` when the other operand's dtype is given)."""
    theirs, ours = (_TORCH_DTYPE_NAMES.get(np.dtype(d).name, np.dtype(d).name) for d in (result, target))
    what = f"the {result} result" if other is None else f"the result of {target} {op} {other}"
    return InPlaceCastError(
        f"{op}: {what} cannot be stored in place in a {target} tensor (result type {theirs} can't be "
        f"cast to the desired output type {ours})"
    )


class TensorInPlace:
    """Tensor's in-place methods (a mixin: :class:`~autograd.tensor.Tensor` inherits them)."""

    __slots__ = ()

    # -- in-place changes (inside no_grad, or on tensors that need no gradient) --
    def _in_place(self, other: TensorLike, ufunc: np.ufunc, op: str) -> Tensor:
        half_number = _half_factor(self, other, ufunc)
        number = other
        other = _operand(other, self._data, op)
        if _records(self, other):
            # a float16 tensor's number factor or divisor stays a number, so out of place computes it in float32
            return self._record_in_place(op, _OUT_OF_PLACE[ufunc], other if half_number is None else number)
        check_in_place_allowed(self, other, op)
        result = np.result_type(self._data, other._data)
        if ufunc is np.true_divide and result.kind != "f":
            result = get_default_dtype()
        if not can_store(result, self.dtype):  # a result of a higher category (torch's rule, not numpy's same_kind)
            raise _cast_error(op, result, self.dtype, other.dtype)
        try:  # cast as torch casts (int16 into uint8 too); IEEE results, no warnings
            if half_number is not None:  # in float32, rounded once into float16 (as x * 0.1 out of place)
                quietly(ufunc, self._data, half_number, out=self._data, dtype=np.float32, casting="unsafe")
            else:
                quietly(ufunc, self._data, other._data, out=self._data, casting="unsafe")
        except TypeError:  # no loop for these dtypes (bool - bool)
            raise _cast_error(op, result, self.dtype, other.dtype) from None
        except ValueError as error:
            if not self._data.flags.writeable:
                raise read_only_error(self, op) from None
            raise ShapeError(
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
        if self._shares_data():  # (the owner of an array that only views share need not read its holders)
            base = _viewed_base(self, self._version_counter.live_holders())
            if base is None:
                raise _shared_data_error(op)
            return self._write_through_view(base, op, graph, *operands)
        # an empty tensor has no entry to write: an empty expand (read-only, and sharing no memory, so not seen as
        # a view) takes a change as torch's does
        if not self._data.flags.writeable and self._data.size:
            raise read_only_error(self, op)
        result = graph(self, *operands)
        _check_fits(op, result, self)
        if result.op is None and self.requires_grad:  # values that depend on nothing differentiable (x.eq_(y)):
            result = _copied(self, result)  # recorded with self as an input that gets no gradient, as torch's
        if result.op is None:  # nothing was recorded (the graph function gave a constant)
            if self._data.size:
                quietly(np.copyto, self._data, result._data, casting="unsafe")  # (_check_fits checked the category)
            increment_version(self)
            return self
        # the old values are kept (a copy) when a rule will read them: the new op's rule for this input, or
        # the rule of the op that made them, which reads its output (x.div_(y) then x += 1: div's rule reads out),
        # or when self is an input of an earlier op of a composite (x.rsqrt_() is sqrt, then reciprocal)
        parents = result.parents
        reads = read_inputs(result)
        position = next((index for index, parent in enumerate(parents) if parent is self), None)
        keep_old = position is None or position in reads or reads_output(self)
        snapshot = self._data.copy() if keep_old else None
        parents = _unaliased_operands(self, parents, reads)
        if self._data.size:
            quietly(np.copyto, self._data, result._data, casting="unsafe")  # a cast out of range gives inf, as torch
        earlier = rebase_history(self, result.op, parents, result.attrs, earlier_data=snapshot)
        views_go_stale(self)  # live views show the new values: each becomes its view of the new self when next used
        unlink_earlier(self, earlier)
        return self

    def _shares_data(self) -> bool:
        """Whether this tensor is a view, a detached tensor or a copy of another, or shares its array with a copy
        (``copy.copy``, a custom Function's output): a recorded in-place change must then take the way of
        :meth:`_record_in_place` that writes through views or refuses."""
        counter = self._version_counter
        if counter is None or (self._holder_kind is None and not counter.copies):
            return False
        return any(node is self or kind == "copy" for kind, node in counter.live_holders())

    def _record_index_put(self, index: Any, value: Tensor) -> None:
        """``self[index] = value`` recorded as :meth:`_record_in_place` records it (``index_put`` of this tensor's
        earlier self and ``value``), with the entries written into this tensor's array directly: index_put's rules
        read no values, so the earlier self needs the old ones only when the op that made this tensor reads its
        output (a copy then), and an assignment costs the entries it writes, not a copy of the whole tensor."""
        if not self._data.flags.writeable and self._data.size:  # (an empty expand: see _record_in_place)
            raise read_only_error(self, "setitem")
        snapshot = self._data.copy() if reads_output(self) else None
        # (an empty tensor's array may be read-only: a scratch one checks the index's bounds and the value's shape)
        _assign(self._data if self._data.size else np.empty(self.shape, self.dtype), index, value._data)
        earlier = rebase_history(self, ar.index_put, (self, value), {"index": index}, earlier_data=snapshot)
        views_go_stale(self)
        unlink_earlier(self, earlier)

    def _write_through_view(self, base: Tensor, op: str, graph: Callable[..., Tensor], *operands: Any) -> Tensor:
        """An in-place change of a view ``self`` of ``base`` (basic indexing, a reshape or a transpose) while
        recording, as torch's: the new values are computed out of place and written into ``base``; for a view of
        a view, into each base in turn, out of place (recorded: ``base[index] = values``, or the values reshaped
        or transposed back), up to the tensor that views nothing, which takes them as its own recorded in-place
        change. That makes every live view of it, ``self`` included, a view of the new tensor; ``self`` keeps its
        identity and array, which shows the new values. The op reads a copy of the old values, as a rule that
        reads its input must not see the new ones. A loop, not a recursion: any chain of views works at
        Python's default recursion limit."""
        # the old values as a copy read from base (the view's op, recorded as a node that is not a view), so the
        # graph does not hold on to ``self``: a view the caller drops (``t[i] += v`` makes one each time) is not
        # kept and rebased again
        view_op, _, view_attrs = _view_recipe(self)
        old = type(self)._from_op(self._data.copy(), view_op, (base,), view_attrs)
        values = graph(old, *operands)
        _check_fits(op, values, self)
        return self._view_takes(base, op, values)

    def _view_takes(self, base: Tensor, op: str, values: Tensor) -> Tensor:
        """Make the recorded ``values`` the new values of the view ``self`` of ``base``: written into each base of
        the chain in turn, up to the tensor that views nothing (see :meth:`_write_through_view`)."""
        if self._made_in_no_grad:  # (a view of such a view inherits the mark, as torch's creation meta)
            raise RuntimeError(no_grad_view_change_error(op))
        if self._multi_output_view is not None:  # a piece of split/chunk/unbind (or a view of one), as torch's
            raise RuntimeError(multi_output_view_change_error(self, op))
        view = self
        # every tensor of the chain shares one version counter (_viewed_base checks it), whose holders are read
        # once: reading them at each step took time quadratic in the chain's length
        holders = base._version_counter.live_holders()
        views = {id(node) for _, node in holders}
        copied = any(kind == "copy" for kind, _ in holders)
        chain = [self]  # the views written through, from self to the one that views base
        while True:
            if id(base) not in views:  # base views nothing: it takes the values
                if base.op is None and base.requires_grad:  # a parameter, changed through a view: refused, as torch
                    raise RuntimeError(
                        f"{op}: in-place change of a view of a leaf {type(base).__name__} that requires grad while "
                        "the graph is being recorded (a view of a leaf Variable that requires grad is being used in "
                        "an in-place operation); do the update inside `with no_grad():`, or write it out of place"
                    )
                view_op, _, view_attrs = _view_recipe(view)
                since = min(node._based_at for node in chain)
                if view_op is ar.getitem:
                    base[view_attrs["index"]] = values
                else:
                    base._record_in_place(op, functools.partial(_into_base, view=view), values)
                # the views changed that base's new history holds (the new values were read from them: F.relu(v,
                # inplace=True), mark_dirty) take their new history now, not when next used: each holds base
                unlink_rebased(base, since, tuple(chain))
                return self
            outer = None if copied else _writable_base(base)
            if outer is None:
                raise _shared_data_error(op, " (here the view's base)")
            values = _into_base(base, values, view)
            view, base = base, outer
            chain.append(view)

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
    def add_(self, other: TensorLike, *deprecated: TensorLike, alpha: float = 1) -> Tensor:
        """``t += alpha * other`` in place (``torch.Tensor.add_``; torch's deprecated ``add_(alpha, other)`` too)."""
        if deprecated:
            other, alpha = alpha_first("add_", other, deprecated, alpha)
        check_alpha("add_", self, other, alpha)
        return self._in_place(_scaled(other, alpha, "add_"), np.add, "add_")

    def sub_(self, other: TensorLike, *deprecated: TensorLike, alpha: float = 1) -> Tensor:
        """``t -= alpha * other`` in place (``torch.Tensor.sub_``; torch's deprecated ``sub_(alpha, other)`` too)."""
        if deprecated:
            other, alpha = alpha_first("sub_", other, deprecated, alpha)
        refuse_bool_subtraction("sub_", self, other)
        check_alpha("sub_", self, other, alpha)
        return self._in_place(_scaled(other, alpha, "sub_"), np.subtract, "sub_")

    def mul_(self, other: TensorLike) -> Tensor:
        """``t *= other`` in place (``torch.Tensor.mul_``)."""
        return self._in_place(other, np.multiply, "mul_")

    def div_(self, other: TensorLike, *, rounding_mode: str | None = None) -> Tensor:
        """``t /= other`` in place (``torch.Tensor.div_``); ``rounding_mode`` "floor" or "trunc" rounds the
        quotient as ``div``'s does (written into t's dtype)."""
        if rounding_mode is None:
            return self._in_place(other, np.true_divide, "div_")
        return self._twin_in_place("div", (other,), {"rounding_mode": rounding_mode})

    def clamp_(self, min: TensorLike | None = None, max: TensorLike | None = None) -> Tensor:
        """Clamp into [min, max] in place (``torch.Tensor.clamp_``; alias ``clip_``)."""
        if min is None and max is None:
            raise ValueError("clamp_: at least one of min and max must be given")
        self._check_bounds("clamp_", min, max)
        if _records(self, min, max):
            return self._record_in_place("clamp_", lambda t: t.clip(min, max))
        check_in_place_allowed(self, next((b for b in (min, max) if isinstance(b, Node)), None), "clamp_")
        _refuse_read_only(self, "clamp_")
        low, high = (b._data if isinstance(b, Node) else b for b in (min, max))
        try:
            value = quietly(np.clip, self._data, low, high)
        except ValueError as error:
            raise ValueError(f"clamp_: {error} (tensor shape {self.shape})") from None
        if value.shape != self.shape:
            raise ShapeError(
                f"clamp_: the result has shape {value.shape}, which does not fit the tensor's shape {self.shape} "
                "(an in-place change cannot change the shape)"
            )
        if not can_store(value.dtype, self.dtype):  # a float bound of an integer tensor
            raise _cast_error("clamp_", value.dtype, self.dtype)
        quietly(np.copyto, self._data, value, casting="unsafe")
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
        if not isinstance(value, (numbers.Number, np.generic, Node)) or isinstance(value, (str, bytes)):
            raise TypeError(f"{op}: the value must be a number or a 0-d tensor, got {type(value).__name__}")
        if isinstance(value, Node):
            refuse_value_tensor_not_0d(value, op)
        if _records(self, value):  # recorded: every entry masked, so the gradient goes to a node value only
            return self._record_in_place(op, lambda t, v: t.masked_fill(np.ones(t.shape, dtype=bool), v), value)
        check_in_place_allowed(self, value if isinstance(value, Node) else None, op)
        target = filled_array(self, op)
        if not isinstance(value, Node):  # as torch: inf, nan or 300 in an int8 tensor is an error, 2.7 fills 2
            value = fill_value_in(value, self.dtype, op)
        quietly(target.fill, value.item() if isinstance(value, _Tensor) else value)  # 1e300 in float16: inf
        increment_version(self)
        return self

    @torch_keyword_names(other="source")
    def copy_(self, source: TensorLike, non_blocking: bool = False) -> Tensor:
        """Copy ``source`` into this tensor's data in place (broadcast, cast to this tensor's dtype whatever the
        source's, as torch's: floats into an integer tensor are truncated toward 0). A source that is not real
        numbers or booleans (None, a string, complex numbers) is a TypeError: the unsafe cast would write nan for
        None, parse "1.5" and drop an imaginary part. torch's ``non_blocking`` (a device copy's option) changes
        nothing on the CPU."""
        if not isinstance(source, Node):
            _check_real_source("copy_", source)
        return self._replace("copy_", lambda data, source: source, source, graph=_copied, any_dtype=True)

    # -- torch's other in-place methods: the out-of-place value written into this tensor's array ----------------
    def _replace(
        self,
        op: str,
        compute: Any,
        *operands: Any,
        graph: Callable[..., Tensor] | None = None,
        any_dtype: bool = False,
    ) -> Tensor:
        """Write ``compute(data, *raw operands)`` into this tensor's array in place, cast to its dtype as torch
        casts an in-place result (:func:`can_store`; whatever its dtype with ``any_dtype``), the version bumped.
        While a graph is recorded for it or an operand: recorded as ``graph(self, *operands)`` where one is given
        (:meth:`_record_in_place`), else refused. Every operand must broadcast to this tensor's shape (a ValueError
        naming ``op`` and both shapes otherwise)."""
        for operand in operands:
            if isinstance(operand, (list, tuple)):  # numpy would read a list of nodes as constants: refused
                refuse_nodes_in_sequence(operand, op)
            _check_broadcasts_to(op, operand, self.shape)
        if graph is not None and _records(self, *operands):
            return self._record_in_place(op, graph, *operands)
        check_in_place_allowed(self, next((x for x in operands if isinstance(x, Node) and x.requires_grad), None), op)
        raw = [x._data if isinstance(x, Node) else x for x in operands]
        value = quietly(compute, self._data, *raw)  # IEEE results, as the out-of-place ops give them
        if not any_dtype and not can_store(np.asarray(value).dtype, self.dtype):
            # a float result in an integer tensor (exp_, lerp_, pow_(0.5)): torch's RuntimeError too
            raise _cast_error(op, np.asarray(value).dtype, self.dtype)
        try:
            quietly(np.copyto, self._data, value, casting="unsafe")  # a cast out of range gives inf, as torch
        except ValueError:
            if not self._data.flags.writeable:
                raise read_only_error(self, op) from None
            raise ValueError(
                f"{op}: cannot write data of shape {np.shape(value)} into a tensor of shape {self.shape}"
            ) from None
        increment_version(self)
        return self

    def neg_(self) -> Tensor:
        """-t in place."""
        refuse_bool_negation("neg_", self)
        return self._replace("neg_", np.negative, graph=operator.neg)

    def abs_(self) -> Tensor:
        """|t| in place."""
        refuse_bool_abs("abs_", self._data)
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
        """t ** exponent in place (as ``**``: an integer exponent must be a value of an integer tensor's dtype, and a
        boolean tensor takes a Python bool)."""
        compute = shared_math.array_power  # (torch's int**-k)
        if self._data.dtype.kind in "iu" and is_integer(exponent):
            check_integer_exponent("pow_", int(exponent), self._data.dtype)
        elif self._data.dtype == np.bool_ and is_integer(exponent) and exponent < 0:  # (numpy's ValueError)
            check_integer_exponent("pow_", int(exponent), self._data.dtype)
        elif self._data.dtype == np.bool_ and type(exponent) is bool:
            compute = shared_math.boolean_power
        return self._replace("pow_", compute, exponent, graph=operator.pow)

    def relu_(self) -> Tensor:
        """max(t, 0) in place."""
        return self._replace("relu_", np.maximum, 0, graph=_relu)

    def sigmoid_(self) -> Tensor:
        """1 / (1 + e**-t) in place (the overflow-free form)."""
        return self._replace("sigmoid_", shared_math.sigmoid, graph=operator.methodcaller("sigmoid"))

    def tanh_(self) -> Tensor:
        """tanh t in place."""
        return self._replace("tanh_", np.tanh, graph=operator.methodcaller("tanh"))

    # -- torch's in-place twins of out-of-place methods: one generic path, one row each ---------------------------
    def _twin_in_place(self, name: str, args: tuple, kwargs: dict) -> Tensor:
        """``self <- self.name(*args, **kwargs)`` in place (torch's ``name_``): recorded as the out-of-place op
        while a graph is recorded for this tensor or an operand (:meth:`_record_in_place`); a result this
        tensor's dtype cannot hold (a float result in an integer tensor) is a TypeError in torch's words."""
        op = f"{name}_"
        operands = (*args, *kwargs.values())
        if _records(self, *operands):
            return self._record_in_place(op, lambda t: getattr(t, name)(*args, **kwargs))
        check_in_place_allowed(self, next((x for x in operands if isinstance(x, Node) and x.requires_grad), None), op)
        result = np.asarray(getattr(self, name)(*args, **kwargs)._data)  # nothing is recorded (see _records)
        if not can_store(result.dtype, self.dtype):
            raise _cast_error(op, result.dtype, self.dtype)
        if result.shape != self.shape:  # a ShapeError, torch's RuntimeError, as _check_fits raises when recorded
            raise ShapeError(
                f"{op}: the result has shape {result.shape}, which does not fit the tensor's shape {self.shape} "
                f"(torch: output with shape {list(self.shape)} doesn't match the broadcast shape {list(result.shape)})"
            )
        if not self._data.flags.writeable:
            raise read_only_error(self, op)
        quietly(np.copyto, self._data, result, casting="unsafe")  # a cast out of range gives inf, as torch
        increment_version(self)
        return self

    def _float_twin(self, name: str, args: tuple, kwargs: dict) -> Tensor:
        """:meth:`_twin_in_place` of an op whose result torch always makes a float (``reciprocal``): refused for
        an integer or boolean tensor, whose dtype cannot hold it."""
        if self.dtype.kind != "f":
            raise _cast_error(f"{name}_", np.dtype(np.float64), self.dtype)
        return self._twin_in_place(name, args, kwargs)

    # fmt: off
    sin_ = in_place_twin("sin", "sin t; d/dt = cos t")
    cos_ = in_place_twin("cos", "cos t; d/dt = -sin t")
    tan_ = in_place_twin("tan", "tan t; d/dt = 1 + tan^2 t")
    asin_ = arcsin_ = in_place_twin("asin", "arcsin t; d/dt = 1 / sqrt(1 - t^2)")
    acos_ = arccos_ = in_place_twin("acos", "arccos t; d/dt = -1 / sqrt(1 - t^2)")
    atan_ = arctan_ = in_place_twin("atan", "arctan t; d/dt = 1 / (1 + t^2)")
    sinh_ = in_place_twin("sinh", "sinh t; d/dt = cosh t")
    cosh_ = in_place_twin("cosh", "cosh t; d/dt = sinh t")
    asinh_ = arcsinh_ = in_place_twin("asinh", "arcsinh t; d/dt = 1 / sqrt(t^2 + 1)")
    acosh_ = arccosh_ = in_place_twin("acosh", "arccosh t; d/dt = 1 / sqrt(t^2 - 1)")
    atanh_ = arctanh_ = in_place_twin("atanh", "arctanh t; d/dt = 1 / (1 - t^2)")
    floor_ = in_place_twin("floor", "floor t; zero gradient")
    ceil_ = in_place_twin("ceil", "ceil t; zero gradient")
    trunc_ = in_place_twin("trunc", "t rounded towards zero; zero gradient")
    frac_ = in_place_twin("frac", "t - trunc t; d/dt = 1")  # (an integer tensor: frac's DtypeKernelError)
    sign_ = in_place_twin("sign", "-1, 0 or 1; zero gradient")
    sgn_ = in_place_twin("sgn", "-1, 0 or 1; zero gradient")
    square_ = in_place_twin("square", "t^2; d/dt = 2t")
    reciprocal_ = in_place_twin("reciprocal", "1 / t; d/dt = -1 / t^2", floats_only=True)
    rsqrt_ = in_place_twin("rsqrt", "1 / sqrt t; d/dt = -t^(-3/2) / 2", floats_only=True)
    exp2_ = in_place_twin("exp2", "2^t; d/dt = 2^t ln 2")
    expm1_ = in_place_twin("expm1", "e^t - 1; d/dt = e^t")
    log1p_ = in_place_twin("log1p", "log(1 + t); d/dt = 1 / (1 + t)")
    log2_ = in_place_twin("log2", "log2 t; d/dt = 1 / (t ln 2)")
    log10_ = in_place_twin("log10", "log10 t; d/dt = 1 / (t ln 10)")
    erf_ = in_place_twin("erf", "erf t; d/dt = 2/sqrt(pi) e^(-t^2)")
    erfc_ = in_place_twin("erfc", "1 - erf t; d/dt = -2/sqrt(pi) e^(-t^2)", floats_only=True)
    erfinv_ = in_place_twin("erfinv", "the inverse of erf; d/dt = sqrt(pi)/2 e^(erfinv(t)^2)", floats_only=True)
    lgamma_ = in_place_twin("lgamma", "log |Gamma(t)|; d/dt = digamma t", floats_only=True)
    digamma_ = in_place_twin("digamma", "Gamma'(t) / Gamma(t); d/dt = polygamma(1, t)", floats_only=True)
    polygamma_ = in_place_twin("polygamma", "the n-th derivative of digamma; d/dt = polygamma(n + 1, t)",
                               floats_only=True)
    mvlgamma_ = in_place_twin("mvlgamma", "the multivariate log-gamma of dimension p", floats_only=True)
    i0_ = in_place_twin("i0", "the modified Bessel function I0; d/dt = I1(t)", floats_only=True)
    deg2rad_ = in_place_twin("deg2rad", "t pi / 180; d/dt = pi / 180")
    rad2deg_ = in_place_twin("rad2deg", "t 180 / pi; d/dt = 180 / pi")
    atan2_ = arctan2_ = in_place_twin("atan2", "atan2(t, other); d/dt = other / (t^2 + other^2)")
    hypot_ = in_place_twin("hypot", "sqrt(t^2 + other^2); d/dt = t / hypot")
    fmod_ = in_place_twin("fmod", "t - trunc(t / other) other; d/dt = 1, d/dother = -trunc(t / other)")
    remainder_ = in_place_twin("remainder", "t - floor(t / other) other; d/dt = 1, d/dother = -floor(t / other)")
    floor_divide_ = in_place_twin("floor_divide", "floor(t / other); zero gradient")
    copysign_ = in_place_twin("copysign", "|t| with the sign of other; d/dt = +-1, d/dother = 0")
    clamp_min_ = in_place_twin("clamp_min", "max(t, min); d/dt = 1 where t >= min")
    clamp_max_ = in_place_twin("clamp_max", "min(t, max); d/dt = 1 where t <= max")
    cumsum_ = in_place_twin("cumsum", "the running sum along dim; d/dt_k = sum_{j >= k} g_j")
    cumprod_ = in_place_twin("cumprod", "the running product along dim")
    tril_ = in_place_twin("tril", "entries above the diagonal-th diagonal set to 0; their gradient too")
    triu_ = in_place_twin("triu", "entries below the diagonal-th diagonal set to 0; their gradient too")
    eq_ = in_place_twin("eq", "1 where t == other else 0, in t's dtype; zero gradient")
    ne_ = not_equal_ = in_place_twin("ne", "1 where t != other else 0, in t's dtype; zero gradient")
    lt_ = less_ = in_place_twin("lt", "1 where t < other else 0, in t's dtype; zero gradient")
    le_ = less_equal_ = in_place_twin("le", "1 where t <= other else 0, in t's dtype; zero gradient")
    gt_ = greater_ = in_place_twin("gt", "1 where t > other else 0, in t's dtype; zero gradient")
    ge_ = greater_equal_ = in_place_twin("ge", "1 where t >= other else 0, in t's dtype; zero gradient")
    logical_and_ = in_place_twin("logical_and", "1 where both are non-zero else 0, in t's dtype; zero gradient")
    logical_or_ = in_place_twin("logical_or", "1 where either is non-zero else 0, in t's dtype; zero gradient")
    logical_xor_ = in_place_twin("logical_xor", "1 where exactly one is non-zero else 0, in t's dtype; zero gradient")
    logical_not_ = in_place_twin("logical_not", "1 where t is zero else 0, in t's dtype; zero gradient")
    bitwise_and_ = in_place_twin("bitwise_and", "t & other (integer or boolean tensors)")
    bitwise_or_ = in_place_twin("bitwise_or", "t | other (integer or boolean tensors)")
    bitwise_xor_ = in_place_twin("bitwise_xor", "t ^ other (integer or boolean tensors)")
    bitwise_not_ = in_place_twin("bitwise_not", "~t (integer or boolean tensors)")
    bitwise_left_shift_ = in_place_twin("bitwise_left_shift", "t << other (integer tensors)")
    bitwise_right_shift_ = in_place_twin("bitwise_right_shift", "t >> other (integer tensors)")
    # the other augmented assignments are these methods, so they write into the tensor as torch's do (``v //= 2``
    # changes a view's base) and as +=, -=, *= and /= above do
    __ifloordiv__, __imod__, __ipow__ = floor_divide_, remainder_, pow_
    __iand__, __ior__, __ixor__ = bitwise_and_, bitwise_or_, bitwise_xor_
    __ilshift__, __irshift__ = bitwise_left_shift_, bitwise_right_shift_
    fix_ = in_place_twin("fix", "t rounded towards zero; zero gradient")
    logit_ = in_place_twin("logit", "log(t / (1 - t)), t clamped to [eps, 1 - eps] if given; d/dt = 1 / (t (1 - t))")
    xlogy_ = in_place_twin("xlogy", "t log(other), 0 where t = 0; d/dt = log other, d/dother = t / other")
    igamma_ = in_place_twin("igamma", "P(t, other); d/dother = other^(t-1) e^-other / Gamma(t), d/dt not implemented")
    igammac_ = in_place_twin("igammac", "Q(t, other); d/dother = -other^(t-1) e^-other / Gamma(t), d/dt not implemented")
    ldexp_ = in_place_twin("ldexp", "t 2^other; d/dt = 2^other, d/dother = t 2^other ln 2")
    nextafter_ = in_place_twin("nextafter", "the next float after t towards other; d/dt = 1 where t != other")
    sinc_ = in_place_twin("sinc", "sin(pi t) / (pi t); d/dt = (cos(pi t) - sinc t) / t", floats_only=True)
    nan_to_num_ = in_place_twin("nan_to_num", "NaN and infinities replaced; d/dt = 1 at finite entries")
    heaviside_ = in_place_twin("heaviside", "0, values or 1 by the sign of t; zero gradient")
    divide_ = in_place_twin("divide", "t / other, rounded by rounding_mode if given; d/dt = 1 / other")
    gcd_ = in_place_twin("gcd", "the greatest common divisor of integer tensors; no gradient")
    lcm_ = in_place_twin("lcm", "the least common multiple of integer tensors; no gradient")
    renorm_ = in_place_twin("renorm", "the slices along dim whose p-norm exceeds maxnorm scaled down to it")
    addmm_ = in_place_twin("addmm", "beta t + alpha mat1 @ mat2")
    addmv_ = in_place_twin("addmv", "beta t + alpha mat @ vec")
    addr_ = in_place_twin("addr", "beta t + alpha outer(vec1, vec2)")
    baddbmm_ = in_place_twin("baddbmm", "beta t + alpha batch1 @ batch2, batch by batch")
    addbmm_ = in_place_twin("addbmm", "beta t + alpha sum_b batch1[b] @ batch2[b]")
    # fmt: on

    def float_power_(self, exponent: TensorLike) -> Tensor:
        """``t.float_power(exponent)`` in place (``torch.Tensor.float_power_``): t ** exponent, for a float64 t
        only (the result is float64; torch refuses any other dtype); d/dt = e t^(e-1), d/de = t^e log t."""
        if self.dtype != np.float64:
            raise InPlaceCastError(
                f"float_power_: the base given to float_power_ has dtype {self.dtype} but the operation's result "
                "requires dtype float64"
            )
        return self._twin_in_place("float_power", (exponent,), {})

    def round_(self, decimals: int = 0) -> Tensor:
        """Round to ``decimals`` decimal places in place, halves to even (``torch.Tensor.round_``); zero gradient."""
        decimals = require_integer("round_", "decimals", decimals)
        if decimals == 0:
            return self._twin_in_place("round", (), {})
        return self._replace(
            "round_", lambda t: shared_math.rounded_to_decimals(t, decimals), graph=lambda t: t.round(decimals)
        )

    # aliases of the arithmetic above (torch's second names)
    subtract_ = sub_
    multiply_ = mul_
    true_divide_ = div_
    negative_ = neg_
    absolute_ = abs_

    # -- shape changes in place (metadata only, as torch's t_, transpose_, squeeze_, unsqueeze_) -------------------
    def _change_shape(self, op: str, reshaped: Callable[[Tensor], Tensor]) -> Tensor:
        """Make this tensor ``reshaped(self)`` (a view of the same array in another shape) in place, its version
        bumped. As in torch, a leaf that requires grad refuses while a graph is recorded, and any other tensor
        that requires grad becomes the output of the shape op. Refused for a tensor that shares its array while
        recorded (a view, ``detach()``, ``copy.copy``: torch changes a view's shape, this library does not)."""
        if _mode.enabled and self.requires_grad:
            if self.op is None:
                check_in_place_allowed(self, None, op)
            holders = self._version_counter.live_holders() if self._version_counter is not None else []
            if any(node is self or kind == "copy" for kind, node in holders):
                raise RuntimeError(
                    f"{op}: in-place shape change of a Tensor that shares its data with another one (a view, "
                    "detach() or copy.copy) while the graph is being recorded; change it out of place"
                )
            if any(kind == "view" for kind, _ in holders):  # their way back into this tensor is for its old shape
                raise RuntimeError(
                    f"{op}: in-place shape change of a Tensor that has live views while the graph is being recorded "
                    "(a later in-place change through one of them could not find its entries); change the shape out "
                    f"of place (y = y.{op[:-1]}(...)) or drop the views first"
                )
            result = reshaped(self)
            if result is not self:
                rebase_history(self, result.op, result.parents, result.attrs)
                self._data = result._data
            return self
        self._data = reshaped(self)._data
        increment_version(self)
        return self

    def t_(self) -> Tensor:
        """Transpose a matrix in place (``torch.Tensor.t_``; 0-D and 1-D tensors stay); d/dt transposes g back."""
        return self._change_shape("t_", operator.methodcaller("t"))

    def transpose_(self, dim0: int, dim1: int) -> Tensor:
        """Swap axes ``dim0`` and ``dim1`` in place (``torch.Tensor.transpose_``); d/dt swaps g back."""
        return self._change_shape("transpose_", operator.methodcaller("swapaxes", dim0, dim1))

    def swapaxes_(self, axis0: int, axis1: int) -> Tensor:
        """Swap two axes in place (``torch.Tensor.swapaxes_``, alias ``swapdims_``)."""
        return self._change_shape("swapaxes_", operator.methodcaller("swapaxes", axis0, axis1))

    def swapdims_(self, dim0: int, dim1: int) -> Tensor:
        """Swap two axes in place (``torch.Tensor.swapdims_``, alias ``swapaxes_``)."""
        return self._change_shape("swapdims_", operator.methodcaller("swapaxes", dim0, dim1))

    def squeeze_(self, dim: Any = None) -> Tensor:
        """Drop length-1 axes in place (only those of ``dim``, an int or a tuple, if given; others are left, as
        torch's ``squeeze_``); d/dt reshapes g back."""
        squeeze = operator.methodcaller("squeeze") if dim is None else operator.methodcaller("squeeze", dim=dim)
        return self._change_shape("squeeze_", squeeze)

    def unsqueeze_(self, dim: int) -> Tensor:
        """Insert a length-1 axis at ``dim`` in place (``torch.Tensor.unsqueeze_``); d/dt reshapes g back."""
        return self._change_shape("unsqueeze_", operator.methodcaller("unsqueeze", dim))

    def as_strided_(self, size: Any, stride: Any, storage_offset: int | None = None) -> Tensor:
        """``as_strided(size, stride, storage_offset)`` in place (``torch.Tensor.as_strided_``): the tensor takes
        that result's entries and shape, its version bumped; d/dt as :meth:`as_strided`'s. As ``as_strided`` here
        reads a copy, the tensor then holds its own array (torch's keeps viewing the old storage)."""
        return self._change_shape("as_strided_", operator.methodcaller("as_strided", size, stride, storage_offset))

    def masked_fill_(self, mask: Any, value: Any) -> Tensor:
        """``value`` where ``mask`` is True, in place (``torch.Tensor.masked_fill_``; the mask broadcasts)."""
        mask = np.asarray(mask._data if isinstance(mask, Node) else mask)
        if mask.dtype != np.bool_:
            raise IndexDtypeError(f"masked_fill_: the mask must be boolean, got dtype {mask.dtype}")
        _check_broadcasts_to("masked_fill_", mask, self.shape)
        value = fill_value_in(value, self.dtype, "masked_fill_")  # cast as torch's: 2.7 fills an int tensor with 2
        return self._replace(
            "masked_fill_", lambda t, v: np.where(mask, v, t), value, graph=lambda t, v: t.masked_fill(mask, v)
        )

    def lerp_(self, end: TensorLike, weight: TensorLike) -> Tensor:
        """t + weight * (end - t) in place (``torch.Tensor.lerp_``; float16 computed in float32 and rounded once,
        by the write, as torch's kernel)."""
        return self._replace("lerp_", _computed_wide(lerp), end, weight, graph=lambda t, e, w: t.lerp(e, w))

    def addcmul_(self, tensor1: TensorLike, tensor2: TensorLike, *deprecated: TensorLike, value: float = 1) -> Tensor:
        """t + value * tensor1 * tensor2 in place (``torch.Tensor.addcmul_``, as in optimizers' moment updates;
        torch's deprecated ``addcmul_(value, tensor1, tensor2)`` too)."""
        if deprecated:
            tensor1, tensor2, value = value_first_in_place("addcmul_", tensor1, tensor2, deprecated, value)

        value = pointwise_value("addcmul_", value, *_dtypes_of(self, tensor1, tensor2))

        def addcmul(t: Any, a: Any, b: Any) -> Any:
            return t + value * a * b

        graph = lambda t, a, b: t.addcmul(a, b, value=value)  # noqa: E731
        return self._replace("addcmul_", _computed_wide(addcmul), tensor1, tensor2, graph=graph)

    def addcdiv_(self, tensor1: TensorLike, tensor2: TensorLike, *deprecated: TensorLike, value: float = 1) -> Tensor:
        """t + value * tensor1 / tensor2 in place (``torch.Tensor.addcdiv_``; torch's deprecated
        ``addcdiv_(value, tensor1, tensor2)`` too)."""
        if deprecated:
            tensor1, tensor2, value = value_first_in_place("addcdiv_", tensor1, tensor2, deprecated, value)

        value = pointwise_value("addcdiv_", value, *_dtypes_of(self, tensor1, tensor2))

        def addcdiv(t: Any, a: Any, b: Any) -> Any:
            return t + value * a / b

        graph = lambda t, a, b: t.addcdiv(a, b, value=value)  # noqa: E731
        return self._replace("addcdiv_", _computed_wide(addcdiv), tensor1, tensor2, graph=graph)

    def __setitem__(self, index: Any, value: Any) -> None:
        """``t[index] = value`` in place, with numpy's indexing (same rule as the in-place operators; recorded,
        as torch's ``index_put_``, on a tensor that is not a parameter when it or ``value`` requires grad). A list
        index is read as getitem reads it (:func:`~autograd.tensor_shape.sequence_as_tuple`)."""
        index = sequence_as_tuple(index)
        if _ParentWatch.on and isinstance(value, Node):  # a view whose base changed since: its present history
            refresh_views((value,))  # (``t[i] += v`` hands back the view it just changed, stale until it is used)
        if _is_own_view_at(value, self, index):  # Python's write-back of ``t[i] += v``: the view already changed t;
            increment_version(self)  # not written again, but counted as torch counts its copy of the view onto t
            return
        if isinstance(value, (list, tuple)):  # numpy would read a list of nodes as constants: refused
            refuse_nodes_in_sequence(value, "setitem")
        value = _without_leading_ones(value)
        if isinstance(value, _NUMBERS):
            value = _assigned_number(value, self._data.dtype)
        raw = without_empty_ellipsis(_raw_index(index, op="setitem"), self.ndim)
        split = split_at_integers(raw)
        if split is not None:  # torch's reading of integers beside array indices: select first, then assign
            try:
                self[split[0]][split[1]] = value
            except IndexError as error:  # named by the whole tensor, not by what the integers selected
                raise whole_index_error("setitem", self._data, raw, error) from None
            except ShapeError:
                shape = np.shape(value._data if isinstance(value, Node) else value)
                raise ShapeError(
                    f"setitem: shape mismatch: a value of shape {shape} does not broadcast to the indexing result of "
                    f"shape {np.shape(self._data[split[0]][split[1]])} (tensor shape {self.shape})"
                ) from None
            return
        if _records(self, value):
            index = without_empty_ellipsis(_raw_index(index, snapshot=True, op="setitem"), self.ndim)
            value = _operand(value, self._data, "setitem")
            if not self._shares_data():  # written where it stands: no copy of the whole tensor per assignment
                self._record_index_put(index, value)
                return
            self._record_in_place("setitem", lambda t, v: _index_put(t, index, v), value)
            return
        if not isinstance(value, Node):
            _check_real_source("setitem", value)  # numpy would store None as nan and parse "1.5"
        check_in_place_allowed(self, value if isinstance(value, Node) else None, "setitem")
        index = raw
        target = self._data
        if not target.flags.writeable and np.ndim(value._data if isinstance(value, Node) else value) == 0:
            target = _written_entries_alias(self, index)  # one value into entries of an expand that repeat none
        try:
            with quiet():  # a value out of the dtype's range is stored as inf, as torch, without numpy's warning
                target[index] = value._data if isinstance(value, Node) else value
        except IndexError as error:
            raise IndexError(f"setitem: {error} (tensor shape {self.shape})") from None
        except OverflowError:  # numpy's for inf or 300 into an int8 tensor; torch's words
            raise ArgumentRangeError(
                f"setitem: value {value!r} cannot be converted to {self.dtype} without overflow"
            ) from None
        except (ValueError, TypeError) as error:
            if not self._data.flags.writeable:
                raise read_only_error(self, "setitem") from None
            raise _setitem_error(error, self._data, index, value._data if isinstance(value, Node) else value) from None
        increment_version(self)


_NUMBERS = (int, float, np.integer, np.floating)
#: The largest finite number of the float dtypes whose assigned numbers torch checks (float16's it does not check).
_FLOAT_LARGEST = {np.dtype(t): float(np.finfo(t).max) for t in (np.float32, np.float64)}


def _assigned_number(value: Any, dtype: np.dtype) -> Any:
    """The number ``value`` of ``t[index] = value`` in ``dtype`` as torch converts it: checked as a fill's value
    (:func:`fill_value_in`: -1 writes a uint8 255, 300 into int8, nan into int64 and 1e300 into float32 are an
    :class:`ArgumentRangeError`, torch's RuntimeError), except into float16, where torch writes any number, one
    beyond its range as inf. A number inside a float32 or float64 tensor's range, the usual case, is returned as it
    is at the cost of one comparison."""
    largest = _FLOAT_LARGEST.get(dtype)
    if (largest is not None and -largest <= value <= largest) or dtype == np.float16:
        return value
    return fill_value_in(value, dtype, "setitem")


def _without_leading_ones(value: Any) -> Any:
    """``value`` without its leading axes of length 1, as torch's ``t[index] = value`` reads it: a (1, 3) value
    fills a row of 3, a (1, 1) value one entry and a (1, k) value the k entries of a mask, where numpy refuses the
    last two and a recorded assignment could not sum the gradient back to the value's shape. A node is reshaped
    (recorded), so its gradient takes its shape back."""
    if type(value) in (float, int, bool):  # the usual number: no axes
        return value
    try:
        shape = np.shape(value._data if isinstance(value, Node) else value)
    except ValueError:  # ragged nested lists: the assignment names the problem
        return value
    kept = len(shape) - next((axis for axis, length in enumerate(shape) if length != 1), len(shape))
    if kept == len(shape):
        return value
    core = shape[len(shape) - kept :]
    return value.reshape(core) if isinstance(value, Node) else np.reshape(value, core)


class AlphaDtypeError(TypeError, RuntimeError):
    """An ``alpha`` of ``add``/``sub`` whose type the result's dtype does not take (torch's ``alpha_check``): a
    TypeError that is also the RuntimeError torch raises."""


def check_alpha(op: str, tensor: Any, other: Any, alpha: Any) -> None:
    """Raise :class:`AlphaDtypeError` naming ``op`` unless ``alpha`` suits the dtype of ``tensor <op> other`` as
    torch's: a float alpha needs a floating result (``add(int_t, int_t, alpha=1.5)`` would otherwise turn floating,
    where torch refuses: "For integral input tensors, argument alpha must not be a floating point number"), a
    bool alpha a boolean one. The result's category (bool < integer < floating) is the higher of the operands'."""
    alpha_kind = np.asarray(alpha._data if isinstance(alpha, Node) else alpha).dtype.kind
    if alpha_kind not in "bf":
        return
    kinds = [np.asarray(x._data if isinstance(x, Node) else x).dtype.kind for x in (tensor, other)]
    result = max(_CATEGORY.get(kind, 3) for kind in kinds)
    if alpha_kind == "f" and result < _CATEGORY["f"]:
        raise AlphaDtypeError(
            f"{op}: alpha {alpha!r} is a floating point number, and the operands (dtypes {' and '.join(kinds)}) are "
            "integral: for integral input tensors, argument alpha must not be a floating point number (torch's)"
        )
    if alpha_kind == "b" and result != _CATEGORY["b"]:
        raise AlphaDtypeError(f"{op}: alpha {alpha!r} is a bool: boolean alpha only supported for boolean results")


def _scaled(other: Any, alpha: float, op: str) -> Any:
    """``alpha * other`` for the ``alpha=`` of ``add_`` and ``sub_`` (a recorded node for a node operand)."""
    if other is None:  # p.add_(p.grad, alpha=-lr) before backward: say so, not "float * NoneType"
        raise none_operand_error(op)
    if alpha == 1:
        return other
    return other * alpha if isinstance(other, Node) else alpha * np.asarray(other)


def _is_own_view_at(value: Any, tensor: Any, index: Any) -> bool:
    """Whether ``value`` is the basic-indexing view ``tensor[index]`` itself (sharing its data and version), as
    Python's ``t[i] += v`` hands back to ``t.__setitem__`` after changing the view in place: writing it would
    copy the entries onto themselves (and, recorded, keep every such view alive in the graph)."""
    if not isinstance(value, Node) or value.op is not ar.getitem or value._version_counter is None:
        return False
    if value._version_counter is not tensor._version_counter or value.parents[0] is not tensor:
        return False
    return _same_basic_index(value.attrs["index"], index)


def _same_basic_index(recorded: Any, given: Any) -> bool:
    """Whether two basic indices (ints, slices, Ellipsis, None, or tuples of them) are equal."""
    parts = (
        (recorded if isinstance(recorded, tuple) else (recorded,)),
        (given if isinstance(given, tuple) else (given,)),
    )
    basic = (int, np.integer, slice, type(Ellipsis), type(None))
    if not all(isinstance(part, basic) and not isinstance(part, bool) for side in parts for part in side):
        return False
    return len(parts[0]) == len(parts[1]) and all(a == b for a, b in zip(*parts))


def _check_real_source(op: str, source: Any) -> None:
    """Raise a TypeError naming ``op`` unless ``source`` (a number, an array or a nested list) holds real numbers or
    booleans; a ValueError for a ragged list."""
    if type(source) in (float, int, bool):  # (an int beyond 64 bits: the cast says it does not fit, a ValueError)
        return
    try:
        dtype = source.dtype if isinstance(source, np.ndarray) else np.asarray(source).dtype
    except ValueError as error:
        raise ValueError(f"{op}: cannot make an array of the source {str(source)[:60]} ({error})") from None
    if dtype.kind not in "fiub":
        raise TypeError(
            f"{op}: the source must hold real numbers or booleans, got {type(source).__name__} of dtype {dtype}"
        )


def _check_broadcasts_to(op: str, operand: Any, shape: tuple[int, ...]) -> None:
    """Raise a ValueError naming ``op`` unless ``operand`` (a node, an array or a number) broadcasts to ``shape``."""
    operand_shape = np.shape(operand._data if isinstance(operand, Node) else operand)
    try:
        fits = np.broadcast_shapes(shape, operand_shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(
            f"{op}: an operand of shape {operand_shape} does not broadcast to the tensor's shape {shape} (an in-place "
            "change cannot change the shape)"
        )


def _check_fits(op: str, result: Tensor, tensor: Tensor) -> None:
    """Raise unless the out-of-place ``result`` of an in-place ``op`` can be stored in ``tensor`` (its shape, and
    a dtype that :func:`can_store` casts to ``tensor``'s)."""
    if result.shape != tensor.shape:
        raise ShapeError(
            f"{op}: the result has shape {result.shape}, which does not fit the tensor's shape {tensor.shape} "
            "(an in-place change cannot change the shape)"
        )
    if not can_store(result.dtype, tensor.dtype):
        raise _cast_error(op, result.dtype, tensor.dtype)


def view_takes(view: Tensor, values: Tensor, op: str) -> None:
    """Make the recorded ``values`` the new values of ``view``, a view changed in place by ``op`` (a custom
    Function's ``mark_dirty``), written through to the tensors it views; a RuntimeError naming ``op`` when
    ``view`` is not a view that can take them (see :meth:`TensorInPlace._write_through_view`)."""
    base = _viewed_base(view, view._version_counter.live_holders())
    if base is None:
        raise _shared_data_error(op)
    view._view_takes(base, op, values)


def _shared_data_error(op: str, which: str = "") -> RuntimeError:
    """The refusal of a recorded in-place change of a Tensor (``which`` names it, when it is not the one changed)
    whose array another node holds other than as a writable view."""
    return RuntimeError(
        f"{op}: in-place change of a Tensor{which} that shares its data with another one (a view other than basic "
        "indexing, reshape or transpose, detach(), copy.copy, or a custom Function's output that is a view of its "
        "input, whose backward the change would bypass) while the graph is being recorded; change the tensor it "
        "views, or write it out of place (x = x + y)"
    )


def _view_recipe(view: Any) -> tuple[Any, Any, Any]:
    """``(op, base, attrs)`` of how ``view`` was made from its base: its recorded op, or, for a view made while
    nothing was recorded, the op it kept (``_view_of``); ``(None, None, None)`` when it is neither."""
    if view.op is not None:  # (the tensor it views, which a backward pass may have swapped for an earlier self)
        base = view._view_base if view._view_base is not None else view.parents[0] if len(view.parents) == 1 else None
        return view.op, base, view.attrs
    return view._view_of if view._view_of is not None else (None, None, None)


def _viewed_base(view: Any, holders: list[tuple[str, Any]]) -> Any:
    """The tensor that ``view`` is a writable view of (a ``getitem`` with a basic index, a ``reshape`` or a
    ``transpose`` of it, sharing its data and version counter), when nothing else shares that data but such views
    (no ``detach()`` or ``copy.copy``); else None."""
    if any(kind == "copy" for kind, _ in holders):
        return None
    return _writable_base(view)


def _writable_base(view: Any) -> Any:
    """The tensor that ``view`` is a writable view of, by how it was made (see :func:`_viewed_base`, which also
    looks at what else holds its data); else None."""
    op, base, _ = _view_recipe(view)
    if op is ar.broadcast_to and base is not None and view._data.size == base._data.size:
        pass  # an expand that repeats no entry (x.expand(x.shape), new axes of length 1): a reshape, as torch allows
    elif op not in _WRITABLE_VIEWS:
        return None
    return base if base._version_counter is view._version_counter else None


def _into_base(base: Tensor, values: Tensor, view: Tensor) -> Tensor:
    """``base``'s new values, recorded out of place, when its view ``view`` takes ``values``."""
    op, _, attrs = _view_recipe(view)
    if op is ar.getitem:
        return _index_put(base, attrs["index"], values)
    if op is ar.reshape or op is ar.broadcast_to:  # (a broadcast that repeats no entry: see _writable_base)
        return values.reshape(base.shape)
    if op is ar.diagonal:
        return base.diagonal_scatter(values, attrs["offset"], attrs["axis1"], attrs["axis2"])
    return values.transpose(tuple(np.argsort(attrs["axes"])))


def _half_factor(tensor: Any, other: Any, ufunc: np.ufunc) -> np.float32 | None:
    """A Python or numpy number ``other`` that multiplies or divides a float16 ``tensor`` in place (``mul_``,
    ``div_``, ``*=``, ``/=``), as a float32, for the product or quotient to be computed in float32 and rounded once
    into float16, as out of place (``x * 0.1``) and as torch's half kernels take a number; as a float16, 0.1 would be
    0.09998 (so 6.402 / 0.1 would be 64.06, not 64.0). None for any other operand, dtype or ufunc (or a number
    beyond float32's reach: an int beyond float64)."""
    if tensor._data.dtype != np.float16 or (ufunc is not np.multiply and ufunc is not np.true_divide):
        return None
    if type(other) is not float and type(other) is not int and not isinstance(other, (np.floating, np.integer)):
        return None
    try:
        with quiet():  # 1e300 is inf in float32, as torch's
            return np.float32(other)
    except OverflowError:
        return None


def _dtypes_of(*operands: Any) -> list[np.dtype]:
    """The dtypes of ``operands`` (nodes, arrays or numbers: a Python float as numpy's float64)."""
    return [np.asarray(shared_math.data_of(operand)).dtype for operand in operands]


def _records(tensor: Any, *operands: Any) -> bool:
    """Whether an in-place change of ``tensor`` with ``operands`` is recorded (see the module doc): grad mode on,
    ``tensor`` not a leaf that requires grad (that raises) and of a floating dtype (an integer tensor takes no
    gradient), and it or an operand requires grad."""
    if not _mode.enabled or (tensor.requires_grad and tensor.op is None) or not takes_gradients(tensor):
        return False
    return tensor.requires_grad or any(isinstance(x, Node) and x.requires_grad for x in operands)


def _index_put(tensor: Tensor, index: Any, value: Tensor) -> Tensor:
    """A copy of ``tensor`` with ``value`` written at ``index``, recorded (the out-of-place ``t[index] = v``)."""
    data = tensor._data.copy()
    _assign(data, index, value._data)
    return _Tensor._from_op(data, ar.index_put, (tensor, value), {"index": index})


def _assign(data: np.ndarray, index: Any, values: Any) -> None:
    """``data[index] = values``, a value out of the dtype's range stored as inf (as torch, without numpy's
    warning); numpy's errors as setitem's, naming the array's shape."""
    try:
        with quiet():
            data[index] = values
    except IndexError as error:
        raise IndexError(f"setitem: {error} (tensor shape {data.shape})") from None
    except (ValueError, TypeError) as error:
        raise _setitem_error(error, data, index, values) from None


def _setitem_error(error: ValueError | TypeError, data: np.ndarray, index: Any, value: Any) -> Exception:
    """numpy's error from ``data[index] = value`` naming the op: a :class:`ShapeError` (torch's RuntimeError
    "shape mismatch") where the value does not broadcast to the indexed entries (numpy's "setting an array element
    with a sequence" where the index selects one entry and the value holds more, and its errors for a boolean mask's
    entries: a TypeError for a value of 2 or more axes, a ValueError for another count), else a ValueError (a value
    numpy cannot convert) or numpy's TypeError."""
    shape = data.shape
    if "setting an array element with a sequence" in str(error) and np.size(value) > 1:
        return ShapeError(
            f"setitem: a value of shape {np.shape(value)} does not broadcast to the one entry the index selects "
            f"(tensor shape {shape})"
        )
    if "boolean array indexing assignment" in str(error):
        return ShapeError(
            f"setitem: shape mismatch: a value of shape {np.shape(value)} does not broadcast to the indexing result "
            f"of shape {data[index].shape} (tensor shape {shape})"
        )
    if isinstance(error, TypeError):
        return error
    kind = ShapeError if "broadcast" in str(error) else ValueError
    return kind(f"setitem: {error} (tensor shape {shape})")


def _unaliased_operands(tensor: Tensor, parents: tuple[Node, ...], reads: list[int]) -> tuple[Node, ...]:
    """``parents`` of an in-place op on ``tensor`` about to be written, each operand whose values a rule reads and
    whose array may share memory with ``tensor``'s (``x /= x[0]``, ``x.mul_(x.T)``, ``x.mul_(x.detach())``)
    replaced by a recorded copy of it taken now: the write would otherwise change the values the rule reads
    behind its back (a wrong gradient; torch refuses such operands). The copy passes its gradient on to the
    operand, so the derivative is that of the values the op read."""
    data = tensor._data
    aliased = [
        index
        for index in reads
        if parents[index] is not tensor
        and isinstance(parents[index]._data, np.ndarray)
        and np.may_share_memory(parents[index]._data, data)
    ]
    if not aliased:
        return parents
    return tuple(parent.clone() if index in aliased else parent for index, parent in enumerate(parents))


def _copied(tensor: Tensor, source: Any) -> Tensor:
    """``source`` broadcast to ``tensor``'s shape, recorded with ``tensor`` as an input that gets no gradient."""
    return tensor._where(np.ones(tensor.shape, dtype=bool), source, tensor)


def _relu(t: Any, zero: Any) -> Any:
    """``t.relu()`` (relu_ hands its compute function the bound 0 as well)."""
    return t.relu()


def _computed_wide(compute: Callable[..., Any]) -> Callable[..., Any]:
    """``compute`` of raw operands, float16 arrays among them computed in float32 (:func:`computing_data`): the
    write into the tensor rounds the result once, as torch's fused half kernels (a float16 Adam's
    ``exp_avg_sq.addcmul_(g, g, value=1 - beta2)`` rounded the product and the sum apart)."""

    def wide(*operands: Any) -> Any:
        return compute(*(computing_data(x) if isinstance(x, np.ndarray) else x for x in operands))

    return wide


def lerp(t: Any, end: Any, weight: Any) -> Any:
    """t + weight (end - t), on arrays or on nodes, in torch's two-sided form: end - (1 - weight)(end - t) where
    |weight| >= 1/2, so that weight 1 gives ``end`` exactly (the one-sided form loses it to rounding: t = 1e30,
    end = 1 gives 0). d/dt = 1 - weight, d/dend = weight, d/dweight = end - t in both forms. With weights on both
    sides, each entry is one expression, base + w' (end - t) with (base, w') = (t, w) or (end, w - 1), so no
    unchosen branch sends 0 * inf = nan back to the weight where end - t is infinite."""
    difference = end - t
    near_start = np.abs(shared_math.data_of(weight)) < 0.5
    if np.ndim(near_start) == 0:
        return t + weight * difference if near_start else end - (1 - weight) * difference
    return shared_math.where(near_start, t, end) + shared_math.where(near_start, weight, weight - 1) * difference


#: The view ops whose views take in-place changes while recording (written through to the tensor viewed).
_WRITABLE_VIEWS = (ar.getitem, ar.reshape, ar.transpose, ar.diagonal)

#: The out-of-place op each in-place operator records.
_OUT_OF_PLACE: dict[Any, Callable[[Any, Any], Any]] = {
    np.add: operator.add,
    np.subtract: operator.sub,
    np.multiply: operator.mul,
    np.true_divide: operator.truediv,
}
