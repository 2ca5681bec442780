"""pytorch/examples scripts ported to this library and run beside torch on small synthetic data, float64, from the
same initial weights (copied across by state_dict) and with the same random draws fed to both: the losses, every
gradient and the parameters after a few steps agree to rtol 1e-9. Each script is written once against a namespace
(``torch``, ``nn``, ``F``, ``optim``, ``distributions``) so both libraries run the same spelling:
reinforcement_learning/actor_critic.py (a numpy CartPole), differentiable_physics/mass_spring.py and the old
vae/main.py's reparameterisation (``std.data.new(std.size()).normal_()``).
"""

from __future__ import annotations

import math
import types
from collections import namedtuple

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
import nn.optim as optim

torch = pytest.importorskip("torch")

OURS = types.SimpleNamespace(torch=autograd, nn=nn, F=F, optim=optim, distributions=autograd.distributions)
THEIRS = types.SimpleNamespace(
    torch=torch, nn=torch.nn, F=torch.nn.functional, optim=torch.optim, distributions=torch.distributions
)


@pytest.fixture(autouse=True)
def _torch_in_float64():
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


def _array(t):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return np.asarray(t.detach().data) if isinstance(t, autograd.Tensor) else np.asarray(t)


def _copy_into_ours(theirs, ours):
    ours.load_state_dict({name: autograd.tensor(_array(value)) for name, value in theirs.state_dict().items()})


def _assert_close(ours, theirs, what):
    np.testing.assert_allclose(_array(ours), _array(theirs), rtol=1e-9, atol=1e-12, err_msg=what)


