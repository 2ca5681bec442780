"""``Optimizer``: the base class of every optimizer (parameter groups, state, step).

An optimizer holds ``param_groups`` (dicts with a ``"params"`` list and the
hyper-parameters that apply to it) and a per-parameter ``state`` dict. Each
subclass states its update rule once, on numpy arrays, in ``_update``; the base
class turns a parameter and its gradient into arrays and writes the result back:

* a ``Tensor`` parameter is updated in place, as in PyTorch: its array is kept (float32
  stays float32) and its version goes up; gradient arrays are never written;
* a scalar ``Value`` parameter is updated as a 0-d float64 array and written back
  as a Python float.

``state`` is a ``defaultdict(dict)`` keyed by the parameter objects, as torch's, so a custom optimizer's
``step()`` may write ``state = self.state[p]`` for a parameter it meets first. That is safe even for
``Value`` (whose ``==`` compares data): graph nodes hash by identity, and a dict
only calls ``==`` on keys of equal hash, which distinct live objects never have.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, enable_grad, increment_version, no_grad
from autograd.gradient_array import stored_gradient
from autograd.quiet import quiet

from ..checks import MissingEntryError, MistypedArgumentError, ShortSequenceError, check_integer, check_real
from ..warning_site import user_stacklevel
from .optimizer_hooks import (
    OptimizerHooks,
    hooked_step,
    register_optimizer_step_post_hook,
    register_optimizer_step_pre_hook,
)
from .param_names import check_names_agree, split_names
from .torch_options import check_implementation_entries

__all__ = [
    "Optimizer",
    "register_optimizer_step_post_hook",
    "register_optimizer_step_pre_hook",
    "UPDATE_BLOCK",
    "blend_into",
    "check_betas",
    "check_pair",
    "check_step_count",
    "divide_into",
    "lerp_into",
    "regularized_gradient",
    "saved_number",
    "square_blend_into",
    "subtract_scaled",
]

ParamsLike = Iterable[Node] | Iterable[dict[str, Any]]

# numpy's module has a __getattr__, so CPython 3.11 never specializes ``np.ndarray`` (each use is a slow lookup)
_ndarray = np.ndarray


def _check_parameter(owner: str, parameter: Any) -> None:
    """Raise unless ``parameter`` is a leaf Tensor/Value (one that does not require grad is kept, frozen, as
    in torch: ``step`` passes over it while it has no gradient, so a model's frozen layers may stay in its
    ``parameters()``)."""
    if not isinstance(parameter, (Tensor, Value)):
        raise TypeError(f"{owner}: can only optimize Tensors and Values, got {type(parameter).__name__}")
    if not parameter.is_leaf:
        raise ValueError(f"{owner}: can't optimize a non-leaf {type(parameter).__name__} (it was computed by an op)")
    if isinstance(parameter, Tensor) and parameter.dtype.kind != "f":
        raise TypeError(f"{owner}: parameters must be floating point, got dtype {parameter.dtype}")


def _shape_of(parameter: Node) -> tuple[int, ...]:
    return parameter._data.shape if isinstance(parameter, Tensor) else ()


def _dtype_of(parameter: Node) -> np.dtype:
    return parameter._data.dtype if isinstance(parameter, Tensor) else np.dtype(np.float64)


def _parameter_array(parameter: Node) -> np.ndarray:
    """The parameter's data as an array (a Value gives a 0-d float64 array)."""
    return parameter._data if isinstance(parameter, Tensor) else np.asarray(parameter._data, dtype=np.float64)


def _check_writable(optimizer: str, parameter: Node) -> None:
    """Raise, before any parameter changes, for one that cannot take an update in place: a read-only array
    (a broadcast numpy view) or an integer one."""
    if not isinstance(parameter, Tensor):
        return
    array = parameter._data
    if not array.flags.writeable:
        raise ValueError(
            f"{optimizer}.step: a parameter of shape {array.shape} holds a read-only array (a broadcast or "
            "otherwise read-only numpy view), which cannot be updated in place; give it a copy (np.array(a))"
        )
    if array.dtype.kind != "f":
        raise TypeError(f"{optimizer}.step: a parameter of dtype {array.dtype} cannot take a floating-point update")


