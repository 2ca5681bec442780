"""Tensor layers: ``Linear``, ``Sequential``, ``Identity``, ``Flatten``, ``Unflatten``, ``Dropout``, ``Residual``.

Shapes and defaults follow ``torch.nn``: ``Linear`` stores ``weight`` as
(out_features, in_features) and computes ``y = x @ weight.T + bias`` over the last
axis of inputs of any rank.
"""

from __future__ import annotations

import inspect
import math
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import ArgumentRangeError, ShapeError, Tensor, linear
from autograd.broadcasting import AxisError
from autograd.node_sequences import refuse_nodes_in_sequence
from autograd.tensor_functions import plain_linear

from . import init as nn_init
from .activations import ReLU
from .checks import (
    MistypedArgumentError,
    as_given,
    check_flag,
    check_integer,
    check_positive_int,
    check_probability,
    drawing_generator,
    make_generator,
)
from .conv import MaxPool2d
from .functional.bilinear import bilinear
from .functional.dropout import masked_dropout
from .functional.in_place_change import change_in_place
from .functional.integer_inputs import refuse_integer_dropout
from .module import Module, as_layer_input, check_input_dtype, child_module_error
from .module_global_hooks import GLOBAL_CALL_HOOKS
from .module_hooks import HOOKED, registered
from .parameter import Parameter, factory_dtype

__all__ = [
    "Dropout",
    "Flatten",
    "Identity",
    "Linear",
    "NonDynamicallyQuantizableLinear",
    "Residual",
    "Sequential",
    "Unflatten",
]


def _as_tensor(x: Any, layer: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (list, tuple)):
        refuse_nodes_in_sequence(x, layer, Tensor)
    try:
        return Tensor(x)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{layer}: expected a Tensor or array-like input, got {type(x).__name__} ({error})") from error


def _accepts_rng(function: Callable[..., Any]) -> bool:
    """Whether ``function`` takes an ``rng`` keyword (so a layer's seed reaches it)."""
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == "rng" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def _default_linear_init(weight: Parameter, rng: np.random.Generator) -> None:
    """torch's Linear.reset_parameters: kaiming_uniform_(a=sqrt(5)), i.e. U(-1/sqrt(in), 1/sqrt(in))."""
    nn_init.kaiming_uniform_(weight, a=math.sqrt(5), rng=rng)


#: Weight initialisers ``Linear`` accepts by name. "kaiming_uniform" is torch's default
#: (bound 1/sqrt(in_features)); "kaiming_normal" is He's N(0, 2/in_features) for ReLU nets.
LINEAR_INITS: dict[str, Callable[[Parameter, np.random.Generator], Any]] = {
    "kaiming_uniform": _default_linear_init,
    "kaiming_normal": lambda w, rng: nn_init.kaiming_normal_(w, nonlinearity="relu", rng=rng),
    "xavier_uniform": lambda w, rng: nn_init.xavier_uniform_(w, rng=rng),
    "xavier_normal": lambda w, rng: nn_init.xavier_normal_(w, rng=rng),
    "lecun_normal": lambda w, rng: nn_init.lecun_normal_(w, rng=rng),
    "zeros": lambda w, rng: nn_init.zeros_(w),
}


