"""A graph variational autoencoder over the circuits of a search space, pretrained without labels.

Encoder: ``layers`` GIN layers (``h <- MLP((1 + eps) h + (A + A^T) h)``, Xu et al. 2019) over the
graph of :mod:`.encoding`; the readout concatenates every layer's node states (as GIN does) in
node order, which for a circuit is its gate order, and maps them linearly to the mean and
log-variance of a ``latent_dim``-dimensional Gaussian. (A mean-pooled readout learned nothing
beyond circuit length: 4% of held-out gates decoded right, chance level.) Decoder: an MLP from
the latent point to per-node states, then node-type logits, qubit scores (tanh) and edge logits
(bilinear in the node states). Loss per circuit: cross-entropy of node types + squared error of
qubit vectors, summed over nodes, + edge binary cross-entropy (i < j) + ``beta`` x KL to
N(0, I), with ``beta`` warmed up over the first half of the epochs; the log-variance starts
small (bias -4), against posterior collapse. Unlike arch2vec (node-level latents), the latent is
one vector per circuit, so that every point of the latent space decodes to a circuit.

Pretraining samples ``circuits`` fresh random circuits of the search space per epoch (as random
search does), never an energy: it costs no evaluations. It runs on one thread with a fixed seed, so it is
deterministic, and its result is cached per (search space, pretraining settings) under
``$QASBENCH_CACHE`` (default ``~/.cache/qasbench``), written atomically; the stored statistics
(including the seconds the pretraining took) are the same whether a run trained or loaded it.
Processes that need the same model at once (a grid's workers) take turns on a lock file next to
it: one trains, the others wait and load. Training prints a progress line to stderr every
``PROGRESS_EVERY_S`` seconds.
"""
from __future__ import annotations

import fcntl
import os
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from qasbench.algorithms.latent import encoding
from qasbench.hashing import json_hash
from qasbench.search_space import SearchSpace

MODEL_VERSION = 1  # bump when the architecture or the training loop changes
PROGRESS_EVERY_S = 10.0


@dataclass(frozen=True)
class PretrainConfig:
    circuits: int = 4000
    epochs: int = 40
    batch_size: int = 128
    hidden: int = 64
    latent_dim: int = 16
    layers: int = 3
    lr: float = 1e-3
    beta: float = 0.01
    seed: int = 0


def cache_dir() -> Path:
    return Path(os.environ.get("QASBENCH_CACHE") or Path.home() / ".cache" / "qasbench") / "latent"


def _network(space: SearchSpace, config: PretrainConfig):
    import torch
    from torch import nn

    n_types, length = len(encoding.NODE_TYPES), encoding.n_nodes(space)

    class CircuitVAE(nn.Module):
        def __init__(self):
            super().__init__()
            width = config.hidden
            sizes = [n_types + space.n_qubits] + [width] * config.layers
            self.gin = nn.ModuleList(nn.Sequential(nn.Linear(a, width), nn.ReLU(), nn.Linear(width, width))
                                     for a in sizes[:-1])
            self.eps = nn.Parameter(torch.zeros(config.layers))
            readout = length * sum(sizes)
            self.mean, self.log_var = nn.Linear(readout, config.latent_dim), nn.Linear(readout, config.latent_dim)
            nn.init.constant_(self.log_var.bias, -4.0)  # start nearly deterministic: avoids posterior collapse
            self.expand = nn.Sequential(nn.Linear(config.latent_dim, width), nn.ReLU(), nn.Linear(width, length * width))
            self.types, self.qubits = nn.Linear(width, n_types), nn.Linear(width, space.n_qubits)
            self.edges = nn.Linear(width, width, bias=False)

        def encode(self, features, adjacency, real):
            messages, layers = adjacency + adjacency.transpose(1, 2), [features]
            for eps, mlp in zip(self.eps, self.gin):
                layers.append(torch.relu(mlp((1 + eps) * layers[-1] + messages @ layers[-1])))
            # readout: every layer's node states (as GIN does), in node order = gate order
            readout = (torch.cat(layers, -1) * real[..., None]).flatten(1)
            return self.mean(readout), self.log_var(readout)

        def decode(self, z):
            h = torch.relu(self.expand(z).view(len(z), length, -1))
            return self.types(h), torch.tanh(self.qubits(h)), self.edges(h) @ h.transpose(1, 2)

    return CircuitVAE()


class LatentSpace:
    """A pretrained VAE as maps between circuits and latent points (numpy in, numpy out)."""

    def __init__(self, space: SearchSpace, config: PretrainConfig, network, stats: dict):
        self.space, self.config, self.network, self.stats = space, config, network, stats

    def _tensors(self, circuits):
        """(node features, adjacency, real-node mask, node types) of a batch of circuits."""
        import torch

        types, qubits, adjacency = encoding.encode_batch(circuits, self.space)
        one_hot = np.eye(len(encoding.NODE_TYPES))[types]
        features = torch.as_tensor(np.concatenate([one_hot, qubits], axis=-1), dtype=torch.float32)
        real = torch.as_tensor(types != encoding.PAD, dtype=torch.float32)
        return features, torch.as_tensor(adjacency), real, torch.as_tensor(types)

    def embed(self, circuits) -> np.ndarray:
        """Posterior means, shape (len(circuits), latent_dim)."""
        import torch

        with torch.no_grad():
            return self.network.encode(*self._tensors(circuits)[:3])[0].double().numpy()

    def decode(self, points: np.ndarray) -> list:
        import torch

        with torch.no_grad():
            types, qubits, _ = self.network.decode(torch.as_tensor(np.atleast_2d(points), dtype=torch.float32))
        return encoding.decode(types.numpy(), qubits.numpy(), self.space)


