"""Run one configuration (a :class:`~qasbench.config.RunConfig`), or a grid of them, into a
results directory: one JSON record per run, written as runs finish.
"""
from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import product
from pathlib import Path

import numpy as np

from qasbench import __version__, registry
from qasbench.config import RunConfig, method_entries
from qasbench.device import DeviceNoise
from qasbench.evaluator import BudgetExhausted, Evaluator, exact_energy, task_noise
from qasbench.native import native_counts
from qasbench.results import (RECORD_VERSION, RecordExists, code_identity, provenance, read_record,
                              write_record)
from qasbench.tomlfile import read_toml

PROGRESS_EVERY_S = 60.0  # a run still going prints a progress line this often


def _progress_line(config: RunConfig, start: float):
    """A callback printing one line to stderr on how far a long run has come."""
    label = config.describe()

    def report(evaluator: Evaluator) -> None:
        error = evaluator.best_energy - evaluator.task.problem.ground_energy
        print(f"qasbench: {label}: {evaluator.evaluations_used}/{evaluator.task.budget} evaluations, "
              f"best estimated error {error:.2e}, {time.perf_counter() - start:.0f} s", file=sys.stderr,
              flush=True)
    return report


def warm_up(task) -> None:
    """Compile (or load from numba's cache) the simulator kernels the task's evaluations use,
    one parameter set at a time and batched, by two uncharged energies of a one-gate circuit on
    a backend of its own: otherwise the first run in a fresh worker pays it inside its search
    (lite-v1's records: random search on h2-2q under depol-1e-3, 5.8 s for the first run of each
    of two workers against 0.25 s for the other eight). The run's records are unchanged."""
    from qasbench.circuit import Circuit, Gate
    from qasbench.sim.ptm import BATCH_KERNEL_MIN_BATCH, BATCH_KERNEL_QUBITS

    n = task.problem.hamiltonian.n_qubits
    backend, circuit = task.backend(), Circuit(n, (Gate("RY", (0,)),))
    for batch in (1, BATCH_KERNEL_MIN_BATCH) if n <= BATCH_KERNEL_QUBITS else (1,):
        backend.energies(circuit, np.zeros((batch, 1)))


def run_one(config: RunConfig, observe: Callable[[Evaluator], None] | None = None) -> dict:
    """Execute one configuration and return its record (not yet written).

    ``config.timeout_s``: wall-clock limit; past it the next evaluation is refused and the run
    ends as if its budget were spent. The algorithm's ``prepare`` (pretraining) and the
    simulator's warm-up (:func:`warm_up`) run first, timed apart (``preparation_wall_time_s``);
    ``wall_time_s`` and the time limit are the search's alone, and so is ``cpu_time_s`` (CPU
    seconds of the run's thread, where a pinned run does all its work: what other processes on
    a busy machine take does not count). ``stopped_by`` says why the run
    ended: ``budget`` (every evaluation spent), ``timeout``, or ``algorithm`` (it returned with
    budget left). Runs longer than
    PROGRESS_EVERY_S print a progress line to stderr that often. ``observe``, if given, is
    called with the run's Evaluator when the search has ended (``qasbench estimate`` reads the
    gates it evaluated); nothing it reads enters the record."""
    task = config.task()
    algorithm = config.make_algorithm()
    algorithm_seq, shot_seq = config.seed_sequence().spawn(2)
    start = time.perf_counter()
    algorithm.prepare(task)
    warm_up(task)
    preparation = time.perf_counter() - start
    start = time.perf_counter()
    deadline = None if config.timeout_s is None else time.monotonic() + config.timeout_s
    evaluator = Evaluator(task, np.random.default_rng(shot_seq), deadline=deadline,
                          progress=_progress_line(config, start), progress_every_s=PROGRESS_EVERY_S)
    try:
        result = algorithm.search(task, evaluator, np.random.default_rng(algorithm_seq))
        circuit, params, estimate, info = result.circuit, result.params, result.energy, result.info
    except BudgetExhausted:  # an algorithm that ran dry: score the best it evaluated
        if evaluator.best is None:
            raise
        (circuit, params), estimate, info = evaluator.best, evaluator.best_energy, {"ran_out": True}
    wall, cpu = time.perf_counter() - start, evaluator.cpu_seconds
    if observe is not None:
        observe(evaluator)
    if deadline is not None and time.monotonic() > deadline:
        stopped_by = "timeout"
    else:
        stopped_by = "budget" if evaluator.remaining == 0 else "algorithm"
    energy = exact_energy(task, circuit, params)
    ground = task.problem.ground_energy
    return {
        "record_version": RECORD_VERSION,
        "config": config.to_dict(),
        "config_hash": config.hash,
        "algorithm": config.algorithm,
        "algorithm_label": config.label,
        "seed": config.seed,
        **task.describe(),
        "algorithm_params": algorithm.get_params(),
        "providers": {kind: registry.provider(kind, getattr(config, kind)) for kind in ("algorithm", "problem", "noise")},
        "evaluations_used": evaluator.evaluations_used,
        "shots_used": evaluator.shots_used,
        "estimated_energy": float(estimate),
        "best_energy": energy,
        "ground_energy": ground,
        "error": energy - ground,
        "success": bool(abs(energy - ground) < task.success_threshold),  # mitigated energies can undershoot
        "success_threshold": task.success_threshold,
        "circuit": circuit.to_dict(),
        "angles": [float(p) for p in np.ravel(params)],
        **circuit.counts(),
        **({"native": native_counts(circuit, params, task.noise)} if isinstance(task.noise, DeviceNoise) else {}),
        "info": info,
        "history": evaluator.history,
        "wall_time_s": wall,
        "cpu_time_s": cpu,
        "preparation_wall_time_s": preparation,
        "stopped_by": stopped_by,
        "qasbench_version": __version__,
        **provenance(),
    }


