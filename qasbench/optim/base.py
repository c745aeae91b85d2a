"""The inner-optimizer interface shared by every QAS algorithm.

An objective maps a batch of parameter vectors, shape (B, d), to B values; it may take a
keyword ``shot_scale`` (multi-stage optimizers ask for cheaper, noisier estimates).
``minimize(objective, x0, budget, rng)`` never calls the objective for more than ``budget``
rows in total and draws all randomness from ``rng``.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, fields
from typing import Callable

import numpy as np

Objective = Callable[..., np.ndarray]


@dataclass
class OptimizeResult:
    x: np.ndarray  # best point evaluated
    fun: float  # its objective value (as estimated when it was evaluated)
    nfev: int  # objective rows spent
    history: list[float] = field(default_factory=list)  # best value after each evaluation


class Optimizer(ABC):
    """Hyperparameters are dataclass fields (scikit-learn style); work happens in ``minimize``."""

    name = "optimizer"

    def get_params(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @abstractmethod
    def minimize(self, objective: Objective, x0: np.ndarray, budget: int,
                 rng: np.random.Generator) -> OptimizeResult:
        """Minimize within ``budget`` objective rows."""


class BestTracker:
    """Counts objective rows against a budget and remembers the best point seen."""

    def __init__(self, objective: Objective, budget: int):
        self.objective, self.budget = objective, budget
        self.nfev, self.best_x, self.best_fun, self.history = 0, None, np.inf, []

    @property
    def remaining(self) -> int:
        return self.budget - self.nfev

    def __call__(self, points: np.ndarray, **kwargs) -> np.ndarray:
        points = np.atleast_2d(points)
        if len(points) > self.remaining:
            raise RuntimeError("optimizer bug: evaluation beyond its budget")  # never expected
        values = np.asarray(self.objective(points, **kwargs), dtype=float)
        self.nfev += len(points)
        for x, value in zip(points, values):
            if value < self.best_fun:
                self.best_x, self.best_fun = x.copy(), float(value)
            self.history.append(self.best_fun)
        return values

    def result(self, x0: np.ndarray) -> OptimizeResult:
        x = np.array(x0, dtype=float) if self.best_x is None else self.best_x
        return OptimizeResult(x, self.best_fun, self.nfev, self.history)
