"""DQAS: differentiable quantum architecture search (Zhang, Hsieh, Zhang, Yao, arXiv 2010.08561).

A supernet of ``placeholders`` slots; each slot picks one operation from the pool (every gate of
the search space, plus "none"). Architecture logits ``alpha[p, c]`` (softmax per slot, with
probabilities clipped to ``[prob_clip, 1]`` and renormalized) and a shared angle pool
``theta[p, c]``. Each epoch samples ``batch`` architectures; each costs one evaluation for its
energy and two more for an SPSA estimate of its angle gradient (the angles it uses in
``theta``), all through the Evaluator. ``alpha`` follows the score-function gradient
``mean_k (E_k - b) grad log p(arch_k)`` with a moving-average baseline ``b``; both pools step
with Adam (torch). The search stops when ``finetune_fraction`` of the budget is left; then the
selected architecture (argmax per slot, or a subclass's rule) is fine-tuned from its pooled
angles with the inner optimizer.

Deviation from the paper: angle gradients by SPSA (2 evaluations per architecture) instead of
automatic differentiation, which no hardware-faithful evaluator offers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qasbench.algorithms.base import Algorithm, SearchResult, best_result, optimize_angles
from qasbench.circuit import Circuit
from qasbench.evaluator import BudgetExhausted, Evaluator, Task


@dataclass
class DQAS(Algorithm):
    placeholders: int | None = None  # default: 3 * n_qubits
    batch: int = 8
    epochs: int = 10_000  # upper bound; the budget usually ends the search first
    lr_alpha: float = 0.1
    lr_theta: float = 0.05
    spsa_c: float = 0.1
    baseline_decay: float = 0.9
    prob_clip: float = 0.01
    finetune_fraction: float = 0.2
    optimizer: str = "cobyla"

    name = "dqas"
    positive = ("placeholders", "batch", "epochs", "lr_alpha", "lr_theta", "spsa_c")
    unit_interval = ("baseline_decay", "prob_clip", "finetune_fraction")

    def _probabilities(self, alpha, fixed: dict | None = None) -> np.ndarray:
        """Sampling probabilities per slot: softmax, clipped to ``[prob_clip, 1]`` and
        renormalized; slots in ``fixed`` (slot -> operation) are one-hot."""
        import torch

        p = torch.softmax(alpha, dim=1).detach().numpy().clip(self.prob_clip, 1.0)
        p /= p.sum(axis=1, keepdims=True)
        for slot, choice in (fixed or {}).items():
            p[slot] = np.eye(p.shape[1])[choice]
        return p

    @staticmethod
    def _circuit(pool, choices, n_qubits: int) -> Circuit:
        return Circuit(n_qubits, tuple(pool[c] for c in choices if pool[c] is not None))

    @staticmethod
    def _angle_slots(pool, choices) -> list[tuple[int, int]]:
        """(placeholder, choice) of each rotation of the sampled circuit, in order."""
        return [(p, c) for p, c in enumerate(choices) if pool[c] is not None and pool[c].is_rotation]

    def select(self, evaluator: Evaluator, supernet: "Supernet", rng) -> np.ndarray:
        """The final architecture: the most likely operation in each slot."""
        return supernet.alpha.detach().numpy().argmax(axis=1)

    def _pooled(self, theta, slots: list[tuple[int, int]]) -> np.ndarray:
        index = np.array(slots, dtype=int).reshape(-1, 2).T
        return theta.detach().numpy()[tuple(index)]

    def _sample(self, probs: np.ndarray, rng) -> np.ndarray:
        return np.array([rng.choice(len(row), p=row) for row in probs])

    def _instance(self, supernet: "Supernet", choices) -> tuple[Circuit, list, np.ndarray]:
        """The architecture ``choices`` as (circuit, its angle slots, its angles from the pool)."""
        slots = self._angle_slots(supernet.pool, choices)
        return self._circuit(supernet.pool, choices, supernet.n_qubits), slots, self._pooled(supernet.theta, slots)

    def _energy(self, evaluator: Evaluator, supernet: "Supernet", choices) -> float:
        """One evaluation: the architecture ``choices`` with its pooled angles."""
        circuit, _, angles = self._instance(supernet, choices)
        return float(evaluator.energies(circuit, angles[None])[0])

    def _epoch(self, evaluator: Evaluator, supernet: "Supernet", rng, fixed: dict | None = None) -> None:
        """Sample a batch, estimate both gradients and take one Adam step."""
        import torch

        alpha, theta = supernet.alpha, supernet.theta
        probs, softmax = self._probabilities(alpha, fixed), torch.softmax(alpha, dim=1).detach().numpy()
        samples, grad_theta = [], np.zeros(theta.shape)
        for _ in range(self.batch):
            choices = self._sample(probs, rng)
            circuit, angle_slots, angles = self._instance(supernet, choices)
            energy = evaluator.energies(circuit, angles[None])[0]
            if angle_slots:
                delta = rng.choice([-1.0, 1.0], size=len(angles))
                plus, minus = evaluator.energies(
                    circuit, np.stack([angles + self.spsa_c * delta, angles - self.spsa_c * delta]))
                for (p, c), g in zip(angle_slots, (plus - minus) / (2 * self.spsa_c) * delta):
                    grad_theta[p, c] += g / self.batch
            one_hot = np.zeros(alpha.shape)
            one_hot[np.arange(len(choices)), choices] = 1.0
            samples.append((energy, one_hot - softmax))  # grad of log p(architecture)
        energies = np.array([e for e, _ in samples])
        mean = float(energies.mean())
        b = mean if supernet.baseline is None else supernet.baseline
        grad_alpha = sum((e - b) * g for e, g in samples) / self.batch
        supernet.baseline = mean if supernet.baseline is None else (
            self.baseline_decay * supernet.baseline + (1 - self.baseline_decay) * mean)
        supernet.adam.zero_grad()
        alpha.grad, theta.grad = torch.as_tensor(grad_alpha), torch.as_tensor(grad_theta)
        supernet.adam.step()
        supernet.epochs += 1

    def search(self, task: Task, evaluator: Evaluator, rng: np.random.Generator) -> SearchResult:
        n = task.problem.n_qubits
        pool = list(task.search_space.actions) + [None]
        slots = min(self.placeholders or 3 * n, task.search_space.max_gates)
        supernet = Supernet.new(pool, slots, n, rng, self.lr_alpha, self.lr_theta)
        reserve = int(self.finetune_fraction * task.budget)
        architecture = None
        try:
            while supernet.epochs < self.epochs and evaluator.remaining - reserve >= 3 * self.batch:
                self._epoch(evaluator, supernet, rng)
            choices = self.select(evaluator, supernet, rng)
            architecture = [str(pool[c]) for c in choices if pool[c] is not None]
            circuit, _, x0 = self._instance(supernet, choices)
            optimize_angles(evaluator, circuit, x0, self.optimizer, evaluator.remaining, rng)
        except BudgetExhausted:
            pass
        return best_result(evaluator, {"epochs": supernet.epochs, "final_architecture": architecture})


@dataclass
class Supernet:
    """DQAS's trainable state: logits ``alpha`` and angle pool ``theta`` (slots x operations,
    torch float64), their Adam optimizer, the moving-average energy baseline, epochs done."""

    pool: list
    n_qubits: int
    alpha: object
    theta: object
    adam: object
    baseline: float | None = None
    epochs: int = 0

    @classmethod
    def new(cls, pool: list, slots: int, n_qubits: int, rng: np.random.Generator,
            lr_alpha: float, lr_theta: float) -> "Supernet":
        import torch

        torch.manual_seed(int(rng.integers(2**31)))
        alpha = torch.zeros(slots, len(pool), dtype=torch.float64, requires_grad=True)
        theta = torch.tensor(rng.uniform(-np.pi, np.pi, (slots, len(pool))), requires_grad=True)
        adam = torch.optim.Adam([{"params": [alpha], "lr": lr_alpha}, {"params": [theta], "lr": lr_theta}])
        return cls(pool, n_qubits, alpha, theta, adam)


@dataclass
class DQASPerturbation(DQAS):
    """DQAS with perturbation-based architecture selection (Wang, Cheng, Chen, Tang, Hsieh,
    "Rethinking Architecture Selection in Differentiable NAS", ICLR 2021).

    After the same supernet search as ``dqas``, slots are decided one at a time in random order.
    For slot p, the ``selection_candidates`` most likely operations are each put into the same
    ``selection_samples`` architectures sampled from the supernet for the other slots (common
    random numbers) and evaluated with the pooled angles. From these, the supernet energy with
    operation c removed from slot p (its probability set to 0, the rest renormalized) is
    compared with the unperturbed one, and the operation whose removal raises the energy most
    is kept. Decided slots stay fixed; ``retrain_epochs`` supernet epochs follow each decision
    (the paper's fine-tuning between edges). Everything else is ``dqas``.
    Deviation: DARTS' supernet is a continuous mixture, DQAS's a distribution over sampled
    architectures, so "the supernet's value" is estimated by sampling rather than computed.
    """

    selection_samples: int = 4
    selection_candidates: int = 4
    retrain_epochs: int = 1

    name = "dqas-pt"
    positive = DQAS.positive + ("selection_samples", "selection_candidates")

    def select(self, evaluator: Evaluator, supernet: Supernet, rng) -> np.ndarray:
        fixed: dict[int, int] = {}
        for slot in rng.permutation(supernet.alpha.shape[0]):
            probs = self._probabilities(supernet.alpha, fixed)
            candidates = np.argsort(-probs[slot], kind="stable")[: self.selection_candidates]
            others = [self._sample(probs, rng) for _ in range(self.selection_samples)]
            mean = np.array([np.mean([self._energy(evaluator, supernet, np.r_[a[:slot], c, a[slot + 1:]])
                                      for a in others]) for c in candidates])
            weight = probs[slot, candidates] / probs[slot, candidates].sum()
            full = weight @ mean
            with np.errstate(divide="ignore", invalid="ignore"):  # an operation of weight 1 cannot go
                removed = np.where(weight < 1.0, (full - weight * mean) / (1.0 - weight), np.inf)
            fixed[int(slot)] = int(candidates[np.argmax(removed - full)])
            for _ in range(self.retrain_epochs):
                self._epoch(evaluator, supernet, rng, fixed)
        return np.array([fixed[p] for p in range(len(fixed))])
