"""Differential fuzzing of ``nn.optim`` against torch 2.13: every optimizer on random settings and random
gradient trajectories (several groups, 0-d and empty parameters, frozen ones, missing and zero, tiny and huge
gradients, ``zero_grad`` both ways, ``add_param_group`` mid-run, state dicts crossing between the libraries),
every learning-rate schedule on random settings, and gradient clipping.

Each example compares every parameter and every optimizer state entry (torch's names) after every step, in float64
to rounding and in float32 to float32's precision. Hypothesis runs derandomized, so the file is deterministic."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nn
from autograd import Tensor

torch = pytest.importorskip("torch")

FUZZ = settings(
    max_examples=60, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
DTYPES = {np.float64: torch.float64, np.float32: torch.float32}
SHAPES = [(), (0,), (1,), (3,), (2, 3), (2, 0, 2), (4, 1)]

lrs = st.sampled_from([1e-3, 0.01, 0.1, 0.5])
decays = st.sampled_from([0.0, 0.0, 1e-3, 0.1])
epsilons = st.sampled_from([1e-8, 1e-6, 1e-3])
betas = st.tuples(st.sampled_from([0.0, 0.5, 0.9]), st.sampled_from([0.0, 0.9, 0.999]))


@st.composite
def sgd_options(draw):
    momentum = draw(st.sampled_from([0.0, 0.5, 0.9]))
    nesterov = momentum > 0 and draw(st.booleans())
    dampening = 0.0 if nesterov else draw(st.sampled_from([0.0, 0.1, 0.5]))
    return {
        "lr": draw(lrs),
        "momentum": momentum,
        "dampening": dampening,
        "nesterov": nesterov,
        "weight_decay": draw(decays),
        "maximize": draw(st.booleans()),
    }


def adam_options(draw, decoupled=False):
    return {
        **({"decoupled_weight_decay": draw(st.booleans())} if decoupled else {}),
        "lr": draw(lrs),
        "betas": draw(betas),
        "eps": draw(epsilons),
        "weight_decay": draw(decays),
        "amsgrad": draw(st.booleans()),
        "maximize": draw(st.booleans()),
    }


OPTIONS = {
    "SGD": sgd_options(),
    "Adam": st.composite(adam_options)(decoupled=True),
    "AdamW": st.composite(adam_options)(),
    "RMSprop": st.fixed_dictionaries(
        {
            "lr": lrs,
            "alpha": st.sampled_from([0.5, 0.9, 0.99]),  # alpha 0 with centered: 0 variance, rounding noise / eps
            "eps": epsilons,
            "weight_decay": decays,
            "momentum": st.sampled_from([0.0, 0.5, 0.9]),
            "centered": st.booleans(),
            "maximize": st.booleans(),
        }
    ),
    "Adagrad": st.fixed_dictionaries(
        {
            "lr": lrs,
            "lr_decay": st.sampled_from([0.0, 0.01, 0.5]),
            "weight_decay": decays,
            "initial_accumulator_value": st.sampled_from([0.0, 0.1, 2.0]),
            "eps": epsilons,
            "maximize": st.booleans(),
        }
    ),
    "Adadelta": st.fixed_dictionaries(
        {
            "lr": st.sampled_from([0.1, 1.0, 2.0]),
            "rho": st.sampled_from([0.0, 0.5, 0.9]),
            "eps": epsilons,
            "weight_decay": decays,
            "maximize": st.booleans(),
        }
    ),
    "Adamax": st.fixed_dictionaries(
        {"lr": lrs, "betas": betas, "eps": epsilons, "weight_decay": decays, "maximize": st.booleans()}
    ),
    "NAdam": st.fixed_dictionaries(
        {
            "lr": lrs,
            "betas": betas,
            "eps": epsilons,
            "weight_decay": decays,
            "momentum_decay": st.sampled_from([0.0, 4e-3, 0.1]),
            "decoupled_weight_decay": st.booleans(),
            "maximize": st.booleans(),
        }
    ),
    "RAdam": st.fixed_dictionaries(
        {
            "lr": lrs,
            "betas": betas,
            "eps": epsilons,
            "weight_decay": decays,
            "decoupled_weight_decay": st.booleans(),
            "maximize": st.booleans(),
        }
    ),
    "ASGD": st.fixed_dictionaries(
        {
            "lr": lrs,
            "lambd": st.sampled_from([0.0, 1e-4, 0.1]),
            "alpha": st.sampled_from([0.5, 0.75, 1.0]),
            "t0": st.sampled_from([0.0, 2.0, 1e6]),
            "weight_decay": decays,
            "maximize": st.booleans(),
        }
    ),
    "Rprop": st.fixed_dictionaries(
        {
            "lr": lrs,
            "etas": st.tuples(st.sampled_from([0.3, 0.5, 0.9]), st.sampled_from([1.1, 1.2, 2.0])),
            "step_sizes": st.tuples(st.sampled_from([0.0, 1e-6, 1e-3]), st.sampled_from([0.05, 1.0, 50.0])),
            "maximize": st.booleans(),
        }
    ),
}
GRADIENT_KINDS = ["none", "normal", "normal", "zeros", "tiny", "huge", "mixed", "overflow"]


def gradient(rng, kind, shape, dtype):
    """A gradient of one kind: normal, zeros, tiny (1e-30), huge (1e15 in float64, 1e6 in float32), a mix, or one
    whose square overflows (1e160, 1e20)."""
    huge = 1e15 if dtype == np.float64 else 1e6
    values = rng.standard_normal(shape)
    if kind == "overflow":
        values = values * (1e160 if dtype == np.float64 else 1e20)
    elif kind == "zeros":
        values = np.zeros(shape)
    elif kind == "tiny":
        values = values * 1e-30
    elif kind == "huge":
        values = values * huge
    elif kind == "mixed":
        values = values * rng.choice([0.0, 1e-30, 1.0, huge], size=shape)
    return values.astype(dtype)


def tolerances(dtype):
    """float32's precision or float64's (float64 runs set torch's default dtype to float64, so that torch keeps
    its scalar state, NAdam's mu_product and ASGD's eta and mu, in float64 too: README's note on NAdam)."""
    if dtype == np.float32:
        return {"rtol": 1e-3, "atol": 1e-4}
    return {"rtol": 1e-10, "atol": 1e-12}


def to_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    return np.asarray(value.data if isinstance(value, Tensor) else value)


def assert_close(ours, theirs, dtype, what, tolerance=None):
    ours, theirs = np.asarray(to_numpy(ours), dtype=np.float64), np.asarray(to_numpy(theirs), dtype=np.float64)
    assert ours.shape == theirs.shape, what
    finite = np.isfinite(theirs)
    np.testing.assert_array_equal(ours[~finite], theirs[~finite], err_msg=f"{what}: the inf and NaN entries")
    ours, theirs = ours[finite], theirs[finite]
    # relative to the tensor's largest entry (at least 1): huge gradients make huge parameters, and an entry that
    # cancels down from them keeps their rounding error
    scale = max(1.0, float(np.abs(theirs).max(initial=0.0)))
    np.testing.assert_allclose(ours / scale, theirs / scale, err_msg=what, **(tolerance or tolerances(dtype)))


class Pair:
    """Our optimizer and torch's over the same parameters, stepped and compared together."""

    def __init__(self, name, dtype, groups, defaults):
        self.name, self.dtype = name, dtype
        self.ours, self.theirs = [], []
        our_groups, torch_groups = [], []
        for group in groups:
            ours, theirs = self.make(group["params"])
            our_groups.append({**group["options"], "params": ours})
            torch_groups.append({**group["options"], "params": theirs})
        self.our_optimizer = getattr(nn.optim, name)(our_groups, **defaults)
        self.torch_optimizer = getattr(torch.optim, name)(torch_groups, **defaults)

    def make(self, specs):
        ours, theirs = [], []
        for _, frozen, start in specs:
            array = start.astype(self.dtype)
            ours.append(nn.Parameter(array.copy(), requires_grad=not frozen))
            theirs.append(torch.tensor(array.copy(), requires_grad=not frozen))
        self.ours += ours
        self.theirs += theirs
        return ours, theirs

    def add_group(self, group):
        ours, theirs = self.make(group["params"])
        self.our_optimizer.add_param_group({**group["options"], "params": ours})
        self.torch_optimizer.add_param_group({**group["options"], "params": theirs})

    def step(self, rng, kinds, set_to_none):
        self.our_optimizer.zero_grad(set_to_none=set_to_none)
        self.torch_optimizer.zero_grad(set_to_none=set_to_none)
        for index, (ours, theirs) in enumerate(zip(self.ours, self.theirs)):
            kind = kinds[index % len(kinds)]
            if kind == "overflow" and self.name == "NAdam" and self.dtype == np.float32:
                # torch's single-tensor NAdam takes sqrt(v / (1 - beta2^t)), which overflows in float32 where its
                # foreach path's sqrt(v) / sqrt(1 - beta2^t), and ours, do not: torch's own paths disagree there
                kind = "huge"
            if not theirs.requires_grad:
                continue
            if kind == "none":
                ours.grad, theirs.grad = None, None
                continue
            grad = gradient(rng, kind, tuple(theirs.shape), self.dtype)
            ours.grad, theirs.grad = grad.copy(), torch.tensor(grad.copy())
        self.our_optimizer.step()
        self.torch_optimizer.step()

    def compare(self, what):
        for index, (ours, theirs) in enumerate(zip(self.ours, self.theirs)):
            assert ours.data.dtype == self.dtype, f"{what}: parameter {index} dtype"
            assert_close(ours, theirs, self.dtype, f"{what}: parameter {index}")
        our_state, torch_state = self.our_optimizer.state_dict(), self.torch_optimizer.state_dict()
        for index, torch_entry in torch_state["state"].items():
            our_entry = our_state["state"].get(index, {})
            assert set(our_entry) == set(torch_entry), f"{what}: state {index} keys"
            for key, value in torch_entry.items():
                assert_close(our_entry[key], value, self.dtype, f"{what}: state {index} {key}")
        assert set(our_state["state"]) == set(torch_state["state"]), f"{what}: which parameters have state"
        for our_group, torch_group in zip(our_state["param_groups"], torch_state["param_groups"]):
            for key, value in torch_group.items():
                if key in our_group:  # (ours holds torch's switches too: foreach, fused, capturable, differentiable)
                    assert our_group[key] == value, f"{what}: group {key}"
            assert set(torch_group) <= set(our_group), f"{what}: group keys"

    def cross_load(self):
        """Ours continues from torch's state dict and torch from ours, each in a fresh optimizer."""
        torch_saved, our_saved = self.torch_optimizer.state_dict(), self.our_optimizer.state_dict()
        theirs_from_ours = {
            "state": {
                index: {key: torch.tensor(value) for key, value in entry.items()}
                for index, entry in our_saved["state"].items()
            },
            "param_groups": [{**group} for group in our_saved["param_groups"]],
        }
        # fresh optimizers over the same groups, with another lr: every option comes from the state dict
        our_groups = [{"params": group["params"]} for group in self.our_optimizer.param_groups]
        torch_groups = [{"params": group["params"]} for group in self.torch_optimizer.param_groups]
        self.our_optimizer = type(self.our_optimizer)(our_groups, lr=123.0)
        self.torch_optimizer = type(self.torch_optimizer)(torch_groups, lr=123.0)
        self.our_optimizer.load_state_dict(torch_saved)
        self.torch_optimizer.load_state_dict(theirs_from_ours)


@st.composite
def parameter_specs(draw, min_size=1):
    count = draw(st.integers(min_size, 3))
    specs = []
    for _ in range(count):
        shape = draw(st.sampled_from(SHAPES))
        frozen = draw(st.booleans()) and draw(st.booleans())
        seed = draw(st.integers(0, 2**16))
        specs.append((shape, frozen, np.random.default_rng(seed).standard_normal(shape)))
    return specs


@st.composite
def optimizer_runs(draw, name):
    options = OPTIONS[name]
    groups = [
        {"params": draw(parameter_specs()), "options": draw(st.one_of(st.just({}), options))}
        for _ in range(draw(st.integers(1, 3)))
    ]
    steps = draw(st.integers(5, 8))
    return {
        "dtype": draw(st.sampled_from([np.float64, np.float32])),
        "defaults": draw(options),
        "groups": groups,
        "steps": steps,
        "kinds": [draw(st.lists(st.sampled_from(GRADIENT_KINDS), min_size=1, max_size=4)) for _ in range(steps)],
        "set_to_none": [draw(st.booleans()) for _ in range(steps)],
        "add_at": draw(st.sampled_from([None, *range(1, steps)])),
        "added": {"params": draw(parameter_specs()), "options": draw(st.one_of(st.just({}), options))},
        "cross_at": draw(st.sampled_from([None, *range(1, steps)])),
        "seed": draw(st.integers(0, 2**16)),
    }


def run_pair(name, run):
    default = torch.get_default_dtype()
    torch.set_default_dtype(DTYPES[run["dtype"]])
    try:
        run_steps(name, run)
    finally:
        torch.set_default_dtype(default)


def run_steps(name, run):
    pair = Pair(name, run["dtype"], run["groups"], run["defaults"])
    rng = np.random.default_rng(run["seed"])
    for step in range(run["steps"]):
        if step == run["add_at"]:
            pair.add_group(run["added"])
        if step == run["cross_at"]:
            pair.cross_load()
            pair.compare(f"step {step} after loading")
        pair.step(rng, run["kinds"][step], run["set_to_none"][step])
        pair.compare(f"step {step}")


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_optimizer_trajectories_match_torch(name):
    @FUZZ
    @given(run=optimizer_runs(name))
    def check(run):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            run_pair(name, run)

    check()


# -- LBFGS ------------------------------------------------------------------------------------------------------


def quartic(arrays, centres, weights):
    """A smooth bowl, sum of w (p - c)^2 + 0.1 p^4 over every entry: the loss and its gradients, in numpy."""
    loss, grads = 0.0, []
    for array, centre, weight in zip(arrays, centres, weights):
        array = np.asarray(array, dtype=np.float64)
        loss += float(np.sum(weight * (array - centre) ** 2 + 0.1 * array**4))
        grads.append(2 * weight * (array - centre) + 0.4 * array**3)
    return loss, grads


#: the curvature pairs and the line search's points are differences of close numbers near the minimum: torch's own
#: strong-Wolfe step t moves by 2e-6 (relative) when the start moves by 1e-15
LBFGS_STATE = {"rtol": 1e-5, "atol": 1e-9}


@st.composite
def lbfgs_runs(draw):
    # one non-empty parameter at least: with none, both libraries fail on max() of an empty gradient
    specs = [((3,), False, np.linspace(-1.0, 1.0, 3)), *draw(parameter_specs())]
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    dtype = draw(st.sampled_from([np.float64, np.float32]))
    # in float32 the strong-Wolfe search's branches turn on rounding (torch's float32 steps leave float64's path
    # where ours keep to it), so there a step of lr along the direction only
    searches = [None, "strong_wolfe"] if dtype == np.float64 else [None]
    return {
        "dtype": dtype,
        "specs": specs,
        "centres": [rng.standard_normal(shape) * 2 for shape, _, _ in specs],
        "weights": [rng.uniform(0.1, 3.0, size=shape) for shape, _, _ in specs],
        "options": {
            "lr": draw(st.sampled_from([0.1, 0.5, 1.0])),
            "max_iter": draw(st.integers(1, 6)),
            "history_size": draw(st.integers(1, 5)),
            "line_search_fn": draw(st.sampled_from(searches)),
            "tolerance_grad": draw(st.sampled_from([1e-7, 1e-3])),
        },
        "steps": draw(st.integers(2, 6)),
        "cross_at": draw(st.sampled_from([None, 1])),
    }


@FUZZ
@given(run=lbfgs_runs())
def test_lbfgs_with_a_closure_matches_torch(run):
    dtype = run["dtype"]
    ours = [nn.Parameter(start.astype(dtype), requires_grad=not frozen) for _, frozen, start in run["specs"]]
    theirs = [torch.tensor(start.astype(dtype), requires_grad=not frozen) for _, frozen, start in run["specs"]]
    trainable = [not frozen for _, frozen, _ in run["specs"]]

    def closure_for(params, to_array, wrap):
        def closure():
            loss, grads = quartic([to_array(p) for p in params], run["centres"], run["weights"])
            for param, grad, train in zip(params, grads, trainable):
                param.grad = wrap(grad.astype(dtype)) if train else None
            return wrap(np.asarray(loss, dtype=dtype))

        return closure

    our_closure = closure_for(ours, lambda p: p.data, lambda a: a)
    torch_closure = closure_for(theirs, lambda p: p.detach().numpy(), torch.tensor)
    our_optimizer = nn.optim.LBFGS(ours, **run["options"])
    torch_optimizer = torch.optim.LBFGS(theirs, **run["options"])
    for step in range(run["steps"]):
        if step == run["cross_at"]:
            saved = our_optimizer.state_dict()
            our_optimizer = nn.optim.LBFGS(ours, lr=123.0)
            our_optimizer.load_state_dict(torch_optimizer.state_dict())
            torch_optimizer = torch.optim.LBFGS(theirs, lr=123.0)
            torch_optimizer.load_state_dict(lbfgs_state_to_torch(saved))
        our_loss = our_optimizer.step(our_closure)
        torch_loss = torch_optimizer.step(torch_closure)
        assert_close(our_loss, torch_loss, dtype, f"step {step}: loss")
        for index, (our_param, torch_param) in enumerate(zip(ours, theirs)):
            assert_close(our_param, torch_param, dtype, f"step {step}: parameter {index}")
        our_state, torch_state = our_optimizer.state_dict()["state"], torch_optimizer.state_dict()["state"]
        assert set(our_state) == set(torch_state)
        if dtype == np.float32:
            continue  # near the minimum the curvature pairs are float32 differences of close gradients: noise
        for index, entry in torch_state.items():
            for key in ("func_evals", "n_iter"):
                assert our_state[index][key] == entry[key], f"step {step}: {key}"
            for key in ("d", "prev_flat_grad", "t", "H_diag", "prev_loss"):
                if key in entry:
                    assert_close(our_state[index][key], entry[key], dtype, f"step {step}: {key}", LBFGS_STATE)
            for key in ("old_dirs", "old_stps"):
                if key in entry:
                    assert len(our_state[index][key]) == len(entry[key])
                    for ours_vector, torch_vector in zip(our_state[index][key], entry[key]):
                        assert_close(ours_vector, torch_vector, dtype, f"step {step}: {key}", LBFGS_STATE)


def lbfgs_state_to_torch(saved):
    def convert(value):
        if isinstance(value, list):
            return [convert(v) for v in value]
        if isinstance(value, np.ndarray):
            return torch.tensor(value)
        return value

    return {
        "state": {index: {key: convert(v) for key, v in entry.items()} for index, entry in saved["state"].items()},
        "param_groups": saved["param_groups"],
    }


# -- learning-rate schedules ------------------------------------------------------------------------------------

factors = st.sampled_from([0.1, 0.5, 0.9, 1.0])
# total_iters 0 and ConstantLR's factor 0 are documented departures (torch divides by the factor, or keeps it for
# ever): ConstantLR takes the closed form there, LinearLR and PolynomialLR refuse total_iters 0
iterations = st.integers(1, 8)


@st.composite
def simple_schedule(draw):
    """A chainable schedule: (name, options)."""
    name = draw(
        st.sampled_from(
            ["StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "ConstantLR", "PolynomialLR"]
        )
    )
    if name == "StepLR":
        options = {"step_size": draw(st.integers(1, 5)), "gamma": draw(factors)}
    elif name == "MultiStepLR":
        options = {"milestones": draw(st.lists(st.integers(0, 12), max_size=4)), "gamma": draw(factors)}
    elif name == "ExponentialLR":
        options = {"gamma": draw(st.sampled_from([0.5, 0.9, 0.99, 1.1]))}
    elif name == "CosineAnnealingLR":
        options = {"T_max": draw(st.integers(1, 10)), "eta_min": draw(st.sampled_from([0.0, 1e-3, 0.05]))}
    elif name == "LinearLR":
        options = {
            "start_factor": draw(st.sampled_from([0.1, 1 / 3, 0.5, 1.0])),
            "end_factor": draw(st.sampled_from([0.0, 0.2, 1.0])),
            "total_iters": draw(iterations),
        }
    elif name == "ConstantLR":
        options = {"factor": draw(st.sampled_from([0.25, 1 / 3, 1.0])), "total_iters": draw(iterations)}
    else:
        options = {"total_iters": draw(iterations), "power": draw(st.sampled_from([0.5, 1.0, 2.0]))}
    return name, options


SCHEDULE_KINDS = [
    "simple",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "OneCycleLR",
    "SequentialLR",
    "ChainedScheduler",
    "ReduceLROnPlateau",
]


@st.composite
def schedules(draw, name, steps):
    if name == "simple":
        return draw(simple_schedule())
    if name == "CosineAnnealingWarmRestarts":
        return name, {
            "T_0": draw(st.integers(1, 5)),
            "T_mult": draw(st.integers(1, 3)),
            "eta_min": draw(st.sampled_from([0.0, 1e-3, 0.05])),
        }
    if name == "CyclicLR":
        return name, {
            "base_lr": draw(st.sampled_from([1e-3, 0.01, [1e-3, 0.02]])),
            "max_lr": draw(st.sampled_from([0.1, 1.0, [0.5, 0.2]])),
            "step_size_up": draw(st.integers(1, 5)),
            "step_size_down": draw(st.sampled_from([None, 1, 3])),
            "mode": draw(st.sampled_from(["triangular", "triangular2", "exp_range"])),
            "gamma": draw(st.sampled_from([1.0, 0.9, 0.5])),
            "cycle_momentum": draw(st.booleans()),
            "base_momentum": draw(st.sampled_from([0.8, 0.5])),
            "max_momentum": draw(st.sampled_from([0.9, 0.95])),
        }
    if name == "OneCycleLR":
        return name, {
            "max_lr": draw(st.sampled_from([0.1, 1.0, [0.5, 2.0]])),
            "total_steps": steps + draw(st.integers(-1, 3)),  # one step too many: both refuse it
            "pct_start": draw(st.sampled_from([0.1, 0.3, 0.5, 0.7])),
            "anneal_strategy": draw(st.sampled_from(["cos", "linear"])),
            "cycle_momentum": draw(st.booleans()),
            "base_momentum": draw(st.sampled_from([0.85, 0.5])),
            "max_momentum": draw(st.sampled_from([0.95, 0.9])),
            "div_factor": draw(st.sampled_from([25.0, 2.0, 1.0])),
            "final_div_factor": draw(st.sampled_from([1e4, 10.0, 1.0])),
            "three_phase": draw(st.booleans()),
        }
    if name == "SequentialLR":
        children = draw(st.lists(simple_schedule(), min_size=1, max_size=3))
        milestones = sorted(draw(st.lists(st.integers(1, 12), min_size=len(children) - 1, max_size=len(children) - 1)))
        return name, {"schedulers": children, "milestones": milestones}
    if name == "ChainedScheduler":
        return name, {"schedulers": draw(st.lists(simple_schedule(), min_size=1, max_size=3))}
    return name, {
        "mode": draw(st.sampled_from(["min", "max"])),
        "factor": draw(st.sampled_from([0.1, 0.5, 0.9])),
        "patience": draw(st.integers(0, 3)),
        "threshold": draw(st.sampled_from([0.0, 1e-4, 0.1])),
        "threshold_mode": draw(st.sampled_from(["rel", "abs"])),
        "cooldown": draw(st.integers(0, 2)),
        "min_lr": draw(st.sampled_from([0.0, 1e-3, [0.0, 0.05]])),
        "eps": draw(st.sampled_from([1e-8, 1e-3])),
    }


def build(library, optimizer, name, options):
    module = library.optim.lr_scheduler
    if name in ("SequentialLR", "ChainedScheduler"):
        children = [build(library, optimizer, *child) for child in options["schedulers"]]
        if name == "SequentialLR":
            return module.SequentialLR(optimizer, children, milestones=options["milestones"])
        return module.ChainedScheduler(children, optimizer=optimizer)
    return getattr(module, name)(optimizer, **options)


@st.composite
def schedule_runs(draw, kind):
    steps = draw(st.integers(5, 25))
    name, options = draw(schedules(kind, steps))
    return {
        "name": name,
        "options": options,
        "steps": steps,
        "adam": name in ("OneCycleLR", "CyclicLR") and draw(st.booleans()),
        "lrs": draw(st.sampled_from([[0.1], [0.1, 0.02], [1.0, 0.5]])),
        "metrics": draw(st.lists(st.sampled_from([1.0, 0.9, 0.99, 0.5, 1.2, 0.0]), min_size=steps, max_size=steps)),
        "fractions": draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.9]), min_size=steps, max_size=steps)),
        "load_at": draw(st.sampled_from([None, *range(steps)])),
    }