class Linear(Module):
    """Affine map ``y = x @ weight.T + bias`` on the last axis of ``x``.

    ``weight``: (out_features, in_features); ``bias``: (out_features,) or None.
    ``init`` is a name from :data:`LINEAR_INITS` or a callable that fills the weight in place,
    called as ``init(weight, rng=generator)`` if it takes ``rng`` (so ``rng`` seeds it), else
    ``init(weight)`` (e.g. ``functools.partial(nn.init.xavier_uniform_, gain=2)``).
    With the default init the bias is drawn like torch's, U(-1/sqrt(in), 1/sqrt(in));
    with any other init it starts at zero.

    Derivatives: dy/dx = weight, dL/dweight = G^T x, dL/dbias = sum of G over batch axes.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init: str | Callable[..., Any] = "kaiming_uniform",
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        # 0 allowed, as torch's; a negative size is torch's RuntimeError (a tensor of negative dimension)
        self.in_features = check_integer("Linear", "in_features", in_features, 0, error=ArgumentRangeError)
        self.out_features = check_integer("Linear", "out_features", out_features, 0, error=ArgumentRangeError)
        dtype = factory_dtype("Linear", device, dtype)
        if isinstance(init, str) and init not in LINEAR_INITS:
            raise ValueError(f"Linear: unknown init {init!r}; choose one of {sorted(LINEAR_INITS)} or pass a callable")
        if not isinstance(init, str) and not callable(init):
            raise TypeError(f"Linear: init must be a name or a callable, got {type(init).__name__}")
        self._init = init
        self.weight = Parameter(np.zeros((self.out_features, self.in_features), dtype=dtype))
        self.bias: Parameter | None = Parameter(np.zeros(self.out_features, dtype=dtype)) if bias else None
        self.reset_parameters(rng)

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Draw ``weight`` and ``bias`` again, in place, as the constructor does (its ``init``; the bias from
        U(-1/sqrt(in), 1/sqrt(in)) with the default init, zeros with any other). ``rng`` as the constructor's."""
        generator = make_generator("Linear", "rng", rng)
        init = self.__dict__.get("_init", "kaiming_uniform")
        if isinstance(init, str):
            LINEAR_INITS[init](self.weight, generator)
        elif _accepts_rng(init):
            init(self.weight, rng=generator)
        else:
            init(self.weight)
        if self.bias is not None:
            if isinstance(init, str) and init == "kaiming_uniform":
                bound = 1.0 / math.sqrt(self.in_features) if self.in_features else 0.0  # torch's bound for fan_in 0
                nn_init.uniform_(self.bias, -bound, bound, rng=generator)
            else:
                nn_init.zeros_(self.bias)

    def forward(self, input: Any) -> Tensor:
        out = plain_linear(input, self.weight, self.bias)  # the usual input, without the checks below
        return out if out is not None else linear(self._checked_input(input), self.weight, self.bias)

    def forward_relu(self, x: Any) -> Tensor:
        """relu(forward(x)) as one node (``autograd.linear(..., activation="relu")``): ``Sequential`` runs a
        Linear followed by a ReLU so."""
        out = plain_linear(x, self.weight, self.bias, "relu")
        return out if out is not None else linear(self._checked_input(x), self.weight, self.bias, activation="relu")

    def _checked_input(self, x: Any) -> Tensor:
        x = as_layer_input("Linear", x, self.weight)
        shape = x._data.shape
        if not shape or shape[-1] != self.in_features:
            raise ShapeError(
                f"Linear: input of shape {shape} does not match in_features={self.in_features} "
                f"(the last axis must have size {self.in_features})"
            )
        check_input_dtype("Linear", x, self.weight)
        return x

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class NonDynamicallyQuantizableLinear(Linear):
    """A :class:`Linear` under the name torch gives ``MultiheadAttention.out_proj`` (``torch.nn.modules.linear``;
    torch.nn does not export it), so the attention layers print as torch's; it computes exactly as Linear."""


def _fused_pair(module: Module, following: Module, x: Any) -> str | None:
    """How ``Sequential`` may run ``module`` then ``following`` on ``x`` in one go, with the same values and
    gradients: "linear_relu" for a Linear then a ReLU (one node, ``Linear.forward_relu``), "pool_then_relu" for
    a ReLU then a MaxPool2d on a float Tensor (pool, then ReLU on the smaller grid); None otherwise. Only plain
    modules qualify: none with a hook (which would see the pair's inner value), a ``forward`` replaced on the
    instance (``nn.summary`` records calls so) or on the class or, for the pool, returned indices (its output
    is a pair); other inputs keep the written order, so errors name the first layer."""
    kinds = type(module), type(following)
    if kinds == (Linear, ReLU):
        kind = "linear_relu"
    elif (
        kinds == (ReLU, MaxPool2d)
        and not getattr(following, "return_indices", False)
        and isinstance(x, Tensor)
        and x.dtype.kind == "f"
    ):
        kind = "pool_then_relu"
    else:
        return None
    for part in (module, following):
        own = part.__dict__
        if (
            "forward" in own
            or HOOKED in own
            or GLOBAL_CALL_HOOKS
            or type(part).forward is not _PLAIN_FORWARD[type(part)]
        ):
            return None
    return kind


