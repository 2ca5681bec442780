"""nn.utils as torch's where the probe of nn.utils found differences: vector_to_parameters (views of the vector,
its dtype, the vectors torch accepts), compared with torch."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor

torch = pytest.importorskip("torch")

from torch_oracle import raised_type  # noqa: E402  (after the skip: it imports torch)

tnn = torch.nn


# -- F6: vector_to_parameters --------------------------------------------------------------------------------
def test_vector_to_parameters_makes_the_parameters_views_of_the_vector_in_its_dtype_as_torchs():
    results = []
    for lib, make in ((nn, Tensor), (tnn, torch.from_numpy)):
        first, second = lib.Parameter(make(np.zeros(3, np.float32))), lib.Parameter(make(np.zeros((2, 2), np.float32)))
        vector = make(np.arange(7.0))  # float64
        lib.utils.vector_to_parameters(vector, [first, second])
        vector[0] = 100.0  # an in-place change of the vector shows in the parameters
        vector[3] = -1.0
        results.append(
            [
                (np.asarray(p.detach()).tolist(), str(p.dtype).rsplit(".", 1)[-1], p.requires_grad)
                for p in (first, second)
            ]
        )
    assert results[0] == results[1]
    assert results[0][0] == ([100.0, 1.0, 2.0], "float64", True)


@pytest.mark.parametrize(
    ("vector", "shapes"),
    [
        (np.arange(5.0), [(3,)]),  # longer: the tail is not used
        (np.arange(3.0).reshape(3, 1), [(3,)]),  # 2-D: sliced along its first axis
        (np.arange(8.0).reshape(8, 1), [(2, 2), (2, 2)]),
    ],
    ids=["longer", "column", "rows"],
)
def test_vector_to_parameters_takes_the_vectors_torch_takes(vector, shapes):
    results = []
    for lib, make in ((nn, Tensor), (tnn, torch.from_numpy)):
        parameters = [lib.Parameter(make(np.zeros(shape))) for shape in shapes]
        lib.utils.vector_to_parameters(make(vector.copy()), parameters)
        results.append([np.asarray(p.detach()).tolist() for p in parameters])
    assert results[0] == results[1]


@pytest.mark.parametrize(
    ("vector", "shapes"),
    [
        (np.arange(2.0), [(3,)]),  # shorter
        (np.arange(6.0).reshape(3, 2), [(3,), (3,)]),  # rows of 2 do not make 3 entries
        (np.arange(6.0).reshape(2, 3).T, [(3,)]),
        (np.array(1.0), [(1,)]),  # 0-D: nothing to slice
        (np.arange(3), [(3,)]),  # integers for a parameter that requires grad
    ],
    ids=["shorter", "rows-of-two", "transposed", "0-d", "integers"],
)
def test_vector_to_parameters_refuses_what_torch_refuses_and_changes_nothing(vector, shapes):
    theirs = [tnn.Parameter(torch.zeros(shape, dtype=torch.float64)) for shape in shapes]
    torch_error = raised_type(lambda: tnn.utils.vector_to_parameters(torch.from_numpy(vector.copy()), theirs))
    assert torch_error is not None
    ours = [nn.Parameter(np.full(shape, 7.0)) for shape in shapes]
    with pytest.raises(torch_error):
        nn.utils.vector_to_parameters(Tensor(vector.copy()), ours)
    assert all(np.all(p.data == 7.0) and p.dtype == np.float64 for p in ours)


# -- F12: parametrizing a buffer ------------------------------------------------------------------------------
def _doubling(lib):
    class Doubling(lib.Module):
        def forward(self, x):
            return x * 2

        def right_inverse(self, x):
            return x / 2

    return Doubling()


def _buffer_state(lib, module):
    names = [name for name, _ in module.named_buffers()]
    return sorted(module.state_dict()), names, [name for name, _ in module.named_parameters()]


def _parametrized_buffer(lib, make):
    module = lib.Linear(2, 2)
    module.register_buffer("scale", make(np.array([1.0, 3.0, 5.0], np.float32)))
    lib.utils.parametrize.register_parametrization(module, "scale", _doubling(lib))
    return module


def test_a_buffer_can_be_parametrized_as_torchs():
    results = []
    for lib, make in ((nn, Tensor), (tnn, torch.from_numpy)):
        module = _parametrized_buffer(lib, make)
        read = np.asarray(module.scale.detach()).tolist()
        module.scale = make(np.array([2.0, 2.0, 8.0], np.float32))  # stored through right_inverse
        original = np.asarray(module.parametrizations.scale.original).tolist()
        results.append((read, original, np.asarray(module.scale.detach()).tolist(), _buffer_state(lib, module)))
    assert results[0] == results[1]
    assert results[0][0] == [1.0, 3.0, 5.0]  # 2 * right_inverse(scale)


@pytest.mark.parametrize("leave_parametrized", [True, False])
def test_removing_a_buffers_parametrization_leaves_a_buffer_as_torchs(leave_parametrized):
    results = []
    for lib, make in ((nn, Tensor), (tnn, torch.from_numpy)):
        module = _parametrized_buffer(lib, make)
        lib.utils.parametrize.remove_parametrizations(module, "scale", leave_parametrized=leave_parametrized)
        results.append((np.asarray(module.scale).tolist(), _buffer_state(lib, module)))
    assert results[0] == results[1]


# -- right_inverse's outputs checked as torch's ---------------------------------------------------------------------
def _inverting(lib, inverse, parts=1):
    """A parametrization whose forward adds its ``parts`` stored tensors and whose right_inverse is ``inverse``."""

    class Inverting(lib.Module):
        def forward(self, *stored):
            return sum(stored[1:], stored[0])

        def right_inverse(self, x):
            return inverse(x)

    return Inverting()


def _registration_error(lib, module, inverse):
    """The class of the error registering an :func:`_inverting` parametrization of ``module.weight`` raises."""
    return raised_type(
        partial(lib.utils.parametrize.register_parametrization, module, "weight", _inverting(lib, inverse))
    )


@pytest.mark.parametrize(
    "inverse",
    [lambda x: x.float(), lambda x: 3.0, lambda x: [x, 5.0], lambda x: None],
    ids=["changes-dtype", "number", "list-holding-a-number", "none"],
)
def test_register_parametrization_refuses_a_right_inverse_torch_refuses(inverse):
    errors = []
    for lib in (nn, tnn):
        errors.append(_registration_error(lib, lib.Linear(4, 3).double(), inverse))
    assert errors[0] is not None and issubclass(errors[0], errors[1])


@pytest.mark.parametrize(
    "inverse", [lambda x: x.float(), lambda x: x.reshape(-1)], ids=["changes-dtype", "changes-shape"]
)
def test_stacking_a_parametrization_whose_right_inverse_changes_the_tensor_is_refused_as_torchs(inverse):
    errors = []
    for lib in (nn, tnn):
        module = lib.Linear(4, 3).double()
        lib.utils.parametrize.register_parametrization(module, "weight", _doubling(lib))
        errors.append(_registration_error(lib, module, inverse))
    assert errors[0] is not None and issubclass(errors[0], errors[1])


@pytest.mark.parametrize("parts", [1, 2])
@pytest.mark.parametrize("shape", [(12,), (4,)], ids=["flat", "a-row"])
def test_assigning_a_parametrized_tensor_of_another_shape_stores_that_shape_as_torchs(shape, parts):
    stored = []
    for lib, make in ((nn, Tensor), (tnn, torch.from_numpy)):
        module = lib.Linear(4, 3).double()
        split = (lambda x: (x * 0.25, x * 0.75)) if parts == 2 else (lambda x: x / 2)
        lib.utils.parametrize.register_parametrization(module, "weight", _inverting(lib, split), unsafe=True)
        module.weight = make(np.arange(float(np.prod(shape))).reshape(shape))  # torch's set_: the shape is taken
        names = ["original"] if parts == 1 else ["original0", "original1"]
        stored.append([np.asarray(getattr(module.parametrizations.weight, n).detach()).tolist() for n in names])
    assert stored[0] == stored[1]


@pytest.mark.parametrize("value", [np.ones((3, 4), np.float32), np.ones((3, 4), np.int64)], ids=["float32", "int64"])
def test_assigning_a_parametrized_tensor_of_another_dtype_is_refused_as_torchs(value):
    errors = []
    for lib, make in ((nn, Tensor), (tnn, torch.from_numpy)):
        module = lib.Linear(4, 3).double()
        lib.utils.parametrize.register_parametrization(module, "weight", _inverting(lib, lambda x: x))
        errors.append(raised_type(partial(setattr, module, "weight", make(value))))
        assert module.parametrizations.weight.original.dtype in (np.float64, torch.float64)
    assert errors[0] is not None and issubclass(errors[0], errors[1])


# -- fusion's refusals: torch's error classes -------------------------------------------------------------------
def _fusion(lib, case):
    """The fusion call of ``case`` with ``lib``'s layers."""
    utils = lib.utils
    if case == "linear-training":
        return partial(utils.fuse_linear_bn_eval, lib.Linear(3, 4), lib.BatchNorm1d(4))
    if case == "conv-training":
        return partial(utils.fuse_conv_bn_eval, lib.Conv2d(2, 4, 3), lib.BatchNorm2d(4).eval())
    if case == "linear-untracked":
        return partial(
            utils.fuse_linear_bn_eval, lib.Linear(3, 4).eval(), lib.BatchNorm1d(4, track_running_stats=False).eval()
        )
    if case == "conv-untracked":
        bn = lib.BatchNorm2d(4, track_running_stats=False).eval()
        return partial(utils.fuse_conv_bn_eval, lib.Conv2d(2, 4, 3).eval(), bn)
    if case == "linear-widths":
        return partial(utils.fuse_linear_bn_eval, lib.Linear(3, 4).eval(), lib.BatchNorm1d(5).eval())
    if case == "conv-widths":
        return partial(utils.fuse_conv_bn_eval, lib.Conv2d(2, 4, 3).eval(), lib.BatchNorm2d(5).eval())
    conv = lib.ConvTranspose2d(2, 4, 3, groups=2).eval()
    return partial(utils.fuse_conv_bn_eval, conv, lib.BatchNorm2d(4).eval(), transpose=True)