def both_optimizers(run):
    for library in (nn, torch):
        zeros = torch.zeros if library is torch else (lambda n: nn.Parameter(np.zeros(n)))
        groups = [{"params": [zeros(2)], "lr": lr} for lr in run["lrs"]]
        if run["adam"]:
            yield library.optim.Adam(groups, betas=(0.9, 0.99))
        else:
            yield library.optim.SGD(groups, momentum=0.9)


def group_values(optimizer):
    return [
        (group["lr"], group["betas"][0] if "betas" in group else group["momentum"]) for group in optimizer.param_groups
    ]


@pytest.mark.parametrize("kind", SCHEDULE_KINDS)
def test_schedules_match_torch(kind):
    @FUZZ
    @given(run=schedule_runs(kind))
    def check(run):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            run_schedules(run)

    check()


def step_both(ours, theirs, *args):
    """Step both schedules: both refuse (the same exception type) or neither does."""
    errors = []
    for scheduler in (theirs, ours):
        try:
            scheduler.step(*args)
            errors.append(None)
        except Exception as error:  # noqa: BLE001 - compared below
            errors.append(type(error))
    assert errors[0] == errors[1], errors
    return errors[0] is None


def run_schedules(run):
    name, options = run["name"], run["options"]
    if name in ("CyclicLR", "OneCycleLR", "ReduceLROnPlateau"):
        for key in ("base_lr", "max_lr", "min_lr"):  # one per group, or one for all
            if isinstance(options.get(key), list):
                options = {**options, key: (options[key] * 2)[: len(run["lrs"])]}
    if name == "CyclicLR" and not options["cycle_momentum"]:
        options = {**options, "base_momentum": 0.8, "max_momentum": 0.9}
    our_optimizer, torch_optimizer = both_optimizers(run)
    built, errors = [], []
    for library, optimizer in ((nn, our_optimizer), (torch, torch_optimizer)):
        try:
            built.append(build(library, optimizer, name, options))
            errors.append(None)
        except ZeroDivisionError as error:  # OneCycleLR's first phase of 0 steps: torch divides by 0 too
            errors.append(type(error))
    assert errors[0] == errors[1], errors
    if errors[0] is not None:
        return
    ours, theirs = built
    np.testing.assert_allclose(group_values(our_optimizer), group_values(torch_optimizer), rtol=1e-12, atol=0)
    epoch = 0.0
    for step in range(run["steps"]):
        if step == run["load_at"]:  # ours goes on from torch's saved schedule (torch's keys and objects)
            saved = theirs.state_dict()
            theirs.load_state_dict(ours.state_dict())  # and torch from ours
            ours.load_state_dict(saved)
        our_optimizer.step()
        torch_optimizer.step()
        if name == "ReduceLROnPlateau":
            stepped = step_both(ours, theirs, run["metrics"][step])
        elif name == "CosineAnnealingWarmRestarts" and run["fractions"][step]:
            epoch = np.floor(epoch) + 1 + run["fractions"][step]  # torch's step(epoch + i / batches)
            stepped = step_both(ours, theirs, epoch)
        else:
            epoch += 1
            stepped = step_both(ours, theirs)
        if not stepped:
            return
        what = f"step {step}"
        np.testing.assert_allclose(ours.get_last_lr(), theirs.get_last_lr(), rtol=1e-12, atol=1e-15, err_msg=what)
        np.testing.assert_allclose(
            group_values(our_optimizer), group_values(torch_optimizer), rtol=1e-12, atol=1e-15, err_msg=what
        )


