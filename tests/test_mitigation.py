"""Error mitigation as a task setting: physics against aer and an independent extrapolation,
budgets charged per circuit run, distinct tasks and cells, bad settings refused up front."""
import json

import numpy as np
import pandas as pd
import pytest

from qasbench.circuit import CNOT, Circuit, Gate
from qasbench.cli import main
from qasbench.config import RunConfig
from qasbench.evaluator import BudgetExhausted, Evaluator, Task
from qasbench.mitigation import NAMES, ZNE_SCALES, Mitigation, fold
from qasbench.sim.aer import AerBackend
from qasbench.sim.statevector import StatevectorBackend
from qasbench.registry import load_noise
from tests.conftest import random_circuit


def test_names_parse_round_trip_and_say_what_an_energy_costs():
    assert [Mitigation.parse(name).name for name in NAMES] == list(NAMES)
    assert Mitigation.parse(None) == Mitigation.parse("none") and not Mitigation.parse("none")
    assert [Mitigation.parse(name).evaluations_per_energy for name in NAMES] == [1, 1, 3, 3]
    with pytest.raises(ValueError, match=r"unknown mitigation 'zen' \(did you mean 'zne'\?\)"):
        Mitigation.parse("zen")


def test_folding_keeps_the_ideal_circuit_and_multiplies_its_cnots(rng):
    noiseless = load_noise("noiseless")
    for n in (2, 3, 4):
        circuit = random_circuit(rng, n, 16)
        hamiltonian = Task.make(f"tfim-{n}q").problem.hamiltonian
        params = rng.uniform(-np.pi, np.pi, (3, circuit.n_params))
        exact = StatevectorBackend(hamiltonian, noiseless).energies(circuit, params)
        for scale in ZNE_SCALES:
            folded = fold(circuit, scale)
            assert folded.n_params == circuit.n_params
            assert folded.counts()["cnots"] == scale * circuit.counts()["cnots"]
            np.testing.assert_allclose(StatevectorBackend(hamiltonian, noiseless).energies(folded, params), exact,
                                       atol=1e-12)
    with pytest.raises(ValueError, match="odd positive integer"):
        fold(circuit, 2)


@pytest.mark.parametrize("noise", ["mumbai-median", "ibm-torino"])
@pytest.mark.parametrize("mitigation", ["readout", "zne", "readout+zne"])
def test_every_mitigated_path_of_ptm_agrees_with_aer(noise, mitigation, rng):
    for problem in ("h2-2q", "h2-4q"):
        task = Task.make(problem, noise, mitigation=mitigation)
        circuit = task.search_space.sample(rng, 14)
        params = rng.uniform(-np.pi, np.pi, (3, circuit.n_params))
        np.testing.assert_allclose(task.backend("ptm").energies(circuit, params),
                                   task.backend("aer").energies(circuit, params), rtol=0, atol=1e-9)


def test_mitigated_energies_are_what_the_definitions_say(rng):
    """Readout: aer with the readout probabilities set to zero. ZNE: a parabola fitted (numpy)
    through aer's energies of circuits folded here, evaluated at zero noise."""
    noise = load_noise("mumbai-median")
    task = Task.make("h2-4q", noise, mitigation="readout+zne")
    hamiltonian = task.problem.hamiltonian
    circuit = task.search_space.sample(rng, 16)
    params = rng.uniform(-np.pi, np.pi, (2, circuit.n_params))
    clean = AerBackend(hamiltonian, noise.without_readout())
    np.testing.assert_allclose(Task.make("h2-4q", noise, mitigation="readout").backend().energies(circuit, params),
                               clean.energies(circuit, params), atol=1e-9)
    folded = [Circuit(circuit.n_qubits, tuple(g for gate in circuit.gates
                                              for g in [gate] * (1 if gate.is_rotation else s))) for s in (1, 3, 5)]
    points = np.array([clean.energies(c, params) for c in folded])  # (3 scales, 2 parameter sets)
    expected = [np.polyval(np.polyfit([1, 3, 5], points[:, i], 2), 0.0) for i in range(2)]
    np.testing.assert_allclose(task.backend().energies(circuit, params), expected, atol=1e-9)


def test_zne_charges_one_evaluation_per_circuit_it_runs(rng):
    task = Task.make("h2-2q", "depol-1e-3", budget=7, mitigation="zne")
    evaluator = Evaluator(task, rng)
    circuit = task.search_space.sample(rng, 6)
    evaluator.energies(circuit, np.zeros((2, circuit.n_params)))
    assert evaluator.evaluations_used == 6 and evaluator.history[0][0] == 3
    with pytest.raises(BudgetExhausted, match="3 evaluation"):
        evaluator.energies(circuit, np.zeros((1, circuit.n_params)))
    assert evaluator.evaluations_used == 6