@pytest.mark.parametrize(
    "case",
    [
        "linear-training",
        "conv-training",
        "linear-untracked",
        "conv-untracked",
        "linear-widths",
        "conv-widths",
        "grouped-transposed",
    ],
)
def test_fusion_refuses_with_torchs_error_class(case):
    expected = raised_type(_fusion(tnn, case))
    assert expected is not None
    with pytest.raises(expected):
        _fusion(nn, case)()


# -- nn.utils.rnn's refusals: torch's error classes --------------------------------------------------------------
def _rnn_call(lib, make, case):
    rnn = lib.utils.rnn
    if case == "padding-side":
        return partial(rnn.pad_sequence, [make(np.ones((2, 3))), make(np.ones((1, 3)))], padding_side="middle")
    if case == "0-d-sequence":
        return partial(rnn.pad_sequence, [make(np.array(1.0))])
    if case == "1-d-input":
        return partial(rnn.pack_padded_sequence, make(np.zeros(3)), [1, 1, 1])
    return partial(rnn.pack_padded_sequence, make(np.zeros((3, 2))), make(np.array([[3, 2]])))


@pytest.mark.parametrize("case", ["padding-side", "0-d-sequence", "1-d-input", "2-d-lengths"])
def test_rnn_utilities_refuse_with_torchs_error_class(case):
    expected = raised_type(_rnn_call(tnn, torch.from_numpy, case))
    assert expected is not None
    with pytest.raises(expected):
        _rnn_call(nn, Tensor, case)()


