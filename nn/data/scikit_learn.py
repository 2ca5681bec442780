"""scikit-learn's own toy sets, split and scaler, offered by ``nn.data`` and imported on first use.

``nn.data.make_moons`` *is* ``sklearn.datasets.make_moons`` (and so on for the names below): the
same arguments (``random_state``, ``stratify``, ...), the same points for the same seed, nothing
re-implemented. scikit-learn comes with the ``train``, ``test`` and ``notebooks`` extras but is not
needed to import ``nn``; asking for one of these names without it raises an ImportError that says
how to install it.
"""

from __future__ import annotations

import importlib
from typing import Any

SCIKIT_LEARN_NAMES = {
    "StandardScaler": "sklearn.preprocessing",
    "make_circles": "sklearn.datasets",
    "make_moons": "sklearn.datasets",
    "make_regression": "sklearn.datasets",
    "train_test_split": "sklearn.model_selection",
}


def from_scikit_learn(name: str) -> Any:
    """scikit-learn's object ``name`` (a key of ``SCIKIT_LEARN_NAMES``), importing scikit-learn now."""
    module_name = SCIKIT_LEARN_NAMES[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ImportError(
            f"nn.data.{name} is scikit-learn's {module_name}.{name}; install scikit-learn with "
            "`pip install -e '.[train]'` (the `train` extra) or `pip install scikit-learn`"
        ) from error
    return getattr(module, name)
