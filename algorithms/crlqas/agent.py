"""Double DQN with n-step returns, masked actions and an MLP Q-network (torch).

Target: ``y = R^(k) + gamma^k (1 - done) Q_target(s', argmax_{a' legal} Q_online(s', a'))`` where
``R^(k)`` sums the k <= n discounted rewards up to the episode's end. Loss: smooth L1 (as the
CRLQAS release). Adam (torch's fused kernel where torch has one for the CPU, 2.4 on). Epsilon
decays multiplicatively after every replay step down to its floor; exploration draws uniformly
among legal actions. Deviations from the release: the bootstrap uses gamma^k (the release used
gamma whatever n) and n-step windows never cross episodes.

Observations (the circuit tensor) are almost all zeros, so the first layer reads only their
nonzero entries (:class:`SparseInputLinear`, the same function as ``nn.Linear`` with the same
initialization; sums in another order, so equal to it within float32 rounding) and the replay
buffer stores them as (index, value) rows.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn


FUSED_ADAM = tuple(int(v) for v in torch.__version__.split(".")[:2]) >= (2, 4)  # CPU kernel since 2.4


class SparseInputLinear(nn.Module):
    """``nn.Linear(inputs, outputs)`` applied to inputs given as rows of (index, value) pairs.

    ``forward(indices, values)``: both shaped (batch, k); row b stands for the dense vector with
    ``values[b, j]`` at ``indices[b, j]`` (padding: any index with value 0). Initialized as
    ``nn.Linear`` (same draws from torch's generator); the weight is stored transposed,
    (inputs, outputs), so that a row is one input's column of the dense weight."""

    def __init__(self, inputs: int, outputs: int):
        super().__init__()
        dense = nn.Linear(inputs, outputs)
        self.weight = nn.Parameter(dense.weight.detach().t().contiguous())
        self.bias = nn.Parameter(dense.bias.detach().clone())

    def forward(self, indices: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        return nn.functional.embedding_bag(indices, self.weight, mode="sum",
                                           per_sample_weights=values) + self.bias


class QNetwork(nn.Module):
    """MLP: ``depth >= 1`` hidden layers of ``width`` LeakyReLU units, the input read sparsely."""

    def __init__(self, inputs: int, outputs: int, width: int, depth: int):
        super().__init__()
        self.first = SparseInputLinear(inputs, width)
        layers = [nn.LeakyReLU()]
        for _ in range(depth - 1):
            layers += [nn.Linear(width, width), nn.LeakyReLU()]
        self.rest = nn.Sequential(*layers, nn.Linear(width, outputs))

    def forward(self, indices: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        return self.rest(self.first(indices, values))


class SparseRows:
    """Rows of a mostly-zero matrix as (index, value) pairs, padded to the widest row so far
    (padding: index 0, value 0); the width grows when a wider row arrives."""

    def __init__(self, capacity: int):
        self.indices = np.zeros((capacity, 1), np.int64)
        self.values = np.zeros((capacity, 1), np.float32)

    def __setitem__(self, i: int, row: np.ndarray):
        nonzero = np.flatnonzero(row)
        if len(nonzero) > self.indices.shape[1]:
            pad = len(nonzero) - self.indices.shape[1]
            self.indices = np.pad(self.indices, ((0, 0), (0, pad)))
            self.values = np.pad(self.values, ((0, 0), (0, pad)))
        self.indices[i], self.values[i] = 0, 0.0
        self.indices[i, :len(nonzero)], self.values[i, :len(nonzero)] = nonzero, row[nonzero]

    def __getitem__(self, rows) -> tuple[np.ndarray, np.ndarray]:
        return self.indices[rows], self.values[rows]


class ReplayBuffer:
    """Fixed-size ring buffer of n-step transitions in preallocated arrays; observations
    stored sparsely (:class:`SparseRows`)."""

    def __init__(self, capacity: int, n_actions: int):
        self.capacity, self.size, self.position = capacity, 0, 0
        self.obs, self.next_obs = SparseRows(capacity), SparseRows(capacity)
        self.next_mask = np.zeros((capacity, n_actions), bool)
        self.action = np.zeros(capacity, np.int64)
        self.ret = np.zeros(capacity, np.float32)
        self.discount = np.zeros(capacity, np.float32)  # gamma^k, or 0 when the episode ended

    def add(self, obs, action, ret, next_obs, discount, next_mask):
        i = self.position
        self.obs[i], self.action[i], self.ret[i] = obs, action, ret
        self.next_obs[i], self.discount[i], self.next_mask[i] = next_obs, discount, next_mask
        self.position = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch: int, rng: np.random.Generator):
        """(obs, action, return, next_obs, discount, next_mask); observations as (indices, values)."""
        idx = rng.integers(self.size, size=batch)
        return (self.obs[idx], self.action[idx], self.ret[idx], self.next_obs[idx],
                self.discount[idx], self.next_mask[idx])


@dataclass
class DQNConfig:
    width: int = 256
    depth: int = 3
    lr: float = 3e-4
    gamma: float = 0.88
    n_step: int = 3
    batch_size: int = 64
    buffer_size: int = 5_000
    target_update: int = 100
    epsilon_decay: float = 0.995
    epsilon_min: float = 0.05
    device: str = "cpu"


class DoubleDQN:
    def __init__(self, obs_dim: int, n_actions: int, config: DQNConfig, rng: np.random.Generator):
        self.config, self.rng, self.n_actions = config, rng, n_actions
        device = config.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device = torch.device(device)
        torch.manual_seed(int(rng.integers(2**31)))
        self.online = QNetwork(obs_dim, n_actions, config.width, config.depth).to(self.device)
        self.target = QNetwork(obs_dim, n_actions, config.width, config.depth).to(self.device)
        self.target.load_state_dict(self.online.state_dict())
        self.target.requires_grad_(False)
        self.optimizer = torch.optim.Adam(self.online.parameters(), lr=config.lr, fused=FUSED_ADAM)
        self.buffer = ReplayBuffer(config.buffer_size, n_actions)
        self.window: deque = deque()
        self.epsilon, self.replays = 1.0, 0

    def act(self, obs: np.ndarray, mask: np.ndarray) -> int:
        legal = np.flatnonzero(mask)
        if self.rng.random() < self.epsilon:
            return int(self.rng.choice(legal))
        q = self.q_values(obs)
        q[~mask] = -np.inf
        return int(np.argmax(q))

    def q_values(self, obs: np.ndarray) -> np.ndarray:
        """The online network's action values for one (dense) observation."""
        # an all-zero observation (the empty circuit at energy exactly 0, e.g. MaxCut's |0...0>) is
        # one zero entry: an empty bag is no input torch's embedding_bag takes
        nonzero = np.flatnonzero(obs) if obs.any() else np.zeros(1, np.int64)
        with torch.inference_mode():
            return self.online(*self._tensors((nonzero[None], obs[nonzero][None])))[0].cpu().numpy()

    def _tensors(self, rows: tuple[np.ndarray, np.ndarray]) -> tuple[torch.Tensor, torch.Tensor]:
        return tuple(torch.as_tensor(x, device=self.device) for x in rows)

    def remember(self, obs, action, reward, next_obs, next_mask, episode_over: bool, terminal: bool):
        """Add one step; emits n-step transitions (and flushes the window at episode end)."""
        self.window.append((obs, action, reward))
        if len(self.window) == self.config.n_step:
            self._emit(next_obs, next_mask, terminal)
        if episode_over:
            while self.window:
                self._emit(next_obs, next_mask, terminal)

    def _emit(self, next_obs, next_mask, terminal: bool):
        gamma = self.config.gamma
        ret = sum(gamma**k * r for k, (_, _, r) in enumerate(self.window))
        obs, action, _ = self.window[0]
        discount = 0.0 if terminal else gamma ** len(self.window)
        self.buffer.add(obs, action, ret, next_obs, discount, next_mask)
        self.window.popleft()

    def replay(self) -> float | None:
        """One gradient step on a sampled batch; returns the loss (None until the buffer fills)."""
        config = self.config
        if self.buffer.size < config.batch_size:
            return None
        if self.replays % config.target_update == 0:
            self.target.load_state_dict(self.online.state_dict())
        self.replays += 1
        obs, action, ret, next_obs, discount, next_mask = self.buffer.sample(config.batch_size, self.rng)
        obs, next_obs = self._tensors(obs), self._tensors(next_obs)
        action, ret, discount, next_mask = (torch.as_tensor(x, device=self.device)
                                            for x in (action, ret, discount, next_mask))
        with torch.no_grad():
            online_next = self.online(*next_obs).masked_fill(~next_mask, -torch.inf)
            best = online_next.argmax(dim=1, keepdim=True)
            bootstrap = self.target(*next_obs).gather(1, best).squeeze(1)
            target = ret + discount * bootstrap
        predicted = self.online(*obs).gather(1, action[:, None]).squeeze(1)
        loss = nn.functional.smooth_l1_loss(predicted, target)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.epsilon = max(config.epsilon_min, self.epsilon * config.epsilon_decay)
        return loss.item()