# -- clip_grad_norm_ and get_total_norm of no gradients: the default dtype -------------------------------------------
@pytest.mark.parametrize("default", [np.float32, np.float64])
def test_the_norm_of_no_gradients_is_zero_in_the_default_dtype_as_torchs(default):
    previous, previous_torch = autograd.get_default_dtype(), torch.get_default_dtype()
    autograd.set_default_dtype(default)
    torch.set_default_dtype(torch.float64 if default is np.float64 else torch.float32)
    try:
        frozen, theirs = nn.Parameter(np.ones(2, np.float16)), tnn.Parameter(torch.ones(2, dtype=torch.float16))
        ours = [nn.utils.clip_grad_norm_([frozen], 1.0), nn.utils.get_total_norm([])]
        expected = [tnn.utils.clip_grad_norm_([theirs], 1.0), tnn.utils.get_total_norm([])]
    finally:
        autograd.set_default_dtype(previous)
        torch.set_default_dtype(previous_torch)
    assert [(float(x), str(x.dtype)) for x in ours] == [(float(x), str(x.dtype).rsplit(".")[-1]) for x in expected]


# -- convert_conv2d/3d_weight_memory_format ---------------------------------------------------------------------------
def _convolutions(lib):
    inner = lib.Sequential(lib.Conv2d(2, 2, 3))
    return lib.Sequential(
        lib.Conv2d(3, 4, 3), lib.Conv3d(4, 2, 2), lib.ConvTranspose2d(2, 2, 3), inner, lib.Linear(2, 2)
    )


