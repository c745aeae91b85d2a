"""Experiment grids: resume after kills, same records whatever the worker count, executors."""
import os
import signal
import subprocess
import sys
import time

import numpy as np
import psutil
import pytest

from qasbench import runner
from qasbench.results import read_record
from qasbench.config import RunConfig
from qasbench.runner import Experiment, run_grid, run_one

GRID = ('problems = ["h2-2q"]\nnoise = ["noiseless", "depol-1e-3"]\nseeds = [0, 1]\nbudget = 400\n'
        '[algorithms.random]\nevaluations_per_circuit = 80\n[algorithms.evolutionary]\n')
COMPARED = ("best_energy", "estimated_energy", "circuit", "angles", "history", "evaluations_used")


def records(directory):
    return {p.name: {k: read_record(p)[k] for k in COMPARED} for p in sorted(directory.glob("*.json"))}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    root = tmp_path_factory.mktemp("reference")
    (root / "grid.toml").write_text(GRID)
    run_grid(Experiment.from_toml(root / "grid.toml").configs, root / "out")
    return root


def test_two_workers_give_the_same_records(reference, tmp_path):
    counts = run_grid(Experiment.from_toml(reference / "grid.toml").configs, tmp_path, workers=2)
    assert counts["done"] == 8 and counts["failed"] == 0
    assert records(tmp_path) == records(reference / "out")


def test_killed_runs_resume_to_identical_records(reference, tmp_path):
    """Kill `qasbench run --workers 2` at random moments and restart until it finishes."""
    rng = np.random.default_rng(0)
    command = [sys.executable, "-m", "qasbench.cli", "run", str(reference / "grid.toml"),
               "--out", str(tmp_path), "--workers", "2"]
    for attempt in range(12):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)
        try:
            process.wait(timeout=float(rng.uniform(2.0, 6.0)))
            if process.returncode == 0:
                break
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    else:
        process = subprocess.run(command, capture_output=True)
        assert process.returncode == 0
    assert records(tmp_path) == records(reference / "out")


