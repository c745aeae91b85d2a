"""SPSA and CRLQAS's Adam-SPSA (Patel et al., ICLR 2024, arXiv 2402.03500, appendix).

Both share one loop. Iteration k (from 0): draw a Rademacher vector D from the caller's rng,
estimate ``g = (f(x + c_k D) - f(x - c_k D)) / (2 c_k) * D`` (one batched call, 2 rows), take a
step, then evaluate the new point (1 row) so the best point seen can be returned.

* SPSA: ``x -= a_k g`` with ``a_k = a / (k + 1 + A)^alpha``, ``c_k = c / (k + 1)^gamma``,
  ``A`` = 10% of the iterations and, unless given, ``a`` calibrated from a few gradient
  samples at the start so that the first step moves each angle by about 0.2 rad (Spall 1998).
* Adam-SPSA: ``beta1_k = beta1 / (k + 1)^lamda``; ``m = beta1_k m + (1 - beta1_k) g``;
  ``v = beta2 v + (1 - beta2) g^2``; ``x -= a_k m_hat / (sqrt(v_hat) + eps)`` with bias
  corrections ``1 - beta1_k^(k+1)`` and ``1 - beta2^(k+1)``, ``a_k = a / (k + 1)^alpha``.
  Multi-stage: the budget is split over stages evaluated with shot_scale 1/100, 1/10, 1, and
  k, m, v carry across stages.

Deviations from the released code (on purpose): perturbations come from the caller's rng, not a
fixed seed; every evaluation is counted (the release counted 2 per iteration but made 3); and
shot noise applies to every call, including the evaluation of the new point.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qasbench.optim.base import BestTracker, Objective, OptimizeResult, Optimizer

ROWS_PER_ITERATION = 3


@dataclass
class SPSA(Optimizer):
    a: float | None = None  # None: calibrated, see `_calibrated_gain`
    c: float = 0.1
    alpha: float = 0.602
    gamma: float = 0.101
    A_fraction: float = 0.1  # stability constant A as a fraction of the iteration count (Spall)
    target_step: float = 0.2  # calibration: mean first step per angle (radians)
    calibration_samples: int = 5

    name = "spsa"

    def _calibrated_gain(self, tracker, x, total: int, shot_scale: float, rng) -> float:
        """Spall's rule: choose ``a`` so the first step moves each angle by ``target_step`` on
        average, from ``calibration_samples`` gradient estimates at x0 (2 evaluations each)."""
        magnitudes = []
        for _ in range(self.calibration_samples):
            if tracker.remaining < 2 + ROWS_PER_ITERATION:
                break
            delta = rng.choice([-1.0, 1.0], size=x.size)
            plus, minus = tracker(np.stack([x + self.c * delta, x - self.c * delta]), shot_scale=shot_scale)
            magnitudes.append(abs(plus - minus) / (2.0 * self.c))
        mean = float(np.mean(magnitudes)) if magnitudes else 0.0
        return self.target_step * (1 + self.A_fraction * total) ** self.alpha / max(mean, 1e-12)

    def _stages(self, budget: int) -> list[tuple[int, float]]:
        """(iterations, shot_scale) per stage."""
        return [(max(0, (budget - 1) // ROWS_PER_ITERATION), 1.0)]

    def _gains(self, k: int, iterations: int, a: float) -> tuple[float, float]:
        stability = self.A_fraction * iterations
        return a / (k + 1 + stability) ** self.alpha, self.c / (k + 1) ** self.gamma

    def _direction(self, k: int, gradient: np.ndarray, state: dict) -> np.ndarray:
        return gradient

    def minimize(self, objective: Objective, x0, budget: int, rng: np.random.Generator) -> OptimizeResult:
        tracker = BestTracker(objective, budget)
        x = np.array(x0, dtype=float)
        stages = self._stages(budget)
        if budget >= 1:
            tracker(x[None, :], shot_scale=stages[0][1])
        if x.size == 0:
            return tracker.result(x)
        total = sum(n for n, _ in stages)
        a = self.a if self.a is not None else self._calibrated_gain(tracker, x, total, stages[0][1], rng)
        state: dict = {}
        k = 0
        for iterations, shot_scale in stages:
            for _ in range(iterations):
                if tracker.remaining < ROWS_PER_ITERATION:
                    break
                a_k, c_k = self._gains(k, total, a)
                delta = rng.choice([-1.0, 1.0], size=x.size)
                plus, minus = tracker(np.stack([x + c_k * delta, x - c_k * delta]), shot_scale=shot_scale)
                gradient = (plus - minus) / (2.0 * c_k) * delta
                x = x - a_k * self._direction(k, gradient, state)
                tracker(x[None, :], shot_scale=shot_scale)
                k += 1
        return tracker.result(x0)


@dataclass
class AdamSPSA(SPSA):
    """Adam-SPSA; ``stage_fractions`` gives each stage's share of the budget. The last stage runs
    at full shots, the one before at 1/10, the one before that at 1/100."""

    a: float = 1.4934
    c: float = 0.0612
    alpha: float = 0.9931
    gamma: float = 0.0253
    lamda: float = 0.6104
    beta1: float = 0.8804
    beta2: float = 0.9979
    epsilon: float = 1e-8
    stage_fractions: tuple[float, ...] = (1.0,)

    name = "adam-spsa"

    def __post_init__(self):
        if not 1 <= len(self.stage_fractions) <= 3 or abs(sum(self.stage_fractions) - 1) > 1e-9:
            raise ValueError("stage_fractions needs 1 to 3 shares that sum to 1")

    def _stages(self, budget: int) -> list[tuple[int, float]]:
        iterations = max(0, (budget - 1) // ROWS_PER_ITERATION)
        scales = (1e-2, 1e-1, 1.0)[-len(self.stage_fractions):]
        counts = [int(iterations * f) for f in self.stage_fractions]
        counts[-1] += iterations - sum(counts)
        return list(zip(counts, scales))

    def _gains(self, k: int, iterations: int, a: float) -> tuple[float, float]:
        return a / (k + 1) ** self.alpha, self.c / (k + 1) ** self.gamma

    def _direction(self, k: int, gradient: np.ndarray, state: dict) -> np.ndarray:
        beta1 = self.beta1 / (k + 1) ** self.lamda
        m = beta1 * state.get("m", 0.0) + (1 - beta1) * gradient
        v = self.beta2 * state.get("v", 0.0) + (1 - self.beta2) * gradient**2
        state["m"], state["v"] = m, v
        m_hat = m / (1 - beta1 ** (k + 1))
        v_hat = v / (1 - self.beta2 ** (k + 1))
        return m_hat / (np.sqrt(v_hat) + self.epsilon)
