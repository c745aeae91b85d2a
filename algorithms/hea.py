"""Hardware-efficient ansatz: a reference row, not a search.

Layers of RY and RZ on every qubit followed by a CNOT ladder (``hardware_efficient``; on a
device's coupling, CNOTs along a spanning tree of it: ``SearchSpace.entangler``). Depths
1, 2, ... up to ``max_layers`` (or the gate cap) are each optimized from a random start with an
equal share of the budget; the best energy found is the result.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qasbench.algorithms.base import Algorithm, SearchResult, best_result, optimize_angles
from qasbench.circuit import ROTATIONS, hardware_efficient
from qasbench.evaluator import BudgetExhausted, Evaluator, Task


@dataclass
class HardwareEfficient(Algorithm):
    max_layers: int = 4
    rotations: tuple[str, ...] = ("RY", "RZ")
    optimizer: str = "cobyla"

    name = "hea"
    positive = ("max_layers",)
    choices = {"rotations": ROTATIONS}

    def validate(self) -> None:
        super().validate()
        if not self.rotations:
            raise ValueError("hea: hyperparameter rotations must name at least one of RX, RY, RZ")

    def search(self, task: Task, evaluator: Evaluator, rng: np.random.Generator) -> SearchResult:
        n = task.problem.n_qubits
        entangler = task.search_space.entangler()  # the ladder, or a spanning tree of a device's coupling
        per_layer = len(self.rotations) * n + len(entangler)
        depths = [d for d in range(1, self.max_layers + 1) if d * per_layer <= task.search_space.max_gates]
        errors = {}
        try:
            for i, layers in enumerate(depths):
                circuit = hardware_efficient(n, layers, self.rotations, entangler)
                share = evaluator.remaining // (len(depths) - i)
                x0 = rng.uniform(-np.pi, np.pi, circuit.n_params)
                result = optimize_angles(evaluator, circuit, x0, self.optimizer, share, rng)
                errors[layers] = result.fun - task.problem.ground_energy
        except BudgetExhausted:
            pass
        return best_result(evaluator, {"error_by_layers": errors})