def test_convert_conv_weight_memory_format_lays_the_convolution_weights_out_as_torchs():
    results = []
    for lib, two, three in (
        (nn, "torch.channels_last", "torch.channels_last_3d"),
        (tnn, torch.channels_last, torch.channels_last_3d),
    ):
        model = _convolutions(lib)
        weights = [np.asarray(p.detach()).copy() for p in model.parameters()]
        first = model[0].weight
        strides = [lib.utils.convert_conv2d_weight_memory_format(model, two) is model]
        strides.append([tuple(m.weight.stride()) for m in (*model[:3], model[3][0], model[4])])
        lib.utils.convert_conv3d_weight_memory_format(model, three)
        strides.append([tuple(m.weight.stride()) for m in (*model[:3], model[3][0], model[4])])
        same = all(np.array_equal(np.asarray(p.detach()), w) for p, w in zip(model.parameters(), weights))
        error = raised_type(partial(lib.utils.convert_conv3d_weight_memory_format, model, two))
        results.append((strides, same, model[0].weight is first, error))
    assert results[0][:3] == results[1][:3] and issubclass(results[0][3], results[1][3])
    assert results[0][0][1][0] == (27, 1, 9, 3)


# -- parametrize.transfer_parametrizations_and_params, rnn.invert_permutation -----------------------------------------
def _splitting(lib):
    class Splitting(lib.Module):
        def forward(self, a, b):
            return a + b

        def right_inverse(self, x):
            return x * 0.25, x * 0.75

    return Splitting()


@pytest.mark.parametrize("tensor_name", [None, "bias"])
def test_transfer_parametrizations_and_params_shares_the_parametrizations_and_stored_tensors_as_torchs(tensor_name):
    results = []
    for lib, make in ((nn, Tensor), (tnn, torch.from_numpy)):
        source, target, bare = lib.Linear(4, 3).double(), lib.Linear(4, 3).double(), lib.Module()
        for module, start in ((source, 0.0), (target, 1.0)):
            weight, bias = np.linspace(start, 2, 12).reshape(3, 4), np.arange(3.0) - start
            module.load_state_dict({"weight": make(weight), "bias": make(bias)})
        lib.utils.parametrize.register_parametrization(source, "weight", _doubling(lib))
        lib.utils.parametrize.register_parametrization(source, "bias", _splitting(lib))
        transfer = lib.utils.parametrize.transfer_parametrizations_and_params
        assert transfer(source, target, tensor_name) is target and transfer(source, bare, tensor_name) is bare
        (target(make(np.ones((2, 4)))) ** 2).sum().backward()
        shared = [
            getattr(target.parametrizations[name], stored) is getattr(source.parametrizations[name], stored)
            for name in target.parametrizations
            for stored in ("original", "original0", "original1")
            if hasattr(source.parametrizations[name], stored)
        ]
        values = [
            np.asarray(getattr(module, name).detach()).tolist() for module in (target, bare) for name in ("bias",)
        ]
        gradient = source.parametrizations.bias.original1.grad
        results.append((sorted(target.state_dict()), sorted(bare.state_dict()), shared, values, gradient is None))
    assert results[0] == results[1]


@pytest.mark.parametrize("permutation", [None, [2, 0, 1], [0], [3, 1, 0, 2]])
def test_invert_permutation_inverts_as_torchs(permutation):
    from torch.nn.utils.rnn import invert_permutation

    ours = nn.utils.rnn.invert_permutation(None if permutation is None else Tensor(np.array(permutation)))
    theirs = invert_permutation(None if permutation is None else torch.tensor(permutation))
    assert (ours is None and theirs is None) or (
        np.asarray(ours).tolist() == theirs.tolist() and ours.dtype == np.int64
    )


# -- clip_grad_norm_: torch's roundings ---------------------------------------------------------------------------
def _clipped(lib, make, grads, norm_type):
    parameters = []
    for grad in grads:
        parameter = lib.Parameter(make(np.zeros_like(grad)))
        parameter.grad = make(grad.copy())
        parameters.append(parameter)
    norm = lib.utils.clip_grad_norm_(parameters, 0.5, norm_type=norm_type)
    return float(norm), [np.asarray(p.grad).tobytes() for p in parameters]