def _command_line(process) -> str:
    """A process's command line, or "" for one that has exited meanwhile (a short-lived helper
    of the pool can be a zombie when it is read)."""
    try:
        return " ".join(process.cmdline())
    except (psutil.ZombieProcess, psutil.NoSuchProcess, psutil.AccessDenied):
        return ""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_the_parent_stops_its_workers(tmp_path, signum):
    """SIGTERM to `qasbench run` alone, or Ctrl-C, ends the grid within seconds, workers included."""
    (tmp_path / "long.toml").write_text(
        'problems = ["h2-4q"]\nnoise = ["noiseless"]\nseeds = [0, 1, 2]\nbudget = 100000000\n[algorithms.random]\n')
    # Ctrl-C reaches a terminal's foreground job with SIGINT at its default; a test run started
    # as a background job of a script ignores SIGINT, and the child would inherit that.
    process = subprocess.Popen([sys.executable, "-m", "qasbench.cli", "run", str(tmp_path / "long.toml"),
                                "--out", str(tmp_path / "out"), "--workers", "2"],
                               stderr=subprocess.PIPE, text=True, start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    parent = psutil.Process(process.pid)
    for _ in range(600):  # wait until both workers run
        workers = [c for c in parent.children() if "spawn_main" in _command_line(c)]
        if len(workers) == 2:
            break
        time.sleep(0.1)
    assert len(workers) == 2, "the worker pool did not start"
    time.sleep(1.0)
    if signum == signal.SIGINT:
        os.killpg(process.pid, signum)  # what a terminal's Ctrl-C does
    else:
        process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    _, alive = psutil.wait_procs(workers, timeout=10)
    assert process.returncode == 130 and "interrupted" in stderr
    assert not alive, f"workers left running: {alive}"
    assert not list((tmp_path / "out").glob("*.json"))


def test_failed_run_is_reported_and_the_grid_goes_on(tmp_path, monkeypatch):
    import qasbench.runner as runner

    real = runner.run_one

    def flaky(config):
        if config.seed == 1:
            raise MemoryError("simulated worker failure")
        return real(config)

    monkeypatch.setattr(runner, "run_one", flaky)
    configs = [RunConfig("random", "h2-2q", "noiseless", s, 100) for s in (0, 1)]
    lines = []

    class Log:
        def write(self, text):
            lines.append(text)

        def flush(self):
            pass

    counts = runner.run_grid(configs, tmp_path, log=Log())
    assert counts == {"done": 1, "skipped": 0, "rerun_corrupt": 0, "failed": 1}
    assert any("FAILED (MemoryError" in line for line in lines)


def test_timeout_stops_a_run_gracefully():
    record = run_one(RunConfig("random", "h2-4q", "noiseless", 0, 10**6, timeout_s=0.5))
    assert record["stopped_by"] == "timeout" and record["evaluations_used"] < 10**6
    assert np.isfinite(record["error"])


def test_stopped_by_says_budget_when_the_budget_was_spent():
    assert run_one(RunConfig("random", "h2-2q", "noiseless", 0, 300))["stopped_by"] == "budget"


def test_records_of_other_code_are_not_silently_reused(tmp_path, monkeypatch, capsys):
    configs = [RunConfig("random", "h2-2q", "noiseless", 0, 60)]
    assert run_grid(configs, tmp_path)["done"] == 1
    monkeypatch.setattr(runner, "code_identity", lambda record=None: "qasbench 9.9 at other" if record is None
                        else f"qasbench {record['qasbench_version']} at {record['git_commit']}")
    with pytest.raises(runner.StaleRecords, match="--reuse-stale"):
        run_grid(configs, tmp_path)
    assert run_grid(configs, tmp_path, reuse_stale=True) == {"done": 0, "skipped": 1, "rerun_corrupt": 0,
                                                             "failed": 0}


def test_long_runs_print_progress_without_changing_the_record(monkeypatch, capsys):
    config = RunConfig("random", "h2-2q", "noiseless", 0, 300)
    quiet = run_one(config)
    assert capsys.readouterr().err == ""  # a short run says nothing
    monkeypatch.setattr(runner, "PROGRESS_EVERY_S", 0.0)
    loud = run_one(config)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 300 and lines[-1].startswith("qasbench: random h2-2q noiseless seed=0: 300/300 evaluations")
    assert all(quiet[k] == loud[k] for k in COMPARED)


def test_dask_executor_on_a_local_cluster(reference, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        counts = run_grid(Experiment.from_toml(reference / "grid.toml").configs, tmp_path,
                          executor="dask", scheduler=cluster.scheduler_address)
    assert counts["done"] == 8
    assert records(tmp_path) == records(reference / "out")


def test_executor_errors():
    with pytest.raises(ValueError, match="scheduler"):
        run_grid([], "unused", executor="dask")
    with pytest.raises(ValueError, match="executor"):
        run_grid([], "unused", executor="slurm")


def test_the_default_suite_runs_every_registered_algorithm():
    from qasbench import registry
    from qasbench.cli import _default_suite
    from qasbench.runner import Experiment

    assert {c.algorithm for c in Experiment.from_toml(_default_suite()).configs} == set(registry.names("algorithm"))


def test_the_committed_default_suite_page_is_the_default_suite_of_today():
    """reports/quick/ holds every run of the default grid, on today's problem and noise hashes:
    a method added to the grid, or a problem or noise profile changed, means regenerating it
    (`qasbench run`, `qasbench verify results/quick`, `qasbench report results/quick --out
    reports/quick --note docs/page-notes/quick.txt`), never a stale page."""
    import collections
    import json
    from pathlib import Path

    import pandas as pd

    from qasbench.cli import _default_suite

    page = Path(__file__).resolve().parents[1] / "reports" / "quick"
    configs = Experiment.from_toml(_default_suite()).configs
    table = pd.read_csv(page / "leaderboard.csv")
    provenance = json.loads((page / "provenance.json").read_text())
    assert {(a, p, n): r for a, p, n, r in table[["algorithm", "problem", "noise", "runs"]].values} == \
        collections.Counter((c.algorithm, c.problem, c.noise) for c in configs)
    assert provenance["runs"] == len(configs) and (table.verified == table.runs).all()
    cells = {(c.problem, c.noise): c for c in configs}  # one task per problem and noise profile
    tasks = {cell: config.task().describe() for cell, config in cells.items()}
    assert provenance["problems"] == {p: d["problem_hash"] for (p, _), d in tasks.items()}
    assert provenance["noise_profiles"] == {n: d["noise_hash"] for (_, n), d in tasks.items()}


@pytest.mark.parametrize("noise", ["noiseless", "depol-1e-3"])
def test_the_warm_up_compiles_the_kernels_before_the_search_clock(noise):
    """In a fresh process, `warm_up` (run by run_one before the search's clock) leaves the
    kernels an evaluation takes compiled, one parameter set at a time and batched."""
    script = f"""
from qasbench.config import RunConfig
from qasbench.runner import warm_up
from qasbench.sim import ptm_batch_kernels, ptm_kernels, statevector_kernels
noiseless = {noise!r} == "noiseless"
kernels = [statevector_kernels.energies] if noiseless else [ptm_kernels.energies, ptm_batch_kernels.evolve]
assert not any(k.signatures for k in kernels)
warm_up(RunConfig("random", "h2-2q", {noise!r}).task())
assert all(k.signatures for k in kernels), [k.signatures for k in kernels]
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