# -- gradient clipping ------------------------------------------------------------------------------------------

CLIP_KINDS = ["none", "normal", "zeros", "tiny", "huge", "mixed", "overflow", "inf", "nan"]


def clip_gradient(rng, kind, shape, dtype):
    if kind == "overflow":  # squares past the dtype's largest number
        return (rng.standard_normal(shape) * (1e30 if dtype == np.float32 else 1e200)).astype(dtype)
    if kind in ("inf", "nan"):
        values = rng.standard_normal(shape)
        values[rng.random(shape) < 0.5] = np.inf if kind == "inf" else np.nan
        return values.astype(dtype)
    return gradient(rng, kind, shape, dtype)


@st.composite
def clip_runs(draw):
    count = draw(st.integers(1, 4))
    return {
        "dtype": draw(st.sampled_from([np.float64, np.float32])),
        "shapes": [draw(st.sampled_from(SHAPES)) for _ in range(count)],
        "kinds": [draw(st.sampled_from(CLIP_KINDS)) for _ in range(count)],
        "seed": draw(st.integers(0, 2**16)),
        "max_norm": draw(st.sampled_from([0.0, 1e-3, 0.5, 1.0, 1e3, float("inf")])),
        "norm_type": draw(st.sampled_from([2.0, 2, float("inf"), "inf", 1.0, 1, 3.0])),
        "error_if_nonfinite": draw(st.booleans()),
        "clip_value": draw(st.sampled_from([0.0, 1e-3, 0.5, 2.0, float("inf")])),
    }


