"""pytest-benchmark microbenchmarks (run with --benchmark-only; CI runs them once, disabled).

ptm and aer run the same noisy workload in the same session, so their ratio is read off one
report: ``python -m pytest tests/benchmarks --benchmark-only --benchmark-group-by=param:n,param:batch``.
"""
import numpy as np
import pytest

from qasbench.registry import load_noise
from qasbench.circuit import hardware_efficient
from qasbench.registry import load_problem
from qasbench.sim.aer import AerBackend
from qasbench.sim.ptm import PTMBackend
from qasbench.sim.statevector import StatevectorBackend


def workload(n):
    return load_problem(f"tfim-{n}q").hamiltonian, hardware_efficient(n, 5)


@pytest.mark.parametrize("batch", [1, 64])
@pytest.mark.parametrize("n", [2, 4, 6])
@pytest.mark.parametrize("backend", [PTMBackend, AerBackend])
def test_noisy_energies(benchmark, backend, n, batch):
    hamiltonian, circuit = workload(n)
    sim = backend(hamiltonian, load_noise("mumbai-median"))
    params = np.random.default_rng(n).uniform(-np.pi, np.pi, (batch, circuit.n_params))
    energies = benchmark(sim.energies, circuit, params)
    assert energies.shape == (batch,) and np.all(energies >= load_problem(f"tfim-{n}q").ground_energy - 1e-9)


@pytest.mark.parametrize("n", [4, 8])
def test_noiseless_statevector_energy(benchmark, n):
    hamiltonian, circuit = workload(n)
    sim = StatevectorBackend(hamiltonian, load_noise("noiseless"))
    params = np.random.default_rng(n).uniform(-np.pi, np.pi, (1, circuit.n_params))
    benchmark(sim.energies, circuit, params)


@pytest.mark.parametrize("at_end", [False, True], ids=["middle", "end"])
@pytest.mark.parametrize("n", [6, 8])
def test_fused_two_qubit_operator(benchmark, n, at_end):
    from qasbench.bench_sim import fused_pass

    benchmark(fused_pass(n, at_end)[0])


@pytest.mark.parametrize("noise", ["noiseless", "mumbai-median"])
@pytest.mark.parametrize("path", ["evaluator", "backend"])
def test_evaluator_overhead(benchmark, path, noise):
    """One h2-4q evaluation of a 20-gate circuit through the Evaluator and straight from its
    backend, side by side (group by param:noise to read the overhead as a ratio)."""
    from qasbench.evaluator import Evaluator, Task

    task = Task.make("h2-4q", noise, budget=10**9)
    evaluator = Evaluator(task, np.random.default_rng(0))
    circuit = task.search_space.sample(np.random.default_rng(3), 20)
    params = np.random.default_rng(1).uniform(-3, 3, (1, circuit.n_params))
    call = evaluator.energies if path == "evaluator" else evaluator._simulator._energies
    benchmark(call, circuit, params)
