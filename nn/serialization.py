"""Save and load a module's state (and an optimizer's) as one ``.npz`` file, without pickle.

File layout (``numpy.savez``, read back with ``allow_pickle=False``):

* ``format``: 0-d string ``"micrograd-plus-state/1"``;
* ``model/<name>``: one array per ``state_dict`` entry;
* ``optimizer/skeleton`` (only with an optimizer): 0-d string holding JSON that mirrors the
  optimizer's nested ``state_dict()``, with every array replaced by a reference;
  ``optimizer/<i>``: those arrays.

The skeleton encodes ints, floats (incl. inf/nan), bools, None and strings as JSON scalars,
and containers as tagged objects so that they come back exactly: ``{"dict": [[key, value],
...]}`` (keys stay int or str), ``{"list": [...]}``, ``{"tuple": [...]}``, ``{"array": "optimizer/3"}``
and ``{"scalar": "optimizer/4"}`` (a numpy scalar, kept with its dtype).

Functions: :func:`save`, :func:`load` (returns ``{"model": ..., "optimizer": ...}``) and
:func:`load_into` (validates the whole file, then restores a module and optimizer).
"""

from __future__ import annotations

import json
import os
import zipfile
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from .module import Module

__all__ = ["FORMAT", "SerializationError", "load", "load_into", "save"]

FORMAT = "micrograd-plus-state/1"
_MODEL = "model/"
_OPTIMIZER = "optimizer/"
_SKELETON = "optimizer/skeleton"


class SerializationError(ValueError):
    """A state file is unreadable, malformed, or does not fit the module/optimizer it is loaded into."""


