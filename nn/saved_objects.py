"""General objects in a state file: what ``torch.save`` takes besides a module or a state dict (a checkpoint dict of
state dicts, epoch and loss; a list of tensors), written without pickle as a JSON skeleton plus one array per
Tensor or array.

The skeleton is the object with every container and array replaced by a tagged JSON node:

* a JSON number, string, true/false or null stands for itself (floats keep inf and nan as JSON's
  ``Infinity``/``NaN``);
* ``{"$": "list" | "tuple", "items": [node, ...]}``;
* ``{"$": "dict" | "odict", "items": [[key, node], ...]}`` (an ``OrderedDict``, as ``state_dict()`` gives, is
  "odict" and comes back as one), keys numbers, strings, booleans or null (an optimizer
  state dict's int keys stay ints; a NumPy scalar key is saved as the Python number it holds);
* ``{"$": "tensor", "member": i, "requires_grad": bool, "parameter": bool}``, ``{"$": "array", "member": i}`` and
  ``{"$": "scalar", "member": i}`` (a numpy scalar): the object is the file's member ``object/<i>``. One
  object met twice (a tensor in two places) is one member, and comes back as one object, as torch keeps sharing;
* Tensors whose arrays are views of one block of memory (a tensor and its slices, transposes, ``detach()``) that
  overlap, as torch.save keeps their storage once: the block they span is one member (1-D, in memory order) and
  each tensor's node adds ``"view": [k, offset, shape, strides]`` (k numbers the distinct tensors of the block;
  offset and strides count elements of the member), so what comes back shares memory as torch.load's tensors do.

Both directions walk the object with an explicit stack (no recursion), and refuse nesting deeper than
:data:`MAX_NESTING`; anything else (a module, a function, a set) is a TypeError naming where it was met.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from autograd import Tensor, from_numpy

from .parameter import Parameter

__all__ = [
    "MAX_JSON_LEVELS",
    "MAX_NESTING",
    "MEMBER_PREFIX",
    "SKELETON",
    "decode",
    "encode",
    "refuse_masked",
    "tensors_share_memory",
]

#: The member holding the JSON skeleton, and the prefix of the members holding its arrays.
SKELETON = "object"
MEMBER_PREFIX = "object/"
#: Deepest nesting of containers an object may have (torch's pickle refuses deep ones too, by recursion).
MAX_NESTING = 100
#: The JSON levels a skeleton of that nesting takes: a dict's pair is a list inside the node's items list.
MAX_JSON_LEVELS = 3 * MAX_NESTING + 1

_KEY_TYPES = (str, int, float, bool, type(None))
_LEAF_TAGS = ("tensor", "array", "scalar")
_CONTAINER_TAGS = ("list", "tuple", "dict", "odict")


def _where(path: list[Any]) -> str:
    return "the object" if not path else "object" + "".join(f"[{key!r}]" for key in path)


def encode(obj: Any) -> tuple[Any, list[np.ndarray]]:
    """The skeleton of ``obj`` and the arrays its ``member`` numbers index; TypeError for what cannot be saved."""
    arrays: list[np.ndarray] = []  # each object's array as met (copied, or its block's part, by _stored_members)
    nodes: list[list[dict]] = []  # each object's nodes (one per place it is met)
    members: dict[int, int] = {}  # id of a Tensor or array already stored -> its member
    keep_alive: list[Any] = []  # (the ids above stay those objects' while encoding)
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, list[Any]]] = [(obj, root, 0, [])]
    while stack:
        value, holder, slot, path = stack.pop()
        if len(path) > MAX_NESTING:
            raise TypeError(f"save: {_where(path[:3])}... nests deeper than {MAX_NESTING} containers")
        if value is None or type(value) in (bool, int, float, str):
            holder[slot] = value
            continue
        if isinstance(value, (Tensor, np.ndarray, np.generic)):
            holder[slot] = _leaf(value, arrays, nodes, members, keep_alive, path)
            continue
        if isinstance(value, Mapping):
            items = []
            for key, item in value.items():
                if isinstance(key, np.generic) and type(key.item()) in _KEY_TYPES:  # np.int64(3) as 3
                    key = key.item()
                if type(key) not in _KEY_TYPES:
                    raise TypeError(
                        f"save: {_where(path)} has a key of type {type(key).__name__}; "
                        "keys must be str, int, float, bool or None"
                    )
                pair = [key, None]
                items.append(pair)
                stack.append((item, pair, 1, [*path, key]))
            holder[slot] = {"$": "odict" if isinstance(value, OrderedDict) else "dict", "items": items}
            continue
        if isinstance(value, (list, tuple)):
            items = [None] * len(value)
            for index, item in enumerate(value):
                stack.append((item, items, index, [*path, index]))
            holder[slot] = {"$": "tuple" if isinstance(value, tuple) else "list", "items": items}
            continue
        hint = " (save its state_dict(), or the module itself alone)" if hasattr(value, "state_dict") else ""
        raise TypeError(
            f"save: cannot save {_where(path)}, a {type(value).__name__}{hint}: a saved object holds Tensors, "
            "arrays, numbers, strings, None, and lists, tuples and dicts of them"
        )
    return root[0], _stored_members(arrays, nodes)


def _leaf(
    value: Any,
    arrays: list[np.ndarray],
    nodes: list[list[dict]],
    members: dict[int, int],
    keep_alive: list[Any],
    path: list,
) -> dict:
    """The node of a Tensor, an array or a numpy scalar, its array appended to ``arrays`` once per object."""
    refuse_masked(value, _where(path))
    array = np.asarray(value.data if isinstance(value, Tensor) else value)
    if array.dtype.kind not in "biufc":
        raise TypeError(f"save: {_where(path)} has dtype {array.dtype}; saved arrays hold numbers")
    if id(value) not in members:
        members[id(value)] = len(arrays)
        arrays.append(array)
        nodes.append([])
        keep_alive.append(value)
    member = members[id(value)]
    if isinstance(value, Tensor):
        node = {
            "$": "tensor",
            "member": member,
            "requires_grad": bool(value.requires_grad),
            "parameter": isinstance(value, Parameter),
        }
    else:
        node = {"$": "scalar" if isinstance(value, np.generic) else "array", "member": member}
    nodes[member].append(node)
    return node


def refuse_masked(value: Any, where: str) -> None:
    """TypeError if ``value`` is a numpy masked array, whose mask a file of arrays would silently drop."""
    if isinstance(value, np.ma.MaskedArray):
        raise TypeError(
            f"save: {where} is a numpy masked array, whose mask would be lost; save its .data and "
            "np.ma.getmaskarray(...) as two arrays instead"
        )


def _place_in_memory(array: np.ndarray) -> tuple[np.ndarray, int, list[int], int, int] | None:
    """Where ``array`` lies in the memory of the array that owns it (the end of its ``.base`` chain): that owner,
    the offset and strides of ``array`` in elements of the owner's memory, and the lowest and highest element it
    reaches; None when it cannot be rebuilt as a strided view of that memory (another dtype, an owner not
    contiguous, a read-only or empty array)."""
    if array.size == 0 or not array.flags.writeable:
        return None
    owner = array
    while isinstance(owner.base, np.ndarray):
        owner = owner.base
    if owner.dtype != array.dtype or not (owner.flags.c_contiguous or owner.flags.f_contiguous):
        return None
    itemsize = array.itemsize
    start = array.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
    if start % itemsize or any(stride % itemsize for stride in array.strides):
        return None
    offset, strides = start // itemsize, [stride // itemsize for stride in array.strides]
    reach = [stride * (size - 1) for stride, size in zip(strides, array.shape)]
    low, high = offset + sum(r for r in reach if r < 0), offset + sum(r for r in reach if r > 0)
    if low < 0 or high >= owner.size:
        return None
    return owner, offset, strides, low, high


def _shared_blocks(arrays: list[np.ndarray]) -> list[tuple[np.ndarray, int, int, list[tuple[int, int, list[int]]]]]:
    """The blocks of memory that two or more of ``arrays`` overlap in: ``(owner, low, high, [(position in arrays,
    offset, strides), ...])``, the elements low..high of the owner's memory spanning those arrays."""
    placed: dict[int, list[tuple[int, int, int, int, list[int]]]] = {}
    owners: dict[int, np.ndarray] = {}
    for position, array in enumerate(arrays):
        place = _place_in_memory(array)
        if place is not None:
            owner, offset, strides, low, high = place
            owners[id(owner)] = owner
            placed.setdefault(id(owner), []).append((low, high, position, offset, strides))
    blocks = []
    for key, views in placed.items():
        views.sort(key=lambda view: view[0])
        merged: list[list[Any]] = []  # [low, high, views] of runs of overlapping spans
        for low, high, position, offset, strides in views:
            if merged and low <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], high)
                merged[-1][2].append((position, offset, strides))
            else:
                merged.append([low, high, [(position, offset, strides)]])
        blocks.extend((owners[key], low, high, members) for low, high, members in merged if len(members) > 1)
    return blocks


