import json
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from qasbench.algorithms.base import best_result, optimize_angles
from qasbench.algorithms.random_search import RandomSearch
from qasbench.bench_sim import FAMILIES, meets_goal, summarize, workload
from qasbench.circuit import Circuit
from qasbench.cli import main
from qasbench.evaluator import Task
from qasbench.registry import load_noise
from qasbench.sim.aer import AerBackend
from qasbench.results import git_commit, read_record, write_record


def run_cli(*args):
    return main(list(args))


def test_random_search_solves_h2_2q(tmp_path, capsys):
    code = run_cli("run", "--algorithm", "random", "--problem", "h2-2q", "--noise", "noiseless",
                   "--seed", "0", "--budget", "2000", "--out", str(tmp_path))
    assert code == 0
    [path] = tmp_path.glob("*.json")
    record = read_record(path)
    assert record["success"] and record["error"] < 1.6e-3
    curve = path.with_suffix(".history.csv").read_text().splitlines()
    assert curve[0] == "evaluations,best_error,shots" and len(curve) == len(record["history"]) + 1
    assert record["evaluations_used"] <= 2000
    circuit = Circuit.from_dict(record["circuit"])
    assert len(record["angles"]) == circuit.n_params == record["params"]
    aer = AerBackend(Task.make("h2-2q").problem.hamiltonian, load_noise("noiseless"))  # an independent simulator
    assert aer.energies(circuit, record["angles"])[0] == pytest.approx(record["best_energy"], abs=1e-10)
    for key in ("algorithm", "problem", "noise", "seed", "budget", "evaluations_used", "best_energy",
                "ground_energy", "error", "success", "circuit", "angles", "gates", "cnots", "one_qubit", "params",
                "depth", "wall_time_s", "cpu_time_s", "versions", "problem_hash", "noise_hash", "history"):
        assert key in record


def test_same_seed_same_record(tmp_path):
    for out in ("a", "b"):
        assert run_cli("run", "--algorithm", "random", "--problem", "h2-2q", "--noise", "depol-1e-3",
                       "--seed", "3", "--budget", "300", "--shots", "100", "--out", str(tmp_path / out)) == 0
    [a], [b] = (list((tmp_path / o).glob("*.json")) for o in "ab")
    ra, rb = json.loads(a.read_text()), json.loads(b.read_text())
    for key in ("best_energy", "estimated_energy", "circuit", "angles", "history", "shots_used"):
        assert ra[key] == rb[key]


@pytest.mark.parametrize("args, message", [
    (["--algorithm", "nope", "--problem", "h2-2q"], "unknown algorithm"),
    (["--algorithm", "random", "--problem", "h9"], "unknown problem"),
    (["--algorithm", "random", "--problem", "h2-2q", "--noise", "loud"], "unknown noise"),
    (["--algorithm", "random", "--problem", "h2-2q", "--budget", "0"], "budget"),
    (["--algorithm", "random", "--problem", "h2-2q", "--seed", "-4"], "seed"),
    (["--algorithm", "random", "--problem", "h2-2q", "--params", "{bad"], "JSON"),
    (["--algorithm", "random", "--problem", "h2-2q", "--params", '{"speed": 1}'], "unknown hyperparameter 'speed'"),
    (["--algorithm", "random"], "both"),
])
def test_bad_input_exits_2_with_one_line(args, message, tmp_path, capsys):
    assert run_cli("run", *args, "--out", str(tmp_path)) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
    assert not list(tmp_path.glob("*.json"))


def test_git_commit_marks_uncommitted_changes(tmp_path):
    assert git_commit(tmp_path) is None  # not a checkout

    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path,
                       check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "f").write_text("1")
    git("add", "f")
    git("commit", "-qm", "c")
    head = git_commit(tmp_path)
    assert len(head) == 40 and "+" not in head
    (tmp_path / "f").write_text("2")
    assert git_commit(tmp_path) == head + "+dirty"


def test_existing_record_is_never_overwritten(tmp_path, capsys):
    args = ("run", "--algorithm", "random", "--problem", "h2-2q", "--budget", "50", "--out", str(tmp_path))
    assert run_cli(*args) == 0
    [path] = tmp_path.glob("*.json")
    before = path.read_text()
    assert run_cli(*args) == 2
    assert "already exists" in capsys.readouterr().err
    assert path.read_text() == before


