"""nn: neural-network building blocks on top of autograd.

Scalar (micrograd-style): :class:`Module`, :class:`Neuron`, :class:`Layer`, :class:`MLP`.
"""

from .activations import (
    ACONC,
    ELU,
    LeakyReLU,
    LogSoftmax,
    Maxout,
    Mish,
    PReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softmax,
    Softplus,
    Step,
    Swish,
    Tanh,
)
from .diagnostics import GradientNormMonitor, GradientReport, gradient_norms
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    ExponentialLoss,
    HingeLoss,
    HuberLoss,
    L1Loss,
    MAPELoss,
    MeanBiasError,
    MSELoss,
    MultiMarginLoss,
    NLLLoss,
    SmoothHingeLoss,
)
from .module import Module
from .parameter import Parameter
from .scalar import MLP, Layer, Neuron

__all__ = [
    "GradientNormMonitor",
    "GradientReport",
    "gradient_norms",
    "ACONC",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "ELU",
    "ExponentialLoss",
    "HingeLoss",
    "HuberLoss",
    "L1Loss",
    "Layer",
    "LeakyReLU",
    "LogSoftmax",
    "MAPELoss",
    "MLP",
    "MSELoss",
    "Maxout",
    "MeanBiasError",
    "Mish",
    "Module",
    "MultiMarginLoss",
    "NLLLoss",
    "Neuron",
    "PReLU",
    "Parameter",
    "ReLU",
    "SiLU",
    "Sigmoid",
    "SmoothHingeLoss",
    "Softmax",
    "Softplus",
    "Step",
    "Swish",
    "Tanh",
]