def tensors_share_memory(values: Any) -> bool:
    """Whether two of the Tensors among ``values`` are one object or overlap in memory (they are then saved as an
    object, whose loading keeps that sharing)."""
    tensors = [value for value in values if isinstance(value, Tensor)]
    if len({id(tensor) for tensor in tensors}) < len(tensors):
        return True
    return bool(_shared_blocks([np.asarray(tensor.data) for tensor in tensors]))


def _stored_members(arrays: list[np.ndarray], nodes: list[list[dict]]) -> list[np.ndarray]:
    """The members a file holds for the objects' ``arrays``: a copy of each (the file holds the values of the
    moment save was called), but Tensors overlapping in memory share one member, the block they span, and their
    nodes say where in it they lie (``view``); every node's ``member`` is renumbered to the list returned."""
    tensors = [position for position, array in enumerate(arrays) if nodes[position][0]["$"] == "tensor"]
    view_of: dict[int, tuple[int, list[Any]]] = {}  # position -> (its block's number, its view)
    block_arrays: list[np.ndarray] = []
    for owner, low, high, views in _shared_blocks([arrays[position] for position in tensors]):
        block_arrays.append(np.array(owner.ravel(order="K")[low : high + 1]))  # (a contiguous owner's memory order)
        for k, (index, offset, strides) in enumerate(views):
            shape = list(arrays[tensors[index]].shape)
            view_of[tensors[index]] = (len(block_arrays) - 1, [k, offset - low, shape, strides])
    stored: list[np.ndarray] = []
    block_members: dict[int, int] = {}
    for position, array in enumerate(arrays):
        if position in view_of:
            block, view = view_of[position]
            if block not in block_members:  # stored where its first tensor is met
                block_members[block] = len(stored)
                stored.append(block_arrays[block])
            for node in nodes[position]:
                node["member"], node["view"] = block_members[block], view
        else:
            for node in nodes[position]:
                node["member"] = len(stored)
            stored.append(np.array(array))
    return stored


