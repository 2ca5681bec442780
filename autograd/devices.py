"""torch's ``device`` objects: ``autograd.device("cpu")`` is what ``Tensor.device`` gives.

Every array here lives on the CPU. A :class:`device` of another type (``device("cuda")``) can be made, as torch
makes one on a machine without that accelerator, but every factory, layer, ``to`` and ``cuda()`` refuses it
(:class:`DeviceUnavailableError`), as torch refuses a device it was not built for.

The "Changing default device" recipe's lines run: :func:`set_default_device` takes the CPU (or None, to reset) and
:func:`get_default_device` gives it back; ``with device("cpu"):`` makes it the default inside the block. Another
device is refused when it is set or entered (torch refuses it at the first tensor made on it).
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "CPU", "DEVICE_TYPES", "DeviceNameError", "DeviceUnavailableError", "device", "get_default_device",
    "set_default_device",
]  # fmt: skip

#: torch's device types (``torch.device("foo")`` lists them in its error).
DEVICE_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla", "lazy",
    "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)  # fmt: skip


class DeviceUnavailableError(ValueError, RuntimeError, AssertionError):
    """A device other than the CPU asked of a factory, a layer, ``to`` or ``cuda()``: torch's error where it has no
    such device (the AssertionError "Torch not compiled with CUDA enabled" of a CPU build, a RuntimeError for a
    build without a GPU), and the ValueError the library raised, so ``except`` clauses written for any catch it."""


class DeviceNameError(ValueError, RuntimeError):
    """A device name or index that names no device (``device("foo")``, ``device("cpu:x")``, ``device("cpu", -1)``):
    torch's RuntimeError, and the ValueError the library raised."""


_NAME = re.compile(r"(?P<type>[a-z_]+)(?::(?P<index>\d+))?")


class device:
    """torch.device: a device type and an optional index, ``device("cpu")``, ``device("cpu:0")``,
    ``device("cpu", 0)``, ``device(type="cuda", index=1)``, or another device (a torch.device too).

    It prints as torch's (``str``: ``cpu:0``; ``repr``: ``device(type='cpu', index=0)``) and has torch's read-only
    ``type`` and ``index`` (None unless given). It equals a device of the same type and index, and also the string
    ``str`` shows (``x.device == "cpu"`` holds, where torch compares devices only with devices); every ``device=``
    here takes it, while torch's own functions take ``str(d)``.
    """

    __slots__ = ("_type", "_index")

    def __init__(self, type: Any, index: int | None = None) -> None:
        self._type, self._index = _parsed(type, index)

    @property
    def type(self) -> str:
        """The device type, ``"cpu"`` for ``device("cpu:0")``."""
        return self._type

    @property
    def index(self) -> int | None:
        """The index, ``0`` for ``device("cpu:0")``, None for ``device("cpu")``."""
        return self._index

    def __str__(self) -> str:
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __repr__(self) -> str:
        index = "" if self._index is None else f", index={self._index}"
        return f"device(type={self._type!r}{index})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (device, str)) or _is_torch_device(other):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(str(self))  # as the string it equals

    def __reduce__(self) -> tuple[Any, ...]:
        return device, (str(self),)

    def __enter__(self) -> device:
        """``with device("cpu"):``: this device is the default one inside the block (another is refused)."""
        _entered.append(get_default_device())
        set_default_device(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        set_default_device(_entered.pop())


def _parsed(spec: Any, index: int | None) -> tuple[str, int | None]:
    """The ``(type, index)`` of ``device(spec, index)``, checked as torch checks them (a :class:`DeviceNameError`,
    or a TypeError, naming ``device``)."""
    if isinstance(spec, int) and not isinstance(spec, bool):
        raise ValueError(f"device: an int ({spec}) names an accelerator's index, and there is none here; use 'cpu'")
    if not isinstance(spec, (str, device)) and not _is_torch_device(spec):
        raise TypeError(f"device: expected a device name such as 'cpu' or a device, got {spec!r}")
    name = str(spec)
    if name.partition(":")[0] not in DEVICE_TYPES:
        raise DeviceNameError(
            f"device: expected one of {', '.join(DEVICE_TYPES)} device type at start of device string: {name!r}"
        )
    found = _NAME.fullmatch(name)
    if found is None:
        raise DeviceNameError(f"device: invalid device string {name!r} (a type, or a type, ':' and an index >= 0)")
    if index is None:
        return found["type"], None if found["index"] is None else int(found["index"])
    if found["index"] is not None:
        raise DeviceNameError(f"device: {name!r} must not include an index because index={index} was passed")
    if not isinstance(index, int) or isinstance(index, bool) or index < 0:
        raise DeviceNameError(f"device: the index must be an int >= 0, got {index!r}")
    return found["type"], index


def _is_torch_device(value: Any) -> bool:
    """A torch.device (or another library's device object of that name), read through its ``str``."""
    return type(value).__name__ == "device"


#: The one device arrays live on: ``Tensor.device`` and ``Generator.device``.
CPU = device("cpu")

#: What :func:`get_default_device` gives (the CPU, spelt as it was set), and the defaults that the ``with device``
#: blocks entered replaced, innermost last.
_default = [CPU]
_entered: list[device] = []


def set_default_device(spec: Any) -> None:
    """torch.set_default_device: the CPU (``"cpu"``, ``"cpu:0"``, a device), or None for the CPU again. Another
    device type is a :class:`DeviceUnavailableError` (an AssertionError, torch's "Torch not compiled with CUDA
    enabled"); an unknown name is the ValueError/RuntimeError of :class:`device`."""
    chosen = CPU if spec is None else spec if isinstance(spec, device) else device(spec)
    if chosen.type != "cpu":
        raise DeviceUnavailableError(
            f"set_default_device: device {str(chosen)!r} is not available; this library computes with numpy on the "
            "CPU (pass 'cpu' or None)"
        )
    _default[0] = chosen


def get_default_device() -> device:
    """torch.get_default_device: the device set by :func:`set_default_device` (or a ``with device`` block), the
    CPU unless one was."""
    return _default[0]
