"""This library's default floating dtype set to torch's while a comparison runs, for the samples whose factories,
Python floats or integer inputs take the default dtype (README: float64 here unless set). No torch import: test
files that skip without torch or expecttest use it alike. (The other way round, torch's default set to float64, is
the ``torch_default_float64`` fixture of conftest.py.)"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

import autograd


@contextlib.contextmanager
def torch_default_dtype() -> Iterator[None]:
    """``autograd.set_default_dtype(float32)`` for the block, the earlier default restored afterwards."""
    before = autograd.get_default_dtype()
    autograd.set_default_dtype(np.float32)
    try:
        yield
    finally:
        autograd.set_default_dtype(before)