def decode(skeleton: Any, read: Callable[[int], np.ndarray], problem: Callable[[str], Exception]) -> Any:
    """The object ``skeleton`` describes, its arrays read by member number with ``read``; ``problem(message)``
    makes the error raised for a skeleton that does not describe an object (a damaged or forged file)."""
    made: dict[int, Any] = {}  # id of a tagged node -> its object (the skeleton holds every node alive)
    leaves: dict[Any, Any] = {}  # member (view) -> (its node's kind, the object made of it): one object met twice stays
    blocks: dict[int, np.ndarray] = {}  # member -> its array, read once: the views of one block share it

    def read_once(member: int) -> np.ndarray:
        if member not in blocks:
            blocks[member] = read(member)
        return blocks[member]

    stack: list[tuple[Any, bool]] = [(skeleton, False)]
    while stack:
        node, children_made = stack.pop()
        if isinstance(node, list):  # encode writes every list as a tagged node: a bare one is not an object's
            raise problem(f"saved object: unexpected bare JSON list {str(node)[:80]}")
        if not isinstance(node, dict):
            continue  # a JSON scalar stands for itself
        tag = node.get("$")
        if tag in _LEAF_TAGS:
            made[id(node)] = _decoded_leaf(node, read_once, leaves, problem)
            continue
        items = node.get("items")
        if tag not in _CONTAINER_TAGS or not isinstance(items, list) or set(node) != {"$", "items"}:
            raise problem(f"saved object: unexpected node {str(node)[:80]}")
        mapping = tag in ("dict", "odict")
        if mapping and not all(
            isinstance(pair, list) and len(pair) == 2 and type(pair[0]) in _KEY_TYPES for pair in items
        ):
            raise problem("saved object: a dict's items must be [key, value] pairs with scalar keys")
        values = [pair[1] for pair in items] if mapping else items
        if not children_made:
            stack.append((node, True))
            stack.extend((child, False) for child in values if isinstance(child, (dict, list)))
            continue
        objects = [made[id(child)] if isinstance(child, dict) else child for child in values]
        if mapping:
            made[id(node)] = (OrderedDict if tag == "odict" else dict)(
                (pair[0], value) for pair, value in zip(items, objects)
            )
        else:
            made[id(node)] = objects if tag == "list" else tuple(objects)
    return made[id(skeleton)] if isinstance(skeleton, dict) else skeleton