def _runs_inline(module: Sequential) -> bool:
    """Whether the Sequential ``module``'s call is its modules' calls in order: no hook (which would see its
    input or output; a global one too), no ``forward`` replaced on the instance or on the class, no ``__call__`` of its own."""
    cls = type(module)
    return (
        cls.forward is Sequential.forward
        and cls.__call__ is Module.__call__
        and "forward" not in module.__dict__
        and HOOKED not in module.__dict__
        and not GLOBAL_CALL_HOOKS
    )


#: The forward methods the fused pairs stand for (a class whose forward was patched since runs as written).
_PLAIN_FORWARD = {Linear: Linear.forward, ReLU: ReLU.forward, MaxPool2d: MaxPool2d.forward}


def _integer_index(owner: str, index: Any, accepted: str = "integers or slices") -> int:
    """A Sequential position as an int: an int, a numpy integer or a one-element integer Tensor (torch's
    ``operator.index``, so ``seq[torch.tensor(3)]`` reads ``seq[Tensor(3)]``); a bool or a float is a TypeError
    saying what the call takes (``accepted``: slices only where they are)."""
    if not isinstance(index, bool):
        try:
            return operator.index(index)
        except TypeError:
            pass
    raise TypeError(f"{owner}: indices must be {accepted}, got {type(index).__name__}")


def _sequential_operand(other: Any) -> Sequential:
    """``other`` for ``Sequential + other``: a Sequential, else torch's ValueError (a :class:`MistypedArgumentError`,
    also the TypeError Python gives an unsupported operand)."""
    if not isinstance(other, Sequential):
        raise MistypedArgumentError(
            f"add operator supports only objects of Sequential class, but {type(other)} is given."
        )
    return other


def _repeat_count(times: Any) -> int:
    """The factor of ``Sequential * times``: a positive integer (TypeError / ValueError otherwise, as torch)."""
    if isinstance(times, bool) or not isinstance(times, (int, np.integer)):
        raise TypeError(f"unsupported operand type(s) for *: 'Sequential' and {type(times).__name__!r}")
    if times <= 0:
        raise ValueError(f"Sequential: non-positive multiplication factor {times}")
    return int(times)


