"""ModuleList ``+``, ``+=`` and ``pop``; Sequential ``*``, ``*=`` and ``+=``: torch's container operators."""

from collections import OrderedDict

import numpy as np
import pytest

import nn


def test_module_list_plus_equals_extends_in_place():
    relu, tanh = nn.ReLU(), nn.Tanh()
    modules = nn.ModuleList([relu])
    same = modules
    modules += [tanh]
    assert modules is same
    assert list(modules) == [relu, tanh]


def test_module_list_plus_gives_a_new_list_of_the_same_modules():
    first, second = nn.ModuleList([nn.Linear(2, 2)]), nn.ModuleList([nn.ReLU()])
    both = first + second
    assert isinstance(both, nn.ModuleList) and both is not first
    assert list(both) == [first[0], second[0]]
    assert len(first) == 1
    assert list(both.state_dict()) == ["0.weight", "0.bias"]


def test_module_list_pop_removes_and_returns_as_torch():
    torch = pytest.importorskip("torch")
    ours = nn.ModuleList([nn.ReLU(), nn.Tanh(), nn.Sigmoid()])
    theirs = torch.nn.ModuleList([torch.nn.ReLU(), torch.nn.Tanh(), torch.nn.Sigmoid()])
    assert type(ours.pop(1)).__name__ == type(theirs.pop(1)).__name__ == "Tanh"
    assert [type(m).__name__ for m in ours] == [type(m).__name__ for m in theirs] == ["ReLU", "Sigmoid"]
    assert type(ours.pop(-1)).__name__ == "Sigmoid" and len(ours) == 1
    with pytest.raises(IndexError, match="out of range"):
        ours.pop(5)


def test_sequential_times_n_repeats_the_same_modules_as_torch():
    torch = pytest.importorskip("torch")
    ours = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU())
    for repeated, reference in ((ours * 2, theirs * 2), (2 * ours, 2 * theirs)):
        assert repeated is not ours and repeated[0] is repeated[2] is ours[0]
        assert len(repeated.parameters()) == len(list(reference.parameters())) == 2
        assert list(repeated.state_dict()) == list(reference.state_dict())
    x = np.ones((1, 2), np.float32)
    np.testing.assert_allclose((ours * 2)(x).data, ours(ours(x)).data)


def test_sequential_times_equals_repeats_in_place():
    relu = nn.ReLU()
    model = nn.Sequential(relu)
    same = model
    model *= 3
    assert model is same and list(model) == [relu] * 3
    assert [name for name, _ in model.named_children()] == ["0"]  # one module, listed once


def test_sequential_plus_equals_appends_in_place():
    model = nn.Sequential(nn.ReLU())
    same = model
    model += nn.Sequential(nn.Tanh())
    assert model is same and [type(m).__name__ for m in model] == ["ReLU", "Tanh"]


