"""Checkpoints: a module's weights, what built it, and optionally an optimizer's state, in one ``.npz``.

File layout (an uncompressed ``.npz``; no pickle anywhere):

* ``format``: 0-d string ``"micrograd-plus-state/2"``;
* ``architecture``: 0-d string, the JSON record of :mod:`nn.architecture` (class and
  constructor config of every module) or ``null`` when the model cannot be recorded;
* ``model/<name>``: one array per ``state_dict`` entry;
* with an optimizer, its ``state_dict()`` in PyTorch's fixed layout:
  ``optimizer/layout`` is JSON ``{"param_groups": [{option: value, "params": [int, ...]}, ...],
  "state": {"<index>": {"<key>": value | {"list": [value, ...]}}}}``, a value being a number, ``null``, ``"array"``
  or ``"scalar"``, where ``"array"`` and ``"scalar"`` (a numpy scalar) mean the value is the member
  ``optimizer/state/<index>/<key>`` (``.../<key>/<position>`` in a list, as LBFGS's histories).
  Group options are JSON scalars or flat tuples of them (``betas``);
* or, for an array saved alone (``nn.save(ndarray, f)``, as ``torch.save(data, f)``), only ``format`` and
  ``array`` (an ndarray) or ``tensor`` (a Tensor), which :func:`load` gives back as that kind of object;
* or, for any other object ``torch.save`` takes (a checkpoint dict ``{"epoch": 5, "model": model.state_dict(),
  "optimizer": optimizer.state_dict(), "loss": 0.1}``, a list of tensors), only ``format``, ``object`` (its JSON
  skeleton) and ``object/<i>`` (its arrays): see :mod:`nn.saved_objects`;
* a plain state dict holding Tensors lists their names in ``tensors`` (JSON), and :func:`load` gives those back
  as Tensors (one whose Tensors share memory, a tensor and its slice, is saved as an object, which keeps that).

:func:`save` writes atomically (see :mod:`nn.archive`). :func:`load` rebuilds the model
from the record and its weights (``nn.load``); :func:`load_into` fills an existing module
(and optimizer), refusing a file whose record names a different architecture;
:func:`read` returns the file's contents as arrays. Every reader checks all headers
first (against each other, the file's length, and the module it will fill), so memory
stays bounded by the model's own size, and reports any problem as one
:class:`SerializationError` naming the file. Files of format ``/1`` without optimizer
state are still read.
"""

from __future__ import annotations

import json
import os
import re
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from autograd import Tensor
from autograd.shape_errors import is_integer
from autograd.torch_keywords import torch_keyword_names
from autograd.torch_names import check_device

from . import architecture, saved_objects
from .archive import NpzReader, SerializationError, write_npz
from .module import Module, StateDictError

__all__ = ["FORMAT", "CheckpointMismatchError", "SerializationError", "load", "load_into", "read", "save"]

FORMAT = "micrograd-plus-state/2"
_FORMAT_1 = "micrograd-plus-state/1"
_MODEL = "model/"
_LAYOUT = "optimizer/layout"
#: The entry listing the sub-modules (by ``named_modules`` name, "" for the model) saved in eval mode.
_EVALUATING = "evaluating"
#: The entries of an array saved alone: an ndarray, or a Tensor (given back as such).
_ALONE = ("array", "tensor")
#: The entry listing a plain state dict's entries that were Tensors (JSON), which nn.load gives back as Tensors.
_TENSORS = "tensors"
_OBJECT_MEMBER = re.compile(re.escape(saved_objects.MEMBER_PREFIX) + r"(0|[1-9][0-9]{0,17})")
_STATE = "optimizer/state/"
_STATE_KEY = re.compile(r"[A-Za-z0-9_.\-]+")
_INDEX = re.compile(r"[0-9]{1,18}")
#: Deepest JSON nesting accepted (three levels per module of a record, plus slack).
MAX_JSON_DEPTH = 3 * architecture.MAX_DEPTH + 8


