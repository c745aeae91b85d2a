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
import torch

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

    def _probabilities(self, alpha: torch.Tensor) -> np.ndarray:
        p = torch.softmax(alpha, dim=1).detach().numpy().clip(self.prob_clip, 1.0)
        return p / p.sum(axis=1, keepdims=True)

    @staticmethod
    def _circuit(pool, choices, n_qubits: int) -> Circuit:
        return Circuit(n_qubits, tuple(pool[c] for c in choices if pool[c] is not None))

    @staticmethod
    def _angle_slots(pool, choices) -> list[tuple[int, int]]:
        """(placeholder, choice) of each rotation of the sampled circuit, in order."""
        return [(p, c) for p, c in enumerate(choices) if pool[c] is not None and pool[c].is_rotation]

    def select(self, task: Task, evaluator: Evaluator, pool, alpha, theta, rng) -> np.ndarray:
        """The final architecture: the most likely operation in each slot."""
        return alpha.detach().numpy().argmax(axis=1)

    def _pooled(self, theta: torch.Tensor, slots: list[tuple[int, int]]) -> np.ndarray:
        index = np.array(slots, dtype=int).reshape(-1, 2).T
        return theta.detach().numpy()[tuple(index)]

    def _epoch(self, evaluator: Evaluator, pool, alpha, theta, n: int, rng, baseline):
        """Sample a batch, return (grad alpha, grad theta, mean energy)."""
        probs, softmax = self._probabilities(alpha), torch.softmax(alpha, dim=1).detach().numpy()
        samples, grad_theta = [], np.zeros(theta.shape)
        for _ in range(self.batch):
            choices = np.array([rng.choice(len(pool), p=row) for row in probs])
            circuit, angle_slots = self._circuit(pool, choices, n), self._angle_slots(pool, choices)
            angles = self._pooled(theta, angle_slots)
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
        b = energies.mean() if baseline is None else baseline
        grad_alpha = sum((e - b) * g for e, g in samples) / self.batch
        return grad_alpha, grad_theta, float(energies.mean())

    def search(self, task: Task, evaluator: Evaluator, rng: np.random.Generator) -> SearchResult:
        n = task.problem.n_qubits
        pool = list(task.search_space.actions) + [None]
        slots = min(self.placeholders or 3 * n, task.search_space.max_gates)
        torch.manual_seed(int(rng.integers(2**31)))
        alpha = torch.zeros(slots, len(pool), dtype=torch.float64, requires_grad=True)
        theta = torch.tensor(rng.uniform(-np.pi, np.pi, (slots, len(pool))), requires_grad=True)
        adam = torch.optim.Adam([{"params": [alpha], "lr": self.lr_alpha},
                                 {"params": [theta], "lr": self.lr_theta}])
        reserve = int(self.finetune_fraction * task.budget)
        baseline, epochs, architecture = None, 0, None
        try:
            while epochs < self.epochs and evaluator.remaining - reserve >= 3 * self.batch:
                grad_alpha, grad_theta, mean = self._epoch(evaluator, pool, alpha, theta, n, rng, baseline)
                baseline = mean if baseline is None else self.baseline_decay * baseline + (1 - self.baseline_decay) * mean
                adam.zero_grad()
                alpha.grad, theta.grad = torch.as_tensor(grad_alpha), torch.as_tensor(grad_theta)
                adam.step()
                epochs += 1
            choices = self.select(task, evaluator, pool, alpha, theta, rng)
            architecture = [str(pool[c]) for c in choices if pool[c] is not None]
            circuit = self._circuit(pool, choices, n)
            x0 = self._pooled(theta, self._angle_slots(pool, choices))
            optimize_angles(evaluator, circuit, x0, self.optimizer, evaluator.remaining, rng)
        except BudgetExhausted:
            pass
        return best_result(evaluator, {"epochs": epochs, "final_architecture": architecture})
