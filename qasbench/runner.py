"""Run one configuration, or a grid of them, into a results directory.

A configuration is a flat dict: algorithm, algorithm_params, problem, noise, shots, seed,
budget, max_gates. Randomness comes from ``SeedSequence([seed, crc32(algorithm),
crc32(problem), crc32(noise)])``: child 0 drives the algorithm, child 1 the shot sampling, so a
configuration always gives the same record (wall time and provenance aside).
"""
from __future__ import annotations

import sys
import time
import tomllib
import zlib
from dataclasses import dataclass
from itertools import product
from pathlib import Path

import numpy as np

from qasbench import __version__, noise as noise_profiles, problems
from qasbench.algorithms import REGISTRY, make_algorithm
from qasbench.evaluator import BudgetExhausted, Evaluator, Task, exact_energy
from qasbench.results import (RecordExists, config_hash, provenance, read_record, record_name,
                              write_record)


def make_config(algorithm: str, problem: str, noise: str, seed: int, budget: int | None = None,
                algorithm_params: dict | None = None, shots: int | None = None,
                max_gates: int | None = None) -> dict:
    """Validate names and numbers and return the canonical configuration of one run."""
    if algorithm not in REGISTRY:
        raise ValueError(f"unknown algorithm {algorithm!r}; choose from {', '.join(REGISTRY)}")
    spec = problems.load(problem)
    noise_profiles.get(noise, shots)
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    budget = spec.standard_budget if budget is None else budget
    if not isinstance(budget, (int, np.integer)) or isinstance(budget, bool) or budget < 1:
        raise ValueError(f"budget must be a positive integer number of evaluations, got {budget!r}")
    make_algorithm(algorithm, **(algorithm_params or {}))  # reject bad hyperparameters early
    return {"algorithm": algorithm, "algorithm_params": dict(algorithm_params or {}),
            "problem": problem, "noise": noise, "shots": shots, "seed": int(seed),
            "budget": int(budget), "max_gates": max_gates}


def seed_sequence(config: dict) -> np.random.SeedSequence:
    names = [zlib.crc32(config[k].encode()) for k in ("algorithm", "problem", "noise")]
    return np.random.SeedSequence([config["seed"], *names])


def run_one(config: dict) -> dict:
    """Execute one configuration and return its record (not yet written)."""
    task = Task.make(config["problem"], config["noise"], config["budget"], config["max_gates"],
                     config["shots"])
    algorithm = make_algorithm(config["algorithm"], **config["algorithm_params"])
    algorithm_seq, shot_seq = seed_sequence(config).spawn(2)
    evaluator = Evaluator(task, np.random.default_rng(shot_seq))
    start = time.perf_counter()
    try:
        result = algorithm.search(task, evaluator, np.random.default_rng(algorithm_seq))
        circuit, params, estimate, info = result.circuit, result.params, result.energy, result.info
    except BudgetExhausted:  # an algorithm that ran dry: score the best it evaluated
        if evaluator.best is None:
            raise
        (circuit, params), estimate, info = evaluator.best, evaluator.best_energy, {"ran_out": True}
    wall = time.perf_counter() - start
    energy = exact_energy(task, circuit, params)
    ground = task.problem.ground_energy
    return {
        "record_version": 1,
        "config": config,
        "config_hash": config_hash(config),
        **{k: config[k] for k in ("algorithm", "problem", "noise", "seed", "budget")},
        **task.describe(),
        "algorithm_params": algorithm.get_params(),
        "evaluations_used": evaluator.evaluations_used,
        "shots_used": evaluator.shots_used,
        "estimated_energy": float(estimate),
        "best_energy": energy,
        "ground_energy": ground,
        "error": energy - ground,
        "success": bool(energy - ground < task.success_threshold),
        "success_threshold": task.success_threshold,
        "circuit": circuit.to_dict(),
        "angles": [float(p) for p in np.ravel(params)],
        **circuit.counts(),
        "info": info,
        "history": evaluator.history,
        "wall_time_s": wall,
        "qasbench_version": __version__,
        **provenance(),
    }


