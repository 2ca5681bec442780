"""micrograd-style networks of scalar ``Value``s: ``Neuron``, ``Layer``, ``MLP``.

A neuron computes ``activation(w . x + b)``; the pre-activation is one
``Value.linear`` node, and a ReLU (or linear) neuron is that one node alone (``linear_relu``). Weights start uniform in [-1, 1) and the bias at 0, as in
micrograd; pass ``seed`` (or ``rng``: an int seed, a ``random.Random`` or a numpy Generator) for reproducible
weights. Without either, the weights come from ``autograd.manual_seed``'s state once it is seeded, else from
Python's ``random`` module, as micrograd's (``random.seed(1337)`` then gives micrograd's own weights).
"""

from __future__ import annotations

import operator
import random
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any

import numpy as np

from autograd import Tensor, Value, no_grad
from autograd.random_state import seeded_state

from .checks import check_positive_int
from .module import Module, mark_value_parameters


def _python_random() -> random.Random | ModuleType:
    """A ``random.Random`` drawn from the library's state once ``autograd.manual_seed`` seeded it, else Python's
    ``random`` module itself, micrograd's source (its ``random.uniform(-1, 1)`` per weight, in the same order)."""
    seeded = seeded_state()
    return random if seeded is None else random.Random(int(seeded.integers(2**63)))


def _random_source(owner: str, rng: random.Random | int | None, seed: int | None) -> random.Random | ModuleType:
    """Where a scalar network draws its weights: ``rng`` (a ``random.Random`` or a numpy Generator, or an int seed,
    as ``nn.Linear``'s ``rng``) or ``seed`` (an int), one of them; neither: :func:`_python_random`."""
    if rng is not None and seed is not None:
        raise TypeError(f"{owner}: pass rng or seed, not both")
    source = seed if rng is None else rng
    if source is None:
        return _python_random()
    if isinstance(source, random.Random) or hasattr(source, "uniform"):  # a numpy Generator draws uniforms too
        return source
    if isinstance(source, bool) or not isinstance(source, int):
        raise TypeError(
            f"{owner}: rng must be a random.Random, a numpy Generator or an int seed, got {type(source).__name__}"
        )
    return random.Random(source)


def _identity(v: Value) -> Value:
    """The "linear" activation: ``v`` itself (a named function, so neurons using it can be pickled)."""
    return v


#: Activations a scalar neuron can use, by name.
ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "linear": _identity,
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "leaky_relu": Value.leaky_relu,
    "elu": Value.elu,
    "softplus": Value.softplus,
    "swish": Value.swish,
    "silu": Value.silu,
    "mish": Value.mish,
    "step": Value.step,
}


#: The activations a neuron's one ``Value.linear`` node computes (the others are nodes of their own).
_FUSED: dict[Callable[[Value], Value], str] = {Value.relu: "relu", _identity: "linear"}


_activation_of = operator.attrgetter("_activate")
_weights_of = operator.attrgetter("w")
_bias_of = operator.attrgetter("b")


#: An activation as a name of :data:`ACTIVATIONS` or as a function of one Value.
ActivationLike = str | Callable[[Value], Value]


def _activation(name: ActivationLike) -> Callable[[Value], Value]:
    """The function an activation stands for: a name of :data:`ACTIVATIONS`, or a function of one Value given
    itself (``lambda v: v.leaky_relu(0.1)``, deck 001's max(0.1x, x), or ``Value.tanh``)."""
    choices = f"choose one of {sorted(ACTIVATIONS)} or pass a function of one Value (Value.tanh)"
    if isinstance(name, Module) or (isinstance(name, type) and issubclass(name, Module)):
        raise ValueError(f"unknown activation {name!r}: a Tensor layer, which a Value cannot pass through; {choices}")
    if callable(name) and not isinstance(name, type):
        with no_grad():
            probe = name(Value(0.5))
        if not isinstance(probe, Value):  # math.tanh: a float, the graph cut
            raise ValueError(
                f"activation {_activation_label(name)} gave a {type(probe).__name__} for a Value, not a Value, so no "
                "gradient would pass it; pass a function of Values (Value.tanh, lambda v: v.tanh())"
            )
        return name
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):  # (TypeError: an unhashable name)
        raise ValueError(f"unknown activation {name!r}; {choices}") from None


def _activation_label(activation: ActivationLike) -> str:
    """How a repr shows an activation: a name as its repr, a function by its qualified name."""
    if isinstance(activation, str):
        return repr(activation)
    return getattr(activation, "__qualname__", None) or repr(activation)


