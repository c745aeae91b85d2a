"""Properties every algorithm must have: seeded, within budget, valid circuits, and it solves h2-2q."""
import numpy as np
import pytest

from qasbench.algorithms import REGISTRY, make_algorithm
from qasbench.algorithms.evolutionary import (Individual, crossover, crowding_distance, mutate,
                                              non_dominated_ranks)
from qasbench.evaluator import Evaluator, Task
from qasbench.search_space import SearchSpace

FAST = {"crlqas": {"episodes": 60}, "rlqas": {"episodes": 60}}


def run(name, seed, problem="h2-2q", noise="noiseless", budget=20_000):
    task = Task.make(problem, noise, budget=budget)
    evaluator = Evaluator(task, np.random.default_rng([seed, 1]))
    result = make_algorithm(name, **FAST.get(name, {})).search(task, evaluator, np.random.default_rng(seed))
    return task, evaluator, result


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_budget_validity_and_determinism(name):
    task, evaluator, result = run(name, 3, noise="depol-1e-3", budget=1500)
    assert evaluator.evaluations_used <= 1500
    assert task.search_space.contains(result.circuit)
    assert result.params.shape == (result.circuit.n_params,)
    assert evaluator.best_energy == result.energy
    _, _, again = run(name, 3, noise="depol-1e-3", budget=1500)
    assert again.circuit == result.circuit and np.array_equal(again.params, result.params)


@pytest.mark.parametrize("name", ["random", "evolutionary", "evolutionary-nsga2", "dqas", "hea"])
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