class CheckpointMismatchError(SerializationError, StateDictError):
    """The file is sound but does not fit the module it is loaded into (other architecture or state)."""


# -- the optimizer's fixed layout -----------------------------------------------------
def _json_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _group_option(value: Any, where: str) -> Any:
    value = _plain(value)
    if _json_scalar(value):
        return value
    kind = type(value).__name__
    if isinstance(value, (list, tuple)):
        items = [_plain(item) for item in value]
        inner = [type(item).__name__ for item in items if not _json_scalar(item)]
        if not inner:
            return items
        kind = f"{kind} holding a {inner[0]}"
    raise TypeError(f"save: optimizer option {where} is a {kind}; options are numbers, strings or flat tuples")


def _state_value(value: Any, member: str, arrays: dict[str, np.ndarray]) -> Any:
    """The layout's entry for one optimizer state value: a number (or None) as itself, an array or numpy scalar as
    ``"array"``/``"scalar"`` with the value put in ``arrays`` as ``member``; TypeError for anything else."""
    if isinstance(value, (np.ndarray, np.generic)):
        if np.asarray(value).dtype.kind not in "biufc":
            raise TypeError(f"save: optimizer state {member!r} has dtype {np.asarray(value).dtype}, not a number")
        arrays[member] = np.array(value)
        return "array" if isinstance(value, np.ndarray) else "scalar"
    if value is None or isinstance(value, (bool, int, float)):
        return value
    raise TypeError(f"save: optimizer state {member!r} is a {type(value).__name__}")


def _optimizer_arrays(state_dict: Any) -> dict[str, np.ndarray]:
    """``optimizer/layout`` and ``optimizer/state/<index>/<key>`` arrays for a PyTorch-layout state dict."""
    if not isinstance(state_dict, Mapping) or set(state_dict) != {"state", "param_groups"}:
        raise TypeError("save: optimizer state must be a dict with exactly the keys 'state' and 'param_groups'")
    groups = []
    for number, group in enumerate(state_dict["param_groups"]):
        if not isinstance(group, Mapping) or not all(isinstance(key, str) for key in group):
            raise TypeError(f"save: optimizer param group {number} must be a dict with str keys")
        params = group.get("params", [])
        if not all(is_integer(i) for i in params):
            raise TypeError(f"save: optimizer param group {number} params must be int indices, got {params!r}")
        packed = {key: _group_option(value, f"{key!r} of group {number}") for key, value in group.items()}
        groups.append({**packed, "params": [int(i) for i in params]})
    arrays: dict[str, np.ndarray] = {}
    state: dict[str, dict[str, Any]] = {}
    for index, entry in state_dict["state"].items():
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)) or not isinstance(entry, Mapping):
            raise TypeError(
                f"save: optimizer state must map int indices to dicts, got {index!r}: {type(entry).__name__}"
            )
        packed = state[str(int(index))] = {}
        for key, value in entry.items():
            if not isinstance(key, str) or not _STATE_KEY.fullmatch(key):
                raise TypeError(f"save: optimizer state key {key!r} of parameter {index} must be a plain name")
            member = f"{_STATE}{int(index)}/{key}"
            if isinstance(value, list):  # LBFGS's histories: numbers, arrays and None
                packed[key] = {"list": [_state_value(item, f"{member}/{j}", arrays) for j, item in enumerate(value)]}
            else:
                packed[key] = _state_value(value, member, arrays)
    arrays[_LAYOUT] = np.array(json.dumps({"param_groups": groups, "state": state}))
    return arrays


