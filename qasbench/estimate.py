"""The predicted cost of a grid before it runs: ``qasbench estimate GRID`` and ``qasbench run GRID --dry-run``.

Cost model, per run: ``budget x (evaluation + overhead)`` seconds of one thread, where

* ``evaluation`` is the seconds of one ``Evaluator.energies`` call for the cell's problem, noise
  and shots, measured here on ``EVALUATION_CALLS`` random circuits of the search space (at half
  its gate cap), one parameter set each;
* ``overhead`` is the algorithm's own seconds per evaluation (its optimizer, agent or model),
  measured here by one short run of the algorithm (``CALIBRATION_BUDGET`` evaluations, or the
  cell's budget if smaller) on its cheapest cell, after a ``WARM_UP_BUDGET`` run that pays the
  one-off costs (imports, compilation): that run's seconds per evaluation minus the cell's
  ``evaluation``, floored at zero.

An algorithm's ``prepare`` (pretraining) is paid by its calibration run, cached, and not
counted again. Limits, stated: runs that stop before their budget are over-predicted; an
overhead that grows with the evaluations spent (a GP refitted on more points, a replay buffer
filling) is extrapolated as constant from the short run.
"""
from __future__ import annotations

import time
from dataclasses import replace

import numpy as np

from qasbench.config import RunConfig
from qasbench.evaluator import Evaluator

EVALUATION_CALLS = 200
CALIBRATION_BUDGET = 300
WARM_UP_BUDGET = 30


def _cell(config: RunConfig) -> tuple:
    return config.problem, config.noise, config.shots, config.max_gates


def evaluation_seconds(config: RunConfig) -> float:
    """Seconds per Evaluator call for this configuration's cell (see the module docstring)."""
    task = replace(config, budget=10**9).task()
    evaluator = Evaluator(task, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    circuits = [task.search_space.sample(rng, max(1, task.search_space.max_gates // 2)) for _ in range(EVALUATION_CALLS)]
    angles = [rng.uniform(-np.pi, np.pi, (1, c.n_params)) for c in circuits]
    evaluator.energies(circuits[0], angles[0])  # compiled kernels loaded, caches warm
    start = time.perf_counter()
    for circuit, x in zip(circuits, angles):
        evaluator.energies(circuit, x)
    return (time.perf_counter() - start) / EVALUATION_CALLS


def estimate(configs: list[RunConfig], log=print) -> list[dict]:
    """One row per (algorithm label, problem, noise, shots) of ``configs``: runs, budget per run,
    predicted seconds per evaluation and CPU-hours in all. ``log`` gets a line per calibration."""
    from qasbench.runner import pin_threads, run_one

    pin_threads()
    evaluation = {}
    for config in configs:
        if _cell(config) not in evaluation:
            evaluation[_cell(config)] = evaluation_seconds(config)
            log(f"calibrated {config.problem} / {config.noise}: {evaluation[_cell(config)] * 1e6:.0f} us per evaluation")
    overhead = {}
    for label in dict.fromkeys(c.label for c in configs):
        cheapest = min((c for c in configs if c.label == label), key=lambda c: evaluation[_cell(c)])
        short = replace(cheapest, budget=min(CALIBRATION_BUDGET, cheapest.budget), seed=0, timeout_s=None)
        run_one(replace(short, budget=min(WARM_UP_BUDGET, short.budget)))  # imports, compiled kernels, caches
        record = run_one(short)
        spent = max(1, record["evaluations_used"])
        overhead[label] = max(0.0, record["wall_time_s"] / spent - evaluation[_cell(cheapest)])
        log(f"calibrated {label}: {overhead[label] * 1e6:.0f} us of its own per evaluation "
            f"({record['evaluations_used']} evaluations on {cheapest.problem} / {cheapest.noise})")
    rows: dict[tuple, dict] = {}
    for config in configs:
        key = (config.label, config.problem, config.noise, "exact" if config.shots is None else config.shots)
        per_evaluation = evaluation[_cell(config)] + overhead[config.label]
        row = rows.setdefault(key, dict(zip(("algorithm", "problem", "noise", "shots"), key),
                                        runs=0, budget=config.budget, us_per_evaluation=per_evaluation * 1e6,
                                        cpu_hours=0.0))
        row["runs"] += 1
        row["cpu_hours"] += config.budget * per_evaluation / 3600
    return list(rows.values())


def totals(rows: list[dict]) -> dict[str, float]:
    """Predicted CPU-hours per algorithm label, in the rows' order."""
    out: dict[str, float] = {}
    for row in rows:
        out[row["algorithm"]] = out.get(row["algorithm"], 0.0) + row["cpu_hours"]
    return out
