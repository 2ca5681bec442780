"""nn: neural-network building blocks on top of autograd.

Scalar (micrograd-style): :class:`Module`, :class:`Neuron`, :class:`Layer`, :class:`MLP`.
"""

from .module import Module
from .scalar import MLP, Layer, Neuron

__all__ = ["Layer", "MLP", "Module", "Neuron"]