def _check_layout(layout: Any, problem: Any) -> dict[str, Any]:
    """Validate the decoded ``optimizer/layout`` (fixed depth, so no recursion); return it."""
    if not isinstance(layout, dict) or set(layout) != {"param_groups", "state"}:
        raise problem("optimizer layout must be {'param_groups': [...], 'state': {...}}")
    groups, state = layout["param_groups"], layout["state"]
    if not isinstance(groups, list) or not isinstance(state, dict):
        raise problem("optimizer layout: param_groups must be a list and state a dict")
    for number, group in enumerate(groups):
        if not isinstance(group, dict) or not isinstance(group.get("params", []), list):
            raise problem(f"optimizer param group {number} is not a dict with a params list")
        for key, value in group.items():
            flat = isinstance(value, list) and all(_json_scalar(v) for v in value)
            if not (_json_scalar(value) or flat) or (key == "params" and not all(type(i) is int for i in value)):
                raise problem(f"optimizer param group {number}: option {key!r} has an unexpected value")
    for index, entry in state.items():
        if not _INDEX.fullmatch(index) or not isinstance(entry, dict):
            raise problem(f"optimizer state entry {index!r} is not an index with a dict")
        for key, value in entry.items():
            items = value["list"] if isinstance(value, dict) and set(value) == {"list"} else [value]
            if not _STATE_KEY.fullmatch(key) or not isinstance(items, list) or not all(map(_stored_value, items)):
                raise problem(f"optimizer state {index}/{key!r} has an unexpected value")
    return layout


def _stored_value(value: Any) -> bool:
    """Whether ``value`` is an optimizer state value of the layout: a number, None, "array" or "scalar"."""
    return value is None or isinstance(value, (bool, int, float)) or value in ("array", "scalar")


def _stored_members(layout: dict[str, Any]) -> dict[str, Any]:
    """Each optimizer state value of a checked layout, by the member its array is (or would be) stored as; a list's
    items as ``<key>/<position>``."""
    found = {}
    for index, entry in layout["state"].items():
        for key, value in entry.items():
            member = f"{_STATE}{index}/{key}"
            if isinstance(value, dict):
                found.update((f"{member}/{j}", item) for j, item in enumerate(value["list"]))
            else:
                found[member] = value
    return found