def test_a_mitigated_task_is_another_configuration_and_bad_settings_are_one_line(capsys, tmp_path):
    plain = RunConfig("hea", "h2-2q", "ibm-torino")
    mitigated = RunConfig("hea", "h2-2q", "ibm-torino", mitigation="readout+zne")
    assert "mitigation" not in plain.to_dict() and mitigated.to_dict()["mitigation"] == "readout+zne"
    assert plain.hash != mitigated.hash and "ibm-torino_readout_zne" in mitigated.record_name
    for args, message in ((["--noise", "noiseless", "--mitigation", "zne"], "nothing to mitigate"),
                          (["--noise", "depol-1e-3", "--mitigation", "readuot"], "did you mean 'readout'")):
        assert main(["run", "--algorithm", "hea", "--problem", "h2-2q", "--out", str(tmp_path), *args]) == 2
        err = capsys.readouterr().err.strip()
        assert message in err and len(err.splitlines()) == 1
    assert not any(tmp_path.iterdir())


def test_mitigated_runs_verify_on_aer_and_are_cells_of_their_own(tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text('name = "m"\nproblems = ["h2-2q"]\nnoise = ["ibm-torino"]\nseeds = [0]\nbudget = 300\n'
                    'mitigation = ["none", "readout", "zne", "readout+zne"]\n[algorithms.hea]\n')
    out = tmp_path / "runs"
    assert main(["run", str(grid), "--out", str(out)]) == 0
    assert main(["verify", str(out)]) == 0
    assert main(["report", str(out), "--out", str(tmp_path / "report")]) == 0
    table = pd.read_csv(tmp_path / "report" / "leaderboard.csv")
    assert sorted(table.noise) == ["ibm-torino", "ibm-torino+readout", "ibm-torino+readout+zne", "ibm-torino+zne"]


def test_inner_optimizers_get_the_energies_their_evaluations_pay_for(tmp_path, capfd):
    """Under ZNE an optimizer given k evaluations makes k // 3 energy calls, so it stops on its
    own instead of running into the budget inside scipy (which prints a C-level traceback)."""
    assert main(["run", "--algorithm", "hea", "--problem", "h2-2q", "--noise", "depol-1e-3", "--mitigation",
                 "zne", "--budget", "301", "--out", str(tmp_path)]) == 0
    assert "capi_return" not in capfd.readouterr().err
    record = json.loads(next(tmp_path.glob("*.json")).read_text())
    assert record["evaluations_used"] <= 301 and record["evaluations_used"] % 3 == 0


@pytest.mark.parametrize("mitigation", ["readout", "zne", "readout+zne"])
def test_shot_noise_estimates_center_on_the_exact_mitigated_energy(mitigation, rng):
    """Under shots: the calibration is charged and lands within 5 sigma of the true readout
    probabilities; with the true probabilities, the mean of many mitigated estimates lies within
    5 standard errors of aer's exact mitigated energy (readout measured without error, folded
    circuits extrapolated); readout mitigation removes a bias the unmitigated estimates show."""
    noise = load_noise("mumbai-median")
    task = Task.make("h2-2q", noise, mitigation=mitigation, shots=4000)
    circuit = Circuit(2, (Gate("RY", (0,)), CNOT(0, 1), Gate("RY", (1,))))
    params = np.array([[0.4, -1.1]])
    evaluator = Evaluator(task, np.random.default_rng(7))
    assert (evaluator.evaluations_used, evaluator.shots_used) == ((2, 8000) if "readout" in mitigation else (0, 0))
    sampler = evaluator._sampler  # white box: the calibration drawn from 4000 shots per state
    if "readout" in mitigation:
        sigma = np.sqrt(sampler.probabilities * (1 - sampler.probabilities) / 4000)
        assert np.all(np.abs(sampler.estimated - sampler.probabilities) < 5 * sigma)
        sampler.estimated = sampler.probabilities  # its error is a bias of its own; the estimator is tested here
    samples = np.array([evaluator.energies(circuit, params)[0] for _ in range(400)])
    exact = Task.make("h2-2q", noise, mitigation=mitigation).backend("aer").energies(circuit, params)[0]
    error = samples.std(ddof=1) / np.sqrt(len(samples))
    assert abs(samples.mean() - exact) < 5 * error
    if mitigation == "readout":
        plain = Evaluator(Task.make("h2-2q", noise, shots=4000), np.random.default_rng(7))
        biased = np.array([plain.energies(circuit, params)[0] for _ in range(400)])
        assert abs(biased.mean() - exact) > 10 * error
    per_energy = task.problem.n_terms * 4000 * (3 if "zne" in mitigation else 1)
    assert evaluator.shots_used == (8000 if "readout" in mitigation else 0) + 400 * per_energy
