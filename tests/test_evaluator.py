import numpy as np
import pytest

from qasbench.circuit import CNOT, RX, RY, Circuit
from qasbench.evaluator import BudgetExhausted, Evaluator, Task, exact_energy


def h2_circuit():
    return Circuit(2, (RY(0), RY(1), CNOT(0, 1)))


def test_budget_is_enforced_before_simulating():
    task = Task.make("h2-2q", budget=5)
    ev = Evaluator(task, np.random.default_rng(0))
    ev.energies(h2_circuit(), np.zeros((4, 2)))
    with pytest.raises(BudgetExhausted, match="only 1 of 5"):
        ev.energies(h2_circuit(), np.zeros((2, 2)))
    assert ev.evaluations_used == 4  # the refused batch cost nothing
    ev.energy(h2_circuit(), [0.0, 0.0])
    assert ev.remaining == 0


def test_anytime_history_is_monotone_and_tracks_the_best():
    task = Task.make("h2-2q", budget=100)
    ev = Evaluator(task, np.random.default_rng(0))
    values = ev.energies(h2_circuit(), np.random.default_rng(1).uniform(-3, 3, (50, 2)))
    errors = [e for _, e, _ in ev.history]
    assert errors == sorted(errors, reverse=True)
    assert ev.best_energy == pytest.approx(values.min())
    assert errors[-1] == pytest.approx(values.min() - task.problem.ground_energy)
    assert ev.history[-1][0] == int(np.argmin(values)) + 1


def test_shot_noise_is_unbiased_and_charged():
    task = Task.make("h2-2q", "noiseless", budget=4000, shots=200)
    ev = Evaluator(task, np.random.default_rng(0))
    params = np.tile([0.3, -1.2], (4000, 1))
    estimates = ev.energies(h2_circuit(), params)
    exact = exact_energy(task, h2_circuit(), [0.3, -1.2])
    assert abs(estimates.mean() - exact) < 5 * estimates.std() / np.sqrt(len(estimates))
    assert estimates.std() > 1e-3
    assert ev.shots_used == 4000 * 200 * task.problem.n_terms
    evaluations, _, shots = ev.history[-1]
    assert shots == evaluations * 200 * task.problem.n_terms


def test_shot_scale_reduces_shots():
    task = Task.make("h2-2q", "noiseless", budget=10, shots=1000)
    ev = Evaluator(task, np.random.default_rng(0))
    ev.energies(h2_circuit(), np.zeros((1, 2)), shot_scale=0.01)
    assert ev.shots_used == 10 * task.problem.n_terms


def test_parameter_free_circuits_evaluate():
    task = Task.make("h2-2q", budget=3)
    ev = Evaluator(task, np.random.default_rng(0))
    assert np.isfinite(ev.energy(Circuit(2)))
    assert np.isfinite(ev.energy(Circuit(2, (CNOT(1, 0),))))


def test_task_validation():
    with pytest.raises(ValueError, match="budget"):
        Task.make("h2-2q", budget=0)
    with pytest.raises(ValueError, match="qubits"):
        Evaluator(Task.make("h2-4q"), np.random.default_rng(0)).energy(Circuit(2, (RX(0),)), [0.1])