def _parse_json(text: str, what: str, problem: Any, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` that refuses nesting deeper than ``max_depth`` (no RecursionError escapes)."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise problem(f"{what} nests deeper than {max_depth} levels") from None
    except ValueError as error:
        raise problem(f"{what} is not valid JSON ({error})") from None
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > max_depth:
            raise problem(f"{what} nests deeper than {max_depth} levels")
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children)
    return value


# -- reading ---------------------------------------------------------------------------
class _Checkpoint:
    """An open state file whose headers, record and optimizer layout have been checked; data unread."""

    def __init__(self, archive: NpzReader) -> None:
        self.archive = archive
        error = archive.error
        if "format" not in archive.members:
            raise error(f"not a {FORMAT} file (no format entry)")
        found = archive.read_text("format")
        if found not in (FORMAT, _FORMAT_1):
            raise error(f"not a {FORMAT} file (format entry {found!r})")
        if "optimizer/skeleton" in archive.members:
            raise error(f"holds optimizer state in the nested layout of {_FORMAT_1}, which is no longer read")
        self.model = {key[len(_MODEL) :]: m for key, m in archive.members.items() if key.startswith(_MODEL)}
        known = {"format", "architecture", _LAYOUT, _EVALUATING, *(_MODEL + name for name in self.model)}
        alone = [key for key in _ALONE if key in archive.members]
        if alone and (len(archive.members) != 2 or len(alone) != 1):
            raise error(f"an array saved alone ({alone[0]!r}) must be the file's only entry beside the format")
        #: The entry of an array saved alone (``array`` or ``tensor``), else None.
        self.alone: str | None = alone[0] if alone else None
        known.update(alone)
        #: Whether the file holds a saved object (:mod:`nn.saved_objects`), and its JSON skeleton (``null`` for
        #: ``nn.save(None, f)``, so the skeleton alone cannot tell).
        self.holds_object = False
        self.skeleton: Any = None
        objects = [key for key in archive.members if key == saved_objects.SKELETON or _OBJECT_MEMBER.fullmatch(key)]
        if objects:
            if saved_objects.SKELETON not in archive.members or len(objects) + 1 != len(archive.members):
                raise error("a saved object's entries must be the file's only ones beside the format")
            text = archive.read_text(saved_objects.SKELETON)
            self.skeleton = _parse_json(text, "saved object", error, saved_objects.MAX_JSON_LEVELS)
            self.holds_object = True
            known.update(objects)
        #: The names of a plain state dict's entries that were saved from Tensors.
        self.tensors: list[str] = []
        if _TENSORS in archive.members:
            names = _parse_json(archive.read_text(_TENSORS), "list of Tensor entries", error)
            if not isinstance(names, list) or not all(isinstance(name, str) and name in self.model for name in names):
                raise error("the list of Tensor entries names entries the state dict does not have")
            self.tensors = names
            known.add(_TENSORS)
        layout = None
        if _LAYOUT in archive.members:
            layout = _check_layout(_parse_json(archive.read_text(_LAYOUT), "optimizer layout", error), error)
            for member, value in _stored_members(layout).items():
                if value in ("array", "scalar"):
                    if member not in archive.members:
                        raise error(f"optimizer state refers to missing array {member!r}")
                    known.add(member)
        unknown = sorted(set(archive.members) - known)
        if unknown:
            raise error(f"unknown entries {', '.join(unknown)}")
        self.layout = layout
        self.evaluating: list[str] = []
        if _EVALUATING in archive.members:
            names = _parse_json(archive.read_text(_EVALUATING), "list of modules in eval mode", error)
            if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
                raise error("the list of modules in eval mode is not a list of module names")
            self.evaluating = names
        self.record = None
        if "architecture" in archive.members:
            self.record = _parse_json(archive.read_text("architecture"), "architecture record", error)

    def refuse_alone(self, reader: str) -> None:
        """A :class:`SerializationError` for ``reader`` (read, load_into), which need a model's state, if the file
        holds an array saved alone or another saved object."""
        held = "an array saved alone" if self.alone is not None else "a saved object" if self.holds_object else ""
        if held:
            raise self.archive.error(f"holds {held}, not a model's state; {reader} needs one (use nn.load)")

    def saved_object(self) -> Any:
        """The object a file of a saved object holds (:func:`nn.saved_objects.decode`), its arrays checked."""

        def member(index: int) -> np.ndarray:
            key = f"{saved_objects.MEMBER_PREFIX}{index}"
            if key not in self.archive.members:
                raise self.archive.error(f"the saved object refers to a missing array {key!r}")
            if self.archive.members[key].dtype.kind not in "biufc":
                raise self.archive.error(f"the saved object's array {key!r} is not numeric")
            return self.archive.read(key)

        return saved_objects.decode(self.skeleton, member, self.archive.error)

    def check_module(self, module: Module, strict: bool) -> None:
        """Raise :class:`CheckpointMismatchError` unless the model part fits ``module`` (headers only)."""
        placeholders = {name: member.placeholder() for name, member in self.model.items()}
        try:
            module.check_state_dict(placeholders, strict=strict)
        except StateDictError as error:
            raise CheckpointMismatchError(f"{self.archive.path}: does not fit the model: {error}") from None

    def model_arrays(self) -> OrderedDict[str, np.ndarray]:
        return OrderedDict((name, self.archive.read(_MODEL + name)) for name in self.model)

    def checked_model_arrays(self, module: Module, strict: bool) -> OrderedDict[str, np.ndarray]:
        """The model part, read and checked against ``module`` with its values (the headers passed
        :meth:`check_module`; a float count such as ``5.5`` for an integer buffer is only seen in the data), so
        nothing is loaded (the optimizer neither) from a file whose model part the module would refuse."""
        arrays = self.model_arrays()
        try:
            module.check_state_dict(arrays, strict=strict)
        except StateDictError as error:
            raise CheckpointMismatchError(f"{self.archive.path}: does not fit the model: {error}") from None
        return arrays

    def _state_value(self, value: Any, member: str) -> Any:
        """One optimizer state value of the layout: an array (or numpy scalar) read from ``member``, else itself."""
        if value not in ("array", "scalar"):
            return value
        array = self.archive.read(member)
        return array if value == "array" else array[()]

    def optimizer_state(self) -> dict[str, Any] | None:
        if self.layout is None:
            return None
        groups = [
            {
                key: tuple(value) if isinstance(value, list) and key != "params" else value
                for key, value in group.items()
            }
            for group in self.layout["param_groups"]
        ]
        state: dict[int, dict[str, Any]] = {}
        for index, entry in self.layout["state"].items():
            state[int(index)] = {}
            for key, value in entry.items():
                member = f"{_STATE}{index}/{key}"
                if isinstance(value, dict):
                    value = [self._state_value(item, f"{member}/{j}") for j, item in enumerate(value["list"])]
                else:
                    value = self._state_value(value, member)
                state[int(index)][key] = value
        return {"state": state, "param_groups": groups}


def read(path: str | os.PathLike | BinaryIO) -> dict[str, Any]:
    """The contents of a checkpoint: ``{"model": OrderedDict name -> array, "optimizer": state dict or None,
    "architecture": record or None}`` (memory: at most the file's size)."""
    with NpzReader(path) as archive:
        checkpoint = _Checkpoint(archive)
        checkpoint.refuse_alone("read")
        for name, member in checkpoint.model.items():
            if member.dtype.kind not in "biufc":
                raise archive.error(f"model entry {name!r} has dtype {member.dtype}, not a number")
        model = checkpoint.model_arrays()
        return {"model": model, "optimizer": checkpoint.optimizer_state(), "architecture": checkpoint.record}


@torch_keyword_names(f="path")
def load(
    path: str | os.PathLike | BinaryIO,
    map_location: Any = None,
    *,
    weights_only: bool | None = None,
    mmap: bool | None = None,
) -> Any:
    """Rebuild the model a checkpoint records (class and config) and load its weights (``nn.load``).

    A file saved from a plain state dict (``nn.save(model.state_dict(), path)``, no optimizer) gives that state
    dict back, name -> array as ``state_dict()``'s, so torch's ``model.load_state_dict(torch.load(path))`` reads
    ``model.load_state_dict(nn.load(path))``. A module saved without a record asks for :func:`load_into`.
    ``path`` may be an open binary file (``with open(path, "rb") as f: nn.load(f)``), read from where it stands
    and left open. torch's ``map_location`` may be None or the CPU (the only device here; anything else is a
    ValueError), and ``weights_only`` is accepted and changes nothing: no pickle is ever read, so every load is
    as safe as torch's ``weights_only=True``; torch's ``mmap`` is accepted too (the arrays are read into memory
    either way) and, as torch's, ``mmap=True`` needs a file path, not an open file (ValueError); torch's keyword
    name ``f=`` is ``path``'s. An array saved alone comes back as the ndarray or Tensor it was,
    and a saved object (a checkpoint dict, a list of tensors) as that object: its Tensors as Tensors (Parameters
    as Parameters, requires_grad kept), its arrays, numbers and containers as they were (an OrderedDict as one, a
    tuple as a tuple); a Tensor it held twice comes back as one Tensor held twice.

    The record's implied state shapes are compared with the file's headers before the
    model is built, so a forged record cannot make it allocate more than the file holds.
    """
    if mmap and not isinstance(path, (str, os.PathLike)):
        raise ValueError("load: f must be a file path in order to use the mmap argument (as torch.load's)")
    if not isinstance(map_location, (dict, str)) and callable(map_location):
        raise TypeError("load: a callable map_location is not supported; pass None or 'cpu' (the only device here)")
    devices = map_location.values() if isinstance(map_location, dict) else (map_location,)
    for device in devices:
        check_device("load: map_location", device)
    with NpzReader(path) as archive:
        checkpoint = _Checkpoint(archive)
        if checkpoint.alone is not None:  # torch.save(data, f) of an array: that array back, as torch.load's
            array = archive.read(checkpoint.alone)
            if array.dtype.kind not in "biufc":
                raise archive.error(f"the array saved alone has dtype {array.dtype}, not a number")
            return Tensor(array) if checkpoint.alone == "tensor" else array
        if checkpoint.holds_object:  # torch.save(obj, f) of a checkpoint dict, a list of tensors, ...
            return checkpoint.saved_object()
        saved_from_a_module = _EVALUATING in archive.members  # nn.save writes it for every Module
        if checkpoint.record is None and not saved_from_a_module and checkpoint.layout is None:
            state = checkpoint.model_arrays()
            for name in checkpoint.tensors:  # saved from Tensors: given back as Tensors, as torch.load's
                state[name] = Tensor(state[name])
            return state
        if checkpoint.record is None:
            raise archive.error(
                "records no architecture (saved from a module nn.architecture cannot describe); "
                "build the model yourself and use load_into"
            )
        try:
            shapes = architecture.expected_shapes(checkpoint.record)
        except ValueError as error:
            raise archive.error(f"bad architecture record: {error}") from None
        if shapes is not None:
            stored = {name: member.shape for name, member in checkpoint.model.items()}
            if shapes != stored:
                wrong = sorted(name for name in set(shapes) | set(stored) if shapes.get(name) != stored.get(name))
                details = ", ".join(f"{k}: record {shapes.get(k)}, file {stored.get(k)}" for k in wrong[:5])
                raise archive.error(f"the architecture record does not match the stored weights ({details})")
        try:
            module = architecture.rebuild(checkpoint.record)
        except ValueError as error:
            raise archive.error(f"bad architecture record: {error}") from None
        checkpoint.check_module(module, strict=True)
        submodules = dict(module.named_modules())
        unknown = sorted(set(checkpoint.evaluating) - set(submodules))
        if unknown:
            raise archive.error(f"lists modules in eval mode that the model does not have: {', '.join(unknown)}")
        module.load_state_dict(checkpoint.checked_model_arrays(module, strict=True))
        for name in checkpoint.evaluating:  # saved after .eval() (or a sub-module's): loaded so, as torch's modules
            submodules[name].training = False
        return module


def load_into(
    module: Module, path: str | os.PathLike | BinaryIO, optimizer: Any = None, strict: bool = True
) -> dict[str, Any]:
    """Restore ``module`` (and ``optimizer``) from ``path``, all or nothing.

    With ``strict`` a file whose record names another architecture (e.g. Tanh where the
    module has ReLU) is refused with the differences; the file's headers are checked
    against the module (:meth:`Module.check_state_dict`) before any data is read; then
    ``optimizer.load_state_dict`` runs (it may still reject its part, leaving the module
    untouched), and only then the module is assigned; should that still fail (a module's own
    ``set_extra_state`` refusing its entry), the optimizer's previous state is put back. Returns what
    :func:`read` returns.
    """
    with NpzReader(path) as archive:
        checkpoint = _Checkpoint(archive)
        checkpoint.refuse_alone("load_into")
        if strict and checkpoint.record is not None:
            _check_same_architecture(archive, checkpoint.record, module)
        checkpoint.check_module(module, strict)
        if optimizer is not None and checkpoint.layout is None:
            raise archive.error("has no optimizer state to load")
        model = checkpoint.checked_model_arrays(module, strict)
        optimizer_state = checkpoint.optimizer_state()
    previous = None
    if optimizer is not None:
        previous = optimizer.state_dict() if hasattr(optimizer, "state_dict") else None
        optimizer.load_state_dict(optimizer_state)
    try:
        module.load_state_dict(model, strict=strict)  # only a module's own set_extra_state can still refuse
    except BaseException:
        if previous is not None:
            optimizer.load_state_dict(previous)  # all or nothing: the optimizer as it was
        raise
    return {"model": model, "optimizer": optimizer_state, "architecture": checkpoint.record}


def _check_same_architecture(archive: NpzReader, record: Any, module: Module) -> None:
    try:
        architecture.expected_shapes(record)
        current = architecture.describe(module)
    except architecture.NotRecordableError:
        return
    except ValueError as error:
        raise archive.error(f"bad architecture record: {error}") from None
    found = architecture.differences(record, current)
    if found:
        raise CheckpointMismatchError(f"{archive.path}: saved from a different architecture: " + "; ".join(found))


# -- writing ---------------------------------------------------------------------------
def _model_state(module_or_state: Module | Mapping[str, Any]) -> OrderedDict[str, np.ndarray]:
    if isinstance(module_or_state, Module):  # its state_dict's arrays are copies already: checked, not copied again
        return OrderedDict(
            (name, _check_entry(name, np.asarray(value))) for name, value in module_or_state.state_dict().items()
        )
    state = OrderedDict()  # a plain state dict (_is_state_dict): arrays and Tensors, copied
    for name, value in module_or_state.items():
        saved_objects.refuse_masked(value, f"state entry {name!r}")
        state[name] = _check_entry(name, np.array(getattr(value, "data", value)))
    return state


def _is_state_dict(obj: Any, optimizer: Any = None) -> bool:
    """Whether ``obj`` is a plain state dict (str names of arrays or plain Tensors, as ``state_dict()`` gives), saved
    as a model's state that :func:`load_into` and :func:`read` take; any other object is saved as an object (a dict
    of Parameters or of Tensors that require grad, whose kind and ``requires_grad`` come back as torch.load's; one
    saved without an optimizer whose Tensors share memory, which comes back shared as torch.load's)."""
    return (
        isinstance(obj, Mapping)
        and all(
            isinstance(name, str)
            and (isinstance(value, np.ndarray) or (type(value) is Tensor and not value.requires_grad))
            for name, value in obj.items()
        )
        and (optimizer is not None or not saved_objects.tensors_share_memory(obj.values()))
    )


def _check_entry(name: Any, array: np.ndarray) -> np.ndarray:
    """``array``, the state entry ``name``, if the layout can hold it (a str name, numbers); TypeError otherwise."""
    if not isinstance(name, str) or array.dtype.kind not in "biufc":
        hint = (
            " (a module's get_extra_state must give an array to be saved here)" if "_extra_state" in str(name) else ""
        )
        raise TypeError(f"save: state entry {name!r} must map a str to a numeric array, got {array.dtype}{hint}")
    return array


def _shares_state(module: Module) -> bool:
    """Whether a parameter or buffer of ``module`` is reachable under two names (a stateless layer used twice is not
    sharing: rebuilt apart, it computes the same)."""
    held = [id(value) for _, value in module.named_parameters(remove_duplicate=False)]
    held += [id(value) for _, value in module.named_buffers(remove_duplicate=False)]
    return len(set(held)) != len(held)


def _record_of(module_or_state: Module | Mapping[str, Any], state: Mapping[str, np.ndarray]) -> Any:
    """The architecture record of a module whose ``state`` the record rebuilds, else None (a plain state dict, a
    module nn.architecture cannot describe, or one holding state its record would not rebuild: a weight_norm hook's
    ``weight_g`` and ``weight_v`` in place of ``weight``, or a parameter or buffer held under several names, a layer
    used twice or tied weights, which a record would rebuild as separate copies), for which nn.load then asks for
    load_into."""
    if not isinstance(module_or_state, Module) or _shares_state(module_or_state):
        return None
    try:
        record = architecture.describe(module_or_state)
    except architecture.NotRecordableError:
        return None
    shapes = architecture.expected_shapes(record)
    if shapes is not None and shapes != {name: array.shape for name, array in state.items()}:
        return None
    return record


@torch_keyword_names(obj="module_or_state", f="path")
def save(
    module_or_state: Any,
    path: str | os.PathLike | BinaryIO,
    optimizer: Any = None,
) -> Path | None:
    """Write a module's weights and architecture record (or a plain state dict) and optionally an
    optimizer's state to ``path`` (used as given, no suffix added); return the path. ``path`` may be an open
    binary file (``with open(path, "wb") as f: nn.save(model, f)``, torch's spelling, or ``io.BytesIO``): the
    checkpoint is written where the file stands, the file is left open, and None is returned, as torch's.
    A numeric ndarray or Tensor may be saved alone (``torch.save(data, f)``); :func:`load` gives it back. So is
    any other object ``torch.save`` is given in practice: lists, tuples and dicts (keys str, int, float, bool or
    None) of Tensors, arrays, numbers, strings and None, nested, as a training checkpoint
    ``{"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict(), "loss": loss}``
    (:mod:`nn.saved_objects`, no pickle); a module inside one is a TypeError that says to save its state_dict().

    ``optimizer`` is an object with ``state_dict()`` (e.g. ``nn.optim.Adam``) or a state
    dict in PyTorch's layout. Everything is checked before the file is touched (TypeError
    for state that the layout cannot hold); the write is atomic, so on any failure the
    previous file at ``path`` stays byte-identical. torch's keyword names work too:
    ``nn.save(obj=model.state_dict(), f=path)``.
    """
    arrays: dict[str, np.ndarray] = {"format": np.array(FORMAT)}
    alone = isinstance(module_or_state, np.ndarray) or (
        type(module_or_state) is Tensor and not module_or_state.requires_grad  # (else kept as it is, an object)
    )
    # a dict of Tensors two of which share memory is saved as an object, whose loading keeps that sharing
    if not alone and not isinstance(module_or_state, Module) and not _is_state_dict(module_or_state, optimizer):
        if optimizer is not None:
            raise TypeError("save: an optimizer's state is saved beside a model's; put it in the saved object instead")
        skeleton, members = saved_objects.encode(module_or_state)  # a checkpoint dict, a list of tensors, ...
        arrays[saved_objects.SKELETON] = np.array(json.dumps(skeleton))
        arrays.update((f"{saved_objects.MEMBER_PREFIX}{index}", array) for index, array in enumerate(members))
        return write_npz(path, arrays)
    if alone:  # torch.save(data, f) of an array alone
        if optimizer is not None:
            raise TypeError("save: an optimizer's state is saved beside a model's, not beside an array saved alone")
        saved_objects.refuse_masked(module_or_state, "the array")
        array = np.array(module_or_state.data if isinstance(module_or_state, Tensor) else module_or_state)
        if array.dtype.kind not in "biufc":
            raise TypeError(f"save: an array saved alone must be numeric, got dtype {array.dtype}")
        arrays["tensor" if isinstance(module_or_state, Tensor) else "array"] = array
        return write_npz(path, arrays)
    state = _model_state(module_or_state)
    arrays["architecture"] = np.array(json.dumps(_record_of(module_or_state, state)))
    if isinstance(module_or_state, Module):  # the modes nn.load gives back, as unpickling a torch module does
        evaluating = [name for name, sub in module_or_state.named_modules() if not sub.training]
        arrays[_EVALUATING] = np.array(json.dumps(evaluating))
    for name, array in state.items():
        arrays[_MODEL + name] = array
    if not isinstance(module_or_state, Module):
        tensors = [name for name, value in module_or_state.items() if isinstance(value, Tensor)]
        if tensors:
            arrays[_TENSORS] = np.array(json.dumps(tensors))
    if optimizer is not None:
        arrays.update(_optimizer_arrays(optimizer.state_dict() if hasattr(optimizer, "state_dict") else optimizer))
    return write_npz(path, arrays)
