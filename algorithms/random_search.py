"""Random search: the baseline every QAS method must beat.

Repeatedly sample a circuit from the search space (length uniform in [1, max_gates], gates
uniform over the alphabet), optimize its angles from a uniform random start with the inner
optimizer, and keep the best, until the budget is spent.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qasbench.algorithms.base import Algorithm, SearchResult, best_result, optimize_angles
from qasbench.evaluator import BudgetExhausted, Evaluator, Task


@dataclass
class RandomSearch(Algorithm):
    optimizer: str = "cobyla"
    evaluations_per_circuit: int = 200  # inner-optimizer budget per sampled circuit
    max_gates: int | None = None  # sample shorter circuits than the task allows; None = task cap

    name = "random"
    positive = ("evaluations_per_circuit", "max_gates")

    def search(self, task: Task, evaluator: Evaluator, rng: np.random.Generator) -> SearchResult:
        space = task.search_space
        n_gates_cap = min(space.max_gates, self.max_gates or space.max_gates)
        tried = 0
        while evaluator.remaining > 0:
            circuit = space.sample(rng, int(rng.integers(1, n_gates_cap + 1)))
            x0 = rng.uniform(-np.pi, np.pi, circuit.n_params)
            try:
                optimize_angles(evaluator, circuit, x0, self.optimizer, self.evaluations_per_circuit, rng)
            except BudgetExhausted:
                break
            tried += 1
        return best_result(evaluator, {"circuits_tried": tried})