class Sequential(Module):
    """Run modules one after another: ``Sequential(Linear(2, 8), ReLU(), Linear(8, 1))``.

    As torch's: sub-modules are named by position (``0.weight``), or by key when built from one
    ``OrderedDict``/dict (``Sequential(OrderedDict(fc=Linear(2, 8)))`` names ``fc.weight`` and
    gives ``seq.fc``). Indexable by position (``seq[0]``, ``seq[-1]``; a slice is a new Sequential
    sharing the modules and keeping their names), iterable and sized; ``append``, ``extend``,
    ``insert``, ``pop``, ``seq[i] = module`` (keeps the name), ``del seq[i]``, ``+``, ``+=``, ``* n`` and
    ``*= n`` (the same module objects n times, as torch). After ``del``, ``insert``, ``pop`` or ``*=`` the
    modules are renamed by position, as torch renumbers them; ``del seq.name`` keeps the others' names, as torch's.

    A ``ReLU`` followed by a ``MaxPool2d`` runs as max-pool then ReLU when the input is a float
    Tensor: ReLU is non-decreasing, so max_w relu(x) = relu(max_w x) over every window w, and the
    gradient reaches the same entry (the window's first maximum, when that maximum is > 0;
    nothing otherwise), while the ReLU works on the pooled grid, k*k times smaller.
    """

    _contents = "_layers"
    _holds_modules = True
    #: ``seq.name = module`` with a new name appends the module (see ``__setattr__``); ``set_submodule`` reads this.
    _appends_named_modules = True

    def __init__(self, *modules: Module | Mapping[str, Module]) -> None:
        if len(modules) == 1 and isinstance(modules[0], Mapping):
            named = [(key, module) for key, module in modules[0].items()]
            for key, _ in named:
                if not isinstance(key, str) or not key or "." in key:
                    raise KeyError(f"Sequential: names must be non-empty strings without '.', got {key!r}")
                if hasattr(type(self), key):  # a method or class attribute: the module would hide behind it
                    raise KeyError(f"Sequential: attribute {key!r} already exists; choose another name")
        else:
            named = [(str(index), module) for index, module in enumerate(modules)]
        for name, module in named:
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: argument {name} is a {type(module).__name__}, not a Module")
        self._layers = [registered("module", self, name, module) for name, module in named]  # torch's global hooks
        self._names = [name for name, _ in named]

    def _content_items(self, contents: Any) -> Iterator[tuple[str, Any]]:
        return zip(self._names, contents)

    def forward(self, input: Any) -> Any:
        """The modules applied in order. A plain ``Sequential`` inside (no hook, no ``forward`` or call of its own)
        runs its modules from here, as the calls would (an explicit stack of the unfinished sequences): models
        nested thousands deep run at Python's default recursion limit."""
        unfinished = [(self._layers, 0)]
        while unfinished:
            layers, index = unfinished.pop()
            count = len(layers)
            while index < count:
                module = layers[index]
                if isinstance(module, Sequential) and _runs_inline(module):  # (isinstance first: the usual layer)
                    unfinished += [(layers, index + 1), (module._layers, 0)]
                    break
                fused = _fused_pair(module, layers[index + 1], input) if index + 1 < count else None
                if fused == "linear_relu":
                    input = module.forward_relu(input)
                    index += 2
                elif fused == "pool_then_relu":
                    input = module.forward(layers[index + 1].forward(input))
                    index += 2
                else:
                    input = module(input)
                    index += 1
        return input

    def _position(self, index: Any, accepted: str = "integers or slices") -> int:
        index = _integer_index("Sequential", index, accepted)
        if not -len(self._layers) <= index < len(self._layers):
            raise IndexError(f"Sequential: index {index} is out of range for {len(self._layers)} modules")
        return int(index) % len(self._layers)

    def __getitem__(self, index: int | slice) -> Module:
        if isinstance(index, slice):
            return Sequential(dict(zip(self._names[index], self._layers[index])))
        return self._layers[self._position(index)]

    def __setitem__(self, index: int, module: Module | None) -> None:
        """Replace the module at ``index``, keeping its name; None leaves the name without a module (the Sequential
        then refuses to run), as torch's."""
        position = self._position(index, "integers")  # (no slice assignment, as torch's)
        if module is not None and not isinstance(module, Module):
            raise child_module_error(self, self._names[position], module)
        self._layers[position] = registered("module", self, self._names[position], module)

    def __delitem__(self, index: int | slice) -> None:
        if isinstance(index, slice):
            del self._layers[index]
        else:
            del self._layers[self._position(index)]
        self._renumber()

    def _renumber(self) -> None:
        self._names = [str(position) for position in range(len(self._layers))]

    def __getattr__(self, name: str) -> Module:
        names = self.__dict__.get("_names", ())
        if name in names:
            return self.__dict__["_layers"][names.index(name)]
        raise AttributeError(f"{type(self).__name__} object has no attribute or module {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        """``seq.name = module`` (and ``add_module(name, module)``) adds a module to run, named ``name``, after the
        others, or replaces the one of that name, as torch's Sequential (whose modules are its registered ones).
        As torch's, a module's name takes only a Module or None (None keeps the name without a module), and a
        Parameter assigned to it removes the entry (the others keep their names)."""
        names = self.__dict__.get("_names")
        if names is None or name in ("_names", "_layers") or (name not in names and not isinstance(value, Module)):
            super().__setattr__(name, value)
            return
        if isinstance(value, Parameter):
            position = names.index(name)
            del self._layers[position], names[position]
            super().__setattr__(name, value)
            return
        if value is not None and not isinstance(value, Module):
            raise child_module_error(self, name, value)
        value = registered("module", self, name, value)  # torch's global hooks
        if name in names:
            self._layers[names.index(name)] = value
        else:
            names.append(name)
            self._layers.append(value)

    def __delattr__(self, name: str) -> None:
        """``del seq.name`` (``delattr(seq, "0")``) removes the module named ``name``; the others keep their names,
        as torch's."""
        names = self.__dict__.get("_names", ())
        if name in names and name not in vars(self):
            position = names.index(name)
            del self._layers[position], names[position]
        else:
            super().__delattr__(name)

    def __len__(self) -> int:
        return len(self._layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._layers)

    def __add__(self, other: Sequential) -> Sequential:
        """``seq + other``: a new Sequential of both's modules (the same objects); ``other`` must be a Sequential,
        else torch's ValueError (here a :class:`MistypedArgumentError`, a TypeError too)."""
        return Sequential(*self._layers, *_sequential_operand(other)._layers)

    def __iadd__(self, other: Sequential) -> Sequential:
        """``seq += other``: append ``other``'s modules in place, as torch (``other`` as in ``+``)."""
        return self.extend(_sequential_operand(other))

    def __mul__(self, times: int) -> Sequential:
        """A new Sequential running this one's modules ``times`` times over: the same module objects (shared
        parameters), renamed by position, as torch."""
        return Sequential(*self._layers * _repeat_count(times))

    def __rmul__(self, times: int) -> Sequential:
        return self.__mul__(times)

    def __imul__(self, times: int) -> Sequential:
        """``seq *= n``: repeat the modules in place (the same objects), renamed by position."""
        count = len(self._layers)
        layers = self._layers * _repeat_count(times)
        # the added copies as torch's add_module(str(position), module) registers them, hooks and all
        self._layers = layers[:count] + [
            registered("module", self, str(count + i), m) for i, m in enumerate(layers[count:])
        ]
        self._renumber()
        return self

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end, named by its position (as torch's, it replaces a module already of that name,
        which only a deletion by name leaves); returns self."""
        if not isinstance(module, Module):
            raise TypeError(f"Sequential.append: expected a Module, got {type(module).__name__}")
        name = str(len(self._layers))
        module = registered("module", self, name, module)  # torch's global hooks
        if name in self._names:  # a name kept by ``del seq.name`` (the others keep theirs): torch replaces it
            self._layers[self._names.index(name)] = module
        else:
            self._names.append(name)
            self._layers.append(module)
        return self

    def extend(self, modules: Iterable[Module]) -> Sequential:
        """Add every module of ``modules`` at the end (all checked first); returns self."""
        modules = list(modules)
        for module in modules:
            if not isinstance(module, Module):
                raise TypeError(f"Sequential.extend: expected Modules, got a {type(module).__name__}")
        for module in modules:
            self.append(module)
        return self

    def insert(self, index: int, module: Module) -> Sequential:
        """Insert ``module`` before position ``index`` (-len <= index <= len); returns self."""
        if not isinstance(module, Module):
            raise TypeError(f"Sequential.insert: expected a Module, got {type(module).__name__}")
        count = len(self._layers)
        index = _integer_index("Sequential.insert", index, "integers")
        if not -count <= index <= count:
            raise IndexError(f"Sequential.insert: index {index} is out of range for {count} modules")
        self._layers.insert(index + count if index < 0 else index, module)
        self._renumber()
        return self

    def pop(self, index: int = -1) -> Module:
        """Remove the module at ``index`` and return it."""
        module = self[index]
        del self[index]
        return module


class Bilinear(Module):
    """``y = x1^T W x2 + b`` per output feature (torch's ``nn.Bilinear``): ``weight`` (out, in1, in2),
    ``bias`` (out,), both U(-1/sqrt(in1), 1/sqrt(in1)) as torch initialises them; see ``F.bilinear``."""

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        dtype: Any = np.float32,
        rng: np.random.Generator | int | None = None,
        *,
        device: Any = None,
    ) -> None:
        self.in1_features = check_positive_int("Bilinear", "in1_features", in1_features, error=ArgumentRangeError)
        self.in2_features = check_positive_int("Bilinear", "in2_features", in2_features, error=ArgumentRangeError)
        self.out_features = check_positive_int("Bilinear", "out_features", out_features, error=ArgumentRangeError)
        dtype = factory_dtype("Bilinear", device, dtype)
        self.weight = Parameter(np.zeros((self.out_features, self.in1_features, self.in2_features), dtype=dtype))
        self.bias: Parameter | None = Parameter(np.zeros(self.out_features, dtype=dtype)) if bias else None
        self.reset_parameters(rng)

    def reset_parameters(self, rng: np.random.Generator | int | None = None) -> None:
        """Draw ``weight`` and ``bias`` again from U(-1/sqrt(in1), 1/sqrt(in1)), in place, as the constructor
        does (torch's); ``rng`` as the constructor's."""
        generator = make_generator("Bilinear", "rng", rng)
        bound = 1.0 / math.sqrt(self.in1_features)
        nn_init.uniform_(self.weight, -bound, bound, rng=generator)
        if self.bias is not None:
            nn_init.uniform_(self.bias, -bound, bound, rng=generator)

    def forward(self, input1: Any, input2: Any) -> Tensor:
        x1 = as_layer_input("Bilinear", input1, self.weight)
        x2 = as_layer_input("Bilinear", input2, self.weight)
        check_input_dtype("Bilinear", x1, self.weight)
        check_input_dtype("Bilinear", x2, self.weight)
        return bilinear(x1, x2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


class Identity(Module):
    """Return the input unchanged; any constructor arguments are accepted and ignored, as torch's."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def forward(self, input: Any) -> Any:
        return input


class Flatten(Module):
    """Merge axes ``start_dim..end_dim`` into one: (N, C, H, W) -> (N, C*H*W) by default."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        self.start_dim = check_integer("Flatten", "start_dim", start_dim)
        self.end_dim = check_integer("Flatten", "end_dim", end_dim)

    def forward(self, input: Any) -> Tensor:
        input = _as_tensor(input, "Flatten")
        ndim = max(input.ndim, 1)  # as torch: a 0-d input is flattened like a 1-d one, to shape (1,)
        start = self.start_dim + ndim if self.start_dim < 0 else self.start_dim
        end = self.end_dim + ndim if self.end_dim < 0 else self.end_dim
        if not (0 <= start < ndim and 0 <= end < ndim):  # (torch's IndexError: an AxisError is one, and a ValueError)
            raise AxisError(
                f"Flatten: start_dim={self.start_dim}, end_dim={self.end_dim} do not fit an input of shape {input.shape}"
            )
        if start > end:
            raise ShapeError(
                f"Flatten: start_dim={self.start_dim}, end_dim={self.end_dim}: start_dim comes after end_dim (an input "
                f"of shape {input.shape})"
            )
        shape = (*input.shape[:start], math.prod(input.shape[start : end + 1]), *input.shape[end + 1 :])
        return input.reshape(shape)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split axis ``dim`` into ``unflattened_size``: Unflatten(1, (C, H, W)) maps (N, C*H*W) to (N, C, H, W).

    The inverse of :class:`Flatten`, as torch's; one entry of ``unflattened_size`` may be -1 (inferred).
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        self.dim = check_integer("Unflatten", "dim", dim)
        if not isinstance(unflattened_size, (tuple, list)) or not unflattened_size:
            raise TypeError(f"Unflatten: unflattened_size must be a non-empty tuple of ints, got {unflattened_size!r}")
        sizes = tuple(check_integer("Unflatten", "unflattened_size", size, -1) for size in unflattened_size)
        if sizes.count(-1) > 1:
            # a ShapeError (also torch's RuntimeError): only one size can be inferred from the axis' length
            raise ShapeError(f"Unflatten: at most one size may be -1, got {sizes}")
        self.unflattened_size = (
            list(sizes) if isinstance(unflattened_size, list) else sizes
        )  # (a list as torch keeps it)

    def forward(self, input: Any) -> Tensor:
        input = _as_tensor(input, "Unflatten")
        dim = self.dim + input.ndim if self.dim < 0 else self.dim
        if not 0 <= dim < input.ndim:
            raise ValueError(f"Unflatten: dim={self.dim} is out of range for an input of shape {input.shape}")
        sizes = tuple(self.unflattened_size)
        known = math.prod(size for size in sizes if size != -1)
        length = input.shape[dim]
        if (-1 in sizes and (known == 0 or length % known)) or (-1 not in sizes and known != length):
            raise ShapeError(
                f"Unflatten: axis {dim} of the input of shape {input.shape} (size {length}) cannot be split into {sizes}"
            )
        sizes = tuple(length // known if size == -1 else size for size in sizes)
        return input.reshape(input.shape[:dim] + sizes + input.shape[dim + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Dropout(Module):
    """Inverted dropout: in training, zero each element with probability p and scale the rest by 1/(1-p).

    E[output] = input; in eval mode (``module.eval()``) the layer is the identity.
    p = 1 gives zeros (like torch). ``inplace=True`` writes the result into the input, as torch's.
    """

    inplace: bool = False
    _follows_seed = False  # (True when made without rng=; a layer pickled before this field draws from its own)

    def __init__(self, p: float = 0.5, inplace: bool = False, rng: np.random.Generator | int | None = None) -> None:
        owner = type(self).__name__
        self.p = as_given(p, check_probability(owner, "p", p))
        self.inplace = check_flag(owner, "inplace", inplace)
        self._rng = make_generator(owner, "rng", rng)
        self._follows_seed = rng is None

    def _generator(self) -> np.random.Generator:
        """The Generator of this call's draws: ``rng``'s, or without it the seeded state (see
        :func:`nn.checks.drawing_generator`)."""
        return drawing_generator(self._rng, self._follows_seed)

    def forward(self, input: Any) -> Tensor:
        input = _as_tensor(input, type(self).__name__)
        if not 0 <= self.p <= 1:  # a p changed after construction: torch's F.dropout refuses it at every call
            check_probability(type(self).__name__, "p", self.p, ArgumentRangeError)
        if not self.training or self.p == 0:
            return input
        if self.p < 1:
            refuse_integer_dropout(input, type(self).__name__)
        mask_shape = self.mask_shape(input)
        rng = self._generator()
        if self.inplace:
            return change_in_place(type(self).__name__, input, lambda t: masked_dropout(t, self.p, mask_shape, rng))
        return masked_dropout(input, self.p, mask_shape, rng)

    def mask_shape(self, x: Tensor) -> tuple[int, ...]:
        """The shape of the keep-mask for input ``x``: one draw per element."""
        return x.shape

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Residual(Module):
    """Skip connection ``x + module(x)``; the module must keep the input's shape."""

    def __init__(self, module: Module) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"Residual: expected a Module, got {type(module).__name__}")
        self.module = module

    def forward(self, input: Any) -> Tensor:
        input = _as_tensor(input, "Residual")
        y = self.module(input)
        if tuple(np.shape(y._data if isinstance(y, Tensor) else y)) != input.shape:
            raise ValueError(
                f"Residual: the wrapped {type(self.module).__name__} maps shape {input.shape} to "
                f"{tuple(np.shape(y.data if isinstance(y, Tensor) else y))}; a skip connection needs equal shapes"
            )
        return input + y
