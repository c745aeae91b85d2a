"""Task families beyond chemistry: instances reproducible, exact optima checked by brute force,
every registered algorithm runs on every family, reports in each family's units."""
from itertools import product

import numpy as np
import pandas as pd
import pytest

from qasbench import registry
from qasbench.circuit import CNOT, Circuit, Gate
from qasbench.cli import main
from qasbench.evaluator import Evaluator, Task
from qasbench.problems import families
from qasbench.runner import run_one
from qasbench.config import RunConfig

STORED = [f"{kind}-{n}q" for kind in families.GRAPHS for n in families.SIZES]
SMALL = ["maxcut-3reg-4q", "maxcut-er-4q", "mis-4q", "ghz-3q"]
CHEAP = {"latent-reinforce": {"pretrain_circuits": 200, "pretrain_epochs": 2},
         "latent-bo": {"pretrain_circuits": 200, "pretrain_epochs": 2, "candidates": 20}}


def test_the_instance_files_are_what_the_generator_writes():
    assert families.generate(check=True) == 0


def _best_cut(n, edges):
    return max(sum(w for a, b, w in edges if bits[a] != bits[b]) for bits in product((0, 1), repeat=n))


def _largest_independent_set(n, edges):
    return max(sum(bits) for bits in product((0, 1), repeat=n) if not any(bits[a] and bits[b] for a, b, _ in edges))


@pytest.mark.parametrize("problem_id", STORED)
def test_stored_optima_are_the_brute_force_optima(problem_id):
    problem = registry.load_problem(problem_id)
    n, edges = problem.n_qubits, problem.metadata["edges"]
    assert problem.n_qubits == problem.metadata["n_nodes"] and problem.content_hash.startswith("sha256:")
    if n <= 10:  # every basis state, in Python, from the edge list alone
        optimum = _largest_independent_set(n, edges) if problem_id.startswith("mis") else _best_cut(n, edges)
        assert problem.ground_energy == pytest.approx(-optimum, abs=1e-9)
    assert problem.ground_energy == pytest.approx(problem.hamiltonian.ground_energy(), abs=1e-9)
    assert problem.success_threshold == pytest.approx(0.01 * abs(problem.ground_energy))
    if problem_id.startswith("maxcut-3reg"):
        assert all(sum(v in e[:2] for e in edges) == 3 for v in range(n))


@pytest.mark.parametrize("n", [2, 3, 5])
def test_ghz_energy_is_the_infidelity(n):
    problem = registry.load_problem(f"ghz-{n}q")
    ghz = np.zeros(2**n)
    ghz[[0, -1]] = 2**-0.5
    matrix = problem.hamiltonian.matrix()
    np.testing.assert_allclose(matrix, np.eye(2**n) - np.outer(ghz, ghz), atol=1e-12)
    assert problem.ground_energy == 0.0 and problem.hamiltonian.ground_energy() == pytest.approx(0.0, abs=1e-12)
    task = Task.make(problem)
    prepare = Circuit(n, (Gate("RY", (0,)),) + tuple(CNOT(q, q + 1) for q in range(n - 1)))
    evaluator = Evaluator(task, np.random.default_rng(0))
    assert evaluator.energy(prepare, [np.pi / 2]) == pytest.approx(0.0, abs=1e-12)  # the GHZ state
    assert evaluator.energy(Circuit(n, (Gate("RY", (0,)),)), [0.0]) == pytest.approx(0.5)  # |0...0>


@pytest.mark.parametrize("algorithm", sorted(registry.names("algorithm")))
def test_every_algorithm_runs_on_every_family(algorithm):
    for problem_id in SMALL:
        record = run_one(RunConfig(algorithm, problem_id, seed=1, budget=600, algorithm_params=CHEAP.get(algorithm, {})))
        assert record["evaluations_used"] <= 600 and record["metric"] in ("approximation_ratio", "fidelity")
        assert record["success"] == (abs(record["error"]) < record["success_threshold"])


def test_family_reports_speak_each_familys_units(tmp_path):
    grid = tmp_path / "grid.toml"
    grid.write_text('name = "f"\nproblems = ["maxcut-er-4q", "ghz-3q"]\nnoise = ["noiseless"]\nseeds = [0, 1]\n'
                    'budget = 2000\n[algorithms.random]\n')
    out = tmp_path / "runs"
    assert main(["run", str(grid), "--out", str(out)]) == 0 and main(["verify", str(out)]) == 0
    assert main(["report", str(out), "--out", str(tmp_path / "report")]) == 0
    table = pd.read_csv(tmp_path / "report" / "leaderboard.csv")
    assert dict(zip(table.problem, table.energy_unit)) == {"maxcut-er-4q": "cut weight", "ghz-3q": "infidelity"}
    assert dict(zip(table.problem, table.metric)) == {"maxcut-er-4q": "approximation_ratio", "ghz-3q": "fidelity"}
    assert (table.median_metric > 0.9).all()  # random search solves both at this size
    page = (tmp_path / "report" / "index.html").read_text()
    assert "Median error, cut weight [95% CI]" in page and "(success: error below 0.0123 cut weight)" in page
    assert "Unit" in (tmp_path / "report" / "leaderboard.md").read_text()