class CartPole:
    """The classic cart-pole equations in numpy (no gym), seeded."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)

    def reset(self):
        self.state = self.rng.uniform(-0.05, 0.05, 4)
        return self.state.copy()

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = 10.0 if action == 1 else -10.0
        cos, sin = math.cos(theta), math.sin(theta)
        temp = (force + 0.05 * theta_dot**2 * sin) / 1.1
        theta_acc = (9.8 * sin - cos * temp) / (0.5 * (4.0 / 3.0 - 0.1 * cos**2 / 1.1))
        x_acc = temp - 0.05 * theta_acc * cos / 1.1
        self.state = np.array(
            [x + 0.02 * x_dot, x_dot + 0.02 * x_acc, theta + 0.02 * theta_dot, theta_dot + 0.02 * theta_acc]
        )
        done = abs(self.state[0]) > 2.4 or abs(self.state[2]) > 12 * 2 * math.pi / 360
        return self.state.copy(), 1.0, done, {}


SavedAction = namedtuple("SavedAction", ["log_prob", "value"])


def _actor_critic(lib):
    class Policy(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.affine1 = lib.nn.Linear(4, 16)
            self.action_head = lib.nn.Linear(16, 2)
            self.value_head = lib.nn.Linear(16, 1)
            self.saved_actions = []
            self.rewards = []

        def forward(self, x):
            x = lib.F.relu(self.affine1(x))
            return lib.F.softmax(self.action_head(x), dim=-1), self.value_head(x)

    return Policy


def _run_actor_critic(lib, start, episodes=3):
    torch_ = lib.torch
    model = _actor_critic(lib)().double()
    if lib is THEIRS:
        model.load_state_dict(start.state_dict())
    else:
        _copy_into_ours(start, model)
    optimizer = lib.optim.Adam(model.parameters(), lr=3e-2)
    eps = np.finfo(np.float32).eps.item()
    env, uniforms = CartPole(5), iter(np.random.default_rng(6).uniform(size=10_000))
    losses, gradients = [], []
    for _ in range(episodes):
        state = env.reset()
        for _ in range(1, 10_000):
            probs, state_value = model(torch_.from_numpy(state).double())
            m = lib.distributions.Categorical(probs)
            drawn = m.sample()
            assert drawn.shape == () and str(drawn.dtype).endswith("int64")
            action = torch_.tensor(0 if next(uniforms) < probs[0].item() else 1)  # the same draw on both sides
            model.saved_actions.append(SavedAction(m.log_prob(action), state_value))
            state, reward, done, _ = env.step(action.item())
            model.rewards.append(reward)
            if done:
                break
        R, policy_losses, value_losses, returns = 0, [], [], []
        for r in model.rewards[::-1]:
            R = r + 0.99 * R
            returns.insert(0, R)
        returns = torch_.tensor(returns)
        returns = (returns - returns.mean()) / (returns.std(dim=0) + eps)  # std(): numpy's ddof=0 here (README)
        for (log_prob, value), R in zip(model.saved_actions, returns):
            policy_losses.append(-log_prob * (R - value.item()))
            value_losses.append(lib.F.smooth_l1_loss(value, torch_.tensor([R])))
        optimizer.zero_grad()
        loss = torch_.stack(policy_losses).sum() + torch_.stack(value_losses).sum()
        loss.backward()
        losses.append(loss.item())
        gradients.append({name: _array(p.grad).copy() for name, p in model.named_parameters()})
        optimizer.step()
        del model.rewards[:]
        del model.saved_actions[:]
    return model, losses, gradients


def test_actor_critic_matches_torch():
    torch.manual_seed(543)
    start = _actor_critic(THEIRS)().double()
    ours, theirs = _run_actor_critic(OURS, start), _run_actor_critic(THEIRS, start)
    _assert_close(np.array(ours[1]), np.array(theirs[1]), "losses")
    for step, (mine, expected) in enumerate(zip(ours[2], theirs[2])):
        for name in expected:
            _assert_close(mine[name], expected[name], f"gradient of {name} at step {step}")
    for (name, mine), (_, expected) in zip(ours[0].named_parameters(), theirs[0].named_parameters()):
        _assert_close(mine, expected, f"{name} after the steps")


def _mass_spring(lib):
    class MassSpringSystem(lib.nn.Module):
        def __init__(self, num_particles, springs):
            super().__init__()
            self.springs = springs
            self.initial_position_0 = lib.torch.tensor([0.0, 0.0])
            self.initial_positions_rest = lib.nn.Parameter(lib.torch.randn(num_particles - 1, 2))
            self.velocities = lib.torch.zeros(num_particles, 2)

        def forward(self, steps):
            positions = lib.torch.cat([self.initial_position_0.unsqueeze(0), self.initial_positions_rest], dim=0)
            velocities = self.velocities
            for _ in range(steps):
                forces = lib.torch.zeros_like(positions)
                for i, j, rest_length, stiffness in self.springs:
                    dir_vec = positions[j] - positions[i]
                    dist = dir_vec.norm()
                    force = stiffness * (dist - rest_length) * dir_vec / (dist + 1e-6)
                    forces[i] += force
                    forces[j] -= force
                forces[:, 1] -= 9.81
                velocities = velocities + forces * 0.01
                positions = positions + velocities * 0.01
                positions[0] = self.initial_position_0
                velocities[0] = lib.torch.tensor([0.0, 0.0])
            return positions

    return MassSpringSystem


def test_mass_spring_matches_torch():
    springs = [(0, 1, 1.0, 10.0), (1, 2, 1.0, 10.0)]
    torch.manual_seed(0)
    start = _mass_spring(THEIRS)(3, springs)
    results = []
    for lib in (OURS, THEIRS):
        system = _mass_spring(lib)(3, springs)
        if lib is THEIRS:
            system.load_state_dict(start.state_dict())
        else:
            _copy_into_ours(start, system)
        optimizer = lib.optim.Adam(system.parameters(), lr=0.01)
        target = lib.torch.tensor([[0.0, 0.0], [1.0, 0.0], [2.0, 0.0]])
        record = []
        for _ in range(3):
            optimizer.zero_grad()
            loss = (system(10) - target).pow(2).mean()
            loss.backward()
            record += [loss.item(), _array(system.initial_positions_rest.grad).copy()]
            optimizer.step()
        results.append(record + [_array(system.initial_positions_rest), _array(system.velocities)])
    for what, (mine, expected) in enumerate(zip(*results)):
        _assert_close(mine, expected, f"record {what}")


def _old_vae_sample(lib, mu, logvar, eps):
    std = logvar.mul(0.5).exp_()
    noise = std.data.new(std.size()).normal_()
    assert tuple(noise.shape) == tuple(std.shape)
    noise.copy_(lib.torch.tensor(eps))  # the same draw on both sides
    return noise.mul(std).add_(mu)


def test_old_vae_reparameterisation_matches_torch():
    rng = np.random.default_rng(0)
    mu0, logvar0, eps = rng.standard_normal((3, 4, 5))
    results = []
    for lib in (OURS, THEIRS):
        mu, logvar = lib.torch.tensor(mu0, requires_grad=True), lib.torch.tensor(logvar0, requires_grad=True)
        z = _old_vae_sample(lib, mu, logvar, eps)
        kld = -0.5 * lib.torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        ((z * z).sum() + kld).backward()
        results.append([z, mu.grad, logvar.grad])
    for what, (mine, expected) in zip(["z", "mu.grad", "logvar.grad"], zip(*results)):
        _assert_close(mine, expected, what)
