"""nn: neural-network building blocks on top of autograd.

Scalar (micrograd-style): :class:`Module`, :class:`Neuron`, :class:`Layer`, :class:`MLP`.
"""

from .module import Module
from .parameter import Parameter
from .scalar import MLP, Layer, Neuron

__all__ = ["MLP", "Layer", "Module", "Neuron", "Parameter"]