def _gradient_array(parameter: Node) -> np.ndarray | None:
    """The parameter's gradient as an array of the parameter's dtype, or None if it has none."""
    grad = stored_gradient(parameter)
    if grad is None:
        return None
    if isinstance(grad, Node):  # a gradient recorded with create_graph=True
        grad = grad._data
    if type(grad) is np.ndarray and isinstance(parameter, Tensor) and grad.dtype == parameter._data.dtype:
        return grad  # the usual case, as np.asarray would return it
    return np.asarray(grad, dtype=_dtype_of(parameter))


def _write_parameter(parameter: Node, new_data: np.ndarray) -> None:
    """Write the update into the parameter itself (its array is kept, its version goes up), as torch does."""
    if new_data is parameter._data:  # the rule updated the array in place
        increment_version(parameter)
    else:
        parameter.copy_(new_data if isinstance(parameter, Tensor) else float(new_data))


def saved_number(value: Any) -> Any:
    """A number saved in a state dict as the number itself: a 0-d array (a torch state converted to numpy,
    ``array(3., dtype=float32)``) or a 0-d torch tensor (torch's own state dict keeps the step, NAdam's
    ``mu_product`` and ASGD's ``eta`` and ``mu`` as ``tensor(3.)``) gives its value; anything else is returned
    as it is, for the check that follows to judge."""
    if not isinstance(value, (int, float, np.generic, np.ndarray)) and hasattr(value, "__array__"):
        value = np.asarray(value)
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iuf":
        value = value[()]
    return value


def check_step_count(owner: str, name: str, value: Any) -> int:
    """A saved step count as an int >= 0: an int, or a whole float, 0-d array or tensor (:func:`saved_number`);
    a fraction, a negative or a non-number raises."""
    value = saved_number(value)
    if isinstance(value, (float, np.floating)) and not isinstance(value, bool):
        if not np.isfinite(value) or value != int(value):
            raise ValueError(f"{owner}: {name} must be a whole number of steps >= 0, got {float(value)!r}")
        value = int(value)
    return check_integer(owner, name, value, 0)


def _negative_lr_read_as_zero(group: dict[str, Any]) -> dict[str, Any]:
    """``group`` for the checks of :meth:`Optimizer.load_state_dict`: a negative real ``lr`` read as 0, as torch loads
    any lr. A schedule that ends at 0 (LinearLR with end_factor=0, a chain of decays) can leave lr a rounding error
    below it, as torch's does, and the state dict saved then must load again."""
    lr = group.get("lr")
    if isinstance(lr, (int, float, np.integer, np.floating)) and not isinstance(lr, bool) and lr < 0:
        return {**group, "lr": 0.0}
    return group


def _copy_state_value(value: Any) -> Any:
    return np.array(value, copy=True) if isinstance(value, (np.ndarray, np.generic)) else copy.deepcopy(value)


#: The grad-mode switch of a step whose updates are plain subtractions of arrays (nothing is recorded): none.
_NOTHING_TO_SWITCH = contextlib.nullcontext()

#: Elements per block in :func:`subtract_scaled`: bounds the temporary it needs (256 KiB of float32).
UPDATE_BLOCK = 1 << 16


def subtract_scaled(param: np.ndarray, scale: float, step: np.ndarray) -> np.ndarray:
    """``param -= scale * step`` in place, block by block, so the temporary ``scale * step`` never
    needs more than :data:`UPDATE_BLOCK` elements (a large weight's update costs no second copy of it).
    ``step`` is read only (it may be a parameter's ``.grad``). Returns ``param``."""
    if param.size <= UPDATE_BLOCK:
        param -= scale * step
        return param
    order = "C" if param.flags.c_contiguous else "F" if param.flags.f_contiguous else None  # memory order
    if order is None or step.shape != param.shape:
        param -= scale * step
        return param
    flat_param, flat_step = param.reshape(-1, order=order), step.reshape(-1, order=order)  # views in memory order
    for start in range(0, flat_param.size, UPDATE_BLOCK):
        block = slice(start, start + UPDATE_BLOCK)
        flat_param[block] -= scale * flat_step[block]
    return param


