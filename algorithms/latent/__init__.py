"""Latent-space QAS (Sun, Wu, Ma, Tresp, "Quantum Architecture Search with Unsupervised
Representation Learning", arXiv 2401.11576; after arch2vec, Yan et al., NeurIPS 2020).

Two stages. (1) A graph VAE (:mod:`.vae`) is pretrained on random circuits of the task's search
space, without any energy: it spends no evaluations, is cached per search space, and its cost
(seconds, circuits, epochs) and reconstruction quality are reported under ``info["pretraining"]``.
(2) A search over the latent space, where each proposed point is decoded to a circuit
(:mod:`.encoding`: always valid) whose angles are optimized from a uniform random start by the
inner optimizer through the Evaluator, as in random search; the circuit's score is the best
energy that optimization found.

* ``latent-reinforce``: a diagonal Gaussian policy over the latent space, starting at the
  prior N(0, I); each iteration samples ``batch`` points, scores their circuits, and takes one
  Adam step on the REINFORCE objective with batch-standardized advantages (reward = -energy).
* ``latent-bo``: Bayesian optimization with a Gaussian-process surrogate (:mod:`.gp`) on the
  embeddings (posterior means) of the scored circuits; after ``initial_points`` prior samples,
  each step decodes ``candidates`` latent points (from the prior and around the best
  embeddings), keeps the circuits not yet scored, and scores the one of highest expected
  improvement. The GP is fitted on every scored circuit, or on at most ``gp_points`` of them.

Deviations, as we read the papers: arch2vec and the QAS paper search among the embeddings of a
pre-generated pool of architectures, taking the pool member nearest a proposed point; here a
point is decoded by the VAE's decoder, so the search is not confined to a pool. Their latent
vectors are per node (a graph is their mean); ours is one vector per circuit, which is what
makes decoding possible. Their circuits were scored with trained parameters outside any budget;
ours through the same Evaluator and inner optimizer as every other algorithm.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qasbench.algorithms.base import Algorithm, SearchResult, best_result, optimize_angles
from qasbench.algorithms.latent.gp import GaussianProcess, expected_improvement, refit_seconds
from qasbench.algorithms.latent.vae import LatentSpace, PretrainConfig, pretrained
from qasbench.circuit import Circuit
from qasbench.evaluator import BudgetExhausted, Evaluator, Task


@dataclass
class LatentSearch(Algorithm):
    """What both latent searches share: the pretrained latent space and circuit scoring."""

    optimizer: str = "cobyla"
    evaluations_per_circuit: int = 200
    pretrain_circuits: int = 4000
    pretrain_epochs: int = 40
    latent_dim: int = 16
    pretrain_seed: int = 0

    positive = ("evaluations_per_circuit", "pretrain_circuits", "pretrain_epochs", "latent_dim")

    def latent_space(self, task: Task) -> LatentSpace:
        config = PretrainConfig(circuits=self.pretrain_circuits, epochs=self.pretrain_epochs,
                                latent_dim=self.latent_dim, seed=self.pretrain_seed)
        return pretrained(task.search_space, config)

    def prepare(self, task: Task) -> None:
        """Pretrain (or load) the latent space before the run's clock starts."""
        self.latent_space(task)

    def score(self, evaluator: Evaluator, circuit: Circuit, rng: np.random.Generator) -> float:
        """The best energy the inner optimizer finds for ``circuit`` from a random start."""
        x0 = rng.uniform(-np.pi, np.pi, circuit.n_params)
        return optimize_angles(evaluator, circuit, x0, self.optimizer, self.evaluations_per_circuit, rng).fun


@dataclass
class LatentReinforce(LatentSearch):
    batch: int = 8
    lr: float = 0.05
    initial_std: float = 1.0

    name = "latent-reinforce"
    positive = LatentSearch.positive + ("batch", "lr", "initial_std")

    def search(self, task: Task, evaluator: Evaluator, rng: np.random.Generator) -> SearchResult:
        import torch

        latent = self.latent_space(task)
        dim = latent.config.latent_dim
        mean = torch.zeros(dim, dtype=torch.float64, requires_grad=True)
        log_std = torch.full((dim,), float(np.log(self.initial_std)), dtype=torch.float64, requires_grad=True)
        adam = torch.optim.Adam([mean, log_std], lr=self.lr)
        iterations, scored = 0, 0
        try:
            while True:
                points = (mean + log_std.exp() * torch.as_tensor(rng.standard_normal((self.batch, dim)))).detach()
                energies = []
                for circuit in latent.decode(points.numpy()):
                    energies.append(self.score(evaluator, circuit, rng))
                    scored += 1
                rewards = -np.array(energies)
                advantages = torch.as_tensor((rewards - rewards.mean()) / (rewards.std() or 1.0))
                log_prob = torch.distributions.Normal(mean, log_std.exp()).log_prob(points).sum(1)
                adam.zero_grad()
                (-(advantages * log_prob).mean()).backward()
                adam.step()
                iterations += 1
        except BudgetExhausted:
            pass
        return best_result(evaluator, {"iterations": iterations, "circuits_scored": scored,
                                       "pretraining": latent.stats})


