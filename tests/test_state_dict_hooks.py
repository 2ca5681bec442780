"""torch's state dict hooks of a Module: ``register_state_dict_pre_hook``, ``register_state_dict_post_hook`` (and
the private ``_register_state_dict_hook``) and ``register_load_state_dict_pre_hook``: their arguments, their order in
a nested model, their edits, and a failing load leaving the model unchanged; each compared with torch 2.13."""

from __future__ import annotations

import numpy as np
import pytest

import nn

torch = pytest.importorskip("torch")


def _model(lib):
    """Sequential(Linear(2, 3), Sequential(Linear(3, 2), ReLU())) in ``lib`` (torch.nn or nn), float64, its weights
    from one seed."""
    model = lib.Sequential(lib.Linear(2, 3), lib.Sequential(lib.Linear(3, 2), lib.ReLU())).double()
    rng = np.random.default_rng(0)
    for parameter in model.parameters():
        values = rng.normal(size=tuple(parameter.shape))
        if lib is torch.nn:
            with torch.no_grad():
                parameter.copy_(torch.tensor(values))
        else:
            parameter.data[...] = values
    return model


def _arrays(state):
    return {
        key: value.detach().numpy() if isinstance(value, torch.Tensor) else np.array(value)
        for key, value in state.items()
    }


def _state_dict_events(lib):
    model, events = _model(lib), []
    for name, module in model.named_modules():
        module.register_state_dict_pre_hook(
            lambda m, prefix, keep_vars, name=name: events.append(("pre", name, prefix, keep_vars))
        )
        module.register_state_dict_post_hook(
            lambda m, state, prefix, metadata, name=name: events.append(
                ("post", name, prefix, sorted(state), metadata["version"])
            )
        )
    model.state_dict(prefix="model.", keep_vars=True)
    return events


def test_state_dict_hooks_run_in_torchs_order_with_each_modules_prefix():
    ours = _state_dict_events(nn)
    assert ours == _state_dict_events(torch.nn)
    assert ours[0] == ("pre", "", "model.", True) and ours[-1][:3] == ("post", "", "model.")


def _edited_state_dict(lib):
    model = _model(lib)

    def drop_bias_and_add_a_note(module, state, prefix, metadata):
        del state[prefix + "bias"]
        state[prefix + "note"] = np.array(7.0) if lib is nn else torch.tensor(7.0, dtype=torch.float64)

    model[1][0].register_state_dict_post_hook(drop_bias_and_add_a_note)
    return _arrays(model.state_dict())


def test_a_state_dict_post_hook_edits_the_state_dict_in_place_as_torchs():
    ours, theirs = _edited_state_dict(nn), _edited_state_dict(torch.nn)
    assert list(ours) == list(theirs) and "1.0.note" in ours and "1.0.bias" not in ours
    for key in ours:
        np.testing.assert_array_equal(ours[key], theirs[key])


@pytest.mark.parametrize("lib", [nn, torch.nn], ids=["ours", "torch"])
def test_a_public_state_dict_post_hook_returning_a_value_is_a_runtime_error(lib):
    model = _model(lib)
    model.register_state_dict_post_hook(lambda m, state, prefix, metadata: {})
    with pytest.raises(RuntimeError, match="must return None"):
        model.state_dict()


@pytest.mark.parametrize("lib", [nn, torch.nn], ids=["ours", "torch"])
def test_the_private_state_dict_hooks_result_replaces_the_outer_modules_state_dict_only(lib):
    model = _model(lib)
    model[1]._register_state_dict_hook(lambda m, state, prefix, metadata: {"ignored": 1})
    assert list(model.state_dict()) == ["0.weight", "0.bias", "1.0.weight", "1.0.bias"]
    model._register_state_dict_hook(lambda m, state, prefix, metadata: {"replaced": len(state)})
    assert model.state_dict() == {"replaced": 4}

    def hook(m, state, prefix, metadata):
        return None

    model.register_state_dict_post_hook(hook)
    with pytest.raises(RuntimeError, match="previously registered via register_state_dict_post_hook"):
        model[0]._register_state_dict_hook(hook)


def _load_pre_hook_events(lib):
    model, events = _model(lib), []
    for name, module in model.named_modules():
        module.register_load_state_dict_pre_hook(
            lambda m, state, prefix, metadata, strict, missing, unexpected, errors, name=name: events.append(
                (name, prefix, sorted(state), dict(metadata), strict, list(missing), list(unexpected), list(errors))
            )
        )
    state = {
        key: torch.tensor(value) if lib is torch.nn else value
        for key, value in _arrays(_model(lib).state_dict()).items()
    }
    state["1.extra"] = state["0.bias"]
    model.load_state_dict(state, strict=False)
    return events