def regularized_gradient(
    param: np.ndarray, grad: np.ndarray, group: dict[str, Any], decoupled: bool = False
) -> np.ndarray:
    """The gradient an update uses: -g with ``maximize``; with weight decay lambda, g + lambda theta (L2), or,
    ``decoupled`` (AdamW's decay), g as it is and the parameter shrunk in place, theta <- theta (1 - lr lambda).
    ``grad`` itself is never changed (it may be the parameter's ``.grad``)."""
    if group["maximize"]:
        grad = -grad
    weight_decay = group.get("weight_decay", 0)
    if weight_decay != 0:
        if decoupled:
            param *= 1 - group["lr"] * weight_decay
        else:
            grad = grad + weight_decay * param
    return grad


#: :meth:`Optimizer._flag_default` of an option that is not a flag
_NOT_A_FLAG = object()


def _array_of(value: Any) -> Any:
    """A Tensor's array, or an array-like's (a torch tensor in a state dict torch saved) as an array; else ``value``."""
    if isinstance(value, Node):
        return value._data
    if not isinstance(value, (np.ndarray, np.generic)) and hasattr(value, "__array__"):
        return np.asarray(value)
    return value


def _number_of(value: Any) -> Any:
    """``value`` as a float if it is a one-element real Tensor or array (a torch tensor too), else as it is."""
    data = _array_of(value)
    if isinstance(data, np.ndarray) and data.size == 1 and data.dtype.kind in "fiu":
        return float(data.reshape(()))
    return value


def _numbers_for_arrays(owner: str, options: dict[str, Any]) -> dict[str, Any]:
    """``options`` with each one-element real Tensor or array as a float, in a pair too (torch takes
    ``lr=torch.tensor(0.01)`` and tensor ``betas``, and keeps them in its state dicts; the updates here multiply
    arrays by plain numbers). An ``lr`` Tensor of another size is torch's ValueError."""
    converted = dict(options)
    for key, value in options.items():
        data = _array_of(value)
        if key == "lr" and isinstance(data, np.ndarray) and data.size != 1:
            raise MistypedArgumentError(f"{owner}: Tensor lr must be 1-element, got one of shape {data.shape}")
        if isinstance(value, tuple):
            converted[key] = tuple(_number_of(item) for item in value)
        else:
            converted[key] = _number_of(value)
    return converted


def check_pair(owner: str, name: str, value: Any, items: str) -> None:
    """Raise unless ``value`` is a pair (a tuple or list of two): a shorter one is a ShortSequenceError (torch's
    ``value[1]`` is an IndexError), anything else a TypeError; ``items`` names the two (``"beta1, beta2"``)."""
    if isinstance(value, (tuple, list)) and len(value) < 2:
        raise ShortSequenceError(f"{owner}: {name} must be a pair ({items}), got {value!r}")
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise TypeError(f"{owner}: {name} must be a pair ({items}), got {value!r}")


def check_betas(owner: str, betas: Any) -> None:
    """Raise unless ``betas`` is a pair (beta1, beta2) of reals in [0, 1), as Adam-style optimizers need."""
    check_pair(owner, "betas", betas, "beta1, beta2")
    for index, beta in enumerate(betas):
        check_real(owner, f"betas[{index}]", beta, 0, 1, high_open=True)


def divide_into(numerator: np.ndarray, root: np.ndarray, eps: float, *, eps_inside: bool = False) -> np.ndarray:
    """``root <- numerator / (root + eps)`` in place, for a ``root`` >= 0 (a square root). With ``eps_inside`` the
    root already holds eps (``sqrt(x + eps)``, x >= 0) and is divided by as it is. The division is IEEE's, as
    torch's: where the denominator is 0 (eps 0, or one that underflows to 0 in float16), 0 / 0 is nan and x / 0 is
    +-inf (the step's caller runs it under ``quiet()``, so numpy does not warn). Returns ``root``."""
    if not eps_inside:
        root += eps
    return np.divide(numerator, root, out=root)