@pytest.mark.parametrize(
    ("dtype", "norm_type", "size"), [(np.float32, np.inf, 25), (np.float16, 2.0, 25), (np.float64, 1.0, 7)]
)
def test_clip_grad_norm_scales_bit_for_bit_as_torch(dtype, norm_type, size):
    # the coefficient in the norm's dtype, cast to each gradient's; each gradient's norm rounded to its dtype
    rng = np.random.default_rng(0)
    for _ in range(20):
        grads = [(rng.standard_normal(rng.integers(1, size)) * rng.uniform(0.1, 10)).astype(dtype) for _ in range(3)]
        assert _clipped(nn, Tensor, grads, norm_type) == _clipped(tnn, torch.from_numpy, grads, norm_type)


@pytest.mark.parametrize("buffer", [False, True], ids=["parameter", "buffer"])
def test_removing_a_dtype_changing_parametrization_leaving_its_value_is_refused_as_torchs(buffer):
    results = []
    for lib, make in ((nn, Tensor), (tnn, torch.from_numpy)):

        class Single(lib.Module):
            def forward(self, x):
                return x.float()

        module = lib.Linear(4, 3).double()
        module.register_buffer("scale", make(np.ones(3)))
        name = "scale" if buffer else "weight"
        lib.utils.parametrize.register_parametrization(module, name, Single(), unsafe=True)
        error = raised_type(partial(lib.utils.parametrize.remove_parametrizations, module, name))
        results.append((error, str(getattr(module, name).dtype).rsplit(".", 1)[-1]))
    assert results[0] == results[1] == (RuntimeError, "float32")


def test_the_hook_based_weight_norm_warns_of_its_deprecation_as_torchs():
    with pytest.warns(FutureWarning) as theirs:
        tnn.utils.weight_norm(tnn.Linear(2, 2))
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm") as ours:
        nn.utils.weight_norm(nn.Linear(2, 2))
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
    assert ours[0].filename == __file__  # pointing at the caller's line


#: torch's internals of these modules, not for users (the namedtuple base, a helper method, state-dict hooks)
_INTERNAL = {"PackedSequence_", "bind", "SpectralNormLoadStateDictPreHook", "SpectralNormStateDictHook"}


@pytest.mark.parametrize(
    "module",
    [
        "clip_grad",
        "convert_parameters",
        "fusion",
        "init",
        "memory_format",
        "parametrize",
        "parametrizations",
        "prune",
        "rnn",
        "stateless",
        "spectral_norm",
        "weight_norm",
    ],
)
def test_torchs_nn_utils_modules_and_their_functions_are_at_torchs_paths(module):
    import importlib
    import inspect

    theirs = importlib.import_module(f"torch.nn.utils.{module}")
    ours = importlib.import_module(f"nn.utils.{module}")
    public = [
        name
        for name, value in vars(theirs).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and value.__module__ == theirs.__name__
    ]
    assert [name for name in public if name not in _INTERNAL and not hasattr(ours, name)] == []
    # the package's attribute: the module, or (spectral_norm, weight_norm) the function, as torch's
    assert inspect.ismodule(getattr(tnn.utils, module)) == (getattr(nn.utils, module) is ours)


@pytest.mark.parametrize(("dtype", "clip_value"), [(np.float16, 1e6), (np.float32, 1e39)], ids=["float16", "float32"])
def test_clip_grad_value_refuses_a_clip_value_beyond_a_gradients_dtype_as_torchs(dtype, clip_value):
    for lib, make in ((nn, Tensor), (tnn, torch.from_numpy)):
        wide, narrow = lib.Parameter(make(np.ones(2))), lib.Parameter(make(np.ones(2, dtype)))
        wide.grad, narrow.grad = make(np.array([3.0, -40.0])), make(np.array([3.0, -40.0], dtype))
        with pytest.raises(RuntimeError, match="cannot be converted to"):
            lib.utils.clip_grad_value_([wide, narrow], clip_value, foreach=False)
        for parameter in (wide, narrow):  # nothing was clipped
            np.testing.assert_array_equal(np.asarray(parameter.grad), [3.0, -40.0])