def clip_pairs(run):
    rng = np.random.default_rng(run["seed"])
    ours, theirs = [], []
    for shape, kind in zip(run["shapes"], run["kinds"]):
        if kind == "overflow" and run["norm_type"] not in (float("inf"), "inf"):
            # ours scale the norm by the largest entry, so it stays finite where torch's sum of powers overflows
            kind = "huge"
        our_param = nn.Parameter(np.zeros(shape, dtype=run["dtype"]))
        torch_param = torch.zeros(shape, dtype=DTYPES[run["dtype"]], requires_grad=True)
        if kind != "none":
            grad = clip_gradient(rng, kind, shape, run["dtype"])
            our_param.grad, torch_param.grad = grad.copy(), torch.tensor(grad.copy())
        ours.append(our_param)
        theirs.append(torch_param)
    return ours, theirs


def assert_same_gradients(ours, theirs, dtype, what):
    for index, (our_param, torch_param) in enumerate(zip(ours, theirs)):
        if torch_param.grad is None:
            assert our_param.grad is None, what
            continue
        assert our_param.grad.dtype == dtype, what
        assert_close(our_param.grad, torch_param.grad, dtype, f"{what}: gradient {index}")


@FUZZ
@given(run=clip_runs())
def test_clip_grad_norm_matches_torch(run):
    ours, theirs = clip_pairs(run)
    options = {k: run[k] for k in ("max_norm", "norm_type", "error_if_nonfinite")}
    torch_error = our_error = None
    try:
        torch_norm = torch.nn.utils.clip_grad_norm_(theirs, **options)
    except RuntimeError as error:
        torch_error = error
    try:
        our_norm = nn.optim.clip_grad_norm_(ours, **options)
    except RuntimeError as error:
        our_error = error
    assert (our_error is None) == (torch_error is None), (our_error, torch_error)
    if torch_error is None:
        assert_close(our_norm, torch_norm, run["dtype"], "total norm")
    assert_same_gradients(ours, theirs, run["dtype"], "clip_grad_norm_")


@FUZZ
@given(run=clip_runs())
def test_clip_grad_value_matches_torch(run):
    ours, theirs = clip_pairs(run)
    if all(param.grad is None for param in theirs):  # torch 2.13's foreach kernel fails on an empty list
        with pytest.raises(RuntimeError):
            torch.nn.utils.clip_grad_value_(theirs, run["clip_value"])
    else:
        torch.nn.utils.clip_grad_value_(theirs, run["clip_value"])
    nn.optim.clip_grad_value_(ours, run["clip_value"])
    assert_same_gradients(ours, theirs, run["dtype"], "clip_grad_value_")
