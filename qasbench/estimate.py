"""The predicted cost of a grid before it runs: ``qasbench estimate GRID`` and ``qasbench run GRID --dry-run``.

Cost model, per run: ``fixed + budget x (evaluation + overhead) + growing`` seconds of one thread, where

* ``evaluation`` is the seconds of one ``Evaluator.energies`` call for the cell's problem, noise
  and shots at the gate count the algorithm's circuits have there. Per cell, a line
  ``base + per_gate x gates`` is fitted (relative residuals) to the median seconds of single
  calls at ``COST_SIZES`` circuit sizes from 1 gate to the search space's cap (random circuits,
  one parameter set each, ``EVALUATION_CALLS`` in all), timed call by call after an untimed
  pass over the same circuits: a median, because a call the scheduler preempts reads
  milliseconds for microseconds on a busy machine. An algorithm's gate
  count is the mean over the evaluations of its calibration run (below), as a fraction of that
  cell's cap, applied to every cell's cap: evolutionary search scores circuits of a few gates,
  random search of half the cap, and an evaluation's cost grows with its gates (measured 0.23 ms
  at 2 gates to 9.7 ms at 125 on a noisy 8-qubit cell);
* ``overhead`` is the algorithm's own seconds per evaluation (its optimizer, agent or model)
  and ``fixed`` its seconds per run that do not grow with the evaluations (TF-QAS's proxies, a
  tensor-network warm start), from two runs on its cheapest cell after a warm-up run that pays
  the one-off costs (imports, compilation): a short run of ``WARM_UP_BUDGET`` evaluations and a
  run at the cell's full budget stopped after ``CALIBRATION_SECONDS`` (so a replay buffer
  fills and a model grows as in a real run, as far as the time allows; if it gets no
  evaluation done in that time, a run of ``4 x WARM_UP_BUDGET`` evaluations instead). The
  line through the two (evaluations, seconds) points gives the seconds per evaluation (less
  the cell's ``evaluation``: the overhead, floored at zero) and the fixed seconds (its
  intercept, floored at zero);
* the budget spent: all of it, unless the calibration run stopped on its own (``stopped_by`` is
  ``algorithm``, e.g. ADAPT converging), whose fraction of its budget is applied to every cell.

``growing`` is an algorithm's own work that grows faster than its evaluations (latent BO's GP,
refitted on every scored point), as the algorithm predicts it for the budget spent from its
calibration record (``Algorithm.growing_seconds``; none for most). An algorithm's ``prepare``
(pretraining) is paid by its warm-up run, cached, and not counted again. Limits, stated: any
other overhead that keeps growing past the calibration run is extrapolated as constant; the
fraction of the budget an early-stopping method spends, and the fraction of the gate cap a
method's circuits fill, differ between problems; a batch of parameter sets costs less per row
than single calls, which the line is timed on.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np

from qasbench.config import RunConfig
from qasbench.evaluator import BudgetExhausted, Evaluator

EVALUATION_CALLS = 200
COST_SIZES = 10  # circuit sizes from 1 gate to the cap, geometrically spaced
CALIBRATION_SECONDS = 15.0
WARM_UP_BUDGET = 30


def _cell(config: RunConfig) -> tuple:
    return config.problem, config.noise, config.shots, config.max_gates


def _row_key(label: str, problem: str, noise: str, shots) -> tuple:
    """A row of the estimate: (algorithm label, problem, noise, shots or "exact")."""
    return label, problem, noise, "exact" if shots is None else shots


@dataclass(frozen=True)
class EvaluationCost:
    """Seconds of one Evaluator call in a cell: ``base + per_gate x gates``, for circuits of up
    to ``max_gates`` gates (the cell's search-space cap)."""

    base: float
    per_gate: float
    max_gates: int

    def at_fraction(self, fraction: float) -> float:
        """Seconds per call for circuits filling ``fraction`` of the cap."""
        return self.base + self.per_gate * fraction * self.max_gates


def evaluation_cost(config: RunConfig) -> EvaluationCost:
    """The cost line of this configuration's cell (see the module docstring)."""
    task = replace(config, budget=10**9).task()
    evaluator = Evaluator(task, np.random.default_rng(0))
    rng = np.random.default_rng(1)
    cap = task.search_space.max_gates
    sizes = np.unique(np.geomspace(1, cap, COST_SIZES).round().astype(int))
    calls = EVALUATION_CALLS // len(sizes)
    circuits = [task.search_space.sample(rng, int(size)) for size in sizes for _ in range(calls)]
    for circuit in circuits:  # kernels compiled, gate operators built: a long run's state
        evaluator.energies(circuit, rng.uniform(-np.pi, np.pi, (1, circuit.n_params)))
    seconds = []
    for circuit in circuits:  # new angles: nothing a cache keeps of the first pass applies
        angles = rng.uniform(-np.pi, np.pi, (1, circuit.n_params))
        start = time.perf_counter()
        evaluator.energies(circuit, angles)
        seconds.append(time.perf_counter() - start)
    medians = np.median(np.reshape(seconds, (len(sizes), calls)), axis=1)
    per_gate, base = np.polyfit(sizes, medians, 1, w=1 / medians)  # relative residuals: small circuits count
    return EvaluationCost(max(0.0, float(base)), max(0.0, float(per_gate)), cap)


def estimate(configs: list[RunConfig], log=print) -> list[dict]:
    """One row per (algorithm label, problem, noise, shots) of ``configs``: runs, budget per run,
    predicted seconds per evaluation and CPU-hours in all. ``log`` gets a line per calibration."""
    from qasbench.runner import pin_threads, run_one

    pin_threads()
    cost = {}
    for config in configs:
        if _cell(config) not in cost:
            cost[_cell(config)] = line = evaluation_cost(config)
            log(f"calibrated {config.problem} / {config.noise}: {line.base * 1e6:.0f} us + {line.per_gate * 1e6:.1f} us "
                f"per gate per evaluation (up to {line.max_gates} gates)")
    algorithm, overhead, fixed, fraction, filled, calibration = {}, {}, {}, {}, {}, {}
    for label in dict.fromkeys(c.label for c in configs):
        cheapest = min((c for c in configs if c.label == label),
                       key=lambda c: (cost[_cell(c)].at_fraction(0.5), c.budget))
        short = replace(cheapest, budget=min(WARM_UP_BUDGET, cheapest.budget), seed=0, timeout_s=None)
        run_one(short)  # imports, compilation
        first = run_one(short)
        seen = {}

        def observe(evaluator):
            seen.update(gates=evaluator.gates_evaluated, evaluations=evaluator.evaluations_used)
        try:
            record = run_one(replace(cheapest, seed=0, timeout_s=CALIBRATION_SECONDS), observe)
        except BudgetExhausted:  # no evaluation within the time: a fixed cost per run dominates
            record = run_one(replace(short, budget=min(4 * WARM_UP_BUDGET, cheapest.budget)), observe)
        line = cost[_cell(cheapest)]
        filled[label] = seen["gates"] / seen["evaluations"] / line.max_gates if seen.get("evaluations") else 0.5
        spent, first_spent = max(1, record["evaluations_used"]), max(1, first["evaluations_used"])
        slope = ((record["wall_time_s"] - first["wall_time_s"]) / (spent - first_spent) if spent > first_spent
                 else record["wall_time_s"] / spent)
        overhead[label] = max(0.0, slope - line.at_fraction(filled[label]))
        fixed[label] = max(0.0, first["wall_time_s"] - first_spent * max(slope, 0.0))
        fraction[label] = spent / cheapest.budget if record["stopped_by"] == "algorithm" else 1.0
        algorithm[label], calibration[label] = cheapest.make_algorithm(), record
        # a cost model of the algorithm's own (e.g. latent-bo timing its GP) runs here, inside this label's line
        growing = algorithm[label].growing_seconds(record, round(cheapest.budget * fraction[label]))
        log(f"calibrated {label}: {overhead[label] * 1e6:.0f} us of its own per evaluation, {fixed[label]:.2g} s "
            f"per run, circuits of {filled[label]:.0%} of the gate cap "
            f"({spent} evaluations on {cheapest.problem} / {cheapest.noise}, {record['stopped_by']})"
            + (f"; it stopped at {fraction[label]:.0%} of its budget" if fraction[label] < 1 else "")
            + (f"; {growing:.3g} s per run growing faster than its evaluations there" if growing else ""))
    rows: dict[tuple, dict] = {}
    for config in configs:
        spent = config.budget * fraction[config.label]
        growing = algorithm[config.label].growing_seconds(calibration[config.label], round(spent))
        key = _row_key(config.label, config.problem, config.noise, config.shots)
        line = cost[_cell(config)]
        per_evaluation = line.at_fraction(filled[config.label]) + overhead[config.label]
        row = rows.setdefault(key, dict(zip(("algorithm", "problem", "noise", "shots"), key),
                                        runs=0, budget=config.budget, budget_spent=fraction[config.label],
                                        gates_per_evaluation=round(filled[config.label] * line.max_gates, 1),
                                        us_per_evaluation=per_evaluation * 1e6, s_per_run_fixed=fixed[config.label],
                                        s_per_run_growing=growing, cpu_hours=0.0))
        row["runs"] += 1
        row["cpu_hours"] += (fixed[config.label] + spent * per_evaluation + growing) / 3600
    return list(rows.values())


def totals(rows: list[dict]) -> dict[str, float]:
    """Predicted CPU-hours per algorithm label, in the rows' order."""
    out: dict[str, float] = {}
    for row in rows:
        out[row["algorithm"]] = out.get(row["algorithm"], 0.0) + row["cpu_hours"]
    return out


def against(rows: list[dict], source) -> list[dict]:
    """``rows`` with the measured CPU-hours of the same cells' finished records in ``source``
    (a results directory or archive: the sum of their search wall times, preparation apart), how
    many runs they are, and the ratio predicted / measured for those runs (a cell that holds 4 of
    its 10 runs is compared on 4); cells without records get None."""
    from qasbench.results import iter_records

    wall_times: dict[tuple, list[float]] = {}
    for _, record in iter_records(source):
        key = _row_key(record["algorithm_label"], record["problem"], record["noise"], record["shots"])
        wall_times.setdefault(key, []).append(record["wall_time_s"])
    out = []
    for row in rows:
        seconds = wall_times.get((row["algorithm"], row["problem"], row["noise"], row["shots"]), [])
        hours, runs = (sum(seconds) / 3600 if seconds else None), len(seconds)
        out.append({**row, "measured_cpu_hours": hours, "measured_runs": runs,
                    "predicted_over_measured": None if not hours else row["cpu_hours"] * runs / row["runs"] / hours})
    return out
