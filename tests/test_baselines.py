"""Every built-in passes the public conformance check and solves h2-2q; baseline internals."""
import numpy as np
import pytest

from qasbench import registry
from qasbench.registry import make_algorithm, names
from qasbench.testing import check_algorithm
from qasbench.algorithms.evolutionary import (Individual, crossover, crowding_distance, mutate,
                                              non_dominated_ranks)
from qasbench.evaluator import Evaluator, Task
from qasbench.search_space import SearchSpace

SMALL_PRETRAINING = {"pretrain_circuits": 500, "pretrain_epochs": 5}
FAST = {"crlqas": {"episodes": 60}, "rlqas": {"episodes": 60},
        "latent-reinforce": SMALL_PRETRAINING, "latent-bo": SMALL_PRETRAINING}


def run(name, seed, problem="h2-2q", noise="noiseless", budget=20_000):
    task = Task.make(problem, noise, budget=budget)
    evaluator = Evaluator(task, np.random.default_rng([seed, 1]))
    result = make_algorithm(name, **FAST.get(name, {})).search(task, evaluator, np.random.default_rng(seed))
    return task, evaluator, result


@pytest.mark.parametrize("name", names("algorithm"))
def test_every_builtin_passes_the_conformance_check(name):
    check_algorithm(registry.algorithm_class(name), FAST.get(name), budget=1500)


@pytest.mark.parametrize("name", ["random", "evolutionary", "evolutionary-nsga2", "dqas", "dqas-pt", "hea", "adapt",
                                  "latent-reinforce", "latent-bo", "quantum-darts"])
def test_solves_h2_2q(name):
    task, _, result = run(name, 0)
    assert result.energy - task.problem.ground_energy < 1.6e-3


def test_variation_keeps_angles_aligned(rng):
    space = SearchSpace(3, 12)
    for _ in range(200):
        a = Individual(space.sample(rng, int(rng.integers(1, 12))), np.array([]))
        a = Individual(a.circuit, rng.normal(size=a.circuit.n_params))
        b = Individual(space.sample(rng, 5), np.zeros(0))
        b = Individual(b.circuit, rng.normal(size=b.circuit.n_params))
        for child in (mutate(a, space, rng), crossover(a, b, space, rng)):
            assert child.params.shape == (child.circuit.n_params,) and space.contains(child.circuit)
    kept = crossover(a, b, space, np.random.default_rng(0))
    inherited = set(np.round(np.concatenate([a.params, b.params]), 12))
    assert set(np.round(kept.params, 12)) <= inherited


def test_pareto_ranks_and_crowding():
    points = np.array([[1.0, 5], [2.0, 3], [3.0, 1], [2.5, 4], [4.0, 6]])
    assert list(non_dominated_ranks(points)) == [0, 0, 0, 1, 2]
    distance = crowding_distance(points[:3])
    assert np.isinf(distance[0]) and np.isinf(distance[2]) and np.isfinite(distance[1])


def _lie_closure(generators: list[np.ndarray]) -> list[np.ndarray]:
    basis: list[np.ndarray] = []

    def add(m):
        stacked = np.array([b.ravel() for b in basis] + [m.ravel()])
        if np.linalg.matrix_rank(stacked, tol=1e-9) > len(basis):
            basis.append(m)
            return True
        return False

    for g in generators:
        add(g)
    grown = True
    while grown:
        grown = False
        for a in list(basis):
            for b in list(basis):
                grown |= add(a @ b - b @ a)
    return basis


@pytest.mark.parametrize("n", [2, 3, 4])
def test_adapt_pool_is_minimal_and_complete_for_real_states(n):
    """2n-2 operators whose Lie algebra moves a generic real state in every direction of the
    unit sphere (tangent vectors of rank 2^n - 1), so products of their exponentials reach any
    real state."""
    from functools import reduce

    from qasbench.algorithms.adapt import minimal_pool
    from qasbench.sim.pauli_basis import PAULI_MATRICES

    pool = minimal_pool(n)
    assert len(pool) == 2 * n - 2 and all(p.count("Y") % 2 == 1 for p in pool)
    generators = [(1j * reduce(np.kron, [PAULI_MATRICES["IXYZ".index(c)] for c in p])).real for p in pool]
    algebra = _lie_closure(generators)
    rng = np.random.default_rng(n)
    for _ in range(3):
        psi = rng.normal(size=2**n)
        tangents = np.array([m @ (psi / np.linalg.norm(psi)) for m in algebra])
        assert np.linalg.matrix_rank(tangents, tol=1e-8) == 2**n - 1


@pytest.mark.parametrize("pauli", ["YII", "ZYI", "XYZ", "IZY", "YXX"])
def test_pauli_rotation_compiles_to_the_exponential(pauli, rng):
    from functools import reduce

    from scipy.linalg import expm

    from qasbench.registry import load_noise
    from qasbench.algorithms.adapt import pauli_rotation
    from qasbench.hamiltonian import Hamiltonian
    from qasbench.sim.pauli_basis import PAULI_MATRICES
    from qasbench.sim.statevector import StatevectorBackend

    gates, angles = pauli_rotation(pauli)
    prefix = SearchSpace(3, 8).sample(rng, 8)
    x_prefix = rng.uniform(-np.pi, np.pi, prefix.n_params)
    sim = StatevectorBackend(Hamiltonian(("ZII",), np.ones(1)), load_noise("noiseless"))
    before = sim.states(prefix, x_prefix)[0]
    after = sim.states(prefix.extend(gates), np.concatenate([x_prefix, [0.9 if a is None else a for a in angles]]))[0]
    expected = expm(-0.45j * reduce(np.kron, [PAULI_MATRICES["IXYZ".index(c)] for c in pauli])) @ before
    assert abs(abs(np.vdot(expected, after)) - 1) < 1e-12
    weight = sum(c != "I" for c in pauli)  # a CNOT ladder down and back up the support
    assert sum(g.name == "CNOT" for g in gates) == 2 * (weight - 1)


@pytest.mark.parametrize("name, params, message", [
    ("random", {"evaluations_per_circuit": 0}, "evaluations_per_circuit must be positive"),
    ("random", {"optimizer": "newton"}, "unknown optimizer 'newton'"),
    ("dqas-pt", {"selection_candidates": 0}, "selection_candidates must be positive"),
    ("latent-bo", {"latent_dim": -2}, "latent_dim must be positive"),
    ("latent-reinforce", {"lr": 0.0}, "lr must be positive"),
    ("crlqas", {"episodes": 0}, "episodes must be positive"),
    ("evolutionary", {"population": 0}, "population must be positive"),
])
def test_unusable_hyperparameters_are_refused_by_name(name, params, message):
    with pytest.raises(ValueError, match=message):
        make_algorithm(name, **params)
