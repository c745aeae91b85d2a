"""An outside QAS method and problem, joined to qasbench through entry points alone.

``GreedyBuilder`` grows a circuit one gate at a time: at each step it tries ``candidates``
gates drawn from the search space's alphabet, re-optimizes the angles of each trial circuit
with the inner optimizer (warm start, new angle 0), keeps the best trial, and stops when no
trial improves the energy by ``min_gain`` or the budget is spent. Every energy comes from the
Evaluator it is given.

``ising_ring_4q`` is the transverse-field Ising model on a periodic ring of four spins,
``H = -sum_i Z_i Z_{i+1} - 0.5 sum_i X_i`` (units of J), ground energy by exact diagonalization.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qasbench.algorithms import Algorithm, SearchResult, best_result, optimize_angles
from qasbench.evaluator import BudgetExhausted, Evaluator, Task
from qasbench.hamiltonian import Hamiltonian
from qasbench.problem import Problem


@dataclass
class GreedyBuilder(Algorithm):
    candidates: int = 6  # gates tried per step
    evaluations_per_trial: int = 60  # inner-optimizer budget of each trial circuit
    min_gain: float = 1e-6  # stop when the best trial improves the energy by less
    optimizer: str = "cobyla"

    name = "greedy"
    positive = ("candidates", "evaluations_per_trial")

    def search(self, task: Task, evaluator: Evaluator, rng: np.random.Generator) -> SearchResult:
        circuit, angles = task.search_space.empty(), np.zeros(0)
        energy, steps = evaluator.energy(circuit), 0
        actions = task.search_space.actions
        try:
            while len(circuit) < task.search_space.max_gates:
                best = None
                for index in rng.choice(len(actions), size=min(self.candidates, len(actions)), replace=False):
                    gate = actions[int(index)]
                    trial = circuit.append(gate)
                    x0 = np.append(angles, 0.0) if gate.is_rotation else angles
                    result = optimize_angles(evaluator, trial, x0, self.optimizer, self.evaluations_per_trial, rng)
                    if best is None or result.fun < best[2]:
                        best = (trial, result.x, result.fun)
                if best[2] > energy - self.min_gain:
                    break
                circuit, angles, energy = best
                steps += 1
        except BudgetExhausted:
            pass
        return best_result(evaluator, {"steps": steps})


def ising_ring_4q() -> Problem:
    n = 4
    paulis, coeffs = [], []
    for i in range(n):
        zz = ["I"] * n
        zz[i] = zz[(i + 1) % n] = "Z"
        x = ["I"] * n
        x[i] = "X"
        paulis += ["".join(zz), "".join(x)]
        coeffs += [-1.0, -0.5]
    hamiltonian = Hamiltonian(tuple(paulis), np.array(coeffs), 0.0)
    return Problem("ising-ring-4q", hamiltonian, hamiltonian.ground_energy(), 20_000,
                   {"kind": "spin-chain", "model": "tfim", "boundary": "periodic", "field": 0.5,
                    "energy_unit": "J"})
