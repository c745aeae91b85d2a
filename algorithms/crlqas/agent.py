"""Double DQN with n-step returns, masked actions and an MLP Q-network (torch).

Target: ``y = R^(k) + gamma^k (1 - done) Q_target(s', argmax_{a' legal} Q_online(s', a'))`` where
``R^(k)`` sums the k <= n discounted rewards up to the episode's end. Loss: smooth L1 (as the
CRLQAS release). Epsilon decays multiplicatively after every replay step down to its floor;
exploration draws uniformly among legal actions. Deviations from the release: the bootstrap
uses gamma^k (the release used gamma whatever n) and n-step windows never cross episodes.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn


def mlp(inputs: int, outputs: int, width: int, depth: int) -> nn.Sequential:
    layers, size = [], inputs
    for _ in range(depth):
        layers += [nn.Linear(size, width), nn.LeakyReLU()]
        size = width
    return nn.Sequential(*layers, nn.Linear(size, outputs))


class ReplayBuffer:
    """Fixed-size ring buffer of n-step transitions in preallocated arrays."""

    def __init__(self, capacity: int, obs_dim: int, n_actions: int):
        self.capacity, self.size, self.position = capacity, 0, 0
        self.obs = np.zeros((capacity, obs_dim), np.float32)
        self.next_obs = np.zeros((capacity, obs_dim), np.float32)
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
        self.online = mlp(obs_dim, n_actions, config.width, config.depth).to(self.device)
        self.target = mlp(obs_dim, n_actions, config.width, config.depth).to(self.device)
        self.target.load_state_dict(self.online.state_dict())
        self.optimizer = torch.optim.Adam(self.online.parameters(), lr=config.lr)
        self.buffer = ReplayBuffer(config.buffer_size, obs_dim, n_actions)
        self.window: deque = deque()
        self.epsilon, self.replays = 1.0, 0

    def act(self, obs: np.ndarray, mask: np.ndarray) -> int:
        legal = np.flatnonzero(mask)
        if self.rng.random() < self.epsilon:
            return int(self.rng.choice(legal))
        with torch.no_grad():
            q = self.online(torch.as_tensor(obs, device=self.device)[None])[0].cpu().numpy()
        q[~mask] = -np.inf
        return int(np.argmax(q))

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
        obs, action, ret, next_obs, discount, next_mask = (
            torch.as_tensor(x, device=self.device) for x in self.buffer.sample(config.batch_size, self.rng))
        with torch.no_grad():
            online_next = self.online(next_obs).masked_fill(~next_mask, -torch.inf)
            best = online_next.argmax(dim=1, keepdim=True)
            bootstrap = self.target(next_obs).gather(1, best).squeeze(1)
            target = ret + discount * bootstrap
        predicted = self.online(obs).gather(1, action[:, None]).squeeze(1)
        loss = nn.functional.smooth_l1_loss(predicted, target)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        self.epsilon = max(config.epsilon_min, self.epsilon * config.epsilon_decay)
        return loss.item()