@dataclass
class Experiment:
    """A grid read from TOML: algorithms x problems x noise x seeds, one budget rule.

    Keys: ``name``; ``problems``, ``noise`` (lists of names; file paths relative to the grid
    file); ``seeds`` (list of integers); optional ``budget``, ``shots``, ``max_gates``,
    ``timeout_s``; optional ``mitigation`` (a list of :mod:`qasbench.mitigation` names, default
    ``["none"]``); and one ``[algorithms.X]`` table per method holding its hyperparameters. A
    table may name its algorithm with ``algorithm = "..."``, so that one algorithm can appear
    with several settings (``[algorithms.random-short]`` with ``algorithm = "random"``).
    """

    name: str
    configs: list[RunConfig]

    LISTS = {"problems": str, "noise": str, "seeds": int}
    EXAMPLES = {"problems": ["h2-2q"], "noise": ["noiseless"], "seeds": [0, 1], "mitigation": ["none", "zne"]}
    SCALARS = ("budget", "shots", "max_gates", "timeout_s")

    @classmethod
    def from_toml(cls, path: str | Path) -> "Experiment":
        path = Path(path)
        data = read_toml(path, "experiment file")
        allowed = {"name", "algorithms", "mitigation", *cls.LISTS, *cls.SCALARS}
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise ValueError(f"{path}: unknown key {unknown[0]!r}{registry.suggestion(unknown[0], allowed)}; "
                             f"allowed: {', '.join(sorted(allowed))}")
        for key, kind in {**cls.LISTS, **({"mitigation": str} if "mitigation" in data else {})}.items():
            values = data.get(key)
            if not isinstance(values, list) or not values:
                raise ValueError(f"{path}: {key!r} must be a non-empty list, e.g. {key} = "
                                 f"{cls.EXAMPLES[key]}, got {values!r}")
            if not all(isinstance(v, kind) and not isinstance(v, bool) for v in values):
                raise ValueError(f"{path}: every entry of {key!r} must be a"
                                 f"{' name' if kind is str else 'n integer'}, got {values!r}")
        algorithms = data.get("algorithms")
        if not isinstance(algorithms, dict) or not algorithms or not all(
                isinstance(v, dict) for v in algorithms.values()):
            raise ValueError(f"{path}: 'algorithms' must be tables, one per method, e.g. "
                             f"[algorithms.random] (got {algorithms!r})")
        if not isinstance(data.get("name", ""), str):
            raise ValueError(f"{path}: 'name' must be a string")

        def located(kind: str, spec: str) -> str:  # file specs are relative to the grid file
            return str(path.parent / spec) if registry.is_file_spec(kind, spec) else spec

        methods = list(method_entries(algorithms))
        try:
            configs = [
                RunConfig(alg, located("problem", prob), located("noise", noise), seed, data.get("budget"),
                          data.get("shots"), data.get("max_gates"), params, data.get("timeout_s"), mitigation)
                for (alg, params), prob, noise, mitigation, seed in product(
                    methods, data["problems"], data["noise"], data.get("mitigation", ["none"]), data["seeds"])
            ]
        except ValueError as exc:
            raise ValueError(f"{path}: {exc}") from None
        names = [c.record_name for c in configs]
        if len(set(names)) != len(names):
            raise ValueError(f"{path}: some runs are listed twice (repeated seeds, problems, noise or methods)")
        return cls(data.get("name", path.stem), configs)


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def pin_threads() -> None:
    """One thread per run (BLAS, OpenMP, torch, numba), so parallel runs do not oversubscribe the
    cores, small matrix products skip threading overhead, and torch's reductions are
    deterministic."""
    import numba
    import torch
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    torch.set_num_threads(1)
    numba.set_num_threads(1)


