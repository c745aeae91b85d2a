"""The predicted cost of a grid before it runs: ``qasbench estimate GRID`` and ``qasbench run GRID --dry-run``.

Cost model, per run: ``fixed + budget x (evaluation + overhead) + growing`` CPU seconds of one thread,
where

* ``evaluation`` is the seconds of one ``Evaluator.energies`` call for the cell's problem, noise
  and shots at the gate count the algorithm's circuits have there. Per cell, a line
  ``base + per_gate x gates`` is fitted (relative residuals) to the median seconds of single
  calls at ``COST_SIZES`` circuit sizes from 1 gate to the search space's cap (random circuits,
  one parameter set each, ``EVALUATION_CALLS`` in all), timed call by call after an untimed
  pass over the same circuits: a median, because a call the scheduler preempts reads
  milliseconds for microseconds on a busy machine. An algorithm's gate
  count is the mean over the evaluations of its calibration run on that problem (below), as a
  fraction of the calibrated cell's cap, applied to the cap of every cell of the problem:
  evolutionary search scores circuits of a few gates, random search of half the cap, and an
  evaluation's cost grows with its gates (measured 0.23 ms at 2 gates to 9.7 ms at 125 on a
  noisy 8-qubit cell);
* ``fixed`` is the algorithm's seconds per run that do not grow with the evaluations
  (TF-QAS's proxies, a tensor-network warm start), and ``overhead`` its own seconds per
  evaluation (its optimizer, agent or model) on each problem. After a warm-up run on the
  algorithm's cheapest cell that pays the one-off costs (imports, compilation), a short run of
  ``WARM_UP_BUDGET`` evaluations there, and one calibration run per problem, on the problem's
  cheapest cell: the cell's full budget, stopped after ``CALIBRATION_SECONDS`` (so a replay
  buffer fills and a model grows as in a real run, as far as the time allows; if it gets no
  evaluation done in that time, a run of ``4 x WARM_UP_BUDGET`` evaluations instead; where that
  run ends on its own within ``SHORT_CALIBRATION_SECONDS``, the mean over seeds 0 to
  ``CALIBRATION_SEEDS - 1``, as an early stopper's spending varies between seeds). The line
  through the short run and the calibration run of the cheapest cell gives ``fixed`` (its
  intercept, floored at zero); each problem's calibration run, less ``fixed``, per evaluation,
  less its cell's ``evaluation``, gives the overhead there (floored at zero);
* the budget spent: all of it, unless a problem's calibration run stopped on its own
  (``stopped_by`` is ``algorithm``, e.g. ADAPT converging), whose fraction of its budget is
  applied to every cell of that problem.

The calibration runs are timed in CPU seconds of the calling thread (``time.thread_time``: the
runs are pinned to one thread, see :func:`qasbench.runner.pin_threads`), the evaluation calls
by the median of their wall times, so that other work on a busy machine, or a thread pool left
spinning in this process, inflates neither; a run's record keeps its wall time, which matches
on a machine with a core per worker.

Calibrating per problem, not once per algorithm, is what the gates and the budget spent need:
evolutionary search fills 25% of the cap on h2-3q and 2% on h2o-8q, and ADAPT stops after 20
evaluations on h2-3q but 18560 on h2o-8q (standard-v1's records); once per algorithm, the
estimate of standard-v1 was 11x over for evolutionary on noisy h2o-8q and 10-100x under for
ADAPT on lih-6q and h2o-8q. It costs up to ``CALIBRATION_SECONDS`` per algorithm and problem.

``growing`` is an algorithm's own work that grows faster than its evaluations (latent BO's GP,
refitted on every scored point), as the algorithm predicts it for the budget spent from its
calibration record on the problem (``Algorithm.growing_seconds``; none for most). An
algorithm's ``prepare`` (pretraining) is paid by the first run on a problem, cached, reported
in the calibration line and not counted. Limits, stated: any other overhead that keeps growing
past the calibration run is extrapolated as constant; the budget an early-stopping method
spends, and the gates its circuits fill, differ between noise profiles of one problem too
(ADAPT on h2-3q: 20 evaluations noiseless, 847 under mumbai-median), and only the problem's
cheapest profile is calibrated; a batch of parameter sets costs less per row than single calls,
which the line is timed on.

A calibration can be stored (``--calibration FILE``: :func:`load_calibration`,
:func:`save_calibration`) and is then reused by later estimates of any grid whose cells and
algorithms it covers, as long as the same code (a clean checkout of one commit) runs on the same
CPU model; anything else is calibrated again. A file holds one calibration per code and CPU:
a new one is added beside the others, never in their place, and uncommitted code's is not stored.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from qasbench.config import RunConfig
from qasbench.evaluator import BudgetExhausted, Evaluator

EVALUATION_CALLS = 200
COST_SIZES = 10  # circuit sizes from 1 gate to the cap, geometrically spaced
CALIBRATION_SECONDS = 15.0
CALIBRATION_SEEDS = 5  # seeds a short calibration pools (see _calibrate)
SHORT_CALIBRATION_SECONDS = CALIBRATION_SECONDS / (2 * CALIBRATION_SEEDS)
WARM_UP_BUDGET = 30
CALIBRATION_FORMAT = 2  # of a stored calibration file (see load_calibration); 1 held a single one


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


def _timed(config: RunConfig, observe=None) -> tuple[dict, float]:
    """``run_one(config, observe)``: its record and the CPU seconds of its search (the record's
    ``cpu_time_s``, over what its ``wall_time_s`` times; the preparation is its
    ``preparation_wall_time_s``). CPU, not wall, time: other work on a busy machine does not
    inflate a calibration (on a machine with a core per worker the two agree)."""
    from qasbench.runner import run_one

    record = run_one(config, observe)
    return record, record["cpu_time_s"]


def _calibrate(cell: RunConfig, line: EvaluationCost, algorithm, stops_early: bool = False) -> dict:
    """Timed runs of ``cell`` at its full budget, each stopped after ``CALIBRATION_SECONDS`` (or,
    with no evaluation done in that time, a run of ``4 x WARM_UP_BUDGET`` evaluations of it):
    seed 0, and seeds 1 to ``CALIBRATION_SEEDS - 1`` too where seed 0's run ended on its own
    within ``SHORT_CALIBRATION_SECONDS``. Returned: seed 0's record, the runs' mean CPU seconds
    (:func:`_timed`) and evaluations spent, the fraction of the gate cap their evaluations
    filled, the mean fraction of the budget they spent and the seconds the algorithm says grow
    past its evaluations at that spending. The fraction is below 1 where runs stopped on their
    own; for an algorithm known to stop early (``stops_early``) whose run the time limit cut, it
    is the fraction spent by then, a lower bound (``"at_least"``). Several seeds where they are
    cheap: how long an early stopper runs varies from seed to seed (hea on h2-4q noiseless,
    lite-v1's records: 3363 to 100000 evaluations, 7962 on seed 0), and a run of milliseconds
    is mostly its first-call costs."""
    runs = []
    for seed in range(CALIBRATION_SEEDS):
        seen = {}

        def observe(evaluator):
            seen.update(gates=evaluator.gates_evaluated, evaluations=evaluator.evaluations_used)
        try:
            record, seconds = _timed(replace(cell, seed=seed, timeout_s=CALIBRATION_SECONDS), observe)
        except BudgetExhausted:  # no evaluation within the time: a fixed cost per run dominates
            record, seconds = _timed(
                replace(cell, budget=min(4 * WARM_UP_BUDGET, cell.budget), seed=seed, timeout_s=None), observe)
        runs.append((record, seconds, seen))
        if seed == 0 and (record["stopped_by"] == "timeout" or seconds > SHORT_CALIBRATION_SECONDS):
            break  # one seed: a long run
    cut = stops_early and any(record["stopped_by"] == "timeout" for record, _, _ in runs)
    fractions = [record["evaluations_used"] / cell.budget
                 if record["stopped_by"] == "algorithm" or (cut and record["stopped_by"] == "timeout") else 1.0
                 for record, _, _ in runs]
    gates = sum(seen.get("gates", 0) for _, _, seen in runs)
    evaluations = sum(seen.get("evaluations", 0) for _, _, seen in runs)
    fraction = float(np.mean(fractions))
    return {"cell": cell, "line": line, "record": runs[0][0], "seeds": len(runs),
            "seconds": float(np.mean([seconds for _, seconds, _ in runs])),
            "spent": max(1.0, float(np.mean([record["evaluations_used"] for record, _, _ in runs]))),
            "at_least": cut, "fraction": fraction,
            "filled": gates / evaluations / line.max_gates if evaluations else 0.5,
            "growing": algorithm.growing_seconds(runs[0][0], round(cell.budget * fraction))}


def _fixed_seconds(first_spent: int, first_seconds: float, calibration: dict) -> float:
    """Seconds per run that do not grow with the evaluations: the intercept of the line through
    the short run (``first_spent`` evaluations in ``first_seconds``) and the calibration run on
    the same cell (floored at zero)."""
    spent, seconds = calibration["spent"], calibration["seconds"]
    slope = (seconds - first_seconds) / (spent - first_spent) if spent > first_spent else seconds / spent
    return max(0.0, first_seconds - first_spent * max(slope, 0.0))


def estimate(configs: list[RunConfig], log=print, stored: dict | None = None) -> list[dict]:
    """One row per (algorithm label, problem, noise, shots) of ``configs``: runs, budget per run,
    predicted seconds per evaluation and CPU-hours in all. ``log`` gets a line per calibration.
    ``stored`` (:func:`load_calibration`): calibrations to reuse, and to which this call's are
    added; an algorithm label's are reused when they cover every cell it has in ``configs``."""
    from qasbench.runner import pin_threads

    pin_threads()
    stored = empty_calibration() if stored is None else stored
    cost = {}
    for config in configs:
        if _cell(config) in cost:
            continue
        if _stored_key(_cell(config)) in stored["lines"]:
            cost[_cell(config)] = EvaluationCost(*stored["lines"][_stored_key(_cell(config))])
            continue
        cost[_cell(config)] = line = evaluation_cost(config)
        stored["lines"][_stored_key(_cell(config))] = [line.base, line.per_gate, line.max_gates]
        log(f"calibrated {config.problem} / {config.noise}: {line.base * 1e6:.0f} us + {line.per_gate * 1e6:.1f} us "
            f"per gate per evaluation (up to {line.max_gates} gates)")

    def cheapness(config):  # the cell to calibrate on: the cheapest evaluations, then the smallest budget
        return cost[_cell(config)].at_fraction(0.5), config.budget
    algorithm = {}
    for label in dict.fromkeys(c.label for c in configs):
        mine = [c for c in configs if c.label == label]
        cheapest = min(mine, key=cheapness)
        algorithm[label] = cheapest.make_algorithm()
        kept = stored["labels"].get(label)
        if kept and all(_stored_key(_cell(c)) in kept["cells"] for c in mine):
            continue
        short = replace(cheapest, budget=min(WARM_UP_BUDGET, cheapest.budget), seed=0, timeout_s=None)
        _timed(short)  # imports, compilation
        first, first_seconds = _timed(short)
        calibrations = {}  # the cells (_cell) calibrated, each problem's cheapest first
        calibrated = {}  # every cell of the label: its own calibration or its problem's cheapest cell's
        for problem in dict.fromkeys([cheapest.problem] + [c.problem for c in mine]):
            cells = {_cell(c): c for c in sorted((c for c in mine if c.problem == problem), key=cheapness)}
            first_cell = next(iter(cells.values()))
            found = calibrations[_cell(first_cell)] = _calibrate(first_cell, cost[_cell(first_cell)], algorithm[label])
            if found["fraction"] < 1:  # it stops on its own, and how soon differs between profiles: each calibrated
                for key, cell in cells.items():
                    if key not in calibrations:
                        calibrations[key] = _calibrate(cell, cost[key], algorithm[label], stops_early=True)
            for key in cells:
                calibrated[key] = calibrations.get(key) or found
        fixed = _fixed_seconds(max(1, first["evaluations_used"]), first_seconds, calibrations[_cell(cheapest)])
        for found in calibrations.values():
            per_evaluation = max(0.0, found["seconds"] - fixed) / found["spent"]
            found["overhead"] = max(0.0, per_evaluation - found["line"].at_fraction(found["filled"]))
            cell = found["cell"]
            log(f"calibrated {label} on {cell.problem} / {cell.noise}: {found['overhead'] * 1e6:.0f} us of its own "
                f"per evaluation, {fixed:.2g} s per run, circuits of {found['filled']:.0%} of the gate cap "
                f"({found['spent']:.0f} evaluations, {found['record']['stopped_by']}"
                + (f"; mean of seeds 0-{found['seeds'] - 1}" if found["seeds"] > 1 else "") + ")"
                + (f"; it {'spends at least' if found['at_least'] else 'stops at'} {found['fraction']:.2%} "
                   "of its budget" if found["fraction"] < 1 else "")
                + (f"; {found['growing']:.3g} s per run growing faster than its evaluations there"
                   if found["growing"] else "")
                + (f"; its preparation took {found['record']['preparation_wall_time_s']:.3g} s (once per "
                   "problem, cached, not counted)" if found["record"]["preparation_wall_time_s"] >= 1 else ""))
        stored["labels"][label] = {"fixed": fixed, "cells": {_stored_key(key): _storable(found)
                                                             for key, found in calibrated.items()}}
    rows: dict[tuple, dict] = {}
    for config in configs:
        kept = stored["labels"][config.label]
        found = kept["cells"][_stored_key(_cell(config))]
        spent = config.budget * found["fraction"]
        growing = found["growing"].get(str(round(spent)))
        if growing is None:  # a budget the calibration did not price (its model times a probe)
            growing = found["growing"][str(round(spent))] = algorithm[config.label].growing_seconds(
                found["record"], round(spent))
        key = _row_key(config.label, config.problem, config.noise, config.shots)
        line = cost[_cell(config)]
        per_evaluation = line.at_fraction(found["filled"]) + found["overhead"]
        row = rows.setdefault(key, dict(zip(("algorithm", "problem", "noise", "shots"), key),
                                        runs=0, budget=config.budget, budget_spent=found["fraction"],
                                        gates_per_evaluation=round(found["filled"] * line.max_gates, 1),
                                        us_per_evaluation=per_evaluation * 1e6, s_per_run_fixed=kept["fixed"],
                                        s_per_run_growing=growing, cpu_hours=0.0))
        row["runs"] += 1
        row["cpu_hours"] += (kept["fixed"] + spent * per_evaluation + growing) / 3600
    return list(rows.values())


def totals(rows: list[dict]) -> dict[str, float]:
    """Predicted CPU-hours per algorithm label, in the rows' order."""
    out: dict[str, float] = {}
    for row in rows:
        out[row["algorithm"]] = out.get(row["algorithm"], 0.0) + row["cpu_hours"]
    return out


def _stored_key(cell: tuple) -> str:
    return json.dumps(list(cell))


def _storable(found: dict) -> dict:
    """What a row needs of a calibration (:func:`_calibrate`), as JSON: its fractions, overhead,
    record (without the anytime curve) and the growing seconds priced so far, by the
    evaluations spent (so that a reuse does not time the algorithm's growth model again)."""
    record = {k: v for k, v in found["record"].items() if k != "history"}
    spent = str(round(found["cell"].budget * found["fraction"]))
    return {"fraction": found["fraction"], "filled": found["filled"], "overhead": found["overhead"],
            "record": record, "growing": {spent: found["growing"]}}


def calibration_identity() -> dict:
    """What a stored calibration holds for: the code that made it and the CPU it ran on."""
    from qasbench.results import code_identity, machine

    found = machine()
    return {"code": code_identity(), "cpu_model": found["cpu_model"], "logical_cpus": found["logical_cpus"]}


def empty_calibration() -> dict:
    return {"identity": calibration_identity(), "lines": {}, "labels": {}}


def _is_calibration(entry) -> bool:
    return isinstance(entry, dict) and {"identity", "lines", "labels"} <= set(entry)


def _stored_calibrations(path: Path) -> list[dict]:
    """Every calibration ``path`` holds (format 2: a list; format 1: one); [] for no file.
    ValueError for a file that is not a calibration file."""
    if not path.exists():
        return []
    try:
        stored = json.loads(path.read_text())
        entries = {1: [stored], 2: stored.get("calibrations")}.get(stored.get("format"))
        valid = isinstance(entries, list) and all(_is_calibration(entry) for entry in entries)
    except (OSError, ValueError, AttributeError) as error:
        raise ValueError(f"{path} is not a qasbench calibration file ({error})") from None
    if not valid:
        raise ValueError(f"{path} is not a qasbench calibration file (format {CALIBRATION_FORMAT} expected)")
    return entries


def _dirty(calibration: dict) -> bool:
    return calibration["identity"]["code"].endswith("+dirty")


def load_calibration(path: str | Path) -> tuple[dict, str]:
    """(calibration, what became of it) from ``path``: the one it holds that this code (a clean
    checkout) made on this CPU, else an empty one to fill, with the reason in one line.
    ValueError for a file that is not a calibration file."""
    path, fresh = Path(path), empty_calibration()
    entries = _stored_calibrations(path)
    if _dirty(fresh):
        return fresh, (f"this code is uncommitted ({fresh['identity']['code']}): calibrating anew, and not storing "
                       f"it in {path} (a calibration of uncommitted code is never reused)")
    for entry in entries:
        if entry["identity"] == fresh["identity"]:
            return entry, (f"reusing {path}: {len(entry['lines'])} cell(s) and {len(entry['labels'])} algorithm(s) "
                           f"calibrated by this code on this CPU; anything else is calibrated and added")
    if not entries:
        return fresh, f"no calibration in {path} yet: calibrating, then storing it there"
    return fresh, (f"{path} holds {len(entries)} calibration(s), none by this code ({fresh['identity']['code']}) on "
                   f"this CPU: calibrating anew, then adding it there beside the others")


def save_calibration(calibration: dict, path: str | Path) -> None:
    """Store ``calibration`` in ``path`` (whole or not at all) in place of the one of the same code
    and CPU, keeping the others; a calibration of uncommitted code is not stored."""
    if _dirty(calibration):
        return
    path = Path(path)
    kept = [entry for entry in _stored_calibrations(path) if entry["identity"] != calibration["identity"]]
    temporary = path.with_name(f".{path.name}.part")
    temporary.write_text(json.dumps({"format": CALIBRATION_FORMAT, "calibrations": kept + [calibration]},
                                    indent=1, sort_keys=True, default=str))
    os.replace(temporary, path)


def against(rows: list[dict], source) -> list[dict]:
    """``rows`` with the measured CPU-hours of the same cells' finished records in ``source``
    (a results directory or archive), how many runs they are, what measured them, and the ratio
    predicted / measured for those runs (a cell that holds 4 of its 10 runs is compared on 4);
    cells without records get None. Measured by the records' search CPU seconds
    (``cpu_time_s``, what the model predicts) where every record of the cell has them, else by
    their search wall times (older records do not have CPU seconds), which a busy machine inflates;
    preparation apart either way."""
    from qasbench.results import iter_records

    times: dict[tuple, list[tuple]] = {}
    for _, record in iter_records(source):
        key = _row_key(record["algorithm_label"], record["problem"], record["noise"], record["shots"])
        times.setdefault(key, []).append((record.get("cpu_time_s"), record["wall_time_s"]))
    out = []
    for row in rows:
        found = times.get((row["algorithm"], row["problem"], row["noise"], row["shots"]), [])
        by_cpu = bool(found) and all(cpu is not None for cpu, _ in found)
        seconds = [cpu if by_cpu else wall for cpu, wall in found]
        hours, runs = (sum(seconds) / 3600 if seconds else None), len(seconds)
        out.append({**row, "measured_cpu_hours": hours, "measured_runs": runs,
                    "measured_by": ("cpu" if by_cpu else "wall") if found else None,
                    "predicted_over_measured": None if not hours else row["cpu_hours"] * runs / row["runs"] / hours})
    return out