def lerp_into(start: np.ndarray, end: np.ndarray, weight: float, scratch: np.ndarray | None = None) -> np.ndarray:
    """torch's ``start.lerp_(end, weight)`` in place: ``start + weight * (end - start)`` for |weight| < 0.5, else
    ``end - (1 - weight) * (end - start)``, as its kernel computes it (``scratch``, an array of ``start``'s shape
    and dtype, or None for a new one, holds the difference). Its values beyond rounding are torch's too: an
    infinite ``start`` meeting a finite ``end`` gives inf - inf = nan for a small weight, where a weighted sum
    would keep the inf. Returns ``start``."""
    difference = np.subtract(end, start, out=np.empty_like(start) if scratch is None else scratch)
    if abs(weight) < 0.5:
        start += np.multiply(difference, weight, out=difference)
    else:
        np.subtract(end, np.multiply(difference, 1 - weight, out=difference), out=start)
    return start


def blend_into(average: np.ndarray, decay: float, term: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """The running average ``average <- decay * average + (1 - decay) * term`` in place, by torch's
    ``average.lerp_(term, 1 - decay)`` (:func:`lerp_into`; ``scratch``, an array of its shape and dtype, holds the
    difference). Returns ``average``."""
    return lerp_into(average, term, 1 - decay, scratch)


def square_blend_into(average: np.ndarray, decay: float, term: np.ndarray, scratch: np.ndarray) -> np.ndarray:
    """``average <- decay * average + (1 - decay) * term^2`` in place, as :func:`blend_into`."""
    average *= decay
    np.multiply(term, 1 - decay, out=scratch)
    average += np.multiply(scratch, term, out=scratch)
    return average


class Optimizer(OptimizerHooks):
    """Base class: ``Optimizer(params, defaults)``.

    ``params`` is an iterable of parameters (``nn.Parameter``/leaf ``Tensor`` with
    ``requires_grad``, or leaf ``Value``) or of ``(name, parameter)`` pairs (``named_parameters()``),
    or an iterable of dicts ``{"params": [...], "lr": ...}`` whose options override ``defaults``.
    Subclasses define ``_check_group`` (validate a group's hyper-parameters),
    ``_update`` (one step for one parameter, on arrays) and ``state_keys``. As in torch, a subclass may
    instead override ``step()`` itself, reading ``self.param_groups`` and keeping what it needs in
    ``self.state[p]`` (a dict made on first use); with no ``state_keys`` declared, ``load_state_dict``
    restores such state as saved.
    """

    #: Names a parameter's state may hold (checked by ``load_state_dict``).
    state_keys: tuple[str, ...] = ()
    #: Names every non-empty state of a parameter must hold.
    required_state_keys: tuple[str, ...] = ()
    #: Whether torch's update makes a parameter's state from what it gathered before any parameter changed (SGD's
    #: momentum buffer, made in the update from the group's list of buffers): a parameter listed twice in a group
    #: then starts a fresh state at each listing on the step that makes it, the last listing's kept, as torch's.
    fresh_state_per_listing = False
    #: State entries that are numbers rather than arrays of the parameter's shape: name -> the check that
    #: ``load_state_dict`` gives a saved value (``check(owner, name, value)``, returning the value to keep).
    scalar_state: dict[str, Callable[[str, str, Any], Any]] = {"step": check_step_count}

    def __init__(self, params: ParamsLike, defaults: dict[str, Any]) -> None:
        self.defaults = _numbers_for_arrays(type(self).__name__, defaults)
        self._check_group(self.defaults)
        self.param_groups: list[dict[str, Any]] = []
        self.state: defaultdict[Node, dict[str, Any]] = defaultdict(dict)
        if isinstance(params, (Node, dict)):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of parameters or of dicts, "
                f"got a single {type(params).__name__} (wrap it in a list)"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(f"{type(self).__name__}: params must be an ordered collection (list), not a set")
        try:
            groups = list(params)
        except TypeError:
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of parameters or of dicts (model.parameters()), "
                f"got {type(params).__name__}"
            ) from None
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A subclass's own ``step`` runs between the step hooks, as the base class's does (and notes that it ran:
        a learning-rate scheduler stepped before any optimizer step warns, as torch's)."""
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if callable(step) and not getattr(step, "_hooked", False):
            cls.step = hooked_step(step)  # type: ignore[method-assign]

    # -- subclass interface ------------------------------------------------------
    def _check_group(self, group: dict[str, Any]) -> None:
        """Validate the hyper-parameters of a group (raise ValueError/TypeError)."""

    def _update(self, param: np.ndarray, grad: np.ndarray, state: dict[str, Any], group: dict[str, Any]) -> np.ndarray:
        """Return the new parameter array (``param`` itself if updated in place); update ``state`` in place."""
        raise NotImplementedError(f"{type(self).__name__} must define _update()")

    def _plain_rate(self, group: dict[str, Any]) -> float | None:
        """The number c when this optimizer's ``_update`` of every parameter of ``group`` is ``param -= c * grad``
        in place and touches no state (plain SGD), else None; ``step`` then does that subtraction itself, with no
        call per parameter. A subclass that overrides ``_update`` must not inherit an answer other than None."""
        return None

    # -- groups --------------------------------------------------------------------
    def _check_parameter_shape(self, parameter: Node) -> None:
        """Raise for a parameter of a shape this optimizer cannot update (every shape goes, unless a subclass
        says otherwise: Muon's 2-D weights)."""

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group ``{"params": [...], **options}``; options missing from it take the defaults.

        ``params`` may hold ``(name, parameter)`` pairs (``named_parameters()``): the names go to the group's
        ``"param_names"``, as torch 2.13; the groups of one optimizer are all named or all unnamed."""
        owner = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{owner}: a param group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:  # (torch's KeyError: a MissingEntryError is both)
            raise MissingEntryError(f"{owner}: a param group needs a 'params' entry")
        params = param_group["params"]
        if isinstance(params, Node):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(f"{owner}: a group's params must be an ordered collection (list), not a set")
        else:
            params = list(params)
        params, names = split_names(owner, params)
        for parameter in params:
            _check_parameter(owner, parameter)
            self._check_parameter_shape(parameter)
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):  # torch warns and keeps the list as given (the parameter is updated twice)
            warnings.warn(
                f"{owner}: optimizer contains a parameter group with duplicate parameters; in future, this will cause "
                "an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                UserWarning,
                stacklevel=user_stacklevel(),
            )
        existing = {id(p) for group in self.param_groups for p in group["params"]}
        if existing.intersection(ids):
            raise ValueError(f"{owner}: some parameters appear in more than one param group")
        group = {key: value for key, value in param_group.items() if key != "params"}
        if names is not None:
            group["param_names"] = names
        check_names_agree(owner, self.param_groups, group)
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        group = _numbers_for_arrays(owner, group)
        check_implementation_entries(owner, group)
        self._check_group(group)
        group["params"] = params
        self.param_groups.append(group)

    # -- stepping --------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's gradient: None for Tensors (zeros with ``set_to_none=False``), 0.0 for Values."""
        for group in self.param_groups:
            for parameter in group["params"]:
                parameter.zero_grad(set_to_none=set_to_none)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update every parameter that has a gradient, as torch's: a Tensor whose ``.grad`` is None is skipped (a
        frozen one, ``requires_grad=False`` from the start, has none), one with a ``.grad`` is updated whatever its
        ``requires_grad`` (frozen after ``backward()``, or its gradient zeroed with ``set_to_none=False``: momentum
        and weight decay go on moving it, as in torch); a Value that does not require grad is skipped.

        ``closure`` (optional) re-evaluates the model and returns the loss; it runs
        with gradients enabled before the update, and its result is returned.
        All gradients, and the shapes of the state kept for each parameter, are checked before any parameter
        changes.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        work = []
        general = False  # some update runs the optimizer's own rule (which may use Tensor ops: under no_grad)
        states = self.state
        for group in self.param_groups:
            rate = self._plain_rate(group)
            for parameter in group["params"]:
                grad = stored_gradient(parameter)  # (.grad's view with torch's methods is for users)
                # no gradient, or a frozen Value (whose gradient is 0.0, never None); a Tensor with a gradient is
                # updated whatever its requires_grad, as torch's (one frozen after backward() takes that step)
                if grad is None or (not parameter._requires_grad and not isinstance(parameter, Tensor)):
                    continue
                data = parameter._data
                if rate is None and parameter in states:
                    for value in states[parameter].values():  # the first array kept: it has the parameter's shape
                        if type(value) is _ndarray:  # (but for Adafactor's factors), unless the data took another
                            if value.shape != (data.shape if type(data) is _ndarray else _shape_of(parameter)):
                                self._check_state_shapes(parameter, states[parameter])
                            break
                # the usual case, a Tensor's own float array and a gradient array just like it, takes no calls
                if not (
                    type(grad) is _ndarray
                    and type(data) is _ndarray
                    and grad.dtype == data.dtype
                    and grad.shape == data.shape
                    and data.flags.writeable
                    and data.dtype.kind == "f"
                ):
                    grad = self._checked_gradient(parameter)
                    work.append((group, parameter, grad, None))
                    general = True
                else:
                    work.append((group, parameter, grad, rate))
                    general = general or rate is None
        update = self._update
        updated_in_place = []  # their versions go up together, at the end (also if an update raises)
        try:
            # an inf or overflowing gradient gives IEEE results, without numpy's warnings; plain subtractions of
            # arrays alone record nothing, so only the optimizers' own rules run under no_grad
            with no_grad() if general else _NOTHING_TO_SWITCH, quiet():
                spare: dict[str, Any] = {}  # a parameter's state, kept once an update fills it (plain SGD keeps none)
                made_now: set[Node] = set()  # (fresh_state_per_listing) the parameters whose state this step made
                for group, parameter, grad, rate in work:
                    if rate is not None:  # _update's own subtraction, without the call and the dispatch before it
                        subtract_scaled(parameter._data, rate, grad)
                        updated_in_place.append(parameter)
                        continue
                    state = states.get(parameter)
                    if not state or (made_now and parameter in made_now):  # (an empty one, optimizer.state[p]'s)
                        new_data = update(_parameter_array(parameter), grad, spare, group)
                        if spare:
                            states[parameter], spare = spare, {}
                            if self.fresh_state_per_listing:
                                made_now.add(parameter)
                    else:
                        new_data = update(_parameter_array(parameter), grad, state, group)
                    if new_data is parameter._data:  # the rule updated the array in place
                        updated_in_place.append(parameter)
                    else:
                        _write_parameter(parameter, new_data)
        finally:
            increment_version(updated_in_place)
        return loss

    def _check_state_shapes(self, parameter: Node, state: dict[str, Any]) -> None:
        """Raise, before any parameter changes, if an array of ``parameter``'s state no longer fits it: its ``.data``
        was replaced by one of another shape since the state was made (the update would fail half-way)."""
        shape = _shape_of(parameter)
        for key, value in state.items():
            if key in self.scalar_state:  # (a step count, a rate: no shape to keep)
                continue
            if type(value) is _ndarray and value.shape != shape and value.shape != self.state_shape(key, shape):
                raise ValueError(
                    f"{type(self).__name__}.step: state {key!r} of shape {value.shape} does not fit its parameter of "
                    f"shape {shape} (its data was replaced by one of another shape): reset that parameter's state "
                    "(optimizer.state.pop(parameter)) or make a new optimizer"
                )

    def _checked_gradient(self, parameter: Node) -> np.ndarray:
        """The gradient of ``parameter`` as an array of its shape and dtype; raises, before any parameter changes,
        for a gradient of another shape or a parameter that cannot take an update in place."""
        grad = _gradient_array(parameter)
        if grad.shape != _shape_of(parameter):
            raise ValueError(
                f"{type(self).__name__}.step: gradient of shape {grad.shape} does not match "
                f"its parameter of shape {_shape_of(parameter)}"
            )
        _check_writable(type(self).__name__, parameter)
        return grad

    # -- persistence -------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """A deep copy in PyTorch's layout: ``{"state": {index: {...}}, "param_groups": [...]}``.

        Parameters are replaced by their index in the order of the groups; state
        values are numpy arrays and Python numbers.
        """
        self._before_state_dict()
        index_of: dict[int, int] = {}
        groups = []
        start = 0
        for group in self.param_groups:
            packed = {key: copy.deepcopy(value) for key, value in group.items() if key != "params"}
            # torch's numbering: positions counted over all groups; a parameter listed twice (torch warns but
            # keeps it) takes the last of its positions in its group, so the next group's numbers stay unique
            params = group["params"]
            index_of.update({id(p): i for i, p in enumerate(params, start) if id(p) not in index_of})
            packed["params"] = [index_of[id(parameter)] for parameter in params]
            start += len(params)
            groups.append(packed)
        state = {
            index_of[id(parameter)]: {key: _copy_state_value(value) for key, value in entry.items()}
            for parameter, entry in self.state.items()
            if id(parameter) in index_of and entry
        }
        return self._after_state_dict({"state": state, "param_groups": groups})

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyper-parameters and state saved by :meth:`state_dict`.

        Everything is checked first (group count and sizes, hyper-parameters, state
        indices, keys and array shapes); on any problem a ValueError lists them all
        and the optimizer is left unchanged. State arrays are copied and cast to
        their parameter's dtype.
        """
        owner = f"{type(self).__name__}.load_state_dict"
        state_dict = self._before_load_state_dict(state_dict)
        if not isinstance(state_dict, dict):
            raise TypeError(f"{owner}: expected a dict, got {type(state_dict).__name__}")
        missing = sorted({"state", "param_groups"} - state_dict.keys())
        unexpected = sorted(set(state_dict) - {"state", "param_groups"}, key=str)
        if missing or unexpected:  # (a missing one is torch's KeyError: a MissingEntryError is both)
            error = MissingEntryError if missing else ValueError
            raise error(f"{owner}: missing keys {missing}, unexpected keys {unexpected}")
        saved_groups, saved_state = state_dict["param_groups"], state_dict["state"]
        if not isinstance(saved_state, dict) or not isinstance(saved_groups, (list, tuple)):
            raise TypeError(f"{owner}: 'state' must be a dict and 'param_groups' a list")
        if not all(isinstance(group, dict) for group in saved_groups):
            raise TypeError(f"{owner}: every saved param group must be a dict")
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{owner}: the saved state has {len(saved_groups)} param groups, this optimizer has "
                f"{len(self.param_groups)}"
            )
        problems: list[str] = []
        new_groups: list[dict[str, Any]] = []
        parameters: dict[int, Node] = {}
        for number, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            given = saved.get("params", [])
            if not isinstance(given, (list, tuple)):
                problems.append(f"param group {number}: 'params' must be a list of parameter indices, got {given!r}")
                continue
            saved_indices = list(given)
            if len(saved_indices) != len(group["params"]):
                problems.append(
                    f"param group {number} has {len(saved_indices)} saved parameters, expected {len(group['params'])}"
                )
            for index, parameter in zip(saved_indices, group["params"]):
                parameters[index] = parameter
            # flags newer than the saved state (maximize, nesterov, ...) take their default, as torch's optimizers
            # fill them in; a missing numeric option (lr, betas) leaves the state dict unusable
            new_group = {key: self._flag_default(key) for key in self.defaults if key not in saved}
            absent = sorted(key for key, value in new_group.items() if value is _NOT_A_FLAG)
            if absent:
                problems.append(f"param group {number} is missing options {absent}")
                continue
            new_group.update({key: copy.deepcopy(value) for key, value in saved.items() if key != "params"})
            if "param_names" in group and "param_names" not in saved:  # torch keeps the names it has
                new_group["param_names"] = list(group["param_names"])
            names = new_group.get("param_names")
            if names is not None and (
                not isinstance(names, (list, tuple))
                or len(names) != len(group["params"])
                or not all(isinstance(name, str) for name in names)
            ):
                problems.append(f"param group {number}: param_names must be {len(group['params'])} strs, got {names!r}")
            try:
                new_group = _numbers_for_arrays(type(self).__name__, new_group)
                check_implementation_entries(type(self).__name__, new_group)
                self._check_group(_negative_lr_read_as_zero(new_group))
            except (TypeError, ValueError, RuntimeError) as error:
                problems.append(f"param group {number}: {error}")
            new_group["params"] = group["params"]
            new_groups.append(new_group)
        new_state = self._unpack_state(saved_state, parameters, problems)
        if problems:
            raise ValueError(f"{owner}: invalid state dict:\n  " + "\n  ".join(problems))
        self.param_groups = new_groups
        self.state = defaultdict(dict, new_state)
        self._after_load_state_dict()

    def _flag_default(self, key: str) -> Any:
        """The default of option ``key`` in this optimizer's signature if it is a flag (a bool or None): what a state
        dict saved before the flag existed loads with; ``_NOT_A_FLAG`` otherwise."""
        parameter = inspect.signature(type(self).__init__).parameters.get(key)
        if parameter is None or not (parameter.default is None or isinstance(parameter.default, bool)):
            return _NOT_A_FLAG
        return parameter.default

    def state_shape(self, key: str, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The shape of state array ``key`` for a parameter of ``shape``: the parameter's own, unless a subclass
        keeps reduced statistics (Adafactor's row and column factors)."""
        return shape

    def _unpack_state(
        self, saved_state: dict[Any, Any], parameters: dict[int, Node], problems: list[str]
    ) -> dict[Node, dict[str, Any]]:
        """Check saved per-parameter state and convert it to arrays of each parameter's dtype (copied as saved
        for an optimizer that declares no ``state_keys``)."""
        new_state: dict[Node, dict[str, Any]] = {}
        for index, entry in saved_state.items():
            if index not in parameters:
                problems.append(f"state for parameter index {index!r}, which no param group holds")
                continue
            if not isinstance(entry, dict):
                problems.append(f"state {index}: expected a dict, got {type(entry).__name__}")
                continue
            parameter = parameters[index]
            if not self.state_keys:  # an optimizer that declares no state (a user's ``step()``): kept as saved
                new_state[parameter] = {key: _copy_state_value(value) for key, value in entry.items()}
                continue
            unknown = sorted(set(entry) - set(self.state_keys), key=str)
            absent = sorted(set(self.required_state_keys) - set(entry)) if entry else []
            if unknown or absent:
                found = [f"missing keys {absent}"] * bool(absent) + [f"unexpected keys {unknown}"] * bool(unknown)
                hint = f"; saved by another optimizer than {type(self).__name__}?" if unknown else ""
                problems.append(f"state {index}: {', '.join(found)} (allowed: {list(self.state_keys)}{hint})")
                continue
            restored: dict[str, Any] = {}
            for key, value in entry.items():
                check = self.scalar_state.get(key)
                if check is not None:
                    try:
                        restored[key] = check(f"state {index}", repr(key), value)
                    except (TypeError, ValueError) as error:
                        problems.append(str(error))
                    continue
                array = np.asarray(value)
                expected = self.state_shape(key, _shape_of(parameter))
                if array.shape != expected:
                    problems.append(
                        f"state {index}: {key!r} has shape {array.shape}, expected {expected} "
                        f"(parameter of shape {_shape_of(parameter)})"
                    )
                elif array.dtype.kind not in "fiu":
                    problems.append(f"state {index}: {key!r} has non-numeric dtype {array.dtype}")
                else:
                    restored[key] = np.array(array, dtype=_dtype_of(parameter), copy=True)
            new_state[parameter] = restored
        return new_state

    def __repr__(self) -> str:
        """torch's text: the class name, then each group's options sorted by name, a blank line between groups."""
        lines = [f"{type(self).__name__} ("]
        for number, group in enumerate(self.param_groups):
            if number:
                lines.append("")
            lines.append(f"Parameter Group {number}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


Optimizer.step = hooked_step(Optimizer.step)  # type: ignore[method-assign]
