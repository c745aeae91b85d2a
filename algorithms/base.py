"""The interface every QAS algorithm implements.

An algorithm is a small class: hyperparameters are dataclass fields (``get_params`` lists them,
scikit-learn style) and ``search(task, evaluator, rng) -> SearchResult`` does the work. All
energies come from the Evaluator; all randomness from ``rng``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, fields

import numpy as np

from qasbench.circuit import Circuit
from qasbench.evaluator import BudgetExhausted, Evaluator, Task
from qasbench.optim import OptimizeResult, make_optimizer


@dataclass
class SearchResult:
    circuit: Circuit
    params: np.ndarray
    energy: float  # the algorithm's own (possibly shot-noisy) estimate
    info: dict = field(default_factory=dict)  # algorithm-specific facts (episodes, circuits tried...)


class Algorithm(ABC):
    name = "algorithm"
    positive: tuple[str, ...] = ()  # hyperparameters that must be > 0 when set (not dataclass fields)

    def get_params(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def validate(self) -> None:
        """Raise ValueError, naming the hyperparameter, for a value no run could use."""
        for key in self.positive:
            value = getattr(self, key)
            if value is not None and not value > 0:
                raise ValueError(f"{self.name}: hyperparameter {key} must be positive, got {value!r}")
        if isinstance(getattr(self, "optimizer", None), str):
            make_optimizer(self.optimizer)

    @abstractmethod
    def search(self, task: Task, evaluator: Evaluator, rng: np.random.Generator) -> SearchResult:
        """Spend at most ``task.budget`` evaluations and return the best architecture found."""


def optimize_angles(evaluator: Evaluator, circuit: Circuit, x0: np.ndarray, optimizer: str,
                    max_evaluations: int, rng: np.random.Generator,
                    free: np.ndarray | None = None) -> OptimizeResult:
    """Optimize a circuit's angles with a named optimizer, charged to the Evaluator and capped
    by both ``max_evaluations`` and the evaluations left. Parameter-free circuits cost one
    evaluation and skip the optimizer. ``free`` (boolean mask) keeps the other angles at their
    ``x0`` values; the result's ``x`` is always the full angle vector."""
    budget = min(max_evaluations, evaluator.remaining)
    if budget < 1:
        raise BudgetExhausted("no evaluations left")
    x0 = np.asarray(x0, dtype=float)
    free = np.ones(x0.size, bool) if free is None else np.asarray(free, bool)

    def full(points):
        out = np.tile(x0, (len(points), 1))
        out[:, free] = points
        return out

    def objective(points, shot_scale=1.0):
        return evaluator.energies(circuit, full(points), shot_scale=shot_scale)

    result = make_optimizer(optimizer).minimize(objective, x0[free], budget, rng)
    result.x = full(result.x[None, :])[0]
    return result


def best_result(evaluator: Evaluator, info: dict) -> SearchResult:
    """The Evaluator's best estimate as a SearchResult (for algorithms whose state is spent)."""
    if evaluator.best is None:
        raise BudgetExhausted("the search ended before any evaluation")
    circuit, params = evaluator.best
    return SearchResult(circuit, params, evaluator.best_energy, info)