# -- nested optimizer state <-> (JSON skeleton, arrays) ---------------------------
def _encode(value: Any, arrays: dict[str, np.ndarray], where: str) -> Any:
    """The JSON-ready skeleton of ``value``; arrays are moved into ``arrays``."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        if array.dtype.kind not in "biufcU":
            raise TypeError(f"save: optimizer state at {where} has dtype {array.dtype}, which needs pickle")
        key = f"{_OPTIMIZER}{len(arrays)}"
        arrays[key] = np.array(array)
        return {"array" if isinstance(value, np.ndarray) else "scalar": key}
    if isinstance(value, Mapping):
        items = []
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, (int, str)):
                raise TypeError(
                    f"save: optimizer state at {where} has a key {key!r}; only int and str keys are supported"
                )
            items.append([key, _encode(item, arrays, f"{where}[{key!r}]")])
        return {"dict": items}
    if isinstance(value, (list, tuple)):
        items = [_encode(item, arrays, f"{where}[{index}]") for index, item in enumerate(value)]
        return {"tuple" if isinstance(value, tuple) else "list": items}
    raise TypeError(f"save: optimizer state at {where} is a {type(value).__name__}, which cannot be stored")


def _decode(node: Any, arrays: Mapping[str, np.ndarray], used: set[str], where: str) -> Any:
    """Rebuild the value that :func:`_encode` turned into ``node``."""
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if not isinstance(node, dict) or len(node) != 1:
        raise SerializationError(f"optimizer skeleton at {where}: unexpected entry {node!r}")
    ((tag, body),) = node.items()
    if tag in ("array", "scalar"):
        if not isinstance(body, str) or body not in arrays:
            raise SerializationError(f"optimizer skeleton at {where}: refers to missing array {body!r}")
        used.add(body)
        array = np.array(arrays[body])
        return array if tag == "array" else array[()]
    if tag in ("list", "tuple") and isinstance(body, list):
        items = [_decode(item, arrays, used, f"{where}[{index}]") for index, item in enumerate(body)]
        return tuple(items) if tag == "tuple" else items
    if tag == "dict" and isinstance(body, list):
        result: dict[Any, Any] = {}
        for pair in body:
            if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], (int, str))):
                raise SerializationError(f"optimizer skeleton at {where}: bad dict item {pair!r}")
            result[pair[0]] = _decode(pair[1], arrays, used, f"{where}[{pair[0]!r}]")
        return result
    raise SerializationError(f"optimizer skeleton at {where}: unknown tag {tag!r}")


def encode_nested(state: Any) -> dict[str, np.ndarray]:
    """Flatten a nested optimizer state into npz-ready arrays (skeleton + ``optimizer/<i>``)."""
    arrays: dict[str, np.ndarray] = {}
    skeleton = _encode(state, arrays, "state")
    arrays[_SKELETON] = np.array(json.dumps(skeleton, allow_nan=True))
    return arrays


def decode_nested(arrays: Mapping[str, np.ndarray]) -> Any:
    """Inverse of :func:`encode_nested`; every ``optimizer/<i>`` array must be referenced exactly as saved."""
    try:
        skeleton = json.loads(str(arrays[_SKELETON][()]))
    except (KeyError, ValueError, TypeError) as error:
        raise SerializationError(f"optimizer skeleton is missing or not valid JSON: {error}") from None
    used: set[str] = set()
    state = _decode(skeleton, arrays, used, "state")
    extra = sorted(set(arrays) - used - {_SKELETON})
    if extra:
        raise SerializationError(f"optimizer part has unreferenced arrays: {', '.join(extra)}")
    return state


# -- files ------------------------------------------------------------------------
def _model_state(module_or_state: Module | Mapping[str, Any]) -> OrderedDict[str, np.ndarray]:
    if isinstance(module_or_state, Module):
        return module_or_state.state_dict()
    if not isinstance(module_or_state, Mapping):
        raise TypeError(f"save: expected a Module or a state dict, got {type(module_or_state).__name__}")
    state: OrderedDict[str, np.ndarray] = OrderedDict()
    for name, value in module_or_state.items():
        array = np.array(getattr(value, "data", value))
        if not isinstance(name, str) or array.dtype.kind not in "biufc":
            raise TypeError(f"save: state entry {name!r} must map a str to a numeric array, got {array.dtype}")
        state[name] = array
    return state


def save(module_or_state: Module | Mapping[str, Any], path: str | os.PathLike, optimizer: Any = None) -> Path:
    """Write a module's ``state_dict`` (or a given state dict) and optionally an optimizer's state to ``path``.

    ``optimizer`` is an object with ``state_dict()`` (e.g. ``nn.optim.Adam``) or already a nested
    state dict. Raises TypeError, writing nothing, if the state holds anything but dicts with int/str
    keys, lists, tuples, ints, floats, bools, None, strings, numeric arrays and numpy scalars.

    ``path`` is used as given (no ``.npz`` is appended); the file is written to a temporary
    name first and then renamed, so an existing file is never left half-written.
    Returns the path.
    """
    arrays: dict[str, np.ndarray] = {"format": np.array(FORMAT)}
    for name, array in _model_state(module_or_state).items():
        arrays[_MODEL + name] = array
    if optimizer is not None:
        arrays.update(encode_nested(optimizer.state_dict() if hasattr(optimizer, "state_dict") else optimizer))
    path = Path(path)
    temporary = path.with_name(path.name + ".partial")
    try:
        with open(temporary, "wb") as file:
            np.savez(file, allow_pickle=False, **arrays)
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    return path


def _read_arrays(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """All arrays of an npz file, read without pickle; clear errors for anything else."""
    try:
        archive = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise SerializationError(f"{path}: not a readable .npz file ({error})") from None
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise SerializationError(f"{path}: not an .npz archive (found a single {type(archive).__name__})")
    with archive:
        try:
            return {key: archive[key] for key in archive.files}
        except ValueError as error:
            raise SerializationError(f"{path}: holds object arrays that need pickle, refused ({error})") from None
        except (OSError, EOFError, zipfile.BadZipFile) as error:
            raise SerializationError(f"{path}: damaged .npz archive ({error})") from None


def load(path: str | os.PathLike) -> dict[str, Any]:
    """Read a file written by :func:`save`: ``{"model": OrderedDict name -> array, "optimizer": state or None}``."""
    arrays = _read_arrays(path)
    if "format" not in arrays or str(arrays["format"][()]) != FORMAT:
        found = arrays.get("format")
        raise SerializationError(f"{path}: not a {FORMAT} file (format entry {found!r})")
    unknown = sorted(k for k in arrays if k != "format" and not k.startswith((_MODEL, _OPTIMIZER)))
    if unknown:
        raise SerializationError(f"{path}: unknown entries {', '.join(unknown)}")
    model = OrderedDict((k[len(_MODEL) :], v) for k, v in arrays.items() if k.startswith(_MODEL))
    optimizer_arrays = {k: v for k, v in arrays.items() if k.startswith(_OPTIMIZER)}
    optimizer = decode_nested(optimizer_arrays) if optimizer_arrays else None
    return {"model": model, "optimizer": optimizer}


def load_into(module: Module, path: str | os.PathLike, optimizer: Any = None, strict: bool = True) -> dict[str, Any]:
    """Restore ``module`` (and ``optimizer``) from ``path``, all or nothing.

    The whole file is read and the model part validated (:meth:`Module.check_state_dict`)
    before anything changes; then ``optimizer.load_state_dict`` runs (it may still reject
    its part, leaving the module untouched), and only then the module is assigned.
    Returns what :func:`load` returned.
    """
    contents = load(path)
    module.check_state_dict(contents["model"], strict=strict)
    if optimizer is not None:
        if contents["optimizer"] is None:
            raise SerializationError(f"{path}: has no optimizer state to load")
        optimizer.load_state_dict(contents["optimizer"])
    module.load_state_dict(contents["model"], strict=strict)
    return contents