def _init_worker() -> None:
    """Pool worker set-up: one thread; Ctrl-C is left to the parent, which stops the workers."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    pin_threads()


def expected_cost(config: RunConfig) -> float:
    """Rough relative cost, for scheduling the longest runs first: the budget times the state
    size, 2^n amplitudes noiseless or 4^n Pauli components under noise."""
    n_qubits = registry.load_problem(config.problem).n_qubits
    base = 2.0 if task_noise(registry.load_noise(config.noise), n_qubits).is_noiseless else 4.0
    return config.budget * base ** n_qubits


class StaleRecords(ValueError):
    """Finished records in the output directory were made by other code than the running one."""


def _pending(configs: list[RunConfig], out: Path, counts: dict, log, reuse_stale: bool,
             tags: dict, cheapest_first: bool) -> list[RunConfig]:
    """Configurations still to run: finished records are skipped, corrupt ones moved aside.

    Records made by other code (qasbench version or git commit) than the running one are
    refused with StaleRecords before anything runs, unless ``reuse_stale`` (records adopted from
    another suite's archive are published ones and never stale); records of another suite (or
    none) than ``tags`` names are refused always."""
    pending, stale, current = [], [], code_identity()
    for config in configs:
        path = out / config.record_name
        if path.exists():
            try:
                record = read_record(path)
            except ValueError as exc:
                print(f"qasbench: {exc}; moving it aside and re-running", file=log)
                path.rename(path.with_name(".corrupt-" + path.name))
                counts["rerun_corrupt"] += 1
            else:
                theirs = {key: record.get(key) for key in ("suite", "suite_hash")}
                if theirs != {key: tags.get(key) for key in ("suite", "suite_hash")}:
                    raise ValueError(f"{path} belongs to suite {theirs['suite']} ({theirs['suite_hash']}), "
                                     f"not to {tags.get('suite')} ({tags.get('suite_hash')}); use another --out")
                if code_identity(record) != current and "adopted_from" not in record:
                    stale.append((path, code_identity(record)))
                counts["skipped"] += 1
                continue
        pending.append(config)
    if stale and not reuse_stale:
        path, made_by = stale[0]
        raise StaleRecords(f"{len(stale)} finished record(s) in {out}/ were made by other code "
                           f"({path.name}: {made_by}; running: {current}); rerun them into another --out, "
                           "or pass --reuse-stale to keep them as they are")
    if stale:
        print(f"qasbench: keeping {len(stale)} record(s) made by other code (--reuse-stale)", file=log)
    return sorted(pending, key=expected_cost, reverse=not cheapest_first)


def _local_results(pending: list[RunConfig], workers: int):
    """Yield (config, record or exception) as runs finish, in this process or a spawn pool."""
    if workers <= 1:
        pin_threads()
        for config in pending:
            try:
                yield config, run_one(config)
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
        futures = {pool.submit(run_one, config): config for config in pending}
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


def _run_pinned(config: RunConfig) -> dict:
    """run_one on one thread (what a Dask worker executes)."""
    pin_threads()
    return run_one(config)


def _dask_results(pending: list[RunConfig], scheduler: str):
    """Yield (config, record or exception) from an existing Dask distributed cluster."""
    from distributed import Client, as_completed

    try:
        client = Client(scheduler, timeout=30)
    except (OSError, TimeoutError) as exc:
        raise ValueError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
    with client:
        futures = {client.submit(_run_pinned, config, pure=False): config for config in pending}
        for future in as_completed(futures):
            yield futures[future], future.exception() or future.result()


def run_grid(configs: list[RunConfig], out: Path, workers: int = 1, executor: str = "local",
             scheduler: str | None = None, log=None, reuse_stale: bool = False, tags: dict | None = None,
             cheapest_first: bool = False) -> dict:
    """Run every configuration without a valid record in ``out``; return counts by outcome.

    ``executor``: ``local`` (this process, or a pool of ``workers`` spawned processes pinned to
    one thread each) or ``dask`` (submit to the cluster at ``scheduler``). Runs go longest
    first (keeps every worker busy to the end), or cheapest first (finished cells early);
    records are written atomically by this process as runs finish, so an interrupted grid
    resumes where it stopped. ``tags`` (a suite's ``{"suite", "suite_hash"}``) go into every
    record. A failing run is reported and counted, the rest go on.
    """
    out, log = Path(out), log or sys.stderr
    counts = {"done": 0, "skipped": 0, "rerun_corrupt": 0, "failed": 0}
    if executor not in ("local", "dask"):
        raise ValueError(f"unknown executor {executor!r}; choose local or dask")
    if executor == "dask" and not scheduler:
        raise ValueError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer, got {workers!r}")
    tags = tags or {}
    pending = _pending(configs, out, counts, log, reuse_stale, tags, cheapest_first)
    if executor == "dask":
        results = _dask_results(pending, scheduler)
    else:
        results = _local_results(pending, workers)
    start = time.perf_counter()
    for finished, (config, outcome) in enumerate(results, 1):
        label = config.describe()
        eta = (time.perf_counter() - start) / finished * (len(pending) - finished)
        if isinstance(outcome, BaseException):
            counts["failed"] += 1
            print(f"[{finished}/{len(pending)}] {label}: FAILED ({type(outcome).__name__}: {outcome})",
                  file=log, flush=True)
            continue
        try:
            write_record({**outcome, **tags}, out)
            counts["done"] += 1
        except RecordExists:  # another process finished it first: keep theirs
            counts["skipped"] += 1
        print(f"[{finished}/{len(pending)}] {label}: error={outcome['error']:.2e}, "
              f"{outcome['evaluations_used']} evals, {outcome['wall_time_s']:.1f}s (ETA {eta:.0f}s)",
              file=log, flush=True)
    return counts
