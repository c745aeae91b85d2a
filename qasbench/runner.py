"""Run one configuration, or a grid of them, into a results directory.

A configuration is a flat dict: algorithm, algorithm_params, problem, noise, shots, seed,
budget, max_gates. Randomness comes from ``SeedSequence([seed, crc32(algorithm),
crc32(problem), crc32(noise)])``: child 0 drives the algorithm, child 1 the shot sampling, so a
configuration always gives the same record (wall time and provenance aside).
"""
from __future__ import annotations

import signal
import sys
import time
import zlib
from dataclasses import dataclass
from itertools import product
from pathlib import Path

import numpy as np

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from qasbench import __version__, noise as noise_profiles, problems
from qasbench.algorithms import REGISTRY, make_algorithm
from qasbench.evaluator import BudgetExhausted, Evaluator, Task, exact_energy
from qasbench.results import (RECORD_VERSION, RecordExists, config_hash, provenance, read_record,
                              record_name, write_record)

PROGRESS_EVERY_S = 60.0  # a run still going prints a progress line this often


def run_label(config: dict) -> str:
    """How progress lines name a run, e.g. ``crlqas lih-4q noiseless seed=5``."""
    return f"{config['algorithm']} {config['problem']} {config['noise']} seed={config['seed']}"


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


def _progress_line(config: dict, start: float):
    """A callback printing one line to stderr on how far a long run has come."""
    label = run_label(config)

    def report(evaluator: Evaluator) -> None:
        error = evaluator.best_energy - evaluator.task.problem.ground_energy
        print(f"qasbench: {label}: {evaluator.evaluations_used}/{evaluator.task.budget} evaluations, "
              f"best estimated error {error:.2e} Ha, {time.perf_counter() - start:.0f} s", file=sys.stderr,
              flush=True)
    return report


def run_one(config: dict, timeout_s: float | None = None) -> dict:
    """Execute one configuration and return its record (not yet written).

    ``timeout_s``: wall-clock limit; past it the next evaluation is refused and the run ends as
    if its budget were spent (the record says ``stopped_by: "timeout"``). Runs longer than
    PROGRESS_EVERY_S print a progress line to stderr that often."""
    task = Task.make(config["problem"], config["noise"], config["budget"], config["max_gates"],
                     config["shots"])
    algorithm = make_algorithm(config["algorithm"], **config["algorithm_params"])
    algorithm_seq, shot_seq = seed_sequence(config).spawn(2)
    start = time.perf_counter()
    deadline = None if timeout_s is None else time.monotonic() + timeout_s
    evaluator = Evaluator(task, np.random.default_rng(shot_seq), deadline=deadline,
                          progress=_progress_line(config, start), progress_every_s=PROGRESS_EVERY_S)
    try:
        result = algorithm.search(task, evaluator, np.random.default_rng(algorithm_seq))
        circuit, params, estimate, info = result.circuit, result.params, result.energy, result.info
    except BudgetExhausted:  # an algorithm that ran dry: score the best it evaluated
        if evaluator.best is None:
            raise
        (circuit, params), estimate, info = evaluator.best, evaluator.best_energy, {"ran_out": True}
    wall = time.perf_counter() - start
    timed_out = deadline is not None and time.monotonic() > deadline
    energy = exact_energy(task, circuit, params)
    ground = task.problem.ground_energy
    return {
        "record_version": RECORD_VERSION,
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
        "stopped_by": "timeout" if timed_out else "algorithm",
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
    """One thread per run (BLAS, OpenMP, torch), so parallel runs do not oversubscribe the
    cores, small matrix products skip threading overhead, and torch's reductions are
    deterministic."""
    import torch
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    torch.set_num_threads(1)


def _init_worker() -> None:
    """Pool worker set-up: one thread; Ctrl-C is left to the parent, which stops the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pin_threads()


def _expected_cost(config: dict) -> float:
    """Rough relative cost, for scheduling the longest runs first."""
    return config["budget"] * 2.0 ** problems.load(config["problem"]).n_qubits


def _pending(configs: list[dict], out: Path, counts: dict, log) -> list[dict]:
    """Configurations still to run: finished records are skipped, corrupt ones moved aside."""
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
    return sorted(pending, key=_expected_cost, reverse=True)


def _local_results(pending: list[dict], workers: int, timeout_s: float | None):
    """Yield (config, record or exception) as runs finish, in this process or a spawn pool."""
    if workers <= 1:
        pin_threads()
        for config in pending:
            try:
                yield config, run_one(config, timeout_s)
            except Exception as exc:  # noqa: BLE001  (reported per run, the grid goes on)
                yield config, exc
        return
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor, as_completed

    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker)  # workers start at the first submit
    saved = {k: os.environ.get(k) for k in THREAD_VARIABLES}
    os.environ.update({k: "1" for k in THREAD_VARIABLES})  # inherited by the spawned workers
    try:
        futures = {pool.submit(run_one, config, timeout_s): config for config in pending}
        for future in as_completed(futures):
            yield futures[future], future.exception() or future.result()
    except BaseException:  # interrupted, or the caller stopped early: stop the runs in flight
        in_flight = list((pool._processes or {}).values())  # no public handle before Python 3.14
        pool.shutdown(wait=False, cancel_futures=True)
        for process in in_flight:
            process.terminate()
        raise
    finally:
        pool.shutdown()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _dask_results(pending: list[dict], scheduler: str, timeout_s: float | None):
    """Yield (config, record or exception) from an existing Dask distributed cluster."""
    from distributed import Client, as_completed

    with Client(scheduler) as client:
        futures = {client.submit(run_one, config, timeout_s, pure=False): config for config in pending}
        for future in as_completed(futures):
            yield futures[future], future.exception() or future.result()


def run_grid(configs: list[dict], out: Path, workers: int = 1, executor: str = "local",
             scheduler: str | None = None, timeout_s: float | None = None, log=None) -> dict:
    """Run every configuration without a valid record in ``out``; return counts by outcome.

    ``executor``: ``local`` (this process, or a pool of ``workers`` spawned processes pinned to
    one thread each) or ``dask`` (submit to the cluster at ``scheduler``). Runs go longest
    first; records are written atomically by this process as runs finish, so an interrupted
    grid resumes where it stopped. A failing run is reported and counted, the rest go on.
    """
    out, log = Path(out), log or sys.stderr
    counts = {"done": 0, "skipped": 0, "rerun_corrupt": 0, "failed": 0}
    pending = _pending(configs, out, counts, log)
    if executor == "dask":
        if not scheduler:
            raise ValueError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
        results = _dask_results(pending, scheduler, timeout_s)
    elif executor == "local":
        results = _local_results(pending, workers, timeout_s)
    else:
        raise ValueError(f"unknown executor {executor!r}; choose local or dask")
    start = time.perf_counter()
    for finished, (config, outcome) in enumerate(results, 1):
        label = run_label(config)
        eta = (time.perf_counter() - start) / finished * (len(pending) - finished)
        if isinstance(outcome, BaseException):
            counts["failed"] += 1
            print(f"[{finished}/{len(pending)}] {label}: FAILED ({type(outcome).__name__}: {outcome})",
                  file=log, flush=True)
            continue
        try:
            write_record(outcome, out)
            counts["done"] += 1
        except RecordExists:  # another process finished it first: keep theirs
            counts["skipped"] += 1
        print(f"[{finished}/{len(pending)}] {label}: error={outcome['error']:.2e} Ha, "
              f"{outcome['evaluations_used']} evals, {outcome['wall_time_s']:.1f}s (ETA {eta:.0f}s)",
              file=log, flush=True)
    return counts
