"""torch's ``torch.nn.modules`` paths: :mod:`nn.modules.module` holds the hooks common to all modules
(``nn.modules.module.register_module_forward_hook`` and kin), as torch's; the other submodules name the layers by
torch's files (``nn.modules.batchnorm._BatchNorm``, ``nn.modules.conv._ConvNd``, ``nn.modules.loss._Loss``, ...),
for code that checks a module's kind with ``isinstance``."""

from . import (
    activation,
    adaptive,
    batchnorm,
    container,
    conv,
    dropout,
    instancenorm,
    linear,
    loss,
    module,
    normalization,
    pooling,
    rnn,
    sparse,
    transformer,
)

__all__ = [
    "activation", "adaptive", "batchnorm", "container", "conv", "dropout", "instancenorm", "linear", "loss", "module",
    "normalization", "pooling", "rnn", "sparse", "transformer",
]  # fmt: skip
