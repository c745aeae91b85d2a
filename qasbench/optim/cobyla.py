"""COBYLA (scipy), with the budget enforced by the wrapper rather than trusted to scipy."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from qasbench.optim.base import BestTracker, Objective, OptimizeResult, Optimizer


class _OutOfBudget(Exception):
    pass


@dataclass
class COBYLA(Optimizer):
    rhobeg: float = 0.5  # initial trust-region radius (radians)
    tol: float = 1e-8

    name = "cobyla"

    def minimize(self, objective: Objective, x0, budget: int, rng: np.random.Generator) -> OptimizeResult:
        tracker = BestTracker(objective, budget)
        x0 = np.asarray(x0, dtype=float)
        if x0.size == 0 or budget < 2:  # scipy's COBYLA rejects zero-size problems
            if budget >= 1:
                tracker(x0[None, :])
            return tracker.result(x0)

        def scalar(x):
            if tracker.remaining < 1:
                raise _OutOfBudget
            return float(tracker(x[None, :])[0])

        try:
            minimize(scalar, x0, method="COBYLA", tol=self.tol,
                     options={"maxiter": budget, "rhobeg": self.rhobeg})
        except _OutOfBudget:
            pass
        return tracker.result(x0)