def _chosen_activation(owner: str, activation: ActivationLike | bool | None, nonlin: bool | None) -> ActivationLike:
    """The activation a neuron uses: ``activation`` ("relu" when None), or micrograd's ``nonlin`` switch (ReLU if
    true, linear if false), which may also come positionally, in ``activation``'s place (micrograd's
    ``Neuron(3, False)``); both at once is an error."""
    if isinstance(activation, bool):  # micrograd's positional nonlin
        if nonlin is not None:
            raise TypeError(f"{owner}: nonlin given twice (positionally as {activation!r} and as nonlin={nonlin!r})")
        activation, nonlin = None, activation
    if nonlin is None:
        return "relu" if activation is None else activation
    if activation is not None:
        raise TypeError(f"{owner}: pass activation or micrograd's nonlin, not both (got {activation!r} and {nonlin!r})")
    return "relu" if nonlin else "linear"


def _checked_inputs(owner: str, x: Any) -> Sequence[Value | float]:
    """A neuron's or layer's inputs as a list or tuple: lists and tuples as they are, a 1-d array or another
    ordered sequence as a list; a bare number, a dict, a set or a string is refused by name, and so is a batch
    (a list of lists, or a 2-d array with more than one row and column), which the scalar engine takes one sample
    per call (only the first item is looked at, so a sample costs nothing more)."""
    if type(x) is list or type(x) is tuple:
        first = x[0] if x else None
        if isinstance(first, (list, tuple)) or (isinstance(first, (np.ndarray, Tensor)) and first.ndim):
            raise TypeError(
                f"{_ONE_SAMPLE.format(owner=owner)}, got a batch of {len(x)} samples (a {type(x).__name__} "
                f"of {type(x[0]).__name__}s); {_PER_SAMPLE}"
            )
        return x
    if isinstance(x, np.ndarray) and x.ndim == 1:
        return x.tolist()
    if isinstance(x, Sequence) and not isinstance(x, (str, bytes)):
        return list(x)
    expected = _ONE_SAMPLE.format(owner=owner)
    shape = getattr(x, "shape", None)
    if isinstance(shape, tuple):  # an array or Tensor (a column vector, say): its shape and how to pass it
        got = f"{expected}, got a {len(shape)}-d {type(x).__name__} of shape {shape}"
        if sum(size > 1 for size in shape) > 1:  # rows of samples: ravelling them would mix the samples
            raise TypeError(f"{got}, a batch of {shape[0]} samples; {_PER_SAMPLE.replace('xs', 'xs.tolist()')}")
        raise TypeError(f"{got}; pass its numbers as one list: x.ravel().tolist()")
    raise TypeError(f"{expected}, got {type(x).__name__}" + (f" {x!r}" if isinstance(x, (int, float, Value)) else ""))


_ONE_SAMPLE = "{owner}: expected a list of input numbers or Values (one per input, micrograd's x = [2.0, 3.0])"
_PER_SAMPLE = (
    "the scalar engine takes one sample per call: outputs = [model(x) for x in xs] (nn.Linear and nn.Sequential "
    "take a batch as one Tensor)"
)


class Neuron(Module):
    """One unit: ``activation(sum_i w_i x_i + b)`` over ``nin`` inputs (micrograd's ``nonlin=True/False``
    chooses relu or linear; ``activation`` is a name or a function of one Value). The weights are drawn from
    ``rng`` or ``seed`` (see :func:`_random_source`)."""

    def __init__(
        self,
        nin: int,
        activation: ActivationLike | None = None,
        rng: random.Random | int | None = None,
        *,
        nonlin: bool | None = None,
        seed: int | None = None,
    ) -> None:
        check_positive_int("Neuron", "nin", nin)
        activation = _chosen_activation("Neuron", activation, nonlin)  # "relu" unless said otherwise
        rng = _random_source("Neuron", rng, seed)
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        mark_value_parameters([*self.w, self.b])  # (parameters still when frozen)
        self.activation = activation

    @property
    def activation(self) -> ActivationLike:
        """The activation's name (or the function given); setting it (``neuron.activation = "tanh"``) changes what
        the neuron computes, as micrograd's ``neuron.nonlin = False`` does (an unknown name is a ValueError)."""
        return self._activation_name

    @activation.setter
    def activation(self, name: ActivationLike) -> None:
        self._activate = _activation(name)
        self._activation_name = name

    @property
    def nonlin(self) -> bool:
        """micrograd's switch: True unless the activation is "linear". Setting it (``neuron.nonlin = False``)
        makes the neuron linear, ``True`` makes it a ReLU, as the constructor's ``nonlin``."""
        return self._activation_name != "linear"

    @nonlin.setter
    def nonlin(self, value: bool) -> None:
        self.activation = _chosen_activation("Neuron", None, value)

    def forward(self, x: Sequence[Value | float]) -> Value:
        x = _checked_inputs("Neuron", x)
        if len(x) != len(self.w):
            raise ValueError(f"Neuron: expected {len(self.w)} inputs, got {len(x)}")
        fused = self.fused_activation()
        if fused is not None:
            return Value.linear(self.w, x, self.b, fused)
        return self._activate(Value.linear(self.w, x, self.b))

    def fused_activation(self) -> str | None:
        """The activation ``Value.linear`` computes inside the neuron's one node ("relu" or "linear"), or None
        for an activation applied as a node of its own."""
        return _FUSED.get(self._activate)

    def extra_repr(self) -> str:
        return f"{len(self.w)}, activation={_activation_label(self.activation)}"


