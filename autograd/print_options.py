"""How a Tensor prints: torch's ``set_printoptions`` (``torch.set_printoptions(sci_mode=False)`` before printing
probabilities, as LLMs from scratch does in chapters 4 and 5).

The options are torch's: ``precision`` (digits after the point), ``threshold`` (more elements than this print
summarised, ``edgeitems`` at each end of each axis), ``linewidth`` and ``sci_mode`` (None: numpy chooses fixed or
scientific notation by the numbers' range; False: always fixed; True: always scientific), and the profiles
``"default"``, ``"short"`` (precision 2, edgeitems 2) and ``"full"`` (no summary). As torch's, every call sets
``sci_mode`` (None when not given), a profile is applied before the other arguments, and an unknown profile name
changes nothing. The library's defaults stay its own: numpy's layout, summarised above 50 elements (torch's 1000),
``edgeitems`` and ``linewidth`` those of numpy's print options; the ``"default"`` profile restores them.
``sci_mode=False`` is numpy's ``suppress``: small numbers print in fixed notation (numbers from 1e8 up keep
numpy's scientific notation).
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, replace

import numpy as np

__all__ = ["array_text", "set_printoptions"]


@dataclass(frozen=True)
class PrintOptions:
    """The options :func:`array_text` prints with (torch's ``PRINT_OPTS``)."""

    precision: int = 4
    threshold: float = 50
    edgeitems: int | None = None  # None: numpy's print option (3 unless changed)
    linewidth: int | None = None  # None: numpy's print option (75 unless changed)
    sci_mode: bool | None = None


#: torch's profiles, on this library's defaults (``"default"`` is :class:`PrintOptions`' defaults).
PROFILES = {
    "default": PrintOptions(),
    "short": PrintOptions(precision=2, edgeitems=2),
    "full": PrintOptions(threshold=math.inf),
}

_options = PrintOptions()


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how Tensors print (torch's ``set_printoptions``): ``profile`` first (``"default"``, ``"short"``,
    ``"full"``; another name changes nothing, as torch's), then each option given; ``sci_mode`` is always set
    (None, automatic notation, when not given)."""
    global _options
    options = _options
    if profile is not None:
        options = replace(PROFILES.get(profile, options), sci_mode=options.sci_mode)
    given = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems, "linewidth": linewidth}
    _options = replace(
        options, **{name: value for name, value in given.items() if value is not None}, sci_mode=sci_mode
    )


def array_text(data: np.ndarray, prefix: str) -> str:
    """``data``'s elements as a Tensor's repr shows them after ``prefix``, with the options set."""
    options = _options
    formatter = None
    if options.sci_mode:  # torch's sci_mode=True: every float as d.dddde±XX, with precision digits
        formatter = {
            "float_kind": lambda v: np.format_float_scientific(
                v, precision=options.precision, unique=False, exp_digits=2
            )
        }
    return np.array2string(
        data,
        separator=", ",
        prefix=prefix,
        threshold=sys.maxsize if options.threshold == math.inf else int(options.threshold),
        precision=options.precision,
        edgeitems=options.edgeitems,
        max_line_width=options.linewidth,
        suppress_small=options.sci_mode is False,
        formatter=formatter,
    )