def _loss(network, batch, beta: float):
    """Negative ELBO per circuit (batch mean): reconstruction summed over nodes (edges: their
    mean cross-entropy times the number of nodes) plus ``beta`` times the KL divergence."""
    import torch
    from torch.nn import functional as F

    features, adjacency, real, types, qubits = batch
    mean, log_var = network.encode(features, adjacency, real)
    z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
    type_logits, qubit_scores, edge_logits = network.decode(z)
    nodes = types.shape[1]
    upper = torch.triu(torch.ones(nodes, nodes, dtype=torch.bool), diagonal=1)
    type_loss = F.cross_entropy(type_logits.transpose(1, 2), types, reduction="none").sum(1)
    qubit_loss = (((qubit_scores - qubits) ** 2).sum(-1) * real).sum(1)
    edge_loss = nodes * F.binary_cross_entropy_with_logits(
        edge_logits[:, upper], (adjacency[:, upper] > 0).float(), reduction="none").mean(1)
    kl = -0.5 * (1 + log_var - mean**2 - log_var.exp()).sum(1)
    return (type_loss + qubit_loss + edge_loss + beta * kl).mean()


def _train(space: SearchSpace, config: PretrainConfig):
    import torch

    rng = np.random.default_rng(config.seed)
    torch.manual_seed(config.seed)
    network = _network(space, config)
    latent = LatentSpace(space, config, network, {})
    optimizer = torch.optim.Adam(network.parameters(), lr=config.lr)
    start, losses = time.perf_counter(), []
    next_progress = start + PROGRESS_EVERY_S
    for epoch in range(config.epochs):  # fresh random circuits every epoch: they cost nothing
        circuits = [space.sample(rng) for _ in range(config.circuits)]
        features, adjacency, real, types = latent._tensors(circuits)
        qubits = features[..., len(encoding.NODE_TYPES):len(encoding.NODE_TYPES) + space.n_qubits]
        total, beta = 0.0, config.beta * min(1.0, 2 * epoch / config.epochs)  # KL warm-up over half the epochs
        for index in torch.randperm(len(circuits)).split(config.batch_size):
            loss = _loss(network, (features[index], adjacency[index], real[index], types[index], qubits[index]), beta)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
        losses.append(total / len(circuits))
        if time.perf_counter() >= next_progress:
            next_progress = time.perf_counter() + PROGRESS_EVERY_S
            print(f"latent-space pretraining ({space.n_qubits} qubits, up to {space.max_gates} gates): epoch "
                  f"{epoch + 1}/{config.epochs}, loss {losses[-1]:.2f}, {time.perf_counter() - start:.0f} s",
                  file=sys.stderr, flush=True)
    seconds = time.perf_counter() - start
    held_out = [space.sample(rng) for _ in range(500)]
    decoded = latent.decode(latent.embed(held_out))
    gates_right = sum(sum(a == b for a, b in zip(x.gates, y.gates)) for x, y in zip(held_out, decoded))
    latent.stats = {
        "circuits": config.circuits, "epochs": config.epochs, "seconds": round(seconds, 3),
        "final_loss": losses[-1],
        "exact_reconstruction": sum(x == y for x, y in zip(held_out, decoded)) / len(held_out),
        "gate_accuracy": gates_right / sum(len(c) for c in held_out),
    }
    return latent


_LOADED: dict[str, LatentSpace] = {}


def _load(path: Path, space: SearchSpace, config: PretrainConfig) -> LatentSpace | None:
    """The cached model at ``path``, or None when there is none or it cannot be read."""
    import torch

    if not path.exists():
        return None
    try:
        stored = torch.load(path, weights_only=True)
        network = _network(space, config)
        network.load_state_dict(stored["state"])
        return LatentSpace(space, config, network, stored["stats"])
    except Exception:  # whatever is wrong with a cache file, it is rebuilt
        return None


def pretrained(space: SearchSpace, config: PretrainConfig) -> LatentSpace:
    """The VAE for this search space and configuration: from memory, the disk cache, or trained."""
    import torch

    key = json_hash({"version": MODEL_VERSION, "config": asdict(config), "n_qubits": space.n_qubits,
                     "max_gates": space.max_gates, "coupling": space.coupling}).split(":")[1][:16]
    if key in _LOADED:
        return _LOADED[key]
    path = cache_dir() / f"vae-{key}.pt"
    path.parent.mkdir(parents=True, exist_ok=True)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # one thread: the same weights whoever trains them
    try:
        with open(path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another process training this model: wait, then load it
            latent = _load(path, space, config)
            if latent is None:
                latent = _train(space, config)
                with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as handle:
                    torch.save({"state": latent.network.state_dict(), "stats": latent.stats}, handle)
                os.replace(handle.name, path)
    finally:
        torch.set_num_threads(threads)
    latent.stats = dict(latent.stats, model=key)
    _LOADED[key] = latent
    return latent