@dataclass
class LatentBO(LatentSearch):
    initial_points: int = 10
    candidates: int = 500
    local_fraction: float = 0.5  # share of candidates drawn around the best embeddings
    local_std: float = 0.3
    top: int = 5  # best embeddings the local candidates are drawn around
    gp_points: int | None = None  # fit the GP on at most this many scored circuits (None: all of them)

    name = "latent-bo"
    positive = LatentSearch.positive + ("initial_points", "candidates", "top", "gp_points")
    unit_interval = ("local_fraction",)

    def _candidates(self, latent: LatentSpace, embeddings: np.ndarray, energies: list, rng) -> np.ndarray:
        dim, local = latent.config.latent_dim, int(self.local_fraction * self.candidates)
        best = embeddings[np.argsort(energies)[: self.top]]
        around = best[rng.integers(len(best), size=local)] + self.local_std * rng.standard_normal((local, dim))
        return np.concatenate([rng.standard_normal((self.candidates - local, dim)), around])

    def growing_seconds(self, calibration: dict, evaluations: int) -> float:
        """Its GP refits (:func:`.gp.refit_seconds`) over the circuits a run of ``evaluations``
        scores, at the calibration run's evaluations per circuit (lite-v1's runs: 105-194)."""
        per_circuit = calibration["evaluations_used"] / max(1, calibration["info"]["circuits_scored"])
        return refit_seconds(round(evaluations / per_circuit), self.latent_dim, self.candidates, self.initial_points,
                             self.gp_points)

    def _fitted_points(self, energies: list) -> np.ndarray:
        """Indices of the scored circuits the GP is fitted on: all of them, or with ``gp_points``
        set and exceeded, the ``gp_points // 2`` of lowest energy and the most recent others up
        to ``gp_points`` (the region expected improvement looks at, and where the search is
        now). Each refit then costs the same however long the run, instead of the cube of the
        circuits scored (on h2o-8q, at 6 evaluations per circuit, a 500000-evaluation run
        scores about 80000)."""
        if self.gp_points is None or len(energies) <= self.gp_points:
            return np.arange(len(energies))
        best = np.argsort(energies, kind="stable")[: self.gp_points // 2]
        others = np.setdiff1d(np.arange(len(energies)), best)
        return np.sort(np.concatenate([best, others[len(others) - (self.gp_points - len(best)):]]))

    def search(self, task: Task, evaluator: Evaluator, rng: np.random.Generator) -> SearchResult:
        latent = self.latent_space(task)
        scored: set[Circuit] = set()
        embeddings, energies = np.zeros((0, latent.config.latent_dim)), []
        try:
            while True:
                if len(energies) < self.initial_points:
                    points = rng.standard_normal((1, latent.config.latent_dim))
                else:
                    points = self._candidates(latent, embeddings, energies, rng)
                new = list(dict.fromkeys(c for c in latent.decode(points) if c not in scored))
                if not new:  # every candidate decodes to a scored circuit: score a random one again
                    new = [latent.decode(rng.standard_normal((1, latent.config.latent_dim)))[0]]
                vectors = latent.embed(new)
                if len(energies) < self.initial_points:
                    pick = 0
                else:
                    fitted = self._fitted_points(energies)
                    gp = GaussianProcess().fit(embeddings[fitted], np.asarray(energies)[fitted])
                    pick = int(np.argmax(expected_improvement(*gp.predict(vectors), min(energies))))
                energy = self.score(evaluator, new[pick], rng)
                scored.add(new[pick])
                embeddings, energies = np.vstack([embeddings, vectors[pick]]), energies + [energy]
        except BudgetExhausted:
            pass
        return best_result(evaluator, {"circuits_scored": len(energies), "pretraining": latent.stats})