def test_problems_and_noise_json(capsys):
    assert run_cli("problems", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"id", "n_qubits", "n_terms", "ground_energy"} <= set(rows[0])
    assert {r["id"] for r in rows} >= {"h2-2q", "h2-3q", "h2-4q", "lih-4q", "lih-6q", "h2o-8q"}
    assert run_cli("noise", "--json") == 0
    names = {r["name"] for r in json.loads(capsys.readouterr().out)}
    assert names == {"noiseless", "depol-1e-3", "mumbai-median", "mumbai-max", "mumbai-10xmax",
                     "ibm-mumbai", "ibm-sherbrooke", "ibm-torino"}


def test_experiment_file_errors(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("problems = [\"h2-2q\"\n")
    assert run_cli("run", str(bad)) == 2
    assert "malformed" in capsys.readouterr().err
    bad.write_text('problems = ["h2-2q"]\nnoise = ["noiseless"]\nseeds = [0]\ncolour = 1\n[algorithms.random]\n')
    assert run_cli("run", str(bad)) == 2
    assert "unknown key 'colour'" in capsys.readouterr().err
    assert run_cli("run", str(tmp_path / "missing.toml")) == 2


def test_grid_resumes_and_reruns_corrupt_records(tmp_path):
    grid = tmp_path / "grid.toml"
    grid.write_text('problems = ["h2-2q"]\nnoise = ["noiseless"]\nseeds = [0, 1]\nbudget = 40\n'
                    '[algorithms.random]\nevaluations_per_circuit = 20\n')
    out = tmp_path / "out"
    assert run_cli("run", str(grid), "--out", str(out)) == 0
    first, second = sorted(out.glob("*.json"))
    text = first.read_text()
    second.write_text(second.read_text()[:50])  # truncated, as by a crash mid-write elsewhere
    assert run_cli("run", str(grid), "--out", str(out)) == 0
    assert first.read_text() == text  # finished record untouched
    assert read_record(second)["seed"] in (0, 1)  # corrupt one re-run
    assert len(list(out.glob(".corrupt-*"))) == 1  # and the broken file kept aside


def test_a_killed_writers_temporary_copy_is_no_second_record(tmp_path):
    """A run killed between writing a record and removing its temporary copy leaves the copy
    behind (a hidden ``.tmp-*`` file); it must not count as a second run."""
    from qasbench.results import iter_records

    grid = tmp_path / "grid.toml"
    grid.write_text('problems = ["h2-2q"]\nnoise = ["noiseless"]\nseeds = [0]\nbudget = 40\n'
                    '[algorithms.random]\nevaluations_per_circuit = 20\n')
    out = tmp_path / "out"
    assert run_cli("run", str(grid), "--out", str(out)) == 0
    (record,) = out.glob("*.json")
    (out / ".tmp-k1ll3d.json").write_text(record.read_text())  # the name up to 0.4.0
    assert [path.name for path, _ in iter_records(out)] == [record.name]
    assert run_cli("verify", str(out)) == 0 and len(list((out / "verification").glob("*.json"))) == 1


def test_bench_sim_json_reports_both_simulators(capsys):
    assert run_cli("bench-sim", "--qubits", "2", "3", "--repeats", "1", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(row["n_qubits"], row["family"]) for row in rows] == [(n, f) for n in (2, 3) for f in FAMILIES]
    for row in rows:
        assert set(row) == {"n_qubits", "family", "ptm_ms", "aer_ms", "aer_default_ms", "ratio",
                            "ratio_aer_default", "batch_ptm_ms_per_circuit", "batch_aer_ms_per_circuit",
                            "batch_ratio", "max_abs_diff", "fused_2q_gbps", "copy_gbps"}
        assert row["max_abs_diff"] < 1e-9 and min(row["ptm_ms"], row["fused_2q_gbps"], row["copy_gbps"]) > 0


def test_bench_sim_on_a_device_snapshot_draws_cnots_from_the_layouts_coupled_pairs(capsys):
    assert run_cli("bench-sim", "--qubits", "3", "4", "--repeats", "1", "--noise", "ibm-torino", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(row["n_qubits"], row["family"]) for row in rows] == [(3, "random-pairs"), (4, "random-pairs")]
    assert all(row["max_abs_diff"] < 1e-9 for row in rows)
    from qasbench.bench_sim import coupled_pairs
    from qasbench.evaluator import Task

    noise = Task.make("h2-4q", "ibm-torino").noise
    circuit = workload("random-pairs", 4, coupled_pairs(noise, 4))
    assert all(noise.coupled(*g.qubits) for g in circuit.gates if not g.is_rotation)
    with pytest.raises(ValueError, match="on a device use random-pairs"):
        workload("ladder", 4, coupled_pairs(noise, 4))


def test_bench_sim_on_a_torch_device_agrees_with_the_kernel_and_aer(capsys):
    assert run_cli("bench-sim", "--qubits", "2", "3", "--repeats", "1", "--device", "torch-cpu", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(row["n_qubits"], row["device"]) for row in rows] == [(2, "torch-cpu"), (3, "torch-cpu")]
    for row in rows:
        assert max(row["max_abs_diff_cpu"], row["max_abs_diff_aer"]) < 1e-9
        assert min(row["cpu_kernel_ms"], row["device_ms"], row["device_batch_ms_per_circuit"]) > 0
        assert row["device_peak_gib"] is None  # CUDA only


def _bench_row(n, ratio, batch_ratio, fused=20.0, copy=25.0, family="ladder"):
    return {"n_qubits": n, "family": family, "ratio": ratio, "batch_ratio": batch_ratio, "fused_2q_gbps": fused,
            "copy_gbps": copy}


def test_bench_sim_circuit_families():
    for n in (2, 5, 8):
        pairs, matchings = workload("random-pairs", n), workload("matchings", n)
        assert len(pairs) == 12 * n and pairs == workload("random-pairs", n)  # seeded by n
        cnots = [g.qubits for g in pairs.gates if not g.is_rotation]
        assert 0.2 * 12 * n < len(cnots) < 0.6 * 12 * n and all(a != b for a, b in cnots)
        for layer in range(5):  # every layer's CNOTs pair each qubit at most once
            start = layer * (2 * n + n // 2) + 2 * n
            used = [q for g in matchings.gates[start:start + n // 2] for q in g.qubits]
            assert sorted(used) == sorted(set(used)) and len(used) == 2 * (n // 2)
    assert len({g.qubits for g in workload("random-pairs", 8).gates if not g.is_rotation}) > 14  # not a ladder
    with pytest.raises(ValueError, match="unknown circuit family"):
        workload("brickwork", 4)


def test_bench_sim_goal_and_summary():
    assert meets_goal(_bench_row(6, 10.0, 30.0))
    assert not meets_goal(_bench_row(6, 9.9, 50.0))  # single ratio below 10
    assert not meets_goal(_bench_row(6, 20.0, 29.0))  # batch ratio counts up to 6 qubits
    assert meets_goal(_bench_row(8, 12.0, 5.0))  # ... and not beyond, on a ladder
    assert not meets_goal(_bench_row(8, 29.0, 40.0, family="random-pairs"))  # issue #21: 30x at n = 8
    assert meets_goal(_bench_row(8, 30.0, 30.0, family="matchings"))
    assert not meets_goal(_bench_row(10, 19.0, 5.0, family="random-pairs"))  # 20x at n = 10
    assert not meets_goal(_bench_row(10, 12.0, 5.0, fused=10.0, copy=25.0))  # fused op over 2x off the copy
    runs = [[_bench_row(2, 40.0, 60.0), _bench_row(10, 11.0, 9.0)],
            [_bench_row(2, 30.0, 80.0), _bench_row(10, 9.0, 9.0)]]
    text = summarize(runs)
    assert "| 2 | ladder | 30.0-40.0 (35.0) | 60.0-80.0 (70.0) | 2 of 2 |" in text
    assert "| 10 | ladder | 9.0-11.0 (10.0) | 9.0-9.0 (9.0) | 1 of 2 |" in text
    assert text.endswith("Runs meeting the goal everywhere: 1 of 2.")


def test_bench_sim_summary_script_rejects_a_foreign_file_in_one_line(tmp_path):
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps([_bench_row(2, 40.0, 60.0)]))
    bad.write_text('{"not": "a bench-sim output"}')
    script = Path(__file__).resolve().parents[1] / "scripts" / "bench_sim_summary.py"
    ok = subprocess.run([sys.executable, str(script), str(good)], capture_output=True, text=True)
    assert ok.returncode == 0 and "| 2 | ladder | 40.0-40.0 (40.0) |" in ok.stdout
    out = subprocess.run([sys.executable, str(script), str(good), str(bad)], capture_output=True, text=True)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and f"{bad}: not a `qasbench bench-sim --json` output" in out.stderr


def test_version_and_algorithm_listing(capsys):
    from qasbench import __version__

    assert run_cli("--version") == 0
    assert capsys.readouterr().out.strip() == f"qasbench {__version__}"
    assert run_cli("algorithms", "--json") == 0
    rows = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    assert len(rows) == 15 and rows["random"]["hyperparameters"] == {
        "optimizer": "cobyla", "evaluations_per_circuit": 200, "max_gates": None}
    assert rows["crlqas"]["class"] == "qasbench.algorithms.crlqas:CRLQAS"
    assert {row["distribution"] for row in rows.values()} == {"qasbench"}


def test_estimate_predicts_each_cell_from_a_calibration(tmp_path, capsys):
    from qasbench.estimate import estimate, totals
    from qasbench.runner import Experiment

    grid = tmp_path / "tiny.toml"
    grid.write_text('name = "tiny"\nproblems = ["h2-2q", "h2-4q"]\nnoise = ["noiseless", "depol-1e-3"]\n'
                    'seeds = [0, 1, 2]\nbudget = 500\n[algorithms.random]\n')
    configs = Experiment.from_toml(grid).configs
    lines = []
    rows = estimate(configs, log=lines.append)
    assert [(r["problem"], r["noise"], r["runs"], r["budget"]) for r in rows] == [
        (p, n, 3, 500) for p in ("h2-2q", "h2-4q") for n in ("noiseless", "depol-1e-3")]
    assert all(r["cpu_hours"] == pytest.approx(3 * (r["s_per_run_fixed"] + 500 * r["budget_spent"] *
                                                     r["us_per_evaluation"] / 1e6) / 3600) for r in rows)
    assert all(r["s_per_run_growing"] == 0 for r in rows)  # random search's own work grows with nothing
    assert all(r["budget_spent"] == 1.0 for r in rows)  # random search spends its whole budget
    assert totals(rows) == {"random": pytest.approx(sum(r["cpu_hours"] for r in rows))}
    assert len(lines) == 6  # 4 cells, then random search on each problem's cheapest cell
    assert sorted(line.split(":")[0] for line in lines[4:]) == [  # the cheaper problem first: timing decides
        "calibrated random on h2-2q / noiseless", "calibrated random on h2-4q / noiseless"]
    assert "s per run" in lines[-1]
    assert run_cli("run", str(grid), "--dry-run", "--out", str(tmp_path / "out")) == 0
    assert "total:" in capsys.readouterr().out and not (tmp_path / "out").exists()  # nothing run
    from qasbench.estimate import against
    from qasbench.runner import run_grid

    run_grid([c for c in configs if c.problem == "h2-2q" and c.noise == "noiseless" and c.seed < 2], tmp_path / "real")
    checked = against(rows, tmp_path / "real")
    first = checked[0]  # 2 of its 3 runs made: compared on those 2
    assert first["measured_cpu_hours"] > 0 and first["measured_runs"] == 2
    assert first["predicted_over_measured"] == pytest.approx(2 / 3 * first["cpu_hours"] / first["measured_cpu_hours"])
    assert all(r["measured_cpu_hours"] is None for r in checked[1:])
    records = [read_record(path) for path in sorted((tmp_path / "real").glob("*.json"))]
    assert first["measured_by"] == "cpu"  # what the model predicts: the search's CPU seconds
    assert first["measured_cpu_hours"] == pytest.approx(sum(r["cpu_time_s"] for r in records) / 3600)
    assert all(0 < r["cpu_time_s"] <= r["wall_time_s"] * 1.05 for r in records)
    older = {key: value for key, value in records[0].items() if key != "cpu_time_s"}  # made before records had it
    for record in (older, records[1]):
        write_record(record, tmp_path / "mixed")
    first = against(rows, tmp_path / "mixed")[0]  # then the cell is measured by wall time
    assert first["measured_by"] == "wall"
    assert first["measured_cpu_hours"] == pytest.approx(sum(r["wall_time_s"] for r in records) / 3600)


@dataclass
class SlowStart(RandomSearch):
    """Random search after a fixed 0.3 CPU-seconds of work that spends no evaluation (like TF-QAS's
    proxies)."""

    def search(self, task, evaluator, rng):
        end = time.thread_time() + 0.3
        while time.thread_time() < end:
            pass
        return super().search(task, evaluator, rng)


def test_estimate_separates_a_fixed_cost_per_run_from_the_cost_per_evaluation(monkeypatch):
    from qasbench import estimate as estimating
    from qasbench.config import RunConfig

    monkeypatch.setattr(estimating, "CALIBRATION_SECONDS", 0.1)  # over before the first evaluation
    configs = [RunConfig("tests.test_random_search_and_cli:SlowStart", "h2-2q", seed=s, budget=400) for s in (0, 1)]
    lines = []
    (row,) = estimating.estimate(configs, log=lines.append)
    assert 0.2 < row["s_per_run_fixed"] < 0.6 and "s per run" in lines[-1]
    assert row["cpu_hours"] == pytest.approx(2 * (row["s_per_run_fixed"] + 400 * row["us_per_evaluation"] / 1e6) / 3600)


@dataclass
class SleepyStart(RandomSearch):
    """Random search after 0.3 s of sleep: wall time that costs no CPU."""

    def search(self, task, evaluator, rng):
        time.sleep(0.3)
        return super().search(task, evaluator, rng)


def test_estimate_times_calibrations_in_cpu_seconds(monkeypatch):
    """A wait (a busy machine's other work, here a sleep) is not charged as cost."""
    from qasbench import estimate as estimating
    from qasbench.config import RunConfig

    monkeypatch.setattr(estimating, "CALIBRATION_SECONDS", 0.1)
    configs = [RunConfig("tests.test_random_search_and_cli:SleepyStart", "h2-2q", budget=400)]
    (row,) = estimating.estimate(configs, log=lambda line: None)
    assert row["s_per_run_fixed"] < 0.1


@dataclass
class GrowingCost(RandomSearch):
    """Random search that says its runs cost one extra second per 100 evaluations spent."""

    def growing_seconds(self, calibration, evaluations):
        assert calibration["evaluations_used"] > 0
        return evaluations / 100


def test_estimate_adds_the_cost_an_algorithm_says_grows_past_its_calibration(monkeypatch):
    from qasbench import estimate as estimating
    from qasbench.config import RunConfig

    monkeypatch.setattr(estimating, "CALIBRATION_SECONDS", 0.1)
    configs = [RunConfig("tests.test_random_search_and_cli:GrowingCost", "h2-2q", seed=s, budget=400) for s in (0, 1)]
    lines = []
    (row,) = estimating.estimate(configs, log=lines.append)
    assert row["s_per_run_growing"] == 4.0
    assert "4 s per run growing faster than its evaluations" in lines[-1]  # said where it is computed
    assert row["cpu_hours"] == pytest.approx(2 * (row["s_per_run_fixed"] + 4.0 + 400 * row["us_per_evaluation"] / 1e6) / 3600)


def test_estimate_prices_an_evaluation_by_the_gates_the_algorithm_scores(monkeypatch):
    from qasbench import estimate as estimating
    from qasbench.config import RunConfig

    line = estimating.evaluation_cost(RunConfig("random", "lih-4q", "depol-1e-3"))
    assert line.max_gates == 40 and line.per_gate > 0  # every gate adds a noisy PTM operator
    monkeypatch.setattr(estimating, "CALIBRATION_SECONDS", 2.0)
    short = {"max_gates": 2, "evaluations_per_circuit": 20}
    configs = [RunConfig("random", "lih-4q", "depol-1e-3", budget=4000, algorithm_params={"evaluations_per_circuit": 20}),
               RunConfig("random", "lih-4q", "depol-1e-3", budget=4000, algorithm_params=short)]
    lines = []
    full, small = estimating.estimate(configs, log=lines.append)
    assert 1 <= small["gates_per_evaluation"] <= 2  # random circuits of 1 or 2 gates
    assert 10 < full["gates_per_evaluation"] < 31  # lengths uniform in [1, 40]: mean 20.5
    assert "of the gate cap" in lines[-1]


@dataclass
class ShortOnFourQubits(RandomSearch):
    """Random search that samples circuits of at most 2 gates on 4-qubit problems only."""

    def search(self, task, evaluator, rng):
        short = replace(self, max_gates=2) if task.problem.hamiltonian.n_qubits == 4 else self
        return RandomSearch.search(short, task, evaluator, rng)


def test_estimate_calibrates_the_gates_on_each_problem(monkeypatch):
    from qasbench import estimate as estimating
    from qasbench.config import RunConfig

    monkeypatch.setattr(estimating, "CALIBRATION_SECONDS", 1.0)
    label = "tests.test_random_search_and_cli:ShortOnFourQubits"
    configs = [RunConfig(label, problem, budget=2000, algorithm_params={"evaluations_per_circuit": 20})
               for problem in ("h2-2q", "h2-4q")]
    two, four = estimating.estimate(configs, log=lambda line: None)
    assert 1 <= four["gates_per_evaluation"] <= 2 < two["gates_per_evaluation"]


def test_estimate_calibrates_an_early_stopper_on_each_profile(monkeypatch):
    """ADAPT stops on its own after a number of evaluations that differs between noise profiles
    of one problem: each cell's budget spent is its own calibration runs' (milliseconds each,
    so the mean over the calibration seeds)."""
    from qasbench import estimate as estimating
    from qasbench.config import RunConfig
    from qasbench.runner import run_one

    configs = [RunConfig("adapt", "h2-2q", noise, budget=10000) for noise in ("noiseless", "depol-1e-3")]
    rows = estimating.estimate(configs, log=lambda line: None)
    spent = [np.mean([run_one(replace(config, seed=seed))["evaluations_used"]
                      for seed in range(estimating.CALIBRATION_SEEDS)]) for config in configs]
    assert spent[0] != spent[1]
    assert [row["budget_spent"] * 10000 for row in rows] == pytest.approx(spent)


@dataclass
class StopsBySeed(RandomSearch):
    """Random search that stops on its own after 100 to 2000 evaluations, drawn from its seed."""

    def search(self, task, evaluator, rng):
        stop = int(rng.integers(100, 2000))
        while evaluator.evaluations_used < stop:
            circuit = task.search_space.sample(rng, 4)
            optimize_angles(evaluator, circuit, np.zeros(circuit.n_params), self.optimizer, 20, rng)
        return best_result(evaluator, {})


def test_estimate_pools_seeds_where_a_calibration_run_is_short():
    """An early stopper's spending varies from seed to seed: a calibration that takes
    milliseconds is repeated on seeds 0 to CALIBRATION_SEEDS - 1 and their mean is taken."""
    from qasbench import estimate as estimating
    from qasbench.config import RunConfig
    from qasbench.runner import run_one

    config = RunConfig("tests.test_random_search_and_cli:StopsBySeed", "h2-2q", budget=10000)
    lines = []
    (row,) = estimating.estimate([config], log=lines.append)
    seeds = estimating.CALIBRATION_SEEDS
    spent = [run_one(replace(config, seed=seed))["evaluations_used"] for seed in range(seeds)]
    assert len(set(spent)) > 1 and row["budget_spent"] * 10000 == pytest.approx(np.mean(spent))
    assert f"mean of seeds 0-{seeds - 1}" in lines[-1]


def test_estimate_stores_its_calibration_and_reuses_it(tmp_path, monkeypatch, capsys):
    """``--calibration FILE``: the first estimate calibrates and stores; the next one of a grid
    it covers calibrates nothing and predicts the same; another code or CPU, uncommitted code,
    or a grid with an algorithm it lacks calibrates again; another code's calibration is added
    beside the first, which is kept and reused when that code comes back; uncommitted code's is
    not stored; a file that is no calibration is refused in one line before any work."""
    from qasbench import estimate as estimating

    monkeypatch.setattr(estimating, "CALIBRATION_SECONDS", 0.2)
    identity = {"code": "qasbench 0 at abc", "cpu_model": "test CPU", "logical_cpus": 2}
    monkeypatch.setattr(estimating, "calibration_identity", lambda: dict(identity))
    grid, stored = tmp_path / "tiny.toml", tmp_path / "calibration.json"
    grid.write_text('name = "tiny"\nproblems = ["h2-2q"]\nnoise = ["noiseless", "depol-1e-3"]\nseeds = [0, 1]\n'
                    'budget = 300\n[algorithms.random]\n[algorithms.hea]\n')

    def estimate(*extra):
        assert run_cli("estimate", str(grid), "--calibration", str(stored), *extra) == 0
        captured = capsys.readouterr()
        return captured.out, captured.err

    first_table, first_log = estimate()
    assert "calibrated random" in first_log
    assert [c["labels"].keys() for c in json.loads(stored.read_text())["calibrations"]] == [{"random", "hea"}]
    second_table, second_log = estimate()
    assert "reusing" in second_log and "qasbench: calibrated " not in second_log
    assert second_table == first_table  # the same prediction, from the stored calibration
    assert run_cli("run", str(grid), "--dry-run", "--calibration", str(stored), "--out", str(tmp_path / "o")) == 0
    assert capsys.readouterr().out == first_table
    assert run_cli("run", str(grid), "--calibration", str(stored), "--out", str(tmp_path / "ran")) == 0
    assert capsys.readouterr().out.startswith(first_table) and len(list((tmp_path / "ran").glob("*.json"))) == 8
    grid.write_text(grid.read_text() + "[algorithms.adapt]\n")
    third_log = estimate()[1]
    assert "calibrated adapt" in third_log and "calibrated random" not in third_log
    assert run_cli("run", str(grid), "--dry-run", "--calibration", str(stored), "--out", str(tmp_path / "ran")) == 0
    captured = capsys.readouterr()  # what `run` would do there: only adapt's four runs are left
    assert "8 of the 12 run(s) have records" in captured.err and "estimating the 4 left" in captured.err
    assert "adapt: " in captured.out and "random: " not in captured.out
    identity["code"] = "qasbench 0 at def"
    assert "none by this code" in estimate()[1]
    assert [c["identity"]["code"] for c in json.loads(stored.read_text())["calibrations"]] == [
        "qasbench 0 at abc", "qasbench 0 at def"]
    identity["code"] = "qasbench 0 at abc"
    table, log = estimate()
    assert "reusing" in log and "qasbench: calibrated " not in log and "adapt: " in table
    kept = stored.read_text()
    identity["code"] += "+dirty"
    assert "never reused" in estimate()[1] and stored.read_text() == kept
    stored.write_text("{}")
    assert run_cli("estimate", str(grid), "--calibration", str(stored)) == 2
    err = capsys.readouterr().err
    assert "is not a qasbench calibration file" in err and "calibrating" not in err and len(err.splitlines()) == 1
    assert run_cli("run", str(grid), "--calibration", str(stored), "--out", str(tmp_path / "o")) == 2
    assert not (tmp_path / "o").exists()  # refused before anything ran


def test_a_calibration_file_of_format_1_is_read_and_kept(tmp_path, monkeypatch):
    """A file of the first format held one calibration: it is reused where this code on this CPU
    made it, and kept beside a new one where not."""
    from qasbench import estimate as estimating

    identity = {"code": "qasbench 0 at abc", "cpu_model": "test CPU", "logical_cpus": 2}
    monkeypatch.setattr(estimating, "calibration_identity", lambda: dict(identity))
    old = {"format": 1, "identity": dict(identity), "lines": {"cell": [1e-5, 1e-6, 10]}, "labels": {}}
    path = tmp_path / "calibration.json"
    path.write_text(json.dumps(old))
    assert estimating.load_calibration(path)[0]["lines"] == old["lines"]
    identity["code"] = "qasbench 0 at def"
    fresh, note = estimating.load_calibration(path)
    assert fresh["lines"] == {} and "none by this code" in note
    estimating.save_calibration(fresh, path)
    stored = json.loads(path.read_text())
    assert stored["format"] == 2 and [c["identity"]["code"] for c in stored["calibrations"]] == [
        "qasbench 0 at abc", "qasbench 0 at def"]


def test_a_stored_calibration_keeps_the_growing_seconds_it_priced(monkeypatch):
    """Reusing a calibration does not run an algorithm's growth model again (latent-bo's times
    GP fits, tens of seconds), and gives the same rows."""
    from qasbench import estimate as estimating
    from qasbench.config import RunConfig

    monkeypatch.setattr(estimating, "CALIBRATION_SECONDS", 0.1)
    configs = [RunConfig("tests.test_random_search_and_cli:GrowingCost", "h2-2q", seed=s, budget=400) for s in (0, 1)]
    stored = estimating.empty_calibration()
    first = estimating.estimate(configs, log=lambda line: None, stored=stored)
    monkeypatch.setattr(GrowingCost, "growing_seconds", lambda *args: pytest.fail("priced again"))
    assert estimating.estimate(configs, log=lambda line: None, stored=json.loads(json.dumps(stored))) == first
