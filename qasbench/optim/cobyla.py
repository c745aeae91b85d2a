"""COBYLA (scipy), with the budget enforced by the wrapper rather than trusted to scipy."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from qasbench.optim.base import BestTracker, Objective, OptimizeResult, Optimizer


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

        stopped: list[Exception] = []  # what ended the run early: re-raised once scipy has returned

        def scalar(x):
            # an exception raised inside scipy's compiled callback gets printed as a C-level
            # traceback ("capi_return is NULL"): after the first, answer the best value so far
            # (scipy sees no progress and stops at maxiter, no evaluation is spent) instead
            if stopped or tracker.remaining < 1:
                return tracker.best_fun if np.isfinite(tracker.best_fun) else 0.0
            try:
                return float(tracker(x[None, :])[0])
            except Exception as exc:  # noqa: BLE001  (the budget or time limit of the caller, say)
                stopped.append(exc)
                return tracker.best_fun if np.isfinite(tracker.best_fun) else 0.0

        minimize(scalar, x0, method="COBYLA", tol=self.tol, options={"maxiter": budget, "rhobeg": self.rhobeg})
        if stopped:
            raise stopped[0]
        return tracker.result(x0)