@dataclass
class Experiment:
    """A grid read from TOML: algorithms x problems x noise x seeds, one budget rule."""

    name: str
    configs: list[dict]

    @classmethod
    def from_toml(cls, path: str | Path) -> "Experiment":
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text())
        except OSError as exc:
            raise ValueError(f"cannot read experiment file {path}: {exc.strerror}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"malformed experiment file {path}: {exc}") from None
        allowed = {"name", "problems", "noise", "seeds", "budget", "shots", "max_gates", "algorithms"}
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"{path}: unknown key {sorted(unknown)[0]!r}; allowed: {', '.join(sorted(allowed))}")
        for key in ("problems", "noise", "seeds", "algorithms"):
            if not data.get(key):
                raise ValueError(f"{path}: {key!r} must be given and non-empty")
        configs = [
            make_config(alg, prob, noise, seed, data.get("budget"), params, data.get("shots"),
                        data.get("max_gates"))
            for (alg, params), prob, noise, seed in product(
                data["algorithms"].items(), data["problems"], data["noise"], data["seeds"])
        ]
        return cls(data.get("name", path.stem), configs)


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def pin_threads() -> None:
    """One thread per run (BLAS, torch, aer), so parallel runs do not oversubscribe the cores
    and torch's reductions are deterministic."""
    import torch

    torch.set_num_threads(1)


def _expected_cost(config: dict) -> float:
    """Rough relative cost, for scheduling the longest runs first."""
    return config["budget"] * 2.0 ** problems.load(config["problem"]).n_qubits


def run_grid(configs: list[dict], out: Path, workers: int = 1, log=None) -> dict:
    """Run every configuration without a valid record in ``out``; return counts by outcome.

    Finished records are skipped; a corrupt one is moved aside (``.corrupt-`` prefix, kept for
    inspection) and re-run. With ``workers > 1`` runs go to a process pool (longest first),
    each worker pinned to one thread; records are written by this process as runs finish.
    """
    out, log = Path(out), log or sys.stderr
    counts = {"done": 0, "skipped": 0, "rerun_corrupt": 0}
    pending = []
    for config in configs:
        path = out / record_name(config)
        if path.exists():
            try:
                read_record(path)
                counts["skipped"] += 1
                continue
            except ValueError as exc:
                print(f"qasbench: {exc}; moving it aside and re-running", file=log)
                path.rename(path.with_name(".corrupt-" + path.name))
                counts["rerun_corrupt"] += 1
        pending.append(config)
    pending.sort(key=_expected_cost, reverse=True)
    start, total = time.perf_counter(), len(pending)

    def finish(config: dict, record: dict) -> None:
        try:
            write_record(record, out)
        except RecordExists:  # another process finished it first: keep theirs
            counts["skipped"] += 1
            return
        counts["done"] += 1
        elapsed = time.perf_counter() - start
        eta = elapsed / counts["done"] * (total - counts["done"])
        print(f"[{counts['done']}/{total}] {config['algorithm']} {config['problem']} {config['noise']} "
              f"seed={config['seed']}: error={record['error']:.2e} Ha, {record['evaluations_used']} evals, "
              f"{record['wall_time_s']:.1f}s (elapsed {elapsed:.0f}s, ETA {eta:.0f}s)", file=log, flush=True)

    if workers <= 1:
        pin_threads()
        for config in pending:
            finish(config, run_one(config))
        return counts
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor, as_completed

    saved = {k: os.environ.get(k) for k in THREAD_VARIABLES}
    os.environ.update({k: "1" for k in THREAD_VARIABLES})  # inherited by the spawned workers
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=pin_threads) as pool:
            futures = {pool.submit(run_one, config): config for config in pending}
            for future in as_completed(futures):
                finish(futures[future], future.result())
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return counts