class Layer(Module):
    """``nout`` neurons that all see the same ``nin`` inputs; returns a list of ``nout`` Values, or the one Value
    of a one-neuron layer (as micrograd's ``Layer``). ``rng``/``seed`` as :class:`Neuron`'s."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: ActivationLike | None = None,
        rng: random.Random | int | None = None,
        *,
        nonlin: bool | None = None,
        seed: int | None = None,
    ) -> None:
        check_positive_int("Layer", "nout", nout)
        activation = _chosen_activation("Layer", activation, nonlin)  # "relu" unless said otherwise
        rng = _random_source("Layer", rng, seed)
        self.neurons = [Neuron(nin, activation, rng) for _ in range(nout)]

    def forward(self, x: Sequence[Value | float]) -> list[Value] | Value:
        outputs = self._outputs(x)
        return outputs[0] if len(outputs) == 1 else outputs

    def _outputs(self, x: Sequence[Value | float]) -> list[Value]:
        """Every neuron's output, as a list (also for one neuron)."""
        x = _checked_inputs("Layer", x)
        neurons = self.neurons
        if set(map(type, neurons)) != {Neuron}:  # replaced by other modules: call each one
            return [neuron(x) for neuron in neurons]
        if len(x) != len(neurons[0].w):
            raise ValueError(f"Layer: expected {len(neurons[0].w)} inputs, got {len(x)}")
        # the inputs are checked and read once for all the neurons (each one node when its activation is fused)
        weights, biases = list(map(_weights_of, neurons)), list(map(_bias_of, neurons))
        activations = set(map(_activation_of, neurons))
        fused = _FUSED.get(activations.pop()) if len(activations) == 1 else None
        if fused is not None:
            return Value.linears(weights, x, biases, fused)
        pre_activations = Value.linears(weights, x, biases)
        return [neuron._activate(z) for neuron, z in zip(neurons, pre_activations)]

    def __repr__(self) -> str:
        first = self.neurons[0]
        return f"Layer({len(first.w)}, {len(self.neurons)}, activation={_activation_label(first.activation)})"


class MLP(Module):
    """A stack of Layers: ``MLP(2, [16, 16, 1])``; hidden layers use ``activation``,
    the last layer ``output_activation`` (linear by default), each a name or a function of one Value. ``seed`` or ``rng``, as :class:`Neuron`'s, makes the
    weights reproducible."""

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: ActivationLike = "relu",
        output_activation: ActivationLike = "linear",
        seed: int | None = None,
        *,
        rng: random.Random | int | None = None,
    ) -> None:
        if not isinstance(nouts, Sequence) or isinstance(nouts, str):
            raise TypeError(
                f"MLP: nouts must be a list of layer sizes, as MLP(3, [4, 4, 1]), got {type(nouts).__name__} {nouts!r}"
            )
        if len(nouts) == 0:
            raise ValueError(f"MLP: nouts must list at least one layer size, got {list(nouts)!r}")
        _activation(_chosen_activation("MLP", activation, None))  # checked also when no hidden layer uses it
        rng = _random_source("MLP", rng, seed)
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], activation if i < len(nouts) - 1 else output_activation, rng)
            for i in range(len(nouts))
        ]

    def forward(self, x: Sequence[Value | float]) -> list[Value] | Value:
        """The last layer's outputs; a single output comes back as a bare ``Value`` (as in micrograd)."""
        outputs = x
        for layer in self.layers:
            outputs = layer(outputs)
            if isinstance(outputs, Value):  # a one-neuron layer's output feeds the next layer as a list of one
                outputs = [outputs]
        return outputs[0] if len(outputs) == 1 else outputs