@pytest.mark.parametrize(("factor", "error"), [(0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_sequential_times_a_non_positive_or_non_integer_is_an_error(factor, error):
    with pytest.raises(error):
        nn.Sequential(nn.ReLU()) * factor


def test_sequential_append_extend_insert_pop_follow_torch():
    torch = pytest.importorskip("torch")
    for lib in (nn, torch.nn):
        model = lib.Sequential(lib.ReLU())
        model.append(lib.Tanh()).extend([lib.Sigmoid()]).insert(0, lib.Identity())
        assert type(model.pop(1)).__name__ == "ReLU"
        assert [type(m).__name__ for m in model] == ["Identity", "Tanh", "Sigmoid"]


# -- entries as attributes (nanoGPT's self.transformer.wte) ---------------------------------------------------------


def test_module_dict_entries_are_attributes_and_attributes_become_entries():
    blocks = nn.ModuleDict(dict(wte=nn.Embedding(5, 4), ln_f=nn.LayerNorm(4)))
    assert blocks.wte is blocks["wte"] and blocks.ln_f is blocks["ln_f"]
    blocks.head = nn.Linear(4, 5)
    assert list(blocks.keys()) == ["wte", "ln_f", "head"]
    assert [name for name, _ in blocks.named_parameters()][-2:] == ["head.weight", "head.bias"]
    del blocks.ln_f
    assert list(blocks.keys()) == ["wte", "head"]
    with pytest.raises(AttributeError, match="no attribute or module 'missing'"):
        _ = blocks.missing


def test_weight_tying_through_module_dict_attributes():
    model = nn.ModuleDict(dict(wte=nn.Embedding(5, 4)))
    head = nn.Linear(4, 5, bias=False)
    model.wte.weight = head.weight  # nanoGPT: self.transformer.wte.weight = self.lm_head.weight
    assert model.wte.weight is head.weight


def test_parameter_dict_entries_are_attributes():
    parameters = nn.ParameterDict({"a": nn.Parameter(np.ones(2))})
    assert parameters.a is parameters["a"]
    parameters.b = nn.Parameter(np.zeros(3))
    parameters.note = "not a parameter"
    assert list(parameters.keys()) == ["a", "b"] and parameters.note == "not a parameter"


def test_sequential_add_module_and_attribute_assignment_append_a_module_to_run():
    model = nn.Sequential(nn.Linear(2, 2, rng=0))
    model.add_module("act", nn.ReLU())
    model.scale = nn.Identity()
    assert len(model) == 3 and [name for name, _ in model.named_children()] == ["0", "act", "scale"]
    x = np.array([[-1.0, 2.0]], dtype=np.float32)
    np.testing.assert_array_equal(model(x).data, np.maximum(model[0](x).data, 0))
    model.act = nn.Tanh()  # the same name replaces it in place
    assert isinstance(model[1], nn.Tanh) and len(model) == 3


def test_container_attributes_match_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.ModuleDict(), torch.nn.ModuleDict()
    for container, module in ((ours, nn.Identity()), (theirs, torch.nn.Identity())):
        container.first = module
    assert list(ours.keys()) == list(theirs.keys()) == ["first"]
    ours_seq, theirs_seq = nn.Sequential(nn.Identity()), torch.nn.Sequential(torch.nn.Identity())
    ours_seq.add_module("r", nn.ReLU())
    theirs_seq.add_module("r", torch.nn.ReLU())
    assert len(ours_seq) == len(theirs_seq) and repr(ours_seq) == repr(theirs_seq)


def test_dict_containers_take_entries_from_another_container_as_torch():
    modules = nn.ModuleDict({"a": nn.ReLU()})
    modules.update(nn.ModuleDict({"y": nn.Tanh()}))
    assert list(modules) == ["a", "y"] and list(nn.ModuleDict(modules)) == ["a", "y"]
    parameters = nn.ParameterDict({"a": np.zeros(1)})
    parameters.update(nn.ParameterDict({"b": np.zeros(2)}))
    assert list(parameters) == ["a", "b"] and list(nn.ParameterDict(parameters)) == ["a", "b"]


def test_parameter_dict_takes_a_plain_dict_in_key_order_and_ordered_entries_in_their_order_as_torch():
    assert list(nn.ParameterDict({"w": np.zeros(1), "b": np.zeros(1)})) == ["b", "w"]
    assert list(nn.ParameterDict(OrderedDict(w=np.zeros(1), b=np.zeros(1)))) == ["w", "b"]
    assert list(nn.ParameterDict([("w", np.zeros(1)), ("b", np.zeros(1))])) == ["w", "b"]
    assert list(nn.ModuleDict({"w": nn.ReLU(), "b": nn.ReLU()})) == ["w", "b"]  # ModuleDict keeps a dict's order


def test_parameter_list_extends_in_place_with_plus_equals():
    parameters = nn.ParameterList([nn.Parameter(np.zeros(2))])
    same = parameters
    parameters += [np.ones(3)]
    assert parameters is same and [p.shape for p in parameters] == [(2,), (3,)]
    assert isinstance(parameters[1], nn.Parameter)
    assert len(list(parameters.parameters())) == 2


def test_parameter_dict_copy_setdefault_popitem_and_fromkeys_follow_torch():
    first, second, extra = (nn.Parameter(np.array([value])) for value in (1.0, 2.0, 3.0))
    parameters = nn.ParameterDict(OrderedDict([("b", first), ("a", second)]))
    copied = parameters.copy()
    assert isinstance(copied, nn.ParameterDict) and list(copied.items()) == [("b", first), ("a", second)]
    assert parameters.setdefault("c", extra) is extra and parameters.setdefault("c", first) is extra
    assert parameters.popitem() == ("c", extra) and list(parameters) == ["b", "a"]
    assert list(copied) == ["b", "a"]  # the copy is its own mapping
    shared = parameters.fromkeys(["u", "v"], first)
    assert list(shared) == ["u", "v"] and shared["u"] is shared["v"] is first
    assert [name for name, _ in shared.named_parameters()] == ["u"]  # one parameter, counted once
    with pytest.raises(KeyError, match="empty"):
        nn.ParameterDict().popitem()
    torch = pytest.importorskip("torch")
    theirs = torch.nn.ParameterDict(OrderedDict([("b", torch.nn.Parameter(torch.ones(1)))]))
    theirs.setdefault("c", torch.nn.Parameter(torch.ones(1)))
    assert (
        theirs.popitem()[0] == "c" and list(theirs.copy()) == ["b"] and list(theirs.fromkeys(["u", "v"])) == ["u", "v"]
    )


def test_parameter_dict_reversed_and_union_operators_follow_torch():
    first, second, third = (nn.Parameter(np.array([value])) for value in (1.0, 2.0, 3.0))
    parameters = nn.ParameterDict(OrderedDict([("b", first), ("a", second)]))
    assert list(reversed(parameters)) == ["a", "b"]
    merged = parameters | {"c": third, "b": third}
    assert isinstance(merged, nn.ParameterDict) and list(merged.items()) == [("b", third), ("a", second), ("c", third)]
    assert list(parameters.items()) == [("b", first), ("a", second)]  # | leaves both operands as they were
    left = {"z": third} | parameters
    assert type(left) is dict and list(left.items()) == [("z", third), ("b", first), ("a", second)]
    same = parameters
    parameters |= nn.ParameterDict({"c": third})
    assert parameters is same and list(parameters) == ["b", "a", "c"]
    torch = pytest.importorskip("torch")
    ones = [torch.nn.Parameter(torch.ones(1)) for _ in range(3)]
    theirs = torch.nn.ParameterDict(OrderedDict([("b", ones[0]), ("a", ones[1])]))
    assert list(reversed(theirs)) == ["a", "b"]
    assert list(theirs | {"c": ones[2], "b": ones[2]}) == ["b", "a", "c"]
    assert type({"z": ones[2]} | theirs) is dict and list({"z": ones[2]} | theirs) == ["z", "b", "a"]


def test_sequential_takes_a_zero_dim_integer_tensor_as_an_index_as_torch():
    torch = pytest.importorskip("torch")
    from autograd import Tensor

    ours = [nn.ReLU(), nn.Tanh(), nn.Sigmoid(), nn.Identity()]
    theirs = [torch.nn.ReLU(), torch.nn.Tanh(), torch.nn.Sigmoid(), torch.nn.Identity()]
    seq, their_seq = nn.Sequential(*ours), torch.nn.Sequential(*theirs)
    assert seq[Tensor(np.array(3))] is ours[3] and their_seq[torch.tensor(3)] is theirs[3]
    seq[Tensor(np.array(1, dtype=np.int16))] = ours[0]
    their_seq[torch.tensor(1, dtype=torch.int16)] = theirs[0]
    assert seq[1] is ours[0] and their_seq[1] is theirs[0]
    del seq[Tensor(np.array(-1))]
    del their_seq[torch.tensor(-1)]
    assert len(seq) == len(their_seq) == 3
    seq.insert(Tensor(np.array(1)), nn.ELU())  # as seq.insert(1, ...), torch's operator.index reading
    assert [type(m).__name__ for m in seq] == ["ReLU", "ELU", "ReLU", "Sigmoid"]
    with pytest.raises(TypeError):
        their_seq[torch.tensor(1.0)]
    with pytest.raises(TypeError, match="Sequential: indices must be integers"):
        seq[Tensor(np.array(1.0))]


@pytest.mark.parametrize("container", ["ModuleDict", "ParameterDict"])
@pytest.mark.parametrize("key", [1, None, ("a",)])
def test_dict_container_key_that_is_not_a_string_is_a_type_error_as_torch(container, key):
    torch = pytest.importorskip("torch")
    entry = {"ModuleDict": (nn.ReLU, torch.nn.ReLU), "ParameterDict": (lambda: np.ones(2), lambda: torch.ones(2))}
    ours, theirs = getattr(nn, container)(), getattr(torch.nn, container)()
    with pytest.raises(TypeError):
        theirs[key] = entry[container][1]()
    with pytest.raises(TypeError, match=f"{container}: keys must be strings, got"):
        ours[key] = entry[container][0]()
    with pytest.raises(TypeError):
        ours.update([(key, entry[container][0]())])
    assert len(ours) == 0  # (torch's ParameterDict keeps the refused key, half-changed)
    with pytest.raises(KeyError):
        theirs["a.b"] = entry[container][1]()
    with pytest.raises(KeyError, match="without '.'"):
        ours["a.b"] = entry[container][0]()


@pytest.mark.parametrize("container", ["ParameterList", "ModuleList"])
def test_list_container_extended_by_a_single_entry_is_a_type_error_as_torch(container):
    torch = pytest.importorskip("torch")
    from autograd import Tensor

    if container == "ParameterList":
        ours, theirs = nn.ParameterList([np.ones(2)]), torch.nn.ParameterList([torch.ones(2)])
        single, their_single = nn.Parameter(np.ones((3, 2))), torch.nn.Parameter(torch.ones(3, 2))
        also = [Tensor(np.ones((3, 2))), np.ones((3, 2))]
    else:
        ours, theirs = nn.ModuleList([nn.ReLU()]), torch.nn.ModuleList([torch.nn.ReLU()])
        single, their_single = nn.ReLU(), torch.nn.ReLU()
        also = []
    with pytest.raises(TypeError):
        theirs.extend(their_single)
    with pytest.raises(TypeError):
        theirs += their_single
    for value in [single, *also]:
        with pytest.raises(TypeError, match=f"{container}.extend should be called with an iterable"):
            ours.extend(value)
        with pytest.raises(TypeError, match=f"{container}.extend should be called with an iterable"):
            ours += value
        with pytest.raises(TypeError):
            type(ours)(value)
    assert len(ours) == len(theirs) == 1
    if container == "ModuleList":  # another container of modules is an iterable of them
        ours.extend(nn.Sequential(nn.Tanh()))
        ours += nn.ModuleList([nn.Tanh()])
        assert [type(m).__name__ for m in ours] == ["ReLU", "Tanh", "Tanh"]


@pytest.mark.parametrize("container", ["ModuleDict", "ParameterDict"])
def test_dict_container_update_with_a_bad_pair_changes_nothing(container):
    torch = pytest.importorskip("torch")
    make = {"ModuleDict": (nn.ReLU, torch.nn.ReLU), "ParameterDict": (lambda: np.ones(2), lambda: torch.ones(2))}
    ours, theirs = make[container]
    mine = getattr(nn, container)({"a": ours()})
    for bad_pairs, error in [
        ([("b", ours()), ("c.d", ours())], KeyError),
        ([("b", ours()), (3, ours())], TypeError),
        ([("b", ours()), ("c", ours(), 1)], ValueError),
        ([("b", ours()), ours()], TypeError),
    ]:
        with pytest.raises(error):
            mine.update(bad_pairs)
        assert list(mine) == ["a"]  # (torch's update keeps the pairs before the bad one)
    their_dict = getattr(torch.nn, container)({"a": theirs()})
    with pytest.raises(ValueError, match="update sequence element #1 has length 3; 2 is required"):
        their_dict.update([("b", theirs()), ("c", theirs(), 1)])
    with pytest.raises(ValueError, match="update sequence element #1 has length 3; 2 is required"):
        mine.update([("b", ours()), ("c", ours(), 1)])
    if container == "ModuleDict":
        with pytest.raises(TypeError):
            nn.ModuleDict([("b", nn.ReLU()), ("c", 5)])


@pytest.mark.parametrize("container", ["ModuleDict", "ParameterDict"])
@pytest.mark.parametrize("key", ["train", "forward", "keys", "update", "state_dict"])
def test_dict_container_key_naming_an_attribute_is_a_key_error_as_torch(container, key):
    torch = pytest.importorskip("torch")
    make = {"ModuleDict": (nn.ReLU, torch.nn.ReLU), "ParameterDict": (lambda: np.ones(2), lambda: torch.ones(2))}
    ours, theirs = getattr(nn, container)(), getattr(torch.nn, container)()
    with pytest.raises(KeyError, match="already exists"):
        theirs[key] = make[container][1]()
    with pytest.raises(KeyError, match=f"attribute '{key}' already exists"):
        ours[key] = make[container][0]()
    with pytest.raises(KeyError, match="already exists"):
        getattr(nn, container)({key: make[container][0]()})
    assert len(ours) == 0 and callable(ours.train) and ours.training is True
    with pytest.raises(KeyError, match="already exists"):  # (torch's ParameterDict takes "training", hiding the flag)
        ours["training"] = make[container][0]()
    ours["head"] = make[container][0]()
    ours["head"] = make[container][0]()  # an entry's own key replaces it
    assert list(ours) == ["head"]


@pytest.mark.parametrize("name", ["train", "forward", "training", "append"])
def test_sequential_named_after_an_attribute_is_a_key_error_as_torch(name):
    torch = pytest.importorskip("torch")
    with pytest.raises(KeyError, match="already exists"):
        torch.nn.Sequential(OrderedDict([(name, torch.nn.ReLU())]))
    with pytest.raises(KeyError, match=f"attribute '{name}' already exists"):
        nn.Sequential(OrderedDict([(name, nn.ReLU())]))


def test_module_dict_and_parameter_dict_load_their_state_dict_as_torch():
    torch = pytest.importorskip("torch")
    ours = nn.ModuleDict({"fc": nn.Linear(2, 3, rng=0, dtype=np.float64)})
    params = nn.ParameterDict({"w": nn.Parameter(np.zeros(2))})
    theirs = torch.nn.ModuleDict({"fc": torch.nn.Linear(2, 3, dtype=torch.float64)})
    their_params = torch.nn.ParameterDict({"w": torch.nn.Parameter(torch.tensor([1.5, -2.0], dtype=torch.float64))})
    assert str(ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})) == str(
        theirs.load_state_dict(theirs.state_dict())
    )
    assert list(params.load_state_dict({"w": their_params["w"].detach().numpy()})) == [[], []]
    np.testing.assert_array_equal(ours["fc"].weight.data, theirs["fc"].weight.detach().numpy())
    np.testing.assert_array_equal(params["w"].data, [1.5, -2.0])
    assert ours.check_state_dict(ours.state_dict()) == ([], [])


def test_sequential_slice_assignment_and_insert_at_a_string_say_they_take_integers():
    """``seq[0:1] = [...]`` and ``seq.insert("0", m)`` are TypeErrors, as torch's; the message said indices must be
    "integers or slices" while refusing a slice (and insert takes no slice either)."""
    seq = nn.Sequential(nn.ReLU(), nn.Tanh())
    with pytest.raises(TypeError, match="Sequential: indices must be integers, got slice"):
        seq[0:1] = [nn.ReLU()]
    with pytest.raises(TypeError, match="Sequential.insert: indices must be integers, got str"):
        seq.insert("0", nn.ReLU())
    with pytest.raises(TypeError, match="Sequential: indices must be integers or slices, got str"):
        seq["0"]  # noqa: B018 (reading takes a slice)
    assert [type(m) for m in seq] == [nn.ReLU, nn.Tanh]


def test_module_list_takes_none_placeholders_when_built_appended_extended_or_inserted_as_torch():
    """torch's ModuleList registers each entry with ``add_module``, which takes None (a position without a module,
    ``ModuleList([None] * n)`` filled in later); ours took None only through ``[i] =``. A non-module stays an
    error."""
    torch = pytest.importorskip("torch")
    ours = nn.ModuleList([nn.Linear(1, 1), None])
    ours.append(None)
    ours.extend([None])
    ours.insert(0, None)
    theirs = torch.nn.ModuleList([torch.nn.Linear(1, 1), None])
    theirs.append(None)
    theirs.extend([None])
    theirs.insert(0, None)
    assert repr(ours) == repr(theirs)
    assert [module is None for module in ours] == [module is None for module in theirs]
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["1.weight", "1.bias"]
    assert list(ours._modules) == list(theirs._modules)
    ours[1] = nn.ReLU()
    assert [type(module) for module in ours] == [type(None), nn.ReLU, type(None), type(None), type(None)]
    with pytest.raises(TypeError, match="not a Module"):
        ours.append(3)


@pytest.mark.parametrize("other", [[nn.ReLU()], nn.ModuleList([nn.ReLU()]), 3])
def test_sequential_plus_something_not_a_sequential_is_torchs_value_error(other):
    """``seq + [m]`` and ``seq += [m]`` are torch's ValueError naming the operand's class (here one that is also the
    TypeError Python gives an unsupported operand); it was a bare TypeError. The Sequential is left as it was."""
    torch = pytest.importorskip("torch")
    seq = nn.Sequential(nn.ReLU())
    theirs = torch.nn.Sequential(torch.nn.ReLU())
    torch_other = [torch.nn.ReLU()] if isinstance(other, list) else other
    for attempt in (lambda: seq + other, lambda: seq.__iadd__(other)):
        with pytest.raises(ValueError) as ours:
            attempt()
        assert isinstance(ours.value, TypeError)
        with pytest.raises(ValueError) as torchs:
            theirs + torch_other
        if not isinstance(other, nn.Module):
            assert str(ours.value) == str(torchs.value)
    assert len(seq) == 1