def _decoded_leaf(node: dict, read: Callable[[int], np.ndarray], leaves: dict[Any, Any], problem: Callable) -> Any:
    """The object of a leaf node, made once per member (per view of a member): a member met again must be met as
    the same kind of object (``encode`` writes one node per object), else the file is refused rather than giving
    one object for both."""
    tag, member = node["$"], node.get("member")
    keys = {"$", "member", "requires_grad", "parameter"} if tag == "tensor" else {"$", "member"}
    if type(member) is not int or set(node) - {"view"} != keys or ("view" in node and tag != "tensor"):
        raise problem(f"saved object: unexpected {tag} node {str(node)[:80]}")
    if tag == "tensor" and not (isinstance(node["requires_grad"], bool) and isinstance(node["parameter"], bool)):
        raise problem(f"saved object: unexpected tensor node {str(node)[:80]}")
    kind = tag if tag != "tensor" else f"tensor (requires_grad={node['requires_grad']}, parameter={node['parameter']})"
    view = node.get("view")
    key = member if view is None else (member, _view_number(view, problem))
    if key in leaves:
        first, made = leaves[key]
        if first != kind:
            raise problem(f"saved object: member {member} is met both as {first} and as {kind}")
        return made
    array = read(member)
    if tag == "scalar":
        if array.shape != ():
            raise problem(f"saved object: the scalar in member {member} has shape {array.shape}")
        made = array[()]
    elif tag == "array":
        made = array
    else:
        try:
            if view is None:
                made = (Parameter if node["parameter"] else Tensor)(array, requires_grad=node["requires_grad"])
            else:  # a view of the block's array, shared with the block's other tensors
                made = from_numpy(_view_in(array, view, member, problem), requires_grad=node["requires_grad"])
                if node["parameter"]:
                    made = Parameter(made, requires_grad=node["requires_grad"])
        except (TypeError, ValueError) as error:  # a dtype a Tensor cannot hold, or gradients for an int
            raise problem(f"saved object: member {member} cannot be a Tensor ({error})") from None
    leaves[key] = (kind, made)
    return made


def _view_number(view: Any, problem: Callable) -> int:
    """The number ``k`` of a ``[k, offset, shape, strides]`` view, the rest checked as :func:`_view_in` reads it."""
    if not (
        isinstance(view, list)
        and len(view) == 4
        and all(_is_int(item) for item in view[:2])
        and all(isinstance(item, list) and all(_is_int(n) for n in item) for item in view[2:])
        and len(view[2]) == len(view[3]) <= 64
        and all(n >= 1 for n in view[2])
    ):
        raise problem(f"saved object: unexpected view {str(view)[:80]}")
    return view[0]


def _is_int(value: Any) -> bool:
    return type(value) is int


def _view_in(block: np.ndarray, view: list[Any], member: int, problem: Callable) -> np.ndarray:
    """The strided view ``[k, offset, shape, strides]`` of a block (a 1-D member), refused unless every element it
    reaches lies in the block."""
    _, offset, shape, strides = view
    reach = [stride * (size - 1) for stride, size in zip(strides, shape)]
    low, high = offset + sum(r for r in reach if r < 0), offset + sum(r for r in reach if r > 0)
    if block.ndim != 1 or low < 0 or high >= block.size:
        raise problem(f"saved object: a view of member {member} reaches outside it ({str(view)[:80]})")
    itemsize = block.itemsize
    return np.lib.stride_tricks.as_strided(
        block[offset:], shape=tuple(shape), strides=tuple(stride * itemsize for stride in strides)
    )
