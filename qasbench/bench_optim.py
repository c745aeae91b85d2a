"""``qasbench bench-optim``: inner optimizers on fixed circuits, noiseless and under shot noise.

For each problem, a hardware-efficient circuit (RY layers + CNOT ladders) is optimized from the
same random start per seed by every optimizer, through an Evaluator with the given budget.
After every evaluation we note the point the optimizer would return if stopped then (its best
estimate so far) and compute that point's *exact* error outside the budget. Reported per
(problem, shots, optimizer): how many seeds reach the target, the median evaluations to reach it
(over those seeds), and the median exact error at the full budget.
"""
from __future__ import annotations

import numpy as np

from qasbench.circuit import Circuit, hardware_efficient
from qasbench.evaluator import Evaluator, Task
from qasbench.problem import CHEMICAL_ACCURACY
from qasbench.registry import make_optimizer

TASKS = (("h2-4q", 2), ("lih-4q", 3))  # (problem, HEA layers)
SHOTS = (None, 1000)
OPTIMIZERS = ("cobyla", "spsa", "adam-spsa")


def _trace(task: Task, circuit: Circuit, optimizer: str, x0: np.ndarray, seed: int) -> tuple[int | None, float]:
    """(evaluations until the returned point's exact error <= target, final exact error)."""
    exact = task.backend()
    ground = task.problem.ground_energy
    evaluator = Evaluator(task, np.random.default_rng([seed, 1]))
    state = {"best": np.inf, "error": np.inf, "reached": None}

    def objective(points, shot_scale=1.0):
        values = evaluator.energies(circuit, points, shot_scale=shot_scale)
        for offset, (x, value) in enumerate(zip(points, values)):
            if value < state["best"]:
                state["best"], state["error"] = value, float(exact.energies(circuit, x)[0] - ground)
            if state["reached"] is None and state["error"] <= CHEMICAL_ACCURACY:
                state["reached"] = evaluator.evaluations_used - len(points) + offset + 1
        return values

    result = make_optimizer(optimizer).minimize(objective, x0, task.budget, np.random.default_rng([seed, 2]))
    final = float(exact.energies(circuit, result.x)[0] - ground)
    return state["reached"], final


def bench_optim(seeds: int = 20, budget: int = 3000) -> list[dict]:
    rows = []
    for problem, layers in TASKS:
        for shots in SHOTS:
            task = Task.make(problem, "noiseless", budget=budget, shots=shots)
            circuit = hardware_efficient(task.problem.n_qubits, layers)
            for optimizer in OPTIMIZERS:
                reached, finals = [], []
                for seed in range(seeds):
                    x0 = np.random.default_rng([seed, 0]).uniform(-np.pi, np.pi, circuit.n_params)
                    hit, final = _trace(task, circuit, optimizer, x0, seed)
                    reached.append(hit)
                    finals.append(final)
                hits = [r for r in reached if r is not None]
                rows.append({
                    "problem": problem, "layers": layers, "shots": shots, "optimizer": optimizer,
                    "budget": budget, "seeds": seeds, "target": CHEMICAL_ACCURACY,
                    "seeds_reaching_target": len(hits),
                    "median_evaluations_to_target": float(np.median(hits)) if hits else None,
                    "median_final_error": float(np.median(finals)),
                })
    return rows