def test_load_state_dict_pre_hooks_see_each_modules_keys_in_torchs_order():
    ours = _load_pre_hook_events(nn)
    assert ours == _load_pre_hook_events(torch.nn)
    assert ours[0][:2] == ("", "") and ours[0][4] is True  # torch passes strict=True to the hooks


def _renamed_load(lib):
    """A checkpoint of the inner Linear saved under old names ("w", "b"), renamed by the inner Linear's pre-hook."""
    source, model = _model(lib), _model(lib)
    for parameter in model.parameters():
        if lib is torch.nn:
            with torch.no_grad():
                parameter.zero_()
        else:
            parameter.data[...] = 0
    saved = source.state_dict()
    saved["1.0.w"], saved["1.0.b"] = saved.pop("1.0.weight"), saved.pop("1.0.bias")
    given = dict(saved)

    def rename(module, state, prefix, metadata, strict, missing, unexpected, errors):
        for old, new in (("w", "weight"), ("b", "bias")):
            if prefix + old in state:
                state[prefix + new] = state.pop(prefix + old)

    model[1][0].register_load_state_dict_pre_hook(rename)
    result = model.load_state_dict(saved)
    assert dict(saved) == given  # the caller's dict is not changed
    return _arrays(model.state_dict()), (list(result.missing_keys), list(result.unexpected_keys))


def test_a_load_state_dict_pre_hook_renaming_old_keys_makes_a_strict_load_pass_as_torchs():
    ours, theirs = _renamed_load(nn), _renamed_load(torch.nn)
    assert ours[1] == theirs[1] == ([], [])
    for key in theirs[0]:
        np.testing.assert_array_equal(ours[0][key], theirs[0][key])


@pytest.mark.parametrize("lib", [nn, torch.nn], ids=["ours", "torch"])
def test_keys_a_load_state_dict_pre_hook_reports_are_the_loads_own(lib):
    def report(module, state, prefix, metadata, strict, missing, unexpected, errors):
        missing.append(prefix + "gone")
        unexpected.append(prefix + "stray")

    model = _model(lib)
    model[0].register_load_state_dict_pre_hook(report)
    before = _arrays(model.state_dict())
    with pytest.raises(RuntimeError, match="0.gone"):
        model.load_state_dict(_model(lib).state_dict())
    result = model.load_state_dict(_model(lib).state_dict(), strict=False)
    assert "0.gone" in result.missing_keys and "0.stray" in result.unexpected_keys
    assert sorted(_arrays(model.state_dict())) == sorted(before)


def test_a_load_state_dict_pre_hook_reporting_an_error_or_raising_leaves_the_model_unchanged():
    for lib in (nn, torch.nn):
        model = _model(lib)
        model[1][0].register_load_state_dict_pre_hook(
            lambda m, state, prefix, metadata, strict, missing, unexpected, errors: errors.append("refused here")
        )
        with pytest.raises(RuntimeError, match="refused here"):
            model.load_state_dict({key: value * 0 for key, value in model.state_dict().items()})
    # torch writes the modules loaded before the error; this library writes nothing (its all-or-nothing load)
    model = _model(nn)
    before = _arrays(model.state_dict())
    model[1][0].register_load_state_dict_pre_hook(
        lambda m, state, prefix, metadata, strict, missing, unexpected, errors: errors.append("refused here")
    )
    with pytest.raises(nn.StateDictError, match="refused here"):
        model.load_state_dict({key: value * 0 for key, value in model.state_dict().items()})
    model = _model(nn)
    model[1].register_load_state_dict_pre_hook(lambda *args: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        model.load_state_dict({key: value * 0 for key, value in model.state_dict().items()})
    for key, value in _arrays(model.state_dict()).items():
        np.testing.assert_array_equal(value, before[key])


def test_state_dict_hooks_are_removable():
    model = _model(nn)
    calls = []
    handles = [
        model.register_state_dict_pre_hook(lambda *args: calls.append("pre")),
        model.register_state_dict_post_hook(lambda *args: calls.append("post")),
        model.register_load_state_dict_pre_hook(lambda *args: calls.append("load pre")),
    ]
    model.load_state_dict(model.state_dict())
    assert calls == ["pre", "post", "load pre"]
    for handle in handles:
        handle.remove()
    model.load_state_dict(model.state_dict())
    assert len(calls) == 3
